#ifndef IMAGEGEN_TMPL_METHOD_H
#define IMAGEGEN_TMPL_METHOD_H

/* attributes, items and methods of values; sorting (tmpl_method.c) */

#include "tmpl_ev.h"

/* the state behind a for loop's loop variable */
struct loopstate {
	struct vlist *items;
	size_t index0;
	struct value last;	/* the arguments of the last loop.changed() */
	bool haslast;
};

/* obj.name and obj[key] with jinja2's fallbacks (a bound method, a dict key); undefined when missing */
bool getattrv(struct ev *ev, const struct node *n, struct value obj, const char *name, struct value *out);
bool getitemv(struct ev *ev, const struct node *n, struct value obj, struct value key, struct value *out);
/* self.name(args) for str, list, dict and loop methods */
bool callmethod(struct ev *ev, const struct node *n, struct value self, const char *name,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out);
/*
 * sort items (stable) by keys, both of len entries, with Python's ordering;
 * false if two keys cannot be ordered
 */
bool sortkeyed(struct ev *ev, const struct node *n, struct value *keys, struct value *items, size_t len, bool reverse);

#endif
