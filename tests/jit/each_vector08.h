/* tests/jit/each_vector08.h: the GP 0.8 vectors of the directories argv[1..argc), each one's
 * program blob handed to fn(blob, len, path); a vector that does not read is counted in *bad with
 * a FAIL line. Returns 1 (after a FAIL line) when a directory cannot be opened, else 0. For the
 * tests that compile or decode every vector's program (jit: cache.c, rows.c; pvm: walks.c,
 * cost_paths.c); and each blob in both revisions, and a random program's code packed as a blob. */
#ifndef JITPROOF_TESTS_EACH_VECTOR08_H
#define JITPROOF_TESTS_EACH_VECTOR08_H
#include <dirent.h>
#include <stdbool.h>
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
/* The random generators' (random_blob08, tests/pvm/cost_paths.c) repeat of an earlier run of
 * instructions: 1 + r2 % 6 of them from start r1 % (n_starts - 4) (n_starts > 4) copied to the
 * end of code[0 .. *n) with their bitmask bits and starts, when they fit before len; false if not. */
static inline bool repeat_run08(uint8_t *code, uint8_t *mask, uint32_t *starts, size_t *n, size_t *n_starts, size_t len,
                                uint64_t r1, uint64_t r2)
{
	size_t from = r1 % (*n_starts - 4), k = 1 + r2 % 6;
	uint32_t a = starts[from], z = from + k < *n_starts ? starts[from + k] : (uint32_t)*n;
	if (*n + (z - a) >= len) return false;
	for (uint32_t i = a; i < z; i++) {
		code[*n] = code[i];
		if (mask[i / 8] >> (i % 8) & 1) mask[*n / 8] |= (uint8_t)(1u << *n % 8), starts[(*n_starts)++] = (uint32_t)*n;
		(*n)++;
	}
	return true;
}

/* xorshift64: *s must not be 0 */
static inline uint64_t next_rand08(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random GP 0.8.0 blob from the state *rng (for deblob_walks and jit_cache): mostly valid, with
 * every form's fields at every skip 0..24 and both signs, register fields 0-15 (rD bytes 0-255),
 * branches whose neighbours are trap or unlikely, repeated blocks, the last instruction a
 * terminator or not; flaw: 0 none, 1 an undefined opcode, 2 a gap over 24,
 * 3 bitmask bit 0 clear. */
static inline size_t random_blob08(uint8_t *blob, size_t cap, unsigned flaw, uint64_t *rng)
{
	enum { CODE = 1200 };
	static uint8_t code[CODE + 64], mask[CODE / 8 + 16];
	static uint32_t starts[CODE];
	const uint8_t *ops = pvm_isa_ops(PVM_ISA_080);
	uint8_t trap = pvm_byte(PVM_ISA_080, PVM_OP_trap), unlikely = pvm_byte(PVM_ISA_080, PVM_OP_unlikely);
	size_t n = 0, len = 1 + next_rand08(rng) % (next_rand08(rng) % 4 ? 300 : CODE - 40), n_starts = 0;
	size_t flaw_at = next_rand08(rng) % len;
	memset(mask, 0, sizeof mask);
	while (n < len) {
		if (n_starts > 8 && next_rand08(rng) % 5 == 0) { /* repeat an earlier run of instructions */
			uint64_t r1 = next_rand08(rng), r2 = next_rand08(rng);
			if (repeat_run08(code, mask, starts, &n, &n_starts, len, r1, r2)) continue;
		}
		unsigned r = next_rand08(rng) % 100;
		uint8_t op = r < 5 ? trap : r < 8 ? unlikely : pvm_byte(PVM_ISA_080, ops[next_rand08(rng) % PVM_NUM_OPCODES]);
		size_t skip = next_rand08(rng) % 4 ? next_rand08(rng) % 8 : next_rand08(rng) % 25;
		if (flaw == 1 && n >= flaw_at) {
			do op = (uint8_t)next_rand08(rng);
			while (pvm_op_decode(PVM_ISA_080, op) >= 0);
			flaw = 0;
		} else if (flaw == 2 && n >= flaw_at) {
			skip = 25 + next_rand08(rng) % 8;
			flaw = 0;
		}
		if (n + 1 + skip > len) skip = len - n - 1;
		starts[n_starts++] = (uint32_t)n;
		mask[n / 8] |= (uint8_t)(1u << n % 8);
		code[n++] = op;
		for (size_t i = 0; i < skip; i++) {
			/* register nibbles often equal, lengths often in range, offsets often into the code,
			 * sign bits either way */
			uint8_t b = (uint8_t)next_rand08(rng);
			unsigned k = next_rand08(rng) % 4;
			code[n++] = k == 0 ? (uint8_t)(b % 13 | (b % 13) << 4) : k == 1 ? (uint8_t)(b % 8 | (b % 16) << 4) :
			            k == 2 ? (uint8_t)(b % 64) : b;
		}
	}
	if (flaw == 3) mask[0] &= 0xFE;
	return pack_blob08(code, mask, len, blob, cap);
}

#endif
