#!/bin/sh
# The pai-build layout on a real OpenPAI checkout (v0.8.0 to v1.8.0), held
# against pai_build's own rules as tests/paibuild/reference.py restates
# them:
#
#   - configure succeeds (timed);
#   - imagegen list names exactly the images pai_build builds, each after
#     every image of the services its service depends on;
#   - ninja -n plans the whole build (one BUILD per image);
#   - the staged context of every image whose service has no hook equals
#     what docker sends from the context pai_build would give it (its
#     service directory with dependency/<dep> copies), file by file: type,
#     permissions, content. docker itself says what it sends: a private
#     dockerd builds "FROM scratch / COPY . /ctx/" with the Dockerfile's
#     path standing in for the image's own, so .dockerignore and the
#     Dockerfile's name act as they do for pai_build's docker build;
#   - with --noop: a first build with a stand-in engine (it writes an image
#     ID and builds nothing, as make bench-noop's does; the hooks run for
#     real), then the time of a no-op ninja;
#   - the checkout is left as it was (the script works on a copy anyway).
#
#   real.sh [--noop] CHECKOUT TYPE     TYPE: none (before 1.0) or k8s (1.x)
#
# Environment: SRCDIR, NINJA, PYTHON, RUNS (timed runs, default 10),
# DOCKERD and DOCKER (default /usr/sbin/dockerd, /usr/bin/docker; without
# them the contexts are compared with the reference copies as files).
# Prints "ok"/"FAIL" lines, figures, and "real: N passed, N failed".
# Used by 'make check-paibuild-real PAIBUILD="DIR:TYPE ..."'.

set -u
unset MAKEFLAGS MFLAGS MAKELEVEL
noop=false
[ "${1:-}" = --noop ] && noop=true && shift
[ $# -eq 2 ] || {
	echo "usage: real.sh [--noop] CHECKOUT none|k8s" >&2
	exit 2
}
checkout=$(cd "$1" && pwd) || exit 2
type=$2
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
NINJA=${NINJA:-ninja}
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-10}
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
DOCKER=${DOCKER:-/usr/bin/docker}
ref=$(cd "$(dirname "$0")" && pwd)/reference.py
tag=$(basename "$checkout")

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=real
label=$tag
# a figure is printed at once, with the checkout's name
figure() {
	printf 'figure %s: %s\n' "$tag" "$1"
}
tmpdir real

# ms COMMAND...: run it, print its wall time in milliseconds
ms() {
	"$PYTHON" -c 'import subprocess, sys, time
t = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%d" % ((time.monotonic() - t) * 1000))
sys.exit(rc)' "$@"
}

# hyperfined JSON: the mean, median and least time of hyperfine's --export-json
hyperfined() {
	"$PYTHON" -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; print("mean %.1f ms, median %.1f ms, min %.1f ms" % (r["mean"] * 1000, r["median"] * 1000, r["min"] * 1000))' "$1"
}

# every entry under a directory: path, type, permissions, content digest or link target
listing() {
	"$PYTHON" - "$@" <<'PY'
import hashlib, os, stat, sys
top, skip = sys.argv[1], set(sys.argv[2:])
for d, dirs, files in os.walk(top):
    for n in sorted(dirs + files):
        p = os.path.join(d, n)
        rel = os.path.relpath(p, top)
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            what = "l -> " + os.readlink(p)
        elif stat.S_ISDIR(st.st_mode):
            what = "d %04o" % (st.st_mode & 0o7777)
        elif rel in skip:
            what = "f %04o (the Dockerfile)" % (st.st_mode & 0o7777)
        else:
            with open(p, "rb") as f:
                what = "f %04o %s" % (st.st_mode & 0o7777, hashlib.sha256(f.read()).hexdigest())
        print("%s\t%s" % (rel, what))
PY
}

# what docker sends from context DIR with the Dockerfile at DIR/DF: the
# entries COPY . sees, as listing prints them (into $2 of the caller)
sent() {
	dir=$1
	df=$2
	printf 'FROM scratch\nCOPY . /ctx/\n' >"$dir/$df"
	iid=$(DOCKER_BUILDKIT=0 "$DOCKER" build -q -f "$dir/$df" "$dir" 2>"$tmp/docker.err") || {
		cat "$tmp/docker.err" >&2
		return 1
	}
	cid=$("$DOCKER" create "$iid" /none) || return 1
	rm -rf "$tmp/sent"
	mkdir -p "$tmp/sent"
	"$DOCKER" export "$cid" | tar -x -C "$tmp/sent" ctx 2>/dev/null
	"$DOCKER" rm "$cid" >/dev/null
	"$DOCKER" rmi "$iid" >/dev/null
	listing "$tmp/sent/ctx" "$df"
}

# --- a copy of the checkout, and what it holds -------------------------------------------

cp -a "$checkout" "$tmp/project" || exit 1
sources() {
	tree_state "$tmp/project"
}
sources >"$tmp/sources.before"

"$PYTHON" "$ref" "$tmp/project" "$type" list >"$tmp/ref.list" 2>"$tmp/ref.err" || {
	nok "pai_build's rules read the tree: $(cat "$tmp/ref.err")"
	finish
}
nref=$(wc -l <"$tmp/ref.list" | tr -d ' ')
nsvc=$(cut -f2 "$tmp/ref.list" | sort -u | wc -l | tr -d ' ')

# --- configure ----------------------------------------------------------------------------

build=$tmp/build
mkdir -p "$build"
t=$(cd "$build" && ms "$SRCDIR/configure" --images=../project/src --pai-type="$type" --engine=podman --jobs=2)
rc=$?
check "configure --images=SRC --pai-type=$type succeeds" test $rc -eq 0
[ $rc -eq 0 ] || {
	(cd "$build" && "$SRCDIR/configure" --images=../project/src --pai-type="$type" --engine=podman --jobs=2) 2>&1 | tail -20
	finish
}
figure "configure (compiles imagegen, then generates): $t ms"
imagegen=$build/gen/imagegen
ig() {
	(cd "$build" && "$imagegen" "$@")
}
t=$(cd "$build" && ms "$imagegen" generate)
figure "imagegen generate alone (what a regeneration costs): $t ms"
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N -w 2 -r "$RUNS" --export-json "$tmp/gen.json" "$imagegen generate" >/dev/null 2>&1 &&
		figure "imagegen generate, hyperfine $RUNS runs: $(hyperfined "$tmp/gen.json")"
fi 2>/dev/null
cd "$build" || exit 1

# --- the images and their order -------------------------------------------------------------

ig list >"$tmp/ig.list" 2>"$tmp/ig.err"
check "imagegen list succeeds" test $? -eq 0
cut -d: -f1 "$tmp/ig.list" | sort >"$tmp/ig.names"
cut -f1 "$tmp/ref.list" | sort >"$tmp/ref.names"
nig=$(wc -l <"$tmp/ig.names" | tr -d ' ')
figure "images: imagegen list $nig, pai_build's rules $nref (in $nsvc services)"
if cmp -s "$tmp/ig.names" "$tmp/ref.names"; then
	ok "imagegen list names exactly the $nref images pai_build builds"
else
	nok "imagegen list names the images pai_build builds"
	diff "$tmp/ref.names" "$tmp/ig.names" | sed 's/^/    /'
fi
"$PYTHON" - "$tmp/ref.list" "$tmp/ig.list" >"$tmp/order" <<'PY'
import sys
ref = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
svc = {r[0]: r[1] for r in ref}
deps = {r[1]: [d for d in r[3].split(",") if d] for r in ref}
images = {}
for r in ref:
    images.setdefault(r[1], []).append(r[0])
pos = {l.split(":")[0]: i for i, l in enumerate(open(sys.argv[2]))}
bad = 0
for img, s in svc.items():
    for d in deps[s]:
        for before in images.get(d, []):
            if img in pos and before in pos and pos[before] >= pos[img]:
                print("    %s (service %s) is listed before %s of %s, a service it depends on" % (img, s, before, d))
                bad += 1
sys.exit(1 if bad else 0)
PY
rc=$?
check "each image is listed after every image of the services its service depends on" test $rc -eq 0
[ $rc -eq 0 ] || cat "$tmp/order"
ndeps=$(awk -F'\t' '$4 != ""' "$tmp/ref.list" | wc -l | tr -d ' ')
figure "images whose service depends on another: $ndeps"
ig list --all 2>/dev/null | grep '^# left out' >"$tmp/skipped"
figure "left out (list --all): $(wc -l <"$tmp/skipped" | tr -d ' ')"

# --- ninja -n --------------------------------------------------------------------------------

"$NINJA" -n >"$tmp/plan" 2>&1
rc=$?
check "ninja -n succeeds" test $rc -eq 0
nplan=$(grep -c ' BUILD ' "$tmp/plan")
nhook=$(grep -c ' HOOK ' "$tmp/plan")
check "ninja -n plans the whole build: $nplan BUILD steps for $nref images" test "$nplan" -eq "$nref"
figure "ninja -n: $(grep -c '^\[' "$tmp/plan") steps, $nplan builds, $nhook hook runs"

# --- the staged contexts -------------------------------------------------------------------------

"$PYTHON" "$ref" "$tmp/project" "$type" context "$tmp/refctx" >"$tmp/nohook" 2>"$tmp/ref.err" || {
	nok "reference contexts: $(cat "$tmp/ref.err")"
	finish
}
usedocker=false
realdocker=$DOCKER
if [ -x "$DOCKERD" ] && [ -x "$DOCKER" ] && dockerd_start dockerd >/dev/null; then
	usedocker=true
fi
$usedocker || nok "a private dockerd answers (docker.io): the contexts are compared as files only"
same=0
differ=0
while IFS="$(printf '\t')" read -r img df; do
	lastimg=$img
	lastdf=$df
	"$NINJA" "ctx/$img.staged" >"$tmp/stage.log" 2>&1 || {
		nok "ninja ctx/$img.staged"
		sed 's/^/    /' "$tmp/stage.log" | tail -5
		differ=$((differ + 1))
		continue
	}
	listing "$build/ctx/$img" >"$tmp/ig.ctx"
	if $usedocker; then
		# what docker sends from pai_build's context, and from imagegen's
		sent "$tmp/refctx/$img" "$df" >"$tmp/ref.sent" || {
			nok "docker build of the reference context of $img"
			differ=$((differ + 1))
			continue
		}
		rm -rf "$tmp/igcopy"
		cp -a "$build/ctx/$img" "$tmp/igcopy"
		sent "$tmp/igcopy" "$df" >"$tmp/ig.sent" || {
			nok "docker build of imagegen's context of $img"
			differ=$((differ + 1))
			continue
		}
		# the Dockerfile is compared by content in the staged context
		awk -F'\t' -v df="$df" '$1 == df { sub(/ [0-9a-f]+$/, " (the Dockerfile)", $2) } { print $1 "\t" $2 }' \
			"$tmp/ig.ctx" >"$tmp/ig.ctx2"
		if cmp -s "$tmp/ig.ctx2" "$tmp/ref.sent" && cmp -s "$tmp/ig.sent" "$tmp/ref.sent"; then
			same=$((same + 1))
		else
			differ=$((differ + 1))
			nok "$img: the staged context differs from what docker sends from pai_build's"
			diff "$tmp/ref.sent" "$tmp/ig.ctx2" | head -10 | sed 's/^/    staged: /'
			diff "$tmp/ref.sent" "$tmp/ig.sent" | head -10 | sed 's/^/    sent: /'
		fi
	else
		listing "$tmp/refctx/$img" >"$tmp/ref.ctx"
		if cmp -s "$tmp/ig.ctx" "$tmp/ref.ctx"; then same=$((same + 1)); else
			differ=$((differ + 1))
			nok "$img: the staged context differs from the reference copy"
			diff "$tmp/ref.ctx" "$tmp/ig.ctx" | head -10 | sed 's/^/    /'
		fi
	fi
	ndep=0
	[ ! -d "$build/ctx/$img/dependency" ] || ndep=$(find "$build/ctx/$img/dependency" -mindepth 1 -maxdepth 1 | wc -l | tr -d ' ')
	printf '    %s: %s entries staged, %s dependency copies\n' "$img" "$(wc -l <"$tmp/ig.ctx" | tr -d ' ')" "$ndep"
done <"$tmp/nohook"
# the comparison can fail: one file more in a copy of the last context is seen
if [ -n "${lastimg:-}" ] && [ -d "$build/ctx/$lastimg" ]; then
	rm -rf "$tmp/igcopy"
	cp -a "$build/ctx/$lastimg" "$tmp/igcopy"
	echo extra >"$tmp/igcopy/imagegen-extra-file"
	if $usedocker; then
		sent "$tmp/igcopy" "$lastdf" >"$tmp/extra"
		cmp -s "$tmp/extra" "$tmp/ref.sent"
	else
		listing "$tmp/igcopy" >"$tmp/extra"
		cmp -s "$tmp/extra" "$tmp/ref.ctx"
	fi
	rc=$?
	check "the comparison tells a context with one file more apart" test $rc -eq 1 -a -s "$tmp/extra"
fi
nnohook=$(wc -l <"$tmp/nohook" | tr -d ' ')
check "the staged context of each of the $nnohook images whose service has no hook is what docker sends from pai_build's" \
	test "$differ" -eq 0
figure "staged contexts (services without hooks): $same of $nnohook equal to what docker sends from pai_build's context$($usedocker || echo ' (files only)')"

# --- a no-op ninja ------------------------------------------------------------------------------

if $noop; then
	stub_engine "$tmp/stub"
	t=$(PATH=$tmp/stub:$PATH ms "$NINJA" -k 0)
	rc=$?
	check "a first ninja with the stand-in engine (hooks for real) succeeds" test $rc -eq 0
	[ $rc -eq 0 ] || PATH=$tmp/stub:$PATH "$NINJA" -k 0 2>&1 | tail -20
	figure "first ninja, stand-in engine, hooks run: $t ms"
	PATH=$tmp/stub:$PATH "$NINJA" >"$tmp/noop" 2>&1
	check "a second ninja has no work to do" grep -q "no work to do" "$tmp/noop"
	if command -v hyperfine >/dev/null 2>&1; then
		PATH=$tmp/stub:$PATH hyperfine -N -w 2 -r "$RUNS" --export-json "$tmp/noop.json" "$NINJA" >/dev/null 2>&1 &&
			figure "no-op ninja, hyperfine $RUNS runs: $(hyperfined "$tmp/noop.json")"
	else
		figure "no-op ninja: $(PATH=$tmp/stub:$PATH ms "$NINJA") ms"
	fi
fi

cd /
sources >"$tmp/sources.after"
check "the checkout (a copy) is as it was" cmp -s "$tmp/sources.before" "$tmp/sources.after"
finish
