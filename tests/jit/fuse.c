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
#include "interp/interp.h"
#include "jit/jit_internal.h"

static int failed, runs;

static void one(const pvm_program *p, const pvm_vector *v, const pvm_engine *jit, void *pj, void *pi, uint32_t pc,
                int64_t gas, uint8_t reading)
{
	pvm_state a, b;
	pvm_vector_initial_state(v, &a);
	pvm_vector_initial_state(v, &b);
	a.pc = b.pc = pc;
	a.gas = b.gas = gas;
	a.reading = b.reading = reading;
	pvm_exit xa = interp_engine.run(pi, &a), xb = jit->run(pj, &b);
	char why[256];
	runs++;
	if (!pvm_state_compare("interp", &a, xa, jit->name, &b, xb, why, sizeof why)) {
		if (failed++ < 10)
			fprintf(stderr, "FAIL: GP %s, %s, start pc %u, gas %lld, reading %u: %s\n", pvm_isa_name(p->isa), jit->name,
			        pc, (long long)gas, reading, why);
	}
	pvm_state_fini(&a);
	pvm_state_fini(&b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jit_fuse FILE.pvmasm\n");
		return 2;
	}
	char *text;
	size_t len;
	pvm_errbuf e;
	if (pvm_read_file(argv[1], (uint8_t **)&text, &len, &e) != PVM_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	size_t twins = 0, pairs_seen = 0;
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
		pvm_vector v;
		pvm_program p;
		if (pvm_asm_isa(text, len, (pvm_isa)isa, argv[1], &v, &e) != PVM_OK ||
		    pvm_program_decode_isa(&p, v.isa, v.program, v.program_len, argv[1], &e) != PVM_OK) {
			fprintf(stderr, "%s\n", e.msg);
			return 2;
		}
		void *pi = interp_engine.load(&p, &e);
		const pvm_engine *jits[] = { &jit_engine, &jit_portable_engine };
		for (int k = 0; k < 2; k++) {
			jit_program *jp = jits[k]->load(&p, &e);
			if (!jp) {
				fprintf(stderr, "%s\n", e.msg);
				return 2;
			}
			size_t pairs = 0;
			for (size_t r = 1; r < jp->n_rows; r++) pairs += jp->rows[r].at.host_off == jp->rows[r - 1].at.host_off;
			size_t marked = 0;
			for (uint32_t pc = 0; pc <= p.code_len; pc++) marked += jit_fused_second(jp, pc);
			if (!pairs || marked != pairs) {
				fprintf(stderr, "FAIL: GP %s, %s: %zu pairs share an offset, %zu marked fused\n", pvm_isa_name(p.isa),
				        jits[k]->name, pairs, marked);
				failed++;
			}
			pairs_seen += pairs;
			for (uint32_t pc = 0; pc < p.code_len; pc++) {
				if (!p.is_start[pc]) continue;
				for (int64_t g = 0; g <= (int64_t)p.gas_cost[0] + 2; g++)
					for (uint8_t rd = 0; rd < (isa == PVM_ISA_072 ? 2 : 1); rd++)
						one(&p, &v, jits[k], jp, pi, pc, g, rd ? PVM_READING_PEERS : 0);
			}
			twins += jp->unfused != NULL;
			jits[k]->free(jp);
		}
		interp_engine.free(pi);
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
	}
	free(text);
	if (twins != 4) {
		fprintf(stderr, "FAIL: %zu of 4 compiles ran a start or stop inside a pair on their twin\n", twins);
		failed++;
	}
	printf("jit_fuse: %d runs, %zu fused pairs, %s\n", runs, pairs_seen, failed ? "FAILED" : "all agree");
	return failed ? 1 : 0;
}
