#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "escape.h"
#include "util.h"

static const struct {
	const char *name;
	enum enginekind kind;
	const char *exe;
	const char *pkg;
} engines[] = {
	{"docker", ENGINE_DOCKER, "docker", "docker.io"},
	{"podman", ENGINE_PODMAN, "podman", "podman"},
	{"buildah", ENGINE_BUILDAH, "buildah", "buildah"},
	{"buildx", ENGINE_BUILDX, "docker", "docker-buildx"},
};

bool
engineparse(struct engine *e, const char *name)
{
	size_t i;

	for (i = 0; i < LEN(engines); i++) {
		if (strcmp(name, engines[i].name) == 0) {
			e->kind = engines[i].kind;
			e->name = engines[i].name;
			e->path = NULL;
			return true;
		}
	}
	return false;
}

const char *
enginepkg(const struct engine *e)
{
	return engines[e->kind].pkg;
}

bool
enginefind(struct engine *e)
{
	const char *exe = engines[e->kind].exe, *path = getenv("PATH"), *s, *end;
	char *dir, *full;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (s = path;; s = end + 1) {
		end = strchr(s, ':');
		if (!end)
			end = s + strlen(s);
		dir = end == s ? xstrdup(".") : xstrndup(s, (size_t)(end - s));
		full = pathjoin(dir, exe);
		free(dir);
		if (access(full, X_OK) == 0) {
			free(e->path);
			e->path = full;
			return true;
		}
		free(full);
		if (!*end)
			break;
	}
	return false;
}

void
delengine(struct engine *e)
{
	free(e->path);
	e->path = NULL;
}

/* the executable, then the words that start a subcommand */
static void
start(const struct engine *e, struct strvec *a)
{
	strvecadd(a, e->path ? e->path : engines[e->kind].exe);
}

static void
addtls(const struct engine *e, struct strvec *a)
{
	if (e->insecure && (e->kind == ENGINE_PODMAN || e->kind == ENGINE_BUILDAH))
		strvecadd(a, "--tls-verify=false");
}

void
enginelayercache(const struct engine *e, const char *repo, char **from, char **to)
{
	switch (e->kind) {
	case ENGINE_BUILDX:
		*from = xasprintf("type=registry,ref=%s:buildcache", repo);
		*to = xasprintf("type=registry,ref=%s:buildcache,mode=max", repo);
		break;
	case ENGINE_DOCKER:
		*from = xstrdup(repo);
		*to = NULL;
		break;
	default:
		*from = xstrdup(repo);
		*to = xstrdup(repo);
		break;
	}
}

void
enginebuild(const struct engine *e, const struct buildopts *o, struct strvec *a)
{
	size_t i;

	start(e, a);
	switch (e->kind) {
	case ENGINE_BUILDAH:
		strvecadd(a, "bud");
		break;
	case ENGINE_BUILDX:
		strvecadd(a, "buildx");
		strvecadd(a, "build");
		if (e->builder) {
			strvecadd(a, "--builder");
			strvecadd(a, e->builder);
		}
		strvecadd(a, "--load");
		break;
	default:
		strvecadd(a, "build");
		break;
	}
	addtls(e, a);
	strvecadd(a, "-f");
	strvecadd(a, o->file);
	if (o->name) {
		strvecadd(a, "-t");
		strvecadd(a, o->name);
	}
	for (i = 0; i < o->ntags; i++) {
		strvecadd(a, "-t");
		strvecadd(a, o->tags[i]);
	}
	for (i = 0; i < o->nbuildargs; i++) {
		strvecadd(a, "--build-arg");
		strvecadd(a, o->buildargs[i]);
	}
	for (i = 0; i < o->nlabels; i++) {
		strvecadd(a, "--label");
		strvecadd(a, o->labels[i]);
	}
	if (o->target) {
		strvecadd(a, "--target");
		strvecadd(a, o->target);
	}
	if (o->network)
		strvecaddf(a, "--network=%s", o->network);
	for (i = 0; i < o->ncachefrom; i++)
		strvecaddf(a, "--cache-from=%s", o->cachefrom[i]);
	/* the classic docker builder has no --cache-to */
	if (e->kind != ENGINE_DOCKER) {
		for (i = 0; i < o->ncacheto; i++)
			strvecaddf(a, "--cache-to=%s", o->cacheto[i]);
	}
	strvecadd(a, "--iidfile");
	strvecadd(a, o->iidfile);
	strvecadd(a, o->ctxdir);
}

void
engineimageid(const struct engine *e, const char *ref, struct strvec *a)
{
	start(e, a);
	if (e->kind == ENGINE_BUILDAH) {
		strvecadd(a, "inspect");
		strvecadd(a, "--type");
		strvecadd(a, "image");
		strvecadd(a, "--format");
		strvecadd(a, "{{.FromImageID}}");
	} else {
		strvecadd(a, "image");
		strvecadd(a, "inspect");
		strvecadd(a, "--format");
		strvecadd(a, "{{.Id}}");
	}
	strvecadd(a, ref);
}

void
enginetag(const struct engine *e, const char *src, const char *dst, struct strvec *a)
{
	start(e, a);
	strvecadd(a, "tag");
	strvecadd(a, src);
	strvecadd(a, dst);
}

size_t
enginetagmany(const struct engine *e, const char *src, const char **dst, size_t n, struct strvec *a)
{
	size_t i, take = e->kind == ENGINE_PODMAN || e->kind == ENGINE_BUILDAH ? n : 1;

	start(e, a);
	strvecadd(a, "tag");
	strvecadd(a, src);
	for (i = 0; i < take; i++)
		strvecadd(a, dst[i]);
	return take;
}

void
enginepush(const struct engine *e, const char *src, const char *dst, const char *digestfile, struct strvec *a)
{
	start(e, a);
	strvecadd(a, "push");
	addtls(e, a);
	if (e->kind == ENGINE_PODMAN || e->kind == ENGINE_BUILDAH) {
		if (digestfile) {
			strvecadd(a, "--digestfile");
			strvecadd(a, digestfile);
		}
		strvecadd(a, src);
		strvecadd(a, dst);
	} else {
		/* docker pushes a tag by its own name: the caller tags src as dst first */
		strvecadd(a, dst);
	}
}

void
enginepull(const struct engine *e, const char *ref, struct strvec *a)
{
	start(e, a);
	strvecadd(a, "pull");
	addtls(e, a);
	strvecadd(a, "--quiet");
	strvecadd(a, ref);
}

void
enginelogin(const struct engine *e, const char *registry, const char *user, struct strvec *a)
{
	start(e, a);
	strvecadd(a, "login");
	addtls(e, a);
	strvecadd(a, "--username");
	strvecadd(a, user);
	strvecadd(a, "--password-stdin");
	strvecadd(a, registry);
}

/* in the child: make fd the descriptor target, kept across exec, or die */
static void
childdup(int fd, int target)
{
	if (fd < 0)
		return;
	if (fd != target ? dup2(fd, target) < 0 : fcntl(fd, F_SETFD, 0) < 0)
		_exit(127);
}

/* a pipe whose ends are closed on exec: the child keeps only what childdup gives it */
static int
cloexecpipe(int fd[2])
{
	if (pipe(fd) != 0)
		return -1;
	if (fcntl(fd[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fd[1], F_SETFD, FD_CLOEXEC) < 0) {
		close(fd[0]);
		close(fd[1]);
		fd[0] = fd[1] = -1;
		return -1;
	}
	return 0;
}

/*
 * read the child's output from fd into out until the end of the pipe, or,
 * once the child has exited, until nothing more is there at once: a
 * process the engine left in the background may hold the pipe open for
 * as long as it lives. The child's status goes to *status (-1 if it is
 * still to be waited for).
 */
static void
readout(int fd, pid_t pid, struct buf *out, int *status)
{
	struct pollfd pfd;
	char tmp[4096];
	ssize_t n;
	int r, fl;

	*status = -1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		r = poll(&pfd, 1, *status == -1 ? 200 : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			if (*status != -1)
				return; /* exited, and nothing more to read now */
			if (waitpid(pid, status, WNOHANG) <= 0)
				*status = -1;
			else if ((fl = fcntl(fd, F_GETFL)) >= 0)
				fcntl(fd, F_SETFL, fl | O_NONBLOCK);
			continue;
		}
		if (r < 0)
			return;
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		bufadd(out, tmp, (size_t)n);
	}
}

int
enginerun(const struct strvec *a, const char *input, struct buf *out, int outfd, int errfd)
{
	int inpipe[2] = {-1, -1}, outpipe[2] = {-1, -1}, status = -1, err, nullfd = -1;
	ssize_t n;
	size_t left;
	const char *p;
	pid_t pid;
	void (*oldpipe)(int);

	if (!a->n) {
		errno = EINVAL;
		return -1;
	}
	if (input && cloexecpipe(inpipe) != 0)
		return -1;
	if (!input && (nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		goto fail;
	if (out && cloexecpipe(outpipe) != 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		childdup(input ? inpipe[0] : nullfd, 0);
		childdup(out ? outpipe[1] : outfd, 1);
		childdup(errfd, 2);
		execv(a->v[0], a->v);
		error("cannot run %s: %s", a->v[0], errstr(errno));
		_exit(127);
	}
	if (nullfd >= 0)
		close(nullfd);
	if (input) {
		close(inpipe[0]);
		oldpipe = signal(SIGPIPE, SIG_IGN);
		for (p = input, left = strlen(input); left > 0;) {
			n = write(inpipe[1], p, left);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			p += n;
			left -= (size_t)n;
		}
		close(inpipe[1]);
		signal(SIGPIPE, oldpipe);
	}
	if (out) {
		close(outpipe[1]);
		readout(outpipe[0], pid, out, &status);
		close(outpipe[0]);
		bufterm(out);
	}
	while (status == -1 && waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
		status = -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
fail:
	err = errno;
	if (nullfd >= 0)
		close(nullfd);
	if (inpipe[0] >= 0) {
		close(inpipe[0]);
		close(inpipe[1]);
	}
	if (outpipe[0] >= 0) {
		close(outpipe[0]);
		close(outpipe[1]);
	}
	errno = err;
	return -1;
}

int
enginequiet(const struct strvec *a, struct buf *out)
{
	int nullfd = open("/dev/null", O_WRONLY | O_CLOEXEC), st;

	st = enginerun(a, NULL, out, -1, nullfd);
	if (nullfd >= 0)
		close(nullfd);
	return st;
}

char *
imageidnorm(const char *s, size_t len)
{
	const char *end = s + len, *p;

	while (s < end && strchr(" \t\r\n", *s))
		s++;
	while (end > s && strchr(" \t\r\n", end[-1]))
		end--;
	if ((size_t)(end - s) > 7 && memcmp(s, "sha256:", 7) == 0)
		s += 7;
	if (end - s != 64)
		return NULL;
	for (p = s; p < end; p++) {
		if (!*p || !strchr("0123456789abcdef", *p))
			return NULL;
	}
	return xasprintf("sha256:%.*s", 64, s);
}

bool
openlog(const char *log, int *fd)
{
	*fd = -1;
	if (!log)
		return true;
	if ((*fd = openwrite(log, O_CREAT | O_TRUNC, 0666)) < 0) {
		error("cannot create the log %s:", log);
		return false;
	}
	return true;
}

int
enginelogrun(const struct strvec *a, int logfd, const char *input, struct buf *out)
{
	struct buf b = {0};
	size_t start = out ? out->len : 0;
	int fd = logfd >= 0 ? logfd : 2, st;

	bufadds(&b, "$ ");
	escshellwords(&b, a);
	bufaddc(&b, '\n');
	(void)writeall(fd, b.data, b.len);
	delbuf(&b);
	/* without a log the output goes to stderr, which keeps stdout for imagegen's own report */
	st = enginerun(a, input, out, fd, logfd);
	if (out && out->len > start)
		(void)writeall(fd, out->data + start, out->len - start);
	if (st < 0)
		error("cannot run %s:", a->v[0]);
	return st;
}

void
showlogtail(const char *log)
{
	struct buf b = {0};
	size_t i, n = 0;
	const char *s;

	if (!readfile(log, &b)) {
		error("cannot read %s:", log);
		return;
	}
	if (b.len == 0) {
		delbuf(&b);
		return;
	}
	s = b.data;
	for (i = b.len; i-- > 0;) {
		if (b.data[i] == '\n' && i + 1 < b.len && ++n == LOGTAIL) {
			s = b.data + i + 1;
			break;
		}
	}
	fputs(s, stderr);
	if (b.data[b.len - 1] != '\n')
		fputc('\n', stderr);
	delbuf(&b);
}
