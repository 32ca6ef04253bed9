#!/bin/sh
# shellcheck disable=SC2317,SC2016 # cases are called through 'case_'; sh -c scripts expand their own $
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

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=adversarial
tmpdir adv

# after a FAIL line: what the case's last command said on stderr
on_fail() {
	if [ -s "$w/err" ]; then
		sed 's/^/    stderr: /' "$w/err" | head -20
	fi
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

# podmanstore: a private podman image store for the cases that build for
# real (vfs driver, BUILDAH_ISOLATION=chroot); false if podman cannot
# build here, and the case then asserts less
podmanstore() {
	command -v podman >/dev/null 2>&1 || return 1
	[ -n "$stores" ] || podman_store "$tmp/podman" vfs
	podman info >/dev/null 2>&1
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
		timed 10 env -C "$w/build" "$IMAGEGEN" "$sub" --templates="$SRCDIR/templates" --images=../src/images \
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
		timed 10 env -C "$w/build" "$IMAGEGEN" "$sub" --templates="$SRCDIR/templates" --images=../src/images \
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
	timed 10 env -C "$w/build" "$IMAGEGEN" stage ../list ctx/a
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

# aliasbomb LINE: a YAML document of ten anchors, each a list of ten
# aliases of the one before (10^10 scalars once expanded), then LINE
aliasbomb() {
	printf 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
	for l in b c d e f g h i j; do
		p=$(printf 'abcdefghij' | sed "s/$l.*//" | tail -c 1)
		printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' "$l" "$l" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
	done
	printf '%s\n' "$1"
}

case_alias_bomb_image_yaml() {
	newtree
	aliasbomb 'tags: *j' >"$w/src/images/a/image.yaml"
	timed 10 env -C "$w/build" "$IMAGEGEN" check --templates="$SRCDIR/templates" --images=../src/images --engine=podman
	check "a billion-laughs image.yaml is refused at once (exit 1 within 10 s)" status 1
	check "its first unknown key is named at its line" saysall "images/a/image.yaml:1:1: error: unknown key 'a'"
	check "the aliased list is reported, not expanded" saysall "images/a/image.yaml:10:"
}

case_alias_bomb_config() {
	newtree
	aliasbomb 'name: x' >"$w/src/config/cluster.yaml"
	timed 20 env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml -o ../out ../src/images/a/conf.template
	check "a billion-laughs configuration loads at once when nothing prints it (exit 0)" status 0
	check "and the template renders" [ "$(cat "$w/out")" = "name=x" ]
}

case_malformed_image_yaml() {
	newtree
	printf 'template-list:\n  - conf\nbuild-args:\n  A: [1, 2\n' >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses an unclosed list in image.yaml (exit 1)" status 1
	check "the error is where the reader stopped, saying what it expected" \
		saysall "images/a/image.yaml:5:1: error: malformed YAML: did not find expected ',' or ']' while parsing a flow sequence (line 4)"
	check "no build.ninja is written" nofile "$w/build/build.ninja"
}

case_tab_indent_image_yaml() {
	newtree
	printf 'template-list:\n\t- conf\n' >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses a tab as indentation (exit 1)" status 1
	check "at its line and column" \
		saysall "images/a/image.yaml:2:1: error: malformed YAML: found character that cannot start any token"
}

case_duplicate_key_image_yaml() {
	newtree
	printf 'template-list:\n  - conf\ntags: [x]\ntags: [y]\n' >"$w/src/images/a/image.yaml"
	gen
	check "generate refuses a key given twice (exit 1), not the last one silently" status 1
	check "naming both places" saysall "images/a/image.yaml:4:1: error: duplicate key 'tags' (first at line 3)"
}

case_python_tag_image_yaml() {
	newtree
	printf 'template-list:\n  - conf\nbuild-args:\n  A: !!python/object/apply:os.system ["touch %s/pwned"]\n' "$w" \
		>"$w/src/images/a/image.yaml"
	gen
	check "generate refuses a Python tag in image.yaml (exit 1)" status 1
	check "naming the tag at its place" \
		saysall "images/a/image.yaml:4:6: error: the tag tag:yaml.org,2002:python/object/apply:os.system is not one a safe YAML loader accepts"
	check "nothing ran" nofile "$w/pwned"
	printf 'template-list:\n  - conf\nbuild-args:\n  A: !custom x\n' >"$w/src/images/a/image.yaml"
	gen
	check "nor any tag of its own (exit 1), read as if it were not there" status 1
	check "naming it" saysall "images/a/image.yaml:4:6: error: the tag !custom is not one a safe YAML loader accepts"
	printf 'template-list: !!seq\n  - conf\nbuild-args: !!map\n  A: !!str x\n  B: !!int 3\n' >"$w/src/images/a/image.yaml"
	gen
	check "the core schema's tags are accepted" status 0
	check "and read as their values" grep -q -- '--build-arg=A=x --build-arg=B=3' "$w/build/build.ninja"
}

case_python_tag_config() {
	newtree
	printf 'name: x\nhook: !!python/object/apply:os.system ["touch %s/pwned"]\n' "$w" >"$w/src/config/cluster.yaml"
	run env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml -o ../rendered ../src/images/a/conf.template
	check "render refuses a Python tag in the configuration (exit 1)" status 1
	check "naming the tag at its place" \
		saysall "cluster.yaml:2:7: error: the tag tag:yaml.org,2002:python/object/apply:os.system is not one a safe YAML loader accepts"
	check "nothing ran" nofile "$w/pwned"
	check "and nothing was rendered" nofile "$w/rendered"
	printf 'name: x\nm: !!map {a: 1}\ns: !!seq [1]\n' >"$w/src/config/cluster.yaml"
	run env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml -o ../rendered ../src/images/a/conf.template
	check "the core schema's collection tags are accepted" status 0
	printf 'name: x\nm: !!seq {a: 1}\n' >"$w/src/config/cluster.yaml"
	run env -C "$w/build" "$IMAGEGEN" render -c ../src/config/cluster.yaml -o ../rendered ../src/images/a/conf.template
	check "a mapping tagged as a list is refused (exit 1)" status 1
	check "at its place" saysall "cluster.yaml:2:4: error: the tag tag:yaml.org,2002:seq is not one a safe YAML loader accepts"
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
	(cd "$w/build" && exec "$IMAGEGEN" stage .imagegen/stage/a.list ctx/a) >"$w/out1" 2>"$w/err1" &
	a=$!
	# stop the first stage while its copy of big is in flight
	n=0
	# shellcheck disable=SC2010 # the name is a pattern
	while ! ls -a "$w/build/ctx/a" 2>/dev/null | grep -q '^\.big\..*~$' && [ "$n" -lt 20000 ]; do n=$((n + 1)); done
	kill -STOP "$a"
	(cd "$w/build" && exec "$IMAGEGEN" stage .imagegen/stage/a.list ctx/a) >"$w/out" 2>"$w/err" &
	b=$!
	sleep 1
	check "a second stage of the context waits, and says who holds it" \
		saysall "ctx/a is in use by another imagegen (pid $a) in this build directory; waiting for it"
	kill -CONT "$a"
	wait "$a"
	ra=$?
	wait "$b"
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
	wait "$a"
	ra=$?
	check "of two ninja runs in one build directory at once, the first succeeds" [ "$ra" -eq 0 ]
	check "and the second" [ "$rc" -eq 0 ]
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

case_future_mtime_subdir() {
	newtree
	mkdir -p "$w/src/images/a/sub"
	printf 'x\n' >"$w/src/images/a/sub/f"
	gen
	nin ctx/a.staged
	touch -d '+1 hour' "$w/src/images/a/sub"
	gen
	check "generate warns about a directory of an image dated in the future" saysall "images/a/sub: warning: modification time"
	check "and sets it to now" [ "$(stat -c %Y "$w/src/images/a/sub")" -le "$(date +%s)" ]
	sleep 1
	printf 'y\n' >"$w/src/images/a/sub/g"
	nin ctx/a.staged
	check "a file added there later regenerates build.ninja" grep -q 'images/a/sub/g' "$w/build/build.ninja"
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

# ---------------------------------------------------------------------
# the engine: nothing it leaves behind blocks imagegen

case_engine_background_process() {
	newtree
	mkdir -p "$w/shim" "$w/build/img"
	# a docker whose push leaves a process in the background holding its standard output
	cat >"$w/shim/docker" <<EOF
#!/bin/sh
case "\$1" in
tag) exit 0 ;;
push) sleep 60 & echo \$! >"$w/bgpid"; echo "v: digest: sha256:$(printf '%064d' 0) size: 1"; exit 0 ;;
esac
exit 1
EOF
	chmod 755 "$w/shim/docker"
	printf 'sha256:%064d\n' 1 >"$w/build/img/a.iid"
	timed 20 env -C "$w/build" PATH="$w/shim:$PATH" "$IMAGEGEN" push --engine=docker --iid=img/a.iid \
		--repo=localhost:5000/a -o push/a.pushed
	[ -s "$w/bgpid" ] && kill "$(cat "$w/bgpid")" 2>/dev/null
	check "push returns when the engine exits, whatever it left running (exit 0 within 20 s)" status 0
	check "and records the manifest digest the engine printed" grep -q "localhost:5000/a@sha256:$(printf '%064d' 0)" "$w/build/push/a.pushed"
}

# ---------------------------------------------------------------------
# odd places: the build directory in the tree, paths too long

case_builddir_in_image_dir() {
	newtree
	mkdir -p "$w/src/images/a/build"
	run env -C "$w/src/images/a/build" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../.. --engine=podman
	check "generate refuses a build directory inside an image directory (exit 1)" status 1
	check "the error says why and what would be right" \
		saysall "../../a: error: the build directory $w/src/images/a/build lies inside this image directory" \
		"configure in a directory outside the images roots, or exclude 'build' in ../../a/.dockerignore"
	check "nothing is written" nofile "$w/src/images/a/build/build.ninja"
	printf 'build\n' >"$w/src/images/a/.dockerignore"
	run env -C "$w/src/images/a/build" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=../.. --engine=podman \
		--config=../../../config/cluster.yaml
	check "one that .dockerignore excludes is accepted" status 0
	check "and nothing of it is staged" sh -c "! grep -q 'build' '$w/src/images/a/build/.imagegen/stage/a.list'"
	run "$NINJA" -C "$w/src/images/a/build" img/a.digest
	check "ninja builds the context there" status 0
	run "$NINJA" -C "$w/src/images/a/build" img/a.digest
	check "and a second ninja has no work to do (no regeneration)" saysall_out "no work to do"
	check "the context does not nest" nofile "$w/src/images/a/build/ctx/a/build"
}

case_builddir_is_image_dir() {
	newtree
	run env -C "$w/src/images/a" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=.. --engine=podman
	check "generate refuses the image directory itself as build directory (exit 1)" status 1
	check "the error says so" saysall "../a: error: the build directory is this image directory"
	check "nothing is written" nofile "$w/src/images/a/build.ninja"
}

case_builddir_in_images_root() {
	newtree
	mkdir -p "$w/src/images/build"
	run env -C "$w/src/images/build" "$IMAGEGEN" generate --templates="$SRCDIR/templates" --images=.. --engine=podman
	check "generate refuses a build directory inside an images root (exit 1)" status 1
	check "the error says why" saysall "..: error: the build directory $w/src/images/build lies inside this images root"
	check "nothing is written" nofile "$w/src/images/build/build.ninja"
}

case_path_too_long() {
	newtree
	# a directory of the image deeper than PATH_MAX
	"${PYTHON:-python3}" -c 'import os, sys
os.chdir(sys.argv[1])
for i in range(45):
    os.mkdir("%0100d" % i)
    os.chdir("%0100d" % i)
open("f", "w").write("x")' "$w/src/images/a"
	run env -C "$w/build" "$IMAGEGEN" check --templates="$SRCDIR/templates" --images=../src/images --engine=podman
	check "check fails on a path longer than PATH_MAX (exit 1)" status 1
	check "it says the name is too long" saysall "error: cannot read: File name too long"
	check "and nothing false after it: no 'no Dockerfile'" sh -c "! grep -q 'no Dockerfile' '$w/err'"
	check "one error in all" saysall "imagegen: 1 error"
	"${PYTHON:-python3}" -c 'import shutil, sys, os
os.chdir(sys.argv[1])
shutil.rmtree("%0100d" % 0)' "$w/src/images/a"
}

case_dockerignore_excludes_dockerfile() {
	newtree
	printf '*\n!file\n' >"$w/src/images/a/.dockerignore"
	gen
	nin ctx/a.staged
	check "the context holds the Dockerfile" test -f "$w/build/ctx/a/Dockerfile"
	check "and .dockerignore, which the engine applies again, so that COPY sees neither" \
		test -f "$w/build/ctx/a/.dockerignore"
	check "and what it lets through" test -f "$w/build/ctx/a/file"
	check "not what it excludes" nofile "$w/build/ctx/a/conf"
	if podmanstore; then
		nin img/a.iid
		check "podman builds it" status 0
		run podman image save "$(cat "$w/build/img/a.iid")" -o "$w/a.tar"
		mkdir -p "$w/x"
		tar -xf "$w/a.tar" -C "$w/x"
		for l in "$w"/x/*/layer.tar "$w"/x/blobs/sha256/*; do tar -tf "$l" 2>/dev/null; done | sed 's|^\./||' | sort -u >"$w/files"
		check "the image holds file" grep -qx file "$w/files"
		check "the image holds no Dockerfile, as when docker builds the directory" sh -c "! grep -qx Dockerfile '$w/files'"
		check "nor .dockerignore" sh -c "! grep -qx .dockerignore '$w/files'"
	fi
}

# ---------------------------------------------------------------------
# odd names: any valid image name works, or is refused at generate time

# image NAME: one more image (FROM scratch) in the tree
image() {
	mkdir -p "$w/src/images/$1"
	printf 'FROM scratch\n' >"$w/src/images/$1/Dockerfile"
	printf '{}\n' >"$w/src/images/$1/image.yaml"
}

# clash NAME MESSAGE [OPTION...]: an image NAME beside a; generate refuses it saying MESSAGE
clash() {
	newtree
	image "$1"
	n=$1
	m=$2
	shift 2
	gen "$@"
	check "generate refuses an image named $n (exit 1)" status 1
	check "the error names both makers and the path" saysall "$m"
	check "no build.ninja is written" nofile "$w/build/build.ninja"
}

case_name_all() {
	clash all "images/all: error: build.ninja itself and image 'all' (../src/images/all) would both make 'all'; rename the image directory 'all'"
}

case_name_build_ninja() {
	clash build.ninja "images/build.ninja: error: build.ninja itself and image 'build.ninja' (../src/images/build.ninja) would both make 'build.ninja'"
}

case_name_push() {
	clash push "error: build.ninja itself and image 'push' (../src/images/push) would both make 'push'" --registry=localhost:5000
}

case_name_push_a() {
	clash push-a "error: image 'a' (../src/images/a) and image 'push-a' (../src/images/push-a) would both make 'push-a'" --registry=localhost:5000
}

case_name_staged() {
	clash a.staged "image 'a.staged' (../src/images/a.staged) would make 'ctx/a.staged/Dockerfile' below 'ctx/a.staged', which image 'a' (../src/images/a) makes as a file"
}

case_name_push_log() {
	clash a.push "image 'a' (../src/images/a) and image 'a.push' (../src/images/a.push) would both make 'log/a.push.log'" --registry=localhost:5000
}

case_name_publish() {
	clash publish "build.ninja itself and image 'publish' (../src/images/publish) would both make 'log/publish.log'" --registry=localhost:5000
}

case_names_that_work() {
	newtree
	for n in push-x all-images pushed ctx img log a.push2 a.b a--b a__b 0; do image "$n"; done
	gen --registry=localhost:5000
	check "valid names that clash with nothing are accepted" status 0
	nin img/ctx.digest img/log.digest img/0.digest
	check "and build" status 0
}

# ---------------------------------------------------------------------
# no stale state: what a removed image leaves is removed

case_removed_image() {
	newtree
	image b
	printf 'b\n' >"$w/src/images/b/data"
	gen
	nin img/a.digest img/b.digest
	check "two images are staged and digested" test -f "$w/build/img/b.digest"
	mkdir -p "$w/build/log" "$w/build/push"
	printf 'log\n' >"$w/build/log/b.log"
	printf 'other\n' >"$w/build/log/keep-me"
	rm -rf "$w/src/images/b"
	nin img/a.digest
	check "ninja regenerates after the image is removed" status 0
	check "its context is removed" nofile "$w/build/ctx/b"
	check "its stamp is removed" nofile "$w/build/ctx/b.staged"
	check "its digest is removed" nofile "$w/build/img/b.digest"
	check "its log is removed" nofile "$w/build/log/b.log"
	check "its stage manifest is removed" nofile "$w/build/.imagegen/stage/b.list"
	check "the other image's files stay" test -f "$w/build/ctx/a/file" -a -f "$w/build/img/a.digest" -a -f "$w/build/.imagegen/stage/a.list"
	check "and so does a file imagegen did not make" test -f "$w/build/log/keep-me"
}

case_renamed_image() {
	newtree
	gen
	nin img/a.digest
	mv "$w/src/images/a" "$w/src/images/c"
	nin img/c.digest
	check "ninja builds the renamed image" status 0
	check "the old name's context is removed" nofile "$w/build/ctx/a"
	check "the old name's digest is removed" nofile "$w/build/img/a.digest"
	check "the new one is there" test -f "$w/build/ctx/c/file"
}

# ---------------------------------------------------------------------
# templates that loop or explode: an error at the template's line, at once

# explode NAME TEMPLATE MESSAGE [CONFIG]: render TEMPLATE; it must fail within 60 s saying MESSAGE, writing nothing
explode() {
	newtree
	printf '%s\n' "$2" >"$w/t.j2"
	printf 'keep\n' >"$w/out.txt"
	# 4 GB of address space, a guard should a bound fail (not under
	# AddressSanitizer, whose shadow memory needs terabytes of it)
	lim='ulimit -v 4000000 2>/dev/null;'
	sanitized && lim=
	if [ -n "${4:-}" ]; then
		timed 60 sh -c "$lim exec '$IMAGEGEN' render -c '$4' -o '$w/out.txt' '$w/t.j2'"
	else
		timed 60 sh -c "$lim exec '$IMAGEGEN' render -o '$w/out.txt' '$w/t.j2'"
	fi
	check "$1: render fails with an error, not the machine's memory (exit 1 within 60 s)" status 1
	check "$1: the error names the line and the limit: $3" saysall "$3"
	check "$1: the output file is left as it was" [ "$(cat "$w/out.txt")" = keep ]
}

case_template_list_doubling() {
	explode "a list doubled 40 times" \
		'{% set ns = namespace(x=[1]) %}{% for i in range(40) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x|length }}' \
		"t.j2:1:75: error: list concatenation larger than 4194304 items, the limit of one value"
}

case_template_extend_doubling() {
	explode "a list extended by itself" \
		'{% set x = [1] %}{% for i in range(40) %}{{ x.extend(x) }}{% endfor %}' \
		"t.j2:1:53: error: extending the list past 4194304 items, the limit of one value"
}

case_template_string_doubling() {
	explode "a string doubled past 256 MB" \
		'{% set s = ("x" * 10000000) * 14 %}{{ s ~ s }}' \
		"t.j2:1:41: error: string larger than 256 MB"
}

case_template_billion_laughs() {
	newtree
	{
		printf 'a: &a ["xxxxxxxxxx","x","x","x","x","x","x","x","x","x"]\n'
		p=a
		for l in b c d e f g h i j; do
			printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' "$l" "$l" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
			p=$l
		done
	} >"$w/bomb.yaml"
	explode "printing a billion-laughs configuration" 'x
{{ j }}' "t.j2:2:1: error: the output is larger than 256 MB" "$w/bomb.yaml"
}

case_template_endless_loop() {
	explode "a loop without end" \
		'{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}' \
		"t.j2:1:32: error: the template runs more than 5000000 loop iterations"
}

case_template_recursion() {
	explode "a macro calling itself without end" \
		'{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}' \
		"t.j2:1:"
}

case_template_memory() {
	explode "many large lists kept" \
		'{% set ns = namespace(l=[]) %}{% set s = "x" * 10000000 %}{% for i in range(100) %}{% set ns.l = ns.l + [(s ~ i) * 20] %}{% endfor %}' \
		"error: the rendering holds more than 1024 MB of values, the limit of one rendering"
}

# ---------------------------------------------------------------------
# corrupted build state: an error naming the file and the way to rebuild it

# built: a tree generated and built up to the digest, with a configuration
built() {
	newtree
	gen
	nin img/a.digest
}

case_corrupt_config_bin() {
	built
	printf 'garbage\n' >"$w/build/.imagegen/config.bin"
	touch "$w/src/images/a/conf.template"
	nin img/a.digest
	check "a render with a garbage config.bin fails" [ "$rc" -ne 0 ]
	check "saying what the file is not and what to do" \
		saysall_out ".imagegen/config.bin: error: not a configuration compiled by imagegen config (it does not start with 'imagegen-config'); it is build state: remove it and run ninja again"
	rm "$w/build/.imagegen/config.bin"
	nin img/a.digest
	check "once removed, the next ninja compiles it again and succeeds" status 0
}

case_truncated_config_bin() {
	built
	head -c 20 "$w/build/.imagegen/config.bin" >"$w/cb" && cat "$w/cb" >"$w/build/.imagegen/config.bin"
	touch "$w/src/images/a/conf.template"
	nin img/a.digest
	check "a render with a truncated config.bin fails" [ "$rc" -ne 0 ]
	check "saying it is truncated and what to do" \
		saysall_out ".imagegen/config.bin: error: malformed compiled configuration: truncated; it is build state: remove it and run ninja again"
}

case_corrupt_stage_manifest() {
	built
	printf 'F\tx\n' >"$w/build/.imagegen/stage/a.list"
	touch "$w/src/images/a/file"
	nin img/a.digest
	check "stage with a corrupt manifest fails" [ "$rc" -ne 0 ]
	check "naming the manifest, its line and what to do" \
		saysall_out ".imagegen/stage/a.list:1:1: error: not a stage manifest; expected the first line to be '# imagegen stage manifest 1'; it is build state: remove it and run ninja again"
	check "and touching nothing of the context" test -f "$w/build/ctx/a/file"
	rm "$w/build/.imagegen/stage/a.list"
	nin img/a.digest
	check "once removed, the next ninja regenerates it and succeeds" status 0
}

case_corrupt_generate_args() {
	built
	printf -- '--bogus\n' >>"$w/build/.imagegen/generate.args"
	touch "$w/src/images/a/image.yaml"
	nin img/a.digest
	check "the regeneration with a corrupt generate.args fails" [ "$rc" -ne 0 ]
	check "naming the option, the file and its line" saysall_out "generate: unknown option '--bogus'" \
		".imagegen/generate.args:10: note: the option is read from here"
	check "build.ninja is left as it was" grep -q "build img/a.digest" "$w/build/build.ninja"
}

case_corrupt_digest() {
	built
	printf 'nonsense\n' >"$w/build/img/a.digest"
	run env -C "$w/build" "$IMAGEGEN" digest a
	check "imagegen digest with a corrupt digest file fails (exit 1)" status 1
	check "naming it and what to do" saysall "img/a.digest:1: not a digest; expected one line 'sha256:<64 hex digits>'; it is build state: remove it and run ninja again"
}

case_corrupt_lock() {
	built
	printf 'anything at all\n' >"$w/build/.imagegen/lock"
	touch "$w/src/images/a/file"
	nin img/a.digest
	check "the lock file's content does not matter" status 0
}

# ---------------------------------------------------------------------
# kills at several points of a build: the next ninja converges

# stopat FILEGLOB PID: wait until FILEGLOB exists under the build directory, then stop PID
stopwhen() {
	n=0
	while [ -z "$(find "$w/build" -name "$1" 2>/dev/null | head -1)" ] && [ "$n" -lt 20000 ]; do n=$((n + 1)); done
	kill -STOP "$2" 2>/dev/null
}

case_kill_stage_midcopy() {
	newtree
	truncate -s 100M "$w/src/images/a/big"
	gen
	nin img/a.digest
	d1=$(cat "$w/build/img/a.digest")
	rm -rf "$w/build/ctx"
	if command -v strace >/dev/null 2>&1; then
		# SIGKILL at the 200th write, 12.5 MB into the copy, however fast the machine
		(cd "$w/build" && exec strace -qq -o /dev/null -e trace=write -e inject=write:signal=KILL:when=200 \
			"$IMAGEGEN" stage .imagegen/stage/a.list ctx/a) >/dev/null 2>&1
	else
		(cd "$w/build" && exec "$IMAGEGEN" stage .imagegen/stage/a.list ctx/a) >/dev/null 2>&1 &
		a=$!
		stopwhen '.big.*~' "$a"
		kill -KILL "$a"
		wait "$a" 2>/dev/null
	fi
	check "a stage killed in the middle of a copy leaves its temporary file" \
		sh -c "find '$w/build/ctx' -name '.big.*~' | grep -q ."
	nin img/a.digest
	check "the next ninja succeeds" status 0
	check "and removes it" no_temps "$w/build"
	check "the context is whole" cmp -s "$w/src/images/a/big" "$w/build/ctx/a/big"
	check "and the digest is the same" [ "$(cat "$w/build/img/a.digest")" = "$d1" ]
}

case_kill_ninja_midstage() {
	newtree
	truncate -s 100M "$w/src/images/a/big"
	gen
	nin img/a.digest
	d1=$(cat "$w/build/img/a.digest")
	rm -rf "$w/build/ctx" "$w/build/img"
	# ninja and its edges in a process group of their own, killed together
	setsid "$NINJA" -C "$w/build" img/a.digest >/dev/null 2>&1 &
	a=$!
	stopwhen '.big.*~' "$a"
	kill -KILL -"$a" 2>/dev/null
	wait "$a" 2>/dev/null
	nin img/a.digest
	check "after ninja and its stage are killed together, the next ninja succeeds" status 0
	check "no temporary file is left" no_temps "$w/build"
	check "the digest is the same" [ "$(cat "$w/build/img/a.digest")" = "$d1" ]
}

case_kill_build() {
	newtree
	mkdir -p "$w/shim"
	printf '#!/bin/sh\necho $$ >"%s/engine.pid"\nexec sleep 60\n' "$w" >"$w/shim/podman"
	chmod 755 "$w/shim/podman"
	gen
	PATH="$w/shim:$PATH" setsid "$NINJA" -C "$w/build" img/a.iid >/dev/null 2>&1 &
	a=$!
	n=0
	while [ ! -s "$w/engine.pid" ] && [ "$n" -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	kill -KILL -"$a" 2>/dev/null
	wait "$a" 2>/dev/null
	check "a build killed while the engine runs records no image ID" nofile "$w/build/img/a.iid"
	# an engine that builds: writes an ID to --iidfile
	printf '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = --iidfile ] && printf "sha256:%%064d\\n" 7 >"$2"; shift; done\n' >"$w/shim/podman"
	PATH="$w/shim:$PATH" nin img/a.iid
	check "the next ninja builds it" status 0
	check "and records the ID" grep -q "sha256:$(printf '%064d' 7)" "$w/build/img/a.iid"
	check "no temporary file is left" no_temps "$w/build"
	check "nor the engine's ID file" sh -c "! ls '$w/build/img/' | grep -q engine"
}

# ---------------------------------------------------------------------
# disk full, read-only build directory

# smallfs DIR SIZE: a tmpfs of SIZE at DIR; false where mounting is not allowed
smallfs() {
	mkdir -p "$1"
	mount -t tmpfs -o "size=$2" tmpfs "$1" 2>/dev/null
}

case_disk_full() {
	newtree
	if ! smallfs "$w/build" 2m; then
		ok "skipped: no tmpfs can be mounted here"
		return
	fi
	head -c 3000000 /dev/zero >"$w/src/images/a/big"
	gen
	nin img/a.digest
	check "staging a file larger than the disk fails" [ "$rc" -ne 0 ]
	check "naming the file and the cause" saysall_out "cannot write 'ctx/a/big': No space left on device"
	check "leaving no temporary file to fill the disk" no_temps "$w/build"
	rm "$w/src/images/a/big"
	nin img/a.digest
	check "once the file is gone, the next ninja succeeds" status 0
	check "and the context is right" test -f "$w/build/ctx/a/file" -a ! -e "$w/build/ctx/a/big"
}

case_readonly_builddir() {
	newtree
	if [ "$(id -u)" -eq 0 ]; then
		if ! smallfs "$w/build" 16m; then
			ok "skipped: no tmpfs can be mounted here"
			return
		fi
	fi
	gen
	nin img/a.digest
	d1=$(cat "$w/build/img/a.digest")
	printf 'changed\n' >"$w/src/images/a/file"
	if [ "$(id -u)" -eq 0 ]; then
		mount -o remount,ro "$w/build"
	else
		chmod -R a-w "$w/build"
	fi
	nin img/a.digest
	check "ninja in a read-only build directory fails" [ "$rc" -ne 0 ]
	check "saying which file cannot be written and why" saysall_out "Read-only file system\|Permission denied"
	check "and changes nothing" [ "$(cat "$w/build/img/a.digest")" = "$d1" ]
	if [ "$(id -u)" -eq 0 ]; then
		mount -o remount,rw "$w/build"
	else
		chmod -R u+w "$w/build"
	fi
	nin img/a.digest
	check "once writable again, the next ninja succeeds" status 0
	check "with the change" [ "$(cat "$w/build/ctx/a/file")" = changed ]
}

# ---------------------------------------------------------------------
# the staged context changed by hand: build.ninja names only its stamp,
# so the digest and build edges check it and stage it again

case_ctx_tampered() {
	newtree
	mkdir -p "$w/shim"
	# an engine that builds: records what the context holds, writes an ID
	cat >"$w/shim/podman" <<EOF
#!/bin/sh
for a; do ctx=\$a; done
(cd "\$ctx" && find . -type f | LC_ALL=C sort && cat file) >"$w/seen"
echo "\$1" >>"$w/runs"
while [ \$# -gt 0 ]; do [ "\$1" = --iidfile ] && printf "sha256:%064d\\n" 5 >"\$2"; shift; done
EOF
	chmod 755 "$w/shim/podman"
	gen
	PATH="$w/shim:$PATH" nin img/a.iid
	check "the image is built" status 0
	d1=$(cat "$w/build/img/a.digest")
	rm "$w/build/ctx/a/file" "$w/build/img/a.iid" "$w/seen"
	printf 'stray\n' >"$w/build/ctx/a/stray"
	PATH="$w/shim:$PATH" nin img/a.iid
	check "a build after a staged copy was removed by hand succeeds" status 0
	check "saying what changed and that it staged the context again" saysall_out \
		"ctx/a.staged: note: ctx/a/" "after the context was staged; staging ctx/a again from .imagegen/stage/a.list"
	check "the engine saw the removed copy again" grep -qx "./file" "$w/seen"
	check "and not the file added by hand" sh -c "! grep -q stray '$w/seen'"
	PATH="$w/shim:$PATH" nin
	PATH="$w/shim:$PATH" nin
	check "then ninja has no work to do" saysall_out "no work to do"
	check "the engine built twice in all" [ "$(grep -c build "$w/runs")" -eq 2 ]
	# changed in place, size and times kept: the digest edge stages it again before it hashes
	touch -r "$w/build/ctx/a/file" "$w/t"
	printf 'DATA\n' >"$w/build/ctx/a/file"
	touch -r "$w/t" "$w/build/ctx/a/file"
	rm "$w/build/img/a.digest"
	PATH="$w/shim:$PATH" nin img/a.digest
	check "the digest is that of the sources, not of the changed copy" [ "$(cat "$w/build/img/a.digest")" = "$d1" ]
	check "and the copy is the source again" grep -qx data "$w/build/ctx/a/file"
	check "no temporary file is left" no_temps "$w/build"
}

# ---------------------------------------------------------------------
# a registry that is down; secrets by file and by environment

case_registry_down() {
	newtree
	# a port nothing listens on
	port=$(PYTHON=python3 free_port)
	mkdir -p "$w/shim"
	printf '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = --iidfile ] && printf "sha256:%%064d\\n" 3 >"$2"; shift; done\n' >"$w/shim/podman.build"
	if ! podmanstore; then
		ok "skipped: podman cannot run here"
		return
	fi
	gen --registry="127.0.0.1:$port" --insecure-registry
	timed 300 "$NINJA" -C "$w/build" push
	check "a push to a registry that is down fails" [ "$rc" -ne 0 ]
	check "saying which push failed and where its log is" saysall_out "push of a to 127.0.0.1:$port/a:" "failed (podman exit status" "the full log is log/a.push.log"
	check "the log says why" grep -qi "connection refused\|dial tcp" "$w/build/log/a.push.log"
	check "nothing is recorded as pushed" nofile "$w/build/push/a.pushed"
	check "the image is built all the same" test -s "$w/build/img/a.iid"
	timed 300 "$NINJA" -C "$w/build" push
	check "the next ninja tries the push again (and fails again)" saysall_out "push of a to 127.0.0.1:$port/a:"
}

# secretpush HOW...: push through a shim engine that logs its arguments and standard input
secretpush() {
	mkdir -p "$w/shim" "$w/build/img"
	cat >"$w/shim/podman" <<EOF
#!/bin/sh
echo "ARGV \$*" >>"$w/engine.log"
if [ "\$1" = login ]; then echo "STDIN \$(cat)" >>"$w/engine.log"; fi
for a; do case "\$a" in *.manifest) printf 'sha256:%064d\n' 5 >"\$a" ;; esac; done
exit 0
EOF
	chmod 755 "$w/shim/podman"
	printf 'sha256:%064d\n' 1 >"$w/build/img/a.iid"
	printf 'sha256:%064d\n' 2 >"$w/build/img/a.digest"
	# shellcheck disable=SC2086 # $secretopt is one option
	run env -C "$w/build" PATH="$w/shim:$PATH" "$@" "$IMAGEGEN" push --engine=podman --iid=img/a.iid --digest=img/a.digest \
		--repo=localhost:5000/a --log=log/a.push.log --user=me $secretopt -o push/a.pushed
}

case_secret_by_file() {
	newtree
	printf 's3cr3t-file\n' >"$w/pw"
	chmod 600 "$w/pw"
	secretopt=--password-file=../pw
	secretpush env
	check "push with a password file succeeds" status 0
	check "the engine logs in with the password on its standard input" grep -qx "STDIN s3cr3t-file" "$w/engine.log"
	check "and never on a command line" sh -c "! grep '^ARGV' '$w/engine.log' | grep -q s3cr3t"
	check "no file of the build directory holds it" sh -c "! grep -rq s3cr3t '$w/build'"
	gen --registry=localhost:5000 --registry-user=me --registry-password-file=../pw
	check "generate records the file's name, never its content" sh -c "grep -q 'password-file=../pw' '$w/build/build.ninja' && ! grep -rq s3cr3t '$w/build'"
}

case_secret_by_env() {
	newtree
	secretopt=--password-env=REG_PW
	secretpush env REG_PW=s3cr3t-env
	check "push with a password in the environment succeeds" status 0
	check "the engine logs in with the password on its standard input" grep -qx "STDIN s3cr3t-env" "$w/engine.log"
	check "and never on a command line" sh -c "! grep '^ARGV' '$w/engine.log' | grep -q s3cr3t"
	check "no file of the build directory holds it" sh -c "! grep -rq s3cr3t '$w/build'"
	secretpush env
	check "a push already recorded needs no password: nothing to do (exit 0)" status 0
	rm -f "$w/build/push/a.pushed"
	secretpush env
	check "an unset variable is an error (exit 1)" status 1
	check "naming the variable" saysall "the environment variable REG_PW, which should hold the registry password, is not set"
}

# ---------------------------------------------------------------------
# odd names and paths, symlinks out of the tree

case_odd_file_names() {
	newtree
	for f in '-rf' '$(touch pwned)' 'a b' 'c:d' 'e$f' "q'uote" 'back`tick`' 'é' '*' '#hash' '~tilde' '[x]' ' lead'; do
		printf '%s\n' "$f" >"$w/src/images/a/$f"
	done
	gen
	check "generate accepts odd file names" status 0
	nin img/a.digest
	check "ninja stages and digests them" status 0
	for f in '-rf' '$(touch pwned)' 'a b' 'c:d' 'e$f' "q'uote" 'back`tick`' 'é' '*' '#hash' '~tilde' '[x]' ' lead'; do
		[ "$(cat "$w/build/ctx/a/$f" 2>/dev/null)" = "$f" ] || { nok "staged: $f"; continue; }
	done
	ok "every odd name is staged with its content"
	check "no command hidden in a name ran" sh -c "! find '$w' -name pwned | grep -q ."
	nin img/a.digest
	check "a second ninja has no work to do" saysall_out "no work to do"
}

case_newline_in_file_name() {
	newtree
	printf 'x\n' >"$w/src/images/a/$(printf 'new\nline')"
	gen
	check "generate refuses a file name with a newline (exit 1)" status 1
	check "saying why" saysall "the path holds a newline (U+000A), which build.ninja cannot hold"
}

case_symlink_out_of_tree() {
	newtree
	ln -s /etc/passwd "$w/src/images/a/passwd"
	mkdir -p "$w/src/extra"
	ln -s /etc/hostname "$w/src/extra/host"
	printf 'template-list:\n  - conf\ncopy-list:\n  - src: extra/host\n    dst: images/a\n' >"$w/src/images/a/image.yaml"
	gen
	nin img/a.digest
	check "a tree with symlinks out of it builds" status 0
	check "the context holds the link itself, not what it points to" [ "$(readlink "$w/build/ctx/a/passwd")" = /etc/passwd ]
	check "so does a copy-list link" [ "$(readlink "$w/build/ctx/a/host")" = /etc/hostname ]
	check "no file's content was copied from outside" sh -c "! grep -rq root: '$w/build/ctx'"
}

cases=${CASES:-$(sed -n 's/^case_\([a-z0-9_]*\)() {$/\1/p' "$0")}
for case in $cases; do
	label=$case
	"case_$case"
done
finish
