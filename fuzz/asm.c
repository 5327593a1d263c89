/* fuzz/asm.c: the PVM assembler (pvm_asm, .pvmasm text), then the blob decoder on what it
 * assembled (which must decode: the assembler promises valid blobs, so a failure aborts).
 * Must never crash, leak, hang or grow without bound. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pvm_vector v;
	pvm_errbuf e;
	if (pvm_asm((const char *)data, size, "fuzz.pvmasm", &v, &e)) return 0;
	pvm_program p;
	if (pvm_program_decode(&p, v.program, v.program_len, "fuzz", &e)) {
		fprintf(stderr, "fuzz_asm: the assembler wrote a blob that does not decode: %s\n", e.msg);
		abort();
	}
	pvm_program_fini(&p);
	pvm_vector_fini(&v);
	return 0;
}
