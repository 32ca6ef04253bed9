#!/usr/bin/env python3
"""samejson.py A B: compare two JSON documents key for key.

Prints "N keys compared, M equal" (every key of every mapping of either,
at every depth, by path; equal when the values below it are; lists are
compared item by item) and each difference, path first; exit status 1 if
any.
"""
import json
import sys

MISSING = object()


def walk(a, b, path, keys, diffs):
    """true if a and b are the same; each mapping key goes to keys, with that"""
    same = True
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            s = walk(a.get(k, MISSING), b.get(k, MISSING), path + [k], keys, diffs)
            keys.append(s)
            same = same and s
        return same
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            same = walk(x, y, path + [i], keys, diffs) and same
        return same
    # a leaf: bool is not int, 1.0 is not 1
    if type(a) is type(b) and a == b:
        return True
    diffs.append((path, a, b))
    return False


def show(v):
    return "(missing)" if v is MISSING else json.dumps(v)


def main():
    with open(sys.argv[1]) as f:
        a = json.load(f)
    with open(sys.argv[2]) as f:
        b = json.load(f)
    keys, diffs = [], []
    walk(a, b, [], keys, diffs)
    print("%d keys compared, %d equal" % (len(keys), keys.count(True)))
    for path, x, y in diffs:
        print("  %s: %s | %s" % ("/".join(map(str, path)), show(x), show(y)))
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
