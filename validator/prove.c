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
#include "validator/rewrite.h"

enum { K_CONT, K_HALT, K_PANIC, K_FAULT, K_HOST, K_OOG, K_DJUMP, K_BAD };
static const char *const kind_names[] = { "continue", "halt", "panic", "page-fault", "host-call",
                                          "out-of-gas", "dynamic-jump", "unexpected-exit" };
enum { CODE_BASE = 0x400000 };

static Z3_ast num(Z3_context z, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, w)); }
static Z3_ast var(Z3_context z, const char *name, unsigned w)
{
	return Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, w));
}
/* The connectives of a query, with the identities a != a = false, false & x = false, true & x = x
 * and false | x = x applied as they are built: equal terms are one node (Z3 hash-conses them), so a
 * register a template leaves as the spec does adds nothing to the query, and queries of two
 * register assignments differ only by the renaming the memo undoes (tv_rw_alpha). */
static bool is_false(Z3_context z, Z3_ast a) { return Z3_is_eq_ast(z, a, Z3_mk_false(z)); }
static Z3_ast ne(Z3_context z, Z3_ast a, Z3_ast b)
{
	return Z3_is_eq_ast(z, a, b) ? Z3_mk_false(z) : Z3_mk_not(z, Z3_mk_eq(z, a, b));
}
static Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b)
{
	if (is_false(z, a) || is_false(z, b)) return Z3_mk_false(z);
	if (Z3_is_eq_ast(z, a, Z3_mk_true(z))) return b;
	if (Z3_is_eq_ast(z, b, Z3_mk_true(z))) return a;
	Z3_ast x[2] = { a, b };
	return Z3_mk_and(z, 2, x);
}
static Z3_ast or_n(Z3_context z, size_t n, Z3_ast *d) /* d is reordered: its non-false terms first */
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!is_false(z, d[i])) d[k++] = d[i];
	return k == 0 ? Z3_mk_false(z) : k == 1 ? d[0] : Z3_mk_or(z, (unsigned)k, d);
}

void tv_worker_init(tv_worker *w, const tv_opts *o)
{
	memset(w, 0, sizeof *w);
	w->o = o;
	w->feat = tv_variant_features(tv_first_variant(o)); /* validate sets it per item */
	w->reading = o->reading;                              /* validate: per item too */
}

static void worker_close(tv_worker *w)
{
	tv_memo_clear(&w->unsat);
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
	tv_memo_free(&w->unsat);
	free(w->tpl_done);
	w->tpl_done = NULL;
	w->cap_tpl_done = w->n_tpl_done = 0;
	free(w->q_pre);
	free(w->q_acc);
	free(w->q_acc_len);
	w->q_pre = w->q_acc = NULL;
	w->q_acc_len = NULL;
	w->cap_pre = w->cap_acc = w->cap_acc_len = 0;
}

void tv_worker_phases(const tv_worker *w, double ms[TV_NUM_PHASES])
{
	for (int i = 0; i < TV_NUM_PHASES; i++) ms[i] += w->phase_ms[i];
}

size_t tv_worker_queries(const tv_worker *w) { return w->n_queries; }

tv_worker *tv_worker_new(const tv_opts *o)
{
	tv_worker *w = pvm_xmalloc(sizeof *w);
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
	tv_memo_clear(&w->unsat); /* the memo's terms die with the context */
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
	if (w->o->timeout_ms) Z3_params_set_uint(w->z, w->p, Z3_mk_string_symbol(w->z, "timeout"), w->o->timeout_ms);
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
	/* The lists below live in the worker's buffers (one query at a time per worker), grown as
	 * needed: a block has as many assumptions as accesses, and none may be lost (a lost
	 * assumption once made models that violate it, false counterexamples). */
	tv_worker *w;
	Z3_ast *pre;            /* assumptions */
	size_t n_pre;
	Z3_ast *acc_addr;       /* guest addresses the spec accesses (for the counterexample) */
	unsigned *acc_len;
	size_t n_acc;
	bool oom;               /* a list could not grow: the query is UNKNOWN */
	bool simple;            /* solve with the simple solver (small queries: setup dominates) */
	Z3_ast pc_sym;          /* dispatch proofs: the jump's pc as a symbol (spec and exits with pc_val),
	                         * so the proof of one jump shape is a memo hit at every pc */
	uint32_t pc_val;
} query;

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap) return true;
	size_t c = *cap ? *cap : 64;
	while (c < need) c *= 2;
	*p = pvm_xrealloc(*p, c * size);
	*cap = c;
	return true;
}

static void assume(query *q, Z3_ast c)
{
	tv_worker *w = q->w;
	if (!grow((void **)&w->q_pre, &w->cap_pre, q->n_pre + 1, sizeof *w->q_pre)) {
		q->oom = true;
		return;
	}
	q->pre = w->q_pre;
	q->pre[q->n_pre++] = c;
}

/* An access of the spec (nb bytes at guest address ad), for the counterexample's memory. */
static void add_access(query *q, Z3_ast ad, unsigned nb)
{
	tv_worker *w = q->w;
	if (!grow((void **)&w->q_acc, &w->cap_acc, q->n_acc + 1, sizeof *w->q_acc) ||
	    !grow((void **)&w->q_acc_len, &w->cap_acc_len, q->n_acc + 1, sizeof *w->q_acc_len)) {
		q->oom = true;
		return;
	}
	q->acc_addr = w->q_acc;
	q->acc_len = w->q_acc_len;
	q->acc_addr[q->n_acc] = ad;
	q->acc_len[q->n_acc++] = nb;
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

static void query_init(query *q, tv_worker *w)
{
	memset(q, 0, sizeof *q);
	Z3_context z = w->z;
	q->z = z;
	q->w = w;
	q->pre = w->q_pre;
	q->acc_addr = w->q_acc;
	q->acc_len = w->q_acc_len;
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
	pre.pc = q->pc_sym ? q->pc_sym : num(z, in->pc, 32);
	pre.next = num(z, in->next, 32);
	pre.gas = gas;
	pre.is_block = is_block;
	pre.readable = q->readable;
	pre.writable = q->writable;
	pre.jump_table = q->jump_table;
	pre.jt_len = q->jt_len;
	pre.reading = q->w->reading; /* the entry of the reading (sem_spec_get_reading: sbrk's break) */
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
		add_access(q, ad, nb);
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
		else pc = q->pc_sym && je->pc == q->pc_val ? q->pc_sym : num(z, je->pc, 32);
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
	return or_n(z, n, d);
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

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


/* Solve: unsat → PROVED; sat → counterexample (model minimized into *cex); else UNKNOWN. */
static tv_verdict solve(tv_worker *w, query *q, Z3_ast bad, uint32_t t_layout, tv_cex *cex, char *why, size_t n)
{
	Z3_context z = q->z;
	if (q->oom) {
		snprintf(why, n, "out of memory building the query");
		return TV_UNKNOWN;
	}
	if ((w->o->debug & TV_DEBUG_WEAKEN) && q->n_pre > 64) q->n_pre = 64;
	/* The memo before the rewrite too: the query as built, alpha-normalised, is equisatisfiable
	 * with its canonical form (every rewrite is an equivalence under the query's assumptions, which
	 * it holds), so one found unsat answers every alpha-equivalent one without rewriting it. */
	Z3_ast raw = NULL;
	if (w->o->memo) {
		raw = tv_rw_alpha(z, q->pre, q->n_pre, bad, q->g);
		if (raw && tv_memo_has(z, &w->unsat, raw)) {
			snprintf(why, n, "unsat (memo: an alpha-equivalent query was unsat)");
			return TV_PROVED;
		}
	}
	double C0 = now_ms();
	bad = tv_rw_canonical(z, bad, q->mb, q->acc_addr, q->acc_len, q->n_acc, true);
	for (size_t i = 0; i < q->n_pre; i++) q->pre[i] = tv_rw_canonical(z, q->pre[i], q->mb, q->acc_addr, q->acc_len, q->n_acc, false);
	w->phase_ms[TV_PHASE_REWRITE] += now_ms() - C0;
	/* A query the rewriter already reduced to false still goes through a solver (PROVED means
	 * unsat), but through the simple one: setting up the full solver costs ~100 ms. */
	Z3_ast norm = NULL;
	if (w->o->memo) {
		norm = tv_rw_alpha(z, q->pre, q->n_pre, bad, q->g);
		if (norm && (w->o->debug & TV_DEBUG_NORM)) fprintf(stderr, "NORM\n%s\nEND\n", Z3_ast_to_string(z, norm));
		if (norm && tv_memo_has(z, &w->unsat, norm)) {
			if (raw) tv_memo_add(z, &w->unsat, raw);
			snprintf(why, n, "unsat (memo: an alpha-equivalent query was unsat)");
			return TV_PROVED;
		}
	}
	/* the simple solver also for cheap cross-checks (rlimit_now): its setup is the cheap one */
	Z3_solver s = q->simple || w->rlimit_now || Z3_is_eq_ast(z, bad, Z3_mk_false(z)) ? w->simple : w->s;
	Z3_solver_inc_ref(z, s);
	Z3_solver_reset(z, s);
	Z3_params p = w->p;
	if (w->rlimit_now) { /* a cheaper limit for this query (the whole-block cross-check) */
		p = Z3_mk_params(z);
		Z3_params_inc_ref(z, p);
		Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "timeout"), w->o->timeout_ms);
		Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), w->rlimit_now);
		Z3_solver_set_params(z, s, p);
	} else {
		Z3_params_inc_ref(z, p);
	}
	w->n_queries++;
	bool z3_error; /* a Z3 error is UNKNOWN with Z3's message (z3check.h) */
	Z3_lbool r = tv_z3_check(z, s, q->pre, q->n_pre, bad, &z3_error, why, n);
	if (r == Z3_L_UNDEF && !z3_error && !w->rlimit_now) {
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
	if (w->o->debug & TV_DEBUG_RLIMIT) {
		Z3_stats st = Z3_solver_get_statistics(z, s);
		Z3_stats_inc_ref(z, st);
		for (unsigned i = 0; i < Z3_stats_size(z, st); i++)
			if (!strcmp(Z3_stats_get_key(z, st, i), "rlimit count"))
				fprintf(stderr, "rlimit %u verdict %d\n", Z3_stats_get_uint_value(z, st, i), v);
		Z3_stats_dec_ref(z, st);
	}
	if (w->o->debug & TV_DEBUG_QUERY) { /* the query and, when sat, the model */
		fprintf(stderr, "%s\n", Z3_solver_to_string(z, s));
		if (v == TV_CEX) fprintf(stderr, "model:\n%s\n", Z3_model_to_string(z, Z3_solver_get_model(z, s)));
	}
	if (v == TV_PROVED && norm) tv_memo_add(z, &w->unsat, norm);
	if (v == TV_PROVED && raw) tv_memo_add(z, &w->unsat, raw);
	if (v == TV_CEX) /* the probe's byte too: a wrong store shows only against the model's byte there */
		add_access(q, q->a, 1);
	if (v == TV_CEX && w->count_only) cex->valid = false; /* counted, not minimized (--max-cex) */
	else if (v == TV_CEX) {
		Z3_ast layout = q->layout ? q->layout : q->t ? Z3_mk_eq(z, q->t, num(z, t_layout, 32)) : NULL;
		tv_cex_from_model(w, q->z, s, q->g, q->x, q->y, q->t, q->gas, q->acc_addr, q->acc_len, q->n_acc, q->gm,
		                  layout, cex, w->o->timeout_ms);
	}
	if (w->rlimit_now) Z3_solver_set_params(z, s, w->p);
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
	bool piece;             /* one piece of a region: an sbrk continues at the next piece, and a
	                         * fall-through must also keep r15 = MB (the relation at the cut) */
} code;

static Z3_ast all_diffs(tv_worker *w, query *q, const lift_result *lr, const code *c, const outcome *so,
                        char *why, size_t n);

/* An sbrk exit goes on through the runtime, whose contract (jit/runtime.c run_sbrk) is:
 * r[rd] := sbrk(r[ra]) for the instruction at the exit's pc, the same uninterpreted function as
 * the spec's (sem_z3_sbrk), every other register and all memory unchanged, then the code of the
 * next instruction runs without a new gas charge. Under the peers' break reading (the spec's brk
 * entry) the same with brk(size) of the size's low 32 bits, except when brk_fails(size): then a
 * panic at the sbrk's pc with every register and all memory unchanged (pvm_sbrk_break's false).
 * Returns the disagreement on that path (NULL: the continuation does not lift, why says so). */
static Z3_ast sbrk_diffs(tv_worker *w, query *q, const lift_exit *le, const jit_exit *je, const code *c,
                         const outcome *so, char *why, size_t n)
{
	Z3_context z = q->z;
	const pvm_inst *in = c->p ? pvm_inst_at(c->p, je->pc) : c->in;
	if (!in || in->pc != je->pc || in->op != PVM_OP_sbrk) return and2(z, le->cond, exit_diff(q, le, NULL, 0, so));
	lift_exit k = *le;
	k.kind = LIFT_EXIT_FALL;
	Z3_ast fails = NULL; /* the break reading: brk_fails(size) */
	if ((q->w->reading & PVM_READING_SBRK_BREAK) && sem_spec_reading_differs(w->o->spec, PVM_OP_sbrk, q->w->reading)) {
		Z3_ast size = Z3_mk_zero_ext(z, 32, Z3_mk_extract(z, 31, 0, le->st.gpr[jit_reg_map[in->ra]]));
		fails = sem_z3_brk_fails(z, size);
		k.st.gpr[jit_reg_map[in->rd]] = sem_z3_brk(z, size);
	} else {
		k.st.gpr[jit_reg_map[in->rd]] = sem_z3_sbrk(z, le->st.gpr[jit_reg_map[in->ra]]);
	}
	Z3_ast panic_diff = NULL; /* the runtime's panic: the state at the exit, as a panic at the sbrk */
	if (fails) {
		lift_exit pe = *le;
		jit_exit pj = *je;
		pj.kind = JIT_EXIT_PANIC;
		panic_diff = and2(z, le->cond, and2(z, fails, exit_diff(q, &pe, &pj, 0, so)));
	}
	Z3_ast ok_cond = fails ? and2(z, le->cond, Z3_mk_not(z, fails)) : le->cond;
	const jit_pcmap *row = NULL;
	for (size_t i = 0; c->blk && i < c->blk->n_map; i++)
		if (c->blk->map[i].guest_pc == in->next) row = &c->blk->map[i];
	if (!row || c->piece) { /* a template, a piece, or the region's code ends here: continue at next */
		Z3_ast d = and2(z, ok_cond, exit_diff(q, &k, NULL, in->next, so));
		return panic_diff ? Z3_mk_or(z, 2, (Z3_ast[]){ panic_diff, d }) : d;
	}
	lift_result rest;
	uint32_t off = row->host_off;
	if (lift_block(w->lc, c->blk->bytes + off, c->blk->len - off, CODE_BASE + off, NULL, 0, &k.st, &rest) != LIFT_OK) {
		snprintf(why, n, "lift after sbrk: %s", lift_errmsg(w->lc));
		return NULL;
	}
	Z3_ast d = all_diffs(w, q, &rest, c, so, why, n);
	lift_result_fini(&rest);
	if (!d) return NULL;
	d = and2(z, ok_cond, d);
	return panic_diff ? Z3_mk_or(z, 2, (Z3_ast[]){ panic_diff, d }) : d;
}

/* The lifted code's exits against the spec outcome: the disjunction of (exit taken ∧ differs).
 * NULL when some path cannot be lifted (why says so). */
static Z3_ast all_diffs(tv_worker *w, query *q, const lift_result *lr, const code *c, const outcome *so,
                        char *why, size_t n)
{
	Z3_ast *d = pvm_xmalloc((lr->nexits ? lr->nexits : 1) * sizeof *d);
	for (size_t i = 0; i < lr->nexits; i++) {
		const lift_exit *le = &lr->exits[i];
		const jit_exit *je = le->kind == LIFT_EXIT_JUMP ? match_exit(c->ex, c->n_ex, le->target) : NULL;
		d[i] = je && je->kind == JIT_EXIT_SBRK ? sbrk_diffs(w, q, le, je, c, so, why, n)
		                                       : and2(q->z, le->cond, exit_diff(q, le, je, c->fall, so));
		if (d[i] && c->piece && le->kind == LIFT_EXIT_FALL) /* the next piece assumes r15 = MB */
			d[i] = Z3_mk_or(q->z, 2, (Z3_ast[]){ d[i], and2(q->z, le->cond, ne(q->z, le->st.gpr[JIT_MEMBASE], q->mb)) });
		if (!d[i]) {
			free(d);
			return NULL;
		}
	}
	Z3_ast r = or_n(q->z, lr->nexits, d);
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

/* The immediate a template proof emits its template with (its fields are then made symbolic). */
static bool class_candidate(jit_imm_class cls, uint64_t *imm)
{
	static const uint64_t cand[] = { 0x12345678, 0x7b, 1, 0, 0xffffffffffffff85ull, 0xffffffff80000000ull };
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (jit_class_holds(cls, cand[i], cand[i])) {
			*imm = cand[i];
			return true;
		}
	return false;
}

bool tv_template_code(const pvm_inst *in0, jit_imm_class cls, pvm_isa isa, jit_features f, pvm_inst *in, jit_tpl *tpl,
                      char *why, size_t n)
{
	/* a concrete immediate of the class for emission; the fields are symbolic anyway */
	*in = *in0;
	if (!class_candidate(cls, &in->imm)) {
		snprintf(why, n, "no immediate found for class %s", jit_class_name(cls));
		return false;
	}
	in->imm2 = in->imm;
	pvm_vector layout;
	memset(&layout, 0, sizeof layout);
	pvm_err pe = tv_program_for(in, isa, &layout); /* sets pc 0, next, target as the cex program has them */
	pvm_vector_fini(&layout);
	if (pe != PVM_OK) {
		snprintf(why, n, "cannot lay out a test program");
		return false;
	}
	jit_err je = jit_emit_template(in, cls, f, tpl);
	if (je != JIT_OK) {
		snprintf(why, n, "emit: %s", jit_strerror(je));
		return false;
	}
	return true;
}

tv_verdict tv_prove_template(tv_worker *w, const pvm_inst *in0, jit_imm_class cls, tv_result *res, tv_cex *cex)
{
	double t0 = now_ms();
	tv_verdict v = TV_UNKNOWN;
	if (!begin(w, res, cex)) goto out;
	pvm_inst in;
	jit_tpl tpl;
	if (!tv_template_code(in0, cls, sem_spec_isa(w->o->spec), w->feat, &in, &tpl, res->detail, sizeof res->detail))
		goto out;
	Z3_context z = w->z;
	query q;
	query_init(&q, w);
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
	double T2 = now_ms();
	w->phase_ms[TV_PHASE_LIFT] += T2 - T1;
	w->phase_ms[TV_PHASE_REWRITE] += T1 - t0;
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
		double T3 = now_ms();
		w->phase_ms[TV_PHASE_SPEC] += T3 - T2;
		if (bad) {
			v = solve(w, &q, bad, in.target, cex, res->detail, sizeof res->detail);
			if (v == TV_CEX) tv_cex_describe(cex, &in, res->detail, sizeof res->detail);
		}
		w->phase_ms[TV_PHASE_SOLVE] += now_ms() - T3;
	}
	lift_result_fini(&lr);
out:
	return finish(res, v, t0);
}

uint64_t tv_region_len(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	uint64_t n = 1;
	for (const pvm_inst *in = pvm_inst_at(p, pc); sem_spec_get(sp, in->op) && !pvm_op_ends_region(in->op);
	     in = pvm_inst_at(p, in->next))
		n++;
	return n;
}

uint64_t tv_region_cost(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	if (p->isa == PVM_ISA_080) { /* the whole block holding pc, L(pc), by the cost model (§4, §6) */
		uint32_t start = pvm_block_of(p, pc);
		return start == UINT32_MAX ? 0 : pvm_block_cost(p, start);
	}
	return tv_region_len(sp, p, pc);
}

tv_verdict tv_prove_region(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last_pc)
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
	if (L && !tv_link_exits(L, w, p, &blk, res->detail, sizeof res->detail)) goto out;
	Z3_context z = w->z;
	query q;
	query_init(&q, w);
	/* the program's basic-block starts, concretely: those the region's branches name (the spec
	 * reads is_block only at a branch target), all of them only for a dynamic jump */
	Z3_sort b32 = Z3_mk_bv_sort(z, 32);
	Z3_ast is_block = Z3_mk_const_array(z, b32, Z3_mk_false(z));
	bool all_starts = false;
	for (size_t k = 0; k < blk.n_map; k++) {
		const pvm_inst *bi = pvm_inst_at(p, blk.map[k].guest_pc);
		if (bi->op == PVM_OP_jump_ind || bi->op == PVM_OP_load_imm_jump_ind) all_starts = true;
		else if (bi->target <= p->code_len && p->is_block[bi->target])
			is_block = Z3_mk_store(z, is_block, num(z, bi->target, 32), Z3_mk_true(z));
	}
	for (uint32_t i = 0; all_starts && i <= p->code_len; i++)
		if (p->is_block[i]) is_block = Z3_mk_store(z, is_block, num(z, i, 32), Z3_mk_true(z));
	/* compose the specs of the region's instructions */
	Z3_ast regs[PVM_NUM_REGS];
	memcpy(regs, q.g, sizeof regs);
	Z3_ast mem = q.gm;
	/* the region's cost as the spec engine charges it (0.7.2: the instructions up to the first
	 * that ends a region; 0.8.0: the cost model's ϱΔ of L(pc)), never the JIT's own blk.cost: a
	 * wrong cost in the JIT must show */
	uint64_t n_cost = tv_region_cost(w->o->spec, p, pc);
	Z3_ast cost = num(z, n_cost, 64);
	Z3_ast gas_after = Z3_mk_bvsub(z, q.gas, cost);
	sem_z3_post post;
	uint32_t at = pc, last = pc;
	bool ok = true;
	size_t base_pre = q.n_pre;
	/* an instruction inside the region that may stop it (the break reading's sbrk: a panic when
	 * brk_fails) ends the composed run there: the state before it, a panic at its pc */
	enum { MAX_STOPS = 8 };
	Z3_ast stop_if[MAX_STOPS];
	outcome stop_at[MAX_STOPS];
	size_t n_stops = 0;
	for (;;) {
		const pvm_inst *in = pvm_inst_at(p, at);
		last = at;
		if (!spec_step(&q, w->o->spec, in, regs, mem, gas_after, is_block, &post, res->detail, sizeof res->detail)) {
			ok = false;
			break;
		}
		if (post.brk_fails && !pvm_op_ends_region(in->op)) {
			if (n_stops == MAX_STOPS) {
				snprintf(res->detail, sizeof res->detail, "more than %d instructions that may stop the region", MAX_STOPS);
				ok = false;
				break;
			}
			outcome *so = &stop_at[n_stops];
			so->kind = num(z, K_PANIC, 8);
			so->pc = num(z, in->pc, 32);
			memcpy(so->regs, regs, sizeof so->regs);
			so->mem = mem;
			so->gas = gas_after;
			stop_if[n_stops++] = post.brk_fails;
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
		for (size_t s = n_stops; s-- > 0;) { /* the first stop that holds decides */
			const outcome *so = &stop_at[s];
			run.kind = Z3_mk_ite(z, stop_if[s], so->kind, run.kind);
			run.pc = Z3_mk_ite(z, stop_if[s], so->pc, run.pc);
			for (int i = 0; i < PVM_NUM_REGS; i++) run.regs[i] = Z3_mk_ite(z, stop_if[s], so->regs[i], run.regs[i]);
			run.mem = Z3_mk_ite(z, stop_if[s], so->mem, run.mem);
		}
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

/* ---- a region proved piece by piece ------------------------------------------------------------
 * The region's code is cut at the JIT's pc map: piece -1 is the gas prologue [0, map[0]), piece k
 * the code of instruction k [map[k], map[k+1]) (the last one up to the end). Each piece is lifted
 * from a fresh host state related to a fresh guest state (guest register i in host register
 * jit_reg_map[i], r15 = MB, guest memory at MB + a, gas in the context; every other register,
 * flag and context byte arbitrary) and proved against its own instruction's spec: each exit it
 * takes agrees with the spec's outcome, and falling into the next piece leaves the relation
 * holding for the spec's post-state (registers, every guest byte, gas, and r15 = MB). The
 * prologue is proved against "gas < cost: out-of-gas, nothing changed; else gas - cost, go on".
 * By induction over the pieces the region's code agrees with the composed specs (README). */

/* The bytes a field holds for immediate v (the emitter's encoding, as field_term says). */
static uint64_t field_value(uint64_t v, unsigned enc)
{
	switch (enc) {
	case JIT_IMM_SEXT32: case JIT_IMM_LOW32: return v & 0xffffffffu;
	case JIT_IMM_LOW16: return v & 0xffff;
	case JIT_IMM_LOW8: return v & 0xff;
	case JIT_IMM_LOW8_MASK63: return v & 63;
	case JIT_IMM_LOW8_MASK31: return v & 31;
	default: return v;
	}
}

static bool in_field(const jit_tpl *t, size_t i)
{
	for (size_t k = 0; k < t->n_imms; k++)
		if (i >= t->imms[k].off && i < (size_t)t->imms[k].off + t->imms[k].width) return true;
	for (size_t k = 0; k < t->n_exits; k++)
		if (i >= t->exits[k].off && i < (size_t)t->exits[k].off + 4) return true;
	return false;
}

/* Is the piece [off, end) of blk the template of in for class cls, byte for byte: the template
 * a template proof proves (emitted with the class's candidate immediate, fields symbolic), with
 * in's immediates in its fields, and exits of the same kinds at the same offsets naming in's pc
 * (and in's target, a block start, for a branch)? Then that template proof covers the piece. */
static bool piece_is_template(jit_features f, const pvm_program *p, const jit_block *blk, const pvm_inst *in,
                              uint32_t off, uint32_t end, jit_imm_class cls)
{
	jit_tpl *t = pvm_xmalloc(sizeof *t), *c = pvm_xmalloc(sizeof *c);
	bool ok = false;
	pvm_inst ci = *in;
	if (!t || !c || !class_candidate(cls, &ci.imm)) goto out;
	ci.imm2 = ci.imm;
	if (jit_emit_template(in, cls, f, t) != JIT_OK || jit_emit_template(&ci, cls, f, c) != JIT_OK) goto out;
	if (t->len != end - off || c->len != t->len || t->n_imms != c->n_imms || t->n_exits != c->n_exits) goto out;
	for (size_t i = 0; i < t->len; i++) {
		if (in_field(t, i)) continue;
		if (t->bytes[i] != blk->bytes[off + i] || c->bytes[i] != t->bytes[i]) goto out;
	}
	for (size_t k = 0; k < t->n_imms; k++) {
		const jit_imm_field *fl = &t->imms[k];
		if (fl->off != c->imms[k].off || fl->width != c->imms[k].width || fl->enc != c->imms[k].enc ||
		    fl->which != c->imms[k].which || fl->width > 8)
			goto out;
		uint64_t want = field_value(fl->which ? in->imm2 : in->imm, fl->enc), got = 0;
		for (unsigned b = 0; b < fl->width; b++) got |= (uint64_t)blk->bytes[off + fl->off + b] << (8 * b);
		if (fl->width < 8) want &= (1ull << (8 * fl->width)) - 1;
		if (got != want) goto out;
	}
	size_t k = 0;
	for (size_t i = 0; i < blk->n_exits; i++) {
		const jit_exit *be = &blk->exits[i];
		if (be->off < off || be->off >= end) continue;
		if (k == t->n_exits) goto out;
		const jit_exit *te = &t->exits[k++];
		if (be->off != off + te->off || be->kind != te->kind || te->off != c->exits[k - 1].off) goto out;
		if (be->kind == JIT_EXIT_OOG) goto out; /* a template has none */
		if (be->kind == JIT_EXIT_DJUMP && be->reg != te->reg) goto out;
		if (be->pc != in->pc) goto out;
		if (be->kind == JIT_EXIT_BRANCH &&
		    (be->target != in->target || in->target > p->code_len || !p->is_block[in->target]))
			goto out;
	}
	ok = k == t->n_exits;
out:
	free(t);
	free(c);
	return ok;
}

static uint64_t tpl_key(const pvm_inst *in, jit_imm_class cls, uint8_t reading)
{
	return ((uint64_t)reading << 48 | (uint64_t)in->op << 32 | (uint64_t)in->ra << 24 | (uint64_t)in->rb << 16 |
	        (uint64_t)in->rd << 8 | (uint64_t)cls) + 1;
}

static bool tpl_done(const tv_worker *w, uint64_t key)
{
	if (!w->cap_tpl_done) return false;
	for (size_t i = (key * 0x9e3779b97f4a7c15ull) >> 40 & (w->cap_tpl_done - 1); w->tpl_done[i];
	     i = (i + 1) & (w->cap_tpl_done - 1))
		if (w->tpl_done[i] == key) return true;
	return false;
}

static void tpl_done_add(tv_worker *w, uint64_t key)
{
	if (2 * (w->n_tpl_done + 1) > w->cap_tpl_done) {
		size_t cap = w->cap_tpl_done ? 2 * w->cap_tpl_done : 1024;
		uint64_t *t = pvm_xcalloc(cap, sizeof *t);
		uint64_t *old = w->tpl_done;
		size_t old_cap = w->cap_tpl_done;
		w->tpl_done = t;
		w->cap_tpl_done = cap;
		w->n_tpl_done = 0;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i]) tpl_done_add(w, old[i]);
		free(old);
	}
	size_t i = (key * 0x9e3779b97f4a7c15ull) >> 40 & (w->cap_tpl_done - 1);
	while (w->tpl_done[i] && w->tpl_done[i] != key) i = (i + 1) & (w->cap_tpl_done - 1);
	if (!w->tpl_done[i]) w->n_tpl_done++;
	w->tpl_done[i] = key;
}

/* The prologue piece's bytes with its exit fields zeroed, if it is cacheable (its only exit the
 * OOG exit naming the region's entry). */
static bool prologue_bytes(const jit_block *blk, uint32_t end, uint8_t out[32])
{
	if (end > 32) return false;
	memcpy(out, blk->bytes, end);
	for (size_t i = 0; i < blk->n_exits; i++) {
		const jit_exit *x = &blk->exits[i];
		if (x->off >= end) continue;
		if (x->kind != JIT_EXIT_OOG || x->pc != blk->entry_pc || x->off + 4 > end) return false;
		memset(out + x->off, 0, 4);
	}
	return true;
}

/* Proves one piece; k < 0 is the prologue. *cex_pc gets the guest pc the model's state is at. */
static tv_verdict prove_piece(tv_worker *w, const pvm_program *p, jit_block *blk, long k, uint64_t cost,
                              tv_result *res, tv_cex *cex, uint32_t *cex_pc, size_t *n_tpl)
{
	if (k >= 0 && w->o->memo) {
		/* the piece is a template instance: its template proof (symbolic immediates, so the
		 * memo answers every later instance of the same shape); a template that does not
		 * prove is proved here as a piece, so a counterexample is one of this block */
		const pvm_inst *in = pvm_inst_at(p, blk->map[k].guest_pc);
		uint32_t off = blk->map[k].host_off;
		uint32_t end = k + 1 < (long)blk->n_map ? blk->map[k + 1].host_off : (uint32_t)blk->len;
		jit_imm_class cls[JIT_CLASS_COUNT];
		size_t ncls = jit_op_classes(in->op, cls, JIT_CLASS_COUNT);
		for (size_t i = 0; i < ncls; i++) {
			if (!jit_class_holds(cls[i], in->imm, in->imm2) || !piece_is_template(w->feat, p, blk, in, off, end, cls[i]))
				continue;
			uint64_t key = tpl_key(in, cls[i], w->reading);
			if (tpl_done(w, key)) { /* this worker proved that very template already */
				(*n_tpl)++;
				return TV_PROVED;
			}
			tv_result tr;
			memset(&tr, 0, sizeof tr);
			if (tv_prove_template(w, in, cls[i], &tr, cex) == TV_PROVED) {
				tpl_done_add(w, key);
				(*n_tpl)++;
				return TV_PROVED;
			}
			break;
		}
	}
	uint8_t pb[32];
	bool pro_cacheable = k < 0 && prologue_bytes(blk, blk->map[0].host_off, pb);
	for (size_t i = 0; pro_cacheable && i < w->n_pro_done; i++)
		if (w->pro_done[i].cost == cost && w->pro_done[i].len == blk->map[0].host_off &&
		    !memcmp(w->pro_done[i].bytes, pb, blk->map[0].host_off)) {
			*cex_pc = blk->entry_pc;
			return TV_PROVED; /* the same prologue bytes for the same cost: proved already */
		}
	if (!begin(w, res, cex)) return TV_UNKNOWN;
	Z3_context z = w->z;
	query q;
	query_init(&q, w);
	uint32_t off = k < 0 ? 0 : blk->map[k].host_off;
	uint32_t end = k + 1 < (long)blk->n_map ? blk->map[k + 1].host_off : (uint32_t)blk->len;
	const pvm_inst *in = k < 0 ? NULL : pvm_inst_at(p, blk->map[k].guest_pc);
	*cex_pc = in ? in->pc : blk->entry_pc;
	outcome run, stay;
	Z3_ast oog = NULL;
	if (!in) {
		Z3_ast c = num(z, cost, 64);
		oog = Z3_mk_bvslt(z, q.gas, c);
		stay.kind = num(z, K_OOG, 8);
		stay.pc = num(z, blk->entry_pc, 32);
		memcpy(stay.regs, q.g, sizeof stay.regs);
		stay.mem = q.gm;
		stay.gas = q.gas;
		run = stay;
		run.kind = num(z, K_CONT, 8);
		run.gas = Z3_mk_bvsub(z, q.gas, c);
	} else {
		/* block starts, for a branch target (concrete) or a dynamic jump (the whole table) */
		Z3_sort b32 = Z3_mk_bv_sort(z, 32);
		Z3_ast is_block = Z3_mk_const_array(z, b32, Z3_mk_false(z));
		if (in->op == PVM_OP_jump_ind || in->op == PVM_OP_load_imm_jump_ind) {
			for (uint32_t i = 0; i <= p->code_len; i++)
				if (p->is_block[i]) is_block = Z3_mk_store(z, is_block, num(z, i, 32), Z3_mk_true(z));
		} else if (in->target <= p->code_len && p->is_block[in->target]) {
			is_block = Z3_mk_store(z, is_block, num(z, in->target, 32), Z3_mk_true(z));
		}
		sem_z3_post post;
		if (!spec_step(&q, w->o->spec, in, q.g, q.gm, q.gas, is_block, &post, res->detail, sizeof res->detail))
			return TV_UNKNOWN;
		spec_outcome(&q, &post, &run);
	}
	lift_state st;
	lift_pre(w, &q, &st);
	lift_result lr;
	if (lift_block(w->lc, blk->bytes + off, end - off, CODE_BASE + off, NULL, 0, &st, &lr) != LIFT_OK) {
		snprintf(res->detail, sizeof res->detail, "lift piece at +%u: %s", off, lift_errmsg(w->lc));
		return TV_UNKNOWN;
	}
	code c = { .blk = blk, .p = p, .ex = blk->exits, .n_ex = blk->n_exits, .fall = in ? in->next : blk->entry_pc,
	           .piece = true };
	res->detail[0] = 0;
	tv_verdict v = TV_UNKNOWN;
	Z3_ast bad = NULL;
	if (oog) {
		Z3_ast d_stay = all_diffs(w, &q, &lr, &c, &stay, res->detail, sizeof res->detail);
		Z3_ast d_run = d_stay ? all_diffs(w, &q, &lr, &c, &run, res->detail, sizeof res->detail) : NULL;
		if (d_run) bad = Z3_mk_or(z, 2, (Z3_ast[]){ and2(z, oog, d_stay), and2(z, Z3_mk_not(z, oog), d_run) });
	} else {
		bad = all_diffs(w, &q, &lr, &c, &run, res->detail, sizeof res->detail);
	}
	if (bad) v = solve(w, &q, bad, in ? in->target : 0, cex, res->detail, sizeof res->detail);
	lift_result_fini(&lr);
	if (v == TV_PROVED && pro_cacheable && w->n_pro_done < sizeof w->pro_done / sizeof w->pro_done[0]) {
		struct tv_prologue_done *d = &w->pro_done[w->n_pro_done++];
		d->cost = (uint32_t)cost;
		d->len = blk->map[0].host_off;
		memcpy(d->bytes, pb, d->len);
	}
	if (v == TV_CEX) {
		if (in) snprintf(res->detail, sizeof res->detail, "piece of %s at pc %u (in the block at pc %u) differs from its spec",
		                 pvm_ops[in->op].name, in->pc, blk->entry_pc);
		else snprintf(res->detail, sizeof res->detail, "gas prologue of the block at pc %u differs from the spec", blk->entry_pc);
	}
	return v;
}

tv_verdict tv_prove_pieces(tv_worker *w, const pvm_program *p, const tv_links *L, uint32_t pc, tv_result *res,
                           tv_cex *cex, uint32_t *last_pc, uint32_t *cex_pc, size_t *n_pieces)
{
	double t0 = now_ms();
	tv_verdict v = TV_UNKNOWN;
	jit_block blk;
	memset(&blk, 0, sizeof blk);
	*cex_pc = pc;
	*n_pieces = 0;
	if (!begin(w, res, cex)) goto out;
	jit_features f = w->feat;
	jit_err je = jit_block_compile(p, pc, f, &blk);
	if (je != JIT_OK) {
		snprintf(res->detail, sizeof res->detail, "compile: %s", jit_strerror(je));
		goto out;
	}
	if (!blk.n_map || blk.map[0].guest_pc != pc) {
		snprintf(res->detail, sizeof res->detail, "compile: no pc map for the block at pc %u", pc);
		goto out;
	}
	/* the pc map must be the spec's instruction sequence: each row the next instruction of the
	 * previous one, ending at the region's terminator (else the cut would not be the spec's) */
	for (size_t k = 1; k < blk.n_map; k++)
		if (blk.map[k].guest_pc != pvm_inst_at(p, blk.map[k - 1].guest_pc)->next ||
		    blk.map[k].host_off < blk.map[k - 1].host_off) {
			snprintf(res->detail, sizeof res->detail, "pc map row %zu (pc %u) is not the next instruction", k,
			         blk.map[k].guest_pc);
			goto out;
		}
	const pvm_inst *last = pvm_inst_at(p, blk.map[blk.n_map - 1].guest_pc);
	if (last_pc) *last_pc = last->pc;
	if (!pvm_op_ends_region(last->op)) {
		snprintf(res->detail, sizeof res->detail, "the block at pc %u does not end in a terminator", pc);
		goto out;
	}
	for (size_t k = 0; k + 1 < blk.n_map; k++) {
		const pvm_inst *in = pvm_inst_at(p, blk.map[k].guest_pc);
		if (pvm_op_ends_region(in->op)) {
			snprintf(res->detail, sizeof res->detail, "a terminator inside the block at pc %u", pc);
			goto out;
		}
	}
	if (L && !tv_link_exits(L, w, p, &blk, res->detail, sizeof res->detail)) {
		v = TV_UNKNOWN;
		goto out;
	}
	patch_exits(blk.bytes, blk.exits, blk.n_exits);
	uint64_t cost = tv_region_cost(w->o->spec, p, pc), len = tv_region_len(w->o->spec, p, pc);
	if (len != blk.n_map) {
		/* the spec's region is the instructions up to its terminator; the pieces must be those */
		snprintf(res->detail, sizeof res->detail, "the block has %zu instructions, the spec's region %llu", blk.n_map,
		         (unsigned long long)len);
		goto out;
	}
	v = TV_PROVED;
	size_t n_tpl = 0;
	for (long k = -1; k < (long)blk.n_map && v == TV_PROVED; k++) {
		uint32_t at;
		v = prove_piece(w, p, &blk, k, cost, res, cex, &at, &n_tpl);
		(*n_pieces)++;
		if (v != TV_PROVED) *cex_pc = at;
	}
	if (v == TV_PROVED) snprintf(res->detail, sizeof res->detail, "%zu pieces (%zu by their template proof)", *n_pieces, n_tpl);
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
	query_init(&q, w);
	q.pc_sym = var(z, "jump_pc", 32);
	q.pc_val = in->pc;
	q.x = Z3_mk_sign_ext(z, 32, var(z, "imm", 32));
	if (pvm_ops[in->op].form == PVM_FORM_REG2_IMM2) q.y = Z3_mk_sign_ext(z, 32, var(z, "imm2", 32));
	Z3_sort b32 = Z3_mk_bv_sort(z, 32), b64 = Z3_mk_bv_sort(z, 64);
	Z3_ast is_block = Z3_mk_const(z, Z3_mk_string_symbol(z, "is_block"), Z3_mk_array_sort(z, b32, Z3_mk_bool_sort(z)));
	q.entry = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, "entry"), 1, &b32, b64);
	uint32_t n = p->jt_len;
	sem_z3_post post;
	Z3_ast *cs = pvm_xmalloc((2 * n + 1) * sizeof *cs);
	if (!cs || !spec_step(&q, w->o->spec, in, q.g, q.gm, q.gas, is_block, &post, res->detail, sizeof res->detail)) {
		if (!cs) snprintf(res->detail, sizeof res->detail, "out of memory");
		free(cs);
		return TV_UNKNOWN;
	}
	assume(&q, Z3_mk_eq(z, q.jt_len, num(z, n, 32)));
	/* the template left the address zero-extended in rax (its own proof); in a table case it is
	 * a numeral here, so the dispatcher's table read is at a known slot */
	Z3_ast a = post.djump_addr;
	if (c == UINT32_MAX) { /* every slot at once: a = 2c + 2 for a symbolic c < n */
		Z3_ast cs_ = var(z, "slot", 32);
		assume(&q, Z3_mk_bvult(z, cs_, num(z, n, 32)));
		a = Z3_mk_bvadd(z, Z3_mk_bvmul(z, num(z, 2, 32), cs_), num(z, 2, 32));
		assume(&q, Z3_mk_eq(z, post.djump_addr, a));
		Z3_ast dest = Z3_mk_select(z, q.jump_table, cs_), e = Z3_mk_app(z, q.entry, 1, &dest);
		Z3_ast slot = Z3_mk_ite(z, Z3_mk_select(z, is_block, dest), e, num(z, 0, 64));
		Z3_ast at = Z3_mk_bvadd(z, Z3_mk_bvadd(z, q.mb, num(z, (uint64_t)(int64_t)JIT_JT(n, 0), 64)),
		                        Z3_mk_bvmul(z, num(z, 8, 64), Z3_mk_zero_ext(z, 32, cs_)));
		Z3_ast rd = NULL;
		for (int k = 7; k >= 0; k--) {
			Z3_ast b = Z3_mk_select(z, q.h, Z3_mk_bvadd(z, at, num(z, (uint64_t)k, 64)));
			rd = rd ? Z3_mk_concat(z, rd, b) : b;
		}
		assume(&q, Z3_mk_eq(z, rd, slot));
		assume(&q, ne(z, e, num(z, 0, 64)));
	} else if (c < n) { /* slot c and the runtime's contract for it (the only slot read) */
		q.simple = true; /* n small queries */
		a = num(z, 2 * c + 2, 32);
		assume(&q, Z3_mk_eq(z, post.djump_addr, a));
		Z3_ast dest = Z3_mk_select(z, q.jump_table, num(z, c, 32)), e = Z3_mk_app(z, q.entry, 1, &dest);
		Z3_ast slot = Z3_mk_ite(z, Z3_mk_select(z, is_block, dest), e, num(z, 0, 64));
		assume(&q, Z3_mk_eq(z, host_read64(&q, q.h, JIT_JT(n, c)), slot));
		assume(&q, ne(z, e, num(z, 0, 64)));
	} else { /* none of the slots: a not in {2, 4, .., 2n}, written exactly as
	          * odd(a) or a < 2 or a > 2n (n disequalities cost Z3 40M resource units at n = 384) */
		Z3_ast none[3] = { ne(z, Z3_mk_extract(z, 0, 0, a), Z3_mk_unsigned_int64(z, 0, Z3_mk_bv_sort(z, 1))),
		                   Z3_mk_bvult(z, a, num(z, 2, 32)), Z3_mk_bvugt(z, a, num(z, 2ull * n, 32)) };
		assume(&q, Z3_mk_or(z, 3, none));
	}
	/* what makes a model fit the program's own table (the counterexample runs on it) */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t d = p->jump_table[i];
		cs[2 * i] = Z3_mk_eq(z, Z3_mk_select(z, q.jump_table, num(z, i, 32)), num(z, d, 32));
		cs[2 * i + 1] = Z3_mk_eq(z, Z3_mk_select(z, is_block, num(z, d, 32)),
		                        d <= p->code_len && p->is_block[d] ? Z3_mk_true(z) : Z3_mk_false(z));
	}
	cs[2 * n] = Z3_mk_and(z, 2, (Z3_ast[]){ Z3_mk_eq(z, q.jt_len, num(z, n, 32)),
	                                       Z3_mk_eq(z, q.pc_sym, num(z, in->pc, 32)) });
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
	/* every slot in one query with a symbolic slot number, then the rest; only if the symbolic
	 * query does not decide, slot by slot (n queries with a numeral slot) */
	v = p->jt_len ? dispatch_case(w, p, in, &blk, UINT32_MAX, res, cex) : TV_PROVED;
	if (v == TV_PROVED) {
		v = dispatch_case(w, p, in, &blk, p->jt_len, res, cex);
	} else if (v == TV_UNKNOWN) {
		for (uint32_t c = 0; c <= p->jt_len; c++) {
			v = dispatch_case(w, p, in, &blk, c, res, cex);
			if (v != TV_PROVED) break;
		}
	}
	if (v == TV_CEX)
		snprintf(res->detail, sizeof res->detail, "dispatcher of %s at pc %u differs from the spec's djump",
		         pvm_ops[in->op].name, in->pc);
out:
	jit_block_fini(&blk);
	return finish(res, v, t0);
}

/* An exit stub lifted: from a fresh state, the code at `code` (address base) must take exactly
 * one way out, a jump to exit_addr, having stored two numerals into the context's exit_kind and
 * exit_pc, and left every guest register and r15 as they were (terms equal after simplify:
 * Z3's simplifier is sound, so this is a proof, for every state). */
bool tv_lift_stub(tv_worker *w, const uint8_t *code, size_t len, uint64_t base, uint64_t exit_addr, uint32_t *kind,
                  uint32_t *pc)
{
	if (!worker_ready(w)) return false;
	Z3_context z = w->z;
	query q;
	query_init(&q, w);
	lift_state st;
	lift_pre(w, &q, &st);
	lift_result lr;
	if (lift_block(w->lc, code, len, base, NULL, 0, &st, &lr) != LIFT_OK) return false;
	bool ok = lr.nexits == 1 && lr.exits[0].kind == LIFT_EXIT_JUMP && lr.exits[0].target == exit_addr;
	if (ok) {
		const lift_exit *le = &lr.exits[0];
		ok = Z3_is_eq_ast(z, Z3_simplify(z, le->cond), Z3_mk_true(z)) &&
		     Z3_is_eq_ast(z, Z3_simplify(z, le->st.gpr[JIT_MEMBASE]), q.mb);
		for (int i = 0; ok && i < PVM_NUM_REGS; i++)
			ok = Z3_is_eq_ast(z, Z3_simplify(z, le->st.gpr[jit_reg_map[i]]), q.g[i]);
		uint64_t v[2];
		int32_t at[2] = { JIT_CTX(exit_kind), JIT_CTX(exit_pc) };
		for (int k = 0; ok && k < 2; k++) {
			Z3_ast a = Z3_mk_bvadd(z, q.mb, num(z, (uint64_t)(int64_t)at[k], 64));
			Z3_ast r = Z3_simplify(z, lift_mem_read(w->lc, le->st.mem, a, 4));
			ok = Z3_is_numeral_ast(z, r) && Z3_get_numeral_uint64(z, r, &v[k]);
		}
		if (ok) {
			*kind = (uint32_t)v[0];
			*pc = (uint32_t)v[1];
		}
	}
	lift_result_fini(&lr);
	return ok;
}

const char *tv_kind_name(int k) { return k >= 0 && k <= K_BAD ? kind_names[k] : "?"; }
