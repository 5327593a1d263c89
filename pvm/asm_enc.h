/* pvm/asm_enc.h: instruction encoding shared by the assembler and the disassembler (internal).
 * pvm_asm_encode is the one place that turns operands into bytes; pvm_asm_lengths is the decoder's
 * view of the variable-length operand fields, so both tools agree on what a byte span means. */
#ifndef JITPROOF_PVM_ASM_ENC_H
#define JITPROOF_PVM_ASM_ENC_H
#include "pvm.h"

enum { PVM_ASM_MAXLEN = 16 };

/* One instruction's operands, as written in assembly. Widths are concrete byte counts (0..4):
 * wx for X, wy for Y, wt for the pc-relative offset of a branch target. */
typedef struct pvm_asm_inst {
	uint8_t op, ra, rb, rd;
	uint64_t x, y;
	uint32_t target;
	uint8_t wx, wy, wt;
} pvm_asm_inst;

/* Smallest n in 0..4 whose sign-extended n-byte field holds v (as u64 / as a u32 offset); -1 if none. */
int pvm_asm_imm_width(uint64_t v);
int pvm_asm_off_width(uint32_t d);

/* Encode in at pc into out. Returns the length, or 0 with *why set when a value does not fit. */
unsigned pvm_asm_encode(const pvm_asm_inst *in, uint32_t pc, uint8_t out[PVM_ASM_MAXLEN],
                        const char **why);

/* The decoder's lengths for an instruction with opcode byte op, operand bytes b1/b2 and skip ell:
 * the two variable fields in operand order (f1, f2; 0 when unused) and the bytes it reads. */
unsigned pvm_asm_lengths(uint8_t op, uint8_t b1, uint8_t b2, uint32_t ell, unsigned *f1, unsigned *f2);

/* The widths of in's variable fields in the same order as pvm_asm_lengths reports them. */
void pvm_asm_widths(const pvm_asm_inst *in, unsigned *f1, unsigned *f2);

#endif
