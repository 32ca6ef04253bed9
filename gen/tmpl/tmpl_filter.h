#ifndef IMAGEGEN_TMPL_FILTER_H
#define IMAGEGEN_TMPL_FILTER_H

/* jinja2's filters and tests (tmpl_filter.c) */

#include "tmpl_ev.h"

/* the index of filter or test name in the tables of tmpl_filter.c, -1 if none */
int tmplfilterid(const char *name);
int tmpltestid(const char *name);
/* true if the filter exists in jinja2 but imagegen does not implement it */
bool tmplfiltermissing(const char *name);

/* the filter or test number id applied to in */
bool callfilter(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out);
bool calltest(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, bool *out);

#endif
