/* validator/rewrite.h: the validator's Z3 rewriter (internal to validator/): canonical form of a
 * query (ite distribution over division, read over write, mulhsu identity, canonical sum order),
 * alpha-normalisation of guest registers, and the memo of unsat normalised queries. Every rewrite
 * is an equivalence (or, for the no-carry drop, an equivalence under the query's assumptions). */
#ifndef JITPROOF_TV_REWRITE_H
#define JITPROOF_TV_REWRITE_H
#include <stdbool.h>
#include <stddef.h>
#include <z3.h>
#include "pvm/pvm.h"

/* t rewritten and simplified. mb: the sandbox base (host indices MB + zext(x) + c are compared in
 * 32 bits); acc/acc_len: the query's guest access addresses and widths, which its assumptions say
 * are >= 0x10000 and <= 2^32 - width. With drop (t is the formula to refute, not an assumption) a
 * no-carry condition those assumptions imply is dropped; an assumption is never rewritten by the
 * assumptions themselves (pass drop = false). */
Z3_ast tv_rw_canonical(Z3_context z, Z3_ast t, Z3_ast mb, const Z3_ast *acc, const unsigned *acc_len,
                       size_t n_acc, bool drop);

/* The conjunction of pre[0..n_pre) and bad with the guest-register constants regs[] renamed
 * g0, g1, ... in order of first occurrence (depth first). Z3 hash-conses terms, so two queries
 * equal up to that bijective renaming become the same AST node: they are equisatisfiable. */
Z3_ast tv_rw_alpha(Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad, const Z3_ast regs[PVM_NUM_REGS]);

/* The abstraction of a query (pre[0..n_pre) and bad) into out_pre[0..n_pre) and *out_bad: every
 * division or remainder term whose arguments are not all numerals replaced by a fresh constant, one
 * per distinct term, the same in every formula. Any model of the query is one of its abstraction
 * (each constant taking its term's value), so an abstraction found unsat proves the query unsat;
 * a satisfiable one proves nothing. Returns the number of terms abstracted (0: out = in). */
size_t tv_rw_abstract_div(Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad, Z3_ast *out_pre, Z3_ast *out_bad);

/* Normalised queries known unsat (terms of one Z3 context, kept as a set of their ids). */
typedef struct tv_memo { unsigned *slot; size_t n, cap; } tv_memo;
bool tv_memo_has(Z3_context z, const tv_memo *m, Z3_ast t);
void tv_memo_add(Z3_context z, tv_memo *m, Z3_ast t);
void tv_memo_clear(tv_memo *m);         /* the terms died with their context */
void tv_memo_free(tv_memo *m);
#endif
