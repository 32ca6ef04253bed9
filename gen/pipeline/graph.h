#ifndef IMAGEGEN_GRAPH_H
#define IMAGEGEN_GRAPH_H

/* the image dependency graph: nodes are indexes 0..n-1, named */

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct graph {
	size_t n;
	char **name; /* borrowed from the caller */
	size_t **dep; /* dep[i]: the nodes i depends on, sorted, no duplicates */
	size_t *ndep;
};

/* a graph of n nodes named name[0..n-1] (borrowed: must outlive the graph) */
struct graph *mkgraph(size_t n, char **name);
/* free g (not the names); NULL is fine */
void delgraph(struct graph *g);

/* node from depends on node to; a repeated edge is kept once */
void graphadd(struct graph *g, size_t from, size_t to);

/*
 * fill order[0..n-1] with every node, each after all it depends on; ties
 * go by index, so the order is deterministic. Every cycle found is added
 * to cycles as "a -> b -> a" and its closing edge is left out of the
 * order. false if there is a cycle.
 */
bool graphorder(const struct graph *g, size_t *order, struct strvec *cycles);

#endif
