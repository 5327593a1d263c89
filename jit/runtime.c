/* jit/runtime.c: runs a compiled program in a sandbox: a PROT_NONE reservation of
 * [context + jump table | 4 GiB guest memory | guard], guest pages mirrored from pvm_mem with
 * mprotect, a SIGSEGV/SIGBUS/SIGFPE handler that turns a fault in JIT code into an exit by
 * rewriting the interrupted context (no longjmp), and the exits handled in C (sbrk, host calls,
 * fault address, accesses that wrap past 2^32; gas when a run starts inside a region rather than
 * at its entry, whose prologue charges it). A thread keeps the reservation of its last run, with
 * the shadow of what that run left open, and its signal stack; its next run's sandbox_open makes
 * the reservation what a fresh one would be after mirroring the state: every page the state maps
 * open with its permission and bytes, every other page closed and zero (dropped with
 * MADV_DONTNEED), the prefix zero but for the context and the jump table. Nothing else of a run
 * outlives it but the shadow of its page protections (every guest-page mprotect goes through
 * sb_protect). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include "jit/jit_internal.h"
#include "pvm/mutant.h"

enum { PAGE = PVM_PAGE };
#define GUEST_SPAN ((size_t)1 << 32)
#define GUARD_SPAN ((size_t)1 << 16)

typedef struct jit_run {
	jit_program *jp;
	uint8_t *base, *membase;
	size_t size;
	jit_ctx *ctx;
	pvm_state *state;
	uint32_t stop_pc;            /* the instruction step_begin's int3 stops at (per-instruction gas) */
	bool limited;                /* the thread's run limit is armed for this run (run_limit_arm) */
	volatile sig_atomic_t limit_hit; /* and its signal came: the run ends as PVM_LIMIT */
	struct jit_run *prev;
} jit_run;

/* The only mutable globals: what the signal handler needs. */
static __thread jit_run *current_run;
static struct sigaction old_segv, old_bus, old_fpe, old_trap;
static int64_t gas_cap = (int64_t)1 << 46; /* the most gas JIT code gets at once (gas_bank) */

/* A fault outside JIT code goes to the handler that was installed before ours; with none, the
 * default action is reinstated and the access faults again (and kills the process). */
static void chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *old = sig == SIGSEGV ? &old_segv : sig == SIGBUS ? &old_bus :
	                              sig == SIGTRAP ? &old_trap : &old_fpe;
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
	if (sig == SIGTRAP) { /* the int3 of a region paid instruction by instruction (step_begin) */
		r->ctx->exit_kind = JIT_EXIT_OOG;
		r->ctx->exit_pc = r->stop_pc; /* the row it patched (rows may share its offset: an empty
		                               * template, a fused pair's head) */
	} else {
		/* a SIGSEGV or SIGBUS that is not an access to the sandbox (si_addr outside the
		 * reservation: the kernel's own, as when a return to user mode faulted) is no guest
		 * fault: a panic, as a #DE */
		uintptr_t a = (uintptr_t)si->si_addr, base = (uintptr_t)r->base;
		bool guest = sig != SIGFPE && a >= base && a - base < r->size;
		r->ctx->exit_kind = guest ? JIT_EXIT_FAULT : JIT_EXIT_NONE;
		r->ctx->exit_pc = jit_host_to_guest(r->jp, rip - code);
	}
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(code + r->jp->exit_off);
}

/* The run limit (pvm_set_run_limit): a timer on the thread's CPU time, armed by a run that has a
 * limit, sends JIT_SIG_LIMIT to the thread. Where JIT code runs past the trampolines, the handler
 * sends it to the common exit (as on_fault does: JIT code keeps nothing on a stack, so any of its
 * instructions can be left that way; the entry trampoline cannot, before it has saved rsp) and the
 * run ends with PVM_LIMIT; anywhere else (C code of the run, a trampoline) it marks the run and
 * fires again 1 ms later, so a run that goes back into JIT code after its last check is still
 * stopped. The signal is never held (signals_for_jit): its handler runs on the signal stack. */
#define JIT_SIG_LIMIT (SIGRTMIN + 3)
static void run_limit_arm(uint64_t ns);
static void on_limit(int sig, siginfo_t *si, void *ucv)
{
	(void)sig, (void)si;
	jit_run *r = current_run;
	if (!r || !r->limited) return; /* (a late signal: the run it was for has ended) */
	r->limit_hit = 1;
	ucontext_t *uc = ucv;
	uintptr_t rip = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP], code = (uintptr_t)r->jp->code;
	if (rip >= code + r->jp->tramp_end && rip < code + r->jp->code_size) {
		r->ctx->exit_kind = JIT_EXIT_NONE;
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(code + r->jp->exit_off);
	} else {
		int e = errno; /* (timer_settime is async-signal-safe; errno is the code's it interrupted) */
		run_limit_arm(1000000);
		errno = e;
	}
}

/* The reservation a thread keeps between runs (sandbox_open takes it, sandbox_close gives it
 * back) with the shadow of its protections: the pages a run left open keep their bytes until
 * the next run's sandbox_open rewrites or drops them. Freed when the thread ends. */
typedef struct sb_cache {
	uint8_t *base;
	size_t size, prefix;
	jit_perms open;
	void *ss;              /* the thread's signal stack, installed by its first run */
	stack_t old_ss;        /* the one it replaced, put back when the thread ends */
	sigset_t hold;         /* the signals held back while JIT code runs (signals_for_jit) */
	timer_t limit_timer;   /* the run limit's, made by the thread's first run with a limit */
	bool has_timer;
} sb_cache;
static __thread sb_cache *kept;
static pthread_key_t kept_key;

static void kept_free(void *cv)
{
	sb_cache *c = cv;
	if (c->base) munmap(c->base, c->size);
	if (c->ss) {
		sigaltstack(&c->old_ss, NULL);
		free(c->ss);
	}
	if (c->has_timer) timer_delete(c->limit_timer);
	free(c->open.v);
	free(c);
}

static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static void install_handler(void)
{
	const char *cap = getenv("JITPROOF_GAS_CAP"); /* (test aid: gas_bank's share, 1 to 2^46) */
	if (cap && strtoll(cap, NULL, 0) > 0 && strtoll(cap, NULL, 0) < gas_cap) gas_cap = strtoll(cap, NULL, 0);
	pthread_key_create(&kept_key, kept_free);
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGFPE, &sa, &old_fpe);
	sigaction(SIGTRAP, &sa, &old_trap);
	sa.sa_sigaction = on_limit;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigaction(JIT_SIG_LIMIT, &sa, NULL);
}

/* Arm (ns > 0: fire once after ns of the thread's CPU time from now) or disarm (0) the thread's
 * run-limit timer; false when it cannot be made (the run then has no limit). */
static bool run_limit_timer(uint64_t ns)
{
	if (!kept->has_timer) {
		if (!ns) return true;
		struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = JIT_SIG_LIMIT };
		ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
		if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &kept->limit_timer) != 0) return false;
		kept->has_timer = true;
	}
	struct itimerspec it = { .it_value = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) } };
	return timer_settime(kept->limit_timer, 0, &it, NULL) == 0;
}
static void run_limit_arm(uint64_t ns)
{
	if (kept && kept->has_timer) run_limit_timer(ns);
}

/* ---- the shadow of the sandbox's page protections ----------------------------------------------- */

pvm_perm jit_perms_get(const jit_perms *p, uint32_t page)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) { /* first run ending after page */
		size_t mid = (lo + hi) / 2;
		if (p->v[mid].end <= page) lo = mid + 1;
		else hi = mid;
	}
	return lo < p->n && p->v[lo].first <= page ? p->v[lo].perm : PVM_NONE;
}

void jit_perms_each(const jit_perms *p, void (*fn)(void *ctx, uint32_t first, uint32_t end, pvm_perm perm),
                    void *ctx)
{
	for (size_t i = 0; i < p->n; i++) fn(ctx, p->v[i].first, p->v[i].end, p->v[i].perm);
}

/* Record [first, end) as perm: the runs outside it are kept, runs of equal perm merged. */
static void perms_set(jit_perms *p, uint32_t first, uint32_t end, pvm_perm perm)
{
	if (p->n + 2 > p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->v = pvm_xrealloc(p->v, p->cap * sizeof *p->v);
	}
	jit_prot_run out[3];
	size_t i = 0, k = 0;
	while (i < p->n && p->v[i].end <= first) i++; /* runs wholly before stay */
	size_t lo = i;
	if (i < p->n && p->v[i].first < first) out[k++] = (jit_prot_run){ p->v[i].first, first, p->v[i].perm };
	if (perm != PVM_NONE) out[k++] = (jit_prot_run){ first, end, perm };
	while (i < p->n && p->v[i].end <= end) i++;   /* runs wholly inside go */
	if (i < p->n && p->v[i].first < end) out[k++] = (jit_prot_run){ end, p->v[i].end, p->v[i].perm }, i++;
	size_t tail = p->n - i;
	memmove(p->v + lo + k, p->v + i, tail * sizeof *p->v);
	memcpy(p->v + lo, out, k * sizeof *out);
	p->n = lo + k + tail;
	/* merge neighbours with the same protection around the change */
	size_t from = lo ? lo - 1 : 0, to = lo + k + 1 < p->n ? lo + k + 1 : p->n;
	for (size_t j = from; j + 1 < to;) {
		if (p->v[j].end == p->v[j + 1].first && p->v[j].perm == p->v[j + 1].perm) {
			p->v[j].end = p->v[j + 1].end;
			memmove(p->v + j + 1, p->v + j + 2, (p->n - j - 2) * sizeof *p->v);
			p->n--;
			to--;
		} else j++;
	}
}

/* First page in [lo, hi) that the shadow does not hold PVM_NONE, or hi. */
static uint32_t first_set(const jit_perms *p, uint32_t lo, uint32_t hi)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].end > lo) return p->v[i].first < hi ? (p->v[i].first > lo ? p->v[i].first : lo) : hi;
	return hi;
}

typedef struct perm_walk {
	const jit_perms *p;
	uint32_t next;               /* pages below next are compared */
	bool found;
	uint32_t page;
} perm_walk;

static void walk_page(void *wv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	perm_walk *w = wv;
	(void)data;
	if (w->found) return;
	uint32_t gap = first_set(w->p, w->next, pn);
	if (gap < pn || jit_perms_get(w->p, pn) != perm) {
		w->found = true;
		w->page = gap < pn ? gap : pn;
	}
	w->next = pn + 1;
}

bool jit_perms_diff(const jit_perms *p, const pvm_mem *m, uint32_t *page)
{
	perm_walk w = { .p = p };
	pvm_mem_each(m, walk_page, &w);
	if (!w.found && w.next < PVM_NUM_PAGES) {
		uint32_t gap = first_set(p, w.next, PVM_NUM_PAGES);
		if (gap < PVM_NUM_PAGES) w.found = true, w.page = gap;
	}
	if (w.found) *page = w.page;
	return w.found;
}

void jit_program_set_hook(jit_program *jp, jit_stop_hook *hook, void *ud)
{
	jp->hook = hook;
	jp->hook_ud = ud;
}

const jit_perms *jit_program_perms(const jit_program *jp) { return &jp->perms; }

bool jit_program_stop_diff(const jit_program *jp, pvm_perm_diff *d)
{
	if (jp->has_stop_diff) *d = jp->stop_diff;
	return jp->has_stop_diff;
}

/* ---- forced writes (jit_internal.h) ------------------------------------------------------------ */

/* /proc/self/mem, opened once per process and never changed after (-1: no forced writes). The
 * open is checked by a forced write to a read-only page of its own. */
static int mem_fd = -1;
static pthread_once_t mem_once = PTHREAD_ONCE_INIT;

static void mem_open(void)
{
	const char *no = getenv("JITPROOF_NO_FORCE_WRITE");
	if (no && *no) return;
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd < 0) return;
	static const uint8_t probe = 0xa5;
	uint8_t *pg = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg != MAP_FAILED) {
		if (pwrite(fd, &probe, 1, (off_t)(uintptr_t)pg) == 1 && pg[0] == probe) mem_fd = fd;
		munmap(pg, PAGE);
	}
	if (mem_fd < 0) close(fd);
}

bool jit_force_write_ok(void)
{
	pthread_once(&mem_once, mem_open);
	return mem_fd >= 0;
}

bool jit_force_write(void *at, const void *src, size_t n)
{
	if (!jit_force_write_ok()) return false;
	const uint8_t *s = src;
	uintptr_t a = (uintptr_t)at;
	while (n) {
		ssize_t w = pwrite(mem_fd, s, n, (off_t)a);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return false;
		s += w, a += (size_t)w, n -= (size_t)w;
	}
	return true;
}

bool jit_write_changed(uint8_t *at, const void *src, size_t n, bool code)
{
	const uint8_t *b = src;
	size_t lo = 0, hi = n;
	/* (equal 4 KiB spans by one memcmp each, then 64 bytes, then single bytes) */
	while (lo + 4096 <= hi && !memcmp(at + lo, b + lo, 4096)) lo += 4096;
	while (lo + 64 <= hi && !memcmp(at + lo, b + lo, 64)) lo += 64;
	while (lo < hi && at[lo] == b[lo]) lo++;
	while (hi >= lo + 4096 && !memcmp(at + hi - 4096, b + hi - 4096, 4096)) hi -= 4096;
	while (hi >= lo + 64 && !memcmp(at + hi - 64, b + hi - 64, 64)) hi -= 64;
	while (hi > lo && at[hi - 1] == b[hi - 1]) hi--;
	if (lo == hi) return true;
	return code ? jit_code_write(at + lo, b + lo, hi - lo) : jit_force_write(at + lo, b + lo, hi - lo);
}

bool jit_code_write(uint8_t *at, const void *src, size_t n)
{
	if (jit_force_write(at, src, n)) return true;
	uint8_t *first = at - ((uintptr_t)at & (PAGE - 1));
	size_t span = (size_t)(at - first) + n;
	if (mprotect(first, span, PROT_READ | PROT_WRITE)) return false;
	memcpy(at, src, n);
	mprotect(first, span, PROT_READ | PROT_EXEC);
	return true;
}

/* ---- sandbox ---------------------------------------------------------------------------------- */

/* The one way guest pages of the sandbox change protection: mprotect, then the shadow. */
static void sb_protect(jit_run *r, uint32_t first, uint32_t end, pvm_perm perm)
{
	static const int prot[4] = { PROT_NONE, PROT_READ, 0, PROT_READ | PROT_WRITE };
	jit_program *jp = r->jp;
	if (mprotect(r->membase + (size_t)first * PAGE, (size_t)(end - first) * PAGE, prot[perm])) return;
	perms_set(&jp->perms, first, end, perm);
}

/* A stop while the sandbox exists. Inside the run (start, sbrk) the first one whose shadow
 * differs from the state's page map is kept (replay prints it); the test hook sees every one. */
static void sb_stop(jit_run *r, const char *what, uint32_t pc, bool inside)
{
	jit_program *jp = r->jp;
	uint32_t pn;
	if (inside && !jp->has_stop_diff && jit_perms_diff(&jp->perms, r->state->mem, &pn)) {
		jp->has_stop_diff = true;
		jp->stop_diff = (pvm_perm_diff){ pn * (uint32_t)PAGE, pvm_mem_perm(r->state->mem, pn),
		                                 jit_perms_get(&jp->perms, pn) };
	}
	if (jp->hook) {
		jit_stop st = { what, pc, r->membase, &jp->perms, r->state };
		jp->hook(jp->hook_ud, &st);
	}
}

/* Consecutive pages given one protection with a single mprotect. */
typedef struct page_run {
	jit_run *r;
	uint32_t first, end; /* [first, end) page numbers; empty when equal */
	pvm_perm prot;
	uint32_t top;        /* one past the highest page protected so far */
	const jit_perms *was; /* the reservation's protections before this run (sandbox_open) */
} page_run;

static void run_flush(page_run *pr)
{
	if (pr->end > pr->first) sb_protect(pr->r, pr->first, pr->end, pr->prot);
	if (pr->end > pr->top) pr->top = pr->end;
	pr->first = pr->end = 0;
}

static void run_add(page_run *pr, uint32_t pn, pvm_perm prot)
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
	page_run *pr = pv;
	(void)data;
	if (perm == PVM_NONE) return;
	pvm_perm was = jit_perms_get(pr->was, pn);
	/* open and writable already, or read-only already and written by force (fill_page): no mprotect */
	if (was == PVM_WRITE || (was == PVM_READ && perm == PVM_READ && jit_force_write_ok())) {
		run_flush(pr);
		if (pn + 1 > pr->top) pr->top = pn + 1;
		return;
	}
	run_add(pr, pn, PVM_WRITE);
}

/* Every mapped page gets the state's bytes: a page the reservation had closed reads zero (fresh,
 * or dropped by sandbox_open), so only its non-zero pages are copied; a page left open by an
 * earlier run is rewritten whole. */
static void fill_page(void *pv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	static const uint8_t zero[PAGE];
	page_run *pr = pv;
	uint8_t *at = pr->r->membase + (size_t)pn * PAGE;
	if (perm == PVM_NONE) return;
	if (jit_perms_get(&pr->r->jp->perms, pn) == PVM_READ) { /* kept read-only (open_mapped) */
		if (jit_write_changed(at, data, PAGE, false)) return;
		sb_protect(pr->r, pn, pn + 1, PVM_WRITE); /* the forced write failed: seal_read_only seals it again */
	}
	if (jit_perms_get(pr->was, pn) != PVM_NONE) memcpy(at, data, PAGE);
	else if (!pvm_mem_page_untouched(data) && memcmp(data, zero, PAGE)) memcpy(at, data, PAGE);
}

static void seal_read_only(void *pv, uint32_t pn, pvm_perm perm, const uint8_t *data)
{
	page_run *pr = pv;
	(void)data;
	if (perm != PVM_READ) return;
	pvm_perm want = (pvm_perm)pvm_mutant_hook(PVM_HOOK_ro_perm, PVM_READ);
	if (jit_perms_get(&pr->r->jp->perms, pn) != want) run_add(pr, pn, want);
}

/* Pages the reservation holds open that the state does not map: dropped (they read zero when
 * opened again) and closed. */
static void drop_unmapped(jit_run *r, const jit_perms *was, const pvm_mem *m)
{
	for (size_t i = 0; i < was->n; i++)
		for (uint32_t pn = was->v[i].first; pn < was->v[i].end;) {
			uint32_t end = pn;
			while (end < was->v[i].end && pvm_mem_perm(m, end) == PVM_NONE) end++;
			if (end > pn) {
				madvise(r->membase + (size_t)pn * PAGE, (size_t)(end - pn) * PAGE, MADV_DONTNEED);
				sb_protect(r, pn, end, PVM_NONE);
				pn = end;
			} else pn++;
		}
}

/* Reserve the sandbox (or take the thread's kept one) and mirror the guest pages with pvm_mem's
 * permissions and bytes (so that the fault check in C agrees with the hardware). Afterwards,
 * fresh or kept, it is the same: every page the state maps open with its permission and bytes,
 * every other page closed and zero, the prefix zero but for the context and the jump table. */
static bool sandbox_open(jit_run *r, jit_program *jp, pvm_state *s)
{
	size_t jt_bytes = (size_t)jp->jt_len * 8;
	size_t prefix = (sizeof(jit_ctx) + jt_bytes + PAGE - 1) / PAGE * PAGE;
	r->jp = jp;
	jp->sandboxed = true;
	jp->perms.n = 0;
	jp->has_stop_diff = false;
	if (kept && kept->base && kept->prefix >= prefix) {
		r->base = kept->base;
		r->size = kept->size;
		prefix = kept->prefix;
		kept->base = NULL;
		memset(r->base, 0, prefix);
		jit_perms *p = &jp->perms; /* the shadow starts as the reservation's protections */
		if (p->cap < kept->open.n) {
			p->cap = kept->open.n;
			p->v = pvm_xrealloc(p->v, p->cap * sizeof *p->v);
		}
		if (kept->open.n) memcpy(p->v, kept->open.v, kept->open.n * sizeof *p->v);
		p->n = kept->open.n;
	} else {
		if (kept && kept->base) { /* too small for this program's jump table */
			munmap(kept->base, kept->size);
			kept->base = NULL;
		}
		r->size = prefix + GUEST_SPAN + GUARD_SPAN;
		void *base = mmap(NULL, r->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (base == MAP_FAILED) return false;
		r->base = base;
		if (mprotect(r->base, prefix, PROT_READ | PROT_WRITE)) {
			munmap(base, r->size);
			return false;
		}
	}
	r->membase = r->base + prefix;
	r->ctx = (jit_ctx *)(r->membase - sizeof(jit_ctx));
	memcpy((uint8_t *)r->ctx - jt_bytes, jp->jt_host, jt_bytes);
	jit_perms was = { 0 };
	if (jp->perms.n) {
		was.v = pvm_xmalloc(jp->perms.n * sizeof *was.v);
		memcpy(was.v, jp->perms.v, jp->perms.n * sizeof *was.v);
		was.n = was.cap = jp->perms.n;
		drop_unmapped(r, &was, s->mem);
	}
	page_run pr = { .r = r, .was = &was };
	pvm_mem_each(s->mem, open_mapped, &pr);
	run_flush(&pr);
	pvm_mem_each(s->mem, fill_page, &pr);
	pvm_mem_each(s->mem, seal_read_only, &pr);
	run_flush(&pr);
	free(was.v);
	if (jp->isa080 && s->heap_limit > s->heap_base) {
		/* GP 0.8.0 grow_heap is answered between runs, so the heap it grew is mirrored here; its
		 * last byte goes through the same hook as sbrk's (a mutant opens one page too many) */
		uint32_t a = s->heap_base / PAGE, end = a, lim = s->heap_limit / PAGE;
		while (end < lim && pvm_mem_perm(s->mem, end) == PVM_WRITE) end++;
		uint64_t last = pvm_mutant_hook(PVM_HOOK_sbrk_end, (uint64_t)end * PAGE - 1) / PAGE;
		if (end > a && last >= end && last < PVM_NUM_PAGES) sb_protect(r, end, (uint32_t)last + 1, PVM_WRITE);
	}
	uint64_t extra = pvm_mutant_hook(PVM_HOOK_top_extra, 0); /* none: only mapped pages are opened */
	if (extra && pr.top && pr.top < PVM_NUM_PAGES)
		sb_protect(r, pr.top, (uint32_t)(pr.top + extra < PVM_NUM_PAGES ? pr.top + extra : PVM_NUM_PAGES), PVM_READ);
	sb_stop(r, "start", s->pc, true);
	return true;
}

/* Ends a run's sandbox: the thread keeps the reservation, with the shadow of what this run left
 * open, for its next run's sandbox_open (unless it keeps one already: a run nested in another's
 * hook unmaps its own). */
static void sandbox_close(jit_run *r)
{
	if (kept->base) {
		munmap(r->base, r->size);
		return;
	}
	const jit_perms *p = &r->jp->perms;
	if (kept->open.cap < p->n) {
		kept->open.cap = p->n;
		kept->open.v = pvm_xrealloc(kept->open.v, p->n * sizeof *p->v);
	}
	if (p->n) memcpy(kept->open.v, p->v, p->n * sizeof *p->v);
	kept->open.n = p->n;
	kept->base = r->base;
	kept->size = r->size;
	kept->prefix = (size_t)(r->membase - r->base);
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
	uint32_t n = pvm_ops[op].width, fault;
	uint64_t *regs = r->ctx->regs;
	uint32_t addr = access_addr(in, regs);
	bool store = pvm_op_is_store(op);
	if (!n || !pvm_mem_check(r->state->mem, addr, n, store, &fault)) return false;
	if (store) {
		uint64_t v = form == PVM_FORM_IMM2 || form == PVM_FORM_REG_IMM2 ? in->imm2 : regs[in->ra];
		for (uint32_t i = 0; i < n; i++) r->membase[(uint32_t)(addr + i)] = (uint8_t)(v >> (8 * i));
		return true;
	}
	uint64_t v = 0;
	for (uint32_t i = 0; i < n; i++) v |= (uint64_t)r->membase[(uint32_t)(addr + i)] << (8 * i);
	regs[in->ra] = pvm_ops[op].acc == PVM_ACC_LOADS ? pvm_sext(v, n) : v;
	return true;
}

/* The faulting access of `in` with guest registers regs (unchanged by it): page-fault at the page
 * of the lowest offending byte, or panic below 0x10000 (DESIGN.md). */
static pvm_exit fault_exit(const pvm_mem *m, const uint64_t *regs, const pvm_inst *in)
{
	pvm_exit x = { .status = PVM_PANIC };
	uint32_t n = pvm_ops[in->op].width, fault;
	if (!n || pvm_mem_check(m, access_addr(in, regs), n, pvm_op_is_store(in->op), &fault))
		return x;
	if (fault < PVM_LOW_LIMIT) return x;
	x.status = PVM_FAULT;
	x.fault_addr = fault & ~(uint32_t)(PAGE - 1);
	return x;
}

/* sbrk at pc: allocate in the state and mirror the new pages into the sandbox. */
static bool run_sbrk(jit_run *r, const pvm_inst *in)
{
	pvm_state *s = r->state;
	uint64_t size = r->ctx->regs[in->ra], x;
	if (!pvm_sbrk_exec(s, size, &x)) return false; /* the break reading's panic: nothing changed */
	if (s->reading & PVM_READING_SBRK_BREAK) { /* the pages from the old break x up to the new one */
		uint64_t first = (x + PAGE - 1) / PAGE;
		uint64_t last = s->heap_top > x ? pvm_mutant_hook(PVM_HOOK_sbrk_end, s->heap_top - 1) / PAGE : 0;
		if (last >= PVM_NUM_PAGES) last = PVM_NUM_PAGES - 1;
		if (s->heap_top > x && last + 1 > first) sb_protect(r, (uint32_t)first, (uint32_t)last + 1, PVM_WRITE);
	} else if (x && size) { /* pages that were unmapped, now zero and writable: one mprotect */
		uint64_t first = x / PAGE, last = pvm_mutant_hook(PVM_HOOK_sbrk_end, x + size - 1) / PAGE;
		if (last >= PVM_NUM_PAGES) last = PVM_NUM_PAGES - 1;
		sb_protect(r, (uint32_t)first, (uint32_t)last + 1, PVM_WRITE);
	}
	r->ctx->regs[in->rd] = x;
	sb_stop(r, "sbrk", in->pc, true);
	return true;
}

/* PVM_READING_GAS_INSN (GP 0.7.2): a region entered at pc with gas g below its cost runs its first
 * g instructions (none of them a terminator or ecalli: those end the region) and stops out of gas
 * at the next one with gas 0. The JIT's own code runs them: an int3 is written over the first
 * byte of the unpaid instruction's code for this run (SIGTRAP ends the run there, see on_fault),
 * and the code is entered after the region's prologue. Returns the row of that instruction, or
 * NULL (nothing patched) if the code could not be made writable, or if that instruction is the
 * second of a fused pair (*in_pair set: the run goes on in the program without fusions). */
static const jit_row *step_begin(jit_program *jp, uint32_t pc, int64_t g, uint8_t *saved, bool *in_pair)
{
	const jit_row *row = jit_find_row(jp, pc);
	for (int64_t k = 0; k < g && row; k++) row = jit_find_row(jp, jit_row_inst(jp, row->at.guest_pc).next);
	if (!row) return NULL;
	if (jit_fused_second(jp, row->at.guest_pc)) { /* between a fused pair: no code to stop at */
		*in_pair = true;
		return NULL;
	}
	static const uint8_t int3 = 0xcc;
	*saved = jp->code[row->at.host_off];
	return jit_code_write(jp->code + row->at.host_off, &int3, 1) ? row : NULL;
}

static void step_end(jit_program *jp, const jit_row *row, uint8_t saved)
{
	if (!jit_code_write(jp->code + row->at.host_off, &saved, 1)) abort(); /* code left with an int3 */
}

typedef void enter_fn(uint8_t *membase, const void *target);

/* The gas register is rsp, and rsp must hold a canonical address whenever the CPU may take an
 * interrupt or deliver a signal: returning to user mode with a non-canonical rsp faults (seen on
 * AMD: a SIGSEGV at whatever instruction the interrupt hit), and the gas can be any int64. So JIT
 * code gets at most GAS_CAP (2^46, or the JITPROOF_GAS_CAP test aid, but never less than the
 * prologue at its entry charges: `need`) and at least -GAS_CAP; the runtime keeps the rest (the
 * returned bank, added back at the exit). An out-of-gas exit with gas in the bank is one of the
 * gas given, at a region entry with nothing charged (the stub gave the prologue's charge back):
 * the run goes on from there with the next share (each share pays at least one prologue). */
static int64_t gas_bank(jit_ctx *ctx, uint64_t need)
{
	int64_t g = ctx->gas, hi = (uint64_t)gas_cap > need ? gas_cap : (int64_t)need, bank = 0;
	if (g > hi) bank = g - hi;
	else if (g < -gas_cap) bank = g + gas_cap;
	ctx->gas -= bank;
	return bank;
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31) /* Linux 4.7 (include/uapi/linux/signal.h); glibc's headers lack it */
#endif

/* JIT code keeps its gas counter in rsp (jit.h), so no signal handler may run on the stack rsp
 * names while it runs. The fault handler (SA_ONSTACK) runs on the thread's signal stack, installed
 * with SS_AUTODISARM: the kernel then takes that stack whatever rsp holds (without the flag it
 * would believe itself on it when rsp happens to point inside); it is put back at every run. Every other
 * signal that could run a handler is held back from the start of a run to its end (delivered then:
 * at the latest at the next host call, the end of the gas or an exit): all of them but those only
 * the code itself raises (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS), and SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT when their action was the default at the thread's first run (it ends
 * the process without a handler, so Ctrl-C still stops a long run). Three system calls a run; the
 * rest once a thread. Assumed, as the README says: a handler for one of those four is installed
 * before a thread's first run (libFuzzer's are) or with SA_ONSTACK. *old: the mask to restore at
 * the end. False when the signal stack cannot be installed (nothing changed). */
enum { SIG_STACK = 1 << 16 };
static bool signals_for_jit(sigset_t *old)
{
	if (!kept->ss) {
		stack_t ss = { .ss_sp = pvm_xmalloc(SIG_STACK), .ss_size = SIG_STACK, .ss_flags = SS_AUTODISARM };
		if (sigaltstack(&ss, &kept->old_ss) != 0) {
			free(ss.ss_sp);
			return false;
		}
		kept->ss = ss.ss_sp;
		sigfillset(&kept->hold);
		static const int sync[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS };
		for (size_t i = 0; i < sizeof sync / sizeof *sync; i++) sigdelset(&kept->hold, sync[i]);
		sigdelset(&kept->hold, JIT_SIG_LIMIT); /* (its handler is ours, on the signal stack) */
		static const int ending[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
		for (size_t i = 0; i < sizeof ending / sizeof *ending; i++) {
			struct sigaction sa;
			if (sigaction(ending[i], NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL)
				sigdelset(&kept->hold, ending[i]);
		}
	} else {
		/* again at every run: with SS_AUTODISARM the stack stays disabled after a handler that
		 * left by longjmp instead of returning (tests/jit/chain.c has one) */
		stack_t ss = { .ss_sp = kept->ss, .ss_size = SIG_STACK, .ss_flags = SS_AUTODISARM };
		if (sigaltstack(&ss, NULL) != 0) return false;
	}
	pthread_sigmask(SIG_BLOCK, &kept->hold, old);
	return true;
}

/* ---- what crosses between the state and a run -------------------------------------------------
 * A run takes everything the state holds and gives all of it back, so whatever a host left in the
 * state between two runs (any register, the gas, the pc, memory) is what the next run starts from.
 * The 13 registers and the gas go through the context: the entry trampoline loads the registers
 * from ctx.regs, the common exit stores them back, the gas stays in ctx.gas (machine code, proved
 * by validate's trampoline items, validator/prove_tramp.c). The pc and the GP 0.8.0 gas-charged
 * flag stay here in C. Memory is the sandbox: mirrored from s->mem when it opens (sandbox_open)
 * and copied back when the run ends (copy_back). take_state and give_state are the only places a
 * run reads the state's registers, gas and flag and the only places it writes those and the pc
 * (the pc is read before as well: whether a GP 0.8.0 run can start at all, the sandbox's stop). */

/* The start of a run: every register and the gas into the context; returns the pc to start at,
 * *charge whether the region entered there is still to be paid (0.8.0: not when resuming inside a
 * paid block, the gas-charged flag set). */
static uint32_t take_state(jit_run *r, const pvm_state *s, bool *charge)
{
	jit_program *jp = r->jp;
	/* (mutants only) the registers a resume after a host call takes from the state; the others
	 * from the JIT's copy at that exit */
	uint64_t take = pvm_mutant_hook(PVM_HOOK_resume_regs, (1u << PVM_NUM_REGS) - 1);
	bool resume = jp->last_host && s->pc == jp->last_next;
	for (int i = 0; i < PVM_NUM_REGS; i++)
		r->ctx->regs[i] = !resume || (take >> i & 1) ? s->regs[i] : jp->last_regs[i];
	r->ctx->gas = s->gas;
	*charge = pvm_mutant_hook(PVM_HOOK_resume_charge, !(jp->isa080 && s->gas_charged));
	return s->pc;
}

/* The end of a run at pc with exit x: every register, the gas, the pc back into the state; 0.8.0:
 * the gas-charged flag (A.11: every exit is inside a block, so it is set unless out of gas). */
static void give_state(jit_run *r, pvm_state *s, uint32_t pc, const pvm_exit *x)
{
	jit_program *jp = r->jp;
	for (int i = 0; i < PVM_NUM_REGS; i++) s->regs[i] = r->ctx->regs[i];
	s->gas = r->ctx->gas;
	s->pc = pc;
	if (jp->isa080) s->gas_charged = x->status != PVM_OOG;
	memcpy(jp->last_regs, r->ctx->regs, sizeof jp->last_regs); /* what a mutant's resume keeps */
	jp->last_host = x->status == PVM_HOST;
	jp->last_next = x->next;
}

/* A run that starts or stops between the two instructions of a fused pair (a start at the second;
 * GP 0.7.2's per-instruction gas stopping there), or whose chain the gas cannot pay (jit.h §
 * chains), runs on the twin: the program compiled from the same bytes without fusions or chains
 * (made by the first such run, then kept). The state it gets is one a
 * run starts from (a region entry, or the start, nothing charged), so the two runs are one. What
 * the run leaves for the engine (the shadow, the stop difference, the last state) is swapped back. */
static pvm_exit run_unfused(jit_program *jp, pvm_state *s, bool after_part)
{
	if (!jp->unfused) {
		uint8_t *blob = NULL;
		size_t len = 0;
		pvm_program p;
		pvm_errbuf e;
		bool ok = pvm_program_encode(&jp->prog, &blob, &len) == PVM_OK &&
		          pvm_program_decode_isa(&p, jp->prog.isa, blob, len, "jit twin", &e) == PVM_OK;
		free(blob);
		if (!ok) abort(); /* the program's own bytes, re-encoded: they decoded once */
		jit_err je = jit_program_new_unfused(&p, jp->feat, &jp->unfused);
		pvm_program_fini(&p);
		if (je != JIT_OK) return (pvm_exit){ .status = PVM_PANIC };
	}
	jit_program *t = jp->unfused;
	t->hook = jp->hook;
	t->hook_ud = jp->hook_ud;
	jit_perms swap = t->perms;
	t->perms = jp->perms;
	bool had_diff = after_part && jp->has_stop_diff; /* the first part's, if it had one */
	pvm_exit x = jit_program_run(t, s);
	jp->sandboxed |= t->sandboxed;
	jp->perms = t->perms;
	t->perms = swap;
	if (!had_diff) {
		jp->has_stop_diff = t->has_stop_diff;
		jp->stop_diff = t->stop_diff;
	}
	memcpy(jp->last_regs, t->last_regs, sizeof jp->last_regs);
	jp->last_host = t->last_host;
	jp->last_next = t->last_next;
	return x;
}

/* Would a run from s, whose pc has the row `row` (NULL: none), start inside a chain (jit.h §
 * chains) past its prologue, with gas for the region it starts in but not for the chain's blocks
 * after it? Then the twin runs it. */
static bool chain_unpaid(const jit_program *jp, const pvm_state *s, const jit_row *row)
{
	if (!row || !row->prepaid) return false;
	bool charge = pvm_mutant_hook(PVM_HOOK_resume_charge, !(jp->isa080 && s->gas_charged));
	if (charge && row->entry != JIT_NONE) return false; /* its prologue charges the chain */
	int64_t own = charge ? row->cost : 0;
	return s->gas >= own && s->gas - own < (int64_t)row->prepaid;
}

pvm_exit jit_program_run(jit_program *jp, pvm_state *s)
{
	pvm_exit x = { .status = PVM_PANIC };
	jp->sandboxed = jp->has_stop_diff = false; /* (until sandbox_open, or the twin's run) */
	const jit_row *start = s->pc <= jp->code_len ? jit_find_row(jp, s->pc) : NULL;
	if (jp->isa080 && (jp->invalid || s->pc >= jp->code_len || !start))
		return x; /* 0.8.0 deblob(p, ı) fails (§3): panic, state unchanged, no gas charged */
	if (s->pc < jp->code_len && jit_fused_second(jp, s->pc)) return run_unfused(jp, s, false);
	if (chain_unpaid(jp, s, start)) return run_unfused(jp, s, false);
	jit_run r = { .state = s };
	pthread_once(&handler_once, install_handler);
	if (!sandbox_open(&r, jp, s)) return x; /* no address space: cannot run at all */
	if (!kept) {
		kept = pvm_xcalloc(1, sizeof *kept);
		pthread_setspecific(kept_key, kept);
	}
	sigset_t held;
	if (!signals_for_jit(&held)) {
		sandbox_close(&r);
		return x; /* no signal stack: JIT code cannot run (rsp is its gas counter) */
	}
	bool charge, in_pair = false;
	uint32_t pc = take_state(&r, s, &charge);
	r.prev = current_run;
	current_run = &r;
	uint64_t limit = pvm_run_limit();
	r.limited = limit && run_limit_timer(limit);

	enter_fn *enter = (enter_fn *)(void *)(jp->code + jp->enter_off);
	const bool per_insn = !jp->isa080 && (s->reading & PVM_READING_GAS_INSN);
	const jit_row *stop = NULL; /* per_insn: the unpaid instruction a region stops at */
	uint8_t stop_saved = 0;
	bool raw = false;      /* ctx.gas is the gas register's count: the chain's prepaid gas taken */
	bool spurious = false; /* out of gas at a chain's head with the head's own cost paid: the twin */
	for (;;) {
		if (r.limit_hit) {
			x.status = PVM_LIMIT;
			break;
		}
		const jit_row *row = jit_find_row(jp, pc);
		uint32_t at = row ? row->at.host_off : 0;
		if (charge && row && row->entry != JIT_NONE) {
			at = row->entry; /* a region entry: its own prologue charges the gas (or exits OOG) */
		} else if (charge) { /* a start inside a region, or no code at all: charge here */
			uint32_t cost = row ? row->cost : 1; /* no code here: a one-instruction trap region */
			if (r.ctx->gas < (int64_t)cost) {
				if (per_insn && row && r.ctx->gas > 0 && (stop = step_begin(jp, pc, r.ctx->gas, &stop_saved, &in_pair))) {
					r.stop_pc = stop->at.guest_pc;
					r.ctx->gas = -(int64_t)row->prepaid; /* 0 at the stop, inside this block */
					raw = true;
					charge = false;
					continue;
				}
				x.status = PVM_OOG;
				break; /* (in_pair: at pc, nothing charged: the twin's run starts here) */
			}
			r.ctx->gas -= cost;
		}
		if (!row) {
			x.status = PVM_PANIC;
			break;
		}
		if (!raw && at != row->entry) r.ctx->gas -= row->prepaid; /* (chain_unpaid: it can) */
		raw = true;
		r.ctx->exit_kind = JIT_EXIT_NONE;
		int64_t bank = gas_bank(r.ctx, at == row->entry ? (uint64_t)row->cost + row->prepaid : 0);
		enter(r.membase, jp->code + at);
		r.ctx->gas += bank;
		if (r.limit_hit) { /* (where it stopped is of no interest: the state is undefined) */
			x.status = PVM_LIMIT;
			break;
		}
		pc = r.ctx->exit_pc;
		jit_exit_kind k = r.ctx->exit_kind;
		if (k == JIT_EXIT_OOG && bank > 0) { /* out of the gas it was given, not of the state's: */
			charge = true;                  /* at a region entry, nothing charged: again from there */
			continue;
		}
		const pvm_inst inst = jit_row_inst(jp, pc), *in = &inst;
		const jit_row *er = jit_find_row(jp, pc);
		if (k == JIT_EXIT_OOG && er && er->prepaid && r.ctx->gas >= (int64_t)er->cost) {
			spurious = true; /* the head is paid, the chain is not: the twin runs it from here */
			x.status = PVM_OOG;
			break;
		}
		if (k == JIT_EXIT_OOG && per_insn && !stop && r.ctx->gas > 0 &&
		    (stop = step_begin(jp, pc, r.ctx->gas, &stop_saved, &in_pair))) { /* pc: the region entry */
			r.stop_pc = stop->at.guest_pc;
			r.ctx->gas = er ? -(int64_t)er->prepaid : 0; /* 0 at the stop, inside the head */
			charge = false;
			continue;
		}
		if (in_pair) break; /* at the region entry pc, its prologue charged nothing */
		bool sbrk_panics = k == JIT_EXIT_SBRK && !run_sbrk(&r, in);
		if ((k == JIT_EXIT_SBRK && !sbrk_panics) || (k == JIT_EXIT_FAULT && emulate_wrapping(&r, in))) {
			pc = in->next; /* resume within the region: nothing more to charge */
			charge = false;
			continue;
		}
		if (k == JIT_EXIT_FAULT || sbrk_panics) {
			x = sbrk_panics ? (pvm_exit){ .status = PVM_PANIC } : fault_exit(s->mem, r.ctx->regs, in);
			if (per_insn) /* only the instructions up to the faulting one are paid */
				r.ctx->gas += (int64_t)(er->cost - 1 - (stop ? stop->cost : 0));
		}
		else if (k == JIT_EXIT_HALT) x.status = PVM_HALT;
		else if (k == JIT_EXIT_OOG) x.status = PVM_OOG;
		else if (k == JIT_EXIT_HOST) {
			x.status = PVM_HOST;
			x.host_id = (uint32_t)in->imm;
			x.next = in->next;
		} else x.status = PVM_PANIC;
		/* the chain's gas for the blocks not run (out of gas: the stub gave back all of it, but at
		 * a step's stop, where the count was set to -prepaid) */
		if ((k != JIT_EXIT_OOG || stop) && er) r.ctx->gas += er->prepaid;
		break;
	}
	if (r.limited) {
		run_limit_timer(0);
		r.limited = false;
	}
	if (stop) step_end(jp, stop, stop_saved);
	give_state(&r, s, pc, &x);
	pvm_mem_each(s->mem, copy_back, &r);
	sb_stop(&r, "exit", pc, false);

	current_run = r.prev;
	sandbox_close(&r);
	pthread_sigmask(SIG_SETMASK, &held, NULL);
	return (in_pair || spurious) && x.status != PVM_LIMIT ? run_unfused(jp, s, true) : x;
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
static void *load_unfused_with(const pvm_program *p, pvm_errbuf *e, jit_features f)
{
	jit_program *jp;
	jit_err err = jit_program_new_unfused(p, f, &jp);
	if (err) {
		pvm_errf(e, "jit: %s", jit_strerror(err));
		return NULL;
	}
	return jp;
}
static void *load_cpu(const pvm_program *p, pvm_errbuf *e) { return load_with(p, e, jit_cpu_features()); }
static void *load_cpu_unfused(const pvm_program *p, pvm_errbuf *e) { return load_unfused_with(p, e, jit_cpu_features()); }
static void *load_portable_unfused(const pvm_program *p, pvm_errbuf *e) { return load_unfused_with(p, e, jit_no_features()); }
static void *load_portable(const pvm_program *p, pvm_errbuf *e) { return load_with(p, e, jit_no_features()); }
static pvm_exit engine_run(void *jp, pvm_state *s) { return jit_program_run(jp, s); }
static void engine_free(void *jp) { jit_program_free(jp); }
static bool engine_perm_check(const void *jpv, const pvm_mem *m, pvm_perm_diff *d)
{
	const jit_program *jp = jpv;
	uint32_t pn;
	if (!jp->sandboxed) return false; /* no JIT code ran: no sandbox to compare */
	if (!m) return jit_program_stop_diff(jp, d);
	if (!jit_perms_diff(&jp->perms, m, &pn)) return false;
	*d = (pvm_perm_diff){ pn * (uint32_t)PAGE, pvm_mem_perm(m, pn), jit_perms_get(&jp->perms, pn) };
	return true;
}

const pvm_engine jit_engine = { "jit", load_cpu, engine_run, engine_free, engine_perm_check };
const pvm_engine jit_portable_engine = { "jit-portable", load_portable, engine_run, engine_free,
                                         engine_perm_check };
const pvm_engine jit_unfused_engine = { "jit-unfused", load_cpu_unfused, engine_run, engine_free, engine_perm_check };
const pvm_engine jit_portable_unfused_engine = { "jit-portable-unfused", load_portable_unfused, engine_run, engine_free,
                                                 engine_perm_check };
