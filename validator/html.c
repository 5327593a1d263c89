/* validator/html.c: the HTML report of validate, one self-contained page (it loads no other file):
 * per revision and variant an opcode × register-class matrix, each cell coloured by what it asks
 * of a person (the fault, out-of-gas and host-resume paths, checked concretely by design, have
 * their own quiet colour), and a panel an opened cell fills: the verdict and time of its
 * instances (proved templates counted with their median time, the rest listed up to a cap), the
 * template's code, the spec entry, and a counterexample's input beside both engines' results.
 * The page grows with the cells, not the instances: a 400,000-instance run is a few MB. */
#include <stdlib.h>
#include <string.h>
#include "report_out.h"

enum { CELL_LIST_MAX = 25,   /* results listed one by one per cell (the rest counted) */
       CELL_CEX_MAX = 2,     /* counterexamples shown run side by side, per cell */
       PAGE_CEX_MAX = 64,    /* ... and in the whole page */
       PAGE_LIST_MAX = 200   /* lines of the closing list of counterexamples and unknowns */ };

/* What a cell asks of a person, mildest first; a cell takes its worst result's. */
enum { C_PROVED, C_DESIGN, C_FALLBACK, C_UNKNOWN, C_CEX, C_BUG, C_COUNT };
static const char *const cat_class[C_COUNT] = { "v0", "vd", "v1", "v2", "v3", "v4" };
static const char *const cat_label[C_COUNT] = {
	"PROVED",
	"PROVED, and the fault, out-of-gas and host-resume paths (checked on concrete states by design) agree",
	"FALLBACK-AGREE: a proof did not conclude; both engines agree on concrete states",
	"UNKNOWN: not decided, not checked",
	"COUNTEREXAMPLE",
	"VALIDATOR-BUG: a model that does not replay",
};
static const char *const rc_id[TV_RC_COUNT] = { "none", "distinct", "rd=ra", "rd=rb", "ra=rb", "equal" };

static bool by_design(const tv_result *r)
{
	return !strcmp(r->what, "fault-path") || !strcmp(r->what, "gas-path") || !strcmp(r->what, "host-resume");
}

static int category(const tv_result *r)
{
	switch (r->verdict) {
	case TV_PROVED: return C_PROVED;
	case TV_FALLBACK_AGREE: return by_design(r) ? C_DESIGN : C_FALLBACK;
	case TV_UNKNOWN: return C_UNKNOWN;
	case TV_CEX: return C_CEX;
	default: return C_BUG;
	}
}

enum { N_CELLS = PVM_ISA_COUNT * TV_NUM_VARIANTS * PVM_NUM_OPS * TV_RC_COUNT };
static size_t cell_of(const tv_result *r)
{
	return (((size_t)r->isa * TV_NUM_VARIANTS + r->variant) * PVM_NUM_OPS + r->op) * TV_RC_COUNT + r->regclass;
}

typedef struct page {
	const tv_report *rep;
	const tv_html_views *views;
	size_t *ix;                /* result indices grouped by cell, report order within one */
	size_t start[N_CELLS + 1]; /* cell c's results: ix[start[c] .. start[c + 1]) */
	uint8_t cat[N_CELLS];
	size_t cex_shown;          /* counterexample views written so far */
	size_t cells_written;
	FILE *f;
} page;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median (nearest rank) and maximum of n times, sorted in place. */
static void med_max(double *t, size_t n, double *med, double *max)
{
	qsort(t, n, sizeof *t, cmp_double);
	*med = n ? t[(n + 1) / 2 - 1] : 0;
	*max = n ? t[n - 1] : 0;
}

static void cell_id(FILE *f, size_t c)
{
	size_t rc = c % TV_RC_COUNT, op = c / TV_RC_COUNT % PVM_NUM_OPS, v = c / TV_RC_COUNT / PVM_NUM_OPS % TV_NUM_VARIANTS,
	       isa = c / TV_RC_COUNT / PVM_NUM_OPS / TV_NUM_VARIANTS;
	fprintf(f, "%s/%s/%s/%s", pvm_isa_name((pvm_isa)isa), tv_variant_name((int)v), pvm_ops[op].name, rc_id[rc]);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	tv_put_esc(f, s, 's');
	fputc('"', f);
}

static void json_state(FILE *f, const tv_view_state *s)
{
	fputs("{\"status\":", f);
	json_str(f, s->status);
	fprintf(f, ",\"pc\":\"%u\",\"gas\":\"%lld\",\"regs\":[", s->pc, (long long)s->gas);
	for (int i = 0; i < PVM_NUM_REGS; i++) fprintf(f, "%s\"0x%llx\"", i ? "," : "", (unsigned long long)s->regs[i]);
	fputs("]}", f);
}

/* A counterexample view as the page's script reads it. */
static void json_cex(FILE *f, const tv_result *r, const tv_cex_view *v)
{
	fputs("{\"file\":", f);
	json_str(f, r->cex_file);
	fputs(",\"replay\":", f);
	json_str(f, v->replay);
	if (v->why[0]) {
		fputs(",\"why\":", f);
		json_str(f, v->why);
		fputc('}', f);
		return;
	}
	fputs(",\"eng\":[", f);
	json_str(f, v->engine[0]);
	fputc(',', f);
	json_str(f, v->engine[1]);
	fputs("],\"in\":", f);
	json_state(f, &v->in);
	fputs(",\"a\":", f);
	json_state(f, &v->out[0]);
	fputs(",\"b\":", f);
	json_state(f, &v->out[1]);
	fputs(",\"pages\":", f);
	json_str(f, v->pages);
	fputs(",\"init\":[", f);
	for (size_t i = 0; i < v->n_chunks; i++) {
		fprintf(f, "%s[\"0x%x\",\"", i ? "," : "", v->chunk[i].addr);
		for (uint32_t k = 0; k < v->chunk[i].len && k < sizeof v->chunk[i].b; k++)
			fprintf(f, "%s%02x", k ? " " : "", v->chunk[i].b[k]);
		fprintf(f, "%s\"]", v->chunk[i].len > sizeof v->chunk[i].b ? " ..." : "");
	}
	fputs("],\"mem\":[", f);
	for (size_t i = 0; i < v->n_mem; i++)
		fprintf(f, "%s[\"0x%x\",\"%02x\",\"%02x\",\"%02x\"]", i ? "," : "", v->mem[i].addr, v->mem[i].in,
		        v->mem[i].out[0], v->mem[i].out[1]);
	fputs("],\"diff\":", f);
	json_str(f, v->diff);
	fputc('}', f);
}

/* A text the caller's view made (malloc'ed), as a JSON string; freed. */
static void json_text(FILE *f, const char *key, char *text)
{
	if (!text) return;
	fprintf(f, ",\"%s\":", key);
	json_str(f, text);
	free(text);
}

/* One listed result: [instance, verdict, ms, detail, cex file, its view's place in "cx" or -1, category]. */
static void json_item(FILE *f, const tv_result *r, int view)
{
	fputs("[\"", f);
	tv_put_instance_name(f, r, 's');
	fprintf(f, "%s\",\"%s\",%.3f,", r->reading ? " (peers' readings)" : "", tv_verdict_name(r->verdict), r->ms);
	json_str(f, r->detail);
	fputc(',', f);
	json_str(f, r->cex_file);
	fprintf(f, ",%d,%d]", view, category(r));
}

/* Results counted, not listed, when proved: template instances and fusion-pattern instances. */
static const char *const agg_prefix[] = { "imm:", "fusion:" };
static bool aggregated(const tv_result *r)
{
	return !strncmp(r->what, agg_prefix[0], 4) || !strncmp(r->what, agg_prefix[1], 7);
}

/* One cell's object: counts, proved templates per kind, the other results, code, spec key, cex views. */
static void json_cell(page *P, size_t c)
{
	FILE *f = P->f;
	const tv_report *rep = P->rep;
	const size_t *ix = P->ix + P->start[c];
	size_t n = P->start[c + 1] - P->start[c], k[TV_NUM_VERDICTS] = { 0 };
	const tv_result *rep0 = NULL, *first = &rep->r[ix[0]];
	for (size_t i = 0; i < n; i++) {
		const tv_result *r = &rep->r[ix[i]];
		k[r->verdict]++;
		bool tpl = !strncmp(r->what, "imm:", 4);
		/* the code shown: a template's, or a trampoline's (ecalli's cell) when one is not proved */
		bool tramp = !strncmp(r->what, "trampoline-", 11) && r->verdict != TV_PROVED;
		if ((tpl || tramp) && (!rep0 || (rep0->verdict == TV_PROVED && r->verdict != TV_PROVED))) rep0 = r;
	}
	fputs(P->cells_written++ ? ",\"" : "\"", f);
	cell_id(f, c);
	fprintf(f, "\":{\"t\":\"%s (%u) \\u00b7 GP %s \\u00b7 %s \\u00b7 %s\",\"c\":\"%s\",\"n\":%zu,\"k\":[%zu,%zu,%zu,%zu,%zu]",
	        pvm_ops[first->op].name, pvm_byte((pvm_isa)first->isa, first->op), pvm_isa_name((pvm_isa)first->isa),
	        tv_variant_name(first->variant), tv_regclass_name(first->regclass), cat_class[P->cat[c]], n, k[TV_PROVED],
	        k[TV_CEX], k[TV_UNKNOWN], k[TV_FALLBACK_AGREE], k[TV_BUG]);
	/* proved templates: counted per kind and reading, with median and maximum time */
	fputs(",\"agg\":[", f);
	double *t = pvm_xmalloc(n * sizeof *t);
	bool any = false;
	for (int kr = 0; kr < 8; kr++) {
		int reading = kr % 4;
		const char *pre = agg_prefix[kr / 4];
		size_t m = 0;
		const char *what = NULL;
		for (size_t i = 0; i < n; i++) {
			const tv_result *r = &rep->r[ix[i]];
			if (r->verdict == TV_PROVED && !strncmp(r->what, pre, strlen(pre)) && r->reading == reading)
				t[m++] = r->ms, what = r->what;
		}
		if (!m) continue;
		double med, max;
		med_max(t, m, &med, &max);
		fprintf(f, "%s[\"%s%s\",%zu,%.3f,%.3f]", any ? "," : "", what, reading ? " (peers' readings)" : "", m, med, max);
		any = true;
	}
	free(t);
	/* the rest one by one: the per-opcode items first (few), then templates not proved, capped */
	fputs("],\"items\":[", f);
	size_t listed = 0, more = 0;
	int views = 0;
	const tv_result *cex_of[CELL_CEX_MAX];
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const tv_result *r = &rep->r[ix[i]];
			bool tpl = aggregated(r);
			if (pass == 0 ? tpl : !tpl || r->verdict == TV_PROVED) continue;
			if (listed == CELL_LIST_MAX) {
				more++;
				continue;
			}
			if (listed++) fputc(',', f);
			bool show = r->verdict == TV_CEX && r->cex_file[0] && views < CELL_CEX_MAX && P->cex_shown < PAGE_CEX_MAX;
			if (show) cex_of[views] = r, P->cex_shown++;
			json_item(f, r, show ? views++ : -1);
		}
	fprintf(f, "],\"more\":%zu,\"spec\":\"%s/%s\"", more, pvm_isa_name((pvm_isa)first->isa), pvm_ops[first->op].name);
	if (P->views && P->views->code) json_text(f, "code", P->views->code(P->views->ctx, rep0 ? rep0 : first));
	fputs(",\"cx\":[", f);
	for (int i = 0; i < views; i++) {
		tv_cex_view *v = pvm_xcalloc(1, sizeof *v);
		if (!P->views || !P->views->cex || !P->views->cex(P->views->ctx, cex_of[i], v))
			snprintf(v->why, sizeof v->why, "not run: this report was written without running vectors");
		if (i) fputc(',', f);
		json_cex(f, cex_of[i], v);
		free(v);
	}
	fputs("]}", f);
}

static const char style[] =
	"body{font-family:sans-serif;margin:0;color:#222}table{border-collapse:collapse;font-size:12px}\n"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.op{text-align:left;font-family:monospace}\n"
	"td[data-c]{cursor:pointer}td[data-c]:hover{outline:2px solid #555}td.sel{outline:3px solid #1a4f8a}\n"
	"td small{color:#555}\n"
	"#main{height:100vh;overflow:auto;padding:1.5em;box-sizing:border-box}\n"
	".v0{background:#b7e1b0}.vd{background:#dcefe6}.v1{background:#fbd9a5}.v2{background:#f7d35c}\n"
	".v3{background:#ef8f8f}.v4{background:#c9a0dc}.na{background:#f4f4f4}\n"
	".legend span{display:inline-block;padding:1px 6px;margin:2px 6px 2px 0;border:1px solid #bbb}\n"
	"pre{background:#f6f6f6;padding:6px;overflow-x:auto;font-size:12px;margin:4px 0}\n"
	"#panel{position:fixed;top:0;right:0;width:52%;height:100%;overflow:auto;background:#fff;"
	"border-left:2px solid #888;box-shadow:-4px 0 12px rgba(0,0,0,.2);padding:0 1em 2em;box-sizing:border-box}\n"
	"#panel h2{font-size:16px;margin:.8em 0 .3em}#panel h3{font-size:13px;margin:1em 0 .3em}\n"
	"#panel table{font-size:12px;font-family:monospace}#panel td{text-align:left}\n"
	"#panel tr.d td{background:#ffd0d0;font-weight:bold}#panel tr.d td:first-child::before{content:'\\2260 '}\n"
	"#panel td,#panel th{padding:0 6px;text-align:left}#panel p{margin:.3em 0}#panel .small{font-size:12px;color:#444}\n"
	"#close{float:right;margin-top:.8em}.chip{padding:0 4px;border:1px solid #bbb;font-size:11px}\n"
	"ul.found{font-size:12px;font-family:monospace;list-style:none;padding-left:0}\n"
	"code.cmd{display:block;background:#eef;padding:4px;font-size:12px;word-break:break-all}\n";

/* The panel's script: fills it from the data for one cell id; #open=ID or #open=OPCODE. */
static const char script[] =
	"(function(){\n"
	"var D=JSON.parse(document.getElementById('jp-data').textContent),P=document.getElementById('panel'),"
	"B=document.getElementById('pbody'),cur=null;\n"
	"var V=['PROVED','COUNTEREXAMPLE','UNKNOWN','FALLBACK-AGREE','VALIDATOR-BUG'],"
	"CL=['v0','vd','v1','v2','v3','v4'];\n"
	"function el(t,c,x,p){var e=document.createElement(t);if(c)e.className=c;if(x!=null)e.textContent=x;"
	"if(p)p.appendChild(e);return e}\n"
	"function row(tb,cells,cls){var tr=el('tr',cls,null,tb);cells.forEach(function(x){el('td',null,x,tr)});return tr}\n"
	"function cex(x){var s=el('div');el('h3',null,'Counterexample: '+x.file,s);\n"
	" el('p',null,'Replay: ',s);el('code','cmd',x.replay,s);\n"
	" if(x.why){el('p',null,'The vector is '+x.why,s);return s}\n"
	" if(x.diff)el('p',null,'First difference: '+x.diff,s);\n"
	" var t=el('table',null,null,s);var h=el('tr',null,null,t);\n"
	" ['field','input',x.eng[0]+' (interpreter)',x.eng[1]+' (JIT)'].forEach(function(c){el('th',null,c,h)});\n"
	" function r3(n,i,a,b){row(t,[n,i,a,b],a!==b?'d':null)}\n"
	" r3('exit','',x.a.status,x.b.status);r3('pc',x.in.pc,x.a.pc,x.b.pc);r3('gas',x.in.gas,x.a.gas,x.b.gas);\n"
	" for(var i=0;i<x.in.regs.length;i++)r3('r'+i,x.in.regs[i],x.a.regs[i],x.b.regs[i]);\n"
	" x.mem.forEach(function(m){r3('mem['+m[0]+']',m[1],m[2],m[3])});\n"
	" var p=el('p','small','Pages: '+x.pages,s);\n"
	" x.init.forEach(function(c){el('br',null,null,p);p.appendChild(document.createTextNode("
	"'Initial memory at '+c[0]+': '+c[1]))});\n"
	" return s}\n"
	"function open(id,scroll){var c=D.cells[id];if(!c)return false;\n"
	" if(cur)cur.classList.remove('sel');cur=document.querySelector('td[data-c=\"'+id+'\"]');\n"
	" if(cur){cur.classList.add('sel');if(scroll)cur.scrollIntoView({block:'center'})}\n"
	" B.textContent='';document.getElementById('ptitle').textContent=c.t;\n"
	" var k=[];c.k.forEach(function(n,i){if(n)k.push(n+' '+V[i])});\n"
	" el('p',null,c.n+' results: '+k.join(', '),B);\n"
	" if(c.cx.length)B.appendChild(cex(c.cx[0]));\n"
	" if(c.code){el('h3',null,'Template code',B);el('pre',null,c.code,B)}\n"
	" var sp=D.spec[c.spec];if(sp){el('h3',null,'Spec entry',B);el('pre',null,sp,B)}\n"
	" el('h3',null,'Verdicts and times',B);var t=el('table',null,null,B),h=el('tr',null,null,t);\n"
	" ['instance','verdict','ms','detail'].forEach(function(x){el('th',null,x,h)});\n"
	" c.agg.forEach(function(a){row(t,[a[1]+' templates '+a[0],'PROVED','median '+a[2]+', max '+a[3],''])"
	".children[1].className='v0'});\n"
	" c.items.forEach(function(it){var tr=row(t,[it[0],it[1],it[2].toFixed(1),it[3]+(it[4]?' ('+it[4]+')':'')]);"
	"tr.children[1].className=CL[it[6]]});\n"
	" if(c.more)row(t,['... and '+c.more+' more (the JSON report lists all)','','','']);\n"
	" c.cx.slice(1).forEach(function(x){B.appendChild(cex(x))});\n"
	" P.hidden=false;history.replaceState(null,'','#open='+id);return true}\n"
	"function fromHash(){var m=/^#open=(.+)$/.exec(location.hash);if(!m)return;var w=decodeURIComponent(m[1]);\n"
	" if(open(w,true))return;var best=null,bc=-1;\n"
	" document.querySelectorAll('td[data-c]').forEach(function(td){var id=td.getAttribute('data-c');\n"
	"  if(id.split('/')[2]===w){var r=CL.indexOf(D.cells[id].c);if(r>bc){bc=r;best=id}}});\n"
	" if(best)open(best,true)}\n"
	"document.querySelectorAll('td[data-c]').forEach(function(td){td.addEventListener('click',function(){"
	"open(td.getAttribute('data-c'),false)})});\n"
	"document.getElementById('close').addEventListener('click',function(){P.hidden=true;"
	"if(cur)cur.classList.remove('sel');history.replaceState(null,'',location.pathname)});\n"
	"document.addEventListener('keydown',function(e){if(e.key==='Escape')P.hidden=true});\n"
	"window.addEventListener('hashchange',fromHash);fromHash()})();\n";

/* The opcode x register-class matrix of one revision's variant. */
static void matrix(page *P, pvm_isa isa, int v)
{
	FILE *f = P->f;
	const tv_report *rep = P->rep;
	fprintf(f, "<h2>Templates: GP %s, %s</h2>\n<table>\n<tr><th>opcode</th>", pvm_isa_name(isa), tv_variant_name(v));
	for (int rc = 0; rc < TV_RC_COUNT; rc++) fprintf(f, "<th>%s</th>", tv_regclass_name(rc));
	fputs("</tr>\n", f);
	double *t = NULL;
	size_t tcap = 0;
	for (size_t i = 0; i < PVM_NUM_OPCODES; i++) {
		unsigned op = pvm_isa_ops(isa)[i];
		size_t row = (((size_t)isa * TV_NUM_VARIANTS + v) * PVM_NUM_OPS + op) * TV_RC_COUNT;
		if (P->start[row + TV_RC_COUNT] == P->start[row]) continue;
		fprintf(f, "<tr><td class=\"op\">%s (%u)</td>", pvm_ops[op].name, pvm_byte(isa, op));
		for (size_t c = row; c < row + TV_RC_COUNT; c++) {
			size_t n = P->start[c + 1] - P->start[c], k[TV_NUM_VERDICTS] = { 0 };
			if (!n) {
				fputs("<td class=\"na\"></td>", f);
				continue;
			}
			if (n > tcap) t = pvm_xrealloc(t, (tcap = n) * sizeof *t);
			for (size_t j = 0; j < n; j++) {
				const tv_result *r = &rep->r[P->ix[P->start[c] + j]];
				t[j] = r->ms;
				k[r->verdict]++;
			}
			double med, max;
			med_max(t, n, &med, &max);
			fprintf(f, "<td class=\"%s\" data-c=\"", cat_class[P->cat[c]]);
			cell_id(f, c);
			fprintf(f, "\" title=\"%zu proved, %zu counterexamples, %zu unknown, %zu fallback-agree; median %.1f ms, "
			        "max %.1f ms\">%zu<br><small>%.1f / %.0f</small></td>", k[TV_PROVED], k[TV_CEX], k[TV_UNKNOWN],
			        k[TV_FALLBACK_AGREE], med, max, n, med, max);
		}
		fputs("</tr>\n", f);
	}
	free(t);
	fputs("</table>\n", f);
}

static void run_line(FILE *f, const tv_report *rep)
{
	const tv_run_info *ri = &rep->run;
	fputs("<p>", f);
	if (ri->merged) fprintf(f, "Merged from %u shard reports (times added). ", ri->merged);
	else if (ri->shard_n > 1) fprintf(f, "Shard %u/%u: %zu of the %zu items. ", ri->shard_i, ri->shard_n, ri->items,
	                                  ri->enumerated);
	fprintf(f, "Fallback: %u concrete states per check; seed %llu; Z3 timeout %u ms, rlimit %u", ri->fallback_states,
	        (unsigned long long)ri->seed, ri->timeout_ms, ri->rlimit);
	if (ri->features[0]) {
		fputs("; the cpuid variant's extensions: ", f);
		tv_put_esc(f, ri->features, 'x');
	}
	if (ri->mutant[0]) {
		fputs("; <b>mutant ", f);
		tv_put_esc(f, ri->mutant, 'x');
		fputs("</b> (deliberately wrong code)", f);
	}
	fputs(".</p>\n", f);
}

bool tv_report_html(const tv_report *rep, const char *path, const tv_html_views *views)
{
	page *P = pvm_xcalloc(1, sizeof *P);
	P->rep = rep;
	P->views = views;
	P->ix = pvm_xmalloc((rep->n ? rep->n : 1) * sizeof *P->ix);
	for (size_t i = 0; i < rep->n; i++) {
		size_t c = cell_of(&rep->r[i]);
		P->start[c + 1]++;
		int cat = category(&rep->r[i]);
		if (cat > P->cat[c]) P->cat[c] = (uint8_t)cat;
	}
	for (size_t c = 0; c < N_CELLS; c++) P->start[c + 1] += P->start[c];
	{
		size_t *fill = pvm_xmalloc(N_CELLS * sizeof *fill);
		memcpy(fill, P->start, N_CELLS * sizeof *fill);
		for (size_t i = 0; i < rep->n; i++) P->ix[fill[cell_of(&rep->r[i])]++] = i;
		free(fill);
	}
	FILE *f = P->f = fopen(path, "w");
	if (!f) {
		free(P->ix);
		free(P);
		return false;
	}
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>jitproof validate</title>\n<style>\n%s"
	        "</style></head><body>\n<div id=\"main\">\n<h1>jitproof validate</h1>\n<pre class=\"summary\">", style);
	char *sum = NULL;
	size_t sum_len = 0;
	FILE *m = open_memstream(&sum, &sum_len);
	if (m) {
		tv_report_summary(rep, m);
		fclose(m);
		tv_put_esc(f, sum, 'x');
	}
	free(sum);
	fputs("</pre>\n", f);
	run_line(f, rep);
	fputs("<p class=\"legend\">", f);
	for (int c = 0; c < C_COUNT; c++) fprintf(f, "<span class=\"%s\">%s</span>", cat_class[c], cat_label[c]);
	fputs("<br>Each cell: results (template instances, and in one cell per opcode its region, dispatcher, fault-path, "
	      "gas-path, host-resume and trampoline items), median / max time in ms; coloured by its worst result. Click a cell for its code, spec "
	      "entry, verdicts and counterexamples (or open <code>#open=OPCODE</code>).</p>\n", f);
	for (int isa = 0; isa < PVM_ISA_COUNT; isa++)
		for (int v = 0; v < TV_NUM_VARIANTS; v++)
			if ((rep->isas >> isa & 1) && (rep->variants >> v & 1)) matrix(P, (pvm_isa)isa, v);
	size_t listed = 0, unlisted = 0;
	for (size_t i = 0; i < rep->n; i++) {
		const tv_result *r = &rep->r[i];
		if (r->verdict != TV_CEX && r->verdict != TV_UNKNOWN && r->verdict != TV_BUG) continue;
		if (listed == PAGE_LIST_MAX) {
			unlisted++;
			continue;
		}
		if (!listed++) fputs("<h2>Counterexamples and unknowns</h2>\n<ul class=\"found\">\n", f);
		fprintf(f, "<li><span class=\"chip %s\">%s</span> ", cat_class[category(r)], tv_verdict_name(r->verdict));
		tv_put_instance_name(f, r, 'x');
		fputs(": ", f);
		tv_put_esc(f, r->detail, 'x');
		if (r->cex_file[0]) {
			fputs(" (", f);
			tv_put_esc(f, r->cex_file, 'x');
			fputc(')', f);
		}
		fputs("</li>\n", f);
	}
	if (unlisted) fprintf(f, "<li>... and %zu more (the JSON report lists all)</li>\n", unlisted);
	if (listed) fputs("</ul>\n", f);
	/* the panel, and the data it is filled from */
	fputs("</div>\n<div id=\"panel\" hidden><button id=\"close\">close</button><h2 id=\"ptitle\"></h2><div id=\"pbody\"></div>"
	      "</div>\n<script id=\"jp-data\" type=\"application/json\">{\"cells\":{", f);
	bool spec_done[PVM_ISA_COUNT][PVM_NUM_OPS] = { { false } };
	for (size_t c = 0; c < N_CELLS; c++)
		if (P->start[c + 1] > P->start[c]) json_cell(P, c);
	fputs("},\"spec\":{", f);
	for (size_t i = 0, n = 0; i < rep->n && views && views->spec; i++) {
		const tv_result *r = &rep->r[i];
		if (spec_done[r->isa][r->op]) continue;
		spec_done[r->isa][r->op] = true;
		char *text = views->spec(views->ctx, r);
		if (!text) continue;
		fprintf(f, "%s\"%s/%s\":", n++ ? "," : "", pvm_isa_name((pvm_isa)r->isa), pvm_ops[r->op].name);
		json_str(f, text);
		free(text);
	}
	fprintf(f, "}}</script>\n<script>\n%s</script>\n</body></html>\n", script);
	bool ok = !ferror(f);
	ok = fclose(f) == 0 && ok;
	free(P->ix);
	free(P);
	return ok;
}
