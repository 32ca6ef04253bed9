#include "compat.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tmpl_ev.h"
#include "tmpl_format.h"

/* str.format, format specs and %-formatting, as Python does them */

/* C's %.*CONV of f (%#.*CONV when alt) into out, for CONV one of eEfFgG */
static void
cfloat(char *out, size_t n, char conv, bool alt, int pr, double f)
{
	switch (conv) {
	case 'e': snprintf(out, n, alt ? "%#.*e" : "%.*e", pr, f); break;
	case 'E': snprintf(out, n, alt ? "%#.*E" : "%.*E", pr, f); break;
	case 'f': snprintf(out, n, alt ? "%#.*f" : "%.*f", pr, f); break;
	case 'F': snprintf(out, n, alt ? "%#.*F" : "%.*F", pr, f); break;
	case 'G': snprintf(out, n, alt ? "%#.*G" : "%.*G", pr, f); break;
	default: snprintf(out, n, alt ? "%#.*g" : "%.*g", pr, f); break;
	}
}

void
fmtpad(struct buf *b, const char *body, size_t len, size_t width, char align, const char *fill, size_t filllen, size_t signlen)
{
	size_t cp = 0, i, left = 0, right = 0, total;

	for (i = 0; i < len; i++) {
		if (((unsigned char)body[i] & 0xc0) != 0x80)
			cp++;
	}
	total = width > cp ? width - cp : 0;
	switch (align) {
	case '<': right = total; break;
	case '^': left = total / 2; right = total - left; break;
	case '=':
		bufadd(b, body, signlen);
		body += signlen;
		len -= signlen;
		left = total;
		break;
	default: left = total; break;
	}
	for (i = 0; i < left; i++)
		bufadd(b, fill, filllen);
	bufadd(b, body, len);
	for (i = 0; i < right; i++)
		bufadd(b, fill, filllen);
}

static void
group(struct buf *b, const char *digits, size_t n, char sep, int every)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % (size_t)every == 0)
			bufaddc(b, sep);
		bufaddc(b, digits[i]);
	}
}

/* append value v formatted with the str.format spec [spec, spec+len) */
static bool
formatspec(struct ev *ev, const struct node *n, struct buf *b, struct value v, const char *spec, size_t len)
{
	const char *p = spec, *end = spec + len, *fill = " ";
	size_t filllen = 1, width = 0, i, signlen = 0;
	char align = 0, sign = '-', type = 0, grouping = 0;
	int prec = -1;
	bool alt = false, zero = false;
	struct buf body = {0};
	char tmp[512];

	if (len == 0) {
		vstrto(b, v);
		return true;
	}
	/* [[fill]align] */
	i = 1;
	while (p + i < end && ((unsigned char)p[i] & 0xc0) == 0x80)
		i++;
	if (p + i < end && strchr("<>=^", p[i]) && p[i]) {
		fill = p;
		filllen = i;
		align = p[i];
		p += i + 1;
	} else if (strchr("<>=^", *p) && *p) {
		align = *p++;
	}
	if (p < end && (*p == '+' || *p == '-' || *p == ' '))
		sign = *p++;
	if (p < end && *p == '#') {
		alt = true;
		p++;
	}
	if (p < end && *p == '0') {
		zero = true;
		p++;
	}
	while (p < end && isdigit((unsigned char)*p) && width < 100000)
		width = width * 10 + (size_t)(*p++ - '0');
	if (p < end && (*p == ',' || *p == '_'))
		grouping = *p++;
	if (p < end && *p == '.') {
		p++;
		if (p == end || !isdigit((unsigned char)*p))
			return everr(ev, n, "format specifier missing precision");
		prec = 0;
		while (p < end && isdigit((unsigned char)*p) && prec < 1000)
			prec = prec * 10 + (*p++ - '0');
	}
	if (p < end)
		type = *p++;
	if (p != end)
		return everr(ev, n, "invalid format specifier '%.*s'", (int)len, spec);
	if (zero && !align) {
		fill = "0";
		filllen = 1;
		align = '=';
	}
	if (v.type == VUNDEF)
		v = strval(ev, "", 0);
	if (v.type != VSTR && v.type != VBOOL && v.type != VINT && v.type != VFLOAT)
		return everr(ev, n, "unsupported format string passed to %s.__format__", vtypename(v));
	if (v.type == VSTR) {
		struct value s = v;

		if (type && type != 's')
			return everr(ev, n, "unknown format code '%c' for object of type 'str'", type);
		if (align == '=')
			return everr(ev, n, "'=' alignment not allowed in string format specifier");
		if (sign != '-')
			return everr(ev, n, "sign not allowed in string format specifier");
		len = s.u.s->len;
		if (prec >= 0) {
			size_t cp = 0;

			for (i = 0; i < len; i++) {
				if (((unsigned char)s.u.s->data[i] & 0xc0) != 0x80) {
					if ((int)cp == prec)
						break;
					cp++;
				}
			}
			len = i;
		}
		fmtpad(b, s.u.s->data, len, width, align ? align : '<', fill, filllen, 0);
		return true;
	}
	if (v.type == VBOOL && !type) {
		fmtpad(b, v.u.b ? "True" : "False", v.u.b ? 4 : 5, width, align ? align : '<', fill, filllen, 0);
		return true;
	}
	if (visint(v) && (!type || strchr("dxXobcn", type))) {
		int64_t x = vintof(v);
		unsigned long long u = x < 0 ? (unsigned long long)0 - (unsigned long long)x : (unsigned long long)x;
		char digits[80];
		int nd = 0, base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;

		if (prec >= 0)
			return everr(ev, n, "precision not allowed in integer format specifier");
		if (type == 'c') {
			delbuf(&body);
			return everr(ev, n, "the format code 'c' is not supported by imagegen");
		}
		do {
			digits[nd++] = "0123456789abcdef"[u % (unsigned)base];
			u /= (unsigned)base;
		} while (u);
		for (i = 0; i < (size_t)nd / 2; i++) {
			char t = digits[i];

			digits[i] = digits[nd - 1 - i];
			digits[nd - 1 - i] = t;
		}
		if (type == 'X') {
			for (i = 0; i < (size_t)nd; i++)
				digits[i] = (char)toupper((unsigned char)digits[i]);
		}
		if (x < 0)
			bufaddc(&body, '-');
		else if (sign == '+' || sign == ' ')
			bufaddc(&body, sign);
		if (alt && base != 10) {
			bufaddc(&body, '0');
			bufaddc(&body, type);
		}
		signlen = body.len;
		if (grouping)
			group(&body, digits, (size_t)nd, grouping, base == 10 ? 3 : 4);
		else
			bufadd(&body, digits, (size_t)nd);
		fmtpad(b, body.data, body.len, width, align ? align : '>', fill, filllen, signlen);
		delbuf(&body);
		return true;
	}
	if ((visint(v) || v.type == VFLOAT) && (!type || strchr("eEfFgG%", type))) {
		double f = vfloatof(v);

		if (f < 0 || (f == 0 && signbit(f))) {
			bufaddc(&body, '-');
			f = -f;
		} else if (sign == '+' || sign == ' ') {
			bufaddc(&body, sign);
		}
		signlen = body.len;
		if (!type && prec < 0) {
			vfloatto(&body, f);
		} else {
			char t = type ? type : 'g';
			int pr = prec < 0 ? 6 : prec;

			if (t == '%')
				f *= 100;
			cfloat(tmp, sizeof(tmp), t == '%' ? 'f' : t, alt, pr, f);
			if (grouping && (t == 'f' || t == 'F')) {
				char *dot = strchr(tmp, '.');
				size_t intlen = dot ? (size_t)(dot - tmp) : strlen(tmp);

				group(&body, tmp, intlen, grouping, 3);
				bufadds(&body, tmp + intlen);
			} else {
				bufadds(&body, tmp);
			}
			if (!type && !strpbrk(tmp, ".en"))
				bufadds(&body, ".0");
			if (t == '%')
				bufaddc(&body, '%');
		}
		fmtpad(b, body.data, body.len, width, align ? align : '>', fill, filllen, signlen);
		delbuf(&body);
		return true;
	}
	delbuf(&body);
	return everr(ev, n, "unsupported format string passed to %s.__format__", vtypename(v));
}

/* the numbering state of one str.format call */
struct fmtstate {
	struct value *args;
	size_t nargs;
	struct kwarg *kw;
	size_t nkw;
	size_t autoidx;
	bool usedauto, usedmanual;
};

/* the value of the field name[0..len) of a format string */
static bool
fieldvalue(struct ev *ev, const struct node *n, struct fmtstate *st, const char *name, size_t len, struct value *v)
{
	size_t i, k = 0;

	if (memchr(name, '.', len) || memchr(name, '[', len))
		return everr(ev, n, "attribute and index lookups in format fields are not supported by imagegen");
	if (len == 0) {
		if (st->usedmanual)
			return everr(ev, n, "cannot switch from manual field specification to automatic field numbering");
		st->usedauto = true;
		if (st->autoidx >= st->nargs)
			return everr(ev, n, "Replacement index %zu out of range for positional args tuple", st->autoidx);
		*v = st->args[st->autoidx++];
		return true;
	}
	if (isdigit((unsigned char)name[0])) {
		if (st->usedauto)
			return everr(ev, n, "cannot switch from automatic field numbering to manual field specification");
		st->usedmanual = true;
		for (i = 0; i < len && isdigit((unsigned char)name[i]) && k < 100000; i++)
			k = k * 10 + (size_t)(name[i] - '0');
		if (k >= st->nargs)
			return everr(ev, n, "Replacement index %zu out of range for positional args tuple", k);
		*v = st->args[k];
		return true;
	}
	for (i = 0; i < st->nkw; i++) {
		if (strlen(st->kw[i].name) == len && memcmp(st->kw[i].name, name, len) == 0) {
			*v = st->kw[i].val;
			return true;
		}
	}
	return everr(ev, n, "KeyError: '%.*s' is not among the keyword arguments of format()", (int)len, name);
}

bool
strformat(struct ev *ev, const struct node *n, struct value fmt, struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *out)
{
	const char *p = fmt.u.s->data, *end = p + fmt.u.s->len, *q, *name, *nend, *spec, *r;
	struct fmtstate st = {args, nargs, kw, nkw, 0, false, false};
	struct buf b = {0}, sb = {0};
	struct value v, nested;
	int depth;
	char conv;
	bool ok = false;

	while (p < end) {
		if (*p == '}') {
			if (p + 1 < end && p[1] == '}') {
				bufaddc(&b, '}');
				p += 2;
				continue;
			}
			everr(ev, n, "single '}' encountered in format string");
			goto out;
		}
		if (*p != '{') {
			bufaddc(&b, *p++);
			continue;
		}
		if (p + 1 < end && p[1] == '{') {
			bufaddc(&b, '{');
			p += 2;
			continue;
		}
		/* {field[!conv][:spec]}, where spec may hold {nested} fields */
		for (q = p + 1, depth = 1; q < end; q++) {
			if (*q == '{')
				depth++;
			else if (*q == '}' && --depth == 0)
				break;
		}
		if (q >= end) {
			everr(ev, n, "expected '}' before end of string");
			goto out;
		}
		name = p + 1;
		for (nend = name; nend < q && *nend != '!' && *nend != ':'; nend++)
			;
		conv = 0;
		spec = q;
		if (nend < q && *nend == '!') {
			if (nend + 1 >= q || (nend[1] != 's' && nend[1] != 'r' && nend[1] != 'a')) {
				everr(ev, n, "unknown conversion specifier in format string");
				goto out;
			}
			conv = nend[1];
			if (nend + 2 < q && nend[2] != ':') {
				everr(ev, n, "expected ':' after conversion specifier");
				goto out;
			}
			spec = nend + 2 < q ? nend + 3 : q;
		} else if (nend < q) {
			spec = nend + 1;
		}
		if (!fieldvalue(ev, n, &st, name, (size_t)(nend - name), &v))
			goto out;
		/* expand the nested fields of the spec */
		sb.len = 0;
		for (r = spec; r < q; r++) {
			const char *c;

			if (*r != '{') {
				bufaddc(&sb, *r);
				continue;
			}
			c = memchr(r, '}', (size_t)(q - r));
			if (!c || !fieldvalue(ev, n, &st, r + 1, (size_t)(c - r - 1), &nested)) {
				if (!c)
					everr(ev, n, "unmatched '{' in format spec");
				goto out;
			}
			vstrto(&sb, nested);
			r = c;
		}
		if (conv == 'r' || conv == 'a') {
			struct buf rb = {0};

			vreprto(&rb, v);
			v = strval(ev, rb.data ? rb.data : "", rb.len);
			delbuf(&rb);
		} else if (conv == 's') {
			v = vtostr(ev->a, v);
		}
		if (!formatspec(ev, n, &b, v, sb.data ? sb.data : "", sb.len))
			goto out;
		p = q + 1;
	}
	*out = strval(ev, b.data ? b.data : "", b.len);
	ok = true;
out:
	delbuf(&b);
	delbuf(&sb);
	return ok;
}

bool
pyformatpct(struct ev *ev, const struct node *n, struct value fmt, struct value args, struct value *out)
{
	const char *p = fmt.u.s->data, *end = p + fmt.u.s->len;
	struct buf b = {0}, spec = {0};
	size_t argi = 0, nargs;
	struct value *argv, v, *pv;
	bool mapping = args.type == VDICT;
	char flags[8], t;
	int nf;

	if (args.type == VTUPLE) {
		argv = args.u.l->v;
		nargs = args.u.l->len;
	} else {
		argv = &args;
		nargs = 1;
	}
	while (p < end) {
		if (*p != '%') {
			bufaddc(&b, *p++);
			continue;
		}
		p++;
		if (p < end && *p == '%') {
			bufaddc(&b, '%');
			p++;
			continue;
		}
		v = vnone();
		if (p < end && *p == '(') {
			const char *q = memchr(p, ')', (size_t)(end - p));

			if (!q || !mapping)
				goto bad;
			pv = vdictget(args.u.d, strval(ev, p + 1, (size_t)(q - p - 1)));
			if (!pv) {
				delbuf(&b);
				delbuf(&spec);
				return everr(ev, n, "KeyError: '%.*s'", (int)(q - p - 1), p + 1);
			}
			v = *pv;
			p = q + 1;
		} else if (mapping) {
			v = args;
		} else {
			if (argi >= nargs) {
				delbuf(&b);
				delbuf(&spec);
				return everr(ev, n, "not enough arguments for format string");
			}
			v = argv[argi++];
		}
		nf = 0;
		while (p < end && strchr("-+ 0#", *p) && *p && nf < 6)
			flags[nf++] = *p++;
		flags[nf] = '\0';
		spec.len = 0;
		/* translate to a str.format spec: [fill][align][sign][#][0][width][.prec][type] */
		if (strchr(flags, '-'))
			bufaddc(&spec, '<');
		if (strchr(flags, '+'))
			bufaddc(&spec, '+');
		else if (strchr(flags, ' '))
			bufaddc(&spec, ' ');
		if (strchr(flags, '#'))
			bufaddc(&spec, '#');
		if (strchr(flags, '0') && !strchr(flags, '-'))
			bufaddc(&spec, '0');
		while (p < end && (isdigit((unsigned char)*p) || *p == '.'))
			bufaddc(&spec, *p++);
		if (p >= end)
			goto bad;
		t = *p++;
		switch (t) {
		case 's':
		case 'r':
		case 'a':
			if (!strchr(flags, '-')) {
				/* %-formatting right-aligns strings by default */
				size_t k = spec.len;

				bufaddc(&spec, ' ');
				memmove(spec.data + 1, spec.data, k);
				spec.data[0] = '>';
			}
			if (t != 's') {
				struct buf r = {0};

				vreprto(&r, v);
				v = strval(ev, r.data ? r.data : "", r.len);
				delbuf(&r);
			} else {
				v = vtostr(ev->a, v);
			}
			break;
		case 'd':
		case 'i':
		case 'u':
			if (v.type == VFLOAT)
				v = vint((int64_t)v.u.f);
			if (!visint(v)) {
				delbuf(&b);
				delbuf(&spec);
				return everr(ev, n, "%%%c format: a real number is required, not %s", t, vtypename(v));
			}
			v = vint(vintof(v));
			bufaddc(&spec, 'd');
			break;
		case 'c':
			if (visint(v)) {
				struct buf cb = {0};
				int64_t cp = vintof(v);

				if (cp < 0 || cp > 0x10ffff) {
					delbuf(&b);
					delbuf(&spec);
					return everr(ev, n, "%%c arg not in range(0x110000)");
				}
				putcp(&cb, (unsigned long)cp);
				v = strval(ev, cb.data, cb.len);
				delbuf(&cb);
			} else if (v.type != VSTR || vlength(v) != 1) {
				delbuf(&b);
				delbuf(&spec);
				return everr(ev, n, "%%c requires int or char");
			}
			if (!strchr(flags, '-')) {
				size_t k = spec.len;

				bufaddc(&spec, ' ');
				memmove(spec.data + 1, spec.data, k);
				spec.data[0] = '>';
			}
			break;
		case 'x': case 'X': case 'o':
			if (!visint(v)) {
				delbuf(&b);
				delbuf(&spec);
				return everr(ev, n, "%%%c format: an integer is required, not %s", t, vtypename(v));
			}
			v = vint(vintof(v));
			bufaddc(&spec, t);
			break;
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
			if (!visint(v) && v.type != VFLOAT) {
				delbuf(&b);
				delbuf(&spec);
				return everr(ev, n, "must be real number, not %s", vtypename(v));
			}
			if (!strchr(spec.data ? spec.data : "", '.'))
				bufadds(&spec, ".6");
			bufaddc(&spec, t);
			break;
		default:
			goto bad;
		}
		if (!formatspec(ev, n, &b, v, spec.data ? spec.data : "", spec.len)) {
			delbuf(&b);
			delbuf(&spec);
			return false;
		}
	}
	delbuf(&spec);
	if (!mapping && argi < nargs && args.type == VTUPLE) {
		delbuf(&b);
		return everr(ev, n, "not all arguments converted during string formatting");
	}
	if (!mapping && argi == 0 && args.type != VTUPLE && !(args.type == VLIST || args.type == VDICT)) {
		delbuf(&b);
		return everr(ev, n, "not all arguments converted during string formatting");
	}
	*out = strval(ev, b.data ? b.data : "", b.len);
	delbuf(&b);
	return true;
bad:
	delbuf(&b);
	delbuf(&spec);
	return everr(ev, n, "unsupported format character in a %% format string");
}
