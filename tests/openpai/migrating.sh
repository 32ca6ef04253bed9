#!/bin/sh
# docs/migrating-from-paictl.md, run: every ```sh block of the page, in
# order and as written, in one shell from examples/pai of a copy of the
# source tree, with podman in a private image store and a registry on a
# free loopback port (the copy's configuration names it instead of
# localhost:5000). PAI is a copy of the example without its pre-build step
# (a checkout as OpenPAI had it) and HADOOP_TARBALL the example's tarball;
# ubuntu:16.04, drivers' base, is an empty image of the private store, so
# that the whole tree builds offline. Then: every imagegen command of the
# side-by-side table is one a block runs, the images are built, the
# registry holds them under paictl's names, a second ninja has nothing to
# do. Environment: SRCDIR, PYTHON, NINJA.
set -u
: "${SRCDIR:?SRCDIR must name the source tree}"
PYTHON=${PYTHON:-python3}
NINJA=${NINJA:-ninja}
unset MAKEFLAGS MFLAGS MAKELEVEL

pass=0
fail=0
check() {
	d=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		printf 'ok   %s\n' "$d"
	else
		fail=$((fail + 1))
		printf 'FAIL %s\n' "$d"
	fi
}
finish() {
	printf 'migrating: %d passed, %d failed\n' "$pass" "$fail"
	[ "$fail" = 0 ]
	exit
}

for tool in podman docker-registry "$NINJA"; do
	command -v "$tool" >/dev/null 2>&1 || {
		check "$tool is installed (Debian packages: podman, docker-registry, ninja-build)" false
		finish
	}
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imagegen-migrating.XXXXXX") || exit 1
regpid=
cleanup() {
	[ -n "$regpid" ] && kill "$regpid" 2>/dev/null && wait "$regpid" 2>/dev/null
	podman system reset -f >/dev/null 2>&1
	awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$tmp/store/tmp"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/store/graph"\nrunroot = "%s/store/run"\n' "$tmp" "$tmp" >"$tmp/storage.conf"
printf '[engine]\ntmp_dir = "%s/store/tmp"\n' "$tmp" >"$tmp/containers.conf"
CONTAINERS_STORAGE_CONF=$tmp/storage.conf
CONTAINERS_CONF=$tmp/containers.conf
BUILDAH_ISOLATION=chroot
export CONTAINERS_STORAGE_CONF CONTAINERS_CONF BUILDAH_ISOLATION
tar -cf - -T /dev/null | podman import - docker.io/library/ubuntu:16.04 >/dev/null 2>&1
check "an empty ubuntu:16.04 in the private store" podman image exists docker.io/library/ubuntu:16.04

port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || exit 1
mkdir -p "$tmp/registry"
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%s\n' \
	"$tmp" "$port" >"$tmp/registry.yml"
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
regpid=$!
i=0
until "$PYTHON" -c 'import sys, urllib.request; urllib.request.urlopen("http://127.0.0.1:%s/v2/" % sys.argv[1], timeout=1)' "$port" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { check "the registry starts" false; cat "$tmp/registry.log"; finish; }
	sleep 0.1
done

# the source tree, without what a build left in it
mkdir "$tmp/src"
(cd "$SRCDIR" && tar -cf - --exclude=.git --exclude=./build --exclude='./examples/*/build' .) | tar -xf - -C "$tmp/src"
ex=$tmp/src/examples/pai
sed -i "s|docker-registry-domain: localhost:5000|docker-registry-domain: 127.0.0.1:$port|" "$ex/cluster-configuration/services-configuration.yaml"
PAI=$tmp/checkout
cp -R "$SRCDIR/examples/pai" "$PAI"
sed -i '/^prebuild:/,$d' "$PAI/pai-management/src/hadoop-run/image.yaml"
HADOOP_TARBALL=$ex/hadoop-dist/hadoop-2.7.2.tar.gz
export PAI HADOOP_TARBALL

# the blocks, each announced, stopping at the first that fails
"$PYTHON" - "$tmp/src/docs/migrating-from-paictl.md" "$tmp/blocks.sh" "$tmp/table" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```sh\n(.*?)^```$", text, re.S | re.M)
with open(sys.argv[2], "w") as f:
    f.write("set -e\n")
    for i, b in enumerate(blocks, 1):
        f.write("echo '=== block %d'\n" % i)
        for line in b.splitlines():
            f.write("echo '$ %s'\n" % line.replace("'", "'\\''"))
            f.write(line + "\n")
    f.write("echo '=== done'\n")
# the imagegen column of the side-by-side table
with open(sys.argv[3], "w") as f:
    for row in re.findall(r"^\| `python paictl.*\| (.*) \|$", text, re.M):
        for cmd in re.findall(r"`([^`]*)`", row):
            f.write(cmd + "\n")
    f.write("".join(b for b in blocks))
EOF
nblocks=$(grep -c '^echo .=== block' "$tmp/blocks.sh")
check "the page has sh blocks ($nblocks)" [ "$nblocks" -ge 8 ]
(cd "$ex" && sh "$tmp/blocks.sh") >"$tmp/out" 2>&1
rc=$?
check "every block runs as written" [ "$rc" = 0 ]
if [ "$rc" != 0 ]; then
	tail -30 "$tmp/out" | sed 's/^/    /'
	finish
fi

# every command of the table's imagegen column is one a block runs
missing=
while IFS= read -r cmd; do
	case $cmd in *imagegen*|ninja*) ;; *) continue ;; esac
	grep -qxF "$cmd" "$tmp/blocks.sh" || missing="$missing [$cmd]"
done <"$tmp/table"
check "the table's imagegen commands are run by the blocks${missing:+: not$missing}" [ -z "$missing" ]

b=$ex/build
check "configure's summary names the openpai model" grep -q "config: .*(model openpai" "$tmp/out"
check "configure's summary names paictl's push names" grep -q "registry: 127.0.0.1:$port/pai-example/NAME:v0.6.1-example (from the configuration)" "$tmp/out"
check "config --print shows the model (hadoop-version holds the master IP)" grep -q '"hadoop-version": "192.168.10.1"' "$tmp/out"
for img in base-image hadoop-run rest-server zookeeper cleaning-image drivers; do
	check "ninja built $img" podman image exists "$img"
done
check "ninja -n after ninja has nothing to do" grep -q "ninja: no work to do" "$tmp/out"
tags=$("$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s/v2/pai-example/rest-server/tags/list" % sys.argv[1]).read().decode())' "$port" 2>&1)
check "the registry holds <domain>/<namespace>/<image>:<tag>" sh -c "echo '$tags' | grep -q v0.6.1-example"
check "the tarball was put where paictl's pre-step put it" [ -f "$PAI/pai-management/src/hadoop-run/hadoop/hadoop-2.7.2.tar.gz" ]
check "nothing was written into the example's sources" \
	[ -z "$(find "$ex" -mindepth 1 -path "$b" -prune -o -newer "$tmp/blocks.sh" -print)" ]
(cd "$b" && "$NINJA") >"$tmp/out" 2>&1
check "a second ninja has nothing to do" grep -q "no work to do" "$tmp/out"
finish
