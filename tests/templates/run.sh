#!/bin/sh
# The template differential suite (tests/templates/tdiff.py says how it works).
# Environment: IMAGEGEN, SRCDIR, BUILDDIR, PYTHON, as make check-templates sets
# them; IMAGEGEN_WRAP="valgrind -q --error-exitcode=99" runs every imagegen
# under valgrind. Arguments are ignored; TDIFF_ONLY='filters/*' picks cases.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$(pwd)}
IMAGEGEN=${IMAGEGEN:-$BUILDDIR/gen/imagegen}
export SRCDIR BUILDDIR IMAGEGEN
exec "${PYTHON:-/usr/bin/python3}" -B "$SRCDIR/tests/templates/tdiff.py"
