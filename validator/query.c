/* validator/query.c: the equivalence query every proof kind builds (DESIGN.md § How a template is
 * proved), the worker it is built in, and the solver call.
 * Host side: the lifter runs the JIT's bytes from a state where guest register i is the Z3
 * constant ri in host register jit_reg_map[i], r15 is the symbolic sandbox base MB and memory is
 * an array H. Guest side: specs/pvm.yaml over the same ri, with guest memory λa. H[MB + zext(a)].
 * Z3 is asked for a pre-state where some exit of the lifted code disagrees with the spec on the
 * outcome kind, successor pc, any of the 13 registers, the byte at a fresh guest address, or
 * gas. PROVED only on unsat; sat gives a model (then minimized) for the counterexample vector.
 * The proof assumes every memory access is permitted (>= 0x10000, not wrapping, page mapped):
 * the fault paths are checked concretely by the fallback. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pvm/mutant.h"
#include "validator/query.h"
#include "validator/rewrite.h"
#include "validator/sha256.h"
#include "validator/smt2.h"
#include "validator/z3check.h"

static const char *const kind_names[] = { "continue", "halt", "panic", "page-fault", "host-call",
                                          "out-of-gas", "dynamic-jump", "unexpected-exit" };

void tv_worker_init(tv_worker *w, const tv_opts *o)
{
	memset(w, 0, sizeof *w);
	w->o = o;
	w->feat = tv_variant_features(tv_first_variant(o)); /* validate sets it per item */
	w->reading = o->reading;                              /* validate: per item too */
	w->step_latch = UINT32_MAX;
}

static void worker_close(tv_worker *w)
{
	tv_memo_clear(&w->unsat);
	tv_memo_clear(&w->recheck_gave_up);
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
	tv_memo_free(&w->recheck_gave_up);
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

void tv_worker_rechecks(const tv_worker *w, tv_report *rep)
{
	for (int k = 0; k < TV_NUM_QKINDS; k++)
		for (int a = 0; a < TV_RECHECK_ANSWERS; a++) rep->rechecked[k][a] += w->rechecked[k][a];
	rep->recheck_ms += w->recheck_ms;
	for (int k = 0; k < TV_NUM_QKINDS; k++) {
		rep->recheck_alpha[k] += w->recheck_alpha[k];
		rep->recheck_skipped[k] += w->recheck_skipped[k];
	}
}

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
bool tv_worker_ready(tv_worker *w)
{
	if (w->z && w->uses++ < 10000) return true;
	worker_close(w);
	tv_memo_clear(&w->unsat); /* the memo's terms die with the context */
	tv_memo_clear(&w->recheck_gave_up);
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


static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap) return true;
	size_t c = *cap ? *cap : 64;
	while (c < need) c *= 2;
	*p = pvm_xrealloc(*p, c * size);
	*cap = c;
	return true;
}

void tv_assume(tv_query *q, Z3_ast c)
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
void tv_add_access(tv_query *q, Z3_ast ad, unsigned nb)
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

static Z3_ast host_addr(tv_query *q, Z3_ast guest)
{
	return Z3_mk_bvadd(q->z, q->mb, Z3_mk_zero_ext(q->z, 32, guest));
}

/* 8-byte little-endian read of host memory at MB + d (d may be negative: the context). */
Z3_ast tv_host_read64(tv_query *q, Z3_ast mem, int32_t d)
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

void tv_query_init(tv_query *q, tv_worker *w)
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
	tv_assume(q, Z3_mk_eq(z, Z3_mk_extract(z, 31, 0, q->mb), num(z, 0, 32)));
	tv_assume(q, Z3_mk_bvult(z, q->mb, num(z, 1ull << 46, 64)));
	tv_assume(q, Z3_mk_bvuge(z, q->mb, num(z, 1ull << 32, 64)));
	q->gas = var(z, "gas", 64); /* in JIT_GASREG at every cut (jit.h) */
}

/* The term a JIT immediate field holds for guest immediate v. */
Z3_ast tv_field_term(Z3_context z, Z3_ast v, unsigned enc)
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
bool tv_spec_step(tv_query *q, const sem_spec *sp, const pvm_inst *in, const Z3_ast regs[PVM_NUM_REGS],
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
		tv_assume(q, Z3_mk_bvuge(z, ad, num(z, PVM_LOW_LIMIT, 32)));
		tv_assume(q, Z3_mk_bvule(z, ad, num(z, 0x100000000ull - nb, 32)));
		tv_add_access(q, ad, nb);
	}
	tv_assume(q, Z3_mk_not(z, post->fault));
	/* under that assumption the status and pc are the ones without a fault: the same terms,
	 * with the dead fault case (lowest faulting address, page rounding) left out */
	post->status = post->ok_status;
	post->pc = post->ok_pc;
	return true;
}

/* Outcome of the spec post-state (the fault case is excluded by the assumptions). */
void tv_spec_outcome(tv_query *q, const sem_z3_post *post, tv_outcome *o)
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

bool tv_spec_pair(tv_query *q, const sem_spec *sp, const pvm_inst *a, const pvm_inst *b, Z3_ast is_block_a,
                  Z3_ast is_block_b, tv_outcome *o, char *why, size_t n)
{
	Z3_context z = q->z;
	if (pvm_ops[a->op].acc != PVM_ACC_NOMEM || pvm_ops[b->op].acc != PVM_ACC_NOMEM || b->pc != a->next) {
		snprintf(why, n, "fusion of %s and %s: the composition is of two register instructions in sequence",
		         pvm_ops[a->op].name, pvm_ops[b->op].name);
		return false;
	}
	sem_z3_post pa, pb;
	tv_outcome oa, ob;
	if (!tv_spec_step(q, sp, a, q->g, q->gm, q->gas, is_block_a, &pa, why, n)) return false;
	tv_spec_outcome(q, &pa, &oa);
	if (!tv_spec_step(q, sp, b, oa.regs, oa.mem, oa.gas, is_block_b, &pb, why, n)) return false;
	tv_spec_outcome(q, &pb, &ob);
	/* a went on to b */
	Z3_ast cont = and2(z, Z3_mk_eq(z, oa.kind, num(z, K_CONT, 8)), Z3_mk_eq(z, oa.pc, num(z, b->pc, 32)));
	o->kind = Z3_mk_ite(z, cont, ob.kind, oa.kind);
	o->pc = Z3_mk_ite(z, cont, ob.pc, oa.pc);
	for (int i = 0; i < PVM_NUM_REGS; i++) o->regs[i] = Z3_mk_ite(z, cont, ob.regs[i], oa.regs[i]);
	o->mem = Z3_mk_ite(z, cont, ob.mem, oa.mem);
	o->gas = Z3_mk_ite(z, cont, ob.gas, oa.gas);
	return true;
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
Z3_ast tv_exit_diff(tv_query *q, const lift_exit *le, const jit_exit *je, uint32_t fall_pc, const tv_outcome *so)
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
	uint64_t skip = pvm_mutant_hook(PVM_HOOK_query_skip, PVM_NUM_REGS); /* (mutants only) a comparison left out */
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if ((uint64_t)i != skip) d[n++] = ne(z, le->st.gpr[jit_reg_map[i]], so->regs[i]);
	d[n++] = ne(z, Z3_mk_select(z, le->st.mem, host_addr(q, q->a)), Z3_mk_select(z, so->mem, q->a));
	/* the gas the exit hands over: rsp, and at an out-of-gas exit rsp + the cost its stub adds
	 * back (je->arg: the emitter's record, which validate's trampoline-stub proof shows the
	 * stub adds; in prove's linking, what the program's stub was lifted adding) */
	Z3_ast gas = le->st.gpr[JIT_GASREG];
	if (le->kind == LIFT_EXIT_JUMP && je && je->kind == JIT_EXIT_OOG) gas = Z3_mk_bvadd(z, gas, num(z, je->arg, 64));
	d[n++] = ne(z, gas, so->gas);
	return or_n(z, n, d);
}


void tv_patch_exits(uint8_t *bytes, const jit_exit *ex, size_t n)
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

double tv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


/* ---- the query as built, for --smt2-dir and the second solver (--recheck) -------------------- */

void tv_query_name(tv_worker *w, int kind, const char *fmt, ...)
{
	w->q_kind = (uint8_t)kind;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->q_name, sizeof w->q_name, fmt, ap);
	va_end(ap);
}

/* Writes text into o->smt2_dir as KIND_NAME_HASH.smt2 (the digest of the text: the same query is
 * the same file), or, with keep false, into a temporary file. The path in path; false if it
 * cannot be written. */
static bool script_file(const tv_worker *w, const char *text, bool keep, char *path, size_t n)
{
	size_t len = strlen(text);
	int fd;
	if (keep) {
		uint8_t d[32];
		char hex[65];
		tv_sha256(text, len, d);
		tv_sha256_hex(d, hex);
		snprintf(path, n, "%s/%s_%s_%.16s.smt2", w->o->smt2_dir, tv_qkind_name(w->q_kind), w->q_name, hex);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, n, "%s/jitproof-recheck-XXXXXX.smt2", tmp && *tmp ? tmp : "/tmp");
		fd = mkstemps(path, 5);
	}
	if (fd < 0) return false;
	bool ok = write(fd, text, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	if (!ok) unlink(path);
	return ok;
}

/* The query pre ∧ bad as built (before any rewrite), z3_said what Z3 made of it: written with
 * --smt2-dir, and re-proved by the second solver when recheck (Z3 said unsat). False on a
 * disagreement (the solver says sat, or fails): w->recheck_bad counted, w->recheck_why says it.
 * raw, norm: the query's memo keys before and after the rewriter (NULL: none). Once the second
 * solver gives up on a query, the queries with either key (alpha-equivalent as built, or after the
 * rewriter: the same hard core) are counted unknown without running it again, which bounds what
 * its limit costs to one query per key. */
static bool second_opinion(tv_worker *w, const Z3_ast *pre, size_t n_pre, Z3_ast bad, const char *z3_said, bool recheck,
                           Z3_ast raw, Z3_ast norm)
{
	if (recheck && ((raw && tv_memo_has(w->z, &w->recheck_gave_up, raw)) ||
	                (norm && tv_memo_has(w->z, &w->recheck_gave_up, norm)))) {
		w->recheck_skipped[w->q_kind]++;
		w->recheck_unknown++;
		if (raw) tv_memo_add(w->z, &w->recheck_gave_up, raw); /* its own alpha-equivalents are skipped too */
		if (norm) tv_memo_add(w->z, &w->recheck_gave_up, norm);
		recheck = false; /* still written with --smt2-dir */
		if (!w->o->smt2_dir) return true;
	}
	const tv_opts *o = w->o;
	Z3_context z = w->z;
	char comment[256], why[256] = "", path[4096] = "";
	snprintf(comment, sizeof comment, "; jitproof %s query: %s\n; Z3: %s\n", tv_qkind_name(w->q_kind), w->q_name,
	         z3_said);
	/* --debug recheck-wrong: the second solver gets the negated formula, a query that is not unsat */
	Z3_ast f = recheck && (o->debug & TV_DEBUG_RECHECK_WRONG) ? Z3_mk_not(z, bad) : bad;
	char *text = tv_smt2_query(z, pre, n_pre, f, comment, why, sizeof why);
	bool written = text && script_file(w, text, o->smt2_dir != NULL, path, sizeof path);
	if (text && !written) snprintf(why, sizeof why, "cannot write %s", path);
	if (!written && !recheck) {
		static atomic_flag warned = ATOMIC_FLAG_INIT;
		if (!atomic_flag_test_and_set(&warned))
			fprintf(stderr, "jitproof: warning: a query not written to %s: %s\n", o->smt2_dir, why);
	}
	free(text);
	if (!recheck) return true;
	tv_recheck_answer a = TV_RECHECK_ERROR;
	double t0 = tv_now_ms();
	if (written) a = tv_recheck_file(o->recheck, path, o->recheck_timeout_ms, why, sizeof why);
	w->recheck_ms += tv_now_ms() - t0;
	w->rechecked[w->q_kind][a]++;
	if (a == TV_RECHECK_UNKNOWN) {
		w->recheck_unknown++;
		if (raw) tv_memo_add(z, &w->recheck_gave_up, raw);
		if (norm) tv_memo_add(z, &w->recheck_gave_up, norm);
	}
	if (written && !o->smt2_dir) unlink(path);
	if (a == TV_RECHECK_UNSAT || a == TV_RECHECK_UNKNOWN) return true;
	w->recheck_bad++;
	int l = snprintf(w->recheck_why, sizeof w->recheck_why, "VALIDATOR BUG: Z3 said unsat, %s says %s: %s query %s",
	                 o->recheck, tv_recheck_answer_name(a), tv_qkind_name(w->q_kind), w->q_name);
	if (l > 0 && (size_t)l < sizeof w->recheck_why && o->smt2_dir && written)
		l += snprintf(w->recheck_why + l, sizeof w->recheck_why - (size_t)l, " (%s)", path);
	if (l > 0 && (size_t)l < sizeof w->recheck_why && a == TV_RECHECK_ERROR)
		snprintf(w->recheck_why + l, sizeof w->recheck_why - (size_t)l, ": %s", why);
	return false;
}

bool tv_recheck_claim(tv_worker *w, tv_query *q, Z3_ast ok)
{
	if (!w->o->recheck && !w->o->smt2_dir) return true;
	return second_opinion(w, q->pre, q->n_pre, Z3_mk_not(q->z, ok), "valid (by its simplifier)", w->o->recheck != NULL,
	                      NULL, NULL);
}

/* A query the memo answers before the rewriter: alpha-equivalent, as built, to one already
 * given to the second solver, which said unsat or gave up (a refuted one is never in the memo).
 * Counted so, not run (the renaming is a bijection: the same answer); written with --smt2-dir. */
static void alpha_opinion(tv_worker *w, const Z3_ast *pre, size_t n_pre, Z3_ast bad, Z3_ast raw)
{
	if (w->o->smt2_dir) second_opinion(w, pre, n_pre, bad, "unsat (memo, alpha-equivalent as built)", false, NULL, NULL);
	if (!w->o->recheck) return;
	if (tv_memo_has(w->z, &w->recheck_gave_up, raw)) {
		w->recheck_skipped[w->q_kind]++;
		w->recheck_unknown++;
	} else {
		w->recheck_alpha[w->q_kind]++;
	}
}

/* Solve: unsat → PROVED; sat → counterexample (model minimized into *cex); else UNKNOWN. */
tv_verdict tv_solve(tv_worker *w, tv_query *q, Z3_ast bad, uint32_t t_layout, tv_cex *cex, char *why, size_t n)
{
	Z3_context z = q->z;
	if (q->oom) {
		snprintf(why, n, "out of memory building the query");
		return TV_UNKNOWN;
	}
	if ((w->o->debug & TV_DEBUG_WEAKEN) && q->n_pre > 64) q->n_pre = 64;
	/* the query as built, before the rewriter: what --smt2-dir writes and the second solver re-proves */
	bool keep = w->o->smt2_dir || w->o->recheck;
	Z3_ast raw_bad = bad, *raw_pre = NULL;
	size_t n_raw = q->n_pre;
	if (keep) {
		raw_pre = pvm_xmalloc((n_raw ? n_raw : 1) * sizeof *raw_pre);
		memcpy(raw_pre, q->pre, n_raw * sizeof *raw_pre);
	}
	/* The memo before the rewrite too: the query as built, alpha-normalised, is equisatisfiable
	 * with its canonical form (every rewrite is an equivalence under the query's assumptions, which
	 * it holds), so one found unsat answers every alpha-equivalent one without rewriting it. */
	Z3_ast raw = NULL;
	if (w->o->memo) {
		raw = tv_rw_alpha(z, q->pre, q->n_pre, bad, q->g);
		if (raw && tv_memo_has(z, &w->unsat, raw)) {
			snprintf(why, n, "unsat (memo: an alpha-equivalent query was unsat)");
			/* the same query up to renaming: its representative was re-proved (or given up on) */
			if (keep) alpha_opinion(w, raw_pre, n_raw, raw_bad, raw);
			free(raw_pre);
			return TV_PROVED;
		}
	}
	double C0 = tv_now_ms();
	bad = tv_rw_canonical(z, bad, q->mb, q->acc_addr, q->acc_len, q->n_acc, true);
	for (size_t i = 0; i < q->n_pre; i++) q->pre[i] = tv_rw_canonical(z, q->pre[i], q->mb, q->acc_addr, q->acc_len, q->n_acc, false);
	if (w->o->debug & TV_DEBUG_UNSOUND_REWRITE) bad = Z3_mk_false(z);
	w->phase_ms[TV_PHASE_REWRITE] += tv_now_ms() - C0;
	/* A query the rewriter already reduced to false still goes through a solver (PROVED means
	 * unsat), but through the simple one: setting up the full solver costs ~100 ms. */
	Z3_ast norm = NULL;
	if (w->o->memo) {
		norm = tv_rw_alpha(z, q->pre, q->n_pre, bad, q->g);
		if (norm && (w->o->debug & TV_DEBUG_NORM)) fprintf(stderr, "NORM\n%s\nEND\n", Z3_ast_to_string(z, norm));
		if (norm && tv_memo_has(z, &w->unsat, norm)) {
			snprintf(why, n, "unsat (memo: an alpha-equivalent query was unsat)");
			/* this unsat rests on the rewriter: the second solver gets the query as built */
			tv_verdict mv = TV_PROVED;
			if (keep && !second_opinion(w, raw_pre, n_raw, raw_bad, "unsat (memo)", w->o->recheck != NULL, raw, norm)) {
				mv = TV_BUG; /* never PROVED, and never in the memo */
				snprintf(why, n, "%s", w->recheck_why);
			}
			if (mv == TV_PROVED && raw) tv_memo_add(z, &w->unsat, raw);
			free(raw_pre);
			return mv;
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
	Z3_lbool r = Z3_L_UNDEF;
	/* First the query with its division terms abstracted (rewrite.h): after the ite distribution
	 * both sides of a division template's query hold the same bvsdiv/bvsrem terms, and what
	 * remains to refute is about their guards; unsat there is unsat here, without bit-blasting
	 * a 64-bit divider (seconds per query). Sat or unknown: the query itself is solved. */
	if (s == w->s && w->o->memo && !w->rlimit_now) {
		Z3_ast *apre = pvm_xmalloc((q->n_pre ? q->n_pre : 1) * sizeof *apre), abad;
		if (tv_rw_abstract_div(z, q->pre, q->n_pre, bad, apre, &abad)) {
			r = tv_z3_check(z, s, apre, q->n_pre, abad, &z3_error, why, n);
			if (r == Z3_L_FALSE) {
				snprintf(why, n, "unsat (its divisions abstracted)");
			} else {
				r = Z3_L_UNDEF;
				Z3_solver_reset(z, s);
			}
		}
		free(apre);
	}
	if (r == Z3_L_UNDEF) r = tv_z3_check(z, s, q->pre, q->n_pre, bad, &z3_error, why, n);
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
	if (keep && !second_opinion(w, raw_pre, n_raw, raw_bad, v == TV_PROVED ? "unsat" : v == TV_CEX ? "sat" : "unknown",
	                            v == TV_PROVED && w->o->recheck, raw, norm)) {
		v = TV_BUG; /* never PROVED, and never in the memo */
		snprintf(why, n, "%s", w->recheck_why);
	}
	free(raw_pre);
	if (v == TV_PROVED && norm) tv_memo_add(z, &w->unsat, norm);
	if (v == TV_PROVED && raw) tv_memo_add(z, &w->unsat, raw);
	if (v == TV_CEX) /* the probe's byte too: a wrong store shows only against the model's byte there */
		tv_add_access(q, q->a, 1);
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


/* An sbrk exit goes on through the runtime, whose contract (jit/runtime.c run_sbrk) is:
 * r[rd] := sbrk(r[ra]) for the instruction at the exit's pc, the same uninterpreted function as
 * the spec's (sem_z3_sbrk), every other register and all memory unchanged, then the code of the
 * next instruction runs without a new gas charge. Under the peers' break reading (the spec's brk
 * entry) the same with brk(size) of the size's low 32 bits, except when brk_fails(size): then a
 * panic at the sbrk's pc with every register and all memory unchanged (pvm_sbrk_break's false).
 * Returns the disagreement on that path (NULL: the continuation does not lift, why says so). */
static Z3_ast sbrk_diffs(tv_worker *w, tv_query *q, const lift_exit *le, const jit_exit *je, const tv_code *c,
                         const tv_outcome *so, char *why, size_t n)
{
	Z3_context z = q->z;
	const pvm_inst *in = c->p ? pvm_inst_at(c->p, je->pc) : c->in;
	if (!in || in->pc != je->pc || in->op != PVM_OP_sbrk) return and2(z, le->cond, tv_exit_diff(q, le, NULL, 0, so));
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
		panic_diff = and2(z, le->cond, and2(z, fails, tv_exit_diff(q, &pe, &pj, 0, so)));
	}
	Z3_ast ok_cond = fails ? and2(z, le->cond, Z3_mk_not(z, fails)) : le->cond;
	const jit_pcmap *row = NULL;
	for (size_t i = 0; c->blk && i < c->blk->n_map; i++)
		if (c->blk->map[i].guest_pc == in->next) row = &c->blk->map[i];
	if (!row || c->piece) { /* a template, a piece, or the region's code ends here: continue at next */
		Z3_ast d = and2(z, ok_cond, tv_exit_diff(q, &k, NULL, in->next, so));
		return panic_diff ? Z3_mk_or(z, 2, (Z3_ast[]){ panic_diff, d }) : d;
	}
	lift_result rest;
	uint32_t off = row->host_off;
	if (lift_block(w->lc, c->blk->bytes + off, c->blk->len - off, CODE_BASE + off, NULL, 0, &k.st, &rest) != LIFT_OK) {
		snprintf(why, n, "lift after sbrk: %s", lift_errmsg(w->lc));
		return NULL;
	}
	Z3_ast d = tv_all_diffs(w, q, &rest, c, so, why, n);
	lift_result_fini(&rest);
	if (!d) return NULL;
	d = and2(z, ok_cond, d);
	return panic_diff ? Z3_mk_or(z, 2, (Z3_ast[]){ panic_diff, d }) : d;
}

/* The lifted code's exits against the spec outcome: the disjunction of (exit taken ∧ differs).
 * NULL when some path cannot be lifted (why says so). */
Z3_ast tv_all_diffs(tv_worker *w, tv_query *q, const lift_result *lr, const tv_code *c, const tv_outcome *so,
                    char *why, size_t n)
{
	Z3_ast *d = pvm_xmalloc((lr->nexits ? lr->nexits : 1) * sizeof *d);
	for (size_t i = 0; i < lr->nexits; i++) {
		const lift_exit *le = &lr->exits[i];
		const jit_exit *je = le->kind == LIFT_EXIT_JUMP ? match_exit(c->ex, c->n_ex, le->target) : NULL;
		lift_exit adj;
		if (le->kind == LIFT_EXIT_FALL && c->fall_gas) { /* what the code after the block adds */
			adj = *le;
			adj.st.gpr[JIT_GASREG] = Z3_mk_bvadd(q->z, le->st.gpr[JIT_GASREG], num(q->z, (uint64_t)c->fall_gas, 64));
			le = &adj;
		}
		d[i] = je && je->kind == JIT_EXIT_SBRK ? sbrk_diffs(w, q, le, je, c, so, why, n)
		                                       : and2(q->z, le->cond, tv_exit_diff(q, le, je, c->fall, so));
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

void tv_lift_pre(tv_worker *w, tv_query *q, lift_state *st)
{
	lift_state_fresh(w->lc, st, "host");
	for (int i = 0; i < PVM_NUM_REGS; i++) st->gpr[jit_reg_map[i]] = q->g[i];
	st->gpr[JIT_MEMBASE] = q->mb;
	st->gpr[JIT_GASREG] = q->gas;
	st->mem = q->h;
}

bool tv_lift_code(tv_worker *w, tv_query *q, uint8_t *bytes, size_t len, const jit_exit *ex, size_t n_ex,
                  lift_result *lr, char *why, size_t n)
{
	tv_patch_exits(bytes, ex, n_ex);
	lift_state st;
	tv_lift_pre(w, q, &st);
	if (lift_block(w->lc, bytes, len, CODE_BASE, NULL, 0, &st, lr) == LIFT_OK) return true;
	snprintf(why, n, "lift: %s", lift_errmsg(w->lc));
	return false;
}

/* The start and end of every proof: a ready worker, an empty counterexample; the result. */
bool tv_begin(tv_worker *w, tv_result *res, tv_cex *cex)
{
	memset(cex, 0, sizeof *cex);
	if (tv_worker_ready(w)) return true;
	snprintf(res->detail, sizeof res->detail, "could not start Z3/Capstone");
	return false;
}

tv_verdict tv_finish(tv_result *res, tv_verdict v, double t0)
{
	res->ms = tv_now_ms() - t0;
	res->verdict = v;
	res->symbolic = v == TV_CEX;
	return v;
}
const char *tv_kind_name(int k) { return k >= 0 && k <= K_BAD ? kind_names[k] : "?"; }
