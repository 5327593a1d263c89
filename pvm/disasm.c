/* pvm/disasm.c: programs (and vectors) as .pvmasm text that assembles back to the same bytes.
 * Each instruction is printed in its canonical form when re-encoding it reproduces its bytes
 * (with ":N" widths for non-minimal fields and .pad for extra skip bytes); anything else is a
 * .raw line with the decoded meaning as a comment. Expectations are printed relative to the
 * initial state, which is how the assembler reads them. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "asm_enc.h"

typedef struct dis {
	const pvm_program *p;
	uint8_t *label;        /* code_len + 1: a label L<pc> is printed here */
	uint8_t *boundary;     /* code_len + 1: a label may be placed here (an item starts) */
	bool exact;            /* print every offset width (when shortest widths do not reassemble) */
} dis;

static bool bit(const pvm_program *p, uint64_t n) { return n >= p->code_len || (p->bitmask[n >> 3] >> (n & 7) & 1); }
static uint8_t clamp_reg(unsigned r) { return r > 12 ? 12 : (uint8_t)r; }

/* The instruction whose opcode byte is at pc, or -1. */
static int op_at(const pvm_program *p, uint32_t pc) { return pvm_op_decode(p->isa, p->code[pc]); }

/* Decodes the instruction at pc (next start at end) into *in. Returns the bytes it reads and sets
 * *canon when printing it as an instruction (plus .pad for the rest) reproduces code[pc..end). */
static unsigned decode(const pvm_program *p, uint32_t pc, uint32_t end, pvm_asm_inst *in, bool *canon)
{
	memset(in, 0, sizeof *in);
	*canon = false;
	int op = op_at(p, pc);
	if (op < 0) return 1;
	uint32_t ell = end - pc - 1 < 24 ? end - pc - 1 : 24;
	pvm_fields f;
	unsigned used = pvm_fields_decode(pvm_ops[op].form, p->code, p->code_len, pc, ell, &f);
	*in = (pvm_asm_inst){ .op = (uint8_t)op, .ra = clamp_reg(f.ra), .rb = clamp_reg(f.rb),
	                      .rd = clamp_reg(f.rd), .x = f.x, .y = f.y, .target = pc + f.off,
	                      .wx = f.wx, .wy = f.wy, .wt = f.wt };
	if (used > end - pc) return used;
	uint8_t buf[PVM_ASM_MAXLEN];
	const char *why;
	unsigned n = pvm_asm_encode(in, p->isa, pc, buf, &why);
	*canon = n == used && !memcmp(buf, p->code + pc, n);
	return used;
}

static void print_imm(FILE *out, uint64_t x, unsigned w)
{
	if ((int64_t)x < 0) fprintf(out, "-0x%" PRIx64, 0 - x);
	else if (x < 10) fprintf(out, "%" PRIu64, x);
	else fprintf(out, "0x%" PRIx64, x);
	if ((int)w != pvm_asm_imm_width(x)) fprintf(out, ":%u", w);
}

static void print_pc(FILE *out, const dis *d, uint32_t pc)
{
	if (pc <= d->p->code_len && d->label[pc]) fprintf(out, "L%" PRIu32, pc);
	else if (pc < 0x10000) fprintf(out, "%" PRIu32, pc);
	else fprintf(out, "0x%" PRIx32, pc);
}

static void print_target(FILE *out, const dis *d, const pvm_asm_inst *in, uint32_t pc)
{
	print_pc(out, d, in->target);
	if (d->exact || (int)in->wt != pvm_asm_off_width(in->target - pc)) fprintf(out, ":%u", in->wt);
}

/* Writes "name operands" for in at pc. */
static void print_inst(FILE *out, const dis *d, const pvm_asm_inst *in, uint32_t pc)
{
	fputs(pvm_ops[in->op].name, out);
	bool eight = pvm_forms[pvm_ops[in->op].form].f1_len == PVM_FR_EIGHT;
	const char *ops = pvm_form_operands(pvm_ops[in->op].form);
	for (const char *o = ops; *o; o++) {
		fputs(o == ops ? " " : ", ", out);
		switch (*o) {
		case 'D': fprintf(out, "r%u", in->rd); break;
		case 'A': fprintf(out, "r%u", in->ra); break;
		case 'B': fprintf(out, "r%u", in->rb); break;
		case 'X':
			if (eight) fprintf(out, "0x%" PRIx64, in->x);
			else print_imm(out, in->x, in->wx);
			break;
		case 'Y': print_imm(out, in->y, in->wy); break;
		case 'T': print_target(out, d, in, pc); break;
		}
	}
}

/* A directive followed by bytes, at most 16 per line. */
static void print_bytes(FILE *out, const char *dir, bool addr, uint32_t at, const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += 16) {
		fprintf(out, "\t%s", dir);
		if (addr) fprintf(out, " 0x%" PRIx32, at + i);
		for (uint32_t k = i; k < n && k < i + 16; k++) fprintf(out, " %02x", b[k]);
		fputc('\n', out);
	}
}

static uint32_t next_start(const pvm_program *p, uint32_t pc)
{
	do pc++; while (!bit(p, pc));
	return pc;
}

static void print_code(FILE *out, const dis *d)
{
	const pvm_program *p = d->p;
	uint32_t first = 0;
	while (first < p->code_len && !bit(p, first)) first++;
	if (first && d->label[0]) fputs("L0:\n", out);
	if (first) print_bytes(out, ".pad", false, 0, p->code, first);
	for (uint32_t pc = first; pc < p->code_len;) {
		uint32_t end = next_start(p, pc);
		pvm_asm_inst in;
		bool canon;
		unsigned used = decode(p, pc, end, &in, &canon);
		if (d->label[pc]) fprintf(out, "L%" PRIu32 ":\n", pc);
		fputc('\t', out);
		if (canon) {
			char buf[192] = "";
			FILE *f = fmemopen(buf, sizeof buf - 1, "w");
			if (f) {
				print_inst(f, d, &in, pc);
				fclose(f);
			}
			int w = (int)strlen(buf);
			fprintf(out, "%s%*s; %" PRIu32, buf, w < 40 ? 40 - w : 1, "", pc);
			if (p->isa == PVM_ISA_080 && p->is_block[pc])
				fprintf(out, "  block cost %" PRIu32, p->gas_cost[pc]);
			fputc('\n', out);
			if (used < end - pc && d->label[pc + used]) fprintf(out, "L%" PRIu32 ":\n", pc + used);
			if (used < end - pc) print_bytes(out, ".pad", false, 0, p->code + pc + used, end - pc - used);
		} else {
			fputs(".raw", out);
			uint32_t n = end - pc < 16 ? end - pc : 16;
			for (uint32_t k = 0; k < n; k++) fprintf(out, " %02x", p->code[pc + k]);
			fprintf(out, "  ; %" PRIu32 ": ", pc);
			if (op_at(p, pc) >= 0) print_inst(out, d, &in, pc);
			else fprintf(out, "undefined opcode %u (trap)", p->code[pc]);
			fputc('\n', out);
			if (n < end - pc) print_bytes(out, ".pad", false, 0, p->code + pc + n, end - pc - n);
		}
		pc = end;
	}
	if (d->label[p->code_len]) fprintf(out, "L%" PRIu32 ":\n", p->code_len);
}

/* Marks item starts, and labels for every branch target, jump-table entry and given pc. */
static void mark(dis *d, const pvm_vector *v)
{
	const pvm_program *p = d->p;
	d->boundary[p->code_len] = 1;
	for (uint32_t pc = 0; pc < p->code_len; pc++)
		if (pc == 0 || bit(p, pc)) d->boundary[pc] = 1;
	for (uint32_t pc = 0; pc < p->code_len; pc = next_start(p, pc)) {
		if (!bit(p, pc)) continue;
		pvm_asm_inst in;
		bool canon;
		uint32_t end = next_start(p, pc);
		unsigned used = decode(p, pc, end, &in, &canon);
		if (canon && used < end - pc) d->boundary[pc + used] = 1;
		if (canon && strchr(pvm_form_operands(pvm_ops[in.op].form), 'T') &&
		    in.target <= p->code_len && d->boundary[in.target])
			d->label[in.target] = 1;
	}
	uint32_t extra[2] = { v ? v->initial_pc : 0, v && v->has_expected ? v->expected_pc : 0 };
	for (uint32_t i = 0; i < p->jt_len + 2; i++) {
		uint32_t t = i < p->jt_len ? p->jump_table[i] : extra[i - p->jt_len];
		if (t <= p->code_len && d->boundary[t] && (i < p->jt_len || t)) d->label[t] = 1;
	}
}

static void print_jump_table(FILE *out, const dis *d)
{
	const pvm_program *p = d->p;
	uint32_t maxe = 0;
	for (uint32_t i = 0; i < p->jt_len; i++)
		if (p->jump_table[i] > maxe) maxe = p->jump_table[i];
	unsigned z = 0;
	while (z < 4 && (uint64_t)maxe >> (8 * z)) z++;
	if (p->jt_len && !z) z = 1;
	if (z != p->jt_width) fprintf(out, ".jtwidth %u\n", p->jt_width);
	for (uint32_t i = 0; i < p->jt_len; i++) {
		fputs(i % 8 ? ", " : ".jumptable ", out);
		print_pc(out, d, p->jump_table[i]);
		if (i % 8 == 7 || i + 1 == p->jt_len) fputc('\n', out);
	}
}

static void print_initial(FILE *out, const dis *d, const pvm_vector *v)
{
	if (v->name) {
		const char *nm = v->name;
		size_t n = strlen(nm);
		bool plain = n && nm[0] != ' ' && nm[0] != '\t' && nm[0] != '"' && nm[n - 1] != ' ' && nm[n - 1] != '\t';
		for (size_t i = 0; i < n; i++)
			if (nm[i] == ';' || nm[i] == '#' || (unsigned char)nm[i] < 0x20 || nm[i] == 0x7f) plain = false;
		if (plain) {
			fprintf(out, ".name %s\n", nm);
		} else {
			fputs(".name \"", out);
			for (size_t i = 0; i < n; i++) {
				unsigned char ch = (unsigned char)nm[i];
				if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
				else if (ch < 0x20 || ch == 0x7f) fprintf(out, "\\x%02x", ch);
				else fputc(ch, out);
			}
			fputs("\"\n", out);
		}
	}
	fprintf(out, ".gas %" PRId64 "\n", v->initial_gas);
	if (v->initial_pc) {
		fputs(".pc ", out);
		print_pc(out, d, v->initial_pc);
		fputc('\n', out);
	}
	for (int r = 0; r < PVM_NUM_REGS; r++)
		if (v->initial_regs[r]) fprintf(out, ".reg r%d 0x%" PRIx64 "\n", r, v->initial_regs[r]);
	if (v->reading) fprintf(out, ".reading %s\n", pvm_reading_name(v->reading));
	if (v->has_heap)
		fprintf(out, ".heap 0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 "\n", v->heap_base, v->heap_top, v->heap_limit);
	for (size_t i = 0; i < v->n_page_map; i++)
		fprintf(out, ".page 0x%" PRIx32 " %" PRIu32 " %s\n", v->page_map[i].address, v->page_map[i].length,
		        v->page_map[i].writable ? "rw" : "ro");
	for (size_t i = 0; i < v->n_initial_mem; i++)
		for (uint32_t k = 0; k < v->initial_mem[i].len; k += 16) {
			uint32_t n = v->initial_mem[i].len - k < 16 ? v->initial_mem[i].len - k : 16;
			fprintf(out, ".mem 0x%" PRIx32, v->initial_mem[i].address + k);
			for (uint32_t j = 0; j < n; j++) fprintf(out, " %02x", v->initial_mem[i].data[k + j]);
			fputc('\n', out);
		}
}

typedef struct mem_diff { FILE *out; const pvm_mem *init; } mem_diff;

/* Prints ".expect mem" for the runs of bytes on this page that differ from the initial memory. */
static void diff_page(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	mem_diff *md = ctx;
	static const uint8_t zero[PVM_PAGE];
	const uint8_t *old = pvm_mem_page_c(md->init, page);
	if (!old) old = zero;
	if (!data) data = zero;
	(void)perm;
	for (uint32_t i = 0; i < PVM_PAGE;) {
		if (data[i] == old[i]) {
			i++;
			continue;
		}
		uint32_t j = i;
		while (j < PVM_PAGE && j - i < 16 && data[j] != old[j]) j++;
		fprintf(md->out, ".expect mem 0x%" PRIx32, (page << PVM_PAGE_SHIFT) + i);
		for (; i < j; i++) fprintf(md->out, " %02x", data[i]);
		fputc('\n', md->out);
	}
}

static void print_expected(FILE *out, const dis *d, const pvm_vector *v)
{
	fprintf(out, ".expect status %s", pvm_status_name(v->expected_status));
	if (v->expected_status == PVM_FAULT) fprintf(out, " 0x%" PRIx32, v->expected_fault_addr);
	if (v->expected_status == PVM_HOST) fprintf(out, " %" PRIu32, v->expected_host_id);
	fputs("\n.expect pc ", out);
	print_pc(out, d, v->expected_pc);
	fprintf(out, "\n.expect gas %" PRId64 "\n", v->expected_gas);
	for (int r = 0; r < PVM_NUM_REGS; r++)
		if (v->expected_regs[r] != v->initial_regs[r]) fprintf(out, ".expect r%d 0x%" PRIx64 "\n", r, v->expected_regs[r]);
	pvm_state init;
	pvm_vector_initial_state(v, &init);
	pvm_mem *want = pvm_mem_new();
	for (size_t i = 0; i < v->n_page_map; i++)
		pvm_mem_map(want, v->page_map[i].address, v->page_map[i].length, PVM_WRITE);
	for (size_t i = 0; i < v->n_expected_mem; i++) {
		const pvm_chunk *m = &v->expected_mem[i];
		for (uint64_t a = m->address & ~(uint64_t)(PVM_PAGE - 1); a < (uint64_t)m->address + m->len; a += PVM_PAGE)
			if (pvm_mem_perm(want, (uint32_t)a >> PVM_PAGE_SHIFT) == PVM_NONE) pvm_mem_map(want, (uint32_t)a, PVM_PAGE, PVM_WRITE);
		pvm_mem_poke(want, m->address, m->data, m->len);
	}
	mem_diff md = { out, init.mem };
	pvm_mem_each(want, diff_page, &md);
	pvm_mem_free(want);
	pvm_state_fini(&init);
}

/* True when the program text as printed assembles back to p's exact bytes. Relaxation can settle
 * on other offset widths than the program's (several layouts may each be consistent). */
static bool reassembles(const dis *d)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f) return false;
	print_jump_table(f, d);
	print_code(f, d);
	fclose(f);
	pvm_vector w;
	pvm_errbuf e;
	uint8_t *blob = NULL;
	size_t blen = 0;
	bool same = !pvm_asm_isa(text, n, d->p->isa, "disasm", &w, &e);
	if (same) {
		same = !pvm_program_encode(d->p, &blob, &blen) && blen == w.program_len && !memcmp(blob, w.program, blen);
		pvm_vector_fini(&w);
	}
	free(blob);
	free(text);
	return same;
}

pvm_err pvm_disasm(const pvm_program *p, const pvm_vector *v, FILE *out)
{
	dis d = { .p = p, .label = pvm_xcalloc((size_t)p->code_len + 1, 1), .boundary = pvm_xcalloc((size_t)p->code_len + 1, 1) };
	mark(&d, v);
	d.exact = !reassembles(&d);
	if (v) print_initial(out, &d, v);
	print_jump_table(out, &d);
	print_code(out, &d);
	if (v && v->has_expected) print_expected(out, &d, v);
	free(d.label);
	free(d.boundary);
	return ferror(out) ? PVM_EIO : PVM_OK;
}
