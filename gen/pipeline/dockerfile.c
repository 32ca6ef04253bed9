#include "compat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dockerfile.h"
#include "util.h"

/* a logical line: the joined text and where each byte came from */
struct lline {
	struct buf text;
	int *line, *col;
	size_t cap;
};

static void
llineadd(struct lline *l, char c, int line, int col)
{
	if (l->text.len + 1 > l->cap) {
		l->cap = l->cap ? l->cap * 2 : 128;
		l->line = xreallocarray(l->line, l->cap, sizeof(int));
		l->col = xreallocarray(l->col, l->cap, sizeof(int));
	}
	l->line[l->text.len] = line;
	l->col[l->text.len] = col;
	bufaddc(&l->text, c);
}

/* a word of a logical line */
struct word {
	size_t off, len;
};

/* the scanner's state across logical lines */
struct scan {
	struct dfrefs *out;
	char **stage; /* stage names, lowercase */
	size_t nstage;
	char **argname, **argval; /* ARG defaults before the first FROM */
	size_t narg;
	bool seenfrom;
};

static size_t
splitwords(const char *s, size_t len, struct word *w, size_t max)
{
	size_t i = 0, n = 0;

	while (i < len && n < max) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		if (i == len)
			break;
		w[n].off = i;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
		w[n].len = i - w[n].off;
		n++;
	}
	return n;
}

static bool
isstage(struct scan *sc, const char *name)
{
	size_t i;
	const char *p;

	for (p = name; *p && isdigit((unsigned char)*p); p++)
		;
	if (*name && !*p)
		return true; /* COPY --from=0 names a stage by index */
	for (i = 0; i < sc->nstage; i++) {
		if (strcasecmp(sc->stage[i], name) == 0)
			return true;
	}
	return false;
}

static const char *
argdefault(struct scan *sc, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sc->narg; i++) {
		if (strlen(sc->argname[i]) == n && strncmp(sc->argname[i], name, n) == 0)
			return sc->argval[i];
	}
	return NULL;
}

/* $NAME and ${NAME} replaced by global ARG defaults; unknown ones are kept */
static char *
substargs(struct scan *sc, const char *s)
{
	struct buf b = {0};
	const char *p, *v;
	size_t n;
	bool brace;

	for (p = s; *p;) {
		if (*p != '$') {
			bufaddc(&b, *p++);
			continue;
		}
		brace = p[1] == '{';
		for (n = 0; isalnum((unsigned char)p[1 + brace + n]) || p[1 + brace + n] == '_'; n++)
			;
		v = n ? argdefault(sc, p + 1 + brace, n) : NULL;
		if (!v || (brace && p[1 + brace + n] != '}')) {
			bufaddc(&b, *p++);
			continue;
		}
		bufadds(&b, v);
		p += 1 + brace + n + brace;
	}
	bufterm(&b);
	return b.data;
}

static void
addref(struct scan *sc, struct lline *l, size_t off, const char *ref, bool copyfrom)
{
	struct dfrefs *o = sc->out;
	char *r = substargs(sc, ref);

	if (strchr(r, '$') || strstr(r, "{{") || strstr(r, "{%")) {
		o->nunknown++;
		free(r);
		return;
	}
	if (strcasecmp(r, "scratch") == 0 || isstage(sc, r) || !*r) {
		free(r);
		return;
	}
	o->v = xreallocarray(o->v, o->n + 1, sizeof(o->v[0]));
	o->v[o->n].ref = r;
	o->v[o->n].line = l->line[off];
	o->v[o->n].col = l->col[off];
	o->v[o->n].copyfrom = copyfrom;
	o->n++;
}

static void
instruction(struct scan *sc, struct lline *l)
{
	struct word w[64];
	const char *s = l->text.data;
	size_t n, i;
	char *arg, *eq;

	if (!s)
		return;
	n = splitwords(s, l->text.len, w, LEN(w));
	if (n == 0)
		return;
	if (w[0].len == 4 && strncasecmp(s + w[0].off, "FROM", 4) == 0) {
		sc->seenfrom = true;
		for (i = 1; i < n && s[w[i].off] == '-' && w[i].len > 1 && s[w[i].off + 1] == '-'; i++)
			; /* --platform=... */
		if (i >= n)
			return;
		arg = xstrndup(s + w[i].off, w[i].len);
		addref(sc, l, w[i].off, arg, false);
		free(arg);
		if (i + 2 < n && w[i + 1].len == 2 && strncasecmp(s + w[i + 1].off, "AS", 2) == 0) {
			sc->stage = xreallocarray(sc->stage, sc->nstage + 1, sizeof(sc->stage[0]));
			sc->stage[sc->nstage++] = xstrndup(s + w[i + 2].off, w[i + 2].len);
		}
	} else if ((w[0].len == 4 && strncasecmp(s + w[0].off, "COPY", 4) == 0) ||
	    (w[0].len == 3 && strncasecmp(s + w[0].off, "ADD", 3) == 0)) {
		for (i = 1; i < n && s[w[i].off] == '-' && w[i].len > 1 && s[w[i].off + 1] == '-'; i++) {
			if (w[i].len > 7 && strncmp(s + w[i].off, "--from=", 7) == 0) {
				arg = xstrndup(s + w[i].off + 7, w[i].len - 7);
				addref(sc, l, w[i].off + 7, arg, true);
				free(arg);
			}
		}
	} else if (w[0].len == 3 && strncasecmp(s + w[0].off, "RUN", 3) == 0) {
		/* RUN --mount=type=bind,from=x,... reads from image x */
		for (i = 1; i < n && s[w[i].off] == '-' && w[i].len > 1 && s[w[i].off + 1] == '-'; i++) {
			size_t a, b, end = w[i].off + w[i].len;

			if (w[i].len <= 8 || strncmp(s + w[i].off, "--mount=", 8) != 0)
				continue;
			for (a = w[i].off + 8; a < end; a = b + 1) {
				for (b = a; b < end && s[b] != ','; b++)
					;
				if (b - a > 5 && strncmp(s + a, "from=", 5) == 0) {
					arg = xstrndup(s + a + 5, b - a - 5);
					addref(sc, l, a + 5, arg, true);
					free(arg);
				}
			}
		}
	} else if (w[0].len == 3 && strncasecmp(s + w[0].off, "ARG", 3) == 0 && !sc->seenfrom) {
		for (i = 1; i < n; i++) {
			arg = xstrndup(s + w[i].off, w[i].len);
			eq = strchr(arg, '=');
			sc->argname = xreallocarray(sc->argname, sc->narg + 1, sizeof(char *));
			sc->argval = xreallocarray(sc->argval, sc->narg + 1, sizeof(char *));
			if (eq) {
				*eq = '\0';
				sc->argval[sc->narg] = xstrdup(eq + 1);
				/* ARG V="x" keeps x */
				if (eq[1] == '"' || eq[1] == '\'') {
					size_t m = strlen(eq + 2);

					free(sc->argval[sc->narg]);
					sc->argval[sc->narg] = xstrndup(eq + 2, m && eq[2 + m - 1] == eq[1] ? m - 1 : m);
				}
			} else
				sc->argval[sc->narg] = NULL;
			sc->argname[sc->narg++] = arg;
		}
	}
}

/* a here-document an instruction opened: its body lines are skipped */
struct heredoc {
	char word[128];
	bool striptabs; /* <<-WORD */
};

/* the here-documents (<<WORD, <<-WORD, <<"WORD") of a RUN, COPY or ADD line, in order */
static size_t
heredocs(const char *s, size_t len, struct heredoc *h, size_t max)
{
	struct word w[64];
	size_t n, i, k = 0, j, m;
	const char *p;
	char q;

	n = splitwords(s, len, w, LEN(w));
	if (n == 0 || !((w[0].len == 3 && strncasecmp(s + w[0].off, "RUN", 3) == 0) ||
	    (w[0].len == 4 && strncasecmp(s + w[0].off, "COPY", 4) == 0) ||
	    (w[0].len == 3 && strncasecmp(s + w[0].off, "ADD", 3) == 0)))
		return 0;
	for (i = 1; i < n && k < max; i++) {
		p = s + w[i].off;
		m = w[i].len;
		if (m < 3 || p[0] != '<' || p[1] != '<')
			continue;
		p += 2;
		m -= 2;
		h[k].striptabs = *p == '-';
		if (h[k].striptabs) {
			p++;
			m--;
		}
		q = (*p == '"' || *p == '\'') ? *p : 0;
		if (q) {
			p++;
			m--;
		}
		for (j = 0; j < m && j + 1 < sizeof(h[k].word) && (isalnum((unsigned char)p[j]) || p[j] == '_'); j++)
			h[k].word[j] = p[j];
		h[k].word[j] = '\0';
		if (j > 0)
			k++;
	}
	return k;
}

/* the parser directives at the top: only escape matters here; returns the offset after them */
static size_t
directives(const char *text, size_t len, char *esc, int *line)
{
	size_t i = 0, e, k;
	const char *p;

	while (i < len) {
		for (e = i; e < len && text[e] != '\n'; e++)
			;
		p = text + i;
		k = 0;
		while (i + k < e && (p[k] == ' ' || p[k] == '\t'))
			k++;
		if (i + k == e || p[k] != '#')
			break;
		for (k++; i + k < e && (p[k] == ' ' || p[k] == '\t'); k++)
			;
		/* "# name=value", the name made of letters only */
		{
			size_t ns = k, ne;

			while (i + k < e && isalpha((unsigned char)p[k]))
				k++;
			ne = k;
			while (i + k < e && (p[k] == ' ' || p[k] == '\t'))
				k++;
			if (ne == ns || i + k >= e || p[k] != '=')
				break;
			for (k++; i + k < e && (p[k] == ' ' || p[k] == '\t'); k++)
				;
			if (ne - ns == 6 && strncasecmp(p + ns, "escape", 6) == 0 && i + k < e &&
			    (p[k] == '`' || p[k] == '\\'))
				*esc = p[k];
		}
		i = e < len ? e + 1 : e;
		(*line)++;
	}
	return i;
}

void
dfscan(const char *text, size_t len, struct dfrefs *out)
{
	struct scan sc = {out, NULL, 0, NULL, NULL, 0, false};
	struct lline l = {{0}, NULL, NULL, 0};
	struct heredoc hd[8];
	char esc = '\\';
	int line = 1;
	size_t i, e, k, last, nhd = 0, ihd = 0;
	bool cont = false;

	i = directives(text, len, &esc, &line);
	for (; i < len; line++) {
		for (e = i; e < len && text[e] != '\n'; e++)
			;
		for (k = i; k < e && (text[k] == ' ' || text[k] == '\t'); k++)
			;
		if (ihd < nhd) {
			/* inside a here-document: only its closing word matters */
			size_t b = i;

			while (hd[ihd].striptabs && b < e && text[b] == '\t')
				b++;
			if ((size_t)(e - b) == strlen(hd[ihd].word) && strncmp(text + b, hd[ihd].word, e - b) == 0)
				ihd++;
			i = e < len ? e + 1 : e;
			continue;
		}
		if (k < e && text[k] == '#') {
			/* a comment line, also in the middle of a continued instruction */
			i = e < len ? e + 1 : e;
			continue;
		}
		if (k == e && cont) {
			i = e < len ? e + 1 : e;
			continue;
		}
		last = e;
		while (last > i && isspace((unsigned char)text[last - 1]))
			last--;
		cont = last > i && text[last - 1] == esc;
		if (cont)
			last--;
		for (k = i; k < last; k++)
			llineadd(&l, text[k], line, (int)(k - i) + 1);
		if (cont)
			llineadd(&l, ' ', line, (int)(last - i) + 1);
		else {
			instruction(&sc, &l);
			nhd = l.text.data ? heredocs(l.text.data, l.text.len, hd, LEN(hd)) : 0;
			ihd = 0;
			l.text.len = 0;
		}
		i = e < len ? e + 1 : e;
	}
	if (l.text.len)
		instruction(&sc, &l);
	delbuf(&l.text);
	free(l.line);
	free(l.col);
	for (i = 0; i < sc.nstage; i++)
		free(sc.stage[i]);
	free(sc.stage);
	for (i = 0; i < sc.narg; i++) {
		free(sc.argname[i]);
		free(sc.argval[i]);
	}
	free(sc.argname);
	free(sc.argval);
}

void
deldfrefs(struct dfrefs *refs)
{
	size_t i;

	for (i = 0; i < refs->n; i++)
		free(refs->v[i].ref);
	free(refs->v);
	refs->v = NULL;
	refs->n = refs->nunknown = 0;
}

char *
dfrepo(const char *ref)
{
	const char *at = strchr(ref, '@'), *slash, *colon;
	size_t n = at ? (size_t)(at - ref) : strlen(ref);
	char *r = xstrndup(ref, n);

	slash = strrchr(r, '/');
	colon = strrchr(r, ':');
	if (colon && (!slash || colon > slash))
		r[colon - r] = '\0';
	return r;
}
