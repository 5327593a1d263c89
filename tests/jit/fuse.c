/* tests/jit/fuse.c: fused pairs (jit.h § fusions) at run time. For the case FILE (a .pvmasm with
 * fusable pairs) in both revisions: the compile fuses (the pc map gives some instruction the host
 * offset of the one before it), and from every instruction start with every gas from 0 to the
 * program's need (+2), under both GP 0.7.2 readings, both JITs end exactly as the interpreter does
 * (registers, pc, gas, exit, memory). The runs that start at a pair's second instruction, or that
 * per-instruction gas stops there, run on the program compiled without fusions (runtime.c); the
 * test checks they did (the twin exists afterwards) and agreed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep.h"

/* The compile fused: rows sharing a host offset, each pair's second marked fused. */
static size_t check(const pvm_program *p, const jit_program *jp, const char *jit)
{
	size_t pairs = 0, marked = 0;
	for (size_t r = 1; r < jp->n_rows; r++) pairs += jp->rows[r].at.host_off == jp->rows[r - 1].at.host_off;
	for (uint32_t pc = 0; pc <= p->code_len; pc++) marked += jit_fused_second(jp, pc);
	if (!pairs || marked != pairs) {
		fprintf(stderr, "FAIL: GP %s, %s: %zu pairs share an offset, %zu marked fused\n", pvm_isa_name(p->isa), jit,
		        pairs, marked);
		failed++;
	}
	return pairs;
}

/* The cost of the region at 0 (the case's one), and 2. */
static int64_t first_cost(const pvm_program *p) { return (int64_t)p->gas_cost[0] + 2; }

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jit_fuse FILE.pvmasm\n");
		return 2;
	}
	size_t twins;
	long pairs = each_compile(argv[1], check, first_cost, &twins);
	if (pairs < 0) return 2;
	if (twins != 4) {
		fprintf(stderr, "FAIL: %zu of 4 compiles ran a start or stop inside a pair on their twin\n", twins);
		failed++;
	}
	printf("jit_fuse: %d runs, %ld fused pairs, %s\n", runs, pairs, failed ? "FAILED" : "all agree");
	return failed ? 1 : 0;
}
