/* tests/asm/drivers.c: .pvmasm cases that one w3f vector cannot express, on any engine:
 *   case_driver host ENGINE FILE.pvmasm                            host calls answered and resumed
 *   case_driver perturb ENGINE FILE.pvmasm                         the same, by the perturbing host
 *   case_driver container ENGINE FILE.pvmasm RO RW Z S ARGS [DIR]  run as a standard container
 *   case_driver container08 ENGINE FILE.pvmasm RO RW Z S ARGS [DIR]    the same as GP 0.8.0, grow_heap
 *                                                                  (host call 1) answered (§7)
 * FILE's .expect lines describe the final state; exit 0 pass, 1 fail, 2 usage. Built also as
 * case_driver-mutants (tests/validator), which takes --mutant NAME before the arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"
#include "pvm/mutant.h"

#define ENGINE(name, sym) extern const pvm_engine sym;
#include "cli/engines.def"
#undef ENGINE
static const pvm_engine *const engines[] = {
#define ENGINE(name, sym) &sym,
#include "cli/engines.def"
#undef ENGINE
};

static int fail(const char *fmt, const char *a, const char *b)
{
	printf("FAIL ");
	printf(fmt, a, b);
	printf("\n");
	return 1;
}

static const pvm_engine *engine(const char *name)
{
	for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
		if (!strcmp(engines[i]->name, name)) return engines[i];
	return NULL;
}

static int assemble_isa(const char *path, pvm_isa isa, pvm_vector *v)
{
	pvm_errbuf e;
	uint8_t *text;
	size_t len;
	if (pvm_read_file(path, &text, &len, &e)) return fail("%s%s", e.msg, "");
	pvm_err err = pvm_asm_isa((const char *)text, len, isa, path, v, &e);
	free(text);
	if (err) return fail("%s%s", e.msg, "");
	if (!v->has_expected) return fail("%s: no .expect lines%s", path, "");
	return 0;
}

static int assemble(const char *path, pvm_vector *v) { return assemble_isa(path, PVM_ISA_072, v); }

/* Hex string ("-" = empty) to bytes; false on junk. */
static bool unhex(const char *s, uint8_t **out, size_t *n)
{
	size_t len = strcmp(s, "-") ? strlen(s) : 0;
	*n = 0;
	*out = malloc(len / 2 + 1);
	if (len % 2) return false;
	for (size_t i = 0; i < len; i += 2) {
		char b[3] = { s[i], s[i + 1], 0 }, *end;
		(*out)[(*n)++] = (uint8_t)strtoul(b, &end, 16);
		if (*end) return false;
	}
	return true;
}

/* A toy host: host call N does r7 += N, r8 = calls so far (counting this one), byte N mod 256
 * written at r9 when r9 != 0; then resumes at exit.next. False (why says so) when it cannot. */
static bool toy_host(pvm_state *s, const pvm_exit *x, uint64_t calls, char *why, size_t n)
{
	s->regs[7] += x->host_id;
	s->regs[8] = calls;
	uint8_t b = (uint8_t)x->host_id;
	if (s->regs[9] && !pvm_mem_poke(s->mem, (uint32_t)s->regs[9], &b, 1)) {
		snprintf(why, n, "the host write at r9 hit an unmapped page");
		return false;
	}
	s->pc = x->next;
	return true;
}

/* The perturbing host (pvm_host_perturb): every register, the gas and a memory word changed. */
static bool perturb_host(pvm_state *s, const pvm_exit *x, uint64_t calls, char *why, size_t n)
{
	(void)calls;
	if (pvm_host_perturb(s, x)) return true;
	snprintf(why, n, "out of gas at the host call");
	return false;
}

typedef bool host_fn(pvm_state *s, const pvm_exit *x, uint64_t calls, char *why, size_t n);

/* Runs FILE, answering every host call with `answer`, then resuming at exit.next. Each host-call
 * exit must sit on an `ecalli N` and name the instruction after it. */
static int host(const pvm_engine *eng, const char *path, host_fn *answer)
{
	pvm_vector v;
	if (assemble(path, &v)) return 1;
	pvm_errbuf e;
	pvm_program p;
	int rc = 1;
	if (pvm_program_decode(&p, v.program, v.program_len, path, &e)) {
		pvm_vector_fini(&v);
		return fail("%s%s", e.msg, "");
	}
	void *prep = eng->load(&p, &e);
	if (!prep) {
		pvm_program_fini(&p);
		pvm_vector_fini(&v);
		return fail("%s%s", e.msg, "");
	}
	pvm_state s;
	pvm_vector_initial_state(&v, &s);
	pvm_exit x;
	uint64_t calls = 0;
	char why[512];
	for (x = eng->run(prep, &s); x.status == PVM_HOST && calls < 1000; x = eng->run(prep, &s)) {
		pvm_inst in = pvm_decode_at(&p, s.pc);
		if (in.op != PVM_OP_ecalli || (uint32_t)in.imm != x.host_id || x.next != in.next) {
			snprintf(why, sizeof why, "host-call %u at pc %u (next %u) is not the ecalli there",
			         x.host_id, s.pc, x.next);
			fail("%s: %s", path, why);
			goto out;
		}
		calls++;
		if (!answer(&s, &x, calls, why, sizeof why)) {
			fail("%s: %s", path, why);
			goto out;
		}
	}
	if (!calls) {
		fail("%s: the program made no host call%s", path, "");
	} else if (!pvm_vector_check(&v, &s, x, why, sizeof why)) {
		fail("%s: after the host calls: %s", path, why);
	} else {
		printf("ok %s on %s: %llu host calls, then %s\n", path, eng->name, (unsigned long long)calls,
		       pvm_status_name(x.status));
		rc = 0;
	}
out:
	pvm_state_fini(&s);
	eng->free(prep);
	pvm_program_fini(&p);
	pvm_vector_fini(&v);
	return rc;
}

static void put_le(uint8_t *out, size_t *k, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) out[(*k)++] = (uint8_t)(v >> (8 * i));
}

static int write_file(const char *dir, const char *name, const uint8_t *b, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f)) return fail("cannot write %s%s", path, "");
	return 0;
}

/* argv = FILE RO RW Z S ARGS: builds a standard program container (ISA-NOTES §8) from FILE's
 * program, ro data RO and rw data RW (hex, "-" = empty), Z heap pages and an S-byte stack, and
 * loads it with argument bytes ARGS (hex). FILE's initial-state directives spell out by hand the
 * layout the loader must build (checked first), then the run must match FILE's .expect lines.
 * With outdir, also writes outdir/container.bin and outdir/args.bin for `jitproof run --args`.
 * isa 0.8.0: FILE and the container's code are 0.8.0 and every grow_heap exit is answered as the
 * GP says (pvm_grow_heap; too little gas for its base price ends the run out of gas at the ecalli),
 * then the run resumes; .expect describes the state after the last stop. */
static int container(const pvm_engine *eng, char **argv, const char *outdir, pvm_isa isa)
{
	const char *path = argv[0];
	uint8_t *ro, *rw, *args;
	size_t nro, nrw, nargs;
	char *end1, *end2;
	unsigned long z = strtoul(argv[3], &end1, 0), stack = strtoul(argv[4], &end2, 0);
	bool ok = unhex(argv[1], &ro, &nro) & unhex(argv[2], &rw, &nrw) & unhex(argv[5], &args, &nargs);
	pvm_vector v = { 0 };
	if (!ok || *end1 || *end2 || assemble_isa(path, isa, &v)) {
		free(ro), free(rw), free(args);
		return ok ? 1 : fail("bad container arguments for %s%s", path, "");
	}
	size_t n = 0, cap = 18 + nro + nrw + v.program_len;
	uint8_t *blob = pvm_xmalloc(cap);
	put_le(blob, &n, nro, 3);
	put_le(blob, &n, nrw, 3);
	put_le(blob, &n, z, 2);
	put_le(blob, &n, stack, 3);
	memcpy(blob + n, ro, nro), n += nro;
	memcpy(blob + n, rw, nrw), n += nrw;
	put_le(blob, &n, v.program_len, 4);
	memcpy(blob + n, v.program, v.program_len), n += v.program_len;

	int rc = 1;
	pvm_errbuf e;
	pvm_program p;
	pvm_state s, want;
	if (pvm_container_load_isa(blob, n, args, nargs, isa, path, &p, &s, &e)) {
		fail("%s%s", e.msg, "");
		goto out_blob;
	}
	s.gas = v.initial_gas;
	s.pc = v.initial_pc;
	pvm_vector_initial_state(&v, &want);
	want.heap_base = s.heap_base, want.heap_top = s.heap_top, want.heap_limit = s.heap_limit; /* not in .pvmasm */
	char why[512];
	pvm_exit none = { .status = PVM_HALT };
	void *prep = NULL;
	if (!pvm_state_compare("container", &s, none, "pvmasm", &want, none, why, sizeof why)) {
		fail("%s: initial layout: %s", path, why);
		goto out;
	}
	if (!(prep = eng->load(&p, &e))) {
		fail("%s%s", e.msg, "");
		goto out;
	}
	pvm_exit x = eng->run(prep, &s);
	unsigned grown = 0;
	while (pvm_host_is_grow_heap(&p, &x) && grown < 1000) {
		grown++;
		if (!pvm_grow_heap(&s)) {
			x.status = PVM_OOG;
			break;
		}
		s.pc = x.next;
		x = eng->run(prep, &s);
	}
	if (!pvm_vector_check(&v, &s, x, why, sizeof why)) {
		fail("%s: %s", path, why);
		goto out;
	}
	if (outdir && (write_file(outdir, "container.bin", blob, n) || write_file(outdir, "args.bin", args, nargs)))
		goto out;
	printf("ok %s as a standard container on %s: %s at pc %u", path, eng->name,
	       pvm_status_name(x.status), s.pc);
	if (grown) printf(" (grow_heap answered %u time%s)", grown, grown == 1 ? "" : "s");
	printf("\n");
	rc = 0;
out:
	if (prep) eng->free(prep);
	pvm_state_fini(&want);
	pvm_state_fini(&s);
	pvm_program_fini(&p);
out_blob:
	free(blob);
	free(ro), free(rw), free(args);
	pvm_vector_fini(&v);
	return rc;
}

int main(int argc, char **argv)
{
	/* case_driver-mutants (tests/validator): --mutant NAME first, then the usual arguments */
	if (argc > 2 && !strcmp(argv[1], "--mutant")) {
		if (!pvm_set_mutant(argv[2])) return fail("no mutant '%s' built in%s", argv[2], ""), 2;
		argc -= 2;
		argv += 2;
	}
	const pvm_engine *eng = argc > 2 ? engine(argv[2]) : NULL;
	if (argc > 2 && !eng) return fail("unknown engine %s%s", argv[2], ""), 2;
	if (argc == 4 && !strcmp(argv[1], "host")) return host(eng, argv[3], toy_host);
	if (argc == 4 && !strcmp(argv[1], "perturb")) return host(eng, argv[3], perturb_host);
	if ((argc == 9 || argc == 10) && !strcmp(argv[1], "container"))
		return container(eng, argv + 3, argc == 10 ? argv[9] : NULL, PVM_ISA_072);
	if ((argc == 9 || argc == 10) && !strcmp(argv[1], "container08"))
		return container(eng, argv + 3, argc == 10 ? argv[9] : NULL, PVM_ISA_080);
	fprintf(stderr, "usage: case_driver host|perturb ENGINE FILE | container|container08 ENGINE FILE RO RW Z S ARGS [OUT_DIR]\n");
	return 2;
}
