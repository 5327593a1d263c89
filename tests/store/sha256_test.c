/* tests/store/sha256_test.c: validator/sha256.c against the example digests of FIPS 180-4
 * (NIST's SHA-256 examples: "abc", the two-block message, a million 'a'), fed whole and in
 * pieces of every size from 1 to 130 bytes (the padding's block boundaries), with the CPU's SHA
 * extensions and without; and both ways agreeing on random messages of every length to 300. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "validator/sha256.h"

static int check(const char *name, const char *msg, size_t len, size_t reps, const char *want)
{
	int bad = 0;
	for (size_t piece = 0; piece <= 130; piece++) { /* 0: the whole message per update */
		tv_sha256_ctx c;
		tv_sha256_init(&c);
		for (size_t r = 0; r < reps; r++)
			for (size_t at = 0; at < len;) {
				size_t n = piece && piece < len - at ? piece : len - at;
				tv_sha256_update(&c, msg + at, n);
				at += n;
			}
		uint8_t d[32];
		char hex[65];
		tv_sha256_final(&c, d);
		tv_sha256_hex(d, hex);
		if (strcmp(hex, want)) {
			printf("FAIL %s (pieces of %zu): %s, expected %s\n", name, piece, hex, want);
			bad = 1;
			break;
		}
	}
	return bad;
}

static int digests(void)
{
	int bad = 0;
	bad |= check("empty", "", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	bad |= check("abc", "abc", 3, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	bad |= check("448 bits", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1,
	             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	bad |= check("a million a", "aaaaaaaaaa", 10, 100000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	uint8_t d[32];
	char hex[65];
	tv_sha256(NULL, 0, d); /* no data at all (the store hashes empty fields so) */
	tv_sha256_hex(d, hex);
	if (strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")) printf("FAIL NULL, 0\n"), bad = 1;
	tv_sha256("abc", 3, d);
	tv_sha256_hex(d, hex);
	if (strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")) printf("FAIL one-shot\n"), bad = 1;
	return bad;
}

int main(void)
{
	bool hw = tv_sha256_hw(true);
	int bad = digests();
	tv_sha256_hw(false);
	bad |= digests();
	uint64_t x = 0x9e3779b97f4a7c15ull;
	static uint8_t msg[300];
	for (size_t len = 0; len <= sizeof msg; len++) {
		for (size_t i = 0; i < len; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, msg[i] = (uint8_t)x;
		uint8_t a[32], b[32];
		tv_sha256_hw(true);
		tv_sha256(msg, len, a);
		tv_sha256_hw(false);
		tv_sha256(msg, len, b);
		if (memcmp(a, b, 32)) printf("FAIL random message of %zu bytes: the two ways differ\n", len), bad = 1;
	}
	if (!bad)
		printf("PASS sha256: 4 digests, whole and in pieces of 1..130 bytes, portable and %s; 301 random messages agree\n",
		       hw ? "with the SHA extensions" : "again portable (this CPU has no SHA extensions)");
	return bad;
}
