/* validator/query.h: the bottom of the validator's proofs (internal to validator/): a worker (Z3
 * context, lifter, solvers, memo), one query's pre-state and assumptions, the spec's side of a
 * step, the disagreement of lifted exits with a spec outcome, and the solver call. Every proof
 * kind (prove_*.c, link.c) builds its query from these; nothing here calls a proof kind. */
#ifndef JITPROOF_TV_QUERY_H
#define JITPROOF_TV_QUERY_H
#include <z3.h>
#include "lifter/lift.h"
#include "validator/cex.h"
#include "validator/rewrite.h"
#include "validator/tv.h"

/* A worker: its own Z3 context and lifter, renewed every few thousand queries. */
typedef struct tv_worker {
	const tv_opts *o;
	jit_features feat;         /* the CPU features the code under proof is emitted with */
	uint8_t reading;           /* the GP 0.7.2 readings (PVM_READING_*) the queries are built under */
	bool count_only;           /* a sat query is a counterexample left unminimized (--max-cex reached) */
	Z3_context z;
	lift_ctx *lc;
	Z3_solver s;               /* reset before each query */
	Z3_solver simple;          /* for queries the rewriter reduced to false */
	Z3_params p;               /* timeout */
	unsigned uses;
	tv_memo unsat;             /* normalized unsat queries (terms of z) */
	double phase_ms[TV_NUM_PHASES]; /* this worker's time per phase (merged into the report) */
	size_t n_queries;          /* queries this worker gave a solver (memo hits not counted) */
	unsigned rlimit_now;       /* nonzero: the resource limit of the next queries instead of o->rlimit */
	/* Proofs already done by this worker whose queries do not depend on where the code is
	 * (a template proof has symbolic immediates and pc-relative labels only; a prologue proof is
	 * a function of its bytes and the spec's cost): their PROVED verdicts, reused. */
	uint64_t *tpl_done;        /* open addressing, 0 = empty: op | ra | rb | rd | class, +1 */
	size_t cap_tpl_done, n_tpl_done;
	struct tv_prologue_done { uint32_t cost, len; uint8_t bytes[32]; } pro_done[64];
	size_t n_pro_done;
	uint32_t step_latch;       /* the last latch tv_link_exits linked to a step (jit.h § steps), UINT32_MAX:
	                              none; the block proof that set it proves the step too (prove_block.c) */
	Z3_ast *q_pre, *q_acc;     /* buffers of the query being built: assumptions, access addresses */
	unsigned *q_acc_len;
	size_t cap_pre, cap_acc, cap_acc_len;
	/* The second solver (--recheck) and --smt2-dir: what the next query is (set by its proof),
	 * the answers so far, and the disagreements (a driver turns a PROVED item whose proof saw one
	 * into VALIDATOR-BUG, recheck_why its detail). */
	uint8_t q_kind;            /* TV_QK_* */
	char q_name[96];
	size_t rechecked[TV_NUM_QKINDS][TV_RECHECK_ANSWERS]; /* queries it ran on, by its answer */
	size_t recheck_alpha[TV_NUM_QKINDS];   /* not run: alpha-equivalent as built to one it proved */
	size_t recheck_skipped[TV_NUM_QKINDS]; /* not run: a memo key of one it gave up on */
	size_t recheck_unknown;    /* gave up or skipped so (a driver notes them in a PROVED item's detail) */
	tv_memo recheck_gave_up;   /* memo keys (terms of z) of queries the second solver gave up on */
	double recheck_ms;
	size_t recheck_bad;
	char recheck_why[512];
} tv_worker;
void tv_worker_init(tv_worker *w, const tv_opts *o);
void tv_worker_fini(tv_worker *w);
/* Between groups of related queries: renew the context if it has served many. */
void tv_worker_rest(tv_worker *w);
/* The context (made, or renewed past a hard limit); false when Z3 or the lifter cannot start. */
bool tv_worker_ready(tv_worker *w);

/* Outcome kinds, as both sides name them (a BV8 in the query). */
enum { K_CONT, K_HALT, K_PANIC, K_FAULT, K_HOST, K_OOG, K_DJUMP, K_BAD };
const char *tv_kind_name(int k);
/* The lifted code sits at CODE_BASE; exit i of a template or block jumps to STUB_BASE + 16 i. */
enum { CODE_BASE = 0x400000, STUB_BASE = 0x10000000 };

static inline Z3_ast num(Z3_context z, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, w)); }
static inline Z3_ast var(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, w));
}
/* The connectives of a query, with the identities a != a = false, false & x = false, true & x = x
 * and false | x = x applied as they are built: equal terms are one node (Z3 hash-conses them), so a
 * register a template leaves as the spec does adds nothing to the query, and queries of two
 * register assignments differ only by the renaming the memo undoes (tv_rw_alpha). */
static inline bool is_false(Z3_context z, Z3_ast a) { return Z3_is_eq_ast(z, a, Z3_mk_false(z)); }
static inline Z3_ast ne(Z3_context z, Z3_ast a, Z3_ast b)
{
	return Z3_is_eq_ast(z, a, b) ? Z3_mk_false(z) : Z3_mk_not(z, Z3_mk_eq(z, a, b));
}
static inline Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b)
{
	if (is_false(z, a) || is_false(z, b)) return Z3_mk_false(z);
	if (Z3_is_eq_ast(z, a, Z3_mk_true(z))) return b;
	if (Z3_is_eq_ast(z, b, Z3_mk_true(z))) return a;
	Z3_ast x[2] = { a, b };
	return Z3_mk_and(z, 2, x);
}
static inline Z3_ast or_n(Z3_context z, size_t n, Z3_ast *d) /* d is reordered: its non-false terms first */
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!is_false(z, d[i])) d[k++] = d[i];
	return k == 0 ? Z3_mk_false(z) : k == 1 ? d[0] : Z3_mk_or(z, (unsigned)k, d);
}

/* What one run ends in: the spec's post-state, or what a lifted exit stands for. */
typedef struct tv_outcome {
	Z3_ast kind;            /* BV8: K_* */
	Z3_ast pc;              /* BV32: successor (K_CONT), djump address (K_DJUMP), else exit pc */
	Z3_ast regs[PVM_NUM_REGS];
	Z3_ast mem;             /* guest view: Array(BV32, BV8) (spec) */
	Z3_ast gas;             /* BV64 */
} tv_outcome;

/* One query being built: the shared pre-state of both sides and the assumptions. */
typedef struct tv_query {
	Z3_context z;
	Z3_ast g[PVM_NUM_REGS]; /* guest registers before */
	Z3_ast x, y, t;         /* immediates and branch target (NULL when unused) */
	Z3_ast mb, h, a, gas;   /* sandbox base, host memory, probe address, gas before */
	Z3_ast gm;              /* guest memory before: Array(BV32, BV8); h is built over it */
	Z3_ast readable, writable, jump_table, jt_len; /* named, so equal queries are equal terms */
	Z3_ast layout;          /* what makes a model fit the counterexample program (or NULL) */
	Z3_func_decl entry;     /* dispatch proofs: guest pc -> host address of its gas region */
	/* The lists below live in the worker's buffers (one query at a time per worker), grown as
	 * needed: a block has as many assumptions as accesses, and none may be lost (a lost
	 * assumption once made models that violate it, false counterexamples). */
	tv_worker *w;
	Z3_ast *pre;            /* assumptions */
	size_t n_pre;
	Z3_ast *acc_addr;       /* guest addresses the spec accesses (for the counterexample) */
	unsigned *acc_len;
	size_t n_acc;
	bool oom;               /* a list could not grow: the query is UNKNOWN */
	bool simple;            /* solve with the simple solver (small queries: setup dominates) */
	Z3_ast pc_sym;          /* dispatch proofs: the jump's pc as a symbol (spec and exits with pc_val),
	                         * so the proof of one jump shape is a memo hit at every pc */
	uint32_t pc_val;
} tv_query;

/* The code being proved: a template (in: its instruction) or a region (blk, compiled from
 * program p); its exits, and the pc where falling off its end continues. */
typedef struct tv_code {
	const pvm_inst *in;
	const jit_block *blk;
	const pvm_program *p;
	const jit_exit *ex;
	size_t n_ex;
	uint32_t fall;
	int64_t fall_gas;       /* added to the gas a fall-through hands over: a latch's refund that gives
	                         * back that much more than it prepaid (tv_link_exits; else 0) */
	bool piece;             /* one piece of a region: an sbrk continues at the next piece, and a
	                         * fall-through must also keep r15 = MB (the relation at the cut) */
} tv_code;


/* What w's next queries are (--smt2-dir file names, the second solver's counts): kind TV_QK_*,
 * a name made of printf's fmt and arguments. */
void tv_query_name(tv_worker *w, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The claim `ok` (a Bool over q's terms that the proof took as valid without a solver, e.g. by
 * Z3's simplifier) re-proved by the second solver when --recheck asks (the query: q's
 * assumptions and not ok), and written with --smt2-dir. False on a disagreement (w->recheck_why). */
bool tv_recheck_claim(tv_worker *w, tv_query *q, Z3_ast ok);
/* A fresh query of w: guest registers r0..r12, sandbox base, host memory over guest memory,
 * gas, and the sandbox's assumptions. */
void tv_query_init(tv_query *q, tv_worker *w);
/* Add an assumption (a list that cannot grow makes the query UNKNOWN). */
void tv_assume(tv_query *q, Z3_ast c);
/* An access of the spec (nb bytes at guest address ad), for the counterexample's memory. */
void tv_add_access(tv_query *q, Z3_ast ad, unsigned nb);
/* 8-byte little-endian read of host memory at MB + d (d may be negative: the context). */
Z3_ast tv_host_read64(tv_query *q, Z3_ast mem, int32_t d);
/* The term a JIT immediate field of encoding enc holds for guest immediate v. */
Z3_ast tv_field_term(Z3_context z, Z3_ast v, unsigned enc);
/* The spec's step of `in` from regs/mem/gas into *post, its accesses assumed permitted (false:
 * the spec entry does not build, why says so). */
bool tv_spec_step(tv_query *q, const sem_spec *sp, const pvm_inst *in, const Z3_ast regs[PVM_NUM_REGS],
                  Z3_ast mem, Z3_ast gas, Z3_ast is_block, sem_z3_post *post, char *why, size_t n);
/* The outcome of two register instructions a, b = the one at a->next, composed (a fused pair,
 * README § Fusions): b's step from a's post-state where a went on to b, else a's outcome. False
 * (why set) for instructions that access memory: their fault assumptions would not compose. */
bool tv_spec_pair(tv_query *q, const sem_spec *sp, const pvm_inst *a, const pvm_inst *b, Z3_ast is_block_a,
                  Z3_ast is_block_b, tv_outcome *o, char *why, size_t n);
/* The outcome of a spec post-state (the fault case is excluded by the assumptions). */
void tv_spec_outcome(tv_query *q, const sem_z3_post *post, tv_outcome *o);
/* Disagreement between lifted exit le (matched to JIT exit je, NULL for fall-through or an
 * unknown target) and the spec outcome so. */
Z3_ast tv_exit_diff(tv_query *q, const lift_exit *le, const jit_exit *je, uint32_t fall_pc, const tv_outcome *so);
/* Point the code's rel32 exit fields at their stubs (STUB_BASE + 16 i). */
void tv_patch_exits(uint8_t *bytes, const jit_exit *ex, size_t n);
/* The lifted code's exits against the spec outcome: the disjunction of (exit taken ∧ differs).
 * NULL when some path cannot be lifted (why says so). */
Z3_ast tv_all_diffs(tv_worker *w, tv_query *q, const lift_result *lr, const tv_code *c, const tv_outcome *so,
                    char *why, size_t n);
/* The lifter's initial host state for q: guest registers in their host registers, r15 = MB. */
void tv_lift_pre(tv_worker *w, tv_query *q, lift_state *st);
/* Code with its rel32 exits pointed at their stubs (tv_patch_exits) lifted at CODE_BASE from q's
 * state (tv_lift_pre) into *lr; false (why: "lift: ...") when it does not lift. */
bool tv_lift_code(tv_worker *w, tv_query *q, uint8_t *bytes, size_t len, const jit_exit *ex, size_t n_ex,
                  lift_result *lr, char *why, size_t n);
/* Rewrite, memo, solve: unsat → PROVED; sat → counterexample (model minimized into *cex, toward
 * the target t_layout when q has a symbolic target); else UNKNOWN. */
tv_verdict tv_solve(tv_worker *w, tv_query *q, Z3_ast bad, uint32_t t_layout, tv_cex *cex, char *why, size_t n);
/* The start and end of every proof: a ready worker, an empty counterexample; the result. */
bool tv_begin(tv_worker *w, tv_result *res, tv_cex *cex);
tv_verdict tv_finish(tv_result *res, tv_verdict v, double t0);
double tv_now_ms(void);
#endif
