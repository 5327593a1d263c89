/* bench/sieve.c: C twin of sieve.pvmasm; prints "result R ns T" for the kernel. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(void)
{
	enum { N = 4000000 };
	struct timespec t0, t1;
	/* the array's pages touched before the clock starts: the JIT's timed runs find the sandbox's
	 * pages present (best of 3 in one process), so neither side counts page faults */
	uint8_t *f = calloc(N, 1);
	for (size_t i = 0; i < N; i += 4096) ((volatile uint8_t *)f)[i] = 0; /* (not a memset: gcc drops it after calloc) */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	uint64_t count = 0;
	for (uint64_t i = 2; i < N; i++) {
		if (f[i]) continue;
		count++;
		for (uint64_t j = i * i; j < N; j += i) f[j] = 1;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("result %llu ns %lld\n", (unsigned long long)count,
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	free(f);
	return 0;
}
