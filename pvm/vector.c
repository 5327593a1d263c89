/* pvm/vector.c: the w3f PVM test-vector JSON format, read through libyaml (JSON is YAML) and
 * written back in the official layout. Numbers are parsed here, exactly, up to 2^64-1; every
 * wrong type, missing or unknown field is "FILE:LINE:COL: reason". Extension: expected-status
 * may also be "out-of-gas" or "host-call"; the latter requires "expected-host-call-id". */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "pvm.h"
#include "jsonrd.h"

static bool get_pagemap(rd *r, const yaml_node_t *n, pvm_vector *v)
{
	static const char *const names[] = { "address", "length", "is-writable" };
	if (!get_seq(r, n, "initial-page-map", &v->n_page_map)) return false;
	v->page_map = pvm_xcalloc(v->n_page_map, sizeof *v->page_map);
	for (size_t i = 0; i < v->n_page_map; i++) {
		yaml_node_t *f[3], *c = item(r, n, i);
		pvm_pagemap *pm = &v->page_map[i];
		if (!get_fields(r, c, "initial-page-map", names, 3, f)) return false;
		for (int k = 0; k < 3; k++)
			if (!f[k]) return fail(r, c, "missing field \"%s\"", names[k]);
		if (!get_u32(r, f[0], "address", &pm->address) || !get_u32(r, f[1], "length", &pm->length) ||
		    !get_bool(r, f[2], "is-writable", &pm->writable))
			return false;
	}
	return true;
}

enum {
	F_NAME, F_IREGS, F_IPC, F_IPM, F_IMEM, F_IGAS, F_PROG,
	F_STATUS, F_EREGS, F_EPC, F_EMEM, F_EGAS, F_FAULT, F_HOST, F_READING, F_HEAP, F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"name", "initial-regs", "initial-pc", "initial-page-map", "initial-memory", "initial-gas",
	"program", "expected-status", "expected-regs", "expected-pc", "expected-memory",
	"expected-gas", "expected-page-fault-address", "expected-host-call-id", "reading", "initial-heap",
};

static bool covered(const pvm_vector *v, uint32_t addr, uint32_t len)
{
	for (uint64_t a = addr; a < (uint64_t)addr + len; a = (a | (PVM_PAGE - 1)) + 1) {
		bool ok = false;
		for (size_t i = 0; i < v->n_page_map && !ok; i++) {
			uint64_t lo = v->page_map[i].address & ~(uint64_t)(PVM_PAGE - 1);
			uint64_t hi = (uint64_t)v->page_map[i].address + v->page_map[i].length;
			ok = a >= lo && a < hi;
		}
		if (!ok) return false;
	}
	return true;
}

static bool read_doc(rd *r, pvm_vector *v)
{
	yaml_node_t *root = yaml_document_get_root_node(&r->doc), *f[F_COUNT];
	if (!root) {
		pvm_errf_at(r->e, r->name, 1, 1, "empty document");
		return false;
	}
	if (!get_fields(r, root, "vector", field_names, F_COUNT, f)) return false;
	for (int k = F_NAME; k <= F_PROG; k++)
		if (!f[k]) return fail(r, root, "missing field \"%s\"", field_names[k]);
	const char *s;
	if (!get_str(r, f[F_NAME], "name", &s)) return false;
	v->name = pvm_xstrdup(s);
	if (!get_regs(r, f[F_IREGS], "initial-regs", v->initial_regs) ||
	    !get_u32(r, f[F_IPC], "initial-pc", &v->initial_pc) || !get_pagemap(r, f[F_IPM], v) ||
	    !get_chunks(r, f[F_IMEM], "initial-memory", &v->initial_mem, &v->n_initial_mem) ||
	    !get_i64(r, f[F_IGAS], "initial-gas", &v->initial_gas) ||
	    !get_bytes(r, f[F_PROG], "program", &v->program, &v->program_len))
		return false;
	for (size_t i = 0; i < v->n_initial_mem; i++)
		if (!covered(v, v->initial_mem[i].address, v->initial_mem[i].len))
			return fail(r, item(r, f[F_IMEM], i), "%s", "initial-memory chunk lies outside "
			            "initial-page-map");
	if (f[F_READING]) { /* extension: the GP 0.7.2 readings the vector is for (README) */
		if (!get_str(r, f[F_READING], "reading", &s)) return false;
		if (!pvm_reading_parse(s, &v->reading))
			return fail(r, f[F_READING], "reading: \"%s\" is not peers, w3f, or gas:..,sbrk:..", s);
	}
	if (f[F_HEAP]) { /* extension: [heap base, heap top (the break), heap limit] as a container sets them */
		size_t n;
		uint32_t h[3];
		if (!get_seq(r, f[F_HEAP], "initial-heap", &n)) return false;
		if (n != 3) return fail(r, f[F_HEAP], "%s", "initial-heap: expected [base, top, limit]");
		for (size_t i = 0; i < 3; i++)
			if (!get_u32(r, item(r, f[F_HEAP], i), "initial-heap", &h[i])) return false;
		v->has_heap = true;
		v->heap_base = h[0], v->heap_top = h[1], v->heap_limit = h[2];
	}
	bool any = false;
	for (int k = F_STATUS; k <= F_HOST; k++) any |= f[k] != NULL;
	if (!any) return true;
	for (int k = F_STATUS; k <= F_EGAS; k++)
		if (!f[k]) return fail(r, root, "missing field \"%s\"", field_names[k]);
	v->has_expected = true;
	if (!get_str(r, f[F_STATUS], "expected-status", &s)) return false;
	int st = pvm_status_by_name(s);
	if (st < 0)
		return fail(r, f[F_STATUS], "expected-status: unknown status \"%s\" (halt, panic, "
		            "page-fault, out-of-gas, host-call)", s);
	v->expected_status = (pvm_status)st;
	if (!get_regs(r, f[F_EREGS], "expected-regs", v->expected_regs) ||
	    !get_u32(r, f[F_EPC], "expected-pc", &v->expected_pc) ||
	    !get_chunks(r, f[F_EMEM], "expected-memory", &v->expected_mem, &v->n_expected_mem) ||
	    !get_i64(r, f[F_EGAS], "expected-gas", &v->expected_gas))
		return false;
	if (st == PVM_FAULT && !f[F_FAULT])
		return fail(r, root, "missing field \"%s\"", "expected-page-fault-address");
	if (st != PVM_FAULT && f[F_FAULT])
		return fail(r, f[F_FAULT], "%s", "expected-page-fault-address needs status page-fault");
	if (st == PVM_HOST && !f[F_HOST])
		return fail(r, root, "missing field \"%s\"", "expected-host-call-id");
	if (st != PVM_HOST && f[F_HOST])
		return fail(r, f[F_HOST], "%s", "expected-host-call-id needs status host-call");
	if (f[F_FAULT]) {
		v->has_fault_addr = true;
		if (!get_u32(r, f[F_FAULT], "expected-page-fault-address", &v->expected_fault_addr))
			return false;
	}
	if (f[F_HOST]) {
		v->has_host_id = true;
		if (!get_u32(r, f[F_HOST], "expected-host-call-id", &v->expected_host_id)) return false;
	}
	return true;
}

pvm_err pvm_vector_parse(pvm_vector *v, const char *text, size_t len, const char *name, pvm_errbuf *e)
{
	memset(v, 0, sizeof *v);
	rd r = { .name = name, .e = e };
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) pvm_out_of_memory(0);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &r.doc)) {
		pvm_errf_at(e, name, p.problem_mark.line + 1, p.problem_mark.column + 1,
		            "malformed JSON: %s%s%s", p.problem ? p.problem : "syntax error",
		         p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		return PVM_EINVAL;
	}
	bool ok = read_doc(&r, v);
	yaml_document_delete(&r.doc);
	yaml_parser_delete(&p);
	if (!ok) {
		pvm_vector_fini(v);
		return PVM_EINVAL;
	}
	return PVM_OK;
}

pvm_err pvm_vector_read(pvm_vector *v, const char *path, pvm_errbuf *e)
{
	uint8_t *buf;
	size_t len;
	memset(v, 0, sizeof *v);
	pvm_err err = pvm_read_file(path, &buf, &len, e);
	if (err) return err;
	err = pvm_vector_parse(v, (const char *)buf, len, path, e);
	free(buf);
	return err;
}

static void free_chunks(pvm_chunk *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) free(c[i].data);
	free(c);
}

void pvm_vector_fini(pvm_vector *v)
{
	free(v->name);
	free(v->page_map);
	free_chunks(v->initial_mem, v->n_initial_mem);
	free(v->program);
	free_chunks(v->expected_mem, v->n_expected_mem);
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

static void put_u64s(FILE *f, const char *ind, const uint64_t *x, size_t n)
{
	if (!n) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (size_t i = 0; i < n; i++) fprintf(f, "%s  %" PRIu64 "%s\n", ind, x[i], i + 1 < n ? "," : "");
	fprintf(f, "%s]", ind);
}

static void put_bytes(FILE *f, const char *ind, const uint8_t *x, size_t n)
{
	if (!n) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (size_t i = 0; i < n; i++) fprintf(f, "%s  %u%s\n", ind, x[i], i + 1 < n ? "," : "");
	fprintf(f, "%s]", ind);
}

static void put_chunks(FILE *f, const pvm_chunk *c, size_t n)
{
	if (!n) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "    {\n      \"address\": %" PRIu32 ",\n      \"contents\": ", c[i].address);
		put_bytes(f, "      ", c[i].data, c[i].len);
		fprintf(f, "\n    }%s\n", i + 1 < n ? "," : "");
	}
	fputs("  ]", f);
}

pvm_err pvm_vector_write(const pvm_vector *v, FILE *f)
{
	fputs("{\n  \"name\": ", f);
	put_str(f, v->name ? v->name : "");
	fputs(",\n  \"initial-regs\": ", f);
	put_u64s(f, "  ", v->initial_regs, PVM_NUM_REGS);
	fprintf(f, ",\n  \"initial-pc\": %" PRIu32 ",\n  \"initial-page-map\": ", v->initial_pc);
	if (!v->n_page_map) fputs("[]", f);
	else {
		fputs("[\n", f);
		for (size_t i = 0; i < v->n_page_map; i++)
			fprintf(f, "    {\n      \"address\": %" PRIu32 ",\n      \"length\": %" PRIu32
			        ",\n      \"is-writable\": %s\n    }%s\n", v->page_map[i].address,
			        v->page_map[i].length, v->page_map[i].writable ? "true" : "false",
			        i + 1 < v->n_page_map ? "," : "");
		fputs("  ]", f);
	}
	fputs(",\n  \"initial-memory\": ", f);
	put_chunks(f, v->initial_mem, v->n_initial_mem);
	if (v->has_heap)
		fprintf(f, ",\n  \"initial-heap\": [%" PRIu32 ", %" PRIu32 ", %" PRIu32 "]", v->heap_base, v->heap_top,
		        v->heap_limit);
	if (v->reading) {
		fputs(",\n  \"reading\": ", f);
		put_str(f, pvm_reading_name(v->reading));
	}
	fprintf(f, ",\n  \"initial-gas\": %" PRId64 ",\n  \"program\": ", v->initial_gas);
	put_bytes(f, "  ", v->program, v->program_len);
	if (v->has_expected) {
		fputs(",\n  \"expected-status\": ", f);
		put_str(f, pvm_status_name(v->expected_status));
		fputs(",\n  \"expected-regs\": ", f);
		put_u64s(f, "  ", v->expected_regs, PVM_NUM_REGS);
		fprintf(f, ",\n  \"expected-pc\": %" PRIu32 ",\n  \"expected-memory\": ", v->expected_pc);
		put_chunks(f, v->expected_mem, v->n_expected_mem);
		fprintf(f, ",\n  \"expected-gas\": %" PRId64, v->expected_gas);
		if (v->has_fault_addr)
			fprintf(f, ",\n  \"expected-page-fault-address\": %" PRIu32, v->expected_fault_addr);
		if (v->has_host_id)
			fprintf(f, ",\n  \"expected-host-call-id\": %" PRIu32, v->expected_host_id);
	}
	fputs("\n}", f);
	return ferror(f) ? PVM_EIO : PVM_OK;
}

/* ---- states -------------------------------------------------------------------------------- */

void pvm_vector_initial_state(const pvm_vector *v, pvm_state *s)
{
	pvm_state_init(s);
	memcpy(s->regs, v->initial_regs, sizeof s->regs);
	s->pc = v->initial_pc;
	s->gas = v->initial_gas;
	for (size_t i = 0; i < v->n_page_map; i++)
		pvm_mem_map(s->mem, v->page_map[i].address, v->page_map[i].length,
		            v->page_map[i].writable ? PVM_WRITE : PVM_READ);
	for (size_t i = 0; i < v->n_initial_mem; i++)
		pvm_mem_poke(s->mem, v->initial_mem[i].address, v->initial_mem[i].data, v->initial_mem[i].len);
	s->reading = v->reading;
	if (v->has_heap) {
		s->heap_base = v->heap_base;
		s->heap_top = v->heap_top;
		s->heap_limit = v->heap_limit;
	}
}

typedef struct runs {
	pvm_chunk *c;
	size_t n, cap;
} runs;

/* Appends the non-zero bytes of one page as runs, extending a run that ends where it starts. */
static void collect(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	runs *r = ctx;
	uint64_t base = (uint64_t)page << PVM_PAGE_SHIFT;
	(void)perm;
	/* a never-written page has nothing to add (a 4 GiB .page would otherwise be scanned byte by
	 * byte: fuzz_asm's timeout); a written one is skipped over 8 zero bytes at a time */
	if (pvm_mem_page_untouched(data)) return;
	for (uint32_t i = 0; i < PVM_PAGE; i++) {
		uint64_t w;
		if (!(i & 7) && (memcpy(&w, data + i, 8), !w)) {
			i += 7;
			continue;
		}
		if (!data[i]) continue;
		pvm_chunk *last = r->n ? &r->c[r->n - 1] : NULL;
		if (!last || (uint64_t)last->address + last->len != base + i) {
			if (r->n == r->cap) {
				size_t cap = r->cap ? 2 * r->cap : 16;
				r->c = pvm_xrealloc(r->c, cap * sizeof *r->c);
				r->cap = cap;
			}
			last = &r->c[r->n++];
			*last = (pvm_chunk){ .address = (uint32_t)(base + i) };
		}
		if ((last->len & (last->len - 1)) == 0) { /* 0 or a power of two: grow */
			last->data = pvm_xrealloc(last->data, last->len ? 2 * (size_t)last->len : 16);
		}
		last->data[last->len++] = data[i];
	}
}

void pvm_vector_set_expected(pvm_vector *v, const pvm_state *s, pvm_exit x)
{
	free_chunks(v->expected_mem, v->n_expected_mem);
	runs r = { 0 };
	pvm_mem_each(s->mem, collect, &r);
	v->expected_mem = r.c;
	v->n_expected_mem = r.n;
	v->has_expected = true;
	v->expected_status = x.status;
	memcpy(v->expected_regs, s->regs, sizeof v->expected_regs);
	v->expected_pc = s->pc;
	v->expected_gas = s->gas;
	v->has_fault_addr = x.status == PVM_FAULT;
	v->expected_fault_addr = v->has_fault_addr ? x.fault_addr : 0;
	v->has_host_id = x.status == PVM_HOST;
	v->expected_host_id = v->has_host_id ? x.host_id : 0;
}

static void byte_desc(char *b, size_t n, int v)
{
	if (v < 0) snprintf(b, n, "unmapped");
	else snprintf(b, n, "0x%02x", v);
}

typedef struct memcmp_ctx {
	pvm_mem *want;
	bool bad;
	uint32_t addr;
	int wv, gv;
} memcmp_ctx;

static void note_bad(memcmp_ctx *c, uint32_t addr, int wv, int gv)
{
	if (c->bad && addr >= c->addr) return;
	c->bad = true, c->addr = addr, c->wv = wv, c->gv = gv;
}

/* Finds the first byte of a mapped page that differs from the expected bytes (zero if unlisted). */
static void cmp_page(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	memcmp_ctx *c = ctx;
	const uint8_t *w = pvm_mem_page_c(c->want, page);
	for (uint32_t k = 0; k < PVM_PAGE; k++) {
		uint8_t wb = w ? w[k] : 0;
		if (data[k] != wb) {
			note_bad(c, page << PVM_PAGE_SHIFT | k, wb, data[k]);
			return;
		}
	}
}

/* Memory as the w3f files list it: every byte of expected-memory equals the final memory, and
 * every non-zero byte of a mapped page appears in expected-memory. Reports the lowest mismatch. */
static bool check_mem(const pvm_vector *v, const pvm_state *s, char *why, size_t n)
{
	memcmp_ctx c = { .want = pvm_mem_new() };
	for (size_t i = 0; i < v->n_expected_mem; i++) {
		const pvm_chunk *ch = &v->expected_mem[i];
		pvm_mem_map(c.want, ch->address, ch->len, PVM_WRITE);
		pvm_mem_poke(c.want, ch->address, ch->data, ch->len);
		for (uint32_t k = 0; k < ch->len; k++) {
			uint8_t got;
			if (!pvm_mem_peek(s->mem, ch->address + k, &got, 1))
				note_bad(&c, ch->address + k, ch->data[k], -1);
			else if (got != ch->data[k]) note_bad(&c, ch->address + k, ch->data[k], got);
		}
	}
	pvm_mem_each(s->mem, cmp_page, &c);
	pvm_mem_free(c.want);
	if (c.bad) {
		char a[16], b[16];
		byte_desc(a, sizeof a, c.wv);
		byte_desc(b, sizeof b, c.gv);
		snprintf(why, n, "expected-memory[0x%" PRIx32 "]: want %s got %s", c.addr, a, b);
	}
	return !c.bad;
}

bool pvm_vector_check(const pvm_vector *v, const pvm_state *s, pvm_exit x, char *why, size_t n)
{
	if (x.status != v->expected_status) {
		snprintf(why, n, "expected-status: want %s got %s (pc %" PRIu32 ")",
		         pvm_status_name(v->expected_status), pvm_status_name(x.status), s->pc);
		return false;
	}
	if (s->pc != v->expected_pc) {
		snprintf(why, n, "expected-pc: want %" PRIu32 " got %" PRIu32, v->expected_pc, s->pc);
		return false;
	}
	for (int i = 0; i < PVM_NUM_REGS; i++) {
		if (s->regs[i] == v->expected_regs[i]) continue;
		snprintf(why, n, "expected-regs[%d]: want 0x%" PRIx64 " got 0x%" PRIx64, i,
		         v->expected_regs[i], s->regs[i]);
		return false;
	}
	if (s->gas != v->expected_gas) {
		snprintf(why, n, "expected-gas: want %" PRId64 " got %" PRId64, v->expected_gas, s->gas);
		return false;
	}
	if (x.status == PVM_FAULT && v->has_fault_addr && x.fault_addr != v->expected_fault_addr) {
		snprintf(why, n, "expected-page-fault-address: want 0x%" PRIx32 " got 0x%" PRIx32,
		         v->expected_fault_addr, x.fault_addr);
		return false;
	}
	if (x.status == PVM_HOST && v->has_host_id && x.host_id != v->expected_host_id) {
		snprintf(why, n, "expected-host-call-id: want %" PRIu32 " got %" PRIu32,
		         v->expected_host_id, x.host_id);
		return false;
	}
	return check_mem(v, s, why, n);
}

typedef struct pm_acc {
	pvm_pagemap *pm;
	size_t n, cap;
} pm_acc;

static void collect_pages(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	pm_acc *a = ctx;
	bool w = perm == PVM_WRITE;
	uint64_t addr = (uint64_t)page << PVM_PAGE_SHIFT;
	pvm_pagemap *last = a->n ? &a->pm[a->n - 1] : NULL;
	if (last && last->writable == w && (uint64_t)last->address + last->length == addr &&
	    last->length <= UINT32_MAX - PVM_PAGE) {
		last->length += PVM_PAGE;
		return;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		a->pm = pvm_xrealloc(a->pm, cap * sizeof *a->pm);
		a->cap = cap;
	}
	a->pm[a->n++] = (pvm_pagemap){ .address = (uint32_t)addr, .length = PVM_PAGE, .writable = w };
}

void pvm_vector_set_initial(pvm_vector *v, const char *name, const pvm_state *s)
{
	free(v->name);
	free(v->page_map);
	free_chunks(v->initial_mem, v->n_initial_mem);
	pm_acc a = { 0 };
	runs r = { 0 };
	pvm_mem_each(s->mem, collect_pages, &a);
	pvm_mem_each(s->mem, collect, &r);
	v->name = pvm_xstrdup(name);
	v->page_map = a.pm;
	v->n_page_map = a.n;
	v->initial_mem = r.c;
	v->n_initial_mem = r.n;
	memcpy(v->initial_regs, s->regs, sizeof v->initial_regs);
	v->initial_pc = s->pc;
	v->initial_gas = s->gas;
	v->reading = s->reading;
	v->has_heap = s->heap_base || s->heap_top || s->heap_limit;
	v->heap_base = s->heap_base;
	v->heap_top = s->heap_top;
	v->heap_limit = s->heap_limit;
}
