/* cli/cmd_prove.c: `jitproof prove FILE --pc N`: prove one compiled gas region of a real program
 * (gas prologue, templates, terminator) against the composed specs of its instructions.
 * `--all` proves every basic block. Exit 1 on a counterexample, 2 on bad input. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "jit/mutant.h"
#include "tv_cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: jitproof prove FILE (--pc N | --all) [--cex-dir DIR] [--timeout-ms MS] [--rlimit N] [--portable]\n"
	           "                      [--fallback-states N] [--mutant NAME] [--isa 0.8.0|0.7.2]\n"
	           "FILE: a w3f vector, .pvmasm, blob or container. Proves the JIT's code for the gas region\n"
	           "entered at pc N (or every basic block with --all) equal to the composed specs, and the\n"
	           "jump-table dispatcher of a dynamic jump that ends it. A block the solver cannot decide\n"
	           "runs on both engines from N states (FALLBACK-AGREE or COUNTEREXAMPLE).\n"
	           "Exit 0 when every block is PROVED or FALLBACK-AGREE, 1 on a counterexample or unknown.\n");
}

int cmd_prove(int argc, char **argv)
{
	tv_opts o = tv_opts_default();
	o.memo = false; /* a fresh worker per block: nothing to reuse */
	const char *file = NULL;
	uint64_t pc = 0;
	bool have_pc = false, all = false;
	int isa = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int r = cli_tv_option("prove", argc, argv, &i, &o);
		if (r >= 0) {
			if (r) return r;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--pc")) {
			if (!cli_parse_u64(val, &pc) || pc > UINT32_MAX) return cli_usage("prove", "--pc needs a number");
			have_pc = true, i++;
		} else if (!strcmp(a, "--all")) {
			all = true;
		} else if (!strcmp(a, "--isa")) {
			if (!val) return cli_usage("prove", "--isa needs a value");
			if (cli_parse_isa("prove", val, &isa)) return 2;
			i++;
		} else if (!strcmp(a, "--mutant") && val) {
			if (!jit_set_mutant(val)) return cli_usage("prove", "--mutant: no mutant '%s' built in", val);
			i++;
		} else if (a[0] == '-' || file) {
			return cli_usage("prove", "unexpected argument '%s' (see --help)", a);
		} else {
			file = a;
		}
	}
	if (!file || have_pc == all) return cli_usage("prove", "needs FILE and exactly one of --pc N / --all");
	cli_input in;
	if (cli_load(file, CLI_AUTO, NULL, 0, -1, isa, 0, &in)) return 2;
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load_isa(sem_spec_default_path(), in.prog.isa, &e);
	if (!sp) {
		fprintf(stderr, "%s\n", e.msg);
		cli_input_fini(&in);
		return 2;
	}
	o.spec = sp;
	size_t counts[TV_NUM_VERDICTS] = { 0 };
	int rc = 0;
	tv_worker *w = tv_worker_new(&o);
	if (!w) {
		fprintf(stderr, "prove: out of memory\n");
		sem_spec_free(sp);
		cli_input_fini(&in);
		return 2;
	}
	for (uint32_t at = all ? 0 : (uint32_t)pc; at <= (all ? in.prog.code_len : (uint32_t)pc); at++) {
		if (all && !(in.prog.is_block[at] || at == in.vec.initial_pc)) continue;
		tv_result r;
		if (tv_prove_block(w, &in.prog, &in.vec, at, &r, &e) != PVM_OK) {
			fprintf(stderr, "%s: %s\n", file, e.msg);
			rc = 2;
			break;
		}
		counts[r.verdict]++;
		printf("%s pc %u (%s): %s%s%s (%.1f ms)\n", file, at, pvm_ops[r.op].name, tv_verdict_name(r.verdict),
		       r.detail[0] ? ": " : "", r.detail, r.ms);
		if (r.cex_file[0]) printf("  counterexample: %s\n", r.cex_file);
	}
	if (all && !rc)
		printf("prove: %zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree\n", counts[TV_PROVED],
		       counts[TV_CEX], counts[TV_UNKNOWN], counts[TV_FALLBACK_AGREE]);
	if (!rc && (counts[TV_CEX] || counts[TV_UNKNOWN])) rc = 1; /* an unknown block is not a pass */
	tv_worker_free(w);
	sem_spec_free(sp);
	cli_input_fini(&in);
	return rc;
}
