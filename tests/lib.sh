# shellcheck shell=sh disable=SC2034,SC2154 # pass, fail, reg...: read by the scripts; realeng, realdocker: set by them
# What the shell test and bench scripts share; each sources it:
#
#   . "$SRCDIR/tests/lib.sh"
#
# - assertions: ok, nok, check, figure, finish (the summary line that
#   .ci/run greps: "SUITE: N passed, N failed", SUITE from $suite);
# - tmpdir: the script's temporary directory $tmp, removed on every exit
#   with what was started for it (registry, private podman stores and
#   dockerd) and whatever is still mounted under it;
# - registry_start: a docker-registry on a free loopback port;
# - podman_store, dockerd_start, dockerd_stop: private container engines;
# - engine_shim, buildkit, stub_engine: an engine that logs what it runs,
#   docker's builder, a stand-in engine that builds nothing;
# - small tools: missing, before, tree_state, imgfile, imghas, now_ms.
#
# A script may redefine on_fail (what nok shows after a FAIL line) and
# on_exit (what the cleanup does first).

# --- assertions --------------------------------------------------------------

pass=0
fail=0
figures=
suite=
# a prefix of every ok/FAIL line ("LABEL: "), where set
label=

on_fail() { :; }

ok() {
	pass=$((pass + 1))
	printf 'ok   %s%s\n' "${label:+$label: }" "$1"
}

nok() {
	fail=$((fail + 1))
	printf 'FAIL %s%s\n' "${label:+$label: }" "$1"
	on_fail
}

# check DESCRIPTION COMMAND...: one assertion; false when it fails
check() {
	_d=$1
	shift
	if "$@"; then
		ok "$_d"
	else
		nok "$_d"
		return 1
	fi
}

# figure TEXT: a line of the figures finish prints before the summary
figure() {
	figures="$figures
  $1"
}

# finish: the figures, the summary line, and exit (status 1 on a failure)
finish() {
	[ -n "$figures" ] && printf 'figures:%s\n' "$figures"
	printf '%s%d passed, %d failed\n' "${suite:+$suite: }" "$pass" "$fail"
	[ "$fail" -eq 0 ]
	exit
}

# missing TOOL...: prints the first TOOL that is not installed; false if none
missing() {
	for _t; do
		command -v "$_t" >/dev/null 2>&1 || {
			printf '%s\n' "$_t"
			return 0
		}
	done
	return 1
}

# before FILE A B: the first line matching regex A comes before the first matching B
before() {
	_a=$(grep -n -m1 -- "$2" "$1" | cut -d: -f1)
	_b=$(grep -n -m1 -- "$3" "$1" | cut -d: -f1)
	[ -n "$_a" ] && [ -n "$_b" ] && [ "$_a" -lt "$_b" ]
}

# tree_state DIR: every entry under DIR with its mode, size and time, sorted
tree_state() {
	(cd "$1" && find . -exec ls -ld --time-style=+%s.%N {} + | awk '{ $2 = ""; print }' | sort)
}

# now_ms: milliseconds since the epoch (GNU date)
now_ms() {
	_t=$(date +%s%N)
	echo $((_t / 1000000))
}

# --- the temporary directory ---------------------------------------------------

regpid=
dockerpid=
dk=
stores=

on_exit() { :; }

# tmpdir NAME: $tmp, a fresh directory imagegen-NAME.XXXXXX, removed on every exit
tmpdir() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/imagegen-$1.XXXXXX") || exit 1
	trap cleanup EXIT
	trap 'exit 130' INT TERM
}

# shellcheck disable=SC2317 # run by the trap
cleanup() {
	on_exit
	[ -n "$regpid" ] && kill "$regpid" 2>/dev/null && wait "$regpid" 2>/dev/null
	podman_clean
	dockerd_stop
	unmount_under "$tmp"
	chmod -R u+rwx "$tmp" 2>/dev/null
	rm -rf "$tmp"
}

# unmount_under DIR: whatever is mounted under DIR, deepest first
unmount_under() {
	awk -v t="$1/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null; done
}

# --- a registry ---------------------------------------------------------------------

# free_port: a free loopback port, as the kernel hands one out
free_port() {
	"${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_start: a docker-registry on a free loopback port ($port; $reg
# is 127.0.0.1:$port), its data in $tmp/registry; where $htpasswd names
# a file, it asks for a password by it; false if it does not answer
# within 10 s ($tmp/registry.log says why)
registry_start() {
	port=$(free_port) || return 1
	reg=127.0.0.1:$port
	mkdir -p "$tmp/registry"
	{
		printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: %s\n' \
			"$tmp" "$reg"
		[ -z "${htpasswd:-}" ] ||
			printf 'auth:\n  htpasswd:\n    realm: imagegen-test\n    path: %s\n' "$htpasswd"
	} >"$tmp/registry.yml"
	docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
	regpid=$!
	_n=0
	# up as soon as it answers, with a 401 where it asks for a password
	until "${PYTHON:-python3}" -c 'import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen("http://%s/v2/" % sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass' "$reg" >/dev/null 2>&1; do
		_n=$((_n + 1))
		[ "$_n" -lt 100 ] || return 1
		sleep 0.1
	done
}

# registry_tags REPOSITORY [USER:PASSWORD]: the tags the registry holds
# for it, sorted, space-separated (nothing where it has none)
registry_tags() {
	"${PYTHON:-python3}" -c 'import base64, json, sys, urllib.request
r = urllib.request.Request("http://%s/v2/%s/tags/list" % (sys.argv[1], sys.argv[2]))
if sys.argv[3]:
    r.add_header("Authorization", "Basic " + base64.b64encode(sys.argv[3].encode()).decode())
try:
    print(" ".join(sorted(json.load(urllib.request.urlopen(r, timeout=5)).get("tags") or [])))
except Exception:
    print("")' "$reg" "$1" "${2:-}"
}

# --- private container engines -------------------------------------------------------

# podman_store DIR [DRIVER]: podman and buildah keep their images in DIR,
# so that the user's are never touched: DRIVER, else
# IMAGEGEN_TEST_STORAGE_DRIVER, else overlay where podman can use it here
# (faster), else vfs ($driver says which); false if podman cannot use it.
# $realpodman, where set, is the podman to ask.
podman_store() {
	_store=$1
	mkdir -p "$_store/tmp"
	printf '[engine]\ntmp_dir = "%s/tmp"\n' "$_store" >"$_store/containers.conf"
	CONTAINERS_STORAGE_CONF=$_store/storage.conf
	CONTAINERS_CONF=$_store/containers.conf
	BUILDAH_ISOLATION=chroot
	export CONTAINERS_STORAGE_CONF CONTAINERS_CONF BUILDAH_ISOLATION
	stores="$stores$_store
"
	driver=${2:-${IMAGEGEN_TEST_STORAGE_DRIVER:-}}
	if [ -z "$driver" ]; then
		driver=overlay
		podman_driver overlay || driver=vfs
	fi
	podman_driver "$driver"
}

# podman_driver DRIVER: the store of the last podman_store, afresh, with that driver
podman_driver() {
	rm -rf "$_store/graph" "$_store/run"
	mkdir -p "$_store/graph" "$_store/run"
	printf '[storage]\ndriver = "%s"\ngraphroot = "%s/graph"\nrunroot = "%s/run"\n' \
		"$1" "$_store" "$_store" >"$_store/storage.conf"
	[ "$("${realpodman:-podman}" info --format '{{.Store.GraphDriverName}}' 2>/dev/null)" = "$1" ]
}

# podman_clean: no container or image left in the private stores
podman_clean() {
	[ -n "$stores" ] || return 0
	printf '%s' "$stores" | while IFS= read -r _s; do
		CONTAINERS_STORAGE_CONF=$_s/storage.conf CONTAINERS_CONF=$_s/containers.conf \
			"${realpodman:-podman}" rm -a -f >/dev/null 2>&1
		CONTAINERS_STORAGE_CONF=$_s/storage.conf CONTAINERS_CONF=$_s/containers.conf \
			"${realpodman:-podman}" rmi -a -f >/dev/null 2>&1
	done
}

# docker_client: $realdocker, the docker client: IMAGEGEN_TEST_DOCKER,
# else Debian's (another one first in PATH may not speak to its dockerd)
docker_client() {
	realdocker=${IMAGEGEN_TEST_DOCKER:-}
	if [ -z "$realdocker" ]; then
		if [ -x /usr/bin/docker ]; then realdocker=/usr/bin/docker; else realdocker=$(command -v docker); fi
	fi
}

# dockerd_start NAME: a private docker daemon ($DOCKERD, else dockerd)
# with its data under $tmp/NAME, no network, vfs storage; DOCKER_HOST
# names it; $realdocker is the client that asks it
dockerd_start() {
	dk=$tmp/$1
	mkdir -p "$dk"
	"${DOCKERD:-dockerd}" --data-root "$dk/root" --exec-root "$dk/x" --pidfile "$dk/pid" -H "unix://$dk/sock" \
		--iptables=false --ip6tables=false --bridge=none --storage-driver=vfs >"$dk/log" 2>&1 &
	dockerpid=$!
	DOCKER_HOST=unix://$dk/sock
	DOCKER_CONFIG=$dk/config
	export DOCKER_HOST DOCKER_CONFIG
	unset DOCKER_CONTEXT
	_n=300
	until "$realdocker" version >/dev/null 2>&1; do
		if ! kill -0 "$dockerpid" 2>/dev/null || [ "$_n" -le 0 ]; then
			sed 's/^/    dockerd: /' "$dk/log" | tail -5
			return 1
		fi
		_n=$((_n - 1))
		sleep 0.1
	done
	echo "# private dockerd $("$realdocker" version --format '{{.Server.Version}}' 2>/dev/null), pid $dockerpid, DOCKER_HOST=$DOCKER_HOST"
}

# dockerd_stop: stops the private daemon (and the containerd it started) by PID
dockerd_stop() {
	[ -n "$dockerpid" ] || return 0
	# shellcheck disable=SC2046 # container IDs, one word each
	"$realdocker" rm -f $("$realdocker" ps -aq 2>/dev/null) >/dev/null 2>&1
	kill "$dockerpid" 2>/dev/null
	_n=150
	while kill -0 "$dockerpid" 2>/dev/null && [ "$_n" -gt 0 ]; do
		sleep 0.2
		_n=$((_n - 1))
	done
	if kill -0 "$dockerpid" 2>/dev/null; then
		kill -9 "$dockerpid" 2>/dev/null
		_c=$(cat "$dk/x/containerd/containerd.pid" 2>/dev/null)
		[ -n "$_c" ] && kill -9 "$_c" 2>/dev/null
	fi
	wait "$dockerpid" 2>/dev/null
	dockerpid=
	unset DOCKER_HOST DOCKER_CONFIG
}

# engine_shim DIR NAME REAL LOG: DIR/NAME, an engine that logs its
# subcommand and the base name of its last argument (the context
# directory: the image) to LOG, then runs REAL
engine_shim() {
	mkdir -p "$1"
	cat >"$1/$2" <<EOF
#!/bin/sh
last=
for a; do last=\$a; done
last=\${last%/}
printf '%s %s\n' "\$1" "\${last##*/}" >>'$4'
exec '$3' "\$@"
EOF
	chmod 755 "$1/$2"
}

# buildkit ENGINE: docker's builder for ENGINE (docker: the classic one,
# docker-buildkit: BuildKit) in DOCKER_BUILDKIT; $netarg is the option
# its builds then need (BuildKit runs RUN steps in a network namespace
# of its own: the private daemon has no bridge, so they ask for none)
buildkit() {
	if [ "$1" = docker-buildkit ]; then
		DOCKER_BUILDKIT=1
		netarg=--network=none
	else
		DOCKER_BUILDKIT=0
		netarg=
	fi
	export DOCKER_BUILDKIT
}

# stub_engine DIR: DIR/podman, a stand-in engine that builds nothing; a
# build writes an image ID, a hash of its arguments
stub_engine() {
	mkdir -p "$1"
	cat >"$1/podman" <<'SH'
#!/bin/sh
iid=
args=$*
while [ $# -gt 0 ]; do
	[ "$1" = --iidfile ] && iid=$2
	shift
done
[ -z "$iid" ] || printf 'sha256:%s\n' "$(printf '%s' "$args" | sha256sum | cut -c1-64)" >"$iid"
SH
	chmod 755 "$1/podman"
}

# imgfile IMAGE PATH DEST: copy PATH out of IMAGE to DEST ($realeng is the engine)
imgfile() {
	_c=$("$realeng" create "$1" /none 2>/dev/null) || return 1
	"$realeng" cp "$_c:$2" "$3" >/dev/null 2>&1
	_r=$?
	"$realeng" rm -f "$_c" >/dev/null 2>&1
	return "$_r"
}

# imghas IMAGE PATH FILE: PATH in IMAGE has the content of FILE
imghas() {
	rm -f "$tmp/got"
	imgfile "$1" "$2" "$tmp/got" && cmp -s "$tmp/got" "$3"
}
