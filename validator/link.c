/* validator/link.c: the linking of blocks, proved from the bytes of the whole compiled program
 * (the code that runs), not from the emitter's records. A block proof interprets each rel32
 * exit of its block by what it links to; here that is read from the program: the block's code
 * in the program must be the proved block's bytes, and each rel32 field goes to a block entry,
 * a lifted exit stub or a dispatcher. The jump-table slots are checked against the spec's table.
 * Exit stubs are lifted here too (tv_lift_stub). */
#include <stdlib.h>
#include <string.h>
#include "validator/code.h"
#include "validator/prove.h"
#include "validator/store.h"

struct tv_links {
	bool keyed;            /* with a proof store: digest is the program's (tv_store_program_digest) */
	uint8_t digest[32];
	jit_program *jp;
	const uint8_t *code;
	size_t size, exit_off;
	struct tv_links *twin; /* the program without fusions, when this one has fused pairs */
	uint32_t *entry_pc;    /* sorted by entry offset: the pc of each gas-region entry */
	uint32_t *entry_off;
	size_t n_entries;
	uint32_t *prepaid;     /* per pc: the gas of the chain's blocks after this instruction's (chains) */
	const sem_spec *spec;  /* the costs (NULL: the program's own) */
};

static uint64_t cost_at(const tv_links *L, const pvm_program *p, uint32_t pc)
{
	return L->spec ? tv_region_cost(L->spec, p, pc) : p->gas_cost[pc];
}

/* A chain member (jit.h § chains): a block start the program gives code but no gas-region entry. */
static bool member_at(const tv_links *L, const pvm_program *p, uint32_t pc)
{
	return pc < p->code_len && p->is_start[pc] && p->is_block[pc] && jit_program_entry(L->jp, pc) == UINT32_MAX &&
	       jit_program_code_at(L->jp, pc) != UINT32_MAX;
}

/* The chains as the validator reads them from the compiled program, with the spec's costs: a
 * region whose last instruction falls into a member has the member's chain gas prepaid, the
 * member's cost and what it has prepaid in turn; every instruction of the region has its
 * region's. Nothing here is the JIT's record: a prologue proved against cost + prepaid and exits
 * proved to give prepaid back check the JIT's chains against this. */
static void read_chains(tv_links *L, const pvm_program *p)
{
	L->prepaid = pvm_xcalloc((size_t)p->code_len + 1, sizeof *L->prepaid);
	for (uint32_t pc = p->code_len; pc-- > 0;) {
		if (!p->is_start[pc]) continue;
		const pvm_inst *in = pvm_inst_at(p, pc);
		uint32_t n = in->next;
		if (!pvm_op_ends_region(in->op)) {
			L->prepaid[pc] = n > pc && n <= p->code_len ? L->prepaid[n] : 0;
			continue;
		}
		if (!pvm_op_falls(in->op) || pvm_ops[in->op].ctl == PVM_CTL_HOST || !member_at(L, p, n)) continue;
		uint64_t s = cost_at(L, p, n) + L->prepaid[n];
		L->prepaid[pc] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	}
	/* Latches (jit.h § chains), in pc order: a region whose terminator is a branch back to an
	 * earlier block T and falls into no member, where the program says some gas is prepaid (the
	 * runtime's record: whether it is a latch; how much is the spec's), has T's charge prepaid (T's
	 * cost and what T prepays, final by then: T is before it), and so has every instruction of its
	 * chain, back to the chain's head. The exits check it: the branch must enter T past its
	 * prologue with exactly that (body_of) and the fall give it back (tv_link_exits). */
	for (uint32_t pc = 0; pc < p->code_len; pc++) {
		if (!p->is_start[pc]) continue;
		const pvm_inst *in = pvm_inst_at(p, pc);
		uint32_t t = in->target;
		if (pvm_ops[in->op].ctl != PVM_CTL_BRANCH || t >= pc || !p->is_block[t] || L->prepaid[pc] ||
		    member_at(L, p, in->next) || !jit_program_prepaid(L->jp, pc))
			continue;
		uint64_t k = cost_at(L, p, t) + L->prepaid[t];
		for (uint32_t at = pc + 1; at-- > 0;) { /* the chain's instructions, back to its head's start */
			if (!p->is_start[at]) continue;
			uint64_t s = L->prepaid[at] + k;
			L->prepaid[at] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
			if (p->is_block[at] && !member_at(L, p, at)) break;
		}
	}
}

uint32_t tv_links_prepaid(const tv_links *L, uint32_t pc) { return L && L->prepaid ? L->prepaid[pc] : 0; }

bool tv_links_member(const tv_links *L, const pvm_program *p, uint32_t pc) { return L && member_at(L, p, pc); }

bool tv_links_entry_at(const tv_links *L, uint32_t pc) { return jit_program_entry(L->jp, pc) != UINT32_MAX; }

tv_links *tv_links_new(const tv_opts *o, const pvm_program *p, pvm_errbuf *e)
{
	tv_links *L = pvm_xcalloc(1, sizeof *L);
	jit_features f = tv_variant_features(tv_first_variant(o));
	jit_err je = o->unfused ? jit_program_new_unfused(p, f, &L->jp) : jit_program_new(p, f, &L->jp);
	if (je != JIT_OK) {
		pvm_errf(e, "compile: %s", jit_strerror(je));
		free(L);
		return NULL;
	}
	if (o->store && o->spec) {
		int v = tv_first_variant(o);
		tv_store_program_digest(o->store, o->spec, p, v, tv_variant_features(v), o->reading, o->whole_block,
		                        o->no_cross_check, o->memo, L->digest);
		L->keyed = true;
	}
	L->code = jit_program_code(L->jp, &L->size);
	L->exit_off = jit_program_exit_off(L->jp);
	L->entry_pc = pvm_xmalloc(((size_t)p->code_len + 1) * sizeof *L->entry_pc);
	L->entry_off = pvm_xmalloc(((size_t)p->code_len + 1) * sizeof *L->entry_off);
	/* rows ascend in host offset with guest pc, so entries in pc order are in offset order */
	for (uint32_t pc = 0; pc <= p->code_len; pc++) {
		uint32_t off = jit_program_entry(L->jp, pc);
		if (off == UINT32_MAX) continue;
		L->entry_pc[L->n_entries] = pc;
		L->entry_off[L->n_entries++] = off;
	}
	L->spec = o->spec;
	read_chains(L, p);
	bool chained = false;
	for (uint32_t pc = 0; pc <= p->code_len && !chained; pc++) chained = L->prepaid[pc] != 0;
	if (!o->unfused && (jit_program_has_fusions(L->jp) || chained)) {
		tv_opts ou = *o;
		ou.unfused = true;
		ou.store = NULL; /* (the block's store entry is the fused program's, after both passes) */
		if (!(L->twin = tv_links_new(&ou, p, e))) {
			tv_links_free(L);
			return NULL;
		}
	}
	return L;
}

void tv_links_free(tv_links *L)
{
	if (!L) return;
	tv_links_free(L->twin);
	jit_program_free(L->jp);
	free(L->entry_pc);
	free(L->entry_off);
	free(L->prepaid);
	free(L);
}

const uint8_t *tv_links_digest(const tv_links *L) { return L && L->keyed ? L->digest : NULL; }
const tv_links *tv_links_twin(const tv_links *L) { return L ? L->twin : NULL; }

bool tv_links_tramp(const tv_links *L, jit_tramp *t) { return jit_program_tramp(L->jp, t) == JIT_OK; }

/* The guest pc whose gas-region entry is at host offset off, or UINT32_MAX. */
static uint32_t entry_at(const tv_links *L, uint32_t off)
{
	size_t lo = 0, hi = L->n_entries;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (L->entry_off[mid] < off) lo = mid + 1;
		else hi = mid;
	}
	return lo < L->n_entries && L->entry_off[lo] == off ? L->entry_pc[lo] : UINT32_MAX;
}

static bool is_exit_field(const jit_exit *ex, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		if (i >= ex[k].off && i < (size_t)ex[k].off + 4) return true;
	return false;
}

/* The target of the rel32 field at host offset at. */
static int64_t rel32_target(const tv_links *L, size_t at)
{
	int32_t rel;
	memcpy(&rel, L->code + at, 4);
	return (int64_t)at + 4 + rel;
}

/* Code base of the program in the lifter's address space (only differences matter). */
enum { PROG_BASE = 0x40000000 };

/* What the host offset t is: a stub (kind, pc, what it adds to the gas register) or not. */
static bool stub_at(const tv_links *L, tv_worker *w, int64_t t, uint32_t *kind, uint32_t *pc, uint64_t *gas_add)
{
	if (t < 0 || (size_t)t >= L->size) return false;
	size_t len = L->size - (size_t)t < 32 ? L->size - (size_t)t : 32;
	return tv_lift_stub(w, L->code + t, len, PROG_BASE + (uint64_t)t, PROG_BASE + L->exit_off, kind, pc, gas_add);
}

/* Does host offset t hold the code of the branch at pc's target T past T's gas prologue, with give,
 * the gas prepaid at the branch, exactly what that prologue charges (T's cost and the gas T's
 * chain prepays)? Then the branch runs T's prologue in effect: the gas register is the spec's gas
 * less T's charge, as T's code after its prologue takes it, and T's prologue cannot run out (the
 * spec's gas there is the register plus give, and the register is not negative in paid code).
 * *to: T. */
static bool body_of(const tv_links *L, const pvm_program *p, uint32_t pc, int64_t t, uint64_t give, uint32_t *to)
{
	if (pc >= p->code_len || !p->is_start[pc]) return false;
	uint32_t target = p->inst[pc].target;
	if (target >= p->code_len || !p->is_block[target] || jit_program_entry(L->jp, target) == UINT32_MAX ||
	    (int64_t)jit_program_code_at(L->jp, target) != t)
		return false;
	*to = target;
	return give == cost_at(L, p, target) + (uint64_t)L->prepaid[target];
}

/* Does host offset t hold the step of the latch at pc (jit.h § steps), with give, the gas prepaid at
 * the latch, exactly what the loop head's prologue charges? The step's bytes must be
 * jit_step_compile's, each of its guard's exits must be body_of the latch's (into the head's code
 * past its prologue) and its last jump must go back to t. What the step computes is the step proof's (prove_step.c), which the block proof
 * that links it runs (w->step_latch). *to: the head. */
static bool step_of(const tv_links *L, tv_worker *w, const pvm_program *p, uint32_t pc, int64_t t, uint64_t give,
                    uint32_t *to)
{
	jit_block sb;
	if (t < 0 || (size_t)t >= L->size || jit_step_compile(p, pc, w->feat, &sb) != JIT_OK) return false;
	bool ok = (size_t)t + sb.len <= L->size && sb.n_exits > 1;
	for (size_t i = 0; ok && i < sb.len; i++) ok = is_exit_field(sb.exits, sb.n_exits, i) || L->code[t + i] == sb.bytes[i];
	for (size_t i = 0; ok && i + 1 < sb.n_exits; i++) /* (the guard's: into the head past its prologue) */
		ok = body_of(L, p, pc, rel32_target(L, (size_t)t + sb.exits[i].off), give, to) && *to == sb.entry_pc;
	ok = ok && rel32_target(L, (size_t)t + sb.exits[sb.n_exits - 1].off) == t;
	jit_block_fini(&sb);
	return ok;
}

bool tv_link_exits(const tv_links *L, tv_worker *w, const pvm_program *p, jit_block *blk, int64_t *fall_gas, char *why,
                   size_t n)
{
	*fall_gas = 0;
	/* Block byte i is program byte e + i - skip. A region entered at a block start has its gas
	 * prologue in the program (skip 0). One entered inside a block (the instruction after an
	 * ecalli, where a run resumes) has none: the runtime charges the region's cost in C by the rule
	 * the prologue is proved against (gas < cost: out of gas at pc, nothing changed; else gas -=
	 * cost; jit/runtime.c jit_program_run) and enters the instruction's own code, so the block
	 * after its prologue (skip bytes) must be the program's code there. */
	uint32_t e = jit_program_entry(L->jp, blk->entry_pc);
	size_t skip = 0;
	if (e == UINT32_MAX && blk->n_map && (e = jit_program_code_at(L->jp, blk->entry_pc)) != UINT32_MAX)
		skip = blk->map[0].host_off;
	if (e == UINT32_MAX || e + (blk->len - skip) > L->size) {
		snprintf(why, n, "link: no gas-region entry or code at pc %u in the compiled program", blk->entry_pc);
		return false;
	}
	/* the prepaid gas the runtime adds at an exit or takes at a start (jit_program_run, C): the
	 * chain's, as read here, at every instruction of the block */
	for (size_t k = 0; k < blk->n_map; k++) {
		uint32_t pc = blk->map[k].guest_pc, want = pc <= p->code_len ? L->prepaid[pc] : 0;
		if (jit_program_prepaid(L->jp, pc) != want) {
			snprintf(why, n, "link: the runtime's prepaid gas at pc %u is %u, the chain's %u", pc,
			         jit_program_prepaid(L->jp, pc), want);
			return false;
		}
	}
	for (size_t i = skip; i < blk->len; i++)
		if (!is_exit_field(blk->exits, blk->n_exits, i) && L->code[e + i - skip] != blk->bytes[i]) {
			snprintf(why, n, "link: the program's code for the block at pc %u differs from the proved block at +%zu",
			         blk->entry_pc, i);
			return false;
		}
	/* Falling off the block's end is "continue at the next instruction" in its proof (the next
	 * region's prologue charges it): the program's code right after the block must be the entry
	 * of the region at that pc, or padding before it (a loop head's alignment) that is proved to
	 * fall through and change nothing. */
	if (blk->n_map) {
		uint32_t last = blk->map[blk->n_map - 1].guest_pc;
		const pvm_inst *in = last <= p->code_len && p->is_start[last] ? pvm_inst_at(p, last) : NULL;
		size_t end = e + blk->len - skip;
		bool into_member = in && member_at(L, p, in->next);
		uint32_t next = !in ? UINT32_MAX : into_member ? jit_program_code_at(L->jp, in->next)
		                                                : jit_program_entry(L->jp, in->next);
		/* falling into a region's entry, the gas the chain prepaid goes back first (a latch's
		 * refund: add rsp, prepaid), then any padding; into a member it stays prepaid */
		uint64_t give = in && !into_member ? L->prepaid[last] : 0, add = 0;
		if (in && pvm_op_falls(in->op) && pvm_ops[in->op].ctl != PVM_CTL_HOST &&
		    (next == UINT32_MAX || next < end || next - end > 64 + 8 || /* (padding, a refund) */
		     (next > end && !tv_lift_fall(w, L->code + end, next - end, PROG_BASE + end, &add)) ||
		     (add != give && !give))) {
			snprintf(why, n, "link: the program's code after the block at pc %u is not %sthe gas-region entry (or the "
			         "chain member's code) of pc %u", blk->entry_pc, give ? "a refund of its prepaid gas, then " : "",
			         in->next);
			return false;
		}
		/* a latch's refund of another amount: the proof sees the gas it hands over off by that
		 * (a counterexample where the block falls off its end) */
		if (in && give) *fall_gas = (int64_t)(add - give);
	}
	for (size_t k = 0; k < blk->n_exits; k++) {
		jit_exit *x = &blk->exits[k];
		if (x->off < skip) continue; /* the prologue's out-of-gas exit: the runtime's charge does it */
		int64_t t = rel32_target(L, e + x->off - skip);
		uint32_t to = t >= 0 && t <= UINT32_MAX ? entry_at(L, (uint32_t)t) : UINT32_MAX;
		uint32_t kind, pc;
		uint64_t gas_add, dest;
		uint32_t give = L->prepaid[x->pc <= p->code_len ? x->pc : 0]; /* the chain gas a branch out gives back */
		if (to != UINT32_MAX && !give) { /* a block entry: continue there */
			x->kind = JIT_EXIT_BRANCH;
			x->target = to;
		} else if (give && x->kind == JIT_EXIT_BRANCH && t >= 0 && (size_t)t < L->size &&
		           tv_lift_refund(w, L->code + t, L->size - (size_t)t < 32 ? L->size - (size_t)t : 32,
		                          PROG_BASE + (uint64_t)t, &dest, &gas_add) &&
		           gas_add == give && dest >= PROG_BASE && (to = entry_at(L, (uint32_t)(dest - PROG_BASE))) != UINT32_MAX) {
			/* out of a chain: the refund (add rsp, prepaid ; jmp entry), then the block entry */
			x->kind = JIT_EXIT_BRANCH;
			x->target = to;
		} else if (give && x->kind == JIT_EXIT_BRANCH && step_of(L, w, p, x->pc, t, give, &to)) {
			/* the step of a byte-reduction loop: zero or JIT_STEP_TURNS turns, then the head past
			 * its prologue (as below), which the step proof shows */
			x->kind = JIT_EXIT_BRANCH;
			x->target = to;
			w->step_latch = x->pc;
		} else if (give && x->kind == JIT_EXIT_BRANCH && body_of(L, p, x->pc, t, give, &to)) {
			/* the prepaid gas is exactly the target's charge: past its prologue (a latch's) */
			x->kind = JIT_EXIT_BRANCH;
			x->target = to;
		} else if (to != UINT32_MAX) {
			x->kind = JIT_EXIT_NONE; /* into a block entry with the chain's prepaid gas not given back */
		} else if (x->kind == JIT_EXIT_DJUMP) {
			/* its dispatcher: the proved dispatcher's bytes, its exits stubs of their records */
			jit_block d;
			bool ok = t >= 0 && jit_dispatch_compile(p, x->pc, &d) == JIT_OK && (size_t)t + d.len <= L->size;
			for (size_t i = 0; ok && i < d.len; i++)
				ok = is_exit_field(d.exits, d.n_exits, i) || L->code[t + i] == d.bytes[i];
			for (size_t i = 0; ok && i < d.n_exits; i++)
				ok = stub_at(L, w, rel32_target(L, (size_t)t + d.exits[i].off), &kind, &pc, &gas_add) &&
				     kind == d.exits[i].kind && pc == d.exits[i].pc && gas_add == 0;
			if (t >= 0) jit_block_fini(&d);
			if (!ok) x->kind = JIT_EXIT_NONE;
		} else if (stub_at(L, w, t, &kind, &pc, &gas_add) && kind != JIT_EXIT_NONE && kind < JIT_EXIT_KIND_COUNT &&
		           kind != JIT_EXIT_BRANCH && kind != JIT_EXIT_DJUMP && (kind == JIT_EXIT_OOG || gas_add == 0)) {
			/* a stub hands its kind, its pc and the gas register to the runtime; an out-of-gas
			 * stub (the prologue's) may add to the gas register first: the block proof takes what
			 * the bytes add (jit_exit.arg), not the emitter's record of the cost */
			x->kind = (uint8_t)kind;
			x->pc = pc;
			if (kind == JIT_EXIT_OOG) x->arg = gas_add;
		} else {
			x->kind = JIT_EXIT_NONE; /* goes somewhere no spec outcome names */
		}
	}
	return true;
}

/* A dynamic jump of p (jump_ind) to show a wrong slot with, or NULL. */
static const pvm_inst *some_jump_ind(const pvm_program *p)
{
	for (uint32_t pc = 0; pc <= p->code_len; pc++)
		if (p->is_start[pc] && p->inst[pc].op == PVM_OP_jump_ind) return &p->inst[pc];
	return NULL;
}

tv_verdict tv_prove_table(const tv_opts *o, const tv_links *L, const pvm_program *p, const pvm_vector *v,
                          tv_result *res)
{
	memset(res, 0, sizeof *res);
	res->op = PVM_OP_jump_ind;
	snprintf(res->what, sizeof res->what, "jump-table");
	res->verdict = TV_PROVED;
	for (uint32_t i = 0; i < p->jt_len; i++) {
		uint32_t d = p->jump_table[i], slot = jit_program_jt_slot(L->jp, i);
		bool block = d <= p->code_len && p->is_block[d] && p->is_start[d];
		uint32_t want = block ? jit_program_entry(L->jp, d) : UINT32_MAX;
		if (slot == want && !(block && want == UINT32_MAX)) continue; /* (a block with no entry: a chain member) */
		snprintf(res->detail, sizeof res->detail, "slot %u (pc %u) links to host +%d, not %s", i, d, (int)slot,
		         block ? "the entry of that block" : "nothing (not a block start)");
		res->verdict = TV_CEX;
		/* the state at a dynamic jump that takes slot i, gas for the jump and the target region */
		const pvm_inst *j = some_jump_ind(p);
		if (!j || !v) {
			res->verdict = TV_UNKNOWN;
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, "; no dynamic jump to show it with");
			return res->verdict;
		}
		tv_cex cex;
		memset(&cex, 0, sizeof cex);
		cex.valid = true;
		cex.regs[j->ra] = (uint64_t)(uint32_t)(2 * i + 2 - (uint32_t)j->imm);
		cex.gas = (int64_t)(1 + (block ? tv_region_cost(o->spec, p, d) : 0));
		char path[256];
		snprintf(path, sizeof path, "%s/jump_table_slot%u.json", o->cex_dir ? o->cex_dir : ".", i);
		pvm_vector cv;
		pvm_errbuf e;
		pvm_err err = tv_cex_vector_block(&cex, v, j->pc, UINT64_MAX, path, &cv, &e);
		res->symbolic = false;
		if (!err) cv.isa = p->isa;
		res->verdict = tv_cex_confirm(o, res, err ? NULL : &cv, err ? e.msg : NULL, path);
		if (!err) pvm_vector_fini(&cv);
		return res->verdict;
	}
	snprintf(res->detail, sizeof res->detail, "%u slots, each the entry of its block or empty", p->jt_len);
	return res->verdict;
}

/* Padding, or a latch's refund and padding, lifted: from a fresh state, the len bytes at `code`
 * (address base) must take exactly one way out, falling off their end, with all memory and every
 * register as they were but rsp, which gets a numeral *gas_add added (terms equal after simplify:
 * a proof for every state, as for a stub below). */
bool tv_lift_fall(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t *gas_add)
{
	if (!tv_worker_ready(w)) return false;
	Z3_context z = w->z;
	tv_query q;
	tv_query_init(&q, w);
	lift_state st;
	tv_lift_pre(w, &q, &st);
	lift_result lr;
	if (lift_block(w->lc, code, len, base, NULL, 0, &st, &lr) != LIFT_OK) return false;
	bool ok = lr.nexits == 1 && lr.exits[0].kind == LIFT_EXIT_FALL &&
	          Z3_is_eq_ast(z, Z3_simplify(z, lr.exits[0].cond), Z3_mk_true(z)) &&
	          Z3_is_eq_ast(z, Z3_simplify(z, lr.exits[0].st.mem), Z3_simplify(z, st.mem));
	for (int r = 0; ok && r < LIFT_NGPR; r++)
		ok = r == JIT_GASREG || Z3_is_eq_ast(z, Z3_simplify(z, lr.exits[0].st.gpr[r]), Z3_simplify(z, st.gpr[r]));
	/* rsp after = rsp before + d for a numeral d (as plain_jump below) */
	Z3_ast d = ok ? Z3_simplify(z, Z3_mk_bvsub(z, lr.exits[0].st.gpr[JIT_GASREG], q.gas)) : NULL;
	ok = ok && Z3_is_numeral_ast(z, d) && Z3_get_numeral_uint64(z, d, gas_add) &&
	     Z3_is_eq_ast(z, Z3_simplify(z, lr.exits[0].st.gpr[JIT_GASREG]), Z3_simplify(z, Z3_mk_bvadd(z, q.gas, d)));
	lift_result_fini(&lr);
	return ok;
}

/* The len bytes at code (address base) lifted from a fresh state (*q, *st) into *lr, the query
 * named what_BASE. */
static bool lift_fresh(tv_worker *w, tv_query *q, lift_state *st, lift_result *lr, const uint8_t *code, size_t len,
                       uint64_t base, const char *what)
{
	if (!tv_worker_ready(w)) return false;
	tv_query_init(q, w);
	tv_query_name(w, TV_QK_LINK, "%s_%llx", what, (unsigned long long)base);
	tv_lift_pre(w, q, st);
	return lift_block(w->lc, code, len, base, NULL, 0, st, lr) == LIFT_OK;
}

/* The one way out of lr, lifted from a fresh state (q): a jump taken for every state with r15 and
 * every guest register as they were and rsp as it was plus a numeral *gas_add (terms equal after
 * simplify: Z3's simplifier is sound, so this is a proof, for every state); NULL if not. c gets
 * that claim as equations (cond, r15, rsp, the 13 registers), for the second solver; *nc their
 * count. */
static const lift_exit *plain_jump(tv_worker *w, const tv_query *q, const lift_result *lr, uint64_t *gas_add, Z3_ast *c,
                                   size_t *nc)
{
	Z3_context z = w->z;
	if (lr->nexits != 1 || lr->exits[0].kind != LIFT_EXIT_JUMP) return NULL;
	const lift_exit *le = &lr->exits[0];
	/* rsp after = rsp before + d for a numeral d: the difference simplifies to d, and the sum to
	 * the same term as rsp after (the claim checked below is that equation) */
	Z3_ast d = Z3_simplify(z, Z3_mk_bvsub(z, le->st.gpr[JIT_GASREG], q->gas));
	bool ok = Z3_is_eq_ast(z, Z3_simplify(z, le->cond), Z3_mk_true(z)) &&
	          Z3_is_eq_ast(z, Z3_simplify(z, le->st.gpr[JIT_MEMBASE]), q->mb) &&
	          Z3_is_numeral_ast(z, d) && Z3_get_numeral_uint64(z, d, gas_add) &&
	          Z3_is_eq_ast(z, Z3_simplify(z, le->st.gpr[JIT_GASREG]), Z3_simplify(z, Z3_mk_bvadd(z, q->gas, d)));
	for (int i = 0; ok && i < PVM_NUM_REGS; i++)
		ok = Z3_is_eq_ast(z, Z3_simplify(z, le->st.gpr[jit_reg_map[i]]), q->g[i]);
	if (!ok) return NULL;
	*nc = 0;
	c[(*nc)++] = le->cond;
	c[(*nc)++] = Z3_mk_eq(z, le->st.gpr[JIT_MEMBASE], q->mb);
	c[(*nc)++] = Z3_mk_eq(z, le->st.gpr[JIT_GASREG], Z3_mk_bvadd(z, q->gas, num(z, *gas_add, 64)));
	for (int i = 0; i < PVM_NUM_REGS; i++) c[(*nc)++] = Z3_mk_eq(z, le->st.gpr[jit_reg_map[i]], q->g[i]);
	return le;
}

/* A chain's refund lifted: from a fresh state, the code at `code` (address base) must take exactly
 * one way out, a plain jump (above) to a numeral *dest, adding *gas_add to rsp, with all memory as
 * it was (with --recheck the claim goes to the second solver too). */
bool tv_lift_refund(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t *dest, uint64_t *gas_add)
{
	tv_query q;
	lift_state st;
	lift_result lr;
	if (!lift_fresh(w, &q, &st, &lr, code, len, base, "refund")) return false;
	Z3_context z = w->z;
	Z3_ast c[PVM_NUM_REGS + 4];
	size_t nc;
	const lift_exit *le = plain_jump(w, &q, &lr, gas_add, c, &nc);
	bool ok = le && Z3_is_eq_ast(z, Z3_simplify(z, le->st.mem), Z3_simplify(z, st.mem));
	if (ok) {
		*dest = le->target;
		c[nc++] = Z3_mk_eq(z, le->st.mem, st.mem);
		tv_recheck_claim(w, &q, Z3_mk_and(z, (unsigned)nc, c));
	}
	lift_result_fini(&lr);
	return ok;
}

/* An exit stub lifted: from a fresh state, the code at `code` (address base) must take exactly
 * one way out, a plain jump (above) to exit_addr, having stored two numerals into the context's
 * exit_kind and exit_pc: an out-of-gas stub adds its prologue's cost back to rsp, every other stub
 * adds 0. With --recheck the same claim is re-proved by the second solver (a disagreement makes
 * the block's verdict VALIDATOR-BUG). */
bool tv_lift_stub(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t exit_addr, uint32_t *kind,
                  uint32_t *pc, uint64_t *gas_add)
{
	tv_query q;
	lift_state st;
	lift_result lr;
	if (!lift_fresh(w, &q, &st, &lr, code, len, base, "stub")) return false;
	Z3_context z = w->z;
	Z3_ast c[PVM_NUM_REGS + 5];
	size_t nc;
	const lift_exit *le = plain_jump(w, &q, &lr, gas_add, c, &nc);
	bool ok = le && le->target == exit_addr;
	uint64_t v[2];
	int32_t at[2] = { JIT_CTX(exit_kind), JIT_CTX(exit_pc) };
	Z3_ast rd[2] = { NULL, NULL };
	for (int k = 0; ok && k < 2; k++) {
		Z3_ast a = Z3_mk_bvadd(z, q.mb, num(z, (uint64_t)(int64_t)at[k], 64));
		rd[k] = lift_mem_read(w->lc, le->st.mem, a, 4);
		Z3_ast r = Z3_simplify(z, rd[k]);
		ok = Z3_is_numeral_ast(z, r) && Z3_get_numeral_uint64(z, r, &v[k]);
	}
	if (ok) {
		*kind = (uint32_t)v[0];
		*pc = (uint32_t)v[1];
		/* the claim just shown, as one formula, for the second solver (and --smt2-dir) */
		for (int k = 0; k < 2; k++) c[nc++] = Z3_mk_eq(z, rd[k], Z3_mk_unsigned_int64(z, v[k], Z3_get_sort(z, rd[k])));
		tv_recheck_claim(w, &q, Z3_mk_and(z, (unsigned)nc, c));
	}
	lift_result_fini(&lr);
	return ok;
}
