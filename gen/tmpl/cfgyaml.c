#include "compat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cfgyaml.h"

#define TAGPFX "tag:yaml.org,2002:"

struct anchor {
	char *name;
	struct value val;
};

struct loader {
	struct arena *a;
	const char *origin;
	yaml_parser_t parser;
	const char *text; /* the input, for the line of a reader error */
	size_t len;
	struct anchor *anchors;
	size_t nanchors;
	struct cfgkey *keys;
	size_t nkeys, capkeys;
	int depth;
};

static bool PRINTF(3, 4)
yerr(struct loader *l, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorat(NULL, l->origin, (int)m.line + 1, (int)m.column + 1, fmt, ap);
	va_end(ap);
	return false;
}

static bool
match(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++) {
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	}
	return false;
}

/* [0-9][0-9_]* at s: returns the end, or s if none */
static const char *
digits_(const char *s, const char *end, bool first)
{
	if (first) {
		if (s >= end || !isdigit((unsigned char)*s))
			return s;
		s++;
	}
	while (s < end && (isdigit((unsigned char)*s) || *s == '_'))
		s++;
	return s;
}

/* (:[0-5]?[0-9])+ at s; returns the end, s if none */
static const char *
sexagesimal(const char *s, const char *end)
{
	const char *p = s, *q;

	for (;;) {
		if (p >= end || *p != ':')
			return p;
		q = p + 1;
		if (q + 1 < end && *q >= '0' && *q <= '5' && isdigit((unsigned char)q[1]))
			q += 2;
		else if (q < end && isdigit((unsigned char)*q))
			q += 1;
		else
			return p;
		p = q;
	}
}

static bool
isyamlint(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *q;

	if (p < end && (*p == '-' || *p == '+'))
		p++;
	if (p >= end)
		return false;
	if (end - p > 2 && p[0] == '0' && p[1] == 'b') {
		for (q = p + 2; q < end && (*q == '0' || *q == '1' || *q == '_'); q++)
			;
		return q == end;
	}
	if (end - p > 2 && p[0] == '0' && p[1] == 'x') {
		for (q = p + 2; q < end && (isxdigit((unsigned char)*q) || *q == '_'); q++)
			;
		return q == end;
	}
	if (p[0] == '0') {
		if (end - p == 1)
			return true;
		for (q = p + 1; q < end && ((*q >= '0' && *q <= '7') || *q == '_'); q++)
			;
		return q == end;
	}
	if (*p < '1' || *p > '9')
		return false;
	q = digits_(p, end, true);
	if (q == end)
		return true;
	return sexagesimal(q, end) == end && q < end;
}

static bool
isyamlfloat(const char *s, size_t n)
{
	const char *p = s, *end = s + n, *q;
	static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
	static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};

	if (match(s, n, nan))
		return true;
	if (p < end && (*p == '-' || *p == '+'))
		p++;
	if (match(p, (size_t)(end - p), inf))
		return true;
	/* \.[0-9][0-9_]*([eE][-+][0-9]+)? only without sign */
	if (p == s && p < end && *p == '.') {
		q = digits_(p + 1, end, true);
		if (q == p + 1)
			return false;
		goto exp;
	}
	q = digits_(p, end, true);
	if (q == p)
		return false;
	if (q < end && *q == ':') {
		/* [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* */
		q = sexagesimal(q, end);
		if (q >= end || *q != '.')
			return false;
		q = digits_(q + 1, end, false);
		return q == end;
	}
	if (q >= end || *q != '.')
		return false;
	q = digits_(q + 1, end, false);
exp:
	if (q == end)
		return true;
	if ((*q == 'e' || *q == 'E') && q + 2 < end + 1 && q + 1 < end && (q[1] == '-' || q[1] == '+')) {
		const char *r = q + 2;

		if (r >= end || !isdigit((unsigned char)*r))
			return false;
		while (r < end && isdigit((unsigned char)*r))
			r++;
		return r == end;
	}
	return false;
}

/* the value of a string of digits and underscores in base, or false on overflow */
static bool
toint(const char *s, const char *end, int base, uint64_t *out)
{
	uint64_t u = 0;
	int d;

	for (; s < end; s++) {
		if (*s == '_')
			continue;
		d = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		if (u > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		u = u * (uint64_t)base + (uint64_t)d;
	}
	*out = u;
	return true;
}

/* the int a YAML 1.1 int scalar denotes; false if it does not fit in 64 bits */
static bool
yamlint(const char *s, size_t n, int64_t *out)
{
	const char *p = s, *end = s + n, *q;
	bool neg = false;
	uint64_t u = 0, part;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (end - p > 1 && p[0] == '0' && p[1] == 'b') {
		if (!toint(p + 2, end, 2, &u))
			return false;
	} else if (end - p > 1 && p[0] == '0' && p[1] == 'x') {
		if (!toint(p + 2, end, 16, &u))
			return false;
	} else if (memchr(p, ':', (size_t)(end - p))) {
		for (; p < end; p = q + 1) {
			q = memchr(p, ':', (size_t)(end - p));
			if (!q)
				q = end;
			if (!toint(p, q, 10, &part) || u > (UINT64_MAX - part) / 60)
				return false;
			u = u * 60 + part;
			if (q == end)
				break;
		}
	} else if (p[0] == '0') {
		if (!toint(p, end, 8, &u))
			return false;
	} else if (!toint(p, end, 10, &u)) {
		return false;
	}
	if (u > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
		return false;
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

static double
yamlfloat(const char *s, size_t n)
{
	char buf[256], *b = buf;
	const char *p = s, *end = s + n, *q;
	bool neg = false;
	double r = 0, part;
	size_t k;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (end - p == 4 && (p[1] == 'i' || p[1] == 'I'))
		return neg ? -INFINITY : INFINITY;
	if (end - p == 4 && (p[1] == 'n' || p[1] == 'N'))
		return NAN;
	if (memchr(p, ':', (size_t)(end - p))) {
		for (; p < end; p = q + 1) {
			q = memchr(p, ':', (size_t)(end - p));
			if (!q)
				q = end;
			for (k = 0; p < q && k + 1 < sizeof(buf); p++) {
				if (*p != '_')
					buf[k++] = *p;
			}
			buf[k] = '\0';
			part = strtod(buf, NULL);
			r = r * 60 + part;
			if (q == end)
				break;
		}
		return neg ? -r : r;
	}
	for (k = 0; p < end && k + 1 < sizeof(buf); p++) {
		if (*p != '_')
			b[k++] = *p;
	}
	b[k] = '\0';
	r = strtod(buf, NULL);
	return neg ? -r : r;
}

/* the value a plain (unquoted) scalar has under PyYAML's implicit typing */
static struct value
cfgyamlscalar(struct arena *a, const char *s, size_t n)
{
	static const char *const truths[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL};
	static const char *const falses[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", NULL};
	static const char *const nulls[] = {"~", "null", "Null", "NULL", "", NULL};
	int64_t i;

	if (match(s, n, truths))
		return vbool(true);
	if (match(s, n, falses))
		return vbool(false);
	if (match(s, n, nulls))
		return vnone();
	if (isyamlint(s, n) && yamlint(s, n, &i))
		return vint(i);
	if (isyamlfloat(s, n))
		return vfloat(yamlfloat(s, n));
	return vstrn(a, s, n);
}

static bool node(struct loader *l, yaml_event_t *ev, struct value *out);

static bool
next(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev)) {
		if (l->parser.error == YAML_READER_ERROR) {
			int line, col;

			textpos(l->text, l->len, l->parser.problem_offset, &line, &col);
			if (l->parser.problem_value >= 0)
				errorat(NULL, l->origin, line, col, "%s (%s 0x%02x); YAML must be UTF-8 text",
				    l->parser.problem ? l->parser.problem : "invalid YAML",
				    l->parser.problem_value < 0x20 ? "character" : "byte", (unsigned)l->parser.problem_value & 0xff);
			else
				errorat(NULL, l->origin, line, col, "%s; YAML must be UTF-8 text",
				    l->parser.problem ? l->parser.problem : "invalid YAML");
		} else if (l->parser.context)
			errorat(NULL, l->origin, (int)l->parser.problem_mark.line + 1, (int)l->parser.problem_mark.column + 1,
			    "%s %s begun at line %d, column %d", l->parser.problem ? l->parser.problem : "invalid YAML",
			    l->parser.context, (int)l->parser.context_mark.line + 1, (int)l->parser.context_mark.column + 1);
		else
			errorat(NULL, l->origin, (int)l->parser.problem_mark.line + 1, (int)l->parser.problem_mark.column + 1,
			    "%s", l->parser.problem ? l->parser.problem : "invalid YAML");
		return false;
	}
	return true;
}

static void
setanchor(struct loader *l, const yaml_char_t *name, struct value v)
{
	size_t i;

	if (!name)
		return;
	for (i = 0; i < l->nanchors; i++) {
		if (!strcmp(l->anchors[i].name, (const char *)name)) {
			l->anchors[i].val = v;
			return;
		}
	}
	l->anchors = xreallocarray(l->anchors, l->nanchors + 1, sizeof(*l->anchors));
	l->anchors[l->nanchors].name = xstrdup((const char *)name);
	l->anchors[l->nanchors].val = v;
	l->nanchors++;
}

static bool
scalar(struct loader *l, yaml_event_t *ev, struct value *out)
{
	const char *s = (const char *)ev->data.scalar.value, *tag = (const char *)ev->data.scalar.tag;
	size_t n = ev->data.scalar.length;
	int64_t i;

	if (!tag || !strcmp(tag, "!")) {
		if (tag || !ev->data.scalar.plain_implicit)
			*out = vstrn(l->a, s, n);
		else
			*out = cfgyamlscalar(l->a, s, n);
		if (out->type == VINT || (!tag && ev->data.scalar.plain_implicit && isyamlint(s, n) && out->type == VSTR)) {
			if (out->type == VSTR && isyamlint(s, n) && !yamlint(s, n, &i))
				return yerr(l, ev->start_mark, "the integer %s does not fit in 64 bits", astrndup(l->a, s, n));
		}
		return true;
	}
	if (!strcmp(tag, TAGPFX "str")) {
		*out = vstrn(l->a, s, n);
	} else if (!strcmp(tag, TAGPFX "int")) {
		if (!isyamlint(s, n) || !yamlint(s, n, &i))
			return yerr(l, ev->start_mark, "'%s' is not an integer that fits in 64 bits", astrndup(l->a, s, n));
		*out = vint(i);
	} else if (!strcmp(tag, TAGPFX "float")) {
		if (isyamlfloat(s, n) || isyamlint(s, n))
			*out = vfloat(yamlfloat(s, n));
		else
			return yerr(l, ev->start_mark, "'%s' is not a float", astrndup(l->a, s, n));
	} else if (!strcmp(tag, TAGPFX "bool")) {
		*out = cfgyamlscalar(l->a, s, n);
		if (out->type != VBOOL)
			return yerr(l, ev->start_mark, "'%s' is not a boolean", astrndup(l->a, s, n));
	} else if (!strcmp(tag, TAGPFX "null")) {
		*out = vnone();
	} else {
		return yerr(l, ev->start_mark, "the tag %s is not one a safe YAML loader accepts", tag);
	}
	return true;
}

static bool
sequence(struct loader *l, yaml_event_t *start, struct value *out)
{
	yaml_event_t ev;
	struct value item;

	*out = vlist(l->a, 0, false);
	setanchor(l, start->data.sequence_start.anchor, *out);
	for (;;) {
		if (!next(l, &ev))
			return false;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return true;
		}
		if (!node(l, &ev, &item)) {
			yaml_event_delete(&ev);
			return false;
		}
		yaml_event_delete(&ev);
		vlistpush(l->a, out->u.l, item);
	}
}

static void
addkey(struct loader *l, const struct vdict *in, struct value k, yaml_mark_t m)
{
	if (l->nkeys == l->capkeys) {
		struct cfgkey *nk;

		l->capkeys = l->capkeys ? l->capkeys * 2 : 16;
		nk = aalloc(l->a, l->capkeys * sizeof(*nk));
		if (l->nkeys)
			memcpy(nk, l->keys, l->nkeys * sizeof(*nk));
		l->keys = nk;
	}
	l->keys[l->nkeys].in = in;
	l->keys[l->nkeys].key = k;
	l->keys[l->nkeys].line = (int)m.line + 1;
	l->keys[l->nkeys].col = (int)m.column + 1;
	l->nkeys++;
}

static bool
mapping(struct loader *l, yaml_event_t *start, struct value *out)
{
	yaml_event_t ev;
	struct value k, v, own, merge = {0};
	struct value *subs = NULL;
	size_t i, j, nsubs = 0;
	bool ismerge;
	yaml_mark_t km;

	own = vdict(l->a);
	*out = vdict(l->a);
	setanchor(l, start->data.mapping_start.anchor, *out);
	for (;;) {
		if (!next(l, &ev))
			return false;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		km = ev.start_mark;
		ismerge = ev.type == YAML_SCALAR_EVENT && ev.data.scalar.plain_implicit && !ev.data.scalar.tag &&
		    ev.data.scalar.length == 2 && memcmp(ev.data.scalar.value, "<<", 2) == 0;
		if (!node(l, &ev, &k)) {
			yaml_event_delete(&ev);
			return false;
		}
		yaml_event_delete(&ev);
		if (!ismerge && vhashable(k))
			addkey(l, out->u.d, k, km);
		if (!next(l, &ev))
			return false;
		if (!node(l, &ev, &v)) {
			yaml_event_delete(&ev);
			return false;
		}
		if (ismerge) {
			if (v.type == VDICT) {
				subs = xreallocarray(subs, nsubs + 1, sizeof(*subs));
				subs[nsubs++] = v;
			} else if (v.type == VLIST) {
				/* later mappings of the list are overridden by earlier ones */
				for (i = v.u.l->len; i-- > 0;) {
					if (v.u.l->v[i].type != VDICT) {
						free(subs);
						yaml_event_delete(&ev);
						return yerr(l, km, "expected a mapping for merging, but found a %s", v.u.l->v[i].type == VLIST ? "sequence" : "scalar");
					}
					subs = xreallocarray(subs, nsubs + 1, sizeof(*subs));
					subs[nsubs++] = v.u.l->v[i];
				}
			} else {
				free(subs);
				yaml_event_delete(&ev);
				return yerr(l, km, "expected a mapping or list of mappings for merging, but found a %s", "scalar");
			}
			yaml_event_delete(&ev);
			continue;
		}
		yaml_event_delete(&ev);
		if (!vhashable(k)) {
			free(subs);
			return yerr(l, km, "found unhashable key (a %s); mapping keys must be scalars", k.type == VLIST ? "sequence" : "mapping");
		}
		vdictset(l->a, own.u.d, k, v);
	}
	/* merged pairs first, in PyYAML's order, then the mapping's own */
	for (i = 0; i < nsubs; i++) {
		merge = subs[i];
		for (j = 0; j < merge.u.d->len; j++)
			vdictset(l->a, out->u.d, merge.u.d->keys[j], merge.u.d->vals[j]);
	}
	free(subs);
	for (j = 0; j < own.u.d->len; j++)
		vdictset(l->a, out->u.d, own.u.d->keys[j], own.u.d->vals[j]);
	return true;
}

static bool
node(struct loader *l, yaml_event_t *ev, struct value *out)
{
	size_t i;
	bool ok;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		for (i = 0; i < l->nanchors; i++) {
			if (!strcmp(l->anchors[i].name, (const char *)ev->data.alias.anchor)) {
				*out = l->anchors[i].val;
				return true;
			}
		}
		return yerr(l, ev->start_mark, "found undefined alias '%s'", (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		if (!scalar(l, ev, out))
			return false;
		setanchor(l, ev->data.scalar.anchor, *out);
		return true;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (l->depth > YAMLMAXDEPTH)
			return yerr(l, ev->start_mark, "YAML nested more than %d levels deep", YAMLMAXDEPTH);
		l->depth++;
		ok = ev->type == YAML_SEQUENCE_START_EVENT ? sequence(l, ev, out) : mapping(l, ev, out);
		l->depth--;
		return ok;
	default:
		return yerr(l, ev->start_mark, "unexpected YAML event");
	}
}

bool
cfgyamlparse(struct arena *a, const char *text, size_t len, const char *origin,
    struct value *out, struct cfgkey **keys, size_t *nkeys)
{
	struct loader l = {.a = a, .origin = origin, .text = text, .len = len};
	yaml_event_t ev;
	bool ok = false, doc = false;
	size_t i;

	*out = vnone();
	if (!yaml_parser_initialize(&l.parser))
		fatal("cannot initialise the YAML parser");
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
	for (;;) {
		if (!next(&l, &ev))
			goto out;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			if (doc) {
				yerr(&l, ev.start_mark, "expected a single document in the stream, but found another document");
				yaml_event_delete(&ev);
				goto out;
			}
			doc = true;
			yaml_event_delete(&ev);
			if (!next(&l, &ev))
				goto out;
			if (!node(&l, &ev, out)) {
				yaml_event_delete(&ev);
				goto out;
			}
		}
		yaml_event_delete(&ev);
	}
	ok = true;
	if (keys) {
		*keys = l.keys;
		*nkeys = l.nkeys;
	}
out:
	for (i = 0; i < l.nanchors; i++)
		free(l.anchors[i].name);
	free(l.anchors);
	yaml_parser_delete(&l.parser);
	return ok;
}

void
cfgposadd(struct cfgpostab *t, const struct vdict *in, struct value key, const char *file, int line, int col)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n].in = in;
	t->v[t->n].key = key;
	t->v[t->n].file = file;
	t->v[t->n].line = line;
	t->v[t->n].col = col;
	t->n++;
}

const struct cfgpos *
cfgposfind(const struct cfgpostab *t, const struct vdict *in, struct value k)
{
	size_t i;

	for (i = t->n; i-- > 0;) {
		if (t->v[i].in == in && veq(t->v[i].key, k))
			return &t->v[i];
	}
	return NULL;
}

void
delcfgpostab(struct cfgpostab *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
