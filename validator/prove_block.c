/* validator/prove_block.c: `jitproof prove`'s proof of one compiled gas region of a real program
 * (tv_prove_block): from the proof store, else piece by piece (whole-region query where a piece
 * does not decide, and as a cross-check of short blocks), then the dispatcher of a dynamic jump
 * that ends it; an UNKNOWN gets the concrete fallback, a counterexample is replayed first. */
#include <stdlib.h>
#include <string.h>
#include "interp/interp.h"
#include "validator/code.h"
#include "validator/decodecheck.h"
#include "validator/prove.h"
#include "validator/store.h"

static pvm_err prove_block(tv_worker *wk, const pvm_program *p, const pvm_vector *v, const tv_links *L, uint32_t pc,
                           tv_result *res, pvm_errbuf *e);

/* A block's PROVED verdict from the store when it holds the block's key (its program's digest and
 * pc), else the proof, stored when PROVED. */
pvm_err tv_prove_block(tv_worker *wk, const pvm_program *p, const pvm_vector *v, const tv_links *L, uint32_t pc,
                       tv_result *res, pvm_errbuf *e)
{
	const tv_opts *o = wk->o;
	memset(res, 0, sizeof *res);
	if (pc > p->code_len || !p->is_start[pc]) {
		pvm_errf(e, "pc %u: no instruction starts there", pc);
		return PVM_EINVAL;
	}
	tv_links *own = NULL; /* no program's links given (lockstep): p compiled as it runs, for its chains and links */
	if (!L) {
		tv_opts oo = *o;
		oo.store = NULL;
		if (!(L = own = tv_links_new(&oo, p, e))) return PVM_EINVAL;
	}
	const uint8_t *digest = o->store && !(o->debug & TV_DEBUG_WEAKEN) ? tv_links_digest(L) : NULL;
	tv_key k;
	if (digest) tv_store_key_block(digest, o->spec, p, pc, wk->reading, &k);
	if (digest && tv_store_get(o->store, &k)) {
		res->op = pvm_inst_at(p, pc)->op;
		res->variant = (uint8_t)tv_first_variant(o);
		res->isa = (uint8_t)p->isa;
		snprintf(res->what, sizeof res->what, "block@%u", pc);
		res->verdict = tv_store_reused(res);
		tv_links_free(own);
		return PVM_OK;
	}
	size_t recheck_bad = wk->recheck_bad, recheck_unknown = wk->recheck_unknown; /* the second solver's, before */
	pvm_err err = prove_block(wk, p, v, L, pc, res, e);
	const tv_links *twin = tv_links_twin(L);
	if (!err && res->verdict == TV_PROVED && twin && !o->unfused) {
		/* the block as the twin has it (the program without fusions or chains, which a run that
		 * starts or stops between a pair's halves, or that a chain's gas cannot pay, takes, and
		 * keeps to its end: so every block of it, with the twin's own links): proved too,
		 * replayed on the unfused engines */
		tv_opts ou = *o;
		ou.unfused = true;
		tv_result r2;
		wk->o = &ou;
		err = prove_block(wk, p, v, twin, pc, &r2, e);
		wk->o = o;
		res->ms += r2.ms;
		if (!err && r2.verdict != TV_PROVED) {
			char d[sizeof res->detail];
			snprintf(d, sizeof d, "without fusions (the twin): %.220s", r2.detail);
			*res = r2;
			snprintf(res->detail, sizeof res->detail, "%s", d);
		} else if (!err) {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, "; without fusions (the twin): %.100s", r2.detail);
		}
	}
	if (!err && res->verdict == TV_PROVED && wk->recheck_bad != recheck_bad) { /* a query of its proof refuted */
		res->verdict = TV_BUG;
		snprintf(res->detail, sizeof res->detail, "%.255s", wk->recheck_why);
	} else if (!err && res->verdict == TV_PROVED && wk->recheck_unknown != recheck_unknown) {
		size_t l = strlen(res->detail);
		snprintf(res->detail + l, sizeof res->detail - l, "%s%s gave up on %zu of its queries", l ? "; " : "",
		         o->recheck, wk->recheck_unknown - recheck_unknown);
	}
	if (!err && digest && res->verdict == TV_PROVED) tv_store_put_result(o->store, &k, res);
	tv_links_free(own);
	return err;
}

static pvm_err prove_block(tv_worker *wk, const pvm_program *p, const pvm_vector *v, const tv_links *L, uint32_t pc,
                           tv_result *res, pvm_errbuf *e)
{
	const tv_opts *o = wk->o;
	tv_cex cex;
	const pvm_inst *in = pvm_inst_at(p, pc);
	res->op = in->op;
	res->variant = (uint8_t)tv_first_variant(o);
	res->isa = (uint8_t)p->isa;
	snprintf(res->what, sizeof res->what, "block@%u", pc);
	uint32_t last_pc = pc, cex_pc = pc, cex_last = UINT32_MAX; /* cex_last: tv_prove_pieces' */
	bool fallback_cex = false; /* a counterexample of the concrete fallback (its state in cex) */
	size_t n_pieces = 0;
	unsigned non_block = 0; /* static targets that are not block starts: proved linked to a panic */
	if (tv_check_decode(o, p, v, pc, wk->reading, res, &non_block) != TV_PROVED) return PVM_OK;
	tv_verdict verdict = TV_UNKNOWN;
	bool step_cex = false, step_pages = false; /* a counterexample of the step the region links (its model at the latch) */
	wk->step_latch = UINT32_MAX;
	if (!o->whole_block) verdict = tv_prove_pieces(wk, p, L, pc, res, &cex, &last_pc, &cex_pc, &cex_last, &n_pieces);
	if (o->whole_block || verdict == TV_UNKNOWN) {
		/* the whole region in one query (also where a piece does not lift or decide) */
		char why[120];
		snprintf(why, sizeof why, "%.100s", res->detail);
		double ms = res->ms;
		cex_pc = pc;
		cex_last = UINT32_MAX;
		verdict = tv_prove_region(wk, p, L, pc, res, &cex, &last_pc);
		res->ms += ms;
		if (!o->whole_block && verdict != TV_PROVED) {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, " (pieces: %.100s)", why);
		}
	} else if (verdict == TV_PROVED && !o->no_cross_check && n_pieces <= 1 + TV_CROSS_CHECK_MAX) {
		/* a short block: the whole-region query as a cross-check of the composition */
		tv_result x;
		memset(&x, 0, sizeof x);
		tv_cex xc;
		wk->rlimit_now = TV_CROSS_CHECK_RLIMIT;
		tv_verdict cv = tv_prove_region(wk, p, L, pc, &x, &xc, &last_pc);
		wk->rlimit_now = 0;
		res->ms += x.ms;
		if (cv == TV_CEX) { /* the pieces proved what the whole query refutes: replayed below */
			verdict = TV_CEX;
			cex = xc;
			cex_pc = pc;
			cex_last = UINT32_MAX;
			snprintf(res->detail, sizeof res->detail, "pieces PROVED but the whole-block cross-check differs: %.180s",
			         x.detail);
			res->verdict = TV_CEX;
			res->symbolic = true;
		} else {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, ", whole-block cross-check %s", tv_verdict_name(cv));
		}
	}
	/* a region that ends in a dynamic jump continues through its dispatcher: proved too */
	const pvm_inst *last = pvm_inst_at(p, last_pc);
	if (verdict == TV_PROVED && (last->op == PVM_OP_jump_ind || last->op == PVM_OP_load_imm_jump_ind)) {
		tv_result d;
		memset(&d, 0, sizeof d);
		verdict = tv_prove_dispatch(wk, p, last, &d, &cex);
		res->ms += d.ms;
		if (verdict != TV_PROVED) {
			snprintf(res->detail, sizeof res->detail, "%s", d.detail);
			cex_pc = last->pc; /* the model is the state at the jump */
		} else {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, ", dispatcher PROVED");
		}
		res->verdict = verdict;
		res->symbolic = d.symbolic;
	}
	/* a region whose latch links a step (jit.h § steps) continues through it: proved too */
	if (verdict == TV_PROVED && wk->step_latch != UINT32_MAX) {
		uint32_t latch = wk->step_latch;
		tv_result d;
		memset(&d, 0, sizeof d);
		verdict = tv_prove_step(wk, p, L, latch, &d, &cex, &step_pages);
		res->ms += d.ms;
		if (verdict != TV_PROVED) {
			snprintf(res->detail, sizeof res->detail, "%s", d.detail);
			cex_pc = latch;
			step_cex = verdict == TV_CEX;
		} else {
			size_t l = strlen(res->detail);
			snprintf(res->detail + l, sizeof res->detail - l, ", step of the loop at pc %u PROVED",
			         pvm_inst_at(p, latch)->target);
		}
		res->verdict = verdict;
		res->symbolic = d.symbolic;
	}
	if (verdict == TV_PROVED && non_block) {
		size_t l = strlen(res->detail);
		snprintf(res->detail + l, sizeof res->detail - l, "; %u static target%s not a block start: a panic exit",
		         non_block, non_block == 1 ? "" : "s");
	}
	if (verdict == TV_UNKNOWN && v && o->fallback_states) {
		/* the whole program from this block on both engines, registers varied */
		char why[200];
		snprintf(why, sizeof why, "unknown (%.150s)", res->detail);
		double t0 = tv_now_ms();
		uint64_t seed = o->seed ^ pc;
		verdict = TV_FALLBACK_AGREE;
		const pvm_engine *jit = tv_engine_for(o, tv_first_variant(o));
		void *pa = interp_engine.load(p, e), *pb = jit->load(p, e);
		for (unsigned k = 0; k < o->fallback_states && pa && pb; k++) {
			pvm_state sa, sb;
			pvm_vector_initial_state(v, &sa);
			for (int i = 0; i < PVM_NUM_REGS; i++)
				if (k) sa.regs[i] = tv_pick_value(&seed);
			sa.pc = pc;
			pvm_state_copy(&sb, &sa);
			uint64_t start[PVM_NUM_REGS];
			memcpy(start, sa.regs, sizeof start);
			pvm_exit xa, xb; /* (the JIT under a run limit: a run from pc goes on past the block) */
			pvm_run_pair(&interp_engine, pa, &sa, &xa, jit, pb, &sb, &xb);
			char diff[256];
			if (!pvm_perm_compare(&interp_engine, pa, &sa, jit, pb, &sb, true, diff, sizeof diff) ||
			    !pvm_state_compare("interp", &sa, xa, jit->name, &sb, xb, diff, sizeof diff) ||
			    !pvm_perm_compare(&interp_engine, pa, &sa, jit, pb, &sb, false, diff, sizeof diff)) {
				verdict = TV_CEX;
				snprintf(res->detail, sizeof res->detail, "%.80s; fallback: state %u: %.140s", why, k, diff);
				/* the state as a vector (the given one, from this pc with these registers), replayed
				 * below like a model's: a counterexample only when the engines diverge on it */
				memset(&cex, 0, sizeof cex);
				cex.valid = true;
				memcpy(cex.regs, start, sizeof cex.regs);
				cex.gas = v->initial_gas;
				cex_pc = pc;
				fallback_cex = true;
			}
			pvm_state_fini(&sa);
			pvm_state_fini(&sb);
			if (verdict == TV_CEX) break;
		}
		if (pa) interp_engine.free(pa);
		if (pb) jit->free(pb);
		if (verdict == TV_FALLBACK_AGREE)
			snprintf(res->detail, sizeof res->detail, "%s; fallback: %u states agree", why, o->fallback_states);
		res->ms += tv_now_ms() - t0;
		res->verdict = verdict;
	}
	if (res->verdict == TV_CEX && (res->symbolic || fallback_cex)) {
		char path[256];
		snprintf(path, sizeof path, "%s/block_pc%u%s.json", o->cex_dir ? o->cex_dir : ".", pc, o->unfused ? "_unfused" : "");
		pvm_vector cv;
		pvm_errbuf we;
		pvm_vector none;
		memset(&none, 0, sizeof none);
		if (!v) { /* no vector given: the program alone (no pages, no memory beyond the model's) */
			uint8_t *blob;
			size_t len;
			if (pvm_program_encode(p, &blob, &len) == PVM_OK) {
				none.program = blob;
				none.program_len = len;
			}
		}
		/* a piece inside the region: its model's gas is any value (the piece neither reads nor
		 * charges it), and the run from cex_pc is charged that region's cost: give exactly that */
		/* (a piece's model is at cex_pc, its piece's last instruction cex_last: a fused pair's second) */
		bool piece = cex_last != UINT32_MAX;
		const pvm_inst *ci = pvm_inst_at(p, piece ? cex_last : cex_pc);
		bool mid = (piece || cex_pc != pc) && !pvm_op_ends_region(ci->op) && ci->next < p->code_len;
		/* (GP 0.7.2: the region of the cut program from cex_pc: the piece's instructions and the
		 * trap; GP 0.8.0: a start mid-block is charged the whole block L(cex_pc); the trap after the
		 * piece ends the run, so the gas only has to cover the block of the cut program: give plenty) */
		uint64_t mid_gas = p->isa == PVM_ISA_080 ? 1u << 20 : piece && cex_last != cex_pc ? 3 : 2;
		/* (in a chain, and the gas the chain has prepaid past it: enough to run the chain's code,
		 * where a wrong give-back shows; less runs on the twin, jit.h § chains) */
		uint64_t run_cost = mid ? mid_gas : tv_region_cost(o->spec, p, cex_pc) + tv_links_prepaid(L, cex_pc);
		if (fallback_cex || step_cex) run_cost = UINT64_MAX; /* the fallback's run, the step's: the model's gas */
		if (step_cex) mid = false; /* (the loop runs on: the step against its turns) */
		if ((cex_pc != pc || piece) && !step_cex) cex.gas = (int64_t)run_cost;
		pvm_err err = !cex.valid ? PVM_EINVAL
		            : tv_cex_vector_block(&cex, v ? v : &none, cex_pc, run_cost, path, &cv, &we);
		if (!err) cv.isa = p->isa;
		if (!err) cv.reading = wk->reading;
		if (!err && step_pages) tv_step_cex_pages(&cv, &cex, p, cex_pc);
		if (!cex.valid) snprintf(we.msg, sizeof we.msg, "no model");
		if (!err && mid) {
			/* and the instruction after the piece is a trap, so the run stops right after it:
			 * the rest of the block would otherwise overwrite what the piece got wrong */
			pvm_program cut = *p;
			uint8_t *blob = NULL;
			size_t len = 0;
			cut.code = pvm_xmalloc(p->code_len ? p->code_len : 1);
			if (cut.code) {
				memcpy(cut.code, p->code, p->code_len);
				cut.code[ci->next] = pvm_byte(p->isa, PVM_OP_trap);
				if (pvm_program_encode(&cut, &blob, &len) == PVM_OK) {
					free(cv.program);
					cv.program = blob;
					cv.program_len = len;
				}
				free(cut.code);
			}
		}
		res->verdict = tv_cex_confirm(o, res, err ? NULL : &cv, err ? we.msg : NULL, path);
		if (!err) pvm_vector_fini(&cv);
		free(none.program);
	}
	return PVM_OK;
}
