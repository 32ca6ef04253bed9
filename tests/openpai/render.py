#!/usr/bin/env python3
"""Test helper, not part of imagegen: renders templates as paictl's image
build does, jinja2.Template(text).render({'clusterconfig': MODEL}) with MODEL
from model.py, and writes each next to OUTDIR under its image's name.

usage: render.py [--version=5|6|7] CONFIGDIR OUTDIR TEMPLATE...
       each TEMPLATE is IMAGEDIR/NAME.template; the result is OUTDIR/IMAGE/NAME
"""
import os
import sys

import jinja2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model  # noqa: E402


def main(argv):
    version, args = model.options(argv)
    if len(args) < 3:
        sys.stderr.write(__doc__)
        return 2
    cfg, out, templates = args[0], args[1], args[2:]
    m = model.model(version, cfg)
    for t in templates:
        with open(t) as f:
            text = f.read()
        image = os.path.basename(os.path.dirname(os.path.abspath(t)))
        name = os.path.basename(t)[:-len(".template")]
        os.makedirs(os.path.join(out, image), exist_ok=True)
        with open(os.path.join(out, image, name), "w") as f:
            f.write(jinja2.Template(text).render({"clusterconfig": m}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
