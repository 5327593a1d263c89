/* tests/lifter/unit.c: the lifter on hand-assembled bytes (GNU as, bytes beside their assembly).
 * Each case lifts a buffer over a symbolic state and asks Z3 to prove a claim about the exits;
 * error cases check the status and that the message names the address and the instruction.
 * Prints one line per case and "N passed, N failed". */
#include <stdio.h>
#include <string.h>
#include "lifter/lift.h"

enum { BASE = 0x1000 };

typedef struct env {
	Z3_context z;
	lift_ctx *lc;
	lift_state in;
	lift_result r;
} env;

static int passed, failed;

static void check(bool ok, const char *name, const char *detail)
{
	printf("%-34s %s%s%s\n", name, ok ? "ok" : "FAIL", detail && !ok ? ": " : "", detail && !ok ? detail : "");
	if (ok) passed++;
	else failed++;
}

static Z3_ast num(env *e, unsigned w, uint64_t v) { return Z3_mk_unsigned_int64(e->z, v, Z3_mk_bv_sort(e->z, w)); }
static Z3_ast reg(env *e, int r) { return e->in.gpr[r]; }
static Z3_ast lo32(env *e, Z3_ast a) { return Z3_mk_extract(e->z, 31, 0, a); }
static Z3_ast eq(env *e, Z3_ast a, Z3_ast b) { return Z3_mk_eq(e->z, a, b); }

/* Valid claim: its negation is unsat. */
static bool valid(env *e, Z3_ast claim)
{
	Z3_solver s = Z3_mk_solver(e->z);
	Z3_solver_inc_ref(e->z, s);
	Z3_solver_assert(e->z, s, Z3_mk_not(e->z, claim));
	Z3_lbool r = Z3_solver_check(e->z, s);
	Z3_solver_dec_ref(e->z, s);
	return r == Z3_L_FALSE;
}

static lift_err lift(env *e, const uint8_t *code, size_t len, const lift_field *f, size_t nf)
{
	lift_result_fini(&e->r);
	return lift_block(e->lc, code, len, BASE, f, nf, &e->in, &e->r);
}

static const lift_exit *find(env *e, lift_exit_kind k, uint64_t target)
{
	for (size_t i = 0; i < e->r.nexits; i++)
		if (e->r.exits[i].kind == k && e->r.exits[i].target == target) return &e->r.exits[i];
	return NULL;
}

/* Lift and expect one fall-through exit, always taken; returns its state or NULL. */
static const lift_state *straight(env *e, const uint8_t *code, size_t len, const lift_field *f, size_t nf)
{
	if (lift(e, code, len, f, nf) != LIFT_OK || e->r.nexits != 1 || e->r.exits[0].kind != LIFT_EXIT_FALL ||
	    e->r.exits[0].target != BASE + len || !valid(e, e->r.exits[0].cond))
		return NULL;
	return &e->r.exits[0].st;
}

static void t_errors(env *e)
{
	static const uint8_t cpuid[] = { 0x48, 0x89, 0xd8, 0x0f, 0xa2 };      /* mov rax, rbx; cpuid */
	static const uint8_t rdtsc[] = { 0x0f, 0x31 };                         /* rdtsc */
	static const uint8_t junk[] = { 0x48, 0x89, 0xd8, 0x06 };             /* mov rax, rbx; (push es) */
	static const uint8_t loop[] = { 0x48, 0xff, 0xc9, 0x75, 0xfb };        /* L: dec rcx; jne L */
	lift_err err = lift(e, cpuid, sizeof cpuid, NULL, 0);
	check(err == LIFT_EUNSUPPORTED && strstr(lift_errmsg(e->lc), "0x1003") &&
	      strstr(lift_errmsg(e->lc), "cpuid"), "unsupported cpuid", lift_errmsg(e->lc));
	err = lift(e, rdtsc, sizeof rdtsc, NULL, 0);
	check(err == LIFT_EUNSUPPORTED && strstr(lift_errmsg(e->lc), "0x1000") &&
	      strstr(lift_errmsg(e->lc), "rdtsc"), "unsupported rdtsc", lift_errmsg(e->lc));
	err = lift(e, junk, sizeof junk, NULL, 0);
	check(err == LIFT_EDECODE && strstr(lift_errmsg(e->lc), "0x1003"), "undecodable bytes", lift_errmsg(e->lc));
	err = lift(e, loop, sizeof loop, NULL, 0);
	check(err == LIFT_ELIMIT, "loop hits the step limit", lift_errmsg(e->lc));
	err = lift(e, loop, 0, NULL, 0);
	check(!err && e->r.nexits == 1 && e->r.exits[0].kind == LIFT_EXIT_FALL && e->r.exits[0].target == BASE,
	      "empty buffer falls through", lift_errmsg(e->lc));
}

static void t_widths(env *e)
{
	Z3_context z = e->z;
	static const uint8_t mov32[] = { 0x89, 0xd8 };          /* mov eax, ebx */
	static const uint8_t mov8[] = { 0x88, 0xd8 };           /* mov al, bl */
	static const uint8_t movah[] = { 0x88, 0xfc };          /* mov ah, bh */
	static const uint8_t cmov32[] = { 0x0f, 0x44, 0xc3 };   /* cmove eax, ebx */
	const lift_state *s = straight(e, mov32, sizeof mov32, NULL, 0);
	check(s && valid(e, eq(e, s->gpr[LIFT_RAX], Z3_mk_zero_ext(z, 32, lo32(e, reg(e, LIFT_RBX))))),
	      "32-bit write zero-extends", NULL);
	s = straight(e, mov8, sizeof mov8, NULL, 0);
	check(s && valid(e, eq(e, s->gpr[LIFT_RAX], Z3_mk_concat(z, Z3_mk_extract(z, 63, 8, reg(e, LIFT_RAX)),
								    Z3_mk_extract(z, 7, 0, reg(e, LIFT_RBX))))),
	      "8-bit write merges", NULL);
	s = straight(e, movah, sizeof movah, NULL, 0);
	check(s && valid(e, eq(e, Z3_mk_extract(z, 15, 8, s->gpr[LIFT_RAX]), Z3_mk_extract(z, 15, 8, reg(e, LIFT_RBX)))) &&
	      valid(e, eq(e, Z3_mk_extract(z, 7, 0, s->gpr[LIFT_RAX]), Z3_mk_extract(z, 7, 0, reg(e, LIFT_RAX)))),
	      "high-byte write merges", NULL);
	/* cmov r32 zero-extends the destination even when the condition is false */
	s = straight(e, cmov32, sizeof cmov32, NULL, 0);
	check(s && valid(e, eq(e, Z3_mk_extract(z, 63, 32, s->gpr[LIFT_RAX]), num(e, 32, 0))),
	      "cmov r32 always zero-extends", NULL);
}

static void t_flow(env *e)
{
	Z3_context z = e->z;
	/* cmp rdi, rsi; jb L; mov eax, 1; jmp E; L: mov eax, 2; E: */
	static const uint8_t diamond[] = { 0x48, 0x39, 0xf7, 0x72, 0x07, 0xb8, 0x01, 0x00, 0x00, 0x00,
					   0xeb, 0x05, 0xb8, 0x02, 0x00, 0x00, 0x00 };
	const lift_state *s = straight(e, diamond, sizeof diamond, NULL, 0);
	Z3_ast want = Z3_mk_ite(z, Z3_mk_bvult(z, reg(e, LIFT_RDI), reg(e, LIFT_RSI)), num(e, 64, 2), num(e, 64, 1));
	check(s && valid(e, eq(e, s->gpr[LIFT_RAX], want)), "diamond merges with ite", NULL);
	/* test rdi, rdi; je 0x2000; mov eax, 3 */
	static const uint8_t ex[] = { 0x48, 0x85, 0xff, 0x0f, 0x84, 0xf7, 0x0f, 0x00, 0x00, 0xb8, 0x03, 0x00, 0x00, 0x00 };
	lift_err err = lift(e, ex, sizeof ex, NULL, 0);
	const lift_exit *j = find(e, LIFT_EXIT_JUMP, 0x2000), *f = find(e, LIFT_EXIT_FALL, BASE + sizeof ex);
	Z3_ast zero = eq(e, reg(e, LIFT_RDI), num(e, 64, 0));
	check(!err && e->r.nexits == 2 && j && f && valid(e, eq(e, j->cond, zero)) &&
	      valid(e, eq(e, f->cond, Z3_mk_not(z, zero))) && valid(e, eq(e, f->st.gpr[LIFT_RAX], num(e, 64, 3))) &&
	      valid(e, eq(e, j->st.gpr[LIFT_RAX], reg(e, LIFT_RAX))),
	      "exit to a known address", lift_errmsg(e->lc));
	/* jmp B; A: mov eax, 1; jmp E; B: jmp A; E:   (a backward jump, no loop) */
	static const uint8_t back[] = { 0xeb, 0x07, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xeb, 0x02, 0xeb, 0xf7 };
	s = straight(e, back, sizeof back, NULL, 0);
	check(s && valid(e, eq(e, s->gpr[LIFT_RAX], num(e, 64, 1))), "backward jump", lift_errmsg(e->lc));
	/* call 0x3000 (outside): exit with the return address pushed */
	static const uint8_t call[] = { 0xe8, 0xfb, 0x1f, 0x00, 0x00 };
	err = lift(e, call, sizeof call, NULL, 0);
	j = find(e, LIFT_EXIT_CALL, 0x3000);
	Z3_ast sp = Z3_mk_bvsub(z, reg(e, LIFT_RSP), num(e, 64, 8));
	check(!err && j && valid(e, eq(e, j->st.gpr[LIFT_RSP], sp)) &&
	      valid(e, eq(e, lift_mem_read(e->lc, j->st.mem, sp, 8), num(e, 64, BASE + 5))),
	      "call pushes the return address", lift_errmsg(e->lc));
	/* ud2 */
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	err = lift(e, ud2, sizeof ud2, NULL, 0);
	check(!err && e->r.nexits == 1 && e->r.exits[0].kind == LIFT_EXIT_TRAP && e->r.exits[0].target == BASE,
	      "ud2 is a trap exit", lift_errmsg(e->lc));
}

static void t_div(env *e)
{
	Z3_context z = e->z;
	static const uint8_t div[] = { 0x48, 0xf7, 0xf1 };                       /* div rcx */
	static const uint8_t udiv[] = { 0x31, 0xd2, 0x48, 0xf7, 0xf1 };           /* xor edx, edx; div rcx */
	static const uint8_t sdiv[] = { 0x48, 0x99, 0x48, 0xf7, 0xf9 };           /* cqo; idiv rcx */
	static const uint8_t sdiv32[] = { 0x99, 0xf7, 0xf9 };                     /* cdq; idiv ecx */
	Z3_ast a = reg(e, LIFT_RAX), b = reg(e, LIFT_RCX), d = reg(e, LIFT_RDX);
	lift_err err = lift(e, div, sizeof div, NULL, 0);
	const lift_exit *de = find(e, LIFT_EXIT_DE, BASE);
	Z3_ast want = Z3_mk_or(z, 2, (Z3_ast[]){ eq(e, b, num(e, 64, 0)), Z3_mk_bvuge(z, d, b) });
	check(!err && e->r.nexits == 2 && de && valid(e, eq(e, de->cond, want)) &&
	      valid(e, eq(e, de->st.gpr[LIFT_RAX], a)), "div: #DE exit and condition", lift_errmsg(e->lc));
	err = lift(e, udiv, sizeof udiv, NULL, 0);
	const lift_exit *f = find(e, LIFT_EXIT_FALL, BASE + sizeof udiv);
	de = find(e, LIFT_EXIT_DE, BASE + 2);
	check(!err && f && de && Z3_is_eq_ast(z, f->st.gpr[LIFT_RAX], Z3_simplify(z, Z3_mk_bvudiv(z, a, b))) &&
	      Z3_is_eq_ast(z, f->st.gpr[LIFT_RDX], Z3_simplify(z, Z3_mk_bvurem(z, a, b))) &&
	      valid(e, eq(e, de->cond, eq(e, b, num(e, 64, 0)))),
	      "div rdx=0 is bvudiv (canonical)", lift_errmsg(e->lc));
	err = lift(e, sdiv, sizeof sdiv, NULL, 0);
	f = find(e, LIFT_EXIT_FALL, BASE + sizeof sdiv);
	check(!err && f && Z3_is_eq_ast(z, f->st.gpr[LIFT_RAX], Z3_simplify(z, Z3_mk_bvsdiv(z, a, b))) &&
	      Z3_is_eq_ast(z, f->st.gpr[LIFT_RDX], Z3_simplify(z, Z3_mk_bvsrem(z, a, b))),
	      "cqo; idiv is bvsdiv (canonical)", lift_errmsg(e->lc));
	err = lift(e, sdiv32, sizeof sdiv32, NULL, 0);
	f = find(e, LIFT_EXIT_FALL, BASE + sizeof sdiv32);
	check(!err && f && valid(e, eq(e, f->st.gpr[LIFT_RAX],
				   Z3_mk_zero_ext(z, 32, Z3_mk_bvsdiv(z, lo32(e, a), lo32(e, b))))),
	      "cdq; idiv r32 is bvsdiv", lift_errmsg(e->lc));
}

static void t_fields(env *e)
{
	Z3_context z = e->z;
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "X"), Z3_mk_bv_sort(z, 32));
	Z3_ast x8 = Z3_mk_const(z, Z3_mk_string_symbol(z, "X8"), Z3_mk_bv_sort(z, 8));
	static const uint8_t addimm[] = { 0x48, 0x05, 0x78, 0x56, 0x34, 0x12 };          /* add rax, 0x12345678 */
	static const uint8_t load[] = { 0x49, 0x8b, 0x9f, 0x10, 0x00, 0x00, 0x00 };     /* mov rbx, [r15 + 0x10] */
	static const uint8_t shl[] = { 0x48, 0xc1, 0xe0, 0x05 };                        /* shl rax, 5 */
	lift_field f = { 2, 4, x };
	const lift_state *s = straight(e, addimm, sizeof addimm, &f, 1);
	check(s && valid(e, eq(e, s->gpr[LIFT_RAX], Z3_mk_bvadd(z, reg(e, LIFT_RAX), Z3_mk_sign_ext(z, 32, x)))),
	      "symbolic imm32 (sign-extended)", lift_errmsg(e->lc));
	f = (lift_field){ 3, 4, x };
	s = straight(e, load, sizeof load, &f, 1);
	Z3_ast addr = Z3_mk_bvadd(z, reg(e, LIFT_R15), Z3_mk_sign_ext(z, 32, x));
	check(s && valid(e, eq(e, s->gpr[LIFT_RBX], lift_mem_read(e->lc, e->in.mem, addr, 8))),
	      "symbolic disp32", lift_errmsg(e->lc));
	f = (lift_field){ 3, 1, x8 };
	s = straight(e, shl, sizeof shl, &f, 1);
	Z3_ast cnt = Z3_mk_zero_ext(z, 56, Z3_mk_bvand(z, x8, num(e, 8, 63)));
	check(s && valid(e, eq(e, s->gpr[LIFT_RAX], Z3_mk_bvshl(z, reg(e, LIFT_RAX), cnt))),
	      "symbolic shift count", lift_errmsg(e->lc));
	f = (lift_field){ 1, 4, x };
	check(lift(e, addimm, sizeof addimm, &f, 1) == LIFT_EFIELD && strstr(lift_errmsg(e->lc), "0x1000"),
	      "misplaced field rejected", lift_errmsg(e->lc));
}

int main(void)
{
	Z3_config cfg = Z3_mk_config();
	env e = { .z = Z3_mk_context(cfg) };
	Z3_del_config(cfg);
	e.lc = lift_new(e.z);
	if (!e.lc) {
		fprintf(stderr, "capstone: cannot open\n");
		return 1;
	}
	lift_state_fresh(e.lc, &e.in, "s");
	t_errors(&e);
	t_widths(&e);
	t_flow(&e);
	t_div(&e);
	t_fields(&e);
	lift_result_fini(&e.r);
	lift_free(e.lc);
	Z3_del_context(e.z);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
