/*
 * a configuration value as JSON, byte for byte as Python's
 * json.dumps(v, indent=2, ensure_ascii=False) writes it: dicts in their
 * order, a value reached through several keys written at each, keys
 * turned into strings as json turns them (1 -> "1", True -> "true",
 * None -> "null"), NaN and Infinity as json writes them
 */
#include "compat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfgmodel.h"

struct jw {
	struct buf *b;
	const char *origin;
	const void **open;	/* the containers being written: a cycle is an error */
	size_t nopen, capopen;
};

static void
jfloat(struct buf *b, double f)
{
	if (isnan(f))
		bufadds(b, "NaN");
	else if (isinf(f))
		bufadds(b, f < 0 ? "-Infinity" : "Infinity");
	else
		vfloatto(b, f);
}

static void
jindent(struct buf *b, int depth)
{
	bufaddc(b, '\n');
	while (depth-- > 0)
		bufadds(b, "  ");
}

/* a dict key as json.dumps turns it into a string */
static bool
jkey(struct jw *w, struct value k)
{
	struct buf t = {0};

	switch (k.type) {
	case VSTR:
		bufjsonstr(w->b, k.u.s->data, k.u.s->len, 0);
		return true;
	case VBOOL:
		bufadds(w->b, k.u.b ? "\"true\"" : "\"false\"");
		return true;
	case VNONE:
		bufadds(w->b, "\"null\"");
		return true;
	case VINT:
		vstrto(&t, k);
		break;
	case VFLOAT:
		jfloat(&t, k.u.f);
		break;
	default:
		errorat(NULL, w->origin, 0, 0, "a %s as a mapping key cannot be written as JSON", vtypename(k));
		return false;
	}
	bufjsonstr(w->b, t.data, t.len, 0);
	delbuf(&t);
	return true;
}

static bool
jval(struct jw *w, struct value v, int depth)
{
	size_t i, n;
	bool ok = true;

	switch (v.type) {
	case VNONE:
		bufadds(w->b, "null");
		return true;
	case VBOOL:
		bufadds(w->b, v.u.b ? "true" : "false");
		return true;
	case VINT:
		vstrto(w->b, v);
		return true;
	case VFLOAT:
		jfloat(w->b, v.u.f);
		return true;
	case VSTR:
		bufjsonstr(w->b, v.u.s->data, v.u.s->len, 0);
		return true;
	case VLIST:
	case VTUPLE:
	case VDICT:
		break;
	default:
		errorat(NULL, w->origin, 0, 0, "a %s cannot be written as JSON", vtypename(v));
		return false;
	}
	n = v.type == VDICT ? v.u.d->len : v.u.l->len;
	if (n == 0) {
		bufadds(w->b, v.type == VDICT ? "{}" : "[]");
		return true;
	}
	for (i = 0; i < w->nopen; i++) {
		if (w->open[i] == (v.type == VDICT ? (const void *)v.u.d : (const void *)v.u.l)) {
			errorat(NULL, w->origin, 0, 0, "the configuration holds itself (a YAML alias inside its own anchor); JSON cannot hold that");
			return false;
		}
	}
	if (w->nopen == w->capopen) {
		w->capopen = w->capopen ? w->capopen * 2 : 16;
		w->open = xreallocarray(w->open, w->capopen, sizeof(*w->open));
	}
	w->open[w->nopen++] = v.type == VDICT ? (const void *)v.u.d : (const void *)v.u.l;
	bufaddc(w->b, v.type == VDICT ? '{' : '[');
	for (i = 0; ok && i < n; i++) {
		if (i)
			bufaddc(w->b, ',');
		jindent(w->b, depth + 1);
		if (v.type == VDICT) {
			ok = jkey(w, v.u.d->keys[i]);
			bufadds(w->b, ": ");
			ok = ok && jval(w, v.u.d->vals[i], depth + 1);
		} else {
			ok = jval(w, v.u.l->v[i], depth + 1);
		}
	}
	jindent(w->b, depth);
	bufaddc(w->b, v.type == VDICT ? '}' : ']');
	w->nopen--;
	return ok;
}

bool
cfgjson(struct buf *b, struct value v, const char *origin)
{
	struct jw w = {b, origin, NULL, 0, 0};
	bool ok = jval(&w, v, 0);

	free(w.open);
	bufaddc(b, '\n');
	return ok;
}
