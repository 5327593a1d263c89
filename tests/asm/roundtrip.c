/* tests/asm/roundtrip.c: disasm → asm over every w3f vector (*.json) and every assembled
 * .pvmasm file in a folder gives a byte-identical program, the same initial state and the same
 * expectations. Usage: asm_roundtrip DIR COUNT (fails unless exactly COUNT files were found, so a
 * lost folder cannot pass), or asm_roundtrip --random N: N pseudo-random programs (fixed seed;
 * random code bytes, bitmask and jump table) must survive disasm → asm byte for byte. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

/* Compares two vectors' programs, initial states and expectations; names the first difference. */
static const char *differs(const pvm_vector *a, const pvm_vector *b)
{
	if (a->program_len != b->program_len || memcmp(a->program, b->program, a->program_len)) return "program";
	if (memcmp(a->initial_regs, b->initial_regs, sizeof a->initial_regs)) return "initial-regs";
	if (a->initial_pc != b->initial_pc) return "initial-pc";
	if (a->initial_gas != b->initial_gas) return "initial-gas";
	if (strcmp(a->name, b->name)) return "name";
	pvm_state sa, sb;
	pvm_vector_initial_state(a, &sa);
	pvm_vector_initial_state(b, &sb);
	uint32_t addr;
	int va, vb;
	bool memdiff = pvm_mem_diff(sa.mem, sb.mem, &addr, &va, &vb);
	pvm_state_fini(&sa);
	pvm_state_fini(&sb);
	if (memdiff) return "initial memory or page map";
	if (a->has_expected != b->has_expected) return "has expectations";
	if (a->expected_status != b->expected_status) return "expected-status";
	if (a->expected_pc != b->expected_pc) return "expected-pc";
	if (a->expected_gas != b->expected_gas) return "expected-gas";
	if (memcmp(a->expected_regs, b->expected_regs, sizeof a->expected_regs)) return "expected-regs";
	if (a->has_fault_addr != b->has_fault_addr || a->expected_fault_addr != b->expected_fault_addr)
		return "expected-page-fault-address";
	if (a->n_expected_mem != b->n_expected_mem) return "expected-memory chunk count";
	for (size_t i = 0; i < a->n_expected_mem; i++) {
		const pvm_chunk *x = &a->expected_mem[i], *y = &b->expected_mem[i];
		if (x->address != y->address || x->len != y->len || memcmp(x->data, y->data, x->len))
			return "expected-memory";
	}
	return NULL;
}

/* A vector file, or a .pvmasm file assembled (its expectations as written, if any). */
static pvm_err load(pvm_vector *v, const char *path, pvm_errbuf *e)
{
	size_t l = strlen(path);
	if (l > 5 && !strcmp(path + l - 5, ".json")) return pvm_vector_read(v, path, e);
	uint8_t *text;
	size_t len;
	pvm_err err = pvm_read_file(path, &text, &len, e);
	if (err) return err;
	err = pvm_asm((const char *)text, len, path, v, e);
	free(text);
	return err;
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next_rand(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* A random valid blob: mostly defined opcodes, random operand bytes and bitmask, small jump table. */
static size_t random_blob(uint8_t *b)
{
	uint32_t clen = next_rand() % 80, nj = next_rand() % 4, z = nj ? 1 + next_rand() % 4 : next_rand() % 2;
	size_t n = 0;
	n += pvm_varint_encode(nj, b + n);
	b[n++] = (uint8_t)z;
	n += pvm_varint_encode(clen, b + n);
	for (uint32_t i = 0; i < nj * z; i++) b[n++] = (uint8_t)(i % z == 0 ? next_rand() % (clen + 2) : next_rand() % 3 == 0);
	for (uint32_t i = 0; i < clen; i++)
		b[n++] = next_rand() % 4 ? pvm_byte(PVM_ISA_072, pvm_isa_ops(PVM_ISA_072)[next_rand() % PVM_NUM_OPCODES]) : (uint8_t)next_rand();
	size_t k = n;
	for (uint32_t i = 0; i < (clen + 7) / 8; i++) b[n++] = 0;
	for (uint32_t i = 0; i < clen; i++)
		if (next_rand() % 3 == 0) b[k + i / 8] |= (uint8_t)(1u << (i % 8));
	return n;
}

static int random_programs(long count)
{
	int bad = 0, decoded = 0;
	for (long i = 0; i < count; i++) {
		uint8_t blob[512];
		size_t len = random_blob(blob);
		pvm_errbuf e;
		pvm_program p;
		if (pvm_program_decode(&p, blob, len, "random", &e)) continue;
		decoded++;
		char *text;
		size_t tlen;
		FILE *f = open_memstream(&text, &tlen);
		pvm_disasm(&p, NULL, f);
		fclose(f);
		pvm_vector w;
		if (pvm_asm(text, tlen, "random.pvmasm", &w, &e)) {
			printf("FAIL program %ld: %s\n%s", i, e.msg, text);
			bad++;
		} else {
			if (w.program_len != len || memcmp(w.program, blob, len)) {
				printf("FAIL program %ld: bytes differ after disasm → asm\n%s\nwant", i, text);
				for (size_t k = 0; k < len; k++) printf(" %02x", blob[k]);
				printf("\ngot ");
				for (size_t k = 0; k < w.program_len; k++) printf(" %02x", w.program[k]);
				printf("\n");
				bad++;
			}
			pvm_vector_fini(&w);
		}
		free(text);
		pvm_program_fini(&p);
	}
	printf("asm round trip: %d random programs decoded, %d failed\n", decoded, bad);
	return bad || decoded < count / 2 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--random")) return random_programs(strtol(argv[2], NULL, 10));
	if (argc != 3) {
		fprintf(stderr, "usage: asm_roundtrip DIR COUNT\n");
		return 2;
	}
	DIR *d = opendir(argv[1]);
	if (!d) return perror(argv[1]), 2;
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if ((l <= 5 || strcmp(de->d_name + l - 5, ".json")) && (l <= 7 || strcmp(de->d_name + l - 7, ".pvmasm")))
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	int bad = 0, raw = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
		pvm_errbuf e;
		pvm_vector v, w;
		pvm_program p;
		if (load(&v, path, &e)) {
			printf("FAIL %s\n", e.msg);
			bad++;
			continue;
		}
		if (pvm_program_decode(&p, v.program, v.program_len, names[i], &e)) {
			printf("FAIL %s\n", e.msg);
			bad++;
			pvm_vector_fini(&v);
			continue;
		}
		char *text;
		size_t tlen;
		FILE *f = open_memstream(&text, &tlen);
		pvm_err err = pvm_disasm(&p, &v, f);
		fclose(f);
		if (strstr(text, ".raw") || strstr(text, ".pad")) raw++;
		const char *why = NULL;
		if (err) {
			printf("FAIL %s: disasm: %s\n", names[i], pvm_strerror(err));
			bad++;
		} else if (pvm_asm(text, tlen, path, &w, &e)) {
			printf("FAIL %s: asm of the disassembly: %s\n", names[i], e.msg);
			bad++;
		} else {
			if ((why = differs(&v, &w))) {
				printf("FAIL %s: %s differs after disasm → asm\n%s", names[i], why, text);
				bad++;
			}
			pvm_vector_fini(&w);
		}
		free(text);
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
	}
	for (size_t i = 0; i < n; i++) free(names[i]);
	free(names);
	long want = strtol(argv[2], NULL, 10);
	printf("asm round trip: %zu files (%d with .raw/.pad lines), %d failed\n", n, raw, bad);
	if ((long)n != want) {
		printf("FAIL: expected %ld files in %s, found %zu\n", want, argv[1], n);
		return 1;
	}
	return bad ? 1 : 0;
}
