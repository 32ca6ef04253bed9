#include "compat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_ev.h"

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

/* fill to width code points around body */
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

/* the byte offset of code point ci of the string s (its length past the end) */
static size_t
u8offset(struct value s, size_t ci)
{
	size_t i, k = 0;

	for (i = 0; i < s.u.s->len; i++) {
		if (((unsigned char)s.u.s->data[i] & 0xc0) != 0x80) {
			if (k == ci)
				return i;
			k++;
		}
	}
	return s.u.s->len;
}

static bool
strmethod(struct ev *ev, const struct node *n, struct value s, const char *m, struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	size_t i, len = s.u.s->len;
	const char *d = s.u.s->data, *q;
	bool res;
	int64_t max = -1;

	if (!strcmp(m, "format"))
		return strformat(ev, n, s, args, nargs, kw, nkw, out);
	if (!strcmp(m, "upper") || !strcmp(m, "lower") || !strcmp(m, "swapcase") || !strcmp(m, "casefold")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		*out = casemap(ev, s, m[0] == 'c' ? 'l' : m[0]);
		return true;
	}
	if (!strcmp(m, "strip") || !strcmp(m, "lstrip") || !strcmp(m, "rstrip")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 1))
			return false;
		if (nargs && args[0].type != VNONE && !strarg(ev, n, m, args[0], 0))
			return false;
		*out = strstrip(ev, s, nargs ? args[0] : vnone(), m[0] == 'l' ? 1 : m[0] == 'r' ? 2 : 3);
		return true;
	}
	if (!strcmp(m, "split") || !strcmp(m, "rsplit")) {
		static const char *const params[] = {"sep", "maxsplit", NULL};
		struct value slots[2];

		if (!bindargs(ev, n, m, params, args, nargs, kw, nkw, slots))
			return false;
		if (!NOTGIVEN(slots[0]) && slots[0].type != VNONE) {
			if (!strarg(ev, n, m, slots[0], 0))
				return false;
			if (slots[0].u.s->len == 0)
				return everr(ev, n, "empty separator");
		}
		if (!NOTGIVEN(slots[1])) {
			if (!isint(slots[1]))
				return everr(ev, n, "'%s' object cannot be interpreted as an integer", vtypename(slots[1]));
			max = intof(slots[1]);
		}
		*out = strsplit(ev, s, NOTGIVEN(slots[0]) ? vnone() : slots[0], max, m[0] == 'r');
		return true;
	}
	if (!strcmp(m, "startswith") || !strcmp(m, "endswith")) {
		struct value sub = s;
		int64_t cp = (int64_t)vlength(s), lo = 0, hi = cp;

		if (!nargscheck(ev, n, m, nargs, nkw, 1, 3))
			return false;
		/* the optional start and end: code point positions, as in a slice */
		for (i = 1; i < nargs; i++) {
			int64_t k;

			if (args[i].type == VNONE)
				continue;
			if (!isint(args[i]))
				return everr(ev, n, "slice indices must be integers or None, not %s", vtypename(args[i]));
			k = intof(args[i]);
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
		if (nargs > 1) {
			sub = strval(ev, s.u.s->data + u8offset(s, (size_t)lo), u8offset(s, (size_t)(hi < lo ? lo : hi)) - u8offset(s, (size_t)lo));
		}
		if (!prefixmatch(ev, n, m, sub, args[0], m[0] == 'e', &res))
			return false;
		*out = vbool(res);
		return true;
	}
	if (!strcmp(m, "replace")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 2, 3))
			return false;
		if (!strarg(ev, n, m, args[0], 0) || !strarg(ev, n, m, args[1], 1))
			return false;
		if (nargs == 3) {
			if (!isint(args[2]))
				return everr(ev, n, "'%s' object cannot be interpreted as an integer", vtypename(args[2]));
			max = intof(args[2]);
		}
		*out = strreplace(ev, s, args[0], args[1], max);
		return true;
	}
	if (!strcmp(m, "join")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1))
			return false;
		return joinv(ev, n, s, args[0], out);
	}
	if (!strcmp(m, "find") || !strcmp(m, "rfind") || !strcmp(m, "index") || !strcmp(m, "count")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1))
			return false;
		if (!strarg(ev, n, m, args[0], 0))
			return false;
		if (m[0] == 'c') {
			int64_t c = 0;
			const char *p = d;

			if (args[0].u.s->len == 0) {
				*out = vint((int64_t)vlength(s) + 1);
				return true;
			}
			while ((q = findstr(p, (size_t)(d + len - p), args[0].u.s->data, args[0].u.s->len))) {
				c++;
				p = q + args[0].u.s->len;
			}
			*out = vint(c);
			return true;
		}
		q = m[0] == 'r' ? rfindstr(d, len, args[0].u.s->data, args[0].u.s->len)
		    : findstr(d, len, args[0].u.s->data, args[0].u.s->len);
		if (!q && m[0] == 'i')
			return everr(ev, n, "substring not found");
		*out = vint(q ? (int64_t)vlength(strval(ev, d, (size_t)(q - d))) : -1);
		return true;
	}
	if (!strcmp(m, "title") || !strcmp(m, "capitalize")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		*out = casemap(ev, s, m[0] == 't' ? 't' : 'c');
		return true;
	}
	if (!strcmp(m, "splitlines")) {
		const char *p = d, *e = d + len;

		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		*out = vlist(ev->a, 0, false);
		while (p < e) {
			for (q = p; q < e && *q != '\n' && *q != '\r' && *q != '\v' && *q != '\f' && *q != 0x1c && *q != 0x1d && *q != 0x1e; q++)
				;
			vlistpush(ev->a, out->u.l, strval(ev, p, (size_t)(q - p)));
			if (q < e && *q == '\r' && q + 1 < e && q[1] == '\n')
				q++;
			p = q < e ? q + 1 : e;
		}
		return true;
	}
	if (!strncmp(m, "is", 2)) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		res = len > 0;
		for (i = 0; i < len && res; i++) {
			unsigned char c = (unsigned char)d[i];

			if (!strcmp(m, "isdigit") || !strcmp(m, "isnumeric") || !strcmp(m, "isdecimal"))
				res = isdigit(c);
			else if (!strcmp(m, "isalpha"))
				res = isalpha(c);
			else if (!strcmp(m, "isalnum"))
				res = isalnum(c);
			else if (!strcmp(m, "isspace"))
				res = pyspace(c);
			else if (!strcmp(m, "isidentifier"))
				res = isalpha(c) || c == '_' || (i > 0 && isdigit(c));
			else
				break;
		}
		if (!strcmp(m, "isupper") || !strcmp(m, "islower"))
			res = iscase(ev, s, m[2]);
		if (!strcmp(m, "istitle"))
			return everr(ev, n, "istitle() is not supported by imagegen");
		*out = vbool(res);
		return true;
	}
	if (!strcmp(m, "zfill") || !strcmp(m, "ljust") || !strcmp(m, "rjust") || !strcmp(m, "center")) {
		struct buf b = {0};
		const char *fill = " ";
		size_t filllen = 1;
		int64_t w;

		if (!nargscheck(ev, n, m, nargs, nkw, 1, m[0] == 'z' ? 1 : 2))
			return false;
		if (!isint(args[0]))
			return everr(ev, n, "'%s' object cannot be interpreted as an integer", vtypename(args[0]));
		w = intof(args[0]);
		if (w > 100000)
			return everr(ev, n, "width %lld too large", (long long)w);
		if (nargs == 2) {
			if (!strarg(ev, n, m, args[1], 1))
				return false;
			if (vlength(args[1]) != 1)
				return everr(ev, n, "The fill character must be exactly one character long");
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
		*out = strval(ev, b.data ? b.data : "", b.len);
		delbuf(&b);
		return true;
	}
	if (!strcmp(m, "partition") || !strcmp(m, "rpartition")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1) || !strarg(ev, n, m, args[0], 0))
			return false;
		if (args[0].u.s->len == 0)
			return everr(ev, n, "empty separator");
		q = m[0] == 'r' ? rfindstr(d, len, args[0].u.s->data, args[0].u.s->len) : findstr(d, len, args[0].u.s->data, args[0].u.s->len);
		*out = vlist(ev->a, 3, true);
		if (!q) {
			struct value e = strval(ev, "", 0);

			vlistpush(ev->a, out->u.l, m[0] == 'r' ? e : s);
			vlistpush(ev->a, out->u.l, e);
			vlistpush(ev->a, out->u.l, m[0] == 'r' ? s : e);
			return true;
		}
		vlistpush(ev->a, out->u.l, strval(ev, d, (size_t)(q - d)));
		vlistpush(ev->a, out->u.l, args[0]);
		q += args[0].u.s->len;
		vlistpush(ev->a, out->u.l, strval(ev, q, (size_t)(d + len - q)));
		return true;
	}
	if (!strcmp(m, "removeprefix") || !strcmp(m, "removesuffix")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1) || !strarg(ev, n, m, args[0], 0))
			return false;
		if (!prefixmatch(ev, n, m, s, args[0], m[6] == 's', &res))
			return false;
		if (!res)
			*out = s;
		else if (m[6] == 's')
			*out = strval(ev, d, len - args[0].u.s->len);
		else
			*out = strval(ev, d + args[0].u.s->len, len - args[0].u.s->len);
		return true;
	}
	return everr(ev, n, "the str method '%s' is not supported by imagegen", m);
}

static bool
listmethod(struct ev *ev, const struct node *n, struct value self, const char *m, struct value *args, size_t nargs, size_t nkw, struct value *out)
{
	struct vlist *l = self.u.l, *src;
	size_t i;
	int64_t k, len = (int64_t)l->len;

	*out = vnone();
	if (!strcmp(m, "append")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1))
			return false;
		vlistpush(ev->a, l, args[0]);
		return true;
	}
	if (!strcmp(m, "extend")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1) || !iterv(ev, n, args[0], &src))
			return false;
		if (args[0].type == VUNDEF)
			return undeferr(ev, n, args[0]);
		len = (int64_t)src->len;
		for (k = 0; k < len; k++)
			vlistpush(ev->a, l, src->v[k]);
		return true;
	}
	if (!strcmp(m, "pop")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 1))
			return false;
		k = nargs ? (isint(args[0]) ? intof(args[0]) : INT64_MAX) : -1;
		if (k == INT64_MAX)
			return everr(ev, n, "'%s' object cannot be interpreted as an integer", vtypename(args[0]));
		if (len == 0)
			return everr(ev, n, "pop from empty list");
		if (k < 0)
			k += len;
		if (k < 0 || k >= len)
			return everr(ev, n, "pop index out of range");
		*out = l->v[k];
		memmove(l->v + k, l->v + k + 1, (size_t)(len - k - 1) * sizeof(*l->v));
		l->len--;
		return true;
	}
	if (!strcmp(m, "insert")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 2, 2))
			return false;
		if (!isint(args[0]))
			return everr(ev, n, "'%s' object cannot be interpreted as an integer", vtypename(args[0]));
		k = intof(args[0]);
		if (k < 0)
			k += len;
		if (k < 0)
			k = 0;
		if (k > len)
			k = len;
		vlistpush(ev->a, l, vnone());
		memmove(l->v + k + 1, l->v + k, (size_t)(len - k) * sizeof(*l->v));
		l->v[k] = args[1];
		return true;
	}
	if (!strcmp(m, "index") || !strcmp(m, "count") || !strcmp(m, "remove")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1))
			return false;
		k = 0;
		for (i = 0; i < l->len; i++) {
			if (!veq(l->v[i], args[0]))
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
			return everr(ev, n, m[0] == 'i' ? "the value is not in the list" : "list.remove(x): x not in list");
		*out = vint(k);
		return true;
	}
	if (!strcmp(m, "reverse")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		for (i = 0; i < l->len / 2; i++) {
			struct value t = l->v[i];

			l->v[i] = l->v[l->len - 1 - i];
			l->v[l->len - 1 - i] = t;
		}
		return true;
	}
	if (!strcmp(m, "copy")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		*out = vlist(ev->a, l->len, false);
		for (i = 0; i < l->len; i++)
			vlistpush(ev->a, out->u.l, l->v[i]);
		return true;
	}
	if (!strcmp(m, "clear")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		l->len = 0;
		return true;
	}
	if (!strcmp(m, "sort")) {
		if (nargs)
			return everr(ev, n, "sort() takes no positional arguments");
		return everr(ev, n, "list.sort() is not supported by imagegen; use the sort filter");
	}
	return everr(ev, n, "the list method '%s' is not supported by imagegen", m);
}

static bool
dictmethod(struct ev *ev, const struct node *n, struct value self, const char *m, struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	struct vdict *d = self.u.d;
	struct value *p, t;
	size_t i;

	if (!strcmp(m, "items") || !strcmp(m, "keys") || !strcmp(m, "values")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		*out = vlist(ev->a, d->len, false);
		out->u.l->view = m[0] == 'k' ? VIEWKEYS : m[0] == 'v' ? VIEWVALUES : VIEWITEMS;
		for (i = 0; i < d->len; i++) {
			if (m[0] == 'k') {
				vlistpush(ev->a, out->u.l, d->keys[i]);
			} else if (m[0] == 'v') {
				vlistpush(ev->a, out->u.l, d->vals[i]);
			} else {
				t = vlist(ev->a, 2, true);
				vlistpush(ev->a, t.u.l, d->keys[i]);
				vlistpush(ev->a, t.u.l, d->vals[i]);
				vlistpush(ev->a, out->u.l, t);
			}
		}
		return true;
	}
	if (!strcmp(m, "get") || !strcmp(m, "pop") || !strcmp(m, "setdefault")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 2))
			return false;
		if (!vhashable(args[0]))
			return everr(ev, n, "unhashable type: '%s'", vtypename(args[0]));
		p = vdictget(d, args[0]);
		if (m[0] == 'g') {
			*out = p ? *p : nargs > 1 ? args[1] : vnone();
			return true;
		}
		if (m[0] == 's') {
			if (!p)
				vdictset(ev->a, d, args[0], nargs > 1 ? args[1] : vnone());
			*out = p ? *p : nargs > 1 ? args[1] : vnone();
			return true;
		}
		if (!p) {
			struct buf b = {0};

			if (nargs > 1) {
				*out = args[1];
				return true;
			}
			vreprto(&b, args[0]);
			everr(ev, n, "KeyError: %s", b.data);
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
			/* rebuild the index by re-adding */
			struct value keys = {0};

			(void)keys;
			{
				struct vdict nd = {0};
				size_t j;

				for (j = 0; j < d->len; j++)
					vdictset(ev->a, &nd, d->keys[j], d->vals[j]);
				*d = nd;
			}
		}
		return true;
	}
	if (!strcmp(m, "update")) {
		if (nargs > 1)
			return everr(ev, n, "update expected at most 1 argument, got %zu", nargs);
		if (nargs == 1) {
			if (args[0].type != VDICT)
				return everr(ev, n, "dict.update() in a template takes a dict, not %s", vtypename(args[0]));
			for (i = 0; i < args[0].u.d->len; i++)
				vdictset(ev->a, d, args[0].u.d->keys[i], args[0].u.d->vals[i]);
		}
		for (i = 0; i < nkw; i++)
			vdictset(ev->a, d, strval(ev, kw[i].name, strlen(kw[i].name)), kw[i].val);
		*out = vnone();
		return true;
	}
	if (!strcmp(m, "copy")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		*out = vdict(ev->a);
		for (i = 0; i < d->len; i++)
			vdictset(ev->a, out->u.d, d->keys[i], d->vals[i]);
		return true;
	}
	if (!strcmp(m, "clear")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 0, 0))
			return false;
		memset(d, 0, sizeof(*d));
		*out = vnone();
		return true;
	}
	return everr(ev, n, "the dict method '%s' is not supported by imagegen", m);
}

bool
callmethod(struct ev *ev, const struct node *n, struct value self, const char *name,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	switch (self.type) {
	case VSTR:
		return strmethod(ev, n, self, name, args, nargs, kw, nkw, out);
	case VLIST:
	case VTUPLE:
	case VRANGE:
		return listmethod(ev, n, self, name, args, nargs, nkw, out);
	case VDICT:
		return dictmethod(ev, n, self, name, args, nargs, kw, nkw, out);
	case VLOOP:
		if (!strcmp(name, "cycle")) {
			struct value idx;

			if (nargs == 0)
				return everr(ev, n, "no items for cycling given");
			if (!getattrv(ev, n, self, "index0", &idx))
				return false;
			*out = args[idx.u.i % (int64_t)nargs];
			return true;
		}
		if (!strcmp(name, "changed")) {
			struct loopstate *ls = self.u.p;
			struct value t = vlist(ev->a, nargs, true);
			size_t i;

			if (nkw)
				return everr(ev, n, "loop.changed() takes no keyword arguments");
			for (i = 0; i < nargs; i++)
				vlistpush(ev->a, t.u.l, args[i]);
			*out = vbool(!ls->haslast || !veq(ls->last, t));
			ls->last = t;
			ls->haslast = true;
			return true;
		}
		return everr(ev, n, "loop.%s() is not supported by imagegen", name);
	default:
		return everr(ev, n, "'%s' object has no method '%s'", vtypename(self), name);
	}
}
