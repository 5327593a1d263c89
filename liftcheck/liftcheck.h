/* liftcheck/liftcheck.h: lift-check, the lifter (lifter/lift.h) against the real CPU and against
 * the architecture. Every instruction form the JIT emits (jit/) and the built-in forms run natively
 * on random and edge states and are compared with the lifter's terms; the flags the Intel SDM /
 * AMD APM leave undefined (liftcheck/undef.def) must be unconstrained in the lifter's terms.
 * Sits on top of lifter and jit; nothing below depends on it. */
#ifndef JITPROOF_LIFTCHECK_H
#define JITPROOF_LIFTCHECK_H

#include "lifter/lift.h"

/* One instruction form to check: its bytes (register operands and concrete immediates fixed). */
typedef struct lift_form {
	uint8_t bytes[16];
	uint8_t len;
} lift_form;

typedef struct lift_check_opts {
	unsigned states;      /* states per form */
	uint64_t seed;
	const char *break_rule; /* NULL or a lift_set_break rule */
	bool verbose;         /* print every form and every mismatch (else the first 20 mismatches) */
} lift_check_opts;

typedef struct lift_check_report {
	size_t forms, states, mismatches;
	size_t de_runs;  /* states on which the lifter predicted #DE and the CPU was run to agree */
	size_t skipped;  /* state slots for which no #DE-free state was found (e.g. div rdx) */
} lift_check_report;

/* The built-in list of forms (a superset of what a PVM JIT needs), for lift-check without jit/. */
size_t lift_builtin_forms(const lift_form **out);
/* Every distinct instruction form the JIT emits, collected by emitting every template (all
 * register assignments, immediates of several classes, with and without BMI/LZCNT/POPCNT) and
 * decoding it. Forms are told apart by mnemonic, operand kinds and sizes, and which operands are
 * the same register or one of rax/rcx/rdx/rsp; the first emitted instance represents the form.
 * Returns the count and a malloc'ed array in *out (free it); 0 and NULL when built without jit/.
 * *templates gets the number of templates emitted. */
size_t lift_jit_forms(lift_form **out, size_t *templates);
/* Execute each form natively on opts->states random and edge states and compare GPRs, defined
 * flags and written memory with the lifter's terms. Progress and mismatches go to `log`.
 * Returns LIFT_OK when the check ran (mismatches counted in *rep), else an error (for example an
 * unsupported form) with lift_errmsg-style detail in errbuf. */
lift_err lift_check_forms(const lift_form *forms, size_t nforms, const lift_check_opts *opts,
			  FILE *log, lift_check_report *rep, char *errbuf, size_t errlen);

/* ---- undefined flags against the architecture ------------------------------------------------ */

typedef struct lift_undef_report {
	size_t forms;       /* single-instruction forms with a row in undef.def */
	size_t flags;       /* (form, undefined flag) pairs checked */
	size_t vacuous;     /* pairs whose condition no input meets (e.g. OF of a shift by 1) */
	size_t defined;     /* pairs where the lifter's term is determined by the inputs: failures */
} lift_undef_report;
/* For every form whose instruction has a row in liftcheck/undef.def, and every flag the row says
 * the SDM leaves undefined (under the row's condition, e.g. a masked count > 1), require the
 * lifter's term for that flag to be unconstrained: for no input state (registers, flags, memory,
 * immediate and displacement fields) that meets the condition is it forced to 0, nor to 1, by
 * the inputs (Z3 unsat over every choice of the term's undef_* values). Each failure is one line
 * "UNDEFINED-FLAG-DEFINED FORM: FLAG ..." on log. LIFT_OK when the check ran. */
lift_err lift_check_undefined(const lift_form *forms, size_t nforms, const char *break_rule, FILE *log,
                              lift_undef_report *rep, char *errbuf, size_t errlen);

#endif
