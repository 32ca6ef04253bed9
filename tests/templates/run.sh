#!/bin/sh
# The template differential suite: imagegen render against Python jinja2
# (tests/templates/tdiff.py says how it works and the case format).
#
# Environment, as make check-templates sets it: IMAGEGEN, SRCDIR, BUILDDIR,
# PYTHON. Also:
#   TDIFF_ONLY='filters/*'   run the cases whose names match
#   TDIFF_VERBOSE=1          every failure in full
#   TDIFF_REFONLY=1          check the cases' own claims against jinja2 only
#   TDIFF_SEED=N TDIFF_COUNT=N   other generated cases
#
# Under valgrind (every imagegen run; status 99 or a report is a failure):
#   IMAGEGEN_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
#     --errors-for-leak-kinds=definite" make check-templates
# With ASan/UBSan (any sanitizer report is a failure), from an empty directory:
#   CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
#   LDFLAGS="-fsanitize=address,undefined" SRCDIR/configure && make check-templates
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$(pwd)}
IMAGEGEN=${IMAGEGEN:-$BUILDDIR/gen/imagegen}
export SRCDIR BUILDDIR IMAGEGEN
exec "${PYTHON:-/usr/bin/python3}" -B "$SRCDIR/tests/templates/tdiff.py"
