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
# - the others inside an edge: a rule is drawn (render, stage, digest,
#   build, push, config: the short edges as often as the long ones), then
#   one of its edges; the imagegen that ninja runs is a wrapper that stops
#   itself when it is that edge, and is let go for a delay drawn from the
#   edge's time in the reference run (towards its start: under load an
#   edge lasts longer than its own work) before the kill.
# A clean 'ninja all push' must then succeed with the reference's image
# IDs, digests and manifest digests, every image in podman's store, no
# temporary file left (.NAME.XXXXXX~, *.engine, *.manifest), and a further
# ninja must have no work to do.
#
# The draws come from awk's rand() seeded with SEED (where a timed kill
# lands still depends on the machine's speed: what was running at each
# kill is printed).
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
export BUILDAH_ISOLATION=chroot

for tool in docker-registry podman "$NINJA" setsid timeout; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "check-faults: $tool is not installed (Debian packages: docker-registry, podman, ninja-build)" >&2
		exit 1
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imagegen-faults.XXXXXX") || exit 1
regpid=
cleanup() {
	[ -n "$regpid" ] && kill "$regpid" 2>/dev/null && wait "$regpid" 2>/dev/null
	CONTAINERS_STORAGE_CONF="$tmp/store/storage.conf" podman system reset -f >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "check-faults: $*" >&2
	exit 1
}

# the registry, on a free loopback port
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || exit 1
mkdir -p "$tmp/registry"
cat >"$tmp/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $tmp/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
regpid=$!
i=0
until "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1)' "$port" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { cat "$tmp/registry.log" >&2; die "the registry did not start"; }
	sleep 0.1
done

# podman's private store, and the wrapper that makes builds reproducible
mkdir -p "$tmp/store" "$tmp/shim"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' "$tmp/store" "$tmp/store" >"$tmp/store/storage.conf"
CONTAINERS_STORAGE_CONF="$tmp/store/storage.conf"
export CONTAINERS_STORAGE_CONF
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

# imagegen as ninja runs it: the Nth edge of the aimed rule ($tmp/aim holds
# "RULE N") writes its PID to $tmp/hit and stops until the harness lets it go
mkdir -p "$tmp/claim"
cat >"$tmp/shim/imagegen" <<EOF
#!/bin/sh
if [ -f "$tmp/aim" ]; then
	read -r rule k <"$tmp/aim"
	if [ "\$1" = "\$rule" ]; then
		n=1
		while ! mkdir "$tmp/claim/\$n" 2>/dev/null; do n=\$((n + 1)); done
		if [ "\$n" -eq "\$k" ]; then
			echo \$\$ >"$tmp/hit.new" && mv "$tmp/hit.new" "$tmp/hit"
			kill -STOP \$\$
		fi
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

now() { date +%s%N; }

empty
build "$tmp/ref1.log" || { cat "$tmp/ref1.log" >&2; die "the reference build failed"; }
state >"$tmp/ref"
if [ "$(grep -c '\.iid ' "$tmp/ref")" -ne 4 ] || [ "$(grep -c '\.pushed ' "$tmp/ref")" -ne 4 ]; then
	cat "$tmp/ref" >&2
	die "the reference build did not build and push the example's four images"
fi
empty
rm -f "$b/.ninja_log"
t0=$(now)
build "$tmp/ref2.log" || { cat "$tmp/ref2.log" >&2; die "the second reference build failed"; }
t1=$(now)
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
echo "check-faults: reference 'ninja all push' from an empty build state: $(((t1 - t0) / 1000000)) ms" \
	"(edges over $span ms: $(awk '{ print $1 }' "$tmp/windows" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }'));" \
	"$KILLS kills, seed $SEED"

pass=0
fail=0
phases=
# the kills, one a line: "MS any" (a delay from ninja's start), or
# "MS RULE N" (a delay from the start of the Nth edge of RULE)
awk -v seed="$SEED" -v n="$KILLS" -v span="$span" '
	{ r[NR] = $1; s[NR] = $2; e[NR] = $3; if (!($1 in known)) { known[$1] = 1; rules[++nr] = $1 } }
	END {
		srand(seed)
		for (i = 0; i < n; i++) {
			if (i % 2 == 0) {
				printf "%d any\n", rand() * span
				continue
			}
			want = rules[int(rand() * nr) + 1]
			m = 0
			for (j = 1; j <= NR; j++)
				if (r[j] == want)
					pick[++m] = j
			k = int(rand() * m) + 1
			j = pick[k]
			# drawn towards the start: under load an edge takes longer than its own work
			u = rand()
			printf "%d %s %d\n", u * u * (e[j] - s[j]), want, k
		}
	}' "$tmp/windows" >"$tmp/kills"
i=0
while read -r ms aim k <&3; do
	i=$((i + 1))
	empty
	rm -rf "$tmp/claim" "$tmp/hit"
	mkdir "$tmp/claim"
	[ "$aim" = any ] || echo "$aim $k" >"$tmp/aim"
	setsid "$NINJA" -C "$b" all push >"$tmp/killed.log" 2>&1 &
	a=$!
	if [ "$aim" != any ]; then
		# wait for the aimed edge to stop itself, then let it go
		n=0
		while [ ! -f "$tmp/hit" ] && [ $n -lt 6000 ]; do
			case $(ps -o stat= -p "$a") in
			'' | Z*) break ;;
			esac
			sleep 0.02
			n=$((n + 1))
		done
		rm -f "$tmp/aim"
		if [ -f "$tmp/hit" ]; then
			kill -CONT "$(cat "$tmp/hit")"
			aim="$aim edge $k"
		else
			aim="$aim edge $k (never reached)"
		fi
	else
		aim="the run"
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
		pass=$((pass + 1))
		printf 'ok   kill %d, %d ms into %s (running: %s): converged\n' "$i" "$ms" "$aim" "$at"
	else
		fail=$((fail + 1))
		printf 'FAIL kill %d, %d ms into %s (running: %s): %s\n' "$i" "$ms" "$aim" "$at" "$why"
		sed 's/^/    /' "$tmp/clean.log" | tail -20
	fi
done 3<"$tmp/kills"

# shellcheck disable=SC2086
count() { printf '%s\n' $phases | grep -cx "$1"; }
echo "check-faults: killed while running: render $(count render), stage $(count stage), digest $(count digest)," \
	"engine build $(count build), tag $(count tag), push $(count push), config $(count config)," \
	"ninja alone (between edges) $(count between), after the end $(count end)"
echo "check-faults: $pass of $((pass + fail)) kills converged, $fail failed"
[ "$fail" -eq 0 ]
