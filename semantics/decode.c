/* semantics/decode.c: the spec's own reading of the instruction bytes (GP A.5, ISA-NOTES §2-4),
 * stated here a second time, apart from pvm/fields.c and pvm/decode.c, so that the `spec` engine
 * does not take its operands from the decoder it is the reference for. What the operand fields
 * mean: skip, register fields (min(12, field)), immediate lengths and sign extension, offsets,
 * bytes past the code read as 0; and which positions are instructions and basic-block starts ϖ.
 * Written per form, as the Gray Paper writes A.5.1-A.5.13, not from pvm/forms.def's rows;
 * tests/semantics/test_decode.c checks the two against each other on every form, register field
 * value and field length. Reads only p->isa, p->code, p->code_len and p->bitmask. */
#include "sem.h"

/* ζ: the code followed by zeros. */
static uint8_t zeta(const pvm_program *p, uint64_t i) { return i < p->code_len ? p->code[i] : 0; }

/* The bitmask k followed by ones. */
static bool k_bit(const pvm_program *p, uint64_t i)
{
	return i >= p->code_len || (p->bitmask[i / 8] >> (i % 8) & 1) != 0;
}

/* E^{-1}_n of ζ[at .. at+n): little-endian. */
static uint64_t le(const pvm_program *p, uint64_t at, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;) v = v << 8 | zeta(p, at + i);
	return v;
}

/* X_n: the n-byte value x sign-extended to 64 bits (x < 2^(8n)). */
static uint64_t sign_extend(uint64_t x, unsigned n)
{
	if (n == 0 || n >= 8) return x;
	uint64_t top = 1ull << (8 * n - 1);
	return x & top ? x - 2 * top : x; /* x - 2^(8n) mod 2^64 */
}

static unsigned min_u(unsigned a, unsigned b) { return a < b ? a : b; }
/* max(0, a - b), then at most 4 (a field's length) */
static unsigned len4(unsigned a, unsigned b) { return a > b ? min_u(4, a - b) : 0; }
/* r = min(12, field) */
static uint8_t reg(unsigned field) { return (uint8_t)min_u(12, field); }

unsigned sem_skip(const pvm_program *p, uint32_t pc)
{
	unsigned j = 0;
	while (j < 24 && !k_bit(p, (uint64_t)pc + 1 + j)) j++;
	return j;
}

bool sem_is_instruction(const pvm_program *p, uint32_t pc)
{
	return pc < p->code_len && k_bit(p, pc) && pvm_op_decode(p->isa, p->code[pc]) >= 0;
}

uint16_t sem_form_operands(unsigned form)
{
	enum { A = 1u << SEM_RA, B = 1u << SEM_RB, D = 1u << SEM_RD, X = 1u << SEM_IMM, Y = 1u << SEM_IMM2,
	       T = 1u << SEM_TARGET };
	switch (form) {
	case PVM_FORM_NONE: return 0;
	case PVM_FORM_IMM: return X;
	case PVM_FORM_REG_IMM64: return A | X;
	case PVM_FORM_IMM2: return X | Y;
	case PVM_FORM_OFF: return T;
	case PVM_FORM_REG_IMM: return A | X;
	case PVM_FORM_REG_IMM2: return A | X | Y;
	case PVM_FORM_REG_IMM_OFF: return A | X | T;
	case PVM_FORM_REG2: return D | A;
	case PVM_FORM_REG2_IMM: return A | B | X;
	case PVM_FORM_REG2_OFF: return A | B | T;
	case PVM_FORM_REG2_IMM2: return A | B | X | Y;
	case PVM_FORM_REG3: return A | B | D;
	}
	return 0;
}

void sem_decode_operands(unsigned form, const pvm_program *p, uint32_t pc, unsigned l, pvm_inst *in)
{
	uint64_t i = pc;
	uint8_t c1 = zeta(p, i + 1), c2 = zeta(p, i + 2);
	unsigned lx, ly;
	in->ra = in->rb = in->rd = 0;
	in->imm = in->imm2 = 0;
	in->target = pc;
	switch (form) {
	case PVM_FORM_NONE: /* A.5.1 */
		break;
	case PVM_FORM_IMM: /* A.5.2: l_X = min(4, ℓ) */
		lx = min_u(4, l);
		in->imm = sign_extend(le(p, i + 1, lx), lx);
		break;
	case PVM_FORM_REG_IMM64: /* A.5.3: r_A = min(12, c1 mod 16), ν_X = E^{-1}_8, not extended */
		in->ra = reg(c1 % 16);
		in->imm = le(p, i + 2, 8);
		break;
	case PVM_FORM_IMM2: /* A.5.4: l_X = min(4, c1 mod 8), l_Y = min(4, max(0, ℓ - l_X - 1)) */
		lx = min_u(4, c1 % 8);
		ly = len4(l, lx + 1);
		in->imm = sign_extend(le(p, i + 2, lx), lx);
		in->imm2 = sign_extend(le(p, i + 2 + lx, ly), ly);
		break;
	case PVM_FORM_OFF: /* A.5.5: ν_X = ı + Z_{l_X}(...), l_X = min(4, ℓ) */
		lx = min_u(4, l);
		in->target = (uint32_t)(i + sign_extend(le(p, i + 1, lx), lx));
		break;
	case PVM_FORM_REG_IMM: /* A.5.6: l_X = min(4, max(0, ℓ - 1)) */
		in->ra = reg(c1 % 16);
		lx = len4(l, 1);
		in->imm = sign_extend(le(p, i + 2, lx), lx);
		break;
	case PVM_FORM_REG_IMM2: /* A.5.7: l_X = min(4, ⌊c1 / 16⌋ mod 8) */
	case PVM_FORM_REG_IMM_OFF: /* A.5.8: the same, the second field an offset */
		in->ra = reg(c1 % 16);
		lx = min_u(4, c1 / 16 % 8);
		ly = len4(l, lx + 1);
		in->imm = sign_extend(le(p, i + 2, lx), lx);
		if (form == PVM_FORM_REG_IMM2) in->imm2 = sign_extend(le(p, i + 2 + lx, ly), ly);
		else in->target = (uint32_t)(i + sign_extend(le(p, i + 2 + lx, ly), ly));
		break;
	case PVM_FORM_REG2: /* A.5.9: r_D = min(12, c1 mod 16), r_A = min(12, ⌊c1 / 16⌋) */
		in->rd = reg(c1 % 16);
		in->ra = reg(c1 / 16);
		break;
	case PVM_FORM_REG2_IMM: /* A.5.10: r_A low nibble, r_B high; l_X = min(4, max(0, ℓ - 1)) */
	case PVM_FORM_REG2_OFF: /* A.5.11: the same, the field an offset */
		in->ra = reg(c1 % 16);
		in->rb = reg(c1 / 16);
		lx = len4(l, 1);
		if (form == PVM_FORM_REG2_IMM) in->imm = sign_extend(le(p, i + 2, lx), lx);
		else in->target = (uint32_t)(i + sign_extend(le(p, i + 2, lx), lx));
		break;
	case PVM_FORM_REG2_IMM2: /* A.5.12: l_X = min(4, c2 mod 8), l_Y = min(4, max(0, ℓ - l_X - 2)) */
		in->ra = reg(c1 % 16);
		in->rb = reg(c1 / 16);
		lx = min_u(4, c2 % 8);
		ly = len4(l, lx + 2);
		in->imm = sign_extend(le(p, i + 3, lx), lx);
		in->imm2 = sign_extend(le(p, i + 3 + lx, ly), ly);
		break;
	case PVM_FORM_REG3: /* A.5.13: r_A, r_B as A.5.10, r_D = min(12, c2) */
		in->ra = reg(c1 % 16);
		in->rb = reg(c1 / 16);
		in->rd = reg(c2);
		break;
	}
}

pvm_inst sem_decode(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	pvm_inst in = { .op = PVM_OP_trap, .pc = pc, .target = pc };
	unsigned l = sem_skip(p, pc);
	in.next = pc + 1 + l;
	const sem_insn *si = sem_is_instruction(p, pc) ? sem_spec_get(sp, (unsigned)pvm_op_decode(p->isa, p->code[pc])) : NULL;
	if (!si) return in; /* past the code, bitmask 0 or an undefined byte: trap (ISA-NOTES §12.10) */
	in.op = (uint8_t)si->opcode;
	sem_decode_operands(si->form, p, pc, l, &in);
	return in;
}

bool sem_is_block(const sem_spec *sp, const pvm_program *p, uint64_t pc)
{
	if (pc > UINT32_MAX || !sem_is_instruction(p, (uint32_t)pc)) return false;
	if (pc == 0) return true;
	/* the instruction before pc: the nearest set bit below it, whose skip then reaches pc */
	for (uint64_t j = pc; j-- > 0 && pc - j <= 25;) {
		if (!k_bit(p, j)) continue;
		if (!sem_is_instruction(p, (uint32_t)j)) return false;
		const sem_insn *si = sem_spec_get(sp, (unsigned)pvm_op_decode(p->isa, p->code[j]));
		return si && si->terminator;
	}
	return false;
}

uint32_t sem_block_of(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	for (uint64_t j = (uint64_t)pc + 1; j-- > 0;)
		if (sem_is_block(sp, p, j)) return (uint32_t)j;
	return UINT32_MAX;
}
