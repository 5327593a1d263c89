/* jit/templates.c: one x86-64 template per PVM opcode, in one op-indexed table expanded from
 * pvm/opcodes.def. Each template is straight-line code over the pinned registers
 * (jit_reg_map), leaves only through rel32 exits, and reports its immediate fields.
 * Register aliasing (rd == ra, ...) is the only kind of emitter case; immediates never are. */
#include <stdlib.h>
#include "jit/template.h"
#include "pvm/mutant.h"

/* guest register 0..12 → host register; r15 = membase, rax = scratch, rsp = stack */
const enum x64_reg jit_reg_map[PVM_NUM_REGS] = {
	X64_RBX, X64_RSI, X64_RDI, X64_R8, X64_R9, X64_R10, X64_R11,
	X64_R12, X64_R13, X64_R14, X64_RBP, X64_RDX, X64_RCX,
};

bool jit_em_exits_grow(jit_em *e)
{
	if (e->fixed_exits) { /* a caller's array, full */
		e->b.err = true;
		return false;
	}
	e->cap_exits = e->cap_exits ? 2 * e->cap_exits : 64;
	e->exits = pvm_xrealloc(e->exits, e->cap_exits * sizeof *e->exits);
	return true;
}

/* ---- templates ---------------------------------------------------------------------------- */

/* trap: jmp panic(pc) */
static void t_trap(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_PANIC, in->pc, 0, 0, 0);
}
/* fallthrough, unlikely: (nothing) */
static void t_nop(jit_em *e, const pvm_inst *in, const tpl_desc *d) {}
/* ecalli X: jmp host(pc, X) */
static void t_ecalli(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_HOST, in->pc, 0, (uint32_t)in->imm, 0);
}
/* sbrk: jmp sbrk(pc) — the runtime performs it and resumes at the next instruction */
static void t_sbrk(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_SBRK, in->pc, 0, 0, 0);
}
/* load_imm_64: movabs A, X */
static void t_load_imm_64(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	imm_field(e, x64_mov_r64_imm64(&e->b, A(in), in->imm), 8, JIT_IMM_64, 0);
}
/* store_imm_uN X, Y:  mov eax, X ; mov N [r15 + rax], Y   (N: the table's access width) */
static void t_store_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	int n = pvm_ops[in->op].width;
	addr_imm(e, 0);
	size_t at = x64_mov_rm_imm(&e->b, n, GUEST(RAX), (int64_t)in->imm2);
	imm_field(e, at, n == 8 ? 4 : n, n == 1 ? JIT_IMM_LOW8 : n == 2 ? JIT_IMM_LOW16
	          : n == 4 ? JIT_IMM_LOW32 : JIT_IMM_SEXT32, 1);
}
/* store_imm_ind_uN rA, X, Y:  lea eax, [A + X] ; mov N [r15 + rax], Y */
static void t_store_imm_ind(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	int n = pvm_ops[in->op].width;
	addr_reg_imm(e, A(in), 0);
	size_t at = x64_mov_rm_imm(&e->b, n, GUEST(RAX), (int64_t)in->imm2);
	imm_field(e, at, n == 8 ? 4 : n, n == 1 ? JIT_IMM_LOW8 : n == 2 ? JIT_IMM_LOW16
	          : n == 4 ? JIT_IMM_LOW32 : JIT_IMM_SEXT32, 1);
}
/* jump: jmp branch(target) */
static void t_jump(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_BRANCH, in->pc, in->target, 0, 0);
}
/* jump_ind rA, X:  lea eax, [A + X] ; jmp djump(eax) */
static void t_jump_ind(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, A(in), 0);
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_DJUMP, in->pc, 0, 0, RAX);
}
/* load_imm rA, X:  mov A, simm32 */
static void t_load_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	imm_field(e, x64_mov_rm_imm(&e->b, 8, R(A(in)), (int64_t)in->imm), 4, JIT_IMM_SEXT32, 0);
}
/* load_{u,i}N rA, X:  mov eax, X ; mov/movzx/movsx A, N [r15 + rax]   (N, sign: the table's) */
static void t_load(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_imm(e, 0);
	load_guest(e, A(in), pvm_ops[in->op].width, pvm_ops[in->op].acc == PVM_ACC_LOADS);
}
/* store_uN rA, X:  mov eax, X ; mov N [r15 + rax], A */
static void t_store(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_imm(e, 0);
	x64_mov_rmr(&e->b, pvm_ops[in->op].width, GUEST(RAX), A(in));
}
/* load_imm_jump rA, X, T:  mov A, simm32 ; jmp branch(T) */
static void t_load_imm_jump(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	t_load_imm(e, in, d);
	t_jump(e, in, d);
}
/* branch_<cc>_imm rA, X, T:  cmp A, simm32 ; j<cc> branch(T)  (S8: cmp A, simm8) */
static void t_branch_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	alu_imm_x(e, X64_CMP, R(A(in)));
	jit_em_exit(e, x64_jcc32(&e->b, (enum x64_cc)d->a), JIT_EXIT_BRANCH, in->pc, in->target, 0, 0);
}
/* move_reg rD, rA:  mov D, A (nothing when D == A) */
static void t_move(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	if (D(in) != A(in)) x64_mov(&e->b, D(in), A(in));
}
/* count_set_bits_N: popcnt D, A  | portable: SWAR in rax with rcx/rdx saved, its last step by shifts
 * and adds, not a multiply by 0x0101010101010101 (which Z3 took 3.5 s to see through) */
static void t_popcnt(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	if (e->f.popcnt) {
		x64_bitcount(b, "popcnt", true, 0xB8, d->a, D(in), R(A(in)));
		return;
	}
	static const uint64_t m[] = { 0x5555555555555555ull, 0x3333333333333333ull, 0x0f0f0f0f0f0f0f0full };
	x64_mov_rmr(b, 8, CTXM(spill_rcx), RCX);
	x64_mov_rmr(b, 8, CTXM(spill_rdx), RDX);
	if (d->a == 4) x64_mov32(b, RAX, A(in));     /* mov eax, A32 */
	else x64_mov(b, RAX, A(in));                  /* mov rax, A */
	x64_mov(b, RCX, RAX);                         /* x - ((x >> 1) & m1) */
	x64_shift_imm(b, X64_SHR, 8, R(RCX), 1);
	x64_mov_r64_imm64(b, RDX, m[0]);
	x64_alu_rrm(b, X64_AND, 8, RCX, R(RDX));
	x64_alu_rrm(b, X64_SUB, 8, RAX, R(RCX));
	x64_mov_r64_imm64(b, RDX, m[1]);              /* (x & m2) + ((x >> 2) & m2) */
	x64_mov(b, RCX, RAX);
	x64_shift_imm(b, X64_SHR, 8, R(RCX), 2);
	x64_alu_rrm(b, X64_AND, 8, RCX, R(RDX));
	x64_alu_rrm(b, X64_AND, 8, RAX, R(RDX));
	x64_alu_rrm(b, X64_ADD, 8, RAX, R(RCX));
	x64_mov(b, RCX, RAX);                         /* (x + (x >> 4)) & m4 */
	x64_shift_imm(b, X64_SHR, 8, R(RCX), 4);
	x64_alu_rrm(b, X64_ADD, 8, RAX, R(RCX));
	x64_mov_r64_imm64(b, RDX, m[2]);
	x64_alu_rrm(b, X64_AND, 8, RAX, R(RDX));
	for (uint8_t k = 8; k <= 32; k *= 2) {         /* x += x >> 8, >> 16, >> 32: the eight byte */
		x64_mov(b, RCX, RAX);                     /* counts (each <= 8) summed into the low byte */
		x64_shift_imm(b, X64_SHR, 8, R(RCX), k);  /* (no carry reaches it: every byte stays < 256) */
		x64_alu_rrm(b, X64_ADD, 8, RAX, R(RCX));
	}
	x64_alu_imm32(b, X64_AND, 4, R(RAX), 0x7f);   /* and eax, 0x7f: the count (<= 64), the rest 0 */
	x64_mov_rrm(b, 8, RCX, CTXM(spill_rcx));
	x64_mov_rrm(b, 8, RDX, CTXM(spill_rdx));
	x64_mov(b, D(in), RAX);
}
/* leading_zero_bits_N: lzcnt D, A | portable: bsr rax, A ; mov [spill], rcx ; mov ecx, 2N-1 ;
 * cmovz rax, rcx ; xor eax, N-1 ; restore rcx ; mov D, rax */
static void t_clz(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	int n = d->a;
	if (e->f.lzcnt) {
		x64_bitcount(b, "lzcnt", true, 0xBD, n, RAX, R(A(in)));
		x64_mov(b, D(in), RAX);
		return;
	}
	x64_bitcount(b, "bsr", false, 0xBD, n, RAX, R(A(in)));
	x64_mov_rmr(b, 8, CTXM(spill_rcx), RCX);
	x64_mov_r32_imm(b, RCX, (uint32_t)(n * 16 - 1));
	x64_cmov(b, X64_CC_E, 8, RAX, R(RCX));
	x64_alu_imm32(b, X64_XOR, 4, R(RAX), n * 8 - 1);
	x64_mov_rrm(b, 8, RCX, CTXM(spill_rcx));
	x64_mov(b, D(in), RAX);
}
/* trailing_zero_bits_N: tzcnt D, A | portable: bsf rax, A ; ecx = N ; cmovz rax, rcx */
static void t_ctz(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	int n = d->a;
	if (e->f.bmi1) {
		x64_bitcount(b, "tzcnt", true, 0xBC, n, RAX, R(A(in)));
		x64_mov(b, D(in), RAX);
		return;
	}
	x64_bitcount(b, "bsf", false, 0xBC, n, RAX, R(A(in)));
	x64_mov_rmr(b, 8, CTXM(spill_rcx), RCX);
	x64_mov_r32_imm(b, RCX, (uint32_t)(n * 8));
	x64_cmov(b, X64_CC_E, 8, RAX, R(RCX));
	x64_mov_rrm(b, 8, RCX, CTXM(spill_rcx));
	x64_mov(b, D(in), RAX);
}
/* sign_extend_8/16: movsx D, A8/A16 ; zero_extend_16: movzx D32, A16 */
static void t_ext(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_movx(&e->b, d->b, d->b ? 8 : 4, d->a, D(in), R(A(in)));
}
/* reverse_bytes: mov D, A (unless equal) ; bswap D */
static void t_bswap(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	t_move(e, in, d);
	x64_bswap(&e->b, D(in));
}
/* store_ind_uN rA, rB, X:  lea eax, [B + X] ; mov N [r15 + rax], A */
static void t_store_ind(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	x64_mov_rmr(&e->b, pvm_ops[in->op].width, GUEST(RAX), A(in));
}
/* load_ind_{u,i}N rA, rB, X:  lea eax, [B + X] ; mov/movzx/movsx A, N [r15 + rax] */
static void t_load_ind(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	load_guest(e, A(in), pvm_ops[in->op].width, pvm_ops[in->op].acc == PVM_ACC_LOADS);
}
/* add_imm_32:  lea eax, [B + X] ; movsxd A, eax */
static void t_add_imm_32(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 0);
	sx32(e, A(in), RAX);
}
/* add_imm_64:  lea A, [B + disp32 X]  (S8: lea A, [B + disp8 X]) */
static void t_add_imm_64(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	lea_imm(e, 8, A(in), B(in), 0);
}
/* and/xor/or_imm:  mov A, B (unless equal) ; op A, simm32  (S8: op A, simm8) */
static void t_alu_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	t_move(e, &(pvm_inst){ .ra = in->rb, .rd = in->ra }, d);
	alu_imm_x(e, (enum x64_alu)d->a, R(A(in)));
}
/* mul_imm_N:  imul A, B, imm32 (N = 32: imul eax, B32, imm32 ; movsxd A, eax) */
static void t_mul_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	enum x64_reg dst = d->a == 4 ? RAX : A(in);
	imm_field(e, x64_imul_imm(&e->b, d->a, dst, R(B(in)), (int32_t)in->imm), 4,
	          d->a == 4 ? JIT_IMM_LOW32 : JIT_IMM_SEXT32, 0);
	if (d->a == 4) sx32(e, A(in), RAX);
}
/* set_<cc>_imm:  xor eax, eax ; cmp B, simm32 ; set<cc> al ; mov A, rax */
static void t_set_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_alu_rrm(&e->b, X64_XOR, 4, RAX, R(RAX));
	alu_imm_x(e, X64_CMP, R(B(in)));
	x64_setcc(&e->b, (enum x64_cc)d->a, RAX);
	x64_mov(&e->b, A(in), RAX);
}
/* <shift>_imm_32 / rot_r_32_imm:  mov eax, B32 ; <shift> eax, X & 31 ; movsxd A, eax
 * (rot_r_32_imm with BMI2: rorx eax, B32, X & 31) */
static void t_shift_imm32(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	if (d->a == X64_ROR && e->f.bmi2) {
		imm_field(e, x64_rorx(&e->b, 4, RAX, R(B(in)), (uint8_t)(in->imm & 31)), 1, JIT_IMM_LOW8_MASK31, 0);
	} else {
		x64_mov32(&e->b, RAX, B(in));
		imm_field(e, x64_shift_imm(&e->b, (enum x64_shift)d->a, 4, R(RAX), (uint8_t)(in->imm & 31)),
		          1, JIT_IMM_LOW8_MASK31, 0);
	}
	sx32(e, A(in), RAX);
}
/* <shift>_imm_64 / rot_r_64_imm:  mov A, B (unless equal) ; <shift> A, X & 63
 * (rot_r_64_imm with BMI2: rorx A, B, X & 63) */
static void t_shift_imm64(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	if (d->a == X64_ROR && e->f.bmi2) {
		imm_field(e, x64_rorx(&e->b, 8, A(in), R(B(in)), (uint8_t)(in->imm & 63)), 1, JIT_IMM_LOW8_MASK63, 0);
		return;
	}
	t_move(e, &(pvm_inst){ .ra = in->rb, .rd = in->ra }, d);
	imm_field(e, x64_shift_imm(&e->b, (enum x64_shift)d->a, 8, R(A(in)), (uint8_t)(in->imm & 63)),
	          1, JIT_IMM_LOW8_MASK63, 0);
}
/* neg_add_imm_N:  mov rax, X ; sub rax, B ; mov A, rax (N = 32: 32-bit ops, movsxd) */
static void t_neg_add_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	rax_imm(e, d->a, 0);
	x64_alu_rrm(&e->b, X64_SUB, d->a, RAX, R(B(in)));
	rax_to(e, d->a, A(in));
}
/* <shift>_imm_alt_N / rot_r_N_imm_alt:  mov rax, simm32 X ; <shift> rax by B (shift_rax_by) ;
 * mov A, rax  (N = 32: mov eax, X ; <shift> eax ; movsxd A, eax) */
static void t_shift_alt(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	rax_imm(e, d->b, 0);
	shift_rax_by(e, (enum x64_shift)d->a, d->b, B(in));
	rax_to(e, d->b, A(in));
}
/* cmov_<cc>_imm:  mov rax, simm32 ; test B, B ; cmov<cc> A, rax */
static void t_cmov_imm(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	rax_imm(e, 8, 0);
	x64_test(&e->b, 8, R(B(in)), B(in));
	x64_cmov(&e->b, (enum x64_cc)d->a, 8, A(in), R(RAX));
}
/* branch_<cc> rA, rB, T:  cmp A, B ; j<cc> branch(T) */
static void t_branch(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_alu_rmr(&e->b, X64_CMP, 8, R(A(in)), B(in));
	jit_em_exit(e, x64_jcc32(&e->b, (enum x64_cc)d->a), JIT_EXIT_BRANCH, in->pc, in->target, 0, 0);
}
/* load_imm_jump_ind rA, rB, X, Y:  lea eax, [B + Y] ; mov A, simm32 X ; jmp djump(eax) */
static void t_load_imm_jump_ind(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	addr_reg_imm(e, B(in), 1);
	t_load_imm(e, in, d);
	jit_em_exit(e, x64_jmp32(&e->b), JIT_EXIT_DJUMP, in->pc, 0, 0, RAX);
}
/* add/and/or/xor/mul (commutative) rD = rA op rB:
 *   D == A: op D, B | D == B: op D, A | add, D distinct: lea D, [A + B] |
 *   else: mov D, A ; op D, B                                   (N = 32: + movsxd D, D32) */
static void t_alu3(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	int sz = d->b;
	bool mul = d->a < 0;
	enum x64_reg dst = D(in), a = A(in), src = B(in);
	bool sext = sz == 4;
	if (d->a == X64_ADD && dst != a && dst != src) {
		x64_lea(b, sz, dst, x64_m(a, src, 0));
		if (sext) sx32(e, dst, dst);
		return;
	}
	if (dst == src && dst != a) src = a;
	else if (dst != a) x64_mov(b, dst, a);
	if (mul) x64_imul(b, sz, dst, R(src));
	else x64_alu_rrm(b, (enum x64_alu)d->a, sz, dst, R(src));
	if (sext) sx32(e, dst, dst);
}
/* sub_N rD = rA - rB:  mov rax, A ; sub rax, B ; mov D, rax  (N = 32: sub eax, B32 ; movsxd D, eax) */
static void t_sub3(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_mov(&e->b, RAX, A(in));
	x64_alu_rrm(&e->b, X64_SUB, d->b, RAX, R(B(in)));
	rax_to(e, d->b, D(in));
}
/* shifts and rotates rD = rA <op> (rB mod N):
 *   BMI2 shl/shr/sar: shlx D, A, B (N = 32: shlx eax, A32, B32 ; movsxd D, eax)
 *   else: mov rax, A ; [save rcx ; mov rcx, B] ; <op> rax, cl ; [restore rcx] ; mov D, rax
 *         (N = 32: <op> eax, cl ; movsxd D, eax; no save/restore when B is rcx) */
static void t_shift3(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	enum x64_shift k = (enum x64_shift)d->a;
	int sz = d->b;
	if (e->f.bmi2 && (k == X64_SHL || k == X64_SHR || k == X64_SAR)) {
		x64_shiftx(&e->b, k, sz, sz == 8 ? D(in) : RAX, R(A(in)), B(in));
		if (sz == 4) sx32(e, D(in), RAX);
		return;
	}
	x64_mov(&e->b, RAX, A(in));
	shift_rax_by(e, k, sz, B(in));
	rax_to(e, sz, D(in));
}
/* div/rem, unsigned/signed, 32/64 (d->a: 0 divu, 1 divs, 2 remu, 3 rems), branch-free; the
 * divisor is replaced by 1 where x86 would raise #DE, so the idiv/div result is the spec's
 * bvsdiv/bvudiv everywhere else:
 *   mov [spill_rcx], rcx ; mov [spill_rdx], rdx ; mov rax, A ; mov rcx, B
 *   mov [spill_a], rax ; mov [spill_b], rcx ; mov edx, 1 ; test rcx, rcx ; cmovz rcx, rdx
 *   signed: xor edx, edx ; cmp rcx, -1 ; cmovz rdx, rax ; neg rdx ; mov edx, 1 ; cmovo rcx, rdx
 *           (OF of neg: rdx = MIN, i.e. A = MIN and B = -1: MIN / 1 = MIN and MIN % 1 = 0,
 *           exactly the spec's overflow results) ; cqo ; idiv rcx
 *   unsigned: xor edx, edx ; div rcx
 *   div: mov rcx, -1 ; cmp [spill_b], 0 ; cmovz rax, rcx                      (a / 0 = -1)
 *   rem: cmp [spill_b], 0 ; cmovz rdx, [spill_a] ; mov rax, rdx              (a % 0 = a)
 *   mov rcx, [spill_rcx] ; mov rdx, [spill_rdx] ; mov D, rax (N = 32: movsxd D, eax)
 * N = 32 uses the 32-bit forms throughout. */
static void t_div(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	int sz = d->b;
	bool sign = d->a & 1, rem = d->a & 2;
	x64_mov_rmr(b, 8, CTXM(spill_rcx), RCX);
	x64_mov_rmr(b, 8, CTXM(spill_rdx), RDX);
	x64_mov_rmr(b, sz, R(RAX), A(in));
	x64_mov_rmr(b, sz, R(RCX), B(in));
	x64_mov_rmr(b, 8, CTXM(spill_a), RAX);
	x64_mov_rmr(b, 8, CTXM(spill_b), RCX);
	x64_mov_r32_imm(b, RDX, 1);
	x64_test(b, sz, R(RCX), RCX);
	x64_cmov(b, X64_CC_E, sz, RCX, R(RDX));
	if (sign) {
		x64_alu_rrm(b, X64_XOR, 4, RDX, R(RDX));
		x64_alu_imm8(b, X64_CMP, sz, R(RCX), -1);
		x64_cmov(b, X64_CC_E, sz, RDX, R(RAX));
		x64_grp3(b, X64_NEG, sz, R(RDX));
		x64_mov_r32_imm(b, RDX, 1);
		x64_cmov(b, X64_CC_O, sz, RCX, R(RDX));
		x64_cqo(b, sz);
		x64_grp3(b, X64_IDIV, sz, R(RCX));
	} else {
		x64_alu_rrm(b, X64_XOR, 4, RDX, R(RDX));
		x64_grp3(b, X64_DIV, sz, R(RCX));
	}
	if (!rem) {
		x64_mov_rm_imm(b, 8, R(RCX), -1);
		x64_alu_imm8(b, X64_CMP, sz, CTXM(spill_b), 0);
		x64_cmov(b, X64_CC_E, sz, RAX, R(RCX));
	} else {
		x64_alu_imm8(b, X64_CMP, sz, CTXM(spill_b), 0);
		x64_cmov(b, X64_CC_E, sz, RDX, CTXM(spill_a));
		x64_mov_rmr(b, sz, R(RAX), RDX);
	}
	x64_mov_rrm(b, 8, RCX, CTXM(spill_rcx));
	x64_mov_rrm(b, 8, RDX, CTXM(spill_rdx));
	rax_to(e, sz, D(in));
}
/* mul_upper_{s_s,u_u,s_u}:  mov [spill_rdx], rdx ; (s_u: mov [spill_a], A ; mov [spill_b], B) ;
 *   mov rax, A ; imul B (s_s) | mul B ; (s_u: mov rax, [spill_a] ; sar rax, 63 ;
 *   and rax, [spill_b] ; sub rdx, rax) ; mov rax, rdx ; mov rdx, [spill_rdx] ; mov D, rax */
static void t_mulh(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	x64_mov_rmr(b, 8, CTXM(spill_rdx), RDX);
	if (d->a == 2) {
		x64_mov_rmr(b, 8, CTXM(spill_a), A(in));
		x64_mov_rmr(b, 8, CTXM(spill_b), B(in));
	}
	x64_mov(b, RAX, A(in));
	x64_grp3(b, d->a == 0 ? X64_IMUL1 : X64_MUL, 8, R(B(in)));
	if (d->a == 2) {
		x64_mov_rrm(b, 8, RAX, CTXM(spill_a));
		x64_shift_imm(b, X64_SAR, 8, R(RAX), 63);
		x64_alu_rrm(b, X64_AND, 8, RAX, CTXM(spill_b));
		x64_alu_rrm(b, X64_SUB, 8, RDX, R(RAX));
	}
	x64_mov(b, RAX, RDX);
	x64_mov_rrm(b, 8, RDX, CTXM(spill_rdx));
	x64_mov(b, D(in), RAX);
}
/* set_lt_{u,s}:  xor eax, eax ; cmp A, B ; set<cc> al ; mov D, rax */
static void t_set3(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_alu_rrm(&e->b, X64_XOR, 4, RAX, R(RAX));
	x64_alu_rmr(&e->b, X64_CMP, 8, R(A(in)), B(in));
	x64_setcc(&e->b, (enum x64_cc)d->a, RAX);
	x64_mov(&e->b, D(in), RAX);
}
/* cmov_{iz,nz}:  test B, B ; cmov<cc> D, A */
static void t_cmov3(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_test(&e->b, 8, R(B(in)), B(in));
	x64_cmov(&e->b, (enum x64_cc)d->a, 8, D(in), R(A(in)));
}
/* and_inv / or_inv / xnor (d->a = 0/1/2):
 *   and_inv: andn D, B, A (BMI1) | mov rax, B ; not rax ; and rax, A ; mov D, rax
 *   or_inv:  mov rax, B ; not rax ; or rax, A ; mov D, rax
 *   xnor:    mov rax, A ; xor rax, B ; not rax ; mov D, rax */
static void t_inv(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_buf *b = &e->b;
	if (d->a == 0 && e->f.bmi1) {
		x64_andn(b, 8, D(in), B(in), R(A(in)));
		return;
	}
	if (d->a == 2) {
		x64_mov(b, RAX, A(in));
		x64_alu_rrm(b, X64_XOR, 8, RAX, R(B(in)));
		x64_grp3(b, X64_NOT, 8, R(RAX));
	} else {
		x64_mov(b, RAX, B(in));
		x64_grp3(b, X64_NOT, 8, R(RAX));
		x64_alu_rrm(b, d->a == 0 ? X64_AND : X64_OR, 8, RAX, R(A(in)));
	}
	x64_mov(b, D(in), RAX);
}
/* max/min{,_u}:  mov rax, A ; cmp A, B ; cmov<cc> rax, B ; mov D, rax */
static void t_minmax(jit_em *e, const pvm_inst *in, const tpl_desc *d)
{
	x64_mov(&e->b, RAX, A(in));
	x64_alu_rmr(&e->b, X64_CMP, 8, R(A(in)), B(in));
	x64_cmov(&e->b, (enum x64_cc)d->a, 8, RAX, R(B(in)));
	x64_mov(&e->b, D(in), RAX);
}

/* ---- the table ------------------------------------------------------------------------------ */

#define TPL_trap              { t_trap }
#define TPL_fallthrough       { t_nop }
#define TPL_unlikely          { t_nop }
#define TPL_ecalli            { t_ecalli }
#define TPL_load_imm_64       { t_load_imm_64 }
#define TPL_store_imm_u8      { t_store_imm }
#define TPL_store_imm_u16     { t_store_imm }
#define TPL_store_imm_u32     { t_store_imm }
#define TPL_store_imm_u64     { t_store_imm }
#define TPL_jump              { t_jump }
#define TPL_jump_ind          { t_jump_ind }
#define TPL_load_imm          { t_load_imm }
#define TPL_load_u8           { t_load }
#define TPL_load_i8           { t_load }
#define TPL_load_u16          { t_load }
#define TPL_load_i16          { t_load }
#define TPL_load_u32          { t_load }
#define TPL_load_i32          { t_load }
#define TPL_load_u64          { t_load }
#define TPL_store_u8          { t_store }
#define TPL_store_u16         { t_store }
#define TPL_store_u32         { t_store }
#define TPL_store_u64         { t_store }
#define TPL_store_imm_ind_u8  { t_store_imm_ind }
#define TPL_store_imm_ind_u16 { t_store_imm_ind }
#define TPL_store_imm_ind_u32 { t_store_imm_ind }
#define TPL_store_imm_ind_u64 { t_store_imm_ind }
#define TPL_load_imm_jump     { t_load_imm_jump }
#define TPL_branch_eq_imm     { t_branch_imm, X64_CC_E }
#define TPL_branch_ne_imm     { t_branch_imm, X64_CC_NE }
#define TPL_branch_lt_u_imm   { t_branch_imm, X64_CC_B }
#define TPL_branch_le_u_imm   { t_branch_imm, X64_CC_BE }
#define TPL_branch_ge_u_imm   { t_branch_imm, X64_CC_AE }
#define TPL_branch_gt_u_imm   { t_branch_imm, X64_CC_A }
#define TPL_branch_lt_s_imm   { t_branch_imm, X64_CC_L }
#define TPL_branch_le_s_imm   { t_branch_imm, X64_CC_LE }
#define TPL_branch_ge_s_imm   { t_branch_imm, X64_CC_GE }
#define TPL_branch_gt_s_imm   { t_branch_imm, X64_CC_G }
#define TPL_move_reg          { t_move }
#define TPL_sbrk              { t_sbrk }
#define TPL_count_set_bits_64 { t_popcnt, 8 }
#define TPL_count_set_bits_32 { t_popcnt, 4 }
#define TPL_leading_zero_bits_64  { t_clz, 8 }
#define TPL_leading_zero_bits_32  { t_clz, 4 }
#define TPL_trailing_zero_bits_64 { t_ctz, 8 }
#define TPL_trailing_zero_bits_32 { t_ctz, 4 }
#define TPL_sign_extend_8     { t_ext, 1, 1 }
#define TPL_sign_extend_16    { t_ext, 2, 1 }
#define TPL_zero_extend_16    { t_ext, 2, 0 }
#define TPL_reverse_bytes     { t_bswap }
#define TPL_store_ind_u8      { t_store_ind }
#define TPL_store_ind_u16     { t_store_ind }
#define TPL_store_ind_u32     { t_store_ind }
#define TPL_store_ind_u64     { t_store_ind }
#define TPL_load_ind_u8       { t_load_ind }
#define TPL_load_ind_i8       { t_load_ind }
#define TPL_load_ind_u16      { t_load_ind }
#define TPL_load_ind_i16      { t_load_ind }
#define TPL_load_ind_u32      { t_load_ind }
#define TPL_load_ind_i32      { t_load_ind }
#define TPL_load_ind_u64      { t_load_ind }
#define TPL_add_imm_32        { t_add_imm_32 }
#define TPL_and_imm           { t_alu_imm, X64_AND }
#define TPL_xor_imm           { t_alu_imm, X64_XOR }
#define TPL_or_imm            { t_alu_imm, X64_OR }
#define TPL_mul_imm_32        { t_mul_imm, 4 }
#define TPL_set_lt_u_imm      { t_set_imm, X64_CC_B }
#define TPL_set_lt_s_imm      { t_set_imm, X64_CC_L }
#define TPL_shlo_l_imm_32     { t_shift_imm32, X64_SHL }
#define TPL_shlo_r_imm_32     { t_shift_imm32, X64_SHR }
#define TPL_shar_r_imm_32     { t_shift_imm32, X64_SAR }
#define TPL_neg_add_imm_32    { t_neg_add_imm, 4 }
#define TPL_set_gt_u_imm      { t_set_imm, X64_CC_A }
#define TPL_set_gt_s_imm      { t_set_imm, X64_CC_G }
#define TPL_shlo_l_imm_alt_32 { t_shift_alt, X64_SHL, 4 }
#define TPL_shlo_r_imm_alt_32 { t_shift_alt, X64_SHR, 4 }
#define TPL_shar_r_imm_alt_32 { t_shift_alt, X64_SAR, 4 }
#define TPL_cmov_iz_imm       { t_cmov_imm, X64_CC_E }
#define TPL_cmov_nz_imm       { t_cmov_imm, X64_CC_NE }
#define TPL_add_imm_64        { t_add_imm_64 }
#define TPL_mul_imm_64        { t_mul_imm, 8 }
#define TPL_shlo_l_imm_64     { t_shift_imm64, X64_SHL }
#define TPL_shlo_r_imm_64     { t_shift_imm64, X64_SHR }
#define TPL_shar_r_imm_64     { t_shift_imm64, X64_SAR }
#define TPL_neg_add_imm_64    { t_neg_add_imm, 8 }
#define TPL_shlo_l_imm_alt_64 { t_shift_alt, X64_SHL, 8 }
#define TPL_shlo_r_imm_alt_64 { t_shift_alt, X64_SHR, 8 }
#define TPL_shar_r_imm_alt_64 { t_shift_alt, X64_SAR, 8 }
#define TPL_rot_r_64_imm      { t_shift_imm64, X64_ROR }
#define TPL_rot_r_64_imm_alt  { t_shift_alt, X64_ROR, 8 }
#define TPL_rot_r_32_imm      { t_shift_imm32, X64_ROR }
#define TPL_rot_r_32_imm_alt  { t_shift_alt, X64_ROR, 4 }
#define TPL_branch_eq         { t_branch, X64_CC_E }
#define TPL_branch_ne         { t_branch, X64_CC_NE }
#define TPL_branch_lt_u       { t_branch, X64_CC_B }
#define TPL_branch_lt_s       { t_branch, X64_CC_L }
#define TPL_branch_ge_u       { t_branch, X64_CC_AE }
#define TPL_branch_ge_s       { t_branch, X64_CC_GE }
#define TPL_load_imm_jump_ind { t_load_imm_jump_ind }
#define TPL_add_32            { t_alu3, X64_ADD, 4 }
#define TPL_sub_32            { t_sub3, 0, 4 }
#define TPL_mul_32            { t_alu3, -1, 4 }
#define TPL_div_u_32          { t_div, 0, 4 }
#define TPL_div_s_32          { t_div, 1, 4 }
#define TPL_rem_u_32          { t_div, 2, 4 }
#define TPL_rem_s_32          { t_div, 3, 4 }
#define TPL_shlo_l_32         { t_shift3, X64_SHL, 4 }
#define TPL_shlo_r_32         { t_shift3, X64_SHR, 4 }
#define TPL_shar_r_32         { t_shift3, X64_SAR, 4 }
#define TPL_add_64            { t_alu3, X64_ADD, 8 }
#define TPL_sub_64            { t_sub3, 0, 8 }
#define TPL_mul_64            { t_alu3, -1, 8 }
#define TPL_div_u_64          { t_div, 0, 8 }
#define TPL_div_s_64          { t_div, 1, 8 }
#define TPL_rem_u_64          { t_div, 2, 8 }
#define TPL_rem_s_64          { t_div, 3, 8 }
#define TPL_shlo_l_64         { t_shift3, X64_SHL, 8 }
#define TPL_shlo_r_64         { t_shift3, X64_SHR, 8 }
#define TPL_shar_r_64         { t_shift3, X64_SAR, 8 }
#define TPL_and               { t_alu3, X64_AND, 8 }
#define TPL_xor               { t_alu3, X64_XOR, 8 }
#define TPL_or                { t_alu3, X64_OR, 8 }
#define TPL_mul_upper_s_s     { t_mulh, 0 }
#define TPL_mul_upper_u_u     { t_mulh, 1 }
#define TPL_mul_upper_s_u     { t_mulh, 2 }
#define TPL_set_lt_u          { t_set3, X64_CC_B }
#define TPL_set_lt_s          { t_set3, X64_CC_L }
#define TPL_cmov_iz           { t_cmov3, X64_CC_E }
#define TPL_cmov_nz           { t_cmov3, X64_CC_NE }
#define TPL_rot_l_64          { t_shift3, X64_ROL, 8 }
#define TPL_rot_l_32          { t_shift3, X64_ROL, 4 }
#define TPL_rot_r_64          { t_shift3, X64_ROR, 8 }
#define TPL_rot_r_32          { t_shift3, X64_ROR, 4 }
#define TPL_and_inv           { t_inv, 0 }
#define TPL_or_inv            { t_inv, 1 }
#define TPL_xnor              { t_inv, 2 }
#define TPL_max               { t_minmax, X64_CC_L }
#define TPL_max_u             { t_minmax, X64_CC_B }
#define TPL_min               { t_minmax, X64_CC_G }
#define TPL_min_u             { t_minmax, X64_CC_A }

static const tpl_desc tpl_table[PVM_NUM_OPS] = {
#define PVM_OP(name, v072, v080, form, ctl, acc, width) [PVM_OP_##name] = TPL_##name,
#include "pvm/opcodes.def"
#undef PVM_OP
};

/* ---- immediate classes ---------------------------------------------------------------------- */

/* Does op's template have a class S8 form (its X as an imm8 or disp8)? */
static bool op_s8(unsigned op)
{
	tpl_fn *fn = tpl_table[op].fn;
	return fn == t_branch_imm || fn == t_store_ind || fn == t_load_ind || fn == t_add_imm_32 || fn == t_add_imm_64 ||
	       fn == t_alu_imm || fn == t_set_imm;
}

bool jit_class_holds(jit_imm_class c, uint64_t x, uint64_t y)
{
	(void)y;
	return c == JIT_CLASS_ANY || (c == JIT_CLASS_S8 && x == (uint64_t)(int64_t)(int8_t)x);
}

bool jit_em_s8(const pvm_inst *in)
{
	int64_t x = (int64_t)in->imm, max = (int64_t)pvm_mutant_hook(PVM_HOOK_s8_max, 127); /* (mutants only) */
	return op_s8(in->op) && x >= -128 && x <= max;
}

size_t jit_op_classes(unsigned op, jit_imm_class *out, size_t max)
{
	if (op >= PVM_NUM_OPS || max == 0) return 0;
	out[0] = JIT_CLASS_ANY;
	if (!op_s8(op) || max < 2) return 1;
	out[1] = JIT_CLASS_S8;
	return 2;
}

size_t jit_class_edges(jit_imm_class c, uint64_t *out, size_t max)
{
	static const int64_t s8[] = { -129, -128, 127, 128 };
	size_t n = 0;
	for (size_t i = 0; c == JIT_CLASS_S8 && i < 4 && n < max; i++) out[n++] = (uint64_t)s8[i];
	return n;
}

const char *jit_class_name(jit_imm_class c)
{
	return c == JIT_CLASS_ANY ? "any" : c == JIT_CLASS_S8 ? "s8" : "?";
}

/* The template of in: its table row's, a mutant's replacement (mutant builds only), or a trap for
 * an opcode with no template; in the class the emitter fixed (a template) or, in a program, the
 * last class of the opcode that holds for in's immediates (jit_em_s8). */
void jit_em_inst(jit_em *e, const pvm_inst *in)
{
	const tpl_desc *d = &tpl_table[in->op];
	tpl_fn *fn = jit_mutant_template(in->op);
	e->cur = in;
	e->s8 = e->cls_fixed ? e->cls == JIT_CLASS_S8 : jit_em_s8(in);
	(fn ? fn : d->fn ? d->fn : t_trap)(e, in, d);
}

/* ---- fusions (README § Fusions) ------------------------------------------------------------- */

/* shlo_l_imm_64 rX, rA, s ; add_64 rX, rX, rB (or rX, rB, rX), s = X & 63 in 1..3, rB != rX:
 * rX = (rA << s) + rB, one lea. rA may be rX or rB. */
bool jit_fuse_pair(const pvm_inst *a, const pvm_inst *b)
{
	if (a->op != PVM_OP_shlo_l_imm_64 || b->op != PVM_OP_add_64 || b->pc != a->next) return false;
	unsigned s = (unsigned)(a->imm & 63);
	uint8_t x = a->ra;
	if (s < 1 || s > 3 || b->rd != x) return false;
	return (b->ra == x) != (b->rb == x); /* the other addend is not rX */
}

/* The fused pair's code (jit_fuse_pair holds):  lea X, [B + A * 2^s] */
void jit_em_fused(jit_em *e, const pvm_inst *a, const pvm_inst *b)
{
	uint8_t other = b->ra == a->ra ? b->rb : b->ra;
	unsigned s = (unsigned)(a->imm & 63);
	s = (unsigned)pvm_mutant_hook(PVM_HOOK_fuse_scale, s); /* (mutants only) */
	e->cur = a;
	e->s8 = false;
	x64_lea(&e->b, 8, jit_reg_map[a->ra], x64_mx(jit_reg_map[other], jit_reg_map[a->rb], (uint8_t)(1u << s), 0));
}
