/* lifter/internal.h: what lift.c (driver, operands) and sem.c (instruction semantics) share.
 * Not a public header: other modules use lift.h. */
#ifndef JITPROOF_LIFT_INTERNAL_H
#define JITPROOF_LIFT_INTERNAL_H

#include <capstone/capstone.h>
#include "lift.h"

enum { BRK_SUB_CF = 1, BRK_SHL_OF = 2, BRK_DIV_DE = 4, BRK_IMUL_SF = 8 };

struct lift_ctx {
	Z3_context z;
	csh cs;
	/* simp's memo: the simplified form of each term it was given (by Z3 AST id). What simp must
	 * return is a term equal to its argument for all values (Z3_simplify's contract), and an
	 * earlier Z3_simplify of the same term is one; this context's terms live as long as it does
	 * (no Z3_push/Z3_pop on it), so a remembered result stays valid. (It need not be the very
	 * term a new call would build: Z3 orders commutative arguments by id, which depends on what
	 * the context made before.) */
	struct { unsigned *id; Z3_ast *v; size_t n, cap; } memo;
	unsigned brk;          /* BRK_* rules deliberately broken (tests only) */
	Z3_sort mem_sort;
	char err[512];
};

/* Internal successor kind: GOTO is decided by address (pending inside, exit outside). */
enum { SUCC_GOTO = 100 };

/* The execution of one instruction on one (merged) path. */
typedef struct lx {
	lift_ctx *lc;
	Z3_context z;
	const cs_insn *in;
	const cs_x86 *d;
	lift_state s;          /* state being updated */
	lift_state pre;        /* state before the instruction */
	uint64_t next;         /* address of the next instruction */
	uint64_t base, end;    /* the buffer being lifted: [base, end) */
	Z3_ast imm_field;      /* symbolic immediate of this instruction, or NULL */
	Z3_ast disp_field;     /* symbolic displacement, or NULL */
	/* successors: filled by the handler, consumed by the driver */
	struct { int kind; Z3_ast cond; uint64_t target; Z3_ast tterm; lift_state st; } succ[3];
	int nsucc;
} lx;

/* Sizes of the immediate and displacement fields, from the offsets alone: Capstone 4's imm_size
 * is the operand size for some encodings (rorx), but an x86 immediate always ends the
 * instruction and a displacement runs up to the immediate. 0 = no such field. */
static inline void enc_sizes(const cs_insn *in, unsigned *imm, unsigned *disp)
{
	const cs_x86_encoding *e = &in->detail->x86.encoding;
	*imm = e->imm_offset ? in->size - e->imm_offset : 0;
	*disp = e->disp_offset ? (e->imm_offset ? e->imm_offset : in->size) - e->disp_offset : 0;
}

typedef lift_err (*lift_handler)(lx *x, int arg);
/* Handler for a Capstone instruction id, or NULL (unsupported). */
lift_handler sem_lookup(unsigned id, int *arg);

/* ---- term helpers (lift.c) ---- */
Z3_sort bvs(Z3_context z, unsigned w);
Z3_ast bvn(Z3_context z, unsigned w, uint64_t v);
unsigned bvw(Z3_context z, Z3_ast a);
Z3_ast ext(Z3_context z, unsigned hi, unsigned lo, Z3_ast a);
Z3_ast zx(Z3_context z, unsigned to, Z3_ast a);   /* zero-extend a to width `to` */
Z3_ast sx(Z3_context z, unsigned to, Z3_ast a);   /* sign-extend a to width `to` */
Z3_ast b2v(Z3_context z, Z3_ast b);               /* Bool → (_ BitVec 1) */
Z3_ast v2b(Z3_context z, Z3_ast v);               /* (_ BitVec 1) → Bool */
Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b);
Z3_ast or2(Z3_context z, Z3_ast a, Z3_ast b);
Z3_ast simp(lift_ctx *lc, Z3_ast a);
bool is_num(Z3_context z, Z3_ast a, uint64_t *v);
Z3_ast fresh(lift_ctx *lc, const char *what, unsigned w); /* an undefined value */

/* GPR index (enum lift_reg) of a Capstone register of any width, or -1; *hi for ah..bh. */
int lift_gpr_index(x86_reg r, bool *hi);

/* ---- operand access (lift.c) ---- */
lift_err fail(lx *x, lift_err e, const char *why);
unsigned op_width(lx *x, int i);                  /* bits of operand i */
Z3_ast op_read(lx *x, int i, unsigned w);         /* operand i as w bits (imm: extended to w) */
void op_write(lx *x, int i, Z3_ast v);
Z3_ast op_addr(lx *x, int i);                     /* effective address of memory operand i */
Z3_ast reg_get(lx *x, unsigned r, unsigned w);    /* low w bits of GPR r */
void reg_set(lx *x, unsigned r, unsigned w, Z3_ast v); /* x86 write of w bits (32 zero-extends) */
Z3_ast mem_rd(lx *x, Z3_ast addr, unsigned n);
void mem_wr(lx *x, Z3_ast addr, Z3_ast v);
void set_flag(lx *x, int f, Z3_ast v);
void undef_flags(lx *x, unsigned mask);           /* bit (1<<flag) → fresh value */
void succ_add(lx *x, int kind, Z3_ast cond, uint64_t target, Z3_ast tterm, const lift_state *st);

#endif
