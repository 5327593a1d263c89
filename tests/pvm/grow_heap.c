/* tests/pvm/grow_heap.c: GP 0.8.0 grow_heap (ISA-NOTES-0.8 §7) on hand-made states: success, the
 * out-of-gas case, a request too far, gas for the base but not the pages, a request at or below
 * the current end; then (with DIR) writes DIR/grow_heap.container, a standard program that grows
 * its heap and stores into the new page, for `jitproof run`. Exit 0 pass, 1 fail. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

static int bad;

/* Region [48, 100) with pages 48, 49 writable (c = 2, current end 50). */
static void setup(pvm_state *s, int64_t gas, uint64_t r7)
{
	pvm_state_init(s);
	s->heap_base = 48 * PVM_PAGE;
	s->heap_limit = 100 * PVM_PAGE;
	pvm_mem_map(s->mem, 48 * PVM_PAGE, 2 * PVM_PAGE, PVM_WRITE);
	s->gas = gas;
	s->regs[7] = r7;
}

static void check(const char *what, uint64_t r7, int64_t gas, bool want_ok, int64_t want_gas,
                  uint64_t want_r7, uint32_t want_end)
{
	pvm_state s;
	setup(&s, gas, r7);
	bool ok = pvm_grow_heap(&s);
	uint32_t end = 48;
	while (end < 200 && pvm_mem_perm(s.mem, end) == PVM_WRITE) end++;
	if (ok != want_ok || s.gas != want_gas || s.regs[7] != want_r7 || end != want_end) {
		printf("FAIL %s: got ok=%d gas=%" PRId64 " r7=%" PRIu64 " writable up to page %u; want "
		       "ok=%d gas=%" PRId64 " r7=%" PRIu64 " page %u\n", what, ok, s.gas, s.regs[7], end,
		       want_ok, want_gas, want_r7, want_end);
		bad++;
	}
	pvm_state_fini(&s);
}

static int write_container(const char *dir)
{
	/* a = 2 Z_Z / Z_P = page 32 (no ro data), no rw data and no heap pages: c = 0. Growing to page
	 * 34 costs 100 + 10 * 2; block 0 (one block: ecalli is no terminator) costs 101. */
	static const char src[] =
		"\tload_imm r7, 34\n"
		"\tecalli 1\n"
		"\tstore_imm_u8 0x21000, 7\n"
		"\tjump_ind r0, 0\n";
	pvm_vector v;
	pvm_errbuf e;
	if (pvm_asm_isa(src, strlen(src), PVM_ISA_080, "grow_heap", &v, &e)) {
		printf("FAIL %s\n", e.msg);
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/grow_heap.container", dir);
	FILE *f = fopen(path, "wb");
	if (!f) return perror(path), 1;
	uint8_t hdr[15] = { 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, 0x00 }; /* |o| |w| z s=4096 */
	uint32_t n = (uint32_t)v.program_len;
	for (int i = 0; i < 4; i++) hdr[11 + i] = (uint8_t)(n >> (8 * i));
	fwrite(hdr, 1, sizeof hdr, f);
	fwrite(v.program, 1, v.program_len, f);
	pvm_vector_fini(&v);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	check("grow to page 55", 55, 1000, true, 850, 55, 55);
	check("exactly affordable", 60, 200, true, 0, 60, 60);
	check("out of gas (gas < 100)", 55, 99, false, 99, 55, 50);
	check("request below the region", 40, 1000, true, 900, 50, 50);
	check("request at the current end", 50, 1000, true, 900, 50, 50);
	check("too far (past b)", 101, 1000, true, 900, 50, 50);
	check("up to b exactly", 100, 1000, true, 400, 100, 100);
	check("too far (huge r7)", UINT64_MAX, 1000, true, 900, 50, 50);
	check("base but not the pages", 60, 150, true, 50, 50, 50);
	if (argc == 2 && write_container(argv[1])) bad++;
	printf("%s\n", bad ? "grow_heap: FAILED" : "grow_heap: ok");
	return bad ? 1 : 0;
}
