#ifndef IMAGEGEN_DOCKERFILE_H
#define IMAGEGEN_DOCKERFILE_H

/*
 * scanning a Dockerfile for the images it builds on: FROM x, FROM x AS y,
 * COPY --from=x, RUN --mount=from=x. Handles parser directives (escape=),
 * here-documents, line continuations, comments, flags such as --platform=,
 * global ARG defaults in FROM, and stage names, which shadow images of the
 * same name.
 */

#include <stdbool.h>
#include <stddef.h>

/* one image named by the Dockerfile */
struct dfref {
	char *ref; /* as written, after ARG substitution: "x", "x:1", "reg/ns/x:1" */
	int line, col; /* 1-based, of the reference */
	bool copyfrom; /* from COPY --from or RUN --mount=from rather than FROM */
};

struct dfrefs {
	struct dfref *v;
	size_t n;
	size_t nunknown; /* references left out because they hold '$' or a template tag */
};

/*
 * append to out every image reference of the Dockerfile text, in order;
 * "scratch", stage names, stage indexes and references that still hold
 * '$' or a template tag ('{{', '{%') after substitution are left out.
 */
void dfscan(const char *text, size_t len, struct dfrefs *out);
/* free the references; refs is empty after */
void deldfrefs(struct dfrefs *refs);

/* the repository part of an image reference (no :tag, no @digest); owned by the caller */
char *dfrepo(const char *ref);

#endif
