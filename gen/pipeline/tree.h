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
	char kind; /* 'F', 'D', 'R', or 'T': a file or tree a pre-build step makes, copied when staging */
	char *dst; /* relative to ctx/<img> */
	char *src; /* relative to the build directory; NULL for R */
	int prio; /* image file 0 < copy-list 1 < rendered 2 < made by a pre-build step 3: the higher replaces the lower */
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
	struct strvec prestamps; /* the stamps of the pre-build steps whose outputs it stages */
	struct strvec imgerr; /* its errors as stage manifest E entries (file TAB line TAB col TAB message) */
};

/* a pre-build step (image.yaml prebuild): an edge writing its outputs under pre/<image>.<n>/ */
struct prestep {
	size_t node; /* the image whose image.yaml declares it */
	const struct yprebuild *y;
	char *out; /* pre/<image>.<n>: $OUT */
	char *stamp; /* pre/<image>.<n>.stamp */
	struct strvec outputs; /* canonical, from the project root */
	struct strvec inputs; /* the files it reads, from the build directory */
	struct strvec dirs; /* the input directories: regeneration inputs */
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
	struct prestep *pre; /* every pre-build step, by image, then in image.yaml order */
	size_t npre;
	size_t nbroken; /* images with an error of their own (node.imgerr): the others can be built */
	int nimgerr; /* those errors */
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
