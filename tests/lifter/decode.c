/* tests/lifter/decode.c: decode cross-check. Every JIT template (all 139 opcodes, every register
 * assignment of the fields the opcode uses, several immediates, with and without BMI/LZCNT/POPCNT)
 * is decoded by the lifter's Capstone (lift_decode); the instruction list must equal what the
 * encoder recorded: same offsets, lengths, mnemonics and operand text.
 * Prints the first differences and "decode: N passed, N failed". */
#include <stdlib.h>
#include <string.h>
#include "jit/jit.h"
#include "lifter/lift.h"

/* Operand text with every number (decimal, hex, negative) rewritten as 0x<64-bit value>, so that
 * "5", "0x5" and "-0x1"/"0xffffffffffffffff" compare equal (negative numbers taken modulo the
 * first operand's width: "cmp ecx, -1" is "cmp ecx, 0xffffffff"), and a zero displacement is dropped
 * ([rbx + 0x0] = [rbx]); "rel32" (a branch the encoder left for patching) stands for any number. */
static unsigned first_width(const char *s)
{
	char op[64];
	size_t n = strcspn(s, ",");
	snprintf(op, sizeof op, "%.*s", (int)(n < 63 ? n : 63), s);
	if (strstr(op, "qword ptr")) return 64;
	if (strstr(op, "dword ptr")) return 32;
	if (strstr(op, "word ptr")) return 16;
	if (strstr(op, "byte ptr")) return 8;
	size_t l = strlen(op);
	if (!l) return 64;
	if (op[0] == 'e' || (op[0] == 'r' && op[l - 1] == 'd')) return 32;
	if (op[0] == 'r' && op[l - 1] == 'w') return 16;
	if ((op[0] == 'r' && op[l - 1] == 'b') || op[l - 1] == 'l' || op[l - 1] == 'h') return 8;
	if (l == 2 && op[0] != 'r') return 16;
	return 64;
}

static void norm(const char *s, char *out, size_t n, bool wild)
{
	unsigned w = first_width(s);
	uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
	size_t k = 0;
	while (*s && k + 24 < n) {
		bool neg = *s == '-' && s[1] >= '0' && s[1] <= '9';
		const char *p = neg ? s + 1 : s;
		bool start = s == out || k == 0 || out[k - 1] == ' ' || out[k - 1] == '[' || out[k - 1] == ',';
		if (start && *p >= '0' && *p <= '9') {
			char *end;
			unsigned long long v = strtoull(p, &end, 0);
			k += (size_t)snprintf(out + k, n - k, "0x%llx", neg ? (0ull - v) & mask : v);
			s = end;
		} else if (wild && start && !strncmp(s, "rel32", 5)) {
			k += (size_t)snprintf(out + k, n - k, "#");
			s += 5;
		} else {
			out[k++] = *s++;
		}
	}
	out[k] = 0;
	char *z;
	while ((z = strstr(out, " + 0x0]"))) memmove(z, z + 6, strlen(z + 6) + 1); /* [r + 0] = [r] */
}

static bool same_ops(const char *cs, const char *enc, bool branch)
{
	char a[256], b[256];
	norm(cs, a, sizeof a, false);
	norm(enc, b, sizeof b, true);
	if (branch && !strcmp(b, "#")) return true;
	return !strcmp(a, b);
}

int main(void)
{
	Z3_config cfg = Z3_mk_config();
	Z3_context z = Z3_mk_context(cfg);
	Z3_del_config(cfg);
	lift_ctx *lc = lift_new(z);
	jit_tpl *t = malloc(sizeof *t);
	lift_insn ins[JIT_TPL_MAX_INSNS + 1];
	size_t ok = 0, bad = 0, insns = 0;
	static const uint64_t imms[] = { 0, 5, 0xffffffffffffff80ull, 0x7fffffff, 0xffffffff80000000ull, 63 };
	const jit_features feats[2] = { { true, true, true, true }, { false, false, false, false } };
	if (!lc || !t) return 1;
	for (size_t k = 0; k < PVM_NUM_OPCODES; k++) {
		unsigned op = pvm_isa_ops(PVM_ISA_072)[k], used = pvm_form_regs(pvm_ops[op].form);
		jit_imm_class cls[8];
		size_t ncls = jit_op_classes(op, cls, 8);
		for (unsigned r = 0; r < 13 * 13 * 13; r++) {
			unsigned ra = r % 13, rb = r / 13 % 13, rd = r / 169;
			if ((!(used & 1) && ra) || (!(used & 2) && rb) || (!(used & 4) && rd)) continue;
			for (size_t fi = 0; fi < 2; fi++)
				for (size_t c = 0; c < ncls; c++) {
					size_t ii = r % (sizeof imms / sizeof imms[0]);
					pvm_inst in = { .op = (uint8_t)op, .ra = (uint8_t)ra, .rb = (uint8_t)rb, .rd = (uint8_t)rd,
							.pc = 100, .next = 110, .target = 200, .imm = imms[ii],
							.imm2 = imms[(ii + 2) % 6] };
					if (!jit_class_holds(cls[c], in.imm, in.imm2) ||
					    jit_emit_template(&in, cls[c], feats[fi], t) != JIT_OK)
						continue;
					size_t n;
					bool same = lift_decode(lc, t->bytes, t->len, 0, ins, JIT_TPL_MAX_INSNS + 1, &n) == LIFT_OK &&
						    n == t->n_insns;
					for (size_t i = 0; same && i < n; i++)
						same = ins[i].addr == t->insns[i].off && ins[i].size == t->insns[i].len &&
						       !strcmp(ins[i].mnemonic, t->insns[i].mnem) &&
						       same_ops(ins[i].op_str, t->insns[i].ops, ins[i].mnemonic[0] == 'j');
					insns += n;
					if (same) {
						ok++;
						continue;
					}
					if (bad++ < 10) {
						fprintf(stderr, "%s ra=%u rb=%u rd=%u %s: Capstone and the encoder log differ\n",
							pvm_ops[op].name, ra, rb, rd, fi ? "portable" : "bmi");
						for (size_t i = 0; i < n || i < t->n_insns; i++)
							fprintf(stderr, "   capstone: %-8s %-36s | encoder: %-8s %s\n",
								i < n ? ins[i].mnemonic : "", i < n ? ins[i].op_str : "",
								i < t->n_insns ? t->insns[i].mnem : "", i < t->n_insns ? t->insns[i].ops : "");
					}
				}
		}
	}
	printf("decode: %zu templates, %zu instructions compared\n", ok + bad, insns);
	printf("decode: %zu passed, %zu failed\n", ok, bad);
	free(t);
	lift_free(lc);
	Z3_del_context(z);
	return bad || !ok;
}
