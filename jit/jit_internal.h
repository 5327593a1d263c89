/* jit/jit_internal.h: the emitter state shared by templates.c, compile.c and runtime.c.
 * Not part of the public API (jit.h). */
#ifndef JITPROOF_JIT_INTERNAL_H
#define JITPROOF_JIT_INTERNAL_H
#include "jit/jit.h"

typedef struct jit_em {
	x64_buf b;
	jit_features f;
	const pvm_inst *cur;         /* instruction being emitted */
	jit_exit *exits;             /* rel32 exits recorded so far */
	size_t n_exits, cap_exits;
	bool fixed_exits;            /* exits is a caller array of cap_exits rows (no realloc) */
	jit_imm_field *imms;         /* NULL: do not record immediate fields */
	size_t n_imms;
} jit_em;

/* Append the template of one instruction. */
void jit_em_inst(jit_em *e, const pvm_inst *in);
/* Record a rel32 exit whose field is at buffer offset off. */
void jit_em_exit(jit_em *e, size_t off, jit_exit_kind kind, uint32_t pc, uint32_t target,
                 uint64_t arg, enum x64_reg reg);
/* Gas prologue of the region entered at pc:
 * cmp qword [r15 + ctx.gas], cost ; jl oog(pc) ; sub qword [r15 + ctx.gas], cost */
void jit_em_prologue(jit_em *e, uint32_t pc, uint32_t cost);

/* A compiled program (compile.c); run by runtime.c. */
struct jit_program {
	pvm_inst *inst;              /* copies of the program's decode: code_len + 1 rows */
	uint32_t *gas_cost;
	uint32_t code_len;
	uint8_t *code;               /* RX mapping */
	size_t code_size, map_size;
	size_t enter_off, exit_off;  /* trampolines */
	uint32_t *body;              /* code_len + 1: host offset of each instruction, or NONE */
	jit_pcmap *map;              /* ascending host offsets → guest pc */
	size_t n_map;
	uint32_t jt_len;
	uint64_t *jt_host;           /* jt_len host addresses of block entries (0: not a block) */
	jit_stats stats;
};
enum { JIT_NONE = UINT32_MAX };
/* Guest pc of the instruction whose code contains host offset off. */
uint32_t jit_host_to_guest(const jit_program *jp, size_t off);
#endif
