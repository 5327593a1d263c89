/* validator/decodecheck.c: a block proof reads the program through the decoder (pvm/decode.c:
 * p->inst, is_block, which the JIT compiles from too); the spec engine reads it through the spec's
 * own decoding (semantics/decode.c). Here the two readings of one gas region are compared on
 * everything the proof takes from the decoder, so that a PROVED block is proved against what the
 * spec says the bytes mean, and a decoder bug that the interpreter and the JIT share (a register
 * clamp, an immediate's length or sign, an offset, a skip, a block start) is a counterexample. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "validator/cex.h"
#include "validator/code.h"
#include "validator/decodecheck.h"

static const char *const reg_role[3] = { "rA", "rB", "rD" };

/* The first difference between the two readings of the instruction at pc, into why (false: none). */
static bool inst_differs(const sem_spec *sp, const pvm_program *p, uint32_t pc, char *why, size_t n)
{
	const pvm_inst *a = pvm_inst_at(p, pc);
	pvm_inst b = sem_decode(sp, p, pc);
	const char *nm = pvm_ops[a->op].name;
	if (a->op != b.op) {
		snprintf(why, n, "pc %u: %s by the decoder, %s by the spec's decoding", pc, nm, pvm_ops[b.op].name);
		return true;
	}
	if (a->next != b.next) {
		snprintf(why, n, "pc %u (%s): next instruction at %u by the decoder, %u by the spec's decoding", pc, nm, a->next,
		         b.next);
		return true;
	}
	uint16_t u = sem_form_operands(pvm_ops[a->op].form);
	const uint8_t ra[3] = { a->ra, a->rb, a->rd }, rb[3] = { b.ra, b.rb, b.rd };
	const unsigned role[3] = { SEM_RA, SEM_RB, SEM_RD };
	for (int k = 0; k < 3; k++)
		if (u >> role[k] & 1 && ra[k] != rb[k]) {
			snprintf(why, n, "pc %u (%s): %s is r%u by the decoder, r%u by the spec's decoding", pc, nm, reg_role[k], ra[k],
			         rb[k]);
			return true;
		}
	if ((u >> SEM_IMM & 1 && a->imm != b.imm) || (u >> SEM_IMM2 & 1 && a->imm2 != b.imm2)) {
		bool x = a->imm != b.imm;
		snprintf(why, n, "pc %u (%s): %s is 0x%llx by the decoder, 0x%llx by the spec's decoding", pc, nm, x ? "X" : "Y",
		         (unsigned long long)(x ? a->imm : a->imm2), (unsigned long long)(x ? b.imm : b.imm2));
		return true;
	}
	if (u >> SEM_TARGET & 1 && a->target != b.target) {
		snprintf(why, n, "pc %u (%s): target %u by the decoder, %u by the spec's decoding", pc, nm, a->target, b.target);
		return true;
	}
	return false;
}

/* Whether t is a block start differs between the two readings (what names t: into why). */
static bool block_differs(const sem_spec *sp, const pvm_program *p, uint64_t t, const char *what, char *why, size_t n)
{
	bool a = t <= p->code_len && p->is_block[t], b = sem_is_block(sp, p, t);
	if (a == b) return false;
	snprintf(why, n, "%s %llu: %sa block start by the decoder, %sby the spec's decoding", what, (unsigned long long)t,
	         a ? "" : "not ", b ? "" : "not ");
	return true;
}

/* The counterexample of a difference at instruction `at`: the state there with every register a
 * different value, run on the spec engine and the JIT. Sets res->cex_file when written. */
static void show(const tv_opts *o, const pvm_program *p, const pvm_vector *v, uint32_t at, uint8_t reading, tv_result *res)
{
	const pvm_inst *a = pvm_inst_at(p, at);
	pvm_inst b = sem_decode(o->spec, p, at);
	/* operands alone differ: a trap right after the instruction ends the run there */
	bool cut = a->op == b.op && a->next == b.next && !pvm_op_ends_region(a->op) && a->next < p->code_len;
	tv_cex cex;
	memset(&cex, 0, sizeof cex);
	cex.valid = true;
	for (int i = 0; i < PVM_NUM_REGS; i++) cex.regs[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
	uint64_t gas = cut ? (p->isa == PVM_ISA_080 ? 1u << 20 : 2) : tv_region_cost(o->spec, p, at);
	cex.gas = (int64_t)gas;
	pvm_vector none, cv;
	memset(&none, 0, sizeof none);
	if (!v && pvm_program_encode(p, &none.program, &none.program_len) != PVM_OK) return;
	char path[256];
	snprintf(path, sizeof path, "%s/decode_pc%u.json", o->cex_dir ? o->cex_dir : ".", at);
	pvm_errbuf e;
	pvm_err err = tv_cex_vector_block(&cex, v ? v : &none, at, gas, path, &cv, &e);
	free(none.program);
	if (err) return;
	cv.isa = p->isa;
	cv.reading = reading;
	if (cut) {
		pvm_program c = *p;
		c.code = pvm_xmalloc(p->code_len);
		memcpy(c.code, p->code, p->code_len);
		c.code[a->next] = pvm_byte(p->isa, PVM_OP_trap);
		uint8_t *blob;
		size_t len;
		if (pvm_program_encode(&c, &blob, &len) == PVM_OK) {
			free(cv.program);
			cv.program = blob;
			cv.program_len = len;
		}
		free(c.code);
	}
	/* the replay: the spec engine (its own decoding) against the JIT (the decoder's) */
	pvm_program cp;
	const pvm_engine *jit = tv_variant_engine(res->variant);
	void *pj = NULL;
	if (pvm_program_decode_isa(&cp, cv.isa, cv.program, cv.program_len, path, &e) == PVM_OK) {
		pvm_state ss, sj;
		pvm_vector_initial_state(&cv, &ss);
		pvm_vector_initial_state(&cv, &sj);
		pvm_exit xs = sem_run(o->spec, &cp, &ss), xj = { 0 };
		char diff[160];
		size_t l = strlen(res->detail);
		if ((pj = jit->load(&cp, &e)) != NULL) {
			xj = jit->run(pj, &sj);
			if (pvm_state_compare("spec", &ss, xs, jit->name, &sj, xj, diff, sizeof diff))
				snprintf(res->detail + l, sizeof res->detail - l, "; the run from that state does not show it");
			jit->free(pj);
		}
		pvm_vector_set_expected(&cv, &ss, xs);
		pvm_state_fini(&ss);
		pvm_state_fini(&sj);
		pvm_program_fini(&cp);
	}
	if (o->cex_dir) {
		mkdir(o->cex_dir, 0777);
		if (tv_cex_save(&cv, path, &e) == PVM_OK) snprintf(res->cex_file, sizeof res->cex_file, "%s", path);
	}
	pvm_vector_fini(&cv);
}

tv_verdict tv_check_decode(const tv_opts *o, const pvm_program *p, const pvm_vector *v, uint32_t pc, uint8_t reading,
                           tv_result *res, unsigned *non_block)
{
	const sem_spec *sp = o->spec;
	char why[200];
	*non_block = 0;
	uint32_t at = pc;
	bool bad = false;
	if (p->isa == PVM_ISA_080 && pvm_block_of(p, pc) != sem_block_of(sp, p, pc)) {
		/* the block whose cost the region is charged, L(pc) */
		uint32_t a = pvm_block_of(p, pc), b = sem_block_of(sp, p, pc);
		snprintf(why, sizeof why, "pc %u: the block holding it starts at %d by the decoder, %d by the spec's decoding", pc,
		         (int)a, (int)b);
		bad = true;
	}
	for (size_t k = 0; !bad; k++) {
		const pvm_inst *in = pvm_inst_at(p, at);
		if ((bad = inst_differs(sp, p, at, why, sizeof why))) break;
		if (sem_form_operands(pvm_ops[in->op].form) >> SEM_TARGET & 1) {
			char what[48];
			snprintf(what, sizeof what, "pc %u (%s): target", at, pvm_ops[in->op].name);
			if ((bad = block_differs(sp, p, in->target, what, why, sizeof why))) break;
			*non_block += !sem_is_block(sp, p, in->target);
		}
		if (in->op == PVM_OP_jump_ind || in->op == PVM_OP_load_imm_jump_ind)
			for (uint32_t i = 0; i < p->jt_len && !bad; i++) {
				char what[48];
				snprintf(what, sizeof what, "jump-table entry %u: pc", i);
				bad = block_differs(sp, p, p->jump_table[i], what, why, sizeof why);
			}
		if (bad || pvm_op_ends_region(in->op) || k > p->code_len) break;
		at = in->next;
	}
	if (!bad) return TV_PROVED;
	res->verdict = TV_CEX;
	res->symbolic = false;
	snprintf(res->detail, sizeof res->detail, "decode: %s", why);
	show(o, p, v, at, reading, res);
	return TV_CEX;
}
