#!/usr/bin/env python3
"""Write tmpl_casetab.h, the Unicode case tables of the template engine,
from the Python that is jinja2's reference (its unicodedata version is
recorded in the file): for every code point, what str.upper, str.lower,
str.title and str.casefold make of it alone (the full mappings, so that
"\u00df".upper() is "SS"), and the properties the methods consult
(lowercase, uppercase, titlecase, cased, case-ignorable, whitespace).
Case-ignorable is not in unicodedata; it is read from how str.lower
treats a final sigma after the code point.

    python3 gen/tmpl/casetab.py > gen/tmpl/tmpl_casetab.h
"""
import sys
import unicodedata

LOWER, UPPER, TITLE, CASED, IGNORABLE, SPACE = 1, 2, 4, 8, 16, 32


def flags(c):
    ch = chr(c)
    f = 0
    if ch.islower():
        f |= LOWER
    if ch.isupper():
        f |= UPPER
    if unicodedata.category(ch) == "Lt":
        f |= TITLE
    cased = bool(f)
    if cased:
        f |= CASED
        # a cased code point between an uncased one and a sigma: skipped only if case-ignorable
        ignorable = ("1" + ch + "\u03a3").lower()[-1] == "\u03c3"
    else:
        # an uncased one between a cased one and a sigma: skipped (a final sigma) only if case-ignorable
        ignorable = ("A" + ch + "\u03a3").lower()[-1] == "\u03c2"
    if ignorable:
        f |= IGNORABLE
    if ch.isspace():
        f |= SPACE
    return f


def main():
    out = sys.stdout
    ranges = []
    maps = {"upper": [], "lower": [], "title": [], "fold": []}
    pool = []
    where = {}
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        f = flags(c)
        if f:
            if ranges and ranges[-1][1] == c - 1 and ranges[-1][2] == f:
                ranges[-1][1] = c
            else:
                ranges.append([c, c, f])
        ch = chr(c)
        for name, to in (("upper", ch.upper()), ("lower", ch.lower()), ("title", ch.title()), ("fold", ch.casefold())):
            if to == ch:
                continue
            key = tuple(ord(x) for x in to)
            if key not in where:
                where[key] = len(pool)
                pool.extend(key)
            maps[name].append((c, where[key], len(key)))
    w = out.write
    w("/* tmpl_casetab.h: written by gen/tmpl/casetab.py from Python %s (Unicode %s); do not edit */\n"
      % (sys.version.split()[0], unicodedata.unidata_version))
    w("#define CASETAB_UNICODE \"%s\"\n\n" % unicodedata.unidata_version)
    w("enum { CF_LOWER = 1, CF_UPPER = 2, CF_TITLE = 4, CF_CASED = 8, CF_IGNORABLE = 16, CF_SPACE = 32 };\n\n")
    w("/* code points lo..hi with the same properties (CF_*), sorted */\n")
    w("static const struct caserange {\n\tuint32_t lo, hi;\n\tuint8_t flags;\n} caseranges[] = {\n")
    for lo, hi, f in ranges:
        w("\t{0x%x, 0x%x, %d},\n" % (lo, hi, f))
    w("};\n\n")
    w("/* the code points the mappings give, n from off */\n")
    w("static const uint32_t casepool[] = {\n")
    for i in range(0, len(pool), 8):
        w("\t" + " ".join("0x%x," % x for x in pool[i:i + 8]) + "\n")
    w("};\n")
    for name in ("upper", "lower", "title", "fold"):
        w("\n/* str.%s of each code point it changes, sorted */\n" % ("casefold" if name == "fold" else name))
        w("static const struct casemapping case%s[] = {\n" % name)
        for c, off, n in maps[name]:
            w("\t{0x%x, %d, %d},\n" % (c, off, n))
        w("};\n")


main()
