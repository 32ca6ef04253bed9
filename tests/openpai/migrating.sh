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

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=migrating

if t=$(missing podman docker-registry "$NINJA"); then
	check "$t is installed (Debian packages: podman, docker-registry, ninja-build)" false
	finish
fi

tmpdir migrating
podman_store "$tmp/store" vfs
tar -cf - -T /dev/null | podman import - docker.io/library/ubuntu:16.04 >/dev/null 2>&1
check "an empty ubuntu:16.04 in the private store" podman image exists docker.io/library/ubuntu:16.04

registry_start || {
	check "the registry starts" false
	cat "$tmp/registry.log"
	finish
}

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
tags=$(registry_tags pai-example/rest-server)
check "the registry holds <domain>/<namespace>/<image>:<tag>" sh -c "echo '$tags' | grep -q v0.6.1-example"
check "the tarball was put where paictl's pre-step put it" [ -f "$PAI/pai-management/src/hadoop-run/hadoop/hadoop-2.7.2.tar.gz" ]
check "nothing was written into the example's sources" \
	[ -z "$(find "$ex" -mindepth 1 -path "$b" -prune -o -newer "$tmp/blocks.sh" -print)" ]
(cd "$b" && "$NINJA") >"$tmp/out" 2>&1
check "a second ninja has nothing to do" grep -q "no work to do" "$tmp/out"
finish
