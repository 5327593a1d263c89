/* fuzz/container.c: the standard program container loader (pvm_container_load, ISA-NOTES §8),
 * with and without argument bytes. Must never crash, leak, hang or grow without bound. */
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t args[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	for (int with_args = 0; with_args < 2; with_args++) {
		pvm_program p;
		pvm_state s;
		pvm_errbuf e;
		if (pvm_container_load(data, size, with_args ? args : NULL, with_args ? sizeof args : 0, "fuzz", &p, &s, &e))
			continue;
		pvm_program_fini(&p);
		pvm_state_fini(&s);
	}
	return 0;
}
