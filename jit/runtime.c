/* jit/runtime.c: runs a compiled program in a sandbox: a PROT_NONE reservation of
 * [context + jump table | 4 GiB guest memory | guard], guest pages mirrored from pvm_mem with
 * mprotect, a SIGSEGV/SIGBUS/SIGFPE handler that turns a fault in JIT code into an exit by
 * rewriting the interrupted context (no longjmp), and the exits handled in C (sbrk, host calls,
 * fault address, accesses that wrap past 2^32; gas when a run starts inside a region rather than
 * at its entry, whose prologue charges it). One sandbox per run;
 * nothing outlives a run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "jit/jit_internal.h"

enum { PAGE = PVM_PAGE };
#define GUEST_SPAN ((size_t)1 << 32)
#define GUARD_SPAN ((size_t)1 << 16)

typedef struct jit_run {
	const jit_program *jp;
	uint8_t *base, *membase;
	size_t size;
	jit_ctx *ctx;
	pvm_state *state;
	struct jit_run *prev;
} jit_run;

/* The only mutable globals: what the signal handler needs. */
static __thread jit_run *current_run;
static struct sigaction old_segv, old_bus, old_fpe;

/* A fault outside JIT code goes to the handler that was installed before ours; with none, the
 * default action is reinstated and the access faults again (and kills the process). */
static void chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = sig == SIGSEGV ? &old_segv : sig == SIGBUS ? &old_bus : &old_fpe;
	if (old->sa_flags & SA_SIGINFO) {
		if (old->sa_sigaction) {
			old->sa_sigaction(sig, si, uc);
			return;
		}
	} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	jit_run *r = current_run;
	uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t code = r ? (uintptr_t)r->jp->code : 0;
	if (!r || rip < code || rip >= code + r->jp->code_size) {
		chain(sig, si, ucv);
		return;
	}
	/* #DE (SIGFPE) in JIT code is a JIT bug (every template guards its divisor, and the validator
	 * proves the lifter's #DE exits unreachable): it ends the run as a panic at that instruction,
	 * so replay reports a divergence instead of the process dying */
	r->ctx->exit_kind = sig == SIGFPE ? JIT_EXIT_NONE : JIT_EXIT_FAULT;
	r->ctx->exit_pc = jit_host_to_guest(r->jp, rip - code);
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(code + r->jp->exit_off);
}

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static void install_handler(void)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGFPE, &sa, &old_fpe);
}

/* ---- sandbox ---------------------------------------------------------------------------------- */

/* Consecutive pages given one protection with a single mprotect. */
typedef struct page_run {
	jit_run *r;
	uint32_t first, end; /* [first, end) page numbers; empty when equal */
	int prot;
} page_run;

static void run_flush(page_run *pr)
{
	if (pr->end > pr->first)
		mprotect(pr->r->membase + (size_t)pr->first * PAGE, (size_t)(pr->end - pr->first) * PAGE, pr->prot);
	pr->first = pr->end = 0;
}

static void run_add(page_run *pr, uint32_t pn, int prot)
{
	if (pr->end > pr->first && pr->end == pn && pr->prot == prot) {
		pr->end++;
		return;
	}
	run_flush(pr);
	pr->first = pn;
	pr->end = pn + 1;
	pr->prot = prot;
}

static void open_mapped(void *pv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	(void)data;
	if (perm != PVM_NONE) run_add(pv, pn, PROT_READ | PROT_WRITE);
}

static void fill_page(void *rv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	static const uint8_t zero[PAGE];
	jit_run *r = rv;
	if (perm != PVM_NONE && memcmp(data, zero, PAGE)) /* fresh sandbox pages are zero already */
		memcpy(r->membase + (size_t)pn * PAGE, data, PAGE);
}

static void seal_read_only(void *pv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	(void)data;
	if (perm == PVM_READ) run_add(pv, pn, PROT_READ);
}

/* Reserve the sandbox and mirror the guest pages with pvm_mem's permissions (so that the fault
 * check in C agrees with the hardware). */
static bool sandbox_open(jit_run *r, const jit_program *jp, pvm_state *s)
{
	size_t jt_bytes = (size_t)jp->jt_len * 8;
	size_t prefix = (sizeof(jit_ctx) + jt_bytes + PAGE - 1) / PAGE * PAGE;
	r->jp = jp;
	r->size = prefix + GUEST_SPAN + GUARD_SPAN;
	void *base = mmap(NULL, r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) return false;
	r->base = base;
	r->membase = r->base + prefix;
	if (mprotect(r->base, prefix, PROT_READ | PROT_WRITE)) {
		munmap(base, r->size);
		return false;
	}
	r->ctx = (jit_ctx *)(r->membase - sizeof(jit_ctx));
	memcpy((uint8_t *)r->ctx - jt_bytes, jp->jt_host, jt_bytes);
	page_run pr = { .r = r };
	pvm_mem_each(s->mem, open_mapped, &pr);
	run_flush(&pr);
	pvm_mem_each(s->mem, fill_page, r);
	pvm_mem_each(s->mem, seal_read_only, &pr);
	run_flush(&pr);
	return true;
}

static void copy_back(void *rv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	jit_run *r = rv;
	(void)data;
	if (perm != PVM_WRITE) return;
	const uint8_t *at = r->membase + (size_t)pn * PAGE;
	const uint8_t *old = pvm_mem_page_c(r->state->mem, pn);
	if (old && !memcmp(old, at, PAGE)) return; /* unchanged: keep the page shared */
	uint8_t *dst = pvm_mem_page(r->state->mem, pn);
	if (dst) memcpy(dst, at, PAGE);
}

/* ---- exits handled in C ----------------------------------------------------------------------- */

/* Bytes accessed by a load/store opcode. */
static uint32_t access_size(unsigned op)
{
	if (op >= 30 && op <= 33) return 1u << (op - 30);
	if (op >= 59 && op <= 62) return 1u << (op - 59);
	if (op >= 70 && op <= 73) return 1u << (op - 70);
	if (op >= 120 && op <= 123) return 1u << (op - 120);
	if (op >= 52 && op <= 58) return 1u << ((op - 52) / 2);
	if (op >= 124 && op <= 130) return 1u << ((op - 124) / 2);
	return 0;
}

/* Guest address of the access of `in` with guest registers regs. */
static uint32_t access_addr(const pvm_inst *in, const uint64_t *regs)
{
	unsigned form = pvm_ops[in->op].form;
	uint64_t addr = in->imm;
	if (form == PVM_FORM_REG_IMM2) addr += regs[in->ra];
	if (form == PVM_FORM_REG2_IMM) addr += regs[in->rb];
	return (uint32_t)addr;
}

/* A guest access made the hardware fault. If the guest memory permits it after all, it is one
 * the single host access cannot do: it wraps past 2^32 into the guard area. Then it is done
 * here, byte by byte modulo 2^32 on the sandbox, and true is returned. */
static bool emulate_wrapping(jit_run *r, const pvm_inst *in)
{
	unsigned op = in->op, form = pvm_ops[op].form;
	uint32_t n = access_size(op), fault;
	uint64_t *regs = r->ctx->regs;
	uint32_t addr = access_addr(in, regs);
	bool store = pvm_ops[op].flags & PVM_ST;
	if (!n || !pvm_mem_check(r->state->mem, addr, n, store, &fault)) return false;
	if (store) {
		uint64_t v = form == PVM_FORM_IMM2 || form == PVM_FORM_REG_IMM2 ? in->imm2 : regs[in->ra];
		for (uint32_t i = 0; i < n; i++) r->membase[(uint32_t)(addr + i)] = (uint8_t)(v >> (8 * i));
		return true;
	}
	uint64_t v = 0;
	for (uint32_t i = 0; i < n; i++) v |= (uint64_t)r->membase[(uint32_t)(addr + i)] << (8 * i);
	bool sign = (op >= 52 && op <= 57 && (op - 52) % 2) || (op >= 124 && op <= 129 && (op - 124) % 2);
	regs[in->ra] = sign ? pvm_sext(v, n) : v;
	return true;
}

/* The faulting access of `in` (its registers unchanged): page-fault at the page of the lowest
 * offending byte, or panic below 0x10000 (DESIGN.md). */
static pvm_exit fault_exit(const pvm_state *s, const pvm_inst *in)
{
	pvm_exit x = { .status = PVM_PANIC };
	uint32_t n = access_size(in->op), fault;
	if (!n || pvm_mem_check(s->mem, access_addr(in, s->regs), n, pvm_ops[in->op].flags & PVM_ST, &fault))
		return x;
	if (fault < PVM_LOW_LIMIT) return x;
	x.status = PVM_FAULT;
	x.fault_addr = fault & ~(uint32_t)(PAGE - 1);
	return x;
}

/* sbrk at pc: allocate in the state and mirror the new pages into the sandbox. */
static void run_sbrk(jit_run *r, const pvm_inst *in)
{
	pvm_state *s = r->state;
	uint64_t size = r->ctx->regs[in->ra];
	uint64_t x = pvm_sbrk(s, size);
	if (x && size) { /* pages that were unmapped, now zero and writable: one mprotect */
		uint64_t first = x / PAGE, last = (x + size - 1) / PAGE;
		mprotect(r->membase + first * PAGE, (last - first + 1) * PAGE, PROT_READ | PROT_WRITE);
	}
	r->ctx->regs[in->rd] = x;
}

typedef void enter_fn(uint8_t *membase, const void *target);

pvm_exit jit_program_run(jit_program *jp, pvm_state *s)
{
	pvm_exit x = { .status = PVM_PANIC };
	jit_run r = { .state = s };
	pthread_once(&handler_once, install_handler);
	if (!sandbox_open(&r, jp, s)) return x; /* no address space: cannot run at all */
	size_t ss_size = 1 << 16;
	stack_t ss = { .ss_sp = pvm_xmalloc(ss_size), .ss_size = ss_size }, old_ss;
	sigaltstack(&ss, &old_ss);
	memcpy(r.ctx->regs, s->regs, sizeof s->regs);
	r.ctx->gas = s->gas;
	r.prev = current_run;
	current_run = &r;

	enter_fn *enter = (enter_fn *)(void *)(jp->code + jp->enter_off);
	uint32_t pc = s->pc;
	bool charge = true;
	for (;;) {
		const jit_row *row = jit_find_row(jp, pc);
		uint32_t at = row ? row->at.host_off : 0;
		if (charge && row && row->entry != JIT_NONE) {
			at = row->entry; /* a region entry: its own prologue charges the gas (or exits OOG) */
		} else if (charge) { /* a start inside a region, or no code at all: charge here */
			uint32_t cost = row ? row->cost : 1; /* no code here: a one-instruction trap region */
			if (r.ctx->gas < (int64_t)cost) {
				x.status = PVM_OOG;
				break;
			}
			r.ctx->gas -= cost;
		}
		if (!row) {
			x.status = PVM_PANIC;
			break;
		}
		r.ctx->exit_kind = JIT_EXIT_NONE;
		enter(r.membase, jp->code + at);
		pc = r.ctx->exit_pc;
		jit_exit_kind k = r.ctx->exit_kind;
		const pvm_inst *in = &jit_find_row(jp, pc)->inst;
		if (k == JIT_EXIT_SBRK || (k == JIT_EXIT_FAULT && emulate_wrapping(&r, in))) {
			if (k == JIT_EXIT_SBRK) run_sbrk(&r, in);
			pc = in->next; /* resume within the region: nothing more to charge */
			charge = false;
			continue;
		}
		memcpy(s->regs, r.ctx->regs, sizeof s->regs);
		if (k == JIT_EXIT_FAULT) x = fault_exit(s, in);
		else if (k == JIT_EXIT_HALT) x.status = PVM_HALT;
		else if (k == JIT_EXIT_OOG) x.status = PVM_OOG;
		else if (k == JIT_EXIT_HOST) {
			x.status = PVM_HOST;
			x.host_id = (uint32_t)in->imm;
			x.next = in->next;
		} else x.status = PVM_PANIC;
		break;
	}
	memcpy(s->regs, r.ctx->regs, sizeof s->regs);
	s->pc = pc;
	s->gas = r.ctx->gas;
	pvm_mem_each(s->mem, copy_back, &r);

	current_run = r.prev;
	if (ss.ss_sp) {
		sigaltstack(&old_ss, NULL);
		free(ss.ss_sp);
	}
	munmap(r.base, r.size);
	return x;
}

/* ---- the engine --------------------------------------------------------------------------------- */

static void *load_with(const pvm_program *p, pvm_errbuf *e, jit_features f)
{
	jit_program *jp;
	jit_err err = jit_program_new(p, f, &jp);
	if (err) {
		pvm_errf(e, "jit: %s", jit_strerror(err));
		return NULL;
	}
	return jp;
}
static void *load_cpu(const pvm_program *p, pvm_errbuf *e) { return load_with(p, e, jit_cpu_features()); }
static void *load_portable(const pvm_program *p, pvm_errbuf *e) { return load_with(p, e, jit_no_features()); }
static pvm_exit engine_run(void *jp, pvm_state *s) { return jit_program_run(jp, s); }
static void engine_free(void *jp) { jit_program_free(jp); }

const pvm_engine jit_engine = { "jit", load_cpu, engine_run, engine_free };
const pvm_engine jit_portable_engine = { "jit-portable", load_portable, engine_run, engine_free };
