/* pvm/asm.c: PVM assembly text ⇄ programs. PLACEHOLDER until the assembler lands. */
#include "pvm.h"

pvm_err pvm_asm(const char *text, size_t len, const char *name, pvm_vector *out, pvm_errbuf *e)
{
	(void)text; (void)len; (void)out;
	pvm_errf(e, "%s: the assembler is not built yet", name);
	return PVM_EINVAL;
}

pvm_err pvm_disasm(const pvm_program *p, const pvm_vector *v, FILE *out)
{
	(void)p; (void)v; (void)out;
	return PVM_EINVAL;
}
