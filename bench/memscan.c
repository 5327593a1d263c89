/* bench/memscan.c: C twin of memscan.pvmasm; prints "result R ns T" for the kernel. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(void)
{
	enum { BYTES = 0x100000 };
	struct timespec t0, t1;
	/* the buffers' pages touched before the clock starts: the JIT's timed runs find the sandbox's
	 * pages present (best of 3 in one process), so neither side counts page faults */
	uint8_t *a = calloc(BYTES, 1), *b = calloc(BYTES, 1);
	for (size_t i = 0; i < BYTES; i += 4096) /* (not a memset: gcc drops it after calloc) */
		((volatile uint8_t *)a)[i] = ((volatile uint8_t *)b)[i] = 0;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	uint64_t v = 0x0123456789abcdefull;
	for (size_t off = 0; off < BYTES; off += 8) {
		memcpy(a + off, &v, 8);
		v = v * 0x5bd1e995u + 1;
	}
	uint64_t sum = 0, count = 0;
	for (uint64_t round = 16; round != 0; round--) {
		for (size_t off = 0; off < BYTES; off += 8) {
			uint64_t w;
			memcpy(&w, a + off, 8);
			memcpy(b + off, &w, 8);
		}
		for (size_t off = 0; off < BYTES; off++) {
			if (b[off] == 42) count++;
			sum += b[off];
		}
		memcpy(a + round * 8, &sum, 8);
	}
	sum += count;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("result %llu ns %lld\n", (unsigned long long)sum,
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	free(a);
	free(b);
	return 0;
}
