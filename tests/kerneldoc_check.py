#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Kernel-doc gate for the kernel-side sources.

tests/kerneldoc_check.py KERNEL_DOC FILE...

Runs the kernel's scripts/kernel-doc (-none -v) over FILE... and fails on
any warning it prints; then checks that every non-static function defined
in the .c files has a kernel-doc comment ("/**" block whose first line is
" * NAME() - ...") right before it.
"""
import re
import subprocess
import sys

DEF = re.compile(r'^(?!static\b)(?!typedef\b)[A-Za-z_][\w \t\*]*?\b(\w+)\(')


def undocumented(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    missing = []
    for i, line in enumerate(lines):
        m = DEF.match(line)
        if not m or line.rstrip().endswith(';'):
            continue
        # A definition: its body's "{" opens at column 0 after the header.
        j = i
        while j < len(lines) and not lines[j].startswith('{'):
            if lines[j].rstrip().endswith(';'):
                break
            j += 1
        if j >= len(lines) or not lines[j].startswith('{'):
            continue
        name = m.group(1)
        k = i - 1
        while k >= 0 and not lines[k].startswith('/**'):
            if lines[k].startswith('}') or (lines[k] and not lines[k].startswith(' *')
                                            and not lines[k].startswith('*/')
                                            and not lines[k].startswith(' */')):
                break
            k -= 1
        if k < 0 or not lines[k].startswith('/**') or \
                not re.match(r'^ \* %s\(\) - ' % re.escape(name), lines[k + 1]):
            missing.append('%s:%d: %s() has no kernel-doc comment' % (path, i + 1, name))
    return missing


def main():
    kdoc, files = sys.argv[1], sys.argv[2:]
    out = subprocess.run(['perl', kdoc, '-none', '-v'] + files,
                         capture_output=True, text=True)
    warnings = [l for l in (out.stdout + out.stderr).splitlines()
                if 'warning' in l.lower() or 'error' in l.lower()]
    problems = warnings
    for f in files:
        if f.endswith('.c'):
            problems += undocumented(f)
    for p in problems:
        print(p)
    print('kernel-doc: %d files, %d problem(s)' % (len(files), len(problems)))
    return 1 if problems or out.returncode else 0


if __name__ == '__main__':
    sys.exit(main())
