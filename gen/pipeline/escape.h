#ifndef IMAGEGEN_ESCAPE_H
#define IMAGEGEN_ESCAPE_H

/*
 * the one place where text is escaped for the files imagegen writes: a
 * path in a ninja build line, a ninja variable value, a word of a POSIX
 * shell command line.
 */

#include <stdbool.h>

#include "util.h"

/*
 * NULL if path may be written to build.ninja and to a stage manifest, else
 * a static message saying why not (newline, '|', TAB, empty).
 */
const char *escpathbad(const char *path);

/* append path escaped for a ninja build line: '$', ' ' and ':' get a '$' */
void escninjapath(struct buf *b, const char *path);
/* append val (no newline: callers refuse those) as a ninja variable value: '$' doubled, leading blanks kept */
void escninjaval(struct buf *b, const char *val);
/* append s as one shell word, single-quoted unless it needs no quoting */
void escshell(struct buf *b, const char *s);
/* append the words of sv as one shell command line (escshell each, separated by spaces) */
void escshellwords(struct buf *b, const struct strvec *sv);
/* append s as one shell word inside a ninja value (escshell, then escninjaval) */
void escshellninja(struct buf *b, const char *s);

#endif
