#ifndef IMAGEGEN_TREE_H
#define IMAGEGEN_TREE_H

/*
 * the loaded image tree: every image of the images roots with its staged
 * context, the images it depends on, and the build order. What generate,
 * list, graph and check share.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "graph.h"
#include "image.h"
#include "util.h"
#include "walk.h"

/* one entry of a staged context */
struct centry {
	char kind; /* 'F', 'D' or 'R' */
	char *dst; /* relative to ctx/<img> */
	char *src; /* relative to the build directory; NULL for R */
	int prio; /* image file 0 < copy-list 1 < rendered 2: the higher replaces the lower */
	bool link; /* an F entry whose src is a symbolic link, staged as the link itself */
};

/* an image and everything generate works out about it */
struct node {
	struct image *img;
	char *projroot; /* parent of the images root */
	struct centry *ent;
	size_t nent, capent;
	char *dockerfile; /* context path of the Dockerfile */
	struct strvec deps; /* names of the tree images it depends on */
	struct strvec scanned; /* files read at generate time: regeneration inputs */
	struct strvec dirs; /* directories walked: regeneration inputs */
};

/* the loaded tree */
/* a file by its device and inode */
struct fileid {
	dev_t dev;
	ino_t ino;
};

struct tree {
	struct node *node; /* sorted by image name */
	size_t n;
	char **names;
	struct graph *g;
	size_t *order;
	struct strvec dirs; /* images roots and their subdirectories */
	const char *registry, *namespace; /* borrowed: how FROM may name a tree image */
	char *builddir; /* the working directory, resolved; NULL if it cannot be */
	struct fileid *up; /* builddir and each directory above it, up to "/" */
	size_t nup;
	unsigned nowarn; /* the warnings not to print (warn.h) */
	struct diag d;
};

/*
 * walk every images root (t->registry and t->namespace set by the caller,
 * or NULL), load every image, work out its context and dependencies, and
 * order the images. Every problem is reported through t->d and the walk
 * goes on; false if there was an error.
 */
bool treeload(struct tree *t, const struct strvec *roots);
/* free everything treeload allocated */
void deltree(struct tree *t);

/* the image named name, or NULL */
struct node *treefind(const struct tree *t, const char *name);
/* the context entry of nd at dst, or NULL */
struct centry *centryfind(const struct node *nd, const char *dst);

#endif
