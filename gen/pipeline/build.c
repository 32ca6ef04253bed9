#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "util.h"

/* the length of the digest prefix in the tag <name>:<prefix> */
#define DIGESTTAG 16

struct buildcmd {
	struct engine e;
	struct buildopts o;
	struct strvec tags, buildargs, labels, cachefrom, cacheto;
	const char *enginename, *file, *iid, *log, *digestpath, *cache, *layercache;
	char *digest; /* "sha256:<hex>" read from digestpath */
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s build --engine=ENGINE --iid=PATH [OPTIONS] CTXDIR\n"
	    "  --engine=docker|podman|buildah|buildx\n"
	    "  --builder=NAME      buildx builder (with --engine=buildx)\n"
	    "  --name=NAME         tag the image NAME\n"
	    "  --tag=REF           one more tag (repeatable)\n"
	    "  --file=PATH         the Dockerfile, relative to CTXDIR (default Dockerfile)\n"
	    "  --build-arg=K=V     (repeatable)\n"
	    "  --label=K=V         (repeatable)\n"
	    "  --target=STAGE\n"
	    "  --iid=PATH          image ID, rewritten only when it changes\n"
	    "  --log=PATH          the engine's output, shown when the build fails\n"
	    "  --digest=PATH       input digest: tag NAME:<prefix>, label org.imagegen.digest\n"
	    "  --cache=REF         cache registry: pull REF/NAME:<digest> instead of building\n"
	    "  --layer-cache=REF   the engine's layer cache in REF/NAME (--cache-from/--cache-to)\n"
	    "  --cache-from=REF    passed to the engine (repeatable)\n"
	    "  --cache-to=REF      passed to the engine where supported (repeatable)\n"
	    "  --insecure          talk to registries over plain http\n", argv0);
}

static bool
needkv(const char *opt, const char *v)
{
	const char *eq = strchr(v, '=');

	if (!eq || eq == v) {
		error("build: %s '%s' is not KEY=VALUE", opt, v);
		return false;
	}
	return true;
}

/* 0 on success, else the exit status of a usage error */
static int
parseargs(struct buildcmd *c, int argc, char **argv)
{
	const char *v, *a;
	int i;

	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if ((v = optval(a, "--engine"))) {
			c->enginename = v;
		} else if ((v = optval(a, "--builder"))) {
			c->e.builder = v;
		} else if ((v = optval(a, "--name"))) {
			c->o.name = v;
		} else if ((v = optval(a, "--tag"))) {
			strvecadd(&c->tags, v);
		} else if ((v = optval(a, "--file"))) {
			c->file = v;
		} else if ((v = optval(a, "--build-arg"))) {
			if (!needkv("--build-arg", v))
				return 2;
			strvecadd(&c->buildargs, v);
		} else if ((v = optval(a, "--label"))) {
			if (!needkv("--label", v))
				return 2;
			strvecadd(&c->labels, v);
		} else if ((v = optval(a, "--target"))) {
			c->o.target = v;
		} else if ((v = optval(a, "--iid"))) {
			c->iid = v;
		} else if ((v = optval(a, "--log"))) {
			c->log = v;
		} else if ((v = optval(a, "--digest"))) {
			c->digestpath = v;
		} else if ((v = optval(a, "--cache"))) {
			c->cache = v;
		} else if ((v = optval(a, "--layer-cache"))) {
			c->layercache = v;
		} else if ((v = optval(a, "--cache-from"))) {
			strvecadd(&c->cachefrom, v);
		} else if ((v = optval(a, "--cache-to"))) {
			strvecadd(&c->cacheto, v);
		} else if (strcmp(a, "--insecure") == 0) {
			c->e.insecure = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			error("build: unknown option '%s'", a);
			usage(stderr);
			return 2;
		} else if (!c->o.ctxdir) {
			c->o.ctxdir = a;
		} else {
			error("build: more than one context directory ('%s' and '%s')", c->o.ctxdir, a);
			return 2;
		}
	}
	if (!c->o.ctxdir || !c->enginename || !c->iid) {
		error("build: %s is required",
		    !c->o.ctxdir ? "CTXDIR" : !c->enginename ? "--engine" : "--iid");
		usage(stderr);
		return 2;
	}
	if (!engineparse(&c->e, c->enginename)) {
		error("build: unknown engine '%s'; expected docker, podman, buildah or buildx", c->enginename);
		return 2;
	}
	if (c->cache && (!c->o.name || !c->digestpath)) {
		error("build: --cache needs --name and --digest");
		return 2;
	}
	if (c->layercache && !c->o.name) {
		error("build: --layer-cache needs --name");
		return 2;
	}
	return 0;
}

static const char *
imgname(const struct buildcmd *c)
{
	return c->o.name ? c->o.name : c->o.ctxdir;
}

static void
failed(const struct buildcmd *c, const char *what, int st)
{
	if (c->log) {
		showlogtail(c->log);
		error("%s of %s failed (%s exit status %d); the full log is %s", what, imgname(c), c->e.name, st, c->log);
	} else {
		error("%s of %s failed (%s exit status %d)", what, imgname(c), c->e.name, st);
	}
}

/* writes id to --iid if it differs */
static bool
writeiid(const struct buildcmd *c, const char *id)
{
	char *text = xasprintf("%s\n", id);
	int r = writefile(c->iid, text, strlen(text), 0666);

	free(text);
	if (r < 0) {
		error("cannot write %s:", c->iid);
		return false;
	}
	return true;
}

/* reads the input digest file into c->digest */
static bool
readdigest(struct buildcmd *c)
{
	struct buf b = {0};

	if (!readfile(c->digestpath, &b)) {
		error("cannot read the input digest %s:", c->digestpath);
		return false;
	}
	c->digest = imageidnorm(b.data ? b.data : "", b.len);
	delbuf(&b);
	if (!c->digest) {
		error("%s: not an input digest; expected one line 'sha256:<64 hex digits>' (imagegen digest writes it)", c->digestpath);
		return false;
	}
	return true;
}

/* tags image id with every name the build would have given it */
static bool
tagall(struct buildcmd *c, const char *id, int logfd)
{
	struct strvec a = {0};
	const char **names;
	size_t i, n = c->o.ntags + 1;
	int st = 0;

	names = xreallocarray(NULL, n, sizeof(names[0]));
	names[0] = c->o.name;
	for (i = 1; i < n; i++)
		names[i] = c->o.tags[i - 1];
	for (i = 0; i < n && st == 0;) {
		i += enginetagmany(&c->e, id, names + i, n - i, &a);
		st = enginelogrun(&a, logfd, NULL, NULL);
		delstrvec(&a);
	}
	free(names);
	if (st != 0) {
		failed(c, "tagging", st);
		return false;
	}
	return true;
}

/* asks the engine for the image ID of ref; NULL if it has none */
static char *
imageid(struct buildcmd *c, const char *ref, int logfd)
{
	struct strvec a = {0};
	struct buf out = {0};
	char *id = NULL;

	engineimageid(&c->e, ref, &a);
	if (enginelogrun(&a, logfd, NULL, &out) == 0)
		id = imageidnorm(out.data ? out.data : "", out.len);
	delstrvec(&a);
	delbuf(&out);
	return id;
}

/*
 * looks ref up in the cache registry: pulls and tags it and returns its ID,
 * or NULL when it is not there (or the registry cannot be reached)
 */
static char *
cachepull(struct buildcmd *c, const char *ref, int logfd)
{
	struct strvec a = {0};
	struct buf out = {0};
	char *id;
	int st;

	enginepull(&c->e, ref, &a);
	st = enginelogrun(&a, logfd, NULL, &out);
	delstrvec(&a);
	/* podman and buildah print the ID; docker prints the name, so ask */
	id = st == 0 ? imageidnorm(out.data ? out.data : "", out.len) : NULL;
	delbuf(&out);
	if (st != 0)
		return NULL;
	if (!id)
		id = imageid(c, ref, logfd);
	if (!id) {
		error("%s: pulled %s but the engine reports no image ID for it", imgname(c), ref);
		return NULL;
	}
	if (!tagall(c, id, logfd)) {
		free(id);
		return NULL;
	}
	return id;
}

/* pushes the digest tag to the cache; a failure is reported, not fatal */
static void
cachepush(struct buildcmd *c, const char *local, const char *ref, int logfd)
{
	struct strvec a = {0};
	int st;

	if (c->e.kind == ENGINE_DOCKER || c->e.kind == ENGINE_BUILDX) {
		enginetag(&c->e, local, ref, &a);
		st = enginelogrun(&a, logfd, NULL, NULL);
		delstrvec(&a);
		if (st != 0) {
			warning("%s: cannot tag %s for the cache (exit status %d); see %s", imgname(c), ref, st, c->log ? c->log : "above");
			return;
		}
	}
	enginepush(&c->e, local, ref, NULL, &a);
	st = enginelogrun(&a, logfd, NULL, NULL);
	delstrvec(&a);
	if (st != 0)
		warning("%s: cannot push %s to the cache registry (exit status %d); see %s", imgname(c), ref, st, c->log ? c->log : "above");
}

static int
build(struct buildcmd *c)
{
	struct strvec a = {0};
	struct buf idtext = {0};
	struct stat st;
	char *file, *tmp, *id = NULL, *cacheref = NULL;
	char *lcrepo = NULL, *lcfrom = NULL, *lcto = NULL;
	int logfd = -1, rc = 1, status;

	if (stat(c->o.ctxdir, &st) != 0) {
		error("build: context directory %s: %s", c->o.ctxdir, errstr(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		error("build: context %s is not a directory; expected the staged context ctx/<image>", c->o.ctxdir);
		return 1;
	}
	file = pathjoin(c->o.ctxdir, c->file ? c->file : "Dockerfile");
	if (access(file, R_OK) != 0) {
		error("build: Dockerfile %s: %s; expected --file to name a file of the context", file, errstr(errno));
		free(file);
		return 1;
	}
	/* one build of a context at a time, and no stage of it meanwhile (img/X.iid.engine is this build's) */
	if (!bdlock(c->o.ctxdir, true)) {
		error("build: cannot lock %s in .imagegen/lock: %s", c->o.ctxdir, errstr(errno));
		free(file);
		return 1;
	}
	if (!enginefind(&c->e)) {
		error("build: the container engine '%s' is not in PATH; install it (Debian package %s) or choose another with --engine", c->e.kind == ENGINE_BUILDX ? "docker" : c->e.name, enginepkg(&c->e));
		free(file);
		return 1;
	}
	if (c->digestpath) {
		if (!readdigest(c))
			goto out;
		if (c->o.name)
			strvecaddf(&c->tags, "%s:%.*s", c->o.name, DIGESTTAG, c->digest + 7);
		strvecaddf(&c->labels, "org.imagegen.digest=%s", c->digest);
	}
	if (c->layercache) {
		lcrepo = xasprintf("%s/%s", c->layercache, c->o.name);
		enginelayercache(&c->e, lcrepo, &lcfrom, &lcto);
		if (lcfrom)
			strvectake(&c->cachefrom, lcfrom);
		if (lcto)
			strvectake(&c->cacheto, lcto);
	}
	c->o.file = file;
	c->o.tags = (const char **)c->tags.v;
	c->o.ntags = c->tags.n;
	c->o.buildargs = (const char **)c->buildargs.v;
	c->o.nbuildargs = c->buildargs.n;
	c->o.labels = (const char **)c->labels.v;
	c->o.nlabels = c->labels.n;
	c->o.cachefrom = (const char **)c->cachefrom.v;
	c->o.ncachefrom = c->cachefrom.n;
	c->o.cacheto = (const char **)c->cacheto.v;
	c->o.ncacheto = c->cacheto.n;
	if (!openlog(c->log, &logfd))
		goto out;
	if (c->cache) {
		cacheref = xasprintf("%s/%s:%s", c->cache, c->o.name, c->digest + 7);
		id = cachepull(c, cacheref, logfd);
		if (id) {
			if (writeiid(c, id)) {
				printf("%s: pulled %s\n", c->o.name, cacheref);
				rc = 0;
			}
			goto out;
		}
	}
	tmp = xasprintf("%s.engine", c->iid);
	if (!mkdirparent(tmp)) {
		error("cannot create the directory of %s:", c->iid);
		free(tmp);
		goto out;
	}
	unlink(tmp);
	c->o.iidfile = tmp;
	enginebuild(&c->e, &c->o, &a);
	status = enginelogrun(&a, logfd, NULL, NULL);
	delstrvec(&a);
	if (status != 0) {
		if (status > 0)
			failed(c, "build", status);
		unlink(tmp);
		free(tmp);
		goto out;
	}
	if (!readfile(tmp, &idtext) || !(id = imageidnorm(idtext.data ? idtext.data : "", idtext.len))) {
		error("%s: the engine wrote no image ID to %s; expected sha256:<hex>", imgname(c), tmp);
		unlink(tmp);
		free(tmp);
		goto out;
	}
	unlink(tmp);
	free(tmp);
	if (cacheref)
		cachepush(c, c->o.name, cacheref, logfd);
	if (writeiid(c, id)) {
		if (c->cache)
			printf("%s: built\n", c->o.name);
		rc = 0;
	}
out:
	if (logfd >= 0)
		close(logfd);
	fflush(stdout);
	delbuf(&idtext);
	free(id);
	free(cacheref);
	free(lcrepo);
	free(file);
	return rc;
}

int
cmd_build(int argc, char **argv)
{
	struct buildcmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = parseargs(&c, argc, argv);
	if (rc == 0)
		rc = build(&c);
	delstrvec(&c.tags);
	delstrvec(&c.buildargs);
	delstrvec(&c.labels);
	delstrvec(&c.cachefrom);
	delstrvec(&c.cacheto);
	free(c.digest);
	delengine(&c.e);
	return rc;
}
