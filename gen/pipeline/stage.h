#ifndef IMAGEGEN_STAGE_H
#define IMAGEGEN_STAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct walklist;

/* the first line of every stage manifest */
#define STAGE_HEADER "# imagegen stage manifest 1"

/* the first line of every stamp CTXDIR.staged, then a TAB and the manifest it was staged from */
#define STAMP_HEADER "# imagegen stamp 2"

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
 * the stamp ctxdir.staged, the manifest's path and what lstat finds of
 * each entry, if that changed: it changes whenever a staged copy does, so
 * that build.ninja need not name the copies. errors go to d.
 */
bool stagectx(const struct manifest *m, const char *ctxdir, struct diag *d);
/* the lines of a stamp's text after its first, or NULL when that is not STAMP_HEADER, a TAB and a manifest */
const char *stampbody(const char *text);
/*
 * why ctxdir differs from the stamp lines (stampbody): the first line that
 * no longer holds, or the first path of the context that no line names;
 * NULL when it is as stage left it. *w gets the walk of ctxdir when it
 * came that far (the caller frees it either way).
 */
char *stampdiff(const char *ctxdir, const char *lines, struct walklist *w);
/*
 * true when ctxdir is as its stamp ctxdir.staged says stage left it (or
 * has no stamp); when something in it was changed, removed or added since,
 * stages it again from the manifest the stamp names, with a note saying
 * why. walked (may be NULL) gets ctxdir's walk when it was found as
 * staged, else stays empty. The caller holds the context's lock. errors go
 * to d.
 */
bool stagefresh(const char *ctxdir, struct walklist *walked, struct diag *d);

#endif
