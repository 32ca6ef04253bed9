#ifndef IMAGEGEN_LAYOUT_H
#define IMAGEGEN_LAYOUT_H

/*
 * what the layouts that load a tree share: tree.c builds contexts for
 * both; paibuild.c loads the pai-build layout into the same image model.
 */

#include <stdbool.h>

#include "tree.h"
#include "walk.h"

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
/*
 * the tree image a Dockerfile reference names by its repository: the
 * bare name, localhost/<name>, or the registry form of the options; or NULL
 */
struct node *refnode(struct tree *t, const char *ref);
/* every context path must be one build.ninja and the manifests can hold */
void checkctxpaths(struct tree *t, struct node *nd);

/* the layout a root has: pai-build when it holds SERVICE/build/NAME.dockerfile and no DIR/image.yaml */
enum layout rootlayout(const char *root);
/* load the images of the roots in the pai-build layout into t (paibuild.c) */
void paiload(struct tree *t, const struct strvec *roots);
/* free what paiload allocated */
void delpai(struct tree *t);

#endif
