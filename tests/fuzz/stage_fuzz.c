/*
 * libFuzzer target: read arbitrary bytes as a stage manifest, and as
 * the lines of a stamp checked against a context that does not exist
 * (make fuzz). Only the readers run: nothing is staged.
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"
#include "util.h"
#include "walk.h"

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
	{
		struct walklist w = {0};
		char *text = xmalloc(size + 1), *why;

		memcpy(text, data, size);
		text[size] = '\0';
		/* the header is checked, and the lines that follow it, or all the text when it has none */
		why = stampdiff("/nonexistent/imagegen-fuzz/ctx", stampbody(text) ? stampbody(text) : text, &w);
		/* nothing of a missing context matches a line, nor an empty stamp its unreadable walk */
		if (!why || w.n)
			abort();
		free(why);
		free(text);
		delwalklist(&w);
	}
	return 0;
}
