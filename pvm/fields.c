/* pvm/fields.c: the one operand-field decoder and encoder (ISA-NOTES §4), driven by the rows of
 * pvm/forms.def. Deblob, the assembler and the disassembler all read and write operands here,
 * so they cannot disagree on what a byte span means. */
#include "pvm.h"

static inline uint8_t byte_at(const uint8_t *code, uint64_t len, uint64_t i) { return i < len ? code[i] : 0; }
static inline unsigned clamp4(int64_t n) { return n < 0 ? 0 : n > 4 ? 4 : (unsigned)n; }

static uint64_t le_at(const uint8_t *code, uint64_t len, uint64_t at, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) v |= (uint64_t)byte_at(code, len, at + i) << (8 * i);
	return v;
}

/* Gives a register or length role its value from a nibble / byte. */
static void put_role(pvm_fields *f, unsigned role, unsigned v, unsigned *lx)
{
	switch (role) {
	case PVM_FR_A: f->ra = (uint8_t)v; break;
	case PVM_FR_B: f->rb = (uint8_t)v; break;
	case PVM_FR_D: f->rd = (uint8_t)v; break;
	case PVM_FR_LX: *lx = clamp4(v & 7); break;
	default: break;
	}
}

unsigned pvm_fields_decode(unsigned form, const uint8_t *code, uint64_t len, uint64_t at, uint32_t l,
                           pvm_fields *f)
{
	const pvm_forminfo *fi = &pvm_forms[form];
	*f = (pvm_fields){ 0 };
	uint8_t b1 = byte_at(code, len, at + 1), b2 = byte_at(code, len, at + 2);
	unsigned lx = 0;
	put_role(f, fi->b1_lo, b1 & 15, &lx);
	put_role(f, fi->b1_hi, b1 >> 4, &lx);
	put_role(f, fi->b2, b2, &lx);
	uint64_t p = at + 1 + fi->header;
	int64_t rest = (int64_t)l - fi->header;
	unsigned n1 = 0;
	if (fi->f1 != PVM_FR_NOF) {
		if (fi->f1_len == PVM_FR_EIGHT) {
			f->x = le_at(code, len, p, 8);
			p += 8;
		} else {
			n1 = fi->f1_len == PVM_FR_LEN ? lx : clamp4(rest);
			uint64_t v = pvm_sext(le_at(code, len, p, n1), n1);
			if (fi->f1 == PVM_FR_X) f->x = v, f->wx = (uint8_t)n1;
			else f->off = (uint32_t)v, f->wt = (uint8_t)n1;
			p += n1;
		}
	}
	if (fi->f2 != PVM_FR_NOF) {
		unsigned n2 = clamp4(rest - n1);
		uint64_t v = pvm_sext(le_at(code, len, p, n2), n2);
		if (fi->f2 == PVM_FR_Y) f->y = v, f->wy = (uint8_t)n2;
		else f->off = (uint32_t)v, f->wt = (uint8_t)n2;
		p += n2;
	}
	return (unsigned)(p - at);
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
