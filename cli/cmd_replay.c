/* cli/cmd_replay.c: `jitproof replay PATH...`: runs every program through two engines from
 * byte-identical initial states and compares exit, pc, registers, gas, fault address and every
 * page (pvm_state_compare), and a JIT's sandbox page protections against the page map
 * (pvm_perm_compare). Host calls are resumed unchanged on both sides and compared at each
 * stop. One line per divergence; ends with "replay: N agree, N diverge"; exit 1 on any. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "host.h"
#include "pvm/mutant.h"

static const char usage_text[] =
	"usage: jitproof replay PATH... [--engine-a NAME] [--engine-b NAME] [--poke-b ADDR=BYTE]\n"
	"                      [--mutant NAME] [--lockstep [--cex-dir DIR]] [--isa 0.8.0|0.7.2]\n"
	"                      [--host default|perturb|FILE] [--entry NAME|PC] [--max-host-calls N] [--polkavm-end]\n"
	"Runs each program (a .json vector, a .pvmasm case, a blob or container, a JIP-7 trace, or\n"
	"every *.json, *.pvmasm, *.log and *.trace in a folder) on engine A (default interp) and\n"
	"engine B (default jit) and\n"
	"compares exit reason, pc, the 13 registers, gas, fault address and all memory, and a JIT's\n"
	"sandbox page protections with the page map (at its start, every sbrk and every stop).\n"
	"Host calls are resumed with the state unchanged (at most 1000 per program), except GP 0.8.0\n"
	"grow_heap (host call 1), answered as the GP says; with --host the others are answered on both\n"
	"sides by a host policy (`default`: r7 := WHAT, 10 gas; `perturb`: every register, the gas\n"
	"and a memory word changed; or an answers file, see README) and\n"
	"compared at every call; --entry starts at a JAM service entry point (refine 0, accumulate 5,\n"
	"or a pc). A trace's host calls are answered by the trace on both sides, each checked first\n"
	"(as its end is), also with --lockstep.\n"
	"  --poke-b ADDR=BYTE  test aid: change one initial memory byte of engine B's copy\n"
	"  --mutant NAME       run with that deliberately wrong code (validator self-test): a JIT\n"
	"                      template, or the cost table, prevalidation or grow_heap both sides share\n"
	"  --lockstep          compare the whole state after every gas region; at the first difference\n"
	"                      name the region (pc), write its entry state and prove it (a symbolic\n"
	"                      counterexample) into --cex-dir DIR (default: the current folder)\n"
	"  --isa REV           revision of .pvmasm, blob and container inputs (default 0.8.0); a .json\n"
	"                      vector's format decides its own, and a contradicting --isa is an error\n"
	CLI_POLKAVM_END_HELP
	CLI_COMMON_HELP
	"Exit status: 0 all agree, 1 a divergence, 2 bad usage or input.\n";

enum { MAX_HOST_CALLS = 1000 };

typedef struct paths { char **v; size_t n, cap; } paths;

static bool push(paths *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		l->v = pvm_xrealloc(l->v, cap * sizeof *l->v);
		l->cap = cap;
	}
	l->v[l->n++] = pvm_xstrdup(s);
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file is taken as is; a folder contributes its *.json and *.pvmasm files, sorted. */
static bool add_path(paths *l, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "%s: cannot open\n", path);
		return false;
	}
	if (!S_ISDIR(st.st_mode)) return push(l, path);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open folder\n", path);
		return false;
	}
	size_t first = l->n;
	struct dirent *de;
	bool ok = true;
	while (ok && (de = readdir(d))) {
		if (!cli_has_suffix(de->d_name, ".json") && !cli_has_suffix(de->d_name, ".pvmasm") &&
		    !cli_has_suffix(de->d_name, ".log") && !cli_has_suffix(de->d_name, ".trace")) continue;
		char *full = pvm_xmalloc(strlen(path) + strlen(de->d_name) + 2);
		sprintf(full, "%s/%s", path, de->d_name);
		ok = push(l, full);
		free(full);
	}
	closedir(d);
	qsort(l->v + first, l->n - first, sizeof *l->v, by_name);
	return ok;
}

/* Run until a non-host exit, resuming host calls; compare at every stop. Returns 0 agree,
 * 1 diverge (line printed), 2 error. */
typedef struct host_run { const cli_host *host; bool entry; uint32_t entry_pc; unsigned max_calls; } host_run;

static int replay_one(const char *path, const pvm_engine *ea, const pvm_engine *eb,
                      bool poke, uint32_t poke_addr, uint8_t poke_val, int isa, unsigned dflags,
                      const host_run *hr)
{
	cli_input in;
	void *pa, *pb;
	if (cli_load_pair(path, isa, dflags, ea, eb, &in, &pa, &pb)) return 2;
	pvm_state sa, sb;
	pvm_state_copy(&sa, &in.init);
	pvm_state_copy(&sb, &in.init);
	if (hr->entry) sa.pc = sb.pc = hr->entry_pc;
	int rc = 0, calls = 0;
	pvm_exit xa = { 0 };
	/* a trace answers its own host calls on both sides, each checked first, and its end */
	const pvm_trace *tr = in.kind == CLI_TRACE && !hr->host ? &in.trace : NULL;
	unsigned max_calls = tr && tr->n_calls >= hr->max_calls ? (unsigned)tr->n_calls + 1 : hr->max_calls;
	char why[512];
	if (poke && !pvm_mem_poke(sb.mem, poke_addr, &poke_val, 1)) {
		fprintf(stderr, "%s: --poke-b: address 0x%x is not mapped\n", path, poke_addr);
		rc = 2;
	}
	for (; rc == 0; calls++) {
		pvm_exit xb;
		pvm_run_pair(ea, pa, &sa, &xa, eb, pb, &sb, &xb); /* (b under a run limit: a JIT that never ends diverges) */
		if (!pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, true, why, sizeof why) ||
		    !pvm_state_compare(ea->name, &sa, xa, eb->name, &sb, xb, why, sizeof why) ||
		    !pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, false, why, sizeof why)) {
			if (hr->host) printf("%s: %s (after %d host calls)\n", path, why, calls);
			else printf("%s: %s\n", path, why);
			rc = 1;
		}
		if (rc || xa.status != PVM_HOST || calls == (int)max_calls) break;
		if (tr) {
			if ((size_t)calls >= tr->n_calls) break; /* the end check names it */
			if (!pvm_trace_host(tr, (size_t)calls, &sa, &xa, why, sizeof why) ||
			    !pvm_trace_host(tr, (size_t)calls, &sb, &xb, why, sizeof why)) {
				printf("%s: %s\n", path, why);
				rc = 1;
			}
		} else if (pvm_host_is_grow_heap(&in.prog, &xa)) {
			bool oka = pvm_grow_heap(&sa), okb = pvm_grow_heap(&sb); /* equal states: equal answers */
			if (!oka || !okb) break;
			sa.pc = xa.next;
			sb.pc = xb.next;
		} else if (hr->host) { /* the same answer on both sides (compared equal just now) */
			bool ga = cli_host_answer(hr->host, &xa, &sa), gb = cli_host_answer(hr->host, &xb, &sb);
			if (!ga || !gb) break; /* xa says how (out of gas, or a write the guest cannot make) */
		} else {
			sa.pc = xa.next;
			sb.pc = xb.next;
		}
	}
	if (tr && !rc) {
		if (!pvm_trace_fin(tr, (size_t)calls, &sa, &xa, why, sizeof why)) {
			printf("%s: %s\n", path, why);
			rc = 1;
		} else {
			printf("%s: %d host calls answered by the trace and compared; the end matches it\n", path, calls);
		}
	}
	if (hr->host && !rc)
		printf("%s: %d host calls compared, then %s at pc %u (gas %lld)\n", path, calls,
		       xa.status == PVM_HOST ? "the host-call limit" : pvm_status_name(xa.status), sa.pc, (long long)sa.gas);
	pvm_state_fini(&sa);
	pvm_state_fini(&sb);
	ea->free(pa);
	eb->free(pb);
	cli_input_fini(&in);
	return rc;
}

int cmd_replay(int argc, char **argv)
{
	const char *na = "interp", *nb = "jit", *cex_dir = ".";
	bool poke = false, lockstep = false;
	uint32_t poke_addr = 0;
	uint8_t poke_val = 0;
	paths l = { 0 };
	cli_host host;
	host_run hr = { .max_calls = MAX_HOST_CALLS };
	int rc = 0, isa = -1;
	unsigned dflags = 0;
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		int crc = cli_common_option("replay", argc, argv, &i);
		if (crc > 0) {
			rc = crc;
			break;
		}
		if (crc == 0) continue;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			goto out;
		} else if (cli_decode_option(a, &dflags)) {
		} else if (!strcmp(a, "--isa")) {
			if (i + 1 >= argc) rc = cli_usage("replay", "--isa needs a value");
			else rc = cli_parse_isa("replay", argv[++i], &isa);
		} else if (!strcmp(a, "--mutant")) {
			if (i + 1 >= argc) rc = cli_usage("replay", "--mutant needs a value");
			else if (!pvm_set_mutant(argv[++i]))
				rc = cli_usage("replay", "--mutant: no mutant '%s' built in (see validate --list-mutants)", argv[i]);
		} else if (!strcmp(a, "--host") || !strcmp(a, "--entry") || !strcmp(a, "--max-host-calls")) {
			uint64_t v;
			if (i + 1 >= argc) rc = cli_usage("replay", "%s needs a value", a);
			else if (!strcmp(a, "--entry") && !cli_entry_point(argv[i + 1], &hr.entry_pc))
				rc = cli_usage("replay", "--entry: not an entry point or pc: '%s'", argv[i + 1]);
			else if (!strcmp(a, "--max-host-calls") && (!cli_parse_u64(argv[i + 1], &v) || v > 1000000))
				rc = cli_usage("replay", "--max-host-calls needs a number");
			else if (!strcmp(a, "--host") && strcmp(argv[i + 1], "default") && strcmp(argv[i + 1], "perturb") &&
			         cli_host_load(argv[i + 1], &host))
				rc = 2;
			else if (!strcmp(a, "--host")) {
				if (!strcmp(argv[i + 1], "default")) cli_host_default(&host);
				if (!strcmp(argv[i + 1], "perturb")) cli_host_perturb(&host);
				hr.host = &host;
			} else if (!strcmp(a, "--entry")) hr.entry = true;
			else hr.max_calls = (unsigned)v;
			i++;
		} else if (!strcmp(a, "--lockstep")) {
			lockstep = true;
		} else if (!strcmp(a, "--cex-dir")) {
			if (i + 1 >= argc) rc = cli_usage("replay", "--cex-dir needs a value");
			else cex_dir = argv[++i];
		} else if (!strcmp(a, "--engine-a") || !strcmp(a, "--engine-b") || !strcmp(a, "--poke-b")) {
			if (i + 1 >= argc) {
				rc = cli_usage("replay", "%s needs a value", a);
				break;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "--engine-a")) na = v;
			else if (!strcmp(a, "--engine-b")) nb = v;
			else {
				char addr[64];
				const char *eq = strchr(v, '=');
				uint64_t ad, val;
				if (!eq || (size_t)(eq - v) >= sizeof addr) {
					rc = cli_usage("replay", "--poke-b: expected ADDR=BYTE, got '%s'", v);
					break;
				}
				memcpy(addr, v, (size_t)(eq - v));
				addr[eq - v] = 0;
				if (!cli_parse_u64(addr, &ad) || ad > UINT32_MAX || !cli_parse_u64(eq + 1, &val) || val > 255) {
					rc = cli_usage("replay", "--poke-b: expected ADDR=BYTE, got '%s'", v);
					break;
				}
				poke = true;
				poke_addr = (uint32_t)ad;
				poke_val = (uint8_t)val;
			}
		} else if (a[0] == '-' && a[1]) {
			rc = cli_usage("replay", "unknown option '%s' (try --help)", a);
		} else if (!add_path(&l, a)) {
			rc = 2;
		}
	}
	if (rc) goto out;
	if (!l.n) {
		rc = cli_usage("replay", "no PATH given (try --help)");
		goto out;
	}
	const pvm_engine *ea = cli_engine(na), *eb = cli_engine(nb);
	if (!ea || !eb) {
		rc = cli_usage("replay", "unknown engine '%s' (built: %s)", ea ? nb : na, cli_engine_names());
		goto out;
	}
	size_t agree = 0, diverge = 0;
	bool bad = false;
	for (size_t i = 0; i < l.n; i++) {
		int r = lockstep ? cli_lockstep(l.v[i], ea, eb, cex_dir, isa, dflags)
		                 : replay_one(l.v[i], ea, eb, poke, poke_addr, poke_val, isa, dflags, &hr);
		if (r == 0) agree++;
		else if (r == 1) diverge++;
		else bad = true;
	}
	printf("replay: %zu agree, %zu diverge\n", agree, diverge);
	rc = bad ? 2 : diverge ? 1 : 0;
out:
	for (size_t i = 0; i < l.n; i++) free(l.v[i]);
	free(l.v);
	return rc;
}
