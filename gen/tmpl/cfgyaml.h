#ifndef IMAGEGEN_CFGYAML_H
#define IMAGEGEN_CFGYAML_H

/*
 * YAML read into template values the way PyYAML's SafeLoader reads it
 * (YAML 1.1 scalars: yes/no/on/off booleans, 0755 octal, 0x1F, 1:20
 * sexagesimal, 1_000, ~ and null, PyYAML's float pattern; anchors,
 * aliases and << merge keys).
 */

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

/* where a key of a mapping was written; in is the dict holding it */
struct cfgkey {
	const struct vdict *in;
	struct value key;
	int line, col;
};

/*
 * parse text (len bytes, named origin in diagnostics) as one YAML document
 * into *out, allocated from a; an empty document is None. If keys is not
 * NULL, *keys and *nkeys get the position of every key of every mapping
 * (in the arena), in document order; a key merged in by << has the
 * position it has in the mapping it comes from. Errors are printed as
 * "origin:line:col: error: ..."; false then.
 */
bool cfgyamlparse(struct arena *a, const char *text, size_t len, const char *origin,
    struct value *out, struct cfgkey **keys, size_t *nkeys);

/* where the keys of a loaded configuration were written, file by file */
struct cfgpos {
	const struct vdict *in;
	struct value key;
	const char *file;
	int line, col;
};
struct cfgpostab {
	struct cfgpos *v;
	size_t n, cap;
};

/* records that key of the dict in was written at file:line:col */
void cfgposadd(struct cfgpostab *t, const struct vdict *in, struct value key, const char *file, int line, int col);
/* where key k of the dict in was written (the last record of it), or NULL */
const struct cfgpos *cfgposfind(const struct cfgpostab *t, const struct vdict *in, struct value k);
/* frees the table's array (what it points to lives in the arena) */
void delcfgpostab(struct cfgpostab *t);

#endif
