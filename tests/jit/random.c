/* tests/jit/random.c: differential test: seeded random programs, in GP 0.7.2 and GP 0.8.0 (each
 * revision's opcode bytes; sbrk only in 0.7.2), run on interp, jit and jit-portable; final states
 * and the JITs' sandbox protections must be identical. Three kinds: straight-line code over every
 * register-only opcode (all 13 registers and the fields 13-15 that mean r12, so every aliasing
 * with the rcx/rdx-using templates) with edge values; the same plus loads/stores around a page
 * boundary; and control flow: branches,
 * jumps and dynamic jumps to random (often invalid) targets, a jump table, ecalli, padding bytes
 * (long skips, fall-through into non-instructions) and small gas budgets (out-of-gas at region
 * boundaries), each control program also run with every gas from 0 to SWEEP_GAS. Prints
 * "random: N passed, N failed". */
#include <stdlib.h>
#include <string.h>
#include "interp/interp.h"
#include "jit/jit.h"

static pvm_isa isa = PVM_ISA_072;                /* the revision the programs are made in */
#define OPB_OF(op) pvm_byte(isa, (op))             /* its opcode byte */
#define OPB(name) OPB_OF(PVM_OP_##name)

static uint64_t next_rand(void);
/* A random conditional branch of the given form. */
static unsigned pick_branch(unsigned form)
{
	for (;;) {
		unsigned op = pvm_isa_ops(isa)[next_rand() % PVM_NUM_OPCODES];
		if (pvm_ops[op].ctl == PVM_CTL_BRANCH && pvm_ops[op].form == form) return op;
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
/* Memory programs access 16 bytes around `hot`: a page boundary at 0x21000, or the wrap at 2^32. */
static uint32_t hot = 0x20ff8;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t edge_value(void)
{
	static const uint64_t v[] = { 0, 1, 2, 31, 32, 63, 64, 0x7fffffff, 0x80000000, 0xffffffff,
		0x8000000000000000ull, 0x7fffffffffffffffull, ~0ull, ~1ull, 0x100000000ull, 0x1fff0 };
	return next_rand() % 3 ? v[next_rand() % (sizeof v / sizeof v[0])] : next_rand();
}

typedef struct fixup { uint32_t at, pc; } fixup; /* a 4-byte offset field and its instruction */
typedef struct code {
	uint8_t b[8192];
	uint8_t start[8192];
	size_t n;
	fixup fix[256];
	size_t n_fix;
	uint32_t pcs[512];   /* instruction starts */
	size_t n_pcs;
} code;

static void put(code *c, const uint8_t *bytes, size_t n)
{
	c->pcs[c->n_pcs++] = (uint32_t)c->n;
	c->start[c->n] = 1;
	memcpy(c->b + c->n, bytes, n);
	c->n += n;
}

/* A register field: 0..12, one in 32 a field of 13..15 (which means r12). */
static uint8_t reg(void) { return (uint8_t)(next_rand() % 32 ? next_rand() % 13 : 13 + next_rand() % 3); }

/* One random instruction of a register-only or memory form (memory: sometimes a small sbrk, in
 * GP 0.7.2). */
static void random_inst(code *c, bool memory)
{
	if (memory && isa == PVM_ISA_072 && next_rand() % 16 == 0) {
		uint8_t r = reg(), size[6] = { OPB(load_imm), r };
		uint32_t n = (uint32_t)(next_rand() % 20000);
		memcpy(size + 2, &n, 4);
		put(c, size, 6);
		uint8_t sb[2] = { OPB(sbrk), (uint8_t)(reg() | r << 4) };
		put(c, sb, 2);
		return;
	}
	uint8_t op;
	do op = pvm_isa_ops(isa)[next_rand() % PVM_NUM_OPCODES];
	while (pvm_op_ends_region(op) || op == PVM_OP_sbrk || (!memory && pvm_ops[op].acc != PVM_ACC_NOMEM));
	uint32_t x = (uint32_t)edge_value();
	uint8_t i[16];
	switch (pvm_ops[op].form) {
	case PVM_FORM_REG2:
		i[0] = OPB_OF(op); i[1] = (uint8_t)(reg() | reg() << 4);
		put(c, i, 2);
		break;
	case PVM_FORM_REG3:
		i[0] = OPB_OF(op); i[1] = (uint8_t)(reg() | reg() << 4); i[2] = reg();
		put(c, i, 3);
		break;
	case PVM_FORM_REG_IMM64: {
		uint64_t v = edge_value();
		i[0] = OPB_OF(op); i[1] = reg();
		memcpy(i + 2, &v, 8);
		put(c, i, 10);
		break;
	}
	case PVM_FORM_REG2_IMM: /* memory forms: base register r12 holds an address near 0x20000 */
		i[0] = OPB_OF(op);
		i[1] = (uint8_t)(reg() | (pvm_ops[op].acc != PVM_ACC_NOMEM ? 12 : reg()) << 4);
		if (pvm_ops[op].acc != PVM_ACC_NOMEM) x = (uint32_t)(next_rand() % 24) - 12;
		memcpy(i + 2, &x, 4);
		put(c, i, 6);
		break;
	case PVM_FORM_REG_IMM:
		i[0] = OPB_OF(op); i[1] = reg();
		if (pvm_ops[op].acc != PVM_ACC_NOMEM) x = hot + (uint32_t)(next_rand() % 16);
		memcpy(i + 2, &x, 4);
		put(c, i, 6);
		break;
	default: { /* store_imm / store_imm_ind: X is the address (offset), Y the value */
		uint32_t y = (uint32_t)edge_value();
		bool ind = pvm_ops[op].form == PVM_FORM_REG_IMM2;
		x = ind ? (uint32_t)(next_rand() % 24) - 12 : hot + (uint32_t)(next_rand() % 16);
		i[0] = OPB_OF(op); i[1] = ind ? (uint8_t)(12 | 4 << 4) : 4;
		memcpy(i + 2, &x, 4);
		memcpy(i + 6, &y, 4);
		put(c, i, 10);
		break;
	}
	}
}

/* Dynamic-jump addresses: jump-table entries 0..3, the halt address, and invalid ones. */
static uint32_t djump_addr(void)
{
	static const uint32_t a[] = { 2, 4, 6, 8, 0xffff0000u, 0, 1, 3, 10, 0x100 };
	return a[next_rand() % (sizeof a / sizeof a[0])];
}

/* One random control-flow instruction; register r11 stays 0 (ALU ops write r0..r10 only). */
static void random_control(code *c)
{
	uint8_t i[16];
	uint32_t x = (uint32_t)edge_value(), off = 0;
	uint8_t ra = (uint8_t)(next_rand() % 11), rb = (uint8_t)(next_rand() % 11);
	switch (next_rand() % 9) {
	case 0: i[0] = OPB(jump); memcpy(i + 1, &off, 4); c->fix[c->n_fix++] = (fixup){ (uint32_t)c->n + 1, (uint32_t)c->n }; put(c, i, 5); break;
	case 1: case 2: /* branch_*_imm rA, X, T */
		i[0] = OPB_OF(pick_branch(PVM_FORM_REG_IMM_OFF)); i[1] = (uint8_t)(ra | 4 << 4);
		if (next_rand() % 2) x = (uint32_t)(next_rand() % 4);
		memcpy(i + 2, &x, 4); memcpy(i + 6, &off, 4);
		c->fix[c->n_fix++] = (fixup){ (uint32_t)c->n + 6, (uint32_t)c->n };
		put(c, i, 10);
		break;
	case 3: /* branch_* rA, rB, T */
		i[0] = OPB_OF(pick_branch(PVM_FORM_REG2_OFF)); i[1] = (uint8_t)(ra | rb << 4); memcpy(i + 2, &off, 4);
		c->fix[c->n_fix++] = (fixup){ (uint32_t)c->n + 2, (uint32_t)c->n };
		put(c, i, 6);
		break;
	case 4: /* jump_ind r11 (= 0), X */
		x = djump_addr(); i[0] = OPB(jump_ind); i[1] = 11; memcpy(i + 2, &x, 4); put(c, i, 6);
		break;
	case 5: { /* load_imm_jump_ind rA, r11, X, Y */
		uint32_t y = djump_addr();
		i[0] = OPB(load_imm_jump_ind); i[1] = (uint8_t)(ra | 11 << 4); i[2] = 4;
		memcpy(i + 3, &x, 4); memcpy(i + 7, &y, 4); put(c, i, 11);
		break;
	}
	case 6: i[0] = OPB(fallthrough); put(c, i, 1); break;
	case 7: i[0] = OPB(ecalli); memcpy(i + 1, &x, 4); put(c, i, 5); break;
	default: i[0] = OPB(trap); put(c, i, 1); break;
	}
}

enum mode { ALU, MEMORY, CONTROL };
enum { SWEEP_GAS = 64 };

/* Run the three engines from init and compare the final states and each JIT's sandbox protections
 * with the interpreter's. */
static bool compare_runs(const pvm_engine *const eng[3], void *const prep[3], const pvm_state *init, int seed,
                         enum mode mode, size_t *fails)
{
	pvm_state st[3];
	pvm_exit x[3];
	for (int k = 0; k < 3; k++) {
		pvm_state_copy(&st[k], init);
		x[k] = eng[k]->run(prep[k], &st[k]);
	}
	bool ok = true;
	for (int k = 1; k < 3; k++) {
		char why[512];
		if (!pvm_perm_compare(eng[0], prep[0], &st[0], eng[k], prep[k], &st[k], true, why, sizeof why) ||
		    !pvm_state_compare(eng[0]->name, &st[0], x[0], eng[k]->name, &st[k], x[k], why, sizeof why) ||
		    !pvm_perm_compare(eng[0], prep[0], &st[0], eng[k], prep[k], &st[k], false, why, sizeof why)) {
			if ((*fails)++ < 10)
				fprintf(stderr, "GP %s seed %d (mode %d, gas %lld, pc %u): %s\n", pvm_isa_name(isa), seed, mode,
				        (long long)init->gas, init->pc, why);
			ok = false;
		}
	}
	for (int k = 0; k < 3; k++) pvm_state_fini(&st[k]);
	return ok;
}

static bool run_program(int seed, enum mode mode, size_t *fails)
{
	static code c;
	memset(&c, 0, sizeof c);
	hot = mode == MEMORY && next_rand() % 3 == 0 ? 0xfffffff8u : 0x20ff8u;
	int n = 1 + (int)(next_rand() % 40);
	for (int k = 0; k < n; k++) {
		if (mode == CONTROL && next_rand() % 4 == 0) random_control(&c);
		else random_inst(&c, mode == MEMORY);
		if (mode == CONTROL && next_rand() % 6 == 0) /* padding: bitmask-0 bytes, up to a long skip */
			for (int pad = 1 + (int)(next_rand() % 30); pad > 0; pad--) c.b[c.n++] = (uint8_t)next_rand();
	}
	if (mode == CONTROL) { /* r11 stays 0 for the dynamic jumps: rewrite destinations 11/12 */
		for (size_t k = 0; k < c.n_pcs; k++) {
			uint8_t *in = c.b + c.pcs[k], f = pvm_ops[pvm_op_decode(isa, in[0])].form; /* a byte, not an op id */
			if (f == PVM_FORM_REG3 && in[2] >= 11) in[2] = 10;
			if ((f == PVM_FORM_REG2 || f == PVM_FORM_REG2_IMM || f == PVM_FORM_REG_IMM ||
			     f == PVM_FORM_REG_IMM64) && (in[1] & 15) >= 11) in[1] = (uint8_t)((in[1] & 0xf0) | 10);
		}
	}
	c.b[c.n] = OPB(trap);
	c.start[c.n++] = 1;
	/* the block starts (0, and each start a terminator's skip reaches): half the targets that are
	 * instruction starts are one of them, so jumps and jump-table slots land on blocks (loops, and
	 * dynamic jumps that go on) as often as they panic */
	static uint32_t blocks[512];
	size_t n_blocks = 0;
	blocks[n_blocks++] = 0;
	for (size_t k = 1; k < c.n_pcs; k++) {
		unsigned op = (unsigned)pvm_op_decode(isa, c.b[c.pcs[k - 1]]);
		if (pvm_ops[op].ctl != PVM_CTL_NEXT && pvm_ops[op].ctl != PVM_CTL_HOST && c.pcs[k] - c.pcs[k - 1] <= 25)
			blocks[n_blocks++] = c.pcs[k];
	}
#define TARGET() (next_rand() % 4 == 0 ? (uint32_t)(next_rand() % (c.n + 4)) \
                  : next_rand() % 2 ? blocks[next_rand() % n_blocks] : c.pcs[next_rand() % c.n_pcs])
	for (size_t k = 0; k < c.n_fix; k++) { /* targets: mostly instruction starts, some anywhere */
		uint32_t t = TARGET();
		int32_t off = (int32_t)(t - c.fix[k].pc);
		memcpy(c.b + c.fix[k].at, &off, 4);
	}
	uint8_t blob[20000];
	size_t len = 0;
	blob[len++] = 4;  /* |j| */
	blob[len++] = 4;  /* z */
	len += pvm_varint_encode(c.n, blob + len);
	for (int k = 0; k < 4; k++) {
		uint32_t t = TARGET();
		memcpy(blob + len, &t, 4);
		len += 4;
	}
	memcpy(blob + len, c.b, c.n);
	len += c.n;
	for (size_t k = 0; k < (c.n + 7) / 8; k++) {
		uint8_t m = 0;
		for (size_t j = 0; j < 8 && 8 * k + j < c.n; j++) m |= (uint8_t)(c.start[8 * k + j] << j);
		blob[len++] = m;
	}
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode_isa(&p, isa, blob, len, "random", &e)) {
		fprintf(stderr, "seed %d: %s\n", seed, e.msg);
		(*fails)++;
		return false;
	}
	pvm_state init;
	pvm_state_init(&init);
	for (int r = 0; r < PVM_NUM_REGS; r++) init.regs[r] = edge_value();
	init.regs[12] = hot + next_rand() % 16;
	init.gas = 1000;
	if (mode == CONTROL) {
		init.regs[11] = 0;
		init.gas = (int64_t)(next_rand() % (next_rand() % 2 ? 40 : 300));
		init.pc = next_rand() % 8 ? 0 : c.pcs[next_rand() % c.n_pcs];
	}
	static const pvm_perm perms[] = { PVM_NONE, PVM_READ, PVM_WRITE, PVM_WRITE };
	pvm_mem_map(init.mem, hot & ~0xfffu, 4096, PVM_WRITE);
	pvm_mem_map(init.mem, (hot & ~0xfffu) + 4096, 4096, perms[next_rand() % 4]);
	for (uint32_t a = hot - 8; a != hot + 24; a++) {
		uint8_t v = (uint8_t)next_rand();
		pvm_mem_poke(init.mem, a, &v, 1);
	}
	const pvm_engine *eng[] = { &interp_engine, &jit_engine, &jit_portable_engine };
	void *prep[3];
	for (int k = 0; k < 3; k++) prep[k] = eng[k]->load(&p, &e);
	bool ok = compare_runs(eng, prep, &init, seed, mode, fails);
	/* control flow: every gas from 0 to SWEEP_GAS too, so that runs stop out of gas at every
	 * region and chain head the program reaches (a chain's head with its own block paid and the
	 * chain not: the rest of the run is the twin's, runtime.c) */
	for (int64_t g = 0; ok && mode == CONTROL && g <= SWEEP_GAS; g++) {
		init.gas = g;
		ok = compare_runs(eng, prep, &init, seed, mode, fails);
	}
	for (int k = 0; k < 3; k++) eng[k]->free(prep[k]);
	pvm_state_fini(&init);
	pvm_program_fini(&p);
	return ok;
}

int main(void)
{
	size_t passed = 0, fails = 0;
	for (int k = 0; k < 2; k++) { /* GP 0.7.2, then GP 0.8.0: the same generator, each one's opcode bytes */
		isa = k ? PVM_ISA_080 : PVM_ISA_072;
		for (int seed = 0; seed < 9000; seed++) passed += run_program(seed, (enum mode)(seed % 3), &fails);
	}
	printf("random: %zu passed, %zu failed\n", passed, fails);
	return fails != 0;
}
