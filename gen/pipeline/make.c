/*
 * the make writer: a plan (plan.h) as a GNU Makefile.
 *
 * make keeps no log, so what ninja records in .ninja_log lives in files:
 * every edge is a rule whose target is a stamp,
 * .imagegen/ran/<last output>.<16 hex of the command's SHA-256>, created
 * when the command starts and renamed into place when it succeeds. The
 * outputs depend on the stamp with an empty recipe, so make reads their
 * times again after the step: an output the step left as it was does not
 * make the steps after it run (ninja's restat). A changed command is a
 * stamp of another name, missing, so the step runs again (ninja's command
 * hash). Phony edges become .PHONY targets; every source gets an empty
 * rule, so that a deleted one makes its dependents run instead of
 * stopping make (ninja's phony edges without inputs) and no source is
 * looked up among make's implicit rules.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "escape.h"
#include "make.h"
#include "ninja.h"
#include "plan.h"
#include "util.h"
#include "walk.h"

enum { WIDTH = 78 };

/* a phony edge with inputs: the name make must not take for a file */
struct alias {
	const char *name;
	const struct edge *e;
};

struct writer {
	const struct plan *p;
	struct buf *b;
	struct alias *alias;
	size_t nalias;
	struct strvec targets; /* every output and phony name, sorted */
	const char *imagegen;
	size_t col;
};

static int
aliascmp(const void *a, const void *b)
{
	return strcmp(((const struct alias *)a)->name, ((const struct alias *)b)->name);
}

static const struct edge *
aliasfind(const struct writer *w, const char *name)
{
	struct alias key = {name, NULL}, *a;

	if (!w->nalias)
		return NULL;
	a = bsearch(&key, w->alias, w->nalias, sizeof(key), aliascmp);
	return a ? a->e : NULL;
}

static bool
isphony(const struct edge *e)
{
	return strcmp(e->rule, "phony") == 0;
}

/* a word of a rule line, wrapped with a backslash-newline past WIDTH */
static void
word(struct writer *w, const char *s, size_t n)
{
	if (w->col + 1 + n > WIDTH - 2 && w->col > 2) {
		bufadds(w->b, " \\\n  ");
		w->col = 2;
	} else if (w->col) {
		bufaddc(w->b, ' ');
		w->col++;
	}
	bufadd(w->b, s, n);
	w->col += n;
}

static void
pathword(struct writer *w, const char *path, bool target)
{
	struct buf e = {0};

	if (target)
		escmaketarget(&e, path);
	else
		escmakeprereq(&e, path);
	word(w, e.data, e.len);
	delbuf(&e);
}

static void
endline(struct writer *w)
{
	bufaddc(w->b, '\n');
	w->col = 0;
}

/* the prerequisites a file edge names: a phony name stands for its inputs (make would run a .PHONY one every time) */
static void
resolve(const struct writer *w, const struct strvec *in, struct strvec *out, int depth)
{
	const struct edge *a;
	size_t i;

	for (i = 0; i < in->n; i++) {
		if (depth < 64 && (a = aliasfind(w, in->v[i]))) {
			resolve(w, &a->in, out, depth + 1);
			resolve(w, &a->implicit, out, depth + 1);
		} else {
			strvecadd(out, in->v[i]);
		}
	}
}

/* outputs that lie outside the build directory get stamps under _root/ and _up/ */
static char *
stampbase(const char *out)
{
	struct buf b = {0};
	const char *s = out, *e;

	bufadds(&b, MAKESTAMPDIR);
	if (*s == '/') {
		bufadds(&b, "/_root");
		while (*s == '/')
			s++;
	}
	while (*s) {
		e = strchr(s, '/');
		if (!e)
			e = s + strlen(s);
		bufaddc(&b, '/');
		if (e - s == 2 && s[0] == '.' && s[1] == '.')
			bufadds(&b, "_up");
		else
			bufadd(&b, s, (size_t)(e - s));
		s = *e ? e + 1 : e;
	}
	bufterm(&b);
	return b.data;
}

char *
makeregenstamp(const char *output)
{
	return stampbase(output);
}

/* a shell word for a recipe: escshell, then make's '$$' */
static void
recipeword(struct buf *b, const char *s)
{
	struct buf w = {0};

	escshell(&w, s);
	escmakerecipe(b, w.data);
	delbuf(&w);
}

/* the rule of one edge that runs a command: the stamp, its recipe, the outputs on the stamp */
static void
runedge(struct writer *w, const struct edge *e)
{
	const struct rule *r = planrule(w->p, e->rule);
	const struct pool *pool = r->pool ? planpool(w->p, r->pool) : NULL;
	struct strvec pre = {0}, oo = {0}, cmdword = {0};
	struct buf cmdline = {0};
	char *cmd = ninjaexpand(w->p, r, e, r->command), *desc, *base, *stamp;
	char hash[DIGESTLEN];
	size_t i;

	base = stampbase(e->out.v[e->out.n - 1]);
	if (r->generator) {
		/* the regeneration: its command never changes what it makes */
		stamp = xstrdup(base);
	} else {
		sha256hex(cmd, strlen(cmd), hash);
		stamp = xasprintf("%s.%.16s", base, hash + 7);
	}

	pathword(w, stamp, true);
	bufaddc(w->b, ':');
	w->col++;
	resolve(w, &e->in, &pre, 0);
	resolve(w, &e->implicit, &pre, 0);
	for (i = 0; i < pre.n; i++)
		pathword(w, pre.v[i], false);
	resolve(w, &e->orderonly, &oo, 0);
	if (oo.n) {
		word(w, "|", 1);
		for (i = 0; i < oo.n; i++)
			pathword(w, oo.v[i], false);
	}
	endline(w);

	desc = r->description ? ninjaexpand(w->p, r, e, r->description) : xstrdup(cmd);
	bufadds(w->b, "\t$(imagegen_Q)printf '%s\\n' ");
	recipeword(w->b, desc);
	bufadds(w->b, " && $(imagegen_begin) && \\\n\t");
	if (pool) {
		/* at most depth commands of the pool at once, by a lock every make and every job shares */
		strvecadd(&cmdword, w->imagegen);
		escshellwords(&cmdline, &cmdword);
		escmakerecipe(w->b, cmdline.data);
		cmdline.len = 0;
		bufprintf(w->b, " pool --lock=%s/%s.lock --depth=%ld ", MAKEPOOLDIR, pool->name, pool->depth);
		recipeword(w->b, cmd);
	} else {
		escmakerecipe(&cmdline, cmd);
		bufadd(w->b, cmdline.data, cmdline.len);
	}
	bufadds(w->b, r->generator ? " && \\\n\t$(imagegen_endgen)\n" : " && \\\n\t$(imagegen_end)\n");

	for (i = 0; i < e->out.n; i++)
		pathword(w, e->out.v[i], true);
	for (i = 0; i < e->implicitout.n; i++)
		pathword(w, e->implicitout.v[i], true);
	bufaddc(w->b, ':');
	w->col++;
	pathword(w, stamp, false);
	bufadds(w->b, " ;");
	endline(w);

	delstrvec(&pre);
	delstrvec(&oo);
	delstrvec(&cmdword);
	delbuf(&cmdline);
	free(cmd);
	free(desc);
	free(base);
	free(stamp);
}

static void
phonyedge(struct writer *w, const struct edge *e)
{
	size_t i;

	if (!e->in.n && !e->implicit.n && !e->orderonly.n) {
		/* a source: missing, it makes its dependents run */
		for (i = 0; i < e->out.n; i++)
			pathword(w, e->out.v[i], true);
		bufadds(w->b, ": ;");
		endline(w);
		return;
	}
	bufadds(w->b, ".PHONY:");
	w->col = 7;
	for (i = 0; i < e->out.n; i++)
		pathword(w, e->out.v[i], true);
	endline(w);
	for (i = 0; i < e->out.n; i++)
		pathword(w, e->out.v[i], true);
	bufaddc(w->b, ':');
	w->col++;
	for (i = 0; i < e->in.n; i++)
		pathword(w, e->in.v[i], false);
	for (i = 0; i < e->implicit.n; i++)
		pathword(w, e->implicit.v[i], false);
	if (e->orderonly.n) {
		word(w, "|", 1);
		for (i = 0; i < e->orderonly.n; i++)
			pathword(w, e->orderonly.v[i], false);
	}
	endline(w);
}

bool
makecheck(const struct plan *p, struct diag *d)
{
	struct strvec targets = {0}, bad = {0}, badsrc = {0};
	const struct strvec *lists[5];
	const struct strvec *report;
	const struct edge *e;
	size_t i, j, k;
	int nerr = d->nerr;

	for (i = 0; i < p->n; i++) {
		if (p->item[i].kind != PLANEDGE)
			continue;
		e = &p->item[i].edge;
		for (j = 0; j < e->out.n; j++)
			strvecadd(&targets, e->out.v[j]);
		for (j = 0; j < e->implicitout.n; j++)
			strvecadd(&targets, e->implicitout.v[j]);
	}
	strvecuniq(&targets);
	for (i = 0; i < p->n; i++) {
		if (p->item[i].kind == PLANDEFAULT) {
			for (j = 0; j < p->item[i].names.n; j++) {
				if (escmakebad(p->item[i].names.v[j]))
					strvecadd(&bad, p->item[i].names.v[j]);
			}
		}
		if (p->item[i].kind != PLANEDGE)
			continue;
		e = &p->item[i].edge;
		lists[0] = &e->out;
		lists[1] = &e->implicitout;
		lists[2] = &e->in;
		lists[3] = &e->implicit;
		lists[4] = &e->orderonly;
		for (k = 0; k < LEN(lists); k++) {
			for (j = 0; j < lists[k]->n; j++) {
				if (!escmakebad(lists[k]->v[j]))
					continue;
				strvecadd(strvechas(&targets, lists[k]->v[j]) ? &bad : &badsrc, lists[k]->v[j]);
			}
		}
	}
	strvecuniq(&bad);
	strvecuniq(&badsrc);
	report = badsrc.n ? &badsrc : &bad;
	for (i = 0; i < report->n; i++)
		errorat(d, report->v[i], 0, 0, "%s", escmakebad(report->v[i]));
	delstrvec(&targets);
	delstrvec(&bad);
	delstrvec(&badsrc);
	return d->nerr == nerr;
}

bool
makewrite(const struct plan *p, const char *imagegen, struct buf *b, struct diag *d)
{
	struct writer w = {0};
	struct strvec sources = {0}, defaults = {0};
	const struct planitem *it;
	const struct edge *e;
	const struct strvec *lists[3];
	size_t i, j, k;

	if (!makecheck(p, d))
		return false;
	for (i = 0; i < p->n; i++) {
		e = &p->item[i].edge;
		if (p->item[i].kind == PLANEDGE && !isphony(e) && !planrule(p, e->rule)) {
			errorat(d, NULL, 0, 0, "an edge uses the rule %s, which the prelude does not define", e->rule);
			return false;
		}
	}
	w.p = p;
	w.b = b;
	w.imagegen = imagegen;
	for (i = 0; i < p->n; i++) {
		it = &p->item[i];
		if (it->kind == PLANDEFAULT) {
			for (j = 0; j < it->names.n; j++)
				strvecadd(&defaults, it->names.v[j]);
		}
		if (it->kind != PLANEDGE)
			continue;
		e = &it->edge;
		for (j = 0; j < e->out.n; j++)
			strvecadd(&w.targets, e->out.v[j]);
		for (j = 0; j < e->implicitout.n; j++)
			strvecadd(&w.targets, e->implicitout.v[j]);
		if (isphony(e) && (e->in.n || e->implicit.n || e->orderonly.n)) {
			for (j = 0; j < e->out.n; j++) {
				w.alias = xreallocarray(w.alias, w.nalias + 1, sizeof(w.alias[0]));
				w.alias[w.nalias].name = e->out.v[j];
				w.alias[w.nalias++].e = e;
			}
		}
	}
	strvecuniq(&w.targets);
	if (w.nalias)
		qsort(w.alias, w.nalias, sizeof(w.alias[0]), aliascmp);

	bufadds(b, "# generated by imagegen generate; edit the image tree, not this file\n"
	    "# GNU make 3.82 or later. 'make V=1' prints the commands.\n"
	    "#\n"
	    "# Each step is a rule for a stamp, .imagegen/ran/OUTPUT.HASH, where HASH\n"
	    "# comes from the step's command: a changed command runs the step again.\n"
	    "# The outputs depend on the stamp with an empty recipe, so make reads\n"
	    "# their times again after the step: an output the step left as it was\n"
	    "# does not make the next steps run.\n\n");
	if (defaults.n) {
		bufadds(b, "ifeq ($(.DEFAULT_GOAL),)\n.DEFAULT_GOAL :=");
		for (i = 0; i < defaults.n; i++) {
			bufaddc(b, ' ');
			escmaketarget(b, defaults.v[i]);
		}
		bufadds(b, "\nendif\n");
	}
	bufadds(b, MAKEEQ " := =\n"
	    "imagegen_Q := $(if $(filter 1,$(V)),,@)\n"
	    "# around each step's command: its stamp ($@, a shell word in s) made as\n"
	    "# it starts, moved into place when it succeeds; the stamps of its\n"
	    "# earlier commands (another HASH) removed\n"
	    "imagegen_begin = s='$(subst ','\\'',$@)' && { [ -d \"$${s%/*}\" ] || mkdir -p \"$${s%/*}\"; } && : >\"$$s.tmp\"\n"
	    "imagegen_end = mv -f \"$$s.tmp\" \"$$s\" && for f in \"$${s%.*}\".????????????????; do \\\n"
	    "\t[ ! -e \"$$f\" ] || [ \"$$f\" = \"$$s\" ] || rm -f \"$$f\"; done\n"
	    "imagegen_endgen = mv -f \"$$s.tmp\" \"$$s\"\n");

	for (i = 0; i < p->n; i++) {
		it = &p->item[i];
		switch (it->kind) {
		case PLANEDGE:
			if (isphony(&it->edge))
				phonyedge(&w, &it->edge);
			else
				runedge(&w, &it->edge);
			break;
		case PLANCOMMENT:
		case PLANBLANK:
			/* a Makefile's comments and blank lines are written as build.ninja's */
			ninjaitem(b, it);
			break;
		case PLANDEFAULT:
			break;
		}
	}

	/* the sources no phony edge names */
	for (i = 0; i < p->n; i++) {
		if (p->item[i].kind != PLANEDGE)
			continue;
		e = &p->item[i].edge;
		lists[0] = &e->in;
		lists[1] = &e->implicit;
		lists[2] = &e->orderonly;
		for (k = 0; k < LEN(lists); k++) {
			for (j = 0; j < lists[k]->n; j++) {
				if (!strvechas(&w.targets, lists[k]->v[j]))
					strvecadd(&sources, lists[k]->v[j]);
			}
		}
	}
	strvecuniq(&sources);
	if (sources.n) {
		bufadds(b, "\n# sources: a missing one makes its dependents run, as a changed one does\n");
		for (i = 0; i < sources.n; i++) {
			pathword(&w, sources.v[i], true);
			bufadds(b, ": ;");
			endline(&w);
		}
	}
	bufterm(b);
	delstrvec(&sources);
	delstrvec(&defaults);
	delstrvec(&w.targets);
	free(w.alias);
	return true;
}
