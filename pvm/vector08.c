/* pvm/vector08.c: the GP 0.8 step-vector JSON format (../shared/vectors/pvm-0.8/SOURCE.md, schema
 * and "the newer spelling"): read in both spellings through libyaml with exact 64-bit numbers,
 * written in the spelling it was read in, checked against the cost model (block-gas-costs) and run
 * step by step on an engine. Malformed files are "FILE:LINE:COL: reason". */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "pvm.h"
#include "jsonrd.h"

/* The spelling-dependent names: [0] kind objects, [1] externally tagged. */
static const char *const k_writable[2] = { "is_writable", "is-writable" };
static const char *const k_fault[2] = { "page_fault_address", "page-fault-address" };
static const char *const step_names[] = { "map", "write", "set-reg", "run", "assert" };

static int status_from(const char *s)
{
	if (!strcmp(s, "ecalli")) return PVM_HOST;
	if (!strcmp(s, "host-call")) return -1; /* our 0.7.2 spelling is not this format's */
	return pvm_status_by_name(s);
}

static const char *status_to(pvm_status s) { return s == PVM_HOST ? "ecalli" : pvm_status_name(s); }

/* Reads the fields of one step (mapping m, its "kind" key excluded when kind spelling). */
static bool read_step(rd *r, const yaml_node_t *m, bool tagged, pvm_step *st)
{
	const int t = tagged;
	const char *names[9];
	yaml_node_t *f[9];
	size_t n = 0;
	if (!tagged) names[n++] = "kind";
	size_t base = n;
	switch (st->kind) {
	case PVM_STEP_MAP:
		names[n++] = "address"; names[n++] = "length"; names[n++] = k_writable[t];
		break;
	case PVM_STEP_WRITE:
		names[n++] = "address"; names[n++] = "contents";
		break;
	case PVM_STEP_SET_REG:
		names[n++] = "reg"; names[n++] = "value";
		break;
	case PVM_STEP_RUN:
		break;
	case PVM_STEP_ASSERT:
		names[n++] = "status"; names[n++] = "gas"; names[n++] = "pc"; names[n++] = "regs";
		names[n++] = "memory"; names[n++] = k_fault[t]; names[n++] = "hostcall";
		break;
	}
	if (!get_fields(r, m, step_names[st->kind], names, n, f)) return false;
	size_t need = st->kind == PVM_STEP_ASSERT ? base + 5 : n;
	for (size_t i = base; i < need; i++)
		if (!f[i]) return fail(r, m, "missing field \"%s\"", names[i]);
	yaml_node_t **a = f + base;
	uint64_t v;
	switch (st->kind) {
	case PVM_STEP_MAP:
		if (!get_u32(r, a[0], "address", &st->address) || !get_u32(r, a[1], "length", &st->length) ||
		    !get_bool(r, a[2], names[base + 2], &st->writable))
			return false;
		if ((st->address | st->length) & (PVM_PAGE - 1))
			return fail(r, m, "%s", "map: address and length must be multiples of 4096");
		if ((uint64_t)st->address + st->length > (1ull << 32))
			return fail(r, m, "%s", "map: region runs past 2^32");
		return true;
	case PVM_STEP_WRITE: {
		size_t len = 0;
		if (!get_u32(r, a[0], "address", &st->address) ||
		    !get_bytes(r, a[1], "contents", &st->contents, &len))
			return false;
		if ((uint64_t)st->address + len > (1ull << 32))
			return fail(r, a[1], "%s", "write: contents run past 2^32");
		st->len = (uint32_t)len;
		return true;
	}
	case PVM_STEP_SET_REG:
		if (!get_u64(r, a[0], "reg", PVM_NUM_REGS - 1, &v) || !get_u64(r, a[1], "value", UINT64_MAX, &st->value))
			return false;
		st->reg = (unsigned)v;
		return true;
	case PVM_STEP_RUN:
		return true;
	case PVM_STEP_ASSERT: {
		const char *s;
		if (!get_str(r, a[0], "status", &s)) return false;
		int stv = status_from(s);
		if (stv < 0)
			return fail(r, a[0], "status: unknown status \"%s\" (halt, panic, page-fault, "
			            "out-of-gas, ecalli)", s);
		st->status = (pvm_status)stv;
		if (!get_i64(r, a[1], "gas", &st->gas) || !get_u32(r, a[2], "pc", &st->pc) ||
		    !get_regs(r, a[3], "regs", st->regs) ||
		    !get_chunks(r, a[4], "memory", &st->memory, &st->n_memory))
			return false;
		if (stv == PVM_FAULT && !a[5]) return fail(r, m, "missing field \"%s\"", names[base + 5]);
		if (stv != PVM_FAULT && a[5]) return fail(r, a[5], "%s needs status page-fault", names[base + 5]);
		if (stv == PVM_HOST && !a[6]) return fail(r, m, "missing field \"%s\"", "hostcall");
		if (stv != PVM_HOST && a[6]) return fail(r, a[6], "%s", "hostcall needs status ecalli");
		if (a[5] && !get_u32(r, a[5], names[base + 5], &st->fault_addr)) return false;
		if (a[6] && !get_u32(r, a[6], "hostcall", &st->host_id)) return false;
		st->has_fault_addr = a[5] != NULL;
		st->has_host_id = a[6] != NULL;
		return true;
	}
	}
	return false;
}

/* Steps array; sets v->tagged from the first step and requires the same spelling throughout. */
static bool read_steps(rd *r, const yaml_node_t *seq, pvm_vector08 *v, int *spelling)
{
	if (!get_seq(r, seq, "steps", &v->n_steps)) return false;
	v->steps = pvm_xcalloc(v->n_steps ? v->n_steps : 1, sizeof *v->steps);
	for (size_t i = 0; i < v->n_steps; i++) {
		yaml_node_t *m = item(r, seq, i), *body = m, *kind = NULL;
		if (m->type != YAML_MAPPING_NODE) return fail(r, m, "%s", "steps: expected an object");
		int sp = -1;
		for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = node(r, p->key);
			if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, "kind"))
				kind = node(r, p->value), sp = 0;
		}
		const char *name = NULL;
		if (sp == 0) {
			if (!get_str(r, kind, "kind", &name)) return false;
		} else {
			if (m->data.mapping.pairs.top - m->data.mapping.pairs.start != 1)
				return fail(r, m, "%s", "step: expected {\"kind\": ...} or one key naming the step");
			yaml_node_pair_t *p = m->data.mapping.pairs.start;
			yaml_node_t *k = node(r, p->key);
			if (k->type != YAML_SCALAR_NODE) return fail(r, k, "%s", "step: expected a step name");
			name = (const char *)k->data.scalar.value;
			body = node(r, p->value);
			kind = k;
			sp = 1;
		}
		if (*spelling >= 0 && sp != *spelling)
			return fail(r, m, "%s", sp ? "step in the tagged spelling in a file that uses \"kind\" objects"
			                           : "step with \"kind\" in a file that uses the tagged spelling");
		*spelling = sp;
		pvm_step *st = &v->steps[i];
		size_t k = 0;
		while (k < 5 && strcmp(step_names[k], name)) k++;
		if (k == 5)
			return fail(r, kind, "unknown step \"%s\" (map, write, set-reg, run, assert)", name);
		st->kind = (pvm_step_kind)k;
		st->line = (uint32_t)m->start_mark.line + 1;
		if (!read_step(r, body, sp == 1, st)) return false;
	}
	return true;
}

static int by_pc(const void *a, const void *b)
{
	uint32_t x = ((const pvm_block_gas *)a)->pc, y = ((const pvm_block_gas *)b)->pc;
	return x < y ? -1 : x > y;
}

/* block-gas-costs: object keyed by decimal pc (kind spelling) or array of {pc, cost}. */
static bool read_costs(rd *r, const yaml_node_t *n, pvm_vector08 *v, int *spelling)
{
	int sp;
	if (n->type == YAML_MAPPING_NODE) {
		sp = 0;
		v->n_costs = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	} else if (n->type == YAML_SEQUENCE_NODE) {
		sp = 1;
		v->n_costs = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	} else {
		return fail(r, n, "%s", "block-gas-costs: expected an object or an array");
	}
	if (*spelling >= 0 && sp != *spelling)
		return fail(r, n, "%s", sp ? "block-gas-costs: an array, but the steps use \"kind\" objects"
		                           : "block-gas-costs: an object, but the steps use the tagged spelling");
	*spelling = sp;
	v->costs = pvm_xcalloc(v->n_costs ? v->n_costs : 1, sizeof *v->costs);
	for (size_t i = 0; i < v->n_costs; i++) {
		pvm_block_gas *c = &v->costs[i];
		if (sp == 0) {
			yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
			yaml_node_t *k = node(r, p->key), key;
			if (k->type != YAML_SCALAR_NODE) return fail(r, k, "%s", "block-gas-costs: expected a pc");
			key = *k; /* a JSON key is a quoted string; read its text as a number */
			key.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
			if (!get_u32(r, &key, "block-gas-costs key", &c->pc) ||
			    !get_u32(r, node(r, p->value), "block-gas-costs", &c->cost))
				return false;
		} else {
			static const char *const names[] = { "pc", "cost" };
			yaml_node_t *f[2], *m = item(r, n, i);
			if (!get_fields(r, m, "block-gas-costs", names, 2, f)) return false;
			for (int k = 0; k < 2; k++)
				if (!f[k]) return fail(r, m, "missing field \"%s\"", names[k]);
			if (!get_u32(r, f[0], "pc", &c->pc) || !get_u32(r, f[1], "cost", &c->cost)) return false;
		}
	}
	qsort(v->costs, v->n_costs, sizeof *v->costs, by_pc);
	for (size_t i = 1; i < v->n_costs; i++)
		if (v->costs[i].pc == v->costs[i - 1].pc) {
			char pc[16];
			snprintf(pc, sizeof pc, "%" PRIu32, v->costs[i].pc);
			return fail(r, n, "block-gas-costs: pc %s listed twice", pc);
		}
	return true;
}

enum { G_NAME, G_IPC, G_IGAS, G_PROG, G_STEPS, G_COSTS, G_COUNT };
static const char *const top_names[G_COUNT] = {
	"name", "initial-pc", "initial-gas", "program", "steps", "block-gas-costs",
};

static bool read_doc(rd *r, pvm_vector08 *v)
{
	yaml_node_t *root = yaml_document_get_root_node(&r->doc), *f[G_COUNT];
	if (!root) {
		pvm_errf(r->e, "%s:1:1: empty document", r->name);
		return false;
	}
	if (!get_fields(r, root, "vector", top_names, G_COUNT, f)) return false;
	if (!f[G_NAME]) return fail(r, root, "missing field \"%s\"", "name");
	if (!f[G_PROG]) return fail(r, root, "missing field \"%s\"", "program");
	bool run = f[G_IPC] || f[G_IGAS] || f[G_STEPS];
	for (int k = G_IPC; k <= G_STEPS && run; k++)
		if (k != G_PROG && !f[k]) return fail(r, root, "missing field \"%s\"", top_names[k]);
	if (!run && !f[G_COSTS])
		return fail(r, root, "%s", "missing field \"steps\" (or \"block-gas-costs\")");
	const char *s;
	if (!get_str(r, f[G_NAME], "name", &s)) return false;
	v->name = pvm_xstrdup(s);
	if (!get_bytes(r, f[G_PROG], "program", &v->program, &v->program_len)) return false;
	int spelling = -1;
	if (run) {
		v->has_steps = true;
		if (!get_u32(r, f[G_IPC], "initial-pc", &v->initial_pc) ||
		    !get_i64(r, f[G_IGAS], "initial-gas", &v->initial_gas) ||
		    !read_steps(r, f[G_STEPS], v, &spelling))
			return false;
	}
	if (f[G_COSTS]) {
		v->has_costs = true;
		if (!read_costs(r, f[G_COSTS], v, &spelling)) return false;
	}
	v->tagged = spelling == 1;
	return true;
}

static bool load_doc(rd *r, const char *text, size_t len, yaml_parser_t *p)
{
	if (!yaml_parser_initialize(p)) {
		pvm_errf(r->e, "%s: out of memory", r->name);
		return false;
	}
	yaml_parser_set_input_string(p, (const unsigned char *)text, len);
	if (!yaml_parser_load(p, &r->doc)) {
		pvm_errf(r->e, "%s:%zu:%zu: malformed JSON: %s%s%s", r->name, p->problem_mark.line + 1,
		         p->problem_mark.column + 1, p->problem ? p->problem : "syntax error",
		         p->context ? " " : "", p->context ? p->context : "");
		yaml_parser_delete(p);
		return false;
	}
	return true;
}

int pvm_json_is_vector08(const char *text, size_t len)
{
	pvm_errbuf e;
	rd r = { .name = "", .e = &e };
	yaml_parser_t p;
	if (!load_doc(&r, text, len, &p)) return 0;
	int is = 0;
	yaml_node_t *root = yaml_document_get_root_node(&r.doc);
	if (root && root->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++) {
			yaml_node_t *k = node(&r, q->key);
			if (k->type == YAML_SCALAR_NODE && (!strcmp((const char *)k->data.scalar.value, "steps") ||
			                                    !strcmp((const char *)k->data.scalar.value, "block-gas-costs")))
				is = 1;
		}
	yaml_document_delete(&r.doc);
	yaml_parser_delete(&p);
	return is;
}

pvm_err pvm_vector08_parse(pvm_vector08 *v, const char *text, size_t len, const char *name,
                           pvm_errbuf *e)
{
	memset(v, 0, sizeof *v);
	rd r = { .name = name, .e = e };
	yaml_parser_t p;
	if (!load_doc(&r, text, len, &p)) return PVM_EINVAL;
	bool ok = read_doc(&r, v);
	yaml_document_delete(&r.doc);
	yaml_parser_delete(&p);
	if (!ok) {
		pvm_vector08_fini(v);
		return PVM_EINVAL;
	}
	return PVM_OK;
}

pvm_err pvm_vector08_read(pvm_vector08 *v, const char *path, pvm_errbuf *e)
{
	uint8_t *buf;
	size_t len;
	memset(v, 0, sizeof *v);
	pvm_err err = pvm_read_file(path, &buf, &len, e);
	if (err) return err;
	err = pvm_vector08_parse(v, (const char *)buf, len, path, e);
	free(buf);
	return err;
}

void pvm_vector08_fini(pvm_vector08 *v)
{
	for (size_t i = 0; v->steps && i < v->n_steps; i++) {
		free(v->steps[i].contents);
		for (size_t k = 0; v->steps[i].memory && k < v->steps[i].n_memory; k++)
			free(v->steps[i].memory[k].data);
		free(v->steps[i].memory);
	}
	free(v->steps);
	free(v->costs);
	free(v->name);
	free(v->program);
	memset(v, 0, sizeof *v);
}

/* ---- writing ------------------------------------------------------------------------------- */

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
		else if (c < 0x20) fprintf(f, "\\u%04x", c);
		else fputc(c, f);
	}
	fputc('"', f);
}

static void put_bytes(FILE *f, const uint8_t *x, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) fprintf(f, "%s%u", i ? ", " : "", x[i]);
	fputc(']', f);
}

static void put_step(FILE *f, const pvm_step *st, bool tagged)
{
	const int t = tagged;
	if (tagged) fprintf(f, "    {\"%s\": {", step_names[st->kind]);
	else fprintf(f, "    {\"kind\": \"%s\"", step_names[st->kind]);
	const char *sep = tagged ? "" : ", ";
	switch (st->kind) {
	case PVM_STEP_MAP:
		fprintf(f, "%s\"address\": %" PRIu32 ", \"length\": %" PRIu32 ", \"%s\": %s", sep,
		        st->address, st->length, k_writable[t], st->writable ? "true" : "false");
		break;
	case PVM_STEP_WRITE:
		fprintf(f, "%s\"address\": %" PRIu32 ", \"contents\": ", sep, st->address);
		put_bytes(f, st->contents, st->len);
		break;
	case PVM_STEP_SET_REG:
		fprintf(f, "%s\"reg\": %u, \"value\": %" PRIu64, sep, st->reg, st->value);
		break;
	case PVM_STEP_RUN:
		break;
	case PVM_STEP_ASSERT:
		fprintf(f, "%s\"status\": ", sep);
		put_str(f, status_to(st->status));
		if (st->has_fault_addr) fprintf(f, ", \"%s\": %" PRIu32, k_fault[t], st->fault_addr);
		if (st->has_host_id) fprintf(f, ", \"hostcall\": %" PRIu32, st->host_id);
		fprintf(f, ", \"gas\": %" PRId64 ", \"pc\": %" PRIu32 ", \"regs\": [", st->gas, st->pc);
		for (int i = 0; i < PVM_NUM_REGS; i++) fprintf(f, "%s%" PRIu64, i ? ", " : "", st->regs[i]);
		fputs("], \"memory\": [", f);
		for (size_t i = 0; i < st->n_memory; i++) {
			fprintf(f, "%s{\"address\": %" PRIu32 ", \"contents\": ", i ? ", " : "", st->memory[i].address);
			put_bytes(f, st->memory[i].data, st->memory[i].len);
			fputc('}', f);
		}
		fputc(']', f);
		break;
	}
	fputs(tagged ? "}}" : "}", f);
}

pvm_err pvm_vector08_write(const pvm_vector08 *v, FILE *f)
{
	fputs("{\n  \"name\": ", f);
	put_str(f, v->name ? v->name : "");
	if (v->has_steps)
		fprintf(f, ",\n  \"initial-pc\": %" PRIu32 ",\n  \"initial-gas\": %" PRId64, v->initial_pc,
		        v->initial_gas);
	fputs(",\n  \"program\": ", f);
	put_bytes(f, v->program, v->program_len);
	if (v->has_steps) {
		fputs(",\n  \"steps\": [\n", f);
		for (size_t i = 0; i < v->n_steps; i++) {
			put_step(f, &v->steps[i], v->tagged);
			fputs(i + 1 < v->n_steps ? ",\n" : "\n", f);
		}
		fputs("  ]", f);
	}
	if (v->has_costs) {
		fputs(",\n  \"block-gas-costs\": ", f);
		fputc(v->tagged ? '[' : '{', f);
		for (size_t i = 0; i < v->n_costs; i++) {
			fputs(i ? ",\n    " : "\n    ", f);
			if (v->tagged) fprintf(f, "{\"pc\": %" PRIu32 ", \"cost\": %" PRIu32 "}", v->costs[i].pc, v->costs[i].cost);
			else fprintf(f, "\"%" PRIu32 "\": %" PRIu32, v->costs[i].pc, v->costs[i].cost);
		}
		fputs(v->n_costs ? "\n  " : "", f);
		fputc(v->tagged ? ']' : '}', f);
	}
	fputs("\n}\n", f);
	return ferror(f) ? PVM_EIO : PVM_OK;
}

/* ---- checking ------------------------------------------------------------------------------ */

bool pvm_vector08_check_costs(const pvm_vector08 *v, const pvm_program *p, size_t *checked,
                              char *why, size_t n)
{
	*checked = 0;
	size_t i = 0;
	for (uint32_t pc = 0; pc < p->code_len; pc++) {
		if (!p->is_block[pc]) continue;
		if (i == v->n_costs || v->costs[i].pc != pc) {
			snprintf(why, n, "block-gas-costs: block start %" PRIu32 " (varpi) is not listed", pc);
			return false;
		}
		uint32_t got = pvm_block_cost(p, pc);
		if (got != v->costs[i].cost) {
			snprintf(why, n, "block-gas-costs[%" PRIu32 "]: want %" PRIu32 " got %" PRIu32, pc,
			         v->costs[i].cost, got);
			return false;
		}
		i++;
		(*checked)++;
	}
	if (i < v->n_costs) {
		snprintf(why, n, "block-gas-costs: pc %" PRIu32 " is listed but is not a block start (varpi)",
		         v->costs[i].pc);
		return false;
	}
	return true;
}

typedef struct nz_ctx {
	const pvm_step *st;
	bool ok;
	uint32_t addr;
	uint8_t got;
} nz_ctx;

/* Every non-zero byte of memory lies in one of the asserted chunks. */
static void nonzero_listed(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	nz_ctx *c = ctx;
	if (!c->ok || !data) return;
	for (uint32_t o = 0; o < PVM_PAGE; o++) {
		if (!data[o]) continue;
		uint32_t a = page * PVM_PAGE + o;
		bool in = false;
		for (size_t i = 0; i < c->st->n_memory && !in; i++)
			in = a >= c->st->memory[i].address && a - c->st->memory[i].address < c->st->memory[i].len;
		if (!in) {
			c->ok = false;
			c->addr = a;
			c->got = data[o];
			return;
		}
	}
}

static bool check_assert(const pvm_step *st, const pvm_state *s, pvm_exit x, char *why, size_t n)
{
	if (x.status != st->status) {
		snprintf(why, n, "status: want %s got %s", status_to(st->status), status_to(x.status));
		return false;
	}
	if (s->pc != st->pc) {
		snprintf(why, n, "pc: want %" PRIu32 " got %" PRIu32, st->pc, s->pc);
		return false;
	}
	if (s->gas != st->gas) {
		snprintf(why, n, "gas: want %" PRId64 " got %" PRId64, st->gas, s->gas);
		return false;
	}
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if (s->regs[i] != st->regs[i]) {
			snprintf(why, n, "regs[%d]: want 0x%" PRIx64 " got 0x%" PRIx64, i, st->regs[i], s->regs[i]);
			return false;
		}
	if (st->has_fault_addr && x.fault_addr != st->fault_addr) {
		snprintf(why, n, "page_fault_address: want 0x%" PRIx32 " got 0x%" PRIx32, st->fault_addr,
		         x.fault_addr);
		return false;
	}
	if (st->has_host_id && x.host_id != st->host_id) {
		snprintf(why, n, "hostcall: want %" PRIu32 " got %" PRIu32, st->host_id, x.host_id);
		return false;
	}
	for (size_t i = 0; i < st->n_memory; i++)
		for (uint32_t k = 0; k < st->memory[i].len; k++) {
			uint8_t b;
			uint32_t a = st->memory[i].address + k;
			if (!pvm_mem_peek(s->mem, a, &b, 1)) {
				snprintf(why, n, "memory[0x%" PRIx32 "]: want 0x%02x, not mapped", a, st->memory[i].data[k]);
				return false;
			}
			if (b != st->memory[i].data[k]) {
				snprintf(why, n, "memory[0x%" PRIx32 "]: want 0x%02x got 0x%02x", a, st->memory[i].data[k], b);
				return false;
			}
		}
	nz_ctx c = { .st = st, .ok = true };
	pvm_mem_each(s->mem, nonzero_listed, &c);
	if (!c.ok) {
		snprintf(why, n, "memory[0x%" PRIx32 "]: want 0x00 got 0x%02x", c.addr, c.got);
		return false;
	}
	return true;
}

bool pvm_vector08_run(const pvm_vector08 *v, const pvm_engine *eng, void *prepared,
                      char *why, size_t n)
{
	pvm_state s;
	pvm_state_init(&s);
	s.pc = v->initial_pc;
	s.gas = v->initial_gas;
	pvm_exit x = { .status = PVM_PANIC };
	bool ran = false, ok = true;
	char w[512];
	for (size_t i = 0; i < v->n_steps && ok; i++) {
		const pvm_step *st = &v->steps[i];
		switch (st->kind) {
		case PVM_STEP_MAP:
			pvm_mem_map(s.mem, st->address, st->length, st->writable ? PVM_WRITE : PVM_READ);
			break;
		case PVM_STEP_WRITE:
			if (st->len && !pvm_mem_poke(s.mem, st->address, st->contents, st->len)) {
				snprintf(why, n, "step %zu (line %" PRIu32 "): write into unmapped memory", i + 1, st->line);
				ok = false;
			}
			break;
		case PVM_STEP_SET_REG:
			s.regs[st->reg] = st->value;
			break;
		case PVM_STEP_RUN:
			if (ran && x.status == PVM_HOST) s.pc = x.next;
			x = eng->run(prepared, &s);
			ran = true;
			break;
		case PVM_STEP_ASSERT:
			if (!ran) {
				snprintf(why, n, "step %zu (line %" PRIu32 "): assert before any run", i + 1, st->line);
				ok = false;
			} else if (!check_assert(st, &s, x, w, sizeof w)) {
				snprintf(why, n, "[%s] step %zu (line %" PRIu32 "): %s", eng->name, i + 1, st->line, w);
				ok = false;
			}
			break;
		}
	}
	pvm_state_fini(&s);
	return ok;
}

/* ---- building from a run ------------------------------------------------------------------- */

typedef struct build {
	pvm_step *steps;
	size_t n, cap;
	pvm_chunk *chunks;
	size_t nchunks, capchunks;
	uint32_t run_start, run_page; /* pending map run: first page, next page; perm */
	pvm_perm run_perm;
	bool in_run;
} build;

static pvm_step *add_step(build *b, pvm_step_kind k)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->steps = pvm_xrealloc(b->steps, b->cap * sizeof *b->steps);
	}
	pvm_step *st = &b->steps[b->n++];
	memset(st, 0, sizeof *st);
	st->kind = k;
	return st;
}

static void flush_map(build *b)
{
	if (!b->in_run) return;
	pvm_step *st = add_step(b, PVM_STEP_MAP);
	st->address = b->run_start * PVM_PAGE;
	st->length = (b->run_page - b->run_start) * PVM_PAGE;
	st->writable = b->run_perm == PVM_WRITE;
	b->in_run = false;
}

static void map_page(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	build *b = ctx;
	if (b->in_run && (page != b->run_page || perm != b->run_perm)) flush_map(b);
	if (!b->in_run) {
		b->in_run = true;
		b->run_start = page;
		b->run_perm = perm;
	}
	b->run_page = page + 1;
}

/* Appends the maximal runs of non-zero bytes of one page (joined across pages) to b->chunks. */
static void nonzero_runs(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	build *b = ctx;
	if (!data) return;
	for (uint32_t o = 0; o < PVM_PAGE; o++) {
		if (!data[o]) continue;
		uint32_t a = page * PVM_PAGE + o;
		pvm_chunk *last = b->nchunks ? &b->chunks[b->nchunks - 1] : NULL;
		if (last && last->address + last->len == a) {
			last->data = pvm_xrealloc(last->data, last->len + 1);
			last->data[last->len++] = data[o];
			continue;
		}
		if (b->nchunks == b->capchunks) {
			b->capchunks = b->capchunks ? 2 * b->capchunks : 8;
			b->chunks = pvm_xrealloc(b->chunks, b->capchunks * sizeof *b->chunks);
		}
		pvm_chunk *c = &b->chunks[b->nchunks++];
		c->address = a;
		c->len = 1;
		c->data = pvm_xmalloc(1);
		c->data[0] = data[o];
	}
}

void pvm_vector08_from_run(pvm_vector08 *v, const char *name, const uint8_t *program,
                           size_t program_len, const pvm_program *p, const pvm_state *init,
                           const pvm_state *fin, pvm_exit x)
{
	memset(v, 0, sizeof *v);
	v->name = pvm_xstrdup(name);
	v->program = pvm_xmalloc(program_len ? program_len : 1);
	memcpy(v->program, program, program_len);
	v->program_len = program_len;
	v->has_steps = true;
	v->initial_pc = init->pc;
	v->initial_gas = init->gas;
	build b = { 0 };
	pvm_mem_each(init->mem, map_page, &b);
	flush_map(&b);
	pvm_mem_each(init->mem, nonzero_runs, &b);
	for (size_t i = 0; i < b.nchunks; i++) {
		pvm_step *st = add_step(&b, PVM_STEP_WRITE);
		st->address = b.chunks[i].address;
		st->contents = b.chunks[i].data;
		st->len = b.chunks[i].len;
	}
	free(b.chunks);
	b.chunks = NULL;
	b.nchunks = b.capchunks = 0;
	for (unsigned r = 0; r < PVM_NUM_REGS; r++)
		if (init->regs[r]) {
			pvm_step *st = add_step(&b, PVM_STEP_SET_REG);
			st->reg = r;
			st->value = init->regs[r];
		}
	add_step(&b, PVM_STEP_RUN);
	pvm_mem_each(fin->mem, nonzero_runs, &b);
	pvm_step *st = add_step(&b, PVM_STEP_ASSERT);
	st->status = x.status;
	st->gas = fin->gas;
	st->pc = fin->pc;
	memcpy(st->regs, fin->regs, sizeof st->regs);
	st->memory = b.chunks;
	st->n_memory = b.nchunks;
	st->has_fault_addr = x.status == PVM_FAULT;
	st->fault_addr = x.fault_addr;
	st->has_host_id = x.status == PVM_HOST;
	st->host_id = x.host_id;
	v->steps = b.steps;
	v->n_steps = b.n;
	v->has_costs = true;
	size_t nb = 0;
	for (uint32_t pc = 0; pc < p->code_len; pc++) nb += p->is_block[pc];
	v->costs = pvm_xcalloc(nb ? nb : 1, sizeof *v->costs);
	for (uint32_t pc = 0; pc < p->code_len; pc++)
		if (p->is_block[pc]) v->costs[v->n_costs++] = (pvm_block_gas){ pc, pvm_block_cost(p, pc) };
}
