#!/bin/sh
# make bench-cache: the CI scenario of the default example, with figures.
#
# A docker-registry on a free loopback port serves as the cache registry;
# podman keeps its images in a private store that each step starts empty,
# as a fresh CI machine would. Each step generates a fresh build directory
# (as configure does) and runs ninja; the step's wall time and the images built and pulled (as
# imagegen build reports them) are printed. Nothing is asserted: the tests
# of the same behaviour are in tests/unit/push_check.c.
#
# Environment: IMAGEGEN (the binary), SRCDIR (the source tree), NINJA, PYTHON.

set -u
: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}
PYTHON=${PYTHON:-python3}
# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"

if t=$(missing docker-registry podman "$NINJA"); then
	echo "bench-cache: $t is not installed (Debian packages: docker-registry, podman, ninja-build)" >&2
	exit 1
fi

tmpdir bench-cache
registry_start || {
	echo "bench-cache: the registry did not start:" >&2
	cat "$tmp/registry.log" >&2
	exit 1
}

cp -R "$SRCDIR/examples" "$tmp/src"
n=0

# run NAME CACHE: a fresh empty image store and build directory, generate, ninja
run() {
	n=$((n + 1))
	podman_store "$tmp/store$n" vfs || {
		echo "bench-cache: podman cannot use a private vfs store" >&2
		exit 1
	}
	b="$tmp/build$n"
	mkdir -p "$b"
	opt=
	[ "$2" = cache ] && opt="--cache-registry=127.0.0.1:$port/cache --insecure-registry"
	# shellcheck disable=SC2086
	(cd "$b" && "$IMAGEGEN" generate --engine=podman --jobs=2 --imagegen="$IMAGEGEN" \
		--templates="$SRCDIR/templates" --images="$tmp/src/images" \
		--config="$tmp/src/config.yaml" $opt) >"$b.configure.log" 2>&1 || {
		echo "bench-cache: imagegen generate failed:" >&2
		cat "$b.configure.log" >&2
		exit 1
	}
	t0=$(date +%s%N)
	(cd "$b" && "$NINJA") >"$b.ninja.log" 2>&1 || {
		echo "bench-cache: ninja failed:" >&2
		cat "$b.ninja.log" >&2
		exit 1
	}
	t1=$(date +%s%N)
	built=$(grep -E '^[a-z0-9._-]+: built in ' "$b.ninja.log" | sed 's/:.*//' | sort | tr '\n' ' ')
	pulled=$(grep -E '^[a-z0-9._-]+: pulled from ' "$b.ninja.log" | sed 's/:.*//' | sort | tr '\n' ' ')
	nb=$(printf '%s' "$built" | wc -w)
	np=$(printf '%s' "$pulled" | wc -w)
	[ "$2" = cache ] || { nb=$(grep -c 'BUILD ' "$b.ninja.log"); built="every image (no cache)"; }
	ms=$(((t1 - t0) / 1000000))
	printf '%-44s %4d.%02ds  built %d, pulled %d  [built: %s] [pulled: %s]\n' "$1" \
		$((ms / 1000)) $((ms % 1000 / 10)) "$nb" "$np" "${built% }" "${pulled% }"
}

echo "bench-cache: the default example, podman (vfs store), cache registry 127.0.0.1:$port"
run "cold ninja, no cache registry" none
run "cold ninja, cache registry empty (fills it)" cache
run "cold ninja, cache registry warm" cache
echo "# a leaf's file changes" >>"$tmp/src/images/tools/bin/tool-info"
run "cold ninja, warm cache, one leaf changed" cache
echo "changed" >>"$tmp/src/images/base/rootfs/usr/share/base/README"
run "cold ninja, warm cache, base changed" cache
