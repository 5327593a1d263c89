/* pvm/fields.c: the one operand-field decoder and encoder (ISA-NOTES §4), driven by the rows of
 * pvm/forms.def. Deblob, the assembler and the disassembler all read and write operands here,
 * so they cannot disagree on what a byte span means. (The decoder's code is fields_decode.h,
 * which deblob inlines.) */
#include <string.h>
#include "pvm.h"
#include "fields_decode.h"

unsigned pvm_fields_decode(unsigned form, const uint8_t *code, uint64_t len, uint64_t at, uint32_t l,
                           pvm_fields *f)
{
	return fields_decode(form, code, len, at, l, f);
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
