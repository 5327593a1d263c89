/* cli/cmd_lift_check.c: `jitproof lift-check [--states N] [--seed S] [--builtin] [-v]`: runs every
 * x86-64 instruction form the JIT emits (plus the lifter's built-in forms) natively on N random and
 * edge states and compares GPRs, flags and memory with the lifter. Exit 1 on any mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "lifter/lift.h"

int cmd_lift_check(int argc, char **argv)
{
	lift_check_opts o = { .states = 1000 };
	bool builtin_only = false;
	for (int i = 1; i < argc; i++) {
		uint64_t v;
		if (!strcmp(argv[i], "--states") && i + 1 < argc) {
			if (!cli_parse_u64(argv[++i], &v) || v == 0 || v > 100000000)
				return cli_usage("lift-check", "--states: expected a number in 1..100000000, got '%s'", argv[i]);
			o.states = (unsigned)v;
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			if (!cli_parse_u64(argv[++i], &v)) return cli_usage("lift-check", "--seed: bad number '%s'", argv[i]);
			o.seed = v;
		} else if (!strcmp(argv[i], "--break") && i + 1 < argc) {
			o.break_rule = argv[++i]; /* hidden: deliberately wrong lifter rule, for tests */
		} else if (!strcmp(argv[i], "--builtin")) {
			builtin_only = true;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			o.verbose = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: jitproof lift-check [--states N] [--seed S] [--builtin] [-v]\n"
			       "  Executes every instruction form the JIT emits, and the built-in forms, natively on\n"
			       "  N random and edge states (default 1000) and compares every GPR, defined flag and\n"
			       "  written memory byte with the lifter. --builtin: only the built-in forms.\n");
			return 0;
		} else {
			return cli_usage("lift-check", "unknown argument '%s' (try --help)", argv[i]);
		}
	}
	const lift_form *builtin;
	lift_form *jit = NULL;
	size_t nb = lift_builtin_forms(&builtin), ntpl = 0, nj = builtin_only ? 0 : lift_jit_forms(&jit, &ntpl);
	if (!builtin_only)
		printf("lift-check: %zu forms emitted by the JIT (from %zu templates), %zu built-in forms\n", nj, ntpl, nb);
	lift_check_report rep, rb = { 0 };
	char err[512];
	lift_err e = lift_check_forms(jit, nj, &o, stdout, &rep, err, sizeof err);
	if (!e) e = lift_check_forms(builtin, nb, &o, stdout, &rb, err, sizeof err);
	free(jit);
	if (e) {
		fprintf(stderr, "jitproof lift-check: %s\n", err);
		return 2;
	}
	if (!builtin_only)
		printf("lift-check: %zu of %zu forms emitted by the JIT checked\n", rep.forms, nj);
	rep.forms += rb.forms;
	rep.states += rb.states;
	rep.mismatches += rb.mismatches;
	printf("lift-check: %zu forms, %zu states, %zu mismatches\n", rep.forms, rep.states, rep.mismatches);
	return rep.mismatches ? 1 : 0;
}
