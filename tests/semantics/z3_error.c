/* tests/semantics/z3_error.c SPEC: a Z3 error while building an instruction's spec terms (here:
 * operand terms of the wrong width, which Z3 refuses) is SEM_EZ3 with "NAME: Z3 error: MESSAGE",
 * not a crash, on each path of sem_z3_build that builds an expression (register set, sbrk, store,
 * branch, load address); the same instructions with the right widths build. */
#include <stdio.h>
#include <string.h>
#include "semantics/sem.h"

static Z3_ast bv(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, w));
}

/* Build op with immediates of imm_w bits and registers of reg_w bits: SEM_OK or the message. */
static sem_err build(Z3_context z, const sem_spec *sp, unsigned op, unsigned reg_w, unsigned imm_w, pvm_errbuf *e)
{
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	sem_z3_pre pre = { .ra = 1, .rb = 2, .rd = 3 };
	char name[8];
	for (int r = 0; r < PVM_NUM_REGS; r++) {
		snprintf(name, sizeof name, "r%d", r);
		pre.regs[r] = bv(z, name, reg_w);
	}
	pre.mem = Z3_mk_const(z, Z3_mk_string_symbol(z, "mem"), Z3_mk_array_sort(z, b32, Z3_mk_bv_sort(z, 8)));
	pre.imm = bv(z, "x", imm_w);
	pre.imm2 = bv(z, "y", imm_w);
	pre.target = bv(z, "t", 32);
	pre.pc = bv(z, "pc", 32);
	pre.next = bv(z, "next", 32);
	pre.gas = bv(z, "gas", 64);
	sem_z3_post post;
	e->msg[0] = 0;
	return sem_z3_build(z, sp, op, &pre, &post, e);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: z3_error SPEC\n");
		return 2;
	}
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load(argv[1], &e);
	if (!sp) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	Z3_config cfg = Z3_mk_config();
	Z3_context z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(z, NULL);
	static const struct { unsigned op; unsigned reg_w, imm_w; } bad[] = {
		{ PVM_OP_add_imm_64, 64, 16 },     /* set rA := rB + X */
		{ PVM_OP_sbrk, 8, 64 },            /* rD := sbrk(rA): the uninterpreted sbrk takes 64 bits */
		{ PVM_OP_store_ind_u8, 64, 16 },   /* store at rB + X */
		{ PVM_OP_branch_eq_imm, 64, 16 },  /* branch on rA = X */
		{ PVM_OP_load_ind_u16, 64, 16 },   /* load from rB + X */
	};
	int failures = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *name = pvm_ops[bad[i].op].name;
		sem_err r = build(z, sp, bad[i].op, bad[i].reg_w, bad[i].imm_w, &e);
		bool ok = r == SEM_EZ3 && strstr(e.msg, "Z3 error: ") && !strncmp(e.msg, name, strlen(name));
		printf("%s: %s wrong widths -> %s\n", ok ? "ok" : "FAIL", name, r == SEM_OK ? "built" : e.msg);
		failures += !ok;
		r = build(z, sp, bad[i].op, 64, 64, &e);
		printf("%s: %s right widths -> %s\n", r == SEM_OK ? "ok" : "FAIL", name, r == SEM_OK ? "built" : e.msg);
		failures += r != SEM_OK;
	}
	Z3_del_context(z);
	sem_spec_free(sp);
	printf("z3_error: %d failures\n", failures);
	return failures != 0;
}
