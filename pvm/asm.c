/* pvm/asm.c: the .pvmasm assembler (format in README.md): instructions with GP names, labels,
 * the jump table, raw bytes and the initial-state / expectation directives, into a w3f vector.
 * Immediates and branch offsets take the shortest encoding unless a width is written (offsets are
 * relaxed to a fixed point); .raw/.pad express any byte sequence. Errors: "FILE:LINE:COL: reason". */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "asm_enc.h"

/* ---- encoding ---------------------------------------------------------------------------- */

static uint64_t low_mask(unsigned n) { return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1; }

int pvm_asm_imm_width(uint64_t v)
{
	for (unsigned n = 0; n <= 4; n++)
		if (pvm_sext(v & low_mask(n), n) == v) return (int)n;
	return -1;
}

int pvm_asm_off_width(uint32_t d)
{
	for (unsigned n = 0; n <= 4; n++)
		if ((uint32_t)pvm_sext(d & low_mask(n), n) == d) return (int)n;
	return -1;
}

pvm_fields pvm_asm_fields(const pvm_asm_inst *in, uint32_t pc)
{
	const pvm_forminfo *fi = &pvm_forms[pvm_ops[in->op].form];
	bool has_x = fi->f1 == PVM_FR_X && fi->f1_len != PVM_FR_EIGHT;
	pvm_fields f = { .ra = in->ra, .rb = in->rb, .rd = in->rd, .x = in->x, .y = in->y,
	                 .off = in->target - pc };
	f.wx = has_x ? in->wx : 0;
	f.wy = fi->f2 == PVM_FR_Y ? in->wy : 0;
	f.wt = fi->f1 == PVM_FR_T || fi->f2 == PVM_FR_T ? in->wt : 0;
	return f;
}

unsigned pvm_asm_encode(const pvm_asm_inst *in, pvm_isa isa, uint32_t pc, uint8_t out[PVM_ASM_MAXLEN],
                        const char **why)
{
	int byte = pvm_ops[in->op].code[isa];
	if (byte < 0) {
		*why = isa == PVM_ISA_080 ? "not an instruction of GP 0.8.0" : "not an instruction of GP 0.7.2";
		return 0;
	}
	pvm_fields f = pvm_asm_fields(in, pc);
	return pvm_fields_encode(pvm_ops[in->op].form, (uint8_t)byte, &f, out, why);
}

unsigned pvm_asm_len(const pvm_asm_inst *in)
{
	const pvm_forminfo *fi = &pvm_forms[pvm_ops[in->op].form];
	pvm_fields f = pvm_asm_fields(in, 0);
	return 1u + fi->header + (fi->f1_len == PVM_FR_EIGHT ? 8u : 0u) + f.wx + f.wy + f.wt;
}

/* ---- parser state ------------------------------------------------------------------------- */

typedef struct ref { char *label; uint64_t value; int line, col; } ref; /* label, or a number */

enum { IT_INST, IT_RAW, IT_PAD };
typedef struct item {
	int kind, line, col;
	pvm_asm_inst in;
	bool has_target, wt_fixed;
	ref target;
	uint8_t *bytes;
	unsigned n;
	uint32_t pc;
} item;

typedef struct label { char *name; size_t item; } label;
typedef struct memline { pvm_chunk c; int line, col; } memline;

typedef struct asm_ctx {
	const char *file;
	pvm_errbuf *e;
	int line;
	const char *ls, *p;       /* current line start, cursor */
	item *items; size_t n_items, cap_items;
	label *labels; size_t n_labels, cap_labels;
	ref *jt; size_t n_jt, cap_jt;
	int jt_width;             /* -1: smallest that holds every entry */
	ref entry; bool has_entry;
	pvm_vector *v;
	pvm_isa isa;              /* the revision the code is encoded for */
	size_t cap_pages, cap_mem;
	/* expectations */
	bool any_expect, has_status, has_epc, has_egas;
	int expect_line;
	pvm_exit ex;
	ref epc;
	uint32_t epc_value;
	int64_t egas;
	bool ereg_set[PVM_NUM_REGS];
	uint64_t eregs[PVM_NUM_REGS];
	memline *emem; size_t n_emem, cap_emem;
} asm_ctx;

__attribute__((format(printf, 3, 4)))
static bool fail_at(asm_ctx *c, const char *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(c->e, c->file, (size_t)c->line, (size_t)(at - c->ls) + 1, fmt, ap);
	va_end(ap);
	return false;
}

__attribute__((format(printf, 4, 5)))
static bool fail_ln(asm_ctx *c, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(c->e, c->file, (size_t)line, (size_t)col, fmt, ap);
	va_end(ap);
	return false;
}

/* The first n bytes of s as a string (out of memory aborts, pvm_xmalloc). */
static char *xstrndup(const char *s, size_t n)
{
	char *d = memcpy(pvm_xmalloc(n + 1), s, n);
	d[n] = 0;
	return d;
}

/* Grows *arr (element size sz) to hold one more. */
static void grow(void **arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap) return;
	size_t nc = *cap ? *cap * 2 : 16;
	*arr = pvm_xrealloc(*arr, nc * sz);
	*cap = nc;
}
#define GROW(arr, n, cap) grow((void **)&(arr), (n), &(cap), sizeof *(arr))

static void skip_ws(asm_ctx *c) { while (*c->p == ' ' || *c->p == '\t') c->p++; }
static bool at_end(asm_ctx *c) { skip_ws(c); return *c->p == 0; }
/* Skips blanks and at most one comma (commas between operands are optional). */
static void sep(asm_ctx *c)
{
	skip_ws(c);
	if (*c->p == ',') c->p++;
	skip_ws(c);
}
static bool ident_char(char ch) { return isalnum((unsigned char)ch) || ch == '_' || ch == '.' || ch == '-'; }

/* Reads an identifier into buf (letters, digits, '_', '.', '-'); false if none. */
static bool ident(asm_ctx *c, char *buf, size_t n)
{
	skip_ws(c);
	size_t k = 0;
	if (!isalpha((unsigned char)*c->p) && *c->p != '_' && *c->p != '.') return false;
	while (ident_char(*c->p) && !(*c->p == '-' && k == 0)) {
		if (k + 1 < n) buf[k++] = *c->p;
		c->p++;
	}
	buf[k] = 0;
	return true;
}

/* A token for error messages: the text at p up to the next blank or comma. */
static const char *token_at(const char *p, char *buf, size_t n)
{
	size_t k = 0;
	while (p[k] && p[k] != ' ' && p[k] != '\t' && p[k] != ',' && k + 1 < n) {
		buf[k] = p[k];
		k++;
	}
	buf[k] = 0;
	if (!k) snprintf(buf, n, "end of line");
	return buf;
}

/* Parses [-](decimal | 0xHEX) as a 64-bit two's-complement value. */
static bool number(asm_ctx *c, uint64_t *out, const char *what)
{
	skip_ws(c);
	const char *start = c->p;
	bool neg = *c->p == '-';
	if (neg) c->p++;
	unsigned base = 10;
	if (c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		base = 16;
		c->p += 2;
	}
	uint64_t v = 0;
	int digits = 0;
	for (;; c->p++, digits++) {
		int dv;
		char ch = *c->p;
		if (ch >= '0' && ch <= '9') dv = ch - '0';
		else if (base == 16 && isxdigit((unsigned char)ch)) dv = tolower((unsigned char)ch) - 'a' + 10;
		else if (ch == '_' && digits) { digits--; continue; }
		else break;
		if (v > (UINT64_MAX - (uint64_t)dv) / base) {
			char t[64];
			return fail_at(c, start, "%s '%s' does not fit in 64 bits", what, token_at(start, t, sizeof t));
		}
		v = v * base + (uint64_t)dv;
	}
	if (!digits || ident_char(*c->p)) {
		char t[64];
		return fail_at(c, start, "expected %s, got '%s'", what, token_at(start, t, sizeof t));
	}
	if (neg && v > (1ull << 63)) {
		char t[64];
		return fail_at(c, start, "%s '%s' is below -2^63", what, token_at(start, t, sizeof t));
	}
	*out = neg ? 0 - v : v;
	return true;
}

static bool number_u32(asm_ctx *c, uint32_t *out, const char *what)
{
	const char *start = (skip_ws(c), c->p);
	uint64_t v;
	if (!number(c, &v, what)) return false;
	if (*start == '-' || v > UINT32_MAX) {
		char t[64];
		return fail_at(c, start, "%s '%s' is outside 0..0xffffffff", what, token_at(start, t, sizeof t));
	}
	*out = (uint32_t)v;
	return true;
}

static bool reg(asm_ctx *c, uint8_t *r)
{
	skip_ws(c);
	const char *start = c->p;
	char buf[32], t[64];
	if (ident(c, buf, sizeof buf) && buf[0] == 'r' && isdigit((unsigned char)buf[1])) {
		char *end;
		long n = strtol(buf + 1, &end, 10);
		if (!*end && n >= 0 && n < PVM_NUM_REGS && !(buf[1] == '0' && buf[2])) {
			*r = (uint8_t)n;
			return true;
		}
	}
	return fail_at(c, start, "bad register '%s' (expected r0..r12)", token_at(start, t, sizeof t));
}

/* Optional ":N" width suffix (N in 0..max). */
static bool width_suffix(asm_ctx *c, int *w, int max)
{
	*w = -1;
	if (*c->p != ':') return true;
	const char *start = c->p++;
	if (!isdigit((unsigned char)*c->p) || isdigit((unsigned char)c->p[1]) || *c->p - '0' > max)
		return fail_at(c, start, "width must be ':0'..':%d'", max);
	*w = *c->p++ - '0';
	return true;
}

/* Immediate: a number, @jt(N) (jump-table address 2·(N+1)) or @halt (0xffff0000 sign-extended). */
static bool imm(asm_ctx *c, uint64_t *v, uint8_t *width)
{
	skip_ws(c);
	const char *start = c->p;
	if (!strncmp(c->p, "@jt(", 4)) {
		c->p += 4;
		uint32_t k;
		if (!number_u32(c, &k, "jump-table index")) return false;
		if (*c->p != ')') return fail_at(c, c->p, "expected ')' after @jt(N");
		c->p++;
		*v = 2 * ((uint64_t)k + 1);
	} else if (!strncmp(c->p, "@halt", 5) && !ident_char(c->p[5])) {
		c->p += 5;
		*v = pvm_sext(0xFFFF0000u, 4);
	} else if (!number(c, v, "immediate")) {
		return false;
	}
	int w;
	if (!width_suffix(c, &w, 4)) return false;
	char t[64];
	if (w < 0) {
		w = pvm_asm_imm_width(*v);
		if (w < 0)
			return fail_at(c, start, "immediate out of range: '%s' is not a sign-extended 32-bit value "
			               "(write it negative, or use load_imm_64)", token_at(start, t, sizeof t));
	} else if (pvm_sext(*v & low_mask((unsigned)w), (unsigned)w) != *v) {
		return fail_at(c, start, "immediate out of range: '%s' does not fit in %d byte(s)",
		               token_at(start, t, sizeof t), w);
	}
	*width = (uint8_t)w;
	return true;
}

/* A register or expected value: a number, @jt(N) or @halt. */
static bool value(asm_ctx *c, uint64_t *v)
{
	uint8_t w;
	skip_ws(c);
	if (*c->p != '@') return number(c, v, "register value");
	const char *start = c->p;
	if (!imm(c, v, &w)) return false;
	return *c->p != ':' || fail_at(c, start, "a register value takes no width");
}

/* A label name or a number (an absolute pc). */
static bool pcref(asm_ctx *c, ref *r, const char *what)
{
	skip_ws(c);
	r->line = c->line;
	r->col = (int)(c->p - c->ls) + 1;
	r->label = NULL;
	char buf[128];
	if (isalpha((unsigned char)*c->p) || *c->p == '_') {
		ident(c, buf, sizeof buf);
		r->label = pvm_xstrdup(buf);
		return true;
	}
	uint32_t v;
	if (!number_u32(c, &v, what)) return false;
	r->value = v;
	return true;
}

static bool target(asm_ctx *c, item *it)
{
	int w;
	if (!pcref(c, &it->target, "branch target") || !width_suffix(c, &w, 4)) return false;
	it->has_target = true;
	it->wt_fixed = w >= 0;
	it->in.wt = (uint8_t)(w < 0 ? 0 : w);
	return true;
}

/* Bytes: hex pairs ("01 ff") and/or "strings" with \n \t \r \0 \\ \" \xHH escapes. */
static bool bytes_in(asm_ctx *c, uint8_t **out, unsigned *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (sep(c); *c->p; sep(c)) {
		grow((void **)out, *n + 4, &cap, 1);
		if (*c->p == '"') {
			const char *start = c->p++;
			for (; *c->p != '"'; c->p++) {
				if (!*c->p) return fail_at(c, start, "unterminated string");
				grow((void **)out, *n + 1, &cap, 1);
				uint8_t b = (uint8_t)*c->p;
				if (b == '\\') {
					const char *esc = c->p++;
					switch (*c->p) {
					case 'n': b = '\n'; break;
					case 't': b = '\t'; break;
					case 'r': b = '\r'; break;
					case '0': b = 0; break;
					case '\\': b = '\\'; break;
					case '"': b = '"'; break;
					case 'x':
						if (!isxdigit((unsigned char)c->p[1]) || !isxdigit((unsigned char)c->p[2]))
							return fail_at(c, esc, "bad \\x escape (need two hex digits)");
						b = (uint8_t)strtoul((char[]){ c->p[1], c->p[2], 0 }, NULL, 16);
						c->p += 2;
						break;
					default: return fail_at(c, esc, "unknown escape '\\%c'", *c->p ? *c->p : ' ');
					}
				}
				(*out)[(*n)++] = b;
			}
			c->p++;
			continue;
		}
		const char *start = c->p;
		size_t idn = 0;
		while (ident_char(c->p[idn]) && c->p[idn] != '.' && c->p[idn] != '-') idn++;
		if (idn > 2 || (idn && !isxdigit((unsigned char)c->p[0])) || (idn == 2 && !isxdigit((unsigned char)c->p[1]))) {
			/* an instruction name: its opcode byte in the revision being assembled */
			char name[64];
			int op = -1;
			if (idn < sizeof name) {
				memcpy(name, c->p, idn);
				name[idn] = 0;
				op = pvm_op_by_name(name);
			}
			if (op < 0 || !pvm_op_in(c->isa, (unsigned)op)) goto bad;
			(*out)[(*n)++] = pvm_byte(c->isa, (unsigned)op);
			c->p += idn;
			continue;
		}
		if (!isxdigit((unsigned char)c->p[0])) goto bad;
		unsigned k = isxdigit((unsigned char)c->p[1]) ? 2 : 1;
		if (ident_char(c->p[k])) goto bad;
		(*out)[(*n)++] = (uint8_t)strtoul((char[]){ c->p[0], k == 2 ? c->p[1] : 0, 0 }, NULL, 16);
		c->p += k;
		continue;
	bad:;
		char t[64];
		return fail_at(c, start, "expected a hex byte, an instruction name or a \"string\", got '%s'",
		               token_at(start, t, sizeof t));
	}
	return true;
}

static bool bytes(asm_ctx *c, uint8_t **out, unsigned *n)
{
	if (bytes_in(c, out, n)) return true;
	free(*out);
	*out = NULL;
	*n = 0;
	return false;
}

static item *new_item(asm_ctx *c, int kind, const char *at)
{
	GROW(c->items, c->n_items, c->cap_items);
	item *it = &c->items[c->n_items++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->line = c->line;
	it->col = (int)(at - c->ls) + 1;
	return it;
}

/* ---- lines --------------------------------------------------------------------------------- */

static bool instruction(asm_ctx *c)
{
	const char *start = c->p;
	char name[64], t[64];
	if (!ident(c, name, sizeof name)) return fail_at(c, start, "expected an instruction, got '%s'", token_at(start, t, sizeof t));
	int op = pvm_op_by_name(name);
	if (op < 0) return fail_at(c, start, "unknown opcode '%s'", name);
	item *it = new_item(c, IT_INST, start);
	pvm_asm_inst *in = &it->in;
	in->op = (uint8_t)op;
	bool ok = true, eight = pvm_forms[pvm_ops[op].form].f1_len == PVM_FR_EIGHT;
	for (const char *o = pvm_form_operands(pvm_ops[op].form); ok && *o; o++) {
		if (o != pvm_form_operands(pvm_ops[op].form)) sep(c);
		switch (*o) {
		case 'D': ok = reg(c, &in->rd); break;
		case 'A': ok = reg(c, &in->ra); break;
		case 'B': ok = reg(c, &in->rb); break;
		case 'X': ok = eight ? number(c, &in->x, "immediate") : imm(c, &in->x, &in->wx); break;
		case 'Y': ok = imm(c, &in->y, &in->wy); break;
		case 'T': ok = target(c, it); break;
		}
	}
	if (!ok) return false;
	if (at_end(c)) return true;
	sep(c);
	return fail_at(c, c->p, "unexpected '%s' after the operands of %s", token_at(c->p, t, sizeof t), name);
}

static bool define_label(asm_ctx *c, const char *name, const char *at)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].name, name)) return fail_at(c, at, "duplicate label '%s'", name);
	if (pvm_op_by_name(name) >= 0) return fail_at(c, at, "label '%s' is an opcode name", name);
	GROW(c->labels, c->n_labels, c->cap_labels);
	c->labels[c->n_labels].name = pvm_xstrdup(name);
	c->labels[c->n_labels].item = c->n_items;
	c->n_labels++;
	return true;
}

static bool add_mem(asm_ctx *c, uint32_t addr, uint8_t *data, unsigned n, const char *at)
{
	pvm_vector *v = c->v;
	if ((uint64_t)addr + n > (1ull << 32)) {
		free(data);
		return fail_at(c, at, ".mem data runs past 0xffffffff");
	}
	if (v->n_initial_mem) {
		pvm_chunk *last = &v->initial_mem[v->n_initial_mem - 1];
		if ((uint64_t)last->address + last->len == addr) {
			uint8_t *d = pvm_xrealloc(last->data, (size_t)last->len + n + 1);
			memcpy(d + last->len, data, n);
			last->data = d;
			last->len += n;
			free(data);
			return true;
		}
	}
	GROW(v->initial_mem, v->n_initial_mem, c->cap_mem);
	v->initial_mem[v->n_initial_mem++] = (pvm_chunk){ addr, n, data };
	return true;
}

static bool expect(asm_ctx *c)
{
	char what[32], t[64];
	const char *wp = (skip_ws(c), c->p);
	if (!ident(c, what, sizeof what)) return fail_at(c, wp, "expected status, pc, gas, rN or mem after .expect");
	if (!c->any_expect) c->expect_line = c->line;
	c->any_expect = true;
	if (!strcmp(what, "status")) {
		const char *sp = (skip_ws(c), c->p);
		char st[32];
		int s = ident(c, st, sizeof st) ? pvm_status_by_name(st) : -1;
		if (s < 0) return fail_at(c, sp, "unknown status '%s' (halt, panic, out-of-gas, page-fault ADDR, host-call ID)", token_at(sp, t, sizeof t));
		c->ex.status = (pvm_status)s;
		if (s == PVM_FAULT && !number_u32(c, &c->ex.fault_addr, "fault address")) return false;
		if (s == PVM_HOST && !number_u32(c, &c->ex.host_id, "host-call id")) return false;
		c->has_status = true;
	} else if (!strcmp(what, "pc")) {
		free(c->epc.label);
		if (!pcref(c, &c->epc, "pc")) return false;
		c->has_epc = true;
	} else if (!strcmp(what, "gas")) {
		uint64_t g;
		if (!number(c, &g, "gas")) return false;
		c->egas = (int64_t)g;
		c->has_egas = true;
	} else if (!strcmp(what, "mem")) {
		memline m = { .line = c->line, .col = (int)(wp - c->ls) + 1 };
		if (!number_u32(c, &m.c.address, "address") || !bytes(c, &m.c.data, &m.c.len)) return false;
		GROW(c->emem, c->n_emem, c->cap_emem);
		c->emem[c->n_emem++] = m;
	} else {
		c->p = wp;
		uint8_t r;
		if (!reg(c, &r)) return false;
		sep(c);
		if (!value(c, &c->eregs[r])) return false;
		c->ereg_set[r] = true;
	}
	return at_end(c) || fail_at(c, c->p, "unexpected '%s'", token_at(c->p, t, sizeof t));
}

static bool directive(asm_ctx *c)
{
	const char *start = c->p;
	char d[32], t[64];
	ident(c, d, sizeof d);
	pvm_vector *v = c->v;
	if (!strcmp(d, ".name")) {
		skip_ws(c);
		size_t n = strlen(c->p);
		char *name;
		if (*c->p == '"') {
			uint8_t *b;
			unsigned k;
			if (!bytes(c, &b, &k)) return false;
			if (memchr(b, 0, k)) {
				free(b);
				return fail_at(c, start, ".name must be text without NUL bytes");
			}
			name = xstrndup((char *)b, k);
			free(b);
		} else {
			while (n && (c->p[n - 1] == ' ' || c->p[n - 1] == '\t')) n--;
			if (!n) return fail_at(c, c->p, ".name needs a name");
			name = xstrndup(c->p, n);
			c->p += strlen(c->p);
		}
		free(v->name);
		v->name = name;
	} else if (!strcmp(d, ".gas")) {
		uint64_t g;
		if (!number(c, &g, "gas")) return false;
		v->initial_gas = (int64_t)g;
	} else if (!strcmp(d, ".reading")) { /* the GP 0.7.2 readings (pvm.h PVM_READING_*) */
		skip_ws(c);
		const char *at = c->p;
		size_t n = strcspn(c->p, " \t;");
		char r[64];
		uint8_t val = 0;
		snprintf(r, sizeof r, "%.*s", (int)(n < sizeof r ? n : sizeof r - 1), c->p);
		if (!n || n >= sizeof r || !pvm_reading_parse(r, &val))
			return fail_at(c, at, "bad reading '%s' (peers, w3f, or gas:instruction|region,sbrk:break|unmapped)", r);
		c->p += n;
		v->reading = val;
	} else if (!strcmp(d, ".heap")) { /* the heap a container would set up: base, top (the break), limit */
		uint32_t h[3];
		for (int k = 0; k < 3; k++) {
			if (k) sep(c);
			if (!number_u32(c, &h[k], k == 0 ? "heap base" : k == 1 ? "heap top" : "heap limit")) return false;
		}
		v->has_heap = true;
		v->heap_base = h[0], v->heap_top = h[1], v->heap_limit = h[2];
	} else if (!strcmp(d, ".pc")) {
		free(c->entry.label);
		if (!pcref(c, &c->entry, "pc")) return false;
		c->has_entry = true;
	} else if (!strcmp(d, ".reg")) {
		uint8_t r;
		if (!reg(c, &r)) return false;
		sep(c);
		if (!value(c, &v->initial_regs[r])) return false;
	} else if (!strcmp(d, ".page")) {
		pvm_pagemap pm;
		uint32_t len;
		if (!number_u32(c, &pm.address, "page address")) return false;
		const char *lp = (skip_ws(c), c->p);
		if (!number_u32(c, &len, "page length")) return false;
		if (!len || (uint64_t)pm.address + len > (1ull << 32))
			return fail_at(c, lp, "page length must be non-zero and end inside 2^32");
		pm.length = len;
		const char *pp = (skip_ws(c), c->p);
		char perm[8];
		if (!ident(c, perm, sizeof perm) || (strcmp(perm, "rw") && strcmp(perm, "ro")))
			return fail_at(c, pp, "expected rw or ro, got '%s'", token_at(pp, t, sizeof t));
		pm.writable = perm[1] == 'w';
		GROW(v->page_map, v->n_page_map, c->cap_pages);
		v->page_map[v->n_page_map++] = pm;
	} else if (!strcmp(d, ".mem")) {
		uint32_t addr;
		uint8_t *data;
		unsigned n;
		if (!number_u32(c, &addr, "address") || !bytes(c, &data, &n)) return false;
		if (!n) { /* e.g. `.mem 0x1 ""`: bytes_in allocated before it knew there were none */
			free(data);
			return fail_at(c, start, ".mem needs at least one byte");
		}
		return add_mem(c, addr, data, n, start);
	} else if (!strcmp(d, ".jumptable")) {
		for (sep(c); *c->p; sep(c)) {
			GROW(c->jt, c->n_jt, c->cap_jt);
			if (!pcref(c, &c->jt[c->n_jt], "jump-table entry")) return false;
			c->n_jt++;
		}
	} else if (!strcmp(d, ".jtwidth")) {
		uint64_t z;
		const char *zp = (skip_ws(c), c->p);
		if (!number(c, &z, "width")) return false;
		if (z > 4) return fail_at(c, zp, "jump-table width must be 0..4");
		c->jt_width = (int)z;
	} else if (!strcmp(d, ".raw") || !strcmp(d, ".pad")) {
		item *it = new_item(c, d[1] == 'r' ? IT_RAW : IT_PAD, start);
		if (!bytes(c, &it->bytes, &it->n)) return false;
		if (!it->n) return fail_at(c, start, "%s needs at least one byte", d);
	} else if (!strcmp(d, ".expect")) {
		return expect(c);
	} else {
		return fail_at(c, start, "unknown directive '%s'", token_at(start, t, sizeof t));
	}
	return at_end(c) || fail_at(c, c->p, "unexpected '%s' after %s", token_at(c->p, t, sizeof t), d);
}

static bool parse_line(asm_ctx *c)
{
	skip_ws(c);
	if (!*c->p) return true;
	if (*c->p == '.') return directive(c);
	const char *start = c->p;
	char name[128];
	if (ident(c, name, sizeof name) && *c->p == ':') {
		c->p++;
		if (!define_label(c, name, start)) return false;
		return at_end(c) || instruction(c);
	}
	c->p = start;
	return instruction(c);
}

/* ---- layout and output --------------------------------------------------------------------- */

static uint32_t label_pc(const asm_ctx *c, size_t idx, uint32_t code_len)
{
	return idx < c->n_items ? c->items[idx].pc : code_len;
}

static bool resolve(asm_ctx *c, const ref *r, uint32_t code_len, uint64_t *out)
{
	if (!r->label) {
		*out = r->value;
		return true;
	}
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].name, r->label)) {
			*out = label_pc(c, c->labels[i].item, code_len);
			return true;
		}
	return fail_ln(c, r->line, r->col, "undefined label '%s'", r->label);
}

/* Assigns pcs; returns the code length or -1 past 2^32. */
static int64_t layout(asm_ctx *c)
{
	uint64_t pc = 0;
	for (size_t i = 0; i < c->n_items; i++) {
		item *it = &c->items[i];
		it->pc = (uint32_t)pc;
		pc += it->kind == IT_INST ? pvm_asm_len(&it->in) : it->n;
		if (pc >= (1ull << 31)) return -1;
	}
	return (int64_t)pc;
}

/* Lays out the code. Unannotated offset widths are recomputed from each layout until it repeats,
 * so each is the shortest for its final offset; after 16 rounds they may only grow (always ends). */
static bool relax(asm_ctx *c, uint32_t *code_len)
{
	int64_t len;
	for (int round = 0;; round++) {
		len = layout(c);
		if (len < 0) return fail_ln(c, c->line, 1, "code is larger than 2^31 bytes");
		bool changed = false;
		for (size_t i = 0; i < c->n_items; i++) {
			item *it = &c->items[i];
			if (!it->has_target) continue;
			uint64_t t;
			if (!resolve(c, &it->target, (uint32_t)len, &t)) return false;
			it->in.target = (uint32_t)t;
			int need = pvm_asm_off_width(it->in.target - it->pc);
			if (!it->wt_fixed && need != it->in.wt && (round < 16 || need > it->in.wt)) {
				it->in.wt = (uint8_t)need;
				changed = true;
			}
		}
		if (!changed) break;
	}
	for (size_t i = 0; i < c->n_items; i++) {
		item *it = &c->items[i];
		uint32_t d = it->in.target - it->pc;
		if (it->has_target && (uint32_t)pvm_sext(d & low_mask(it->in.wt), it->in.wt) != d)
			return fail_ln(c, it->target.line, it->target.col,
			               "branch target %" PRIu32 " is out of range of a %u-byte offset from pc %" PRIu32,
			               it->in.target, it->in.wt, it->pc);
	}
	*code_len = (uint32_t)len;
	return true;
}

static bool mask_bit(const uint8_t *k, uint32_t len, uint64_t n) { return n >= len || (k[n >> 3] >> (n & 7) & 1); }

/* Writes code and bitmask, and checks that .pad bytes did not change how an operand decodes. */
static bool emit_code(asm_ctx *c, uint32_t len, uint8_t *code, uint8_t *k)
{
	for (size_t i = 0; i < c->n_items; i++) {
		item *it = &c->items[i];
		if (it->kind == IT_INST) {
			const char *why = "";
			uint8_t buf[PVM_ASM_MAXLEN];
			unsigned n = pvm_asm_encode(&it->in, c->isa, it->pc, buf, &why);
			if (!n) return fail_ln(c, it->line, it->col, "%s", why);
			memcpy(code + it->pc, buf, n);
		} else {
			memcpy(code + it->pc, it->bytes, it->n);
		}
		if (it->kind != IT_PAD) k[it->pc >> 3] |= (uint8_t)(1u << (it->pc & 7));
	}
	for (size_t i = 0; i < c->n_items; i++) {
		item *it = &c->items[i];
		if (it->kind != IT_INST) continue;
		uint32_t ell = 0;
		while (ell < 24 && !mask_bit(k, len, (uint64_t)it->pc + 1 + ell)) ell++;
		pvm_fields got, want = pvm_asm_fields(&it->in, it->pc);
		pvm_fields_decode(pvm_ops[it->in.op].form, code, len, it->pc, ell, &got);
		if (got.wx != want.wx || got.wy != want.wy || got.wt != want.wt)
			return fail_ln(c, it->line, it->col, "the .pad bytes after this instruction change its operand "
			               "lengths (skip %" PRIu32 "); give the last operand an explicit width", ell);
	}
	return true;
}

static bool build_program(asm_ctx *c)
{
	uint32_t len = 0;
	if (!relax(c, &len)) return false;
	uint8_t *code = pvm_xcalloc((size_t)len + 1, 1), *k = pvm_xcalloc((size_t)len / 8 + 2, 1);
	uint32_t *jt = pvm_xcalloc(c->n_jt + 1, sizeof *jt);
	bool ok = emit_code(c, len, code, k);
	uint32_t maxe = 0;
	for (size_t i = 0; ok && i < c->n_jt; i++) {
		uint64_t t;
		ok = resolve(c, &c->jt[i], len, &t);
		jt[i] = (uint32_t)t;
		if (jt[i] > maxe) maxe = jt[i];
	}
	unsigned z = 0;
	while (z < 4 && (uint64_t)maxe >> (8 * z)) z++;
	if (c->n_jt && !z) z = 1;
	if (ok && c->jt_width >= 0) {
		/* a table of entries needs a width (a blob with entries of width 0 does not decode: a bug
		 * fuzz_asm found, `.jtwidth 0` with `.jumptable 0 0`) */
		if (c->n_jt && !c->jt_width)
			ok = fail_ln(c, c->line, 1, ".jtwidth 0 with %zu jump-table entries (a table needs width 1..4)", c->n_jt);
		else if ((unsigned)c->jt_width < z)
			ok = fail_ln(c, c->line, 1, ".jtwidth %d cannot hold jump-table entry %" PRIu32, c->jt_width, maxe);
		z = (unsigned)c->jt_width;
	}
	size_t klen = ((size_t)len + 7) / 8;
	size_t total = 9 + 1 + 9 + c->n_jt * z + len + klen;
	uint8_t *blob = ok ? pvm_xmalloc(total) : NULL;
	if (ok) {
		size_t n = pvm_varint_encode(c->n_jt, blob);
		blob[n++] = (uint8_t)z;
		n += pvm_varint_encode(len, blob + n);
		for (size_t i = 0; i < c->n_jt; i++)
			for (unsigned b = 0; b < z; b++) blob[n++] = (uint8_t)(jt[i] >> (8 * b));
		memcpy(blob + n, code, len);
		n += len;
		memcpy(blob + n, k, klen);
		n += klen;
		c->v->program = blob;
		c->v->program_len = n;
	}
	if (ok && c->has_entry) {
		uint64_t pc;
		ok = resolve(c, &c->entry, len, &pc);
		c->v->initial_pc = (uint32_t)pc;
	}
	if (ok && c->has_epc) {
		uint64_t pc;
		ok = resolve(c, &c->epc, len, &pc);
		c->epc_value = (uint32_t)pc;
	}
	free(code);
	free(k);
	free(jt);
	return ok;
}

/* Expected state = initial state with the .expect values applied; written like an engine result. */
static bool build_expected(asm_ctx *c)
{
	if (!c->any_expect) return true;
	const char *missing = !c->has_status ? "status" : !c->has_epc ? "pc" : !c->has_egas ? "gas" : NULL;
	if (missing) return fail_ln(c, c->expect_line, 1, ".expect lines given but no '.expect %s'", missing);
	pvm_vector *v = c->v;
	pvm_state s;
	pvm_vector_initial_state(v, &s);
	for (int r = 0; r < PVM_NUM_REGS; r++)
		if (c->ereg_set[r]) s.regs[r] = c->eregs[r];
	s.pc = c->epc_value;
	s.gas = c->egas;
	for (size_t i = 0; i < c->n_emem; i++) {
		pvm_chunk *m = &c->emem[i].c;
		if ((uint64_t)m->address + m->len > (1ull << 32)) {
			pvm_state_fini(&s);
			return fail_ln(c, c->emem[i].line, c->emem[i].col, ".expect mem runs past 0xffffffff");
		}
		for (uint64_t pg = m->address >> PVM_PAGE_SHIFT; m->len && pg <= ((uint64_t)m->address + m->len - 1) >> PVM_PAGE_SHIFT; pg++)
			if (pvm_mem_perm(s.mem, (uint32_t)pg) == PVM_NONE) pvm_mem_map(s.mem, (uint32_t)(pg << PVM_PAGE_SHIFT), PVM_PAGE, PVM_WRITE);
		pvm_mem_poke(s.mem, m->address, m->data, m->len);
	}
	pvm_vector_set_expected(v, &s, c->ex);
	v->has_expected = true;
	pvm_state_fini(&s);
	return true;
}

static void ctx_free(asm_ctx *c)
{
	for (size_t i = 0; i < c->n_items; i++) {
		free(c->items[i].bytes);
		free(c->items[i].target.label);
	}
	free(c->items);
	for (size_t i = 0; i < c->n_labels; i++) free(c->labels[i].name);
	free(c->labels);
	for (size_t i = 0; i < c->n_jt; i++) free(c->jt[i].label);
	free(c->jt);
	for (size_t i = 0; i < c->n_emem; i++) free(c->emem[i].c.data);
	free(c->emem);
	free(c->entry.label);
	free(c->epc.label);
}

/* Default vector name: the file's base name without its extension. */
static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	return xstrndup(b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

pvm_err pvm_asm(const char *text, size_t len, const char *name, pvm_vector *out, pvm_errbuf *e)
{
	return pvm_asm_isa(text, len, PVM_ISA_072, name, out, e);
}

pvm_err pvm_asm_isa(const char *text, size_t len, pvm_isa isa, const char *name, pvm_vector *out,
                    pvm_errbuf *e)
{
	asm_ctx c = { .file = name, .e = e, .jt_width = -1, .v = out, .isa = isa };
	memset(out, 0, sizeof *out);
	out->isa = isa; /* (the revision it was assembled for: a caller decodes its program with it) */
	out->initial_gas = 10000;
	out->name = base_name(name);
	char *line = pvm_xmalloc(len + 1);
	bool ok = true;
	for (size_t pos = 0; ok && pos < len;) {
		size_t end = pos;
		while (end < len && text[end] != '\n') end++;
		size_t n = 0;
		bool in_str = false;
		for (size_t i = pos; i < end; i++) {
			char ch = text[i];
			if (ch == '\r' && i + 1 == end) break;
			if (!ch) {
				c.line++;
				ok = fail_ln(&c, c.line, (int)(i - pos) + 1, "NUL byte in the text");
				break;
			}
			if (in_str && ch == '\\' && i + 1 < end) {
				line[n++] = ch;
				line[n++] = text[++i];
				continue;
			}
			if (ch == '"') in_str = !in_str;
			if (!in_str && (ch == ';' || ch == '#')) break;
			line[n++] = ch;
		}
		if (!ok) break;
		line[n] = 0;
		c.line++;
		c.ls = c.p = line;
		ok = parse_line(&c);
		pos = end + 1;
	}
	ok = ok && build_program(&c) && build_expected(&c);
	free(line);
	ctx_free(&c);
	if (!ok) {
		pvm_vector_fini(out);
		memset(out, 0, sizeof *out);
		return PVM_EINVAL;
	}
	return PVM_OK;
}
