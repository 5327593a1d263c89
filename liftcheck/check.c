/* liftcheck/check.c: lift-check, the lifter against the real CPU. Each form (one instruction, or a
 * short sequence) is lifted once over a symbolic state with its immediate and displacement made
 * symbolic fields, then run natively on random and edge states in a small W^X harness; every GPR,
 * every defined flag, the branch taken and the written memory must equal the lifter's terms
 * evaluated (Z3_substitute + simplify) on the same state and field values. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <capstone/capstone.h>
#include "liftcheck/liftcheck.h"
#include "pvm/pvm.h"
#include "liftcheck/util.h"

/* What the harness loads before and stores after the code under test. */
typedef struct nat {
	uint64_t gpr[16];
	uint64_t rflags;
	uint64_t host_rsp, taken, save_rax;
} nat;
enum { N_RFLAGS = 128, N_HOSTRSP = 136, N_TAKEN = 144, N_SAVERAX = 152 };
_Static_assert(offsetof(nat, rflags) == N_RFLAGS && offsetof(nat, save_rax) == N_SAVERAX, "nat layout");

/* Scratch memory the forms' memory operands point into: data in [0,128), stack in [128,256). */
enum { SCR = 256, SCR_DATA = 32, SCR_STACK = 192 };
static _Alignas(64) uint8_t scratch[SCR];
static nat nstate;
static const char *volatile cur_form; /* for the fault handler */
static sigjmp_buf de_env;
static volatile sig_atomic_t de_expected; /* a #DE (SIGFPE) is the right outcome of this run */

static void on_fault(int sig)
{
	if (sig == SIGFPE && de_expected) {
		de_expected = 0;
		siglongjmp(de_env, 1);
	}
	static const char m1[] = "lift-check: native fault (signal) in form: ";
	ssize_t r = write(2, m1, sizeof m1 - 1);
	if (cur_form) r = write(2, cur_form, strlen(cur_form));
	r = write(2, "\nlift-check: 1 mismatches (fault the lifter did not predict)\n", 62);
	(void)r;
	_exit(1);
}

typedef struct code { uint8_t b[512]; size_t n; } code;
static void put(code *c, const void *p, size_t n) { memcpy(c->b + c->n, p, n); c->n += n; }
static void put1(code *c, uint8_t v) { c->b[c->n++] = v; }
static void put32(code *c, uint32_t v) { put(c, &v, 4); }
static void put64(code *c, uint64_t v) { put(c, &v, 8); }

/* mov r, [base + d] (load) or mov [base + d], r (store) with a disp32; base is rax or rdi. */
static void mov_mem(code *c, bool load, unsigned r, unsigned base, uint32_t d)
{
	put1(c, 0x48 | (r >= 8 ? 4 : 0));
	put1(c, load ? 0x8B : 0x89);
	put1(c, 0x80 | (r & 7) << 3 | base);
	put32(c, d);
}

/* Harness, called as fn(&nstate) (rdi = &nstate):
 *   push rbx, rbp, r12-r15; mov [rdi+HOSTRSP], rsp; push [rdi+RFLAGS]; popfq
 *   mov r, [rdi+8r] for every r but rdi (rsp too: the form runs on the scratch stack); mov rdi, [rdi+56]
 *   <the form>
 * then twice (fall-through, and the taken target of a branch), with T = 0 / 1:
 *   movabs [&save_rax], rax; movabs rax, &nstate; mov [rax+8r], r for r = rcx..r15
 *   mov rsp, [rax+HOSTRSP]; pushfq; pop rcx; mov [rax+RFLAGS], rcx
 *   mov rcx, [rax+SAVERAX]; mov [rax], rcx; mov qword [rax+TAKEN], T; pop r15..rbx; ret */
static void prologue(code *c)
{
	static const uint8_t push[] = { 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57 };
	put(c, push, sizeof push);
	static const uint8_t save_rsp[] = { 0x48, 0x89, 0xA7 }; /* mov [rdi+N_HOSTRSP], rsp */
	put(c, save_rsp, 3);
	put32(c, N_HOSTRSP);
	static const uint8_t pushm[] = { 0xFF, 0xB7 };          /* push qword [rdi+N_RFLAGS]; popfq */
	put(c, pushm, 2);
	put32(c, N_RFLAGS);
	put1(c, 0x9D);
	for (unsigned r = 0; r < 16; r++)
		if (r != LIFT_RDI) mov_mem(c, true, r, LIFT_RDI, 8 * r);
	mov_mem(c, true, LIFT_RDI, LIFT_RDI, 8 * LIFT_RDI);
}

static void epilogue(code *c, uint32_t taken)
{
	put1(c, 0x48), put1(c, 0xA3), put64(c, (uint64_t)(uintptr_t)&nstate.save_rax); /* movabs [m], rax */
	put1(c, 0x48), put1(c, 0xB8), put64(c, (uint64_t)(uintptr_t)&nstate);          /* movabs rax, &nstate */
	for (unsigned r = 1; r < 16; r++) mov_mem(c, false, r, LIFT_RAX, 8 * r);
	mov_mem(c, true, LIFT_RSP, LIFT_RAX, N_HOSTRSP);
	put1(c, 0x9C), put1(c, 0x59);                /* pushfq; pop rcx */
	mov_mem(c, false, LIFT_RCX, LIFT_RAX, N_RFLAGS);
	mov_mem(c, true, LIFT_RCX, LIFT_RAX, N_SAVERAX);
	mov_mem(c, false, LIFT_RCX, LIFT_RAX, 0);
	put1(c, 0x48), put1(c, 0xC7), put1(c, 0x80), put32(c, N_TAKEN), put32(c, taken);
	static const uint8_t pop[] = { 0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, 0xC3 };
	put(c, pop, sizeof pop);
}

/* ---- random and edge values ---- */

static uint64_t rng(uint64_t *s)
{
	uint64_t x = *s += 0x9E3779B97F4A7C15ull;
	x = (x ^ x >> 30) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ x >> 27) * 0x94D049BB133111EBull;
	return x ^ x >> 31;
}

static uint64_t value(uint64_t *s)
{
	static const uint64_t edge[] = { 0, 1, 2, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		0xffffffffull, 0x80000000ull, 0x7fffffffull, 0x100000000ull, 0xffffffff80000000ull, 31, 32,
		63, 64, 65, 0xff, 0x80, 0x7f, 0xffff, 0x8000, 0xfffffffffffffffeull };
	uint64_t r = rng(s);
	switch (r % 8) {
	case 0: case 1: return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
	case 2: return (r >> 8) % 70;
	case 3: return (uint64_t)-(int64_t)((r >> 8) % 70);
	case 4: return rng(s) & 0xffffffffull;
	case 5: return 1ull << ((r >> 8) % 64);
	default: return rng(s);
	}
}

/* ---- one form ---- */

typedef struct fieldinfo { unsigned off, size; Z3_ast var; uint64_t val; bool disp; } fieldinfo;

typedef struct form_ctx {
	lift_ctx *lc;
	csh cs;                  /* Capstone, with details */
	Z3_context z;
	const lift_form *f;
	char text[256];
	cs_insn *ci[8];
	size_t nci;
	fieldinfo fld[16];
	size_t nfld;
	const cs_x86_op *memop;  /* the (single) memory operand, or NULL */
	unsigned mem_insn_off;   /* its instruction's offset in the form */
	bool branch;             /* last instruction is a rel jmp/jcc/call */
	bool ind_ret;            /* last instruction is a ret: the harness puts its target on the stack */
	int ind_reg;             /* last instruction is jmp reg (this GPR), its target set there; else -1 */
	bool reads_mem;          /* some instruction reads memory (initial memory must be concrete) */
	lift_state in;
	lift_result res;
	uint8_t *page;           /* harness */
	size_t page_len, code_off, taken_off;
} form_ctx;

static lift_err form_err(form_ctx *fc, char *errbuf, size_t errlen, lift_err e, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(errbuf, errlen, "form %s: ", fc->text);
	va_start(ap, fmt);
	if (k > 0 && (size_t)k < errlen) vsnprintf(errbuf + k, errlen - k, fmt, ap);
	va_end(ap);
	return e;
}

/* GPR index of a 64-bit Capstone register, or -1. */
static int gpr_of(x86_reg r)
{
	static const x86_reg q[16] = { X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP,
		X86_REG_RBP, X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 };
	for (int i = 0; i < 16; i++)
		if (q[i] == r) return i;
	return -1;
}
/* Decode the form, find its fields and memory operand, build the harness, lift symbolically. */
static lift_err form_open(form_ctx *fc, char *errbuf, size_t errlen)
{
	lift_ctx *lc = fc->lc;
	const lift_form *f = fc->f;
	size_t off = 0, k = 0;
	fc->text[0] = 0;
	while (off < f->len) {
		if (fc->nci == 8 || cs_disasm(fc->cs, f->bytes + off, f->len - off, off, 1, &fc->ci[fc->nci]) != 1) {
			snprintf(errbuf, errlen, "form at byte %zu does not decode", off);
			return LIFT_EDECODE;
		}
		cs_insn *ci = fc->ci[fc->nci++];
		k += snprintf(fc->text + k, k < sizeof fc->text ? sizeof fc->text - k : 0, "%s%s %s",
			      off ? "; " : "", ci->mnemonic, ci->op_str);
		if (k >= sizeof fc->text) k = sizeof fc->text - 1;
		const cs_x86 *d = &ci->detail->x86;
		bool jump = cs_insn_group(fc->cs, ci, X86_GRP_JUMP) || cs_insn_group(fc->cs, ci, X86_GRP_CALL) ||
			    cs_insn_group(fc->cs, ci, X86_GRP_RET);
		if (jump) {
			bool at_end = off + ci->size == f->len;
			if (at_end && ci->id == X86_INS_RET && d->op_count == 0) {
				fc->ind_ret = true;
			} else if (at_end && ci->id == X86_INS_JMP && d->op_count == 1 && d->operands[0].type == X86_OP_REG &&
			           d->operands[0].size == 8 && gpr_of(d->operands[0].reg) >= 0 && gpr_of(d->operands[0].reg) != LIFT_RSP) {
				fc->ind_reg = gpr_of(d->operands[0].reg);
			} else if (!at_end || d->op_count != 1 || d->operands[0].type != X86_OP_IMM || ci->id == X86_INS_RET) {
				return form_err(fc, errbuf, errlen, LIFT_EUNSUPPORTED,
						"only a rel jmp/jcc/call, a ret or a jmp reg at the end of a form can run natively");
			} else {
				fc->branch = true;
			}
		}
		for (int i = 0; i < d->op_count; i++) {
			const cs_x86_op *op = &d->operands[i];
			if (op->type != X86_OP_MEM || ci->id == X86_INS_LEA || ci->id == X86_INS_NOP) continue;
			if (fc->memop || op->mem.base == X86_REG_RIP || op->mem.base == X86_REG_INVALID ||
			    op->mem.base == op->mem.index || d->addr_size != 8 || gpr_of(op->mem.base) < 0 ||
			    (op->mem.index != X86_REG_INVALID && gpr_of(op->mem.index) < 0))
				return form_err(fc, errbuf, errlen, LIFT_EUNSUPPORTED,
						"memory operand form not supported by the native harness");
			fc->memop = op;
			fc->mem_insn_off = (unsigned)off;
			fc->reads_mem = true;
		}
		fc->reads_mem |= ci->id == X86_INS_POP || ci->id == X86_INS_RET;
		unsigned isz, dsz;
		enc_sizes(ci, &isz, &dsz);
		if (isz && !jump && fc->nfld < 16)
			fc->fld[fc->nfld++] = (fieldinfo){ (unsigned)off + d->encoding.imm_offset, isz, 0, 0, false };
		if (dsz && fc->nfld < 16)
			fc->fld[fc->nfld++] = (fieldinfo){ (unsigned)off + d->encoding.disp_offset, dsz, 0, 0, true };
		off += ci->size;
	}
	/* the harness: prologue, the form, fall-through epilogue, taken epilogue */
	code *c = pvm_xmalloc(sizeof *c);
	c->n = 0;
	prologue(c);
	fc->code_off = c->n;
	put(c, f->bytes, f->len);
	epilogue(c, 0);
	fc->taken_off = c->n;
	epilogue(c, 1);
	fc->page_len = (c->n + 4095) & ~(size_t)4095;
	fc->page = mmap(NULL, fc->page_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fc->page == MAP_FAILED) {
		free(c);
		snprintf(errbuf, errlen, "mmap failed");
		return LIFT_EARG;
	}
	memcpy(fc->page, c->b, c->n);
	free(c);
	uint64_t base = (uint64_t)(uintptr_t)fc->page + fc->code_off;
	if (fc->branch) { /* point the rel32/rel8 at the taken epilogue */
		cs_insn *ci = fc->ci[fc->nci - 1];
		const cs_x86 *d = &ci->detail->x86;
		size_t at = fc->code_off + (ci->address) + d->encoding.imm_offset;
		int64_t rel = (int64_t)fc->taken_off - (int64_t)(fc->code_off + f->len);
		unsigned isz, dsz;
		enc_sizes(ci, &isz, &dsz);
		if (isz == 4) {
			int32_t r32 = (int32_t)rel;
			memcpy(fc->page + at, &r32, 4);
		} else if (rel <= 127) {
			fc->page[at] = (uint8_t)rel;
		} else {
			return form_err(fc, errbuf, errlen, LIFT_EUNSUPPORTED, "rel8 branch cannot reach the harness exit");
		}
	}
	/* lift the harness's copy at its real address, fields symbolic */
	Z3_context z = fc->z;
	lift_field lf[16];
	for (size_t i = 0; i < fc->nfld; i++) {
		char name[32];
		snprintf(name, sizeof name, "fld%zu", i);
		fc->fld[i].var = Z3_mk_const(z, Z3_mk_string_symbol(z, name), bvs(z, 8 * fc->fld[i].size));
		lf[i] = (lift_field){ fc->fld[i].off, (uint8_t)fc->fld[i].size, fc->fld[i].var };
	}
	lift_state_fresh(lc, &fc->in, "s");
	lift_err e = lift_block(lc, fc->page + fc->code_off, f->len, base, lf, fc->nfld, &fc->in, &fc->res);
	if (e) {
		snprintf(errbuf, errlen, "form %s: %s", fc->text, lift_errmsg(lc));
		return e;
	}
	if (mprotect(fc->page, fc->page_len, PROT_READ | PROT_EXEC)) {
		snprintf(errbuf, errlen, "mprotect failed");
		return LIFT_EARG;
	}
	return LIFT_OK;
}

static void form_close(form_ctx *fc)
{
	lift_result_fini(&fc->res);
	if (fc->page && fc->page != MAP_FAILED) munmap(fc->page, fc->page_len);
	for (size_t i = 0; i < fc->nci; i++) cs_free(fc->ci[i], 1);
}

static uint64_t get_reg(const nat *n, x86_reg r, bool *ok)
{
	int i = gpr_of(r);
	*ok = i >= 0;
	return i >= 0 ? n->gpr[i] : 0;
}

/* Random state for the form: fields, registers, flags, scratch; memory operand and rsp aimed at
 * the scratch buffer. div: 1 or 2 biases rdx (see below). */
static bool make_state(form_ctx *fc, uint64_t *seed, nat *n, int div)
{
	for (int i = 0; i < 16; i++) n->gpr[i] = value(seed);
	if (div) /* aim at a quotient that fits: rdx 0 or the sign fill of rax */
		n->gpr[LIFT_RDX] = div == 1 ? 0 : (uint64_t)((int64_t)n->gpr[LIFT_RAX] >> 63);
	n->rflags = 0x202 | (rng(seed) & 0x8D5);
	for (size_t i = 0; i < SCR; i++) scratch[i] = (uint8_t)rng(seed);
	n->gpr[LIFT_RSP] = (uint64_t)(uintptr_t)scratch + SCR_STACK + 8 * (rng(seed) % 4);
	for (size_t i = 0; i < fc->nfld; i++) {
		uint64_t v = value(seed);
		fc->fld[i].val = fc->fld[i].size == 8 ? v : v & ((1ull << 8 * fc->fld[i].size) - 1);
	}
	/* an indirect jump goes to the harness's taken epilogue: its register, or the stack slot ret pops */
	uint64_t taken = (uint64_t)(uintptr_t)fc->page + fc->taken_off;
	if (fc->ind_reg >= 0) n->gpr[fc->ind_reg] = taken;
	if (fc->ind_ret) memcpy(scratch + (n->gpr[LIFT_RSP] - (uint64_t)(uintptr_t)scratch), &taken, 8);
	if (fc->memop && fc->memop->mem.base == X86_REG_RSP) {
		/* [rsp + index*scale + disp]: rsp stays in the stack area, the index is 0, disp small */
		const x86_op_mem *m = &fc->memop->mem;
		if (m->index != X86_REG_INVALID) n->gpr[gpr_of(m->index)] = 0;
		for (size_t i = 0; i < fc->nfld; i++)
			if (fc->fld[i].disp && fc->fld[i].off >= fc->mem_insn_off) {
				uint64_t d = (uint64_t)(8 * (int64_t)(rng(seed) % 4) - 16);
				fc->fld[i].val = fc->fld[i].size == 8 ? d : d & ((1ull << 8 * fc->fld[i].size) - 1);
			}
	} else if (fc->memop) {
		const x86_op_mem *m = &fc->memop->mem;
		uint64_t target = (uint64_t)(uintptr_t)scratch + SCR_DATA + rng(seed) % 48;
		uint64_t disp = (uint64_t)m->disp;
		for (size_t i = 0; i < fc->nfld; i++)
			if (fc->fld[i].disp && fc->fld[i].off >= fc->mem_insn_off) {
				unsigned w = 8 * fc->fld[i].size;
				disp = w == 64 ? fc->fld[i].val : (uint64_t)((int64_t)(fc->fld[i].val << (64 - w)) >> (64 - w));
			}
		bool ok;
		uint64_t idx = m->index != X86_REG_INVALID ? get_reg(n, m->index, &ok) * (uint64_t)m->scale : 0;
		int b = gpr_of(m->base);
		if (b < 0) return false;
		n->gpr[b] = target - idx - disp;
	}
	return true;
}

typedef struct tally { size_t runs, mismatches, skipped, undefined, de_checked; } tally;

static void report(form_ctx *fc, tally *t, FILE *log, bool verbose, const nat *in, const char *what,
		   uint64_t want, uint64_t got)
{
	if (t->mismatches++ < 20 || verbose) {
		fprintf(log, "MISMATCH %s: %s: lifter 0x%llx, cpu 0x%llx\n  state:", fc->text, what,
			(unsigned long long)want, (unsigned long long)got);
		for (int i = 0; i < 16; i++) fprintf(log, " %s=0x%llx", lift_reg_names[i], (unsigned long long)in->gpr[i]);
		fprintf(log, " rflags=0x%llx", (unsigned long long)in->rflags);
		for (size_t i = 0; i < fc->nfld; i++) fprintf(log, " field%zu=0x%llx", i, (unsigned long long)fc->fld[i].val);
		fputc('\n', log);
	}
}

/* Evaluate term a under the substitution; false if it is not a numeral (depends on an undefined value). */
static bool eval(Z3_context z, Z3_ast a, unsigned n, Z3_ast *from, Z3_ast *to, uint64_t *v)
{
	Z3_ast r = Z3_simplify(z, Z3_substitute(z, a, n, from, to));
	if (Z3_get_sort_kind(z, Z3_get_sort(z, r)) == Z3_BOOL_SORT) {
		Z3_lbool b = Z3_get_bool_value(z, r);
		*v = b == Z3_L_TRUE;
		return b != Z3_L_UNDEF;
	}
	return is_num(z, r, v);
}

/* Apply the lifter's memory writes (the store chain of mem over the initial memory) to want.
 * Merged memories (ite) fall back to reading every scratch byte. */
static bool predict_mem(form_ctx *fc, Z3_ast mem, unsigned ns, Z3_ast *from, Z3_ast *to, uint8_t *want, tally *t)
{
	Z3_context z = fc->z;
	Z3_ast chain[64];
	size_t n = 0;
	while (!Z3_is_eq_ast(z, mem, fc->in.mem)) {
		Z3_app app = Z3_to_app(z, mem);
		if (Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) != Z3_OP_STORE || n == 64) {
			Z3_ast m = Z3_simplify(z, Z3_substitute(z, mem, ns, from, to));
			for (size_t i = 0; i < SCR; i++) {
				uint64_t v;
				Z3_ast a = bvn(z, 64, (uint64_t)(uintptr_t)scratch + i);
				if (is_num(z, Z3_simplify(z, Z3_mk_select(z, m, a)), &v)) want[i] = (uint8_t)v;
				else t->undefined++;
			}
			return true;
		}
		chain[n++] = mem;
		mem = Z3_get_app_arg(z, app, 0);
	}
	while (n--) {
		Z3_app app = Z3_to_app(z, chain[n]);
		uint64_t a, v;
		if (!eval(z, Z3_get_app_arg(z, app, 1), ns, from, to, &a) ||
		    !eval(z, Z3_get_app_arg(z, app, 2), ns, from, to, &v)) {
			t->undefined++;
			continue;
		}
		uint64_t lo = (uint64_t)(uintptr_t)scratch;
		if (a - lo >= SCR) {
			fprintf(stderr, "lift-check: form %s: lifter writes outside the scratch memory (0x%llx)\n",
				fc->text, (unsigned long long)a);
			t->mismatches++;
			return false;
		}
		want[a - lo] = (uint8_t)v;
	}
	return true;
}

/* Run the harness on nstate expecting #DE: true when it faulted. */
static __attribute__((noinline)) bool raises_de(void (*fn)(nat *))
{
	de_expected = 1;
	if (sigsetjmp(de_env, 1)) return true;
	fn(&nstate);
	de_expected = 0;
	return false;
}

/* Write the field values into the harness copy of the form. */
static void patch_fields(form_ctx *fc)
{
	if (!fc->nfld) return;
	mprotect(fc->page, fc->page_len, PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < fc->nfld; i++)
		memcpy(fc->page + fc->code_off + fc->fld[i].off, &fc->fld[i].val, fc->fld[i].size);
	mprotect(fc->page, fc->page_len, PROT_READ | PROT_EXEC);
}

/* Run one state natively and against the lifter; states where the lifter predicts #DE are run
 * too (the CPU must raise it) and another state is drawn for the value comparison. */
static void check_state(form_ctx *fc, uint64_t *seed, tally *t, FILE *log, bool verbose, void (*fn)(nat *))
{
	Z3_context z = fc->z;
	nat in;
	uint8_t scr0[SCR];
	Z3_ast from[16 + LIFT_NFLAG + 1 + 16], to[16 + LIFT_NFLAG + 1 + 16];
	unsigned ns = 0;
	const lift_exit *ex = NULL;
	for (int tries = 0; tries < 32 && !ex; tries++) {
		if (!make_state(fc, seed, &in, tries < 8 ? 0 : 1 + tries % 2)) break;
		memcpy(scr0, scratch, SCR);
		ns = 0;
		for (int i = 0; i < 16; i++) from[ns] = fc->in.gpr[i], to[ns++] = bvn(z, 64, in.gpr[i]);
		for (int i = 0; i < LIFT_NFLAG; i++)
			from[ns] = fc->in.flag[i], to[ns++] = bvn(z, 1, in.rflags >> lift_flag_bit[i] & 1);
		if (fc->reads_mem) {
			Z3_ast mem = Z3_mk_const_array(z, bvs(z, 64), bvn(z, 8, 0));
			for (size_t i = SCR_DATA - 8; i < SCR; i++)
				if (i < SCR_DATA + 64 || i >= SCR_STACK - 16)
					mem = Z3_mk_store(z, mem, bvn(z, 64, (uint64_t)(uintptr_t)scratch + i),
							  bvn(z, 8, scratch[i]));
			from[ns] = fc->in.mem, to[ns++] = mem;
		}
		for (size_t i = 0; i < fc->nfld; i++)
			from[ns] = fc->fld[i].var, to[ns++] = bvn(z, 8 * fc->fld[i].size, fc->fld[i].val);
		for (size_t k = 0; k < fc->res.nexits && !ex; k++) {
			uint64_t c;
			if (eval(z, fc->res.exits[k].cond, ns, from, to, &c) && c) ex = &fc->res.exits[k];
		}
		if (ex && ex->kind == LIFT_EXIT_DE) {
			/* the lifter predicts #DE: the CPU must fault too (then look for another state) */
			ex = NULL;
			if (tries >= 4) continue;
			patch_fields(fc);
			nstate = in;
			if (!raises_de(fn)) report(fc, t, log, verbose, &in, "#DE predicted, the CPU did not fault", 1, 0);
			t->de_checked++;
		}
	}
	if (!ex) {
		t->skipped++;
		return;
	}
	patch_fields(fc);
	nstate = in;
	nstate.taken = 2;
	fn(&nstate);
	t->runs++;
	uint64_t taken_addr = (uint64_t)(uintptr_t)fc->page + fc->taken_off;
	bool lifter_taken = ex->kind == LIFT_EXIT_JUMP || ex->kind == LIFT_EXIT_CALL || ex->kind == LIFT_EXIT_INDIRECT;
	if (ex->kind != LIFT_EXIT_FALL && !lifter_taken) {
		report(fc, t, log, verbose, &in, "exit kind", ex->kind, nstate.taken);
		return;
	}
	if (lifter_taken != (nstate.taken == 1)) report(fc, t, log, verbose, &in, "branch taken", lifter_taken, nstate.taken);
	uint64_t target = ex->target;
	if (ex->kind == LIFT_EXIT_INDIRECT && !eval(z, ex->target_term, ns, from, to, &target)) t->undefined++;
	else if (lifter_taken && target != taken_addr) report(fc, t, log, verbose, &in, "branch target", target, taken_addr);
	for (int i = 0; i < 16; i++) {
		uint64_t v;
		char what[32];
		if (Z3_is_eq_ast(z, ex->st.gpr[i], fc->in.gpr[i])) v = in.gpr[i];
		else if (!eval(z, ex->st.gpr[i], ns, from, to, &v)) { t->undefined++; continue; }
		snprintf(what, sizeof what, "%s", lift_reg_names[i]);
		if (v != nstate.gpr[i]) report(fc, t, log, verbose, &in, what, v, nstate.gpr[i]);
	}
	for (int i = 0; i < LIFT_NFLAG; i++) {
		uint64_t v;
		if (Z3_is_eq_ast(z, ex->st.flag[i], fc->in.flag[i])) v = in.rflags >> lift_flag_bit[i] & 1;
		else if (!eval(z, ex->st.flag[i], ns, from, to, &v)) { t->undefined++; continue; }
		uint64_t cpu = nstate.rflags >> lift_flag_bit[i] & 1;
		if (v != cpu) report(fc, t, log, verbose, &in, lift_flag_names[i], v, cpu);
	}
	uint8_t want[SCR];
	memcpy(want, scr0, SCR);
	if (!predict_mem(fc, ex->st.mem, ns, from, to, want, t)) return;
	for (size_t i = 0; i < SCR; i++)
		if (want[i] != scratch[i]) {
			char what[48];
			snprintf(what, sizeof what, "memory byte scratch+%zu", i);
			report(fc, t, log, verbose, &in, what, want[i], scratch[i]);
		}
}

lift_err lift_check_forms(const lift_form *forms, size_t nforms, const lift_check_opts *opts,
			  FILE *log, lift_check_report *rep, char *errbuf, size_t errlen)
{
	memset(rep, 0, sizeof *rep);
	struct sigaction sa = { 0 }, old_fpe, old_segv, old_ill, old_bus;
	static uint8_t altstack[1 << 16];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack }, old_ss;
	sigaltstack(&ss, &old_ss); /* the harness runs on a 256-byte stack: signals go elsewhere */
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGFPE, &sa, &old_fpe);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGILL, &sa, &old_ill);
	sigaction(SIGBUS, &sa, &old_bus);
	uint64_t seed = opts->seed ? opts->seed : 0x6a697470726f6f66ull;
	lift_err err = LIFT_OK;
	csh cs;
	bool cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &cs) == CS_ERR_OK;
	if (!cs_ok) {
		snprintf(errbuf, errlen, "capstone: cannot open");
		err = LIFT_EARG;
	} else cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	for (size_t k = 0; k < nforms && !err; k++) {
		Z3_config cfg = Z3_mk_config();
		Z3_context z = Z3_mk_context(cfg);
		Z3_del_config(cfg);
		lift_ctx *lc = lift_new(z);
		if (!lc) {
			snprintf(errbuf, errlen, "capstone: cannot open");
			Z3_del_context(z);
			err = LIFT_EARG;
			break;
		}
		if ((err = lift_set_break(lc, opts->break_rule))) {
			snprintf(errbuf, errlen, "%s", lift_errmsg(lc));
		} else {
			form_ctx fc = { .lc = lc, .cs = cs, .z = z, .f = &forms[k], .ind_reg = -1 };
			err = form_open(&fc, errbuf, errlen);
			if (!err) {
				tally t = { 0 };
				cur_form = fc.text;
				void (*fn)(nat *);
				void *entry = fc.page;
				memcpy(&fn, &entry, sizeof fn);
				for (unsigned s = 0; s < opts->states; s++) check_state(&fc, &seed, &t, log, opts->verbose, fn);
				cur_form = NULL;
				if (opts->verbose || t.mismatches)
					fprintf(log, "form %-44s %zu states (+%zu #DE runs, %zu skipped), %zu undefined values, %zu mismatches\n",
						fc.text, t.runs, t.de_checked, t.skipped, t.undefined, t.mismatches);
				rep->forms++;
				rep->states += t.runs + t.de_checked;
				rep->skipped += t.skipped;
				rep->de_runs += t.de_checked;
				rep->mismatches += t.mismatches;
			}
			form_close(&fc);
		}
		lift_free(lc);
		Z3_del_context(z);
	}
	if (cs_ok) cs_close(&cs);
	sigaction(SIGFPE, &old_fpe, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGILL, &old_ill, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	sigaltstack(&old_ss, NULL);
	return err;
}

static const lift_form builtin[] = {
#define FORM(text, ...) { { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }) },
#include "forms.def"
#undef FORM
};

size_t lift_builtin_forms(const lift_form **out)
{
	*out = builtin;
	return sizeof builtin / sizeof builtin[0];
}
