#include "compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_ast.h"
#include "tmpl_filter.h"

/* an open block tag, for "expected 'endfor' to close the 'for' at line 3" */
struct opentag {
	const char *name;
	int line, col;
};

struct parser {
	struct arena *a;
	const struct tsrc *ts;
	struct token *t;
	size_t pos, n;
	struct opentag open[64];
	size_t nopen;
	int depth;	/* nesting of expressions, bounded as Python bounds recursion */
	int macflags;	/* MACVARARGS/MACKWARGS seen in the macro being parsed */
	int soft;	/* >0 inside an if statement: unknown filters and tests fail when run */
	/*
	 * unknown filters and tests seen outside an if: errors unless a
	 * conditional expression turns out to enclose them
	 */
	struct node *pending[16];
	size_t npending;
	bool failed;
};

/* a growable list of nodes, in the arena */
struct nodevec {
	struct node **v;
	size_t n, cap;
};

static void
vecpush(struct parser *p, struct nodevec *nv, struct node *n)
{
	struct node **v;

	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? nv->cap * 2 : 4;
		v = aalloc(p->a, nv->cap * sizeof(*v));
		if (nv->n)
			memcpy(v, nv->v, nv->n * sizeof(*v));
		nv->v = v;
	}
	nv->v[nv->n++] = n;
}

static struct token *
cur(struct parser *p)
{
	return &p->t[p->pos];
}

static struct token *
peek(struct parser *p)
{
	return &p->t[p->pos + 1 < p->n ? p->pos + 1 : p->pos];
}

static struct token *
advance(struct parser *p)
{
	struct token *t = &p->t[p->pos];

	if (t->type != TEOF)
		p->pos++;
	return t;
}

static bool
isname(struct token *t, const char *name)
{
	return t->type == TNAME && strcmp(t->text, name) == 0;
}

static void
describe(struct token *t, char *buf, size_t n)
{
	if (t->type == TNAME)
		snprintf(buf, n, "'%s'", t->text);
	else if (t->type == TINT)
		snprintf(buf, n, "integer %lld", (long long)t->val.u.i);
	else
		snprintf(buf, n, "%s", tokname(t->type));
}

static void * PRINTF(3, 4)
fail(struct parser *p, struct token *t, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return NULL;
	va_start(ap, fmt);
	vtmplerr(p->ts, t->line, t->col, fmt, ap);
	va_end(ap);
	p->failed = true;
	return NULL;
}

static void *
unexpected(struct parser *p, const char *what)
{
	char d[128];
	struct token *t = cur(p);

	describe(t, d, sizeof(d));
	if (t->type == TEOF && p->nopen)
		return fail(p, t, "expected %s, got the end of the template; the '%s' at line %d is still open",
		    what, p->open[p->nopen - 1].name, p->open[p->nopen - 1].line);
	return fail(p, t, "expected %s, got %s", what, d);
}

static bool
expect(struct parser *p, enum tok type)
{
	char what[64];

	if (cur(p)->type == type) {
		advance(p);
		return true;
	}
	if (type == TVAREND)
		snprintf(what, sizeof(what), "'}}' to end the print statement");
	else if (type == TBLOCKEND)
		snprintf(what, sizeof(what), "'%%}' to end the statement");
	else
		snprintf(what, sizeof(what), "%s", tokname(type));
	unexpected(p, what);
	return false;
}

static struct node *
mknode(struct parser *p, enum nkind kind, struct token *t)
{
	struct node *n = azalloc(p->a, sizeof(*n));

	n->kind = kind;
	n->line = t->line;
	n->col = t->col;
	return n;
}

static struct node *parseexpr(struct parser *p, bool condexpr);
static struct node *parsetuple(struct parser *p, int mode, const char *endname, bool parens);
static struct node *parseunary(struct parser *p, bool filters);
static struct node *parsepostfix(struct parser *p, struct node *n);
static struct node *parseprimary(struct parser *p);

/* mode of parsetuple: what each element is */
enum { TPRIMARY, TEXPR, TNOCOND };

static bool
tupleend(struct parser *p, const char *endname)
{
	struct token *t = cur(p);

	return t->type == TVAREND || t->type == TBLOCKEND || t->type == TRPAREN || (endname && isname(t, endname));
}

static struct node *
parsetuple(struct parser *p, int mode, const char *endname, bool parens)
{
	struct token *start = cur(p);
	struct nodevec items = {0};
	struct node *n;
	bool istuple = false;

	for (;;) {
		if (items.n && !expect(p, TCOMMA))
			return NULL;
		if (tupleend(p, endname))
			break;
		if (mode == TPRIMARY)
			n = parseprimary(p);
		else
			n = parseexpr(p, mode == TEXPR);
		if (!n)
			return NULL;
		vecpush(p, &items, n);
		if (cur(p)->type == TCOMMA)
			istuple = true;
		else
			break;
	}
	if (!istuple) {
		if (items.n)
			return items.v[0];
		if (!parens)
			return unexpected(p, "an expression");
	}
	n = mknode(p, NTUPLE, start);
	n->v = items.v;
	n->n = items.n;
	return n;
}

static struct node *
parselist(struct parser *p)
{
	struct node *n = mknode(p, NLIST, advance(p)), *e;
	struct nodevec items = {0};

	while (cur(p)->type != TRBRACKET) {
		if (items.n && !expect(p, TCOMMA))
			return NULL;
		if (cur(p)->type == TRBRACKET)
			break;
		if (!(e = parseexpr(p, true)))
			return NULL;
		vecpush(p, &items, e);
	}
	if (!expect(p, TRBRACKET))
		return NULL;
	n->v = items.v;
	n->n = items.n;
	return n;
}

static struct node *
parsedict(struct parser *p)
{
	struct node *n = mknode(p, NDICT, advance(p)), *k, *v;
	struct nodevec items = {0};

	while (cur(p)->type != TRBRACE) {
		if (items.n && !expect(p, TCOMMA))
			return NULL;
		if (cur(p)->type == TRBRACE)
			break;
		if (!(k = parseexpr(p, true)))
			return NULL;
		if (!expect(p, TCOLON))
			return NULL;
		if (!(v = parseexpr(p, true)))
			return NULL;
		vecpush(p, &items, k);
		vecpush(p, &items, v);
	}
	if (!expect(p, TRBRACE))
		return NULL;
	n->v = items.v;
	n->n = items.n;
	return n;
}

static struct node *
parseprimary(struct parser *p)
{
	struct token *t = cur(p);
	struct node *n;
	struct buf b = {0};

	switch (t->type) {
	case TNAME:
		advance(p);
		if (!strcmp(t->text, "true") || !strcmp(t->text, "True") || !strcmp(t->text, "false") || !strcmp(t->text, "False")) {
			n = mknode(p, NCONST, t);
			n->val = vbool(t->text[0] == 't' || t->text[0] == 'T');
		} else if (!strcmp(t->text, "none") || !strcmp(t->text, "None")) {
			n = mknode(p, NCONST, t);
			n->val = vnone();
		} else {
			n = mknode(p, NNAME, t);
			n->name = t->text;
			if (!strcmp(t->text, "varargs"))
				p->macflags |= MACVARARGS;
			else if (!strcmp(t->text, "kwargs"))
				p->macflags |= MACKWARGS;
		}
		return n;
	case TSTRING:
		advance(p);
		n = mknode(p, NCONST, t);
		if (cur(p)->type != TSTRING) {
			n->val = t->val;
			return n;
		}
		bufadd(&b, t->val.u.s->data, t->val.u.s->len);
		while (cur(p)->type == TSTRING) {
			t = advance(p);
			bufadd(&b, t->val.u.s->data, t->val.u.s->len);
		}
		n->val = vstrn(p->a, b.data, b.len);
		delbuf(&b);
		return n;
	case TINT:
	case TFLOAT:
		advance(p);
		n = mknode(p, NCONST, t);
		n->val = t->val;
		return n;
	case TLPAREN:
		advance(p);
		n = parsetuple(p, TEXPR, NULL, true);
		if (!n || !expect(p, TRPAREN))
			return NULL;
		return n;
	case TLBRACKET:
		return parselist(p);
	case TLBRACE:
		return parsedict(p);
	default:
		return unexpected(p, "an expression");
	}
}

/* (args) of a call, filter or test into n->v; keyword arguments become NKW */
static bool
parseargs(struct parser *p, struct node *n)
{
	struct nodevec args = {0};
	struct token *open = cur(p), *t;
	struct node *e, *kw;
	bool comma = false, seenkw = false;

	if (!expect(p, TLPAREN))
		return false;
	while (cur(p)->type != TRPAREN) {
		if (comma) {
			if (!expect(p, TCOMMA))
				return false;
			if (cur(p)->type == TRPAREN)
				break;
		}
		t = cur(p);
		if (t->type == TMUL || t->type == TPOW) {
			fail(p, t, "'%s' argument unpacking is not supported by imagegen; pass the arguments one by one", t->type == TMUL ? "*" : "**");
			return false;
		}
		if (t->type == TNAME && peek(p)->type == TASSIGN) {
			advance(p);
			advance(p);
			if (!(e = parseexpr(p, true)))
				return false;
			kw = mknode(p, NKW, t);
			kw->name = t->text;
			kw->a = e;
			vecpush(p, &args, kw);
			seenkw = true;
		} else {
			if (seenkw) {
				fail(p, open, "invalid syntax for function call expression: a positional argument follows a keyword argument");
				return false;
			}
			if (!(e = parseexpr(p, true)))
				return false;
			vecpush(p, &args, e);
		}
		comma = true;
	}
	if (!expect(p, TRPAREN))
		return false;
	n->v = args.v;
	n->n = args.n;
	return true;
}

static const char *
dottedname(struct parser *p)
{
	struct token *t = cur(p);
	struct buf b = {0};
	const char *s;

	if (t->type != TNAME)
		return unexpected(p, "a name");
	advance(p);
	if (cur(p)->type != TDOT)
		return t->text;
	bufadds(&b, t->text);
	while (cur(p)->type == TDOT) {
		advance(p);
		t = cur(p);
		if (t->type != TNAME) {
			delbuf(&b);
			return unexpected(p, "a name");
		}
		advance(p);
		bufaddc(&b, '.');
		bufadds(&b, t->text);
	}
	s = astrndup(p->a, b.data, b.len);
	delbuf(&b);
	return s;
}

/* note an unknown filter or test; it fails at once unless inside an if */
static bool
unknown(struct parser *p, struct node *n)
{
	if (p->soft > 0)
		return true;
	if (p->npending == LEN(p->pending)) {
		fail(p, &(struct token){.line = n->line, .col = n->col}, "no %s named '%s'", n->kind == NFILTER ? "filter" : "test", n->name);
		return false;
	}
	p->pending[p->npending++] = n;
	return true;
}

/* after a whole expression: the unknown filters and tests left are errors */
static bool
flushpending(struct parser *p)
{
	struct node *n;

	if (p->npending == 0 || p->failed)
		return !p->failed;
	n = p->pending[0];
	p->npending = 0;
	if (n->kind == NFILTER && tmplfiltermissing(n->name))
		fail(p, &(struct token){.line = n->line, .col = n->col}, "the jinja2 filter '%s' is not supported by imagegen", n->name);
	else
		fail(p, &(struct token){.line = n->line, .col = n->col}, "no %s named '%s'", n->kind == NFILTER ? "filter" : "test", n->name);
	return false;
}

static struct node *
parsefilter(struct parser *p, struct node *in, struct token *at)
{
	struct node *n = mknode(p, NFILTER, at);

	n->a = in;
	if (!(n->name = dottedname(p)))
		return NULL;
	n->fn = tmplfilterid(n->name);
	if (n->fn < 0 && !unknown(p, n))
		return NULL;
	if (cur(p)->type == TLPAREN && !parseargs(p, n))
		return NULL;
	return n;
}

static struct node *
parsetest(struct parser *p, struct node *in, struct token *at)
{
	struct node *n = mknode(p, NTEST, at), *not, *arg;
	bool negated = false;
	struct token *t;

	if (isname(cur(p), "not")) {
		advance(p);
		negated = true;
	}
	n->a = in;
	if (!(n->name = dottedname(p)))
		return NULL;
	t = cur(p);
	if (t->type == TLPAREN) {
		if (!parseargs(p, n))
			return NULL;
	} else if ((t->type == TNAME || t->type == TSTRING || t->type == TINT || t->type == TFLOAT ||
	    t->type == TLBRACKET || t->type == TLBRACE) &&
	    !isname(t, "else") && !isname(t, "or") && !isname(t, "and")) {
		if (isname(t, "is"))
			return fail(p, t, "tests cannot be chained with 'is'; combine them with 'and'");
		if (!(arg = parseprimary(p)) || !(arg = parsepostfix(p, arg)))
			return NULL;
		n->v = aalloc(p->a, sizeof(*n->v));
		n->v[0] = arg;
		n->n = 1;
	}
	n->fn = tmpltestid(n->name);
	if (n->fn < 0 && !unknown(p, n))
		return NULL;
	if (!negated)
		return n;
	not = mknode(p, NNOT, at);
	not->a = n;
	return not;
}

static struct node *
parsesubscript(struct parser *p, struct node *obj)
{
	struct token *t = advance(p), *at;
	struct nodevec args = {0};
	struct node *n, *e, *parts[3];
	int k;

	if (t->type == TDOT) {
		at = cur(p);
		if (at->type == TNAME) {
			advance(p);
			n = mknode(p, NATTR, t);
			n->a = obj;
			n->name = at->text;
			return n;
		}
		if (at->type != TINT)
			return unexpected(p, "a name or number after '.'");
		advance(p);
		n = mknode(p, NITEM, t);
		n->a = obj;
		n->b = mknode(p, NCONST, at);
		n->b->val = at->val;
		return n;
	}
	/* [subscript, ...] */
	while (cur(p)->type != TRBRACKET) {
		if (args.n && !expect(p, TCOMMA))
			return NULL;
		at = cur(p);
		memset(parts, 0, sizeof(parts));
		if (at->type != TCOLON) {
			if (!(e = parseexpr(p, true)))
				return NULL;
			if (cur(p)->type != TCOLON) {
				vecpush(p, &args, e);
				continue;
			}
			parts[0] = e;
		}
		advance(p);	/* the first colon */
		for (k = 1; k < 3; k++) {
			if (k == 2) {
				if (cur(p)->type != TCOLON)
					break;
				advance(p);
			}
			if (cur(p)->type == TCOLON || cur(p)->type == TRBRACKET || cur(p)->type == TCOMMA)
				continue;
			if (!(parts[k] = parseexpr(p, true)))
				return NULL;
		}
		e = mknode(p, NSLICE, at);
		e->b = parts[0];
		e->c = parts[1];
		e->d = parts[2];
		vecpush(p, &args, e);
	}
	if (!expect(p, TRBRACKET))
		return NULL;
	if (args.n == 0)
		return fail(p, t, "expected a subscript between '[' and ']'");
	if (args.n == 1 && args.v[0]->kind == NSLICE) {
		n = args.v[0];
		n->a = obj;
		return n;
	}
	for (k = 0; k < (int)args.n; k++) {
		if (args.v[k]->kind == NSLICE)
			return fail(p, t, "a slice inside a multi-part subscript is not supported by imagegen");
	}
	n = mknode(p, NITEM, t);
	n->a = obj;
	if (args.n == 1) {
		n->b = args.v[0];
	} else {
		n->b = mknode(p, NTUPLE, t);
		n->b->v = args.v;
		n->b->n = args.n;
	}
	return n;
}

static struct node *
parsecall(struct parser *p, struct node *fn)
{
	struct node *n = mknode(p, NCALL, cur(p));

	n->a = fn;
	if (!parseargs(p, n))
		return NULL;
	return n;
}

static struct node *
parsepostfix(struct parser *p, struct node *n)
{
	while (n) {
		switch (cur(p)->type) {
		case TDOT:
		case TLBRACKET:
			n = parsesubscript(p, n);
			break;
		case TLPAREN:
			n = parsecall(p, n);
			break;
		default:
			return n;
		}
	}
	return n;
}

static struct node *
parsefilterexpr(struct parser *p, struct node *n)
{
	struct token *t;

	while (n) {
		t = cur(p);
		if (t->type == TPIPE) {
			advance(p);
			n = parsefilter(p, n, t);
		} else if (isname(t, "is")) {
			advance(p);
			n = parsetest(p, n, t);
		} else if (t->type == TLPAREN) {
			n = parsecall(p, n);
		} else {
			return n;
		}
	}
	return n;
}

static struct node *
parseunary(struct parser *p, bool filters)
{
	struct token *t = cur(p);
	struct node *n;

	if (t->type == TSUB || t->type == TADD) {
		advance(p);
		n = mknode(p, t->type == TSUB ? NNEG : NPOS, t);
		if (p->depth >= 200)
			return fail(p, t, "expression nested too deeply (more than 200 levels)");
		p->depth++;
		n->a = parseunary(p, false);
		p->depth--;
		if (!n->a)
			return NULL;
	} else {
		n = parseprimary(p);
	}
	n = parsepostfix(p, n);
	if (filters)
		n = parsefilterexpr(p, n);
	return n;
}

static struct node *
binary(struct parser *p, struct token *t, int op, struct node *l, struct node *r)
{
	struct node *n;

	if (!r)
		return NULL;
	n = mknode(p, NBIN, t);
	n->op = op;
	n->a = l;
	n->b = r;
	return n;
}

static struct node *
parsepow(struct parser *p)
{
	struct node *n = parseunary(p, true);
	struct token *t;

	while (n && cur(p)->type == TPOW) {
		t = advance(p);
		n = binary(p, t, TPOW, n, parseunary(p, true));
	}
	return n;
}

static struct node *
parsemath2(struct parser *p)
{
	struct node *n = parsepow(p);
	struct token *t;

	while (n && (cur(p)->type == TMUL || cur(p)->type == TDIV || cur(p)->type == TFLOORDIV || cur(p)->type == TMOD)) {
		t = advance(p);
		n = binary(p, t, (int)t->type, n, parsepow(p));
	}
	return n;
}

static struct node *
parseconcat(struct parser *p)
{
	struct node *n = parsemath2(p), *c, *e;
	struct nodevec args = {0};

	if (!n || cur(p)->type != TTILDE)
		return n;
	c = mknode(p, NCONCAT, cur(p));
	vecpush(p, &args, n);
	while (cur(p)->type == TTILDE) {
		advance(p);
		if (!(e = parsemath2(p)))
			return NULL;
		vecpush(p, &args, e);
	}
	c->v = args.v;
	c->n = args.n;
	return c;
}

static struct node *
parsemath1(struct parser *p)
{
	struct node *n = parseconcat(p);
	struct token *t;

	while (n && (cur(p)->type == TADD || cur(p)->type == TSUB)) {
		t = advance(p);
		n = binary(p, t, (int)t->type, n, parseconcat(p));
	}
	return n;
}

static struct node *
parsecompare(struct parser *p)
{
	struct node *n = parsemath1(p), *c = NULL, *op;
	struct nodevec ops = {0};
	struct token *t;
	int kind;

	while (n) {
		t = cur(p);
		if (t->type == TEQ || t->type == TNE || t->type == TLT || t->type == TLTEQ || t->type == TGT || t->type == TGTEQ) {
			kind = (int)t->type;
			advance(p);
		} else if (isname(t, "in")) {
			kind = CMPIN;
			advance(p);
		} else if (isname(t, "not") && isname(peek(p), "in")) {
			kind = CMPNOTIN;
			advance(p);
			advance(p);
		} else {
			break;
		}
		op = mknode(p, NCMPOP, t);
		op->op = kind;
		if (!(op->a = parsemath1(p)))
			return NULL;
		if (!c) {
			c = mknode(p, NCMP, t);
			c->a = n;
		}
		vecpush(p, &ops, op);
	}
	if (!c || !n)
		return n;
	c->v = ops.v;
	c->n = ops.n;
	return c;
}

static struct node *
parsenot(struct parser *p)
{
	struct node *n;

	if (isname(cur(p), "not")) {
		n = mknode(p, NNOT, advance(p));
		if (p->depth >= 200)
			return fail(p, cur(p), "expression nested too deeply (more than 200 levels)");
		p->depth++;
		n->a = parsenot(p);
		p->depth--;
		if (!n->a)
			return NULL;
		return n;
	}
	return parsecompare(p);
}

static struct node *
parseand(struct parser *p)
{
	struct node *n = parsenot(p), *r;
	struct token *t;

	while (n && isname(cur(p), "and")) {
		t = advance(p);
		if (!(r = parsenot(p)))
			return NULL;
		n = binary(p, t, 0, n, r);
		n->kind = NAND;
	}
	return n;
}

static struct node *
parseor(struct parser *p)
{
	struct node *n = parseand(p), *r;
	struct token *t;

	while (n && isname(cur(p), "or")) {
		t = advance(p);
		if (!(r = parseand(p)))
			return NULL;
		n = binary(p, t, 0, n, r);
		n->kind = NOR;
	}
	return n;
}

static struct node *parseexpr1(struct parser *p, bool condexpr);

static struct node *
parseexpr(struct parser *p, bool condexpr)
{
	struct node *n;

	if (p->depth >= 200)
		return fail(p, cur(p), "expression nested too deeply (more than 200 levels)");
	p->depth++;
	n = parseexpr1(p, condexpr);
	p->depth--;
	return n;
}

static struct node *
parseexpr1(struct parser *p, bool condexpr)
{
	struct node *n, *c;
	struct token *t;
	size_t mark = p->npending;

	if (!condexpr)
		return parseor(p);
	n = parseor(p);
	while (n && isname(cur(p), "if")) {
		/* a conditional expression is compiled softly as a whole */
		p->npending = mark;
		t = advance(p);
		c = mknode(p, NCOND, t);
		c->b = n;
		p->soft++;
		c->a = parseor(p);
		if (c->a && isname(cur(p), "else")) {
			advance(p);
			c->c = parseexpr(p, true);
			if (!c->c)
				c->a = NULL;
		}
		p->soft--;
		n = c->a ? c : NULL;
	}
	return n;
}

static bool
assignable(struct parser *p, struct node *n)
{
	size_t i;

	if (n->kind == NNAME) {
		if (!strcmp(n->name, "loop")) {
			/* jinja2 accepts it; it simply shadows the loop variable */
			return true;
		}
		return true;
	}
	if (n->kind == NTUPLE) {
		for (i = 0; i < n->n; i++) {
			if (n->v[i]->kind != NNAME) {
				fail(p, &(struct token){.line = n->v[i]->line, .col = n->v[i]->col}, "cannot assign to this expression; a target is a name or names separated by commas");
				return false;
			}
		}
		return true;
	}
	fail(p, &(struct token){.line = n->line, .col = n->col}, "cannot assign to this expression; a target is a name or names separated by commas");
	return false;
}

static struct node *parsebody(struct parser *p, const char *const *ends, size_t nends);

/* open a block for error messages, parse to one of ends; the end tag is the current token */
static struct node *
parseblock(struct parser *p, struct token *tag, const char *tagname, const char *const *ends, size_t nends)
{
	struct node *body;

	if (p->nopen == LEN(p->open))
		return fail(p, tag, "blocks nested too deeply");
	p->open[p->nopen].name = tagname;
	p->open[p->nopen].line = tag->line;
	p->open[p->nopen].col = tag->col;
	p->nopen++;
	body = parsebody(p, ends, nends);
	p->nopen--;
	return body;
}

static struct node *
parsefor(struct parser *p, struct token *tag)
{
	static const char *const ends[] = {"endfor", "else"}, *const elseends[] = {"endfor"};
	struct node *n = mknode(p, NFOR, tag);
	int soft = p->soft;

	if (!(n->a = parsetuple(p, TPRIMARY, "in", false)) || !assignable(p, n->a))
		return NULL;
	if (!isname(cur(p), "in"))
		return unexpected(p, "'in' after the loop variable");
	advance(p);
	if (!(n->b = parsetuple(p, TNOCOND, "recursive", false)))
		return NULL;
	p->soft = 0;
	if (isname(cur(p), "if")) {
		advance(p);
		if (!(n->c = parseexpr(p, true)))
			return NULL;
	}
	if (isname(cur(p), "recursive"))
		return fail(p, cur(p), "recursive loops are not supported by imagegen");
	if (!flushpending(p) || !expect(p, TBLOCKEND))
		return NULL;
	if (!(n->d = parseblock(p, tag, "for", ends, LEN(ends))))
		return NULL;
	n->v = n->d->v;
	n->n = n->d->n;
	n->d = NULL;
	if (isname(cur(p), "else")) {
		advance(p);
		if (!expect(p, TBLOCKEND) || !(n->d = parseblock(p, tag, "for", elseends, LEN(elseends))))
			return NULL;
	}
	advance(p);	/* endfor */
	p->soft = soft;
	return n;
}

static struct node *
parseif(struct parser *p, struct token *tag)
{
	static const char *const ends[] = {"elif", "else", "endif"}, *const elseends[] = {"endif"};
	struct node *n = mknode(p, NIF, tag), *top = n, *body, *e;
	struct token *t;

	p->soft++;
	for (;;) {
		if (!(n->a = parsetuple(p, TNOCOND, NULL, false)) || !expect(p, TBLOCKEND))
			return NULL;
		if (!(body = parseblock(p, tag, "if", ends, LEN(ends))))
			return NULL;
		n->v = body->v;
		n->n = body->n;
		t = advance(p);
		if (isname(t, "elif")) {
			e = mknode(p, NIF, t);
			n->b = e;
			n = e;
			continue;
		}
		if (isname(t, "else")) {
			if (!expect(p, TBLOCKEND) || !(n->b = parseblock(p, tag, "if", elseends, LEN(elseends))))
				return NULL;
			advance(p);
		}
		break;
	}
	p->soft--;
	return top;
}

static struct node *
parseset(struct parser *p, struct token *tag)
{
	static const char *const ends[] = {"endset"};
	struct node *n = mknode(p, NSET, tag), *body, *f;
	struct token *t;

	if (cur(p)->type == TNAME && peek(p)->type == TDOT) {
		/* ns.attr: an attribute of a namespace */
		t = advance(p);
		n->a = mknode(p, NATTR, t);
		n->a->a = mknode(p, NNAME, t);
		n->a->a->name = t->text;
		advance(p);
		if (cur(p)->type != TNAME)
			return unexpected(p, "an attribute name after '.'");
		n->a->name = cur(p)->text;
		advance(p);
	} else if (!(n->a = parsetuple(p, TPRIMARY, NULL, false)) || !assignable(p, n->a)) {
		return NULL;
	}
	if (cur(p)->type == TASSIGN) {
		advance(p);
		if (!(n->b = parsetuple(p, TEXPR, NULL, false)))
			return NULL;
		return n;
	}
	n->kind = NSETBLOCK;
	/* optional filters: {% set x | upper %} */
	while (cur(p)->type == TPIPE) {
		t = advance(p);
		if (!(f = parsefilter(p, n->c, t)))
			return NULL;
		n->c = f;
	}
	if (!flushpending(p) || !expect(p, TBLOCKEND))
		return NULL;
	if (!(body = parseblock(p, tag, "set", ends, LEN(ends))))
		return NULL;
	advance(p);
	n->v = body->v;
	n->n = body->n;
	return n;
}

static struct node *
parsewith(struct parser *p, struct token *tag)
{
	static const char *const ends[] = {"endwith"};
	struct node *n = mknode(p, NWITH, tag), *set, *body;
	struct nodevec sets = {0};
	struct token *t;

	while (cur(p)->type != TBLOCKEND) {
		if (sets.n && !expect(p, TCOMMA))
			return NULL;
		t = cur(p);
		set = mknode(p, NSET, t);
		if (!(set->a = parsetuple(p, TPRIMARY, NULL, false)) || !assignable(p, set->a))
			return NULL;
		if (!expect(p, TASSIGN) || !(set->b = parseexpr(p, true)) || !flushpending(p))
			return NULL;
		vecpush(p, &sets, set);
	}
	advance(p);
	if (!(body = parseblock(p, tag, "with", ends, LEN(ends))))
		return NULL;
	advance(p);
	n->b = mknode(p, NBODY, tag);
	n->b->v = sets.v;
	n->b->n = sets.n;
	n->v = body->v;
	n->n = body->n;
	/* the block end after endwith is checked by the caller */
	return n;
}

static struct node *
parsemacro(struct parser *p, struct token *tag)
{
	static const char *const ends[] = {"endmacro"};
	struct node *n = mknode(p, NMACRO, tag), *body, *param;
	struct nodevec params = {0};
	struct token *t;
	int saved = p->macflags, soft = p->soft;

	t = cur(p);
	if (t->type != TNAME)
		return unexpected(p, "the macro's name");
	advance(p);
	n->name = t->text;
	if (!expect(p, TLPAREN))
		return NULL;
	while (cur(p)->type != TRPAREN) {
		if (params.n && !expect(p, TCOMMA))
			return NULL;
		if (cur(p)->type == TRPAREN)
			break;
		t = cur(p);
		if (t->type != TNAME)
			return unexpected(p, "a parameter name");
		advance(p);
		param = mknode(p, NNAME, t);
		param->name = t->text;
		if (cur(p)->type == TASSIGN) {
			advance(p);
			if (!(param->a = parseexpr(p, true)))
				return NULL;
		} else if (params.n && params.v[params.n - 1]->a) {
			return fail(p, t, "a parameter without a default follows one with a default");
		}
		vecpush(p, &params, param);
	}
	advance(p);
	if (!flushpending(p) || !expect(p, TBLOCKEND))
		return NULL;
	p->macflags = 0;
	p->soft = 0;
	if (!(body = parseblock(p, tag, "macro", ends, LEN(ends))))
		return NULL;
	advance(p);
	n->op = p->macflags;
	p->macflags = saved;
	p->soft = soft;
	n->v = body->v;
	n->n = body->n;
	n->b = mknode(p, NBODY, tag);
	n->b->v = params.v;
	n->b->n = params.n;
	return n;
}

/* {% print a, b %}: the expressions printed one after the other */
static struct node *
parseprint(struct parser *p, struct token *tag)
{
	struct node *n = mknode(p, NBODY, tag), *pr;
	struct nodevec v = {0};

	while (cur(p)->type != TBLOCKEND) {
		if (v.n && !expect(p, TCOMMA))
			return NULL;
		pr = mknode(p, NPRINT, cur(p));
		if (!(pr->a = parseexpr(p, true)))
			return NULL;
		vecpush(p, &v, pr);
	}
	n->v = v.v;
	n->n = v.n;
	return n;
}

static struct node *
parsefilterblock(struct parser *p, struct token *tag)
{
	static const char *const ends[] = {"endfilter"};
	struct node *n = mknode(p, NFILTERBLOCK, tag), *body;
	struct token *t = tag;

	/* the first filter needs no pipe */
	for (;;) {
		if (!(n->c = parsefilter(p, n->c, t)))
			return NULL;
		if (cur(p)->type != TPIPE)
			break;
		t = advance(p);
	}
	if (!flushpending(p) || !expect(p, TBLOCKEND))
		return NULL;
	if (!(body = parseblock(p, tag, "filter", ends, LEN(ends))))
		return NULL;
	advance(p);
	n->v = body->v;
	n->n = body->n;
	return n;
}

static bool
endknown(struct parser *p, const char *name)
{
	static const char *const tags[] = {"endfor", "endif", "elif", "else", "endset", "endwith", "endraw", "endfilter", "endmacro"};
	size_t i;

	(void)p;
	for (i = 0; i < LEN(tags); i++) {
		if (!strcmp(name, tags[i]))
			return true;
	}
	return false;
}

static struct node *
parsestatement(struct parser *p)
{
	struct token *t = cur(p);
	static const char *const unsupported[] = {"call", "block", "extends", "include", "import", "from", "autoescape", "do"};
	size_t i;

	if (t->type != TNAME)
		return unexpected(p, "a tag name after '{%'");
	advance(p);
	if (!strcmp(t->text, "for"))
		return parsefor(p, t);
	if (!strcmp(t->text, "if"))
		return parseif(p, t);
	if (!strcmp(t->text, "set"))
		return parseset(p, t);
	if (!strcmp(t->text, "with"))
		return parsewith(p, t);
	if (!strcmp(t->text, "filter"))
		return parsefilterblock(p, t);
	if (!strcmp(t->text, "macro"))
		return parsemacro(p, t);
	if (!strcmp(t->text, "print"))
		return parseprint(p, t);
	for (i = 0; i < LEN(unsupported); i++) {
		if (!strcmp(t->text, unsupported[i]))
			return fail(p, t, "the jinja2 tag '%s' is not supported by imagegen", t->text);
	}
	if (endknown(p, t->text)) {
		if (p->nopen)
			return fail(p, t, "unexpected '%s': the innermost open block is the '%s' at line %d",
			    t->text, p->open[p->nopen - 1].name, p->open[p->nopen - 1].line);
		return fail(p, t, "unexpected '%s': no block is open", t->text);
	}
	return fail(p, t, "unknown tag '%s'", t->text);
}

static struct node *
parsebody(struct parser *p, const char *const *ends, size_t nends)
{
	struct node *body = mknode(p, NBODY, cur(p)), *n;
	struct nodevec v = {0};
	struct token *t;
	struct buf want = {0};
	size_t i;

	for (;;) {
		t = cur(p);
		switch (t->type) {
		case TDATA:
			advance(p);
			n = mknode(p, NDATA, t);
			n->val = vstrn(p->a, t->text, t->len);
			vecpush(p, &v, n);
			break;
		case TVARBEGIN:
			advance(p);
			n = mknode(p, NPRINT, t);
			if (!(n->a = parsetuple(p, TEXPR, NULL, false)) || !flushpending(p) || !expect(p, TVAREND))
				return NULL;
			vecpush(p, &v, n);
			break;
		case TBLOCKBEGIN:
			advance(p);
			for (i = 0; i < nends; i++) {
				if (isname(cur(p), ends[i])) {
					body->v = v.v;
					body->n = v.n;
					return body;
				}
			}
			if (!(n = parsestatement(p)) || !flushpending(p) || !expect(p, TBLOCKEND))
				return NULL;
			vecpush(p, &v, n);
			break;
		case TEOF:
			if (nends == 0) {
				body->v = v.v;
				body->n = v.n;
				return body;
			}
			for (i = 0; i < nends; i++)
				bufprintf(&want, "%s'%s'", i == 0 ? "" : i + 1 == nends ? " or " : ", ", ends[i]);
			/* point at the block left open, the line jinja2 names too */
			fail(p, &(struct token){.line = p->open[p->nopen - 1].line, .col = p->open[p->nopen - 1].col},
			    "unexpected end of template: this '%s' is never closed; expected %s before the end",
			    p->open[p->nopen - 1].name, want.data);
			delbuf(&want);
			return NULL;
		default:
			return unexpected(p, "template data or a tag");
		}
	}
}

bool
tmplparse(struct arena *a, const char *name, const char *src, size_t len, struct tmpl *t)
{
	struct parser p = {0};
	struct token *toks;
	size_t ntoks;

	t->src.name = name;
	t->src.src = tmplnormalize(a, src, len, &t->src.len);
	if (!tmpllex(a, &t->src, &toks, &ntoks))
		return false;
	p.a = a;
	p.ts = &t->src;
	p.t = toks;
	p.n = ntoks;
	t->body = parsebody(&p, NULL, 0);
	free(toks);
	return t->body != NULL;
}
