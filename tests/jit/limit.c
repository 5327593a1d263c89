/* tests/jit/limit.c: the run limit (pvm_set_run_limit) and the gas a JIT run is given at once.
 * For both revisions and both JIT variants: a loop that has the gas of 10^15 iterations, run under
 * a limit of 20 ms of CPU time, ends as PVM_LIMIT; 200 short runs under a limit end as the
 * interpreter's do (no limit fires early) and so do runs after the limit's runs, without a limit,
 * after the thread has spent well over the limit in C code (a timer left armed would fire there,
 * or into a later run). Then 2^25 iterations with 10^15 gas (more than 2^47: rsp, the gas register,
 * would not be a canonical address, and an interrupt during the run faulted) end as the
 * interpreter's, gas included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "interp/interp.h"
#include "jit/jit.h"

static const char loop_src[] = ".gas 1000000000000000\n"
                               "loop:\n"
                               "\tadd_imm_64 r7, r7, 1\n"
                               "\tbranch_ne_imm r7, 0, loop\n"
                               "\ttrap\n";

static const char long_src[] = ".gas 1000000000000000\n"
                               "\tload_imm r8, 33554432\n"
                               "\tfallthrough\n"
                               "loop:\n"
                               "\tadd_imm_64 r7, r7, 1\n"
                               "\tbranch_ne r7, r8, loop\n"
                               "\ttrap\n";

static int failed;
#define CHECK(c, ...) do { if (!(c)) { failed++; fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* Runs the loop with gas g on the JIT engine e and the interpreter; true when both end alike. */
static bool same_as_interp(const pvm_engine *e, void *jp, void *it, const pvm_state *init, int64_t g)
{
	pvm_state a, b;
	pvm_state_copy(&a, init);
	pvm_state_copy(&b, init);
	a.gas = b.gas = g;
	pvm_exit xa = interp_engine.run(it, &a), xb = e->run(jp, &b);
	char why[512];
	bool same = pvm_state_compare("interp", &a, xa, e->name, &b, xb, why, sizeof why);
	if (!same) fprintf(stderr, "gas %lld: %s\n", (long long)g, why);
	pvm_state_fini(&a);
	pvm_state_fini(&b);
	return same;
}

/* The long loop with 10^15 gas on engine e and the interpreter, revision isa. */
static void long_run(const pvm_engine *eng, pvm_isa isa)
{
	pvm_vector v;
	pvm_program p;
	pvm_errbuf e;
	if (pvm_asm_isa(long_src, strlen(long_src), isa, "long", &v, &e) ||
	    pvm_program_decode_isa(&p, isa, v.program, v.program_len, "long", &e)) {
		CHECK(false, "%s", e.msg);
		return;
	}
	pvm_state init;
	pvm_vector_initial_state(&v, &init);
	void *it = interp_engine.load(&p, &e), *jp = eng->load(&p, &e);
	CHECK(it && jp, "load: %s", e.msg);
	if (it && jp)
		CHECK(same_as_interp(eng, jp, it, &init, init.gas), "GP %s %s: 2^25 iterations with 10^15 gas differ from the interpreter's",
		      pvm_isa_name(isa), eng->name);
	if (it) interp_engine.free(it);
	if (jp) eng->free(jp);
	pvm_state_fini(&init);
	pvm_program_fini(&p);
	pvm_vector_fini(&v);
}

int main(void)
{
	const pvm_engine *engines[] = { &jit_engine, &jit_portable_engine };
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
		for (size_t k = 0; k < sizeof engines / sizeof *engines; k++) long_run(engines[k], (pvm_isa)isa);
		pvm_vector v;
		pvm_program p;
		pvm_errbuf e;
		if (pvm_asm_isa(loop_src, strlen(loop_src), (pvm_isa)isa, "limit", &v, &e) ||
		    pvm_program_decode_isa(&p, (pvm_isa)isa, v.program, v.program_len, "limit", &e)) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		pvm_state init;
		pvm_vector_initial_state(&v, &init);
		void *it = interp_engine.load(&p, &e);
		for (size_t k = 0; k < sizeof engines / sizeof *engines; k++) {
			const pvm_engine *eng = engines[k];
			void *jp = eng->load(&p, &e);
			CHECK(it && jp, "load: %s", e.msg);
			if (!it || !jp) continue;
			const char *name = pvm_isa_name((pvm_isa)isa);
			/* the endless loop, stopped */
			pvm_set_run_limit(20 * 1000000ull);
			pvm_state s;
			pvm_state_copy(&s, &init);
			uint64_t t0 = pvm_thread_ns();
			pvm_exit x = eng->run(jp, &s);
			uint64_t took = pvm_thread_ns() - t0;
			pvm_state_fini(&s);
			CHECK(x.status == PVM_LIMIT, "GP %s %s: the 10^15-gas loop under a 20 ms limit: %s after %.1f ms",
			      name, eng->name, pvm_status_name(x.status), took / 1e6);
			/* short runs under the limit: as the interpreter's */
			bool all = true;
			for (int64_t g = 0; g < 200; g++) all &= same_as_interp(eng, jp, it, &init, g);
			CHECK(all, "GP %s %s: a short run under a limit differs from the interpreter's", name, eng->name);
			/* the thread in C code for twice the limit, then runs without a limit */
			pvm_set_run_limit(0);
			uint64_t t1 = pvm_thread_ns();
			volatile uint64_t spin = 0;
			while (pvm_thread_ns() - t1 < 40 * 1000000ull) spin++;
			all = true;
			for (int64_t g = 0; g < 200; g += 7) all &= same_as_interp(eng, jp, it, &init, g);
			CHECK(all, "GP %s %s: a run after the limited ones differs from the interpreter's", name, eng->name);
			eng->free(jp);
		}
		if (it) interp_engine.free(it);
		pvm_state_fini(&init);
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
	}
	printf("jit_limit: %s\n", failed ? "FAILED" : "every check passed");
	return failed != 0;
}
