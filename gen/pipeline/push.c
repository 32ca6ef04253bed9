#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "image.h"
#include "registry.h"
#include "util.h"

/* the length of the digest prefix in a staging tag */
#define STAGETAG 16

/* options shared by push and publish */
struct pushcmd {
	struct engine e;
	const char *enginename, *log, *out, *user, *passfile, *passenv, *passconfig;
	const char *iid, *repo, *digest; /* push */
	const char *tag;                 /* publish */
	const char **stamps;             /* publish */
	size_t nstamps;
	int logfd;
};

/* one line of a push stamp: "<image id> <repo>@<manifest digest>" */
struct pushed {
	char *iid, *repo, *manifest;
};

static void
usage(FILE *f, const char *cmd)
{
	if (strcmp(cmd, "push") == 0)
		fprintf(f, "usage: %s push --engine=ENGINE --iid=IIDFILE --repo=REGISTRY/NAMESPACE/NAME [--digest=DIGESTFILE]\n"
		    "                [--insecure] [--log=LOG] [--user=U (--password-file=F | --password-env=VAR |\n"
		    "                --password-config=CONFIG)] -o STAMP\n"
		    "pushes the image to REPO:<staging tag> and records its manifest digest in STAMP\n", argv0);
	else
		fprintf(f, "usage: %s publish --engine=ENGINE --tag=TAG [--insecure] [--log=LOG]\n"
		    "                [--user=U (--password-file=F | --password-env=VAR | --password-config=CONFIG)]\n"
		    "                -o STAMP PUSHED...\n"
		    "moves TAG of every repository named in the PUSHED stamps to the image pushed there\n", argv0);
}

/* 0, or the exit status of a usage error */
static int
parseargs(struct pushcmd *c, int argc, char **argv)
{
	const char *v, *a, *cmd = argv[0];
	int i;

	c->logfd = -1;
	c->stamps = xreallocarray(NULL, (size_t)argc, sizeof(c->stamps[0]));
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, cmd);
			exit(0);
		} else if ((v = optval(a, "--engine"))) {
			c->enginename = v;
		} else if ((v = optval(a, "--log"))) {
			c->log = v;
		} else if ((v = optval(a, "--user"))) {
			c->user = v;
		} else if ((v = optval(a, "--password-file"))) {
			c->passfile = v;
		} else if ((v = optval(a, "--password-env"))) {
			c->passenv = v;
		} else if ((v = optval(a, "--password-config"))) {
			c->passconfig = v;
		} else if (strcmp(a, "--insecure") == 0) {
			c->e.insecure = true;
		} else if (strcmp(cmd, "push") == 0 && (v = optval(a, "--iid"))) {
			c->iid = v;
		} else if (strcmp(cmd, "push") == 0 && (v = optval(a, "--repo"))) {
			c->repo = v;
		} else if (strcmp(cmd, "push") == 0 && (v = optval(a, "--digest"))) {
			c->digest = v;
		} else if (strcmp(cmd, "publish") == 0 && (v = optval(a, "--tag"))) {
			c->tag = v;
		} else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			c->out = argv[++i];
		} else if (a[0] == '-') {
			error("%s: unknown option '%s'", cmd, a);
			usage(stderr, cmd);
			return 2;
		} else if (strcmp(cmd, "publish") == 0) {
			c->stamps[c->nstamps++] = a;
		} else {
			error("push: unexpected argument '%s'", a);
			usage(stderr, cmd);
			return 2;
		}
	}
	if (!c->enginename || !c->out || (strcmp(cmd, "push") == 0 && (!c->iid || !c->repo)) ||
	    (strcmp(cmd, "publish") == 0 && !c->tag)) {
		error("%s: missing a required option", cmd);
		usage(stderr, cmd);
		return 2;
	}
	if (!engineparse(&c->e, c->enginename)) {
		error("%s: unknown engine '%s'; expected docker, podman, buildah or buildx", cmd, c->enginename);
		return 2;
	}
	if (c->user && (c->passfile != NULL) + (c->passenv != NULL) + (c->passconfig != NULL) != 1) {
		error("%s: --user needs exactly one of --password-file, --password-env or --password-config", cmd);
		return 2;
	}
	if (c->tag && !imagetagok(c->tag)) {
		error("publish: '%s' is not a valid tag; expected letters, digits, '_', '.', '-'", c->tag);
		return 2;
	}
	return 0;
}

/* reads a file holding one "sha256:<hex>" line; owned by the caller, NULL after a message */
static char *
readid(const char *path, const char *what)
{
	struct buf b = {0};
	char *s;

	if (!readfile(path, &b)) {
		error("cannot read the %s %s:", what, path);
		return NULL;
	}
	s = imageidnorm(b.data ? b.data : "", b.len);
	delbuf(&b);
	if (!s)
		errorat(NULL, path, 1, 0, "not an %s; expected one line 'sha256:<64 hex digits>'%s", what, STATEHINT);
	return s;
}

static void
delpushed(struct pushed *p)
{
	free(p->iid);
	free(p->repo);
	free(p->manifest);
	p->iid = p->repo = p->manifest = NULL;
}

/* parses "<iid> <repo>@<digest>" at s (up to the newline) */
static bool
parsepushed(const char *s, size_t n, struct pushed *p)
{
	const char *sp = memchr(s, ' ', n), *at;

	p->iid = p->repo = p->manifest = NULL;
	if (!sp)
		return false;
	at = memchr(sp, '@', n - (size_t)(sp - s));
	if (!at)
		return false;
	p->iid = imageidnorm(s, (size_t)(sp - s));
	p->manifest = imageidnorm(at + 1, n - (size_t)(at + 1 - s));
	p->repo = xstrndup(sp + 1, (size_t)(at - sp - 1));
	if (!p->iid || !p->manifest || !*p->repo || strchr(p->repo, ' ')) {
		delpushed(p);
		return false;
	}
	return true;
}

/* reads a stamp of one or more pushed lines; *n entries into *v. false if missing or malformed (quiet unless loud) */
static bool
readstamp(const char *path, struct pushed **v, size_t *n, bool loud)
{
	struct buf b = {0};
	const char *s, *nl, *end;
	int line = 0;

	*v = NULL;
	*n = 0;
	if (!readfile(path, &b)) {
		if (loud)
			error("cannot read the push stamp %s:", path);
		return false;
	}
	for (s = b.data, end = b.data + b.len; s && s < end; s = nl + 1) {
		line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		*v = xreallocarray(*v, *n + 1, sizeof((*v)[0]));
		if (!parsepushed(s, (size_t)(nl - s), &(*v)[*n])) {
			if (loud)
				errorat(NULL, path, line, 0, "malformed push stamp; expected '<image id> <repository>@<manifest digest>'%s", STATEHINT);
			delbuf(&b);
			while (*n > 0)
				delpushed(&(*v)[--*n]);
			free(*v);
			*v = NULL;
			return false;
		}
		++*n;
	}
	delbuf(&b);
	return *n > 0;
}

/* logs in to the registry of ref when a user is given; the password goes on stdin */
static bool
login(struct pushcmd *c, const char *ref)
{
	struct strvec a = {0};
	struct buf pw = {0};
	const char *env;
	char *host;
	int st;

	if (!c->user)
		return true;
	if (c->passfile) {
		if (!readfile(c->passfile, &pw)) {
			error("cannot read the password file %s:", c->passfile);
			return false;
		}
		bufterm(&pw);
		while (pw.len > 0 && (pw.data[pw.len - 1] == '\n' || pw.data[pw.len - 1] == '\r'))
			pw.data[--pw.len] = '\0';
	} else if (c->passconfig) {
		struct registryinfo ri;
		bool found;

		if (!registryinfoload(c->passconfig, &ri, &found))
			return false;
		if (!found) {
			error("%s: no registry section (cluster.docker-registry-info, cluster.docker-registry or docker-registry-info); expected the registry password there",
			    c->passconfig);
			return false;
		}
		if (!ri.password) {
			errorat(NULL, ri.file, ri.line, ri.col, "%s has no %s; expected the registry password there", ri.section,
			    ri.keys[REG_PASSWORD]);
			delregistryinfo(&ri);
			return false;
		}
		bufadds(&pw, ri.password);
		delregistryinfo(&ri);
	} else {
		env = getenv(c->passenv);
		if (!env) {
			error("the environment variable %s, which should hold the registry password, is not set", c->passenv);
			return false;
		}
		bufadds(&pw, env);
	}
	host = refhost(ref);
	enginelogin(&c->e, host, c->user, &a);
	st = enginelogrun(&a, c->logfd, pw.data, NULL);
	delstrvec(&a);
	/* the password is not kept around longer than needed */
	memset(pw.data, 0, pw.len);
	delbuf(&pw);
	if (st != 0) {
		if (c->log)
			showlogtail(c->log);
		error("login to the registry %s as %s failed (%s exit status %d)%s%s", host, c->user,
		    c->e.name, st, c->log ? "; the full log is " : "", c->log ? c->log : "");
	}
	free(host);
	return st == 0;
}

/* the manifest digest in docker push's output ("...: digest: sha256:<hex> size: N"); owned by the caller */
static char *
dockerdigest(const struct buf *out)
{
	const char *s = out->data, *p;

	if (!s)
		return NULL;
	for (p = s; (p = strstr(p, "digest: sha256:")); p++) {
		if (strlen(p + 8) >= 71)
			return imageidnorm(p + 8, 71);
	}
	return NULL;
}

/* pushes the local image id to dst; returns the manifest digest, NULL after a message */
static char *
pushone(struct pushcmd *c, const char *id, const char *dst, const char *name)
{
	struct strvec a = {0};
	struct buf out = {0}, text = {0};
	char *tmp = NULL, *manifest = NULL;
	int st;

	if (c->e.kind == ENGINE_DOCKER || c->e.kind == ENGINE_BUILDX) {
		enginetag(&c->e, id, dst, &a);
		st = enginelogrun(&a, c->logfd, NULL, NULL);
		delstrvec(&a);
		if (st != 0)
			goto fail;
		enginepush(&c->e, id, dst, NULL, &a);
		st = enginelogrun(&a, c->logfd, NULL, &out);
		delstrvec(&a);
		if (st != 0)
			goto fail;
		manifest = dockerdigest(&out);
	} else {
		tmp = xasprintf("%s.manifest", c->out);
		if (!mkdirparent(tmp)) {
			error("cannot create the directory of %s:", c->out);
			goto out;
		}
		unlink(tmp);
		enginepush(&c->e, id, dst, tmp, &a);
		st = enginelogrun(&a, c->logfd, NULL, NULL);
		delstrvec(&a);
		if (st != 0)
			goto fail;
		if (readfile(tmp, &text))
			manifest = imageidnorm(text.data ? text.data : "", text.len);
	}
	if (!manifest)
		error("pushed %s to %s but %s reported no manifest digest", name, dst, c->e.name);
	goto out;
fail:
	if (st > 0) {
		if (c->log)
			showlogtail(c->log);
		error("push of %s to %s failed (%s exit status %d)%s%s", name, dst, c->e.name, st,
		    c->log ? "; the full log is " : "", c->log ? c->log : "");
	}
out:
	if (tmp)
		unlink(tmp);
	free(tmp);
	delbuf(&out);
	delbuf(&text);
	return manifest;
}

static bool
findengine(struct pushcmd *c)
{
	if (enginefind(&c->e))
		return true;
	error("the container engine '%s' is not in PATH; install it (Debian package %s) or choose another with --engine", c->e.kind == ENGINE_BUILDX ? "docker" : c->e.name, enginepkg(&c->e));
	return false;
}

static bool
writestamp(const char *path, const struct buf *b)
{
	if (writefile(path, b->data, b->len, 0666) < 0) {
		error("cannot write %s:", path);
		return false;
	}
	return true;
}

static int
push(struct pushcmd *c)
{
	struct pushed *old;
	struct buf stamp = {0};
	size_t nold;
	char *id, *digest = NULL, *dst = NULL, *manifest = NULL;
	const char *name;
	int rc = 1;

	/* one push to this stamp at a time (its .manifest file is this push's) */
	if (!bdlock(c->out, true)) {
		error("cannot lock %s in .imagegen/lock:", c->out);
		return 1;
	}
	id = readid(c->iid, "image ID");
	if (!id)
		return 1;
	if (c->digest && !(digest = readid(c->digest, "input digest")))
		goto out;
	/* the stamp already records this image in this repository: nothing to do */
	if (readstamp(c->out, &old, &nold, false)) {
		bool same = nold == 1 && strcmp(old[0].iid, id) == 0 && strcmp(old[0].repo, c->repo) == 0;

		while (nold > 0)
			delpushed(&old[--nold]);
		free(old);
		if (same) {
			rc = 0;
			goto out;
		}
	}
	name = pathbase(c->repo);
	if (!findengine(c) || !openlog(c->log, &c->logfd) || !login(c, c->repo))
		goto out;
	dst = xasprintf("%s:%s%.*s", c->repo, digest ? "" : "id-", STAGETAG, (digest ? digest : id) + 7);
	manifest = pushone(c, id, dst, name);
	if (!manifest)
		goto out;
	bufprintf(&stamp, "%s %s@%s\n", id, c->repo, manifest);
	if (writestamp(c->out, &stamp)) {
		printf("%s: pushed %s@%s\n", name, dst, manifest);
		rc = 0;
	}
out:
	if (c->logfd >= 0)
		close(c->logfd);
	delbuf(&stamp);
	free(id);
	free(digest);
	free(dst);
	free(manifest);
	return rc;
}

static int
publish(struct pushcmd *c)
{
	struct pushed *set = NULL, *one, *old = NULL;
	struct buf stamp = {0};
	size_t nset = 0, nold = 0, n, i, j;
	char *dst, *manifest, *host, *lastlogin = NULL;
	bool ok = true, done;
	int rc = 1;

	if (!bdlock(c->out, true)) {
		error("cannot lock %s in .imagegen/lock:", c->out);
		return 1;
	}
	for (i = 0; i < c->nstamps; i++) {
		if (!readstamp(c->stamps[i], &one, &n, true)) {
			ok = false;
			continue;
		}
		set = xreallocarray(set, nset + n, sizeof(set[0]));
		memcpy(set + nset, one, n * sizeof(set[0]));
		nset += n;
		free(one);
	}
	if (!ok)
		goto out;
	readstamp(c->out, &old, &nold, false);
	if (!findengine(c) || !openlog(c->log, &c->logfd))
		goto out;
	for (i = 0; i < nset; i++) {
		dst = xasprintf("%s:%s", set[i].repo, c->tag);
		done = false;
		for (j = 0; j < nold && !done; j++) {
			if (strcmp(old[j].iid, set[i].iid) == 0 && strcmp(old[j].repo, dst) == 0) {
				bufprintf(&stamp, "%s %s@%s\n", set[i].iid, dst, old[j].manifest);
				done = true;
			}
		}
		if (done) {
			free(dst);
			continue;
		}
		host = refhost(set[i].repo);
		if (!lastlogin || strcmp(lastlogin, host) != 0) {
			if (!login(c, set[i].repo)) {
				free(host);
				free(dst);
				goto out;
			}
			free(lastlogin);
			lastlogin = host;
		} else {
			free(host);
		}
		manifest = pushone(c, set[i].iid, dst, pathbase(set[i].repo));
		if (!manifest) {
			free(dst);
			goto out;
		}
		bufprintf(&stamp, "%s %s@%s\n", set[i].iid, dst, manifest);
		printf("%s: published %s@%s\n", pathbase(set[i].repo), dst, manifest);
		free(manifest);
		free(dst);
	}
	bufterm(&stamp);
	if (writestamp(c->out, &stamp))
		rc = 0;
out:
	if (c->logfd >= 0)
		close(c->logfd);
	for (i = 0; i < nset; i++)
		delpushed(&set[i]);
	for (i = 0; i < nold; i++)
		delpushed(&old[i]);
	free(set);
	free(old);
	free(lastlogin);
	delbuf(&stamp);
	return rc;
}

/* push or publish (run) on the arguments; the exit status */
static int
pushrun(int argc, char **argv, int (*run)(struct pushcmd *))
{
	struct pushcmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = parseargs(&c, argc, argv);
	if (rc == 0)
		rc = run(&c);
	fflush(stdout);
	free(c.stamps);
	delengine(&c.e);
	return rc;
}

int
cmd_push(int argc, char **argv)
{
	return pushrun(argc, argv, push);
}

int
cmd_publish(int argc, char **argv)
{
	return pushrun(argc, argv, publish);
}
