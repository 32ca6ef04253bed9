#ifndef IMAGEGEN_STAGE_H
#define IMAGEGEN_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* the first line of every stage manifest */
#define STAGE_HEADER "# imagegen stage manifest 1"

/*
 * one manifest line: F (file or symlink), D (directory), R (left alone),
 * T (a tree made at build time, by a pre-build step: copied as it is when
 * staging, as cp -r would), or E (an error of the image, reported when
 * staging: file, line, col and message in the fields)
 */
struct stageent {
	char kind;
	char *dst; /* E: the file the error is about */
	char *src; /* E: the message */
	int line;
	int eline, ecol; /* E: where in dst */
};

/* a parsed manifest; entries sorted by dst; E entries apart, in file order */
struct manifest {
	char *path;
	struct stageent *ent;
	size_t nent;
	struct stageent *err;
	size_t nerr;
};

/*
 * parse the manifest text in data (named path in diagnostics); every
 * malformed line is reported to d. false if any was.
 */
bool manifestparse(struct manifest *m, const char *path, const char *data, size_t len, struct diag *d);
/* release what manifestparse allocated */
void delmanifest(struct manifest *m);
/*
 * report the E entries of m to d, then replace each T entry by the F and
 * D entries of what its source holds now (a missing source is an error).
 * false if there was an error.
 */
bool manifestexpand(struct manifest *m, struct diag *d);
/*
 * bring ctxdir in line with m: copy F entries that differ, create D
 * entries, remove what no entry names, never touch R entries; then write
 * stamp (may be NULL) if the set of entries changed. errors go to d.
 */
bool stagectx(const struct manifest *m, const char *ctxdir, const char *stamp, struct diag *d);

#endif
