/* semantics/sem.h: the PVM formal semantics (specs/pvm.yaml) as checked data.
 * Loads and type-checks the spec file, evaluates an instruction's spec on a concrete pvm_state,
 * builds the same spec as Z3 terms over symbolic inputs, and runs whole programs (`spec` engine).
 * All three read one AST, so what the vectors test is what the validator proves against. */
#ifndef JITPROOF_SEM_H
#define JITPROOF_SEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <z3.h>
#include "pvm/pvm.h"

typedef enum sem_err {
	SEM_OK = 0,
	SEM_EIO,      /* the spec file could not be read */
	SEM_ESYNTAX,  /* bad YAML, bad s-expression, unknown operator or operand, missing field */
	SEM_ETYPE,    /* bit-width or arity error */
	SEM_ETABLE,   /* the specs and pvm/opcodes.def disagree */
	SEM_EZ3,      /* a Z3 build could not be done (unknown opcode, missing input) */
} sem_err;
const char *sem_strerror(sem_err err);

/* ---- the language (specs/README.md) -------------------------------------------------------- */

typedef enum sem_op {
#define SEM_OP(id, tok, cls) SEM_##id,
#include "ops.def"
#undef SEM_OP
	SEM_NUM_OPS
} sem_op;

/* Typing rule of an operator; W = a bit-vector width, Bool is width 0. */
typedef enum sem_class {
	SEM_C_BIN,      /* (op a:W b:W) → W */
	SEM_C_UN,       /* (op a:W) → W */
	SEM_C_CMP,      /* (op a:W b:W) → Bool */
	SEM_C_EQ,       /* (op a:T b:T) → Bool, T a width or Bool */
	SEM_C_BOOL2,    /* (op a:Bool b:Bool ...) → Bool */
	SEM_C_BOOL1,    /* (not a:Bool) → Bool */
	SEM_C_ITE,      /* (ite c:Bool a:T b:T) → T */
	SEM_C_EXTRACT,  /* (extract HI LO a:W) → HI-LO+1 */
	SEM_C_CONCAT,   /* (concat a:W1 b:W2 ...) → W1+W2+..., a is the high part */
	SEM_C_EXTEND,   /* (zero_extend K a:W) → W+K */
	SEM_C_LOAD,     /* (load N addr:32) → 8N, N in 1,2,4,8, little-endian from mem */
	SEM_C_E_SET,    /* (set REG v:64) */
	SEM_C_E_STORE,  /* (store N addr:32 v:8N) */
	SEM_C_E_BRANCH, /* (branch c:Bool t:32) */
	SEM_C_E_DJUMP,  /* (djump a:32) */
	SEM_C_E_TRAP,   /* (trap) */
	SEM_C_E_ECALLI, /* (ecalli id:32) */
	SEM_C_E_SBRK,   /* (sbrk REG size:64), (brk REG size:64) */
} sem_class;
extern const char *const sem_op_names[SEM_NUM_OPS];
extern const uint8_t sem_op_class[SEM_NUM_OPS];

/* Named operands. Widths: registers, imm, imm2, gas 64; pc, next, target 32. */
typedef enum sem_operand {
	SEM_RA, SEM_RB, SEM_RD, SEM_IMM, SEM_IMM2, SEM_TARGET, SEM_PC, SEM_NEXT, SEM_GAS,
	SEM_NUM_OPERANDS
} sem_operand;
extern const char *const sem_operand_names[SEM_NUM_OPERANDS];

__extension__ typedef unsigned __int128 sem_u128;

typedef enum sem_kind { SEM_K_APP, SEM_K_OPERAND, SEM_K_CONST, SEM_K_INT } sem_kind;
enum { SEM_BOOL = 0, SEM_EFFECT = -1, SEM_MAX_WIDTH = 128 };

typedef struct sem_node sem_node;
struct sem_node {
	uint8_t kind;        /* sem_kind */
	uint8_t op;          /* SEM_K_APP: sem_op */
	uint8_t operand;     /* SEM_K_OPERAND: sem_operand */
	uint8_t nargs;       /* SEM_K_APP: arguments in arg[] (numeric parameters are in p0/p1) */
	int16_t width;       /* result bits; SEM_BOOL for Bool, SEM_EFFECT for a top-level effect */
	uint16_t p0, p1;     /* extract HI LO; extend K; load/store N */
	uint32_t line, col;  /* position in the spec file, 1-based */
	sem_u128 value;      /* SEM_K_CONST (Bool: 0/1), SEM_K_INT */
	sem_node *arg[8];
};

/* One instruction's spec. */
typedef struct sem_insn {
	const char *name;
	unsigned opcode;       /* pvm_opcode of its name; PVM_NUM_OPS when the table has no such name */
	unsigned form;         /* enum pvm_form */
	bool terminator;       /* ends a basic block / gas region (ISA-NOTES §3) */
	uint32_t line, col;    /* of the entry in the spec file */
	sem_node **effects;
	size_t n_effects;
	uint16_t uses;         /* bit per sem_operand used */
	bool mem_read, mem_write, control;
	uint8_t n_access;      /* load/store nodes (at most 2) */
	const struct sem_path *paths; /* the cases of its semantics (sem_insn_paths), n_paths of them */
	unsigned n_paths;
} sem_insn;

typedef struct sem_spec sem_spec;

/* Load and type-check a spec file. On error returns NULL with "FILE:LINE:COL: reason" in *e. */
sem_spec *sem_spec_load(const char *path, pvm_errbuf *e);
/* The same for one revision: an entry with `isa: X` is loaded only for revision X (sem_spec_load:
 * GP 0.7.2). */
sem_spec *sem_spec_load_isa(const char *path, pvm_isa isa, pvm_errbuf *e);
sem_spec *sem_spec_parse_isa(const char *text, size_t len, pvm_isa isa, const char *name, pvm_errbuf *e);
/* Same from text in memory; `name` is the file name used in messages. */
sem_spec *sem_spec_parse(const char *text, size_t len, const char *name, pvm_errbuf *e);
void sem_spec_free(sem_spec *sp);
/* The spec file the engine uses: $JITPROOF_SPECS, else the path compiled in. */
const char *sem_spec_default_path(void);
/* Check that the spec has exactly the instructions of revision isa in pvm/opcodes.def, with the
 * same forms and terminator flags; on a difference returns SEM_ETABLE with the first one named in *e. */
sem_err sem_spec_check_table(const sem_spec *sp, pvm_isa isa, pvm_errbuf *e);

/* The revision the spec was loaded for. */
pvm_isa sem_spec_isa(const sem_spec *sp);
/* The two entries state the same semantics: the same form, terminator flag and effect trees,
 * node for node (positions in the file aside). What lets validate reuse one revision's template
 * proof for the other: the query is a function of the template's bytes and this entry. */
bool sem_insn_same(const sem_insn *a, const sem_insn *b);

size_t sem_spec_count(const sem_spec *sp);
const sem_insn *sem_spec_at(const sem_spec *sp, size_t i);          /* in file order */
const sem_insn *sem_spec_get(const sem_spec *sp, unsigned opcode);  /* or NULL */
/* The entry of opcode under the GP 0.7.2 readings (pvm_state.reading): an entry's
 * `semantics-sbrk-break` under PVM_READING_SBRK_BREAK when it has one (the sbrk entry), else its
 * `semantics`. */
const sem_insn *sem_spec_get_reading(const sem_spec *sp, unsigned opcode, uint8_t reading);
/* Whether some entry of the spec reads differently under reading than under 0. */
bool sem_spec_reading_differs(const sem_spec *sp, unsigned opcode, uint8_t reading);
const char *sem_form_name(unsigned form);                          /* "reg3", ... */

/* ---- the spec's decoding (semantics/decode.c) ------------------------------------------------
 * The instruction bytes read as GP A.5 states them, apart from pvm/decode.c and pvm/fields.c (the
 * decoder the interpreter and the JIT use): the `spec` engine and the evaluator take their
 * operands, instruction starts and block starts from here. Reads p->isa, code, code_len and
 * bitmask only. */

/* skip(pc): bytes up to the next set bitmask bit (every bit from code_len on counts as set), at
 * most 24. */
unsigned sem_skip(const pvm_program *p, uint32_t pc);
/* pc holds an instruction: below code_len, bitmask bit set, a defined opcode byte of p->isa. */
bool sem_is_instruction(const pvm_program *p, uint32_t pc);
/* The operands (bit per sem_operand, of ra rb rd imm imm2 target) form gives the semantics. */
uint16_t sem_form_operands(unsigned form);
/* The operand fields of an instruction of `form` at pc with skip l into in->ra, rb, rd, imm,
 * imm2, target (those the form lacks: 0, target pc). */
void sem_decode_operands(unsigned form, const pvm_program *p, uint32_t pc, unsigned l, pvm_inst *in);
/* The instruction at pc (any pc): op by the revision's opcode byte and form by sp's entry; a
 * position that holds no instruction (sem_is_instruction) is a trap at pc. next = pc + 1 + skip. */
pvm_inst sem_decode(const sem_spec *sp, const pvm_program *p, uint32_t pc);
/* pc ∈ ϖ: an instruction at 0 or right after (at pc' + 1 + skip(pc')) an instruction that sp
 * says is a terminator. */
bool sem_is_block(const sem_spec *sp, const pvm_program *p, uint64_t pc);
/* L(pc): the largest block start ≤ pc, or UINT32_MAX. */
uint32_t sem_block_of(const sem_spec *sp, const pvm_program *p, uint32_t pc);

/* ---- concrete evaluation -------------------------------------------------------------------- */

/* Execute one instruction `in` (decoded from p: sem_decode) on *s by its spec: on continue sets
 * s->pc to the successor and returns false; on an exit returns true with *x filled and s->pc =
 * in->pc. Memory faults leave registers and memory unchanged (DESIGN.md); a panicking branch or
 * djump keeps the register writes. Branch targets and djumps are resolved against p's block
 * starts by sem_is_block and its jump table. Gas is not touched (the caller charges gas regions). */
bool sem_exec(const sem_spec *sp, const pvm_program *p, const pvm_inst *in, pvm_state *s,
              pvm_exit *x);

/* Operand values of `in` (indexed by sem_operand) as the evaluator sees them in state s. */
void sem_operands(const pvm_inst *in, const pvm_state *s, uint64_t v[SEM_NUM_OPERANDS]);

/* Run p from s->pc until an exit by sem_exec, charging DESIGN.md's gas regions (each run starts
 * a region, as after a host call). This is the `spec` engine's run with an already loaded spec. */
pvm_exit sem_run(const sem_spec *sp, const pvm_program *p, pvm_state *s);

/* The `spec` engine (name "spec"): loads sem_spec_default_path() and runs programs by sem_run. */
extern const pvm_engine sem_engine;

/* ---- spec paths: the cases of an instruction's semantics -------------------------------------

 * Derived from the AST alone (no hand lists), in a fixed order: `exec` and `oog` (the region
 * entered here runs out of gas), then a preorder walk of the effects giving each deciding node
 * its outcomes: an `ite` condition true/false (ifK_t, ifK_f) and, for an and/or condition, each
 * operand alone deciding it (ifK_aJ: only operand J false; ifK_oJ: only operand J true);
 * a division's divisor zero / signed overflow / neither (divK_zero, divK_ovf, divK_norm); a shift
 * amount >= width or not (shK_big, shK_in); each memory access ok / panic (lowest bad byte below
 * 0x10000) / page fault (memK_ok, memK_panic, memK_fault); a branch not taken / taken / taken to a
 * non-block (br_not, br_taken, br_panic); a djump's halt / each panic reason / ok (dj_halt,
 * dj_zero, dj_past, dj_odd, dj_notblock, dj_ok); sbrk of size 0 or not (sbrk_zero, sbrk_size).
 * ite-nested cases count only where the enclosing ite selects them (their value matters). */
typedef enum sem_path_kind {
	SEM_P_EXEC, SEM_P_OOG, SEM_P_IF, SEM_P_AND, SEM_P_OR, SEM_P_DIV, SEM_P_SHIFT, SEM_P_MEM,
	SEM_P_BRANCH, SEM_P_DJUMP, SEM_P_SBRK,
} sem_path_kind;
typedef struct sem_path {
	char name[16];          /* unique within the instruction: [a-z0-9_]+ */
	uint8_t kind;           /* sem_path_kind */
	uint8_t outcome;        /* kind's case: IF 0 t 1 f; AND/OR operand J; DIV 0 zero 1 norm 2 ovf;
	                           SHIFT 0 big 1 in; MEM 0 ok 1 panic 2 fault; BRANCH 0 not 1 taken
	                           2 panic; DJUMP 0 halt 1 zero 2 past 3 odd 4 notblock 5 ok;
	                           SBRK 0 zero 1 size */
	const sem_node *node;   /* the deciding node (the ite, division, shift, load/store, effect) */
} sem_path;
enum { SEM_MAX_PATHS = 64 };
/* Fill out[] (SEM_MAX_PATHS entries) with the paths of si; returns how many. The loader stores
 * them in si->paths. */
unsigned sem_paths_build(const sem_insn *si, sem_path *out);
/* Index of the path of si named name, or -1. */
int sem_path_find(const sem_insn *si, const char *name);

/* Called for each instruction the traced evaluator runs: its pc and opcode, and the paths it
 * took (bit i = si->paths[i]; the `oog` path alone when the region entered at pc does not fit). */
typedef void (*sem_trace_fn)(void *ctx, uint32_t pc, unsigned opcode, uint64_t paths);
/* sem_exec that also reports the paths taken in *paths (bit per si->paths index; may be NULL). */
bool sem_exec_paths(const sem_spec *sp, const pvm_program *p, const pvm_inst *in, pvm_state *s,
                    pvm_exit *x, uint64_t *paths);
/* sem_run calling fn after every instruction (and for an out-of-gas region entry). */
pvm_exit sem_run_trace(const sem_spec *sp, const pvm_program *p, pvm_state *s, sem_trace_fn fn, void *ctx);

/* ---- Z3 terms ------------------------------------------------------------------------------ */

/* How an instruction ends, as the 3-bit value of sem_z3_post.status. */
typedef enum sem_status { SEM_CONT = 0, SEM_HALT, SEM_PANIC, SEM_FAULT, SEM_HOST } sem_status;

/* Symbolic pre-state of one instruction. Register operand numbers are concrete (one template
 * per register assignment); everything else is a Z3 term. Sorts: regs/imm/imm2/gas BV64,
 * pc/next/target BV32, mem Array(BV32, BV8). imm/imm2/target may be NULL when the form has none.
 * Program and permission facts are optional: NULL means the builder makes a fresh constant
 * (returned in sem_z3_post so the caller can constrain it). */
typedef struct sem_z3_pre {
	uint8_t ra, rb, rd;
	Z3_ast regs[PVM_NUM_REGS];
	Z3_ast mem;
	Z3_ast imm, imm2, target, pc, next, gas;
	Z3_ast readable;    /* Array(BV20, Bool): page number → readable */
	Z3_ast writable;    /* Array(BV20, Bool): page number → writable */
	Z3_ast is_block;    /* Array(BV32, Bool): pc → basic-block start (ϖ) */
	Z3_ast jump_table;  /* Array(BV32, BV32): index → target pc */
	Z3_ast jt_len;      /* BV32: number of jump-table entries */
	uint8_t reading;    /* PVM_READING_*: which of an entry's readings (sem_spec_get_reading) */
} sem_z3_pre;

typedef struct sem_z3_access { Z3_ast addr; unsigned bytes; bool write; } sem_z3_access;

/* Post-state. regs/mem are the values when no memory access faults; when `fault` holds the real
 * post-state is the pre-state (status then says panic or page-fault). */
typedef struct sem_z3_post {
	Z3_ast regs[PVM_NUM_REGS];
	Z3_ast mem;
	Z3_ast gas;          /* unchanged: gas regions are charged by the block, not the instruction */
	Z3_ast status;       /* BV3: sem_status */
	Z3_ast pc;           /* BV32: successor when status = SEM_CONT, else the instruction's pc */
	Z3_ast ok_status;    /* status and pc when no access faults: status = ite(fault, .., ok_status) */
	Z3_ast ok_pc;
	Z3_ast fault;        /* Bool: some memory access of the instruction faults */
	Z3_ast fault_addr;   /* BV32: the lowest offending address rounded down to its page */
	Z3_ast host_id;      /* BV32: ecalli id (0 when not an ecalli) */
	Z3_ast branch_cond;  /* Bool, static branches only (else NULL) */
	Z3_ast branch_target;/* BV32, static branches only */
	Z3_ast djump_addr;   /* BV32, dynamic jumps only */
	sem_z3_access access[2];
	unsigned n_access;
	bool opaque;         /* sbrk: the result register is sbrk(size), an uninterpreted function */
	Z3_ast sbrk_size;    /* BV64, sbrk only: the size argument */
	Z3_ast brk_fails;    /* Bool, brk only: brk_fails(size), the break would pass the stack (panic) */
	Z3_ast readable, writable, is_block, jump_table, jt_len; /* the ones used (given or fresh) */
} sem_z3_post;

/* Build the post-state of `opcode` over *in. The context must be a non-reference-counting one
 * (Z3_mk_context): the returned terms live as long as the context. A failed Z3 call (e.g. terms
 * of the wrong widths in *in) is SEM_EZ3 with "NAME: Z3 error: MESSAGE", never a crash. */
sem_err sem_z3_build(Z3_context c, const sem_spec *sp, unsigned opcode, const sem_z3_pre *in,
                     sem_z3_post *out, pvm_errbuf *e);
/* One expression of a spec as a Z3 term (Bool or BV) over the operand terms in[] (indexed by
 * sem_operand) and memory. NULL when a Z3 call failed (a context without an error handler):
 * nothing calls Z3 after the failure, so Z3_get_error_code(c) still says why. */
Z3_ast sem_z3_expr(Z3_context c, const sem_node *n, const Z3_ast in[SEM_NUM_OPERANDS], Z3_ast mem);
/* The canonical expansions the builder uses for bvpopcount / bvclz / bvctz (same width as x);
 * a lifter that models popcnt/lzcnt/tzcnt with these gets syntactically equal terms. */
Z3_ast sem_z3_popcount(Z3_context c, Z3_ast x);
Z3_ast sem_z3_clz(Z3_context c, Z3_ast x);
Z3_ast sem_z3_ctz(Z3_context c, Z3_ast x);
/* sbrk's result for a BV64 size: the application of the uninterpreted function `sbrk` (the
 * allocator, pvm_sbrk, is not a formula). Equal sizes from the same heap give equal results. */
Z3_ast sem_z3_sbrk(Z3_context c, Z3_ast size);
/* The peers' reading's break (the `brk` effect): brk(size), the old break, and brk_fails(size),
 * whether the new one would pass the stack; both uninterpreted (the break lives in the heap state,
 * pvm_sbrk_break, not in a formula). */
Z3_ast sem_z3_brk(Z3_context c, Z3_ast size);
Z3_ast sem_z3_brk_fails(Z3_context c, Z3_ast size);
/* N-byte little-endian read of a Z3 memory array at a BV32 address (wrapping). */
Z3_ast sem_z3_load(Z3_context c, Z3_ast mem, Z3_ast addr, unsigned bytes);
/* The condition (Bool) under which instruction opcode, over pre-state *in and its built post
 * (sem_z3_build), takes path pa (one of its sem_path entries; `oog` is left to the caller: it
 * depends on the region, and gives true here). */
Z3_ast sem_z3_path(Z3_context c, const sem_spec *sp, unsigned opcode, const sem_z3_pre *in,
                   const sem_z3_post *post, const sem_path *pa);

#endif
