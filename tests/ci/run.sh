#!/bin/sh
# shellcheck disable=SC2016 # sh -c scripts take $1
# The CI recipes of docs/ci/, run here: their shell steps, taken from the
# YAML files by recipe.py, against a docker-registry on loopback that asks
# for a password (htpasswd), as a CI's registry does. The GitHub Actions
# workflow runs with docker on a private dockerd, the GitLab CI job with
# podman and its image store in the project directory. Each recipe runs
# twice, as a branch and then as the main branch, and the test asserts what
# a user relies on: the first run builds and fills the cache registry and
# pushes no release; the second builds nothing (it pulls from the cache, or
# GitLab's cache kept the store and the build directory) and pushes the
# release tag.
#
# Environment (set by 'make check-ci'): SRCDIR, PYTHON, NINJA; as for the
# integration tests, IMAGEGEN_TEST_DOCKER. Prints one line per assertion
# and 'ci: N passed, N failed'; exits 1 on a failure.

set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=ci

if t=$(missing docker-registry dockerd podman); then
	nok "$t is installed (Debian packages: docker-registry, docker.io, podman)"
	finish
fi
if [ "$(id -u)" -ne 0 ]; then
	nok "the GitHub recipe needs a private dockerd, which needs root"
	finish
fi

tmpdir ci
realpodman=$(command -v podman)
docker_client

# --- a registry on loopback with a password ------------------------------------------

user=ci
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
"$PYTHON" -W ignore -c 'import crypt, sys; print("%s:%s" % (sys.argv[1], crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH))))' \
	"$user" "$password" >"$tmp/htpasswd" || {
	nok "python3 makes a bcrypt htpasswd entry"
	finish
}
htpasswd=$tmp/htpasswd
registry_start || {
	nok "the registry starts"
	cat "$tmp/registry.log"
	finish
}
# podman: the loopback registry speaks plain http (docker takes 127.0.0.0/8 so by itself)
cat >"$tmp/registries.conf" <<EOF
[[registry]]
location = "$reg"
insecure = true
EOF
CONTAINERS_REGISTRIES_CONF=$tmp/registries.conf
export CONTAINERS_REGISTRIES_CONF

# tags REPOSITORY: the tags the registry holds for it, sorted, space-separated
tags() {
	registry_tags "$1" "$user:$password"
}

# project DIR: a repository as CI checks it out: the example tree and imagegen beside it
project() {
	mkdir -p "$1"
	cp -R "$SRCDIR/examples/images" "$SRCDIR/examples/shared" "$SRCDIR/examples/config.yaml" "$1/"
	ln -s "$SRCDIR" "$1/imagegen"
}

# recipe KIND FILE DIR CONTEXT DESCRIPTION: run the recipe's steps, output
# in $out; that they pass is an assertion
recipe() {
	"$PYTHON" "$SRCDIR/tests/ci/recipe.py" "$1" "$SRCDIR/docs/ci/$2" "$3" "$4" >"$out" 2>&1
	check "$5" test $? -eq 0 || sed 's/^/    /' "$out"
}

out=$tmp/out
images="base middle tools web"

# --- GitHub Actions, docker ---------------------------------------------------------------

dockerd_start dockerd || {
	nok "github: a private dockerd starts"
	finish
}
ctx() {
	cat >"$tmp/github.json" <<EOF
{"vars": {"REGISTRY": "$reg", "NAMESPACE": "team", "REGISTRY_USER": "$user", "IMAGEGEN_REPOSITORY": "imagegen"},
 "secrets": {"REGISTRY_PASSWORD": "$password"},
 "github": {"sha": "$1", "ref": "$2"}}
EOF
}
ctx 1111111111111111111111111111111111111111 refs/heads/feature
project "$tmp/gh1"
recipe github github-actions.yml "$tmp/gh1" "$tmp/github.json" \
	"github: the workflow's steps pass on a branch"
check "github: the password never shows in the log" sh -c '! grep -q "$1" "$2"' - "$password" "$out"
check "github: every image was built on the branch" test "$(grep -c ': built in ' "$out")" -eq 4
check "github: the push step is skipped on a branch" grep -q "skipped (if: .*Push the images" "$out"
for i in $images; do
	c=$(tags "team/imagegen-cache/$i")
	check "github: the cache registry holds $i by its input digest" test "$(printf '%s' "$c" | wc -c)" -eq 64
done
check "github: a branch pushes no release" test -z "$(tags team/web)"
cp "$out" "$tmp/github-branch.log"

# a fresh runner: nothing but the cache registry carries images over
dockerd_stop
dockerd_start dockerd2 || {
	nok "github: a second private dockerd starts"
	finish
}
ctx 2222222222222222222222222222222222222222 refs/heads/main
project "$tmp/gh2"
recipe github github-actions.yml "$tmp/gh2" "$tmp/github.json" \
	"github: the workflow's steps pass on main"
check "github: main pulls every image from the cache, builds none" \
	test "$(grep -c ': pulled from ' "$out"):$(grep -c ': built in ' "$out")" = "4:0"
for i in $images; do
	check "github: main pushed $i:<commit>" sh -c 'printf "%s\n" "$1" | grep -qw "$2"' - "$(tags "team/$i")" 2222222222222222222222222222222222222222
done
cp "$out" "$tmp/github-main.log"
dockerd_stop

# --- GitLab CI, podman ----------------------------------------------------------------------

ctxgl() {
	cat >"$tmp/gitlab.json" <<EOF
{"gitlab": {"CI_REGISTRY": "$reg", "CI_REGISTRY_IMAGE": "$reg/group/project", "CI_REGISTRY_USER": "$user",
 "CI_REGISTRY_PASSWORD": "$password", "CI_COMMIT_SHORT_SHA": "$1", "CI_COMMIT_BRANCH": "$2",
 "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_REF_SLUG": "$2"}}
EOF
}
ctxgl aaaaaaa feature
project "$tmp/gl"
recipe gitlab gitlab-ci.yml "$tmp/gl" "$tmp/gitlab.json" \
	"gitlab: the job's script passes on a branch"
check "gitlab: the password never shows in the log" sh -c '! grep -q "$1" "$2"' - "$password" "$out"
check "gitlab: every image was built" test "$(grep -c ': built in ' "$out")" -eq 4
check "gitlab: the image store is in the project directory" test -d "$tmp/gl/.containers/storage"
check "gitlab: the cache registry holds web by its input digest" test "$(tags group/project/imagegen-cache/web | wc -c)" -eq 65
check "gitlab: a branch pushes no release" test -z "$(tags group/project/web)"
cp "$out" "$tmp/gitlab-branch.log"
# the next job: a fresh checkout in the same place ($CI_PROJECT_DIR), with
# what GitLab's cache kept, restored as GitLab restores it (times kept)
mkdir "$tmp/glcache"
cp -Rp "$tmp/gl/.containers" "$tmp/gl/build" "$tmp/glcache/"
rm -rf "$tmp/gl"
ctxgl bbbbbbb main
project "$tmp/gl"
cp -Rp "$tmp/glcache/.containers" "$tmp/glcache/build" "$tmp/gl/"
recipe gitlab gitlab-ci.yml "$tmp/gl" "$tmp/gitlab.json" \
	"gitlab: the job's script passes on main"
check "gitlab: with the cached store and build directory, main builds nothing" \
	test "$(grep -c ': built in ' "$out")" -eq 0
check "gitlab: configure in the cached build directory compiles nothing" grep -q "building gen/imagegen... up to date" "$out"
for i in $images; do
	check "gitlab: main pushed $i:bbbbbbb" sh -c 'printf "%s\n" "$1" | grep -qw bbbbbbb' - "$(tags "group/project/$i")"
done
finish
