#!/bin/sh
# The layers of gen/ (make check-layers): no two modules include or call
# each other in a loop, and the pipeline sees nothing of the template
# engine but its public header tmpl.h.
#
# A module is a .c file and the .h of the same name (gen/tmpl/tmpl_ev.c
# and gen/tmpl/tmpl_ev.h are one module). Include edges come from the
# sources' #include "..." lines, call edges from the symbols each object
# file of BUILDDIR leaves undefined and another one defines (nm). Each
# graph goes through tsort, which names the modules of any loop.
#
# Needs SRCDIR and BUILDDIR (make passes them).

set -u
: "${SRCDIR:?}" "${BUILDDIR:?}"
cd "$SRCDIR" || exit 2

# shellcheck source=SCRIPTDIR/../lib.sh
. "$SRCDIR/tests/lib.sh"
suite=layers
tmpdir layers

# after a FAIL line: why
on_fail() {
	sed 's/^/     /' "$tmp/why"
}

# tsort the edges in file $1 (lines "from to"); a loop is written to $tmp/why
noloop() {
	tsort "$1" >/dev/null 2>"$tmp/why" && ! grep -q . "$tmp/why"
}

sources=$(find gen -name '*.[ch]' | LC_ALL=C sort)

# every #include "x.h" as an edge between modules (x.h is looked for in
# the including file's folder, then in each folder of gen/)
for f in $sources; do
	from=${f%.[ch]}
	sed -n 's/^#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" | while read -r h; do
		to=
		for d in "$(dirname "$f")" gen gen/util gen/tmpl gen/pipeline; do
			if [ -f "$d/$h" ]; then
				to=$d/${h%.h}
				break
			fi
		done
		if [ -z "$to" ]; then
			echo "$f includes \"$h\", which no folder of gen/ holds" >>"$tmp/missing"
			continue
		fi
		to=$(echo "$to" | sed 's|^\./||')
		[ "$from" = "$to" ] || echo "$from $to"
	done
done >"$tmp/includes"

if [ -s "$tmp/missing" ]; then
	cp "$tmp/missing" "$tmp/why"
	nok "every quoted include names a header of gen/"
else
	ok "every quoted include names a header of gen/"
fi

if noloop "$tmp/includes"; then
	ok "no module includes another in a loop ($(wc -l <"$tmp/includes") include edges)"
else
	nok "no module includes another in a loop"
fi

# the pipeline, main.c and cli.h include nothing of gen/tmpl but tmpl.h;
# the engine includes nothing of the pipeline
grep -E '^(gen/pipeline/[^ ]*|gen/main|gen/cli) gen/tmpl/' "$tmp/includes" |
	grep -v ' gen/tmpl/tmpl$' >"$tmp/why"
if [ -s "$tmp/why" ]; then
	nok "the pipeline includes nothing of the engine but tmpl.h"
else
	ok "the pipeline includes nothing of the engine but tmpl.h"
fi
grep -E '^gen/(tmpl|util)/[^ ]* gen/(pipeline|main|cli)' "$tmp/includes" >"$tmp/why"
if [ -s "$tmp/why" ]; then
	nok "the engine and the utilities include nothing of the pipeline"
else
	ok "the engine and the utilities include nothing of the pipeline"
fi
grep -E '^gen/util/[^ ]* gen/tmpl/' "$tmp/includes" >"$tmp/why"
if [ -s "$tmp/why" ]; then
	nok "the utilities include nothing of the engine"
else
	ok "the utilities include nothing of the engine"
fi

# call edges between the object files of the build directory
objs=
for f in $sources; do
	case $f in
	*.c) [ -f "$BUILDDIR/${f%.c}.o" ] && objs="$objs ${f%.c}" ;;
	esac
done
if [ -z "$objs" ]; then
	echo "no object files under $BUILDDIR/gen; build first (make)" >"$tmp/why"
	nok "no module calls another in a loop"
else
	for m in $objs; do
		nm -P "$BUILDDIR/$m.o" | awk -v m="$m" '$2 ~ /^[TDRBC]$/ { print "D", $1, m } $2 == "U" { print "U", $1, m }'
	done | awk '
		$1 == "D" { def[$2] = $3; next }
		{ use[NR] = $2; user[NR] = $3 }
		END { for (i in use) if ((use[i] in def) && def[use[i]] != user[i]) print user[i], def[use[i]] }
	' | LC_ALL=C sort -u >"$tmp/calls"
	if noloop "$tmp/calls"; then
		ok "no module calls another in a loop ($(wc -l <"$tmp/calls") call edges between $(echo "$objs" | wc -w) objects)"
	else
		nok "no module calls another in a loop"
	fi
fi

finish
