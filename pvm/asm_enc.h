/* pvm/asm_enc.h: instruction encoding shared by the assembler and the disassembler (internal).
 * Both go through pvm_fields_encode/decode (pvm/fields.c), the one field coder. */
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

/* Encode in at pc into out as revision isa. Returns the length, or 0 with *why set when a value does
 * not fit or the instruction is not in that revision. */
unsigned pvm_asm_encode(const pvm_asm_inst *in, pvm_isa isa, uint32_t pc, uint8_t out[PVM_ASM_MAXLEN],
                        const char **why);

/* Encoded length of in for its current widths (no value checks). */
unsigned pvm_asm_len(const pvm_asm_inst *in);

/* in's operands as fields at pc (widths of fields its form does not have are 0). */
pvm_fields pvm_asm_fields(const pvm_asm_inst *in, uint32_t pc);

#endif
