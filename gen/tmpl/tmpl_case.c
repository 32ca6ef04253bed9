#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_case.h"
#include "tmpl_ev.h"

/*
 * Unicode case mapping as Python's str methods do it: the full mappings
 * (SpecialCasing: "\u00df".upper() is "SS", "\ufb01" is "FI"), the final
 * sigma of str.lower, and the properties the methods consult, from tables
 * written from the reference Python (tmpl_casetab.h, casetab.py). No
 * locale is involved.
 */

struct casemapping {
	uint32_t cp;
	uint16_t off;
	uint8_t n;
};

#include "tmpl_casetab.h"

/* code points that are not UTF-8 (invalid bytes) are kept as themselves */
#define RAWBYTE 0x80000000UL

/* next code point of s[*i..n), advancing *i; invalid bytes come out as RAWBYTE | byte */
static unsigned long
nextcp(const unsigned char *s, size_t n, size_t *i)
{
	unsigned long c = s[*i];
	size_t k, len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

	if (len <= 1 || *i + len > n) {
		(*i)++;
		return c | (len == 1 ? 0 : RAWBYTE);
	}
	c &= len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07;
	for (k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return s[*i - 1] | RAWBYTE;
		}
		c = c << 6 | (s[*i + k] & 0x3f);
	}
	*i += len;
	return c;
}

/* the properties of c (CF_*) */
static unsigned
cpflags(unsigned long c)
{
	size_t lo = 0, hi = LEN(caseranges), mid;

	if (c & RAWBYTE)
		return 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (c < caseranges[mid].lo)
			hi = mid;
		else if (c > caseranges[mid].hi)
			lo = mid + 1;
		else
			return caseranges[mid].flags;
	}
	return 0;
}

/* append what mapping tab (one of caseupper...) makes of c: itself when it has no entry */
static void
putmapped(struct buf *b, const struct casemapping *tab, size_t n, unsigned long c)
{
	size_t lo = 0, hi = n, mid, k;

	if (c & RAWBYTE) {
		bufaddc(b, (int)(c & 0xff));
		return;
	}
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (c < tab[mid].cp)
			hi = mid;
		else if (c > tab[mid].cp)
			lo = mid + 1;
		else {
			for (k = 0; k < tab[mid].n; k++)
				putcp(b, casepool[tab[mid].off + k]);
			return;
		}
	}
	putcp(b, c);
}

#define PUTUPPER(b, c) putmapped((b), caseupper, LEN(caseupper), (c))
#define PUTLOWER1(b, c) putmapped((b), caselower, LEN(caselower), (c))
#define PUTTITLE(b, c) putmapped((b), casetitle, LEN(casetitle), (c))
#define PUTFOLD(b, c) putmapped((b), casefold, LEN(casefold), (c))

/* the code points of p[0..n) */
static unsigned long *
decode(const unsigned char *p, size_t n, size_t *ncp)
{
	unsigned long *v = xreallocarray(NULL, n ? n : 1, sizeof(v[0]));
	size_t i = 0;

	*ncp = 0;
	while (i < n)
		v[(*ncp)++] = nextcp(p, n, &i);
	return v;
}

/*
 * append the lower case of v[i] within v[0..n): str.lower's, where a
 * capital sigma after a cased letter and not before one (case-ignorable
 * code points between them skipped) is the final sigma
 */
static void
putlower(struct buf *b, const unsigned long *v, size_t n, size_t i)
{
	size_t j;
	bool final;

	if (v[i] != 0x3a3) {
		PUTLOWER1(b, v[i]);
		return;
	}
	for (j = i; j > 0 && (cpflags(v[j - 1]) & CF_IGNORABLE); j--)
		;
	final = j > 0 && (cpflags(v[j - 1]) & CF_CASED);
	if (final) {
		for (j = i + 1; j < n && (cpflags(v[j]) & CF_IGNORABLE); j++)
			;
		final = j == n || !(cpflags(v[j]) & CF_CASED);
	}
	putcp(b, final ? 0x3c2 : 0x3c3);
}

/* true if c separates the words of jinja2's title filter: [-\s({\[<] */
static bool
titlesep(unsigned long c)
{
	return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || (cpflags(c) & CF_SPACE);
}

struct value
casemap(struct ev *ev, struct value s, int mode)
{
	const unsigned char *p = (const unsigned char *)s.u.s->data;
	size_t i, j, n, ncp;
	unsigned long *v;
	struct buf b = {0};
	struct value r;
	unsigned f;
	bool prevcased = false;

	v = decode(p, s.u.s->len, &ncp);
	for (i = 0; i < ncp; i++) {
		switch (mode) {
		case 'u':
			PUTUPPER(&b, v[i]);
			break;
		case 'l':
			putlower(&b, v, ncp, i);
			break;
		case 'f':
			PUTFOLD(&b, v[i]);
			break;
		case 's':
			f = cpflags(v[i]);
			if (f & CF_UPPER)
				putlower(&b, v, ncp, i);
			else if (f & CF_LOWER)
				PUTUPPER(&b, v[i]);
			else
				putmapped(&b, NULL, 0, v[i]);
			break;
		case 'T':
			/*
			 * jinja2's title filter: the string split at runs of
			 * [-\s({\[<], each piece item[0].upper() + item[1:].lower()
			 * (the rest lowered as a string of its own)
			 */
			for (j = i + 1; j < ncp && titlesep(v[j]) == titlesep(v[i]); j++)
				;
			PUTUPPER(&b, v[i]);
			for (n = i + 1; n < j; n++)
				putlower(&b, v + i + 1, j - i - 1, n - i - 1);
			i = j - 1;
			break;
		case 't':
			/* str.title: a letter after a cased one is lowered, any other title-cased */
			if (prevcased)
				putlower(&b, v, ncp, i);
			else
				PUTTITLE(&b, v[i]);
			prevcased = cpflags(v[i]) & CF_CASED;
			break;
		default:
			/* str.capitalize: the first title-cased, the rest lowered */
			if (i == 0)
				PUTTITLE(&b, v[i]);
			else
				putlower(&b, v, ncp, i);
		}
	}
	free(v);
	r = strval(ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return r;
}

bool
iscase(struct ev *ev, struct value s, int mode)
{
	const unsigned char *p = (const unsigned char *)s.u.s->data;
	size_t i = 0, n = s.u.s->len;
	unsigned f, want = mode == 'l' ? CF_LOWER : CF_UPPER, other = mode == 'l' ? CF_UPPER : CF_LOWER;
	bool cased = false;

	(void)ev;
	/* str.islower: no upper- or title-case letter, and a lowercase one (str.isupper the other way) */
	while (i < n) {
		f = cpflags(nextcp(p, n, &i));
		if (f & (other | CF_TITLE))
			return false;
		if (f & want)
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
