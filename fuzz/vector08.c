/* fuzz/vector08.c: the GP 0.8 step-vector reader (pvm_vector08_parse, both spellings), then its
 * writer, the reader again on what the writer wrote (which must parse: a writer whose output its
 * own reader rejects is a bug, and aborts), and the block-cost check against the program's cost
 * model. Must never crash, leak, hang or grow without bound. The steps are not run: a vector's gas
 * may be 2^63 (the differential target runs programs). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text) return 0;
	pvm_vector08 v;
	pvm_errbuf e;
	(void)pvm_json_is_vector08(text, size);
	pvm_err perr = pvm_vector08_parse(&v, text, size, "fuzz.json", &e);
	free(text);
	if (perr) return 0;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (f) {
		pvm_err werr = pvm_vector08_write(&v, f);
		fclose(f);
		pvm_vector08 again;
		if (!werr && pvm_vector08_parse(&again, out, len, "rewritten.json", &e)) {
			fprintf(stderr, "fuzz_vector08: the writer's output does not parse: %s\n", e.msg);
			abort();
		}
		if (!werr) pvm_vector08_fini(&again);
	}
	free(out);
	pvm_program p;
	if (!pvm_program_decode_isa(&p, PVM_ISA_080, v.program, v.program_len, "fuzz", &e)) {
		char why[200];
		size_t checked;
		(void)pvm_vector08_check_costs(&v, &p, &checked, why, sizeof why);
		pvm_program_fini(&p);
	}
	pvm_vector08_fini(&v);
	return 0;
}
