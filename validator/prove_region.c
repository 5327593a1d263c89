/* validator/prove_region.c: the proof of a whole gas region in one query: the block the JIT
 * compiles at pc (its exits linked from the program's bytes when given) against the composed
 * specs of the region's instructions, with the out-of-gas case at its entry. */
#include <string.h>
#include "validator/code.h"
#include "validator/prove.h"

tv_verdict tv_prove_region(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last_pc)
{
	double t0 = tv_now_ms();
	tv_verdict v = TV_UNKNOWN;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	tv_links *own = NULL; /* no program's links given (validate's items): the chains of p compiled */
	if (!L) {
		tv_opts oo = *w->o;
		oo.store = NULL;
		pvm_errbuf e;
		if (!(L = own = tv_links_new(&oo, p, &e))) {
			snprintf(res->detail, sizeof res->detail, "%.200s", e.msg);
			goto out;
		}
	}
	bool member = tv_links_member(L, p, pc);
	uint32_t prepaid = tv_links_prepaid(L, pc);
	if (!tv_begin(w, res, cex) || !tv_block_code(p, pc, w->feat, w->o->unfused, &blk, res->detail, sizeof res->detail)) goto out;
	int64_t fall_gas = 0;
	if (!own && !tv_link_exits(L, w, p, &blk, &fall_gas, res->detail, sizeof res->detail)) goto out;
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	tv_query_name(w, TV_QK_REGION, "%s_pc%u", pvm_ops[pvm_inst_at(p, pc)->op].name, pc);
	/* the program's basic-block starts, concretely: those the region's branches name (the spec
	 * reads is_block only at a branch target), all of them only for a dynamic jump */
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	Z3_ast is_block = Z3_mk_const_array(z, b32, Z3_mk_false(z));
	bool all_starts = false;
	for (size_t k = 0; k < blk.n_map; k++) {
		const pvm_inst *bi = pvm_inst_at(p, blk.map[k].guest_pc);
		if (bi->op == PVM_OP_jump_ind || bi->op == PVM_OP_load_imm_jump_ind) all_starts = true;
		else if (bi->target <= p->code_len && p->is_block[bi->target])
			is_block = Z3_mk_store(z, is_block, num(z, bi->target, 32), Z3_mk_true(z));
	}
	for (uint32_t i = 0; all_starts && i <= p->code_len; i++)
		if (p->is_block[i]) is_block = Z3_mk_store(z, is_block, num(z, i, 32), Z3_mk_true(z));
	/* compose the specs of the region's instructions */
	Z3_ast regs[PVM_NUM_REGS];
	memcpy(regs, q.g, sizeof regs);
	Z3_ast mem = q.gm;
	/* the region's cost as the spec engine charges it (0.7.2: the instructions up to the first
	 * that ends a region; 0.8.0: the cost model's ϱΔ of L(pc)), never the JIT's own blk.cost: a
	 * wrong cost in the JIT must show */
	uint64_t n_cost = tv_region_cost(w->o->spec, p, pc);
	/* in a chain (jit.h § chains): the head's prologue takes the chain's gas too (the count the
	 * code keeps is the spec's gas less what is prepaid: its exits give that back), a member is
	 * paid by then and has no prologue (README § Chains) */
	n_cost = member ? 0 : n_cost + prepaid;
	Z3_ast cost = num(z, n_cost, 64);
	Z3_ast gas_after = Z3_mk_bvsub(z, q.gas, cost);
	sem_z3_post post;
	uint32_t at = pc, last = pc;
	bool ok = true;
	size_t base_pre = q.n_pre;
	/* an instruction inside the region that may stop it (the break reading's sbrk: a panic when
	 * brk_fails) ends the composed run there: the state before it, a panic at its pc */
	enum { MAX_STOPS = 8 };
	Z3_ast stop_if[MAX_STOPS];
	tv_outcome stop_at[MAX_STOPS];
	size_t n_stops = 0;
	for (;;) {
		const pvm_inst *in = pvm_inst_at(p, at);
		last = at;
		if (!tv_spec_step(&q, w->o->spec, in, regs, mem, gas_after, is_block, &post, res->detail, sizeof res->detail)) {
			ok = false;
			break;
		}
		if (post.brk_fails && !pvm_op_ends_region(in->op)) {
			if (n_stops == MAX_STOPS) {
				snprintf(res->detail, sizeof res->detail, "more than %d instructions that may stop the region", MAX_STOPS);
				ok = false;
				break;
			}
			tv_outcome *so = &stop_at[n_stops];
			so->kind = num(z, K_PANIC, 8);
			so->pc = num(z, in->pc, 32);
			memcpy(so->regs, regs, sizeof so->regs);
			so->mem = mem;
			so->gas = gas_after;
			stop_if[n_stops++] = post.brk_fails;
		}
		memcpy(regs, post.regs, sizeof regs);
		mem = post.mem;
		if (pvm_op_ends_region(in->op)) break;
		at = in->next;
	}
	if (last_pc) *last_pc = last;
	if (ok) {
		tv_outcome run, stay;
		tv_spec_outcome(&q, &post, &run);
		for (size_t s = n_stops; s-- > 0;) { /* the first stop that holds decides */
			const tv_outcome *so = &stop_at[s];
			run.kind = Z3_mk_ite(z, stop_if[s], so->kind, run.kind);
			run.pc = Z3_mk_ite(z, stop_if[s], so->pc, run.pc);
			for (int i = 0; i < PVM_NUM_REGS; i++) run.regs[i] = Z3_mk_ite(z, stop_if[s], so->regs[i], run.regs[i]);
			run.mem = Z3_mk_ite(z, stop_if[s], so->mem, run.mem);
		}
		/* gas < cost: out-of-gas at the region entry with nothing changed. The two cases are
		 * compared separately (not as one ite per value), so that in the running case both
		 * sides keep syntactically equal terms. */
		Z3_ast oog = Z3_mk_bvslt(z, q.gas, cost);
		stay.kind = num(z, K_OOG, 8);
		stay.pc = num(z, pc, 32);
		memcpy(stay.regs, q.g, sizeof stay.regs);
		stay.mem = q.gm;
		stay.gas = q.gas;
		/* the region's own accesses were assumed permitted only when it runs */
		for (size_t i = base_pre; i < q.n_pre; i++) q.pre[i] = Z3_mk_implies(z, Z3_mk_not(z, oog), q.pre[i]);
		lift_result lr;
		if (tv_lift_code(w, &q, blk.bytes, blk.len, blk.exits, blk.n_exits, &lr, res->detail, sizeof res->detail)) {
			tv_code c = { .blk = &blk, .p = p, .ex = blk.exits, .n_ex = blk.n_exits,
			           .fall = pvm_inst_at(p, last)->next, .fall_gas = fall_gas };
			res->detail[0] = 0;
			Z3_ast d_stay = tv_all_diffs(w, &q, &lr, &c, &stay, res->detail, sizeof res->detail);
			Z3_ast d_run = d_stay ? tv_all_diffs(w, &q, &lr, &c, &run, res->detail, sizeof res->detail) : NULL;
			if (d_run) {
				Z3_ast bad = member ? d_run
				           : Z3_mk_or(z, 2, (Z3_ast[]){ and2(z, oog, d_stay), and2(z, Z3_mk_not(z, oog), d_run) });
				v = tv_solve(w, &q, bad, 0, cex, res->detail, sizeof res->detail);
				if (v == TV_CEX) snprintf(res->detail, sizeof res->detail, "block at pc %u differs from the composed specs", pc);
			}
			lift_result_fini(&lr);
		}
	}
out:
	jit_block_fini(&blk);
	tv_links_free(own);
	return tv_finish(res, v, t0);
}

