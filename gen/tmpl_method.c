#include "compat.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

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

static locale_t
utf8loc(struct ev *ev)
{
	if (!ev->locdone) {
		ev->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
		ev->locdone = true;
	}
	return ev->loc;
}

/* next code point of s[*i..n), advancing *i; invalid bytes come out as themselves */
static unsigned long
nextcp(const unsigned char *s, size_t n, size_t *i)
{
	unsigned long c = s[*i];
	size_t k, len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

	if (len <= 1 || *i + len > n) {
		(*i)++;
		return c | (len == 1 ? 0 : 0x80000000UL);
	}
	c &= len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07;
	for (k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return s[*i - 1] | 0x80000000UL;
		}
		c = c << 6 | (s[*i + k] & 0x3f);
	}
	*i += len;
	return c;
}

static void
putcp(struct buf *b, unsigned long c)
{
	if (c & 0x80000000UL) {
		bufaddc(b, (int)(c & 0xff));
	} else if (c < 0x80) {
		bufaddc(b, (int)c);
	} else if (c < 0x800) {
		bufaddc(b, (int)(0xc0 | c >> 6));
		bufaddc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		bufaddc(b, (int)(0xe0 | c >> 12));
		bufaddc(b, (int)(0x80 | (c >> 6 & 0x3f)));
		bufaddc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		bufaddc(b, (int)(0xf0 | c >> 18));
		bufaddc(b, (int)(0x80 | (c >> 12 & 0x3f)));
		bufaddc(b, (int)(0x80 | (c >> 6 & 0x3f)));
		bufaddc(b, (int)(0x80 | (c & 0x3f)));
	}
}

static unsigned long
cpupper(locale_t loc, unsigned long c)
{
	if (c & 0x80000000UL)
		return c;
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 32 : c;
	return loc ? (unsigned long)towupper_l((wint_t)c, loc) : c;
}

static unsigned long
cplower(locale_t loc, unsigned long c)
{
	if (c & 0x80000000UL)
		return c;
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	return loc ? (unsigned long)towlower_l((wint_t)c, loc) : c;
}

static bool
cpislower(locale_t loc, unsigned long c)
{
	if (c & 0x80000000UL)
		return false;
	if (c < 0x80)
		return c >= 'a' && c <= 'z';
	return loc && iswlower_l((wint_t)c, loc);
}

static bool
cpisupper(locale_t loc, unsigned long c)
{
	if (c & 0x80000000UL)
		return false;
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	return loc && iswupper_l((wint_t)c, loc);
}

/* append the upper case of c; the sharp s becomes SS as in Python */
static void
putupper(struct buf *b, locale_t loc, unsigned long c, bool title)
{
	if (c == 0xdf) {
		bufadds(b, title ? "Ss" : "SS");
		return;
	}
	putcp(b, cpupper(loc, c));
}

struct value
casemap(struct ev *ev, struct value s, int mode)
{
	const unsigned char *p = (const unsigned char *)s.u.s->data;
	size_t i = 0, n = s.u.s->len;
	locale_t loc = NULL;
	struct buf b = {0};
	struct value r;
	unsigned long c;
	bool ascii = true, prevcased = false, first = true;
	int prevsep = 0;

	for (i = 0; i < n; i++) {
		if (p[i] >= 0x80) {
			ascii = false;
			break;
		}
	}
	if (!ascii)
		loc = utf8loc(ev);
	for (i = 0; i < n;) {
		c = nextcp(p, n, &i);
		switch (mode) {
		case 'u':
			putupper(&b, loc, c, false);
			break;
		case 'l':
			putcp(&b, cplower(loc, c));
			break;
		case 's':
			if (cpislower(loc, c))
				putupper(&b, loc, c, false);
			else
				putcp(&b, cplower(loc, c));
			break;
		case 'T':
			/* jinja2's title filter: words begin after -, space, (, {, [ or < */
			if (first || (i > 0 && strchr("- \t\n\r\f\v({[<", prevsep) && prevsep))
				putupper(&b, loc, c, true);
			else
				putcp(&b, cplower(loc, c));
			break;
		case 't':
			if (prevcased)
				putcp(&b, cplower(loc, c));
			else
				putupper(&b, loc, c, true);
			prevcased = cpislower(loc, c) || cpisupper(loc, c);
			break;
		default:
			if (first)
				putupper(&b, loc, c, true);
			else
				putcp(&b, cplower(loc, c));
		}
		first = false;
		prevsep = c < 0x80 ? (int)c : 'x';
	}
	r = strval(ev, b.data ? b.data : "", b.len);
	buffree(&b);
	return r;
}

bool
iscase(struct ev *ev, struct value s, int mode)
{
	const unsigned char *p = (const unsigned char *)s.u.s->data;
	size_t i = 0, n = s.u.s->len;
	locale_t loc = utf8loc(ev);
	unsigned long c;
	bool cased = false;

	while (i < n) {
		c = nextcp(p, n, &i);
		if (mode == 'l' ? cpisupper(loc, c) : cpislower(loc, c))
			return false;
		if (cpisupper(loc, c) || cpislower(loc, c))
			cased = true;
	}
	return cased;
}

struct value
lowerv(struct ev *ev, struct value s)
{
	if (s.type != VSTR)
		return s;
	return casemap(ev, s, 'l');
}

/* merge sort of idx by keys, stable */
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
	struct value l = vlistnew(ev->a, 0, false), r;
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
					q = end;
					while (q > p && pyspace((unsigned char)q[-1]))
						q--;
					vlistpush(ev->a, l.u.l, strval(ev, p, (size_t)(q - p)));
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
				q = p;
				while (q < end && pyspace((unsigned char)*q))
					q++;
				vlistpush(ev->a, l.u.l, strval(ev, q, (size_t)(end - q)));
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
	buffree(&b);
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
			buffree(&b);
			return everr(ev, n, "sequence item %zu: expected str instance, %s found", i, vtypename(l->v[i]));
		}
		if (i)
			bufadd(&b, sep.u.s->data, sep.u.s->len);
		bufadd(&b, l->v[i].u.s->data, l->v[i].u.s->len);
	}
	*out = strval(ev, b.data ? b.data : "", b.len);
	buffree(&b);
	return true;
}

/* fill to width code points around body */
static void
pad(struct buf *b, const char *body, size_t len, size_t width, char align, const char *fill, size_t filllen, size_t signlen)
{
	size_t cp = 0, i, left = 0, right = 0, total;

	for (i = 0; i < len; i++) {
		if (((unsigned char)body[i] & 0xc0) != 0x80)
			cp++;
	}
	total = width > cp ? width - cp : 0;
	switch (align) {
	case '<': right = total; break;
	case '^': left = total / 2; right = total - left; break;
	case '=':
		bufadd(b, body, signlen);
		body += signlen;
		len -= signlen;
		left = total;
		break;
	default: left = total; break;
	}
	for (i = 0; i < left; i++)
		bufadd(b, fill, filllen);
	bufadd(b, body, len);
	for (i = 0; i < right; i++)
		bufadd(b, fill, filllen);
}

static void
group(struct buf *b, const char *digits, size_t n, char sep, int every)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % (size_t)every == 0)
			bufaddc(b, sep);
		bufaddc(b, digits[i]);
	}
}

bool
formatspec(struct ev *ev, const struct node *n, struct buf *b, struct value v, const char *spec, size_t len)
{
	const char *p = spec, *end = spec + len, *fill = " ";
	size_t filllen = 1, width = 0, i, signlen = 0;
	char align = 0, sign = '-', type = 0, grouping = 0;
	int prec = -1;
	bool alt = false, zero = false;
	struct buf body = {0};
	char tmp[512];

	if (len == 0) {
		vstrto(b, v);
		return true;
	}
	/* [[fill]align] */
	i = 1;
	while (p + i < end && ((unsigned char)p[i] & 0xc0) == 0x80)
		i++;
	if (p + i < end && strchr("<>=^", p[i]) && p[i]) {
		fill = p;
		filllen = i;
		align = p[i];
		p += i + 1;
	} else if (strchr("<>=^", *p) && *p) {
		align = *p++;
	}
	if (p < end && (*p == '+' || *p == '-' || *p == ' '))
		sign = *p++;
	if (p < end && *p == '#') {
		alt = true;
		p++;
	}
	if (p < end && *p == '0') {
		zero = true;
		p++;
	}
	while (p < end && isdigit((unsigned char)*p) && width < 100000)
		width = width * 10 + (size_t)(*p++ - '0');
	if (p < end && (*p == ',' || *p == '_'))
		grouping = *p++;
	if (p < end && *p == '.') {
		p++;
		if (p == end || !isdigit((unsigned char)*p))
			return everr(ev, n, "format specifier missing precision");
		prec = 0;
		while (p < end && isdigit((unsigned char)*p) && prec < 1000)
			prec = prec * 10 + (*p++ - '0');
	}
	if (p < end)
		type = *p++;
	if (p != end)
		return everr(ev, n, "invalid format specifier '%.*s'", (int)len, spec);
	if (zero && !align) {
		fill = "0";
		filllen = 1;
		align = '=';
	}
	if (v.type == VUNDEF)
		v = strval(ev, "", 0);
	if (v.type == VSTR || ((v.type == VNONE || v.type == VLIST || v.type == VTUPLE || v.type == VDICT) && !type && prec < 0 && !grouping && sign == '-')) {
		struct value s = v.type == VSTR ? v : vtostr(ev->a, v);

		if (type && type != 's')
			return everr(ev, n, "unknown format code '%c' for object of type 'str'", type);
		if (align == '=')
			return everr(ev, n, "'=' alignment not allowed in string format specifier");
		if (sign != '-')
			return everr(ev, n, "sign not allowed in string format specifier");
		len = s.u.s->len;
		if (prec >= 0) {
			size_t cp = 0;

			for (i = 0; i < len; i++) {
				if (((unsigned char)s.u.s->data[i] & 0xc0) != 0x80) {
					if ((int)cp == prec)
						break;
					cp++;
				}
			}
			len = i;
		}
		pad(b, s.u.s->data, len, width, align ? align : '<', fill, filllen, 0);
		return true;
	}
	if (v.type == VBOOL && !type) {
		pad(b, v.u.b ? "True" : "False", v.u.b ? 4 : 5, width, align ? align : '<', fill, filllen, 0);
		return true;
	}
	if (isint(v) && (!type || strchr("dxXobcn", type))) {
		int64_t x = intof(v);
		unsigned long long u = x < 0 ? (unsigned long long)0 - (unsigned long long)x : (unsigned long long)x;
		char digits[80];
		int nd = 0, base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;

		if (prec >= 0)
			return everr(ev, n, "precision not allowed in integer format specifier");
		if (type == 'c') {
			buffree(&body);
			return everr(ev, n, "the format code 'c' is not supported by imagegen");
		}
		do {
			digits[nd++] = "0123456789abcdef"[u % (unsigned)base];
			u /= (unsigned)base;
		} while (u);
		for (i = 0; i < (size_t)nd / 2; i++) {
			char t = digits[i];

			digits[i] = digits[nd - 1 - i];
			digits[nd - 1 - i] = t;
		}
		if (type == 'X') {
			for (i = 0; i < (size_t)nd; i++)
				digits[i] = (char)toupper((unsigned char)digits[i]);
		}
		if (x < 0)
			bufaddc(&body, '-');
		else if (sign == '+' || sign == ' ')
			bufaddc(&body, sign);
		if (alt && base != 10) {
			bufaddc(&body, '0');
			bufaddc(&body, type);
		}
		signlen = body.len;
		if (grouping)
			group(&body, digits, (size_t)nd, grouping, base == 10 ? 3 : 4);
		else
			bufadd(&body, digits, (size_t)nd);
		pad(b, body.data, body.len, width, align ? align : '>', fill, filllen, signlen);
		buffree(&body);
		return true;
	}
	if ((isint(v) || v.type == VFLOAT) && (!type || strchr("eEfFgG%", type))) {
		double f = v.type == VFLOAT ? v.u.f : (double)intof(v);
		char fmt[16];
		int k = 0;

		if (f < 0 || (f == 0 && signbit(f))) {
			bufaddc(&body, '-');
			f = -f;
		} else if (sign == '+' || sign == ' ') {
			bufaddc(&body, sign);
		}
		signlen = body.len;
		if (!type && prec < 0) {
			vfloatto(&body, f);
		} else {
			char t = type ? type : 'g';
			int pr = prec < 0 ? 6 : prec;

			if (t == '%')
				f *= 100;
			fmt[k++] = '%';
			if (alt)
				fmt[k++] = '#';
			snprintf(fmt + k, sizeof(fmt) - (size_t)k, ".*%c", t == '%' ? 'f' : t);
			snprintf(tmp, sizeof(tmp), fmt, pr, f);
			if (grouping && (t == 'f' || t == 'F')) {
				char *dot = strchr(tmp, '.');
				size_t intlen = dot ? (size_t)(dot - tmp) : strlen(tmp);

				group(&body, tmp, intlen, grouping, 3);
				bufadds(&body, tmp + intlen);
			} else {
				bufadds(&body, tmp);
			}
			if (!type && !strpbrk(tmp, ".en"))
				bufadds(&body, ".0");
			if (t == '%')
				bufaddc(&body, '%');
		}
		pad(b, body.data, body.len, width, align ? align : '>', fill, filllen, signlen);
		buffree(&body);
		return true;
	}
	buffree(&body);
	return everr(ev, n, "unsupported format string passed to %s.__format__", vtypename(v));
}

/* Python's str.format */
static bool
strformat(struct ev *ev, const struct node *n, struct value fmt, struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	const char *p = fmt.u.s->data, *end = p + fmt.u.s->len, *q, *name, *spec, *nend;
	struct buf b = {0};
	size_t autoidx = 0, i, speclen;
	bool usedauto = false, usedmanual = false;
	struct value v;
	char conv;

	while (p < end) {
		if (*p == '}') {
			if (p + 1 < end && p[1] == '}') {
				bufaddc(&b, '}');
				p += 2;
				continue;
			}
			buffree(&b);
			return everr(ev, n, "single '}' encountered in format string");
		}
		if (*p != '{') {
			bufaddc(&b, *p++);
			continue;
		}
		if (p + 1 < end && p[1] == '{') {
			bufaddc(&b, '{');
			p += 2;
			continue;
		}
		/* {field[!conv][:spec]} */
		q = memchr(p, '}', (size_t)(end - p));
		if (!q) {
			buffree(&b);
			return everr(ev, n, "single '{' encountered in format string");
		}
		name = p + 1;
		for (nend = name; nend < q && *nend != '!' && *nend != ':' && *nend != '.' && *nend != '['; nend++)
			;
		conv = 0;
		spec = q;
		speclen = 0;
		if (nend < q && (*nend == '.' || *nend == '[')) {
			buffree(&b);
			return everr(ev, n, "attribute and index lookups in format fields are not supported by imagegen");
		}
		if (nend < q && *nend == '!') {
			if (nend + 1 >= q || (nend[1] != 's' && nend[1] != 'r' && nend[1] != 'a')) {
				buffree(&b);
				return everr(ev, n, "unknown conversion specifier in format string");
			}
			conv = nend[1];
			if (nend + 2 < q && nend[2] != ':') {
				buffree(&b);
				return everr(ev, n, "expected ':' after conversion specifier");
			}
			if (nend + 2 < q) {
				spec = nend + 3;
				speclen = (size_t)(q - spec);
			}
		} else if (nend < q && *nend == ':') {
			spec = nend + 1;
			speclen = (size_t)(q - spec);
		}
		if (nend == name) {
			if (usedmanual) {
				buffree(&b);
				return everr(ev, n, "cannot switch from manual field specification to automatic field numbering");
			}
			usedauto = true;
			if (autoidx >= nargs) {
				buffree(&b);
				return everr(ev, n, "Replacement index %zu out of range for positional args tuple", autoidx);
			}
			v = args[autoidx++];
		} else if (isdigit((unsigned char)*name)) {
			size_t k = 0;

			if (usedauto) {
				buffree(&b);
				return everr(ev, n, "cannot switch from automatic field numbering to manual field specification");
			}
			usedmanual = true;
			for (q = name; q < nend && isdigit((unsigned char)*q); q++)
				k = k * 10 + (size_t)(*q - '0');
			if (k >= nargs) {
				buffree(&b);
				return everr(ev, n, "Replacement index %zu out of range for positional args tuple", k);
			}
			v = args[k];
		} else {
			for (i = 0; i < nkw; i++) {
				if (strlen(kw[i].name) == (size_t)(nend - name) && memcmp(kw[i].name, name, (size_t)(nend - name)) == 0)
					break;
			}
			if (i == nkw) {
				buffree(&b);
				return everr(ev, n, "KeyError: '%.*s' is not among the keyword arguments of format()", (int)(nend - name), name);
			}
			v = kw[i].val;
		}
		if (conv == 'r' || conv == 'a') {
			struct buf r = {0};

			vreprto(&r, v);
			v = strval(ev, r.data ? r.data : "", r.len);
			buffree(&r);
		} else if (conv == 's') {
			v = vtostr(ev->a, v);
		}
		if (!formatspec(ev, n, &b, v, spec, speclen)) {
			buffree(&b);
			return false;
		}
		p = (const char *)memchr(spec, '}', (size_t)(end - spec)) + 1;
	}
	*out = strval(ev, b.data ? b.data : "", b.len);
	buffree(&b);
	return true;
}

bool
pyformatpct(struct ev *ev, const struct node *n, struct value fmt, struct value args, struct value *out)
{
	const char *p = fmt.u.s->data, *end = p + fmt.u.s->len;
	struct buf b = {0}, spec = {0};
	size_t argi = 0, nargs;
	struct value *argv, v, *pv;
	bool mapping = args.type == VDICT;
	char flags[8], t;
	int nf;

	if (args.type == VTUPLE) {
		argv = args.u.l->v;
		nargs = args.u.l->len;
	} else {
		argv = &args;
		nargs = 1;
	}
	while (p < end) {
		if (*p != '%') {
			bufaddc(&b, *p++);
			continue;
		}
		p++;
		if (p < end && *p == '%') {
			bufaddc(&b, '%');
			p++;
			continue;
		}
		v = vnone();
		if (p < end && *p == '(') {
			const char *q = memchr(p, ')', (size_t)(end - p));

			if (!q || !mapping)
				goto bad;
			pv = vdictget(args.u.d, strval(ev, p + 1, (size_t)(q - p - 1)));
			if (!pv) {
				buffree(&b);
				buffree(&spec);
				return everr(ev, n, "KeyError: '%.*s'", (int)(q - p - 1), p + 1);
			}
			v = *pv;
			p = q + 1;
		} else if (mapping) {
			v = args;
		} else {
			if (argi >= nargs) {
				buffree(&b);
				buffree(&spec);
				return everr(ev, n, "not enough arguments for format string");
			}
			v = argv[argi++];
		}
		nf = 0;
		while (p < end && strchr("-+ 0#", *p) && *p && nf < 6)
			flags[nf++] = *p++;
		flags[nf] = '\0';
		spec.len = 0;
		/* translate to a str.format spec: [fill][align][sign][#][0][width][.prec][type] */
		if (strchr(flags, '-'))
			bufaddc(&spec, '<');
		if (strchr(flags, '+'))
			bufaddc(&spec, '+');
		else if (strchr(flags, ' '))
			bufaddc(&spec, ' ');
		if (strchr(flags, '#'))
			bufaddc(&spec, '#');
		if (strchr(flags, '0') && !strchr(flags, '-'))
			bufaddc(&spec, '0');
		while (p < end && (isdigit((unsigned char)*p) || *p == '.'))
			bufaddc(&spec, *p++);
		if (p >= end)
			goto bad;
		t = *p++;
		switch (t) {
		case 's':
		case 'r':
		case 'a':
			if (!strchr(flags, '-')) {
				/* %-formatting right-aligns strings by default */
				size_t k = spec.len;

				bufaddc(&spec, ' ');
				memmove(spec.data + 1, spec.data, k);
				spec.data[0] = '>';
			}
			if (t != 's') {
				struct buf r = {0};

				vreprto(&r, v);
				v = strval(ev, r.data ? r.data : "", r.len);
				buffree(&r);
			} else {
				v = vtostr(ev->a, v);
			}
			break;
		case 'd':
		case 'i':
		case 'u':
			if (v.type == VFLOAT)
				v = vint((int64_t)v.u.f);
			if (!isint(v)) {
				buffree(&b);
				buffree(&spec);
				return everr(ev, n, "%%%c format: a real number is required, not %s", t, vtypename(v));
			}
			v = vint(intof(v));
			bufaddc(&spec, 'd');
			break;
		case 'x': case 'X': case 'o':
			if (!isint(v)) {
				buffree(&b);
				buffree(&spec);
				return everr(ev, n, "%%%c format: an integer is required, not %s", t, vtypename(v));
			}
			v = vint(intof(v));
			bufaddc(&spec, t);
			break;
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
			if (!isint(v) && v.type != VFLOAT) {
				buffree(&b);
				buffree(&spec);
				return everr(ev, n, "must be real number, not %s", vtypename(v));
			}
			if (!strchr(spec.data ? spec.data : "", '.'))
				bufadds(&spec, ".6");
			bufaddc(&spec, t);
			break;
		default:
			goto bad;
		}
		if (!formatspec(ev, n, &b, v, spec.data ? spec.data : "", spec.len)) {
			buffree(&b);
			buffree(&spec);
			return false;
		}
	}
	buffree(&spec);
	if (!mapping && argi < nargs && args.type == VTUPLE) {
		buffree(&b);
		return everr(ev, n, "not all arguments converted during string formatting");
	}
	if (!mapping && argi == 0 && args.type != VTUPLE && !(args.type == VLIST || args.type == VDICT)) {
		buffree(&b);
		return everr(ev, n, "not all arguments converted during string formatting");
	}
	*out = strval(ev, b.data ? b.data : "", b.len);
	buffree(&b);
	return true;
bad:
	buffree(&b);
	buffree(&spec);
	return everr(ev, n, "unsupported format character in a %% format string");
}

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
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1))
			return false;
		if (!prefixmatch(ev, n, m, s, args[0], m[0] == 'e', &res))
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
		*out = vlistnew(ev->a, 0, false);
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

			pad(&b, d, len, w < 0 ? 0 : (size_t)w, '=', "0", 1, sl);
		} else if (m[0] == 'c') {
			/* Python's center puts the odd space on the right... unless width and len are both odd */
			size_t cp = vlength(s), total = (size_t)w > cp ? (size_t)w - cp : 0, left = total / 2 + (total & (size_t)w & 1);

			for (i = 0; i < left; i++)
				bufadd(&b, fill, filllen);
			bufadd(&b, d, len);
			for (i = left; i < total; i++)
				bufadd(&b, fill, filllen);
		} else {
			pad(&b, d, len, w < 0 ? 0 : (size_t)w, m[0] == 'l' ? '<' : '>', fill, filllen, 0);
		}
		*out = strval(ev, b.data ? b.data : "", b.len);
		buffree(&b);
		return true;
	}
	if (!strcmp(m, "partition") || !strcmp(m, "rpartition")) {
		if (!nargscheck(ev, n, m, nargs, nkw, 1, 1) || !strarg(ev, n, m, args[0], 0))
			return false;
		if (args[0].u.s->len == 0)
			return everr(ev, n, "empty separator");
		q = m[0] == 'r' ? rfindstr(d, len, args[0].u.s->data, args[0].u.s->len) : findstr(d, len, args[0].u.s->data, args[0].u.s->len);
		*out = vlistnew(ev->a, 3, true);
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
		*out = vlistnew(ev->a, l->len, false);
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
		*out = vlistnew(ev->a, d->len, false);
		for (i = 0; i < d->len; i++) {
			if (m[0] == 'k') {
				vlistpush(ev->a, out->u.l, d->keys[i]);
			} else if (m[0] == 'v') {
				vlistpush(ev->a, out->u.l, d->vals[i]);
			} else {
				t = vlistnew(ev->a, 2, true);
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
			buffree(&b);
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
		*out = vdictnew(ev->a);
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
		return everr(ev, n, "loop.%s() is not supported by imagegen", name);
	default:
		return everr(ev, n, "'%s' object has no method '%s'", vtypename(self), name);
	}
}
