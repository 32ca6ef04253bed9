#!/usr/bin/python3
"""make bench-scale: how imagegen and its build.ninja grow with the tree.

For each size in SCALE (default 10 100 1000 5000 images) it makes a
synthetic tree of FILES (default 20) files an image (syntree.py), then
measures, side by side:

- find over the images root against imagegen generate over the same
  files, in a build directory that is up to date (what every
  regeneration costs), and the peak memory of generate;
- a no-op ninja on imagegen's build.ninja against a no-op ninja on a
  plain build.ninja with one edge per file of the same tree (each
  up to date first: imagegen's built with a stand-in engine that
  builds nothing and writes an image ID, the plain one's outputs and
  .ninja_log written directly), and the peak memory of ninja;
- the edges build.ninja holds per image;
- one file of a leaf image edited, then ninja: the time and the edges it
  ran.

Times are the median of RUNS runs (default 5), in milliseconds: wall
time and CPU time (user and system, of the command and what it runs;
the figure to compare when the machine is busy). Nothing is asserted:
the last lines say how the figures stand against the goals (generate
at most twice find and linear in the files, a no-op at most 1.3 times
the plain baseline, generate under 64 MB at 5,000 images).

Environment: IMAGEGEN, SRCDIR, NINJA, RUNSTAT (make passes them), SCALE,
FILES, RUNS, TMPDIR.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import syntree  # noqa: E402

IMAGEGEN = os.environ.get("IMAGEGEN") or sys.exit("bench-scale: IMAGEGEN must name the imagegen binary")
SRCDIR = os.environ.get("SRCDIR") or sys.exit("bench-scale: SRCDIR must name the source tree")
NINJA = os.environ.get("NINJA") or "ninja"
RUNSTAT = os.environ.get("RUNSTAT") or sys.exit("bench-scale: RUNSTAT must name tests/bench/runstat (make builds it)")
SCALE = [int(x) for x in (os.environ.get("SCALE") or "10 100 1000 5000").split()]
FILES = int(os.environ.get("FILES") or 20)
RUNS = int(os.environ.get("RUNS") or 5)
TMP = None


class Failed(Exception):
    pass


def run(cmd, cwd=None, env=None, out=None):
    """one run of cmd: (wall ms, CPU ms, peak memory KB); out gets stdout and stderr"""
    stat = os.path.join(TMP, "runstat")
    rc = subprocess.call([RUNSTAT, stat] + cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=out or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    if rc != 0:
        tail = ""
        if out is not None:
            out.flush()
            with open(out.name, errors="replace") as f:
                tail = ":\n" + "".join(f.readlines()[-20:])
        raise Failed("%s failed (exit status %d) in %s%s" % (" ".join(cmd), rc, cwd or ".", tail))
    with open(stat) as f:
        wall, cpu, rss = f.read().split()
    return int(wall) / 1000, int(cpu) / 1000, int(rss)


def median(cmd, cwd=None, env=None):
    """RUNS runs of cmd: the median wall and CPU times, the largest peak memory"""
    walls, cpus, rss = [], [], 0
    for _ in range(RUNS):
        w, c, m = run(cmd, cwd, env)
        walls.append(w)
        cpus.append(c)
        rss = max(rss, m)
    mid = lambda v: sorted(v)[(len(v) - 1) // 2]
    return mid(walls), mid(cpus), rss


def ninjapath(p):
    return p.replace("$", "$$").replace(" ", "$ ").replace(":", "$:")


def murmur(data):
    """ninja's hash of a command line (MurmurHash64A, its seed), as .ninja_log records it"""
    m, mask = 0xc6a4a7935bd1e995, (1 << 64) - 1
    n = len(data)
    h = (0xDECAFBADDECAFBAD ^ (n * m)) & mask
    i = 0
    while n - i >= 8:
        k = (int.from_bytes(data[i:i + 8], "little") * m) & mask
        k = ((k ^ (k >> 47)) * m) & mask
        h = ((h ^ k) * m) & mask
        i += 8
    if i < n:
        for j, c in enumerate(data[i:]):
            h ^= c << (8 * j)
        h = (h * m) & mask
    h = ((h ^ (h >> 47)) * m) & mask
    return h ^ (h >> 47)


def plainninja(images, dir):
    """a build.ninja of one edge per file of the tree (out/<path> from <path>) in dir, made
    up to date without running its 100,000 commands: the outputs are written, and
    .ninja_log records each edge's command; the number of edges"""
    lines = ["rule copy", "  command = : > $out", ""]
    log = ["# ninja log v5"]
    for top, dirs, files in os.walk(images):
        dirs.sort()
        for f in sorted(files):
            src = os.path.join(top, f)
            out = os.path.join("out", os.path.relpath(src, images))
            lines.append("build %s: copy %s" % (ninjapath(out), ninjapath(src)))
            os.makedirs(os.path.join(dir, os.path.dirname(out)), exist_ok=True)
            open(os.path.join(dir, out), "w").close()
            mtime = os.stat(os.path.join(dir, out)).st_mtime_ns
            log.append("0\t0\t%d\t%s\t%x" % (mtime, out, murmur((": > " + out).encode())))
    with open(os.path.join(dir, "build.ninja"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(dir, ".ninja_log"), "w") as f:
        f.write("\n".join(log) + "\n")
    return len(lines) - 3


def edges(path):
    n = 0
    with open(path) as f:
        for line in f:
            if line.startswith("build "):
                n += 1
    return n


def one(tmp, n, env, imagegen):
    """the figures of one size"""
    src = os.path.join(tmp, "src-%d" % n)
    images = os.path.join(src, "images")
    names = syntree.build(images, n, FILES)
    nfiles = sum(len(fs) for _, _, fs in os.walk(images))
    r = {"images": n, "files": nfiles}

    r["find"] = median(["find", images])

    bd = os.path.join(tmp, "build-%d" % n)
    os.makedirs(bd)
    gen = [imagegen, "generate", "--images=" + images, "--config=" + os.path.join(src, "config.yaml"),
           "--engine=podman", "--jobs=2", "--imagegen=" + imagegen,
           "--templates=" + os.path.join(SRCDIR, "templates")]
    r["gen-first"] = run(gen, bd, env)
    r["gen"] = median(gen, bd, env)
    r["edges"] = edges(os.path.join(bd, "build.ninja"))

    log = os.path.join(tmp, "ninja.log")
    with open(log, "w") as out:
        r["build"] = run([NINJA, "-j4"], bd, env, out)
    r["noop"] = median([NINJA], bd, env)

    plain = os.path.join(tmp, "plain-%d" % n)
    os.makedirs(plain)
    r["plain-edges"] = plainninja(images, plain)
    with open(log, "w") as out:
        run([NINJA, "-n"], plain, env, out)
    with open(log) as f:
        if "no work to do" not in f.read():
            # a ninja that does not take the log written above: build it for real
            with open(log, "w") as out:
                run([NINJA, "-j4"], plain, env, out)
    r["plain"] = median([NINJA], plain, env)

    # one file of a leaf in the middle of the tree, edited
    leaf = names[len(names) // 2 + len(names) // 4]
    edited = os.path.join(images, leaf, "etc", "file1.conf")
    with open(edited, "a") as f:
        f.write("edited\n")
    st = os.stat(edited)
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    with open(log, "w") as out:
        r["change"] = run([NINJA, "-j2"], bd, env, out)
    with open(log) as f:
        r["change-edges"] = sum(1 for line in f if re.match(r"\[\d+/\d+\]", line))
    for d in (src, bd, plain):
        shutil.rmtree(d)
    return r


def ms(t):
    return "%.0f" % t if t >= 10 else "%.1f" % t


def main():
    global TMP
    tmp = TMP = tempfile.mkdtemp(prefix="imagegen-bench-scale.", dir=os.environ.get("TMPDIR"))
    env = dict(os.environ)
    env["PATH"] = os.path.join(tmp, "stub") + os.pathsep + env.get("PATH", "")
    env.pop("MAKEFLAGS", None)
    syntree.stub(os.path.join(tmp, "stub"))
    # a copy: the build edges run imagegen for minutes, while make may relink the original
    imagegen = os.path.join(tmp, "imagegen")
    shutil.copy2(IMAGEGEN, imagegen)
    rows = []
    try:
        for n in SCALE:
            rows.append(one(tmp, n, env, imagegen))
            sys.stderr.write("bench-scale: %d images done\n" % n)
    except Failed as e:
        sys.exit("bench-scale: %s" % e)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("bench-scale: synthetic trees of %d files an image; ms, the median of %d runs: wall (CPU)" % (FILES, RUNS))
    head = ("images", "files", "find", "generate", "gen/find", "us/file", "gen MB",
            "no-op ninja", "plain ninja", "no-op/plain", "ninja MB", "edges/img", "one-file change")
    fmt = "%7s %7s %15s %15s %11s %8s %7s %15s %15s %11s %9s %9s %17s"
    print(fmt % head)
    for r in rows:
        fw, fc, _ = r["find"]
        gw, gc, gm = r["gen"]
        nw, nc, nm = r["noop"]
        pw, pc, _ = r["plain"]
        cw = r["change"][0]
        print(fmt % (r["images"], r["files"], "%s (%s)" % (ms(fw), ms(fc)), "%s (%s)" % (ms(gw), ms(gc)),
                     "%.2f (%.2f)" % (gw / fw, gc / fc), "%.1f" % (gc * 1000 / r["files"]), "%.1f" % (gm / 1024),
                     "%s (%s)" % (ms(nw), ms(nc)), "%s (%s)" % (ms(pw), ms(pc)), "%.2f (%.2f)" % (nw / pw, nc / pc),
                     "%.1f" % (nm / 1024), "%.1f" % (r["edges"] / r["images"]),
                     "%s, %d edges" % (ms(cw), r["change-edges"])))
    big = rows[-1]
    gw, gc, gm = big["gen"]
    fw, fc, _ = big["find"]
    nw, nc, _ = big["noop"]
    pw, pc, _ = big["plain"]
    perfile = [r["gen"][1] / r["files"] for r in rows if r["images"] >= 100]
    print("goals at %d images: generate/find %.2f wall, %.2f CPU (at most 2); no-op/plain %.2f wall, %.2f CPU"
          " (at most 1.3); generate %.1f MB (under 64)" % (big["images"], gw / fw, gc / fc, nw / pw, nc / pc, gm / 1024))
    if len(perfile) > 1:
        print("generate CPU per file from 100 images up: %s us (linear when these stay level)"
              % ", ".join("%.1f" % (x * 1000) for x in perfile))
    print("first generate (writing every file): %s" % ", ".join(
        "%d images %s ms" % (r["images"], ms(r["gen-first"][0])) for r in rows))
    print("full build with the stand-in engine, ninja -j4: %s" % ", ".join(
        "%d images %s ms" % (r["images"], ms(r["build"][0])) for r in rows))


if __name__ == "__main__":
    main()
