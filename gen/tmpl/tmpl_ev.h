#ifndef IMAGEGEN_TMPL_EV_H
#define IMAGEGEN_TMPL_EV_H

/*
 * the evaluator's inside, shared by tmpl_eval.c (expressions and
 * statements), tmpl_filter.c (filters and tests), tmpl_method.c (methods
 * of str, list and dict; sorting), tmpl_format.c (str.format and %) and
 * tmpl_case.c (Unicode case mapping).
 */

#include <locale.h>

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
	locale_t loc;	/* C.UTF-8 for Unicode case mapping, made on first use */
	bool locdone;
	bool failed;
};

/* the state behind a for loop's loop variable */
struct loopstate {
	struct vlist *items;
	size_t index0;
	struct value last;	/* the arguments of the last loop.changed() */
	bool haslast;
};

/* a keyword argument of a call */
struct kwarg {
	const char *name;
	struct value val;
};

/* bounds that stop runaway templates with an error instead of exhausting the machine */
#define MAXSTEPS 5000000	/* loop iterations in one rendering */
#define MAXOUT (256u << 20)	/* bytes of output, and of one string */

/* the global functions */
enum { GRANGE, GDICT, GNAMESPACE };

/* report an error at node n (once per rendering); always false */
bool everr(struct ev *ev, const struct node *n, const char *fmt, ...) PRINTF(3, 4);
/* report the error an undefined value raises when used; false */
bool undeferr(struct ev *ev, const struct node *n, struct value v);
/* evaluate expression n into *out */
bool eval(struct ev *ev, const struct node *n, struct value *out);

/* a string value of s[0..n), in the rendering's arena */
struct value strval(struct ev *ev, const char *s, size_t n);
/* the undefined value for an unknown name */
struct value undefname(struct ev *ev, const char *name);
/* the undefined value for a missing attribute or item key of obj */
struct value undefattr(struct ev *ev, struct value obj, struct value key);
/* obj.name and obj[key] with jinja2's fallbacks; undefined when missing */
bool getattrv(struct ev *ev, const struct node *n, struct value obj, const char *name, struct value *out);
bool getitemv(struct ev *ev, const struct node *n, struct value obj, struct value key, struct value *out);
/* the items a for loop over v visits (undefined: none) */
bool iterv(struct ev *ev, const struct node *n, struct value v, struct vlist **out);
/* Python's len() of a str (code points), list, tuple or dict; 0 otherwise */
size_t vlength(struct value v);
/* a op b for the arithmetic token types */
bool binop(struct ev *ev, const struct node *n, int op, struct value a, struct value b, struct value *out);
/* a op b for comparisons (token types, CMPIN, CMPNOTIN) */
bool compare(struct ev *ev, const struct node *n, int op, struct value a, struct value b, bool *res);

/* evaluate n's arguments, at most max of each kind */
bool evalargs(struct ev *ev, const struct node *n, struct value *args, size_t *nargs, struct kwarg *kw, size_t *nkw, size_t max);
/*
 * bind arguments to the NULL-terminated parameter names params; slots not
 * given are VUNDEF with u.s NULL. what names the callee in messages.
 */
bool bindargs(struct ev *ev, const struct node *n, const char *what, const char *const *params,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *slots);
/* true if a bound slot was not given */
#define NOTGIVEN(v) ((v).type == VUNDEF && (v).u.s == NULL)

/* the filter or test number id applied to in */
bool callfilter(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out);
bool calltest(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, bool *out);
/* self.name(args) for str, list, dict and loop methods */
bool callmethod(struct ev *ev, const struct node *n, struct value self, const char *name,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out);
/* fmt.format(args, kw...), Python's str.format */
bool strformat(struct ev *ev, const struct node *n, struct value fmt, struct value *args, size_t nargs,
    struct kwarg *kw, size_t nkw, struct value *out);
/*
 * append body (len bytes) filled with fill to width code points; align is
 * '<', '>', '^' or '=' (fill after the first signlen bytes)
 */
void fmtpad(struct buf *b, const char *body, size_t len, size_t width, char align, const char *fill, size_t filllen, size_t signlen);
/* fmt % args, Python's printf-style formatting */
bool pyformatpct(struct ev *ev, const struct node *n, struct value fmt, struct value args, struct value *out);
/*
 * sort items (stable) by keys, both of len entries, with Python's ordering;
 * false if two keys cannot be ordered
 */
bool sortkeyed(struct ev *ev, const struct node *n, struct value *keys, struct value *items, size_t len, bool reverse);
/* s lowercased as str.lower does, for case-insensitive sorting; other values as they are */
struct value lowerv(struct ev *ev, struct value s);
/*
 * s with its case mapped as Python's str methods do: 'u' upper, 'l' lower,
 * 's' swapcase, 't' title (str.title), 'T' title (jinja2's filter), 'c' capitalize
 */
struct value casemap(struct ev *ev, struct value s, int mode);
/* Python's str.islower ('l') / str.isupper ('u') */
bool iscase(struct ev *ev, struct value s, int mode);
/* append value v formatted with the str.format spec [spec, spec+len) */
bool formatspec(struct ev *ev, const struct node *n, struct buf *b, struct value v, const char *spec, size_t len);

#endif
