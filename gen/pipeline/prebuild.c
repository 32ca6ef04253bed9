/*
 * imagegen prebuild: one pre-build step of image.yaml's prebuild key (an
 * extension of imagegen's; OpenPAI's paictl ignores it). The command runs
 * by /bin/sh from the project root, as OpenPAI's own pre-steps ran, but
 * writes its outputs under $OUT, a directory of the build directory made
 * afresh for each run, so that the sources are never written; the stamp
 * holds a digest of what it left there, rewritten only when that changes,
 * so that only the images whose staged inputs changed are built again.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "digest.h"
#include "util.h"
#include "walk.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s prebuild --image=NAME --project=DIR --out=DIR --output=PATH... -o STAMP -- COMMAND\n"
	    "\nruns COMMAND with /bin/sh -c from the project root DIR, with OUT set to the absolute\n"
	    "path of the directory --out (emptied first, with the parent directory of each\n"
	    "--output made in it); each --output (a path from the project root) must then exist\n"
	    "under it. STAMP gets a digest of everything under --out, written only when it changes.\n",
	    argv0);
}

/*
 * rm -rf path (util.c rmtree, never following a link), after giving its
 * owner every right on each directory below it: a step may leave
 * directories without write permission. true if nothing is left.
 */
static bool
removeout(const char *path)
{
	struct walklist w = {0};
	struct stat st;
	char *errpath = NULL, *p;
	size_t i;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		chmod(path, 0700);
		if (walktree(path, &w, &errpath)) {
			for (i = 0; i < w.n; i++) {
				if (S_ISDIR(w.ent[i].mode)) {
					p = pathjoin(path, w.ent[i].path);
					chmod(p, 0700);
					free(p);
				}
			}
		}
		free(errpath);
		delwalklist(&w);
	}
	return rmtree(path);
}

/* sh -c cmd in dir with OUT=out; the exit status, or -1 after a message */
static int
runstep(const char *dir, const char *out, const char *cmd)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error("prebuild: cannot fork:");
		return -1;
	}
	if (pid == 0) {
		if (chdir(dir) != 0) {
			fprintf(stderr, "%s: prebuild: cannot change to the project root %s: %s\n", argv0, dir, strerror(errno));
			_exit(127);
		}
		setenv("OUT", out, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fprintf(stderr, "%s: prebuild: cannot run /bin/sh: %s\n", argv0, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			error("prebuild: waitpid:");
			return -1;
		}
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int
cmd_prebuild(int argc, char **argv)
{
	const char *image = NULL, *project = NULL, *out = NULL, *stamp = NULL, *cmd = NULL, *v;
	struct strvec outputs = {0};
	struct diag d = {0};
	struct digestin in = {0};
	char digest[DIGESTLEN], cwd[PATH_MAX], *abs = NULL, *p, *dir;
	struct stat st;
	size_t i;
	int i0, rc = 1, status;

	for (i0 = 1; i0 < argc; i0++) {
		const char *a = argv[i0];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--")) {
			if (i0 + 2 != argc)
				goto usage;
			cmd = argv[i0 + 1];
			break;
		}
		if ((v = optval(a, "--image")))
			image = v;
		else if ((v = optval(a, "--project")))
			project = v;
		else if ((v = optval(a, "--out")))
			out = v;
		else if ((v = optval(a, "--output")))
			strvecadd(&outputs, v);
		else if (!strcmp(a, "-o") && i0 + 1 < argc)
			stamp = argv[++i0];
		else
			goto usage;
	}
	if (!image || !project || !out || !stamp || !cmd || outputs.n == 0)
		goto usage;
	if (out[0] == '/' || !pathinside(out) || !getcwd(cwd, sizeof(cwd))) {
		error("prebuild: --out=%s must be a directory below the build directory", out);
		goto done;
	}
	abs = pathjoin(cwd, out);
	/* a fresh $OUT: what an earlier run left is not an output of this one */
	if (!removeout(out) || !mkdirp(out, 0777)) {
		error("prebuild: cannot empty %s:", out);
		goto done;
	}
	for (i = 0; i < outputs.n; i++) {
		p = pathjoin(out, outputs.v[i]);
		dir = pathdir(p);
		if (!mkdirp(dir, 0777)) {
			error("prebuild: cannot create %s:", dir);
			free(dir);
			free(p);
			goto done;
		}
		free(dir);
		free(p);
	}
	status = runstep(project, abs, cmd);
	if (status != 0) {
		if (status > 0)
			error("the pre-build step of image %s failed (exit status %d): %s", image, status, cmd);
		goto done;
	}
	for (i = 0; i < outputs.n; i++) {
		p = pathjoin(out, outputs.v[i]);
		if (lstat(p, &st) != 0) {
			error("the pre-build step of image %s did not write its output %s: expected it at $OUT/%s (%s); "
			    "the command writes under $OUT what it declares in outputs", image, outputs.v[i], outputs.v[i], p);
			free(p);
			goto done;
		}
		free(p);
	}
	in.ctxdir = out;
	in.file = "-";
	if (!inputdigest(&in, digest, &d))
		goto done;
	{
		char *line = xasprintf("%s\n", digest);

		if (!mkdirparent(stamp) || writefile(stamp, line, strlen(line), 0666) < 0) {
			error("prebuild: cannot write %s:", stamp);
			free(line);
			goto done;
		}
		free(line);
	}
	rc = 0;
done:
	free(abs);
	delstrvec(&outputs);
	return rc;
usage:
	delstrvec(&outputs);
	usage(stderr);
	return 2;
}
