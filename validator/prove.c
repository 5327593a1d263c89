/* validator/prove.c: the equivalence queries (DESIGN.md § How a template is proved).
 * Host side: the lifter runs the JIT's bytes from a state where guest register i is the Z3
 * constant ri in host register jit_reg_map[i], r15 is the symbolic sandbox base MB and memory is
 * an array H. Guest side: specs/pvm.yaml over the same ri, with guest memory λa. H[MB + zext(a)].
 * Z3 is asked for a pre-state where some exit of the lifted code disagrees with the spec on the
 * outcome kind, successor pc, any of the 13 registers, the byte at a fresh guest address, or
 * gas. PROVED only on unsat; sat gives a model (then minimized) for the counterexample vector.
 * The proof assumes every memory access is permitted (>= 0x10000, not wrapping, page mapped):
 * the fault paths are checked concretely by the fallback. */
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <time.h>
#include "validator/prove.h"
#include "validator/z3check.h"

enum { K_CONT, K_HALT, K_PANIC, K_FAULT, K_HOST, K_OOG, K_DJUMP, K_BAD };
static const char *const kind_names[] = { "continue", "halt", "panic", "page-fault", "host-call",
                                          "out-of-gas", "dynamic-jump", "unexpected-exit" };
enum { CODE_BASE = 0x400000 };

static Z3_ast num(Z3_context z, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, w)); }
static Z3_ast var(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, w));
}
static Z3_ast ne(Z3_context z, Z3_ast a, Z3_ast b) { return Z3_mk_not(z, Z3_mk_eq(z, a, b)); }
static Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b) { Z3_ast x[2] = { a, b }; return Z3_mk_and(z, 2, x); }

void tv_worker_init(tv_worker *w, const tv_opts *o)
{
	memset(w, 0, sizeof *w);
	w->o = o;
	w->feat = tv_variant_features(tv_first_variant(o)); /* validate sets it per item */
}

static void worker_close(tv_worker *w)
{
	w->n_unsat = 0;
	if (w->lc) lift_free(w->lc);
	if (w->s) Z3_solver_dec_ref(w->z, w->s);
	if (w->simple) Z3_solver_dec_ref(w->z, w->simple);
	w->simple = NULL;
	if (w->p) Z3_params_dec_ref(w->z, w->p);
	w->s = NULL;
	w->p = NULL;
	if (w->z) Z3_del_context(w->z);
	w->lc = NULL;
	w->z = NULL;
}

void tv_worker_fini(tv_worker *w)
{
	worker_close(w);
	free(w->unsat);
	w->unsat = NULL;
	w->n_unsat = w->cap_unsat = 0;
}

tv_worker *tv_worker_new(const tv_opts *o)
{
	tv_worker *w = malloc(sizeof *w);
	if (w) tv_worker_init(w, o);
	return w;
}

void tv_worker_free(tv_worker *w)
{
	if (!w) return;
	tv_worker_fini(w);
	free(w);
}

/* Between groups of queries (validate: one opcode): a context that has served many queries is
 * renewed, which keeps memory bounded (its terms and its memo go with it). */
void tv_worker_rest(tv_worker *w)
{
	if (w->z && w->uses >= 2000) worker_close(w);
}

/* The context, renewed also within a group past a hard limit. */
static bool worker_ready(tv_worker *w)
{
	if (w->z && w->uses++ < 10000) return true;
	worker_close(w);
	w->n_unsat = 0; /* the memo's terms die with the context */
	Z3_config cfg = Z3_mk_config();
	w->z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	Z3_set_error_handler(w->z, NULL);
	w->lc = lift_new(w->z);
	/* one solver per context, reset between queries: making one costs more than most proofs */
	w->s = Z3_mk_solver(w->z);
	Z3_solver_inc_ref(w->z, w->s);
	w->p = Z3_mk_params(w->z);
	Z3_params_inc_ref(w->z, w->p);
	Z3_params_set_uint(w->z, w->p, Z3_mk_string_symbol(w->z, "timeout"), w->o->timeout_ms);
	/* the deterministic limit: the same query gives up at the same point however busy the machine */
	if (w->o->rlimit) Z3_params_set_uint(w->z, w->p, Z3_mk_string_symbol(w->z, "rlimit"), w->o->rlimit);
	Z3_solver_set_params(w->z, w->s, w->p);
	w->simple = Z3_mk_simple_solver(w->z);
	Z3_solver_inc_ref(w->z, w->simple);
	Z3_solver_set_params(w->z, w->simple, w->p);
	w->uses = 1;
	return w->lc != NULL;
}

/* ---- the pieces of one query -------------------------------------------------------------- */

typedef struct outcome {
	Z3_ast kind;            /* BV8: K_* */
	Z3_ast pc;              /* BV32: successor (K_CONT), djump address (K_DJUMP), else exit pc */
	Z3_ast regs[PVM_NUM_REGS];
	Z3_ast mem;             /* guest view: Array(BV32, BV8) (spec) */
	Z3_ast gas;             /* BV64 */
} outcome;

typedef struct query {
	Z3_context z;
	Z3_ast g[PVM_NUM_REGS]; /* guest registers before */
	Z3_ast x, y, t;         /* immediates and branch target (NULL when unused) */
	Z3_ast mb, h, a, gas;   /* sandbox base, host memory, probe address, gas before */
	Z3_ast gm;              /* guest memory before: Array(BV32, BV8); h is built over it */
	Z3_ast readable, writable, jump_table, jt_len; /* named, so equal queries are equal terms */
	Z3_ast layout;          /* what makes a model fit the counterexample program (or NULL) */
	Z3_func_decl entry;     /* dispatch proofs: guest pc -> host address of its gas region */
	Z3_ast pre[64];         /* assumptions */
	size_t n_pre;
	Z3_ast acc_addr[64];    /* guest addresses the spec accesses (for the counterexample) */
	unsigned acc_len[64];
	size_t n_acc;
} query;

static void assume(query *q, Z3_ast c)
{
	if (q->n_pre < sizeof q->pre / sizeof q->pre[0]) q->pre[q->n_pre++] = c;
}

static Z3_ast host_addr(query *q, Z3_ast guest)
{
	return Z3_mk_bvadd(q->z, q->mb, Z3_mk_zero_ext(q->z, 32, guest));
}

/* 8-byte little-endian read of host memory at MB + d (d may be negative: the context). */
static Z3_ast host_read64(query *q, Z3_ast mem, int32_t d)
{
	Z3_context z = q->z;
	Z3_ast at = Z3_mk_bvadd(z, q->mb, num(z, (uint64_t)(int64_t)d, 64));
	Z3_ast v = NULL;
	for (int k = 7; k >= 0; k--) {
		Z3_ast b = Z3_mk_select(z, mem, Z3_mk_bvadd(z, at, num(z, (uint64_t)k, 64)));
		v = v ? Z3_mk_concat(z, v, b) : b;
	}
	return v;
}

static void query_init(query *q, Z3_context z)
{
	memset(q, 0, sizeof *q);
	q->z = z;
	char name[16];
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		snprintf(name, sizeof name, "r%d", i);
		q->g[i] = var(z, name, 64);
	}
	q->mb = var(z, "membase", 64);
	q->a = var(z, "probe", 32);
	Z3_sort b64 = Z3_mk_bv_sort(z, 64), b32 = Z3_mk_bv_sort(z, 32), b8 = Z3_mk_bv_sort(z, 8);
	/* Host memory before, written without loss of generality as two free arrays: the sandbox
	 * [MB, MB + 2^32) holds guest memory G, everything else (the context) is C:
	 *   H = λh. ite(h - MB < 2^32, G[h - MB], C[h]).
	 * The spec reads G directly, so a guest byte is the same term on both sides. */
	q->gm = Z3_mk_const(z, Z3_mk_string_symbol(z, "guestmem"), Z3_mk_array_sort(z, b32, b8));
	Z3_sort pages = Z3_mk_array_sort(z, Z3_mk_bv_sort(z, 20), Z3_mk_bool_sort(z));
	q->readable = Z3_mk_const(z, Z3_mk_string_symbol(z, "readable"), pages);
	q->writable = Z3_mk_const(z, Z3_mk_string_symbol(z, "writable"), pages);
	q->jump_table = Z3_mk_const(z, Z3_mk_string_symbol(z, "jump_table"), Z3_mk_array_sort(z, b32, b32));
	q->jt_len = var(z, "jt_len", 32);
	Z3_ast cm = Z3_mk_const(z, Z3_mk_string_symbol(z, "ctxmem"), Z3_mk_array_sort(z, b64, b8));
	Z3_ast h = var(z, "haddr", 64);
	Z3_ast off = Z3_mk_bvsub(z, h, q->mb);
	Z3_ast body = Z3_mk_ite(z, Z3_mk_eq(z, Z3_mk_extract(z, 63, 32, off), num(z, 0, 32)),
	                        Z3_mk_select(z, q->gm, Z3_mk_extract(z, 31, 0, off)), Z3_mk_select(z, cm, h));
	Z3_app hb = Z3_to_app(z, h);
	q->h = Z3_mk_lambda_const(z, 1, &hb, body);
	/* The sandbox: 4 GiB aligned, in the lower half, context below it. */
	assume(q, Z3_mk_eq(z, Z3_mk_extract(z, 31, 0, q->mb), num(z, 0, 32)));
	assume(q, Z3_mk_bvult(z, q->mb, num(z, 1ull << 46, 64)));
	assume(q, Z3_mk_bvuge(z, q->mb, num(z, 1ull << 32, 64)));
	q->gas = host_read64(q, q->h, JIT_CTX(gas));
}

/* The term a JIT immediate field holds for guest immediate v. */
static Z3_ast field_term(Z3_context z, Z3_ast v, unsigned enc)
{
	switch (enc) {
	case JIT_IMM_SEXT32:
	case JIT_IMM_LOW32: return Z3_mk_extract(z, 31, 0, v);
	case JIT_IMM_64: return v;
	case JIT_IMM_LOW16: return Z3_mk_extract(z, 15, 0, v);
	case JIT_IMM_LOW8: return Z3_mk_extract(z, 7, 0, v);
	case JIT_IMM_LOW8_MASK63: return Z3_mk_extract(z, 7, 0, Z3_mk_bvand(z, v, num(z, 63, 64)));
	case JIT_IMM_LOW8_MASK31: return Z3_mk_extract(z, 7, 0, Z3_mk_bvand(z, v, num(z, 31, 64)));
	}
	return NULL;
}

/* Spec pre-state with the instruction's operands; builds its post-state. */
static bool spec_step(query *q, const sem_spec *sp, const pvm_inst *in, const Z3_ast regs[PVM_NUM_REGS],
                      Z3_ast mem, Z3_ast gas, Z3_ast is_block, sem_z3_post *post, char *why, size_t n)
{
	Z3_context z = q->z;
	sem_z3_pre pre;
	memset(&pre, 0, sizeof pre);
	pre.ra = in->ra;
	pre.rb = in->rb;
	pre.rd = in->rd;
	memcpy(pre.regs, regs, sizeof pre.regs);
	pre.mem = mem;
	pre.imm = q->x ? q->x : num(z, in->imm, 64);
	pre.imm2 = q->y ? q->y : num(z, in->imm2, 64);
	pre.target = q->t ? q->t : num(z, in->target, 32);
	pre.pc = num(z, in->pc, 32);
	pre.next = num(z, in->next, 32);
	pre.gas = gas;
	pre.is_block = is_block;
	pre.readable = q->readable;
	pre.writable = q->writable;
	pre.jump_table = q->jump_table;
	pre.jt_len = q->jt_len;
	pvm_errbuf e;
	if (sem_z3_build(z, sp, in->op, &pre, post, &e) != SEM_OK) {
		snprintf(why, n, "spec: %.200s", e.msg);
		return false;
	}
	/* Proved for permitted accesses: not below 0x10000, not wrapping, page permitted. */
	for (unsigned i = 0; i < post->n_access; i++) {
		Z3_ast ad = post->access[i].addr;
		unsigned nb = post->access[i].bytes;
		assume(q, Z3_mk_bvuge(z, ad, num(z, PVM_LOW_LIMIT, 32)));
		assume(q, Z3_mk_bvule(z, ad, num(z, 0x100000000ull - nb, 32)));
		if (q->n_acc < 64) {
			q->acc_addr[q->n_acc] = ad;
			q->acc_len[q->n_acc++] = nb;
		}
	}
	assume(q, Z3_mk_not(z, post->fault));
	/* under that assumption the status and pc are the ones without a fault: the same terms,
	 * with the dead fault case (lowest faulting address, page rounding) left out */
	post->status = post->ok_status;
	post->pc = post->ok_pc;
	return true;
}

/* Outcome of the spec post-state (the fault case is excluded by the assumptions). */
static void spec_outcome(query *q, const sem_z3_post *post, outcome *o)
{
	Z3_context z = q->z;
	memcpy(o->regs, post->regs, sizeof o->regs);
	o->mem = post->mem;
	o->gas = post->gas;
	if (post->djump_addr) {
		o->kind = num(z, K_DJUMP, 8);
		o->pc = post->djump_addr;
	} else {
		o->kind = Z3_mk_zero_ext(z, 5, post->status);
		o->pc = post->pc;
	}
}

/* The outcome kind and pc a lifted exit stands for; returns false for an exit the JIT must not take. */
static int exit_kind(const jit_exit *je) { static const int k[] = {
	[JIT_EXIT_BRANCH] = K_CONT, [JIT_EXIT_PANIC] = K_PANIC, [JIT_EXIT_HALT] = K_HALT,
	[JIT_EXIT_OOG] = K_OOG, [JIT_EXIT_HOST] = K_HOST, [JIT_EXIT_SBRK] = K_BAD,
	[JIT_EXIT_DJUMP] = K_DJUMP, [JIT_EXIT_FAULT] = K_BAD, [JIT_EXIT_NONE] = K_BAD };
	return je->kind < sizeof k / sizeof k[0] ? k[je->kind] : K_BAD;
}

/* Disagreement between lifted exit `le` (matched to JIT exit je, NULL for fall-through or an
 * unknown target) and the spec outcome `so`. */
static Z3_ast exit_diff(query *q, const lift_exit *le, const jit_exit *je, uint32_t fall_pc, const outcome *so)
{
	Z3_context z = q->z;
	int kind;
	Z3_ast pc;
	if (le->kind == LIFT_EXIT_FALL) {
		kind = K_CONT;
		pc = num(z, fall_pc, 32);
	} else if (le->kind == LIFT_EXIT_INDIRECT && q->entry) { /* a dispatcher's jmp rax */
		kind = K_CONT;
		pc = NULL;
	} else if (le->kind == LIFT_EXIT_JUMP && je) {
		kind = exit_kind(je);
		if (je->kind == JIT_EXIT_BRANCH) pc = q->t && je->target == UINT32_MAX ? q->t : num(z, je->target, 32);
		else if (je->kind == JIT_EXIT_DJUMP) pc = Z3_mk_extract(z, 31, 0, le->st.gpr[je->reg]);
		else pc = num(z, je->pc, 32);
	} else {
		kind = K_BAD;
		pc = num(z, 0, 32);
	}
	Z3_ast d[PVM_NUM_REGS + 4];
	size_t n = 0;
	d[n++] = ne(z, num(z, (uint64_t)kind, 8), so->kind);
	Z3_ast pc_differs = pc ? ne(z, pc, so->pc) : ne(z, le->target_term, Z3_mk_app(z, q->entry, 1, &so->pc));
	d[n++] = and2(z, Z3_mk_not(z, Z3_mk_eq(z, so->kind, num(z, K_BAD, 8))), pc_differs);
	for (int i = 0; i < PVM_NUM_REGS; i++) d[n++] = ne(z, le->st.gpr[jit_reg_map[i]], so->regs[i]);
	d[n++] = ne(z, Z3_mk_select(z, le->st.mem, host_addr(q, q->a)), Z3_mk_select(z, so->mem, q->a));
	d[n++] = ne(z, host_read64(q, le->st.mem, JIT_CTX(gas)), so->gas);
	return Z3_mk_or(z, (unsigned)n, d);
}

/* Exit stubs live far from the code: exit i of a template or block jumps to STUB_BASE + 16 i.
 * The JIT leaves rel32 fields as placeholders; patch_exits points them at those addresses. */
enum { STUB_BASE = 0x10000000 };

static void patch_exits(uint8_t *bytes, const jit_exit *ex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int32_t rel = (int32_t)(STUB_BASE + 16 * i - (CODE_BASE + ex[i].off + 4));
		memcpy(bytes + ex[i].off, &rel, 4);
	}
}

static const jit_exit *match_exit(const jit_exit *ex, size_t n, uint64_t target)
{
	if (target < STUB_BASE || (target - STUB_BASE) % 16 || (target - STUB_BASE) / 16 >= n) return NULL;
	return &ex[(target - STUB_BASE) / 16];
}

double tv_phase_ms[4];
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- ite distribution over division -------------------------------------------------------
 * f(.., ite(c, x, y), ..) = ite(c, f(.., x, ..), f(.., y, ..)) for f a division or remainder.
 * The JIT guards a divisor with a conditional move (0 → 1); after distribution and simplify
 * both sides share one bvudiv/bvsdiv term, which Z3 decides in milliseconds where it would
 * otherwise bit-blast two 64-bit dividers. A sound rewrite for every f; memoized on the DAG. */
/* acc/acc_len: the query's access addresses (simplified) and widths: the assumptions say each
 * is >= 0x10000 and <= 2^32 - width. */
/* A table from Z3 term ids to terms (open addressing, grows at half full). */
typedef struct table { unsigned *key; Z3_ast *val; size_t cap, n; } table;

static void table_init(table *t) { *t = (table){ calloc(256, sizeof *t->key), calloc(256, sizeof *t->val), 256, 0 }; }
static void table_free(table *t) { free(t->key); free(t->val); }

static size_t table_at(const table *t, unsigned id)
{
	size_t i = (id * 2654435761u) & (t->cap - 1);
	while (t->val[i] && t->key[i] != id) i = (i + 1) & (t->cap - 1);
	return i;
}

static Z3_ast table_get(const table *t, unsigned id) { return t->val[table_at(t, id)]; }

static void table_put(table *t, unsigned id, Z3_ast v)
{
	if (2 * (t->n + 1) > t->cap) {
		table g = { calloc(2 * t->cap, sizeof *g.key), calloc(2 * t->cap, sizeof *g.val), 2 * t->cap, t->n };
		for (size_t i = 0; i < t->cap; i++)
			if (t->val[i]) {
				size_t j = table_at(&g, t->key[i]);
				g.key[j] = t->key[i];
				g.val[j] = t->val[i];
			}
		table_free(t);
		*t = g;
	}
	size_t i = table_at(t, id);
	t->n += !t->val[i];
	t->key[i] = id;
	t->val[i] = v;
}

/* The rewriter's state: the results so far; acc/acc_len: the query's access addresses
 * (simplified) and widths: the assumptions say each is >= 0x10000 and <= 2^32 - width. */
typedef struct memo { table t; Z3_ast mb; const Z3_ast *acc; const unsigned *acc_len; size_t n_acc; } memo;

static bool is_div(Z3_decl_kind k)
{
	switch (k) {
	case Z3_OP_BUDIV: case Z3_OP_BUDIV_I: case Z3_OP_BSDIV: case Z3_OP_BSDIV_I: case Z3_OP_BUREM:
	case Z3_OP_BUREM_I: case Z3_OP_BSREM: case Z3_OP_BSREM_I: case Z3_OP_BSMOD: case Z3_OP_BSMOD_I:
		return true;
	default:
		return false;
	}
}

static Z3_ast distribute(Z3_context z, Z3_ast t, memo *m);
static Z3_ast read_over(Z3_context z, Z3_ast a, Z3_ast i, memo *m);

static Z3_ast distribute_div(Z3_context z, Z3_ast t, Z3_ast *args, unsigned n, memo *m)
{
	for (unsigned i = 0; i < n; i++) {
		if (Z3_get_ast_kind(z, args[i]) != Z3_APP_AST) continue;
		Z3_app ai = Z3_to_app(z, args[i]);
		if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ai)) != Z3_OP_ITE) continue;
		Z3_ast c = Z3_get_app_arg(z, ai, 0), x = Z3_get_app_arg(z, ai, 1), y = Z3_get_app_arg(z, ai, 2);
		Z3_ast ax[3], ay[3];
		for (unsigned j = 0; j < n && j < 3; j++) ax[j] = ay[j] = args[j];
		ax[i] = x;
		ay[i] = y;
		Z3_ast tx = distribute(z, Z3_update_term(z, t, n, ax), m);
		Z3_ast ty = distribute(z, Z3_update_term(z, t, n, ay), m);
		return Z3_mk_ite(z, c, tx, ty);
	}
	return Z3_update_term(z, t, n, args);
}

/* A host index MB + zext(x) + c (x a BV32 term, or absent = 0; c a numeral): true if t has
 * that shape (after simplify: a bvadd of membase, (concat #x00000000 x) and a numeral). */
static bool host_index(Z3_context z, Z3_ast t, Z3_ast mb, Z3_ast *x, uint64_t *c)
{
	*x = NULL;
	*c = 0;
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return false;
	Z3_app ap = Z3_to_app(z, t);
	if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ap)) != Z3_OP_BADD) return false;
	int n_mb = 0;
	for (unsigned i = 0; i < Z3_get_app_num_args(z, ap); i++) {
		Z3_ast a = Z3_get_app_arg(z, ap, i);
		uint64_t v;
		if (Z3_is_eq_ast(z, a, mb)) {
			n_mb++;
			continue;
		}
		if (Z3_is_numeral_ast(z, a) && Z3_get_numeral_uint64(z, a, &v)) {
			*c += v;
			continue;
		}
		if (Z3_get_ast_kind(z, a) == Z3_APP_AST && !*x) {
			Z3_app aa = Z3_to_app(z, a);
			if (Z3_get_decl_kind(z, Z3_get_app_decl(z, aa)) == Z3_OP_CONCAT && Z3_get_app_num_args(z, aa) == 2) {
				Z3_ast hi = Z3_get_app_arg(z, aa, 0);
				uint64_t hv;
				if (Z3_is_numeral_ast(z, hi) && Z3_get_numeral_uint64(z, hi, &hv) && hv == 0 &&
				    Z3_get_bv_sort_size(z, Z3_get_sort(z, hi)) == 32) {
					*x = Z3_get_app_arg(z, aa, 1);
					continue;
				}
			}
		}
		return false;
	}
	return n_mb == 1;
}

/* i = j for 64-bit indices. When both are host indices MB + zext(x) + ci, MB + zext(y) + cj,
 * the equality is rewritten exactly into 32 bits: with d = cj - ci (mod 2^64),
 *   zext(x) = zext(y) + d  ⇔  y <= 2^32 - 1 - d  ∧  x = y + d     (0 <= d < 2^32)
 * and symmetrically for -d < 2^32; otherwise it stays as it is. */
static Z3_ast index_eq(Z3_context z, Z3_ast i, Z3_ast j, const memo *m)
{
	Z3_ast mb = m->mb;
	Z3_ast x, y;
	uint64_t ci, cj;
	if (!mb || !host_index(z, i, mb, &x, &ci) || !host_index(z, j, mb, &y, &cj)) return Z3_mk_eq(z, i, j);
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	if (!x != !y) { /* MB + c against MB + zext(y) + cy: c - cy must lie in [0, 2^32) */
		uint64_t c = x ? cj : ci, cy = x ? ci : cj;
		Z3_ast v = x ? x : y;
		if (c - cy >= (1ull << 32)) return Z3_mk_false(z);
		return Z3_mk_eq(z, v, Z3_mk_unsigned_int64(z, c - cy, b32));
	}
	if (!x) return ci == cj ? Z3_mk_true(z) : Z3_mk_false(z);
	uint64_t d = cj - ci;
	if (d >= (1ull << 32)) { /* try the other way round */
		Z3_ast t = x;
		x = y;
		y = t;
		d = ci - cj;
	}
	if (d >= (1ull << 32)) return Z3_mk_eq(z, i, j);
	Z3_ast dd = Z3_mk_unsigned_int64(z, d, b32);
	Z3_ast eq = Z3_mk_eq(z, x, Z3_mk_bvadd(z, y, dd));
	/* y + d cannot carry when y is an access address of width > d: the assumptions of the
	 * query say so, so under them the no-carry condition is true and may be dropped. */
	for (size_t k = 0; k < m->n_acc; k++)
		if (d < m->acc_len[k] && Z3_is_eq_ast(z, y, m->acc[k])) return eq;
	Z3_ast both[2] = { Z3_mk_bvule(z, y, Z3_mk_unsigned_int64(z, 0xffffffffull - d, b32)), eq };
	return Z3_mk_and(z, 2, both);
}

/* select(a, i) with the array written out: a store becomes an ite on the index (read over
 * write), an ite of arrays an ite of selects, a lambda its body at i. Leaves only selects of
 * the free arrays, so the query is bit-vectors plus uninterpreted reads. */
static Z3_ast read_over(Z3_context z, Z3_ast a, Z3_ast i, memo *m)
{
	if (Z3_get_ast_kind(z, a) == Z3_QUANTIFIER_AST && Z3_is_lambda(z, a))
		return distribute(z, Z3_simplify(z, Z3_substitute_vars(z, Z3_get_quantifier_body(z, a), 1, &i)), m);
	if (Z3_get_ast_kind(z, a) == Z3_APP_AST) {
		Z3_app ap = Z3_to_app(z, a);
		Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, ap));
		if (k == Z3_OP_STORE && Z3_get_app_num_args(z, ap) == 3) {
			Z3_ast j = Z3_get_app_arg(z, ap, 1), v = Z3_get_app_arg(z, ap, 2);
			Z3_ast same = Z3_simplify(z, index_eq(z, i, j, m));
			if (Z3_is_eq_ast(z, same, Z3_mk_true(z))) return v;
			Z3_ast rest = read_over(z, Z3_get_app_arg(z, ap, 0), i, m);
			return Z3_is_eq_ast(z, same, Z3_mk_false(z)) ? rest : Z3_mk_ite(z, same, v, rest);
		}
		if (k == Z3_OP_ITE)
			return Z3_mk_ite(z, Z3_get_app_arg(z, ap, 0), read_over(z, Z3_get_app_arg(z, ap, 1), i, m),
			                 read_over(z, Z3_get_app_arg(z, ap, 2), i, m));
	}
	return Z3_mk_select(z, a, i);
}

static Z3_ast distribute(Z3_context z, Z3_ast t, memo *m)
{
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return t;
	Z3_app app = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, app);
	if (n == 0) return t;
	unsigned id = Z3_get_ast_id(z, t);
	Z3_ast done = table_get(&m->t, id);
	if (done) return done;
	Z3_ast small[8], *args = n <= 8 ? small : malloc(n * sizeof *args);
	for (unsigned i = 0; i < n; i++) args[i] = distribute(z, Z3_get_app_arg(z, app, i), m);
	Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
	Z3_ast r = k == Z3_OP_SELECT && n == 2 ? read_over(z, args[0], args[1], m)
	         : is_div(k) && n <= 3 ? distribute_div(z, t, args, n, m) : Z3_update_term(z, t, n, args);
	if (args != small) free(args);
	table_put(&m->t, id, r);
	return r;
}

/* R: extract[127:64](sext64(a) * zext64(b)) → extract[127:64](zext64(a) * zext64(b)) - ite(a <s 0, b, 0).
 * Valid for all a, b; Z3 cannot prove it in one query, so validator/lemmas.c proves the chain
 * of lemmas it follows from (test validator_lemmas). Applied to the spec of mul_upper_s_u so
 * both sides share the unsigned 128-bit product. Returns NULL when t is not of that shape. */
static Z3_ast rewrite_mulhsu(Z3_context z, Z3_app app)
{
	Z3_func_decl d = Z3_get_app_decl(z, app);
	if (Z3_get_decl_kind(z, d) != Z3_OP_EXTRACT || Z3_get_decl_int_parameter(z, d, 0) != 127 ||
	    Z3_get_decl_int_parameter(z, d, 1) != 64)
		return NULL;
	Z3_ast m = Z3_get_app_arg(z, app, 0);
	if (Z3_get_ast_kind(z, m) != Z3_APP_AST) return NULL;
	Z3_app ma = Z3_to_app(z, m);
	if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ma)) != Z3_OP_BMUL || Z3_get_app_num_args(z, ma) != 2) return NULL;
	Z3_ast f[2] = { Z3_get_app_arg(z, ma, 0), Z3_get_app_arg(z, ma, 1) };
	for (int s = 0; s < 2; s++) {
		Z3_ast sx = f[s], zx = f[1 - s];
		if (Z3_get_ast_kind(z, sx) != Z3_APP_AST || Z3_get_ast_kind(z, zx) != Z3_APP_AST) continue;
		Z3_app sa = Z3_to_app(z, sx), za = Z3_to_app(z, zx);
		Z3_func_decl sd = Z3_get_app_decl(z, sa), zd = Z3_get_app_decl(z, za);
		if (Z3_get_decl_kind(z, sd) != Z3_OP_SIGN_EXT || Z3_get_decl_int_parameter(z, sd, 0) != 64 ||
		    Z3_get_decl_kind(z, zd) != Z3_OP_ZERO_EXT || Z3_get_decl_int_parameter(z, zd, 0) != 64)
			continue;
		Z3_ast a = Z3_get_app_arg(z, sa, 0), b = Z3_get_app_arg(z, za, 0);
		if (Z3_get_bv_sort_size(z, Z3_get_sort(z, a)) != 64) continue;
		Z3_ast hu = Z3_mk_extract(z, 127, 64, Z3_mk_bvmul(z, Z3_mk_zero_ext(z, 64, a), zx));
		Z3_ast zero = num(z, 0, 64);
		return Z3_mk_bvsub(z, hu, Z3_mk_ite(z, Z3_mk_bvslt(z, a, zero), b, zero));
	}
	return NULL;
}

static Z3_ast pre_rewrite(Z3_context z, Z3_ast t, memo *m)
{
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return t;
	Z3_app app = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, app);
	if (n == 0) return t;
	Z3_ast done = table_get(&m->t, Z3_get_ast_id(z, t));
	if (done) return done;
	Z3_ast small[8], *args = n <= 8 ? small : malloc(n * sizeof *args);
	for (unsigned i = 0; i < n; i++) args[i] = pre_rewrite(z, Z3_get_app_arg(z, app, i), m);
	Z3_ast r = Z3_update_term(z, t, n, args);
	if (args != small) free(args);
	Z3_ast rr = Z3_get_ast_kind(z, r) == Z3_APP_AST ? rewrite_mulhsu(z, Z3_to_app(z, r)) : NULL;
	if (rr) r = rr;
	table_put(&m->t, Z3_get_ast_id(z, t), r);
	return r;
}

/* t rewritten by the identities above and simplified. With drop (the formula to refute, not an
 * assumption) a no-carry condition the assumptions imply is dropped; an assumption is never
 * simplified by the assumptions themselves. */
static Z3_ast canonical(Z3_context z, Z3_ast t, const query *q, bool drop)
{
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	Z3_params_set_bool(z, p, Z3_mk_string_symbol(z, "som"), true); /* one order for sums */
	Z3_params_set_bool(z, p, Z3_mk_string_symbol(z, "bv_sort_ac"), true);
	Z3_ast acc[64];
	for (size_t i = 0; i < q->n_acc; i++) acc[i] = Z3_simplify_ex(z, q->acc_addr[i], p);
	memo m = { .mb = q->mb, .acc = acc, .acc_len = q->acc_len, .n_acc = drop ? q->n_acc : 0 }, pre = { 0 };
	table_init(&m.t);
	table_init(&pre.t);
	t = pre_rewrite(z, t, &pre);
	table_free(&pre.t);
	Z3_ast r = Z3_simplify_ex(z, distribute(z, Z3_simplify_ex(z, t, p), &m), p);
	Z3_params_dec_ref(z, p);
	table_free(&m.t);
	return r;
}

/* ---- memo of unsat queries ----------------------------------------------------------------
 * A query (assumptions and canonical formula) with the guest-register constants r0..r12 renamed
 * g0, g1, ... in order of first occurrence in a depth-first walk. Z3 hash-conses terms, so two
 * queries that are the same formula up to that bijective renaming become the same AST node; they
 * are equisatisfiable, and when Z3 returned unsat for one the other is unsat. Only unsat answers
 * are kept, per Z3 context. */
static void order_regs(Z3_context z, Z3_ast t, const query *q, table *seen, int map[PVM_NUM_REGS], int *next)
{
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return;
	unsigned id = Z3_get_ast_id(z, t);
	if (table_get(seen, id)) return;
	table_put(seen, id, t);
	Z3_app app = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, app);
	if (n == 0) {
		for (int i = 0; i < PVM_NUM_REGS; i++)
			if (map[i] < 0 && Z3_is_eq_ast(z, t, q->g[i])) map[i] = (*next)++;
		return;
	}
	for (unsigned i = 0; i < n; i++) order_regs(z, Z3_get_app_arg(z, app, i), q, seen, map, next);
}

static Z3_ast normalized(Z3_context z, const query *q, Z3_ast bad)
{
	Z3_ast all[66];
	size_t n = 0;
	for (size_t i = 0; i < q->n_pre; i++) all[n++] = q->pre[i];
	all[n++] = bad;
	Z3_ast t = Z3_mk_and(z, (unsigned)n, all);
	table seen;
	table_init(&seen);
	int map[PVM_NUM_REGS], next = 0;
	for (int i = 0; i < PVM_NUM_REGS; i++) map[i] = -1;
	for (size_t i = 0; i < n; i++) order_regs(z, all[i], q, &seen, map, &next);
	table_free(&seen);
	Z3_ast from[PVM_NUM_REGS], to[PVM_NUM_REGS];
	unsigned k = 0;
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		if (map[i] < 0) continue;
		char name[16];
		snprintf(name, sizeof name, "g%d", map[i]);
		from[k] = q->g[i];
		to[k++] = var(z, name, 64);
	}
	return Z3_substitute(z, t, k, from, to);
}

static bool memo_has(tv_worker *w, Z3_ast t)
{
	for (size_t i = 0; i < w->n_unsat; i++)
		if (Z3_is_eq_ast(w->z, w->unsat[i], t)) return true;
	return false;
}

static void memo_add(tv_worker *w, Z3_ast t)
{
	if (w->n_unsat == w->cap_unsat) {
		w->cap_unsat = w->cap_unsat ? 2 * w->cap_unsat : 64;
		w->unsat = realloc(w->unsat, w->cap_unsat * sizeof *w->unsat);
	}
	w->unsat[w->n_unsat++] = t;
}

/* Solve: unsat → PROVED; sat → counterexample (model minimized into *cex); else UNKNOWN. */
static tv_verdict solve(tv_worker *w, query *q, Z3_ast bad, uint32_t t_layout, tv_cex *cex, char *why, size_t n)
{
	Z3_context z = q->z;
	double C0 = now_ms();
	bad = canonical(z, bad, q, true);
	for (size_t i = 0; i < q->n_pre; i++) q->pre[i] = canonical(z, q->pre[i], q, false);
	tv_phase_ms[3] += now_ms() - C0;
	/* A query the rewriter already reduced to false still goes through a solver (PROVED means
	 * unsat), but through the simple one: setting up the full solver costs ~100 ms. */
	Z3_ast norm = NULL;
	if (w->o->memo) {
		norm = normalized(z, q, bad);
		if (getenv("JITPROOF_TV_NORM")) fprintf(stderr, "NORM\n%s\nEND\n", Z3_ast_to_string(z, norm));
		if (memo_has(w, norm)) {
			snprintf(why, n, "unsat (memo: an alpha-equivalent query was unsat)");
			return TV_PROVED;
		}
	}
	Z3_solver s = Z3_is_eq_ast(z, bad, Z3_mk_false(z)) ? w->simple : w->s;
	Z3_solver_inc_ref(z, s);
	Z3_solver_reset(z, s);
	Z3_params p = w->p;
	Z3_params_inc_ref(z, p);
	bool z3_error; /* a Z3 error is UNKNOWN with Z3's message (z3check.h) */
	Z3_lbool r = tv_z3_check(z, s, q->pre, q->n_pre, bad, &z3_error, why, n);
	if (r == Z3_L_UNDEF && !z3_error) {
		/* the bit-blasting pipeline as a second opinion (DESIGN.md: it wins on bvsdiv) */
		Z3_solver s2 = lift_blast_solver(z);
		Z3_solver_set_params(z, s2, p);
		r = tv_z3_check(z, s2, q->pre, q->n_pre, bad, &z3_error, why, n);
		if (r != Z3_L_UNDEF) {
			Z3_solver_dec_ref(z, s);
			s = s2;
		} else {
			if (!z3_error) snprintf(why, n, "solver: %s", Z3_solver_get_reason_unknown(z, s));
			Z3_solver_dec_ref(z, s2);
		}
	}
	tv_verdict v = r == Z3_L_FALSE ? TV_PROVED : r == Z3_L_TRUE ? TV_CEX : TV_UNKNOWN;
	if (getenv("JITPROOF_TV_RLIMIT")) {
		Z3_stats st = Z3_solver_get_statistics(z, s);
		Z3_stats_inc_ref(z, st);
		for (unsigned i = 0; i < Z3_stats_size(z, st); i++)
			if (!strcmp(Z3_stats_get_key(z, st, i), "rlimit count"))
				fprintf(stderr, "rlimit %u verdict %d\n", Z3_stats_get_uint_value(z, st, i), v);
		Z3_stats_dec_ref(z, st);
	}
	if (getenv("JITPROOF_TV_DEBUG")) { /* the query and, when sat, the model */
		fprintf(stderr, "%s\n", Z3_solver_to_string(z, s));
		if (v == TV_CEX) fprintf(stderr, "model:\n%s\n", Z3_model_to_string(z, Z3_solver_get_model(z, s)));
	}
	if (v == TV_PROVED && norm) memo_add(w, norm);
	if (v == TV_CEX && q->n_acc < sizeof q->acc_addr / sizeof q->acc_addr[0]) {
		/* the probe's byte too: a wrong store shows only against the model's byte there */
		q->acc_addr[q->n_acc] = q->a;
		q->acc_len[q->n_acc++] = 1;
	}
	if (v == TV_CEX) {
		Z3_ast layout = q->layout ? q->layout : q->t ? Z3_mk_eq(z, q->t, num(z, t_layout, 32)) : NULL;
		tv_cex_from_model(w, q->z, s, q->g, q->x, q->y, q->t, q->gas, q->acc_addr, q->acc_len, q->n_acc, q->gm,
		                  layout, cex, w->o->timeout_ms);
	}
	Z3_params_dec_ref(z, p);
	Z3_solver_dec_ref(z, s);
	return v;
}

/* The code being proved: a template (in: its instruction) or a region (blk, compiled from
 * program p); its exits, and the pc where falling off its end continues. */
typedef struct code {
	const pvm_inst *in;
	const jit_block *blk;
	const pvm_program *p;
	const jit_exit *ex;
	size_t n_ex;
	uint32_t fall;
} code;

static Z3_ast all_diffs(tv_worker *w, query *q, const lift_result *lr, const code *c, const outcome *so,
                        char *why, size_t n);

/* An sbrk exit goes on through the runtime, whose contract (jit/runtime.c run_sbrk) is:
 * r[rd] := sbrk(r[ra]) for the instruction at the exit's pc, the same uninterpreted function as
 * the spec's (sem_z3_sbrk), every other register and all memory unchanged, then the code of the
 * next instruction runs without a new gas charge. Returns the disagreement on that path (NULL:
 * the continuation does not lift, why says so). */
static Z3_ast sbrk_diffs(tv_worker *w, query *q, const lift_exit *le, const jit_exit *je, const code *c,
                         const outcome *so, char *why, size_t n)
{
	Z3_context z = q->z;
	const pvm_inst *in = c->p ? pvm_inst_at(c->p, je->pc) : c->in;
	if (!in || in->pc != je->pc || in->op != PVM_OP_sbrk) return and2(z, le->cond, exit_diff(q, le, NULL, 0, so));
	lift_exit k = *le;
	k.kind = LIFT_EXIT_FALL;
	k.st.gpr[jit_reg_map[in->rd]] = sem_z3_sbrk(z, le->st.gpr[jit_reg_map[in->ra]]);
	const jit_pcmap *row = NULL;
	for (size_t i = 0; c->blk && i < c->blk->n_map; i++)
		if (c->blk->map[i].guest_pc == in->next) row = &c->blk->map[i];
	if (!row) /* a template, or the region's code ends here: continue at next */
		return and2(z, le->cond, exit_diff(q, &k, NULL, in->next, so));
	lift_result rest;
	uint32_t off = row->host_off;
	if (lift_block(w->lc, c->blk->bytes + off, c->blk->len - off, CODE_BASE + off, NULL, 0, &k.st, &rest) != LIFT_OK) {
		snprintf(why, n, "lift after sbrk: %s", lift_errmsg(w->lc));
		return NULL;
	}
	Z3_ast d = all_diffs(w, q, &rest, c, so, why, n);
	lift_result_fini(&rest);
	return d ? and2(z, le->cond, d) : NULL;
}

/* The lifted code's exits against the spec outcome: the disjunction of (exit taken ∧ differs).
 * NULL when some path cannot be lifted (why says so). */
static Z3_ast all_diffs(tv_worker *w, query *q, const lift_result *lr, const code *c, const outcome *so,
                        char *why, size_t n)
{
	Z3_ast *d = malloc((lr->nexits ? lr->nexits : 1) * sizeof *d);
	for (size_t i = 0; i < lr->nexits; i++) {
		const lift_exit *le = &lr->exits[i];
		const jit_exit *je = le->kind == LIFT_EXIT_JUMP ? match_exit(c->ex, c->n_ex, le->target) : NULL;
		d[i] = je && je->kind == JIT_EXIT_SBRK ? sbrk_diffs(w, q, le, je, c, so, why, n)
		                                       : and2(q->z, le->cond, exit_diff(q, le, je, c->fall, so));
		if (!d[i]) {
			free(d);
			return NULL;
		}
	}
	Z3_ast r = Z3_mk_or(q->z, (unsigned)lr->nexits, d);
	free(d);
	return r;
}

static void lift_pre(tv_worker *w, query *q, lift_state *st)
{
	lift_state_fresh(w->lc, st, "host");
	for (int i = 0; i < PVM_NUM_REGS; i++) st->gpr[jit_reg_map[i]] = q->g[i];
	st->gpr[JIT_MEMBASE] = q->mb;
	st->mem = q->h;
}

/* The start and end of every proof: a ready worker, an empty counterexample; the result. */
static bool begin(tv_worker *w, tv_result *res, tv_cex *cex)
{
	memset(cex, 0, sizeof *cex);
	if (worker_ready(w)) return true;
	snprintf(res->detail, sizeof res->detail, "could not start Z3/Capstone");
	return false;
}

static tv_verdict finish(tv_result *res, tv_verdict v, double t0)
{
	res->ms = now_ms() - t0;
	res->verdict = v;
	res->symbolic = v == TV_CEX;
	return v;
}

tv_verdict tv_prove_template(tv_worker *w, const pvm_inst *in0, jit_imm_class cls, tv_result *res, tv_cex *cex)
{
	double t0 = now_ms();
	tv_verdict v = TV_UNKNOWN;
	if (!begin(w, res, cex)) goto out;
	/* a concrete immediate of the class for emission; the fields are symbolic anyway */
	static const uint64_t cand[] = { 0x12345678, 0x7b, 1, 0, 0xffffffffffffff85ull, 0xffffffff80000000ull };
	pvm_inst in = *in0;
	size_t ci = 0;
	while (ci < sizeof cand / sizeof cand[0] && !jit_class_holds(cls, cand[ci], cand[ci])) ci++;
	if (ci == sizeof cand / sizeof cand[0]) {
		snprintf(res->detail, sizeof res->detail, "no immediate found for class %s", jit_class_name(cls));
		goto out;
	}
	in.imm = in.imm2 = cand[ci];
	pvm_vector layout;
	memset(&layout, 0, sizeof layout);
	if (tv_program_for(&in, &layout) != PVM_OK) { /* sets pc 0, next, target as the cex program has them */
		pvm_vector_fini(&layout);
		snprintf(res->detail, sizeof res->detail, "cannot lay out a test program");
		goto out;
	}
	pvm_vector_fini(&layout);
	jit_features f = w->feat;
	jit_tpl tpl;
	jit_err je = jit_emit_template(&in, cls, f, &tpl);
	if (je != JIT_OK) {
		snprintf(res->detail, sizeof res->detail, "emit: %s", jit_strerror(je));
		goto out;
	}
	Z3_context z = w->z;
	query q;
	query_init(&q, z);
	unsigned form = pvm_ops[in.op].form;
	const char *operands = pvm_form_operands(form);
	bool has_x = strchr(operands, 'X'), has_y = strchr(operands, 'Y'), has_t = strchr(operands, 'T');
	/* The decoder's immediates are X_n of at most 4 bytes: exactly the sign-extended 32-bit
	 * values, so X is sext(X32) by construction (load_imm_64: any 64-bit value). */
	if (has_x) q.x = pvm_forms[form].f1_len == PVM_FR_EIGHT ? var(z, "imm", 64) : Z3_mk_sign_ext(z, 32, var(z, "imm", 32));
	if (has_y) q.y = Z3_mk_sign_ext(z, 32, var(z, "imm2", 32));
	/* Branch targets are labels: the JIT's BRANCH exit carries in.target, the spec sees the same
	 * symbol T (a block start: the block compiler sends other targets to a panic, proved per block). */
	Z3_ast is_block = NULL;
	if (has_t) {
		q.t = var(z, "target", 32);
		Z3_sort b32 = Z3_mk_bv_sort(z, 32);
		is_block = Z3_mk_const(z, Z3_mk_string_symbol(z, "is_block"), Z3_mk_array_sort(z, b32, Z3_mk_bool_sort(z)));
		assume(&q, Z3_mk_select(z, is_block, q.t));
	}
	lift_field fields[JIT_TPL_MAX_IMMS];
	for (size_t i = 0; i < tpl.n_imms; i++) {
		fields[i].offset = tpl.imms[i].off;
		fields[i].size = tpl.imms[i].width;
		fields[i].term = field_term(z, tpl.imms[i].which ? q.y : q.x, tpl.imms[i].enc);
		if (!fields[i].term) {
			snprintf(res->detail, sizeof res->detail, "immediate field with unknown encoding");
			goto out;
		}
	}
	/* exits with symbolic targets: mark them so exit_diff uses T */
	for (size_t i = 0; i < tpl.n_exits; i++)
		if (tpl.exits[i].kind == JIT_EXIT_BRANCH && has_t) tpl.exits[i].target = UINT32_MAX;
	patch_exits(tpl.bytes, tpl.exits, tpl.n_exits);
	lift_state st;
	lift_pre(w, &q, &st);
	lift_result lr;
	double T1 = now_ms();
	lift_err le = lift_block(w->lc, tpl.bytes, tpl.len, CODE_BASE, fields, tpl.n_imms, &st, &lr);
	double T2 = now_ms(); tv_phase_ms[0] += T2 - T1; tv_phase_ms[3] += T1 - t0;
	if (le != LIFT_OK) {
		snprintf(res->detail, sizeof res->detail, "lift: %s", lift_errmsg(w->lc));
		goto out;
	}
	sem_z3_post post;
	if (spec_step(&q, w->o->spec, &in, q.g, q.gm, q.gas, is_block, &post, res->detail,
	              sizeof res->detail)) {
		outcome so;
		spec_outcome(&q, &post, &so);
		code c = { .in = &in, .ex = tpl.exits, .n_ex = tpl.n_exits, .fall = in.next };
		res->detail[0] = 0;
		Z3_ast bad = all_diffs(w, &q, &lr, &c, &so, res->detail, sizeof res->detail);
		double T3 = now_ms(); tv_phase_ms[1] += T3 - T2;
		if (bad) {
			v = solve(w, &q, bad, in.target, cex, res->detail, sizeof res->detail);
			if (v == TV_CEX) tv_cex_describe(cex, &in, res->detail, sizeof res->detail);
		}
		tv_phase_ms[2] += now_ms() - T3;
	}
	lift_result_fini(&lr);
out:
	return finish(res, v, t0);
}

tv_verdict tv_prove_region(tv_worker *w, const pvm_program *p, uint32_t pc, tv_result *res, tv_cex *cex,
                           uint32_t *last_pc)
{
	double t0 = now_ms();
	tv_verdict v = TV_UNKNOWN;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	if (!begin(w, res, cex)) goto out;
	jit_features f = w->feat;
	jit_err je = jit_block_compile(p, pc, f, &blk);
	if (je != JIT_OK) {
		snprintf(res->detail, sizeof res->detail, "compile: %s", jit_strerror(je));
		goto out;
	}
	Z3_context z = w->z;
	query q;
	query_init(&q, z);
	/* the program's basic-block starts, concretely */
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	Z3_ast is_block = Z3_mk_const_array(z, b32, Z3_mk_false(z));
	for (uint32_t i = 0; i <= p->code_len; i++)
		if (p->is_block[i]) is_block = Z3_mk_store(z, is_block, num(z, i, 32), Z3_mk_true(z));
	/* compose the specs of the region's instructions */
	Z3_ast regs[PVM_NUM_REGS];
	memcpy(regs, q.g, sizeof regs);
	Z3_ast mem = q.gm;
	/* the region's cost as the spec engine charges it, never the JIT's own blk.cost: a wrong
	 * cost in the JIT must show. 0.7.2: the instructions up to the first that ends a region;
	 * 0.8.0: the cost model's ϱΔ of the block holding pc, L(pc) (entered with the gas-charged
	 * flag clear: the whole block is charged, ISA-NOTES-0.8 §4) */
	uint64_t n_cost = 1;
	if (p->isa == PVM_ISA_080) {
		uint32_t start = pvm_block_of(p, pc);
		n_cost = start == UINT32_MAX ? 0 : pvm_block_cost(p, start);
	} else {
		for (const pvm_inst *in = pvm_inst_at(p, pc); !pvm_op_ends_region(in->op); in = pvm_inst_at(p, in->next))
			n_cost++;
	}
	Z3_ast cost = num(z, n_cost, 64);
	Z3_ast gas_after = Z3_mk_bvsub(z, q.gas, cost);
	sem_z3_post post;
	uint32_t at = pc, last = pc;
	bool ok = true;
	size_t base_pre = q.n_pre;
	for (;;) {
		const pvm_inst *in = pvm_inst_at(p, at);
		last = at;
		if (!spec_step(&q, w->o->spec, in, regs, mem, gas_after, is_block, &post, res->detail, sizeof res->detail)) {
			ok = false;
			break;
		}
		memcpy(regs, post.regs, sizeof regs);
		mem = post.mem;
		if (pvm_op_ends_region(in->op)) break;
		at = in->next;
	}
	if (last_pc) *last_pc = last;
	if (ok) {
		outcome run, stay;
		spec_outcome(&q, &post, &run);
		/* gas < cost: out-of-gas at the region entry with nothing changed. The two cases are
		 * compared separately (not as one ite per value), so that in the running case both
		 * sides keep syntactically equal terms. */
		Z3_ast oog = Z3_mk_bvslt(z, q.gas, cost);
		stay.kind = num(z, K_OOG, 8);
		stay.pc = num(z, pc, 32);
		memcpy(stay.regs, q.g, sizeof stay.regs);
		stay.mem = q.gm;
		stay.gas = q.gas;
		/* the region's own accesses were assumed permitted only when it runs */
		for (size_t i = base_pre; i < q.n_pre; i++) q.pre[i] = Z3_mk_implies(z, Z3_mk_not(z, oog), q.pre[i]);
		patch_exits(blk.bytes, blk.exits, blk.n_exits);
		lift_state st;
		lift_pre(w, &q, &st);
		lift_result lr;
		lift_err le = lift_block(w->lc, blk.bytes, blk.len, CODE_BASE, NULL, 0, &st, &lr);
		if (le != LIFT_OK) {
			snprintf(res->detail, sizeof res->detail, "lift: %s", lift_errmsg(w->lc));
		} else {
			code c = { .blk = &blk, .p = p, .ex = blk.exits, .n_ex = blk.n_exits,
			           .fall = pvm_inst_at(p, last)->next };
			res->detail[0] = 0;
			Z3_ast d_stay = all_diffs(w, &q, &lr, &c, &stay, res->detail, sizeof res->detail);
			Z3_ast d_run = d_stay ? all_diffs(w, &q, &lr, &c, &run, res->detail, sizeof res->detail) : NULL;
			if (d_run) {
				Z3_ast bad = Z3_mk_or(z, 2, (Z3_ast[]){ and2(z, oog, d_stay), and2(z, Z3_mk_not(z, oog), d_run) });
				v = solve(w, &q, bad, 0, cex, res->detail, sizeof res->detail);
				if (v == TV_CEX) snprintf(res->detail, sizeof res->detail, "block at pc %u differs from the composed specs", pc);
			}
			lift_result_fini(&lr);
		}
	}
out:
	jit_block_fini(&blk);
	return finish(res, v, t0);
}

/* One case of the dispatcher proof: the address is 2c + 2 (table entry c) for c < n, or any
 * address that is none of those for c = n. */
static tv_verdict dispatch_case(tv_worker *w, const pvm_program *p, const pvm_inst *in, jit_block *blk, uint32_t c,
                                tv_result *res, tv_cex *cex)
{
	Z3_context z = w->z;
	query q;
	query_init(&q, z);
	q.x = Z3_mk_sign_ext(z, 32, var(z, "imm", 32));
	if (pvm_ops[in->op].form == PVM_FORM_REG2_IMM2) q.y = Z3_mk_sign_ext(z, 32, var(z, "imm2", 32));
	Z3_sort b32 = Z3_mk_bv_sort(z, 32), b64 = Z3_mk_bv_sort(z, 64);
	Z3_ast is_block = Z3_mk_const(z, Z3_mk_string_symbol(z, "is_block"), Z3_mk_array_sort(z, b32, Z3_mk_bool_sort(z)));
	q.entry = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, "entry"), 1, &b32, b64);
	uint32_t n = p->jt_len;
	sem_z3_post post;
	Z3_ast *cs = malloc((2 * n + 1) * sizeof *cs);
	if (!cs || !spec_step(&q, w->o->spec, in, q.g, q.gm, q.gas, is_block, &post, res->detail, sizeof res->detail)) {
		if (!cs) snprintf(res->detail, sizeof res->detail, "out of memory");
		free(cs);
		return TV_UNKNOWN;
	}
	assume(&q, Z3_mk_eq(z, q.jt_len, num(z, n, 32)));
	/* the template left the address zero-extended in rax (its own proof); in a table case it is
	 * a numeral here, so the dispatcher's table read is at a known slot */
	Z3_ast a = post.djump_addr;
	if (c < n) { /* slot c and the runtime's contract for it (the only slot read) */
		a = num(z, 2 * c + 2, 32);
		assume(&q, Z3_mk_eq(z, post.djump_addr, a));
		Z3_ast dest = Z3_mk_select(z, q.jump_table, num(z, c, 32)), e = Z3_mk_app(z, q.entry, 1, &dest);
		Z3_ast slot = Z3_mk_ite(z, Z3_mk_select(z, is_block, dest), e, num(z, 0, 64));
		assume(&q, Z3_mk_eq(z, host_read64(&q, q.h, JIT_JT(n, c)), slot));
		assume(&q, ne(z, e, num(z, 0, 64)));
	} else { /* none of the slots */
		for (uint32_t i = 0; i < n; i++) cs[i] = ne(z, a, num(z, 2 * i + 2, 32));
		assume(&q, Z3_mk_and(z, n, cs));
	}
	/* what makes a model fit the program's own table (the counterexample runs on it) */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t d = p->jump_table[i];
		cs[2 * i] = Z3_mk_eq(z, Z3_mk_select(z, q.jump_table, num(z, i, 32)), num(z, d, 32));
		cs[2 * i + 1] = Z3_mk_eq(z, Z3_mk_select(z, is_block, num(z, d, 32)),
		                        d <= p->code_len && p->is_block[d] ? Z3_mk_true(z) : Z3_mk_false(z));
	}
	cs[2 * n] = Z3_mk_eq(z, q.jt_len, num(z, n, 32));
	q.layout = Z3_mk_and(z, 2 * n + 1, cs);
	free(cs);
	outcome so = { .kind = Z3_mk_zero_ext(z, 5, post.status), .pc = post.pc, .mem = post.mem, .gas = post.gas };
	memcpy(so.regs, post.regs, sizeof so.regs);
	lift_state st;
	lift_pre(w, &q, &st);
	for (int i = 0; i < PVM_NUM_REGS; i++) st.gpr[jit_reg_map[i]] = post.regs[i];
	st.gpr[JIT_SCRATCH] = Z3_mk_zero_ext(z, 32, a);
	lift_result lr;
	if (lift_block(w->lc, blk->bytes, blk->len, CODE_BASE, NULL, 0, &st, &lr) != LIFT_OK) {
		snprintf(res->detail, sizeof res->detail, "lift: %s", lift_errmsg(w->lc));
		return TV_UNKNOWN;
	}
	code cd = { .in = in, .ex = blk->exits, .n_ex = blk->n_exits, .fall = in->pc };
	res->detail[0] = 0;
	tv_verdict v = TV_UNKNOWN;
	Z3_ast bad = all_diffs(w, &q, &lr, &cd, &so, res->detail, sizeof res->detail);
	if (bad) v = solve(w, &q, bad, 0, cex, res->detail, sizeof res->detail);
	lift_result_fini(&lr);
	return v;
}

/* The dispatcher is proved against the spec's djump for every address (the template puts it in
 * rax; its own proof covers that), with symbolic jump-table contents and block starts, split
 * exactly into the n table slots and the rest. The host table is the runtime's contract
 * (jit/compile.c, jit_program_new): slot i holds entry(jump_table[i]) when that is a block
 * start, else 0, where entry (uninterpreted, never 0) is the host address of a gas region; the
 * final `jmp rax` must go to entry(spec's pc). */
tv_verdict tv_prove_dispatch(tv_worker *w, const pvm_program *p, const pvm_inst *in, tv_result *res, tv_cex *cex)
{
	double t0 = now_ms();
	tv_verdict v = TV_UNKNOWN;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	if (!begin(w, res, cex)) goto out;
	jit_err je = jit_dispatch_compile(p, in->pc, &blk);
	if (je != JIT_OK) {
		snprintf(res->detail, sizeof res->detail, "compile: %s", jit_strerror(je));
		goto out;
	}
	patch_exits(blk.bytes, blk.exits, blk.n_exits);
	for (uint32_t c = 0; c <= p->jt_len; c++) {
		v = dispatch_case(w, p, in, &blk, c, res, cex);
		if (v != TV_PROVED) break;
	}
	if (v == TV_CEX)
		snprintf(res->detail, sizeof res->detail, "dispatcher of %s at pc %u differs from the spec's djump",
		         pvm_ops[in->op].name, in->pc);
out:
	jit_block_fini(&blk);
	return finish(res, v, t0);
}

const char *tv_kind_name(int k) { return k >= 0 && k <= K_BAD ? kind_names[k] : "?"; }
