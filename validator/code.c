/* validator/code.c: what a proof is about (code.h): the single-instruction test program a
 * template is laid out in, the template emitted there with its class's candidate immediate,
 * the register operands of an instruction, and a gas region's extent and cost by the spec. */
#include <stdlib.h>
#include <string.h>
#include "validator/code.h"

/* The immediate a template proof emits its template with (its fields are then made symbolic). */
bool tv_class_candidate(jit_imm_class cls, uint64_t *imm)
{
	static const uint64_t cand[] = { 0x12345678, 0x7b, 1, 0, 0xffffffffffffff85ull, 0xffffffff80000000ull };
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (jit_class_holds(cls, cand[i], cand[i])) {
			*imm = cand[i];
			return true;
		}
	return false;
}

bool tv_template_code(const pvm_inst *in0, jit_imm_class cls, pvm_isa isa, jit_features f, bool listing, pvm_inst *in,
                      jit_tpl *tpl, char *why, size_t n)
{
	/* a concrete immediate of the class for emission; the fields are symbolic anyway */
	*in = *in0;
	if (!tv_class_candidate(cls, &in->imm)) {
		snprintf(why, n, "no immediate found for class %s", jit_class_name(cls));
		return false;
	}
	in->imm2 = in->imm;
	pvm_vector layout;
	memset(&layout, 0, sizeof layout);
	pvm_err pe = tv_program_for(in, isa, &layout); /* sets pc 0, next, target as the cex program has them */
	pvm_vector_fini(&layout);
	if (pe != PVM_OK) {
		snprintf(why, n, "cannot lay out a test program");
		return false;
	}
	jit_err je = listing ? jit_emit_template(in, cls, f, tpl) : jit_emit_template_code(in, cls, f, tpl);
	if (je != JIT_OK) {
		snprintf(why, n, "emit: %s", jit_strerror(je));
		return false;
	}
	return true;
}


bool tv_block_code(const pvm_program *p, uint32_t pc, jit_features f, bool unfused, jit_block *blk, char *why, size_t n)
{
	jit_err je = unfused ? jit_block_compile_unfused(p, pc, f, blk) : jit_block_compile(p, pc, f, blk);
	if (je != JIT_OK) snprintf(why, n, "compile: %s", jit_strerror(je));
	return je == JIT_OK;
}

uint64_t tv_region_len(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	uint64_t n = 1;
	for (const pvm_inst *in = pvm_inst_at(p, pc); sem_spec_get(sp, in->op) && !pvm_op_ends_region(in->op);
	     in = pvm_inst_at(p, in->next))
		n++;
	return n;
}

uint64_t tv_region_cost(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	if (p->isa == PVM_ISA_080) { /* the whole block holding pc, L(pc), by the cost model (§4, §6) */
		if (pc >= p->code_len) return 0; /* the trap past the end: reached by falling off the last
		                                  * block, whose cost counts it, or by starting there, which
		                                  * panics without a charge (§3; gas_cost[code_len] = 0) */
		uint32_t start = pvm_block_of(p, pc);
		return start == UINT32_MAX ? 0 : pvm_block_cost(p, start);
	}
	return tv_region_len(sp, p, pc);
}

/* ---- the single-instruction test program ------------------------------------------------------ */

enum { N_JT = 16 };

int tv_reg_operands(pvm_inst *in, uint8_t *ptr[3])
{
	const pvm_forminfo *f = &pvm_forms[pvm_ops[in->op].form];
	const uint8_t roles[3] = { f->b1_lo, f->b1_hi, f->b2 };
	int k = 0;
	for (int i = 0; i < 3; i++)
		if (roles[i] == PVM_FR_A || roles[i] == PVM_FR_B || roles[i] == PVM_FR_D)
			ptr[k++] = roles[i] == PVM_FR_A ? &in->ra : roles[i] == PVM_FR_B ? &in->rb : &in->rd;
	return k;
}

/* Layout: the instructions from 0 (L bytes in all), trap at L (fall-through), trap at L+1 (branch
 * target), then N_JT traps that the jump table lists, so every dynamic target lands on its own pc.
 * Only the last instruction's branch target is L+1 (a fused pair's first has none). */
pvm_err tv_program_for_n(pvm_inst *ins, size_t n, pvm_isa isa, pvm_vector *v)
{
	uint8_t buf[2 * PVM_FIELDS_MAXLEN];
	unsigned lens[2], len = 0;
	if (n < 1 || n > 2) return PVM_EINVAL;
	for (int pass = 0; pass < 2; pass++) { /* (pass 1: the lengths known, so L and the target) */
		unsigned at = 0;
		for (size_t i = 0; i < n; i++) {
			pvm_inst *in = &ins[i];
			/* fixed 4-byte immediates: the layout (and so next and target) does not depend on values */
			unsigned form = pvm_ops[in->op].form;
			const pvm_forminfo *fi = &pvm_forms[form];
			bool x = fi->f1 == PVM_FR_X && fi->f1_len != PVM_FR_EIGHT, t = fi->f1 == PVM_FR_T || fi->f2 == PVM_FR_T;
			pvm_fields f = { .ra = in->ra, .rb = in->rb, .rd = in->rd, .x = in->imm, .y = in->imm2,
			                 .wx = x ? 4 : 0, .wy = fi->f2 == PVM_FR_Y ? 4 : 0, .wt = t ? 1 : 0,
			                 .off = pass ? len + 1 - at : 1 };
			const char *why;
			unsigned l = pvm_fields_encode(form, pvm_byte(isa, in->op), &f, buf + at, &why);
			if (!l || (pass && l != lens[i])) return PVM_EINVAL;
			lens[i] = l;
			in->pc = at;
			at += l;
			in->next = at;
		}
		len = at;
	}
	for (size_t i = 0; i < n; i++) ins[i].target = len + 1;
	uint32_t code_len = len + 2 + N_JT;
	uint32_t blob_len = 1 + 1 + 1 + N_JT + code_len + (code_len + 7) / 8;
	uint8_t *b = pvm_xcalloc(1, blob_len);
	size_t k = 0;
	b[k++] = N_JT;       /* |j| */
	b[k++] = 1;          /* z: one byte per entry */
	b[k++] = (uint8_t)code_len;
	for (int i = 0; i < N_JT; i++) b[k++] = (uint8_t)(len + 2 + i);
	memcpy(b + k, buf, len);
	memset(b + k + len, pvm_byte(isa, PVM_OP_trap), code_len - len);
	k += code_len;
	uint8_t *mask = b + k;
	for (uint32_t i = 0; i < code_len; i++) {
		bool start = i >= len;
		for (size_t j = 0; j < n; j++) start |= i == ins[j].pc;
		if (start) mask[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	v->program = b;
	v->program_len = blob_len;
	v->isa = isa;
	return PVM_OK;
}

pvm_err tv_program_for(pvm_inst *in, pvm_isa isa, pvm_vector *v)
{
	return tv_program_for_n(in, 1, isa, v);
}

bool tv_fused_code(const pvm_inst *a0, const pvm_inst *b0, pvm_isa isa, jit_features f, pvm_inst *a, pvm_inst *b,
                   jit_tpl *tpl, char *why, size_t n)
{
	pvm_inst ab[2] = { *a0, *b0 };
	pvm_vector layout;
	memset(&layout, 0, sizeof layout);
	pvm_err pe = tv_program_for_n(ab, 2, isa, &layout); /* pcs as the counterexample's program has them */
	pvm_vector_fini(&layout);
	if (pe != PVM_OK) {
		snprintf(why, n, "cannot lay out a test program of %s + %s", pvm_ops[a0->op].name, pvm_ops[b0->op].name);
		return false;
	}
	*a = ab[0];
	*b = ab[1];
	jit_err je = jit_emit_fused(a, b, f, tpl);
	if (je != JIT_OK) {
		snprintf(why, n, "emit fused %s + %s: %s", pvm_ops[a->op].name, pvm_ops[b->op].name, jit_strerror(je));
		return false;
	}
	return true;
}
