/*
 * the pai-build layout: OpenPAI's build/pai_build.py (v0.8.0 to v1.8.0)
 * read into the image model. The top-level directories of a root are
 * services; <service>/build/<image>.dockerfile is an image built with the
 * service directory as its context; a FROM line naming an image of the
 * tree by its whole reference, and each line of component.dep, make a
 * service depend on another, whose sources are then staged into the
 * context as dependency/<service>. build/build-pre.sh and build-post.sh
 * are the service's hooks (their edges are written by generate.c).
 */
#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dockerfile.h"
#include "graph.h"
#include "image.h"
#include "paibuild.h"
#include "registry.h"
#include "tree.h"
#include "util.h"
#include "walk.h"
#include "warn.h"

#define DOCKERFILE ".dockerfile"
#define DEPFILE "component.dep"
#define PREHOOK "build/build-pre.sh"
#define POSTHOOK "build/build-post.sh"
#define HOOKDECL "build/build-pre.inputs"
/* how deep links to directories are followed in a dependency copy */
#define MAXLINKDEPTH 32

static bool
endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* the length of name without its extension, as Python's os.path.splitext cuts it */
static size_t
splitext(const char *name, size_t len)
{
	size_t dot, i;

	for (dot = len; dot > 0 && name[dot - 1] != '.'; dot--)
		;
	if (dot == 0)
		return len;
	dot--;
	/* leading dots are part of the name: ".x" has no extension */
	for (i = 0; i < dot; i++) {
		if (name[i] != '.')
			return dot;
	}
	return len;
}

/* true if dir (a directory of a root) has a name ending in .dockerfile under build/ */
static bool
hasdockerfile(const char *dir)
{
	char *build = pathjoin(dir, "build");
	DIR *d = opendir(build);
	struct dirent *e;
	bool found = false;

	free(build);
	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		found = endswith(e->d_name, DOCKERFILE) && strcmp(e->d_name, DOCKERFILE) != 0;
	closedir(d);
	return found;
}

enum layout
rootlayout(const char *root)
{
	struct strvec images = {0}, dirs = {0};
	enum layout l = LAYOUT_AUTO;
	size_t i;
	char *p;

	/* a root of thousands of images: one is enough to know */
	if (rootholdsimage(root))
		return LAYOUT_IMAGEYAML;
	if (!walkroot(root, &images, &dirs))
		return LAYOUT_AUTO;
	for (i = 0; l == LAYOUT_AUTO && i < dirs.n; i++) {
		p = pathjoin(root, dirs.v[i]);
		if (hasdockerfile(p))
			l = LAYOUT_PAIBUILD;
		free(p);
	}
	delstrvec(&images);
	delstrvec(&dirs);
	return l;
}

/* an image found while walking, before it becomes a node */
struct found {
	char *name;
	char *svc;
	char *file; /* the Dockerfile's name in <service>/build/ */
	const char *root;
};

struct load {
	struct tree *t;
	struct found *img;
	size_t nimg;
	struct strvec svcnames; /* every service, sorted */
	struct walklist *svcwalk; /* per service of t->svc, its files (walked once) */
	bool *walked;
};

static void
svcadd(struct tree *t, const char *root, const char *name)
{
	struct service *s;
	char cwd[PATH_MAX], *abs, *canon;

	t->svc = xreallocarray(t->svc, t->nsvc + 1, sizeof(t->svc[0]));
	s = &t->svc[t->nsvc++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->dir = pathjoin(root, name);
	abs = pathjoin(root, "..");
	s->proj = pathcanon(abs);
	free(abs);
	/* "." and ".." have no name of their own: the root's name comes from the working directory */
	if (root[0] != '/' && getcwd(cwd, sizeof(cwd)))
		abs = pathjoin(cwd, root);
	else
		abs = xstrdup(root);
	canon = pathcanon(abs);
	s->rel = xasprintf("%s/%s", pathbase(canon), name);
	free(canon);
	free(abs);
}

static int
svccmp(const void *a, const void *b)
{
	return strcmp(((const struct service *)a)->name, ((const struct service *)b)->name);
}

static void
depadd(struct service *s, const char *svc, const char *file, int line, int col, const char *ref)
{
	struct svcdep *d;

	s->dep = xreallocarray(s->dep, s->ndep + 1, sizeof(s->dep[0]));
	d = &s->dep[s->ndep++];
	d->svc = xstrdup(svc);
	d->file = xstrdup(file);
	d->line = line;
	d->col = col;
	d->ref = ref ? xstrdup(ref) : NULL;
}

/* Python's str.strip() and str.split() whitespace, as pai_build reads a Dockerfile */
static bool
pyspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * the type filter: the image a file of <service>/build/ names, or NULL
 * when pai_build leaves it out (*why then says why; owned by the caller)
 */
static char *
typedimage(const struct tree *t, const char *file, char **why)
{
	const char *type = t->painame;
	size_t n = strlen(file), base;
	char *common, *mine;
	bool keep;

	*why = NULL;
	if (!endswith(file, DOCKERFILE)) {
		*why = xasprintf("the name does not end in %s, so pai_build leaves it out", DOCKERFILE);
		return NULL;
	}
	base = splitext(file, n);
	if (strcmp(type, "none") == 0)
		return xstrndup(file, base);
	if (strcmp(type, "all") != 0) {
		common = xasprintf(".common%s", DOCKERFILE);
		mine = xasprintf(".%s%s", type, DOCKERFILE);
		keep = endswith(file, common) || endswith(file, mine);
		if (!keep)
			*why = xasprintf("neither *%s nor *%s: pai_build 1.x building for type %s leaves it out (--pai-type=%s)",
			    common, mine, type, type);
		free(common);
		free(mine);
		if (!keep)
			return NULL;
	}
	/* pai_build 1.x drops the type too: the last extension of what is left */
	return xstrndup(file, splitext(file, base));
}

/* the type filter the tree asks for when --pai-type is not given */
static void
picktype(struct tree *t, const struct strvec *roots)
{
	struct strvec images = {0}, dirs = {0};
	size_t i, j;
	char *build, *common = xasprintf(".common%s", DOCKERFILE);
	DIR *d;
	struct dirent *e;
	bool typed = false;

	if (t->paitype) {
		t->painame = xstrdup(t->paitype);
		free(common);
		return;
	}
	for (i = 0; !typed && i < roots->n; i++) {
		images.n = dirs.n = 0;
		if (!walkroot(roots->v[i], &images, &dirs))
			continue;
		for (j = 0; !typed && j < dirs.n; j++) {
			build = xasprintf("%s/%s/build", roots->v[i], dirs.v[j]);
			if ((d = opendir(build))) {
				while (!typed && (e = readdir(d)))
					typed = endswith(e->d_name, common);
				closedir(d);
			}
			free(build);
		}
		delstrvec(&images);
		delstrvec(&dirs);
	}
	/* pai_build 1.x builds for type k8s, hard-coded in pai_build.py */
	t->painame = xstrdup(typed ? "k8s" : "none");
	free(common);
}

/* what os.walk puts in its file list: anything but a directory or a link to one */
static bool
filelike(const char *path, mode_t mode)
{
	struct stat st;

	if (S_ISDIR(mode))
		return false;
	if (S_ISLNK(mode) && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return false;
	return true;
}

/*
 * the service pai_build gives a file at rel (relative to root): its
 * directory's parent (os.walk path split, second to last), or NULL when
 * it is the root itself; owned by the caller
 */
static char *
owner(const char *root, const char *rel)
{
	const char *slash = strrchr(rel, '/'), *prev;

	if (!slash)
		return NULL;
	for (prev = slash; prev > rel && prev[-1] != '/'; prev--)
		;
	if (prev == rel)
		return xstrdup(pathbase(root));
	{
		const char *end = prev - 1, *start = end;

		while (start > rel && start[-1] != '/')
			start--;
		return xstrndup(start, (size_t)(end - start));
	}
}

/* the lines of component.dep: each names a service the owner depends on */
static void
readdepfile(struct load *l, const char *root, const char *path, const char *svc)
{
	struct tree *t = l->t;
	struct service *s = treefindsvc(t, svc);
	struct buf b = {0};
	const char *p, *e, *a, *z, *end;
	int line = 0;
	char *name;

	if (!readfile(path, &b)) {
		errorat(&t->d, path, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	strvecadd(&t->scanned, path);
	bufterm(&b);
	end = b.data + b.len;
	for (p = b.data; p < end; p = e + 1) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		line++;
		for (a = p; a < e && pyspace(*a); a++)
			;
		for (z = e; z > a && pyspace(z[-1]); z--)
			;
		if (z > a) {
			name = xstrndup(a, (size_t)(z - a));
			if (!treefindsvc(t, name))
				errorat(&t->d, path, line, (int)(a - p) + 1,
				    "component.dep names '%s', which is not a service (a directory of %s); pai_build stops here ('Invalid dependency')",
				    name, root);
			else
				depadd(s, name, path, line, (int)(a - p) + 1, NULL);
			free(name);
		}
	}
	delbuf(&b);
}

/* one walked entry of a root: a Dockerfile, component.dep, or neither */
static void
entry(struct load *l, const char *root, const struct walkent *w)
{
	struct tree *t = l->t;
	const char *name = pathbase(w->path), *slash;
	char *path = pathjoin(root, w->path), *svc = NULL, *why, *img;
	bool inbuild;

	if (S_ISDIR(w->mode)) {
		strvectake(&t->dirs, path);
		return;
	}
	if (!filelike(path, w->mode) || (!endswith(name, DOCKERFILE) && strcmp(name, DEPFILE) != 0 && !strstr(name, DOCKERFILE))) {
		free(path);
		return;
	}
	/* <service>/build/<name>: the one place pai_build builds a Dockerfile from */
	slash = strchr(w->path, '/');
	inbuild = slash && strncmp(slash + 1, "build/", 6) == 0 && !strchr(slash + 7, '/');
	if (inbuild)
		svc = xstrndup(w->path, (size_t)(slash - w->path));
	if (strcmp(name, DEPFILE) == 0) {
		char *o = owner(root, w->path);

		if (!o || !treefindsvc(t, o))
			errorat(&t->d, path, 0, 0,
			    "pai_build reads this component.dep for '%s', which is not a service (a directory of %s), and stops ('Invalid dependency'); component.dep belongs in %s/<service>/build/",
			    o ? o : pathbase(root), root, root);
		else
			readdepfile(l, root, path, o);
		free(o);
	} else if (!endswith(name, DOCKERFILE)) {
		/* x.dockerfile.skip and the like: left out by name, listed by list --all */
		if (inbuild)
			strvectake(&t->skipped, xasprintf("%s: the name does not end in %s, so pai_build leaves it out", path, DOCKERFILE));
	} else if (!inbuild || !treefindsvc(t, svc)) {
		const char *sub = slash ? slash + 1 : "";

		if (slash && (strncmp(sub, "dependency/", 11) == 0 || strncmp(sub, "generated/", 10) == 0))
			errorat(&t->d, path, 0, 0,
			    "this is a copy pai_build leaves behind when a run stops (it removes each service's %.*s/ at the end of a run); remove %s/%.*s",
			    (int)strcspn(sub, "/"), sub, root, (int)(slash - w->path) + 1 + (int)strcspn(sub, "/"), w->path);
		else
			errorat(&t->d, path, 0, 0,
			    "pai_build builds a Dockerfile only from %s/<service>/build/<image>%s (it would fail on this one); move it there, or rename it so that it does not end in %s",
			    root, DOCKERFILE, DOCKERFILE);
	} else if ((img = typedimage(t, name, &why))) {
		struct found *f;

		l->img = xreallocarray(l->img, l->nimg + 1, sizeof(l->img[0]));
		f = &l->img[l->nimg++];
		f->name = img;
		f->svc = svc;
		f->file = xstrdup(name);
		f->root = root;
		svc = NULL;
	} else {
		strvectake(&t->skipped, xasprintf("%s: %s", path, why));
		free(why);
	}
	free(svc);
	free(path);
}

static int
foundcmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->svc, y->svc);
}

/* the services of one root and what it holds */
static void
walkone(struct load *l, const char *root)
{
	struct tree *t = l->t;
	struct strvec images = {0}, dirs = {0}, none = {0};
	struct walklist w = {0};
	char *errpath, *dir;
	size_t i;

	if (!walkroot(root, &images, &dirs)) {
		errorat(&t->d, root, 0, 0, "cannot read the images root: %s", strerror(errno));
		return;
	}
	/* a build directory anywhere in the root would be walked, staged or watched */
	insideroot(t, root, &none);
	strvecadd(&t->dirs, root);
	for (i = 0; i < dirs.n; i++) {
		dir = pathjoin(root, dirs.v[i]);
		if (treefindsvc(t, dirs.v[i]))
			errorat(&t->d, dir, 0, 0, "service '%s' is also %s; service names must be unique across the images roots",
			    dirs.v[i], treefindsvc(t, dirs.v[i])->dir);
		else {
			svcadd(t, root, dirs.v[i]);
			qsort(t->svc, t->nsvc, sizeof(t->svc[0]), svccmp);
		}
		free(dir);
	}
	delstrvec(&images);
	delstrvec(&dirs);
	if (!walktree(root, &w, &errpath)) {
		errorat(&t->d, errpath, 0, 0, "cannot read: %s", strerror(errno));
		free(errpath);
	}
	for (i = 0; i < w.n; i++)
		entry(l, root, &w.ent[i]);
	delwalklist(&w);
}

/* the nodes, one per image found, sorted by name; duplicates are errors as in pai_build */
static void
mknodes(struct load *l)
{
	struct tree *t = l->t;
	struct found *f;
	struct node *nd;
	char *dir, *c;
	size_t i;

	if (l->nimg > 0)
		qsort(l->img, l->nimg, sizeof(l->img[0]), foundcmp);
	t->node = xcalloc(l->nimg ? l->nimg : 1, sizeof(t->node[0]));
	for (i = 0; i < l->nimg; i++) {
		f = &l->img[i];
		dir = pathjoin(f->root, f->svc);
		if (i > 0 && strcmp(l->img[i - 1].name, f->name) == 0) {
			char *here = xasprintf("%s/build/%s", dir, f->file);

			errorat(&t->d, here, 0, 0,
			    "image '%s' is also built from %s/%s/build/%s; image names must be unique, and pai_build stops on the second ('Same image name')",
			    f->name, l->img[i - 1].root, l->img[i - 1].svc, l->img[i - 1].file);
			free(here);
			free(dir);
			continue;
		}
		nd = &t->node[t->n++];
		nd->img = mkimage(f->name, dir, f->root);
		free(nd->img->yaml);
		nd->img->yaml = NULL;
		nd->service = xstrdup(f->svc);
		nd->dockerfile = xasprintf("build/%s", f->file);
		c = pathjoin(f->root, "..");
		nd->projroot = pathcanon(c);
		free(c);
		if (!imagenameok(f->name)) {
			c = pathjoin(dir, nd->dockerfile);
			errorat(&t->d, c, 0, 0,
			    "'%s' is not a valid image name (the Dockerfile's name less %s%s); it must be lowercase letters and digits joined by '.', '_', '__' or '-'",
			    f->name, strcmp(t->painame, "none") == 0 ? "" : "its type and ", DOCKERFILE);
			free(c);
		}
		strvecadd(&treefindsvc(t, f->svc)->images, f->name);
		free(dir);
	}
	for (i = 0; i < t->nsvc; i++)
		strvecuniq(&t->svc[i].images);
}

/*
 * pai_build's reading of a Dockerfile: every line whose stripped text
 * starts with FROM names, by its second word, the image whose service it
 * depends on, matched on the whole reference
 */
static void
readfroms(struct load *l, struct node *nd, const char *path, const char *text, size_t len)
{
	struct tree *t = l->t;
	struct service *s = treefindsvc(t, nd->service);
	const char *p = text, *end = text + len, *e, *a, *z;
	struct node *dep;
	int line = 0;
	char *ref;

	for (; p < end; p = e + 1) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		line++;
		for (a = p; a < e && pyspace(*a); a++)
			;
		if ((size_t)(e - a) >= 4 && memcmp(a, "FROM", 4) == 0) {
			/* the second whitespace-separated word */
			for (a += 4; a < e && !pyspace(*a); a++)
				;
			for (; a < e && pyspace(*a); a++)
				;
			for (z = a; z < e && !pyspace(*z); z++)
				;
			if (z == a) {
				errorat(&t->d, path, line, (int)(e - p) + 1,
				    "FROM names no image; pai_build stops on this line (it reads the second word of every line starting with FROM)");
				continue;
			}
			ref = xstrndup(a, (size_t)(z - a));
			dep = treefind(t, ref);
			if (dep && dep->service && strcmp(dep->service, nd->service) == 0) {
				if (dep != nd) {
					warnat(&t->d, t->nowarn, W_FROM_SAME_SERVICE, path, line, (int)(a - p) + 1,
					    "FROM %s names an image of the same service '%s'; pai_build stops on this ('Dependency loop detected'), imagegen builds %s first",
					    ref, nd->service, ref);
					strvecadd(&nd->deps, ref);
				}
			} else if (dep)
				depadd(s, dep->service, path, line, (int)(a - p) + 1, ref);
			free(ref);
		}
		if (e == end)
			break;
	}
}

/*
 * references that name a tree image without making pai_build order on it:
 * a FROM with another tag or form, COPY --from, RUN --mount=from
 */
static void
nameonly(struct load *l, struct node *nd, const char *path, const char *text, size_t len)
{
	struct tree *t = l->t;
	struct service *s = treefindsvc(t, nd->service);
	struct dfrefs refs = {0};
	struct node *dep;
	size_t i;

	dfscan(text, len, &refs);
	for (i = 0; i < refs.n; i++) {
		dep = refnode(t, refs.v[i].ref);
		if (!dep || dep == nd || strvechas(&s->deps, dep->service) ||
		    (strcmp(dep->service, nd->service) == 0 && strvechas(&nd->deps, dep->img->name)))
			continue;
		if (refs.v[i].copyfrom)
			warnat(&t->d, t->nowarn, W_FROM_NAME_ONLY, path, refs.v[i].line, refs.v[i].col,
			    "--from=%s names the tree's image '%s', but pai_build orders only on FROM lines, so '%s' is not built first; list its service '%s' in %s/build/%s",
			    refs.v[i].ref, dep->img->name, dep->img->name, dep->service, s->dir, DEPFILE);
		else
			warnat(&t->d, t->nowarn, W_FROM_NAME_ONLY, path, refs.v[i].line, refs.v[i].col,
			    "FROM %s names the tree's image '%s' only by its name: pai_build matches the whole reference, so '%s' is not built first and the build takes whatever image %s is; write FROM %s to build on the tree's image",
			    refs.v[i].ref, dep->img->name, dep->img->name, refs.v[i].ref, dep->img->name);
	}
	deldfrefs(&refs);
}

/* every Dockerfile's FROM lines, then the services each service depends on */
static void
linkservices(struct load *l)
{
	struct tree *t = l->t;
	struct buf *text = xcalloc(t->n ? t->n : 1, sizeof(text[0]));
	char **path = xcalloc(t->n ? t->n : 1, sizeof(path[0]));
	struct service *s;
	size_t i, j;

	for (i = 0; i < t->n; i++) {
		struct node *nd = &t->node[i];

		path[i] = pathjoin(nd->img->dir, nd->dockerfile);
		if (!readfile(path[i], &text[i])) {
			errorat(&t->d, path[i], 0, 0, "cannot read: %s", strerror(errno));
			continue;
		}
		strvecadd(&nd->scanned, path[i]);
		readfroms(l, nd, path[i], text[i].data ? text[i].data : "", text[i].len);
	}
	for (i = 0; i < t->nsvc; i++) {
		s = &t->svc[i];
		for (j = 0; j < s->ndep; j++) {
			if (strcmp(s->dep[j].svc, s->name) != 0)
				strvecadd(&s->deps, s->dep[j].svc);
		}
		strvecuniq(&s->deps);
	}
	for (i = 0; i < t->n; i++) {
		if (text[i].data || text[i].len == 0)
			nameonly(l, &t->node[i], path[i], text[i].data ? text[i].data : "", text[i].len);
		delbuf(&text[i]);
		free(path[i]);
	}
	free(text);
	free(path);
}

/* a cycle of services, "a -> b -> a", reported with what makes each depend on the next */
static void
svccycle(struct tree *t, const char *cycle)
{
	struct buf why = {0};
	const char *p = cycle, *arrow;
	char *from = NULL, *to;
	struct service *s;
	struct svcdep *first = NULL, *d;
	size_t j;

	for (;;) {
		arrow = strstr(p, " -> ");
		to = xstrndup(p, arrow ? (size_t)(arrow - p) : strlen(p));
		if (from && (s = treefindsvc(t, from))) {
			for (j = 0, d = NULL; j < s->ndep && !d; j++) {
				if (strcmp(s->dep[j].svc, to) == 0)
					d = &s->dep[j];
			}
			if (d) {
				if (!first)
					first = d;
				if (d->ref)
					bufprintf(&why, "%s%s on %s: FROM %s at %s:%d", why.len ? "; " : "", from, to, d->ref, d->file, d->line);
				else
					bufprintf(&why, "%s%s on %s: %s:%d", why.len ? "; " : "", from, to, d->file, d->line);
			}
		}
		free(from);
		from = to;
		if (!arrow)
			break;
		p = arrow + 4;
	}
	free(from);
	bufterm(&why);
	errorat(&t->d, first ? first->file : NULL, first ? first->line : 0, first ? first->col : 0,
	    "dependency cycle between services: %s (%s); a service cannot be built on itself, and pai_build stops here too ('Dependency loop detected')",
	    cycle, why.data);
	delbuf(&why);
}

static void
checkcycles(struct tree *t)
{
	char **names = xcalloc(t->nsvc ? t->nsvc : 1, sizeof(names[0]));
	struct strvec cycles = {0};
	size_t *order = xcalloc(t->nsvc ? t->nsvc : 1, sizeof(order[0]));
	struct graph *g;
	size_t i, j;

	for (i = 0; i < t->nsvc; i++)
		names[i] = t->svc[i].name;
	g = mkgraph(t->nsvc, names);
	for (i = 0; i < t->nsvc; i++) {
		for (j = 0; j < t->svc[i].ndep; j++)
			graphadd(g, i, (size_t)(treefindsvc(t, t->svc[i].dep[j].svc) - t->svc));
	}
	if (!graphorder(g, order, &cycles)) {
		for (i = 0; i < cycles.n; i++)
			svccycle(t, cycles.v[i]);
	}
	delstrvec(&cycles);
	delgraph(g);
	free(order);
	free(names);
}

/*
 * the files of a dependency copy under dst: pai_build copies with
 * shutil.copytree, which follows symbolic links, so a link to a file is
 * staged as the file and a link to a directory as the directory
 */
static void
adddepcopy(struct tree *t, struct node *nd, struct strvec *files, const char *src, const char *dst, int depth)
{
	struct walklist w = {0};
	struct stat st;
	char *errpath, *s, *d, *real;
	size_t i;

	if (nd)
		strvecadd(&nd->dirs, src);
	strvecadd(&t->dirs, src);
	if (!walktree(src, &w, &errpath)) {
		errorat(&t->d, errpath, 0, 0, "cannot read: %s", strerror(errno));
		free(errpath);
		delwalklist(&w);
		return;
	}
	for (i = 0; i < w.n; i++) {
		s = pathjoin(src, w.ent[i].path);
		d = pathjoin(dst, w.ent[i].path);
		if (S_ISLNK(w.ent[i].mode)) {
			real = NULL;
			if (stat(s, &st) != 0 || !(real = realpath(s, NULL)))
				errorat(&t->d, s, 0, 0,
				    "this symbolic link leads nowhere: pai_build's copy of the service into dependency/ follows links and fails on it; remove or fix the link");
			else if (depth >= MAXLINKDEPTH)
				errorat(&t->d, s, 0, 0, "links to directories nest more than %d deep here (a loop?); pai_build's copy into dependency/ follows them", MAXLINKDEPTH);
			else if (S_ISDIR(st.st_mode)) {
				if (nd)
					centryadd(nd, 'D', d, real, 1);
				adddepcopy(t, nd, files, real, d, depth + 1);
			} else if (S_ISREG(st.st_mode)) {
				if (nd)
					centryadd(nd, 'F', d, real, 1);
				if (files)
					strvecadd(files, real);
			}
			free(real);
		} else if (S_ISDIR(w.ent[i].mode)) {
			if (nd) {
				centryadd(nd, 'D', d, s, 1);
				strvecadd(&nd->dirs, s);
			}
			strvecadd(&t->dirs, s);
		} else if (S_ISREG(w.ent[i].mode)) {
			if (nd)
				centryadd(nd, 'F', d, s, 1);
			if (files)
				strvecadd(files, s);
		} else if (nd)
			warnat(&t->d, t->nowarn, W_SPECIAL_FILE, s, 0, 0, "not a regular file, symlink or directory; left out of the context");
		free(s);
		free(d);
	}
	delwalklist(&w);
}

/* the service's files, walked once */
static struct walklist *
svcfiles(struct load *l, struct service *s)
{
	struct tree *t = l->t;
	size_t i = (size_t)(s - t->svc);
	char *errpath;

	if (!l->walked[i]) {
		l->walked[i] = true;
		if (!walktree(s->dir, &l->svcwalk[i], &errpath)) {
			errorat(&t->d, errpath, 0, 0, "cannot read: %s", strerror(errno));
			free(errpath);
		}
	}
	return &l->svcwalk[i];
}

/* true if path lies at or under dependency/<one of deps> */
static bool
independency(const struct service *s, const char *path)
{
	size_t i, n;

	if (strncmp(path, "dependency/", 11) != 0)
		return false;
	path += 11;
	for (i = 0; i < s->deps.n; i++) {
		n = strlen(s->deps.v[i]);
		if (strncmp(path, s->deps.v[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/*
 * an image's context: its service directory, then a copy of each service
 * it depends on as dependency/<service> (replacing what the directory
 * holds there), less what .dockerignore excludes
 */
static void
paicontext(struct load *l, struct node *nd)
{
	struct tree *t = l->t;
	struct service *s = treefindsvc(t, nd->service), *dep;
	struct walklist *w = svcfiles(l, s), keep = {0};
	char *dst;
	size_t i, j;

	strvecadd(&nd->dirs, nd->img->dir);
	keep.ent = xcalloc(w->n ? w->n : 1, sizeof(keep.ent[0]));
	for (i = 0; i < w->n; i++) {
		if (!independency(s, w->ent[i].path))
			keep.ent[keep.n++] = w->ent[i];
	}
	addtree(t, nd, nd->img->dir, ".", &keep, 0);
	free(keep.ent);
	for (i = 0; i < s->deps.n; i++) {
		dep = treefindsvc(t, s->deps.v[i]);
		dst = xasprintf("dependency/%s", dep->name);
		centryadd(nd, 'D', dst, dep->dir, 1);
		adddepcopy(t, nd, NULL, dep->dir, dst, 0);
		free(dst);
	}
	centryuniq(nd);
	checkbelow(t, nd);
	{
		struct centry *e = centryfind(nd, nd->dockerfile);

		if (!e || e->kind != 'F') {
			char *p = pathjoin(nd->img->dir, nd->dockerfile);

			errorat(&t->d, p, 0, 0, "the Dockerfile is not a file of the service directory");
			free(p);
		}
	}
	applyignore(t, nd);
	checkctxpaths(t, nd);
	/* the images of the services it depends on come first */
	for (i = 0; i < s->deps.n; i++) {
		dep = treefindsvc(t, s->deps.v[i]);
		for (j = 0; j < dep->images.n; j++)
			strvecadd(&nd->deps, dep->images.v[j]);
	}
	strvecuniq(&nd->deps);
}

/* the paths a declaration lists, one a line, relative to the project root: what the pre hook reads besides */
static void
readdecl(struct tree *t, struct service *s, const char *projroot)
{
	struct buf b = {0};
	struct stat st;
	const char *p, *e, *a, *z;
	char *rel, *path, *c;
	int line = 0;

	if (!readfile(s->decl, &b)) {
		errorat(&t->d, s->decl, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	strvecadd(&t->scanned, s->decl);
	for (p = b.data; p && p < b.data + b.len; p = e + 1) {
		e = memchr(p, '\n', (size_t)(b.data + b.len - p));
		if (!e)
			e = b.data + b.len;
		line++;
		for (a = p; a < e && pyspace(*a); a++)
			;
		for (z = e; z > a && pyspace(z[-1]); z--)
			;
		if (z > a && *a != '#') {
			rel = xstrndup(a, (size_t)(z - a));
			c = rel[0] == '/' ? xstrdup(rel) : pathjoin(projroot, rel);
			path = pathcanon(c);
			free(c);
			if (lstat(path, &st) != 0)
				errorat(&t->d, s->decl, line, (int)(a - p) + 1,
				    "'%s' does not exist (looked for '%s'; paths are relative to the project root '%s'); a hook's inputs must exist before it runs",
				    rel, path, projroot);
			else if (S_ISDIR(st.st_mode))
				adddepcopy(t, NULL, &s->hookin, path, ".", 0);
			else
				strvecadd(&s->hookin, path);
			free(path);
			free(rel);
		}
		if (e == b.data + b.len)
			break;
	}
	delbuf(&b);
}

/* the hooks of each service, and what a pre hook reads */
static void
findhooks(struct load *l)
{
	struct tree *t = l->t;
	struct service *s;
	struct walklist *w;
	struct stat st;
	char *p;
	size_t i, j;

	for (i = 0; i < t->nsvc; i++) {
		s = &t->svc[i];
		p = pathjoin(s->dir, PREHOOK);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			s->pre = p;
		else
			free(p);
		p = pathjoin(s->dir, POSTHOOK);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			s->post = p;
		else
			free(p);
		if (!s->pre)
			continue;
		p = pathjoin(s->dir, HOOKDECL);
		if (lstat(p, &st) == 0)
			s->decl = p;
		else
			free(p);
		/* the service's files, the copies of its dependencies, what the declaration lists */
		w = svcfiles(l, s);
		for (j = 0; j < w->n; j++) {
			p = pathjoin(s->dir, w->ent[j].path);
			if (S_ISDIR(w->ent[j].mode))
				strvectake(&t->dirs, p);
			else if (!independency(s, w->ent[j].path) && stat(p, &st) == 0 && S_ISREG(st.st_mode))
				strvectake(&s->hookin, p);
			else
				free(p);
		}
		for (j = 0; j < s->deps.n; j++)
			adddepcopy(t, NULL, &s->hookin, treefindsvc(t, s->deps.v[j])->dir, ".", 0);
		if (s->decl)
			readdecl(t, s, s->proj);
		strvecuniq(&s->hookin);
	}
}

void
paiload(struct tree *t, const struct strvec *roots)
{
	struct load l = {0};
	size_t i;

	l.t = t;
	picktype(t, roots);
	for (i = 0; i < roots->n; i++)
		walkone(&l, roots->v[i]);
	l.svcwalk = xcalloc(t->nsvc ? t->nsvc : 1, sizeof(l.svcwalk[0]));
	l.walked = xcalloc(t->nsvc ? t->nsvc : 1, sizeof(l.walked[0]));
	mknodes(&l);
	linkservices(&l);
	checkcycles(t);
	for (i = 0; i < t->n; i++)
		paicontext(&l, &t->node[i]);
	findhooks(&l);
	strvecuniq(&t->skipped);
	strvecuniq(&t->scanned);
	for (i = 0; i < l.nimg; i++) {
		free(l.img[i].name);
		free(l.img[i].svc);
		free(l.img[i].file);
	}
	free(l.img);
	for (i = 0; i < t->nsvc; i++)
		delwalklist(&l.svcwalk[i]);
	free(l.svcwalk);
	free(l.walked);
}
