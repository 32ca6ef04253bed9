/*
 * loading the image tree: walk the roots, load each image.yaml, work out
 * each image's staged context, link the images by prerequisite and by
 * what their Dockerfiles name, and order them.
 */
#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dockerfile.h"
#include "dockerignore.h"
#include "escape.h"
#include "graph.h"
#include "image.h"
#include "registry.h"
#include "tree.h"
#include "util.h"
#include "walk.h"
#include "warn.h"

void
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
	e->link = false;
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

void
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

struct centry *
centryfind(const struct node *nd, const char *dst)
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

/* t is in the future: the node's regeneration inputs are looked at again by generate */
static void
seentime(struct node *nd, const struct timespec *t)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0 || t->tv_sec > now.tv_sec ||
	    (t->tv_sec == now.tv_sec && t->tv_nsec > now.tv_nsec))
		nd->timesseen = false;
}

void
addtree(struct tree *t, struct node *nd, const char *src, const char *dst, const struct walklist *w, int prio)
{
	size_t i;
	char *s, *d;

	for (i = 0; i < w->n; i++) {
		if (prio == 0 && !nd->service && (strcmp(w->ent[i].path, "image.yaml") == 0 || istemplatefile(nd->img, w->ent[i].path)))
			continue;
		s = pathjoin(src, w->ent[i].path);
		d = pathjoin(dst, w->ent[i].path);
		if (S_ISDIR(w->ent[i].mode)) {
			centryadd(nd, 'D', d, s, prio);
			strvecadd(&nd->dirs, s);
			seentime(nd, &w->ent[i].mtime);
		} else if (S_ISREG(w->ent[i].mode) || S_ISLNK(w->ent[i].mode)) {
			centryadd(nd, 'F', d, s, prio);
			nd->ent[nd->nent - 1].link = S_ISLNK(w->ent[i].mode);
		}
		else
			warnat(&t->d, t->nowarn, W_SPECIAL_FILE, s, 0, 0, "not a regular file, symlink or directory; left out of the context");
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

/* the pre-build step of nd's project whose output is path or holds it, or NULL */
static const struct prestep *
producer(const struct tree *t, const struct node *nd, const char *path)
{
	size_t i, j, n;
	const char *o;

	for (i = 0; i < t->npre; i++) {
		if (strcmp(t->node[t->pre[i].node].projroot, nd->projroot) != 0)
			continue;
		for (j = 0; j < t->pre[i].outputs.n; j++) {
			o = t->pre[i].outputs.v[j];
			n = strlen(o);
			if (strncmp(path, o, n) == 0 && (path[n] == '\0' || path[n] == '/'))
				return &t->pre[i];
		}
	}
	return NULL;
}

/*
 * a T entry at dst for path (from the project root), made by step: the
 * entries of the sources below dst give way to it when the context is sorted
 */
static void
addmade(struct node *nd, const struct prestep *step, const char *dst, const char *path)
{
	char *src = pathjoin(step->out, path);

	centryadd(nd, 'T', dst, src, 3);
	free(src);
	strvecadd(&nd->prestamps, step->stamp);
}

/* T entries for the outputs of pre-build steps that lie strictly below path, staged under dst */
static bool
addmadebelow(const struct tree *t, struct node *nd, const char *path, const char *dst)
{
	size_t i, j, n = strlen(path);
	const char *o;
	char *d;
	bool any = false;

	for (i = 0; i < t->npre; i++) {
		if (strcmp(t->node[t->pre[i].node].projroot, nd->projroot) != 0)
			continue;
		for (j = 0; j < t->pre[i].outputs.n; j++) {
			o = t->pre[i].outputs.v[j];
			if (strncmp(o, path, n) != 0 || o[n] != '/')
				continue;
			d = pathjoin(dst, o + n + 1);
			addmade(nd, &t->pre[i], d, o);
			free(d);
			any = true;
		}
	}
	return any;
}

/*
 * an error of one image: printed now and staged as an E entry of its
 * manifest, so that its stage edge fails with it while the other images
 * build (ninja -k 0)
 */
static void PRINTF(5, 6)
imgerr(struct tree *t, struct node *nd, int line, int col, const char *fmt, ...)
{
	struct buf msg = {0};
	va_list ap;
	char *e;

	va_start(ap, fmt);
	bufvprintf(&msg, fmt, ap);
	va_end(ap);
	bufterm(&msg);
	errorat(NULL, nd->img->yaml, line, col, "%s", msg.data);
	e = xasprintf("%s\t%d\t%d\t%s", nd->img->yaml, line, col, msg.data);
	if (nd->imgerr.n == 0)
		t->nbroken++;
	t->nimgerr++;
	strvectake(&nd->imgerr, e);
	delbuf(&msg);
}

static void
addcopies(struct tree *t, struct node *nd)
{
	struct image *img = nd->img;
	struct walklist w = {0};
	struct stat st;
	size_t i, n;
	char *src, *dst, *rel, *sub, *at, *errpath, *pdir, *rsrc;
	const char *base;
	const struct prestep *step;

	if (img->ncopy == 0)
		return;
	/* the directories of its sources are regeneration inputs that nothing here stats */
	nd->timesseen = false;
	rel = imgfromproj(img);
	n = strlen(rel);
	for (i = 0; i < img->ncopy; i++) {
		struct ycopy *c = &img->copy[i];

		dst = pathcanon(c->dst.s);
		if (strncmp(dst, rel, n) != 0 || (dst[n] != '\0' && dst[n] != '/')) {
			errorat(&t->d, img->yaml, c->dst.line, c->dst.col,
			    "copy-list dst '%s' is outside the image directory; dst is relative to the project root '%s', so it must start with '%s/'",
			    c->dst.s, nd->projroot, rel);
			free(dst);
			continue;
		}
		sub = xstrdup(dst[n] ? dst + n + 1 : ".");
		free(dst);
		/* relative to the project root, or absolute (a file the system provides) */
		src = c->src.s[0] == '/' ? xstrdup(c->src.s) : pathjoin(nd->projroot, c->src.s);
		{
			char *canon = pathcanon(src);

			free(src);
			src = canon;
		}
		base = pathbase(src);
		rsrc = pathcanon(c->src.s);
		if ((step = producer(t, nd, rsrc))) {
			/* made by a pre-build step: copied from its $OUT when staging */
			at = pathjoin(sub, base);
			addmade(nd, step, at, rsrc);
			free(at);
		} else if (lstat(src, &st) != 0) {
			at = pathjoin(sub, base);
			/* the nearest directory that exists: a change there regenerates build.ninja */
			pdir = pathdir(src);
			while (stat(pdir, &st) != 0 && strcmp(pdir, ".") != 0 && strcmp(pdir, "/") != 0) {
				char *up = pathdir(pdir);

				free(pdir);
				pdir = up;
			}
			strvectake(&nd->dirs, pdir);
			if (!addmadebelow(t, nd, rsrc, at))
				imgerr(t, nd, c->src.line, c->src.col,
				    "copy-list src '%s' does not exist (looked for '%s'; src is relative to the project root '%s'); "
				    "image %s cannot be built until it does: put it there, or declare the pre-build step that makes it "
				    "(prebuild in image.yaml)",
				    c->src.s, src, nd->projroot, img->name);
			free(at);
		} else if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0 || !*base) {
			errorat(&t->d, img->yaml, c->src.line, c->src.col,
			    "copy-list src '%s' must name a file or a directory, not '%s'", c->src.s, src);
		} else {
			at = pathjoin(sub, base);
			pdir = pathdir(src);
			strvectake(&nd->dirs, pdir);
			if (S_ISDIR(st.st_mode)) {
				centryadd(nd, 'D', at, src, 1);
				strvecadd(&nd->dirs, src);
				if (!walktree(src, &w, &errpath)) {
					errorat(&t->d, errpath, 0, 0, "cannot read: %s", errstr(errno));
					free(errpath);
				} else
					addtree(t, nd, src, at, &w, 1);
				delwalklist(&w);
			} else {
				centryadd(nd, 'F', at, src, 1);
				nd->ent[nd->nent - 1].link = S_ISLNK(st.st_mode);
			}
			addmadebelow(t, nd, rsrc, at);
			free(at);
		}
		free(rsrc);
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
			errorat(&t->d, img->yaml, img->tmpl[i].line, img->tmpl[i].col,
			    "template '%s' is listed but '%s' does not exist; add it or take '%s' out of template-list",
			    img->tmpl[i].s, src, img->tmpl[i].s);
		else {
			char *dst = pathcanon(img->tmpl[i].s);

			centryadd(nd, 'R', dst, src, 2);
			free(dst);
		}
		free(src);
	}
}

void
applyignore(struct tree *t, struct node *nd)
{
	struct dockerignore di = {0};
	struct buf b = {0};
	char *path = pathjoin(nd->img->dir, ".dockerignore");
	struct stat st;
	size_t i, j;

	if (!readfilestat(path, &b, &st)) {
		if (errno != ENOENT)
			errorat(&t->d, path, 0, 0, "cannot read: %s", errstr(errno));
		free(path);
		return;
	}
	strvectake(&nd->scanned, path);
	seentime(nd, &st.st_mtim);
	diparse(&di, b.data ? b.data : "", b.len);
	/*
	 * the Dockerfile and .dockerignore stay, as docker and podman send them
	 * when they are excluded; the engine applies .dockerignore again, so
	 * that COPY does not see them either
	 */
	for (i = 0, j = 0; i < nd->nent; i++) {
		if (strcmp(nd->ent[i].dst, nd->dockerfile) != 0 && strcmp(nd->ent[i].dst, ".dockerignore") != 0 &&
		    diexcluded(&di, nd->ent[i].dst)) {
			free(nd->ent[i].dst);
			free(nd->ent[i].src);
		} else
			nd->ent[j++] = nd->ent[i];
	}
	nd->nent = j;
	deldockerignore(&di);
	delbuf(&b);
}

static void
finddockerfile(struct tree *t, struct node *nd)
{
	struct image *img = nd->img;
	struct centry *e;

	if (img->dockerfile.s) {
		e = centryfind(nd, img->dockerfile.s);
		if (!e || e->kind == 'D')
			errorat(&t->d, img->yaml, img->dockerfile.line, img->dockerfile.col,
			    "dockerfile '%s' is neither a file of the image directory, a template-list output nor a copy-list result",
			    img->dockerfile.s);
		else if (e->kind == 'T')
			errorat(&t->d, img->yaml, img->dockerfile.line, img->dockerfile.col,
			    "dockerfile '%s' would be made by a pre-build step; generate reads the Dockerfile, so it must be a file "
			    "of the image directory, a template-list output or a copy of a source", img->dockerfile.s);
		else
			nd->dockerfile = xstrdup(img->dockerfile.s);
		return;
	}
	if (((e = centryfind(nd, "Dockerfile")) || (e = centryfind(nd, "dockerfile"))) && e->kind == 'T') {
		errorat(&t->d, img->yaml, 0, 0, "the Dockerfile '%s' would be made by a pre-build step; generate reads the Dockerfile, "
		    "so it must be a file of the image directory, a template-list output or a copy of a source", e->dst);
		return;
	}
	if (centryfind(nd, "Dockerfile") && centryfind(nd, "Dockerfile")->kind != 'D')
		nd->dockerfile = xstrdup("Dockerfile");
	else if (centryfind(nd, "dockerfile") && centryfind(nd, "dockerfile")->kind != 'D')
		nd->dockerfile = xstrdup("dockerfile");
	else
		errorat(&t->d, img->dir, 0, 0,
		    "no Dockerfile: add Dockerfile (or dockerfile) to the image directory, list it in template-list, or name another file with the dockerfile key");
}

static int
centrykeycmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct centry *)ent)->dst);
}

/* the template-list item that renders dst, or NULL */
static const struct ystr *
tmplitem(const struct image *img, const char *dst)
{
	size_t i;
	char *c;
	bool same;

	for (i = 0; i < img->ntmpl; i++) {
		c = pathcanon(img->tmpl[i].s);
		same = strcmp(c, dst) == 0;
		free(c);
		if (same)
			return &img->tmpl[i];
	}
	return NULL;
}

void
checkbelow(struct tree *t, struct node *nd)
{
	const struct centry *e, *up;
	const struct ystr *it;
	char *p, *s;
	size_t i;

	for (i = 0; i < nd->nent; i++) {
		e = &nd->ent[i];
		p = xstrdup(e->dst);
		up = NULL;
		while (!up && (s = strrchr(p, '/'))) {
			*s = '\0';
			up = bsearch(p, nd->ent, nd->nent, sizeof(nd->ent[0]), centrykeycmp);
			if (up && up->kind == 'D')
				up = NULL;
		}
		if (up) {
			struct stat st;
			const char *what = up->src && lstat(up->src, &st) == 0 && S_ISLNK(st.st_mode) ? "a symbolic link" : "a file";

			it = e->kind == 'R' ? tmplitem(nd->img, e->dst) : NULL;
			if (it)
				errorat(&t->d, nd->img->yaml, it->line, it->col,
				    "template '%s' lies below '%s', which is %s in the image's context (%s); a rendered file must lie in a real directory: move the template, or name the link's target",
				    it->s, p, what, up->src);
			else
				errorat(&t->d, e->src ? e->src : nd->img->yaml, 0, 0,
				    "'%s' lies below '%s', which is %s in the image's context (%s); nothing can be staged below it: replace the link by a directory or move '%s'",
				    e->dst, p, what, up->src, e->dst);
		}
		free(p);
	}
}

/*
 * true if dir is the build directory or one above it: the same device and
 * inode as one of t->up. One stat, where resolving dir (dirreal) would
 * take five calls for every image.
 */
static bool
abovebuilddir(struct tree *t, const char *dir)
{
	struct stat st;
	char *p, *slash;
	size_t i;

	if (!t->up && t->builddir) {
		p = xstrdup(t->builddir);
		for (;;) {
			if (stat(*p ? p : "/", &st) == 0) {
				t->up = xreallocarray(t->up, t->nup + 1, sizeof(t->up[0]));
				t->up[t->nup].dev = st.st_dev;
				t->up[t->nup++].ino = st.st_ino;
			}
			if (!*p || !(slash = strrchr(p, '/')))
				break;
			*slash = '\0';
		}
		free(p);
	}
	if (stat(dir, &st) != 0)
		return false;
	for (i = 0; i < t->nup; i++) {
		if (t->up[i].dev == st.st_dev && t->up[i].ino == st.st_ino)
			return true;
	}
	return false;
}

/* true if path (resolved) is dir (resolved) or lies below it; *rel then points at the rest */
static bool
below(const char *path, const char *dir, const char **rel)
{
	size_t n = strlen(dir);

	if (strncmp(path, dir, n) != 0 || (path[n] != '/' && path[n] != '\0' && strcmp(dir, "/") != 0))
		return false;
	*rel = path[n] == '/' ? path + n + 1 : path + n;
	return true;
}

/*
 * a build directory inside the image directory would be staged into the
 * context, nesting one level deeper at every run: an error, unless the
 * image's .dockerignore excludes it, and then its entries are left out of
 * the walk (nothing of it is staged, and none of its directories is an
 * input of build.ninja). false after an error.
 */
static bool
leavebuilddir(struct tree *t, struct node *nd, struct walklist *w)
{
	struct dockerignore di = {0};
	struct buf b = {0};
	char *dir, *ign;
	const char *rel;
	size_t i, j, n;
	bool excluded;

	if (!t->builddir || !abovebuilddir(t, nd->img->dir) || !(dir = dirreal(nd->img->dir)))
		return true;
	if (!below(t->builddir, dir, &rel)) {
		free(dir);
		return true;
	}
	ign = pathjoin(nd->img->dir, ".dockerignore");
	excluded = *rel && readfile(ign, &b) && (diparse(&di, b.data ? b.data : "", b.len), diexcluded(&di, rel));
	deldockerignore(&di);
	delbuf(&b);
	free(ign);
	if (!excluded) {
		if (*rel)
			errorat(&t->d, nd->img->dir, 0, 0,
			    "the build directory %s lies inside this image directory: every run would stage it into the image's context, one level deeper each time; configure in a directory outside the images roots, or exclude '%s' in %s/.dockerignore",
			    t->builddir, rel, nd->img->dir);
		else
			errorat(&t->d, nd->img->dir, 0, 0,
			    "the build directory is this image directory: every run would stage the build directory into the image's context; configure in a directory outside the images roots");
		free(dir);
		return false;
	}
	n = strlen(rel);
	for (i = 0, j = 0; i < w->n; i++) {
		if (strncmp(w->ent[i].path, rel, n) == 0 && (w->ent[i].path[n] == '\0' || w->ent[i].path[n] == '/'))
			free(w->ent[i].path);
		else
			w->ent[j++] = w->ent[i];
	}
	w->n = j;
	free(dir);
	return true;
}

/* what lies below a T entry gives way to it: the step's output replaces it whole (nd->ent sorted) */
static void
dropbelowmade(struct node *nd)
{
	size_t i, j, k, n;
	bool under;

	for (i = 0, j = 0; i < nd->nent; i++) {
		under = false;
		for (k = 0; k < nd->nent && !under; k++) {
			n = strlen(nd->ent[k].dst);
			under = nd->ent[k].kind == 'T' && k != i && strncmp(nd->ent[i].dst, nd->ent[k].dst, n) == 0 &&
			    nd->ent[i].dst[n] == '/';
		}
		if (under) {
			free(nd->ent[i].dst);
			free(nd->ent[i].src);
		} else
			nd->ent[j++] = nd->ent[i];
	}
	nd->nent = j;
}

/* a walk entry's path against a key, for bsearch */
static int
walkkeycmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct walkent *)ent)->path);
}

/* the context of one image: image files, copy-list results, rendered files, minus .dockerignore */
static void
buildcontext(struct tree *t, struct node *nd)
{
	bool ignorefile;
	struct walklist w = {0};
	char *errpath, *rel;

	strvecadd(&nd->dirs, nd->img->dir);
	if (!walktree(nd->img->dir, &w, &errpath)) {
		/* nothing more to say of a context that could not be read whole (no false "no Dockerfile") */
		errorat(&t->d, errpath, 0, 0, "cannot read: %s", errstr(errno));
		free(errpath);
		delwalklist(&w);
		return;
	}
	if (!leavebuilddir(t, nd, &w)) {
		delwalklist(&w);
		return;
	}
	addtree(t, nd, nd->img->dir, ".", &w, 0);
	/* no .dockerignore in the listing: none to open (the walk read the directory already) */
	ignorefile = w.n > 0 && bsearch(".dockerignore", w.ent, w.n, sizeof(w.ent[0]), walkkeycmp) != NULL;
	delwalklist(&w);
	/* what a pre-build step makes inside the image directory is part of it */
	rel = imgfromproj(nd->img);
	addmadebelow(t, nd, rel, ".");
	free(rel);
	addcopies(t, nd);
	addtemplates(t, nd);
	centryuniq(nd);
	dropbelowmade(nd);
	strvecuniq(&nd->prestamps);
	checkbelow(t, nd);
	finddockerfile(t, nd);
	if (nd->dockerfile && ignorefile)
		applyignore(t, nd);
	checkctxpaths(t, nd);
}

void
checkctxpaths(struct tree *t, struct node *nd)
{
	const char *bad;
	size_t i;

	for (i = 0; i < nd->nent; i++) {
		if ((bad = escpathbad(nd->ent[i].dst)) || (nd->ent[i].src && (bad = escpathbad(nd->ent[i].src))))
			errorat(&t->d, nd->ent[i].src ? nd->ent[i].src : nd->ent[i].dst, 0, 0, "%s", bad);
	}
}

struct node *
treefind(const struct tree *t, const char *name)
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

static int
svcnamecmp(const void *key, const void *s)
{
	return strcmp(key, ((const struct service *)s)->name);
}

struct service *
treefindsvc(const struct tree *t, const char *name)
{
	if (t->nsvc == 0)
		return NULL;
	return bsearch(name, t->svc, t->nsvc, sizeof(t->svc[0]), svcnamecmp);
}

struct node *
refnode(struct tree *t, const char *ref)
{
	char *repo = dfrepo(ref), *reg;
	struct node *nd = NULL;
	size_t i;

	if (strncmp(repo, "localhost/", 10) == 0)
		nd = treefind(t, repo + 10);
	else if (!strchr(repo, '/'))
		nd = treefind(t, repo);
	else {
		for (i = 0; i < t->n && !nd; i++) {
			reg = regrepo(t->registry, t->namespace, t->node[i].img->name);
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
linkdeps(struct tree *t, struct node *nd)
{
	struct image *img = nd->img;
	struct dfrefs refs = {0};
	struct stat st;
	struct buf b = {0};
	struct centry *e;
	struct node *dep;
	char *path;
	size_t i, j;

	for (i = 0; i < img->nprereq; i++) {
		dep = treefind(t, img->prereq[i].s);
		if (!dep)
			errorat(&t->d, img->yaml, img->prereq[i].line, img->prereq[i].col,
			    "prerequisite '%s' is not an image of the tree; the images are the directories holding image.yaml under %s",
			    img->prereq[i].s, img->root);
		else if (dep == nd)
			errorat(&t->d, img->yaml, img->prereq[i].line, img->prereq[i].col,
			    "image '%s' lists itself as prerequisite; a dependency cycle: %s -> %s", img->name, img->name, img->name);
		else
			strvecadd(&nd->deps, dep->img->name);
	}
	if (!nd->dockerfile)
		return;
	e = centryfind(nd, nd->dockerfile);
	path = e->kind == 'R' ? xasprintf("%s/%s.template", img->dir, e->dst) : xstrdup(e->src);
	if (!readfilestat(path, &b, &st)) {
		errorat(&t->d, path, 0, 0, "cannot read: %s", errstr(errno));
		free(path);
		return;
	}
	dfscan(b.data ? b.data : "", b.len, &refs);
	for (i = 0; i < refs.n; i++) {
		dep = refnode(t, refs.v[i].ref);
		if (!dep || dep == nd)
			continue;
		for (j = 0; j < img->nprereq && strcmp(img->prereq[j].s, dep->img->name) != 0; j++)
			;
		/* without a prerequisite key the Dockerfile alone gives the order, as in paictl v0.7 */
		if (j == img->nprereq && img->hasprereq)
			warnat(&t->d, t->nowarn, W_FROM_UNLISTED, path, refs.v[i].line, refs.v[i].col,
			    "%s names '%s', an image of the tree that prerequisite does not list; add it to prerequisite in %s",
			    refs.v[i].copyfrom ? "--from" : "FROM", refs.v[i].ref, img->yaml);
		strvecadd(&nd->deps, dep->img->name);
	}
	for (i = 0; refs.nunknown == 0 && i < img->nprereq; i++) {
		for (j = 0; j < refs.n; j++) {
			dep = refnode(t, refs.v[j].ref);
			if (dep && strcmp(dep->img->name, img->prereq[i].s) == 0)
				break;
		}
		if (j == refs.n && treefind(t, img->prereq[i].s))
			warnat(&t->d, t->nowarn, W_PREREQ_UNUSED, img->yaml, img->prereq[i].line, img->prereq[i].col,
			    "prerequisite '%s' is named by no FROM or COPY --from of %s", img->prereq[i].s, path);
	}
	strvectake(&nd->scanned, path);
	seentime(nd, &st.st_mtim);
	strvecuniq(&nd->deps);
	deldfrefs(&refs);
	delbuf(&b);
}

/* the services and what the pai-build layout keeps of the tree */
static void
delservices(struct tree *t)
{
	size_t i, j;

	for (i = 0; i < t->nsvc; i++) {
		struct service *s = &t->svc[i];

		free(s->name);
		free(s->dir);
		free(s->proj);
		free(s->rel);
		delstrvec(&s->images);
		for (j = 0; j < s->ndep; j++) {
			free(s->dep[j].svc);
			free(s->dep[j].file);
			free(s->dep[j].ref);
		}
		free(s->dep);
		delstrvec(&s->deps);
		free(s->pre);
		free(s->post);
		free(s->decl);
		delstrvec(&s->hookin);
	}
	free(t->svc);
	free(t->painame);
	delstrvec(&t->skipped);
	delstrvec(&t->scanned);
}

void
deltree(struct tree *t)
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
		delstrvec(&nd->deps);
		delstrvec(&nd->scanned);
		delstrvec(&nd->dirs);
		free(nd->service);
		delstrvec(&nd->prestamps);
		delstrvec(&nd->imgerr);
		delimage(nd->img);
	}
	for (i = 0; i < t->npre; i++) {
		free(t->pre[i].out);
		free(t->pre[i].stamp);
		delstrvec(&t->pre[i].outputs);
		delstrvec(&t->pre[i].inputs);
		delstrvec(&t->pre[i].dirs);
	}
	free(t->pre);
	free(t->node);
	free(t->names);
	free(t->order);
	free(t->builddir);
	free(t->up);
	delgraph(t->g);
	delstrvec(&t->dirs);
	delservices(t);
}

static int
nodecmp(const void *a, const void *b)
{
	const struct node *x = a, *y = b;

	return strcmp(x->img->name, y->img->name);
}

void
insideroot(struct tree *t, const char *root, const struct strvec *images)
{
	char *dir, *first;
	const char *rel;

	if (!t->builddir || !(dir = dirreal(root)))
		return;
	if (below(t->builddir, dir, &rel)) {
		first = xstrndup(rel, strcspn(rel, "/"));
		if (!*rel)
			errorat(&t->d, root, 0, 0,
			    "the build directory is this images root: its directories are inputs of build.ninja, which would be generated again at every run; configure in a directory outside the images roots");
		else if (!strvechas(images, first))
			errorat(&t->d, root, 0, 0,
			    "the build directory %s lies inside this images root: its directories are inputs of build.ninja, which would be generated again at every run; configure in a directory outside the images roots",
			    t->builddir);
		free(first);
	}
	free(dir);
}

/* one input of a step: the file, or every file under the directory */
static void
preinput(struct tree *t, struct node *nd, struct prestep *step, const struct ystr *in)
{
	struct walklist w = {0};
	struct stat st;
	char *path = pathjoin(nd->projroot, in->s), *c = pathcanon(path), *errpath = NULL;
	size_t i;

	free(path);
	if (stat(c, &st) != 0) {
		errorat(&t->d, nd->img->yaml, in->line, in->col,
		    "prebuild input '%s' does not exist (looked for '%s'; inputs are relative to the project root '%s')",
		    in->s, c, nd->projroot);
	} else if (!S_ISDIR(st.st_mode)) {
		strvecadd(&step->inputs, c);
	} else if (!walktree(c, &w, &errpath)) {
		errorat(&t->d, errpath, 0, 0, "cannot read: %s", errstr(errno));
		free(errpath);
	} else {
		strvecadd(&step->dirs, c);
		for (i = 0; i < w.n; i++) {
			path = pathjoin(c, w.ent[i].path);
			if (S_ISDIR(w.ent[i].mode))
				strvectake(&step->dirs, path);
			else
				strvectake(&step->inputs, path);
		}
	}
	delwalklist(&w);
	free(c);
}

/* the pre-build steps of every image, their outputs checked against each other's */
static void
collectprebuild(struct tree *t)
{
	struct prestep *s, *o;
	const struct yprebuild *y;
	size_t i, k, j, a, b, n;

	for (i = 0; i < t->n; i++) {
		for (k = 0; k < t->node[i].img->nprebuild; k++) {
			y = &t->node[i].img->prebuild[k];
			t->pre = xreallocarray(t->pre, t->npre + 1, sizeof(t->pre[0]));
			s = &t->pre[t->npre++];
			memset(s, 0, sizeof(*s));
			s->node = i;
			s->y = y;
			s->out = xasprintf("pre/%s.%zu", t->node[i].img->name, k + 1);
			s->stamp = xasprintf("%s.stamp", s->out);
			for (j = 0; j < y->noutput; j++)
				strvectake(&s->outputs, pathcanon(y->output[j].s));
			for (j = 0; j < y->ninput; j++)
				preinput(t, &t->node[i], s, &y->input[j]);
			strvecuniq(&s->inputs);
			strvecuniq(&s->dirs);
		}
	}
	/* an image directory, or one of the directories holding it, is the sources' */
	for (i = 0; i < t->npre; i++) {
		s = &t->pre[i];
		for (a = 0; a < s->outputs.n; a++) {
			for (j = 0; j < t->n; j++) {
				char *rel;

				if (strcmp(t->node[j].projroot, t->node[s->node].projroot) != 0)
					continue;
				rel = imgfromproj(t->node[j].img);
				n = strlen(s->outputs.v[a]);
				if (strncmp(rel, s->outputs.v[a], n) == 0 && (rel[n] == '\0' || rel[n] == '/'))
					errorat(&t->d, t->node[s->node].img->yaml, s->y->output[a].line, s->y->output[a].col,
					    "prebuild output '%s' would replace the image directory %s; a step makes files or "
					    "directories inside an image directory, or outside every one", s->outputs.v[a], t->node[j].img->dir);
				free(rel);
			}
		}
	}
	/* one path, one maker */
	for (i = 0; i < t->npre; i++) {
		for (j = i; j < t->npre; j++) {
			s = &t->pre[i];
			o = &t->pre[j];
			if (strcmp(t->node[s->node].projroot, t->node[o->node].projroot) != 0)
				continue;
			for (a = 0; a < s->outputs.n; a++) {
				for (b = i == j ? a + 1 : 0; b < o->outputs.n; b++) {
					const char *x = s->outputs.v[a], *z = o->outputs.v[b];
					const char *lo = strlen(x) <= strlen(z) ? x : z, *hi = lo == x ? z : x;

					n = strlen(lo);
					if (strncmp(hi, lo, n) == 0 && (hi[n] == '\0' || hi[n] == '/'))
						errorat(&t->d, t->node[o->node].img->yaml, o->y->output[b].line, o->y->output[b].col,
						    "prebuild output '%s' overlaps '%s', %s (%s:%d); each path is made by one step",
						    z, x, i == j ? "another output of the same step" : "an output of another pre-build step",
						    t->node[s->node].img->yaml, s->y->output[a].line);
				}
			}
		}
	}
}

/* the first ROOT/SERVICE/build/NAME.dockerfile of OpenPAI's later layout under root, or NULL */
static char *
laterlayout(const char *root)
{
	struct strvec names = {0}, dirs = {0};
	struct walklist w = {0};
	char *b, *errpath = NULL, *found = NULL;
	size_t i, j, n;

	if (!walkroot(root, &names, &dirs))
		return NULL;
	for (i = 0; !found && i < dirs.n; i++) {
		b = xasprintf("%s/%s/build", root, dirs.v[i]);
		if (walktree(b, &w, &errpath)) {
			for (j = 0; j < w.n && !found; j++) {
				n = strlen(w.ent[j].path);
				if (!strchr(w.ent[j].path, '/') && S_ISREG(w.ent[j].mode) && n > 11 &&
				    strcmp(w.ent[j].path + n - 11, ".dockerfile") == 0)
					found = pathjoin(b, w.ent[j].path);
			}
		}
		free(errpath);
		errpath = NULL;
		delwalklist(&w);
		free(b);
	}
	delstrvec(&names);
	delstrvec(&dirs);
	return found;
}

/* no image under any root: an error naming them, and OpenPAI's later layout when that is what they hold */
static void
noimages(struct tree *t, const struct strvec *roots)
{
	struct buf b = {0};
	char *later = NULL;
	size_t i;

	for (i = 0; i < roots->n; i++) {
		bufprintf(&b, "%s%s", i ? ", " : "", roots->v[i]);
		if (!later)
			later = laterlayout(roots->v[i]);
	}
	bufterm(&b);
	if (later)
		errorat(&t->d, NULL, 0, 0,
		    "no images under %s: an image is a subdirectory holding image.yaml, and there is none; %s was found: "
		    "this is OpenPAI's later layout (src/SERVICE/build/NAME.dockerfile, built by build/pai_build.py), not paictl's: "
		    "imagegen reads it with --layout=pai-build, which it chooses by itself when --layout is not given",
		    b.data, later);
	else
		errorat(&t->d, NULL, 0, 0,
		    "no images under %s: an image is a subdirectory holding image.yaml, and there is none; "
		    "give the directory whose subdirectories are the images with --images=DIR",
		    b.data);
	free(later);
	delbuf(&b);
}

/* the image-yaml layout: each subdirectory of a root holding image.yaml is an image */
void
yamlload(struct tree *t, const struct strvec *roots)
{
	struct strvec names = {0}, dirs = {0};
	size_t i, j;
	char *dir;

	for (i = 0; i < roots->n; i++) {
		const char *root = roots->v[i];

		names.n = dirs.n = 0;
		if (!walkroot(root, &names, &dirs)) {
			errorat(&t->d, root, 0, 0, "cannot read the images root: %s", errstr(errno));
			continue;
		}
		insideroot(t, root, &names);
		strvecadd(&t->dirs, root);
		for (j = 0; j < dirs.n; j++)
			strvectake(&t->dirs, pathjoin(root, dirs.v[j]));
		for (j = 0; j < names.n; j++) {
			dir = pathjoin(root, names.v[j]);
			t->node = xreallocarray(t->node, t->n + 1, sizeof(t->node[0]));
			memset(&t->node[t->n], 0, sizeof(t->node[0]));
			t->node[t->n].img = mkimage(names.v[j], dir, root);
			t->node[t->n].projroot = pathjoin(root, "..");
			{
				char *c = pathcanon(t->node[t->n].projroot);

				free(t->node[t->n].projroot);
				t->node[t->n].projroot = c;
			}
			t->n++;
			free(dir);
		}
		delstrvec(&names);
		delstrvec(&dirs);
	}
	if (t->n == 0 && t->d.nerr == 0)
		noimages(t, roots);
	if (t->n > 0)
		qsort(t->node, t->n, sizeof(t->node[0]), nodecmp);
	for (i = 0; i < t->n; i++) {
		struct node *nd = &t->node[i];

		if (!imagenameok(nd->img->name)) {
			errorat(&t->d, nd->img->dir, 0, 0,
			    "'%s' is not a valid image name; an image directory's name must be lowercase letters and digits joined by '.', '_', '__' or '-'",
			    nd->img->name);
		}
		if (i > 0 && strcmp(t->node[i - 1].img->name, nd->img->name) == 0) {
			errorat(&t->d, nd->img->dir, 0, 0, "image '%s' is also %s; image names must be unique across the images roots",
			    nd->img->name, t->node[i - 1].img->dir);
		}
		imageload(nd->img, &t->d);
		nd->timesseen = true;
		seentime(nd, &nd->img->yamltime);
	}
	collectprebuild(t);
	for (i = 0; i < t->n; i++)
		buildcontext(t, &t->node[i]);
	for (i = 0; i < t->n; i++)
		linkdeps(t, &t->node[i]);
}

const char *
layoutname(enum layout l)
{
	return l == LAYOUT_PAIBUILD ? "pai-build" : "image-yaml";
}
