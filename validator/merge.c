/* validator/merge.c: the JSON report of `validate` read back, and shard reports merged into the
 * report one run would have written. The reader takes libyaml's events one at a time (JSON is
 * YAML), so a 400,000-result report is never a document tree in memory; it is strict: a wrong
 * type, an unknown or missing field, a summary that the results do not add up to, each is one
 * "FILE:LINE:COL: reason". The merge refuses shards that do not cover the enumeration exactly once. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "report.h"

typedef struct jr {
	yaml_parser_t p;
	yaml_event_t ev;   /* the current event */
	bool have;         /* ev holds an event (to delete before the next) */
	const char *name;
	pvm_errbuf *e;
} jr;

/* Fails at the current event. */
static bool jr_fail(jr *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool jr_fail(jr *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pvm_verrf_at(j->e, j->name, j->ev.start_mark.line + 1, j->ev.start_mark.column + 1, fmt, ap);
	va_end(ap);
	return false;
}

static bool jr_next(jr *j)
{
	if (j->have) yaml_event_delete(&j->ev);
	j->have = false;
	if (!yaml_parser_parse(&j->p, &j->ev)) {
		pvm_errf_at(j->e, j->name, j->p.problem_mark.line + 1, j->p.problem_mark.column + 1, "malformed JSON: %s%s%s",
		            j->p.problem ? j->p.problem : "syntax error", j->p.context ? " " : "",
		            j->p.context ? j->p.context : "");
		return false;
	}
	j->have = true;
	return true;
}

static bool is_scalar(const jr *j) { return j->ev.type == YAML_SCALAR_EVENT; }
static bool is_plain(const jr *j) { return is_scalar(j) && j->ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE; }
static const char *sval(const jr *j) { return (const char *)j->ev.data.scalar.value; }

static bool expect(jr *j, yaml_event_type_t t, const char *what)
{
	if (!jr_next(j)) return false;
	return j->ev.type == t || jr_fail(j, "expected %s", what);
}

/* The next key of the mapping being read into key[], or false with *end set at its end. */
static bool next_key(jr *j, char *key, size_t n, bool *end)
{
	*end = false;
	if (!jr_next(j)) return false;
	if (j->ev.type == YAML_MAPPING_END_EVENT) {
		*end = true;
		return false;
	}
	if (!is_scalar(j) || is_plain(j)) return jr_fail(j, "expected a field name");
	snprintf(key, n, "%s", sval(j));
	return true;
}

/* Skips one value (its first event not yet read). */
static bool skip(jr *j)
{
	int depth = 0;
	do {
		if (!jr_next(j)) return false;
		yaml_event_type_t t = j->ev.type;
		if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT) depth++;
		else if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) depth--;
	} while (depth > 0);
	return true;
}

static bool get_str(jr *j, const char *what, char *out, size_t n)
{
	if (!jr_next(j)) return false;
	if (!is_scalar(j) || is_plain(j)) return jr_fail(j, "%s: expected a string", what);
	if (j->ev.data.scalar.length >= n) return jr_fail(j, "%s: longer than %zu bytes", what, n - 1);
	memcpy(out, sval(j), j->ev.data.scalar.length + 1);
	return true;
}

static bool get_u64(jr *j, const char *what, uint64_t max, uint64_t *out)
{
	if (!jr_next(j)) return false;
	const char *s = is_plain(j) ? sval(j) : "";
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || v > max) return jr_fail(j, "%s: expected a number 0..%llu", what,
	                                                                 (unsigned long long)max);
	*out = v;
	return true;
}

static bool get_unsigned(jr *j, const char *what, unsigned *out)
{
	uint64_t v;
	if (!get_u64(j, what, UINT32_MAX, &v)) return false;
	*out = (unsigned)v;
	return true;
}

static bool get_size(jr *j, const char *what, size_t *out)
{
	uint64_t v;
	if (!get_u64(j, what, SIZE_MAX, &v)) return false;
	*out = (size_t)v;
	return true;
}

static bool get_double(jr *j, const char *what, double *out)
{
	if (!jr_next(j)) return false;
	const char *s = is_plain(j) ? sval(j) : "";
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0)) return jr_fail(j, "%s: expected a non-negative number", what);
	*out = v;
	return true;
}

static bool get_bool(jr *j, const char *what, bool *out)
{
	if (!jr_next(j)) return false;
	if (is_plain(j) && !strcmp(sval(j), "true")) *out = true;
	else if (is_plain(j) && !strcmp(sval(j), "false")) *out = false;
	else return jr_fail(j, "%s: expected true or false", what);
	return true;
}

/* A list of names, each mapped to a bit by lookup (-1: unknown). */
static bool get_name_bits(jr *j, const char *what, int (*lookup)(const char *), unsigned *bits)
{
	*bits = 0;
	if (!expect(j, YAML_SEQUENCE_START_EVENT, "a list")) return false;
	for (;;) {
		if (!jr_next(j)) return false;
		if (j->ev.type == YAML_SEQUENCE_END_EVENT) return true;
		int k = is_scalar(j) && !is_plain(j) ? lookup(sval(j)) : -1;
		if (k < 0) return jr_fail(j, "%s: unknown name", what);
		*bits |= 1u << k;
	}
}

static int isa_by_name(const char *s) { return pvm_isa_by_name(s); }

static int verdict_by_name(const char *s)
{
	for (int v = 0; v < TV_NUM_VERDICTS; v++)
		if (!strcmp(tv_verdict_name((tv_verdict)v), s)) return v;
	return -1;
}

static int regclass_by_name(const char *s)
{
	for (int rc = 0; rc < TV_RC_COUNT; rc++)
		if (!strcmp(tv_regclass_name(rc), s)) return rc;
	return -1;
}

static bool read_run(jr *j, tv_report *rep, bool *has_shard)
{
	tv_run_info *ri = &rep->run;
	char key[32];
	bool end;
	if (!expect(j, YAML_MAPPING_START_EVENT, "\"run\": an object")) return false;
	ri->all_ops = true;
	while (next_key(j, key, sizeof key, &end)) {
		bool ok;
		if (!strcmp(key, "shard")) {
			uint64_t i = 0, n = 0;
			ok = expect(j, YAML_SEQUENCE_START_EVENT, "shard: [I, N]") && get_u64(j, "shard", 1u << 20, &i) &&
			     get_u64(j, "shard", 1u << 20, &n) && expect(j, YAML_SEQUENCE_END_EVENT, "shard: [I, N]");
			if (ok && (n == 0 || i >= n)) ok = jr_fail(j, "shard: %llu/%llu is not one of 0/N..N-1/N",
			                                          (unsigned long long)i, (unsigned long long)n);
			ri->shard_i = (unsigned)i, ri->shard_n = (unsigned)n, *has_shard = true;
		} else if (!strcmp(key, "enumerated")) ok = get_size(j, key, &ri->enumerated);
		else if (!strcmp(key, "items")) ok = get_size(j, key, &ri->items);
		else if (!strcmp(key, "merged")) ok = get_unsigned(j, key, &ri->merged);
		else if (!strcmp(key, "jobs")) ok = get_unsigned(j, key, &ri->jobs);
		else if (!strcmp(key, "isas")) ok = get_name_bits(j, key, isa_by_name, &rep->isas);
		else if (!strcmp(key, "variants")) ok = get_name_bits(j, key, tv_variant_by_name, &rep->variants);
		else if (!strcmp(key, "readings")) {
			char s[8];
			ok = get_str(j, key, s, sizeof s);
			ri->readings = !strcmp(s, "w3f") ? 1 : !strcmp(s, "peers") ? 2 : !strcmp(s, "both") ? 3 : 0;
			if (ok && !ri->readings) ok = jr_fail(j, "readings: expected w3f, peers or both");
		} else if (!strcmp(key, "opcodes")) {
			if (!jr_next(j)) return false;
			ok = true;
			if (is_scalar(j) && !is_plain(j) && !strcmp(sval(j), "all")) continue;
			if (j->ev.type != YAML_SEQUENCE_START_EVENT) return jr_fail(j, "opcodes: expected \"all\" or a list");
			ri->all_ops = false;
			for (;;) {
				if (!jr_next(j)) return false;
				if (j->ev.type == YAML_SEQUENCE_END_EVENT) break;
				int op = is_scalar(j) && !is_plain(j) ? pvm_op_by_name(sval(j)) : -1;
				if (op < 0) return jr_fail(j, "opcodes: unknown opcode");
				ri->op[op] = true;
			}
		} else if (!strcmp(key, "fallback_states")) ok = get_unsigned(j, key, &ri->fallback_states);
		else if (!strcmp(key, "seed")) ok = get_u64(j, key, UINT64_MAX, &ri->seed);
		else if (!strcmp(key, "timeout_ms")) ok = get_unsigned(j, key, &ri->timeout_ms);
		else if (!strcmp(key, "rlimit")) ok = get_unsigned(j, key, &ri->rlimit);
		else if (!strcmp(key, "memo")) ok = get_bool(j, key, &ri->memo);
		else if (!strcmp(key, "fail_fast")) ok = get_bool(j, key, &ri->fail_fast);
		else if (!strcmp(key, "mutant")) ok = get_str(j, key, ri->mutant, sizeof ri->mutant);
		else if (!strcmp(key, "features")) ok = get_str(j, key, ri->features, sizeof ri->features);
		else if (!strcmp(key, "phase_ms")) {
			ok = expect(j, YAML_SEQUENCE_START_EVENT, "phase_ms: a list");
			for (int k = 0; ok && k < TV_NUM_PHASES; k++) ok = get_double(j, key, &rep->phase_ms[k]);
			ok = ok && expect(j, YAML_SEQUENCE_END_EVENT, "the end of phase_ms");
		} else ok = jr_fail(j, "run: unknown field \"%s\"", key);
		if (!ok) return false;
	}
	return end;
}

/* One result object; its '{' already read. */
static bool read_result(jr *j, tv_result *r)
{
	enum { OPCODE = 1, ISA = 2, VARIANT = 4, REGS = 8, RC = 16, WHAT = 32, VERDICT = 64, MS = 128, INDEX = 256 };
	unsigned seen = 0;
	char key[32], s[48];
	bool end;
	int op = -1;
	yaml_mark_t start = j->ev.start_mark;
	while (next_key(j, key, sizeof key, &end)) {
		bool ok;
		if (!strcmp(key, "opcode")) {
			ok = get_str(j, key, s, sizeof s);
			if (ok && (op = pvm_op_by_name(s)) < 0) ok = jr_fail(j, "opcode: unknown opcode '%s'", s);
			r->op = (uint8_t)op, seen |= OPCODE;
		} else if (!strcmp(key, "isa")) {
			int isa;
			ok = get_str(j, key, s, sizeof s);
			if (ok && (isa = pvm_isa_by_name(s)) < 0) ok = jr_fail(j, "isa: unknown revision '%s'", s);
			r->isa = ok ? (uint8_t)isa : 0, seen |= ISA;
		} else if (!strcmp(key, "code")) {
			uint64_t c;
			ok = get_u64(j, key, 255, &c);
		} else if (!strcmp(key, "variant")) {
			int v;
			ok = get_str(j, key, s, sizeof s);
			if (ok && (v = tv_variant_by_name(s)) < 0) ok = jr_fail(j, "variant: unknown variant '%s'", s);
			r->variant = ok ? (uint8_t)v : 0, seen |= VARIANT;
		} else if (!strcmp(key, "regs")) {
			ok = expect(j, YAML_SEQUENCE_START_EVENT, "regs: a list");
			for (r->nregs = 0; ok;) {
				if (!jr_next(j)) return false;
				if (j->ev.type == YAML_SEQUENCE_END_EVENT) break;
				char *e;
				unsigned long v = is_plain(j) ? strtoul(sval(j), &e, 10) : 99;
				if (r->nregs == 3 || v >= PVM_NUM_REGS || !is_plain(j) || *e) return jr_fail(j, "regs: expected at most 3 registers 0..12");
				r->regs[r->nregs++] = (uint8_t)v;
			}
			seen |= REGS;
		} else if (!strcmp(key, "regclass")) {
			int rc;
			ok = get_str(j, key, s, sizeof s);
			if (ok && (rc = regclass_by_name(s)) < 0) ok = jr_fail(j, "regclass: unknown register class '%s'", s);
			r->regclass = ok ? (uint8_t)rc : 0, seen |= RC;
		} else if (!strcmp(key, "reading")) {
			uint8_t rd = 0;
			ok = get_str(j, key, s, sizeof s);
			if (ok && !pvm_reading_parse(s, &rd)) ok = jr_fail(j, "reading: unknown reading '%s'", s);
			r->reading = rd;
		} else if (!strcmp(key, "what")) ok = get_str(j, key, r->what, sizeof r->what), seen |= WHAT;
		else if (!strcmp(key, "verdict")) {
			int v;
			ok = get_str(j, key, s, sizeof s);
			if (ok && (v = verdict_by_name(s)) < 0) ok = jr_fail(j, "verdict: unknown verdict '%s'", s);
			r->verdict = ok ? (tv_verdict)v : TV_PROVED, seen |= VERDICT;
		} else if (!strcmp(key, "symbolic")) ok = get_bool(j, key, &r->symbolic);
		else if (!strcmp(key, "ms")) ok = get_double(j, key, &r->ms), seen |= MS;
		else if (!strcmp(key, "detail")) ok = get_str(j, key, r->detail, sizeof r->detail);
		else if (!strcmp(key, "cex_file")) ok = get_str(j, key, r->cex_file, sizeof r->cex_file);
		else if (!strcmp(key, "index")) {
			uint64_t ix = 0;
			ok = get_u64(j, key, UINT32_MAX, &ix);
			r->index = (uint32_t)ix, seen |= INDEX;
		} else ok = jr_fail(j, "result: unknown field \"%s\"", key);
		if (!ok) return false;
	}
	if (!end) return false;
	static const char *const need[] = { "opcode", "isa", "variant", "regs", "regclass", "what", "verdict", "ms", "index" };
	for (int k = 0; k < 9; k++)
		if (!(seen >> k & 1)) {
			pvm_errf_at(j->e, j->name, start.line + 1, start.column + 1, "result: missing field \"%s\"", need[k]);
			return false;
		}
	if (!pvm_op_in((pvm_isa)r->isa, r->op)) {
		pvm_errf_at(j->e, j->name, start.line + 1, start.column + 1, "result: %s is not an instruction of GP %s",
		            pvm_ops[r->op].name, pvm_isa_name((pvm_isa)r->isa));
		return false;
	}
	return true;
}

static bool read_report(jr *j, tv_report *rep)
{
	if (!expect(j, YAML_STREAM_START_EVENT, "a JSON document") || !expect(j, YAML_DOCUMENT_START_EVENT, "a JSON document") ||
	    !expect(j, YAML_MAPPING_START_EVENT, "a JSON object"))
		return false;
	bool has_kind = false, has_run = false, has_shard = false, has_summary = false, end;
	size_t said[TV_NUM_VERDICTS] = { 0 }, said_templates = 0;
	yaml_mark_t summary_at = { 0 };
	char key[32];
	while (next_key(j, key, sizeof key, &end)) {
		bool ok;
		if (!strcmp(key, "report")) {
			char s[32];
			ok = get_str(j, key, s, sizeof s);
			if (ok && strcmp(s, "jitproof validate")) ok = jr_fail(j, "report: \"%s\" is not a validate report", s);
			has_kind = true;
		} else if (!strcmp(key, "version")) {
			uint64_t v;
			ok = get_u64(j, key, 1000, &v);
			if (ok && v != TV_REPORT_VERSION)
				ok = jr_fail(j, "version %llu: this jitproof reads version %d", (unsigned long long)v, TV_REPORT_VERSION);
		} else if (!strcmp(key, "run")) {
			ok = read_run(j, rep, &has_shard), has_run = true;
		} else if (!strcmp(key, "summary")) {
			static const char *const names[] = { "proved", "counterexamples", "unknown", "fallback_agree",
			                                     "validator_bugs" };
			static const int verdict_of[] = { TV_PROVED, TV_CEX, TV_UNKNOWN, TV_FALLBACK_AGREE, TV_BUG };
			ok = expect(j, YAML_MAPPING_START_EVENT, "\"summary\": an object");
			summary_at = j->ev.start_mark;
			has_summary = true;
			while (ok && next_key(j, key, sizeof key, &end)) {
				int k = 0;
				while (k < 5 && strcmp(key, names[k])) k++;
				if (k < 5) ok = get_size(j, key, &said[verdict_of[k]]);
				else if (!strcmp(key, "templates")) ok = get_size(j, key, &said_templates);
				else if (!strcmp(key, "seconds")) ok = get_double(j, key, &rep->seconds);
				else if (!strcmp(key, "solver_queries")) ok = get_size(j, key, &rep->queries);
				else ok = jr_fail(j, "summary: unknown field \"%s\"", key);
			}
			if (ok && !end) return false;
		} else if (!strcmp(key, "variants") || !strcmp(key, "isas") || !strcmp(key, "store")) {
			ok = skip(j); /* per-part counts: recomputed from the results; a shard's own store counts */
		} else if (!strcmp(key, "results")) {
			ok = expect(j, YAML_SEQUENCE_START_EVENT, "\"results\": a list");
			while (ok) {
				if (!jr_next(j)) return false;
				if (j->ev.type == YAML_SEQUENCE_END_EVENT) break;
				if (j->ev.type != YAML_MAPPING_START_EVENT) return jr_fail(j, "expected a result object");
				tv_result *r = tv_report_add(rep);
				ok = read_result(j, r);
				rep->templates += ok && !strncmp(r->what, "imm:", 4);
			}
		} else {
			ok = jr_fail(j, "unknown field \"%s\"", key);
		}
		if (!ok) return false;
	}
	if (!end) return false;
	if (!has_kind || !has_run || !has_shard) {
		pvm_errf(j->e, "%s: not a validate report of this jitproof (no \"%s\"; written by an older one, or by prove?)",
		         j->name, !has_kind ? "report" : !has_run ? "run" : "run\": {\"shard");
		return false;
	}
	size_t c[TV_NUM_VERDICTS];
	tv_report_counts(rep, c);
	for (int v = 0; v < TV_NUM_VERDICTS && has_summary; v++)
		if (c[v] != said[v]) {
			pvm_errf_at(j->e, j->name, summary_at.line + 1, summary_at.column + 1,
			            "the summary says %zu %s, the results hold %zu", said[v], tv_verdict_name((tv_verdict)v), c[v]);
			return false;
		}
	if (has_summary && said_templates != rep->templates) {
		pvm_errf_at(j->e, j->name, summary_at.line + 1, summary_at.column + 1,
		            "the summary says %zu templates, the results hold %zu", said_templates, rep->templates);
		return false;
	}
	return true;
}

pvm_err tv_report_read(const char *path, tv_report *rep, pvm_errbuf *e)
{
	memset(rep, 0, sizeof *rep);
	FILE *f = fopen(path, "rb");
	if (!f) {
		pvm_errf(e, "%s: cannot open (%s)", path, strerror(errno));
		return PVM_EIO;
	}
	jr j = { .name = path, .e = e };
	if (!yaml_parser_initialize(&j.p)) pvm_out_of_memory(0);
	yaml_parser_set_input_file(&j.p, f);
	bool ok = read_report(&j, rep);
	if (j.have) yaml_event_delete(&j.ev);
	yaml_parser_delete(&j.p);
	fclose(f);
	if (!ok) tv_report_free(rep);
	return ok ? PVM_OK : PVM_EINVAL;
}

/* The first option the two runs differ in, as "--NAME A vs B" in why; false when none. */
static bool options_differ(const tv_run_info *a, const tv_report *ra, const tv_run_info *b, const tv_report *rb,
                           char *why, size_t n)
{
	if (ra->isas != rb->isas) return snprintf(why, n, "--isa (revisions 0x%x vs 0x%x)", ra->isas, rb->isas), true;
	if (ra->variants != rb->variants)
		return snprintf(why, n, "--features (variants 0x%x vs 0x%x)", ra->variants, rb->variants), true;
	if (a->all_ops != b->all_ops || memcmp(a->op, b->op, sizeof a->op)) return snprintf(why, n, "--opcode"), true;
	if (a->readings != b->readings) return snprintf(why, n, "--reading (%u vs %u)", a->readings, b->readings), true;
	if (a->fallback_states != b->fallback_states)
		return snprintf(why, n, "--fallback-states (%u vs %u)", a->fallback_states, b->fallback_states), true;
	if (a->seed != b->seed)
		return snprintf(why, n, "--seed (%llu vs %llu)", (unsigned long long)a->seed, (unsigned long long)b->seed), true;
	if (a->timeout_ms != b->timeout_ms) return snprintf(why, n, "--timeout-ms (%u vs %u)", a->timeout_ms, b->timeout_ms), true;
	if (a->rlimit != b->rlimit) return snprintf(why, n, "--rlimit (%u vs %u)", a->rlimit, b->rlimit), true;
	if (a->memo != b->memo) return snprintf(why, n, "--no-memo"), true;
	if (a->fail_fast != b->fail_fast) return snprintf(why, n, "--fail-fast"), true;
	if (strcmp(a->mutant, b->mutant)) return snprintf(why, n, "--mutant ('%s' vs '%s')", a->mutant, b->mutant), true;
	if (strcmp(a->features, b->features))
		return snprintf(why, n, "the CPU's extensions, which the cpuid variant's code depends on ('%s' vs '%s')",
		                a->features, b->features), true;
	if (a->enumerated != b->enumerated)
		return snprintf(why, n, "the enumeration (%zu vs %zu items: another jitproof?)", a->enumerated, b->enumerated), true;
	return false;
}

pvm_err tv_report_merge(tv_report *in, const char *const *names, size_t n, tv_report *out, pvm_errbuf *e)
{
	memset(out, 0, sizeof *out);
	if (!n) {
		pvm_errf(e, "no shard reports given");
		return PVM_EINVAL;
	}
	unsigned N = in[0].run.shard_n;
	size_t *who = pvm_xmalloc(N * sizeof *who), *next = NULL;
	for (unsigned i = 0; i < N; i++) who[i] = SIZE_MAX;
	char why[200];
	pvm_err err = PVM_EINVAL;
	size_t items = 0, results = 0;
	for (size_t k = 0; k < n; k++) {
		const tv_run_info *ri = &in[k].run;
		if (ri->shard_n != N) {
			pvm_errf(e, "%s: shard %u/%u, but %s is shard %u/%u (every shard must split by the same N)", names[k],
			         ri->shard_i, ri->shard_n, names[0], in[0].run.shard_i, N);
			goto out;
		}
		if (who[ri->shard_i] != SIZE_MAX) {
			pvm_errf(e, "%s: shard %u/%u again (%s is shard %u/%u too)", names[k], ri->shard_i, N,
			         names[who[ri->shard_i]], ri->shard_i, N);
			goto out;
		}
		who[ri->shard_i] = k;
		if (options_differ(ri, &in[k], &in[0].run, &in[0], why, sizeof why)) {
			pvm_errf(e, "%s: its run differs from %s's in %s (every shard must run with the same options)", names[k],
			         names[0], why);
			goto out;
		}
		size_t want = ri->enumerated > ri->shard_i ? (ri->enumerated - ri->shard_i - 1) / N + 1 : 0;
		if (ri->items != want) {
			pvm_errf(e, "%s: shard %u/%u holds %zu items, but %zu of the %zu enumerated are its", names[k], ri->shard_i, N,
			         ri->items, want, ri->enumerated);
			goto out;
		}
		if (in[k].n != ri->items && !(ri->fail_fast && in[k].n < ri->items)) {
			pvm_errf(e, "%s: %zu results for its %zu items (cut short? only --fail-fast stops early)", names[k],
			         in[k].n, ri->items);
			goto out;
		}
		for (size_t m = 0; m < in[k].n; m++) {
			uint32_t ix = in[k].r[m].index;
			if (ix % N != ri->shard_i || ix >= ri->enumerated || (m && ix <= in[k].r[m - 1].index)) {
				pvm_errf(e, "%s: result %zu: index %u is not shard %u/%u's next (of %zu items)", names[k], m + 1, ix,
				         ri->shard_i, N, ri->enumerated);
				goto out;
			}
		}
		items += ri->items;
		results += in[k].n;
	}
	for (unsigned i = 0; i < N; i++)
		if (who[i] == SIZE_MAX) {
			char given[120] = "";
			for (unsigned g = 0, l = 0; g < N && l < sizeof given - 12; g++)
				if (who[g] != SIZE_MAX) l += (unsigned)snprintf(given + l, sizeof given - l, "%s%u/%u", l ? ", " : "", g, N);
			pvm_errf(e, "shard %u/%u missing (given: %s)", i, N, given);
			goto out;
		}
	if (items != in[0].run.enumerated) { /* each shard's count checked above: cannot differ, unless N > items */
		pvm_errf(e, "the shards hold %zu items, the enumeration %zu", items, in[0].run.enumerated);
		goto out;
	}
	/* results in enumeration order: shard i holds the indices i, i + N, ..., each in order */
	out->r = pvm_xmalloc((results ? results : 1) * sizeof *out->r);
	out->cap = results ? results : 1;
	next = pvm_xcalloc(N, sizeof *next);
	for (;;) {
		size_t best = SIZE_MAX;
		for (unsigned i = 0; i < N; i++) {
			const tv_report *s = &in[who[i]];
			if (next[i] < s->n && (best == SIZE_MAX || s->r[next[i]].index < in[who[best]].r[next[best]].index)) best = i;
		}
		if (best == SIZE_MAX) break;
		out->r[out->n++] = in[who[best]].r[next[best]++];
	}
	out->run = in[0].run;
	out->run.shard_i = 0, out->run.shard_n = 1, out->run.items = items, out->run.merged = (unsigned)n;
	out->variants = in[0].variants;
	out->isas = in[0].isas;
	for (size_t k = 0; k < n; k++) {
		out->templates += in[k].templates;
		out->seconds += in[k].seconds;
		for (int p = 0; p < TV_NUM_PHASES; p++) out->phase_ms[p] += in[k].phase_ms[p];
		if (in[k].run.jobs > out->run.jobs) out->run.jobs = in[k].run.jobs;
		tv_report_free(&in[k]);
	}
	err = PVM_OK;
out:
	free(who);
	free(next);
	return err;
}
