/* lifter/sem.c: x86-64 instruction semantics, per the Intel SDM vol. 2, one handler per family.
 * Flags that the SDM leaves undefined become fresh constants ("undef_*"). Flag values are
 * computed from the operands and result, never taken from Capstone's eflags table.
 * Canonical forms (each a lemma in lemmas.c): carries as bvult, div/idiv as bvudiv/bvsdiv when the
 * high half is zero / the sign fill of the low half, rotates as ext_rotate. */
#include <assert.h>
#include "internal.h"

enum { CF = LIFT_CF, PF = LIFT_PF, AF = LIFT_AF, ZF = LIFT_ZF, SF = LIFT_SF, OF = LIFT_OF };
#define FL(f) (1u << (f))

static Z3_ast msb(Z3_context z, Z3_ast a) { unsigned w = bvw(z, a); return ext(z, w - 1, w - 1, a); }
static Z3_ast bit(Z3_context z, Z3_ast a, unsigned i) { return ext(z, i, i, a); }
static Z3_ast bxor(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_bvxor(z, a, b); }
static Z3_ast band(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_bvand(z, a, b); }
static Z3_ast eqn(Z3_context z, Z3_ast a, uint64_t v) { return Z3_mk_eq(z, a, bvn(z, bvw(z, a), v)); }
static Z3_ast isz(Z3_context z, Z3_ast a) { return eqn(z, a, 0); }

/* PF: 1 when the low byte of r has an even number of set bits. */
static Z3_ast parity(Z3_context z, Z3_ast r)
{
	Z3_ast p = bit(z, r, 0);
	for (unsigned i = 1; i < 8; i++) p = bxor(z, p, bit(z, r, i));
	return Z3_mk_bvnot(z, p);
}

static void flags_szp(lx *x, Z3_ast r)
{
	set_flag(x, ZF, b2v(x->z, isz(x->z, r)));
	set_flag(x, SF, msb(x->z, r));
	set_flag(x, PF, parity(x->z, r));
}

static bool is_reg(lx *x, int i) { return x->d->operands[i].type == X86_OP_REG; }
static bool is_rm(lx *x, int i) { return x->d->operands[i].type == X86_OP_REG || x->d->operands[i].type == X86_OP_MEM; }
static lift_err unsup(lx *x) { return fail(x, LIFT_EUNSUPPORTED, "unsupported operand form"); }
static void fall(lx *x) { succ_add(x, SUCC_GOTO, NULL, x->next, NULL, &x->s); }

/* ---- condition codes ---- */

enum cc { CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A, CC_S, CC_NS, CC_P, CC_NP,
	  CC_L, CC_GE, CC_LE, CC_G };

static Z3_ast cc_cond(lx *x, int c)
{
	Z3_context z = x->z;
	Z3_ast cf = v2b(z, x->s.flag[CF]), zf = v2b(z, x->s.flag[ZF]), of = v2b(z, x->s.flag[OF]);
	Z3_ast sf = v2b(z, x->s.flag[SF]), pf = v2b(z, x->s.flag[PF]);
	Z3_ast lt = Z3_mk_not(z, Z3_mk_eq(z, sf, of));
	Z3_ast r;
	switch (c & ~1) {
	case CC_O: r = of; break;
	case CC_B: r = cf; break;
	case CC_E: r = zf; break;
	case CC_BE: r = or2(z, cf, zf); break;
	case CC_S: r = sf; break;
	case CC_P: r = pf; break;
	case CC_L: r = lt; break;
	default: r = or2(z, zf, lt); break; /* CC_LE */
	}
	return simp(x->lc, c & 1 ? Z3_mk_not(z, r) : r);
}

/* ---- data movement ---- */

static lift_err h_mov(lx *x, int arg)
{
	if (x->d->op_count != 2 || !is_rm(x, 0)) return unsup(x);
	op_write(x, 0, op_read(x, 1, op_width(x, 0)));
	fall(x);
	return LIFT_OK;
}

/* arg: 0 movzx, 1 movsx/movsxd */
static lift_err h_movx(lx *x, int arg)
{
	if (x->d->op_count != 2 || !is_reg(x, 0)) return unsup(x);
	Z3_ast v = op_read(x, 1, op_width(x, 1));
	unsigned w = op_width(x, 0);
	op_write(x, 0, arg ? sx(x->z, w, v) : zx(x->z, w, v));
	fall(x);
	return LIFT_OK;
}

static lift_err h_lea(lx *x, int arg)
{
	if (x->d->op_count != 2 || !is_reg(x, 0) || x->d->operands[1].type != X86_OP_MEM) return unsup(x);
	op_write(x, 0, zx(x->z, op_width(x, 0), op_addr(x, 1)));
	fall(x);
	return LIFT_OK;
}

static lift_err h_xchg(lx *x, int arg)
{
	if (x->d->op_count != 2 || !is_rm(x, 0) || !is_rm(x, 1)) return unsup(x);
	unsigned w = op_width(x, 0);
	Z3_ast a = op_read(x, 0, w), b = op_read(x, 1, w);
	op_write(x, 0, b);
	op_write(x, 1, a);
	fall(x);
	return LIFT_OK;
}

static lift_err h_push(lx *x, int arg)
{
	Z3_context z = x->z;
	if (x->d->op_count != 1 || (x->d->operands[0].type != X86_OP_IMM && op_width(x, 0) != 64)) return unsup(x);
	Z3_ast v = op_read(x, 0, 64);
	Z3_ast sp = simp(x->lc, Z3_mk_bvsub(z, x->s.gpr[LIFT_RSP], bvn(z, 64, 8)));
	x->s.gpr[LIFT_RSP] = sp;
	mem_wr(x, sp, v);
	fall(x);
	return LIFT_OK;
}

static lift_err h_pop(lx *x, int arg)
{
	Z3_context z = x->z;
	if (x->d->op_count != 1 || !is_rm(x, 0) || op_width(x, 0) != 64) return unsup(x);
	Z3_ast sp = x->s.gpr[LIFT_RSP];
	Z3_ast v = mem_rd(x, sp, 8);
	x->s.gpr[LIFT_RSP] = simp(x->lc, Z3_mk_bvadd(z, sp, bvn(z, 64, 8)));
	op_write(x, 0, v);
	fall(x);
	return LIFT_OK;
}

/* arg: 0 cdq, 1 cqo, 2 cdqe, 3 cwde */
static lift_err h_conv(lx *x, int arg)
{
	Z3_context z = x->z;
	switch (arg) {
	case 0: reg_set(x, LIFT_RDX, 32, Z3_mk_bvashr(z, reg_get(x, LIFT_RAX, 32), bvn(z, 32, 31))); break;
	case 1: reg_set(x, LIFT_RDX, 64, Z3_mk_bvashr(z, reg_get(x, LIFT_RAX, 64), bvn(z, 64, 63))); break;
	case 2: reg_set(x, LIFT_RAX, 64, sx(z, 64, reg_get(x, LIFT_RAX, 32))); break;
	default: reg_set(x, LIFT_RAX, 32, sx(z, 32, reg_get(x, LIFT_RAX, 16))); break;
	}
	fall(x);
	return LIFT_OK;
}

static lift_err h_nop(lx *x, int arg)
{
	fall(x);
	return LIFT_OK;
}

/* ---- arithmetic and logic ---- */

enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST };

static lift_err h_alu(lx *x, int op)
{
	Z3_context z = x->z;
	if (x->d->op_count != 2 || !is_rm(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	Z3_ast a = op_read(x, 0, w), b = op_read(x, 1, w), r;
	Z3_ast cin = zx(z, w, x->s.flag[CF]), cin1 = zx(z, w + 1, x->s.flag[CF]);
	Z3_ast cf, of, af = NULL;
	switch (op) {
	case A_ADD:
	case A_ADC:
		r = Z3_mk_bvadd(z, a, b);
		if (op == A_ADC) {
			r = Z3_mk_bvadd(z, r, cin);
			Z3_ast wide = Z3_mk_bvadd(z, Z3_mk_bvadd(z, zx(z, w + 1, a), zx(z, w + 1, b)), cin1);
			cf = ext(z, w, w, wide);
		} else {
			cf = b2v(z, Z3_mk_bvult(z, r, a));
		}
		of = msb(z, band(z, bxor(z, a, r), bxor(z, b, r)));
		af = bit(z, bxor(z, bxor(z, a, b), r), 4);
		break;
	case A_SUB:
	case A_CMP:
	case A_SBB:
		r = Z3_mk_bvsub(z, a, b);
		if (op == A_SBB) {
			r = Z3_mk_bvsub(z, r, cin);
			cf = b2v(z, Z3_mk_bvult(z, zx(z, w + 1, a), Z3_mk_bvadd(z, zx(z, w + 1, b), cin1)));
		} else {
			cf = b2v(z, Z3_mk_bvult(z, a, b));
			if (x->lc->brk & BRK_SUB_CF) cf = Z3_mk_bvnot(z, cf);
		}
		of = msb(z, band(z, bxor(z, a, b), bxor(z, a, r)));
		af = bit(z, bxor(z, bxor(z, a, b), r), 4);
		break;
	default:
		r = op == A_OR ? Z3_mk_bvor(z, a, b) : op == A_XOR ? bxor(z, a, b) : band(z, a, b);
		cf = of = bvn(z, 1, 0);
		break;
	}
	r = simp(x->lc, r);
	set_flag(x, CF, cf);
	set_flag(x, OF, of);
	if (af) set_flag(x, AF, af);
	else undef_flags(x, FL(AF));
	flags_szp(x, r);
	if (op != A_CMP && op != A_TEST) op_write(x, 0, r);
	fall(x);
	return LIFT_OK;
}

enum { U_NOT, U_NEG, U_INC, U_DEC };

static lift_err h_unary(lx *x, int op)
{
	Z3_context z = x->z;
	if (x->d->op_count != 1 || !is_rm(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	Z3_ast a = op_read(x, 0, w), r;
	uint64_t min = 1ull << (w - 1);
	switch (op) {
	case U_NOT:
		op_write(x, 0, Z3_mk_bvnot(z, a));
		fall(x);
		return LIFT_OK;
	case U_NEG:
		r = simp(x->lc, Z3_mk_bvneg(z, a));
		set_flag(x, CF, b2v(z, Z3_mk_not(z, isz(z, a))));
		set_flag(x, OF, b2v(z, eqn(z, a, min)));
		set_flag(x, AF, bit(z, bxor(z, a, r), 4));
		break;
	default:
		r = simp(x->lc, op == U_INC ? Z3_mk_bvadd(z, a, bvn(z, w, 1)) : Z3_mk_bvsub(z, a, bvn(z, w, 1)));
		set_flag(x, OF, b2v(z, eqn(z, op == U_INC ? r : a, min)));
		set_flag(x, AF, bit(z, bxor(z, bxor(z, a, bvn(z, w, 1)), r), 4));
		break;
	}
	flags_szp(x, r);
	op_write(x, 0, r);
	fall(x);
	return LIFT_OK;
}

/* arg: 0 mul, 1 imul. One operand: rdx:rax = rax * src. Two/three operands: imul dst = a * b. */
static lift_err h_mul(lx *x, int sign)
{
	Z3_context z = x->z;
	int n = x->d->op_count;
	unsigned w = op_width(x, 0);
	Z3_ast low; /* the low product (the break rule imul-sf defines SF from it) */
	if (n == 1) {
		if (w < 32 || !is_rm(x, 0)) return unsup(x);
		Z3_ast a = reg_get(x, LIFT_RAX, w), b = op_read(x, 0, w);
		Z3_ast lo = low = Z3_mk_bvmul(z, a, b);
		Z3_ast full = sign ? Z3_mk_bvmul(z, sx(z, 2 * w, a), sx(z, 2 * w, b))
				   : Z3_mk_bvmul(z, zx(z, 2 * w, a), zx(z, 2 * w, b));
		Z3_ast hi = ext(z, 2 * w - 1, w, full);
		Z3_ast ovf = sign ? Z3_mk_not(z, Z3_mk_eq(z, full, sx(z, 2 * w, lo))) : Z3_mk_not(z, isz(z, hi));
		reg_set(x, LIFT_RAX, w, simp(x->lc, lo));
		reg_set(x, LIFT_RDX, w, simp(x->lc, hi));
		set_flag(x, CF, b2v(z, ovf));
		set_flag(x, OF, x->s.flag[CF]);
	} else {
		if (!sign || !is_reg(x, 0) || w < 16) return unsup(x);
		Z3_ast a = op_read(x, n == 3 ? 1 : 0, w), b = op_read(x, n == 3 ? 2 : 1, w);
		Z3_ast lo = low = simp(x->lc, Z3_mk_bvmul(z, a, b));
		Z3_ast full = Z3_mk_bvmul(z, sx(z, 2 * w, a), sx(z, 2 * w, b));
		set_flag(x, CF, b2v(z, Z3_mk_not(z, Z3_mk_eq(z, full, sx(z, 2 * w, lo)))));
		set_flag(x, OF, x->s.flag[CF]);
		op_write(x, 0, lo);
	}
	undef_flags(x, FL(SF) | FL(ZF) | FL(AF) | FL(PF));
	if (sign && (x->lc->brk & BRK_IMUL_SF)) set_flag(x, SF, msb(z, simp(x->lc, low)));
	fall(x);
	return LIFT_OK;
}

/* arg: 0 div, 1 idiv. Dividend rdx:rax (edx:eax). #DE (divisor 0 or quotient overflow) is an exit.
 * Canonical: high half 0 → bvudiv/bvurem of the low half; high half the sign fill of the low
 * half (cqo/cdq) → bvsdiv/bvsrem with #DE = b = 0 or (a = MIN and b = -1). */
static lift_err h_div(lx *x, int sign)
{
	Z3_context z = x->z;
	if (x->d->op_count != 1 || !is_rm(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	if (w < 32) return unsup(x);
	Z3_ast lo = reg_get(x, LIFT_RAX, w), hi = reg_get(x, LIFT_RDX, w), b = op_read(x, 0, w);
	Z3_ast q, r, de;
	Z3_ast bz = isz(z, b);
	uint64_t hv;
	Z3_ast fill = simp(x->lc, Z3_mk_bvashr(z, lo, bvn(z, w, w - 1)));
	if (!sign && is_num(z, hi, &hv) && hv == 0) {
		q = Z3_mk_bvudiv(z, lo, b);
		r = Z3_mk_bvurem(z, lo, b);
		de = bz;
	} else if (sign && Z3_is_eq_ast(z, hi, fill)) {
		q = Z3_mk_bvsdiv(z, lo, b);
		r = Z3_mk_bvsrem(z, lo, b);
		de = or2(z, bz, and2(z, eqn(z, lo, 1ull << (w - 1)), eqn(z, b, w == 64 ? ~0ull : (1ull << w) - 1)));
	} else {
		Z3_ast n = Z3_mk_concat(z, hi, lo);
		Z3_ast q2 = sign ? Z3_mk_bvsdiv(z, n, sx(z, 2 * w, b)) : Z3_mk_bvudiv(z, n, zx(z, 2 * w, b));
		Z3_ast r2 = sign ? Z3_mk_bvsrem(z, n, sx(z, 2 * w, b)) : Z3_mk_bvurem(z, n, zx(z, 2 * w, b));
		q = ext(z, w - 1, 0, q2);
		r = ext(z, w - 1, 0, r2);
		de = or2(z, bz, sign ? Z3_mk_not(z, Z3_mk_eq(z, sx(z, 2 * w, q), q2)) : Z3_mk_bvuge(z, hi, b));
		if (x->lc->brk & BRK_DIV_DE) de = bz;
	}
	de = simp(x->lc, de);
	succ_add(x, LIFT_EXIT_DE, de, x->in->address, NULL, &x->pre);
	reg_set(x, LIFT_RAX, w, simp(x->lc, q));
	reg_set(x, LIFT_RDX, w, simp(x->lc, r));
	undef_flags(x, FL(CF) | FL(PF) | FL(AF) | FL(ZF) | FL(SF) | FL(OF));
	succ_add(x, SUCC_GOTO, simp(x->lc, Z3_mk_not(z, de)), x->next, NULL, &x->s);
	return LIFT_OK;
}

/* ---- shifts and rotates ---- */

enum { S_SHL, S_SHR, S_SAR, S_ROL, S_ROR };

static Z3_ast shift_op(Z3_context z, int op, Z3_ast a, Z3_ast c)
{
	switch (op) {
	case S_SHL: return Z3_mk_bvshl(z, a, c);
	case S_SHR: return Z3_mk_bvlshr(z, a, c);
	case S_SAR: return Z3_mk_bvashr(z, a, c);
	case S_ROL: return Z3_mk_ext_rotate_left(z, a, c);
	default: return Z3_mk_ext_rotate_right(z, a, c);
	}
}

/* Flags change only for a nonzero masked count; OF is defined only for count 1. */
static lift_err h_shift(lx *x, int op)
{
	Z3_context z = x->z;
	int n = x->d->op_count;
	if (n < 1 || n > 2 || !is_rm(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	if (w < 32) return unsup(x);
	Z3_ast a = op_read(x, 0, w);
	Z3_ast c8 = n == 1 ? bvn(z, 8, 1) : op_read(x, 1, 8);
	Z3_ast c = simp(x->lc, zx(z, w, band(z, c8, bvn(z, 8, w - 1))));
	Z3_ast r = simp(x->lc, shift_op(z, op, a, c));
	Z3_ast one = bvn(z, w, 1);
	Z3_ast cf, of1;
	switch (op) {
	case S_SHL:
		cf = ext(z, 0, 0, Z3_mk_bvlshr(z, a, Z3_mk_bvsub(z, bvn(z, w, w), c)));
		of1 = bxor(z, msb(z, r), cf);
		if (x->lc->brk & BRK_SHL_OF) of1 = Z3_mk_bvnot(z, of1);
		break;
	case S_SHR:
		cf = ext(z, 0, 0, Z3_mk_bvlshr(z, a, Z3_mk_bvsub(z, c, one)));
		of1 = msb(z, a);
		break;
	case S_SAR:
		cf = ext(z, 0, 0, Z3_mk_bvashr(z, a, Z3_mk_bvsub(z, c, one)));
		of1 = bvn(z, 1, 0);
		break;
	case S_ROL:
		cf = ext(z, 0, 0, r);
		of1 = bxor(z, msb(z, r), cf);
		break;
	default:
		cf = msb(z, r);
		of1 = bxor(z, msb(z, r), bit(z, r, w - 2));
		break;
	}
	Z3_ast c0 = isz(z, c), c1 = eqn(z, c, 1);
	Z3_ast f[LIFT_NFLAG] = { 0 };
	f[CF] = cf;
	f[OF] = Z3_mk_ite(z, c1, of1, fresh(x->lc, "of", 1));
	if (op <= S_SAR) {
		f[ZF] = b2v(z, isz(z, r));
		f[SF] = msb(z, r);
		f[PF] = parity(z, r);
		f[AF] = fresh(x->lc, "af", 1);
	}
	for (int i = 0; i < LIFT_NFLAG; i++)
		if (f[i]) set_flag(x, i, Z3_mk_ite(z, c0, x->s.flag[i], f[i]));
	op_write(x, 0, r);
	fall(x);
	return LIFT_OK;
}

/* shlx/shrx/sarx dst, src, count; rorx dst, src, imm8. No flags. */
static lift_err h_shiftx(lx *x, int op)
{
	Z3_context z = x->z;
	if (x->d->op_count != 3 || !is_reg(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	Z3_ast a = op_read(x, 1, w);
	Z3_ast c = op == S_ROR ? zx(z, w, op_read(x, 2, 8)) : op_read(x, 2, w);
	c = band(z, c, bvn(z, w, w - 1));
	op_write(x, 0, shift_op(z, op, a, c));
	fall(x);
	return LIFT_OK;
}

/* ---- bit manipulation ---- */

static lift_err h_bswap(lx *x, int arg)
{
	Z3_context z = x->z;
	if (x->d->op_count != 1 || !is_reg(x, 0) || op_width(x, 0) < 32) return unsup(x);
	unsigned w = op_width(x, 0);
	Z3_ast a = op_read(x, 0, w), r = NULL;
	for (unsigned i = 0; i < w / 8; i++) {
		Z3_ast b = ext(z, 8 * i + 7, 8 * i, a);
		r = r ? Z3_mk_concat(z, r, b) : b;
	}
	op_write(x, 0, r);
	fall(x);
	return LIFT_OK;
}

/* Index of the lowest (low = true) or highest set bit of a; w when a = 0. */
static Z3_ast bit_index(Z3_context z, Z3_ast a, bool low)
{
	unsigned w = bvw(z, a);
	Z3_ast r = bvn(z, w, w);
	for (unsigned k = 0; k < w; k++) {
		unsigned i = low ? w - 1 - k : k;
		r = Z3_mk_ite(z, v2b(z, bit(z, a, i)), bvn(z, w, i), r);
	}
	return r;
}

enum { B_LZCNT, B_TZCNT, B_POPCNT, B_BSF, B_BSR };

static lift_err h_bitcount(lx *x, int op)
{
	Z3_context z = x->z;
	if (x->d->op_count != 2 || !is_reg(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	if (w < 32) return unsup(x);
	Z3_ast a = op_read(x, 1, w), r;
	Z3_ast az = isz(z, a);
	switch (op) {
	case B_LZCNT: r = Z3_mk_bvsub(z, bvn(z, w, w - 1), bit_index(z, a, false));
		r = Z3_mk_ite(z, az, bvn(z, w, w), r);
		break;
	case B_TZCNT: r = bit_index(z, a, true); break;
	case B_POPCNT:
		r = bvn(z, w, 0);
		for (unsigned i = 0; i < w; i++) r = Z3_mk_bvadd(z, r, zx(z, w, bit(z, a, i)));
		break;
	default: {
		/* bsf/bsr: destination undefined when the source is 0 */
		Z3_ast idx = bit_index(z, a, op == B_BSF);
		op_write(x, 0, Z3_mk_ite(z, az, fresh(x->lc, "bsx", w), idx));
		set_flag(x, ZF, b2v(z, az));
		undef_flags(x, FL(CF) | FL(OF) | FL(SF) | FL(AF) | FL(PF));
		fall(x);
		return LIFT_OK;
	}
	}
	r = simp(x->lc, r);
	if (op == B_POPCNT) {
		set_flag(x, ZF, b2v(z, az));
		for (int f = 0; f < LIFT_NFLAG; f++)
			if (f != ZF) set_flag(x, f, bvn(z, 1, 0));
	} else {
		set_flag(x, CF, b2v(z, az));
		set_flag(x, ZF, b2v(z, isz(z, r)));
		undef_flags(x, FL(OF) | FL(SF) | FL(AF) | FL(PF));
	}
	op_write(x, 0, r);
	fall(x);
	return LIFT_OK;
}

enum { M_ANDN, M_BZHI, M_BLSR, M_BLSI, M_BLSMSK, M_PDEP, M_PEXT };

static lift_err h_bmi(lx *x, int op)
{
	Z3_context z = x->z;
	int n = x->d->op_count;
	if (n < 2 || !is_reg(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	Z3_ast a = op_read(x, 1, w), r, cf = bvn(z, 1, 0);
	Z3_ast m1 = Z3_mk_bvsub(z, a, bvn(z, w, 1));
	Z3_ast az = isz(z, a);
	if ((op == M_ANDN || op == M_BZHI || op == M_PDEP || op == M_PEXT) && n != 3) return unsup(x);
	switch (op) {
	case M_ANDN: r = band(z, Z3_mk_bvnot(z, a), op_read(x, 2, w)); break;
	case M_BZHI: {
		Z3_ast nn = zx(z, w, ext(z, 7, 0, op_read(x, 2, w)));
		Z3_ast mask = Z3_mk_bvsub(z, Z3_mk_bvshl(z, bvn(z, w, 1), nn), bvn(z, w, 1));
		Z3_ast in = Z3_mk_bvult(z, nn, bvn(z, w, w));
		r = Z3_mk_ite(z, in, band(z, a, mask), a);
		cf = b2v(z, Z3_mk_not(z, in));
		break;
	}
	case M_BLSR: r = band(z, m1, a); cf = b2v(z, az); break;
	case M_BLSI: r = band(z, Z3_mk_bvneg(z, a), a); cf = b2v(z, Z3_mk_not(z, az)); break;
	case M_BLSMSK: r = bxor(z, m1, a); cf = b2v(z, az); break;
	default: {
		/* pdep: bit i of the mask takes the next source bit; pext: the reverse */
		Z3_ast src = a, mask = op_read(x, 2, w), k = bvn(z, w, 0);
		r = bvn(z, w, 0);
		for (unsigned i = 0; i < w; i++) {
			Z3_ast mi = bit(z, mask, i), on = v2b(z, mi);
			if (op == M_PDEP) {
				Z3_ast sb = ext(z, 0, 0, Z3_mk_bvlshr(z, src, k));
				r = Z3_mk_bvor(z, r, Z3_mk_bvshl(z, zx(z, w, band(z, sb, mi)), bvn(z, w, i)));
			} else {
				Z3_ast sb = zx(z, w, bit(z, src, i));
				r = Z3_mk_ite(z, on, Z3_mk_bvor(z, r, Z3_mk_bvshl(z, sb, k)), r);
			}
			k = Z3_mk_bvadd(z, k, zx(z, w, mi));
		}
		op_write(x, 0, r);
		fall(x);
		return LIFT_OK;
	}
	}
	r = simp(x->lc, r);
	set_flag(x, CF, cf);
	set_flag(x, OF, bvn(z, 1, 0));
	set_flag(x, ZF, b2v(z, isz(z, r)));
	set_flag(x, SF, msb(z, r));
	undef_flags(x, FL(AF) | FL(PF));
	op_write(x, 0, r);
	fall(x);
	return LIFT_OK;
}

/* arg: 0 clc, 1 stc, 2 cmc */
static lift_err h_cflag(lx *x, int arg)
{
	Z3_context z = x->z;
	set_flag(x, CF, arg == 2 ? Z3_mk_bvnot(z, x->s.flag[CF]) : bvn(z, 1, arg));
	fall(x);
	return LIFT_OK;
}

/* ---- conditional ops and control flow ---- */

static lift_err h_cmov(lx *x, int c)
{
	if (x->d->op_count != 2 || !is_reg(x, 0)) return unsup(x);
	unsigned w = op_width(x, 0);
	op_write(x, 0, Z3_mk_ite(x->z, cc_cond(x, c), op_read(x, 1, w), op_read(x, 0, w)));
	fall(x);
	return LIFT_OK;
}

static lift_err h_setcc(lx *x, int c)
{
	if (x->d->op_count != 1 || !is_rm(x, 0)) return unsup(x);
	op_write(x, 0, zx(x->z, 8, b2v(x->z, cc_cond(x, c))));
	fall(x);
	return LIFT_OK;
}

static lift_err h_jcc(lx *x, int c)
{
	if (x->d->op_count != 1 || x->d->operands[0].type != X86_OP_IMM) return unsup(x);
	Z3_ast t = cc_cond(x, c);
	succ_add(x, SUCC_GOTO, t, (uint64_t)x->d->operands[0].imm, NULL, &x->s);
	succ_add(x, SUCC_GOTO, simp(x->lc, Z3_mk_not(x->z, t)), x->next, NULL, &x->s);
	return LIFT_OK;
}

static lift_err h_jmp(lx *x, int arg)
{
	if (x->d->op_count != 1) return unsup(x);
	if (x->d->operands[0].type == X86_OP_IMM) {
		succ_add(x, SUCC_GOTO, NULL, (uint64_t)x->d->operands[0].imm, NULL, &x->s);
		return LIFT_OK;
	}
	if (op_width(x, 0) != 64) return unsup(x);
	succ_add(x, LIFT_EXIT_INDIRECT, NULL, 0, op_read(x, 0, 64), &x->s);
	return LIFT_OK;
}

static lift_err h_call(lx *x, int arg)
{
	Z3_context z = x->z;
	if (x->d->op_count != 1 || (x->d->operands[0].type != X86_OP_IMM && op_width(x, 0) != 64)) return unsup(x);
	Z3_ast t = op_read(x, 0, 64);
	Z3_ast sp = simp(x->lc, Z3_mk_bvsub(z, x->s.gpr[LIFT_RSP], bvn(z, 64, 8)));
	x->s.gpr[LIFT_RSP] = sp;
	mem_wr(x, sp, bvn(z, 64, x->next));
	uint64_t tv;
	if (x->d->operands[0].type != X86_OP_IMM) succ_add(x, LIFT_EXIT_INDIRECT, NULL, 0, t, &x->s);
	else if (is_num(z, t, &tv) && tv >= x->base && tv < x->end) succ_add(x, SUCC_GOTO, NULL, tv, NULL, &x->s);
	else succ_add(x, LIFT_EXIT_CALL, NULL, (uint64_t)x->d->operands[0].imm, NULL, &x->s);
	return LIFT_OK;
}

static lift_err h_ret(lx *x, int arg)
{
	Z3_context z = x->z;
	if (x->d->op_count != 0) return unsup(x);
	Z3_ast sp = x->s.gpr[LIFT_RSP];
	Z3_ast t = mem_rd(x, sp, 8);
	x->s.gpr[LIFT_RSP] = simp(x->lc, Z3_mk_bvadd(z, sp, bvn(z, 64, 8)));
	succ_add(x, LIFT_EXIT_INDIRECT, NULL, 0, t, &x->s);
	return LIFT_OK;
}

static lift_err h_trap(lx *x, int arg)
{
	succ_add(x, LIFT_EXIT_TRAP, NULL, x->in->address, NULL, &x->pre);
	return LIFT_OK;
}

/* ---- dispatch ---- */

#define CC16(K, h) \
	{ X86_INS_##K##O, h, CC_O }, { X86_INS_##K##NO, h, CC_NO }, { X86_INS_##K##B, h, CC_B }, \
	{ X86_INS_##K##AE, h, CC_AE }, { X86_INS_##K##E, h, CC_E }, { X86_INS_##K##NE, h, CC_NE }, \
	{ X86_INS_##K##BE, h, CC_BE }, { X86_INS_##K##A, h, CC_A }, { X86_INS_##K##S, h, CC_S }, \
	{ X86_INS_##K##NS, h, CC_NS }, { X86_INS_##K##P, h, CC_P }, { X86_INS_##K##NP, h, CC_NP }, \
	{ X86_INS_##K##L, h, CC_L }, { X86_INS_##K##GE, h, CC_GE }, { X86_INS_##K##LE, h, CC_LE }, \
	{ X86_INS_##K##G, h, CC_G }

static const struct { unsigned id; lift_handler h; int arg; } table[] = {
	{ X86_INS_MOV, h_mov, 0 }, { X86_INS_MOVABS, h_mov, 0 },
	{ X86_INS_MOVZX, h_movx, 0 }, { X86_INS_MOVSX, h_movx, 1 }, { X86_INS_MOVSXD, h_movx, 1 },
	{ X86_INS_LEA, h_lea, 0 }, { X86_INS_XCHG, h_xchg, 0 },
	{ X86_INS_PUSH, h_push, 0 }, { X86_INS_POP, h_pop, 0 },
	{ X86_INS_CDQ, h_conv, 0 }, { X86_INS_CQO, h_conv, 1 }, { X86_INS_CDQE, h_conv, 2 },
	{ X86_INS_CWDE, h_conv, 3 }, { X86_INS_NOP, h_nop, 0 },
	{ X86_INS_ADD, h_alu, A_ADD }, { X86_INS_OR, h_alu, A_OR }, { X86_INS_ADC, h_alu, A_ADC },
	{ X86_INS_SBB, h_alu, A_SBB }, { X86_INS_AND, h_alu, A_AND }, { X86_INS_SUB, h_alu, A_SUB },
	{ X86_INS_XOR, h_alu, A_XOR }, { X86_INS_CMP, h_alu, A_CMP }, { X86_INS_TEST, h_alu, A_TEST },
	{ X86_INS_NOT, h_unary, U_NOT }, { X86_INS_NEG, h_unary, U_NEG },
	{ X86_INS_INC, h_unary, U_INC }, { X86_INS_DEC, h_unary, U_DEC },
	{ X86_INS_MUL, h_mul, 0 }, { X86_INS_IMUL, h_mul, 1 },
	{ X86_INS_DIV, h_div, 0 }, { X86_INS_IDIV, h_div, 1 },
	{ X86_INS_SHL, h_shift, S_SHL }, { X86_INS_SAL, h_shift, S_SHL }, { X86_INS_SHR, h_shift, S_SHR },
	{ X86_INS_SAR, h_shift, S_SAR }, { X86_INS_ROL, h_shift, S_ROL }, { X86_INS_ROR, h_shift, S_ROR },
	{ X86_INS_SHLX, h_shiftx, S_SHL }, { X86_INS_SHRX, h_shiftx, S_SHR },
	{ X86_INS_SARX, h_shiftx, S_SAR }, { X86_INS_RORX, h_shiftx, S_ROR },
	{ X86_INS_BSWAP, h_bswap, 0 },
	{ X86_INS_LZCNT, h_bitcount, B_LZCNT }, { X86_INS_TZCNT, h_bitcount, B_TZCNT },
	{ X86_INS_POPCNT, h_bitcount, B_POPCNT }, { X86_INS_BSF, h_bitcount, B_BSF },
	{ X86_INS_BSR, h_bitcount, B_BSR },
	{ X86_INS_ANDN, h_bmi, M_ANDN }, { X86_INS_BZHI, h_bmi, M_BZHI }, { X86_INS_BLSR, h_bmi, M_BLSR },
	{ X86_INS_BLSI, h_bmi, M_BLSI }, { X86_INS_BLSMSK, h_bmi, M_BLSMSK },
	{ X86_INS_PDEP, h_bmi, M_PDEP }, { X86_INS_PEXT, h_bmi, M_PEXT },
	{ X86_INS_CLC, h_cflag, 0 }, { X86_INS_STC, h_cflag, 1 }, { X86_INS_CMC, h_cflag, 2 },
	CC16(CMOV, h_cmov), CC16(SET, h_setcc), CC16(J, h_jcc),
	{ X86_INS_JMP, h_jmp, 0 }, { X86_INS_CALL, h_call, 0 }, { X86_INS_RET, h_ret, 0 },
	{ X86_INS_UD2, h_trap, 0 }, { X86_INS_INT3, h_trap, 0 },
};

lift_handler sem_lookup(unsigned id, int *arg)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].id == id) {
			*arg = table[i].arg;
			return table[i].h;
		}
	return NULL;
}
