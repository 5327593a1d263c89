/* tests/jit/steps.c: steps (jit.h § steps) at run time. For the case FILE (a .pvmasm with a
 * byte-reduction loop) in both revisions, on both JITs: the compile made a step, and from every
 * instruction start with every gas from 0 to what the run from pc 0 takes and the gas of two steps, under both GP 0.7.2
 * readings and, in GP 0.8.0, with the gas of the block already charged or not, the JIT ends
 * exactly as the interpreter does (registers, pc, gas, exit, memory): the guard's gas and bound
 * edges, and a run that stops inside the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sweep.h"

static const char *file;

/* The compile made a step. */
static size_t check(const pvm_program *p, const jit_program *jp, const char *jit)
{
	uint32_t latch[4];
	size_t n = jit_program_steps(jp, latch, 4);
	if (!n) {
		fprintf(stderr, "FAIL: GP %s, %s: no step\n", pvm_isa_name(p->isa), jit);
		failed++;
	}
	return n;
}

/* The gas the run from pc 0 takes on the interpreter, and 2, and as much again as sixteen turns of
 * the costliest kind take at most twice (runs from later starts with the gas for a step where the
 * run from 0 has none left). */
static int64_t run_gas(const pvm_program *p)
{
	char *text;
	size_t len;
	pvm_errbuf e;
	pvm_vector v;
	if (pvm_read_file(file, (uint8_t **)&text, &len, &e) != PVM_OK || pvm_asm_isa(text, len, p->isa, file, &v, &e) != PVM_OK) {
		fprintf(stderr, "%s\n", e.msg);
		exit(2);
	}
	free(text);
	void *pi = interp_engine.load(p, &e);
	pvm_state s;
	pvm_vector_initial_state(&v, &s);
	interp_engine.run(pi, &s);
	int64_t used = v.initial_gas - s.gas + 2, most = 0;
	for (uint32_t pc = 0; pc < p->code_len; pc++)
		if (p->is_start[pc] && p->is_block[pc] && (int64_t)p->gas_cost[pc] > most) most = p->gas_cost[pc];
	used += 2 * JIT_STEP_TURNS * 3 * most;
	pvm_state_fini(&s);
	interp_engine.free(pi);
	pvm_vector_fini(&v);
	return used;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jit_steps FILE.pvmasm\n");
		return 2;
	}
	file = argv[1];
	size_t twins;
	long steps = each_compile(argv[1], check, run_gas, &twins);
	if (steps < 0) return 2;
	printf("jit_steps: %d runs, %ld steps, %s\n", runs, steps, failed ? "FAILED" : "all agree");
	return failed ? 1 : 0;
}
