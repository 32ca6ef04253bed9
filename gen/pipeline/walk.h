#ifndef IMAGEGEN_WALK_H
#define IMAGEGEN_WALK_H

/*
 * the one directory walker: image roots, a directory, every file under a
 * directory, always in sorted order. The type of each entry comes from
 * the directory itself (d_type); lstat is called only where the file
 * system does not say.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "util.h"

/* one entry found under a walked directory */
struct walkent {
	char *path; /* relative to the walked directory, canonical */
	mode_t mode; /* its type alone (S_IFDIR, S_IFREG, S_IFLNK...): a symlink is a symlink */
	struct timespec mtime; /* a directory's modification time, when walktree read it; else zero */
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
/* true if walkroot would list an image: it stops at the first; false also when root cannot be read */
bool rootholdsimage(const char *root);

/* the entries of dir (names) with their types, sorted; false with errno set when dir cannot be read */
bool walkdir(const char *dir, struct walklist *out);
/*
 * every file, symlink and directory under dir, recursively (symlinks are
 * not followed), sorted by path. false with errno set on the first error;
 * *errpath (owned by the caller) then names the path that failed.
 */
bool walktree(const char *dir, struct walklist *out, char **errpath);
/* free every entry; l is empty after */
void delwalklist(struct walklist *l);

#endif
