#ifndef IMAGEGEN_REPORT_H
#define IMAGEGEN_REPORT_H

/*
 * what imagegen tells about a loaded tree and its build directory:
 * list and graph (text and JSON), status
 */

#include <stdbool.h>
#include <stdio.h>

#include "opts.h"
#include "tree.h"
#include "util.h"

/* s as a JSON string (quotes, backslashes and control characters escaped) */
void jsonstr(struct buf *b, const char *s);
/* true when f is a terminal that takes colour: NO_COLOR unset or empty, TERM not dumb; CLICOLOR_FORCE forces it */
bool usecolor(FILE *f);

/* imagegen list: text, or JSON with --json */
void reportlist(const struct tree *t, const struct opts *o);
/* imagegen graph: Graphviz dot, or JSON with --json */
void reportgraph(const struct tree *t, const struct opts *o);
/* imagegen status, in the build directory: 0 when every image is up to date, else 1 */
int reportstatus(const struct tree *t, const struct opts *o);

#endif
