#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_case.h"
#include "tmpl_ev.h"
#include "tmpl_filter.h"
#include "tmpl_format.h"
#include "tmpl_method.h"
#include "tmpl_ops.h"

static struct value
listof(struct ev *ev, size_t n)
{
	return vlist(ev->a, n, false);
}

/* the items of v as a list, as list(v) gives them */
static bool
itemsof(struct ev *ev, const struct node *n, struct value v, struct vlist **out)
{
	return iterv(ev, n, v, out);
}

static void
jsonnl(struct buf *b, int indent, int depth)
{
	int i;

	bufaddc(b, '\n');
	for (i = 0; i < indent * depth; i++)
		bufaddc(b, ' ');
}

static bool
jsonkey(struct ev *ev, const struct node *n, struct value k, struct value *out)
{
	struct buf b = {0};

	switch (k.type) {
	case VSTR:
		*out = k;
		return true;
	case VBOOL:
		*out = strval(ev, k.u.b ? "true" : "false", k.u.b ? 4 : 5);
		return true;
	case VNONE:
		*out = strval(ev, "null", 4);
		return true;
	case VINT:
	case VFLOAT:
		vstrto(&b, k);
		*out = strval(ev, b.data, b.len);
		delbuf(&b);
		return true;
	default:
		return everr(ev, n, "keys must be str, int, float, bool or None, not %s", vtypename(k));
	}
}

static bool
tojson(struct ev *ev, const struct node *n, struct buf *b, struct value v, int indent, int depth)
{
	struct value *keys, *idx;
	size_t i, len;

	if (depth > 200)
		return everr(ev, n, "tojson: nesting too deep");
	switch (v.type) {
	case VNONE:
		bufadds(b, "null");
		return true;
	case VBOOL:
		bufadds(b, v.u.b ? "true" : "false");
		return true;
	case VINT:
		vstrto(b, v);
		return true;
	case VFLOAT:
		if (isnan(v.u.f))
			bufadds(b, "NaN");
		else if (isinf(v.u.f))
			bufadds(b, v.u.f < 0 ? "-Infinity" : "Infinity");
		else
			vfloatto(b, v.u.f);
		return true;
	case VSTR:
		bufjsonstr(b, v.u.s->data, v.u.s->len, JSONASCII | JSONHTML);
		return true;
	case VLIST:
	case VTUPLE:
		if (v.type == VLIST && v.u.l->view != VIEWNONE)
			return everr(ev, n, "Object of type %s is not JSON serializable", vtypename(v));
		if (v.u.l->len == 0) {
			bufadds(b, "[]");
			return true;
		}
		bufaddc(b, '[');
		for (i = 0; i < v.u.l->len; i++) {
			if (i)
				bufadds(b, indent >= 0 ? "," : ", ");
			if (indent >= 0)
				jsonnl(b, indent, depth + 1);
			if (!tojson(ev, n, b, v.u.l->v[i], indent, depth + 1))
				return false;
		}
		if (indent >= 0)
			jsonnl(b, indent, depth);
		bufaddc(b, ']');
		return true;
	case VDICT:
		len = v.u.d->len;
		if (len == 0) {
			bufadds(b, "{}");
			return true;
		}
		keys = aalloc(ev->a, len * sizeof(*keys));
		idx = aalloc(ev->a, len * sizeof(*idx));
		for (i = 0; i < len; i++) {
			keys[i] = v.u.d->keys[i];
			idx[i] = vint((int64_t)i);
		}
		if (!sortkeyed(ev, n, keys, idx, len, false))
			return false;
		bufaddc(b, '{');
		for (i = 0; i < len; i++) {
			struct value k = {0};

			if (i)
				bufadds(b, indent >= 0 ? "," : ", ");
			if (indent >= 0)
				jsonnl(b, indent, depth + 1);
			if (!jsonkey(ev, n, v.u.d->keys[idx[i].u.i], &k))
				return false;
			bufjsonstr(b, k.u.s->data, k.u.s->len, JSONASCII | JSONHTML);
			bufadds(b, ": ");
			if (!tojson(ev, n, b, v.u.d->vals[idx[i].u.i], indent, depth + 1))
				return false;
		}
		if (indent >= 0)
			jsonnl(b, indent, depth);
		bufaddc(b, '}');
		return true;
	case VUNDEF:
		return everr(ev, n, "Object of type Undefined is not JSON serializable");
	default:
		return everr(ev, n, "Object of type %s is not JSON serializable", vtypename(v));
	}
}

static struct value
escapehtml(struct ev *ev, struct value v)
{
	struct value s = vtostr(ev->a, v);
	struct buf b = {0};
	size_t i;

	for (i = 0; i < s.u.s->len; i++) {
		switch (s.u.s->data[i]) {
		case '&': bufadds(&b, "&amp;"); break;
		case '<': bufadds(&b, "&lt;"); break;
		case '>': bufadds(&b, "&gt;"); break;
		case '"': bufadds(&b, "&#34;"); break;
		case '\'': bufadds(&b, "&#39;"); break;
		default: bufaddc(&b, s.u.s->data[i]);
		}
	}
	s = strval(ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return s;
}

/* Python's int(str), with the base rules of int(s, base); false if invalid */
static bool
parseint(const char *s, size_t len, int base, int64_t *out, bool *overflow)
{
	const char *p = s, *end = s + len;
	bool neg = false, digit = false;
	unsigned long long u = 0;
	int d;

	*overflow = false;
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (base == 0 || base == 16 || base == 8 || base == 2) {
		if (end - p >= 2 && p[0] == '0' && strchr("xXoObB", p[1]) && p[1]) {
			int b = tolower((unsigned char)p[1]) == 'x' ? 16 : tolower((unsigned char)p[1]) == 'o' ? 8 : 2;

			if (base == 0 || base == b) {
				base = b;
				p += 2;
				if (p < end && *p == '_')
					p++;
			}
		}
		if (base == 0) {
			base = 10;
			/* base 0 forbids leading zeros of non-zero numbers */
			if (end - p > 1 && p[0] == '0') {
				const char *q;

				for (q = p; q < end && (*q == '0' || *q == '_'); q++)
					;
				if (q != end)
					return false;
			}
		}
	}
	for (; p < end; p++) {
		if (*p == '_') {
			if (!digit || p + 1 >= end || p[1] == '_')
				return false;
			continue;
		}
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isalpha((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			return false;
		if (d >= base)
			return false;
		digit = true;
		if (u > (0x8000000000000000ULL - (unsigned)d) / (unsigned)base)
			*overflow = true;
		else
			u = u * (unsigned)base + (unsigned)d;
	}
	if (!digit)
		return false;
	if (!neg && u > 0x7fffffffffffffffULL)
		*overflow = true;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* Python's float(str); false if invalid */
static bool
parsefloat(const char *s, size_t len, double *out)
{
	char buf[128], *e;
	const char *p = s, *end = s + len;
	size_t n = 0;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end || end - p >= (ptrdiff_t)sizeof(buf))
		return false;
	for (; p < end; p++) {
		if (*p == '_') {
			if (n == 0 || !isdigit((unsigned char)buf[n - 1]) || p + 1 >= end || !isdigit((unsigned char)p[1]))
				return false;
			continue;
		}
		buf[n++] = *p;
	}
	buf[n] = '\0';
	/* strtod also takes hex floats and "infinity"/"nan(...)" forms Python rejects */
	if (strpbrk(buf, "xXpP()"))
		return false;
	errno = 0;
	*out = strtod(buf, &e);
	return *e == '\0' && e != buf;
}

static bool
fint(struct ev *ev, const struct node *n, struct value v, struct value *slots, struct value *out)
{
	struct value def = NOTGIVEN(slots[0]) ? vint(0) : slots[0];
	int64_t base = NOTGIVEN(slots[1]) ? 10 : visint(slots[1]) ? vintof(slots[1]) : -1, i;
	bool overflow;
	double f;

	if (base != 0 && (base < 2 || base > 36))
		return everr(ev, n, "int() base must be >= 2 and <= 36, or 0");
	switch (v.type) {
	case VINT:
	case VBOOL:
		*out = vint(vintof(v));
		return true;
	case VFLOAT:
		if (isnan(v.u.f))
			break;
		if (isinf(v.u.f))
			return everr(ev, n, "cannot convert float infinity to integer");
		if (fabs(v.u.f) >= 9.3e18)
			return everr(ev, n, "integer overflow: %g does not fit in 64 bits", v.u.f);
		*out = vint((int64_t)v.u.f);
		return true;
	case VSTR:
		if (parseint(v.u.s->data, v.u.s->len, (int)base, &i, &overflow)) {
			if (overflow)
				return everr(ev, n, "integer overflow: '%s' does not fit in 64 bits", v.u.s->data);
			*out = vint(i);
			return true;
		}
		if (parsefloat(v.u.s->data, v.u.s->len, &f) && !isnan(f)) {
			if (isinf(f))
				return everr(ev, n, "cannot convert float infinity to integer");
			if (fabs(f) >= 9.3e18)
				return everr(ev, n, "integer overflow: '%s' does not fit in 64 bits", v.u.s->data);
			*out = vint((int64_t)f);
			return true;
		}
		break;
	default:
		break;
	}
	*out = def;
	return true;
}

static bool
ffloat(struct ev *ev, struct value v, struct value *slots, struct value *out)
{
	double f;

	(void)ev;
	if (v.type == VFLOAT) {
		*out = v;
		return true;
	}
	if (visint(v)) {
		*out = vfloat((double)vintof(v));
		return true;
	}
	if (v.type == VSTR && parsefloat(v.u.s->data, v.u.s->len, &f)) {
		*out = vfloat(f);
		return true;
	}
	*out = NOTGIVEN(slots[0]) ? vfloat(0) : slots[0];
	return true;
}

static bool
findent(struct ev *ev, const struct node *n, struct value v, struct value *slots, struct value *out)
{
	struct buf ind = {0}, b = {0}, b2 = {0};
	const char *p, *end, *q;
	bool first = !NOTGIVEN(slots[1]) && vtruth(slots[1]);
	bool blank = !NOTGIVEN(slots[2]) && vtruth(slots[2]);
	bool firstline = true;
	int64_t i;

	if (v.type == VUNDEF)
		return undeferr(ev, n, v);
	if (v.type != VSTR)
		return everr(ev, n, "unsupported operand type(s) for +=: '%s' and 'str'", vtypename(v));
	if (NOTGIVEN(slots[0])) {
		bufadds(&ind, "    ");
	} else if (slots[0].type == VSTR) {
		bufadd(&ind, slots[0].u.s->data, slots[0].u.s->len);
	} else if (visint(slots[0])) {
		for (i = 0; i < vintof(slots[0]) && i < 100000; i++)
			bufaddc(&ind, ' ');
	} else {
		return everr(ev, n, "indent width must be an int or a str, not %s", vtypename(slots[0]));
	}
	bufterm(&ind);
	if (first)
		bufadd(&b, ind.data, ind.len);
	/* lines of s + "\n" as str.splitlines gives them; the first kept as is */
	b2.len = 0;
	bufadd(&b2, v.u.s->data, v.u.s->len);
	bufaddc(&b2, '\n');
	p = b2.data;
	end = p + b2.len;
	while (p < end) {
		for (q = p; q < end && *q != '\n' && *q != '\r' && *q != '\v' && *q != '\f' && *q != 0x1c && *q != 0x1d && *q != 0x1e; q++)
			;
		if (!firstline) {
			bufaddc(&b, '\n');
			if (blank || q > p)
				bufadd(&b, ind.data, ind.len);
		}
		bufadd(&b, p, (size_t)(q - p));
		firstline = false;
		if (q < end && *q == '\r' && q + 1 < end && q[1] == '\n')
			q++;
		p = q + 1;
	}
	delbuf(&b2);
	*out = strval(ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	delbuf(&ind);
	return true;
}

static bool
fround(struct ev *ev, const struct node *n, struct value v, struct value *slots, struct value *out)
{
	int64_t prec = NOTGIVEN(slots[0]) ? 0 : visint(slots[0]) ? vintof(slots[0]) : 0;
	const char *method = NOTGIVEN(slots[1]) ? "common" : slots[1].type == VSTR ? slots[1].u.s->data : "";
	double f, m;
	char buf[400];

	if (strcmp(method, "common") && strcmp(method, "ceil") && strcmp(method, "floor"))
		return everr(ev, n, "method must be common, ceil or floor");
	if (v.type == VUNDEF)
		return undeferr(ev, n, v);
	if (!visint(v) && v.type != VFLOAT)
		return everr(ev, n, "type %s doesn't define __round__ method", vtypename(v));
	f = vfloatof(v);
	if (prec < -300 || prec > 300)
		return everr(ev, n, "round precision %lld out of range", (long long)prec);
	if (!strcmp(method, "common")) {
		if (visint(v) && prec >= 0) {
			*out = v.type == VINT ? v : vint(vintof(v));
			return true;
		}
		if (prec >= 0 && isfinite(f)) {
			snprintf(buf, sizeof(buf), "%.*f", (int)prec, f);
			*out = vfloat(strtod(buf, NULL));
		} else {
			m = pow(10, (double)-prec);
			*out = vfloat(nearbyint(f / m) * m);
		}
		if (visint(v))
			*out = vint((int64_t)out->u.f);
		return true;
	}
	m = pow(10, (double)prec);
	f = !strcmp(method, "ceil") ? ceil(f * m) / m : floor(f * m) / m;
	*out = vfloat(f);
	return true;
}

/* item's attribute path attr ("a.b.0", or an int) as jinja2's make_attrgetter reads it */
static bool
attrpath(struct ev *ev, const struct node *n, struct value item, struct value attr, struct value *out)
{
	const char *p, *dot;
	struct value key;
	size_t i, len;
	bool digits;

	if (attr.type != VSTR)
		return getitemv(ev, n, item, attr, out);
	p = attr.u.s->data;
	for (;;) {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		digits = len > 0;
		for (i = 0; i < len; i++) {
			if (!isdigit((unsigned char)p[i]))
				digits = false;
		}
		key = digits ? vint(strtoll(p, NULL, 10)) : strval(ev, p, len);
		if (!getitemv(ev, n, item, key, &item))
			return false;
		if (!dot)
			break;
		p = dot + 1;
	}
	*out = item;
	return true;
}

/* key of item for sort/min/max/unique: its attribute, lowered unless case-sensitive */
static bool
keyof(struct ev *ev, const struct node *n, struct value item, struct value attr, bool cs, struct value *out)
{
	struct value k = item;

	if (!NOTGIVEN(attr) && attr.type != VNONE) {
		if (!attrpath(ev, n, item, attr, &k))
			return false;
	}
	*out = cs ? k : lowerv(ev, k);
	return true;
}

static bool
dotest(struct ev *ev, const struct node *n, const char *name, struct value item, struct value *args, size_t nargs, bool *res)
{
	int id = tmpltestid(name);

	if (id < 0)
		return everr(ev, n, "no test named '%s'", name);
	return calltest(ev, n, id, item, args, nargs, NULL, 0, res);
}

/* select, reject, selectattr, rejectattr */
static bool
fselect(struct ev *ev, const struct node *n, struct value v, struct value *args, size_t nargs, bool attr, bool keep, struct value *out)
{
	struct vlist *items;
	struct value item, name;
	size_t i, skip = attr ? 2 : 1;
	bool r;

	if (!itemsof(ev, n, v, &items))
		return false;
	if (attr && nargs < 1)
		return everr(ev, n, "missing the attribute name to test");
	*out = listof(ev, items->len);
	for (i = 0; i < items->len; i++) {
		item = items->v[i];
		if (attr && !attrpath(ev, n, item, args[0], &item))
			return false;
		if (nargs >= skip) {
			name = args[skip - 1];
			if (name.type != VSTR)
				return everr(ev, n, "the test name must be a string");
			if (!dotest(ev, n, name.u.s->data, item, args + skip, nargs - skip, &r))
				return false;
		} else {
			r = vtruth(item);
		}
		if (r == keep)
			vlistpush(ev->a, out->u.l, items->v[i]);
	}
	return true;
}

static bool
fmap(struct ev *ev, const struct node *n, struct value v, struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	struct vlist *items;
	struct value attr = {0}, def = {0}, item;
	size_t i;
	int id;
	bool hasattr = false, hasdef = false;

	for (i = 0; i < nkw; i++) {
		if (!strcmp(kw[i].name, "attribute")) {
			attr = kw[i].val;
			hasattr = true;
		} else if (!strcmp(kw[i].name, "default")) {
			def = kw[i].val;
			hasdef = true;
		} else {
			return everr(ev, n, "map got an unexpected keyword argument '%s'", kw[i].name);
		}
	}
	if (!itemsof(ev, n, v, &items))
		return false;
	*out = listof(ev, items->len);
	if (hasattr) {
		if (nargs)
			return everr(ev, n, "map with attribute= takes no positional arguments");
		for (i = 0; i < items->len; i++) {
			if (!attrpath(ev, n, items->v[i], attr, &item))
				return false;
			if (item.type == VUNDEF && hasdef)
				item = def;
			vlistpush(ev->a, out->u.l, item);
		}
		return true;
	}
	if (nargs < 1 || args[0].type != VSTR)
		return everr(ev, n, "map needs a filter name or attribute=");
	id = tmplfilterid(args[0].u.s->data);
	if (id < 0)
		return everr(ev, n, "no filter named '%s'", args[0].u.s->data);
	for (i = 0; i < items->len; i++) {
		if (!callfilter(ev, n, id, items->v[i], args + 1, nargs - 1, kw, nkw, &item))
			return false;
		vlistpush(ev->a, out->u.l, item);
	}
	return true;
}

/* one call of a filter: what it applies to and its arguments */
struct fcall {
	struct ev *ev;
	const struct node *n;
	const char *name;
	struct value in;
	struct value *args;	/* as the call gave them */
	size_t nargs;
	struct kwarg *kw;
	size_t nkw;
	struct value s[4];	/* the parameters bound to them, for a filter of arity >= 0 */
};

static bool
filterdefault(struct fcall *c, struct value *out)
{
	struct value *s = c->s;

	if (c->in.type == VUNDEF || (!NOTGIVEN(s[1]) && vtruth(s[1]) && !vtruth(c->in)))
		*out = NOTGIVEN(s[0]) ? strval(c->ev, "", 0) : s[0];
	else
		*out = c->in;
	return true;
}

static bool
filterlength(struct fcall *c, struct value *out)
{
	struct value in = c->in;

	if (in.type != VUNDEF && in.type != VSTR && in.type != VLIST && in.type != VTUPLE && in.type != VRANGE && in.type != VDICT)
		return everr(c->ev, c->n, "object of type '%s' has no len()", vtypename(in));
	*out = vint((int64_t)vlength(in));
	return true;
}

/* the input as a string: undefined is "" */
static struct value
instr(struct fcall *c)
{
	return c->in.type == VUNDEF ? strval(c->ev, "", 0) : vtostr(c->ev->a, c->in);
}

static bool
filterstring(struct fcall *c, struct value *out)
{
	*out = instr(c);
	return true;
}

static bool
filterlist(struct fcall *c, struct value *out)
{
	struct vlist *items;
	size_t i;

	if (!itemsof(c->ev, c->n, c->in, &items))
		return false;
	*out = listof(c->ev, items->len);
	for (i = 0; i < items->len; i++)
		vlistpush(c->ev->a, out->u.l, items->v[i]);
	return true;
}

static bool
filterjoin(struct fcall *c, struct value *out)
{
	struct value *s = c->s;
	struct vlist *items;
	struct buf b = {0};
	size_t i;

	if (!itemsof(c->ev, c->n, c->in, &items))
		return false;
	for (i = 0; i < items->len; i++) {
		struct value item = items->v[i];

		if (i && !NOTGIVEN(s[0]))
			vstrto(&b, s[0]);
		if (!NOTGIVEN(s[1]) && s[1].type != VNONE && !attrpath(c->ev, c->n, item, s[1], &item)) {
			delbuf(&b);
			return false;
		}
		vstrto(&b, item);
	}
	*out = strval(c->ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return true;
}

/* first and last */
static bool
endof(struct fcall *c, bool first, struct value *out)
{
	struct vlist *items;

	if (!itemsof(c->ev, c->n, c->in, &items))
		return false;
	if (items->len == 0)
		*out = vundef(c->ev->a, first ? "No first item, sequence was empty." : "No last item, sequence was empty.");
	else
		*out = items->v[first ? 0 : items->len - 1];
	return true;
}

static bool
filterfirst(struct fcall *c, struct value *out)
{
	return endof(c, true, out);
}

static bool
filterlast(struct fcall *c, struct value *out)
{
	return endof(c, false, out);
}

/* lower, upper, capitalize, title (jinja2's, which differs from str.title) */
static bool
filtercase(struct fcall *c, struct value *out)
{
	const char *m = c->name;

	*out = casemap(c->ev, instr(c), m[0] == 'l' ? 'l' : m[0] == 'u' ? 'u' : m[0] == 'c' ? 'c' : 'T');
	return true;
}

static bool
filtertrim(struct fcall *c, struct value *out)
{
	return callmethod(c->ev, c->n, instr(c), "strip", c->s, NOTGIVEN(c->s[0]) ? 0 : 1, NULL, 0, out);
}

static bool
filtercenter(struct fcall *c, struct value *out)
{
	struct value width = NOTGIVEN(c->s[0]) ? vint(80) : c->s[0];

	return callmethod(c->ev, c->n, instr(c), "center", &width, 1, NULL, 0, out);
}

static bool
filterreplace(struct fcall *c, struct value *out)
{
	struct value *s = c->s, in;

	if (NOTGIVEN(s[0]) || NOTGIVEN(s[1]))
		return everr(c->ev, c->n, "the replace filter needs the old and new strings");
	in = instr(c);
	s[0] = vtostr(c->ev->a, s[0]);
	s[1] = vtostr(c->ev->a, s[1]);
	if (NOTGIVEN(s[2]) || s[2].type == VNONE)
		s[2] = vint(-1);
	return callmethod(c->ev, c->n, in, "replace", s, 3, NULL, 0, out);
}

static bool
filterint(struct fcall *c, struct value *out)
{
	if (c->in.type == VUNDEF)
		return undeferr(c->ev, c->n, c->in);
	return fint(c->ev, c->n, c->in, c->s, out);
}

static bool
filterfloat(struct fcall *c, struct value *out)
{
	if (c->in.type == VUNDEF)
		return undeferr(c->ev, c->n, c->in);
	return ffloat(c->ev, c->in, c->s, out);
}

static bool
filterabs(struct fcall *c, struct value *out)
{
	struct value in = c->in;

	if (in.type == VUNDEF)
		return undeferr(c->ev, c->n, in);
	if (visint(in)) {
		if (vintof(in) == INT64_MIN)
			return everr(c->ev, c->n, "integer overflow: the result does not fit in 64 bits");
		*out = vint(vintof(in) < 0 ? -vintof(in) : vintof(in));
	} else if (in.type == VFLOAT) {
		*out = vfloat(fabs(in.u.f));
	} else {
		return everr(c->ev, c->n, "bad operand type for abs(): '%s'", vtypename(in));
	}
	return true;
}

static bool
filterindent(struct fcall *c, struct value *out)
{
	return findent(c->ev, c->n, c->in, c->s, out);
}

static bool
filtertojson(struct fcall *c, struct value *out)
{
	struct value *s = c->s;
	struct buf b = {0};

	if (!tojson(c->ev, c->n, &b, c->in, NOTGIVEN(s[0]) || s[0].type == VNONE ? -1 : visint(s[0]) ? (int)vintof(s[0]) : 0, 0)) {
		delbuf(&b);
		return false;
	}
	*out = strval(c->ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return true;
}

static bool
filterdictsort(struct fcall *c, struct value *out)
{
	struct ev *ev = c->ev;
	struct value *s = c->s, in = c->in, *keys;
	bool byvalue = false, cs;
	size_t i;

	if (in.type != VDICT) {
		if (in.type == VUNDEF)
			return undeferr(ev, c->n, in);
		return everr(ev, c->n, "dictsort needs a dict, not %s", vtypename(in));
	}
	if (!NOTGIVEN(s[1])) {
		if (s[1].type == VSTR && !strcmp(s[1].u.s->data, "value"))
			byvalue = true;
		else if (s[1].type != VSTR || strcmp(s[1].u.s->data, "key"))
			return everr(ev, c->n, "You can only sort by either \"key\" or \"value\"");
	}
	cs = !NOTGIVEN(s[0]) && vtruth(s[0]);
	*out = listof(ev, in.u.d->len);
	keys = aalloc(ev->a, (in.u.d->len + 1) * sizeof(*keys));
	for (i = 0; i < in.u.d->len; i++) {
		struct value t = vlist(ev->a, 2, true);

		vlistpush(ev->a, t.u.l, in.u.d->keys[i]);
		vlistpush(ev->a, t.u.l, in.u.d->vals[i]);
		vlistpush(ev->a, out->u.l, t);
		keys[i] = byvalue ? in.u.d->vals[i] : in.u.d->keys[i];
		if (!cs)
			keys[i] = lowerv(ev, keys[i]);
	}
	return sortkeyed(ev, c->n, keys, out->u.l->v, out->u.l->len, !NOTGIVEN(s[2]) && vtruth(s[2]));
}

/* the items of the input and their sort keys (attribute, case_sensitive) */
static bool
keyed(struct fcall *c, struct value attr, bool cs, struct vlist **items, struct value **keys)
{
	size_t i;

	if (!itemsof(c->ev, c->n, c->in, items))
		return false;
	*keys = aalloc(c->ev->a, ((*items)->len + 1) * sizeof(**keys));
	for (i = 0; i < (*items)->len; i++) {
		if (!keyof(c->ev, c->n, (*items)->v[i], attr, cs, &(*keys)[i]))
			return false;
	}
	return true;
}

/* the items of the input sorted by their keys, into *out */
static bool
sortedby(struct fcall *c, struct value attr, bool cs, bool reverse, struct vlist **items, struct value **keys, struct value *out)
{
	size_t i;

	if (!keyed(c, attr, cs, items, keys))
		return false;
	*out = listof(c->ev, (*items)->len);
	for (i = 0; i < (*items)->len; i++)
		vlistpush(c->ev->a, out->u.l, (*items)->v[i]);
	return sortkeyed(c->ev, c->n, *keys, out->u.l->v, (*items)->len, reverse);
}

static bool
filtersort(struct fcall *c, struct value *out)
{
	struct value *s = c->s, *keys;
	struct vlist *items;

	return sortedby(c, s[2], !NOTGIVEN(s[1]) && vtruth(s[1]), !NOTGIVEN(s[0]) && vtruth(s[0]), &items, &keys, out);
}

static bool
filterunique(struct fcall *c, struct value *out)
{
	struct value *keys;
	struct vlist *items;
	size_t i, j;

	if (!keyed(c, c->s[1], !NOTGIVEN(c->s[0]) && vtruth(c->s[0]), &items, &keys))
		return false;
	*out = listof(c->ev, items->len);
	for (i = 0; i < items->len; i++) {
		for (j = 0; j < i && !veq(keys[j], keys[i]); j++)
			;
		if (j == i)
			vlistpush(c->ev->a, out->u.l, items->v[i]);
	}
	return true;
}

static bool
filtermin(struct fcall *c, struct value *out)
{
	struct value *keys;
	struct vlist *items;

	if (!sortedby(c, c->s[1], !NOTGIVEN(c->s[0]) && vtruth(c->s[0]), false, &items, &keys, out))
		return false;
	/* min is the first of the sorted */
	if (items->len == 0)
		*out = vundef(c->ev->a, "No aggregated item, sequence was empty.");
	else
		*out = out->u.l->v[0];
	return true;
}

static bool
filtermax(struct fcall *c, struct value *out)
{
	struct value *keys, best;
	struct vlist *items;
	size_t i, j = 0;

	if (!sortedby(c, c->s[1], !NOTGIVEN(c->s[0]) && vtruth(c->s[0]), false, &items, &keys, out))
		return false;
	if (items->len == 0) {
		*out = vundef(c->ev->a, "No aggregated item, sequence was empty.");
		return true;
	}
	/* max is the first of the greatest, in the input's order */
	best = keys[0];
	for (i = 1; i < items->len; i++) {
		int cmp;

		if (vcmp(keys[i], best, &cmp) && cmp == 1) {
			best = keys[i];
			j = i;
		}
	}
	*out = items->v[j];
	return true;
}

static bool
filtersum(struct fcall *c, struct value *out)
{
	struct value *s = c->s, acc = NOTGIVEN(s[1]) ? vint(0) : s[1], item;
	struct vlist *items;
	size_t i;

	if (!itemsof(c->ev, c->n, c->in, &items))
		return false;
	for (i = 0; i < items->len; i++) {
		item = items->v[i];
		if (!NOTGIVEN(s[0]) && s[0].type != VNONE && !attrpath(c->ev, c->n, item, s[0], &item))
			return false;
		if (!binop(c->ev, c->n, TADD, acc, item, &acc))
			return false;
	}
	*out = acc;
	return true;
}

static bool
filterreverse(struct fcall *c, struct value *out)
{
	struct vlist *items;
	struct buf b = {0};
	size_t i;

	if (c->in.type == VSTR) {
		if (!itemsof(c->ev, c->n, c->in, &items))
			return false;
		for (i = items->len; i-- > 0;)
			bufadd(&b, items->v[i].u.s->data, items->v[i].u.s->len);
		*out = strval(c->ev, b.data ? b.data : "", b.len);
		delbuf(&b);
		return true;
	}
	if (c->in.type == VUNDEF)
		return undeferr(c->ev, c->n, c->in);
	if (!itemsof(c->ev, c->n, c->in, &items))
		return false;
	*out = listof(c->ev, items->len);
	for (i = items->len; i-- > 0;)
		vlistpush(c->ev->a, out->u.l, items->v[i]);
	return true;
}

static bool
filterround(struct fcall *c, struct value *out)
{
	return fround(c->ev, c->n, c->in, c->s, out);
}

static bool
filteritems(struct fcall *c, struct value *out)
{
	if (c->in.type == VUNDEF) {
		*out = listof(c->ev, 0);
		return true;
	}
	if (c->in.type != VDICT)
		return everr(c->ev, c->n, "Can only get item pairs from a mapping.");
	return callmethod(c->ev, c->n, c->in, "items", NULL, 0, NULL, 0, out);
}

static bool
filterattr(struct fcall *c, struct value *out)
{
	struct value *s = c->s, in = c->in;

	if (NOTGIVEN(s[0]) || s[0].type != VSTR)
		return everr(c->ev, c->n, "attr needs the attribute name as a string");
	if (in.type == VUNDEF)
		return undeferr(c->ev, c->n, in);
	if (in.type == VDICT || in.type == VSTR || in.type == VLIST || in.type == VTUPLE) {
		struct value m;

		if (getattrv(c->ev, c->n, in, s[0].u.s->data, &m) && m.type == VMETHOD) {
			*out = m;
			return true;
		}
	}
	*out = undefattr(c->ev, in, s[0]);
	return true;
}

static bool
filterescape(struct fcall *c, struct value *out)
{
	*out = escapehtml(c->ev, c->in.type == VUNDEF ? strval(c->ev, "", 0) : c->in);
	return true;
}

static bool
filterwordcount(struct fcall *c, struct value *out)
{
	struct value str = instr(c);
	int64_t words = 0;
	bool inword = false;
	size_t i;

	for (i = 0; i < str.u.s->len; i++) {
		unsigned char ch = (unsigned char)str.u.s->data[i];
		bool w = isalnum(ch) || ch == '_' || ch >= 0x80;

		if (w && !inword)
			words++;
		inword = w;
	}
	*out = vint(words);
	return true;
}

static bool
filtermap(struct fcall *c, struct value *out)
{
	return fmap(c->ev, c->n, c->in, c->args, c->nargs, c->kw, c->nkw, out);
}

/* select, reject, selectattr, rejectattr: keyword arguments are refused */
static bool
selectby(struct fcall *c, bool attr, bool keep, struct value *out)
{
	if (c->nkw)
		return everr(c->ev, c->n, "%s takes no keyword arguments", c->name);
	return fselect(c->ev, c->n, c->in, c->args, c->nargs, attr, keep, out);
}

static bool
filterselect(struct fcall *c, struct value *out)
{
	return selectby(c, false, true, out);
}

static bool
filterreject(struct fcall *c, struct value *out)
{
	return selectby(c, false, false, out);
}

static bool
filterselectattr(struct fcall *c, struct value *out)
{
	return selectby(c, true, true, out);
}

static bool
filterrejectattr(struct fcall *c, struct value *out)
{
	return selectby(c, true, false, out);
}

static bool
filterformat(struct fcall *c, struct value *out)
{
	struct ev *ev = c->ev;
	struct value t;
	size_t i;

	if (c->in.type != VSTR)
		return everr(ev, c->n, "the format filter needs a string to format, not %s", vtypename(c->in));
	if (c->nargs && c->nkw)
		return everr(ev, c->n, "can't handle positional and keyword arguments at the same time");
	if (c->nkw) {
		t = vdict(ev->a);
		for (i = 0; i < c->nkw; i++)
			vdictset(ev->a, t.u.d, strval(ev, c->kw[i].name, strlen(c->kw[i].name)), c->kw[i].val);
	} else {
		t = vlist(ev->a, c->nargs, true);
		for (i = 0; i < c->nargs; i++)
			vlistpush(ev->a, t.u.l, c->args[i]);
	}
	return pyformatpct(ev, c->n, c->in, t, out);
}

/*
 * the filters, sorted by name: the function, then how many parameters it
 * binds (bindargs, by position or by name) and their names; arity -1 is a
 * filter that reads the call's arguments itself
 */
static const struct filterdef {
	const char *name;
	bool (*fn)(struct fcall *c, struct value *out);
	int arity;
	const char *params[4];
} filters[] = {
	{"abs", filterabs, 0, {0}},
	{"attr", filterattr, 1, {"name"}},
	{"capitalize", filtercase, 0, {0}},
	{"center", filtercenter, 1, {"width"}},
	{"count", filterlength, 0, {0}},
	{"d", filterdefault, 2, {"default_value", "boolean"}},
	{"default", filterdefault, 2, {"default_value", "boolean"}},
	{"dictsort", filterdictsort, 3, {"case_sensitive", "by", "reverse"}},
	{"e", filterescape, 0, {0}},
	{"escape", filterescape, 0, {0}},
	{"first", filterfirst, 0, {0}},
	{"float", filterfloat, 1, {"default"}},
	{"forceescape", filterescape, 0, {0}},
	{"format", filterformat, -1, {0}},
	{"indent", filterindent, 3, {"width", "first", "blank"}},
	{"int", filterint, 2, {"default", "base"}},
	{"items", filteritems, 0, {0}},
	{"join", filterjoin, 2, {"d", "attribute"}},
	{"last", filterlast, 0, {0}},
	{"length", filterlength, 0, {0}},
	{"list", filterlist, 0, {0}},
	{"lower", filtercase, 0, {0}},
	{"map", filtermap, -1, {0}},
	{"max", filtermax, 2, {"case_sensitive", "attribute"}},
	{"min", filtermin, 2, {"case_sensitive", "attribute"}},
	{"reject", filterreject, -1, {0}},
	{"rejectattr", filterrejectattr, -1, {0}},
	{"replace", filterreplace, 3, {"old", "new", "count"}},
	{"reverse", filterreverse, 0, {0}},
	{"round", filterround, 2, {"precision", "method"}},
	{"safe", filterstring, 0, {0}},
	{"select", filterselect, -1, {0}},
	{"selectattr", filterselectattr, -1, {0}},
	{"sort", filtersort, 3, {"reverse", "case_sensitive", "attribute"}},
	{"string", filterstring, 0, {0}},
	{"sum", filtersum, 2, {"attribute", "start"}},
	{"title", filtercase, 0, {0}},
	{"tojson", filtertojson, 1, {"indent"}},
	{"trim", filtertrim, 1, {"chars"}},
	{"unique", filterunique, 2, {"case_sensitive", "attribute"}},
	{"upper", filtercase, 0, {0}},
	{"wordcount", filterwordcount, 0, {0}},
};

bool
callfilter(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	const struct filterdef *f = &filters[id];
	struct fcall c = {ev, n, f->name, in, args, nargs, kw, nkw, {{0}}};
	char what[64];

	if (f->arity >= 0) {
		snprintf(what, sizeof(what), "filter '%s'", f->name);
		if (!bindargs(ev, n, what, f->params, args, nargs, kw, nkw, c.s))
			return false;
	}
	return f->fn(&c, out);
}

static bool
sameas(struct value a, struct value b)
{
	if (a.type != b.type)
		return false;
	switch (a.type) {
	case VNONE:
	case VUNDEF:
		return true;
	case VBOOL:
		return a.u.b == b.u.b;
	case VINT:
		/* CPython caches the small ints only */
		return a.u.i == b.u.i && a.u.i >= -5 && a.u.i <= 256;
	case VSTR:
		return a.u.s == b.u.s;
	case VFLOAT:
		return false;
	default:
		return a.u.p == b.u.p;
	}
}

/* one call of a test: what it tests and its one argument (None without) */
struct tcall {
	struct ev *ev;
	const struct node *n;
	struct value in, arg;
};

static bool testdefined(struct tcall *c, bool *out) { *out = c->in.type != VUNDEF; return true; }
static bool testundefined(struct tcall *c, bool *out) { *out = c->in.type == VUNDEF; return true; }
static bool testnone(struct tcall *c, bool *out) { *out = c->in.type == VNONE; return true; }
static bool testboolean(struct tcall *c, bool *out) { *out = c->in.type == VBOOL; return true; }
static bool testtrue(struct tcall *c, bool *out) { *out = c->in.type == VBOOL && c->in.u.b; return true; }
static bool testfalse(struct tcall *c, bool *out) { *out = c->in.type == VBOOL && !c->in.u.b; return true; }
static bool testinteger(struct tcall *c, bool *out) { *out = c->in.type == VINT; return true; }
static bool testfloat(struct tcall *c, bool *out) { *out = c->in.type == VFLOAT; return true; }
static bool testnumber(struct tcall *c, bool *out) { *out = visnum(c->in); return true; }
static bool teststring(struct tcall *c, bool *out) { *out = c->in.type == VSTR; return true; }
static bool testmapping(struct tcall *c, bool *out) { *out = c->in.type == VDICT; return true; }
static bool testcallable(struct tcall *c, bool *out) { *out = c->in.type == VMETHOD || c->in.type == VFUNC; return true; }
static bool testescaped(struct tcall *c, bool *out) { (void)c; *out = false; return true; }
static bool testfilter(struct tcall *c, bool *out) { *out = c->in.type == VSTR && tmplfilterid(c->in.u.s->data) >= 0; return true; }
static bool testtest(struct tcall *c, bool *out) { *out = c->in.type == VSTR && tmpltestid(c->in.u.s->data) >= 0; return true; }
static bool testsameas(struct tcall *c, bool *out) { *out = sameas(c->in, c->arg); return true; }
static bool testin(struct tcall *c, bool *out) { return compare(c->ev, c->n, CMPIN, c->in, c->arg, out); }
static bool testeq(struct tcall *c, bool *out) { return compare(c->ev, c->n, TEQ, c->in, c->arg, out); }
static bool testne(struct tcall *c, bool *out) { return compare(c->ev, c->n, TNE, c->in, c->arg, out); }
static bool testlt(struct tcall *c, bool *out) { return compare(c->ev, c->n, TLT, c->in, c->arg, out); }
static bool testle(struct tcall *c, bool *out) { return compare(c->ev, c->n, TLTEQ, c->in, c->arg, out); }
static bool testgt(struct tcall *c, bool *out) { return compare(c->ev, c->n, TGT, c->in, c->arg, out); }
static bool testge(struct tcall *c, bool *out) { return compare(c->ev, c->n, TGTEQ, c->in, c->arg, out); }

static bool
testiterable(struct tcall *c, bool *out)
{
	enum vtype t = c->in.type;

	*out = t == VSTR || t == VLIST || t == VTUPLE || t == VRANGE || t == VDICT || t == VUNDEF;
	return true;
}

static bool
testlower(struct tcall *c, bool *out)
{
	*out = iscase(c->ev, c->in.type == VUNDEF ? strval(c->ev, "", 0) : vtostr(c->ev->a, c->in), 'l');
	return true;
}

static bool
testupper(struct tcall *c, bool *out)
{
	*out = iscase(c->ev, c->in.type == VUNDEF ? strval(c->ev, "", 0) : vtostr(c->ev->a, c->in), 'u');
	return true;
}

/* value % by == 0, with Python's %, as jinja2's even, odd and divisibleby compute it */
static bool
modzero(struct tcall *c, struct value by, bool *out)
{
	struct value r;

	if (!binop(c->ev, c->n, TMOD, c->in, by, &r))
		return false;
	*out = !vtruth(r);
	return true;
}

static bool
testeven(struct tcall *c, bool *out)
{
	return modzero(c, vint(2), out);
}

static bool
testodd(struct tcall *c, bool *out)
{
	if (!modzero(c, vint(2), out))
		return false;
	*out = !*out;
	return true;
}

static bool
testdivisibleby(struct tcall *c, bool *out)
{
	return modzero(c, c->arg, out);
}

/* the tests, sorted by name (the operators last): the function and the number of arguments it takes, exactly */
static const struct testdef {
	const char *name;
	bool (*fn)(struct tcall *c, bool *out);
	int arity;
} tests[] = {
	{"boolean", testboolean, 0},
	{"callable", testcallable, 0},
	{"defined", testdefined, 0},
	{"divisibleby", testdivisibleby, 1},
	{"eq", testeq, 1},
	{"equalto", testeq, 1},
	{"escaped", testescaped, 0},
	{"even", testeven, 0},
	{"false", testfalse, 0},
	{"filter", testfilter, 0},
	{"float", testfloat, 0},
	{"ge", testge, 1},
	{"gt", testgt, 1},
	{"greaterthan", testgt, 1},
	{"in", testin, 1},
	{"integer", testinteger, 0},
	{"iterable", testiterable, 0},
	{"le", testle, 1},
	{"lower", testlower, 0},
	{"lessthan", testlt, 1},
	{"lt", testlt, 1},
	{"mapping", testmapping, 0},
	{"ne", testne, 1},
	{"none", testnone, 0},
	{"number", testnumber, 0},
	{"odd", testodd, 0},
	{"sameas", testsameas, 1},
	{"sequence", testiterable, 0},
	{"string", teststring, 0},
	{"test", testtest, 0},
	{"true", testtrue, 0},
	{"undefined", testundefined, 0},
	{"upper", testupper, 0},
	{"==", testeq, 1},
	{"!=", testne, 1},
	{"<", testlt, 1},
	{"<=", testle, 1},
	{">", testgt, 1},
	{">=", testge, 1},
};

bool
calltest(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, bool *out)
{
	const struct testdef *t = &tests[id];
	struct tcall c = {ev, n, in, nargs ? args[0] : vnone()};

	if (nkw)
		return everr(ev, n, "test '%s' got an unexpected keyword argument '%s'", t->name, kw[0].name);
	if (t->arity == 1 && nargs != 1)
		return everr(ev, n, "test '%s' takes exactly one argument (%zu given)", t->name, nargs);
	if (t->arity == 0 && nargs != 0)
		return everr(ev, n, "test '%s' takes no arguments (%zu given)", t->name, nargs);
	return t->fn(&c, out);
}

/* jinja2's other builtin filters, which imagegen does not render */
static const char *const missingfilters[] = {
	"batch", "filesizeformat", "groupby", "pprint", "random", "slice", "striptags",
	"truncate", "urlencode", "urlize", "wordwrap", "xmlattr",
};

int
tmplfilterid(const char *name)
{
	size_t i;

	for (i = 0; i < LEN(filters); i++) {
		if (!strcmp(filters[i].name, name))
			return (int)i;
	}
	return -1;
}

int
tmpltestid(const char *name)
{
	size_t i;

	for (i = 0; i < LEN(tests); i++) {
		if (!strcmp(tests[i].name, name))
			return (int)i;
	}
	return -1;
}

bool
tmplfiltermissing(const char *name)
{
	size_t i;

	for (i = 0; i < LEN(missingfilters); i++) {
		if (!strcmp(missingfilters[i], name))
			return true;
	}
	return false;
}
