#!/usr/bin/python3
"""Random template cases for the differential suite, from a fixed seed.

Each case is a YAML context (scalars written the YAML 1.1 ways PyYAML
types: 0755, 1:20, yes, ~, 1e3 ...) and a template built from random
statements (if/elif/else, for with one or two targets, an inline filter and
else, set, raw, comments) nested a few levels deep, with random expressions
over the typed context (operators, filters, tests, methods, lookups,
literals) and random whitespace control on every delimiter.

Generation is deterministic: case i depends only on the seed and i. Most
candidates are rendered with jinja2 while generating, so that few cases end
as errors (some do, on purpose) and none grows huge; the suite still renders
every case again as its reference.

    gen_cases.py [--seed N] [--count N] [--write DIR]

prints the cases in the format of cases/*.cases, or writes DIR/NAME.j2,
DIR/NAME.yaml and DIR/NAME.args (its -D options).
"""

import os
import random
import re
import sys

import jinja2
import yaml

SEED = 20261125
COUNT = 320

# (YAML text, what it is) for the scalars of the context
INTS = ["0", "1", "2", "3", "7", "12", "-4", "0755", "010", "0x1F", "1:20", "1_000", "+5", "0o17"]
FLOATS = ["1.5", "2.0", "0.1", "-3.25", "1.0e+3", ".5", "6.02e+23", "1e+20"]
BOOLS = ["yes", "no", "on", "off", "true", "False", "TRUE", "y"]
NONES = ["~", "null", "", "Null"]
STRS = ["alpha", "Beta", "'gamma delta'", "' pad '", "''", "a,b,c", "x-y", "\"it's\"", "'42'",
        "1e3", "'yes'", "hello world", "\"tab\\there\"", "'Mixed Case'", "'{{ raw }}'", "'0755'",
        "caf\u00e9", "'a:b'", "12abc", "\"quote \\\" inside\""]
WORDS = ["alpha", "beta", "gamma", "x", "node", "port", "a b", "", "Z", "it's", "42", "-"]
TEXT = ["", " ", "  ", "\n", "\n\n", " \n ", "\t", "word", "a b", "x\n", "\n  ", "line\n", ";",
        "  \t\n", "{", "}", "%", "#", "\r\n", " \r\n\t", "\r"]


def scalar_type(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if v is None:
        return "none"
    if isinstance(v, list):
        if v and all(scalar_type(x) == "int" for x in v):
            return "list_int"
        if v and all(isinstance(x, str) for x in v):
            return "list_str"
        return "list"
    if isinstance(v, dict):
        return "dict"
    return "any"


def small(v):
    """v as a number (a string read as jinja2's int filter reads it) is below 2**53, or no number"""
    try:
        return abs(float(v)) < 2.0 ** 53
    except (TypeError, ValueError, OverflowError):
        return True


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.vars = {}  # name -> type, in scope now
        self.dicts = {}  # name -> keys, for dict lookups
        self.setn = 0
        self.heads = []  # the heads of the loops around
        self.values = {}  # name -> value, for the context's variables

    def pick(self, seq):
        return self.r.choice(seq)

    def chance(self, p):
        return self.r.random() < p

    # the context

    def context(self):
        lines = []
        n = 0

        def name():
            nonlocal n
            n += 1
            return "v%d" % n

        for pool in (INTS, INTS, INTS, FLOATS, BOOLS, NONES, STRS, STRS, STRS):
            lines.append("%s: %s" % (name(), self.pick(pool)))
        for _ in range(2):
            k = self.r.randint(0, 4)
            pool = self.pick([INTS, STRS, INTS + STRS])
            lines.append("%s: [%s]" % (name(), ", ".join(self.pick(pool) for _ in range(k))))
        if self.chance(0.2):
            lines.append("%s: \"%s\"" % (name(), self.pick(["a\\nb\\n", "\\ttab", "x\\r\\ny", "\\n"])))
        for _ in range(2):
            nm = name()
            lines.append("%s:" % nm)
            keys = self.r.sample(["b", "A", "a", "c", "Key", "z", "name", "port", "on", "10"],
                                 self.r.randint(1, 5))
            for k in keys:
                lines.append("  %s: %s" % (k, self.pick(INTS + STRS + BOOLS + NONES + FLOATS)))
            if self.chance(0.5):
                lines.append("  nodes:")
                for _ in range(self.r.randint(0, 3)):
                    lines.append("    - {name: %s, ip: '10.0.0.%d', gpu: %s}" %
                                 (self.pick(["n1", "n2", "gpu-a", "cpu"]), self.r.randint(1, 254),
                                  self.pick(INTS)))
        text = "\n".join(lines) + "\n"
        data = yaml.load(text, Loader=yaml.SafeLoader)
        self.defines = []
        if self.chance(0.25):
            # -D: a new variable, or one that hides a config key (clusterconfig keeps the config's)
            for _ in range(self.r.randint(1, 2)):
                nm = self.pick(["d1", "d2", "v1", "v7"])
                self.defines.append("%s=%s" % (nm, self.pick(INTS + STRS + BOOLS + NONES + FLOATS)))
        for d in self.defines:
            nm, _, val = d.partition("=")
            data[nm] = yaml.load(val, Loader=yaml.SafeLoader)
        for k, v in data.items():
            self.vars[k] = scalar_type(v)
            self.values[k] = v
            if isinstance(v, dict):
                self.dicts[k] = list(v.keys())
        return text

    # expressions, by the type they mostly have

    def plain(self):
        """the names in scope, less loop (which prints as a Python object)"""
        return sorted(k for k, t in self.vars.items() if t != "loop")

    def names(self, *types):
        return sorted(k for k, t in self.vars.items() if t in types)

    def intlit(self):
        return str(self.pick([0, 1, 2, 3, 5, 7, 10, 42, 100]))

    def strlit(self):
        w = self.pick(WORDS)
        q = self.pick(["'", '"']) if "'" not in w else '"'
        return q + w + q

    def e_int(self, d):
        vs = self.names("int")
        opts = ["lit", "lit"] + (["var"] * 3 if vs else [])
        if d > 0:
            opts += ["bin", "bin", "neg", "len", "cond", "default", "index", "intf", "paren", "loop",
                     "dictget", "count"]
        k = self.pick(opts)
        if k == "lit":
            return self.intlit()
        if k == "var":
            return self.pick(vs)
        if k == "bin":
            op = self.pick(["+", "-", "*", "//", "%", "+", "-"])
            return "%s %s %s" % (self.e_int(d - 1), op, self.e_int(d - 1))
        if k == "neg":
            return "-" + self.e_atom_int(d - 1)
        if k == "len":
            return "%s|length" % self.e_seq(d - 1)
        if k == "count":
            return "%s|count" % self.e_seq(d - 1)
        if k == "cond":
            return "%s if %s else %s" % (self.e_atom_int(d - 1), self.e_bool(d - 1), self.e_atom_int(d - 1))
        if k == "default":
            return "%s|default(%s)" % (self.pick(["undef_x", "nope"] + vs), self.intlit())
        if k == "index":
            lv = self.names("list_int")
            if lv:
                return "%s[%d]" % (self.pick(lv), self.r.randint(-1, 2))
            return "[%s, %s][%d]" % (self.intlit(), self.intlit(), self.r.randint(0, 1))
        if k == "intf":
            # a float past 2**63 makes an int Python holds and imagegen (64-bit) refuses
            # (and so does a string such as '1e+20', which |int reads as a float)
            ok = [n for n in self.names("float", "str", "bool") if small(self.values.get(n, 0))]
            return "%s|int" % self.pick(["'12'", "'x'", "3.9", "'-7'", "' 8 '", "'0x1A'"] + ok)
        if k == "paren":
            return "(%s)" % self.e_int(d - 1)
        if k == "loop":
            lp = [n for n in ("loop.index", "loop.index0", "loop.length", "loop.revindex") if "loop" in self.vars]
            return self.pick(lp) if lp else self.intlit()
        if k == "dictget":
            return self.e_lookup()
        return self.intlit()

    def e_atom_int(self, d):
        e = self.e_int(d)
        return e if re.fullmatch(r"[\w.\[\]'-]+", e) else "(%s)" % e

    def e_lookup(self):
        if not self.dicts:
            return self.intlit()
        dn = self.pick(sorted(self.dicts))
        keys = self.dicts[dn] + ["missing"]
        k = self.pick(keys)
        form = self.pick(["sub", "sub", "dot", "get", "getd"])
        if not isinstance(k, str):
            # keys such as on: and 10: are True and 10 in YAML 1.1
            return "%s[%r]" % (dn, k)
        if form == "dot" and re.fullmatch(r"[A-Za-z_]\w*", k):
            return "%s.%s" % (dn, k)
        if form == "get":
            return "%s.get('%s')" % (dn, k)
        if form == "getd":
            return "%s.get('%s', %s)" % (dn, k, self.intlit())
        return "%s['%s']" % (dn, k)

    def e_str(self, d):
        vs = self.names("str")
        opts = ["lit", "lit"] + (["var"] * 3 if vs else [])
        if d > 0:
            opts += ["concat", "plus", "filt", "join", "fmt", "cond", "default", "string", "split",
                     "mul", "replace", "lookup", "index", "first", "indent", "delims"]
        k = self.pick(opts)
        if k == "lit":
            return self.strlit()
        if k == "var":
            return self.pick(vs)
        if k == "concat":
            return "%s ~ %s" % (self.e_any(d - 1), self.e_any(d - 1))
        if k == "plus":
            return "%s + %s" % (self.e_str(d - 1), self.e_str(d - 1))
        if k == "filt":
            f = self.pick(["upper", "lower", "trim", "string", "length|string", "list|join('.')",
                           "first", "last", "upper|lower"])
            return "%s|%s" % (self.e_satom(d - 1), f)
        if k == "join":
            return "%s|join(%s)" % (self.e_seq(d - 1), self.pick(["", "', '", "'-'", "''", "\"\\n\""]))
        if k == "fmt":
            f = self.pick(["'{}-{}'", "'{:06d}'", "'<{}>'", "'{0}{0}'", "'{:>5}|'", "'{:x}'"])
            nargs = f.count("{}") if "{}" in f else 1
            args = [self.e_int(d - 1) if ":" in f else self.e_any(d - 1) for _ in range(nargs)]
            return "%s.format(%s)" % (f, ", ".join(args))
        if k == "cond":
            return "%s if %s else %s" % (self.e_satom(d - 1), self.e_bool(d - 1), self.e_satom(d - 1))
        if k == "default":
            return "%s|%s(%s%s)" % (self.pick(["undef_s"] + vs + self.names("none")), self.pick(["d", "default"]),
                                    self.strlit(), self.pick(["", "", ", true", ", boolean=true"]))
        if k == "string":
            return "%s|string" % self.e_any(d - 1)
        if k == "split":
            sep = self.pick(["", "','", "' '", "'a'"])
            return "%s.split(%s)|join('+')" % (self.e_satom(d - 1), sep)
        if k == "mul":
            return "%s * %d" % (self.e_satom(d - 1), self.r.randint(0, 3))
        if k == "replace":
            return "%s|replace(%s, %s)" % (self.e_satom(d - 1), self.pick(["'a'", "' '", "''", "'x'"]),
                                          self.pick(["'_'", "''", "'AA'"]))
        if k == "lookup":
            return self.e_lookup()
        if k == "indent":
            return "%s|indent(%s)" % (self.e_satom(d - 1), self.pick(["", "2", "2, true", "first=true",
                                                                       "1, true, true"]))
        if k == "delims":
            return self.pick(["'{{'", "'}}'", "'{%'", "\"%}\"", "'{#'", "'#}'", "'{{ x }}'"])
        if k == "index":
            return "%s[%d]" % (self.e_satom(d - 1), self.r.randint(-2, 2))
        if k == "first":
            return "%s|%s" % (self.e_seq(d - 1), self.pick(["first", "last"]))
        return self.strlit()

    def e_satom(self, d):
        e = self.e_str(d)
        return e if re.fullmatch(r"[\w.]+|'[^']*'|\"[^\"]*\"", e) else "(%s)" % e

    def e_seq(self, d):
        vs = self.names("list_int", "list_str", "list", "str")
        opts = ["lit"] + (["var"] * 3 if vs else []) + ["range"]
        if d > 0:
            opts += ["plus", "keys", "values", "items", "dictsort", "list", "split"]
        k = self.pick(opts)
        if k == "var":
            return self.pick(vs)
        if k == "range":
            # a range prints as range(0, 3) and does not add to a list: make it a list
            a = self.r.randint(0, 4)
            return self.pick(["range(%d)" % a, "range(%d, %d)" % (a, a + 3), "range(%d, 0, -1)" % a]) + "|list"
        if k == "plus":
            return "%s + %s" % (self.e_seq(d - 1), self.e_seq(d - 1))
        if k in ("keys", "values", "items") and self.dicts:
            return "%s.%s()|list" % (self.pick(sorted(self.dicts)), k)
        if k == "dictsort" and self.dicts:
            return "%s|dictsort" % self.pick(sorted(self.dicts))
        if k == "list":
            return "%s|list" % self.e_satom(d - 1)
        if k == "split":
            return "%s.split()" % self.e_satom(d - 1)
        return "[%s]" % ", ".join(self.pick([self.intlit(), self.strlit()]) for _ in range(self.r.randint(0, 3)))

    def e_bool(self, d):
        opts = ["lit", "var", "cmp", "cmp", "defined", "none"]
        if d > 0:
            opts += ["not", "and", "or", "in", "starts", "sameas", "paren"]
        k = self.pick(opts)
        if k == "lit":
            return self.pick(["true", "false", "True", "FALSE", "none"])
        if k == "var":
            vs = self.names("bool", "int", "str", "none", "list_int", "list_str", "list", "dict")
            return self.pick(vs + ["undef_b"])
        if k == "cmp":
            op = self.pick(["==", "!=", "<", ">", "<=", ">="])
            if self.chance(0.5):
                return "%s %s %s" % (self.e_atom_int(d - 1), op, self.e_atom_int(d - 1))
            return "%s %s %s" % (self.e_satom(d - 1), op, self.e_satom(d - 1))
        if k == "defined":
            return "%s is %sdefined" % (self.pick(self.plain() + ["undef_c"]), self.pick(["", "not "]))
        if k == "none":
            return "%s is none" % self.pick(self.plain())
        if k == "not":
            return "not %s" % self.e_bool(d - 1)
        if k == "and":
            return "%s and %s" % (self.e_bool(d - 1), self.e_bool(d - 1))
        if k == "or":
            return "%s or %s" % (self.e_bool(d - 1), self.e_bool(d - 1))
        if k == "in":
            if self.chance(0.5):
                return "%s %sin %s" % (self.e_satom(d - 1), self.pick(["", "not "]), self.e_satom(d - 1))
            return "%s %s %s" % (self.e_atom_int(d - 1), self.pick(["in", "not in"]), self.e_seq(d - 1))
        if k == "starts":
            return "%s.%s(%s)" % (self.e_satom(d - 1), self.pick(["startswith", "endswith"]), self.strlit())
        if k == "sameas":
            return "%s is sameas %s" % (self.pick(self.plain()), self.pick(["true", "false", "none"]))
        return "(%s)" % self.e_bool(d - 1)

    def e_float(self, d):
        """float arithmetic, which prints as Python's shortest repr"""
        lits = ["0.1", "0.2", "0.3", "1.5", "2.5", "1e-05", "3.14159", "1e16", "1e22", "123.456", "-0.5",
                "2.0", "1e-7", "0.7", "100.0", "6.02e23"]
        fv = [n for n in self.names("float") if small(self.values.get(n, 0))]
        k = self.pick(["lit", "lit", "div", "div", "bin", "bin", "var"] if d > 0 else ["lit", "div"])
        if k == "var" and fv:
            return self.pick(fv)
        if k == "div":
            return "(%d / %d)" % (self.r.randint(-999, 9999), self.pick([3, 7, 9, 11, 13, 17, 40, 1000, 3 ** 7]))
        if k == "bin":
            return "(%s %s %s)" % (self.e_float(d - 1), self.pick(["+", "-", "*", "*", "//", "%"]),
                                   self.pick([self.e_float(d - 1), self.e_atom_int(0)]))
        return self.pick(lits)

    def e_any(self, d):
        k = self.pick(["int", "int", "str", "str", "bool", "seq", "float", "float", "var", "undef", "lookup"])
        if k == "int":
            return self.e_atom_int(d)
        if k == "str":
            return self.e_satom(d)
        if k == "bool":
            return "(%s)" % self.e_bool(d)
        if k == "seq":
            return "(%s)" % self.e_seq(d)
        if k == "float":
            if self.chance(0.5):
                return self.e_float(d)
            return "(%s / %s)" % (self.e_atom_int(d), self.pick(["2", "3", "4", "7", "0.5", "1e3"]))
        if k == "var":
            return self.pick(self.plain())
        if k == "lookup":
            return self.e_lookup()
        return self.pick(["undef_u", "undef_u|default('D')", "undef_u is defined"])

    # statements, with random whitespace control

    def ws(self):
        return self.pick(TEXT)

    def open_(self, kind):
        return kind + ("-" if self.chance(0.3) else "") + self.pick([" ", " ", "  ", "\n", ""])

    def close_(self, kind):
        return self.pick([" ", " ", "  ", "\n", ""]) + ("-" if self.chance(0.3) else "") + kind

    def tag(self, body):
        # an empty gap may join '{%' with '-' into '{%-', which is fine: still valid
        return self.open_("{%") + body + self.close_("%}")

    def out(self, expr):
        o, c = self.open_("{{"), self.close_("}}")
        # "{{-5}}" would be whitespace control followed by 5, not minus five
        if expr.startswith("-") and not o.endswith(" ") and not o.endswith("\n"):
            o += " "
        return o + expr + c

    def block(self, d, n):
        return "".join(self.stmt(d) for _ in range(n))

    def stmt(self, d):
        opts = ["text", "out", "out", "out", "out"]
        if d > 0:
            opts += ["if", "for", "set", "comment", "raw", "if", "for"]
        k = self.pick(opts)
        if k == "text":
            return self.ws() + self.pick(WORDS) + self.ws()
        if k == "out":
            e = self.e_any(self.r.randint(0, 3))
            if self.chance(0.1):
                # tojson gives markup, which prints as itself only at the top
                e = "(%s)|tojson" % e
            return self.ws() + self.out(e) + self.ws()
        if k == "comment":
            return self.pick(["{#", "{#-"]) + self.pick([" note ", "", " {{ x }} ", "\n"]) + \
                self.pick(["#}", "-#}"]) + self.ws()
        if k == "raw":
            return self.tag("raw") + self.pick(["{{ x }}", "{% if %}", " a ", "\n{#\n"]) + \
                self.tag("endraw") + self.ws()
        if k == "set":
            self.setn += 1
            name = "s%d" % self.setn
            e = self.pick([self.e_int, self.e_str, self.e_seq])(2)
            s = self.tag("set %s = %s" % (name, e))
            self.vars[name] = "any"
            lists = [n for n in self.names("list_int", "list_str", "list")
                     if not any(re.search(r"\b%s\b" % n, h) for h in self.heads)]
            if self.chance(0.5) and lists:
                # append mutates the list for good, even from inside a loop
                # (but not the list a loop walks: that loop would never end)
                lv = self.pick(lists)
                s += self.out("%s.append(%s)" % (lv, self.e_any(1))) + self.out(lv)
            return s + self.ws()
        if k == "if":
            s = self.tag("if " + self.e_bool(2)) + self.block(d - 1, self.r.randint(1, 3))
            for _ in range(self.r.randint(0, 2)):
                s += self.tag("elif " + self.e_bool(2)) + self.block(d - 1, self.r.randint(1, 2))
            if self.chance(0.5):
                s += self.tag("else") + self.block(d - 1, self.r.randint(1, 2))
            return s + self.tag("endif") + self.ws()
        if k == "for":
            saved = dict(self.vars)
            if self.dicts and self.chance(0.35):
                dn = self.pick(sorted(self.dicts))
                src = self.pick(["%s.items()" % dn, "%s|dictsort" % dn])
                head = "for k, v in %s" % src
                self.vars["k"] = "str"
                self.vars["v"] = "any"
            else:
                src = self.e_seq(1)
                if re.fullmatch(r"range\([^()]*\)\|list", src) and self.chance(0.7):
                    src = src[:-len("|list")]
                head = "for it in %s" % src
                self.vars["it"] = "any"
            if self.chance(0.3):
                head += " if " + self.e_bool(1)
            self.vars["loop"] = "loop"
            self.heads.append(head)
            body = self.block(d - 1, self.r.randint(1, 3))
            self.heads.pop()
            if self.chance(0.4):
                body += self.out(self.pick(["loop.index", "loop.index0", "loop.first", "loop.last",
                                            "loop.length", "loop.revindex", "'y' if loop.last else ','"]))
            s = self.tag(head) + body
            self.vars = saved
            if self.chance(0.25):
                s += self.tag("else") + self.block(d - 1, 1)
            s += self.tag("endfor") + self.ws()
            # what the loop set stays invisible here; names set before stay
            if self.setn and self.chance(0.5):
                s += self.out("s%d" % self.r.randint(1, self.setn))
            return s
        return ""

    def template(self):
        s = self.block(3, self.r.randint(3, 8))
        return s + self.pick(["", "\n", "\n\n", " \n"])


def context(text, defines):
    """the variables a case's template sees"""
    data = yaml.load(text, Loader=yaml.SafeLoader)
    ctx = dict(data)
    ctx["clusterconfig"] = data
    for d in defines:
        nm, _, val = d.partition("=")
        ctx[nm] = yaml.load(val, Loader=yaml.SafeLoader)
    return ctx


def acceptable(src, ctx):
    """rendered fine, or failed as jinja2 fails on purpose; small output"""
    try:
        out = jinja2.Template(src).render(ctx)
    except jinja2.TemplateSyntaxError:
        return False
    except Exception:
        return None
    if len(out) > 3000 or re.search(r"\d{17,}", out):
        return False
    return True


def make_case(seed, i):
    """case i of seed, as {"name", "template", "yaml"}"""
    r = random.Random("%d/%d" % (seed, i))
    for attempt in range(40):
        g = Gen(r)
        text = g.context()
        src = g.template()
        ok = acceptable(src, context(text, g.defines))
        # keep about one error case in eight, and any candidate after many tries
        if ok or (ok is None and (r.random() < 0.12 or attempt > 30)):
            break
    return {"name": "%04d" % i, "template": src, "yaml": text, "defines": g.defines}


def generate(seed=SEED, count=COUNT):
    return [make_case(seed, i) for i in range(count)]


def main(argv):
    seed, count, outdir = SEED, COUNT, None
    i = 0
    while i < len(argv):
        if argv[i] in ("--seed", "--count", "--write") and i + 1 < len(argv):
            if argv[i] == "--seed":
                seed = int(argv[i + 1])
            elif argv[i] == "--count":
                count = int(argv[i + 1])
            else:
                outdir = argv[i + 1]
            i += 2
            continue
        sys.stderr.write("usage: gen_cases.py [--seed N] [--count N] [--write DIR]\n")
        return 2
    for c in generate(seed, count):
        if outdir:
            os.makedirs(outdir, exist_ok=True)
            with open(os.path.join(outdir, c["name"] + ".j2"), "w") as f:
                f.write(c["template"])
            with open(os.path.join(outdir, c["name"] + ".yaml"), "w") as f:
                f.write(c["yaml"])
            with open(os.path.join(outdir, c["name"] + ".args"), "w") as f:
                f.write("".join("-D %s\n" % d for d in c["defines"]))
        else:
            print("=== %s\n--- template escaped\n%s\n--- yaml\n%s%s" %
                  (c["name"], c["template"].encode("unicode_escape").decode("ascii"), c["yaml"],
                   "--- define\n" + "".join(d + "\n" for d in c["defines"]) if c["defines"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
