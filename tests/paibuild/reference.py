#!/usr/bin/env python3
"""An independent reading of an OpenPAI checkout as build/pai_build.py reads it.

Used by tests/paibuild/real.sh to check imagegen's pai-build layout against
pai_build's own rules on real checkouts (v0.8.0 to v1.8.0). Nothing here is
shared with imagegen: the rules are restated from OpenPAI's build code.

    reference.py PROJECT TYPE list           the images, in pai_build's build order:
                                             IMAGE<TAB>SERVICE<TAB>DOCKERFILE<TAB>DEP,DEP...
    reference.py PROJECT TYPE context DIR    one copy per image of a service without a
                                             hook, as pai_build's context would be when it
                                             builds it: DIR/IMAGE (the service directory,
                                             then each service it depends on copied into
                                             dependency/SERVICE, links followed)

TYPE is "none" for the trees before 1.0 (every *.dockerfile is an image,
named by the file name less ".dockerfile"), or the type pai_build 1.x is
given ("k8s": *.common.dockerfile and *.k8s.dockerfile, the name less
".TYPE.dockerfile"). Exits 1 with a message where pai_build would stop
(a duplicate image, an unknown dependency, a dependency loop).
"""

import os
import shutil
import sys


def fail(msg):
    sys.stderr.write("reference.py: %s\n" % msg)
    sys.exit(1)


def imagename(fname, typ):
    """the image a Dockerfile's file name gives, or None when it is left out"""
    if not fname.endswith(".dockerfile"):
        return None
    stem = fname[: -len(".dockerfile")]
    if typ == "none":
        return stem
    for t in ("common", typ):
        if stem.endswith("." + t):
            return stem[: -len(t) - 1]
    return None


def walk(src):
    """(directory, files) under src as os.walk gives them, top down"""
    for path, dirs, files in os.walk(src):
        yield path, files


def read(project, typ):
    src = os.path.join(project, "src")
    services = {}  # name -> {"images": [(image, dockerfile)], "in": [service]}
    order = []  # services in the order they were found (pai_build: a dict)
    for name in sorted(os.listdir(src)):
        if os.path.isdir(os.path.join(src, name)):
            services[name] = {"images": [], "in": []}
            order.append(name)
    owner = {}
    # images: every Dockerfile anywhere under src; its service is the parent of its directory
    for path, files in walk(src):
        parts = os.path.relpath(path, project).split(os.sep)
        svc = parts[-2] if len(parts) > 1 else None
        for f in sorted(files):
            img = imagename(f, typ)
            if img is None:
                continue
            if svc not in services:
                fail("%s/%s: pai_build has no service '%s' for it" % (path, f, svc))
            if img in owner:
                fail("image %s twice: in %s and %s" % (img, owner[img], svc))
            owner[img] = svc
            services[svc]["images"].append((img, os.path.relpath(os.path.join(path, f), os.path.join(src, svc))))
    # dependencies: each FROM line's whole reference, looked up as it is; each line of component.dep
    for path, files in walk(src):
        parts = os.path.relpath(path, project).split(os.sep)
        svc = parts[-2] if len(parts) > 1 else None
        for f in sorted(files):
            deps = []
            if imagename(f, typ) is not None:
                with open(os.path.join(path, f), errors="replace") as fh:
                    for line in fh:
                        if line.strip().startswith("FROM"):
                            words = line.split()
                            ref = words[1] if len(words) > 1 else ""
                            if ref in owner:
                                deps.append(owner[ref])
            elif f == "component.dep":
                with open(os.path.join(path, f), errors="replace") as fh:
                    deps = [line.strip() for line in fh]
            for d in deps:
                if not d:
                    continue
                if d not in services or svc not in services:
                    fail("invalid dependency %s of %s" % (d, svc))
                services[svc]["in"].append(d)
    # Kahn's sort, first in first out, as pai_build orders the services
    count = {s: len(services[s]["in"]) for s in order}
    out = {s: [] for s in order}
    for s in order:
        for d in services[s]["in"]:
            out[d].append(s)
    queue = [s for s in order if count[s] == 0]
    sorted_services = []
    while queue:
        s = queue.pop(0)
        sorted_services.append(s)
        for succ in out[s]:
            count[succ] -= 1
            if count[succ] == 0:
                queue.append(succ)
    if len(sorted_services) != len(order):
        fail("dependency loop among %s" % ", ".join(s for s in order if count[s] > 0))
    return services, sorted_services


def hashook(project, svc):
    d = os.path.join(project, "src", svc, "build")
    return os.path.exists(os.path.join(d, "build-pre.sh")) or os.path.exists(os.path.join(d, "build-post.sh"))


def main():
    if len(sys.argv) < 4:
        fail("usage: reference.py PROJECT TYPE list | context DIR")
    project, typ, cmd = sys.argv[1:4]
    services, sorted_services = read(project, typ)
    if cmd == "list":
        for s in sorted_services:
            deps = sorted(set(services[s]["in"]))
            for img, df in services[s]["images"]:
                print("%s\t%s\t%s\t%s" % (img, s, df, ",".join(deps)))
    elif cmd == "context" and len(sys.argv) == 5:
        dest = sys.argv[4]
        for s in sorted_services:
            if hashook(project, s):
                continue
            for img, df in services[s]["images"]:
                d = os.path.join(dest, img)
                # the service as it is in the checkout (no earlier run's leftovers)
                shutil.copytree(os.path.join(project, "src", s), d, symlinks=True)
                for dep in services[s]["in"]:
                    t = os.path.join(d, "dependency", dep)
                    if os.path.isdir(t):
                        shutil.rmtree(t)
                    shutil.copytree(os.path.join(project, "src", dep), t)
                print("%s\t%s" % (img, df))
    else:
        fail("unknown command %s" % cmd)


main()
