/* fuzz/diff.c: the dual-engine differential target. Each input decodes (fuzz/gen.c) into a
 * program in GP 0.7.2 or GP 0.8.0 (byte 0 says which), registers, pages and gas; it runs on the
 * interpreter and the JIT (and on the spec
 * engine for one input in 16 with at most 1100 gas; one input in 4 again under the peers GP 0.7.2
 * readings, README), compared as `replay` compares (exit, pc,
 * registers, gas, fault address, every page and byte, and the JIT's sandbox page protections
 * against the page map: pvm_perm_compare) at every stop. Every host call is answered on both
 * sides by the perturbing host (pvm_host_perturb: every register, the gas and a memory word
 * changed), so a resume that does not take all of it diverges. On a divergence the input is written
 * as a vector (divergence-<hash>.json, in -jitproof_out=DIR or the current folder; a w3f vector
 * for GP 0.7.2, a step vector for GP 0.8.0) that
 * `jitproof replay --host perturb` reproduces, and the target aborts. -jitproof_mutant=NAME selects a mutant
 * (in a JITPROOF_MUTANTS build) for the fuzzer's own self-test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "interp/interp.h"
#include "jit/jit.h"
#include "pvm/mutant.h"
#include "semantics/sem.h"

enum { MAX_STOPS = 64 };

typedef struct target_cfg { char out[512]; sem_spec *sp[PVM_ISA_COUNT]; } target_cfg; /* sp: each revision's */
static target_cfg cfg; /* set once by LLVMFuzzerInitialize, read-only afterwards */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(cfg.out, sizeof cfg.out, ".");
	for (int i = 1; i < *argc; i++) {
		const char *a = (*argv)[i];
		if (!strncmp(a, "-jitproof_out=", 14)) snprintf(cfg.out, sizeof cfg.out, "%s", a + 14);
		else if (!strncmp(a, "-jitproof_mutant=", 17) && !pvm_set_mutant(a + 17)) {
			fprintf(stderr, "fuzz_diff: no mutant '%s' built in\n", a + 17);
			exit(2);
		}
	}
	pvm_errbuf e;
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) { /* NULL: no spec sample (message once) */
		cfg.sp[isa] = sem_spec_load_isa(sem_spec_default_path(), (pvm_isa)isa, &e);
		if (!cfg.sp[isa]) fprintf(stderr, "fuzz_diff: spec engine off for GP %s: %s\n", pvm_isa_name((pvm_isa)isa), e.msg);
	}
	return 0;
}

static uint64_t hash(const uint8_t *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The divergence why, at stop `stop` (after that many host calls answered by the perturbing host). */
static void report(const fuzz_case *fc, const pvm_program *p, uint64_t h, const char *why, int stop)
{
	char name[64], path[640];
	snprintf(name, sizeof name, "divergence-%016llx", (unsigned long long)h);
	snprintf(path, sizeof path, "%s/%s.json", cfg.out, name);
	pvm_vector v;
	memset(&v, 0, sizeof v);
	pvm_vector_set_initial(&v, name, &fc->init);
	v.program = pvm_xmalloc(fc->blob_len);
	memcpy(v.program, fc->blob, fc->blob_len);
	v.program_len = fc->blob_len;
	/* expected-*: the interpreter's first stop */
	pvm_errbuf e;
	void *it = interp_engine.load(p, &e);
	pvm_state s;
	pvm_state_copy(&s, &fc->init);
	pvm_exit x = interp_engine.run(it, &s);
	pvm_vector_set_expected(&v, &s, x);
	interp_engine.free(it);
	FILE *f = fopen(path, "w");
	bool ok = f;
	if (f && fc->isa == PVM_ISA_080) { /* a step vector: steps that set the state up, one run, its assert */
		pvm_vector08 v8;
		pvm_vector08_from_run(&v8, name, fc->blob, fc->blob_len, p, &fc->init, &s, x);
		ok = !pvm_vector08_write(&v8, f);
		pvm_vector08_fini(&v8);
	} else if (f) {
		ok = !pvm_vector_write(&v, f);
	}
	if (f) ok &= !fclose(f);
	pvm_state_fini(&s);
	pvm_vector_fini(&v);
	if (stop) fprintf(stderr, "fuzz_diff: after %d host calls answered by the perturbing host\n", stop);
	fprintf(stderr, "fuzz_diff: divergence: %s\nfuzz_diff: %s %s (jitproof replay --host perturb %s)\n", why,
	        ok ? "written" : "could not write", path, path);
	abort();
}

static void count_page(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	(void)page, (void)perm, (void)data;
	++*(size_t *)ctx;
}

/* Runs both from copies of the initial state, comparing at every stop. A run that maps more than
 * 2^16 pages (a 256 MiB sbrk or more) is left after its first stop: every later stop of the JIT
 * costs O(mapped pages) (its sandbox is copied back and its page shadow compared page by page),
 * seconds each under ASan, and such a heap is no more interesting than a smaller one. */
static void compare(const fuzz_case *fc, const pvm_program *p, const pvm_engine *ea, void *pa,
                    const pvm_engine *eb, void *pb, uint64_t h)
{
	pvm_state sa, sb;
	pvm_state_copy(&sa, &fc->init);
	pvm_state_copy(&sb, &fc->init);
	for (int stop = 0; stop < MAX_STOPS; stop++) {
		uint64_t t0 = pvm_thread_ns();
		pvm_exit xa = ea->run(pa, &sa);
		uint64_t took = pvm_thread_ns() - t0;
		size_t pages = 0;
		pvm_mem_each(sa.mem, count_page, &pages);
		if (pages > (1u << 16)) break;
		/* (b, the JIT, under a run limit: one whose gas charges are wrong can loop for ever where
		 * the interpreter runs out of gas, and libFuzzer's -timeout cannot stop JIT code, which
		 * holds SIGALRM back; a run that outlives it ends as time-limit, a divergence) */
		pvm_set_run_limit(pvm_limit_after(took));
		pvm_exit xb = eb->run(pb, &sb);
		pvm_set_run_limit(0);
		char why[512];
		if (!pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, true, why, sizeof why) ||
		    !pvm_state_compare(ea->name, &sa, xa, eb->name, &sb, xb, why, sizeof why) ||
		    !pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, false, why, sizeof why)) {
			pvm_state_fini(&sa);
			pvm_state_fini(&sb);
			report(fc, p, h, why, stop);
		}
		/* the same answer on both sides (the states compared equal just now) */
		if (xa.status != PVM_HOST || !pvm_host_perturb(&sa, &xa) || !pvm_host_perturb(&sb, &xb)) break;
	}
	pvm_state_fini(&sa);
	pvm_state_fini(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cfg.out[0]) LLVMFuzzerInitialize(&(int){ 0 }, &(char **){ NULL });
	fuzz_case fc;
	if (!fuzz_decode(data, size, &fc)) return 0;
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode_isa(&p, fc.isa, fc.blob, fc.blob_len, "fuzz", &e)) {
		fuzz_case_fini(&fc);
		return 0; /* a raw input with a malformed blob: the blob target's business */
	}
	uint64_t h = hash(data, size);
	void *pi = interp_engine.load(&p, &e), *pj = jit_engine.load(&p, &e);
	if (!pi || !pj) {
		fprintf(stderr, "fuzz_diff: an engine refused a decoded program: %s\n", e.msg);
		abort();
	}
	compare(&fc, &p, &interp_engine, pi, &jit_engine, pj, h);
	if (fc.isa == PVM_ISA_072 && (h >> 8 & 3) == 0) { /* one input in 4 also under the peers' GP 0.7.2 readings (gas per
	                          * instruction: the JIT's int3 stepping; sbrk's break) */
		fuzz_case peers = fc;
		peers.init.reading = PVM_READING_PEERS;
		/* a raw program's break may grow to 2^32 - 1 (anan-as's raw rule): 2^20 pages to compare
		 * at every stop; a stack from 16 MiB up, as a container would have, keeps runs short */
		if (!peers.init.heap_limit) peers.init.heap_limit = 0x00ff0000;
		compare(&peers, &p, &interp_engine, pi, &jit_engine, pj, h);
	}
	if (cfg.sp[fc.isa] && (h & 15) == 0 && fc.init.gas <= 1100) { /* the spec engine is slow: short runs only */
		/* the spec engine on a sample: sem_run with the loaded spec */
		pvm_state sa, sb;
		pvm_state_copy(&sa, &fc.init);
		pvm_state_copy(&sb, &fc.init);
		for (int stop = 0; stop < MAX_STOPS; stop++) {
			pvm_exit xa = interp_engine.run(pi, &sa), xb = sem_run(cfg.sp[fc.isa], &p, &sb);
			char why[512];
			if (!pvm_state_compare("interp", &sa, xa, "spec", &sb, xb, why, sizeof why)) report(&fc, &p, h, why, stop);
			if (xa.status != PVM_HOST || !pvm_host_perturb(&sa, &xa) || !pvm_host_perturb(&sb, &xb)) break;
		}
		pvm_state_fini(&sa);
		pvm_state_fini(&sb);
	}
	interp_engine.free(pi);
	jit_engine.free(pj);
	pvm_program_fini(&p);
	fuzz_case_fini(&fc);
	return 0;
}
