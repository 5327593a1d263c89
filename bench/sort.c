/* bench/sort.c: C twin of sort.pvmasm; prints "result R ns T" for the kernel. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
int main(void)
{
	enum { N = 8000 };
	static uint32_t a[N];
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	uint64_t s = 12345;
	for (int i = 0; i < N; i++) {
		s = s * 1103515245u + 12345u;
		a[i] = (uint32_t)(s & 0x7fffffff);
	}
	for (int i = 1; i < N; i++) {
		uint32_t key = a[i];
		int j = i;
		while (j > 0 && key < a[j - 1]) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = key;
	}
	uint64_t r = 0;
	for (int i = 0; i < N; i++) r += (uint64_t)a[i] * (uint64_t)(i + 1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("result %llu ns %lld\n", (unsigned long long)r,
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	return 0;
}
