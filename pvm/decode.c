/* pvm/decode.c: deblob (ISA-NOTES §2-4): variable-length naturals, jump table, code, bitmask,
 * per-pc instruction decoding (skip, immediates, register clamping, zeros past the code),
 * basic-block starts ϖ and gas-region costs. Strict: a blob decodes only if it is the exact
 * canonical encoding, so pvm_program_encode reproduces it byte for byte. */
#include <stdlib.h>
#include <string.h>
#include "pvm.h"

const pvm_inst pvm_trap_inst = { .op = PVM_OP_trap };

size_t pvm_varint_encode(uint64_t x, uint8_t out[9])
{
	if (x < 128) {
		out[0] = (uint8_t)x;
		return 1;
	}
	for (unsigned l = 1; l < 8; l++) {
		if (x < (1ull << (7 * (l + 1)))) {
			out[0] = (uint8_t)(256 - (1u << (8 - l)) + (x >> (8 * l)));
			for (unsigned i = 0; i < l; i++) out[1 + i] = (uint8_t)(x >> (8 * i));
			return 1 + l;
		}
	}
	out[0] = 0xFF;
	for (unsigned i = 0; i < 8; i++) out[1 + i] = (uint8_t)(x >> (8 * i));
	return 9;
}

/* Decodes one natural; on failure returns 0 and sets *why. */
static size_t varint_decode(const uint8_t *in, size_t len, uint64_t *x, const char **why)
{
	if (len == 0) {
		*why = "truncated varint";
		return 0;
	}
	unsigned l = 0;
	while (l < 8 && (in[0] & (0x80u >> l))) l++;
	if (len < 1 + (size_t)l) {
		*why = "truncated varint";
		return 0;
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < l; i++) v |= (uint64_t)in[1 + i] << (8 * i);
	if (l < 8) v |= (uint64_t)(in[0] & (0xFFu >> (l + 1))) << (8 * l);
	if (l > 0 && v < (1ull << (7 * l))) {
		*why = "non-canonical varint";
		return 0;
	}
	*x = v;
	return 1 + l;
}

size_t pvm_varint_decode(const uint8_t *in, size_t len, uint64_t *x)
{
	const char *why;
	return varint_decode(in, len, x, &why);
}

static inline bool mask_bit(const pvm_program *p, uint64_t n)
{
	return n >= p->code_len || (p->bitmask[n >> 3] >> (n & 7) & 1);
}

static inline uint8_t zeta(const pvm_program *p, uint64_t i)
{
	return i < p->code_len ? p->code[i] : 0;
}

static uint64_t le_bytes(const pvm_program *p, uint64_t at, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) v |= (uint64_t)zeta(p, at + i) << (8 * i);
	return v;
}

static inline uint64_t imm_at(const pvm_program *p, uint64_t at, unsigned n)
{
	return pvm_sext(le_bytes(p, at, n), n);
}

static inline unsigned clamp4(int64_t n) { return n < 0 ? 0 : n > 4 ? 4 : (unsigned)n; }
static inline uint8_t reg_clamp(unsigned r) { return r > 12 ? 12 : (uint8_t)r; }

static unsigned skip_at(const pvm_program *p, uint32_t pc)
{
	for (unsigned j = 0; j < 24; j++)
		if (mask_bit(p, (uint64_t)pc + 1 + j)) return j;
	return 24;
}

pvm_inst pvm_decode_at(const pvm_program *p, uint32_t pc)
{
	pvm_inst in = { .op = PVM_OP_trap, .pc = pc };
	if (pc > p->code_len) return in;
	unsigned l = skip_at(p, pc);
	in.next = pc + 1 + l;
	if (pc == p->code_len || !mask_bit(p, pc) || !pvm_op_valid(p->code[pc])) return in;
	in.op = p->code[pc];
	uint8_t b1 = zeta(p, (uint64_t)pc + 1), b2 = zeta(p, (uint64_t)pc + 2);
	uint8_t lo = reg_clamp(b1 & 15), hi = reg_clamp(b1 >> 4);
	unsigned lx, ly;
	switch ((enum pvm_form)pvm_ops[in.op].form) {
	case PVM_FORM_NONE:
		break;
	case PVM_FORM_IMM:
		in.imm = imm_at(p, (uint64_t)pc + 1, clamp4(l));
		break;
	case PVM_FORM_REG_IMM64:
		in.ra = lo;
		in.imm = le_bytes(p, (uint64_t)pc + 2, 8);
		break;
	case PVM_FORM_IMM2:
		lx = clamp4(b1 & 7);
		ly = clamp4((int64_t)l - lx - 1);
		in.imm = imm_at(p, (uint64_t)pc + 2, lx);
		in.imm2 = imm_at(p, (uint64_t)pc + 2 + lx, ly);
		break;
	case PVM_FORM_OFF:
		lx = clamp4(l);
		in.target = pc + (uint32_t)imm_at(p, (uint64_t)pc + 1, lx);
		break;
	case PVM_FORM_REG_IMM:
		in.ra = lo;
		in.imm = imm_at(p, (uint64_t)pc + 2, clamp4((int64_t)l - 1));
		break;
	case PVM_FORM_REG_IMM2:
	case PVM_FORM_REG_IMM_OFF:
		in.ra = lo;
		lx = clamp4((b1 >> 4) & 7);
		ly = clamp4((int64_t)l - lx - 1);
		in.imm = imm_at(p, (uint64_t)pc + 2, lx);
		if (pvm_ops[in.op].form == PVM_FORM_REG_IMM2)
			in.imm2 = imm_at(p, (uint64_t)pc + 2 + lx, ly);
		else
			in.target = pc + (uint32_t)imm_at(p, (uint64_t)pc + 2 + lx, ly);
		break;
	case PVM_FORM_REG2:
		in.rd = lo;
		in.ra = hi;
		break;
	case PVM_FORM_REG2_IMM:
		in.ra = lo;
		in.rb = hi;
		in.imm = imm_at(p, (uint64_t)pc + 2, clamp4((int64_t)l - 1));
		break;
	case PVM_FORM_REG2_OFF:
		in.ra = lo;
		in.rb = hi;
		in.target = pc + (uint32_t)imm_at(p, (uint64_t)pc + 2, clamp4((int64_t)l - 1));
		break;
	case PVM_FORM_REG2_IMM2:
		in.ra = lo;
		in.rb = hi;
		lx = clamp4(b2 & 7);
		ly = clamp4((int64_t)l - lx - 2);
		in.imm = imm_at(p, (uint64_t)pc + 3, lx);
		in.imm2 = imm_at(p, (uint64_t)pc + 3 + lx, ly);
		break;
	case PVM_FORM_REG3:
		in.ra = lo;
		in.rb = hi;
		in.rd = reg_clamp(b2);
		break;
	case PVM_FORM_COUNT:
		break;
	}
	return in;
}

void pvm_program_fini(pvm_program *p)
{
	free(p->code);
	free(p->bitmask);
	free(p->jump_table);
	free(p->inst);
	free(p->is_start);
	free(p->is_block);
	free(p->gas_cost);
	memset(p, 0, sizeof *p);
}

/* Fills inst, is_start, is_block and gas_cost from code, bitmask and code_len. */
static pvm_err analyse(pvm_program *p)
{
	size_t n = (size_t)p->code_len + 1;
	p->inst = pvm_xmalloc(n * sizeof *p->inst);
	p->is_start = pvm_xcalloc(n, 1);
	p->is_block = pvm_xcalloc(n, 1);
	p->gas_cost = pvm_xmalloc(n * sizeof *p->gas_cost);
	for (uint32_t pc = 0; pc <= p->code_len; pc++) {
		p->inst[pc] = pvm_decode_at(p, pc);
		p->is_start[pc] = mask_bit(p, pc);
	}
	/* ϖ: 0 and every successor of a terminator, if it holds a valid instruction (GP 0.6.7+). */
#define VALID_START(x) ((x) < p->code_len && mask_bit(p, (x)) && pvm_op_valid(p->code[(x)]))
	if (VALID_START(0u)) p->is_block[0] = 1;
	for (uint32_t pc = 0; pc < p->code_len; pc++) {
		const pvm_inst *in = &p->inst[pc];
		if (mask_bit(p, pc) && pvm_op_valid(p->code[pc]) && pvm_op_is_term(in->op) &&
		    VALID_START(in->next))
			p->is_block[in->next] = 1;
	}
#undef VALID_START
	for (uint32_t pc = p->code_len + 1; pc-- > 0;) {
		const pvm_inst *in = &p->inst[pc];
		if (pc == p->code_len || pvm_op_is_term(in->op) || in->op == PVM_OP_ecalli)
			p->gas_cost[pc] = 1;
		else
			p->gas_cost[pc] = 1 + p->gas_cost[in->next];
	}
	return PVM_OK;
}

pvm_err pvm_program_decode(pvm_program *p, const uint8_t *blob, size_t len, const char *name,
                           pvm_errbuf *e)
{
	memset(p, 0, sizeof *p);
	size_t off = 0, k;
	uint64_t jlen, clen;
	const char *why;
	if (len > UINT32_MAX) {
		pvm_errf(e, "%s: offset 0: blob larger than 4 GiB", name);
		return PVM_EINVAL;
	}
	if (!(k = varint_decode(blob, len, &jlen, &why))) {
		pvm_errf(e, "%s: offset 0: jump table length: %s", name, why);
		return PVM_EINVAL;
	}
	off += k;
	if (off >= len) {
		pvm_errf(e, "%s: offset %zu: truncated blob: missing jump table entry width", name, off);
		return PVM_EINVAL;
	}
	uint8_t z = blob[off++];
	if (z > 4) {
		pvm_errf(e, "%s: offset %zu: jump table entry width %u > 4 bytes", name, off - 1, z);
		return PVM_EINVAL;
	}
	if (!(k = varint_decode(blob + off, len - off, &clen, &why))) {
		pvm_errf(e, "%s: offset %zu: code length: %s", name, off, why);
		return PVM_EINVAL;
	}
	off += k;
	if (z == 0 && jlen > 0) {
		pvm_errf(e, "%s: offset %zu: %llu jump table entries of width 0", name, off,
		         (unsigned long long)jlen);
		return PVM_EINVAL;
	}
	if (jlen > (len - off) / (z ? z : 1)) {
		pvm_errf(e, "%s: offset %zu: truncated blob: jump table of %llu entries x %u bytes "
		         "exceeds the %zu bytes left", name, off, (unsigned long long)jlen, z, len - off);
		return PVM_EINVAL;
	}
	p->jt_len = (uint32_t)jlen;
	p->jt_width = z;
	p->jump_table = pvm_xmalloc((jlen ? jlen : 1) * sizeof *p->jump_table);
	for (uint32_t i = 0; i < p->jt_len; i++) {
		uint32_t v = 0;
		for (unsigned b = 0; b < z; b++) v |= (uint32_t)blob[off++] << (8 * b);
		p->jump_table[i] = v;
	}
	if (clen > len - off) {
		pvm_errf(e, "%s: offset %zu: truncated blob: code length %llu exceeds the %zu bytes left",
		         name, off, (unsigned long long)clen, len - off);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	p->code_len = (uint32_t)clen;
	p->code = pvm_xmalloc(clen ? clen : 1);
	memcpy(p->code, blob + off, clen);
	off += clen;
	size_t mlen = (clen + 7) / 8;
	if (len - off < mlen) {
		pvm_errf(e, "%s: offset %zu: bitmask too short: %llu code bytes need %zu bitmask bytes, "
		         "%zu left", name, off, (unsigned long long)clen, mlen, len - off);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	if (len - off > mlen) {
		pvm_errf(e, "%s: offset %zu: %zu trailing bytes after the bitmask", name, off + mlen,
		         len - off - mlen);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	p->bitmask = pvm_xmalloc(mlen ? mlen : 1);
	memcpy(p->bitmask, blob + off, mlen);
	if ((clen & 7) && (p->bitmask[mlen - 1] >> (clen & 7))) {
		pvm_errf(e, "%s: offset %zu: bitmask padding bits are not zero", name, off + mlen - 1);
		pvm_program_fini(p);
		return PVM_EINVAL;
	}
	return analyse(p);
}

pvm_err pvm_program_encode(const pvm_program *p, uint8_t **out, size_t *len)
{
	size_t mlen = ((size_t)p->code_len + 7) / 8;
	size_t cap = 9 + 1 + 9 + (size_t)p->jt_len * p->jt_width + p->code_len + mlen;
	uint8_t *b = pvm_xmalloc(cap), *w = b;
	w += pvm_varint_encode(p->jt_len, w);
	*w++ = p->jt_width;
	w += pvm_varint_encode(p->code_len, w);
	for (uint32_t i = 0; i < p->jt_len; i++)
		for (unsigned k = 0; k < p->jt_width; k++) *w++ = (uint8_t)(p->jump_table[i] >> (8 * k));
	memcpy(w, p->code, p->code_len);
	w += p->code_len;
	memcpy(w, p->bitmask, mlen);
	w += mlen;
	*out = b;
	*len = (size_t)(w - b);
	return PVM_OK;
}
