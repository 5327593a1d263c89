/* tests/jit/chain.c: the JIT's SIGSEGV handler only handles faults in JIT code and passes every
 * other fault to the handler installed before it. Child 1 (default action): a wild access after a
 * JIT run must still kill the process. Child 2 (a recovering handler installed first): the wild
 * access reaches that handler, and later JIT runs still report their guest faults. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "jit/jit.h"

static sigjmp_buf recover;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	siglongjmp(recover, 1);
}

/* Runs the program; true if it reports the guest page fault at 0x20000. */
static bool jit_faults(const pvm_program *p)
{
	pvm_errbuf e;
	void *jp = jit_engine.load(p, &e);
	if (!jp) return false;
	pvm_state s;
	pvm_state_init(&s);
	s.gas = 100;
	pvm_exit x = jit_engine.run(jp, &s);
	jit_engine.free(jp);
	pvm_state_fini(&s);
	return x.status == PVM_FAULT && x.fault_addr == 0x20000;
}

static void wild_access(void)
{
	volatile uintptr_t wild = 16;
	*(volatile int *)wild = 1;
}

int main(void)
{
	/* store_imm_u8 0x20000, 1 (page not mapped: a guest fault the JIT handles) ; trap */
	static const uint8_t blob[] = { 0, 0, 7, 30, 3, 0, 0, 2, 1, 0, 0x41 };
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode(&p, blob, sizeof blob, "chain", &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	int passed = 0, failed = 0, st;
	pid_t pid = fork();
	if (pid == 0) {
		if (!jit_faults(&p)) _exit(3);
		wild_access(); /* must not be swallowed by the JIT's handler */
		_exit(42);
	}
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 42 && WEXITSTATUS(st) != 3)) passed++;
	else failed++, fprintf(stderr, "child 1: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGSEGV, &sa, NULL);
		if (!jit_faults(&p)) _exit(3);
		if (sigsetjmp(recover, 1) == 0) {
			wild_access();
			_exit(4); /* the access did not fault at all */
		}
		_exit(jit_faults(&p) && jit_faults(&p) ? 7 : 5);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 7) passed++;
	else failed++, fprintf(stderr, "child 2: status %d\n", st);
	pvm_program_fini(&p);
	printf("chain: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
