#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "stage.h"
#include "util.h"

/* the length of the digest prefix in the tag <name>:<prefix> */
#define DIGESTTAG 16

struct buildcmd {
	struct engine e;
	struct buildopts o;
	struct strvec tags, buildargs, labels, cachefrom, cacheto, deps;
	const char *enginename, *file, *iid, *log, *digestpath, *cache, *layercache;
	const char *pulled; /* the pull edge's stamp: "<digest> <image id>" or "<digest> -" */
	char *digest; /* "sha256:<hex>" read from digestpath */
	struct timespec t0; /* when the build started, for the result line */
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
	    "  --network=MODE      the network of RUN steps (none, host, ...)\n"
	    "  --iid=PATH          image ID, rewritten only when it changes; PATH.built records\n"
	    "                      what it was built from\n"
	    "  --dep=IIDFILE       the image ID of a prerequisite (repeatable): with --digest,\n"
	    "                      the engine is not run when the digest and these IDs are\n"
	    "                      those of the last build and the image is still there\n"
	    "  --log=PATH          the engine's output, shown when the build fails\n"
	    "  --digest=PATH       input digest: tag NAME:<prefix>, label org.imagegen.digest\n"
	    "  --cache=REF         cache registry: pull REF/NAME:<digest> instead of building,\n"
	    "                      push it there after a build\n"
	    "  --pulled=STAMP      what imagegen pull found in the cache: its image, when it is\n"
	    "                      the one of the digest, is taken instead of a build\n"
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
		} else if ((v = optval(a, "--network"))) {
			c->o.network = v;
		} else if ((v = optval(a, "--dep"))) {
			strvecadd(&c->deps, v);
		} else if ((v = optval(a, "--iid"))) {
			c->iid = v;
		} else if ((v = optval(a, "--log"))) {
			c->log = v;
		} else if ((v = optval(a, "--digest"))) {
			c->digestpath = v;
		} else if ((v = optval(a, "--cache"))) {
			c->cache = v;
		} else if ((v = optval(a, "--pulled"))) {
			c->pulled = v;
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

/* PATH with its ".iid" ending (if any) replaced by ext: img/X.iid -> img/X.built */
static char *
sibling(const char *iid, const char *ext)
{
	size_t n = strlen(iid);

	if (n > 4 && strcmp(iid + n - 4, ".iid") == 0)
		n -= 4;
	return xasprintf("%.*s%s", (int)n, iid, ext);
}

/* seconds since the build started */
static double
elapsed(const struct buildcmd *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->t0.tv_sec) + (double)(t.tv_nsec - c->t0.tv_nsec) / 1e9;
}

/* PATH.failed beside the image ID: the last run of this build failed (imagegen status reads it) */
static void
markfailed(const struct buildcmd *c, const char *what, int st)
{
	char *path = sibling(c->iid, ".failed");
	char *text = xasprintf("%s %s exit status %d\n", what, c->e.name, st);

	if (writefile(path, text, strlen(text), 0666) < 0)
		error("cannot write %s:", path);
	free(text);
	free(path);
}

/* the last run succeeded: no PATH.failed */
static void
clearfailed(const struct buildcmd *c)
{
	char *path = sibling(c->iid, ".failed");

	if (unlink(path) != 0 && errno != ENOENT)
		error("cannot remove %s:", path);
	free(path);
}

/*
 * podman refuses a short name it cannot resolve ("short-name ... did not
 * resolve to an alias and no unqualified-search registries are defined"):
 * say how to fix it
 */
static void
shortnamehint(const char *log)
{
	struct buf b = {0};

	if (readfile(log, &b) && (bufterm(&b), strstr(b.data, "short-name")) && strstr(b.data, "unqualified-search"))
		note("podman resolves a short name such as 'FROM ubuntu' only through "
		    "unqualified-search-registries in /etc/containers/registries.conf; write the name in full "
		    "(docker.io/library/ubuntu) or add: unqualified-search-registries = [\"docker.io\"]");
	delbuf(&b);
}

static void
failed(const struct buildcmd *c, const char *what, int st)
{
	if (c->log)
		showlogtail(c->log);
	markfailed(c, what, st);
	if (strcmp(what, "build") != 0)
		error("%s of %s failed (%s exit status %d)", what, imgname(c), c->e.name, st);
	fflush(stdout);
	fprintf(stderr, "%s: FAILED after %.1f s%s%s\n", imgname(c), elapsed(c), c->log ? ", see " : "", c->log ? c->log : "");
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
		error("%s: not an input digest; expected one line 'sha256:<64 hex digits>' (imagegen digest writes it)%s", c->digestpath, STATEHINT);
		return false;
	}
	return true;
}

/*
 * what the image is built from, as the record beside the image ID holds
 * it: the input digest and each prerequisite's image ID; NULL when a
 * prerequisite's ID cannot be read
 */
static char *
inputsrecord(const struct buildcmd *c)
{
	struct buf b = {0}, t = {0};
	char *id;
	size_t i;

	bufprintf(&b, "digest %s\n", c->digest);
	for (i = 0; i < c->deps.n; i++) {
		t.len = 0;
		if (!readfile(c->deps.v[i], &t) || !(id = imageidnorm(t.data ? t.data : "", t.len))) {
			delbuf(&t);
			delbuf(&b);
			return NULL;
		}
		bufprintf(&b, "dep %s\n", id);
		free(id);
	}
	delbuf(&t);
	bufterm(&b);
	return b.data;
}

static char *imageid(struct buildcmd *c, const char *ref, int logfd);

/*
 * the ID of the image the last build made when it was made from the
 * same inputs and the engine still has it under the image's name; NULL
 * when the engine has to build
 */
static char *
uptodate(struct buildcmd *c, const char *inputs)
{
	struct buf rec = {0};
	char *path, *id = NULL, *have;
	size_t n = strlen(inputs);

	if (!c->o.name)
		return NULL;
	path = sibling(c->iid, ".built");
	if (readfile(path, &rec) && rec.len > n + 3 && memcmp(rec.data, inputs, n) == 0 &&
	    memcmp(rec.data + n, "id ", 3) == 0)
		id = imageidnorm(rec.data + n + 3, rec.len - n - 3);
	free(path);
	delbuf(&rec);
	if (!id)
		return NULL;
	have = imageid(c, c->o.name, -2);
	if (!have || strcmp(have, id) != 0) {
		free(id);
		id = NULL;
	}
	free(have);
	return id;
}

/* records what the image id was built from */
static void
writerecord(const struct buildcmd *c, const char *inputs, const char *id)
{
	char *path = sibling(c->iid, ".built"), *text = xasprintf("%sid %s\n", inputs, id);

	if (writefile(path, text, strlen(text), 0666) < 0)
		error("cannot write %s:", path);
	free(text);
	free(path);
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
	/* logfd -2: no log, and nothing on stderr either */
	if ((logfd == -2 ? enginequiet(&a, &out) : enginelogrun(&a, logfd, NULL, &out)) == 0)
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

/* the image the pull edge found for the current digest, or NULL */
static char *
pulledid(const struct buildcmd *c)
{
	struct buf b = {0};
	char *id = NULL;
	size_t n = strlen(c->digest);

	if (readfile(c->pulled, &b) && b.len > n + 1 && memcmp(b.data, c->digest, n) == 0 && b.data[n] == ' ')
		id = imageidnorm(b.data + n + 1, b.len - n - 1);
	delbuf(&b);
	return id;
}

/*
 * imagegen pull: looks the image up in the cache registry by its input
 * digest, before its build edge runs, so that ninja's status line says
 * PULL while it pulls. Writes "<digest> <image id>", or "<digest> -" when
 * the cache does not hold it, and only when that changes.
 */
int
cmd_pull(int argc, char **argv)
{
	struct buildcmd c;
	struct buf old = {0};
	const char *v, *out = NULL;
	char *ref = NULL, *id = NULL, *text = NULL;
	int i, rc = 1, logfd = -1;

	memset(&c, 0, sizeof(c));
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: %s pull --engine=ENGINE --cache=REF --name=NAME --digest=DIGESTFILE [--insecure]\n"
			    "                [--log=LOG] -o STAMP\n"
			    "\n"
			    "pulls REF/NAME:<input digest> when the cache registry holds it and records\n"
			    "'<digest> <image id>' in STAMP, or '<digest> -' when it does not; imagegen\n"
			    "build --pulled=STAMP then takes the image instead of building it.\n", argv0);
			return 0;
		} else if ((v = optval(argv[i], "--engine"))) {
			c.enginename = v;
		} else if ((v = optval(argv[i], "--cache"))) {
			c.cache = v;
		} else if ((v = optval(argv[i], "--name"))) {
			c.o.name = v;
		} else if ((v = optval(argv[i], "--digest"))) {
			c.digestpath = v;
		} else if ((v = optval(argv[i], "--log"))) {
			c.log = v;
		} else if (strcmp(argv[i], "--insecure") == 0) {
			c.e.insecure = true;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else {
			error("pull: unknown argument '%s'; '%s pull --help' lists the options", argv[i], argv0);
			return 2;
		}
	}
	if (!c.enginename || !c.cache || !c.o.name || !c.digestpath || !out) {
		error("pull: --engine, --cache, --name, --digest and -o are required");
		return 2;
	}
	if (!engineparse(&c.e, c.enginename)) {
		error("pull: unknown engine '%s'; expected docker, podman, buildah or buildx", c.enginename);
		return 2;
	}
	if (!readdigest(&c))
		goto out;
	/* the stamp is about this digest already: the lookup is done */
	if (readfile(out, &old) && old.len > strlen(c.digest) && memcmp(old.data, c.digest, strlen(c.digest)) == 0 &&
	    old.data[strlen(c.digest)] == ' ') {
		rc = 0;
		goto out;
	}
	if (!enginefind(&c.e)) {
		error("pull: the container engine '%s' is not in PATH; install it (Debian package %s)",
		    c.e.kind == ENGINE_BUILDX ? "docker" : c.e.name, enginepkg(&c.e));
		goto out;
	}
	if (!openlog(c.log, &logfd))
		goto out;
	ref = xasprintf("%s/%s:%s", c.cache, c.o.name, c.digest + 7);
	{
		struct strvec a = {0};
		struct buf o = {0};
		int st;

		enginepull(&c.e, ref, &a);
		st = enginelogrun(&a, logfd, NULL, &o);
		delstrvec(&a);
		if (st == 0 && !(id = imageidnorm(o.data ? o.data : "", o.len)))
			id = imageid(&c, ref, logfd);
		delbuf(&o);
	}
	text = xasprintf("%s %s\n", c.digest, id ? id : "-");
	if (writefile(out, text, strlen(text), 0666) < 0) {
		error("pull: cannot write %s:", out);
		goto out;
	}
	if (id)
		printf("%s: pulled from %s in %.1f s (%.19s)\n", c.o.name, c.cache, elapsed(&c), id);
	rc = 0;
out:
	if (logfd >= 0)
		close(logfd);
	fflush(stdout);
	delbuf(&old);
	free(ref);
	free(id);
	free(text);
	free(c.digest);
	delengine(&c.e);
	return rc;
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
	struct diag d = {0};
	struct strvec a = {0};
	struct buf idtext = {0};
	struct stat st;
	char *file, *tmp, *id = NULL, *cacheref = NULL;
	char *lcrepo = NULL, *lcfrom = NULL, *lcto = NULL, *inputs = NULL;
	int logfd = -1, rc = 1, status;

	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	if (stat(c->o.ctxdir, &st) != 0) {
		error("build: context directory %s: %s", c->o.ctxdir, errstr(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		error("build: context %s is not a directory; expected the staged context ctx/<image>", c->o.ctxdir);
		return 1;
	}
	/* one build of a context at a time, and no stage of it meanwhile (img/X.iid.engine is this build's) */
	if (!bdlock(c->o.ctxdir, true)) {
		error("build: cannot lock %s in .imagegen/lock: %s", c->o.ctxdir, errstr(errno));
		return 1;
	}
	/* the engine is sent the context as staged, whatever was changed in it by hand since */
	if (!stagefresh(c->o.ctxdir, NULL, &d))
		return 1;
	file = pathjoin(c->o.ctxdir, c->file ? c->file : "Dockerfile");
	if (access(file, R_OK) != 0) {
		error("build: Dockerfile %s: %s; expected --file to name a file of the context", file, errstr(errno));
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
	if (c->digest && c->pulled && (id = pulledid(c))) {
		/* the pull edge found it in the cache (and said so): give it its names */
		if (openlog(c->log, &logfd) && tagall(c, id, logfd) && writeiid(c, id)) {
			if ((inputs = inputsrecord(c)))
				writerecord(c, inputs, id);
			clearfailed(c);
			rc = 0;
			goto out;
		}
		if (logfd >= 0)
			close(logfd);
		logfd = -1;
		free(id);
		id = NULL;
	}
	if (c->digest && (inputs = inputsrecord(c)) && (id = uptodate(c, inputs))) {
		if (writeiid(c, id)) {
			clearfailed(c);
			printf("%s: up to date (inputs unchanged)\n", c->o.name);
			rc = 0;
		}
		goto out;
	}
	if (!openlog(c->log, &logfd))
		goto out;
	if (c->cache)
		cacheref = xasprintf("%s/%s:%s", c->cache, c->o.name, c->digest + 7);
	/* with a pull edge, the cache was looked up already */
	if (c->cache && !c->pulled) {
		id = cachepull(c, cacheref, logfd);
		if (id) {
			if (writeiid(c, id)) {
				if (inputs)
					writerecord(c, inputs, id);
				clearfailed(c);
				printf("%s: pulled from %s in %.1f s (%.19s)\n", c->o.name, c->cache, elapsed(c), id);
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
	if (status != 0 && c->e.kind == ENGINE_PODMAN && c->log)
		shortnamehint(c->log);
	delstrvec(&a);
	if (status != 0) {
		failed(c, "build", status);
		unlink(tmp);
		free(tmp);
		goto out;
	}
	if (!readfile(tmp, &idtext) || !(id = imageidnorm(idtext.data ? idtext.data : "", idtext.len))) {
		error("%s: the engine wrote no image ID to %s; expected sha256:<hex>", imgname(c), tmp);
		unlink(tmp);
		free(tmp);
		markfailed(c, "build", 0);
		goto out;
	}
	unlink(tmp);
	free(tmp);
	if (cacheref)
		cachepush(c, c->o.name, cacheref, logfd);
	if (writeiid(c, id)) {
		if (inputs)
			writerecord(c, inputs, id);
		clearfailed(c);
		printf("%s: built in %.1f s (%.19s)\n", imgname(c), elapsed(c), id);
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
	free(inputs);
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
	delstrvec(&c.deps);
	free(c.digest);
	delengine(&c.e);
	return rc;
}
