/* fuzz/trace.c: the JIP-7 trace reader (pvm_trace_parse, pvm_trace_sniff), then its writer, the
 * reader again on what the writer wrote (which must parse and be the same trace: program, initial
 * memwrites, start, every call, end; line numbers aside), and the writer again (which must write
 * the same text: the canonical spelling is a fixed point). Also the on-chain blob split of the
 * program (pvm_meta_split) and the metadata's description. Any difference aborts; must never
 * crash, leak, hang or grow without bound. The trace is not replayed (its gas may be 2^63 - 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) { (void)argc; (void)argv; return 0; }

static _Noreturn void differ(const char *what)
{
	fprintf(stderr, "fuzz_trace: the re-parsed trace differs: %s\n", what);
	abort();
}

static bool same_ios(const pvm_trace_io *a, size_t na, const pvm_trace_io *b, size_t nb)
{
	if (na != nb) return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].addr != b[i].addr || a[i].len != b[i].len || memcmp(a[i].data, b[i].data, a[i].len)) return false;
	return true;
}

static bool same_state(const pvm_trace_state *a, const pvm_trace_state *b)
{
	return a->pc == b->pc && a->gas == b->gas && !memcmp(a->regs, b->regs, sizeof a->regs);
}

/* Aborts, naming the first field where a and b differ (not the line numbers nor the name). */
static void compare(const pvm_trace *a, const pvm_trace *b)
{
	if (a->program_len != b->program_len || memcmp(a->program, b->program, a->program_len)) differ("program");
	if (!same_ios(a->init, a->n_init, b->init, b->n_init)) differ("memwrites before start");
	if (!same_state(&a->start, &b->start)) differ("start");
	if (a->n_calls != b->n_calls) differ("number of ecalli");
	for (size_t i = 0; i < a->n_calls; i++) {
		const pvm_trace_call *x = &a->calls[i], *y = &b->calls[i];
		if (x->id != y->id || !same_state(&x->at, &y->at)) differ("an ecalli line");
		if (!same_ios(x->reads, x->n_reads, y->reads, y->n_reads)) differ("an ecalli's memreads");
		if (!same_ios(x->writes, x->n_writes, y->writes, y->n_writes)) differ("an ecalli's memwrites");
		if (x->n_sets != y->n_sets) differ("an ecalli's number of setreg");
		for (size_t j = 0; j < x->n_sets; j++)
			if (x->sets[j].reg != y->sets[j].reg || x->sets[j].value != y->sets[j].value) differ("a setreg");
		if (x->has_gas != y->has_gas || (x->has_gas && x->gas != y->gas)) differ("a setgas");
	}
	if (a->end != b->end || a->panic_arg != b->panic_arg) differ("the end kind or PANIC argument");
	if (!same_state(&a->fin, &b->fin)) differ("the final state");
}

/* t written in the canonical spelling (malloc'd, *len bytes); aborts if the writer fails. */
static char *written(const pvm_trace *t, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	if (!f) abort();
	pvm_err err = pvm_trace_write(t, f);
	if (fclose(f) || err) {
		fprintf(stderr, "fuzz_trace: the writer failed\n");
		abort();
	}
	return out;
}

/* The on-chain blob split and, when there is a metadata prefix, its description. */
static void meta(const uint8_t *b, size_t len)
{
	pvm_errbuf e;
	size_t off;
	if (pvm_meta_split(b, len, 0, "fuzz", &off, &e) || !off) return;
	uint64_t m;
	size_t k = pvm_varint_decode(b, len, &m);
	if (!k || k > off) abort(); /* a split with metadata read its length */
	char small[64];
	(void)pvm_meta_describe(b + k, off - k, small, sizeof small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text) return 0;
	pvm_trace t;
	pvm_errbuf e;
	(void)pvm_trace_sniff(text, size);
	pvm_err perr = pvm_trace_parse(&t, text, size, "fuzz.log", &e);
	free(text);
	if (perr) return 0;
	size_t len1, len2;
	char *out1 = written(&t, &len1);
	pvm_trace again;
	if (pvm_trace_parse(&again, out1, len1, "rewritten.log", &e)) {
		fprintf(stderr, "fuzz_trace: the writer's output does not parse: %s\n", e.msg);
		abort();
	}
	compare(&t, &again);
	char *out2 = written(&again, &len2);
	if (len1 != len2 || memcmp(out1, out2, len1)) {
		fprintf(stderr, "fuzz_trace: writing the re-parsed trace gives another text\n");
		abort();
	}
	meta(t.program, t.program_len);
	free(out1);
	free(out2);
	pvm_trace_fini(&again);
	pvm_trace_fini(&t);
	return 0;
}
