/* validator/sha256.h: SHA-256 (FIPS 180-4), for the proof store's keys and entry checksums.
 * Streaming: init, update any number of times, final. No allocation; the only global state is whether the CPU's SHA
 * extensions are used (probed once). */
#ifndef JITPROOF_TV_SHA256_H
#define JITPROOF_TV_SHA256_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tv_sha256_ctx {
	uint32_t h[8];
	uint64_t len;          /* bytes hashed so far */
	uint8_t buf[64];       /* the block being filled: len % 64 bytes of it */
} tv_sha256_ctx;

void tv_sha256_init(tv_sha256_ctx *c);
void tv_sha256_update(tv_sha256_ctx *c, const void *data, size_t n);
void tv_sha256_final(tv_sha256_ctx *c, uint8_t out[32]);
/* The digest of one buffer. */
void tv_sha256(const void *data, size_t n, uint8_t out[32]);
/* Use the CPU's SHA extensions when it has them (on, the default) or never (off, for the tests:
 * both must give the same digests); returns whether they are used now. */
bool tv_sha256_hw(bool on);
/* 64 lower-case hex digits and a NUL into hex[65]. */
void tv_sha256_hex(const uint8_t d[32], char hex[65]);
#endif
