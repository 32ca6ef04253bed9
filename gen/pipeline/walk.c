#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "walk.h"

void
strlisttake(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->s = xreallocarray(l->s, l->cap, sizeof(l->s[0]));
	}
	l->s[l->n++] = s;
}

void
strlistadd(struct strlist *l, const char *s)
{
	strlisttake(l, xstrdup(s));
}

void
strlistuniq(struct strlist *l)
{
	size_t i, j;

	if (l->n == 0)
		return;
	qsort(l->s, l->n, sizeof(l->s[0]), strptrcmp);
	for (i = 1, j = 1; i < l->n; i++) {
		if (strcmp(l->s[i], l->s[j - 1]) == 0)
			free(l->s[i]);
		else
			l->s[j++] = l->s[i];
	}
	l->n = j;
}

bool
strlisthas(const struct strlist *l, const char *s)
{
	return l->n > 0 && bsearch(&s, l->s, l->n, sizeof(l->s[0]), strptrcmp) != NULL;
}

void
strlistfree(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
	l->s = NULL;
	l->n = l->cap = 0;
}

bool
readnames(const char *dir, struct strlist *names)
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
		strlistadd(names, e->d_name);
	}
	err = errno;
	closedir(d);
	if (err) {
		errno = err;
		return false;
	}
	strlistuniq(names);
	return true;
}

bool
walkroot(const char *root, struct strlist *images, struct strlist *dirs)
{
	struct strlist names = {0};
	struct stat st;
	char *path, *yaml;
	size_t i;

	if (!readnames(root, &names))
		return false;
	for (i = 0; i < names.n; i++) {
		path = pathjoin(root, names.s[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			strlistadd(dirs, names.s[i]);
			yaml = pathjoin(path, "image.yaml");
			if (stat(yaml, &st) == 0)
				strlistadd(images, names.s[i]);
			free(yaml);
		}
		free(path);
	}
	strlistfree(&names);
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
	struct strlist names = {0};
	struct stat st;
	char *path, *sub;
	size_t i;
	bool ok = true;

	if (!readnames(dir, &names)) {
		*errpath = xstrdup(dir);
		return false;
	}
	for (i = 0; ok && i < names.n; i++) {
		path = pathjoin(dir, names.s[i]);
		sub = rel ? pathjoin(rel, names.s[i]) : xstrdup(names.s[i]);
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
	strlistfree(&names);
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
