#ifndef IMAGEGEN_TMPL_CASE_H
#define IMAGEGEN_TMPL_CASE_H

/* Unicode case mapping as Python's str methods do it, through the C.UTF-8 locale (tmpl_case.c) */

#include "tmpl_ev.h"

/*
 * s with its case mapped as Python's str methods do: 'u' upper, 'l' lower,
 * 's' swapcase, 't' title (str.title), 'T' title (jinja2's filter), 'c' capitalize
 */
struct value casemap(struct ev *ev, struct value s, int mode);
/* Python's str.islower ('l') / str.isupper ('u') */
bool iscase(struct ev *ev, struct value s, int mode);
/* s lowercased as str.lower does, for case-insensitive sorting; other values as they are */
struct value lowerv(struct ev *ev, struct value s);

#endif
