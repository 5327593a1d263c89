/* cli/lockstep.c: `jitproof replay --lockstep`: runs two engines one gas region at a time and
 * compares their whole state (exit, pc, registers, gas, every page and byte) at the end of
 * every region. A step gives both engines, from one state, exactly the gas the program's region
 * at that pc costs, so each stops out of gas at the next region's entry with the region's
 * effects done; the real gas is then restored and the run goes on. On the first difference it
 * names the region (entry pc), writes the state at its entry as a vector, and proves that
 * region (tv_prove_block) for a symbolic counterexample, also written as a vector. A JIT's
 * sandbox page protections are compared with the page map at every stop, as replay does
 * (pvm_perm_compare); GP 0.8.0 grow_heap (host call 1) is answered as the GP says. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "validator/tv.h"

enum { MAX_STEPS = 10000000, MAX_HOST_CALLS = 1000 };

/* The state at the entry of the diverging region as a vector: program, that state, the
 * region's gas; the expected result is engine A's run from it. A GP 0.7.2 program gets a w3f
 * vector (expected-*), a GP 0.8.0 one a step vector (its steps set the state up, one run, one
 * assert, the block costs), the format each revision replays in. A step vector starts with the
 * gas-charged flag clear; an entry where it is set (resumed inside a paid block) is written
 * with it clear, and *note says so. */
static void write_entry(const char *path, const cli_input *in, const pvm_state *s, const pvm_engine *ea,
                        void *pa, const char *dir, char *out, size_t n)
{
	char name[256];
	const char *b = strrchr(path, '/');
	snprintf(name, sizeof name, "%s", b ? b + 1 : path);
	char *dot = strrchr(name, '.');
	if (dot) *dot = 0;
	char file[1400];
	snprintf(file, sizeof file, "%.1000s/%.255s-block%u.json", dir, name, s->pc);
	bool isa080 = in->prog.isa == PVM_ISA_080, flag = isa080 && s->gas_charged;
	pvm_state init, r;
	pvm_state_copy(&init, s);
	init.gas_charged = false; /* as the vector states it (a w3f vector has no flag) */
	pvm_state_copy(&r, &init);
	pvm_exit x = ea->run(pa, &r);
	FILE *f = fopen(file, "w");
	bool ok = f != NULL;
	if (isa080) {
		pvm_vector08 v8;
		pvm_vector08_from_run(&v8, name, in->vec.program, in->vec.program_len, &in->prog, &init, &r, x);
		ok = ok && pvm_vector08_write(&v8, f) == PVM_OK;
		pvm_vector08_fini(&v8);
	} else {
		pvm_vector v;
		memset(&v, 0, sizeof v);
		pvm_vector_set_initial(&v, name, &init);
		v.program = pvm_xmalloc(in->vec.program_len);
		memcpy(v.program, in->vec.program, in->vec.program_len);
		v.program_len = in->vec.program_len;
		pvm_vector_set_expected(&v, &r, x);
		ok = ok && !pvm_vector_write(&v, f);
		pvm_vector_fini(&v);
	}
	if (f && fclose(f)) ok = false;
	pvm_state_fini(&r);
	pvm_state_fini(&init);
	snprintf(out, n, "%s%s%s", ok ? "" : "(could not write) ", file,
	         flag ? " (the gas-charged flag was set at the entry; a step vector starts with it clear)" : "");
}

/* Proves the region entered at pc on the JIT (engine b's features) and prints the verdict. */
static void prove(const char *path, const cli_input *in, uint32_t pc, bool portable, const char *cex_dir)
{
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load_isa(sem_spec_default_path(), in->prog.isa, &e); /* the program's revision */
	if (!sp) {
		printf("%s: lockstep: cannot prove: %s\n", path, e.msg);
		return;
	}
	tv_opts o = tv_opts_default();
	o.memo = false;
	o.spec = sp;
	o.reading = in->init.reading; /* the run's readings (a trace's: the peers') */
	o.cex_dir = cex_dir;
	o.variants = 1u << (portable ? TV_VAR_PORTABLE : TV_VAR_CPUID);
	tv_worker *w = tv_worker_new(&o);
	tv_result r;
	if (!w) printf("%s: lockstep: cannot prove: out of memory\n", path);
	else if (tv_prove_block(w, &in->prog, &in->vec, NULL, pc, &r, &e) != PVM_OK)
		printf("%s: lockstep: prove pc %u: %s\n", path, pc, e.msg);
	else {
		printf("%s: lockstep: prove pc %u (%s): %s%s%s\n", path, pc, pvm_ops[r.op].name, tv_verdict_name(r.verdict),
		       r.detail[0] ? ": " : "", r.detail);
		if (r.cex_file[0]) printf("%s: lockstep: symbolic counterexample: %s\n", path, r.cex_file);
	}
	if (w) tv_worker_free(w);
	sem_spec_free(sp);
}

int cli_lockstep(const char *path, const pvm_engine *ea, const pvm_engine *eb, const char *cex_dir, int isa,
                 unsigned decode_flags)
{
	cli_input in;
	void *pa, *pb;
	if (cli_load_pair(path, isa, decode_flags, ea, eb, &in, &pa, &pb)) return 2;
	mkdir(cex_dir, 0777);
	struct stat st;
	{
		if (stat(cex_dir, &st) || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: cannot create folder\n", cex_dir);
			ea->free(pa);
			eb->free(pb);
			cli_input_fini(&in);
			return 2;
		}
	}
	pvm_state cur;
	pvm_state_copy(&cur, &in.init);
	int rc = 0, calls = 0;
	/* a trace answers its own host calls (checked first), one after the other */
	const pvm_trace *tr = in.kind == CLI_TRACE ? &in.trace : NULL;
	size_t k = 0;
	int max_calls = tr && tr->n_calls >= MAX_HOST_CALLS ? (int)tr->n_calls + 1 : MAX_HOST_CALLS;
	for (long step = 0; step < MAX_STEPS; step++) {
		uint32_t pc = cur.pc;
		int64_t cost = (int64_t)in.prog.gas_cost[pc <= in.prog.code_len ? pc : in.prog.code_len];
		bool last = cur.gas < cost; /* the real run runs out of gas here: give the real gas */
		pvm_state sa, sb;
		pvm_state_copy(&sa, &cur);
		pvm_state_copy(&sb, &cur);
		if (!last) sa.gas = sb.gas = cost;
		pvm_exit xa, xb;
		pvm_run_pair(ea, pa, &sa, &xa, eb, pb, &sb, &xb);
		char why[512];
		bool perm = !pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, true, why, sizeof why);
		bool same = !perm && pvm_state_compare(ea->name, &sa, xa, eb->name, &sb, xb, why, sizeof why);
		if (same && !pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, false, why, sizeof why)) perm = true, same = false;
		if (!same) {
			printf("%s: lockstep: block pc %u (%s, step %ld): %s\n", path, pc, pvm_ops[pvm_inst_at(&in.prog, pc)->op].name,
			       step, why);
			char file[1600];
			pvm_state entry;
			pvm_state_copy(&entry, &cur);
			entry.gas = last ? cur.gas : cost;
			write_entry(path, &in, &entry, ea, pa, cex_dir, file, sizeof file);
			pvm_state_fini(&entry);
			printf("%s: lockstep: state at the block's entry: %s\n", path, file);
			bool jit = !strncmp(eb->name, "jit", 3);
			if (perm) /* the runtime's mprotect calls, which no template proof covers */
				printf("%s: lockstep: a sandbox permission difference (the JIT runtime's, not a template's): not proved\n", path);
			else if (jit && !strcmp(ea->name, "interp")) prove(path, &in, pc, !strcmp(eb->name, "jit-portable"), cex_dir);
			rc = 1;
		}
		bool stop = !same || xa.status != PVM_OOG || last;
		/* the step was given the region's cost: the gas as the real run has it from here on */
		if (same) sa.gas = cur.gas - ((last ? cur.gas : cost) - sa.gas);
		/* the run ended (not at a region's end, nor at a host call): the trace's end? */
		if (same && tr && xa.status != PVM_HOST && (xa.status != PVM_OOG || last) &&
		    !pvm_trace_fin(tr, k, &sa, &xa, why, sizeof why)) {
			printf("%s: lockstep: %s\n", path, why);
			rc = 1;
		}
		if (same && xa.status == PVM_HOST && calls++ < max_calls) {
			stop = false;
			if (!tr) sa.pc = xa.next; /* a trace's answer moves it (below) */
		}
		if (!stop) {
			/* a trace's host call: checked (with the real gas) and answered as the trace says */
			if (tr && xa.status == PVM_HOST) {
				bool ok = k < tr->n_calls ? pvm_trace_host(tr, k, &sa, &xa, why, sizeof why)
				                          : pvm_trace_fin(tr, k, &sa, &xa, why, sizeof why); /* one call too many */
				k++;
				if (!ok) {
					printf("%s: lockstep: %s\n", path, why);
					rc = 1;
					stop = true;
				}
			}
			/* GP 0.8.0 grow_heap, answered with the real gas; false: out of gas, the run ends */
			if (pvm_host_is_grow_heap(&in.prog, &xa) && !pvm_grow_heap(&sa))
				stop = true;
		}
		if (!stop) {
			pvm_state_fini(&cur);
			cur = sa;
			pvm_state_fini(&sb);
			continue;
		}
		pvm_state_fini(&sa);
		pvm_state_fini(&sb);
		break;
	}
	pvm_state_fini(&cur);
	ea->free(pa);
	eb->free(pb);
	cli_input_fini(&in);
	return rc;
}
