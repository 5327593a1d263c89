/* bench/vm.c: C twin of vm.pvmasm (switch dispatch); prints "result R ns T" for the kernel. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
int main(int argc, char **argv)
{
	(void)argv;
	static uint8_t code[] = { 0, 7, 1, 0x5a, 6, 0, 2, 13, 3, 0x25, 6, 0, 0, 3, 1, 0xc3, 4, 0, 5, 0 };
	code[1] += (uint8_t)(argc - 1); /* opaque to the optimiser */
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	uint64_t acc = 1, counter = 3000000, vpc = 0;
	for (;;) {
		uint8_t op = code[vpc], arg = code[vpc + 1];
		vpc += 2;
		switch (op) {
		case 0: acc += arg; break;
		case 1: acc ^= arg; break;
		case 2: acc = (acc >> (arg & 63)) | (acc << ((64 - (arg & 63)) & 63)); break;
		case 3: acc *= (uint64_t)(arg | 1); break;
		case 4: if (--counter != 0) vpc = arg; break;
		case 6: acc = (acc & 1) ? acc * 3 + 1 : acc >> 1; break;
		default: goto done;
		}
	}
done:
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("result %llu ns %lld\n", (unsigned long long)acc,
	       (long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec)));
	return 0;
}
