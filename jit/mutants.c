/* jit/mutants.c: the replacement templates of pvm/mutants.def, compiled only with
 * -DJITPROOF_MUTANTS=ON: one per TEMPLATE row, emitted for its opcode instead of the real template
 * of jit/templates.c when that row is the active mutant (the registry and the HOOK rows' value
 * functions are in pvm/mutants.c). Each replacement shows its (wrong) assembly; the real one is in
 * jit/templates.c. */
#include <string.h>
#include "pvm/pvm.h"
#include "pvm/mutant.h"
#include "jit/template.h"

/* ---- pieces shared by several mutants ------------------------------------------------------- */

/* The head of the division template (templates.c t_div) for size sz, the zero guard optional:
 *   mov [spill_rcx], rcx ; mov [spill_rdx], rdx ; mov rax, A ; mov rcx, B ; mov [spill_a], rax ;
 *   mov [spill_b], rcx ; mov edx, 1 ; (guard: test rcx, rcx ; cmovz rcx, rdx) */
static void div_head(jit_em *e, const pvm_inst *in, int sz, bool guard)
{
	x64_buf *b = &e->b;
	x64_mov_rmr(b, 8, CTXM(spill_rcx), RCX);
	x64_mov_rmr(b, 8, CTXM(spill_rdx), RDX);
	x64_mov_rmr(b, sz, R(RAX), A(in));
	x64_mov_rmr(b, sz, R(RCX), B(in));
	x64_mov_rmr(b, 8, CTXM(spill_a), RAX);
	x64_mov_rmr(b, 8, CTXM(spill_b), RCX);
	x64_mov_r32_imm(b, RDX, 1);
	if (guard) {
		x64_test(b, sz, R(RCX), RCX);
		x64_cmov(b, X64_CC_E, sz, RCX, R(RDX));
	}
}
/* unsigned: xor edx, edx ; div rcx */
static void div_unsigned(jit_em *e, int sz)
{
	x64_alu_rrm(&e->b, X64_XOR, 4, RDX, R(RDX));
	x64_grp3(&e->b, X64_DIV, sz, R(RCX));
}
/* The tail: (restore_rcx: mov rcx, [spill_rcx]) ; mov rdx, [spill_rdx] ; mov D, rax
 * (N = 32: movsxd D, eax) */
static void div_tail(jit_em *e, const pvm_inst *in, int sz, bool restore_rcx)
{
	if (restore_rcx) x64_mov_rrm(&e->b, 8, RCX, CTXM(spill_rcx));
	x64_mov_rrm(&e->b, 8, RDX, CTXM(spill_rdx));
	rax_to(e, sz, D(in));
}
/* div, x / 0 = -1: mov rcx, -1 ; cmp [spill_b], 0 ; cmovz rax, rcx */
static void div_by_zero(jit_em *e, int sz)
{
	x64_mov_rm_imm(&e->b, 8, R(RCX), -1);
	x64_alu_imm8(&e->b, X64_CMP, sz, CTXM(spill_b), 0);
	x64_cmov(&e->b, X64_CC_E, sz, RAX, R(RCX));
}
/* rem, x % 0 = x: cmp [spill_b], 0 ; cmovz rdx, [spill_a] ; mov rax, rdx */
static void rem_by_zero(jit_em *e, int sz)
{
	x64_alu_imm8(&e->b, X64_CMP, sz, CTXM(spill_b), 0);
	x64_cmov(&e->b, X64_CC_E, sz, RDX, CTXM(spill_a));
	x64_mov_rmr(&e->b, sz, R(RAX), RDX);
}
/* The head of mul_upper (templates.c t_mulh): mov [spill_rdx], rdx ;
 * (spill: mov [spill_a], A ; mov [spill_b], B) ; mov rax, A ; imul B (sign) | mul B */
static void mulh_head(jit_em *e, const pvm_inst *in, bool spill, bool sign)
{
	x64_buf *b = &e->b;
	x64_mov_rmr(b, 8, CTXM(spill_rdx), RDX);
	if (spill) {
		x64_mov_rmr(b, 8, CTXM(spill_a), A(in));
		x64_mov_rmr(b, 8, CTXM(spill_b), B(in));
	}
	x64_mov(b, RAX, A(in));
	x64_grp3(b, sign ? X64_IMUL1 : X64_MUL, 8, R(B(in)));
}
/* mov rax, rdx ; (restore: mov rdx, [spill_rdx]) ; mov D, rax */
static void mulh_tail(jit_em *e, const pvm_inst *in, bool restore)
{
	x64_mov(&e->b, RAX, RDX);
	if (restore) x64_mov_rrm(&e->b, 8, RDX, CTXM(spill_rdx));
	x64_mov(&e->b, D(in), RAX);
}

/* ---- replacement templates (TEMPLATE rows), in the order of mutants.def ---------------------- */

/* add_32: D == A: add D32, B32 | D == B: add D32, A32 | else: lea D32, [A + B]  (no movsxd) */
static void mut_add_32_no_sext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	enum x64_reg dst = D(in), a = A(in), src = B(in);
	if (dst != a && dst != src) x64_lea(&e->b, 4, dst, x64_m(a, src, 0));
	else x64_alu_rrm(&e->b, X64_ADD, 4, dst, R(dst == a ? src : a));
}
/* sub_32: mov rax, A ; sub eax, B32 ; mov D, rax  (no movsxd) */
static void mut_sub_32_no_sext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_mov(&e->b, RAX, A(in));
	x64_alu_rrm(&e->b, X64_SUB, 4, RAX, R(B(in)));
	x64_mov(&e->b, D(in), RAX);
}
/* add_imm_32: lea eax, [B + X] ; mov A, rax  (no movsxd) */
static void mut_add_imm_32_no_sext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	x64_mov(&e->b, A(in), RAX);
}
/* shlo_l_32: mov rax, A ; shl rax by B (64-bit: B & 63) ; movsxd D, eax */
static void mut_shlo_l_32_mask64(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_mov(&e->b, RAX, A(in));
	shift_rax_by(e, X64_SHL, 8, B(in));
	rax_to(e, 4, D(in));
}
/* shlo_r_imm_32: mov eax, B32 ; shr rax, X & 63 ; movsxd A, eax */
static void mut_shlo_r_imm_32_mask64(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_mov32(&e->b, RAX, B(in));
	imm_field(e, x64_shift_imm(&e->b, X64_SHR, 8, R(RAX), (uint8_t)(in->imm & 63)), 1, JIT_IMM_LOW8_MASK63, 0);
	sx32(e, A(in), RAX);
}
/* shar_r_32: movsxd rax, A32 ; sar rax by B (64-bit: B & 63) ; movsxd D, eax */
static void mut_shar_r_32_mask64(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	sx32(e, RAX, A(in));
	shift_rax_by(e, X64_SAR, 8, B(in));
	rax_to(e, 4, D(in));
}
/* <shift> rax, cl with the result written before rcx is restored:
 *   mov [spill_rcx], rcx ; mov rcx, B ; <shift> rax, cl ; mov A, rax ; mov rcx, [spill_rcx] */
static void shift_alt_rcx_dest(jit_em *e, const pvm_inst *in, enum x64_shift k)
{
	x64_mov_rmr(&e->b, 8, CTXM(spill_rcx), RCX);
	x64_mov(&e->b, RCX, B(in));
	x64_shift_cl(&e->b, k, 8, R(RAX));
	x64_mov(&e->b, A(in), RAX);
	x64_mov_rrm(&e->b, 8, RCX, CTXM(spill_rcx));
}
/* shlo_l_imm_alt_64: mov rax, simm32 X ; then BMI2: shlx rax, rax, B ; mov A, rax (as the real
 * template) | portable: shift_alt_rcx_dest */
static void mut_shlo_l_imm_alt_64_rcx_dest(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	rax_imm(e, 8, 0);
	if (e->f.bmi2) {
		shift_rax_by(e, X64_SHL, 8, B(in));
		x64_mov(&e->b, A(in), RAX);
	} else {
		shift_alt_rcx_dest(e, in, X64_SHL);
	}
}
/* rot_r_64_imm_alt: mov rax, simm32 X ; shift_alt_rcx_dest (ror) */
static void mut_rot_r_64_imm_alt_rcx_dest(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	rax_imm(e, 8, 0);
	shift_alt_rcx_dest(e, in, X64_ROR);
}
/* div_u_64: div_head ; xor edx, edx ; div rcx ; mov rcx, -1 (x / 0 not replaced) ; div_tail */
static void mut_div_u_64_zero_result(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	div_head(e, in, 8, true);
	div_unsigned(e, 8);
	x64_mov_rm_imm(&e->b, 8, R(RCX), -1);
	div_tail(e, in, 8, true);
}
/* div_s_64: div_head ; cmp rcx, -1 ; mov edx, 1 ; cmovz rcx, rdx (any x / -1 becomes x / 1) ;
 * cqo ; idiv rcx ; x / 0 = -1 ; div_tail */
static void mut_div_s_64_minus_one_only(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	div_head(e, in, 8, true);
	x64_alu_imm8(b, X64_CMP, 8, R(RCX), -1);
	x64_mov_r32_imm(b, RDX, 1);
	x64_cmov(b, X64_CC_E, 8, RCX, R(RDX));
	x64_cqo(b, 8);
	x64_grp3(b, X64_IDIV, 8, R(RCX));
	div_by_zero(e, 8);
	div_tail(e, in, 8, true);
}
/* rem_s_32: div_head ; mov rdx, rax (B not looked at) ; neg edx ; mov edx, 1 ; cmovo ecx, edx ;
 * cdq ; idiv ecx ; x % 0 = x ; div_tail */
static void mut_rem_s_32_min_only(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	div_head(e, in, 4, true);
	x64_mov(b, RDX, RAX);
	x64_grp3(b, X64_NEG, 4, R(RDX));
	x64_mov_r32_imm(b, RDX, 1);
	x64_cmov(b, X64_CC_O, 4, RCX, R(RDX));
	x64_cqo(b, 4);
	x64_grp3(b, X64_IDIV, 4, R(RCX));
	rem_by_zero(e, 4);
	div_tail(e, in, 4, true);
}
/* rem_u_32: div_head without the zero guard ; xor edx, edx ; div ecx ; x % 0 = x ; div_tail */
static void mut_rem_u_32_no_zero_guard(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	div_head(e, in, 4, false);
	div_unsigned(e, 4);
	rem_by_zero(e, 4);
	div_tail(e, in, 4, true);
}
/* rem_u_64: div_head ; xor edx, edx ; div rcx ; mov rax, rdx (x % 0 not replaced) ; div_tail */
static void mut_rem_u_64_zero_result(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	div_head(e, in, 8, true);
	div_unsigned(e, 8);
	x64_mov_rmr(&e->b, 8, R(RAX), RDX);
	div_tail(e, in, 8, true);
}
/* branch_lt_s: cmp A, B ; jb branch(T) */
static void mut_branch_lt_s_unsigned(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_alu_rmr(&e->b, X64_CMP, 8, R(A(in)), B(in));
	jit_em_exit(e, x64_jcc32(&e->b, X64_CC_B), JIT_EXIT_BRANCH, in->pc, in->target, 0, 0);
}
/* set_lt_s_imm: xor eax, eax ; cmp B, simm32 ; setb al ; mov A, rax */
static void mut_set_lt_s_imm_unsigned(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_alu_rrm(&e->b, X64_XOR, 4, RAX, R(RAX));
	imm_field(e, x64_alu_imm32(&e->b, X64_CMP, 8, R(B(in)), (int32_t)in->imm), 4, JIT_IMM_SEXT32, 0);
	x64_setcc(&e->b, X64_CC_B, RAX);
	x64_mov(&e->b, A(in), RAX);
}
/* max: mov rax, A ; cmp A, B ; cmovb rax, B ; mov D, rax */
static void mut_max_unsigned(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_mov(&e->b, RAX, A(in));
	x64_alu_rmr(&e->b, X64_CMP, 8, R(A(in)), B(in));
	x64_cmov(&e->b, X64_CC_B, 8, RAX, R(B(in)));
	x64_mov(&e->b, D(in), RAX);
}
/* branch_ge_u_imm: cmp A, simm32 ; jge branch(T) */
static void mut_branch_ge_u_imm_signed(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	imm_field(e, x64_alu_imm32(&e->b, X64_CMP, 8, R(A(in)), (int32_t)in->imm), 4, JIT_IMM_SEXT32, 0);
	jit_em_exit(e, x64_jcc32(&e->b, X64_CC_GE), JIT_EXIT_BRANCH, in->pc, in->target, 0, 0);
}
/* load_ind_i8: lea eax, [B + X] ; movzx A32, byte [r15 + rax] */
static void mut_load_ind_i8_zext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	load_guest(e, A(in), 1, false);
}
/* load_i16: mov eax, X ; movzx A32, word [r15 + rax] */
static void mut_load_i16_zext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_imm(e, 0);
	load_guest(e, A(in), 2, false);
}
/* load_ind_u32: lea eax, [B + X] ; movsxd A, dword [r15 + rax] */
static void mut_load_ind_u32_sext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	load_guest(e, A(in), 4, true);
}
/* store_ind_u16: lea eax, [B + X] ; mov dword [r15 + rax], A32 */
static void mut_store_ind_u16_width32(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	x64_mov_rmr(&e->b, 4, GUEST(RAX), A(in));
}
/* store_u8: mov eax, X ; mov word [r15 + rax], A16 */
static void mut_store_u8_width16(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_imm(e, 0);
	x64_mov_rmr(&e->b, 2, GUEST(RAX), A(in));
}
/* and_imm: mov A, B (unless equal) ; mov eax, X ; and A, rax */
static void mut_and_imm_zext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	if (A(in) != B(in)) x64_mov(&e->b, A(in), B(in));
	addr_imm(e, 0);
	x64_alu_rrm(&e->b, X64_AND, 8, A(in), R(RAX));
}
/* add_imm_64: mov eax, X ; lea A, [B + rax] */
static void mut_add_imm_64_zext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_imm(e, 0);
	x64_lea(&e->b, 8, A(in), x64_m(B(in), RAX, 0));
}
/* mul_upper_s_u: mulh_head (imul) ; mulh_tail  (no correction) */
static void mut_mul_upper_s_u_as_s_s(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	mulh_head(e, in, true, true);
	mulh_tail(e, in, true);
}
/* mul_upper_s_u: mulh_head (mul) ; mulh_tail  (no correction) */
static void mut_mul_upper_s_u_as_u_u(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	mulh_head(e, in, true, false);
	mulh_tail(e, in, true);
}
/* mul_upper_s_u: mulh_head (mul) ; mov rax, [spill_b] ; sar rax, 63 ; and rax, [spill_a] ;
 * sub rdx, rax ; mulh_tail */
static void mut_mul_upper_s_u_swapped(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	mulh_head(e, in, true, false);
	x64_mov_rrm(b, 8, RAX, CTXM(spill_b));
	x64_shift_imm(b, X64_SAR, 8, R(RAX), 63);
	x64_alu_rrm(b, X64_AND, 8, RAX, CTXM(spill_a));
	x64_alu_rrm(b, X64_SUB, 8, RDX, R(RAX));
	mulh_tail(e, in, true);
}
/* mul_upper_u_u: mov [spill_rdx], rdx ; mov rax, A ; mul B ; mov rax, rdx ; mov D, rax */
static void mut_mul_upper_u_u_clobber(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	mulh_head(e, in, false, false);
	mulh_tail(e, in, false);
}
/* div_u_32: div_head ; xor edx, edx ; div ecx ; x / 0 = -1 ; mov rdx, [spill_rdx] ; movsxd D, eax */
static void mut_div_u_32_rcx_clobber(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	div_head(e, in, 4, true);
	div_unsigned(e, 4);
	div_by_zero(e, 4);
	div_tail(e, in, 4, false);
}
/* sbrk: jmp sbrk(next pc) */
static void mut_sbrk_exit_next(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_SBRK, in->next, 0, 0, 0);
}

/* unlikely: jmp panic(pc) */
static void mut_unlikely_trap(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_PANIC, in->pc, 0, 0, 0);
}

/* ---- the registry's side in the JIT --------------------------------------------------------- */

/* A row's `how` column: TEMPLATE rows have their template here, HOOK rows a value function in
 * pvm/mutants.c (the registry). */
#define TPL_TEMPLATE(id) mut_##id
#define TPL_HOOK(h) TPL_NONE
#define TPL_NONE(id) NULL

static tpl_fn *const tpl[] = {
#define MUTANT(id, op, cls, how, what) TPL_##how(id),
#include "pvm/mutants.def"
#undef MUTANT
};
_Static_assert(sizeof tpl / sizeof tpl[0] == PVM_MUT_COUNT - 1, "one template slot per mutant id");

tpl_fn *jit_mutant_template(unsigned op)
{
	pvm_mutant_id id = pvm_mutant_active();
	if (id == PVM_MUT_NONE) return NULL;
	size_t n;
	const pvm_mutant *m = &pvm_mutants(&n)[id - 1];
	return m->hook == PVM_HOOK_NONE && m->opcode == op ? tpl[id - 1] : NULL;
}
