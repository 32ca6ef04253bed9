#!/bin/sh
# the OpenPAI object model (--config-model=openpai*) against
# tests/openpai/model.py, a Python model of what paictl computes:
#   - imagegen config --print and model.py agree byte for byte on every
#     fixture of tests/openpai/fixtures/ and examples/pai's configuration,
#     and on every configuration one edit away from each (mutate.py);
#   - the templates of tests/openpai/templates/ rendered by imagegen render
#     and by jinja2 with model.py's model (render.py, as paictl renders)
#     are the same bytes.
# Environment: IMAGEGEN, SRCDIR, PYTHON.
: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
PYTHON=${PYTHON:-python3}

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
tmpdir openpai

set --
for d in "$SRCDIR"/tests/openpai/fixtures/*/ "$SRCDIR"/examples/pai/cluster-configuration/; do
	[ -f "$d/services-configuration.yaml" ] && set -- "$@" "${d%/}"
done
for d; do
	for v in 5 6 7; do
		case $v in 5) m=openpai-v0.5 ;; 6) m=openpai ;; 7) m=openpai-v0.7 ;; esac
		# a configuration one version refuses is covered by mutate.py
		"$PYTHON" -B "$SRCDIR/tests/openpai/model.py" --version=$v "$d" >/dev/null 2>&1 || continue
		rm -rf "$tmp/py"
		"$PYTHON" -B "$SRCDIR/tests/openpai/render.py" --version=$v "$d" "$tmp/py" "$SRCDIR"/tests/openpai/templates/*.template || {
			fail=$((fail + 1))
			continue
		}
		for t in "$SRCDIR"/tests/openpai/templates/*.template; do
			n=$(basename "$t" .template)
			if "$IMAGEGEN" render -c "$d" --config-model="$m" "$t" >"$tmp/out" 2>"$tmp/err" &&
				cmp -s "$tmp/out" "$tmp/py/templates/$n"; then
				pass=$((pass + 1))
			else
				nok "$n with $d ($m): imagegen render and jinja2 differ"
				diff "$tmp/py/templates/$n" "$tmp/out" | sed 's/^/    /' | head -20
				sed 's/^/    /' "$tmp/err"
			fi
		done
	done
done
printf 'openpai renders: %d passed, %d failed\n' "$pass" "$fail"
"$PYTHON" -B "$SRCDIR/tests/openpai/mutate.py" "$IMAGEGEN" "$@" || fail=$((fail + 1))
[ "$fail" = 0 ]
