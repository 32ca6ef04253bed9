#!/bin/sh
# make bench-engines: the default example with each engine, side by side.
#
# For podman (a private image store), docker's classic builder and docker
# BuildKit (each on a private dockerd this script starts and stops by its
# PID, vfs storage): a fresh build directory, then the wall time of a full
# build, a no-op ninja, an edit of a leaf's file, and a tag change
# (imagegen reconfigure --tag), each with the engine builds it ran
# (counted by a shim that logs every engine command). Nothing is asserted:
# the integration tests assert the same behaviour.
#
# Environment: IMAGEGEN (the binary), SRCDIR, NINJA; BENCH_ENGINES (default
# "podman docker docker-buildkit"), IMAGEGEN_TEST_DOCKER (the docker client).

set -u
: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}
# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"

tmpdir bench-engines
realpodman=$(command -v podman)
docker_client
origpath=$PATH

# step NAME: ninja in the build directory; prints NAME, seconds, builds
step() {
	: >"$log"
	t0=$(now_ms)
	(cd "$b" && "$NINJA") >"$tmp/out" 2>&1 || {
		echo "bench-engines: $e: $1 failed:" >&2
		sed 's/^/    /' "$tmp/out" >&2
	}
	t1=$(now_ms)
	n=$(awk '$1 == "build"' "$log" | wc -l | tr -d ' ')
	row="$row$(printf ' %8.2f s %2d' "$(echo "$t1 $t0" | awk '{ print ($1 - $2) / 1000 }')" "$n")"
}

printf '%-16s %13s %13s %13s %13s\n' "engine" "full build" "no-op" "leaf edit" "tag change"
printf '%-16s %13s %13s %13s %13s\n' "" "s  builds" "s  builds" "s  builds" "s  builds"
for e in ${BENCH_ENGINES:-podman docker docker-buildkit}; do
	extra=
	case $e in
	podman)
		engine=podman
		real=$realpodman
		podman_store "$tmp/storage" || { echo "bench-engines: podman: no private store" >&2; continue; } ;;
	docker | docker-buildkit)
		engine=docker
		real=$realdocker
		buildkit "$e"
		extra=$netarg
		dockerd_start "d-$e" >/dev/null || { echo "bench-engines: $e: the private dockerd did not start" >&2; continue; } ;;
	*)
		echo "bench-engines: unknown engine $e" >&2
		continue ;;
	esac
	mkdir -p "$tmp/$e/shim" "$tmp/$e/build"
	cp -R "$SRCDIR/examples" "$tmp/$e/tree"
	log=$tmp/$e/engine.log
	engine_shim "$tmp/$e/shim" "$engine" "$real" "$log"
	PATH=$tmp/$e/shim:$origpath
	b=$tmp/$e/build
	# shellcheck disable=SC2086 # $extra is an option or nothing
	(cd "$b" && "$IMAGEGEN" generate --images=../tree/images --config=../tree/config.yaml --engine="$engine" $extra \
		--registry=localhost:5000 --namespace=bench --tag=v1 --imagegen="$IMAGEGEN" --templates="$SRCDIR/templates") || continue
	row=
	step "full build"
	step "no-op"
	sleep 1
	echo "echo edited" >>"$tmp/$e/tree/images/tools/bin/tool-info"
	step "leaf edit"
	(cd "$b" && "$IMAGEGEN" reconfigure --tag=v2)
	step "tag change"
	printf '%-16s%s\n' "$e" "$row"
	PATH=$origpath
	case $e in
	podman) podman_clean ;;
	*) dockerd_stop; unset DOCKER_BUILDKIT ;;
	esac
done
