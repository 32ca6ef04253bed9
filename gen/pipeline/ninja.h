#ifndef IMAGEGEN_NINJA_H
#define IMAGEGEN_NINJA_H

/* writing build.ninja text: comments, build edges wrapped at 78 columns, a whole plan */

#include "plan.h"
#include "util.h"

/* "# text" lines, one per line of text */
void ninjacomment(struct buf *b, const char *text);
/*
 * "build out... | implicitout...: rule in... | implicit... || orderonly..."
 * and its variables, paths escaped (escninjapath), values escaped (escninjaval)
 */
void ninjabuild(struct buf *b, const struct edge *e);
/* build.ninja for p: the header, the prelude as it is, then every item in order */
void ninjawrite(const struct plan *p, struct buf *b);

#endif
