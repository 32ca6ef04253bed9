#include "compat.h"

#include <string.h>

#include "escape.h"
#include "util.h"

const char *
escpathbad(const char *path)
{
	if (!path[0])
		return "the path is empty";
	if (strchr(path, '\n') || strchr(path, '\r'))
		return "the path holds a newline, which build.ninja cannot express; rename it";
	if (strchr(path, '|'))
		return "the path holds '|', which ninja reads as a dependency separator; rename it";
	if (strchr(path, '\t'))
		return "the path holds a TAB, which the stage manifest uses as separator; rename it";
	return NULL;
}

void
escninjapath(struct buf *b, const char *path)
{
	const char *s;

	for (s = path; *s; s++) {
		if (*s == '$' || *s == ' ' || *s == ':')
			bufaddc(b, '$');
		bufaddc(b, *s);
	}
	bufterm(b);
}

void
escninjaval(struct buf *b, const char *val)
{
	const char *s;

	/* ninja strips the leading blanks of a value unless they are escaped */
	for (s = val; *s == ' '; s++)
		bufadds(b, "$ ");
	for (; *s; s++) {
		if (*s == '$')
			bufaddc(b, '$');
		bufaddc(b, *s);
	}
	bufterm(b);
}

static bool
shellsafe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    strchr("@%+=:,./-_", c) != NULL;
}

void
escshell(struct buf *b, const char *s)
{
	const char *p;

	for (p = s; *p && shellsafe((unsigned char)*p); p++)
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
escshellwords(struct buf *b, const struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++) {
		if (i)
			bufaddc(b, ' ');
		escshell(b, sv->v[i]);
	}
	bufterm(b);
}

void
escshellninja(struct buf *b, const char *s)
{
	struct buf w = {0};

	escshell(&w, s);
	escninjaval(b, w.data);
	delbuf(&w);
}
