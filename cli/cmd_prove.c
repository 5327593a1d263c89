/* cli/cmd_prove.c: `jitproof prove FILE --pc N`: prove one compiled gas region of a real program
 * (gas prologue, templates, terminator) against the composed specs of its instructions.
 * `--all` proves every region a run can enter (basic blocks, the compile's other gas-region
 * entries, the regions a run resumes in after an ecalli inside a block) and checks that every
 * instruction lies in one, on -j N workers; prints one line per block in pc order and a
 * summary (counts, median / p99 / max block time); JSON, JUnit and HTML reports on request.
 * Exit 1 on a counterexample, unknown or validator bug, 2 on bad input. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "pvm/mutant.h"
#include "tv_cli.h"
#include "validator/prove_tramp.h"
#include "validator/store.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: jitproof prove (FILE --pc N | --all FILE... | --visited TRACE) [-j N] [--cex-dir DIR] [--timeout-ms MS] [--rlimit N]\n"
	           "                      [--portable] [--fallback-states N] [--mutant NAME] [--json FILE]\n"
	           "                      [--junit FILE] [--html FILE] [--no-progress] [--whole-block] [--[no-]cross-check]\n"
	           "                      [--timings] [--debug query,norm,rlimit,weaken,no-resume] [--isa 0.8.0|0.7.2]\n"
	           "                      [--progress-every SECONDS]\n"
	           "                      [--reading R] [--metadata|--no-metadata] [--cache DIR | --no-cache]\n"
	           "                      [--recheck cvc5] [--recheck-timeout-ms MS] [--smt2-dir DIR]\n"
	           "FILE: a w3f vector, .pvmasm, blob, container (with or without on-chain metadata) or a\n"
	           "JIP-7 trace (its program). --visited TRACE proves every gas region the traced run\n"
	           "enters (replayed with the trace's host answers; a run that leaves the trace is exit 1).\n"
	           "Proves the JIT's code for the gas region\n"
	           "entered at pc N (or, with --all, every basic block and every region a run resumes in\n"
	           "after an ecalli inside a block) equal to the composed specs, piece by\n"
	           "piece (gas prologue, then each instruction's code against its spec; --whole-block: one\n"
	           "query; with --cross-check, the default for --pc, blocks of up to 3 instructions get\n"
	           "both), and the\n"
	           "jump-table dispatcher of a dynamic jump that ends it. A block the solver cannot decide\n"
	           "runs on both engines from N states (FALLBACK-AGREE or COUNTEREXAMPLE). Every symbolic\n"
	           "counterexample is replayed on both engines first: one that does not diverge is reported\n"
	           "as VALIDATOR-BUG, never as COUNTEREXAMPLE.\n"
	           "A block's PROVED verdict is kept in the proof store (as validate's: --cache DIR, default\n"
	           "$JITPROOF_CACHE else ~/.cache/jitproof; --no-cache) under a hash of its program, pc, spec\n"
	           "entries, options and the prover's identity, and reused by a later run.\n"
	           "--recheck cvc5 re-proves every query (pieces, regions, templates, dispatchers, exit stubs)\n"
	           "with cvc5, as built: a disagreement makes the block VALIDATOR-BUG; --smt2-dir DIR writes\n"
	           "them as SMT-LIB 2 scripts (as validate's; README § A second solver).\n"
	           "Exit 0 when every block is PROVED or FALLBACK-AGREE, 1 otherwise.\n");
}

typedef struct prove_run {
	const tv_opts *o;
	const cli_input *in;     /* the files */
	tv_links *const *links;  /* per file: its compiled program, for the linking proof */
	const char *const *files;
	const uint32_t *file;    /* per block: index into in/files */
	const uint32_t *pcs;
	size_t n;
	tv_result *res;
	atomic_bool *done;       /* res[i] is final */
	atomic_size_t next, n_done;
	atomic_bool failed;      /* a bad pc (cannot happen for --all) or no worker */
	pvm_errbuf err;
	pthread_mutex_t lock;    /* guards err, phase_ms and queries */
	double phase_ms[TV_NUM_PHASES];
	size_t queries;          /* solver queries, all workers */
	tv_report rechecks;      /* the second solver's counts, all workers */
} prove_run;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *prove_worker(void *arg)
{
	prove_run *R = arg;
	tv_worker *w = tv_worker_new(R->o);
	if (!w) {
		atomic_store(&R->failed, true);
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&R->next, 1);
		if (i >= R->n || atomic_load(&R->failed)) break;
		pvm_errbuf e;
		const cli_input *in = &R->in[R->file[i]];
		if (tv_prove_block(w, &in->prog, &in->vec, R->links[R->file[i]], R->pcs[i], &R->res[i], &e) != PVM_OK) {
			pthread_mutex_lock(&R->lock);
			R->err = e;
			pthread_mutex_unlock(&R->lock);
			atomic_store(&R->failed, true);
		}
		atomic_store(&R->done[i], true);
		atomic_fetch_add(&R->n_done, 1);
	}
	pthread_mutex_lock(&R->lock);
	tv_worker_phases(w, R->phase_ms);
	R->queries += tv_worker_queries(w);
	tv_worker_rechecks(w, &R->rechecks);
	pthread_mutex_unlock(&R->lock);
	tv_worker_free(w);
	return NULL;
}

/* --all's coverage: every instruction of p lies in a region it proves (proved[pc] == 2 at the
 * regions' entries; each region runs from its entry along `next` up to and including the first
 * instruction that ends a region, as jit_block_compile compiles it). One line per instruction
 * that does not (the first 10); false if there is one. */
static bool unproved_code(const pvm_program *p, uint8_t *proved, const char *file)
{
	uint8_t *in_region = pvm_xcalloc((size_t)p->code_len + 1, 1);
	for (uint32_t at = 0; at <= p->code_len; at++) {
		if (proved[at] != 2) continue;
		for (uint32_t x = at; x < p->code_len && p->is_start[x] && !in_region[x]; x = p->inst[x].next) {
			in_region[x] = 1;
			if (pvm_op_ends_region(p->inst[x].op)) break;
		}
	}
	size_t missed = 0;
	for (uint32_t at = 0; at < p->code_len; at++)
		if (p->is_start[at] && !in_region[at] && missed++ < 10)
			printf("%s pc %u (%s): in no region prove --all proves\n", file, at, pvm_ops[p->inst[at].op].name);
	if (missed) printf("%s: %zu instructions in no region prove --all proves\n", file, missed);
	free(in_region);
	return missed == 0;
}

/* The gas regions a trace's run enters: its start, and every pc after an instruction that ends a
 * region (a terminator or an ecalli), run on the spec engine with the trace's host answers. */
typedef struct visit { const pvm_program *p; uint8_t *entered; bool next; } visit;

static void on_step(void *ctx, uint32_t pc, unsigned op, uint64_t paths)
{
	visit *v = ctx;
	if (paths == (1ull << 1)) return; /* out of gas before it: not entered */
	if (v->next && pc <= v->p->code_len) v->entered[pc] = 1;
	v->next = pvm_op_ends_region(op);
}

static bool visited_regions(const cli_input *in, const sem_spec *sp, uint8_t *entered, char *why, size_t n)
{
	visit v = { &in->prog, entered, true };
	pvm_state s;
	pvm_state_copy(&s, &in->init);
	size_t k = 0;
	bool ok = true;
	for (;;) {
		pvm_exit x = sem_run_trace(sp, &in->prog, &s, on_step, &v);
		if (x.status != PVM_HOST) {
			ok = pvm_trace_fin(&in->trace, k, &s, &x, why, n);
			break;
		}
		if (!(ok = cli_resume(in, &k, &s, &x, why, n))) break;
		v.next = true; /* the instruction after an ecalli starts a region */
	}
	pvm_state_fini(&s);
	return ok;
}

static void print_result(const char *file, uint32_t pc, const tv_result *r)
{
	printf("%s pc %u (%s): %s%s%s (%.1f ms)\n", file, pc, pvm_ops[r->op].name, tv_verdict_name(r->verdict),
	       r->detail[0] ? ": " : "", r->detail, r->ms);
	if (r->cex_file[0]) printf("  counterexample: %s\n", r->cex_file);
}

int cmd_prove(int argc, char **argv)
{
	tv_opts o = tv_opts_default();
	o.memo = true; /* one worker serves many blocks: instruction-shaped queries repeat */
	o.progress = isatty(2);
	const char *json = NULL, *junit = NULL, *html = NULL;
	const char *files[argc > 0 ? argc : 1]; /* at most every argument a file */
	size_t n_files = 0;
	uint64_t pc = 0, n;
	bool have_pc = false, all = false, timings = false, visited = false;
	int isa = -1;
	int cross = -1; /* the whole-block cross-check: default on for --pc, off for --all */
	int early = -1; /* an exit code decided while reading the arguments */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int r = cli_tv_option("prove", argc, argv, &i, &o);
		if (r < 0) r = cli_common_option("prove", argc, argv, &i);
		if (r >= 0) {
			if (r) {
				early = r;
				break;
			}
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			early = 0;
			break;
		} else if (!strcmp(a, "--pc")) {
			if (!cli_parse_u64(val, &pc) || pc > UINT32_MAX) {
				early = cli_usage("prove", "--pc needs a number");
				break;
			}
			have_pc = true, i++;
		} else if (!strcmp(a, "--all")) {
			all = true;
		} else if (!strcmp(a, "--visited")) {
			all = visited = true;
		} else if (!strcmp(a, "--isa")) {
			if (!val) {
				early = cli_usage("prove", "--isa needs a value");
				break;
			}
			if (cli_parse_isa("prove", val, &isa)) {
				early = 2;
				break;
			}
			i++;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs") || (!strncmp(a, "-j", 2) && a[2])) {
			bool glued = a[2] && a[1] == 'j'; /* -j2, as make takes it */
			if (!cli_parse_u64(glued ? a + 2 : val, &n) || n < 1 || n > 64) {
				early = cli_usage("prove", "-j needs a number 1..64");
				break;
			}
			o.jobs = (unsigned)n, i += !glued;
		} else if (cli_report_option(argc, argv, &i, &json, &junit, &html)) {
		} else if (!strcmp(a, "--no-progress")) {
			o.progress = false;
			o.progress_every = 0;
		} else if (!strcmp(a, "--progress-every")) {
			char *end;
			double s = val ? strtod(val, &end) : -1;
			if (!val || *end || s < 0.05 || s > 86400) {
				early = cli_usage("prove", "--progress-every needs seconds (0.05 .. 86400)");
				break;
			}
			o.progress_every = s, i++;
		} else if (!strcmp(a, "--timings")) {
			timings = true;
		} else if (!strcmp(a, "--no-cross-check")) {
			cross = 0;
		} else if (!strcmp(a, "--cross-check")) {
			cross = 1;
		} else if (!strcmp(a, "--whole-block")) {
			o.whole_block = true;
		} else if (!strcmp(a, "--no-memo")) {
			o.memo = false;
		} else if (!strcmp(a, "--mutant") && val) {
			if (!pvm_set_mutant(val)) {
				early = cli_usage("prove", "--mutant: no mutant '%s' built in", val);
				break;
			}
			i++;
		} else if (a[0] == '-' || (n_files && !all)) {
			early = cli_usage("prove", "unexpected argument '%s' (see --help)", a);
			break;
		} else {
			files[n_files++] = a;
		}
	}
	if (early >= 0) return early;
	o.no_cross_check = cross < 0 ? all : !cross;
	if (!n_files || have_pc == all) {
		return cli_usage("prove", "needs FILE and exactly one of --pc N / --all / --visited (--all: one or more FILEs)");
	}
	if (visited && n_files != 1) return cli_usage("prove", "--visited takes one TRACE");
	cli_input *ins = pvm_xcalloc(n_files, sizeof *ins);
	tv_links **links = NULL;
	size_t n_loaded = 0, total = 0;
	int load_rc = 0;
	for (; !load_rc && n_loaded < n_files; n_loaded++) {
		if (cli_load(files[n_loaded], CLI_AUTO, NULL, 0, -1, isa, 0, &ins[n_loaded])) {
			load_rc = 2;
		} else if (ins[n_loaded].prog.isa != ins[0].prog.isa) {
			/* one spec for the whole run: the files must share their revision */
			fprintf(stderr, "%s: prove: a GP %s program, but %s is GP %s (prove them separately)\n",
			        files[n_loaded], pvm_isa_name(ins[n_loaded].prog.isa), files[0],
			        pvm_isa_name(ins[0].prog.isa));
			cli_input_fini(&ins[n_loaded]);
			load_rc = 2;
		} else {
			total += (size_t)ins[n_loaded].prog.code_len + 1;
		}
	}
	if (!load_rc && have_pc && (pc > ins[0].prog.code_len || !ins[0].prog.is_start[pc])) {
		fprintf(stderr, "%s: pc %u: no instruction starts there\n", files[0], (uint32_t)pc);
		load_rc = 2;
	}
	pvm_errbuf e;
	sem_spec *sp = load_rc ? NULL : sem_spec_load_isa(sem_spec_default_path(), ins[0].prog.isa, &e);
	if (!load_rc && !sp) {
		fprintf(stderr, "%s\n", e.msg);
		load_rc = 2;
	}
	if (load_rc) {
		for (size_t i = 0; ins && i < n_loaded; i++) cli_input_fini(&ins[i]); /* a failed load left it empty */
		free(ins);
		return load_rc;
	}
	o.spec = sp;
	o.reading = ins[0].init.reading; /* the readings of the (first) input: a trace's are the peers' */
	uint8_t *entered = NULL; /* --visited: the gas regions the traced run enters */
	if (visited) {
		if (ins[0].kind != CLI_TRACE) {
			fprintf(stderr, "%s: --visited needs a JIP-7 trace (its run says which blocks to prove)\n", files[0]);
			load_rc = 2;
		} else {
			char why[512];
			entered = pvm_xcalloc((size_t)ins[0].prog.code_len + 2, 1);
			if (!visited_regions(&ins[0], sp, entered, why, sizeof why)) {
				printf("%s: the run departs from the trace: %s\n", files[0], why);
				load_rc = 1;
			}
		}
		if (load_rc) {
			free(entered);
			sem_spec_free(sp);
			cli_input_fini(&ins[0]);
			free(ins);
			return load_rc;
		}
	}
	prove_run R;
	memset(&R, 0, sizeof R);
	cli_tv_store_open("prove", &o); /* before the links: each program's digest is made with them */
	links = pvm_xcalloc(n_files, sizeof *links);
	for (size_t fi = 0; links && fi < n_files; fi++) {
		links[fi] = tv_links_new(&o, &ins[fi].prog, &e);
		if (!links[fi]) fprintf(stderr, "%s: the linking proof cannot compile the program: %s\n", files[fi], e.msg);
	}
	R.links = links;
	R.o = &o;
	R.in = ins;
	R.files = files;
	uint32_t *pcs = pvm_xmalloc(total * sizeof *pcs), *fidx = pvm_xmalloc(total * sizeof *fidx);
	bool uncovered = false; /* --all: an instruction in no region it proves */
	for (size_t fi = 0; fi < n_files; fi++) {
		const cli_input *in = &ins[fi];
		const pvm_program *p = &in->prog;
		/* --all: every basic block and every gas-region entry the compile made (also the trap a
		 * terminator falls into where no block starts), every region a run resumes in (the
		 * instruction after an ecalli inside a block: the runtime enters its code after the host
		 * call) and the initial pc; then every instruction must lie in one of those regions */
		uint8_t *resume = all ? pvm_xcalloc((size_t)p->code_len + 2, 1) : NULL;
		for (uint32_t at = 0; resume && !(o.debug & TV_DEBUG_NO_RESUME) && at < p->code_len; at++)
			if (p->is_start[at] && p->inst[at].op == PVM_OP_ecalli && p->inst[at].next <= p->code_len)
				resume[p->inst[at].next] = 1;
		for (uint32_t at = 0; at <= p->code_len; at++)
			if (entered ? entered[at]
			    : all ? p->is_block[at] || resume[at] || at == in->vec.initial_pc ||
			            (links[fi] && p->is_start[at] && tv_links_entry_at(links[fi], at))
			          : at == pc) {
				fidx[R.n] = (uint32_t)fi;
				pcs[R.n++] = at;
				if (resume) resume[at] = 2; /* (a region --all proves) */
			}
		if (resume && !unproved_code(p, resume, files[fi])) uncovered = true;
		free(resume);
	}
	R.pcs = pcs;
	R.file = fidx;
	R.res = pvm_xcalloc(R.n ? R.n : 1, sizeof *R.res);
	R.done = pvm_xcalloc(R.n ? R.n : 1, sizeof *R.done);
	int rc = 0;
	pthread_mutex_init(&R.lock, NULL);
	double t0 = now_s();
	unsigned jobs = o.jobs ? o.jobs : 1;
	if (jobs > R.n && R.n) jobs = (unsigned)R.n;
	pthread_t th[64];
	unsigned started = 0;
	for (unsigned j = 0; j < jobs; j++) started += pthread_create(&th[started], NULL, prove_worker, &R) == 0;
	if (!started) atomic_store(&R.failed, true);
	/* lines in pc order as soon as the prefix is done; a progress line below them on a TTY */
	size_t printed = 0;
	double next_line = t0 + o.progress_every;
	for (;;) {
		bool finished = atomic_load(&R.n_done) >= R.n || (atomic_load(&R.failed) && !started);
		bool any = false;
		while (printed < R.n && atomic_load(&R.done[printed])) {
			if (o.progress && !any) fprintf(stderr, "\r%70s\r", "");
			any = true;
			print_result(files[fidx[printed]], R.pcs[printed], &R.res[printed]);
			printed++;
		}
		if (any) fflush(stdout);
		if (finished) break;
		if (o.progress)
			fprintf(stderr, "\rprove: %zu/%zu blocks, %.0f s ", atomic_load(&R.n_done), R.n, now_s() - t0);
		else if (all && o.progress_every > 0 && now_s() >= next_line) { /* no TTY (a CI log) */
			size_t d = atomic_load(&R.n_done);
			double el = now_s() - t0;
			printf("prove: progress: %zu/%zu blocks (%.1f%%); %.0f s elapsed", d, R.n,
			       R.n ? 100.0 * (double)d / (double)R.n : 0.0, el);
			if (d) printf(", about %.0f s left", el * (double)(R.n - d) / (double)d);
			putchar('\n');
			fflush(stdout);
			next_line += o.progress_every;
		}
		usleep(o.progress ? 200000 : 20000);
		if (atomic_load(&R.failed)) break; /* the workers stop taking blocks; joined below */
	}
	for (unsigned j = 0; j < started; j++) pthread_join(th[j], NULL);
	while (printed < R.n && atomic_load(&R.done[printed])) {
		print_result(files[fidx[printed]], R.pcs[printed], &R.res[printed]);
		printed++;
	}
	if (o.progress) fprintf(stderr, "\r%70s\r", "");
	if (atomic_load(&R.failed)) {
		fprintf(stderr, "%s: %s\n", files[0], R.err.msg[0] ? R.err.msg : "prove: could not start a worker");
		rc = 2;
	}
	tv_report rep = { 0 };
	for (size_t i = 0; i < printed; i++) {
		tv_result *x = tv_report_add(&rep);
		if (!x) break;
		*x = R.res[i];
	}
	/* the jump tables: every slot the entry of the block the spec's table names */
	for (size_t fi = 0; all && !rc && links && fi < n_files; fi++) {
		if (!links[fi] || !ins[fi].prog.jt_len) continue;
		tv_result *x = tv_report_add(&rep);
		if (!x) break;
		tv_prove_table(&o, links[fi], &ins[fi].prog, &ins[fi].vec, x);
		const tv_links *twin = tv_links_twin(links[fi]);
		if (twin && x->verdict == TV_PROVED) { /* and the program without fusions' (jit.h § fusions) */
			tv_opts ou = o;
			ou.unfused = true;
			tv_result y;
			tv_prove_table(&ou, twin, &ins[fi].prog, &ins[fi].vec, &y);
			if (y.verdict != TV_PROVED) {
				*x = y;
				char d[sizeof x->detail];
				snprintf(d, sizeof d, "without fusions (the twin): %.200s", y.detail);
				snprintf(x->detail, sizeof x->detail, "%s", d);
			} else {
				size_t l = strlen(x->detail);
				snprintf(x->detail + l, sizeof x->detail - l, "; without fusions (the twin) too");
			}
		}
		printf("%s jump table (%u slots): %s: %s\n", files[fi], ins[fi].prog.jt_len, tv_verdict_name(x->verdict),
		       x->detail);
		if (x->cex_file[0]) printf("  counterexample: %s\n", x->cex_file);
	}
	/* the trampolines (entry, exit, stub, round trip) of each program as its code has them, proved
	 * once per distinct bytes (every program of one variant has the same); not counted as blocks */
	bool tramp_failed = false;
	jit_tramp *tramps = all && !rc && links ? pvm_xcalloc(n_files, sizeof *tramps) : NULL;
	tv_verdict (*tv)[TV_TRAMP_PARTS] = tramps ? pvm_xcalloc(n_files, sizeof *tv) : NULL;
	for (size_t fi = 0; tramps && fi < n_files; fi++) {
		if (!links[fi] || !tv_links_tramp(links[fi], &tramps[fi])) continue;
		size_t same = 0;
		while (same < fi && (tramps[same].len != tramps[fi].len || memcmp(tramps[same].bytes, tramps[fi].bytes, tramps[fi].len)))
			same++;
		bool ok = true;
		for (int k = 0; k < TV_TRAMP_PARTS; k++) {
			if (same < fi) {
				tv[fi][k] = tv[same][k];
				ok &= tv[fi][k] == TV_PROVED;
				continue;
			}
			tv_result x = { .op = PVM_OP_ecalli, .variant = (uint8_t)tv_first_variant(&o), .isa = (uint8_t)ins[fi].prog.isa,
			                .reading = o.reading };
			tv[fi][k] = tv_prove_tramp(&o, &tramps[fi], (tv_tramp_part)k, &x);
			if (x.verdict == TV_PROVED) continue;
			ok = false;
			printf("%s %s: %s: %s\n", files[fi], x.what, tv_verdict_name(x.verdict), x.detail);
			if (x.cex_file[0]) printf("  counterexample: %s\n", x.cex_file);
		}
		/* (not "FILE ...: PROVED", the form of a block's line) */
		if (ok && same < fi) printf("%s trampolines (entry, exit, stub, round trip) all PROVED (the same bytes as %s's)\n",
		                            files[fi], files[same]);
		else if (ok) printf("%s trampolines (entry, exit, stub, round trip) all PROVED\n", files[fi]);
		else if (same < fi) printf("%s trampolines: not proved (the same bytes as %s's)\n", files[fi], files[same]);
		tramp_failed |= !ok;
	}
	free(tramps);
	free(tv);
	rep.seconds = now_s() - t0;
	for (int k = 0; k < TV_NUM_PHASES; k++) rep.phase_ms[k] = R.phase_ms[k];
	rep.queries = R.queries;
	rep.recheck = o.recheck;
	memcpy(rep.rechecked, R.rechecks.rechecked, sizeof rep.rechecked);
	rep.recheck_ms = R.rechecks.recheck_ms;
	memcpy(rep.recheck_alpha, R.rechecks.recheck_alpha, sizeof rep.recheck_alpha);
	memcpy(rep.recheck_skipped, R.rechecks.recheck_skipped, sizeof rep.recheck_skipped);
	tv_report_store(&rep, o.store);
	if (timings) {
		fprintf(stderr, "time (ms, all workers):");
		for (int k = 0; k < TV_NUM_PHASES; k++)
			fprintf(stderr, "%s %s %.0f", k ? "," : "", tv_phase_name(k), rep.phase_ms[k]);
		fprintf(stderr, "; %zu solver queries\n", rep.queries);
	}
	if (!rc) {
		if (visited) {
			size_t blocks = 0, hit = 0;
			for (uint32_t at = 0; at <= ins[0].prog.code_len; at++) {
				blocks += ins[0].prog.is_block[at];
				hit += ins[0].prog.is_block[at] && entered[at];
			}
			printf("prove: the traced run entered %zu gas regions: %zu of the program's %zu basic blocks "
			       "(%.1f%%), and %zu entries inside a block (after a host call)\n",
			       R.n, hit, blocks, blocks ? 100.0 * (double)hit / (double)blocks : 0.0, R.n - hit);
		}
		if (all) tv_report_block_summary(&rep, jobs, stdout);
		tv_report_store_summary(&rep, stdout);
		tv_report_recheck_summary(&rep, stdout);
		size_t c[TV_NUM_VERDICTS];
		tv_report_counts(&rep, c);
		if (c[TV_CEX] || c[TV_UNKNOWN] || c[TV_BUG] || tramp_failed || uncovered) rc = 1; /* an unknown block is not a pass */
		const char *name = n_files == 1 ? files[0] : "(several files)";
		if ((json && !tv_report_block_json(&rep, name, json)) || (junit && !tv_report_block_junit(&rep, name, junit)) ||
		    (html && !tv_report_block_html(&rep, name, html))) {
			fprintf(stderr, "jitproof prove: cannot write a report file\n");
			rc = 2;
		}
	}
	tv_report_free(&rep);
	pthread_mutex_destroy(&R.lock);
	free(pcs), free(fidx), free(R.res), free(R.done), free(entered);
	sem_spec_free(sp);
	for (size_t i = 0; links && i < n_files; i++) tv_links_free(links[i]);
	free(links);
	tv_store_close(o.store);
	for (size_t i = 0; i < n_files; i++) cli_input_fini(&ins[i]);
	free(ins);
	return rc;
}
