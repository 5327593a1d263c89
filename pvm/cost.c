/* pvm/cost.c: the GP 0.8.0 gas cost model ϱΔ (A.48-A.64; ISA-NOTES-0.8 §6): a block's cost is
 * the cycle count of a small out-of-order pipeline simulation (decode slots, instruction starts,
 * five execution unit pools, a 32-entry reorder buffer) run over its instructions from the block
 * start to the first terminator, minus 3, at least 1. Static per block start; the data per
 * instruction is cost.def. The same function serves every engine, the JIT and the tools. */
#include <stdlib.h>
#include <string.h>
#include "pvm.h"
#include "mutant.h"

/* Cycle counts of cost.def are plain numbers or MEM/BRANCH; PVM_CYC_##n must expand to n. */
#define PVM_CYC_0 0
#define PVM_CYC_1 1
#define PVM_CYC_2 2
#define PVM_CYC_3 3
#define PVM_CYC_4 4
#define PVM_CYC_6 6
#define PVM_CYC_15 15
#define PVM_CYC_22 22
#define PVM_CYC_25 25
#define PVM_CYC_40 40
#define PVM_CYC_60 60
#define PVM_CYC_100 100

const pvm_costinfo pvm_costs[PVM_NUM_OPS] = {
#define PVM_COST(name, regs, cyc, dkind, d1, d2, a, l, s, m, d) \
	[PVM_OP_##name] = { 1, PVM_RW_##regs, PVM_CYC_##cyc, PVM_D_##dkind, d1, d2, { a, l, s, m, d } },
#include "cost.def"
#undef PVM_COST
};

enum { DECODE_SLOTS = 4, STARTS = 5, ROB_SIZE = 32, REFUND = 3, BRANCH_HINTED = 1,
       BRANCH_UNHINTED = 20 };
enum { DEC, WAIT, EXE, FIN, RETIRED };
static const uint8_t units_total[5] = { 4, 4, 4, 1, 1 };

typedef struct entry {
	uint8_t state;
	uint8_t ndeps;
	uint16_t regs;         /* registers this entry will produce (bit r) */
	uint32_t left;         /* cycles still to run */
	uint32_t deps[2];      /* each register has at most one producing entry, and src ≤ 2 regs */
	const uint8_t *need;   /* 5 unit counts */
} entry;

/* Source and destination register sets of an instruction in the model (§6.5). */
static void regsets(const pvm_inst *in, unsigned rw, uint16_t *src, uint16_t *dst)
{
	uint16_t a = (uint16_t)(1u << in->ra), b = (uint16_t)(1u << in->rb), d = (uint16_t)(1u << in->rd);
	switch (rw) {
	case PVM_RW_WA: *src = 0; *dst = a; break;
	case PVM_RW_RA: *src = a; *dst = 0; break;
	case PVM_RW_RA_WD: *src = a; *dst = d; break;
	case PVM_RW_RAB: *src = a | b; *dst = 0; break;
	case PVM_RW_RB_WA: *src = b; *dst = a; break;
	case PVM_RW_RAB_WD: *src = a | b; *dst = d; break;
	default: *src = *dst = 0; break;
	}
}

static uint8_t code_byte(const pvm_program *p, uint64_t i)
{
	return i < p->code_len ? p->code[i] : 0;
}

/* b (A.64): a branch is hinted when the byte at its fall-through or at its target is `trap` or
 * `unlikely` (raw bytes, code padded with zeros). A target below 0 has wrapped mod 2^32 and so
 * lies past the code: hinted, as PolkaVM does (the text leaves it undefined, §6.5). */
static bool hint_at(const pvm_program *p, uint64_t i)
{
	if (i >= p->code_len) return true; /* the zero padding: the byte of trap */
	int op = pvm_op_decode(p->isa, code_byte(p, i));
	return op == PVM_OP_trap || op == PVM_OP_unlikely;
}

static bool hinted(const pvm_program *p, const pvm_inst *in)
{
	return hint_at(p, in->next) || hint_at(p, in->target);
}

uint32_t pvm_block_cost(const pvm_program *p, uint32_t s)
{
	size_t cap = 64, n = 0, head = 0; /* entries [0, head) are RETIRED (retirement is in order) */
	entry *rob = pvm_xmalloc(cap * sizeof *rob);
	uint8_t units[5];
	memcpy(units, units_total, sizeof units);
	uint64_t ip = s;
	bool none = false;
	uint32_t cycles = 0, dec_left = DECODE_SLOTS, start_left = STARTS;
	for (;;) {
		/* 1. decode */
		if (!none && n - head < ROB_SIZE) {
			const pvm_inst *in = pvm_inst_at(p, ip > UINT32_MAX ? UINT32_MAX : (uint32_t)ip);
			const pvm_costinfo *c = &pvm_costs[in->op];
			uint16_t src, dst;
			regsets(in, c->rw, &src, &dst);
			unsigned ds = c->dkind == PVM_D_P ? ((src & dst) ? c->d1 : c->d2) :
			              c->dkind == PVM_D_PS ? (in->ra == in->rd ? c->d1 : c->d2) : c->d1;
			if (ds <= dec_left) {
				if (in->op == PVM_OP_move_reg) {
					for (size_t j = 0; j < n; j++) {
						if (rob[j].regs & src) rob[j].regs |= dst;
						else rob[j].regs &= (uint16_t)~dst;
					}
					ip = in->next;
					dec_left -= 1;
					continue;
				}
				if (n == cap) {
					cap *= 2;
					rob = pvm_xrealloc(rob, cap * sizeof *rob);
				}
				entry *e = &rob[n];
				e->ndeps = 0;
				for (size_t j = 0; j < n; j++)
					if (rob[j].regs & src) e->deps[e->ndeps++] = (uint32_t)j;
				for (size_t j = 0; j < n; j++) rob[j].regs &= (uint16_t)~dst;
				e->state = DEC;
				e->regs = dst;
				e->need = c->units;
				/* the row's cycles (a mutant may break one row: pvm/mutants.def, class gas-model) */
				uint32_t cyc = (uint32_t)pvm_mutant_hook_op(PVM_HOOK_cost_cycles, in->op, c->cycles);
				e->left = cyc == PVM_CYC_MEM ? PVM_MEM_LATENCY :
				          cyc == PVM_CYC_BRANCH ? (hinted(p, in) ? BRANCH_HINTED : BRANCH_UNHINTED) :
				          cyc;
				n++;
				dec_left -= ds;
				if (pvm_op_is_term(in->op)) none = true;
				else ip = in->next;
				continue;
			}
		}
		/* 2. start the lowest-index ready entry */
		if (start_left > 0) {
			size_t j = head;
			for (; j < n; j++) {
				entry *e = &rob[j];
				if (e->state != WAIT) continue;
				bool ok = true;
				for (int u = 0; u < 5 && ok; u++) ok = e->need[u] <= units[u];
				for (unsigned k = 0; k < e->ndeps && ok; k++) ok = rob[e->deps[k]].left == 0;
				if (ok) break;
			}
			if (j < n) {
				rob[j].state = EXE;
				for (int u = 0; u < 5; u++) units[u] = (uint8_t)(units[u] - rob[j].need[u]);
				start_left--;
				continue;
			}
		}
		/* 3. stop */
		if (none && n == head) break;
		/* 4. end of cycle; every test reads the state from before this step */
		cycles++;
		dec_left = DECODE_SLOTS;
		start_left = STARTS;
		bool done_before = true; /* every earlier entry was FIN or RETIRED */
		size_t new_head = head;
		for (size_t j = head; j < n; j++) {
			entry *e = &rob[j];
			uint8_t old = e->state;
			if (old == EXE && e->left == 1)
				for (int u = 0; u < 5; u++) units[u] = (uint8_t)(units[u] + e->need[u]);
			if (done_before && old == FIN) {
				e->state = RETIRED;
				new_head = j + 1;
			} else {
				done_before = false;
				if (old == DEC) e->state = WAIT;
				else if (old == EXE && e->left == 0) e->state = FIN;
			}
			if (old == EXE && e->left > 0) e->left--;
		}
		head = new_head;
	}
	free(rob);
	return cycles > REFUND + 1 ? cycles - REFUND : 1;
}

uint32_t pvm_block_of(const pvm_program *p, uint32_t pc)
{
	if (pc > p->code_len) pc = p->code_len;
	for (uint32_t x = pc + 1; x-- > 0;)
		if (p->is_block[x]) return x;
	return UINT32_MAX;
}
