/* pvm/container.c: the standard program container (ISA-NOTES §8): read-only data, read-write
 * data and heap pages, stack, arguments and the initial registers, around a §2 code blob.
 * p = E3(|o|) E3(|w|) E2(z) E3(s) o w E4(|c|) c, all counts fixed-width little-endian. */
#include <string.h>
#include "pvm.h"

enum { ZZ = 1 << 16, ZI = 1 << 24 };

static uint64_t pg_up(uint64_t x) { return (x + PVM_PAGE - 1) & ~(uint64_t)(PVM_PAGE - 1); }
static uint64_t q_up(uint64_t x) { return (x + ZZ - 1) & ~(uint64_t)(ZZ - 1); }

static uint32_t le(const uint8_t *b, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++) v |= (uint32_t)b[i] << (8 * i);
	return v;
}

pvm_err pvm_container_load(const uint8_t *blob, size_t len, const uint8_t *args, size_t args_len,
                           const char *name, pvm_program *p, pvm_state *s, pvm_errbuf *e)
{
	return pvm_container_load_isa(blob, len, args, args_len, PVM_ISA_072, name, p, s, e);
}

pvm_err pvm_container_load_isa(const uint8_t *blob, size_t len, const uint8_t *args,
                               size_t args_len, pvm_isa isa, const char *name, pvm_program *p,
                               pvm_state *s, pvm_errbuf *e)
{
	if (len < 11) {
		pvm_errf(e, "%s: offset %zu: truncated container header (11 bytes needed)", name, len);
		return PVM_EINVAL;
	}
	uint64_t olen = le(blob, 3), wlen = le(blob + 3, 3), z = le(blob + 6, 2), slen = le(blob + 8, 3);
	size_t off = 11;
	if (olen + wlen + 4 > len - off) {
		pvm_errf(e, "%s: offset %zu: truncated container: %llu ro + %llu rw data bytes and the "
		         "code length need %llu bytes, %zu left", name, off, (unsigned long long)olen,
		         (unsigned long long)wlen, (unsigned long long)(olen + wlen + 4), len - off);
		return PVM_EINVAL;
	}
	const uint8_t *o = blob + off, *w = o + olen;
	off += olen + wlen;
	uint64_t clen = le(blob + off, 4);
	off += 4;
	if (clen != len - off) {
		pvm_errf(e, "%s: offset %zu: code length %llu but %zu bytes follow", name, off - 4,
		         (unsigned long long)clen, len - off);
		return PVM_EINVAL;
	}
	uint64_t total = 5ull * ZZ + q_up(olen) + q_up(wlen + z * PVM_PAGE) + q_up(slen) + ZI;
	if (total > (1ull << 32)) {
		pvm_errf(e, "%s: offset 0: container layout needs %llu bytes > 2^32", name,
		         (unsigned long long)total);
		return PVM_EINVAL;
	}
	if (args_len > ZI) {
		pvm_errf(e, "%s: arguments of %zu bytes exceed 2^24", name, args_len);
		return PVM_EINVAL;
	}
	char cname[600];
	snprintf(cname, sizeof cname, "%s (code at offset %zu)", name, off);
	pvm_err err = pvm_program_decode_isa(p, isa, blob + off, clen, cname, e);
	if (err) return err;

	pvm_state_init(s);
	uint32_t ro = ZZ, rw = (uint32_t)(2 * ZZ + q_up(olen));
	uint32_t stack_top = (uint32_t)((1ull << 32) - 2 * ZZ - ZI);
	uint32_t arg = (uint32_t)((1ull << 32) - ZZ - ZI);
	pvm_mem_map(s->mem, ro, pg_up(olen), PVM_READ);
	pvm_mem_poke(s->mem, ro, o, (uint32_t)olen);
	uint64_t heap_end = rw + pg_up(wlen) + z * PVM_PAGE;
	pvm_mem_map(s->mem, rw, heap_end - rw, PVM_WRITE);
	pvm_mem_poke(s->mem, rw, w, (uint32_t)wlen);
	pvm_mem_map(s->mem, stack_top - (uint32_t)pg_up(slen), pg_up(slen), PVM_WRITE);
	pvm_mem_map(s->mem, arg, pg_up(args_len), PVM_READ);
	pvm_mem_poke(s->mem, arg, args, (uint32_t)args_len);
	s->regs[0] = 0xFFFF0000u;
	s->regs[1] = stack_top;
	s->regs[7] = arg;
	s->regs[8] = args_len;
	s->heap_base = rw;
	s->heap_top = (uint32_t)heap_end;
	s->heap_limit = stack_top - (uint32_t)pg_up(slen) - ZZ; /* grow_heap's b (§7) */
	return PVM_OK;
}
