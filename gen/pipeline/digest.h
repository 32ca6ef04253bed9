#ifndef IMAGEGEN_DIGEST_H
#define IMAGEGEN_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct walklist;

/* "sha256:" and 64 hex digits, and the NUL */
#define DIGESTLEN 72

/* what an image's input digest covers */
struct digestin {
	const char *ctxdir;   /* the staged context, walked in full */
	const struct walklist *walked; /* ctxdir's walktree when the caller has it, else NULL */
	const char *file;     /* the Dockerfile, relative to ctxdir */
	const char *target;   /* or NULL */
	const char **args;    /* K=V build args; order does not matter */
	size_t nargs;
	const char **labels;  /* K=V labels; order does not matter */
	size_t nlabels;
	const char **deps;    /* the prerequisites' digests ("sha256:<hex>"); order does not matter */
	size_t ndeps;
};

/*
 * computes the input digest of in into out as "sha256:<hex>". errors
 * (unreadable context) go to d; false then.
 */
bool inputdigest(const struct digestin *in, char out[DIGESTLEN], struct diag *d);
/* "sha256:<hex>" of the bytes in data */
void sha256hex(const void *data, size_t len, char out[DIGESTLEN]);

#endif
