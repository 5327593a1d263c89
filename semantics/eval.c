/* semantics/eval.c: the concrete evaluator: one instruction's spec on a pvm_state.
 * Values are bit-vectors of up to 128 bits held in unsigned __int128, with SMT-LIB's meaning for
 * every operator (division by zero, shifts past the width), so that it agrees with the Z3 terms.
 * Every expression reads the pre-state; effects apply together afterwards, unless a memory
 * access faults (then nothing applies). */
#include <string.h>
#include "sem.h"

typedef struct env {
	uint64_t v[SEM_NUM_OPERANDS];
	const pvm_mem *mem;
	bool fault;
	uint32_t low;   /* lowest offending address when fault */
	const sem_insn *si;
	uint64_t *paths; /* paths taken (bit per si->paths index), or NULL: no tracing */
	bool live;       /* the node being evaluated is selected by every enclosing ite */
} env;

/* Record path (node, kind, outcome) as taken. */
static void hit(env *en, const sem_node *n, sem_path_kind k, unsigned outcome)
{
	if (!en->paths) return;
	for (unsigned i = 0; i < en->si->n_paths && i < 64; i++) {
		const sem_path *p = &en->si->paths[i];
		if (p->node == n && p->kind == k && p->outcome == outcome) {
			*en->paths |= 1ull << i;
			return;
		}
	}
}

/* The case of an access on its own (0 ok, 1 panic: lowest bad byte below 0x10000, 2 fault). */
static unsigned access_case(const pvm_mem *m, uint32_t addr, unsigned n, bool write)
{
	bool bad = false;
	uint32_t low = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = addr + i;
		pvm_perm p = pvm_mem_perm(m, a >> PVM_PAGE_SHIFT);
		if (!(write ? p == PVM_WRITE : p != PVM_NONE) && (!bad || a < low)) {
			low = a;
			bad = true;
		}
	}
	return !bad ? 0 : low < PVM_LOW_LIMIT ? 1 : 2;
}

static sem_u128 mask(int w) { return w >= 128 ? ~(sem_u128)0 : (((sem_u128)1 << w) - 1); }
static bool msb(sem_u128 a, int w) { return (a >> (w - 1)) & 1; }
static sem_u128 neg(sem_u128 a, int w) { return (~a + 1) & mask(w); }
static sem_u128 udiv(sem_u128 a, sem_u128 b, int w) { return b ? a / b : mask(w); }
static sem_u128 urem(sem_u128 a, sem_u128 b) { return b ? a % b : a; }
__extension__ typedef __int128 s128;
static s128 sval(sem_u128 a, int w)
{
	return msb(a, w) ? (s128)(a | ~mask(w)) : (s128)a;
}

/* Access check by DESIGN.md: every byte (wrapping mod 2^32) must be readable, or writable for
 * a store; the lowest offending address is recorded. */
static void check(env *en, uint32_t addr, unsigned n, bool write)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = addr + i;
		pvm_perm p = pvm_mem_perm(en->mem, a >> PVM_PAGE_SHIFT);
		bool ok = write ? p == PVM_WRITE : p != PVM_NONE;
		if (!ok && (!en->fault || a < en->low)) {
			en->low = a;
			en->fault = true;
		}
	}
}

static sem_u128 popcount(sem_u128 a)
{
	return __builtin_popcountll((uint64_t)a) + __builtin_popcountll((uint64_t)(a >> 64));
}

static sem_u128 clz(sem_u128 a, int w)
{
	int n = 0;
	for (int i = w - 1; i >= 0 && !((a >> i) & 1); i--) n++;
	return n;
}

static sem_u128 ctz(sem_u128 a, int w)
{
	int n = 0;
	for (int i = 0; i < w && !((a >> i) & 1); i++) n++;
	return n;
}

/* SMT-LIB bvsdiv / bvsrem / bvsmod, written as in the standard's definitions over bvudiv/bvurem. */
static sem_u128 sdiv(sem_u128 s, sem_u128 t, int w)
{
	bool ms = msb(s, w), mt = msb(t, w);
	if (!ms && !mt) return udiv(s, t, w);
	if (ms && !mt) return neg(udiv(neg(s, w), t, w), w);
	if (!ms && mt) return neg(udiv(s, neg(t, w), w), w);
	return udiv(neg(s, w), neg(t, w), w);
}

static sem_u128 srem(sem_u128 s, sem_u128 t, int w)
{
	bool ms = msb(s, w), mt = msb(t, w);
	if (!ms && !mt) return urem(s, t);
	if (ms && !mt) return neg(urem(neg(s, w), t), w);
	if (!ms && mt) return urem(s, neg(t, w));
	return neg(urem(neg(s, w), neg(t, w)), w);
}

static sem_u128 smod(sem_u128 s, sem_u128 t, int w)
{
	bool ms = msb(s, w), mt = msb(t, w);
	sem_u128 u = urem(ms ? neg(s, w) : s, mt ? neg(t, w) : t);
	if (u == 0 || (!ms && !mt)) return u;
	if (ms && !mt) return (neg(u, w) + t) & mask(w);
	if (!ms && mt) return (u + t) & mask(w);
	return neg(u, w);
}

static sem_u128 rotl(sem_u128 a, sem_u128 b, int w)
{
	unsigned k = (unsigned)(b % (sem_u128)w);
	return k ? ((a << k) | (a >> (w - k))) & mask(w) : a;
}

static sem_u128 load(env *en, uint32_t addr, unsigned n)
{
	check(en, addr, n, false);
	if (en->fault) return 0;
	uint8_t b[8];
	if (!pvm_mem_peek(en->mem, addr, b, n)) return 0;
	sem_u128 v = 0;
	for (unsigned i = n; i-- > 0;) v = (v << 8) | b[i];
	return v;
}

static sem_u128 eval(env *en, const sem_node *n);

/* A traced ite: records its condition's outcome (and which and/or operand alone decides it)
 * when live, and evaluates each arm with its own liveness. */
static sem_u128 eval_ite(env *en, const sem_node *n)
{
	bool live = en->live;
	sem_u128 c = eval(en, n->arg[0]);
	if (live) {
		hit(en, n, SEM_P_IF, c ? 0 : 1);
		const sem_node *cn = n->arg[0];
		if (cn->kind == SEM_K_APP && (cn->op == SEM_AND || cn->op == SEM_OR) && cn->nargs >= 2) {
			bool is_and = cn->op == SEM_AND;
			unsigned odd = 0, which = 0;
			for (unsigned j = 0; j < cn->nargs; j++)
				if ((eval(en, cn->arg[j]) != 0) != is_and) odd++, which = j;
			if (odd == 1) hit(en, n, is_and ? SEM_P_AND : SEM_P_OR, which);
		}
	}
	en->live = live && c;
	sem_u128 a = eval(en, n->arg[1]);
	en->live = live && !c;
	sem_u128 b = eval(en, n->arg[2]);
	en->live = live;
	return c ? a : b;
}

static sem_u128 eval(env *en, const sem_node *n)
{
	if (n->kind == SEM_K_CONST) return n->value;
	if (n->kind == SEM_K_OPERAND) return en->v[n->operand];
	if (n->op == SEM_ITE && en->paths) return eval_ite(en, n);
	/* every argument is evaluated, so a load faults whether or not its value is used (as in Z3) */
	sem_u128 v[8];
	for (unsigned i = 0; i < n->nargs; i++) v[i] = eval(en, n->arg[i]);
	int w = n->nargs ? n->arg[0]->width : 0;
	sem_u128 a = v[0], b = n->nargs > 1 ? v[1] : 0, m = mask(w), r;
	if (en->paths && en->live) {
		switch ((sem_op)n->op) {
		case SEM_BVUDIV: case SEM_BVUREM: case SEM_BVSDIV: case SEM_BVSREM: case SEM_BVSMOD: {
			bool sgn = n->op != SEM_BVUDIV && n->op != SEM_BVUREM;
			hit(en, n, SEM_P_DIV, b == 0 ? 0 : sgn && a == ((sem_u128)1 << (w - 1)) && b == m ? 2 : 1);
			break;
		}
		case SEM_BVSHL: case SEM_BVLSHR: case SEM_BVASHR:
			hit(en, n, SEM_P_SHIFT, b >= (sem_u128)w ? 0 : 1);
			break;
		default:
			break;
		}
	}
	if (n->op == SEM_LOAD && en->paths) hit(en, n, SEM_P_MEM, access_case(en->mem, (uint32_t)a, n->p0, false));
	switch ((sem_op)n->op) {
	case SEM_BVADD: return (a + b) & m;
	case SEM_BVSUB: return (a - b) & m;
	case SEM_BVMUL: return (a * b) & m;
	case SEM_BVUDIV: return udiv(a, b, w);
	case SEM_BVUREM: return urem(a, b);
	case SEM_BVSDIV: return sdiv(a, b, w);
	case SEM_BVSREM: return srem(a, b, w);
	case SEM_BVSMOD: return smod(a, b, w);
	case SEM_BVSHL: return b >= (sem_u128)w ? 0 : (a << b) & m;
	case SEM_BVLSHR: return b >= (sem_u128)w ? 0 : a >> b;
	case SEM_BVASHR:
		if (b >= (sem_u128)w) return msb(a, w) ? m : 0;
		return ((a >> b) | (msb(a, w) ? m & ~(m >> b) : 0)) & m;
	case SEM_BVAND: return a & b;
	case SEM_BVOR: return a | b;
	case SEM_BVXOR: return a ^ b;
	case SEM_ROTL: return rotl(a, b, w);
	case SEM_ROTR: return rotl(a, w - b % (sem_u128)w, w);
	case SEM_BVNOT: return ~a & m;
	case SEM_BVNEG: return neg(a, w);
	case SEM_POPCOUNT: return popcount(a);
	case SEM_CLZ: return clz(a, w);
	case SEM_CTZ: return ctz(a, w);
	case SEM_ULT: return a < b;
	case SEM_ULE: return a <= b;
	case SEM_UGT: return a > b;
	case SEM_UGE: return a >= b;
	case SEM_SLT: return sval(a, w) < sval(b, w);
	case SEM_SLE: return sval(a, w) <= sval(b, w);
	case SEM_SGT: return sval(a, w) > sval(b, w);
	case SEM_SGE: return sval(a, w) >= sval(b, w);
	case SEM_EQ: return a == b;
	case SEM_DISTINCT: return a != b;
	case SEM_AND:
		r = 1;
		for (unsigned i = 0; i < n->nargs; i++) r &= v[i];
		return r;
	case SEM_OR:
		r = 0;
		for (unsigned i = 0; i < n->nargs; i++) r |= v[i];
		return r;
	case SEM_ITE: return a ? b : v[2];
	case SEM_NOT: return !a;
	case SEM_EXTRACT: return (a >> n->p1) & mask(n->width);
	case SEM_CONCAT:
		r = 0;
		for (unsigned i = 0; i < n->nargs; i++) r = (r << n->arg[i]->width) | v[i];
		return r;
	case SEM_ZEXT: return a;
	case SEM_SEXT: return msb(a, w) ? a | (mask(n->width) & ~m) : a;
	case SEM_LOAD: return load(en, (uint32_t)a, n->p0);
	default: return 0; /* effects are not expressions (the loader guarantees it) */
	}
}

void sem_operands(const pvm_inst *in, const pvm_state *s, uint64_t v[SEM_NUM_OPERANDS])
{
	v[SEM_RA] = s->regs[in->ra];
	v[SEM_RB] = s->regs[in->rb];
	v[SEM_RD] = s->regs[in->rd];
	v[SEM_IMM] = in->imm;
	v[SEM_IMM2] = in->imm2;
	v[SEM_TARGET] = in->target;
	v[SEM_PC] = in->pc;
	v[SEM_NEXT] = in->next;
	v[SEM_GAS] = (uint64_t)s->gas;
}

static uint8_t reg_of(const pvm_inst *in, unsigned operand)
{
	return operand == SEM_RA ? in->ra : operand == SEM_RB ? in->rb : in->rd;
}


/* sbrk by pvm.h's contract (GP 0.7.2): size 0 returns heap_top; otherwise the lowest
 * x >= max(heap_base, 0x10000) such that no byte of [x, x+size) is mapped; those pages become
 * writable, heap_top = max(heap_top, x+size), and x is returned; 0 when nothing fits below 2^32.
 * Written apart from pvm_sbrk on purpose: the differential test compares the two. */
static uint64_t sbrk(pvm_state *s, uint64_t size)
{
	if (size == 0) return s->heap_top;
	uint64_t x = s->heap_base > PVM_LOW_LIMIT ? s->heap_base : PVM_LOW_LIMIT;
	while (size <= (1ull << 32) - x) {
		uint64_t first = x >> PVM_PAGE_SHIFT, last = (x + size - 1) >> PVM_PAGE_SHIFT, pn;
		bool mapped = false;
		for (pn = last + 1; pn-- > first;)
			if (pvm_mem_perm(s->mem, (uint32_t)pn) != PVM_NONE) {
				mapped = true;
				break;
			}
		if (!mapped) {
			for (pn = first; pn <= last; pn++)
				pvm_mem_map(s->mem, (uint32_t)(pn << PVM_PAGE_SHIFT), PVM_PAGE, PVM_WRITE);
			uint64_t end = x + size;
			if (end > s->heap_top) s->heap_top = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
			return x;
		}
		x = (pn + 1) << PVM_PAGE_SHIFT;
	}
	return 0;
}

/* sbrk under the peers' break reading (pvm.h PVM_READING_SBRK_BREAK), written apart from
 * pvm_sbrk_break like sbrk above: the break starts at heap_top (without a container: the end of
 * the highest writable page, at least 0x10000); a nonzero size (low 32 bits) returns the break,
 * moves it and makes every page below the new break writable; false (a panic, nothing changed)
 * when the new break would pass the stack's start (heap_limit + 2^16; 2^32 - 1 without one). */
static bool sbrk_break(pvm_state *s, uint64_t size64, uint64_t *out)
{
	uint32_t size = (uint32_t)size64;
	if (s->heap_top == 0 && s->heap_base == 0) {
		uint64_t top = PVM_LOW_LIMIT;
		for (uint64_t pn = PVM_NUM_PAGES; pn-- > PVM_LOW_LIMIT >> PVM_PAGE_SHIFT;)
			if (pvm_mem_perm(s->mem, (uint32_t)pn) == PVM_WRITE) {
				top = (pn + 1) << PVM_PAGE_SHIFT;
				break;
			}
		s->heap_top = top > UINT32_MAX ? UINT32_MAX : (uint32_t)top;
	}
	uint64_t limit = s->heap_limit ? s->heap_limit + (uint64_t)PVM_LOW_LIMIT : UINT32_MAX;
	*out = s->heap_top;
	if (size == 0) return true;
	if (s->heap_top + (uint64_t)size > limit) return false;
	uint64_t end = s->heap_top + (uint64_t)size;
	for (uint64_t pn = (s->heap_top + (uint64_t)PVM_PAGE - 1) >> PVM_PAGE_SHIFT; pn << PVM_PAGE_SHIFT < end; pn++)
		if (pvm_mem_perm(s->mem, (uint32_t)pn) != PVM_WRITE)
			pvm_mem_map(s->mem, (uint32_t)(pn << PVM_PAGE_SHIFT), PVM_PAGE, PVM_WRITE);
	s->heap_top = (uint32_t)end;
	return true;
}

static bool exit_with(pvm_state *s, const pvm_inst *in, pvm_exit *x, pvm_status st)
{
	memset(x, 0, sizeof *x);
	x->status = st;
	s->pc = in->pc;
	return true;
}

bool sem_exec(const sem_spec *sp, const pvm_program *p, const pvm_inst *in, pvm_state *s,
              pvm_exit *x)
{
	return sem_exec_paths(sp, p, in, s, x, NULL);
}

bool sem_exec_paths(const sem_spec *sp, const pvm_program *p, const pvm_inst *in, pvm_state *s,
                    pvm_exit *x, uint64_t *paths)
{
	const sem_insn *si = sem_spec_get_reading(sp, in->op, s->reading);
	if (!si) return exit_with(s, in, x, PVM_PANIC);
	env en = { .mem = s->mem, .si = si, .paths = paths, .live = true };
	if (paths) *paths = 1; /* exec */
	sem_operands(in, s, en.v);

	int set_reg = -1, sbrk_reg = -1;
	bool brk = false; /* the sbrk entry's break reading: (brk REG size) */
	uint64_t set_val = 0, sbrk_size = 0;
	struct { uint32_t addr; unsigned n; uint64_t v; } st[2];
	unsigned n_st = 0;
	const sem_node *ctl = NULL;
	sem_u128 c0 = 0, c1 = 0;
	for (size_t i = 0; i < si->n_effects; i++) {
		const sem_node *ef = si->effects[i];
		switch ((sem_op)ef->op) {
		case SEM_SET:
			set_reg = reg_of(in, ef->arg[0]->operand);
			set_val = (uint64_t)eval(&en, ef->arg[1]);
			break;
		case SEM_SBRK:
		case SEM_BRK:
			brk = ef->op == SEM_BRK;
			sbrk_reg = reg_of(in, ef->arg[0]->operand);
			sbrk_size = (uint64_t)eval(&en, ef->arg[1]);
			break;
		case SEM_STORE:
			st[n_st].addr = (uint32_t)eval(&en, ef->arg[0]);
			st[n_st].v = (uint64_t)eval(&en, ef->arg[1]);
			st[n_st].n = ef->p0;
			hit(&en, ef, SEM_P_MEM, access_case(s->mem, st[n_st].addr, st[n_st].n, true));
			check(&en, st[n_st].addr, st[n_st].n, true);
			n_st++;
			break;
		default:
			ctl = ef;
			if (ef->nargs > 0) c0 = eval(&en, ef->arg[0]);
			if (ef->nargs > 1) c1 = eval(&en, ef->arg[1]);
			break;
		}
	}
	if (en.fault) {
		exit_with(s, in, x, en.low < PVM_LOW_LIMIT ? PVM_PANIC : PVM_FAULT);
		if (x->status == PVM_FAULT) x->fault_addr = en.low & ~(uint32_t)(PVM_PAGE - 1);
		return true;
	}
	if (set_reg >= 0) s->regs[set_reg] = set_val;
	for (unsigned i = 0; i < n_st; i++) {
		uint8_t b[8];
		for (unsigned k = 0; k < st[i].n; k++) b[k] = (uint8_t)(st[i].v >> (8 * k));
		pvm_mem_poke(s->mem, st[i].addr, b, st[i].n);
	}
	if (sbrk_reg >= 0) {
		uint64_t v = 0;
		bool ok = brk ? sbrk_break(s, sbrk_size, &v) : true;
		for (size_t i = 0; i < si->n_effects; i++)
			if (si->effects[i]->op == SEM_SBRK || si->effects[i]->op == SEM_BRK)
				hit(&en, si->effects[i], SEM_P_SBRK, !ok ? 2 : sbrk_size != 0);
		if (!brk) {
			s->regs[sbrk_reg] = sbrk(s, sbrk_size);
		} else {
			if (!ok) return exit_with(s, in, x, PVM_PANIC);
			s->regs[sbrk_reg] = v;
		}
	}

	s->pc = in->next;
	if (!ctl) return false;
	switch ((sem_op)ctl->op) {
	case SEM_TRAP:
		return exit_with(s, in, x, PVM_PANIC);
	case SEM_ECALLI:
		exit_with(s, in, x, PVM_HOST);
		x->host_id = (uint32_t)c0;
		x->next = in->next;
		return true;
	case SEM_BRANCH:
		hit(&en, ctl, SEM_P_BRANCH, !c0 ? 0 : sem_is_block(sp, p, (uint64_t)c1) ? 1 : 2);
		if (!c0) return false;
		if (!sem_is_block(sp, p, (uint64_t)c1)) return exit_with(s, in, x, PVM_PANIC);
		s->pc = (uint32_t)c1;
		return false;
	case SEM_DJUMP: {
		uint64_t a = (uint32_t)c0;
		hit(&en, ctl, SEM_P_DJUMP, a == 0xFFFF0000u ? 0 : a == 0 ? 1 : a > 2ull * p->jt_len ? 2 : (a & 1) ? 3
		                           : !sem_is_block(sp, p, p->jump_table[a / 2 - 1]) ? 4 : 5);
		if (a == 0xFFFF0000u) return exit_with(s, in, x, PVM_HALT);
		if (a == 0 || a > 2ull * p->jt_len || (a & 1) || !sem_is_block(sp, p, p->jump_table[a / 2 - 1]))
			return exit_with(s, in, x, PVM_PANIC);
		s->pc = p->jump_table[a / 2 - 1];
		return false;
	}
	default:
		return false;
	}
}
