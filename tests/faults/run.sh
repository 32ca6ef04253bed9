#!/bin/sh
# make check-faults: SIGKILL at random points of a build of the default
# example, then a clean ninja that must converge.
#
# The example (examples/images, four images FROM scratch) is built and
# pushed with podman to a docker-registry on a free loopback port. Builds
# run with --timestamp=0 (a wrapper adds it to 'podman build'), so that an
# image built twice from the same context has the same ID: a context
# staged wrong after a kill would show as another ID.
#
# First a reference run: 'ninja all push' from an empty build state,
# twice, which must give the same image IDs, input digests and pushed
# manifests (else the test cannot tell anything and fails); the second
# run's .ninja_log gives each edge's time span. Then KILLS times: the
# build state is emptied (ninja -t clean, and ctx/ img/ push/ log/
# removed, so that every render, stage, digest, engine build and push runs
# again), 'ninja all push' starts in a session of its own, and every
# process of the session (ninja, imagegen, podman) is stopped and killed
# with SIGKILL:
# - every other kill after a delay drawn from the reference run's span;
# - the others inside an edge, at a system call: each subcommand in turn
#   (render, stage, digest, build, tag, push, publish, config: the short
#   edges as often as the long ones), one of its edges drawn, then one of
#   the file and descriptor system calls that edge's imagegen made in the
#   first reference run (traced with strace, after the dynamic loader's); the
#   imagegen that ninja runs is a wrapper that, for that edge, runs
#   imagegen under strace injecting SIGKILL at that call (its Nth call of
#   that name), and the harness kills the rest of the session as soon as
#   the edge is gone. A kill lands mid-write, mid-copy or between a write
#   and its rename however fast the machine is.
# A clean 'ninja all push' must then succeed with the reference's image
# IDs, digests and manifest digests, every image in podman's store, no
# temporary file left (.NAME.XXXXXX~, *.engine, *.manifest), and a further
# ninja must have no work to do.
#
# The draws come from awk's rand() seeded with SEED (where a timed kill
# lands still depends on the machine's speed: what was running at each
# kill is printed; a kill at a system call does not).
#
# Environment: IMAGEGEN, SRCDIR (as make sets them), NINJA, PYTHON;
# FAULTS_SEED (default 9), FAULTS_KILLS (default 50).
# Prints one line per kill and a summary; exits 1 on any failure.

set -u
: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}
PYTHON=${PYTHON:-python3}
SEED=${FAULTS_SEED:-9}
KILLS=${FAULTS_KILLS:-50}
# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"

if t=$(missing docker-registry podman "$NINJA" setsid timeout strace); then
	echo "check-faults: $t is not installed (Debian packages: docker-registry, podman, ninja-build, strace)" >&2
	exit 1
fi

tmpdir faults

die() {
	echo "check-faults: $*" >&2
	exit 1
}

# the registry, on a free loopback port
registry_start || {
	cat "$tmp/registry.log" >&2
	die "the registry did not start"
}

# podman's private store, and the wrapper that makes builds reproducible
mkdir -p "$tmp/shim"
podman_store "$tmp/store" vfs || die "podman cannot use a private vfs store"
real=$(command -v podman)
cat >"$tmp/shim/podman" <<EOF
#!/bin/sh
if [ "\$1" = build ]; then
	shift
	exec "$real" build --timestamp=0 "\$@"
fi
exec "$real" "\$@"
EOF
chmod 755 "$tmp/shim/podman"
PATH="$tmp/shim:$PATH"
export PATH

# imagegen as ninja runs it. An edge is known by its rule and a checksum
# of its arguments (the same in every run). While $tmp/trace exists (the
# first reference run) every edge runs under strace, which writes its file
# and descriptor system calls to $tmp/trace/RULE.SUM. The aimed edge
# ($tmp/aim holds "RULE SUM SYSCALL N") writes its PID to $tmp/hit and
# runs under strace, which kills it with SIGKILL at its Nth SYSCALL.
cat >"$tmp/shim/imagegen" <<EOF
#!/bin/sh
sum=\$(printf '%s\\n' "\$@" | cksum | cut -d' ' -f1)
if [ -d "$tmp/trace" ]; then
	exec strace -qq -o "$tmp/trace/\$1.\$sum" -e trace=%file,%desc "$IMAGEGEN" "\$@"
fi
if [ -f "$tmp/aim" ]; then
	read -r rule want call n <"$tmp/aim"
	if [ "\$1" = "\$rule" ] && [ "\$sum" = "\$want" ]; then
		echo \$\$ >"$tmp/hit.new" && mv "$tmp/hit.new" "$tmp/hit"
		exec strace -qq -o "$tmp/hit.trace" -e trace="\$call" -e inject="\$call":signal=KILL:when="\$n" "$IMAGEGEN" "\$@"
	fi
fi
exec "$IMAGEGEN" "\$@"
EOF
chmod 755 "$tmp/shim/imagegen"

cp -R "$SRCDIR/examples" "$tmp/src"
b="$tmp/build"
mkdir -p "$b"
(cd "$b" && "$IMAGEGEN" generate --engine=podman --jobs=2 --imagegen="$tmp/shim/imagegen" \
	--templates="$SRCDIR/templates" --images="$tmp/src/images" --config="$tmp/src/config.yaml" \
	--registry="127.0.0.1:$port" --namespace=faults --tag=t --insecure-registry) >"$tmp/generate.log" 2>&1 || {
	cat "$tmp/generate.log" >&2
	die "imagegen generate failed"
}

# empty: the build state emptied, build.ninja and .imagegen/ kept
empty() {
	"$NINJA" -C "$b" -t clean >/dev/null 2>&1
	rm -rf "$b/ctx" "$b/img" "$b/push" "$b/log"
}

# state: what a build converges to (image IDs, input digests, pushed manifests)
state() {
	for f in "$b"/img/*.iid "$b"/img/*.digest "$b"/push/*.pushed; do
		[ -f "$f" ] && printf '%s %s\n' "${f#"$b"/}" "$(cat "$f")"
	done
}

# leftovers: temporary files of imagegen under the build directory
leftovers() {
	find "$b" \( -name '.*.[0-9a-zA-Z][0-9a-zA-Z][0-9a-zA-Z][0-9a-zA-Z][0-9a-zA-Z][0-9a-zA-Z]~' \
		-o -name '*.engine' -o -name '*.manifest' \) -print
}

# build LOG: 'ninja all push', at most 10 minutes
build() {
	timeout 600 "$NINJA" -C "$b" all push >"$1" 2>&1
}

empty
mkdir "$tmp/trace"
build "$tmp/ref1.log" || { cat "$tmp/ref1.log" >&2; die "the reference build failed"; }
mv "$tmp/trace" "$tmp/traces"
state >"$tmp/ref"
if [ "$(grep -c '\.iid ' "$tmp/ref")" -ne 4 ] || [ "$(grep -c '\.pushed ' "$tmp/ref")" -ne 4 ]; then
	cat "$tmp/ref" >&2
	die "the reference build did not build and push the example's four images"
fi
empty
rm -f "$b/.ninja_log"
t0=$(now_ms)
build "$tmp/ref2.log" || { cat "$tmp/ref2.log" >&2; die "the second reference build failed"; }
t1=$(now_ms)
state >"$tmp/ref2"
cmp -s "$tmp/ref" "$tmp/ref2" || {
	diff "$tmp/ref" "$tmp/ref2" >&2
	die "two builds of the same example gave different results: the kills cannot be judged"
}
# the reference run's edges: RULE START END (ms from ninja's start), from .ninja_log
"$NINJA" -C "$b" -t targets all >"$tmp/targets" || die "ninja -t targets failed"
awk 'NR == FNR { i = index($0, ": "); if (i) rule[substr($0, 1, i - 1)] = substr($0, i + 2); next }
	/^#/ { next }
	{ r = rule[$4]; if (r != "" && r != "phony" && !seen[$1 " " $2 " " r]++) print r, $1, $2 }' \
	"$tmp/targets" FS='\t' "$b/.ninja_log" | sort -k2,2n >"$tmp/windows"
[ -s "$tmp/windows" ] || die "the reference run's .ninja_log names no edge"
span=$(awk '$3 > m { m = $3 } END { print m }' "$tmp/windows")
echo "check-faults: the default example, podman (vfs, --timestamp=0), registry 127.0.0.1:$port"
echo "check-faults: reference 'ninja all push' from an empty build state: $((t1 - t0)) ms" \
	"(edges over $span ms: $(awk '{ print $1 }' "$tmp/windows" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'));" \
	"$KILLS kills, seed $SEED"

phases=
hits=
ended=0
# the traced calls of each edge, one a line: "RULE SUM SYSCALL N CALL",
# the edge's Nth call of that name, the dynamic loader's calls left out
for f in "$tmp"/traces/*.*; do
	e=${f##*/}
	awk -v edge="${e%.*} ${e##*.}" '
		{ line[NR] = $0 }
		/\.so[."]/ { start = NR }
		END {
			for (i = start + 1; i <= NR; i++) {
				c = line[i]
				if (!match(c, /^[a-z0-9_]+\(/))
					continue
				name = substr(c, 1, RLENGTH - 1)
				gsub(/[ \t]+/, " ", c)
				print edge, name, ++seen[name], substr(c, 1, 100)
			}
		}' "$f"
done | sort -s -k1,2 >"$tmp/calls"
[ -s "$tmp/calls" ] || die "strace recorded no system call of any edge"

# the kills, one a line: "MS any" (a delay from ninja's start), or
# "0 RULE SUM SYSCALL N CALL" (at the Nth SYSCALL of the edge RULE SUM)
awk -v seed="$SEED" -v n="$KILLS" -v span="$span" '
	{
		e[++m] = $1 " " $2; rest[m] = $0
		if (!($1 in known)) { known[$1] = 1; rules[++nr] = $1 }
		if (!(e[m] in edges)) { edges[e[m]] = 1; ne[$1]++; edge[$1, ne[$1]] = e[m] }
	}
	END {
		srand(seed)
		for (i = 0; i < n; i++) {
			if (i % 2 == 0) {
				printf "%d any\n", rand() * span
				continue
			}
			# the subcommands in turn, so that each is hit as often
			want = rules[(i - 1) / 2 % nr + 1]
			pe = edge[want, int(rand() * ne[want]) + 1]
			c = 0
			for (j = 1; j <= m; j++)
				if (e[j] == pe)
					pick[++c] = j
			printf "0 %s\n", rest[pick[int(rand() * c) + 1]]
		}
	}' "$tmp/calls" >"$tmp/kills"
i=0
while read -r ms aim sum call k line <&3; do
	i=$((i + 1))
	empty
	rm -f "$tmp/hit" "$tmp/hit.trace"
	[ "$aim" = any ] || echo "$aim $sum $call $k" >"$tmp/aim"
	setsid "$NINJA" -C "$b" all push >"$tmp/killed.log" 2>&1 &
	a=$!
	if [ "$aim" != any ]; then
		# wait for the aimed edge to start, then to be gone
		n=0
		while [ $n -lt 30000 ]; do
			case $(ps -o stat= -p "$a") in
			'' | Z*) break ;;
			esac
			if [ -f "$tmp/hit" ]; then
				case $(ps -o stat= -p "$(cat "$tmp/hit")") in
				'' | Z*) break ;;
				esac
			fi
			sleep 0.01
			n=$((n + 1))
		done
		rm -f "$tmp/aim"
		if grep -q 'killed by SIGKILL' "$tmp/hit.trace" 2>/dev/null; then
			hits="$hits $aim"
			aim="in $aim edge $sum at its $call #$k: $line"
		elif [ -f "$tmp/hit" ]; then
			ended=$((ended + 1))
			aim="after $aim edge $sum, which ended before its $call #$k"
		else
			aim="meant for $aim edge $sum, never reached"
		fi
	else
		aim="$ms ms into the run"
	fi
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	# what runs: the session's processes, stopped first so that none forks after the list is taken
	running=
	case $(ps -o stat= -p "$a" 2>/dev/null) in
	'' | Z*) running=end ;;
	esac
	pids=$(ps -o pid= -s "$a" 2>/dev/null | tr -d ' ')
	rounds=0
	while [ -n "$pids" ] && [ $rounds -lt 50 ]; do
		# shellcheck disable=SC2086
		kill -STOP $pids 2>/dev/null
		for p in $pids; do
			# shellcheck disable=SC2002 # the file may be gone: no redirection error
			running="$running $(cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ' | awk '
				/imagegen[^ ]* stage/ { print "stage"; exit }
				/imagegen[^ ]* render/ { print "render"; exit }
				/imagegen[^ ]* config/ { print "config"; exit }
				/imagegen[^ ]* digest/ { print "digest"; exit }
				/podman build|imagegen[^ ]* build/ { print "build"; exit }
				/imagegen[^ ]* tag|podman tag/ { print "tag"; exit }
				/podman push|podman login|imagegen[^ ]* push|imagegen[^ ]* publish/ { print "push"; exit }')"
		done
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null
		sleep 0.05
		pids=$(ps -o pid= -s "$a" 2>/dev/null | tr -d ' ')
		rounds=$((rounds + 1))
	done
	wait "$a" 2>/dev/null
	# shellcheck disable=SC2086
	at=$(printf '%s\n' $running | sort -u | tr '\n' ' ')
	at=${at% }
	[ -n "$at" ] || at=between
	phases="$phases $at"
	why=
	if ! build "$tmp/clean.log"; then
		why="the next ninja failed: $(grep -m1 -i 'error\|failed' "$tmp/clean.log")"
	elif ! state | cmp -s - "$tmp/ref"; then
		why="the next ninja converged elsewhere: $(state | diff "$tmp/ref" - | grep '^[<>]' | head -2 | tr '\n' ' ')"
	elif [ -n "$(leftovers)" ]; then
		why="temporary files left: $(leftovers | head -3 | tr '\n' ' ')"
	elif ! "$NINJA" -C "$b" all push 2>&1 | grep -q '^ninja: no work to do'; then
		why="a further ninja still had work to do"
	else
		for f in "$b"/img/*.iid; do
			podman image exists "$(cat "$f")" || { why="$f names an image podman does not have"; break; }
		done
	fi
	if [ -z "$why" ]; then
		ok "kill $i, $aim (running: $at): converged"
	else
		nok "kill $i, $aim (running: $at): $why"
		sed 's/^/    /' "$tmp/clean.log" | tail -20
	fi
done 3<"$tmp/kills"

# shellcheck disable=SC2086
count() { printf '%s\n' $phases | grep -cx "$1"; }
echo "check-faults: killed while running: render $(count render), stage $(count stage), digest $(count digest)," \
	"engine build $(count build), tag $(count tag), push $(count push), config $(count config)," \
	"ninja alone (between edges) $(count between), after the end $(count end)"
# shellcheck disable=SC2086
hit() { printf '%s\n' $hits | grep -cx "$1"; }
echo "check-faults: killed at a system call of the edge: render $(hit render), stage $(hit stage)," \
	"digest $(hit digest), build $(hit build), tag $(hit tag), push $(hit push), publish $(hit publish)," \
	"config $(hit config); aimed edges that ended before their call: $ended"
echo "check-faults: $pass of $((pass + fail)) kills converged, $fail failed"
[ "$fail" -eq 0 ]
