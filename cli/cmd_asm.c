/* cli/cmd_asm.c: `jitproof asm FILE.pvmasm [-o OUT.json]`: assembles a test case into a w3f vector
 * whose expected-* fields are an engine's result (interp by default). When the file has .expect
 * lines the engine must agree with them (exit 1 otherwise). Bad assembly: "FILE:LINE:COL: reason", 2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static void help(FILE *f)
{
	fprintf(f, "usage: jitproof asm FILE.pvmasm [-o OUT.json] [--engine NAME] [--isa 0.8.0|0.7.2] [--polkavm-end]\n"
	           "  Assembles FILE (format: README.md) for the revision (default 0.8.0) into a test\n"
	           "  vector on stdout or OUT.json: GP 0.7.2 a w3f vector, GP 0.8.0 a step vector.\n"
	           "  expected-* fields come from running the engine (default interp) from the file's\n"
	           "  initial state; if the file has .expect lines, a disagreement exits 1.\n"
	           CLI_POLKAVM_END_HELP);
}

int cmd_asm(int argc, char **argv)
{
	const char *path = NULL, *outp = NULL, *ename = "interp";
	int isa = PVM_ISA_080;
	unsigned dflags = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help(stdout);
			return 0;
		} else if (cli_decode_option(argv[i], &dflags)) {
		} else if (!strcmp(argv[i], "--isa")) {
			if (i + 1 == argc) return cli_usage("asm", "--isa needs a value");
			if (cli_parse_isa("asm", argv[++i], &isa)) return 2;
		} else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--engine")) {
			if (i + 1 == argc) return cli_usage("asm", "%s needs a value", argv[i]);
			*(argv[i][1] == 'o' ? &outp : &ename) = argv[i + 1];
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage("asm", "unknown option '%s' (try --help)", argv[i]);
		} else if (path) {
			return cli_usage("asm", "one input file only ('%s')", argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path) return cli_usage("asm", "missing FILE.pvmasm (try --help)");
	const pvm_engine *eng = cli_engine(ename);
	if (!eng) return cli_usage("asm", "unknown engine '%s' (built: %s)", ename, cli_engine_names());

	pvm_errbuf e;
	uint8_t *text;
	size_t len;
	if (pvm_read_file(path, &text, &len, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	pvm_vector v;
	pvm_err err = pvm_asm_isa((const char *)text, len, (pvm_isa)isa, path, &v, &e);
	free(text);
	if (err) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	pvm_program prog;
	if (pvm_program_decode_flags(&prog, (pvm_isa)isa, dflags, v.program, v.program_len, path, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		pvm_vector_fini(&v);
		return 2;
	}
	int rc = 2;
	void *prep = eng->load(&prog, &e);
	if (!prep) {
		fprintf(stderr, "%s\n", e.msg);
		goto out_prog;
	}
	pvm_state s;
	pvm_vector_initial_state(&v, &s);
	pvm_exit x = eng->run(prep, &s);
	char why[512];
	if (v.has_expected && !pvm_vector_check(&v, &s, x, why, sizeof why)) {
		fprintf(stderr, "%s: %s disagrees with the .expect lines: %s\n", path, eng->name, why);
		rc = 1;
		goto out_state;
	}
	FILE *out = outp ? fopen(outp, "w") : stdout;
	if (!out) {
		fprintf(stderr, "%s: cannot write: %s\n", outp, strerror(errno));
		goto out_state;
	}
	if (isa == PVM_ISA_080) {
		pvm_state init;
		pvm_vector_initial_state(&v, &init);
		pvm_vector08 v8;
		pvm_vector08_from_run(&v8, v.name, v.program, v.program_len, &prog, &init, &s, x);
		rc = pvm_vector08_write(&v8, out) ? 2 : 0;
		pvm_vector08_fini(&v8);
		pvm_state_fini(&init);
	} else {
		pvm_vector_set_expected(&v, &s, x);
		rc = pvm_vector_write(&v, out) ? 2 : 0;
	}
	if (outp && fclose(out)) rc = 2;
	if (rc) fprintf(stderr, "%s: write failed\n", outp ? outp : "stdout");
out_state:
	pvm_state_fini(&s);
	eng->free(prep);
out_prog:
	pvm_program_fini(&prog);
	pvm_vector_fini(&v);
	return rc;
}
