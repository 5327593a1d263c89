/* validator/cex.c: counterexamples. A Z3 model is first strengthened toward small values (each
 * preference kept only while the query stays sat), then read out and written as a w3f vector:
 * the instruction, traps as terminators, the model's registers and memory, expected-* fields from
 * the interpreter. `jitproof replay` on that vector shows the divergence; tv_cex_confirm replays it
 * before any counterexample is reported. Also the fallback's random concrete values. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "interp/interp.h"
#include "jit/jit.h"
#include "validator/cex.h"
#include "validator/code.h"

static Z3_ast num(Z3_context z, uint64_t v, unsigned w) { return Z3_mk_unsigned_int64(z, v, Z3_mk_bv_sort(z, w)); }

/* A model being strengthened: m is the model of the last satisfiable check. Once a check comes
 * back unknown (a hard query, e.g. a 128-bit product) the remaining preferences are skipped. */
typedef struct shrink {
	Z3_context z;
	Z3_solver s;
	Z3_model m;
	bool hard;
} shrink;

static void set_timeout(Z3_context z, Z3_solver s, unsigned ms)
{
	Z3_params p = Z3_mk_params(z);
	Z3_params_inc_ref(z, p);
	Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "timeout"), ms);
	Z3_solver_set_params(z, s, p);
	Z3_params_dec_ref(z, p);
}

/* Keep constraint c if the query stays satisfiable with it. */
static bool prefer(shrink *k, Z3_ast c)
{
	if (k->hard) return false;
	Z3_solver_push(k->z, k->s);
	Z3_solver_assert(k->z, k->s, c);
	Z3_lbool r = Z3_solver_check(k->z, k->s);
	if (r == Z3_L_TRUE) {
		Z3_model m = Z3_solver_get_model(k->z, k->s);
		Z3_model_inc_ref(k->z, m);
		Z3_model_dec_ref(k->z, k->m);
		k->m = m;
		return true;
	}
	Z3_solver_pop(k->z, k->s, 1);
	k->hard = r == Z3_L_UNDEF;
	return false;
}

/* Small values first: 0, then one byte, a small negative, 16 bits, 32 bits. */
static void prefer_small(shrink *k, Z3_ast v)
{
	if (!v) return;
	Z3_context z = k->z;
	unsigned w = Z3_get_bv_sort_size(z, Z3_get_sort(z, v));
	Z3_ast lo[2] = { Z3_mk_bvsge(z, v, Z3_mk_bvneg(z, num(z, 256, w))), Z3_mk_bvslt(z, v, num(z, 0, w)) };
	Z3_ast c[] = { Z3_mk_eq(z, v, num(z, 0, w)), Z3_mk_bvule(z, v, num(z, 255, w)), Z3_mk_and(z, 2, lo),
	               Z3_mk_bvule(z, v, num(z, 0xffff, w)), Z3_mk_bvule(z, v, num(z, 0xffffffff, w)) };
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if (prefer(k, c[i])) return;
}

static uint64_t eval_u64(Z3_context z, Z3_model m, Z3_ast t)
{
	Z3_ast r;
	uint64_t v = 0;
	if (t && Z3_model_eval(z, m, t, true, &r)) Z3_get_numeral_uint64(z, r, &v);
	return v;
}

void tv_cex_from_model(tv_worker *w, Z3_context z, Z3_solver s, const Z3_ast g[PVM_NUM_REGS], Z3_ast x,
                       Z3_ast y, Z3_ast t, Z3_ast gas, const Z3_ast *acc_addr, const unsigned *acc_len,
                       size_t n_acc, Z3_ast gmem, Z3_ast layout, tv_cex *cex, unsigned timeout_ms)
{
	(void)w;
	memset(cex, 0, sizeof *cex);
	/* s has just answered sat; each preference is a bounded try */
	shrink k = { z, s, Z3_solver_get_model(z, s), false };
	Z3_model_inc_ref(z, k.m);
	set_timeout(z, s, timeout_ms < 2000 ? timeout_ms : 2000);
	cex->layout_ok = true;
	if (layout) cex->layout_ok = prefer(&k, layout);
	Z3_ast gs[2] = { Z3_mk_bvsge(z, gas, num(z, 0, 64)), Z3_mk_bvsle(z, gas, num(z, 1000, 64)) };
	prefer(&k, Z3_mk_and(z, 2, gs));
	/* accesses away from the top of the address space: a wider access there would cross 2^32,
	 * where the runtime's fault path (not the template) takes over and the bug would not replay */
	Z3_ast *low = pvm_xmalloc((n_acc ? n_acc : 1) * sizeof *low);
	for (size_t i = 0; low && i < n_acc; i++) low[i] = Z3_mk_bvule(z, acc_addr[i], num(z, 0xffff0000u, 32));
	if (low && n_acc && !prefer(&k, Z3_mk_and(z, (unsigned)n_acc, low))) /* all at once, else one by one */
		for (size_t i = 0; i < n_acc; i++) prefer(&k, low[i]);
	free(low);
	prefer_small(&k, x);
	prefer_small(&k, y);
	for (int i = 0; i < PVM_NUM_REGS; i++) prefer_small(&k, g[i]);
	set_timeout(z, s, timeout_ms);
	Z3_model m = k.m;
	for (int i = 0; i < PVM_NUM_REGS; i++) cex->regs[i] = eval_u64(z, m, g[i]);
	cex->x = eval_u64(z, m, x);
	cex->y = eval_u64(z, m, y);
	cex->t = (uint32_t)eval_u64(z, m, t);
	cex->gas = (int64_t)eval_u64(z, m, gas);
	for (size_t i = 0; i < n_acc; i++) {
		uint32_t ad = (uint32_t)eval_u64(z, m, acc_addr[i]);
		if (ad < PVM_LOW_LIMIT || ad > 0xffffffffu - (acc_len[i] - 1)) continue; /* never accessible */
		if (cex->n_acc == TV_CEX_MAX_ACC) {
			cex->acc_lost = true;
			break;
		}
		size_t k = cex->n_acc++;
		cex->acc[k].addr = ad;
		cex->acc[k].len = (uint8_t)acc_len[i];
		for (unsigned b = 0; b < acc_len[i]; b++) {
			Z3_ast at = num(z, (uint32_t)(ad + b), 32);
			cex->acc[k].bytes[b] = (uint8_t)eval_u64(z, m, Z3_mk_select(z, gmem, at));
		}
	}
	cex->valid = true;
	Z3_model_dec_ref(z, m);
}

void tv_cex_describe(const tv_cex *cex, const pvm_inst *in, char *out, size_t n)
{
	int k = snprintf(out, n, "%s", pvm_ops[in->op].name);
	uint8_t regs[3] = { in->ra, in->rb, in->rd };
	const char *names[3] = { "ra", "rb", "rd" };
	for (int i = 0; i < 3 && k < (int)n; i++)
		k += snprintf(out + k, n - k, " %s=r%u=0x%" PRIx64, names[i], regs[i], cex->regs[regs[i]]);
	if (k < (int)n) k += snprintf(out + k, n - k, " imm=0x%" PRIx64, cex->x);
	for (size_t i = 0; i < cex->n_acc && k < (int)n; i++)
		k += snprintf(out + k, n - k, " mem@0x%x", cex->acc[i].addr);
}

/* Page map and memory of the accesses: each touched page mapped writable (the proof assumes
 * every access permitted: a mapped read-only page that the model writes would fault on replay),
 * the bytes poked. */
static void add_accesses(pvm_vector *v, const tv_cex *cex)
{
	for (size_t i = 0; i < cex->n_acc; i++) {
		uint32_t first = cex->acc[i].addr & ~(uint32_t)(PVM_PAGE - 1);
		uint32_t last = (cex->acc[i].addr + cex->acc[i].len - 1) & ~(uint32_t)(PVM_PAGE - 1);
		for (uint64_t pg = first; pg <= last; pg += PVM_PAGE) {
			bool have = false;
			for (size_t j = 0; j < v->n_page_map; j++)
				if (pg >= v->page_map[j].address && pg - v->page_map[j].address < v->page_map[j].length) {
					have = true;
					v->page_map[j].writable = true;
				}
			if (have) continue;
			v->page_map = pvm_xrealloc(v->page_map, (v->n_page_map + 1) * sizeof *v->page_map);
			v->page_map[v->n_page_map++] = (pvm_pagemap){ (uint32_t)pg, PVM_PAGE, true };
		}
		v->initial_mem = pvm_xrealloc(v->initial_mem, (v->n_initial_mem + 1) * sizeof *v->initial_mem);
		pvm_chunk *c = &v->initial_mem[v->n_initial_mem++];
		c->address = cex->acc[i].addr;
		c->len = cex->acc[i].len;
		c->data = pvm_xmalloc(c->len);
		memcpy(c->data, cex->acc[i].bytes, c->len);
	}
}

static char *dup_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strcspn(b, ".");
	char *s = pvm_xmalloc(n + 1);
	memcpy(s, b, n);
	s[n] = 0;
	return s;
}

/* The vector of a model of n instructions laid out from pc 0 (tv_program_for_n), the head's X the
 * model's (and with one instruction its Y). */
static pvm_err vector_of(const tv_cex *cex, pvm_inst *ins, size_t n, pvm_isa isa, const char *name, pvm_vector *v,
                         pvm_errbuf *e)
{
	memset(v, 0, sizeof *v);
	ins[0].imm = cex->x;
	if (n == 1) ins[0].imm2 = cex->y;
	if (tv_program_for_n(ins, n, isa, v) != PVM_OK) {
		pvm_errf(e, "%s: cannot encode %s%s%s with the counterexample's operands", name, pvm_ops[ins[0].op].name,
		         n > 1 ? " + " : "", n > 1 ? pvm_ops[ins[1].op].name : "");
		pvm_vector_fini(v);
		return PVM_EINVAL;
	}
	v->name = dup_name(name);
	memcpy(v->initial_regs, cex->regs, sizeof v->initial_regs);
	v->initial_pc = 0;
	v->initial_gas = 1000;
	add_accesses(v, cex);
	return PVM_OK;
}

pvm_err tv_cex_vector_template(const tv_cex *cex, const pvm_inst *in0, pvm_isa isa, const char *name,
                               pvm_vector *v, pvm_errbuf *e)
{
	pvm_inst in = *in0;
	return vector_of(cex, &in, 1, isa, name, v, e);
}

pvm_err tv_cex_vector_fused(const tv_cex *cex, const pvm_inst *a, const pvm_inst *b, pvm_isa isa, const char *name,
                            pvm_vector *v, pvm_errbuf *e)
{
	pvm_inst ab[2] = { *a, *b };
	return vector_of(cex, ab, 2, isa, name, v, e);
}

pvm_err tv_cex_vector_block(const tv_cex *cex, const pvm_vector *orig, uint32_t pc, uint64_t cost, const char *name,
                            pvm_vector *v, pvm_errbuf *e)
{
	memset(v, 0, sizeof *v);
	v->name = dup_name(name);
	v->isa = orig->isa;
	v->program = pvm_xmalloc(orig->program_len ? orig->program_len : 1);
	v->page_map = pvm_xmalloc((orig->n_page_map + 1) * sizeof *v->page_map);
	v->initial_mem = pvm_xcalloc(orig->n_initial_mem + 1, sizeof *v->initial_mem);
	memcpy(v->program, orig->program, orig->program_len);
	v->program_len = orig->program_len;
	if (orig->n_page_map) memcpy(v->page_map, orig->page_map, orig->n_page_map * sizeof *v->page_map);
	v->n_page_map = orig->n_page_map;
	for (size_t i = 0; i < orig->n_initial_mem; i++) {
		v->initial_mem[i] = orig->initial_mem[i];
		v->initial_mem[i].data = pvm_xmalloc(orig->initial_mem[i].len ? orig->initial_mem[i].len : 1);
		memcpy(v->initial_mem[i].data, orig->initial_mem[i].data, orig->initial_mem[i].len);
		v->n_initial_mem++;
	}
	memcpy(v->initial_regs, cex->regs, sizeof v->initial_regs);
	v->initial_pc = pc;
	/* Gas just enough for the region (when the model runs it): the run stops with out-of-gas at
	 * the next region, so the comparison is of the state right after the region, which a later
	 * block cannot overwrite. A model below the cost is the out-of-gas path itself. */
	v->initial_gas = cex->gas >= 0 && (uint64_t)cex->gas > cost ? (int64_t)cost : cex->gas;
	add_accesses(v, cex);
	return PVM_OK;
}

int tv_cex_replay(pvm_vector *v, const pvm_engine *jit, char *diff, size_t n, pvm_errbuf *e)
{
	pvm_program p;
	if (pvm_program_decode_isa(&p, v->isa, v->program, v->program_len, v->name ? v->name : "counterexample", e) !=
	    PVM_OK)
		return -1;
	void *pa = interp_engine.load(&p, e), *pb = pa ? jit->load(&p, e) : NULL;
	int r = -1;
	if (pa && pb) {
		pvm_state sa, sb;
		pvm_vector_initial_state(v, &sa);
		pvm_vector_initial_state(v, &sb);
		pvm_exit xa, xb;
		pvm_run_pair(&interp_engine, pa, &sa, &xa, jit, pb, &sb, &xb);
		r = !pvm_state_compare("interp", &sa, xa, jit->name, &sb, xb, diff, n);
		if (!r) snprintf(diff, n, "both engines: %s at pc %u, gas %" PRId64, pvm_status_name(xa.status), sa.pc, sa.gas);
		pvm_vector_set_expected(v, &sa, xa);
		pvm_state_fini(&sa);
		pvm_state_fini(&sb);
	}
	if (pa) interp_engine.free(pa);
	if (pb) jit->free(pb);
	pvm_program_fini(&p);
	return r;
}

/* GP 0.8.0: v as a step vector (the steps set up its initial state, one run, one assert of the
 * interpreter's result, the block costs), the format a 0.8 program replays in. */
static pvm_err write_vector08(const pvm_vector *v, FILE *f, pvm_errbuf *e)
{
	pvm_program p;
	pvm_err err = pvm_program_decode_isa(&p, PVM_ISA_080, v->program, v->program_len, v->name ? v->name : "cex", e);
	if (err) return err;
	void *prep = interp_engine.load(&p, e);
	if (!prep) {
		pvm_program_fini(&p);
		return PVM_EINVAL;
	}
	pvm_state init, s;
	pvm_vector_initial_state(v, &init);
	pvm_state_copy(&s, &init);
	pvm_exit x = interp_engine.run(prep, &s);
	pvm_vector08 v8;
	pvm_vector08_from_run(&v8, v->name ? v->name : "counterexample", v->program, v->program_len, &p, &init, &s, x);
	err = pvm_vector08_write(&v8, f);
	pvm_vector08_fini(&v8);
	pvm_state_fini(&s);
	pvm_state_fini(&init);
	interp_engine.free(prep);
	pvm_program_fini(&p);
	return err;
}

pvm_err tv_cex_save(const pvm_vector *v, const char *path, pvm_errbuf *e)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		pvm_errf(e, "%s: cannot write", path);
		return PVM_EIO;
	}
	pvm_err err = v->isa == PVM_ISA_080 ? write_vector08(v, f, e) : pvm_vector_write(v, f);
	if (fclose(f) != 0 && !err) err = PVM_EIO;
	if (err) pvm_errf(e, "%s: cannot write", path);
	return err;
}

/* ---- counterexamples are replayed before they are reported ---------------------------------- */

/* A symbolic counterexample is reported only if its vector v diverges on the interpreter and the
 * JIT whose code was proved (res->variant's): then TV_CEX (the vector written to path when there is a cex dir).
 * A vector that agrees, or that cannot be built (v NULL, why says so), means the proof's model is
 * not a real divergence: TV_BUG, never TV_CEX (the vector is still written, for the bug report). */
tv_verdict tv_cex_confirm(const tv_opts *o, tv_result *res, pvm_vector *v, const char *why, const char *path)
{
	char diff[200];
	pvm_errbuf e;
	int r = v ? tv_cex_replay(v, tv_engine_for(o, res->variant), diff, sizeof diff, &e) : -1;
	size_t l = strlen(res->detail);
	if (r < 0) {
		snprintf(res->detail + l, sizeof res->detail - l, "; VALIDATOR BUG: the model does not replay (%.100s)",
		         v ? e.msg : why);
	} else if (!r) {
		snprintf(res->detail + l, sizeof res->detail - l, "; VALIDATOR BUG: the model does not diverge on replay (%.100s)",
		         diff);
	}
	if (v && r >= 0 && o->cex_dir) {
		mkdir(o->cex_dir, 0777);
		if (tv_cex_save(v, path, &e) == PVM_OK) {
			snprintf(res->cex_file, sizeof res->cex_file, "%s", path);
		} else {
			l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, " (not written: %.100s)", e.msg);
		}
	}
	return r == 1 ? TV_CEX : TV_BUG;
}

/* ---- the fallback's random values ---------------------------------------------------------- */

uint64_t tv_rng_next(uint64_t *s)
{
	uint64_t x = *s += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static const uint64_t edge_values[] = {
	0, 1, 2, 0xffffffffffffffffull, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffff80000000ull, 31, 32, 63, 64,
};

uint64_t tv_pick_value(uint64_t *s)
{
	uint64_t r = tv_rng_next(s);
	switch (r % 4) {
	case 0: return edge_values[tv_rng_next(s) % (sizeof edge_values / sizeof edge_values[0])];
	case 1: return tv_rng_next(s) & 0xff;
	default: return tv_rng_next(s);
	}
}
