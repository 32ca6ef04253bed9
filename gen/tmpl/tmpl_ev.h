#ifndef IMAGEGEN_TMPL_EV_H
#define IMAGEGEN_TMPL_EV_H

/*
 * one rendering in progress, and how every part of the evaluator reports
 * an error and makes the values it returns (tmpl_ev.c). The evaluator's
 * parts call only downwards, in this order from the bottom: tmpl_ev,
 * tmpl_format (str.format and %), tmpl_case (case mapping), tmpl_ops
 * (operators, iteration, argument binding), tmpl_method (attributes,
 * items and methods), tmpl_filter (filters and tests), tmpl_eval
 * (expressions and statements).
 */


#include "tmpl_ast.h"

/* one rendering in progress */
struct ev {
	struct arena *a;
	const struct tsrc *ts;
	struct buf *out;
	struct value vars;	/* the globals, a dict */
	struct scope *sc;	/* innermost scope */
	struct scope *root;	/* the template's own variables */
	int macdepth;	/* macro calls in progress */
	struct vstr *keybuf;	/* scratch key for looking names up in vars */
	size_t steps;	/* loop iterations so far, bounded by MAXSTEPS */
	bool failed;
	int *nwarn;	/* when not NULL: warn where {{ }} prints an undefined value, and count it here */
};

/* a keyword argument of a call */
struct kwarg {
	const char *name;
	struct value val;
};

/* bounds that stop runaway templates with an error instead of exhausting the machine */
#ifndef MAXSTEPS
#define MAXSTEPS 5000000	/* loop iterations in one rendering (the fuzz build sets fewer) */
#endif
#define MAXOUT VSTRMAX	/* bytes of output, and of one string (256 MB) */
#define MAXITEMS (1u << 22)	/* items of one list (4 Mi) */
#define MAXMEM (1024u << 20)	/* bytes of values one rendering holds (1 GB) */

/* report an error at node n (once per rendering); always false */
bool everr(struct ev *ev, const struct node *n, const char *fmt, ...) PRINTF(3, 4);
/* report the error an undefined value raises when used; false */
bool undeferr(struct ev *ev, const struct node *n, struct value v);

/* a string value of s[0..n), in the rendering's arena */
struct value strval(struct ev *ev, const char *s, size_t n);
/* the undefined value for an unknown name */
struct value undefname(struct ev *ev, const char *name);
/* the undefined value for a missing attribute or item key of obj */
struct value undefattr(struct ev *ev, struct value obj, struct value key);

#endif
