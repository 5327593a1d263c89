/* validator/prove_tramp.h: the boundary between C and JIT code proved on the lifted bytes of the
 * trampolines (jit/jit.h § the trampolines; validator/prove_tramp.c says exactly what is proved). */
#ifndef JITPROOF_TV_PROVE_TRAMP_H
#define JITPROOF_TV_PROVE_TRAMP_H
#include "validator/tv.h"

typedef enum tv_tramp_part {
	TV_TRAMP_ENTRY,      /* enter: the C call into JIT code */
	TV_TRAMP_EXIT,       /* the common exit, however it is reached (a stub, the signal handler) */
	TV_TRAMP_STUB,       /* an exit stub and the common exit: the path of every rel32 exit */
	TV_TRAMP_ROUND_TRIP, /* enter, any JIT code that keeps the frame, a stub, the exit: the C call returns */
	TV_TRAMP_PARTS
} tv_tramp_part;
/* "trampoline-entry", "trampoline-exit", "trampoline-stub", "trampoline-round-trip" */
extern const char *const tv_tramp_names[TV_TRAMP_PARTS];

/* Prove part k of the trampolines t, emitted for the variant res->variant (the caller sets
 * res->op, variant, isa, reading; this sets what, verdict, detail, ms, symbolic, cex_file). A
 * counterexample that a guest program can show (a register, the gas, the exit's kind or pc) is
 * written as a vector and replayed on both engines (tv_cex_confirm: COUNTEREXAMPLE only when they
 * diverge); one that only the C caller sees (its callee-saved registers, stack pointer or return
 * address) is a COUNTEREXAMPLE with the model in the detail and no vector. */
tv_verdict tv_prove_tramp(const tv_opts *o, const jit_tramp *t, tv_tramp_part k, tv_result *res);
/* The trampolines of L's program as its code has them (jit_program_tramp): prove's own. */
bool tv_links_tramp(const tv_links *L, jit_tramp *t);
#endif
