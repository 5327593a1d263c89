/* cli/cmd_showmap.c: `jitproof showmap CORPUS... -o DIR`: replays every program of a corpus and
 * writes its coverage as afl-showmap text ("id:count" lines, ids sorted) laid out as
 * DIR/<approach>/<trial>, the layout differential-coverage reads. Ids: pvm_<hash>_<pc> (basic
 * blocks entered), spec_<opcode>_<path> (spec paths taken, semantics/paths.c), sancov_<guard>
 * (the engines' own code, from a -DJITPROOF_SANCOV=ON build). Ids are stable across runs. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "semantics/sem.h"

static const char usage_text[] =
	"usage: jitproof showmap CORPUS... -o DIR [--approach NAME] [--trial NAME] [--per-input]\n"
	"                        [--domain LIST] [--raw] [--engine NAME] [--isa 0.8.0|0.7.2] [--reading R]\n"
	"Replays every program of the corpus (w3f vectors, .pvmasm, blobs, containers, JIP-7 traces\n"
	"(their host calls answered by the trace: the blocks of the real run), or folders of them,\n"
	"recursively) and writes afl-showmap coverage to DIR/APPROACH/TRIAL, one 'id:count'\n"
	"line per covered id:\n"
	"  pvm_<first 16 hex of the program's hash>_<pc, 8 hex>  basic blocks entered\n"
	"  spec_<opcode>_<path>   spec paths taken (each condition of the spec both ways, faults, oog)\n"
	"  sancov_<guard, 8 hex>  engine code covered (needs a -DJITPROOF_SANCOV=ON clang build)\n"
	"pvm and spec ids come from the spec evaluator's trace, sancov ids from --engine's run.\n"
	"Folders: every file below, recursively, except dot-files and *.md, *.txt notes. --isa: the\n"
	"revision of .pvmasm, blob and container inputs (default 0.8.0; a .json vector's format decides).\n"
	"  -o DIR           output folder (created); only APPROACH/TRIAL files are written there\n"
	"  --approach NAME  default: the name of the first CORPUS\n"
	"  --trial NAME     default: trial (ignored with --per-input)\n"
	"  --per-input      one trial file per corpus entry (named after it) instead of one\n"
	"  --domain LIST    comma-separated pvm,spec,sancov (default: all that are built in)\n"
	"  --raw            raw hit counts (default: AFL's saturating buckets 1,2,3,4,8,16,32,128)\n"
	"  --engine NAME    engine whose code sancov measures (default interp)\n"
	CLI_COMMON_HELP
	"A trial that covers nothing is an error (exit 2), as differential-coverage rejects it.\n";

enum { D_PVM = 1, D_SPEC = 2, D_SANCOV = 4, MAX_HOST_CALLS = 1000 };

uint64_t cli_hash64(const uint8_t *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* ---- corpus walk ---------------------------------------------------------------------------- */

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void push(char ***list, size_t *n, char *s)
{
	*list = pvm_xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = s;
}

bool cli_corpus_add(char ***list, size_t *n, const char *path)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "%s: cannot open: %s\n", path, strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		push(list, n, pvm_xstrdup(path));
		return true;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open folder\n", path);
		return false;
	}
	char **names = NULL;
	size_t k = 0;
	bool ok = true;
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.' || cli_has_suffix(de->d_name, ".md") || cli_has_suffix(de->d_name, ".txt")) continue;
		char *full = pvm_xmalloc(strlen(path) + strlen(de->d_name) + 2);
		sprintf(full, "%s/%s", path, de->d_name);
		push(&names, &k, full);
	}
	closedir(d);
	if (k) qsort(names, k, sizeof *names, by_name);
	for (size_t i = 0; i < k; i++) {
		if (ok) ok = cli_corpus_add(list, n, names[i]);
		free(names[i]);
	}
	free(names);
	return ok;
}

/* ---- coverage maps: id -> count (open addressing) ------------------------------------------- */

typedef struct cov_ent { char *id; uint64_t count; } cov_ent;
typedef struct cov_map { cov_ent *e; size_t n, cap; } cov_map;

static void cov_add(cov_map *m, const char *id, uint64_t count)
{
	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		cov_ent *e = pvm_xcalloc(cap, sizeof *e);
		for (size_t i = 0; i < m->cap; i++)
			if (m->e[i].id) {
				size_t h = cli_hash64((const uint8_t *)m->e[i].id, strlen(m->e[i].id)) & (cap - 1);
				while (e[h].id) h = (h + 1) & (cap - 1);
				e[h] = m->e[i];
			}
		free(m->e);
		m->e = e;
		m->cap = cap;
	}
	size_t h = cli_hash64((const uint8_t *)id, strlen(id)) & (m->cap - 1);
	while (m->e[h].id && strcmp(m->e[h].id, id)) h = (h + 1) & (m->cap - 1);
	if (!m->e[h].id) {
		m->e[h].id = pvm_xstrdup(id);
		m->n++;
	}
	m->e[h].count += count;
}

static void cov_free(cov_map *m)
{
	for (size_t i = 0; i < m->cap; i++) free(m->e[i].id);
	free(m->e);
	memset(m, 0, sizeof *m);
}

static void cov_merge(cov_map *dst, const cov_map *src)
{
	for (size_t i = 0; i < src->cap; i++)
		if (src->e[i].id) cov_add(dst, src->e[i].id, src->e[i].count);
}

/* AFL's count classes (afl-showmap's default output). */
static uint64_t bucket(uint64_t c)
{
	return c <= 3 ? c : c <= 7 ? 4 : c <= 15 ? 8 : c <= 31 ? 16 : c <= 127 ? 32 : 128;
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(const cov_ent *const *)a)->id, (*(const cov_ent *const *)b)->id);
}

/* Writes the map sorted by id; 0, or 2 with a message. */
static int cov_write(const cov_map *m, const char *path, bool raw)
{
	const cov_ent **v = pvm_xmalloc((m->n ? m->n : 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->e[i].id) v[k++] = &m->e[i];
	qsort(v, k, sizeof *v, by_id);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
		free(v);
		return 2;
	}
	for (size_t i = 0; i < k; i++)
		fprintf(f, "%s:%llu\n", v[i]->id, (unsigned long long)(raw ? v[i]->count : bucket(v[i]->count)));
	free(v);
	if (fclose(f)) {
		fprintf(stderr, "%s: cannot write\n", path);
		return 2;
	}
	return 0;
}

/* ---- tracing one input ---------------------------------------------------------------------- */

typedef struct tracer {
	const sem_spec *sp;
	const pvm_program *p;
	cov_map *m;
	unsigned domains;
	char hash[17];
} tracer;

static void on_inst(void *ctx, uint32_t pc, unsigned op, uint64_t paths)
{
	tracer *t = ctx;
	char id[96];
	bool oog = paths == (1ull << 1);
	if ((t->domains & D_PVM) && !oog && pc <= t->p->code_len && t->p->is_block[pc]) {
		snprintf(id, sizeof id, "pvm_%s_%08x", t->hash, pc);
		cov_add(t->m, id, 1);
	}
	const sem_insn *si = sem_spec_get(t->sp, op);
	if (!(t->domains & D_SPEC) || !si) return;
	for (unsigned i = 0; i < si->n_paths && i < 64; i++)
		if (paths >> i & 1) {
			snprintf(id, sizeof id, "spec_%s_%s", si->name, si->paths[i].name);
			cov_add(t->m, id, 1);
		}
}

/* Runs until a non-host exit (host calls resumed unchanged, as replay does; a trace answers its
 * own, and its run stops where it departs from the trace). */
static void run_engine(const cli_input *in, const pvm_engine *eng, void *prep, pvm_state *s)
{
	char why[512];
	for (size_t calls = 0;;) {
		pvm_exit x = eng->run(prep, s);
		if (x.status != PVM_HOST || calls == MAX_HOST_CALLS || !cli_resume(in, &calls, s, &x, why, sizeof why)) return;
	}
}

static int trace_one(const char *path, sem_spec *const specs[PVM_ISA_COUNT], int isa, const pvm_engine *eng,
                     unsigned domains, cov_map *m)
{
	cli_input in;
	if (cli_load(path, CLI_AUTO, NULL, 0, -1, isa, 0, &in)) return 2;
	const sem_spec *sp = specs[in.prog.isa]; /* the spec of the program's own revision */
	if (domains & (D_PVM | D_SPEC)) {
		tracer t = { .sp = sp, .p = &in.prog, .m = m, .domains = domains };
		snprintf(t.hash, sizeof t.hash, "%016llx",
		         (unsigned long long)cli_hash64(in.vec.program, in.vec.program_len));
		pvm_state s;
		pvm_state_copy(&s, &in.init);
		char why[512];
		for (size_t calls = 0;;) {
			pvm_exit x = sem_run_trace(sp, &in.prog, &s, on_inst, &t);
			if (x.status != PVM_HOST || calls == MAX_HOST_CALLS) break;
			if (!cli_resume(&in, &calls, &s, &x, why, sizeof why)) {
				fprintf(stderr, "%s: %s (coverage up to there)\n", path, why);
				break;
			}
		}
		pvm_state_fini(&s);
	}
	if (domains & D_SANCOV) {
		cli_sancov_reset();
		pvm_errbuf e;
		void *prep = eng->load(&in.prog, &e);
		if (!prep) {
			fprintf(stderr, "%s: %s\n", path, e.msg);
			cli_input_fini(&in);
			return 2;
		}
		pvm_state s;
		pvm_state_copy(&s, &in.init);
		run_engine(&in, eng, prep, &s);
		pvm_state_fini(&s);
		eng->free(prep);
		for (size_t i = 0; i < cli_sancov_guards(); i++) {
			uint32_t h = cli_sancov_hits(i);
			if (!h) continue;
			char id[32];
			snprintf(id, sizeof id, "sancov_%08zx", i);
			cov_add(m, id, h);
		}
	}
	cli_input_fini(&in);
	return 0;
}

/* ---- names and folders ---------------------------------------------------------------------- */

/* A trial or approach name from a path: its last component without the extension, every
 * character outside [A-Za-z0-9_-] as '_' (so the file's stem is the whole name). */
static void name_of(const char *path, char *out, size_t n)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/') len--;
	size_t b = len;
	while (b > 0 && path[b - 1] != '/') b--;
	size_t e = len;
	for (size_t i = len; i > b + 1; i--)
		if (path[i - 1] == '.') {
			e = i - 1;
			break;
		}
	size_t k = 0;
	for (size_t i = b; i < e && k + 1 < n; i++) {
		char c = path[i];
		out[k++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ? c : '_';
	}
	out[k] = 0;
	if (!k) snprintf(out, n, "corpus");
}

static bool valid_name(const char *s)
{
	if (!*s || *s == '.') return false;
	for (; *s; s++)
		if (*s == '/' || *s == '.') return false;
	return true;
}

static int make_dir(const char *d)
{
	if (mkdir(d, 0777) && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create folder: %s\n", d, strerror(errno));
		return 2;
	}
	struct stat st;
	if (stat(d, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: not a folder\n", d);
		return 2;
	}
	return 0;
}

static int parse_domains(const char *s, unsigned *out)
{
	*out = 0;
	char buf[64];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		if (!strcmp(tok, "pvm")) *out |= D_PVM;
		else if (!strcmp(tok, "spec")) *out |= D_SPEC;
		else if (!strcmp(tok, "sancov")) *out |= D_SANCOV;
		else return cli_usage("showmap", "--domain: unknown domain '%s' (pvm, spec, sancov)", tok);
	}
	if (!*out) return cli_usage("showmap", "--domain: empty list");
	return 0;
}

static const char *domain_names(unsigned d, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s%s", d & D_PVM ? "pvm" : "", d & D_PVM && d & ~D_PVM ? "," : "",
	         d & D_SPEC ? "spec" : "", d & D_SPEC && d & D_SANCOV ? "," : "", d & D_SANCOV ? "sancov" : "");
	return buf;
}

static int emit(const cov_map *m, const char *dir, const char *trial, unsigned domains, bool raw)
{
	if (!m->n) {
		char dn[32];
		fprintf(stderr, "jitproof showmap: trial '%s' covers nothing in domain %s%s; no file written\n", trial,
		        domain_names(domains, dn, sizeof dn),
		        domains == D_SANCOV && !cli_sancov_available() ? " (this build has no sancov guards)" : "");
		return 2;
	}
	char *path = pvm_xmalloc(strlen(dir) + strlen(trial) + 2);
	sprintf(path, "%s/%s", dir, trial);
	int rc = cov_write(m, path, raw);
	free(path);
	return rc;
}

int cmd_showmap(int argc, char **argv)
{
	const char *out = NULL, *approach = NULL, *trial = "trial", *engine = "interp";
	bool per_input = false, raw = false;
	unsigned domains = D_PVM | D_SPEC | (cli_sancov_available() ? D_SANCOV : 0);
	char **corpus = NULL;
	const char *first = NULL;
	size_t n = 0;
	int rc = 0, isa = -1;
	for (int i = 1; i < argc && !rc; i++) {
		int crc = cli_common_option("showmap", argc, argv, &i);
		if (crc > 0) return crc;
		if (crc == 0) continue;
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = !strcmp(a, "-o") || !strcmp(a, "--approach") || !strcmp(a, "--trial") ||
		             !strcmp(a, "--domain") || !strcmp(a, "--engine") || !strcmp(a, "--isa");
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			goto done;
		} else if (takes && !val) {
			rc = cli_usage("showmap", "%s needs a value", a);
		} else if (!strcmp(a, "-o")) {
			out = argv[++i];
		} else if (!strcmp(a, "--approach")) {
			approach = argv[++i];
		} else if (!strcmp(a, "--trial")) {
			trial = argv[++i];
		} else if (!strcmp(a, "--engine")) {
			engine = argv[++i];
		} else if (!strcmp(a, "--isa")) {
			rc = cli_parse_isa("showmap", argv[++i], &isa);
		} else if (!strcmp(a, "--domain")) {
			rc = parse_domains(argv[++i], &domains);
		} else if (!strcmp(a, "--per-input")) {
			per_input = true;
		} else if (!strcmp(a, "--raw")) {
			raw = true;
		} else if (a[0] == '-' && a[1]) {
			rc = cli_usage("showmap", "unknown option '%s' (try --help)", a);
		} else if (!cli_corpus_add(&corpus, &n, a)) {
			rc = 2;
		} else if (!first) {
			first = a;
		}
	}
	if (rc) goto done;
	if (!out) {
		rc = cli_usage("showmap", "needs -o DIR (try --help)");
		goto done;
	}
	if (!n) {
		rc = cli_usage("showmap", "no CORPUS entries (an empty folder, or none given)");
		goto done;
	}
	char aname[128];
	if (approach) snprintf(aname, sizeof aname, "%s", approach);
	else name_of(first, aname, sizeof aname);
	if (!valid_name(aname) || (!per_input && !valid_name(trial))) {
		rc = cli_usage("showmap", "approach and trial names must be non-empty, without '/' or '.'");
		goto done;
	}
	if ((domains & D_SANCOV) && !cli_sancov_available()) {
		rc = cli_usage("showmap", "--domain sancov: this jitproof was built without -DJITPROOF_SANCOV=ON (clang)");
		goto done;
	}
	const pvm_engine *eng = cli_engine(engine);
	if (!eng) {
		rc = cli_usage("showmap", "unknown engine '%s' (built: %s)", engine, cli_engine_names());
		goto done;
	}
	pvm_errbuf e;
	sem_spec *specs[PVM_ISA_COUNT] = { NULL };
	for (int r = 0; r < PVM_ISA_COUNT; r++)
		if (!(specs[r] = sem_spec_load_isa(sem_spec_default_path(), (pvm_isa)r, &e))) {
			fprintf(stderr, "%s\n", e.msg);
			for (int k = 0; k < r; k++) sem_spec_free(specs[k]);
			rc = 2;
			goto done;
		}
	char *dir = pvm_xmalloc(strlen(out) + strlen(aname) + 2);
	sprintf(dir, "%s/%s", out, aname);
	rc = make_dir(out);
	if (!rc) rc = make_dir(dir);
	cov_map total = { 0 };
	size_t files = 0;
	char **names = pvm_xcalloc(n, sizeof *names);
	for (size_t i = 0; i < n && !rc; i++) {
		cov_map m = { 0 };
		rc = trace_one(corpus[i], specs, isa, eng, domains, &m);
		if (!rc && per_input) {
			char nm[256];
			name_of(corpus[i], nm, sizeof nm);
			/* two inputs with one stem (a.json, a.pvmasm): the later gets a numeric suffix */
			size_t len = strlen(nm);
			for (unsigned k = 2;; k++) {
				bool dup = false;
				for (size_t j = 0; j < files && !dup; j++) dup = !strcmp(names[j], nm);
				if (!dup) break;
				snprintf(nm + len, sizeof nm - len, "_%u", k);
			}
			names[files++] = pvm_xstrdup(nm);
			rc = emit(&m, dir, nm, domains, raw);
		}
		if (!rc) cov_merge(&total, &m);
		cov_free(&m);
	}
	if (!rc && !per_input) {
		rc = emit(&total, dir, trial, domains, raw);
		files = 1;
	}
	if (!rc) printf("showmap: %zu inputs, %zu ids, %zu trial files in %s\n", n, total.n, files, dir);
	for (size_t i = 0; i < n; i++) free(names[i]);
	free(names);
	cov_free(&total);
	free(dir);
	for (int r = 0; r < PVM_ISA_COUNT; r++) sem_spec_free(specs[r]);
done:
	for (size_t i = 0; i < n; i++) free(corpus[i]);
	free(corpus);
	return rc;
}
