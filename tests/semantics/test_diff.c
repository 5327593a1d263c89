/* tests/semantics/test_diff.c: differential test, interpreter against the spec evaluator.
 * For every opcode (or the --ops LO-HI range), --states N (default 10000) random and edge states
 * of a one-instruction program run through interp_engine and sem_run; any difference in exit,
 * pc, registers, gas or memory is a failure. The seed is printed; --seed S or SEM_SEED replays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "interp/interp.h"
#include "semantics/sem.h"
#include "prog.h"

enum { K = 20 }; /* states per generated program */

/* Outcome classes that must each occur for the opcode kinds that can produce them. */
enum { O_NEXT = 1, O_FAULT = 2, O_PANIC0 = 4, O_HALT = 8, O_HOST = 16, O_OOG = 32, O_JUMP = 64 };

static unsigned outcome(const pvm_program *p, pvm_exit x, const pvm_state *s)
{
	uint32_t L = p->inst[0].next;
	switch (x.status) {
	case PVM_FAULT: return O_FAULT;
	case PVM_HALT: return O_HALT;
	case PVM_HOST: return O_HOST;
	case PVM_OOG: return O_OOG;
	case PVM_PANIC: return s->pc == 0 ? O_PANIC0 : s->pc == L ? O_NEXT : O_JUMP;
	case PVM_LIMIT: return 0; /* (no run limit is set here) */
	}
	return 0;
}

static void describe(const tinst *t, const pvm_program *p, const pvm_state *s)
{
	const pvm_inst *in = &p->inst[0];
	printf("  %s ra=r%u rb=r%u rd=r%u imm=0x%llx imm2=0x%llx target=%u gas=%lld\n  regs:",
	       pvm_ops[t->op].name, in->ra, in->rb, in->rd, (unsigned long long)in->imm,
	       (unsigned long long)in->imm2, in->target, (long long)s->gas);
	for (int i = 0; i < PVM_NUM_REGS; i++) printf(" %llx", (unsigned long long)s->regs[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	long states = 10000;
	unsigned lo = 0, hi = 255;
	int rc;
	sem_spec *sp = test_start(argc, argv, "sem_diff", &states, &lo, &hi, &rc);
	if (!sp) return rc;
	pvm_errbuf e;

	long total = 0, bad = 0;
	int failed_ops = 0;
	for (unsigned oi = 0; oi < PVM_NUM_OPCODES; oi++) {
		uint8_t op = pvm_isa_ops(PVM_ISA_072)[oi];
		if (oi < lo || oi > hi) continue;
		long mism = 0, n = 0;
		unsigned seen = 0;
		while (n < states) {
			tinst t = rnd_inst(op);
			pvm_program p;
			if (!build_program(&t, &p)) return 1;
			void *ip = interp_engine.load(&p, &e);
			if (!ip) {
				printf("interp load: %s\n", e.msg);
				return 1;
			}
			/* The two memories persist across the K states of a program: each state starts
			 * from equal memories because the previous comparison found them equal (after a
			 * mismatch both are re-cloned), which saves two clones per state. */
			pvm_mem *m = rnd_mem(0xFC0, 0x1040);
			pvm_state base, a, b;
			pvm_state_init(&base);
			pvm_state_init(&a);
			pvm_state_init(&b);
			pvm_mem_free(a.mem);
			pvm_mem_free(b.mem);
			a.mem = pvm_mem_clone(m);
			b.mem = pvm_mem_clone(m);
			for (int k = 0; k < K && n < states; k++, n++) {
				rnd_regs(&p, &base);
				base.gas = rnd_gas();
				base.pc = 0;
				static const uint32_t heaps[] = { 0, 0x20000, 0x30000 };
				base.heap_base = base.heap_top = heaps[rndn(3)];
				pvm_mem *ma = a.mem, *mb = b.mem;
				a = base, b = base;
				a.mem = ma, b.mem = mb;
				pvm_exit xa = interp_engine.run(ip, &a);
				pvm_exit xb = sem_run(sp, &p, &b);
				char why[512];
				if (!pvm_state_compare("interp", &a, xa, "spec", &b, xb, why, sizeof why)) {
					if (mism++ < 3) {
						printf("MISMATCH %s state %ld: %s\n", pvm_ops[op].name, n, why);
						describe(&t, &p, &base);
					}
					pvm_mem_free(a.mem);
					pvm_mem_free(b.mem);
					a.mem = pvm_mem_clone(m);
					b.mem = pvm_mem_clone(m);
				} else {
					seen |= outcome(&p, xa, &a);
				}
			}
			pvm_state_fini(&a);
			pvm_state_fini(&b);
			pvm_state_fini(&base);
			pvm_mem_free(m);
			interp_engine.free(ip);
			pvm_program_fini(&p);
		}
		/* the generator must reach every outcome the opcode can have */
		unsigned need = O_NEXT | O_OOG;
		const pvm_opinfo *o = &pvm_ops[op];
		if (o->acc != PVM_ACC_NOMEM) need |= O_FAULT | O_PANIC0;
		if (o->form == PVM_FORM_OFF || o->form == PVM_FORM_REG_IMM_OFF || o->form == PVM_FORM_REG2_OFF)
			need |= O_JUMP | O_PANIC0;
		if (op == PVM_OP_jump_ind || op == PVM_OP_load_imm_jump_ind) need = O_HALT | O_JUMP | O_PANIC0 | O_OOG;
		if (op == PVM_OP_trap) need = O_PANIC0 | O_OOG;
		if (op == PVM_OP_ecalli) need = O_HOST | O_OOG;
		if (op == PVM_OP_jump) need = O_NEXT | O_JUMP | O_PANIC0 | O_OOG;
		if ((seen & need) != need) {
			printf("COVERAGE %s: outcomes 0x%x, need 0x%x\n", pvm_ops[op].name, seen, need);
			failed_ops++;
		}
		total += n;
		bad += mism;
		if (mism) failed_ops++;
	}
	printf("%ld states, %ld mismatches, %d opcodes failing\n", total, bad, failed_ops);
	sem_spec_free(sp);
	return bad || failed_ops ? 1 : 0;
}
