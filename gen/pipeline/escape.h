#ifndef IMAGEGEN_ESCAPE_H
#define IMAGEGEN_ESCAPE_H

/*
 * the one place where text is escaped for the files imagegen writes: a
 * path in a ninja build line, a ninja variable value, a word of a POSIX
 * shell command line, a path or a recipe of a GNU Makefile.
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

/* the variable a Makefile defines as '=' for the paths holding one */
#define MAKEEQ "imagegen_eq"

/*
 * NULL if path may be written to a GNU Makefile as a target or a
 * prerequisite, else a static message saying why not: what make reads
 * specially in a file name whatever the escaping (';', '\\', wildcards,
 * a trailing '(...)', a leading '~', special target names)
 */
const char *escmakebad(const char *path);
/* append path (escmakebad accepts it) as a target of a make rule: '$' doubled, '#', ' ', ':' and '%' after '\\', '=' as $(imagegen_eq) */
void escmaketarget(struct buf *b, const char *path);
/* append path as a prerequisite of a make rule: as escmaketarget, but '%' stays as it is */
void escmakeprereq(struct buf *b, const char *path);
/* append text (no newline) as the text of a recipe line: '$' doubled */
void escmakerecipe(struct buf *b, const char *text);

#endif
