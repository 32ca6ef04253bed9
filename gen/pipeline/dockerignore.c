#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "dockerignore.h"
#include "util.h"

void
diparse(struct dockerignore *di, const char *text, size_t len)
{
	size_t i = 0, s, e;
	int line = 0;
	bool neg;
	char *raw, *clean;

	while (i < len) {
		line++;
		for (e = i; e < len && text[e] != '\n'; e++)
			;
		s = i;
		i = e < len ? e + 1 : e;
		if (s < e && text[s] == '#')
			continue;
		while (s < e && (text[s] == ' ' || text[s] == '\t' || text[s] == '\r'))
			s++;
		while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r'))
			e--;
		if (s == e)
			continue;
		neg = text[s] == '!';
		if (neg) {
			s++;
			while (s < e && (text[s] == ' ' || text[s] == '\t'))
				s++;
		}
		raw = xstrndup(text + s, e - s);
		clean = pathcanon(raw);
		free(raw);
		if (clean[0] == '/') {
			/* "/x" means "x": the context is the root */
			char *rel = xstrdup(clean[1] ? clean + 1 : ".");

			free(clean);
			clean = rel;
		}
		di->v = xreallocarray(di->v, di->n + 1, sizeof(di->v[0]));
		di->v[di->n].pat = clean;
		di->v[di->n].negate = neg;
		di->v[di->n].line = line;
		di->n++;
	}
}

void
deldockerignore(struct dockerignore *di)
{
	size_t i;

	for (i = 0; i < di->n; i++)
		free(di->v[i].pat);
	free(di->v);
	di->v = NULL;
	di->n = 0;
}

/* match a [...] class at p against c; *end is set after the class; -1 if malformed */
static int
classmatch(const char *p, char c, const char **end)
{
	bool neg = false, hit = false;
	char lo, hi;

	p++;
	if (*p == '^' || *p == '!') {
		neg = true;
		p++;
	}
	if (*p == ']')
		return -1; /* Go rejects an empty class */
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p++;
		lo = *p++;
		hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = *p++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	if (*p != ']')
		return -1;
	*end = p + 1;
	return hit != neg;
}

/*
 * the state of one match: the pattern and the path, and the pairs of
 * positions already known not to match, so that a pattern of many '*'
 * takes time in the product of the two lengths instead of exponential time
 */
struct match {
	const char *pat, *path;
	size_t npath;
	unsigned char *failed; /* a bit per (pattern offset, path offset) */
};

static bool
known(const struct match *m, const char *p, const char *s, bool set)
{
	size_t bit = (size_t)(p - m->pat) * (m->npath + 1) + (size_t)(s - m->path);

	if (set)
		m->failed[bit / 8] |= (unsigned char)(1u << (bit % 8));
	return m->failed[bit / 8] & (1u << (bit % 8));
}

static bool matchhere(const struct match *m, const char *p, const char *s);

/* matchhere, remembering a failure */
static bool
matchfrom(const struct match *m, const char *p, const char *s)
{
	if (known(m, p, s, false))
		return false;
	if (matchhere(m, p, s))
		return true;
	known(m, p, s, true);
	return false;
}

static bool
matchhere(const struct match *m, const char *p, const char *s)
{
	const char *end;
	int r;

	for (;;) {
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '*':
			if (p[1] == '*') {
				/*
				 * "**" (its '/' eaten) at the end matches the rest; elsewhere
				 * it matches nothing or anything ending in '/'
				 */
				p += 2;
				if (*p == '/')
					p++;
				if (!*p)
					return true;
				if (matchfrom(m, p, s))
					return true;
				for (; *s; s++) {
					if (s[0] == '/' && matchfrom(m, p, s + 1))
						return true;
				}
				return false;
			}
			p++;
			for (;;) {
				if (matchfrom(m, p, s))
					return true;
				if (!*s || *s == '/')
					return false;
				s++;
			}
		case '?':
			if (!*s || *s == '/')
				return false;
			p++;
			s++;
			break;
		case '[':
			if (!*s || *s == '/')
				return false;
			r = classmatch(p, *s, &end);
			if (r <= 0)
				return false;
			p = end;
			s++;
			break;
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return false;
			p++;
			s++;
		}
	}
}

bool
dimatch(const char *pat, const char *path)
{
	struct match m;
	bool hit;

	m.pat = pat;
	m.path = path;
	m.npath = strlen(path);
	/* without a star no position is tried twice: nothing to remember */
	if (!strchr(pat, '*')) {
		m.failed = NULL;
		return matchhere(&m, pat, path);
	}
	m.failed = xcalloc((strlen(pat) + 1) * (m.npath + 1) / 8 + 1, 1);
	hit = matchhere(&m, pat, path);
	free(m.failed);
	return hit;
}

/* true if pat matches path or one of its parent directories */
static bool
matchorparent(const char *pat, const char *path)
{
	char *p;
	size_t i;
	bool hit = false;

	if (dimatch(pat, path))
		return true;
	p = xstrdup(path);
	for (i = 0; p[i] && !hit; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		hit = dimatch(pat, p);
		p[i] = '/';
	}
	free(p);
	return hit;
}

bool
diexcluded(const struct dockerignore *di, const char *path)
{
	size_t i;
	bool excluded = false;

	for (i = 0; i < di->n; i++) {
		if (matchorparent(di->v[i].pat, path))
			excluded = !di->v[i].negate;
	}
	return excluded;
}
