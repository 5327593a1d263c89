/* pvm/fields_decode.h: the operand-field decoder itself (pvm/fields.c), as inline code for the two
 * places that decode: pvm_fields_decode (fields.c) and deblob's walk (decode.c), which inlines it.
 * Internal to pvm/. */
#ifndef JITPROOF_PVM_FIELDS_DECODE_H
#define JITPROOF_PVM_FIELDS_DECODE_H
#include <string.h>
#include "pvm.h"

static inline uint8_t byte_at(const uint8_t *code, uint64_t len, uint64_t i) { return i < len ? code[i] : 0; }
static inline unsigned clamp4(int64_t n) { return n < 0 ? 0 : n > 4 ? 4 : (unsigned)n; }

/* The bytes an instruction at `at` can read (opcode, two header bytes, at most 8 + 4 field
 * bytes), zero past len, with 8 bytes of slack so every field is one 8-byte load. */
enum { WINDOW = 16, WINDOW_SLACK = 8 };
static inline void window(const uint8_t *code, uint64_t len, uint64_t at, uint8_t w[WINDOW + WINDOW_SLACK])
{
	memset(w + WINDOW, 0, WINDOW_SLACK);
	if (at < len && len - at >= WINDOW) {
		memcpy(w, code + at, WINDOW);
	} else {
		for (unsigned i = 0; i < WINDOW; i++) w[i] = byte_at(code, len, at + i);
	}
}

/* The low n (0..8) bytes of w[k..], little-endian. */
static inline uint64_t le_at(const uint8_t *w, unsigned k, unsigned n)
{
	uint64_t v;
	memcpy(&v, w + k, 8);
	return n >= 8 ? v : v & ((1ull << (8 * n)) - 1);
}

/* The decoder, written once for a form row given as arguments; pvm_fields_decode instantiates it
 * for each row of forms.def with the row's values as constants, so each form's decoder is this
 * body with the row's choices folded in. */
static inline __attribute__((always_inline)) unsigned decode_form(
	unsigned b1_lo, unsigned b1_hi, unsigned b2, unsigned f1, unsigned f1_len, unsigned f2,
	unsigned header, const uint8_t *w, uint32_t l, pvm_fields *f)
{
	*f = (pvm_fields){ 0 };
	/* the header's nibbles and byte go to their roles, in this order (a later one wins): one
	 * slot per role, the slots of NOB and IGN unused */
	uint8_t role[PVM_FR_EIGHT + 1] = { 0 };
	role[b1_lo] = w[1] & 15;
	role[b1_hi] = w[1] >> 4;
	role[b2] = w[2];
	f->ra = role[PVM_FR_A];
	f->rb = role[PVM_FR_B];
	f->rd = role[PVM_FR_D];
	unsigned lx = clamp4(role[PVM_FR_LX] & 7);
	unsigned k = 1 + header;
	int64_t rest = (int64_t)l - header;
	unsigned n1 = 0;
	if (f1 != PVM_FR_NOF) {
		if (f1_len == PVM_FR_EIGHT) {
			f->x = le_at(w, k, 8);
			k += 8;
		} else {
			n1 = f1_len == PVM_FR_LEN ? lx : clamp4(rest);
			uint64_t v = pvm_sext(le_at(w, k, n1), n1);
			if (f1 == PVM_FR_X) f->x = v, f->wx = (uint8_t)n1;
			else f->off = (uint32_t)v, f->wt = (uint8_t)n1;
			k += n1;
		}
	}
	if (f2 != PVM_FR_NOF) {
		unsigned n2 = clamp4(rest - n1);
		uint64_t v = pvm_sext(le_at(w, k, n2), n2);
		if (f2 == PVM_FR_Y) f->y = v, f->wy = (uint8_t)n2;
		else f->off = (uint32_t)v, f->wt = (uint8_t)n2;
		k += n2;
	}
	return k;
}

/* The decoder on w, the bytes from the instruction's opcode on: WINDOW of them, zero past the
 * code, then WINDOW_SLACK more (any value) for the 8-byte loads. */
static inline __attribute__((always_inline)) unsigned fields_decode_window(unsigned form, const uint8_t *w, uint32_t l,
                                                                            pvm_fields *f)
{
	switch (form) {
#define R(x) PVM_FR_##x
#define PVM_FORM(id, b1_lo, b1_hi, b2, f1, f1_len, f2) \
	case PVM_FORM_##id: \
		return decode_form(R(b1_lo), R(b1_hi), R(b2), R(f1), R(f1_len), R(f2), \
		                   PVM_FORM_HEADER(R(b1_lo), R(b2)), w, l, f);
#include "forms.def"
#undef PVM_FORM
#undef R
	}
	*f = (pvm_fields){ 0 };
	return 1; /* no such form */
}

static inline __attribute__((always_inline)) unsigned fields_decode(unsigned form, const uint8_t *code, uint64_t len, uint64_t at, uint32_t l,
                                     pvm_fields *f)
{
	/* the bytes from at: the code itself when it holds all the window, else a zero-padded copy */
	uint8_t copy[WINDOW + WINDOW_SLACK];
	const uint8_t *w = copy;
	if (at < len && len - at >= WINDOW + WINDOW_SLACK) w = code + at;
	else window(code, len, at, copy);
	return fields_decode_window(form, w, l, f);
}

#endif
