/* tests/jit/cache.c: a whole-program compile with the template cache (jit_program_new) is, byte
 * for byte, the compile without it (jit_program_new_uncached: every template, prologue, stub and
 * dispatcher emitted anew), and so are its rows, trampoline offsets and jump-table slots; and both
 * keep the chains' rule (check_chain_entries: every static target and jump-table block has an entry). All the
 * programs are compiled with one feature set, then all with the next (the CPU's, none, each
 * extension alone), so that the cache a thread keeps serves each compile from the entries of the
 * ones before it; every 8th also with another set and again (check). Programs: every 0.8.0 vector of the directories given (decoded as 0.8.0 and as
 * 0.7.2), random blobs (any byte, gaps past 24 bytes, random jump tables, a few big enough to
 * fill the cache's table) and random valid GP 0.8.0 blobs (random_blob08: the walk of the chains
 * that visits only block starts, which the compile without a cache does not take).
 * Usage: jit_cache DIR... ; prints "jit_cache: N compiles, M bytes, 0 bad". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jit/jit_internal.h"
#include "each_vector08.h"

static size_t n_compiles, n_bytes, bad;

static void fail(const char *name, const char *what, size_t at)
{
	if (bad++ < 20) printf("FAIL %s: %s (at %zu)\n", name, what, at);
}

/* What the gas chains may not do, read from the rows alone (jit.h § chains): a block that a static
 * jump or branch names, or a jump-table entry, has an entry of its own (a prologue); a block
 * without one follows an instruction that falls into it (not a jump, a trap or a host call). */
static void check_chain_entries(const pvm_program *p, const jit_program *jp, const char *name)
{
	for (uint32_t pc = 0; pc < p->code_len; pc++) {
		if (!p->is_start[pc]) continue;
		const pvm_inst *in = &p->inst[pc];
		unsigned ctl = pvm_ops[in->op].ctl;
		uint32_t t = in->target;
		if ((ctl == PVM_CTL_JUMP || ctl == PVM_CTL_BRANCH) && t < p->code_len && p->is_start[t] && p->is_block[t]) {
			const jit_row *r = jit_find_row(jp, t);
			if (!r || r->entry == JIT_NONE) fail(name, "a static target without an entry", t);
		}
		uint32_t n = in->next;
		if (n < p->code_len && p->is_start[n] && p->is_block[n] && !pvm_op_falls(in->op)) {
			const jit_row *r = jit_find_row(jp, n);
			if (!r || r->entry == JIT_NONE) fail(name, "a block nothing falls into without an entry", n);
		}
	}
	for (uint32_t i = 0; i < p->jt_len; i++) {
		uint32_t t = p->jump_table[i];
		if (t < p->code_len && p->is_start[t] && p->is_block[t]) {
			const jit_row *r = jit_find_row(jp, t);
			if (!r || r->entry == JIT_NONE) fail(name, "a jump-table block without an entry", t);
		}
	}
}

static void check_features(const pvm_program *p, jit_features f, const char *name)
{
	jit_program *a, *b;
	jit_err ea = jit_program_new(p, f, &a), eb = jit_program_new_uncached(p, f, &b);
	if (ea != eb) {
		fail(name, "one compile failed", 0);
		if (!ea) jit_program_free(a);
		if (!eb) jit_program_free(b);
		return;
	}
	if (ea) return;
	n_compiles++;
	check_chain_entries(p, a, name);
	check_chain_entries(p, b, name);
	size_t na, nb;
	const uint8_t *ca = jit_program_code(a, &na), *cb = jit_program_code(b, &nb);
	n_bytes += na;
	if (na != nb) fail(name, "code sizes differ", na);
	for (size_t i = 0; i < na && i < nb; i++)
		if (ca[i] != cb[i]) {
			fail(name, "code bytes differ", i);
			break;
		}
	if (a->enter_off != b->enter_off || a->exit_off != b->exit_off || a->tramp_end != b->tramp_end)
		fail(name, "trampoline offsets differ", a->exit_off);
	if (a->n_rows != b->n_rows) fail(name, "row counts differ", a->n_rows);
	for (size_t i = 0; i < a->n_rows && i < b->n_rows; i++)
		if (memcmp(&a->rows[i], &b->rows[i], sizeof a->rows[i])) {
			fail(name, "rows differ", i);
			break;
		}
	for (uint32_t i = 0; i < p->jt_len; i++)
		if (jit_program_jt_slot(a, i) != jit_program_jt_slot(b, i)) {
			fail(name, "jump-table slots differ", i);
			break;
		}
	jit_program_free(a);
	jit_program_free(b);
}

static jit_features features, other; /* of this pass; another set */

/* p with this pass's features; every 8th program also with the other set first, then again with
 * this pass's (a thread's cache is kept for one feature set: the entries of the other are not
 * used). */
static void check(const pvm_program *p, const char *name)
{
	static unsigned count;
	check_features(p, features, name);
	if (count++ % 8 == 0) {
		check_features(p, other, name);
		check_features(p, features, name);
	}
}

static void check_blob(const uint8_t *blob, size_t len, const char *name) { decode_each_isa(blob, len, name, check); }

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 20;
}

/* A blob of jt entries (width 1..4, targets anywhere in the code or past it), n random code bytes
 * and a random bitmask with bit 0 set, sparse or dense. */
static size_t random_blob(uint8_t *b, uint32_t n, uint32_t jt, uint64_t *s)
{
	size_t k = 0;
	uint8_t v[9];
	unsigned z = 1 + (unsigned)(next(s) % 4);
	size_t l = pvm_varint_encode(jt, v);
	memcpy(b + k, v, l);
	k += l;
	b[k++] = (uint8_t)z;
	l = pvm_varint_encode(n, v);
	memcpy(b + k, v, l);
	k += l;
	for (uint32_t i = 0; i < jt; i++) {
		uint32_t t = (uint32_t)(next(s) % (n + 8));
		for (unsigned j = 0; j < z; j++) b[k++] = (uint8_t)(t >> (8 * j));
	}
	unsigned density = (unsigned)(next(s) % 16); /* a bitmask bit is set with (density + 1) / 32 */
	for (uint32_t i = 0; i < n; i++) b[k + i] = (uint8_t)next(s);
	uint8_t *m = b + k + n;
	memset(m, 0, (n + 7) / 8);
	for (uint32_t i = 0; i < n; i++)
		if (i == 0 || next(s) % 32 <= density) m[i >> 3] |= (uint8_t)(1u << (i & 7));
	return k + n + (n + 7) / 8;
}

/* One pass: every program with the features of this pass. */
static int pass(int argc, char **argv)
{
	if (each_vector08(argc, argv, check_blob, &bad)) return 1;
	uint64_t s = 1;
	enum { BIG = 1 << 18 };
	uint8_t *blob = malloc(64 + 5 * BIG + BIG / 8);
	for (int i = 0; i < 600; i++) {
		char name[32];
		snprintf(name, sizeof name, "random %d", i);
		/* mostly small; every 100th big (a full table, code past the first buffer) */
		uint32_t n = 1 + (uint32_t)(next(&s) % (i % 100 == 99 ? BIG : i % 4 ? 64 : 4096));
		uint32_t jt = (uint32_t)(next(&s) % 3 == 0 ? 0 : next(&s) % 40);
		check_blob(blob, random_blob(blob, n, jt, &s), name);
	}
	/* valid GP 0.8.0 programs (the chains' walk of the block starts; the compile without a cache walks
	 * every start) */
	uint64_t rng = 0x2545F4914F6CDD1Dull;
	for (int i = 0; i < 400; i++) {
		char name[32];
		snprintf(name, sizeof name, "random08 %d", i);
		check_blob(blob, random_blob08(blob, 64 + 5 * BIG, 0, &rng), name);
	}
	free(blob);
	return 0;
}

int main(int argc, char **argv)
{
	jit_features fs[] = { jit_cpu_features(), jit_no_features(), { .bmi1 = true }, { .bmi2 = true },
		{ .lzcnt = true }, { .popcnt = true } };
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
		features = fs[i];
		other = fs[i ? 0 : 1];
		if (pass(argc, argv)) return 1;
	}
	printf("jit_cache: %zu compiles, %zu bytes, %zu bad\n", n_compiles, n_bytes, bad);
	return bad != 0 || n_compiles < 1000;
}
