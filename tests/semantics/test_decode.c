/* tests/semantics/test_decode.c: the spec's decoding (semantics/decode.c) against the decoder
 * (pvm/decode.c over pvm/fields.c), by enumeration, in both revisions:
 *   - every form (its first instruction in the revision): byte 1 all 256 values (both register
 *     nibbles 0-15, every X length 0-7 → 0..4), byte 2 all 256 values where the form reads it
 *     (rD 0-255, REG2_IMM2's X length), every skip 0..24, the operand bytes with every sign bit
 *     clear / set / mixed, the code ending right after the instruction (fields past the code read
 *     0) or another instruction following (fields overlapping it), at pc 0 and at pc 5;
 *   - every instruction of the revision: byte 1 all 256 values, every skip, two sign patterns;
 *   - random whole programs (random bytes and bitmasks, gaps over 24): at every pc the instruction,
 *     skip, operands, instruction starts and basic-block starts ϖ, and deblob's record against
 *     pvm_decode_at's.
 * Compared: opcode, next, and each operand the form gives (sem_form_operands, itself checked
 * against pvm_form_operands). Coverage is asserted: every field length 0..4 of every variable
 * field, with the sign bit set and clear, and every register field value 0..15 in every role.
 * `sem_decode SPEC` prints "sem_decode: N decodings compared, 0 differ". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "semantics/sem.h"

static long compared, differ;

typedef struct cov {
	uint8_t len[3][5][2]; /* [X, Y, T][length][sign bit of the top byte] seen */
	uint16_t regs[3];     /* [A, B, D]: field values 0..15 seen */
} cov;
static cov covs[PVM_ISA_COUNT][PVM_FORM_COUNT];

static void fail(const pvm_program *p, uint32_t pc, const char *what, uint64_t dec, uint64_t model)
{
	if (differ++ < 20) {
		printf("DIFFER %s pc %u: %s: decoder 0x%" PRIx64 ", spec's decoding 0x%" PRIx64 "; bytes", pvm_isa_name(p->isa),
		       pc, what, dec, model);
		for (uint32_t i = pc; i < p->code_len && i < pc + 16; i++) printf(" %02x", p->code[i]);
		printf(" (code_len %u)\n", p->code_len);
	}
}

/* Compare the two decodings of the instruction at pc. */
static void compare(const sem_spec *sp, const pvm_program *p, uint32_t pc)
{
	pvm_inst a = pvm_decode_at(p, pc), b = sem_decode(sp, p, pc);
	compared++;
	if (a.op != b.op) return fail(p, pc, "opcode", a.op, b.op);
	if (a.next != b.next && pc <= p->code_len) fail(p, pc, "next", a.next, b.next);
	if (a.op == PVM_OP_trap && !sem_is_instruction(p, pc)) return;
	uint16_t u = sem_form_operands(pvm_ops[a.op].form);
	if (u >> SEM_RA & 1 && a.ra != b.ra) fail(p, pc, "rA", a.ra, b.ra);
	if (u >> SEM_RB & 1 && a.rb != b.rb) fail(p, pc, "rB", a.rb, b.rb);
	if (u >> SEM_RD & 1 && a.rd != b.rd) fail(p, pc, "rD", a.rd, b.rd);
	if (u >> SEM_IMM & 1 && a.imm != b.imm) fail(p, pc, "X", a.imm, b.imm);
	if (u >> SEM_IMM2 & 1 && a.imm2 != b.imm2) fail(p, pc, "Y", a.imm2, b.imm2);
	if (u >> SEM_TARGET & 1 && a.target != b.target) fail(p, pc, "target", a.target, b.target);
}

/* Record which lengths, signs and register field values the instruction at pc has (read with
 * the decoder's own field reader, which reports lengths). */
static void note(const pvm_program *p, uint32_t pc, unsigned skip)
{
	int op = pvm_op_decode(p->isa, p->code[pc]);
	unsigned form = pvm_ops[op].form;
	const pvm_forminfo *fi = &pvm_forms[form];
	pvm_fields f;
	pvm_fields_decode(form, p->code, p->code_len, pc, skip, &f);
	cov *c = &covs[p->isa][form];
	bool has[3] = { fi->f1 == PVM_FR_X && fi->f1_len != PVM_FR_EIGHT, fi->f2 == PVM_FR_Y,
	                fi->f1 == PVM_FR_T || fi->f2 == PVM_FR_T };
	uint64_t val[3] = { f.x, f.y, f.off };
	unsigned w[3] = { f.wx, f.wy, f.wt };
	for (int k = 0; k < 3; k++)
		if (has[k]) c->len[k][w[k]][w[k] && (val[k] >> (8 * w[k] - 1) & 1)] = 1;
	if (fi->f1_len == PVM_FR_EIGHT) c->len[0][4][f.x >> 63] = 1; /* load_imm_64: 8 bytes, counted as the widest */
	uint8_t rv[3] = { f.ra, f.rb, f.rd };
	for (int k = 0; k < 3; k++)
		if (fi->regs >> k & 1) c->regs[k] |= (uint16_t)(1u << (rv[k] & 15));
}

enum { MAXCODE = 64 };

typedef struct prog {
	pvm_program p;
	uint8_t code[MAXCODE], mask[MAXCODE / 8];
} prog;

/* An instruction of opcode byte `byte` at pc `at` (0 or 5: a trap before it then padding), bytes
 * 1 and 2 given, the rest from pattern, skip l; `tail`: another instruction at at + 1 + l and
 * more code after it, else the code ends there. */
static void build(prog *g, pvm_isa isa, uint32_t at, uint8_t byte, uint8_t b1, uint8_t b2, int pattern, unsigned l,
                  bool tail, uint64_t *rng)
{
	memset(g, 0, sizeof *g);
	g->p.isa = isa;
	g->p.code = g->code;
	g->p.bitmask = g->mask;
	uint32_t len = at + 1 + l + (tail ? 12 : 0);
	g->p.code_len = len;
	for (uint32_t i = 0; i < len; i++) {
		unsigned k = i - at;
		uint8_t v;
		if (pattern == 0) v = (uint8_t)((0x13 + 0x25 * k) & 0x7f); /* every sign bit clear */
		else if (pattern == 1) v = (uint8_t)(0x80 | (0x13 + 0x25 * k)); /* every sign bit set */
		else {
			*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
			v = (uint8_t)*rng;
		}
		g->code[i] = v;
	}
	if (at) g->code[0] = pvm_byte(isa, PVM_OP_trap), g->mask[0] = 1;
	g->code[at] = byte;
	if (at + 1 < len) g->code[at + 1] = b1;
	if (at + 2 < len) g->code[at + 2] = b2;
	g->mask[at / 8] |= (uint8_t)(1u << (at % 8));
	if (tail) g->mask[(at + 1 + l) / 8] |= (uint8_t)(1u << ((at + 1 + l) % 8));
}

/* The form's own enumeration (opcode `op`), or the lighter one of every instruction. */
static void enumerate(const sem_spec *sp, pvm_isa isa, unsigned op, bool full, uint64_t *rng)
{
	unsigned form = pvm_ops[op].form;
	const pvm_forminfo *fi = &pvm_forms[form];
	bool reads_b2 = fi->b2 != PVM_FR_NOB;
	uint8_t byte = pvm_byte(isa, op);
	static prog g;
	for (uint32_t at = 0; at <= (full ? 5u : 0u); at += 5)
		for (unsigned l = 0; l <= 24; l++)
			for (int pattern = 0; pattern < (full ? 3 : 2); pattern++)
				for (int tail = 0; tail < (full ? 2 : 1); tail++) {
					/* byte 2's 256 values at pc 0 with the two sign patterns (enough: it is a register
					 * or a length, whose meaning does not depend on where the instruction is) */
					bool all_b2 = full && reads_b2 && at == 0 && pattern < 2;
					for (unsigned b1 = 0; b1 < 256; b1++)
						for (unsigned b2 = 0; b2 < (all_b2 ? 256u : 1u); b2++) {
							uint8_t v2 = all_b2 ? (uint8_t)b2 : (uint8_t)(pattern ? 0x93 : 0x13);
							build(&g, isa, at, byte, (uint8_t)b1, v2, pattern, l, tail, rng);
							compare(sp, &g.p, at);
							if (full) note(&g.p, at, l);
						}
				}
}

/* Random programs through the whole deblob (pvm_program_decode): every pc's instruction and
 * the block starts. */
static void random_programs(const sem_spec *sp, pvm_isa isa, unsigned n, uint64_t *rng)
{
	for (unsigned k = 0; k < n; k++) {
		uint8_t blob[2 + 5 + 200 + 25]; /* table length and width, E(len) (at most 5 bytes), code, mask */
		*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
		uint32_t len = 1 + (uint32_t)(*rng % 200);
		unsigned density = 1 + (unsigned)(*rng >> 20) % 12; /* 1: a set bit in 1 of 2 bytes .. gaps over 24 */
		size_t m = 0;
		blob[m++] = 0;
		blob[m++] = 0;
		m += pvm_varint_encode(len, blob + m);
		uint8_t *code = blob + m, *mask = blob + m + len;
		memset(mask, 0, (len + 7) / 8);
		for (uint32_t i = 0; i < len; i++) {
			*rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
			unsigned pick = (unsigned)(*rng >> 8) % 4;
			/* opcode bytes: mostly instructions of the revision, terminators often */
			code[i] = pick == 0 ? (uint8_t)(*rng >> 16)
			        : pick == 1 ? pvm_byte(isa, pvm_isa_ops(isa)[(*rng >> 24) % 8])
			                    : pvm_byte(isa, pvm_isa_ops(isa)[(*rng >> 24) % PVM_NUM_OPCODES]);
			if (i == 0 || (*rng >> 40) % (density * (density > 8 ? 4 : 1)) == 0) mask[i / 8] |= (uint8_t)(1u << (i % 8));
		}
		m += len + (len + 7) / 8;
		pvm_program p;
		pvm_errbuf e;
		if (pvm_program_decode_isa(&p, isa, blob, m, "random", &e) != PVM_OK) {
			printf("cannot decode a random program: %s\n", e.msg);
			differ++;
			return;
		}
		for (uint32_t pc = 0; pc <= p.code_len + 2; pc++) {
			if (pc <= p.code_len) compare(sp, &p, pc);
			/* deblob's record, decoded in place in the code's zero padding, is pvm_decode_at's
			 * (decoded from a zero-padded copy), byte for byte */
			pvm_inst at = pvm_decode_at(&p, pc);
			if (pc <= p.code_len && memcmp(&at, &p.inst[pc], sizeof at))
				fail(&p, pc, "deblob's record against pvm_decode_at's (opcode)", p.inst[pc].op, at.op);
			bool start = pc < p.code_len && p.is_start[pc] && pvm_op_decode(isa, p.code[pc]) >= 0;
			if (start != sem_is_instruction(&p, pc)) fail(&p, pc, "an instruction starts here", start, !start);
			bool blk = pc <= p.code_len && p.is_block[pc];
			if (blk != sem_is_block(sp, &p, pc)) fail(&p, pc, "a basic-block start", blk, !blk);
			if (pc <= p.code_len && p.inst[pc].next != pc + 1 + sem_skip(&p, pc))
				fail(&p, pc, "next (skip)", p.inst[pc].next, pc + 1 + sem_skip(&p, pc));
			if (pc <= p.code_len && pvm_block_of(&p, pc) != sem_block_of(sp, &p, pc))
				fail(&p, pc, "L(pc)", pvm_block_of(&p, pc), sem_block_of(sp, &p, pc));
		}
		pvm_program_fini(&p);
	}
}

/* Every variable field of every form took every length 0..4 with its top bit set and clear
 * (length 0: once), every register field every value 0..15. */
static int check_coverage(pvm_isa isa)
{
	static const char *const fname[3] = { "X", "Y", "T" }, *const rname[3] = { "rA", "rB", "rD" };
	int bad = 0;
	for (unsigned form = 0; form < PVM_FORM_COUNT; form++) {
		const pvm_forminfo *fi = &pvm_forms[form];
		const cov *c = &covs[isa][form];
		bool has[3] = { fi->f1 == PVM_FR_X, fi->f2 == PVM_FR_Y, fi->f1 == PVM_FR_T || fi->f2 == PVM_FR_T };
		bool eight = fi->f1_len == PVM_FR_EIGHT;
		for (int k = 0; k < 3; k++)
			for (unsigned n = eight && k == 0 ? 4 : 0; has[k] && n <= 4; n++)
				for (int s = 0; s < (n ? 2 : 1); s++)
					if (!c->len[k][n][s]) {
						printf("COVERAGE %s %s: %s of %u bytes with the sign bit %s never decoded\n", pvm_isa_name(isa),
						       fi->name, fname[k], eight ? 8 : n, s ? "set" : "clear");
						bad++;
					}
		for (int k = 0; k < 3; k++)
			if (fi->regs >> k & 1 && c->regs[k] != 0xffff) {
				printf("COVERAGE %s %s: %s field values 0x%04x of 0..15\n", pvm_isa_name(isa), fi->name, rname[k], c->regs[k]);
				bad++;
			}
	}
	return bad;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: sem_decode SPEC\n");
		return 2;
	}
	int bad = 0;
	/* the operands each form gives: the spec's decoding and the table say the same */
	for (unsigned form = 0; form < PVM_FORM_COUNT; form++) {
		static const struct { char letter; uint8_t operand; } map[] = {
			{ 'A', SEM_RA }, { 'B', SEM_RB }, { 'D', SEM_RD }, { 'X', SEM_IMM }, { 'Y', SEM_IMM2 }, { 'T', SEM_TARGET },
		};
		uint16_t t = 0;
		for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
			if (strchr(pvm_form_operands(form), map[i].letter)) t |= (uint16_t)(1u << map[i].operand);
		if (t != sem_form_operands(form)) {
			printf("form %s: operands 0x%x in pvm/forms.def, 0x%x in semantics/decode.c\n", pvm_forms[form].name, t,
			       sem_form_operands(form));
			bad++;
		}
	}
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) {
		pvm_errbuf e;
		sem_spec *sp = sem_spec_load_isa(argv[1], (pvm_isa)isa, &e);
		if (!sp || sem_spec_check_table(sp, (pvm_isa)isa, &e) != SEM_OK) {
			printf("%s\n", e.msg);
			sem_spec_free(sp);
			return 1;
		}
		bool done[PVM_FORM_COUNT] = { false };
		for (unsigned i = 0; i < PVM_NUM_OPCODES; i++) {
			unsigned op = pvm_isa_ops((pvm_isa)isa)[i];
			unsigned form = pvm_ops[op].form;
			enumerate(sp, (pvm_isa)isa, op, !done[form], &rng);
			done[form] = true;
		}
		random_programs(sp, (pvm_isa)isa, 3000, &rng);
		bad += check_coverage((pvm_isa)isa);
		sem_spec_free(sp);
	}
	printf("sem_decode: %ld decodings compared, %ld differ\n", compared, differ);
	return bad || differ ? 1 : 0;
}
