/* liftcheck/util.h: the few Z3 and Capstone helpers liftcheck's files share (the lifter's own
 * are internal to lifter/). */
#ifndef JITPROOF_LIFTCHECK_UTIL_H
#define JITPROOF_LIFTCHECK_UTIL_H
#include <capstone/capstone.h>
#include <z3.h>

static inline Z3_sort bvs(Z3_context z, unsigned w) { return Z3_mk_bv_sort(z, w); }
static inline Z3_ast bvn(Z3_context z, unsigned w, uint64_t v) { return Z3_mk_unsigned_int64(z, v, bvs(z, w)); }
/* True (and *v) when a is a numeral that fits 64 bits. */
static inline bool is_num(Z3_context z, Z3_ast a, uint64_t *v)
{
	uint64_t t;
	if (!Z3_is_numeral_ast(z, a) || !Z3_get_numeral_uint64(z, a, &t)) return false;
	if (v) *v = t;
	return true;
}
/* Sizes of the immediate and displacement fields from the offsets alone (an x86 immediate ends
 * the instruction, a displacement runs up to the immediate; Capstone 4's imm_size is sometimes
 * the operand size). 0 = no such field. */
static inline void enc_sizes(const cs_insn *in, unsigned *imm, unsigned *disp)
{
	const cs_x86_encoding *e = &in->detail->x86.encoding;
	*imm = e->imm_offset ? in->size - e->imm_offset : 0;
	*disp = e->disp_offset ? (e->imm_offset ? e->imm_offset : in->size) - e->disp_offset : 0;
}
#endif
