/* tests/pvm/cost_paths.c: deblob's way of computing the GP 0.8.0 block costs (each block's words
 * gathered during the decode walk, the memo, the entry-by-entry schedule) against the plain one
 * (pvm_block_cost_sim: the words read again from the block start, the cycle-by-cycle simulation,
 * no memo), and pvm_block_cost (words from the start, schedule or simulation) against both, at
 * every pc of every GP 0.8 vector in the folders given and of seeded random programs: blocks of
 * every 0.8.0 instruction with repeated blocks (memo hits), register aliasing, branches whose
 * neighbours are trap or unlikely (hints), skips over 24 (a block cut into a trap between starts),
 * undefined opcode bytes and a block running into the end of the code; every fourth program one
 * long block of hundreds of instructions.
 * usage: pvm_cost_paths N DIR... (N random programs). Prints "cost paths: N programs, N blocks, N failures". */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

static size_t programs, blocks, failures;

static void check(const pvm_program *p, const char *name)
{
	programs++;
	uint32_t b = UINT32_MAX, sim = 0; /* L(pc) and its simulated cost */
	for (uint32_t pc = 0; pc <= p->code_len; pc++) {
		if (pc < p->code_len && p->is_block[pc]) b = pc, sim = pvm_block_cost_sim(p, pc);
		uint32_t want = pc == p->code_len || b == UINT32_MAX ? 0 : sim;
		if (p->gas_cost[pc] != want) {
			if (failures++ < 20)
				printf("FAIL %s: pc %u (block %u): deblob's cost %u, the simulation's %u\n", name, pc, b,
				       p->gas_cost[pc], want);
		}
		if (pc < p->code_len && p->is_block[pc]) {
			blocks++;
			uint32_t c = pvm_block_cost(p, pc);
			if (c != want && failures++ < 20)
				printf("FAIL %s: block %u: pvm_block_cost %u, the simulation's %u\n", name, pc, c, want);
		}
	}
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random 0.8.0 blob: instructions of random opcodes with random operand bytes and skips,
 * blocks often copied from earlier ones, the bitmask's gaps sometimes over 24 bytes. long_blocks:
 * no terminator and no gap over 24, so the one block runs to the end of the code (hundreds of
 * instructions: every unit saturated, the schedule's skips over full cycles, costs past its
 * horizon). */
static size_t random_blob(uint8_t *blob, size_t cap, bool long_blocks)
{
	enum { CODE = 1500 };
	static uint8_t code[CODE + 64], mask[CODE / 8 + 16];
	const uint8_t *ops = pvm_isa_ops(PVM_ISA_080);
	uint8_t trap = pvm_byte(PVM_ISA_080, PVM_OP_trap), unlikely = pvm_byte(PVM_ISA_080, PVM_OP_unlikely);
	size_t n = 0, len = 200 + next_rand() % (CODE - 300);
	memset(mask, 0, sizeof mask);
	uint32_t starts[CODE];
	size_t n_starts = 0;
	while (n < len) {
		if (n_starts > 8 && next_rand() % 4 == 0) { /* repeat an earlier run of instructions */
			size_t from = next_rand() % (n_starts - 4), k = 1 + next_rand() % 6;
			uint32_t a = starts[from], z = from + k < n_starts ? starts[from + k] : (uint32_t)n;
			if (n + (z - a) < len) {
				for (uint32_t i = a; i < z; i++) {
					code[n] = code[i];
					if (mask[i / 8] >> (i % 8) & 1) mask[n / 8] |= (uint8_t)(1u << n % 8), starts[n_starts++] = (uint32_t)n;
					n++;
				}
				continue;
			}
		}
		unsigned r = next_rand() % 100;
		uint8_t op = r < 3 ? (uint8_t)next_rand() : r < 8 ? trap : r < 10 ? unlikely :
		             pvm_byte(PVM_ISA_080, ops[next_rand() % PVM_NUM_OPCODES]);
		size_t skip = next_rand() % 50 == 0 ? 25 + next_rand() % 8 : next_rand() % 10;
		if (long_blocks) {
			unsigned o;
			do o = ops[next_rand() % PVM_NUM_OPCODES];
			while (pvm_op_is_term(o));
			op = pvm_byte(PVM_ISA_080, o);
			skip = next_rand() % 10;
		}
		if (n + 1 + skip > len) skip = len - n - 1;
		starts[n_starts++] = (uint32_t)n;
		mask[n / 8] |= (uint8_t)(1u << n % 8);
		code[n++] = op;
		for (size_t i = 0; i < skip; i++) {
			/* register nibbles often equal (aliasing), offsets often small (targets in the code) */
			uint8_t b = (uint8_t)next_rand();
			code[n++] = next_rand() % 3 ? (uint8_t)(b % 13 | (b % 13) << 4) : next_rand() % 2 ? (uint8_t)(b % 64) : b;
		}
	}
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

static void check_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		failures++;
		return;
	}
	for (struct dirent *de; (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l <= 5 || strcmp(de->d_name + l - 5, ".json")) continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		pvm_vector08 v;
		pvm_program p;
		pvm_errbuf e;
		if (pvm_vector08_read(&v, path, &e) ||
		    pvm_program_decode_isa(&p, PVM_ISA_080, v.program, v.program_len, de->d_name, &e)) {
			printf("FAIL %s\n", e.msg);
			failures++;
			continue;
		}
		check(&p, de->d_name);
		pvm_program_fini(&p);
		pvm_vector08_fini(&v);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	for (int i = 2; i < argc; i++) check_dir(argv[i]);
	static uint8_t blob[4096];
	for (long i = 0, n = atol(argv[1]); i < n; i++) {
		size_t len = random_blob(blob, sizeof blob, i % 4 == 3);
		pvm_program p;
		pvm_errbuf e;
		char name[32];
		snprintf(name, sizeof name, "random %ld", i);
		if (pvm_program_decode_isa(&p, PVM_ISA_080, blob, len, name, &e)) {
			printf("FAIL %s\n", e.msg);
			failures++;
			continue;
		}
		check(&p, name);
		pvm_program_fini(&p);
	}
	printf("cost paths: %zu programs, %zu blocks, %zu failures\n", programs, blocks, failures);
	return failures ? 1 : 0;
}
