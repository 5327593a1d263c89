/* validator/prove.h: one Z3 query per template instance or gas region (internal to validator/). */
#ifndef JITPROOF_TV_PROVE_H
#define JITPROOF_TV_PROVE_H
#include <z3.h>
#include "lifter/lift.h"
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
	Z3_ast *q_pre, *q_acc;     /* buffers of the query being built: assumptions, access addresses */
	unsigned *q_acc_len;
	size_t cap_pre, cap_acc, cap_acc_len;
} tv_worker;
void tv_worker_init(tv_worker *w, const tv_opts *o);
void tv_worker_fini(tv_worker *w);
/* Between groups of related queries: renew the context if it has served many. */
void tv_worker_rest(tv_worker *w);

enum { TV_CEX_MAX_ACC = 512 };
/* A counterexample, minimized: guest registers, immediates, target, gas and the bytes of every
 * guest memory access the spec makes. */
typedef struct tv_cex {
	bool valid;
	bool layout_ok;          /* the model also holds with the test program's target layout */
	uint64_t regs[PVM_NUM_REGS];
	uint64_t x, y;
	uint32_t t;
	int64_t gas;
	struct { uint32_t addr; uint8_t len; uint8_t bytes[8]; } acc[TV_CEX_MAX_ACC];
	size_t n_acc;
	bool acc_lost;           /* more accesses than acc holds (the replay check still decides) */
} tv_cex;

/* The code a template proof of in0 for class cls lifts: *in is in0 laid out in its test program
 * of revision isa (tv_program_for: in->pc/next/target) with the class's candidate immediate, *tpl
 * its template emitted with features f. False (why says so) when it cannot be made. */
bool tv_template_code(const pvm_inst *in0, jit_imm_class cls, pvm_isa isa, jit_features f, pvm_inst *in, jit_tpl *tpl,
                      char *why, size_t n);
/* Prove the template of `in` (registers fixed, immediates symbolic within class cls).
 * in->pc/next/target give the layout the counterexample program will use. */
tv_verdict tv_prove_template(tv_worker *w, const pvm_inst *in, jit_imm_class cls, tv_result *res, tv_cex *cex);
/* Prove the gas region of p entered at pc against the composed specs of its instructions.
 * *last (when not NULL) gets the pc of the region's last instruction. */
tv_verdict tv_prove_region(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last);
/* Prove the same region piece by piece (the gas prologue, then each instruction's code between
 * the JIT's pc-map cuts against that instruction's spec; README: soundness). *last_pc: the
 * region's last instruction; *cex_pc: the pc of the state a counterexample model is at;
 * *n_pieces: pieces proved or tried. */
tv_verdict tv_prove_pieces(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last_pc, uint32_t *cex_pc, size_t *n_pieces);
/* Linking from the bytes (validator/link.c). With L (the whole program compiled as it runs) the
 * block's exits are replaced by what the program's code at each rel32 field actually goes to:
 * a block entry (BRANCH to that block's pc), a lifted exit stub (its kind and pc), the dispatcher
 * of the exit's jump (DJUMP), or anything else (NONE: an exit no spec outcome matches). False
 * (why says so) when the program's code for the block is not the block's bytes. */
bool tv_link_exits(const tv_links *L, tv_worker *w, const pvm_program *p, jit_block *blk, char *why, size_t n);
/* The program's digest for the proof store's block keys (NULL: no store; tv_store_program_digest). */
const uint8_t *tv_links_digest(const tv_links *L);
bool tv_lift_stub(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t exit_addr, uint32_t *kind,
                  uint32_t *pc);
/* Prove the dynamic-jump dispatcher of the jump `in` (at in->pc of p, registers fixed, immediates
 * symbolic) against the spec's djump: halt, panic, or the host entry of jump_table[a/2 - 1]. */
tv_verdict tv_prove_dispatch(tv_worker *w, const pvm_program *p, const pvm_inst *in, tv_result *res, tv_cex *cex);

/* Read a model (after sat) into *cex, first strengthening it toward the counterexample
 * program's layout (the constraint `layout`, NULL for none: e.g. the branch target, the jump
 * table) and toward small values. */
void tv_cex_from_model(tv_worker *w, Z3_context z, Z3_solver s, const Z3_ast g[PVM_NUM_REGS], Z3_ast x,
                       Z3_ast y, Z3_ast t, Z3_ast gas, const Z3_ast *acc_addr, const unsigned *acc_len,
                       size_t n_acc, Z3_ast gmem, Z3_ast layout, tv_cex *cex, unsigned timeout_ms);
void tv_cex_describe(const tv_cex *cex, const pvm_inst *in, char *out, size_t n);
/* The counterexample as a w3f vector in *v (expected-* not yet set). Template: the instruction in
 * its test program. Block: the original vector's program, pages and memory with the model's
 * registers and accessed bytes, starting at pc, with gas capped at the region's cost (so the run
 * ends at the next region and nothing later masks the divergence). */
pvm_err tv_cex_vector_template(const tv_cex *cex, const pvm_inst *in, pvm_isa isa, const char *name,
                               pvm_vector *v, pvm_errbuf *e);
pvm_err tv_cex_vector_block(const tv_cex *cex, const pvm_vector *orig, uint32_t pc, uint64_t cost, const char *name,
                            pvm_vector *v, pvm_errbuf *e);
/* Runs the interpreter and `jit` from v's initial state and records the interpreter's result as
 * v's expected-*. Returns 1 when they diverge, 0 when they agree (diff: what both did), -1 when
 * the vector does not run (e says why). */
int tv_cex_replay(pvm_vector *v, const pvm_engine *jit, char *diff, size_t n, pvm_errbuf *e);
pvm_err tv_cex_save(const pvm_vector *v, const char *path, pvm_errbuf *e);
/* A symbolic counterexample's vector v (NULL: it could not be built, why says so; v->isa its
 * program's revision) replayed on the interpreter and the proved JIT: TV_CEX when they diverge (v
 * written to path with a cex dir), else TV_BUG (validate.c). */
tv_verdict tv_cex_confirm(const tv_opts *o, tv_result *res, pvm_vector *v, const char *why, const char *path);
/* The gas charged on entering at pc as the spec engine charges it: 0.7.2 the region's instruction
 * count, 0.8.0 the cost model's cost of the block holding pc (from its start L(pc)). */
uint64_t tv_region_cost(const sem_spec *sp, const pvm_program *p, uint32_t pc);
/* The region's instructions: pc up to and including the first that ends a region. */
uint64_t tv_region_len(const sem_spec *sp, const pvm_program *p, uint32_t pc);
const char *tv_kind_name(int k);

/* Register operands of an instruction in form order (ra/rb/rd as named in opcodes.def);
 * returns how many (0..3) and fills idx with pointers into in. */
int tv_reg_operands(pvm_inst *in, uint8_t *ptr[3]);

/* A single-instruction test program: the instruction at pc 0 then `trap`s, so that every
 * successor (fall-through, taken branch) is a distinct block start. in->pc/next/target are set
 * to the program's layout, which is the same in both revisions (only opcode bytes differ).
 * Builds the blob of a vector of revision isa in *v (program and isa fields only). */
pvm_err tv_program_for(pvm_inst *in, pvm_isa isa, pvm_vector *v);
#endif
