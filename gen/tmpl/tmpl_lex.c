#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_ast.h"

/* the line of ts at line and a caret under col, after a message about it */
static void
caret(const struct tsrc *ts, int line, int col)
{
	const char *p, *end, *s;
	int l, i;

	if (line <= 0 || !ts->src)
		return;
	p = ts->src;
	end = ts->src + ts->len;
	for (l = 1; l < line && p < end; p++) {
		if (*p == '\n')
			l++;
	}
	if (l != line)
		return;
	s = memchr(p, '\n', (size_t)(end - p));
	if (!s)
		s = end;
	fprintf(stderr, "%.*s\n", (int)(s - p), p);
	for (i = 1; i < col && p + i - 1 < s; i++)
		fputc(p[i - 1] == '\t' ? '\t' : ' ', stderr);
	fputs("^\n", stderr);
}

void
vtmplerr(const struct tsrc *ts, int line, int col, const char *fmt, va_list ap)
{
	verrorat(NULL, ts->name, line, col, fmt, ap);
	caret(ts, line, col);
}

void
tmplwarn(const struct tsrc *ts, int line, int col, const char *fmt, ...)
{
	struct buf msg = {0};
	va_list ap;

	va_start(ap, fmt);
	bufvprintf(&msg, fmt, ap);
	va_end(ap);
	bufterm(&msg);
	warningat(NULL, ts->name, line, col, "%s", msg.data);
	delbuf(&msg);
	caret(ts, line, col);
}

char *
tmplnormalize(struct arena *a, const char *src, size_t len, size_t *outlen)
{
	char *out = aalloc(a, len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (src[i] == '\r') {
			out[n++] = '\n';
			if (i + 1 < len && src[i + 1] == '\n')
				i++;
		} else {
			out[n++] = src[i];
		}
	}
	if (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	*outlen = n;
	return out;
}

static const char *const toknames[] = {
	[TEOF] = "end of template",
	[TDATA] = "template data",
	[TVARBEGIN] = "begin of print statement",
	[TVAREND] = "end of print statement",
	[TBLOCKBEGIN] = "begin of statement block",
	[TBLOCKEND] = "end of statement block",
	[TNAME] = "name",
	[TSTRING] = "string",
	[TINT] = "integer",
	[TFLOAT] = "float",
	[TADD] = "'+'", [TSUB] = "'-'", [TDIV] = "'/'", [TFLOORDIV] = "'//'",
	[TMUL] = "'*'", [TMOD] = "'%'", [TPOW] = "'**'", [TTILDE] = "'~'",
	[TLBRACKET] = "'['", [TRBRACKET] = "']'", [TLPAREN] = "'('",
	[TRPAREN] = "')'", [TLBRACE] = "'{'", [TRBRACE] = "'}'",
	[TEQ] = "'=='", [TNE] = "'!='", [TGT] = "'>'", [TGTEQ] = "'>='",
	[TLT] = "'<'", [TLTEQ] = "'<='", [TASSIGN] = "'='", [TDOT] = "'.'",
	[TCOLON] = "':'", [TPIPE] = "'|'", [TCOMMA] = "','", [TSEMICOLON] = "';'",
};

const char *
tokname(enum tok t)
{
	return toknames[t];
}

static const struct {
	const char *s;
	enum tok t;
} ops[] = {
	{"//", TFLOORDIV}, {"**", TPOW}, {"==", TEQ}, {"!=", TNE}, {">=", TGTEQ},
	{"<=", TLTEQ}, {"+", TADD}, {"-", TSUB}, {"/", TDIV}, {"*", TMUL},
	{"%", TMOD}, {"~", TTILDE}, {"[", TLBRACKET}, {"]", TRBRACKET},
	{"(", TLPAREN}, {")", TRPAREN}, {"{", TLBRACE}, {"}", TRBRACE},
	{">", TGT}, {"<", TLT}, {"=", TASSIGN}, {".", TDOT}, {":", TCOLON},
	{"|", TPIPE}, {",", TCOMMA}, {";", TSEMICOLON},
};

struct lexer {
	struct arena *a;
	const struct tsrc *ts;
	const char *s;
	size_t len, pos;
	/* line bookkeeping: line number of linepos, and where that line starts */
	size_t linepos, linestart;
	int line;
	struct token *toks;
	size_t n, cap;
	struct buf tmp;
};

static void
where(struct lexer *l, size_t pos, int *line, int *col)
{
	for (; l->linepos < pos; l->linepos++) {
		if (l->s[l->linepos] == '\n') {
			l->line++;
			l->linestart = l->linepos + 1;
		}
	}
	*line = l->line;
	*col = (int)(pos - l->linestart) + 1;
}

static struct token *
push(struct lexer *l, enum tok t, size_t pos)
{
	struct token *tk;

	if (l->n == l->cap) {
		/* about one token per six bytes of template, to grow rarely */
		l->cap = l->cap ? l->cap * 2 : l->len / 6 + 16;
		l->toks = xreallocarray(l->toks, l->cap, sizeof(*l->toks));
	}
	tk = &l->toks[l->n++];
	memset(tk, 0, sizeof(*tk));
	tk->type = t;
	where(l, pos, &tk->line, &tk->col);
	return tk;
}

static bool PRINTF(3, 4)
lexerr(struct lexer *l, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int line, col;

	where(l, pos, &line, &col);
	va_start(ap, fmt);
	vtmplerr(l->ts, line, col, fmt, ap);
	va_end(ap);
	return false;
}

static bool
isws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void
skipws(struct lexer *l)
{
	while (l->pos < l->len && isws(l->s[l->pos]))
		l->pos++;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* a string literal starting at l->pos, decoded as Python's unicode-escape */
static bool
lexstring(struct lexer *l)
{
	char q = l->s[l->pos];
	size_t start = l->pos, i, k;
	unsigned long c;
	struct token *tk;
	int h, nd;

	for (i = l->pos + 1; i < l->len && l->s[i] != q; i++) {
		if (l->s[i] == '\\')
			i++;
	}
	if (i >= l->len)
		return lexerr(l, start, "unterminated string: the %s opened here is never closed", q == '\'' ? "'" : "\"");
	l->tmp.len = 0;
	for (k = start + 1; k < i; k++) {
		if (l->s[k] != '\\') {
			bufaddc(&l->tmp, l->s[k]);
			continue;
		}
		k++;
		switch (l->s[k]) {
		case '\n': break;
		case '\\': bufaddc(&l->tmp, '\\'); break;
		case '\'': bufaddc(&l->tmp, '\''); break;
		case '"': bufaddc(&l->tmp, '"'); break;
		case 'a': bufaddc(&l->tmp, '\a'); break;
		case 'b': bufaddc(&l->tmp, '\b'); break;
		case 'f': bufaddc(&l->tmp, '\f'); break;
		case 'n': bufaddc(&l->tmp, '\n'); break;
		case 'r': bufaddc(&l->tmp, '\r'); break;
		case 't': bufaddc(&l->tmp, '\t'); break;
		case 'v': bufaddc(&l->tmp, '\v'); break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			c = 0;
			for (nd = 0; nd < 3 && k < i && l->s[k] >= '0' && l->s[k] <= '7'; nd++, k++)
				c = c * 8 + (unsigned long)(l->s[k] - '0');
			k--;
			putcp(&l->tmp, c);
			break;
		case 'x': case 'u': case 'U':
			nd = l->s[k] == 'x' ? 2 : l->s[k] == 'u' ? 4 : 8;
			c = 0;
			for (h = 0; h < nd; h++) {
				if (k + 1 + h >= i || hexval(l->s[k + 1 + h]) < 0)
					return lexerr(l, k - 1, "truncated \\%s escape in a string literal", nd == 2 ? "xXX" : nd == 4 ? "uXXXX" : "UXXXXXXXX");
				c = c * 16 + (unsigned long)hexval(l->s[k + 1 + h]);
			}
			if (c > 0x10ffff)
				return lexerr(l, k - 1, "illegal Unicode character in a \\U escape");
			k += nd;
			putcp(&l->tmp, c);
			break;
		case 'N':
			return lexerr(l, k - 1, "\\N{...} escapes are not supported in string literals; write the character itself");
		default:
			bufaddc(&l->tmp, '\\');
			bufaddc(&l->tmp, l->s[k]);
			break;
		}
	}
	tk = push(l, TSTRING, start);
	tk->val = vstrn(l->a, l->tmp.data ? l->tmp.data : "", l->tmp.len);
	l->pos = i + 1;
	return true;
}

static size_t
digits(const char *s, size_t i, size_t len, int base)
{
	/* (_?d)* after a first digit: digits with single underscores between */
	for (;;) {
		size_t j = i;

		if (j < len && s[j] == '_')
			j++;
		if (j < len && hexval(s[j]) >= 0 && hexval(s[j]) < base && !(base <= 10 && !isdigit((unsigned char)s[j])))
			i = j + 1;
		else
			return i;
	}
}

/* a number at l->pos: jinja2's float and integer rules */
static bool
lexnumber(struct lexer *l)
{
	const char *s = l->s;
	size_t start = l->pos, i, j, e, len = l->len;
	struct token *tk;
	char *buf;
	int base = 10, k;
	unsigned long long u;
	size_t m;

	/* float: (\d+_)*\d+ ((\.(\d+_)*\d+)? e[+-]?(\d+_)*\d+ | \.(\d+_)*\d+) */
	i = digits(s, start + 1, len, 10);
	e = 0;
	j = i;
	if (j + 1 < len && s[j] == '.' && isdigit((unsigned char)s[j + 1]))
		j = digits(s, j + 2, len, 10);
	if (j < len && (s[j] == 'e' || s[j] == 'E')) {
		size_t t = j + 1;

		if (t < len && (s[t] == '+' || s[t] == '-'))
			t++;
		if (t < len && isdigit((unsigned char)s[t]))
			e = digits(s, t + 1, len, 10);
	}
	if (e || j > i) {
		if (!e)
			e = j;
		buf = aalloc(l->a, e - start + 1);
		for (m = 0, j = start; j < e; j++) {
			if (s[j] != '_')
				buf[m++] = s[j];
		}
		buf[m] = '\0';
		tk = push(l, TFLOAT, start);
		tk->val = vfloat(strtod(buf, NULL));
		l->pos = e;
		return true;
	}
	/* integer: 0b, 0o, 0x, [1-9](_?\d)*, 0(_?0)* */
	if (s[start] == '0' && start + 2 < len + 1 && start + 1 < len && strchr("bBoOxX", s[start + 1]) && s[start + 1]) {
		base = tolower((unsigned char)s[start + 1]) == 'b' ? 2 : tolower((unsigned char)s[start + 1]) == 'o' ? 8 : 16;
		j = start + 2;
		i = j;
		for (;;) {
			size_t t = i;

			if (t < len && s[t] == '_')
				t++;
			k = t < len ? hexval(s[t]) : -1;
			if (k < 0 || k >= base)
				break;
			i = t + 1;
		}
		if (i == j) {
			base = 10;
			i = start + 1;
		}
	} else if (s[start] == '0') {
		i = start + 1;
		for (;;) {
			size_t t = i;

			if (t < len && s[t] == '_')
				t++;
			if (t < len && s[t] == '0')
				i = t + 1;
			else
				break;
		}
	}
	u = 0;
	for (j = base == 10 ? start : start + 2; j < i; j++) {
		if (s[j] == '_')
			continue;
		k = hexval(s[j]);
		if (u > (0x7fffffffffffffffULL - (unsigned)k) / (unsigned)base)
			return lexerr(l, start, "integer literal %s does not fit in 64 bits", astrndup(l->a, s + start, i - start));
		u = u * (unsigned)base + (unsigned)k;
	}
	tk = push(l, TINT, start);
	tk->val = vint((int64_t)u);
	l->pos = i;
	return true;
}

/* the tokens of one tag, up to its end delimiter; block says {% %} else {{ }} */
static bool
lextag(struct lexer *l, bool block)
{
	char stack[256];
	size_t depth = 0, start, k;
	const char *s = l->s;
	struct token *tk;
	char c;

	for (;;) {
		skipws(l);
		if (l->pos >= l->len)
			return true;
		c = s[l->pos];
		if (depth == 0) {
			size_t p = l->pos;
			bool strip = false;

			if (block && c == '+' && p + 2 < l->len + 0 && s[p + 1] == '%' && s[p + 2] == '}') {
				push(l, TBLOCKEND, p);
				l->pos = p + 3;
				return true;
			}
			if (c == '-' && p + 2 < l->len && s[p + 1] == (block ? '%' : '}') && s[p + 2] == '}') {
				strip = true;
				p++;
			}
			if (p + 1 < l->len && s[p] == (block ? '%' : '}') && s[p + 1] == '}') {
				push(l, block ? TBLOCKEND : TVAREND, l->pos);
				l->pos = p + 2;
				if (strip)
					skipws(l);
				return true;
			}
		}
		if (isdigit((unsigned char)c)) {
			if (!lexnumber(l))
				return false;
			continue;
		}
		if (isalpha((unsigned char)c) || c == '_') {
			start = l->pos;
			while (l->pos < l->len && (isalnum((unsigned char)s[l->pos]) || s[l->pos] == '_'))
				l->pos++;
			tk = push(l, TNAME, start);
			tk->text = astrndup(l->a, s + start, l->pos - start);
			tk->len = l->pos - start;
			continue;
		}
		if (c == '\'' || c == '"') {
			if (!lexstring(l))
				return false;
			continue;
		}
		for (k = 0; k < LEN(ops); k++) {
			size_t n = strlen(ops[k].s);

			if (l->pos + n <= l->len && memcmp(s + l->pos, ops[k].s, n) == 0)
				break;
		}
		if (k == LEN(ops)) {
			char ch[8];

			if ((unsigned char)c >= 0x80)
				snprintf(ch, sizeof(ch), "\\x%02x", (unsigned char)c);
			else
				snprintf(ch, sizeof(ch), "%c", c);
			return lexerr(l, l->pos, "unexpected character '%s' inside a tag; names are letters, digits and '_', and text outside a tag needs no quoting", ch);
		}
		if (c == '(' || c == '[' || c == '{') {
			if (depth == sizeof(stack))
				return lexerr(l, l->pos, "brackets nested too deeply");
			stack[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
		} else if (c == ')' || c == ']' || c == '}') {
			if (depth == 0)
				return lexerr(l, l->pos, "unexpected '%s': no bracket is open here", ops[k].s);
			if (stack[depth - 1] != c) {
				char msg[80];

				snprintf(msg, sizeof(msg), "unexpected '%c', expected '%c'", c, stack[depth - 1]);
				return lexerr(l, l->pos, "%s", msg);
			}
			depth--;
		}
		push(l, ops[k].t, l->pos);
		l->pos += strlen(ops[k].s);
	}
}

static size_t
rstripped(const char *s, size_t start, size_t end)
{
	while (end > start && isws(s[end - 1]))
		end--;
	return end;
}

static void
pushdata(struct lexer *l, size_t start, size_t end)
{
	struct token *tk;

	if (end <= start)
		return;
	tk = push(l, TDATA, start);
	tk->text = l->s + start;
	tk->len = end - start;
}

/* if a {% raw %} opening starts at pos, return its length, else 0; *strip for {%- */
static size_t
rawbegin(const char *s, size_t pos, size_t len, const char *word, bool *strip, bool *rstrip)
{
	size_t i = pos + 2, wl = strlen(word);

	*strip = *rstrip = false;
	if (i < len && (s[i] == '-' || s[i] == '+')) {
		*strip = s[i] == '-';
		i++;
	}
	while (i < len && isws(s[i]))
		i++;
	if (i + wl > len || memcmp(s + i, word, wl) != 0)
		return 0;
	i += wl;
	while (i < len && isws(s[i]))
		i++;
	if (i < len && (s[i] == '-' || s[i] == '+')) {
		*rstrip = s[i] == '-';
		i++;
	}
	if (i + 1 < len && s[i] == '%' && s[i + 1] == '}')
		return i + 2 - pos;
	return 0;
}

bool
tmpllex(struct arena *a, const struct tsrc *ts, struct token **toks, size_t *ntoks)
{
	struct lexer l = {.a = a, .ts = ts, .s = ts->src, .len = ts->len, .line = 1};
	const char *s = ts->src, *p;
	size_t start, tag, n, i;
	bool strip, rstrip, ok = true;
	char kind;

	while (l.pos < l.len) {
		start = l.pos;
		for (p = s + start; (p = memchr(p, '{', (size_t)(s + l.len - p))); p++) {
			if (p + 1 < s + l.len && (p[1] == '{' || p[1] == '%' || p[1] == '#'))
				break;
		}
		if (!p) {
			pushdata(&l, start, l.len);
			l.pos = l.len;
			break;
		}
		tag = (size_t)(p - s);
		kind = p[1];
		if (kind == '%' && (n = rawbegin(s, tag, l.len, "raw", &strip, &rstrip))) {
			pushdata(&l, start, strip ? rstripped(s, start, tag) : tag);
			l.pos = tag + n;
			if (rstrip)
				skipws(&l);
			/* the body up to {% endraw %} is data */
			for (i = l.pos; i + 1 < l.len; i++) {
				if (s[i] == '{' && s[i + 1] == '%' && (n = rawbegin(s, i, l.len, "endraw", &strip, &rstrip)))
					break;
			}
			if (i + 1 >= l.len) {
				ok = lexerr(&l, tag, "missing {%% endraw %%} for the {%% raw %%} here");
				break;
			}
			pushdata(&l, l.pos, strip ? rstripped(s, l.pos, i) : i);
			l.pos = i + n;
			if (rstrip)
				skipws(&l);
			continue;
		}
		i = tag + 2;
		strip = i < l.len && s[i] == '-';
		if (i < l.len && (s[i] == '-' || s[i] == '+'))
			i++;
		pushdata(&l, start, strip ? rstripped(s, start, tag) : tag);
		if (kind == '#') {
			size_t body = i;

			for (; i + 1 < l.len; i++) {
				if (s[i] == '#' && s[i + 1] == '}')
					break;
			}
			if (i + 1 >= l.len) {
				ok = lexerr(&l, tag, "missing '#}' to end the comment begun here");
				break;
			}
			l.pos = i + 2;
			if (i > body && s[i - 1] == '-')
				skipws(&l);
			continue;
		}
		push(&l, kind == '%' ? TBLOCKBEGIN : TVARBEGIN, tag);
		l.pos = i;
		if (!lextag(&l, kind == '%')) {
			ok = false;
			break;
		}
	}
	delbuf(&l.tmp);
	if (!ok) {
		free(l.toks);
		return false;
	}
	push(&l, TEOF, l.len);
	*toks = l.toks;
	*ntoks = l.n;
	return true;
}
