/* pvm/util.c: error buffers and the position formatter, the allocation helpers (out of memory
 * aborts), status names and whole-file reading, shared by every module. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
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
	[PVM_FAULT] = "page-fault", [PVM_HOST] = "host-call",
};

const char *pvm_status_name(pvm_status s)
{
	return (unsigned)s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "?";
}

int pvm_status_by_name(const char *s)
{
	for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (!strcmp(status_names[i], s)) return (int)i;
	return -1;
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
