/* jit/mutant.h: the validator's self-test: deliberately wrong JIT code, one row each in
 * jit/mutants.def, the code in jit/mutants.c. Built only with -DJITPROOF_MUTANTS=ON; otherwise the
 * list is empty and every hook point is the identity. One mutant at most is active per process,
 * chosen once at start-up (before any thread or compilation) by jit_set_mutant. A mutant acts
 * either as a replacement template (jit/template.h: jit_mutant_template) or at one hook point. */
#ifndef JITPROOF_JIT_MUTANT_H
#define JITPROOF_JIT_MUTANT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum jit_mutant_id {
	JIT_MUT_NONE = 0,
#define MUTANT(id, op, cls, how, what) JIT_MUT_##id,
#include "mutants.def"
#undef MUTANT
	JIT_MUT_COUNT
} jit_mutant_id;

/* Hook points: the only places outside the templates where a mutant acts. Each passes one value
 * through jit_mutant_hook; the comment says where and what the value is. */
typedef enum jit_hook {
	JIT_HOOK_NONE = 0,       /* (a replacement template, not a hook) */
	JIT_HOOK_region_cost,    /* compile.c region_cost: the gas a region's prologue charges */
	JIT_HOOK_jt_last,        /* compile.c emit_dispatch: the largest in-bounds address - 2 (2|j| - 2) */
	JIT_HOOK_sbrk_end,       /* runtime.c run_sbrk: the last byte of an allocation (x + size - 1); sandbox_open: of the 0.8.0 heap */
	JIT_HOOK_ro_perm,        /* runtime.c seal_read_only: the protection of a read-only page (PVM_READ) */
	JIT_HOOK_top_extra,      /* runtime.c sandbox_open: pages above the highest mapped one opened readable (0) */
	JIT_HOOK_branch_skip,    /* compile.c link: block entries a taken branch skips past its target (0) */
	JIT_HOOK_slot_skip,      /* compile.c jump table: 1 links a slot past its block's gas prologue (0) */
	JIT_HOOK_branch_charge,  /* compile.c emit_program: 1 = a taken branch enters its target's gas prologue */
	JIT_HOOK_resume_charge,  /* runtime.c jit_program_run: 1 = the run charges its first block (0.8.0: flag clear) */
	JIT_HOOK_COUNT
} jit_hook;

typedef struct jit_mutant {
	const char *name;     /* the id, as --mutant takes it */
	uint8_t opcode;       /* the opcode whose template it breaks (a hook mutant: the one to validate) */
	const char *bug_class;
	const char *what;
	jit_hook hook;        /* where it acts: JIT_HOOK_NONE = the replacement template of opcode */
} jit_mutant;

#ifdef JITPROOF_MUTANTS
/* The mutants built in. */
const jit_mutant *jit_mutants(size_t *n);
/* Activate a mutant by name; false if no such mutant is built in. */
bool jit_set_mutant(const char *name);
/* Hook point h passes value v: v, or what the active mutant makes of it if that mutant acts at h. */
uint64_t jit_mutant_hook(jit_hook h, uint64_t v);
#else
static inline const jit_mutant *jit_mutants(size_t *n) { *n = 0; return NULL; }
static inline bool jit_set_mutant(const char *name) { (void)name; return false; }
static inline uint64_t jit_mutant_hook(jit_hook h, uint64_t v) { (void)h; return v; }
#endif
#endif
