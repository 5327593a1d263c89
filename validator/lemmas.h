/* validator/lemmas.h: the lemmas behind the validator's canonicalizing rewrites (rewrite.c), each a
 * Bool term valid for all values of its free constants; tests/validator proves every one with Z3
 * and checks that the chain composes into the rewrite it justifies. */
#ifndef JITPROOF_TV_LEMMAS_H
#define JITPROOF_TV_LEMMAS_H
#include <stddef.h>
#include <z3.h>

typedef struct tv_lemma {
	const char *name;
	const char *text;
	Z3_ast (*build)(Z3_context z); /* the statement, over fresh constants of z */
} tv_lemma;

extern const tv_lemma tv_lemmas[];
extern const size_t tv_nlemmas;

/* Rewrites t with instances of the mulhsu lemmas for the 64-bit terms a, b (each step replaces
 * a lemma's left side by its right side, by Z3_substitute, no other simplification). Applied to
 * extract[127:64](sext64(a) * zext64(b)), either factor order, it yields the right side of the
 * rewrite R of rewrite.c if the chain composes. */
Z3_ast tv_lemmas_mulhsu_chain(Z3_context z, Z3_ast t, Z3_ast a, Z3_ast b);

#endif
