"""Runs the shell steps of a CI recipe of docs/ci/ on this machine.

usage: recipe.py github|gitlab RECIPE PROJECTDIR CONTEXT.json

github: the workflow's env (workflow and job level) with ${{ vars.X }},
${{ secrets.X }} and ${{ github.X }} taken from CONTEXT; then each step
of the job in order: 'uses' steps and the step with id 'install' are
skipped (CI set-up: a checkout, packages), a step's 'if' is evaluated
(only "github.KEY == 'VALUE'" is understood), and 'run' runs with
bash -e in PROJECTDIR, as GitHub runs it.

gitlab: the job's variables (each expanded by the shell, as GitLab
expands them) after CONTEXT's CI_* variables, then its script lines in one
bash with -e -o pipefail in PROJECTDIR, as GitLab's shell executor runs
them; before_script (packages, the clone of imagegen) is skipped.

Prints each step and its output; exits with the first failing step's
status. An expression or condition it does not understand is an error.
"""
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

EXPR = re.compile(r"\$\{\{\s*([a-z]+)\.([A-Za-z0-9_]+)\s*\}\}")


def fail(msg):
    print("recipe.py: " + msg, file=sys.stderr)
    sys.exit(2)


def subst(value, ctx):
    def one(m):
        scope, key = m.group(1), m.group(2)
        if scope not in ctx or key not in ctx[scope]:
            fail("no value for ${{ %s.%s }} in the context" % (scope, key))
        return str(ctx[scope][key])

    out = EXPR.sub(one, str(value))
    if "${{" in out:
        fail("an expression this runner does not understand: " + out)
    return out


def condition(cond, ctx):
    m = re.fullmatch(r"\s*github\.([a-z_]+)\s*==\s*'([^']*)'\s*", cond)
    if not m:
        fail("a condition this runner does not understand: " + cond)
    return str(ctx["github"].get(m.group(1))) == m.group(2)


def github(recipe, project, ctx):
    env = dict(os.environ)
    env.update({k: subst(v, ctx) for k, v in (recipe.get("env") or {}).items()})
    jobs = recipe["jobs"]
    if len(jobs) != 1:
        fail("expected one job")
    job = next(iter(jobs.values()))
    env.update({k: subst(v, ctx) for k, v in (job.get("env") or {}).items()})
    for step in job["steps"]:
        name = step.get("name") or step.get("id") or step.get("uses")
        if "uses" in step or step.get("id") == "install":
            print("== skipped (CI set-up): %s" % name, flush=True)
            continue
        if "if" in step and not condition(step["if"], ctx):
            print("== skipped (if: %s): %s" % (step["if"], name), flush=True)
            continue
        print("== step: %s" % name, flush=True)
        senv = dict(env)
        senv.update({k: subst(v, ctx) for k, v in (step.get("env") or {}).items()})
        rc = subprocess.call(["bash", "-e", "-c", subst(step["run"], ctx)], cwd=project, env=senv)
        if rc != 0:
            print("== step failed with status %d: %s" % (rc, name), flush=True)
            return rc
    return 0


def gitlab(recipe, project, ctx):
    jobs = [v for k, v in recipe.items() if isinstance(v, dict) and "script" in v]
    if len(jobs) != 1:
        fail("expected one job")
    job = jobs[0]
    env = dict(os.environ)
    env.update({k: str(v) for k, v in ctx.get("gitlab", {}).items()})
    env["CI_PROJECT_DIR"] = project
    lines = ["set -e -o pipefail"]
    for k, v in (job.get("variables") or {}).items():
        lines.append("export %s=\"%s\"" % (k, str(v).replace('"', '\\"')))
    for line in job["script"]:
        lines.append("printf '%%s\\n' %s" % shlex.quote("$ " + line))
        lines.append(line)
    print("== skipped (CI set-up): before_script", flush=True)
    print("== script", flush=True)
    rc = subprocess.call(["bash", "-c", "\n".join(lines)], cwd=project, env=env)
    if rc != 0:
        print("== script failed with status %d" % rc, flush=True)
    return rc


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("github", "gitlab"):
        fail("usage: recipe.py github|gitlab RECIPE PROJECTDIR CONTEXT.json")
    with open(sys.argv[2]) as f:
        recipe = yaml.safe_load(f)
    with open(sys.argv[4]) as f:
        ctx = json.load(f)
    run = github if sys.argv[1] == "github" else gitlab
    sys.exit(run(recipe, os.path.abspath(sys.argv[3]), ctx))


main()
