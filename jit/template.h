/* jit/template.h: what a template is (tpl_desc, tpl_fn) and the pieces templates share, for
 * jit/templates.c (the real templates) and jit/mutants.c (the mutants' replacement templates).
 * Internal to jit/. Every piece shows its assembly in a comment. */
#ifndef JITPROOF_JIT_TEMPLATE_H
#define JITPROOF_JIT_TEMPLATE_H
#include "jit/jit_internal.h"

/* rax is the scratch register; rcx/rdx the fixed operands of shifts and mul/div; r15 the membase */
#define RAX X64_RAX
#define RCX X64_RCX
#define RDX X64_RDX
#define MB JIT_MEMBASE
#define R(x) x64_r(x)
#define CTXM(field) x64_m(MB, X64_NOREG, JIT_CTX(field))
#define GUEST(addr_reg) x64_m(MB, addr_reg, 0)

typedef struct tpl_desc tpl_desc;
/* Emit the template of in; d is its row of the op-indexed template table. */
typedef void tpl_fn(jit_em *e, const pvm_inst *in, const tpl_desc *d);
struct tpl_desc {
	tpl_fn *fn;
	int a, b, c;    /* per-template parameters (operation, size, condition, signedness) */
};

/* the host registers of the guest operands rA, rB, rD */
static inline enum x64_reg A(const pvm_inst *in) { return jit_reg_map[in->ra]; }
static inline enum x64_reg B(const pvm_inst *in) { return jit_reg_map[in->rb]; }
static inline enum x64_reg D(const pvm_inst *in) { return jit_reg_map[in->rd]; }

/* Record an immediate field of `width` bytes at buffer offset off (no-op unless e->imms). */
static inline void imm_field(jit_em *e, size_t off, unsigned width, jit_imm_enc enc, unsigned which)
{
	if (!e->imms) return;
	if (e->n_imms == JIT_TPL_MAX_IMMS) {
		e->b.err = true;
		return;
	}
	e->imms[e->n_imms++] = (jit_imm_field){ (uint16_t)off, (uint8_t)width, (uint8_t)enc, (uint8_t)which };
}

/* ---- shared pieces ------------------------------------------------------------------------ */

/* dst = base + X (which 0) or Y (which 1), sz 4 or 8: lea dst, [base + disp32]  | class S8 (X):
 * lea dst, [base + disp8] */
static inline void lea_imm(jit_em *e, int sz, enum x64_reg dst, enum x64_reg base, unsigned which)
{
	uint64_t v = which ? e->cur->imm2 : e->cur->imm;
	if (!which && e->s8) {
		x64_lea(&e->b, sz, dst, x64_m8(base, X64_NOREG, (int8_t)v));
		imm_field(e, e->b.len - 1, 1, JIT_IMM_LOW8, 0);
		return;
	}
	x64_lea(&e->b, sz, dst, x64_m32(base, X64_NOREG, (int32_t)(uint32_t)v));
	imm_field(e, e->b.len - 4, 4, JIT_IMM_SEXT32, which);
}
/* eax = zext32(base + X): lea eax, [base + disp32]  | class S8 (X): lea eax, [base + disp8] */
static inline void addr_reg_imm(jit_em *e, enum x64_reg base, unsigned which) { lea_imm(e, 4, RAX, base, which); }
/* op dst, simm32 X (81 /op id)  | class S8: op dst, simm8 (83 /op ib) */
static inline void alu_imm_x(jit_em *e, enum x64_alu op, x64_rm dst)
{
	if (e->s8) {
		x64_alu_imm8(&e->b, op, 8, dst, (int8_t)e->cur->imm);
		imm_field(e, e->b.len - 1, 1, JIT_IMM_LOW8, 0);
		return;
	}
	imm_field(e, x64_alu_imm32(&e->b, op, 8, dst, (int32_t)e->cur->imm), 4, JIT_IMM_SEXT32, 0);
}
/* eax = X (an absolute guest address): mov eax, imm32 */
static inline void addr_imm(jit_em *e, unsigned which)
{
	uint64_t v = which ? e->cur->imm2 : e->cur->imm;
	imm_field(e, x64_mov_r32_imm(&e->b, RAX, (uint32_t)v), 4, JIT_IMM_LOW32, which);
}
/* rax = X sign-extended: mov rax, simm32 (REX.W C7 /0) */
static inline void rax_imm(jit_em *e, int sz, unsigned which)
{
	uint64_t v = which ? e->cur->imm2 : e->cur->imm;
	if (sz == 8) imm_field(e, x64_mov_rm_imm(&e->b, 8, R(RAX), (int64_t)v), 4, JIT_IMM_SEXT32, which);
	else imm_field(e, x64_mov_r32_imm(&e->b, RAX, (uint32_t)v), 4, JIT_IMM_LOW32, which);
}
/* dst = sx32(src32): movsxd dst, src32 */
static inline void sx32(jit_em *e, enum x64_reg dst, enum x64_reg src)
{
	x64_movx(&e->b, true, 8, 4, dst, R(src));
}
/* load n bytes at [r15 + rax] into dst, zero- or sign-extended to 64 bits */
static inline void load_guest(jit_em *e, enum x64_reg dst, int n, bool sign)
{
	if (n == 8) x64_mov_rrm(&e->b, 8, dst, GUEST(RAX));
	else if (n == 4 && !sign) x64_mov_rrm(&e->b, 4, dst, GUEST(RAX));
	else x64_movx(&e->b, sign, sign ? 8 : 4, n, dst, GUEST(RAX));
}
/* rax = rax <kind> (guest register b) for sz 4/8; uses cl (saving the guest register in rcx)
 * unless BMI2 shlx/shrx/sarx applies. */
static inline void shift_rax_by(jit_em *e, enum x64_shift kind, int sz, enum x64_reg b)
{
	if (e->f.bmi2 && (kind == X64_SHL || kind == X64_SHR || kind == X64_SAR)) {
		x64_shiftx(&e->b, kind, sz, RAX, R(RAX), b);   /* shlx rax, rax, b */
		return;
	}
	if (b == RCX) {
		x64_shift_cl(&e->b, kind, sz, R(RAX));        /* shl rax, cl */
		return;
	}
	x64_mov_rmr(&e->b, 8, CTXM(spill_rcx), RCX);      /* mov [ctx.spill_rcx], rcx */
	x64_mov(&e->b, RCX, b);                           /* mov rcx, b */
	x64_shift_cl(&e->b, kind, sz, R(RAX));            /* shl rax, cl */
	x64_mov_rrm(&e->b, 8, RCX, CTXM(spill_rcx));      /* mov rcx, [ctx.spill_rcx] */
}
/* dst = rax (sz 8) or sx32(eax) (sz 4) */
static inline void rax_to(jit_em *e, int sz, enum x64_reg dst)
{
	if (sz == 4) sx32(e, dst, RAX);
	else x64_mov(&e->b, dst, RAX);
}

/* The active mutant's replacement template when it breaks opcode op, else NULL (jit/mutants.c;
 * always NULL without JITPROOF_MUTANTS). */
#ifdef JITPROOF_MUTANTS
tpl_fn *jit_mutant_template(unsigned op);
#else
static inline tpl_fn *jit_mutant_template(unsigned op) { (void)op; return NULL; }
#endif
#endif
