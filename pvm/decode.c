/* pvm/decode.c: deblob (ISA-NOTES §2-4): variable-length naturals, jump table, code, bitmask,
 * per-pc instruction decoding (skip, immediates, register clamping, zeros past the code),
 * basic-block starts ϖ and gas-region costs. Strict: a blob decodes only if it is the exact
 * canonical encoding, so pvm_program_encode reproduces it byte for byte. */
#include <stdlib.h>
#include <string.h>
#include "pvm.h"
#include "mutant.h"

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

static inline uint8_t reg_clamp(unsigned r)
{
	r = (unsigned)pvm_mutant_hook(PVM_HOOK_reg_field, r); /* (a mutant may break the clamp: pvm/mutants.def) */
	return r > 12 ? 12 : (uint8_t)r;
}

static unsigned skip_at(const pvm_program *p, uint32_t pc)
{
	for (unsigned j = 0; j < 24; j++)
		if (mask_bit(p, (uint64_t)pc + 1 + j)) return j;
	return 24;
}

/* The instruction at a position that holds one (bitmask bit 1, below code_len), else -1. */
static int op_at(const pvm_program *p, uint32_t pc)
{
	return pc < p->code_len && mask_bit(p, pc) ? pvm_op_decode(p->isa, p->code[pc]) : -1;
}

pvm_inst pvm_decode_at(const pvm_program *p, uint32_t pc)
{
	pvm_inst in = { .op = PVM_OP_trap, .pc = pc };
	if (pc > p->code_len) return in;
	unsigned l = skip_at(p, pc);
	in.next = pc + 1 + l;
	int op = op_at(p, pc);
	if (op < 0) return in;
	in.op = (uint8_t)op;
	pvm_fields f;
	pvm_fields_decode(pvm_ops[op].form, p->code, p->code_len, pc, l, &f);
	in.ra = reg_clamp(f.ra);
	in.rb = reg_clamp(f.rb);
	in.rd = reg_clamp(f.rd);
	in.imm = f.x;
	in.imm2 = f.y;
	in.target = pc + f.off;
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
static void analyse(pvm_program *p)
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
	if (op_at(p, 0) >= 0) p->is_block[0] = 1;
	for (uint32_t pc = 0; pc < p->code_len; pc++) {
		const pvm_inst *in = &p->inst[pc];
		if (op_at(p, pc) >= 0 && pvm_op_is_term(in->op) && op_at(p, in->next) >= 0)
			p->is_block[in->next] = 1;
	}
	if (p->isa == PVM_ISA_080) {
		uint32_t cost = 0;
		for (uint32_t pc = 0; pc < p->code_len; pc++) {
			if (p->is_block[pc]) cost = pvm_block_cost(p, pc);
			p->gas_cost[pc] = cost;
		}
		p->gas_cost[p->code_len] = 0; /* running off the end panics without a charge (§3) */
		return;
	}
	for (uint32_t pc = p->code_len + 1; pc-- > 0;) {
		const pvm_inst *in = &p->inst[pc];
		if (pc == p->code_len || pvm_op_ends_region(in->op))
			p->gas_cost[pc] = 1;
		else
			p->gas_cost[pc] = 1 + p->gas_cost[in->next];
	}
}

/* 0.8.0 prevalidation v_blob (ISA-NOTES-0.8 §3): the walk i -> i + 1 + skip(i) from 0 visits
 * only defined opcodes at set bitmask bits and lands on |c| > 0. Returns NULL or the reason
 * (static text plus *at, the offending pc). With polkavm_end also the last instruction must not
 * fall through (PolkaVM HEAD, §10.1). */
static const char *prevalidate(const pvm_program *p, bool polkavm_end, uint32_t *at)
{
	*at = 0;
	if (p->code_len == 0) return "empty code";
	if (!mask_bit(p, 0)) return "bitmask bit 0 is not set";
	/* the longest skip accepted: 24 (a mutant may lift it: pvm/mutants.def, class prevalidation) */
	uint64_t limit = pvm_mutant_hook(PVM_HOOK_skip_limit, 24);
	uint32_t pc = 0, last = 0;
	while (pc < p->code_len) {
		*at = pc;
		if (op_at(p, pc) < 0) return "undefined opcode";
		last = pc;
		uint64_t skip = 0; /* up to the next set bit (every bit from code_len on counts as set) */
		while (skip <= limit && !mask_bit(p, (uint64_t)pc + 1 + skip)) skip++;
		if (skip > limit) {
			*at = pc + 25; /* where a skip of 24 lands: no instruction starts there */
			return "more than 24 bytes up to the next instruction";
		}
		pc = (uint32_t)(pc + 1 + skip);
	}
	*at = last;
	if (polkavm_end) {
		if (pvm_op_falls(p->inst[last].op))
			return "the last instruction can fall through (PolkaVM rule)";
	}
	return NULL;
}

pvm_err pvm_program_decode(pvm_program *p, const uint8_t *blob, size_t len, const char *name,
                           pvm_errbuf *e)
{
	return pvm_program_decode_flags(p, PVM_ISA_072, 0, blob, len, name, e);
}

pvm_err pvm_program_decode_isa(pvm_program *p, pvm_isa isa, const uint8_t *blob, size_t len,
                               const char *name, pvm_errbuf *e)
{
	return pvm_program_decode_flags(p, isa, 0, blob, len, name, e);
}

pvm_err pvm_program_decode_flags(pvm_program *p, pvm_isa isa, unsigned flags, const uint8_t *blob,
                                 size_t len, const char *name, pvm_errbuf *e)
{
	memset(p, 0, sizeof *p);
	p->isa = isa;
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
	analyse(p);
	if (isa == PVM_ISA_080) {
		uint32_t at;
		const char *why = prevalidate(p, flags & PVM_DECODE_POLKAVM_END, &at);
		if (why) snprintf(p->invalid, sizeof p->invalid, "pc %u: %s", at, why);
	}
	return PVM_OK;
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
