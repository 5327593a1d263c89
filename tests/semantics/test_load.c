/* tests/semantics/test_load.c: the spec loader.
 *   sem_load table SPEC [ISA] — SPEC loaded for ISA (default 0.7.2) and pvm/opcodes.def list the
 *                          same 139 instructions of that revision (name, form, terminator),
 *                          checked here entry by entry;
 *   sem_load bad FILE    — FILE must be rejected with exactly the message its first line
 *                          announces: "# expect: LINE:COL: reason" (prefixed with FILE:);
 *   sem_load mutate SPEC N — N randomly damaged copies of SPEC (fixed seed): each is accepted or
 *                          rejected with a "FILE:LINE:COL: " message, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "semantics/sem.h"

/* The identity validate's peers' readings rest on (README § GP 0.7.2 readings): every entry but
 * those listed in `expect` (comma-separated names) is the same entry under every reading, so a
 * query built from it is the same; the listed ones have their own entry under the break reading,
 * with a (brk ...) effect, and the gas reading changes no entry. */
static int readings(const char *path, const char *expect)
{
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load_isa(path, PVM_ISA_072, &e);
	if (!sp) {
		printf("%s\n", e.msg);
		return 1;
	}
	int bad = 0, differ = 0;
	for (size_t i = 0; i < PVM_NUM_OPCODES; i++) {
		unsigned op = pvm_isa_ops(PVM_ISA_072)[i];
		const char *nm = pvm_ops[op].name;
		size_t n = strlen(nm);
		bool listed = false;
		for (const char *p = expect; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) 
			listed |= strcspn(p, ",") == n && !strncmp(p, nm, n);
		for (unsigned r = 0; r < 4; r++) {
			const sem_insn *si = sem_spec_get_reading(sp, op, (uint8_t)r);
			bool other = si != sem_spec_get(sp, op);
			if (other != (listed && (r & PVM_READING_SBRK_BREAK))) {
				printf("%s under reading %s: %s entry\n", nm, pvm_reading_name((uint8_t)r), other ? "its own" : "the w3f");
				bad++;
			}
			if (other) {
				bool brk = false;
				for (size_t k = 0; k < si->n_effects; k++) brk |= si->effects[k]->op == SEM_BRK;
				if (!brk) printf("%s: its break entry has no brk effect\n", nm), bad++;
			}
			if (sem_spec_reading_differs(sp, op, (uint8_t)r) != other) printf("%s: differs disagrees\n", nm), bad++;
			differ += other;
		}
	}
	printf("readings: %d entries of other readings, %d problems\n", differ, bad);
	sem_spec_free(sp);
	return bad || !differ;
}

static int table(const char *path, pvm_isa isa)
{
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load_isa(path, isa, &e);
	if (!sp) {
		printf("%s\n", e.msg);
		return 1;
	}
	int bad = 0;
	for (size_t i = 0; i < sem_spec_count(sp); i++) {
		const sem_insn *in = sem_spec_at(sp, i);
		const pvm_opinfo *o = in->opcode < PVM_NUM_OPS ? &pvm_ops[in->opcode] : NULL;
		if (!o || strcmp(o->name, in->name) || o->form != in->form ||
		    pvm_op_is_term(in->opcode) != in->terminator) {
			printf("spec %s (%u, %s%s) vs opcodes.def %s\n", in->name, in->opcode, sem_form_name(in->form),
			       in->terminator ? ", terminator" : "", o ? o->name : "(not in the table)");
			bad++;
		}
	}
	for (size_t i = 0; i < PVM_NUM_OPCODES; i++) {
		const sem_insn *in = sem_spec_get(sp, pvm_isa_ops(isa)[i]);
		if (!in || strcmp(in->name, pvm_ops[pvm_isa_ops(isa)[i]].name)) {
			printf("opcodes.def %s (%u) has no spec\n", pvm_ops[pvm_isa_ops(isa)[i]].name, pvm_isa_ops(isa)[i]);
			bad++;
		}
	}
	if (sem_spec_count(sp) != PVM_NUM_OPCODES) {
		printf("spec has %zu entries, opcodes.def %d\n", sem_spec_count(sp), PVM_NUM_OPCODES);
		bad++;
	}
	if ((sem_spec_check_table(sp, isa, &e) == SEM_OK) != !bad) {
		printf("sem_spec_check_table disagrees: %s\n", bad ? "accepted" : e.msg);
		bad++;
	}
	printf("GP %s: %zu spec entries, %d differences from pvm/opcodes.def\n", pvm_isa_name(isa),
	       sem_spec_count(sp), bad);
	sem_spec_free(sp);
	return bad ? 1 : 0;
}

static int bad_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], want[600];
	if (!f || !fgets(line, sizeof line, f) || strncmp(line, "# expect: ", 10)) {
		printf("%s: no '# expect: ' first line\n", path);
		if (f) fclose(f);
		return 1;
	}
	fclose(f);
	line[strcspn(line, "\n")] = 0;
	snprintf(want, sizeof want, "%s:%s", path, line + 10);
	pvm_errbuf e;
	sem_spec *sp = sem_spec_load(path, &e);
	if (sp && sem_spec_check_table(sp, PVM_ISA_072, &e) == SEM_OK) {
		printf("%s: accepted, want: %s\n", path, want);
		sem_spec_free(sp);
		return 1;
	}
	sem_spec_free(sp);
	if (strcmp(e.msg, want)) {
		printf("got:  %s\nwant: %s\n", e.msg, want);
		return 1;
	}
	printf("%s\n", e.msg);
	return 0;
}

static int mutate(const char *path, int n)
{
	uint8_t *src;
	size_t len;
	pvm_errbuf e;
	if (pvm_read_file(path, &src, &len, &e) != PVM_OK) {
		printf("%s\n", e.msg);
		return 1;
	}
	char *m = malloc(len + 1);
	uint64_t r = 0x2545F4914F6CDD1Dull;
	int accepted = 0, rejected = 0, bad = 0;
	for (int it = 0; it < n && m; it++) {
		memcpy(m, src, len);
		size_t l = len;
		for (int k = 0; k < 1 + it % 4 && l > 1; k++) {
			r ^= r << 13, r ^= r >> 7, r ^= r << 17;
			size_t at = (r >> 8) % l;
			switch (r % 4) {
			case 0: m[at] = "()#x \n:-|;_0\"["[(r >> 40) % 13]; break;
			case 1: m[at] = (char)(r >> 32); break;
			case 2: l = at; break;
			default: memmove(m + at, m + at + 1, l - at - 1), l--; break;
			}
		}
		sem_spec *sp = sem_spec_parse(m, l, "mutant.yaml", &e);
		if (sp) {
			accepted++;
			sem_spec_check_table(sp, PVM_ISA_072, &e);
			sem_spec_free(sp);
		} else {
			rejected++;
			unsigned line, col;
			if (sscanf(e.msg, "mutant.yaml:%u:%u: ", &line, &col) != 2 && bad++ < 5)
				printf("message without a position: %s\n", e.msg);
		}
	}
	printf("%d mutants: %d accepted, %d rejected, %d bad messages\n", n, accepted, rejected, bad);
	free(m);
	free(src);
	return bad || !rejected ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "mutate")) return mutate(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "table")) return table(argv[2], PVM_ISA_072);
	if (argc == 4 && !strcmp(argv[1], "table") && pvm_isa_by_name(argv[3]) >= 0)
		return table(argv[2], (pvm_isa)pvm_isa_by_name(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "bad")) return bad_file(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "readings")) return readings(argv[2], argv[3]);
	fprintf(stderr, "usage: sem_load table SPEC | bad FILE | mutate SPEC N\n");
	return 2;
}
