/* semantics/load.c: specs/pvm.yaml → type-checked sem_insn ASTs.
 * YAML through libyaml's document API (its marks give line and column); each `semantics` item is
 * an s-expression parsed and width-checked here. Every error is one line
 * "FILE:LINE:COL: reason" naming the offending operator, operand or field. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "sem.h"

const char *const sem_op_names[SEM_NUM_OPS] = {
#define SEM_OP(id, tok, cls) tok,
#include "ops.def"
#undef SEM_OP
};
const uint8_t sem_op_class[SEM_NUM_OPS] = {
#define SEM_OP(id, tok, cls) SEM_C_##cls,
#include "ops.def"
#undef SEM_OP
};
const char *const sem_operand_names[SEM_NUM_OPERANDS] = {
	"ra", "rb", "rd", "imm", "imm2", "target", "pc", "next", "gas",
};
static const int16_t operand_width[SEM_NUM_OPERANDS] = { 64, 64, 64, 64, 64, 32, 32, 32, 64 };

/* A form's spec name ("reg_imm64"), from pvm/forms.def; the operands it gives the semantics are
 * the spec's decoding's (sem_form_operands, semantics/decode.c). */
static char form_names[PVM_FORM_COUNT][16];
__attribute__((constructor)) static void build_form_names(void) /* once, before main */
{
	for (unsigned f = 0; f < PVM_FORM_COUNT; f++)
		for (size_t i = 0; i < sizeof form_names[0] - 1 && pvm_forms[f].name[i]; i++)
			form_names[f][i] = (char)tolower((unsigned char)pvm_forms[f].name[i]);
}
static const char *form_spec_name(unsigned form) { return form_names[form]; }
static uint16_t form_operands(unsigned form) { return sem_form_operands(form); }
#define ALWAYS (1u << SEM_PC | 1u << SEM_NEXT | 1u << SEM_GAS)

const char *sem_form_name(unsigned form)
{
	return form < PVM_FORM_COUNT ? form_spec_name(form) : "?";
}

const char *sem_strerror(sem_err err)
{
	switch (err) {
	case SEM_OK: return "ok";
	case SEM_EIO: return "cannot read the spec file";
	case SEM_ESYNTAX: return "syntax error in the spec";
	case SEM_ETYPE: return "type error in the spec";
	case SEM_ETABLE: return "spec and opcode table disagree";
	case SEM_EZ3: return "cannot build Z3 terms";
	}
	return "unknown error";
}

/* ---- arena ---------------------------------------------------------------------------------- */

typedef struct block { struct block *next; size_t used, cap; _Alignas(16) unsigned char data[]; } block;

struct sem_spec {
	char *file;
	pvm_isa isa;           /* entries marked for the other revision are skipped */
	sem_insn *insns;
	size_t n, cap;
	sem_insn *by_op[PVM_NUM_OPS];
	sem_insn *brk_op[PVM_NUM_OPS]; /* the entries' `semantics-sbrk-break` (the break reading) */
	block *arena;
};

static void *arena_alloc(sem_spec *sp, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	block *b = sp->arena;
	if (!b || b->used + n > b->cap) {
		size_t cap = n > 65536 ? n : 65536;
		b = pvm_xmalloc(sizeof *b + cap);
		b->next = sp->arena;
		b->used = 0;
		b->cap = cap;
		sp->arena = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

static char *arena_strdup(sem_spec *sp, const char *s)
{
	return strcpy(arena_alloc(sp, strlen(s) + 1), s);
}

void sem_spec_free(sem_spec *sp)
{
	if (!sp) return;
	for (block *b = sp->arena, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	free(sp->insns);
	free(sp->file);
	free(sp);
}

size_t sem_spec_count(const sem_spec *sp) { return sp->n; }
const sem_insn *sem_spec_at(const sem_spec *sp, size_t i) { return i < sp->n ? &sp->insns[i] : NULL; }
const sem_insn *sem_spec_get(const sem_spec *sp, unsigned opcode)
{
	return opcode < PVM_NUM_OPS ? sp->by_op[opcode] : NULL;
}

const sem_insn *sem_spec_get_reading(const sem_spec *sp, unsigned opcode, uint8_t reading)
{
	if (opcode >= PVM_NUM_OPS) return NULL;
	if ((reading & PVM_READING_SBRK_BREAK) && sp->brk_op[opcode]) return sp->brk_op[opcode];
	return sp->by_op[opcode];
}

bool sem_spec_reading_differs(const sem_spec *sp, unsigned opcode, uint8_t reading)
{
	return sem_spec_get_reading(sp, opcode, reading) != sem_spec_get(sp, opcode);
}

/* ---- s-expressions ---------------------------------------------------------------------------- */

typedef struct sctx {
	sem_spec *sp;
	pvm_errbuf *e;
	const char *src;       /* whole file, for positions */
	size_t src_len;
	size_t src_start;      /* offset of the scalar's first value character in src */
	uint32_t line0, col0;  /* its position, 1-based */
	const char *text;      /* the scalar's value */
	size_t len, pos;
	uint16_t allowed;      /* operands of the instruction's form */
	sem_insn *insn;
	unsigned depth;        /* open parentheses, bounded so hostile input cannot exhaust the stack */
	bool failed;
} sctx;

/* Position in the file of value offset `off`: walks the raw scalar beside its value, where
 * whitespace runs (line folding, block indentation) are the only differences. */
static void position(const sctx *c, size_t off, uint32_t *line, uint32_t *col)
{
	size_t r = c->src_start, i = 0;
	uint32_t l = c->line0, k = c->col0;
	while (i < off && i < c->len && r < c->src_len) {
		if (c->text[i] == ' ' || c->text[i] == '\t' || c->text[i] == '\n') {
			i++;
			continue;
		}
		while (r < c->src_len && (c->src[r] == ' ' || c->src[r] == '\t' || c->src[r] == '\n' ||
		                          c->src[r] == '\r')) {
			if (c->src[r] == '\n') { l++; k = 1; } else k++;
			r++;
		}
		if (r >= c->src_len || c->src[r] != c->text[i]) break;
		r++, i++, k++;
	}
	while (r < c->src_len && i < c->len && (c->src[r] == ' ' || c->src[r] == '\n')) {
		if (c->src[r] == '\n') { l++; k = 1; } else k++;
		r++;
	}
	*line = l;
	*col = k;
}

__attribute__((format(printf, 3, 4)))
static void *fail(sctx *c, size_t off, const char *fmt, ...)
{
	if (c->failed) return NULL;
	uint32_t line, col;
	position(c, off, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(c->e, c->sp->file, line, col, fmt, ap);
	va_end(ap);
	c->failed = true;
	return NULL;
}

/* Skips blanks and `;` comments (to the end of the line). */
static void skip_ws(sctx *c)
{
	while (c->pos < c->len) {
		if (c->text[c->pos] == ';')
			while (c->pos < c->len && c->text[c->pos] != '\n') c->pos++;
		else if (strchr(" \t\r\n", c->text[c->pos])) c->pos++;
		else break;
	}
}

/* Next atom at c->pos into buf; returns its length (0 if none). */
static size_t atom(sctx *c, char *buf, size_t n)
{
	size_t s = c->pos;
	while (c->pos < c->len && !strchr(" \t\r\n()", c->text[c->pos])) c->pos++;
	size_t l = c->pos - s;
	if (l >= n) l = n - 1;
	memcpy(buf, c->text + s, l);
	buf[l] = 0;
	return c->pos - s;
}

static sem_node *new_node(sctx *c, sem_kind kind, size_t off)
{
	sem_node *n = arena_alloc(c->sp, sizeof *n);
	n->kind = kind;
	position(c, off, &n->line, &n->col);
	return n;
}

static bool parse_uint(const char *s, int base, sem_u128 *v, unsigned *digits)
{
	sem_u128 x = 0;
	unsigned d = 0;
	for (; *s; s++, d++) {
		int h;
		if (*s >= '0' && *s <= '9') h = *s - '0';
		else if (*s >= 'a' && *s <= 'f') h = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F') h = *s - 'A' + 10;
		else return false;
		if (h >= base) return false;
		if (x > (~(sem_u128)0 - h) / base) return false;
		x = x * base + h;
	}
	*v = x;
	*digits = d;
	return d > 0;
}

static sem_u128 mask(int w) { return w >= 128 ? ~(sem_u128)0 : (((sem_u128)1 << w) - 1); }

static sem_node *parse_atom(sctx *c)
{
	size_t off = c->pos;
	char buf[64];
	atom(c, buf, sizeof buf);
	sem_u128 v;
	unsigned d;
	if (buf[0] >= '0' && buf[0] <= '9') {
		if (!parse_uint(buf, 10, &v, &d) || v > 0xffff) return fail(c, off, "bad number '%s'", buf);
		sem_node *n = new_node(c, SEM_K_INT, off);
		if (n) n->value = v;
		return n;
	}
	if (buf[0] == '#' && (buf[1] == 'x' || buf[1] == 'b')) {
		int base = buf[1] == 'x' ? 16 : 2;
		if (!parse_uint(buf + 2, base, &v, &d) || d * (base == 16 ? 4 : 1) > SEM_MAX_WIDTH)
			return fail(c, off, "bad bit-vector literal '%s'", buf);
		sem_node *n = new_node(c, SEM_K_CONST, off);
		if (!n) return NULL;
		n->value = v;
		n->width = d * (base == 16 ? 4 : 1);
		return n;
	}
	if (!strcmp(buf, "true") || !strcmp(buf, "false")) {
		sem_node *n = new_node(c, SEM_K_CONST, off);
		if (!n) return NULL;
		n->value = buf[0] == 't';
		n->width = SEM_BOOL;
		return n;
	}
	for (int i = 0; i < SEM_NUM_OPERANDS; i++) {
		if (strcmp(buf, sem_operand_names[i])) continue;
		if (!((c->allowed | ALWAYS) & (1u << i)))
			return fail(c, off, "operand '%s' is not part of form %s", buf,
			            form_spec_name(c->insn->form));
		sem_node *n = new_node(c, SEM_K_OPERAND, off);
		if (!n) return NULL;
		n->operand = i;
		n->width = operand_width[i];
		c->insn->uses |= 1u << i;
		return n;
	}
	for (int i = 0; i < SEM_NUM_OPS; i++)
		if (!strcmp(buf, sem_op_names[i]))
			return fail(c, off, "%s: operator used without parentheses", buf);
	if (!buf[0]) return fail(c, off, "expected an expression");
	return fail(c, off, "unknown operand '%s'", buf);
}

static const char *width_name(int w, char *buf)
{
	if (w == SEM_BOOL) return "Bool";
	if (w == SEM_EFFECT) return "an effect";
	if (w < 0) return "a number";
	snprintf(buf, 16, "BV%d", w);
	return buf;
}

/* Check one argument's type: want > 0 a width, 0 Bool, -2 any bit-vector. */
static bool want(sctx *c, const char *op, size_t off, const sem_node *a, int idx, int w)
{
	char b1[16], b2[16];
	int got = a->kind == SEM_K_INT ? -3 : a->width;
	if (w == -2 ? got > 0 : got == w) return true;
	if (w == -2) fail(c, off, "%s: argument %d must be a bit-vector, got %s", op, idx, width_name(got, b2));
	else if (got > 0 && w > 0)
		fail(c, off, "%s: width mismatch: argument %d is %s, expected %s", op, idx,
		     width_name(got, b2), width_name(w, b1));
	else fail(c, off, "%s: argument %d must be %s, got %s", op, idx, width_name(w, b1), width_name(got, b2));
	return false;
}

static bool want_int(sctx *c, const char *op, size_t off, const sem_node *a, int idx)
{
	if (a->kind == SEM_K_INT) return true;
	fail(c, off, "%s: argument %d must be a number", op, idx);
	return false;
}

static bool want_reg(sctx *c, const char *op, size_t off, const sem_node *a)
{
	if (a->kind == SEM_K_OPERAND && a->operand <= SEM_RD) return true;
	fail(c, off, "%s: argument 1 must be a register operand (ra, rb, rd)", op);
	return false;
}

static sem_node *parse_item(sctx *c, bool top);

/* (_ bvN W): an SMT-LIB bit-vector literal; c->pos is after "_". */
static sem_node *parse_bvlit(sctx *c, size_t off)
{
	char buf[64], wbuf[16];
	sem_u128 v, w;
	unsigned d;
	skip_ws(c);
	atom(c, buf, sizeof buf);
	skip_ws(c);
	atom(c, wbuf, sizeof wbuf);
	skip_ws(c);
	if (strncmp(buf, "bv", 2) || !parse_uint(buf + 2, 10, &v, &d) || !parse_uint(wbuf, 10, &w, &d) ||
	    w < 1 || w > SEM_MAX_WIDTH || (v & ~mask((int)w)) || c->pos >= c->len || c->text[c->pos] != ')')
		return fail(c, off, "_: expected (_ bvVALUE WIDTH) with the value fitting the width");
	c->pos++;
	sem_node *n = new_node(c, SEM_K_CONST, off);
	if (!n) return NULL;
	n->value = v;
	n->width = (int16_t)w;
	return n;
}

enum { MAX_DEPTH = 64 };

static sem_node *parse_app(sctx *c, bool top)
{
	size_t open = c->pos++;
	if (c->depth >= MAX_DEPTH) return fail(c, open, "expression nested deeper than %d", MAX_DEPTH);
	c->depth++;
	skip_ws(c);
	size_t off = c->pos;
	char head[64];
	if (!atom(c, head, sizeof head)) return fail(c, off, "expected an operator after '('");
	if (!strcmp(head, "_")) return parse_bvlit(c, open);
	int op = -1;
	for (int i = 0; i < SEM_NUM_OPS; i++)
		if (!strcmp(head, sem_op_names[i])) op = i;
	if (op < 0) return fail(c, off, "unknown operator '%s'", head);
	sem_class cls = sem_op_class[op];
	bool effect = cls >= SEM_C_E_SET;
	if (top && !effect)
		return fail(c, off, "%s: an effect (set, store, branch, djump, trap, ecalli, sbrk) is required here", head);
	if (!top && effect) return fail(c, off, "%s: an effect cannot be used inside an expression", head);

	sem_node *a[8];
	size_t aoff[8];
	int n = 0;
	for (;;) {
		skip_ws(c);
		if (c->pos >= c->len) return fail(c, open, "%s: missing ')'", head);
		if (c->text[c->pos] == ')') break;
		if (n == 8) return fail(c, off, "%s: too many arguments", head);
		aoff[n] = c->pos;
		if (!(a[n] = parse_item(c, false))) return NULL;
		n++;
	}
	c->pos++;
	c->depth--;

	/* negative: at least that many */
	static const int8_t arity[] = {
		[SEM_C_BIN] = 2, [SEM_C_UN] = 1, [SEM_C_CMP] = 2, [SEM_C_EQ] = 2, [SEM_C_BOOL2] = -2,
		[SEM_C_BOOL1] = 1, [SEM_C_ITE] = 3, [SEM_C_EXTRACT] = 3, [SEM_C_CONCAT] = -2,
		[SEM_C_EXTEND] = 2, [SEM_C_LOAD] = 2, [SEM_C_E_SET] = 2, [SEM_C_E_STORE] = 3,
		[SEM_C_E_BRANCH] = 2, [SEM_C_E_DJUMP] = 1, [SEM_C_E_TRAP] = 0, [SEM_C_E_ECALLI] = 1,
		[SEM_C_E_SBRK] = 2,
	};
	if (arity[cls] >= 0 && n != arity[cls])
		return fail(c, off, "%s: expects %d argument%s, got %d", head, arity[cls],
		            arity[cls] == 1 ? "" : "s", n);
	if (arity[cls] < 0 && n < -arity[cls])
		return fail(c, off, "%s: expects at least %d arguments, got %d", head, -arity[cls], n);

	sem_node *r = new_node(c, SEM_K_APP, off);
	if (!r) return NULL;
	r->op = op;
	int k = 0; /* a[k..] become r->arg[] */
	bool ok = true;
	switch (cls) {
	case SEM_C_BIN:
		ok = want(c, head, aoff[0], a[0], 1, -2) && want(c, head, aoff[1], a[1], 2, a[0]->width);
		r->width = a[0]->width;
		break;
	case SEM_C_UN:
		ok = want(c, head, aoff[0], a[0], 1, -2);
		r->width = a[0]->width;
		break;
	case SEM_C_CMP:
		ok = want(c, head, aoff[0], a[0], 1, -2) && want(c, head, aoff[1], a[1], 2, a[0]->width);
		r->width = SEM_BOOL;
		break;
	case SEM_C_EQ:
		ok = (a[0]->kind == SEM_K_INT ? want(c, head, aoff[0], a[0], 1, -2) : true) &&
		     want(c, head, aoff[1], a[1], 2, a[0]->width);
		r->width = SEM_BOOL;
		break;
	case SEM_C_BOOL2:
		for (int i = 0; ok && i < n; i++) ok = want(c, head, aoff[i], a[i], i + 1, SEM_BOOL);
		r->width = SEM_BOOL;
		break;
	case SEM_C_BOOL1:
		ok = want(c, head, aoff[0], a[0], 1, SEM_BOOL);
		r->width = SEM_BOOL;
		break;
	case SEM_C_ITE:
		ok = want(c, head, aoff[0], a[0], 1, SEM_BOOL) &&
		     (a[1]->kind == SEM_K_INT ? want(c, head, aoff[1], a[1], 2, -2) : true) &&
		     want(c, head, aoff[2], a[2], 3, a[1]->width);
		r->width = a[1]->width;
		break;
	case SEM_C_EXTRACT:
		ok = want_int(c, head, aoff[0], a[0], 1) && want_int(c, head, aoff[1], a[1], 2) &&
		     want(c, head, aoff[2], a[2], 3, -2);
		if (ok && (a[0]->value < a[1]->value || a[0]->value >= (sem_u128)a[2]->width)) {
			char b[16];
			return fail(c, off, "extract: bits %u..%u are not inside %s", (unsigned)a[0]->value,
			            (unsigned)a[1]->value, width_name(a[2]->width, b));
		}
		if (!ok) break;
		r->p0 = a[0]->value;
		r->p1 = a[1]->value;
		r->width = r->p0 - r->p1 + 1;
		k = 2;
		break;
	case SEM_C_CONCAT:
		for (int i = 0; ok && i < n; i++) {
			ok = want(c, head, aoff[i], a[i], i + 1, -2);
			if (ok && r->width + a[i]->width > SEM_MAX_WIDTH)
				return fail(c, off, "concat: result wider than %d bits", SEM_MAX_WIDTH);
			if (ok) r->width += a[i]->width;
		}
		break;
	case SEM_C_EXTEND:
		ok = want_int(c, head, aoff[0], a[0], 1) && want(c, head, aoff[1], a[1], 2, -2);
		if (ok && a[0]->value + a[1]->width > SEM_MAX_WIDTH)
			return fail(c, off, "%s: result wider than %d bits", head, SEM_MAX_WIDTH);
		if (!ok) break;
		r->p0 = a[0]->value;
		r->width = a[1]->width + r->p0;
		k = 1;
		break;
	case SEM_C_LOAD:
	case SEM_C_E_STORE:
		ok = want_int(c, head, aoff[0], a[0], 1);
		if (ok && a[0]->value != 1 && a[0]->value != 2 && a[0]->value != 4 && a[0]->value != 8)
			return fail(c, aoff[0], "%s: size must be 1, 2, 4 or 8 bytes", head);
		ok = ok && want(c, head, aoff[1], a[1], 2, 32);
		if (ok && cls == SEM_C_E_STORE) ok = want(c, head, aoff[2], a[2], 3, 8 * (int)a[0]->value);
		if (!ok) break;
		r->p0 = a[0]->value;
		r->width = cls == SEM_C_LOAD ? 8 * r->p0 : SEM_EFFECT;
		k = 1;
		if (cls == SEM_C_LOAD) c->insn->mem_read = true;
		else c->insn->mem_write = true;
		if (++c->insn->n_access > 2) return fail(c, off, "%s: at most two memory accesses per instruction", head);
		break;
	case SEM_C_E_SET:
	case SEM_C_E_SBRK:
		ok = want_reg(c, head, aoff[0], a[0]) && want(c, head, aoff[1], a[1], 2, 64);
		r->width = SEM_EFFECT;
		break;
	case SEM_C_E_BRANCH:
		ok = want(c, head, aoff[0], a[0], 1, SEM_BOOL) && want(c, head, aoff[1], a[1], 2, 32);
		r->width = SEM_EFFECT;
		break;
	case SEM_C_E_DJUMP:
	case SEM_C_E_ECALLI:
		ok = want(c, head, aoff[0], a[0], 1, 32);
		r->width = SEM_EFFECT;
		break;
	case SEM_C_E_TRAP:
		r->width = SEM_EFFECT;
		break;
	}
	if (!ok) return NULL;
	for (int i = k; i < n; i++) {
		if (a[i]->kind == SEM_K_INT)
			return fail(c, aoff[i], "%s: argument %d must be an expression, not a number", head, i + 1);
		r->arg[r->nargs++] = a[i];
	}
	return r;
}

static sem_node *parse_item(sctx *c, bool top)
{
	skip_ws(c);
	if (c->pos >= c->len) return fail(c, c->pos, "expected an expression");
	if (c->text[c->pos] == ')') return fail(c, c->pos, "unexpected ')'");
	if (c->text[c->pos] == '(') return parse_app(c, top);
	if (top) return fail(c, c->pos, "expected an effect in parentheses");
	return parse_atom(c);
}

/* ---- YAML ------------------------------------------------------------------------------------ */

typedef struct yctx {
	sem_spec *sp;
	pvm_errbuf *e;
	yaml_document_t *doc;
	const char *src;
	size_t src_len;
	size_t *line_start;     /* offset of each line */
	size_t n_lines;
} yctx;

__attribute__((format(printf, 3, 4)))
static bool yfail(yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(y->e, y->sp->file, n->start_mark.line + 1, n->start_mark.column + 1, fmt, ap);
	va_end(ap);
	return false;
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(yctx *y, int id) { return yaml_document_get_node(y->doc, id); }

/* Parses every effect in one scalar (a string of zero or more s-expressions). */
static bool parse_effects(yctx *y, sem_insn *in, yaml_node_t *s, size_t cap, int *controls, int *sets)
{
	sctx c = {
		.sp = y->sp, .e = y->e, .src = y->src, .src_len = y->src_len,
		.line0 = s->start_mark.line + 1, .col0 = s->start_mark.column + 1,
		.text = scalar(s), .len = s->data.scalar.length,
		.allowed = form_operands(in->form), .insn = in,
	};
	size_t start = s->start_mark.line < y->n_lines ? y->line_start[s->start_mark.line] : y->src_len;
	start += s->start_mark.column;
	switch (s->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		start++, c.col0++;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		while (start < y->src_len && y->src[start] != '\n') start++;
		c.col0 = 1, c.line0++, start++;
		break;
	default:
		break;
	}
	c.src_start = start < y->src_len ? start : y->src_len;
	for (;;) {
		skip_ws(&c);
		if (c.pos >= c.len) return true;
		size_t off = c.pos;
		sem_node *ef = parse_item(&c, true);
		if (!ef) return false;
		sem_class cls = sem_op_class[ef->op];
		const char *nm = sem_op_names[ef->op];
		if (cls == SEM_C_E_BRANCH || cls == SEM_C_E_DJUMP || cls == SEM_C_E_TRAP || cls == SEM_C_E_ECALLI) {
			if ((*controls)++)
				return fail(&c, off, "%s: a second control effect (one of branch, djump, trap, ecalli per instruction)", nm), false;
			in->control = true;
		}
		if ((cls == SEM_C_E_SET || cls == SEM_C_E_SBRK) && (*sets)++)
			return fail(&c, off, "%s: a second register write (one per instruction)", nm), false;
		if (in->mem_read && in->mem_write)
			return fail(&c, off, "%s: an instruction may either load or store, not both", nm), false;
		if (in->n_effects == cap) return fail(&c, off, "%s: too many effects", nm), false;
		in->effects[in->n_effects++] = ef;
	}
}

static bool parse_semantics(yctx *y, sem_insn *in, yaml_node_t *sem)
{
	enum { MAX_EFFECTS = 16 };
	in->effects = arena_alloc(y->sp, MAX_EFFECTS * sizeof *in->effects);
	int controls = 0, sets = 0;
	if (sem->type == YAML_SCALAR_NODE) return parse_effects(y, in, sem, MAX_EFFECTS, &controls, &sets);
	if (sem->type != YAML_SEQUENCE_NODE)
		return yfail(y, sem, "%s: semantics must be a string of s-expressions or a list of them", in->name);
	for (yaml_node_item_t *it = sem->data.sequence.items.start; it < sem->data.sequence.items.top; it++) {
		yaml_node_t *s = node(y, *it);
		if (!scalar(s)) return yfail(y, s, "%s: a semantics item must be a string", in->name);
		if (!parse_effects(y, in, s, MAX_EFFECTS, &controls, &sets)) return false;
	}
	return true;
}

static bool parse_insn(yctx *y, yaml_node_t *m)
{
	if (m->type != YAML_MAPPING_NODE) return yfail(y, m, "an instruction must be a mapping");
	yaml_node_t *name = NULL, *form = NULL, *term = NULL, *sem = NULL, *isa = NULL, *sem_brk = NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
		const char *ks = scalar(k);
		yaml_node_t **slot = !ks ? NULL : !strcmp(ks, "name") ? &name
		                     : !strcmp(ks, "form") ? &form : !strcmp(ks, "terminator") ? &term
		                     : !strcmp(ks, "semantics") ? &sem : !strcmp(ks, "isa") ? &isa
		                     : !strcmp(ks, "semantics-sbrk-break") ? &sem_brk : NULL;
		if (!slot) return yfail(y, k, "unknown field '%s' (name, form, terminator, isa, semantics, semantics-sbrk-break)", ks ? ks : "?");
		if (*slot) return yfail(y, k, "field '%s' given twice", ks);
		*slot = v;
	}
	const char *nm = name ? scalar(name) : NULL;
	const char *label = nm ? nm : "instruction";
	if (!name) return yfail(y, m, "%s: missing field 'name'", label);
	if (!nm || !*nm || strspn(nm, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(nm))
		return yfail(y, name, "name: expected an identifier");
	if (!form) return yfail(y, m, "%s: missing field 'form'", label);
	if (!sem) return yfail(y, m, "%s: missing field 'semantics'", label);
	if (isa) { /* an instruction of one revision only: loaded for that one */
		const char *is = scalar(isa);
		int r = is ? pvm_isa_by_name(is) : -1;
		if (r < 0) return yfail(y, isa, "%s: isa must be 0.7.2 or 0.8.0", nm);
		if ((pvm_isa)r != y->sp->isa) return true;
	}

	sem_insn in = { .name = arena_strdup(y->sp, nm), .line = m->start_mark.line + 1,
	                .col = m->start_mark.column + 1 };
	int op = pvm_op_by_name(nm);   /* checked against the table by sem_spec_check_table */
	in.opcode = op < 0 ? PVM_NUM_OPS : (unsigned)op;
	const char *fs = scalar(form);
	in.form = PVM_FORM_COUNT;
	for (unsigned f = 0; fs && f < PVM_FORM_COUNT; f++)
		if (!strcmp(fs, form_spec_name(f))) in.form = f;
	if (in.form == PVM_FORM_COUNT) return yfail(y, form, "%s: unknown form '%s'", nm, fs ? fs : "?");
	if (term) {
		const char *ts = scalar(term);
		if (!ts || (strcmp(ts, "true") && strcmp(ts, "false")))
			return yfail(y, term, "%s: terminator must be true or false", nm);
		in.terminator = ts[0] == 't';
	}
	for (size_t i = 0; i < y->sp->n; i++) {
		if (!strcmp(y->sp->insns[i].name, nm)) return yfail(y, name, "%s: defined twice", nm);
	}
	if (!parse_semantics(y, &in, sem)) return false;
	sem_path *paths = arena_alloc(y->sp, SEM_MAX_PATHS * sizeof *paths);
	if (!paths) return yfail(y, m, "out of memory");
	in.n_paths = sem_paths_build(&in, paths);
	if (in.n_paths > SEM_MAX_PATHS) return yfail(y, sem, "%s: more than %d spec paths", nm, SEM_MAX_PATHS);
	in.paths = paths;
	if (sem_brk) { /* the same entry under the peers' sbrk reading: its own effects and paths */
		sem_insn *alt = arena_alloc(y->sp, sizeof *alt);
		sem_path *apaths = arena_alloc(y->sp, SEM_MAX_PATHS * sizeof *apaths);
		if (!alt || !apaths) return yfail(y, m, "out of memory");
		*alt = in;
		alt->effects = NULL, alt->n_effects = 0, alt->uses = 0;
		alt->mem_read = alt->mem_write = alt->control = false, alt->n_access = 0;
		if (!parse_semantics(y, alt, sem_brk)) return false;
		alt->n_paths = sem_paths_build(alt, apaths);
		if (alt->n_paths > SEM_MAX_PATHS) return yfail(y, sem_brk, "%s: more than %d spec paths", nm, SEM_MAX_PATHS);
		alt->paths = apaths;
		if (in.opcode < PVM_NUM_OPS) y->sp->brk_op[in.opcode] = alt;
	}
	if (y->sp->n == y->sp->cap) {
		size_t cap = y->sp->cap ? 2 * y->sp->cap : 160;
		y->sp->insns = pvm_xrealloc(y->sp->insns, cap * sizeof *y->sp->insns);
		y->sp->cap = cap;
	}
	y->sp->insns[y->sp->n++] = in;
	return true;
}

sem_spec *sem_spec_parse(const char *text, size_t len, const char *name, pvm_errbuf *e)
{
	return sem_spec_parse_isa(text, len, PVM_ISA_072, name, e);
}

sem_spec *sem_spec_parse_isa(const char *text, size_t len, pvm_isa isa, const char *name, pvm_errbuf *e)
{
	sem_spec *sp = pvm_xcalloc(1, sizeof *sp);
	sp->file = pvm_xstrdup(name);
	sp->isa = isa;
	yaml_parser_t parser;
	yaml_document_t doc;
	yctx y = { .sp = sp, .e = e, .doc = &doc, .src = text, .src_len = len };
	bool ok = false, have_doc = false;
	if (!yaml_parser_initialize(&parser)) pvm_out_of_memory(0);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_mark_t mk = parser.problem_mark;
		pvm_errf_at(e, name, mk.line + 1, mk.column + 1, "YAML: %s%s%s",
		         parser.problem ? parser.problem : "cannot parse",
		         parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		goto out;
	}
	have_doc = true;
	yaml_parser_delete(&parser);

	y.n_lines = 1;
	for (size_t i = 0; i < len; i++) y.n_lines += text[i] == '\n';
	y.line_start = pvm_xmalloc(y.n_lines * sizeof *y.line_start);
	y.line_start[0] = 0;
	for (size_t i = 0, l = 1; i < len; i++)
		if (text[i] == '\n') y.line_start[l++] = i + 1;

	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		pvm_errf_at(e, name, 1, 1, "empty spec file");
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		yfail(&y, root, "the spec must be a mapping with an 'instructions' list");
		goto out;
	}
	yaml_node_t *list = NULL, *version = NULL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(&y, p->key);
		const char *ks = scalar(k);
		yaml_node_t **slot = !ks ? NULL : !strcmp(ks, "instructions") ? &list : !strcmp(ks, "version") ? &version : NULL;
		if (!slot) {
			yfail(&y, k, "unknown field '%s' (version, instructions)", ks ? ks : "?");
			goto out;
		}
		if (*slot) {
			yfail(&y, k, "field '%s' given twice", ks);
			goto out;
		}
		*slot = node(&y, p->value);
	}
	if (version && (!scalar(version) || strcmp(scalar(version), "1"))) {
		yfail(&y, version, "version: only version 1 is known");
		goto out;
	}
	if (!list) {
		yfail(&y, root, "missing field 'instructions'");
		goto out;
	}
	if (list->type != YAML_SEQUENCE_NODE) {
		yfail(&y, list, "instructions: expected a list");
		goto out;
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++)
		if (!parse_insn(&y, node(&y, *it))) goto out;
	for (size_t i = 0; i < sp->n; i++)
		if (sp->insns[i].opcode < PVM_NUM_OPS) sp->by_op[sp->insns[i].opcode] = &sp->insns[i];
	ok = true;
out:
	if (have_doc) yaml_document_delete(&doc);
	free(y.line_start);
	if (!ok) {
		sem_spec_free(sp);
		return NULL;
	}
	return sp;
}

sem_spec *sem_spec_load(const char *path, pvm_errbuf *e)
{
	return sem_spec_load_isa(path, PVM_ISA_072, e);
}

sem_spec *sem_spec_load_isa(const char *path, pvm_isa isa, pvm_errbuf *e)
{
	uint8_t *buf;
	size_t len;
	if (pvm_read_file(path, &buf, &len, e) != PVM_OK) return NULL;
	sem_spec *sp = sem_spec_parse_isa((const char *)buf, len, isa, path, e);
	free(buf);
	return sp;
}

pvm_isa sem_spec_isa(const sem_spec *sp) { return sp->isa; }

static bool node_same(const sem_node *a, const sem_node *b)
{
	if (a->kind != b->kind || a->op != b->op || a->operand != b->operand || a->nargs != b->nargs ||
	    a->width != b->width || a->p0 != b->p0 || a->p1 != b->p1 || a->value != b->value)
		return false;
	for (unsigned i = 0; i < a->nargs; i++)
		if (!node_same(a->arg[i], b->arg[i])) return false;
	return true;
}

bool sem_insn_same(const sem_insn *a, const sem_insn *b)
{
	if (a->opcode != b->opcode || a->form != b->form || a->terminator != b->terminator ||
	    a->n_effects != b->n_effects)
		return false;
	for (size_t i = 0; i < a->n_effects; i++)
		if (!node_same(a->effects[i], b->effects[i])) return false;
	return true;
}

const char *sem_spec_default_path(void)
{
	const char *p = getenv("JITPROOF_SPECS");
	return p && *p ? p : JITPROOF_SPECS_PATH;
}

sem_err sem_spec_check_table(const sem_spec *sp, pvm_isa isa, pvm_errbuf *e)
{
	for (size_t i = 0; i < sp->n; i++) {
		const sem_insn *in = &sp->insns[i];
		if (!pvm_op_in(isa, in->opcode)) {
			pvm_errf(e, "%s:%u:%u: %s: not an instruction of GP %s in pvm/opcodes.def", sp->file, in->line,
			         in->col, in->name, pvm_isa_name(isa));
			return SEM_ETABLE;
		}
		const pvm_opinfo *o = &pvm_ops[in->opcode];
		if (o->form != in->form || pvm_op_is_term(in->opcode) != in->terminator) {
			pvm_errf(e, "%s:%u:%u: %s: pvm/opcodes.def says form %s%s", sp->file, in->line, in->col, in->name,
			         sem_form_name(o->form), pvm_op_is_term(in->opcode) ? ", terminator" : ", not a terminator");
			return SEM_ETABLE;
		}
	}
	for (size_t i = 0; i < PVM_NUM_OPCODES; i++) {
		unsigned op = pvm_isa_ops(isa)[i];
		if (!sp->by_op[op]) {
			pvm_errf(e, "%s:1:1: no spec for %s (GP %s)", sp->file, pvm_ops[op].name, pvm_isa_name(isa));
			return SEM_ETABLE;
		}
	}
	return SEM_OK;
}
