#include "compat.h"

#include <locale.h>
#include <string.h>
#include <wctype.h>

#include "tmpl_case.h"
#include "tmpl_ev.h"

/* Unicode case mapping as Python's str methods do it, through the C.UTF-8 locale */

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
	delbuf(&b);
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
