/* pvm/decode.c: deblob (ISA-NOTES §2-4): variable-length naturals, jump table, code, bitmask,
 * per-pc instruction decoding (skip, immediates, register clamping, zeros past the code),
 * basic-block starts ϖ and gas-region costs. Strict: a blob decodes only if it is the exact
 * canonical encoding, so pvm_program_encode reproduces it byte for byte. */
#include <stdlib.h>
#include <string.h>
#include "pvm.h"
#include "mutant.h"
#include "fields_decode.h"
#include "cost_word.h"

const pvm_inst pvm_trap_inst = { .op = PVM_OP_trap };

size_t pvm_varint_encode(uint64_t x, uint8_t out[9])
{
	if (x < 128) {
		out[0] = (uint8_t)x;
		return 1;
	}
	for (unsigned l = 1; l < 8; l++) {
		if (x < (1ull << (7 * (l + 1)))) {
			out[0] = (uint8_t)(256 - (1u << (8 - l)) + (x >> (8 * l)));
			for (unsigned i = 0; i < l; i++) out[1 + i] = (uint8_t)(x >> (8 * i));
			return 1 + l;
		}
	}
	out[0] = 0xFF;
	for (unsigned i = 0; i < 8; i++) out[1 + i] = (uint8_t)(x >> (8 * i));
	return 9;
}

/* Decodes one natural; on failure returns 0 and sets *why. */
static size_t varint_decode(const uint8_t *in, size_t len, uint64_t *x, const char **why)
{
	if (len == 0) {
		*why = "truncated varint";
		return 0;
	}
	unsigned l = 0;
	while (l < 8 && (in[0] & (0x80u >> l))) l++;
	if (len < 1 + (size_t)l) {
		*why = "truncated varint";
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < l; i++) v |= (uint64_t)in[1 + i] << (8 * i);
	if (l < 8) v |= (uint64_t)(in[0] & (0xFFu >> (l + 1))) << (8 * l);
	if (l > 0 && v < (1ull << (7 * l))) {
		*why = "non-canonical varint";
		return 0;
	}
	*x = v;
	return 1 + l;
}

size_t pvm_varint_decode(const uint8_t *in, size_t len, uint64_t *x)
{
	const char *why;
	return varint_decode(in, len, x, &why);
}

static inline bool mask_bit(const pvm_program *p, uint64_t n)
{
	return n >= p->code_len || (p->bitmask[n >> 3] >> (n & 7) & 1);
}

/* min(b, 12) for every byte b (one load where a compare and a move take three): 16 + 3 * 16 + 3 * 64
 * initialisers */
#define TWELVE16 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12
#define TWELVE64 TWELVE16, TWELVE16, TWELVE16, TWELVE16
static const uint8_t clamp12[256] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 12, 12, TWELVE16, TWELVE16,
	TWELVE16, TWELVE64, TWELVE64, TWELVE64 };
#undef TWELVE64
#undef TWELVE16

static inline uint8_t reg_clamp(unsigned r)
{
	r = (unsigned)pvm_mutant_hook(PVM_HOOK_reg_field, r); /* (a mutant may break the clamp: pvm/mutants.def) */
	return r < 256 ? clamp12[r] : 12;
}

static unsigned skip_at(const pvm_program *p, uint32_t pc)
{
	for (unsigned j = 0; j < 24; j++)
		if (mask_bit(p, (uint64_t)pc + 1 + j)) return j;
	return 24;
}

/* The instruction at a position that holds one (bitmask bit 1, below code_len), else -1. */
static int op_at(const pvm_program *p, uint32_t pc)
{
	return pc < p->code_len && mask_bit(p, pc) ? pvm_op_decode(p->isa, p->code[pc]) : -1;
}

/* Writes to *in the instruction at pc whose skip is l and whose opcode is op (op_at: -1 decodes as
 * trap) and form form, w the code from pc on (fields_decode_window's window): field by field, not
 * through a struct built elsewhere and copied. Returns its first four bytes (op, ra, rb, rd). */
static inline __attribute__((always_inline)) uint32_t decode_into(pvm_inst *in, const uint8_t *w, uint32_t pc,
                                                                  unsigned l, int op, unsigned form)
{
	pvm_fields f = { 0 };
	if (op >= 0) fields_decode_window(form, w, l, &f);
	uint32_t head = op < 0 ? PVM_OP_trap : (uint32_t)op | (uint32_t)reg_clamp(f.ra) << 8 |
	                (uint32_t)reg_clamp(f.rb) << 16 | (uint32_t)reg_clamp(f.rd) << 24;
	_Static_assert(offsetof(pvm_inst, op) == 0 && offsetof(pvm_inst, ra) == 1 && offsetof(pvm_inst, rb) == 2 &&
	               offsetof(pvm_inst, rd) == 3, "head: op, ra, rb, rd");
	memcpy(in, &head, 4);
	in->pc = pc;
	in->next = pc + 1 + l;
	in->target = op < 0 ? 0 : pc + f.off;
	in->imm = f.x;
	in->imm2 = f.y;
	return head;
}

/* the walk decodes at code + s (s < code_len) in place: the window is inside code and its padding */
_Static_assert(PVM_CODE_PAD + 1 >= WINDOW + WINDOW_SLACK, "the code's padding holds a window");

pvm_inst pvm_decode_at(const pvm_program *p, uint32_t pc)
{
	if (pc > p->code_len) return (pvm_inst){ .op = PVM_OP_trap, .pc = pc };
	uint8_t w[WINDOW + WINDOW_SLACK];
	window(p->code, p->code_len, pc, w);
	pvm_inst in;
	int op = op_at(p, pc);
	decode_into(&in, w, pc, skip_at(p, pc), op, op < 0 ? 0 : pvm_ops[op].form);
	return in;
}

void pvm_program_fini(pvm_program *p)
{
	free(p->code);
	free(p->bitmask);
	free(p->jump_table);
	free(p->inst);
	free(p->is_start);
	free(p->is_block);
	free(p->gas_cost);
	memset(p, 0, sizeof *p);
}

/* Bitmask word w (bits 64w .. 64w + 63): the bitmask is zero-padded to whole words. */
static inline uint64_t mask_word(const pvm_program *p, size_t w)
{
	uint64_t x;
	memcpy(&x, p->bitmask + 8 * w, 8);
	return x;
}

/* The set bits of x, in a dozen instructions (the builtin is a call to libgcc's loop unless the
 * build targets popcnt). */
static inline uint32_t popcount64(uint64_t x)
{
	x -= x >> 1 & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + (x >> 2 & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
	return (uint32_t)(x * 0x0101010101010101ull >> 56);
}

uint32_t pvm_count_starts(const pvm_program *p)
{
	uint32_t n = 1; /* code_len */
	for (size_t w = 0, nw = ((size_t)p->code_len + 63) >> 6; w < nw; w++) n += popcount64(mask_word(p, w));
	return n;
}

typedef uint32_t v4u __attribute__((vector_size(16)));
/* A trap record at `at`: v ({ trap and zero registers, pc, next, zero target }), then zero imm and imm2. */
static inline __attribute__((always_inline)) void put_trap(uint8_t *at, v4u v)
{
	const v4u zero = { 0, 0, 0, 0 };
	memcpy(at, &v, 16);
	memcpy(at + 16, &zero, 16);
}
_Static_assert(sizeof(pvm_inst) == 32 && offsetof(pvm_inst, pc) == 4 && offsetof(pvm_inst, next) == 8 &&
               offsetof(pvm_inst, target) == 12 && offsetof(pvm_inst, imm) == 16, "fill_gap's stores");
/* Records { trap, pc, next = to } for the positions [from, to) (to - from <= 24), three at a time
 * as fill_gap writes them (its entries past to are written again later in the walk). Three: one
 * round for the gaps of instructions up to 4 bytes long, most of them (four: 8 stores where 6 do). */
static inline __attribute__((always_inline)) void fill_gap_short(pvm_program *p, uint32_t from, uint32_t to)
{
	const v4u one = { 0, 1, 0, 0 };
	uint8_t *at = (uint8_t *)(p->inst + from);
	v4u lo = { PVM_OP_trap, from, to, 0 };
	uint32_t pc = from;
	do {
		put_trap(at, lo);
		put_trap(at + 32, lo + one);
		put_trap(at + 64, lo + one + one);
		lo += one + one + one;
		pc += 3, at += 96;
	} while (pc < to);
}
/* Positions [from, to) hold no instruction start, to being the next set position: traps
 * { .op = trap, .pc = pc, .next = pc + 1 + min(to - pc - 1, 24) }. Written three at a time, each
 * as two 16-byte stores (op and zero registers, pc, next, zero target; zero imm and imm2): the
 * (up to 2) entries written from to on are written again later in the walk (the walk goes up, and
 * inst has 3 spare entries past code_len; to <= code_len). */
static inline __attribute__((always_inline)) void fill_gap(pvm_program *p, uint32_t from, uint32_t to)
{
	const v4u zero = { 0, 0, 0, 0 };
	uint8_t *at = (uint8_t *)(p->inst + from);
	if (to - from > 25) { /* (a skip cut at 24 before to) */
		for (uint32_t pc = from; pc < to; pc++, at += 32) {
			v4u lo = { PVM_OP_trap, pc, to - pc > 25 ? pc + 25 : to, 0 };
			memcpy(at, &lo, 16);
			memcpy(at + 16, &zero, 16);
		}
		return;
	}
	fill_gap_short(p, from, to);
}

/* A bitmask byte as 8 bytes of 0 or 1 (is_start), for every byte value. */
#define SPREAD(b) ((uint64_t)((b) & 1) | (uint64_t)((b) >> 1 & 1) << 8 | (uint64_t)((b) >> 2 & 1) << 16 | \
	(uint64_t)((b) >> 3 & 1) << 24 | (uint64_t)((b) >> 4 & 1) << 32 | (uint64_t)((b) >> 5 & 1) << 40 | \
	(uint64_t)((b) >> 6 & 1) << 48 | (uint64_t)((b) >> 7 & 1) << 56)
#define SPREAD4(b) SPREAD(b), SPREAD((b) + 1), SPREAD((b) + 2), SPREAD((b) + 3)
#define SPREAD16(b) SPREAD4(b), SPREAD4((b) + 4), SPREAD4((b) + 8), SPREAD4((b) + 12)
#define SPREAD64(b) SPREAD16(b), SPREAD16((b) + 16), SPREAD16((b) + 32), SPREAD16((b) + 48)
static const uint64_t spread[256] = { SPREAD64(0), SPREAD64(64), SPREAD64(128), SPREAD64(192) };

/* Gas cost of the positions [from, to): cost (eight at a time, as two 16-byte stores: gas_cost has
 * 7 spare entries; the blocks are filled in order, so those written past to are written again). */
static void fill_cost(pvm_program *p, uint32_t from, uint32_t to, uint32_t cost)
{
	const v4u c = (v4u){ 0, 0, 0, 0 } + cost;
	uint32_t *g = p->gas_cost;
	for (uint32_t pc = from; pc < to; pc += 8) {
		memcpy(g + pc, &c, 16);
		memcpy(g + pc + 4, &c, 16);
	}
}

/* ---- the 0.8.0 walk of a valid blob ----------------------------------------------------------
 * analyse's walk for the blobs it finds nothing wrong with (every start a defined opcode, bit 0
 * set, no gap over 24, code not empty: all real programs), with what that lets go: every skip is
 * the distance to the next start t, every record's next is t, a block starts at 0 and after each
 * terminator (its words gathered from its start without a break), and nothing is noted in
 * p->invalid. It stops (false) at the first start that is none of this, and analyse's general
 * walk decodes the blob instead (is_block cleared; everything else it writes anew). Both write
 * the same bytes where this one finishes: ctest deblob_walks compares them on every vector and
 * on random blobs (PVM_DECODE_GENERAL decodes with the general walk alone). */

/* The variable fields of a valid blob's instruction: a field of min(max(d, 0), 4) bytes, where d
 * is what is left of the skip (-8 <= d <= 24), is its low bytes masked and sign-extended by the
 * sign bit's xor and subtraction, from a row of this table (no clamp, no shift by a variable
 * count): field_bits[8 + d]; row 0 is also the walk's for a form without the field. */
#define FIELD_NONE { 0, 0 }
#define FIELD_FOUR { 0xFFFFFFFF, 0x80000000 }
#define FIELD_FOUR4 FIELD_FOUR, FIELD_FOUR, FIELD_FOUR, FIELD_FOUR
static const struct { uint64_t mask, sign; } field_bits[8 + 25] = {
	FIELD_NONE, FIELD_NONE, FIELD_NONE, FIELD_NONE, FIELD_NONE, FIELD_NONE, FIELD_NONE, FIELD_NONE,
	FIELD_NONE, { 0xFF, 0x80 }, { 0xFFFF, 0x8000 }, { 0xFFFFFF, 0x800000 }, /* d = 0 .. 3 */
	FIELD_FOUR4, FIELD_FOUR4, FIELD_FOUR4, FIELD_FOUR4, FIELD_FOUR4, FIELD_FOUR, /* d = 4 .. 24 */
};
#undef FIELD_FOUR4
#undef FIELD_FOUR
#undef FIELD_NONE
/* X of the field at w by row k of field_bits (the code's padding holds the 8 bytes read). */
static inline uint64_t field_row(const uint8_t *w, uint32_t k) /* (an index of 32 bits: no sign extension) */
{
	uint64_t x;
	memcpy(&x, w, 8);
	return ((x & field_bits[k].mask) ^ field_bits[k].sign) - field_bits[k].sign;
}
/* X of the field at w with d left of the skip. */
static inline uint64_t field_at(const uint8_t *w, int d) { return field_row(w, (uint32_t)(8 + d)); }
/* The length of an LX field: min(b & 7, 4). */
static inline unsigned lx_len(unsigned b) { return (b & 7) < 4 ? b & 7 : 4; }

/* Byte 1's two register nibbles, each clamped as reg_clamp does: the low one in bits 0-7, the high
 * one in bits 8-15 (one load for both; with mutants built in, through reg_clamp and its hook). */
#ifdef JITPROOF_MUTANTS
static inline uint32_t nibble_regs(unsigned b1) { return reg_clamp(b1 & 15) | (uint32_t)reg_clamp(b1 >> 4) << 8; }
#else
#define NIBBLES(b) ((((b) & 15) < 12 ? (b) & 15 : 12) | (((b) >> 4) < 12 ? (b) >> 4 : 12) << 8)
#define NIBBLES4(b) NIBBLES(b), NIBBLES((b) + 1), NIBBLES((b) + 2), NIBBLES((b) + 3)
#define NIBBLES16(b) NIBBLES4(b), NIBBLES4((b) + 4), NIBBLES4((b) + 8), NIBBLES4((b) + 12)
#define NIBBLES64(b) NIBBLES16(b), NIBBLES16((b) + 16), NIBBLES16((b) + 32), NIBBLES16((b) + 48)
static const uint16_t nibbles[256] = { NIBBLES64(0), NIBBLES64(64), NIBBLES64(128), NIBBLES64(192) };
#undef NIBBLES64
#undef NIBBLES16
#undef NIBBLES4
#undef NIBBLES
static inline uint32_t nibble_regs(unsigned b1) { return nibbles[b1]; }
#endif

/* The forms whose fields the regular walk decodes by their row of form_rows, with masks and
 * selects, where it jumped to the form's case: that jump mispredicted (callgrind's model: 0.56 a
 * guest instruction on pinky, 0.03 left) and cost more wall time than the instructions the rows
 * take. Those with at most one field, of the rest of the skip (most instructions); the others (two
 * fields, or 8 bytes) each by its case. A row (forms.def's, by hand: ctest deblob_walks compares
 * the walk with the general one): its field's first byte at at1, and one -1 (none: 0, field_bits's
 * row 0), to imm (x1 -1) or the offset; its registers nibble_regs(byte 1) * mul & regs (mul 0x100:
 * the low nibble to rA, the high one to rB) and clamp(byte 2) * mul2 (rD). */
#define ONE_FIELD (1u << PVM_FORM_NONE | 1u << PVM_FORM_IMM | 1u << PVM_FORM_OFF | 1u << PVM_FORM_REG_IMM | \
	1u << PVM_FORM_REG2 | 1u << PVM_FORM_REG2_IMM | 1u << PVM_FORM_REG2_OFF | 1u << PVM_FORM_REG3)
struct form_row {
	uint32_t mul, regs, mul2;
	int32_t at1;
	int8_t one, x1;
};
static const struct form_row form_rows[PVM_FORM_COUNT] = {
	[PVM_FORM_NONE] = { 0, 0, 0, 1, 0, 0 },
	[PVM_FORM_IMM] = { 0, 0, 0, 1, -1, -1 },
	[PVM_FORM_OFF] = { 0, 0, 0, 1, -1, 0 },
	[PVM_FORM_REG_IMM] = { 0x100, 0xFF00, 0, 2, -1, -1 },
	[PVM_FORM_REG2] = { 0x1000001, 0xFF00FF00, 0, 1, 0, 0 }, /* rA high, rD low */
	[PVM_FORM_REG2_IMM] = { 0x100, 0xFFFF00, 0, 2, -1, -1 },
	[PVM_FORM_REG2_OFF] = { 0x100, 0xFFFF00, 0, 2, -1, 0 },
	[PVM_FORM_REG3] = { 0x100, 0xFFFF00, 1u << 24, 1, 0, 0 },
};

/* Writes the record of the instruction at s whose next start is t (s < t <= s + 25) with head (its
 * first four bytes), target and immediates x, y: decode_into's record; and the records of the
 * positions s + 1 .. s + 3 as traps { pc, next = t } (those from t on are written again later in
 * the walk; those past s + 3 before t, put_gap_rest). */
static inline __attribute__((always_inline)) void put_records(pvm_inst *in, uint32_t s, uint32_t t, uint32_t head,
                                                              uint32_t target, uint64_t x, uint64_t y)
{
	_Static_assert(PVM_OP_trap == 0, "a trap record's first four bytes are 0");
	const v4u one = { 0, 1, 0, 0 };
	v4u v = { 0, s, t, 0 };
	uint8_t *at = (uint8_t *)in;
	memcpy(at, &v, 16); /* (then its head and target over it: fewer shuffles than a vector of four) */
	memcpy(at, &head, 4);
	memcpy(at + 12, &target, 4);
	memcpy(at + 16, &x, 8);
	memcpy(at + 24, &y, 8);
	for (int k = 1; k <= 3; k++) {
#ifdef __SSE2__
		/* (each record's v one add from the one before: gcc otherwise adds 1, 2 and 3 to v, a copy
		 * and an add each, as SSE's adds overwrite their operand) */
		__asm__("" : "+x"(v));
#endif
		put_trap(at + 32 * k, v += one);
	}
}
/* The records of the positions s + 4 .. t - 1 as put_records's traps (the rest of a gap longer than
 * three). */
static inline __attribute__((always_inline)) void put_gap_rest(pvm_inst *in, uint32_t s, uint32_t t)
{
	const v4u one = { 0, 1, 0, 0 };
	v4u v = { 0, s + 3, t, 0 };
	for (uint8_t *q = (uint8_t *)in + 128, *end = (uint8_t *)in + 32 * (size_t)(t - s); q < end; q += 32)
		put_trap(q, v += one);
}

/* b (A.64) for a branch whose next is t and whose target is target: cost_hinted. */
static inline bool hinted_at(const pvm_program *p, uint32_t t, uint32_t target, const int hint[2])
{
	return t >= p->code_len || target >= p->code_len || p->code[t] == hint[0] || p->code[t] == hint[1] ||
	       p->code[target] == hint[0] || p->code[target] == hint[1];
}

/* Appends word to a block's words at *w and folds it into their hash *h (cost_batch_step). */
static inline void put_word(uint64_t **w, uint64_t *h, uint64_t word)
{
	*(*w)++ = word;
	*h = cost_batch_step(*h, word);
}

/* The walk of a regular program (p->regular: a valid 0.8.0 blob, or a GP 0.7.2 one whose starts
 * are defined opcodes at most 24 bytes apart; false at the first start that is not). byte:
 * analyse's byte table; limit: the longest skip accepted; is08: the 0.8.0 block costs too (0.7.2's
 * region costs come after the walk); *last: the last instruction's pc. */
static inline __attribute__((always_inline)) bool walk_regular_(pvm_program *p, const uint32_t *byte_table,
                                                               uint64_t limit, bool is08, uint32_t *last)
{
	uint32_t byte[256]; /* (a copy on the walk's stack: addressed from the stack pointer, no register) */
	memcpy(byte, byte_table, sizeof byte);
	enum { BYTE_TERM = 1 << 16, BYTE_BRANCH = 1 << 17, BYTE_CASE = 1 << 19 };
	uint32_t len = p->code_len, max_gap = limit < 24 ? (uint32_t)limit : 24, short_gap = max_gap < 3 ? max_gap : 3;
	const uint8_t *code = p->code;
	if (len == 0 || !(p->bitmask[0] & 1)) return false;
	cost_batch cb;
	/* the blocks' ends, for their costs after the walk (no call in the walk: its values stay in
	 * registers): the end of a block's words, its hash, the next block's start */
	struct block_end { uint64_t hash; uint32_t n_words, t; } *ends = NULL, *e = NULL;
	if (is08) {
		cost_batch_init(&cb, p);
		ends = e = pvm_xmalloc((cb.starts + 1) * sizeof *ends);
	}
	uint64_t *w = is08 ? cb.words : NULL; /* the next word */
	uint64_t base = 0; /* 64 * the index of x's bitmask word */
	uint64_t x = mask_word(p, 0) & ~1ull; /* (s = 0 taken) */
	uint32_t s = 0, t = 0; /* the instruction at hand, the next start (len past the last) */
	uint64_t hash = COST_BATCH_INIT; /* the hash of the current block's words (cost_batch_step) */
	pvm_inst *inst = p->inst;
	uint8_t *is_block = p->is_block;
	is_block[0] = 1;
	for (;; s = t) {
		while (__builtin_expect(!x, 0)) {
			if (s >= len) /* (s = t = len: the walk is done) */
				goto done;
			if ((base += 64) >= len) {
				t = len;
				goto found;
			}
			x = mask_word(p, base >> 6);
		}
		t = (uint32_t)base + (uint32_t)__builtin_ctzll(x);
		x &= x - 1;
	found:;
		uint32_t b = byte[code[s]];
		if (__builtin_expect(t - s - 1 > short_gap, 0)) { /* (one test for the gaps over 3: most are not) */
			if (t - s - 1 > max_gap) /* (a gap over 24) */
				goto stop;
			put_gap_rest(inst + s, s, t);
		}
		/* the instruction's fields (forms.def; registers clamped): by its form's row of form_rows
		 * (ONE_FIELD: no jump on the form), else by its case, reading what it needs of the code from
		 * c (fewer values live across the jump) */
		const uint8_t *c = code + s;
		uint32_t head, off;
		uint64_t imm, y = 0;
		if (__builtin_expect(!(b & BYTE_CASE), 1)) {
			const struct form_row *r = &form_rows[b >> 8 & 0xFF];
			uint64_t f = field_row(c + r->at1, (t - s - (uint32_t)r->at1 + 8) & (uint32_t)r->one);
			uint64_t x1 = (uint64_t)(int64_t)r->x1;
			head = (b & 0xFF) | (nibble_regs(c[1]) * r->mul & r->regs) | (uint32_t)reg_clamp(c[2]) * r->mul2;
			imm = f & x1;
			off = (uint32_t)(f & ~x1);
		} else {
			int d = (int)(t - s - 1); /* what is left of the skip */
			unsigned n1;
			head = (b & 0xFF) | (nibble_regs(c[1]) & 0xFF) << 8; /* (rA: all but IMM2) */
			off = 0;
			switch (b >> 8 & 0xFF) {
			case PVM_FORM_REG_IMM64:
				memcpy(&imm, c + 2, 8);
				break;
			case PVM_FORM_IMM2:
				head = b & 0xFF;
				n1 = lx_len(c[1]);
				imm = field_at(c + 2, (int)n1);
				y = field_at(c + 2 + n1, d - 1 - (int)n1);
				break;
			case PVM_FORM_REG_IMM2:
			case PVM_FORM_REG_IMM_OFF: { /* (one case: Y or T by a select) */
				n1 = lx_len(c[1] >> 4);
				imm = field_at(c + 2, (int)n1);
				uint64_t f2 = field_at(c + 2 + n1, d - 1 - (int)n1);
				bool is_off = (b >> 8 & 0xFF) == PVM_FORM_REG_IMM_OFF;
				off = is_off ? (uint32_t)f2 : 0;
				y = is_off ? 0 : f2;
				break;
			}
			case PVM_FORM_REG2_IMM2:
				head = (b & 0xFF) | nibble_regs(c[1]) << 8;
				n1 = lx_len(c[2]);
				imm = field_at(c + 3, (int)n1);
				y = field_at(c + 3 + n1, d - 2 - (int)n1);
				break;
			case PVM_FORM_COUNT: /* (an undefined opcode) */
				goto stop;
			default: /* (none: BYTE_CASE marks these forms and PVM_FORM_COUNT) */
				__builtin_unreachable();
			}
		}
		uint32_t target = s + off;
		put_records(inst + s, s, t, head, target, imm, y);
		if (__builtin_expect(!(b & (BYTE_TERM | BYTE_BRANCH)), 1)) {
			if (is08) put_word(&w, &hash, head);
			continue;
		}
		if (is08) put_word(&w, &hash, b & BYTE_BRANCH ? head | (uint64_t)hinted_at(p, t, target, cb.t.hint) << 32 : head);
		if (b & BYTE_TERM) { /* the block ends: t starts the next one */
			if (is08) {
				*e++ = (struct block_end){ hash, (uint32_t)(w - cb.words), t };
				hash = COST_BATCH_INIT;
			}
			is_block[t] = 1; /* (t = len: is_block[len] is set back to 0 below) */
		}
	}
stop: /* a start the walk does not take: analyse's general walk decodes the blob */
	if (is08) {
		cost_batch_fini(&cb);
		free(ends);
	}
	return false;
done:;
	uint64_t m; /* *last: the highest set bit of the bitmask (bit 0 is set) */
	size_t nk = ((size_t)len + 63) >> 6;
	do m = mask_word(p, --nk);
	while (!m);
	*last = (uint32_t)(64 * nk) + 63 - (uint32_t)__builtin_clzll(m);
	p->is_block[len] = 0;
	p->inst[len] = (pvm_inst){ .op = PVM_OP_trap, .pc = len, .next = len + 1 };
	if (!is08) return true;
	uint32_t block = e == ends ? 0 : e[-1].t;
	if (block < len) { /* the last block runs into the trap at code_len */
		*w = cost_word(p, &cb.t, &p->inst[len]);
		hash = cost_batch_step(hash, *w++);
		*e++ = (struct block_end){ hash, (uint32_t)(w - cb.words), len };
	}
	uint32_t from = 0, off = 0;
	for (const struct block_end *k = ends; k < e; k++) {
		fill_cost(p, from, k->t, cost_batch_end(&cb, off, k->n_words, k->hash));
		from = k->t;
		off = k->n_words;
	}
	cost_batch_fini(&cb);
	free(ends);
	return true;
}
/* (each revision's walk a function of its own: the walk's values in registers) */
static __attribute__((noinline)) bool walk_regular08(pvm_program *p, const uint32_t *byte, uint64_t limit, uint32_t *last)
{
	return walk_regular_(p, byte, limit, true, last);
}
static __attribute__((noinline)) bool walk_regular072(pvm_program *p, const uint32_t *byte, uint64_t limit, uint32_t *last)
{
	return walk_regular_(p, byte, limit, false, last);
}
static bool walk_regular(pvm_program *p, const uint32_t *byte, uint64_t limit, bool is08, uint32_t *last)
{
	return is08 ? walk_regular08(p, byte, limit, last) : walk_regular072(p, byte, limit, last);
}

/* GP 0.7.2's gas costs: at each pc, the length of the region from it up to and including the first
 * instruction that ends a region (1 at code_len). */
static void region_costs072(pvm_program *p)
{
	uint32_t len = p->code_len;
	for (uint32_t pc = len + 1; pc-- > 0;) {
		const pvm_inst *in = &p->inst[pc];
		if (pc == len || pvm_op_ends_region(in->op))
			p->gas_cost[pc] = 1;
		else
			p->gas_cost[pc] = 1 + p->gas_cost[in->next];
	}
}

/* Fills inst, is_start, is_block and gas_cost from code, bitmask and code_len, and (0.8.0) notes
 * in p->invalid why prevalidation (ISA-NOTES-0.8 §3) rejects the blob. One walk over the
 * instruction starts (the bitmask a word at a time) decodes each once, fills the positions between
 * them as traps and marks ϖ; 0.8.0: a block's cost is computed when the walk reaches the next
 * block start (every instruction of the block lies before it), and prevalidation's walk
 * i -> i + 1 + skip(i) from 0 is this walk. */
static void analyse(pvm_program *p, unsigned flags)
{
	uint32_t len = p->code_len;
	size_t n = (size_t)len + 1;
	bool is08 = p->isa == PVM_ISA_080;
	p->inst = pvm_xmalloc((n + 3) * sizeof *p->inst); /* (+ 3: fill_gap) */
	p->is_start = pvm_xmalloc(n + 8); /* + 8: is_start is written 8 positions per bitmask byte */
	p->is_block = pvm_xcalloc(n, 1);
	p->gas_cost = pvm_xmalloc((n + 7) * sizeof *p->gas_cost); /* (+ 7: fill_cost) */
	const uint8_t *mask = p->bitmask; /* (locals: a store through uint8_t * may alias p's fields) */
	uint8_t *is_start = p->is_start;
#pragma GCC unroll 4 /* (the loop's counting was half of its instructions) */
	for (size_t i = 0, nb = ((size_t)len + 7) / 8; i < nb; i++) memcpy(is_start + 8 * i, &spread[mask[i]], 8);
	p->is_start[len] = 1;
	/* prevalidation v_blob: the walk from 0 visits only defined opcodes at set bitmask bits and
	 * lands on |c| > 0; why and at: its first failure (at: the offending pc) */
	const char *why = len == 0 ? "empty code" : !mask_bit(p, 0) ? "bitmask bit 0 is not set" : NULL;
	uint32_t at = 0, last = 0;
	/* the longest skip accepted: 24 (a mutant may lift it: pvm/mutants.def, class prevalidation) */
	uint64_t limit = is08 ? pvm_mutant_hook(PVM_HOOK_skip_limit, 24) : 24;
	uint32_t block = UINT32_MAX; /* the current block's start (none yet: the cost is 0) */
	/* per opcode byte, what the walk asks of it in one load (where it would chain three): its
	 * instruction and its form from bit 8 (none: 0 and PVM_FORM_COUNT), and the BYTE_ flags */
	enum { BYTE_TERM = 1 << 16,   /* a valid instruction that ends a block (its successor is in ϖ) */
	       BYTE_BRANCH = 1 << 17, /* 0.8.0: its cost row is a branch's (the word holds the hint) */
	       BYTE_LAST = 1 << 18,   /* its record ends a block's words (a terminator; none: trap) */
	       BYTE_CASE = 1 << 19 }; /* the regular walk decodes its fields by its form's case (none: stops) */
	uint32_t byte[256];
	for (unsigned k = 0; k < 256; k++) {
		int op = pvm_op_decode(p->isa, k);
		unsigned rec = op < 0 ? PVM_OP_trap : (unsigned)op;
		uint32_t valid = op < 0 ? (uint32_t)PVM_FORM_COUNT << 8 : (uint32_t)op | (uint32_t)pvm_ops[op].form << 8 |
		                                                          (pvm_op_is_term(rec) ? BYTE_TERM : 0);
		byte[k] = valid | (is08 && cost_row_branch(rec) ? BYTE_BRANCH : 0) | (pvm_op_is_term(rec) ? BYTE_LAST : 0) |
		          (op < 0 || !(ONE_FIELD >> pvm_ops[op].form & 1) ? BYTE_CASE : 0);
	}
	if (!(flags & PVM_DECODE_GENERAL)) {
		if (walk_regular(p, byte, limit, is08, &last)) {
			p->regular = true;
			if (!is08) { /* a regular GP 0.7.2 program */
				region_costs072(p);
				return;
			}
			p->gas_cost[len] = 0; /* running off the end panics without a charge (§3) */
			if (flags & PVM_DECODE_POLKAVM_END && pvm_op_falls(p->inst[last].op))
				snprintf(p->invalid, sizeof p->invalid, "pc %u: %s", last,
				         "the last instruction can fall through (PolkaVM rule)"); /* §10.1 */
			return;
		}
		memset(p->is_block, 0, n); /* (the general walk below writes everything else anew) */
	}
	pvm_cost_memo *memo = is08 ? pvm_cost_memo_new(p) : NULL;
	/* 0.8.0: the current block's words (cost_word.h), gathered from its start while the walk
	 * visits what the simulation reads: each instruction up to the block's first terminator is
	 * followed by the next start (next == t). If one is not (a skip cut at 24: the block goes on
	 * at a trap between starts), the block's cost is asked from its start instead. */
	const cost_table *ct = NULL;
	uint64_t *words = NULL;
	size_t n_words = 0;
	bool gathering = false, gathered = false; /* in the block before its terminator; all of it */
	uint64_t hash = COST_HASH_INIT;           /* the memo's hash of words[0..n_words) */
	if (is08) {
		ct = pvm_cost_memo_table(memo);
		words = pvm_xmalloc(((size_t)pvm_count_starts(p) + 1) * sizeof *words);
	}
	pvm_starts it = pvm_starts_of(p);
	uint32_t s = pvm_starts_next(&it);
	fill_gap(p, 0, s);
	/* ϖ: 0 and every successor of a terminator, if it holds a valid instruction (GP 0.6.7+). */
	bool term_before = s == 0; /* the start before s is a valid terminator whose successor is s (or s is 0) */
	bool regular = s == 0 && len > 0; /* p->regular so far */
	while (s < len) {
		uint32_t t = pvm_starts_next(&it), gap = t - s - 1, b = byte[p->code[s]];
		int op = (b >> 8 & 0xFF) == PVM_FORM_COUNT ? -1 : (int)(b & 0xFF);
		pvm_inst *in = &p->inst[s];
		/* (in place: the code's zero padding) */
		uint32_t head = decode_into(in, p->code + s, s, gap < 24 ? gap : 24, op, b >> 8 & 0xFF);
		if (op >= 0 && term_before) {
			p->is_block[s] = 1;
			if (is08) {
				fill_cost(p, block == UINT32_MAX ? 0 : block, s, block == UINT32_MAX ? 0 :
				          gathered ? pvm_cost_memo_hashed(memo, words, n_words, hash) : pvm_block_cost_memo(memo, block));
				block = s;
				n_words = 0;
				hash = COST_HASH_INIT;
				gathering = true;
				gathered = false;
			}
		}
		if (gathering) { /* (the word is cost_word's) */
			uint64_t word = b & BYTE_BRANCH ? head | (uint64_t)cost_hinted(p, in, ct->hint) << 32 : head;
			words[n_words++] = word;
			hash = cost_hash_step(hash, word);
			gathered = b & BYTE_LAST;
			gathering = !gathered && gap <= 24; /* (in->next == t) */
		}
		if (is08 && (op < 0 || gap > limit) && !why) {
			if (op < 0) {
				why = "undefined opcode", at = s;
			} else {
				why = "more than 24 bytes up to the next instruction";
				at = s + 25; /* where a skip of 24 lands: no instruction starts there */
			}
		}
		last = s;
		regular &= op >= 0 && gap <= 24;
		/* a terminator's successor is t only if its skip was not cut at 24 */
		term_before = b & BYTE_TERM && gap <= 24;
		fill_gap(p, s + 1, t);
		s = t;
	}
	p->inst[len] = (pvm_inst){ .op = PVM_OP_trap, .pc = len, .next = len + 1 };
	p->regular = regular;
	if (is08) {
		if (gathering) { /* the block runs into the trap at code_len */
			words[n_words++] = cost_word(p, ct, &p->inst[len]);
			gathered = true;
		}
		fill_cost(p, block == UINT32_MAX ? 0 : block, len, block == UINT32_MAX ? 0 :
		          gathered ? pvm_cost_memo_words(memo, words, n_words) : pvm_block_cost_memo(memo, block));
		pvm_cost_memo_free(memo);
		free(words);
		p->gas_cost[len] = 0; /* running off the end panics without a charge (§3) */
		if (!why) {
			at = last;
			if (flags & PVM_DECODE_POLKAVM_END && pvm_op_falls(p->inst[last].op))
				why = "the last instruction can fall through (PolkaVM rule)"; /* §10.1 */
		}
		if (why) snprintf(p->invalid, sizeof p->invalid, "pc %u: %s", at, why);
		return;
	}
	region_costs072(p);
}

pvm_err pvm_program_decode(pvm_program *p, const uint8_t *blob, size_t len, const char *name,
                           pvm_errbuf *e)
{
	return pvm_program_decode_flags(p, PVM_ISA_072, 0, blob, len, name, e);
}

pvm_err pvm_program_decode_isa(pvm_program *p, pvm_isa isa, const uint8_t *blob, size_t len,
                               const char *name, pvm_errbuf *e)
{
	return pvm_program_decode_flags(p, isa, 0, blob, len, name, e);
}

pvm_err pvm_program_decode_flags(pvm_program *p, pvm_isa isa, unsigned flags, const uint8_t *blob,
                                 size_t len, const char *name, pvm_errbuf *e)
{
	memset(p, 0, sizeof *p);
	p->isa = isa;
	size_t off = 0, k;
	uint64_t jlen, clen;
	const char *why;
	if (len > UINT32_MAX) {
		pvm_errf(e, "%s: offset 0: blob larger than 4 GiB", name);
		return PVM_EINVAL;
	}
	if (!(k = varint_decode(blob, len, &jlen, &why))) {
		pvm_errf(e, "%s: offset 0: jump table length: %s", name, why);
		return PVM_EINVAL;
	}
	off += k;
	if (off >= len) {
		pvm_errf(e, "%s: offset %zu: truncated blob: missing jump table entry width", name, off);
		return PVM_EINVAL;
	}
	uint8_t z = blob[off++];
	if (z > 4) {
		pvm_errf(e, "%s: offset %zu: jump table entry width %u > 4 bytes", name, off - 1, z);
		return PVM_EINVAL;
	}
	if (!(k = varint_decode(blob + off, len - off, &clen, &why))) {
		pvm_errf(e, "%s: offset %zu: code length: %s", name, off, why);
		return PVM_EINVAL;
	}
	off += k;
	if (z == 0 && jlen > 0) {
		pvm_errf(e, "%s: offset %zu: %llu jump table entries of width 0", name, off,
		         (unsigned long long)jlen);
		return PVM_EINVAL;
	}
	if (jlen > (len - off) / (z ? z : 1)) {
		pvm_errf(e, "%s: offset %zu: truncated blob: jump table of %llu entries x %u bytes "
		         "exceeds the %zu bytes left", name, off, (unsigned long long)jlen, z, len - off);
		return PVM_EINVAL;
	}
	p->jt_len = (uint32_t)jlen;
	p->jt_width = z;
	p->jump_table = pvm_xmalloc((jlen ? jlen : 1) * sizeof *p->jump_table);
	for (uint32_t i = 0; i < p->jt_len; i++) {
		uint32_t v = 0;
		for (unsigned b = 0; b < z; b++) v |= (uint32_t)blob[off++] << (8 * b);
		p->jump_table[i] = v;
	}
	if (clen > len - off) {
		pvm_errf(e, "%s: offset %zu: truncated blob: code length %llu exceeds the %zu bytes left",
		         name, off, (unsigned long long)clen, len - off);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	p->code_len = (uint32_t)clen;
	p->code = pvm_xmalloc(clen + PVM_CODE_PAD);
	memcpy(p->code, blob + off, clen);
	memset(p->code + clen, 0, PVM_CODE_PAD);
	off += clen;
	size_t mlen = (clen + 7) / 8;
	if (len - off < mlen) {
		pvm_errf(e, "%s: offset %zu: bitmask too short: %llu code bytes need %zu bitmask bytes, "
		         "%zu left", name, off, (unsigned long long)clen, mlen, len - off);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	if (len - off > mlen) {
		pvm_errf(e, "%s: offset %zu: %zu trailing bytes after the bitmask", name, off + mlen,
		         len - off - mlen);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	p->bitmask = pvm_xcalloc((mlen + 7) / 8 + 1, 8); /* zero-padded to whole words (mask_word) */
	memcpy(p->bitmask, blob + off, mlen);
	if ((clen & 7) && (p->bitmask[mlen - 1] >> (clen & 7))) {
		pvm_errf(e, "%s: offset %zu: bitmask padding bits are not zero", name, off + mlen - 1);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	analyse(p, flags);
	return PVM_OK;
}

pvm_err pvm_program_encode(const pvm_program *p, uint8_t **out, size_t *len)
{
	size_t mlen = ((size_t)p->code_len + 7) / 8;
	size_t cap = 9 + 1 + 9 + (size_t)p->jt_len * p->jt_width + p->code_len + mlen;
	uint8_t *b = pvm_xmalloc(cap), *w = b;
	w += pvm_varint_encode(p->jt_len, w);
	*w++ = p->jt_width;
	w += pvm_varint_encode(p->code_len, w);
	for (uint32_t i = 0; i < p->jt_len; i++)
		for (unsigned k = 0; k < p->jt_width; k++) *w++ = (uint8_t)(p->jump_table[i] >> (8 * k));
	memcpy(w, p->code, p->code_len);
	w += p->code_len;
	memcpy(w, p->bitmask, mlen);
	w += mlen;
	*out = b;
	*len = (size_t)(w - b);
	return PVM_OK;
}
