/*
 * imagegen list, graph and status: what the loaded tree says (names,
 * contexts, prerequisites), as text or JSON, and what the build
 * directory says about each image (up to date, stale, never built,
 * failed).
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "engine.h"
#include "image.h"
#include "opts.h"
#include "report.h"
#include "stage.h"
#include "tmpl.h"
#include "tree.h"
#include "util.h"
#include "walk.h"

void
jsonstr(struct buf *b, const char *s)
{
	bufjsonstr(b, s, strlen(s), 0);
}

bool
usecolor(FILE *f)
{
	const char *v = getenv("NO_COLOR"), *term = getenv("TERM");

	if (v && *v)
		return false;
	v = getenv("CLICOLOR_FORCE");
	if (v && *v && strcmp(v, "0") != 0)
		return true;
	return isatty(fileno(f)) && term && *term && strcmp(term, "dumb") != 0;
}

/* a string, or null */
static void
jsonornull(struct buf *b, const char *s)
{
	if (s)
		jsonstr(b, s);
	else
		bufadds(b, "null");
}

/* "KEY": {"k": "v", ...} */
static void
jsonkv(struct buf *b, const char *key, const struct ykv *kv, size_t n)
{
	size_t i;

	bufprintf(b, ",\n      \"%s\": {", key);
	for (i = 0; i < n; i++) {
		bufadds(b, i ? ", " : "");
		jsonstr(b, kv[i].key.s);
		bufadds(b, ": ");
		jsonstr(b, kv[i].val.s);
	}
	bufaddc(b, '}');
}

/* "KEY": ["a", "b"] */
static void
jsonlist(struct buf *b, const char *key, const struct strvec *l)
{
	size_t i;

	bufprintf(b, ",\n      \"%s\": [", key);
	for (i = 0; i < l->n; i++) {
		bufadds(b, i ? ", " : "");
		jsonstr(b, l->v[i]);
	}
	bufaddc(b, ']');
}

/* the first line of path, normalised as an image ID or digest; NULL when absent or malformed */
static char *
readid(const char *path)
{
	struct buf b = {0};
	char *s = NULL;

	if (readfile(path, &b))
		s = imageidnorm(b.data ? b.data : "", b.len);
	delbuf(&b);
	return s;
}

/* every name of the image: its bare name, then what the tag edge gives it */
static void
allnames(const struct opts *o, const struct image *img, struct strvec *names)
{
	strvecadd(names, img->name);
	optsnames(o, img, names);
}

static void
listjson(const struct tree *t, const struct opts *o)
{
	struct buf b = {0};
	struct strvec l = {0};
	const struct node *nd;
	const struct centry *e;
	char *p, *s;
	size_t i, j;

	bufadds(&b, "{\n  \"registry\": ");
	jsonornull(&b, o->registry && *o->registry ? o->registry : NULL);
	bufadds(&b, ",\n  \"namespace\": ");
	jsonornull(&b, o->namespace && *o->namespace ? o->namespace : NULL);
	bufadds(&b, ",\n  \"tag\": ");
	jsonstr(&b, o->tag);
	bufadds(&b, ",\n  \"images\": [");
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		bufadds(&b, i ? ",\n    {\n      \"name\": " : "\n    {\n      \"name\": ");
		jsonstr(&b, nd->img->name);
		bufadds(&b, ",\n      \"dir\": ");
		jsonstr(&b, nd->img->dir);
		bufadds(&b, ",\n      \"dockerfile\": ");
		jsonstr(&b, nd->dockerfile);
		p = xasprintf("ctx/%s", nd->img->name);
		bufadds(&b, ",\n      \"context\": ");
		jsonstr(&b, p);
		free(p);
		bufadds(&b, ",\n      \"files\": [");
		for (j = 0; j < nd->nent; j++) {
			e = &nd->ent[j];
			bufadds(&b, j ? ",\n        {\"path\": " : "\n        {\"path\": ");
			jsonstr(&b, e->dst);
			bufprintf(&b, ", \"kind\": \"%s\", \"source\": ",
			    e->kind == 'F' ? "file" : e->kind == 'D' ? "directory" : "rendered");
			if (e->kind == 'R') {
				s = xasprintf("%s/%s.template", nd->img->dir, e->dst);
				jsonstr(&b, s);
				free(s);
			} else {
				jsonstr(&b, e->src);
			}
			bufaddc(&b, '}');
		}
		bufadds(&b, nd->nent ? "\n      ]" : "]");
		jsonlist(&b, "prerequisites", &nd->deps);
		jsonkv(&b, "build_args", nd->img->buildarg, nd->img->nbuildarg);
		jsonkv(&b, "labels", nd->img->label, nd->img->nlabel);
		bufadds(&b, ",\n      \"target\": ");
		jsonornull(&b, nd->img->target.s);
		allnames(o, nd->img, &l);
		jsonlist(&b, "names", &l);
		delstrvec(&l);
		p = xasprintf("img/%s.digest", nd->img->name);
		s = readid(p);
		free(p);
		bufadds(&b, ",\n      \"digest\": ");
		jsonornull(&b, s);
		free(s);
		p = xasprintf("img/%s.iid", nd->img->name);
		s = readid(p);
		free(p);
		bufadds(&b, ",\n      \"image_id\": ");
		jsonornull(&b, s);
		free(s);
		bufadds(&b, "\n    }");
	}
	bufadds(&b, t->n ? "\n  ]\n}\n" : "]\n}\n");
	fwrite(b.data, 1, b.len, stdout);
	delbuf(&b);
}

void
reportlist(const struct tree *t, const struct opts *o)
{
	size_t i, j;
	const struct node *nd;

	if (o->json) {
		listjson(t, o);
		return;
	}
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		fputs(nd->img->name, stdout);
		for (j = 0; j < nd->deps.n; j++)
			printf("%s %s", j ? "" : ":", nd->deps.v[j]);
		putchar('\n');
	}
	/* the pai-build layout's Dockerfiles left out, with the reason */
	for (i = 0; o->all && i < t->skipped.n; i++)
		printf("# left out: %s\n", t->skipped.v[i]);
}

void
reportgraph(const struct tree *t, const struct opts *o)
{
	struct buf b = {0};
	size_t i, j, k = 0;
	const struct node *nd;

	if (o->json) {
		bufadds(&b, "{\n  \"nodes\": [");
		for (i = 0; i < t->n; i++) {
			bufadds(&b, i ? ", " : "");
			jsonstr(&b, t->node[t->order[i]].img->name);
		}
		bufadds(&b, "],\n  \"edges\": [");
		for (i = 0; i < t->n; i++) {
			nd = &t->node[t->order[i]];
			for (j = 0; j < nd->deps.n; j++) {
				bufadds(&b, k++ ? ",\n    {\"from\": " : "\n    {\"from\": ");
				jsonstr(&b, nd->deps.v[j]);
				bufadds(&b, ", \"to\": ");
				jsonstr(&b, nd->img->name);
				bufaddc(&b, '}');
			}
		}
		bufadds(&b, k ? "\n  ]\n}\n" : "]\n}\n");
		fwrite(b.data, 1, b.len, stdout);
		delbuf(&b);
		return;
	}
	puts("digraph images {");
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		printf("\t\"%s\";\n", nd->img->name);
	}
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		for (j = 0; j < nd->deps.n; j++)
			printf("\t\"%s\" -> \"%s\";\n", nd->deps.v[j], nd->img->name);
	}
	puts("}");
}

/* --- status ------------------------------------------------------------------ */

enum state { UPTODATE, STALE, NEVER, FAILED };

struct imgstatus {
	enum state st;
	char *why;    /* what is stale or failed, owned */
	char *digest; /* the input digest of the context as it is (or recorded), owned; NULL if unknown */
};

/* sends stderr to /dev/null; returns what loud needs to bring it back */
static int
quiet(void)
{
	int saved, null;

	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, 2);
	if (null >= 0)
		close(null);
	return saved;
}

static void
loud(int saved)
{
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
}

/* true when the staged copy dst holds what src holds (content, mode, link target) */
static bool
samefile(const char *src, const char *dst)
{
	struct stat a, b;
	struct buf x = {0}, y = {0};
	char la[4096], lb[4096];
	ssize_t na, nb;
	bool same;

	if (lstat(src, &a) != 0 || lstat(dst, &b) != 0)
		return false;
	if (S_ISLNK(a.st_mode)) {
		if (!S_ISLNK(b.st_mode))
			return false;
		na = readlink(src, la, sizeof(la));
		nb = readlink(dst, lb, sizeof(lb));
		return na >= 0 && na == nb && memcmp(la, lb, (size_t)na) == 0;
	}
	if (S_ISDIR(a.st_mode))
		return S_ISDIR(b.st_mode);
	if (!S_ISREG(b.st_mode) || a.st_size != b.st_size || (a.st_mode & 07777) != (b.st_mode & 07777))
		return false;
	same = readfile(src, &x) && readfile(dst, &y) && x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
	delbuf(&x);
	delbuf(&y);
	return same;
}

/* the first path that the stamp ctx/X.staged and the context entries do not share, as a reason; NULL when they match */
static char *
stagedset(const struct node *nd)
{
	struct buf b = {0};
	struct strvec want = {0}, have = {0};
	char *path = xasprintf("ctx/%s.staged", nd->img->name), *why = NULL;
	const char *p, *nl, *tab;
	size_t i, j;

	if (!readfile(path, &b)) {
		why = xasprintf("%s is missing", path);
		goto out;
	}
	bufterm(&b);
	if (!(p = stampbody(b.data))) {
		why = xasprintf("%s was written by another imagegen", path);
		goto out;
	}
	for (; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		tab = strchr(p, '\t');
		if (!nl || !tab || tab > nl)
			break;
		strvectake(&have, xstrndup(p, (size_t)(tab - p)));
	}
	for (i = 0; i < nd->nent; i++)
		strvecadd(&want, nd->ent[i].dst);
	strvecuniq(&want);
	strvecuniq(&have);
	/* both sorted: the first path in one list and not in the other */
	for (i = j = 0; !why && (i < want.n || j < have.n); i++, j++) {
		int c = i == want.n ? 1 : j == have.n ? -1 : strcmp(want.v[i], have.v[j]);

		if (c < 0)
			why = xasprintf("%s is new in the context", want.v[i]);
		else if (c > 0)
			why = xasprintf("%s left the context", have.v[j]);
	}
out:
	free(path);
	delbuf(&b);
	delstrvec(&want);
	delstrvec(&have);
	return why;
}

/* renders the template of R entry dst and compares it with the staged copy; a reason, or NULL */
static char *
rendered(const struct node *nd, const struct centry *e, struct tenv *env)
{
	struct buf src = {0}, out = {0}, have = {0};
	char *tpath = xasprintf("%s/%s.template", nd->img->dir, e->dst);
	char *dst = xasprintf("ctx/%s/%s", nd->img->name, e->dst);
	char *why = NULL;
	int saved;

	if (!readfile(tpath, &src)) {
		why = xasprintf("%s cannot be read", tpath);
		goto out;
	}
	bufterm(&src);
	/* a template that does not render is reported by ninja; keep status quiet about the details */
	saved = quiet();
	if (!tmplrender(env, tpath, src.data, src.len, &out))
		why = xasprintf("%s does not render (ninja shows why)", tpath);
	loud(saved);
	if (why)
		goto out;
	if (!readfile(dst, &have) || have.len != out.len || (out.len && memcmp(have.data, out.data, out.len) != 0))
		why = xasprintf("%s changed", tpath);
out:
	delbuf(&src);
	delbuf(&out);
	delbuf(&have);
	free(tpath);
	free(dst);
	return why;
}

/* the digest of the staged context as it is, with the settings of the tree; NULL if it cannot be computed */
static char *
ctxdigest(const struct node *nd, const struct imgstatus *all, const struct tree *t)
{
	struct digestin in = {0};
	struct diag d = {0};
	char out[DIGESTLEN], *ctx = xasprintf("ctx/%s", nd->img->name), *res = NULL;
	const char **args = xcalloc(nd->img->nbuildarg + 1, sizeof(*args));
	const char **labels = xcalloc(nd->img->nlabel + 1, sizeof(*labels));
	const char **deps = xcalloc(nd->deps.n + 1, sizeof(*deps));
	const struct node *dep;
	size_t i;
	bool ok = true;

	for (i = 0; i < nd->img->nbuildarg; i++)
		args[i] = xasprintf("%s=%s", nd->img->buildarg[i].key.s, nd->img->buildarg[i].val.s);
	for (i = 0; i < nd->img->nlabel; i++)
		labels[i] = xasprintf("%s=%s", nd->img->label[i].key.s, nd->img->label[i].val.s);
	for (i = 0; i < nd->deps.n; i++) {
		dep = treefind(t, nd->deps.v[i]);
		deps[i] = dep ? all[dep - t->node].digest : NULL;
		if (!deps[i])
			ok = false;
	}
	in.ctxdir = ctx;
	in.file = nd->dockerfile;
	in.target = nd->img->target.s;
	in.args = args;
	in.nargs = nd->img->nbuildarg;
	in.labels = labels;
	in.nlabels = nd->img->nlabel;
	in.deps = deps;
	in.ndeps = nd->deps.n;
	if (ok) {
		/* an unreadable context is reported as stale, not as an error */
		int saved = quiet();

		if (inputdigest(&in, out, &d))
			res = xstrdup(out);
		loud(saved);
	}
	for (i = 0; i < nd->img->nbuildarg; i++)
		free((char *)args[i]);
	for (i = 0; i < nd->img->nlabel; i++)
		free((char *)labels[i]);
	free(args);
	free(labels);
	free(deps);
	free(ctx);
	return res;
}

/* the record the build wrote beside the image ID (img/X.built), "" when absent; owned */
static char *
builtrecord(const char *name)
{
	struct buf b = {0};
	char *path = xasprintf("img/%s.built", name);

	if (!readfile(path, &b))
		b.len = 0;
	bufterm(&b);
	free(path);
	return b.data;
}

/* the value of the first line "key value" of rec, owned; NULL if none */
static char *
recfield(const char *rec, const char *key, size_t nth)
{
	size_t n = strlen(key);
	const char *p, *e;

	for (p = rec; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, n) == 0 && p[n] == ' ' && nth-- == 0) {
			e = strchr(p, '\n');
			return xstrndup(p + n + 1, e ? (size_t)(e - p - n - 1) : strlen(p + n + 1));
		}
	}
	return NULL;
}

static void
imagestatus(const struct tree *t, const struct node *nd, struct imgstatus *all, struct tenv *env)
{
	struct imgstatus *s = &all[nd - t->node];
	const struct node *dep;
	struct buf fb = {0};
	char *iidpath = xasprintf("img/%s.iid", nd->img->name), *failpath = xasprintf("img/%s.failed", nd->img->name);
	char *iid = readid(iidpath), *rec = NULL, *v, *dst, *p;
	size_t i;

	s->st = UPTODATE;
	/* the context as staged: the set of paths, each file, each rendered file */
	s->why = stagedset(nd);
	for (i = 0; i < nd->nent && !s->why; i++) {
		const struct centry *e = &nd->ent[i];

		if (e->kind == 'R') {
			s->why = rendered(nd, e, env);
		} else if (e->kind == 'F') {
			dst = xasprintf("ctx/%s/%s", nd->img->name, e->dst);
			if (!samefile(e->src, dst))
				s->why = xasprintf("%s changed", e->src);
			free(dst);
		}
	}
	if (!s->why)
		s->digest = ctxdigest(nd, all, t);
	if (!s->digest) {
		p = xasprintf("img/%s.digest", nd->img->name);
		s->digest = readid(p);
		free(p);
	}
	if (access(failpath, F_OK) == 0) {
		s->st = FAILED;
		free(s->why);
		if (readfile(failpath, &fb) && fb.len) {
			bufterm(&fb);
			fb.data[strcspn(fb.data, "\n")] = '\0';
			s->why = xasprintf("%s, see log/%s.log", fb.data, nd->img->name);
		} else {
			s->why = xasprintf("see log/%s.log", nd->img->name);
		}
		goto out;
	}
	if (!iid) {
		s->st = NEVER;
		free(s->why);
		s->why = NULL;
		goto out;
	}
	if (s->why) {
		s->st = STALE;
		goto out;
	}
	/* what the image was built from, against the context and prerequisites as they are */
	rec = builtrecord(nd->img->name);
	v = recfield(rec, "id", 0);
	if (v && strcmp(v, iid) != 0)
		s->why = xasprintf("img/%s.iid does not hold the image the last build made", nd->img->name);
	free(v);
	v = recfield(rec, "digest", 0);
	if (!s->why && s->digest && (!v || strcmp(v, s->digest) != 0))
		s->why = xstrdup(v ? "the input digest changed (build settings in image.yaml or a prerequisite)" : "no record of what it was built from");
	free(v);
	for (i = 0; i < nd->deps.n && !s->why; i++) {
		dep = treefind(t, nd->deps.v[i]);
		if (dep && all[dep - t->node].st != UPTODATE) {
			s->why = xasprintf("its prerequisite %s is not up to date", nd->deps.v[i]);
			break;
		}
		p = xasprintf("img/%s.iid", nd->deps.v[i]);
		v = readid(p);
		free(p);
		dst = recfield(rec, "dep", i);
		if (v && dst && strcmp(v, dst) != 0)
			s->why = xasprintf("its prerequisite %s was rebuilt", nd->deps.v[i]);
		free(v);
		free(dst);
	}
	if (s->why)
		s->st = STALE;
out:
	delbuf(&fb);
	free(rec);
	free(iid);
	free(iidpath);
	free(failpath);
}

/* the names the tag edge gave, as img/X.tags records them, against those wanted: a note, or NULL */
static char *
tagnote(const struct opts *o, const struct node *nd)
{
	struct strvec want = {0};
	struct buf b = {0};
	char *path = xasprintf("img/%s.tags", nd->img->name), *note = NULL;
	size_t i;

	optsnames(o, nd->img, &want);
	if (want.n && readfile(path, &b)) {
		bufterm(&b);
		for (i = 0; i < want.n && !note; i++) {
			char *needle = xasprintf(" %s\n", want.v[i]);

			if (!strstr(b.data, needle))
				note = xasprintf("to tag %s: ninja tags it, no build", want.v[i]);
			free(needle);
		}
	} else if (want.n) {
		note = xstrdup("not tagged yet: ninja tags it, no build");
	}
	delbuf(&b);
	free(path);
	delstrvec(&want);
	return note;
}

int
reportstatus(const struct tree *t, const struct opts *o)
{
	static const char *const word[] = {"up to date", "stale", "never built", "FAILED"};
	static const char *const colour[] = {"\033[32m", "\033[33m", "\033[33m", "\033[31m"};
	struct imgstatus *all = xcalloc(t->n + 1, sizeof(*all));
	struct tenv *env = mktenv();
	struct strvec names = {0};
	const struct node *nd;
	const struct imgstatus *s;
	size_t i, j, width = 4, count[4] = {0};
	bool colours = usecolor(stdout);
	char *note;

	if (o->config && !tenvloadconfig(env, o->config)) {
		deltenv(env);
		free(all);
		return 1;
	}
	for (i = 0; i < t->n; i++) {
		if (strlen(t->node[i].img->name) > width)
			width = strlen(t->node[i].img->name);
	}
	for (i = 0; i < t->n; i++) {
		nd = &t->node[t->order[i]];
		imagestatus(t, nd, all, env);
		s = &all[nd - t->node];
		count[s->st]++;
		printf("%-*s  %s%-11s%s  %.19s", (int)width, nd->img->name, colours ? colour[s->st] : "", word[s->st],
		    colours ? "\033[0m" : "", s->digest ? s->digest : "(no digest yet)");
		allnames(o, nd->img, &names);
		for (j = 0; j < names.n; j++)
			printf("%s%s", j ? ", " : "  ", names.v[j]);
		delstrvec(&names);
		if (s->why)
			printf("  (%s)", s->why);
		else if (s->st == UPTODATE && (note = tagnote(o, nd))) {
			printf("  (%s)", note);
			free(note);
		}
		putchar('\n');
	}
	printf("%zu image%s: %zu up to date, %zu stale, %zu never built, %zu failed\n", t->n, t->n == 1 ? "" : "s",
	    count[UPTODATE], count[STALE], count[NEVER], count[FAILED]);
	for (i = 0; i < t->n; i++) {
		free(all[i].why);
		free(all[i].digest);
	}
	free(all);
	deltenv(env);
	fflush(stdout);
	return count[UPTODATE] == t->n ? 0 : 1;
}
