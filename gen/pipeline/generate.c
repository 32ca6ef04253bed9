/*
 * imagegen generate, list, graph, check: the files generate writes from
 * the loaded tree (tree.c): build.ninja, the stage manifests and the
 * recorded arguments (options in opts.c).
 */
#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "image.h"
#include "make.h"
#include "ninja.h"
#include "opts.h"
#include "plan.h"
#include "registry.h"
#include "report.h"
#include "tmpl.h"
#include "tree.h"
#include "util.h"
#include "walk.h"
#include "warn.h"

/* the compiled cluster configuration the render edges read */
#define CONFIGBIN ".imagegen/config.bin"
#define MANIFESTHEAD "# imagegen stage manifest 1\n"

/* true if a service of the tree has a hook */
static bool
hashooks(const struct tree *t)
{
	size_t i;

	for (i = 0; i < t->nsvc; i++) {
		if (t->svc[i].pre || t->svc[i].post)
			return true;
	}
	return false;
}

/* the pai-build service of an image, or NULL */
static const struct service *
nodesvc(const struct tree *t, const struct node *nd)
{
	return nd->service ? treefindsvc(t, nd->service) : NULL;
}

/* the stage manifest an image's stage edge reads: its service's pre hook writes it, or generate */
static char *
manifestpath(const struct tree *t, const struct node *nd)
{
	const struct service *s = nodesvc(t, nd);

	if (s && s->pre)
		return xasprintf("hook/%s/%s.list", s->name, nd->img->name);
	return xasprintf(".imagegen/stage/%s.list", nd->img->name);
}

/*
 * what an edge of a service must come after, as pai_build orders the
 * services: the hooks and every image of each service it depends on; a
 * changed pre hook stamp of those (implicit, when asked for) runs a pre
 * hook again
 */
static void
svcorder(const struct tree *t, const struct service *s, struct strvec *orderonly, struct strvec *implicit)
{
	const struct service *d;
	size_t i, j;

	for (i = 0; s && i < s->deps.n; i++) {
		d = treefindsvc(t, s->deps.v[i]);
		for (j = 0; j < d->images.n; j++)
			strvectake(orderonly, xasprintf("img/%s.iid", d->images.v[j]));
		if (d->post)
			strvectake(orderonly, xasprintf("hook/%s/post", d->name));
		if (d->pre)
			strvectake(implicit ? implicit : orderonly, xasprintf("hook/%s/pre", d->name));
	}
}

/* the stage manifest of one image */
static void
manifest(const struct node *nd, struct buf *b)
{
	size_t i;
	const struct centry *e;

	bufadds(b, MANIFESTHEAD);
	for (i = 0; i < nd->imgerr.n; i++)
		bufprintf(b, "E\t%s\n", nd->imgerr.v[i]);
	for (i = 0; i < nd->nent; i++) {
		e = &nd->ent[i];
		bufaddc(b, e->kind);
		bufaddc(b, '\t');
		bufadds(b, e->dst);
		if (e->kind != 'R') {
			bufaddc(b, '\t');
			bufadds(b, e->src);
		}
		bufaddc(b, '\n');
	}
}

/* "--flag=value" words, each a shell word, joined by spaces */
static void
addflag(struct buf *b, const char *flag, const char *val)
{
	char *w = xasprintf("--%s=%s", flag, val);

	if (b->len)
		bufaddc(b, ' ');
	escshell(b, w);
	free(w);
}

/* b (shell words) becomes variable name of e; b is empty after */
static void
edgeflags(struct edge *e, const char *name, struct buf *b)
{
	bufterm(b);
	/* an unset variable expands to nothing: leave empty ones out */
	if (b->len)
		edgevar(e, name, b->data);
	b->len = 0;
	b->data[0] = '\0';
}

/*
 * the stage edge: the stamp, from the manifest and the F sources. The
 * staged copies are not outputs: the stamp records what lstat finds of
 * each, and is rewritten whenever one changes, so the digest edge need
 * only read the stamp (a copy changed or removed by hand is staged again
 * by the digest and build edges before they read the context). After a
 * pre hook, the stamp from the manifest the hook wrote (it changes
 * whenever what the hook left does).
 */
static void
stageedge(const struct tree *t, const struct node *nd, const char *ctx, struct plan *pl)
{
	const struct service *s = nodesvc(t, nd);
	struct edge e = {0};
	struct buf b = {0};
	size_t i;

	e.rule = "stage";
	for (i = 0; !(s && s->pre) && i < nd->nent; i++) {
		if (nd->ent[i].kind != 'F')
			continue;
		if (nd->ent[i].link) {
			/*
			 * ninja follows symlinks: a dangling one would be a missing
			 * input. The directory holding the link changes with it, and
			 * the stamp records its target.
			 */
			strvectake(&e.implicit, pathdir(nd->ent[i].src));
			continue;
		}
		strvecadd(&e.implicit, nd->ent[i].src);
		/* the entries are sorted: the first copy is the one clashes would name (struct targets) */
		if (!e.writes.n)
			strvectake(&e.writes, pathjoin(ctx, nd->ent[i].dst));
	}
	/* what pre-build steps make is copied as it is when staging: their stamps say when it changed */
	for (i = 0; i < nd->prestamps.n; i++)
		strvecadd(&e.implicit, nd->prestamps.v[i]);
	strvectake(&e.out, xasprintf("%s.staged", ctx));
	strvectake(&e.in, manifestpath(t, nd));
	strvecuniq(&e.implicit);
	escshell(&b, ctx);
	edgeflags(&e, "ctx", &b);
	planedge(pl, &e);
	delbuf(&b);
}

/* one render edge per R entry, each reading the compiled config if there is one */
static void
renderedges(const struct opts *o, const struct node *nd, const char *ctx, struct plan *pl)
{
	struct edge e;
	size_t i;

	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind != 'R')
			continue;
		memset(&e, 0, sizeof(e));
		e.rule = "render";
		strvectake(&e.out, pathjoin(ctx, nd->ent[i].dst));
		strvecadd(&e.in, nd->ent[i].src);
		if (o->config)
			strvecadd(&e.implicit, CONFIGBIN);
		planedge(pl, &e);
	}
}

/* the --tag flags of the tag edge */
static void
tagflags(const struct opts *o, const struct image *img, struct buf *b)
{
	struct strvec names = {0};
	size_t i;

	optsnames(o, img, &names);
	for (i = 0; i < names.n; i++)
		addflag(b, "tag", names.v[i]);
	delstrvec(&names);
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

/* the flags the digest and build edges share: file, build args, labels, target */
static void
buildflags(const struct node *nd, struct buf *b)
{
	const struct image *img = nd->img;

	addflag(b, "file", nd->dockerfile);
	kvflags("build-arg", img->buildarg, img->nbuildarg, b);
	kvflags("label", img->label, img->nlabel, b);
	if (img->target.s)
		addflag(b, "target", img->target.s);
}

/* the ctx and name variables of an edge */
static void
ctxname(const struct node *nd, const char *ctx, struct edge *e, struct buf *b)
{
	escshell(b, ctx);
	edgeflags(e, "ctx", b);
	escshell(b, nd->img->name);
	edgeflags(e, "name", b);
}

/*
 * what the digest edge reads of the staged context: the stamp, the
 * manifest a pre hook wrote, and every rendered file
 */
static void
ctxinputs(const struct tree *t, const struct node *nd, const char *ctx, struct strvec *implicit)
{
	const struct service *s = nodesvc(t, nd);
	size_t i;

	strvectake(implicit, xasprintf("%s.staged", ctx));
	if (s && s->pre) {
		strvectake(implicit, manifestpath(t, nd));
		return;
	}
	for (i = 0; i < nd->nent; i++) {
		if (nd->ent[i].kind == 'R')
			strvectake(implicit, pathjoin(ctx, nd->ent[i].dst));
	}
}

/* the input digest edge: the staged context, the build settings, the prerequisites' digests */
static void
digestedge(const struct tree *t, const struct node *nd, const char *ctx, struct plan *pl)
{
	struct edge e = {0};
	struct buf b = {0};
	char *p;
	size_t i;

	e.rule = "digest";
	strvectake(&e.out, xasprintf("img/%s.digest", nd->img->name));
	ctxinputs(t, nd, ctx, &e.implicit);
	for (i = 0; i < nd->prestamps.n; i++)
		strvecadd(&e.implicit, nd->prestamps.v[i]);
	buildflags(nd, &b);
	for (i = 0; i < nd->deps.n; i++) {
		p = xasprintf("img/%s.digest", nd->deps.v[i]);
		addflag(&b, "dep", p);
		strvectake(&e.implicit, p);
	}
	edgeflags(&e, "args", &b);
	ctxname(nd, ctx, &e, &b);
	planedge(pl, &e);
	delbuf(&b);
}

/* true when the image has names beyond its own: a tag edge gives them */
static bool
hasnames(const struct opts *o, const struct image *img)
{
	return img->ntag > 0 || (o->registry && *o->registry);
}

/*
 * the build edge: the image ID from the dependencies' IDs and the digest.
 * Neither the context's files nor its stamp are listed: the digest
 * (restat: rewritten only when it changes) hashes every file, so that it
 * changes whenever they do, and a stamp rewritten with the same content
 * staged (a context put right after a change by hand, or staged again by
 * a newer imagegen) builds nothing. Names are not inputs: the image is
 * tagged with its bare name only (so FROM finds it), its other names
 * come from the tag edge, and the prerequisites' tag edges run first (a
 * Dockerfile may name them by their registry form).
 */
static void
buildedge(const struct opts *o, const struct tree *t, const struct node *nd, const char *ctx, struct plan *pl)
{
	const struct image *img = nd->img;
	const struct node *dep;
	struct edge e = {0};
	struct buf b = {0};
	char *log = xasprintf("log/%s.log", img->name);
	char *digest = xasprintf("img/%s.digest", img->name), *p;
	size_t i;

	e.rule = "build";
	strvectake(&e.out, xasprintf("img/%s.iid", img->name));
	for (i = 0; i < nd->deps.n; i++) {
		strvectake(&e.implicit, xasprintf("img/%s.iid", nd->deps.v[i]));
		if ((dep = treefind(t, nd->deps.v[i])) && hasnames(o, dep->img))
			strvectake(&e.orderonly, xasprintf("img/%s.tags", nd->deps.v[i]));
	}
	/* after the hooks of the services it is built on, as pai_build goes service by service */
	svcorder(t, nodesvc(t, nd), &e.orderonly, NULL);
	for (i = 0; i < e.orderonly.n; i++) {
		if (strvechas(&e.implicit, e.orderonly.v[i])) {
			free(e.orderonly.v[i]);
			e.orderonly.v[i] = e.orderonly.v[--e.orderonly.n];
			i--;
		}
	}
	strvecuniq(&e.orderonly);
	strvecadd(&e.implicit, digest);
	addflag(&b, "name", img->name);
	buildflags(nd, &b);
	addflag(&b, "digest", digest);
	if (o->cache) {
		p = xasprintf("img/%s.pulled", img->name);
		addflag(&b, "pulled", p);
		strvectake(&e.implicit, p);
	}
	for (i = 0; i < nd->deps.n; i++) {
		p = xasprintf("img/%s.iid", nd->deps.v[i]);
		addflag(&b, "dep", p);
		free(p);
	}
	edgeflags(&e, "args", &b);
	ctxname(nd, ctx, &e, &b);
	escshell(&b, log);
	edgeflags(&e, "log", &b);
	planedge(pl, &e);
	delbuf(&b);
	free(digest);
	free(log);
}

/*
 * the end of a pull or tag edge (what): the flag --log=log/NAME.WHAT.log
 * after those in b, the args and name variables, the edge added to pl
 */
static void
engineedge(const struct image *img, const char *what, struct edge *e, struct buf *b, struct plan *pl)
{
	char *p = xasprintf("log/%s.%s.log", img->name, what);

	addflag(b, "log", p);
	free(p);
	edgeflags(e, "args", b);
	escshell(b, img->name);
	edgeflags(e, "name", b);
	planedge(pl, e);
}

/*
 * with a cache registry: the pull edge, which looks the image up by its
 * input digest before the build edge runs (ninja's status line says PULL)
 */
static void
pulledge(const struct opts *o, const struct node *nd, struct plan *pl)
{
	const struct image *img = nd->img;
	struct edge e = {0};
	struct buf b = {0};
	char *p;

	if (!o->cache)
		return;
	e.rule = "pull";
	strvectake(&e.out, xasprintf("img/%s.pulled", img->name));
	strvectake(&e.in, xasprintf("img/%s.digest", img->name));
	addflag(&b, "name", img->name);
	p = xasprintf("img/%s.digest", img->name);
	addflag(&b, "digest", p);
	free(p);
	engineedge(img, "pull", &e, &b, pl);
	delbuf(&b);
}

/* the tag edge: every name of the image but its own, given to the built image; no engine build */
static void
tagedge(const struct opts *o, const struct node *nd, struct plan *pl)
{
	const struct image *img = nd->img;
	struct edge e = {0};
	struct buf b = {0};

	if (!hasnames(o, img))
		return;
	e.rule = "tag";
	strvectake(&e.out, xasprintf("img/%s.tags", img->name));
	strvectake(&e.in, xasprintf("img/%s.iid", img->name));
	addflag(&b, "name", img->name);
	tagflags(o, img, &b);
	engineedge(img, "tag", &e, &b, pl);
	delbuf(&b);
}

/* with a registry: the push edge (by a staging tag) and the phony push-<img> */
static void
pushedges(const struct opts *o, const struct node *nd, struct plan *pl)
{
	const struct image *img = nd->img;
	struct edge e = {0};
	struct buf b = {0};
	char *repo = regrepo(o->registry, o->namespace, img->name), *p;

	if (!repo)
		return;
	e.rule = "push";
	strvectake(&e.out, xasprintf("push/%s.pushed", img->name));
	strvectake(&e.in, xasprintf("img/%s.iid", img->name));
	strvectake(&e.implicit, xasprintf("img/%s.digest", img->name));
	escshell(&b, repo);
	edgeflags(&e, "repo", &b);
	p = xasprintf("img/%s.digest", img->name);
	escshell(&b, p);
	free(p);
	edgeflags(&e, "digest", &b);
	p = xasprintf("log/%s.push.log", img->name);
	escshell(&b, p);
	free(p);
	edgeflags(&e, "log", &b);
	planedge(pl, &e);
	memset(&e, 0, sizeof(e));
	e.rule = "phony";
	strvectake(&e.out, xasprintf("push-%s", img->name));
	strvectake(&e.in, xasprintf("push/%s.pushed", img->name));
	planedge(pl, &e);
	delbuf(&b);
	free(repo);
}

/* a pre-build step: its command, run from the project root, writes its outputs under its $OUT */
static void
prebuildedge(const struct tree *t, const struct prestep *step, struct plan *pl)
{
	const struct node *nd = &t->node[step->node];
	struct edge e = {0};
	struct buf b = {0};
	char *c;
	size_t i;

	planblank(pl);
	c = xasprintf("pre-build step of image %s (%s:%d)", nd->img->name, nd->img->yaml, step->y->line);
	plancomment(pl, c);
	free(c);
	e.rule = "prebuild";
	strvecadd(&e.out, step->stamp);
	for (i = 0; i < step->inputs.n; i++)
		strvecadd(&e.in, step->inputs.v[i]);
	addflag(&b, "image", nd->img->name);
	addflag(&b, "project", nd->projroot);
	addflag(&b, "out", step->out);
	for (i = 0; i < step->outputs.n; i++)
		addflag(&b, "output", step->outputs.v[i]);
	edgeflags(&e, "flags", &b);
	escshell(&b, step->y->command.s);
	edgeflags(&e, "cmd", &b);
	escshell(&b, nd->img->name);
	edgeflags(&e, "name", &b);
	planedge(pl, &e);
	delbuf(&b);
}

/* the edges of one image: stage, render, digest, build, tag, push, and the phony image name */
static void
imageedges(const struct opts *o, const struct tree *t, const struct node *nd, struct plan *pl)
{
	struct edge e = {0};
	char *ctx = xasprintf("ctx/%s", nd->img->name), *c;
	const struct service *own = treefindsvc(t, nd->img->name);

	planblank(pl);
	if (nd->service)
		c = xasprintf("image %s (%s/%s)", nd->img->name, nd->img->dir, nd->dockerfile);
	else
		c = xasprintf("image %s (%s)", nd->img->name, nd->img->dir);
	plancomment(pl, c);
	free(c);
	stageedge(t, nd, ctx, pl);
	renderedges(o, nd, ctx, pl);
	digestedge(t, nd, ctx, pl);
	pulledge(o, nd, pl);
	buildedge(o, t, nd, ctx, pl);
	tagedge(o, nd, pl);
	pushedges(o, nd, pl);
	/* a service of the same name takes the name: it builds this image and the others of the service */
	if (!(own && nd->service && strcmp(own->name, nd->service) == 0)) {
		e.rule = "phony";
		strvecadd(&e.out, nd->img->name);
		strvectake(&e.in, xasprintf("img/%s.iid", nd->img->name));
		if (hasnames(o, nd->img))
			strvectake(&e.in, xasprintf("img/%s.tags", nd->img->name));
		planedge(pl, &e);
	}
	free(ctx);
}

/* the lines of .imagegen/hook/<service>.inputs: what the pre hook reads */
static void
hookinputs(const struct service *s, struct buf *b)
{
	size_t i;

	bufprintf(b, "# what %s reads: when one of these changes, the hook runs again\n", s->pre);
	for (i = 0; i < s->hookin.n; i++)
		bufprintf(b, "%s\n", s->hookin.v[i]);
}

/* the hook edges of a pai-build service, its phony name and its rehook target */
static void
serviceedges(const struct tree *t, const struct opts *o, const struct service *s, struct plan *pl)
{
	struct edge e = {0};
	struct buf b = {0};
	const struct node *img;
	char *p;
	size_t i;
	int phase;

	if (!s->pre && !s->post && s->images.n == 0)
		return;
	planblank(pl);
	p = xasprintf("service %s (%s)", s->name, s->dir);
	plancomment(pl, p);
	free(p);
	for (phase = 0; phase < 2; phase++) {
		const char *script = phase == 0 ? s->pre : s->post, *name = phase == 0 ? "pre" : "post";

		if (!script)
			continue;
		e.rule = "hook";
		strvectake(&e.out, xasprintf("hook/%s/%s", s->name, name));
		/* imagegen rehook touches it: the next ninja (or make) runs the hooks again */
		strvectake(&e.implicit, xasprintf(".imagegen/hook/%s.force", s->name));
		if (phase == 0) {
			for (i = 0; i < s->images.n; i++)
				strvectake(&e.implicitout, xasprintf("hook/%s/%s.list", s->name, s->images.v[i]));
			strvectake(&e.in, xasprintf(".imagegen/hook/%s.inputs", s->name));
			for (i = 0; i < s->hookin.n; i++)
				strvecadd(&e.implicit, s->hookin.v[i]);
			svcorder(t, s, &e.orderonly, &e.implicit);
		} else {
			strvecadd(&e.in, script);
			for (i = 0; i < s->images.n; i++)
				strvectake(&e.implicit, xasprintf("img/%s.iid", s->images.v[i]));
			if (s->pre)
				strvectake(&e.implicit, xasprintf("hook/%s/pre", s->name));
			else
				svcorder(t, s, &e.orderonly, &e.implicit);
		}
		strvecuniq(&e.implicit);
		strvecuniq(&e.orderonly);
		b.len = 0;
		addflag(&b, "phase", name);
		addflag(&b, "project", s->proj);
		addflag(&b, "service", s->rel);
		addflag(&b, "dir", p = xasprintf("hook/%s", s->name));
		free(p);
		addflag(&b, "log", p = xasprintf("log/hook/%s.%s.log", s->name, name));
		free(p);
		for (i = 0; !(phase == 1 && s->pre) && i < s->deps.n; i++)
			addflag(&b, "dep", treefindsvc(t, s->deps.v[i])->rel);
		for (i = 0; phase == 0 && i < s->images.n; i++) {
			img = treefind(t, s->images.v[i]);
			addflag(&b, "image", p = xasprintf("%s=%s", img->img->name, img->dockerfile));
			free(p);
		}
		if (phase == 1 && s->pre)
			bufadds(&b, " --reuse");
		edgeflags(&e, "flags", &b);
		escshell(&b, s->name);
		bufprintf(&b, " %s", name);
		edgeflags(&e, "desc", &b);
		planedge(pl, &e);
	}
	/* ninja SERVICE: every image of the service and its hooks */
	if (!treefind(t, s->name) || strcmp(treefind(t, s->name)->service, s->name) == 0) {
		e.rule = "phony";
		strvecadd(&e.out, s->name);
		for (i = 0; i < s->images.n; i++) {
			strvectake(&e.in, xasprintf("img/%s.iid", s->images.v[i]));
			if (hasnames(o, treefind(t, s->images.v[i])->img))
				strvectake(&e.in, xasprintf("img/%s.tags", s->images.v[i]));
		}
		if (s->pre)
			strvectake(&e.in, xasprintf("hook/%s/pre", s->name));
		if (s->post)
			strvectake(&e.in, xasprintf("hook/%s/post", s->name));
		planedge(pl, &e);
	}
	/* ninja rehook-SERVICE: its output never exists, so it runs whenever asked (make would run it once) */
	if ((s->pre || s->post) && !o->make) {
		e.rule = "rehook";
		strvectake(&e.out, xasprintf("rehook-%s", s->name));
		b.len = 0;
		escshell(&b, s->name);
		edgeflags(&e, "services", &b);
		planedge(pl, &e);
	}
	delbuf(&b);
}

/*
 * the cluster configuration files: the file, or the files of the directory
 * that the loader merges (tenvconfigname); a directory under such a name is
 * an error, as the loader makes it
 */
static bool
configfiles(const struct opts *o, struct strvec *files, struct strvec *dirs, struct diag *d)
{
	struct stat st;
	struct walklist w = {0};
	char *errpath, *p;
	size_t i;
	bool ok = true;

	if (!o->config)
		return true;
	if (stat(o->config, &st) != 0) {
		errorat(d, o->config, 0, 0, "cannot read the configuration (--config): %s", errstr(errno));
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		strvecadd(files, o->config);
		return true;
	}
	strvecadd(dirs, o->config);
	if (!walktree(o->config, &w, &errpath)) {
		errorat(d, errpath, 0, 0, "cannot read the configuration directory: %s", errstr(errno));
		free(errpath);
		delwalklist(&w);
		return false;
	}
	for (i = 0; i < w.n; i++) {
		if (strchr(w.ent[i].path, '/') || !tenvconfigname(w.ent[i].path))
			continue;
		p = pathjoin(o->config, w.ent[i].path);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			errorat(d, p, 0, 0, "is a directory; the *.yaml and *.yml files of a configuration directory are merged, so rename it or move it out");
			ok = false;
			free(p);
		} else
			strvectake(files, p);
	}
	delwalklist(&w);
	return ok;
}

/* " --flag=value" as a shell word in a ninja value (for the prelude), when val is set */
static void
regflag(struct buf *b, const char *flag, const char *val)
{
	char *w;

	if (!val)
		return;
	w = xasprintf("--%s=%s", flag, val);
	bufaddc(b, ' ');
	escshellninja(b, w);
	free(w);
}

/* the rule prelude: templates/rules.ninja rendered with the settings */
static bool
prelude(const struct tree *t, const struct opts *o, const char *rules, struct buf *out, struct diag *d)
{
	struct tenv *env = mktenv();
	struct buf src = {0}, v = {0};
	char jobs[32];
	bool ok;

	if (!readfile(rules, &src)) {
		errorat(d, rules, 0, 0, "cannot read the rule prelude: %s; --templates=DIR names the directory holding rules.ninja",
		    errstr(errno));
		deltenv(env);
		return false;
	}
	bufterm(&src);
#define SETVAR(name, val) do { v.len = 0; escshellninja(&v, (val)); tenvsetstr(env, (name), v.data); } while (0)
	/* the command word of every edge: an unquoted NAME=VALUE there would be an assignment */
	v.len = 0;
	escshellcmdninja(&v, o->imagegen);
	tenvsetstr(env, "imagegen", v.data);
	SETVAR("engine", o->engine);
	SETVAR("args", ARGSFILE);
	if (o->config && t->layout != LAYOUT_PAIBUILD) {
		enum tmodel m = TMODEL_AUTO;

		SETVAR("config", o->config);
		/* auto is settled now, so that the config edge and configure's summary say which model is in use */
		if (o->configmodel)
			tmodelbyname(o->configmodel, &m);
		if (m == TMODEL_AUTO)
			m = tmodelfor(o->config);
		SETVAR("configmodel", tmodelname(m));
	} else {
		tenvsetstr(env, "config", "");
		tenvsetstr(env, "configmodel", "");
	}
	/* the optional settings: empty strings are false in the template's if */
	tenvsetstr(env, "registry", o->registry && *o->registry ? "1" : "");
	SETVAR("tag", o->tag);
	tenvsetstr(env, "insecure", o->insecure ? "1" : "");
	tenvsetstr(env, "prebuild", t && t->npre ? "1" : "");
#define SETOPT(name, val) do { if (val) SETVAR(name, val); else tenvsetstr(env, (name), ""); } while (0)
	SETOPT("cache", o->cache);
	SETOPT("layercache", o->layercache);
	SETOPT("builder", o->builder);
	SETOPT("network", o->network);
#undef SETOPT
#undef SETVAR
	tenvsetstr(env, "hooks", hashooks(t) ? "1" : "");
	/* the flags of push and publish, each with its leading space */
	v.len = 0;
	if (o->insecure)
		bufadds(&v, " --insecure");
	regflag(&v, "user", o->reguser);
	regflag(&v, "password-file", o->regpassfile);
	regflag(&v, "password-env", o->regpassenv);
	regflag(&v, "password-config", o->regpassconfig);
	bufterm(&v);
	tenvsetstr(env, "registryflags", v.data);
	snprintf(jobs, sizeof(jobs), "%ld", o->jobs);
	tenvsetstr(env, "jobs", jobs);
	ok = tmplrender(env, rules, src.data, src.len, out);
	if (!ok)
		d->nerr++;
	if (ok && out->len && out->data[out->len - 1] != '\n')
		bufaddc(out, '\n');
	deltenv(env);
	delbuf(&src);
	delbuf(&v);
	return ok;
}

/* a path that build.ninja both reads as a source and writes as a target */
static bool
overlaps(const struct tree *t, const struct opts *o, const char *path)
{
	/* what the build file writes lies in the build directory (but perhaps the build file) */
	if (strncmp(path, "../", 3) == 0 && strncmp(o->output, "../", 3) != 0)
		return false;
	/* every target but the build file is a relative path: an absolute source is none of them */
	if (path[0] == '/')
		return strcmp(path, o->output) == 0;
	if (t->nsvc && (treefindsvc(t, path) || strcmp(path, "rehook") == 0 || strncmp(path, "rehook-", 7) == 0 ||
	    strncmp(path, "hook/", 5) == 0 || strncmp(path, ".imagegen/hook/", 15) == 0))
		return true;
	/* an image's name (its phony target) holds no '/' */
	return (!strchr(path, '/') && treefind(t, path)) || strcmp(path, "all") == 0 || strcmp(path, o->output) == 0 ||
	    strcmp(path, "push") == 0 || strncmp(path, "push-", 5) == 0 || strncmp(path, "push/", 5) == 0 ||
	    strncmp(path, "ctx/", 4) == 0 || strncmp(path, "img/", 4) == 0 || strncmp(path, "log/", 4) == 0 ||
	    strncmp(path, ".imagegen/stage/", 16) == 0 || strcmp(path, CONFIGBIN) == 0 || strncmp(path, "pre/", 4) == 0 ||
	    strncmp(path, MAKESTAMPDIR "/", strlen(MAKESTAMPDIR) + 1) == 0 ||
	    strncmp(path, MAKEPOOLDIR "/", strlen(MAKEPOOLDIR) + 1) == 0;
}

/* path, created empty when it does not exist; its time is left alone */
static int
forcefile(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	if (writefile(path, "", 0, 0666) < 0) {
		error("cannot write %s:", path);
		return 1;
	}
	return 0;
}

static int
writeout(const char *path, struct buf *b)
{
	bufterm(b);
	if (writefile(path, b->data, b->len, 0666) < 0) {
		error("cannot write %s:", path);
		return 1;
	}
	return 0;
}

/* each image's stage manifest (paths: .imagegen/stage/NAME.list), the directory read once */
static int
writemanifests(struct tree *t, const struct strvec *paths, struct buf *b)
{
	struct wdir *w = NULL;
	size_t i, j;
	int rc = 0, err = 0;

	if (paths->n && !(w = mkwdir(".imagegen/stage")))
		err = errno;
	for (i = 0, j = 0; i < t->n; i++) {
		const struct service *sv = nodesvc(t, &t->node[i]);

		/* an image after a pre hook has its manifest written by the hook */
		if (sv && sv->pre)
			continue;
		b->len = 0;
		manifest(&t->node[i], b);
		bufterm(b);
		if (!w || wdirwrite(w, pathbase(paths->v[j]), b->data, b->len, 0666) < 0) {
			if (!w)
				errno = err;
			error("cannot write %s:", paths->v[j]);
			rc = 1;
		}
		j++;
	}
	delwdir(w);
	return rc;
}

/* path is a regeneration input, and one whose time generate checks when check is not NULL */
static void
addsource(struct strvec *regen, struct strvec *check, const char *path)
{
	strvecadd(regen, path);
	if (check)
		strvecadd(check, path);
}

/*
 * the sources build.ninja names that no edge writes: the config files,
 * and the regeneration inputs (sorted); every one is checked to be a path
 * build.ninja can hold and not to be a target as well. check (when not
 * NULL) gets those whose times generate has yet to look at (sorted): the
 * regeneration inputs but what loading saw. false on an error.
 */
static bool
sources(struct tree *t, const struct opts *o, const char *rules, struct strvec *configs, struct strvec *regen,
    struct strvec *check)
{
	const struct node *nd;
	size_t i, j;
	const char *bad, *src;
	static const char overlap[] =
	    "this source would also be a target of %s; run imagegen generate in a separate build directory";

	if (!configfiles(o, configs, regen, &t->d))
		return false;
	for (i = 0; i < t->scanned.n; i++)
		strvecadd(regen, t->scanned.v[i]);
	for (i = 0; i < t->dirs.n; i++)
		strvecadd(regen, t->dirs.v[i]);
	for (i = 0; i < t->npre; i++) {
		for (j = 0; j < t->pre[i].dirs.n; j++)
			strvecadd(regen, t->pre[i].dirs.v[j]);
	}
	for (i = 0; i < configs->n; i++)
		strvecadd(regen, configs->v[i]);
	strvecadd(regen, ARGSFILE);
	if (strchr(o->imagegen, '/'))
		strvecadd(regen, o->imagegen);
	strvecadd(regen, rules);
	for (i = 0; check && i < regen->n; i++)
		strvecadd(check, regen->v[i]);
	/* what loading read of an image with its time (timesseen) is not looked at again; its directory is */
	for (i = 0; i < t->n; i++) {
		nd = &t->node[i];
		if (nd->img->yaml)
			addsource(regen, nd->timesseen ? NULL : check, nd->img->yaml);
		for (j = 0; j < nd->scanned.n; j++)
			addsource(regen, nd->timesseen ? NULL : check, nd->scanned.v[j]);
		for (j = 0; j < nd->dirs.n; j++)
			addsource(regen, nd->timesseen && strcmp(nd->dirs.v[j], nd->img->dir) != 0 ? NULL : check,
			    nd->dirs.v[j]);
	}
	strvecuniq(regen);
	if (check)
		strvecuniq(check);
	for (i = 0; i < regen->n; i++) {
		if ((bad = escpathbad(regen->v[i])))
			errorat(&t->d, regen->v[i], 0, 0, "%s", bad);
		else if (overlaps(t, o, regen->v[i]))
			errorat(&t->d, regen->v[i], 0, 0, overlap, o->output);
	}
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->node[i].nent; j++) {
			src = t->node[i].ent[j].src;
			if (t->node[i].ent[j].kind == 'F' && overlaps(t, o, src) && !strvechas(regen, src))
				errorat(&t->d, src, 0, 0, overlap, o->output);
		}
	}
	return t->d.nerr == 0;
}

/*
 * the whole graph: the config edge, the services' hook edges, every
 * image's edges in build order, all and the default, rehook, push and
 * publish, and the regeneration edge with its inputs (regen) and its
 * other outputs (manifests: the stage manifests and the hooks' input lists)
 */
static void
graphplan(const struct tree *t, const struct opts *o, const struct strvec *configs,
    const struct strvec *regen, const struct strvec *manifests, struct plan *pl)
{
	struct edge e = {0};
	char *c;
	size_t i;

	/* the pai-build layout renders no template: its configuration is for the registry alone */
	if (o->config && t->layout != LAYOUT_PAIBUILD) {
		/* compiled once; every render edge reads it instead of the YAML */
		planblank(pl);
		e.rule = "config";
		strvecadd(&e.out, CONFIGBIN);
		for (i = 0; i < configs->n; i++)
			strvecadd(&e.in, configs->v[i]);
		planedge(pl, &e);
	}
	for (i = 0; i < t->npre; i++)
		prebuildedge(t, &t->pre[i], pl);
	for (i = 0; i < t->nsvc; i++)
		serviceedges(t, o, &t->svc[i], pl);
	for (i = 0; i < t->n; i++)
		imageedges(o, t, &t->node[t->order[i]], pl);

	planblank(pl);
	e.rule = "phony";
	strvecadd(&e.out, "all");
	/* the pai-build layout: a service may take an image's name; its hooks run too */
	for (i = 0; i < t->n; i++)
		strvectake(&e.in, t->nsvc ? xasprintf("img/%s.iid", t->node[i].img->name) : xstrdup(t->node[i].img->name));
	for (i = 0; i < t->nsvc; i++) {
		if (t->svc[i].pre)
			strvectake(&e.in, xasprintf("hook/%s/pre", t->svc[i].name));
		if (t->svc[i].post)
			strvectake(&e.in, xasprintf("hook/%s/post", t->svc[i].name));
	}
	planedge(pl, &e);
	plandefault(pl, "all");
	if (hashooks(t) && !o->make) {
		planblank(pl);
		plancomment(pl, "ninja rehook: the next ninja runs every hook again");
		e.rule = "rehook";
		strvecadd(&e.out, "rehook");
		planedge(pl, &e);
	}
	if (o->registry && *o->registry) {
		planblank(pl);
		plancomment(pl, "push: every image by a staging tag, then the release tag on all of them");
		e.rule = "publish";
		strvecadd(&e.out, "push/published");
		for (i = 0; i < t->n; i++)
			strvectake(&e.in, xasprintf("push/%s.pushed", t->node[i].img->name));
		planedge(pl, &e);
		e.rule = "phony";
		strvecadd(&e.out, "push");
		strvecadd(&e.in, "push/published");
		planedge(pl, &e);
	}

	planblank(pl);
	c = xasprintf("regeneration: %s follows the image tree", o->output);
	plancomment(pl, c);
	free(c);
	e.rule = "regen";
	strvecadd(&e.out, o->output);
	for (i = 0; i < manifests->n; i++)
		strvecadd(&e.implicitout, manifests->v[i]);
	for (i = 0; i < regen->n; i++)
		strvecadd(&e.implicit, regen->v[i]);
	planedge(pl, &e);
	for (i = 0; i < regen->n; i++) {
		e.rule = "phony";
		strvecadd(&e.out, regen->v[i]);
		planedge(pl, &e);
	}
}

/* a path the plan writes, and the image whose edges write it (NULL: the build file's own) */
struct target {
	const char *path; /* set by clashes, once every path is in the targets' text */
	size_t off; /* where the path starts in the targets' text */
	const char *owner; /* an image's name: one of the targets' owners, or the tree's */
	bool phony; /* a name, not a file: nothing lies below it */
};

/*
 * every path a plan writes, gathered an item at a time (clashadd) for
 * clashes: a tree of 5,000 images writes some 130,000, so they are kept
 * in one buffer, and each owner's name once.
 *
 * Of the files an image stages or renders, ctx/NAME/..., only the first
 * in byte order is kept: no other image writes below ctx/NAME/ (a name
 * holds no '/'), the image's own entries are unique and none lies below
 * another (centryuniq, checkbelow), so that each could only clash by lying
 * below a file of another owner, ctx/NAME itself (the stamp of an image
 * called as NAME less ".staged"), and the first is the one clashes names.
 * The build file alone may lie anywhere: all are kept when it is below
 * ctx/ (allctx).
 */
struct targets {
	struct target *v;
	size_t n, cap;
	struct buf text; /* the paths, each ended by a NUL */
	struct strvec owners;
	const char *owner; /* the image whose edges come now: the comment above them names it */
	struct buf ctxfirst; /* the first of the owner's ctx/NAME/... paths so far */
	bool allctx;
};

static void
targetadd(struct targets *tg, const char *path, const char *owner, bool phony)
{
	if (tg->n == tg->cap) {
		tg->cap = tg->cap ? 2 * tg->cap : 64;
		tg->v = xreallocarray(tg->v, tg->cap, sizeof(tg->v[0]));
	}
	tg->v[tg->n].path = NULL;
	tg->v[tg->n].off = tg->text.len;
	bufadd(&tg->text, path, strlen(path) + 1);
	tg->v[tg->n].owner = owner;
	tg->v[tg->n].phony = phony;
	tg->n++;
}

/* the first of the owner's ctx/NAME/... paths becomes a target: its edges are over */
static void
ctxflush(struct targets *tg)
{
	if (tg->ctxfirst.len)
		targetadd(tg, tg->ctxfirst.data, tg->owner, false);
	tg->ctxfirst.len = 0;
}

/* true if path lies below ctx/OWNER/ */
static bool
inctx(const char *path, const char *owner)
{
	size_t n = strlen(owner);

	return strncmp(path, "ctx/", 4) == 0 && strncmp(path + 4, owner, n) == 0 && path[4 + n] == '/';
}

/* the targets of one plan item, in the order the plan holds them */
static void
clashadd(struct targets *tg, const struct planitem *it)
{
	const struct strvec *lists[3];
	const char *path;
	size_t j, k;

	if (it->kind == PLANBLANK) {
		ctxflush(tg);
		tg->owner = NULL;
	} else if (it->kind == PLANCOMMENT) {
		ctxflush(tg);
		tg->owner = NULL;
		if (strncmp(it->text, "image ", 6) == 0) {
			strvectake(&tg->owners, xstrndup(it->text + 6, strcspn(it->text + 6, " ")));
			tg->owner = tg->owners.v[tg->owners.n - 1];
		}
	} else if (it->kind == PLANEDGE) {
		lists[0] = &it->edge.out;
		lists[1] = &it->edge.implicitout;
		lists[2] = &it->edge.writes;
		for (k = 0; k < 3; k++) {
			for (j = 0; j < lists[k]->n; j++) {
				path = lists[k]->v[j];
				if (!tg->allctx && tg->owner && inctx(path, tg->owner)) {
					if (!tg->ctxfirst.len || strcmp(path, tg->ctxfirst.data) < 0) {
						tg->ctxfirst.len = 0;
						bufadds(&tg->ctxfirst, path);
					}
				} else
					targetadd(tg, path, tg->owner, strcmp(it->edge.rule, "phony") == 0);
			}
		}
	}
}

/*
 * what a plan written as it is made goes through: build.ninja's text, a
 * piece at a time into the stream, and its targets
 */
struct ninjasink {
	struct buf out;
	struct wstream *ws;
	struct targets *tg;
};

/* what the sink holds goes to the stream once it is this long */
enum { SINKFLUSH = 1 << 16 };

static void
ninjasinkitem(void *arg, const struct planitem *it)
{
	struct ninjasink *s = arg;

	clashadd(s->tg, it);
	ninjaitem(&s->out, it);
	if (s->out.len >= SINKFLUSH) {
		wstreamwrite(s->ws, s->out.data, s->out.len);
		s->out.len = 0;
	}
}

static int
targetcmp(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->owner != NULL) - (y->owner != NULL);
}

/*
 * s against dir + "/" (dir of length n) as strcmp orders them, but 0 for
 * every s that starts with dir + "/": something below dir
 */
static int
belowcmp(const char *s, const char *dir, size_t n)
{
	int c = strncmp(s, dir, n);

	return c ? c : (unsigned char)s[n] - '/';
}

/* "image 'a' (images/a)", or "the build file" */
static char *
ownername(const struct tree *t, const char *owner, const char *file)
{
	const struct node *nd = owner ? treefind(t, owner) : NULL;

	if (nd)
		return xasprintf("image '%s' (%s)", owner, nd->img->dir);
	return xasprintf("%s itself", file);
}

/*
 * every path the plan writes, once: two images (or an image and the build
 * file's own targets, all, push, publish's log...) that would make one path
 * are an error naming both, as is a file that another edge writes below;
 * ninja and make would stop at them, and any valid image name works but
 * these. false after the errors.
 */
static bool
clashes(const struct tree *t, const struct opts *o, struct targets *tg, struct diag *d)
{
	struct target *v;
	size_t n, i, lo, hi, len;
	const char *own, *name;
	char *a, *b;
	int nerr = d->nerr;

	ctxflush(tg);
	/* the logs the edges write besides their outputs */
	for (i = 0; i < t->n; i++) {
		name = t->node[i].img->name;
		a = xasprintf("log/%s.log", name);
		targetadd(tg, a, name, false);
		free(a);
		if (o->registry && *o->registry) {
			a = xasprintf("log/%s.push.log", name);
			targetadd(tg, a, name, false);
			free(a);
		}
	}
	if (o->registry && *o->registry)
		targetadd(tg, "log/publish.log", NULL, false);
	v = tg->v;
	n = tg->n;
	for (i = 0; i < n; i++)
		v[i].path = tg->text.data + v[i].off;
	if (n)
		qsort(v, n, sizeof(v[0]), targetcmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i].path, v[i - 1].path) == 0) {
			a = ownername(t, v[i - 1].owner, o->output);
			b = ownername(t, v[i].owner, o->output);
			own = v[i].owner ? v[i].owner : v[i - 1].owner;
			errorat(d, own ? treefind(t, own)->img->dir : NULL, 0, 0,
			    "%s and %s would both make '%s'; rename the image directory '%s' (any other valid name works)",
			    a, b, v[i].path, own ? own : "");
			free(a);
			free(b);
			continue;
		}
		/* something written below this path, as if it were a directory: the first path from "PATH/" on */
		len = strlen(v[i].path);
		for (lo = i + 1, hi = n; lo < hi;) {
			size_t mid = (lo + hi) / 2;

			if (belowcmp(v[mid].path, v[i].path, len) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && !v[i].phony && belowcmp(v[lo].path, v[i].path, len) == 0 && (v[i].owner || v[lo].owner)) {
			a = ownername(t, v[i].owner, o->output);
			b = ownername(t, v[lo].owner, o->output);
			own = v[lo].owner ? v[lo].owner : v[i].owner;
			errorat(d, treefind(t, own)->img->dir, 0, 0,
			    "%s would make '%s' below '%s', which %s makes as a file; rename the image directory '%s' (any other valid name works)",
			    b, v[lo].path, v[i].path, a, own);
			free(a);
			free(b);
		}
	}
	return d->nerr == nerr;
}

static void
deltargets(struct targets *tg)
{
	free(tg->v);
	delbuf(&tg->text);
	delstrvec(&tg->owners);
	delbuf(&tg->ctxfirst);
	memset(tg, 0, sizeof(*tg));
}

/*
 * the generated file for the tree into *ws, a stream of o->output opened
 * here once the sources are sound (the build directory locked first), and
 * the path of each image's stage manifest into manifests; false after
 * reporting through t->d, or after an error
 */
static bool
buildfile(struct tree *t, const struct opts *o, struct strvec *manifests, struct strvec *hookins, struct wstream **ws)
{
	struct plan p = {0};
	struct strvec configs = {0}, regen = {0}, outs = {0}, check = {0};
	struct targets tg = {0};
	struct ninjasink sink = {{0}, NULL, &tg};
	char *rules = pathjoin(o->templates, "rules.ninja");
	size_t i;
	bool ok = false;

	if (!sources(t, o, rules, &configs, &regen, &check) || !prelude(t, o, rules, &p.prelude, &t->d))
		goto out;
	/* an input dated in the future would hide its later edits from the regeneration edge */
	for (i = 0; i < check.n; i++) {
		struct stat st;

		if (lstat(check.v[i], &st) == 0)
			mtimefuture(check.v[i], &st);
	}
	/* the images after a pre hook have theirs written by the hook */
	for (i = 0; i < t->n; i++) {
		const struct service *sv = nodesvc(t, &t->node[i]);

		if (!(sv && sv->pre))
			strvectake(manifests, xasprintf(".imagegen/stage/%s.list", t->node[i].img->name));
	}
	for (i = 0; i < t->nsvc; i++) {
		if (t->svc[i].pre)
			strvectake(hookins, xasprintf(".imagegen/hook/%s.inputs", t->svc[i].name));
		if (t->svc[i].pre || t->svc[i].post)
			strvectake(hookins, xasprintf(".imagegen/hook/%s.force", t->svc[i].name));
	}
	for (i = 0; i < hookins->n; i++)
		strvecadd(&outs, hookins->v[i]);
	for (i = 0; i < manifests->n; i++)
		strvecadd(&outs, manifests->v[i]);
	/* one generate in a build directory at a time, from here to the last file it writes */
	if (!bdlock(o->output, true)) {
		error("cannot lock %s in .imagegen/lock:", o->output);
		goto out;
	}
	if (!(*ws = mkwstream(o->output, 0666))) {
		error("cannot write %s:", o->output);
		goto out;
	}
	sink.ws = *ws;
	{
		char *canon = pathcanon(o->output);

		tg.allctx = strncmp(canon, "ctx/", 4) == 0;
		free(canon);
	}
	if (!o->make) {
		/* written as it is made: build.ninja needs one pass in order */
		ninjahead(&p, &sink.out);
		p.sink = ninjasinkitem;
		p.sinkarg = &sink;
	}
	graphplan(t, o, &configs, &regen, &outs, &p);
	for (i = 0; i < p.n; i++)
		clashadd(&tg, &p.item[i]);
	if (!clashes(t, o, &tg, &t->d))
		goto out;
	if (o->make && (!ninjaprelude(&p, rules, &t->d) || !makewrite(&p, o->imagegen, &sink.out, &t->d)))
		goto out;
	wstreamwrite(*ws, sink.out.data, sink.out.len);
	ok = true;
out:
	free(rules);
	delbuf(&sink.out);
	delplan(&p);
	deltargets(&tg);
	delstrvec(&configs);
	delstrvec(&regen);
	delstrvec(&outs);
	delstrvec(&check);
	return ok;
}

/* what the build directory holds for an image, as "DIR\tSUFFIX": ctx/NAME, ctx/NAME.staged, img/NAME.iid... */
static const char *const imagefiles[] = {
	"ctx\t", "ctx\t.staged", "img\t.iid", "img\t.iid.engine", "img\t.digest", "img\t.built", "img\t.failed",
	"img\t.tags", "log\t.log", "log\t.push.log", "push\t.pushed", "push\t.pushed.manifest", ".imagegen/stage\t.list",
};

/* the i-th path imagefiles gives for image name; owned by the caller */
static char *
imagefile(const char *name, size_t i)
{
	const char *tab = strchr(imagefiles[i], '\t');

	return xasprintf("%.*s/%s%s", (int)(tab - imagefiles[i]), imagefiles[i], name, tab + 1);
}

/*
 * what the build directory still holds of images that left the tree (a
 * stage manifest without an image) is removed: the context, the stamps,
 * the logs, the manifest; never a path an image of the tree uses. Each
 * context is locked first, as stage locks it.
 */
static void
removegone(const struct tree *t)
{
	struct strvec names = {0}, keep = {0};
	DIR *dir;
	struct dirent *de;
	size_t i, k, n;
	char *name, *p;

	if (!(dir = opendir(".imagegen/stage")))
		return;
	/* the names of the manifests of no image of the tree */
	while ((de = readdir(dir))) {
		n = strlen(de->d_name);
		if (n > 5 && strcmp(de->d_name + n - 5, ".list") == 0 && de->d_name[0] != '.') {
			name = xstrndup(de->d_name, n - 5);
			if (!treefind(t, name) && imagenameok(name))
				strvectake(&names, name);
			else
				free(name);
		}
	}
	closedir(dir);
	if (names.n > 0) {
		for (i = 0; i < t->n; i++) {
			for (k = 0; k < LEN(imagefiles); k++)
				strvectake(&keep, imagefile(t->node[i].img->name, k));
		}
		strvecuniq(&keep);
	}
	for (i = 0; i < names.n; i++) {
		name = names.v[i];
		p = xasprintf("ctx/%s", name);
		if (!bdlock(p, true)) {
			error("cannot lock %s in .imagegen/lock:", p);
			free(p);
			continue;
		}
		free(p);
		for (k = 0; k < LEN(imagefiles); k++) {
			p = imagefile(name, k);
			if (!strvechas(&keep, p) && !rmtree(p))
				error("cannot remove %s, which image '%s' left behind:", p, name);
			free(p);
		}
	}
	delstrvec(&names);
	delstrvec(&keep);
}

static int
generate(struct tree *t, const struct opts *o)
{
	struct buf b = {0};
	struct strvec manifests = {0}, hookins = {0};
	struct wstream *ws = NULL;
	size_t i, j;
	int rc = 0;

	if (!buildfile(t, o, &manifests, &hookins, &ws)) {
		rc = 1;
		goto out;
	}
	/*
	 * the arguments (an input of the regeneration edge) first, then its
	 * outputs: the manifests and the generated file last, so that none is
	 * older than an input and a fresh one is clean
	 */
	optsrecord(o, &b);
	rc |= writeout(ARGSFILE, &b);
	rc |= writemanifests(t, &manifests, &b);
	for (i = 0, j = 0; i < t->nsvc; i++) {
		if (t->svc[i].pre) {
			b.len = 0;
			hookinputs(&t->svc[i], &b);
			rc |= writeout(hookins.v[j++], &b);
		}
		/* created once, empty; imagegen rehook gives it a new time */
		if (t->svc[i].pre || t->svc[i].post)
			rc |= forcefile(hookins.v[j++]);
	}
	if (rc == 0) {
		if (wstreamclose(ws, true) < 0) {
			error("cannot write %s:", o->output);
			rc = 1;
		}
		ws = NULL;
	}
	if (rc == 0)
		removegone(t);
out:
	if (ws)
		wstreamclose(ws, false);
	delbuf(&b);
	delstrvec(&manifests);
	delstrvec(&hookins);
	return rc;
}

/* one line saying what the roots hold and how they are read */
static void
summary(const struct tree *t)
{
	size_t i, nsvc = 0, nhook = 0;

	if (t->layout != LAYOUT_PAIBUILD) {
		printf("%s: %zu image%s\n", layoutname(t->layout), t->n, t->n == 1 ? "" : "s");
		return;
	}
	for (i = 0; i < t->nsvc; i++) {
		nsvc += t->svc[i].images.n > 0;
		nhook += t->svc[i].pre || t->svc[i].post;
	}
	printf("%s (", layoutname(t->layout));
	if (strcmp(t->painame, "none") == 0)
		fputs("every *.dockerfile, as pai_build before 1.0", stdout);
	else if (strcmp(t->painame, "all") == 0)
		fputs("every *.dockerfile, type dropped", stdout);
	else
		printf("type %s: *.common.dockerfile and *.%s.dockerfile, as pai_build 1.x", t->painame, t->painame);
	printf("): %zu image%s in %zu service%s, %zu service%s with hooks", t->n, t->n == 1 ? "" : "s", nsvc,
	    nsvc == 1 ? "" : "s", nhook, nhook == 1 ? "" : "s");
	if (t->skipped.n)
		printf(", %zu Dockerfile%s left out (imagegen list --all)", t->skipped.n, t->skipped.n == 1 ? "" : "s");
	putchar('\n');
}

/* what generate checks beyond the tree, for imagegen check (which needs no rules.ninja) */
static bool
checksources(struct tree *t, const struct opts *o)
{
	struct plan p = {0};
	struct strvec configs = {0}, regen = {0}, manifests = {0};
	char *rules = pathjoin(o->templates, "rules.ninja");
	size_t i;
	bool ok = sources(t, o, rules, &configs, &regen, NULL);

	if (ok && o->make) {
		for (i = 0; i < t->n; i++)
			strvectake(&manifests, xasprintf(".imagegen/stage/%s.list", t->node[i].img->name));
		graphplan(t, o, &configs, &regen, &manifests, &p);
		ok = makecheck(&p, &t->d);
	}
	delplan(&p);
	delstrvec(&configs);
	delstrvec(&regen);
	delstrvec(&manifests);
	free(rules);
	return ok;
}

/*
 * the configuration loads (with its model) and every template of the tree
 * renders with it, as the config and render edges will: what fails there
 * fails here, with file:line:col, before any engine runs; and {{ }}
 * printing an undefined value, which renders as nothing, is a warning
 * (-Wundefined)
 */
static void
checktemplates(struct tree *t, const struct opts *o)
{
	struct tenv *env = mktenv();
	struct buf src = {0};
	enum tmodel model = TMODEL_AUTO;
	const struct centry *e;
	bool cfgok = true;
	int nwarn = 0;
	size_t i, j;

	if (o->configmodel)
		tmodelbyname(o->configmodel, &model);
	if (o->config)
		cfgok = tenvload(env, o->config, model, &t->d);
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->node[i].nent; j++) {
			e = &t->node[i].ent[j];
			if (e->kind != 'R')
				continue;
			src.len = 0;
			if (!readfile(e->src, &src)) {
				errorat(&t->d, e->src, 0, 0, "cannot read the template: %s", strerror(errno));
				continue;
			}
			/* without the configuration a template can still be parsed */
			if (cfgok ? !tmplrendercheck(env, e->src, src.data ? src.data : "", src.len,
			    t->nowarn & W_UNDEFINED ? NULL : &nwarn) : !tmplcheck(e->src, src.data ? src.data : "", src.len))
				t->d.nerr++;
		}
	}
	t->d.nwarn += nwarn;
	delbuf(&src);
	deltenv(env);
}

/*
 * with --backend=make, the stamp of the regeneration edge (make.c) says
 * that generate ran with the inputs as they were at t0, when it started:
 * its time is t0 less 10 ms, so that an input changed while generate ran
 * is newer whatever the granularity of the file system's clock (an input
 * changed just before is then read again once, to no effect), or the
 * time of .imagegen/generate.args, the input generate writes itself
 */
static int
regenstamp(const struct opts *o, struct timespec t0)
{
	char *stamp = makeregenstamp(o->output);
	struct timespec ts[2];
	struct stat st;
	int fd, rc = 0;

	if (t0.tv_nsec >= 10 * 1000 * 1000) {
		t0.tv_nsec -= 10 * 1000 * 1000;
	} else {
		t0.tv_sec--;
		t0.tv_nsec += 990 * 1000 * 1000;
	}
	if (stat(ARGSFILE, &st) == 0 && (st.st_mtim.tv_sec > t0.tv_sec ||
	    (st.st_mtim.tv_sec == t0.tv_sec && st.st_mtim.tv_nsec > t0.tv_nsec)))
		t0 = st.st_mtim;
	ts[0] = ts[1] = t0;
	if (!mkdirparent(stamp) || (fd = openwrite(stamp, O_CREAT | O_TRUNC, 0666)) < 0) {
		error("cannot write %s:", stamp);
		rc = 1;
	} else {
		if (futimens(fd, ts) != 0) {
			error("cannot set the time of %s:", stamp);
			rc = 1;
		}
		close(fd);
	}
	free(stamp);
	return rc;
}

/* which images have an error of their own, after the errors themselves */
static void
brokensummary(const struct tree *t)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->node[i].imgerr.n)
			bufprintf(&b, "%s%s", b.len ? ", " : "", t->node[i].img->name);
	}
	bufterm(&b);
	error("%zu image%s cannot be built until the error%s above %s fixed: %s; the other images can be (ninja -k 0 builds them)",
	    t->nbroken, t->nbroken == 1 ? "" : "s", t->nimgerr == 1 ? "" : "s", t->nimgerr == 1 ? "is" : "are", b.data);
	delbuf(&b);
}

int
cmd_tree(int argc, char **argv)
{
	struct opts o = {0};
	struct tree t = {0};
	struct timespec t0;
	int rc;
	const char *cmd = argv[0];

	rc = optsparse(&o, argc, argv);
	if (rc) {
		delopts(&o);
		return rc < 0 ? 0 : rc;
	}
	t.registry = o.registry;
	t.namespace = o.namespace;
	t.layout = !o.layout ? LAYOUT_AUTO : strcmp(o.layout, "pai-build") == 0 ? LAYOUT_PAIBUILD : LAYOUT_IMAGEYAML;
	t.paitype = o.paitype;
	t.nowarn = o.nowarn;
	clock_gettime(CLOCK_REALTIME, &t0);
	treeload(&t, &o.images);
	if (strcmp(cmd, "generate") == 0 || strcmp(cmd, "check") == 0)
		checktemplates(&t, &o);
	if (t.d.nerr)
		rc = 1;
	else if (strcmp(cmd, "generate") == 0 || strcmp(cmd, "reconfigure") == 0)
		rc = generate(&t, &o);
	else if (strcmp(cmd, "list") == 0)
		reportlist(&t, &o);
	else if (strcmp(cmd, "graph") == 0)
		reportgraph(&t, &o);
	else if (strcmp(cmd, "status") == 0)
		rc = reportstatus(&t, &o);
	else if (!checksources(&t, &o))
		rc = 1;
	if (rc == 0 && o.make && strcmp(cmd, "generate") == 0)
		rc = regenstamp(&o, t0);
	if (rc == 0 && o.summary)
		summary(&t);
	if (t.nbroken && !t.d.nerr)
		brokensummary(&t);
	/* check fails on an image that cannot be built; generate builds the others */
	if (t.nbroken && rc == 0 && strcmp(cmd, "check") == 0)
		rc = 1;
	if (t.d.nerr)
		error("%d error%s", t.d.nerr + t.nimgerr, t.d.nerr + t.nimgerr == 1 ? "" : "s");
	deltree(&t);
	delopts(&o);
	return rc;
}
