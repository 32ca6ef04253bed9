#include "compat.h"

#include <stdarg.h>
#include <stdlib.h>

#include "tmpl_ev.h"

bool
everr(struct ev *ev, const struct node *n, const char *fmt, ...)
{
	va_list ap;

	if (ev->failed)
		return false;
	va_start(ap, fmt);
	vtmplerr(ev->ts, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	ev->failed = true;
	return false;
}

bool
undeferr(struct ev *ev, const struct node *n, struct value v)
{
	return everr(ev, n, "%s", v.u.s->data);
}

struct value
strval(struct ev *ev, const char *s, size_t n)
{
	return vstrn(ev->a, s, n);
}

struct value
undefname(struct ev *ev, const char *name)
{
	char *msg = xasprintf("'%s' is undefined", name);
	struct value v = vundef(ev->a, msg);

	free(msg);
	return v;
}

/* the name jinja2 gives an object's type in "has no attribute" messages */
static void
objrepr(struct buf *b, struct value v)
{
	if (v.type == VNONE)
		bufadds(b, "None");
	else
		bufprintf(b, "%s object", vtypename(v));
}

struct value
undefattr(struct ev *ev, struct value obj, struct value key)
{
	struct buf b = {0};
	struct value v;

	if (key.type == VSTR) {
		bufaddc(&b, '\'');
		objrepr(&b, obj);
		bufprintf(&b, "' has no attribute ");
		vreprto(&b, key);
	} else {
		objrepr(&b, obj);
		bufprintf(&b, " has no element ");
		vreprto(&b, key);
	}
	v = vundef(ev->a, b.data);
	delbuf(&b);
	return v;
}
