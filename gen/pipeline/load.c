/*
 * loading a tree: the layout of the roots picked, the images loaded by
 * that layout's loader (tree.c for image-yaml, paibuild.c for pai-build)
 * into the same model, then linked into a graph and ordered
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "image.h"
#include "paibuild.h"
#include "tree.h"
#include "util.h"
#include "walk.h"

/* report a cycle "a -> b -> a" at the prerequisite of a that names b, when there is one */
static void
cycleerr(struct tree *t, const char *cycle)
{
	const char *arrow = strstr(cycle, " -> "), *next;
	char *first = xstrndup(cycle, arrow ? (size_t)(arrow - cycle) : strlen(cycle)), *second;
	struct node *nd = treefind(t, first);
	size_t i;

	next = arrow ? arrow + 4 : cycle;
	arrow = strstr(next, " -> ");
	second = xstrndup(next, arrow ? (size_t)(arrow - next) : strlen(next));
	for (i = 0; nd && i < nd->img->nprereq; i++) {
		if (strcmp(nd->img->prereq[i].s, second) == 0)
			break;
	}
	if (nd && i < nd->img->nprereq)
		errorat(&t->d, nd->img->yaml, nd->img->prereq[i].line, nd->img->prereq[i].col,
		    "dependency cycle: %s; an image cannot be built on itself", cycle);
	else if (nd && nd->service && nd->dockerfile) {
		char *df = pathjoin(nd->img->dir, nd->dockerfile);

		errorat(&t->d, df, 0, 0, "dependency cycle: %s; an image cannot be built on itself", cycle);
		free(df);
	} else
		errorat(&t->d, nd ? nd->img->yaml : NULL, 0, 0, "dependency cycle: %s; an image cannot be built on itself",
		    cycle);
	free(first);
	free(second);
}

/* the layout of the roots when the caller left it to them; false after an error */
static bool
picklayout(struct tree *t, const struct strvec *roots)
{
	enum layout l;
	size_t i;

	if (t->layout != LAYOUT_AUTO)
		return true;
	for (i = 0; i < roots->n; i++) {
		l = rootlayout(roots->v[i]);
		if (i > 0 && l != t->layout) {
			errorat(&t->d, roots->v[i], 0, 0,
			    "this images root has the %s layout and %s the %s layout; give --layout=image-yaml or --layout=pai-build, or configure each in a build directory of its own",
			    layoutname(l), roots->v[0], layoutname(t->layout));
			return false;
		}
		t->layout = l;
	}
	if (t->layout == LAYOUT_AUTO)
		t->layout = LAYOUT_IMAGEYAML;
	return true;
}

bool
treeload(struct tree *t, const struct strvec *roots)
{
	struct strvec cycles = {0};
	size_t i, j;

	/* the build directory (the working directory), resolved: it may not lie in an images root */
	t->builddir = dirreal(".");
	if (!picklayout(t, roots))
		return false;
	if (t->layout == LAYOUT_PAIBUILD)
		paiload(t, roots);
	else
		yamlload(t, roots);
	t->names = xcalloc(t->n ? t->n : 1, sizeof(t->names[0]));
	for (i = 0; i < t->n; i++)
		t->names[i] = t->node[i].img->name;
	t->g = mkgraph(t->n, t->names);
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->node[i].deps.n; j++)
			graphadd(t->g, i, (size_t)(treefind(t, t->node[i].deps.v[j]) - t->node));
	}
	t->order = xcalloc(t->n ? t->n : 1, sizeof(t->order[0]));
	/* the pai-build layout reports cycles between services itself */
	if (!graphorder(t->g, t->order, &cycles) && (t->layout != LAYOUT_PAIBUILD || t->d.nerr == 0)) {
		for (i = 0; i < cycles.n; i++)
			cycleerr(t, cycles.v[i]);
	}
	delstrvec(&cycles);
	strvecuniq(&t->dirs);
	return t->d.nerr == 0;
}
