#!/bin/sh
# The pai-build layout (OpenPAI's build/pai_build.py) built for real: the
# fixture project in tests/paibuild/project (a base image, a service with
# two images and a left-out one, a service with component.dep, a
# build-pre.sh that copies from elsewhere in the project, a build-post.sh)
# is configured, built with podman in a private image store, and each
# incremental case is counted in engine builds; the sources must stay as
# they were. A loopback docker-registry serves as the cache registry.
#
# Environment (set by 'make check-paibuild'): SRCDIR, BUILDDIR, PYTHON,
# NINJA. Prints one line per assertion and 'paibuild: N passed, N failed'.

set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
NINJA=${NINJA:-ninja}
# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=paibuild

realpodman=$(command -v podman) || {
	nok "podman is installed (Debian package: podman)"
	finish
}
realeng=$realpodman

tmpdir pai
proj=$tmp/project
build=$tmp/build
shim=$tmp/shim
englog=$tmp/engine.log
out=$tmp/out
mkdir -p "$shim" "$build"

# a private image store: overlay where podman can use it here, else vfs
# (IMAGEGEN_TEST_STORAGE_DRIVER chooses)
podman_store "$tmp/storage" || {
	nok "podman can use the storage driver $driver"
	finish
}

# the podman the build edges find: logs the subcommand and the context's name
engine_shim "$shim" podman "$realpodman" "$englog"
PATH=$shim:$PATH
export PATH

podman() {
	"$realpodman" "$@"
}

cp -R "$SRCDIR/tests/paibuild/project" "$proj"
# every file of the sources with its mode, size and time: nothing
# imagegen or a hook does may change them
sources() {
	tree_state "$proj"
}

# --- configure ---------------------------------------------------------------

(cd "$build" && "$SRCDIR/configure" --images=../project/src --engine=podman --jobs=2 >"$out" 2>&1)
rc=$?
check "configure succeeds on the pai-build fixture" test $rc -eq 0
if [ $rc -ne 0 ] || [ ! -f "$build/build.ninja" ]; then
	sed 's/^/    /' "$out"
	finish
fi
check "configure's summary names the layout it chose by itself" \
	grep -q "layout: *pai-build (type k8s: \*.common.dockerfile and \*.k8s.dockerfile" "$out"
check "configure's summary counts 4 images in 3 services" grep -q "4 images in 3 services, 2 services with hooks" "$out"
imagegen=$build/gen/imagegen

ig() {
	(cd "$build" && "$imagegen" "$@" --args-file=.imagegen/generate.args)
}

ig list >"$out" 2>&1
check "imagegen list names the images pai_build builds, each after its service's dependencies" \
	test "$(tr '\n' '|' <"$out")" = "base-image|portal: base-image|tools-agent: base-image|tools-cli: base-image|"
ig list --all >"$out" 2>&1
check "imagegen list --all gives the left-out Dockerfile and why" \
	grep -q "^# left out: .*tools-agent.yarn.dockerfile: neither \*.common.dockerfile nor \*.k8s.dockerfile" "$out"
ig check >"$out" 2>&1
check "imagegen check accepts the tree" test $? -eq 0
check "imagegen check warns of nothing (the tagged FROM is ordered by component.dep)" test ! -s "$out"
ig graph >"$out" 2>&1
check "imagegen graph draws base-image -> portal" grep -q '"base-image" -> "portal"' "$out"
(cd "$build" && "$imagegen" list --images=../project/src --pai-type=none) >"$out" 2>&1
check "--pai-type=none names the images as pai_build before 1.0 did" \
	grep -q "^tools-agent.yarn$" "$out"
check "the pool of engine builds is --jobs deep" grep -q "depth = 2" "$build/build.ninja"

# --- the first build -----------------------------------------------------------

# ninja ARGS...: run ninja in the build directory, output in $out; the
# runs that changed the sources are counted in $dirtied
dirtied=0
runninja() {
	: >"$englog"
	sources >"$tmp/sources.before"
	(cd "$build" && "$NINJA" "$@") >"$out" 2>&1
	r=$?
	sources >"$tmp/sources.after"
	if ! cmp -s "$tmp/sources.before" "$tmp/sources.after"; then
		dirtied=$((dirtied + 1))
		printf '    ninja %s changed the sources:\n' "$*"
		diff "$tmp/sources.before" "$tmp/sources.after" | sed 's/^/    /' | head -10
	fi
	return $r
}

built() {
	awk '$1 == "build" { print $2 }' "$englog" | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect_built DESCRIPTION "IMAGES": exactly those images were built
expect_built() {
	b=$(built)
	if [ "$b" = "$2" ]; then
		ok "$1: built [$b]"
	else
		nok "$1: built [$b], expected [$2]"
		sed 's/^/    /' "$out" | tail -30
	fi
}

PORTAL_ENV=from-the-caller
export PORTAL_ENV
runninja
rc=$?
check "ninja builds the tree" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/    /' "$out" | tail -30
expect_built "the first ninja" "base-image portal tools-agent tools-cli"
check "base-image is built before the images on it" before "$out" "BUILD base-image" "BUILD tools-cli"
check "the pre hook runs before its service's image" before "$out" "HOOK portal pre" "BUILD portal"
check "the post hook runs after its service's images" before "$out" "BUILD tools-agent" "HOOK tools post"
check "the post hook runs after its service's images (2)" before "$out" "BUILD tools-cli" "HOOK tools post"
check "the sources are as they were" test "$dirtied" -eq 0
check "the hook ran from the project root with no arguments" \
	grep -q "hook: cwd .*/hook/portal/root/src/portal/build args 0 script src/portal/build/build-pre.sh" "$build/log/hook/portal.pre.log"
check "the hook inherits the environment" grep -q "PORTAL_ENV=from-the-caller" "$build/log/hook/portal.pre.log"
check "the staged context holds the service directory" test -f "$build/ctx/portal/app/index.html"
check "the staged context leaves out what .dockerignore excludes" test ! -e "$build/ctx/portal/app/notes.tmp"
check "the staged context holds dependency/base-image from component.dep" \
	cmp -s "$build/ctx/portal/dependency/base-image/build/base-image.common.dockerfile" "$proj/src/base-image/build/base-image.common.dockerfile"
check "the staged context holds what the hook copied from elsewhere in the project" \
	cmp -s "$build/ctx/portal/dependency/docs/index.md" "$proj/docs/index.md"
check "what the hook wrote is a real copy, not a link into the sources" test ! -L "$build/ctx/portal/version"
check "tools-cli's context holds its whole service directory, as pai_build's does" \
	test -f "$build/ctx/tools-cli/agent.conf" -a -f "$build/ctx/tools-cli/build/tools-agent.yarn.dockerfile"
check "the image holds the docs the hook copied" imghas portal /srv/docs/index.md "$proj/docs/index.md"
printf 'portal\n' >"$tmp/commit"
check "the image holds what the hook wrote" imghas portal /srv/version/COMMIT.VERSION "$tmp/commit"
check "the image holds a file of its dependency copy" imghas portal /srv/base-os-release "$proj/src/base-image/rootfs/etc/os-release"
check "tools-cli holds its service's bin/" imghas tools-cli /usr/bin/tools-cli "$proj/src/tools/bin/tools-cli"
(cd "$build" && "$imagegen" digest portal) >"$out" 2>&1
check "imagegen digest prints the input digest of an image of this layout" grep -q '^sha256:[0-9a-f]\{64\}$' "$out"

# --- incremental ---------------------------------------------------------------

runninja
check "a second ninja has no work to do" grep -q "no work to do" "$out"
check "a second ninja calls the engine 0 times" test ! -s "$englog"

echo 'echo tools cli 2' >>"$proj/src/tools/bin/tools-cli"
runninja
expect_built "an edit of tools/bin/tools-cli (in every tools image's context)" "tools-agent tools-cli"
check "the post hook runs again after a rebuilt image" grep -q "HOOK tools post" "$out"

echo 'more documentation' >>"$proj/docs/index.md"
runninja
expect_built "an edit of docs/index.md, listed in build-pre.inputs" "portal"
check "the hook ran again" grep -q "HOOK portal pre" "$out"

touch "$proj/docs/index.md"
runninja
expect_built "touching docs/index.md (same content): the hook runs, nothing is built" ""

echo 'NAME="fixture base 2"' >"$proj/src/base-image/rootfs/etc/os-release"
runninja
expect_built "an edit of the base image's service" "base-image portal tools-agent tools-cli"

printf 'FROM base-image\nCOPY bin/ /opt/bin/\n' >"$proj/src/tools/build/tools-extra.common.dockerfile"
runninja
check "a new Dockerfile regenerates build.ninja" grep -q "REGENERATE" "$out"
expect_built "a new Dockerfile in tools/build (also in its siblings' contexts)" "tools-agent tools-cli tools-extra"
rm "$proj/src/tools/build/tools-extra.common.dockerfile"
runninja
check "a removed Dockerfile regenerates build.ninja" grep -q "REGENERATE" "$out"
ig list >"$out" 2>&1
check "the removed image has left the tree" test "$(grep -c tools-extra "$out")" -eq 0

runninja rehook
check "ninja rehook succeeds" test $? -eq 0
runninja
check "after ninja rehook, the hooks run again" grep -q "HOOK portal pre" "$out"
check "after ninja rehook, the post hooks run again" grep -q "HOOK tools post" "$out"
expect_built "after ninja rehook, nothing is built (the hooks wrote the same)" ""
ig_rehook() {
	(cd "$build" && "$imagegen" rehook "$@") >"$out" 2>&1
}
ig_rehook portal
check "imagegen rehook SERVICE succeeds" test $? -eq 0
runninja
check "after imagegen rehook portal, portal's hook runs again" grep -q "HOOK portal pre" "$out"
check "after imagegen rehook portal, the other hooks do not" test "$(grep -c "HOOK tools" "$out")" -eq 0
ig_rehook nosuch
check "imagegen rehook of a service with no hook is a usage error" test $? -eq 2
check "and names the services that have hooks" grep -q "the services with hooks are: portal, tools" "$out"

# a failing hook stops its service's images, with its output shown
touch "$proj/docs/FAIL"
echo 'echo tools cli 3' >>"$proj/src/tools/bin/tools-cli"
runninja -k 0
rc=$?
check "a failing hook fails ninja" test $rc -ne 0
check "the hook's output is shown" grep -q "docs/FAIL is there: stopping" "$out"
check "the failure names the hook and its log" \
	grep -q "build-pre.sh of src/portal failed (exit status 3); the full log is log/hook/portal.pre.log" "$out"
expect_built "ninja -k 0 with a failing hook builds the other images only" "tools-agent tools-cli"
rm "$proj/docs/FAIL"
runninja
check "once the hook is fixed, ninja succeeds" test $? -eq 0
expect_built "once the hook is fixed, nothing more is built" ""

# ninja SERVICE and ninja IMAGE
echo 'interval=20' >"$proj/src/tools/agent.conf"
runninja tools-cli
expect_built "ninja tools-cli builds that image only" "tools-cli"
runninja tools
expect_built "ninja tools builds the rest of the service" "tools-agent"
echo 'NAME="fixture base 3"' >"$proj/src/base-image/rootfs/etc/os-release"
runninja tools
expect_built "ninja tools builds the service's images and what they are built on" "base-image tools-agent tools-cli"
runninja
expect_built "then ninja builds the rest" "portal"
check "no ninja run changed the sources" test "$dirtied" -eq 0

# --- the make backend ----------------------------------------------------------

mkdir "$tmp/make"
(cd "$tmp/make" && "$imagegen" generate --backend=make -o images.mk --images=../project/src --engine=podman \
	--jobs=2 --imagegen="$imagegen" --templates="$SRCDIR/templates") >"$out" 2>&1
check "generate --backend=make takes the pai-build layout" test $? -eq 0
: >"$englog"
(cd "$tmp/make" && make -f images.mk -j2) >"$out" 2>&1
check "make builds the tree" test $? -eq 0
expect_built "make, first run" "base-image portal tools-agent tools-cli"
check "make runs the pre hook before its image" before "$out" "HOOK portal pre" "BUILD portal"
: >"$englog"
(cd "$tmp/make" && make -f images.mk) >"$out" 2>&1
check "a second make calls the engine 0 times" test ! -s "$englog"
(cd "$tmp/make" && "$imagegen" rehook portal && make -f images.mk) >"$out" 2>&1
check "imagegen rehook works with make too" grep -q "HOOK portal pre" "$out"

# --- the cache registry --------------------------------------------------------

if command -v docker-registry >/dev/null 2>&1; then
	registry_start
	for n in 1 2; do
		mkdir -p "$tmp/cache$n"
		(cd "$tmp/cache$n" && "$imagegen" generate --images=../project/src --engine=podman --jobs=2 \
			--imagegen="$imagegen" --templates="$SRCDIR/templates" \
			--cache-registry="127.0.0.1:$port/cache" --insecure-registry) >"$out" 2>&1
		podman rmi -a -f >/dev/null 2>&1
		: >"$englog"
		(cd "$tmp/cache$n" && "$NINJA") >"$out" 2>&1
		check "ninja with a cache registry (run $n) succeeds" test $? -eq 0
		grep -c ': built' "$out" >"$tmp/nbuilt$n"
		grep -c ': pulled' "$out" >"$tmp/npulled$n"
	done
	check "with an empty cache, the 4 images are built and pushed" test "$(cat "$tmp/nbuilt1")" -eq 4
	check "from a warm cache, a fresh build directory pulls the 4 images" test "$(cat "$tmp/npulled2")" -eq 4
	check "from a warm cache, nothing is built" test "$(cat "$tmp/nbuilt2")" -eq 0

	# pai_build push -c DIR: the registry of DIR/services-configuration.yaml
	mkdir -p "$tmp/pai-config" "$tmp/push"
	printf 'cluster:\n  docker-registry:\n    namespace: openpai\n    domain: 127.0.0.1:%s\n    tag: v1.8.0\n    secret-name: pai-secret\n' \
		"$port" >"$tmp/pai-config/services-configuration.yaml"
	(cd "$tmp/push" && "$imagegen" generate --images=../project/src --config=../pai-config --engine=podman --jobs=2 \
		--imagegen="$imagegen" --templates="$SRCDIR/templates" --insecure-registry) >"$out" 2>&1
	check "generate takes the registry from services-configuration.yaml" test $? -eq 0
	tags() {
		registry_tags "$1"
	}
	(cd "$tmp/push" && "$NINJA" push-tools-cli) >"$out" 2>&1
	check "ninja push-IMAGE (pai_build push -i IMAGE) succeeds" test $? -eq 0
	check "ninja push-tools-cli pushes openpai/tools-cli by its input digest" \
		sh -c "echo '$(tags openpai/tools-cli)' | grep -q '^[0-9a-f]\{16\}\$'"
	(cd "$tmp/push" && "$NINJA" push) >"$out" 2>&1
	check "ninja push (pai_build push) succeeds" test $? -eq 0
	for i in base-image portal tools-agent tools-cli; do
		check "ninja push gives $i pai_build's name 127.0.0.1:PORT/openpai/$i:v1.8.0" \
			sh -c "echo '$(tags "openpai/$i")' | grep -q 'v1.8.0'"
	done
else
	nok "docker-registry is installed (Debian package: docker-registry)"
fi

finish
