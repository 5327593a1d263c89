/* validator/smt2.h: a query as an SMT-LIB 2 script, and a second solver's answer to it
 * (internal to validator/; README § A second solver). The script is the query as the
 * proof built it, before the validator's rewriter: only the two constructs SMT-LIB 2 has no word
 * for are spelled out by their definitions (a read of an array built from a lambda, Z3's
 * ext_rotate_left/right). */
#ifndef JITPROOF_TV_SMT2_H
#define JITPROOF_TV_SMT2_H
#include <stdbool.h>
#include <stddef.h>
#include <z3.h>
#include "validator/report.h" /* tv_recheck_answer */


/* pre[0..n_pre) and bad as a QF_AUFBV script ending in (check-sat), after `comment` (lines that
 * each start with "; "). malloc'ed; NULL when a term has no SMT-LIB form here (why says so). */
char *tv_smt2_query(Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad, const char *comment, char *why,
                    size_t n);

/* Runs the second solver `solver` (today "cvc5": `cvc5 --lang smt2 --tlimit=MS FILE`, the binary
 * from $JITPROOF_CVC5 or PATH) on the script at path, killed if it outlives its limit by 10 s.
 * why gets its first line of output when that is not unsat. */
tv_recheck_answer tv_recheck_file(const char *solver, const char *path, unsigned timeout_ms, char *why, size_t n);
#endif
