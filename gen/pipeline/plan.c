/*
 * the build graph both writers serialize: edges, comments and defaults in
 * order, after the rule prelude
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "util.h"
#include "walk.h"

void
edgevar(struct edge *e, const char *name, const char *val)
{
	size_t i;

	for (i = 0; i + 1 < e->var.n; i += 2) {
		if (strcmp(e->var.v[i], name) == 0) {
			free(e->var.v[i + 1]);
			e->var.v[i + 1] = xstrdup(val);
			return;
		}
	}
	strvecadd(&e->var, name);
	strvecadd(&e->var, val);
}

void
deledge(struct edge *e)
{
	delstrvec(&e->out);
	delstrvec(&e->implicitout);
	delstrvec(&e->writes);
	delstrvec(&e->in);
	delstrvec(&e->implicit);
	delstrvec(&e->orderonly);
	delstrvec(&e->var);
	e->rule = NULL;
}

static struct planitem *
additem(struct plan *p, enum planitemkind kind)
{
	struct planitem *it;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->item = xreallocarray(p->item, p->cap, sizeof(p->item[0]));
	}
	it = &p->item[p->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	return it;
}

static void
delitem(struct planitem *it)
{
	deledge(&it->edge);
	free(it->text);
	delstrvec(&it->names);
}

/* the item just added goes to the sink, if there is one */
static void
added(struct plan *p)
{
	if (!p->sink)
		return;
	p->sink(p->sinkarg, &p->item[p->n - 1]);
	delitem(&p->item[--p->n]);
}

void
planedge(struct plan *p, struct edge *e)
{
	struct planitem *it = additem(p, PLANEDGE);

	it->edge = *e;
	memset(e, 0, sizeof(*e));
	added(p);
}

void
plancomment(struct plan *p, const char *text)
{
	additem(p, PLANCOMMENT)->text = xstrdup(text);
	added(p);
}

void
planblank(struct plan *p)
{
	additem(p, PLANBLANK);
	added(p);
}

void
plandefault(struct plan *p, const char *name)
{
	strvecadd(&additem(p, PLANDEFAULT)->names, name);
	added(p);
}

const struct rule *
planrule(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nrule; i++) {
		if (strcmp(p->rule[i].name, name) == 0)
			return &p->rule[i];
	}
	return NULL;
}

const struct pool *
planpool(const struct plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->npool; i++) {
		if (strcmp(p->pool[i].name, name) == 0)
			return &p->pool[i];
	}
	return NULL;
}

void
delplan(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nrule; i++) {
		free(p->rule[i].name);
		delstrvec(&p->rule[i].var);
		free(p->rule[i].pool);
	}
	free(p->rule);
	for (i = 0; i < p->npool; i++)
		free(p->pool[i].name);
	free(p->pool);
	delstrvec(&p->var);
	for (i = 0; i < p->n; i++)
		delitem(&p->item[i]);
	free(p->item);
	delbuf(&p->prelude);
	memset(p, 0, sizeof(*p));
}
