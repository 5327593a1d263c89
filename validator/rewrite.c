/* validator/rewrite.c: the Z3 rewriter the validator runs over every query before solving it
 * (rewrite.h): read over write, ite distribution over division, the mulhsu identity, canonical
 * sum order, alpha-normalisation of guest registers and the unsat memo. Pure term rewriting:
 * no knowledge of the JIT or the spec beyond the host-index shape MB + zext(x) + c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "validator/rewrite.h"

static Z3_ast num(Z3_context z, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, w)); }

/* ---- ite distribution over division -------------------------------------------------------
 * f(.., ite(c, x, y), ..) = ite(c, f(.., x, ..), f(.., y, ..)) for f a division or remainder.
 * The JIT guards a divisor with a conditional move (0 → 1); after distribution and simplify
 * both sides share one bvudiv/bvsdiv term, which Z3 decides in milliseconds where it would
 * otherwise bit-blast two 64-bit dividers. A sound rewrite for every f; memoized on the DAG. */
/* A table from Z3 term ids to terms (open addressing, grows at half full). */
typedef struct table { unsigned *key; Z3_ast *val; size_t cap, n; } table;

static void table_init(table *t) { *t = (table){ pvm_xcalloc(256, sizeof *t->key), pvm_xcalloc(256, sizeof *t->val), 256, 0 }; }
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
		table g = { pvm_xcalloc(2 * t->cap, sizeof *g.key), pvm_xcalloc(2 * t->cap, sizeof *g.val), 2 * t->cap, t->n };
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
	Z3_ast small[8], *args = n <= 8 ? small : pvm_xmalloc(n * sizeof *args);
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
	Z3_ast small[8], *args = n <= 8 ? small : pvm_xmalloc(n * sizeof *args);
	for (unsigned i = 0; i < n; i++) args[i] = pre_rewrite(z, Z3_get_app_arg(z, app, i), m);
	Z3_ast r = Z3_update_term(z, t, n, args);
	if (args != small) free(args);
	Z3_ast rr = Z3_get_ast_kind(z, r) == Z3_APP_AST ? rewrite_mulhsu(z, Z3_to_app(z, r)) : NULL;
	if (rr) r = rr;
	table_put(&m->t, Z3_get_ast_id(z, t), r);
	return r;
}

Z3_ast tv_rw_canonical(Z3_context z, Z3_ast t, Z3_ast mb, const Z3_ast *acc_addr, const unsigned *acc_len,
                       size_t n_acc, bool drop)
{
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	Z3_params_set_bool(z, p, Z3_mk_string_symbol(z, "som"), true); /* one order for sums */
	Z3_params_set_bool(z, p, Z3_mk_string_symbol(z, "bv_sort_ac"), true);
	Z3_ast small[64], *acc = n_acc <= 64 ? small : pvm_xmalloc(n_acc * sizeof *acc);
	if (!acc) { /* without the access list nothing is dropped: still an equivalence */
		acc = small;
		n_acc = 0;
	}
	for (size_t i = 0; i < n_acc; i++) acc[i] = Z3_simplify_ex(z, acc_addr[i], p);
	memo m = { .mb = mb, .acc = acc, .acc_len = acc_len, .n_acc = drop ? n_acc : 0 }, pre = { 0 };
	table_init(&m.t);
	table_init(&pre.t);
	t = pre_rewrite(z, t, &pre);
	table_free(&pre.t);
	Z3_ast r = Z3_simplify_ex(z, distribute(z, Z3_simplify_ex(z, t, p), &m), p);
	Z3_params_dec_ref(z, p);
	table_free(&m.t);
	if (acc != small) free(acc);
	return r;
}

/* ---- alpha-normalisation and the memo of unsat queries --------------------------------------
 * A query (assumptions and canonical formula) with the guest-register constants r0..r12 renamed
 * g0, g1, ... in order of first occurrence in a depth-first walk. Only unsat answers are kept,
 * per Z3 context: a query alpha-equivalent to one Z3 found unsat is unsat. */
static void order_regs(Z3_context z, Z3_ast t, const Z3_ast regs[PVM_NUM_REGS], table *seen, int map[PVM_NUM_REGS],
                       int *next)
{
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return;
	unsigned id = Z3_get_ast_id(z, t);
	if (table_get(seen, id)) return;
	table_put(seen, id, t);
	Z3_app app = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, app);
	if (n == 0) {
		for (int i = 0; i < PVM_NUM_REGS; i++)
			if (map[i] < 0 && Z3_is_eq_ast(z, t, regs[i])) map[i] = (*next)++;
		return;
	}
	for (unsigned i = 0; i < n; i++) order_regs(z, Z3_get_app_arg(z, app, i), regs, seen, map, next);
}

Z3_ast tv_rw_alpha(Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad, const Z3_ast regs[PVM_NUM_REGS])
{
	Z3_ast *all = pvm_xmalloc((n_pre + 1) * sizeof *all);
	size_t n = 0;
	for (size_t i = 0; i < n_pre; i++) all[n++] = pre[i];
	all[n++] = bad;
	Z3_ast t = Z3_mk_and(z, (unsigned)n, all);
	table seen;
	table_init(&seen);
	int map[PVM_NUM_REGS], next = 0;
	for (int i = 0; i < PVM_NUM_REGS; i++) map[i] = -1;
	for (size_t i = 0; i < n; i++) order_regs(z, all[i], regs, &seen, map, &next);
	table_free(&seen);
	free(all);
	Z3_ast from[PVM_NUM_REGS], to[PVM_NUM_REGS];
	unsigned k = 0;
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		if (map[i] < 0) continue;
		char name[16];
		snprintf(name, sizeof name, "g%d", map[i]);
		from[k] = regs[i];
		to[k++] = Z3_mk_const(z, Z3_mk_string_symbol(z, name), Z3_mk_bv_sort(z, 64));
	}
	return Z3_substitute(z, t, k, from, to);
}

/* ---- abstraction of divisions ------------------------------------------------------------ */
static Z3_ast abstract(Z3_context z, Z3_ast t, table *m, size_t *k)
{
	if (Z3_get_ast_kind(z, t) != Z3_APP_AST) return t;
	Z3_app a = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, a);
	if (!n) return t;
	Z3_ast r = table_get(m, Z3_get_ast_id(z, t));
	if (r) return r;
	bool div = is_div(Z3_get_decl_kind(z, Z3_get_app_decl(z, a))), changed = false;
	for (unsigned i = 0; div && i < n; i++) div = !Z3_is_numeral_ast(z, Z3_get_app_arg(z, a, i));
	if (div) {
		r = Z3_mk_fresh_const(z, "div", Z3_get_sort(z, t));
		++*k;
	} else {
		Z3_ast small[8], *args = n <= 8 ? small : pvm_xmalloc(n * sizeof *args);
		for (unsigned i = 0; i < n; i++) {
			Z3_ast x = Z3_get_app_arg(z, a, i);
			args[i] = abstract(z, x, m, k);
			changed |= !Z3_is_eq_ast(z, args[i], x);
		}
		r = changed ? Z3_update_term(z, t, n, args) : t;
		if (args != small) free(args);
	}
	table_put(m, Z3_get_ast_id(z, t), r);
	return r;
}

size_t tv_rw_abstract_div(Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad, Z3_ast *out_pre, Z3_ast *out_bad)
{
	table m;
	table_init(&m);
	size_t k = 0;
	for (size_t i = 0; i < n_pre; i++) out_pre[i] = abstract(z, pre[i], &m, &k);
	*out_bad = abstract(z, bad, &m, &k);
	table_free(&m);
	return k;
}

/* A set of term ids (open addressing, grows at half full): every term the memo holds is alive
 * (the context keeps every term until it is deleted, and the memo is cleared with it), so an id
 * names one term. Slots hold id + 1 (0: empty). */
static size_t memo_at(const tv_memo *m, unsigned id)
{
	size_t i = (id * 2654435761u) & (m->cap - 1);
	while (m->slot[i] && m->slot[i] != id + 1u) i = (i + 1) & (m->cap - 1);
	return i;
}

bool tv_memo_has(Z3_context z, const tv_memo *m, Z3_ast t)
{
	return m->cap && m->slot[memo_at(m, Z3_get_ast_id(z, t))];
}

void tv_memo_add(Z3_context z, tv_memo *m, Z3_ast t)
{
	if (2 * (m->n + 1) > m->cap) {
		tv_memo g = { pvm_xcalloc(m->cap ? 2 * m->cap : 256, sizeof *g.slot), 0, m->cap ? 2 * m->cap : 256 };
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i]) g.slot[memo_at(&g, m->slot[i] - 1)] = m->slot[i], g.n++;
		free(m->slot);
		*m = g;
	}
	unsigned id = Z3_get_ast_id(z, t);
	size_t i = memo_at(m, id);
	m->n += !m->slot[i];
	m->slot[i] = id + 1u;
}

void tv_memo_clear(tv_memo *m)
{
	if (m->cap) memset(m->slot, 0, m->cap * sizeof *m->slot);
	m->n = 0;
}

void tv_memo_free(tv_memo *m)
{
	free(m->slot);
	*m = (tv_memo){ 0 };
}
