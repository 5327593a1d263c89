/* semantics/paths.c: the cases ("paths") of each instruction's spec, derived from its AST, and
 * the Z3 condition under which an instruction takes each one. The concrete evaluator (eval.c)
 * reports the same paths when it runs, so coverage (`showmap --domain spec`) and the Z3 seeds
 * (`seeds`) speak of one list. The list and its order depend only on the spec text. */
#include <stdio.h>
#include <string.h>
#include "sem.h"

typedef struct builder {
	sem_path *out;
	unsigned n;
	unsigned n_if, n_div, n_sh, n_mem;
} builder;

static void add(builder *b, const sem_node *node, sem_path_kind k, unsigned outcome, const char *fmt, unsigned idx,
                const char *tail)
{
	if (b->n < SEM_MAX_PATHS) {
		sem_path *p = &b->out[b->n];
		p->kind = (uint8_t)k;
		p->outcome = (uint8_t)outcome;
		p->node = node;
		snprintf(p->name, sizeof p->name, fmt, idx, tail);
	}
	b->n++;
}

static bool is_div(unsigned op)
{
	return op == SEM_BVUDIV || op == SEM_BVUREM || op == SEM_BVSDIV || op == SEM_BVSREM || op == SEM_BVSMOD;
}

static bool is_signed_div(unsigned op) { return op == SEM_BVSDIV || op == SEM_BVSREM || op == SEM_BVSMOD; }

static bool is_shift(unsigned op) { return op == SEM_BVSHL || op == SEM_BVLSHR || op == SEM_BVASHR; }

static void visit(builder *b, const sem_node *n)
{
	if (n->kind != SEM_K_APP) return;
	switch ((sem_op)n->op) {
	case SEM_ITE: {
		unsigned k = b->n_if++;
		add(b, n, SEM_P_IF, 0, "if%u_%s", k, "t");
		add(b, n, SEM_P_IF, 1, "if%u_%s", k, "f");
		const sem_node *c = n->arg[0];
		if (c->kind == SEM_K_APP && (c->op == SEM_AND || c->op == SEM_OR) && c->nargs >= 2)
			for (unsigned j = 0; j < c->nargs; j++) {
				char tail[8];
				snprintf(tail, sizeof tail, "%c%u", c->op == SEM_AND ? 'a' : 'o', j);
				add(b, n, c->op == SEM_AND ? SEM_P_AND : SEM_P_OR, j, "if%u_%s", k, tail);
			}
		break;
	}
	case SEM_LOAD:
	case SEM_STORE: {
		unsigned k = b->n_mem++;
		add(b, n, SEM_P_MEM, 0, "mem%u_%s", k, "ok");
		add(b, n, SEM_P_MEM, 1, "mem%u_%s", k, "panic");
		add(b, n, SEM_P_MEM, 2, "mem%u_%s", k, "fault");
		break;
	}
	case SEM_BRANCH:
		add(b, n, SEM_P_BRANCH, 0, "br%.0u_%s", 0, "not");
		add(b, n, SEM_P_BRANCH, 1, "br%.0u_%s", 0, "taken");
		add(b, n, SEM_P_BRANCH, 2, "br%.0u_%s", 0, "panic");
		break;
	case SEM_DJUMP: {
		static const char *const dj[] = { "halt", "zero", "past", "odd", "notblock", "ok" };
		for (unsigned i = 0; i < 6; i++) add(b, n, SEM_P_DJUMP, i, "dj%.0u_%s", 0, dj[i]);
		break;
	}
	case SEM_SBRK:
		add(b, n, SEM_P_SBRK, 0, "sbrk%.0u_%s", 0, "zero");
		add(b, n, SEM_P_SBRK, 1, "sbrk%.0u_%s", 0, "size");
		break;
	case SEM_BRK:
		add(b, n, SEM_P_SBRK, 0, "brk%.0u_%s", 0, "zero");
		add(b, n, SEM_P_SBRK, 1, "brk%.0u_%s", 0, "size");
		add(b, n, SEM_P_SBRK, 2, "brk%.0u_%s", 0, "panic");
		break;
	default:
		if (is_div(n->op)) {
			unsigned k = b->n_div++;
			add(b, n, SEM_P_DIV, 0, "div%u_%s", k, "zero");
			add(b, n, SEM_P_DIV, 1, "div%u_%s", k, "norm");
			if (is_signed_div(n->op)) add(b, n, SEM_P_DIV, 2, "div%u_%s", k, "ovf");
		} else if (is_shift(n->op)) {
			unsigned k = b->n_sh++;
			add(b, n, SEM_P_SHIFT, 0, "sh%u_%s", k, "big");
			add(b, n, SEM_P_SHIFT, 1, "sh%u_%s", k, "in");
		}
		break;
	}
	for (unsigned i = 0; i < n->nargs; i++) visit(b, n->arg[i]);
}

unsigned sem_paths_build(const sem_insn *si, sem_path *out)
{
	builder b = { .out = out };
	add(&b, NULL, SEM_P_EXEC, 0, "exec%.0u%s", 0, "");
	add(&b, NULL, SEM_P_OOG, 0, "oog%.0u%s", 0, "");
	for (size_t i = 0; i < si->n_effects; i++) visit(&b, si->effects[i]);
	return b.n;
}

int sem_path_find(const sem_insn *si, const char *name)
{
	for (unsigned i = 0; i < si->n_paths; i++)
		if (!strcmp(si->paths[i].name, name)) return (int)i;
	return -1;
}

/* ---- Z3 conditions -------------------------------------------------------------------------- */

static Z3_ast num(Z3_context c, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(c, v, Z3_mk_bv_sort(c, w)); }
static Z3_ast and2(Z3_context c, Z3_ast a, Z3_ast b) { return Z3_mk_and(c, 2, (Z3_ast[]){ a, b }); }

/* The most negative width-w value, 1 << (w-1) (divisions are 32 or 64 bits wide). */
static Z3_ast smin(Z3_context c, unsigned w)
{
	return w <= 64 ? num(c, 1ull << (w - 1), w) : Z3_mk_concat(c, num(c, 1ull << 63, 64), num(c, 0, w - 64));
}

/* The outcome condition at the deciding node n of path pa (n's own operands as Z3 terms). */
static Z3_ast outcome(Z3_context c, const sem_path *pa, const sem_node *n, const Z3_ast opnd[SEM_NUM_OPERANDS],
                      Z3_ast mem)
{
	switch ((sem_path_kind)pa->kind) {
	case SEM_P_IF: {
		Z3_ast cond = sem_z3_expr(c, n->arg[0], opnd, mem);
		return pa->outcome == 0 ? cond : Z3_mk_not(c, cond);
	}
	case SEM_P_AND:
	case SEM_P_OR: {
		const sem_node *cn = n->arg[0];
		Z3_ast parts[8];
		for (unsigned j = 0; j < cn->nargs; j++) {
			Z3_ast v = sem_z3_expr(c, cn->arg[j], opnd, mem);
			bool want = pa->kind == SEM_P_AND ? j != pa->outcome : j == pa->outcome;
			parts[j] = want ? v : Z3_mk_not(c, v);
		}
		return Z3_mk_and(c, cn->nargs, parts);
	}
	case SEM_P_DIV: {
		unsigned w = (unsigned)n->arg[0]->width;
		Z3_ast a = sem_z3_expr(c, n->arg[0], opnd, mem), b = sem_z3_expr(c, n->arg[1], opnd, mem);
		Z3_ast zero = Z3_mk_eq(c, b, num(c, 0, w));
		Z3_ast ovf = is_signed_div(n->op)
		             ? and2(c, Z3_mk_eq(c, a, smin(c, w)), Z3_mk_eq(c, b, Z3_mk_bvnot(c, num(c, 0, w))))
		             : Z3_mk_false(c);
		if (pa->outcome == 0) return zero;
		if (pa->outcome == 2) return ovf;
		return and2(c, Z3_mk_not(c, zero), Z3_mk_not(c, ovf));
	}
	case SEM_P_SHIFT: {
		unsigned w = (unsigned)n->arg[0]->width;
		Z3_ast b = sem_z3_expr(c, n->arg[1], opnd, mem);
		Z3_ast big = Z3_mk_bvuge(c, Z3_mk_zero_ext(c, 8, b), num(c, w, w + 8));
		return pa->outcome == 0 ? big : Z3_mk_not(c, big);
	}
	default:
		return Z3_mk_true(c);
	}
}

/* Preorder walk carrying the condition under which the current node's value is used (the
 * enclosing ite arms); at pa's node returns live && outcome, else NULL if not below n. */
static Z3_ast find(Z3_context c, const sem_path *pa, const sem_node *n, Z3_ast live,
                   const Z3_ast opnd[SEM_NUM_OPERANDS], Z3_ast mem)
{
	if (n->kind != SEM_K_APP) return NULL;
	if (n == pa->node) return and2(c, live, outcome(c, pa, n, opnd, mem));
	Z3_ast r;
	if (n->op == SEM_ITE) {
		Z3_ast cond = sem_z3_expr(c, n->arg[0], opnd, mem);
		if ((r = find(c, pa, n->arg[0], live, opnd, mem))) return r;
		if ((r = find(c, pa, n->arg[1], and2(c, live, cond), opnd, mem))) return r;
		return find(c, pa, n->arg[2], and2(c, live, Z3_mk_not(c, cond)), opnd, mem);
	}
	for (unsigned i = 0; i < n->nargs; i++)
		if ((r = find(c, pa, n->arg[i], live, opnd, mem))) return r;
	return NULL;
}

/* Access at addr of `bytes` bytes checked against perm: *bad = some byte not permitted,
 * *low = the lowest such address (as eval.c's check). */
static void access_bad(Z3_context c, Z3_ast perm, Z3_ast addr, unsigned bytes, Z3_ast *bad, Z3_ast *low)
{
	*bad = Z3_mk_false(c);
	*low = num(c, 0, 32);
	for (unsigned i = 0; i < bytes; i++) {
		Z3_ast a = i ? Z3_mk_bvadd(c, addr, num(c, i, 32)) : addr;
		Z3_ast b = Z3_mk_not(c, Z3_mk_select(c, perm, Z3_mk_extract(c, 31, 12, a)));
		Z3_ast lower = and2(c, b, Z3_mk_or(c, 2, (Z3_ast[]){ Z3_mk_not(c, *bad), Z3_mk_bvult(c, a, *low) }));
		*low = Z3_mk_ite(c, lower, a, *low);
		*bad = Z3_mk_or(c, 2, (Z3_ast[]){ *bad, b });
	}
}

Z3_ast sem_z3_path(Z3_context c, const sem_spec *sp, unsigned opcode, const sem_z3_pre *in,
                   const sem_z3_post *post, const sem_path *pa)
{
	const sem_insn *si = sem_spec_get_reading(sp, opcode, in->reading);
	if (!si) return NULL;
	Z3_ast opnd[SEM_NUM_OPERANDS] = {
		[SEM_RA] = in->regs[in->ra], [SEM_RB] = in->regs[in->rb], [SEM_RD] = in->regs[in->rd],
		[SEM_IMM] = in->imm, [SEM_IMM2] = in->imm2, [SEM_TARGET] = in->target,
		[SEM_PC] = in->pc, [SEM_NEXT] = in->next, [SEM_GAS] = in->gas,
	};
	const sem_node *n = pa->node;
	switch ((sem_path_kind)pa->kind) {
	case SEM_P_EXEC:
	case SEM_P_OOG:
		return Z3_mk_true(c);
	case SEM_P_MEM: {
		Z3_ast bad, low, addr = sem_z3_expr(c, n->arg[0], opnd, in->mem);
		access_bad(c, n->op == SEM_STORE ? post->writable : post->readable, addr, n->p0, &bad, &low);
		Z3_ast below = Z3_mk_bvult(c, low, num(c, PVM_LOW_LIMIT, 32));
		if (pa->outcome == 0) return Z3_mk_not(c, bad);
		return and2(c, bad, pa->outcome == 1 ? below : Z3_mk_not(c, below));
	}
	case SEM_P_BRANCH: {
		Z3_ast cond = post->branch_cond, blk = Z3_mk_select(c, post->is_block, post->branch_target);
		if (pa->outcome == 0) return Z3_mk_not(c, cond);
		return and2(c, cond, pa->outcome == 1 ? blk : Z3_mk_not(c, blk));
	}
	case SEM_P_DJUMP: {
		Z3_ast a = post->djump_addr;
		Z3_ast halt = Z3_mk_eq(c, a, num(c, 0xFFFF0000u, 32));
		Z3_ast zero = Z3_mk_eq(c, a, num(c, 0, 32));
		Z3_ast lim = Z3_mk_bvshl(c, Z3_mk_zero_ext(c, 1, post->jt_len), num(c, 1, 33));
		Z3_ast past = Z3_mk_bvugt(c, Z3_mk_zero_ext(c, 1, a), lim);
		Z3_ast odd = Z3_mk_eq(c, Z3_mk_extract(c, 0, 0, a), num(c, 1, 1));
		Z3_ast idx = Z3_mk_bvsub(c, Z3_mk_bvlshr(c, a, num(c, 1, 32)), num(c, 1, 32));
		Z3_ast blk = Z3_mk_select(c, post->is_block, Z3_mk_select(c, post->jump_table, idx));
		Z3_ast seq[5] = { halt, zero, past, odd, Z3_mk_not(c, blk) };
		/* case k: the first k checks fail and check k holds (ok: none holds) */
		unsigned k = pa->outcome;
		Z3_ast parts[6];
		for (unsigned i = 0; i < k && i < 5; i++) parts[i] = Z3_mk_not(c, seq[i]);
		if (k < 5) parts[k] = seq[k];
		return Z3_mk_and(c, k < 5 ? k + 1 : 5, parts);
	}
	case SEM_P_SBRK: { /* 0 zero, 1 size (brk: and it fits), 2 brk only: it would pass the stack */
		Z3_ast z = Z3_mk_eq(c, post->sbrk_size, num(c, 0, 64));
		if (pa->outcome == 2) return post->brk_fails;
		if (pa->outcome == 0 || !post->brk_fails) return pa->outcome == 0 ? z : Z3_mk_not(c, z);
		return Z3_mk_and(c, 2, (Z3_ast[]){ Z3_mk_not(c, z), Z3_mk_not(c, post->brk_fails) });
	}
	default:
		for (size_t i = 0; i < si->n_effects; i++) {
			Z3_ast r = find(c, pa, si->effects[i], Z3_mk_true(c), opnd, in->mem);
			if (r) return r;
		}
		return NULL;
	}
}
