/* pvm/util.c: error buffers and the position formatter, the allocation helpers (out of memory
 * aborts), status names and whole-file reading, shared by every module. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pvm.h"

void pvm_errf(pvm_errbuf *e, const char *fmt, ...)
{
	if (!e) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

void pvm_out_of_memory(size_t n)
{
	fprintf(stderr, "jitproof: out of memory (%zu bytes)\n", n);
	abort();
}

void *pvm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) pvm_out_of_memory(n);
	return p;
}

void *pvm_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) pvm_out_of_memory(n * size);
	return p;
}

void *pvm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) pvm_out_of_memory(n);
	return q;
}

char *pvm_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(pvm_xmalloc(n), s, n);
}

void pvm_verrf_at(pvm_errbuf *e, const char *file, size_t line, size_t col, const char *fmt, va_list ap)
{
	if (!e) return;
	int k = snprintf(e->msg, sizeof e->msg, "%s:%zu:%zu: ", file, line, col);
	if (k >= 0 && (size_t)k < sizeof e->msg) vsnprintf(e->msg + k, sizeof e->msg - (size_t)k, fmt, ap);
}

void pvm_errf_at(pvm_errbuf *e, const char *file, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(e, file, line, col, fmt, ap);
	va_end(ap);
}

const char *pvm_strerror(pvm_err err)
{
	switch (err) {
	case PVM_OK: return "ok";
	case PVM_EINVAL: return "malformed input";
	case PVM_EIO: return "i/o error";
	case PVM_ENOMEM: return "out of memory";
	}
	return "unknown error";
}

static const char *const status_names[] = {
	[PVM_HALT] = "halt", [PVM_PANIC] = "panic", [PVM_OOG] = "out-of-gas",
	[PVM_FAULT] = "page-fault", [PVM_HOST] = "host-call", [PVM_LIMIT] = "time-limit",
};

const char *pvm_status_name(pvm_status s)
{
	return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "?";
}

int pvm_status_by_name(const char *s)
{
	for (size_t i = 0; i < PVM_LIMIT; i++) /* (the PVM's exits: time-limit is an engine's) */
		if (!strcmp(status_names[i], s)) return (int)i;
	return -1;
}

static __thread uint64_t run_limit;
void pvm_set_run_limit(uint64_t ns) { run_limit = ns; }
uint64_t pvm_run_limit(void) { return run_limit; }

uint64_t pvm_thread_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t pvm_limit_after(uint64_t ns)
{
	return PVM_LIMIT_BASE_NS + (ns < UINT64_MAX / 2 / PVM_LIMIT_FACTOR ? ns * PVM_LIMIT_FACTOR : UINT64_MAX / 2);
}

void pvm_run_pair(const pvm_engine *ea, void *pa, pvm_state *sa, pvm_exit *xa,
                  const pvm_engine *eb, void *pb, pvm_state *sb, pvm_exit *xb)
{
	uint64_t t0 = pvm_thread_ns();
	*xa = ea->run(pa, sa);
	uint64_t before = run_limit;
	run_limit = pvm_limit_after(pvm_thread_ns() - t0);
	*xb = eb->run(pb, sb);
	run_limit = before;
}

pvm_err pvm_read_file(const char *path, uint8_t **buf, size_t *len, pvm_errbuf *e)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		pvm_errf(e, "%s: cannot open: %s", path, strerror(errno));
		return PVM_EIO;
	}
	size_t cap = 4096, n = 0;
	uint8_t *b = pvm_xmalloc(cap + 1);
	for (;;) {
		n += fread(b + n, 1, cap - n, f);
		if (n < cap) break;
		cap *= 2;
		b = pvm_xrealloc(b, cap + 1);
	}
	if (ferror(f)) {
		pvm_errf(e, "%s: read error: %s", path, strerror(errno));
		fclose(f);
		free(b);
		return PVM_EIO;
	}
	fclose(f);
	b[n] = 0; /* convenience terminator for text parsers */
	*buf = b;
	*len = n;
	return PVM_OK;
}
