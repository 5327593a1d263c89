#!/usr/bin/env python3
# liftcheck/gen_forms.py: regenerates the bytes of liftcheck/forms.def from its assembly text with GNU as
# (a maintenance tool, not part of the build). Add a row as FORM("asm; asm", 0x90), run, commit.
import re, subprocess, sys, tempfile, os

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "forms.def")
lines = open(path).read().split("\n")
out = []
with tempfile.TemporaryDirectory() as d:
    for line in lines:
        m = re.match(r'FORM\("([^"]*)"', line)
        if not m:
            out.append(line)
            continue
        text = m.group(1)
        src = ".intel_syntax noprefix\n" + "\n".join(p.strip().replace("rel32", ".+0x100") for p in text.split(";")) + "\n"
        open(os.path.join(d, "t.s"), "w").write(src)
        r = subprocess.run(["as", "--64", "-o", os.path.join(d, "t.o"), os.path.join(d, "t.s")], capture_output=True, text=True)
        if r.returncode:
            sys.exit("forms.def: %s: %s" % (text, r.stderr.strip()))
        subprocess.run(["objcopy", "-O", "binary", "-j", ".text", os.path.join(d, "t.o"), os.path.join(d, "t.bin")], check=True)
        b = open(os.path.join(d, "t.bin"), "rb").read()
        out.append('FORM("%s", %s)' % (text, ", ".join("0x%02x" % x for x in b)))
open(path, "w").write("\n".join(out))
