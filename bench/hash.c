/* bench/hash.c: C twin of hash.pvmasm; prints "result R ns T" for the kernel. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
int main(int argc, char **argv)
{
	(void)argv;
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	uint64_t n = 20000000 + (uint64_t)(argc - 1); /* opaque to the optimiser */
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (uint64_t i = 0; i < n; i++) {
		x += i;
		x ^= x >> 30;
		x *= 0xbf58476d1ce4e5b9ull;
		x ^= x >> 27 | x << 37;
		x *= 0x94d049bb133111ebull;
		x ^= x >> 31;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("result %llu ns %lld\n", (unsigned long long)x,
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	return 0;
}
