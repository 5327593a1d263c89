/* validator/smt2.c: queries as SMT-LIB 2 scripts, re-proved by a second solver (smt2.h).
 * The query is printed as the proof built it. Two constructs have no SMT-LIB 2 (QF_AUFBV) form and
 * are replaced by their definitions, nothing else: a read of an array that is built from a lambda
 * (the host memory H = λh. ite(h - MB < 2^32, G[h - MB], C[h]) under stores and ites) becomes the
 * read-over-write chain down to the lambda's body at the read index (select(store(A, i, v), j) =
 * ite(i = j, v, select(A, j)); select(ite(c, A, B), j) = ite(c, select(A, j), select(B, j));
 * select(λx. b, j) = b[x := j]), and ext_rotate_left/right(a, b) the shifts of a by b mod width.
 * Reads of arrays without a lambda (guest memory, the page maps, the jump table) stay arrays.
 * Z3's simplifier (the lifter simplifies as it goes) writes a division whose divisor it knows is
 * not zero as bvudiv_i, bvsrem_i, ...: "the same semantics as bvudiv, ..." (z3_api.h), printed
 * here as those. Any other operator outside QF_AUFBV is an error, never a silent change. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "pvm/pvm.h"
#include "validator/smt2.h"
#include "validator/tv.h"

extern char **environ;

/* ---- lambda-free, rotate-free terms ------------------------------------------------------------ */

/* Results already computed: the term t transformed (tag T), read j of array a (tag R), whether a
 * term holds a lambda (tag L), keyed by AST ids. */
enum { TAG_T = 1, TAG_R, TAG_L };
typedef struct slot { uint32_t tag, a, b; Z3_ast v; bool flag; } slot;
typedef struct xf {
	Z3_context z;
	slot *tab;
	size_t cap, n;
	const char *fail;       /* why a term has no SMT-LIB form here (NULL: none so far) */
	char op[96];            /* the text fail points to for an operator outside the list */
} xf;

static size_t slot_hash(uint32_t tag, uint32_t a, uint32_t b, size_t cap)
{
	uint64_t k = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ull ^ (uint64_t)tag * 0xbf58476d1ce4e5b9ull;
	return (size_t)(k >> 17) & (cap - 1);
}

static slot *slot_find(xf *x, uint32_t tag, uint32_t a, uint32_t b)
{
	for (size_t i = slot_hash(tag, a, b, x->cap);; i = (i + 1) & (x->cap - 1)) {
		slot *s = &x->tab[i];
		if (!s->tag || (s->tag == tag && s->a == a && s->b == b)) return s;
	}
}

/* The slot for (tag, a, b): found (tag set) or new (tag 0, to be filled by slot_put). */
static slot *slot_get(xf *x, uint32_t tag, uint32_t a, uint32_t b)
{
	if (2 * (x->n + 1) > x->cap) {
		slot *old = x->tab;
		size_t oc = x->cap;
		x->cap = oc ? 2 * oc : 1024;
		x->tab = pvm_xcalloc(x->cap, sizeof *x->tab);
		for (size_t i = 0; i < oc; i++)
			if (old[i].tag) *slot_find(x, old[i].tag, old[i].a, old[i].b) = old[i];
		free(old);
	}
	return slot_find(x, tag, a, b);
}

static void slot_put(xf *x, uint32_t tag, uint32_t a, uint32_t b, Z3_ast v, bool flag)
{
	slot *s = slot_get(x, tag, a, b);
	if (!s->tag) x->n++;
	*s = (slot){ tag, a, b, v, flag };
}

static unsigned id(xf *x, Z3_ast t) { return Z3_get_ast_id(x->z, t); }

static bool has_lambda(xf *x, Z3_ast t)
{
	Z3_context z = x->z;
	Z3_ast_kind k = Z3_get_ast_kind(z, t);
	if (k == Z3_QUANTIFIER_AST) return true;
	if (k != Z3_APP_AST) return false;
	Z3_app a = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, a);
	if (!n) return false;
	slot *s = slot_get(x, TAG_L, id(x, t), 0);
	if (s->tag) return s->flag;
	bool r = false;
	for (unsigned i = 0; i < n && !r; i++) r = has_lambda(x, Z3_get_app_arg(z, a, i));
	slot_put(x, TAG_L, id(x, t), 0, NULL, r);
	return r;
}

static Z3_ast term(xf *x, Z3_ast t);

/* Operators printed as SMT-LIB 2 (QF_AUFBV, with cvc5's `(as const ...)` arrays and bvcomp). */
static bool standard(Z3_decl_kind k)
{
	switch (k) {
	case Z3_OP_TRUE: case Z3_OP_FALSE: case Z3_OP_EQ: case Z3_OP_DISTINCT: case Z3_OP_ITE: case Z3_OP_AND:
	case Z3_OP_OR: case Z3_OP_XOR: case Z3_OP_NOT: case Z3_OP_IMPLIES: case Z3_OP_IFF:
	case Z3_OP_STORE: case Z3_OP_SELECT: case Z3_OP_CONST_ARRAY:
	case Z3_OP_BNUM: case Z3_OP_BADD: case Z3_OP_BSUB: case Z3_OP_BMUL: case Z3_OP_BNEG: case Z3_OP_BUDIV:
	case Z3_OP_BSDIV: case Z3_OP_BUREM: case Z3_OP_BSREM: case Z3_OP_BSMOD: case Z3_OP_BUDIV_I: case Z3_OP_BSDIV_I:
	case Z3_OP_BUREM_I: case Z3_OP_BSREM_I: case Z3_OP_BSMOD_I: case Z3_OP_ULEQ: case Z3_OP_SLEQ: case Z3_OP_UGEQ:
	case Z3_OP_SGEQ: case Z3_OP_ULT: case Z3_OP_SLT: case Z3_OP_UGT: case Z3_OP_SGT: case Z3_OP_BAND: case Z3_OP_BOR:
	case Z3_OP_BNOT: case Z3_OP_BXOR: case Z3_OP_BNAND: case Z3_OP_BNOR: case Z3_OP_BXNOR: case Z3_OP_CONCAT:
	case Z3_OP_SIGN_EXT: case Z3_OP_ZERO_EXT: case Z3_OP_EXTRACT: case Z3_OP_REPEAT: case Z3_OP_BCOMP:
	case Z3_OP_BSHL: case Z3_OP_BLSHR: case Z3_OP_BASHR: case Z3_OP_ROTATE_LEFT: case Z3_OP_ROTATE_RIGHT:
	case Z3_OP_UNINTERPRETED:
		return true;
	default:
		return false;
	}
}

/* The SMT-LIB operator of Z3's internal division kind k (bvudiv_i ...), or NULL. */
static Z3_ast (*internal_div(Z3_decl_kind k))(Z3_context, Z3_ast, Z3_ast)
{
	switch (k) {
	case Z3_OP_BUDIV_I: return Z3_mk_bvudiv;
	case Z3_OP_BSDIV_I: return Z3_mk_bvsdiv;
	case Z3_OP_BUREM_I: return Z3_mk_bvurem;
	case Z3_OP_BSREM_I: return Z3_mk_bvsrem;
	case Z3_OP_BSMOD_I: return Z3_mk_bvsmod;
	default: return NULL;
	}
}

/* select(arr, j) for an index j already transformed. */
static Z3_ast arr_read(xf *x, Z3_ast arr, Z3_ast j)
{
	Z3_context z = x->z;
	if (x->fail) return NULL;
	if (!has_lambda(x, arr)) {
		Z3_ast a = term(x, arr);
		return a ? Z3_mk_select(z, a, j) : NULL;
	}
	slot *s = slot_get(x, TAG_R, id(x, arr), id(x, j));
	if (s->tag) return s->v;
	Z3_ast r = NULL;
	if (Z3_get_ast_kind(z, arr) == Z3_QUANTIFIER_AST) {
		if (Z3_is_lambda(z, arr) && Z3_get_quantifier_num_bound(z, arr) == 1)
			r = term(x, Z3_substitute_vars(z, Z3_get_quantifier_body(z, arr), 1, &j));
		else x->fail = "a quantifier";
	} else {
		Z3_app a = Z3_to_app(z, arr);
		Z3_decl_kind dk = Z3_get_decl_kind(z, Z3_get_app_decl(z, a));
		unsigned n = Z3_get_app_num_args(z, a);
		if (dk == Z3_OP_STORE && n == 3) {
			Z3_ast i = term(x, Z3_get_app_arg(z, a, 1)), v = term(x, Z3_get_app_arg(z, a, 2));
			Z3_ast rest = arr_read(x, Z3_get_app_arg(z, a, 0), j);
			if (i && v && rest) r = Z3_mk_ite(z, Z3_mk_eq(z, i, j), v, rest);
		} else if (dk == Z3_OP_ITE && n == 3) {
			Z3_ast c = term(x, Z3_get_app_arg(z, a, 0));
			Z3_ast r1 = arr_read(x, Z3_get_app_arg(z, a, 1), j), r2 = arr_read(x, Z3_get_app_arg(z, a, 2), j);
			if (c && r1 && r2) r = Z3_mk_ite(z, c, r1, r2);
		} else {
			x->fail = "an array built from a lambda other than by store and ite";
		}
	}
	if (r) slot_put(x, TAG_R, id(x, arr), id(x, j), r, false);
	return r;
}

static Z3_ast term(xf *x, Z3_ast t)
{
	Z3_context z = x->z;
	if (x->fail) return NULL;
	Z3_ast_kind k = Z3_get_ast_kind(z, t);
	if (k == Z3_QUANTIFIER_AST) {
		x->fail = "a lambda or quantifier outside an array read";
		return NULL;
	}
	if (k != Z3_APP_AST) return t;
	Z3_app a = Z3_to_app(z, t);
	unsigned n = Z3_get_app_num_args(z, a);
	if (!n) return t;
	slot *s = slot_get(x, TAG_T, id(x, t), 0);
	if (s->tag) return s->v;
	Z3_decl_kind dk = Z3_get_decl_kind(z, Z3_get_app_decl(z, a));
	Z3_ast r = NULL;
	if (dk == Z3_OP_SELECT && n == 2) {
		Z3_ast j = term(x, Z3_get_app_arg(z, a, 1));
		r = j ? arr_read(x, Z3_get_app_arg(z, a, 0), j) : NULL;
	} else if ((dk == Z3_OP_EXT_ROTATE_LEFT || dk == Z3_OP_EXT_ROTATE_RIGHT) && n == 2) {
		Z3_ast v = term(x, Z3_get_app_arg(z, a, 0)), b = term(x, Z3_get_app_arg(z, a, 1));
		if (v && b) {
			Z3_sort srt = Z3_get_sort(z, v);
			Z3_ast w = Z3_mk_unsigned_int64(z, Z3_get_bv_sort_size(z, srt), srt);
			Z3_ast m = Z3_mk_bvurem(z, b, w), back = Z3_mk_bvsub(z, w, m);
			r = dk == Z3_OP_EXT_ROTATE_LEFT ? Z3_mk_bvor(z, Z3_mk_bvshl(z, v, m), Z3_mk_bvlshr(z, v, back))
			                                : Z3_mk_bvor(z, Z3_mk_bvlshr(z, v, m), Z3_mk_bvshl(z, v, back));
		}
	} else if (!standard(dk)) {
		Z3_symbol name = Z3_get_decl_name(z, Z3_get_app_decl(z, a));
		snprintf(x->op, sizeof x->op, "the operator %s", Z3_get_symbol_string(z, name));
		x->fail = x->op;
	} else {
		Z3_ast *args = pvm_xmalloc(n * sizeof *args);
		bool changed = false;
		for (unsigned i = 0; i < n && !x->fail; i++) {
			Z3_ast ai = Z3_get_app_arg(z, a, i);
			args[i] = term(x, ai);
			changed |= args[i] != ai;
		}
		if (!x->fail && n == 2 && internal_div(dk)) r = internal_div(dk)(z, args[0], args[1]);
		else if (!x->fail) r = changed ? Z3_update_term(z, t, n, args) : t;
		free(args);
	}
	if (r) slot_put(x, TAG_T, id(x, t), 0, r, false);
	return r;
}

char *tv_smt2_query(Z3_context z, const Z3_ast *pre, size_t n_pre, Z3_ast bad, const char *comment, char *why,
                    size_t n)
{
	xf x = { .z = z };
	Z3_ast *p = pvm_xmalloc((n_pre ? n_pre : 1) * sizeof *p);
	Z3_ast f = NULL;
	for (size_t i = 0; i < n_pre && !x.fail; i++) p[i] = term(&x, pre[i]);
	if (!x.fail) f = term(&x, bad);
	char *out = NULL;
	if (x.fail || !f) {
		snprintf(why, n, "no SMT-LIB form: %s", x.fail ? x.fail : "a missing term");
	} else {
		Z3_string s = Z3_benchmark_to_smtlib_string(z, "", "QF_AUFBV", "unknown", "", (unsigned)n_pre, p, f);
		if (Z3_get_error_code(z) != Z3_OK || !s) {
			snprintf(why, n, "Z3 could not print the query: %s", Z3_get_error_msg(z, Z3_get_error_code(z)));
		} else {
			size_t lc = comment ? strlen(comment) : 0, ls = strlen(s);
			out = pvm_xmalloc(lc + ls + 16);
			memcpy(out, comment ? comment : "", lc);
			memcpy(out + lc, s, ls);
			out[lc + ls] = 0;
			if (!strstr(out, "(check-sat)")) strcat(out, "\n(check-sat)\n");
		}
	}
	free(x.tab);
	free(p);
	return out;
}

/* ---- the second solver ------------------------------------------------------------------------- */

static const char *solver_bin(const char *solver)
{
	const char *env = getenv("JITPROOF_CVC5");
	return !strcmp(solver, "cvc5") && env && *env ? env : solver;
}

/* Runs bin with argv, its stdout and stderr into out[0..n) (the rest drained); false if it cannot
 * start. Killed after kill_ms. *status: its wait status (-1: killed by us). */
static bool run(const char *bin, char *const argv[], char *out, size_t n, unsigned kill_ms, int *status)
{
	int fd[2];
	if (pipe(fd)) return false;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	pid_t pid;
	int e = posix_spawnp(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (e) {
		close(fd[0]);
		return false;
	}
	size_t got = 0;
	bool killed = false;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long el = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= (long)kill_ms) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		struct pollfd pf = { fd[0], POLLIN, 0 };
		int r = poll(&pf, 1, (int)(kill_ms - el));
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) continue; /* the deadline is checked above */
		char buf[4096];
		ssize_t k = read(fd[0], buf, sizeof buf);
		if (k < 0 && errno == EINTR) continue;
		if (k <= 0) break;
		size_t c = (size_t)k < n - 1 - got ? (size_t)k : n - 1 - got;
		memcpy(out + got, buf, c);
		got += c;
	}
	out[got] = 0;
	close(fd[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
	*status = killed ? -1 : st;
	return true;
}

tv_recheck_answer tv_recheck_file(const char *solver, const char *path, unsigned timeout_ms, char *why, size_t n)
{
	char tl[32], out[2048];
	snprintf(tl, sizeof tl, "--tlimit=%u", timeout_ms);
	const char *bin = solver_bin(solver);
	char *argv[] = { (char *)bin, "--lang", "smt2", tl, (char *)path, NULL };
	int st;
	if (!run(bin, argv, out, sizeof out, timeout_ms + 10000, &st)) {
		snprintf(why, n, "%s: cannot run: %s", bin, strerror(errno));
		return TV_RECHECK_ERROR;
	}
	if (st == -1) {
		snprintf(why, n, "%s: killed after %u ms", bin, timeout_ms + 10000);
		return TV_RECHECK_UNKNOWN;
	}
	size_t l = strcspn(out, "\r\n");
	out[l] = 0;
	if (!strcmp(out, "unsat")) return TV_RECHECK_UNSAT;
	snprintf(why, n, "%s: %.200s", bin, l ? out : "no answer");
	if (!strcmp(out, "sat")) return TV_RECHECK_SAT;
	/* cvc5 at --tlimit: "unknown", or a line saying it was interrupted by its time limit */
	if (!strcmp(out, "unknown") || strstr(out, "timeout") || strstr(out, "time limit")) return TV_RECHECK_UNKNOWN;
	return TV_RECHECK_ERROR;
}

bool tv_recheck_available(const char *solver, char *why, size_t n)
{
	if (strcmp(solver, "cvc5")) {
		snprintf(why, n, "unknown solver '%s' (cvc5 is the one supported)", solver);
		return false;
	}
	const char *bin = solver_bin(solver);
	char *argv[] = { (char *)bin, "--version", NULL };
	char out[256];
	int st;
	if (!run(bin, argv, out, sizeof out, 10000, &st) || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) ||
	    !strstr(out, "cvc5")) {
		snprintf(why, n, "%s: not found or does not run (install Debian's cvc5, or set $JITPROOF_CVC5)", bin);
		return false;
	}
	return true;
}
