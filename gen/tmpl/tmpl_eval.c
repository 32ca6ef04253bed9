#include "compat.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_ast.h"
#include "tmpl_ev.h"
#include "tmpl_filter.h"
#include "tmpl_method.h"
#include "tmpl_ops.h"

static bool eval(struct ev *ev, const struct node *n, struct value *out);

/* the global functions */
enum { GRANGE, GDICT, GNAMESPACE };

/* the variables of one scope: a for iteration, a with block, or the template */
struct scope {
	struct scope *parent;
	const char **names;
	struct value *vals;
	size_t n, cap;
};

static void
scopeset(struct ev *ev, struct scope *s, const char *name, struct value v)
{
	size_t i;
	const char **nn;
	struct value *nv;

	for (i = 0; i < s->n; i++) {
		if (s->names[i] == name || strcmp(s->names[i], name) == 0) {
			s->vals[i] = v;
			return;
		}
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		nn = aalloc(ev->a, s->cap * sizeof(*nn));
		nv = aalloc(ev->a, s->cap * sizeof(*nv));
		if (s->n) {
			memcpy(nn, s->names, s->n * sizeof(*nn));
			memcpy(nv, s->vals, s->n * sizeof(*nv));
		}
		s->names = nn;
		s->vals = nv;
	}
	s->names[s->n] = name;
	s->vals[s->n] = v;
	s->n++;
}

static bool
lookup(struct ev *ev, const char *name, struct value *out)
{
	struct scope *s;
	struct value *p, key;
	struct vstr *ks;
	size_t i, len;

	for (s = ev->sc; s; s = s->parent) {
		for (i = s->n; i-- > 0;) {
			if (s->names[i] == name || strcmp(s->names[i], name) == 0) {
				*out = s->vals[i];
				return true;
			}
		}
	}
	if (ev->vars.type == VDICT) {
		len = strlen(name);
		ks = ev->keybuf;
		if (!ks || ks->len < len) {
			ks = aalloc(ev->a, sizeof(*ks) + len + 64);
			ks->len = len + 63;
			ev->keybuf = ks;
		}
		key.type = VSTR;
		key.u.s = ks;
		memcpy(ks->data, name, len + 1);
		i = ks->len;
		ks->len = len;
		p = vdictget(ev->vars.u.d, key);
		ks->len = i;
		if (p) {
			*out = *p;
			return true;
		}
	}
	return false;
}

/* Python's slice indices for a sequence of length len */
static bool
sliceidx(struct ev *ev, const struct node *n, struct value *parts, int64_t len, int64_t *start, int64_t *stop, int64_t *step)
{
	int64_t lo, hi;
	int k;

	for (k = 0; k < 3; k++) {
		if (parts[k].type != VNONE && parts[k].type != VUNDEF && !visint(parts[k]))
			return everr(ev, n, "slice indices must be integers or None, not %s", vtypename(parts[k]));
	}
	*step = parts[2].type == VNONE || parts[2].type == VUNDEF ? 1 : vintof(parts[2]);
	if (*step == 0)
		return everr(ev, n, "slice step cannot be zero");
	lo = *step < 0 ? -1 : 0;
	hi = *step < 0 ? len - 1 : len;
	if (parts[0].type == VNONE || parts[0].type == VUNDEF) {
		*start = *step < 0 ? hi : lo;
	} else {
		*start = vintof(parts[0]);
		if (*start < 0) {
			*start += len;
			if (*start < lo)
				*start = lo;
		} else if (*start > hi) {
			*start = hi;
		}
	}
	if (parts[1].type == VNONE || parts[1].type == VUNDEF) {
		*stop = *step < 0 ? lo : hi;
	} else {
		*stop = vintof(parts[1]);
		if (*stop < 0) {
			*stop += len;
			if (*stop < lo)
				*stop = lo;
		} else if (*stop > hi) {
			*stop = hi;
		}
	}
	return true;
}

static bool
slicev(struct ev *ev, const struct node *n, struct value obj, struct value *parts, struct value *out)
{
	int64_t start, stop, step, i, len;
	struct buf b = {0};
	size_t off, end;

	if (obj.type == VUNDEF)
		return undeferr(ev, n, obj);
	if ((obj.type == VLIST && obj.u.l->view == VIEWNONE) || obj.type == VTUPLE || obj.type == VRANGE) {
		len = (int64_t)obj.u.l->len;
		if (!sliceidx(ev, n, parts, len, &start, &stop, &step))
			return false;
		*out = vlist(ev->a, 0, obj.type != VLIST);
		for (i = start; step > 0 ? i < stop : i > stop; i += step)
			vlistpush(ev->a, out->u.l, obj.u.l->v[i]);
		if (obj.type == VRANGE) {
			/* a slice of a range is a range */
			out->type = VRANGE;
			out->u.l->rstep = obj.u.l->rstep * step;
			out->u.l->rstart = obj.u.l->rstart + start * obj.u.l->rstep;
			out->u.l->rstop = obj.u.l->rstart + stop * obj.u.l->rstep;
			if (out->u.l->len == 0)
				out->u.l->rstop = out->u.l->rstart;
			else
				out->u.l->rstop = out->u.l->v[out->u.l->len - 1].u.i + out->u.l->rstep;
		}
		return true;
	}
	if (obj.type == VSTR) {
		len = (int64_t)u8len(obj.u.s->data, obj.u.s->len);
		if (!sliceidx(ev, n, parts, len, &start, &stop, &step))
			return false;
		if (len == (int64_t)obj.u.s->len && step == 1) {
			*out = strval(ev, obj.u.s->data + start, start < stop ? (size_t)(stop - start) : 0);
			return true;
		}
		for (i = start; step > 0 ? i < stop : i > stop; i += step) {
			off = u8off(obj.u.s->data, obj.u.s->len, (size_t)i);
			end = u8off(obj.u.s->data, obj.u.s->len, (size_t)i + 1);
			bufadd(&b, obj.u.s->data + off, end - off);
		}
		*out = strval(ev, b.data ? b.data : "", b.len);
		delbuf(&b);
		return true;
	}
	/* jinja2 slices with Python's own subscription, which raises here */
	if (obj.type == VDICT)
		return everr(ev, n, "unhashable type: 'slice'");
	return everr(ev, n, "'%s' object is not subscriptable", vtypename(obj));
}

static bool
assign(struct ev *ev, const struct node *target, struct value v)
{
	struct vlist *items;
	size_t i;

	if (target->kind == NNAME) {
		scopeset(ev, ev->sc, target->name, v);
		return true;
	}
	if (target->kind == NATTR) {
		struct value ns;

		if (!eval(ev, target->a, &ns))
			return false;
		if (ns.type != VNS)
			return everr(ev, target, "cannot assign attribute on non-namespace object");
		vdictset(ev->a, ns.u.d, strval(ev, target->name, strlen(target->name)), v);
		return true;
	}
	if (v.type != VLIST && v.type != VTUPLE && v.type != VRANGE && v.type != VDICT && v.type != VSTR) {
		if (v.type == VUNDEF)
			return undeferr(ev, target, v);
		return everr(ev, target, "cannot unpack non-iterable %s object", vtypename(v));
	}
	if (!iterv(ev, target, v, &items))
		return false;
	if (items->len < target->n)
		return everr(ev, target, "not enough values to unpack (expected %zu, got %zu)", target->n, items->len);
	if (items->len > target->n)
		return everr(ev, target, "too many values to unpack (expected %zu)", target->n);
	for (i = 0; i < target->n; i++)
		scopeset(ev, ev->sc, target->v[i]->name, items->v[i]);
	return true;
}

/* evaluate the arguments of a call-like node: positional into args, keywords into kw */
static bool
evalargs(struct ev *ev, const struct node *n, struct value *args, size_t *nargs, struct kwarg *kw, size_t *nkw, size_t max)
{
	size_t i;

	*nargs = *nkw = 0;
	if (n->n > max)
		return everr(ev, n, "too many arguments (at most %zu)", max);
	for (i = 0; i < n->n; i++) {
		if (n->v[i]->kind == NKW) {
			kw[*nkw].name = n->v[i]->name;
			if (!eval(ev, n->v[i]->a, &kw[*nkw].val))
				return false;
			(*nkw)++;
		} else {
			if (!eval(ev, n->v[i], &args[*nargs]))
				return false;
			(*nargs)++;
		}
	}
	return true;
}

static bool
callrange(struct ev *ev, const struct node *n, struct value *args, size_t nargs, struct value *out)
{
	int64_t start = 0, stop, step = 1, i, count;
	size_t k;

	if (nargs < 1 || nargs > 3)
		return everr(ev, n, "range expected 1 to 3 arguments, got %zu", nargs);
	for (k = 0; k < nargs; k++) {
		if (args[k].type == VUNDEF)
			return undeferr(ev, n, args[k]);
		if (!visint(args[k]))
			return everr(ev, n, "'%s' object cannot be interpreted as an integer", vtypename(args[k]));
	}
	if (nargs == 1) {
		stop = vintof(args[0]);
	} else {
		start = vintof(args[0]);
		stop = vintof(args[1]);
		if (nargs == 3)
			step = vintof(args[2]);
	}
	if (step == 0)
		return everr(ev, n, "range() arg 3 must not be zero");
	count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
	    : (start > stop ? (start - stop - step - 1) / -step : 0);
	if (count > 100000)
		return everr(ev, n, "range too big: %lld items; at most 100000", (long long)count);
	*out = vlist(ev->a, (size_t)count, true);
	out->type = VRANGE;
	out->u.l->rstart = start;
	out->u.l->rstop = stop;
	out->u.l->rstep = step;
	for (i = 0; i < count; i++)
		vlistpush(ev->a, out->u.l, vint(start + i * step));
	return true;
}

static bool exec(struct ev *ev, struct node **body, size_t n);

/* the variables a macro defined now sees besides the template's: a copy of the inner scopes */
static struct scope *
closure(struct ev *ev)
{
	struct scope *chain[64], *s, *c;
	size_t depth = 0, i, k;

	if (ev->sc == ev->root)
		return NULL;
	for (s = ev->sc; s && s != ev->root && depth < LEN(chain); s = s->parent)
		chain[depth++] = s;
	c = azalloc(ev->a, sizeof(*c));
	c->parent = ev->root;
	for (i = depth; i-- > 0;) {
		for (k = 0; k < chain[i]->n; k++)
			scopeset(ev, c, chain[i]->names[k], chain[i]->vals[k]);
	}
	return c;
}

static bool
callmacro(struct ev *ev, const struct node *n, struct vmacro *mac, struct value *args, size_t nargs,
    struct kwarg *kw, size_t nkw, struct value *out)
{
	const struct node *def = mac->def, *params = def->b;
	struct scope *sc, *savesc = ev->sc;
	struct buf *saveout = ev->out, tmp = {0};
	struct value varargs, kwargs, v;
	size_t i, k;
	bool ok;

	if (ev->macdepth >= 200)
		return everr(ev, n, "macro calls nested more than 200 deep; is '%s' calling itself without end?", mac->name);
	if (nargs > params->n && !(def->op & MACVARARGS))
		return everr(ev, n, "macro '%s' takes not more than %zu argument(s)", mac->name, params->n);
	sc = azalloc(ev->a, sizeof(*sc));
	sc->parent = mac->closure ? mac->closure : ev->root;
	varargs = vlist(ev->a, 0, true);
	kwargs = vdict(ev->a);
	for (i = params->n; i < nargs; i++)
		vlistpush(ev->a, varargs.u.l, args[i]);
	for (k = 0; k < nkw; k++) {
		for (i = 0; i < params->n && strcmp(params->v[i]->name, kw[k].name); i++)
			;
		if (i < params->n && i < nargs)
			return everr(ev, n, "macro '%s' got multiple values for argument '%s'", mac->name, kw[k].name);
		if (i == params->n) {
			if (!(def->op & MACKWARGS))
				return everr(ev, n, "macro '%s' takes no keyword argument '%s'", mac->name, kw[k].name);
			vdictset(ev->a, kwargs.u.d, strval(ev, kw[k].name, strlen(kw[k].name)), kw[k].val);
		}
	}
	ev->sc = sc;
	ev->macdepth++;
	ok = true;
	for (i = 0; ok && i < params->n; i++) {
		const char *name = params->v[i]->name;

		if (i < nargs) {
			v = args[i];
		} else {
			for (k = 0; k < nkw && strcmp(kw[k].name, name); k++)
				;
			if (k < nkw) {
				v = kw[k].val;
			} else if (params->v[i]->a) {
				ok = eval(ev, params->v[i]->a, &v);
			} else {
				char *msg = xasprintf("parameter '%s' was not provided", name);

				v = vundef(ev->a, msg);
				free(msg);
			}
		}
		if (ok)
			scopeset(ev, sc, name, v);
	}
	if (ok) {
		scopeset(ev, sc, "varargs", varargs);
		scopeset(ev, sc, "kwargs", kwargs);
		ev->out = &tmp;
		ok = exec(ev, def->v, def->n);
		ev->out = saveout;
	}
	ev->macdepth--;
	ev->sc = savesc;
	if (ok)
		*out = strval(ev, tmp.data ? tmp.data : "", tmp.len);
	delbuf(&tmp);
	return ok;
}

static bool
evalcall(struct ev *ev, const struct node *n, struct value *out)
{
	struct value fn, args[16];
	struct kwarg kw[16];
	size_t nargs, nkw, i;

	if (!eval(ev, n->a, &fn))
		return false;
	if (fn.type == VUNDEF)
		return undeferr(ev, n, fn);
	if (fn.type != VMETHOD && fn.type != VFUNC && fn.type != VMACRO)
		return everr(ev, n, "'%s' object is not callable", vtypename(fn));
	if (!evalargs(ev, n, args, &nargs, kw, &nkw, LEN(args)))
		return false;
	if (fn.type == VMACRO)
		return callmacro(ev, n, fn.u.mac, args, nargs, kw, nkw, out);
	if (fn.type == VMETHOD)
		return callmethod(ev, n, fn.u.m->self, fn.u.m->name, args, nargs, kw, nkw, out);
	switch (fn.u.i) {
	case GRANGE:
		if (nkw)
			return everr(ev, n, "range() takes no keyword arguments");
		return callrange(ev, n, args, nargs, out);
	case GDICT:
	case GNAMESPACE:
		if (nargs > 1)
			return everr(ev, n, "%s expected at most 1 argument, got %zu", fn.u.i == GDICT ? "dict" : "namespace", nargs);
		*out = vdict(ev->a);
		if (nargs == 1) {
			if (args[0].type != VDICT)
				return everr(ev, n, "the argument of %s() must be a dict here, not %s", fn.u.i == GDICT ? "dict" : "namespace", vtypename(args[0]));
			for (i = 0; i < args[0].u.d->len; i++)
				vdictset(ev->a, out->u.d, args[0].u.d->keys[i], args[0].u.d->vals[i]);
		}
		if (fn.u.i == GNAMESPACE)
			out->type = VNS;
		for (i = 0; i < nkw; i++)
			vdictset(ev->a, out->u.d, strval(ev, kw[i].name, strlen(kw[i].name)), kw[i].val);
		return true;
	}
	return everr(ev, n, "unknown function");
}

static bool
evalfilter(struct ev *ev, const struct node *n, struct value in, struct value *out)
{
	struct value args[16];
	struct kwarg kw[16];
	size_t nargs, nkw;

	if (n->fn < 0)
		return everr(ev, n, "no filter named '%s'", n->name);
	if (!evalargs(ev, n, args, &nargs, kw, &nkw, LEN(args)))
		return false;
	return callfilter(ev, n, n->fn, in, args, nargs, kw, nkw, out);
}

static bool
evaltest(struct ev *ev, const struct node *n, struct value *out)
{
	struct value in, args[16];
	struct kwarg kw[16];
	size_t nargs, nkw;
	bool r;

	if (n->fn < 0)
		return everr(ev, n, "no test named '%s'", n->name);
	if (!eval(ev, n->a, &in))
		return false;
	if (!evalargs(ev, n, args, &nargs, kw, &nkw, LEN(args)))
		return false;
	if (!calltest(ev, n, n->fn, in, args, nargs, kw, nkw, &r))
		return false;
	*out = vbool(r);
	return true;
}

static bool
eval(struct ev *ev, const struct node *n, struct value *out)
{
	struct value a, b, parts[3];
	size_t i;
	bool r;
	struct buf *save, tmp;

	switch (n->kind) {
	case NCONST:
		*out = n->val;
		return true;
	case NNAME:
		if (lookup(ev, n->name, out))
			return true;
		if (!strcmp(n->name, "range") || !strcmp(n->name, "dict") || !strcmp(n->name, "namespace")) {
			out->type = VFUNC;
			out->u.i = n->name[0] == 'r' ? GRANGE : n->name[0] == 'd' ? GDICT : GNAMESPACE;
			return true;
		}
		*out = undefname(ev, n->name);
		return true;
	case NATTR:
		if (!eval(ev, n->a, &a))
			return false;
		return getattrv(ev, n, a, n->name, out);
	case NITEM:
		if (!eval(ev, n->a, &a) || !eval(ev, n->b, &b))
			return false;
		return getitemv(ev, n, a, b, out);
	case NSLICE:
		if (!eval(ev, n->a, &a))
			return false;
		parts[0] = parts[1] = parts[2] = vnone();
		if ((n->b && !eval(ev, n->b, &parts[0])) || (n->c && !eval(ev, n->c, &parts[1])) ||
		    (n->d && !eval(ev, n->d, &parts[2])))
			return false;
		return slicev(ev, n, a, parts, out);
	case NCALL:
		return evalcall(ev, n, out);
	case NFILTER:
		if (!eval(ev, n->a, &a))
			return false;
		return evalfilter(ev, n, a, out);
	case NTEST:
		return evaltest(ev, n, out);
	case NLIST:
	case NTUPLE:
		*out = vlist(ev->a, n->n, n->kind == NTUPLE);
		for (i = 0; i < n->n; i++) {
			if (!eval(ev, n->v[i], &a))
				return false;
			vlistpush(ev->a, out->u.l, a);
		}
		return true;
	case NDICT:
		*out = vdict(ev->a);
		for (i = 0; i + 1 < n->n; i += 2) {
			if (!eval(ev, n->v[i], &a) || !eval(ev, n->v[i + 1], &b))
				return false;
			if (!vhashable(a))
				return everr(ev, n->v[i], "unhashable type: '%s'", vtypename(a));
			vdictset(ev->a, out->u.d, a, b);
		}
		return true;
	case NNOT:
		if (!eval(ev, n->a, &a))
			return false;
		*out = vbool(!vtruth(a));
		return true;
	case NNEG:
	case NPOS:
		if (!eval(ev, n->a, &a))
			return false;
		if (a.type == VUNDEF)
			return undeferr(ev, n, a);
		if (visint(a)) {
			if (n->kind == NNEG && vintof(a) == INT64_MIN)
				return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
			*out = vint(n->kind == NNEG ? -vintof(a) : vintof(a));
		} else if (a.type == VFLOAT) {
			*out = vfloat(n->kind == NNEG ? -a.u.f : a.u.f);
		} else {
			return everr(ev, n, "bad operand type for unary %c: '%s'", n->kind == NNEG ? '-' : '+', vtypename(a));
		}
		return true;
	case NAND:
		if (!eval(ev, n->a, &a))
			return false;
		if (!vtruth(a)) {
			*out = a;
			return true;
		}
		return eval(ev, n->b, out);
	case NOR:
		if (!eval(ev, n->a, &a))
			return false;
		if (vtruth(a)) {
			*out = a;
			return true;
		}
		return eval(ev, n->b, out);
	case NBIN:
		if (!eval(ev, n->a, &a) || !eval(ev, n->b, &b))
			return false;
		return binop(ev, n, n->op, a, b, out);
	case NCMP:
		if (!eval(ev, n->a, &a))
			return false;
		for (i = 0; i < n->n; i++) {
			if (!eval(ev, n->v[i]->a, &b))
				return false;
			if (!compare(ev, n->v[i], n->v[i]->op, a, b, &r))
				return false;
			if (!r) {
				*out = vbool(false);
				return true;
			}
			a = b;
		}
		*out = vbool(true);
		return true;
	case NCONCAT:
		save = ev->out;
		tmp = (struct buf){0};
		for (i = 0; i < n->n; i++) {
			if (!eval(ev, n->v[i], &a)) {
				delbuf(&tmp);
				return false;
			}
			vstrto(&tmp, a);
			if (tmp.len > MAXOUT) {
				delbuf(&tmp);
				return everr(ev, n, "string larger than %u MB", MAXOUT >> 20);
			}
		}
		*out = strval(ev, tmp.data ? tmp.data : "", tmp.len);
		delbuf(&tmp);
		(void)save;
		return true;
	case NCOND:
		if (!eval(ev, n->a, &a))
			return false;
		if (vtruth(a))
			return eval(ev, n->b, out);
		if (n->c)
			return eval(ev, n->c, out);
		{
			char *msg = xasprintf("the inline if-expression on line %d evaluated to false and no else section was defined.", n->line);

			*out = vundef(ev->a, msg);
			free(msg);
		}
		return true;
	default:
		return everr(ev, n, "internal error: not an expression");
	}
}

static bool
execfor(struct ev *ev, const struct node *n)
{
	struct value it, item, loopv;
	struct vlist *items, *kept;
	struct scope sc = {.parent = ev->sc};
	struct loopstate ls;
	size_t i;
	bool ok = true;

	if (!eval(ev, n->b, &it))
		return false;
	if (!iterv(ev, n->b, it, &items))
		return false;
	ev->sc = &sc;
	if (n->c) {
		kept = vlist(ev->a, items->len, false).u.l;
		for (i = 0; i < items->len; i++) {
			sc.n = 0;
			if (!assign(ev, n->a, items->v[i]) || !eval(ev, n->c, &item)) {
				ev->sc = sc.parent;
				return false;
			}
			if (vtruth(item))
				vlistpush(ev->a, kept, items->v[i]);
		}
		items = kept;
	}
	ls.items = items;
	ls.haslast = false;
	loopv.type = VLOOP;
	loopv.u.p = &ls;
	for (i = 0; ok && i < items->len; i++) {
		if (++ev->steps > MAXSTEPS) {
			ev->sc = sc.parent;
			return everr(ev, n, "the template runs more than %d loop iterations; it is probably looping without end", MAXSTEPS);
		}
		sc.n = 0;
		ls.index0 = i;
		scopeset(ev, &sc, "loop", loopv);
		ok = assign(ev, n->a, items->v[i]) && exec(ev, n->v, n->n);
	}
	/* the else block runs in the loop's scope too: what it sets does not leak */
	if (ok && items->len == 0 && n->d) {
		sc.n = 0;
		ok = exec(ev, n->d->v, n->d->n);
	}
	ev->sc = sc.parent;
	return ok;
}

/* render a block's body and pass it through its filters; a set or filter block */
static bool
execfiltered(struct ev *ev, const struct node *n, struct value *out)
{
	struct buf *save = ev->out, tmp = {0};
	struct value v;
	const struct node *f, *chain[32];
	size_t nf = 0;
	bool ok;

	ev->out = &tmp;
	ok = exec(ev, n->v, n->n);
	ev->out = save;
	if (!ok) {
		delbuf(&tmp);
		return false;
	}
	v = strval(ev, tmp.data ? tmp.data : "", tmp.len);
	delbuf(&tmp);
	for (f = n->c; f && nf < LEN(chain); f = f->a)
		chain[nf++] = f;
	while (nf > 0) {
		if (!evalfilter(ev, chain[--nf], v, &v))
			return false;
	}
	*out = v;
	return true;
}

static bool
exec(struct ev *ev, struct node **body, size_t n)
{
	const struct node *s;
	struct value v;
	struct value vals[32];
	struct scope sc;
	size_t i, k;

	for (i = 0; i < n; i++) {
		s = body[i];
		switch (s->kind) {
		case NDATA:
			bufadd(ev->out, s->val.u.s->data, s->val.u.s->len);
			break;
		case NPRINT:
			if (!eval(ev, s->a, &v))
				return false;
			if (ev->out->len > MAXOUT)
				return everr(ev, s, "the output is larger than %u MB", MAXOUT >> 20);
			switch (v.type) {
			case VSTR:
				bufadd(ev->out, v.u.s->data, v.u.s->len);
				break;
			case VUNDEF:
				if (ev->nwarn) {
					tmplwarn(ev->ts, s->a->line, s->a->col, "this prints an undefined value as nothing (%s) [-Wundefined]",
					    v.u.s ? v.u.s->data : "undefined");
					(*ev->nwarn)++;
				}
				break;
			default:
				vstrto(ev->out, v);
			}
			break;
		case NIF:
			for (;;) {
				if (!eval(ev, s->a, &v))
					return false;
				if (vtruth(v)) {
					if (!exec(ev, s->v, s->n))
						return false;
					break;
				}
				if (!s->b)
					break;
				if (s->b->kind == NBODY) {
					if (!exec(ev, s->b->v, s->b->n))
						return false;
					break;
				}
				s = s->b;
			}
			break;
		case NFOR:
			if (!execfor(ev, s))
				return false;
			break;
		case NSET:
			if (!eval(ev, s->b, &v) || !assign(ev, s->a, v))
				return false;
			break;
		case NSETBLOCK:
			if (!execfiltered(ev, s, &v) || !assign(ev, s->a, v))
				return false;
			break;
		case NFILTERBLOCK:
			if (!execfiltered(ev, s, &v))
				return false;
			vstrto(ev->out, v);
			break;
		case NBODY:
			if (!exec(ev, s->v, s->n))
				return false;
			break;
		case NMACRO:
			v.type = VMACRO;
			v.u.mac = aalloc(ev->a, sizeof(*v.u.mac));
			v.u.mac->name = s->name;
			v.u.mac->def = s;
			v.u.mac->closure = closure(ev);
			scopeset(ev, ev->sc, s->name, v);
			break;
		case NWITH:
			if (s->b->n > LEN(vals))
				return everr(ev, s, "too many assignments in one 'with'");
			for (k = 0; k < s->b->n; k++) {
				if (!eval(ev, s->b->v[k]->b, &vals[k]))
					return false;
			}
			sc = (struct scope){.parent = ev->sc};
			ev->sc = &sc;
			for (k = 0; k < s->b->n; k++) {
				if (!assign(ev, s->b->v[k]->a, vals[k])) {
					ev->sc = sc.parent;
					return false;
				}
			}
			k = exec(ev, s->v, s->n);
			ev->sc = sc.parent;
			if (!k)
				return false;
			break;
		default:
			return everr(ev, s, "internal error: not a statement");
		}
	}
	return true;
}

bool
tmpleval(struct arena *a, const struct tmpl *t, struct value vars, struct buf *out)
{
	return tmplevalwarn(a, t, vars, out, NULL);
}

bool
tmplevalwarn(struct arena *a, const struct tmpl *t, struct value vars, struct buf *out, int *nwarn)
{
	/* in the arena: a macro kept in a configuration list may outlive this call */
	struct scope *root = azalloc(a, sizeof(*root));
	struct ev ev = {.a = a, .ts = &t->src, .out = out, .vars = vars, .sc = root, .root = root, .nwarn = nwarn};
	bool ok;

	bufterm(out);
	ok = exec(&ev, t->body->v, t->body->n);
	if (ev.loc)
		freelocale(ev.loc);
	return ok;
}
