/*
 * libFuzzer target: scan arbitrary bytes as a Dockerfile for the images
 * it names, then take the repository of each reference (make fuzz).
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dfrefs refs = {0};
	size_t i;

	dfscan((const char *)data, size, &refs);
	for (i = 0; i < refs.n; i++) {
		char *repo = dfrepo(refs.v[i].ref);

		/* the repository is a prefix of the reference */
		if (strncmp(repo, refs.v[i].ref, strlen(repo)) != 0 || refs.v[i].line < 1 || refs.v[i].col < 1)
			abort();
		free(repo);
	}
	deldfrefs(&refs);
	return 0;
}
