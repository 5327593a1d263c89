/* lifter/lift.c: the lifter's driver: Capstone decoding, symbolic fields, operand access, and the
 * walk over the code (pending paths taken in address order and merged with ite at join points, so
 * forward-only code visits each instruction once; a back edge re-visits, up to a step limit). */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "pvm/pvm.h"

const char *const lift_reg_names[LIFT_NGPR] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
const char *const lift_flag_names[LIFT_NFLAG] = { "cf", "pf", "af", "zf", "sf", "of" };
const uint8_t lift_flag_bit[LIFT_NFLAG] = { 0, 2, 4, 6, 7, 11 };
const char *const lift_exit_kind_names[] = { "jump", "fall", "call", "indirect", "de", "trap" };

/* Capstone register → (GPR index + 1, width, high byte). 0 in idx1: not a GPR. */
static const struct { uint8_t idx1, w, hi; } regtab[X86_REG_ENDING] = {
#define R4(q, d, x, l, i) [X86_REG_##q] = { i + 1, 64, 0 }, [X86_REG_##d] = { i + 1, 32, 0 }, \
	[X86_REG_##x] = { i + 1, 16, 0 }, [X86_REG_##l] = { i + 1, 8, 0 }
	R4(RAX, EAX, AX, AL, 0), R4(RCX, ECX, CX, CL, 1), R4(RDX, EDX, DX, DL, 2),
	R4(RBX, EBX, BX, BL, 3), R4(RSP, ESP, SP, SPL, 4), R4(RBP, EBP, BP, BPL, 5),
	R4(RSI, ESI, SI, SIL, 6), R4(RDI, EDI, DI, DIL, 7), R4(R8, R8D, R8W, R8B, 8),
	R4(R9, R9D, R9W, R9B, 9), R4(R10, R10D, R10W, R10B, 10), R4(R11, R11D, R11W, R11B, 11),
	R4(R12, R12D, R12W, R12B, 12), R4(R13, R13D, R13W, R13B, 13),
	R4(R14, R14D, R14W, R14B, 14), R4(R15, R15D, R15W, R15B, 15),
#undef R4
	[X86_REG_AH] = { 1, 8, 1 }, [X86_REG_CH] = { 2, 8, 1 },
	[X86_REG_DH] = { 3, 8, 1 }, [X86_REG_BH] = { 4, 8, 1 },
};

int lift_gpr_index(x86_reg r, bool *hi)
{
	if (r <= X86_REG_INVALID || r >= X86_REG_ENDING || !regtab[r].idx1) return -1;
	*hi = regtab[r].hi;
	return regtab[r].idx1 - 1;
}

int lift_reg_index(unsigned capstone_reg, bool *hi) { return lift_gpr_index((x86_reg)capstone_reg, hi); }

/* ---- term helpers ---- */

Z3_sort bvs(Z3_context z, unsigned w) { return Z3_mk_bv_sort(z, w); }
Z3_ast bvn(Z3_context z, unsigned w, uint64_t v) { return Z3_mk_unsigned_int64(z, v, bvs(z, w)); }
unsigned bvw(Z3_context z, Z3_ast a) { return Z3_get_bv_sort_size(z, Z3_get_sort(z, a)); }
Z3_ast ext(Z3_context z, unsigned hi, unsigned lo, Z3_ast a) { return Z3_mk_extract(z, hi, lo, a); }
Z3_ast zx(Z3_context z, unsigned to, Z3_ast a)
{
	unsigned w = bvw(z, a);
	return to == w ? a : to < w ? ext(z, to - 1, 0, a) : Z3_mk_zero_ext(z, to - w, a);
}
Z3_ast sx(Z3_context z, unsigned to, Z3_ast a)
{
	unsigned w = bvw(z, a);
	return to == w ? a : to < w ? ext(z, to - 1, 0, a) : Z3_mk_sign_ext(z, to - w, a);
}
Z3_ast b2v(Z3_context z, Z3_ast b) { return Z3_mk_ite(z, b, bvn(z, 1, 1), bvn(z, 1, 0)); }
Z3_ast v2b(Z3_context z, Z3_ast v) { return Z3_mk_eq(z, v, bvn(z, 1, 1)); }
Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b) { Z3_ast v[2] = { a, b }; return Z3_mk_and(z, 2, v); }
Z3_ast or2(Z3_context z, Z3_ast a, Z3_ast b) { Z3_ast v[2] = { a, b }; return Z3_mk_or(z, 2, v); }
Z3_ast simp(lift_ctx *lc, Z3_ast a)
{
	Z3_context z = lc->z;
	unsigned id = Z3_get_ast_id(z, a);
	if (2 * (lc->memo.n + 1) > lc->memo.cap) { /* grow (and rehash) at half full */
		size_t old = lc->memo.cap, cap = old ? 2 * old : 4096;
		unsigned *ids = lc->memo.id;
		Z3_ast *vs = lc->memo.v;
		lc->memo.id = pvm_xmalloc(cap * sizeof *ids);
		lc->memo.v = pvm_xmalloc(cap * sizeof *vs);
		memset(lc->memo.id, 0xff, cap * sizeof *ids);
		lc->memo.cap = cap;
		for (size_t i = 0; i < old; i++) {
			if (ids[i] == UINT_MAX) continue;
			size_t j = ids[i] * 2654435761u & (cap - 1);
			while (lc->memo.id[j] != UINT_MAX) j = (j + 1) & (cap - 1);
			lc->memo.id[j] = ids[i], lc->memo.v[j] = vs[i];
		}
		free(ids);
		free(vs);
	}
	size_t j = id * 2654435761u & (lc->memo.cap - 1);
	for (; lc->memo.id[j] != UINT_MAX; j = (j + 1) & (lc->memo.cap - 1))
		if (lc->memo.id[j] == id) return lc->memo.v[j];
	Z3_ast r = Z3_simplify(z, a);
	lc->memo.id[j] = id, lc->memo.v[j] = r, lc->memo.n++;
	return r;
}

bool is_num(Z3_context z, Z3_ast a, uint64_t *v)
{
	uint64_t t;
	if (!Z3_is_numeral_ast(z, a) || !Z3_get_numeral_uint64(z, a, &t)) return false;
	if (v) *v = t;
	return true;
}

Z3_ast fresh(lift_ctx *lc, const char *what, unsigned w)
{
	char name[64];
	snprintf(name, sizeof name, "undef_%s", what);
	return Z3_mk_fresh_const(lc->z, name, bvs(lc->z, w)); /* distinct even across lifters */
}

/* ---- context ---- */

lift_ctx *lift_new(Z3_context z)
{
	lift_ctx *lc = pvm_xcalloc(1, sizeof *lc);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &lc->cs) != CS_ERR_OK) {
		free(lc);
		return NULL;
	}
	cs_option(lc->cs, CS_OPT_DETAIL, CS_OPT_ON);
	lc->z = z;
	lc->mem_sort = Z3_mk_array_sort(z, bvs(z, 64), bvs(z, 8));
	return lc;
}

void lift_free(lift_ctx *lc)
{
	if (!lc) return;
	free(lc->memo.id);
	free(lc->memo.v);
	cs_close(&lc->cs);
	free(lc);
}

const char *lift_errmsg(const lift_ctx *lc) { return lc->err; }

const char *lift_strerror(lift_err err)
{
	static const char *const s[] = { "ok", "undecodable bytes", "unsupported instruction",
					 "bad symbolic field", "step limit", "bad argument" };
	return (unsigned)err < sizeof s / sizeof s[0] ? s[err] : "unknown error";
}

lift_err lift_set_break(lift_ctx *lc, const char *rule)
{
	if (!rule || !strcmp(rule, "none")) lc->brk = 0;
	else if (!strcmp(rule, "sub-cf")) lc->brk = BRK_SUB_CF;
	else if (!strcmp(rule, "shl-of")) lc->brk = BRK_SHL_OF;
	else if (!strcmp(rule, "div-de")) lc->brk = BRK_DIV_DE;
	else if (!strcmp(rule, "imul-sf")) lc->brk = BRK_IMUL_SF;
	else {
		snprintf(lc->err, sizeof lc->err, "unknown break rule '%s' (sub-cf, shl-of, div-de, imul-sf, none)", rule);
		return LIFT_EARG;
	}
	return LIFT_OK;
}

void lift_state_fresh(lift_ctx *lc, lift_state *st, const char *prefix)
{
	Z3_context z = lc->z;
	char name[96];
	for (int i = 0; i < LIFT_NGPR; i++) {
		snprintf(name, sizeof name, "%s_%s", prefix, lift_reg_names[i]);
		st->gpr[i] = Z3_mk_const(z, Z3_mk_string_symbol(z, name), bvs(z, 64));
	}
	for (int i = 0; i < LIFT_NFLAG; i++) {
		snprintf(name, sizeof name, "%s_%s", prefix, lift_flag_names[i]);
		st->flag[i] = Z3_mk_const(z, Z3_mk_string_symbol(z, name), bvs(z, 1));
	}
	snprintf(name, sizeof name, "%s_mem", prefix);
	st->mem = Z3_mk_const(z, Z3_mk_string_symbol(z, name), lc->mem_sort);
}

void lift_state_const(lift_ctx *lc, lift_state *st, const uint64_t gpr[LIFT_NGPR], uint64_t rflags,
		      Z3_ast mem)
{
	Z3_context z = lc->z;
	for (int i = 0; i < LIFT_NGPR; i++) st->gpr[i] = bvn(z, 64, gpr[i]);
	for (int i = 0; i < LIFT_NFLAG; i++) st->flag[i] = bvn(z, 1, rflags >> lift_flag_bit[i] & 1);
	st->mem = mem ? mem : Z3_mk_const(z, Z3_mk_string_symbol(z, "mem0"), lc->mem_sort);
}

/* ---- memory ----------------------------------------------------------------------------
 * Byte addresses are kept as B + c: a term B and a numeral c. Two addresses with the same B
 * (syntactically) are equal exactly when their c are, so a read looks through the stores above
 * it without asking Z3 (the JIT's spill slots and context fields are all MB + c). */
typedef struct baddr {
	Z3_ast t;
	Z3_app add;     /* t as a bvadd (NULL: B is t itself) */
	unsigned first; /* B is add's arguments from here on: 1 after a leading numeral c, else 0 */
	uint64_t c;
} baddr;

static baddr baddr_of(Z3_context z, Z3_ast t)
{
	baddr a = { t, NULL, 0, 0 };
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return a;
	Z3_app ap = Z3_to_app(z, t);
	if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ap)) != Z3_OP_BADD) return a;
	a.add = ap;
	a.first = is_num(z, Z3_get_app_arg(z, ap, 0), &a.c);
	if (a.first && Z3_get_app_num_args(z, ap) == 2) { /* c + B with B a single term */
		a.t = Z3_get_app_arg(z, ap, 1);
		a.add = NULL;
	}
	return a;
}

/* Same B (syntactically)? */
static bool same_base(Z3_context z, const baddr *a, const baddr *b)
{
	if (!a->add || !b->add) return !a->add && !b->add && Z3_is_eq_ast(z, a->t, b->t);
	unsigned n = Z3_get_app_num_args(z, a->add) - a->first;
	if (n != Z3_get_app_num_args(z, b->add) - b->first) return false;
	for (unsigned i = 0; i < n; i++)
		if (!Z3_is_eq_ast(z, Z3_get_app_arg(z, a->add, a->first + i), Z3_get_app_arg(z, b->add, b->first + i)))
			return false;
	return true;
}

/* The address B + c + k, simplified. Without asking Z3 when B is a single term (c + k first,
 * as the simplifier orders it) or when the leading numeral only changes. */
static Z3_ast baddr_plus(lift_ctx *lc, const baddr *a, uint64_t k)
{
	Z3_context z = lc->z;
	uint64_t c = a->c + k;
	if (!a->add) return c ? Z3_mk_bvadd(z, bvn(z, 64, c), a->t) : a->t;
	if (!a->first || !c) return k ? simp(lc, Z3_mk_bvadd(z, Z3_app_to_ast(z, a->add), bvn(z, 64, k))) : Z3_app_to_ast(z, a->add);
	unsigned n = Z3_get_app_num_args(z, a->add);
	Z3_ast small[8], *args = n <= 8 ? small : pvm_xmalloc(n * sizeof *args);
	for (unsigned i = 0; i < n; i++) args[i] = Z3_get_app_arg(z, a->add, i);
	args[0] = bvn(z, 64, c);
	Z3_ast r = Z3_update_term(z, Z3_app_to_ast(z, a->add), n, args);
	if (args != small) free(args);
	return r;
}

/* The byte at a + k: the value of the newest store to that address, looking past stores to
 * provably different addresses; a select where that cannot be decided. */
static Z3_ast read_byte(lift_ctx *lc, Z3_ast mem, const baddr *a, uint64_t k)
{
	Z3_context z = lc->z;
	for (;;) {
		if (Z3_get_ast_kind(z, mem) != Z3_APP_AST) break;
		Z3_app ap = Z3_to_app(z, mem);
		if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ap)) != Z3_OP_STORE) break;
		baddr j = baddr_of(z, Z3_get_app_arg(z, ap, 1));
		if (!same_base(z, a, &j)) break;
		if (j.c == a->c + k) return Z3_get_app_arg(z, ap, 2);
		mem = Z3_get_app_arg(z, ap, 0);
	}
	return Z3_mk_select(z, mem, baddr_plus(lc, a, k));
}

Z3_ast lift_mem_read(lift_ctx *lc, Z3_ast mem, Z3_ast addr, unsigned n)
{
	Z3_context z = lc->z;
	baddr a = baddr_of(z, addr);
	Z3_ast v = NULL, whole = NULL;
	bool same = true; /* every byte k is extract(8k+7, 8k) of one n-byte value: that value */
	for (unsigned i = 0; i < n; i++) {
		Z3_ast b = read_byte(lc, mem, &a, i);
		Z3_func_decl d = Z3_get_ast_kind(z, b) == Z3_APP_AST ? Z3_get_app_decl(z, Z3_to_app(z, b)) : NULL;
		if (same && d && Z3_get_decl_kind(z, d) == Z3_OP_EXTRACT && Z3_get_decl_int_parameter(z, d, 1) == (int)(8 * i) &&
		    Z3_get_decl_int_parameter(z, d, 0) == (int)(8 * i + 7)) {
			Z3_ast src = Z3_get_app_arg(z, Z3_to_app(z, b), 0);
			if (!i) whole = bvw(z, src) == 8 * n ? src : NULL;
			same = whole && Z3_is_eq_ast(z, src, whole);
		} else
			same = false;
		v = v ? Z3_mk_concat(z, b, v) : b;
	}
	return same ? whole : simp(lc, v);
}

Z3_solver lift_blast_solver(Z3_context z)
{
	static const char *const steps[] = { "simplify", "propagate-values", "solve-eqs", "bit-blast", "aig", "sat" };
	Z3_tactic t = Z3_mk_tactic(z, steps[0]);
	Z3_tactic_inc_ref(z, t);
	for (size_t i = 1; i < sizeof steps / sizeof steps[0]; i++) {
		Z3_tactic u = Z3_mk_tactic(z, steps[i]);
		Z3_tactic_inc_ref(z, u);
		Z3_tactic tu = Z3_tactic_and_then(z, t, u);
		Z3_tactic_inc_ref(z, tu);
		Z3_tactic_dec_ref(z, t);
		Z3_tactic_dec_ref(z, u);
		t = tu;
	}
	Z3_solver s = Z3_mk_solver_from_tactic(z, t);
	Z3_solver_inc_ref(z, s);
	Z3_tactic_dec_ref(z, t);
	return s;
}

/* ---- operands ---- */

lift_err fail(lx *x, lift_err e, const char *why)
{
	snprintf(x->lc->err, sizeof x->lc->err, "0x%llx: %s: %s %s", (unsigned long long)x->in->address,
		 why, x->in->mnemonic, x->in->op_str);
	return e;
}

Z3_ast reg_get(lx *x, unsigned r, unsigned w)
{
	return w == 64 ? x->s.gpr[r] : simp(x->lc, ext(x->z, w - 1, 0, x->s.gpr[r]));
}

void reg_set(lx *x, unsigned r, unsigned w, Z3_ast v)
{
	Z3_context z = x->z;
	Z3_ast old = x->s.gpr[r];
	assert(bvw(z, v) == w);
	if (w == 32) v = zx(z, 64, v);
	else if (w < 32) v = Z3_mk_concat(z, ext(z, 63, w, old), v);
	x->s.gpr[r] = simp(x->lc, v);
}

/* Read/write a Capstone register operand (including ah..bh). */
static Z3_ast creg_get(lx *x, x86_reg r)
{
	Z3_context z = x->z;
	if (r == X86_REG_RIP) return bvn(z, 64, x->next);
	assert(r < X86_REG_ENDING && regtab[r].idx1);
	unsigned i = regtab[r].idx1 - 1;
	if (regtab[r].hi) return simp(x->lc, ext(z, 15, 8, x->s.gpr[i]));
	return reg_get(x, i, regtab[r].w);
}

static void creg_set(lx *x, x86_reg r, Z3_ast v)
{
	Z3_context z = x->z;
	unsigned i = regtab[r].idx1 - 1;
	if (regtab[r].hi) {
		Z3_ast old = x->s.gpr[i];
		x->s.gpr[i] = simp(x->lc, Z3_mk_concat(z, ext(z, 63, 16, old), Z3_mk_concat(z, v, ext(z, 7, 0, old))));
		return;
	}
	reg_set(x, i, regtab[r].w, v);
}

static bool creg_ok(x86_reg r) { return r == X86_REG_RIP || (r < X86_REG_ENDING && regtab[r].idx1); }

Z3_ast mem_rd(lx *x, Z3_ast addr, unsigned n) { return lift_mem_read(x->lc, x->s.mem, addr, n); }

/* n bytes of v at addr: byte i is extract(8i+7, 8i, v), left unsimplified (lift_mem_read of the
 * same n bytes gives v back; anything else simplifies it). */
void mem_wr(lx *x, Z3_ast addr, Z3_ast v)
{
	Z3_context z = x->z;
	unsigned n = bvw(z, v) / 8;
	baddr a = baddr_of(z, addr);
	Z3_ast m = x->s.mem;
	for (unsigned i = 0; i < n; i++)
		m = Z3_mk_store(z, m, baddr_plus(x->lc, &a, i), n == 1 ? v : ext(z, 8 * i + 7, 8 * i, v));
	x->s.mem = m;
}

unsigned op_width(lx *x, int i) { return x->d->operands[i].size * 8; }

Z3_ast op_addr(lx *x, int i)
{
	Z3_context z = x->z;
	const x86_op_mem *m = &x->d->operands[i].mem;
	Z3_ast a = x->disp_field ? sx(z, 64, x->disp_field) : bvn(z, 64, (uint64_t)m->disp);
	unsigned aw = x->d->addr_size == 4 ? 32 : 64;
	if (m->base != X86_REG_INVALID) a = Z3_mk_bvadd(z, a, zx(z, 64, creg_get(x, m->base)));
	if (m->index != X86_REG_INVALID)
		a = Z3_mk_bvadd(z, a, Z3_mk_bvmul(z, zx(z, 64, creg_get(x, m->index)), bvn(z, 64, m->scale)));
	if (aw == 32) a = zx(z, 64, ext(z, 31, 0, a));
	return simp(x->lc, a);
}

Z3_ast op_read(lx *x, int i, unsigned w)
{
	Z3_context z = x->z;
	const cs_x86_op *op = &x->d->operands[i];
	switch (op->type) {
	case X86_OP_REG: return zx(z, w, creg_get(x, op->reg));
	case X86_OP_MEM: return zx(z, w, mem_rd(x, op_addr(x, i), op->size));
	case X86_OP_IMM:
		if (x->imm_field) return simp(x->lc, sx(z, w, x->imm_field));
		return w == 64 ? bvn(z, 64, (uint64_t)op->imm)
			       : bvn(z, w, (uint64_t)op->imm & ((1ull << w) - 1));
	default: assert(0); return NULL;
	}
}

void op_write(lx *x, int i, Z3_ast v)
{
	const cs_x86_op *op = &x->d->operands[i];
	v = simp(x->lc, v);
	if (op->type == X86_OP_REG) creg_set(x, op->reg, v);
	else if (op->type == X86_OP_MEM) mem_wr(x, op_addr(x, i), v);
	else assert(0);
}

/* Flags stay unsimplified: most are never read, and a read (cond, adc) simplifies its result. */
void set_flag(lx *x, int f, Z3_ast v) { x->s.flag[f] = v; }

void undef_flags(lx *x, unsigned mask)
{
	for (int f = 0; f < LIFT_NFLAG; f++)
		if (mask >> f & 1) x->s.flag[f] = fresh(x->lc, lift_flag_names[f], 1);
}

void succ_add(lx *x, int kind, Z3_ast cond, uint64_t target, Z3_ast tterm, const lift_state *st)
{
	assert(x->nsucc < 3);
	x->succ[x->nsucc].kind = kind;
	x->succ[x->nsucc].cond = cond;
	x->succ[x->nsucc].target = target;
	x->succ[x->nsucc].tterm = tterm;
	x->succ[x->nsucc].st = *st;
	x->nsucc++;
}

/* ---- symbolic fields ---- */

static uint64_t le_bytes(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Bind the fields that overlap instruction x->in (at buffer offset off) to its imm/disp. */
static lift_err bind_fields(lx *x, const uint8_t *code, size_t off, const lift_field *f, size_t nf)
{
	const cs_x86_encoding *e = &x->d->encoding;
	unsigned isz, dsz;
	enc_sizes(x->in, &isz, &dsz);
	x->imm_field = x->disp_field = NULL;
	for (size_t k = 0; k < nf; k++) {
		if (f[k].offset + f[k].size <= off || f[k].offset >= off + x->in->size) continue;
		unsigned rel = f[k].offset - off;
		if (isz && rel == e->imm_offset && f[k].size == isz) {
			const cs_x86_op *imm = NULL;
			for (int i = 0; i < x->d->op_count; i++)
				if (x->d->operands[i].type == X86_OP_IMM) imm = &x->d->operands[i];
			if (!imm || cs_insn_group(x->lc->cs, x->in, X86_GRP_JUMP) ||
			    cs_insn_group(x->lc->cs, x->in, X86_GRP_CALL))
				return fail(x, LIFT_EFIELD, "symbolic field on a branch displacement");
			uint64_t m = f[k].size == 8 ? ~0ull : (1ull << 8 * f[k].size) - 1;
			if (((uint64_t)imm->imm & m) != le_bytes(code + f[k].offset, f[k].size))
				return fail(x, LIFT_EFIELD, "immediate field does not match Capstone's value");
			x->imm_field = f[k].term;
		} else if (dsz && rel == e->disp_offset && f[k].size == dsz) {
			uint64_t m = f[k].size == 8 ? ~0ull : (1ull << 8 * f[k].size) - 1;
			if (((uint64_t)x->d->disp & m) != le_bytes(code + f[k].offset, f[k].size))
				return fail(x, LIFT_EFIELD, "displacement field does not match Capstone's value");
			x->disp_field = f[k].term;
		} else {
			return fail(x, LIFT_EFIELD, "symbolic field is not this instruction's imm or disp");
		}
		if (bvw(x->z, f[k].term) != 8u * f[k].size)
			return fail(x, LIFT_EFIELD, "symbolic field term width differs from its size");
	}
	return LIFT_OK;
}

/* ---- the walk ---- */

typedef struct path { uint64_t addr; Z3_ast cond; lift_state st; } path;
typedef struct vec { void *p; size_t n, cap; } vec;

static void *vec_push(vec *v, size_t sz)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 16;
		v->p = pvm_xrealloc(v->p, v->cap * sz);
	}
	return (char *)v->p + sz * v->n++;
}

/* ite-merge states st[0..n) whose (disjoint) conditions are c[0..n) into *out. */
static void merge_states(lift_ctx *lc, const Z3_ast *c, const lift_state *const *st, size_t n, lift_state *out)
{
	Z3_context z = lc->z;
	*out = *st[n - 1];
	for (size_t k = n - 1; k-- > 0;) {
		for (int i = 0; i < LIFT_NGPR; i++)
			if (!Z3_is_eq_ast(z, st[k]->gpr[i], out->gpr[i]))
				out->gpr[i] = Z3_mk_ite(z, c[k], st[k]->gpr[i], out->gpr[i]);
		for (int i = 0; i < LIFT_NFLAG; i++)
			if (!Z3_is_eq_ast(z, st[k]->flag[i], out->flag[i]))
				out->flag[i] = Z3_mk_ite(z, c[k], st[k]->flag[i], out->flag[i]);
		if (!Z3_is_eq_ast(z, st[k]->mem, out->mem)) out->mem = Z3_mk_ite(z, c[k], st[k]->mem, out->mem);
	}
	if (n > 1) {
		for (int i = 0; i < LIFT_NGPR; i++) out->gpr[i] = simp(lc, out->gpr[i]);
		out->mem = simp(lc, out->mem);
	}
}

static Z3_ast or_all(lift_ctx *lc, const Z3_ast *c, size_t n)
{
	Z3_context z = lc->z;
	return n == 1 ? c[0] : simp(lc, Z3_mk_or(z, (unsigned)n, c));
}

/* Group exits by (kind, target) and merge each group. */
static void merge_exits(lift_ctx *lc, vec *ex, lift_result *out)
{
	Z3_context z = lc->z;
	lift_exit *e = ex->p;
	size_t n = ex->n;
	bool *done = pvm_xcalloc(n, sizeof *done);
	Z3_ast *c = pvm_xmalloc(n * sizeof *c);
	const lift_state **st = pvm_xmalloc(n * sizeof *st);
	out->exits = pvm_xmalloc(n * sizeof *out->exits);
	out->nexits = 0;
	for (size_t i = 0; i < n; i++) {
		if (done[i]) continue;
		size_t m = 0;
		Z3_ast tt = NULL;
		for (size_t j = i; j < n; j++) {
			if (done[j] || e[j].kind != e[i].kind || e[j].target != e[i].target) continue;
			done[j] = true;
			c[m] = e[j].cond;
			st[m++] = &e[j].st;
			tt = tt ? Z3_mk_ite(z, e[j].cond, e[j].target_term, tt) : e[j].target_term;
		}
		lift_exit *o = &out->exits[out->nexits++];
		o->kind = e[i].kind;
		o->target = e[i].target;
		o->cond = or_all(lc, c, m);
		o->target_term = simp(lc, tt);
		merge_states(lc, c, st, m, &o->st);
	}
	free(done);
	free(c);
	free(st);
}

void lift_result_fini(lift_result *r)
{
	free(r->exits);
	r->exits = NULL;
	r->nexits = 0;
}

lift_err lift_block(lift_ctx *lc, const uint8_t *code, size_t len, uint64_t base,
		    const lift_field *fields, size_t nfields, const lift_state *in, lift_result *out)
{
	Z3_context z = lc->z;
	vec pend = { 0 }, exits = { 0 };
	cs_insn **dec = pvm_xcalloc(len, sizeof *dec);
	lift_err err = LIFT_OK;
	size_t steps = 0, limit = 64 + 16 * len;
	lx *x = pvm_xmalloc(sizeof *x);
	memset(out, 0, sizeof *out);
	lc->err[0] = 0;
	for (size_t k = 0; k < nfields; k++)
		if (!fields[k].term || !fields[k].size || fields[k].offset + fields[k].size > len) {
			snprintf(lc->err, sizeof lc->err, "symbolic field %zu (offset %u, size %u) outside the code",
				 k, fields[k].offset, fields[k].size);
			err = LIFT_EARG;
			goto done;
		}
	if (len == 0) {
		lift_exit *e = vec_push(&exits, sizeof(lift_exit));
		*e = (lift_exit){ LIFT_EXIT_FALL, Z3_mk_true(z), base, bvn(z, 64, base), *in };
	} else {
		*(path *)vec_push(&pend, sizeof(path)) = (path){ base, Z3_mk_true(z), *in };
	}
	while (pend.n) {
		path *pp = pend.p;
		uint64_t a = pp[0].addr;
		for (size_t i = 1; i < pend.n; i++)
			if (pp[i].addr < a) a = pp[i].addr;
		Z3_ast *c = pvm_xmalloc(pend.n * sizeof *c);
		const lift_state **st = pvm_xmalloc(pend.n * sizeof *st);
		size_t m = 0;
		for (size_t i = 0; i < pend.n; i++)
			if (pp[i].addr == a) c[m] = pp[i].cond, st[m++] = &pp[i].st;
		memset(x, 0, sizeof *x);
		x->lc = lc;
		x->z = z;
		x->base = base;
		x->end = base + len;
		merge_states(lc, c, st, m, &x->s);
		Z3_ast cond = or_all(lc, c, m);
		free(c);
		free(st);
		size_t keep = 0;
		for (size_t i = 0; i < pend.n; i++)
			if (pp[i].addr != a) pp[keep++] = pp[i];
		pend.n = keep;

		size_t off = a - base;
		if (++steps > limit) {
			snprintf(lc->err, sizeof lc->err, "0x%llx: step limit %zu reached (a loop?)",
				 (unsigned long long)a, limit);
			err = LIFT_ELIMIT;
			goto done;
		}
		if (!dec[off] && cs_disasm(lc->cs, code + off, len - off, a, 1, &dec[off]) != 1) {
			dec[off] = NULL;
			snprintf(lc->err, sizeof lc->err, "0x%llx: bytes do not decode", (unsigned long long)a);
			err = LIFT_EDECODE;
			goto done;
		}
		x->in = dec[off];
		x->d = &dec[off]->detail->x86;
		x->next = a + dec[off]->size;
		x->pre = x->s;
		out->ninsns++;
		if ((err = bind_fields(x, code, off, fields, nfields))) goto done;
		int arg = 0;
		lift_handler h = sem_lookup(x->in->id, &arg);
		if (!h) {
			err = fail(x, LIFT_EUNSUPPORTED, "unsupported instruction");
			goto done;
		}
		for (int i = 0; i < x->d->op_count; i++) {
			const cs_x86_op *op = &x->d->operands[i];
			if ((op->type == X86_OP_REG && !creg_ok(op->reg)) ||
			    (op->type == X86_OP_MEM && (op->mem.segment != X86_REG_INVALID ||
							(op->mem.base != X86_REG_INVALID && !creg_ok(op->mem.base)) ||
							(op->mem.index != X86_REG_INVALID && !creg_ok(op->mem.index))))) {
				err = fail(x, LIFT_EUNSUPPORTED, "unsupported operand");
				goto done;
			}
		}
		if (x->d->prefix[0] || x->d->prefix[1]) {
			err = fail(x, LIFT_EUNSUPPORTED, "unsupported prefix");
			goto done;
		}
		if ((err = h(x, arg))) goto done;
		for (int k = 0; k < x->nsucc; k++) {
			Z3_ast sc = x->succ[k].cond ? simp(lc, and2(z, cond, x->succ[k].cond)) : cond;
			if (Z3_get_bool_value(z, sc) == Z3_L_FALSE) continue;
			int kind = x->succ[k].kind;
			uint64_t t = x->succ[k].target;
			if (kind == SUCC_GOTO && t >= base && t < base + len) {
				*(path *)vec_push(&pend, sizeof(path)) = (path){ t, sc, x->succ[k].st };
				continue;
			}
			if (kind == SUCC_GOTO) kind = t == base + len ? LIFT_EXIT_FALL : LIFT_EXIT_JUMP;
			lift_exit *e = vec_push(&exits, sizeof(lift_exit));
			e->kind = kind;
			e->cond = sc;
			e->target = t;
			e->target_term = x->succ[k].tterm ? x->succ[k].tterm : bvn(z, 64, t);
			e->st = x->succ[k].st;
		}
	}
	merge_exits(lc, &exits, out);
done:
	for (size_t i = 0; i < len; i++)
		if (dec[i]) cs_free(dec[i], 1);
	free(dec);
	free(x);
	free(pend.p);
	free(exits.p);
	return err;
}

lift_err lift_decode(lift_ctx *lc, const uint8_t *code, size_t len, uint64_t base, lift_insn *out,
		     size_t max, size_t *n)
{
	size_t off = 0;
	*n = 0;
	while (off < len) {
		cs_insn *ci;
		if (cs_disasm(lc->cs, code + off, len - off, base + off, 1, &ci) != 1) {
			snprintf(lc->err, sizeof lc->err, "0x%llx: bytes do not decode",
				 (unsigned long long)(base + off));
			return LIFT_EDECODE;
		}
		if (*n < max) {
			lift_insn *o = &out[*n];
			o->addr = ci->address;
			o->size = ci->size;
			o->id = ci->id;
			snprintf(o->mnemonic, sizeof o->mnemonic, "%s", ci->mnemonic);
			snprintf(o->op_str, sizeof o->op_str, "%s", ci->op_str);
		}
		(*n)++;
		off += ci->size;
		cs_free(ci, 1);
	}
	return LIFT_OK;
}
