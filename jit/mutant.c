/* jit/mutant.c: the mutant registry (see mutant.h). */
#include <string.h>
#include "pvm/pvm.h"
#include "jit/mutant.h"

#ifdef JITPROOF_MUTANTS
jit_mutant_id jit_active_mutant = JIT_MUT_NONE;
static const jit_mutant table[] = {
#define MUTANT(id, op, cls, what) { #id, PVM_OP_##op, #cls, what },
#include "mutants.def"
#undef MUTANT
};
_Static_assert(sizeof table / sizeof table[0] == JIT_MUT_COUNT - 1, "one row per mutant id");

const jit_mutant *jit_mutants(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

bool jit_set_mutant(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].name, name)) {
			jit_active_mutant = (jit_mutant_id)(i + 1);
			return true;
		}
	return false;
}
#else
const jit_mutant *jit_mutants(size_t *n)
{
	*n = 0;
	return NULL;
}

bool jit_set_mutant(const char *name)
{
	(void)name;
	return false;
}
#endif
