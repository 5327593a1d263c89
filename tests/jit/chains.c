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
#include "interp/interp.h"
#include "jit/jit_internal.h"

static int failed, runs;

static void one(const pvm_program *p, const pvm_vector *v, const pvm_engine *jit, void *pj, void *pi, uint32_t pc,
                int64_t gas, uint8_t reading, bool charged)
{
	pvm_state a, b;
	pvm_vector_initial_state(v, &a);
	pvm_vector_initial_state(v, &b);
	a.pc = b.pc = pc;
	a.gas = b.gas = gas;
	a.reading = b.reading = reading;
	a.gas_charged = b.gas_charged = charged;
	pvm_exit xa = interp_engine.run(pi, &a), xb = jit->run(pj, &b);
	char why[256];
	runs++;
	if (!pvm_state_compare("interp", &a, xa, jit->name, &b, xb, why, sizeof why)) {
		if (failed++ < 10)
			fprintf(stderr, "FAIL: GP %s, %s, start pc %u, gas %lld, reading %u, charged %d: %s\n",
			        pvm_isa_name(p->isa), jit->name, pc, (long long)gas, reading, charged, why);
	}
	pvm_state_fini(&a);
	pvm_state_fini(&b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jit_chains FILE.pvmasm\n");
		return 2;
	}
	char *text;
	size_t len;
	pvm_errbuf e;
	if (pvm_read_file(argv[1], (uint8_t **)&text, &len, &e) != PVM_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	size_t twins = 0, members_seen = 0;
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
		pvm_vector v;
		pvm_program p;
		if (pvm_asm_isa(text, len, (pvm_isa)isa, argv[1], &v, &e) != PVM_OK ||
		    pvm_program_decode_isa(&p, (pvm_isa)isa, v.program, v.program_len, argv[1], &e) != PVM_OK) {
			fprintf(stderr, "%s\n", e.msg);
			return 2;
		}
		int64_t all = 2;
		for (uint32_t pc = 0; pc < p.code_len; pc++)
			if (p.is_start[pc] && p.is_block[pc]) all += p.gas_cost[pc];
		printf("GP %s: gas 0..%lld from each start\n", pvm_isa_name(p.isa), (long long)all);
		v.isa = (pvm_isa)isa; /* (pvm_asm_isa leaves the vector's revision to the file) */
		void *pi = interp_engine.load(&p, &e);
		const pvm_engine *jits[] = { &jit_engine, &jit_portable_engine };
		for (int k = 0; k < 2; k++) {
			jit_program *jp = jits[k]->load(&p, &e);
			if (!jp) {
				fprintf(stderr, "%s\n", e.msg);
				return 2;
			}
			size_t members = 0, prepaid = 0;
			for (size_t r = 0; r < jp->n_rows; r++) {
				uint32_t pc = jp->rows[r].at.guest_pc;
				members += pc < p.code_len && p.is_block[pc] && jp->rows[r].entry == JIT_NONE;
				prepaid += jp->rows[r].prepaid != 0;
			}
			if (!members || !prepaid) {
				fprintf(stderr, "FAIL: GP %s, %s: %zu blocks without a prologue, %zu rows with prepaid gas\n",
				        pvm_isa_name(p.isa), jits[k]->name, members, prepaid);
				failed++;
			}
			members_seen += members;
			for (uint32_t pc = 0; pc < p.code_len; pc++) {
				if (!p.is_start[pc]) continue;
				for (int64_t g = 0; g <= all; g++)
					for (int rd = 0; rd < 2; rd++)
						one(&p, &v, jits[k], jp, pi, pc, g, isa == PVM_ISA_072 && rd ? PVM_READING_PEERS : 0,
						    isa != PVM_ISA_072 && rd);
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
		fprintf(stderr, "FAIL: %zu of 4 compiles ran a run the chains could not pay on their twin\n", twins);
		failed++;
	}
	printf("jit_chains: %d runs, %zu chain members, %s\n", runs, members_seen, failed ? "FAILED" : "all agree");
	return failed ? 1 : 0;
}
