#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_ev.h"

enum {
	FABS, FATTR, FCAPITALIZE, FCENTER, FCOUNT, FD, FDEFAULT, FDICTSORT, FE, FESCAPE,
	FFIRST, FFLOAT, FFORCEESCAPE, FFORMAT, FINDENT, FINT, FITEMS, FJOIN, FLAST,
	FLENGTH, FLIST, FLOWER, FMAP, FMAX, FMIN, FREJECT, FREJECTATTR, FREPLACE,
	FREVERSE, FROUND, FSAFE, FSELECT, FSELECTATTR, FSORT, FSTRING, FSUM, FTITLE,
	FTOJSON, FTRIM, FUNIQUE, FUPPER, FWORDCOUNT,
};

static const char *const filternames[] = {
	"abs", "attr", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
	"first", "float", "forceescape", "format", "indent", "int", "items", "join", "last",
	"length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace",
	"reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title",
	"tojson", "trim", "unique", "upper", "wordcount",
};

/* jinja2's other builtin filters, which imagegen does not render */
static const char *const missingfilters[] = {
	"batch", "filesizeformat", "groupby", "pprint", "random", "slice", "striptags",
	"truncate", "urlencode", "urlize", "wordwrap", "xmlattr",
};

enum {
	TBOOLEAN, TCALLABLE, TDEFINED, TDIVISIBLEBY, TEQTEST, TEQUALTO, TESCAPED, TEVEN,
	TFALSE, TFILTER, TFLOATTEST, TGE, TGTTEST, TGREATERTHAN, TIN, TINTEGER, TITERABLE,
	TLE, TLOWER, TLESSTHAN, TLTTEST, TMAPPING, TNETEST, TNONE, TNUMBER, TODD, TSAMEAS,
	TSEQUENCE, TSTRINGTEST, TTEST, TTRUE, TUNDEFINED, TUPPER,
	TOPEQ, TOPNE, TOPLT, TOPLE, TOPGT, TOPGE,
};

static const char *const testnames[] = {
	"boolean", "callable", "defined", "divisibleby", "eq", "equalto", "escaped", "even",
	"false", "filter", "float", "ge", "gt", "greaterthan", "in", "integer", "iterable",
	"le", "lower", "lessthan", "lt", "mapping", "ne", "none", "number", "odd", "sameas",
	"sequence", "string", "test", "true", "undefined", "upper",
	"==", "!=", "<", "<=", ">", ">=",
};

static int
findname(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], name))
			return (int)i;
	}
	return -1;
}

int
tmplfilterid(const char *name)
{
	return findname(filternames, LEN(filternames), name);
}

int
tmpltestid(const char *name)
{
	return findname(testnames, LEN(testnames), name);
}

bool
tmplfiltermissing(const char *name)
{
	return findname(missingfilters, LEN(missingfilters), name) >= 0;
}

static bool
isint(struct value v)
{
	return v.type == VINT || v.type == VBOOL;
}

static int64_t
intof(struct value v)
{
	return v.type == VINT ? v.u.i : v.u.b;
}

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
jsonstr(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	unsigned long c;

	bufaddc(b, '"');
	for (i = 0; i < len; i += k) {
		c = u[i];
		k = 1;
		if (c >= 0x80) {
			int extra = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;

			if (extra == 0 || i + (size_t)extra >= len + 0 + (i + (size_t)extra < len ? 0 : 1)) {
				bufprintf(b, "\\u%04lx", c);
				continue;
			}
			c &= extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07;
			for (k = 1; k <= (size_t)extra; k++)
				c = c << 6 | (u[i + k] & 0x3f);
			if (c >= 0x10000) {
				c -= 0x10000;
				bufprintf(b, "\\u%04lx\\u%04lx", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
			} else {
				bufprintf(b, "\\u%04lx", c);
			}
			continue;
		}
		switch (c) {
		case '"': bufadds(b, "\\\""); break;
		case '\\': bufadds(b, "\\\\"); break;
		case '\n': bufadds(b, "\\n"); break;
		case '\r': bufadds(b, "\\r"); break;
		case '\t': bufadds(b, "\\t"); break;
		case '\b': bufadds(b, "\\b"); break;
		case '\f': bufadds(b, "\\f"); break;
		case '<': bufadds(b, "\\u003c"); break;
		case '>': bufadds(b, "\\u003e"); break;
		case '&': bufadds(b, "\\u0026"); break;
		case '\'': bufadds(b, "\\u0027"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				bufprintf(b, c == 0x7f ? "\x7f" : "\\u%04lx", c);
			else
				bufaddc(b, (int)c);
		}
	}
	bufaddc(b, '"');
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
		jsonstr(b, v.u.s->data, v.u.s->len);
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
			jsonstr(b, k.u.s->data, k.u.s->len);
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
	int64_t base = NOTGIVEN(slots[1]) ? 10 : isint(slots[1]) ? intof(slots[1]) : -1, i;
	bool overflow;
	double f;

	if (base != 0 && (base < 2 || base > 36))
		return everr(ev, n, "int() base must be >= 2 and <= 36, or 0");
	switch (v.type) {
	case VINT:
	case VBOOL:
		*out = vint(intof(v));
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
	if (isint(v)) {
		*out = vfloat((double)intof(v));
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
	} else if (isint(slots[0])) {
		for (i = 0; i < intof(slots[0]) && i < 100000; i++)
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
	int64_t prec = NOTGIVEN(slots[0]) ? 0 : isint(slots[0]) ? intof(slots[0]) : 0;
	const char *method = NOTGIVEN(slots[1]) ? "common" : slots[1].type == VSTR ? slots[1].u.s->data : "";
	double f, m;
	char buf[400];

	if (strcmp(method, "common") && strcmp(method, "ceil") && strcmp(method, "floor"))
		return everr(ev, n, "method must be common, ceil or floor");
	if (v.type == VUNDEF)
		return undeferr(ev, n, v);
	if (!isint(v) && v.type != VFLOAT)
		return everr(ev, n, "type %s doesn't define __round__ method", vtypename(v));
	f = v.type == VFLOAT ? v.u.f : (double)intof(v);
	if (prec < -300 || prec > 300)
		return everr(ev, n, "round precision %lld out of range", (long long)prec);
	if (!strcmp(method, "common")) {
		if (isint(v) && prec >= 0) {
			*out = v.type == VINT ? v : vint(intof(v));
			return true;
		}
		if (prec >= 0 && isfinite(f)) {
			snprintf(buf, sizeof(buf), "%.*f", (int)prec, f);
			*out = vfloat(strtod(buf, NULL));
		} else {
			m = pow(10, (double)-prec);
			*out = vfloat(nearbyint(f / m) * m);
		}
		if (isint(v))
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

static const char *const pdefault[] = {"default_value", "boolean", NULL};
static const char *const pjoin[] = {"d", "attribute", NULL};
static const char *const pdictsort[] = {"case_sensitive", "by", "reverse", NULL};
static const char *const pint[] = {"default", "base", NULL};
static const char *const pfloat[] = {"default", NULL};
static const char *const preplace[] = {"old", "new", "count", NULL};
static const char *const ptrim[] = {"chars", NULL};
static const char *const pindent[] = {"width", "first", "blank", NULL};
static const char *const ptojson[] = {"indent", NULL};
static const char *const pcenter[] = {"width", NULL};
static const char *const pround[] = {"precision", "method", NULL};
static const char *const psum[] = {"attribute", "start", NULL};
static const char *const pminmax[] = {"case_sensitive", "attribute", NULL};
static const char *const psort[] = {"reverse", "case_sensitive", "attribute", NULL};
static const char *const punique[] = {"case_sensitive", "attribute", NULL};
static const char *const pattr[] = {"name", NULL};
static const char *const pnone[] = {NULL};

bool
callfilter(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	const char *const *params = pnone;
	struct value s[4], *keys;
	struct vlist *items;
	struct buf b = {0};
	size_t i, j;
	char what[64];
	bool cs;

	switch (id) {
	case FD: case FDEFAULT: params = pdefault; break;
	case FJOIN: params = pjoin; break;
	case FDICTSORT: params = pdictsort; break;
	case FINT: params = pint; break;
	case FFLOAT: params = pfloat; break;
	case FREPLACE: params = preplace; break;
	case FTRIM: params = ptrim; break;
	case FINDENT: params = pindent; break;
	case FTOJSON: params = ptojson; break;
	case FCENTER: params = pcenter; break;
	case FROUND: params = pround; break;
	case FSUM: params = psum; break;
	case FMAX: case FMIN: params = pminmax; break;
	case FSORT: params = psort; break;
	case FUNIQUE: params = punique; break;
	case FATTR: params = pattr; break;
	case FMAP: return fmap(ev, n, in, args, nargs, kw, nkw, out);
	case FSELECT: case FREJECT: case FSELECTATTR: case FREJECTATTR:
		if (nkw)
			return everr(ev, n, "%s takes no keyword arguments", filternames[id]);
		return fselect(ev, n, in, args, nargs, id == FSELECTATTR || id == FREJECTATTR, id == FSELECT || id == FSELECTATTR, out);
	case FFORMAT:
		if (in.type != VSTR)
			return everr(ev, n, "the format filter needs a string to format, not %s", vtypename(in));
		if (nargs && nkw)
			return everr(ev, n, "can't handle positional and keyword arguments at the same time");
		if (nkw) {
			struct value d = vdict(ev->a);

			for (i = 0; i < nkw; i++)
				vdictset(ev->a, d.u.d, strval(ev, kw[i].name, strlen(kw[i].name)), kw[i].val);
			return pyformatpct(ev, n, in, d, out);
		}
		{
			struct value t = vlist(ev->a, nargs, true);

			for (i = 0; i < nargs; i++)
				vlistpush(ev->a, t.u.l, args[i]);
			return pyformatpct(ev, n, in, t, out);
		}
	}
	snprintf(what, sizeof(what), "filter '%s'", filternames[id]);
	if (!bindargs(ev, n, what, params, args, nargs, kw, nkw, s))
		return false;
	switch (id) {
	case FD:
	case FDEFAULT:
		if (in.type == VUNDEF || (!NOTGIVEN(s[1]) && vtruth(s[1]) && !vtruth(in)))
			*out = NOTGIVEN(s[0]) ? strval(ev, "", 0) : s[0];
		else
			*out = in;
		return true;
	case FLENGTH:
	case FCOUNT:
		if (in.type != VUNDEF && in.type != VSTR && in.type != VLIST && in.type != VTUPLE && in.type != VRANGE && in.type != VDICT)
			return everr(ev, n, "object of type '%s' has no len()", vtypename(in));
		*out = vint((int64_t)vlength(in));
		return true;
	case FSTRING:
		*out = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		return true;
	case FLIST:
		if (!itemsof(ev, n, in, &items))
			return false;
		*out = listof(ev, items->len);
		for (i = 0; i < items->len; i++)
			vlistpush(ev->a, out->u.l, items->v[i]);
		return true;
	case FJOIN:
		if (!itemsof(ev, n, in, &items))
			return false;
		for (i = 0; i < items->len; i++) {
			struct value item = items->v[i];

			if (i && !NOTGIVEN(s[0]))
				vstrto(&b, s[0]);
			if (!NOTGIVEN(s[1]) && s[1].type != VNONE && !attrpath(ev, n, item, s[1], &item)) {
				delbuf(&b);
				return false;
			}
			vstrto(&b, item);
		}
		*out = strval(ev, b.data ? b.data : "", b.len);
		delbuf(&b);
		return true;
	case FFIRST:
	case FLAST:
		if (!itemsof(ev, n, in, &items))
			return false;
		if (items->len == 0)
			*out = vundef(ev->a, id == FFIRST ? "No first item, sequence was empty." : "No last item, sequence was empty.");
		else
			*out = items->v[id == FFIRST ? 0 : items->len - 1];
		return true;
	case FLOWER:
	case FUPPER:
	case FCAPITALIZE:
	case FTITLE:
		in = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		*out = casemap(ev, in, id == FLOWER ? 'l' : id == FUPPER ? 'u' : id == FTITLE ? 'T' : 'c');
		return true;
	case FTRIM:
		in = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		return callmethod(ev, n, in, "strip", s, NOTGIVEN(s[0]) ? 0 : 1, NULL, 0, out);
	case FCENTER:
		in = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		s[1] = NOTGIVEN(s[0]) ? vint(80) : s[0];
		return callmethod(ev, n, in, "center", s + 1, 1, NULL, 0, out);
	case FREPLACE:
		if (NOTGIVEN(s[0]) || NOTGIVEN(s[1]))
			return everr(ev, n, "the replace filter needs the old and new strings");
		in = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		s[0] = vtostr(ev->a, s[0]);
		s[1] = vtostr(ev->a, s[1]);
		if (NOTGIVEN(s[2]) || s[2].type == VNONE)
			s[2] = vint(-1);
		return callmethod(ev, n, in, "replace", s, 3, NULL, 0, out);
	case FINT:
		if (in.type == VUNDEF)
			return undeferr(ev, n, in);
		return fint(ev, n, in, s, out);
	case FFLOAT:
		if (in.type == VUNDEF)
			return undeferr(ev, n, in);
		return ffloat(ev, in, s, out);
	case FABS:
		if (in.type == VUNDEF)
			return undeferr(ev, n, in);
		if (isint(in)) {
			if (intof(in) == INT64_MIN)
				return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
			*out = vint(intof(in) < 0 ? -intof(in) : intof(in));
		} else if (in.type == VFLOAT) {
			*out = vfloat(fabs(in.u.f));
		} else {
			return everr(ev, n, "bad operand type for abs(): '%s'", vtypename(in));
		}
		return true;
	case FINDENT:
		return findent(ev, n, in, s, out);
	case FTOJSON:
		if (!tojson(ev, n, &b, in, NOTGIVEN(s[0]) || s[0].type == VNONE ? -1 : isint(s[0]) ? (int)intof(s[0]) : 0, 0)) {
			delbuf(&b);
			return false;
		}
		*out = strval(ev, b.data ? b.data : "", b.len);
		delbuf(&b);
		return true;
	case FDICTSORT: {
		bool byvalue = false;

		if (in.type != VDICT) {
			if (in.type == VUNDEF)
				return undeferr(ev, n, in);
			return everr(ev, n, "dictsort needs a dict, not %s", vtypename(in));
		}
		if (!NOTGIVEN(s[1])) {
			if (s[1].type == VSTR && !strcmp(s[1].u.s->data, "value"))
				byvalue = true;
			else if (s[1].type != VSTR || strcmp(s[1].u.s->data, "key"))
				return everr(ev, n, "You can only sort by either \"key\" or \"value\"");
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
		return sortkeyed(ev, n, keys, out->u.l->v, out->u.l->len, !NOTGIVEN(s[2]) && vtruth(s[2]));
	}
	case FSORT:
	case FMAX:
	case FMIN:
	case FUNIQUE: {
		struct value attr = id == FSORT ? s[2] : s[1];

		cs = id == FSORT ? (!NOTGIVEN(s[1]) && vtruth(s[1])) : (!NOTGIVEN(s[0]) && vtruth(s[0]));
		if (!itemsof(ev, n, in, &items))
			return false;
		keys = aalloc(ev->a, (items->len + 1) * sizeof(*keys));
		for (i = 0; i < items->len; i++) {
			if (!keyof(ev, n, items->v[i], attr, cs, &keys[i]))
				return false;
		}
		if (id == FUNIQUE) {
			*out = listof(ev, items->len);
			for (i = 0; i < items->len; i++) {
				for (j = 0; j < i && !veq(keys[j], keys[i]); j++)
					;
				if (j == i)
					vlistpush(ev->a, out->u.l, items->v[i]);
			}
			return true;
		}
		*out = listof(ev, items->len);
		for (i = 0; i < items->len; i++)
			vlistpush(ev->a, out->u.l, items->v[i]);
		if (!sortkeyed(ev, n, keys, out->u.l->v, items->len, id == FSORT && !NOTGIVEN(s[0]) && vtruth(s[0])))
			return false;
		if (id == FSORT)
			return true;
		if (items->len == 0) {
			*out = vundef(ev->a, id == FMIN ? "No aggregated item, sequence was empty." : "No aggregated item, sequence was empty.");
			return true;
		}
		/* min is the first of the sorted; max the last of the greatest */
		if (id == FMIN) {
			*out = out->u.l->v[0];
		} else {
			struct value best = keys[0];

			j = 0;
			for (i = 1; i < items->len; i++) {
				int c;

				if (vcmp(keys[i], best, &c) && c == 1) {
					best = keys[i];
					j = i;
				}
			}
			*out = items->v[j];
		}
		return true;
	}
	case FSUM: {
		struct value acc = NOTGIVEN(s[1]) ? vint(0) : s[1], item;

		if (!itemsof(ev, n, in, &items))
			return false;
		for (i = 0; i < items->len; i++) {
			item = items->v[i];
			if (!NOTGIVEN(s[0]) && s[0].type != VNONE && !attrpath(ev, n, item, s[0], &item))
				return false;
			if (!binop(ev, n, TADD, acc, item, &acc))
				return false;
		}
		*out = acc;
		return true;
	}
	case FREVERSE:
		if (in.type == VSTR) {
			s[0] = s[1] = vnone();
			s[2] = vint(-1);
			{
				struct value r;

				r = vlist(ev->a, 0, false);
				(void)r;
			}
			if (!itemsof(ev, n, in, &items))
				return false;
			for (i = items->len; i-- > 0;)
				bufadd(&b, items->v[i].u.s->data, items->v[i].u.s->len);
			*out = strval(ev, b.data ? b.data : "", b.len);
			delbuf(&b);
			return true;
		}
		if (in.type == VUNDEF)
			return undeferr(ev, n, in);
		if (!itemsof(ev, n, in, &items))
			return false;
		*out = listof(ev, items->len);
		for (i = items->len; i-- > 0;)
			vlistpush(ev->a, out->u.l, items->v[i]);
		return true;
	case FROUND:
		return fround(ev, n, in, s, out);
	case FITEMS:
		if (in.type == VUNDEF) {
			*out = listof(ev, 0);
			return true;
		}
		if (in.type != VDICT)
			return everr(ev, n, "Can only get item pairs from a mapping.");
		return callmethod(ev, n, in, "items", NULL, 0, NULL, 0, out);
	case FATTR:
		if (NOTGIVEN(s[0]) || s[0].type != VSTR)
			return everr(ev, n, "attr needs the attribute name as a string");
		if (in.type == VUNDEF)
			return undeferr(ev, n, in);
		if (in.type == VDICT || in.type == VSTR || in.type == VLIST || in.type == VTUPLE) {
			struct value m;

			if (getattrv(ev, n, in, s[0].u.s->data, &m) && m.type == VMETHOD) {
				*out = m;
				return true;
			}
		}
		*out = undefattr(ev, in, s[0]);
		return true;
	case FE:
	case FESCAPE:
	case FFORCEESCAPE:
		*out = escapehtml(ev, in.type == VUNDEF ? strval(ev, "", 0) : in);
		return true;
	case FSAFE:
		*out = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		return true;
	case FWORDCOUNT: {
		struct value str = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		int64_t words = 0;
		bool inword = false;

		for (i = 0; i < str.u.s->len; i++) {
			unsigned char c = (unsigned char)str.u.s->data[i];
			bool w = isalnum(c) || c == '_' || c >= 0x80;

			if (w && !inword)
				words++;
			inword = w;
		}
		*out = vint(words);
		return true;
	}
	}
	return everr(ev, n, "internal error: filter %d", id);
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

bool
calltest(struct ev *ev, const struct node *n, int id, struct value in,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, bool *out)
{
	struct value arg = nargs ? args[0] : vnone(), r;
	int op;

	if (nkw)
		return everr(ev, n, "test '%s' got an unexpected keyword argument '%s'", testnames[id], kw[0].name);
	switch (id) {
	case TDIVISIBLEBY: case TEQTEST: case TEQUALTO: case TGE: case TGTTEST: case TGREATERTHAN:
	case TIN: case TLE: case TLESSTHAN: case TLTTEST: case TNETEST: case TSAMEAS:
	case TOPEQ: case TOPNE: case TOPLT: case TOPLE: case TOPGT: case TOPGE:
		if (nargs != 1)
			return everr(ev, n, "test '%s' takes exactly one argument (%zu given)", testnames[id], nargs);
		break;
	default:
		if (nargs != 0)
			return everr(ev, n, "test '%s' takes no arguments (%zu given)", testnames[id], nargs);
	}
	switch (id) {
	case TDEFINED: *out = in.type != VUNDEF; return true;
	case TUNDEFINED: *out = in.type == VUNDEF; return true;
	case TNONE: *out = in.type == VNONE; return true;
	case TBOOLEAN: *out = in.type == VBOOL; return true;
	case TTRUE: *out = in.type == VBOOL && in.u.b; return true;
	case TFALSE: *out = in.type == VBOOL && !in.u.b; return true;
	case TINTEGER: *out = in.type == VINT; return true;
	case TFLOATTEST: *out = in.type == VFLOAT; return true;
	case TNUMBER: *out = in.type == VINT || in.type == VFLOAT || in.type == VBOOL; return true;
	case TSTRINGTEST: *out = in.type == VSTR; return true;
	case TMAPPING: *out = in.type == VDICT; return true;
	case TITERABLE:
	case TSEQUENCE:
		*out = in.type == VSTR || in.type == VLIST || in.type == VTUPLE || in.type == VRANGE || in.type == VDICT || in.type == VUNDEF;
		return true;
	case TCALLABLE: *out = in.type == VMETHOD || in.type == VFUNC; return true;
	case TESCAPED: *out = false; return true;
	case TFILTER: *out = in.type == VSTR && tmplfilterid(in.u.s->data) >= 0; return true;
	case TTEST: *out = in.type == VSTR && tmpltestid(in.u.s->data) >= 0; return true;
	case TLOWER:
	case TUPPER:
		in = in.type == VUNDEF ? strval(ev, "", 0) : vtostr(ev->a, in);
		*out = iscase(ev, in, id == TLOWER ? 'l' : 'u');
		return true;
	case TEVEN:
	case TODD:
	case TDIVISIBLEBY:
		if (!binop(ev, n, TMOD, in, id == TDIVISIBLEBY ? arg : vint(2), &r))
			return false;
		*out = id == TODD ? vtruth(r) : !vtruth(r);
		return true;
	case TSAMEAS: *out = sameas(in, arg); return true;
	case TIN: return compare(ev, n, CMPIN, in, arg, out);
	case TEQTEST: case TEQUALTO: case TOPEQ: op = TEQ; break;
	case TNETEST: case TOPNE: op = TNE; break;
	case TLTTEST: case TLESSTHAN: case TOPLT: op = TLT; break;
	case TLE: case TOPLE: op = TLTEQ; break;
	case TGTTEST: case TGREATERTHAN: case TOPGT: op = TGT; break;
	case TGE: case TOPGE: op = TGTEQ; break;
	default:
		return everr(ev, n, "internal error: test %d", id);
	}
	return compare(ev, n, op, in, arg, out);
}
