/* jit/x64.h: a small x86-64 encoder: static inline helpers over enum x64_reg.
 * Writes into an x64_buf with a sticky error (overflow sets err, later writes are dropped).
 * When buf->rec is set, every instruction helper also records (offset, length, mnemonic,
 * operand text) so tests can compare what was meant with what Capstone decodes. */
#ifndef JITPROOF_X64_H
#define JITPROOF_X64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum x64_reg {
	X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
	X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
	X64_NOREG = 16,
};

/* condition codes (the low nibble of Jcc/SETcc/CMOVcc) */
enum x64_cc {
	X64_CC_O = 0, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE, X64_CC_A,
	X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
};

/* One recorded instruction: what the encoder meant to write. */
typedef struct x64_insn {
	uint32_t off;          /* byte offset in the buffer */
	uint8_t len;
	char mnem[12];
	char ops[52];
} x64_insn;

typedef struct x64_rec {
	x64_insn *insn;
	size_t n, cap;         /* insn has room for cap records; extra ones set overflow */
	bool overflow;
} x64_rec;

typedef struct x64_buf {
	uint8_t *p;
	size_t len, cap;
	bool err;              /* sticky: set when a write did not fit */
	x64_rec *rec;          /* optional instruction log */
} x64_buf;

/* A register or memory operand [base + index*scale + disp]. disp32 forces a 4-byte
 * displacement field, disp8 a 1-byte one (for immediates the validator makes symbolic). */
typedef struct x64_rm {
	bool mem, disp32, disp8;
	uint8_t reg, base, index, scale;
	int32_t disp;
} x64_rm;

static inline x64_rm x64_r(enum x64_reg r) { return (x64_rm){ .reg = (uint8_t)r }; }
static inline x64_rm x64_m(enum x64_reg base, enum x64_reg index, int32_t disp)
{
	return (x64_rm){ .mem = true, .base = (uint8_t)base, .index = (uint8_t)index, .scale = 1, .disp = disp };
}
static inline x64_rm x64_m32(enum x64_reg base, enum x64_reg index, int32_t disp)
{
	x64_rm m = x64_m(base, index, disp);
	m.disp32 = true;
	return m;
}
static inline x64_rm x64_m8(enum x64_reg base, enum x64_reg index, int8_t disp)
{
	x64_rm m = x64_m(base, index, disp);
	m.disp8 = true;
	return m;
}
static inline x64_rm x64_mx(enum x64_reg base, enum x64_reg index, uint8_t scale, int32_t disp)
{
	x64_rm m = x64_m(base, index, disp);
	m.scale = scale;
	return m;
}

/* ---- raw bytes --------------------------------------------------------------------------- */

static inline void x64_byte(x64_buf *b, uint8_t v)
{
	if (b->len < b->cap) b->p[b->len++] = v;
	else b->err = true;
}
/* Append n <= 16 bytes from src, which must be readable for 16 bytes (fast path: one fixed-size
 * copy when the buffer has 16 bytes of room). */
static inline void x64_bytes(x64_buf *b, const uint8_t *src, size_t n)
{
	if (b->len + 16 <= b->cap) {
		memcpy(b->p + b->len, src, 16);
		b->len += n;
	} else if (b->len + n <= b->cap) {
		for (size_t i = 0; i < n; i++) b->p[b->len++] = src[i];
	} else {
		b->err = true;
	}
}
/* n (1..8) little-endian bytes of v (the host is x86-64, so a plain copy) */
static inline void x64_le(x64_buf *b, uint64_t v, int n)
{
	uint8_t t[16];
	memcpy(t, &v, 8);
	x64_bytes(b, t, (size_t)n);
}
/* Patch a rel32 field at `at` so that it jumps to `to` (both buffer offsets). */
static inline void x64_patch_rel32(x64_buf *b, size_t at, size_t to)
{
	if (b->err || at + 4 > b->len) return;
	int32_t rel = (int32_t)((int64_t)to - (int64_t)(at + 4));
	memcpy(b->p + at, &rel, 4);
}

/* ---- operand text (only used when recording) --------------------------------------------- */

static inline const char *x64_regname(unsigned r, int size)
{
	static const char *const n64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	static const char *const n32[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
		"r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" };
	static const char *const n16[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
		"r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" };
	static const char *const n8[] = { "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
		"r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" };
	r &= 15;
	return size == 8 ? n64[r] : size == 4 ? n32[r] : size == 2 ? n16[r] : n8[r];
}

static inline int x64_fmt_rm(char *s, size_t n, x64_rm rm, int size)
{
	if (!rm.mem) return snprintf(s, n, "%s", x64_regname(rm.reg, size));
	static const char *const ptr[] = { [1] = "byte ptr ", [2] = "word ptr ", [4] = "dword ptr ",
		[8] = "qword ptr " };
	int k = snprintf(s, n, "%s[%s", size >= 1 && size <= 8 && ptr[size] ? ptr[size] : "",
	                 x64_regname(rm.base, 8));
	if (rm.index != X64_NOREG)
		k += snprintf(s + k, n > (size_t)k ? n - k : 0, " + %s%s", x64_regname(rm.index, 8),
		              rm.scale == 8 ? "*8" : rm.scale == 4 ? "*4" : rm.scale == 2 ? "*2" : "");
	if (rm.disp || rm.disp32)
		k += snprintf(s + k, n > (size_t)k ? n - k : 0, " %c 0x%x", rm.disp < 0 ? '-' : '+',
		              rm.disp < 0 ? (unsigned)-(int64_t)rm.disp : (unsigned)rm.disp);
	return k + snprintf(s + k, n > (size_t)k ? n - k : 0, "]");
}

/* One operand of a recorded instruction (x64_o_* below build them). */
typedef struct x64_opd {
	enum { X64_OPD_RM, X64_OPD_IMM, X64_OPD_TEXT } kind;
	int size;              /* RM: operand size; 0 for an address (lea): no "ptr" */
	x64_rm rm;
	uint64_t imm;          /* IMM: printed 0x-hex */
	const char *text;      /* TEXT: printed as is ("cl", "rel32") */
} x64_opd;
static inline x64_opd x64_o_rm(x64_rm rm, int size) { return (x64_opd){ .kind = X64_OPD_RM, .size = size, .rm = rm }; }
static inline x64_opd x64_o_reg(enum x64_reg r, int size) { return x64_o_rm(x64_r(r), size); }
static inline x64_opd x64_o_imm(uint64_t v) { return (x64_opd){ .kind = X64_OPD_IMM, .imm = v }; }
static inline x64_opd x64_o_text(const char *t) { return (x64_opd){ .kind = X64_OPD_TEXT, .text = t }; }

/* Append the record of the instruction written since offset start (the slow path of x64_rec_put);
 * text that does not fit is cut. */
static inline __attribute__((cold)) void x64_rec_write(x64_buf *b, size_t start, const char *mnem,
                                                       const x64_opd *ops, size_t n)
{
	x64_rec *r = b->rec;
	if (r->n >= r->cap) {
		r->overflow = true;
		return;
	}
	x64_insn *in = &r->insn[r->n++];
	in->off = (uint32_t)start;
	in->len = (uint8_t)(b->len - start);
	snprintf(in->mnem, sizeof in->mnem, "%s", mnem);
	int k = 0, cap = (int)sizeof in->ops;
	in->ops[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && k < cap) k += snprintf(in->ops + k, (size_t)(cap - k), ", ");
		if (k >= cap) break;
		char *o = in->ops + k;
		size_t room = (size_t)(cap - k);
		if (ops[i].kind == X64_OPD_RM) k += x64_fmt_rm(o, room, ops[i].rm, ops[i].size);
		else if (ops[i].kind == X64_OPD_IMM) k += snprintf(o, room, "0x%llx", (unsigned long long)ops[i].imm);
		else k += snprintf(o, room, "%s", ops[i].text);
	}
}
/* x64_rec_put(b, start, mnem, operands...): the one recording call of every instruction helper:
 * logs the bytes written since offset start as `mnem op1, op2, ...` (operands from x64_o_*).
 * Costs one test of b->rec when not recording. */
#define x64_rec_put(b, start, ...) x64_rec_put_(b, start, __VA_ARGS__, )
#define x64_rec_put_(b, start, mnem, ...) \
	do { \
		if (__builtin_expect((b)->rec != NULL, 0)) /* (operands built only when recording) */ \
			x64_rec_write((b), (start), (mnem), (const x64_opd[]){ __VA_ARGS__ }, \
			              sizeof((const x64_opd[]){ __VA_ARGS__ }) / sizeof(x64_opd)); \
	} while (0)

/* ---- the generic encoder ----------------------------------------------------------------- */

/* ModRM (+ SIB + displacement) for reg field `reg` and operand rm, written to t; returns the
 * byte count. rsp/r12 as base need a SIB byte; rbp/r13 as base with no displacement need an
 * explicit disp8 of 0. */
static inline int x64_modrm(uint8_t *t, unsigned reg, x64_rm rm)
{
	if (!rm.mem) {
		t[0] = (uint8_t)(0xC0 | (reg & 7) << 3 | (rm.reg & 7));
		return 1;
	}
	int n = 0;
	bool sib = rm.index != X64_NOREG || (rm.base & 7) == 4;
	int mod = rm.disp32 ? 2 : rm.disp8 ? 1 : (rm.disp == 0 && (rm.base & 7) != 5) ? 0
	        : (rm.disp >= -128 && rm.disp <= 127) ? 1 : 2;
	t[n++] = (uint8_t)(mod << 6 | (reg & 7) << 3 | (sib ? 4 : (rm.base & 7)));
	if (sib) {
		unsigned ss = rm.scale == 8 ? 3 : rm.scale == 4 ? 2 : rm.scale == 2 ? 1 : 0;
		unsigned idx = rm.index == X64_NOREG ? 4 : (rm.index & 7);
		t[n++] = (uint8_t)(ss << 6 | idx << 3 | (rm.base & 7));
	}
	if (mod == 1) t[n++] = (uint8_t)rm.disp;
	else if (mod == 2) {
		memcpy(t + n, &rm.disp, 4);
		n += 4;
	}
	return n;
}

/* Legacy prefix (0, 0x66, 0xF2, 0xF3), REX, opcode bytes, ModRM/SIB/displacement.
 * reg: register number or /digit. byteregs: operands are 8-bit registers (REX needed for
 * spl/bpl/sil/dil). */
static inline void x64_enc(x64_buf *b, uint8_t pfx, bool w, bool byteregs, const uint8_t *opc,
                           int nopc, unsigned reg, x64_rm rm)
{
	uint8_t t[16];
	int n = 0;
	if (pfx) t[n++] = pfx;
	unsigned base = rm.mem ? rm.base : rm.reg;
	unsigned index = rm.mem && rm.index != X64_NOREG ? rm.index : 0;
	uint8_t rex = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((base >> 3) & 1);
	bool force = byteregs && ((reg >= 4 && reg <= 7) || (!rm.mem && rm.reg >= 4 && rm.reg <= 7));
	if (rex != 0x40 || force) t[n++] = rex;
	for (int i = 0; i < nopc; i++) t[n++] = opc[i];
	n += x64_modrm(t + n, reg, rm);
	x64_bytes(b, t, (size_t)n);
}

/* VEX3 (C4) form: map 1=0F 2=0F38 3=0F3A; pp 0=none 1=66 2=F3 3=F2; vvvv = extra register. */
static inline void x64_vex(x64_buf *b, unsigned map, unsigned pp, bool w, unsigned vvvv,
                           uint8_t opc, unsigned reg, x64_rm rm)
{
	unsigned base = rm.mem ? rm.base : rm.reg;
	unsigned index = rm.mem && rm.index != X64_NOREG ? rm.index : 0;
	uint8_t t[16];
	t[0] = 0xC4;
	t[1] = (uint8_t)((!((reg >> 3) & 1)) << 7 | (!((index >> 3) & 1)) << 6 | (!((base >> 3) & 1)) << 5 | map);
	t[2] = (uint8_t)((w ? 0x80 : 0) | ((~vvvv & 15) << 3) | pp);
	t[3] = opc;
	int n = 4 + x64_modrm(t + 4, reg, rm);
	x64_bytes(b, t, (size_t)n);
}

#define X64_OPS(...) (const uint8_t[]){ __VA_ARGS__ }, (int)sizeof((const uint8_t[]){ __VA_ARGS__ })

/* ---- instructions ------------------------------------------------------------------------ */
/* Operand size sz is 8 (64-bit), 4, 2 or 1 bytes. "rm" operands may be registers or memory.
 * Helpers that take an immediate return the buffer offset of its field. */

enum x64_alu { X64_ADD = 0, X64_OR = 1, X64_AND = 4, X64_SUB = 5, X64_XOR = 6, X64_CMP = 7 };
static inline const char *x64_alu_name(enum x64_alu op)
{
	static const char *const n[] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
	return n[op];
}

static inline uint8_t x64_szpfx(int sz) { return sz == 2 ? 0x66 : 0; }

/* op rm, reg  (add/or/and/sub/xor/cmp) */
static inline void x64_alu_rmr(x64_buf *b, enum x64_alu op, int sz, x64_rm dst, enum x64_reg src)
{
	size_t s = b->len;
	x64_enc(b, x64_szpfx(sz), sz == 8, sz == 1, X64_OPS((uint8_t)(op * 8 + (sz == 1 ? 0 : 1))), src, dst);
	x64_rec_put(b, s, x64_alu_name(op), x64_o_rm(dst, sz), x64_o_reg(src, sz));
}
/* op reg, rm */
static inline void x64_alu_rrm(x64_buf *b, enum x64_alu op, int sz, enum x64_reg dst, x64_rm src)
{
	size_t s = b->len;
	x64_enc(b, x64_szpfx(sz), sz == 8, sz == 1, X64_OPS((uint8_t)(op * 8 + (sz == 1 ? 2 : 3))), dst, src);
	x64_rec_put(b, s, x64_alu_name(op), x64_o_reg(dst, sz), x64_o_rm(src, sz));
}
/* op rm, imm32 (sign-extended to 64 for sz 8); always the 4-byte form 81 /op id. */
static inline size_t x64_alu_imm32(x64_buf *b, enum x64_alu op, int sz, x64_rm dst, int32_t imm)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x81), op, dst);
	size_t at = b->len;
	x64_le(b, (uint32_t)imm, 4);
	x64_rec_put(b, s, x64_alu_name(op), x64_o_rm(dst, sz), x64_o_imm(sz == 8 ? (uint64_t)(int64_t)imm : (uint32_t)imm));
	return at;
}
/* op rm, imm8 sign-extended (83 /op ib) */
static inline void x64_alu_imm8(x64_buf *b, enum x64_alu op, int sz, x64_rm dst, int8_t imm)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x83), op, dst);
	x64_byte(b, (uint8_t)imm);
	x64_rec_put(b, s, x64_alu_name(op), x64_o_rm(dst, sz),
	            x64_o_imm(sz == 8 ? (uint64_t)(int64_t)imm : (uint32_t)(int32_t)imm));
}

/* mov rm, reg (sz 1/2/4/8) */
static inline void x64_mov_rmr(x64_buf *b, int sz, x64_rm dst, enum x64_reg src)
{
	size_t s = b->len;
	x64_enc(b, x64_szpfx(sz), sz == 8, sz == 1, X64_OPS(sz == 1 ? 0x88 : 0x89), src, dst);
	x64_rec_put(b, s, "mov", x64_o_rm(dst, sz), x64_o_reg(src, sz));
}
/* mov reg, rm (sz 4/8) */
static inline void x64_mov_rrm(x64_buf *b, int sz, enum x64_reg dst, x64_rm src)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x8B), dst, src);
	x64_rec_put(b, s, "mov", x64_o_reg(dst, sz), x64_o_rm(src, sz));
}
/* mov reg64, reg64 */
static inline void x64_mov(x64_buf *b, enum x64_reg dst, enum x64_reg src) { x64_mov_rmr(b, 8, x64_r(dst), src); }
/* mov reg32, reg32 (zero-extends) */
static inline void x64_mov32(x64_buf *b, enum x64_reg dst, enum x64_reg src) { x64_mov_rmr(b, 4, x64_r(dst), src); }

/* mov rm, imm (C6/C7 /0): sz 1 → imm8, 2 → imm16, 4 → imm32, 8 → imm32 sign-extended. */
static inline size_t x64_mov_rm_imm(x64_buf *b, int sz, x64_rm dst, int64_t imm)
{
	size_t s = b->len;
	x64_enc(b, x64_szpfx(sz), sz == 8, false, X64_OPS(sz == 1 ? 0xC6 : 0xC7), 0, dst);
	size_t at = b->len;
	x64_le(b, (uint64_t)imm, sz == 1 ? 1 : sz == 2 ? 2 : 4);
	x64_rec_put(b, s, "mov", x64_o_rm(dst, sz), x64_o_imm(sz == 1 ? (uint8_t)imm : sz == 2 ? (uint16_t)imm
	            : sz == 4 ? (uint32_t)imm : (uint64_t)(int64_t)(int32_t)imm));
	return at;
}
/* mov reg32, imm32 (B8+r id): zero-extends into the 64-bit register. */
static inline size_t x64_mov_r32_imm(x64_buf *b, enum x64_reg dst, uint32_t imm)
{
	size_t s = b->len;
	if (dst >= 8) x64_byte(b, 0x41);
	x64_byte(b, (uint8_t)(0xB8 + (dst & 7)));
	size_t at = b->len;
	x64_le(b, imm, 4);
	x64_rec_put(b, s, "mov", x64_o_reg(dst, 4), x64_o_imm(imm));
	return at;
}
/* movabs reg64, imm64 (REX.W B8+r io) */
static inline size_t x64_mov_r64_imm64(x64_buf *b, enum x64_reg dst, uint64_t imm)
{
	size_t s = b->len;
	x64_byte(b, (uint8_t)(0x48 | (dst >> 3)));
	x64_byte(b, (uint8_t)(0xB8 + (dst & 7)));
	size_t at = b->len;
	x64_le(b, imm, 8);
	x64_rec_put(b, s, "movabs", x64_o_reg(dst, 8), x64_o_imm(imm));
	return at;
}

/* lea reg, [mem] (sz 4 or 8) */
static inline void x64_lea(x64_buf *b, int sz, enum x64_reg dst, x64_rm m)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x8D), dst, m);
	x64_rec_put(b, s, "lea", x64_o_reg(dst, sz), x64_o_rm(m, 0));
}

/* movzx/movsx reg, rm8/rm16; movsxd reg64, rm32. dsz: destination size 4 or 8. */
static inline void x64_movx(x64_buf *b, bool sign, int dsz, int ssz, enum x64_reg dst, x64_rm src)
{
	size_t s = b->len;
	const char *mn;
	if (ssz == 4) {
		x64_enc(b, 0, true, false, X64_OPS(0x63), dst, src);
		mn = "movsxd";
	} else {
		uint8_t op = (uint8_t)((sign ? 0xBE : 0xB6) + (ssz == 2));
		x64_enc(b, 0, dsz == 8, ssz == 1 && !src.mem, X64_OPS(0x0F, op), dst, src);
		mn = sign ? "movsx" : "movzx";
	}
	x64_rec_put(b, s, mn, x64_o_reg(dst, dsz), x64_o_rm(src, ssz));
}

/* test rm, reg */
static inline void x64_test(x64_buf *b, int sz, x64_rm a, enum x64_reg r)
{
	size_t s = b->len;
	x64_enc(b, x64_szpfx(sz), sz == 8, sz == 1, X64_OPS(sz == 1 ? 0x84 : 0x85), r, a);
	x64_rec_put(b, s, "test", x64_o_rm(a, sz), x64_o_reg(r, sz));
}

/* test rm, imm32 (F7 /0 id) */
static inline void x64_test_imm(x64_buf *b, int sz, x64_rm a, int32_t imm)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0xF7), 0, a);
	x64_le(b, (uint32_t)imm, 4);
	x64_rec_put(b, s, "test", x64_o_rm(a, sz), x64_o_imm((uint32_t)imm));
}

/* Group 2 shifts/rotates. kind: 0 rol, 1 ror, 4 shl, 5 shr, 7 sar. cl: count in cl, else imm8. */
enum x64_shift { X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7 };
static inline const char *x64_shift_name(enum x64_shift k)
{
	static const char *const n[] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
	return n[k];
}
static inline size_t x64_shift_imm(x64_buf *b, enum x64_shift k, int sz, x64_rm dst, uint8_t imm)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0xC1), k, dst);
	size_t at = b->len;
	x64_byte(b, imm);
	x64_rec_put(b, s, x64_shift_name(k), x64_o_rm(dst, sz), x64_o_imm(imm));
	return at;
}
static inline void x64_shift_cl(x64_buf *b, enum x64_shift k, int sz, x64_rm dst)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0xD3), k, dst);
	x64_rec_put(b, s, x64_shift_name(k), x64_o_rm(dst, sz), x64_o_text("cl"));
}

/* Group 3 (F7 /n): 2 not, 3 neg, 4 mul, 5 imul (one operand), 6 div, 7 idiv. */
enum x64_grp3 { X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_IMUL1 = 5, X64_DIV = 6, X64_IDIV = 7 };
static inline void x64_grp3(x64_buf *b, enum x64_grp3 k, int sz, x64_rm a)
{
	static const char *const n[] = { "test", "test", "not", "neg", "mul", "imul", "div", "idiv" };
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0xF7), k, a);
	x64_rec_put(b, s, n[k], x64_o_rm(a, sz));
}

/* imul reg, rm */
static inline void x64_imul(x64_buf *b, int sz, enum x64_reg dst, x64_rm src)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x0F, 0xAF), dst, src);
	x64_rec_put(b, s, "imul", x64_o_reg(dst, sz), x64_o_rm(src, sz));
}
/* imul reg, rm, imm32 */
static inline size_t x64_imul_imm(x64_buf *b, int sz, enum x64_reg dst, x64_rm src, int32_t imm)
{
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x69), dst, src);
	size_t at = b->len;
	x64_le(b, (uint32_t)imm, 4);
	x64_rec_put(b, s, "imul", x64_o_reg(dst, sz), x64_o_rm(src, sz),
	            x64_o_imm(sz == 8 ? (uint64_t)(int64_t)imm : (uint32_t)imm));
	return at;
}

/* cmovcc reg, rm */
static inline void x64_cmov(x64_buf *b, enum x64_cc cc, int sz, enum x64_reg dst, x64_rm src)
{
	static const char *const n[] = { "cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne",
		"cmovbe", "cmova", "cmovs", "cmovns", "cmovp", "cmovnp", "cmovl", "cmovge", "cmovle", "cmovg" };
	size_t s = b->len;
	x64_enc(b, 0, sz == 8, false, X64_OPS(0x0F, (uint8_t)(0x40 + cc)), dst, src);
	x64_rec_put(b, s, n[cc], x64_o_reg(dst, sz), x64_o_rm(src, sz));
}
/* setcc r8 */
static inline void x64_setcc(x64_buf *b, enum x64_cc cc, enum x64_reg dst)
{
	static const char *const n[] = { "seto", "setno", "setb", "setae", "sete", "setne", "setbe",
		"seta", "sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg" };
	size_t s = b->len;
	x64_enc(b, 0, false, true, X64_OPS(0x0F, (uint8_t)(0x90 + cc)), 0, x64_r(dst));
	x64_rec_put(b, s, n[cc], x64_o_reg(dst, 1));
}

/* jcc rel32 / jmp rel32 with a zero placeholder; return the offset of the rel32 field. */
static inline size_t x64_jcc32(x64_buf *b, enum x64_cc cc)
{
	static const char *const n[] = { "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js",
		"jns", "jp", "jnp", "jl", "jge", "jle", "jg" };
	size_t s = b->len;
	x64_byte(b, 0x0F);
	x64_byte(b, (uint8_t)(0x80 + cc));
	x64_le(b, 0, 4);
	x64_rec_put(b, s, n[cc], x64_o_text("rel32"));
	return s + 2;
}
static inline size_t x64_jmp32(x64_buf *b)
{
	size_t s = b->len;
	x64_byte(b, 0xE9);
	x64_le(b, 0, 4);
	x64_rec_put(b, s, "jmp", x64_o_text("rel32"));
	return s + 1;
}
/* jmp reg */
static inline void x64_jmp_reg(x64_buf *b, enum x64_reg r)
{
	size_t s = b->len;
	x64_enc(b, 0, false, false, X64_OPS(0xFF), 4, x64_r(r));
	x64_rec_put(b, s, "jmp", x64_o_reg(r, 8));
}

/* bswap reg64 */
static inline void x64_bswap(x64_buf *b, enum x64_reg r)
{
	size_t s = b->len;
	x64_byte(b, (uint8_t)(0x48 | (r >> 3)));
	x64_byte(b, 0x0F);
	x64_byte(b, (uint8_t)(0xC8 + (r & 7)));
	x64_rec_put(b, s, "bswap", x64_o_reg(r, 8));
}

/* F3 0F xx (popcnt B8, tzcnt BC, lzcnt BD) and 0F BC/BD (bsf/bsr): reg, rm */
static inline void x64_bitcount(x64_buf *b, const char *mn, bool f3, uint8_t op, int sz,
                                enum x64_reg dst, x64_rm src)
{
	size_t s = b->len;
	x64_enc(b, f3 ? 0xF3 : 0, sz == 8, false, X64_OPS(0x0F, op), dst, src);
	x64_rec_put(b, s, mn, x64_o_reg(dst, sz), x64_o_rm(src, sz));
}

/* BMI2 shlx/shrx/sarx dst, src, count: VEX.LZ.{66,F2,F3}.0F38 F7 */
static inline void x64_shiftx(x64_buf *b, enum x64_shift k, int sz, enum x64_reg dst, x64_rm src,
                              enum x64_reg count)
{
	size_t s = b->len;
	unsigned pp = k == X64_SHL ? 1 : k == X64_SHR ? 3 : 2;
	x64_vex(b, 2, pp, sz == 8, count, 0xF7, dst, src);
	x64_rec_put(b, s, k == X64_SHL ? "shlx" : k == X64_SHR ? "shrx" : "sarx", x64_o_reg(dst, sz),
	            x64_o_rm(src, sz), x64_o_reg(count, sz));
}
/* BMI2 rorx dst, src, imm8: VEX.LZ.F2.0F3A F0 ib */
static inline size_t x64_rorx(x64_buf *b, int sz, enum x64_reg dst, x64_rm src, uint8_t imm)
{
	size_t s = b->len;
	x64_vex(b, 3, 3, sz == 8, 0, 0xF0, dst, src);
	size_t at = b->len;
	x64_byte(b, imm);
	x64_rec_put(b, s, "rorx", x64_o_reg(dst, sz), x64_o_rm(src, sz), x64_o_imm(imm));
	return at;
}
/* BMI1 andn dst, a, b: dst = ~a & b (VEX.LZ.0F38 F2) */
static inline void x64_andn(x64_buf *b, int sz, enum x64_reg dst, enum x64_reg a, x64_rm src)
{
	size_t s = b->len;
	x64_vex(b, 2, 0, sz == 8, a, 0xF2, dst, src);
	x64_rec_put(b, s, "andn", x64_o_reg(dst, sz), x64_o_reg(a, sz), x64_o_rm(src, sz));
}

/* cqo / cdq: sign-extend rax/eax into rdx/edx */
static inline void x64_cqo(x64_buf *b, int sz)
{
	size_t s = b->len;
	if (sz == 8) x64_byte(b, 0x48);
	x64_byte(b, 0x99);
	x64_rec_put(b, s, sz == 8 ? "cqo" : "cdq");
}

static inline void x64_push(x64_buf *b, enum x64_reg r)
{
	size_t s = b->len;
	if (r >= 8) x64_byte(b, 0x41);
	x64_byte(b, (uint8_t)(0x50 + (r & 7)));
	x64_rec_put(b, s, "push", x64_o_reg(r, 8));
}
static inline void x64_pop(x64_buf *b, enum x64_reg r)
{
	size_t s = b->len;
	if (r >= 8) x64_byte(b, 0x41);
	x64_byte(b, (uint8_t)(0x58 + (r & 7)));
	x64_rec_put(b, s, "pop", x64_o_reg(r, 8));
}
static inline void x64_ret(x64_buf *b)
{
	size_t s = b->len;
	x64_byte(b, 0xC3);
	x64_rec_put(b, s, "ret");
}
static inline void x64_int3(x64_buf *b)
{
	size_t s = b->len;
	x64_byte(b, 0xCC);
	x64_rec_put(b, s, "int3");
}

#endif
