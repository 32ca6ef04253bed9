#ifndef IMAGEGEN_IMAGE_H
#define IMAGEGEN_IMAGE_H

/* the image model: one image directory and what its image.yaml says */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

/* a string of image.yaml with the line:col (1-based) of its node */
struct ystr {
	char *s;
	int line, col;
};

/* a key: value pair of a map of image.yaml (build-args, labels) */
struct ykv {
	struct ystr key, val;
};

/* one copy-list item */
struct ycopy {
	struct ystr src, dst;
	int line, col; /* of the item */
};

/*
 * one pre-build step (imagegen's prebuild key): a command run by sh from
 * the project root before staging, writing outputs (paths from the project
 * root) under $OUT, and run again when one of inputs changes
 */
struct yprebuild {
	struct ystr command;
	struct ystr *input;
	size_t ninput;
	struct ystr *output;
	size_t noutput;
	int line, col; /* of the step */
};

struct image {
	char *name; /* the directory name */
	char *dir; /* the image directory, as walked (relative to the build directory) */
	char *root; /* the images root holding it */
	char *yaml; /* dir/image.yaml */
	struct timespec yamltime; /* its modification time, once imageload read it */

	struct ystr *prereq;
	size_t nprereq;
	bool hasprereq; /* the prerequisite key is there and not null (then FROM lines should agree with it) */
	struct ystr *tmpl; /* template-list */
	size_t ntmpl;
	struct ycopy *copy;
	size_t ncopy;
	struct ystr dockerfile; /* s is NULL when not given */
	struct ykv *buildarg;
	size_t nbuildarg;
	struct ykv *label;
	size_t nlabel;
	struct ystr *tag;
	size_t ntag;
	struct ystr target; /* s is NULL when not given */
	struct yprebuild *prebuild;
	size_t nprebuild;
};

/* a new image named name in directory dir of images root root; free with delimage */
struct image *mkimage(const char *name, const char *dir, const char *root);
/* free img and all it holds; NULL is fine */
void delimage(struct image *img);

/*
 * read img->yaml and fill img; every problem is reported through d with
 * file:line:col and loading goes on where it can. false if any error.
 */
bool imageload(struct image *img, struct diag *d);
/* the same on text already read; file names it in diagnostics */
bool imageparse(struct image *img, const char *file, const char *text, size_t len, struct diag *d);

/* true if name is a valid image name component: [a-z0-9]+ joined by '.', '_', '__' or dashes */
bool imagenameok(const char *name);
/* true if tag is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
bool imagetagok(const char *tag);

#endif
