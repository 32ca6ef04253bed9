# shellcheck shell=sh disable=SC2154 # $tmp, $realpodman, $realdocker: set by the caller
# Private container engines for the tests, sourced by tests/integration/run.sh
# and tests/ci/run.sh: podman in an image store under $tmp, docker on a
# dockerd under $tmp that the test starts and stops by its PID. The caller
# sets $tmp, and $realpodman or $realdocker (the engine's client), and
# calls podman_clean and dockerd_stop on every exit path.

# podman_store: a private image store, so the user's images are never
# touched: overlay where the kernel lets podman use it here (faster), else
# vfs; IMAGEGEN_TEST_STORAGE_DRIVER chooses
podman_store() {
	mkdir -p "$tmp/storage/tmp"
	cat >"$tmp/containers.conf" <<EOF
[engine]
tmp_dir = "$tmp/storage/tmp"
EOF
	CONTAINERS_STORAGE_CONF=$tmp/storage.conf
	CONTAINERS_CONF=$tmp/containers.conf
	BUILDAH_ISOLATION=chroot
	export CONTAINERS_STORAGE_CONF CONTAINERS_CONF BUILDAH_ISOLATION
	podmanstore=1
	driver=${IMAGEGEN_TEST_STORAGE_DRIVER:-}
	if [ -z "$driver" ]; then
		driver=overlay
		storage overlay || driver=vfs
	fi
	storage "$driver" || return 1
	echo "# podman storage driver: $driver"
}

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

podman_clean() {
	[ -n "$podmanstore" ] || return 0
	"$realpodman" rm -a -f >/dev/null 2>&1
	"$realpodman" rmi -a -f >/dev/null 2>&1
}

# dockerd_start NAME: a private docker daemon with its data under
# $tmp/NAME, no network, vfs storage; DOCKER_HOST names it
dockerd_start() {
	dk=$tmp/$1
	mkdir -p "$dk"
	dockerd --data-root "$dk/root" --exec-root "$dk/x" --pidfile "$dk/pid" -H "unix://$dk/sock" \
		--iptables=false --ip6tables=false --bridge=none --storage-driver=vfs >"$dk/log" 2>&1 &
	dockerpid=$!
	DOCKER_HOST=unix://$dk/sock
	DOCKER_CONFIG=$dk/config
	export DOCKER_HOST DOCKER_CONFIG
	unset DOCKER_CONTEXT
	n=300
	until "$realdocker" version >/dev/null 2>&1; do
		if ! kill -0 "$dockerpid" 2>/dev/null || [ "$n" -le 0 ]; then
			sed 's/^/    dockerd: /' "$dk/log" | tail -5
			return 1
		fi
		n=$((n - 1))
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
	n=150
	while kill -0 "$dockerpid" 2>/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.2
		n=$((n - 1))
	done
	if kill -0 "$dockerpid" 2>/dev/null; then
		kill -9 "$dockerpid" 2>/dev/null
		c=$(cat "$dk/x/containerd/containerd.pid" 2>/dev/null)
		[ -n "$c" ] && kill -9 "$c" 2>/dev/null
	fi
	wait "$dockerpid" 2>/dev/null
	dockerpid=
	unset DOCKER_HOST DOCKER_CONFIG
}

