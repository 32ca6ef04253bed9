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
/* the parts of ninjawrite, for writing a plan while it is made (plan.h's sink): the header and prelude, then each item */
void ninjahead(const struct plan *p, struct buf *b);
void ninjaitem(struct buf *b, const struct planitem *it);

/*
 * read p->prelude (ninja syntax) back into p->var, p->rule and p->pool;
 * file names the prelude in diagnostics. false after reporting through d
 * a statement it cannot read (the prelude holds variables, rules and
 * pools, never edges)
 */
bool ninjaprelude(struct plan *p, const char *file, struct diag *d);
/*
 * text, a binding of rule r, expanded for edge e as ninja expands it: $in
 * and $out as shell words, then e's variables, r's bindings, p's
 * variables; an unknown name is empty. owned by the caller
 */
char *ninjaexpand(const struct plan *p, const struct rule *r, const struct edge *e, const char *text);

#endif
