#ifndef IMAGEGEN_CFGBIN_H
#define IMAGEGEN_CFGBIN_H

/*
 * the compiled configuration: a loaded configuration value written as
 * bytes that load back in one pass, without YAML parsing. Lists and dicts
 * reached through several paths (YAML anchors and aliases) are written
 * once and load back shared. Layout (integers little-endian):
 *
 *	"imagegen-config\0"  u32 version  u32 n, the model's name (n bytes)  u32 ncont
 *	ncont x (u8 kind, u32 len)   kind: CBLIST, CBTUPLE, CBDICT
 *	the root value
 *	ncont bodies in table order: len values, or len key, value pairs
 *
 * a value is a u8 tag: CBNONE, CBFALSE, CBTRUE; CBINT and CBFLOAT with 8
 * bytes (the float's bits); CBSTR with u32 length and the bytes; CBREF
 * with the u32 index of a container.
 */

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

#define CFGBINMAGIC "imagegen-config"
#define CFGBINVERSION 2

/* true if data (len bytes) starts as a compiled configuration does */
bool cfgbinis(const char *data, size_t len);

/*
 * append v, compiled with the name of the configuration model that made
 * it (tmpl.h, tmodelname), to b. false (with a message naming origin) if v
 * holds something a configuration cannot: a container as a dict key, or
 * a value that is not none, bool, int, float, str, list, tuple or dict.
 */
bool cfgbinwrite(struct buf *b, struct value v, const char *model, const char *origin);

/*
 * load the compiled configuration data (len bytes, named origin in
 * diagnostics) into *out and its model's name into *model, both allocated
 * from a. A malformed or truncated
 * file is reported as "origin: error: ..."; false then.
 */
bool cfgbinload(struct arena *a, const char *data, size_t len, const char *origin, struct value *out, const char **model);

#endif
