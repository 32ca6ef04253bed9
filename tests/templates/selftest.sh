#!/bin/sh
# Checks the differential suite itself: run against a stand-in for imagegen
# built on ref.py, it must pass when the stand-in is faithful and fail, with
# the right complaint, for each fault the stand-in can be told to make.
# Environment: SRCDIR, BUILDDIR, PYTHON (as run.sh). Exit status 1 if the
# suite misses a fault.
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:-$(pwd)}
PYTHON=${PYTHON:-/usr/bin/python3}
export SRCDIR
top=$BUILDDIR/tests/templates/selftest
mkdir -p "$top"
standin=$top/imagegen
cat > "$standin" <<EOF
#!$PYTHON -B
# imagegen render on top of ref.py, faulty as SELFTEST_FAULT says
import os, sys
sys.path.insert(0, "$SRCDIR/tests/templates")
import ref
fault = os.environ.get("SELFTEST_FAULT", "")
args = sys.argv[2:]
out = args[args.index("-o") + 1] if "-o" in args else None
cfg = args[args.index("-c") + 1] if "-c" in args else None
defs = [args[i + 1] for i, a in enumerate(args) if a == "-D"]
if sys.argv[1] == "config":
    # the compiled configuration of the stand-in is the YAML itself
    ref.write_atomic(out, open(cfg).read())
    sys.exit(0)
skip = {i + 1 for i, a in enumerate(args) if a in ("-o", "-c", "-D")}
tmpl = [a for i, a in enumerate(args) if i not in skip and a not in ("-o", "-c", "-D")][0]
try:
    ctx = ref.make_context(ref.load_config(cfg) if cfg else {}, [ref.parse_define(d) for d in defs])
    text = ref.render(ref.read_template(tmpl), ctx, tmpl)
except ref.RefError as e:
    if fault == "noerror":
        text = ""
    else:
        if fault == "clobber" and out:
            open(out, "w").close()
        line = e.line or 1
        if fault == "noloc":
            sys.stderr.write("imagegen: error: %s\n" % e.msg)
        else:
            sys.stderr.write("imagegen: %s:%d:1: error: %s\n" % (e.path, line, e.msg))
        if e.path == tmpl and fault != "nocaret":
            src = ref.read_template(tmpl).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            sys.stderr.write("%s\n^\n" % (src[line - 1] if line <= len(src) else ""))
        sys.exit(1)
if fault == "upper":
    text = text.upper()
if fault == "crash" and "{%" in ref.read_template(tmpl):
    os.kill(os.getpid(), 11)
if out is None:
    sys.stdout.write(text)
elif fault == "rewrite":
    os.remove(out) if os.path.exists(out) else None
    open(out, "w").write(text)
else:
    ref.write_atomic(out, text)
EOF
chmod +x "$standin"

status=0
# check FAULT PATTERN EXPECTED: run the cases matching PATTERN; EXPECTED is
# "pass" or a text the report must hold
check() {
	log=$top/log.$1
	SELFTEST_FAULT=$1 TDIFF_ONLY=$2 TDIFF_COUNT=0 IMAGEGEN=$standin BUILDDIR=$top \
		"$PYTHON" -B "$SRCDIR/tests/templates/tdiff.py" > "$log" 2>&1
	rc=$?
	if [ "$3" = pass ]; then
		if [ $rc -ne 0 ] || ! grep -q '^templates: [0-9]* passed, 0 failed$' "$log"; then
			echo "selftest: the faithful stand-in fails on $2 (see $log)"
			status=1
		fi
	elif [ $rc -eq 0 ] || ! grep -q "$3" "$log"; then
		echo "selftest: the suite misses fault '$1' on $2 (expected: $3; see $log)"
		status=1
	fi
}
check none 'syntax/[uw]*' pass
check none 'openpai/[a-h]*' pass
check upper 'control/for-*' 'output differs'
check noerror 'syntax/unclosed-*' 'imagegen rendered where jinja2 fails'
check noloc 'syntax/unclosed-*' 'does not name'
check nocaret 'syntax/unclosed-*' 'is not followed by line'
check clobber 'syntax/unclosed-*' 'but changed'
check rewrite 'openpai/hosts*' 'rewrote'
check crash 'control/if-*' 'killed by signal 11'
[ $status -eq 0 ] && echo "selftest: the suite catches every fault of the stand-in"
exit $status
