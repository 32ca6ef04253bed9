#!/usr/bin/env python3
"""Test helper: differential test of imagegen's OpenPAI object model against
model.py on every configuration one edit away from each fixture.

usage: mutate.py IMAGEGEN FIXTURE_DIR...

For every fixture and each of paictl's model versions (5, 6, 7) it takes the
fixture as it is, then each variant with one mapping key deleted, or one
mapping set to null, anywhere in the four files. For each variant imagegen
(`config --config-model=... --print`) and model.py must agree: both give
the same JSON byte for byte, or both refuse; when paictl would stop with a
KeyError, imagegen's message must name that key and a file:line:col of the
variant. Prints a count per fixture and every disagreement; exit 1 on any.
"""
import copy
import os
import re
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402

MODELS = {5: "openpai-v0.5", 6: "openpai", 7: "openpai-v0.7"}
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def paths(v, prefix=()):
    """every (path, is_mapping) of a mapping key below v"""
    if isinstance(v, dict):
        for k, x in v.items():
            yield prefix + (k,), isinstance(x, dict)
            yield from paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from paths(x, prefix + (i,))


def edit(doc, path, how):
    doc = copy.deepcopy(doc)
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    if how == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = None
    return doc


def variants(raw):
    yield "as written", raw
    for f, doc in enumerate(raw):
        for path, ismap in paths(doc):
            where = "%s: %s" % (model.FILES[f], ".".join(str(p) for p in path))
            yield "delete " + where, raw[:f] + [edit(doc, path, "delete")] + raw[f + 1:]
            if ismap:
                yield "null " + where, raw[:f] + [edit(doc, path, "null")] + raw[f + 1:]


def python(version, raw):
    try:
        m = model.model(version, None, copy.deepcopy(raw))
    except KeyError as e:
        return None, "KeyError", e.args[0]
    except model.Stop as e:
        return None, "Stop", str(e)
    except (TypeError, AttributeError) as e:
        return None, type(e).__name__, str(e)
    return model.json.dumps(m, indent=2, ensure_ascii=False) + "\n", None, None


def main(argv):
    imagegen = argv[1]
    bad = 0
    for fixture in argv[2:]:
        raw = model.load(fixture)
        n = 0
        with tempfile.TemporaryDirectory() as d:
            for what, docs in variants(raw):
                for f, doc in zip(model.FILES, docs):
                    with open(os.path.join(d, f + ".yaml"), "w") as fh:
                        yaml.dump(doc, fh, Dumper=Dumper, default_flow_style=False, sort_keys=False)
                parsed = model.load(d)
                for version, name in sorted(MODELS.items()):
                    n += 1
                    want, kind, detail = python(version, parsed)
                    r = subprocess.run([imagegen, "config", "-c", d, "--config-model=" + name, "--print"],
                                       capture_output=True, text=True)
                    problem = None
                    if want is not None:
                        if r.returncode != 0:
                            problem = "imagegen refused what paictl takes:\n" + r.stderr
                        elif r.stdout != want:
                            problem = "models differ"
                    elif r.returncode == 0:
                        problem = "imagegen took what paictl refuses (%s: %s)" % (kind, detail)
                    elif not re.search(r"^imagegen: [^:]+\.yaml:\d+:\d+: error: |^imagegen: [^:]+\.yaml: error: ", r.stderr, re.M):
                        problem = "no file:line:col in:\n" + r.stderr
                    elif kind == "KeyError" and ("'%s'" % detail) not in r.stderr:
                        problem = "paictl stops with KeyError %r; imagegen says:\n%s" % (detail, r.stderr)
                    elif kind == "Stop" and detail not in r.stderr:
                        problem = "paictl exits with %r; imagegen says:\n%s" % (detail, r.stderr)
                    if problem:
                        bad += 1
                        print("FAIL %s, %s, model %s: %s" % (os.path.basename(fixture), what, name, problem))
        print("openpai model: %s: %d configurations, each model" % (os.path.basename(fixture.rstrip("/")), n))
    print("openpai model: %d disagreements" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
