#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfgbin.h"
#include "util.h"

enum { CBNONE, CBFALSE, CBTRUE, CBINT, CBFLOAT, CBSTR, CBREF };
enum { CBLIST, CBTUPLE, CBDICT };

/* the containers met while writing: pointer -> index, and in table order */
struct cbmap {
	struct value *cont;
	size_t n, cap;
	const void **slot;	/* open addressing over cont's pointers */
	size_t *idx;
	size_t scap;
};

static const void *
contptr(struct value v)
{
	return v.type == VDICT ? (const void *)v.u.d : (const void *)v.u.l;
}

static size_t
ptrhash(const void *p, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & mask;
}

/* the index of the container v, adding it if new; *isnew says which */
static size_t
cbmapget(struct cbmap *m, struct value v, bool *isnew)
{
	const void *p = contptr(v);
	size_t j, k;

	if (m->n * 2 >= m->scap) {
		const void **os = m->slot;
		size_t *oi = m->idx, ocap = m->scap;

		m->scap = m->scap ? m->scap * 2 : 64;
		m->slot = xcalloc(m->scap, sizeof(*m->slot));
		m->idx = xcalloc(m->scap, sizeof(*m->idx));
		for (k = 0; k < ocap; k++) {
			if (!os[k])
				continue;
			for (j = ptrhash(os[k], m->scap - 1); m->slot[j]; j = (j + 1) & (m->scap - 1))
				;
			m->slot[j] = os[k];
			m->idx[j] = oi[k];
		}
		free(os);
		free(oi);
	}
	for (j = ptrhash(p, m->scap - 1); m->slot[j]; j = (j + 1) & (m->scap - 1)) {
		if (m->slot[j] == p) {
			*isnew = false;
			return m->idx[j];
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->cont = xreallocarray(m->cont, m->cap, sizeof(*m->cont));
	}
	m->slot[j] = p;
	m->idx[j] = m->n;
	m->cont[m->n] = v;
	*isnew = true;
	return m->n++;
}

static void
put32(struct buf *b, uint32_t x)
{
	unsigned char c[4];
	int i;

	for (i = 0; i < 4; i++)
		c[i] = (unsigned char)(x >> (8 * i));
	bufadd(b, c, 4);
}

static void
put64(struct buf *b, uint64_t x)
{
	unsigned char c[8];
	int i;

	for (i = 0; i < 8; i++)
		c[i] = (unsigned char)(x >> (8 * i));
	bufadd(b, c, 8);
}

/* check that v can be written; note the containers it holds in m */
static bool
collect(struct cbmap *m, struct value v, bool key, const char *origin)
{
	bool isnew;

	switch (v.type) {
	case VNONE:
	case VBOOL:
	case VINT:
	case VFLOAT:
	case VSTR:
		return true;
	case VLIST:
	case VTUPLE:
	case VDICT:
		if (key) {
			errorat(NULL, origin, 0, 0, "a %s as a dict key cannot be compiled; keys must be scalars", vtypename(v));
			return false;
		}
		if (v.type != VDICT && v.u.l->view != VIEWNONE)
			break;
		if ((v.type == VDICT ? v.u.d->len : v.u.l->len) > UINT32_MAX) {
			errorat(NULL, origin, 0, 0, "a %s of more than %u items cannot be compiled", vtypename(v), UINT32_MAX);
			return false;
		}
		cbmapget(m, v, &isnew);
		return true;
	default:
		break;
	}
	errorat(NULL, origin, 0, 0, "a value of type %s cannot be part of a compiled configuration", vtypename(v));
	return false;
}

static void
putval(struct buf *b, struct cbmap *m, struct value v)
{
	uint64_t bits;
	bool isnew;

	switch (v.type) {
	case VNONE:
		bufaddc(b, CBNONE);
		break;
	case VBOOL:
		bufaddc(b, v.u.b ? CBTRUE : CBFALSE);
		break;
	case VINT:
		bufaddc(b, CBINT);
		put64(b, (uint64_t)v.u.i);
		break;
	case VFLOAT:
		bufaddc(b, CBFLOAT);
		memcpy(&bits, &v.u.f, sizeof(bits));
		put64(b, bits);
		break;
	case VSTR:
		bufaddc(b, CBSTR);
		put32(b, (uint32_t)v.u.s->len);
		bufadd(b, v.u.s->data, v.u.s->len);
		break;
	default:
		bufaddc(b, CBREF);
		put32(b, (uint32_t)cbmapget(m, v, &isnew));
		break;
	}
}

bool
cfgbinis(const char *data, size_t len)
{
	return len >= sizeof(CFGBINMAGIC) && !memcmp(data, CFGBINMAGIC, sizeof(CFGBINMAGIC));
}

bool
cfgbinwrite(struct buf *b, struct value v, const char *model, const char *origin)
{
	struct cbmap m = {0};
	struct value c;
	size_t i, k, n;
	bool ok = true;

	if (!collect(&m, v, false, origin))
		ok = false;
	/* breadth first: m.cont grows as the containers in it are visited */
	for (i = 0; ok && i < m.n; i++) {
		c = m.cont[i];
		n = c.type == VDICT ? c.u.d->len : c.u.l->len;
		for (k = 0; ok && k < n; k++) {
			if (c.type == VDICT)
				ok = collect(&m, c.u.d->keys[k], true, origin) && collect(&m, c.u.d->vals[k], false, origin);
			else
				ok = collect(&m, c.u.l->v[k], false, origin);
		}
		if (ok && m.n > UINT32_MAX) {
			errorat(NULL, origin, 0, 0, "more than %u lists and dicts cannot be compiled", UINT32_MAX);
			ok = false;
		}
	}
	if (ok) {
		bufadd(b, CFGBINMAGIC, sizeof(CFGBINMAGIC));
		put32(b, CFGBINVERSION);
		put32(b, (uint32_t)strlen(model));
		bufadds(b, model);
		put32(b, (uint32_t)m.n);
		for (i = 0; i < m.n; i++) {
			c = m.cont[i];
			bufaddc(b, c.type == VDICT ? CBDICT : c.type == VTUPLE ? CBTUPLE : CBLIST);
			put32(b, (uint32_t)(c.type == VDICT ? c.u.d->len : c.u.l->len));
		}
		putval(b, &m, v);
		for (i = 0; i < m.n; i++) {
			c = m.cont[i];
			n = c.type == VDICT ? c.u.d->len : c.u.l->len;
			for (k = 0; k < n; k++) {
				if (c.type == VDICT) {
					putval(b, &m, c.u.d->keys[k]);
					putval(b, &m, c.u.d->vals[k]);
				} else {
					putval(b, &m, c.u.l->v[k]);
				}
			}
		}
	}
	free(m.cont);
	free(m.slot);
	free(m.idx);
	return ok;
}

/* a reader over the loaded bytes */
struct cbin {
	const unsigned char *p, *end;
	const char *origin;
	struct value *cont;
	size_t ncont;
};

static bool
corrupt(struct cbin *r, const char *what)
{
	errorat(NULL, r->origin, 0, 0, "malformed compiled configuration: %s; compile it again with imagegen config", what);
	return false;
}

static bool
get32(struct cbin *r, uint32_t *x)
{
	int i;

	if (r->end - r->p < 4)
		return corrupt(r, "truncated");
	*x = 0;
	for (i = 0; i < 4; i++)
		*x |= (uint32_t)r->p[i] << (8 * i);
	r->p += 4;
	return true;
}

static bool
get64(struct cbin *r, uint64_t *x)
{
	int i;

	if (r->end - r->p < 8)
		return corrupt(r, "truncated");
	*x = 0;
	for (i = 0; i < 8; i++)
		*x |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	return true;
}

static bool
getval(struct arena *a, struct cbin *r, struct value *v, bool key)
{
	uint64_t x;
	uint32_t n;
	int tag;

	if (r->p == r->end)
		return corrupt(r, "truncated");
	tag = *r->p++;
	switch (tag) {
	case CBNONE:
		*v = vnone();
		return true;
	case CBFALSE:
	case CBTRUE:
		*v = vbool(tag == CBTRUE);
		return true;
	case CBINT:
	case CBFLOAT:
		if (!get64(r, &x))
			return false;
		if (tag == CBINT) {
			*v = vint((int64_t)x);
		} else {
			v->type = VFLOAT;
			memcpy(&v->u.f, &x, sizeof(x));
		}
		return true;
	case CBSTR:
		if (!get32(r, &n))
			return false;
		if ((size_t)(r->end - r->p) < n)
			return corrupt(r, "truncated string");
		*v = vstrn(a, (const char *)r->p, n);
		r->p += n;
		return true;
	case CBREF:
		if (!get32(r, &n))
			return false;
		if (n >= r->ncont)
			return corrupt(r, "reference to a list or dict past the table");
		if (key)
			return corrupt(r, "a list or dict as a dict key");
		*v = r->cont[n];
		return true;
	default:
		return corrupt(r, "unknown value tag");
	}
}

bool
cfgbinload(struct arena *a, const char *data, size_t len, const char *origin, struct value *out, const char **model)
{
	struct cbin r = {(const unsigned char *)data, (const unsigned char *)data + len, origin, NULL, 0};
	struct value k, v, c;
	uint32_t ver, n, *lens = NULL;
	size_t i, j, total = 0;
	bool ok = false;

	if (!cfgbinis(data, len))
		return corrupt(&r, "no imagegen-config magic at the start");
	r.p += sizeof(CFGBINMAGIC);
	if (!get32(&r, &ver))
		return false;
	if (ver != CFGBINVERSION) {
		errorat(NULL, origin, 0, 0,
		    "compiled configuration format version %u, this imagegen reads version %d; compile it again with imagegen config",
		    ver, CFGBINVERSION);
		return false;
	}
	if (!get32(&r, &n))
		return false;
	if (n > (size_t)(r.end - r.p) || n > 64 || memchr(r.p, '\0', n))
		return corrupt(&r, "malformed model name");
	*model = astrndup(a, (const char *)r.p, n);
	r.p += n;
	if (!get32(&r, &n))
		return false;
	/* each table entry takes 5 bytes: a count past that is a lie */
	if (n > (size_t)(r.end - r.p) / 5)
		return corrupt(&r, "container table longer than the file");
	r.ncont = n;
	r.cont = n ? aalloc(a, n * sizeof(*r.cont)) : NULL;
	lens = n ? xreallocarray(NULL, n, sizeof(*lens)) : NULL;
	for (i = 0; i < n; i++) {
		int kind = *r.p++;

		if (!get32(&r, &lens[i]))
			goto done;
		/* every item takes at least a byte: the sum bounds what is allocated */
		total += (size_t)lens[i] * (kind == CBDICT ? 2 : 1);
		if (total > len) {
			corrupt(&r, "container lengths longer than the file");
			goto done;
		}
		if (kind == CBDICT) {
			r.cont[i] = vdict(a);
		} else if (kind == CBLIST || kind == CBTUPLE) {
			r.cont[i] = vlist(a, lens[i], kind == CBTUPLE);
		} else {
			corrupt(&r, "unknown container kind");
			goto done;
		}
	}
	if (!getval(a, &r, out, false))
		goto done;
	for (i = 0; i < n; i++) {
		c = r.cont[i];
		for (j = 0; j < lens[i]; j++) {
			if (c.type == VDICT) {
				if (!getval(a, &r, &k, true) || !getval(a, &r, &v, false))
					goto done;
				vdictset(a, c.u.d, k, v);
			} else {
				if (!getval(a, &r, &v, false))
					goto done;
				c.u.l->v[c.u.l->len++] = v;
			}
		}
		if (c.type == VDICT && c.u.d->len != lens[i]) {
			corrupt(&r, "a dict with a key twice");
			goto done;
		}
	}
	if (r.p != r.end) {
		corrupt(&r, "bytes after the end");
		goto done;
	}
	ok = true;
done:
	free(lens);
	return ok;
}
