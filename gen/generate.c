/*
 * imagegen generate, list, graph, check: the options, and the files
 * generate writes from the loaded tree (tree.c): build.ninja, the stage
 * manifests and the recorded arguments.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "image.h"
#include "ninja.h"
#include "registry.h"
#include "tmpl.h"
#include "tree.h"
#include "util.h"
#include "walk.h"

#ifndef IMAGEGEN_TEMPLATEDIR
#define IMAGEGEN_TEMPLATEDIR "/usr/local/share/imagegen/templates"
#endif

#define ARGSFILE ".imagegen/generate.args"
#define MANIFESTHEAD "# imagegen stage manifest 1\n"

/* the options shared by generate, list, graph and check */
struct opts {
	struct strlist images; /* images roots, canonical, in the order given */
	char *config;
	char *engine;
	char *registry;
	char *namespace;
	char *tag;
	char *cache;       /* cache registry: REF/<name>:<input digest> */
	char *layercache;  /* the engine's layer cache: REF/<name> */
	char *builder;     /* buildx builder */
	char *reguser;     /* registry login: user, and where the password is read at run time */
	char *regpassfile;
	char *regpassenv;
	char *regpassconfig; /* the config holding docker-registry-info.docker-password */
	unsigned fromcfg;  /* FROMCFG_* bits: settings taken from docker-registry-info, not recorded */
	bool insecure;     /* registries over plain http */
	char *imagegen;
	char *templates;
	char *output;
	long jobs;
};

static void
optsfree(struct opts *o)
{
	strlistfree(&o->images);
	free(o->config);
	free(o->engine);
	free(o->registry);
	free(o->namespace);
	free(o->tag);
	free(o->cache);
	free(o->layercache);
	free(o->builder);
	free(o->reguser);
	free(o->regpassfile);
	free(o->regpassenv);
	free(o->regpassconfig);
	free(o->imagegen);
	free(o->templates);
	free(o->output);
}

static void
usage(FILE *f, const char *cmd)
{
	fprintf(f, "usage: %s %s --images=DIR [--images=DIR...] [OPTIONS]\n", argv0, cmd);
	if (strcmp(cmd, "generate") == 0)
		fputs("\nwrites build.ninja, the stage manifests under .imagegen/stage/ and\n"
		    ".imagegen/generate.args into the current directory (the build directory).\n", f);
	else if (strcmp(cmd, "list") == 0)
		fputs("\nprints the images in build order, each followed by the images it depends on.\n", f);
	else if (strcmp(cmd, "graph") == 0)
		fputs("\nprints the image graph in Graphviz dot; an arrow goes from an image to one built on it.\n", f);
	else
		fputs("\nchecks the image tree and reports every problem; writes nothing.\n", f);
	fputs("\noptions:\n"
	    "  --images=DIR          an images root: each subdirectory holding image.yaml is an image\n"
	    "  --config=FILE|DIR     the cluster configuration the templates see\n"
	    "  --engine=ENGINE       docker, podman, buildah or buildx (default docker)\n"
	    "  --builder=NAME        the buildx builder that runs the builds (--engine=buildx)\n"
	    "  --registry=HOST       also tag images HOST/NAMESPACE/NAME:TAG ('public': Docker Hub)\n"
	    "  --namespace=NS        the namespace under the registry\n"
	    "  --tag=TAG             the tag under the registry (default latest)\n"
	    "  --cache-registry=REF  pull REF/NAME:<input digest> instead of building; push it after a build\n"
	    "  --layer-cache=REF     the engine's layer cache in REF/NAME (--cache-from/--cache-to)\n"
	    "  --insecure-registry   the registries speak plain http\n"
	    "  --registry-user=U     log in as U before pushing; the password is read at run time from\n"
	    "  --registry-password-file=FILE  a file, or\n"
	    "  --registry-password-env=VAR    an environment variable\n"
	    "  --jobs=N              how many engine builds run at once (default: the number of CPUs)\n"
	    "  --imagegen=PATH       the imagegen that build.ninja runs (default: this one)\n"
	    "  --templates=DIR       where rules.ninja is (default " IMAGEGEN_TEMPLATEDIR ")\n"
	    "  -o FILE               the file to write (default build.ninja)\n"
	    "  --args-file=FILE      read these options from FILE, one a line\n", f);
}

/* path as the user gave it, canonical; absolute stays absolute */
static char *
userpath(const char *p)
{
	return pathcanon(p);
}

static bool
setstr(char **slot, const char *val)
{
	free(*slot);
	*slot = xstrdup(val);
	return true;
}

#define ENVCHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#define WORDCHARS ENVCHARS ".-"

/*
 * false after a message when the value of option opt holds a control
 * character: generate.args keeps one option a line, build.ninja one
 * variable a line
 */
static bool
linevalue(const char *cmd, const char *opt, const char *v)
{
	for (; *v; v++) {
		if ((unsigned char)*v < 0x20 || *v == 0x7f) {
			warn("%s: %.*s: a value cannot hold a newline, TAB or other control character", cmd, (int)strcspn(opt, "="), opt);
			return false;
		}
	}
	return true;
}

/* one option; false (after a message) on a usage error */
static bool
option(struct opts *o, const char *cmd, const char *arg, const char *next, int *used)
{
	const char *v;
	char *end;

	*used = 1;
	if ((v = strchr(arg, '=')) && strncmp(arg, "--", 2) == 0) {
		size_t n = (size_t)(v - arg);

		v++;
		if (!linevalue(cmd, arg, v))
			return false;
		if (n == 8 && strncmp(arg, "--images", n) == 0) {
			if (!*v)
				goto empty;
			strlisttake(&o->images, userpath(v));
			return true;
		}
		if (n == 8 && strncmp(arg, "--config", n) == 0) {
			if (!*v)
				goto empty;
			free(o->config);
			o->config = userpath(v);
			return true;
		}
		if (n == 8 && strncmp(arg, "--engine", n) == 0) {
			if (strcmp(v, "docker") && strcmp(v, "podman") && strcmp(v, "buildah") && strcmp(v, "buildx")) {
				warn("%s: --engine=%s: the engine must be docker, podman, buildah or buildx", cmd, v);
				return false;
			}
			return setstr(&o->engine, v);
		}
		if (n == 10 && strncmp(arg, "--registry", n) == 0) {
			if (*v && !regdomainok(v)) {
				warn("%s: --registry=%s: expected a registry host or host:port (registry.example.com:5000), or 'public' for Docker Hub", cmd, v);
				return false;
			}
			return setstr(&o->registry, v);
		}
		if (n == 11 && strncmp(arg, "--namespace", n) == 0) {
			if (*v && !regpathok(v)) {
				warn("%s: --namespace=%s: expected lowercase letters and digits joined by '.', '_', '__' or '-', parts separated by '/'", cmd, v);
				return false;
			}
			return setstr(&o->namespace, v);
		}
		if (n == 16 && strncmp(arg, "--cache-registry", n) == 0) {
			if (!*v)
				goto empty;
			if (!regrefok(v))
				goto badref;
			return setstr(&o->cache, v);
		}
		if (n == 13 && strncmp(arg, "--layer-cache", n) == 0) {
			if (!*v)
				goto empty;
			if (!regrefok(v))
				goto badref;
			return setstr(&o->layercache, v);
		}
		if (n == 9 && strncmp(arg, "--builder", n) == 0) {
			if (!*v)
				goto empty;
			if (strspn(v, WORDCHARS) != strlen(v)) {
				warn("%s: --builder=%s: a builder name is letters, digits, '_', '.' and '-'", cmd, v);
				return false;
			}
			return setstr(&o->builder, v);
		}
		if (n == 15 && strncmp(arg, "--registry-user", n) == 0) {
			if (!*v)
				goto empty;
			if (strpbrk(v, " $'\"\\")) {
				warn("%s: --registry-user=%s: a user name holds no space, quote, backslash or '$'", cmd, v);
				return false;
			}
			return setstr(&o->reguser, v);
		}
		if (n == 24 && strncmp(arg, "--registry-password-file", n) == 0) {
			if (!*v)
				goto empty;
			free(o->regpassfile);
			o->regpassfile = userpath(v);
			return true;
		}
		if (n == 23 && strncmp(arg, "--registry-password-env", n) == 0) {
			if (!*v)
				goto empty;
			if (strspn(v, ENVCHARS) != strlen(v) || (*v >= '0' && *v <= '9')) {
				warn("%s: --registry-password-env=%s: expected the name of an environment variable (letters, digits and '_', not starting with a digit)", cmd, v);
				return false;
			}
			return setstr(&o->regpassenv, v);
		}
		if (n == 5 && strncmp(arg, "--tag", n) == 0) {
			if (!imagetagok(v)) {
				warn("%s: --tag=%s: a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", cmd, v);
				return false;
			}
			return setstr(&o->tag, v);
		}
		if (n == 6 && strncmp(arg, "--jobs", n) == 0) {
			errno = 0;
			o->jobs = strtol(v, &end, 10);
			if (!*v || *end || errno || o->jobs < 1 || o->jobs > 1024) {
				warn("%s: --jobs=%s: expected a number from 1 to 1024", cmd, v);
				return false;
			}
			return true;
		}
		if (n == 10 && strncmp(arg, "--imagegen", n) == 0) {
			if (!*v)
				goto empty;
			free(o->imagegen);
			o->imagegen = strchr(v, '/') ? userpath(v) : xstrdup(v);
			return true;
		}
		if (n == 11 && strncmp(arg, "--templates", n) == 0) {
			if (!*v)
				goto empty;
			free(o->templates);
			o->templates = userpath(v);
			return true;
		}
	}
	if (strcmp(arg, "--insecure-registry") == 0) {
		o->insecure = true;
		return true;
	}
	if (strcmp(arg, "-o") == 0) {
		if (!next) {
			warn("%s: -o needs a file name", cmd);
			return false;
		}
		*used = 2;
		if (!linevalue(cmd, "-o", next))
			return false;
		free(o->output);
		o->output = userpath(next);
		return true;
	}
	warn("%s: unknown option '%s'; '%s %s --help' lists the options", cmd, arg, argv0, cmd);
	return false;
empty:
	warn("%s: %s needs a value", cmd, arg);
	return false;
badref:
	warn("%s: %s: expected host[:port], optionally followed by /namespace (localhost:5000/cache)", cmd, arg);
	return false;
}

/* read FILE's lines as options */
static bool
argsfile(struct opts *o, const char *cmd, const char *file)
{
	struct buf b = {0};
	struct strlist lines = {0};
	char *s, *e;
	size_t i;
	int used;
	bool ok = true;

	if (!readfile(file, &b)) {
		warn("%s: --args-file=%s: cannot read:", cmd, file);
		return false;
	}
	bufterm(&b);
	for (s = b.data; *s; s = *e ? e + 1 : e) {
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		if (e > s)
			strlisttake(&lines, xstrndup(s, (size_t)(e - s)));
	}
	for (i = 0; ok && i < lines.n; i += (size_t)used) {
		if (strncmp(lines.s[i], "--args-file=", 12) == 0) {
			warn("%s: %s: --args-file cannot be nested", cmd, file);
			ok = false;
			break;
		}
		ok = option(o, cmd, lines.s[i], i + 1 < lines.n ? lines.s[i + 1] : NULL, &used);
	}
	strlistfree(&lines);
	buffree(&b);
	return ok;
}

/* the path of the running imagegen, absolute, or "imagegen" when unknown */
static char *
selfpath(void)
{
	char p[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", p, sizeof(p) - 1);

	if (n <= 0)
		return xstrdup(strchr(argv0, '/') ? argv0 : "imagegen");
	p[n] = '\0';
	return xstrdup(p);
}

enum {
	FROMCFG_REGISTRY = 1,
	FROMCFG_NAMESPACE = 2,
	FROMCFG_TAG = 4,
	FROMCFG_USER = 8,
};

/*
 * the registry settings the options leave unset, from the configuration's
 * docker-registry-info section (OpenPAI layout); false after a message
 */
static bool
registryfromconfig(struct opts *o)
{
	struct registryinfo ri;
	const char *key = NULL, *val = NULL, *want = NULL;
	bool found;

	if (!o->config || (o->registry && o->namespace && o->tag && o->reguser))
		return true;
	if (!registryinfoload(o->config, &ri, &found)) {
		warn("%s: error: cannot read its docker-registry-info section", o->config);
		return false;
	}
	if (!found)
		return true;
	if (!o->registry && ri.domain && !regdomainok(ri.domain)) {
		key = "docker-registry-domain";
		val = ri.domain;
		want = "host or host:port, or 'public' for Docker Hub";
	} else if (!o->namespace && ri.namespace && !regpathok(ri.namespace)) {
		key = "docker-namespace";
		val = ri.namespace;
		want = "lowercase letters and digits joined by '.', '_', '__' or '-', parts separated by '/'";
	}
	if (key) {
		warn("%s: error: docker-registry-info.%s '%s' is not valid; expected %s", o->config, key, val, want);
		delregistryinfo(&ri);
		return false;
	}
	if (!o->registry && ri.domain) {
		o->registry = xstrdup(ri.domain);
		o->fromcfg |= FROMCFG_REGISTRY;
	}
	if (!o->namespace && ri.namespace) {
		o->namespace = xstrdup(ri.namespace);
		o->fromcfg |= FROMCFG_NAMESPACE;
	}
	if (!o->tag && ri.tag) {
		if (!imagetagok(ri.tag)) {
			warn("%s: error: docker-registry-info.docker-tag '%s' is not valid; expected up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
			    o->config, ri.tag);
			delregistryinfo(&ri);
			return false;
		}
		o->tag = xstrdup(ri.tag);
		o->fromcfg |= FROMCFG_TAG;
	}
	if (!o->reguser && ri.user) {
		o->reguser = xstrdup(ri.user);
		o->fromcfg |= FROMCFG_USER;
		/* the password stays in the configuration; push reads it at run time */
		if (ri.passfile)
			o->regpassfile = xstrdup(ri.passfile);
		else if (ri.passenv)
			o->regpassenv = xstrdup(ri.passenv);
		else if (ri.password)
			o->regpassconfig = xstrdup(o->config);
	}
	delregistryinfo(&ri);
	return true;
}

/* parse argv into o; returns 0 to go on, else the exit status (help 0 is -1) */
static int
parseopts(struct opts *o, int argc, char **argv)
{
	const char *cmd = argv[0];
	int i, used;
	long n;

	for (i = 1; i < argc; i += used) {
		used = 1;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, cmd);
			return -1;
		}
		if (strncmp(argv[i], "--args-file=", 12) == 0) {
			if (!argsfile(o, cmd, argv[i] + 12))
				return 2;
			continue;
		}
		if (!option(o, cmd, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &used))
			return 2;
	}
	if (o->images.n == 0) {
		warn("%s: no images root; give one with --images=DIR", cmd);
		return 2;
	}
	if (!registryfromconfig(o))
		return 1;
	if ((o->regpassfile || o->regpassenv) && !o->reguser) {
		warn("%s: a registry password needs --registry-user", cmd);
		return 2;
	}
	if (o->reguser && (o->regpassfile != NULL) + (o->regpassenv != NULL) + (o->regpassconfig != NULL) != 1) {
		warn("%s: --registry-user needs one of --registry-password-file or --registry-password-env%s", cmd,
		    o->fromcfg & FROMCFG_USER ? " (docker-registry-info has docker-username but no docker-password)" : "");
		return 2;
	}
	if (!o->engine)
		o->engine = xstrdup("docker");
	if (!o->tag)
		o->tag = xstrdup("latest");
	if (!o->imagegen)
		o->imagegen = selfpath();
	if (!o->templates)
		o->templates = xstrdup(IMAGEGEN_TEMPLATEDIR);
	if (!o->output)
		o->output = xstrdup("build.ninja");
	if (o->jobs == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		o->jobs = n > 0 ? n : 1;
	}
	return 0;
}

/* the effective options, one a line, as --args-file reads them */
static void
optsrecord(const struct opts *o, struct buf *b)
{
	size_t i;

	for (i = 0; i < o->images.n; i++)
		bufprintf(b, "--images=%s\n", o->images.s[i]);
	if (o->config)
		bufprintf(b, "--config=%s\n", o->config);
	bufprintf(b, "--engine=%s\n", o->engine);
	/* what came from docker-registry-info is read again from the config on regeneration */
	if (o->registry && !(o->fromcfg & FROMCFG_REGISTRY))
		bufprintf(b, "--registry=%s\n", o->registry);
	if (o->namespace && !(o->fromcfg & FROMCFG_NAMESPACE))
		bufprintf(b, "--namespace=%s\n", o->namespace);
	if (!(o->fromcfg & FROMCFG_TAG))
		bufprintf(b, "--tag=%s\n", o->tag);
	if (o->cache)
		bufprintf(b, "--cache-registry=%s\n", o->cache);
	if (o->layercache)
		bufprintf(b, "--layer-cache=%s\n", o->layercache);
	if (o->builder)
		bufprintf(b, "--builder=%s\n", o->builder);
	if (o->insecure)
		bufadds(b, "--insecure-registry\n");
	if (o->reguser && !(o->fromcfg & FROMCFG_USER)) {
		bufprintf(b, "--registry-user=%s\n", o->reguser);
		if (o->regpassfile)
			bufprintf(b, "--registry-password-file=%s\n", o->regpassfile);
		if (o->regpassenv)
			bufprintf(b, "--registry-password-env=%s\n", o->regpassenv);
	}
	bufprintf(b, "--jobs=%ld\n", o->jobs);
	bufprintf(b, "--imagegen=%s\n", o->imagegen);
	bufprintf(b, "--templates=%s\n", o->templates);
	bufprintf(b, "-o\n%s\n", o->output);
}

/* the stage manifest of one image */
static void
manifest(const struct node *nd, struct buf *b)
{
	size_t i;
	const struct centry *e;

	bufadds(b, MANIFESTHEAD);
	for (i = 0; i < nd->nent; i++) {
		e = &nd->ent[i];
		if (e->kind == 'R')
			bufprintf(b, "R\t%s\n", e->dst);
		else
			bufprintf(b, "%c\t%s\t%s\n", e->kind, e->dst, e->src);
	}
}

/* "--flag=value" words, each a shell word in a ninja value, joined by spaces */
static void
addflag(struct buf *b, const char *flag, const char *val)
{
	char *w = xasprintf("--%s=%s", flag, val);

	if (b->len)
		bufaddc(b, ' ');
	escshellninja(b, w);
	free(w);
}

static void
edgeflags(struct ninjaedge *e, const char *name, struct buf *b)
{
	bufterm(b);
	/* an unset variable expands to nothing: leave empty ones out */
	if (b->len)
		ninjaedgevarraw(e, name, b->data);
	b->len = 0;
	b->data[0] = '\0';
}

/* the stage edge: every F entry and the stamp, from the manifest and the F sources */
static void
stageedge(const struct node *nd, const char *ctx, struct buf *out)
{
	struct ninjaedge e = {0};
	struct buf b = {0};
	char *stamp = xasprintf("%s.staged", ctx);
	size_t i;

	e.rule = "stage";
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind == 'F') {
			strlisttake(&e.out, pathjoin(ctx, nd->ent[i].dst));
			strlistadd(&e.implicit, nd->ent[i].src);
		}
	}
	strlistadd(&e.out, stamp);
	strlisttake(&e.in, xasprintf(".imagegen/stage/%s.list", nd->img->name));
	strlistuniq(&e.implicit);
	escshellninja(&b, ctx);
	edgeflags(&e, "ctx", &b);
	escshellninja(&b, stamp);
	edgeflags(&e, "stamp", &b);
	ninjabuild(out, &e);
	ninjaedgefree(&e);
	buffree(&b);
	free(stamp);
}

/* one render edge per R entry, each depending on the config files */
static void
renderedges(const struct node *nd, const char *ctx, const struct strlist *configs, struct buf *out)
{
	struct ninjaedge e;
	size_t i, k;

	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind != 'R')
			continue;
		memset(&e, 0, sizeof(e));
		e.rule = "render";
		strlisttake(&e.out, pathjoin(ctx, nd->ent[i].dst));
		strlistadd(&e.in, nd->ent[i].src);
		for (k = 0; k < configs->n; k++)
			strlistadd(&e.implicit, configs->s[k]);
		ninjabuild(out, &e);
		ninjaedgefree(&e);
	}
}

/* the --tag flags: name:tag per image.yaml tag, and the registry forms */
static void
tagflags(const struct opts *o, const struct image *img, struct buf *b)
{
	char *repo = regrepo(o->registry, o->namespace, img->name), *p;
	size_t i;

	for (i = 0; i < img->ntag; i++) {
		p = xasprintf("%s:%s", img->name, img->tag[i].s);
		addflag(b, "tag", p);
		free(p);
	}
	if (repo) {
		p = xasprintf("%s:%s", repo, o->tag);
		addflag(b, "tag", p);
		free(p);
		for (i = 0; i < img->ntag; i++) {
			p = xasprintf("%s:%s", repo, img->tag[i].s);
			addflag(b, "tag", p);
			free(p);
		}
	}
	free(repo);
}

/* "--flag=key=value" for each pair */
static void
kvflags(const char *flag, const struct ykv *kv, size_t n, struct buf *b)
{
	char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		p = xasprintf("%s=%s", kv[i].key.s, kv[i].val.s);
		addflag(b, flag, p);
		free(p);
	}
}

/* the variables the digest and build edges share: file, build args, labels, target, ctx, name */
static void
buildflags(const struct node *nd, const char *ctx, struct ninjaedge *e, struct buf *b)
{
	const struct image *img = nd->img;

	addflag(b, "file", nd->dockerfile);
	edgeflags(e, "file", b);
	kvflags("build-arg", img->buildarg, img->nbuildarg, b);
	edgeflags(e, "buildargs", b);
	kvflags("label", img->label, img->nlabel, b);
	edgeflags(e, "labels", b);
	if (img->target.s)
		addflag(b, "target", img->target.s);
	edgeflags(e, "target", b);
	escshellninja(b, ctx);
	edgeflags(e, "ctx", b);
	escshellninja(b, img->name);
	edgeflags(e, "name", b);
}

/* the input digest edge: the staged context, the build settings, the prerequisites' digests */
static void
digestedge(const struct node *nd, const char *ctx, struct buf *out)
{
	struct ninjaedge e = {0};
	struct buf b = {0};
	char *p;
	size_t i;

	e.rule = "digest";
	strlisttake(&e.out, xasprintf("img/%s.digest", nd->img->name));
	strlisttake(&e.implicit, xasprintf("%s.staged", ctx));
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind != 'D')
			strlisttake(&e.implicit, pathjoin(ctx, nd->ent[i].dst));
	}
	for (i = 0; i < nd->deps.n; i++) {
		p = xasprintf("img/%s.digest", nd->deps.s[i]);
		addflag(&b, "dep", p);
		strlisttake(&e.implicit, p);
	}
	edgeflags(&e, "prereqs", &b);
	buildflags(nd, ctx, &e, &b);
	ninjabuild(out, &e);
	ninjaedgefree(&e);
	buffree(&b);
}

/* the build edge: the image ID from the staged and rendered files, the dependencies' IDs and the digest */
static void
buildedge(const struct opts *o, const struct node *nd, const char *ctx, struct buf *out)
{
	const struct image *img = nd->img;
	struct ninjaedge e = {0};
	struct buf b = {0};
	char *log = xasprintf("log/%s.log", img->name);
	char *digest = xasprintf("img/%s.digest", img->name);
	size_t i;

	e.rule = "build";
	strlisttake(&e.out, xasprintf("img/%s.iid", img->name));
	strlisttake(&e.implicit, xasprintf("%s.staged", ctx));
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind != 'D')
			strlisttake(&e.implicit, pathjoin(ctx, nd->ent[i].dst));
	}
	for (i = 0; i < nd->deps.n; i++)
		strlisttake(&e.implicit, xasprintf("img/%s.iid", nd->deps.s[i]));
	strlistadd(&e.implicit, digest);
	escshellninja(&b, digest);
	edgeflags(&e, "digest", &b);
	tagflags(o, img, &b);
	edgeflags(&e, "tags", &b);
	buildflags(nd, ctx, &e, &b);
	escshellninja(&b, log);
	edgeflags(&e, "log", &b);
	ninjabuild(out, &e);
	ninjaedgefree(&e);
	buffree(&b);
	free(digest);
	free(log);
}

/* with a registry: the push edge (by a staging tag) and the phony push-<img> */
static void
pushedges(const struct opts *o, const struct node *nd, struct buf *out)
{
	const struct image *img = nd->img;
	struct ninjaedge e = {0};
	struct buf b = {0};
	char *repo = regrepo(o->registry, o->namespace, img->name), *p;

	if (!repo)
		return;
	e.rule = "push";
	strlisttake(&e.out, xasprintf("push/%s.pushed", img->name));
	strlisttake(&e.in, xasprintf("img/%s.iid", img->name));
	strlisttake(&e.implicit, xasprintf("img/%s.digest", img->name));
	escshellninja(&b, repo);
	edgeflags(&e, "repo", &b);
	p = xasprintf("img/%s.digest", img->name);
	escshellninja(&b, p);
	free(p);
	edgeflags(&e, "digest", &b);
	p = xasprintf("log/%s.push.log", img->name);
	escshellninja(&b, p);
	free(p);
	edgeflags(&e, "log", &b);
	ninjabuild(out, &e);
	ninjaedgefree(&e);
	memset(&e, 0, sizeof(e));
	e.rule = "phony";
	strlisttake(&e.out, xasprintf("push-%s", img->name));
	strlisttake(&e.in, xasprintf("push/%s.pushed", img->name));
	ninjabuild(out, &e);
	ninjaedgefree(&e);
	buffree(&b);
	free(repo);
}

/* the edges of one image: stage, render, digest, build, push, and the phony image name */
static void
imageedges(const struct opts *o, const struct node *nd, const struct strlist *configs, struct buf *out)
{
	struct ninjaedge e = {0};
	char *ctx = xasprintf("ctx/%s", nd->img->name), *c;

	bufaddc(out, '\n');
	c = xasprintf("image %s (%s)", nd->img->name, nd->img->dir);
	ninjacomment(out, c);
	free(c);
	stageedge(nd, ctx, out);
	renderedges(nd, ctx, configs, out);
	digestedge(nd, ctx, out);
	buildedge(o, nd, ctx, out);
	pushedges(o, nd, out);
	e.rule = "phony";
	strlistadd(&e.out, nd->img->name);
	strlisttake(&e.in, xasprintf("img/%s.iid", nd->img->name));
	ninjabuild(out, &e);
	ninjaedgefree(&e);
	free(ctx);
}

/* the cluster configuration files: the file, or the YAML files of the directory */
static bool
configfiles(const struct opts *o, struct strlist *files, struct strlist *dirs, struct diag *d)
{
	struct stat st;
	struct strlist names = {0}, sub = {0};
	size_t i, n;

	if (!o->config)
		return true;
	if (stat(o->config, &st) != 0) {
		diagerr(d, o->config, 0, 0, "cannot read the configuration (--config): %s", strerror(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		strlistadd(files, o->config);
		return true;
	}
	strlistadd(dirs, o->config);
	if (!walkroot(o->config, &names, &sub)) {
		diagerr(d, o->config, 0, 0, "cannot read the configuration directory: %s", strerror(errno));
		return false;
	}
	strlistfree(&names);
	strlistfree(&sub);
	{
		struct walklist w = {0};
		char *errpath;

		if (!walktree(o->config, &w, &errpath)) {
			diagerr(d, errpath, 0, 0, "cannot read: %s", strerror(errno));
			free(errpath);
			walkfree(&w);
			return false;
		}
		for (i = 0; i < w.n; i++) {
			n = strlen(w.ent[i].path);
			if (strchr(w.ent[i].path, '/') || S_ISDIR(w.ent[i].mode))
				continue;
			if ((n > 5 && strcmp(w.ent[i].path + n - 5, ".yaml") == 0) ||
			    (n > 4 && strcmp(w.ent[i].path + n - 4, ".yml") == 0))
				strlisttake(files, pathjoin(o->config, w.ent[i].path));
		}
		walkfree(&w);
	}
	return true;
}

/* the rule prelude: templates/rules.ninja rendered with the settings */
static bool
prelude(const struct opts *o, const char *rules, struct buf *out, struct diag *d)
{
	struct tenv *env = mktenv();
	struct buf src = {0}, v = {0};
	char jobs[32];
	bool ok;

	if (!readfile(rules, &src)) {
		diagerr(d, rules, 0, 0, "cannot read the rule prelude: %s; --templates=DIR names the directory holding rules.ninja",
		    strerror(errno));
		deltenv(env);
		return false;
	}
	bufterm(&src);
#define SETVAR(name, val) do { v.len = 0; escshellninja(&v, (val)); tenvsetstr(env, (name), v.data); } while (0)
	SETVAR("imagegen", o->imagegen);
	SETVAR("engine", o->engine);
	SETVAR("args", ARGSFILE);
	if (o->config)
		SETVAR("config", o->config);
	else
		tenvsetstr(env, "config", "");
	/* the optional settings: empty strings are false in the template's if */
	tenvsetstr(env, "registry", o->registry && *o->registry ? "1" : "");
	SETVAR("tag", o->tag);
	tenvsetstr(env, "insecure", o->insecure ? "1" : "");
#define SETOPT(name, val) do { if (val) SETVAR(name, val); else tenvsetstr(env, (name), ""); } while (0)
	SETOPT("cache", o->cache);
	SETOPT("layercache", o->layercache);
	SETOPT("builder", o->builder);
	SETOPT("reguser", o->reguser);
	SETOPT("regpassfile", o->regpassfile);
	SETOPT("regpassenv", o->regpassenv);
	SETOPT("regpassconfig", o->regpassconfig);
#undef SETOPT
#undef SETVAR
	snprintf(jobs, sizeof(jobs), "%ld", o->jobs);
	tenvsetstr(env, "jobs", jobs);
	ok = tmplrender(env, rules, src.data, src.len, out);
	if (!ok)
		d->nerr++;
	if (ok && out->len && out->data[out->len - 1] != '\n')
		bufaddc(out, '\n');
	deltenv(env);
	buffree(&src);
	buffree(&v);
	return ok;
}

/* a path that build.ninja both reads as a source and writes as a target */
static bool
overlaps(const struct tree *t, const struct opts *o, const char *path)
{
	return treefind(t, path) || strcmp(path, "all") == 0 || strcmp(path, o->output) == 0 ||
	    strcmp(path, "push") == 0 || strncmp(path, "push-", 5) == 0 || strncmp(path, "push/", 5) == 0 ||
	    strncmp(path, "ctx/", 4) == 0 || strncmp(path, "img/", 4) == 0 || strncmp(path, "log/", 4) == 0 ||
	    strncmp(path, ".imagegen/stage/", 16) == 0;
}

static int
writeout(const char *path, struct buf *b)
{
	bufterm(b);
	if (writefile(path, b->data, b->len, 0666) < 0) {
		warn("cannot write %s:", path);
		return 1;
	}
	return 0;
}

/*
 * the sources build.ninja names that no edge writes: the config files,
 * and the regeneration inputs (sorted); every one is checked to be a path
 * build.ninja can hold and not to be a target as well. false on an error.
 */
static bool
sources(struct tree *t, const struct opts *o, const char *rules, struct strlist *configs, struct strlist *regen)
{
	size_t i, j;
	const char *bad, *src;
	static const char overlap[] =
	    "this source would also be a target of %s; run imagegen generate in a separate build directory";

	if (!configfiles(o, configs, regen, &t->d))
		return false;
	for (i = 0; i < t->n; i++) {
		strlistadd(regen, t->node[i].img->yaml);
		for (j = 0; j < t->node[i].scanned.n; j++)
			strlistadd(regen, t->node[i].scanned.s[j]);
		for (j = 0; j < t->node[i].dirs.n; j++)
			strlistadd(regen, t->node[i].dirs.s[j]);
	}
	for (i = 0; i < t->dirs.n; i++)
		strlistadd(regen, t->dirs.s[i]);
	for (i = 0; i < configs->n; i++)
		strlistadd(regen, configs->s[i]);
	strlistadd(regen, ARGSFILE);
	if (strchr(o->imagegen, '/'))
		strlistadd(regen, o->imagegen);
	strlistadd(regen, rules);
	strlistuniq(regen);
	for (i = 0; i < regen->n; i++) {
		if ((bad = escpathbad(regen->s[i])))
			diagerr(&t->d, regen->s[i], 0, 0, "%s", bad);
		else if (overlaps(t, o, regen->s[i]))
			diagerr(&t->d, regen->s[i], 0, 0, overlap, o->output);
	}
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->node[i].nent; j++) {
			src = t->node[i].ent[j].src;
			if (t->node[i].ent[j].kind == 'F' && !strlisthas(regen, src) && overlaps(t, o, src))
				diagerr(&t->d, src, 0, 0, overlap, o->output);
		}
	}
	return t->d.nerr == 0;
}

static int
generate(struct tree *t, const struct opts *o)
{
	struct buf out = {0}, b = {0};
	struct strlist configs = {0}, regen = {0}, manifests = {0};
	struct ninjaedge e = {0};
	char *rules;
	size_t i;
	int rc = 0;

	rules = pathjoin(o->templates, "rules.ninja");
	if (!sources(t, o, rules, &configs, &regen)) {
		rc = 1;
		goto out;
	}

	bufadds(&out, "# generated by imagegen generate; edit the image tree, not this file\n");
	bufadds(&out, "ninja_required_version = 1.7\n\n");
	if (!prelude(o, rules, &out, &t->d)) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < t->n; i++)
		imageedges(o, &t->node[t->order[i]], &configs, &out);

	bufaddc(&out, '\n');
	memset(&e, 0, sizeof(e));
	e.rule = "phony";
	strlistadd(&e.out, "all");
	for (i = 0; i < t->n; i++)
		strlistadd(&e.in, t->node[i].img->name);
	ninjabuild(&out, &e);
	ninjaedgefree(&e);
	bufadds(&out, "default all\n");
	if (o->registry && *o->registry) {
		bufadds(&out, "\n# push: every image by a staging tag, then the release tag on all of them\n");
		memset(&e, 0, sizeof(e));
		e.rule = "publish";
		strlistadd(&e.out, "push/published");
		for (i = 0; i < t->n; i++)
			strlisttake(&e.in, xasprintf("push/%s.pushed", t->node[i].img->name));
		ninjabuild(&out, &e);
		ninjaedgefree(&e);
		memset(&e, 0, sizeof(e));
		e.rule = "phony";
		strlistadd(&e.out, "push");
		strlistadd(&e.in, "push/published");
		ninjabuild(&out, &e);
		ninjaedgefree(&e);
	}

	bufadds(&out, "\n# regeneration: build.ninja follows the image tree\n");
	memset(&e, 0, sizeof(e));
	e.rule = "regen";
	strlistadd(&e.out, o->output);
	for (i = 0; i < t->n; i++)
		strlisttake(&manifests, xasprintf(".imagegen/stage/%s.list", t->node[i].img->name));
	for (i = 0; i < manifests.n; i++)
		strlistadd(&e.implicitout, manifests.s[i]);
	for (i = 0; i < regen.n; i++)
		strlistadd(&e.implicit, regen.s[i]);
	ninjabuild(&out, &e);
	ninjaedgefree(&e);
	for (i = 0; i < regen.n; i++) {
		memset(&e, 0, sizeof(e));
		e.rule = "phony";
		strlistadd(&e.out, regen.s[i]);
		ninjabuild(&out, &e);
		ninjaedgefree(&e);
	}

	/*
	 * the arguments (an input of the regeneration edge) first, then its
	 * outputs: the manifests and build.ninja last, so that none is older
	 * than an input and a fresh build.ninja is clean
	 */
	b.len = 0;
	optsrecord(o, &b);
	rc |= writeout(ARGSFILE, &b);
	for (i = 0; i < t->n; i++) {
		b.len = 0;
		manifest(&t->node[i], &b);
		rc |= writeout(manifests.s[i], &b);
	}
	if (rc == 0)
		rc |= writeout(o->output, &out);
out:
	free(rules);
	buffree(&out);
	buffree(&b);
	strlistfree(&configs);
	strlistfree(&regen);
	strlistfree(&manifests);
	return rc;
}

static void
list(const struct tree *t)
{
	size_t i, j;
	const struct node *nd;

	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		fputs(nd->img->name, stdout);
		for (j = 0; j < nd->deps.n; j++)
			printf("%s %s", j ? "" : ":", nd->deps.s[j]);
		putchar('\n');
	}
}

static void
graph(const struct tree *t)
{
	size_t i, j;
	const struct node *nd;

	puts("digraph images {");
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		printf("\t\"%s\";\n", nd->img->name);
	}
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		for (j = 0; j < nd->deps.n; j++)
			printf("\t\"%s\" -> \"%s\";\n", nd->deps.s[j], nd->img->name);
	}
	puts("}");
}

/* what generate checks beyond the tree, for imagegen check */
static bool
checksources(struct tree *t, const struct opts *o)
{
	struct strlist configs = {0}, regen = {0};
	char *rules = pathjoin(o->templates, "rules.ninja");
	bool ok = sources(t, o, rules, &configs, &regen);

	strlistfree(&configs);
	strlistfree(&regen);
	free(rules);
	return ok;
}

static int
run(int argc, char **argv)
{
	struct opts o = {0};
	struct tree t = {0};
	int rc;
	const char *cmd = argv[0];

	rc = parseopts(&o, argc, argv);
	if (rc) {
		optsfree(&o);
		return rc < 0 ? 0 : rc;
	}
	t.registry = o.registry;
	t.namespace = o.namespace;
	if (!treeload(&t, &o.images))
		rc = 1;
	else if (strcmp(cmd, "generate") == 0)
		rc = generate(&t, &o);
	else if (strcmp(cmd, "list") == 0)
		list(&t);
	else if (strcmp(cmd, "graph") == 0)
		graph(&t);
	else if (!checksources(&t, &o))
		rc = 1;
	if (t.d.nerr)
		fprintf(stderr, "%s: %d error%s\n", argv0, t.d.nerr, t.d.nerr == 1 ? "" : "s");
	treefree(&t);
	optsfree(&o);
	return rc;
}

int
cmd_generate(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_list(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_graph(int argc, char **argv)
{
	return run(argc, argv);
}

int
cmd_check(int argc, char **argv)
{
	return run(argc, argv);
}
