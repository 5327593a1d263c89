/* fuzz/vector.c: the w3f test-vector reader (pvm_vector_parse, JSON, with jitproof's
 * extensions), then its writer and the initial state it describes. Must never crash, leak,
 * hang or grow without bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text) return 0;
	pvm_vector v;
	pvm_errbuf e;
	if (!pvm_vector_parse(&v, text, size, "fuzz.json", &e)) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		if (f) {
			pvm_vector_write(&v, f);
			fclose(f);
		}
		free(out);
		pvm_state s;
		pvm_vector_initial_state(&v, &s);
		pvm_state_fini(&s);
		pvm_vector_fini(&v);
	}
	free(text);
	return 0;
}
