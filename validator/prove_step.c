/* validator/prove_step.c: the proof of a step (jit.h § steps; README § Steps): the code the latch of
 * a byte-reduction loop enters (jit_step_compile, which the program's bytes must equal: link.c)
 * against the loop's own instructions, composed from the program by their specs.
 *
 * The step starts where the latch's branch back hands over: at the loop head H past its prologue,
 * the gas register the spec's gas less H's charge k. It leaves the same way, by one of two kinds of
 * jump: a guard's exit, which must change nothing (the state is the one it was given: zero turns),
 * or the jump back to its own start, which must hand over the state after JIT_STEP_TURNS turns of
 * the loop. Those turns are the specs of the program's instructions from H, followed as the specs
 * say: after H's branch, the side its pc term names (the ADD block then SKIP, or SKIP), each region
 * charged its spec cost on entry, and the turn goes on only if every instruction continues, no
 * region runs out of gas and the branch back goes to H. A step taken where some turn would not go
 * on is a counterexample (its outcome is then none the code can hand over). The turns' memory
 * accesses are assumed permitted (as in every block proof) only on the paths that take the step and
 * reach them; and where the step is taken, its sixteen addresses must lie on one page, so that the
 * step's one load faults exactly when the first turn's does (the fault itself, a row of the fault
 * map, is the runtime's: checked concretely by the tests). The claim goes to Z3 in parts, most of
 * them proved for more than the states there (README § prove: Steps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "validator/cex.h"
#include "validator/code.h"
#include "validator/prove.h"

enum { MAX_TURN_INSTS = 16 };

typedef struct turn_state {
	Z3_ast regs[PVM_NUM_REGS];
	Z3_ast mem, gas; /* gas: the spec's, before the next region's charge */
	Z3_ast alive;    /* every step so far continued as the loop does */
} turn_state;

/* Charge the region at pc and run its instructions up to its terminator from *t; *next: the
 * terminator's successor pc term. The assumptions its accesses add are from q->n_pre on; the
 * first access's address (the load) in *addr when addr is set. */
static bool run_region(tv_query *q, const sem_spec *sp, const pvm_program *p, uint32_t pc, Z3_ast is_block,
                       turn_state *t, Z3_ast *next, Z3_ast *addr, char *why, size_t n)
{
	Z3_context z = q->z;
	Z3_ast cost = num(z, tv_region_cost(sp, p, pc), 64);
	t->alive = and2(z, t->alive, Z3_mk_bvsge(z, t->gas, cost)); /* (signed, as the engines compare) */
	t->gas = Z3_mk_bvsub(z, t->gas, cost);
	for (int k = 0; k < MAX_TURN_INSTS; k++) {
		const pvm_inst *in = pvm_inst_at(p, pc);
		sem_z3_post post;
		if (!tv_spec_step(q, sp, in, t->regs, t->mem, t->gas, is_block, &post, why, n)) return false;
		if (post.opaque || post.brk_fails) {
			snprintf(why, n, "step: pc %u: an instruction a loop's turn cannot hold", pc);
			return false;
		}
		if (addr && post.n_access) {
			*addr = post.access[0].addr;
			addr = NULL;
		}
		memcpy(t->regs, post.regs, sizeof t->regs);
		t->mem = post.mem;
		t->alive = and2(z, t->alive, Z3_mk_eq(z, post.status, num(z, SEM_CONT, 3)));
		if (pvm_op_ends_region(in->op)) {
			*next = post.pc;
			return true;
		}
		pc = in->next;
	}
	snprintf(why, n, "step: the region at pc %u is longer than %d instructions", pc, MAX_TURN_INSTS);
	return false;
}

/* A model of a part proved for all values of the 16 bytes (bad, over the free bytes fresh and the
 * state's registers and gas, under q's first n_pre assumptions), as a state: the bytes in memory
 * at the turns' addresses (any bytes can be there), those addresses not below 0x10000 nor at the
 * top of the address space (where a replay would fault before the step). False if none is found. */
static bool bytes_model(tv_worker *w, tv_query *q, size_t n_pre, Z3_ast bad, Z3_ast *addr, Z3_ast *fresh, tv_cex *cex)
{
	Z3_context z = q->z;
	Z3_solver sv = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, sv);
	Z3_solver_set_params(z, sv, w->p);
	for (size_t i = 0; i < n_pre; i++) Z3_solver_assert(z, sv, q->pre[i]);
	Z3_solver_assert(z, sv, bad);
	Z3_ast mem = Z3_mk_const_array(z, Z3_mk_bv_sort(z, 32), num(z, 0, 8));
	unsigned len[JIT_STEP_TURNS];
	for (int j = 0; j < JIT_STEP_TURNS; j++) {
		Z3_solver_assert(z, sv, Z3_mk_bvuge(z, addr[j], num(z, PVM_LOW_LIMIT, 32)));
		Z3_solver_assert(z, sv, Z3_mk_bvule(z, addr[j], num(z, 0xffff0000u, 32)));
		mem = Z3_mk_store(z, mem, addr[j], fresh[j]);
		len[j] = 1;
	}
	bool ok = Z3_solver_check(z, sv) == Z3_L_TRUE;
	if (ok) tv_cex_from_model(w, z, sv, q->g, NULL, NULL, NULL, q->gas, addr, len, JIT_STEP_TURNS, mem, NULL, cex,
	                          w->o->timeout_ms);
	Z3_solver_dec_ref(z, sv);
	return ok;
}

/* ite(c, a, b), or a where a and b are one term (what ADD leaves as it was: the terms of later turns
 * stay small, and a later turn's load reads the same memory term as the first's) */
static Z3_ast merge(Z3_context z, Z3_ast c, Z3_ast a, Z3_ast b) { return Z3_is_eq_ast(z, a, b) ? a : Z3_mk_ite(z, c, a, b); }

tv_verdict tv_prove_step(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t latch, tv_result *res,
                         tv_cex *cex, bool *pages)
{
	double t0 = tv_now_ms();
	tv_verdict v = TV_UNKNOWN;
	*pages = false;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	jit_step_shape s;
	if (!tv_begin(w, res, cex)) goto out;
	if (!jit_step_loop(p, latch, &s) || jit_step_compile(p, latch, w->feat, &blk) != JIT_OK) {
		snprintf(res->detail, sizeof res->detail, "step: the latch at pc %u has no step", latch);
		goto out;
	}
	const sem_spec *sp = w->o->spec;
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	tv_query_name(w, TV_QK_REGION, "step_pc%u", latch);
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	Z3_ast is_block = Z3_mk_const_array(z, b32, Z3_mk_false(z));
	uint32_t tgt[3] = { s.head, s.add, s.skip };
	for (int i = 0; i < 3; i++) is_block = Z3_mk_store(z, is_block, num(z, tgt[i], 32), Z3_mk_true(z));
	/* k: H's charge, which the latch prepaid (its cost and what H's chain prepays) */
	uint64_t k = tv_region_cost(sp, p, s.head) + tv_links_prepaid(L, s.head);
	/* The relation at the cut: the latch's region has paid its prologue, so the gas register is not
	 * negative and is at most INT64_MAX less that prologue's charge (its region's cost and k): the
	 * spec's gas at H, the register plus k, is an int64 (body_of's reading of a latch, link.c) */
	tv_assume(&q, Z3_mk_bvsge(z, q.gas, num(z, 0, 64)));
	tv_assume(&q, Z3_mk_bvsle(z, q.gas, num(z, (uint64_t)INT64_MAX - k, 64)));
	turn_state t;
	memcpy(t.regs, q.g, sizeof t.regs);
	t.mem = q.gm;
	t.gas = Z3_mk_bvadd(z, q.gas, num(z, k, 64));
	t.alive = Z3_mk_true(z);
	Z3_ast addr[JIT_STEP_TURNS];
	size_t pre0[JIT_STEP_TURNS + 1];
	Z3_ast alive_at[JIT_STEP_TURNS];
	bool ok = true;
	Z3_ast turn_ok[JIT_STEP_TURNS], norm[JIT_STEP_TURNS], alive = Z3_mk_true(z);
	uint64_t per_turn = tv_region_cost(sp, p, s.head) + tv_region_cost(sp, p, s.skip), per_match = tv_region_cost(sp, p, s.add);
	for (int turn = 0; turn < JIT_STEP_TURNS && ok; turn++) {
		pre0[turn] = q.n_pre;
		alive_at[turn] = alive;
		t.alive = Z3_mk_true(z); /* (this turn's own conditions: turn_ok) */
		Z3_ast c_before = t.regs[s.c], g_before = t.gas;
		Z3_ast nx, nx2;
		addr[turn] = NULL;
		ok = run_region(&q, sp, p, s.head, is_block, &t, &nx, &addr[turn], res->detail, sizeof res->detail);
		if (!ok) break;
		if (!addr[turn]) {
			snprintf(res->detail, sizeof res->detail, "step: the head at pc %u makes no access", s.head);
			ok = false;
			break;
		}
		/* the side H's branch names: ADD then SKIP, or SKIP */
		Z3_ast to_add = Z3_mk_eq(z, nx, num(z, s.add, 32)), to_skip = Z3_mk_eq(z, nx, num(z, s.skip, 32));
		turn_state a = t;
		ok = run_region(&q, sp, p, s.add, is_block, &a, &nx2, NULL, res->detail, sizeof res->detail);
		if (!ok) break;
		a.alive = and2(z, a.alive, Z3_mk_eq(z, nx2, num(z, s.skip, 32)));
		for (int i = 0; i < PVM_NUM_REGS; i++) t.regs[i] = merge(z, to_add, a.regs[i], t.regs[i]);
		t.mem = merge(z, to_add, a.mem, t.mem);
		t.gas = merge(z, to_add, a.gas, t.gas);
		t.alive = Z3_mk_ite(z, to_add, a.alive, and2(z, t.alive, to_skip));
		ok = run_region(&q, sp, p, s.skip, is_block, &t, &nx, NULL, res->detail, sizeof res->detail);
		if (ok) t.alive = and2(z, t.alive, Z3_mk_eq(z, nx, num(z, s.head, 32)));
		turn_ok[turn] = t.alive;
		alive = and2(z, alive, t.alive);
		/* A cut at the turn's end: the count and the gas in a normal form (the count before plus
		 * one if the byte is K; the gas before less the turn's cost and the match's if it is K),
		 * which later turns build on; that the turn's terms equal it is the part G_NORM (Z3 does
		 * not see sixteen nested ites of increments as a sum of sixteen) */
		if (ok) {
			Z3_ast hit = Z3_mk_ite(z, Z3_mk_eq(z, sem_z3_load(z, q.gm, addr[turn], 1), num(z, s.k, 8)), num(z, 1, 64), num(z, 0, 64));
			Z3_ast nc = Z3_mk_bvadd(z, c_before, hit);
			Z3_ast ng = Z3_mk_bvsub(z, Z3_mk_bvsub(z, g_before, num(z, per_turn, 64)), Z3_mk_bvmul(z, num(z, per_match, 64), hit));
			norm[turn] = Z3_mk_or(z, 2, (Z3_ast[]){ ne(z, t.regs[s.c], nc), ne(z, t.gas, ng) });
			/* (for every count and gas before the turn: stronger, and a small query) */
			char nm[2][24];
			snprintf(nm[0], sizeof nm[0], "step_c%d", turn);
			snprintf(nm[1], sizeof nm[1], "step_g%d", turn);
			Z3_ast from[2] = { c_before, g_before }, to[2] = { Z3_mk_const(z, Z3_mk_string_symbol(z, nm[0]), Z3_mk_bv_sort(z, 64)),
			                                                  Z3_mk_const(z, Z3_mk_string_symbol(z, nm[1]), Z3_mk_bv_sort(z, 64)) };
			norm[turn] = Z3_substitute(z, norm[turn], 2, from, to);
			t.regs[s.c] = nc;
			t.gas = ng;
		}
	}
	pre0[JIT_STEP_TURNS] = q.n_pre;
	if (!ok) goto out;
	/* the two outcomes the code may hand over: zero turns, or all of them */
	tv_outcome stay = { .kind = num(z, K_CONT, 8), .pc = num(z, s.head, 32), .mem = q.gm, .gas = q.gas }, run;
	memcpy(stay.regs, q.g, sizeof stay.regs);
	run = stay;
	run.kind = Z3_mk_ite(z, alive, num(z, K_CONT, 8), num(z, K_BAD, 8));
	memcpy(run.regs, t.regs, sizeof run.regs);
	run.mem = t.mem;
	run.gas = Z3_mk_bvsub(z, t.gas, num(z, k, 64));
	/* the step's code, lifted */
	lift_result lr;
	if (!tv_lift_code(w, &q, blk.bytes, blk.len, blk.exits, blk.n_exits, &lr, res->detail, sizeof res->detail)) goto out;
	/* The obligation, one part at a time (a disjunction is unsat when each disjunct is; smaller
	 * queries, and Z3 decides each alone): part c of exit i differs where the exit is taken. */
	enum { P_KIND, P_REG0, P_MEM = P_REG0 + PVM_NUM_REGS, P_GAS, P_MB, P_PAGES, P_WORDS, P_AGAIN, P_TURN0,
	       N_PARTS = P_TURN0 + JIT_STEP_TURNS };
	enum { N_WORDS = JIT_STEP_TURNS / 8 };
	/* The step's words as its loads read them: the value register right after each load, the
	 * code up to there lifted from the same state (so the same terms as in the whole step's) */
	Z3_ast word[N_WORDS], wfresh[N_WORDS];
	for (int h = 0; h < N_WORDS; h++) {
		lift_state sp0;
		tv_lift_pre(w, &q, &sp0);
		lift_result pr;
		word[h] = NULL;
		if (lift_block(w->lc, blk.bytes, blk.map[1 + h].host_off, CODE_BASE, NULL, 0, &sp0, &pr) == LIFT_OK) {
			for (size_t i = 0; i < pr.nexits; i++)
				if (pr.exits[i].kind == LIFT_EXIT_FALL) word[h] = pr.exits[i].st.gpr[jit_reg_map[s.v]];
			lift_result_fini(&pr);
		}
		if (!word[h]) {
			snprintf(res->detail, sizeof res->detail, "step: word %d's load does not lift", h);
			v = TV_UNKNOWN;
			lift_result_fini(&lr);
			goto out;
		}
	}
	/* The sum, the count and the gas: through middle terms, per word h the sum and the count of its
	 * eight bytes (mid_*). The code's: piece A (the guard and the first load) leaves them as they
	 * were (P_CUT); the piece after word h's load adds word h's to them, for any state it is given
	 * and the word of any eight bytes (P_PIECE: from fresh registers, the value register that word);
	 * the loads read the bytes the turns read (P_WORDS). The turns': the same middle terms where the
	 * step is taken and every turn goes on (P_SPEC_*). Small queries each, where the one between the
	 * code and the turns is beyond Z3. */
	Z3_ast byte[JIT_STEP_TURNS], fresh[JIT_STEP_TURNS], sum[N_WORDS], cnt[N_WORDS], fsum[N_WORDS], fcnt[N_WORDS];
	for (int j = 0; j < JIT_STEP_TURNS; j++) {
		char name[16];
		snprintf(name, sizeof name, "step_b%d", j);
		byte[j] = sem_z3_load(z, q.gm, addr[j], 1); /* (the term the spec read) */
		fresh[j] = Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, 8));
	}
	for (int h = 0; h < N_WORDS; h++) {
		sum[h] = cnt[h] = fsum[h] = fcnt[h] = num(z, 0, 64);
		wfresh[h] = fresh[8 * h];
		for (int k = 1; k < 8; k++) wfresh[h] = Z3_mk_concat(z, fresh[8 * h + k], wfresh[h]);
		for (int k = 0; k < 8; k++) {
			Z3_ast m = byte[8 * h + k], f = fresh[8 * h + k], one = num(z, 1, 64), zero = num(z, 0, 64);
			sum[h] = Z3_mk_bvadd(z, sum[h], Z3_mk_zero_ext(z, 56, m));
			fsum[h] = Z3_mk_bvadd(z, fsum[h], Z3_mk_zero_ext(z, 56, f));
			cnt[h] = Z3_mk_bvadd(z, cnt[h], Z3_mk_ite(z, Z3_mk_eq(z, m, num(z, s.k, 8)), one, zero));
			fcnt[h] = Z3_mk_bvadd(z, fcnt[h], Z3_mk_ite(z, Z3_mk_eq(z, f, num(z, s.k, 8)), one, zero));
		}
	}
	Z3_ast words_differ = Z3_mk_false(z);
	for (int h = 0; h < N_WORDS; h++) {
		Z3_ast wb = byte[8 * h];
		for (int k = 1; k < 8; k++) wb = Z3_mk_concat(z, byte[8 * h + k], wb);
		words_differ = Z3_mk_or(z, 2, (Z3_ast[]){ words_differ, ne(z, word[h], wb) });
	}
	Z3_ast all = num(z, JIT_STEP_TURNS * per_turn, 64), per = num(z, per_match, 64);
	Z3_ast mid_s = q.g[s.s], mid_c = q.g[s.c], mid_gas = q.gas;
	for (int h = 0; h < N_WORDS; h++) {
		mid_s = Z3_mk_bvadd(z, mid_s, sum[h]);
		mid_c = Z3_mk_bvadd(z, mid_c, cnt[h]);
		mid_gas = Z3_mk_bvsub(z, mid_gas, Z3_mk_bvmul(z, per, cnt[h]));
	}
	mid_gas = Z3_mk_bvsub(z, mid_gas, all);
	Z3_ast differ_pages = Z3_mk_false(z);
	Z3_ast pg1 = Z3_mk_extract(z, 31, 12, addr[0]);
	for (int i = 1; i < JIT_STEP_TURNS; i++)
		differ_pages = Z3_mk_or(z, 2, (Z3_ast[]){ differ_pages, ne(z, Z3_mk_extract(z, 31, 12, addr[i]), pg1) });
	/* the whole step's exits: every part but the sum, the count and the gas where it is taken */
	Z3_ast *part = pvm_xmalloc(N_PARTS * (lr.nexits + 1) * sizeof *part), *taken = pvm_xmalloc((lr.nexits + 1) * sizeof *taken);
	size_t n_taken = 0;
	Z3_ast direct = Z3_mk_false(z);
	for (size_t i = 0; i < lr.nexits; i++) {
		const lift_exit *le = &lr.exits[i];
		Z3_ast *pt = &part[N_PARTS * i];
		uint64_t at = le->target;
		size_t x = le->kind == LIFT_EXIT_JUMP && at >= STUB_BASE && (at - STUB_BASE) % 16 == 0 ? (at - STUB_BASE) / 16 : SIZE_MAX;
		for (int c = 0; c < N_PARTS; c++) pt[c] = Z3_mk_false(z);
		if (x >= blk.n_exits) { /* no way out the step has */
			pt[P_KIND] = le->cond;
			continue;
		}
		bool again = x == blk.n_exits - 1;
		const tv_outcome *so = again ? &run : &stay;
		/* (every exit of the step is a branch to the head: kind continue, pc the head; the run's
		 * kind is continue where every turn goes on: the parts P_TURN0 + j, turn j's conditions) */
		pt[P_KIND] = and2(z, le->cond, again ? ne(z, num(z, s.head, 32), so->pc)
		                                      : Z3_mk_or(z, 2, (Z3_ast[]){ ne(z, num(z, K_CONT, 8), so->kind),
		                                                                   ne(z, num(z, s.head, 32), so->pc) }));
		for (int r = 0; r < PVM_NUM_REGS; r++)
			if (!again || (r != s.s && r != s.c))
				pt[P_REG0 + r] = and2(z, le->cond, ne(z, le->st.gpr[jit_reg_map[r]], so->regs[r]));
		pt[P_MEM] = and2(z, le->cond, ne(z, Z3_mk_select(z, le->st.mem, Z3_mk_bvadd(z, q.mb, Z3_mk_zero_ext(z, 32, q.a))),
		                                 Z3_mk_select(z, so->mem, q.a)));
		if (!again) pt[P_GAS] = and2(z, le->cond, ne(z, le->st.gpr[JIT_GASREG], so->gas));
		pt[P_MB] = and2(z, le->cond, ne(z, le->st.gpr[JIT_MEMBASE], q.mb));
		if (again) {
			/* (the whole claim on these, for a model when a part of it fails) */
			direct = Z3_mk_or(z, 2, (Z3_ast[]){ direct, and2(z, le->cond, Z3_mk_or(z, 5, (Z3_ast[]){ Z3_mk_not(z, alive),
				ne(z, le->st.gpr[jit_reg_map[s.s]], run.regs[s.s]), ne(z, le->st.gpr[jit_reg_map[s.c]], run.regs[s.c]),
				ne(z, le->st.gpr[JIT_GASREG], run.gas), Z3_mk_bvslt(z, run.gas, num(z, 0, 64)) })) });
			taken[n_taken++] = le->cond;
			pt[P_PAGES] = and2(z, le->cond, differ_pages);
			pt[P_WORDS] = and2(z, le->cond, words_differ);
			for (int j = 0; j < JIT_STEP_TURNS; j++) pt[P_TURN0 + j] = and2(z, le->cond, Z3_mk_not(z, turn_ok[j]));
			/* the jump back enters the step again (and a guard's exit then H's code): the relation at
			 * the cut must hold of what it hands over, 0 <= rsp <= INT64_MAX - k */
			pt[P_AGAIN] = and2(z, le->cond, Z3_mk_or(z, 2, (Z3_ast[]){ Z3_mk_bvslt(z, run.gas, num(z, 0, 64)),
				Z3_mk_bvsgt(z, run.gas, num(z, (uint64_t)INT64_MAX - k, 64)) }));
		}
	}
	Z3_ast step_taken = or_n(z, n_taken, taken);
	/* the parts that are not per exit */
	enum { G_CUT, G_LOAD, G_PIECE0, G_SPEC_S = G_PIECE0 + 3 * N_WORDS, G_SPEC_C, G_SPEC_GAS, G_NORM0,
	       N_GLOBAL = G_NORM0 + JIT_STEP_TURNS };
	Z3_ast glob[N_GLOBAL];
	for (int g = 0; g < N_GLOBAL; g++) glob[g] = g >= G_NORM0 ? norm[g - G_NORM0] : NULL;
	{
		enum x64_reg hs = jit_reg_map[s.s], hc = jit_reg_map[s.c], hv = jit_reg_map[s.v];
		/* (for every state: the turns' registers and gas are terms whether or not each turn goes on) */
		glob[G_SPEC_S] = ne(z, run.regs[s.s], mid_s);
		glob[G_SPEC_C] = ne(z, run.regs[s.c], mid_c);
		glob[G_SPEC_GAS] = ne(z, run.gas, mid_gas);
		size_t from = 0;
		for (int h = 0; h <= N_WORDS; h++) {
			size_t to = h < N_WORDS ? blk.map[1 + h].host_off : blk.len;
			lift_state in;
			char prefix[16];
			snprintf(prefix, sizeof prefix, "step_piece%d", h);
			if (h == 0) {
				tv_lift_pre(w, &q, &in);
			} else {
				lift_state_fresh(w->lc, &in, prefix);
				in.gpr[hv] = wfresh[h - 1];
			}
			lift_result pr;
			if (lift_block(w->lc, blk.bytes + from, to - from, CODE_BASE + from, NULL, 0, &in, &pr) != LIFT_OK) break;
			const lift_exit *out = NULL;
			bool one = true;
			for (size_t i = 0; i < pr.nexits; i++) {
				const lift_exit *le = &pr.exits[i];
				if (h < N_WORDS ? le->kind == LIFT_EXIT_FALL
				                : le->kind == LIFT_EXIT_JUMP && le->target == STUB_BASE + 16 * (blk.n_exits - 1))
					out = le;
				else if (h > 0 || le->kind != LIFT_EXIT_JUMP || le->target < STUB_BASE ||
				         (le->target - STUB_BASE) % 16 || (le->target - STUB_BASE) / 16 >= blk.n_exits - 1)
					one = false; /* (after the guard: that one way only; the guard's own: to a guard's exit) */
			}
			if (out && one && h == 0) { /* piece A: the sum, the count and the gas as they were */
				/* and at its load, which may fault, the state of the first turn at its load_ind_u8:
				 * H's add_64 done, nothing else (the fault map's row says that load's pc) */
				lift_result pl;
				lift_state s0;
				tv_lift_pre(w, &q, &s0);
				if (lift_block(w->lc, blk.bytes, blk.map[0].host_off, CODE_BASE, NULL, 0, &s0, &pl) == LIFT_OK) {
					sem_z3_post add;
					if (tv_spec_step(&q, sp, pvm_inst_at(p, s.head), q.g, q.gm, q.gas, is_block, &add, res->detail,
					                 sizeof res->detail))
						for (size_t i = 0; i < pl.nexits; i++) {
							const lift_exit *le = &pl.exits[i];
							if (le->kind != LIFT_EXIT_FALL) continue;
							Z3_ast dd[PVM_NUM_REGS + 2];
							for (int r = 0; r < PVM_NUM_REGS; r++) dd[r] = ne(z, le->st.gpr[jit_reg_map[r]], add.regs[r]);
							dd[PVM_NUM_REGS] = ne(z, le->st.gpr[JIT_GASREG], q.gas);
							dd[PVM_NUM_REGS + 1] = ne(z, le->st.gpr[JIT_MEMBASE], q.mb);
							glob[G_LOAD] = and2(z, le->cond, Z3_mk_or(z, PVM_NUM_REGS + 2, dd));
						}
					lift_result_fini(&pl);
				}
				glob[G_CUT] = and2(z, out->cond, Z3_mk_or(z, 3, (Z3_ast[]){ ne(z, out->st.gpr[hs], q.g[s.s]),
				                                                            ne(z, out->st.gpr[hc], q.g[s.c]),
				                                                            ne(z, out->st.gpr[JIT_GASREG], q.gas) }));
			} else if (out && one) { /* the piece after word h - 1's load, for all its inputs */
				Z3_ast gas = Z3_mk_bvsub(z, in.gpr[JIT_GASREG], Z3_mk_bvmul(z, per, fcnt[h - 1]));
				if (h == N_WORDS) gas = Z3_mk_bvsub(z, gas, all);
				Z3_ast c = Z3_mk_not(z, out->cond);
				glob[G_PIECE0 + 3 * (h - 1)] = Z3_mk_or(z, 2, (Z3_ast[]){ c, ne(z, out->st.gpr[hs], Z3_mk_bvadd(z, in.gpr[hs], fsum[h - 1])) });
				glob[G_PIECE0 + 3 * (h - 1) + 1] = Z3_mk_or(z, 2, (Z3_ast[]){ c, ne(z, out->st.gpr[hc], Z3_mk_bvadd(z, in.gpr[hc], fcnt[h - 1])) });
				glob[G_PIECE0 + 3 * (h - 1) + 2] = Z3_mk_or(z, 2, (Z3_ast[]){ c, ne(z, out->st.gpr[JIT_GASREG], gas) });
			}
			lift_result_fini(&pr);
			from = to;
		}
	}
	for (int g = 0; g < N_GLOBAL; g++)
		if (!glob[g]) {
			snprintf(res->detail, sizeof res->detail, "step: its pieces do not lift as a guard, then straight code");
			v = TV_UNKNOWN;
			goto parts_out;
		}
	/* the turns' accesses assumed permitted where the step is taken and the turn is reached */
	for (int turn = 0; turn < JIT_STEP_TURNS; turn++)
		for (size_t i = pre0[turn]; i < pre0[turn + 1]; i++)
			q.pre[i] = Z3_mk_implies(z, and2(z, step_taken, alive_at[turn]), q.pre[i]);
	v = TV_PROVED;
	Z3_ast *d = pvm_xmalloc((lr.nexits + 1) * sizeof *d);
	size_t n_pre = q.n_pre;
	for (int c = 0; c < N_PARTS + N_GLOBAL && v == TV_PROVED; c++) {
		Z3_ast bad;
		if (c < N_PARTS) {
			for (size_t i = 0; i < lr.nexits; i++) d[i] = part[N_PARTS * i + c];
			bad = or_n(z, lr.nexits, d);
		} else {
			bad = glob[c - N_PARTS];
		}
		/* whether a turn goes on, and the turns against the middle terms, hold for every value of
		 * the sixteen bytes: proved so (each byte the spec reads a free variable, without the
		 * accesses' assumptions, which they do not need: a claim for all bytes is stronger than one
		 * for the bytes there), queries of bit-vectors alone; so are the pieces, whose bytes are
		 * free already */
		bool general = c >= P_AGAIN;
		if (general) bad = Z3_simplify(z, Z3_substitute(z, bad, JIT_STEP_TURNS, byte, fresh));
		q.n_pre = general ? pre0[0] : n_pre;
		v = tv_solve(w, &q, bad, 0, cex, res->detail, sizeof res->detail);
		if (v == TV_CEX && (general || c >= N_PARTS)) {
			/* a part proved for more than the states there (free bytes, a piece's free inputs) has a
			 * model that is no state of the program: one where the free bytes are the bytes in
			 * memory there (a part whose only free values are the bytes: any bytes can be there),
			 * else the whole claim on its terms, for one */
			q.n_pre = n_pre;
			v = TV_UNKNOWN;
			bool bytes_only = c < N_PARTS || (c >= N_PARTS + G_SPEC_S && c < N_PARTS + G_NORM0); /* (not a piece or a cut) */
			if (bytes_only && bytes_model(w, &q, pre0[0], bad, addr, fresh, cex)) v = TV_CEX;
			else v = tv_solve(w, &q, direct, 0, cex, res->detail, sizeof res->detail);
			if (v != TV_CEX) {
				snprintf(res->detail, sizeof res->detail, "step: part %d fails for some values, but no state of the "
				         "program was found where the step and the turns differ (%s)", c, tv_verdict_name(v));
				v = TV_UNKNOWN;
			}
		}
	}
	q.n_pre = n_pre;
	if (v == TV_CEX) {
		/* the model as a run from the latch: its gas is the spec's there (the latch's region and H's
		 * charge added back); *pages: a model of the page obligation (its replay needs the page
		 * after the first turn's unmapped, where the turns fault and the step must not run) */
		uint32_t a1 = (uint32_t)(cex->regs[s.b] + cex->regs[s.i]);
		*pages = (a1 & 0xfff) > 0x1000 - JIT_STEP_TURNS;
		cex->gas += (int64_t)(k + tv_region_cost(sp, p, latch));
		snprintf(res->detail, sizeof res->detail, "the step of the loop at pc %u differs from %d turns of the specs%s",
		         s.head, JIT_STEP_TURNS, *pages ? " (its bytes are not on one page)" : "");
	} else if (v == TV_PROVED) {
		snprintf(res->detail, sizeof res->detail, "%d turns", JIT_STEP_TURNS);
	}
	free(d);
parts_out:
	free(part);
	free(taken);
	lift_result_fini(&lr);
out:
	jit_block_fini(&blk);
	return tv_finish(res, v, t0);
}

void tv_step_cex_pages(pvm_vector *v, const tv_cex *cex, const pvm_program *p, uint32_t pc)
{
	jit_step_shape s;
	if (!jit_step_loop(p, pc, &s)) return;
	uint32_t a1 = (uint32_t)(cex->regs[s.b] + cex->regs[s.i]);
	uint64_t pg = ((uint64_t)a1 | (PVM_PAGE - 1)) + 1, end = pg + PVM_PAGE;
	if (pg >> 32) return;
	size_t n = 0;
	pvm_pagemap *m = pvm_xmalloc((v->n_page_map + 1) * sizeof *m);
	for (size_t i = 0; i < v->n_page_map; i++) { /* each range less [pg, end): up to two pieces */
		pvm_pagemap r = v->page_map[i];
		uint64_t lo = r.address, hi = (uint64_t)r.address + r.length;
		if (hi <= pg || lo >= end) {
			m[n++] = r;
			continue;
		}
		if (lo < pg) m[n++] = (pvm_pagemap){ r.address, (uint32_t)(pg - lo), r.writable };
		if (hi > end) {
			m = pvm_xrealloc(m, (v->n_page_map + n + 2) * sizeof *m);
			m[n++] = (pvm_pagemap){ (uint32_t)end, (uint32_t)(hi - end), r.writable };
		}
	}
	free(v->page_map);
	v->page_map = m;
	v->n_page_map = n;
	size_t k = 0;
	for (size_t i = 0; i < v->n_initial_mem; i++) { /* the bytes in that page dropped */
		pvm_chunk c = v->initial_mem[i];
		uint64_t lo = c.address, hi = (uint64_t)c.address + c.len;
		if (hi <= pg || lo >= end) {
			v->initial_mem[k++] = c;
		} else if (lo < pg && hi <= end) {
			c.len = (uint32_t)(pg - lo);
			v->initial_mem[k++] = c;
		} else if (lo >= pg && hi > end) {
			memmove(c.data, c.data + (end - lo), (size_t)(hi - end));
			c.address = (uint32_t)end;
			c.len = (uint32_t)(hi - end);
			v->initial_mem[k++] = c;
		} else { /* inside it, or across it (its first part kept) */
			if (lo < pg) {
				c.len = (uint32_t)(pg - lo);
				v->initial_mem[k++] = c;
			} else {
				free(c.data);
			}
		}
	}
	v->n_initial_mem = k;
}
