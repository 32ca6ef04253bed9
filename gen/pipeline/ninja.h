#ifndef IMAGEGEN_NINJA_H
#define IMAGEGEN_NINJA_H

/* writing build.ninja text: comments, variables, build edges, wrapped at 78 columns */

#include "util.h"
#include "walk.h"

/* one build edge; paths are plain (the writer escapes them) */
struct ninjaedge {
	const char *rule;
	struct strlist out, implicitout, in, implicit, orderonly;
	struct strlist var; /* pairs: name, value already escaped for ninja (escninjaval) */
};

/* "# text" lines, one per line of text */
void ninjacomment(struct buf *b, const char *text);
/* a per-edge variable of e; val is already a ninja value (escninjaval, escshellninja) */
void ninjaedgevar(struct ninjaedge *e, const char *name, const char *val);
/* "build out... | implicitout...: rule in... | implicit... || orderonly..." and its variables */
void ninjabuild(struct buf *b, const struct ninjaedge *e);
/* free the lists of e */
void ninjaedgefree(struct ninjaedge *e);

#endif
