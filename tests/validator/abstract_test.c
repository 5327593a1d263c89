/* tests/validator/abstract_test.c: the division abstraction of validator/rewrite.c
 * (tv_rw_abstract_div), which tv_solve tries before a query: an unsat abstraction is an unsat
 * query. Checks, with Z3:
 *  - every division or remainder term with a non-numeral argument becomes a fresh constant, one per
 *    distinct term and the same one in every formula of the query; a division by a numeral and
 *    every other term stay as they are; the count returned is the number of distinct terms;
 *  - on queries built as a division template's are (the divisor guarded by an ite, both sides
 *    holding the same bvsrem term), the abstraction is unsat and so is the query;
 *  - where a division's value matters (x / x = 1 for x != 0) the abstraction is sat while the query
 *    is unsat: the abstraction alone must never be read as a refutation of sat, and the query is
 *    still decided (tv_solve falls back to it);
 *  - a wrong case (the JIT side giving 0 for a % 0) leaves both sat. */
#include <stdio.h>
#include <stdlib.h>
#include "validator/rewrite.h"

static int bad;
static Z3_context z;

static Z3_ast bv(const char *name) { return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, 64)); }
static Z3_ast num(uint64_t v) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, 64)); }

static Z3_lbool check(const Z3_ast *pre, size_t n, Z3_ast q)
{
	Z3_solver s = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, s);
	for (size_t i = 0; i < n; i++) Z3_solver_assert(z, s, pre[i]);
	Z3_solver_assert(z, s, q);
	Z3_lbool r = Z3_solver_check(z, s);
	Z3_solver_dec_ref(z, s);
	return r;
}

static void expect(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok  " : "FAIL", what);
	if (!ok) bad = 1;
}

/* ite(c, d1, d2) where d1, d2 are the same bvsrem on both sides of the query */
static void template_like(void)
{
	Z3_ast a = bv("a"), b = bv("b"), zero = num(0), one = num(1), m1 = num(~0ull), min = num(1ull << 63);
	/* JIT: the divisor 0 -> 1 and (MIN, -1) -> 1, then a % 0 = a by a cmov */
	Z3_ast d0 = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), one, b);
	Z3_ast ovf = Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, a, min), Z3_mk_eq(z, d0, m1) });
	Z3_ast d = Z3_mk_ite(z, ovf, one, d0);
	Z3_ast rem_d = Z3_mk_bvsrem(z, a, d);
	/* after the ite distribution: ite over the guards, the same bvsrem a b at the leaves */
	Z3_ast rem = Z3_mk_bvsrem(z, a, b);
	Z3_ast jit = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), a, Z3_mk_ite(z, ovf, Z3_mk_bvsrem(z, a, one),
	                       Z3_mk_ite(z, Z3_mk_eq(z, b, zero), Z3_mk_bvsrem(z, a, one), rem)));
	Z3_ast spec = Z3_mk_ite(z, Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, a, min), Z3_mk_eq(z, b, m1) }), zero,
	                        Z3_mk_ite(z, Z3_mk_eq(z, b, zero), a, rem));
	Z3_ast q = Z3_simplify(z, Z3_mk_not(z, Z3_mk_eq(z, jit, spec)));
	Z3_ast pre[1] = { Z3_mk_not(z, Z3_mk_eq(z, d, zero)) }, apre[1], aq;
	size_t k = tv_rw_abstract_div(z, pre, 1, q, apre, &aq);
	expect(k >= 1, "a bvsrem with non-numeral arguments is abstracted");
	expect(check(apre, 1, aq) == Z3_L_FALSE, "a division template's query: the abstraction is unsat");
	expect(check(pre, 1, q) == Z3_L_FALSE, "... and so is the query");
	/* the same query with the JIT's a % 0 = a case wrong (0): sat both ways */
	Z3_ast wrong = Z3_mk_ite(z, Z3_mk_eq(z, b, zero), zero, Z3_mk_ite(z, ovf, zero, rem));
	Z3_ast qw = Z3_simplify(z, Z3_mk_not(z, Z3_mk_eq(z, wrong, spec)));
	Z3_ast aqw;
	tv_rw_abstract_div(z, NULL, 0, qw, NULL, &aqw);
	expect(check(NULL, 0, qw) == Z3_L_TRUE, "a wrong a % 0 = 0: the query is sat");
	expect(check(NULL, 0, aqw) == Z3_L_TRUE, "... and so is its abstraction");
	(void)rem_d;
}

static void shape(void)
{
	Z3_ast x = bv("x"), y = bv("y");
	Z3_ast dxy = Z3_mk_bvudiv(z, x, y), rxy = Z3_mk_bvurem(z, x, y), d3 = Z3_mk_bvudiv(z, x, num(3));
	Z3_ast pre[2] = { Z3_mk_bvult(z, dxy, num(10)), Z3_mk_eq(z, d3, num(4)) };
	Z3_ast q = Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_eq(z, dxy, rxy), Z3_mk_bvugt(z, Z3_mk_bvadd(z, dxy, x), y) });
	Z3_ast apre[2], aq;
	size_t k = tv_rw_abstract_div(z, pre, 2, q, apre, &aq);
	expect(k == 2, "two distinct non-numeral divisions: two constants (x/3 kept)");
	/* the term in pre[0] and its two uses in q: one constant */
	Z3_ast v = Z3_get_app_arg(z, Z3_to_app(z, apre[0]), 0);
	Z3_app qa = Z3_to_app(z, aq);
	Z3_ast v1 = Z3_get_app_arg(z, Z3_to_app(z, Z3_get_app_arg(z, qa, 0)), 0);
	Z3_ast sum = Z3_get_app_arg(z, Z3_to_app(z, Z3_get_app_arg(z, qa, 1)), 0);
	Z3_ast v2 = Z3_get_app_arg(z, Z3_to_app(z, sum), 0);
	expect(Z3_is_eq_ast(z, v, v1) && Z3_is_eq_ast(z, v, v2) && !Z3_is_eq_ast(z, v, dxy),
	       "the same term, the same constant in every formula");
	expect(Z3_is_eq_ast(z, apre[1], pre[1]), "a division by a numeral stays");
	Z3_ast none;
	expect(tv_rw_abstract_div(z, NULL, 0, Z3_mk_eq(z, x, y), NULL, &none) == 0 && Z3_is_eq_ast(z, none, Z3_mk_eq(z, x, y)),
	       "no division: nothing abstracted, the term unchanged");
	/* x / x = 1 for x != 0: unsat, but not by the abstraction */
	Z3_ast pz[1] = { Z3_mk_not(z, Z3_mk_eq(z, x, num(0))) }, apz[1], aqz;
	Z3_ast qz = Z3_mk_not(z, Z3_mk_eq(z, Z3_mk_bvudiv(z, x, x), num(1)));
	tv_rw_abstract_div(z, pz, 1, qz, apz, &aqz);
	expect(check(pz, 1, qz) == Z3_L_FALSE && check(apz, 1, aqz) == Z3_L_TRUE,
	       "x / x = 1: the query unsat, its abstraction sat (the query itself must be solved)");
}

int main(void)
{
	Z3_config cfg = Z3_mk_config();
	z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	shape();
	template_like();
	Z3_del_context(z);
	if (!bad) printf("PASS division abstraction\n");
	return bad;
}
