/* validator/cex.h: counterexamples (internal to validator/): a Z3 model read out and minimized,
 * written as a replayable w3f vector, replayed on the interpreter and the JIT before it is
 * reported; and the random concrete values of the fallback's states. */
#ifndef JITPROOF_TV_CEX_H
#define JITPROOF_TV_CEX_H
#include <z3.h>
#include "validator/tv.h"

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
/* The same for a fused pair a, b (tv_program_for_n: the pair then traps), the head's X the model's. */
pvm_err tv_cex_vector_fused(const tv_cex *cex, const pvm_inst *a, const pvm_inst *b, pvm_isa isa, const char *name,
                            pvm_vector *v, pvm_errbuf *e);
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
 * written to path with a cex dir), else TV_BUG. */
tv_verdict tv_cex_confirm(const tv_opts *o, tv_result *res, pvm_vector *v, const char *why, const char *path);

/* The fallback's random values: the next of the sequence *s, and a value that is an edge value
 * (0, 1, 2^31, ...) a quarter of the time, one byte a quarter, else any 64 bits. */
uint64_t tv_rng_next(uint64_t *s);
uint64_t tv_pick_value(uint64_t *s);
#endif
