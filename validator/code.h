/* validator/code.h: what a proof is about (internal to validator/): a template in its
 * single-instruction test program, the register operands of an instruction, and the extent and
 * gas cost of a gas region as the spec engine charges it. Below every proof and the store. */
#ifndef JITPROOF_TV_CODE_H
#define JITPROOF_TV_CODE_H
#include "validator/tv.h"

/* Register operands of an instruction in form order (ra/rb/rd as named in opcodes.def);
 * returns how many (0..3) and fills idx with pointers into in. */
int tv_reg_operands(pvm_inst *in, uint8_t *ptr[3]);

/* A single-instruction test program: the instruction at pc 0 then `trap`s, so that every
 * successor (fall-through, taken branch) is a distinct block start. in->pc/next/target are set
 * to the program's layout, which is the same in both revisions (only opcode bytes differ).
 * Builds the blob of a vector of revision isa in *v (program and isa fields only). */
pvm_err tv_program_for(pvm_inst *in, pvm_isa isa, pvm_vector *v);
/* The same with n (1 or 2) instructions in sequence from pc 0 (a fused pair: ins[1] at ins[0].next). */
pvm_err tv_program_for_n(pvm_inst *ins, size_t n, pvm_isa isa, pvm_vector *v);

/* The immediate a template proof emits its template with (its fields are then made symbolic). */
bool tv_class_candidate(jit_imm_class cls, uint64_t *imm);
/* The code a template proof of in0 for class cls lifts: *in is in0 laid out in its test program
 * of revision isa (tv_program_for: in->pc/next/target) with the class's candidate immediate, *tpl
 * its template emitted with features f (with its listing when `listing`: jit_emit_template, else
 * jit_emit_template_code). False (why says so) when it cannot be made. */
bool tv_template_code(const pvm_inst *in0, jit_imm_class cls, pvm_isa isa, jit_features f, bool listing, pvm_inst *in,
                      jit_tpl *tpl, char *why, size_t n);

/* The code a fusion proof lifts (README § Fusions): the pair a0, b0 laid out in its two-instruction
 * test program (tv_program_for_n) as *a, *b, and their fused code (jit_emit_fused) in *tpl. */
bool tv_fused_code(const pvm_inst *a0, const pvm_inst *b0, pvm_isa isa, jit_features f, pvm_inst *a, pvm_inst *b,
                   jit_tpl *tpl, char *why, size_t n);

/* The block the JIT compiles at pc with features f (unfused: as the twin without fusions has it)
 * into *blk (zeroed by the caller, freed by jit_block_free either way). False (why says so) when it
 * cannot be compiled. */
bool tv_block_code(const pvm_program *p, uint32_t pc, jit_features f, bool unfused, jit_block *blk, char *why,
                   size_t n);

/* The gas charged on entering at pc as the spec engine charges it: 0.7.2 the region's instruction
 * count, 0.8.0 the cost model's cost of the block holding pc (from its start L(pc)). */
uint64_t tv_region_cost(const sem_spec *sp, const pvm_program *p, uint32_t pc);
/* The region's instructions: pc up to and including the first that ends a region. */
uint64_t tv_region_len(const sem_spec *sp, const pvm_program *p, uint32_t pc);
#endif
