/* tests/pvm/roundtrip.c: every w3f vector in a folder reads, writes back byte-identically
 * (same layout as the official files), and its program decodes and re-encodes byte-identically. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

int main(int argc, char **argv)
{
	if (argc != 2) return 2;
	DIR *d = opendir(argv[1]);
	if (!d) return perror(argv[1]), 2;
	char *names[1024];
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d)) && n < 1024;) {
		size_t l = strlen(de->d_name);
		if (l > 5 && !strcmp(de->d_name + l - 5, ".json")) names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
		pvm_errbuf e;
		pvm_vector v;
		uint8_t *file;
		size_t flen;
		if (pvm_read_file(path, &file, &flen, &e) || pvm_vector_read(&v, path, &e)) {
			printf("FAIL %s\n", e.msg);
			bad++;
			continue;
		}
		char *out;
		size_t olen;
		FILE *f = open_memstream(&out, &olen);
		pvm_vector_write(&v, f);
		fclose(f);
		if (olen != flen || memcmp(out, file, flen)) {
			printf("FAIL %s: written vector differs from the file\n", names[i]);
			bad++;
		}
		pvm_program p;
		if (pvm_program_decode(&p, v.program, v.program_len, names[i], &e)) {
			printf("FAIL %s\n", e.msg);
			bad++;
		} else {
			uint8_t *blob;
			size_t blen;
			if (pvm_program_encode(&p, &blob, &blen) || blen != v.program_len ||
			    memcmp(blob, v.program, blen)) {
				printf("FAIL %s: re-encoded program differs\n", names[i]);
				bad++;
			}
			free(blob);
			pvm_program_fini(&p);
		}
		free(out);
		free(file);
		pvm_vector_fini(&v);
		free(names[i]);
	}
	printf("roundtrip: %zu vectors, %d failures\n", n, bad);
	return bad || n == 0;
}
