/* semantics/engine.c: the `spec` engine: whole programs run by evaluating specs/pvm.yaml, loaded
 * for the program's revision. GP 0.7.2 gas follows DESIGN.md: a region (from an entry point up to
 * and including the first terminator or ecalli, by the spec's own terminator flags) is charged on
 * entry; too little gas exits out-of-gas at the entry pc with nothing changed (the peers' reading,
 * PVM_READING_GAS_INSN: 1 before each instruction, out of gas at the first unpaid one). GP 0.8.0 runs Ψ_1
 * step by step as the text reads (ISA-NOTES-0.8 §3, §4): v_loc, the charge of L(ı)'s block when
 * the gas-charged flag is clear, the instruction, the flag update. Slow by design: it is the
 * reference the other engines are checked against, so it decodes every instruction itself
 * (semantics/decode.c, not the decoder's p->inst, is_start, is_block) and finds 0.7.2 regions and
 * 0.8.0 block starts L(ı) itself instead of using p->gas_cost. Shared with the other engines:
 * the cost of a 0.8.0 block (the one model, pvm_block_cost) and 0.8.0 prevalidation (p->invalid). */
#include <stdlib.h>
#include "sem.h"

typedef struct prepared {
	const pvm_program *p;
	sem_spec *sp;
} prepared;

static void *spec_load(const pvm_program *p, pvm_errbuf *e)
{
	sem_spec *sp = sem_spec_load_isa(sem_spec_default_path(), p->isa, e);
	if (!sp) return NULL;
	if (sem_spec_check_table(sp, p->isa, e) != SEM_OK) {
		sem_spec_free(sp);
		return NULL;
	}
	prepared *pr = pvm_xmalloc(sizeof *pr);
	pr->p = p;
	pr->sp = sp;
	return pr;
}

/* The spec's terminator flags equal the table's (sem_spec_check_table at load). */
static bool ends_region(const sem_spec *sp, unsigned op)
{
	return !sem_spec_get(sp, op) || pvm_op_ends_region(op);
}

/* Instructions from pc up to and including the first that ends a region (past the code every
 * position is a trap, so the walk ends). */
static uint64_t region_cost(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	uint64_t n = 1;
	for (pvm_inst in = sem_decode(sp, p, pc); !ends_region(sp, in.op); in = sem_decode(sp, p, in.next)) n++;
	return n;
}

/* GP 0.8.0: one step of Ψ_1 per iteration; fn (if any) as sem_run_trace's (an out-of-gas block
 * entry reports the `oog` path of the instruction at ı). */
static pvm_exit run_080(const sem_spec *sp, const pvm_program *p, pvm_state *s, sem_trace_fn fn, void *ctx)
{
	pvm_exit x = { 0 };
	for (;;) {
		uint32_t pc = s->pc;
		/* deblob(p, ı): prevalidation and v_loc; failing, Ψ panics with the state unchanged */
		if (p->invalid[0] || !sem_is_instruction(p, pc)) {
			x.status = PVM_PANIC;
			return x;
		}
		if (!s->gas_charged) { /* A.8: the whole block holding ı, measured from its start L(ı) */
			uint32_t start = sem_block_of(sp, p, pc);
			uint64_t cost = start == UINT32_MAX ? 0 : pvm_block_cost(p, start);
			if (s->gas < 0 || (uint64_t)s->gas < cost) {
				if (fn) fn(ctx, pc, sem_decode(sp, p, pc).op, 1ull << 1); /* paths[1] is `oog` */
				x.status = PVM_OOG;
				return x;
			}
			s->gas -= (int64_t)cost;
			s->gas_charged = true;
		}
		pvm_inst in = sem_decode(sp, p, pc);
		uint64_t taken = 0;
		bool done = sem_exec_paths(sp, p, &in, s, &x, fn ? &taken : NULL);
		if (fn) fn(ctx, pc, in.op, taken);
		if (done) return x; /* an exit keeps the flag (A.11) */
		if (sem_spec_get(sp, in.op)->terminator) s->gas_charged = false;
	}
}

pvm_exit sem_run(const sem_spec *sp, const pvm_program *p, pvm_state *s)
{
	return sem_run_trace(sp, p, s, NULL, NULL);
}

pvm_exit sem_run_trace(const sem_spec *sp, const pvm_program *p, pvm_state *s, sem_trace_fn fn, void *ctx)
{
	pvm_exit x = { 0 };
	if (p->isa == PVM_ISA_080) return run_080(sp, p, s, fn, ctx);
	if (s->reading & PVM_READING_GAS_INSN) /* the peers' reading: 1 gas before each instruction */
		for (;;) {
			pvm_inst in = sem_decode(sp, p, s->pc);
			if (s->gas < 1) {
				if (fn) fn(ctx, s->pc, in.op, 1ull << 1);
				x.status = PVM_OOG;
				return x;
			}
			s->gas -= 1;
			uint64_t taken = 0;
			uint32_t pc = s->pc;
			bool done = sem_exec_paths(sp, p, &in, s, &x, fn ? &taken : NULL);
			if (fn) fn(ctx, pc, in.op, taken);
			if (done) return x;
		}
	for (;;) {
		uint64_t cost = region_cost(sp, p, s->pc);
		if (s->gas < 0 || (uint64_t)s->gas < cost) {
			if (fn) fn(ctx, s->pc, sem_decode(sp, p, s->pc).op, 1ull << 1); /* paths[1] is `oog` */
			x.status = PVM_OOG;
			return x;
		}
		s->gas -= (int64_t)cost;
		for (;;) {
			uint32_t pc = s->pc;
			pvm_inst in = sem_decode(sp, p, pc);
			uint64_t taken = 0;
			bool done = sem_exec_paths(sp, p, &in, s, &x, fn ? &taken : NULL);
			if (fn) fn(ctx, pc, in.op, taken);
			if (done) return x;
			if (ends_region(sp, in.op)) break;
		}
	}
}

static pvm_exit spec_run(void *prep, pvm_state *s)
{
	const prepared *pr = prep;
	return sem_run(pr->sp, pr->p, s);
}

static void spec_free(void *prep)
{
	prepared *pr = prep;
	if (!pr) return;
	sem_spec_free(pr->sp);
	free(pr);
}

const pvm_engine sem_engine = { "spec", spec_load, spec_run, spec_free, NULL };
