/* tests/validator/lemmas_test.c: proves every lemma of validator/lemmas.c (the negation must be
 * unsat within 60 s), checks that the chain rewrites both factor orders of R's left side into
 * R's right side, and that a wrong variant of hi-sub-ite is refuted (the check bites).
 * One line per lemma with its time; exit 1 on any sat, unknown or broken chain. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <time.h>
#include "validator/lemmas.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The answer to "not claim" with Z3's default solver and a 60 s timeout; *secs its time. */
static Z3_lbool refute(Z3_context z, Z3_ast claim, double *secs)
{
	Z3_solver s = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, s);
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "timeout"), 60000);
	Z3_solver_set_params(z, s, p);
	Z3_solver_assert(z, s, Z3_mk_not(z, claim));
	double t0 = now();
	Z3_lbool r = Z3_solver_check(z, s);
	*secs = now() - t0;
	Z3_params_dec_ref(z, p);
	Z3_solver_dec_ref(z, s);
	return r;
}

static const char *verdict(Z3_lbool r)
{
	return r == Z3_L_FALSE ? "PROVED" : r == Z3_L_TRUE ? "FALSE" : "UNKNOWN";
}

static Z3_context ctx(void)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	return z;
}

static Z3_ast bv(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, w));
}

/* 1 when the chain turns extract[127:64] of sext(a) * zext(b) (or swapped) into R's right side. */
static int chain_ok(bool swapped)
{
	Z3_context z = ctx();
	Z3_ast a = bv(z, "a", 64), b = bv(z, "b", 64);
	Z3_ast sa = Z3_mk_sign_ext(z, 64, a), za = Z3_mk_zero_ext(z, 64, a), zb = Z3_mk_zero_ext(z, 64, b);
	Z3_ast lhs = Z3_mk_extract(z, 127, 64, swapped ? Z3_mk_bvmul(z, zb, sa) : Z3_mk_bvmul(z, sa, zb));
	Z3_ast zero = Z3_mk_int64(z, 0, Z3_mk_bv_sort(z, 64));
	Z3_ast rhs = Z3_mk_bvsub(z, Z3_mk_extract(z, 127, 64, Z3_mk_bvmul(z, za, zb)),
				 Z3_mk_ite(z, Z3_mk_bvslt(z, a, zero), b, zero));
	Z3_ast got = tv_lemmas_mulhsu_chain(z, lhs, a, b);
	int ok = Z3_is_eq_ast(z, got, rhs);
	printf("chain %-9s %s\n", swapped ? "zext*sext" : "sext*zext", ok ? "COMPOSES" : "BROKEN");
	if (!ok) printf("    got %s\n", Z3_ast_to_string(z, got));
	Z3_del_context(z);
	return ok;
}

/* hi-sub-ite without the ite (always subtracting extract[63:0](y)) must be refuted. */
static int wrong_refuted(void)
{
	Z3_context z = ctx();
	Z3_ast x = bv(z, "x", 128), y = bv(z, "y", 128);
	Z3_ast c = Z3_mk_const(z, Z3_mk_string_symbol(z, "c"), Z3_mk_bool_sort(z));
	Z3_ast sh = Z3_mk_ite(z, c, Z3_mk_bvshl(z, y, Z3_mk_int64(z, 64, Z3_mk_bv_sort(z, 128))),
			      Z3_mk_int64(z, 0, Z3_mk_bv_sort(z, 128)));
	Z3_ast claim = Z3_mk_eq(z, Z3_mk_extract(z, 127, 64, Z3_mk_bvsub(z, x, sh)),
				Z3_mk_bvsub(z, Z3_mk_extract(z, 127, 64, x), Z3_mk_extract(z, 63, 0, y)));
	double secs;
	Z3_lbool r = refute(z, claim, &secs);
	printf("wrong hi-sub-ite (no ite) %s  %.3f s (must be FALSE)\n", verdict(r), secs);
	Z3_del_context(z);
	return r == Z3_L_TRUE;
}

int main(void)
{
	int bad = 0;
	for (size_t i = 0; i < tv_nlemmas; i++) {
		const tv_lemma *l = &tv_lemmas[i];
		Z3_context z = ctx();
		double secs;
		Z3_lbool r = refute(z, l->build(z), &secs);
		printf("lemma %-16s %-8s %.3f s  %s\n", l->name, verdict(r), secs, l->text);
		bad += r != Z3_L_FALSE;
		Z3_del_context(z);
	}
	bad += !chain_ok(false) + !chain_ok(true) + !wrong_refuted();
	printf("%zu lemmas, %d failures\n", tv_nlemmas, bad);
	return bad || !tv_nlemmas ? 1 : 0;
}
