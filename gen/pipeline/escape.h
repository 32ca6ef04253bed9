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
 * the one rule for every value that reaches a generated build file
 * (build.ninja, a stage manifest, .imagegen/generate.args): NULL if s may
 * be written, else a message naming the character that may not. A value
 * holds no control character (U+0000 to U+001F, U+007F to U+009F): ninja
 * cannot lex a carriage return or a newline in a value, the manifest and
 * generate.args keep one item a line, and the rest would reach a terminal
 * through the edges' descriptions. The message is a static buffer, valid
 * until the next call.
 */
const char *escvalbad(const char *s);
/*
 * NULL if path may be written to build.ninja and to a stage manifest, else
 * a message saying why not: escvalbad's rule, and no '|' (ninja has no
 * escape for it in a path), and not empty.
 */
const char *escpathbad(const char *path);

/* append path escaped for a ninja build line: '$', ' ' and ':' get a '$' */
void escninjapath(struct buf *b, const char *path);
/* append val (no newline: callers refuse those) as a ninja variable value: '$' doubled, leading blanks kept */
void escninjaval(struct buf *b, const char *val);
/* append s as one shell word, single-quoted unless it needs no quoting */
void escshell(struct buf *b, const char *s);
/* append the words of sv as one shell command line (escshell each, separated by spaces; the first, the command word, quoted when it holds an = too) */
void escshellwords(struct buf *b, const struct strvec *sv);
/* append s as one shell word inside a ninja value (escshell, then escninjaval) */
void escshellninja(struct buf *b, const char *s);
/*
 * append s as the command word of a shell command line inside a ninja
 * value: as escshellninja, but quoted when it holds '=' too, since an
 * unquoted NAME=VALUE first word is an assignment, not a command
 */
void escshellcmdninja(struct buf *b, const char *s);

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
