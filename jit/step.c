/* jit/step.c: byte-reduction loops, 16 turns a step (jit.h § steps).
 *
 * The loop, as PVM code (any registers B, I, N, S, C, A, V, all distinct; any K in 0..255):
 *   H:    add_64 A, B, I           (or A, I, B)
 *         load_ind_u8 V, A, 0
 *         branch_ne_imm V, K, SKIP
 *   ADD:  add_imm_64 C, C, 1 ; fallthrough
 *   SKIP: add_64 S, S, V           (or S, V, S)
 *         add_imm_64 I, I, 1
 *   L:    branch_lt_u I, N, H      (a latch: enters H past its prologue, H's charge prepaid)
 * sums the bytes at B + I, B + I + 1, ... into S and counts those equal to K into C. The branch
 * back at L enters the step below instead of H: a guard, then JIT_STEP_TURNS (16) turns at once in
 * general-purpose registers (two 8-byte loads; per word the byte sum and the count of bytes equal
 * to K by shifts, masks, adds and a multiply), then back to the guard; where the guard fails, H's
 * code past its prologue, as without the step. The guard: I + 16 does not wrap and is below N (the
 * 16 turns' branches back are all taken), the gas register pays 16 turns that all match (no
 * prologue of the 16 runs out), and the 16 bytes lie on one page (the first load faults exactly
 * when the first turn's load does, before anything is written: A already holds B + I, V is not
 * written, the gas is as it was; its row in the program's fault map is the load_ind_u8's; the
 * second, on the same page, cannot fault).
 *
 * `prove` proves the step against 16 turns of the specs composed (validator/prove_step.c), and
 * that the 16 addresses are on one page. */
#include <string.h>
#include "jit/jit_internal.h"
#include "pvm/mutant.h"

bool jit_step_loop(const pvm_program *p, uint32_t latch, jit_step_shape *out)
{
	if (latch >= p->code_len || !p->is_start[latch]) return false;
	const pvm_inst *l = &p->inst[latch];
	uint32_t h = l->target;
	if (l->op != PVM_OP_branch_lt_u || h >= latch || !p->is_block[h] || !p->is_start[h]) return false;
	const pvm_inst *a = &p->inst[h];
	if (a->op != PVM_OP_add_64 || a->next >= latch) return false;
	const pvm_inst *ld = &p->inst[a->next];
	if (ld->op != PVM_OP_load_ind_u8 || ld->imm != 0 || ld->next >= latch) return false;
	const pvm_inst *br = &p->inst[ld->next];
	if (br->op != PVM_OP_branch_ne_imm || br->imm > 255 || br->next >= latch) return false;
	const pvm_inst *inc = &p->inst[br->next];
	if (inc->op != PVM_OP_add_imm_64 || inc->imm != 1 || inc->next >= latch) return false;
	const pvm_inst *ft = &p->inst[inc->next]; /* (SKIP, a branch's target, starts a block only after it) */
	uint32_t skip = ft->next;
	if (ft->op != PVM_OP_fallthrough || skip != br->target || skip >= latch) return false;
	const pvm_inst *sum = &p->inst[skip];
	if (sum->op != PVM_OP_add_64 || sum->next >= latch) return false;
	const pvm_inst *idx = &p->inst[sum->next];
	if (idx->op != PVM_OP_add_imm_64 || idx->imm != 1 || idx->next != latch) return false;
	jit_step_shape s = { .head = h, .load = a->next, .add = br->next, .skip = skip, .latch = latch,
	                     .k = (uint8_t)br->imm };
	s.a = a->rd;
	s.i = l->ra;
	s.n = l->rb;
	if (a->ra == s.i) s.b = a->rb;
	else if (a->rb == s.i) s.b = a->ra;
	else return false;
	s.v = ld->ra;
	s.c = inc->ra;
	s.s = sum->rd;
	if (!((sum->ra == s.s && sum->rb == s.v) || (sum->rb == s.s && sum->ra == s.v))) return false;
	if (ld->rb != s.a || br->ra != s.v || inc->rb != s.c || idx->ra != s.i || idx->rb != s.i) return false;
	uint8_t r[7] = { s.b, s.i, s.n, s.s, s.c, s.a, s.v };
	for (int x = 0; x < 7; x++) {
		if (r[x] >= PVM_NUM_REGS) return false;
		for (int y = 0; y < x; y++)
			if (r[x] == r[y]) return false;
	}
	/* the blocks: H, ADD and SKIP are block starts (ADD: after H's terminator; SKIP: its target) */
	if (!p->is_block[s.add] || !p->is_block[s.skip]) return false;
	*out = s;
	return true;
}

/* mov rax, m ; op dst, rax */
static void alu_mask(x64_buf *b, enum x64_alu op, enum x64_reg dst, uint64_t m)
{
	x64_mov_r64_imm64(b, X64_RAX, m);
	x64_alu_rmr(b, op, 8, x64_r(dst), X64_RAX);
}

/* dst += dst >> k (through rax) */
static void fold(x64_buf *b, enum x64_reg dst, uint8_t k)
{
	x64_mov(b, X64_RAX, dst);
	x64_shift_imm(b, X64_SHR, 8, x64_r(X64_RAX), k);
	x64_alu_rmr(b, X64_ADD, 8, x64_r(dst), X64_RAX);
}

void jit_step_emit(x64_buf *b, const jit_step_shape *s, uint32_t turn, uint32_t match, size_t *fail, size_t *n_fail,
                   size_t *again, size_t *load, size_t *word_end)
{
	enum x64_reg B = jit_reg_map[s->b], I = jit_reg_map[s->i], N = jit_reg_map[s->n], S = jit_reg_map[s->s],
	             C = jit_reg_map[s->c], A = jit_reg_map[s->a], V = jit_reg_map[s->v];
	uint64_t most = JIT_STEP_TURNS * ((uint64_t)turn + match);
	*n_fail = 0;
	/* the guard: I + 16 below N without wrapping; gas for sixteen matching turns; one page */
	x64_lea(b, 8, X64_RAX, x64_m(I, X64_NOREG, JIT_STEP_TURNS));
	x64_alu_rrm(b, X64_CMP, 8, X64_RAX, x64_r(I));
	fail[(*n_fail)++] = x64_jcc32(b, X64_CC_B);
	x64_alu_rrm(b, X64_CMP, 8, X64_RAX, x64_r(N));
	fail[(*n_fail)++] = x64_jcc32(b, X64_CC_AE);
	x64_alu_imm32(b, X64_CMP, 8, x64_r(JIT_GASREG), (int32_t)(uint32_t)pvm_mutant_hook(PVM_HOOK_step_gas_guard, most));
	fail[(*n_fail)++] = x64_jcc32(b, X64_CC_L);
	x64_lea(b, 4, X64_RAX, x64_m(B, I, 0));
	x64_alu_imm32(b, X64_AND, 4, x64_r(X64_RAX), 0xfff);
	x64_alu_imm32(b, X64_CMP, 4, x64_r(X64_RAX),
	              (int32_t)pvm_mutant_hook(PVM_HOOK_step_page_guard, 0x1000 - JIT_STEP_TURNS));
	fail[(*n_fail)++] = x64_jcc32(b, X64_CC_A);
	uint64_t per = pvm_mutant_hook(PVM_HOOK_step_match_charge, match);
	for (int h = 0; h < JIT_STEP_TURNS / 8; h++) {
		if (h == 0) { /* the first turn's address, and its eight bytes (the one access that can fault) */
			x64_lea(b, 8, A, x64_m(B, I, 0));
			x64_mov32(b, X64_RAX, A);
			*load = b->len;
		} else { /* the next eight (the same page: no fault) */
			x64_lea(b, 4, X64_RAX, x64_m(B, I, 8 * h));
		}
		x64_mov_rrm(b, 8, V, x64_m(JIT_MEMBASE, X64_RAX, 0));
		word_end[h] = b->len;
		/* S += the sum of the eight bytes: pairs in four 16-bit lanes, folded (by shifts and adds:
		 * Z3 proves this form at once, the sum by a multiply not in a minute) */
		x64_mov(b, A, V);
		x64_shift_imm(b, X64_SHR, 8, x64_r(A), 8);
		x64_mov_r64_imm64(b, X64_RAX, 0x00ff00ff00ff00ffull);
		x64_alu_rmr(b, X64_AND, 8, x64_r(A), X64_RAX);
		x64_alu_rmr(b, X64_AND, 8, x64_r(X64_RAX), V);
		x64_alu_rmr(b, X64_ADD, 8, x64_r(A), X64_RAX);
		fold(b, A, 32);
		fold(b, A, 16);
		x64_alu_imm32(b, X64_AND, 8, x64_r(A), 0xffff);
		x64_alu_rmr(b, X64_ADD, 8, x64_r(S), A);
		/* C += the count of bytes equal to K: the high bit of each byte that is zero after the
		 * xor (exact: (y & 7f..) + 7f.. sets it where the low seven bits are not all zero, | y
		 * where the high one is set), moved to bit 0, summed into the top byte */
		if (s->k) alu_mask(b, X64_XOR, V, 0x0101010101010101ull * s->k);
		x64_mov(b, A, V);
		x64_mov_r64_imm64(b, X64_RAX, 0x7f7f7f7f7f7f7f7full);
		x64_alu_rmr(b, X64_AND, 8, x64_r(A), X64_RAX);
		x64_alu_rmr(b, X64_ADD, 8, x64_r(A), X64_RAX);
		x64_alu_rmr(b, X64_OR, 8, x64_r(A), V);
		x64_grp3(b, X64_NOT, 8, x64_r(A));
		x64_shift_imm(b, X64_SHR, 8, x64_r(A), 7);
		alu_mask(b, X64_AND, A, 0x0101010101010101ull);
		x64_imul(b, 8, A, x64_r(X64_RAX)); /* (rax: the same mask) */
		x64_shift_imm(b, X64_SHR, 8, x64_r(A), 56);
		x64_alu_rmr(b, X64_ADD, 8, x64_r(C), A);
		/* the matches' gas: the ADD region's charge each */
		if (per == 1) {
			x64_alu_rmr(b, X64_SUB, 8, x64_r(JIT_GASREG), A);
		} else if (per) {
			x64_imul_imm(b, 8, X64_RAX, x64_r(A), (int32_t)per);
			x64_alu_rmr(b, X64_SUB, 8, x64_r(JIT_GASREG), X64_RAX);
		}
	}
	/* every turn's charge at the branch back (its region's and the head's) */
	x64_alu_imm32(b, X64_SUB, 8, x64_r(JIT_GASREG), (int32_t)(JIT_STEP_TURNS * turn));
	/* the registers the last turn leaves: A = B + I + 15, V its byte (the same page), I + 16 */
	x64_lea(b, 8, A, x64_m(B, I, JIT_STEP_TURNS - 1));
	x64_mov32(b, X64_RAX, A);
	x64_movx(b, false, 4, 1, V, x64_m(JIT_MEMBASE, X64_RAX, 0));
	x64_lea(b, 8, I, x64_m(I, X64_NOREG, JIT_STEP_TURNS));
	*again = x64_jmp32(b);
}
