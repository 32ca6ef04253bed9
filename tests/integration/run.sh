#!/bin/sh
# shellcheck disable=SC2317 # helpers are called through 'check'
# Integration tests: configure and ninja on a copy of the default example
# tree with a real podman and a private image store, then assertions made
# with the engine itself and with counts of engine invocations; then the
# same with configure --backend=make and make on a second copy, and a
# table of the engine builds of every case with each backend.
#
# Environment (set by 'make check-integration'): SRCDIR (the source tree),
# PYTHON (python3 with jinja2 and yaml), NINJA, MAKE. Prints one line per
# assertion and 'integration: N passed, N failed'; exits 1 on a failure.

set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
NINJA=${NINJA:-ninja}
MAKE=${MAKE:-make}
TMPDIR=${TMPDIR:-/tmp}
# the make runs of the tests start afresh, whatever make runs the tests
unset MAKEFLAGS MFLAGS MAKELEVEL

pass=0
fail=0
figures=

ok() {
	pass=$((pass + 1))
	printf 'ok   %s\n' "$1"
}

nok() {
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$1"
}

# check DESCRIPTION COMMAND...: one assertion
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}

figure() {
	figures="$figures
  $1"
}

finish() {
	[ -n "$figures" ] && printf 'figures:%s\n' "$figures"
	printf 'integration: %d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" -eq 0 ]
	exit
}

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

# before FILE A B: the first line matching regex A comes before the first matching B
before() {
	a=$(grep -n -m1 -- "$2" "$1" | cut -d: -f1)
	b=$(grep -n -m1 -- "$3" "$1" | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
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

# milliseconds since the epoch (GNU date)
now() {
	t=$(date +%s%N)
	echo $((t / 1000000))
}

realpodman=$(command -v podman) || {
	nok "podman is installed (Debian package: podman)"
	finish
}
command -v "$NINJA" >/dev/null 2>&1 || {
	nok "ninja is installed (Debian package: ninja-build)"
	finish
}

tmp=$(mktemp -d "$TMPDIR/imagegen-it.XXXXXX") || exit 1
tree=$tmp/tree
build=$tmp/build
shim=$tmp/shim
englog=$tmp/engine.log
out=$tmp/out

cleanup() {
	"$realpodman" rm -a -f >/dev/null 2>&1
	"$realpodman" rmi -a -f >/dev/null 2>&1
	# whatever the store still has mounted under it
	awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a private image store, so the user's images are never touched: overlay
# where the kernel lets podman use it here (faster), else vfs;
# IMAGEGEN_TEST_STORAGE_DRIVER chooses
mkdir -p "$tmp/storage/tmp" "$shim" "$build"
cat >"$tmp/containers.conf" <<EOF
[engine]
tmp_dir = "$tmp/storage/tmp"
EOF
CONTAINERS_STORAGE_CONF=$tmp/storage.conf
CONTAINERS_CONF=$tmp/containers.conf
BUILDAH_ISOLATION=chroot
export CONTAINERS_STORAGE_CONF CONTAINERS_CONF BUILDAH_ISOLATION

# storage DRIVER: a fresh private store with that driver
storage() {
	rm -rf "$tmp/storage/graph" "$tmp/storage/run"
	mkdir -p "$tmp/storage/graph" "$tmp/storage/run"
	cat >"$tmp/storage.conf" <<EOF
[storage]
driver = "$1"
graphroot = "$tmp/storage/graph"
runroot = "$tmp/storage/run"
EOF
	[ "$("$realpodman" info --format '{{.Store.GraphDriverName}}' 2>/dev/null)" = "$1" ]
}

driver=${IMAGEGEN_TEST_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
	driver=overlay
	storage overlay || driver=vfs
fi
storage "$driver" || {
	nok "podman can use the storage driver $driver"
	finish
}
echo "# podman storage driver: $driver"


# the engine the build edges find first in PATH: it logs the subcommand and
# the image (the context directory's name), then runs the real podman
cat >"$shim/podman" <<EOF
#!/bin/sh
last=
for a; do last=\$a; done
last=\${last%/}
printf '%s %s\n' "\$1" "\${last##*/}" >>'$englog'
exec '$realpodman' "\$@"
EOF
chmod 755 "$shim/podman"
PATH=$shim:$PATH
export PATH

podman() {
	"$realpodman" "$@"
}

cp -R "$SRCDIR/examples" "$tree"

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

# out of tree, paths relative to the build directory, counted engine
touch "$tmp/stamp"
sleep 1
t0=$(now)
(cd "$build" && "$SRCDIR/configure" --images=../tree/images --config=../tree/config.yaml \
	--engine=podman --jobs=2 >"$out" 2>&1)
rc=$?
t1=$(now)
check "configure (out of tree, relative paths) succeeds" test $rc -eq 0
if [ $rc -ne 0 ] || [ ! -f "$build/build.ninja" ]; then
	cat "$out"
	nok "configure wrote build.ninja; the remaining tests need it"
	finish
fi
figure "configure (compiles imagegen, generates): $((t1 - t0)) ms"
check "configure prints the engine in its summary" grep -q "engine: *podman" "$out"

# the PAI-style example needs the network to build, not to generate or render
mkdir "$tmp/pai"
(cd "$tmp/pai" && "$build/gen/imagegen" generate --images=../tree/pai/src \
	--config=../tree/pai/cluster-configuration.yaml --engine=podman \
	--imagegen="$build/gen/imagegen" --templates="$SRCDIR/templates" >"$out" 2>&1)
check "imagegen generate on examples/pai succeeds offline" test $? -eq 0
"$build/gen/imagegen" list --images="$tree/pai/src" >"$out" 2>&1
check "imagegen list puts hadoop-run before hbase" \
	test "$(tr '\n' '|' <"$out")" = "hadoop-run|hbase: hadoop-run|"
(cd "$tmp/pai" && "$NINJA" ctx/hadoop-run/dockerfile ctx/hbase/hbase-site.xml >"$out" 2>&1)
check "ninja renders the PAI templates offline" test $? -eq 0
"$PYTHON" -c '
import sys, jinja2, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
ctx = dict(cfg, clusterconfig=cfg)
for t, o in ((sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])):
    open(o, "w").write(jinja2.Template(open(t).read()).render(**ctx))
' "$tree/pai/cluster-configuration.yaml" "$tree/pai/src/hadoop-run/dockerfile.template" \
	"$tmp/hadoop-run.expect" "$tree/pai/src/hbase/hbase-site.xml.template" "$tmp/hbase-site.expect"
check "hadoop-run's dockerfile is rendered as jinja2 renders it" \
	cmp -s "$tmp/pai/ctx/hadoop-run/dockerfile" "$tmp/hadoop-run.expect"
check "hbase-site.xml is rendered as jinja2 renders it" \
	cmp -s "$tmp/pai/ctx/hbase/hbase-site.xml" "$tmp/hbase-site.expect"
check "hadoop-run's dockerfile carries the configured Hadoop version" \
	grep -q "HADOOP_VERSION=2.9.2" "$tmp/pai/ctx/hadoop-run/dockerfile"
(cd "$tmp/pai" && "$NINJA" ctx/hadoop-run.staged >"$out" 2>&1)
check "the copy-list scripts of hadoop-run are staged" \
	cmp -s "$tmp/pai/ctx/hadoop-run/build/hadoop-scripts/start-service.sh" "$tree/pai/shared/hadoop-scripts/start-service.sh"
(cd "$tmp/pai" && "$NINJA" -t commands hbase >"$out" 2>&1)
check "ninja hbase would build hadoop-run first" \
	before "$out" "build .*--name=hadoop-run" "build .*--name=hbase"

# --- helpers for the build steps ------------------------------------------------

# runbuild ARGS...: run the build tool of $backend in $build, output in $out
# (ninja with explanations; make through the GNUmakefile configure wrote)
runbuild() {
	: >"$englog"
	t0=$(now)
	if [ "$backend" = ninja ]; then
		(cd "$build" && "$NINJA" -d explain "$@") >"$out" 2>&1
	else
		(cd "$build" && "$MAKE" "$@") >"$out" 2>&1
	fi
	rc=$?
	t1=$(now)
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
	printf '%s\t%s\t%s\t%s\n' "$1" "$(printf '%s' "$b" | wc -w | tr -d ' ')" "$(invocations)" "$ms" >>"$tmp/cases.$backend"
}

# the generated file was regenerated during the last runbuild
regenerated() {
	grep -q "REGENERATE $gen" "$out"
}

# imgfile IMAGE PATH DEST: copy PATH out of IMAGE to DEST
imgfile() {
	c=$(podman create "$1" /none 2>/dev/null) || return 1
	podman cp "$c:$2" "$3" >/dev/null 2>&1
	r=$?
	podman rm -f "$c" >/dev/null 2>&1
	return "$r"
}

# imghas IMAGE PATH FILE: PATH in IMAGE has the content of FILE
imghas() {
	rm -f "$tmp/got"
	imgfile "$1" "$2" "$tmp/got" && cmp -s "$tmp/got" "$3"
}

# imglacks IMAGE PATH: IMAGE holds no PATH
imglacks() {
	! imgfile "$1" "$2" "$tmp/got.$$"
}

# imgmode IMAGE PATH: the permission string of PATH in IMAGE (ls -l style)
imgmode() {
	c=$(podman create "$1" /none 2>/dev/null) || return 1
	podman cp "$c:$2" - 2>/dev/null | tar -tvf - 2>/dev/null | awk 'NR == 1 { print $1 }'
	podman rm -f "$c" >/dev/null 2>&1
}

layers() {
	podman image inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' "$1" 2>/dev/null
}

# onbase BASE IMAGE: the layers of BASE are a strict prefix of IMAGE's
onbase() {
	lb=$(layers "$1")
	li=$(layers "$2")
	[ -n "$lb" ] && [ "$li" != "$lb" ] && case $li in "$lb"*) true ;; *) false ;; esac
}

label() {
	podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null
}

# iidmatches IMAGE: img/IMAGE.iid holds the ID of the image tagged IMAGE
iidmatches() {
	f=$(cat "$build/img/$1.iid" 2>/dev/null) || return 1
	id=$(podman image inspect --format '{{.Id}}' "$1" 2>/dev/null) || return 1
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
	figure "$backend: full build wall time: $ms ms (storage driver $driver)"
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
	check "$backend: the new file is in $gen" grep -q "ctx/middle/etc/app/extra.conf" "$build/$gen"
	check "$backend: the staged context follows the added file" cmp -s "$build/ctx/middle/etc/app/extra.conf" "$I/middle/etc/app/extra.conf"
	check "$backend: the image holds the added file" imghas middle /etc/app/extra.conf "$I/middle/etc/app/extra.conf"

	edit rm "$I/middle/etc/app/extra.conf"
	runbuild
	expect_built "deleting a file from an image directory" "middle web"
	check "$backend: deleting a file regenerates $gen" regenerated
	check "$backend: the deleted file is gone from $gen" hasnone "$build/$gen" "ctx/middle/etc/app/extra.conf"
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
	expect_built "a tag added to image.yaml" "web"
	check "$backend: the image has the new tag" podman image exists web:v2
	check "$backend: the tag names the image just built" test "$(podman image inspect --format '{{.Id}}' web:v2 2>/dev/null)" = "$(podman image inspect --format '{{.Id}}' web 2>/dev/null)"

	edit append "$I/web/site/docs/index.html" "<p>edited</p>"
	append "$I/tools/bin/tool-info" "echo version 3"
	runbuild -j2
	expect_built "changing both leaves, -j2" "tools web"
	w=$(lastrun web)
	t=$(lastrun tools)
	check "$backend: -j2 builds the two leaves at the same time (web $w, tools $t ms)" overlap
	figure "$backend -j2 on both leaves: web build [$w] ms, tools build [$t] ms, wall $ms ms"

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
	edit cp "$tmp/Dockerfile.tools" "$I/tools/Dockerfile"
	runbuild
	check "$backend: after the fix the run succeeds" test $rc -eq 0
	expect_built "restoring the Dockerfile" "tools"
	check "$backend: the restored build gives the same image ID (engine cache)" test "$(cat "$build/img/tools.iid" 2>/dev/null)" = "$iid_before"

	runbuild
	check "$backend: at the end a run has nothing to do" ranothing
	expect_built "no-op at the end" ""
}

overlap() {
	# shellcheck disable=SC2086 # "start end" pairs
	set -- $w $t
	[ $# -eq 4 ] && [ "$1" -lt "$4" ] && [ "$3" -lt "$2" ]
}

# --- ninja ------------------------------------------------------------------------

backend=ninja
gen=build.ninja
incremental

# --- make ---------------------------------------------------------------------------

# a fresh copy of the tree, configured with --backend=make
backend="make"
gen=images.mk
tree=$tmp/tree-make
build=$tmp/build-make
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
	finish
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
	m=$(awk -F '\t' -v c="$c" '$1 == c { print $2 " (" $3 ")"; exit }' "$tmp/cases.make")
	printf '%-58s %11s %11s\n' "$c" "$nb ($ni)" "${m:--}"
	[ "$nb ($ni)" = "$m" ] || nok "make and ninja differ on '$c': ninja $nb ($ni), make ${m:-none}"
done <"$tmp/cases.ninja"
printf '%-58s %11s %11s\n' "no-op wall time (ms)" \
	"$(awk -F '\t' '$1 == "no-op" { print $4 }' "$tmp/cases.ninja")" \
	"$(awk -F '\t' '$1 == "no-op" { print $4 }' "$tmp/cases.make")"

finish
