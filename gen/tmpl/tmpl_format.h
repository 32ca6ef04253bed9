#ifndef IMAGEGEN_TMPL_FORMAT_H
#define IMAGEGEN_TMPL_FORMAT_H

/* Python's str.format, format specs and %-formatting (tmpl_format.c) */

#include "tmpl_ev.h"

/* fmt.format(args, kw...), Python's str.format */
bool strformat(struct ev *ev, const struct node *n, struct value fmt, struct value *args, size_t nargs,
    struct kwarg *kw, size_t nkw, struct value *out);
/* fmt % args, Python's printf-style formatting */
bool pyformatpct(struct ev *ev, const struct node *n, struct value fmt, struct value args, struct value *out);
/*
 * append body (len bytes) filled with fill to width code points; align is
 * '<', '>', '^' or '=' (fill after the first signlen bytes)
 */
void fmtpad(struct buf *b, const char *body, size_t len, size_t width, char align, const char *fill, size_t filllen, size_t signlen);

#endif
