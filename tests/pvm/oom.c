/* tests/pvm/oom.c: the out-of-memory policy (README § Errors). With argument "fail" an
 * allocation the host cannot satisfy must print "jitproof: out of memory (N bytes)" and abort;
 * without, small allocations (also of size 0) succeed and are never NULL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "fail")) {
		void *p = pvm_xmalloc((size_t)1 << 62); /* 4 EiB */
		printf("FAIL: pvm_xmalloc returned %p\n", p);
		return 0; /* the wrapper expects an abort, so a normal exit fails the test */
	}
	char *a = pvm_xmalloc(0), *b = pvm_xcalloc(0, 8), *c = pvm_xrealloc(NULL, 16), *d = pvm_xstrdup("jit");
	int ok = a && b && c && d && !strcmp(d, "jit");
	printf("%s: small allocations\n", ok ? "ok" : "FAIL");
	free(a), free(b), free(c), free(d);
	return !ok;
}
