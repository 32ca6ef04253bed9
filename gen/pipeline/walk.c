#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "walk.h"

bool
readnames(const char *dir, struct strvec *names)
{
	DIR *d;
	struct dirent *e;
	int err;

	d = opendir(dir);
	if (!d)
		return false;
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e)
			break;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		strvecadd(names, e->d_name);
	}
	err = errno;
	closedir(d);
	if (err) {
		errno = err;
		return false;
	}
	strvecuniq(names);
	return true;
}

bool
walkroot(const char *root, struct strvec *images, struct strvec *dirs)
{
	struct strvec names = {0};
	struct stat st;
	char *path, *yaml;
	size_t i;

	if (!readnames(root, &names))
		return false;
	for (i = 0; i < names.n; i++) {
		path = pathjoin(root, names.v[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			strvecadd(dirs, names.v[i]);
			yaml = pathjoin(path, "image.yaml");
			if (stat(yaml, &st) == 0)
				strvecadd(images, names.v[i]);
			free(yaml);
		}
		free(path);
	}
	delstrvec(&names);
	return true;
}

static void
walkadd(struct walklist *l, const char *path, mode_t mode)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->ent = xreallocarray(l->ent, l->cap, sizeof(l->ent[0]));
	}
	l->ent[l->n].path = xstrdup(path);
	l->ent[l->n].mode = mode;
	l->n++;
}

static bool
walkrec(const char *dir, const char *rel, struct walklist *out, char **errpath)
{
	struct strvec names = {0};
	struct stat st;
	char *path, *sub;
	size_t i;
	bool ok = true;

	if (!readnames(dir, &names)) {
		*errpath = xstrdup(dir);
		return false;
	}
	for (i = 0; ok && i < names.n; i++) {
		path = pathjoin(dir, names.v[i]);
		sub = rel ? pathjoin(rel, names.v[i]) : xstrdup(names.v[i]);
		if (lstat(path, &st) != 0) {
			*errpath = xstrdup(path);
			ok = false;
		} else {
			walkadd(out, sub, st.st_mode);
			if (S_ISDIR(st.st_mode))
				ok = walkrec(path, sub, out, errpath);
		}
		free(sub);
		free(path);
	}
	delstrvec(&names);
	return ok;
}

static int
entcmp(const void *a, const void *b)
{
	const struct walkent *x = a, *y = b;

	return strcmp(x->path, y->path);
}

bool
walktree(const char *dir, struct walklist *out, char **errpath)
{
	size_t start = out->n;
	bool ok;

	*errpath = NULL;
	ok = walkrec(dir, NULL, out, errpath);
	/* depth-first order puts "a/b" before "a-b"; the contract is plain byte order */
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
