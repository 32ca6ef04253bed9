#include "compat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_case.h"
#include "tmpl_ev.h"
#include "tmpl_format.h"
#include "tmpl_method.h"
#include "tmpl_ops.h"

struct methoddef;
static const struct methoddef *methodof(struct value obj, const char *name);

/* obj.name as a bound method, if obj's type has it */
static bool
method(struct ev *ev, struct value obj, const char *name, struct value *out)
{
	if (!methodof(obj, name))
		return false;
	out->type = VMETHOD;
	out->u.m = aalloc(ev->a, sizeof(*out->u.m));
	out->u.m->self = obj;
	out->u.m->name = name;
	return true;
}

static bool
loopattr(struct ev *ev, struct loopstate *ls, const char *name, struct value *out)
{
	size_t n = ls->items->len, i = ls->index0;

	(void)ev;
	if (!strcmp(name, "index"))
		*out = vint((int64_t)i + 1);
	else if (!strcmp(name, "index0"))
		*out = vint((int64_t)i);
	else if (!strcmp(name, "revindex"))
		*out = vint((int64_t)(n - i));
	else if (!strcmp(name, "revindex0"))
		*out = vint((int64_t)(n - i - 1));
	else if (!strcmp(name, "first"))
		*out = vbool(i == 0);
	else if (!strcmp(name, "last"))
		*out = vbool(i + 1 == n);
	else if (!strcmp(name, "length"))
		*out = vint((int64_t)n);
	else if (!strcmp(name, "depth"))
		*out = vint(1);
	else if (!strcmp(name, "depth0"))
		*out = vint(0);
	else if (!strcmp(name, "previtem"))
		*out = i > 0 ? ls->items->v[i - 1] : vundef(ev->a, "there is no previous item");
	else if (!strcmp(name, "nextitem"))
		*out = i + 1 < n ? ls->items->v[i + 1] : vundef(ev->a, "there is no next item");
	else
		return false;
	return true;
}

bool
getattrv(struct ev *ev, const struct node *n, struct value obj, const char *name, struct value *out)
{
	struct value *p, key;

	if (obj.type == VUNDEF)
		return undeferr(ev, n, obj);
	if (method(ev, obj, name, out))
		return true;
	key = strval(ev, name, strlen(name));
	if ((obj.type == VDICT || obj.type == VNS) && (p = vdictget(obj.u.d, key))) {
		*out = *p;
		return true;
	}
	if (obj.type == VLOOP && loopattr(ev, obj.u.p, name, out))
		return true;
	*out = undefattr(ev, obj, key);
	return true;
}

bool
getitemv(struct ev *ev, const struct node *n, struct value obj, struct value key, struct value *out)
{
	struct value *p;
	int64_t i, len;
	size_t off, end;

	if (obj.type == VUNDEF)
		return undeferr(ev, n, obj);
	switch (obj.type) {
	case VDICT:
		if (!vhashable(key))
			return everr(ev, n, "unhashable type: '%s'", vtypename(key));
		if ((p = vdictget(obj.u.d, key))) {
			*out = *p;
			return true;
		}
		break;
	case VLIST:
	case VTUPLE:
	case VRANGE:
		if (obj.type == VLIST && obj.u.l->view != VIEWNONE)
			break;	/* views cannot be indexed */
		if (visint(key)) {
			i = vintof(key);
			len = (int64_t)obj.u.l->len;
			if (i < 0)
				i += len;
			if (i >= 0 && i < len) {
				*out = obj.u.l->v[i];
				return true;
			}
		}
		break;
	case VSTR:
		if (visint(key)) {
			i = vintof(key);
			len = (int64_t)u8len(obj.u.s->data, obj.u.s->len);
			if (i < 0)
				i += len;
			if (i >= 0 && i < len) {
				off = u8off(obj.u.s->data, obj.u.s->len, (size_t)i);
				end = u8off(obj.u.s->data, obj.u.s->len, (size_t)i + 1);
				*out = strval(ev, obj.u.s->data + off, end - off);
				return true;
			}
		}
		break;
	default:
		break;
	}
	if (key.type == VSTR) {
		if (obj.type == VNS && (p = vdictget(obj.u.d, key))) {
			*out = *p;
			return true;
		}
		if (method(ev, obj, key.u.s->data, out))
			return true;
		if (obj.type == VLOOP && loopattr(ev, obj.u.p, key.u.s->data, out))
			return true;
	}
	*out = undefattr(ev, obj, key);
	return true;
}

static bool
pyspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	    c == 0x1c || c == 0x1d || c == 0x1e || c == 0x1f;
}

static bool
msort(struct ev *ev, const struct node *n, struct value *keys, size_t *idx, size_t *tmp, size_t len, bool reverse)
{
	size_t mid = len / 2, i = 0, j = mid, k = 0;
	int c;

	if (len < 2)
		return true;
	if (!msort(ev, n, keys, idx, tmp, mid, reverse) || !msort(ev, n, keys, idx + mid, tmp, len - mid, reverse))
		return false;
	while (i < mid && j < len) {
		/* take from the right only when it sorts strictly before the left */
		if (!vcmp(keys[idx[j]], keys[idx[i]], &c))
			return everr(ev, n, "'<' not supported between instances of '%s' and '%s'",
			    vtypename(keys[idx[j]]), vtypename(keys[idx[i]]));
		if (reverse)
			c = -c;
		if (c == -1)
			tmp[k++] = idx[j++];
		else
			tmp[k++] = idx[i++];
	}
	while (i < mid)
		tmp[k++] = idx[i++];
	while (j < len)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, len * sizeof(*idx));
	return true;
}

bool
sortkeyed(struct ev *ev, const struct node *n, struct value *keys, struct value *items, size_t len, bool reverse)
{
	size_t *idx, *tmp, i;
	struct value *copy;

	if (len < 2)
		return true;
	idx = aalloc(ev->a, len * sizeof(*idx));
	tmp = aalloc(ev->a, len * sizeof(*tmp));
	copy = aalloc(ev->a, len * sizeof(*copy));
	for (i = 0; i < len; i++)
		idx[i] = i;
	/*
	 * Python sorts reversed lists stably too: reverse=True keeps equal
	 * items in their original order, which is what comparing the
	 * other way round gives.
	 */
	if (!msort(ev, n, keys, idx, tmp, len, reverse))
		return false;
	memcpy(copy, items, len * sizeof(*copy));
	for (i = 0; i < len; i++)
		items[i] = copy[idx[i]];
	return true;
}

/* the str argument number i of a method, or an error */
static bool
strarg(struct ev *ev, const struct node *n, const char *meth, struct value v, size_t i)
{
	if (v.type == VSTR)
		return true;
	if (v.type == VUNDEF)
		return undeferr(ev, n, v);
	return everr(ev, n, "%s() argument %zu must be str, not %s", meth, i + 1, vtypename(v));
}

static const char *
findstr(const char *hay, size_t hn, const char *needle, size_t nn)
{
	size_t i;

	if (nn == 0)
		return hay;
	for (i = 0; i + nn <= hn; i++) {
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
			return hay + i;
	}
	return NULL;
}

static const char *
rfindstr(const char *hay, size_t hn, const char *needle, size_t nn)
{
	size_t i;

	if (nn > hn)
		return NULL;
	for (i = hn - nn + 1; i-- > 0;) {
		if (memcmp(hay + i, needle, nn) == 0)
			return hay + i;
	}
	return NULL;
}

static struct value
strsplit(struct ev *ev, struct value s, struct value sep, int64_t max, bool right)
{
	struct value l = vlist(ev->a, 0, false), r;
	const char *p = s.u.s->data, *end = p + s.u.s->len, *q, *w;
	struct value *items;
	size_t i, n;

	if (sep.type != VSTR) {
		if (!right) {
			while (p < end) {
				while (p < end && pyspace((unsigned char)*p))
					p++;
				if (p == end)
					break;
				if (max >= 0 && (int64_t)l.u.l->len == max) {
					/* the rest, trailing blanks kept */
					vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(end - p)));
					break;
				}
				for (q = p; q < end && !pyspace((unsigned char)*q); q++)
					;
				vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(q - p)));
				p = q;
			}
			return l;
		}
		while (end > p) {
			while (end > p && pyspace((unsigned char)end[-1]))
				end--;
			if (end == p)
				break;
			if (max >= 0 && (int64_t)l.u.l->len == max) {
				/* the rest, leading blanks kept */
				vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(end - p)));
				break;
			}
			for (q = end; q > p && !pyspace((unsigned char)q[-1]); q--)
				;
			vlistpush(ev->a, l.u.l, strval(ev, q, (size_t)(end - q)));
			end = q;
		}
	} else if (!right) {
		n = sep.u.s->len;
		while ((max < 0 || (int64_t)l.u.l->len < max) && (q = findstr(p, (size_t)(end - p), sep.u.s->data, n))) {
			vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(q - p)));
			p = q + n;
		}
		vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(end - p)));
		return l;
	} else {
		n = sep.u.s->len;
		while ((max < 0 || (int64_t)l.u.l->len < max) && (w = rfindstr(p, (size_t)(end - p), sep.u.s->data, n))) {
			vlistpush(ev->a, l.u.l, strval(ev, w + n, (size_t)(end - w - n)));
			end = w;
		}
		vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(end - p)));
	}
	/* rsplit collected from the right: reverse */
	items = l.u.l->v;
	for (i = 0; i < l.u.l->len / 2; i++) {
		r = items[i];
		items[i] = items[l.u.l->len - 1 - i];
		items[l.u.l->len - 1 - i] = r;
	}
	return l;
}

static struct value
strstrip(struct ev *ev, struct value s, struct value chars, int which)
{
	const char *p = s.u.s->data, *end = p + s.u.s->len;

	if (chars.type == VSTR) {
		while ((which & 1) && p < end && memchr(chars.u.s->data, *p, chars.u.s->len))
			p++;
		while ((which & 2) && end > p && memchr(chars.u.s->data, end[-1], chars.u.s->len))
			end--;
	} else {
		while ((which & 1) && p < end && pyspace((unsigned char)*p))
			p++;
		while ((which & 2) && end > p && pyspace((unsigned char)end[-1]))
			end--;
	}
	return strval(ev, p, (size_t)(end - p));
}

static struct value
strreplace(struct ev *ev, struct value s, struct value old, struct value new, int64_t count)
{
	struct buf b = {0};
	const char *p = s.u.s->data, *end = p + s.u.s->len, *q;
	struct value r;
	int64_t done = 0;

	if (old.u.s->len == 0) {
		/* insert new before every character and at the end */
		while (p <= end && (count < 0 || done < count)) {
			bufadd(&b, new.u.s->data, new.u.s->len);
			done++;
			if (p == end)
				break;
			q = p + 1;
			while (q < end && ((unsigned char)*q & 0xc0) == 0x80)
				q++;
			bufadd(&b, p, (size_t)(q - p));
			p = q;
		}
		if (p < end)
			bufadd(&b, p, (size_t)(end - p));
	} else {
		while ((count < 0 || done < count) && (q = findstr(p, (size_t)(end - p), old.u.s->data, old.u.s->len))) {
			bufadd(&b, p, (size_t)(q - p));
			bufadd(&b, new.u.s->data, new.u.s->len);
			p = q + old.u.s->len;
			done++;
		}
		bufadd(&b, p, (size_t)(end - p));
	}
	r = strval(ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return r;
}

static bool
prefixmatch(struct ev *ev, const struct node *n, const char *meth, struct value s, struct value pre, bool end, bool *res)
{
	size_t i, len = s.u.s->len;

	if (pre.type == VTUPLE) {
		for (i = 0; i < pre.u.l->len; i++) {
			if (!prefixmatch(ev, n, meth, s, pre.u.l->v[i], end, res))
				return false;
			if (*res)
				return true;
		}
		*res = false;
		return true;
	}
	if (pre.type != VSTR) {
		if (pre.type == VUNDEF)
			return undeferr(ev, n, pre);
		return everr(ev, n, "%s first arg must be str or a tuple of str, not %s", meth, vtypename(pre));
	}
	if (pre.u.s->len > len) {
		*res = false;
		return true;
	}
	*res = memcmp(s.u.s->data + (end ? len - pre.u.s->len : 0), pre.u.s->data, pre.u.s->len) == 0;
	return true;
}

static bool
joinv(struct ev *ev, const struct node *n, struct value sep, struct value items, struct value *out)
{
	struct vlist *l;
	struct buf b = {0};
	size_t i;

	if (!iterv(ev, n, items, &l))
		return false;
	for (i = 0; i < l->len; i++) {
		if (l->v[i].type != VSTR) {
			delbuf(&b);
			return everr(ev, n, "sequence item %zu: expected str instance, %s found", i, vtypename(l->v[i]));
		}
		if (i)
			bufadd(&b, sep.u.s->data, sep.u.s->len);
		bufadd(&b, l->v[i].u.s->data, l->v[i].u.s->len);
	}
	*out = strval(ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return true;
}

/* one call of a method: the object, the method's name and the arguments */
struct mcall {
	struct ev *ev;
	const struct node *n;
	struct value self;
	const char *name;
	struct value *args;
	size_t nargs;
	struct kwarg *kw;
	size_t nkw;
};

static bool
strcasem(struct mcall *c, struct value *out)
{
	const char *m = c->name;

	*out = casemap(c->ev, c->self, !strcmp(m, "casefold") ? 'l' : m[0]);
	return true;
}

static bool
strtitlem(struct mcall *c, struct value *out)
{
	*out = casemap(c->ev, c->self, c->name[0] == 't' ? 't' : 'c');
	return true;
}

/* strip, lstrip, rstrip */
static bool
strstripm(struct mcall *c, struct value *out)
{
	const char *m = c->name;

	if (c->nargs && c->args[0].type != VNONE && !strarg(c->ev, c->n, m, c->args[0], 0))
		return false;
	*out = strstrip(c->ev, c->self, c->nargs ? c->args[0] : vnone(), m[0] == 'l' ? 1 : m[0] == 'r' ? 2 : 3);
	return true;
}

/* split, rsplit */
static bool
strsplitm(struct mcall *c, struct value *out)
{
	static const char *const params[] = {"sep", "maxsplit", NULL};
	struct ev *ev = c->ev;
	struct value slots[2];
	int64_t max = -1;

	if (!bindargs(ev, c->n, c->name, params, c->args, c->nargs, c->kw, c->nkw, slots))
		return false;
	if (!NOTGIVEN(slots[0]) && slots[0].type != VNONE) {
		if (!strarg(ev, c->n, c->name, slots[0], 0))
			return false;
		if (slots[0].u.s->len == 0)
			return everr(ev, c->n, "empty separator");
	}
	if (!NOTGIVEN(slots[1])) {
		if (!visint(slots[1]))
			return everr(ev, c->n, "'%s' object cannot be interpreted as an integer", vtypename(slots[1]));
		max = vintof(slots[1]);
	}
	*out = strsplit(ev, c->self, NOTGIVEN(slots[0]) ? vnone() : slots[0], max, c->name[0] == 'r');
	return true;
}

/* startswith, endswith, with the optional start and end as code point positions, as in a slice */
static bool
strprefixm(struct mcall *c, struct value *out)
{
	struct value s = c->self, sub = s, *args = c->args;
	int64_t cp = (int64_t)vlength(s), lo = 0, hi = cp, k;
	size_t i, off;
	bool res;

	for (i = 1; i < c->nargs; i++) {
		if (args[i].type == VNONE)
			continue;
		if (!visint(args[i]))
			return everr(c->ev, c->n, "slice indices must be integers or None, not %s", vtypename(args[i]));
		k = vintof(args[i]);
		if (k < 0)
			k = k + cp < 0 ? 0 : k + cp;
		if (i == 1)
			lo = k;
		else
			hi = k > cp ? cp : k;
	}
	if (lo > cp) {
		*out = vbool(false);
		return true;
	}
	if (c->nargs > 1) {
		off = u8off(s.u.s->data, s.u.s->len, (size_t)lo);
		sub = strval(c->ev, s.u.s->data + off, u8off(s.u.s->data, s.u.s->len, (size_t)(hi < lo ? lo : hi)) - off);
	}
	if (!prefixmatch(c->ev, c->n, c->name, sub, args[0], c->name[0] == 'e', &res))
		return false;
	*out = vbool(res);
	return true;
}

static bool
strreplacem(struct mcall *c, struct value *out)
{
	struct value *args = c->args;
	int64_t max = -1;

	if (!strarg(c->ev, c->n, c->name, args[0], 0) || !strarg(c->ev, c->n, c->name, args[1], 1))
		return false;
	if (c->nargs == 3) {
		if (!visint(args[2]))
			return everr(c->ev, c->n, "'%s' object cannot be interpreted as an integer", vtypename(args[2]));
		max = vintof(args[2]);
	}
	*out = strreplace(c->ev, c->self, args[0], args[1], max);
	return true;
}

static bool
strjoinm(struct mcall *c, struct value *out)
{
	return joinv(c->ev, c->n, c->self, c->args[0], out);
}

/* find, rfind, index, count */
static bool
strfindm(struct mcall *c, struct value *out)
{
	struct value s = c->self, needle = c->args[0];
	const char *d = s.u.s->data, *m = c->name, *p, *q;
	size_t len = s.u.s->len;
	int64_t k = 0;

	if (!strarg(c->ev, c->n, m, needle, 0))
		return false;
	if (m[0] == 'c') {
		if (needle.u.s->len == 0) {
			*out = vint((int64_t)vlength(s) + 1);
			return true;
		}
		for (p = d; (q = findstr(p, (size_t)(d + len - p), needle.u.s->data, needle.u.s->len)); p = q + needle.u.s->len)
			k++;
		*out = vint(k);
		return true;
	}
	q = m[0] == 'r' ? rfindstr(d, len, needle.u.s->data, needle.u.s->len)
	    : findstr(d, len, needle.u.s->data, needle.u.s->len);
	if (!q && m[0] == 'i')
		return everr(c->ev, c->n, "substring not found");
	*out = vint(q ? (int64_t)u8len(d, (size_t)(q - d)) : -1);
	return true;
}

static bool
strsplitlinesm(struct mcall *c, struct value *out)
{
	const char *p = c->self.u.s->data, *e = p + c->self.u.s->len, *q;

	*out = vlist(c->ev->a, 0, false);
	while (p < e) {
		for (q = p; q < e && *q != '\n' && *q != '\r' && *q != '\v' && *q != '\f' && *q != 0x1c && *q != 0x1d && *q != 0x1e; q++)
			;
		vlistpush(c->ev->a, out->u.l, strval(c->ev, p, (size_t)(q - p)));
		if (q < e && *q == '\r' && q + 1 < e && q[1] == '\n')
			q++;
		p = q < e ? q + 1 : e;
	}
	return true;
}

/* isdigit, isnumeric, isdecimal, isalpha, isalnum, isspace, isidentifier: a test of every byte (ASCII) */
static bool
strism(struct mcall *c, struct value *out)
{
	const char *d = c->self.u.s->data, *m = c->name;
	size_t i, len = c->self.u.s->len;
	bool res = len > 0;

	for (i = 0; i < len && res; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (!strcmp(m, "isdigit") || !strcmp(m, "isnumeric") || !strcmp(m, "isdecimal"))
			res = isdigit(ch);
		else if (!strcmp(m, "isalpha"))
			res = isalpha(ch);
		else if (!strcmp(m, "isalnum"))
			res = isalnum(ch);
		else if (!strcmp(m, "isspace"))
			res = pyspace(ch);
		else
			res = isalpha(ch) || ch == '_' || (i > 0 && isdigit(ch));
	}
	*out = vbool(res);
	return true;
}

/* isupper, islower */
static bool
striscasem(struct mcall *c, struct value *out)
{
	*out = vbool(iscase(c->ev, c->self, c->name[2]));
	return true;
}

static bool
stristitlem(struct mcall *c, struct value *out)
{
	(void)out;
	return everr(c->ev, c->n, "istitle() is not supported by imagegen");
}

/* zfill, ljust, rjust, center */
static bool
strpadm(struct mcall *c, struct value *out)
{
	struct value s = c->self, *args = c->args;
	const char *d = s.u.s->data, *m = c->name, *fill = " ";
	size_t i, len = s.u.s->len, filllen = 1;
	struct buf b = {0};
	int64_t w;

	if (!visint(args[0]))
		return everr(c->ev, c->n, "'%s' object cannot be interpreted as an integer", vtypename(args[0]));
	w = vintof(args[0]);
	if (w > 100000)
		return everr(c->ev, c->n, "width %lld too large", (long long)w);
	if (c->nargs == 2) {
		if (!strarg(c->ev, c->n, m, args[1], 1))
			return false;
		if (vlength(args[1]) != 1)
			return everr(c->ev, c->n, "The fill character must be exactly one character long");
		fill = args[1].u.s->data;
		filllen = args[1].u.s->len;
	}
	if (m[0] == 'z') {
		size_t sl = len && (d[0] == '-' || d[0] == '+');

		fmtpad(&b, d, len, w < 0 ? 0 : (size_t)w, '=', "0", 1, sl);
	} else if (m[0] == 'c') {
		/* Python's center puts the odd space on the right... unless width and len are both odd */
		size_t cp = vlength(s), width = w < 0 ? 0 : (size_t)w;
		size_t total = width > cp ? width - cp : 0, left = total / 2 + (total & width & 1);

		for (i = 0; i < left; i++)
			bufadd(&b, fill, filllen);
		bufadd(&b, d, len);
		for (i = left; i < total; i++)
			bufadd(&b, fill, filllen);
	} else {
		fmtpad(&b, d, len, w < 0 ? 0 : (size_t)w, m[0] == 'l' ? '<' : '>', fill, filllen, 0);
	}
	*out = strval(c->ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return true;
}

/* partition, rpartition */
static bool
strpartitionm(struct mcall *c, struct value *out)
{
	struct value s = c->self, sep = c->args[0];
	const char *d = s.u.s->data, *q;
	size_t len = s.u.s->len;
	bool right = c->name[0] == 'r';

	if (!strarg(c->ev, c->n, c->name, sep, 0))
		return false;
	if (sep.u.s->len == 0)
		return everr(c->ev, c->n, "empty separator");
	q = right ? rfindstr(d, len, sep.u.s->data, sep.u.s->len) : findstr(d, len, sep.u.s->data, sep.u.s->len);
	*out = vlist(c->ev->a, 3, true);
	if (!q) {
		struct value e = strval(c->ev, "", 0);

		vlistpush(c->ev->a, out->u.l, right ? e : s);
		vlistpush(c->ev->a, out->u.l, e);
		vlistpush(c->ev->a, out->u.l, right ? s : e);
		return true;
	}
	vlistpush(c->ev->a, out->u.l, strval(c->ev, d, (size_t)(q - d)));
	vlistpush(c->ev->a, out->u.l, sep);
	q += sep.u.s->len;
	vlistpush(c->ev->a, out->u.l, strval(c->ev, q, (size_t)(d + len - q)));
	return true;
}

/* removeprefix, removesuffix */
static bool
strremovem(struct mcall *c, struct value *out)
{
	struct value s = c->self, affix = c->args[0];
	bool suffix = c->name[6] == 's', res;

	if (!strarg(c->ev, c->n, c->name, affix, 0))
		return false;
	if (!prefixmatch(c->ev, c->n, c->name, s, affix, suffix, &res))
		return false;
	if (!res)
		*out = s;
	else if (suffix)
		*out = strval(c->ev, s.u.s->data, s.u.s->len - affix.u.s->len);
	else
		*out = strval(c->ev, s.u.s->data + affix.u.s->len, s.u.s->len - affix.u.s->len);
	return true;
}

static bool
strformatm(struct mcall *c, struct value *out)
{
	return strformat(c->ev, c->n, c->self, c->args, c->nargs, c->kw, c->nkw, out);
}

static bool
listappend(struct mcall *c, struct value *out)
{
	vlistpush(c->ev->a, c->self.u.l, c->args[0]);
	*out = vnone();
	return true;
}

static bool
listextend(struct mcall *c, struct value *out)
{
	struct vlist *l = c->self.u.l, *src;
	size_t k, len;

	if (!iterv(c->ev, c->n, c->args[0], &src))
		return false;
	if (c->args[0].type == VUNDEF)
		return undeferr(c->ev, c->n, c->args[0]);
	len = src->len;
	for (k = 0; k < len; k++)
		vlistpush(c->ev->a, l, src->v[k]);
	*out = vnone();
	return true;
}

static bool
listpop(struct mcall *c, struct value *out)
{
	struct vlist *l = c->self.u.l;
	int64_t k, len = (int64_t)l->len;

	k = c->nargs ? (visint(c->args[0]) ? vintof(c->args[0]) : INT64_MAX) : -1;
	if (k == INT64_MAX)
		return everr(c->ev, c->n, "'%s' object cannot be interpreted as an integer", vtypename(c->args[0]));
	if (len == 0)
		return everr(c->ev, c->n, "pop from empty list");
	if (k < 0)
		k += len;
	if (k < 0 || k >= len)
		return everr(c->ev, c->n, "pop index out of range");
	*out = l->v[k];
	memmove(l->v + k, l->v + k + 1, (size_t)(len - k - 1) * sizeof(*l->v));
	l->len--;
	return true;
}

static bool
listinsert(struct mcall *c, struct value *out)
{
	struct vlist *l = c->self.u.l;
	int64_t k, len = (int64_t)l->len;

	if (!visint(c->args[0]))
		return everr(c->ev, c->n, "'%s' object cannot be interpreted as an integer", vtypename(c->args[0]));
	k = vintof(c->args[0]);
	if (k < 0)
		k += len;
	if (k < 0)
		k = 0;
	if (k > len)
		k = len;
	vlistpush(c->ev->a, l, vnone());
	memmove(l->v + k + 1, l->v + k, (size_t)(len - k) * sizeof(*l->v));
	l->v[k] = c->args[1];
	*out = vnone();
	return true;
}

/* index, count, remove (of lists, tuples and ranges) */
static bool
listfind(struct mcall *c, struct value *out)
{
	struct vlist *l = c->self.u.l;
	const char *m = c->name;
	int64_t k = 0;
	size_t i;

	*out = vnone();
	for (i = 0; i < l->len; i++) {
		if (!veq(l->v[i], c->args[0]))
			continue;
		if (m[0] == 'i') {
			*out = vint((int64_t)i);
			return true;
		}
		if (m[0] == 'r') {
			memmove(l->v + i, l->v + i + 1, (l->len - i - 1) * sizeof(*l->v));
			l->len--;
			return true;
		}
		k++;
	}
	if (m[0] != 'c')
		return everr(c->ev, c->n, m[0] == 'i' ? "the value is not in the list" : "list.remove(x): x not in list");
	*out = vint(k);
	return true;
}

static bool
listreverse(struct mcall *c, struct value *out)
{
	struct vlist *l = c->self.u.l;
	struct value t;
	size_t i;

	for (i = 0; i < l->len / 2; i++) {
		t = l->v[i];
		l->v[i] = l->v[l->len - 1 - i];
		l->v[l->len - 1 - i] = t;
	}
	*out = vnone();
	return true;
}

static bool
listcopy(struct mcall *c, struct value *out)
{
	struct vlist *l = c->self.u.l;
	size_t i;

	*out = vlist(c->ev->a, l->len, false);
	for (i = 0; i < l->len; i++)
		vlistpush(c->ev->a, out->u.l, l->v[i]);
	return true;
}

static bool
listclear(struct mcall *c, struct value *out)
{
	c->self.u.l->len = 0;
	*out = vnone();
	return true;
}

static bool
listsort(struct mcall *c, struct value *out)
{
	(void)out;
	if (c->nargs)
		return everr(c->ev, c->n, "sort() takes no positional arguments");
	return everr(c->ev, c->n, "list.sort() is not supported by imagegen; use the sort filter");
}

/* items, keys, values: lists that print and behave as Python's dict views */
static bool
dictview(struct mcall *c, struct value *out)
{
	struct vdict *d = c->self.u.d;
	char m = c->name[0];
	struct value t;
	size_t i;

	*out = vlist(c->ev->a, d->len, false);
	out->u.l->view = m == 'k' ? VIEWKEYS : m == 'v' ? VIEWVALUES : VIEWITEMS;
	for (i = 0; i < d->len; i++) {
		if (m == 'k') {
			vlistpush(c->ev->a, out->u.l, d->keys[i]);
		} else if (m == 'v') {
			vlistpush(c->ev->a, out->u.l, d->vals[i]);
		} else {
			t = vlist(c->ev->a, 2, true);
			vlistpush(c->ev->a, t.u.l, d->keys[i]);
			vlistpush(c->ev->a, t.u.l, d->vals[i]);
			vlistpush(c->ev->a, out->u.l, t);
		}
	}
	return true;
}

/* get, setdefault */
static bool
dictget(struct mcall *c, struct value *out)
{
	struct vdict *d = c->self.u.d;
	struct value *p, *args = c->args;

	if (!vhashable(args[0]))
		return everr(c->ev, c->n, "unhashable type: '%s'", vtypename(args[0]));
	p = vdictget(d, args[0]);
	if (!p && c->name[0] == 's')
		vdictset(c->ev->a, d, args[0], c->nargs > 1 ? args[1] : vnone());
	*out = p ? *p : c->nargs > 1 ? args[1] : vnone();
	return true;
}

static bool
dictpop(struct mcall *c, struct value *out)
{
	struct vdict *d = c->self.u.d, nd = {0};
	struct value *p, *args = c->args;
	struct buf b = {0};
	size_t i;

	if (!vhashable(args[0]))
		return everr(c->ev, c->n, "unhashable type: '%s'", vtypename(args[0]));
	p = vdictget(d, args[0]);
	if (!p) {
		if (c->nargs > 1) {
			*out = args[1];
			return true;
		}
		vreprto(&b, args[0]);
		everr(c->ev, c->n, "KeyError: %s", b.data);
		delbuf(&b);
		return false;
	}
	*out = *p;
	i = (size_t)(p - d->vals);
	memmove(d->keys + i, d->keys + i + 1, (d->len - i - 1) * sizeof(*d->keys));
	memmove(d->vals + i, d->vals + i + 1, (d->len - i - 1) * sizeof(*d->vals));
	d->len--;
	d->index = NULL;
	if (d->len > 8) {
		/* rebuild the index by adding the rest again */
		for (i = 0; i < d->len; i++)
			vdictset(c->ev->a, &nd, d->keys[i], d->vals[i]);
		*d = nd;
	}
	return true;
}

static bool
dictupdate(struct mcall *c, struct value *out)
{
	struct vdict *d = c->self.u.d;
	struct value *args = c->args;
	size_t i;

	if (c->nargs > 1)
		return everr(c->ev, c->n, "update expected at most 1 argument, got %zu", c->nargs);
	if (c->nargs == 1) {
		if (args[0].type != VDICT)
			return everr(c->ev, c->n, "dict.update() in a template takes a dict, not %s", vtypename(args[0]));
		for (i = 0; i < args[0].u.d->len; i++)
			vdictset(c->ev->a, d, args[0].u.d->keys[i], args[0].u.d->vals[i]);
	}
	for (i = 0; i < c->nkw; i++)
		vdictset(c->ev->a, d, strval(c->ev, c->kw[i].name, strlen(c->kw[i].name)), c->kw[i].val);
	*out = vnone();
	return true;
}

static bool
dictcopy(struct mcall *c, struct value *out)
{
	struct vdict *d = c->self.u.d;
	size_t i;

	*out = vdict(c->ev->a);
	for (i = 0; i < d->len; i++)
		vdictset(c->ev->a, out->u.d, d->keys[i], d->vals[i]);
	return true;
}

static bool
dictclear(struct mcall *c, struct value *out)
{
	memset(c->self.u.d, 0, sizeof(*c->self.u.d));
	*out = vnone();
	return true;
}

static bool
loopcycle(struct mcall *c, struct value *out)
{
	struct value idx;

	if (c->nargs == 0)
		return everr(c->ev, c->n, "no items for cycling given");
	if (!getattrv(c->ev, c->n, c->self, "index0", &idx))
		return false;
	*out = c->args[idx.u.i % (int64_t)c->nargs];
	return true;
}

static bool
loopchanged(struct mcall *c, struct value *out)
{
	struct loopstate *ls = c->self.u.p;
	struct value t = vlist(c->ev->a, c->nargs, true);
	size_t i;

	if (c->nkw)
		return everr(c->ev, c->n, "loop.changed() takes no keyword arguments");
	for (i = 0; i < c->nargs; i++)
		vlistpush(c->ev->a, t.u.l, c->args[i]);
	*out = vbool(!ls->haslast || !veq(ls->last, t));
	ls->last = t;
	ls->haslast = true;
	return true;
}

/*
 * the methods of each type: the function (NULL: Python has the method,
 * imagegen does not), and the positional arguments it takes, from min to
 * max, with no keyword; max -1 is a method that checks its arguments itself
 */
struct methoddef {
	const char *name;
	bool (*fn)(struct mcall *c, struct value *out);
	int min, max;
};

static const struct methoddef strmethods[] = {
	{"capitalize", strtitlem, 0, 0},
	{"casefold", strcasem, 0, 0},
	{"center", strpadm, 1, 2},
	{"count", strfindm, 1, 1},
	{"encode", NULL, 0, 0},
	{"endswith", strprefixm, 1, 3},
	{"expandtabs", NULL, 0, 0},
	{"find", strfindm, 1, 1},
	{"format", strformatm, 0, -1},
	{"index", strfindm, 1, 1},
	{"isalnum", strism, 0, 0},
	{"isalpha", strism, 0, 0},
	{"isdecimal", strism, 0, 0},
	{"isdigit", strism, 0, 0},
	{"isidentifier", strism, 0, 0},
	{"islower", striscasem, 0, 0},
	{"isnumeric", strism, 0, 0},
	{"isspace", strism, 0, 0},
	{"istitle", stristitlem, 0, 0},
	{"isupper", striscasem, 0, 0},
	{"join", strjoinm, 1, 1},
	{"ljust", strpadm, 1, 2},
	{"lower", strcasem, 0, 0},
	{"lstrip", strstripm, 0, 1},
	{"partition", strpartitionm, 1, 1},
	{"removeprefix", strremovem, 1, 1},
	{"removesuffix", strremovem, 1, 1},
	{"replace", strreplacem, 2, 3},
	{"rfind", strfindm, 1, 1},
	{"rjust", strpadm, 1, 2},
	{"rpartition", strpartitionm, 1, 1},
	{"rsplit", strsplitm, 0, -1},
	{"rstrip", strstripm, 0, 1},
	{"split", strsplitm, 0, -1},
	{"splitlines", strsplitlinesm, 0, 0},
	{"startswith", strprefixm, 1, 3},
	{"strip", strstripm, 0, 1},
	{"swapcase", strcasem, 0, 0},
	{"title", strtitlem, 0, 0},
	{"upper", strcasem, 0, 0},
	{"zfill", strpadm, 1, 1},
	{NULL, NULL, 0, 0},
};

static const struct methoddef listmethods[] = {
	{"append", listappend, 1, 1},
	{"clear", listclear, 0, 0},
	{"copy", listcopy, 0, 0},
	{"count", listfind, 1, 1},
	{"extend", listextend, 1, 1},
	{"index", listfind, 1, 1},
	{"insert", listinsert, 2, 2},
	{"pop", listpop, 0, 1},
	{"remove", listfind, 1, 1},
	{"reverse", listreverse, 0, 0},
	{"sort", listsort, 0, -1},
	{NULL, NULL, 0, 0},
};

/* tuples and ranges */
static const struct methoddef tuplemethods[] = {
	{"count", listfind, 1, 1},
	{"index", listfind, 1, 1},
	{NULL, NULL, 0, 0},
};

static const struct methoddef dictmethods[] = {
	{"clear", dictclear, 0, 0},
	{"copy", dictcopy, 0, 0},
	{"get", dictget, 1, 2},
	{"items", dictview, 0, 0},
	{"keys", dictview, 0, 0},
	{"pop", dictpop, 1, 2},
	{"popitem", NULL, 0, 0},
	{"setdefault", dictget, 1, 2},
	{"update", dictupdate, 0, -1},
	{"values", dictview, 0, 0},
	{NULL, NULL, 0, 0},
};

static const struct methoddef loopmethods[] = {
	{"changed", loopchanged, 0, -1},
	{"cycle", loopcycle, 0, -1},
	{NULL, NULL, 0, 0},
};

/* the methods of obj's type (a dict view has none) */
static const struct methoddef *
methodsof(struct value obj)
{
	switch (obj.type) {
	case VSTR:
		return strmethods;
	case VLIST:
		return obj.u.l->view == VIEWNONE ? listmethods : NULL;
	case VTUPLE:
	case VRANGE:
		return tuplemethods;
	case VDICT:
		return dictmethods;
	case VLOOP:
		return loopmethods;
	default:
		return NULL;
	}
}

static const struct methoddef *
methodof(struct value obj, const char *name)
{
	const struct methoddef *m = methodsof(obj);

	for (; m && m->name; m++) {
		if (!strcmp(m->name, name))
			return m;
	}
	return NULL;
}

/* the number of arguments a method takes, or an error */
static bool
nargscheck(struct ev *ev, const struct node *n, const char *name, size_t nargs, size_t nkw, size_t lo, size_t hi)
{
	if (nkw)
		return everr(ev, n, "%s() takes no keyword arguments", name);
	if (nargs < lo || nargs > hi) {
		if (lo == hi)
			return everr(ev, n, "%s() takes exactly %zu argument%s (%zu given)", name, lo, lo == 1 ? "" : "s", nargs);
		return everr(ev, n, "%s() takes from %zu to %zu arguments (%zu given)", name, lo, hi, nargs);
	}
	return true;
}

bool
callmethod(struct ev *ev, const struct node *n, struct value self, const char *name,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	const struct methoddef *m = methodof(self, name);
	struct mcall c = {ev, n, self, name, args, nargs, kw, nkw};

	if (!m || !m->fn) {
		switch (self.type) {
		case VSTR:
			return everr(ev, n, "the str method '%s' is not supported by imagegen", name);
		case VLIST:
		case VTUPLE:
		case VRANGE:
			return everr(ev, n, "the list method '%s' is not supported by imagegen", name);
		case VDICT:
			return everr(ev, n, "the dict method '%s' is not supported by imagegen", name);
		case VLOOP:
			return everr(ev, n, "loop.%s() is not supported by imagegen", name);
		default:
			return everr(ev, n, "'%s' object has no method '%s'", vtypename(self), name);
		}
	}
	if (m->max >= 0 && !nargscheck(ev, n, name, nargs, nkw, (size_t)m->min, (size_t)m->max))
		return false;
	return m->fn(&c, out);
}
