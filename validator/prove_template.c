/* validator/prove_template.c: the proof of one template instance: the template of an
 * instruction (registers fixed) emitted once, its immediate fields and branch target made
 * symbolic, lifted, and proved against the instruction's spec for every value of its class. */
#include <string.h>
#include "validator/code.h"
#include "validator/prove.h"

/* The validator's self-test of one query (--self-test): with each part of the spec's result that
 * the query compares changed (each guest register, the gas and the probed memory byte + 1, the pc
 * and the exit kind + 1), the query must be sat: a part whose change leaves it unsat is not
 * compared (a weakened query both solvers would prove). False with why set when one is not. */
static bool self_test(tv_worker *w, tv_query *q, const lift_result *lr, const tv_code *c, const tv_outcome *so,
                      char *why, size_t n)
{
	Z3_context z = q->z;
	size_t n_pre = q->n_pre, n_acc = q->n_acc;
	bool ok = true;
	for (int k = 0; k < PVM_NUM_REGS + 4 && ok; k++) {
		tv_outcome s2 = *so;
		char part[16];
		if (k < PVM_NUM_REGS) {
			s2.regs[k] = Z3_mk_bvadd(z, so->regs[k], Z3_mk_unsigned_int64(z, 1, Z3_mk_bv_sort(z, 64)));
			snprintf(part, sizeof part, "r%d", k);
		} else if (k == PVM_NUM_REGS) {
			s2.gas = Z3_mk_bvadd(z, so->gas, Z3_mk_unsigned_int64(z, 1, Z3_mk_bv_sort(z, 64)));
			snprintf(part, sizeof part, "gas");
		} else if (k == PVM_NUM_REGS + 1) {
			s2.pc = Z3_mk_bvadd(z, so->pc, Z3_mk_unsigned_int64(z, 1, Z3_mk_bv_sort(z, 32)));
			snprintf(part, sizeof part, "pc");
		} else if (k == PVM_NUM_REGS + 2) {
			s2.kind = Z3_mk_bvadd(z, so->kind, Z3_mk_unsigned_int64(z, 1, Z3_mk_bv_sort(z, 8)));
			snprintf(part, sizeof part, "exit kind");
		} else {
			Z3_ast b = Z3_mk_bvadd(z, Z3_mk_select(z, so->mem, q->a), Z3_mk_unsigned_int64(z, 1, Z3_mk_bv_sort(z, 8)));
			s2.mem = Z3_mk_store(z, so->mem, q->a, b);
			snprintf(part, sizeof part, "memory byte");
		}
		char w2[256] = "";
		Z3_ast bad = tv_all_diffs(w, q, lr, c, &s2, w2, sizeof w2);
		Z3_solver s = Z3_mk_simple_solver(z);
		Z3_solver_inc_ref(z, s);
		for (size_t i = 0; i < q->n_pre; i++) Z3_solver_assert(z, s, q->pre[i]);
		Z3_lbool r = bad ? (Z3_solver_assert(z, s, bad), Z3_solver_check(z, s)) : Z3_L_UNDEF;
		Z3_solver_dec_ref(z, s);
		q->n_pre = n_pre, q->n_acc = n_acc;
		if (r != Z3_L_TRUE) {
			snprintf(why, n, "self-test: the query %s a changed %s from the spec's (%s with it changed)",
			         r == Z3_L_FALSE ? "does not tell" : "could not be asked to tell", part,
			         r == Z3_L_FALSE ? "unsat" : bad ? "unknown" : w2);
			ok = false;
		}
	}
	return ok;
}

tv_verdict tv_prove_template(tv_worker *w, const pvm_inst *in0, jit_imm_class cls, tv_result *res, tv_cex *cex)
{
	double t0 = tv_now_ms();
	tv_verdict v = TV_UNKNOWN;
	if (!tv_begin(w, res, cex)) goto out;
	pvm_inst in;
	jit_tpl tpl;
	if (!tv_template_code(in0, cls, sem_spec_isa(w->o->spec), w->feat, true, &in, &tpl, res->detail, sizeof res->detail))
		goto out;
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	tv_query_name(w, TV_QK_TEMPLATE, "%s_r%u.r%u.r%u_%s_gp%s", pvm_ops[in.op].name, in.ra, in.rb, in.rd,
	              jit_class_name(cls), pvm_isa_name(sem_spec_isa(w->o->spec)));
	unsigned form = pvm_ops[in.op].form;
	const char *operands = pvm_form_operands(form);
	bool has_x = strchr(operands, 'X'), has_y = strchr(operands, 'Y'), has_t = strchr(operands, 'T');
	/* The decoder's immediates are X_n of at most 4 bytes: exactly the sign-extended 32-bit
	 * values, so X is sext(X32) by construction (load_imm_64: any 64-bit value). */
	if (has_x) q.x = pvm_forms[form].f1_len == PVM_FR_EIGHT ? var(z, "imm", 64) : Z3_mk_sign_ext(z, 32, var(z, "imm", 32));
	/* Class S8: X = sext8(v) for a free byte v, which is exactly the class (jit_class_holds): the
	 * field's byte is v and the CPU's sign extension of it is X, the same term as the spec's. */
	if (has_x && cls == JIT_CLASS_S8) q.x = Z3_mk_sign_ext(z, 56, var(z, "imm", 8));
	if (has_y) q.y = Z3_mk_sign_ext(z, 32, var(z, "imm2", 32));
	/* Branch targets are labels: the JIT's BRANCH exit carries in.target, the spec sees the same
	 * symbol T (a block start: the block compiler sends other targets to a panic, proved per block). */
	Z3_ast is_block = NULL;
	if (has_t) {
		q.t = var(z, "target", 32);
		Z3_sort b32 = Z3_mk_bv_sort(z, 32);
		is_block = Z3_mk_const(z, Z3_mk_string_symbol(z, "is_block"), Z3_mk_array_sort(z, b32, Z3_mk_bool_sort(z)));
		tv_assume(&q, Z3_mk_select(z, is_block, q.t));
	}
	lift_field fields[JIT_TPL_MAX_IMMS];
	for (size_t i = 0; i < tpl.n_imms; i++) {
		fields[i].offset = tpl.imms[i].off;
		fields[i].size = tpl.imms[i].width;
		fields[i].term = tv_field_term(z, tpl.imms[i].which ? q.y : q.x, tpl.imms[i].enc);
		if (!fields[i].term) {
			snprintf(res->detail, sizeof res->detail, "immediate field with unknown encoding");
			goto out;
		}
	}
	/* exits with symbolic targets: mark them so exit_diff uses T */
	for (size_t i = 0; i < tpl.n_exits; i++)
		if (tpl.exits[i].kind == JIT_EXIT_BRANCH && has_t) tpl.exits[i].target = UINT32_MAX;
	tv_patch_exits(tpl.bytes, tpl.exits, tpl.n_exits);
	lift_state st;
	tv_lift_pre(w, &q, &st);
	lift_result lr;
	double T1 = tv_now_ms();
	lift_err le = lift_block(w->lc, tpl.bytes, tpl.len, CODE_BASE, fields, tpl.n_imms, &st, &lr);
	double T2 = tv_now_ms();
	w->phase_ms[TV_PHASE_LIFT] += T2 - T1;
	w->phase_ms[TV_PHASE_REWRITE] += T1 - t0;
	if (le != LIFT_OK) {
		snprintf(res->detail, sizeof res->detail, "lift: %s", lift_errmsg(w->lc));
		goto out;
	}
	sem_z3_post post;
	if (tv_spec_step(&q, w->o->spec, &in, q.g, q.gm, q.gas, is_block, &post, res->detail,
	                 sizeof res->detail)) {
		tv_outcome so;
		tv_spec_outcome(&q, &post, &so);
		tv_code c = { .in = &in, .ex = tpl.exits, .n_ex = tpl.n_exits, .fall = in.next };
		res->detail[0] = 0;
		Z3_ast bad = tv_all_diffs(w, &q, &lr, &c, &so, res->detail, sizeof res->detail);
		double T3 = tv_now_ms();
		w->phase_ms[TV_PHASE_SPEC] += T3 - T2;
		if (bad && w->o->self_test && !self_test(w, &q, &lr, &c, &so, res->detail, sizeof res->detail)) {
			v = TV_BUG; /* never PROVED: the question itself is wrong */
		} else if (bad) {
			v = tv_solve(w, &q, bad, in.target, cex, res->detail, sizeof res->detail);
			if (v == TV_CEX) tv_cex_describe(cex, &in, res->detail, sizeof res->detail);
		}
		w->phase_ms[TV_PHASE_SOLVE] += tv_now_ms() - T3;
	}
	lift_result_fini(&lr);
out:
	return tv_finish(res, v, t0);
}


tv_verdict tv_prove_fused(tv_worker *w, const pvm_inst *a0, const pvm_inst *b0, tv_result *res, tv_cex *cex)
{
	double t0 = tv_now_ms();
	tv_verdict v = TV_UNKNOWN;
	if (!tv_begin(w, res, cex)) goto out;
	pvm_inst a, b;
	jit_tpl tpl;
	if (!tv_fused_code(a0, b0, sem_spec_isa(w->o->spec), w->feat, &a, &b, &tpl, res->detail, sizeof res->detail))
		goto out;
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	unsigned s = (unsigned)(a.imm & 63);
	tv_query_name(w, TV_QK_TEMPLATE, "%s+%s_r%u.r%u+r%u.r%u.r%u_s%u_gp%s", pvm_ops[a.op].name, pvm_ops[b.op].name, a.ra,
	              a.rb, b.ra, b.rb, b.rd, s, pvm_isa_name(sem_spec_isa(w->o->spec)));
	/* The head's X: every 32-bit immediate whose low 6 bits are s (its decoder's X is sext32 of
	 * it, and the spec shifts by X & 63): sext32(hi26 ++ s). The fused code holds no field of it. */
	q.x = Z3_mk_sign_ext(z, 32, Z3_mk_concat(z, var(z, "imm", 26), num(z, s, 6)));
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	Z3_ast none = Z3_mk_const_array(z, b32, Z3_mk_false(z)); /* (register instructions: no targets) */
	tv_outcome so;
	if (!tv_spec_pair(&q, w->o->spec, &a, &b, none, none, &so, res->detail, sizeof res->detail)) goto out;
	lift_result lr;
	if (!tv_lift_code(w, &q, tpl.bytes, tpl.len, tpl.exits, tpl.n_exits, &lr, res->detail, sizeof res->detail)) goto out;
	tv_code c = { .in = &b, .ex = tpl.exits, .n_ex = tpl.n_exits, .fall = b.next };
	res->detail[0] = 0;
	Z3_ast bad = tv_all_diffs(w, &q, &lr, &c, &so, res->detail, sizeof res->detail);
	if (bad && w->o->self_test && !self_test(w, &q, &lr, &c, &so, res->detail, sizeof res->detail)) {
		v = TV_BUG;
	} else if (bad) {
		v = tv_solve(w, &q, bad, 0, cex, res->detail, sizeof res->detail);
		if (v == TV_CEX) {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, "%sfused %s + %s differs from their composed specs",
			         l ? "; " : "", pvm_ops[a.op].name, pvm_ops[b.op].name);
		}
	}
	lift_result_fini(&lr);
out:
	return tv_finish(res, v, t0);
}
