/* cli/cmd_disasm.c: `jitproof disasm FILE`: prints .pvmasm text for a w3f vector (program, initial
 * state and expectations), a .pvmasm file, a §2 blob or a standard container. The text assembles
 * back to the same program bytes (`jitproof asm`). */
#include <errno.h>
#include <string.h>
#include "cli.h"

static void help(FILE *f)
{
	fprintf(f, "usage: jitproof disasm FILE [--blob | --container] [--isa 0.8.0|0.7.2] [--costs]\n"
	           "                      [-o OUT.pvmasm] [--polkavm-end] [--reading R] [--[no-]metadata]\n"
	           "  FILE: a w3f vector (*.json), a .pvmasm file, a JIP-7 trace, or a program blob / standard\n"
	           "  container, with or without on-chain metadata (printed as a comment) (detected; --blob\n"
	           "  or --container forces one). Prints assembly that `jitproof asm`\n"
	           "  turns back into the same program bytes. GP 0.8.0: each basic block's gas cost (the\n"
	           "  A.9/A.10 pipeline model) is printed beside its first instruction, and a blob that\n"
	           "  0.8.0 prevalidation rejects gets a comment line with the reason.\n"
	           "  --isa REV  revision of blob, container and .pvmasm files (default 0.8.0)\n"
	           "  --costs    print only the gas cost of every basic block, one \"PC COST\" line each\n"
	           "             (0.7.2: the cost of the gas region entered there), then a summary\n"
	           CLI_POLKAVM_END_HELP CLI_COMMON_HELP);
}

int cmd_disasm(int argc, char **argv)
{
	const char *path = NULL, *outp = NULL;
	cli_format fmt = CLI_AUTO;
	int isa = -1;
	unsigned dflags = 0;
	bool costs = false;
	for (int i = 1; i < argc; i++) {
		int crc = cli_common_option("disasm", argc, argv, &i);
		if (crc > 0) return crc;
		if (crc == 0) continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--blob")) {
			fmt = CLI_FORCE_BLOB;
		} else if (!strcmp(argv[i], "--container")) {
			fmt = CLI_FORCE_CONTAINER;
		} else if (cli_decode_option(argv[i], &dflags)) {
		} else if (!strcmp(argv[i], "--costs")) {
			costs = true;
		} else if (!strcmp(argv[i], "--isa")) {
			if (i + 1 == argc) return cli_usage("disasm", "--isa needs a value");
			if (cli_parse_isa("disasm", argv[++i], &isa)) return 2;
		} else if (!strcmp(argv[i], "-o")) {
			if (i + 1 == argc) return cli_usage("disasm", "-o needs a file");
			outp = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage("disasm", "unknown option '%s' (try --help)", argv[i]);
		} else if (path) {
			return cli_usage("disasm", "one input file only ('%s')", argv[i]);
		} else {
			path = argv[i];
		}
	}
	if (!path) return cli_usage("disasm", "missing FILE (try --help)");
	cli_input in;
	int rc = cli_load(path, fmt, NULL, 0, -1, isa, dflags, &in);
	if (rc) return rc;
	FILE *out = outp ? fopen(outp, "w") : stdout;
	if (!out) {
		fprintf(stderr, "%s: cannot write: %s\n", outp, strerror(errno));
		cli_input_fini(&in);
		return 2;
	}
	pvm_err err = PVM_OK;
	if (costs) {
		uint64_t n = 0, sum = 0;
		uint32_t max = 0;
		for (uint32_t pc = 0; pc < in.prog.code_len; pc++) {
			if (!in.prog.is_block[pc]) continue;
			uint32_t c = in.prog.gas_cost[pc];
			fprintf(out, "%u %u\n", pc, c);
			n++, sum += c, max = c > max ? c : max;
		}
		fprintf(out, "; %s: %llu blocks (GP %s), total %llu, max %u\n", path, (unsigned long long)n,
		        pvm_isa_name(in.prog.isa), (unsigned long long)sum, max);
	} else {
		if (in.kind == CLI_BLOB) fprintf(out, "; %s: program blob\n", path);
		else fprintf(out, "; %s\n", path);
		if (in.meta_len) { /* an on-chain blob: E(|m|) m, then the container */
			uint64_t m;
			size_t k = pvm_varint_decode(in.file, in.file_len, &m);
			char text[1200];
			pvm_meta_describe(in.file + k, in.meta_len - k, text, sizeof text);
			fprintf(out, "; %s\n", text);
		}
		if (in.kind == CLI_TRACE)
			fprintf(out, "; a JIP-7 trace: %zu host calls, initial state from its start line (line %u)\n",
			        in.trace.n_calls, in.trace.start.line);
		if (in.prog.invalid[0]) /* GP 0.8.0 prevalidation rejected it: every run panics at once */
			fprintf(out, "; invalid GP 0.8.0 blob (%s): the first step panics\n", in.prog.invalid);
		err = pvm_disasm(&in.prog, in.kind == CLI_BLOB ? NULL : &in.vec, out);
	}
	if (outp && fclose(out)) err = PVM_EIO;
	if (err) fprintf(stderr, "%s: %s\n", outp ? outp : "stdout", pvm_strerror(err));
	cli_input_fini(&in);
	return err ? 2 : 0;
}
