/*
 * libFuzzer target: read arbitrary bytes as a stage manifest (make
 * fuzz). Only the reader runs: nothing is staged.
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	struct diag d = {0};
	size_t i;

	if (manifestparse(&m, ".imagegen/stage/a.list", (const char *)data, size, &d)) {
		/* what the reader accepts is sorted, canonical and inside the context */
		for (i = 0; i < m.nent; i++) {
			char *c = pathcanon(m.ent[i].dst);

			if (strcmp(c, m.ent[i].dst) != 0 || !pathinside(c) || (i > 0 && strcmp(m.ent[i - 1].dst, m.ent[i].dst) >= 0))
				abort();
			free(c);
		}
	}
	delmanifest(&m);
	return 0;
}
