/* tests/jit/chains.c: gas chains (jit.h § chains) at run time. For the case FILE (a .pvmasm with
 * chains) in both revisions, on both JITs: the compile made chains (a block start with no prologue
 * of its own, rows with prepaid gas), and from every instruction start with every gas from 0 to
 * the sum of all block costs (+2), under both GP 0.7.2 readings and, in GP 0.8.0, with the gas of
 * the block already charged or not, the JIT ends exactly as the interpreter does (registers, pc,
 * gas, exit, memory). Runs with gas for a chain's first block but not for the whole chain, and runs
 * that start inside a chain without gas for the rest of it, go to the program compiled without
 * chains (runtime.c): the test checks each compile made that twin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep.h"

/* The compile made chains: blocks without a prologue of their own, rows with prepaid gas. */
static size_t check(const pvm_program *p, const jit_program *jp, const char *jit)
{
	size_t members = 0, prepaid = 0;
	for (size_t r = 0; r < jp->n_rows; r++) {
		uint32_t pc = jp->rows[r].at.guest_pc;
		members += pc < p->code_len && p->is_block[pc] && jp->rows[r].entry == JIT_NONE;
		prepaid += jp->rows[r].prepaid != 0;
	}
	if (!members || !prepaid) {
		fprintf(stderr, "FAIL: GP %s, %s: %zu blocks without a prologue, %zu rows with prepaid gas\n",
		        pvm_isa_name(p->isa), jit, members, prepaid);
		failed++;
	}
	return members;
}

/* The sum of all block costs, and 2. */
static int64_t all_costs(const pvm_program *p)
{
	int64_t all = 2;
	for (uint32_t pc = 0; pc < p->code_len; pc++)
		if (p->is_start[pc] && p->is_block[pc]) all += p->gas_cost[pc];
	return all;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jit_chains FILE.pvmasm\n");
		return 2;
	}
	size_t twins;
	long members = each_compile(argv[1], check, all_costs, &twins);
	if (members < 0) return 2;
	if (twins != 4) {
		fprintf(stderr, "FAIL: %zu of 4 compiles ran a run the chains could not pay on their twin\n", twins);
		failed++;
	}
	printf("jit_chains: %d runs, %ld chain members, %s\n", runs, members, failed ? "FAILED" : "all agree");
	return failed ? 1 : 0;
}
