#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "registry.h"
#include "tmpl.h"
#include "util.h"

/* a registry host[:port]: letters, digits, '.', '-', and one optional :port */
static bool
domainok(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	size_t i, n = colon ? (size_t)(colon - s) : len;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-'))
			return false;
	}
	if (colon) {
		if (colon + 1 == s + len || strspn(colon + 1, "0123456789") != (size_t)(s + len - colon - 1))
			return false;
	}
	return true;
}

bool
regdomainok(const char *s)
{
	return strcmp(s, "public") == 0 || domainok(s, strlen(s));
}

bool
regpathok(const char *s)
{
	const char *e;
	char *c;
	bool ok;

	for (;;) {
		e = strchr(s, '/');
		c = e ? xstrndup(s, (size_t)(e - s)) : xstrdup(s);
		ok = imagenameok(c);
		free(c);
		if (!ok)
			return false;
		if (!e)
			return true;
		s = e + 1;
	}
}

bool
regrefok(const char *ref)
{
	const char *slash = strchr(ref, '/');

	if (!slash)
		return domainok(ref, strlen(ref));
	return domainok(ref, (size_t)(slash - ref)) && regpathok(slash + 1);
}

char *
regrepo(const char *registry, const char *namespace, const char *name)
{
	const char *reg;

	if (!registry || !*registry)
		return NULL;
	reg = strcmp(registry, "public") == 0 ? "docker.io" : registry;
	if (namespace && *namespace)
		return xasprintf("%s/%s/%s", reg, namespace, name);
	return xasprintf("%s/%s", reg, name);
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
			error("%s: docker-registry-info: a value is not a single line; expected host, namespace, tag, user and password on one line each",
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
	delbuf(&out);
	delbuf(&keys);
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
