/* tests/pvm/walks.c: deblob's two walks give the same program. Every blob is decoded twice,
 * by default (the walk of regular programs, falling back to the general walk) and with
 * PVM_DECODE_GENERAL (the general walk alone), and every array compared byte for byte: the
 * record at every pc 0..code_len, is_start, is_block, gas_cost, and the prevalidation note, and
 * each program's `regular` against the code itself; as GP 0.8.0, with PVM_DECODE_POLKAVM_END too,
 * and as GP 0.7.2 (whose regular programs take the same walk, their region costs after it). Blobs: every GP 0.8 vector in the folders given, and seeded random
 * ones: mostly valid (the fast walk's), with every form's fields at every skip 0..24 and both
 * signs, register fields 0-15 (rD bytes 0-255), branches whose neighbours are trap or unlikely,
 * repeated blocks, the last instruction a terminator or not; some with one flaw (an undefined
 * opcode, a gap over 24, bitmask bit 0 clear) at a random place, so that the walk stops there.
 * usage: pvm_walks N DIR... (N random blobs). Prints "deblob walks: N blobs (N by the fast walk),
 * N differ". */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"
#include "tests/jit/each_vector08.h"

static size_t blobs, fast, differ;

/* p->regular told from the code itself: 0 is a start, every start holds a defined opcode, and every
 * start is at most 25 bytes from the next (or from code_len). */
static bool regular_of(const pvm_program *p)
{
	if (!p->code_len || !p->is_start[0]) return false;
	for (uint32_t pc = 0, prev = 0; pc <= p->code_len; pc++)
		if (p->is_start[pc]) {
			if (pc < p->code_len && pvm_op_decode(p->isa, p->code[pc]) < 0) return false;
			if (pc && pc - prev - 1 > 24) return false;
			prev = pc;
		}
	return true;
}

static void compare(const uint8_t *blob, size_t len, const char *name)
{
	/* GP 0.8.0 with and without the PolkaVM end rule, then GP 0.7.2 (flags 4: a mark, no decode flag) */
	for (unsigned flags = 0; flags <= 2 * PVM_DECODE_POLKAVM_END; flags += PVM_DECODE_POLKAVM_END) {
		pvm_isa isa = flags == 2 * PVM_DECODE_POLKAVM_END ? PVM_ISA_072 : PVM_ISA_080;
		unsigned f = isa == PVM_ISA_072 ? 0 : flags;
		pvm_program a, b;
		pvm_errbuf e;
		int ra = pvm_program_decode_flags(&a, isa, f, blob, len, name, &e);
		int rb = pvm_program_decode_flags(&b, isa, f | PVM_DECODE_GENERAL, blob, len, name, &e);
		blobs++;
		if (ra != rb) {
			if (differ++ < 20) printf("DIFFER %s: decode returns %d and %d\n", name, ra, rb);
			if (!ra) pvm_program_fini(&a);
			if (!rb) pvm_program_fini(&b);
			continue;
		}
		if (ra) continue;
		size_t n = (size_t)a.code_len + 1;
		const char *what = memcmp(a.inst, b.inst, n * sizeof *a.inst) ? "inst" :
		                   memcmp(a.is_start, b.is_start, n) ? "is_start" :
		                   memcmp(a.is_block, b.is_block, n) ? "is_block" :
		                   memcmp(a.gas_cost, b.gas_cost, n * sizeof *a.gas_cost) ? "gas_cost" :
		                   strcmp(a.invalid, b.invalid) ? "invalid" :
		                   a.regular != regular_of(&a) || b.regular != regular_of(&b) ? "regular" : NULL;
		if (what) {
			if (differ++ < 20) {
				printf("DIFFER %s (flags %u): %s", name, flags, what);
				for (uint32_t pc = 0; pc < n; pc++)
					if (memcmp(&a.inst[pc], &b.inst[pc], sizeof a.inst[pc]) || a.is_block[pc] != b.is_block[pc] ||
					    a.gas_cost[pc] != b.gas_cost[pc]) {
						printf(" (first at pc %u: op %u/%u next %u/%u target %u/%u imm %llx/%llx imm2 %llx/%llx "
						       "block %u/%u cost %u/%u)", pc, a.inst[pc].op, b.inst[pc].op, a.inst[pc].next,
						       b.inst[pc].next, a.inst[pc].target, b.inst[pc].target,
						       (unsigned long long)a.inst[pc].imm, (unsigned long long)b.inst[pc].imm,
						       (unsigned long long)a.inst[pc].imm2, (unsigned long long)b.inst[pc].imm2,
						       a.is_block[pc], b.is_block[pc], a.gas_cost[pc], b.gas_cost[pc]);
						break;
					}
				printf(" '%s' / '%s'\n", a.invalid, b.invalid);
			}
		}
		fast += a.regular; /* (the walk of regular programs took it) */
		pvm_program_fini(&a);
		pvm_program_fini(&b);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) return 2;
	if (each_vector08(argc - 1, argv + 1, compare, &differ)) differ++; /* (argv[1]: the count) */
	static uint8_t blob[4096];
	uint64_t rng = 0x9E3779B97F4A7C15ull;
	for (long i = 0, n = atol(argv[1]); i < n; i++) {
		size_t len = random_blob08(blob, sizeof blob, i % 8 < 5 ? 0 : (unsigned)(i % 8 - 4), &rng);
		char name[32];
		snprintf(name, sizeof name, "random %ld", i);
		compare(blob, len, name);
	}
	printf("deblob walks: %zu blobs (%zu by the fast walk), %zu differ\n", blobs, fast, differ);
	return differ || !fast ? 1 : 0;
}
