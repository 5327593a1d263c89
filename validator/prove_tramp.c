/* validator/prove_tramp.c: the trampolines proved on their lifted bytes. Every run of JIT code
 * starts with `enter` and ends with the common exit (jit/jit.h § the trampolines); the template
 * and block proofs start from "guest register i is in host register jit_reg_map[i], r15 = MB" and
 * end at an exit stub, so these four statements close the chain to the C side (jit/runtime.c
 * take_state, give_state). For all values of every symbol below, Z3 finds no state that breaks
 * one (unsat of the negation):
 *
 *  entry   At the call enter(MB, T) (rdi = MB, rsi = T, rsp = S, every other register, flag and
 *          memory byte M[.] anything), the code leaves by one way, a jump to T, with host
 *          register jit_reg_map[i] = ctx.regs[i] (i = 0..12, the 8 bytes at MB + JIT_CTX(regs) +
 *          8i of M), r15 = MB, rsp (the gas register) = ctx.gas, ctx.host_rsp = S - 48, the
 *          caller's rbx, rbp, r12, r13, r14, r15 at S - 8, S - 16, ..., S - 48, ctx.gas
 *          unchanged, and every other byte of memory unchanged (the return address at S, the
 *          whole context but host_rsp, all guest memory).
 *  exit    At the first byte of the common exit (r15 = MB, every other register, flag and byte
 *          anything; H = ctx.host_rsp), the code leaves by one way, a return to the 8 bytes at
 *          H + 48, with ctx.regs[i] = the host register jit_reg_map[i] at the exit (i = 0..12),
 *          ctx.gas = rsp at the exit, rsp = H + 56, r15, r14, r13, r12, rbp, rbx = the 8 bytes
 *          at H, H + 8, ..., H + 40, and every other byte unchanged (exit_kind, exit_pc, guest
 *          memory, the stack).
 *  stub    At an exit stub with any kind K and pc P in its immediates (registers, flags, memory
 *          anything, r15 = MB): it goes to the common exit, and from there it returns as `exit`
 *          says with ctx.exit_kind = K, ctx.exit_pc = P, ctx.regs[i] = the host register
 *          jit_reg_map[i] at the stub, ctx.gas = rsp at the stub. And at an out-of-gas stub with
 *          pc P and cost C in its immediates, in each of its two forms (imm8: C < 128; imm32:
 *          C < 2^31, which the CPU sign-extends as the prologue's sub does): the same with
 *          ctx.exit_kind = OOG and ctx.gas = rsp at the stub + C (mod 2^64): the prologue's
 *          charge given back, so the gas stored is the gas before the prologue.
 *  round   enter(MB, T) as in `entry`, then any code that keeps r15, ctx.host_rsp and the 56
 *  trip    bytes [S - 48, S + 8) and leaves everything else (all other registers, rsp included,
 *          flags, memory) anything, then a stub (K, P), then the common exit: the call returns to
 *          the return address at S with rsp = S + 8, the caller's rbx, rbp, r12-r15, ctx.regs[i]
 *          = the guest registers at the stub, ctx.gas = rsp at the stub, ctx.exit_kind = K,
 *          ctx.exit_pc = P.
 *
 * Assumed: MB as in the template proofs (4 GiB aligned, 2^32 <= MB < 2^46; the context is the
 * sizeof(jit_ctx) bytes below MB); the 56 bytes of the host stack frame ([S - 48, S + 8), or [H,
 * H + 56)) neither wrap nor overlap the context (the frame is on the C stack, the context in the
 * sandbox's own mapping); for the round trip, that the JIT code between keeps r15, the frame and
 * ctx.host_rsp (templates write rsp only as the gas counter, never host_rsp, and write only guest
 * memory and the context's spill and exit fields: an assumption here, not a proof). */
#include <stdarg.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lifter/lift.h"
#include "validator/cex.h"
#include "validator/prove_tramp.h"
#include "validator/smt2.h"
#include "validator/store.h"
#include "validator/z3check.h"

const char *const tv_tramp_names[TV_TRAMP_PARTS] = { "trampoline-entry", "trampoline-exit", "trampoline-stub",
                                                      "trampoline-round-trip" };

enum { BASE = 0x400000, FRAME = 56, MAX_CLAUSES = 512 };
enum { ABI = -1, GAS = PVM_NUM_REGS, OOG_GAS }; /* clause.guest: a host-only fact, the gas/exit fields, or
                                                  the gas at an out-of-gas exit */

/* One fact the code must make true on one of its exits, with the two sides it compares (for the
 * counterexample's detail) and what a guest program sees of it. */
typedef struct clause {
	char name[112];
	Z3_ast cond;            /* the exit is taken */
	Z3_ast holds;           /* Bool */
	Z3_ast lhs, rhs;        /* the compared values (NULL: none to print) */
	int guest;              /* guest register 0..12, GAS (gas, exit kind or pc), ABI (the C side only) */
} clause;

/* A place the trampolines write: [base + lo, base + lo + n). The context and the host stack frame;
 * the query assumes they are apart. */
typedef struct region { Z3_ast base; int64_t lo; uint64_t n; } region;

/* A table from Z3 term ids to terms (open addressing, grows at half full). */
typedef struct table { unsigned *key; Z3_ast *val; size_t cap, n; } table;

typedef struct tq {
	Z3_context z;
	region reg[2];          /* the context, the frame */
	bool crossed;           /* a read was resolved over a write in the other region */
	table memo;             /* resolve's results */
	Z3_ast mem_from, mem_to; /* the round trip: its JIT code's memory, replaced after lifting */
	lift_ctx *lc;
	const jit_tramp *t;
	Z3_ast mb, probe;
	Z3_ast pre[FRAME + 80];
	size_t n_pre;
	clause c[MAX_CLAUSES];
	size_t n;
	char why[256];          /* a lift failure */
	bool full;              /* a fact or an assumption did not fit: no verdict but UNKNOWN */
} tq;

static Z3_ast num(Z3_context z, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, w)); }
static Z3_ast eq(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_eq(z, a, b); }
static Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_and(z, 2, (Z3_ast[]){ a, b }); }
static Z3_ast or2(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_or(z, 2, (Z3_ast[]){ a, b }); }

/* a + d (d may be negative), in the lifter's form (numeral first, simplified). */
static Z3_ast at(tq *q, Z3_ast a, int64_t d)
{
	return d ? Z3_simplify(q->z, Z3_mk_bvadd(q->z, num(q->z, (uint64_t)d, 64), a)) : a;
}
static Z3_ast ctx_at(tq *q, int32_t field) { return at(q, q->mb, field); }
static Z3_ast rd(tq *q, Z3_ast mem, Z3_ast addr, unsigned n) { return lift_mem_read(q->lc, mem, addr, n); }

static void assume(tq *q, Z3_ast c)
{
	if (q->n_pre < sizeof q->pre / sizeof q->pre[0]) q->pre[q->n_pre++] = c;
	else q->full = true;
}

/* [a, a + n) does not wrap past 2^64. */
static Z3_ast no_wrap(Z3_context z, Z3_ast a, uint64_t n) { return Z3_mk_bvule(z, a, num(z, 0 - n, 64)); }
/* [a, a + n) and [b, b + m) neither wrap nor overlap. */
static Z3_ast apart(Z3_context z, Z3_ast a, uint64_t n, Z3_ast b, uint64_t m)
{
	Z3_ast sep = or2(z, Z3_mk_bvule(z, Z3_mk_bvadd(z, a, num(z, n, 64)), b), Z3_mk_bvule(z, Z3_mk_bvadd(z, b, num(z, m, 64)), a));
	return Z3_mk_and(z, 3, (Z3_ast[]){ no_wrap(z, a, n), no_wrap(z, b, m), sep });
}
/* a <= p < a + n */
static Z3_ast inside(Z3_context z, Z3_ast p, Z3_ast a, uint64_t n)
{
	return Z3_mk_bvult(z, Z3_mk_bvsub(z, p, a), num(z, n, 64));
}

static void add(tq *q, Z3_ast cond, int guest, Z3_ast holds, Z3_ast lhs, Z3_ast rhs, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void add(tq *q, Z3_ast cond, int guest, Z3_ast holds, Z3_ast lhs, Z3_ast rhs, const char *fmt, ...)
{
	if (q->n == MAX_CLAUSES) {
		q->full = true;
		return;
	}
	clause *c = &q->c[q->n++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->name, sizeof c->name, fmt, ap);
	va_end(ap);
	c->cond = cond;
	c->guest = guest;
	c->holds = holds ? holds : eq(q->z, lhs, rhs);
	c->lhs = lhs;
	c->rhs = rhs;
}
static void add_eq(tq *q, Z3_ast cond, int guest, Z3_ast lhs, Z3_ast rhs, const char *name)
{
	add(q, cond, guest, NULL, lhs, rhs, "%s", name);
}

/* The sandbox base as the template proofs have it; the context's bytes below it. */
static void assume_mb(tq *q)
{
	Z3_context z = q->z;
	assume(q, eq(z, Z3_mk_extract(z, 31, 0, q->mb), num(z, 0, 32)));
	assume(q, Z3_mk_bvult(z, q->mb, num(z, 1ull << 46, 64)));
	assume(q, Z3_mk_bvuge(z, q->mb, num(z, 1ull << 32, 64)));
}
static Z3_ast ctx_lo(tq *q) { return at(q, q->mb, -(int64_t)sizeof(jit_ctx)); }

static bool lift(tq *q, size_t from, size_t to, const lift_field *f, size_t nf, const lift_state *in, lift_result *out)
{
	if (lift_block(q->lc, q->t->bytes + from, to - from, BASE + from, f, nf, in, out) == LIFT_OK) return true;
	snprintf(q->why, sizeof q->why, "lift: %s", lift_errmsg(q->lc));
	return false;
}

/* An exit of another kind or target than the one expected: it must not be taken. */
static bool expect_exit(tq *q, const lift_exit *e, lift_exit_kind kind, uint64_t target, const char *what)
{
	if (e->kind == kind && (kind == LIFT_EXIT_INDIRECT || e->target == target)) return true;
	add(q, e->cond, ABI, Z3_mk_false(q->z), NULL, NULL, "%s: leaves by a %s to 0x%llx", what,
	    lift_exit_kind_names[e->kind], (unsigned long long)e->target);
	return false;
}

/* A part of memory code may write: [lo, lo + n). */
typedef struct span { Z3_ast lo; uint64_t n; } span;

/* No byte of memory but those in the spans w[0..nw) changed from `before` to `after` (named
 * `what`). When after is before under a chain of stores, as straight-line code leaves it: each
 * store's address lies in a span, which implies it (a byte no store names keeps its value); else
 * the probe: a fresh address outside the spans reads the same before and after. */
static void only_writes(tq *q, Z3_ast cond, Z3_ast after, Z3_ast before, const span *w, size_t nw, const char *what)
{
	Z3_context z = q->z;
	Z3_ast m = after;
	for (;;) {
		if (Z3_is_eq_ast(z, m, before)) break;
		if (Z3_get_ast_kind(z, m) != Z3_APP_AST || Z3_get_decl_kind(z, Z3_get_app_decl(z, Z3_to_app(z, m))) != Z3_OP_STORE) {
			Z3_ast out = Z3_mk_true(z);
			for (size_t k = 0; k < nw; k++) out = and2(z, out, Z3_mk_not(z, inside(z, q->probe, w[k].lo, w[k].n)));
			Z3_ast a = Z3_mk_select(z, after, q->probe), b = Z3_mk_select(z, before, q->probe);
			add(q, cond, ABI, Z3_mk_implies(z, out, eq(z, a, b)), a, b,
			    "every byte of memory but %s unchanged (at the probe address)", what);
			return;
		}
		m = Z3_get_app_arg(z, Z3_to_app(z, m), 0);
	}
	for (m = after; !Z3_is_eq_ast(z, m, before); m = Z3_get_app_arg(z, Z3_to_app(z, m), 0)) {
		Z3_ast a = Z3_get_app_arg(z, Z3_to_app(z, m), 1), in = Z3_mk_false(z);
		for (size_t k = 0; k < nw; k++) in = or2(z, in, inside(z, a, w[k].lo, w[k].n));
		add(q, cond, ABI, in, a, NULL, "writes no byte of memory but %s (a write at an address outside)", what);
	}
}

/* Who the common exit returns to. NULL caller: as the frame says (the `exit` and `stub` parts:
 * H = ctx.host_rsp of x's memory, the return address at H + 48, the callee-saved registers at H ..
 * H + 40); else the caller of enter (the round trip): its return address at s, rsp = s + 8, its
 * own rbx, rbp, r12-r15. */
typedef struct ret_to { const lift_state *caller; Z3_ast s, m0; } ret_to;

/* The common exit's facts on its exit e, lifted from state x (r15 = MB): the return, the
 * callee-saved registers, ctx.regs[i] = guest[i] (the host registers the guest registers were in),
 * ctx.gas = rsp in x (the gas register), and no other byte of x's memory changed but ctx.regs and
 * ctx.gas (and, after a stub, exit_kind and exit_pc). */
static void exit_facts(tq *q, const lift_exit *e, const lift_state *x, const Z3_ast guest[PVM_NUM_REGS],
                       const ret_to *rt, bool stub, Z3_ast gas_back)
{
	static const enum lift_reg saved[6] = { LIFT_R15, LIFT_R14, LIFT_R13, LIFT_R12, LIFT_RBP, LIFT_RBX };
	Z3_ast h = rd(q, x->mem, ctx_at(q, JIT_CTX(host_rsp)), 8), c = e->cond;
	if (rt->caller) {
		add_eq(q, c, ABI, e->target_term, rd(q, rt->m0, rt->s, 8), "returns to enter's caller (the address at rsp at the call)");
		add_eq(q, c, ABI, e->st.gpr[LIFT_RSP], at(q, rt->s, 8), "rsp = rsp at the call + 8");
		for (int k = 0; k < 6; k++)
			add(q, c, ABI, NULL, e->st.gpr[saved[k]], rt->caller->gpr[saved[k]], "%s = the caller's %s",
			    lift_reg_names[saved[k]], lift_reg_names[saved[k]]);
	} else {
		add_eq(q, c, ABI, e->target_term, rd(q, x->mem, at(q, h, 48), 8), "returns to the address at ctx.host_rsp + 48");
		add_eq(q, c, ABI, e->st.gpr[LIFT_RSP], at(q, h, FRAME), "rsp = ctx.host_rsp + 56");
		for (int k = 0; k < 6; k++)
			add(q, c, ABI, NULL, e->st.gpr[saved[k]], rd(q, x->mem, at(q, h, 8 * k), 8),
			    "%s = the 8 bytes at ctx.host_rsp + %d (where enter pushed it)", lift_reg_names[saved[k]], 8 * k);
	}
	for (int i = 0; i < PVM_NUM_REGS; i++)
		add(q, c, i, NULL, rd(q, e->st.mem, ctx_at(q, JIT_CTX(regs) + 8 * i), 8), guest[i],
		    "ctx.regs[%d] = host %s (guest r%d) at the %s", i, lift_reg_names[jit_reg_map[i]], i, stub ? "stub" : "exit");
	if (gas_back) /* an out-of-gas stub: the prologue's charge given back */
		add_eq(q, c, OOG_GAS, rd(q, e->st.mem, ctx_at(q, JIT_CTX(gas)), 8), Z3_mk_bvadd(q->z, x->gpr[LIFT_RSP], gas_back),
		       "ctx.gas = rsp (the gas register) at the out-of-gas stub + its cost");
	else
		add_eq(q, c, GAS, rd(q, e->st.mem, ctx_at(q, JIT_CTX(gas)), 8), x->gpr[LIFT_RSP],
		       stub ? "ctx.gas = rsp (the gas register) at the stub" : "ctx.gas = rsp (the gas register) at the exit");
	_Static_assert(offsetof(jit_ctx, exit_pc) == offsetof(jit_ctx, exit_kind) + 4, "exit_kind, exit_pc adjacent");
	span w[3] = { { ctx_at(q, JIT_CTX(regs)), 8 * PVM_NUM_REGS }, { ctx_at(q, JIT_CTX(gas)), 8 },
	              { ctx_at(q, JIT_CTX(exit_kind)), 8 } };
	only_writes(q, c, e->st.mem, x->mem, w, stub ? 3 : 2, stub ? "ctx.regs, ctx.gas, exit_kind and exit_pc" : "ctx.regs and ctx.gas");
}

/* A stub lifted from state y, then the common exit from where the stub goes, with the guest
 * registers `guest` (the host registers at the stub); all facts also under `cond`. oog < 0: the
 * stub of any kind, its immediates the symbols K and P: ctx.exit_kind = K, ctx.exit_pc = P and the
 * exit's facts. oog = 0, 1: the out-of-gas stub with an imm8, imm32 cost, its immediates the
 * symbols P and C (C < 128, C < 2^31): ctx.exit_kind = OOG, ctx.exit_pc = P and the exit's facts
 * with ctx.gas = rsp at the stub + C. */
static bool stub_then_exit(tq *q, Z3_ast cond, const lift_state *y, const Z3_ast guest[PVM_NUM_REGS], const ret_to *rt,
                           int oog)
{
	Z3_context z = q->z;
	const jit_tramp *t = q->t;
	static const char *const pc_name[3] = { "exit_pc", "oog8_pc", "oog32_pc" },
	                        *const cost_name[2] = { "oog8_cost", "oog32_cost" };
	Z3_ast k = oog < 0 ? Z3_mk_const(z, Z3_mk_string_symbol(z, "exit_kind"), Z3_mk_bv_sort(z, 32))
	                   : num(z, JIT_EXIT_OOG, 32);
	Z3_ast p = Z3_mk_const(z, Z3_mk_string_symbol(z, pc_name[oog + 1]), Z3_mk_bv_sort(z, 32));
	Z3_ast cost = NULL;
	size_t from = oog < 0 ? t->stub_off : t->oog_off[oog], to = oog < 0 ? t->oog_off[0] : t->oog_off[oog + 1], nf = 2;
	lift_field f[2];
	if (oog < 0) {
		f[0] = (lift_field){ (uint32_t)(t->stub_kind.off - from), 4, k };
		f[1] = (lift_field){ (uint32_t)(t->stub_pc.off - from), 4, p };
	} else {
		cost = Z3_mk_const(z, Z3_mk_string_symbol(z, cost_name[oog]), Z3_mk_bv_sort(z, 64));
		assume(q, Z3_mk_bvult(z, cost, num(z, oog ? 1ull << 31 : 128, 64)));
		f[0] = (lift_field){ (uint32_t)(t->oog_pc[oog].off - from), 4, p };
		/* the cost's field (a mutant's stub has none: C is then in no byte) */
		const jit_imm_field *cf = &t->oog_cost[oog];
		nf = cf->width ? 2 : 1;
		if (cf->width)
			f[1] = (lift_field){ (uint32_t)(cf->off - from), cf->width, Z3_mk_extract(z, 8 * cf->width - 1, 0, cost) };
	}
	lift_result rs;
	if (!lift(q, from, to, f, nf, y, &rs)) return false;
	bool ok = true;
	for (size_t i = 0; ok && i < rs.nexits; i++) {
		lift_exit e = rs.exits[i];
		e.cond = and2(z, cond, e.cond);
		if (!expect_exit(q, &e, LIFT_EXIT_JUMP, BASE + t->exit_off, oog < 0 ? "the stub" : "the out-of-gas stub")) continue;
		lift_result rx;
		if (!(ok = lift(q, t->exit_off, t->stub_off, NULL, 0, &e.st, &rx))) break;
		for (size_t j = 0; j < rx.nexits; j++) {
			lift_exit x = rx.exits[j];
			x.cond = and2(z, e.cond, x.cond);
			if (!expect_exit(q, &x, LIFT_EXIT_INDIRECT, 0, "the common exit")) continue;
			int g = oog < 0 ? GAS : OOG_GAS;
			add_eq(q, x.cond, g, rd(q, x.st.mem, ctx_at(q, JIT_CTX(exit_kind)), 4), k,
			       oog < 0 ? "ctx.exit_kind = the stub's kind" : "ctx.exit_kind = out-of-gas");
			add_eq(q, x.cond, g, rd(q, x.st.mem, ctx_at(q, JIT_CTX(exit_pc)), 4), p, "ctx.exit_pc = the stub's pc");
			exit_facts(q, &x, y, guest, rt, true, cost);
		}
		lift_result_fini(&rx);
	}
	lift_result_fini(&rs);
	return ok;
}

/* A state with every register, flag and byte fresh (named PREFIX_...), r15 = MB; guest[i]: the
 * host register guest register i lives in. */
static void fresh_state(tq *q, lift_state *s, const char *prefix, Z3_ast guest[PVM_NUM_REGS])
{
	lift_state_fresh(q->lc, s, prefix);
	s->gpr[LIFT_R15] = q->mb;
	for (int i = 0; i < PVM_NUM_REGS; i++) guest[i] = s->gpr[jit_reg_map[i]];
}

/* The frame of a run ([H, H + 56) with H = ctx.host_rsp in x's memory) apart from the context. */
static void assume_frame_at_exit(tq *q, const lift_state *x)
{
	Z3_ast h = rd(q, x->mem, ctx_at(q, JIT_CTX(host_rsp)), 8);
	assume(q, apart(q->z, h, FRAME, ctx_lo(q), sizeof(jit_ctx)));
}

/* A fresh state at the exit path (the exit, or a stub before it) with its frame apart from the
 * context, the frame being the query's second region. */
static void exit_state(tq *q, lift_state *x, const char *prefix, Z3_ast guest[PVM_NUM_REGS])
{
	fresh_state(q, x, prefix, guest);
	assume_frame_at_exit(q, x);
	q->reg[1] = (region){ rd(q, x->mem, ctx_at(q, JIT_CTX(host_rsp)), 8), 0, FRAME };
}

static bool build_exit(tq *q)
{
	lift_state x;
	Z3_ast guest[PVM_NUM_REGS];
	exit_state(q, &x, "x", guest);
	lift_result r;
	if (!lift(q, q->t->exit_off, q->t->stub_off, NULL, 0, &x, &r)) return false;
	ret_to rt = { 0 };
	for (size_t i = 0; i < r.nexits; i++)
		if (expect_exit(q, &r.exits[i], LIFT_EXIT_INDIRECT, 0, "the common exit"))
			exit_facts(q, &r.exits[i], &x, guest, &rt, false, NULL);
	lift_result_fini(&r);
	return true;
}

/* The stub of any kind, then the out-of-gas stubs, each from the same fresh state. */
static bool build_stub(tq *q)
{
	lift_state y;
	Z3_ast guest[PVM_NUM_REGS];
	exit_state(q, &y, "y", guest);
	ret_to rt = { 0 };
	bool ok = true;
	for (int oog = -1; ok && oog < 2; oog++) ok = stub_then_exit(q, Z3_mk_true(q->z), &y, guest, &rt, oog);
	return ok;
}

static const enum lift_reg callee_saved[6] = { LIFT_R15, LIFT_R14, LIFT_R13, LIFT_R12, LIFT_RBP, LIFT_RBX };

/* enter from the call enter(MB, T) with rsp = S; `entry`: its facts; else the round trip. */
static bool build_entry(tq *q, bool round_trip)
{
	Z3_context z = q->z;
	const jit_tramp *t = q->t;
	lift_state a;
	lift_state_fresh(q->lc, &a, "c");
	a.gpr[LIFT_RDI] = q->mb;
	Z3_ast s = a.gpr[LIFT_RSP], target = a.gpr[LIFT_RSI], m0 = a.mem, frame = at(q, s, -48);
	assume(q, Z3_mk_bvuge(z, s, num(z, 48, 64)));
	assume(q, apart(z, frame, FRAME, ctx_lo(q), sizeof(jit_ctx)));
	q->reg[1] = (region){ s, -48, FRAME };
	lift_result r;
	if (!lift(q, t->enter_off, t->exit_off, NULL, 0, &a, &r)) return false;
	bool ok = true;
	for (size_t x = 0; ok && x < r.nexits; x++) {
		const lift_exit *e = &r.exits[x];
		Z3_ast c = e->cond;
		if (!expect_exit(q, e, LIFT_EXIT_INDIRECT, 0, "enter")) continue;
		if (round_trip) {
			/* the JIT code between: every register (rsp, the gas counter, included), flag and
			 * byte fresh (memory J), but r15, and the frame and ctx.host_rsp as enter left them:
			 *   memory = λh. ite(h in the frame or in ctx.host_rsp, enter's memory at h, J[h]) */
			lift_state g;
			Z3_ast guest[PVM_NUM_REGS];
			fresh_state(q, &g, "g", guest);
			g.gpr[LIFT_R15] = e->st.gpr[LIFT_R15];
			Z3_ast h = Z3_mk_const(z, Z3_mk_string_symbol(z, "h"), Z3_mk_bv_sort(z, 64));
			Z3_ast kept = or2(z, inside(z, h, frame, FRAME), inside(z, h, ctx_at(q, JIT_CTX(host_rsp)), 8));
			Z3_app hv = Z3_to_app(z, h);
			/* lifted over a plain array (so the lifter's simplifier leaves its reads alone), the
			 * lambda put in its place afterwards */
			q->mem_from = g.mem;
			q->mem_to = Z3_mk_lambda_const(z, 1, &hv, Z3_mk_ite(z, kept, Z3_mk_select(z, e->st.mem, h),
			                                                      Z3_mk_select(z, Z3_mk_const(z, Z3_mk_string_symbol(z, "j_mem"),
			                                                                                  Z3_get_sort(z, g.mem)), h)));
			assume_frame_at_exit(q, &g);
			ret_to rt = { &a, s, m0 };
			ok = stub_then_exit(q, c, &g, guest, &rt, -1);
			continue;
		}
		add_eq(q, c, GAS, e->target_term, target, "jumps to the target (rsi at the call)");
		for (int i = 0; i < PVM_NUM_REGS; i++)
			add(q, c, i, NULL, e->st.gpr[jit_reg_map[i]], rd(q, m0, ctx_at(q, JIT_CTX(regs) + 8 * i), 8),
			    "host %s (guest r%d) at the target = ctx.regs[%d]", lift_reg_names[jit_reg_map[i]], i, i);
		add_eq(q, c, ABI, e->st.gpr[LIFT_R15], q->mb, "r15 = membase (rdi at the call)");
		add_eq(q, c, GAS, e->st.gpr[LIFT_RSP], rd(q, m0, ctx_at(q, JIT_CTX(gas)), 8), "rsp (the gas register) at the target = ctx.gas");
		add_eq(q, c, ABI, rd(q, e->st.mem, ctx_at(q, JIT_CTX(host_rsp)), 8), frame, "ctx.host_rsp = rsp at the call - 48");
		for (int k = 0; k < 6; k++)
			add(q, c, ABI, NULL, rd(q, e->st.mem, at(q, frame, 8 * k), 8), a.gpr[callee_saved[k]],
			    "the 8 bytes at rsp + %d = the caller's %s", 8 * k, lift_reg_names[callee_saved[k]]);
		add_eq(q, c, GAS, rd(q, e->st.mem, ctx_at(q, JIT_CTX(gas)), 8), rd(q, m0, ctx_at(q, JIT_CTX(gas)), 8),
		       "ctx.gas unchanged");
		span w[2] = { { frame, 48 }, { ctx_at(q, JIT_CTX(host_rsp)), 8 } };
		only_writes(q, c, e->st.mem, m0, w, 2, "the 48 bytes below rsp at the call and ctx.host_rsp");
	}
	lift_result_fini(&r);
	return ok;
}

/* ---- reading memory over the trampolines' writes ---------------------------------------------
 * Every address the trampolines write or read is base + numeral with the base the sandbox's (the
 * context) or the frame's. Z3 is slow to see through a hundred stores at such addresses, so every
 * read is resolved over each write here first: same base, equal exactly when the numerals are;
 * bases of the two regions (the context and the frame, both offsets inside their region): never
 * equal under the query's assumption that the regions are apart, and the query itself asks Z3 to
 * refute base1 + c = base2 + d for such offsets, so the unsat that proves the facts proves this
 * step too; anything else (the probe address) becomes ite(i = j, v, the read below). A lambda
 * (the round trip's memory) is read at its body. Every step is an equivalence. */

static size_t table_at(const table *t, unsigned id)
{
	size_t i = (id * 2654435761u) & (t->cap - 1);
	while (t->val[i] && t->key[i] != id) i = (i + 1) & (t->cap - 1);
	return i;
}

static void table_put(table *t, unsigned id, Z3_ast v)
{
	if (2 * (t->n + 1) > t->cap) {
		table g = { pvm_xcalloc(t->cap ? 2 * t->cap : 256, sizeof *g.key), pvm_xcalloc(t->cap ? 2 * t->cap : 256, sizeof *g.val),
		            t->cap ? 2 * t->cap : 256, 0 };
		for (size_t i = 0; i < t->cap; i++)
			if (t->val[i]) {
				size_t j = table_at(&g, t->key[i]);
				g.key[j] = t->key[i];
				g.val[j] = t->val[i];
				g.n++;
			}
		free(t->key);
		free(t->val);
		*t = g;
	}
	size_t i = table_at(t, id);
	t->n += !t->val[i];
	t->key[i] = id;
	t->val[i] = v;
}

/* a as base + c (c the sum of its numeral summands; base a when there are none). */
static Z3_ast split(Z3_context z, Z3_ast a, int64_t *c)
{
	*c = 0;
	if (Z3_get_ast_kind(z, a) != Z3_APP_AST) return a;
	Z3_app ap = Z3_to_app(z, a);
	if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ap)) != Z3_OP_BADD) return a;
	unsigned n = Z3_get_app_num_args(z, ap), k = 0;
	Z3_ast rest[8];
	if (n > 8) return a;
	for (unsigned i = 0; i < n; i++) {
		Z3_ast x = Z3_get_app_arg(z, ap, i);
		uint64_t v;
		if (Z3_is_numeral_ast(z, x) && Z3_get_numeral_uint64(z, x, &v)) *c += (int64_t)v;
		else rest[k++] = x;
	}
	if (k == n) return a;
	return k == 1 ? rest[0] : k ? Z3_mk_bvadd(z, rest[0], rest[1]) : NULL; /* (k > 2 does not occur) */
}

static int region_of(const tq *q, Z3_ast base, int64_t c)
{
	for (int r = 0; r < 2; r++)
		if (q->reg[r].base && Z3_is_eq_ast(q->z, base, q->reg[r].base) && c >= q->reg[r].lo &&
		    (uint64_t)(c - q->reg[r].lo) < q->reg[r].n)
			return r;
	return -1;
}

/* 1: i = j, 0: i != j, -1: not known here. */
static int same_addr(tq *q, Z3_ast i, Z3_ast j)
{
	int64_t ci, cj;
	Z3_ast bi = split(q->z, i, &ci), bj = split(q->z, j, &cj);
	if (bi && bj && Z3_is_eq_ast(q->z, bi, bj)) return ci == cj;
	int ri = bi ? region_of(q, bi, ci) : -1, rj = bj ? region_of(q, bj, cj) : -1;
	if (ri >= 0 && rj >= 0 && ri != rj) {
		q->crossed = true;
		return 0;
	}
	return -1;
}

static Z3_ast resolve(tq *q, Z3_ast t);
static Z3_ast address(tq *q, Z3_ast t) { return Z3_simplify(q->z, resolve(q, t)); }

static Z3_ast read_at(tq *q, Z3_ast a, Z3_ast i)
{
	Z3_context z = q->z;
	if (Z3_get_ast_kind(z, a) == Z3_QUANTIFIER_AST && Z3_is_lambda(z, a))
		return resolve(q, Z3_substitute_vars(z, Z3_get_quantifier_body(z, a), 1, &i));
	if (Z3_get_ast_kind(z, a) == Z3_APP_AST) {
		Z3_app ap = Z3_to_app(z, a);
		Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, ap));
		if (k == Z3_OP_STORE) {
			Z3_ast j = address(q, Z3_get_app_arg(z, ap, 1));
			int same = same_addr(q, i, j);
			if (same == 1) return resolve(q, Z3_get_app_arg(z, ap, 2));
			Z3_ast rest = read_at(q, Z3_get_app_arg(z, ap, 0), i);
			return same == 0 ? rest : Z3_mk_ite(z, eq(z, i, j), resolve(q, Z3_get_app_arg(z, ap, 2)), rest);
		}
		if (k == Z3_OP_ITE)
			return Z3_mk_ite(z, resolve(q, Z3_get_app_arg(z, ap, 0)), read_at(q, Z3_get_app_arg(z, ap, 1), i),
			                 read_at(q, Z3_get_app_arg(z, ap, 2), i));
	}
	return Z3_mk_select(z, a, i);
}

/* concat(extract(w-1, w-8, W), ..., extract(7, 0, W)) of one W of width w (a value read back
 * byte by byte where it was stored): W. NULL otherwise. */
static Z3_ast whole(Z3_context z, Z3_app ap)
{
	unsigned n = Z3_get_app_num_args(z, ap), top = 0;
	Z3_ast w = NULL;
	for (unsigned i = 0; i < n; i++) {
		Z3_ast x = Z3_get_app_arg(z, ap, i);
		if (Z3_get_ast_kind(z, x) != Z3_APP_AST) return NULL;
		Z3_app xa = Z3_to_app(z, x);
		Z3_func_decl d = Z3_get_app_decl(z, xa);
		if (Z3_get_decl_kind(z, d) != Z3_OP_EXTRACT) return NULL;
		unsigned hi = (unsigned)Z3_get_decl_int_parameter(z, d, 0), lo = (unsigned)Z3_get_decl_int_parameter(z, d, 1);
		Z3_ast src = Z3_get_app_arg(z, xa, 0);
		if (!i) {
			w = src;
			top = Z3_get_bv_sort_size(z, Z3_get_sort(z, src));
			if (hi != top - 1) return NULL;
		} else if (!Z3_is_eq_ast(z, src, w) || hi != top - 1) {
			return NULL;
		}
		top = lo;
	}
	return w && top == 0 ? w : NULL;
}

/* t with every read resolved over the writes under it (addresses and conditions simplified, the
 * values not, so that a value stored byte by byte and read back is found whole). */
static Z3_ast resolve(tq *q, Z3_ast t)
{
	Z3_context z = q->z;
	if (!t || Z3_get_ast_kind(z, t) != Z3_APP_AST) return t;
	unsigned id = Z3_get_ast_id(z, t);
	if (q->memo.cap) {
		Z3_ast v = q->memo.val[table_at(&q->memo, id)];
		if (v) return v;
	}
	Z3_app ap = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, ap);
	Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, ap));
	Z3_ast r = t;
	if (k == Z3_OP_SELECT && n == 2) {
		r = read_at(q, Z3_get_app_arg(z, ap, 0), address(q, Z3_get_app_arg(z, ap, 1)));
	} else if (k == Z3_OP_ITE && Z3_get_sort_kind(z, Z3_get_sort(z, t)) != Z3_ARRAY_SORT) {
		Z3_ast c = Z3_simplify(z, resolve(q, Z3_get_app_arg(z, ap, 0)));
		Z3_lbool b = Z3_get_bool_value(z, c);
		r = b == Z3_L_TRUE ? resolve(q, Z3_get_app_arg(z, ap, 1)) : b == Z3_L_FALSE ? resolve(q, Z3_get_app_arg(z, ap, 2))
		  : Z3_mk_ite(z, c, resolve(q, Z3_get_app_arg(z, ap, 1)), resolve(q, Z3_get_app_arg(z, ap, 2)));
	} else if (n && Z3_get_sort_kind(z, Z3_get_sort(z, t)) != Z3_ARRAY_SORT) {
		Z3_ast small[8], *args = n <= 8 ? small : pvm_xmalloc(n * sizeof *args);
		for (unsigned i = 0; i < n; i++) args[i] = resolve(q, Z3_get_app_arg(z, ap, i));
		r = Z3_update_term(z, t, n, args);
		if (args != small) free(args);
		if (k == Z3_OP_CONCAT) {
			Z3_ast w = whole(z, Z3_to_app(z, r));
			if (w) r = w;
		}
	}
	table_put(&q->memo, id, r);
	return r;
}

/* ---- the query and its counterexample ------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void describe(tq *q, Z3_model m, const clause *c, char *out, size_t n)
{
	Z3_context z = q->z;
	int k = snprintf(out, n, "%s fails", c->name);
	uint64_t a, b;
	Z3_ast va, vb;
	if (c->lhs && c->rhs && Z3_model_eval(z, m, c->lhs, true, &va) && Z3_model_eval(z, m, c->rhs, true, &vb) &&
	    Z3_get_numeral_uint64(z, va, &a) && Z3_get_numeral_uint64(z, vb, &b))
		k += snprintf(out + k, k < (int)n ? n - k : 0, ": 0x%llx, not 0x%llx", (unsigned long long)a, (unsigned long long)b);
	Z3_ast pv;
	if (c->lhs && !c->rhs && Z3_model_eval(z, m, c->lhs, true, &va) && Z3_get_numeral_uint64(z, va, &a))
		k += snprintf(out + k, k < (int)n ? n - k : 0, ": 0x%llx", (unsigned long long)a);
	if (strstr(c->name, "probe") && Z3_model_eval(z, m, q->probe, true, &pv) && Z3_get_numeral_uint64(z, pv, &a))
		snprintf(out + k, k < (int)n ? n - k : 0, " (address 0x%llx)", (unsigned long long)a);
}

/* A guest program that shows a failure on guest register r (0 for the gas or the exit's fields):
 * add_imm_64 rr, rr, 1 ; trap, from registers 0x1111 * (i + 1) and gas 1000, or gas 0 when the
 * failure is at an out-of-gas exit (oog: the region does not fit, its stub runs); replayed on
 * both engines. */
static tv_verdict guest_vector(const tv_opts *o, tv_result *res, int r, bool oog)
{
	tv_cex cex;
	memset(&cex, 0, sizeof cex);
	for (int i = 0; i < PVM_NUM_REGS; i++) cex.regs[i] = 0x1111ull * (uint64_t)(i + 1);
	cex.x = 1;
	pvm_inst in = { .op = PVM_OP_add_imm_64, .ra = (uint8_t)r, .rb = (uint8_t)r, .rd = (uint8_t)r };
	char path[256];
	snprintf(path, sizeof path, "%s/%s_r%d%s%s%s.json", o->cex_dir ? o->cex_dir : ".", res->what, r, oog ? "_oog" : "",
	         res->variant == TV_VAR_PORTABLE ? "_portable" : "", res->isa == PVM_ISA_080 ? "_gp080" : "");
	pvm_vector v;
	pvm_errbuf e;
	pvm_err err = tv_cex_vector_template(&cex, &in, (pvm_isa)res->isa, path, &v, &e);
	if (!err) v.reading = res->reading;
	if (!err && oog) v.initial_gas = 0; /* every region costs at least 1 (add_imm_64 ; trap: 2 in GP 0.7.2) */
	tv_verdict verdict = tv_cex_confirm(o, res, err ? NULL : &v, err ? e.msg : NULL, path);
	if (!err) pvm_vector_fini(&v);
	return verdict;
}

/* A trampoline query Z3 found unsat, as built, written with --smt2-dir and re-proved by the second
 * solver with --recheck: false (a VALIDATOR BUG, detail set) when it says sat or fails; its answer
 * is appended to the detail otherwise. */
static bool tramp_second_opinion(const tv_opts *o, Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad,
                                 const char *name, tv_result *res)
{
	if (!o->recheck && !o->smt2_dir) return true;
	char comment[256], why[256] = "", path[4096];
	snprintf(comment, sizeof comment, "; jitproof trampoline query: %s\n; Z3: unsat\n", name);
	char *text = tv_smt2_query(z, pre, n_pre, bad, comment, why, sizeof why);
	int fd = -1;
	if (o->smt2_dir) {
		snprintf(path, sizeof path, "%s/trampoline_%s.smt2", o->smt2_dir, name);
		fd = text ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/jitproof-tramp-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		fd = text ? mkstemp(path) : -1;
	}
	bool written = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	if (fd >= 0 && close(fd)) written = false;
	free(text);
	if (!o->recheck) return true;
	tv_recheck_answer a = written ? tv_recheck_file(o->recheck, path, o->recheck_timeout_ms, why, sizeof why)
	                              : TV_RECHECK_ERROR;
	if (!o->smt2_dir && fd >= 0) unlink(path);
	size_t l = strlen(res->detail);
	if (a == TV_RECHECK_UNSAT || a == TV_RECHECK_UNKNOWN) {
		snprintf(res->detail + l, sizeof res->detail - l, "; %s: %s", o->recheck,
		         a == TV_RECHECK_UNSAT ? "unsat" : "gave up");
		return true;
	}
	snprintf(res->detail, sizeof res->detail, "VALIDATOR BUG: Z3 said unsat, %s says %s: trampoline query %s%s%s",
	         o->recheck, tv_recheck_answer_name(a), name, why[0] ? ": " : "", why);
	return false;
}

static tv_verdict prove_now(const tv_opts *o, const jit_tramp *t, tv_tramp_part k, tv_result *res);

/* From the proof store when it holds the part's key (store.h: the bytes, offsets and stub fields,
 * the revision, variant and reading), else proved (and stored when PROVED). */
tv_verdict tv_prove_tramp(const tv_opts *o, const jit_tramp *t, tv_tramp_part k, tv_result *res)
{
	tv_key key;
	if (o->store) {
		tv_store_key_tramp(o->store, t, (int)k, res->isa, res->variant, res->reading, &key);
		if (tv_store_get(o->store, &key)) {
			snprintf(res->what, sizeof res->what, "%s", tv_tramp_names[k]);
			res->cex_file[0] = 0;
			res->symbolic = false;
			return res->verdict = tv_store_reused(res);
		}
	}
	tv_verdict v = prove_now(o, t, k, res);
	if (o->store && v == TV_PROVED) tv_store_put_result(o->store, &key, res);
	return v;
}

static tv_verdict prove_now(const tv_opts *o, const jit_tramp *t, tv_tramp_part k, tv_result *res)
{
	double t0 = now_ms();
	snprintf(res->what, sizeof res->what, "%s", tv_tramp_names[k]);
	res->detail[0] = res->cex_file[0] = 0;
	res->symbolic = false;
	tv_verdict v = TV_UNKNOWN;
	Z3_config cfg = Z3_mk_config();
	Z3_context z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(z, NULL);
	tq *q = pvm_xcalloc(1, sizeof *q);
	q->z = z;
	q->t = t;
	q->lc = lift_new(z);
	q->mb = Z3_mk_const(z, Z3_mk_string_symbol(z, "membase"), Z3_mk_bv_sort(z, 64));
	q->probe = Z3_mk_const(z, Z3_mk_string_symbol(z, "probe"), Z3_mk_bv_sort(z, 64));
	if (!q->lc) {
		snprintf(res->detail, sizeof res->detail, "could not start Capstone");
		goto out;
	}
	assume_mb(q);
	q->reg[0] = (region){ q->mb, -(int64_t)sizeof(jit_ctx), sizeof(jit_ctx) };
	bool built = k == TV_TRAMP_ENTRY ? build_entry(q, false) : k == TV_TRAMP_EXIT ? build_exit(q)
	           : k == TV_TRAMP_STUB ? build_stub(q) : build_entry(q, true);
	if (!built || q->full) {
		snprintf(res->detail, sizeof res->detail, "%s", built ? "more facts than the query holds" : q->why);
		goto out;
	}
	if (q->mem_from) { /* the round trip's memory between enter and the stub */
		for (size_t i = 0; i < q->n_pre; i++) q->pre[i] = Z3_substitute(z, q->pre[i], 1, &q->mem_from, &q->mem_to);
		for (size_t i = 0; i < q->n; i++) {
			clause *c = &q->c[i];
			c->cond = Z3_substitute(z, c->cond, 1, &q->mem_from, &q->mem_to);
			c->holds = Z3_substitute(z, c->holds, 1, &q->mem_from, &q->mem_to);
			if (c->lhs) c->lhs = Z3_substitute(z, c->lhs, 1, &q->mem_from, &q->mem_to);
			if (c->rhs) c->rhs = Z3_substitute(z, c->rhs, 1, &q->mem_from, &q->mem_to);
		}
	}
	for (size_t i = 0; i < q->n_pre; i++) q->pre[i] = address(q, q->pre[i]);
	for (size_t i = 0; i < q->n; i++) {
		clause *c = &q->c[i];
		c->cond = address(q, c->cond);
		c->holds = address(q, c->holds);
		if (c->lhs) c->lhs = address(q, c->lhs);
		if (c->rhs) c->rhs = address(q, c->rhs);
	}
	if (q->crossed) { /* what justified skipping the other region's writes */
		Z3_ast c1 = Z3_mk_const(z, Z3_mk_string_symbol(z, "offset_ctx"), Z3_mk_bv_sort(z, 64));
		Z3_ast c2 = Z3_mk_const(z, Z3_mk_string_symbol(z, "offset_frame"), Z3_mk_bv_sort(z, 64));
		Z3_ast in1 = inside(z, c1, num(z, (uint64_t)q->reg[0].lo, 64), q->reg[0].n);
		Z3_ast in2 = inside(z, c2, num(z, (uint64_t)q->reg[1].lo, 64), q->reg[1].n);
		Z3_ast meet = eq(z, Z3_mk_bvadd(z, resolve(q, q->reg[0].base), c1), Z3_mk_bvadd(z, resolve(q, q->reg[1].base), c2));
		add(q, Z3_mk_true(z), ABI, Z3_mk_not(z, Z3_mk_and(z, 3, (Z3_ast[]){ in1, in2, meet })), NULL, NULL,
		    "the context and the frame apart (the reads resolved over writes)");
	}
	if (q->full) {
		snprintf(res->detail, sizeof res->detail, "more facts than the query holds");
		goto out;
	}
	Z3_ast *bad = pvm_xmalloc((q->n ? q->n : 1) * sizeof *bad);
	for (size_t i = 0; i < q->n; i++) bad[i] = and2(z, q->c[i].cond, Z3_mk_not(z, q->c[i].holds));
	Z3_ast any = q->n ? Z3_mk_or(z, (unsigned)q->n, bad) : Z3_mk_false(z);
	free(bad);
	Z3_solver s = Z3_mk_solver(z);
	Z3_solver_inc_ref(z, s);
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	if (o->timeout_ms) Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "timeout"), o->timeout_ms);
	if (o->rlimit) Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), o->rlimit);
	Z3_solver_set_params(z, s, p);
	Z3_lbool r = tv_z3_check(z, s, q->pre, q->n_pre, any, NULL, res->detail, sizeof res->detail);
	if (r == Z3_L_FALSE) {
		v = TV_PROVED;
		snprintf(res->detail, sizeof res->detail, "unsat: %zu facts on every path", q->n);
		/* --debug recheck-wrong: the second solver gets the negated formula (the test of a disagreement) */
		Z3_ast f = o->recheck && (o->debug & TV_DEBUG_RECHECK_WRONG) ? Z3_mk_not(z, any) : any;
		if (!tramp_second_opinion(o, z, q->pre, q->n_pre, f, tv_tramp_names[k], res)) v = TV_BUG;
	} else if (r == Z3_L_TRUE) {
		Z3_model m = Z3_solver_get_model(z, s);
		Z3_model_inc_ref(z, m);
		const clause *c = NULL;
		for (size_t i = 0; i < q->n && !c; i++) {
			Z3_ast val;
			if (Z3_model_eval(z, m, and2(z, q->c[i].cond, Z3_mk_not(z, q->c[i].holds)), true, &val) &&
			    Z3_get_bool_value(z, val) == Z3_L_TRUE)
				c = &q->c[i];
		}
		if (c) describe(q, m, c, res->detail, sizeof res->detail);
		else snprintf(res->detail, sizeof res->detail, "VALIDATOR BUG: sat, but no fact fails in the model");
		Z3_model_dec_ref(z, m);
		res->symbolic = true;
		if (!c) {
			v = TV_BUG;
		} else if (c->guest != ABI) {
			v = guest_vector(o, res, c->guest >= GAS ? 0 : c->guest, c->guest == OOG_GAS);
		} else {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, " (only the C caller sees this: no guest vector)");
			v = TV_CEX;
		}
	} else if (!res->detail[0]) {
		snprintf(res->detail, sizeof res->detail, "solver: %s", Z3_solver_get_reason_unknown(z, s));
	}
	Z3_params_dec_ref(z, p);
	Z3_solver_dec_ref(z, s);
out:
	lift_free(q->lc);
	free(q->memo.key);
	free(q->memo.val);
	free(q);
	Z3_del_context(z);
	res->verdict = v;
	res->ms = now_ms() - t0;
	return v;
}
