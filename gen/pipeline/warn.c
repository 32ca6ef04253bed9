#include "compat.h"

#include <stdarg.h>
#include <string.h>

#include "warn.h"

static const struct {
	const char *name;
	unsigned bit;
} warnings[] = {
	{"from-unlisted", W_FROM_UNLISTED},
	{"prerequisite-unused", W_PREREQ_UNUSED},
	{"undefined", W_UNDEFINED},
	{"special-file", W_SPECIAL_FILE},
	{"registry-not-host", W_REGISTRY_NOT_HOST},
	{"from-name-only", W_FROM_NAME_ONLY},
	{"from-same-service", W_FROM_SAME_SERVICE},
};

const char warnnames[] = "from-unlisted, prerequisite-unused, undefined, special-file, registry-not-host, from-name-only, from-same-service";

unsigned
warnbyname(const char *name)
{
	size_t i;

	for (i = 0; i < LEN(warnings); i++) {
		if (strcmp(warnings[i].name, name) == 0)
			return warnings[i].bit;
	}
	return 0;
}

const char *
warnname(unsigned w)
{
	size_t i;

	for (i = 0; i < LEN(warnings); i++) {
		if (warnings[i].bit == w)
			return warnings[i].name;
	}
	return "";
}

void
warnat(struct diag *d, unsigned nowarn, unsigned w, const char *file, int line, int col, const char *fmt, ...)
{
	struct buf msg = {0};
	va_list ap;

	if (nowarn & w)
		return;
	va_start(ap, fmt);
	bufvprintf(&msg, fmt, ap);
	va_end(ap);
	bufterm(&msg);
	warningat(d, file, line, col, "%s [-W%s]", msg.data, warnname(w));
	delbuf(&msg);
}
