/*
 * libFuzzer target: .dockerignore parsing and matching (make fuzz). The
 * input is a .dockerignore, a NUL byte, then paths one a line; every path
 * is matched against the patterns, and every pattern against every path.
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerignore.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(text, '\0', size), *s, *end, *nl;
	struct dockerignore di = {0};
	size_t i, n = nul ? (size_t)(nul - text) : size;
	char *path, *canon;

	diparse(&di, text, n);
	end = text + size;
	for (s = nul ? nul + 1 : end; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		path = xstrndup(s, (size_t)(nl - s));
		if (strlen(path) == (size_t)(nl - s)) {
			canon = pathcanon(path);
			diexcluded(&di, canon);
			for (i = 0; i < di.n; i++)
				dimatch(di.v[i].pat, canon);
			free(canon);
		}
		free(path);
	}
	deldockerignore(&di);
	return 0;
}
