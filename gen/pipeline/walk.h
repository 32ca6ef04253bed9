#ifndef IMAGEGEN_WALK_H
#define IMAGEGEN_WALK_H

/* walking image roots and the files of a directory, always in sorted order */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* one entry found under a walked directory */
struct walkent {
	char *path; /* relative to the walked directory, canonical */
	mode_t mode; /* from lstat: a symlink is a symlink */
};

/* every entry under a directory, sorted by path */
struct walklist {
	struct walkent *ent;
	size_t n, cap;
};

/* the names in dir except "." and "..", sorted (appended to names); false with errno set */
bool readnames(const char *dir, struct strvec *names);

/*
 * the subdirectories of an images root, sorted by name (names only): every
 * one in dirs, those that hold image.yaml in images. false with errno set
 * when root cannot be read.
 */
bool walkroot(const char *root, struct strvec *images, struct strvec *dirs);

/*
 * every file, symlink and directory under dir, recursively (symlinks are
 * not followed), sorted by path. false with errno set on the first error;
 * *errpath (owned by the caller) then names the path that failed.
 */
bool walktree(const char *dir, struct walklist *out, char **errpath);
/* free every entry; l is empty after */
void delwalklist(struct walklist *l);

#endif
