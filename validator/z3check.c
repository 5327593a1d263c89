/* validator/z3check.c: Z3 errors as UNKNOWN verdicts (z3check.h). */
#include <stdio.h>
#include "validator/z3check.h"

bool tv_z3_failed(Z3_context z, char *why, size_t n)
{
	Z3_error_code c = Z3_get_error_code(z);
	if (c == Z3_OK) return false;
	snprintf(why, n, "Z3 error: %s", Z3_get_error_msg(z, c));
	return true;
}

static Z3_lbool fail(bool *failed, char *why, size_t n, const char *msg)
{
	if (msg) snprintf(why, n, "Z3 error: %s", msg);
	if (failed) *failed = true;
	return Z3_L_UNDEF;
}

Z3_lbool tv_z3_check(Z3_context z, Z3_solver s, Z3_ast const *pre, size_t n_pre, Z3_ast bad,
                     bool *failed, char *why, size_t n)
{
	if (failed) *failed = false;
	for (size_t i = 0; i <= n_pre; i++) {
		Z3_ast t = i < n_pre ? pre[i] : bad;
		if (!t) return fail(failed, why, n, "a term of the query was not built");
		Z3_solver_assert(z, s, t);
		if (tv_z3_failed(z, why, n)) return fail(failed, why, n, NULL);
	}
	Z3_lbool r = Z3_solver_check(z, s);
	if (tv_z3_failed(z, why, n)) return fail(failed, why, n, NULL);
	return r;
}
