#!/usr/bin/env python3
"""Lists functions longer than a limit (default 80 lines) in non-test Rust code.

Usage: scripts/fn-lengths.py [--limit N] FILES_OR_FOLDERS...
A function's length runs from its `fn` line to its closing brace. Code after `#[cfg(test)]`
is skipped. Braces inside string and char literals and comments are ignored (roughly).
"""
import re
import sys
from pathlib import Path

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)")


def strip(line):
    """The line without comments, strings and char literals, for brace counting."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return line.split("//", 1)[0]


def functions(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    cut = next((i for i, l in enumerate(lines) if l.strip() == "#[cfg(test)]"), len(lines))
    i = 0
    while i < cut:
        m = FN.match(lines[i])
        if not m:
            i += 1
            continue
        depth, opened, j = 0, False, i
        while j < len(lines):
            code = strip(lines[j])
            if not opened and ";" in code and "{" not in code:
                break  # a declaration without body
            depth += code.count("{") - code.count("}")
            opened |= "{" in code
            if opened and depth <= 0:
                yield m.group(6), i + 1, j - i + 1
                break
            j += 1
        i += 1


def main(argv):
    limit = 80
    if argv[:1] == ["--limit"]:
        limit, argv = int(argv[1]), argv[2:]
    files = []
    for arg in argv:
        p = Path(arg)
        files.extend(sorted(p.rglob("*.rs")) if p.is_dir() else [p])
    long = [(n, f, name, line) for f in files for name, line, n in functions(f) if n > limit]
    for n, f, name, line in sorted(long, reverse=True):
        print(f"{n:4} {f}:{line} {name}")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
