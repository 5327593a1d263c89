/* validator/report.c: the validate summary line and the JSON and JUnit XML reports (the HTML one
 * is validator/html.c), and prove's reports. JSON: "run" says how the report was made (shard,
 * options), so shard reports can be merged (merge.c); every result carries its enumeration index.
 * JUnit: one <testcase> per opcode, failing if any of its instances has a counterexample, erroring if
 * one is unknown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"
#include "report.h"
#include "report_out.h"

static const char *const verdict_names[TV_NUM_VERDICTS] = {
	"PROVED", "COUNTEREXAMPLE", "UNKNOWN", "FALLBACK-AGREE", "VALIDATOR-BUG",
};
static const char *const regclass_names[TV_RC_COUNT] = {
	"no registers", "distinct", "rd=ra", "rd=rb", "ra=rb", "all equal",
};

const char *tv_verdict_name(tv_verdict v) { return verdict_names[v]; }

const char *tv_phase_name(int phase)
{
	static const char *const names[TV_NUM_PHASES] = { "lift", "spec", "solve", "setup+rewrite" };
	return phase >= 0 && phase < TV_NUM_PHASES ? names[phase] : "?";
}
const char *tv_regclass_name(int rc) { return regclass_names[rc]; }

static const char *const variant_names[TV_NUM_VARIANTS] = { "cpuid", "portable" };
const char *tv_variant_name(int v) { return v >= 0 && v < TV_NUM_VARIANTS ? variant_names[v] : "?"; }
int tv_variant_by_name(const char *name)
{
	for (int v = 0; v < TV_NUM_VARIANTS; v++)
		if (!strcmp(variant_names[v], name)) return v;
	return -1;
}

int tv_regclass_of(int nregs, int r0, int r1, int r2)
{
	if (nregs <= 1) return nregs ? TV_RC_DISTINCT : TV_RC_NONE;
	if (nregs == 2) return r0 == r1 ? TV_RC_ALL_EQ : TV_RC_DISTINCT;
	/* three registers in form order ra, rb, rd */
	if (r0 == r1 && r1 == r2) return TV_RC_ALL_EQ;
	if (r2 == r0) return TV_RC_D_EQ_A;
	if (r2 == r1) return TV_RC_D_EQ_B;
	if (r0 == r1) return TV_RC_A_EQ_B;
	return TV_RC_DISTINCT;
}

tv_result *tv_report_add(tv_report *rep)
{
	if (rep->n == rep->cap) {
		size_t cap = rep->cap ? rep->cap * 2 : 1024;
		rep->r = pvm_xrealloc(rep->r, cap * sizeof *rep->r);
		rep->cap = cap;
	}
	tv_result *x = &rep->r[rep->n++];
	memset(x, 0, sizeof *x);
	return x;
}

void tv_report_free(tv_report *rep)
{
	free(rep->r);
	memset(rep, 0, sizeof *rep);
}

void tv_report_counts(const tv_report *rep, size_t counts[TV_NUM_VERDICTS])
{
	memset(counts, 0, TV_NUM_VERDICTS * sizeof counts[0]);
	for (size_t i = 0; i < rep->n; i++) counts[rep->r[i].verdict]++;
}

/* Verdict counts of one variant's (isa < 0) or one revision's (v < 0) results into n; returns
 * their template instances ("imm:..."). */
static size_t part_counts(const tv_report *rep, int v, int isa, size_t n[TV_NUM_VERDICTS])
{
	size_t t = 0;
	memset(n, 0, TV_NUM_VERDICTS * sizeof n[0]);
	for (size_t i = 0; i < rep->n; i++)
		if (isa < 0 ? rep->r[i].variant == v : rep->r[i].isa == isa)
			n[rep->r[i].verdict]++, t += !strncmp(rep->r[i].what, "imm:", 4);
	return t;
}

static bool several(unsigned bits) { return (bits & (bits - 1)) != 0; }

void tv_report_summary(const tv_report *rep, FILE *out)
{
	size_t c[TV_NUM_VERDICTS];
	tv_report_counts(rep, c);
	fprintf(out, "validate: %zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree, "
	        "%zu templates in %.1f s", c[TV_PROVED], c[TV_CEX], c[TV_UNKNOWN],
	        c[TV_FALLBACK_AGREE], rep->templates, rep->seconds);
	if (c[TV_BUG])
		fprintf(out, "; %zu VALIDATOR BUGS (%s)", c[TV_BUG],
		        rep->recheck ? "models that do not replay, or the second solver disagrees" : "models that do not replay");
	fputc('\n', out);
	/* with more than one variant (or revision), a line for each (one: the line above says it) */
	for (int k = 0; k < TV_NUM_VARIANTS + PVM_ISA_COUNT; k++) {
		int v = k < TV_NUM_VARIANTS ? k : -1, isa = k < TV_NUM_VARIANTS ? -1 : k - TV_NUM_VARIANTS;
		if (v >= 0 ? !several(rep->variants) || !(rep->variants >> v & 1) : !several(rep->isas) || !(rep->isas >> isa & 1))
			continue;
		size_t n[TV_NUM_VERDICTS], t = part_counts(rep, v, isa, n);
		fprintf(out, "  %s%s: %zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree, %zu templates",
		        v >= 0 ? "" : "GP ", v >= 0 ? tv_variant_name(v) : pvm_isa_name((pvm_isa)isa), n[TV_PROVED], n[TV_CEX],
		        n[TV_UNKNOWN], n[TV_FALLBACK_AGREE], t);
		fprintf(out, n[TV_BUG] ? "; %zu VALIDATOR BUGS\n" : "\n", n[TV_BUG]);
	}
	/* the trampolines (validator/prove_tramp.c), each revision and variant (also in the lines above) */
	size_t tn[TV_NUM_VERDICTS] = { 0 }, tr = 0;
	for (size_t i = 0; i < rep->n; i++)
		if (!strncmp(rep->r[i].what, "trampoline-", 11)) tn[rep->r[i].verdict]++, tr++;
	if (tr)
		fprintf(out, "  trampolines: %zu proved, %zu counterexamples, %zu unknown of %zu (entry, exit, stub, round trip; "
		        "each revision and variant)%s\n", tn[TV_PROVED], tn[TV_CEX], tn[TV_UNKNOWN] + tn[TV_FALLBACK_AGREE], tr,
		        tn[TV_BUG] ? "; VALIDATOR BUGS" : "");
	/* the fusion patterns (validator/validate.c: README § Fusions), each revision and variant */
	size_t fn[TV_NUM_VERDICTS] = { 0 }, fu = 0;
	for (size_t i = 0; i < rep->n; i++)
		if (!strncmp(rep->r[i].what, "fusion:", 7)) fn[rep->r[i].verdict]++, fu++;
	if (fu)
		fprintf(out, "  fusions: %zu proved, %zu counterexamples, %zu unknown of %zu (shlo_l_imm_64 s + add_64: every "
		        "register assignment, s 1..3, both operand orders; each revision and variant)%s\n", fn[TV_PROVED],
		        fn[TV_CEX], fn[TV_UNKNOWN] + fn[TV_FALLBACK_AGREE], fu, fn[TV_BUG] ? "; VALIDATOR BUGS" : "");
	/* what GP 0.7.2 adds under the peers' readings (their items are also in the lines above) */
	size_t n[TV_NUM_VERDICTS] = { 0 }, t = 0, items = 0;
	for (size_t i = 0; i < rep->n; i++)
		if (rep->r[i].reading)
			n[rep->r[i].verdict]++, items++, t += !strncmp(rep->r[i].what, "imm:", 4);
	if (items)
		fprintf(out, "  GP 0.7.2 peers' readings: %zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree, "
		        "%zu templates (the entries that read otherwise; every other query is the w3f one)%s\n",
		        n[TV_PROVED], n[TV_CEX], n[TV_UNKNOWN], n[TV_FALLBACK_AGREE], t, n[TV_BUG] ? "; VALIDATOR BUGS" : "");
	tv_report_store_summary(rep, out);
	tv_report_recheck_summary(rep, out);
}

void tv_report_store_summary(const tv_report *rep, FILE *out)
{
	if (rep->store)
		fprintf(out, "store: %zu reused, %zu stored, %zu ignored entries; %zu solver queries; concrete fallbacks: %zu reused, %zu stored\n",
		        rep->store_reused, rep->store_stored, rep->store_ignored, rep->queries, rep->store_agreed_reused,
		        rep->store_agreed_stored);
}

const char *tv_qkind_name(int k)
{
	static const char *const names[] = { "template", "region", "piece", "dispatch", "link" };
	return k >= 0 && k < TV_NUM_QKINDS ? names[k] : "?";
}

const char *tv_recheck_answer_name(int a)
{
	static const char *const names[] = { "unsat", "sat", "unknown", "error" };
	return a >= 0 && a < TV_RECHECK_ANSWERS ? names[a] : "?";
}

void tv_report_recheck_summary(const tv_report *rep, FILE *out)
{
	if (!rep->recheck) return;
	size_t by_kind[TV_NUM_QKINDS] = { 0 }, by_answer[TV_RECHECK_ANSWERS] = { 0 }, all = 0, ran = 0, alpha = 0, skipped = 0;
	for (int k = 0; k < TV_NUM_QKINDS; k++) {
		for (int a = 0; a < TV_RECHECK_ANSWERS; a++) {
			by_kind[k] += rep->rechecked[k][a];
			by_answer[a] += rep->rechecked[k][a];
			ran += rep->rechecked[k][a];
		}
		by_kind[k] += rep->recheck_alpha[k] + rep->recheck_skipped[k];
		alpha += rep->recheck_alpha[k];
		skipped += rep->recheck_skipped[k];
		all += by_kind[k];
	}
	fprintf(out, "recheck %s: %zu queries (", rep->recheck, all);
	for (int k = 0; k < TV_NUM_QKINDS; k++) fprintf(out, "%s%s %zu", k ? ", " : "", tv_qkind_name(k), by_kind[k]);
	fprintf(out, "): %s ran on %zu: %zu unsat, %zu unknown, %zu sat, %zu errors; %zu alpha-equivalent as built to one "
	        "it proved, %zu to one it gave up on; %.1f s in %s\n", rep->recheck, ran, by_answer[TV_RECHECK_UNSAT],
	        by_answer[TV_RECHECK_UNKNOWN], by_answer[TV_RECHECK_SAT], by_answer[TV_RECHECK_ERROR], alpha, skipped,
	        rep->recheck_ms / 1e3, rep->recheck);
}

/* The "store" member of a JSON report (null without a store). */
static void put_store_json(FILE *f, const tv_report *rep)
{
	if (rep->store)
		fprintf(f, "  \"store\": {\"reused\": %zu, \"stored\": %zu, \"fallback_reused\": %zu, \"fallback_stored\": %zu, \"ignored\": %zu},\n",
		        rep->store_reused, rep->store_stored, rep->store_agreed_reused, rep->store_agreed_stored,
		        rep->store_ignored);
	else
		fputs("  \"store\": null,\n", f);
}

/* A byte tv_put_esc writes as it is in mode `mode`. */
static bool esc_plain(unsigned char c, char mode)
{
	if (mode == 'j' || mode == 's')
		return c >= 0x20 && c != '"' && c != '\\' && !(mode == 's' && (c == '<' || c == '>' || c == '&'));
	if (mode == 'x') return c >= 0x20 && c != '<' && c != '>' && c != '&' && c != '"';
	return true;
}

void tv_put_esc(FILE *f, const char *s, char mode)
{
	while (*s) {
		size_t k = 0; /* the run of bytes written as they are, in one call */
		while (s[k] && esc_plain((unsigned char)s[k], mode)) k++;
		if (k) fwrite(s, 1, k, f), s += k;
		if (!*s) break;
		unsigned char c = (unsigned char)*s++;
		if ((mode == 'j' || mode == 's') && (c == '"' || c == '\\')) fprintf(f, "\\%c", c);
		else if ((mode == 'j' || mode == 's') && c < 0x20) fprintf(f, "\\u%04x", c);
		else if (mode == 's' && (c == '<' || c == '>' || c == '&')) fprintf(f, "\\u%04x", c);
		else if (mode == 'x' && c == '<') fputs("&lt;", f);
		else if (mode == 'x' && c == '>') fputs("&gt;", f);
		else if (mode == 'x' && c == '&') fputs("&amp;", f);
		else if (mode == 'x' && c == '"') fputs("&quot;", f);
		else if (mode == 'x' && c < 0x20 && c != '\n') fputc(' ', f);
		else fputc(c, f);
	}
}

void tv_put_instance_name(FILE *f, const tv_result *r, char mode)
{
	char buf[128];
	int n = snprintf(buf, sizeof buf, "%s", pvm_ops[r->op].name);
	for (int i = 0; i < r->nregs && n < (int)sizeof buf; i++)
		n += snprintf(buf + n, sizeof buf - n, "%sr%u", i ? "," : " ", r->regs[i]);
	if (n < (int)sizeof buf)
		snprintf(buf + n, sizeof buf - n, " [%s, %s%s]", r->what, tv_variant_name(r->variant),
		         r->isa == PVM_ISA_080 ? ", GP 0.8.0" : "");
	tv_put_esc(f, buf, mode);
}

/* "VERDICT: instance: detail (cex file)" escaped for XML/HTML, the line both reports list. */
void tv_put_result_line(FILE *f, const tv_result *r)
{
	fputs(tv_verdict_name(r->verdict), f);
	fputs(": ", f);
	tv_put_instance_name(f, r, 'x');
	fputs(": ", f);
	tv_put_esc(f, r->detail, 'x');
	if (r->cex_file[0]) {
		fputs(" (", f);
		tv_put_esc(f, r->cex_file, 'x');
		fputc(')', f);
	}
}

static FILE *open_out(const char *path) { return fopen(path, "w"); }

static bool close_out(FILE *f)
{
	bool ok = !ferror(f);
	return fclose(f) == 0 && ok;
}

static void put_names(FILE *f, unsigned bits, int count, const char *(*name)(int))
{
	fputc('[', f);
	for (int k = 0, first = 1; k < count; k++)
		if (bits >> k & 1) fprintf(f, "%s\"%s\"", first ? "" : ", ", name(k)), first = 0;
	fputc(']', f);
}

static const char *isa_name(int isa) { return pvm_isa_name((pvm_isa)isa); }

/* "run": what a merge of shard reports checks and needs (tv_run_info). */
static void put_run(FILE *f, const tv_report *rep)
{
	const tv_run_info *ri = &rep->run;
	fprintf(f, "  \"run\": {\"shard\": [%u, %u], \"enumerated\": %zu, \"items\": %zu, \"merged\": %u, \"jobs\": %u, "
	        "\"isas\": ", ri->shard_i, ri->shard_n ? ri->shard_n : 1, ri->enumerated, ri->items, ri->merged, ri->jobs);
	put_names(f, rep->isas, PVM_ISA_COUNT, isa_name);
	fputs(", \"variants\": ", f);
	put_names(f, rep->variants, TV_NUM_VARIANTS, tv_variant_name);
	fprintf(f, ", \"readings\": \"%s\", \"opcodes\": ",
	        ri->readings == 1 ? "w3f" : ri->readings == 2 ? "peers" : "both");
	if (ri->all_ops) {
		fputs("\"all\"", f);
	} else {
		fputc('[', f);
		for (unsigned op = 0, first = 1; op < PVM_NUM_OPS; op++)
			if (ri->op[op]) fprintf(f, "%s\"%s\"", first ? "" : ", ", pvm_ops[op].name), first = 0;
		fputc(']', f);
	}
	fprintf(f, ", \"fallback_states\": %u, \"seed\": %llu, \"timeout_ms\": %u, \"rlimit\": %u, \"memo\": %s, "
	        "\"fail_fast\": %s, \"mutant\": \"", ri->fallback_states, (unsigned long long)ri->seed, ri->timeout_ms,
	        ri->rlimit, ri->memo ? "true" : "false", ri->fail_fast ? "true" : "false");
	tv_put_esc(f, ri->mutant, 'j');
	fputs("\", \"features\": \"", f);
	tv_put_esc(f, ri->features, 'j');
	fputs("\", \"phase_ms\": [", f);
	for (int k = 0; k < TV_NUM_PHASES; k++) fprintf(f, "%s%.3f", k ? ", " : "", rep->phase_ms[k]);
	fputs("]},\n", f);
}

bool tv_report_json(const tv_report *rep, const char *path)
{
	FILE *f = open_out(path);
	if (!f) return false;
	flockfile(f); /* one lock for the whole file, not one per call (a report holds 400,000 results) */
	size_t c[TV_NUM_VERDICTS];
	tv_report_counts(rep, c);
	fprintf(f, "{\n  \"report\": \"jitproof validate\", \"version\": %d,\n", TV_REPORT_VERSION);
	put_run(f, rep);
	fprintf(f, "  \"summary\": {\"proved\": %zu, \"counterexamples\": %zu, \"unknown\": %zu, "
	        "\"fallback_agree\": %zu, \"validator_bugs\": %zu, \"templates\": %zu, \"seconds\": %.3f, "
	        "\"solver_queries\": %zu},\n",
	        c[TV_PROVED], c[TV_CEX], c[TV_UNKNOWN], c[TV_FALLBACK_AGREE], c[TV_BUG], rep->templates, rep->seconds,
	        rep->queries);
	put_store_json(f, rep);
	fputs("  \"variants\": {", f);
	for (int k = 0, first = 1; k < TV_NUM_VARIANTS + PVM_ISA_COUNT; k++) {
		int v = k < TV_NUM_VARIANTS ? k : -1, isa = k < TV_NUM_VARIANTS ? -1 : k - TV_NUM_VARIANTS;
		if (k == TV_NUM_VARIANTS) fputs("\n  },\n  \"isas\": {", f), first = 1;
		if (v >= 0 ? !(rep->variants >> v & 1) : !(rep->isas >> isa & 1)) continue;
		size_t n[TV_NUM_VERDICTS], t = part_counts(rep, v, isa, n);
		fprintf(f, "%s\n    \"%s\": {\"proved\": %zu, \"counterexamples\": %zu, \"unknown\": %zu, "
		        "\"fallback_agree\": %zu, \"templates\": %zu}", first ? "" : ",",
		        v >= 0 ? tv_variant_name(v) : pvm_isa_name((pvm_isa)isa), n[TV_PROVED], n[TV_CEX], n[TV_UNKNOWN],
		        n[TV_FALLBACK_AGREE], t);
		first = 0;
	}
	fputs("\n  },\n  \"results\": [", f);
	for (size_t i = 0; i < rep->n; i++) {
		const tv_result *r = &rep->r[i];
		fprintf(f, "%s\n    {\"opcode\": \"%s\", \"isa\": \"%s\", \"code\": %u, \"variant\": \"%s\", \"regs\": [",
		        i ? "," : "", pvm_ops[r->op].name, pvm_isa_name((pvm_isa)r->isa), pvm_byte((pvm_isa)r->isa, r->op),
		        tv_variant_name(r->variant));
		for (int k = 0; k < r->nregs; k++) fprintf(f, "%s%u", k ? ", " : "", r->regs[k]);
		fprintf(f, "], \"regclass\": \"%s\", ", tv_regclass_name(r->regclass));
		if (r->isa == PVM_ISA_072) fprintf(f, "\"reading\": \"%s\", ", pvm_reading_name(r->reading));
		fputs("\"what\": \"", f);
		tv_put_esc(f, r->what, 'j');
		fprintf(f, "\", \"verdict\": \"%s\", \"symbolic\": %s, \"ms\": %.3f, \"detail\": \"",
		        tv_verdict_name(r->verdict), r->symbolic ? "true" : "false", r->ms);
		tv_put_esc(f, r->detail, 'j');
		fputs("\", \"cex_file\": \"", f);
		tv_put_esc(f, r->cex_file, 'j');
		fprintf(f, "\", \"index\": %u}", r->index);
	}
	fputs("\n  ]\n}\n", f);
	funlockfile(f);
	return close_out(f);
}

/* A JUnit test case: one opcode of one revision and variant. */
static unsigned case_of(const tv_result *r) { return (r->isa * TV_NUM_VARIANTS + r->variant) * PVM_NUM_OPS + r->op; }
enum { N_CASES = PVM_ISA_COUNT * TV_NUM_VARIANTS * PVM_NUM_OPS };

/* Indices of the results grouped by test case, in report order within one (counting sort). */
static size_t *sorted_by_case(const tv_report *rep)
{
	size_t *ix = pvm_xmalloc((rep->n ? rep->n : 1) * sizeof *ix), start[N_CASES + 1] = { 0 };
	for (size_t i = 0; i < rep->n; i++) start[case_of(&rep->r[i]) + 1]++;
	for (int k = 0; k < N_CASES; k++) start[k + 1] += start[k];
	for (size_t i = 0; i < rep->n; i++) ix[start[case_of(&rep->r[i])]++] = i;
	return ix;
}

bool tv_report_junit(const tv_report *rep, const char *path)
{
	size_t *ix = sorted_by_case(rep);
	if (!ix) return false;
	FILE *f = open_out(path);
	if (!f) {
		free(ix);
		return false;
	}
	size_t c[TV_NUM_VERDICTS], nops = 0, nfail = 0, nerr = 0;
	tv_report_counts(rep, c);
	/* count testcases (opcodes) and their outcome first, for the suite header */
	for (size_t i = 0; i < rep->n;) {
		size_t j = i;
		bool fail = false, err = false;
		for (; j < rep->n && case_of(&rep->r[ix[j]]) == case_of(&rep->r[ix[i]]); j++) {
			fail |= rep->r[ix[j]].verdict == TV_CEX || rep->r[ix[j]].verdict == TV_BUG;
			err |= rep->r[ix[j]].verdict == TV_UNKNOWN;
		}
		nops++;
		nfail += fail;
		nerr += !fail && err;
		i = j;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
	        "<testsuite name=\"jitproof validate\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
	        nops, nfail, nerr, rep->seconds);
	for (size_t i = 0; i < rep->n;) {
		size_t j = i;
		double ms = 0;
		size_t k[TV_NUM_VERDICTS] = {0};
		for (; j < rep->n && case_of(&rep->r[ix[j]]) == case_of(&rep->r[ix[i]]); j++) {
			ms += rep->r[ix[j]].ms;
			k[rep->r[ix[j]].verdict]++;
		}
		/* classname validate.<variant> for GP 0.7.2 (as before GP 0.8.0 was validated),
		 * validate.gp080.<variant> for GP 0.8.0 */
		const tv_result *r0 = &rep->r[ix[i]];
		fprintf(f, "  <testcase classname=\"validate.%s%s\" name=\"%s\" time=\"%.3f\">\n",
		        r0->isa == PVM_ISA_080 ? "gp080." : "", tv_variant_name(r0->variant), pvm_ops[r0->op].name, ms / 1000);
		const char *tag = k[TV_CEX] || k[TV_BUG] ? "failure" : k[TV_UNKNOWN] ? "error" : NULL;
		if (tag) {
			fprintf(f, "    <%s message=\"%zu counterexamples, %zu unknown, %zu validator bugs\">", tag, k[TV_CEX],
			        k[TV_UNKNOWN], k[TV_BUG]);
			for (size_t m = i; m < j; m++) {
				const tv_result *r = &rep->r[ix[m]];
				if (r->verdict != TV_CEX && r->verdict != TV_UNKNOWN && r->verdict != TV_BUG) continue;
				tv_put_result_line(f, r);
				fputc('\n', f);
			}
			fprintf(f, "</%s>\n", tag);
		}
		fprintf(f, "    <system-out>%zu instances: %zu proved, %zu counterexamples, %zu unknown, "
		        "%zu fallback-agree</system-out>\n  </testcase>\n", j - i, k[TV_PROVED], k[TV_CEX],
		        k[TV_UNKNOWN], k[TV_FALLBACK_AGREE]);
		i = j;
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	free(ix);
	return close_out(f);
}

/* Badness order for colouring a cell by its worst verdict. */
static int badness(tv_verdict v)
{
	static const int b[TV_NUM_VERDICTS] = { [TV_PROVED] = 0, [TV_FALLBACK_AGREE] = 1,
	                                        [TV_UNKNOWN] = 2, [TV_CEX] = 3, [TV_BUG] = 3 };
	return b[v];
}

/* ---- prove's reports: one entry per block ------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void tv_report_times(const tv_report *rep, double *median, double *p99, double *max)
{
	*median = *p99 = *max = 0;
	double *t = pvm_xmalloc((rep->n ? rep->n : 1) * sizeof *t);
	if (!t || !rep->n) {
		free(t);
		return;
	}
	for (size_t i = 0; i < rep->n; i++) t[i] = rep->r[i].ms;
	qsort(t, rep->n, sizeof *t, cmp_double);
	/* nearest rank: the smallest value with at least q of the results at or below it */
	size_t k50 = (rep->n + 1) / 2, k99 = (99 * rep->n + 99) / 100;
	*median = t[k50 - 1];
	*p99 = t[k99 - 1];
	*max = t[rep->n - 1];
	free(t);
}

void tv_report_block_summary(const tv_report *rep, unsigned jobs, FILE *out)
{
	size_t c[TV_NUM_VERDICTS];
	double med, p99, max;
	tv_report_counts(rep, c);
	tv_report_times(rep, &med, &p99, &max);
	fprintf(out, "prove: %zu blocks: %zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree, "
	        "%zu validator bugs; block ms: median %.1f, p99 %.1f, max %.1f; %.1f s wall, %u workers\n",
	        rep->n, c[TV_PROVED], c[TV_CEX], c[TV_UNKNOWN], c[TV_FALLBACK_AGREE], c[TV_BUG], med, p99, max,
	        rep->seconds, jobs);
}

bool tv_report_block_json(const tv_report *rep, const char *program, const char *path)
{
	FILE *f = open_out(path);
	if (!f) return false;
	size_t c[TV_NUM_VERDICTS];
	double med, p99, max;
	tv_report_counts(rep, c);
	tv_report_times(rep, &med, &p99, &max);
	fputs("{\n  \"program\": \"", f);
	tv_put_esc(f, program, 'j');
	fprintf(f, "\",\n  \"summary\": {\"blocks\": %zu, \"proved\": %zu, \"counterexamples\": %zu, \"unknown\": %zu, "
	        "\"fallback_agree\": %zu, \"validator_bugs\": %zu, \"median_ms\": %.3f, \"p99_ms\": %.3f, "
	        "\"max_ms\": %.3f, \"seconds\": %.3f, \"solver_queries\": %zu},\n",
	        rep->n, c[TV_PROVED], c[TV_CEX], c[TV_UNKNOWN], c[TV_FALLBACK_AGREE], c[TV_BUG], med, p99, max, rep->seconds,
	        rep->queries);
	put_store_json(f, rep);
	fputs("  \"blocks\": [", f);
	for (size_t i = 0; i < rep->n; i++) {
		const tv_result *r = &rep->r[i];
		unsigned pc = 0;
		sscanf(r->what, "block@%u", &pc);
		fprintf(f, "%s\n    {\"pc\": %u, \"first\": \"%s\", \"verdict\": \"%s\", \"symbolic\": %s, \"ms\": %.3f, "
		        "\"detail\": \"", i ? "," : "", pc, pvm_ops[r->op].name, tv_verdict_name(r->verdict),
		        r->symbolic ? "true" : "false", r->ms);
		tv_put_esc(f, r->detail, 'j');
		fputs("\", \"cex_file\": \"", f);
		tv_put_esc(f, r->cex_file, 'j');
		fputs("\"}", f);
	}
	fputs("\n  ]\n}\n", f);
	return close_out(f);
}

bool tv_report_block_junit(const tv_report *rep, const char *program, const char *path)
{
	FILE *f = open_out(path);
	if (!f) return false;
	size_t c[TV_NUM_VERDICTS];
	tv_report_counts(rep, c);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"jitproof prove ", f);
	tv_put_esc(f, program, 'x');
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", rep->n, c[TV_CEX] + c[TV_BUG],
	        c[TV_UNKNOWN], rep->seconds);
	for (size_t i = 0; i < rep->n; i++) {
		const tv_result *r = &rep->r[i];
		fputs("  <testcase classname=\"prove\" name=\"", f);
		tv_put_esc(f, r->what, 'x');
		fprintf(f, "\" time=\"%.3f\">", r->ms / 1000);
		const char *tag = r->verdict == TV_CEX || r->verdict == TV_BUG ? "failure"
		                : r->verdict == TV_UNKNOWN ? "error" : NULL;
		if (tag) {
			fprintf(f, "\n    <%s message=\"%s\">", tag, tv_verdict_name(r->verdict));
			tv_put_result_line(f, r);
			fprintf(f, "</%s>\n  ", tag);
		} else if (r->verdict == TV_FALLBACK_AGREE) {
			fputs("<system-out>", f);
			tv_put_result_line(f, r);
			fputs("</system-out>", f);
		}
		fputs("</testcase>\n", f);
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	return close_out(f);
}

bool tv_report_block_html(const tv_report *rep, const char *program, const char *path)
{
	FILE *f = open_out(path);
	if (!f) return false;
	size_t k[TV_NUM_VERDICTS];
	double med, p99, max;
	tv_report_counts(rep, k);
	tv_report_times(rep, &med, &p99, &max);
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>jitproof prove</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;font-size:12px}\n"
	      "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.l{text-align:left;font-family:monospace}\n"
	      ".v0{background:#b7e1b0}.v1{background:#d8ecf7}.v2{background:#f7e3a1}.v3{background:#f2a3a3}\n"
	      "</style></head><body>\n<h1>jitproof prove ", f);
	tv_put_esc(f, program, 'x');
	fprintf(f, "</h1>\n<p>%zu blocks: %zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree, %zu validator "
	        "bugs; block time median %.1f ms, p99 %.1f ms, max %.1f ms; %.1f s wall.</p>\n",
	        rep->n, k[TV_PROVED], k[TV_CEX], k[TV_UNKNOWN], k[TV_FALLBACK_AGREE], k[TV_BUG], med, p99, max, rep->seconds);
	fputs("<table>\n<tr><th>pc</th><th>first instruction</th><th>verdict</th><th>ms</th><th>detail</th></tr>\n", f);
	for (size_t i = 0; i < rep->n; i++) {
		const tv_result *r = &rep->r[i];
		unsigned pc = 0;
		sscanf(r->what, "block@%u", &pc);
		fprintf(f, "<tr class=\"v%d\"><td>%u</td><td class=\"l\">%s</td><td class=\"l\">%s</td><td>%.1f</td><td class=\"l\">",
		        badness(r->verdict), pc, pvm_ops[r->op].name, tv_verdict_name(r->verdict), r->ms);
		tv_put_esc(f, r->detail, 'x');
		if (r->cex_file[0]) {
			fputs(" (", f);
			tv_put_esc(f, r->cex_file, 'x');
			fputc(')', f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
	return close_out(f);
}
