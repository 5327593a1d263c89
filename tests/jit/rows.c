/* tests/jit/rows.c: jit_row_inst (the instruction the runtime reads at a row's pc, decoded anew)
 * is, at every row of a compiled program, what the compile emitted there: p->inst[pc] at an
 * instruction start, { trap, pc, pc + 1 } elsewhere. Programs: every 0.8.0 vector of the
 * directories given (decoded as 0.8.0 and as 0.7.2), and random blobs (undefined opcodes, gaps
 * past 24 bytes, fall-through into positions that hold no instruction).
 * Usage: jit_rows DIR... ; prints "jit_rows: N programs, M rows, 0 bad". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jit/jit_internal.h"
#include "each_vector08.h"

static size_t n_progs, n_rows, bad;

static void check(const pvm_program *p, const char *name)
{
	jit_program *jp;
	if (jit_program_new(p, jit_cpu_features(), &jp) != JIT_OK) {
		printf("FAIL %s: compile failed\n", name);
		bad++;
		return;
	}
	n_progs++;
	for (size_t i = 0; i < jp->n_rows; i++, n_rows++) {
		uint32_t pc = jp->rows[i].at.guest_pc;
		pvm_inst want = pc < p->code_len && p->is_start[pc] ? p->inst[pc] :
		                (pvm_inst){ .op = PVM_OP_trap, .pc = pc, .next = pc + 1 };
		pvm_inst got = jit_row_inst(jp, pc);
		if (memcmp(&got, &want, sizeof got)) {
			if (bad++ < 10)
				printf("FAIL %s: row pc %u: op %u next %u imm %llu, want op %u next %u imm %llu\n", name, pc,
				       got.op, got.next, (unsigned long long)got.imm, want.op, want.next, (unsigned long long)want.imm);
		}
	}
	jit_program_free(jp);
}

static void check_blob(const uint8_t *blob, size_t len, const char *name) { decode_each_isa(blob, len, name, check); }

/* A blob of no jump table, n random code bytes (opcodes mostly of a few kinds, and any byte),
 * and a random bitmask with bit 0 set, sparse or dense. */
static size_t random_blob(uint8_t *b, uint32_t n, uint64_t *s)
{
	size_t k = 0;
	b[k++] = 0; /* jump table length */
	b[k++] = 0; /* entry width */
	uint8_t v[9];
	size_t l = pvm_varint_encode(n, v);
	memcpy(b + k, v, l);
	k += l;
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	unsigned density = (unsigned)(*s >> 60); /* 0 .. 15: a bitmask bit is set with (density + 1) / 32 */
	for (uint32_t i = 0; i < n; i++) {
		*s = *s * 6364136223846793005ull + 1442695040888963407ull;
		b[k + i] = (uint8_t)(*s >> 40);
	}
	uint8_t *m = b + k + n;
	memset(m, 0, (n + 7) / 8);
	for (uint32_t i = 0; i < n; i++) {
		*s = *s * 6364136223846793005ull + 1442695040888963407ull;
		if (i == 0 || (*s >> 59) <= density) m[i >> 3] |= (uint8_t)(1u << (i & 7));
	}
	return k + n + (n + 7) / 8;
}

int main(int argc, char **argv)
{
	if (each_vector08(argc, argv, check_blob, &bad)) return 1;
	uint64_t s = 1;
	static uint8_t blob[32 + 4096 + 512];
	for (int i = 0; i < 2000; i++) {
		char name[32];
		snprintf(name, sizeof name, "random %d", i);
		uint32_t n = 1 + (uint32_t)(s >> 33) % (i % 4 ? 64 : 4096);
		check_blob(blob, random_blob(blob, n, &s), name);
	}
	printf("jit_rows: %zu programs, %zu rows, %zu bad\n", n_progs, n_rows, bad);
	return bad != 0 || n_progs < 2000;
}
