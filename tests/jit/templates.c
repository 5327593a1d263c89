/* tests/jit/templates.c: every template (139 opcodes × register assignments over the special
 * host registers × feature sets) decoded by Capstone must match what the encoder recorded
 * (instruction boundaries and mnemonics); immediate fields must hold the reported encoding of
 * X/Y and be the only bytes that change with them; exits must be rel32 jumps recording the pc, the
 * target (branches) and X (host calls), and no byte may depend on pc or target. Also checks a
 * compiled block's pc map and gas prologue (sub ; jl, its out-of-gas stub adding the cost back),
 * and that a program's trampolines are a fresh emission's. Prints "templates: N passed, N failed". */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "jit/jit.h"

static size_t failures, checked;

#define FAIL(...) do { if (failures++ < 20) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static uint64_t field_value(jit_imm_enc enc, uint64_t v)
{
	switch (enc) {
	case JIT_IMM_SEXT32: case JIT_IMM_LOW32: return v & 0xffffffffu;
	case JIT_IMM_64: return v;
	case JIT_IMM_LOW16: return v & 0xffff;
	case JIT_IMM_LOW8: return v & 0xff;
	case JIT_IMM_LOW8_MASK63: return v & 63;
	case JIT_IMM_LOW8_MASK31: return v & 31;
	}
	return ~0ull;
}

static const char *op_name(unsigned op) { return pvm_ops[op].name; }

static void check_one(csh cs, const pvm_inst *in, jit_features f, const char *fname)
{
	jit_tpl t, t2;
	if (jit_emit_template(in, JIT_CLASS_ANY, f, &t) != JIT_OK) {
		FAIL("%s %s r%u r%u r%u: emit failed", op_name(in->op), fname, in->ra, in->rb, in->rd);
		return;
	}
	checked++;
	/* without the listing: the same bytes, fields and exits (the validator's keys and twin check) */
	if (jit_emit_template_code(in, JIT_CLASS_ANY, f, &t2) != JIT_OK || t2.len != t.len || memcmp(t2.bytes, t.bytes, t.len) ||
	    t2.n_imms != t.n_imms || memcmp(t2.imms, t.imms, t.n_imms * sizeof t.imms[0]) || t2.n_exits != t.n_exits ||
	    memcmp(t2.exits, t.exits, t.n_exits * sizeof t.exits[0]) || t2.n_insns != 0)
		FAIL("%s %s r%u r%u r%u: jit_emit_template_code differs from jit_emit_template", op_name(in->op), fname, in->ra,
		     in->rb, in->rd);
	cs_insn *ci;
	size_t n = t.len ? cs_disasm(cs, t.bytes, t.len, 0, 0, &ci) : 0;
	size_t off = 0;
	bool ok = n == t.n_insns;
	for (size_t i = 0; ok && i < n; i++) {
		ok = ci[i].address == t.insns[i].off && ci[i].size == t.insns[i].len &&
		     !strcmp(ci[i].mnemonic, t.insns[i].mnem);
		off += ci[i].size;
	}
	if (!ok || off != t.len) {
		FAIL("%s %s ra=%u rb=%u rd=%u: capstone disagrees with the encoder log", op_name(in->op),
		     fname, in->ra, in->rb, in->rd);
		for (size_t i = 0; i < n || i < t.n_insns; i++)
			fprintf(stderr, "   cs: %-8s %-30s | enc: %-8s %s\n", i < n ? ci[i].mnemonic : "",
			        i < n ? ci[i].op_str : "", i < t.n_insns ? t.insns[i].mnem : "",
			        i < t.n_insns ? t.insns[i].ops : "");
	}
	if (n) cs_free(ci, n);
	/* immediate fields hold the reported encoding */
	for (size_t i = 0; i < t.n_imms; i++) {
		const jit_imm_field *fl = &t.imms[i];
		uint64_t v = 0;
		for (unsigned k = 0; k < fl->width; k++) v |= (uint64_t)t.bytes[fl->off + k] << (8 * k);
		uint64_t want = field_value(fl->enc, fl->which ? in->imm2 : in->imm);
		if (fl->width < 8) want &= (1ull << (8 * fl->width)) - 1;
		if (v != want) FAIL("%s: immediate field %zu holds 0x%" PRIx64 ", want 0x%" PRIx64,
		                    op_name(in->op), i, v, want);
	}
	/* only the fields change when the immediates change */
	pvm_inst in2 = *in;
	in2.imm = ~in->imm ^ 0x5a5a;
	in2.imm2 = ~in->imm2 ^ 0x3c3c;
	if (pvm_ops[in->op].form != PVM_FORM_REG_IMM64) {
		in2.imm = pvm_sext(in2.imm & 0xffffffffu, 4);
		in2.imm2 = pvm_sext(in2.imm2 & 0xffffffffu, 4);
	}
	if (jit_emit_template(&in2, JIT_CLASS_ANY, f, &t2) != JIT_OK || t2.len != t.len) {
		FAIL("%s: template length depends on the immediate", op_name(in->op));
		return;
	}
	for (size_t b = 0; b < t.len; b++) {
		bool in_field = false;
		for (size_t i = 0; i < t.n_imms; i++)
			if (b >= t.imms[i].off && b < t.imms[i].off + t.imms[i].width) in_field = true;
		if (!in_field && t.bytes[b] != t2.bytes[b]) {
			FAIL("%s %s: byte %zu changes with the immediate but is in no field", op_name(in->op), fname, b);
			break;
		}
	}
	/* an exit records the instruction's pc, its target (branches only) and X (host calls only),
	 * and the bytes do not depend on pc or target: what lets jit/compile.c copy a template */
	for (size_t i = 0; i < t.n_exits; i++) {
		const jit_exit *x = &t.exits[i];
		if (x->pc != in->pc || x->target != (x->kind == JIT_EXIT_BRANCH ? in->target : 0) ||
		    x->arg != (x->kind == JIT_EXIT_HOST ? (uint32_t)in->imm : 0))
			FAIL("%s %s: exit %zu records other than pc, target (branch) and X (host call)", op_name(in->op), fname, i);
	}
	pvm_inst in3 = *in;
	in3.pc = ~in->pc;
	in3.next = ~in->next;
	in3.target = ~in->target;
	if (jit_emit_template(&in3, JIT_CLASS_ANY, f, &t2) != JIT_OK || t2.len != t.len || memcmp(t2.bytes, t.bytes, t.len))
		FAIL("%s %s: the template's bytes depend on its pc or target", op_name(in->op), fname);
	/* exits are rel32 jumps with zero placeholders */
	for (size_t i = 0; i < t.n_exits; i++) {
		const jit_exit *x = &t.exits[i];
		bool jmp = x->off >= 1 && t.bytes[x->off - 1] == 0xE9;
		bool jcc = x->off >= 2 && t.bytes[x->off - 2] == 0x0F && (t.bytes[x->off - 1] & 0xF0) == 0x80;
		uint32_t rel;
		memcpy(&rel, t.bytes + x->off, 4);
		if (!(jmp || jcc) || rel != 0 || x->off + 4 > t.len)
			FAIL("%s: exit %zu is not a rel32 jump", op_name(in->op), i);
	}
}

static void check_pcmap(void)
{
	/* pc 0 load_imm r7, 5 ; pc 3 add_64 r8, r7, r7 ; pc 6 branch_eq_imm r8, 10, pc 10 ; pc 10 trap */
	static const uint8_t blob[] = { 0, 0, 11, 51, 7, 5, 200, 0x77, 8, 81, 0x18, 10, 4, 0, 0x49, 0x04 };
	pvm_program p;
	pvm_errbuf e;
	if (pvm_program_decode(&p, blob, sizeof blob, "pcmap", &e)) {
		FAIL("pcmap: %s", e.msg);
		return;
	}
	jit_block b;
	if (jit_block_compile(&p, 0, jit_cpu_features(), &b) != JIT_OK) FAIL("pcmap: compile failed");
	else {
		checked++;
		if (b.n_map != 3 || b.map[0].guest_pc != 0 || b.map[1].guest_pc != 3 || b.map[2].guest_pc != 6)
			FAIL("pcmap: wrong guest pcs (%zu rows)", b.n_map);
		for (size_t i = 1; i < b.n_map; i++)
			if (b.map[i].host_off <= b.map[i - 1].host_off) FAIL("pcmap: offsets not ascending");
		bool oog = false, branch = false;
		for (size_t i = 0; i < b.n_exits; i++) {
			oog |= b.exits[i].kind == JIT_EXIT_OOG && b.exits[i].arg == 3;
			branch |= b.exits[i].kind == JIT_EXIT_BRANCH && b.exits[i].target == 10;
		}
		if (!oog || !branch || b.cost != 3) FAIL("pcmap: exits or cost wrong");
		/* the gas prologue: sub rsp, 3 ; jl oog (48 83 EC 03, 0F 8C rel32), the first instruction's
		 * code right after it */
		static const uint8_t pro[] = { 0x48, 0x83, 0xEC, 0x03, 0x0F, 0x8C };
		if (b.len < 10 || memcmp(b.bytes, pro, sizeof pro) || b.n_map < 1 || b.map[0].host_off != 10)
			FAIL("pcmap: the gas prologue is not sub rsp, 3 ; jl rel32");
		jit_block_fini(&b);
	}
	jit_program *jp;
	if (jit_program_new(&p, jit_no_features(), &jp) != JIT_OK) FAIL("pcmap: program compile failed");
	else {
		checked++;
		jit_pcmap rows[8];
		size_t n = jit_program_pcmap(jp, rows, 8);
		static const uint32_t want[] = { 0, 3, 6, 10, 11 }; /* 11: the implicit trap past the code */
		if (n != 5) FAIL("pcmap: program has %zu rows, want 5", n);
		for (size_t i = 0; i < n && i < 5; i++) {
			if (rows[i].guest_pc != want[i]) FAIL("pcmap: row %zu is pc %u", i, rows[i].guest_pc);
			if (i && rows[i].host_off <= rows[i - 1].host_off) FAIL("pcmap: program offsets not ascending");
		}
		if (jit_program_stats(jp).n_insts != 5) FAIL("pcmap: stats count %u instructions", jit_program_stats(jp).n_insts);
		/* the prologue's jl goes to its out-of-gas stub, which first adds the cost back:
		 * add rsp, 3 (48 83 C4 03) */
		size_t size;
		const uint8_t *code = jit_program_code(jp, &size);
		uint32_t e = jit_program_entry(jp, 0);
		int32_t rel;
		if (e == UINT32_MAX || e + 10 > size || code[e + 4] != 0x0F || code[e + 5] != 0x8C) {
			FAIL("pcmap: no jl at the program's prologue of pc 0");
		} else {
			memcpy(&rel, code + e + 6, 4);
			int64_t t = (int64_t)e + 10 + rel;
			static const uint8_t add[] = { 0x48, 0x83, 0xC4, 0x03 };
			if (t < 0 || (size_t)t + 4 > size || memcmp(code + t, add, sizeof add))
				FAIL("pcmap: the out-of-gas stub of pc 0 does not start with add rsp, 3");
		}
		jit_program_free(jp);
	}
	/* every program's trampolines (copied from bytes emitted once, jit/compile.c) are a fresh
	 * emission's: the first compile and the later ones, both feature sets */
	for (int k = 0; k < 4; k++) {
		jit_features f = k % 2 ? jit_no_features() : jit_cpu_features();
		jit_tramp want, got;
		if (jit_program_new(&p, f, &jp) != JIT_OK || jit_tramp_emit(f, &want) != JIT_OK) {
			FAIL("tramp: compile failed");
			continue;
		}
		checked++;
		if (jit_program_tramp(jp, &got) != JIT_OK || got.enter_off != want.enter_off || got.exit_off != want.exit_off ||
		    got.stub_off != want.stub_off || memcmp(got.bytes, want.bytes, want.stub_off))
			FAIL("tramp: compile %d: the program's trampolines differ from a fresh emission", k);
		jit_program_free(jp);
	}
	pvm_program_fini(&p);
}

int main(void)
{
	csh cs;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		fprintf(stderr, "capstone: cannot open\n");
		return 1;
	}
	/* guest registers living in rbx, r12, r13, rbp, rdx, rcx, rsi */
	static const uint8_t regs[] = { 0, 1, 7, 8, 10, 11, 12 };
	const size_t nr = sizeof regs;
	jit_features all = { true, true, true, true };
	const struct { jit_features f; const char *name; } feats[] = {
		{ all, "bmi" }, { jit_no_features(), "portable" } };
	static const uint64_t imms[] = { 0, 1, 0xffffffffffffff80ull, 0x7fffffff, 0xffffffff80000000ull, 33, 63 };
	for (size_t k = 0; k < PVM_NUM_OPCODES; k++) {
		unsigned op = pvm_isa_ops(PVM_ISA_072)[k];
		for (size_t fi = 0; fi < 2; fi++)
			for (size_t a = 0; a < nr; a++)
				for (size_t b = 0; b < nr; b++)
					for (size_t d = 0; d < nr; d++) {
						size_t ii = (a + b + d) % (sizeof imms / sizeof imms[0]);
						pvm_inst in = { .op = (uint8_t)op, .ra = regs[a], .rb = regs[b], .rd = regs[d],
							.pc = 100, .next = 110, .target = 200, .imm = imms[ii],
							.imm2 = imms[(ii + 3) % 7] };
						if (op == PVM_OP_load_imm_64) in.imm = 0x8123456789abcdefull;
						check_one(cs, &in, feats[fi].f, feats[fi].name);
					}
	}
	cs_close(&cs);
	check_pcmap();
	printf("templates: %zu passed, %zu failed\n", checked - (failures < checked ? failures : checked),
	       failures);
	return failures != 0;
}
