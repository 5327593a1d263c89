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
	bool cls_fixed;              /* emit in class cls (a template); else the class the value picks */
	uint8_t cls;                 /* jit_imm_class */
	bool s8;                     /* the instruction being emitted is in class JIT_CLASS_S8 */
} jit_em;

/* Append the template of one instruction. */
void jit_em_inst(jit_em *e, const pvm_inst *in);
/* Append the fused code of a and b (jit_fuse_pair(a, b) holds). */
void jit_em_fused(jit_em *e, const pvm_inst *a, const pvm_inst *b);
/* Is in emitted in class JIT_CLASS_S8 when the class is the value's (a program's compile)? */
bool jit_em_s8(const pvm_inst *in);
/* Room for one more exit: the array grown, or (a caller's fixed array, full) false with the
 * buffer's sticky error set. */
bool jit_em_exits_grow(jit_em *e);
/* Record a rel32 exit whose field is at buffer offset off (inline: one per instruction or so). */
static inline void jit_em_exit(jit_em *e, size_t off, jit_exit_kind kind, uint32_t pc, uint32_t target,
                               uint64_t arg, enum x64_reg reg)
{
	if (e->n_exits == e->cap_exits && !jit_em_exits_grow(e)) return;
	e->exits[e->n_exits++] = (jit_exit){ .off = (uint32_t)off, .kind = (uint8_t)kind,
		.reg = (uint8_t)reg, .pc = pc, .target = target, .arg = arg };
}
/* Gas prologue of the region entered at pc: sub rsp, cost ; jl oog(pc) (the gas is in
 * JIT_GASREG). jl is taken exactly when gas < cost (signed: SF != OF of gas - cost, as a cmp
 * would set them); its exit records the cost (arg), which the exit's stub adds back, so out of
 * gas leaves the gas as it was. *field: the buffer offset of the cost immediate (1 byte when
 * cost < 128, else 4). */
void jit_em_prologue(jit_em *e, uint32_t pc, uint32_t cost, size_t *field);

/* The step of loop s (jit/step.c) at b's end: turn is the gas the branch back's region charges
 * (its own and the head's), match what a matching byte's region (ADD) adds. The guard's exits,
 * to the head's code past its prologue, are rel32 fields at fail[0 .. *n_fail) (at most 4), the
 * jump back to the step's start at *again; *load: the offset of the first 8-byte load; word_end[h]:
 * the offset right after the load of word h (JIT_STEP_TURNS / 8 of them). */
void jit_step_emit(x64_buf *b, const jit_step_shape *s, uint32_t turn, uint32_t match, size_t *fail, size_t *n_fail,
                   size_t *again, size_t *load, size_t *word_end);
/* A step of a compiled program: its latch, its code's offset, the offset of its 8-byte load and the
 * pc of the loop's load_ind_u8 (the fault map's row for that load). */
typedef struct jit_step_at { uint32_t latch, off, load_off, load_pc; } jit_step_at;

/* One compiled position: an instruction start, or a fall-through into a position that holds
 * none (compiled as a trap). Rows ascend in guest pc and in host offset (a fused pair's two rows
 * share one offset, jit.h § fusions). Its instruction is jit_row_inst's. */
typedef struct jit_row {
	jit_pcmap at;                /* host offset of the instruction's code (after any prologue) */
	uint32_t cost;               /* gas of the region a run started here pays (in C when not at its entry) */
	uint32_t prepaid;            /* gas the chain's prologue took for the blocks after this one (jit.h § chains) */
	uint32_t entry;              /* host offset of its gas prologue, or JIT_NONE */
} jit_row;

/* The sandbox shadow (jit.h): sorted, disjoint, maximal runs of guest pages [first, end) whose
 * protection is not PVM_NONE; pages outside every run are PVM_NONE. */
typedef struct jit_prot_run { uint32_t first, end; pvm_perm perm; } jit_prot_run;
struct jit_perms { jit_prot_run *v; size_t n, cap; };

/* A compiled program (compile.c); run by runtime.c. Owns copies of what it needs. */
struct jit_program {
	uint8_t *code;               /* RX mapping */
	size_t code_size, map_size;
	size_t enter_off, exit_off;  /* trampolines: enter [enter_off, exit_off), exit [exit_off, tramp_end) */
	size_t tramp_end;
	jit_row *rows;
	size_t n_rows;
	uint32_t jt_len;
	uint64_t *jt_host;           /* jt_len host addresses of block entries (0: not a block) */
	bool isa080;                 /* GP 0.8.0: block gas with the gas-charged flag (ISA-NOTES-0.8 §4) */
	bool invalid;                /* 0.8.0: the blob failed prevalidation: every run panics at once */
	uint32_t code_len;
	pvm_program prog;            /* copies of the program's code, bitmask and jump table (code_len,
	                                isa; nothing else): jit_row_inst decodes from them, and the twin
	                                is compiled from them */
	jit_stats stats;
	bool sandboxed;              /* the last run opened the sandbox (a run that panics before any JIT
	                                code, an invalid GP 0.8.0 blob's, does not): perms and
	                                stop_diff are that run's, else there is nothing to compare */
	jit_perms perms;             /* the sandbox shadow of the current or last run (runtime.c) */
	bool has_stop_diff;          /* the last run's first start/sbrk stop whose shadow differed */
	pvm_perm_diff stop_diff;
	uint64_t last_regs[PVM_NUM_REGS]; /* the last run's registers at its exit, */
	bool last_host;              /* whether it was a host call, */
	uint32_t last_next;          /* and where that resumes (only a mutant reads these: runtime.c take_state) */
	uint64_t *fused;             /* bits (jit_fused_second), set at the second instruction of a fused
	                                pair; NULL when the compile fused none (or was asked not to) */
	jit_features feat;           /* the features it was compiled for */
	jit_program *unfused;        /* the same program compiled without fusions, made by the first
	                                run that needs it (runtime.c) */
	jit_step_at *steps;          /* the steps (jit.h § steps), in the order they were linked */
	size_t n_steps;
	jit_stop_hook *hook;         /* jit_program_set_hook */
	void *hook_ud;
};
enum { JIT_NONE = UINT32_MAX };
/* Is pc (<= code_len) the second instruction of a fused pair of jp? (jp->fused: pc's bit is bit
 * pc % 64 of word pc / 64, (code_len >> 6) + 1 words: an eighth of a byte array to zero) */
static inline bool jit_fused_second(const jit_program *jp, uint32_t pc)
{
	return jp->fused && (jp->fused[pc >> 6] >> (pc & 63) & 1);
}
/* jit_program_new without the template cache: every template, prologue, stub and dispatcher
 * emitted anew. The same program byte for byte, with the same rows (ctest jit_cache). */
jit_err jit_program_new_uncached(const pvm_program *p, jit_features f, jit_program **out);
/* Row of guest pc, or NULL when pc holds no compiled code. */
const jit_row *jit_find_row(const jit_program *jp, uint32_t pc);
/* The instruction compiled at the row of guest pc: at an instruction start the program's
 * p->inst[pc] (decoded anew: pvm_decode_at is decode's own decoding, and the mutant, if any, is
 * the one of the compile), elsewhere (a fall-through into a position that holds no instruction,
 * or code_len) { trap, pc, next = pc + 1 }. ctest jit_rows checks it against p->inst. */
pvm_inst jit_row_inst(const jit_program *jp, uint32_t pc);
/* Guest pc of the instruction whose code contains host offset off (of rows sharing an offset, the
 * last: the one whose code starts there). */
uint32_t jit_host_to_guest(const jit_program *jp, size_t off);

/* Writes n bytes at host address at through /proc/self/mem: the kernel's forced write (a
 * debugger's poke), which leaves the page's protection as it is. Read-only guest pages and RX
 * code are so written without an mprotect pair (two VMA changes and a TLB shootdown on every
 * CPU the process runs on). False when it cannot: no /proc/self/mem, a kernel that forbids the
 * forced write (proc_mem.force_override=never), or $JITPROOF_NO_FORCE_WRITE set (the tests of
 * the mprotect path); the caller then mprotects. */
bool jit_force_write(void *at, const void *src, size_t n);
bool jit_force_write_ok(void);
/* Writes n bytes into RX code at host address at: forced, else RW, copy, RX. False only when
 * neither works (the code is then unchanged). */
bool jit_code_write(uint8_t *at, const void *src, size_t n);
/* Makes [at, at + n) (readable) hold src's bytes, writing only the span from the first to the
 * last byte that differs (bytes equal to what is there need no writing): with jit_code_write
 * when code is set, else with jit_force_write. */
bool jit_write_changed(uint8_t *at, const void *src, size_t n, bool code);
#endif
