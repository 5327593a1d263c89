/* pvm/cost_word.h (internal to pvm/): the cost model's view of one instruction as a word, shared
 * by the model (cost.c) and deblob (decode.c), which gathers a block's words while it decodes.
 * A word holds, with the program's cost table, everything the simulation reads of an
 * instruction, so two blocks of a program with the same words have the same cost (the memo's
 * key) and a block's cost is a function of its words (every computation of the model runs on
 * words). */
#ifndef JITPROOF_PVM_COST_WORD_H
#define JITPROOF_PVM_COST_WORD_H

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

/* A row as the simulation reads it: register operands as selectors (0: none, 1: rA, 2: rB,
 * 3: rD) for the sources and the destination, and the units used while running as one 4-bit lane
 * per unit (ALU, load, store, mul, div). Expanded from cost.def like pvm_costs. */
typedef struct cost_model {
	uint8_t src1, src2, dst, dkind, d1, d2, cycles;
	uint32_t need;
} cost_model;
#define COST_SEL_NONE 0, 0, 0
#define COST_SEL_WA 0, 0, 1
#define COST_SEL_RA 1, 0, 0
#define COST_SEL_RA_WD 1, 0, 3
#define COST_SEL_RAB 1, 2, 0
#define COST_SEL_RB_WA 2, 0, 1
#define COST_SEL_RAB_WD 1, 2, 3
#define COST_MODEL(sel, cyc, dkind, d1, d2, a, l, s, m, d) { sel, PVM_D_##dkind, d1, d2, PVM_CYC_##cyc, \
	(a) | (l) << 4 | (s) << 8 | (m) << 12 | (d) << 16 }
static const cost_model cost_models[PVM_NUM_OPS] = {
#define PVM_COST(name, regs, cyc, dkind, d1, d2, a, l, s, m, d) \
	[PVM_OP_##name] = COST_MODEL(COST_SEL_##regs, cyc, dkind, d1, d2, a, l, s, m, d),
#include "cost.def"
#undef PVM_COST
};
#undef COST_MODEL

enum { COST_BRANCH_HINTED = 1, COST_BRANCH_UNHINTED = 20 };
/* (COST_BRANCH_SHIFT) cost.c's schedules take a word's latency as its row's >> (w >> 30): a word's
 * bits 30 and 31 are 0 (rD <= 12) and bit 32 is the hint, set only in a branch's word, whose row has
 * the unhinted latency */
_Static_assert(COST_BRANCH_UNHINTED >> 4 == COST_BRANCH_HINTED, "COST_BRANCH_SHIFT");

/* b (A.64): a branch is hinted when the byte at its fall-through or at its target is `trap` or
 * `unlikely` (raw bytes, code padded with zeros: past the end is trap's byte; a target below 0
 * has wrapped mod 2^32 and so lies past the code: hinted, as PolkaVM does, §6.5). hint[] holds
 * the two bytes (an absent one: a value no byte has). */
static inline bool cost_hinted(const pvm_program *p, const pvm_inst *in, const int hint[2])
{
	return in->next >= p->code_len || in->target >= p->code_len ||
	       p->code[in->next] == hint[0] || p->code[in->next] == hint[1] ||
	       p->code[in->target] == hint[0] || p->code[in->target] == hint[1];
}

/* The opcode bytes of trap and unlikely in p's revision (an absent one: a value no byte has). */
static inline void cost_hint_bytes(const pvm_program *p, int hint[2])
{
	for (int i = 0; i < 2; i++) {
		unsigned op = i ? PVM_OP_unlikely : PVM_OP_trap;
		hint[i] = pvm_op_in(p->isa, op) ? pvm_byte(p->isa, op) : -1;
	}
}

/* A word is the instruction's opcode and register fields as they lie in pvm_inst (op | rA << 8 |
 * rB << 16 | rD << 24) and, from bit 32, whether a branch is hinted (A.64; 0 for the other
 * instructions): with the program's cost_table, everything the simulation reads of it. */
_Static_assert(offsetof(pvm_inst, op) == 0 && offsetof(pvm_inst, ra) == 1 && offsetof(pvm_inst, rb) == 2 &&
               offsetof(pvm_inst, rd) == 3, "a word's low 32 bits are pvm_inst's first four bytes");

/* A row of a program's cost table: the row of cost.def as the simulation reads it, with the
 * cycles a mutant may have changed. Registers are taken from a word r whose byte 0 is 16 (no
 * source) or 17 (no destination) and bytes 1-3 are rA, rB, rD: src1 = r >> sh1 & 0xFF ... */
typedef struct cost_row {
	uint8_t sh1, sh2, shd; /* 8 * the selector of src1, src2, dst (0: none, 1: rA, 2: rB, 3: rD) */
	uint8_t d1, dd;        /* decode slots (A.61, A.62): d1 where the kind's equality holds, else
	                          d1 + dd */
	uint8_t fix, p, ps;    /* 1: kind is FIX (the equality holds), P (dst is a source), PS (rA = rD) */
	uint8_t move, term, branch; /* move_reg; a terminator; a branch (latency: the hint's) */
	uint16_t lat;          /* latency (A.63; a branch's: 0 here) */
	uint32_t need;         /* units */
} cost_row;
/* A row as cost.c's schedules read it: one 8-byte load. Registers are bytes of the word w (rA, rB,
 * rD in bytes 1-3, the hint in byte 4, bytes 5-7 zero) with 16 (no source) put in byte 5 and 17 (no
 * destination) in byte 6: with x the bytes of w | 16 << 40 | 17 << 48, src1 = x[b1] ... (byte loads:
 * no shift by a variable count) */
typedef struct cost_fast {
	uint8_t b1, b2, bd;    /* the bytes of src1, src2, dst: 1 rA, 2 rB, 3 rD, 5 none (a source), 6
	                          none (the destination) */
	uint8_t be;            /* the byte of the second source the destination is compared with: b2
	                          in a row of kind P, else 5 (none, which no destination equals) */
	uint8_t d1, d2;        /* decode slots: d1 where dst = src1 or dst = x[be], else d2 (a row of
	                          kind FIX: d2 = d1; of kind PS: src1 = rA, dst = rD) */
	uint8_t lat;           /* latency (a branch's: unhinted; hinted, COST_BRANCH_HINTED) */
	uint8_t bits;          /* COST_FAST_* */
} cost_fast;
enum { COST_FAST_MOVE = 1, COST_FAST_MD = 8 /* a multiplier or a divider */, COST_FAST_SLOW = 16 /* not
       in the fast schedules' reach: a latency of 0 or over 255 (a mutant's) */,
       COST_FAST_ALU2 = 64 /* two ALUs */, COST_FAST_ALU = 128 /* one ALU or more */ }; /* (the ALU bits
       on top: their masks are sign extensions, cost.c) */
typedef struct cost_table {
	int hint[2];           /* cost_hint_bytes */
	cost_row row[PVM_NUM_OPS];
	cost_fast fast[PVM_NUM_OPS];
} cost_table;

/* Whether op's row is a branch's (its latency the hint's), with a mutant's cycles. */
static inline bool cost_row_branch(unsigned op)
{
	return pvm_mutant_hook_op(PVM_HOOK_cost_cycles, op, cost_models[op].cycles) == PVM_CYC_BRANCH;
}

/* Fills *t for program p: the rows (built once per process where no mutant is built in: the same
 * for every program) and p's hint bytes. */
void cost_table_init(cost_table *t, const pvm_program *p);

/* The word of instruction in of program p (t: cost_table_init(t, p)). */
static inline uint64_t cost_word(const pvm_program *p, const cost_table *t, const pvm_inst *in)
{
	uint32_t x;
	memcpy(&x, in, 4);
	return !t->row[in->op].branch ? x : x | (uint64_t)cost_hinted(p, in, t->hint) << 32;
}

/* An entry as the simulation reads it, from its word. */
typedef struct cost_entry {
	unsigned src1, src2, dst, slots; /* registers: indices into a table of 18 (0..12; a missing
	                                    source is 16, a missing destination 17) */
	uint32_t lat, need;
	bool move, term;                 /* move_reg: src1 = rA, dst = rD */
} cost_entry;

static inline cost_entry cost_entry_of(const cost_table *t, uint64_t w)
{
	const cost_row *r = &t->row[w & 0xFF];
	uint32_t regs = (uint32_t)w & 0xFFFFFF00u;
	cost_entry e = { .src1 = (regs | 16) >> r->sh1 & 0xFF, .src2 = (regs | 16) >> r->sh2 & 0xFF,
		.dst = (regs | 17) >> r->shd & 0xFF, .lat = r->lat, .need = r->need, .move = r->move, .term = r->term };
	/* (no branch: flags combined with & and |, the slots and the hint's latency by masks; the
	 * kinds and the equalities come in no predictable order) */
	unsigned eq = r->fix | (r->p & ((e.dst == e.src1) | (e.dst == e.src2))) |
	              (r->ps & ((regs >> 8 & 0xFF) == (regs >> 24)));
	e.slots = r->d1 + (r->dd & (eq - 1));
	e.lat += -(uint32_t)r->branch & (COST_BRANCH_UNHINTED - (COST_BRANCH_UNHINTED - COST_BRANCH_HINTED) * (uint32_t)(w >> 32));
	return e; /* (lat 0 in a branch's row) */
}

/* The cost of the block whose words are w[0..n) (the last one a terminator's), through the memo:
 * deblob's way of asking, with the words it gathered walking the block (the words
 * pvm_block_cost_memo would read from its start). */
uint32_t pvm_cost_memo_words(pvm_cost_memo *m, const uint64_t *w, size_t n);
/* The memo's hash of a block's words: h = COST_HASH_INIT, then h = cost_hash_step(h, w) for
 * each word in order. Deblob folds each word in as it gathers it (the multiply chain then overlaps
 * the walk) and asks with the result: pvm_cost_memo_hashed(m, w, n, h) is
 * pvm_cost_memo_words(m, w, n). */
#define COST_HASH_INIT 0x9E3779B97F4A7C15ull
static inline uint64_t cost_hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
	return h ^ h >> 31;
}
uint32_t pvm_cost_memo_hashed(pvm_cost_memo *m, const uint64_t *w, size_t n, uint64_t h);
/* The memo's cost table (deblob makes its words with it). */
const cost_table *pvm_cost_memo_table(const pvm_cost_memo *m);

/* (tests) The cost of the block whose words are w[0..n) by each of the model's computations:
 * out[0] schedule32 (handing over to schedule past its reach), out[1] the schedule alone, out[2]
 * the cycle simulation (UINT32_MAX where a schedule declines). */
void cost_words_ways(const cost_table *t, const uint64_t *w, size_t n, uint32_t out[3]);

/* ---- deblob's costs (cost.c) -----------------------------------------------------------------
 * The walk of valid blobs writes every block's words in order into words[] and asks for each
 * block's cost at its end (cost_batch_end), where they are still at hand. Blocks with the same
 * words share one entry of dist, found through a hash table of the words, and its cost is
 * computed once (words_cost: the schedules or the simulation); the words stay where the walk put
 * them (an entry refers to the first block's). */
typedef struct cost_distinct { uint64_t hash; uint32_t off, n, cost; } cost_distinct; /* words[off..off + n) */
typedef struct cost_batch {
	cost_table t;
	uint64_t *words;           /* capacity: the starts + 1 (each instruction's word once, and the
	                              trap's at code_len) */
	size_t starts;             /* the program's instruction starts (pvm_count_starts) */
	cost_distinct *dist;
	size_t n_dist, cap_dist;
	uint32_t *slot;            /* 1 + an index into dist, 0: free */
	uint32_t bits;             /* the table has 1 << bits slots */
} cost_batch;
void cost_batch_init(cost_batch *b, const pvm_program *p);
/* The cost of the block whose words are words[off..n_words), whose hash h is COST_BATCH_INIT
 * then cost_batch_step(h, w) for each word in order (the walk folds each in as it writes it). */
#define COST_BATCH_INIT COST_HASH_INIT
static inline uint64_t cost_batch_step(uint64_t h, uint64_t w) { return (h ^ w) * 0xBF58476D1CE4E5B9ull; }
/* The slot of the hash table where hash h starts its probe: its top bits (the walk's last step is a
 * multiply, and bit i of a product depends on bits 0..i of the factor: the top bits on all of them,
 * so no finishing mix is needed). */
static inline uint32_t cost_batch_home(const cost_batch *b, uint64_t h) { return (uint32_t)(h >> (64 - b->bits)); }
/* (cost_batch_end's new distinct block, at free slot i: its cost computed and entered) */
uint32_t cost_batch_new(cost_batch *b, uint32_t i, size_t off, size_t n_words, uint64_t h);
/* (the probe in line: most blocks' words are met before, pinky's 615 of 1,663) */
static inline uint32_t cost_batch_end(cost_batch *b, size_t off, size_t n_words, uint64_t h)
{
	const uint64_t *w = b->words + off;
	uint32_t n = (uint32_t)(n_words - off), mask = (1u << b->bits) - 1;
	for (uint32_t i = cost_batch_home(b, h);; i = (i + 1) & mask) {
		if (!b->slot[i]) return cost_batch_new(b, i, off, n_words, h);
		const cost_distinct *x = &b->dist[b->slot[i] - 1];
		if (x->hash == h && x->n == n) {
			const uint64_t *v = b->words + x->off;
			uint32_t k = 0;
			while (k < n && v[k] == w[k]) k++;
			if (k == n) return x->cost;
		}
	}
}
void cost_batch_fini(cost_batch *b);

#endif
