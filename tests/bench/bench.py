#!/usr/bin/python3
"""make bench: imagegen's template engine against Python jinja2.

The templates are the OpenPAI-style ones of the differential suite
(tests/templates/cases/openpai/*.j2, less the error cases), rendered with
two configurations: the suite's own ("small": four machines) and one
grown from it ("large": hundreds of machines, nodes, services and
virtual clusters, so the loops run hundreds of times).

1. One process per template: imagegen render -c CONFIG.yaml TEMPLATE
   -o OUT, and imagegen render -c config.bin ... with the configuration
   compiled once beforehand by imagegen config (as the build edges run
   it), each against python3 tests/templates/ref.py -c CONFIG TEMPLATE
   -o OUT (hyperfine when installed, else a timing loop).
2. In one process: every template rendered in N passes, the configuration
   loaded once per pass; imagegen through tests/bench/tmpl_bench (the
   engine's public interface, tmpl.h), Python through jinja2 directly,
   both compiling each template every pass; Python also with templates
   compiled once. And parsing only: imagegen render --check with every
   template, against jinja2 compiling them.

Figures are printed, never asserted. Environment: IMAGEGEN, SRCDIR,
BUILDDIR, PYTHON, BENCHBIN (tmpl_bench), BENCH_RUNS (runs per command in 1,
default 5), BENCH_PASSES (passes in 2, default 20), BENCH_MACHINES (size of
the large configuration, default 300).
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import jinja2
import yaml


def env(name, default):
    return os.environ.get(name) or default


SRCDIR = env("SRCDIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BUILDDIR = env("BUILDDIR", os.getcwd())
IMAGEGEN = env("IMAGEGEN", os.path.join(BUILDDIR, "gen", "imagegen"))
PYTHON = env("PYTHON", "/usr/bin/python3")
BENCHBIN = env("BENCHBIN", os.path.join(BUILDDIR, "tests", "bench", "tmpl_bench"))
RUNS = int(env("BENCH_RUNS", "5"))
PASSES = int(env("BENCH_PASSES", "20"))
MACHINES = int(env("BENCH_MACHINES", "300"))
REF = os.path.join(SRCDIR, "tests", "templates", "ref.py")
CASEDIR = os.path.join(SRCDIR, "tests", "templates", "cases", "openpai")
WORK = os.path.join(BUILDDIR, "tests", "bench", "work")

sys.path.insert(0, os.path.dirname(REF))
import ref  # noqa: E402


def large_config(small, n):
    """the small configuration grown to n machines, n nodes, n/8 more services and n/10 virtual clusters"""
    big = copy.deepcopy(small)
    skus = sorted(big["machinesku"])
    ml = {}
    for i in range(n):
        role = "master" if i < 3 else "worker"
        name = "%s-%03d" % (role, i)
        m = {"hostip": "10.%d.%d.%d" % (151 + i // 65000, (i // 250) % 256, 1 + i % 250), "hostname": name,
             "machinetype": skus[i % len(skus)], "k8s-role": role}
        if role == "master":
            m["pai-master"] = "true"
            m["zkid"] = str(i + 1)
        elif i % 7 == 0:
            m["pai-storage"] = True
        else:
            m["pai-worker"] = "true"
        ml[name] = m
    big["machinelist"] = ml
    big["nodes"] = [{"name": "node-%03d" % i, "ip": "10.152.%d.%d" % (i // 250, 1 + i % 250),
                     "gpus": (i % 3) * 4, "labels": {"zone": "abc"[i % 3], "gpu": "true" if i % 3 else "false"}}
                    for i in range(n)]
    for i in range(max(n // 8, 1)):
        big["services"]["svc-%02d" % i] = {"port": 9000 + i, "replicas": 1 + i % 3}
    big["ports"] = [9000 + i for i in range(max(n // 8, 1))]
    vcs = {}
    for i in range(max(n // 10, 1)):
        vcs["vc%02d" % i] = {"description": "virtual cluster %d" % i, "capacity": 100 // max(n // 10, 1)}
    big["clusterinfo"]["virtualClusters"] = vcs
    return big


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(data)


def run(cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def per_process_hyperfine(cmds, runs):
    """mean wall seconds of each command, from hyperfine"""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        args = ["hyperfine", "-N", "--style", "none", "--warmup", "1", "--runs", str(runs),
                "--export-json", f.name] + [" ".join(c) for c in cmds]
        p = run(args)
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode())
            return None
        data = json.load(open(f.name))
    return [r["mean"] for r in data["results"]]


def per_process_loop(cmds, runs):
    """mean wall seconds of each command, from a plain timing loop"""
    means = []
    for c in cmds:
        run(c)
        t0 = time.perf_counter()
        for _ in range(runs):
            run(c)
        means.append((time.perf_counter() - t0) / runs)
    return means


def main():
    if not os.access(IMAGEGEN, os.X_OK):
        sys.stderr.write("bench: %s is not built (make)\n" % IMAGEGEN)
        return 2
    templates = sorted(os.path.join(CASEDIR, t) for t in os.listdir(CASEDIR)
                       if t.endswith(".j2") and not t.endswith("-error.j2"))
    small_path = os.path.join(CASEDIR, "config.yaml")
    small = ref.load_config(small_path)
    large_path = os.path.join(WORK, "large.yaml")
    write(large_path, yaml.safe_dump(large_config(small, MACHINES), sort_keys=False))
    sets = [("small", small_path), ("large", large_path)]
    # compiled once, as the .imagegen/config.bin edge of build.ninja does
    compiled = {}
    for setname, cfg in sets:
        compiled[setname] = os.path.join(WORK, setname + ".config.bin")
        p = run([IMAGEGEN, "config", "-c", cfg, "-o", compiled[setname]])
        if p.returncode != 0:
            sys.stderr.write(p.stderr.decode())
            return 1
    hyper = shutil.which("hyperfine")

    print("bench: %d templates (%s), configs: small (%d machines), large (%d machines)" %
          (len(templates), os.path.relpath(CASEDIR, SRCDIR), len(small["machinelist"]), MACHINES))

    # the same bytes out of both, or the figures mean little
    differ = 0
    outbytes = {}
    for setname, cfg in sets:
        total = 0
        for t in templates:
            base = os.path.join(WORK, setname, os.path.basename(t)[:-3])
            os.makedirs(os.path.dirname(base), exist_ok=True)
            a = run([IMAGEGEN, "render", "-c", cfg, t, "-o", base + ".imagegen"])
            c = run([IMAGEGEN, "render", "-c", compiled[setname], t, "-o", base + ".compiled"])
            b = run([PYTHON, REF, "-c", cfg, t, "-o", base + ".jinja2"])
            ok = a.returncode == 0 and b.returncode == 0 and c.returncode == 0 and \
                open(base + ".imagegen", "rb").read() == open(base + ".jinja2", "rb").read() and \
                open(base + ".compiled", "rb").read() == open(base + ".jinja2", "rb").read()
            if not ok:
                differ += 1
                print("bench: note: %s with the %s config: imagegen and jinja2 disagree" %
                      (os.path.basename(t), setname))
            elif b.returncode == 0:
                total += os.path.getsize(base + ".jinja2")
        outbytes[setname] = total
    print("bench: outputs: small %d bytes, large %d bytes in all; %d of %d renders disagree" %
          (outbytes["small"], outbytes["large"], differ, 2 * len(templates)))
    print("bench: configs: small %d bytes of YAML, compiled %d bytes; large %d bytes of YAML, compiled %d bytes" %
          (os.path.getsize(small_path), os.path.getsize(compiled["small"]),
           os.path.getsize(large_path), os.path.getsize(compiled["large"])))

    # 1. one process per template
    print("\n1. one process per template, %s, %d runs each; ms per template" %
          ("hyperfine" if hyper else "timing loop", RUNS))
    print("   imagegen -c yaml: render -c CONFIG.yaml, parsing the YAML in every process")
    print("   imagegen -c bin:  render -c config.bin, as the build edges run it: compiled config")
    print("%-6s %9s  %16s %7s  %16s %7s  %12s" %
          ("config", "templates", "imagegen -c yaml", "ratio", "imagegen -c bin", "ratio", "jinja2"))
    grand = [0.0, 0.0, 0.0, 0]

    def row(name, n, ty, tb, tp):
        print("%-6s %9d  %14.2fms %6.1fx  %14.2fms %6.1fx  %10.2fms" %
              (name, n, 1000 * ty / n, tp / ty, 1000 * tb / n, tp / tb, 1000 * tp / n))

    for setname, cfg in sets:
        ty = tb = tp = 0.0
        for t in templates:
            base = os.path.join(WORK, setname, os.path.basename(t)[:-3])
            cmds = [[IMAGEGEN, "render", "-c", cfg, t, "-o", base + ".imagegen"],
                    [IMAGEGEN, "render", "-c", compiled[setname], t, "-o", base + ".compiled"],
                    [PYTHON, REF, "-c", cfg, t, "-o", base + ".jinja2"]]
            means = (per_process_hyperfine(cmds, RUNS) if hyper else None) or per_process_loop(cmds, RUNS)
            ty += means[0]
            tb += means[1]
            tp += means[2]
        n = len(templates)
        row(setname, n, ty, tb, tp)
        grand[0] += ty
        grand[1] += tb
        grand[2] += tp
        grand[3] += n
    row("all", grand[3], grand[0], grand[1], grand[2])
    print("(ratio: jinja2's time over imagegen's, per process)")

    # 2. in one process
    print("\n2. in one process: %d passes, each loading the config and rendering every template" % PASSES)
    print("%-6s %16s  %16s %7s  %20s %7s" %
          ("config", "imagegen / pass", "jinja2 / pass", "ratio", "jinja2 precompiled", "ratio"))
    srcs = [(t, ref.read_template(t)) for t in templates]
    for setname, cfg in sets:
        ig = None
        if os.access(BENCHBIN, os.X_OK):
            p = run([BENCHBIN, str(PASSES), cfg] + templates)
            if p.returncode == 0:
                f = p.stdout.decode().split()
                ig = float(f[f.index("seconds") + 1]) / PASSES
            else:
                sys.stderr.write(p.stderr.decode())
        t0 = time.perf_counter()
        for _ in range(PASSES):
            ctx = ref.make_context(ref.load_config(cfg))
            for _t, src in srcs:
                jinja2.Template(src).render(ctx)
        py = (time.perf_counter() - t0) / PASSES
        compiled = [jinja2.Template(src) for _t, src in srcs]
        t0 = time.perf_counter()
        for _ in range(PASSES):
            ctx = ref.make_context(ref.load_config(cfg))
            for tm in compiled:
                tm.render(ctx)
        pyc = (time.perf_counter() - t0) / PASSES
        if ig:
            print("%-6s %15.3fms  %15.3fms %6.1fx  %19.3fms %6.1fx" %
                  (setname, 1000 * ig, 1000 * py, py / ig, 1000 * pyc, pyc / ig))
        else:
            print("%-6s %16s  %15.3fms %7s  %19.3fms" % (setname, "(no tmpl_bench)", 1000 * py, "", 1000 * pyc))

    # parsing only: imagegen render --check takes many templates in one process
    reps = max(PASSES, 1)
    argv = [IMAGEGEN, "render", "--check"] + templates * reps
    t0 = time.perf_counter()
    p = run(argv)
    ig = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(reps):
        for _t, src in srcs:
            jinja2.Template(src)
    py = time.perf_counter() - t0
    print("parse  %d templates x %d: imagegen render --check %.3fms (one process, start-up included), "
          "jinja2 compile %.3fms, ratio %.1fx%s" %
          (len(templates), reps, 1000 * ig, 1000 * py, py / ig, "" if p.returncode == 0 else " (--check failed)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
