/* validator/prove_dispatch.c: the proof of a dynamic jump's dispatcher (the code after the jump
 * template that reads the host jump table) against the spec's djump, for every address. */
#include <stdlib.h>
#include <string.h>
#include "validator/prove.h"

/* One case of the dispatcher proof: the address is 2c + 2 (table entry c) for c < n, or any
 * address that is none of those for c = n. */
static tv_verdict dispatch_case(tv_worker *w, const pvm_program *p, const pvm_inst *in, jit_block *blk, uint32_t c,
                                tv_result *res, tv_cex *cex)
{
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	if (c == UINT32_MAX) tv_query_name(w, TV_QK_DISPATCH, "%s_pc%u_every_slot", pvm_ops[in->op].name, in->pc);
	else if (c < p->jt_len) tv_query_name(w, TV_QK_DISPATCH, "%s_pc%u_slot%u", pvm_ops[in->op].name, in->pc, c);
	else tv_query_name(w, TV_QK_DISPATCH, "%s_pc%u_no_slot", pvm_ops[in->op].name, in->pc);
	q.pc_sym = var(z, "jump_pc", 32);
	q.pc_val = in->pc;
	q.x = Z3_mk_sign_ext(z, 32, var(z, "imm", 32));
	if (pvm_ops[in->op].form == PVM_FORM_REG2_IMM2) q.y = Z3_mk_sign_ext(z, 32, var(z, "imm2", 32));
	Z3_sort b32 = Z3_mk_bv_sort(z, 32), b64 = Z3_mk_bv_sort(z, 64);
	Z3_ast is_block = Z3_mk_const(z, Z3_mk_string_symbol(z, "is_block"), Z3_mk_array_sort(z, b32, Z3_mk_bool_sort(z)));
	q.entry = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, "entry"), 1, &b32, b64);
	uint32_t n = p->jt_len;
	sem_z3_post post;
	Z3_ast *cs = pvm_xmalloc((2 * n + 1) * sizeof *cs);
	if (!cs || !tv_spec_step(&q, w->o->spec, in, q.g, q.gm, q.gas, is_block, &post, res->detail, sizeof res->detail)) {
		if (!cs) snprintf(res->detail, sizeof res->detail, "out of memory");
		free(cs);
		return TV_UNKNOWN;
	}
	tv_assume(&q, Z3_mk_eq(z, q.jt_len, num(z, n, 32)));
	/* the template left the address zero-extended in rax (its own proof); in a table case it is
	 * a numeral here, so the dispatcher's table read is at a known slot */
	Z3_ast a = post.djump_addr;
	if (c == UINT32_MAX) { /* every slot at once: a = 2c + 2 for a symbolic c < n */
		Z3_ast cs_ = var(z, "slot", 32);
		tv_assume(&q, Z3_mk_bvult(z, cs_, num(z, n, 32)));
		a = Z3_mk_bvadd(z, Z3_mk_bvmul(z, num(z, 2, 32), cs_), num(z, 2, 32));
		tv_assume(&q, Z3_mk_eq(z, post.djump_addr, a));
		Z3_ast dest = Z3_mk_select(z, q.jump_table, cs_), e = Z3_mk_app(z, q.entry, 1, &dest);
		Z3_ast slot = Z3_mk_ite(z, Z3_mk_select(z, is_block, dest), e, num(z, 0, 64));
		Z3_ast at = Z3_mk_bvadd(z, Z3_mk_bvadd(z, q.mb, num(z, (uint64_t)(int64_t)JIT_JT(n, 0), 64)),
		                        Z3_mk_bvmul(z, num(z, 8, 64), Z3_mk_zero_ext(z, 32, cs_)));
		Z3_ast rd = NULL;
		for (int k = 7; k >= 0; k--) {
			Z3_ast b = Z3_mk_select(z, q.h, Z3_mk_bvadd(z, at, num(z, (uint64_t)k, 64)));
			rd = rd ? Z3_mk_concat(z, rd, b) : b;
		}
		tv_assume(&q, Z3_mk_eq(z, rd, slot));
		tv_assume(&q, ne(z, e, num(z, 0, 64)));
	} else if (c < n) { /* slot c and the runtime's contract for it (the only slot read) */
		q.simple = true; /* n small queries */
		a = num(z, 2 * c + 2, 32);
		tv_assume(&q, Z3_mk_eq(z, post.djump_addr, a));
		Z3_ast dest = Z3_mk_select(z, q.jump_table, num(z, c, 32)), e = Z3_mk_app(z, q.entry, 1, &dest);
		Z3_ast slot = Z3_mk_ite(z, Z3_mk_select(z, is_block, dest), e, num(z, 0, 64));
		tv_assume(&q, Z3_mk_eq(z, tv_host_read64(&q, q.h, JIT_JT(n, c)), slot));
		tv_assume(&q, ne(z, e, num(z, 0, 64)));
	} else { /* none of the slots: a not in {2, 4, .., 2n}, written exactly as
	          * odd(a) or a < 2 or a > 2n (n disequalities cost Z3 40M resource units at n = 384) */
		Z3_ast none[3] = { ne(z, Z3_mk_extract(z, 0, 0, a), Z3_mk_unsigned_int64(z, 0, Z3_mk_bv_sort(z, 1))),
		                   Z3_mk_bvult(z, a, num(z, 2, 32)), Z3_mk_bvugt(z, a, num(z, 2ull * n, 32)) };
		tv_assume(&q, Z3_mk_or(z, 3, none));
	}
	/* what makes a model fit the program's own table (the counterexample runs on it) */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t d = p->jump_table[i];
		cs[2 * i] = Z3_mk_eq(z, Z3_mk_select(z, q.jump_table, num(z, i, 32)), num(z, d, 32));
		cs[2 * i + 1] = Z3_mk_eq(z, Z3_mk_select(z, is_block, num(z, d, 32)),
		                        d <= p->code_len && p->is_block[d] ? Z3_mk_true(z) : Z3_mk_false(z));
	}
	cs[2 * n] = Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, q.jt_len, num(z, n, 32)),
	                                       Z3_mk_eq(z, q.pc_sym, num(z, in->pc, 32)) });
	q.layout = Z3_mk_and(z, 2 * n + 1, cs);
	free(cs);
	tv_outcome so = { .kind = Z3_mk_zero_ext(z, 5, post.status), .pc = post.pc, .mem = post.mem, .gas = post.gas };
	memcpy(so.regs, post.regs, sizeof so.regs);
	lift_state st;
	tv_lift_pre(w, &q, &st);
	for (int i = 0; i < PVM_NUM_REGS; i++) st.gpr[jit_reg_map[i]] = post.regs[i];
	st.gpr[JIT_SCRATCH] = Z3_mk_zero_ext(z, 32, a);
	lift_result lr;
	if (lift_block(w->lc, blk->bytes, blk->len, CODE_BASE, NULL, 0, &st, &lr) != LIFT_OK) {
		snprintf(res->detail, sizeof res->detail, "lift: %s", lift_errmsg(w->lc));
		return TV_UNKNOWN;
	}
	tv_code cd = { .in = in, .ex = blk->exits, .n_ex = blk->n_exits, .fall = in->pc };
	res->detail[0] = 0;
	tv_verdict v = TV_UNKNOWN;
	Z3_ast bad = tv_all_diffs(w, &q, &lr, &cd, &so, res->detail, sizeof res->detail);
	if (bad) v = tv_solve(w, &q, bad, 0, cex, res->detail, sizeof res->detail);
	lift_result_fini(&lr);
	return v;
}

/* The dispatcher is proved against the spec's djump for every address (the template puts it in
 * rax; its own proof covers that), with symbolic jump-table contents and block starts, split
 * exactly into the n table slots and the rest. The host table is the runtime's contract
 * (jit/compile.c, jit_program_new): slot i holds entry(jump_table[i]) when that is a block
 * start, else 0, where entry (uninterpreted, never 0) is the host address of a gas region; the
 * final `jmp rax` must go to entry(spec's pc). */
tv_verdict tv_prove_dispatch(tv_worker *w, const pvm_program *p, const pvm_inst *in, tv_result *res, tv_cex *cex)
{
	double t0 = tv_now_ms();
	tv_verdict v = TV_UNKNOWN;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	if (!tv_begin(w, res, cex)) goto out;
	jit_err je = jit_dispatch_compile(p, in->pc, &blk);
	if (je != JIT_OK) {
		snprintf(res->detail, sizeof res->detail, "compile: %s", jit_strerror(je));
		goto out;
	}
	tv_patch_exits(blk.bytes, blk.exits, blk.n_exits);
	/* every slot in one query with a symbolic slot number, then the rest; only if the symbolic
	 * query does not decide, slot by slot (n queries with a numeral slot) */
	v = p->jt_len ? dispatch_case(w, p, in, &blk, UINT32_MAX, res, cex) : TV_PROVED;
	if (v == TV_PROVED) {
		v = dispatch_case(w, p, in, &blk, p->jt_len, res, cex);
	} else if (v == TV_UNKNOWN) {
		for (uint32_t c = 0; c <= p->jt_len; c++) {
			v = dispatch_case(w, p, in, &blk, c, res, cex);
			if (v != TV_PROVED) break;
		}
	}
	if (v == TV_CEX)
		snprintf(res->detail, sizeof res->detail, "dispatcher of %s at pc %u differs from the spec's djump",
		         pvm_ops[in->op].name, in->pc);
out:
	jit_block_fini(&blk);
	return tv_finish(res, v, t0);
}

