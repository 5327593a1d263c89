/* validator/tv.h: translation validation of the JIT against specs/pvm.yaml.
 * tv_validate enumerates every template instance (opcode × register assignment × immediate class),
 * proves each with Z3 (PROVED only on unsat), runs the concrete fallback where a proof does not
 * reach, and writes every counterexample as a replayable w3f vector. tv_prove_block does the same
 * for one compiled gas region of a real program. */
#ifndef JITPROOF_TV_H
#define JITPROOF_TV_H
#include "pvm/pvm.h"
#include "jit/jit.h"
#include "semantics/sem.h"
#include "validator/report.h"

/* The features and the engine of a CPU-feature variant (tv_variant, validator/report.h). */
jit_features tv_variant_features(int v);
const pvm_engine *tv_variant_engine(int v);  /* the JIT engine that runs the variant's code */


/* Debug output of the solver (on stderr; `--debug LIST` on the command line). */
enum { TV_DEBUG_QUERY = 1, /* each query, and the model when sat */
       TV_DEBUG_NORM = 2,  /* each alpha-normalised query (the memo key) */
       TV_DEBUG_RLIMIT = 4, /* the resource count each query used */
       TV_DEBUG_WEAKEN = 8, /* test of the replay check: keep only the first 64 assumptions of a
                             * query (an old bug), so Z3 can give models that do not diverge */
       TV_DEBUG_RECHECK_WRONG = 16, /* test of the second solver: the script it gets asserts the
                                     * negated formula, a wrong query it must not call unsat */
       TV_DEBUG_UNSOUND_REWRITE = 32, /* test of the second solver: the rewriter turns every formula
                                      * into false (an unsound rewrite), so Z3 says unsat to all;
                                      * --recheck must catch what that hides */
       TV_DEBUG_NO_RESUME = 64 /* test of prove --all's coverage check: leave out the regions a run
                                * resumes in after an ecalli (as before session 12); the check must
                                * report their instructions */ };

/* prove: blocks of at most this many instructions are also proved in one query (a cross-check). */
enum { TV_CROSS_CHECK_MAX = 3, TV_CROSS_CHECK_RLIMIT = 300000 /* its Z3 resource limit */ };

typedef struct tv_opts {
	unsigned jobs;             /* worker threads (each with its own Z3 context) */
	unsigned timeout_ms;       /* per solver query; a timeout is UNKNOWN, never PROVED */
	unsigned rlimit;           /* Z3 resource limit per query (deterministic; 0 = none) */
	bool only_ops;             /* prove only the opcodes marked in op[] (of the revisions in isas) */
	bool op[PVM_NUM_OPS];
	unsigned shard_i, shard_n; /* take instances with index % shard_n == shard_i */
	const char *cex_dir;       /* write counterexample vectors here (NULL: do not write) */
	unsigned fallback_states;  /* concrete states per fallback check */
	uint64_t seed;
	bool progress;             /* a progress line on stderr (a TTY) */
	unsigned variants;         /* bit per tv_variant to prove (validate: all by default; prove: one) */
	bool fail_fast;            /* stop at the first counterexample */
	bool memo;                 /* reuse unsat answers for alpha-equivalent queries */
	bool self_test;            /* validate: each template query also asked with each compared part
	                            * of the spec's result changed, which must be sat (prove_template.c) */
	unsigned debug;            /* TV_DEBUG_* bits: what solve() prints on stderr */
	bool whole_block;          /* prove: one query per block instead of piece by piece */
	bool no_cross_check;       /* prove: skip the whole-block cross-check of short blocks */
	bool unfused;              /* prove: the blocks and program as compiled without fusions (the twin,
	                              jit.h § fusions), replayed on the unfused engines (set by prove
	                              itself for its second pass over blocks with a fused pair) */
	const sem_spec *spec;      /* prove: the spec of the program's revision */
	unsigned isas;             /* validate: bit per pvm_isa to prove (both by default) */
	unsigned readings;         /* validate, GP 0.7.2: bit 0 the w3f readings, bit 1 the peers' (both by
	                              default): under the peers', the entries that read otherwise (sbrk's
	                              break) proved again and the fault and gas paths run again */
	uint8_t reading;           /* prove: the GP 0.7.2 readings (PVM_READING_*) of the program's run */
	unsigned max_cex;          /* validate: per opcode, the counterexamples minimized, replayed and
	                              written; later failing instances of it are only counted (0: all) */
	double progress_every;     /* seconds between progress lines when not on a TTY (0: none) */
	FILE *live;                /* validate: where the first counterexample of each opcode is
	                              announced as it is found, and progress lines go (NULL: nowhere) */
	const sem_spec *specs[PVM_ISA_COUNT]; /* validate: the spec of each revision in isas */
	const char *store_dir;     /* the command line's --cache DIR (NULL: tv_store_default_dir) */
	bool no_store;             /* the command line's --no-cache */
	struct tv_store *store;    /* the proof store (validator/store.h), opened by the command; NULL: none */
	const char *smt2_dir;      /* --smt2-dir: every query written there as SMT-LIB 2, as built (NULL: none) */
	const char *recheck;       /* --recheck SOLVER: every query Z3 answers unsat re-proved by it ("cvc5") */
	unsigned recheck_timeout_ms; /* the second solver's limit per query */
} tv_opts;
/* The JIT engine that runs the variant's code under o: the unfused engines when o->unfused. */
const pvm_engine *tv_engine_for(const tv_opts *o, int v);

/* Can the second solver (--recheck SOLVER; "cvc5") run here? false with the reason in why. */
bool tv_recheck_available(const char *solver, char *why, size_t n);

/* The one variant `prove` compiles for: the lowest of o->variants. */
int tv_first_variant(const tv_opts *o);

/* The defaults both commands start from (solver limits, fallback size, seed). */
tv_opts tv_opts_default(void);

/* Run the whole validation. Fills rep (one result per instance, plus fallback results).
 * Returns PVM_OK, or an error (e.g. a cex dir that cannot be written) with detail in *e. */
pvm_err tv_validate(const tv_opts *o, tv_report *rep, pvm_errbuf *e);

/* A prover: one Z3 context and lifter, reused by the proofs made through it (one thread). */
typedef struct tv_worker tv_worker;
tv_worker *tv_worker_new(const tv_opts *o);
void tv_worker_free(tv_worker *w);

/* Add this worker's time per phase (lift, spec, solve, setup+rewrite) into ms[]. */
void tv_worker_phases(const tv_worker *w, double ms[TV_NUM_PHASES]);
/* The queries this worker has given a solver (answers of the memo or the proof store not counted). */
size_t tv_worker_queries(const tv_worker *w);
/* Add this worker's second-solver answers (per query kind) and time into rep. */
void tv_worker_rechecks(const tv_worker *w, tv_report *rep);

/* The proof store's counts (reused, stored, ignored) into rep; nothing when s is NULL. */
void tv_report_store(tv_report *rep, struct tv_store *s);

/* The linking proof's view of a program: the whole program compiled as it runs. */
typedef struct tv_links tv_links;
tv_links *tv_links_new(const tv_opts *o, const pvm_program *p, pvm_errbuf *e);
void tv_links_free(tv_links *L);
/* The links of the program compiled without fusions when L's program has fused pairs (the twin a
 * run between a pair's halves takes), else NULL. */
const tv_links *tv_links_twin(const tv_links *L);
/* Does L's compiled program have a gas-region entry (a prologue) at pc? */
bool tv_links_entry_at(const tv_links *L, uint32_t pc);

/* Prove the gas region entered at pc of program p (v gives the memory and pages used to build
 * counterexamples), with the options w was made with. With L the block's exits are what the
 * compiled program's bytes link them to (a block entry, a lifted exit stub, a dispatcher), not the
 * emitter's records. One result in *res. */
pvm_err tv_prove_block(tv_worker *w, const pvm_program *p, const pvm_vector *v, const tv_links *L, uint32_t pc,
                       tv_result *res, pvm_errbuf *e);
/* The jump-table slots of L's program: each the entry of the block the spec's table names, or
 * empty for a non-block. A wrong slot is a counterexample at a dynamic jump that takes it. */
tv_verdict tv_prove_table(const tv_opts *o, const tv_links *L, const pvm_program *p, const pvm_vector *v,
                          tv_result *res);
#endif
