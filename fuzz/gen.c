/* fuzz/gen.c: structure-aware decoding of the differential target's input (format in fuzz.h):
 * nearly every byte string becomes a valid program (opcodes, register fields 0..15, branch targets
 * that are mostly block starts and sometimes not, a jump table of instruction pcs) with registers,
 * pages and gas. */
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "pvm/asm_enc.h"

typedef struct rd { const uint8_t *p; size_t n, i; } rd;

static uint8_t byte(rd *r) { return r->i < r->n ? r->p[r->i++] : 0; }

static uint64_t raw(rd *r, unsigned n)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < n; k++) v |= (uint64_t)byte(r) << (8 * k);
	return v;
}

/* A value: edge constants, addresses in and around the mapped pages, jump-table addresses, or
 * raw bytes (n of them, sign-extended from 4 unless n is 8). */
static uint64_t value(rd *r, unsigned n)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4, 6, 7, 8, 16, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000ull, 0x8000000000000000ull,
		0x7fffffffffffffffull, ~0ull, ~1ull, 0xffffffffffff0000ull /* @halt */, 0x100000000ull,
		0xfff, 0x1000,
	};
	uint8_t s = byte(r);
	if (s < 32) return edges[s];
	if (s < 64) return FUZZ_RW + (uint64_t)(s - 32) * 0x101;            /* in the writable pages */
	if (s < 72) return FUZZ_RO + (uint64_t)(s - 64) * 0x1ff;            /* read-only page */
	if (s < 80) return (uint64_t)((int64_t)FUZZ_RW - 8 + (s - 72));     /* below the mapping */
	if (s < 88) return (uint64_t)FUZZ_RO + 0x1000 - 4 + (s - 80);       /* straddling the end */
	if (s < 96) return 0x10000 - 4 + (s - 88);                           /* around the low limit */
	if (s < 128) return (uint64_t)(int64_t)(int8_t)s;
	uint64_t v = raw(r, n);
	return n == 8 ? v : (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static void put(uint8_t **b, size_t *n, size_t *cap, const void *src, size_t k)
{
	if (*n + k > *cap) {
		*cap = (*n + k) * 2 + 64;
		*b = realloc(*b, *cap);
		if (!*b) abort();
	}
	memcpy(*b + *n, src, k);
	*n += k;
}

/* Maps the pages and fills them with bytes drawn from seed (so loads see varied values, sign
 * bits included), then writes the first n seed bytes at FUZZ_RW. */
static void init_memory(pvm_state *s, const uint8_t *seed, size_t n)
{
	pvm_mem_map(s->mem, FUZZ_RW, 2 * PVM_PAGE, PVM_WRITE);
	pvm_mem_map(s->mem, FUZZ_RO, PVM_PAGE, PVM_READ);
	uint64_t x = 0x243f6a8885a308d3ull;
	for (size_t i = 0; i < n && i < 16; i++) x = (x ^ seed[i]) * 0x100000001b3ull;
	uint8_t page[PVM_PAGE];
	for (uint32_t pg = 0; pg < 3; pg++) {
		for (unsigned i = 0; i < PVM_PAGE; i += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(page + i, &x, 8);
		}
		pvm_mem_poke(s->mem, FUZZ_RW + pg * PVM_PAGE, page, PVM_PAGE);
	}
	if (n) pvm_mem_poke(s->mem, FUZZ_RW, seed, n < 64 ? (uint32_t)n : 64);
}

static bool decode_raw(rd *r, fuzz_case *fc)
{
	fc->init.gas = (int64_t)raw(r, 2);
	for (int i = 0; i < PVM_NUM_REGS; i++) fc->init.regs[i] = raw(r, 8);
	uint8_t mem[64];
	for (unsigned i = 0; i < 64; i++) mem[i] = byte(r);
	init_memory(&fc->init, mem, 64);
	fc->blob_len = r->n > r->i ? r->n - r->i : 0;
	fc->blob = malloc(fc->blob_len ? fc->blob_len : 1);
	if (!fc->blob) abort();
	if (fc->blob_len) memcpy(fc->blob, r->p + r->i, fc->blob_len);
	return true;
}

bool fuzz_decode(const uint8_t *data, size_t size, fuzz_case *fc)
{
	memset(fc, 0, sizeof *fc);
	pvm_state_init(&fc->init);
	rd r = { data, size, 0 };
	uint8_t mode = byte(&r);
	pvm_isa isa = fc->isa = mode & 2 ? PVM_ISA_080 : PVM_ISA_072;
	if (mode & 1) return decode_raw(&r, fc);
	uint8_t g = byte(&r);
	/* mostly enough gas for the program (out-of-gas paths from the small classes) */
	fc->init.gas = g < 8 ? g : g < 16 ? 8 + (int64_t)(g - 8) * 4 : g < 250 ? 64 + (int64_t)g * 4 : 4000;
	for (int i = 0; i < PVM_NUM_REGS; i++) fc->init.regs[i] = value(&r, 8);
	unsigned n_jt = byte(&r) % 5;
	uint8_t jt_idx[4];
	for (unsigned i = 0; i < n_jt; i++) jt_idx[i] = byte(&r);

	pvm_asm_inst in[FUZZ_MAX_INSTS + 1];
	uint8_t tgt[FUZZ_MAX_INSTS + 1];
	unsigned n = 0;
	while (r.i < r.n && n < FUZZ_MAX_INSTS) {
		pvm_asm_inst *a = &in[n];
		memset(a, 0, sizeof *a);
		a->op = pvm_isa_ops(isa)[byte(&r) % PVM_NUM_OPCODES];
		uint8_t f = byte(&r), f2 = byte(&r);
		a->ra = f % 16; /* register fields 0..15: 13-15 mean r12 */
		a->rb = f / 16;
		a->rd = f2 % 16;
		bool wide = pvm_ops[a->op].form == PVM_FORM_REG_IMM64;
		a->x = value(&r, wide ? 8 : 4);
		a->y = (uint64_t)(int64_t)(int32_t)value(&r, 4);
		if (!wide) a->x = (uint64_t)(int64_t)(int32_t)a->x; /* a 4-byte field holds X_4 */
		tgt[n] = byte(&r);
		a->wx = a->wy = a->wt = 4;
		n++;
	}
	in[n] = (pvm_asm_inst){ .op = PVM_OP_trap };
	tgt[n] = 0;
	n++;
	/* pass 1: lengths (fixed widths, so they do not depend on the targets) */
	uint32_t pc[FUZZ_MAX_INSTS + 2], at = 0;
	uint8_t buf[PVM_ASM_MAXLEN];
	const char *why;
	for (unsigned i = 0; i < n; i++) {
		pc[i] = at;
		in[i].target = 0;
		unsigned len = pvm_asm_encode(&in[i], isa, at, buf, &why);
		if (!len) { /* cannot happen with valid fields; fall back to a trap */
			in[i] = (pvm_asm_inst){ .op = PVM_OP_trap };
			len = pvm_asm_encode(&in[i], isa, at, buf, &why);
		}
		at += len;
	}
	uint32_t code_len = at;
	/* branch and jump-table targets: mostly basic-block starts (pc 0 and after each terminator),
	 * so programs run on; sometimes (the panic path) any instruction, one inside a block among
	 * them, or (branches) past the code or a byte inside an instruction */
	unsigned blocks[FUZZ_MAX_INSTS + 2], nb = 0;
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || pvm_op_is_term(in[i - 1].op)) blocks[nb++] = i;
	uint8_t *code = calloc(1, code_len), *mask = calloc(1, (code_len + 7) / 8 + 1);
	if (!code || !mask) abort();
	for (unsigned i = 0; i < n; i++) {
		unsigned k = tgt[i] % n;
		in[i].target = tgt[i] < 224 ? pc[blocks[tgt[i] % nb]]
		             : tgt[i] < 240 ? pc[k]
		             : tgt[i] < 248 ? code_len + (tgt[i] & 7)
		             : (k + 1 < n ? pc[k + 1] : code_len) - pc[k] > 1 ? pc[k] + 1 : pc[k];
		unsigned len = pvm_asm_encode(&in[i], isa, pc[i], buf, &why);
		memcpy(code + pc[i], buf, len);
		mask[pc[i] / 8] |= (uint8_t)(1u << (pc[i] % 8));
	}
	size_t bn = 0, cap = 0;
	uint8_t v[9];
	put(&fc->blob, &bn, &cap, v, pvm_varint_encode(n_jt, v));
	uint8_t z = 4;
	put(&fc->blob, &bn, &cap, &z, 1);
	put(&fc->blob, &bn, &cap, v, pvm_varint_encode(code_len, v));
	for (unsigned i = 0; i < n_jt; i++) {
		uint32_t t = pc[jt_idx[i] < 224 ? blocks[jt_idx[i] % nb] : jt_idx[i] % n];
		put(&fc->blob, &bn, &cap, &t, 4); /* little-endian host */
	}
	put(&fc->blob, &bn, &cap, code, code_len);
	put(&fc->blob, &bn, &cap, mask, (code_len + 7) / 8);
	fc->blob_len = bn;
	free(code);
	free(mask);
	init_memory(&fc->init, data, size);
	return true;
}

void fuzz_case_fini(fuzz_case *fc)
{
	free(fc->blob);
	pvm_state_fini(&fc->init);
	memset(fc, 0, sizeof *fc);
}

void fuzz_encode_raw(pvm_isa isa, const uint8_t *blob, size_t blob_len, const uint64_t regs[PVM_NUM_REGS],
                     uint16_t gas, const uint8_t mem[64], uint8_t **out, size_t *len)
{
	size_t n = 1 + 2 + 8 * PVM_NUM_REGS + 64 + blob_len, k = 0;
	uint8_t *b = malloc(n);
	if (!b) abort();
	b[k++] = isa == PVM_ISA_080 ? 3 : 1;
	b[k++] = (uint8_t)gas;
	b[k++] = (uint8_t)(gas >> 8);
	for (int i = 0; i < PVM_NUM_REGS; i++)
		for (int j = 0; j < 8; j++) b[k++] = (uint8_t)(regs[i] >> (8 * j));
	memcpy(b + k, mem, 64);
	k += 64;
	memcpy(b + k, blob, blob_len);
	*out = b;
	*len = n;
}
