#ifndef IMAGEGEN_STAGE_H
#define IMAGEGEN_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* the first line of every stage manifest */
#define STAGE_HEADER "# imagegen stage manifest 1"

/* one manifest line: F (file or symlink), D (directory) or R (left alone) */
struct stageent {
	char kind;
	char *dst;
	char *src;
	int line;
};

/* a parsed manifest; entries sorted by dst */
struct manifest {
	char *path;
	struct stageent *ent;
	size_t nent;
};

/*
 * parse the manifest text in data (named path in diagnostics); every
 * malformed line is reported to d. false if any was.
 */
bool manifestparse(struct manifest *m, const char *path, const char *data, size_t len, struct diag *d);
/* release what manifestparse allocated */
void delmanifest(struct manifest *m);
/*
 * bring ctxdir in line with m: copy F entries that differ, create D
 * entries, remove what no entry names, never touch R entries; then write
 * stamp (may be NULL) if the set of entries changed. errors go to d.
 */
bool stagectx(const struct manifest *m, const char *ctxdir, const char *stamp, struct diag *d);

#endif
