#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "dockerignore.h"
#include "util.h"

static size_t tokenize(const char *p, struct ditok **v);

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
		di->v[di->n].ntok = tokenize(clean, &di->v[di->n].tok);
		di->v[di->n].negate = neg;
		di->v[di->n].line = line;
		di->n++;
	}
}

void
deldockerignore(struct dockerignore *di)
{
	size_t i;

	for (i = 0; i < di->n; i++) {
		free(di->v[i].pat);
		free(di->v[i].tok);
	}
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
 * A pattern is read once into tokens, then matched against the path by
 * dynamic programming over (token, path offset), one row of booleans per
 * token from the last to the first: time in the product of the two
 * lengths whatever the stars, memory in the path's length. (Matching by
 * backtracking takes exponential time on a pattern of many stars, and
 * remembering failures still takes time in the square of the path.)
 */
enum tokkind {
	TLIT,	/* one character */
	TANY,	/* '?': one character but '/' */
	TCLASS, /* '[...]': one character but '/' in the class */
	TBAD,	/* a malformed class: matches nothing */
	TSTAR,	/* '*': any run of characters but '/' */
	TSTARS, /* '**' (and the '/' after it): nothing, or anything ending in '/' */
	TREST,	/* '**' ending the pattern: anything */
};

struct ditok {
	enum tokkind kind;
	char c;		 /* TLIT */
	const char *cls; /* TCLASS: the '[' */
};

/* the tokens of pat into *v (n of them); adjacent equal stars are one */
static size_t
tokenize(const char *p, struct ditok **v)
{
	struct ditok t;
	size_t n = 0, cap = 0;
	const char *end;

	*v = NULL;
	while (*p) {
		t.c = 0;
		t.cls = NULL;
		switch (*p) {
		case '*':
			if (p[1] == '*') {
				p += 2;
				if (*p == '/')
					p++;
				t.kind = *p ? TSTARS : TREST;
			} else {
				p++;
				t.kind = TSTAR;
			}
			if (n > 0 && (*v)[n - 1].kind == t.kind)
				continue;
			break;
		case '?':
			t.kind = TANY;
			p++;
			break;
		case '[':
			t.cls = p;
			if (classmatch(p, 'a', &end) < 0) {
				t.kind = TBAD;
				p++;
			} else {
				t.kind = TCLASS;
				p = end;
			}
			break;
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			t.kind = TLIT;
			t.c = *p++;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*v = xreallocarray(*v, cap, sizeof(**v));
		}
		(*v)[n++] = t;
	}
	return n;
}

/* true if the token matches the one character c (not a star) */
static bool
tokone(const struct ditok *t, char c)
{
	const char *end;

	switch (t->kind) {
	case TLIT:
		return c == t->c;
	case TANY:
		return c != '/';
	case TCLASS:
		return c != '/' && classmatch(t->cls, c, &end) > 0;
	default:
		return false;
	}
}

/* true if the tokens v[0..nt) match the whole of path[0..n) */
static bool
matchtoks(const struct ditok *v, size_t nt, const char *path, size_t n)
{
	bool small[2 * 257], *next, *cur, *swap, any = true, g;
	size_t i, j, fixed = 0;

	for (i = 0; i < nt; i++)
		fixed += v[i].kind < TSTAR;
	/* every token but a star takes one character */
	if (fixed > n)
		return false;
	if (fixed == nt) {
		/* no star: one token a character */
		for (i = 0; i < nt; i++) {
			if (!tokone(&v[i], path[i]))
				return false;
		}
		return nt == n;
	}
	next = n < 257 ? small : xcalloc(2 * (n + 1), sizeof(*next));
	cur = next + n + 1;
	for (j = 0; j <= n; j++)
		next[j] = j == n; /* the end of the pattern matches the end of the path */
	for (i = nt; any && i-- > 0;) {
		switch (v[i].kind) {
		case TREST:
			for (j = 0; j <= n; j++)
				cur[j] = true;
			break;
		case TSTARS:
			g = false;
			for (j = n + 1; j-- > 0;) {
				if (j < n && path[j] == '/' && next[j + 1])
					g = true;
				cur[j] = next[j] || g;
			}
			break;
		case TSTAR:
			cur[n] = next[n];
			for (j = n; j-- > 0;)
				cur[j] = next[j] || (path[j] != '/' && cur[j + 1]);
			break;
		default:
			cur[n] = false;
			for (j = 0; j < n; j++)
				cur[j] = next[j + 1] && tokone(&v[i], path[j]);
		}
		any = false;
		for (j = 0; j <= n && !any; j++)
			any = cur[j];
		swap = next;
		next = cur;
		cur = swap;
	}
	g = any && next[0];
	if (n >= 257)
		free(next < cur ? next : cur);
	return g;
}

bool
dimatch(const char *pat, const char *path)
{
	struct ditok *v;
	size_t nt = tokenize(pat, &v);
	bool hit = matchtoks(v, nt, path, strlen(path));

	free(v);
	return hit;
}

/* true if the pattern matches path or one of its parent directories */
static bool
matchorparent(const struct dipat *p, const char *path)
{
	size_t i;

	for (i = 0; path[i]; i++) {
		if (path[i] == '/' && matchtoks(p->tok, p->ntok, path, i))
			return true;
	}
	return matchtoks(p->tok, p->ntok, path, i);
}

bool
diexcluded(const struct dockerignore *di, const char *path)
{
	size_t i;
	bool excluded = false;

	for (i = 0; i < di->n; i++) {
		if (matchorparent(&di->v[i], path))
			excluded = !di->v[i].negate;
	}
	return excluded;
}
