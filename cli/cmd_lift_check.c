/* cli/cmd_lift_check.c: `jitproof lift-check [--states N] [--seed S] [--builtin] [--undefined] [-v]`:
 * runs every x86-64 instruction form the JIT emits (plus the built-in forms) natively on N random
 * and edge states and compares GPRs, flags and memory with the lifter, and requires the lifter's
 * terms for the flags the SDM leaves undefined to be unconstrained. Exit 1 on any mismatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "liftcheck/liftcheck.h"

int cmd_lift_check(int argc, char **argv)
{
	lift_check_opts o = { .states = 1000 };
	bool builtin_only = false, undef_only = false;
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
		} else if (!strcmp(argv[i], "--undefined")) {
			undef_only = true;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			o.verbose = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: jitproof lift-check [--states N] [--seed S] [--builtin] [--undefined] [-v]\n"
			       "  Executes every instruction form the JIT emits, and the built-in forms, natively on\n"
			       "  N random and edge states (default 1000) and compares every GPR, defined flag and\n"
			       "  written memory byte with the lifter; then requires every flag the Intel SDM / AMD\n"
			       "  APM leave undefined (liftcheck/undef.def) to be unconstrained in the lifter's terms.\n"
			       "  --builtin: only the built-in forms. --undefined: only the undefined-flag check.\n");
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
	lift_check_report rep = { 0 }, rb = { 0 };
	lift_undef_report uj = { 0 }, ub = { 0 };
	char err[512];
	lift_err e = LIFT_OK;
	if (!undef_only) {
		e = lift_check_forms(jit, nj, &o, stdout, &rep, err, sizeof err);
		if (!e) e = lift_check_forms(builtin, nb, &o, stdout, &rb, err, sizeof err);
	}
	if (!e) e = lift_check_undefined(jit, nj, o.break_rule, stdout, &uj, err, sizeof err);
	if (!e) e = lift_check_undefined(builtin, nb, o.break_rule, stdout, &ub, err, sizeof err);
	free(jit);
	if (e) {
		fprintf(stderr, "jitproof lift-check: %s\n", err);
		return 2;
	}
	if (!builtin_only && !undef_only)
		printf("lift-check: %zu of %zu forms emitted by the JIT checked\n", rep.forms, nj);
	rep.forms += rb.forms;
	rep.states += rb.states;
	rep.mismatches += rb.mismatches;
	if (!undef_only)
		printf("lift-check: %zu forms, %zu states, %zu mismatches\n", rep.forms, rep.states, rep.mismatches);
	if (!builtin_only)
		printf("lift-check: undefined flags: %zu of the JIT's forms, %zu flags\n", uj.forms, uj.flags);
	size_t free_flags = uj.flags + ub.flags - uj.vacuous - ub.vacuous - uj.defined - ub.defined;
	printf("lift-check: undefined flags: %zu forms, %zu free, %zu vacuous, %zu defined\n", uj.forms + ub.forms,
	       free_flags, uj.vacuous + ub.vacuous, uj.defined + ub.defined);
	return rep.mismatches || uj.defined || ub.defined ? 1 : 0;
}
