/* validator/z3check.h: Z3 errors as UNKNOWN verdicts, never PROVED and never an exit.
 * The validator's contexts have no error handler (Z3_set_error_handler(z, NULL)), so a failing
 * Z3 call returns a default value and sets an error code that the next call resets: a call whose
 * answer becomes a verdict is checked right after it, here. */
#ifndef JITPROOF_VALIDATOR_Z3CHECK_H
#define JITPROOF_VALIDATOR_Z3CHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <z3.h>

/* Did the last Z3 call on z fail? Then why gets "Z3 error: MESSAGE". */
bool tv_z3_failed(Z3_context z, char *why, size_t n);
/* Assert pre[0..n_pre) and bad on solver s and check it. Z3_L_UNDEF with "Z3 error: MESSAGE" in
 * why (and *failed set, when given) if a term is missing (NULL) or any of these calls fails;
 * otherwise Z3_solver_check's answer. */
Z3_lbool tv_z3_check(Z3_context z, Z3_solver s, Z3_ast const *pre, size_t n_pre, Z3_ast bad,
                     bool *failed, char *why, size_t n);
#endif
