#include "compat.h"

#include <math.h>
#include <string.h>

#include "tmpl_ev.h"
#include "tmpl_format.h"
#include "tmpl_ops.h"

/* Python's operators, iteration and argument binding on values */

bool
iterv(struct ev *ev, const struct node *n, struct value v, struct vlist **out)
{
	struct value l;
	size_t i, k;

	switch (v.type) {
	case VUNDEF:
		l = vlist(ev->a, 0, false);
		break;
	case VLIST:
	case VTUPLE:
	case VRANGE:
		*out = v.u.l;
		return true;
	case VDICT:
		l = vlist(ev->a, v.u.d->len, false);
		for (i = 0; i < v.u.d->len; i++)
			vlistpush(ev->a, l.u.l, v.u.d->keys[i]);
		break;
	case VSTR:
		l = vlist(ev->a, v.u.s->len, false);
		for (i = 0; i < v.u.s->len; i += k) {
			for (k = 1; i + k < v.u.s->len && ((unsigned char)v.u.s->data[i + k] & 0xc0) == 0x80; k++)
				;
			vlistpush(ev->a, l.u.l, strval(ev, v.u.s->data + i, k));
		}
		break;
	default:
		return everr(ev, n, "'%s' object is not iterable", vtypename(v));
	}
	*out = l.u.l;
	return true;
}

static bool
addi(struct ev *ev, const struct node *n, int64_t a, int64_t b, struct value *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
	*out = vint(r);
	return true;
}

static bool
binerr(struct ev *ev, const struct node *n, const char *op, struct value a, struct value b)
{
	if (a.type == VSTR && !strcmp(op, "+"))
		return everr(ev, n, "can only concatenate str (not \"%s\") to str", vtypename(b));
	if ((a.type == VLIST || a.type == VTUPLE) && !strcmp(op, "+"))
		return everr(ev, n, "can only concatenate %s (not \"%s\") to %s", vtypename(a), vtypename(b), vtypename(a));
	return everr(ev, n, "unsupported operand type(s) for %s: '%s' and '%s'", op, vtypename(a), vtypename(b));
}

static double
pymodf(double a, double b)
{
	double m = fmod(a, b);

	if (m != 0) {
		if ((b < 0) != (m < 0))
			m += b;
	} else {
		m = copysign(0.0, b);
	}
	return m;
}

static double
pyfloordivf(double a, double b)
{
	double m = fmod(a, b), div = (a - m) / b, fd;

	if (m != 0 && (b < 0) != (m < 0))
		div -= 1.0;
	if (div != 0) {
		fd = floor(div);
		if (div - fd > 0.5)
			fd += 1.0;
	} else {
		fd = copysign(0.0, a / b);
	}
	return fd;
}

static bool
repeat(struct ev *ev, const struct node *n, struct value seq, int64_t k, struct value *out)
{
	struct buf b = {0};
	int64_t i;
	size_t j;

	/* an empty sequence repeats to itself however large k is */
	if (seq.type == VSTR) {
		if (seq.u.s->len == 0)
			k = 0;
		if (k > 0 && seq.u.s->len && (uint64_t)k > MAXOUT / seq.u.s->len)
			return everr(ev, n, "string repetition larger than %u MB", MAXOUT >> 20);
		for (i = 0; i < k; i++)
			bufadd(&b, seq.u.s->data, seq.u.s->len);
		*out = strval(ev, b.data ? b.data : "", b.len);
		delbuf(&b);
		return true;
	}
	if (k > 0 && seq.u.l->len && (uint64_t)k > (1ULL << 22) / seq.u.l->len)
		return everr(ev, n, "list repetition larger than %llu items", 1ULL << 22);
	if (seq.u.l->len == 0)
		k = 0;
	*out = vlist(ev->a, 0, seq.type == VTUPLE);
	for (i = 0; i < k; i++) {
		for (j = 0; j < seq.u.l->len; j++)
			vlistpush(ev->a, out->u.l, seq.u.l->v[j]);
	}
	return true;
}

bool
binop(struct ev *ev, const struct node *n, int op, struct value a, struct value b, struct value *out)
{
	static const char *const opnames[] = {[TADD] = "+", [TSUB] = "-", [TMUL] = "*", [TDIV] = "/",
	    [TFLOORDIV] = "//", [TMOD] = "%", [TPOW] = "** or pow()"};
	int64_t r, x, y;
	size_t i;

	if (a.type == VUNDEF)
		return undeferr(ev, n, a);
	if (b.type == VUNDEF)
		return undeferr(ev, n, b);
	if (visint(a) && visint(b)) {
		x = vintof(a);
		y = vintof(b);
		switch (op) {
		case TADD:
			return addi(ev, n, x, y, out);
		case TSUB:
			if (__builtin_sub_overflow(x, y, &r))
				return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
			*out = vint(r);
			return true;
		case TMUL:
			if (__builtin_mul_overflow(x, y, &r))
				return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
			*out = vint(r);
			return true;
		case TDIV:
			if (y == 0)
				return everr(ev, n, "division by zero");
			*out = vfloat((double)x / (double)y);
			return true;
		case TFLOORDIV:
		case TMOD:
			if (y == 0)
				return everr(ev, n, "integer division or modulo by zero");
			if (x == INT64_MIN && y == -1) {
				if (op == TMOD) {
					*out = vint(0);
					return true;
				}
				return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
			}
			r = x / y;
			if ((x % y != 0) && ((x < 0) != (y < 0)))
				r--;
			*out = vint(op == TFLOORDIV ? r : x - r * y);
			return true;
		case TPOW:
			if (y < 0) {
				if (x == 0)
					return everr(ev, n, "0.0 cannot be raised to a negative power");
				*out = vfloat(pow((double)x, (double)y));
				return true;
			}
			r = 1;
			for (; y > 0; y--) {
				if (__builtin_mul_overflow(r, x, &r))
					return everr(ev, n, "integer overflow: the result does not fit in 64 bits");
				if (r == 0 || r == 1)
					break;
			}
			if (r == 1 && x == -1 && y % 2 == 1)
				r = -1;
			*out = vint(r);
			return true;
		}
	}
	if (visnum(a) && visnum(b)) {
		double fa = vfloatof(a), fb = vfloatof(b);

		switch (op) {
		case TADD: *out = vfloat(fa + fb); return true;
		case TSUB: *out = vfloat(fa - fb); return true;
		case TMUL: *out = vfloat(fa * fb); return true;
		case TDIV:
			if (fb == 0)
				return everr(ev, n, "float division by zero");
			*out = vfloat(fa / fb);
			return true;
		case TFLOORDIV:
		case TMOD:
			if (fb == 0)
				return everr(ev, n, "float %s by zero", op == TMOD ? "modulo" : "floor division");
			*out = vfloat(op == TMOD ? pymodf(fa, fb) : pyfloordivf(fa, fb));
			return true;
		case TPOW:
			if (fa == 0 && fb < 0)
				return everr(ev, n, "0.0 cannot be raised to a negative power");
			if (fa < 0 && fb != floor(fb))
				return everr(ev, n, "a negative number raised to a fractional power is complex, which templates cannot print");
			*out = vfloat(pow(fa, fb));
			if (isinf(out->u.f) && !isinf(fa) && !isinf(fb))
				return everr(ev, n, "numerical result out of range");
			return true;
		}
	}
	if (op == TADD) {
		if (a.type == VSTR && b.type == VSTR) {
			struct value s = {.type = VSTR};

			if (a.u.s->len + b.u.s->len > MAXOUT)
				return everr(ev, n, "string larger than %u MB", MAXOUT >> 20);

			s.u.s = aalloc(ev->a, sizeof(struct vstr) + a.u.s->len + b.u.s->len + 1);
			s.u.s->len = a.u.s->len + b.u.s->len;
			memcpy(s.u.s->data, a.u.s->data, a.u.s->len);
			memcpy(s.u.s->data + a.u.s->len, b.u.s->data, b.u.s->len + 1);
			*out = s;
			return true;
		}
		if ((a.type == VLIST || a.type == VTUPLE) && a.type == b.type &&
		    (a.type != VLIST || (a.u.l->view == VIEWNONE && b.u.l->view == VIEWNONE))) {
			*out = vlist(ev->a, a.u.l->len + b.u.l->len, a.type == VTUPLE);
			for (i = 0; i < a.u.l->len; i++)
				vlistpush(ev->a, out->u.l, a.u.l->v[i]);
			for (i = 0; i < b.u.l->len; i++)
				vlistpush(ev->a, out->u.l, b.u.l->v[i]);
			return true;
		}
	}
	if (op == TMUL) {
		if ((a.type == VSTR || (a.type == VLIST && a.u.l->view == VIEWNONE) || a.type == VTUPLE) && visint(b))
			return repeat(ev, n, a, vintof(b), out);
		if ((b.type == VSTR || (b.type == VLIST && b.u.l->view == VIEWNONE) || b.type == VTUPLE) && visint(a))
			return repeat(ev, n, b, vintof(a), out);
		if (a.type == VSTR || b.type == VSTR)
			return everr(ev, n, "can't multiply sequence by non-int of type '%s'", vtypename(a.type == VSTR ? b : a));
	}
	if (op == TMOD && a.type == VSTR)
		return pyformatpct(ev, n, a, b, out);
	return binerr(ev, n, opnames[op], a, b);
}

static bool
contains(struct ev *ev, const struct node *n, struct value needle, struct value hay, bool *res)
{
	size_t i;

	switch (hay.type) {
	case VUNDEF:
		*res = false;
		return true;
	case VSTR:
		if (needle.type == VUNDEF)
			return undeferr(ev, n, needle);
		if (needle.type != VSTR)
			return everr(ev, n, "'in <string>' requires string as left operand, not %s", vtypename(needle));
		if (needle.u.s->len == 0) {
			*res = true;
			return true;
		}
		*res = false;
		for (i = 0; i + needle.u.s->len <= hay.u.s->len; i++) {
			if (memcmp(hay.u.s->data + i, needle.u.s->data, needle.u.s->len) == 0) {
				*res = true;
				break;
			}
		}
		return true;
	case VLIST:
	case VTUPLE:
	case VRANGE:
		*res = false;
		for (i = 0; i < hay.u.l->len; i++) {
			if (veq(hay.u.l->v[i], needle)) {
				*res = true;
				break;
			}
		}
		return true;
	case VDICT:
		if (!vhashable(needle))
			return everr(ev, n, "unhashable type: '%s'", vtypename(needle));
		*res = vdictget(hay.u.d, needle) != NULL;
		return true;
	default:
		return everr(ev, n, "argument of type '%s' is not iterable", vtypename(hay));
	}
}

bool
compare(struct ev *ev, const struct node *n, int op, struct value a, struct value b, bool *res)
{
	static const char *const opnames[] = {[TLT] = "<", [TLTEQ] = "<=", [TGT] = ">", [TGTEQ] = ">="};
	int c;

	switch (op) {
	case TEQ:
		*res = veq(a, b);
		return true;
	case TNE:
		*res = !veq(a, b);
		return true;
	case CMPIN:
		return contains(ev, n, a, b, res);
	case CMPNOTIN:
		if (!contains(ev, n, a, b, res))
			return false;
		*res = !*res;
		return true;
	}
	if (a.type == VUNDEF)
		return undeferr(ev, n, a);
	if (b.type == VUNDEF)
		return undeferr(ev, n, b);
	if (!vcmp(a, b, &c))
		return everr(ev, n, "'%s' not supported between instances of '%s' and '%s'", opnames[op], vtypename(a), vtypename(b));
	switch (op) {
	case TLT: *res = c == -1; break;
	case TLTEQ: *res = c == -1 || c == 0; break;
	case TGT: *res = c == 1; break;
	default: *res = c == 1 || c == 0; break;
	}
	return true;
}

bool
bindargs(struct ev *ev, const struct node *n, const char *what, const char *const *params,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *slots)
{
	size_t np, i, j;

	for (np = 0; params[np]; np++)
		slots[np].type = VUNDEF, slots[np].u.s = NULL;
	if (nargs > np)
		return everr(ev, n, "%s takes at most %zu argument%s (%zu given)", what, np, np == 1 ? "" : "s", nargs);
	for (i = 0; i < nargs; i++)
		slots[i] = args[i];
	for (i = 0; i < nkw; i++) {
		for (j = 0; j < np && strcmp(params[j], kw[i].name); j++)
			;
		if (j == np)
			return everr(ev, n, "%s got an unexpected keyword argument '%s'", what, kw[i].name);
		if (j < nargs)
			return everr(ev, n, "%s got multiple values for argument '%s'", what, kw[i].name);
		slots[j] = kw[i].val;
	}
	return true;
}
