/* cli/host.c: the host policy run and replay answer host calls with (cli/host.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "host.h"

void cli_host_default(cli_host *h) { memset(h, 0, sizeof *h); }

void cli_host_perturb(cli_host *h)
{
	memset(h, 0, sizeof *h);
	h->perturb = true;
}

/* HEX (an even number of digits, at most CLI_HOST_MAX_WRITE bytes) into out; false on junk. */
static bool parse_hex(const char *s, uint8_t *out, uint8_t *len)
{
	size_t n = strlen(s);
	if (!n || n % 2 || n / 2 > CLI_HOST_MAX_WRITE) return false;
	for (size_t i = 0; i < n; i += 2) {
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1])) return false;
		char b[3] = { s[i], s[i + 1], 0 };
		out[i / 2] = (uint8_t)strtoul(b, NULL, 16);
	}
	*len = (uint8_t)(n / 2);
	return true;
}

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
			} else if (ok && !strncmp(tok, "mem:", 4) && r.n_mem < CLI_HOST_MAX_WRITES && cli_parse_u64(tok + 4, &v) &&
			           v <= UINT32_MAX && parse_hex(eq + 1, r.mem[r.n_mem].bytes, &r.mem[r.n_mem].len)) {
				r.mem[r.n_mem++].addr = (uint32_t)v;
			} else {
				fprintf(stderr, "%s:%u:%d: expected rN=VALUE, gas=N or mem:ADDR=HEX\n", path, ln, col);
				fclose(f);
				return 2;
			}
		}
		h->rules[h->n_rules++] = r;
	}
	fclose(f);
	return 0;
}

bool cli_host_answer(const cli_host *h, pvm_exit *x, pvm_state *s)
{
	if (h->perturb) {
		if (pvm_host_perturb(s, x)) return true;
		x->status = PVM_OOG;
		return false;
	}
	const cli_host_rule *r = &default_rule;
	for (size_t i = 0; i < h->n_rules; i++)
		if (h->rules[i].any || h->rules[i].id == x->host_id) {
			r = &h->rules[i];
			break;
		}
	s->gas -= r->gas;
	if (s->gas < 0) {
		x->status = PVM_OOG;
		return false;
	}
	uint32_t fault;
	for (size_t i = 0; i < r->n_mem; i++)
		if (!pvm_mem_check(s->mem, r->mem[i].addr, r->mem[i].len, true, &fault)) {
			x->status = PVM_PANIC;
			return false;
		}
	for (int i = 0; i < PVM_NUM_REGS; i++)
		if (r->set & (1u << i)) s->regs[i] = r->regs[i];
	for (size_t i = 0; i < r->n_mem; i++) pvm_mem_poke(s->mem, r->mem[i].addr, r->mem[i].bytes, r->mem[i].len);
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
