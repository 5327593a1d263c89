/* validator/sha256.c: SHA-256 as FIPS 180-4 § 6.2 writes it, and the same compression with the
 * x86 SHA extensions where the CPU has them (a warm validate checks every record of the proof
 * store's packs: most of its start-up). The store's tests check the standard's example digests
 * on both, and that both agree on random input (tests/store/sha256_test.c). */
#include <stdbool.h>
#include <string.h>
#include "validator/sha256.h"
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n) { return x >> n | x << (32 - n); }

/* One 64-byte block into the state (§ 6.2.2). */
static void block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

#ifdef HAVE_SHA_NI
/* n 64-byte blocks into the state with SHA256RNDS2/MSG1/MSG2 (Intel's SHA extensions). The state
 * lives as two vectors, ABEF and CDGH (lane 3 first); each group of four message words M_i is,
 * from the fifth on, msg2(msg1(M_i-4, M_i-3) + (M_i-2 M_i-1 shifted by one word), M_i-1): the
 * schedule of § 6.2.2 step 1, four words at a time; each group is four rounds, two per RNDS2. */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_ni(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bll, 0x0405060700010203ll);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1); /* C D A B */
	__m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b); /* H G F E */
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);    /* A B E F */
	s1 = _mm_blend_epi16(s1, t, 0xf0);         /* C D G H */
	for (; n; n--, p += 64) {
		__m128i a0 = s0, a1 = s1, m[4];
		for (int i = 0; i < 16; i++) {
			__m128i w;
			if (i < 4) {
				w = m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			} else {
				w = _mm_sha256msg1_epu32(m[i % 4], m[(i + 1) % 4]);
				w = _mm_add_epi32(w, _mm_alignr_epi8(m[(i + 3) % 4], m[(i + 2) % 4], 4));
				w = m[i % 4] = _mm_sha256msg2_epu32(w, m[(i + 3) % 4]);
			}
			w = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)&K[4 * i]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, w);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(w, 0x0e));
		}
		s0 = _mm_add_epi32(s0, a0);
		s1 = _mm_add_epi32(s1, a1);
	}
	t = _mm_shuffle_epi32(s0, 0x1b);           /* F E B A */
	s1 = _mm_shuffle_epi32(s1, 0xb1);          /* D C H G */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, s1, 0xf0)); /* A B C D */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(s1, t, 8));    /* E F G H */
}

static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3)) return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* -1: not probed yet; then 0 or 1 (tv_sha256_hw may turn it off) */
static int use_ni = -1;

bool tv_sha256_hw(bool on)
{
#ifdef HAVE_SHA_NI
	__atomic_store_n(&use_ni, on && cpu_has_sha(), __ATOMIC_RELAXED);
#else
	__atomic_store_n(&use_ni, 0, __ATOMIC_RELAXED);
#endif
	return __atomic_load_n(&use_ni, __ATOMIC_RELAXED);
}

static void blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
#ifdef HAVE_SHA_NI
	int ni = __atomic_load_n(&use_ni, __ATOMIC_RELAXED);
	if (ni < 0) __atomic_store_n(&use_ni, ni = cpu_has_sha(), __ATOMIC_RELAXED); /* (every thread finds the same) */
	if (ni) {
		blocks_ni(h, p, n);
		return;
	}
#endif
	for (; n; n--, p += 64) block(h, p);
}

void tv_sha256_init(tv_sha256_ctx *c)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(c->h, h0, sizeof h0);
	c->len = 0;
}

void tv_sha256_update(tv_sha256_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	if (!n) return; /* (data may be NULL then) */
	size_t at = c->len % 64;
	if (at) { /* fill the pending block first */
		size_t take = 64 - at < n ? 64 - at : n;
		memcpy(c->buf + at, p, take);
		c->len += take, p += take, n -= take;
		if (c->len % 64) return;
		blocks(c->h, c->buf, 1);
	}
	blocks(c->h, p, n / 64); /* whole blocks straight from the input */
	c->len += n / 64 * 64, p += n / 64 * 64, n %= 64;
	memcpy(c->buf, p, n);
	c->len += n;
}

/* Padding (§ 5.1.1): a 1 bit, zeros, the message length in bits as 64-bit big-endian. */
void tv_sha256_final(tv_sha256_ctx *c, uint8_t out[32])
{
	uint64_t bits = c->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t npad = (c->len % 64 < 56 ? 56 : 120) - c->len % 64;
	for (int i = 0; i < 8; i++) pad[npad + i] = (uint8_t)(bits >> (56 - 8 * i));
	tv_sha256_update(c, pad, npad + 8);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++) out[4 * i + j] = (uint8_t)(c->h[i] >> (24 - 8 * j));
}

void tv_sha256(const void *data, size_t n, uint8_t out[32])
{
	tv_sha256_ctx c;
	tv_sha256_init(&c);
	tv_sha256_update(&c, data, n);
	tv_sha256_final(&c, out);
}

void tv_sha256_hex(const uint8_t d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = 0;
}
