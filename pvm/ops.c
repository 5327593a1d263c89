/* pvm/ops.c: the instruction and form tables, expanded from opcodes.def and forms.def, and the
 * per-revision byte maps derived from them. With JITPROOF_SCRAMBLE (a test-only build) every
 * opcode byte is permuted, so a build passes its .pvmasm suite only if no code outside the table
 * knows an opcode number. */
#include <string.h>
#include "pvm.h"

#ifdef JITPROOF_SCRAMBLE
#define BYTE(v) ((v) < 0 ? -1 : ((v) * 167 + 89) & 255) /* 167 is odd: a bijection of 0..255 */
#else
#define BYTE(v) (v)
#endif
#define NA (-1)

const pvm_opinfo pvm_ops[PVM_NUM_OPS] = {
#define PVM_OP(name, v072, v080, form, ctl, acc, width) \
	[PVM_OP_##name] = { #name, PVM_FORM_##form, PVM_CTL_##ctl, PVM_ACC_##acc, width, { BYTE(v072), BYTE(v080) } },
#include "opcodes.def"
#undef PVM_OP
};

/* Every row's ISA columns count 139 instructions per revision. */
#define PVM_OP(name, v072, v080, form, ctl, acc, width) + ((v072) >= 0)
_Static_assert(0
#include "opcodes.def"
               == PVM_NUM_OPCODES, "opcodes.def must list the 139 GP 0.7.2 instructions");
#undef PVM_OP
#define PVM_OP(name, v072, v080, form, ctl, acc, width) + ((v080) >= 0)
_Static_assert(0
#include "opcodes.def"
               == PVM_NUM_OPCODES, "opcodes.def must list the 139 GP 0.8.0 instructions");
#undef PVM_OP

#define R(x) PVM_FR_##x
#define ROLE_BIT(x) (R(x) == PVM_FR_A ? 1 : R(x) == PVM_FR_B ? 2 : R(x) == PVM_FR_D ? 4 : 0)
const pvm_forminfo pvm_forms[PVM_FORM_COUNT] = {
#define PVM_FORM(id, b1_lo, b1_hi, b2, f1, f1_len, f2) \
	[PVM_FORM_##id] = { #id, R(b1_lo), R(b1_hi), R(b2), R(f1), R(f1_len), R(f2), \
	                    PVM_FORM_HEADER(R(b1_lo), R(b2)), \
	                    ROLE_BIT(b1_lo) | ROLE_BIT(b1_hi) | ROLE_BIT(b2) },
#include "forms.def"
#undef PVM_FORM
};
#undef ROLE_BIT
#undef R

static char operands[PVM_FORM_COUNT][8];
const char *pvm_form_operands(unsigned form) { return operands[form]; }

static uint8_t isa_list[PVM_ISA_COUNT][PVM_NUM_OPCODES];
/* byte -> 1 + instruction (0: none); absent rows land in the spare slot 256 */
#define SLOT(v) [(v) < 0 ? 256 : BYTE(v)]
const uint8_t pvm_byte_map[PVM_ISA_COUNT][257] = {
	[PVM_ISA_072] = {
#define PVM_OP(name, v072, v080, form, ctl, acc, width) SLOT(v072) = 1 + PVM_OP_##name,
#include "opcodes.def"
#undef PVM_OP
	},
	[PVM_ISA_080] = {
#define PVM_OP(name, v072, v080, form, ctl, acc, width) SLOT(v080) = 1 + PVM_OP_##name,
#include "opcodes.def"
#undef PVM_OP
	},
};
#undef SLOT

/* The per-revision lists (ascending byte order) and the operand orders; built once before main. */
__attribute__((constructor)) static void build_lists(void)
{
	for (unsigned f = 0; f < PVM_FORM_COUNT; f++) {
		const pvm_forminfo *fi = &pvm_forms[f];
		char *t = operands[f];
		if (fi->regs & 4) *t++ = 'D';
		if (fi->regs & 1) *t++ = 'A';
		if (fi->regs & 2) *t++ = 'B';
		if (fi->f1 == PVM_FR_X) *t++ = 'X';
		if (fi->f2 == PVM_FR_Y) *t++ = 'Y';
		if (fi->f1 == PVM_FR_T || fi->f2 == PVM_FR_T) *t++ = 'T';
	}
	for (unsigned isa = 0; isa < PVM_ISA_COUNT; isa++) {
		unsigned n = 0;
		for (unsigned b = 0; b < 256; b++)
			if (pvm_byte_map[isa][b]) isa_list[isa][n++] = (uint8_t)(pvm_byte_map[isa][b] - 1);
	}
}

const uint8_t *pvm_isa_ops(pvm_isa isa) { return isa_list[isa]; }


int pvm_op_by_name(const char *name)
{
	for (unsigned op = 0; op < PVM_NUM_OPS; op++)
		if (!strcmp(pvm_ops[op].name, name)) return (int)op;
	return -1;
}

const char *pvm_isa_name(pvm_isa isa) { return isa == PVM_ISA_080 ? "0.8.0" : "0.7.2"; }

int pvm_isa_by_name(const char *name)
{
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++)
		if (!strcmp(pvm_isa_name((pvm_isa)isa), name)) return isa;
	return -1;
}
