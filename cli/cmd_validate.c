/* cli/cmd_validate.c: `jitproof validate`: prove every JIT template against specs/pvm.yaml, for
 * both revisions (GP 0.7.2, GP 0.8.0) unless --isa picks one.
 * Prints each counterexample and unknown as it is reported, then the summary line; writes the
 * JSON, JUnit and HTML reports on request. Exit 1 on any counterexample, 2 on bad usage. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "pvm/mutant.h"
#include "tv_cli.h"
#include "validator/store.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: jitproof validate [-j N] [--isa 0.8.0|0.7.2] [--timeout-ms MS] [--rlimit N] [--opcode NAME]...\n"
	           "                         [--shard I/N] [--cex-dir DIR] [--json FILE] [--junit FILE] [--html FILE]\n"
	           "                         [--fallback-states N] [--seed N] [--features cpuid|portable] [--portable]\n"
	           "                         [--fail-fast] [--no-memo] [--self-test] [--mutant NAME] [--list-mutants] [--timings]\n"
	           "                         [--debug query,norm,rlimit] [--reading w3f|peers|both]\n"
	           "                         [--max-cex N] [--progress-every SECONDS] [--cache DIR | --no-cache]\n"
	           "                         [--recheck cvc5] [--recheck-timeout-ms MS] [--smt2-dir DIR]\n"
	           "Proves every JIT template (opcode x register assignment x immediate class x CPU-feature\n"
	           "variant x revision) equal to specs/pvm.yaml with Z3; paths a proof does not cover (memory\n"
	           "faults, out-of-gas) and unknown proofs run on both engines on concrete states. Both\n"
	           "revisions by default (GP 0.7.2 and GP 0.8.0, each with its own spec, test programs and gas);\n"
	           "--isa selects one. Both variants by default (cpuid: the extensions this CPU reports;\n"
	           "portable: none); --features selects one, --portable is --features portable. --opcode may\n"
	           "be given more than once. GP 0.7.2 under both readings by default (README § GP 0.7.2\n"
	           "readings): under the peers' (gas per instruction, sbrk's break), sbrk's templates and\n"
	           "region are proved against its break entry, and the fault and gas paths run again;\n"
	           "--reading picks one.\n"
	           "--max-cex N (default 3): per opcode, the first N counterexamples are minimized, replayed\n"
	           "and written as vectors (the first of each opcode announced as soon as it is found); the\n"
	           "opcode's later failing instances are counted as counterexamples, nothing more (0: all).\n"
	           "Off a TTY a progress line every --progress-every seconds (default 30); --no-progress: none.\n"
	           "PROVED verdicts are kept in a proof store (--cache DIR; default $JITPROOF_CACHE, else\n"
	           "~/.cache/jitproof) under a hash of everything their query is built from, and taken from it\n"
	           "by a later run without calling the solver; --no-cache neither reads nor writes it.\n"
	           "--recheck cvc5: every query a proof builds (memo hits too) is re-proved by cvc5 as built,\n"
	           "before the rewriter; where Z3 said unsat and cvc5 says sat or fails, the item is\n"
	           "VALIDATOR-BUG, never PROVED (cvc5 giving up within --recheck-timeout-ms, default 10000,\n"
	           "is counted, the item stays PROVED); no proof store. --smt2-dir DIR writes every query as\n"
	           "an SMT-LIB 2 script (README § A second solver).\n"
	           "--shard I/N (0 <= I < N) proves the items whose index is I mod N;\n"
	           "`jitproof merge-reports` makes the N shards' JSON reports into one run's. --html FILE: one\n"
	           "self-contained page; FILE#open=OPCODE opens that opcode's worst cell.\n"
	           "--self-test: every template query is also asked with each part of the spec's result it\n"
	           "compares changed (each guest register, the gas, the probed memory byte, the pc, the exit\n"
	           "kind); each must be sat, else the query cannot see that part: a VALIDATOR-BUG.\n"
	           "Exit 1 on any counterexample or validator bug.\n");
}

int cmd_validate(int argc, char **argv)
{
	tv_opts o = tv_opts_default();
	o.progress = isatty(2);
	o.live = stdout; /* the first counterexample of each opcode at once; progress lines off a TTY */
	const char *json = NULL, *junit = NULL, *html = NULL, *mutant = NULL;
	bool list = false, timings = false;
	o.isas = 0; /* set by --isa; none given: both */
	o.readings = 3; /* GP 0.7.2: the w3f readings and the peers' (--reading picks one) */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;
		int r = cli_tv_option("validate", argc, argv, &i, &o);
		if (r >= 0) {
			if (r) return r;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs") || (!strncmp(a, "-j", 2) && a[2])) {
			bool glued = a[2] && a[1] == 'j'; /* -j2, as make takes it */
			if (!cli_parse_u64(glued ? a + 2 : val, &n) || n < 1 || n > 64)
				return cli_usage("validate", "-j needs a number 1..64");
			o.jobs = (unsigned)n, i += !glued;
		} else if (!strcmp(a, "--seed")) {
			if (!cli_parse_u64(val, &o.seed)) return cli_usage("validate", "--seed needs a number");
			i++;
		} else if (!strcmp(a, "--isa")) {
			int isa;
			if (!val) return cli_usage("validate", "--isa needs a value");
			if (cli_parse_isa("validate", val, &isa)) return 2;
			o.isas |= 1u << isa, i++;
		} else if (!strcmp(a, "--reading")) {
			if (!val || (strcmp(val, "w3f") && strcmp(val, "peers") && strcmp(val, "both")))
				return cli_usage("validate", "--reading needs w3f, peers or both");
			o.readings = !strcmp(val, "w3f") ? 1 : !strcmp(val, "peers") ? 2 : 3;
			i++;
		} else if (!strcmp(a, "--opcode")) {
			int op = val ? pvm_op_by_name(val) : -1;
			if (op < 0) return cli_usage("validate", "--opcode: unknown opcode '%s'", val ? val : "");
			o.only_ops = o.op[op] = true, i++;
		} else if (!strcmp(a, "--shard")) {
			unsigned si, sn;
			char c;
			if (!val || sscanf(val, "%u/%u%c", &si, &sn, &c) != 2 || sn == 0 || si >= sn)
				return cli_usage("validate", "--shard needs I/N with 0 <= I < N");
			o.shard_i = si, o.shard_n = sn, i++;
		} else if (cli_report_option(argc, argv, &i, &json, &junit, &html)) {
		} else if (!strcmp(a, "--mutant") && val) {
			mutant = val, i++;
		} else if (!strcmp(a, "--list-mutants")) {
			list = true;
		} else if (!strcmp(a, "--no-memo")) {
			o.memo = false;
		} else if (!strcmp(a, "--self-test")) {
			o.self_test = true;
		} else if (!strcmp(a, "--max-cex")) {
			if (!cli_parse_u64(val, &n) || n > 1000000) return cli_usage("validate", "--max-cex needs a number (0: no limit)");
			o.max_cex = (unsigned)n, i++;
		} else if (!strcmp(a, "--progress-every")) {
			char *end;
			double s = val ? strtod(val, &end) : -1;
			if (!val || *end || s < 0.05 || s > 86400) return cli_usage("validate", "--progress-every needs seconds (0.05 .. 86400)");
			o.progress_every = s, i++;
		} else if (!strcmp(a, "--fail-fast")) {
			o.fail_fast = true;
		} else if (!strcmp(a, "--no-progress")) {
			o.progress = false;
			o.progress_every = 0;
		} else if (!strcmp(a, "--timings")) {
			timings = true;
		} else {
			return cli_usage("validate", "unknown or incomplete option '%s' (see --help)", a);
		}
	}
	if (list) {
		size_t n = 0;
		const pvm_mutant *m = pvm_mutants(&n);
		for (size_t i = 0; i < n; i++) printf("%s %s\n", m[i].name, pvm_ops[m[i].opcode].name);
		if (!n) fprintf(stderr, "jitproof validate: no mutants built in (configure with -DJITPROOF_MUTANTS=ON)\n");
		return 0;
	}
	if (!o.isas) o.isas = (1u << PVM_ISA_COUNT) - 1;
	for (unsigned op = 0; o.only_ops && op < PVM_NUM_OPS; op++) {
		bool in_some = false;
		for (int isa = 0; isa < PVM_ISA_COUNT; isa++) in_some |= (o.isas >> isa & 1) && pvm_op_in((pvm_isa)isa, op);
		if (o.op[op] && !in_some)
			return cli_usage("validate", "--opcode: %s is not an instruction of the revision asked for (--isa)",
			                 pvm_ops[op].name);
	}
	if (mutant && !pvm_set_mutant(mutant))
		return cli_usage("validate", "--mutant: no mutant '%s' built in (see --list-mutants)", mutant);
	cli_tv_store_open("validate", &o); /* after the mutant: its hook, if any, is part of the identity */
	pvm_errbuf e;
	sem_spec *sp[PVM_ISA_COUNT] = { 0 };
	int rc = 0;
	for (int isa = 0; isa < PVM_ISA_COUNT && !rc; isa++) {
		if (!(o.isas >> isa & 1)) continue;
		o.specs[isa] = sp[isa] = sem_spec_load_isa(sem_spec_default_path(), (pvm_isa)isa, &e);
		if (!sp[isa]) fprintf(stderr, "%s\n", e.msg), rc = 2;
	}
	tv_report rep = { 0 };
	if (!rc && tv_validate(&o, &rep, &e)) {
		fprintf(stderr, "jitproof validate: %s\n", e.msg);
		rc = 2;
	}
	if (rc) {
		for (int isa = 0; isa < PVM_ISA_COUNT; isa++) sem_spec_free(sp[isa]);
		tv_report_free(&rep);
		tv_store_close(o.store);
		return rc;
	}
	/* how the run was made, for the JSON report (a merge of shard reports checks it) */
	tv_run_info *ri = &rep.run;
	ri->shard_i = o.shard_i, ri->shard_n = o.shard_n, ri->jobs = o.jobs, ri->readings = o.readings;
	ri->all_ops = !o.only_ops;
	memcpy(ri->op, o.op, sizeof ri->op);
	ri->fallback_states = o.fallback_states, ri->timeout_ms = o.timeout_ms, ri->rlimit = o.rlimit, ri->seed = o.seed;
	ri->memo = o.memo, ri->fail_fast = o.fail_fast;
	snprintf(ri->mutant, sizeof ri->mutant, "%s", mutant ? mutant : "");
	cli_features_name(tv_variant_features(TV_VAR_CPUID), ri->features, sizeof ri->features);
	cli_views views = { 0 };
	if (html) cli_views_init(&views, ri, (const sem_spec *const *)sp);
	if ((json && !tv_report_json(&rep, json)) || (junit && !tv_report_junit(&rep, junit)) ||
	    (html && !tv_report_html(&rep, html, &views.v))) {
		fprintf(stderr, "jitproof validate: cannot write a report file\n");
		rc = 2;
	}
	if (html) cli_views_fini(&views);
	if (timings) {
		fprintf(stderr, "time (ms, all workers):");
		for (int k = 0; k < TV_NUM_PHASES; k++)
			fprintf(stderr, "%s %s %.0f", k ? "," : "", tv_phase_name(k), rep.phase_ms[k]);
		fprintf(stderr, "; %zu solver queries\n", rep.queries);
	}
	cli_tv_print(&rep);
	size_t c[TV_NUM_VERDICTS];
	tv_report_counts(&rep, c);
	if (c[TV_CEX] || c[TV_BUG]) rc = 1;
	tv_report_free(&rep);
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) sem_spec_free(sp[isa]);
	tv_store_close(o.store);
	return rc;
}
