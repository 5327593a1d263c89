/* semantics/engine.c: the `spec` engine: whole programs run by evaluating specs/pvm.yaml.
 * Gas follows DESIGN.md: a region (from an entry point up to and including the first terminator
 * or ecalli, by the spec's own terminator flags) is charged on entry; too little gas exits
 * out-of-gas at the entry pc with nothing changed. Slow by design: it is the reference the other
 * engines are checked against, so it counts regions itself instead of using p->gas_cost. */
#include <stdlib.h>
#include "sem.h"

typedef struct prepared {
	const pvm_program *p;
	sem_spec *sp;
} prepared;

static void *spec_load(const pvm_program *p, pvm_errbuf *e)
{
	sem_spec *sp = sem_spec_load(sem_spec_default_path(), e);
	if (!sp) return NULL;
	if (sem_spec_check_table(sp, e) != SEM_OK) {
		sem_spec_free(sp);
		return NULL;
	}
	prepared *pr = pvm_xmalloc(sizeof *pr);
	pr->p = p;
	pr->sp = sp;
	return pr;
}

static bool ends_region(const sem_spec *sp, unsigned op)
{
	const sem_insn *si = sem_spec_get(sp, op);
	return !si || si->terminator || op == PVM_OP_ecalli;
}

/* Instructions from pc up to and including the first that ends a region (past the code every
 * position is a trap, so the walk ends). */
static uint64_t region_cost(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	uint64_t n = 1;
	for (const pvm_inst *in = pvm_inst_at(p, pc); !ends_region(sp, in->op); in = pvm_inst_at(p, in->next)) n++;
	return n;
}

pvm_exit sem_run(const sem_spec *sp, const pvm_program *p, pvm_state *s)
{
	pvm_exit x = { 0 };
	for (;;) {
		uint64_t cost = region_cost(sp, p, s->pc);
		if (s->gas < 0 || (uint64_t)s->gas < cost) {
			x.status = PVM_OOG;
			return x;
		}
		s->gas -= (int64_t)cost;
		for (;;) {
			const pvm_inst *in = pvm_inst_at(p, s->pc);
			if (sem_exec(sp, p, in, s, &x)) return x;
			if (ends_region(sp, in->op)) break;
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

const pvm_engine sem_engine = { "spec", spec_load, spec_run, spec_free };
