/* cli/report_views.c: what an opened cell of the HTML report shows beyond the results (the
 * tv_html_views of validate and merge-reports): the template emitted again as its proof emits it
 * and disassembled with Capstone, its immediate fields and exits marked; the spec entry as written
 * in the spec file; a counterexample vector run on the interpreter and the variant's JIT, as
 * `replay` runs it, with both results and the bytes that end differently. */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tv_cli.h"
#include "interp/interp.h"
#include "jit/x64.h"
#include "validator/code.h"

/* The spec entry of r's opcode: from its line in the spec file up to the next entry. */
static char *view_spec(void *ctx, const tv_result *r)
{
	cli_views *cv = ctx;
	const sem_spec *sp = r->isa < PVM_ISA_COUNT ? cv->spec[r->isa] : NULL;
	const sem_insn *si = sp ? sem_spec_get(sp, r->op) : NULL;
	if (!si || !cv->spec_text) return NULL;
	const char *p = cv->spec_text, *end = cv->spec_text + cv->spec_len;
	for (uint32_t line = 1; line < si->line && p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	/* the entry: its first line, then every line indented deeper than its "- " (or blank) */
	const char *q = p, *last = p;
	for (bool first = true; q < end; first = false) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *eol = nl ? nl : end;
		size_t ind = strspn(q, " ");
		bool blank = q + ind >= eol;
		if (!first && !blank && ind + 2 < si->col) break;
		q = nl ? nl + 1 : end;
		if (!blank) last = q;
	}
	const char *shown = strstr(cv->spec_path, "specs/");
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (!f) return NULL;
	fprintf(f, "%s:%u\n", shown ? shown : cv->spec_path, si->line);
	fwrite(p, 1, (size_t)(last - p), f); /* (its first line holds the entry's "- ") */
	fclose(f);
	return out;
}

static const char *reg_role(const pvm_inst *in, const uint8_t *reg)
{
	return reg == &in->ra ? "ra" : reg == &in->rb ? "rb" : "rd";
}

/* The trampolines (a trampoline-* result), disassembled: enter, the common exit, the stubs. */
static char *view_tramp(cli_views *cv, const tv_result *r)
{
	jit_features feat = r->variant == TV_VAR_PORTABLE ? jit_no_features() : cv->cpuid;
	jit_tramp *t = pvm_xmalloc(sizeof *t);
	char *out = NULL;
	size_t n = 0;
	FILE *f = jit_tramp_emit(feat, t) == JIT_OK ? open_memstream(&out, &n) : NULL;
	if (!f) {
		free(t);
		return NULL;
	}
	fprintf(f, "%s; %s: enter +%zu, the common exit +%zu, a stub +%zu; %zu bytes", r->what, tv_variant_name(r->variant),
	        t->enter_off, t->exit_off, t->stub_off, t->len);
	if (cv->mutant[0]) fprintf(f, "; mutant %s", cv->mutant);
	fputs("\nenter(membase = rdi, target = rsi); guest registers:", f);
	for (int i = 0; i < PVM_NUM_REGS; i++) fprintf(f, "%s r%d in %s", i ? "," : "", i, x64_regname(jit_reg_map[i], 8));
	fputc('\n', f);
	cs_insn *ci = NULL;
	size_t m = cv->cs_ok ? cs_disasm(cv->cs, t->bytes, t->len, 0, 0, &ci) : 0;
	for (size_t i = 0; i < m; i++) {
		uint64_t a = ci[i].address;
		if (a == t->enter_off || a == t->exit_off || a == t->stub_off || a == t->oog_off[0] || a == t->oog_off[1])
			fprintf(f, "%s:\n", a == t->enter_off ? "enter" : a == t->exit_off ? "exit"
			        : a == t->stub_off ? "stub (kind, pc symbolic in the proof)"
			        : "out-of-gas stub (pc, cost symbolic in the proof)");
		char hex[3 * 16 + 1] = "";
		for (int b = 0; b < ci[i].size && b < 16; b++) snprintf(hex + 3 * b, 4, "%02x ", ci[i].bytes[b]);
		fprintf(f, "%4llx  %-33s %s %s\n", (unsigned long long)a, hex, ci[i].mnemonic, ci[i].op_str);
	}
	if (ci) cs_free(ci, m);
	fclose(f);
	free(t);
	return out;
}

/* r's template as its proof emits it (immediates 0x12345678), disassembled. */
static char *view_code(void *ctx, const tv_result *r)
{
	cli_views *cv = ctx;
	if (!strncmp(r->what, "trampoline-", 11)) return view_tramp(cv, r);
	pvm_inst in = { .op = r->op };
	uint8_t *reg[3];
	int k = tv_reg_operands(&in, reg);
	for (int j = 0; j < k && j < r->nregs; j++) *reg[j] = r->regs[j];
	jit_imm_class cls = JIT_CLASS_ANY;
	for (int c = 0; c < JIT_CLASS_COUNT; c++)
		if (!strncmp(r->what, "imm:", 4) && !strcmp(r->what + 4, jit_class_name((jit_imm_class)c))) cls = (jit_imm_class)c;
	in.imm = in.imm2 = 0x12345678;
	if (!jit_class_holds(cls, in.imm, in.imm2)) in.imm = in.imm2 = 0x7b;
	pvm_vector layout;
	memset(&layout, 0, sizeof layout);
	pvm_err le = tv_program_for(&in, (pvm_isa)r->isa, &layout); /* pc, next and target as the proof has them */
	pvm_vector_fini(&layout);
	jit_features feat = r->variant == TV_VAR_PORTABLE ? jit_no_features() : cv->cpuid;
	jit_tpl *t = pvm_xmalloc(sizeof *t);
	if (le || jit_emit_template(&in, cls, feat, t) != JIT_OK) {
		free(t);
		return NULL;
	}
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	if (!f) {
		free(t);
		return NULL;
	}
	fprintf(f, "%s", pvm_ops[r->op].name);
	for (int j = 0; j < k; j++) fprintf(f, "%s%s=r%u", j ? ", " : " ", reg_role(&in, reg[j]), *reg[j]);
	fprintf(f, "; %s; %s (%s%s%s%s): %zu bytes", r->what, tv_variant_name(r->variant), feat.bmi1 ? "bmi1 " : "",
	        feat.bmi2 ? "bmi2 " : "", feat.lzcnt ? "lzcnt " : "", feat.popcnt ? "popcnt" : "",
	        t->len);
	if (r->variant != TV_VAR_PORTABLE && !feat.bmi1 && !feat.bmi2 && !feat.lzcnt && !feat.popcnt) fputs(" (no extensions)", f);
	if (cv->mutant[0]) fprintf(f, "; mutant %s", cv->mutant);
	fprintf(f, "\nemitted with X = Y = 0x%llx (symbolic in the proof); pc %u, next %u, target %u\nguest registers:",
	        (unsigned long long)in.imm, in.pc, in.next, in.target);
	for (int j = 0; j < k; j++) fprintf(f, "%s r%u in %s", j ? "," : "", *reg[j], x64_regname(jit_reg_map[*reg[j]], 8));
	fputs("; guest memory at [r15 + address]\n", f);
	cs_insn *ci = NULL;
	size_t m = cv->cs_ok ? cs_disasm(cv->cs, t->bytes, t->len, 0, 0, &ci) : 0;
	size_t done = 0;
	for (size_t i = 0; i < m; i++) {
		char hex[3 * 16 + 1] = "";
		for (int b = 0; b < ci[i].size && b < 16; b++) snprintf(hex + 3 * b, 4, "%02x ", ci[i].bytes[b]);
		fprintf(f, "%4llx  %-33s %s %s", (unsigned long long)ci[i].address, hex, ci[i].mnemonic, ci[i].op_str);
		uint64_t lo = ci[i].address, hi = lo + ci[i].size;
		for (size_t x = 0; x < t->n_imms; x++)
			if (t->imms[x].off >= lo && t->imms[x].off < hi)
				fprintf(f, "   ; %s: %u bytes at +%u", t->imms[x].which ? "Y" : "X", t->imms[x].width, t->imms[x].off);
		for (size_t x = 0; x < t->n_exits; x++)
			if (t->exits[x].off >= lo && t->exits[x].off < hi)
				fprintf(f, "   ; exit %s (pc %u)", jit_exit_name((jit_exit_kind)t->exits[x].kind), t->exits[x].pc);
		fputc('\n', f);
		done = hi;
	}
	if (done < t->len) {
		fprintf(f, "%4zx  (not decoded:", done);
		for (size_t b = done; b < t->len; b++) fprintf(f, " %02x", t->bytes[b]);
		fputs(")\n", f);
	}
	if (!t->len) fputs("(no code: falls through to the next instruction)\n", f);
	if (ci) cs_free(ci, m);
	fclose(f);
	free(t);
	return out;
}

typedef struct mem_diff { const pvm_state *in, *a, *b; tv_cex_view *v; } mem_diff;

static void diff_page(void *ctx, uint32_t page, pvm_perm perm, const uint8_t *data)
{
	mem_diff *d = ctx;
	uint32_t base = page * PVM_PAGE;
	uint8_t b[PVM_PAGE], in[PVM_PAGE];
	if (!pvm_mem_peek(d->b->mem, base, b, PVM_PAGE)) memset(b, 0, sizeof b);
	if (!pvm_mem_peek(d->in->mem, base, in, PVM_PAGE)) memset(in, 0, sizeof in);
	for (uint32_t i = 0; i < PVM_PAGE && d->v->n_mem < TV_VIEW_MEM; i++)
		if (data[i] != b[i]) {
			d->v->mem[d->v->n_mem].addr = base + i;
			d->v->mem[d->v->n_mem].in = in[i];
			d->v->mem[d->v->n_mem].out[0] = data[i];
			d->v->mem[d->v->n_mem++].out[1] = b[i];
		}
}

static void view_state(tv_view_state *v, const pvm_state *s, const pvm_exit *x)
{
	if (!x) snprintf(v->status, sizeof v->status, "(input)");
	else if (x->status == PVM_FAULT) snprintf(v->status, sizeof v->status, "page-fault at 0x%x", x->fault_addr);
	else if (x->status == PVM_HOST) snprintf(v->status, sizeof v->status, "host-call %u", x->host_id);
	else snprintf(v->status, sizeof v->status, "%s", pvm_status_name(x->status));
	v->pc = s->pc;
	v->gas = s->gas;
	memcpy(v->regs, s->regs, sizeof v->regs);
}

/* r's counterexample vector run on the interpreter and the variant's JIT (host calls resumed, as
 * replay does, until they differ or stop). */
static bool view_cex(void *ctx, const tv_result *r, tv_cex_view *v)
{
	cli_views *cv = ctx;
	memset(v, 0, sizeof *v);
	const pvm_engine *ea = &interp_engine, *eb = tv_variant_engine(r->variant);
	snprintf(v->replay, sizeof v->replay, "%s replay%s%s%s %s", cv->prog,
	         r->variant == TV_VAR_PORTABLE ? " --engine-b jit-portable" : "", cv->mutant[0] ? " --mutant " : "",
	         cv->mutant, r->cex_file);
	if (access(r->cex_file, R_OK)) {
		snprintf(v->why, sizeof v->why, "not here (written on another machine? copy its --cex-dir folder here too)");
		return true;
	}
	cli_input in;
	void *pa, *pb;
	if (cli_load_pair(r->cex_file, -1, 0, ea, eb, &in, &pa, &pb)) {
		snprintf(v->why, sizeof v->why, "does not load (the error was printed when the report was written)");
		return true;
	}
	snprintf(v->engine[0], sizeof v->engine[0], "%s", ea->name);
	snprintf(v->engine[1], sizeof v->engine[1], "%s", eb->name);
	view_state(&v->in, &in.init, NULL);
	for (size_t i = 0, l = 0; i < in.vec.n_page_map && l + 40 < sizeof v->pages; i++)
		l += (size_t)snprintf(v->pages + l, sizeof v->pages - l, "%s0x%x+%u %s", i ? ", " : "", in.vec.page_map[i].address,
		                      in.vec.page_map[i].length, in.vec.page_map[i].writable ? "rw" : "ro");
	for (size_t i = 0; i < in.vec.n_initial_mem && v->n_chunks < TV_VIEW_CHUNKS; i++) {
		const pvm_chunk *c = &in.vec.initial_mem[i];
		v->chunk[v->n_chunks].addr = c->address;
		v->chunk[v->n_chunks].len = c->len;
		memcpy(v->chunk[v->n_chunks++].b, c->data, c->len < 32 ? c->len : 32);
	}
	pvm_state sa, sb;
	pvm_state_copy(&sa, &in.init);
	pvm_state_copy(&sb, &in.init);
	pvm_exit xa, xb;
	for (int calls = 0;; calls++) {
		pvm_run_pair(ea, pa, &sa, &xa, eb, pb, &sb, &xb);
		bool same = pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, true, v->diff, sizeof v->diff) &&
		            pvm_state_compare(ea->name, &sa, xa, eb->name, &sb, xb, v->diff, sizeof v->diff) &&
		            pvm_perm_compare(ea, pa, &sa, eb, pb, &sb, false, v->diff, sizeof v->diff);
		if (same) v->diff[0] = 0;
		if (!same || xa.status != PVM_HOST || calls == 1000) break;
		if (pvm_host_is_grow_heap(&in.prog, &xa) && !(pvm_grow_heap(&sa) && pvm_grow_heap(&sb))) break;
		sa.pc = xa.next;
		sb.pc = xb.next;
	}
	if (!v->diff[0]) snprintf(v->diff, sizeof v->diff, "none here: both engines agree on this vector");
	view_state(&v->out[0], &sa, &xa);
	view_state(&v->out[1], &sb, &xb);
	mem_diff d = { &in.init, &sa, &sb, v };
	pvm_mem_each(sa.mem, diff_page, &d);
	pvm_state_fini(&sa);
	pvm_state_fini(&sb);
	ea->free(pa);
	eb->free(pb);
	cli_input_fini(&in);
	return true;
}

void cli_views_init(cli_views *cv, const tv_run_info *ri, const sem_spec *const specs[PVM_ISA_COUNT])
{
	memset(cv, 0, sizeof *cv);
	cv->v = (tv_html_views){ view_code, view_spec, view_cex, cv };
	cv->cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &cv->cs) == CS_ERR_OK;
	cv->cpuid = jit_cpu_features();
	if (ri->features[0]) { /* the features the run's cpuid variant was emitted with (a merge: the shards') */
		cv->cpuid = jit_no_features();
		cv->cpuid.bmi1 = strstr(ri->features, "bmi1") != NULL;
		cv->cpuid.bmi2 = strstr(ri->features, "bmi2") != NULL;
		cv->cpuid.lzcnt = strstr(ri->features, "lzcnt") != NULL;
		cv->cpuid.popcnt = strstr(ri->features, "popcnt") != NULL;
	}
	snprintf(cv->mutant, sizeof cv->mutant, "%s", ri->mutant);
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) cv->spec[isa] = specs[isa];
	cv->spec_path = sem_spec_default_path();
	pvm_errbuf e;
	uint8_t *text;
	if (pvm_read_file(cv->spec_path, &text, &cv->spec_len, &e) == PVM_OK) cv->spec_text = (char *)text;
	char exe[512];
	ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *base = "jitproof";
	if (l > 0) {
		exe[l] = 0;
		base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	}
	snprintf(cv->prog, sizeof cv->prog, "%.63s", base);
}

void cli_views_fini(cli_views *cv)
{
	if (cv->cs_ok) cs_close(&cv->cs);
	free(cv->spec_text);
	memset(cv, 0, sizeof *cv);
}

void cli_features_name(jit_features f, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s%s", f.bmi1 ? "bmi1," : "", f.bmi2 ? "bmi2," : "", f.lzcnt ? "lzcnt," : "",
	         f.popcnt ? "popcnt," : "");
	size_t l = strlen(out);
	if (l) out[l - 1] = 0;
	else snprintf(out, n, "none");
}
