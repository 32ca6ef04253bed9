#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "util.h"

struct graph *
mkgraph(size_t n, char **name)
{
	struct graph *g = xcalloc(1, sizeof(*g));

	g->n = n;
	g->name = name;
	g->dep = xcalloc(n, sizeof(g->dep[0]));
	g->ndep = xcalloc(n, sizeof(g->ndep[0]));
	return g;
}

void
delgraph(struct graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++)
		free(g->dep[i]);
	free(g->dep);
	free(g->ndep);
	free(g);
}

void
graphadd(struct graph *g, size_t from, size_t to)
{
	size_t i, n = g->ndep[from];
	size_t *d;

	for (i = 0; i < n && g->dep[from][i] < to; i++)
		;
	if (i < n && g->dep[from][i] == to)
		return;
	d = xreallocarray(g->dep[from], n + 1, sizeof(d[0]));
	memmove(d + i + 1, d + i, (n - i) * sizeof(d[0]));
	d[i] = to;
	g->dep[from] = d;
	g->ndep[from] = n + 1;
}

enum { WHITE, GREY, BLACK };

struct visit {
	const struct graph *g;
	unsigned char *color;
	size_t *path, npath;
	size_t *order, norder;
	struct strvec *cycles;
};

static void
visit(struct visit *v, size_t u)
{
	const struct graph *g = v->g;
	struct buf b = {0};
	size_t i, j, w;

	v->color[u] = GREY;
	v->path[v->npath++] = u;
	for (i = 0; i < g->ndep[u]; i++) {
		w = g->dep[u][i];
		if (v->color[w] == WHITE) {
			visit(v, w);
		} else if (v->color[w] == GREY) {
			/* the path from w down to u, then back to w */
			for (j = v->npath; j > 0 && v->path[j - 1] != w; j--)
				;
			for (j = j - 1; j < v->npath; j++)
				bufprintf(&b, "%s -> ", g->name[v->path[j]]);
			bufadds(&b, g->name[w]);
			strvectake(v->cycles, b.data);
			b = (struct buf){0};
		}
	}
	v->npath--;
	v->color[u] = BLACK;
	v->order[v->norder++] = u;
}

bool
graphorder(const struct graph *g, size_t *order, struct strvec *cycles)
{
	struct visit v = {g, NULL, NULL, 0, order, 0, cycles};
	size_t i, before = cycles->n;

	v.color = xcalloc(g->n, 1);
	v.path = xcalloc(g->n, sizeof(v.path[0]));
	for (i = 0; i < g->n; i++) {
		if (v.color[i] == WHITE)
			visit(&v, i);
	}
	free(v.color);
	free(v.path);
	return cycles->n == before;
}
