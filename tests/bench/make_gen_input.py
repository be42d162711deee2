#!/usr/bin/env python3
"""Writes a large realistic `strace -f -tt -T -y` log for the generation benchmark (issue 17 §2):
copies of the corpus' gopls-check log, each with its pids renumbered (a new set of processes per
copy, as a long session would have). Usage: make_gen_input.py SRC.gz OUT SIZE_MB"""
import gzip, re, sys

src, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = gzip.open(src, "rb").read()
lead = re.compile(rb"^(\d+) ", re.M)
target = size_mb * 1000 * 1000
written = 0
k = 0
with open(out, "wb") as f:
    while written < target:
        off = k * 100000
        chunk = lead.sub(lambda m: b"%d " % (int(m.group(1)) + off), text)
        if written + len(chunk) > target:
            cut = chunk.rfind(b"\n", 0, target - written) + 1
            chunk = chunk[:cut] if cut > 0 else b""
            if not chunk:
                break
        f.write(chunk)
        written += len(chunk)
        k += 1
print(written)
