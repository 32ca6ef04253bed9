#!/usr/bin/python3
"""The template differential suite: imagegen render against Python jinja2.

Every case is a template, an optional YAML configuration and optional -D
definitions. Python jinja2 (ref.py) renders all cases in this one process;
its results are cached in the build directory, keyed by a hash of the case,
of ref.py and of the jinja2/PyYAML versions. imagegen runs once per case, as
a build edge runs it, several at a time. Outputs are compared byte for byte;
where jinja2 fails, imagegen must fail too, name the template (or config)
with file:line:col, show the template's line with a caret under the column
on the next two lines, and write nothing. A case with a config is rendered
a second time with the config compiled by imagegen config (as build edges
read it), and that must pass the same way.

Cases come from cases/*.cases (hand-written, format below), from
cases/NAME.j2 with cases/NAME.yaml as its config when present, from
cases/DIR/*.j2 (whole templates) with cases/DIR/config.yaml, and from
gen_cases.py (generated from a fixed seed). A template file whose name
ends in "-error.j2" is one jinja2 must reject.

imagegen writes with -o OUT; before a case jinja2 rejects, OUT holds a
sentinel that the failed render must leave as it is. The whole templates of
cases/DIR/ also run as NAME@stdout (no -o: the output is what imagegen
prints) and NAME@rerun (rendered twice to OUT: the second run must leave
OUT untouched, same inode and mtime).

Case file format:

    === NAME                  starts a case; NAME unique within the file
    --- template [crlf] [escaped]
    --- yaml [FILE]           the config; several "yaml FILE" sections make
                              a config directory holding those files
    --- define                NAME=VALUE lines, each passed as -D
    --- expect [escaped]      the output jinja2 must give (checked too)
    --- error                 jinja2 must reject the case (no body)
    --- note                  a comment (the body is ignored)

A body is the lines up to the next header, less trailing empty lines. A
template or yaml body is read as a file is: each line ends in a newline. An
expect body has no final newline (jinja2 drops a template's last newline,
so a one-line template renders as its one line). "escaped" takes the body
exactly, less that final newline, with Python backslash escapes (\\n, \\t,
\\r, \\\\), for whitespace that must be exact or visible; "crlf" turns
each newline of the template into CR LF. Lines before the first case are
a comment too.

Environment: IMAGEGEN (the binary), SRCDIR, BUILDDIR; IMAGEGEN_WRAP
(a command prefix such as "valgrind -q --error-exitcode=99"), TDIFF_JOBS,
TDIFF_ONLY (fnmatch pattern over case names), TDIFF_SEED and TDIFF_COUNT
(generated cases), TDIFF_VERBOSE=1 (list every failure in full, and error
line differences), TDIFF_TIMEOUT (seconds per imagegen run), TDIFF_REFONLY=1
(check only the cases' own expect/error claims against jinja2).
"""

import concurrent.futures
import difflib
import fnmatch
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import jinja2  # noqa: E402
import yaml  # noqa: E402

import gen_cases  # noqa: E402
import ref  # noqa: E402

SECTIONS = ("template", "yaml", "define", "expect", "error", "note")
HEADER = re.compile(r"^--- (%s)\b(.*)$" % "|".join(SECTIONS))
CASEHDR = re.compile(r"^=== (\S+)\s*$")
SANITIZER = re.compile(r"(Sanitizer|runtime error:|^==\d+== )", re.M)


class Case:
    def __init__(self, name, origin):
        self.name = name
        self.origin = origin  # file:line of the case header
        self.template = None
        self.configs = None  # None, or a list of (file name or None, text)
        self.defines = []
        self.expect = None
        self.error = False
        self.strict = True  # hand-written: a failure in jinja2 must be announced
        self.mode = "o"  # how imagegen writes: "o" (-o OUT), "stdout", "rerun" (-o twice)

    def key(self, salt):
        h = hashlib.sha256()
        h.update(salt.encode())
        h.update(json.dumps([self.template, self.configs, self.defines]).encode())
        return h.hexdigest()


class CaseFileError(Exception):
    pass


ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def unescape(text):
    """text with \\n \\t \\r \\\\ \\xHH \\uHHHH replaced"""
    def one(m):
        e = m.group(1)
        return ESCAPES[e] if e in ESCAPES else chr(int(e[1:], 16))
    return re.sub(r"\\([ntr\\]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})", one, text)


def parse_case_file(path, prefix):
    """the cases of one .cases file"""
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    cases = []
    case = None
    section = None  # (kind, args, first line number, body lines)

    def where(n):
        return "%s:%d" % (path, n)

    def close_section():
        nonlocal section
        if section is None:
            return
        kind, args, n, body = section
        section = None
        while body and body[-1] == "":
            body.pop()
        text = "\n".join(body)
        flags = args.split()
        if kind in ("template", "expect") and "escaped" in flags:
            text = unescape(text)
        elif kind in ("template", "yaml") and body:
            text += "\n"
        if kind == "template":
            if case.template is not None:
                raise CaseFileError("%s: second template section" % where(n))
            if "crlf" in flags:
                text = text.replace("\n", "\r\n")
            case.template = text
        elif kind == "yaml":
            if case.configs is None:
                case.configs = []
            fname = flags[0] if flags else None
            if case.configs and (fname is None or case.configs[0][0] is None):
                raise CaseFileError("%s: one unnamed yaml section, or several named ones" % where(n))
            case.configs.append((fname, text))
        elif kind == "define":
            for d in body:
                if "=" not in d:
                    raise CaseFileError("%s: define lines are NAME=VALUE, got %r" % (where(n), d))
                case.defines.append(d)
        elif kind == "expect":
            case.expect = text
        elif kind == "error":
            if any(b.strip() for b in body):
                raise CaseFileError("%s: the error section has no body" % where(n))
            case.error = True

    def close_case():
        close_section()
        if case is None:
            return
        if case.template is None:
            raise CaseFileError("%s: case %s has no template" % (path, case.name))
        if case.error and case.expect is not None:
            raise CaseFileError("%s: case %s has both expect and error" % (path, case.name))
        cases.append(case)

    for i, line in enumerate(lines, 1):
        m = CASEHDR.match(line)
        if m:
            close_case()
            case = Case(prefix + m.group(1), where(i))
            continue
        m = HEADER.match(line)
        if m and case is not None:
            close_section()
            section = (m.group(1), m.group(2), i, [])
            continue
        if section is not None:
            section[3].append(line)
        elif case is not None and line.strip():
            raise CaseFileError("%s: text outside a section" % where(i))
    close_case()
    return cases


def generated(top, seed, count):
    """gen_cases.generate(seed, count), cached in the build directory"""
    with open(gen_cases.__file__, "rb") as f:
        salt = "%s %s %s %d %d" % (jinja2.__version__, yaml.__version__,
                                   hashlib.sha256(f.read()).hexdigest(), seed, count)
    path = os.path.join(top, "gencache-%d-%d.json" % (seed, count))
    try:
        with open(path) as f:
            cached = json.load(f)
        if cached["salt"] == salt:
            return cached["cases"]
    except (OSError, ValueError, KeyError):
        pass
    cases = gen_cases.generate(seed, count)
    write_if_changed(path, json.dumps({"salt": salt, "cases": cases}).encode())
    return cases


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def file_case(path, name, config):
    """a template file with the config file beside it, if any; "-error" in the name: jinja2 must fail"""
    c = Case(name, path)
    c.template = read_text(path)
    if os.path.exists(config):
        c.configs = [(None, read_text(config))]
    c.error = name.endswith("-error")
    return c


def load_cases(srcdir, top, seed, count):
    cases = []
    casedir = os.path.join(srcdir, "tests", "templates", "cases")
    for fname in sorted(os.listdir(casedir)):
        path = os.path.join(casedir, fname)
        if fname.endswith(".cases"):
            cases += parse_case_file(path, fname[:-6] + "/")
        elif fname.endswith(".j2"):
            cases.append(file_case(path, fname[:-3], path[:-3] + ".yaml"))
        elif os.path.isdir(path):
            config = os.path.join(path, "config.yaml")
            for sub in sorted(os.listdir(path)):
                if sub.endswith(".j2"):
                    for mode in ("o", "stdout", "rerun"):
                        c = file_case(os.path.join(path, sub), fname + "/" + sub[:-3], config)
                        if mode != "o":
                            c.name += "@" + mode
                            c.mode = mode
                        cases.append(c)
    for g in generated(top, seed, count):
        c = Case("gen/" + g["name"], "gen_cases.py seed %d" % seed)
        c.template = g["template"]
        c.configs = [(None, g["yaml"])] if g.get("yaml") is not None else None
        c.defines = g.get("defines", [])
        c.strict = False
        cases.append(c)
    seen = set()
    for c in cases:
        if c.name in seen:
            raise CaseFileError("%s: duplicate case name %s" % (c.origin, c.name))
        seen.add(c.name)
    return cases


def write_if_changed(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ref.write_if_changed(path, data)


class Paths:
    """where a case's files live, relative to the work directory"""

    def __init__(self, case):
        self.tmpl = case.name + ".j2"
        self.out = case.name + ".out"
        self.config = None
        if case.configs is not None:
            self.config = case.name + (".yaml" if case.configs[0][0] is None else ".d")


def stage_inputs(work, case, paths):
    write_if_changed(os.path.join(work, paths.tmpl), case.template.encode("utf-8"))
    if case.configs is None:
        return
    if case.configs[0][0] is None:
        write_if_changed(os.path.join(work, paths.config), case.configs[0][1].encode("utf-8"))
        return
    d = os.path.join(work, paths.config)
    os.makedirs(d, exist_ok=True)
    names = set()
    for fname, text in case.configs:
        names.add(fname)
        write_if_changed(os.path.join(d, fname), text.encode("utf-8"))
    for stale in os.listdir(d):
        if stale not in names:
            os.remove(os.path.join(d, stale))


def reference(work, case, paths):
    """jinja2's result for a case: {"ok", "out"} or {"ok", "line", "msg"}"""
    try:
        cfg = ref.load_config(os.path.join(work, paths.config)) if paths.config else {}
        ctx = ref.make_context(cfg, [ref.parse_define(d) for d in case.defines])
        return {"ok": True, "out": ref.render(case.template, ctx, paths.tmpl)}
    except ref.RefError as e:
        return {"ok": False, "line": e.line, "msg": str(e)}


# what OUT holds before a render jinja2 rejects: a failed render must leave it so
SENTINEL = b"left here before the render\n"


def run_both(work, wrap, imagegen, case, paths, timeout, fails):
    """run_imagegen with the case's YAML config and, when it has one, again
    with the config compiled by imagegen config, as build edges read it:
    (result, result with the compiled config or None)"""
    got = run_imagegen(work, wrap, imagegen, case, paths, timeout, fails)
    if not paths.config:
        return got, None
    binpath = case.name + ".cfgbin"
    try:
        p = subprocess.run(wrap + [imagegen, "config", "-c", paths.config, "-o", binpath], cwd=work,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        status, stderr = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        status, stderr = None, (e.stderr or b"").decode("utf-8", "replace")
    if status != 0:
        # judged as a failed render: the YAML error must name the config file
        comp = dict(got)
        comp.update(status=status, stderr=stderr, stdout="")
        return got, comp
    return got, run_imagegen(work, wrap, imagegen, case, paths, timeout, fails, binpath)


def run_imagegen(work, wrap, imagegen, case, paths, timeout, fails, config=None):
    """run imagegen render on a case; case.mode "o" writes -o OUT, "stdout"
    prints, "rerun" renders twice to OUT and notes whether the second run
    rewrote it; fails: jinja2 rejects the case; config: instead of the
    case's own"""
    outpath = os.path.join(work, paths.out)
    try:
        os.remove(outpath)
    except FileNotFoundError:
        pass
    if fails:
        with open(outpath, "wb") as f:
            f.write(SENTINEL)
    cmd = wrap + [imagegen, "render"]
    if config or paths.config:
        cmd += ["-c", config or paths.config]
    for d in case.defines:
        cmd += ["-D", d]
    cmd += [paths.tmpl]
    if case.mode != "stdout":
        cmd += ["-o", paths.out]

    def once():
        try:
            p = subprocess.run(cmd, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=timeout)
            return p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            return None, e.stdout or b"", e.stderr or b""

    def stamp():
        try:
            st = os.stat(outpath)
            return (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return None

    t0 = time.monotonic()
    status, stdout, stderr = once()
    dt = time.monotonic() - t0
    rewritten = None
    if case.mode == "rerun" and status == 0:
        before = stamp()
        time.sleep(0.01)
        status, stdout2, stderr = once()
        stdout += stdout2
        rewritten = stamp() != before
    out = None
    if case.mode == "stdout":
        out = stdout if status == 0 else None
        stdout = b"" if status == 0 else stdout
    elif os.path.exists(outpath):
        with open(outpath, "rb") as f:
            out = f.read()
    return {"status": status, "stdout": stdout.decode("utf-8", "replace"),
            "stderr": stderr.decode("utf-8", "replace"), "out": out, "time": dt, "rewritten": rewritten}


def visible(text):
    return [repr(line)[1:-1] + "\n" for line in text.splitlines(True)]


def showdiff(expected, got, a="jinja2", b="imagegen"):
    lines = list(difflib.unified_diff(visible(expected), visible(got), a, b, n=2))
    if not lines:
        return "    (no line differs: %r vs %r)\n" % (expected[-40:], got[-40:])
    return "".join("    " + line for line in lines)


def indent(text, limit=20):
    lines = text.rstrip("\n").split("\n")
    if len(lines) > limit:
        lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
    return "".join("    | " + line + "\n" for line in lines)


def judge(case, paths, exp, got):
    """None if the case passes, else the reason, as text"""
    # the case's own claims about jinja2, so a case tests what it says it tests
    if case.error and exp["ok"]:
        return "case error: the case says jinja2 rejects it, but jinja2 renders %r" % exp["out"]
    if not case.error and case.strict and not exp["ok"]:
        return "case error: jinja2 rejects the case (%s); mark it '--- error'" % exp["msg"]
    if case.expect is not None and exp["ok"] and exp["out"] != case.expect:
        return "case error: jinja2 gives a different output than the case expects:\n" + \
            showdiff(case.expect, exp["out"], "the case", "jinja2")
    if got is None:
        return None
    st = got["status"]
    if st is None:
        return "imagegen did not finish in time\n" + indent(got["stderr"])
    if st < 0:
        return "imagegen was killed by signal %d\n" % -st + indent(got["stderr"])
    if SANITIZER.search(got["stderr"]) or (st == 99 and os.environ.get("IMAGEGEN_WRAP")):
        return "memory error reported under %s\n" % (os.environ.get("IMAGEGEN_WRAP") or "sanitizer") + \
            indent(got["stderr"], 40)
    if exp["ok"]:
        if st != 0:
            return "imagegen failed (status %d) where jinja2 renders:\n" % st + indent(got["stderr"]) + \
                "  jinja2 gives:\n" + indent(exp["out"])
        if got["out"] is None:
            return "imagegen succeeded but wrote no %s" % paths.out
        try:
            out = got["out"].decode("utf-8")
        except UnicodeDecodeError:
            return "imagegen wrote invalid UTF-8: %r" % got["out"][:200]
        if out != exp["out"]:
            return "output differs:\n" + showdiff(exp["out"], out)
        if got["stdout"]:
            return "imagegen -o also printed to stdout:\n" + indent(got["stdout"])
        if got["rewritten"]:
            return "a second imagegen render -o with the same inputs rewrote %s (inode or mtime changed)" % paths.out
        return None
    if st == 0:
        out = got["out"].decode("utf-8", "replace") if got["out"] is not None else "(nothing written)"
        return "imagegen rendered where jinja2 fails (%s):\n" % exp["msg"] + indent(out)
    if case.mode == "stdout" and got["stdout"]:
        return "imagegen failed (status %d) but printed output:\n" % st + indent(got["stdout"])
    if case.mode != "stdout" and got["out"] != SENTINEL:
        return "imagegen failed (status %d) but %s %s" % \
            (st, "removed" if got["out"] is None else "changed", paths.out)
    names = [paths.tmpl] + ([paths.config] if paths.config else [])
    loc = re.compile(r"(?:^|[\s:])(%s)(?:/[^:\s]*)?:(\d+):(\d+): error: " %
                     "|".join(re.escape(n) for n in names), re.M)
    m = loc.search(got["stderr"])
    if not m:
        return "imagegen's error does not name %s:LINE:COL: error: (jinja2: %s):\n" % \
            (paths.tmpl, exp["msg"]) + indent(got["stderr"])
    if m.group(1) == paths.tmpl:
        why = caret_shown(case.template, m, got["stderr"])
        if why:
            return why + ":\n" + indent(got["stderr"])
    return None


def caret_shown(src, m, stderr):
    """None if the lines after the location are the template's line LINE and a caret under COL"""
    line, col = int(m.group(2)), int(m.group(3))
    lines = src.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not 1 <= line <= len(lines):
        return "imagegen's error names line %d of a template of %d lines" % (line, len(lines))
    after = stderr[m.end():].split("\n")[1:3]
    if len(after) < 2 or after[0] != lines[line - 1]:
        return "imagegen's error is not followed by line %d of the template" % line
    if after[1].rstrip() != after[1][:col - 1] + "^" or after[1][:col - 1].strip():
        return "imagegen's caret is not under column %d" % col
    return None


def error_line(paths, stderr):
    m = re.search(r"(?:^|[\s:])%s:(\d+):(\d+): error: " % re.escape(paths.tmpl), stderr, re.M)
    return int(m.group(1)) if m else 0


def main():
    srcdir = os.environ.get("SRCDIR") or os.path.dirname(os.path.dirname(HERE))
    builddir = os.environ.get("BUILDDIR") or os.getcwd()
    imagegen = os.environ.get("IMAGEGEN") or os.path.join(builddir, "gen", "imagegen")
    wrap = shlex.split(os.environ.get("IMAGEGEN_WRAP", ""))
    jobs = int(os.environ.get("TDIFF_JOBS") or os.cpu_count() or 2)
    seed = int(os.environ.get("TDIFF_SEED") or gen_cases.SEED)
    count = int(os.environ.get("TDIFF_COUNT") or gen_cases.COUNT)
    only = os.environ.get("TDIFF_ONLY")
    verbose = os.environ.get("TDIFF_VERBOSE") == "1"
    refonly = os.environ.get("TDIFF_REFONLY") == "1"
    timeout = float(os.environ.get("TDIFF_TIMEOUT") or (300 if wrap else 20))
    if not refonly and not os.access(imagegen, os.X_OK):
        sys.stderr.write("templates: %s is not an executable; build it first (make)\n" % imagegen)
        return 2

    t0 = time.monotonic()
    top = os.path.join(builddir, "tests", "templates")
    try:
        cases = load_cases(srcdir, top, seed, count)
    except (CaseFileError, OSError) as e:
        sys.stderr.write("templates: %s\n" % e)
        return 2
    if only:
        cases = [c for c in cases if fnmatch.fnmatchcase(c.name, only)]

    work = os.path.join(top, "work")
    paths = {c.name: Paths(c) for c in cases}
    for c in cases:
        stage_inputs(work, c, paths[c.name])

    # jinja2, in this process, through the cache
    with open(ref.__file__, "rb") as f:
        salt = "%s %s %s" % (jinja2.__version__, yaml.__version__, hashlib.sha256(f.read()).hexdigest())
    cachepath = os.path.join(top, "refcache.json")
    try:
        with open(cachepath) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    fresh = {}
    expected = {}
    nref = 0
    for c in cases:
        k = c.key(salt + paths[c.name].tmpl)
        if k in cache:
            expected[c.name] = cache[k]
        else:
            expected[c.name] = reference(work, c, paths[c.name])
            nref += 1
        fresh[k] = expected[c.name]
    # keep what other selections of cases rendered, unless it piles up
    merged = dict(cache)
    merged.update(fresh)
    if len(merged) > 4 * len(fresh) + 2000:
        merged = fresh
    if merged != cache:
        write_if_changed(cachepath, json.dumps(merged, sort_keys=True).encode())
    t1 = time.monotonic()

    if refonly:
        bad = [(c, judge(c, paths[c.name], expected[c.name], None)) for c in cases]
        bad = [(c, why) for c, why in bad if why]
        for c, why in bad:
            print("FAIL %s (%s)\n  %s" % (c.name, c.origin, why.rstrip("\n")))
        print("templates: %d cases checked against jinja2 only, %d wrong" % (len(cases), len(bad)))
        return 1 if bad else 0

    # imagegen, one process per case (and per case with a config, two more:
    # imagegen config, and a render with the compiled config)
    results, compiled = {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = {pool.submit(run_both, work, wrap, imagegen, c, paths[c.name], timeout,
                            not expected[c.name]["ok"]): c.name
                for c in cases}
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]], compiled[futs[fut]] = fut.result()
    t2 = time.monotonic()

    failures = []
    linediff = []
    nerr = 0
    for c in cases:
        exp, got = expected[c.name], results[c.name]
        why = judge(c, paths[c.name], exp, got)
        if not why and compiled[c.name] is not None:
            why = judge(c, paths[c.name], exp, compiled[c.name])
            if why:
                why = "with the config compiled by imagegen config: " + why
        if why:
            failures.append((c, why))
            continue
        if not exp["ok"]:
            nerr += 1
            gl = error_line(paths[c.name], got["stderr"])
            if exp["line"] and gl and gl != exp["line"]:
                linediff.append((c.name, exp["line"], gl))

    shown = len(failures) if verbose else min(len(failures), 40)
    for c, why in failures[:shown]:
        print("FAIL %s (%s)" % (c.name, c.origin))
        print("  " + why.rstrip("\n"))
        print("  template (as Python escapes it):")
        print(indent("".join(visible(c.template)), 12).rstrip("\n"))
    if shown < len(failures):
        print("... and %d more failures (TDIFF_VERBOSE=1 shows all):" % (len(failures) - shown))
        print("  " + " ".join(c.name for c, _ in failures[shown:]))
    if linediff:
        print("templates: note: %d error cases report another line than jinja2%s" %
              (len(linediff), "" if verbose else " (TDIFF_VERBOSE=1 lists them)"))
        if verbose:
            for name, jl, gl in linediff:
                print("  %s: jinja2 line %d, imagegen line %d" % (name, jl, gl))
    slow = max(results.values(), key=lambda r: r["time"]) if results else None
    print("templates: %d cases (%d generated, %d errors in both; %d with a config, also rendered with it "
          "compiled), jinja2 %.2fs (%d rendered, rest cached), imagegen %.2fs (%d jobs, slowest %.3fs)" %
          (len(cases), sum(1 for c in cases if not c.strict), nerr,
           sum(1 for r in compiled.values() if r is not None), t1 - t0, nref, t2 - t1, jobs,
           slow["time"] if slow else 0))
    print("templates: %d passed, %d failed" % (len(cases) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
