#ifndef IMAGEGEN_WARN_H
#define IMAGEGEN_WARN_H

/*
 * the warnings of generate, list, graph and check, each with a name:
 * printed as "... [-WNAME]", silenced by -Wno-NAME (docs/imagegen.1)
 */

#include <stdbool.h>

#include "util.h"

enum {
	W_FROM_UNLISTED = 1 << 0,	/* FROM or COPY --from names a tree image prerequisite does not list */
	W_PREREQ_UNUSED = 1 << 1,	/* prerequisite names an image no FROM or COPY --from names */
	W_UNDEFINED = 1 << 2,	/* a template prints an undefined value, which renders as nothing */
	W_SPECIAL_FILE = 1 << 3,	/* a special file of an image directory is left out of the context */
	W_REGISTRY_NOT_HOST = 1 << 4,	/* the configuration's registry domain is no host: docker reads it as a Docker Hub path */
	W_FROM_NAME_ONLY = 1 << 5,	/* pai-build: a reference names a tree image without ordering on it */
	W_FROM_SAME_SERVICE = 1 << 6,	/* pai-build: FROM names an image of the same service */
};

/* the names of the warnings, comma-separated, for messages */
extern const char warnnames[];
/* the warning called name, or 0 */
unsigned warnbyname(const char *name);
/* the name of warning w (one bit) */
const char *warnname(unsigned w);

/*
 * prints a warning at file:line:col (see errorat) followed by its name,
 * unless the bit w is in nowarn; counted in d when printed
 */
void warnat(struct diag *d, unsigned nowarn, unsigned w, const char *file, int line, int col, const char *fmt, ...)
    PRINTF(7, 8);

#endif
