/* semantics/engine.c: the `spec` engine: whole programs run by evaluating specs/pvm.yaml.
 * Gas follows DESIGN.md: a region (from an entry point up to and including the first terminator
 * or ecalli, p->gas_cost) is charged on entry; too little gas exits out-of-gas at the entry pc
 * with nothing changed. Slow by design: it is the reference the other engines are checked against. */
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
	prepared *pr = malloc(sizeof *pr);
	if (!pr) {
		pvm_errf(e, "out of memory");
		sem_spec_free(sp);
		return NULL;
	}
	pr->p = p;
	pr->sp = sp;
	return pr;
}

pvm_exit sem_run(const sem_spec *sp, const pvm_program *p, pvm_state *s)
{
	pvm_exit x = { 0 };
	for (;;) {
		uint32_t cost = s->pc <= p->code_len ? p->gas_cost[s->pc] : 1;
		if (s->gas < (int64_t)cost) {
			x.status = PVM_OOG;
			return x;
		}
		s->gas -= cost;
		for (;;) {
			const pvm_inst *in = pvm_inst_at(p, s->pc);
			if (sem_exec(sp, p, in, s, &x)) return x;
			const sem_insn *si = sem_spec_get(sp, in->op);
			if (!si || si->terminator) break;
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
