/* tests/lifter/lemmas.c: proves every canonicalizing rewrite of the lifter (lift_lemmas): the
 * negation of each lemma must be unsat. Prints one line per lemma; exit 1 if any is not proved.
 * A lemma is tried with Z3's default solver and with a bit-blasting tactic pipeline (the one its
 * bitblast hint names first). */
#include <stdio.h>
#include <string.h>
#include "lifter/lift.h"

/* Z3_L_FALSE when the negation of claim is unsat (proved). */
static Z3_lbool refute(Z3_context z, Z3_ast claim, bool blast, unsigned timeout_ms)
{
	Z3_solver s;
	if (blast) {
		s = lift_blast_solver(z);
	} else {
		s = Z3_mk_solver(z);
		Z3_solver_inc_ref(z, s);
	}
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "timeout"), timeout_ms);
	Z3_solver_set_params(z, s, p);
	Z3_solver_assert(z, s, Z3_mk_not(z, claim));
	Z3_lbool r = Z3_solver_check(z, s);
	Z3_params_dec_ref(z, p);
	Z3_solver_dec_ref(z, s);
	return r;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int bad = 0, n = 0;
	for (size_t i = 0; i < lift_nlemmas; i++) {
		const lift_lemma *l = &lift_lemmas[i];
		if (only && strcmp(only, l->name)) continue;
		Z3_config cfg = Z3_mk_config();
		Z3_context z = Z3_mk_context(cfg);
		Z3_del_config(cfg);
		Z3_ast claim = l->build(z);
		bool blast = l->bitblast;
		Z3_lbool r = refute(z, claim, blast, blast ? 120000 : 20000);
		if (r != Z3_L_FALSE) {
			blast = !blast;
			r = refute(z, claim, blast, blast ? 120000 : 20000);
		}
		const char *how = blast ? "bit-blast tactic" : "default solver";
		printf("lemma %-14s %s  (%s)\n", l->name,
		       r == Z3_L_FALSE ? "PROVED" : r == Z3_L_TRUE ? "FALSE" : "UNKNOWN", how);
		printf("    %s\n", l->text);
		bad += r != Z3_L_FALSE;
		n++;
		Z3_del_context(z);
	}
	printf("%d passed, %d failed\n", n - bad, bad);
	return bad || !n ? 1 : 0;
}
