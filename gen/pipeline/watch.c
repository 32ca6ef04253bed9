/*
 * imagegen watch: the development loop. Runs ninja for the targets, then
 * waits on inotify for a change under any directory the tree reads (the
 * images roots, every image directory and its subdirectories, copy-list
 * sources, templates, the configuration), lets a burst of changes settle,
 * and runs ninja again, until interrupted.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
#include "tree.h"
#include "util.h"
#include "walk.h"

#define WATCHMASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB | \
	IN_DELETE_SELF | IN_MOVE_SELF)

static volatile sig_atomic_t stop;
static volatile pid_t child;

/* stops the loop; a TERM reaches the running ninja too (an INT from the terminal already has) */
static void
onsignal(int sig)
{
	stop = 1;
	if (sig == SIGTERM && child > 0)
		kill(child, SIGTERM);
}

/* a watched directory: its watch descriptor and path */
struct watched {
	int wd;
	char *path;
};

struct watcher {
	int fd;
	struct watched *w;
	size_t n;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s watch [--debounce=MS] [OPTIONS] [TARGET...]\n"
	    "\n"
	    "in a build directory: runs ninja for TARGETs (default: all), then again each\n"
	    "time a file of the image tree or the configuration changes, until\n"
	    "interrupted (Ctrl-C). New and deleted files and edited image.yaml files are\n"
	    "picked up: ninja regenerates build.ninja and watch follows the new tree.\n"
	    "\n"
	    "options:\n"
	    "  --debounce=MS         wait until no change came for MS milliseconds before\n"
	    "                        running ninja (default 300)\n"
	    "  --images=DIR, --config=FILE|DIR, --args-file=FILE\n"
	    "                        the tree to watch (default: .imagegen/generate.args)\n"
	    "  -h, --help            print this help and exit\n"
	    "\n"
	    "environment: NINJA, the ninja to run (default ninja).\n", argv0);
}

static void
watchdir(struct watcher *wt, const char *dir)
{
	size_t i;
	int wd = inotify_add_watch(wt->fd, dir, WATCHMASK | IN_ONLYDIR);

	if (wd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			error("watch: cannot watch %s:", dir);
		return;
	}
	for (i = 0; i < wt->n; i++) {
		if (wt->w[i].wd == wd)
			return;
	}
	wt->w = xreallocarray(wt->w, wt->n + 1, sizeof(wt->w[0]));
	wt->w[wt->n].wd = wd;
	wt->w[wt->n].path = xstrdup(dir);
	wt->n++;
}

/* the directory of path (path itself when it is a directory) */
static void
watchpath(struct watcher *wt, const char *path)
{
	struct stat st;
	char *dir;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		watchdir(wt, path);
		return;
	}
	dir = pathdir(path);
	watchdir(wt, dir);
	free(dir);
}

/* loads the tree and watches every directory it reads; false when the tree has errors (ninja reports them) */
static bool
watchtree(struct watcher *wt, const struct opts *o)
{
	struct tree t = {0};
	size_t i, j;
	bool ok;
	int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* the errors of a broken tree are ninja's to print (its regeneration runs generate) */
	fflush(stderr);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
	t.registry = o->registry;
	t.namespace = o->namespace;
	ok = treeload(&t, &o->images);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	for (i = 0; i < o->images.n; i++)
		watchdir(wt, o->images.v[i]);
	for (i = 0; i < t.dirs.n; i++)
		watchdir(wt, t.dirs.v[i]);
	for (i = 0; i < t.n; i++) {
		watchdir(wt, t.node[i].img->dir);
		for (j = 0; j < t.node[i].dirs.n; j++)
			watchdir(wt, t.node[i].dirs.v[j]);
		for (j = 0; j < t.node[i].scanned.n; j++)
			watchpath(wt, t.node[i].scanned.v[j]);
		for (j = 0; j < t.node[i].nent; j++) {
			if (t.node[i].ent[j].src)
				watchpath(wt, t.node[i].ent[j].src);
		}
	}
	if (o->config)
		watchpath(wt, o->config);
	deltree(&t);
	return ok;
}

static const char *
wdpath(const struct watcher *wt, int wd)
{
	size_t i;

	for (i = 0; i < wt->n; i++) {
		if (wt->w[i].wd == wd)
			return wt->w[i].path;
	}
	return "?";
}

/*
 * reads the pending events; the first changed path goes to first (when
 * empty). false on a read error.
 */
static bool
drain(struct watcher *wt, struct buf *first)
{
	_Alignas(struct inotify_event) char ev[4096];
	const struct inotify_event *e;
	ssize_t n;
	char *p;

	for (;;) {
		n = read(wt->fd, ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		for (p = ev; p < ev + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)(void *)p;
			if (e->mask & IN_IGNORED)
				continue;
			if (first->len == 0) {
				if (e->len && e->name[0])
					bufprintf(first, "%s/%s", wdpath(wt, e->wd), e->name);
				else
					bufadds(first, wdpath(wt, e->wd));
			}
		}
	}
}

static long
msnow(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* runs ninja with the targets; its exit status */
static int
runninja(char **targets, int ntargets)
{
	const char *ninja = getenv("NINJA");
	char **argv = xcalloc((size_t)ntargets + 2, sizeof(*argv));
	pid_t pid;
	int st, i;

	argv[0] = (char *)(ninja && *ninja ? ninja : "ninja");
	for (i = 0; i < ntargets; i++)
		argv[i + 1] = targets[i];
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		error("watch: cannot run %s: %s (Debian package: ninja-build)", argv[0], strerror(errno));
		_exit(127);
	}
	free(argv);
	if (pid < 0) {
		error("watch: cannot start ninja:");
		return -1;
	}
	child = pid;
	if (stop)
		kill(pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			child = 0;
			return -1;
		}
	}
	child = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
cmd_watch(int argc, char **argv)
{
	struct opts o = {0};
	struct watcher wt = {-1, NULL, 0};
	struct buf first = {0};
	struct sigaction sa;
	struct pollfd pfd;
	char **targets = xcalloc((size_t)argc + 1, sizeof(*targets)), **treeargs = xcalloc((size_t)argc + 1, sizeof(*treeargs));
	const char *v;
	char *end;
	long debounce = 300, t0, last;
	int ntargets = 0, ntree = 1, i, rc = 0, st, r;

	treeargs[0] = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			goto out;
		} else if ((v = optval(argv[i], "--debounce"))) {
			errno = 0;
			debounce = strtol(v, &end, 10);
			if (!*v || *end || errno || debounce < 0 || debounce > 60000) {
				error("watch: --debounce=%s: expected milliseconds from 0 to 60000", v);
				rc = 2;
				goto out;
			}
		} else if (argv[i][0] == '-') {
			treeargs[ntree++] = argv[i];
		} else {
			targets[ntargets++] = argv[i];
		}
	}
	if (access("build.ninja", F_OK) != 0) {
		error("watch: no build.ninja here; run watch in a build directory (where configure ran)");
		rc = 1;
		goto out;
	}
	rc = optsparse(&o, ntree, treeargs);
	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	wt.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (wt.fd < 0) {
		error("watch: inotify:");
		rc = 1;
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsignal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	watchtree(&wt, &o);
	for (;;) {
		t0 = msnow();
		st = runninja(targets, ntargets);
		if (stop)
			break;
		/* build.ninja may have been regenerated: follow the tree as it is now */
		watchtree(&wt, &o);
		printf("watch: %s after %.1f s; waiting for changes (%zu directories, Ctrl-C stops)\n",
		    st == 0 ? "done" : "ninja FAILED", (double)(msnow() - t0) / 1000.0, wt.n);
		fflush(stdout);
		/* wait for a change, then until none came for the debounce time */
		first.len = 0;
		pfd.fd = wt.fd;
		pfd.events = POLLIN;
		while (!stop && first.len == 0) {
			r = poll(&pfd, 1, -1);
			if (r < 0 && errno != EINTR)
				break;
			if (r > 0 && !drain(&wt, &first))
				break;
		}
		last = msnow();
		while (!stop) {
			long left = debounce - (msnow() - last);

			if (left <= 0)
				break;
			r = poll(&pfd, 1, (int)left);
			if (r > 0) {
				drain(&wt, &first);
				last = msnow();
			}
		}
		if (stop)
			break;
		bufterm(&first);
		printf("watch: %s changed\n", first.data);
	}
	printf("\nwatch: stopped\n");
out:
	fflush(stdout);
	if (wt.fd >= 0)
		close(wt.fd);
	for (i = 0; (size_t)i < wt.n; i++)
		free(wt.w[i].path);
	free(wt.w);
	delbuf(&first);
	free(targets);
	free(treeargs);
	delopts(&o);
	return rc;
}
