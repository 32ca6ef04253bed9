#ifndef IMAGEGEN_MAKE_H
#define IMAGEGEN_MAKE_H

/* writing a plan as a GNU Makefile (the make backend of imagegen generate) */

#include <stdbool.h>

#include "plan.h"
#include "util.h"

/* where the Makefile keeps what ninja keeps in .ninja_log: a stamp per step that ran */
#define MAKESTAMPDIR ".imagegen/ran"
/* the lock files of the pools (imagegen pool) */
#define MAKEPOOLDIR ".imagegen/pool"

/*
 * append the Makefile for p (its prelude read back by ninjaprelude) to b.
 * imagegen is the binary whose pool subcommand keeps each pool to its
 * depth. false after reporting through d what makecheck reports, or an
 * edge whose rule the prelude lacks; b is then unusable
 */
bool makewrite(const struct plan *p, const char *imagegen, struct buf *b, struct diag *d);
/*
 * report through d every path of p that make cannot express (escmakebad),
 * once each: the sources, and the targets only when no source is one (a
 * path under the build directory takes its name from a source). false if
 * there is one
 */
bool makecheck(const struct plan *p, struct diag *d);
/* the stamp of the regeneration edge that writes output (owned by the caller) */
char *makeregenstamp(const char *output);

#endif
