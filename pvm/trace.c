/* pvm/trace.c: JIP-7 "PVM ecalli traces" (read, check against a run, write) and the on-chain
 * service blob (a metadata prefix before the standard container). The format as the peers write
 * it (typeberry's ecalli-trace-logger, anan-as's replay-trace; README § Traces):
 *   program 0xHEX                              the blob as stored on chain
 *   memwrite 0xADDR len=N <- 0xHEX             before start: the initial memory
 *   start pc=P gas=G rNN=0xV...                registers that are 0 are omitted
 *   ecalli=ID pc=P gas=G rNN=0xV...            then, in this order:
 *   memread 0xADDR len=N -> 0xHEX              what the host read
 *   memwrite 0xADDR len=N <- 0xHEX             what it wrote
 *   setreg rNN <- 0xV                          what it set
 *   setgas <- G                                the gas after the call
 *   HALT pc=P gas=G ... | OOG pc=P gas=G ... | PANIC=ARG pc=P gas=G ...
 * Unknown lines are ignored and a known line may follow a prefix ("TRACE [  ecalli] "). */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "pvm.h"

/* ---- on-chain blobs ----------------------------------------------------------------------- */

static uint32_t le(const uint8_t *b, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++) v |= (uint32_t)b[i] << (8 * i);
	return v;
}

bool pvm_container_shape(const uint8_t *b, size_t len)
{
	if (len < 15) return false;
	uint64_t o = le(b, 3), w = le(b + 3, 3);
	if (o + w > len - 15) return false;
	return le(b + 11 + o + w, 4) == len - 15 - o - w;
}

pvm_err pvm_meta_split(const uint8_t *b, size_t len, int mode, const char *name, size_t *off,
                       pvm_errbuf *e)
{
	uint64_t m = 0;
	size_t k = pvm_varint_decode(b, len, &m);
	bool meta = k && m <= len - k && pvm_container_shape(b + k + m, len - k - (size_t)m);
	bool plain = pvm_container_shape(b, len);
	*off = 0;
	if (mode > 0 || (mode == 0 && meta && !plain)) {
		if (!meta) {
			if (!k || m > len - k)
				pvm_errf(e, "%s: offset 0: metadata length %s", name,
				         k ? "runs past the end of the blob" : "is not a variable-length natural");
			else
				pvm_errf(e, "%s: offset %zu: after %" PRIu64 " bytes of metadata, not a standard "
				         "container (its lengths do not add up to the %zu bytes left)", name,
				         k + (size_t)m, m, len - k - (size_t)m);
			return PVM_EINVAL;
		}
		*off = k + (size_t)m;
		return PVM_OK;
	}
	if (mode < 0 || plain) {
		if (meta && mode == 0) {
			pvm_errf(e, "%s: offset 0: ambiguous blob: it reads both as a standard container and as "
			         "%" PRIu64 " bytes of metadata followed by one (choose with --metadata or "
			         "--no-metadata)", name, m);
			return PVM_EINVAL;
		}
		return PVM_OK; /* the container reader reports what is wrong with it */
	}
	pvm_errf(e, "%s: offset 0: neither a standard container nor metadata followed by one (the "
	         "lengths add up in neither reading)", name);
	return PVM_EINVAL;
}

/* Reads a length-prefixed string at *at; false if it does not fit. */
static bool meta_str(const uint8_t *m, size_t len, size_t *at, const uint8_t **s, size_t *n)
{
	uint64_t l;
	size_t k = pvm_varint_decode(m + *at, len - *at, &l);
	if (!k || l > len - *at - k) return false;
	*s = m + *at + k;
	*n = (size_t)l;
	*at += k + (size_t)l;
	for (size_t i = 0; i < *n; i++)
		if ((*s)[i] < 0x20 || (*s)[i] > 0x7e || (*s)[i] == '"') return false;
	return true;
}

int pvm_meta_describe(const uint8_t *m, size_t len, char *out, size_t n)
{
	static const char *const what[3] = { "name", "version", "licence" };
	size_t at = 1, w = 0;
	bool ok = len >= 1 && m[0] == 0;
	char buf[1024];
	w += (size_t)snprintf(buf, sizeof buf, "metadata (%zu bytes):", len);
	for (int i = 0; ok && i < 3; i++) {
		const uint8_t *s;
		size_t sl;
		ok = meta_str(m, len, &at, &s, &sl);
		if (ok && w < sizeof buf) w += (size_t)snprintf(buf + w, sizeof buf - w, " %s \"%.*s\"", what[i], (int)sl, s);
	}
	uint64_t count = 0;
	size_t k = ok ? pvm_varint_decode(m + at, len - at, &count) : 0;
	ok = ok && k;
	at += k;
	for (uint64_t i = 0; ok && i < count; i++) {
		const uint8_t *s;
		size_t sl;
		ok = meta_str(m, len, &at, &s, &sl);
		if (ok && w < sizeof buf) w += (size_t)snprintf(buf + w, sizeof buf - w, " author \"%.*s\"", (int)sl, s);
	}
	if (ok && at == len) return snprintf(out, n, "%s", buf);
	w = (size_t)snprintf(buf, sizeof buf, "metadata (%zu bytes): 0x", len);
	for (size_t i = 0; i < len && w + 3 < sizeof buf; i++) w += (size_t)snprintf(buf + w, sizeof buf - w, "%02x", m[i]);
	return snprintf(out, n, "%s", buf);
}

/* ---- reading -------------------------------------------------------------------------------- */

typedef struct cur {
	const char *p, *end, *line0; /* position, end of line, start of line */
	size_t line;
	const char *file;
	pvm_errbuf *e;
} cur;

static bool bad(cur *c, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool bad(cur *c, const char *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(c->e, c->file, c->line, (size_t)(at - c->line0) + 1, fmt, ap);
	va_end(ap);
	return false;
}

static bool lit(cur *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n)) return bad(c, c->p, "expected '%s'", s);
	c->p += n;
	return true;
}

static void spaces(cur *c) { while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++; }

/* A decimal number up to max. */
static bool dec(cur *c, uint64_t max, const char *what, uint64_t *v)
{
	const char *s = c->p;
	uint64_t x = 0;
	if (c->p >= c->end || !isdigit((unsigned char)*c->p)) return bad(c, s, "%s: expected a decimal number", what);
	while (c->p < c->end && isdigit((unsigned char)*c->p)) {
		unsigned d = (unsigned)(*c->p++ - '0');
		if (x > (max - d) / 10) return bad(c, s, "%s: number too large (at most %" PRIu64 ")", what, max);
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static int hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* 0x then at most `digits` hex digits (at least one). */
static bool hexnum(cur *c, unsigned digits, const char *what, uint64_t *v)
{
	const char *s = c->p;
	if (c->end - c->p < 2 || c->p[0] != '0' || c->p[1] != 'x') return bad(c, s, "%s: expected 0x and a hex number", what);
	c->p += 2;
	uint64_t x = 0;
	unsigned n = 0;
	for (int d; c->p < c->end && (d = hexval(*c->p)) >= 0; c->p++, n++) {
		if (n == digits) return bad(c, s, "%s: more than %u hex digits", what, digits);
		x = x << 4 | (uint64_t)d;
	}
	if (!n) return bad(c, s, "%s: expected hex digits after 0x", what);
	*v = x;
	return true;
}

/* 0x then exactly 2 * len hex digits (len may be 0: "0x"). */
static bool hexbytes(cur *c, uint32_t len, uint8_t **out)
{
	const char *s = c->p;
	if (c->end - c->p < 2 || c->p[0] != '0' || c->p[1] != 'x') return bad(c, s, "expected 0x and the bytes");
	c->p += 2;
	const char *h = c->p;
	while (c->p < c->end && hexval(*c->p) >= 0) c->p++;
	size_t digits = (size_t)(c->p - h);
	if (digits % 2) return bad(c, s, "odd number of hex digits (%zu): truncated bytes", digits);
	if (digits / 2 != len) return bad(c, s, "len=%" PRIu32 " but %zu bytes follow", len, digits / 2);
	*out = pvm_xmalloc(len ? len : 1);
	for (size_t i = 0; i < len; i++) (*out)[i] = (uint8_t)(hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]));
	return true;
}

/* The end of a known line: only spaces may follow. */
static bool eol(cur *c)
{
	spaces(c);
	return c->p == c->end || bad(c, c->p, "unexpected '%c' at the end of the line", *c->p);
}

/* rNN (1 or 2 decimal digits, 0..12). */
static bool reg(cur *c, uint8_t *r)
{
	const char *s = c->p;
	uint64_t v;
	if (c->p >= c->end || *c->p != 'r') return bad(c, s, "expected a register rNN");
	c->p++;
	const char *d = c->p;
	if (!dec(c, 999, "register", &v)) return false;
	if (c->p - d > 2 || v >= PVM_NUM_REGS) return bad(c, s, "bad register index '%.*s' (r00..r12)", (int)(c->p - s), s);
	*r = (uint8_t)v;
	return true;
}

/* pc=P gas=G rNN=0xV... */
static bool state(cur *c, pvm_trace_state *st)
{
	uint64_t v;
	memset(st->regs, 0, sizeof st->regs);
	st->line = (uint32_t)c->line;
	if (!lit(c, "pc=") || !dec(c, UINT32_MAX, "pc", &v)) return false;
	st->pc = (uint32_t)v;
	spaces(c);
	if (!lit(c, "gas=") || !dec(c, INT64_MAX, "gas", &v)) return false;
	st->gas = (int64_t)v;
	uint16_t seen = 0;
	for (;;) {
		spaces(c);
		if (c->p == c->end) return true;
		const char *s = c->p;
		uint8_t r;
		if (!reg(c, &r) || !lit(c, "=") || !hexnum(c, 16, "register value", &v)) return false;
		if (seen >> r & 1) return bad(c, s, "register r%02u given twice", r);
		seen |= (uint16_t)(1u << r);
		st->regs[r] = v;
	}
}

/* 0xADDR len=N ARROW 0xHEX */
static bool io(cur *c, const char *arrow, pvm_trace_io *x)
{
	uint64_t a, n;
	x->line = (uint32_t)c->line;
	if (!hexnum(c, 8, "address", &a)) return false;
	spaces(c);
	if (!lit(c, "len=") || !dec(c, UINT32_MAX, "len", &n)) return false;
	if (a + n > (1ull << 32)) return bad(c, c->p, "0x%" PRIx64 " + len=%" PRIu64 " passes 2^32", a, n);
	spaces(c);
	if (!lit(c, arrow)) return false;
	spaces(c);
	x->addr = (uint32_t)a;
	x->len = (uint32_t)n;
	return hexbytes(c, x->len, &x->data) && eol(c);
}

enum kw { KW_PROGRAM, KW_MEMWRITE, KW_MEMREAD, KW_START, KW_ECALLI, KW_SETREG, KW_SETGAS,
          KW_HALT, KW_OOG, KW_PANIC, KW_COUNT };
/* Each known line's signature: its keyword and what must follow it. */
static const char *const kw_sig[KW_COUNT] = { "program 0x", "memwrite 0x", "memread 0x", "start pc=",
	"ecalli=", "setreg r", "setgas <-", "HALT pc=", "OOG pc=", "PANIC=" };
static const char *const kw_name[KW_COUNT] = { "program", "memwrite", "memread", "start", "ecalli",
	"setreg", "setgas", "HALT", "OOG", "PANIC" };

/* The known line in [p, end): its keyword, *at its start (after any prefix); -1 if none. */
static int known(const char *p, const char *end, const char **at)
{
	for (const char *q = p; q < end; q++) {
		if (q > p && q[-1] != ' ' && q[-1] != '\t') continue;
		for (int k = 0; k < KW_COUNT; k++) {
			size_t n = strlen(kw_sig[k]);
			if ((size_t)(end - q) < n || memcmp(q, kw_sig[k], n)) continue;
			if ((k == KW_ECALLI || k == KW_PANIC) && ((size_t)(end - q) == n || !isdigit((unsigned char)q[n]))) continue;
			*at = q;
			return k;
		}
	}
	return -1;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

int pvm_trace_sniff(const char *text, size_t len)
{
	const char *end = text + len;
	for (const char *p = text; p < end;) {
		const char *le_ = line_end(p, end), *at;
		int k = known(p, le_, &at);
		if (k >= 0) return k == KW_PROGRAM;
		p = le_ + (le_ < end);
	}
	return 0;
}

#define PUSH(arr, n, val) do { (arr) = pvm_xrealloc((arr), ((n) + 1) * sizeof *(arr)); (arr)[(n)++] = (val); } while (0)

pvm_err pvm_trace_parse(pvm_trace *t, const char *text, size_t len, const char *name, pvm_errbuf *e)
{
	memset(t, 0, sizeof *t);
	t->name = pvm_xstrdup(name);
	enum { BEFORE, PROGRAM, RUNNING, DONE } phase = BEFORE;
	int step = 0; /* inside a call: 0 memread, 1 memwrite, 2 setreg, 3 setgas */
	const char *end = text + len;
	cur c = { .file = name, .e = e };
	for (const char *p = text; p < end; p = c.end + (c.end < end)) {
		c.line++;
		c.line0 = p;
		c.end = line_end(p, end);
		if (c.end > p && c.end[-1] == '\r') c.end--;
		const char *at;
		int k = known(p, c.end, &at);
		if (k < 0) continue;
		c.p = at + strlen(kw_name[k]);
		if (k == KW_PROGRAM) {
			if (phase != BEFORE) { bad(&c, at, "a second program line"); goto fail; }
			spaces(&c);
			const char *h = c.p + 2, *q = h;
			while (q < c.end && hexval(*q) >= 0) q++;
			t->program_line = (uint32_t)c.line;
			if ((q - h) % 2) { bad(&c, c.p, "truncated program: odd number of hex digits (%zu)", (size_t)(q - h)); goto fail; }
			if (q == h) { bad(&c, c.p, "empty program"); goto fail; }
			if (!hexbytes(&c, (uint32_t)((q - h) / 2), &t->program)) goto fail;
			t->program_len = (size_t)(q - h) / 2;
			if (!eol(&c)) goto fail;
			phase = PROGRAM;
			continue;
		}
		if (phase == BEFORE) { bad(&c, at, "%s line before the program line", kw_name[k]); goto fail; }
		if (phase == DONE) { bad(&c, at, "%s line after the trace's end (%s)", kw_name[k], kw_name[KW_HALT + t->end]); goto fail; }
		if (phase == PROGRAM && k != KW_MEMWRITE && k != KW_START) {
			bad(&c, at, "%s line before the start line", kw_name[k]);
			goto fail;
		}
		pvm_trace_call *call = t->n_calls ? &t->calls[t->n_calls - 1] : NULL;
		int want_step = k == KW_MEMREAD ? 0 : k == KW_MEMWRITE ? 1 : k == KW_SETREG ? 2 : k == KW_SETGAS ? 3 : -1;
		if (phase == RUNNING && want_step >= 0) {
			if (!call) { bad(&c, at, "%s line before the first ecalli", kw_name[k]); goto fail; }
			if (want_step < step || (want_step == 3 && call->has_gas)) {
				bad(&c, at, "%s line out of order (after an ecalli: memread, memwrite, setreg, setgas)", kw_name[k]);
				goto fail;
			}
			step = want_step;
		}
		spaces(&c);
		switch (k) {
		case KW_MEMWRITE:
		case KW_MEMREAD: {
			pvm_trace_io x = { 0 };
			if (!io(&c, k == KW_MEMREAD ? "->" : "<-", &x)) { free(x.data); goto fail; }
			if (phase == PROGRAM) PUSH(t->init, t->n_init, x);
			else if (k == KW_MEMREAD) PUSH(call->reads, call->n_reads, x);
			else PUSH(call->writes, call->n_writes, x);
			break;
		}
		case KW_START:
			if (phase != PROGRAM) { bad(&c, at, "a second start line"); goto fail; }
			if (!state(&c, &t->start)) goto fail;
			phase = RUNNING;
			break;
		case KW_ECALLI: {
			pvm_trace_call nc = { 0 };
			uint64_t id;
			c.p = at + strlen("ecalli=");
			if (!dec(&c, UINT32_MAX, "host call id", &id)) goto fail;
			spaces(&c);
			nc.id = (uint32_t)id;
			if (!state(&c, &nc.at)) goto fail;
			PUSH(t->calls, t->n_calls, nc);
			step = 0;
			break;
		}
		case KW_SETREG: {
			pvm_trace_set sr = { .line = (uint32_t)c.line };
			if (!reg(&c, &sr.reg)) goto fail;
			spaces(&c);
			if (!lit(&c, "<-")) goto fail;
			spaces(&c);
			if (!hexnum(&c, 16, "register value", &sr.value) || !eol(&c)) goto fail;
			PUSH(call->sets, call->n_sets, sr);
			break;
		}
		case KW_SETGAS: {
			uint64_t g;
			if (!lit(&c, "<-")) goto fail;
			spaces(&c);
			if (!dec(&c, INT64_MAX, "gas", &g) || !eol(&c)) goto fail;
			call->has_gas = true;
			call->gas = (int64_t)g;
			call->gas_line = (uint32_t)c.line;
			break;
		}
		default: /* HALT, OOG, PANIC=ARG */
			t->end = k - KW_HALT;
			if (k == KW_PANIC) {
				c.p = at + strlen("PANIC=");
				if (!dec(&c, UINT32_MAX, "PANIC argument", &t->panic_arg)) goto fail;
				spaces(&c);
			}
			if (!state(&c, &t->fin)) goto fail;
			phase = DONE;
			break;
		}
	}
	c.line0 = c.p = end;
	if (phase == BEFORE) { pvm_errf_at(e, name, c.line + 1, 1, "no program line: not a trace"); goto fail; }
	if (phase == PROGRAM) { pvm_errf_at(e, name, c.line + 1, 1, "no start line"); goto fail; }
	if (phase == RUNNING) { pvm_errf_at(e, name, c.line + 1, 1, "no HALT, OOG or PANIC line: the trace does not end"); goto fail; }
	return PVM_OK;
fail:
	pvm_trace_fini(t);
	return PVM_EINVAL;
}

pvm_err pvm_trace_read(pvm_trace *t, const char *path, pvm_errbuf *e)
{
	uint8_t *buf;
	size_t len;
	memset(t, 0, sizeof *t);
	if (pvm_read_file(path, &buf, &len, e)) return PVM_EIO;
	pvm_err err = pvm_trace_parse(t, (const char *)buf, len, path, e);
	free(buf);
	return err;
}

static void ios_free(pvm_trace_io *v, size_t n)
{
	for (size_t i = 0; i < n; i++) free(v[i].data);
	free(v);
}

void pvm_trace_fini(pvm_trace *t)
{
	free(t->name);
	free(t->program);
	ios_free(t->init, t->n_init);
	for (size_t i = 0; i < t->n_calls; i++) {
		ios_free(t->calls[i].reads, t->calls[i].n_reads);
		ios_free(t->calls[i].writes, t->calls[i].n_writes);
		free(t->calls[i].sets);
	}
	free(t->calls);
	memset(t, 0, sizeof *t);
}

/* ---- writing -------------------------------------------------------------------------------- */

static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	fputs("0x", f);
	for (size_t i = 0; i < n; i++) {
		putc(d[b[i] >> 4], f);
		putc(d[b[i] & 15], f);
	}
}

static void put_state(FILE *f, const pvm_trace_state *s)
{
	fprintf(f, "pc=%" PRIu32 " gas=%" PRId64, s->pc, s->gas);
	for (int r = 0; r < PVM_NUM_REGS; r++)
		if (s->regs[r]) fprintf(f, " r%02d=0x%" PRIx64, r, s->regs[r]);
	putc('\n', f);
}

static void put_io(FILE *f, const char *kw, const char *arrow, const pvm_trace_io *x)
{
	fprintf(f, "%s 0x%08" PRIx32 " len=%" PRIu32 " %s ", kw, x->addr, x->len, arrow);
	put_hex(f, x->data, x->len);
	putc('\n', f);
}

pvm_err pvm_trace_write(const pvm_trace *t, FILE *f)
{
	fputs("program ", f);
	put_hex(f, t->program, t->program_len);
	putc('\n', f);
	for (size_t i = 0; i < t->n_init; i++) put_io(f, "memwrite", "<-", &t->init[i]);
	fputs("start ", f);
	put_state(f, &t->start);
	for (size_t i = 0; i < t->n_calls; i++) {
		const pvm_trace_call *c = &t->calls[i];
		fprintf(f, "ecalli=%" PRIu32 " ", c->id);
		put_state(f, &c->at);
		for (size_t j = 0; j < c->n_reads; j++) put_io(f, "memread", "->", &c->reads[j]);
		for (size_t j = 0; j < c->n_writes; j++) put_io(f, "memwrite", "<-", &c->writes[j]);
		for (size_t j = 0; j < c->n_sets; j++) fprintf(f, "setreg r%02u <- 0x%" PRIx64 "\n", c->sets[j].reg, c->sets[j].value);
		if (c->has_gas) fprintf(f, "setgas <- %" PRId64 "\n", c->gas);
	}
	if (t->end == PVM_TRACE_PANIC) fprintf(f, "PANIC=%" PRIu64 " ", t->panic_arg);
	else fputs(t->end == PVM_TRACE_HALT ? "HALT " : "OOG ", f);
	put_state(f, &t->fin);
	return ferror(f) ? PVM_EIO : PVM_OK;
}

/* ---- checking a run against a trace ----------------------------------------------------------- */

static bool state_diff(const pvm_trace_state *want, const pvm_state *s, const char *where, char *why, size_t n)
{
	if (want->pc != s->pc) {
		snprintf(why, n, "%s: pc: want %" PRIu32 " got %" PRIu32, where, want->pc, s->pc);
		return false;
	}
	if (want->gas != s->gas) {
		snprintf(why, n, "%s: gas: want %" PRId64 " got %" PRId64, where, want->gas, s->gas);
		return false;
	}
	for (int r = 0; r < PVM_NUM_REGS; r++)
		if (want->regs[r] != s->regs[r]) {
			snprintf(why, n, "%s: r%d: want 0x%" PRIx64 " got 0x%" PRIx64, where, r, want->regs[r], s->regs[r]);
			return false;
		}
	return true;
}

/* "halt", "page-fault at 0x..." etc. for messages. */
static const char *exit_text(const pvm_exit *x, char *b, size_t n)
{
	if (x->status == PVM_FAULT) snprintf(b, n, "page-fault 0x%" PRIx32, x->fault_addr);
	else if (x->status == PVM_HOST) snprintf(b, n, "ecalli %" PRIu32, x->host_id);
	else snprintf(b, n, "%s", pvm_status_name(x->status));
	return b;
}

bool pvm_trace_host(const pvm_trace *t, size_t k, pvm_state *s, const pvm_exit *x, char *why, size_t n)
{
	const pvm_trace_call *c = &t->calls[k];
	char where[96], eb[48];
	snprintf(where, sizeof where, "ecalli #%zu (pc %" PRIu32 ", line %" PRIu32 ")", k + 1, c->at.pc, c->at.line);
	if (x->status != PVM_HOST) {
		snprintf(why, n, "%s: status: want ecalli %" PRIu32 " got %s at pc %" PRIu32, where, c->id,
		         exit_text(x, eb, sizeof eb), s->pc);
		return false;
	}
	if (x->host_id != c->id) {
		snprintf(why, n, "%s: id: want %" PRIu32 " got %" PRIu32, where, c->id, x->host_id);
		return false;
	}
	if (!state_diff(&c->at, s, where, why, n)) return false;
	for (size_t i = 0; i < c->n_reads; i++) {
		const pvm_trace_io *r = &c->reads[i];
		for (uint32_t j = 0; j < r->len; j++) {
			uint8_t b;
			uint32_t a = r->addr + j;
			bool mapped = pvm_mem_perm(s->mem, a >> PVM_PAGE_SHIFT) != PVM_NONE && pvm_mem_peek(s->mem, a, &b, 1);
			if (!mapped || b != r->data[j]) {
				if (mapped)
					snprintf(why, n, "%s: memread (line %" PRIu32 ") mem[0x%" PRIx32 "]: want 0x%02x got 0x%02x",
					         where, r->line, a, r->data[j], b);
				else
					snprintf(why, n, "%s: memread (line %" PRIu32 ") mem[0x%" PRIx32 "]: want 0x%02x got unmapped",
					         where, r->line, a, r->data[j]);
				return false;
			}
		}
	}
	for (size_t i = 0; i < c->n_writes; i++) {
		const pvm_trace_io *w = &c->writes[i];
		uint32_t fault;
		if (w->len && !pvm_mem_check(s->mem, w->addr, w->len, true, &fault)) {
			snprintf(why, n, "%s: memwrite (line %" PRIu32 ") mem[0x%" PRIx32 "]: not writable in this run",
			         where, w->line, fault);
			return false;
		}
		if (w->len) pvm_mem_poke(s->mem, w->addr, w->data, w->len);
	}
	for (size_t i = 0; i < c->n_sets; i++) s->regs[c->sets[i].reg] = c->sets[i].value;
	if (c->has_gas) s->gas = c->gas;
	s->pc = x->next;
	return true;
}

bool pvm_trace_fin(const pvm_trace *t, size_t k, const pvm_state *s, const pvm_exit *x, char *why, size_t n)
{
	char where[96], eb[48];
	static const char *const want_name[3] = { "halt", "out-of-gas", "panic" };
	snprintf(where, sizeof where, "end (line %" PRIu32 ")", t->fin.line);
	if (x->status == PVM_HOST) {
		snprintf(why, n, "%s: status: want %s got ecalli %" PRIu32 " at pc %" PRIu32 " (host call #%zu; the trace has %zu)",
		         where, want_name[t->end], x->host_id, s->pc, k + 1, t->n_calls);
		return false;
	}
	bool same = t->end == PVM_TRACE_HALT ? x->status == PVM_HALT :
	            t->end == PVM_TRACE_OOG ? x->status == PVM_OOG :
	            t->panic_arg ? x->status == PVM_FAULT && x->fault_addr == t->panic_arg :
	                           x->status == PVM_PANIC;
	if (!same) {
		char wb[48];
		if (t->end == PVM_TRACE_PANIC && t->panic_arg) snprintf(wb, sizeof wb, "page-fault 0x%" PRIx64, t->panic_arg);
		else snprintf(wb, sizeof wb, "%s", want_name[t->end]);
		snprintf(why, n, "%s: status: want %s got %s", where, wb, exit_text(x, eb, sizeof eb));
		return false;
	}
	return state_diff(&t->fin, s, where, why, n);
}

bool pvm_trace_replay(const pvm_trace *t, const pvm_engine *eng, void *prep, pvm_state *s,
                      pvm_trace *rec, char *why, size_t n)
{
	pvm_exit x = eng->run(prep, s);
	size_t k = 0;
	for (; x.status == PVM_HOST && k < t->n_calls; k++) {
		pvm_state at;
		if (rec) pvm_state_copy(&at, s);
		bool ok = pvm_trace_host(t, k, s, &x, why, n);
		if (rec && ok) pvm_trace_rec_call(rec, x.host_id, &at, s, &t->calls[k]);
		if (rec) pvm_state_fini(&at);
		if (!ok) return false;
		x = eng->run(prep, s);
	}
	if (k < t->n_calls) return pvm_trace_host(t, k, s, &x, why, n);
	if (!pvm_trace_fin(t, k, s, &x, why, n)) return false;
	if (rec) pvm_trace_rec_end(rec, s, &x);
	return true;
}

/* ---- recording ------------------------------------------------------------------------------ */

static void trace_state_of(pvm_trace_state *ts, const pvm_state *s)
{
	ts->line = 0;
	ts->pc = s->pc;
	ts->gas = s->gas;
	memcpy(ts->regs, s->regs, sizeof ts->regs);
}

static pvm_trace_io io_copy(const pvm_trace_io *x, const pvm_state *from)
{
	pvm_trace_io c = *x;
	c.data = pvm_xmalloc(x->len ? x->len : 1);
	if (from) {
		for (uint32_t j = 0; j < x->len; j++) pvm_mem_peek(from->mem, x->addr + j, &c.data[j], 1);
	} else {
		memcpy(c.data, x->data, x->len);
	}
	return c;
}

void pvm_trace_rec_begin(pvm_trace *rec, const uint8_t *program, size_t len, const pvm_trace_io *init,
                         size_t n_init, const pvm_state *start)
{
	memset(rec, 0, sizeof *rec);
	rec->program = pvm_xmalloc(len ? len : 1);
	memcpy(rec->program, program, len);
	rec->program_len = len;
	for (size_t i = 0; i < n_init; i++) PUSH(rec->init, rec->n_init, io_copy(&init[i], NULL));
	trace_state_of(&rec->start, start);
}

void pvm_trace_rec_call(pvm_trace *rec, uint32_t id, const pvm_state *at, const pvm_state *after,
                        const pvm_trace_call *ans)
{
	pvm_trace_call c = { .id = id };
	trace_state_of(&c.at, at);
	if (ans) {
		for (size_t i = 0; i < ans->n_reads; i++) PUSH(c.reads, c.n_reads, io_copy(&ans->reads[i], at));
		for (size_t i = 0; i < ans->n_writes; i++) PUSH(c.writes, c.n_writes, io_copy(&ans->writes[i], NULL));
		for (size_t i = 0; i < ans->n_sets; i++) PUSH(c.sets, c.n_sets, ans->sets[i]);
		c.has_gas = ans->has_gas;
		c.gas = ans->gas;
	} else {
		for (int r = 0; r < PVM_NUM_REGS; r++)
			if (after->regs[r] != at->regs[r]) PUSH(c.sets, c.n_sets, ((pvm_trace_set){ 0, (uint8_t)r, after->regs[r] }));
		c.has_gas = after->gas != at->gas;
		c.gas = after->gas;
	}
	PUSH(rec->calls, rec->n_calls, c);
}

bool pvm_trace_rec_end(pvm_trace *rec, const pvm_state *s, const pvm_exit *x)
{
	if (x->status == PVM_HOST) return false;
	rec->end = x->status == PVM_HALT ? PVM_TRACE_HALT : x->status == PVM_OOG ? PVM_TRACE_OOG : PVM_TRACE_PANIC;
	rec->panic_arg = x->status == PVM_FAULT ? x->fault_addr : 0;
	trace_state_of(&rec->fin, s);
	return true;
}
