#include "compat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

struct achunk {
	struct achunk *next;
	size_t size; /* bytes after the header: ACHUNK, or a big block's own size */
	max_align_t align[];
};

#define ACHUNK 65536
#define AALIGN (sizeof(max_align_t))

/*
 * the chunks of ACHUNK bytes that freed arenas left for the next ones, at
 * most ASPARE (1 MiB). An environment made and dropped again and again
 * (tmpl_bench's passes: 4 or 5 chunks each) took its chunks from malloc
 * and gave them back, and glibc, finding more than 128 KiB free at the
 * top of its heap, handed it to the system (brk) each time, to fault it in
 * again at the next: a fifth of the time went to the kernel. Kept here, the
 * chunks are used again; what a process holds at its end is only what it
 * held at its busiest.
 */
#define ASPARE 16
static struct achunk *spare;
static size_t nspare;

void *
aalloc(struct arena *a, size_t n)
{
	struct achunk *c;
	size_t sz;
	void *p;

	n = (n + AALIGN - 1) & ~(AALIGN - 1);
	if (n > a->left) {
		sz = n > ACHUNK / 4 ? n : ACHUNK;
		if (sz == ACHUNK && spare) {
			c = spare;
			spare = c->next;
			nspare--;
		} else {
			c = xmalloc(sizeof(*c) + sz);
			c->size = sz;
		}
		a->total += sizeof(*c) + sz;
		c->next = a->chunks;
		a->chunks = c;
		/* a big block gets a chunk of its own; small ones go on in the current */
		if (sz != ACHUNK)
			return (char *)c->align;
		a->next = (char *)c->align;
		a->left = sz;
	}
	p = a->next;
	a->next += n;
	a->left -= n;
	return p;
}

void *
azalloc(struct arena *a, size_t n)
{
	void *p = aalloc(a, n);

	memset(p, 0, n);
	return p;
}

char *
astrndup(struct arena *a, const char *s, size_t n)
{
	char *p = aalloc(a, n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
delarena(struct arena *a)
{
	struct achunk *c, *next;

	for (c = a->chunks; c; c = next) {
		next = c->next;
		if (c->size == ACHUNK && nspare < ASPARE) {
			c->next = spare;
			spare = c;
			nspare++;
		} else
			free(c);
	}
	a->chunks = NULL;
	a->next = NULL;
	a->left = 0;
	a->total = 0;
}

struct value
vnone(void)
{
	struct value v = {.type = VNONE};

	return v;
}

struct value
vbool(bool b)
{
	struct value v = {.type = VBOOL, .u.b = b};

	return v;
}

struct value
vint(int64_t i)
{
	struct value v = {.type = VINT, .u.i = i};

	return v;
}

struct value
vfloat(double f)
{
	struct value v = {.type = VFLOAT, .u.f = f};

	return v;
}

struct value
vstrn(struct arena *a, const char *s, size_t n)
{
	struct value v = {.type = VSTR};

	v.u.s = aalloc(a, sizeof(struct vstr) + n + 1);
	v.u.s->len = n;
	if (n)
		memcpy(v.u.s->data, s, n);
	v.u.s->data[n] = '\0';
	return v;
}

struct value
vstrz(struct arena *a, const char *s)
{
	return vstrn(a, s, strlen(s));
}

struct value
vundef(struct arena *a, const char *msg)
{
	struct value v = vstrz(a, msg);

	v.type = VUNDEF;
	return v;
}

struct value
vlist(struct arena *a, size_t n, bool tuple)
{
	struct value v = {.type = tuple ? VTUPLE : VLIST};

	v.u.l = aalloc(a, sizeof(*v.u.l));
	v.u.l->len = 0;
	v.u.l->cap = n;
	v.u.l->view = VIEWNONE;
	v.u.l->v = n ? aalloc(a, n * sizeof(struct value)) : NULL;
	return v;
}

void
vlistpush(struct arena *a, struct vlist *l, struct value v)
{
	struct value *nv;

	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		nv = aalloc(a, l->cap * sizeof(*nv));
		if (l->len)
			memcpy(nv, l->v, l->len * sizeof(*nv));
		l->v = nv;
	}
	l->v[l->len++] = v;
}

struct value
vdict(struct arena *a)
{
	struct value v = {.type = VDICT};

	v.u.d = azalloc(a, sizeof(*v.u.d));
	return v;
}

static uint64_t
vhash(struct value v)
{
	uint64_t h;
	size_t i;

	switch (v.type) {
	case VBOOL:
		return v.u.b;
	case VINT:
		return (uint64_t)v.u.i;
	case VFLOAT:
		if (v.u.f == floor(v.u.f) && fabs(v.u.f) < 9.2e18)
			return (uint64_t)(int64_t)v.u.f;
		memcpy(&h, &v.u.f, sizeof(h));
		return h;
	case VSTR:
		h = 1469598103934665603ULL;
		for (i = 0; i < v.u.s->len; i++)
			h = (h ^ (unsigned char)v.u.s->data[i]) * 1099511628211ULL;
		return h;
	case VTUPLE:
		h = 7;
		for (i = 0; i < v.u.l->len; i++)
			h = h * 31 + vhash(v.u.l->v[i]);
		return h;
	default:
		return (uint64_t)v.type * 0x9e3779b97f4a7c15ULL;
	}
}

static void
vdictreindex(struct arena *a, struct vdict *d)
{
	size_t i, j, mask;

	d->icap = d->cap * 2;
	d->index = azalloc(a, d->icap * sizeof(*d->index));
	mask = d->icap - 1;
	for (i = 0; i < d->len; i++) {
		j = vhash(d->keys[i]) & mask;
		while (d->index[j])
			j = (j + 1) & mask;
		d->index[j] = (uint32_t)(i + 1);
	}
}

struct value *
vdictget(struct vdict *d, struct value k)
{
	size_t i, j, mask;

	if (!d->index) {
		for (i = 0; i < d->len; i++) {
			if (veq(d->keys[i], k))
				return &d->vals[i];
		}
		return NULL;
	}
	mask = d->icap - 1;
	for (j = vhash(k) & mask; d->index[j]; j = (j + 1) & mask) {
		i = d->index[j] - 1;
		if (veq(d->keys[i], k))
			return &d->vals[i];
	}
	return NULL;
}

void
vdictset(struct arena *a, struct vdict *d, struct value k, struct value v)
{
	struct value *p, *nk, *nv;
	size_t j, mask;

	p = vdictget(d, k);
	if (p) {
		*p = v;
		return;
	}
	if (d->len == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		nk = aalloc(a, d->cap * sizeof(*nk));
		nv = aalloc(a, d->cap * sizeof(*nv));
		if (d->len) {
			memcpy(nk, d->keys, d->len * sizeof(*nk));
			memcpy(nv, d->vals, d->len * sizeof(*nv));
		}
		d->keys = nk;
		d->vals = nv;
		if (d->cap > 8)
			d->index = NULL;
	}
	d->keys[d->len] = k;
	d->vals[d->len] = v;
	d->len++;
	if (d->index) {
		mask = d->icap - 1;
		j = vhash(k) & mask;
		while (d->index[j])
			j = (j + 1) & mask;
		d->index[j] = (uint32_t)d->len;
	} else if (d->len > 8) {
		vdictreindex(a, d);
	}
}

bool
vtruth(struct value v)
{
	switch (v.type) {
	case VUNDEF:
	case VNONE:
		return false;
	case VBOOL:
		return v.u.b;
	case VINT:
		return v.u.i != 0;
	case VFLOAT:
		return v.u.f != 0;
	case VSTR:
		return v.u.s->len != 0;
	case VLIST:
	case VTUPLE:
	case VRANGE:
		return v.u.l->len != 0;
	case VDICT:
		return v.u.d->len != 0;
	default:
		return true;
	}
}

/* compare an int with a float exactly, as Python does */
static int
cmpintfloat(int64_t i, double f)
{
	double fi;

	if (isnan(f))
		return 2;
	if (f >= 9223372036854775808.0)
		return -1;
	if (f < -9223372036854775808.0)
		return 1;
	fi = floor(f);
	if ((int64_t)fi != i)
		return (int64_t)fi < i ? 1 : -1;
	return fi < f ? -1 : 0;
}

static bool eqdepth(struct value a, struct value b, int depth);

bool
veq(struct value a, struct value b)
{
	return eqdepth(a, b, 0);
}

/* == with a bound on nesting, so that a list holding itself ends */
static bool
eqdepth(struct value a, struct value b, int depth)
{
	size_t i;
	struct value *p;

	if (visnum(a) && visnum(b)) {
		if (a.type != VFLOAT && b.type != VFLOAT)
			return vintof(a) == vintof(b);
		if (a.type == VFLOAT && b.type == VFLOAT)
			return a.u.f == b.u.f;
		if (a.type == VFLOAT)
			return cmpintfloat(vintof(b), a.u.f) == 0;
		return cmpintfloat(vintof(a), b.u.f) == 0;
	}
	if (a.type != b.type)
		return false;
	switch (a.type) {
	case VUNDEF:
	case VNONE:
		return true;
	case VSTR:
		return a.u.s->len == b.u.s->len && memcmp(a.u.s->data, b.u.s->data, a.u.s->len) == 0;
	case VLIST:
	case VTUPLE:
	case VRANGE:
		if (a.u.l == b.u.l)
			return true;
		if (a.u.l->len != b.u.l->len)
			return false;
		for (i = 0; i < a.u.l->len; i++) {
			if (depth > 1000 || !eqdepth(a.u.l->v[i], b.u.l->v[i], depth + 1))
				return false;
		}
		return true;
	case VDICT:
		if (a.u.d == b.u.d)
			return true;
		if (a.u.d->len != b.u.d->len)
			return false;
		for (i = 0; i < a.u.d->len; i++) {
			p = vdictget(b.u.d, a.u.d->keys[i]);
			if (!p || depth > 1000 || !eqdepth(a.u.d->vals[i], *p, depth + 1))
				return false;
		}
		return true;
	case VMETHOD:
		return a.u.m == b.u.m;
	case VFUNC:
		return a.u.i == b.u.i;
	default:
		return a.u.p == b.u.p;
	}
}

bool
vhashable(struct value v)
{
	size_t i;

	switch (v.type) {
	case VLIST:
	case VDICT:
		return false;
	case VTUPLE:
		for (i = 0; i < v.u.l->len; i++) {
			if (!vhashable(v.u.l->v[i]))
				return false;
		}
		return true;
	default:
		return true;
	}
}

static bool cmpdepth(struct value a, struct value b, int *res, int depth);

bool
vcmp(struct value a, struct value b, int *res)
{
	return cmpdepth(a, b, res, 0);
}

/* ordering with a bound on nesting, so that a list holding itself ends */
static bool
cmpdepth(struct value a, struct value b, int *res, int depth)
{
	size_t i, n;
	int c;

	if (visnum(a) && visnum(b)) {
		if (a.type != VFLOAT && b.type != VFLOAT) {
			*res = vintof(a) < vintof(b) ? -1 : vintof(a) > vintof(b);
		} else if (a.type == VFLOAT && b.type == VFLOAT) {
			*res = a.u.f < b.u.f ? -1 : a.u.f > b.u.f ? 1 : a.u.f == b.u.f ? 0 : 2;
		} else if (a.type == VFLOAT) {
			c = cmpintfloat(vintof(b), a.u.f);
			*res = c == 2 ? 2 : -c;
		} else {
			*res = cmpintfloat(vintof(a), b.u.f);
		}
		return true;
	}
	if (a.type != b.type)
		return false;
	switch (a.type) {
	case VSTR:
		n = a.u.s->len < b.u.s->len ? a.u.s->len : b.u.s->len;
		c = memcmp(a.u.s->data, b.u.s->data, n);
		if (c == 0)
			c = a.u.s->len < b.u.s->len ? -1 : a.u.s->len > b.u.s->len;
		*res = c < 0 ? -1 : c > 0;
		return true;
	case VLIST:
	case VTUPLE:
		n = a.u.l->len < b.u.l->len ? a.u.l->len : b.u.l->len;
		for (i = 0; i < n; i++) {
			if (veq(a.u.l->v[i], b.u.l->v[i]))
				continue;
			return depth < 1000 && cmpdepth(a.u.l->v[i], b.u.l->v[i], res, depth + 1);
		}
		*res = a.u.l->len < b.u.l->len ? -1 : a.u.l->len > b.u.l->len;
		return true;
	default:
		return false;
	}
}

size_t
u8len(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			k++;
	}
	return k;
}

size_t
u8off(const char *s, size_t n, size_t ci)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (k == ci)
				return i;
			k++;
		}
	}
	return n;
}

size_t
vlength(struct value v)
{
	switch (v.type) {
	case VSTR:
		return u8len(v.u.s->data, v.u.s->len);
	case VLIST:
	case VTUPLE:
	case VRANGE:
		return v.u.l->len;
	case VDICT:
		return v.u.d->len;
	default:
		return 0;
	}
}

const char *
vtypename(struct value v)
{
	switch (v.type) {
	case VUNDEF: return "Undefined";
	case VNONE: return "NoneType";
	case VBOOL: return "bool";
	case VINT: return "int";
	case VFLOAT: return "float";
	case VSTR: return "str";
	case VLIST:
		return v.u.l->view == VIEWITEMS ? "dict_items" : v.u.l->view == VIEWKEYS ? "dict_keys" :
		    v.u.l->view == VIEWVALUES ? "dict_values" : "list";
	case VTUPLE: return "tuple";
	case VRANGE: return "range";
	case VNS: return "Namespace";
	case VDICT: return "dict";
	case VFUNC: return "function";
	case VMETHOD: return "builtin_function_or_method";
	case VLOOP: return "LoopContext";
	case VMACRO: return "Macro";
	}
	return "object";
}

void
vfloatto(struct buf *b, double f)
{
	char tmp[40], digits[20];
	int prec, exp, nd, i;
	char *e, *p;

	if (isnan(f)) {
		bufadds(b, "nan");
		return;
	}
	if (isinf(f)) {
		bufadds(b, f < 0 ? "-inf" : "inf");
		return;
	}
	if (f == 0) {
		bufadds(b, signbit(f) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	/* tmp is [-]d[.ddd]e[+-]xx: collect the digits and the exponent */
	p = tmp;
	if (*p == '-') {
		bufaddc(b, '-');
		p++;
	}
	nd = 0;
	for (; *p != 'e'; p++) {
		if (*p != '.')
			digits[nd++] = *p;
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = (int)strtol(p + 1, &e, 10);
	/* Python's repr: positional when -4 <= exp < 16 */
	if (exp < -4 || exp >= 16) {
		bufaddc(b, digits[0]);
		if (nd > 1) {
			bufaddc(b, '.');
			bufadd(b, digits + 1, nd - 1);
		}
		bufprintf(b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
		return;
	}
	if (exp < 0) {
		bufadds(b, "0.");
		for (i = -1; i > exp; i--)
			bufaddc(b, '0');
		bufadd(b, digits, nd);
		return;
	}
	for (i = 0; i <= exp; i++)
		bufaddc(b, i < nd ? digits[i] : '0');
	bufaddc(b, '.');
	if (nd > exp + 1)
		bufadd(b, digits + exp + 1, nd - exp - 1);
	else
		bufaddc(b, '0');
}

/* decode one UTF-8 sequence at s (n bytes left); *len gets its length; -1 if invalid */
static long
utf8dec(const unsigned char *s, size_t n, size_t *len)
{
	long c;
	size_t k, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		k = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		k = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		k = 4;
		c = s[0] & 0x07;
	} else {
		*len = 1;
		return -1;
	}
	if (k > n) {
		*len = 1;
		return -1;
	}
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*len = 1;
			return -1;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*len = k;
	return c;
}

/*
 * false for the characters Python's repr escapes: format and separator
 * characters, surrogates, private use and the non-characters
 */
static bool
printable(long c)
{
	static const long ranges[][2] = {
		{0x0600, 0x0605}, {0x061c, 0x061c}, {0x06dd, 0x06dd}, {0x070f, 0x070f},
		{0x0890, 0x0891}, {0x08e2, 0x08e2}, {0x1680, 0x1680}, {0x180e, 0x180e},
		{0x2000, 0x200f}, {0x2028, 0x202f}, {0x205f, 0x2064}, {0x2066, 0x206f},
		{0x3000, 0x3000}, {0xd800, 0xf8ff}, {0xfdd0, 0xfdef}, {0xfeff, 0xfeff},
		{0xfff0, 0xfffb}, {0xfffe, 0xffff}, {0x110bd, 0x110bd}, {0x110cd, 0x110cd},
		{0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff},
		{0xf0000, 0x10ffff},
	};
	size_t i;

	for (i = 0; i < LEN(ranges); i++) {
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return false;
	}
	return true;
}

/* append s[0..n) as Python's repr of a str */
static void
vstrreprto(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char q = '\'';
	size_t i, k;
	long c;

	if (memchr(s, '\'', n) && !memchr(s, '"', n))
		q = '"';
	bufaddc(b, q);
	for (i = 0; i < n; i += k) {
		c = utf8dec(u + i, n - i, &k);
		if (c == q || c == '\\') {
			bufaddc(b, '\\');
			bufaddc(b, (int)c);
		} else if (c == '\n') {
			bufadds(b, "\\n");
		} else if (c == '\r') {
			bufadds(b, "\\r");
		} else if (c == '\t') {
			bufadds(b, "\\t");
		} else if (c < 0) {
			bufprintf(b, "\\udc%02x", u[i]);
		} else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
			bufprintf(b, "\\x%02lx", c);
		} else if (!printable(c)) {
			bufprintf(b, c < 0x10000 ? "\\u%04lx" : "\\U%08lx", c);
		} else {
			bufadd(b, s + i, k);
		}
	}
	bufaddc(b, q);
}

/* the containers being printed, innermost first, to print a cycle as [...] */
struct seen {
	const void *p;
	const struct seen *up;
};

static bool
onstack(const struct seen *s, const void *p)
{
	for (; s; s = s->up) {
		if (s->p == p)
			return true;
	}
	return false;
}

static void
vto(struct buf *b, struct value v, bool repr, const struct seen *up)
{
	struct seen here = {v.u.p, up};
	size_t i;

	/* past VSTRMAX nothing more is written */
	if (b->len > VSTRMAX)
		return;
	switch (v.type) {
	case VUNDEF:
		if (repr)
			bufadds(b, "Undefined");
		break;
	case VNONE:
		bufadds(b, "None");
		break;
	case VBOOL:
		bufadds(b, v.u.b ? "True" : "False");
		break;
	case VINT:
		bufprintf(b, "%lld", (long long)v.u.i);
		break;
	case VFLOAT:
		vfloatto(b, v.u.f);
		break;
	case VSTR:
		if (repr)
			vstrreprto(b, v.u.s->data, v.u.s->len);
		else
			bufadd(b, v.u.s->data, v.u.s->len);
		break;
	case VRANGE:
		bufprintf(b, "range(%lld, %lld", (long long)v.u.l->rstart, (long long)v.u.l->rstop);
		if (v.u.l->rstep != 1)
			bufprintf(b, ", %lld", (long long)v.u.l->rstep);
		bufaddc(b, ')');
		break;
	case VLIST:
	case VTUPLE:
		if (v.type == VLIST && v.u.l->view != VIEWNONE) {
			struct value plain = v;
			struct vlist copy = *v.u.l;

			bufprintf(b, "%s(", vtypename(v));
			copy.view = VIEWNONE;
			plain.u.l = &copy;
			vto(b, plain, true, up);
			bufaddc(b, ')');
			break;
		}
		if (onstack(up, v.u.p)) {
			bufadds(b, v.type == VLIST ? "[...]" : "(...)");
			break;
		}
		bufaddc(b, v.type == VLIST ? '[' : '(');
		for (i = 0; i < v.u.l->len && b->len <= VSTRMAX; i++) {
			if (i)
				bufadds(b, ", ");
			vto(b, v.u.l->v[i], true, &here);
		}
		if (v.type == VTUPLE && v.u.l->len == 1)
			bufaddc(b, ',');
		bufaddc(b, v.type == VLIST ? ']' : ')');
		break;
	case VDICT:
		if (onstack(up, v.u.p)) {
			bufadds(b, "{...}");
			break;
		}
		bufaddc(b, '{');
		for (i = 0; i < v.u.d->len && b->len <= VSTRMAX; i++) {
			if (i)
				bufadds(b, ", ");
			vto(b, v.u.d->keys[i], true, &here);
			bufadds(b, ": ");
			vto(b, v.u.d->vals[i], true, &here);
		}
		bufaddc(b, '}');
		break;
	case VNS:
		bufadds(b, "<Namespace ");
		v.type = VDICT;
		vto(b, v, true, up);
		bufaddc(b, '>');
		break;
	case VFUNC:
		bufadds(b, "<function>");
		break;
	case VMETHOD:
		bufprintf(b, "<built-in method %s of %s object>", v.u.m->name, vtypename(v.u.m->self));
		break;
	case VLOOP:
		bufadds(b, "<LoopContext>");
		break;
	case VMACRO:
		bufprintf(b, "<Macro '%s'>", v.u.mac->name);
		break;
	}
}

void
vstrto(struct buf *b, struct value v)
{
	vto(b, v, false, NULL);
}

void
vreprto(struct buf *b, struct value v)
{
	vto(b, v, true, NULL);
}

struct value
vtostr(struct arena *a, struct value v)
{
	struct buf b = {0};
	struct value r;

	if (v.type == VSTR)
		return v;
	vstrto(&b, v);
	r = vstrn(a, b.data ? b.data : "", b.len);
	delbuf(&b);
	return r;
}

void
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
