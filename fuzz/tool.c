/* fuzz/tool.c: `jitproof-fuzz-tool`, the seed-corpus and dictionary maker used by fuzz/run.sh:
 *   blob VECTOR OUT      the vector's program blob (a seed for fuzz_blob)
 *   diff VECTOR OUT      the vector as a raw differential input (a seed for fuzz_diff)
 *   diff08 VECTOR OUT    a GP 0.8 step vector's program, registers and gas as a raw GP 0.8.0
 *                        differential input (its memory is fuzz_diff's own)
 *   dict asm|spec|json|trace  a libFuzzer/AFL dictionary: from the tables (opcodes, spec operators),
 *                        the JSON keys, or the JIP-7 trace format's keywords */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz/fuzz.h"
#include "semantics/sem.h"

static int write_out(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n) {
		fprintf(stderr, "%s: cannot write\n", path);
		if (f) fclose(f);
		return 2;
	}
	return fclose(f) ? 2 : 0;
}

/* One dictionary entry: "..." with quotes, backslashes and non-printing bytes as \xHH. */
static void entry(const char *pre, const char *w, const char *post)
{
	putchar('"');
	for (const char *parts[3] = { pre, w, post }, **q = parts; q < parts + 3; q++)
		for (const unsigned char *c = (const unsigned char *)*q; *c; c++) {
			if (*c < 0x20 || *c >= 0x7f || *c == '"' || *c == '\\') printf("\\x%02x", *c);
			else putchar(*c);
		}
	puts("\"");
}

static int dict(const char *kind)
{
	if (!strcmp(kind, "asm")) {
		for (size_t i = 0; i < PVM_NUM_OPS; i++) entry("", pvm_ops[i].name, " "); /* (both revisions' names) */
		static const char *const words[] = { ".name ", ".gas ", ".pc ", ".reg ", ".page ", ".mem ", ".jumptable ",
		                                     ".jtwidth ", ".raw ", ".pad ", ".expect ", "status ", "halt", "panic",
		                                     "out-of-gas", "page-fault ", "host-call ", "@jt(", "@halt", " rw", " ro",
		                                     "r0", "r7", "r12", ":4", "0x", "-0x80000000", ":\n", "\\x" };
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) entry("", words[i], "");
		return 0;
	}
	if (!strcmp(kind, "spec")) {
		for (int i = 0; i < SEM_NUM_OPS; i++) entry("(", sem_op_names[i], " ");
		for (int i = 0; i < SEM_NUM_OPERANDS; i++) entry(" ", sem_operand_names[i], "");
		static const char *const words[] = { "- name: ", "form: ", "terminator: true", "semantics: |\n",
		                                     "instructions:\n", "version: 1\n", "(_ bv0 64)", "#x", "reg3", "reg2_imm" };
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) entry("", words[i], "");
		return 0;
	}
	if (!strcmp(kind, "json")) {
		static const char *const keys[] = { "name", "initial-regs", "initial-pc", "initial-page-map", "initial-memory",
		                                    "initial-gas", "program", "expected-status", "expected-regs",
		                                    "expected-pc", "expected-memory", "expected-gas",
		                                    "expected-page-fault-address", "expected-host-call-id", "address",
		                                    "length", "is-writable", "contents" };
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) entry("\"", keys[i], "\": ");
		static const char *const words[] = { "halt", "panic", "page-fault", "out-of-gas", "host-call", "true",
		                                     "false", "[]", "{}", "18446744073709551615" };
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) entry("", words[i], "");
		return 0;
	}
	if (!strcmp(kind, "trace")) { /* the keywords of pvm/trace.c's known lines and their fields */
		static const char *const words[] = { "program 0x", "memwrite 0x", "memread 0x", "start pc=", "ecalli=",
		                                     "setreg r", "setgas <-", "HALT pc=", "OOG pc=", "PANIC=", " gas=",
		                                     " len=", " <- 0x", " -> 0x", "r07=0x", "\n", "TRACE [  ecalli] " };
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) entry("", words[i], "");
		return 0;
	}
	fprintf(stderr, "jitproof-fuzz-tool: dict: unknown kind '%s' (asm, spec, json, trace)\n", kind);
	return 2;
}

static uint16_t gas16(int64_t gas) { return gas < 0 ? 0 : gas > 65535 ? 65535 : (uint16_t)gas; }

/* diff08: the registers the steps set before the first run, the gas, the program. */
static int diff08(const char *path, const char *out)
{
	pvm_vector08 v;
	pvm_errbuf e;
	if (pvm_vector08_read(&v, path, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	uint64_t regs[PVM_NUM_REGS] = { 0 };
	for (size_t i = 0; i < v.n_steps && v.steps[i].kind != PVM_STEP_RUN; i++)
		if (v.steps[i].kind == PVM_STEP_SET_REG) regs[v.steps[i].reg] = v.steps[i].value;
	uint8_t mem[64] = { 0 }, *b;
	size_t n;
	fuzz_encode_raw(PVM_ISA_080, v.program, v.program_len, regs, gas16(v.initial_gas), mem, &b, &n);
	int rc = write_out(out, b, n);
	free(b);
	pvm_vector08_fini(&v);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "dict")) return dict(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "diff08")) return diff08(argv[2], argv[3]);
	if (argc != 4 || (strcmp(argv[1], "blob") && strcmp(argv[1], "diff"))) {
		fprintf(stderr, "usage: jitproof-fuzz-tool blob|diff|diff08 VECTOR OUT | dict asm|spec|json|trace\n");
		return 2;
	}
	pvm_vector v;
	pvm_errbuf e;
	if (pvm_vector_read(&v, argv[2], &e)) {
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	int rc;
	if (!strcmp(argv[1], "blob")) {
		rc = write_out(argv[3], v.program, v.program_len);
	} else {
		uint8_t mem[64] = { 0 };
		pvm_state s;
		pvm_vector_initial_state(&v, &s);
		pvm_mem_peek(s.mem, FUZZ_RW, mem, 64);
		pvm_state_fini(&s);
		uint8_t *b;
		size_t n;
		fuzz_encode_raw(PVM_ISA_072, v.program, v.program_len, v.initial_regs, gas16(v.initial_gas), mem, &b, &n);
		rc = write_out(argv[3], b, n);
		free(b);
	}
	pvm_vector_fini(&v);
	return rc;
}
