/* pvm/jsonrd.h: the strict JSON field readers shared by the vector formats of pvm/ (vector.c,
 * vector08.c), over a libyaml document: exact unsigned/signed 64-bit numbers, typed fields,
 * unknown and duplicate keys rejected; every failure is "FILE:LINE:COL: reason". Internal to pvm/. */
#ifndef JITPROOF_PVM_JSONRD_H
#define JITPROOF_PVM_JSONRD_H
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "pvm.h"

typedef struct rd {
	yaml_document_t doc;
	const char *name;
	pvm_errbuf *e;
} rd;

static inline bool fail(rd *r, const yaml_node_t *n, const char *fmt, const char *arg)
{
	char why[256];
	snprintf(why, sizeof why, fmt, arg);
	pvm_errf(r->e, "%s:%zu:%zu: %s", r->name, n->start_mark.line + 1, n->start_mark.column + 1, why);
	return false;
}

static inline yaml_node_t *node(rd *r, int i) { return yaml_document_get_node(&r->doc, i); }

static inline bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Unsigned decimal scalar ≤ max. */
static inline bool get_u64(rd *r, const yaml_node_t *n, const char *what, uint64_t max, uint64_t *out)
{
	if (!is_plain(n)) return fail(r, n, "%s: expected a number", what);
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return fail(r, n, "%s: expected a number", what);
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			if (s[0] == '-') return fail(r, n, "%s: negative number", what);
			return fail(r, n, "%s: expected a non-negative integer", what);
		}
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10) return fail(r, n, "%s: number out of range", what);
		v = v * 10 + d;
	}
	if (v > max) return fail(r, n, "%s: number out of range", what);
	*out = v;
	return true;
}

static inline bool get_u32(rd *r, const yaml_node_t *n, const char *what, uint32_t *out)
{
	uint64_t v;
	if (!get_u64(r, n, what, UINT32_MAX, &v)) return false;
	*out = (uint32_t)v;
	return true;
}

static inline bool get_i64(rd *r, const yaml_node_t *n, const char *what, int64_t *out)
{
	if (is_plain(n) && n->data.scalar.length > 1 && n->data.scalar.value[0] == '-') {
		yaml_node_t pos = *n;
		pos.data.scalar.value++;
		pos.data.scalar.length--;
		uint64_t v;
		if (pos.data.scalar.value[0] == '0' || !get_u64(r, &pos, what, (uint64_t)INT64_MAX + 1, &v))
			return fail(r, n, "%s: expected a signed 64-bit integer", what);
		*out = (int64_t)(0 - v);
		return true;
	}
	uint64_t v;
	if (!get_u64(r, n, what, INT64_MAX, &v)) return false;
	*out = (int64_t)v;
	return true;
}

static inline bool get_bool(rd *r, const yaml_node_t *n, const char *what, bool *out)
{
	const char *s = (const char *)n->data.scalar.value;
	if (is_plain(n) && !strcmp(s, "true")) *out = true;
	else if (is_plain(n) && !strcmp(s, "false")) *out = false;
	else return fail(r, n, "%s: expected true or false", what);
	return true;
}

static inline bool get_str(rd *r, const yaml_node_t *n, const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return fail(r, n, "%s: expected a string", what);
	*out = (const char *)n->data.scalar.value;
	return true;
}

static inline bool get_seq(rd *r, const yaml_node_t *n, const char *what, size_t *count)
{
	if (n->type != YAML_SEQUENCE_NODE) return fail(r, n, "%s: expected an array", what);
	*count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return true;
}

static inline yaml_node_t *item(rd *r, const yaml_node_t *seq, size_t i)
{
	return node(r, seq->data.sequence.items.start[i]);
}

/* Looks up the fields of a mapping by name; rejects unknown and duplicate keys. */
static inline bool get_fields(rd *r, const yaml_node_t *m, const char *what, const char *const *names,
                       size_t n, yaml_node_t **vals)
{
	if (m->type != YAML_MAPPING_NODE) return fail(r, m, "%s: expected an object", what);
	for (size_t i = 0; i < n; i++) vals[i] = NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(r, p->key);
		if (k->type != YAML_SCALAR_NODE) return fail(r, k, "%s: expected a field name", what);
		const char *key = (const char *)k->data.scalar.value;
		size_t i = 0;
		while (i < n && strcmp(names[i], key)) i++;
		if (i == n) return fail(r, k, "unknown field \"%s\"", key);
		if (vals[i]) return fail(r, k, "duplicate field \"%s\"", key);
		vals[i] = node(r, p->value);
	}
	return true;
}

static inline bool get_bytes(rd *r, const yaml_node_t *n, const char *what, uint8_t **out, size_t *len)
{
	size_t cnt;
	if (!get_seq(r, n, what, &cnt)) return false;
	*out = malloc(cnt ? cnt : 1);
	if (!*out) return fail(r, n, "%s: out of memory", what);
	*len = cnt;
	for (size_t i = 0; i < cnt; i++) {
		uint64_t v;
		if (!get_u64(r, item(r, n, i), what, 255, &v)) return false;
		(*out)[i] = (uint8_t)v;
	}
	return true;
}

static inline bool get_regs(rd *r, const yaml_node_t *n, const char *what, uint64_t *regs)
{
	size_t cnt;
	if (!get_seq(r, n, what, &cnt)) return false;
	if (cnt != PVM_NUM_REGS) {
		char buf[64];
		snprintf(buf, sizeof buf, "%zu", cnt);
		char msg[128];
		snprintf(msg, sizeof msg, "%s: expected 13 registers, got %%s", what);
		return fail(r, n, msg, buf);
	}
	for (size_t i = 0; i < cnt; i++)
		if (!get_u64(r, item(r, n, i), what, UINT64_MAX, &regs[i])) return false;
	return true;
}

static inline bool get_chunks(rd *r, const yaml_node_t *n, const char *what, pvm_chunk **out, size_t *cnt)
{
	static const char *const names[] = { "address", "contents" };
	if (!get_seq(r, n, what, cnt)) return false;
	*out = calloc(*cnt ? *cnt : 1, sizeof **out);
	if (!*out) return fail(r, n, "%s: out of memory", what);
	for (size_t i = 0; i < *cnt; i++) {
		yaml_node_t *f[2], *c = item(r, n, i);
		if (!get_fields(r, c, what, names, 2, f)) return false;
		for (int k = 0; k < 2; k++)
			if (!f[k]) return fail(r, c, "missing field \"%s\"", names[k]);
		size_t len = 0;
		if (!get_u32(r, f[0], "address", &(*out)[i].address)) return false;
		if (!get_bytes(r, f[1], "contents", &(*out)[i].data, &len)) return false;
		if (len > UINT32_MAX || (uint64_t)(*out)[i].address + len > (1ull << 32))
			return fail(r, f[1], "%s: chunk runs past 2^32", what);
		(*out)[i].len = (uint32_t)len;
	}
	return true;
}

#endif
