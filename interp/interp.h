/* interp/interp.h: the PVM interpreter. A program is pre-decoded once into a pc-indexed table;
 * interp_run executes from state->pc with state->gas until an exit (pvm_exit). Gas is charged per
 * gas region on entry (DESIGN.md). After a host-call exit the embedder may change registers and
 * memory, then resume with interp_resume (or set state->pc = exit.next and call interp_run). */
#ifndef JITPROOF_INTERP_H
#define JITPROOF_INTERP_H
#include "pvm/pvm.h"

typedef struct interp interp;

/* Prepares a decoded program (the program may be freed afterwards). Never NULL (out of memory aborts). */
interp *interp_new(const pvm_program *p, pvm_errbuf *e);
void interp_free(interp *it);
/* Runs until an exit; mutates *s (registers, pc, gas, memory, heap). */
pvm_exit interp_run(interp *it, pvm_state *s);
/* Continues after a host-call exit x at x.next. */
pvm_exit interp_resume(interp *it, pvm_state *s, pvm_exit x);

extern const pvm_engine interp_engine; /* name "interp" */
#endif
