#!/bin/sh
# shellcheck disable=SC2317 # helpers are called through 'check'
# Integration tests: configure and ninja on copies of the example trees with
# real engines, each in a store of its own: podman in a private image
# store, docker's classic builder and docker BuildKit on a private dockerd
# this script starts and stops itself (DOCKER_HOST names it; a daemon of
# the user's is never touched). For each engine the incremental cases are
# counted in engine invocations; with podman they run again with configure
# --backend=make and make, and a table compares the two; with docker, the
# examples/shell tree adds images with RUN steps on a busybox base made
# offline.
#
# Environment (set by 'make check-integration'): SRCDIR (the source tree),
# IMAGEGEN (a built imagegen, for the engine-independent cases), PYTHON
# (python3 with jinja2 and yaml), NINJA, MAKE. IMAGEGEN_TEST_ENGINES chooses the
# engines (default "podman docker docker-buildkit"); IMAGEGEN_TEST_DOCKER
# the docker client (default /usr/bin/docker, Debian's, when it is there:
# another one first in PATH may not speak to Debian's dockerd);
# IMAGEGEN_TEST_STORAGE_DRIVER podman's storage driver. Prints one line per
# assertion, the figures, and 'integration: N passed, N failed'; exits 1 on
# a failure.

set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
NINJA=${NINJA:-ninja}
MAKE=${MAKE:-make}
# the make runs of the tests start afresh, whatever make runs the tests
unset MAKEFLAGS MFLAGS MAKELEVEL

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=integration
ename=
cases=

# hasall FILE REGEX...: FILE has a line matching each REGEX
hasall() {
	f=$1
	shift
	for re; do
		grep -q -- "$re" "$f" || return 1
	done
}

# hasnone FILE REGEX: no line of FILE matches REGEX
hasnone() {
	! grep -q -- "$2" "$1"
}

# append FILE LINE...: add lines at the end of FILE
append() {
	f=$1
	shift
	printf '%s\n' "$@" >>"$f"
}

# untouched DIR: nothing under DIR is newer than the stamp taken before configure
untouched() {
	w=$(find "$1" -newer "$tmp/stamp" ! -path '*/.git/*' -print | head -3)
	[ -z "$w" ] && return 0
	printf '%s\n' "$w" | sed 's/^/    written: /'
	return 1
}

command -v "$NINJA" >/dev/null 2>&1 || {
	nok "ninja is installed (Debian package: ninja-build)"
	finish
}
engines=${IMAGEGEN_TEST_ENGINES:-podman docker docker-buildkit}
origpath=$PATH

tmpdir it
out=$tmp/out
realpodman=

# --- configure ---------------------------------------------------------------

(cd "$tmp" && "$SRCDIR/configure" --help >"$out" 2>&1)
check "configure --help exits 0" test $? -eq 0
check "configure --help lists --images= and --engine=" \
	hasall "$out" "--images=DIR" "--engine="

mkdir "$tmp/cfgfail"
(cd "$tmp/cfgfail" && PKG_CONFIG=false "$SRCDIR/configure" >"$out" 2>&1)
check "configure with PKG_CONFIG=false exits 1" test $? -eq 1
check "configure names the Debian packages of what is missing" \
	hasall "$out" "pkg-config: .false. not found.*Debian package: pkg-config" \
	"libyaml.*Debian package: libyaml-dev"
check "a failed configure writes no Makefile" test ! -e "$tmp/cfgfail/Makefile"

(cd "$tmp/cfgfail" && "$SRCDIR/configure" --no-such-option >"$out" 2>&1)
check "configure rejects an unknown option with status 2" test $? -eq 2

(cd "$tmp/cfgfail" && "$SRCDIR/configure" --images="$tmp/nonexistent" >"$out" 2>&1)
check "configure rejects a missing --images directory with status 1" test $? -eq 1
check "configure names the missing --images directory" hasall "$out" "nonexistent: no such directory"

cp -R "$SRCDIR/examples" "$tmp/examples"

# OpenPAI's paictl layout (examples/pai): its configuration directory read
# through paictl's object model, its registry, the pre-build step; it
# generates and renders offline (paisuite builds its images with podman)
: "${IMAGEGEN:=$(cd "$SRCDIR" && pwd)/gen/imagegen}"
mkdir "$tmp/pai"
(cd "$tmp/pai" && "$IMAGEGEN" generate --images=../examples/pai/pai-management/src \
	--config=../examples/pai/cluster-configuration --engine=podman \
	--imagegen="$IMAGEGEN" --templates="$SRCDIR/templates" >"$out" 2>&1)
check "imagegen generate on examples/pai succeeds offline" test $? -eq 0
check "with no warning: cleaning-image is ordered by its FROM line alone" test ! -s "$out"
check "its configuration directory is read with the openpai model" \
	grep -q -- "config -c ../examples/pai/cluster-configuration --config-model=openpai" "$tmp/pai/build.ninja"
check "the push names come from cluster.docker-registry-info" \
	grep -q "repo = localhost:5000/pai-example/hadoop-run" "$tmp/pai/build.ninja"
"$IMAGEGEN" list --images="$tmp/examples/pai/pai-management/src" >"$out" 2>&1
check "imagegen list puts base-image first and orders the rest on it" \
	test "$(tr '\n' '|' <"$out")" = "base-image|cleaning-image: base-image|drivers|hadoop-run: base-image|rest-server: base-image|zookeeper: base-image|"
(cd "$tmp/pai" && "$NINJA" ctx/hadoop-run/dockerfile ctx/rest-server/dockerfile ctx/zookeeper/zoo.cfg \
	ctx/drivers/dockerfile >"$out" 2>&1)
check "ninja renders the templates offline" test $? -eq 0
P=$tmp/examples/pai/pai-management/src
"$PYTHON" -B "$SRCDIR/tests/openpai/render.py" "$tmp/examples/pai/cluster-configuration" "$tmp/pai-expect" \
	"$P/hadoop-run/dockerfile.template" "$P/rest-server/dockerfile.template" \
	"$P/zookeeper/zoo.cfg.template" "$P/drivers/dockerfile.template" >"$out" 2>&1
for f in hadoop-run/dockerfile rest-server/dockerfile zookeeper/zoo.cfg drivers/dockerfile; do
	check "$f is what jinja2 renders with paictl's model" cmp -s "$tmp/pai/ctx/$f" "$tmp/pai-expect/$f"
done
check "hadoop-run's dockerfile carries the model's Hadoop version" \
	grep -q "HADOOP_VERSION=hadoop-2.7.2" "$tmp/pai/ctx/hadoop-run/dockerfile"
check "rest-server's dockerfile finds the master in the machine list" \
	grep -q "MASTER_IP=192.168.10.1" "$tmp/pai/ctx/rest-server/dockerfile"

# --- helpers for the build steps ------------------------------------------------

# the engine itself, not the shim that counts what the build runs
eng() {
	"$realeng" "$@"
}

# runbuild ARGS...: run the build tool of $backend in $build, output in $out
# (ninja with explanations; make through the GNUmakefile configure wrote)
runbuild() {
	: >"$englog"
	t0=$(now_ms)
	if [ "$backend" = ninja ]; then
		(cd "${bdir:-$build}" && "$NINJA" -d explain "$@") >"$out" 2>&1
	else
		(cd "${bdir:-$build}" && "$MAKE" "$@") >"$out" 2>&1
	fi
	rc=$?
	t1=$(now_ms)
	ms=$((t1 - t0))
	return $rc
}

# the images the engine built during the last runbuild, sorted, space-separated
built() {
	awk '$1 == "build" || $1 == "bud" { print $2 }' "$englog" | sort | tr '\n' ' ' | sed 's/ $//'
}

# invocations of the engine during the last runbuild
invocations() {
	wc -l <"$englog" | tr -d ' '
}

# expect_built CASE "IMAGES": exactly those images were built; the count
# goes to the table printed at the end
expect_built() {
	b=$(built)
	if [ "$b" = "$2" ]; then
		ok "$backend: $1: built [$b]"
	else
		nok "$backend: $1: built [$b], expected [$2]"
		sed 's/^/    /' "$out"
	fi
	printf '%s\t%s\t%s\t%s\n' "$1" "$(printf '%s' "$b" | wc -w | tr -d ' ')" "$(invocations)" "$ms" >>"$tmp/cases.$ename.${cases:-$backend}"
	figure "$ename $backend: $1: $(invocations) engine invocations, built [$b], $ms ms"
}

# the generated file was regenerated during the last runbuild
regenerated() {
	grep -q "REGENERATE $gen" "$out"
}

# imglacks IMAGE PATH: IMAGE holds no PATH
imglacks() {
	! imgfile "$1" "$2" "$tmp/got.$$"
}

# imgmode IMAGE PATH: the permission string of PATH in IMAGE (ls -l style)
imgmode() {
	c=$(eng create "$1" /none 2>/dev/null) || return 1
	eng cp "$c:$2" - 2>/dev/null | tar -tvf - 2>/dev/null | awk 'NR == 1 { print $1 }'
	eng rm -f "$c" >/dev/null 2>&1
}

layers() {
	eng image inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' "$1" 2>/dev/null
}

# onbase BASE IMAGE: the layers of BASE are a strict prefix of IMAGE's
onbase() {
	lb=$(layers "$1")
	li=$(layers "$2")
	[ -n "$lb" ] && [ "$li" != "$lb" ] && case $li in "$lb"*) true ;; *) false ;; esac
}

label() {
	eng image inspect --format "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null
}

# iidmatches IMAGE: img/IMAGE.iid holds the ID of the image tagged IMAGE
iidmatches() {
	f=$(cat "$build/img/$1.iid" 2>/dev/null) || return 1
	id=$(eng image inspect --format '{{.Id}}' "$1" 2>/dev/null) || return 1
	[ "${f#sha256:}" = "${id#sha256:}" ]
}

# pyrender TEMPLATE OUT: render TEMPLATE with the tree's config as Python jinja2 does
pyrender() {
	"$PYTHON" -c '
import sys, jinja2, yaml
with open(sys.argv[1]) as f:
    cfg = yaml.safe_load(f) or {}
ctx = dict(cfg)
ctx["clusterconfig"] = cfg
with open(sys.argv[2]) as f:
    src = f.read()
with open(sys.argv[3], "w") as f:
    f.write(jinja2.Template(src).render(**ctx))
' "$tree/config.yaml" "$1" "$2"
}

# lastrun IMAGE: "start end" in ms of IMAGE's last engine build: from
# .ninja_log, or for make from the step's stamp (made as the step starts)
# and the image ID file (written as it ends)
lastrun() {
	if [ "$backend" = ninja ]; then
		awk -F '\t' -v o="img/$1.iid" '$4 == o { s = $1; e = $2 } END { if (s != "") print s, e }' "$build/.ninja_log"
	else
		set -- "$build"/.imagegen/ran/img/"$1".iid.* "$build/img/$1.iid"
		[ $# -eq 2 ] && [ -f "$1" ] && echo "$(date -r "$1" +%s%3N) $(date -r "$2" +%s%3N)"
	fi
}

# touch a file so that its mtime is surely newer than the outputs'
edit() {
	sleep 1
	"$@"
}

# the images, as the engine sees them, hold what the tree says
contents() {
	for i in base middle tools web; do
		check "$backend: img/$i.iid holds the ID of image $i" iidmatches "$i"
	done
	I=$tree/images
	check "$backend: base holds its staged files" imghas base /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"
	check "$backend: base holds its nested files" imghas base /usr/share/base/README "$I/base/rootfs/usr/share/base/README"
	check "$backend: middle holds its own files" imghas middle /etc/app/defaults.conf "$I/middle/etc/app/defaults.conf"
	check "$backend: middle holds base's files" imghas middle /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"
	check "$backend: middle is built on base (layers)" onbase base middle
	check "$backend: web is built on middle (layers)" onbase middle web
	check "$backend: tools is built on base (layers)" onbase base tools
	check "$backend: web's label comes from the rendered Dockerfile" test "$(label web org.example.cluster)" = demo

	pyrender "$I/web/web.conf.template" "$tmp/web.conf.expect"
	pyrender "$I/web/dockerfile.template" "$tmp/dockerfile.expect"
	check "$backend: web holds web.conf rendered as jinja2 renders it" imghas web /etc/web/web.conf "$tmp/web.conf.expect"
	check "$backend: ctx/web/dockerfile is rendered as jinja2 renders it" cmp -s "$build/ctx/web/dockerfile" "$tmp/dockerfile.expect"
	check "$backend: web holds the files its rendered Dockerfile copies" imghas web /srv/status/index.html "$I/web/site/status/index.html"
	check "$backend: web holds middle's files" imghas web /etc/app/defaults.conf "$I/middle/etc/app/defaults.conf"
	check "$backend: web holds base's files" imghas web /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"

	check "$backend: tools holds a copy-list directory (src lands inside dst)" imghas tools /opt/scripts/check-health "$tree/shared/scripts/check-health"
	check "$backend: tools holds a copy-list file" imghas tools /etc/motd.txt "$tree/shared/motd.txt"
	check "$backend: copy-list keeps the executable mode" test "$(imgmode tools /opt/scripts/check-health)" = "-rwxr-xr-x"
	check "$backend: tools holds its own files" imghas tools /usr/local/bin/tool-info "$I/tools/bin/tool-info"
	check "$backend: .dockerignore '**/*.md' keeps bin/USAGE.md out of the image" imglacks tools /usr/local/bin/USAGE.md
	check "$backend: .dockerignore 'bin/drafts' keeps the directory out of the image" imglacks tools /usr/local/bin/drafts
	check "$backend: .dockerignore keeps bin/USAGE.md out of the staged context" test ! -e "$build/ctx/tools/bin/USAGE.md"
	check "$backend: the staged context holds no image.yaml" test ! -e "$build/ctx/web/image.yaml"
	check "$backend: the staged context holds no template source" test ! -e "$build/ctx/web/web.conf.template"
}

# nothing to do: ninja -n says so; make -n prints no command (right
# after a build whose steps all wrote their outputs; see docs/guide.md)
uptodate() {
	if [ "$backend" = ninja ]; then
		(cd "$build" && "$NINJA" -n) >"$out" 2>&1 && grep -q "no work to do" "$out"
	else
		(cd "$build" && "$MAKE" -n) >"$out" 2>&1 && ! grep -qv "^make.*: Nothing to be done" "$out"
	fi
}

# a run that ran no step: ninja's and make's own words
ranothing() {
	if [ "$backend" = ninja ]; then
		grep -q "no work to do" "$out"
	else
		grep -q "Nothing to be done for 'all'" "$out" && ! grep -qv "Nothing to be done" "$out"
	fi
}

# incremental: the example tree in $tree built in $build with $backend,
# then every incremental case, each counted in engine builds
incremental() {
	I=$tree/images

	runbuild
	check "$backend builds the default example" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/    /' "$out"
	expect_built "full build" "base middle tools web"
	figure "$ename $backend: full build wall time: $ms ms"
	check "$backend: nothing was written into the source tree" untouched "$SRCDIR"
	check "$backend: nothing was written into the image tree" untouched "$tree"
	contents

	check "$backend: right after the build, a dry run has nothing to do" uptodate
	runbuild
	check "$backend: a second run runs nothing" test "$(invocations)" -eq 0
	check "$backend: a second run says there is nothing to do" ranothing
	expect_built "no-op" ""

	edit touch "$I/tools/bin/tool-info"
	runbuild
	expect_built "touching a leaf's file without changing it" ""

	edit append "$I/tools/bin/tool-info" "echo version 2"
	runbuild
	expect_built "changing a leaf's file" "tools"
	check "$backend: the rebuilt leaf holds the new content" imghas tools /usr/local/bin/tool-info "$I/tools/bin/tool-info"
	check "$backend: the rebuilt leaf is still on base" onbase base tools

	edit append "$I/base/rootfs/etc/imagegen-release" "CHANGE=1"
	runbuild
	expect_built "changing the base" "base middle tools web"
	check "$backend: a dependent of the base holds the base's new file" imghas web /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"
	check "$backend: web is on the new middle" onbase middle web
	check "$backend: tools is on the new base" onbase base tools

	edit append "$I/base/rootfs/etc/imagegen-release" "CHANGE=2"
	runbuild base
	expect_built "building base alone" "base"
	runbuild
	expect_built "then everything: base's dependents" "middle tools web"

	edit sed -i 's/one block per site/one section per site/' "$I/web/web.conf.template"
	runbuild
	expect_built "a template edit that leaves the rendered file identical" ""
	check "$backend: the render step ran for that edit" grep -q 'RENDER ctx/web/web.conf' "$out"

	edit append "$tree/config.yaml" "unused:" "  key: 1"
	runbuild
	expect_built "a config edit no template reads" ""

	edit sed -i 's/workers: 4/workers: 8/' "$tree/config.yaml"
	runbuild
	expect_built "a config edit a template reads" "web"
	pyrender "$I/web/web.conf.template" "$tmp/web.conf.expect"
	check "$backend: web holds the re-rendered web.conf" imghas web /etc/web/web.conf "$tmp/web.conf.expect"
	check "$backend: the re-rendered web.conf says workers = 8" grep -q "workers = 8" "$tmp/web.conf.expect"

	edit append "$I/middle/etc/app/extra.conf" "extra = 1"
	runbuild
	expect_built "adding a file to an image directory" "middle web"
	check "$backend: adding a file regenerates $gen" regenerated
	check "$backend: the new file is an input of $gen" grep -q "images/middle/etc/app/extra.conf" "$build/$gen"
	check "$backend: the staged context follows the added file" cmp -s "$build/ctx/middle/etc/app/extra.conf" "$I/middle/etc/app/extra.conf"
	check "$backend: the image holds the added file" imghas middle /etc/app/extra.conf "$I/middle/etc/app/extra.conf"

	edit rm "$I/middle/etc/app/extra.conf"
	runbuild
	expect_built "deleting a file from an image directory" "middle web"
	check "$backend: deleting a file regenerates $gen" regenerated
	check "$backend: the deleted file is gone from $gen" hasnone "$build/$gen" "images/middle/etc/app/extra.conf"
	check "$backend: the staged context follows the deleted file" test ! -e "$build/ctx/middle/etc/app/extra.conf"
	check "$backend: the image no longer holds the deleted file" imglacks middle /etc/app/extra.conf

	edit append "$I/tools/image.yaml" "  - src: shared/motd.txt" "    dst: images/tools/opt"
	runbuild
	expect_built "adding a copy-list entry to image.yaml" "tools"
	check "$backend: editing image.yaml regenerates $gen" regenerated
	check "$backend: the staged context follows image.yaml" cmp -s "$build/ctx/tools/opt/motd.txt" "$tree/shared/motd.txt"
	check "$backend: the image holds the new copy-list file" imghas tools /opt/motd.txt "$tree/shared/motd.txt"

	edit append "$I/middle/image.yaml" "# a comment"
	runbuild
	expect_built "a comment added to image.yaml" ""
	check "$backend: a comment in image.yaml regenerates $gen" regenerated

	edit append "$I/web/image.yaml" "tags:" "  - v2"
	runbuild
	expect_built "a tag added to image.yaml (names are not inputs: no build)" ""
	check "$backend: the tag edge gave the new tag" grep -q "^web: tagged web:v2" "$out"
	check "$backend: the image has the new tag" eng image inspect web:v2 >/dev/null 2>&1
	check "$backend: the tag names the image just built" test "$(eng image inspect --format '{{.Id}}' web:v2 2>/dev/null)" = "$(eng image inspect --format '{{.Id}}' web 2>/dev/null)"

	edit append "$I/web/site/docs/index.html" "<p>edited</p>"
	append "$I/tools/bin/tool-info" "echo version 3"
	runbuild -j2
	expect_built "changing both leaves, -j2" "tools web"
	w=$(lastrun web)
	t=$(lastrun tools)
	check "$backend: -j2 builds the two leaves at the same time (web $w, tools $t ms)" overlap
	figure "$ename $backend -j2 on both leaves: web build [$w] ms, tools build [$t] ms, wall $ms ms"

	# a failing engine build; keeping going, the other leaf is still built
	iid_before=$(cat "$build/img/tools.iid" 2>/dev/null)
	web_before=$(cat "$build/img/web.iid" 2>/dev/null)
	cp "$I/tools/Dockerfile" "$tmp/Dockerfile.tools"
	edit append "$I/tools/Dockerfile" "COPY no-such-file /x"
	append "$I/web/site/docs/index.html" "<p>kept going</p>"
	if [ "$backend" = ninja ]; then runbuild -k 0; else runbuild -k; fi
	expect_built "a failing build and the other leaf, keeping going (-k)" "tools web"
	check "$backend: keeping going, the other leaf is built" test "$(cat "$build/img/web.iid" 2>/dev/null)" != "$web_before"
	check "$backend: the other leaf holds its change" imghas web /srv/docs/index.html "$I/web/site/docs/index.html"
	check "$backend: a failing engine build fails the run" test $rc -ne 0
	check "$backend: the failure names the image and shows the engine's output" \
		hasall "$out" "tools" "no-such-file"
	check "$backend: a failing build leaves the image ID file alone" test "$(cat "$build/img/tools.iid" 2>/dev/null)" = "$iid_before"
	check "$backend: the failure ends with the image's result line" grep -q "^tools: FAILED after [0-9.]* s, see log/tools.log" "$out"
	(cd "$build" && "$build/gen/imagegen" status) >"$tmp/status" 2>&1
	check "$backend: imagegen status says tools failed in the last run" grep -q "^tools  *FAILED .*see log/tools.log" "$tmp/status"
	edit cp "$tmp/Dockerfile.tools" "$I/tools/Dockerfile"
	runbuild
	check "$backend: after the fix the run succeeds" test $rc -eq 0
	expect_built "restoring the Dockerfile (the inputs of the last build: no build)" ""
	check "$backend: the restored image is up to date" grep -q "^tools: up to date (inputs unchanged)" "$out"
	check "$backend: the restored image ID is the one before the failure" test "$(cat "$build/img/tools.iid" 2>/dev/null)" = "$iid_before"

	runbuild
	check "$backend: at the end a run has nothing to do" ranothing
	expect_built "no-op at the end" ""
}

overlap() {
	# shellcheck disable=SC2086 # "start end" pairs
	set -- $w $t
	[ $# -eq 4 ] && [ "$1" -lt "$4" ] && [ "$3" -lt "$2" ]
}

# daily: names are not inputs of builds (registry, tag, namespace), configure
# again, status, list --json, graph --json and watch, in the ninja build
# directory of $ename
daily() {
backend=ninja
# not in the table of ninja's and make's cases (make runs the incremental ones)
cases=daily
# --- names are not inputs of builds ------------------------------------------------

imageid() {
	eng image inspect --format '{{.Id}}' "$1" 2>/dev/null
}

# tagged NAME IMAGE: the engine has NAME, and it is IMAGE
tagged() {
	a=$(imageid "$1") && [ -n "$a" ] && [ "$a" = "$(imageid "$2")" ]
}

# tags: how many engine tag commands the last runbuild ran
tags() {
	awk '$1 == "tag"' "$englog" | wc -l | tr -d ' '
}

(cd "$build" && "$build/gen/imagegen" reconfigure --registry=localhost:5000 --namespace=it --tag=v1) >"$out" 2>&1
check "imagegen reconfigure adds a registry in the build directory" test $? -eq 0
runbuild
expect_built "adding a registry, namespace and tag" ""
check "every image got its registry name" tagged localhost:5000/it/web:v1 web
figure "$ename: adding a registry: $(tags) tag commands, $ms ms"
(cd "$build" && "$build/gen/imagegen" reconfigure --tag=v2) >"$out" 2>&1
runbuild
expect_built "changing the tag (imagegen reconfigure --tag=v2)" ""
for i in base middle tools web; do
	check "changing the tag re-tags $i" tagged "localhost:5000/it/$i:v2" "$i"
done
figure "$ename: changing the tag: $(tags) tag commands, 0 builds, $ms ms"
(cd "$build" && "$build/gen/imagegen" reconfigure --namespace=other) >"$out" 2>&1
runbuild
expect_built "changing the namespace" ""
check "base has its new namespace" tagged localhost:5000/other/base:v2 base
# shellcheck disable=SC2086 # $engargs is a list of options
(cd "$build" && "$SRCDIR/configure" --images=../tree/images --config=../tree/config.yaml \
	--engine="$engine" $engargs --jobs=2 --registry=localhost:5000 --namespace=it --tag=v3) >"$out" 2>&1
check "configure again in the build directory succeeds" test $? -eq 0
check "configure again reuses gen/imagegen" grep -q "building gen/imagegen... up to date" "$out"
check "configure prints no compiler line without V=1" hasnone "$out" "^cc \|^  CC "
runbuild
expect_built "changing the tag by running configure again" ""
check "middle has the tag configure gave" tagged localhost:5000/it/middle:v3 middle

# --- status, list --json, watch: in the build directory, no options -------------

(cd "$build" && "$build/gen/imagegen" status) >"$out" 2>&1
check "imagegen status with no options: every image up to date (exit 0)" test $? -eq 0
check "imagegen status has a totals line" grep -q "^4 images: 4 up to date, 0 stale, 0 never built, 0 failed" "$out"
check "imagegen status lists the names of an image" grep -q "^web .*localhost:5000/it/web:v3" "$out"
edit append "$I/web/site/docs/index.html" "<p>status</p>"
(cd "$build" && "$build/gen/imagegen" status) >"$out" 2>&1
check "imagegen status exits 1 when an image is stale" test $? -eq 1
check "imagegen status names the file that changed" grep -q "^web  *stale .*site/docs/index.html changed" "$out"
runbuild
(cd "$build" && "$build/gen/imagegen" list --json) >"$tmp/list.json" 2>&1
check "imagegen list --json with no options is valid JSON" "$PYTHON" -m json.tool "$tmp/list.json" >/dev/null
check "list --json gives the full names, files and digest" "$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
im = {i["name"]: i for i in d["images"]}
w = im["web"]
assert [i["name"] for i in d["images"]][0] == "base"
assert w["prerequisites"] == ["middle"]
assert "localhost:5000/it/web:v3" in w["names"]
assert any(f["path"] == "web.conf" and f["kind"] == "rendered" for f in w["files"])
assert w["digest"] == open(sys.argv[2]).read().strip()
' "$tmp/list.json" "$build/img/web.digest"
(cd "$build" && "$build/gen/imagegen" graph --json) >"$tmp/graph.json" 2>&1
check "imagegen graph --json lists the edges" grep -q '"from": "middle", "to": "web"' "$tmp/graph.json"

# waituntil SECONDS FILE REGEX [N]: until FILE has N (default 1) lines matching REGEX
waituntil() {
	n=$(($1 * 5))
	while [ "$n" -gt 0 ]; do
		[ "$(grep -c -- "$3" "$2" 2>/dev/null)" -ge "${4:-1}" ] && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

failbefore=$fail
: >"$englog"
(cd "$build" && exec "$build/gen/imagegen" watch --debounce=200) >"$tmp/watch.out" 2>&1 &
watchpid=$!
check "imagegen watch starts with no options and runs ninja" waituntil 30 "$tmp/watch.out" "waiting for changes"
edit append "$I/tools/bin/tool-info" "echo watched"
check "imagegen watch rebuilds a leaf after an edit" waituntil 120 "$tmp/watch.out" "^tools: built in"
check "watch waits again after the build" waituntil 30 "$tmp/watch.out" "waiting for changes" 2
edit append "$I/tools/bin/new-tool" "echo new"
check "imagegen watch picks up a new file (regenerates, rebuilds)" waituntil 120 "$tmp/watch.out" "^tools: built in" 2
check "the regeneration ran under watch" grep -q "REGENERATE" "$tmp/watch.out"
waituntil 30 "$tmp/watch.out" "waiting for changes" 3
kill "$watchpid" 2>/dev/null
wait "$watchpid" 2>/dev/null
check "imagegen watch stops on TERM and says so" grep -q "^watch: stopped" "$tmp/watch.out"
check "imagegen watch built only tools" test "$(built)" = "tools tools"
check "the image built under watch holds the new file" imghas tools /usr/local/bin/new-tool "$I/tools/bin/new-tool"
[ "$fail" -eq "$failbefore" ] || sed 's/^/    watch: /' "$tmp/watch.out"
cases=

}

# suite: the default example with the engine of $ename ($engine, $engargs):
# configure, every incremental case with ninja, then daily
suite() {
tree=$tmp/$ename/tree
build=$tmp/$ename/build
englog=$tmp/$ename/engine.log
shim=$tmp/$ename/shim
I=$tree/images
mkdir -p "$build" "$shim"
cp -R "$SRCDIR/examples" "$tree"

# the engine the build edges find first in PATH: it logs the subcommand and
# the image (the context directory's name), then runs the real engine
engine_shim "$shim" "$engine" "$realeng" "$englog"
PATH=$shim:$origpath
export PATH

# out of tree, paths relative to the build directory, counted engine
touch "$tmp/stamp"
sleep 1
t0=$(now_ms)
# shellcheck disable=SC2086 # $engargs is a list of options
(cd "$build" && "$SRCDIR/configure" --images=../tree/images --config=../tree/config.yaml \
	--engine="$engine" $engargs --jobs=2 >"$out" 2>&1)
rc=$?
t1=$(now_ms)
check "configure (out of tree, relative paths) succeeds" test $rc -eq 0
if [ $rc -ne 0 ] || [ ! -f "$build/build.ninja" ]; then
	sed 's/^/    /' "$out"
	nok "configure wrote build.ninja; the remaining tests need it"
	return
fi
figure "$ename: configure (compiles imagegen, generates): $((t1 - t0)) ms"
check "configure prints the engine in its summary" grep -q "engine: *$engine" "$out"

backend=ninja
gen=build.ninja
incremental
daily
PATH=$origpath
}

# shellsuite: examples/shell, images with RUN steps on a busybox base made
# offline, in a second build directory of the same engine
shellsuite() {
sbuild=$tmp/$ename/shell-build
mkdir -p "$sbuild"
PATH=$shim:$origpath
# shellcheck disable=SC2086 # $engargs is a list of options
(cd "$sbuild" && "$build/gen/imagegen" generate --images=../tree/shell --engine="$engine" $engargs \
	--registry=localhost:5000 --namespace=sh --tag=v1 \
	--imagegen="$build/gen/imagegen" --templates="$SRCDIR/templates") >"$out" 2>&1
check "generate on examples/shell succeeds" test $? -eq 0
bdir=$sbuild
backend=ninja
cases=shell
runbuild
rc=$?
check "ninja builds the images with RUN steps" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/    /' "$out"
expect_built "RUN steps: full build" "busybox greeter motd"
S=$tree/shell
printf 'hello: built by imagegen\nhello: %s\n' "$(cat "$S/motd/motd.txt")" >"$tmp/banner.expect"
check "the RUN steps ran: motd holds the banner greeter and motd wrote" imghas motd /etc/greeter/banner "$tmp/banner.expect"
echo 1 >"$tmp/lines.expect"
check "a RUN step read a file of the context" imghas motd /etc/motd.lines "$tmp/lines.expect"
check "motd is built on greeter (layers)" onbase greeter motd
runbuild
expect_built "RUN steps: no-op" ""
edit append "$S/motd/motd.txt" "A second line."
runbuild
expect_built "RUN steps: a leaf edit" "motd"
echo 2 >"$tmp/lines.expect"
check "the rebuilt leaf ran its RUN step again" imghas motd /etc/motd.lines "$tmp/lines.expect"
(cd "$sbuild" && "$build/gen/imagegen" reconfigure --tag=v2) >"$out" 2>&1
runbuild
expect_built "RUN steps: a tag change" ""
check "motd has its new tag" tagged localhost:5000/sh/motd:v2 motd
edit append "$S/greeter/greet.sh" "# edited"
runbuild
expect_built "RUN steps: editing the middle image" "greeter motd"
bdir=
cases=
PATH=$origpath
}

# makesuite: the same incremental cases with configure --backend=make and
# make, and the engine builds of every case with each backend side by side
makesuite() {
PATH=$shim:$origpath

# a fresh copy of the tree, configured with --backend=make
backend="make"
gen=images.mk
tree=$tmp/$ename/tree-make
build=$tmp/$ename/build-make
cp -R "$SRCDIR/examples" "$tree"
mkdir "$build"
touch "$tmp/stamp"
sleep 1
(cd "$build" && "$SRCDIR/configure" --backend=make --images=../tree-make/images --config=../tree-make/config.yaml \
	--engine=podman --jobs=2 >"$out" 2>&1)
rc=$?
check "configure --backend=make succeeds" test $rc -eq 0
check "configure --backend=make writes GNUmakefile and images.mk, no build.ninja" \
	test -f "$build/GNUmakefile" -a -f "$build/images.mk" -a ! -e "$build/build.ninja"
if [ $rc -ne 0 ] || [ ! -f "$build/images.mk" ]; then
	cat "$out"
	nok "configure --backend=make wrote images.mk; the remaining tests need it"
	return
fi
(cd "$build" && "$MAKE" -f Makefile -q gen/imagegen) >/dev/null 2>&1
check "the build directory's Makefile still builds imagegen itself (make -f Makefile)" test $? -eq 0
(cd "$build" && "$MAKE" -n install) >"$out" 2>&1
check "make install in the build directory is imagegen's own" grep -q "cp -f gen/imagegen" "$out"
(cd "$build" && "$MAKE" -n clean) >"$out" 2>&1
check "make clean in the build directory is imagegen's own" grep -q "rm -f gen/imagegen" "$out"
incremental

# engine builds of every case, ninja's and make's side by side
printf '%-58s %11s %11s\n' "engine builds (and invocations) per case" ninja make
while IFS="$(printf '\t')" read -r c nb ni _; do
	m=$(awk -F '\t' -v c="$c" '$1 == c { print $2 " (" $3 ")"; exit }' "$tmp/cases.$ename.make")
	printf '%-58s %11s %11s\n' "$c" "$nb ($ni)" "${m:--}"
	[ "$nb ($ni)" = "$m" ] || nok "make and ninja differ on '$c': ninja $nb ($ni), make ${m:-none}"
done <"$tmp/cases.$ename.ninja"
printf '%-58s %11s %11s\n' "no-op wall time (ms)" \
	"$(awk -F '\t' '$1 == "no-op" { print $4 }' "$tmp/cases.$ename.ninja")" \
	"$(awk -F '\t' '$1 == "no-op" { print $4 }' "$tmp/cases.$ename.make")"

PATH=$origpath
}

# paisuite: examples/pai built with podman in its private store: every
# image whose base is in the tree builds offline (drivers, on ubuntu, needs
# the network), the pre-build step first
paisuite() {
ptree=$tmp/$ename/pai
pbuild=$tmp/$ename/pai-build
cp -R "$SRCDIR/examples/pai" "$ptree"
mkdir -p "$pbuild"
touch "$tmp/stamp"
sleep 1
(cd "$pbuild" && "$IMAGEGEN" generate --images=../pai/pai-management/src \
	--config=../pai/cluster-configuration --engine="$engine" \
	--imagegen="$IMAGEGEN" --templates="$SRCDIR/templates") >"$out" 2>&1
check "examples/pai: generate succeeds" test $? -eq 0
(cd "$pbuild" && "$NINJA" -k 0 base-image hadoop-run rest-server zookeeper cleaning-image) >"$out" 2>&1
rc=$?
check "examples/pai: the images whose bases are in the tree build offline" test $rc -eq 0
[ $rc -eq 0 ] || tail -20 "$out" | sed 's/^/    /'
check "examples/pai: the pre-build step ran before the images that stage its output" \
	before "$out" "PREBUILD hadoop-run" "STAGE ctx/rest-server"
check "examples/pai: hadoop-run holds the tarball the pre-build step made, unpacked" \
	sh -c "'$realeng' create --name pai-hadoop hadoop-run >/dev/null && '$realeng' cp pai-hadoop:/usr/local/hadoop-2.7.2/bin/hadoop '$tmp/pai-hadoop' && '$realeng' rm pai-hadoop >/dev/null && grep -q 'Hadoop 2.7.2' '$tmp/pai-hadoop'"
check "examples/pai: rest-server's environment holds the rendered values" \
	sh -c "'$realeng' image inspect --format '{{.Config.Env}}' rest-server | grep -q 'SERVER_PORT=9186'"
check "examples/pai: nothing was written into the sources" untouched "$ptree"
(cd "$pbuild" && "$NINJA" -k 0 base-image hadoop-run rest-server zookeeper cleaning-image) >"$out" 2>&1
check "examples/pai: a second ninja has nothing to do" grep -q "no work to do" "$out"
"$realeng" rmi -f base-image hadoop-run rest-server zookeeper cleaning-image >/dev/null 2>&1
}

for ename in $engines; do
	label=$ename
	echo "# --- $ename"
	engargs=
	case $ename in
	podman)
		engine=podman
		realeng=$(command -v podman) || {
			nok "podman: podman is installed (Debian package: podman)"
			continue
		}
		realpodman=$realeng
		podman_store "$tmp/storage" || {
			nok "podman: podman can use a private store"
			continue
		}
		echo "# podman storage driver: $driver"
		suite
		makesuite
		paisuite
		echo "# podman here cannot run RUN steps (no namespaces for it): examples/shell is built with docker"
		podman_clean ;;
	docker | docker-buildkit)
		engine=docker
		docker_client
		realeng=$realdocker
		if [ -z "$realeng" ] || ! command -v dockerd >/dev/null 2>&1; then
			nok "docker and dockerd are installed (Debian package: docker.io)"
			continue
		fi
		if [ "$(id -u)" -ne 0 ]; then
			nok "a private dockerd needs root (IMAGEGEN_TEST_ENGINES=podman runs without docker)"
			continue
		fi
		buildkit "$ename"
		engargs=$netarg
		dockerd_start "d-$ename" || {
			nok "a private dockerd starts"
			continue
		}
		suite
		shellsuite
		dockerd_stop
		unset DOCKER_BUILDKIT ;;
	*)
		nok "IMAGEGEN_TEST_ENGINES: unknown engine '$ename'; expected podman, docker or docker-buildkit" ;;
	esac
done

finish
