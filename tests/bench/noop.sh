#!/bin/sh
# make bench-noop: what a run that has nothing to do costs with ninja and
# with make, side by side, on the default example (built with a real
# podman in a private store) and on a synthetic tree of 1,000 images
# (built once with a stand-in engine that writes an image ID and builds
# nothing: the build tool's own work is what is timed).
#
# Figures are milliseconds: the wall time, and in parentheses the CPU time
# (user and system, of the build tool and what it runs), which depends
# less on what else the machine does. A no-op figure is the median of
# RUNS runs (default 15). Nothing is asserted.
#
# Environment: IMAGEGEN (the binary), SRCDIR (the source tree), NINJA, MAKE,
# PYTHON, RUNS, IMAGES (the synthetic tree's size, default 1000).

set -u
: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}
MAKE=${MAKE:-make}
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-15}
IMAGES=${IMAGES:-1000}
unset MAKEFLAGS MFLAGS MAKELEVEL

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"

if t=$(missing podman "$NINJA" "$MAKE" "$PYTHON"); then
	echo "bench-noop: $t is not installed (Debian packages: podman, ninja-build, make, python3)" >&2
	exit 1
fi

tmpdir bench-noop
# a copy: rebuilding imagegen meanwhile changes nothing here
cp "$IMAGEGEN" "$tmp/imagegen" || exit 1
IMAGEGEN=$tmp/imagegen

# timed N COMMAND...: "WALL (CPU)", the medians of N runs of COMMAND; its
# output goes to $tmp/last.log; fails when a run fails
timed() {
	"$PYTHON" - "$tmp/last.log" "$@" <<'PY'
import resource, subprocess, sys, time
log, n, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
walls, cpus = [], []
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(log, "w") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT)
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc:
        sys.exit("bench-noop: %s failed, see %s" % (" ".join(cmd), log))
    walls.append((t1 - t0) * 1000)
    cpus.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
med = lambda v: sorted(v)[(len(v) - 1) // 2]
print("%.1f (%.1f)" % (med(walls), med(cpus)))
PY
}

# once WHAT COMMAND...: one timed run of COMMAND, which must succeed
once() {
	what=$1
	shift
	timed 1 "$@" || {
		echo "bench-noop: $what failed:" >&2
		tail -20 "$tmp/last.log" >&2
		exit 1
	}
}

# gen DIR BACKEND IMAGES CONFIG: imagegen generate in DIR, as a command
gen() {
	mkdir -p "$1"
	# shellcheck disable=SC2016 # expanded by that sh
	printf '%s\n' sh -c 'cd "$1" && shift && exec "$@"' sh "$1" "$IMAGEGEN" generate --backend="$2" \
		--engine=podman --jobs=2 --imagegen="$IMAGEGEN" --templates="$SRCDIR/templates" \
		--images="$3" --config="$4"
}

# run ninja or make in a directory: BACKEND DIR [ARGS...]
tool() {
	b=$1
	d=$2
	shift 2
	if [ "$b" = ninja ]; then
		set -- "$NINJA" -C "$d" "$@"
	else
		set -- "$MAKE" -C "$d" -f images.mk "$@"
	fi
	printf '%s\n' "$@"
}

# a command printed one word a line (gen, tool) into "$@" of what follows
words() {
	cmdfile=$tmp/cmd
	"$@" >"$cmdfile"
}

# run WHAT: the command in $tmp/cmd, once, timed
runcmd() {
	what=$1
	set --
	while IFS= read -r w; do set -- "$@" "$w"; done <"$tmp/cmd"
	once "$what" "$@"
}

# med: the command in $tmp/cmd, RUNS times
medcmd() {
	set --
	while IFS= read -r w; do set -- "$@" "$w"; done <"$tmp/cmd"
	timed "$RUNS" "$@" || { tail -20 "$tmp/last.log" >&2; exit 1; }
}

row() {
	printf '%-44s %17s %17s\n' "$@"
}

# --- the default example, real podman ----------------------------------------------

# a private store: overlay where podman can use it here, else vfs
podman_store "$tmp/store" || {
	echo "bench-noop: podman cannot use a private store" >&2
	exit 1
}
cp -R "$SRCDIR/examples" "$tmp/ex"
for b in ninja make; do
	words gen "$tmp/ex-$b" "$b" "$tmp/ex/images" "$tmp/ex/config.yaml"
	runcmd "imagegen generate --backend=$b" >/dev/null
	words tool "$b" "$tmp/ex-$b"
	runcmd "the first $b build of the default example" >/dev/null
	medcmd >"$tmp/res" || exit 1
	eval "ex_$b=\$(cat \"\$tmp/res\")"
done
echo "bench-noop: milliseconds, wall (CPU); a no-op is the median of $RUNS runs"
row "" ninja make
# shellcheck disable=SC2154 # set by eval above
row "default example (4 images), no-op" "$ex_ninja" "$ex_make"

# --- a synthetic tree ------------------------------------------------------------------

# IMAGES images: a hundredth FROM scratch, each of those the base of nine
# more, the rest leaves spread over those; every image holds three files
# of its own, every tenth leaf renders a template from the configuration
syn=$tmp/syn
mkdir -p "$syn/images"
printf 'site: bench\nworkers: 4\n' >"$syn/config.yaml"
"$PYTHON" - "$syn/images" "$IMAGES" "$SRCDIR/tests/bench" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
import syntree
names, parent = syntree.names_of(n)
for k, name in enumerate(names):
    d = os.path.join(root, name)
    os.makedirs(os.path.join(d, "etc"))
    tmpl = name.startswith("leaf-") and k % 10 == 0
    with open(os.path.join(d, "image.yaml"), "w") as f:
        if name in parent:
            f.write("prerequisite: %s\n" % parent[name])
        if tmpl:
            f.write("template-list:\n  - etc/app.conf\n")
    with open(os.path.join(d, "Dockerfile"), "w") as f:
        f.write("FROM %s\nCOPY . /\n" % parent.get(name, "scratch"))
    for j in range(3):
        with open(os.path.join(d, "etc", "file%d" % j), "w") as f:
            f.write("%s %d\n" % (name, j))
    if tmpl:
        with open(os.path.join(d, "etc", "app.conf.template"), "w") as f:
            f.write("site = {{ site }}\nworkers = {{ workers }}\n")
PY

# a stand-in podman: the image ID is a hash of the build's arguments
stub_engine "$tmp/stub"
PATH=$tmp/stub:$PATH

for b in ninja make; do
	words gen "$tmp/syn-$b" "$b" "$syn/images" "$syn/config.yaml"
	runcmd "imagegen generate --backend=$b" >"$tmp/res" || exit 1
	eval "gen_$b=\$(cat \"\$tmp/res\")"
	if [ "$b" = ninja ]; then f=build.ninja; else f=images.mk; fi
	eval "size_$b=\$(wc -c <\"\$tmp/syn-$b/$f\" | tr -d ' ')"
	words tool "$b" "$tmp/syn-$b" -j2
	runcmd "the first $b build of the synthetic tree" >"$tmp/res" || exit 1
	eval "full_$b=\$(cat \"\$tmp/res\")"
	words tool "$b" "$tmp/syn-$b"
	medcmd >"$tmp/res" || exit 1
	eval "noop_$b=\$(cat \"\$tmp/res\")"
done
# shellcheck disable=SC2154 # set by eval above
{
	row "synthetic tree ($IMAGES images): generate" "$gen_ninja" "$gen_make"
	row "  generated file (bytes)" "$size_ninja" "$size_make"
	row "  full build, stand-in engine, -j2" "$full_ninja" "$full_make"
	row "  no-op" "$noop_ninja" "$noop_make"
}

# edits, each timed once with each tool
edited() {
	for b in ninja make; do
		words tool "$b" "$tmp/syn-$b"
		runcmd "$b after: $1" >"$tmp/res" || exit 1
		eval "e_$b=\$(cat \"\$tmp/res\")"
	done
	# shellcheck disable=SC2154 # set by eval above
	row "  $1" "$e_ninja" "$e_make"
}
leaf=$(cd "$syn/images" && find . -maxdepth 1 -name 'leaf-*' | sort | sed -n '5s|^\./||p')
sleep 1
echo "edited" >>"$syn/images/$leaf/etc/file0"
edited "one leaf's file edited (1 engine build)"
sleep 1
touch "$syn/images/$leaf/image.yaml"
edited "an image.yaml touched (regeneration)"
