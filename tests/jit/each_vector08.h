/* tests/jit/each_vector08.h: the GP 0.8 vectors of the directories argv[1..argc), each one's
 * program blob handed to fn(blob, len, path); a vector that does not read is counted in *bad with
 * a FAIL line. Returns 1 (after a FAIL line) when a directory cannot be opened, else 0. For the
 * tests that compile or decode every vector's program (jit: cache.c, rows.c; pvm: walks.c,
 * cost_paths.c); and each blob in both revisions, and a random program's code packed as a blob. */
#ifndef JITPROOF_TESTS_EACH_VECTOR08_H
#define JITPROOF_TESTS_EACH_VECTOR08_H
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include "pvm/pvm.h"

static inline int each_vector08(int argc, char **argv, void (*fn)(const uint8_t *, size_t, const char *), size_t *bad)
{
	for (int a = 1; a < argc; a++) {
		DIR *d = opendir(argv[a]);
		if (!d) {
			printf("FAIL %s: cannot open\n", argv[a]);
			return 1;
		}
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 5 || strcmp(de->d_name + l - 5, ".json")) continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", argv[a], de->d_name);
			pvm_vector08 v;
			pvm_errbuf e;
			if (pvm_vector08_read(&v, path, &e)) {
				printf("FAIL %s\n", e.msg);
				(*bad)++;
				continue;
			}
			fn(v.program, v.program_len, path);
			pvm_vector08_fini(&v);
		}
		closedir(d);
	}
	return 0;
}
/* Decode blob in each revision and hand every program that decodes to check(p, name). */
static inline void decode_each_isa(const uint8_t *blob, size_t len, const char *name,
                            void (*check)(const pvm_program *, const char *))
{
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
		pvm_program p;
		pvm_errbuf e;
		if (pvm_program_decode_isa(&p, (pvm_isa)isa, blob, len, name, &e)) continue;
		check(&p, name);
		pvm_program_fini(&p);
	}
}

/* The blob of len code bytes with their bitmask (its bits past len cleared) and no jump table
 * into blob (cap bytes): its length, or 0 when it does not fit. */
static inline size_t pack_blob08(const uint8_t *code, uint8_t *mask, size_t len, uint8_t *blob, size_t cap)
{
	size_t at = 0;
	uint8_t v[9];
	if (cap < len + len / 8 + 32) return 0;
	blob[at++] = 0; /* no jump table */
	blob[at++] = 0;
	size_t k = pvm_varint_encode(len, v);
	memcpy(blob + at, v, k);
	at += k;
	memcpy(blob + at, code, len);
	at += len;
	if (len % 8) mask[len / 8] &= (uint8_t)((1u << len % 8) - 1);
	memcpy(blob + at, mask, (len + 7) / 8);
	return at + (len + 7) / 8;
}
#endif
