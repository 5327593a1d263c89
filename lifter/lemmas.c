/* lifter/lemmas.c: the canonicalizing rewrites sem.c relies on, each stated as a Bool term that
 * holds for all values of its free constants. tests/lifter proves every one with Z3. Where the
 * SDM's definition is a 2w-bit operation and the lifter writes a w-bit canonical one, the lemma
 * says they agree (under the no-#DE condition the lifter emits beside it). */
#include "internal.h"

static Z3_ast var(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), bvs(z, w));
}
static Z3_ast eq(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_eq(z, a, b); }
static Z3_ast imp(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_implies(z, a, b); }
static Z3_ast nz(Z3_context z, Z3_ast a) { return Z3_mk_not(z, eq(z, a, bvn(z, bvw(z, a), 0))); }
static uint64_t ones(unsigned w) { return w == 64 ? ~0ull : (1ull << w) - 1; }

/* div with high half 0: the 2w/w quotient and remainder are w-bit bvudiv/bvurem (all b). */
static Z3_ast udiv_hi0(Z3_context z, unsigned w)
{
	Z3_ast a = var(z, "a", w), b = var(z, "b", w);
	Z3_ast n = Z3_mk_concat(z, bvn(z, w, 0), a), d = zx(z, 2 * w, b);
	return and2(z, eq(z, ext(z, w - 1, 0, Z3_mk_bvudiv(z, n, d)), Z3_mk_bvudiv(z, a, b)),
		    eq(z, ext(z, w - 1, 0, Z3_mk_bvurem(z, n, d)), Z3_mk_bvurem(z, a, b)));
}
static Z3_ast l_udiv_hi0_64(Z3_context z) { return udiv_hi0(z, 64); }
static Z3_ast l_udiv_hi0_32(Z3_context z) { return udiv_hi0(z, 32); }

/* div's #DE "quotient too large for w bits" is hi >= b (b != 0). */
static Z3_ast udiv_ovf(Z3_context z, unsigned w)
{
	Z3_ast h = var(z, "h", w), a = var(z, "a", w), b = var(z, "b", w);
	Z3_ast q = Z3_mk_bvudiv(z, Z3_mk_concat(z, h, a), zx(z, 2 * w, b));
	return imp(z, nz(z, b), eq(z, nz(z, ext(z, 2 * w - 1, w, q)), Z3_mk_bvuge(z, h, b)));
}
static Z3_ast l_udiv_ovf_32(Z3_context z) { return udiv_ovf(z, 32); }
static Z3_ast l_udiv_ovf_64(Z3_context z) { return udiv_ovf(z, 64); }

/* cqo/cdq: the sign fill bvashr(a, w-1) above a is the sign extension of a. */
static Z3_ast sign_fill(Z3_context z, unsigned w)
{
	Z3_ast a = var(z, "a", w);
	return eq(z, Z3_mk_concat(z, Z3_mk_bvashr(z, a, bvn(z, w, w - 1)), a), sx(z, 2 * w, a));
}
static Z3_ast l_fill_64(Z3_context z) { return sign_fill(z, 64); }
static Z3_ast l_fill_32(Z3_context z) { return sign_fill(z, 32); }

/* SMT-LIB's definition of bvsdiv (rem = false) and bvsrem (rem = true) through bvudiv/bvurem on
 * magnitudes, spelled out so that 2w-bit and w-bit divisions can be matched structurally. */
static Z3_ast sdiv_def(Z3_context z, Z3_ast s, Z3_ast t, bool rem)
{
	Z3_ast ns = Z3_mk_bvslt(z, s, bvn(z, bvw(z, s), 0)), nt = Z3_mk_bvslt(z, t, bvn(z, bvw(z, t), 0));
	Z3_ast as = Z3_mk_ite(z, ns, Z3_mk_bvneg(z, s), s), at = Z3_mk_ite(z, nt, Z3_mk_bvneg(z, t), t);
	Z3_ast u = rem ? Z3_mk_bvurem(z, as, at) : Z3_mk_bvudiv(z, as, at);
	Z3_ast neg = rem ? ns : Z3_mk_xor(z, ns, nt);
	return Z3_mk_ite(z, neg, Z3_mk_bvneg(z, u), u);
}

/* The transcription above is Z3's bvsdiv/bvsrem. */
static Z3_ast sdiv_is_def(Z3_context z, unsigned w)
{
	Z3_ast a = var(z, "a", w), b = var(z, "b", w);
	return imp(z, nz(z, b), and2(z, eq(z, Z3_mk_bvsdiv(z, a, b), sdiv_def(z, a, b, false)),
				     eq(z, Z3_mk_bvsrem(z, a, b), sdiv_def(z, a, b, true))));
}
static Z3_ast l_sdef_16(Z3_context z) { return sdiv_is_def(z, 16); }
static Z3_ast l_sdef_64(Z3_context z) { return sdiv_is_def(z, 64); }

static Z3_ast mag(Z3_context z, Z3_ast s)
{
	return Z3_mk_ite(z, Z3_mk_bvslt(z, s, bvn(z, bvw(z, s), 0)), Z3_mk_bvneg(z, s), s);
}

/* idiv step 1: the 2w-bit magnitude of sext(a) is the zero-extended w-bit magnitude of a. */
static Z3_ast mag_sext(Z3_context z, unsigned w)
{
	Z3_ast a = var(z, "a", w);
	return eq(z, mag(z, sx(z, 2 * w, a)), zx(z, 2 * w, mag(z, a)));
}
static Z3_ast l_mag_64(Z3_context z) { return mag_sext(z, 64); }
static Z3_ast l_mag_32(Z3_context z) { return mag_sext(z, 32); }

/* idiv step 2: 2w-bit bvudiv/bvurem of zero-extended operands is the zero-extended w-bit one. */
static Z3_ast udiv_zext(Z3_context z, unsigned w)
{
	Z3_ast a = var(z, "a", w), b = var(z, "b", w);
	Z3_ast n = zx(z, 2 * w, a), d = zx(z, 2 * w, b);
	return imp(z, nz(z, b), and2(z, eq(z, Z3_mk_bvudiv(z, n, d), zx(z, 2 * w, Z3_mk_bvudiv(z, a, b))),
				     eq(z, Z3_mk_bvurem(z, n, d), zx(z, 2 * w, Z3_mk_bvurem(z, a, b)))));
}
static Z3_ast l_udz_64(Z3_context z) { return udiv_zext(z, 64); }
static Z3_ast l_udz_32(Z3_context z) { return udiv_zext(z, 32); }

/* idiv of a sign-extended dividend: #DE iff b = 0 or (a = MIN, b = -1); otherwise the 2w-bit
 * quotient/remainder truncate to w-bit bvsdiv/bvsrem. Direct form (small widths), or (step 3)
 * with the 2w-bit sdiv-def already rewritten by steps 1 and 2 (w-bit bvudiv on both sides). */
static Z3_ast sdiv_sext(Z3_context z, unsigned w, bool stepped)
{
	Z3_ast a = var(z, "a", w), b = var(z, "b", w);
	Z3_ast q2, r2, q1, r1;
	if (stepped) {
		Z3_ast ns = Z3_mk_bvslt(z, a, bvn(z, w, 0)), nt = Z3_mk_bvslt(z, b, bvn(z, w, 0));
		Z3_ast u = zx(z, 2 * w, Z3_mk_bvudiv(z, mag(z, a), mag(z, b)));
		Z3_ast r = zx(z, 2 * w, Z3_mk_bvurem(z, mag(z, a), mag(z, b)));
		q2 = Z3_mk_ite(z, Z3_mk_xor(z, ns, nt), Z3_mk_bvneg(z, u), u);
		r2 = Z3_mk_ite(z, ns, Z3_mk_bvneg(z, r), r);
		q1 = sdiv_def(z, a, b, false);
		r1 = sdiv_def(z, a, b, true);
	} else {
		Z3_ast n = sx(z, 2 * w, a), d = sx(z, 2 * w, b);
		q2 = Z3_mk_bvsdiv(z, n, d);
		r2 = Z3_mk_bvsrem(z, n, d);
		q1 = Z3_mk_bvsdiv(z, a, b);
		r1 = Z3_mk_bvsrem(z, a, b);
	}
	Z3_ast q = ext(z, w - 1, 0, q2);
	Z3_ast ovf = and2(z, eq(z, a, bvn(z, w, 1ull << (w - 1))), eq(z, b, bvn(z, w, ones(w))));
	Z3_ast de_sdm = Z3_mk_not(z, eq(z, sx(z, 2 * w, q), q2));
	Z3_ast ok = and2(z, eq(z, q, q1), eq(z, ext(z, w - 1, 0, r2), r1));
	return imp(z, nz(z, b), and2(z, eq(z, de_sdm, ovf), imp(z, Z3_mk_not(z, ovf), ok)));
}
static Z3_ast l_sdiv_8(Z3_context z) { return sdiv_sext(z, 8, false); }
static Z3_ast l_sdiv_32(Z3_context z) { return sdiv_sext(z, 32, true); }
static Z3_ast l_sdiv_64(Z3_context z) { return sdiv_sext(z, 64, true); }

/* mul/imul: the low half of the 2w-bit product is the w-bit bvmul. */
static Z3_ast l_mul_lo(Z3_context z)
{
	Z3_ast a = var(z, "a", 64), b = var(z, "b", 64), m = Z3_mk_bvmul(z, a, b);
	return and2(z, eq(z, ext(z, 63, 0, Z3_mk_bvmul(z, zx(z, 128, a), zx(z, 128, b))), m),
		    eq(z, ext(z, 63, 0, Z3_mk_bvmul(z, sx(z, 128, a), sx(z, 128, b))), m));
}

/* add: the carry out of bit w-1 is bvult(a + b, a). */
static Z3_ast l_add_carry(Z3_context z)
{
	Z3_ast a = var(z, "a", 64), b = var(z, "b", 64);
	Z3_ast wide = Z3_mk_bvadd(z, zx(z, 65, a), zx(z, 65, b));
	return eq(z, ext(z, 64, 64, wide), b2v(z, Z3_mk_bvult(z, Z3_mk_bvadd(z, a, b), a)));
}

/* sub/cmp: the borrow into bit w is bvult(a, b). */
static Z3_ast l_sub_borrow(Z3_context z)
{
	Z3_ast a = var(z, "a", 64), b = var(z, "b", 64);
	Z3_ast wide = Z3_mk_bvsub(z, zx(z, 65, a), zx(z, 65, b));
	return eq(z, ext(z, 64, 64, wide), b2v(z, Z3_mk_bvult(z, a, b)));
}

/* rol/ror by the masked count c are ext_rotate_left/right: (a << c) | (a >> (w - c)). */
static Z3_ast rot(Z3_context z, bool left)
{
	Z3_ast a = var(z, "a", 64), c = Z3_mk_bvand(z, var(z, "c", 64), bvn(z, 64, 63));
	Z3_ast back = Z3_mk_bvsub(z, bvn(z, 64, 64), c);
	Z3_ast def = left ? Z3_mk_bvor(z, Z3_mk_bvshl(z, a, c), Z3_mk_bvlshr(z, a, back))
			  : Z3_mk_bvor(z, Z3_mk_bvlshr(z, a, c), Z3_mk_bvshl(z, a, back));
	return eq(z, left ? Z3_mk_ext_rotate_left(z, a, c) : Z3_mk_ext_rotate_right(z, a, c), def);
}
static Z3_ast l_rol(Z3_context z) { return rot(z, true); }
static Z3_ast l_ror(Z3_context z) { return rot(z, false); }

const lift_lemma lift_lemmas[] = {
	{ "div-hi0-64", "div r64 with rdx = 0: rax, rdx = bvudiv, bvurem of rax (128/64 → 64/64)", l_udiv_hi0_64, false },
	{ "div-hi0-32", "div r32 with edx = 0: eax, edx = bvudiv, bvurem of eax", l_udiv_hi0_32, false },
	{ "div-de-32", "div r32 quotient overflow (#DE) iff edx >= divisor", l_udiv_ovf_32, false },
	{ "div-de-64", "div r64 quotient overflow (#DE) iff rdx >= divisor", l_udiv_ovf_64, false },
	{ "sign-fill-64", "cqo: rdx:rax = concat(bvashr(rax, 63), rax) is sext(rax)", l_fill_64, false },
	{ "sign-fill-32", "cdq: edx:eax = concat(bvashr(eax, 31), eax) is sext(eax)", l_fill_32, false },
	{ "sdiv-def-16", "bvsdiv/bvsrem are SMT-LIB's sign-corrected bvudiv/bvurem of magnitudes (16 bits)", l_sdef_16, true },
	{ "sdiv-def-64", "bvsdiv/bvsrem are SMT-LIB's sign-corrected bvudiv/bvurem of magnitudes (64 bits)", l_sdef_64, true },
	{ "idiv-mag-32", "idiv step 1: |sext64(a)| = zext(|a|) for a 32-bit a", l_mag_32, false },
	{ "idiv-mag-64", "idiv step 1: |sext128(a)| = zext(|a|) for a 64-bit a", l_mag_64, false },
	{ "idiv-udiv-32", "idiv step 2: 64-bit bvudiv/bvurem of zero-extended 32-bit operands (b != 0)", l_udz_32, false },
	{ "idiv-udiv-64", "idiv step 2: 128-bit bvudiv/bvurem of zero-extended 64-bit operands (b != 0)", l_udz_64, false },
	{ "idiv-sext-8", "idiv of a sign-extended 8-bit dividend is bvsdiv/bvsrem, #DE iff b=0 or MIN/-1 (direct form)", l_sdiv_8, false },
	{ "idiv-sext-32", "idiv step 3: idiv r32 after cdq (sdiv-def + steps 1-2) is bvsdiv/bvsrem, #DE iff b=0 or MIN/-1", l_sdiv_32, false },
	{ "idiv-sext-64", "idiv step 3: idiv r64 after cqo (sdiv-def + steps 1-2) is bvsdiv/bvsrem, #DE iff b=0 or MIN/-1", l_sdiv_64, false },
	{ "mul-lo-64", "low half of the 128-bit (zero- or sign-extended) product is bvmul", l_mul_lo, false },
	{ "add-carry-64", "CF of add (carry out) is bvult(a + b, a)", l_add_carry, false },
	{ "sub-borrow-64", "CF of sub/cmp (borrow) is bvult(a, b)", l_sub_borrow, false },
	{ "rol-64", "rol by masked count is ext_rotate_left", l_rol, false },
	{ "ror-64", "ror by masked count is ext_rotate_right", l_ror, false },
};
const size_t lift_nlemmas = sizeof lift_lemmas / sizeof lift_lemmas[0];
