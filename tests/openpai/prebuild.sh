#!/bin/sh
# pre-build steps (image.yaml prebuild) and images that cannot be built,
# run by ninja up to the staged contexts and input digests (no engine):
# the step runs first, writes only under the build directory, runs again
# only when an input or its command changes, and what it makes reaches the
# contexts of the images that stage it; a copy-list source that nothing
# makes fails that image's staging alone. Environment: IMAGEGEN, SRCDIR,
# NINJA.
: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=prebuild
tmpdir prebuild

# after a FAIL line: what the last command printed
on_fail() {
	sed 's/^/    /' "$tmp/out" | head -20
}

# ninja in the build directory, its output in $tmp/out
nj() {
	(cd "$tmp/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$NINJA" "$@") >"$tmp/out" 2>&1
}

# count WORD: how many edges of the last ninja printed WORD
count() {
	grep -c "] $1 " "$tmp/out"
}

goals="ctx/hadoop-run.staged ctx/rest-server.staged ctx/zoo.staged img/hadoop-run.digest img/rest-server.digest img/zoo.digest"
cp -R "$SRCDIR/tests/golden/prebuild/tree" "$tmp/src"
mkdir -p "$tmp/build"
touch "$tmp/stamp"
(cd "$tmp/build" && "$IMAGEGEN" generate --images=../src/pai/src --templates="$SRCDIR/templates") >"$tmp/out" 2>&1
check "generate takes a tree with a pre-build step" [ $? = 0 ]

# shellcheck disable=SC2086
nj $goals
check "ninja runs the step once" [ "$(count PREBUILD)" = 1 ]
check "then stages the three images" [ "$(count STAGE)" = 3 ]
check "the step's output reaches the image whose directory holds it" \
	cmp -s "$tmp/build/ctx/hadoop-run/hadoop/hadoop-2.7.2.tar.gz" "$tmp/src/hadoop-dist/hadoop-2.7.2.tar.gz"
check "and the copy-list that names it" \
	cmp -s "$tmp/build/ctx/rest-server/copied_file/hadoop/hadoop-2.7.2.tar.gz" "$tmp/src/hadoop-dist/hadoop-2.7.2.tar.gz"
check "what paictl's step left in the sources gives way to it" [ ! -e "$tmp/build/ctx/hadoop-run/hadoop/left-by-paictl" ]
check "nothing is written into the sources" [ -z "$(find "$tmp/src" -newer "$tmp/stamp")" ]

# shellcheck disable=SC2086
nj $goals
check "a second ninja has nothing to do" grep -q "no work to do" "$tmp/out"

d1=$(cat "$tmp/build/img/rest-server.digest")
touch "$tmp/src/hadoop-dist/hadoop-2.7.2.tar.gz"
# shellcheck disable=SC2086
nj $goals
check "an input touched, unchanged: the step runs" [ "$(count PREBUILD)" = 1 ]
check "and nothing after it" [ "$(count STAGE)" = 0 ]

echo "hadoop 2.7.2, patched" >"$tmp/src/hadoop-dist/hadoop-2.7.2.tar.gz"
# shellcheck disable=SC2086
nj $goals
check "an input changed: the step, then the two images that stage its output" \
	[ "$(count PREBUILD)" = 1 ] && [ "$(count STAGE)" = 2 ] && [ "$(count DIGEST)" = 2 ]
check "their digests change" [ "$(cat "$tmp/build/img/rest-server.digest")" != "$d1" ]

echo p2 >"$tmp/src/hadoop-dist/patches/p2.diff"
# shellcheck disable=SC2086
nj $goals
check "a file added to an input directory: regenerated, the step runs again" \
	grep -q REGENERATE "$tmp/out" && [ "$(count PREBUILD)" = 1 ]

sed -i 's|cp ../hadoop-dist|cp -p ../hadoop-dist|' "$tmp/src/pai/src/hadoop-run/image.yaml"
# shellcheck disable=SC2086
nj $goals
check "its command changed: the step runs again" [ "$(count PREBUILD)" = 1 ]

sed -i 's|cp -p ../hadoop-dist.*|exit 3|' "$tmp/src/pai/src/hadoop-run/image.yaml"
# shellcheck disable=SC2086
nj -k 0 $goals
check "a failing step names its image and fails what needs it" \
	grep -q "the pre-build step of image hadoop-run failed (exit status 3)" "$tmp/out"
check "the image that does not need it is built" [ -f "$tmp/build/img/zoo.digest" ]

sed -i 's|^  command: .*|  command: echo writes nothing|' "$tmp/src/pai/src/hadoop-run/image.yaml"
# shellcheck disable=SC2086
nj -k 0 $goals
check "a step that does not write its output says which" \
	grep -q "the pre-build step of image hadoop-run did not write its output src/hadoop-run/hadoop" "$tmp/out"

# a copy-list source that nothing makes: that image alone cannot be built
rm -rf "$tmp/build"/* "$tmp/build/.imagegen" "$tmp/build/.ninja_"*
sed -i '/^prebuild:/,$d' "$tmp/src/pai/src/hadoop-run/image.yaml"
rm -rf "$tmp/src/pai/src/hadoop-run/hadoop"
(cd "$tmp/build" && "$IMAGEGEN" generate --images=../src/pai/src --templates="$SRCDIR/templates") >"$tmp/out" 2>&1
rc=$?
check "a missing copy-list source: generate succeeds" [ $rc = 0 ]
check "and writes the build of the other images" [ -f "$tmp/build/build.ninja" ]
check "and says which image needs it and that a pre-build step may make it" \
	grep -q "rest-server/image.yaml:3:10: error: copy-list src 'src/hadoop-run/hadoop' does not exist.*image rest-server cannot be built until it does.*prebuild in image.yaml" "$tmp/out"
(cd "$tmp/build" && "$IMAGEGEN" check --images=../src/pai/src --templates="$SRCDIR/templates") >"$tmp/out" 2>&1
check "check fails on it" [ $? = 1 ]
(cd "$tmp/build" && "$IMAGEGEN" list --images=../src/pai/src) >"$tmp/out" 2>/dev/null
check "list still describes the whole tree" [ "$(wc -l <"$tmp/out")" = 3 ]
nj -k 0 img/hadoop-run.digest img/rest-server.digest img/zoo.digest
check "ninja -k 0: its staging fails with the error" grep -q "image rest-server cannot be built until it does" "$tmp/out"
check "ninja -k 0: hadoop-run is staged and digested" [ -f "$tmp/build/img/hadoop-run.digest" ]
check "ninja -k 0: zoo is staged and digested" [ -f "$tmp/build/img/zoo.digest" ]
mkdir -p "$tmp/src/pai/src/hadoop-run/hadoop"
echo placed by hand >"$tmp/src/pai/src/hadoop-run/hadoop/hadoop-2.7.2.tar.gz"
nj img/rest-server.digest
check "placed where the step would put it: regenerated, and the image stages" \
	grep -q REGENERATE "$tmp/out" && [ -f "$tmp/build/ctx/rest-server/copied_file/hadoop/hadoop-2.7.2.tar.gz" ]

finish
