/* validator/lemmas.c: the lemma chain behind rewrite.c's rewrite of a signed × unsigned high product,
 *   R:  extract[127:64](sext64(a) * zext64(b))  →  extract[127:64](zext64(a) * zext64(b)) - ite(a <s 0, b, 0)
 * which Z3 does not prove in one query. Each lemma below is cheap for Z3 on its own; R follows
 * from them by substitution of equals (K = 1 << 64, c = a <s 0, all products 128-bit):
 *   extract[127:64](sext(a) * zext(b))
 *   = extract[127:64]((zext(a) - ite(c, K, 0)) * zext(b))                      sext-as-zext
 *   = extract[127:64](zext(a) * zext(b) - ite(c, K, 0) * zext(b))              mul-sub-distrib
 *   = extract[127:64](zext(a) * zext(b) - ite(c, zext(b) << 64, 0))            mul-ite-shift
 *   = extract[127:64](zext(a) * zext(b)) - ite(c, extract[63:0](zext(b)), 0)   hi-sub-ite
 *   = extract[127:64](zext(a) * zext(b)) - ite(c, b, 0)                        lo-zext
 * and the swapped factor order zext(b) * sext(a) first goes through mul-comm.
 * tv_lemmas_mulhsu_chain replays these steps on terms so the test checks the composition too. */
#include "validator/lemmas.h"

typedef struct sides {
	Z3_ast lhs, rhs;
} sides;

static Z3_ast var(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, w));
}
static Z3_ast num(Z3_context z, const char *dec, unsigned w)
{
	return Z3_mk_numeral(z, dec, Z3_mk_bv_sort(z, w));
}
static Z3_ast k64(Z3_context z) { return num(z, "18446744073709551616", 128); } /* 1 << 64 */
static Z3_ast hi(Z3_context z, Z3_ast t) { return Z3_mk_extract(z, 127, 64, t); }
static Z3_ast lo(Z3_context z, Z3_ast t) { return Z3_mk_extract(z, 63, 0, t); }
static Z3_ast zx(Z3_context z, Z3_ast a) { return Z3_mk_zero_ext(z, 64, a); }
static Z3_ast neg(Z3_context z, Z3_ast a) { return Z3_mk_bvslt(z, a, num(z, "0", 64)); }
static Z3_ast stmt(Z3_context z, sides s) { return Z3_mk_eq(z, s.lhs, s.rhs); }

/* bvmul is commutative (128-bit x, y). */
static sides mul_comm(Z3_context z, Z3_ast x, Z3_ast y)
{
	return (sides){ Z3_mk_bvmul(z, x, y), Z3_mk_bvmul(z, y, x) };
}

/* sext64(a) = zext64(a) - ite(a <s 0, 1 << 64, 0) (64-bit a). */
static sides sext_as_zext(Z3_context z, Z3_ast a)
{
	Z3_ast fix = Z3_mk_ite(z, neg(z, a), k64(z), num(z, "0", 128));
	return (sides){ Z3_mk_sign_ext(z, 64, a), Z3_mk_bvsub(z, zx(z, a), fix) };
}

/* (x - y) * w = x * w - y * w (128-bit x, y, w). */
static sides mul_sub_distrib(Z3_context z, Z3_ast x, Z3_ast y, Z3_ast w)
{
	return (sides){ Z3_mk_bvmul(z, Z3_mk_bvsub(z, x, y), w),
			Z3_mk_bvsub(z, Z3_mk_bvmul(z, x, w), Z3_mk_bvmul(z, y, w)) };
}

/* ite(c, 1 << 64, 0) * zext64(b) = ite(c, zext64(b) << 64, 0) (Bool c, 64-bit b). */
static sides mul_ite_shift(Z3_context z, Z3_ast c, Z3_ast b)
{
	Z3_ast zero = num(z, "0", 128);
	return (sides){ Z3_mk_bvmul(z, Z3_mk_ite(z, c, k64(z), zero), zx(z, b)),
			Z3_mk_ite(z, c, Z3_mk_bvshl(z, zx(z, b), num(z, "64", 128)), zero) };
}

/* extract[127:64](x - ite(c, y << 64, 0)) = extract[127:64](x) - ite(c, extract[63:0](y), 0)
 * (128-bit x, y, Bool c): subtracting a multiple of 2^64 borrows nothing from the low half. */
static sides hi_sub_ite(Z3_context z, Z3_ast x, Z3_ast y, Z3_ast c)
{
	Z3_ast sh = Z3_mk_ite(z, c, Z3_mk_bvshl(z, y, num(z, "64", 128)), num(z, "0", 128));
	return (sides){ hi(z, Z3_mk_bvsub(z, x, sh)),
			Z3_mk_bvsub(z, hi(z, x), Z3_mk_ite(z, c, lo(z, y), num(z, "0", 64))) };
}

/* extract[63:0](zext64(b)) = b (64-bit b). */
static sides lo_zext(Z3_context z, Z3_ast b) { return (sides){ lo(z, zx(z, b)), b }; }

static Z3_ast l_mul_comm(Z3_context z) { return stmt(z, mul_comm(z, var(z, "x", 128), var(z, "y", 128))); }
static Z3_ast l_sext(Z3_context z) { return stmt(z, sext_as_zext(z, var(z, "a", 64))); }
static Z3_ast l_distrib(Z3_context z)
{
	return stmt(z, mul_sub_distrib(z, var(z, "x", 128), var(z, "y", 128), var(z, "w", 128)));
}
static Z3_ast l_ite_shift(Z3_context z)
{
	return stmt(z, mul_ite_shift(z, Z3_mk_const(z, Z3_mk_string_symbol(z, "c"), Z3_mk_bool_sort(z)),
				     var(z, "b", 64)));
}
static Z3_ast l_hi_sub(Z3_context z)
{
	return stmt(z, hi_sub_ite(z, var(z, "x", 128), var(z, "y", 128),
				  Z3_mk_const(z, Z3_mk_string_symbol(z, "c"), Z3_mk_bool_sort(z))));
}
static Z3_ast l_lo_zext(Z3_context z) { return stmt(z, lo_zext(z, var(z, "b", 64))); }

const tv_lemma tv_lemmas[] = {
	{ "mul-comm", "x * y = y * x (128-bit)", l_mul_comm },
	{ "sext-as-zext", "sext64(a) = zext64(a) - ite(a <s 0, 1 << 64, 0)", l_sext },
	{ "mul-sub-distrib", "(x - y) * w = x * w - y * w (128-bit)", l_distrib },
	{ "mul-ite-shift", "ite(c, 1 << 64, 0) * zext64(b) = ite(c, zext64(b) << 64, 0)", l_ite_shift },
	{ "hi-sub-ite", "extract[127:64](x - ite(c, y << 64, 0)) = extract[127:64](x) - ite(c, extract[63:0](y), 0)",
	  l_hi_sub },
	{ "lo-zext", "extract[63:0](zext64(b)) = b", l_lo_zext },
};
const size_t tv_nlemmas = sizeof tv_lemmas / sizeof tv_lemmas[0];

static Z3_ast step(Z3_context z, Z3_ast t, sides s) { return Z3_substitute(z, t, 1, &s.lhs, &s.rhs); }

Z3_ast tv_lemmas_mulhsu_chain(Z3_context z, Z3_ast t, Z3_ast a, Z3_ast b)
{
	Z3_ast sa = Z3_mk_sign_ext(z, 64, a), za = zx(z, a), zb = zx(z, b), c = neg(z, a);
	Z3_ast fix = Z3_mk_ite(z, c, k64(z), num(z, "0", 128));
	t = step(z, t, mul_comm(z, zb, sa));
	t = step(z, t, sext_as_zext(z, a));
	t = step(z, t, mul_sub_distrib(z, za, fix, zb));
	t = step(z, t, mul_ite_shift(z, c, b));
	t = step(z, t, hi_sub_ite(z, Z3_mk_bvmul(z, za, zb), zb, c));
	return step(z, t, lo_zext(z, b));
}
