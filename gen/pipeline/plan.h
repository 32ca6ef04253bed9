#ifndef IMAGEGEN_PLAN_H
#define IMAGEGEN_PLAN_H

/*
 * the build graph generate describes, whatever file it becomes: the rule
 * prelude, then edges, comments and default targets in the order they
 * are written. The ninja writer (ninja.c) and the make writer (make.c)
 * serialize the same plan; an edge added here reaches both.
 */

#include <stdbool.h>

#include "util.h"
#include "walk.h"

/*
 * one edge: what the rule makes from what. Paths are plain (each writer
 * escapes them for its syntax); a variable's value is shell text, each
 * word already a shell word (escshell), without a newline.
 */
struct edge {
	const char *rule; /* a rule of the prelude, or "phony"; a string that outlives the plan */
	struct strvec out, implicitout, in, implicit, orderonly;
	struct strvec var; /* pairs: name, value */
	struct strvec writes; /* files it writes that the build file does not name (a stage edge's first copy): checked for clashes only */
};

enum planitemkind {
	PLANEDGE,
	PLANCOMMENT, /* a comment line per line of text */
	PLANBLANK,   /* an empty line */
	PLANDEFAULT, /* the targets built when none is named */
};

struct planitem {
	enum planitemkind kind;
	struct edge edge;     /* PLANEDGE */
	char *text;           /* PLANCOMMENT */
	struct strvec names; /* PLANDEFAULT */
};

/*
 * a rule of the prelude: how its edges run. Bindings keep ninja's syntax
 * ($in, $out, $name) and are expanded per edge (ninjaexpand).
 */
struct rule {
	char *name;
	struct strvec var; /* pairs: binding name, text as written */
	const char *command, *description; /* in var; description may be NULL */
	char *pool; /* NULL for none */
	bool restat, generator;
};

/* a pool: at most depth edges of its rules at once */
struct pool {
	char *name;
	long depth;
};

struct plan {
	/*
	 * the rules, pools and global variables, in ninja's syntax: the
	 * rendered templates/rules.ninja (values of its variables escaped
	 * with escshellninja)
	 */
	struct buf prelude;
	/* the prelude read back (ninjaprelude): values, rules, pools */
	struct strvec var; /* pairs: name, value (shell text) */
	struct rule *rule;
	size_t nrule;
	struct pool *pool;
	size_t npool;
	struct planitem *item;
	size_t n, cap;
	/*
	 * when set, each item goes to sink(sinkarg, item) as it is added and
	 * is freed, not kept: a writer that needs one pass in order (ninja)
	 * keeps no graph in memory
	 */
	void (*sink)(void *arg, const struct planitem *it);
	void *sinkarg;
};

/* set a variable of e to val (shell text); a value set twice keeps the last */
void edgevar(struct edge *e, const char *name, const char *val);
/* free the lists of e; e is empty after */
void deledge(struct edge *e);

/* add edge e to p; p takes its lists over and e is empty after */
void planedge(struct plan *p, struct edge *e);
/* a comment (text may hold several lines) */
void plancomment(struct plan *p, const char *text);
/* an empty line between groups of edges */
void planblank(struct plan *p);
/* name is built when no target is named (ninja's default, make's first goal) */
void plandefault(struct plan *p, const char *name);
/* the rule named name, or NULL */
const struct rule *planrule(const struct plan *p, const char *name);
/* the pool named name, or NULL */
const struct pool *planpool(const struct plan *p, const char *name);
/* free everything p holds */
void delplan(struct plan *p);

#endif
