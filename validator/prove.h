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
	Z3_context z;
	lift_ctx *lc;
	Z3_solver s;               /* reset before each query */
	Z3_solver simple;          /* for queries the rewriter reduced to false */
	Z3_params p;               /* timeout */
	unsigned uses;
	tv_memo unsat;             /* normalized unsat queries (terms of z) */
	double phase_ms[TV_NUM_PHASES]; /* this worker's time per phase (merged into the report) */
} tv_worker;
void tv_worker_init(tv_worker *w, const tv_opts *o);
void tv_worker_fini(tv_worker *w);
/* Between groups of related queries: renew the context if it has served many. */
void tv_worker_rest(tv_worker *w);

/* A counterexample, minimized: guest registers, immediates, target, gas and the bytes of every
 * guest memory access the spec makes. */
typedef struct tv_cex {
	bool valid;
	bool layout_ok;          /* the model also holds with the test program's target layout */
	uint64_t regs[PVM_NUM_REGS];
	uint64_t x, y;
	uint32_t t;
	int64_t gas;
	struct { uint32_t addr; uint8_t len; uint8_t bytes[8]; } acc[8];
	size_t n_acc;
} tv_cex;

/* Prove the template of `in` (registers fixed, immediates symbolic within class cls).
 * in->pc/next/target give the layout the counterexample program will use. */
tv_verdict tv_prove_template(tv_worker *w, const pvm_inst *in, jit_imm_class cls, tv_result *res, tv_cex *cex);
/* Prove the gas region of p entered at pc against the composed specs of its instructions.
 * *last (when not NULL) gets the pc of the region's last instruction. */
tv_verdict tv_prove_region(tv_worker *w, const pvm_program *p, uint32_t pc, tv_result *res, tv_cex *cex,
                           uint32_t *last);
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
/* Write the counterexample of a template instance as a w3f vector (expected-* from the
 * interpreter). */
pvm_err tv_cex_write_template(const tv_cex *cex, const pvm_inst *in, const char *path, pvm_errbuf *e);
/* Same for a block: the original vector with the model's registers, gas and memory bytes. */
pvm_err tv_cex_write_block(const tv_cex *cex, const pvm_vector *orig, uint32_t pc, const char *path, pvm_errbuf *e);
const char *tv_kind_name(int k);

/* Register operands of an instruction in form order (ra/rb/rd as named in opcodes.def);
 * returns how many (0..3) and fills idx with pointers into in. */
int tv_reg_operands(pvm_inst *in, uint8_t *ptr[3]);

/* A single-instruction test program: the instruction at pc 0 then `trap`s, so that every
 * successor (fall-through, taken branch) is a distinct block start. in->pc/next/target are set
 * to the program's layout. Builds the blob of a w3f vector in *v (program field only). */
pvm_err tv_program_for(pvm_inst *in, pvm_vector *v);
#endif
