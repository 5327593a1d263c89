/* pvm/cost.c: the GP 0.8.0 gas cost model ϱΔ (A.48-A.64; ISA-NOTES-0.8 §6): a block's cost is
 * the cycle count of a small out-of-order pipeline simulation (decode slots, instruction starts,
 * five execution unit pools, a 32-entry reorder buffer) run over its instructions from the block
 * start to the first terminator, minus 3, at least 1. Static per block start; the data per
 * instruction is cost.def. The same function serves every engine, the JIT and the tools.
 * Every computation of the one simulation runs on a block's words (cost_word.h: what the
 * simulation reads of each instruction) and gives the same result: the entry-by-entry schedule
 * (fast; it declines the blocks where a start waits for units held by a later entry), as
 * schedule32 while a block's entries are at most 32 and within 64 cycles (most blocks, and the
 * start of the rest) and as schedule from where schedule32 hands over, up to 2,048 cycles, and the
 * cycle-by-cycle simulation (every block: the reference the tests hold the others to). Deblob
 * gathers each block's words as it decodes and asks once per distinct word sequence
 * (cost_batch_end; the older memo, pvm_cost_memo, serves pvm_block_cost_memo and deblob's general
 * walk). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "pvm.h"
#include "mutant.h"
#include "cost_word.h"

const pvm_costinfo pvm_costs[PVM_NUM_OPS] = {
#define PVM_COST(name, regs, cyc, dkind, d1, d2, a, l, s, m, d) \
	[PVM_OP_##name] = { 1, PVM_RW_##regs, PVM_CYC_##cyc, PVM_D_##dkind, d1, d2, { a, l, s, m, d } },
#include "cost.def"
#undef PVM_COST
};

enum { DECODE_SLOTS = 4, STARTS = 5, ROB_SIZE = 32, REFUND = 3 };
/* Unit counts, one 4-bit lane per unit: the units there are, and the guard bit of each lane. A lane
 * below 8 less one below 8 leaves the guard bit set exactly when it does not go below 0. */
#define UNITS_TOTAL 0x11444u /* (4, 4, 4, 1, 1) */
#define LANES 0x88888u
enum { ALUS = UNITS_TOTAL & 0xF }; /* the ALU lane (bits 0-3) */

/* The simulation below is A.54-A.60 exactly, in a representation that makes a cycle cheap:
 * - An entry j lives in slot j mod 64 while it is not RETIRED. A dependency is recorded only on
 *   an entry not yet RETIRED (a RETIRED entry has left = 0, so it never delays anyone); such an
 *   entry is at most 31 older than its dependent's decode, and the dependent stays in the ROB at
 *   most 31 entries behind the newest, so no slot is reused while a dependent still reads it.
 * - States are bit masks over slots; the lowest-index entry of a mask is its lowest set bit once
 *   the mask is rotated so that bit 0 is the oldest live entry (head). EXE is split in two: run
 *   (left > 0 before this cycle's end) and ending (left = 0: FIN at this cycle's end).
 * - left is not stored: an entry started in cycle t with latency n has left = max(0, t + n - cycles)
 *   (done = t + n); busy holds the entries with left > 0, ready the WAIT entries none of whose
 *   dependencies is busy. An entry's left reaches 0 only at the end of cycle done - 1, where its
 *   units come back; ready is updated then, for the entries that wait for it (users), and for the
 *   entries that enter WAIT.
 * - Each register has at most one producing entry (a decode removes its destination from every
 *   other entry, move_reg gives its destination the source's producer), so regs is a table
 *   register -> producing entry.
 * - The five unit counts are five 4-bit lanes of one word; need <= units in every lane is one
 *   subtraction with a guard bit per lane.
 * - Cycles in which nothing can change (no decode, no start, nothing to retire or to finish, no
 *   running entry within one cycle of its end) are counted in one step. */
enum { SLOTS = 64, NEVER = UINT32_MAX };

typedef struct rob {
	uint64_t dec, wait, run, ending, fin; /* state masks over slots (RETIRED: in none) */
	uint64_t busy, ready, short_;         /* left > 0; WAIT and no dependency busy: units not
	                                         yet tried (ready) or found short (short_) */
	uint32_t done[SLOTS];                 /* started: the cycle count at which left is 0 */
	uint32_t lat[SLOTS];                  /* latency: left when started */
	uint32_t need[SLOTS];                 /* units used while running */
	uint64_t deps[SLOTS];                 /* slots of the live entries it depends on */
	uint64_t users[SLOTS];                /* slots that depend (or depended) on it */
} rob;

static inline uint64_t rotr(uint64_t x, unsigned k) { return k ? x >> k | x << (64 - k) : x; }
static inline uint64_t rotl(uint64_t x, unsigned k) { return k ? x << k | x >> (64 - k) : x; }
static inline unsigned low(uint64_t x) { return (unsigned)__builtin_ctzll(x); }

/* The fast path: the simulation's schedule computed entry by entry, in index order, which is
 * exact unless a start waits for units that a later entry holds.
 * Entry j's timeline follows from the earlier entries:
 * - decode cycle D: the next decode slots in order (4 per cycle, move_reg taking 1), in a cycle
 *   where the entry 32 before it has retired (R < D);
 * - start S: the first cycle >= max(D + 1, the done cycle of each dependency) in which fewer
 *   than 5 earlier entries start and the earlier entries running (S' <= S < E') leave its units;
 * - done E = S + latency (units back for cycle E), FIN at the end of cycle E, retired at the end
 *   of cycle R = max(E + 1, R of the entry before);
 * and the simulation stops at cycles = R of the last entry + 1. In the simulation a start also
 * sees the units of later entries that started before it (while it was not ready yet); so each
 * entry's units are checked against the earlier entries that start while it runs, and if one of
 * them would now find too few, this returns false (also past the planes' reach, and for a
 * latency of 0, whose units never come back). Otherwise every start sees the units it saw here,
 * and by induction over cycles and, within a cycle, indices, this is the simulation's schedule. */
enum { HORIZON = 2048 };       /* cycles the schedule covers (prime-sieve has blocks of 1,040: within) */
/* The load and store units never run short before the ALUs do: every row that uses one uses an
 * ALU as well (so in any cycle loads in use <= ALUs in use, and the same for stores), and there
 * are as many of each as there are ALUs. So a start fits exactly when the ALUs, the multiplier and
 * the divider leave its units, and the schedule counts only those. A row uses at most 2 ALUs and
 * at most 1 multiplier or divider, of which there is 1 each: a cycle's multiplier (divider) is
 * free or busy, one bit. */
#define PVM_COST(name, regs, cyc, dkind, d1, d2, a, l, s, m, d) \
	_Static_assert((l) <= (a) && (s) <= (a) && ((m) + (d) == 0 || (a) > 0), "cost.def " #name ": a unit without an ALU"); \
	_Static_assert((a) <= 2 && (m) <= 1 && (d) <= 1, "cost.def " #name ": the schedule's unit counts"); \
	_Static_assert((d2) >= (d1), "cost.def " #name ": d2 < d1 (cost_row.dd)"); \
	_Static_assert((d1) >= 1 && (d2) <= DECODE_SLOTS, "cost.def " #name ": decode slots (schedule32's slot)"); \
	_Static_assert(PVM_D_##dkind != PVM_D_PS || PVM_RW_##regs == PVM_RW_RAB_WD, "cost.def " #name ": PS needs rA, rB -> rD (cost_fast)"); \
	_Static_assert(PVM_D_##dkind != PVM_D_FIX || (d1) == (d2), "cost.def " #name ": FIX with two slot counts");
#include "cost.def"
#undef PVM_COST
_Static_assert((UNITS_TOTAL >> 4 & 0xF) >= ALUS && (UNITS_TOTAL >> 8 & 0xF) >= ALUS, "as many loads, stores as ALUs");
_Static_assert(ALUS == 4 && (UNITS_TOTAL >> 12) == 0x11 && STARTS == 5, "the schedule's bit planes");

/* All ones if row r uses an ALU (two: alu2_mask), else 0: its top bit (the next one) spread by an
 * arithmetic shift. */
static inline uint64_t alu_mask(cost_fast r) { return (uint64_t)((int64_t)(int8_t)r.bits >> 7); }
static inline uint64_t alu2_mask(cost_fast r) { return (uint64_t)((int64_t)(int8_t)(r.bits << 1) >> 7); }
_Static_assert(COST_FAST_ALU == 0x80 && COST_FAST_ALU2 == 0x40, "alu_mask, alu2_mask");

/* low_bits[k]: the k low bits set (k <= 64; one load where a shift takes four instructions) */
#define LOW_BITS(k) (~0ull >> (64 - (k)))
#define LOW_BITS4(k) LOW_BITS(k), LOW_BITS((k) + 1), LOW_BITS((k) + 2), LOW_BITS((k) + 3)
#define LOW_BITS16(k) LOW_BITS4(k), LOW_BITS4((k) + 4), LOW_BITS4((k) + 8), LOW_BITS4((k) + 12)
static const uint64_t low_bits[65] = { 0, LOW_BITS(1), LOW_BITS(2), LOW_BITS(3), LOW_BITS4(4), LOW_BITS4(8),
	LOW_BITS4(12), LOW_BITS16(16), LOW_BITS16(32), LOW_BITS16(48), LOW_BITS(64) };
#undef LOW_BITS16
#undef LOW_BITS4
#undef LOW_BITS

/* The schedule's per-cycle counts, 64 cycles to a word, as bit planes: bit c % 64 of word c / 64
 * of a0, a1, a2 are the bits 0, 1, 2 of the number of ALUs in use in cycle c (0..4), of full whether
 * 5 entries start in c (the starts are counted in a byte per cycle); mul, div: the multiplier, the
 * divider in use. So the cycles of a word where a start cannot go are a few ands and ors (full; no ALU
 * left: a2; fewer than 2: a2 | a1 & a0), the first cycle where it can is a count of trailing
 * zeros, and an interval's ALUs are added to a word's 64 cycles at once (a carry through the
 * planes). */
typedef struct plane { uint64_t a0, a1, a2, full, mul, div; } plane;
enum { PLANES = HORIZON / 64 };

/* The bits of word w for the cycles [from, to) (from < to). */
static inline uint64_t span(uint32_t w, uint32_t from, uint32_t to)
{
	uint64_t lo = from <= 64 * w ? ~0ull : ~0ull << (from % 64);
	uint64_t hi = to >= 64 * w + 64 ? ~0ull : ~(~0ull << (to % 64));
	return lo & hi;
}

/* Adds an entry's ALUs (two if alu2 is all ones, else one) to the cycles m of plane word u; the
 * cycles of m then over 4 ALUs: those at 4 before (3 or 4 with two; no count is over 4 before, the
 * schedule declining at the first). */
static inline uint64_t add_alus(plane *u, uint64_t m, uint64_t alu2)
{
	uint64_t over = (u->a2 | (alu2 & u->a1 & u->a0)) & m;
	uint64_t m1 = m & ~alu2, c = (u->a0 & m1) | (m & alu2), c2 = u->a1 & c;
	u->a0 ^= m1;
	u->a1 ^= c;
	u->a2 ^= c2; /* (no carry out: at most 4 + 2) */
	return over;
}

/* schedule's state before an entry (schedule32 hands its own over to schedule_from). */
typedef struct sched {
	plane pl[PLANES];
	uint8_t starts[HORIZON]; /* per cycle: the entries starting in it (the cycles of pl's words below init) */
	uint32_t init;           /* words [0, init) of pl hold the counts (the rest: not yet 0) */
	uint32_t prod_done[18];  /* per register: the done cycle of its producer (0: none) */
	uint32_t retired[ROB_SIZE]; /* R + 1 of the last 32 entries, by index mod 32 (0: none yet) */
	uint32_t full[9];        /* see the search below */
	uint32_t n, last_r;      /* entries so far, the largest R */
	uint32_t slot;           /* the decode slots used: 4 * the decode cycle + the slots used in it */
} sched;

/* Zeroes the plane words [init, to) and their cycles' start counts (a word at a time: fixed sizes,
 * a few stores); returns to. */
static inline uint32_t zero_to(plane *pl, uint8_t *starts, uint32_t init, uint32_t to)
{
	for (uint32_t k = init; k < to; k++) {
		memset(&pl[k], 0, sizeof *pl);
		memset(starts + 64 * k, 0, 64);
	}
	return to;
}

/* The row of the entry of cost word w (cost_word.h: cost_fast), its registers (16: no source, 17:
 * no destination) and its decode slots: the two schedules' first step for every entry. x[8] holds
 * the bytes of the word, bytes 5 and 6 being 16 and 17 (the schedules keep them there and write the
 * word's low 4 bytes, the only others a row selects). */
static inline __attribute__((always_inline)) cost_fast entry_at(const cost_table *t, uint64_t w, uint8_t x[8],
                                                              unsigned *src1, unsigned *src2, unsigned *dst,
                                                              unsigned *ds)
{
	cost_fast r = t->fast[w & 0xFF];
	uint32_t low = (uint32_t)w;
	memcpy(x, &low, 4);
	*src1 = x[r.b1], *src2 = x[r.b2], *dst = x[r.bd];
	unsigned ds_ = r.d2; /* (selects, no branch: the kinds and the equalities come in no predictable order) */
	ds_ = *dst == *src1 ? r.d1 : ds_;
	ds_ = *dst == x[r.be] ? r.d1 : ds_;
	*ds = ds_;
	return r;
}

/* Places an entry whose start is at least start and whose latency is lat in state *s: finds its
 * start (the first cycle from start where its units are free: an ALU, two if alu2 is all ones, the
 * multiplier or the divider if need_mul or need_div is) and adds its units to every cycle of
 * [start, start + lat). Returns the start, or NEVER where schedule declines. Instantiated twice:
 * in line for the entries without a multiplier or divider (need_mul = need_div = 0: the terms
 * fold away), and out of line for the rest. */
static inline __attribute__((always_inline)) uint32_t place(sched *s, uint32_t start, uint32_t lat, uint64_t alu,
                                                           uint64_t alu2, uint64_t need_mul, uint64_t need_div)
{
	uint32_t init = s->init, v = start / 64, done = start + lat, last = (done - 1) / 64;
	if (last >= init) { /* (every done past the horizon is: init <= PLANES) */
		if (done > HORIZON) return NEVER;
		init = s->init = zero_to(s->pl, s->starts, init, last + 1);
	}
	const plane *q = &s->pl[v];
	uint64_t blocked = q->full | (alu & q->a2) | (alu2 & q->a1 & q->a0) | (need_mul & q->mul) | (need_div & q->div);
	if (blocked >> start % 64 & 1) { /* (the lower bound is taken: the first free cycle after) */
		/* full[k]: the words below it are blocked in every cycle for an entry of class k (its
		 * units): counts only grow, so it only grows */
		unsigned k = (unsigned)(alu & 1) + (unsigned)(alu2 & 1) + (need_mul ? 3 : need_div ? 6 : 0);
		uint64_t free_ = ~blocked & (~0ull << start % 64), whole = ~blocked; /* (word v's) */
		while (!free_) {
			if (v == s->full[k] && !whole) s->full[k]++;
			if (++v < s->full[k]) v = s->full[k];
			if (v >= init) { /* (every v past the planes is: init <= PLANES) */
				if (v >= PLANES) return NEVER;
				init = s->init = zero_to(s->pl, s->starts, init, v + 1);
			}
			q = &s->pl[v];
			whole = free_ = ~(q->full | (alu & q->a2) | (alu2 & q->a1 & q->a0) | (need_mul & q->mul) |
			                  (need_div & q->div));
		}
		start = 64 * v + low(free_);
		done = start + lat;
		last = (done - 1) / 64;
		if (last >= init) {
			if (done > HORIZON) return NEVER;
			s->init = zero_to(s->pl, s->starts, init, last + 1);
		}
	}
	/* its units in every cycle of [start, done). The earlier entries starting while this one
	 * runs must still find their units: a cycle short of units has, among the entries
	 * running in it, one that started last, and its start cycle is short too (every other
	 * one runs there); this entry's own start fits; so they all do exactly when no cycle of
	 * [start, done) is over (more than 4 ALUs: a2 and a1 or a0; 2 multipliers or dividers).
	 * (An entry without an ALU, a jump say, uses no unit: every row with a multiplier or a
	 * divider has an ALU.) */
	if (!alu) return start;
	plane *pl = s->pl;
	uint64_t over = 0;
	if (v == last) { /* (most: one word; lat <= 64) */
		over = add_alus(&pl[v], low_bits[lat] << start % 64, alu2);
	} else if (v + 1 == last) { /* (a load across a word's end, say) */
		over = add_alus(&pl[v], ~0ull << start % 64, alu2);
		over |= add_alus(&pl[last], ~0ull >> (63 - (done - 1) % 64), alu2);
	} else {
		for (uint32_t k = v; k <= last; k++) over |= add_alus(&pl[k], span(k, start, done), alu2);
	}
	if (need_mul | need_div)
		for (uint32_t k = v; k <= last; k++) {
			plane *u = &pl[k];
			uint64_t m = span(k, start, done);
			over |= ((need_mul & u->mul) | (need_div & u->div)) & m;
			u->mul |= need_mul & m;
			u->div |= need_div & m;
		}
	return over ? NEVER : start;
}

/* place for an entry with two ALUs, a multiplier or a divider (rare). */
static __attribute__((noinline)) uint32_t place_rare(sched *s, uint32_t start, uint32_t lat, uint64_t alu,
                                                     uint64_t alu2, uint64_t need_mul, uint64_t need_div)
{
	return place(s, start, lat, alu, alu2, need_mul, need_div);
}

/* schedule from word i on, in state *s (read and written in place: one base for all of it). */
static bool schedule_from(const cost_table *t, const uint64_t *words, size_t i, size_t n_words, sched *s,
                          uint32_t *cost)
{
	uint32_t n = s->n, slot = s->slot, last_r = s->last_r;
	uint8_t x[8] = { 0, 0, 0, 0, 0, 16, 17, 0 }; /* (entry_at) */
	for (const uint64_t *wp = words + i, *end = words + n_words; wp < end; wp++) {
		uint64_t w = *wp;
		unsigned src1, src2, dst, ds;
		cost_fast r = entry_at(t, w, x, &src1, &src2, &dst, &ds);
		/* the decode cycle: the one of slot if it has ds slots left, else the next, or the one
		 * after the entry 32 before retires if that is later (the ROB is full until then), with a
		 * fresh cycle's slots. (No branch: the two tests of the loop "wait for the ROB, then for
		 * a cycle with the slots" give this maximum, as a cycle after that retirement never waits
		 * for it again.) */
		uint32_t at = (slot + ds - 1) & ~(uint32_t)(DECODE_SLOTS - 1); /* (as in schedule32) */
		at = at > slot ? at : slot;
		uint32_t *ret = &s->retired[n % ROB_SIZE]; /* (the entry 32 before; this one's next) */
		uint32_t rob = DECODE_SLOTS * *ret;
		at = rob > at ? rob : at;
		slot = at + ds;
		uint32_t lat = r.lat >> (uint32_t)(w >> 30), start = at / DECODE_SLOTS + 1; /* (COST_BRANCH_SHIFT) */
		if (s->prod_done[src1] > start) start = s->prod_done[src1];
		if (s->prod_done[src2] > start) start = s->prod_done[src2];
		if (__builtin_expect(r.bits & (COST_FAST_MOVE | COST_FAST_SLOW | COST_FAST_MD | COST_FAST_ALU2), 0)) {
			if (r.bits & COST_FAST_MOVE) { /* no entry: rD gets rA's producer */
				s->prod_done[dst] = s->prod_done[src1];
				continue;
			}
			if (r.bits & COST_FAST_SLOW) return false;
			uint64_t md = r.bits & COST_FAST_MD ? ~0ull : 0, div = t->row[w & 0xFF].need >> 12 & 1 ? 0 : ~0ull; /* (the multiplier, else the divider) */
			start = place_rare(s, start, lat, alu_mask(r), alu2_mask(r), md & ~div, md & div);
		} else { /* (one ALU or none: the entries of most blocks) */
			start = place(s, start, lat, alu_mask(r), 0, 0, 0);
		}
		if (start == NEVER) return false;
		uint32_t done = start + lat;
		if (++s->starts[start] == STARTS) s->pl[start / 64].full |= 1ull << start % 64;
		s->prod_done[dst] = done;
		last_r = done + 1 > last_r ? done + 1 : last_r;
		*ret = last_r + 1;
		n++;
	}
	uint32_t cycles = last_r + 1;
	*cost = cycles > REFUND + 1 ? cycles - REFUND : 1;
	return true;
}

static bool schedule(const cost_table *t, const uint64_t *words, size_t n_words, uint32_t *cost)
{
	sched s;
	s.init = s.n = s.slot = s.last_r = 0;
	memset(s.prod_done, 0, sizeof s.prod_done);
	memset(s.retired, 0, sizeof s.retired);
	memset(s.full, 0, sizeof s.full);
	return schedule_from(t, words, 0, n_words, &s, cost);
}

/* schedule32's state before word i handed over to schedule (the cycles of word 0 of its planes: the
 * ALUs', the full cycles', the multiplier's and divider's in *q, the starts per cycle in starts[]; the
 * decode slots used so far, slot (4 * the decode cycle + the slots used in it); the done cycle of each
 * word of words[0..i) in done[], 0 for the words of move_reg, which are no entries (every entry's is
 * at least 1): an entry's R + 1 is the largest done up to it + 2). */
static __attribute__((noinline)) bool schedule32_over(const cost_table *t, const uint64_t *words, size_t i,
                                                      size_t n_words, const plane *q, const uint8_t starts[64],
                                                      const uint8_t prod_done[18], const uint8_t done[ROB_SIZE],
                                                      uint32_t slot, uint32_t max_done, uint32_t *cost)
{
	sched s;
	s.pl[0] = *q;
	memcpy(s.starts, starts, 64);
	s.init = 1;
	for (unsigned k = 0; k < 18; k++) s.prod_done[k] = prod_done[k];
	memset(s.retired, 0, sizeof s.retired);
	s.n = 0;
	for (size_t k = 0, m = 0; k < i; k++) /* (R + 1 = the largest done so far + 2) */
		if (done[k]) { /* (not a move_reg's) */
			m = done[k] > m ? done[k] : m;
			s.retired[s.n++] = (uint32_t)m + 2;
		}
	memset(s.full, 0, sizeof s.full);
	s.slot = slot;
	s.last_r = max_done ? max_done + 1 : 0;
	return schedule_from(t, words, i, n_words, &s, cost);
}

/* schedule's computation while the block's words are at most 32 (the ROB never fills: an entry
 * waits for the one 32 before it), all end by cycle 64 (done <= 64; most blocks: their cost is
 * below 61) and use one ALU or none (no multiplier, divider or second ALU: rare), then
 * schedule_from's from the word where that ends, with the state so far (no word before it is
 * computed again): the planes of word 0 alone, the ALUs' in registers, the starts counted per
 * cycle in bytes with a mask of the cycles that have all 5 (fewer words to keep in registers than
 * three planes), the row of an entry one load (cost_fast), and the start guessed to be the lower
 * bound, which most are (the search where it is not). With no ROB to wait for, the retirement
 * cycle of the last entry is the largest done + 1. False where schedule declines (its declines
 * here are schedule's tests, on the same state). */
static inline __attribute__((always_inline)) bool schedule32(const cost_table *t, const uint64_t *words, size_t n_words, uint32_t *cost)
{
	uint64_t a0 = 0, a1 = 0, a2 = 0, full = 0; /* full: the cycles with 5 starts */
	uint8_t starts[64] = { 0 }; /* per cycle (bytes: fewer planes to keep in registers) */
	uint8_t prod_done[18] = { 0 }, done_at[ROB_SIZE]; /* done_at[i]: word i's done (a move_reg's: 0) */
	/* the decode slots used: 4 * the decode cycle + the slots used in it (a cycle with all 4 used
	 * counts as the next one with none: an entry takes at least 1) */
	uint32_t slot = 0, max_done = 0;
	size_t i, end = n_words < ROB_SIZE ? n_words : ROB_SIZE; /* (fewer than 32 entries before word i) */
	uint8_t x[8] = { 0, 0, 0, 0, 0, 16, 17, 0 }; /* (entry_at) */
	for (i = 0; i < end; i++) {
		uint64_t w = words[i];
		unsigned src1, src2, dst, ds;
		cost_fast r = entry_at(t, w, x, &src1, &src2, &dst, &ds);
		/* its decode cycle: the one of slot if it has ds slots left, else the next: the cycle of
		 * its last slot's if that is later (ds <= 4: that is at most the next) */
		uint32_t at = (slot + ds - 1) & ~(uint32_t)(DECODE_SLOTS - 1);
		at = at > slot ? at : slot;
		uint32_t p1 = prod_done[src1], p2 = prod_done[src2];
		if (__builtin_expect(r.bits & (COST_FAST_MOVE | COST_FAST_MD | COST_FAST_ALU2 | COST_FAST_SLOW), 0)) {
			if (!(r.bits & COST_FAST_MOVE)) /* (rare: schedule's) */
				goto over;
			prod_done[dst] = (uint8_t)p1; /* no entry: rD gets rA's producer */
			done_at[i] = 0;
			slot = at + ds;
			continue;
		}
		/* a hinted branch's latency: the row's (unhinted) >> 4 (COST_BRANCH_SHIFT: w >> 30 is 4 * the
		 * hint; no select, one register fewer) */
		uint32_t lat = r.lat >> (uint32_t)(w >> 30), start = at / DECODE_SLOTS + 1;
		start = p1 > start ? p1 : start;
		start = p2 > start ? p2 : start;
		uint64_t alu = alu_mask(r), blocked = alu & a2; /* (full is 0 here: below) */
		if (start + lat > 64) goto over; /* (lat >= 1: start <= 63 below) */
		if (blocked >> start & 1) { /* (the lower bound is taken) */
			uint64_t free_ = ~blocked & (~0ull << start);
			if (!free_) goto over;
			start = low(free_);
			if (start + lat > 64) goto over;
		}
		uint32_t done = start + lat;
		uint64_t m = low_bits[lat] << start & alu; /* [start, done) if it has an ALU */
		if (a2 & m) return false; /* (a cycle at 4 ALUs: over with this one, add_alus) */
		uint64_t c = a0 & m, c2 = a1 & c; /* (the carries of adding 1) */
		a0 ^= m;
		a1 ^= c;
		a2 ^= c2;
		prod_done[dst] = (uint8_t)done;
		max_done = done > max_done ? done : max_done;
		slot = at + ds;
		done_at[i] = (uint8_t)done;
		if (__builtin_expect(++starts[start] == STARTS, 0)) { /* (rare: schedule goes on from the next
		                                                         word, its search knowing the full cycle) */
			full = 1ull << start;
			i++;
			break;
		}
		continue;
	over: /* word i is past the planes' word 0, or a rare one: schedule goes on from it */
		break;
	}
	if (i < n_words) /* (word i is past the planes' word 0, a rare one, or word 32) */
		return schedule32_over(t, words, i, n_words,
		                       &(plane){ .a0 = a0, .a1 = a1, .a2 = a2, .full = full },
		                       starts, prod_done, done_at, slot, max_done, cost);
	uint32_t cycles = max_done ? max_done + 2 : 1;
	*cost = cycles > REFUND + 1 ? cycles - REFUND : 1;
	return true;
}

/* The cycle-by-cycle simulation of the block whose words are words[0..n_words), the last one a
 * terminator's. */
static uint32_t simulate(const cost_table *t, const uint64_t *words, size_t n_words)
{
	rob r;
	r.dec = r.wait = r.run = r.ending = r.fin = r.busy = r.ready = r.short_ = 0;
	int32_t prod[18]; /* the entry producing each register (-1: none); 16, 17: see cost_word.h */
	for (int i = 0; i < 18; i++) prod[i] = -1;
	size_t ip = 0;
	uint32_t units = UNITS_TOTAL;
	uint32_t n = 0, head = 0, cycles = 0; /* entries [0, head) are RETIRED (retirement is in order) */
	uint32_t next_done = NEVER;           /* the least done of run */
	bool none = false;
	for (;;) {
		bool acted = false;
		/* 1. decode while the slots, the ROB and ip allow */
		for (unsigned dec_left = DECODE_SLOTS; !none && n - head < ROB_SIZE;) {
			cost_entry x = cost_entry_of(t, words[ip]);
			unsigned ds = x.slots;
			if (ds > dec_left) break;
			acted = true;
			if (x.move) { /* no entry: rD gets rA's producer */
				prod[x.dst] = prod[x.src1];
				ip++;
				dec_left -= 1;
				continue;
			}
			unsigned k = n % SLOTS;
			uint64_t bit = 1ull << k, deps = 0;
			int32_t p1 = prod[x.src1], p2 = prod[x.src2];
			if (p1 >= (int32_t)head) deps |= 1ull << (p1 % SLOTS);
			if (p2 >= (int32_t)head) deps |= 1ull << (p2 % SLOTS);
			for (uint64_t x = deps; x; x &= x - 1) r.users[low(x)] |= bit;
			r.deps[k] = deps;
			r.users[k] = 0;
			prod[x.dst] = (int32_t)n;
			uint32_t lat = x.lat;
			r.lat[k] = lat;
			r.busy = lat ? r.busy | bit : r.busy & ~bit;
			r.need[k] = x.need;
			r.dec |= bit;
			n++;
			dec_left -= ds;
			if (x.term || ip + 1 >= n_words) none = true;
			else ip++;
		}
		/* 2. start ready entries with their units free, lowest index first (starting one makes
		 * no other one ready) */
		unsigned h = head % SLOTS, start_left = STARTS;
		for (uint64_t w = rotr(r.ready, h); w && start_left; w &= w - 1) {
			unsigned k = (h + low(w)) % SLOTS;
			uint64_t bit = 1ull << k;
			r.ready &= ~bit;
			if ((((units | LANES) - r.need[k]) & LANES) != LANES) { /* a unit short until some return */
				r.short_ |= bit;
				continue;
			}
			r.wait &= ~bit;
			units -= r.need[k];
			r.done[k] = cycles + r.lat[k];
			if (r.lat[k]) {
				r.run |= bit;
				if (r.done[k] < next_done) next_done = r.done[k];
			} else {
				r.ending |= bit;
			}
			start_left--;
			acted = true;
		}
		/* 3. stop */
		if (none && n == head) break;
		/* nothing happened this cycle and nothing will up to the cycle before the first end
		 * (same decode and start outcome, nothing retires, finishes or returns units) */
		if (!acted && !(r.fin >> h & 1) && !r.ending && next_done != NEVER && next_done - 1 > cycles)
			cycles = next_done - 1;
		/* 4. end of cycle; every test reads the state from before this step */
		uint32_t now = cycles++;
		unsigned retire = low(~rotr(r.fin, h)); /* the run of FIN entries from head */
		if (retire) {
			r.fin &= ~rotl((1ull << retire) - 1, h); /* retire < 64: at most 32 live entries */
			head += retire;
		}
		r.fin |= r.ending;
		r.ending = 0;
		uint64_t cand = r.dec; /* entries that may have become ready */
		if (next_done == now + 1) { /* left 1 -> 0: units back, dependents may go */
			uint64_t left0 = 0;
			next_done = NEVER;
			for (uint64_t x = r.run; x; x &= x - 1) {
				unsigned k = low(x);
				if (r.done[k] == now + 1) {
					units += r.need[k];
					left0 |= 1ull << k;
					cand |= r.users[k];
				} else if (r.done[k] < next_done) {
					next_done = r.done[k];
				}
			}
			r.run &= ~left0;
			if (left0) r.ready |= r.short_, r.short_ = 0;
			r.ending = left0;
			r.busy &= ~left0;
		}
		r.wait |= r.dec;
		r.dec = 0;
		for (uint64_t x = cand & r.wait & ~(r.ready | r.short_); x; x &= x - 1) {
			unsigned k = low(x);
			if (!(r.deps[k] & r.busy)) r.ready |= 1ull << k;
		}
	}
	return cycles > REFUND + 1 ? cycles - REFUND : 1;
}

/* The words of the block from pc s to its first terminator into *w (capacity *cap, grown):
 * their number. */
static size_t block_words(const pvm_program *p, uint32_t s, const cost_table *t, uint64_t **w, size_t *cap)
{
	size_t n = 0;
	uint64_t ip = s;
	for (bool last = false; !last; n++) {
		const pvm_inst *in = pvm_inst_at(p, ip > UINT32_MAX ? UINT32_MAX : (uint32_t)ip);
		if (n == *cap) *w = pvm_xrealloc(*w, (*cap = 2 * *cap + 16) * sizeof **w);
		(*w)[n] = cost_word(p, t, in);
		last = pvm_op_is_term(in->op);
		ip = in->next;
	}
	return n;
}

/* (schedule32 hands the blocks past its reach over to schedule, and declines exactly where
 * schedule does: its own declines are schedule's tests on the same state; in line in its callers:
 * a call and its frame are about 20 host instructions, a short block's schedule 600) */
static inline __attribute__((always_inline)) uint32_t words_cost(const cost_table *t, const uint64_t *w, size_t n)
{
	uint32_t cost;
	return schedule32(t, w, n, &cost) ? cost : simulate(t, w, n);
}

void cost_words_ways(const cost_table *t, const uint64_t *w, size_t n, uint32_t out[3])
{
	if (!schedule32(t, w, n, &out[0])) out[0] = UINT32_MAX;
	if (!schedule(t, w, n, &out[1])) out[1] = UINT32_MAX;
	out[2] = simulate(t, w, n);
}

/* The rows of the cost table (t->row, t->fast), with a mutant's cycles. */
static void cost_rows(cost_table *t)
{
	for (unsigned op = 0; op < PVM_NUM_OPS; op++) {
		const cost_model *m = &cost_models[op];
		/* the row's cycles (a mutant may break one row: pvm/mutants.def, class gas-model) */
		uint64_t cyc = pvm_mutant_hook_op(PVM_HOOK_cost_cycles, op, m->cycles);
		t->row[op] = (cost_row){ .sh1 = (uint8_t)(8 * m->src1), .sh2 = (uint8_t)(8 * m->src2),
			.shd = (uint8_t)(8 * m->dst), .d1 = m->d1, .dd = (uint8_t)(m->d2 - m->d1),
			.fix = m->dkind == PVM_D_FIX, .p = m->dkind == PVM_D_P, .ps = m->dkind == PVM_D_PS,
			.move = op == PVM_OP_move_reg, .term = pvm_op_is_term(op), .branch = cyc == PVM_CYC_BRANCH,
			.lat = (uint16_t)(cyc == PVM_CYC_MEM ? PVM_MEM_LATENCY : cyc == PVM_CYC_BRANCH ? 0 : cyc),
			.need = m->need };
		const cost_row *r = &t->row[op];
		unsigned lat = r->branch ? COST_BRANCH_UNHINTED : r->lat, a = r->need & 0xF;
		t->fast[op] = (cost_fast){ .b1 = m->src1 ? m->src1 : 5, .b2 = m->src2 ? m->src2 : 5, .bd = m->dst ? m->dst : 6, .be = r->p ? (m->src2 ? m->src2 : 5) : 5, .d1 = m->d1, .d2 = m->d2,
			.lat = (uint8_t)(lat <= 255 ? lat : 0),
			.bits = (uint8_t)((r->move ? COST_FAST_MOVE : 0) | (a ? COST_FAST_ALU : 0) | (a > 1 ? COST_FAST_ALU2 : 0) |
			                  (r->need >> 12 ? COST_FAST_MD : 0) | ((lat == 0 && !r->move) || lat > 255 ? COST_FAST_SLOW : 0)) };
	}
}

#ifdef JITPROOF_MUTANTS
void cost_table_init(cost_table *t, const pvm_program *p)
{
	cost_rows(t); /* (the mutant's cycles as the hook gives them now) */
	cost_hint_bytes(p, t->hint);
}
#else
static cost_table rows; /* (hint unused) */
static pthread_once_t rows_once = PTHREAD_ONCE_INIT;
static void rows_init(void) { cost_rows(&rows); }

void cost_table_init(cost_table *t, const pvm_program *p)
{
	/* (the rows are about 150 host instructions per opcode, 20,000 a program: pinky's 2 per guest
	 * instruction) */
	pthread_once(&rows_once, rows_init);
	memcpy(t->row, rows.row, sizeof t->row);
	memcpy(t->fast, rows.fast, sizeof t->fast);
	cost_hint_bytes(p, t->hint);
}
#endif

/* The cost of the block at s by the fast schedule where it decides (words_cost), or by the
 * cycle simulation alone (sim_only: the reference the tests compare with). */
static uint32_t block_cost(const pvm_program *p, uint32_t s, bool sim_only)
{
	cost_table t;
	cost_table_init(&t, p);
	uint64_t *w = NULL;
	size_t cap = 0, n = block_words(p, s, &t, &w, &cap);
	uint32_t cost = sim_only ? simulate(&t, w, n) : words_cost(&t, w, n);
	free(w);
	return cost;
}

uint32_t pvm_block_cost(const pvm_program *p, uint32_t s) { return block_cost(p, s, false); }

uint32_t pvm_block_cost_sim(const pvm_program *p, uint32_t s) { return block_cost(p, s, true); }

/* ---- the costs of a program's blocks --------------------------------------------------------- */

struct pvm_cost_memo {
	const pvm_program *p;
	cost_table t;
	uint64_t *key;             /* per slot: the hash of a block's words, 0: free */
	uint32_t *cost, *len;      /* per slot: its cost, its number of words */
	size_t *at;                /* per slot: where its words are in words[] */
	uint32_t mask, n;
	uint64_t *words, *cur;     /* the words of every block entered; of the block asked about */
	size_t n_words, cap_words, cap_cur;
};

pvm_cost_memo *pvm_cost_memo_new(const pvm_program *p)
{
	pvm_cost_memo *m = pvm_xcalloc(1, sizeof *m);
	/* a slot per 2 instructions: blocks are rarely shorter (a full table takes no more entries) */
	uint32_t slots = 64, starts = pvm_count_starts(p);
	while (slots < starts / 2 && slots < (1u << 20)) slots *= 2;
	m->p = p;
	cost_table_init(&m->t, p);
	m->key = pvm_xcalloc(slots, sizeof *m->key);
	m->cost = pvm_xmalloc(slots * sizeof *m->cost);
	m->len = pvm_xmalloc(slots * sizeof *m->len);
	m->at = pvm_xmalloc(slots * sizeof *m->at);
	m->mask = slots - 1;
	m->cap_words = starts + 64;
	m->words = pvm_xmalloc(m->cap_words * sizeof *m->words);
	m->cap_cur = 64;
	m->cur = pvm_xmalloc(m->cap_cur * sizeof *m->cur);
	return m;
}

void pvm_cost_memo_free(pvm_cost_memo *m)
{
	if (!m) return;
	free(m->key);
	free(m->cost);
	free(m->len);
	free(m->at);
	free(m->words);
	free(m->cur);
	free(m);
}

uint32_t pvm_cost_memo_words(pvm_cost_memo *m, const uint64_t *w, size_t n)
{
	uint64_t h = COST_HASH_INIT;
	for (size_t i = 0; i < n; i++) h = cost_hash_step(h, w[i]);
	return pvm_cost_memo_hashed(m, w, n, h);
}

uint32_t pvm_cost_memo_hashed(pvm_cost_memo *m, const uint64_t *w, size_t n, uint64_t h)
{
	h |= 1; /* never 0 (a free slot) */
	uint32_t i = (uint32_t)(h >> 40) & m->mask;
	for (; m->key[i]; i = (i + 1) & m->mask)
		if (m->key[i] == h && m->len[i] == n && !memcmp(m->words + m->at[i], w, n * sizeof *w))
			return m->cost[i];
	uint32_t cost = words_cost(&m->t, w, n);
	if (m->n < m->mask / 4 * 3) { /* (a full table: no more entries) */
		if (m->n_words + n > m->cap_words) {
			while (m->n_words + n > m->cap_words) m->cap_words *= 2;
			m->words = pvm_xrealloc(m->words, m->cap_words * sizeof *m->words);
		}
		memcpy(m->words + m->n_words, w, n * sizeof *w);
		m->key[i] = h;
		m->cost[i] = cost;
		m->len[i] = (uint32_t)n;
		m->at[i] = m->n_words;
		m->n_words += n;
		m->n++;
	}
	return cost;
}

const cost_table *pvm_cost_memo_table(const pvm_cost_memo *m) { return &m->t; }

uint32_t pvm_block_cost_memo(pvm_cost_memo *m, uint32_t s)
{
	size_t n = block_words(m->p, s, &m->t, &m->cur, &m->cap_cur);
	return pvm_cost_memo_words(m, m->cur, n);
}

/* ---- deblob's costs (cost_word.h) ------------------------------------------------------------ */

void cost_batch_init(cost_batch *b, const pvm_program *p)
{
	memset(b, 0, sizeof *b);
	cost_table_init(&b->t, p);
	size_t starts = b->starts = pvm_count_starts(p);
	b->words = pvm_xmalloc((starts + 1) * sizeof *b->words);
	/* room for a distinct block per 8 instructions (real code has fewer: pinky 1 per 11,
	 * prime-sieve 1 per 90; a smaller table is less to zero), grown if there are more; a table at
	 * most half full */
	b->cap_dist = starts / 8 + 16;
	b->dist = pvm_xmalloc(b->cap_dist * sizeof *b->dist);
	for (b->bits = 5; (1u << b->bits) < 2 * b->cap_dist; b->bits++) {}
	b->slot = pvm_xcalloc((size_t)1 << b->bits, sizeof *b->slot);
}

void cost_batch_fini(cost_batch *b)
{
	free(b->words);
	free(b->dist);
	free(b->slot);
}

uint32_t cost_batch_new(cost_batch *b, uint32_t i, size_t off, size_t n_words, uint64_t h)
{
	const uint64_t *w = b->words + off;
	uint32_t n = (uint32_t)(n_words - off);
	if (b->n_dist == b->cap_dist) {
		b->cap_dist *= 2;
		b->dist = pvm_xrealloc(b->dist, b->cap_dist * sizeof *b->dist);
	}
	uint32_t d = (uint32_t)b->n_dist++, cost = words_cost(&b->t, w, n);
	b->dist[d] = (cost_distinct){ h, (uint32_t)off, n, cost };
	b->slot[i] = d + 1;
	uint32_t mask = (1u << b->bits) - 1;
	if (2 * b->n_dist > mask) { /* (at most half full) */
		free(b->slot);
		b->bits++;
		mask = (1u << b->bits) - 1;
		b->slot = pvm_xcalloc((size_t)mask + 1, sizeof *b->slot);
		for (uint32_t k = 0; k < b->n_dist; k++) {
			uint32_t j = cost_batch_home(b, b->dist[k].hash);
			while (b->slot[j]) j = (j + 1) & mask;
			b->slot[j] = k + 1;
		}
	}
	return cost;
}

uint32_t pvm_block_of(const pvm_program *p, uint32_t pc)
{
	if (pc > p->code_len) pc = p->code_len;
	for (uint32_t x = pc + 1; x-- > 0;)
		if (p->is_block[x]) return x;
	return UINT32_MAX;
}
