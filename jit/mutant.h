/* jit/mutant.h: the validator's self-test: deliberately wrong templates (jit/mutants.def).
 * Built only with -DJITPROOF_MUTANTS=ON; otherwise the list is empty and nothing changes.
 * One mutant at most is active per process, chosen once at start-up (before any thread or
 * compilation) by jit_set_mutant; templates ask jit_mutant_on(). */
#ifndef JITPROOF_JIT_MUTANT_H
#define JITPROOF_JIT_MUTANT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum jit_mutant_id {
	JIT_MUT_NONE = 0,
#define MUTANT(id, op, cls, what) JIT_MUT_##id,
#include "mutants.def"
#undef MUTANT
	JIT_MUT_COUNT
} jit_mutant_id;

typedef struct jit_mutant {
	const char *name;     /* the id, as --mutant takes it */
	uint8_t opcode;       /* the opcode whose template it breaks */
	const char *bug_class;
	const char *what;
} jit_mutant;

/* The mutants built in (none without JITPROOF_MUTANTS). */
const jit_mutant *jit_mutants(size_t *n);
/* Activate a mutant by name; false if no such mutant is built in. */
bool jit_set_mutant(const char *name);

#ifdef JITPROOF_MUTANTS
extern jit_mutant_id jit_active_mutant;
static inline bool jit_mutant_on(jit_mutant_id m) { return jit_active_mutant == m; }
#else
static inline bool jit_mutant_on(jit_mutant_id m) { (void)m; return false; }
#endif
#endif
