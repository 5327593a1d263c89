/* fuzz/blob.c: the §2 program blob decoder (pvm_program_decode), then the disassembler over
 * what it decoded. Must never crash, leak, hang or grow without bound on any input. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode(&p, data, size, "fuzz", &e)) return 0;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		pvm_disasm(&p, NULL, f);
		fclose(f);
	}
	free(text);
	pvm_program_fini(&p);
	return 0;
}
