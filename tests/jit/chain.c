/* tests/jit/chain.c: the JIT's SIGSEGV handler only handles faults in JIT code: after a JIT run
 * has installed it, a wild access in C must still kill the process (the previous handler, here
 * the default action, runs). Checked in a child process. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "jit/jit.h"

int main(void)
{
	/* store_imm_u8 0x20000, 1 (page not mapped: a guest fault handled by the JIT) ; trap */
	static const uint8_t blob[] = { 0, 0, 7, 30, 3, 0, 0, 2, 1, 0, 0x41 };
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode(&p, blob, sizeof blob, "chain", &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		void *jp = jit_engine.load(&p, &e);
		pvm_state s;
		pvm_state_init(&s);
		s.gas = 100;
		pvm_exit x = jit_engine.run(jp, &s);
		if (x.status != PVM_FAULT || x.fault_addr != 0x20000) _exit(3);
		volatile uintptr_t wild = 16;
		*(volatile int *)wild = 1; /* must not be swallowed by the JIT's handler */
		_exit(42);
	}
	int st;
	waitpid(pid, &st, 0);
	pvm_program_fini(&p);
	bool died = WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 42 && WEXITSTATUS(st) != 3);
	printf("chain: %d passed, %d failed\n", died ? 1 : 0, died ? 0 : 1);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3) fprintf(stderr, "the JIT did not report the guest fault\n");
	return died ? 0 : 1;
}
