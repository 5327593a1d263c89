/* fuzz/spec.c: the spec loader (sem_spec_parse: YAML, s-expressions, type checking) and the
 * table check. Must never crash, leak, hang or grow without bound. */
#include "fuzz/fuzz.h"
#include "semantics/sem.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pvm_errbuf e;
	sem_spec *sp = sem_spec_parse((const char *)data, size, "fuzz.yaml", &e);
	if (!sp) return 0;
	sem_spec_check_table(sp, PVM_ISA_072, &e);
	sem_spec_free(sp);
	return 0;
}
