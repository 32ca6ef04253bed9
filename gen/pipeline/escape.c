#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "util.h"

const char *
escvalbad(const char *s)
{
	static char msg[160];
	const unsigned char *p;
	unsigned c;
	const char *name;

	/* the bytes that may start one (or end the string): every path of the tree comes here, a byte at a time */
	static const unsigned char stop[256] = {
		[0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
		[0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
		[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
		[0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
		[0x7f] = 1, [0xc2] = 1,
	};

	for (p = (const unsigned char *)s; *p; p++) {
		while (!stop[*p])
			p++;
		if (!*p)
			break;
		if (*p < 0x20 || *p == 0x7f)
			c = *p;
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			c = p[1];
		else
			continue;
		switch (c) {
		case '\n':
			name = "a newline";
			break;
		case '\r':
			name = "a carriage return";
			break;
		case '\t':
			name = "a TAB";
			break;
		case 0x1b:
			name = "an escape character";
			break;
		default:
			name = "a control character";
			break;
		}
		snprintf(msg, sizeof(msg), "holds %s (U+%04X), which build.ninja cannot hold; remove it", name, c);
		return msg;
	}
	return NULL;
}

const char *
escpathbad(const char *path)
{
	static char msg[200];
	const char *bad;

	if (!path[0])
		return "the path is empty";
	if ((bad = escvalbad(path))) {
		snprintf(msg, sizeof(msg), "the path %s", bad);
		return msg;
	}
	if (strchr(path, '|'))
		return "the path holds '|', which ninja reads as a dependency separator; rename it";
	return NULL;
}

void
escninjapath(struct buf *b, const char *path)
{
	size_t n;

	/* runs of plain characters at once */
	for (;; path += n + 1) {
		n = strcspn(path, "$ :");
		bufadd(b, path, n);
		if (!path[n])
			break;
		bufaddc(b, '$');
		bufaddc(b, path[n]);
	}
	bufterm(b);
}

void
escninjaval(struct buf *b, const char *val)
{
	const char *s;
	size_t n;

	/* ninja strips the leading blanks of a value unless they are escaped */
	for (s = val; *s == ' '; s++)
		bufadds(b, "$ ");
	for (;; s += n + 1) {
		n = strcspn(s, "$");
		bufadd(b, s, n);
		if (!s[n])
			break;
		bufadds(b, "$$");
	}
	bufterm(b);
}

static bool
shellsafe(int c, bool cmd)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c && strchr(cmd ? "@%+:,./-_" : "@%+=:,./-_", c) != NULL);
}

static void
shellword(struct buf *b, const char *s, bool cmd)
{
	const char *p;

	for (p = s; *p && shellsafe((unsigned char)*p, cmd); p++)
		;
	if (*s && !*p) {
		bufadds(b, s);
		return;
	}
	bufaddc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			bufadds(b, "'\\''");
		else
			bufaddc(b, *p);
	}
	bufaddc(b, '\'');
}

void
escshell(struct buf *b, const char *s)
{
	shellword(b, s, false);
}

void
escshellwords(struct buf *b, const struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		if (i)
			bufaddc(b, ' ');
		/* '=' in the command word would make it an assignment */
		shellword(b, sv->v[i], i == 0);
	}
	bufterm(b);
}

void
escshellninja(struct buf *b, const char *s)
{
	struct buf w = {0};

	shellword(&w, s, false);
	escninjaval(b, w.data);
	delbuf(&w);
}

void
escshellcmdninja(struct buf *b, const char *s)
{
	struct buf w = {0};

	shellword(&w, s, true);
	escninjaval(b, w.data);
	delbuf(&w);
}

/* a name make would read as a special target (.PHONY) or a suffix rule (.c, .c.o) */
static bool
makespecial(const char *path)
{
	const char *s;
	int dots = 0;

	if (path[0] != '.' || strchr(path, '/'))
		return false;
	for (s = path; *s; s++) {
		if (*s == '.')
			dots++;
		else if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	}
	return dots <= 2 && s[-1] != '.';
}

const char *
escmakebad(const char *path)
{
	size_t n = strlen(path);
	const char *p;

	if (!n)
		return "the path is empty";
	if (strpbrk(path, "\n\r\t"))
		return "the path holds a newline or a TAB, which a Makefile cannot express; rename it";
	if (strchr(path, ';'))
		return "the path holds ';', where make ends a rule's prerequisites and starts its recipe; rename it, or use --backend=ninja";
	if (strchr(path, '\\'))
		return "the path holds a backslash, which make reads as an escape in file names; rename it, or use --backend=ninja";
	if ((p = strpbrk(path, "*?[")))
		return *p == '*' ? "the path holds '*', a wildcard make expands in file names; rename it, or use --backend=ninja" :
		    *p == '?' ? "the path holds '?', a wildcard make expands in file names; rename it, or use --backend=ninja" :
		    "the path holds '[', a wildcard make expands in file names; rename it, or use --backend=ninja";
	if (strchr(path, '|'))
		return "the path holds '|', which make reads as the start of order-only prerequisites; rename it";
	if (path[n - 1] == ')' && strchr(path, '('))
		return "the path ends in '(...)', which make reads as a member of an archive; rename it, or use --backend=ninja";
	if (path[0] == '~')
		return "the path starts with '~', which make replaces with a home directory; rename it, or use --backend=ninja";
	if (makespecial(path))
		return "the path is a name make reads as a special target or a suffix rule; rename it, or use --backend=ninja";
	return NULL;
}

/* path for a make rule line; target: '%' is escaped too (it would make a pattern rule) */
static void
escmake(struct buf *b, const char *path, bool target)
{
	const char *s;

	for (s = path; *s; s++) {
		switch (*s) {
		case '$':
			bufadds(b, "$$");
			break;
		case '=':
			/* a line holding '=' outside a reference would be an assignment */
			bufadds(b, "$(" MAKEEQ ")");
			break;
		case '%':
			bufadds(b, target ? "\\%" : "%");
			break;
		case '#':
		case ' ':
		case ':':
			bufaddc(b, '\\');
			bufaddc(b, *s);
			break;
		default:
			bufaddc(b, *s);
		}
	}
	bufterm(b);
}

void
escmaketarget(struct buf *b, const char *path)
{
	escmake(b, path, true);
}

void
escmakeprereq(struct buf *b, const char *path)
{
	escmake(b, path, false);
}

void
escmakerecipe(struct buf *b, const char *text)
{
	const char *s;

	for (s = text; *s; s++) {
		if (*s == '$')
			bufaddc(b, '$');
		bufaddc(b, *s);
	}
	bufterm(b);
}
