/* cli/host.c: the host policy run and replay answer host calls with (cli/host.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "host.h"

void cli_host_default(cli_host *h) { memset(h, 0, sizeof *h); }

static const cli_host_rule default_rule = { .any = true, .set = 1u << 7, .regs = { [7] = CLI_HOST_WHAT },
                                            .gas = CLI_HOST_GAS };

int cli_host_load(const char *path, cli_host *h)
{
	cli_host_default(h);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s:0:0: cannot open\n", path);
		return 2;
	}
	char line[1024];
	unsigned ln = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		char *hash = strchr(line, '#');
		if (hash) *hash = 0;
		char *p = line;
		while (isspace((unsigned char)*p)) p++;
		if (!*p) continue;
		if (h->n_rules == CLI_HOST_MAX_ANSWERS) {
			fprintf(stderr, "%s:%u:1: more than %d rules\n", path, ln, CLI_HOST_MAX_ANSWERS);
			fclose(f);
			return 2;
		}
		cli_host_rule r = { .gas = CLI_HOST_GAS };
		char tok[256];
		int col = (int)(p - line) + 1, n = 0;
		if (sscanf(p, "%255s%n", tok, &n) != 1) continue;
		uint64_t v;
		if (!strcmp(tok, "*")) r.any = true;
		else if (cli_parse_u64(tok, &v) && v <= UINT32_MAX) r.id = (uint32_t)v;
		else {
			fprintf(stderr, "%s:%u:%d: expected a host-call id or '*', got '%s'\n", path, ln, col, tok);
			fclose(f);
			return 2;
		}
		p += n;
		for (;;) {
			while (isspace((unsigned char)*p)) p++;
			if (!*p) break;
			col = (int)(p - line) + 1;
			if (sscanf(p, "%255s%n", tok, &n) != 1) break;
			p += n;
			char *eq = strchr(tok, '=');
			int reg;
			int64_t g;
			bool ok = eq != NULL;
			if (ok) *eq = 0;
			if (ok && tok[0] == 'r' && sscanf(tok + 1, "%d", &reg) == 1 && reg >= 0 && reg < PVM_NUM_REGS &&
			    cli_parse_u64(eq + 1, &v)) {
				r.set |= (uint16_t)(1u << reg);
				r.regs[reg] = v;
			} else if (ok && !strcmp(tok, "gas") && cli_parse_i64(eq + 1, &g) && g >= 0) {
				r.gas = g;
			} else {
				fprintf(stderr, "%s:%u:%d: expected rN=VALUE or gas=N\n", path, ln, col);
				fclose(f);
				return 2;
			}
		}
		h->rules[h->n_rules++] = r;
	}
	fclose(f);
	return 0;
}

bool cli_host_answer(const cli_host *h, const pvm_exit *x, pvm_state *s)
{
	const cli_host_rule *r = &default_rule;
	for (size_t i = 0; i < h->n_rules; i++)
		if (h->rules[i].any || h->rules[i].id == x->host_id) {
			r = &h->rules[i];
			break;
		}
	s->gas -= r->gas;
	if (s->gas < 0) return false;
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if (r->set & (1u << i)) s->regs[i] = r->regs[i];
	s->pc = x->next;
	return true;
}

bool cli_entry_point(const char *name, uint32_t *pc)
{
	static const struct { const char *name; uint32_t pc; } e[] = {
		{ "refine", 0 }, { "is_authorized", 0 }, { "accumulate", 5 },
	};
	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
		if (!strcmp(name, e[i].name)) {
			*pc = e[i].pc;
			return true;
		}
	uint64_t v;
	if (!cli_parse_u64(name, &v) || v > UINT32_MAX) return false;
	*pc = (uint32_t)v;
	return true;
}
