/* liftcheck/jitforms.c: the instruction forms the JIT emits, for lift-check: every template is
 * emitted (jit_emit_template) and decoded, and so are the trampolines (jit_tramp_emit); each
 * instruction is reduced to a form key. */
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>
#include "jit/jit_internal.h"
#include "liftcheck/liftcheck.h"
#include "liftcheck/util.h"

/* One token per register: rax/rcx/rdx/rsp (implicit operands of div, shifts, push) by name,
 * every other GPR by its order of first appearance in the instruction; high bytes marked. */
static void reg_token(char *s, size_t n, x86_reg r, int *seen, int *nseen)
{
	bool hi;
	int g = lift_reg_index(r, &hi);
	if (r == X86_REG_INVALID) { snprintf(s, n, "-"); return; }
	if (g < 0) { snprintf(s, n, "?%d", (int)r); return; }
	if (g == LIFT_RAX || g == LIFT_RCX || g == LIFT_RDX || g == LIFT_RSP) {
		snprintf(s, n, "%s%s", lift_reg_names[g], hi ? "h" : "");
		return;
	}
	int k = 0;
	for (; k < *nseen && seen[k] != g; k++) {}
	if (k == *nseen) seen[(*nseen)++] = g;
	snprintf(s, n, "%c%s", 'a' + k, hi ? "h" : "");
}

static void form_key(const cs_insn *ci, char *key, size_t n)
{
	const cs_x86 *d = &ci->detail->x86;
	unsigned isz, dsz;
	enc_sizes(ci, &isz, &dsz);
	int k = snprintf(key, n, "%u:%02x:", ci->id, d->prefix[2]);
	int seen[8], nseen = 0;
	for (int i = 0; i < d->op_count && (size_t)k < n; i++) {
		const cs_x86_op *op = &d->operands[i];
		char a[16], b[16];
		switch (op->type) {
		case X86_OP_REG:
			reg_token(a, sizeof a, op->reg, seen, &nseen);
			k += snprintf(key + k, n - k, "r%u%s,", op->size, a);
			break;
		case X86_OP_IMM:
			k += snprintf(key + k, n - k, "i%u,", isz);
			break;
		case X86_OP_MEM:
			reg_token(a, sizeof a, op->mem.base, seen, &nseen);
			reg_token(b, sizeof b, op->mem.index, seen, &nseen);
			k += snprintf(key + k, n - k, "m%u[%s+%s*%d+d%u],", op->size, a, b, op->mem.scale, dsz);
			break;
		default:
			k += snprintf(key + k, n - k, "?,");
		}
	}
}

/* Open-addressing set of form keys. */
typedef struct kset { char (*k)[96]; size_t cap, n; } kset;

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

static bool kset_add(kset *s, const char *key)
{
	if (2 * (s->n + 1) > s->cap) {
		kset t = { pvm_xcalloc(s->cap ? 2 * s->cap : 1024, 96), s->cap ? 2 * s->cap : 1024, 0 };
		for (size_t i = 0; i < s->cap; i++)
			if (s->k[i][0]) kset_add(&t, s->k[i]);
		free(s->k);
		*s = t;
	}
	size_t i = hash(key) & (s->cap - 1);
	for (; s->k[i][0]; i = (i + 1) & (s->cap - 1))
		if (!strcmp(s->k[i], key)) return false;
	snprintf(s->k[i], 96, "%s", key);
	s->n++;
	return true;
}

/* The forms of code[0, len) not seen yet, appended to *forms (n of cap). */
typedef struct formlist { lift_form *v; size_t n, cap; kset set; } formlist;
static void scan_forms(csh cs, const uint8_t *code, size_t len, formlist *fl)
{
	for (size_t off = 0; off < len;) {
		cs_insn *c;
		if (cs_disasm(cs, code + off, len - off, off, 1, &c) != 1) break;
		char key[96];
		form_key(c, key, sizeof key);
		if (kset_add(&fl->set, key) && c->size <= sizeof fl->v->bytes) {
			if (fl->n == fl->cap) fl->v = pvm_xrealloc(fl->v, (fl->cap *= 2) * sizeof *fl->v);
			memcpy(fl->v[fl->n].bytes, c->bytes, c->size);
			fl->v[fl->n++].len = c->size;
		}
		off += c->size;
		cs_free(c, 1);
	}
}

size_t lift_jit_forms(lift_form **out, size_t *templates)
{
	csh cs;
	formlist fl = { .v = pvm_xmalloc(256 * sizeof *fl.v), .cap = 256 };
	jit_tpl *t = pvm_xmalloc(sizeof *t);
	*templates = 0;
	*out = NULL;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		free(fl.v);
		free(t);
		return 0;
	}
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	static const uint64_t imms[] = { 5, 0xffffffff80000000ull, 63 };
	const jit_features feats[2] = { { true, true, true, true }, { false, false, false, false } };
	for (size_t k = 0; k < PVM_NUM_OPCODES; k++) {
		unsigned op = pvm_isa_ops(PVM_ISA_072)[k], used = pvm_form_regs(pvm_ops[op].form);
		jit_imm_class cls[8];
		size_t ncls = jit_op_classes(op, cls, 8);
		for (unsigned r = 0; r < 13 * 13 * 13; r++) {
			unsigned ra = r % 13, rb = r / 13 % 13, rd = r / 169;
			if ((!(used & 1) && ra) || (!(used & 2) && rb) || (!(used & 4) && rd)) continue;
			for (size_t fi = 0; fi < 2; fi++)
				for (size_t ci = 0; ci < ncls; ci++)
					for (size_t ii = 0; ii < sizeof imms / sizeof imms[0]; ii++) {
						pvm_inst in = { .op = (uint8_t)op, .ra = (uint8_t)ra, .rb = (uint8_t)rb,
								.rd = (uint8_t)rd, .pc = 100, .next = 110, .target = 200,
								.imm = imms[ii], .imm2 = imms[(ii + 1) % 3] };
						if (!jit_class_holds(cls[ci], in.imm, in.imm2)) continue;
						if (jit_emit_template(&in, cls[ci], feats[fi], t) != JIT_OK) continue;
						(*templates)++;
						scan_forms(cs, t->bytes, t->len, &fl);
					}
		}
	}
	/* the fused pairs' code (jit.h § fusions): every register assignment, s, order, feature set */
	for (unsigned r = 0; r < 13 * 13 * 13; r++)
		for (unsigned sh = 1; sh <= 3; sh++)
			for (unsigned ord = 0; ord < 2; ord++)
				for (size_t fi = 0; fi < 2; fi++) {
					uint8_t x = (uint8_t)(r % 13), a = (uint8_t)(r / 13 % 13), b = (uint8_t)(r / 169);
					pvm_inst h = { .op = PVM_OP_shlo_l_imm_64, .ra = x, .rb = a, .imm = sh, .pc = 100, .next = 103 };
					pvm_inst s = { .op = PVM_OP_add_64, .rd = x, .ra = ord ? b : x, .rb = ord ? x : b, .pc = 103, .next = 106 };
					if (jit_emit_fused(&h, &s, feats[fi], t) != JIT_OK) continue;
					(*templates)++;
					scan_forms(cs, t->bytes, t->len, &fl);
				}
	/* the trampolines (enter, the common exit, the stubs: jit_tramp_emit) of both feature sets; the
	 * out-of-gas stubs' add rsp, cost with an imm8 and an imm32 cost among them */
	for (size_t fi = 0; fi < 2; fi++) {
		jit_tramp tr;
		if (jit_tramp_emit(feats[fi], &tr) != JIT_OK) continue;
		(*templates)++;
		scan_forms(cs, tr.bytes, tr.len, &fl);
	}
	/* the gas prologues (sub rsp, cost ; jl), with an imm8 and an imm32 cost */
	for (uint32_t cost = 5; cost <= 1000; cost += 995) {
		uint8_t code[64];
		jit_exit ex[2];
		jit_em e = { .b = { .p = code, .cap = sizeof code }, .exits = ex, .cap_exits = 2, .fixed_exits = true };
		size_t field;
		jit_em_prologue(&e, 0, cost, &field);
		if (e.b.err) continue;
		(*templates)++;
		scan_forms(cs, code, e.b.len, &fl);
	}
	cs_close(&cs);
	free(fl.set.k);
	free(t);
	*out = fl.v;
	return fl.n;
}
