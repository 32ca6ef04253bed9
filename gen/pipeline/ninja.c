#include "compat.h"

#include <string.h>

#include "escape.h"
#include "ninja.h"
#include "util.h"

enum { WIDTH = 78 };

void
ninjacomment(struct buf *b, const char *text)
{
	const char *s = text, *e;

	do {
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		bufadd(b, "#", 1);
		if (e > s)
			bufaddc(b, ' ');
		bufadd(b, s, (size_t)(e - s));
		bufaddc(b, '\n');
		s = *e ? e + 1 : e;
	} while (*s);
}

void
ninjaedgevar(struct ninjaedge *e, const char *name, const char *val)
{
	strlistadd(&e->var, name);
	strlistadd(&e->var, val);
}

/* the writer's position on the current line, for wrapping */
struct line {
	struct buf *b;
	size_t col;
};

static void
word(struct line *l, const char *w, size_t n)
{
	if (l->col + 1 + n > WIDTH - 2 && l->col > 4) {
		bufadds(l->b, " $\n    ");
		l->col = 4;
	} else {
		bufaddc(l->b, ' ');
		l->col++;
	}
	bufadd(l->b, w, n);
	l->col += n;
}

static void
paths(struct line *l, const struct strlist *p)
{
	struct buf w = {0};
	size_t i;

	for (i = 0; i < p->n; i++) {
		w.len = 0;
		escninjapath(&w, p->s[i]);
		word(l, w.data, w.len);
	}
	buffree(&w);
}

void
ninjabuild(struct buf *b, const struct ninjaedge *e)
{
	struct line l = {b, 5};
	size_t i;

	bufadds(b, "build");
	paths(&l, &e->out);
	if (e->implicitout.n) {
		word(&l, "|", 1);
		paths(&l, &e->implicitout);
	}
	bufaddc(b, ':');
	l.col++;
	word(&l, e->rule, strlen(e->rule));
	paths(&l, &e->in);
	if (e->implicit.n) {
		word(&l, "|", 1);
		paths(&l, &e->implicit);
	}
	if (e->orderonly.n) {
		word(&l, "||", 2);
		paths(&l, &e->orderonly);
	}
	bufaddc(b, '\n');
	for (i = 0; i + 1 < e->var.n; i += 2)
		bufprintf(b, "  %s = %s\n", e->var.s[i], e->var.s[i + 1]);
}

void
ninjaedgefree(struct ninjaedge *e)
{
	strlistfree(&e->out);
	strlistfree(&e->implicitout);
	strlistfree(&e->in);
	strlistfree(&e->implicit);
	strlistfree(&e->orderonly);
	strlistfree(&e->var);
}
