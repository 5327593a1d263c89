/* tests/validator/z3check_test.c: a Z3 error is UNKNOWN, never PROVED (validator/z3check.c).
 * The queries: a term Z3 refuses (a bit-vector asserted as a formula) beside an unsat assumption,
 * which a plain assert-and-check answers unsat (so PROVED) although the query was never posed; a
 * missing term; and a good unsat and sat query, which must keep their answers. */
#include <stdio.h>
#include <string.h>
#include "validator/z3check.h"

static int failures;
static void expect(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok) failures++;
}

int main(void)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(z, NULL);
	Z3_sort bv8 = Z3_mk_bv_sort(z, 8);
	Z3_ast x = Z3_mk_const(z, Z3_mk_string_symbol(z, "x"), bv8);
	Z3_ast one = Z3_mk_unsigned_int64(z, 1, bv8);
	Z3_ast no[1] = { Z3_mk_false(z) };
	char why[256];
	bool failed;

	/* the premise: without reading the error code the refused term vanishes and unsat remains */
	Z3_solver raw = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, raw);
	Z3_solver_assert(z, raw, no[0]);
	Z3_solver_assert(z, raw, x);
	expect(Z3_solver_check(z, raw) == Z3_L_FALSE, "plain assert+check of {false, bv term} says unsat");
	Z3_solver_dec_ref(z, raw);

	Z3_solver s = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, s);
	why[0] = 0;
	Z3_lbool r = tv_z3_check(z, s, no, 1, x, &failed, why, sizeof why);
	printf("  why: %s\n", why);
	expect(r == Z3_L_UNDEF && failed, "a refused term: unknown, not unsat");
	expect(!strncmp(why, "Z3 error: ", 10) && strlen(why) > 10, "with Z3's message");

	Z3_solver_reset(z, s);
	why[0] = 0;
	r = tv_z3_check(z, s, NULL, 0, NULL, &failed, why, sizeof why);
	expect(r == Z3_L_UNDEF && failed && !strncmp(why, "Z3 error: ", 10), "a missing term: unknown");

	Z3_solver_reset(z, s);
	Z3_ast pre[1] = { Z3_mk_eq(z, x, one) };
	r = tv_z3_check(z, s, pre, 1, Z3_mk_not(z, Z3_mk_eq(z, x, one)), &failed, why, sizeof why);
	expect(r == Z3_L_FALSE && !failed, "a good unsat query stays unsat");

	Z3_solver_reset(z, s);
	r = tv_z3_check(z, s, NULL, 0, Z3_mk_eq(z, x, one), &failed, why, sizeof why);
	expect(r == Z3_L_TRUE && !failed, "a good sat query stays sat");
	expect(!tv_z3_failed(z, why, sizeof why), "no error left after good calls");

	Z3_solver_dec_ref(z, s);
	Z3_del_context(z);
	printf("z3check: %d failures\n", failures);
	return failures != 0;
}
