/* cli/cmd_merge_reports.c: `jitproof merge-reports`: the JSON reports of `validate --shard I/N`
 * runs made into the reports one run would have written (JSON, JUnit, HTML), after checking that
 * they cover the enumeration exactly once: every shard 0..N-1 of one N, the same options, the items
 * adding up. Prints what validate prints. Exit 1 on any counterexample (or validator bug), 2 on
 * bad usage or a bad or missing shard report. */
#include <stdlib.h>
#include <string.h>
#include "pvm/mutant.h"
#include "tv_cli.h"

static const char usage_text[] =
	"usage: jitproof merge-reports [--json OUT.json] [--junit OUT.xml] [--html OUT.html] SHARD.json...\n"
	"Reads the JSON reports of `jitproof validate --shard I/N --json SHARD.json` runs (I = 0..N-1, one\n"
	"file each, in any order), checks that they are every shard of one N exactly once, made with the\n"
	"same options (everything but -j) and the same CPU extensions, and that their items add up to the\n"
	"enumeration; then writes the reports and prints the lines one unsharded run prints (its time:\n"
	"the shards' times added). The HTML report shows a counterexample's vector when the shards'\n"
	"--cex-dir is here at the same path.\n"
	"Exit status: 0 all proved or agreeing, 1 a counterexample, 2 bad usage or input.\n";

int cmd_merge_reports(int argc, char **argv)
{
	const char *json = NULL, *junit = NULL, *html = NULL;
	const char **names = pvm_xmalloc((size_t)argc * sizeof *names);
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			free(names);
			return 0;
		} else if (cli_report_option(argc, argv, &i, &json, &junit, &html)) {
		} else if (a[0] == '-' && a[1]) {
			free(names);
			return cli_usage("merge-reports", "unknown or incomplete option '%s' (see --help)", a);
		} else {
			names[n++] = a;
		}
	}
	if (!n) {
		free(names);
		return cli_usage("merge-reports", "needs the shard reports (SHARD.json...; see --help)");
	}
	tv_report *in = pvm_xcalloc(n, sizeof *in), rep = { 0 };
	pvm_errbuf e;
	int rc = 0;
	for (size_t k = 0; k < n && !rc; k++)
		if (tv_report_read(names[k], &in[k], &e)) fprintf(stderr, "%s\n", e.msg), rc = 2;
	if (!rc && tv_report_merge(in, names, n, &rep, &e)) fprintf(stderr, "jitproof merge-reports: %s\n", e.msg), rc = 2;
	for (size_t k = 0; k < n; k++) tv_report_free(&in[k]);
	free(in);
	sem_spec *sp[PVM_ISA_COUNT] = { 0 };
	if (!rc && html) {
		/* the views run the shards' mutant, if this binary has it, and read the spec entries */
		if (rep.run.mutant[0] && !pvm_set_mutant(rep.run.mutant))
			fprintf(stderr, "jitproof merge-reports: mutant '%s' not built in: the HTML report shows the real code\n",
			        rep.run.mutant);
		for (int isa = 0; isa < PVM_ISA_COUNT; isa++)
			if (rep.isas >> isa & 1) sp[isa] = sem_spec_load_isa(sem_spec_default_path(), (pvm_isa)isa, &e);
	}
	cli_views views = { 0 };
	if (!rc && html) cli_views_init(&views, &rep.run, (const sem_spec *const *)sp);
	if (!rc && ((json && !tv_report_json(&rep, json)) || (junit && !tv_report_junit(&rep, junit)) ||
	            (html && !tv_report_html(&rep, html, &views.v)))) {
		fprintf(stderr, "jitproof merge-reports: cannot write a report file\n");
		rc = 2;
	}
	if (html) cli_views_fini(&views);
	if (!rc) {
		cli_tv_print(&rep);
		size_t c[TV_NUM_VERDICTS];
		tv_report_counts(&rep, c);
		if (c[TV_CEX] || c[TV_BUG]) rc = 1;
	}
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++) sem_spec_free(sp[isa]);
	tv_report_free(&rep);
	free(names);
	return rc;
}
