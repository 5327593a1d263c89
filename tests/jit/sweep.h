/* tests/jit/sweep.h: one run of a case from a start pc with a gas, a GP 0.7.2 reading and the GP
 * 0.8.0 charged flag, on the interpreter and a JIT, compared in full (registers, pc, gas, exit,
 * memory); for jit_fuse and jit_chains, which sweep every start and gas. */
#ifndef JITPROOF_TESTS_JIT_SWEEP_H
#define JITPROOF_TESTS_JIT_SWEEP_H
#include <stdio.h>
#include <stdlib.h>
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

/* Every instruction start of p, every gas 0..max_gas, both GP 0.7.2 readings (GP 0.8.0: the
 * block's gas charged or not). */
static void sweep(const pvm_program *p, const pvm_vector *v, const pvm_engine *jit, void *pj, void *pi, int64_t max_gas)
{
	for (uint32_t pc = 0; pc < p->code_len; pc++) {
		if (!p->is_start[pc]) continue;
		for (int64_t g = 0; g <= max_gas; g++)
			for (int rd = 0; rd < 2; rd++)
				one(p, v, jit, pj, pi, pc, g, p->isa == PVM_ISA_072 && rd ? PVM_READING_PEERS : 0,
				    p->isa != PVM_ISA_072 && rd);
	}
}

/* The case FILE assembled and decoded in both revisions, compiled by both JITs, each compile
 * checked by check (what it counts is summed into the return value; it reports and counts its own
 * failures) and swept up to max_gas(p); *twins gets how many compiles made their twin (the
 * program without fusions or chains). -1 (said on stderr) when FILE does not load. */
static long each_compile(const char *file, size_t (*check)(const pvm_program *p, const jit_program *jp, const char *jit),
                         int64_t (*max_gas)(const pvm_program *p), size_t *twins)
{
	char *text;
	size_t len;
	pvm_errbuf e;
	if (pvm_read_file(file, (uint8_t **)&text, &len, &e) != PVM_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	long counted = 0;
	*twins = 0;
	for (int isa = 0; isa < PVM_ISA_COUNT && counted >= 0; isa++) {
		pvm_vector v;
		pvm_program p;
		if (pvm_asm_isa(text, len, (pvm_isa)isa, file, &v, &e) != PVM_OK ||
		    pvm_program_decode_isa(&p, (pvm_isa)isa, v.program, v.program_len, file, &e) != PVM_OK) {
			fprintf(stderr, "%s\n", e.msg);
			counted = -1;
			break;
		}
		if (v.isa != (pvm_isa)isa) { /* (pvm_asm_isa records the revision it assembled for) */
			fprintf(stderr, "FAIL %s: pvm_asm_isa made a GP %s vector for GP %s\n", file, pvm_isa_name(v.isa),
			        pvm_isa_name((pvm_isa)isa));
			pvm_vector_fini(&v);
			pvm_program_fini(&p);
			counted = -1;
			break;
		}
		void *pi = interp_engine.load(&p, &e);
		const pvm_engine *jits[] = { &jit_engine, &jit_portable_engine };
		for (int k = 0; k < 2 && counted >= 0; k++) {
			jit_program *jp = jits[k]->load(&p, &e);
			if (!jp) {
				fprintf(stderr, "%s\n", e.msg);
				counted = -1;
				break;
			}
			counted += (long)check(&p, jp, jits[k]->name);
			sweep(&p, &v, jits[k], jp, pi, max_gas(&p));
			*twins += jp->unfused != NULL;
			jits[k]->free(jp);
		}
		interp_engine.free(pi);
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
	}
	free(text);
	return counted;
}
#endif
