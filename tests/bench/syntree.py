#!/usr/bin/python3
"""A synthetic images tree for the benchmarks: syntree.py ROOT IMAGES [FILES].

Also a module: build(root, images, files) makes the tree, stub(bindir)
a stand-in podman that builds nothing and writes an image ID, so that a
build's own work is what a benchmark times.

IMAGES images under ROOT: a hundredth of them FROM scratch (base-B), each
of those the base of nine more (mid-B-M), the rest leaves spread over the
mids (leaf-L). Every image holds FILES files (default 20, at least 6)
counting image.yaml and the Dockerfile: a README and run.sh at the top,
the rest spread over etc/ and lib/sub/; every tenth leaf renders one of
them (etc/app.conf) from a template reading the configuration's site and
workers. Also writes ROOT/../config.yaml. Deterministic: the same
arguments give the same bytes.
"""

import os
import sys


def names_of(n):
    nbase = max(1, n // 100)
    names, parent, mids = [], {}, []
    for b in range(nbase):
        names.append("base-%d" % b)
    for b in range(nbase):
        for m in range(9):
            if len(names) < n:
                name = "mid-%d-%d" % (b, m)
                names.append(name)
                parent[name] = "base-%d" % b
                mids.append(name)
    i = 0
    while len(names) < n:
        name = "leaf-%d" % i
        names.append(name)
        parent[name] = mids[i % len(mids)] if mids else names[0]
        i += 1
    return names, parent


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def build(root, n, files=20):
    """the tree of n images of files files each under root; the names, leaves last"""
    if files < 6:
        raise ValueError("FILES must be at least 6")
    names, parent = names_of(n)
    write(os.path.join(os.path.dirname(os.path.abspath(root)), "config.yaml"), "site: bench\nworkers: 4\n")
    for k, name in enumerate(names):
        d = os.path.join(root, name)
        tmpl = name.startswith("leaf-") and k % 10 == 0
        yaml = ""
        if name in parent:
            yaml += "prerequisite: %s\n" % parent[name]
        if tmpl:
            yaml += "template-list:\n  - etc/app.conf\n"
        write(os.path.join(d, "image.yaml"), yaml)
        write(os.path.join(d, "Dockerfile"), "FROM %s\nCOPY . /opt/%s/\n" % (parent.get(name, "scratch"), name))
        write(os.path.join(d, "README"), "%s\n" % name)
        write(os.path.join(d, "run.sh"), "#!/bin/sh\nexec /opt/%s/lib/sub/main \"$@\"\n" % name)
        os.chmod(os.path.join(d, "run.sh"), 0o755)
        rest = files - 4
        netc = rest // 2
        for j in range(rest):
            if j == 0 and tmpl:
                write(os.path.join(d, "etc", "app.conf.template"), "site = {{ site }}\nworkers = {{ workers }}\n")
            elif j < netc:
                write(os.path.join(d, "etc", "file%d.conf" % j), "%s %d\n" % (name, j))
            else:
                write(os.path.join(d, "lib", "sub", "part%d" % j), "%s part %d\n" % (name, j))
    return names


STUB = """#!/bin/sh
# a stand-in container engine: it builds nothing, and a build writes an image ID
while [ $# -gt 0 ]; do
	if [ "$1" = --iidfile ]; then
		echo sha256:%s >"$2"
	fi
	shift
done
""" % ("5ca1ab1e" * 8)


def stub(bindir, name="podman"):
    """a stand-in engine called name in bindir: one shell, no other process"""
    os.makedirs(bindir, exist_ok=True)
    path = os.path.join(bindir, name)
    with open(path, "w") as f:
        f.write(STUB)
    os.chmod(path, 0o755)
    return path


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit("usage: syntree.py ROOT IMAGES [FILES]")
    try:
        build(argv[1], int(argv[2]), int(argv[3]) if len(argv) == 4 else 20)
    except ValueError as e:
        sys.exit("syntree.py: %s" % e)


if __name__ == "__main__":
    main(sys.argv)
