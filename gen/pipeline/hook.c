/*
 * imagegen hook: runs a service's build-pre.sh or build-post.sh (the
 * pai-build layout) the way pai_build runs it, from the project root,
 * with no arguments and the inherited environment, but in a private copy
 * of the project in the build directory (hook/<service>/root), so that
 * the sources are never written. The copy persists and is brought up to
 * date before each run (only what differs is copied; git's files are a
 * link); the service itself is copied afresh and gets the copies of the
 * services it depends on as dependency/<service>. Links into the sources
 * would not do: a hook that copies ../../../docs with cp -a would copy
 * the link, and a later write through it would land in the sources.
 * After a pre hook, the service copy is what its images are built from:
 * one stage manifest per image, holding a digest of its content, so that
 * the manifest changes whenever what the hook left changes.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "cli.h"
#include "dockerignore.h"
#include "engine.h"
#include "escape.h"
#include "util.h"
#include "walk.h"

#define MANIFESTHEAD "# imagegen stage manifest 1\n"

struct hookcmd {
	const char *phase; /* "pre" or "post" */
	const char *project;
	const char *service; /* relative to the project root */
	const char *dir; /* hook/<service> in the build directory */
	const char *log;
	const char *out;
	bool reuse; /* post: the pre hook left the shadow; run in it as it is */
	struct strvec deps; /* services copied as dependency/<name>, relative to the project root */
	struct strvec images; /* NAME=DOCKERFILE */
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s hook --phase=pre|post --project=DIR --service=PATH --dir=DIR [--dep=PATH]...\n"
	    "           [--image=NAME=DOCKERFILE]... [--reuse] [--log=LOG] -o STAMP\n"
	    "\nruns PATH/build/build-PHASE.sh from the root of a shadow of the project DIR made\n"
	    "in DIR/root, where PATH (relative to the project root) is a copy holding a copy of\n"
	    "each --dep service as dependency/<name>; then, for each --image, writes the stage\n"
	    "manifest DIR/NAME.list of the service copy, and STAMP.\n", argv0);
}

/* copy the regular file src to the new file dst with mode and times of st */
static bool
copyfile(const char *src, const char *dst, const struct stat *st)
{
	char block[65536];
	struct timespec ts[2];
	ssize_t n;
	int in, out;
	bool ok = true;

	if ((in = open(src, O_RDONLY | O_NOCTTY)) < 0) {
		error("hook: cannot read %s:", src);
		return false;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) < 0) {
		error("hook: cannot create %s:", dst);
		close(in);
		return false;
	}
	while (ok && (n = read(in, block, sizeof(block))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error("hook: cannot read %s:", src);
			ok = false;
			break;
		}
		if (!writeall(out, block, (size_t)n)) {
			error("hook: cannot write %s:", dst);
			ok = false;
		}
	}
	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
	if (ok && (fchmod(out, st->st_mode & 07777) != 0 || futimens(out, ts) != 0)) {
		error("hook: cannot set the mode and times of %s:", dst);
		ok = false;
	}
	if (close(out) != 0 && ok) {
		error("hook: cannot write %s:", dst);
		ok = false;
	}
	close(in);
	return ok;
}

/* the copy dst of a directory gets the mode and times of its source (st), once its entries are in */
static bool
dirmeta(const char *dst, const struct stat *st)
{
	struct timespec ts[2];

	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
	if (chmod(dst, st->st_mode & 07777) != 0 || utimensat(AT_FDCWD, dst, ts, 0) != 0) {
		error("hook: cannot set the mode and times of %s:", dst);
		return false;
	}
	return true;
}

/*
 * copy src to the new path dst as cp -a does (modes and times kept,
 * links copied as links), or following every link when deref (as
 * shutil.copytree does); false after a message
 */
static bool
copytree(const char *src, const char *dst, bool deref, int depth)
{
	struct stat st;
	struct strvec names = {0};
	char *s, *t, link[PATH_MAX];
	ssize_t n;
	size_t i;
	bool ok = true;

	if ((deref ? stat(src, &st) : lstat(src, &st)) != 0) {
		error("hook: cannot copy %s:", src);
		return false;
	}
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(src, link, sizeof(link) - 1)) < 0) {
			error("hook: cannot read the link %s:", src);
			return false;
		}
		link[n] = '\0';
		if (symlink(link, dst) != 0) {
			error("hook: cannot create the link %s:", dst);
			return false;
		}
		return true;
	}
	if (S_ISREG(st.st_mode))
		return copyfile(src, dst, &st);
	if (!S_ISDIR(st.st_mode))
		return true; /* sockets, fifos and devices have no place in a build context */
	if (depth > 64) {
		error("hook: %s: directories nest more than 64 deep (a loop of links?)", src);
		return false;
	}
	if (mkdir(dst, 0700) != 0) {
		error("hook: cannot create %s:", dst);
		return false;
	}
	if (!readnames(src, &names)) {
		error("hook: cannot read %s:", src);
		return false;
	}
	for (i = 0; ok && i < names.n; i++) {
		s = pathjoin(src, names.v[i]);
		t = pathjoin(dst, names.v[i]);
		ok = copytree(s, t, deref, depth + 1);
		free(s);
		free(t);
	}
	delstrvec(&names);
	return ok && dirmeta(dst, &st);
}

/* what the copy of the project leaves out: the build directory and every other imagegen build directory */
struct skip {
	dev_t dev;
	ino_t ino; /* of the build directory */
};

static bool
skipdir(const struct skip *k, const char *path, const struct stat *st)
{
	char *args;
	struct stat a;
	bool skip;

	if (st->st_dev == k->dev && st->st_ino == k->ino)
		return true;
	args = pathjoin(path, ".imagegen/generate.args");
	skip = lstat(args, &a) == 0;
	free(args);
	return skip;
}

/*
 * bring dst in line with src as cp -a would copy it, copying only what
 * differs (type, size, modification time or mode): the private copy of the
 * project persists between runs of a hook. svc (relative to the top) is
 * left alone; rel is the path of src below the top.
 */
static bool
mirror(const struct skip *k, const char *src, const char *dst, const char *rel, const char *svc, int depth)
{
	struct stat st, dt;
	struct strvec names = {0}, have = {0};
	char *s, *d, *r, link[PATH_MAX], old[PATH_MAX];
	ssize_t n, m;
	size_t i;
	bool ok = true, exists;

	if (lstat(src, &st) != 0) {
		error("hook: cannot copy %s:", src);
		return false;
	}
	exists = lstat(dst, &dt) == 0;
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(src, link, sizeof(link) - 1)) < 0) {
			error("hook: cannot read the link %s:", src);
			return false;
		}
		link[n] = '\0';
		if (exists && S_ISLNK(dt.st_mode) && (m = readlink(dst, old, sizeof(old) - 1)) == n && memcmp(old, link, (size_t)n) == 0)
			return true;
		if (!rmtree(dst) || symlink(link, dst) != 0) {
			error("hook: cannot create the link %s:", dst);
			return false;
		}
		return true;
	}
	if (S_ISREG(st.st_mode)) {
		if (exists && S_ISREG(dt.st_mode) && dt.st_size == st.st_size && dt.st_mtim.tv_sec == st.st_mtim.tv_sec &&
		    dt.st_mtim.tv_nsec == st.st_mtim.tv_nsec && (dt.st_mode & 07777) == (st.st_mode & 07777))
			return true;
		return rmtree(dst) && copyfile(src, dst, &st);
	}
	if (!S_ISDIR(st.st_mode))
		return true; /* sockets, fifos and devices have no place in a build context */
	if (depth > 0 && skipdir(k, src, &st))
		return rmtree(dst);
	if (exists && !S_ISDIR(dt.st_mode) && !rmtree(dst)) {
		error("hook: cannot remove %s:", dst);
		return false;
	}
	if ((!exists || !S_ISDIR(dt.st_mode)) && mkdir(dst, 0700) != 0) {
		error("hook: cannot create %s:", dst);
		return false;
	}
	if (exists && S_ISDIR(dt.st_mode) && (dt.st_mode & 0700) != 0700)
		chmod(dst, dt.st_mode | 0700);
	if (!readnames(src, &names)) {
		error("hook: cannot read %s:", src);
		return false;
	}
	/* what the last run (or its hook) left that the project does not hold */
	readnames(dst, &have);
	for (i = 0; ok && i < have.n; i++) {
		if (!strvechas(&names, have.v[i])) {
			d = pathjoin(dst, have.v[i]);
			if (!(ok = rmtree(d)))
				error("hook: cannot remove %s:", d);
			free(d);
		}
	}
	for (i = 0; ok && i < names.n; i++) {
		r = *rel ? pathjoin(rel, names.v[i]) : xstrdup(names.v[i]);
		s = pathjoin(src, names.v[i]);
		d = pathjoin(dst, names.v[i]);
		if (strcmp(r, svc) == 0)
			; /* copied afresh by the caller */
		else if (depth == 0 && strcmp(names.v[i], ".git") == 0 && lstat(s, &dt) == 0 && S_ISDIR(dt.st_mode)) {
			/* git's own files are read, never copied: a link to the project's */
			if (lstat(d, &dt) != 0 || !S_ISLNK(dt.st_mode)) {
				char *abs = realpath(s, NULL);

				ok = abs && rmtree(d) && symlink(abs, d) == 0;
				if (!ok)
					error("hook: cannot link %s to %s:", d, s);
				free(abs);
			}
		} else
			ok = mirror(k, s, d, r, svc, depth + 1);
		free(r);
		free(s);
		free(d);
	}
	delstrvec(&names);
	delstrvec(&have);
	return ok && dirmeta(dst, &st);
}

/*
 * the hook's private copy of the project at root: everything but git's
 * files (a link) and imagegen build directories, brought up to date, and
 * the service copied afresh, so that the hook starts from the sources
 * whatever its last run wrote
 */
static bool
mkshadow(const struct hookcmd *c, const char *proj, const char *root)
{
	struct skip k;
	struct stat st;
	char *svc = pathjoin(root, c->service), *src = pathjoin(proj, c->service), *real;
	bool ok;

	if (stat(".", &st) != 0) {
		error("hook: cannot read the build directory:");
		return false;
	}
	k.dev = st.st_dev;
	k.ino = st.st_ino;
	ok = mirror(&k, proj, root, "", c->service, 0);
	if (ok && !(ok = rmtree(svc)))
		error("hook: cannot remove %s:", svc);
	/* the service as cp -a copies it: links stay links, but the service may be a link itself */
	if (ok && !(ok = (real = realpath(src, NULL)) != NULL))
		error("hook: cannot copy %s:", src);
	else if (ok) {
		ok = copytree(real, svc, false, 0);
		free(real);
	}
	free(svc);
	free(src);
	return ok;
}

/* the copies of the services depended on, as pai_build makes them before the pre hook */
static bool
copydeps(const struct hookcmd *c, const char *proj, const char *svc)
{
	char *dep, *src, *dst;
	size_t i;
	bool ok = true;

	if (c->deps.n == 0)
		return true;
	dep = pathjoin(svc, "dependency");
	if (mkdir(dep, 0777) != 0 && errno != EEXIST) {
		error("hook: cannot create %s:", dep);
		free(dep);
		return false;
	}
	for (i = 0; ok && i < c->deps.n; i++) {
		src = pathjoin(proj, c->deps.v[i]);
		dst = pathjoin(dep, pathbase(c->deps.v[i]));
		ok = rmtree(dst) && copytree(src, dst, true, 0);
		free(src);
		free(dst);
	}
	free(dep);
	return ok;
}

static void
hashfield(struct sha256_ctx *h, const char *s)
{
	sha256_update(h, strlen(s) + 1, (const uint8_t *)s);
}

/* the content of a file or the target of a link into the hash; false after a message */
static bool
hashcontent(struct sha256_ctx *h, const char *path, mode_t mode)
{
	char block[65536], link[PATH_MAX];
	ssize_t n;
	int fd;

	if (S_ISLNK(mode)) {
		if ((n = readlink(path, link, sizeof(link))) < 0) {
			error("hook: cannot read the link %s:", path);
			return false;
		}
		sha256_update(h, (size_t)n, (const uint8_t *)link);
		return true;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK)) < 0) {
		error("hook: cannot read %s:", path);
		return false;
	}
	while ((n = read(fd, block, sizeof(block))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error("hook: cannot read %s:", path);
			close(fd);
			return false;
		}
		sha256_update(h, (size_t)n, (const uint8_t *)block);
	}
	close(fd);
	return true;
}

/*
 * the stage manifest of one image of the service copy at svc (build
 * directory relative): every entry .dockerignore leaves (the Dockerfile
 * always stays), and the digest of their content; false after a message
 */
static bool
manifest(const char *svc, const struct walklist *w, const struct dockerignore *di, const char *dockerfile, struct buf *out)
{
	struct sha256_ctx h;
	struct buf body = {0};
	uint8_t md[SHA256_DIGEST_SIZE];
	struct stat st;
	char mode[16], *src;
	const char *bad;
	size_t i;
	bool ok = true, found = false;

	sha256_init(&h);
	for (i = 0; ok && i < w->n; i++) {
		const struct walkent *e = &w->ent[i];
		bool isdf = strcmp(e->path, dockerfile) == 0;

		if (!isdf && diexcluded(di, e->path))
			continue;
		if (!S_ISDIR(e->mode) && !S_ISREG(e->mode) && !S_ISLNK(e->mode))
			continue;
		src = pathjoin(svc, e->path);
		if ((bad = escpathbad(e->path))) {
			error("hook: %s: %s", src, bad);
			ok = false;
		} else if (lstat(src, &st) != 0) {
			error("hook: cannot read %s:", src);
			ok = false;
		} else {
			found |= isdf && S_ISREG(e->mode);
			bufprintf(&body, "%c\t%s\t%s\n", S_ISDIR(e->mode) ? 'D' : 'F', e->path, src);
			/* the walker gives the type alone; the permissions are part of the content */
			snprintf(mode, sizeof(mode), "%c%04o", S_ISDIR(e->mode) ? 'd' : S_ISLNK(e->mode) ? 'l' : 'f',
			    (unsigned)(st.st_mode & 07777));
			hashfield(&h, mode);
			hashfield(&h, e->path);
			if (!S_ISDIR(e->mode))
				ok = hashcontent(&h, src, e->mode);
		}
		free(src);
	}
	if (ok && !found) {
		error("hook: %s/%s is not a file after the hook ran; the image cannot be built without it", svc, dockerfile);
		ok = false;
	}
	sha256_digest(&h, sizeof(md), md);
	bufadds(out, MANIFESTHEAD "# content sha256:");
	for (i = 0; i < sizeof(md); i++)
		bufprintf(out, "%02x", md[i]);
	bufaddc(out, '\n');
	if (body.len)
		bufadd(out, body.data, body.len);
	delbuf(&body);
	return ok;
}

/* the manifests of the service's images and the stamp; false after a message */
static bool
writemanifests(const struct hookcmd *c, const char *svc)
{
	struct walklist w = {0};
	struct dockerignore di = {0};
	struct buf b = {0}, all = {0};
	char *errpath, *ignore = pathjoin(svc, ".dockerignore"), *eq, *name, *list;
	size_t i;
	bool ok = true;

	if (readfile(ignore, &b))
		diparse(&di, b.data ? b.data : "", b.len);
	b.len = 0;
	free(ignore);
	if (!walktree(svc, &w, &errpath)) {
		error("hook: cannot read %s:", errpath);
		free(errpath);
		delwalklist(&w);
		deldockerignore(&di);
		return false;
	}
	for (i = 0; ok && i < c->images.n; i++) {
		eq = strchr(c->images.v[i], '=');
		name = xstrndup(c->images.v[i], (size_t)(eq - c->images.v[i]));
		b.len = 0;
		ok = manifest(svc, &w, &di, eq + 1, &b);
		list = xasprintf("%s/%s.list", c->dir, name);
		if (ok && writefile(list, b.data, b.len, 0666) < 0) {
			error("hook: cannot write %s:", list);
			ok = false;
		}
		bufadd(&all, b.data, b.len);
		free(list);
		free(name);
	}
	if (ok) {
		char d[72];
		struct sha256_ctx h;
		uint8_t md[SHA256_DIGEST_SIZE];

		sha256_init(&h);
		sha256_update(&h, all.len, (const uint8_t *)(all.data ? all.data : ""));
		sha256_digest(&h, sizeof(md), md);
		for (i = 0; i < sizeof(md); i++)
			snprintf(d + 2 * i, 3, "%02x", md[i]);
		b.len = 0;
		bufprintf(&b, "sha256:%s\n", d);
		if (writefile(c->out, b.data, b.len, 0666) < 0) {
			error("hook: cannot write %s:", c->out);
			ok = false;
		}
	}
	delwalklist(&w);
	deldockerignore(&di);
	delbuf(&b);
	delbuf(&all);
	return ok;
}

static int
run(struct hookcmd *c)
{
	struct strvec a = {0};
	struct buf b = {0};
	struct stat st;
	char *proj, *root = pathjoin(c->dir, "root"), *svc = pathjoin(root, c->service), *script = NULL, *cmd;
	int here = -1, logfd = -1, status, rc = 1;

	if (!(proj = realpath(c->project, NULL))) {
		error("hook: --project=%s:", c->project);
		goto out;
	}
	script = xasprintf("%s/build/build-%s.sh", c->service, c->phase);
	if (!(c->reuse && lstat(svc, &st) == 0)) {
		if (!mkdirp(c->dir, 0777) || !mkshadow(c, proj, root) || !copydeps(c, proj, svc))
			goto outscript;
	}
	/* as pai_build: chmod u+x, then the path run by the shell from the project root */
	cmd = pathjoin(root, script);
	if (stat(cmd, &st) != 0 || chmod(cmd, st.st_mode | S_IXUSR) != 0) {
		error("hook: cannot make %s executable:", cmd);
		free(cmd);
		goto outscript;
	}
	free(cmd);
	if (!openlog(c->log, &logfd))
		goto outscript;
	strvecadd(&a, "/bin/sh");
	strvecadd(&a, "-c");
	strvecadd(&a, script);
	if ((here = open(".", O_RDONLY | O_DIRECTORY)) < 0 || chdir(root) != 0) {
		error("hook: cannot enter %s:", root);
		goto outscript;
	}
	status = enginelogrun(&a, logfd, NULL, NULL);
	if (fchdir(here) != 0) {
		error("hook: cannot return to the build directory:");
		goto outscript;
	}
	if (status != 0) {
		if (c->log)
			showlogtail(c->log);
		fprintf(stderr, "%s: build-%s.sh of %s failed (exit status %d)%s%s\n", argv0, c->phase, c->service, status,
		    c->log ? "; the full log is " : "", c->log ? c->log : "");
		/* the next ninja runs it again */
		unlink(c->out);
		goto outscript;
	}
	if (strcmp(c->phase, "pre") == 0) {
		if (!writemanifests(c, svc))
			goto outscript;
	} else {
		bufprintf(&b, "build-post.sh of %s ran\n", c->service);
		if (writefile(c->out, b.data, b.len, 0666) < 0) {
			error("hook: cannot write %s:", c->out);
			goto outscript;
		}
	}
	rc = 0;
outscript:
	free(script);
out:
	if (here >= 0)
		close(here);
	if (logfd >= 0)
		close(logfd);
	delstrvec(&a);
	delbuf(&b);
	free(proj);
	free(root);
	free(svc);
	return rc;
}

int
cmd_hook(int argc, char **argv)
{
	struct hookcmd c = {0};
	const char *v;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if ((v = optval(argv[i], "--phase")))
			c.phase = v;
		else if ((v = optval(argv[i], "--project")))
			c.project = v;
		else if ((v = optval(argv[i], "--service")))
			c.service = v;
		else if ((v = optval(argv[i], "--dir")))
			c.dir = v;
		else if ((v = optval(argv[i], "--log")))
			c.log = v;
		else if ((v = optval(argv[i], "--dep")))
			strvecadd(&c.deps, v);
		else if ((v = optval(argv[i], "--image")) && strchr(v, '=') && v[0] != '=')
			strvecadd(&c.images, v);
		else if (strcmp(argv[i], "--reuse") == 0)
			c.reuse = true;
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			c.out = argv[++i];
		else {
			error("hook: unknown or malformed argument '%s'", argv[i]);
			usage(stderr);
			delstrvec(&c.deps);
			delstrvec(&c.images);
			return 2;
		}
	}
	if (!c.phase || (strcmp(c.phase, "pre") != 0 && strcmp(c.phase, "post") != 0) || !c.project || !c.service ||
	    !*c.service || c.service[0] == '/' || !pathinside(c.service) || !c.dir || !c.out) {
		usage(stderr);
		delstrvec(&c.deps);
		delstrvec(&c.images);
		return 2;
	}
	rc = run(&c);
	delstrvec(&c.deps);
	delstrvec(&c.images);
	return rc;
}

/*
 * imagegen rehook [SERVICE...]: gives .imagegen/hook/SERVICE.force (an
 * input of the service's hook edges) the current time, so that the next
 * ninja, or make, runs those hooks again; every service's without names
 */
int
cmd_rehook(int argc, char **argv)
{
	struct strvec names = {0}, want = {0};
	char *path;
	size_t i, n;
	int rc = 0;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: %s rehook [SERVICE...]\n\nin a build directory of the pai-build layout: the next ninja (or make)\n"
		    "runs the build-pre.sh and build-post.sh of each SERVICE again, of every service without one.\n", argv0);
		return 0;
	}
	if (!readnames(".imagegen/hook", &names)) {
		error("rehook: cannot read .imagegen/hook: run it in a build directory of the pai-build layout whose services have hooks:");
		return 1;
	}
	for (i = 0; i < names.n; i++) {
		n = strlen(names.v[i]);
		if (n > 6 && strcmp(names.v[i] + n - 6, ".force") == 0)
			strvectake(&want, xstrndup(names.v[i], n - 6));
	}
	delstrvec(&names);
	for (i = 1; i < (size_t)argc; i++) {
		if (!strvechas(&want, argv[i])) {
			struct buf b = {0};
			size_t j;

			for (j = 0; j < want.n; j++)
				bufprintf(&b, "%s%s", j ? ", " : "", want.v[j]);
			bufterm(&b);
			error("rehook: '%s' is not a service with a hook here; the services with hooks are: %s", argv[i],
			    want.n ? b.data : "none");
			delbuf(&b);
			rc = 2;
		}
	}
	for (i = 0; rc == 0 && i < want.n; i++) {
		int j, named = argc == 1;

		for (j = 1; !named && j < argc; j++)
			named = strcmp(argv[j], want.v[i]) == 0;
		if (!named)
			continue;
		path = xasprintf(".imagegen/hook/%s.force", want.v[i]);
		if (utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW) != 0) {
			error("rehook: cannot set the time of %s:", path);
			rc = 1;
		}
		free(path);
	}
	delstrvec(&want);
	return rc;
}
