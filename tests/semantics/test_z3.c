/* tests/semantics/test_z3.c: the Z3 term builder against the concrete evaluator.
 * For every opcode, --states N (default 200) random states: the pre-state becomes Z3 numerals,
 * sem_z3_build's post-state is simplified to numerals and must equal what sem_exec computes
 * (status, pc, fault, fault address, host id, the 13 registers, the bytes around each store).
 * Then, with symbolic inputs, a solver checks the shape of every opcode's terms: a fault is
 * possible exactly for loads and stores, branches can both continue and panic, djumps can halt.
 * The seed is printed; --seed S or SEM_SEED replays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "semantics/sem.h"
#include "prog.h"

enum { WIN_LO = 0xFF0, WIN_HI = 0x1010 }; /* random bytes at 0x20000 + [WIN_LO, WIN_HI) */

static Z3_context ctx;
static long failures;

static uint64_t value(Z3_ast t, const char *what, bool *ok)
{
	Z3_ast s = Z3_simplify(ctx, t);
	if (Z3_get_sort_kind(ctx, Z3_get_sort(ctx, s)) == Z3_BOOL_SORT) {
		Z3_lbool b = Z3_get_bool_value(ctx, s);
		if (b != Z3_L_UNDEF) return b == Z3_L_TRUE;
	} else {
		uint64_t v;
		if (Z3_get_numeral_uint64(ctx, s, &v)) return v;
	}
	printf("  %s did not simplify to a value: %s\n", what, Z3_ast_to_string(ctx, s));
	*ok = false;
	return 0;
}

static Z3_ast bvnum(uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(ctx, v, Z3_mk_bv_sort(ctx, w)); }

static sem_status status_of(bool exited, pvm_exit x)
{
	if (!exited) return SEM_CONT;
	switch (x.status) {
	case PVM_HALT: return SEM_HALT;
	case PVM_FAULT: return SEM_FAULT;
	case PVM_HOST: return SEM_HOST;
	default: return SEM_PANIC;
	}
}

#define EXPECT(what, got, want)                                                                   \
	do {                                                                                      \
		uint64_t g_ = (got), w_ = (want);                                                 \
		if (ok && g_ != w_) {                                                             \
			printf("MISMATCH %s state %ld: %s: z3 0x%llx, evaluator 0x%llx\n", name, (long)i, what, \
			       (unsigned long long)g_, (unsigned long long)w_);                   \
			ok = false;                                                               \
		}                                                                                 \
	} while (0)

static void check_opcode(const sem_spec *sp, uint8_t op, long states)
{
	const char *name = pvm_ops[op].name;
	const sem_insn *si = sem_spec_get(sp, op);
	Z3_sort b32 = Z3_mk_bv_sort(ctx, 32), b20 = Z3_mk_bv_sort(ctx, 20);
	for (long i = 0; i < states; i++) {
		tinst t = rnd_inst(op);
		pvm_program p;
		if (!build_program(&t, &p)) {
			failures++;
			return;
		}
		const pvm_inst *in = &p.inst[0];
		pvm_state s;
		pvm_state_init(&s);
		pvm_mem_free(s.mem);
		s.mem = rnd_mem(WIN_LO, WIN_HI);
		rnd_regs(&p, &s);
		s.gas = 1000;

		sem_z3_pre pre = { .ra = in->ra, .rb = in->rb, .rd = in->rd };
		for (int r = 0; r < PVM_NUM_REGS; r++) pre.regs[r] = bvnum(s.regs[r], 64);
		pre.mem = Z3_mk_const_array(ctx, b32, bvnum(0, 8));
		for (uint32_t a = PAGE_RW + WIN_LO; a < PAGE_RW + WIN_HI; a++) {
			uint8_t b;
			pvm_mem_peek(s.mem, a, &b, 1);
			pre.mem = Z3_mk_store(ctx, pre.mem, bvnum(a, 32), bvnum(b, 8));
		}
		pre.imm = bvnum(in->imm, 64);
		pre.imm2 = bvnum(in->imm2, 64);
		pre.target = bvnum(in->target, 32);
		pre.pc = bvnum(in->pc, 32);
		pre.next = bvnum(in->next, 32);
		pre.gas = bvnum((uint64_t)s.gas, 64);
		Z3_ast no = Z3_mk_false(ctx), yes = Z3_mk_true(ctx);
		pre.readable = Z3_mk_const_array(ctx, b20, no);
		pre.writable = Z3_mk_const_array(ctx, b20, no);
		for (uint32_t pg = PAGE_RW; pg <= PAGE_RO; pg += PVM_PAGE) {
			pvm_perm pm = pvm_mem_perm(s.mem, pg >> PVM_PAGE_SHIFT);
			Z3_ast pn = bvnum(pg >> PVM_PAGE_SHIFT, 20);
			if (pm != PVM_NONE) pre.readable = Z3_mk_store(ctx, pre.readable, pn, yes);
			if (pm == PVM_WRITE) pre.writable = Z3_mk_store(ctx, pre.writable, pn, yes);
		}
		pre.is_block = Z3_mk_const_array(ctx, b32, no);
		for (uint32_t pc = 0; pc <= p.code_len; pc++)
			if (p.is_block[pc]) pre.is_block = Z3_mk_store(ctx, pre.is_block, bvnum(pc, 32), yes);
		pre.jump_table = Z3_mk_const_array(ctx, b32, bvnum(0, 32));
		for (uint32_t k = 0; k < p.jt_len; k++)
			pre.jump_table = Z3_mk_store(ctx, pre.jump_table, bvnum(k, 32), bvnum(p.jump_table[k], 32));
		pre.jt_len = bvnum(p.jt_len, 32);

		sem_z3_post post;
		pvm_errbuf e;
		bool ok = true;
		if (sem_z3_build(ctx, sp, op, &pre, &post, &e) != SEM_OK) {
			printf("MISMATCH %s: %s\n", name, e.msg);
			ok = false;
		}

		pvm_state c;
		pvm_state_copy(&c, &s);
		pvm_exit x;
		bool exited = sem_exec(sp, &p, in, &c, &x);
		sem_status want = status_of(exited, x);
		bool mem_fault = exited && (si->mem_read || si->mem_write) &&
		                 (x.status == PVM_FAULT || x.status == PVM_PANIC);
		if (ok) {
			EXPECT("status", value(post.status, "status", &ok), want);
			EXPECT("pc", value(post.pc, "pc", &ok), c.pc);
			EXPECT("fault", value(post.fault, "fault", &ok), mem_fault);
			if (want == SEM_FAULT) EXPECT("fault_addr", value(post.fault_addr, "fault_addr", &ok), x.fault_addr);
			if (want == SEM_HOST) EXPECT("host_id", value(post.host_id, "host_id", &ok), x.host_id);
			if (!mem_fault && !post.opaque)
				for (int r = 0; r < PVM_NUM_REGS; r++) {
					char what[16];
					snprintf(what, sizeof what, "r%d", r);
					EXPECT(what, value(post.regs[r], what, &ok), c.regs[r]);
				}
			if (!mem_fault && si->mem_write)
				for (unsigned k = 0; k < post.n_access; k++) {
					uint32_t a0 = (uint32_t)value(post.access[k].addr, "address", &ok);
					for (uint32_t a = a0 - 4; ok && a != a0 + 12; a++) {
						uint8_t b;
						if (!pvm_mem_peek(c.mem, a, &b, 1)) continue;
						EXPECT("memory byte", value(Z3_mk_select(ctx, post.mem, bvnum(a, 32)), "memory", &ok), b);
					}
				}
		}
		if (!ok) {
			printf("  ra=r%u rb=r%u rd=r%u imm=0x%llx imm2=0x%llx target=%u\n", in->ra, in->rb, in->rd,
			       (unsigned long long)in->imm, (unsigned long long)in->imm2, in->target);
			failures++;
		}
		pvm_state_fini(&c);
		pvm_state_fini(&s);
		pvm_program_fini(&p);
		if (failures > 10) return;
	}
}

/* Is `cond` satisfiable? (10 s limit; unknown counts as a failure) */
static bool sat(Z3_solver so, Z3_ast cond, const char *name, const char *what)
{
	Z3_solver_push(ctx, so);
	Z3_solver_assert(ctx, so, cond);
	Z3_lbool r = Z3_solver_check(ctx, so);
	Z3_solver_pop(ctx, so, 1);
	if (r == Z3_L_UNDEF) {
		printf("UNKNOWN %s: %s\n", name, what);
		failures++;
	}
	return r == Z3_L_TRUE;
}

static void check_symbolic(const sem_spec *sp, uint8_t op)
{
	const char *name = pvm_ops[op].name;
	const sem_insn *si = sem_spec_get(sp, op);
	Z3_sort b64 = Z3_mk_bv_sort(ctx, 64), b32 = Z3_mk_bv_sort(ctx, 32);
	sem_z3_pre pre = { .ra = 1, .rb = 2, .rd = 3 };
	for (int r = 0; r < PVM_NUM_REGS; r++) {
		char nm[8];
		snprintf(nm, sizeof nm, "r%d", r);
		pre.regs[r] = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, nm), b64);
	}
	pre.mem = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "mem"), Z3_mk_array_sort(ctx, b32, Z3_mk_bv_sort(ctx, 8)));
	pre.imm = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "imm"), b64);
	pre.imm2 = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "imm2"), b64);
	pre.gas = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "gas"), b64);
	pre.target = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "target"), b32);
	pre.pc = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "pc"), b32);
	pre.next = Z3_mk_const(ctx, Z3_mk_string_symbol(ctx, "next"), b32);
	sem_z3_post post;
	pvm_errbuf e;
	if (sem_z3_build(ctx, sp, op, &pre, &post, &e) != SEM_OK) {
		printf("SYMBOLIC %s: %s\n", name, e.msg);
		failures++;
		return;
	}
	Z3_solver so = Z3_mk_solver(ctx);
	Z3_solver_inc_ref(ctx, so);
	Z3_params pa = Z3_mk_params(ctx);
	Z3_params_inc_ref(ctx, pa);
	Z3_params_set_uint(ctx, pa, Z3_mk_string_symbol(ctx, "timeout"), 10000);
	Z3_solver_set_params(ctx, so, pa);
	bool mem = si->mem_read || si->mem_write;
	if (sat(so, post.fault, name, "fault") != mem ||
	    (mem && !sat(so, Z3_mk_not(ctx, post.fault), name, "no fault"))) {
		printf("SYMBOLIC %s: a fault should be %s\n", name, mem ? "possible and avoidable" : "impossible");
		failures++;
	}
	Z3_ast st[5];
	for (int k = 0; k < 5; k++) st[k] = Z3_mk_eq(ctx, post.status, Z3_mk_unsigned_int64(ctx, k, Z3_mk_bv_sort(ctx, 3)));
	if (post.branch_cond && !(sat(so, st[SEM_CONT], name, "cont") && sat(so, st[SEM_PANIC], name, "panic"))) {
		printf("SYMBOLIC %s: a branch should both continue and panic\n", name);
		failures++;
	}
	if (post.djump_addr && !(sat(so, st[SEM_HALT], name, "halt") && sat(so, st[SEM_CONT], name, "cont"))) {
		printf("SYMBOLIC %s: a djump should both halt and continue\n", name);
		failures++;
	}
	if (!si->control && !mem && sat(so, Z3_mk_not(ctx, st[SEM_CONT]), name, "exit")) {
		printf("SYMBOLIC %s: should always continue\n", name);
		failures++;
	}
	Z3_params_dec_ref(ctx, pa);
	Z3_solver_dec_ref(ctx, so);
}

int main(int argc, char **argv)
{
	long states = 200;
	unsigned lo = 0, hi = 255;
	int rc;
	sem_spec *sp = test_start(argc, argv, "sem_z3", &states, &lo, &hi, &rc);
	if (!sp) return rc;
	int ops = 0;
	for (unsigned oi = 0; oi < PVM_NUM_OPCODES && failures <= 10; oi++) {
		if (oi < lo || oi > hi) continue;
		Z3_config cfg = Z3_mk_config();
		ctx = Z3_mk_context(cfg);
		Z3_del_config(cfg);
		check_opcode(sp, pvm_isa_ops(PVM_ISA_072)[oi], states);
		check_symbolic(sp, pvm_isa_ops(PVM_ISA_072)[oi]);
		Z3_del_context(ctx);
		ops++;
	}
	printf("%d opcodes x %ld states: %ld failures\n", ops, states, failures);
	sem_spec_free(sp);
	return failures ? 1 : 0;
}
