/* tests/interp/unit.c: interpreter semantics the w3f vectors do not reach: out-of-gas at the
 * exact region boundary, host-call and resume, page faults (straddling, below 0x10000, wrapping
 * at 0xFFFFFFFC, region gas kept), load_imm_jump_ind writing rA before a panicking djump, jump
 * tables with invalid entries, branches to non-block targets, sbrk, cmov_nz_imm, pc past the code. */
#include <stdlib.h>
#include <string.h>
#include "interp/interp.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
	failures++; } } while (0)

typedef struct prog {
	uint8_t code[256];
	char starts[257];
	size_t n;
	uint32_t jt[8];
	size_t jt_len;
} prog;

/* Appends one instruction (its bytes); returns its pc. */
static uint32_t ins(prog *p, size_t n, const uint8_t *b)
{
	uint32_t pc = (uint32_t)p->n;
	memcpy(p->code + p->n, b, n);
	for (size_t i = 0; i < n; i++) p->starts[p->n + i] = i ? '0' : '1';
	p->n += n;
	p->starts[p->n] = 0;
	return pc;
}
#define OPB(name) pvm_byte(PVM_ISA_072, PVM_OP_##name) /* its GP 0.7.2 opcode byte */
#define I(p, ...) ins(p, sizeof((const uint8_t[]){ __VA_ARGS__ }), (const uint8_t[]){ __VA_ARGS__ })

typedef struct run {
	pvm_program prog;
	interp *it;
	pvm_state s;
} run;

static void load(run *r, const prog *p, int64_t gas)
{
	uint8_t b[512];
	size_t k = 0;
	b[k++] = (uint8_t)p->jt_len;
	b[k++] = 1;
	k += pvm_varint_encode(p->n, b + k);
	for (size_t i = 0; i < p->jt_len; i++) b[k++] = (uint8_t)p->jt[i];
	memcpy(b + k, p->code, p->n);
	k += p->n;
	memset(b + k, 0, (p->n + 7) / 8);
	for (size_t i = 0; i < p->n; i++)
		if (p->starts[i] == '1') b[k + i / 8] |= (uint8_t)(1u << (i % 8));
	k += (p->n + 7) / 8;
	pvm_errbuf e;
	if (pvm_program_decode(&r->prog, b, k, "t", &e)) {
		printf("decode: %s\n", e.msg);
		abort();
	}
	r->it = interp_new(&r->prog, &e);
	pvm_state_init(&r->s);
	r->s.gas = gas;
}

static void done(run *r)
{
	interp_free(r->it);
	pvm_program_fini(&r->prog);
	pvm_state_fini(&r->s);
}

static void test_gas(void)
{
	/* region at 0: load_imm r1,1; load_imm r2,2; fallthrough (cost 3); region at 7: trap (1) */
	prog p = { 0 };
	I(&p, OPB(load_imm), 1, 1);
	I(&p, OPB(load_imm), 2, 2);
	I(&p, OPB(fallthrough));
	I(&p, OPB(trap));
	run r;
	pvm_exit x;
	load(&r, &p, 4);
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.pc == 7 && r.s.gas == 0 && r.s.regs[2] == 2);
	done(&r);
	load(&r, &p, 3); /* enough for the first region, not for the trap */
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_OOG && r.s.pc == 7 && r.s.gas == 0 && r.s.regs[1] == 1);
	done(&r);
	load(&r, &p, 2); /* one less than the first region: nothing happens */
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_OOG && r.s.pc == 0 && r.s.gas == 2 && r.s.regs[1] == 0);
	done(&r);
	load(&r, &p, -5);
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_OOG && r.s.pc == 0 && r.s.gas == -5);
	done(&r);
}

static void test_host(void)
{
	prog p = { 0 };
	I(&p, OPB(ecalli), 7);
	I(&p, OPB(load_imm), 1, 5);
	I(&p, OPB(ecalli), 0x80); /* id sign-extends: 0xFFFFFF80 */
	I(&p, OPB(jump_ind), 0);
	run r;
	load(&r, &p, 100);
	r.s.regs[0] = 0xFFFF0000u;
	pvm_exit x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_HOST && x.host_id == 7 && r.s.pc == 0 && x.next == 2 && r.s.gas == 99);
	r.s.regs[2] = 42;
	x = interp_resume(r.it, &r.s, x);
	CHECK(x.status == PVM_HOST && x.host_id == 0xFFFFFF80u && r.s.pc == 5 && x.next == 7);
	CHECK(r.s.regs[1] == 5 && r.s.regs[2] == 42 && r.s.gas == 97);
	x = interp_resume(r.it, &r.s, x);
	CHECK(x.status == PVM_HALT && r.s.pc == 7 && r.s.gas == 96);
	done(&r);
}

static void test_faults(void)
{
	prog p = { 0 };
	I(&p, OPB(store_ind_u32), 0x21, 0); /* M[r2 + 0] = r1 */
	I(&p, OPB(load_imm), 3, 1);
	run r;
	pvm_exit x;
	uint8_t got[4];
	/* straddling store: second page read-only → page fault at its start, nothing written */
	load(&r, &p, 10);
	pvm_mem_map(r.s.mem, 0x20000, 4096, PVM_WRITE);
	pvm_mem_map(r.s.mem, 0x21000, 4096, PVM_READ);
	r.s.regs[1] = 0xAABBCCDD;
	r.s.regs[2] = 0x20FFE;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_FAULT && x.fault_addr == 0x21000 && r.s.pc == 0);
	CHECK(r.s.gas == 7); /* region = store + load_imm + implicit trap, all charged */
	CHECK(pvm_mem_peek(r.s.mem, 0x20FFE, got, 2) && got[0] == 0 && got[1] == 0);
	CHECK(r.s.regs[3] == 0);
	/* the same store when both pages are writable */
	pvm_mem_map(r.s.mem, 0x21000, 4096, PVM_WRITE);
	r.s.pc = 0;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.pc == 6 && r.s.regs[3] == 1);
	CHECK(pvm_mem_peek(r.s.mem, 0x20FFE, got, 4) && got[0] == 0xDD && got[3] == 0xAA);
	done(&r);
	/* below 0x10000 → panic */
	load(&r, &p, 10);
	r.s.regs[2] = 0xFFFF;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.pc == 0);
	done(&r);
	/* 8-byte load at 0xFFFFFFFC: top page mapped, bytes 0..3 wrap to page 0 → panic */
	prog q = { 0 };
	I(&q, OPB(load_ind_u64), 0x21, 0); /* r1 = M[r2] */
	load(&r, &q, 10);
	pvm_mem_map(r.s.mem, 0xFFFFF000u, 4096, PVM_WRITE);
	r.s.regs[2] = 0xFFFFFFFCu;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.pc == 0 && r.s.regs[1] == 0);
	/* a 4-byte load there is fine; an unmapped high page faults with its page address */
	prog q4 = { 0 };
	I(&q4, OPB(load_ind_u32), 0x21, 0);
	done(&r);
	load(&r, &q4, 10);
	pvm_mem_map(r.s.mem, 0xFFFFF000u, 4096, PVM_WRITE);
	const uint8_t v[4] = { 1, 2, 3, 4 };
	pvm_mem_poke(r.s.mem, 0xFFFFFFFCu, v, 4);
	r.s.regs[2] = 0xFFFFFFFCu;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.regs[1] == 0x04030201);
	r.s.pc = 0;
	r.s.regs[2] = 0xFFFFE123u;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_FAULT && x.fault_addr == 0xFFFFE000u);
	done(&r);
}

static void test_jumps(void)
{
	/* 0 load_imm_jump_ind r1, r2, X=5, Y=0 | 4 trap | 5 fallthrough | 6 trap
	 * jump table: [5 (block start), 6 (block start), 1 (not an instruction start)] */
	prog p = { 0 };
	I(&p, OPB(load_imm_jump_ind), 0x21, 1, 5);
	I(&p, OPB(trap));
	I(&p, OPB(fallthrough));
	I(&p, OPB(trap));
	p.jt[0] = 5, p.jt[1] = 6, p.jt[2] = 1, p.jt_len = 3;
	static const struct { uint64_t r2; pvm_status st; uint32_t pc; } cases[] = {
		{ 0, PVM_PANIC, 0 }, { 2, PVM_PANIC, 6 }, { 4, PVM_PANIC, 6 }, { 6, PVM_PANIC, 0 },
		{ 3, PVM_PANIC, 0 }, { 8, PVM_PANIC, 0 }, { 0xFFFF0000u, PVM_HALT, 0 },
		{ 0x1FFFF0000ull, PVM_HALT, 0 }, /* the target is taken mod 2^32 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run r;
		load(&r, &p, 10);
		r.s.regs[2] = cases[i].r2;
		pvm_exit x = interp_run(r.it, &r.s);
		CHECK(x.status == cases[i].st && r.s.pc == cases[i].pc);
		CHECK(r.s.regs[1] == 5); /* rA is written even when the jump panics */
		done(&r);
	}
	/* a static branch back to a block start loops until the gas runs out */
	prog b = { 0 };
	I(&b, OPB(load_imm), 1, 1);
	I(&b, OPB(branch_eq_imm), 0x11, 1, (uint8_t)-3); /* r1 == 1 → pc 0 */
	run r;
	load(&r, &b, 11);
	pvm_exit x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_OOG && r.s.pc == 0 && r.s.gas == 1);
	done(&r);
	/* a static branch into the middle of an instruction, or past pc 0, panics at the branch */
	static const int8_t offs[] = { -2, -6 };
	for (size_t i = 0; i < 2; i++) {
		prog c = { 0 };
		I(&c, OPB(load_imm), 1, 1);
		I(&c, OPB(branch_eq_imm), 0x11, 1, (uint8_t)offs[i]);
		load(&r, &c, 10);
		x = interp_run(r.it, &r.s);
		CHECK(x.status == PVM_PANIC && r.s.pc == 3 && r.s.gas == 8);
		done(&r);
	}
}

/* Loads after stores see the stored bytes, also when the page was first read while still
 * shared-zero and when a straddling store wrote it (the interpreter caches page pointers). */
static void test_load_after_store(void)
{
	prog p = { 0 };
	I(&p, OPB(load_ind_u64), 0x23, 0);    /* r3 = M[r2] (page still zero) */
	I(&p, OPB(store_ind_u64), 0x21, 0);   /* M[r2] = r1 */
	I(&p, OPB(load_ind_u64), 0x24, 0);    /* r4 = M[r2] */
	I(&p, OPB(load_ind_u32), 0x68, 0);    /* r8 = M[r6] (next page, still zero) */
	I(&p, OPB(store_ind_u64), 0x51, 0);   /* M[r5] = r1, straddling into the next page */
	I(&p, OPB(load_ind_u32), 0x66, 0);    /* r6 = M[r6], in the next page */
	I(&p, OPB(load_ind_u8), 0x77, 0);     /* r7 = M[r7], read-only page written by nobody */
	run r;
	load(&r, &p, 100);
	pvm_mem_map(r.s.mem, 0x20000, 8192, PVM_WRITE);
	pvm_mem_map(r.s.mem, 0x30000, 4096, PVM_READ);
	r.s.regs[1] = 0x1122334455667788ull;
	r.s.regs[2] = 0x20008;
	r.s.regs[5] = 0x20FFC;
	r.s.regs[6] = 0x21000;
	r.s.regs[7] = 0x30000;
	pvm_exit x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.regs[3] == 0 && r.s.regs[4] == 0x1122334455667788ull);
	CHECK(r.s.regs[8] == 0 && r.s.regs[6] == 0x11223344 && r.s.regs[7] == 0);
	done(&r);
}

static void test_misc(void)
{
	/* sbrk from a heap, cmov_nz_imm, register fields 13-15 mean r12 */
	prog p = { 0 };
	I(&p, OPB(sbrk), 0x12);             /* r2 = sbrk(r1) */
	I(&p, OPB(store_ind_u8), 0x23, 0);  /* M[r2] = r3 */
	I(&p, OPB(cmov_nz_imm), 0x24, 9);   /* r4 = 9 if r2 != 0 */
	I(&p, OPB(cmov_nz_imm), 0x05, 9);   /* r5 = 9 if r0 != 0: no */
	I(&p, OPB(add_64), 0xDE, 0x0F);     /* r12 = r12 + r12 */
	I(&p, OPB(trap));
	run r;
	load(&r, &p, 100);
	r.s.heap_base = r.s.heap_top = 0x40000;
	pvm_mem_map(r.s.mem, 0x40000, 4096, PVM_WRITE);
	r.s.regs[1] = 100;
	r.s.regs[3] = 0x77;
	r.s.regs[12] = 21;
	pvm_exit x = interp_run(r.it, &r.s);
	uint8_t got;
	CHECK(x.status == PVM_PANIC && r.s.regs[2] == 0x41000 && r.s.heap_top == 0x41000 + 100);
	CHECK(pvm_mem_peek(r.s.mem, 0x41000, &got, 1) && got == 0x77);
	CHECK(r.s.regs[4] == 9 && r.s.regs[5] == 0 && r.s.regs[12] == 42);
	/* a start pc past the code is a trap there */
	r.s.pc = 1000;
	r.s.gas = 5;
	x = interp_run(r.it, &r.s);
	CHECK(x.status == PVM_PANIC && r.s.pc == 1000 && r.s.gas == 4);
	done(&r);
}

int main(void)
{
	test_gas();
	test_host();
	test_faults();
	test_jumps();
	test_load_after_store();
	test_misc();
	printf("interp unit: %d failures\n", failures);
	return failures != 0;
}
