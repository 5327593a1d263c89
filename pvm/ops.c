/* pvm/ops.c: the opcode tables, expanded from opcodes.def. */
#include <string.h>
#include "pvm.h"

const pvm_opinfo pvm_ops[256] = {
#define PVM_OP(name, code, form, flags) [code] = { #name, PVM_FORM_##form, flags },
#include "opcodes.def"
#undef PVM_OP
};

const uint8_t pvm_op_list[] = {
#define PVM_OP(name, code, form, flags) code,
#include "opcodes.def"
#undef PVM_OP
};
_Static_assert(sizeof pvm_op_list == PVM_NUM_OPCODES, "opcodes.def must list the 139 GP 0.7.2 opcodes");

int pvm_op_by_name(const char *name)
{
	for (size_t i = 0; i < PVM_NUM_OPCODES; i++)
		if (!strcmp(pvm_ops[pvm_op_list[i]].name, name)) return pvm_op_list[i];
	return -1;
}
