/* tests/jit/sandbox_perms.c: the JIT runtime's shadow of its sandbox page protections against
 * the kernel. Each FILE.pvmasm runs on both JIT feature sets (host calls resumed); at every
 * stop (start, each sbrk, exit) the protections /proc/self/maps shows for the 4 GiB of guest
 * memory must equal the shadow run for run, and the shadow must equal the state's page map.
 * A thread keeps its sandbox from run to run, so the bytes are checked too: at the start every
 * open page holds the state's bytes, and at each sbrk every page it opened reads zero. The files
 * run twice, the second time in reverse order, so that each runs on what others left behind.
 * Self-tests then change one page's protection and one byte behind the runtime's back and
 * require the checks to see them. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "jit/jit.h"

enum { MAX_RUNS = 4096, MAX_RESUMES = 100 };
typedef struct seg { uint32_t first, end; pvm_perm perm; } seg;
typedef struct segs { seg v[MAX_RUNS]; size_t n; bool overflow; } segs;

static void push(segs *l, uint32_t first, uint32_t end, pvm_perm perm)
{
	if (perm == PVM_NONE || first >= end) return;
	if (l->n && l->v[l->n - 1].end == first && l->v[l->n - 1].perm == perm) {
		l->v[l->n - 1].end = end;
		return;
	}
	if (l->n == MAX_RUNS) {
		l->overflow = true;
		return;
	}
	l->v[l->n++] = (seg){ first, end, perm };
}

static void from_shadow(void *lv, uint32_t first, uint32_t end, pvm_perm perm) { push(lv, first, end, perm); }

/* The kernel's protections of [membase, membase + 4 GiB) as page runs; false on a parse error or
 * when the mappings do not cover the whole range. */
static bool from_kernel(const uint8_t *membase, segs *out, char *why, size_t n)
{
	uintptr_t lo = (uintptr_t)membase, hi = lo + ((uintptr_t)1 << 32), covered = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f) return snprintf(why, n, "cannot open /proc/self/maps"), false;
	char line[512];
	out->n = 0;
	out->overflow = false;
	while (fgets(line, sizeof line, f)) {
		uintptr_t a, b;
		char prot[8];
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s", &a, &b, prot) != 3) {
			fclose(f);
			return snprintf(why, n, "unparsed maps line: %.200s", line), false;
		}
		if (b <= lo || a >= hi) continue;
		if (a < lo) a = lo;
		if (b > hi) b = hi;
		pvm_perm p;
		if (!strncmp(prot, "---", 3)) p = PVM_NONE;
		else if (!strncmp(prot, "r--", 3)) p = PVM_READ;
		else if (!strncmp(prot, "rw-", 3)) p = PVM_WRITE;
		else {
			fclose(f);
			return snprintf(why, n, "guest pages with protection %s at 0x%" PRIxPTR, prot, a - lo), false;
		}
		covered += b - a;
		push(out, (uint32_t)((a - lo) / PVM_PAGE), (uint32_t)((b - lo) / PVM_PAGE), p);
	}
	fclose(f);
	if (covered != hi - lo) return snprintf(why, n, "maps cover 0x%" PRIxPTR " of the 4 GiB", covered), false;
	return true;
}

/* The first difference between the kernel's view and the shadow, as one line; true if equal. */
static bool kernel_agrees(const jit_stop *st, segs *k, segs *s, char *why, size_t n)
{
	if (!from_kernel(st->membase, k, why, n)) return false;
	s->n = 0;
	s->overflow = false;
	jit_perms_each(st->perms, from_shadow, s);
	if (k->overflow || s->overflow) return snprintf(why, n, "more than %d runs", MAX_RUNS), false;
	for (size_t i = 0; i < k->n || i < s->n; i++) {
		if (i < k->n && i < s->n && !memcmp(&k->v[i], &s->v[i], sizeof k->v[i])) continue;
		const seg *a = i < k->n ? &k->v[i] : NULL, *b = i < s->n ? &s->v[i] : NULL;
		snprintf(why, n, "run %zu: kernel [0x%" PRIx32 ", 0x%" PRIx32 ") %s, shadow [0x%" PRIx32 ", 0x%" PRIx32 ") %s",
		         i, a ? a->first * PVM_PAGE : 0, a ? a->end * PVM_PAGE : 0, a ? pvm_perm_name(a->perm) : "-",
		         b ? b->first * PVM_PAGE : 0, b ? b->end * PVM_PAGE : 0, b ? pvm_perm_name(b->perm) : "-");
		return false;
	}
	return true;
}

typedef struct check {
	const char *file, *engine;
	size_t stops, pages;     /* stops checked, non-none pages compared */
	size_t bytes_pages;      /* pages whose bytes were compared */
	int failures;
	bool tamper;             /* self-test: change one page behind the runtime's back */
	bool tamper_seen, tamper_bytes_seen;
	segs *k, *s;             /* scratch: the kernel's runs and the shadow's */
	segs *prev;              /* the shadow at the run's previous stop */
} check;

static bool in_segs(const segs *l, uint32_t pn)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].first <= pn && pn < l->v[i].end) return true;
	return false;
}

/* The first open page whose bytes differ from what it must hold: at "start" the state's bytes;
 * at "sbrk", for a page not open at the previous stop, zero. True if there is none. */
static bool bytes_agree(check *c, const jit_stop *st, char *why, size_t n)
{
	static const uint8_t zero[PVM_PAGE];
	bool start = !strcmp(st->what, "start");
	for (size_t i = 0; i < c->s->n; i++)
		for (uint32_t pn = c->s->v[i].first; pn < c->s->v[i].end; pn++) {
			const uint8_t *want = start ? pvm_mem_page_c(st->state->mem, pn) : in_segs(c->prev, pn) ? NULL : zero;
			if (!want) continue;
			const uint8_t *at = st->membase + (size_t)pn * PVM_PAGE;
			c->bytes_pages++;
			if (memcmp(at, want, PVM_PAGE)) {
				uint32_t k = 0;
				while (at[k] == want[k]) k++;
				return snprintf(why, n, "byte 0x%" PRIx32 ": sandbox 0x%02x, %s 0x%02x", pn * PVM_PAGE + k, at[k],
				                start ? "state" : "fresh page", want[k]), false;
			}
		}
	return true;
}

static void count_pages(void *cv, uint32_t first, uint32_t end, pvm_perm perm) { *(size_t *)cv += end - first; }

static void on_stop(void *cv, const jit_stop *st)
{
	check *c = cv;
	char why[256];
	c->stops++;
	jit_perms_each(st->perms, count_pages, &c->pages);
	if (c->tamper && !strcmp(st->what, "start")) {
		/* the page just above the highest guest page the shadow holds: PROT_READ, unrecorded */
		c->s->n = 0;
		jit_perms_each(st->perms, from_shadow, c->s);
		uint32_t pn = c->s->n ? c->s->v[c->s->n - 1].end : 0x10;
		uint8_t *at = (uint8_t *)st->membase + (size_t)pn * PVM_PAGE;
		mprotect(at, PVM_PAGE, PROT_READ);
		bool seen = !kernel_agrees(st, c->k, c->s, why, sizeof why);
		if (seen && !c->tamper_seen) printf("self-test: %s\n", why);
		c->tamper_seen |= seen;
		mprotect(at, PVM_PAGE, PROT_NONE);
		if (c->s->n) { /* one byte of the first open page, changed and put back */
			uint8_t *b = (uint8_t *)st->membase + (size_t)c->s->v[0].first * PVM_PAGE;
			if (c->s->v[0].perm != PVM_WRITE) mprotect(b, PVM_PAGE, PROT_READ | PROT_WRITE);
			b[7] ^= 0x5a;
			c->tamper_bytes_seen = !bytes_agree(c, st, why, sizeof why);
			if (c->tamper_bytes_seen) printf("self-test: %s\n", why);
			c->s->n = 0;
			jit_perms_each(st->perms, from_shadow, c->s);
			b[7] ^= 0x5a;
			if (c->s->v[0].perm != PVM_WRITE) mprotect(b, PVM_PAGE, PROT_READ);
		}
		*c->prev = *c->s;
		return;
	}
	uint32_t pn;
	if (!kernel_agrees(st, c->k, c->s, why, sizeof why)) {
		printf("FAIL %s [%s] %s at pc %" PRIu32 ": %s\n", c->file, c->engine, st->what, st->pc, why);
		c->failures++;
	} else if (jit_perms_diff(st->perms, st->state->mem, &pn)) {
		printf("FAIL %s [%s] %s at pc %" PRIu32 ": shadow %s, page map %s at 0x%" PRIx32 "\n", c->file,
		       c->engine, st->what, st->pc, pvm_perm_name(jit_perms_get(st->perms, pn)),
		       pvm_perm_name(pvm_mem_perm(st->state->mem, pn)), pn * PVM_PAGE);
		c->failures++;
	} else if (strcmp(st->what, "exit") && !bytes_agree(c, st, why, sizeof why)) {
		printf("FAIL %s [%s] %s at pc %" PRIu32 ": %s\n", c->file, c->engine, st->what, st->pc, why);
		c->failures++;
	}
	*c->prev = *c->s; /* kernel_agrees left the shadow's runs in c->s */
}

static int run_file(const char *path, jit_features f, const char *engine, check *c)
{
	pvm_errbuf e;
	uint8_t *text;
	size_t len;
	pvm_vector v;
	pvm_program p;
	if (pvm_read_file(path, &text, &len, &e)) return printf("%s\n", e.msg), 2;
	pvm_err err = pvm_asm((const char *)text, len, path, &v, &e);
	free(text);
	if (err) return printf("%s\n", e.msg), 2;
	if (pvm_program_decode(&p, v.program, v.program_len, path, &e)) {
		pvm_vector_fini(&v);
		return printf("%s\n", e.msg), 2;
	}
	jit_program *jp;
	if (jit_program_new(&p, f, &jp)) {
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
		return printf("%s: cannot compile\n", path), 2;
	}
	c->file = path;
	c->engine = engine;
	jit_program_set_hook(jp, on_stop, c);
	pvm_state s;
	pvm_vector_initial_state(&v, &s);
	for (int i = 0; i < MAX_RESUMES; i++) {
		pvm_exit x = jit_program_run(jp, &s);
		if (x.status != PVM_HOST) break;
		s.pc = x.next;
	}
	pvm_state_fini(&s);
	jit_program_free(jp);
	pvm_program_fini(&p);
	pvm_vector_fini(&v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: jit_sandbox_perms FILE.pvmasm...\n");
		return 2;
	}
	segs *k = malloc(sizeof *k), *sh = malloc(sizeof *sh), *prev = malloc(sizeof *prev);
	if (!k || !sh || !prev) return 2;
	check c = { .k = k, .s = sh, .prev = prev };
	for (int pass = 0; pass < 2; pass++)
		for (int j = 1; j < argc; j++) {
			int i = pass ? argc - j : j;
			if (run_file(argv[i], jit_cpu_features(), "jit", &c)) return 2;
			if (run_file(argv[i], jit_no_features(), "jit-portable", &c)) return 2;
		}
	check t = { .tamper = true, .k = k, .s = sh, .prev = prev };
	const char *with_pages = NULL; /* a file with a mapped page at its start, for the byte self-test */
	for (int i = 1; i < argc && !t.tamper_bytes_seen; i++) {
		if (run_file(argv[i], jit_cpu_features(), "jit", &t)) return 2;
		with_pages = argv[i];
	}
	free(k);
	free(sh);
	free(prev);
	printf("sandbox perms: %d files (twice), %zu stops, %zu pages' bytes compared, %zu pages compared, %d failures\n",
	       argc - 1, c.stops, c.bytes_pages, c.pages, c.failures);
	if (!t.tamper_seen) {
		printf("FAIL self-test: a page protected behind the runtime's back was not seen\n");
		return 1;
	}
	if (!t.tamper_bytes_seen) {
		printf("FAIL self-test: a byte changed behind the runtime's back was not seen (last file %s)\n",
		       with_pages ? with_pages : "-");
		return 1;
	}
	if (c.pages == 0) {
		printf("FAIL no mapped guest page was compared\n");
		return 1;
	}
	return c.failures ? 1 : 0;
}
