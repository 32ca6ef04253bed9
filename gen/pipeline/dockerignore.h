#ifndef IMAGEGEN_DOCKERIGNORE_H
#define IMAGEGEN_DOCKERIGNORE_H

/*
 * .dockerignore as Docker reads it: one pattern a line, '#' comments,
 * blank lines skipped, surrounding blanks trimmed, '!' marks an exception,
 * each pattern cleaned like Go's filepath.Clean with a leading '/' dropped;
 * '*' and '?' stop at '/', '**' crosses directories, '[...]' classes and
 * '\' escapes as in filepath.Match. A path is excluded when the last
 * pattern matching it or one of its parent directories is not an exception.
 */

#include <stdbool.h>
#include <stddef.h>

struct ditok; /* a pattern read into tokens (dockerignore.c) */

struct dipat {
	char *pat; /* cleaned, without the '!' */
	struct ditok *tok;
	size_t ntok;
	bool negate;
	int line;
};

struct dockerignore {
	struct dipat *v;
	size_t n;
};

/* parse the text of a .dockerignore into di (appending) */
void diparse(struct dockerignore *di, const char *text, size_t len);
/* free the patterns; di is empty after */
void deldockerignore(struct dockerignore *di);

/* true if the glob pattern matches the whole of path */
bool dimatch(const char *pat, const char *path);
/* true if path (relative to the context, canonical) is excluded from the context */
bool diexcluded(const struct dockerignore *di, const char *path);

#endif
