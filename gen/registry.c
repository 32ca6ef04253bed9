#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "util.h"

static bool
isalnumlower(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
validtag(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128 || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnumlower(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') && !strchr("_.-", s[i]))
			return false;
	}
	return true;
}

/* one path component: alnum runs separated by '.', '_', '__' or runs of '-' */
static bool
validcomponent(const char *s, size_t n)
{
	size_t i = 0, sep;

	if (n == 0 || !isalnumlower(s[0]) || !isalnumlower(s[n - 1]))
		return false;
	while (i < n) {
		if (isalnumlower(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
			continue;
		}
		sep = i;
		if (s[i] == '.' || s[i] == '_')
			i++;
		if (s[sep] == '_' && i < n && s[i] == '_')
			i++;
		if (i == sep || !isalnumlower(s[i]))
			return false;
	}
	return true;
}

bool
validrepopath(const char *s)
{
	const char *e;

	for (;;) {
		e = strchr(s, '/');
		if (!validcomponent(s, e ? (size_t)(e - s) : strlen(s)))
			return false;
		if (!e)
			return true;
		s = e + 1;
	}
}

/* a registry host[:port]: letters, digits, '.', '-', and one optional :port */
static bool
validdomain(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t i, n = colon ? (size_t)(colon - s) : strlen(s);

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnumlower(s[i]) && !(s[i] >= 'A' && s[i] <= 'Z') && s[i] != '.' && s[i] != '-')
			return false;
	}
	if (colon) {
		if (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
			return false;
	}
	return true;
}

bool
mkregistry(struct registry *r, const char *domain, const char *ns, const char *tag, const char **why)
{
	r->domain = r->namespace = r->tag = NULL;
	if (domain && *domain && strcmp(domain, "public") != 0) {
		if (!validdomain(domain)) {
			*why = "registry domain must be host or host:port";
			return false;
		}
		r->domain = xstrdup(domain);
	}
	if (ns && *ns) {
		if (!validrepopath(ns)) {
			*why = "namespace must be lowercase letters and digits, separated by '.', '_', '-' or '/'";
			delregistry(r);
			return false;
		}
		r->namespace = xstrdup(ns);
	}
	if (tag && !validtag(tag)) {
		*why = "tag must be letters, digits, '_', '.', '-' (not first), at most 128";
		delregistry(r);
		return false;
	}
	r->tag = xstrdup(tag ? tag : "latest");
	return true;
}

void
delregistry(struct registry *r)
{
	free(r->domain);
	free(r->namespace);
	free(r->tag);
	r->domain = r->namespace = r->tag = NULL;
}

char *
registryrepo(const struct registry *r, const char *name)
{
	struct buf b = {0};

	if (r->domain) {
		bufadds(&b, r->domain);
		bufaddc(&b, '/');
	}
	if (r->namespace) {
		bufadds(&b, r->namespace);
		bufaddc(&b, '/');
	}
	bufadds(&b, name);
	return b.data;
}

char *
registryref(const struct registry *r, const char *name)
{
	char *repo = registryrepo(r, name), *ref;

	ref = xasprintf("%s:%s", repo, r->tag);
	free(repo);
	return ref;
}

char *
refhost(const char *ref)
{
	const char *slash = strchr(ref, '/');
	size_t n;

	if (!slash)
		return xstrdup("docker.io");
	n = (size_t)(slash - ref);
	/* the first component is a host when it has a '.' or a ':' or is localhost */
	if (memchr(ref, '.', n) || memchr(ref, ':', n) || (n == 9 && memcmp(ref, "localhost", 9) == 0))
		return xstrndup(ref, n);
	return xstrdup("docker.io");
}
