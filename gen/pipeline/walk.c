#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "walk.h"

static void
walkadd(struct walklist *l, char *path, mode_t type)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->ent = xreallocarray(l->ent, l->cap, sizeof(l->ent[0]));
	}
	l->ent[l->n].path = path;
	l->ent[l->n].mode = type;
	l->ent[l->n].mtime.tv_sec = 0;
	l->ent[l->n].mtime.tv_nsec = 0;
	l->n++;
}

/*
 * the type of entry name of directory dir: the directory says it in
 * d_type (DTTOIF: d_type << 12 is the S_IFMT bits) unless its file system
 * does not know (DT_UNKNOWN, 0); then lstat. 0 if it is gone.
 */
static mode_t
enttype(const char *dir, const struct dirent *de)
{
	struct stat st;
	char *path;
	int ok;

#ifdef _DIRENT_HAVE_D_TYPE
	if (de->d_type != 0)
		return (mode_t)de->d_type << 12;
#endif
	path = pathjoin(dir, de->d_name);
	ok = lstat(path, &st) == 0;
	free(path);
	return ok ? st.st_mode & ~(mode_t)07777 : 0;
}

static int
entcmp(const void *a, const void *b)
{
	const struct walkent *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/*
 * append the entries of dir but "." and ".." to out, as prefix/NAME
 * (NAME when prefix is NULL) with their types, sorted when sort is true;
 * false with errno set when dir cannot be read. *mtime, when mtime is not
 * NULL, gets dir's modification time, from the descriptor that reads it.
 */
static bool
listdir(const char *dir, const char *prefix, bool sort, struct walklist *out, struct timespec *mtime)
{
	size_t start = out->n, n = prefix ? strlen(prefix) : 0, m;
	struct dirent *de;
	struct stat st;
	mode_t type;
	char *path;
	DIR *d;
	int err;

	d = opendir(dir);
	if (!d)
		return false;
	if (mtime) {
		if (fstat(dirfd(d), &st) != 0) {
			err = errno;
			closedir(d);
			errno = err;
			return false;
		}
		*mtime = st.st_mtim;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		type = enttype(dir, de);
		if (!type)
			continue;
		m = strlen(de->d_name);
		path = xmalloc(n + 1 + m + 1);
		if (prefix) {
			memcpy(path, prefix, n);
			path[n] = '/';
			memcpy(path + n + 1, de->d_name, m + 1);
		} else {
			memcpy(path, de->d_name, m + 1);
		}
		walkadd(out, path, type);
	}
	err = errno;
	closedir(d);
	if (err) {
		errno = err;
		return false;
	}
	if (sort && out->n > start + 1)
		qsort(out->ent + start, out->n - start, sizeof(out->ent[0]), entcmp);
	return true;
}

bool
readnames(const char *dir, struct strvec *names)
{
	struct walklist l = {0};
	size_t i;

	if (!listdir(dir, NULL, true, &l, NULL)) {
		delwalklist(&l);
		return false;
	}
	for (i = 0; i < l.n; i++)
		strvectake(names, l.ent[i].path);
	free(l.ent);
	return true;
}

bool
walkdir(const char *dir, struct walklist *out)
{
	return listdir(dir, NULL, true, out, NULL);
}

/* whether entry e of images root root is a directory (a symlink to one counts), and whether it holds image.yaml */
static bool
rootent(const char *root, const struct walkent *e, bool *image)
{
	struct stat st;
	char *path = pathjoin(root, e->path), *yaml;
	bool isdir = S_ISDIR(e->mode) || (S_ISLNK(e->mode) && stat(path, &st) == 0 && S_ISDIR(st.st_mode));

	*image = false;
	if (isdir) {
		yaml = pathjoin(path, "image.yaml");
		*image = stat(yaml, &st) == 0;
		free(yaml);
	}
	free(path);
	return isdir;
}

bool
walkroot(const char *root, struct strvec *images, struct strvec *dirs)
{
	struct walklist l = {0};
	size_t i;
	bool image;

	if (!listdir(root, NULL, true, &l, NULL)) {
		delwalklist(&l);
		return false;
	}
	for (i = 0; i < l.n; i++) {
		if (rootent(root, &l.ent[i], &image)) {
			strvecadd(dirs, l.ent[i].path);
			if (image)
				strvecadd(images, l.ent[i].path);
		}
	}
	delwalklist(&l);
	return true;
}

bool
rootholdsimage(const char *root)
{
	struct walklist l = {0};
	size_t i;
	bool image = false;

	if (listdir(root, NULL, false, &l, NULL)) {
		for (i = 0; i < l.n && !image; i++)
			rootent(root, &l.ent[i], &image);
	}
	delwalklist(&l);
	return image;
}

/* the entries under dir, as rel/...; *mtime (when not NULL) gets dir's time */
static bool
walkrec(const char *dir, const char *rel, struct walklist *out, char **errpath, struct timespec *mtime)
{
	size_t i, start = out->n, end;
	struct timespec t;
	char *path;
	bool ok;

	/* walktree sorts the whole at the end */
	if (!listdir(dir, rel, false, out, mtime)) {
		*errpath = xstrdup(dir);
		return false;
	}
	end = out->n;
	for (i = start; i < end; i++) {
		if (!S_ISDIR(out->ent[i].mode))
			continue;
		path = pathjoin(dir, pathbase(out->ent[i].path));
		ok = walkrec(path, out->ent[i].path, out, errpath, &t);
		free(path);
		if (!ok)
			return false;
		/* read as it was opened, one fstat where generate would stat its path again */
		out->ent[i].mtime = t;
	}
	return true;
}

bool
walktree(const char *dir, struct walklist *out, char **errpath)
{
	size_t start = out->n;
	bool ok;

	*errpath = NULL;
	ok = walkrec(dir, NULL, out, errpath, NULL);
	/* each directory's entries come after the whole listing of its parent; the contract is plain byte order */
	if (out->n > start)
		qsort(out->ent + start, out->n - start, sizeof(out->ent[0]), entcmp);
	return ok;
}

void
delwalklist(struct walklist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->ent[i].path);
	free(l->ent);
	l->ent = NULL;
	l->n = l->cap = 0;
}
