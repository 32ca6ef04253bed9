#!/usr/bin/env python3
"""samectx.py PAICTL IMAGEGEN: compare build contexts, directory by directory.

PAICTL/NAME is what paictl's `docker build` received (paictl.py build),
IMAGEGEN/NAME what imagegen staged (ctx/NAME). image.yaml and the
.template sources, which paictl sent along and imagegen leaves out, are not
compared. For each image present in either: the same paths, the same kind
(directory, file, symbolic link), the same bytes or link target, the same
executable bits. Prints one line per image, then each difference; exit
status 1 if any.
"""
import os
import stat
import sys


def tree(root):
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if rel == "image.yaml" or (n.endswith(".template") and n in files):
                continue
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", None)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read(), st.st_mode & 0o111)
    return out


def main():
    a, b = sys.argv[1], sys.argv[2]
    names = sorted(set(os.listdir(a)) | set(n for n in os.listdir(b) if os.path.isdir(os.path.join(b, n))))
    bad = 0
    for n in names:
        if not os.path.isdir(os.path.join(a, n)) or not os.path.isdir(os.path.join(b, n)):
            print("%s: only in %s" % (n, a if os.path.isdir(os.path.join(a, n)) else b))
            bad += 1
            continue
        x, y = tree(os.path.join(a, n)), tree(os.path.join(b, n))
        diff = [p for p in sorted(set(x) | set(y)) if x.get(p) != y.get(p)]
        nfiles = len([p for p in x if x[p][0] != "dir"])
        print("%s: %d entries (%d files and links), %s" % (n, len(x), nfiles, "equal" if not diff else "%d differ" % len(diff)))
        for p in diff[:20]:
            print("  %s: %s | %s" % (p, desc(x.get(p)), desc(y.get(p))))
        bad += bool(diff)
    print("contexts: %d compared, %d equal" % (len(names), len(names) - bad))
    sys.exit(1 if bad else 0)


def desc(e):
    if e is None:
        return "(missing)"
    if e[0] == "file":
        return "file of %d bytes%s" % (len(e[1]), ", executable" if e[2] else "")
    if e[0] == "link":
        return "link to " + e[1]
    return "directory"


if __name__ == "__main__":
    main()
