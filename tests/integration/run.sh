#!/bin/sh
# shellcheck disable=SC2317 # helpers are called through 'check'
# Integration tests: configure and ninja on a copy of the default example
# tree with a real podman and a private image store, then assertions made
# with the engine itself and with counts of engine invocations.
#
# Environment (set by 'make check-integration'): SRCDIR (the source tree),
# PYTHON (python3 with jinja2 and yaml), NINJA. Prints one line per
# assertion and 'integration: N passed, N failed'; exits 1 on a failure.

set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
NINJA=${NINJA:-ninja}
TMPDIR=${TMPDIR:-/tmp}

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

# ninja ARGS...: run ninja in the build directory with explanations, output in $out
runninja() {
	: >"$englog"
	t0=$(now)
	(cd "$build" && "$NINJA" -d explain "$@") >"$out" 2>&1
	rc=$?
	t1=$(now)
	ms=$((t1 - t0))
	return $rc
}

# the images the engine built during the last runninja, sorted, space-separated
built() {
	awk '$1 == "build" || $1 == "bud" { print $2 }' "$englog" | sort | tr '\n' ' ' | sed 's/ $//'
}

# invocations of the engine during the last runninja
invocations() {
	wc -l <"$englog" | tr -d ' '
}

# expect_built DESCRIPTION "IMAGES": exactly those images were built
expect_built() {
	b=$(built)
	if [ "$b" = "$2" ]; then
		ok "$1: built [$b]"
	else
		nok "$1: built [$b], expected [$2]"
		sed 's/^/    /' "$out"
	fi
	figure "$1: $(invocations) engine invocations, built [$b], $ms ms"
}

regenerated() {
	grep -q 'explain: .*build\.ninja' "$out"
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

# lastrun OUTPUT: "start end" of OUTPUT's newest entry in .ninja_log
lastrun() {
	awk -F '\t' -v o="$1" '$4 == o { s = $1; e = $2 } END { if (s != "") print s, e }' "$build/.ninja_log"
}

# touch a file so that its mtime is surely newer than the outputs'
edit() {
	sleep 1
	"$@"
}

# --- the first build ------------------------------------------------------------

runninja
rc=$?
check "ninja builds the default example" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/    /' "$out"
expect_built "full build" "base middle tools web"
figure "full build wall time: $ms ms (storage driver $driver)"
check "nothing was written into the source tree" untouched "$SRCDIR"
check "nothing was written into the image tree" untouched "$tree"
for i in base middle tools web; do
	check "img/$i.iid holds the ID of image $i" iidmatches "$i"
done

I=$tree/images
check "base holds its staged files" imghas base /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"
check "base holds its nested files" imghas base /usr/share/base/README "$I/base/rootfs/usr/share/base/README"
check "middle holds its own files" imghas middle /etc/app/defaults.conf "$I/middle/etc/app/defaults.conf"
check "middle holds base's files" imghas middle /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"
check "middle is built on base (layers)" onbase base middle
check "web is built on middle (layers)" onbase middle web
check "tools is built on base (layers)" onbase base tools
check "web's label comes from the rendered Dockerfile" test "$(label web org.example.cluster)" = demo

pyrender "$I/web/web.conf.template" "$tmp/web.conf.expect"
pyrender "$I/web/dockerfile.template" "$tmp/dockerfile.expect"
check "web holds web.conf rendered as jinja2 renders it" imghas web /etc/web/web.conf "$tmp/web.conf.expect"
check "ctx/web/dockerfile is rendered as jinja2 renders it" cmp -s "$build/ctx/web/dockerfile" "$tmp/dockerfile.expect"
check "web holds the files its rendered Dockerfile copies" imghas web /srv/status/index.html "$I/web/site/status/index.html"
check "web holds middle's files" imghas web /etc/app/defaults.conf "$I/middle/etc/app/defaults.conf"
check "web holds base's files" imghas web /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"

check "tools holds a copy-list directory (src lands inside dst)" imghas tools /opt/scripts/check-health "$tree/shared/scripts/check-health"
check "tools holds a copy-list file" imghas tools /etc/motd.txt "$tree/shared/motd.txt"
check "copy-list keeps the executable mode" test "$(imgmode tools /opt/scripts/check-health)" = "-rwxr-xr-x"
check "tools holds its own files" imghas tools /usr/local/bin/tool-info "$I/tools/bin/tool-info"
check ".dockerignore '**/*.md' keeps bin/USAGE.md out of the image" imglacks tools /usr/local/bin/USAGE.md
check ".dockerignore 'bin/drafts' keeps the directory out of the image" imglacks tools /usr/local/bin/drafts
check ".dockerignore keeps bin/USAGE.md out of the staged context" test ! -e "$build/ctx/tools/bin/USAGE.md"
check "the staged context holds no image.yaml" test ! -e "$build/ctx/web/image.yaml"
check "the staged context holds no template source" test ! -e "$build/ctx/web/web.conf.template"

# --- incremental behaviour --------------------------------------------------------

(cd "$build" && "$NINJA" -n) >"$out" 2>&1
check "a second ninja -n has no work to do" grep -q "no work to do" "$out"
runninja
check "a second ninja runs nothing" test "$(invocations)" -eq 0
figure "no-op ninja: $ms ms, $(invocations) engine invocations"
check "a second ninja prints no work to do" grep -q "no work to do" "$out"

edit touch "$I/tools/bin/tool-info"
runninja
expect_built "touching a leaf's file without changing it" ""

edit append "$I/tools/bin/tool-info" "echo version 2"
runninja
expect_built "changing a leaf's file" "tools"
check "the rebuilt leaf holds the new content" imghas tools /usr/local/bin/tool-info "$I/tools/bin/tool-info"
check "the rebuilt leaf is still on base" onbase base tools

edit append "$I/base/rootfs/etc/imagegen-release" "CHANGE=1"
runninja
expect_built "changing the base" "base middle tools web"
check "a dependent of the base holds the base's new file" imghas web /etc/imagegen-release "$I/base/rootfs/etc/imagegen-release"
check "web is on the new middle" onbase middle web
check "tools is on the new base" onbase base tools

edit append "$I/base/rootfs/etc/imagegen-release" "CHANGE=2"
runninja base
expect_built "ninja base builds only base" "base"
runninja
expect_built "then ninja builds base's dependents" "middle tools web"

edit sed -i 's/one block per site/one section per site/' "$I/web/web.conf.template"
runninja
expect_built "a template edit that leaves the rendered file identical" ""
check "the render step ran for that edit" grep -q 'explain: .*ctx/web/web.conf' "$out"

edit append "$tree/config.yaml" "unused:" "  key: 1"
runninja
expect_built "a config edit no template reads" ""

edit sed -i 's/workers: 4/workers: 8/' "$tree/config.yaml"
runninja
expect_built "a config edit a template reads" "web"
pyrender "$I/web/web.conf.template" "$tmp/web.conf.expect"
check "web holds the re-rendered web.conf" imghas web /etc/web/web.conf "$tmp/web.conf.expect"
check "the re-rendered web.conf says workers = 8" grep -q "workers = 8" "$tmp/web.conf.expect"

edit append "$I/middle/etc/app/extra.conf" "extra = 1"
runninja
expect_built "adding a file to an image directory" "middle web"
check "adding a file regenerates build.ninja" regenerated
check "the new file is in build.ninja" grep -q "ctx/middle/etc/app/extra.conf" "$build/build.ninja"
check "the staged context follows the added file" cmp -s "$build/ctx/middle/etc/app/extra.conf" "$I/middle/etc/app/extra.conf"
check "the image holds the added file" imghas middle /etc/app/extra.conf "$I/middle/etc/app/extra.conf"

edit rm "$I/middle/etc/app/extra.conf"
runninja
expect_built "deleting a file from an image directory" "middle web"
check "deleting a file regenerates build.ninja" regenerated
check "the deleted file is gone from build.ninja" hasnone "$build/build.ninja" "ctx/middle/etc/app/extra.conf"
check "the staged context follows the deleted file" test ! -e "$build/ctx/middle/etc/app/extra.conf"
check "the image no longer holds the deleted file" imglacks middle /etc/app/extra.conf

edit append "$I/tools/image.yaml" "  - src: shared/motd.txt" "    dst: images/tools/opt"
runninja
expect_built "adding a copy-list entry to image.yaml" "tools"
check "editing image.yaml regenerates build.ninja" regenerated
check "the staged context follows image.yaml" cmp -s "$build/ctx/tools/opt/motd.txt" "$tree/shared/motd.txt"
check "the image holds the new copy-list file" imghas tools /opt/motd.txt "$tree/shared/motd.txt"

edit append "$I/middle/image.yaml" "# a comment"
runninja
expect_built "a comment added to image.yaml" ""
check "a comment in image.yaml regenerates build.ninja" regenerated

edit append "$I/web/site/docs/index.html" "<p>edited</p>"
append "$I/tools/bin/tool-info" "echo version 3"
runninja -j2
expect_built "changing both leaves, ninja -j2" "tools web"
w=$(lastrun img/web.iid)
t=$(lastrun img/tools.iid)
overlap() {
	# shellcheck disable=SC2086 # "start end" pairs
	set -- $w $t
	[ $# -eq 4 ] && [ "$1" -lt "$4" ] && [ "$3" -lt "$2" ]
}
check "ninja -j2 builds the two leaves at the same time (web $w, tools $t ms)" overlap
figure "ninja -j2 on both leaves: web build [$w] ms, tools build [$t] ms, wall $ms ms"

# a failing engine build
iid_before=$(cat "$build/img/tools.iid" 2>/dev/null)
cp "$I/tools/Dockerfile" "$tmp/Dockerfile.tools"
edit append "$I/tools/Dockerfile" "COPY no-such-file /x"
runninja
check "a failing engine build fails ninja" test $rc -ne 0
check "the failure names the image and shows the engine's output" \
	hasall "$out" "tools" "no-such-file"
check "a failing build leaves the image ID file alone" test "$(cat "$build/img/tools.iid" 2>/dev/null)" = "$iid_before"
edit cp "$tmp/Dockerfile.tools" "$I/tools/Dockerfile"
runninja
check "after the fix ninja succeeds" test $rc -eq 0
expect_built "restoring the Dockerfile" "tools"
check "the restored build gives the same image ID (engine cache)" test "$(cat "$build/img/tools.iid" 2>/dev/null)" = "$iid_before"

(cd "$build" && "$NINJA" -n) >"$out" 2>&1
check "at the end ninja -n has no work to do" grep -q "no work to do" "$out"

finish
