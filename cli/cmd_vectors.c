/* cli/cmd_vectors.c: `jitproof vectors PATH...`: runs w3f vectors (and .pvmasm cases that carry
 * an expected state) through one engine or through interp and jit side by side; one line per
 * failure naming the differing field, a summary line, optional JUnit XML.
 * Exit: 0 all passed, 1 a vector failed, 2 bad usage or a malformed input file. */
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "pvm/mutant.h"

static const char usage_text[] =
	"usage: jitproof vectors PATH... [--engine NAME|both] [--isa 0.8.0|0.7.2] [--junit FILE]\n"
	"                        [--mutant NAME] [--polkavm-end] [--reading R]\n"
	"Runs PVM test vectors. PATH is a .json vector (w3f GP 0.7.2 format, or a GP 0.8 step vector\n"
	"in either spelling; its format selects the ISA), a .pvmasm case with an expected state, a\n"
	"JIP-7 trace (.log, .trace: replayed from its start with its host calls, every stop checked;\n"
	"GP 0.7.2 unless --isa says otherwise), or a folder (every *.json, *.pvmasm, *.log and *.trace\n"
	"inside, sorted by name). A 0.8 file's block-gas-costs are\n"
	"checked against the cost model; a file with only program and block-gas-costs checks just those.\n"
	"  --isa REV      the revision of .pvmasm cases (default 0.8.0); a .json file of the other\n"
	"                 revision's format is an error\n"
	CLI_POLKAVM_END_HELP
	CLI_COMMON_HELP
	"  --engine NAME  engine to run (default interp); 'both' runs interp and jit and also\n"
	"                 requires them to agree with each other\n"
	"  --junit FILE   also write a JUnit XML report\n"
	"  --mutant NAME  run with that deliberately wrong code (validator self-test): a JIT\n"
	"                 template, or the cost table, prevalidation or grow_heap every engine shares\n"
	"Prints one line per failing vector and ends with 'vectors: N passed, N failed'.\n"
	"Exit status: 0 all passed, 1 some failed, 2 bad usage or malformed input.\n";

typedef struct list {
	char **v;
	size_t n, cap;
} list;

static void push(list *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = pvm_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = s;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds PATH or the vector files of folder PATH; false (after a message) if it cannot be read. */
static bool add_path(list *l, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "%s: no such file or folder\n", path);
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		push(l, pvm_xstrdup(path));
		return true;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open folder\n", path);
		return false;
	}
	size_t first = l->n;
	for (struct dirent *de; (de = readdir(d));) {
		if (!cli_has_suffix(de->d_name, ".json") && !cli_has_suffix(de->d_name, ".pvmasm") &&
		    !cli_has_suffix(de->d_name, ".log") && !cli_has_suffix(de->d_name, ".trace")) continue;
		size_t n = strlen(path) + strlen(de->d_name) + 2;
		char *p = pvm_xmalloc(n);
		snprintf(p, n, "%s%s%s", path, cli_has_suffix(path, "/") ? "" : "/", de->d_name);
		push(l, p);
	}
	closedir(d);
	qsort(l->v + first, l->n - first, sizeof *l->v, by_name);
	return true;
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t') fputc(*s, f);
		}
	}
}

typedef enum verdict { V_PASS, V_FAIL, V_ERROR, V_SKIP } verdict;

typedef struct result {
	char *name;
	verdict v;
	char msg[1200];
} result;

/* Runs one engine on the input's initial state; *st receives the final state. */
static bool run_engine(const pvm_engine *eng, const cli_input *in, pvm_state *st, pvm_exit *x,
                       char *why, size_t n)
{
	pvm_errbuf e;
	void *prep = eng->load(&in->prog, &e);
	if (!prep) {
		snprintf(why, n, "[%s] cannot load program: %s", eng->name, e.msg);
		return false;
	}
	pvm_state_copy(st, &in->init);
	*x = eng->run(prep, st);
	/* a sandbox's page protections against the run's page map, inside the run and at its end */
	pvm_perm_diff d;
	bool ok = !eng->perm_check || !(eng->perm_check(prep, NULL, &d) || eng->perm_check(prep, st->mem, &d));
	if (!ok) {
		snprintf(why, n, "page-map{perm[0x%" PRIx32 "]=%s} vs %s{perm[0x%" PRIx32 "]=%s}", d.addr,
		         pvm_perm_name(d.map), eng->name, d.addr, pvm_perm_name(d.host));
		pvm_state_fini(st);
	}
	eng->free(prep);
	return ok;
}

/* Runs one GP 0.8 step vector (or checks the block costs of an integration program); fills r. */
static void run_one08(const char *path, const pvm_engine *e1, const pvm_engine *e2, int isa,
                      unsigned dflags, result *r)
{
	pvm_vector08 v;
	pvm_program p;
	pvm_errbuf e;
	char why[1024];
	r->v = V_ERROR;
	snprintf(r->msg, sizeof r->msg, "malformed input");
	if (pvm_vector08_read(&v, path, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	if (isa >= 0 && isa != PVM_ISA_080) {
		fprintf(stderr, "%s:1:1: a GP 0.8 step vector (its format says so), but --isa %s\n", path,
		        pvm_isa_name((pvm_isa)isa));
		pvm_vector08_fini(&v);
		return;
	}
	char name[4200];
	snprintf(name, sizeof name, "%s: program", path);
	if (pvm_program_decode_flags(&p, PVM_ISA_080, dflags, v.program, v.program_len, name, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		pvm_vector08_fini(&v);
		return;
	}
	free(r->name);
	r->name = pvm_xstrdup(v.name);
	r->v = V_PASS;
	size_t blocks;
	if (v.has_costs && !pvm_vector08_check_costs(&v, &p, &blocks, why, sizeof why)) {
		r->v = V_FAIL;
		snprintf(r->msg, sizeof r->msg, "%s", why);
	}
	for (int k = 0; k < 2 && r->v == V_PASS && v.has_steps; k++) {
		const pvm_engine *eng = k ? e2 : e1;
		if (!eng) break;
		void *prep = eng->load(&p, &e);
		if (!prep) {
			r->v = V_FAIL;
			snprintf(r->msg, sizeof r->msg, "[%s] cannot load program: %s", eng->name, e.msg);
			break;
		}
		if (!pvm_vector08_run(&v, eng, prep, why, sizeof why)) {
			r->v = V_FAIL;
			snprintf(r->msg, sizeof r->msg, "%s", why);
		}
		eng->free(prep);
	}
	if (r->v == V_FAIL) printf("FAIL %s: %s\n", r->name, r->msg);
	pvm_program_fini(&p);
	pvm_vector08_fini(&v);
}

/* True if path is a .json file in the GP 0.8 step format. */
static bool is_vector08(const char *path)
{
	if (!cli_has_suffix(path, ".json")) return false;
	uint8_t *buf;
	size_t len;
	pvm_errbuf e;
	if (pvm_read_file(path, &buf, &len, &e)) return false;
	bool is = pvm_json_is_vector08((const char *)buf, len);
	free(buf);
	return is;
}

/* Replays a trace on e1 (and e2, which must also agree with e1 at the end); fills r. */
static void run_trace(const cli_input *in, const pvm_engine *e1, const pvm_engine *e2, result *r)
{
	pvm_state st[2];
	pvm_exit x[2] = { 0 };
	char why[1024];
	pvm_errbuf e;
	free(r->name);
	r->name = pvm_xstrdup(in->vec.name);
	r->v = V_PASS;
	int k = 0;
	for (; k < 2 && r->v == V_PASS; k++) {
		const pvm_engine *eng = k ? e2 : e1;
		if (!eng) break;
		void *prep = eng->load(&in->prog, &e);
		if (!prep) {
			r->v = V_FAIL;
			snprintf(r->msg, sizeof r->msg, "[%s] cannot load program: %s", eng->name, e.msg);
			break;
		}
		pvm_state_copy(&st[k], &in->init);
		if (!pvm_trace_replay(&in->trace, eng, prep, &st[k], NULL, why, sizeof why)) {
			r->v = V_FAIL;
			snprintf(r->msg, sizeof r->msg, "%s%s%s%s", e2 ? "[" : "", e2 ? eng->name : "", e2 ? "] " : "", why);
		}
		x[k].status = in->trace.end == PVM_TRACE_HALT ? PVM_HALT : in->trace.end == PVM_TRACE_OOG ? PVM_OOG :
		              in->trace.panic_arg ? PVM_FAULT : PVM_PANIC;
		x[k].fault_addr = (uint32_t)in->trace.panic_arg;
		eng->free(prep);
	}
	if (r->v == V_PASS && k == 2 && !pvm_state_compare(e1->name, &st[0], x[0], e2->name, &st[1], x[1], why, sizeof why)) {
		r->v = V_FAIL;
		snprintf(r->msg, sizeof r->msg, "%s", why);
	}
	for (int i = 0; i < k; i++) pvm_state_fini(&st[i]);
	if (r->v == V_FAIL) printf("FAIL %s: %s\n", r->name, r->msg);
}

/* Runs one vector file; fills r. isa: the --isa value, or -1 to follow the file's format. */
static void run_one(const char *path, const pvm_engine *e1, const pvm_engine *e2, int isa,
                    unsigned dflags, result *r)
{
	cli_input in;
	char why[1024];
	r->name = pvm_xstrdup(path);
	fflush(stdout);
	if (is_vector08(path)) {
		run_one08(path, e1, e2, isa, dflags, r);
		return;
	}
	if (cli_load(path, CLI_AUTO, NULL, 0, -1, isa, dflags, &in)) {
		r->v = V_ERROR;
		snprintf(r->msg, sizeof r->msg, "malformed input");
		return;
	}
	if (in.kind == CLI_TRACE) {
		run_trace(&in, e1, e2, r);
		cli_input_fini(&in);
		return;
	}
	if (in.kind != CLI_VECTOR && in.kind != CLI_PVMASM) {
		r->v = V_ERROR;
		snprintf(r->msg, sizeof r->msg, "not a vector");
		fprintf(stderr, "%s: not a .json vector or .pvmasm case\n", path);
		cli_input_fini(&in);
		return;
	}
	free(r->name);
	r->name = pvm_xstrdup(in.vec.name);
	if (!in.vec.has_expected) {
		r->v = V_SKIP;
		printf("note: %s: no expected state, skipped\n", path);
		cli_input_fini(&in);
		return;
	}
	pvm_state s1, s2;
	pvm_exit x1, x2;
	r->v = V_PASS;
	if (!run_engine(e1, &in, &s1, &x1, why, sizeof why)) {
		r->v = V_FAIL;
		snprintf(r->msg, sizeof r->msg, "%s", why);
		printf("FAIL %s: %s\n", r->name, r->msg);
		cli_input_fini(&in);
		return;
	}
	if (!pvm_vector_check(&in.vec, &s1, x1, why, sizeof why)) {
		r->v = V_FAIL;
		snprintf(r->msg, sizeof r->msg, "%s%s%s", e2 ? "[" : "", e2 ? e1->name : "", e2 ? "] " : "");
		snprintf(r->msg + strlen(r->msg), sizeof r->msg - strlen(r->msg), "%s", why);
	}
	if (e2) {
		if (!run_engine(e2, &in, &s2, &x2, why, sizeof why)) {
			if (r->v == V_PASS) snprintf(r->msg, sizeof r->msg, "%s", why);
			r->v = V_FAIL;
		} else {
			if (r->v == V_PASS && !pvm_vector_check(&in.vec, &s2, x2, why, sizeof why)) {
				r->v = V_FAIL;
				snprintf(r->msg, sizeof r->msg, "[%s] %s", e2->name, why);
			}
			if (r->v == V_PASS && !pvm_state_compare(e1->name, &s1, x1, e2->name, &s2, x2, why,
			                                         sizeof why)) {
				r->v = V_FAIL;
				snprintf(r->msg, sizeof r->msg, "%s", why);
			}
			pvm_state_fini(&s2);
		}
	}
	pvm_state_fini(&s1);
	if (r->v == V_FAIL) printf("FAIL %s: %s\n", r->name, r->msg);
	cli_input_fini(&in);
}

static bool write_junit(const char *file, const result *res, size_t n, size_t failed, size_t errors,
                        size_t skipped)
{
	FILE *f = fopen(file, "w");
	if (!f) return false;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
	        "  <testsuite name=\"vectors\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	        "skipped=\"%zu\">\n", n, failed, errors, skipped);
	for (size_t i = 0; i < n; i++) {
		fputs("    <testcase classname=\"vectors\" name=\"", f);
		xml_escape(f, res[i].name);
		if (res[i].v == V_PASS) {
			fputs("\"/>\n", f);
			continue;
		}
		const char *tag = res[i].v == V_FAIL ? "failure" : res[i].v == V_ERROR ? "error" : "skipped";
		fprintf(f, "\">\n      <%s message=\"", tag);
		xml_escape(f, res[i].msg);
		fputs("\"/>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return fclose(f) == 0;
}

int cmd_vectors(int argc, char **argv)
{
	const char *engine = "interp", *junit = NULL;
	int isa = -1;
	unsigned dflags = 0;
	list paths = { 0 };
	bool bad = false;
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		int crc = cli_common_option("vectors", argc, argv, &i);
		if (crc > 0) return crc;
		if (crc == 0) continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--engine") || !strcmp(argv[i], "--junit")) {
			if (i + 1 >= argc) return cli_usage("vectors", "%s needs a value", argv[i]);
			*(argv[i][2] == 'e' ? &engine : &junit) = argv[i + 1];
			i++;
		} else if (cli_decode_option(argv[i], &dflags)) {
		} else if (!strcmp(argv[i], "--isa")) {
			if (i + 1 >= argc) return cli_usage("vectors", "--isa needs a value");
			if (cli_parse_isa("vectors", argv[++i], &isa)) return 2;
		} else if (!strcmp(argv[i], "--mutant")) {
			if (i + 1 >= argc) return cli_usage("vectors", "--mutant needs a value");
			if (!pvm_set_mutant(argv[++i]))
				return cli_usage("vectors", "--mutant: no mutant '%s' built in (see validate --list-mutants)", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage("vectors", "unknown option '%s' (try --help)", argv[i]);
		} else {
			argv[++npos] = argv[i]; /* positional arguments move to argv[1..npos] */
		}
	}
	if (!npos) return cli_usage("vectors", "no vector files or folders given (try --help)");
	const pvm_engine *e1, *e2 = NULL;
	if (!strcmp(engine, "both")) {
		e1 = cli_engine("interp");
		e2 = cli_engine("jit");
		if (!e1 || !e2)
			return cli_usage("vectors", "--engine both needs the interp and jit engines; built: %s",
			                 cli_engine_names());
	} else if (!(e1 = cli_engine(engine))) {
		return cli_usage("vectors", "unknown engine '%s' (built: %s)", engine, cli_engine_names());
	}
	for (int i = 1; i <= npos; i++)
		if (!add_path(&paths, argv[i])) bad = true;
	result *res = pvm_xcalloc(paths.n, sizeof *res);
	size_t passed = 0, failed = 0, errors = 0, skipped = 0;
	for (size_t i = 0; i < paths.n; i++) {
		run_one(paths.v[i], e1, e2, isa, dflags, &res[i]);
		passed += res[i].v == V_PASS;
		failed += res[i].v == V_FAIL;
		errors += res[i].v == V_ERROR;
		skipped += res[i].v == V_SKIP;
	}
	printf("vectors: %zu passed, %zu failed", passed, failed);
	if (skipped) printf(", %zu skipped", skipped);
	if (errors) printf(", %zu malformed", errors);
	putchar('\n');
	if (junit && !write_junit(junit, res, paths.n, failed, errors, skipped)) {
		fprintf(stderr, "%s: cannot write the JUnit report\n", junit);
		bad = true;
	}
	for (size_t i = 0; i < paths.n; i++) {
		free(res[i].name);
		free(paths.v[i]);
	}
	free(res);
	free(paths.v);
	return bad || errors ? 2 : failed ? 1 : 0;
}
