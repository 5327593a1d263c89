/* cli/cmd_run.c: `jitproof run FILE`: runs one program (vector, .pvmasm, blob or standard
 * container) on one engine and prints the exit, pc, gas and registers; -o writes the input as a
 * w3f vector whose expected-* fields are this run's result. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "host.h"
#include "pvm/mutant.h"

static const char usage_text[] =
	"usage: jitproof run FILE [--engine NAME] [--gas N] [-o OUT.json] [--args FILE]\n"
	"                         [--container | --blob] [--isa 0.8.0|0.7.2] [--polkavm-end]\n"
	"                         [--host default|perturb|FILE] [--entry NAME|PC] [--max-host-calls N]\n"
	"                         [--mutant NAME] [--trace-out FILE] [--reading R]\n"
	"Runs FILE until it exits and prints the status, pc, gas and the 13 registers. GP 0.8.0\n"
	"host call 1 (grow_heap) is answered as the GP says and the run goes on.\n"
	"FILE is a w3f vector (.json), PVM assembly (.pvmasm), a JIP-7 trace (.log, .trace, or a\n"
	"file whose first known line is `program 0x`), or a binary: a program blob if it decodes\n"
	"as one, otherwise a standard program container, with or without an on-chain metadata\n"
	"prefix (force with --container/--blob). A trace runs from its start state, every host\n"
	"call answered and checked by the trace (exit 1 at the first difference).\n"
	"  --engine NAME  engine (default interp)\n"
	"  --gas N        initial gas (default: the file's; 1000000000 for binaries)\n"
	"  -o OUT.json    write the input and this run's result as a vector: GP 0.7.2 a w3f vector\n"
	"                 with expected-*, GP 0.8.0 a step vector (steps, assert, block-gas-costs);\n"
	"                 not after answering grow_heap: no step charges gas, so no step vector can\n"
	"                 state its price (exit 2, nothing written)\n"
	"  --isa REV      revision of .pvmasm, blob and container files (default 0.8.0); a .json\n"
	"                 vector's format decides its own, and a contradicting --isa is an error\n"
	CLI_POLKAVM_END_HELP
	"  --args FILE    argument bytes for a standard container\n"
	"  --host default|perturb|FILE  answer host calls and go on: the default policy (r7 :=\n"
	"                 WHAT, 10 gas), perturb (every register, the gas and a memory word changed:\n"
	"                 README), an answers file (README; one line per call), or a trace (FILE.log:\n"
	"                 its host calls in order, each checked and answered)\n"
	"  --trace-out FILE  write this run as a JIP-7 trace (a standard container or a trace)\n"
	CLI_COMMON_HELP
	"  --entry NAME|PC  start at a JAM service entry point (refine 0, accumulate 5) or a pc\n"
	"  --max-host-calls N  stop after N answered host calls (default 1000)\n"
	"  --mutant NAME  run with that deliberately wrong code (validator self-test; the\n"
	"                 jitproof-mutants binary, see validate --list-mutants)\n";

int cmd_run(int argc, char **argv)
{
	const char *file = NULL, *out = NULL, *args_path = NULL, *engine = "interp";
	cli_format fmt = CLI_AUTO;
	int64_t gas;
	bool has_gas = false, entry = false;
	int isa = -1;
	unsigned dflags = 0;
	uint32_t entry_pc = 0;
	cli_host host;
	const cli_host *hp = NULL;
	uint64_t max_calls = 1000;
	const char *trace_out = NULL, *host_trace = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int crc = cli_common_option("run", argc, argv, &i);
		if (crc > 0) return crc;
		if (crc == 0) continue;
		if (!strcmp(a, "--trace-out")) {
			if (i + 1 >= argc) return cli_usage("run", "--trace-out needs a value");
			trace_out = argv[++i];
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--container")) {
			fmt = CLI_FORCE_CONTAINER;
		} else if (!strcmp(a, "--blob")) {
			fmt = CLI_FORCE_BLOB;
		} else if (!strcmp(a, "--host") || !strcmp(a, "--entry") || !strcmp(a, "--max-host-calls")) {
			if (i + 1 >= argc) return cli_usage("run", "%s needs a value", a);
			const char *v = argv[++i];
			if (!strcmp(a, "--entry")) {
				if (!cli_entry_point(v, &entry_pc)) return cli_usage("run", "--entry: not an entry point or pc: '%s'", v);
				entry = true;
			} else if (!strcmp(a, "--max-host-calls")) {
				if (!cli_parse_u64(v, &max_calls) || max_calls > 1000000)
					return cli_usage("run", "--max-host-calls needs a number");
			} else {
				if (!strcmp(v, "default")) cli_host_default(&host);
				else if (!strcmp(v, "perturb")) cli_host_perturb(&host);
				else if (cli_has_suffix(v, ".log") || cli_has_suffix(v, ".trace")) host_trace = v;
				else if (cli_host_load(v, &host)) return 2;
				if (!host_trace) hp = &host;
			}
		} else if (!strcmp(a, "--mutant")) {
			if (i + 1 >= argc) return cli_usage("run", "--mutant needs a value");
			if (!pvm_set_mutant(argv[++i]))
				return cli_usage("run", "--mutant: no mutant '%s' built in (see validate --list-mutants)", argv[i]);
		} else if (cli_decode_option(a, &dflags)) {
		} else if (!strcmp(a, "--isa")) {
			if (i + 1 >= argc) return cli_usage("run", "--isa needs a value");
			if (cli_parse_isa("run", argv[++i], &isa)) return 2;
		} else if (!strcmp(a, "--engine") || !strcmp(a, "--gas") || !strcmp(a, "-o") ||
		           !strcmp(a, "--args")) {
			if (i + 1 >= argc) return cli_usage("run", "%s needs a value", a);
			const char *v = argv[++i];
			if (!strcmp(a, "--engine")) engine = v;
			else if (!strcmp(a, "-o")) out = v;
			else if (!strcmp(a, "--args")) args_path = v;
			else if (!cli_parse_i64(v, &gas) || gas < 0)
				return cli_usage("run", "--gas: not a non-negative number: '%s'", v);
			else has_gas = true;
		} else if (a[0] == '-' && a[1]) {
			return cli_usage("run", "unknown option '%s' (try --help)", a);
		} else if (file) {
			return cli_usage("run", "only one FILE may be given");
		} else {
			file = a;
		}
	}
	if (!file) return cli_usage("run", "no FILE given (try --help)");
	const pvm_engine *eng = cli_engine(engine);
	if (!eng) return cli_usage("run", "unknown engine '%s' (built: %s)", engine, cli_engine_names());
	if (fmt == CLI_FORCE_BLOB && args_path) return cli_usage("run", "--args needs a container");

	pvm_errbuf e;
	uint8_t *args = NULL;
	size_t args_len = 0;
	if (args_path && pvm_read_file(args_path, &args, &args_len, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	cli_input in;
	int rc = cli_load(file, fmt, args, args_len, has_gas ? gas : -1, isa, dflags, &in);
	free(args);
	if (rc) return rc;

	/* host calls answered from a trace: the input's own, or --host FILE.log */
	pvm_trace htrace = { 0 };
	const pvm_trace *tr = in.kind == CLI_TRACE && !hp ? &in.trace : NULL;
	if (host_trace) {
		if (pvm_trace_read(&htrace, host_trace, &e)) {
			fprintf(stderr, "%s\n", e.msg);
			cli_input_fini(&in);
			return 2;
		}
		tr = &htrace;
	}
	if (trace_out && in.kind != CLI_CONTAINER && in.kind != CLI_TRACE) {
		pvm_trace_fini(&htrace);
		cli_input_fini(&in);
		return cli_usage("run", "--trace-out needs a standard container or a trace (a trace's program is one)");
	}
	void *prep = eng->load(&in.prog, &e);
	if (!prep) {
		fprintf(stderr, "%s: %s\n", file, e.msg);
		pvm_trace_fini(&htrace);
		cli_input_fini(&in);
		return 2;
	}
	pvm_state st;
	pvm_state_copy(&st, &in.init);
	if (entry) st.pc = entry_pc;
	pvm_trace rec = { 0 };
	if (trace_out) {
		pvm_trace_io argw = { .addr = 0xfeff0000u, .len = (uint32_t)in.args_len, .data = in.args };
		if (in.kind == CLI_TRACE)
			pvm_trace_rec_begin(&rec, in.file, in.file_len, in.trace.init, in.trace.n_init, &st);
		else
			pvm_trace_rec_begin(&rec, in.file, in.file_len, &argw, in.args_len ? 1 : 0, &st);
	}
	char why[512];
	bool diverged = false;
	size_t k = 0; /* host calls answered from the trace */
	pvm_exit x = eng->run(prep, &st);
	unsigned grown = 0; /* GP 0.8.0: grow_heap is answered here (§7), and the run resumes */
	for (uint64_t calls = 0; x.status == PVM_HOST;) {
		pvm_state at; /* the state at the ecalli, recorded with its answer (--trace-out) */
		if (trace_out) pvm_state_copy(&at, &st);
		const pvm_trace_call *ans = NULL; /* the trace's answer, or NULL: a policy's or grow_heap's */
		bool go = true;
		if (tr) { /* past the trace's last call: the end check below names it */
			go = k < tr->n_calls && !(diverged = !pvm_trace_host(tr, k, &st, &x, why, sizeof why));
			if (go) ans = &tr->calls[k++];
		} else if (pvm_host_is_grow_heap(&in.prog, &x)) {
			grown++;
			go = pvm_grow_heap(&st);
			if (go) st.pc = x.next;
			else x.status = PVM_OOG;
		} else if (hp && calls < max_calls) { /* the host policy answers every other call */
			printf("host call %" PRIu64 ": id %" PRIu32 " at pc %" PRIu32 ", gas %" PRId64 ", r7 0x%" PRIx64 "\n",
			       calls, x.host_id, st.pc, st.gas, st.regs[7]);
			calls++;
			go = cli_host_answer(hp, &x, &st); /* false: x says how the call ended the run */
		} else {
			go = false;
		}
		if (go && trace_out) pvm_trace_rec_call(&rec, x.host_id, &at, &st, ans);
		if (trace_out) pvm_state_fini(&at);
		if (!go) break;
		x = eng->run(prep, &st);
	}
	eng->free(prep);
	if (tr && !diverged && !pvm_trace_fin(tr, k, &st, &x, why, sizeof why)) diverged = true;
	if (diverged) {
		printf("%s: %s\n", tr->name, why);
		rc = 1;
	} else if (tr) {
		printf("trace: %zu host calls answered and checked; the end matches the trace\n", k);
	}
	if (trace_out) {
		FILE *f = NULL;
		if (diverged || !pvm_trace_rec_end(&rec, &st, &x)) {
			fprintf(stderr, "%s: not written: %s\n", trace_out,
			        diverged ? "the run left the trace" : "the run stopped at a host call nobody answered");
			rc = 2;
		} else if (!(f = fopen(trace_out, "w")) || pvm_trace_write(&rec, f) != PVM_OK) {
			fprintf(stderr, "%s: cannot write the trace\n", trace_out);
			rc = 2;
		}
		if (f && fclose(f)) {
			fprintf(stderr, "%s: cannot write the trace\n", trace_out);
			rc = 2;
		}
		pvm_trace_fini(&rec);
	}
	pvm_trace_fini(&htrace);

	printf("status: %s", pvm_status_name(x.status));
	if (x.status == PVM_FAULT) printf(" (address 0x%" PRIx32 ")", x.fault_addr);
	if (x.status == PVM_HOST) printf(" (id %" PRIu32 ", resume at pc %" PRIu32 ")", x.host_id, x.next);
	printf("\npc: %" PRIu32 "\ngas: %" PRId64 "\n", st.pc, st.gas);
	for (int i = 0; i < PVM_NUM_REGS; i++)
		printf("r%-2d = 0x%016" PRIx64 "  %" PRIu64 "\n", i, st.regs[i], st.regs[i]);

	if (grown) printf("grow_heap: answered %u time%s\n", grown, grown == 1 ? "" : "s");
	if (out && grown) {
		/* The step format (map, write, set-reg, run, assert) has no step that charges gas: the
		 * answer's registers and pages could be steps, its price cannot, so every later assert
		 * would state the gas of a run that never happened. A vector of the run up to the call
		 * would be true but is not what -o promises. */
		fprintf(stderr, "%s: not written: the run answered grow_heap, whose gas charge a step "
		        "vector cannot express (no step charges gas)\n", out);
		rc = 2;
	} else if (out) {
		FILE *f = fopen(out, "w");
		bool ok = f != NULL;
		if (in.prog.isa == PVM_ISA_080) {
			pvm_vector08 v8;
			pvm_vector08_from_run(&v8, in.vec.name, in.vec.program, in.vec.program_len, &in.prog,
			                      &in.init, &st, x);
			if (in.kind == CLI_VECTOR08) v8.tagged = in.vec08.tagged;
			ok = ok && pvm_vector08_write(&v8, f) == PVM_OK;
			pvm_vector08_fini(&v8);
		} else {
			pvm_vector_set_expected(&in.vec, &st, x);
			ok = ok && pvm_vector_write(&in.vec, f) == PVM_OK;
		}
		if (f && fclose(f)) ok = false;
		if (!ok) {
			fprintf(stderr, "%s: cannot write the vector\n", out);
			rc = 2;
		}
	}
	pvm_state_fini(&st);
	cli_input_fini(&in);
	return rc;
}
