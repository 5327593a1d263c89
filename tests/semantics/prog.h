/* tests/semantics/prog.h: random single-instruction programs and machine states for the
 * semantics tests (differential against the interpreter, Z3 against the evaluator).
 * Layout: the instruction at pc 0 (length L), traps at L and L+1, fallthrough at L+2, so every
 * successor (next, a taken branch, a jump-table entry) ends at a distinct pc. */
#ifndef JITPROOF_TEST_SEM_PROG_H
#define JITPROOF_TEST_SEM_PROG_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"
#include "semantics/sem.h"

/* xorshift64*: seeded, so a failure replays with the printed seed */
static uint64_t rng_state = 1;
static inline uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}
static inline uint64_t rndn(uint64_t n) { return rnd() % n; }

/* Seed from argv (--seed N), else $SEM_SEED, else the clock; printed either way. */
static inline uint64_t pick_seed(int argc, char **argv)
{
	uint64_t seed = 0;
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 0);
	if (!seed && getenv("SEM_SEED")) seed = strtoull(getenv("SEM_SEED"), NULL, 0);
	if (!seed) {
		FILE *f = fopen("/dev/urandom", "rb");
		if (!f || fread(&seed, sizeof seed, 1, f) != 1) seed = 0x9E3779B97F4A7C15ull;
		if (f) fclose(f);
	}
	if (!seed) seed = 1;
	printf("seed %llu (replay: SEM_SEED=%llu or --seed %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed, (unsigned long long)seed);
	rng_state = seed;
	return seed;
}

/* Position of the instruction `name` (its first n characters) in the GP 0.7.2 list, or -1. */
static inline int op_position(const char *name, size_t n)
{
	for (int i = 0; i < PVM_NUM_OPCODES; i++) {
		const char *o = pvm_ops[pvm_isa_ops(PVM_ISA_072)[i]].name;
		if (strlen(o) == n && !strncmp(o, name, n)) return i;
	}
	return -1;
}

/* The command line both semantics tests take: SPEC [--states N] [--ops FIRST-LAST] [--seed S].
 * FIRST-LAST name two instructions: the range between them in the GP 0.7.2 list (ascending
 * opcode bytes), kept as positions in *lo..*hi. Loads and checks the spec and seeds the generator;
 * *states and the range keep their defaults unless given. NULL on bad input, with *rc the exit
 * code (2: usage, 1: the spec). */
static inline sem_spec *test_start(int argc, char **argv, const char *name, long *states, unsigned *lo,
                                   unsigned *hi, int *rc)
{
	*rc = 2;
	if (argc < 2) {
		fprintf(stderr, "usage: %s SPEC [--states N] [--ops FIRST-LAST] [--seed S]\n", name);
		return NULL;
	}
	for (int i = 2; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--states")) *states = strtol(argv[i + 1], NULL, 0);
		if (!strcmp(argv[i], "--ops")) {
			const char *r = argv[i + 1], *dash = strchr(r, '-');
			int a = dash ? op_position(r, (size_t)(dash - r)) : -1;
			int b = dash ? op_position(dash + 1, strlen(dash + 1)) : -1;
			if (a < 0 || b < 0) {
				fprintf(stderr, "%s: --ops %s: expected FIRST-LAST, two instruction names\n", name, r);
				return NULL;
			}
			*lo = (unsigned)a, *hi = (unsigned)b;
		}
	}
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load(argv[1], &e);
	if (!sp || sem_spec_check_table(sp, PVM_ISA_072, &e) != SEM_OK) {
		printf("%s\n", e.msg);
		sem_spec_free(sp);
		*rc = 1;
		return NULL;
	}
	pick_seed(argc, argv);
	return sp;
}

static const uint64_t edge_values[] = {
	0, 1, ~0ull, 2, 0x7FFFFFFF, 0xFFFFFFFF80000000ull, 0x80000000, 0xFFFFFFFF, 0x100000000ull,
	0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, 31, 32, 63, 64, 0xFFFFFFFF00000000ull,
	0x80000001, 0xFFFFFFFFFFFFFFFEull,
};
enum { N_EDGE = sizeof edge_values / sizeof edge_values[0] };

static inline uint64_t rnd_value(void)
{
	switch (rndn(6)) {
	case 0:
	case 1: return edge_values[rndn(N_EDGE)];
	case 2: return rndn(256);
	case 3: return (uint64_t)(int64_t)(int32_t)rnd();
	default: return rnd();
	}
}

/* An immediate X: decoded values are sign-extended from at most 4 bytes. */
static inline uint64_t rnd_imm(void)
{
	static const uint64_t e[] = { 0, 1, ~0ull, 0x7FFFFFFF, 0xFFFFFFFF80000000ull, 31, 32, 63, 64, 0x7F, 0xFFFFFFFFFFFFFF80ull };
	switch (rndn(4)) {
	case 0: return e[rndn(sizeof e / sizeof e[0])];
	case 1: return rndn(128);
	default: return (uint64_t)(int64_t)(int32_t)rnd();
	}
}

/* Smallest n in 0..4 with v == sext_n(low n bytes of v). */
static inline unsigned imm_len(uint64_t v)
{
	for (unsigned n = 0; n < 4; n++)
		if (pvm_sext(v, n) == v) return n;
	return 4;
}

enum { PAGE_RW = 0x20000, PAGE_RO = 0x21000, PAGE_NONE = 0x22000 };

/* Memory: a writable page at 0x20000 and a read-only one at 0x21000, with random bytes in
 * [0x20000 + lo, 0x20000 + hi) of both (the rest zero). */
static inline pvm_mem *rnd_mem(uint32_t lo, uint32_t hi)
{
	pvm_mem *m = pvm_mem_new();
	pvm_mem_map(m, PAGE_RW, PVM_PAGE, PVM_WRITE);
	pvm_mem_map(m, PAGE_RO, PVM_PAGE, PVM_READ);
	for (uint32_t a = lo; a < hi; a++) {
		uint8_t b = (uint8_t)rnd();
		pvm_mem_poke(m, PAGE_RW + a, &b, 1);
	}
	return m;
}

/* An address an access of the instruction should hit: mostly near the page boundaries. */
static inline uint32_t rnd_addr(void)
{
	switch (rndn(8)) {
	case 0: return PAGE_RW + (uint32_t)rndn(PVM_PAGE);
	case 1: case 2: return PAGE_RO - 8 + (uint32_t)rndn(16);
	case 3: return PAGE_NONE - 8 + (uint32_t)rndn(16);
	case 4: return (uint32_t)rndn(8) - 4;                  /* wraps around 2^32 */
	case 5: return PVM_LOW_LIMIT - 4 + (uint32_t)rndn(8);
	case 6: return PAGE_RW - 4 + (uint32_t)rndn(8);
	default: return (uint32_t)rnd();
	}
}

typedef struct tinst {
	uint8_t op, fa, fb, fd;       /* register fields as encoded (13..15 clamp to 12) */
	uint64_t x, y;
	uint32_t target;
} tinst;

/* Encodes t at pc 0 (ISA-NOTES §4) into out; returns the length. */
static inline unsigned encode(const tinst *t, uint8_t *out)
{
	unsigned n = 0, lx, ly;
	out[n++] = pvm_byte(PVM_ISA_072, t->op);
#define PUT(v, len) do { for (unsigned i_ = 0; i_ < (len); i_++) out[n++] = (uint8_t)((v) >> (8 * i_)); } while (0)
	switch (pvm_ops[t->op].form) {
	case PVM_FORM_NONE: break;
	case PVM_FORM_IMM: PUT(t->x, imm_len(t->x)); break;
	case PVM_FORM_REG_IMM64: out[n++] = t->fa; PUT(t->x, 8); break;
	case PVM_FORM_IMM2:
		lx = imm_len(t->x), ly = imm_len(t->y);
		out[n++] = (uint8_t)lx;
		PUT(t->x, lx);
		PUT(t->y, ly);
		break;
	case PVM_FORM_OFF: PUT(t->target, imm_len((uint64_t)(int64_t)(int32_t)t->target)); break;
	case PVM_FORM_REG_IMM: out[n++] = t->fa; PUT(t->x, imm_len(t->x)); break;
	case PVM_FORM_REG_IMM2:
	case PVM_FORM_REG_IMM_OFF: {
		uint64_t y = pvm_ops[t->op].form == PVM_FORM_REG_IMM2 ? t->y : (uint64_t)(int64_t)(int32_t)t->target;
		lx = imm_len(t->x), ly = imm_len(y);
		out[n++] = (uint8_t)(t->fa | lx << 4);
		PUT(t->x, lx);
		PUT(y, ly);
		break;
	}
	case PVM_FORM_REG2: out[n++] = (uint8_t)(t->fd | t->fa << 4); break;
	case PVM_FORM_REG2_IMM: out[n++] = (uint8_t)(t->fa | t->fb << 4); PUT(t->x, imm_len(t->x)); break;
	case PVM_FORM_REG2_OFF:
		out[n++] = (uint8_t)(t->fa | t->fb << 4);
		PUT(t->target, imm_len((uint64_t)(int64_t)(int32_t)t->target));
		break;
	case PVM_FORM_REG2_IMM2:
		lx = imm_len(t->x), ly = imm_len(t->y);
		out[n++] = (uint8_t)(t->fa | t->fb << 4);
		out[n++] = (uint8_t)lx;
		PUT(t->x, lx);
		PUT(t->y, ly);
		break;
	case PVM_FORM_REG3: out[n++] = (uint8_t)(t->fa | t->fb << 4); out[n++] = t->fd; break;
	}
#undef PUT
	return n;
}

/* Length of t's encoding (the target's offset width does not depend on L for small L). */
static inline unsigned encoded_len(const tinst *t)
{
	uint8_t buf[32];
	return encode(t, buf);
}

/* Builds and decodes the test program for t with a 4-entry jump table
 * {L+1, L+2, 1 (not a block start), L}. Returns false (with the reason printed) on failure. */
static inline bool build_program(const tinst *t, pvm_program *p)
{
	uint8_t code[40], blob[128];
	unsigned L = encode(t, code), clen = L + 3, n = 0;
	code[L] = pvm_byte(PVM_ISA_072, PVM_OP_trap);
	code[L + 1] = pvm_byte(PVM_ISA_072, PVM_OP_trap);
	code[L + 2] = pvm_byte(PVM_ISA_072, PVM_OP_fallthrough);
	uint32_t jt[4] = { L + 1, L + 2, 1, L };
	n += pvm_varint_encode(4, blob + n);
	blob[n++] = 1;
	n += pvm_varint_encode(clen, blob + n);
	for (int i = 0; i < 4; i++) blob[n++] = (uint8_t)jt[i];
	memcpy(blob + n, code, clen);
	n += clen;
	uint8_t mask[8] = { 0 };
	unsigned starts[4] = { 0, L, L + 1, L + 2 };
	for (int i = 0; i < 4; i++) mask[starts[i] >> 3] |= (uint8_t)(1u << (starts[i] & 7));
	memcpy(blob + n, mask, (clen + 7) / 8);
	n += (clen + 7) / 8;
	pvm_errbuf e;
	if (pvm_program_decode(p, blob, n, "test", &e) != PVM_OK) {
		printf("cannot decode the test program: %s\n", e.msg);
		return false;
	}
	return true;
}

/* A register field: usually 0..12, sometimes 13..15 (decoded as r12). */
static inline uint8_t rnd_field(void) { return rndn(16) == 0 ? (uint8_t)(13 + rndn(3)) : (uint8_t)rndn(13); }

/* Random operands for opcode op; aliasing (rd = ra = rb, or two equal) is frequent. */
static inline tinst rnd_inst(uint8_t op)
{
	tinst t = { .op = op, .fa = rnd_field(), .fb = rnd_field(), .fd = rnd_field() };
	switch (rndn(4)) {
	case 0: t.fb = t.fd = t.fa; break;
	case 1: t.fb = t.fa; break;
	case 2: t.fd = t.fa; break;
	default: break;
	}
	t.x = rnd_imm();
	t.y = rnd_imm();
	if (pvm_ops[op].form == PVM_FORM_REG_IMM64) t.x = rnd_value();
	if (pvm_ops[op].form == PVM_FORM_REG_IMM2 || pvm_ops[op].form == PVM_FORM_IMM2 ||
	    pvm_ops[op].form == PVM_FORM_REG2_IMM2)
		t.x = rndn(2) ? rnd_imm() : rndn(64);
	if (pvm_ops[op].acc != PVM_ACC_NOMEM &&
	    (pvm_ops[op].form == PVM_FORM_IMM2 || pvm_ops[op].form == PVM_FORM_REG_IMM) && rndn(4))
		t.x = (uint64_t)(int64_t)(int32_t)rnd_addr();
	/* branch targets: L, L+1, L+2 (block starts after a terminator), 1 (inside the instruction)
	 * or past the code; the length L depends on the target's width, so iterate to a fixed point */
	static const int delta[] = { 0, 1, 2, -1000, 3, 100 };
	int d = delta[rndn(6)];
	for (unsigned L = encoded_len(&t), k = 0; k < 4; k++) {
		t.target = d == -1000 ? 1u : (uint32_t)(L + d);
		unsigned L2 = encoded_len(&t);
		if (L2 == L) break;
		L = L2;
	}
	return t;
}

/* Random registers; then, for memory and jump instructions, the base register is set so that
 * the address computed by the instruction is an interesting one. */
static inline void rnd_regs(const pvm_program *p, pvm_state *s)
{
	for (int i = 0; i < PVM_NUM_REGS; i++) s->regs[i] = rnd_value();
	const pvm_inst *in = &p->inst[0];
	const pvm_opinfo *o = &pvm_ops[in->op];
	uint64_t hi = rndn(2) ? 0 : rnd() << 32;
	if (o->acc != PVM_ACC_NOMEM && rndn(4)) {
		uint32_t a = rnd_addr();
		if (o->form == PVM_FORM_REG_IMM2) s->regs[in->ra] = (hi | a) - in->imm;
		if (o->form == PVM_FORM_REG2_IMM) s->regs[in->rb] = (hi | a) - in->imm;
	}
	if (in->op == PVM_OP_sbrk) {
		/* sizes that fit map at most a few pages; the others cannot fit below 2^32 */
		static const uint64_t sizes[] = { 0, 1, 4096, 4097, 0xFFFFFFFF, 0x100000000ull, 1ull << 63, ~0ull };
		s->regs[in->ra] = rndn(2) ? rndn(0x3000) : sizes[rndn(sizeof sizes / sizeof sizes[0])];
	}
	if ((in->op == PVM_OP_jump_ind || in->op == PVM_OP_load_imm_jump_ind) && rndn(4)) {
		static const uint32_t addrs[] = { 2, 4, 6, 8, 0, 3, 10, 0xFFFF0000u, 0xFFFF0002u, 1 };
		uint32_t a = addrs[rndn(sizeof addrs / sizeof addrs[0])];
		if (in->op == PVM_OP_jump_ind) s->regs[in->ra] = (hi | a) - in->imm;
		else s->regs[in->rb] = (hi | a) - in->imm2;
	}
}

/* Gas: usually plenty, sometimes just around the region cost. */
static inline int64_t rnd_gas(void)
{
	switch (rndn(8)) {
	case 0: return (int64_t)rndn(4);
	case 1: return -1;
	default: return 1000;
	}
}
#endif
