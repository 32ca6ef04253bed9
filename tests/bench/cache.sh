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
export BUILDAH_ISOLATION=chroot

for tool in docker-registry podman "$NINJA"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench-cache: $tool is not installed (Debian packages: docker-registry, podman, ninja-build)" >&2
		exit 1
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imagegen-bench-cache.XXXXXX")
regpid=
cleanup() {
	[ -n "$regpid" ] && kill "$regpid" 2>/dev/null && wait "$regpid" 2>/dev/null
	for s in "$tmp"/store*; do
		[ -d "$s" ] || continue
		CONTAINERS_STORAGE_CONF="$s/storage.conf" podman system reset -f >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

PYTHON=${PYTHON:-python3}
# a free loopback port, as the kernel hands one out
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || exit 1

mkdir -p "$tmp/registry"
cat >"$tmp/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $tmp/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
regpid=$!
i=0
until "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1)' "$port" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "bench-cache: the registry did not start:" >&2; cat "$tmp/registry.log" >&2; exit 1; }
	sleep 0.1
done

cp -R "$SRCDIR/examples" "$tmp/src"
n=0

# run NAME CACHE: a fresh empty image store and build directory, generate, ninja
run() {
	n=$((n + 1))
	store="$tmp/store$n"
	mkdir -p "$store"
	printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' "$store" "$store" >"$store/storage.conf"
	CONTAINERS_STORAGE_CONF="$store/storage.conf"
	export CONTAINERS_STORAGE_CONF
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
