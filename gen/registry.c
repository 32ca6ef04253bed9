#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "tmpl.h"
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
regrepo(const struct registry *r, const char *name)
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
regref(const struct registry *r, const char *name)
{
	char *repo = regrepo(r, name), *ref;

	ref = xasprintf("%s:%s", repo, r->tag);
	free(repo);
	return ref;
}

/* the keys of docker-registry-info, in the order of struct registryinfo */
static const char *const infokeys[] = {
	"docker-registry-domain", "docker-namespace", "docker-tag", "docker-username", "docker-password",
	"docker-password-file", "docker-password-env",
};

/* prints "key<TAB>value" for each key of the section that is set and not None */
static const char infotmpl[] =
    "{% set r = clusterconfig['docker-registry-info'] %}"
    "{% if r is defined and r is mapping %}found\n"
    "{% for k in keys %}{% if r[k] is defined and r[k] is not none %}{{ k }}\t{{ r[k] }}\n{% endif %}{% endfor %}"
    "{% endif %}";

bool
registryinfoload(const char *config, struct registryinfo *ri, bool *found)
{
	struct tenv *env = mktenv();
	struct buf out = {0}, keys = {0};
	char **slot[] = {&ri->domain, &ri->namespace, &ri->tag, &ri->user, &ri->password, &ri->passfile, &ri->passenv};
	char *s, *nl, *tab;
	size_t i;
	bool ok = false;

	memset(ri, 0, sizeof(*ri));
	*found = false;
	bufaddc(&keys, '[');
	for (i = 0; i < LEN(infokeys); i++)
		bufprintf(&keys, "%s'%s'", i ? ", " : "", infokeys[i]);
	bufaddc(&keys, ']');
	if (!tenvloadconfig(env, config) || !tenvsetyaml(env, "keys", keys.data, "docker-registry-info keys"))
		goto out;
	if (!tmplrender(env, config, infotmpl, sizeof(infotmpl) - 1, &out))
		goto out;
	bufterm(&out);
	if (strncmp(out.data, "found\n", 6) != 0) {
		ok = true;
		goto out;
	}
	*found = true;
	for (s = out.data + 6; *s; s = nl + 1) {
		tab = strchr(s, '\t');
		nl = tab ? strchr(tab, '\n') : NULL;
		for (i = 0; tab && i < LEN(infokeys); i++) {
			if (strlen(infokeys[i]) == (size_t)(tab - s) && strncmp(s, infokeys[i], (size_t)(tab - s)) == 0)
				break;
		}
		/* a value holding a newline runs into the next line, which then names no key */
		if (!tab || !nl || i == LEN(infokeys)) {
			warn("%s: docker-registry-info: a value is not a single line; expected host, namespace, tag, user and password on one line each",
			    config);
			delregistryinfo(ri);
			goto out;
		}
		free(*slot[i]);
		*slot[i] = xstrndup(tab + 1, (size_t)(nl - tab - 1));
	}
	ok = true;
out:
	if (out.data)
		memset(out.data, 0, out.len);
	buffree(&out);
	buffree(&keys);
	deltenv(env);
	return ok;
}

void
delregistryinfo(struct registryinfo *ri)
{
	if (ri->password)
		memset(ri->password, 0, strlen(ri->password));
	free(ri->domain);
	free(ri->namespace);
	free(ri->tag);
	free(ri->user);
	free(ri->password);
	free(ri->passfile);
	free(ri->passenv);
	memset(ri, 0, sizeof(*ri));
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
