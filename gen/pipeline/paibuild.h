#ifndef IMAGEGEN_PAIBUILD_H
#define IMAGEGEN_PAIBUILD_H

/*
 * the pai-build layout (OpenPAI's build/pai_build.py) read into the image
 * model of tree.h
 */

#include "tree.h"
#include "walk.h"

/* the layout a root has: pai-build when it holds SERVICE/build/NAME.dockerfile and no DIR/image.yaml */
enum layout rootlayout(const char *root);
/* load the images of the roots in the pai-build layout into t */
void paiload(struct tree *t, const struct strvec *roots);

#endif
