/* tests/pvm/cost08.c: every block-gas-costs entry of every GP 0.8 vector in a folder equals the
 * cost model's ϱΔ, and the listed pcs are exactly ϖ; every program passes 0.8.0 prevalidation;
 * each file, written back in its own spelling and in the other one, reads back identical; each
 * program disassembles to text that `asm --isa 0.8.0` turns back into the same bytes.
 * usage: pvm_cost08 DIR FILES BLOCKS (the expected counts, so a missing file fails too). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static bool chunks_eq(const pvm_chunk *a, size_t na, const pvm_chunk *b, size_t nb)
{
	if (na != nb) return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].address != b[i].address || a[i].len != b[i].len || memcmp(a[i].data, b[i].data, a[i].len))
			return false;
	return true;
}

static bool same(const pvm_vector08 *a, const pvm_vector08 *b)
{
	if (strcmp(a->name, b->name) || a->has_steps != b->has_steps || a->initial_pc != b->initial_pc ||
	    a->initial_gas != b->initial_gas || a->program_len != b->program_len ||
	    memcmp(a->program, b->program, a->program_len) || a->n_steps != b->n_steps ||
	    a->has_costs != b->has_costs || a->n_costs != b->n_costs ||
	    memcmp(a->costs, b->costs, a->n_costs * sizeof *a->costs))
		return false;
	for (size_t i = 0; i < a->n_steps; i++) {
		const pvm_step *x = &a->steps[i], *y = &b->steps[i];
		if (x->kind != y->kind || x->address != y->address || x->length != y->length ||
		    x->writable != y->writable || x->len != y->len || (x->len && memcmp(x->contents, y->contents, x->len)) ||
		    x->reg != y->reg || x->value != y->value || x->status != y->status || x->gas != y->gas ||
		    x->pc != y->pc || memcmp(x->regs, y->regs, sizeof x->regs) ||
		    x->has_fault_addr != y->has_fault_addr || x->fault_addr != y->fault_addr ||
		    x->has_host_id != y->has_host_id || x->host_id != y->host_id ||
		    !chunks_eq(x->memory, x->n_memory, y->memory, y->n_memory))
			return false;
	}
	return true;
}

/* Writes v with the given spelling and reads it back; true if identical. */
static bool roundtrip(const pvm_vector08 *v, bool tagged)
{
	pvm_vector08 w = *v, back;
	w.tagged = tagged;
	char *out;
	size_t olen;
	FILE *f = open_memstream(&out, &olen);
	pvm_vector08_write(&w, f);
	fclose(f);
	pvm_errbuf e;
	bool ok = !pvm_vector08_parse(&back, out, olen, "written", &e);
	if (!ok) printf("  %s\n", e.msg);
	ok = ok && back.tagged == tagged && same(v, &back);
	if (!ok) printf("  written (%s spelling) reads back different\n", tagged ? "tagged" : "kind");
	else pvm_vector08_fini(&back);
	free(out);
	return ok;
}

/* disasm, then assemble and renumber for 0.8.0: the same blob. */
static bool disasm_roundtrip(const pvm_program *p, const uint8_t *blob, size_t len)
{
	char *text;
	size_t n;
	FILE *f = open_memstream(&text, &n);
	pvm_disasm(p, NULL, f);
	fclose(f);
	pvm_vector w;
	pvm_errbuf e = { "" };
	bool ok = !pvm_asm_isa(text, n, PVM_ISA_080, "disasm", &w, &e);
	if (ok) {
		ok = w.program_len == len && !memcmp(w.program, blob, len);
		pvm_vector_fini(&w);
	}
	if (!ok) printf("  disasm -> asm --isa 0.8.0 gives other bytes (%s)\n", e.msg);
	free(text);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 4) return 2;
	DIR *d = opendir(argv[1]);
	if (!d) return perror(argv[1]), 2;
	char **names = NULL;
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l <= 5 || strcmp(de->d_name + l - 5, ".json")) continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	size_t bad = 0, blocks = 0;
	for (unsigned op = 0; op < PVM_NUM_OPS; op++) /* cost.def rows = the 0.8.0 instructions */
		if (pvm_costs[op].defined != pvm_op_in(PVM_ISA_080, op)) {
			printf("FAIL cost.def: %s %s\n", pvm_ops[op].name,
			       pvm_costs[op].defined ? "has a row but is not a 0.8.0 instruction" : "has no row");
			bad++;
		}
	for (size_t i = 0; i < n; i++) {
		char path[4096], why[512];
		snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
		pvm_errbuf e;
		pvm_vector08 v;
		pvm_program p;
		if (pvm_vector08_read(&v, path, &e)) {
			printf("FAIL %s\n", e.msg);
			bad++;
			continue;
		}
		if (pvm_program_decode_isa(&p, PVM_ISA_080, v.program, v.program_len, names[i], &e)) {
			printf("FAIL %s\n", e.msg);
			bad++;
		} else {
			size_t k;
			if (!v.has_costs || !pvm_vector08_check_costs(&v, &p, &k, why, sizeof why)) {
				printf("FAIL %s: %s\n", names[i], v.has_costs ? why : "no block-gas-costs");
				bad++;
			}
			blocks += k;
			if (!disasm_roundtrip(&p, v.program, v.program_len)) {
				printf("FAIL %s: disassembly round trip\n", names[i]);
				bad++;
			}
			if (p.invalid[0]) {
				printf("FAIL %s: prevalidation rejects it: %s\n", names[i], p.invalid);
				bad++;
			}
			pvm_program_fini(&p);
		}
		if (!roundtrip(&v, v.tagged) || !roundtrip(&v, !v.tagged)) {
			printf("FAIL %s: write/read round trip\n", names[i]);
			bad++;
		}
		pvm_vector08_fini(&v);
		free(names[i]);
	}
	free(names);
	printf("%zu files, %zu blocks checked, %zu failures\n", n, blocks, bad);
	if ((size_t)atol(argv[2]) != n || (size_t)atol(argv[3]) != blocks) {
		printf("FAIL expected %s files and %s blocks\n", argv[2], argv[3]);
		return 1;
	}
	return bad ? 1 : 0;
}
