/* pvm/fields.c: the one operand-field decoder and encoder (ISA-NOTES §4), driven by the rows of
 * pvm/forms.def. Deblob, the assembler and the disassembler all read and write operands here,
 * so they cannot disagree on what a byte span means. */
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
	unsigned header, const uint8_t *code, uint64_t len, uint64_t at, uint32_t l, pvm_fields *f)
{
	uint8_t w[WINDOW + WINDOW_SLACK];
	window(code, len, at, w);
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

unsigned pvm_fields_decode(unsigned form, const uint8_t *code, uint64_t len, uint64_t at, uint32_t l,
                           pvm_fields *f)
{
	switch (form) {
#define R(x) PVM_FR_##x
#define PVM_FORM(id, b1_lo, b1_hi, b2, f1, f1_len, f2) \
	case PVM_FORM_##id: \
		return decode_form(R(b1_lo), R(b1_hi), R(b2), R(f1), R(f1_len), R(f2), \
		                   PVM_FORM_HEADER(R(b1_lo), R(b2)), code, len, at, l, f);
#include "forms.def"
#undef PVM_FORM
#undef R
	}
	*f = (pvm_fields){ 0 };
	return 1; /* no such form */
}

static unsigned role_value(const pvm_fields *f, unsigned role, unsigned lx)
{
	switch (role) {
	case PVM_FR_A: return f->ra;
	case PVM_FR_B: return f->rb;
	case PVM_FR_D: return f->rd;
	case PVM_FR_LX: return lx;
	default: return 0;
	}
}

/* Appends the low n bytes of v; false if v is not the sign extension of its low n bytes. */
static bool put_field(uint8_t *out, unsigned *k, uint64_t v, unsigned n, bool off)
{
	if (n > 4) return false;
	for (unsigned i = 0; i < n; i++) out[(*k)++] = (uint8_t)(v >> (8 * i));
	uint64_t m = (1ull << (8 * n)) - 1;
	return off ? (uint32_t)pvm_sext(v & m, n) == (uint32_t)v : pvm_sext(v & m, n) == v;
}

unsigned pvm_fields_encode(unsigned form, uint8_t byte, const pvm_fields *f, uint8_t *out,
                           const char **why)
{
	const pvm_forminfo *fi = &pvm_forms[form];
	unsigned k = 0, lx = f->wx;
	out[k++] = byte;
	if (fi->header >= 1)
		out[k++] = (uint8_t)(role_value(f, fi->b1_lo, lx) | role_value(f, fi->b1_hi, lx) << 4);
	if (fi->header >= 2) out[k++] = (uint8_t)role_value(f, fi->b2, lx);
	bool ok = true, off_ok = true;
	if (fi->f1 != PVM_FR_NOF) {
		if (fi->f1_len == PVM_FR_EIGHT) {
			for (unsigned i = 0; i < 8; i++) out[k++] = (uint8_t)(f->x >> (8 * i));
		} else if (fi->f1 == PVM_FR_X) {
			ok = put_field(out, &k, f->x, f->wx, false);
		} else {
			off_ok = put_field(out, &k, f->off, f->wt, true);
		}
	}
	if (fi->f2 == PVM_FR_Y) ok = put_field(out, &k, f->y, f->wy, false) && ok;
	else if (fi->f2 == PVM_FR_T) off_ok = put_field(out, &k, f->off, f->wt, true);
	if (!off_ok || !ok) {
		*why = !off_ok ? "branch offset does not fit its width" : "immediate does not fit its width";
		return 0;
	}
	return k;
}
