/* lifter/lift.h: x86-64 machine code (decoded by Capstone 4) → Z3 bit-vector terms.
 * A symbolic machine state (16 GPRs, six flags, byte memory) is run through every instruction of a
 * buffer; branches inside the buffer are followed and merged, every way out of it is an exit
 * (path condition, target, post-state). Semantics come from the instruction id and operands, never
 * from Capstone's eflags table. Unsupported instructions are an error, never skipped. */
#ifndef JITPROOF_LIFT_H
#define JITPROOF_LIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <z3.h>

/* Status of every lift_* call that can fail; detail text in lift_errmsg(). */
typedef enum lift_err {
	LIFT_OK = 0,
	LIFT_EDECODE,      /* bytes Capstone cannot decode (lift_block, lift_decode) */
	LIFT_EUNSUPPORTED, /* an instruction or operand form the lifter has no semantics for */
	LIFT_EFIELD,       /* a symbolic field overlaps an instruction but is not its imm/disp */
	LIFT_ELIMIT,       /* too many steps: a loop, or paths that never end (lift_block) */
	LIFT_EARG,         /* bad argument (unknown break rule, bad field) */
} lift_err;

/* GPRs in x86 encoding order. */
enum lift_reg {
	LIFT_RAX, LIFT_RCX, LIFT_RDX, LIFT_RBX, LIFT_RSP, LIFT_RBP, LIFT_RSI, LIFT_RDI,
	LIFT_R8, LIFT_R9, LIFT_R10, LIFT_R11, LIFT_R12, LIFT_R13, LIFT_R14, LIFT_R15,
	LIFT_NGPR
};
/* Flags, in no particular order. Each is a 1-bit bit-vector term. */
enum lift_flag { LIFT_CF, LIFT_PF, LIFT_AF, LIFT_ZF, LIFT_SF, LIFT_OF, LIFT_NFLAG };
extern const char *const lift_reg_names[LIFT_NGPR];  /* "rax".."r15" */
extern const char *const lift_flag_names[LIFT_NFLAG]; /* "cf","pf","af","zf","sf","of" */
extern const uint8_t lift_flag_bit[LIFT_NFLAG];       /* bit position in RFLAGS */

/* A machine state: gpr[i] is (_ BitVec 64), flag[i] is (_ BitVec 1),
 * mem is (Array (_ BitVec 64) (_ BitVec 8)), little-endian; the stack is memory at rsp.
 * rip is not a term: every exit carries its target (a numeral, or a term for indirect ones). */
typedef struct lift_state {
	Z3_ast gpr[LIFT_NGPR];
	Z3_ast flag[LIFT_NFLAG];
	Z3_ast mem;
} lift_state;

/* How a path leaves the lifted buffer. */
typedef enum lift_exit_kind {
	LIFT_EXIT_JUMP,     /* direct jmp/jcc to `target`, an address outside the buffer */
	LIFT_EXIT_FALL,     /* ran off the end: target = base + len */
	LIFT_EXIT_CALL,     /* call rel32 to `target` outside the buffer; state after the push of
	                     * the return address (= address of the instruction after the call) */
	LIFT_EXIT_INDIRECT, /* jmp reg/mem or ret: target_term is the dynamic target, `target` = 0 */
	LIFT_EXIT_DE,       /* #DE from div/idiv at address `target`; state before that instruction */
	LIFT_EXIT_TRAP,     /* ud2 or int3 at address `target`; state before that instruction */
} lift_exit_kind;
extern const char *const lift_exit_kind_names[]; /* "jump", "fall", ... */

/* One way out. Conditions of all exits of a lift_block are pairwise disjoint and their
 * disjunction is true (every path ends in exactly one exit). Exits with the same kind and target
 * are merged (state terms become ite on the path conditions). */
typedef struct lift_exit {
	lift_exit_kind kind;
	Z3_ast cond;        /* Bool */
	uint64_t target;
	Z3_ast target_term; /* (_ BitVec 64): numeral of `target`, or the dynamic target */
	lift_state st;
} lift_exit;

/* A symbolic field: bytes [offset, offset+size) of the buffer hold an immediate or a displacement
 * whose value is `term` ((_ BitVec size*8)) instead of the concrete bytes. Capstone still decodes
 * the concrete bytes; the lifter substitutes `term` (sign-extended as the encoding says) for the
 * operand whose imm/disp encoding starts at that offset and has that size. */
typedef struct lift_field {
	uint32_t offset;
	uint8_t size;
	Z3_ast term;
} lift_field;

typedef struct lift_result {
	lift_exit *exits;
	size_t nexits;
	size_t ninsns;  /* instructions lifted (counting each merged visit once) */
} lift_result;

/* One decoded instruction as Capstone prints it (for listings and the decode cross-check). */
typedef struct lift_insn {
	uint64_t addr;
	uint8_t size;
	unsigned id;          /* Capstone x86_insn */
	char mnemonic[32];
	char op_str[160];
} lift_insn;

typedef struct lift_ctx lift_ctx;

/* A lifter over Z3 context z. z must be a context without reference counting (Z3_mk_context):
 * terms the lifter returns stay valid until z is deleted. NULL if Capstone fails to open. */
lift_ctx *lift_new(Z3_context z);
void lift_free(lift_ctx *lc);
/* Detail of the last failure: "0xADDR: reason: MNEMONIC OPS". */
const char *lift_errmsg(const lift_ctx *lc);
const char *lift_strerror(lift_err err);

/* Fill st with fresh constants named PREFIX_rax.., PREFIX_cf.., PREFIX_mem. */
void lift_state_fresh(lift_ctx *lc, lift_state *st, const char *prefix);
/* A state with concrete GPRs and flags (bit i of rflags per lift_flag_bit) and memory `mem`
 * (NULL: fresh array named "mem0"). */
void lift_state_const(lift_ctx *lc, lift_state *st, const uint64_t gpr[LIFT_NGPR], uint64_t rflags,
		      Z3_ast mem);
/* Little-endian read of n bytes (1, 2, 4, 8) at addr ((_ BitVec 64)) from memory term mem. */
Z3_ast lift_mem_read(lift_ctx *lc, Z3_ast mem, Z3_ast addr, unsigned n);

/* A solver built from the bit-blasting tactic pipeline simplify, propagate-values, solve-eqs,
 * bit-blast, aig, sat: the second opinion where the default solver gives up (it wins on
 * division). Returned with one reference held for the caller. */
Z3_solver lift_blast_solver(Z3_context z);

/* Instructions with semantics: mov movabs movzx movsx movsxd lea xchg push pop cdq cqo cdqe cwde
 * nop; add adc sub sbb and or xor cmp test not neg inc dec; mul imul (1/2/3 operands) div idiv
 * (32/64-bit); shl sal shr sar rol ror (32/64-bit, imm/cl/1) shlx shrx sarx rorx; bswap lzcnt
 * tzcnt popcnt bsf bsr andn bzhi blsr blsi blsmsk pdep pext; clc stc cmc; cmovcc setcc jcc jmp
 * call ret ud2 int3. Values the SDM leaves undefined are fresh constants named undef_*.
 * Lift code[0..len) loaded at address base, starting at base with state *in. Paths are walked in
 * address order and merged where they meet; a loop ends in LIFT_ELIMIT (64 + 16*len steps).
 * fields: symbolic immediates/displacements (may be NULL when nfields = 0).
 * On LIFT_OK, *out holds the exits (free with lift_result_fini). Unsupported instruction →
 * LIFT_EUNSUPPORTED, message "0xADDR: unsupported instruction: MNEMONIC OPS". */
lift_err lift_block(lift_ctx *lc, const uint8_t *code, size_t len, uint64_t base,
		    const lift_field *fields, size_t nfields, const lift_state *in, lift_result *out);
void lift_result_fini(lift_result *r);

/* GPR index (enum lift_reg) of a Capstone x86_reg of any width, or -1; *hi for ah..bh. */
int lift_reg_index(unsigned capstone_reg, bool *hi);

/* Decode code[0..len) linearly into at most max instructions; *n gets the count.
 * LIFT_EDECODE if some bytes do not decode (message names the address). */
lift_err lift_decode(lift_ctx *lc, const uint8_t *code, size_t len, uint64_t base, lift_insn *out,
		     size_t max, size_t *n);

/* Testing only: deliberately break one semantic rule so tests can show that lift-check bites.
 * Rules: "sub-cf" (CF of sub/cmp inverted), "shl-of" (OF of 1-bit shl inverted), "div-de"
 * (div/idiv of a general dividend forget the quotient-overflow #DE), "imul-sf" (imul defines SF
 * as the sign of the low product, which the SDM leaves undefined), "none". */
lift_err lift_set_break(lift_ctx *lc, const char *rule);

/* ---- canonicalizing rewrites, each a lemma -------------------------------------------------
 * The lifter writes x86 semantics in the canonical vocabulary of the specs (bvudiv, bvsdiv,
 * bvmul, ext_rotate, bvult for carries). Each rewrite it relies on is a lemma: a Bool term valid
 * for all values of its free constants. The test suite proves each one (unsat of its negation). */
typedef struct lift_lemma {
	const char *name;
	const char *text;  /* what it says, one line */
	Z3_ast (*build)(Z3_context z);
	bool bitblast;     /* Z3's bit-blasting tactic proves it much faster than the default solver */
} lift_lemma;
extern const lift_lemma lift_lemmas[];
extern const size_t lift_nlemmas;

#endif
