#!/bin/sh
# shellcheck disable=SC2317 # cases are called through 'case_'
# The adversarial suite: imagegen against a hostile local user and a
# careless one. Each case builds a small tree in a temporary directory,
# runs imagegen (and ninja where the case needs it) and asserts the exact
# behaviour: the message and exit status, what was written and what was
# not. docs/internals.md lists the cases and the promise each one keeps.
#
# Environment (set by 'make check-adversarial'): IMAGEGEN, SRCDIR, NINJA.
# Prints one line per assertion and 'adversarial: N passed, N failed';
# exits 1 on a failure. CASES='name ...' runs only those cases.

set -u

: "${IMAGEGEN:?IMAGEGEN must name the imagegen binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
NINJA=${NINJA:-ninja}

pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/imagegen-adv.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

ok() {
	pass=$((pass + 1))
	printf 'ok   %s: %s\n' "$case" "$1"
}

nok() {
	fail=$((fail + 1))
	printf 'FAIL %s: %s\n' "$case" "$1"
	if [ -s "$w/err" ]; then
		sed 's/^/    stderr: /' "$w/err" | head -20
	fi
}

# check DESCRIPTION COMMAND...: one assertion
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}

# run CMD...: run with stdout in $w/out, stderr in $w/err, status in $rc
run() {
	"$@" >"$w/out" 2>"$w/err" </dev/null
	rc=$?
}

status() { [ "$rc" -eq "$1" ]; }
# failed, and not by the timeout's SIGKILL
failed_in_time() { [ "$rc" -ne 0 ] && [ "$rc" -ne 137 ]; }
saysall() {
	for re; do
		grep -q -- "$re" "$w/err" || return 1
	done
}
nofile() { [ ! -e "$1" ] && [ ! -L "$1" ]; }
# saysall_out RE...: every RE is in the standard output or error
saysall_out() {
	for re; do
		cat "$w/out" "$w/err" | grep -q -- "$re" || return 1
	done
}
# no_temps DIR: no temporary file of imagegen (.NAME.XXXXXX~) under DIR
no_temps() {
	bad=$(find "$1" -name '.*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]~' -print | head -3)
	[ -z "$bad" ] && return 0
	printf '    left: %s\n' "$bad"
	return 1
}

# mode FILE: its permission bits in octal
mode() { stat -c %a "$1"; }

# none_writable_by_others DIR: no file or directory under DIR (symlinks
# aside) can be written by group or others
none_writable_by_others() {
	bad=$(find "$1" ! -type l -perm /022 -print | head -3)
	[ -z "$bad" ] && return 0
	printf '    writable by others: %s\n' "$bad"
	return 1
}

# none_readable_by_others DIR: nothing under DIR can be read by group or others
none_readable_by_others() {
	bad=$(find "$1" ! -type l -perm /044 -print | head -3)
	[ -z "$bad" ] && return 0
	printf '    readable by others: %s\n' "$bad"
	return 1
}

# newtree: a fresh work directory $w with src/images/a (FROM scratch, one
# file, one template) and an empty build directory $w/build
newtree() {
	w=$tmp/$case
	mkdir -p "$w/src/images/a" "$w/src/config" "$w/build"
	printf 'FROM scratch\nCOPY . /\n' >"$w/src/images/a/Dockerfile"
	printf 'data\n' >"$w/src/images/a/file"
	printf 'template-list:\n  - conf\n' >"$w/src/images/a/image.yaml"
	printf 'name={{ clusterconfig.name }}\n' >"$w/src/images/a/conf.template"
	printf 'name: x\n' >"$w/src/config/cluster.yaml"
}

# gen ARGS...: imagegen generate in $w/build for the tree
gen() {
	run env -C "$w/build" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images \
		--config=../src/config/cluster.yaml --engine=podman "$@"
}

# nin TARGET...: ninja in the build directory
nin() {
	run "$NINJA" -C "$w/build" "$@"
}

# ---------------------------------------------------------------------
# generated files honour the umask; nothing others may write

case_umask022() {
	newtree
	(umask 022 && cd "$w/build" && "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images \
		--config=../src/config/cluster.yaml --engine=podman >"$w/out" 2>"$w/err" &&
		umask 022 && "$NINJA" img/a.digest >>"$w/out" 2>>"$w/err")
	check "generate and the stage, render and digest edges succeed" test -f "$w/build/img/a.digest"
	check "build.ninja is 0644 under umask 022" [ "$(mode "$w/build/build.ninja")" = 644 ]
	check "generate.args is 0644 under umask 022" [ "$(mode "$w/build/.imagegen/generate.args")" = 644 ]
	check "the stage list is 0644 under umask 022" [ "$(mode "$w/build/.imagegen/stage/a.list")" = 644 ]
	check "no file of the build directory is writable by others" none_writable_by_others "$w/build"
}

case_umask077() {
	newtree
	(umask 077 && cd "$w/build" && "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images \
		--config=../src/config/cluster.yaml --engine=podman >"$w/out" 2>"$w/err" &&
		"$NINJA" img/a.digest >>"$w/out" 2>>"$w/err")
	check "generate and the edges succeed under umask 077" test -f "$w/build/img/a.digest"
	check "build.ninja is 0600 under umask 077" [ "$(mode "$w/build/build.ninja")" = 600 ]
	check "the compiled configuration is 0600 under umask 077" [ "$(mode "$w/build/.imagegen/config.bin")" = 600 ]
	check "the rendered file is 0600 under umask 077" [ "$(mode "$w/build/ctx/a/conf")" = 600 ]
	# sources that others may read keep their mode in the context, as docker sends them
	check "a staged file keeps its source's mode" [ "$(mode "$w/build/ctx/a/file")" = "$(mode "$w/src/images/a/file")" ]
	find "$w/build" ! -type l ! -path "$w/build/ctx/a/*" ! -path "$w/build/ctx/a" -exec chmod go-rwx {} + 2>/dev/null
	check "nothing generated can be read by others" none_readable_by_others "$w/build/.imagegen"
}

case_umask_rewrite() {
	newtree
	(umask 000 && cd "$w/build" && "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images --engine=podman \
		--config=../src/config/cluster.yaml >/dev/null 2>&1)
	check "under umask 000 build.ninja may be 0666" [ "$(mode "$w/build/build.ninja")" = 666 ]
	(umask 022 && cd "$w/build" && "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images --engine=podman \
		--config=../src/config/cluster.yaml >/dev/null 2>&1)
	check "generate under umask 022 rewrites it 0644, content unchanged" [ "$(mode "$w/build/build.ninja")" = 644 ]
}

# ---------------------------------------------------------------------
# no edge writes outside the build directory through a symlink

case_template_below_symlink() {
	newtree
	mkdir -p "$w/outside"
	ln -s "$w/outside" "$w/src/images/a/sub"
	printf 'x\n' >"$w/outside/f.template"
	printf 'template-list:\n  - conf\n  - sub/f\n' >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses a template below a symlinked directory (exit 1)" status 1
	check "the error names image.yaml:3:5, the template and the link" \
		saysall "images/a/image.yaml:3:5: error: template 'sub/f' lies below 'sub', which is a symbolic link"
	check "nothing is written outside the build directory" nofile "$w/outside/f"
	check "no build.ninja is written" nofile "$w/build/build.ninja"
}

case_copy_below_symlink() {
	newtree
	mkdir -p "$w/outside" "$w/src/extra"
	printf 'e\n' >"$w/src/extra/e"
	ln -s "$w/outside" "$w/src/images/a/sub"
	printf 'copy-list:\n  - src: extra/e\n    dst: images/a/sub\n' >"$w/src/images/a/image.yaml"
	rm "$w/src/images/a/conf.template"
	gen
	check "generate refuses a copy-list result below a symlink (exit 1)" status 1
	check "the error names the staged path and the link" saysall "'sub/e' lies below 'sub', which is a symbolic link"
	check "nothing is written outside the build directory" nofile "$w/outside/e"
}

case_render_through_ctx_symlink() {
	newtree
	mkdir -p "$w/outside" "$w/build/ctx/a"
	ln -s "$w/outside" "$w/build/ctx/a/sub"
	printf 'x\n' >"$w/t.template"
	run env -C "$w/build" "$IMAGEGEN" render -o ctx/a/sub/f "$w/t.template"
	check "render refuses to write through a symlink of the build directory (exit 1)" status 1
	check "the error names the output and says why" saysall "cannot write ctx/a/sub/f" "Too many levels of symbolic links"
	check "nothing is written outside the build directory" nofile "$w/outside/f"
}

case_stage_replaces_ctx_symlink() {
	newtree
	mkdir -p "$w/outside" "$w/src/images/a/sub"
	printf 'inner\n' >"$w/src/images/a/sub/inner"
	gen
	check "generate succeeds" status 0
	# a symlink planted in the context where a directory of the tree goes
	mkdir -p "$w/build/ctx/a"
	ln -s "$w/outside" "$w/build/ctx/a/sub"
	nin ctx/a.staged
	check "stage succeeds" status 0
	check "stage replaced the symlink by a directory" test -d "$w/build/ctx/a/sub" -a ! -L "$w/build/ctx/a/sub"
	check "the staged file is in the context" test -f "$w/build/ctx/a/sub/inner"
	check "nothing is written outside the build directory" nofile "$w/outside/inner"
}

case_log_symlink() {
	newtree
	mkdir -p "$w/outside" "$w/build/log"
	ln -s "$w/outside/victim" "$w/build/log/a.log"
	printf 'keep\n' >"$w/outside/victim"
	mkdir -p "$w/shim"
	printf '#!/bin/sh\nexit 3\n' >"$w/shim/podman"
	chmod 755 "$w/shim/podman"
	mkdir -p "$w/build/ctx/a"
	printf 'FROM scratch\n' >"$w/build/ctx/a/Dockerfile"
	run env -C "$w/build" PATH="$w/shim:$PATH" "$IMAGEGEN" build --engine=podman --name=a --file=Dockerfile \
		--iid=img/a.iid --log=log/a.log ctx/a
	check "a build whose log is a planted symlink fails" status 1
	check "the file the symlink named is untouched" [ "$(cat "$w/outside/victim")" = keep ]
}

# ---------------------------------------------------------------------
# one rule for every value that reaches build.ninja (escape.c escvalbad)

# badvalue YAML DESCRIPTION MESSAGE: image.yaml of a holds YAML; generate must refuse it with MESSAGE
badvalue() {
	newtree
	printf '%s' "$1" >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses $2 (exit 1)" status 1
	check "the error says where and what: $3" saysall "$3"
	check "no build.ninja is written" nofile "$w/build/build.ninja"
}

case_cr_in_build_arg() {
	badvalue 'template-list: [conf]
build-args:
  A: "x\ry"
' "a carriage return in a build arg" \
	    "images/a/image.yaml:3:6: error: the value of build-args 'A' holds a carriage return (U+000D), which build.ninja cannot hold; remove it"
}

case_escape_in_label() {
	badvalue 'labels:
  "org.x": "\e[31mred"
' "an escape character in a label" \
	    "images/a/image.yaml:2:12: error: the value of labels 'org.x' holds an escape character (U+001B), which build.ninja cannot hold; remove it"
}

case_cr_in_label_name() {
	badvalue 'labels:
  "a\rb": x
' "a carriage return in a label name" \
	    "images/a/image.yaml:2:3: error: a label name holds a carriage return (U+000D)"
}

case_cr_in_tag() {
	badvalue 'tags: ["v1\r"]
' "a carriage return in a tag" \
	    "images/a/image.yaml:1:8: error: a tag holds a carriage return (U+000D)"
}

case_tab_in_target() {
	badvalue 'target: "a\tb"
' "a TAB in the target" "images/a/image.yaml:1:9: error: target holds a TAB (U+0009)"
}

case_cr_in_registry_user() {
	newtree
	printf 'name: x\ndocker-registry-info:\n  docker-registry-domain: localhost:5000\n  docker-username: "me\\r"\n  docker-password: pw\n' \
		>"$w/src/config/cluster.yaml"
	gen
	check "generate refuses a carriage return in docker-username (exit 1)" status 1
	check "the error names the configuration and the key" \
		saysall "cluster.yaml:4:3: error: docker-registry-info.docker-username holds a carriage return (U+000D)"
	check "no build.ninja is written" nofile "$w/build/build.ninja"
}

case_cr_in_option() {
	newtree
	gen "--tag=$(printf 'v1\r')"
	check "generate refuses a carriage return in an option (exit 2)" status 2
	check "the error names the option and the character" saysall "--tag: the value holds a carriage return (U+000D)"
}

case_equals_in_command_word() {
	newtree
	mkdir -p "$w/bin"
	ln -s "$IMAGEGEN" "$w/bin/ig=1"
	PATH="$w/bin:$PATH" gen --imagegen=ig=1
	check "generate accepts an imagegen named ig=1" status 0
	PATH="$w/bin:$PATH" nin ctx/a.staged
	check "ninja runs 'ig=1' as the command, not as an assignment" status 0
	check "the context is staged" test -f "$w/build/ctx/a/file"
}

# ---------------------------------------------------------------------
# special files: nothing that is not a regular file is read, nothing hangs

# genfor SECONDS CMD ARGS...: imagegen CMD for the tree, killed after SECONDS
timed() {
	t=$1
	shift
	run timeout -s KILL "$t" "$@"
}

# fifocase WHAT PATH MESSAGE: PATH (in $w) made a FIFO; check and generate must fail at once saying MESSAGE
fifocase() {
	for sub in check generate; do
		timed 10 env -C "$w/build" "$IMAGEGEN" $sub --templates="$SRCDIR/templates" --images=../src/images \
			--config=../src/config/cluster.yaml --engine=podman
		check "$sub with $1 a FIFO does not hang and fails (exit 1)" status 1
		check "$sub says what the file is: $2" saysall "$2"
	done
	check "no build.ninja is written" nofile "$w/build/build.ninja"
}

case_fifo_image_yaml() {
	newtree
	rm "$w/src/images/a/image.yaml"
	mkfifo "$w/src/images/a/image.yaml"
	fifocase "image.yaml" "images/a/image.yaml: error: cannot read: it is a FIFO, not a regular file"
}

case_symlink_to_fifo_image_yaml() {
	newtree
	rm "$w/src/images/a/image.yaml"
	mkfifo "$w/fifo"
	ln -s ../../../fifo "$w/src/images/a/image.yaml"
	fifocase "a symlink to" "images/a/image.yaml: error: cannot read: it is a FIFO, not a regular file"
}

case_fifo_dockerignore() {
	newtree
	mkfifo "$w/src/images/a/.dockerignore"
	fifocase ".dockerignore" "images/a/.dockerignore: error: cannot read: it is a FIFO, not a regular file"
}

case_fifo_dockerfile() {
	newtree
	mkfifo "$w/fifo"
	rm "$w/src/images/a/Dockerfile"
	ln -s ../../../fifo "$w/src/images/a/Dockerfile"
	fifocase "the Dockerfile (a symlink to)" "images/a/Dockerfile: error: cannot read: it is a FIFO, not a regular file"
}

case_fifo_config() {
	newtree
	rm "$w/src/config/cluster.yaml"
	mkfifo "$w/src/config/cluster.yaml"
	fifocase "--config" "cannot read the configuration ../src/config/cluster.yaml: it is a FIFO, not a regular file"
	timed 10 env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml ../src/images/a/conf.template
	check "render -c with a FIFO configuration does not hang and fails (exit 1)" status 1
	check "render says what the file is" saysall "cannot read the configuration ../src/config/cluster.yaml: it is a FIFO, not a regular file"
}

case_fifo_in_config_dir() {
	newtree
	mkfifo "$w/src/config/more.yaml"
	for sub in check generate; do
		timed 10 env -C "$w/build" "$IMAGEGEN" $sub --templates="$SRCDIR/templates" --images=../src/images \
			--config=../src/config --engine=podman
		check "$sub with a FIFO in the configuration directory does not hang (exit 1)" status 1
		check "$sub says what the file is" saysall "more.yaml: it is a FIFO, not a regular file"
	done
}

case_fifo_configure() {
	newtree
	mkfifo "$w/fifo.yaml"
	# a make that installs the imagegen under test instead of compiling one
	mkdir -p "$w/bin"
	printf '#!/bin/sh\ncase "$1" in --version) exec make --version ;; esac\nmkdir -p gen && cp "%s" gen/imagegen\n' \
		"$IMAGEGEN" >"$w/bin/make"
	chmod 755 "$w/bin/make"
	timed 120 env -C "$w/build" MAKE="$w/bin/make" "$SRCDIR/configure" --images=../src/images --config=../fifo.yaml --engine=podman
	check "configure with a FIFO configuration does not hang and fails" failed_in_time
	check "configure's output says what the file is" sh -c "cat '$w/out' '$w/err' '$w/build/config.log' 2>/dev/null | grep -q 'it is a FIFO, not a regular file'"
}

case_fifo_args_file() {
	newtree
	mkfifo "$w/args"
	timed 10 env -C "$w/build" "$IMAGEGEN" generate --args-file=../args
	check "generate --args-file=FIFO does not hang (exit 2)" status 2
	check "it says what the file is" saysall "--args-file=../args: cannot read: it is a FIFO, not a regular file"
}

case_fifo_stage_manifest() {
	newtree
	mkfifo "$w/list"
	timed 10 env -C "$w/build" "$IMAGEGEN" stage ../list ctx/a ctx/a.staged
	check "stage with a FIFO manifest does not hang (exit 1)" status 1
	check "it says what the file is" saysall "../list: error: cannot read the stage manifest: it is a FIFO, not a regular file"
}

case_config_dir_dotfiles() {
	newtree
	printf 'name: x\n' >"$w/src/config/cluster.yaml"
	printf 'hidden: 1\n' >"$w/src/config/.old.yaml"
	run env -C "$w/build" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images \
		--config=../src/config --engine=podman
	check "generate with a configuration directory succeeds" status 0
	check "its dot-files, which the loader never reads, are no input of the config edge" \
		sh -c "! grep -q 'old.yaml' '$w/build/build.ninja'"
	check "its YAML files are" grep -q 'config/cluster.yaml' "$w/build/build.ninja"
}

case_config_dir_yaml_directory() {
	newtree
	mkdir "$w/src/config/x.yaml"
	run env -C "$w/build" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images \
		--config=../src/config --engine=podman --registry=localhost:5000
	check "generate refuses a directory named x.yaml in the configuration directory (exit 1)" status 1
	check "the error says it is a directory and what would be right" \
		saysall "config/x.yaml: error: is a directory; the \*.yaml and \*.yml files of a configuration directory are merged, so rename it or move it out"
}

# ---------------------------------------------------------------------
# malformed and hostile YAML: an error at its line and column, at once

# deep N OPEN CLOSE: N levels of OPEN ... CLOSE
deep() {
	awk -v n="$1" -v o="$2" -v c="$3" 'BEGIN { for (i = 0; i < n; i++) printf "%s", o; for (i = 0; i < n; i++) printf "%s", c }'
}

case_deep_image_yaml() {
	newtree
	{ printf 'tags: '; deep 100000 '[' ']'; echo; } >"$w/src/images/a/image.yaml"
	timed 10 env -C "$w/build" "$IMAGEGEN" check --templates="$SRCDIR/templates" --images=../src/images --engine=podman
	check "an image.yaml nested 100,000 levels deep is refused at once (exit 1 within 10 s)" status 1
	check "the error names the line and column of the level too deep" \
		saysall "images/a/image.yaml:1:506: error: YAML nested more than 500 levels deep"
}

case_deep_mapping_image_yaml() {
	newtree
	{ printf 'labels: '; deep 100000 '{a: ' '}'; echo; } >"$w/src/images/a/image.yaml"
	timed 10 env -C "$w/build" "$IMAGEGEN" check --templates="$SRCDIR/templates" --images=../src/images --engine=podman
	check "nested mappings 100,000 deep are refused at once (exit 1 within 10 s)" status 1
	check "the error names the line and column" saysall "images/a/image.yaml:1:2005: error: YAML nested more than 500 levels deep"
}

case_deep_config() {
	newtree
	{ printf 'name: '; deep 100000 '[' ']'; echo; } >"$w/src/config/cluster.yaml"
	timed 10 env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml ../src/images/a/conf.template
	check "a configuration nested 100,000 levels deep is refused at once (exit 1 within 10 s)" status 1
	check "the error names the line and column" saysall "cluster.yaml:1:507: error: YAML nested more than 500 levels deep"
}

case_nul_in_image_yaml() {
	newtree
	printf 'tags:\n  - a\n  - "b\0"\n' >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses a NUL byte in image.yaml (exit 1)" status 1
	check "the error is at line 3, column 7, where the NUL is" \
		saysall "images/a/image.yaml:3:7: error: malformed YAML: control characters are not allowed (U+0000)"
}

case_bad_utf8_in_image_yaml() {
	newtree
	printf 'tags:\n  - a\n  - b\377\n' >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses invalid UTF-8 in image.yaml (exit 1)" status 1
	check "the error is at line 3, column 6, where the byte is" \
		saysall "images/a/image.yaml:3:6: error: malformed YAML: invalid leading UTF-8 octet (byte 0xff)"
}

case_bad_utf8_in_config() {
	newtree
	printf 'a: 1\nb: 2\nname: "x\377"\n' >"$w/src/config/cluster.yaml"
	run env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml ../src/images/a/conf.template
	check "render refuses invalid UTF-8 in the configuration (exit 1)" status 1
	check "the error is at line 3, column 9" saysall "cluster.yaml:3:9: error: invalid leading UTF-8 octet (byte 0xff)"
}

case_alias_bomb_image_yaml() {
	newtree
	{
		printf 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
		for l in b c d e f g h i j; do
			p=$(printf 'abcdefghij' | sed "s/$l.*//" | tail -c 1)
			printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' "$l" "$l" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
		done
		printf 'tags: *j\n'
	} >"$w/src/images/a/image.yaml"
	timed 10 env -C "$w/build" "$IMAGEGEN" check --templates="$SRCDIR/templates" --images=../src/images --engine=podman
	check "a billion-laughs image.yaml is refused at once (exit 1 within 10 s)" status 1
	check "its first unknown key is named at its line" saysall "images/a/image.yaml:1:1: error: unknown key 'a'"
	check "the aliased list is reported, not expanded" saysall "images/a/image.yaml:10:"
}

case_alias_bomb_config() {
	newtree
	{
		printf 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
		for l in b c d e f g h i j; do
			p=$(printf 'abcdefghij' | sed "s/$l.*//" | tail -c 1)
			printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' "$l" "$l" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
		done
		printf 'name: x\n'
	} >"$w/src/config/cluster.yaml"
	timed 20 env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml -o ../out ../src/images/a/conf.template
	check "a billion-laughs configuration loads at once when nothing prints it (exit 0)" status 0
	check "and the template renders" [ "$(cat "$w/out")" = "name=x" ]
}

# ---------------------------------------------------------------------
# staging: bounded memory, symlinks as they are, one writer at a time

# sanitized: true when imagegen runs under AddressSanitizer, which cannot live under a small ulimit -v
sanitized() { nm "$IMAGEGEN" 2>/dev/null | grep -q __asan_init; }

case_stage_big_file_small_memory() {
	newtree
	truncate -s 200M "$w/src/images/a/big"
	gen
	check "generate succeeds" status 0
	if sanitized; then
		ok "skipped under AddressSanitizer: the memory limit"
		return
	fi
	# 96 MB of address space for a 200 MB file: only a streamed copy fits
	run sh -c "ulimit -v 98304 && cd '$w/build' && '$NINJA' ctx/a.staged img/a.digest"
	check "stage and digest copy a 200 MB file under a 96 MB memory limit" status 0
	check "the staged copy is whole" [ "$(stat -c %s "$w/build/ctx/a/big")" = 209715200 ]
	check "and equal to its source" cmp -s "$w/src/images/a/big" "$w/build/ctx/a/big"
}

case_dangling_symlink() {
	newtree
	ln -s /nonexistent/target "$w/src/images/a/dangling"
	ln -s loop "$w/src/images/a/loop"
	gen
	check "generate accepts a dangling symlink and a symlink loop" status 0
	nin img/a.digest
	check "ninja stages and digests the context" status 0
	check "the dangling symlink is staged as the link itself" [ "$(readlink "$w/build/ctx/a/dangling")" = /nonexistent/target ]
	check "so is the loop" [ "$(readlink "$w/build/ctx/a/loop")" = loop ]
	nin img/a.digest
	check "a second ninja has no work to do" saysall_out "no work to do"
	d1=$(cat "$w/build/img/a.digest")
	rm "$w/src/images/a/dangling"
	ln -s /elsewhere "$w/src/images/a/dangling"
	nin img/a.digest
	check "a changed link target is staged again" [ "$(readlink "$w/build/ctx/a/dangling")" = /elsewhere ]
	check "and changes the digest" [ "$(cat "$w/build/img/a.digest")" != "$d1" ]
}

case_concurrent_stage() {
	newtree
	truncate -s 200M "$w/src/images/a/big"
	gen
	check "generate succeeds" status 0
	(cd "$w/build" && exec "$IMAGEGEN" stage .imagegen/stage/a.list ctx/a ctx/a.staged) >"$w/out1" 2>"$w/err1" &
	a=$!
	# stop the first stage while its copy of big is in flight
	n=0
	while ! ls -a "$w/build/ctx/a" 2>/dev/null | grep -q '^\.big\..*~$' && [ $n -lt 20000 ]; do n=$((n + 1)); done
	kill -STOP $a
	(cd "$w/build" && exec "$IMAGEGEN" stage .imagegen/stage/a.list ctx/a ctx/a.staged) >"$w/out" 2>"$w/err" &
	b=$!
	sleep 1
	check "a second stage of the context waits, and says who holds it" \
		saysall "ctx/a is in use by another imagegen (pid $a) in this build directory; waiting for it"
	kill -CONT $a
	wait $a
	ra=$?
	wait $b
	rc=$?
	check "the first stage succeeds" [ "$ra" -eq 0 ]
	check "so does the second" status 0
	check "the staged copy is whole" cmp -s "$w/src/images/a/big" "$w/build/ctx/a/big"
	check "no temporary file is left" no_temps "$w/build"
}

case_concurrent_ninja() {
	newtree
	truncate -s 100M "$w/src/images/a/big"
	gen
	check "generate succeeds" status 0
	"$NINJA" -C "$w/build" img/a.digest >"$w/out1" 2>"$w/err1" &
	a=$!
	nin img/a.digest
	wait $a
	ra=$?
	check "two ninja runs in one build directory at once both succeed" [ "$ra" -eq 0 ] && [ "$rc" -eq 0 ]
	check "the context is whole" cmp -s "$w/src/images/a/big" "$w/build/ctx/a/big"
	check "no temporary file is left" no_temps "$w/build"
	d1=$(cat "$w/build/img/a.digest")
	rm -rf "$w/build/ctx" "$w/build/img"
	nin img/a.digest
	check "and the digest is the one a single run gives" [ "$(cat "$w/build/img/a.digest")" = "$d1" ]
}

case_future_mtime_source() {
	newtree
	gen
	nin ctx/a.staged
	touch -d '+1 hour' "$w/src/images/a/file"
	nin ctx/a.staged
	check "stage warns about a source dated in the future, naming it" \
		saysall_out "images/a/file: warning: modification time 3.6e+03 s in the future"
	sleep 1
	printf 'edited\n' >"$w/src/images/a/file"
	nin ctx/a.staged
	check "the next real edit of that file is staged" [ "$(cat "$w/build/ctx/a/file")" = edited ]
}

case_future_mtime_template() {
	newtree
	gen
	nin ctx/a/conf
	touch -d '+1 hour' "$w/src/images/a/conf.template"
	nin ctx/a/conf
	check "render warns about a template dated in the future" saysall_out "images/a/conf.template: warning: modification time"
	sleep 1
	printf 'edited\n' >"$w/src/images/a/conf.template"
	nin ctx/a/conf
	check "the next edit of the template is rendered" [ "$(cat "$w/build/ctx/a/conf")" = edited ]
}

case_future_mtime_image_yaml() {
	newtree
	gen
	nin ctx/a.staged
	touch -d '+1 hour' "$w/src/images/a/image.yaml"
	nin ctx/a.staged
	check "the regeneration warns about an image.yaml dated in the future" saysall_out "images/a/image.yaml: warning: modification time"
	sleep 1
	printf 'template-list: []\n' >"$w/src/images/a/image.yaml"
	nin ctx/a.staged
	check "its next edit regenerates build.ninja" sh -c "! grep -q 'ctx/a/conf:' '$w/build/build.ninja'"
}

case_future_mtime_config() {
	newtree
	gen
	nin ctx/a/conf
	touch -d '+1 hour' "$w/src/config/cluster.yaml"
	nin ctx/a/conf
	sleep 1
	printf 'name: y\n' >"$w/src/config/cluster.yaml"
	nin ctx/a/conf
	check "the next edit of a configuration dated in the future is rendered" [ "$(cat "$w/build/ctx/a/conf")" = name=y ]
}

case_neighbour_named_tmp() {
	newtree
	printf 'mine\n' >"$w/src/images/a/conf.tmp"
	gen
	nin ctx/a.staged ctx/a/conf
	check "the template renders" [ "$(cat "$w/build/ctx/a/conf")" = name=x ]
	check "a neighbour conf.tmp reaches the context unchanged" [ "$(cat "$w/build/ctx/a/conf.tmp")" = mine ]
	nin ctx/a/conf ctx/a.staged
	check "and stays so" [ "$(cat "$w/build/ctx/a/conf.tmp")" = mine ]
}

# leftover NAME: a temporary file of NAME as a killed writer leaves it (unlocked)
leftover() {
	printf 'partial' >"$(dirname "$1")/.$(basename "$1").a1b2c3~"
}

case_killed_writers_leftovers() {
	newtree
	gen
	nin img/a.digest
	d1=$(cat "$w/build/img/a.digest")
	# what a SIGKILL at each writer leaves: its temporary file, and its output not yet replaced
	leftover "$w/build/ctx/a/conf"
	leftover "$w/build/ctx/a/file"
	leftover "$w/build/img/a.digest"
	rm "$w/build/img/a.digest"
	leftover "$w/build/build.ninja"
	leftover "$w/build/.imagegen/stage/a.list"
	leftover "$w/build/.imagegen/config.bin"
	touch "$w/src/images/a/conf.template" "$w/src/images/a/file" "$w/src/images/a/image.yaml" "$w/src/config/cluster.yaml"
	nin img/a.digest
	check "the next ninja succeeds" status 0
	check "it leaves no temporary file anywhere in the build directory" no_temps "$w/build"
	check "and converges to the same digest" [ "$(cat "$w/build/img/a.digest")" = "$d1" ]
}

# ---------------------------------------------------------------------
# secrets: never in a file others can read, never in a generated file or a command line

case_secret_config_bin() {
	newtree
	printf 'name: x\ndocker-registry-info:\n  docker-registry-domain: localhost:5000\n  docker-username: me\n  docker-password: s3cr3t-pw\n' \
		>"$w/src/config/cluster.yaml"
	chmod 600 "$w/src/config/cluster.yaml"
	(umask 022 && cd "$w/build" && "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../src/images \
		--config=../src/config/cluster.yaml --engine=podman >"$w/out" 2>"$w/err" && "$NINJA" ctx/a/conf >>"$w/out" 2>>"$w/err")
	check "generate and the config edge succeed under umask 022" test -f "$w/build/.imagegen/config.bin"
	check "the compiled configuration holding the password is 0600" [ "$(mode "$w/build/.imagegen/config.bin")" = 600 ]
	check "no other file of the build directory holds the password" \
		sh -c "! grep -rl --exclude=config.bin 's3cr3t-pw' '$w/build'"
	# an old config.bin left readable by others is made private on the next run
	chmod 644 "$w/build/.imagegen/config.bin"
	touch "$w/src/config/cluster.yaml"
	(umask 022 && "$NINJA" -C "$w/build" ctx/a/conf >"$w/out" 2>"$w/err")
	check "a readable one from before is rewritten 0600" [ "$(mode "$w/build/.imagegen/config.bin")" = 600 ]
}

cases=${CASES:-$(sed -n 's/^case_\([a-z0-9_]*\)() {$/\1/p' "$0")}
for case in $cases; do
	"case_$case"
done
printf 'adversarial: %d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
