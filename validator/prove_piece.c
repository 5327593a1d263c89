/* validator/prove_piece.c: a gas region proved piece by piece (its prologue, then each
 * instruction's code between the JIT's pc-map cuts against that instruction's spec); a piece
 * that is byte for byte a template is covered by that template's proof. */
#include <stdlib.h>
#include <string.h>
#include "validator/code.h"
#include "validator/prove.h"

/* How the pieces compose.
 * The region's code is cut at the JIT's pc map: piece -1 is the gas prologue [0, map[0]), piece k
 * the code of instruction k [map[k], map[k+1]) (the last one up to the end). Each piece is lifted
 * from a fresh host state related to a fresh guest state (guest register i in host register
 * jit_reg_map[i], r15 = MB, guest memory at MB + a, gas in rsp; every other register,
 * flag and context byte arbitrary) and proved against its own instruction's spec: each exit it
 * takes agrees with the spec's outcome, and falling into the next piece leaves the relation
 * holding for the spec's post-state (registers, every guest byte, gas, and r15 = MB). The
 * prologue is proved against "gas < cost: out-of-gas, nothing changed; else gas - cost, go on":
 * its sub charges rsp before its jl decides, so at its out-of-gas exit the gas handed over is rsp
 * plus what that exit's stub adds back (tv_exit_diff; in prove, the program's stub as lifted),
 * which must be the gas before the prologue.
 * By induction over the pieces the region's code agrees with the composed specs (README). */

/* The bytes a field holds for immediate v (the emitter's encoding, as field_term says). */
static uint64_t field_value(uint64_t v, unsigned enc)
{
	switch (enc) {
	case JIT_IMM_SEXT32: case JIT_IMM_LOW32: return v & 0xffffffffu;
	case JIT_IMM_LOW16: return v & 0xffff;
	case JIT_IMM_LOW8: return v & 0xff;
	case JIT_IMM_LOW8_MASK63: return v & 63;
	case JIT_IMM_LOW8_MASK31: return v & 31;
	default: return v;
	}
}

static bool in_field(const jit_tpl *t, size_t i)
{
	for (size_t k = 0; k < t->n_imms; k++)
		if (i >= t->imms[k].off && i < (size_t)t->imms[k].off + t->imms[k].width) return true;
	for (size_t k = 0; k < t->n_exits; k++)
		if (i >= t->exits[k].off && i < (size_t)t->exits[k].off + 4) return true;
	return false;
}

/* Is the piece [off, end) of blk the template of in for class cls, byte for byte: the template
 * a template proof proves (emitted with the class's candidate immediate, fields symbolic), with
 * in's immediates in its fields, and exits of the same kinds at the same offsets naming in's pc
 * (and in's target, a block start, for a branch)? Then that template proof covers the piece. */
static bool piece_is_template(jit_features f, const pvm_program *p, const jit_block *blk, const pvm_inst *in,
                              uint32_t off, uint32_t end, jit_imm_class cls)
{
	jit_tpl *t = pvm_xmalloc(sizeof *t), *c = pvm_xmalloc(sizeof *c);
	bool ok = false;
	pvm_inst ci = *in;
	if (!t || !c || !tv_class_candidate(cls, &ci.imm)) goto out;
	ci.imm2 = ci.imm;
	if (jit_emit_template(in, cls, f, t) != JIT_OK || jit_emit_template(&ci, cls, f, c) != JIT_OK) goto out;
	if (t->len != end - off || c->len != t->len || t->n_imms != c->n_imms || t->n_exits != c->n_exits) goto out;
	for (size_t i = 0; i < t->len; i++) {
		if (in_field(t, i)) continue;
		if (t->bytes[i] != blk->bytes[off + i] || c->bytes[i] != t->bytes[i]) goto out;
	}
	for (size_t k = 0; k < t->n_imms; k++) {
		const jit_imm_field *fl = &t->imms[k];
		if (fl->off != c->imms[k].off || fl->width != c->imms[k].width || fl->enc != c->imms[k].enc ||
		    fl->which != c->imms[k].which || fl->width > 8)
			goto out;
		uint64_t want = field_value(fl->which ? in->imm2 : in->imm, fl->enc), got = 0;
		for (unsigned b = 0; b < fl->width; b++) got |= (uint64_t)blk->bytes[off + fl->off + b] << (8 * b);
		if (fl->width < 8) want &= (1ull << (8 * fl->width)) - 1;
		if (got != want) goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < blk->n_exits; i++) {
		const jit_exit *be = &blk->exits[i];
		if (be->off < off || be->off >= end) continue;
		if (k == t->n_exits) goto out;
		const jit_exit *te = &t->exits[k++];
		if (be->off != off + te->off || be->kind != te->kind || te->off != c->exits[k - 1].off) goto out;
		if (be->kind == JIT_EXIT_OOG) goto out; /* a template has none */
		if (be->kind == JIT_EXIT_DJUMP && be->reg != te->reg) goto out;
		if (be->pc != in->pc) goto out;
		if (be->kind == JIT_EXIT_BRANCH &&
		    (be->target != in->target || in->target > p->code_len || !p->is_block[in->target]))
			goto out;
	}
	ok = k == t->n_exits;
out:
	free(t);
	free(c);
	return ok;
}

static uint64_t tpl_key(const pvm_inst *in, jit_imm_class cls, uint8_t reading)
{
	return ((uint64_t)reading << 48 | (uint64_t)in->op << 32 | (uint64_t)in->ra << 24 | (uint64_t)in->rb << 16 |
	        (uint64_t)in->rd << 8 | (uint64_t)cls) + 1;
}

static bool tpl_done(const tv_worker *w, uint64_t key)
{
	if (!w->cap_tpl_done) return false;
	for (size_t i = (key * 0x9e3779b97f4a7c15ull) >> 40 & (w->cap_tpl_done - 1); w->tpl_done[i];
	     i = (i + 1) & (w->cap_tpl_done - 1))
		if (w->tpl_done[i] == key) return true;
	return false;
}

static void tpl_done_add(tv_worker *w, uint64_t key)
{
	if (2 * (w->n_tpl_done + 1) > w->cap_tpl_done) {
		size_t cap = w->cap_tpl_done ? 2 * w->cap_tpl_done : 1024;
		uint64_t *t = pvm_xcalloc(cap, sizeof *t);
		uint64_t *old = w->tpl_done;
		size_t old_cap = w->cap_tpl_done;
		w->tpl_done = t;
		w->cap_tpl_done = cap;
		w->n_tpl_done = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i]) tpl_done_add(w, old[i]);
		free(old);
	}
	size_t i = (key * 0x9e3779b97f4a7c15ull) >> 40 & (w->cap_tpl_done - 1);
	while (w->tpl_done[i] && w->tpl_done[i] != key) i = (i + 1) & (w->cap_tpl_done - 1);
	if (!w->tpl_done[i]) w->n_tpl_done++;
	w->tpl_done[i] = key;
}

/* The prologue piece's bytes with its exit fields zeroed, if it is cacheable (its only exit the
 * OOG exit naming the region's entry, whose stub adds back exactly the spec's cost: the cache's
 * key is the bytes and that cost). */
static bool prologue_bytes(const jit_block *blk, uint32_t end, uint64_t cost, uint8_t out[32])
{
	if (end > 32) return false;
	memcpy(out, blk->bytes, end);
	for (size_t i = 0; i < blk->n_exits; i++) {
		const jit_exit *x = &blk->exits[i];
		if (x->off >= end) continue;
		if (x->kind != JIT_EXIT_OOG || x->pc != blk->entry_pc || x->arg != cost || x->off + 4 > end) return false;
		memset(out + x->off, 0, 4);
	}
	return true;
}

/* The block starts instruction in may go to: a branch target (concrete) or a dynamic jump's
 * (the whole table), as an array from pc to Bool. */
static Z3_ast block_starts(Z3_context z, const pvm_program *p, const pvm_inst *in)
{
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	Z3_ast is_block = Z3_mk_const_array(z, b32, Z3_mk_false(z));
	if (in->op == PVM_OP_jump_ind || in->op == PVM_OP_load_imm_jump_ind) {
		for (uint32_t i = 0; i <= p->code_len; i++)
			if (p->is_block[i]) is_block = Z3_mk_store(z, is_block, num(z, i, 32), Z3_mk_true(z));
	} else if (in->target <= p->code_len && p->is_block[in->target]) {
		is_block = Z3_mk_store(z, is_block, num(z, in->target, 32), Z3_mk_true(z));
	}
	return is_block;
}

/* Proves one piece; k < 0 is the prologue; span 2: instructions k and k + 1, a fused pair (an
 * empty piece k, README § Fusions), against their specs composed (tv_spec_pair). *cex_pc gets
 * the guest pc the model's state is at. */
static tv_verdict prove_piece(tv_worker *w, const pvm_program *p, jit_block *blk, long k, int span, uint64_t cost,
                              int64_t fall_gas, tv_result *res, tv_cex *cex, uint32_t *cex_pc, size_t *n_tpl)
{
	if (k >= 0 && span == 1 && w->o->memo && !fall_gas) {
		/* the piece is a template instance: its template proof (symbolic immediates, so the
		 * memo answers every later instance of the same shape); a template that does not
		 * prove is proved here as a piece, so a counterexample is one of this block */
		const pvm_inst *in = pvm_inst_at(p, blk->map[k].guest_pc);
		uint32_t off = blk->map[k].host_off;
		uint32_t end = k + 1 < (long)blk->n_map ? blk->map[k + 1].host_off : (uint32_t)blk->len;
		jit_imm_class cls[JIT_CLASS_COUNT];
		size_t ncls = jit_op_classes(in->op, cls, JIT_CLASS_COUNT);
		for (size_t i = 0; i < ncls; i++) {
			if (!jit_class_holds(cls[i], in->imm, in->imm2) || !piece_is_template(w->feat, p, blk, in, off, end, cls[i]))
				continue;
			uint64_t key = tpl_key(in, cls[i], w->reading);
			if (tpl_done(w, key)) { /* this worker proved that very template already */
				(*n_tpl)++;
				return TV_PROVED;
			}
			tv_result tr;
			memset(&tr, 0, sizeof tr);
			if (tv_prove_template(w, in, cls[i], &tr, cex) == TV_PROVED) {
				tpl_done_add(w, key);
				(*n_tpl)++;
				return TV_PROVED;
			}
			break;
		}
	}
	uint8_t pb[32];
	bool pro_cacheable = k < 0 && prologue_bytes(blk, blk->map[0].host_off, cost, pb);
	for (size_t i = 0; pro_cacheable && i < w->n_pro_done; i++)
		if (w->pro_done[i].cost == cost && w->pro_done[i].len == blk->map[0].host_off &&
		    !memcmp(w->pro_done[i].bytes, pb, blk->map[0].host_off)) {
			*cex_pc = blk->entry_pc;
			return TV_PROVED; /* the same prologue bytes for the same cost: proved already */
		}
	if (!tv_begin(w, res, cex)) return TV_UNKNOWN;
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	uint32_t off = k < 0 ? 0 : blk->map[k].host_off;
	uint32_t end = k + span < (long)blk->n_map ? blk->map[k + span].host_off : (uint32_t)blk->len;
	const pvm_inst *in = k < 0 ? NULL : pvm_inst_at(p, blk->map[k].guest_pc);
	const pvm_inst *in2 = span == 2 ? pvm_inst_at(p, blk->map[k + 1].guest_pc) : NULL;
	*cex_pc = in ? in->pc : blk->entry_pc;
	if (in2) tv_query_name(w, TV_QK_PIECE, "%s+%s_pc%u", pvm_ops[in->op].name, pvm_ops[in2->op].name, in->pc);
	else if (in) tv_query_name(w, TV_QK_PIECE, "%s_pc%u", pvm_ops[in->op].name, in->pc);
	else tv_query_name(w, TV_QK_PIECE, "prologue_pc%u", blk->entry_pc);
	tv_outcome run, stay;
	Z3_ast oog = NULL;
	if (!in) {
		Z3_ast c = num(z, cost, 64);
		oog = Z3_mk_bvslt(z, q.gas, c);
		stay.kind = num(z, K_OOG, 8);
		stay.pc = num(z, blk->entry_pc, 32);
		memcpy(stay.regs, q.g, sizeof stay.regs);
		stay.mem = q.gm;
		stay.gas = q.gas;
		run = stay;
		run.kind = num(z, K_CONT, 8);
		run.gas = Z3_mk_bvsub(z, q.gas, c);
	} else if (in2) {
		if (!tv_spec_pair(&q, w->o->spec, in, in2, block_starts(z, p, in), block_starts(z, p, in2), &run, res->detail,
		                  sizeof res->detail))
			return TV_UNKNOWN;
	} else {
		Z3_ast is_block = block_starts(z, p, in);
		sem_z3_post post;
		if (!tv_spec_step(&q, w->o->spec, in, q.g, q.gm, q.gas, is_block, &post, res->detail, sizeof res->detail))
			return TV_UNKNOWN;
		tv_spec_outcome(&q, &post, &run);
	}
	lift_state st;
	tv_lift_pre(w, &q, &st);
	lift_result lr;
	if (lift_block(w->lc, blk->bytes + off, end - off, CODE_BASE + off, NULL, 0, &st, &lr) != LIFT_OK) {
		snprintf(res->detail, sizeof res->detail, "lift piece at +%u: %s", off, lift_errmsg(w->lc));
		return TV_UNKNOWN;
	}
	tv_code c = { .blk = blk, .p = p, .ex = blk->exits, .n_ex = blk->n_exits,
	           .fall = in2 ? in2->next : in ? in->next : blk->entry_pc, .fall_gas = fall_gas, .piece = true };
	res->detail[0] = 0;
	tv_verdict v = TV_UNKNOWN;
	Z3_ast bad = NULL;
	if (oog) {
		Z3_ast d_stay = tv_all_diffs(w, &q, &lr, &c, &stay, res->detail, sizeof res->detail);
		Z3_ast d_run = d_stay ? tv_all_diffs(w, &q, &lr, &c, &run, res->detail, sizeof res->detail) : NULL;
		if (d_run) bad = Z3_mk_or(z, 2, (Z3_ast[]){ and2(z, oog, d_stay), and2(z, Z3_mk_not(z, oog), d_run) });
	} else {
		bad = tv_all_diffs(w, &q, &lr, &c, &run, res->detail, sizeof res->detail);
	}
	if (bad) v = tv_solve(w, &q, bad, in ? in->target : 0, cex, res->detail, sizeof res->detail);
	lift_result_fini(&lr);
	if (v == TV_PROVED && pro_cacheable && w->n_pro_done < sizeof w->pro_done / sizeof w->pro_done[0]) {
		struct tv_prologue_done *d = &w->pro_done[w->n_pro_done++];
		d->cost = (uint32_t)cost;
		d->len = blk->map[0].host_off;
		memcpy(d->bytes, pb, d->len);
	}
	if (v == TV_CEX) {
		if (in2) snprintf(res->detail, sizeof res->detail, "fused piece of %s + %s at pc %u (in the block at pc %u) differs "
		                  "from their composed specs", pvm_ops[in->op].name, pvm_ops[in2->op].name, in->pc, blk->entry_pc);
		else if (in) snprintf(res->detail, sizeof res->detail, "piece of %s at pc %u (in the block at pc %u) differs from its spec",
		                 pvm_ops[in->op].name, in->pc, blk->entry_pc);
		else snprintf(res->detail, sizeof res->detail, "gas prologue of the block at pc %u differs from the spec", blk->entry_pc);
	}
	return v;
}

tv_verdict tv_prove_pieces(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last_pc, uint32_t *cex_pc, uint32_t *cex_last, size_t *n_pieces)
{
	double t0 = tv_now_ms();
	tv_verdict v = TV_UNKNOWN;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	*cex_pc = pc;
	*cex_last = UINT32_MAX;
	*n_pieces = 0;
	if (!tv_begin(w, res, cex) || !tv_block_code(p, pc, w->feat, w->o->unfused, &blk, res->detail, sizeof res->detail)) goto out;
	if (!blk.n_map || blk.map[0].guest_pc != pc) {
		snprintf(res->detail, sizeof res->detail, "compile: no pc map for the block at pc %u", pc);
		goto out;
	}
	/* the pc map must be the spec's instruction sequence: each row the next instruction of the
	 * previous one, ending at the region's terminator (else the cut would not be the spec's) */
	for (size_t k = 1; k < blk.n_map; k++)
		if (blk.map[k].guest_pc != pvm_inst_at(p, blk.map[k - 1].guest_pc)->next ||
		    blk.map[k].host_off < blk.map[k - 1].host_off) {
			snprintf(res->detail, sizeof res->detail, "pc map row %zu (pc %u) is not the next instruction", k,
			         blk.map[k].guest_pc);
			goto out;
		}
	const pvm_inst *last = pvm_inst_at(p, blk.map[blk.n_map - 1].guest_pc);
	if (last_pc) *last_pc = last->pc;
	if (!pvm_op_ends_region(last->op)) {
		snprintf(res->detail, sizeof res->detail, "the block at pc %u does not end in a terminator", pc);
		goto out;
	}
	for (size_t k = 0; k + 1 < blk.n_map; k++) {
		const pvm_inst *in = pvm_inst_at(p, blk.map[k].guest_pc);
		if (pvm_op_ends_region(in->op)) {
			snprintf(res->detail, sizeof res->detail, "a terminator inside the block at pc %u", pc);
			goto out;
		}
	}
	int64_t fall_gas = 0; /* (the last piece's fall-through leaves the block) */
	if (L && !tv_link_exits(L, w, p, &blk, &fall_gas, res->detail, sizeof res->detail)) {
		v = TV_UNKNOWN;
		goto out;
	}
	tv_patch_exits(blk.bytes, blk.exits, blk.n_exits);
	uint64_t cost = tv_region_cost(w->o->spec, p, pc), len = tv_region_len(w->o->spec, p, pc);
	/* in a chain (jit.h § chains): a head's prologue is proved against its cost and the gas it
	 * prepays, a member has none (README § Chains) */
	bool member = tv_links_member(L, p, pc);
	cost += tv_links_prepaid(L, pc);
	if (len != blk.n_map) {
		/* the spec's region is the instructions up to its terminator; the pieces must be those */
		snprintf(res->detail, sizeof res->detail, "the block has %zu instructions, the spec's region %llu", blk.n_map,
		         (unsigned long long)len);
		goto out;
	}
	v = TV_PROVED;
	size_t n_tpl = 0, n_fused = 0;
	if (member && blk.map[0].host_off != 0) {
		snprintf(res->detail, sizeof res->detail, "the chain member at pc %u has a gas prologue", pc);
		v = TV_UNKNOWN;
	}
	for (long k = member ? 0 : -1; k < (long)blk.n_map && v == TV_PROVED; k++) {
		uint32_t at;
		/* a fused pair: k's piece empty, k + 1's the pair's code (jit.h § fusions) */
		int span = k >= 0 && k + 1 < (long)blk.n_map && blk.map[k + 1].host_off == blk.map[k].host_off &&
		           jit_fuse_pair(pvm_inst_at(p, blk.map[k].guest_pc), pvm_inst_at(p, blk.map[k + 1].guest_pc)) ? 2 : 1;
		v = prove_piece(w, p, &blk, k, span, cost, k + span == (long)blk.n_map ? fall_gas : 0, res, cex, &at, &n_tpl);
		(*n_pieces)++;
		if (span == 2) n_fused++, k++;
		if (v != TV_PROVED) {
			*cex_pc = at;
			if (k >= 0) *cex_last = blk.map[k].guest_pc; /* (k: a pair's second) */
		}
	}
	if (v == TV_PROVED && n_fused)
		snprintf(res->detail, sizeof res->detail, "%zu pieces (%zu by their template proof, %zu fused pair%s)", *n_pieces,
		         n_tpl, n_fused, n_fused == 1 ? "" : "s");
	else if (v == TV_PROVED)
		snprintf(res->detail, sizeof res->detail, "%zu pieces (%zu by their template proof)", *n_pieces, n_tpl);
out:
	jit_block_fini(&blk);
	return tv_finish(res, v, t0);
}

