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

/* how an images root lays out its images */
enum layout {
	LAYOUT_AUTO, /* chosen per root by treeload */
	LAYOUT_IMAGEYAML, /* a directory holding image.yaml per image */
	LAYOUT_PAIBUILD, /* OpenPAI's build/pai_build.py: <service>/build/<image>.dockerfile */
};

/* an image and everything generate works out about it */
struct node {
	struct image *img;
	char *service; /* pai-build layout: the service holding it; NULL otherwise */
	char *projroot; /* parent of the images root */
	struct centry *ent;
	size_t nent, capent;
	char *dockerfile; /* context path of the Dockerfile */
	struct strvec deps; /* names of the tree images it depends on */
	struct strvec scanned; /* files read at generate time: regeneration inputs */
	struct strvec dirs; /* directories walked: regeneration inputs */
	struct strvec prestamps; /* the stamps of the pre-build steps whose outputs it stages */
	struct strvec imgerr; /* its errors as stage manifest E entries (file TAB line TAB col TAB message) */
	/*
	 * its image.yaml, the files it read and the directories of its walk
	 * were found with their times when loaded, none in the future: generate
	 * need not stat them again (mtimefuture). The image directory aside.
	 */
	bool timesseen;
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

/* why a service of the pai-build layout depends on another */
struct svcdep {
	char *svc; /* the service depended on */
	char *file; /* the Dockerfile or component.dep that says so */
	int line, col;
	char *ref; /* the FROM reference; NULL for component.dep */
};

/* a service of the pai-build layout: a top-level directory of the images root */
struct service {
	char *name;
	char *dir; /* root/name */
	char *proj; /* the project root: the parent of its images root, where pai_build runs */
	char *rel; /* dir seen from the project root: src/name */
	struct strvec images; /* the names of its images, sorted */
	struct svcdep *dep; /* in the order found */
	size_t ndep;
	struct strvec deps; /* the services it depends on, sorted, itself left out */
	char *pre, *post; /* dir/build/build-pre.sh and build-post.sh when they exist */
	char *decl; /* dir/build/build-pre.inputs when it exists */
	struct strvec hookin; /* what the pre hook reads: its service's files and its dependencies' */
};

/* the loaded tree */
/* a file by its device and inode */
struct fileid {
	dev_t dev;
	ino_t ino;
};

struct tree {
	enum layout layout; /* asked for by the caller (LAYOUT_AUTO: chosen by the roots); the one used after treeload */
	const char *paitype; /* pai-build: keep *.common.dockerfile and *.TYPE.dockerfile; "all"; "none" (before 1.0); NULL: chosen by the tree */
	char *painame; /* the type filter in use after treeload ("none", "all" or a type) */
	struct service *svc; /* pai-build: sorted by name */
	size_t nsvc;
	struct strvec skipped; /* pai-build: "path: reason" of each Dockerfile left out */
	struct strvec scanned; /* pai-build: component.dep and hook declarations read: regeneration inputs */
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
bool treeload(struct tree *t, const struct strvec *roots); /* (load.c) */
/* free everything treeload allocated */
void deltree(struct tree *t);

/* the image named name, or NULL */
struct node *treefind(const struct tree *t, const char *name);
/* the service named name, or NULL */
struct service *treefindsvc(const struct tree *t, const char *name);

/*
 * what the loaders of the layouts share (tree.c): yamlload loads the
 * image-yaml layout, paiload (paibuild.h) the pai-build one; treeload
 * (load.c) picks between them and orders the images
 */
void yamlload(struct tree *t, const struct strvec *roots);
/* add one context entry to nd (prio: image file 0 < copy 1 < rendered 2) */
void centryadd(struct node *nd, char kind, const char *dst, const char *src, int prio);
/* sort nd's entries by dst and keep, of entries with one dst, the one of highest priority */
void centryuniq(struct node *nd);
/* add the entries of a walked tree under dst; src is the walked directory */
void addtree(struct tree *t, struct node *nd, const char *src, const char *dst, const struct walklist *w, int prio);
/*
 * nothing may lie below a file or a symlink of the context: a rendered or
 * copied file below a symlinked directory would be written through the
 * link, outside the build directory. nd->ent is sorted by dst.
 */
void checkbelow(struct tree *t, struct node *nd);
/* drop what the image directory's .dockerignore excludes; the Dockerfile always stays */
void applyignore(struct tree *t, struct node *nd);
/* every context path must be one build.ninja and the manifests can hold */
void checkctxpaths(struct tree *t, struct node *nd);
/*
 * the tree image a Dockerfile reference names by its repository: the
 * bare name, localhost/<name>, or the registry form of the options; or NULL
 */
struct node *refnode(struct tree *t, const char *ref);
/*
 * a build directory (t->builddir) inside root but in none of the
 * directories named by images (whose own loading sees to them) is an
 * error: the root's subdirectories are inputs of build.ninja, and the
 * build directory changes at every run
 */
void insideroot(struct tree *t, const char *root, const struct strvec *images);
/* the name of a layout: "image-yaml" or "pai-build" */
const char *layoutname(enum layout l);
/* the context entry of nd at dst, or NULL */
struct centry *centryfind(const struct node *nd, const char *dst);

#endif
