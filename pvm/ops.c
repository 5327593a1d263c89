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
	if (!strcmp(name, "unlikely")) return PVM_OP_unlikely; /* TEMPORARY (issue 11) */
	for (size_t i = 0; i < PVM_NUM_OPCODES; i++)
		if (!strcmp(pvm_ops[pvm_op_list[i]].name, name)) return pvm_op_list[i];
	return -1;
}

const char *pvm_isa_name(pvm_isa isa) { return isa == PVM_ISA_0_8_0 ? "0.8.0" : "0.7.2"; }

int pvm_isa_by_name(const char *name)
{
	if (!strcmp(name, "0.8.0")) return PVM_ISA_0_8_0;
	if (!strcmp(name, "0.7.2")) return PVM_ISA_0_7_2;
	return -1;
}

/* TEMPORARY (issue 11): replaced by opcodes.def's per-ISA byte columns (issue 10). */
int pvm_op_from_byte(pvm_isa isa, uint8_t byte)
{
	if (isa == PVM_ISA_0_8_0) {
		if (byte == 2) return PVM_OP_unlikely;
		if (byte == 111) return -1;
		if (byte >= 101 && byte <= 110) return byte + 1;
	}
	return pvm_op_valid(byte) ? byte : -1;
}

const char *pvm_op_name(unsigned op)
{
	if (op == PVM_OP_unlikely) return "unlikely";
	return op < 256 && pvm_ops[op].name ? pvm_ops[op].name : "?";
}

/* TEMPORARY (issue 11): the inverse of pvm_op_from_byte; -1 if the ISA lacks the op. */
static int byte_of_op(pvm_isa isa, unsigned op)
{
	if (isa == PVM_ISA_0_8_0) {
		if (op == PVM_OP_sbrk) return -1;
		if (op >= 102 && op <= 111) return (int)op - 1;
		return op == PVM_OP_unlikely || pvm_op_valid(op) ? (int)op : -1;
	}
	return op != PVM_OP_unlikely && pvm_op_valid(op) ? (int)op : -1;
}

pvm_err pvm_blob_renumber(uint8_t *blob, size_t len, pvm_isa isa, const char *name, pvm_errbuf *e)
{
	pvm_program p;
	pvm_err err = pvm_program_decode(&p, blob, len, name, e);
	if (err) return err;
	uint8_t *code = blob + len - ((size_t)p.code_len + 7) / 8 - p.code_len;
	for (uint32_t pc = 0; pc < p.code_len && !err; pc++) {
		if (!p.is_start[pc]) continue;
		int b = byte_of_op(isa, code[pc]);
		if (b < 0) {
			pvm_errf(e, "%s: pc %u: %s is not a GP %s instruction", name, pc, pvm_op_name(code[pc]),
			         pvm_isa_name(isa));
			err = PVM_EINVAL;
		} else {
			code[pc] = (uint8_t)b;
		}
	}
	pvm_program_fini(&p);
	return err;
}
