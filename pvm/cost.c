/* pvm/cost.c: the GP 0.8.0 gas cost model ϱΔ (A.48-A.64; ISA-NOTES-0.8 §6): a block's cost is
 * the cycle count of a small out-of-order pipeline simulation (decode slots, instruction starts,
 * five execution unit pools, a 32-entry reorder buffer) run over its instructions from the block
 * start to the first terminator, minus 3, at least 1. Static per block start; the data per
 * instruction is cost.def. The same function serves every engine, the JIT and the tools. */
#include <stdlib.h>
#include <string.h>
#include "pvm.h"
#include "mutant.h"

/* Cycle counts of cost.def are plain numbers or MEM/BRANCH; PVM_CYC_##n must expand to n. */
#define PVM_CYC_0 0
#define PVM_CYC_1 1
#define PVM_CYC_2 2
#define PVM_CYC_3 3
#define PVM_CYC_4 4
#define PVM_CYC_6 6
#define PVM_CYC_15 15
#define PVM_CYC_22 22
#define PVM_CYC_25 25
#define PVM_CYC_40 40
#define PVM_CYC_60 60
#define PVM_CYC_100 100

const pvm_costinfo pvm_costs[PVM_NUM_OPS] = {
#define PVM_COST(name, regs, cyc, dkind, d1, d2, a, l, s, m, d) \
	[PVM_OP_##name] = { 1, PVM_RW_##regs, PVM_CYC_##cyc, PVM_D_##dkind, d1, d2, { a, l, s, m, d } },
#include "cost.def"
#undef PVM_COST
};

enum { DECODE_SLOTS = 4, STARTS = 5, ROB_SIZE = 32, REFUND = 3, BRANCH_HINTED = 1,
       BRANCH_UNHINTED = 20 };

/* The simulation below is A.54-A.60 exactly, in a representation that makes a cycle cheap:
 * - An entry j lives in slot j mod 64 while it is not RETIRED. A dependency is recorded only on
 *   an entry not yet RETIRED (a RETIRED entry has left = 0, so it never delays anyone); such an
 *   entry is at most 31 older than its dependent's decode, and the dependent stays in the ROB at
 *   most 31 entries behind the newest, so no slot is reused while a dependent still reads it.
 * - States are bit masks over slots; the lowest-index entry of a mask is its lowest set bit once
 *   the mask is rotated so that bit 0 is the oldest live entry (head).
 * - left is not stored: an entry started in cycle t with latency n has left = max(0, t + n - cycles)
 *   (done = t + n); one not started has left = n (done = 0 if n = 0, else never).
 * - Each register has at most one producing entry (a decode removes its destination from every
 *   other entry, move_reg gives its destination the source's producer), so regs is a table
 *   register -> producing entry.
 * - The five unit counts are five bytes of one word; need <= units in every lane is one
 *   subtraction with a guard bit per lane.
 * - Cycles in which nothing can change (no decode, no start, nothing to retire, every running
 *   entry 2 or more cycles from its end) are counted in one step. */
enum { SLOTS = 64, NEVER = UINT32_MAX };
#define LANES 0x0000008080808080ull /* the guard bit of each unit lane */

typedef struct rob {
	uint64_t dec, wait, exe, fin; /* state masks over slots (RETIRED: in none) */
	uint32_t done[SLOTS];         /* the cycle count at which left is 0 (see above) */
	uint32_t lat[SLOTS];          /* latency: left when started */
	uint64_t need[SLOTS];         /* units used while running, one byte per unit */
	uint8_t deps[SLOTS][2], ndeps[SLOTS];
} rob;

static inline uint64_t rotr(uint64_t x, unsigned k) { return k ? x >> k | x << (64 - k) : x; }
static inline uint64_t rotl(uint64_t x, unsigned k) { return k ? x << k | x >> (64 - k) : x; }

static uint64_t units_word(const uint8_t u[5])
{
	uint64_t w = 0;
	for (int i = 0; i < 5; i++) w |= (uint64_t)u[i] << (8 * i);
	return w;
}

static uint8_t code_byte(const pvm_program *p, uint64_t i)
{
	return i < p->code_len ? p->code[i] : 0;
}

/* b (A.64): a branch is hinted when the byte at its fall-through or at its target is `trap` or
 * `unlikely` (raw bytes, code padded with zeros). A target below 0 has wrapped mod 2^32 and so
 * lies past the code: hinted, as PolkaVM does (the text leaves it undefined, §6.5). */
static bool hint_at(const pvm_program *p, uint64_t i)
{
	if (i >= p->code_len) return true; /* the zero padding: the byte of trap */
	int op = pvm_op_decode(p->isa, code_byte(p, i));
	return op == PVM_OP_trap || op == PVM_OP_unlikely;
}

static bool hinted(const pvm_program *p, const pvm_inst *in)
{
	return hint_at(p, in->next) || hint_at(p, in->target);
}

uint32_t pvm_block_cost(const pvm_program *p, uint32_t s)
{
	static const uint8_t units_total[5] = { 4, 4, 4, 1, 1 }; /* ALU, load, store, mul, div */
	rob r;
	r.dec = r.wait = r.exe = r.fin = 0;
	int32_t prod[16]; /* the entry producing each register (-1: none) */
	for (int i = 0; i < 16; i++) prod[i] = -1;
	uint64_t units = units_word(units_total), ip = s;
	uint32_t n = 0, head = 0, cycles = 0; /* entries [0, head) are RETIRED (retirement is in order) */
	bool none = false;
	for (;;) {
		bool acted = false;
		/* 1. decode while the slots, the ROB and ip allow */
		for (unsigned dec_left = DECODE_SLOTS; !none && n - head < ROB_SIZE;) {
			const pvm_inst *in = pvm_inst_at(p, ip > UINT32_MAX ? UINT32_MAX : (uint32_t)ip);
			const pvm_costinfo *c = &pvm_costs[in->op];
			int a = in->ra, b = in->rb, d = in->rd, src1 = -1, src2 = -1, dst = -1;
			switch (c->rw) { /* source and destination registers in the model (§6.5) */
			case PVM_RW_WA: dst = a; break;
			case PVM_RW_RA: src1 = a; break;
			case PVM_RW_RA_WD: src1 = a, dst = d; break;
			case PVM_RW_RAB: src1 = a, src2 = b; break;
			case PVM_RW_RB_WA: src1 = b, dst = a; break;
			case PVM_RW_RAB_WD: src1 = a, src2 = b, dst = d; break;
			default: break;
			}
			bool overlap = dst >= 0 && (dst == src1 || dst == src2);
			unsigned ds = c->dkind == PVM_D_P ? (overlap ? c->d1 : c->d2) :
			              c->dkind == PVM_D_PS ? (a == d ? c->d1 : c->d2) : c->d1;
			if (ds > dec_left) break;
			acted = true;
			if (in->op == PVM_OP_move_reg) { /* no entry: rD gets rA's producer */
				prod[d] = prod[a];
				ip = in->next;
				dec_left -= 1;
				continue;
			}
			unsigned k = n % SLOTS, nd = 0;
			int32_t p1 = src1 >= 0 ? prod[src1] : -1, p2 = src2 >= 0 ? prod[src2] : -1;
			if (p1 >= (int32_t)head) r.deps[k][nd++] = (uint8_t)(p1 % SLOTS);
			if (p2 >= (int32_t)head && p2 != p1) r.deps[k][nd++] = (uint8_t)(p2 % SLOTS);
			r.ndeps[k] = (uint8_t)nd;
			if (dst >= 0) prod[dst] = (int32_t)n;
			/* the row's cycles (a mutant may break one row: pvm/mutants.def, class gas-model) */
			uint32_t cyc = (uint32_t)pvm_mutant_hook_op(PVM_HOOK_cost_cycles, in->op, c->cycles);
			r.lat[k] = cyc == PVM_CYC_MEM ? PVM_MEM_LATENCY :
			           cyc == PVM_CYC_BRANCH ? (hinted(p, in) ? BRANCH_HINTED : BRANCH_UNHINTED) : cyc;
			r.done[k] = r.lat[k] ? NEVER : 0;
			r.need[k] = units_word(c->units);
			r.dec |= 1ull << k;
			n++;
			dec_left -= ds;
			if (pvm_op_is_term(in->op)) none = true;
			else ip = in->next;
		}
		/* 2. start ready entries, lowest index first (starting one makes no other one ready) */
		unsigned h = head % SLOTS, start_left = STARTS;
		for (uint64_t w = rotr(r.wait, h); w && start_left; w &= w - 1) {
			unsigned k = (h + (unsigned)__builtin_ctzll(w)) % SLOTS;
			if ((((units | LANES) - r.need[k]) & LANES) != LANES) continue; /* a unit short */
			bool ok = true;
			for (unsigned i = 0; i < r.ndeps[k]; i++) ok = ok && r.done[r.deps[k][i]] <= cycles;
			if (!ok) continue;
			r.wait &= ~(1ull << k);
			r.exe |= 1ull << k;
			units -= r.need[k];
			r.done[k] = cycles + r.lat[k];
			start_left--;
			acted = true;
		}
		/* 3. stop */
		if (none && n == head) break;
		/* nothing happened, nothing retires, every running entry ends 2 or more cycles from now:
		 * the cycles up to the one before the first end change nothing (same decode and start
		 * outcome, no unit returned, no state change) */
		if (!acted && !(r.fin >> h & 1) && r.exe) {
			uint32_t first = NEVER;
			for (uint64_t x = r.exe; x; x &= x - 1) {
				uint32_t t = r.done[__builtin_ctzll(x)];
				if (t < first) first = t;
			}
			if (first - 1 > cycles) cycles = first - 1;
		}
		/* 4. end of cycle; every test reads the state from before this step */
		uint32_t now = cycles++;
		uint64_t fin_old = r.fin;
		unsigned retire = (unsigned)__builtin_ctzll(~rotr(fin_old, h)); /* the FIN run from head */
		if (retire) {
			r.fin &= ~rotl(retire >= 64 ? ~0ull : (1ull << retire) - 1, h);
			head += retire;
		}
		for (uint64_t x = r.exe; x; x &= x - 1) {
			unsigned k = (unsigned)__builtin_ctzll(x);
			if (r.done[k] == now + 1) units += r.need[k]; /* left = 1: the units come back */
			else if (r.done[k] <= now) {                   /* left = 0: FIN */
				r.exe &= ~(1ull << k);
				r.fin |= 1ull << k;
			}
		}
		r.wait |= r.dec;
		r.dec = 0;
	}
	return cycles > REFUND + 1 ? cycles - REFUND : 1;
}

uint32_t pvm_block_of(const pvm_program *p, uint32_t pc)
{
	if (pc > p->code_len) pc = p->code_len;
	for (uint32_t x = pc + 1; x-- > 0;)
		if (p->is_block[x]) return x;
	return UINT32_MAX;
}
