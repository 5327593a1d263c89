/* bench/driver.c: `jitproof-bench FILE.pvmasm...`: runs each benchmark program on the
 * interpreter and the JIT (best of 3 runs each) and prints one line per program:
 * "NAME insts I interp_ns T jit_ns T compile_ns T static_insts N r7 V" (insts = gas used,
 * i.e. guest instructions executed). A program that does not halt, or engines that disagree
 * on r7, is an error (exit 1). `--compile` times compiling a 100,000-instruction program;
 * `--compile08 FILE.json...` deblobbing (with the 0.8.0 block costs) and compiling GP 0.8 programs;
 * `--trace FILE.log...` replaying JIP-7 traces of real services on both engines (bench_trace). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "interp/interp.h"
#include "jit/jit.h"

static uint64_t clock_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
/* Process CPU time: the machine is shared, so wall time would count other load. */
static uint64_t now_ns(void) { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

/* Best-of-3 run time; *out gets the last final state's r7 and gas used. */
static uint64_t time_runs(const pvm_engine *eng, void *prep, const pvm_state *init, uint64_t *r7,
                          int64_t *used, bool *halted)
{
	uint64_t best = UINT64_MAX;
	for (int k = 0; k < 3; k++) {
		pvm_state s;
		pvm_state_copy(&s, init);
		uint64_t t0 = now_ns();
		pvm_exit x = eng->run(prep, &s);
		uint64_t t = now_ns() - t0;
		if (t < best) best = t;
		*r7 = s.regs[7];
		*used = init->gas - s.gas;
		*halted = x.status == PVM_HALT;
		pvm_state_fini(&s);
	}
	return best;
}

static int bench_one(const char *path)
{
	pvm_errbuf e;
	uint8_t *text;
	size_t len;
	pvm_vector v;
	pvm_program p;
	if (pvm_read_file(path, &text, &len, &e)) goto bad;
	pvm_err err = pvm_asm((const char *)text, len, path, &v, &e);
	free(text);
	if (err) goto bad;
	if (pvm_program_decode(&p, v.program, v.program_len, path, &e)) {
		pvm_vector_fini(&v);
		goto bad;
	}
	pvm_state init;
	pvm_vector_initial_state(&v, &init);
	void *it = interp_engine.load(&p, &e);
	void *jp = NULL;
	uint64_t compile = UINT64_MAX; /* best of 3, like the runs */
	for (int k = 0; k < 3; k++) {
		if (jp) jit_engine.free(jp);
		uint64_t c0 = now_ns();
		jp = jit_engine.load(&p, &e);
		uint64_t c = now_ns() - c0;
		if (c < compile) compile = c;
	}
	int rc = 1;
	if (it && jp) {
		uint64_t r7i, r7j;
		int64_t ui, uj;
		bool hi, hj;
		uint64_t ti = time_runs(&interp_engine, it, &init, &r7i, &ui, &hi);
		uint64_t tj = time_runs(&jit_engine, jp, &init, &r7j, &uj, &hj);
		jit_stats st = jit_program_stats(jp);
		if (!hi || !hj || r7i != r7j || ui != uj)
			fprintf(stderr, "%s: engines disagree or the program did not halt\n", path);
		else {
			printf("%s insts %" PRId64 " interp_ns %" PRIu64 " jit_ns %" PRIu64 " compile_ns %" PRIu64
			       " static_insts %" PRIu32 " r7 %" PRIu64 "\n", v.name, ui, ti, tj,
			       compile, st.n_insts, r7j);
			rc = 0;
		}
	} else {
		fprintf(stderr, "%s: %s\n", path, e.msg);
	}
	if (it) interp_engine.free(it);
	if (jp) jit_engine.free(jp);
	pvm_state_fini(&init);
	pvm_program_fini(&p);
	pvm_vector_fini(&v);
	return rc;
bad:
	fprintf(stderr, "%s\n", e.msg);
	return 2;
}

/* Compile time per guest instruction on a large program (fixed per-program costs such as mmap
 * vanish): 100,000 instructions cycling through 16 kinds: 3-register and immediate ALU ops,
 * loads/stores, a multiply, a rotate, a compare, a branch and one division. */
static int bench_compile(void)
{
	static const uint8_t pattern[][6] = {
		{ 200, 0x21, 3 }, { 149, 0x43, 0x10, 0, 0, 0 }, { 130, 0x65, 8, 0, 0, 0 },
		{ 123, 0x87, 0xf8, 0xff, 0xff, 0xff }, { 202, 0x21, 9 }, { 152, 0x43, 13, 0, 0, 0 },
		{ 172, 0x21, 0, 0, 0, 0 }, { 211, 0x54, 6 }, { 51, 9, 0x40, 0x42, 0x0f, 0 },
		{ 132, 0x32, 0xff, 0, 0, 0 }, { 201, 0x76, 2 }, { 216, 0x12, 7 }, { 128, 0x98, 4, 0, 0, 0 },
		{ 158, 0x34, 27, 0, 0, 0 }, { 100, 0x5a }, { 203, 0x54, 6 },
	};
	static const uint8_t len[] = { 3, 6, 6, 6, 3, 6, 6, 3, 6, 6, 3, 3, 6, 6, 2, 3 };
	enum { KINDS = sizeof len };
	enum { N = 100000 };
	size_t cap = 8 * N + N / 8 + 64, n = 0;
	uint8_t *code = malloc(7 * N), *blob = malloc(cap);
	uint8_t *starts = calloc(7 * N, 1);
	if (!code || !blob || !starts) return 2;
	for (int i = 0; i < N; i++) {
		size_t k = (size_t)i % KINDS;
		starts[n] = 1;
		memcpy(code + n, pattern[k], len[k]);
		if (pattern[k][0] == 172) { /* branch_lt_u back to pc 0 */
			int32_t off = -(int32_t)n;
			memcpy(code + n + 2, &off, 4);
		}
		n += len[k];
	}
	size_t b = 0;
	blob[b++] = 0;
	blob[b++] = 0;
	b += pvm_varint_encode(n, blob + b);
	memcpy(blob + b, code, n);
	b += n;
	for (size_t i = 0; i < (n + 7) / 8; i++) {
		uint8_t m = 0;
		for (size_t j = 0; j < 8 && 8 * i + j < n; j++) m |= (uint8_t)(starts[8 * i + j] << j);
		blob[b++] = m;
	}
	pvm_program p;
	pvm_errbuf e;
	int rc = 2;
	if (!pvm_program_decode(&p, blob, b, "compile-bench", &e)) {
		uint64_t best = UINT64_MAX;
		for (int k = 0; k < 3; k++) {
			jit_program *jp;
			uint64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID); /* CPU time: other load does not count */
			if (jit_program_new(&p, jit_cpu_features(), &jp)) break;
			uint64_t t = clock_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
			jit_program_free(jp);
			if (t < best) best = t;
		}
		if (best != UINT64_MAX) {
			printf("compile insts %d compile_ns %" PRIu64 "\n", N, best);
			rc = 0;
		}
		pvm_program_fini(&p);
	} else {
		fprintf(stderr, "compile-bench: %s\n", e.msg);
	}
	free(code);
	free(blob);
	free(starts);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Sorts t[0..n) and returns its median. */
static uint64_t median(uint64_t *t, size_t n)
{
	qsort(t, n, sizeof *t, cmp_u64);
	return t[n / 2];
}

/* GP 0.8 programs (a step vector or an integration program), COMPILE08_REPS repetitions, each timed
 * in thread CPU time: deblob with the cost of every block (the A.9/A.10 model), the cost model alone
 * (every block's cost again, on the decoded program, as deblob computes them) and the JIT's whole-program
 * compile. Prints the minimum and the median of each stage and of the whole (deblob + JIT):
 * "NAME insts N blocks B reps R decode MIN MED costs MIN MED jit MIN MED whole MIN MED" (ns). */
enum { COMPILE08_REPS = 101 };
static int bench_compile08(const char *path)
{
	pvm_vector08 v;
	pvm_errbuf e;
	if (pvm_vector08_read(&v, path, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	static uint64_t dec[COMPILE08_REPS], cost[COMPILE08_REPS], jit[COMPILE08_REPS], whole[COMPILE08_REPS],
		cold[COMPILE08_REPS];
	uint32_t insts = 0, blocks = 0;
	volatile uint32_t sink = 0;
	int rc = 0;
	for (int k = 0; k < COMPILE08_REPS && !rc; k++) {
		pvm_program p;
		uint64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (pvm_program_decode_isa(&p, PVM_ISA_080, v.program, v.program_len, path, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			rc = 2;
			break;
		}
		uint64_t t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		jit_program *jp;
		if (jit_program_new(&p, jit_cpu_features(), &jp)) {
			fprintf(stderr, "%s: jit compile failed\n", path);
			rc = 2;
			pvm_program_fini(&p);
			break;
		}
		uint64_t t2 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		jit_program_free(jp);
		/* and a thread's first compile: nothing kept from the ones before */
		jit_thread_forget();
		uint64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		if (jit_program_new(&p, jit_cpu_features(), &jp)) {
			fprintf(stderr, "%s: jit compile failed\n", path);
			rc = 2;
			pvm_program_fini(&p);
			break;
		}
		cold[k] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		jit_program_free(jp);
		insts = blocks = 0;
		for (uint32_t pc = 0; pc < p.code_len; pc++) insts += p.is_start[pc], blocks += p.is_block[pc];
		uint64_t t3 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		pvm_cost_memo *memo = pvm_cost_memo_new(&p); /* as deblob computes them */
		for (uint32_t pc = 0; pc < p.code_len; pc++)
			if (p.is_block[pc]) sink += pvm_block_cost_memo(memo, pc);
		pvm_cost_memo_free(memo);
		uint64_t t4 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		dec[k] = t1 - t0;
		jit[k] = t2 - t1;
		whole[k] = t2 - t0;
		cost[k] = t4 - t3;
		pvm_program_fini(&p);
	}
	if (!rc) {
		int n = COMPILE08_REPS;
		uint64_t md = median(dec, n), mc = median(cost, n), mj = median(jit, n), mw = median(whole, n),
		         mk = median(cold, n);
		printf("%s insts %u blocks %u reps %d decode %" PRIu64 " %" PRIu64 " costs %" PRIu64 " %" PRIu64
		       " jit %" PRIu64 " %" PRIu64 " whole %" PRIu64 " %" PRIu64 " jitcold %" PRIu64 " %" PRIu64 "\n", v.name,
		       insts, blocks, n, dec[0], md, cost[0], mc, jit[0], mj, whole[0], mw, cold[0], mk);
	}
	pvm_vector08_fini(&v);
	return rc;
}

/* ARGS_ADDR: where a standard program's arguments start (2^32 - Z_Z - Z_I), as cli/load.c. */
enum { ARGS_ADDR = 0xfeff0000u };

/* A trace's program as a standard container (after its metadata prefix, if any) with the memwrite
 * at ARGS_ADDR before start as the arguments, the other initial memwrites applied, and pc, gas and
 * registers from the start line, under the peers' readings (what cli/load.c does for `run`). */
static int trace_load(const pvm_trace *t, pvm_program *p, pvm_state *s, pvm_errbuf *e)
{
	size_t off;
	if (pvm_meta_split(t->program, t->program_len, 0, t->name, &off, e)) return 2;
	const pvm_trace_io *args = NULL;
	for (size_t i = 0; i < t->n_init && !args; i++)
		if (t->init[i].addr == ARGS_ADDR) args = &t->init[i];
	if (pvm_container_load_isa(t->program + off, t->program_len - off, args ? args->data : NULL,
	                           args ? args->len : 0, PVM_ISA_072, t->name, p, s, e))
		return 2;
	for (size_t i = 0; i < t->n_init; i++) {
		const pvm_trace_io *w = &t->init[i];
		if (w != args && w->len && !pvm_mem_poke(s->mem, w->addr, w->data, w->len)) {
			pvm_errf(e, "%s:%" PRIu32 ": memwrite before start into unmapped memory", t->name, w->line);
			pvm_state_fini(s);
			pvm_program_fini(p);
			return 2;
		}
	}
	s->pc = t->start.pc;
	s->gas = t->start.gas;
	memcpy(s->regs, t->start.regs, sizeof s->regs);
	s->reading = PVM_READING_PEERS;
	return 0;
}

/* Best-of-3 CPU time of replaying t on a prepared engine from init (every host call answered and
 * checked by the trace: pvm_trace_replay); UINT64_MAX, and why, if a replay is not the trace's. */
static uint64_t time_replays(const pvm_trace *t, const pvm_engine *eng, void *prep, const pvm_state *init,
                             char *why, size_t n)
{
	uint64_t best = UINT64_MAX;
	for (int k = 0; k < 3; k++) {
		pvm_state s;
		pvm_state_copy(&s, init);
		uint64_t t0 = now_ns();
		bool ok = pvm_trace_replay(t, eng, prep, &s, NULL, why, n);
		uint64_t d = now_ns() - t0;
		pvm_state_fini(&s);
		if (!ok) return UINT64_MAX;
		if (d < best) best = d;
	}
	return best;
}

/* One JIP-7 trace of a real service replayed on the interpreter and the JIT (best of 3 CPU times
 * each; the JIT's compile, best of 3 too, is not in its run time): "NAME insts I calls C
 * interp_ns T jit_ns T compile_ns T". The guest instructions executed come from the trace itself:
 * under the peers' gas reading of GP 0.7.2 (PVM_READING_GAS_INSN) every instruction, ecalli
 * included, costs exactly 1 gas and a host call costs what its setgas says (the gas at the ecalli
 * minus the setgas; nothing without one), and an out-of-gas end stops at gas 0 before the unpaid
 * instruction, so instructions = start gas - final gas - the host calls' charges. Both replays
 * match the trace at every host call and at the end, gas included, so both engines ran exactly
 * these. A replay that is not the trace's is an error (exit 1). */
static int bench_trace(const char *path)
{
	pvm_errbuf e;
	pvm_trace t;
	if (pvm_trace_read(&t, path, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	pvm_program p;
	pvm_state init;
	if (trace_load(&t, &p, &init, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		pvm_trace_fini(&t);
		return 2;
	}
	int64_t insts = t.start.gas - t.fin.gas;
	for (size_t i = 0; i < t.n_calls; i++)
		if (t.calls[i].has_gas) insts -= t.calls[i].at.gas - t.calls[i].gas;
	void *it = interp_engine.load(&p, &e), *jp = NULL;
	uint64_t compile = UINT64_MAX;
	for (int k = 0; k < 3 && it; k++) {
		if (jp) jit_engine.free(jp);
		uint64_t c0 = now_ns();
		jp = jit_engine.load(&p, &e);
		uint64_t c = now_ns() - c0;
		if (!jp) break;
		if (c < compile) compile = c;
	}
	int rc = 1;
	char why[512];
	if (!it || !jp) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
	} else {
		uint64_t ti = time_replays(&t, &interp_engine, it, &init, why, sizeof why), tj = UINT64_MAX;
		if (ti == UINT64_MAX) fprintf(stderr, "%s: interp: %s\n", path, why);
		else if ((tj = time_replays(&t, &jit_engine, jp, &init, why, sizeof why)) == UINT64_MAX)
			fprintf(stderr, "%s: jit: %s\n", path, why);
		else {
			const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			const char *dot = strrchr(base, '.');
			printf("%.*s insts %" PRId64 " calls %zu interp_ns %" PRIu64 " jit_ns %" PRIu64 " compile_ns %" PRIu64 "\n",
			       (int)(dot && dot != base ? dot - base : (ptrdiff_t)strlen(base)), base, insts, t.n_calls, ti, tj, compile);
			rc = 0;
		}
	}
	if (it) interp_engine.free(it);
	if (jp) jit_engine.free(jp);
	pvm_state_fini(&init);
	pvm_program_fini(&p);
	pvm_trace_fini(&t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--trace")) {
		int rc = 0;
		for (int i = 2; i < argc; i++) {
			int r = bench_trace(argv[i]);
			if (r > rc) rc = r;
			fflush(stdout);
		}
		return rc;
	}
	if (argc == 2 && !strcmp(argv[1], "--compile")) return bench_compile();
	if (argc >= 3 && !strcmp(argv[1], "--compile08")) {
		int rc = 0;
		for (int i = 2; i < argc; i++) {
			int r = bench_compile08(argv[i]);
			if (r > rc) rc = r;
		}
		return rc;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: jitproof-bench FILE.pvmasm... | --compile | --compile08 FILE.json... | --trace FILE.log...\n");
		return 2;
	}
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		int r = bench_one(argv[i]);
		if (r > rc) rc = r;
		fflush(stdout);
	}
	return rc;
}
