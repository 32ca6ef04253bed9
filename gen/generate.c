/*
 * imagegen generate, list, graph, check: load the image tree, check it,
 * and write build.ninja with the stage manifests it needs.
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
#include "dockerfile.h"
#include "dockerignore.h"
#include "escape.h"
#include "graph.h"
#include "image.h"
#include "ninja.h"
#include "tmpl.h"
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
	char *imagegen;
	char *templates;
	char *output;
	long jobs;
};

/* one entry of a staged context */
struct centry {
	char kind; /* 'F', 'D' or 'R' */
	char *dst; /* relative to ctx/<img> */
	char *src; /* relative to the build directory; NULL for R */
	int prio; /* image file 0 < copy-list 1 < rendered 2: the higher replaces the lower */
};

/* an image and everything generate works out about it */
struct node {
	struct image *img;
	char *projroot; /* parent of the images root */
	struct centry *ent;
	size_t nent, capent;
	char *dockerfile; /* context path of the Dockerfile */
	struct strlist deps; /* names of the tree images it depends on */
	struct strlist scanned; /* files read at generate time: regeneration inputs */
	struct strlist dirs; /* directories walked: regeneration inputs */
	bool ok;
};

/* the loaded tree */
struct tree {
	struct node *node; /* sorted by image name */
	size_t n;
	char **names;
	struct graph *g;
	size_t *order;
	struct strlist dirs; /* images roots and their subdirectories */
	struct diag d;
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
	    "  --engine=ENGINE       docker, podman or buildah (default docker)\n"
	    "  --registry=HOST       also tag images HOST/NAMESPACE/NAME:TAG ('public': Docker Hub)\n"
	    "  --namespace=NS        the namespace under the registry\n"
	    "  --tag=TAG             the tag under the registry (default latest)\n"
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
			if (strcmp(v, "docker") && strcmp(v, "podman") && strcmp(v, "buildah")) {
				warn("%s: --engine=%s: the engine must be docker, podman or buildah", cmd, v);
				return false;
			}
			return setstr(&o->engine, v);
		}
		if (n == 10 && strncmp(arg, "--registry", n) == 0)
			return setstr(&o->registry, v);
		if (n == 11 && strncmp(arg, "--namespace", n) == 0)
			return setstr(&o->namespace, v);
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
	if (strcmp(arg, "-o") == 0) {
		if (!next) {
			warn("%s: -o needs a file name", cmd);
			return false;
		}
		*used = 2;
		free(o->output);
		o->output = userpath(next);
		return true;
	}
	warn("%s: unknown option '%s'; '%s %s --help' lists the options", cmd, arg, argv0, cmd);
	return false;
empty:
	warn("%s: %s needs a value", cmd, arg);
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
	if (o->registry)
		bufprintf(b, "--registry=%s\n", o->registry);
	if (o->namespace)
		bufprintf(b, "--namespace=%s\n", o->namespace);
	bufprintf(b, "--tag=%s\n", o->tag);
	bufprintf(b, "--jobs=%ld\n", o->jobs);
	bufprintf(b, "--imagegen=%s\n", o->imagegen);
	bufprintf(b, "--templates=%s\n", o->templates);
	bufprintf(b, "-o\n%s\n", o->output);
}

/* the repository an image is pushed as, without tag, or NULL without a registry */
static char *
registryrepo(const struct opts *o, const char *name)
{
	const char *reg;

	if (!o->registry || !*o->registry)
		return NULL;
	reg = strcmp(o->registry, "public") == 0 ? "docker.io" : o->registry;
	if (o->namespace && *o->namespace)
		return xasprintf("%s/%s/%s", reg, o->namespace, name);
	return xasprintf("%s/%s", reg, name);
}

static void
centryadd(struct node *nd, char kind, const char *dst, const char *src, int prio)
{
	struct centry *e;

	if (nd->nent == nd->capent) {
		nd->capent = nd->capent ? nd->capent * 2 : 16;
		nd->ent = xreallocarray(nd->ent, nd->capent, sizeof(nd->ent[0]));
	}
	e = &nd->ent[nd->nent++];
	e->kind = kind;
	e->dst = xstrdup(dst);
	e->src = src ? xstrdup(src) : NULL;
	e->prio = prio;
}

static int
centrycmp(const void *a, const void *b)
{
	const struct centry *x = a, *y = b;
	int c = strcmp(x->dst, y->dst);

	if (c)
		return c;
	return y->prio - x->prio;
}

/* sort by dst and keep, of entries with one dst, the one of highest priority */
static void
centryuniq(struct node *nd)
{
	size_t i, j;

	if (nd->nent == 0)
		return;
	qsort(nd->ent, nd->nent, sizeof(nd->ent[0]), centrycmp);
	for (i = 1, j = 1; i < nd->nent; i++) {
		if (strcmp(nd->ent[i].dst, nd->ent[j - 1].dst) == 0) {
			free(nd->ent[i].dst);
			free(nd->ent[i].src);
		} else
			nd->ent[j++] = nd->ent[i];
	}
	nd->nent = j;
}

static struct centry *
centryfind(struct node *nd, const char *dst)
{
	size_t i;

	for (i = 0; i < nd->nent; i++) {
		if (strcmp(nd->ent[i].dst, dst) == 0)
			return &nd->ent[i];
	}
	return NULL;
}

static bool
istemplatefile(const struct image *img, const char *path)
{
	size_t i, n;

	for (i = 0; i < img->ntmpl; i++) {
		n = strlen(img->tmpl[i].s);
		if (strcmp(path, img->tmpl[i].s) == 0)
			return true;
		if (strncmp(path, img->tmpl[i].s, n) == 0 && strcmp(path + n, ".template") == 0)
			return true;
	}
	return false;
}

/* add the entries of a walked tree under dst; src is the walked directory */
static void
addtree(struct tree *t, struct node *nd, const char *src, const char *dst, const struct walklist *w, int prio)
{
	size_t i;
	char *s, *d;

	for (i = 0; i < w->n; i++) {
		if (prio == 0 && (strcmp(w->ent[i].path, "image.yaml") == 0 || istemplatefile(nd->img, w->ent[i].path)))
			continue;
		s = pathjoin(src, w->ent[i].path);
		d = pathjoin(dst, w->ent[i].path);
		if (S_ISDIR(w->ent[i].mode)) {
			centryadd(nd, 'D', d, s, prio);
			strlistadd(&nd->dirs, s);
		} else if (S_ISREG(w->ent[i].mode) || S_ISLNK(w->ent[i].mode))
			centryadd(nd, 'F', d, s, prio);
		else
			diagwarn(&t->d, s, 0, 0, "not a regular file, symlink or directory; left out of the context");
		free(s);
		free(d);
	}
}

/* the path of the image directory seen from the project root, e.g. "src/hbase" */
static char *
imgfromproj(const struct image *img)
{
	char cwd[PATH_MAX], *abs, *canon, *r;

	/* "." and ".." have no name of their own: resolve them from the working directory */
	if (img->root[0] != '/' && getcwd(cwd, sizeof(cwd)))
		abs = pathjoin(cwd, img->root);
	else
		abs = xstrdup(img->root);
	canon = pathcanon(abs);
	r = xasprintf("%s/%s", pathbase(canon), img->name);
	free(canon);
	free(abs);
	return r;
}

static void
addcopies(struct tree *t, struct node *nd)
{
	struct image *img = nd->img;
	struct walklist w = {0};
	struct stat st;
	size_t i, n;
	char *src, *dst, *rel, *sub, *at, *errpath, *pdir;
	const char *base;

	rel = imgfromproj(img);
	n = strlen(rel);
	for (i = 0; i < img->ncopy; i++) {
		struct ycopy *c = &img->copy[i];

		dst = pathcanon(c->dst.s);
		if (strncmp(dst, rel, n) != 0 || (dst[n] != '\0' && dst[n] != '/')) {
			diagerr(&t->d, img->yaml, c->dst.line, c->dst.col,
			    "copy-list dst '%s' is outside the image directory; dst is relative to the project root '%s', so it must start with '%s/'",
			    c->dst.s, nd->projroot, rel);
			free(dst);
			continue;
		}
		sub = xstrdup(dst[n] ? dst + n + 1 : ".");
		free(dst);
		src = pathjoin(nd->projroot, c->src.s);
		{
			char *canon = pathcanon(src);

			free(src);
			src = canon;
		}
		base = pathbase(src);
		if (lstat(src, &st) != 0) {
			diagerr(&t->d, img->yaml, c->src.line, c->src.col,
			    "copy-list src '%s' does not exist (looked for '%s'; src is relative to the project root '%s')",
			    c->src.s, src, nd->projroot);
		} else if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0 || !*base) {
			diagerr(&t->d, img->yaml, c->src.line, c->src.col,
			    "copy-list src '%s' must name a file or a directory, not '%s'", c->src.s, src);
		} else {
			at = pathjoin(sub, base);
			pdir = pathdir(src);
			strlisttake(&nd->dirs, pdir);
			if (S_ISDIR(st.st_mode)) {
				centryadd(nd, 'D', at, src, 1);
				strlistadd(&nd->dirs, src);
				if (!walktree(src, &w, &errpath)) {
					diagerr(&t->d, errpath, 0, 0, "cannot read: %s", strerror(errno));
					free(errpath);
				} else
					addtree(t, nd, src, at, &w, 1);
				walkfree(&w);
			} else
				centryadd(nd, 'F', at, src, 1);
			free(at);
		}
		free(src);
		free(sub);
	}
	free(rel);
}

static void
addtemplates(struct tree *t, struct node *nd)
{
	struct image *img = nd->img;
	struct stat st;
	size_t i;
	char *src;

	for (i = 0; i < img->ntmpl; i++) {
		src = xasprintf("%s/%s.template", img->dir, img->tmpl[i].s);
		if (stat(src, &st) != 0 || !S_ISREG(st.st_mode))
			diagerr(&t->d, img->yaml, img->tmpl[i].line, img->tmpl[i].col,
			    "template '%s' is listed but '%s' does not exist; add it or take '%s' out of template-list",
			    img->tmpl[i].s, src, img->tmpl[i].s);
		else
			centryadd(nd, 'R', img->tmpl[i].s, src, 2);
		free(src);
	}
}

/* drop what .dockerignore excludes; the Dockerfile always stays */
static void
applyignore(struct tree *t, struct node *nd)
{
	struct dockerignore di = {0};
	struct buf b = {0};
	char *path = pathjoin(nd->img->dir, ".dockerignore");
	size_t i, j;

	if (!readfile(path, &b)) {
		if (errno != ENOENT)
			diagerr(&t->d, path, 0, 0, "cannot read: %s", strerror(errno));
		free(path);
		return;
	}
	strlisttake(&nd->scanned, path);
	diparse(&di, b.data ? b.data : "", b.len);
	for (i = 0, j = 0; i < nd->nent; i++) {
		if (strcmp(nd->ent[i].dst, nd->dockerfile) != 0 && diexcluded(&di, nd->ent[i].dst)) {
			free(nd->ent[i].dst);
			free(nd->ent[i].src);
		} else
			nd->ent[j++] = nd->ent[i];
	}
	nd->nent = j;
	difree(&di);
	buffree(&b);
}

static void
finddockerfile(struct tree *t, struct node *nd)
{
	struct image *img = nd->img;

	if (img->dockerfile.s) {
		struct centry *e = centryfind(nd, img->dockerfile.s);

		if (!e || e->kind == 'D')
			diagerr(&t->d, img->yaml, img->dockerfile.line, img->dockerfile.col,
			    "dockerfile '%s' is neither a file of the image directory, a template-list output nor a copy-list result",
			    img->dockerfile.s);
		else
			nd->dockerfile = xstrdup(img->dockerfile.s);
		return;
	}
	if (centryfind(nd, "Dockerfile") && centryfind(nd, "Dockerfile")->kind != 'D')
		nd->dockerfile = xstrdup("Dockerfile");
	else if (centryfind(nd, "dockerfile") && centryfind(nd, "dockerfile")->kind != 'D')
		nd->dockerfile = xstrdup("dockerfile");
	else
		diagerr(&t->d, img->dir, 0, 0,
		    "no Dockerfile: add Dockerfile (or dockerfile) to the image directory, list it in template-list, or name another file with the dockerfile key");
}

/* the context of one image: image files, copy-list results, rendered files, minus .dockerignore */
static void
buildcontext(struct tree *t, struct node *nd)
{
	struct walklist w = {0};
	char *errpath;
	size_t i;
	const char *bad;

	strlistadd(&nd->dirs, nd->img->dir);
	if (!walktree(nd->img->dir, &w, &errpath)) {
		diagerr(&t->d, errpath, 0, 0, "cannot read: %s", strerror(errno));
		free(errpath);
	} else
		addtree(t, nd, nd->img->dir, ".", &w, 0);
	walkfree(&w);
	addcopies(t, nd);
	addtemplates(t, nd);
	centryuniq(nd);
	finddockerfile(t, nd);
	if (nd->dockerfile)
		applyignore(t, nd);
	for (i = 0; i < nd->nent; i++) {
		if ((bad = escpathbad(nd->ent[i].dst)) || (nd->ent[i].src && (bad = escpathbad(nd->ent[i].src))))
			diagerr(&t->d, nd->ent[i].src ? nd->ent[i].src : nd->ent[i].dst, 0, 0, "%s", bad);
	}
}

static struct node *
findnode(const struct tree *t, const char *name)
{
	size_t lo = 0, hi = t->n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(name, t->node[mid].img->name);
		if (c == 0)
			return &t->node[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* the tree image a Dockerfile reference names, or NULL */
static struct node *
refnode(struct tree *t, const struct opts *o, const char *ref)
{
	char *repo = dfrepo(ref), *reg;
	struct node *nd = NULL;
	size_t i;

	if (strncmp(repo, "localhost/", 10) == 0)
		nd = findnode(t, repo + 10);
	else if (!strchr(repo, '/'))
		nd = findnode(t, repo);
	else {
		for (i = 0; i < t->n && !nd; i++) {
			reg = registryrepo(o, t->node[i].img->name);
			if (reg && strcmp(reg, repo) == 0)
				nd = &t->node[i];
			free(reg);
		}
	}
	free(repo);
	return nd;
}

/* prerequisites and Dockerfile references become edges; mismatches are warnings */
static void
linkdeps(struct tree *t, const struct opts *o, struct node *nd)
{
	struct image *img = nd->img;
	struct dfrefs refs = {0};
	struct buf b = {0};
	struct centry *e;
	struct node *dep;
	char *path;
	size_t i, j;

	for (i = 0; i < img->nprereq; i++) {
		dep = findnode(t, img->prereq[i].s);
		if (!dep)
			diagerr(&t->d, img->yaml, img->prereq[i].line, img->prereq[i].col,
			    "prerequisite '%s' is not an image of the tree; the images are the directories holding image.yaml under %s",
			    img->prereq[i].s, img->root);
		else if (dep == nd)
			diagerr(&t->d, img->yaml, img->prereq[i].line, img->prereq[i].col,
			    "image '%s' lists itself as prerequisite; a dependency cycle: %s -> %s", img->name, img->name, img->name);
		else
			strlistadd(&nd->deps, dep->img->name);
	}
	if (!nd->dockerfile)
		return;
	e = centryfind(nd, nd->dockerfile);
	path = e->kind == 'R' ? xasprintf("%s/%s.template", img->dir, e->dst) : xstrdup(e->src);
	if (!readfile(path, &b)) {
		diagerr(&t->d, path, 0, 0, "cannot read: %s", strerror(errno));
		free(path);
		return;
	}
	dfscan(b.data ? b.data : "", b.len, &refs);
	for (i = 0; i < refs.n; i++) {
		dep = refnode(t, o, refs.v[i].ref);
		if (!dep || dep == nd)
			continue;
		for (j = 0; j < img->nprereq && strcmp(img->prereq[j].s, dep->img->name) != 0; j++)
			;
		if (j == img->nprereq)
			diagwarn(&t->d, path, refs.v[i].line, refs.v[i].col,
			    "%s names '%s', an image of the tree that prerequisite does not list; add it to prerequisite in %s",
			    refs.v[i].copyfrom ? "COPY --from" : "FROM", refs.v[i].ref, img->yaml);
		strlistadd(&nd->deps, dep->img->name);
	}
	for (i = 0; refs.nunknown == 0 && i < img->nprereq; i++) {
		for (j = 0; j < refs.n; j++) {
			dep = refnode(t, o, refs.v[j].ref);
			if (dep && strcmp(dep->img->name, img->prereq[i].s) == 0)
				break;
		}
		if (j == refs.n && findnode(t, img->prereq[i].s))
			diagwarn(&t->d, img->yaml, img->prereq[i].line, img->prereq[i].col,
			    "prerequisite '%s' is named by no FROM or COPY --from of %s", img->prereq[i].s, path);
	}
	strlisttake(&nd->scanned, path);
	strlistuniq(&nd->deps);
	dffree(&refs);
	buffree(&b);
}

static void
treefree(struct tree *t)
{
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		struct node *nd = &t->node[i];

		for (j = 0; j < nd->nent; j++) {
			free(nd->ent[j].dst);
			free(nd->ent[j].src);
		}
		free(nd->ent);
		free(nd->dockerfile);
		free(nd->projroot);
		strlistfree(&nd->deps);
		strlistfree(&nd->scanned);
		strlistfree(&nd->dirs);
		delimage(nd->img);
	}
	free(t->node);
	free(t->names);
	free(t->order);
	delgraph(t->g);
	strlistfree(&t->dirs);
}

static int
nodecmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return strcmp(x->img->name, y->img->name);
}

/* report a cycle "a -> b -> a" at the prerequisite of a that names b, when there is one */
static void
cycleerr(struct tree *t, const char *cycle)
{
	const char *arrow = strstr(cycle, " -> "), *next;
	char *first = xstrndup(cycle, arrow ? (size_t)(arrow - cycle) : strlen(cycle)), *second;
	struct node *nd = findnode(t, first);
	size_t i;

	next = arrow ? arrow + 4 : cycle;
	arrow = strstr(next, " -> ");
	second = xstrndup(next, arrow ? (size_t)(arrow - next) : strlen(next));
	for (i = 0; nd && i < nd->img->nprereq; i++) {
		if (strcmp(nd->img->prereq[i].s, second) == 0)
			break;
	}
	if (nd && i < nd->img->nprereq)
		diagerr(&t->d, nd->img->yaml, nd->img->prereq[i].line, nd->img->prereq[i].col,
		    "dependency cycle: %s; an image cannot be built on itself", cycle);
	else
		diagerr(&t->d, nd ? nd->img->yaml : NULL, 0, 0, "dependency cycle: %s; an image cannot be built on itself",
		    cycle);
	free(first);
	free(second);
}

/* walk every root, load every image, link and order them; false if any error */
static bool
treeload(struct tree *t, const struct opts *o)
{
	struct strlist names = {0}, dirs = {0};
	struct strlist cycles = {0};
	size_t i, j;
	char *dir;

	for (i = 0; i < o->images.n; i++) {
		const char *root = o->images.s[i];

		names.n = dirs.n = 0;
		if (!walkroot(root, &names, &dirs)) {
			diagerr(&t->d, root, 0, 0, "cannot read the images root: %s", strerror(errno));
			continue;
		}
		strlistadd(&t->dirs, root);
		for (j = 0; j < dirs.n; j++)
			strlisttake(&t->dirs, pathjoin(root, dirs.s[j]));
		for (j = 0; j < names.n; j++) {
			dir = pathjoin(root, names.s[j]);
			t->node = xreallocarray(t->node, t->n + 1, sizeof(t->node[0]));
			memset(&t->node[t->n], 0, sizeof(t->node[0]));
			t->node[t->n].img = mkimage(names.s[j], dir, root);
			t->node[t->n].projroot = pathjoin(root, "..");
			{
				char *c = pathcanon(t->node[t->n].projroot);

				free(t->node[t->n].projroot);
				t->node[t->n].projroot = c;
			}
			t->n++;
			free(dir);
		}
		strlistfree(&names);
		strlistfree(&dirs);
	}
	qsort(t->node, t->n, sizeof(t->node[0]), nodecmp);
	for (i = 0; i < t->n; i++) {
		struct node *nd = &t->node[i];

		nd->ok = true;
		if (!imagenameok(nd->img->name)) {
			diagerr(&t->d, nd->img->dir, 0, 0,
			    "'%s' is not a valid image name; an image directory's name must be lowercase letters and digits joined by '.', '_', '__' or '-'",
			    nd->img->name);
			nd->ok = false;
		}
		if (i > 0 && strcmp(t->node[i - 1].img->name, nd->img->name) == 0) {
			diagerr(&t->d, nd->img->dir, 0, 0, "image '%s' is also %s; image names must be unique across the images roots",
			    nd->img->name, t->node[i - 1].img->dir);
			nd->ok = false;
		}
		if (!imageload(nd->img, &t->d))
			nd->ok = false;
	}
	for (i = 0; i < t->n; i++)
		buildcontext(t, &t->node[i]);
	for (i = 0; i < t->n; i++)
		linkdeps(t, o, &t->node[i]);
	t->names = xcalloc(t->n, sizeof(t->names[0]));
	for (i = 0; i < t->n; i++)
		t->names[i] = t->node[i].img->name;
	t->g = mkgraph(t->n, t->names);
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->node[i].deps.n; j++)
			graphadd(t->g, i, (size_t)(findnode(t, t->node[i].deps.s[j]) - t->node));
	}
	t->order = xcalloc(t->n, sizeof(t->order[0]));
	if (!graphorder(t->g, t->order, &cycles)) {
		for (i = 0; i < cycles.n; i++)
			cycleerr(t, cycles.s[i]);
	}
	strlistfree(&cycles);
	strlistuniq(&t->dirs);
	return t->d.nerr == 0;
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

/* the edges of one image */
static void
imageedges(const struct tree *t, const struct opts *o, const struct node *nd, const struct strlist *configs,
    struct buf *out)
{
	const struct image *img = nd->img;
	struct ninjaedge e = {0};
	struct buf b = {0};
	char *ctx = xasprintf("ctx/%s", img->name), *p, *repo;
	size_t i;

	bufprintf(&b, "image %s (%s)", img->name, img->dir);
	bufaddc(out, '\n');
	ninjacomment(out, b.data);
	b.len = 0;

	/* stage */
	e.rule = "stage";
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind == 'F') {
			strlisttake(&e.out, pathjoin(ctx, nd->ent[i].dst));
			strlistadd(&e.implicit, nd->ent[i].src);
		}
	}
	strlisttake(&e.out, xasprintf("%s.staged", ctx));
	strlisttake(&e.in, xasprintf(".imagegen/stage/%s.list", img->name));
	strlistuniq(&e.implicit);
	escshellninja(&b, ctx);
	edgeflags(&e, "ctx", &b);
	p = xasprintf("%s.staged", ctx);
	escshellninja(&b, p);
	free(p);
	edgeflags(&e, "stamp", &b);
	ninjabuild(out, &e);
	ninjaedgefree(&e);

	/* render */
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind != 'R')
			continue;
		memset(&e, 0, sizeof(e));
		e.rule = "render";
		strlisttake(&e.out, pathjoin(ctx, nd->ent[i].dst));
		strlistadd(&e.in, nd->ent[i].src);
		{
			size_t k;

			for (k = 0; k < configs->n; k++)
				strlistadd(&e.implicit, configs->s[k]);
		}
		ninjabuild(out, &e);
		ninjaedgefree(&e);
	}

	/* build */
	memset(&e, 0, sizeof(e));
	e.rule = "build";
	strlisttake(&e.out, xasprintf("img/%s.iid", img->name));
	strlisttake(&e.implicit, xasprintf("%s.staged", ctx));
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind != 'D')
			strlisttake(&e.implicit, pathjoin(ctx, nd->ent[i].dst));
	}
	for (i = 0; i < nd->deps.n; i++)
		strlisttake(&e.implicit, xasprintf("img/%s.iid", nd->deps.s[i]));
	escshellninja(&b, img->name);
	edgeflags(&e, "name", &b);
	repo = registryrepo(o, img->name);
	for (i = 0; i < img->ntag; i++) {
		p = xasprintf("%s:%s", img->name, img->tag[i].s);
		addflag(&b, "tag", p);
		free(p);
	}
	if (repo) {
		p = xasprintf("%s:%s", repo, o->tag);
		addflag(&b, "tag", p);
		free(p);
		for (i = 0; i < img->ntag; i++) {
			p = xasprintf("%s:%s", repo, img->tag[i].s);
			addflag(&b, "tag", p);
			free(p);
		}
	}
	free(repo);
	edgeflags(&e, "tags", &b);
	addflag(&b, "file", nd->dockerfile);
	edgeflags(&e, "file", &b);
	for (i = 0; i < img->nbuildarg; i++) {
		p = xasprintf("%s=%s", img->buildarg[i].key.s, img->buildarg[i].val.s);
		addflag(&b, "build-arg", p);
		free(p);
	}
	edgeflags(&e, "buildargs", &b);
	for (i = 0; i < img->nlabel; i++) {
		p = xasprintf("%s=%s", img->label[i].key.s, img->label[i].val.s);
		addflag(&b, "label", p);
		free(p);
	}
	edgeflags(&e, "labels", &b);
	if (img->target.s)
		addflag(&b, "target", img->target.s);
	edgeflags(&e, "target", &b);
	escshellninja(&b, ctx);
	edgeflags(&e, "ctx", &b);
	p = xasprintf("log/%s.log", img->name);
	escshellninja(&b, p);
	free(p);
	edgeflags(&e, "log", &b);
	ninjabuild(out, &e);
	ninjaedgefree(&e);

	memset(&e, 0, sizeof(e));
	e.rule = "phony";
	strlistadd(&e.out, img->name);
	strlisttake(&e.in, xasprintf("img/%s.iid", img->name));
	ninjabuild(out, &e);
	ninjaedgefree(&e);

	(void)t;
	buffree(&b);
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
prelude(const struct opts *o, const char *rules, struct buf *out)
{
	struct tenv *env = mktenv();
	struct buf src = {0}, v = {0};
	char jobs[32];
	bool ok;

	if (!readfile(rules, &src)) {
		warn("%s: cannot read the rule prelude (--templates):", rules);
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
#undef SETVAR
	snprintf(jobs, sizeof(jobs), "%ld", o->jobs);
	tenvsetstr(env, "jobs", jobs);
	ok = tmplrender(env, rules, src.data, src.len, out);
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
	return findnode(t, path) || strcmp(path, "all") == 0 || strcmp(path, o->output) == 0 ||
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

static int
generate(struct tree *t, const struct opts *o)
{
	struct buf out = {0}, b = {0};
	struct strlist configs = {0}, regen = {0}, manifests = {0};
	struct ninjaedge e = {0};
	char *rules;
	size_t i, j;
	int rc = 0;
	const char *bad;

	rules = pathjoin(o->templates, "rules.ninja");
	if (!configfiles(o, &configs, &regen, &t->d)) {
		rc = 1;
		goto out;
	}
	/* the regeneration inputs */
	for (i = 0; i < t->n; i++) {
		strlistadd(&regen, t->node[i].img->yaml);
		for (j = 0; j < t->node[i].scanned.n; j++)
			strlistadd(&regen, t->node[i].scanned.s[j]);
		for (j = 0; j < t->node[i].dirs.n; j++)
			strlistadd(&regen, t->node[i].dirs.s[j]);
	}
	for (i = 0; i < t->dirs.n; i++)
		strlistadd(&regen, t->dirs.s[i]);
	for (i = 0; i < configs.n; i++)
		strlistadd(&regen, configs.s[i]);
	strlistadd(&regen, ARGSFILE);
	if (strchr(o->imagegen, '/'))
		strlistadd(&regen, o->imagegen);
	strlistadd(&regen, rules);
	strlistuniq(&regen);
	for (i = 0; i < regen.n; i++) {
		if ((bad = escpathbad(regen.s[i])))
			diagerr(&t->d, regen.s[i], 0, 0, "%s", bad);
		else if (overlaps(t, o, regen.s[i]))
			diagerr(&t->d, regen.s[i], 0, 0,
			    "this source would also be a target of %s; run imagegen generate in a separate build directory",
			    o->output);
	}
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->node[i].nent; j++) {
			const char *src = t->node[i].ent[j].src;

			if (t->node[i].ent[j].kind == 'F' && overlaps(t, o, src))
				diagerr(&t->d, src, 0, 0,
				    "this source would also be a target of %s; run imagegen generate in a separate build directory",
				    o->output);
		}
	}
	if (t->d.nerr) {
		rc = 1;
		goto out;
	}

	bufadds(&out, "# generated by imagegen generate; edit the image tree, not this file\n");
	bufadds(&out, "ninja_required_version = 1.7\n\n");
	if (!prelude(o, rules, &out)) {
		rc = 1;
		goto out;
	}
	for (i = 0; i < t->n; i++)
		imageedges(t, o, &t->node[t->order[i]], &configs, &out);

	bufaddc(&out, '\n');
	memset(&e, 0, sizeof(e));
	e.rule = "phony";
	strlistadd(&e.out, "all");
	for (i = 0; i < t->n; i++)
		strlistadd(&e.in, t->node[i].img->name);
	ninjabuild(&out, &e);
	ninjaedgefree(&e);
	bufadds(&out, "default all\n");

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
	if (!treeload(&t, &o))
		rc = 1;
	else if (strcmp(cmd, "generate") == 0)
		rc = generate(&t, &o);
	else if (strcmp(cmd, "list") == 0)
		list(&t);
	else if (strcmp(cmd, "graph") == 0)
		graph(&t);
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
