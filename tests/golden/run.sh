#!/bin/sh
# golden tests of imagegen generate, list and graph.
#
# Each tests/golden/<case>/ holds:
#   tree/                 the project tree, copied to a temporary src/
#   dirs                  empty directories of the tree, one a line,
#                         relative to tree/ (git keeps no empty directory)
#   args                  arguments of imagegen generate, one a line
#                         (default: --images=../src/images); it runs in a
#                         temporary build/ next to src/
#   rundir                where to run instead of build/, relative to the
#                         temporary directory (e.g. src/images)
#   status                the expected exit status (default 0)
#   check.status          the expected exit status of imagegen check, where it
#                         differs (an image that cannot be built: generate
#                         writes the build of the others, check fails)
#   stderr.expect         what generate prints on stderr (default: nothing)
#   stderr.make.expect    what it prints with --backend=make, where that differs
#   build.ninja.expect    the expected build.ninja (when status is 0)
#   images.mk.expect      the expected Makefile of --backend=make
#   manifests.expect      the stage manifests, each after a "== NAME" line
#   generate.args.expect  the recorded arguments (.imagegen/generate.args)
#   list.expect, graph.expect   output of imagegen list / graph (optional)
#   list.json.expect, graph.json.expect   the same with --json (optional;
#                         checked to be valid JSON with python3 when it is there)
#   backend               "make": the case runs with --backend=make only
#                         (default: with ninja, then again with make)
#   goals                 targets to build with ninja and with make (one a
#                         line); the staged contexts must then be the same
# Every build.ninja written is also run through "ninja -n", which must
# find it valid and clean (no regeneration right after generate), a
# second generate, and one replaying .imagegen/generate.args as the
# regeneration edge does, must leave every file untouched; touching an
# image.yaml must make ninja regenerate build.ninja once; imagegen check
# must report the same and write nothing. The make pass runs the same
# case in a second copy with --backend=make: the same diagnostics and
# manifests, its images.mk checked the same way with "make -n".
# UPDATE=1 rewrites the expected files from the actual output.
#
# Environment: IMAGEGEN (the binary), SRCDIR (the source tree).

: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}
MAKE=${MAKE:-make}
# the make runs of the tests start afresh, whatever make runs the tests
unset MAKEFLAGS MFLAGS MAKELEVEL

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
tmpdir golden

# bad WHY: the case fails (a case counts once, however many times it fails)
bad() {
	printf 'FAIL %s: %s\n' "$name" "$1"
	good=0
}

# compare actual file $1 with expected file $2 (absent expected: $1 must be empty)
compare() {
	if [ "${UPDATE:-}" = 1 ]; then
		if [ -s "$1" ] || [ -f "$2" ]; then
			cp "$1" "$2"
		fi
		return
	fi
	if [ -f "$2" ]; then
		if ! diff -u "$2" "$1" >"$tmp/diff" 2>&1; then
			bad "$(basename "$2") differs"
			sed 's/^/    /' "$tmp/diff"
		fi
	elif [ -s "$1" ]; then
		bad "unexpected output in $(basename "$1")"
		sed 's/^/    /' "$1"
	fi
}

# run imagegen COMMAND with the case's arguments in the build directory
run() {
	cmd=$1
	shift
	set --
	if [ -f "$case/args" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			set -- "$@" "$line"
		done <"$case/args"
	else
		set -- --images=../src/images
	fi
	[ "$backend" = make ] && set -- "$@" --backend=make
	(cd "${rundir:-$work/build}" && "$IMAGEGEN" "$cmd" --imagegen=imagegen --templates=../templates --jobs=2 "$@" ${json:+--json})
}

# files under DIR newer than $work/marker, but make's stamps (rewritten by every generate)
newer() {
	find "$1" -type f -newer "$work/marker" ! -name '.ninja_*' ! -path '*/.imagegen/ran/*'
}

# the stage manifests of the build directory $1 into $2, each after "== NAME"
manifests() {
	: >"$2"
	for m in "$1"/.imagegen/stage/*.list; do
		[ -f "$m" ] || continue
		printf '== %s\n' "$(basename "$m" .list)" >>"$2"
		cat "$m" >>"$2"
	done
}

# the files of a staged context tree, with their modes and contents' sums
# the contexts as staged: each entry's mode, and each file's checksum; a
# stamp X.staged by its lines without the inodes and times of the copies
ctxsums() {
	(cd "$1" && find ctx -print | LC_ALL=C sort | while IFS= read -r f; do
		if [ -f "$f" ] && [ "${f%.staged}" != "$f" ]; then
			printf '%s %s %s\n' "$(stat -c %a "$f")" "$(sed 's/^\([^	]*	\)f \([0-9]*\) \([0-7]*\) .*/\1f \2 \3/' "$f" | cksum)" "$f"
		elif [ -f "$f" ]; then
			printf '%s %s %s\n' "$(stat -c %a "$f")" "$(cksum <"$f")" "$f"
		else
			printf '%s %s\n' "$(stat -c %a "$f")" "$f"
		fi
	done)
}

for case in "$SRCDIR"/tests/golden/*/; do
	case=${case%/}
	name=$(basename "$case")
	[ -d "$case/tree" ] || [ -f "$case/dirs" ] || continue
	good=1
	backends="ninja make"
	[ -f "$case/backend" ] && backends=$(cat "$case/backend")
	for backend in $backends; do
	work="$tmp/$name.$backend"
	rundir=
	[ -f "$case/rundir" ] && rundir="$work/$(cat "$case/rundir")"
	mkdir -p "$work/build" "$work/templates"
	if [ -d "$case/tree" ]; then
		cp -R "$case/tree" "$work/src"
	fi
	mkdir -p "$work/src"
	if [ -f "$case/dirs" ]; then
		while IFS= read -r d; do
			mkdir -p "$work/src/$d"
		done <"$case/dirs"
	fi
	cp "$SRCDIR/templates/rules.ninja" "$work/templates/"
	want=0
	[ -f "$case/status" ] && want=$(cat "$case/status")
	if [ "$backend" = make ]; then
		out=images.mk
	else
		out=build.ninja
	fi

	run generate >"$work/stdout" 2>"$work/stderr"
	status=$?
	[ "$status" = "$want" ] || bad "$backend: exit status $status, expected $want"
	if [ "$backend" = make ] && [ "$backends" != make ] && { [ -f "$case/stderr.make.expect" ] ||
		{ [ "${UPDATE:-}" = 1 ] && ! cmp -s "$work/stderr" "$case/stderr.expect"; }; }; then
		compare "$work/stderr" "$case/stderr.make.expect"
	else
		compare "$work/stderr" "$case/stderr.expect"
	fi
	compare "$work/stdout" "$case/stdout.expect"
	if [ "$want" = 0 ]; then
		compare "$work/build/$out" "$case/$out.expect"
		manifests "$work/build" "$work/manifests"
		if [ "$backend" = make ] && [ -f "$tmp/$name.ninja/manifests" ]; then
			cmp -s "$work/manifests" "$tmp/$name.ninja/manifests" ||
				bad "make: the stage manifests differ from ninja's"
		else
			compare "$work/manifests" "$case/manifests.expect"
		fi
		if [ "$backend" = ninja ]; then
			compare "$work/build/.imagegen/generate.args" "$case/generate.args.expect"
			if ! (cd "$work/build" && "$NINJA" -n >"$work/ninja.out" 2>&1); then
				bad "ninja -n rejects build.ninja"
				sed 's/^/    /' "$work/ninja.out"
			elif grep -q REGENERATE "$work/ninja.out"; then
				bad "build.ninja is out of date right after generate"
				(cd "$work/build" && "$NINJA" -n -d explain 2>&1 | sed 's/^/    /' | head -5)
			fi
		else
			grep -qx -- --backend=make "$work/build/.imagegen/generate.args" ||
				bad "make: --backend=make is not recorded for the regeneration"
			if ! (cd "$work/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$MAKE" -f images.mk -n >"$work/make.out" 2>&1); then
				bad "make -n rejects images.mk"
				sed 's/^/    /' "$work/make.out"
			elif grep -q REGENERATE "$work/make.out"; then
				bad "images.mk is out of date right after generate"
				sed 's/^/    /' "$work/make.out" | head -5
			fi
		fi
		touch "$work/marker"
		run generate >/dev/null 2>&1 || bad "$backend: second generate failed"
		changed=$(newer "$work/build")
		[ -z "$changed" ] || bad "$backend: a second generate rewrote $changed"
		# what the regeneration edge runs must reproduce the same files
		(cd "$work/build" && "$IMAGEGEN" generate --args-file=.imagegen/generate.args) >/dev/null 2>&1 ||
			bad "$backend: generate --args-file=.imagegen/generate.args failed"
		changed=$(newer "$work/build")
		[ -z "$changed" ] || bad "$backend: generate --args-file rewrote $changed"
		mkdir "$work/check"
		# an edited input regenerates the generated file once, and only once
		if [ "$(basename "$IMAGEGEN")" = imagegen ]; then
			touched=
			for y in "$work"/src/*/*/image.yaml "$work"/src/*/*/*/*/image.yaml; do
				[ -f "$y" ] && touch "$y" && touched=$y && break
			done
			if [ -z "$touched" ]; then
				y="$work/build/.imagegen/generate.args"
				touch "$y"
			fi
			if [ "$backend" = ninja ]; then
				(cd "$work/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$NINJA" build.ninja) >"$work/regen.out" 2>&1
				grep -q REGENERATE "$work/regen.out" || bad "touching $y did not regenerate build.ninja"
				(cd "$work/build" && "$NINJA" -n) >"$work/ninja.out" 2>&1
				! grep -q REGENERATE "$work/ninja.out" || bad "build.ninja regenerates again and again"
			else
				# make remakes the Makefile it reads even with -n
				(cd "$work/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$MAKE" -f images.mk -n) >"$work/regen.out" 2>&1
				grep -q REGENERATE "$work/regen.out" || bad "touching $y did not regenerate images.mk"
				(cd "$work/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$MAKE" -f images.mk -n) >"$work/make.out" 2>&1
				! grep -q REGENERATE "$work/make.out" || bad "images.mk regenerates again and again"
			fi
		fi
		rundir="$work/check"
		run check >"$work/check.out" 2>"$work/check.err"
		cst=$?
		cwant=0
		[ -f "$case/check.status" ] && cwant=$(cat "$case/check.status")
		[ "$cst" = "$cwant" ] || bad "$backend: check: exit status $cst on a tree generate accepts, expected $cwant"
		rundir=
		cmp -s "$work/check.err" "$work/stderr" || bad "$backend: check reports differently from generate"
		[ -z "$(ls -A "$work/check")" ] || bad "$backend: check wrote files"
		if [ "$backend" = ninja ] && { [ -f "$case/list.expect" ] || [ "${UPDATE:-}" = 1 ]; }; then
			run list >"$work/list" 2>/dev/null || bad "imagegen list failed"
			compare "$work/list" "$case/list.expect"
		fi
		if [ "$backend" = ninja ] && { [ -f "$case/graph.expect" ] || [ "${UPDATE:-}" = 1 ]; }; then
			run graph >"$work/graph" 2>/dev/null || bad "imagegen graph failed"
			compare "$work/graph" "$case/graph.expect"
		fi
		for c in list graph; do
			# shellcheck disable=SC2015 # both, or the next
			[ "$backend" = ninja ] && [ -f "$case/$c.json.expect" ] || continue
			json=1 run "$c" >"$work/$c.json" 2>/dev/null || bad "imagegen $c --json failed"
			compare "$work/$c.json" "$case/$c.json.expect"
			if command -v python3 >/dev/null 2>&1 && ! python3 -m json.tool "$work/$c.json" >/dev/null 2>&1; then
				bad "imagegen $c --json is not valid JSON"
			fi
		done
		json=
		# in the build directory, with no options, list reads .imagegen/generate.args
		if [ "$backend" = ninja ] && [ -f "$case/list.expect" ] && [ -z "${UPDATE:-}" ]; then
			# --summary is what list prints, not a setting of the tree: it is not recorded
			set --
			! grep -qx -- --summary "$case/args" || set -- --summary
			(cd "$work/build" && "$IMAGEGEN" list "$@") >"$work/list.noargs" 2>/dev/null || bad "imagegen list with no options failed in the build directory"
			cmp -s "$work/list.noargs" "$case/list.expect" || bad "imagegen list with no options differs from list.expect"
		fi
		if [ -f "$case/goals" ]; then
			set --
			while IFS= read -r g; do set -- "$@" "$g"; done <"$case/goals"
			if [ "$backend" = ninja ]; then
				(cd "$work/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$NINJA" "$@") >"$work/goals.out" 2>&1
			else
				(cd "$work/build" && PATH="$(dirname "$IMAGEGEN"):$PATH" "$MAKE" -f images.mk "$@") >"$work/goals.out" 2>&1
			fi || {
				bad "$backend: building the goals failed"
				sed 's/^/    /' "$work/goals.out"
			}
			ctxsums "$work/build" >"$work/ctx.sums"
			if [ "$backend" = make ] && [ -f "$tmp/$name.ninja/ctx.sums" ] &&
				! diff -u "$tmp/$name.ninja/ctx.sums" "$work/ctx.sums" >"$work/diff" 2>&1; then
				bad "make staged other contexts than ninja"
				sed 's/^/    /' "$work/diff"
			fi
		fi
	else
		[ ! -e "${rundir:-$work/build}/$out" ] || bad "$backend: $out written despite errors"
		[ ! -f "$case/$out.expect" ] || bad "$out.expect is left from when the case succeeded; remove it"
		run check >/dev/null 2>"$work/check.err"
		status=$?
		[ "$status" = "$want" ] || bad "$backend: check: exit status $status, expected $want"
		if [ "$want" = 1 ] && ! cmp -s "$work/check.err" "$work/stderr"; then
			bad "$backend: check reports differently from generate"
		fi
	fi
	done
	if [ "$good" = 1 ]; then
		ok "$name"
	else
		fail=$((fail + 1))
	fi
done
finish
