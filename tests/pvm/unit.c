/* tests/pvm/unit.c: unit tests of the pvm module: varints, deblob rules (skip cap, register
 * clamping, zeros past the code, sign extension, block starts, gas-region costs, malformed blobs),
 * paged memory (straddling pages, wrap at 0xFFFFFFFC, permissions, clone/diff) and the container. */
#include <stdlib.h>
#include <string.h>
#include "pvm/pvm.h"

#define OPB(name) pvm_byte(PVM_ISA_072, PVM_OP_##name) /* its GP 0.7.2 opcode byte */

static int failures;
#define CHECK(c) do { if (!(c)) { printf("%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); \
	failures++; } } while (0)

/* Builds a §2 blob (no jump table) from code bytes and a start mask string ("1..1.."). */
static size_t blob(uint8_t *out, const uint8_t *code, size_t n, const char *starts)
{
	size_t k = 0;
	out[k++] = 0;
	out[k++] = 0;
	k += pvm_varint_encode(n, out + k);
	memcpy(out + k, code, n);
	k += n;
	memset(out + k, 0, (n + 7) / 8);
	for (size_t i = 0; i < n; i++)
		if (starts[i] == '1') out[k + i / 8] |= (uint8_t)(1u << (i % 8));
	return k + (n + 7) / 8;
}

static bool decode(pvm_program *p, const uint8_t *code, size_t n, const char *starts)
{
	uint8_t b[512];
	pvm_errbuf e;
	size_t len = blob(b, code, n, starts);
	if (pvm_program_decode(p, b, len, "t", &e)) {
		printf("decode failed: %s\n", e.msg);
		return false;
	}
	return true;
}

static void test_varint(void)
{
	static const struct { uint64_t x; size_t len; } cases[] = {
		{ 0, 1 }, { 127, 1 }, { 128, 2 }, { (1u << 14) - 1, 2 }, { 1u << 14, 3 },
		{ (1ull << 21) - 1, 3 }, { 1ull << 28, 5 }, { (1ull << 56) - 1, 8 }, { 1ull << 56, 9 },
		{ UINT64_MAX, 9 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t b[9];
		uint64_t x = 1;
		size_t n = pvm_varint_encode(cases[i].x, b);
		CHECK(n == cases[i].len);
		CHECK(pvm_varint_decode(b, n, &x) == n && x == cases[i].x);
		CHECK(pvm_varint_decode(b, n - 1, &x) == 0 || n == 1); /* truncated */
	}
	uint8_t two[] = { 0x80, 0x81 }; /* 0x81 in two bytes: l = 1, value 0x81 */
	uint64_t x;
	CHECK(pvm_varint_decode(two, 2, &x) == 2 && x == 0x81);
	uint8_t noncanon[] = { 0x80, 0x05 }; /* 5 must be one byte */
	CHECK(pvm_varint_decode(noncanon, 2, &x) == 0);
	uint8_t e[1];
	CHECK(pvm_varint_decode(e, 0, &x) == 0);
}

static void test_decode_rules(void)
{
	pvm_program p;
	/* skip is capped at 24: one start followed by 29 non-start bytes. */
	uint8_t nops[30] = { OPB(fallthrough) };
	char st[31];
	memset(st, '0', 30);
	st[0] = '1';
	st[30] = 0;
	if (decode(&p, nops, 30, st)) {
		CHECK(p.inst[0].next == 25);
		CHECK(p.inst[25].op == PVM_OP_trap); /* bitmask bit 0 → trap */
		CHECK(p.is_start[0] && !p.is_start[1] && p.is_start[30]);
		pvm_program_fini(&p);
	}
	/* register clamping: add_64 with fields 0xFD and 15 → ra = 12 (13), rb = 12 (15), rd = 12. */
	uint8_t reg3[] = { OPB(add_64), 0xFD, 0x0F };
	if (decode(&p, reg3, 3, "100")) {
		CHECK(p.inst[0].ra == 12 && p.inst[0].rb == 12 && p.inst[0].rd == 12);
		pvm_program_fini(&p);
	}
	/* zeros past the code: store_imm_u8 with lX = 4 but only one byte left. */
	uint8_t imm2[] = { OPB(store_imm_u8), 0x04, 0x01 };
	if (decode(&p, imm2, 3, "100")) {
		CHECK(p.inst[0].imm == 1 && p.inst[0].imm2 == 0);
		pvm_program_fini(&p);
	}
	uint8_t imm64[] = { OPB(load_imm_64), 0x03, 0xAA };
	if (decode(&p, imm64, 3, "100")) {
		CHECK(p.inst[0].ra == 3 && p.inst[0].imm == 0xAA);
		pvm_program_fini(&p);
	}
	/* sign extension of a one-byte immediate, and an offset relative to pc. */
	uint8_t sx[] = { OPB(fallthrough), OPB(load_imm), 0x01, 0x80, OPB(jump), 0xFC };
	if (decode(&p, sx, 6, "110010")) {
		CHECK(p.inst[1].ra == 1 && p.inst[1].imm == 0xFFFFFFFFFFFFFF80ull);
		CHECK(p.inst[4].target == 0);
		pvm_program_fini(&p);
	}
	/* undefined opcode → trap */
	uint8_t undef[] = { 255, OPB(trap) };
	if (decode(&p, undef, 2, "11")) {
		CHECK(p.inst[0].op == PVM_OP_trap);
		pvm_program_fini(&p);
	}
	/* block starts and gas regions:
	 * 0 fallthrough | 1 load_imm r1,5 | 4 trap | 5 load_imm r2,1 | (8: implicit trap) */
	uint8_t prog[] = { OPB(fallthrough), OPB(load_imm), 1, 5, OPB(trap),
	                   OPB(load_imm), 2, 1 };
	if (decode(&p, prog, 8, "11001100")) {
		CHECK(p.is_block[0] && p.is_block[1] && !p.is_block[4] && p.is_block[5] && !p.is_block[8]);
		CHECK(p.gas_cost[0] == 1);
		CHECK(p.gas_cost[1] == 2); /* load_imm + trap */
		CHECK(p.gas_cost[4] == 1);
		CHECK(p.gas_cost[5] == 2); /* load_imm + the implicit trap at code_len */
		CHECK(p.gas_cost[8] == 1);
		uint8_t *out;
		size_t n;
		uint8_t b[64];
		size_t len = blob(b, prog, 8, "11001100");
		CHECK(pvm_program_encode(&p, &out, &n) == PVM_OK && n == len && !memcmp(out, b, n));
		free(out);
		pvm_program_fini(&p);
	}
	/* ecalli ends a gas region */
	uint8_t ec[] = { OPB(ecalli), 7, OPB(load_imm), 1, 1 };
	if (decode(&p, ec, 5, "10100")) {
		CHECK(p.inst[0].imm == 7 && p.gas_cost[0] == 1 && p.gas_cost[2] == 2);
		pvm_program_fini(&p);
	}
	/* jump table, width 2 */
	uint8_t jt[] = { 2, 2, 1, 0x00, 0x00, 0x34, 0x12, OPB(trap), 1 };
	pvm_errbuf e;
	CHECK(pvm_program_decode(&p, jt, sizeof jt, "jt", &e) == PVM_OK);
	if (p.jump_table) {
		CHECK(p.jt_len == 2 && p.jump_table[0] == 0 && p.jump_table[1] == 0x1234);
		pvm_program_fini(&p);
	}
}

/* A malformed blob must be rejected with a message containing `want`. */
static void bad_blob(const uint8_t *b, size_t n, const char *want)
{
	pvm_program p;
	pvm_errbuf e = { "" };
	CHECK(pvm_program_decode(&p, b, n, "bad", &e) == PVM_EINVAL);
	if (!strstr(e.msg, want)) {
		printf("message '%s' lacks '%s'\n", e.msg, want);
		failures++;
	}
}

static void test_malformed(void)
{
	const uint8_t empty[1] = { 0 };
	bad_blob(empty, 0, "jump table length: truncated varint");
	const uint8_t noz[] = { 0 };
	bad_blob(noz, 1, "truncated blob");
	const uint8_t code_short[] = { 0, 0, 5, 1, 1 };
	bad_blob(code_short, sizeof code_short, "truncated blob: code length 5");
	const uint8_t mask_short[] = { 0, 0, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0xFF };
	bad_blob(mask_short, sizeof mask_short, "bitmask too short");
	const uint8_t trailing[] = { 0, 0, 1, 0, 1, 0 };
	bad_blob(trailing, sizeof trailing, "1 trailing bytes");
	const uint8_t padding[] = { 0, 0, 1, 0, 3 };
	bad_blob(padding, sizeof padding, "padding bits");
	const uint8_t noncanon[] = { 0, 0, 0x80, 0x01, 0, 1 };
	bad_blob(noncanon, sizeof noncanon, "code length: non-canonical varint");
	const uint8_t trunc_var[] = { 0, 0, 0xC0, 0x01 };
	bad_blob(trunc_var, sizeof trunc_var, "code length: truncated varint");
	const uint8_t wide[] = { 1, 5, 1, 0, 0, 0, 0, 0, 0, 1 };
	bad_blob(wide, sizeof wide, "width 5 > 4");
	const uint8_t jt_short[] = { 3, 4, 1, 0, 0 };
	bad_blob(jt_short, sizeof jt_short, "jump table of 3 entries");
}

static void test_memory(void)
{
	pvm_mem *m = pvm_mem_new();
	uint32_t f = 0;
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, got[8];
	pvm_mem_map(m, 0x20000, 4096, PVM_WRITE);
	/* straddling: second page unmapped → fault at its first byte; read-only → write fault */
	CHECK(pvm_mem_check(m, 0x20FFC, 4, true, &f));
	CHECK(!pvm_mem_check(m, 0x20FFC, 8, false, &f) && f == 0x21000);
	pvm_mem_map(m, 0x21000, 1, PVM_READ);
	CHECK(pvm_mem_check(m, 0x20FFC, 8, false, &f));
	CHECK(!pvm_mem_check(m, 0x20FFC, 8, true, &f) && f == 0x21000);
	CHECK(pvm_mem_ptr(m, 0x20FFC, 8, false) == NULL); /* straddles: no fast path */
	CHECK(pvm_mem_ptr(m, 0x20FF8, 8, true) != NULL);
	CHECK(pvm_mem_ptr(m, 0x21000, 8, true) == NULL);
	CHECK(pvm_mem_ptr(m, 0x21000, 8, false) != NULL);
	/* below the first page: lowest offending address */
	CHECK(!pvm_mem_check(m, 0x1FFFE, 4, false, &f) && f == 0x1FFFE);
	/* wrap at the top: 8 bytes at 0xFFFFFFFC touch 0xFFFFFFFC..0xFFFFFFFF and 0..3 */
	pvm_mem_map(m, 0xFFFFF000u, 4096, PVM_WRITE);
	CHECK(!pvm_mem_check(m, 0xFFFFFFFCu, 8, false, &f) && f == 0);
	CHECK(pvm_mem_check(m, 0xFFFFFFFCu, 4, true, &f));
	pvm_mem_map(m, 0, 4096, PVM_WRITE);
	CHECK(pvm_mem_check(m, 0xFFFFFFFCu, 8, true, &f));
	CHECK(pvm_mem_poke(m, 0xFFFFFFFCu, buf, 8));
	CHECK(pvm_mem_peek(m, 0, got, 4) && got[0] == 5 && got[3] == 8);
	CHECK(pvm_mem_peek(m, 0xFFFFFFFCu, got, 8) && !memcmp(got, buf, 8));
	/* unmapping; mapped pages read as zero; remapping keeps bytes */
	pvm_mem_map(m, 0, 4096, PVM_NONE);
	CHECK(pvm_mem_perm(m, 0) == PVM_NONE && !pvm_mem_peek(m, 0, got, 1));
	CHECK(pvm_mem_peek(m, 0x21000, got, 8) && got[0] == 0 && got[7] == 0);
	CHECK(pvm_mem_poke(m, 0x20010, buf, 2));
	pvm_mem_map(m, 0x20000, 4096, PVM_READ);
	CHECK(pvm_mem_perm(m, 0x20) == PVM_READ && pvm_mem_peek(m, 0x20010, got, 2) && got[1] == 2);
	/* clone and diff */
	pvm_mem *c = pvm_mem_clone(m);
	uint32_t addr;
	int va, vb;
	CHECK(!pvm_mem_diff(m, c, &addr, &va, &vb));
	uint8_t nine = 9;
	CHECK(pvm_mem_poke(c, 0x20011, &nine, 1));
	CHECK(pvm_mem_diff(m, c, &addr, &va, &vb) && addr == 0x20011 && va == 2 && vb == 9);
	CHECK(pvm_mem_peek(m, 0x20011, got, 1) && got[0] == 2); /* the original is untouched */
	pvm_mem_map(c, 0x40000, 1, PVM_READ);
	nine = 2;
	CHECK(pvm_mem_poke(c, 0x20011, &nine, 1));
	CHECK(pvm_mem_diff(m, c, &addr, &va, &vb) && addr == 0x40000 && va == -1 && vb == 0);
	pvm_mem_free(c);
	pvm_mem_free(m);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* pvm_mem_next_mapped and _unmapped (sbrk's search) against a page-by-page scan: random maps and unmaps in a few
 * clusters (table boundaries, bitmap word boundaries, the top page), random [page, end]. */
static void test_next_mapped(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
#define RND() xorshift(&x)
	static const uint32_t around[] = { 0, 63, 64, 1023, 1024, 4095, 0x20, 0x7ffff, PVM_NUM_PAGES - 64, PVM_NUM_PAGES - 1 };
	size_t checks = 0, bad = 0;
	for (int round = 0; round < 40; round++) {
		pvm_mem *m = pvm_mem_new();
		for (int k = 0; k < 60; k++) {
			uint32_t pn = (around[RND() % 10] + (uint32_t)(RND() % 200) - 100) & (PVM_NUM_PAGES - 1);
			pvm_mem_map(m, pn << PVM_PAGE_SHIFT, (1 + RND() % 3) * PVM_PAGE, RND() % 4 ? PVM_WRITE : PVM_NONE);
		}
		for (int q = 0; q < 400; q++) {
			uint32_t pn = (around[RND() % 10] + (uint32_t)(RND() % 300) - 150) & (PVM_NUM_PAGES - 1);
			uint32_t end = RND() % 3 ? pn + (uint32_t)(RND() % 3000) : PVM_NUM_PAGES - 1;
			if (end >= PVM_NUM_PAGES) end = PVM_NUM_PAGES - 1;
			uint32_t want = pn, want_un = pn;
			while (want <= end && pvm_mem_perm(m, want) == PVM_NONE) want++;
			while (want_un <= end && pvm_mem_perm(m, want_un) != PVM_NONE) want_un++;
			checks++;
			bad += pvm_mem_next_mapped(m, pn, end) != want;
			bad += pvm_mem_next_unmapped(m, pn, end) != want_un;
		}
		pvm_mem_free(m);
	}
#undef RND
	CHECK(bad == 0 && checks == 16000);
}

static void test_container(void)
{
	/* o = "RO", w = "W", z = 2 heap pages, s = 100 bytes stack, code = trap */
	uint8_t b[64];
	size_t k = 0;
	const uint8_t hdr[] = { 2, 0, 0, 1, 0, 0, 2, 0, 100, 0, 0, 'R', 'O', 'W', 5, 0, 0, 0,
	                        0, 0, 1, OPB(trap), 1 };
	memcpy(b, hdr, sizeof hdr);
	k = sizeof hdr;
	const uint8_t args[] = { 0xAB, 0xCD, 0xEF };
	pvm_program p;
	pvm_state s;
	pvm_errbuf e;
	CHECK(pvm_container_load(b, k, args, 3, "c", &p, &s, &e) == PVM_OK);
	if (!s.mem) return;
	uint8_t got[4];
	CHECK(s.regs[0] == 0xFFFF0000u && s.regs[1] == 0xFEFE0000u && s.regs[7] == 0xFEFF0000u);
	CHECK(s.regs[8] == 3 && s.regs[2] == 0);
	CHECK(pvm_mem_perm(s.mem, 0x10000 >> 12) == PVM_READ);
	CHECK(pvm_mem_peek(s.mem, 0x10000, got, 2) && got[0] == 'R' && got[1] == 'O');
	CHECK(pvm_mem_perm(s.mem, 0x20000 >> 12) == PVM_NONE);   /* rw data starts at 2·Z_Z + Q(|o|) */
	CHECK(pvm_mem_perm(s.mem, 0x30000 >> 12) == PVM_WRITE);
	CHECK(pvm_mem_peek(s.mem, 0x30000, got, 1) && got[0] == 'W');
	CHECK(pvm_mem_perm(s.mem, 0x32000 >> 12) == PVM_WRITE);  /* second heap page */
	CHECK(pvm_mem_perm(s.mem, 0x33000 >> 12) == PVM_NONE);
	CHECK(pvm_mem_perm(s.mem, 0xFEFDF000u >> 12) == PVM_WRITE); /* stack page below r1 */
	CHECK(pvm_mem_perm(s.mem, 0xFEFE0000u >> 12) == PVM_NONE);
	CHECK(pvm_mem_perm(s.mem, 0xFEFF0000u >> 12) == PVM_READ);
	CHECK(pvm_mem_peek(s.mem, 0xFEFF0000u, got, 3) && got[2] == 0xEF);
	CHECK(s.heap_base == 0x30000 && s.heap_top == 0x33000);
	CHECK(p.code_len == 1 && p.inst[0].op == PVM_OP_trap);
	/* sbrk: the next free pages after the heap */
	CHECK(pvm_sbrk(&s, 0) == 0x33000);
	CHECK(pvm_sbrk(&s, 5000) == 0x33000 && s.heap_top == 0x33000 + 5000);
	CHECK(pvm_mem_perm(s.mem, 0x34000 >> 12) == PVM_WRITE);
	CHECK(pvm_mem_perm(s.mem, 0x35000 >> 12) == PVM_NONE);
	CHECK(pvm_sbrk(&s, 1) == 0x35000);
	CHECK(pvm_sbrk(&s, UINT64_MAX) == 0 && pvm_sbrk(&s, 1ull << 32) == 0); /* nothing fits */
	CHECK(pvm_sbrk(&s, 0) == 0x35001);
	pvm_program_fini(&p);
	pvm_state_fini(&s);
	/* malformed: code length disagrees, truncated header */
	b[14] = 6;
	CHECK(pvm_container_load(b, k, NULL, 0, "c", &p, &s, &e) == PVM_EINVAL);
	CHECK(strstr(e.msg, "code length 6") != NULL);
	CHECK(pvm_container_load(b, 5, NULL, 0, "c", &p, &s, &e) == PVM_EINVAL);
	CHECK(strstr(e.msg, "truncated") != NULL);
}

static const char vec_text[] =
	"{\"name\": \"x\", \"initial-regs\": [18446744073709551615, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],\n"
	" \"initial-pc\": 4294967295, \"initial-page-map\": [{\"address\": 65536, \"length\": 8192,"
	" \"is-writable\": true}], \"initial-memory\": [{\"address\": 69630, \"contents\": [1, 0, 3]}],"
	" \"initial-gas\": -9223372036854775808, \"program\": [0, 0, 1, 10, 1],"
	" \"expected-status\": \"host-call\", \"expected-regs\": [0,0,0,0,0,0,0,0,0,0,0,0,0],"
	" \"expected-pc\": 0, \"expected-memory\": [], \"expected-gas\": 9223372036854775807,"
	" \"expected-host-call-id\": 4294967295}";

/* Parses text with one field replaced; returns the error message ("" when it parses). */
static const char *parse_with(const char *from, const char *to)
{
	static pvm_errbuf e;
	char buf[2048];
	const char *at = strstr(vec_text, from);
	if (!at) return "pattern not found";
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - vec_text), vec_text, to, at + strlen(from));
	pvm_vector v;
	e.msg[0] = 0;
	if (pvm_vector_parse(&v, buf, strlen(buf), "v.json", &e) == PVM_OK) pvm_vector_fini(&v);
	return e.msg;
}

static void test_vector_json(void)
{
	pvm_vector v, w;
	pvm_errbuf e;
	CHECK(pvm_vector_parse(&v, vec_text, sizeof vec_text - 1, "v.json", &e) == PVM_OK);
	if (!v.name) return;
	CHECK(v.initial_regs[0] == UINT64_MAX && v.initial_regs[12] == 1 && v.initial_pc == UINT32_MAX);
	CHECK(v.initial_gas == INT64_MIN && v.expected_gas == INT64_MAX);
	CHECK(v.has_expected && v.expected_status == PVM_HOST && v.has_host_id);
	CHECK(v.expected_host_id == UINT32_MAX && !v.has_fault_addr);
	/* written in the official layout, read back identically */
	char *out;
	size_t n;
	FILE *f = open_memstream(&out, &n);
	CHECK(pvm_vector_write(&v, f) == PVM_OK);
	fclose(f);
	CHECK(strstr(out, "\n  \"expected-host-call-id\": 4294967295\n}") != NULL);
	CHECK(pvm_vector_parse(&w, out, n, "w.json", &e) == PVM_OK);
	CHECK(w.initial_gas == INT64_MIN && w.n_initial_mem == 1 && w.initial_mem[0].len == 3);
	pvm_vector_fini(&w);
	free(out);
	/* the initial state straddles two pages; expected-memory lists non-zero runs */
	pvm_state s;
	pvm_vector_initial_state(&v, &s);
	uint8_t got[3];
	CHECK(pvm_mem_peek(s.mem, 69630, got, 3) && got[0] == 1 && got[2] == 3);
	pvm_exit x = { .status = PVM_OOG };
	pvm_vector_set_expected(&v, &s, x);
	CHECK(v.n_expected_mem == 2 && v.expected_mem[0].address == 69630 && v.expected_mem[0].len == 1);
	CHECK(v.expected_mem[1].address == 69632 && v.expected_mem[1].data[0] == 3);
	char why[256];
	CHECK(pvm_vector_check(&v, &s, x, why, sizeof why));
	uint8_t nine = 9;
	pvm_mem_poke(s.mem, 70000, &nine, 1);
	CHECK(!pvm_vector_check(&v, &s, x, why, sizeof why));
	CHECK(strstr(why, "expected-memory[0x11170]: want 0x00 got 0x09") != NULL);
	s.regs[5] = 1;
	CHECK(!pvm_vector_check(&v, &s, x, why, sizeof why) && strstr(why, "expected-regs[5]"));
	pvm_state_fini(&s);
	pvm_vector_fini(&v);
	/* rejected inputs name the field and position */
	CHECK(strstr(parse_with("18446744073709551615", "18446744073709551616"),
	             "v.json:1:32: initial-regs: number out of range"));
	CHECK(strstr(parse_with("4294967295,", "4294967296,"), "initial-pc: number out of range"));
	CHECK(strstr(parse_with("\"x\"", "5"), "name: expected a string"));
	CHECK(strstr(parse_with("true", "1"), "is-writable: expected true or false"));
	CHECK(strstr(parse_with("[1, 0, 3]", "[1, -1, 3]"), "contents: negative number"));
	CHECK(strstr(parse_with("[1, 0, 3]", "\"abc\""), "contents: expected an array"));
	CHECK(strstr(parse_with(", 1],", ", 1, 2],"), "initial-regs: expected 13 registers, got 14"));
	CHECK(strstr(parse_with(", \"expected-host-call-id\": 4294967295", ""),
	             "missing field \"expected-host-call-id\""));
	CHECK(strstr(parse_with("\"host-call\"", "\"page-fault\""),
	             "missing field \"expected-page-fault-address\""));
	CHECK(strstr(parse_with("\"program\"", "\"programme\""), "unknown field \"programme\""));
	CHECK(strstr(parse_with("\"address\": 69630", "\"address\": 200000"),
	             "initial-memory chunk lies outside initial-page-map"));
	CHECK(strstr(parse_with("-9223372036854775808", "-9223372036854775809"),
	             "initial-gas: expected a signed 64-bit integer"));
	CHECK(strstr(parse_with("[0, 0, 1, 10, 1]", "[0, 0, 1, 10, 01]"), "program: expected a number"));
}

int main(void)
{
	test_vector_json();
	test_varint();
	test_decode_rules();
	test_malformed();
	test_memory();
	test_next_mapped();
	test_container();
	printf("pvm unit: %d failures\n", failures);
	return failures != 0;
}
