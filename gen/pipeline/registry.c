#include "compat.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
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

/* the forms of the section, in the order they are looked for */
static const char *const infokeys[REG_NKEYS] = {
	"docker-registry-domain", "docker-namespace", "docker-tag", "docker-username", "docker-password",
	"docker-password-file", "docker-password-env",
};
static const char *const laterkeys[REG_NKEYS] = {
	"domain", "namespace", "tag", "username", "password", "password-file", "password-env",
};
static const struct {
	const char *path[2];
	size_t n;
	const char *name;
	const char *const *keys;
	bool openpai;
} forms[] = {
	{{"cluster", "docker-registry-info"}, 2, "cluster.docker-registry-info", infokeys, true},
	{{"cluster", "docker-registry"}, 2, "cluster.docker-registry", laterkeys, true},
	{{"docker-registry-info", NULL}, 1, "docker-registry-info", infokeys, false},
};

/* the string of setting i (REG_*) of ri */
static char **
registryinfoslot(struct registryinfo *ri, int i)
{
	char **slot[REG_NKEYS] = {&ri->domain, &ri->namespace, &ri->tag, &ri->user, &ri->password, &ri->passfile, &ri->passenv};

	return slot[i];
}

static const char *
kindname(enum tfound f)
{
	switch (f) {
	case TF_NONE:
		return "null";
	case TF_MAPPING:
		return "a mapping";
	case TF_LIST:
		return "a list";
	default:
		return "a single value";
	}
}

/* the file registryinfoload reads for config; owned by the caller */
static char *
sectionfile(const char *config)
{
	struct stat st;
	char *p;

	if (stat(config, &st) != 0 || !S_ISDIR(st.st_mode))
		return xstrdup(config);
	p = pathjoin(config, "services-configuration.yaml");
	if (stat(p, &st) == 0)
		return p;
	free(p);
	return xstrdup(config);
}

/* one form's section at path; false after a message */
static bool
readform(struct tenv *env, size_t f, struct registryinfo *ri)
{
	const char *path[3];
	struct tpos pos;
	enum tfound got;
	char *val;
	const char *bad;
	int k;

	path[0] = forms[f].path[0];
	path[1] = forms[f].path[1];
	got = tenvlookup(env, path, forms[f].n, NULL, &pos, NULL);
	ri->section = forms[f].name;
	ri->keys = forms[f].keys;
	ri->openpai = forms[f].openpai;
	ri->line = pos.line;
	ri->col = pos.col;
	if (got != TF_MAPPING) {
		errorat(NULL, pos.file, pos.line, pos.col, "%s is %s; expected a mapping of %s, %s and %s%s", ri->section, kindname(got),
		    ri->keys[REG_DOMAIN], ri->keys[REG_NAMESPACE], ri->keys[REG_TAG],
		    got == TF_NONE ? " (are all its keys commented out?)" : "");
		return false;
	}
	for (k = 0; k < REG_NKEYS; k++) {
		path[forms[f].n] = ri->keys[k];
		got = tenvlookup(env, path, forms[f].n + 1, &val, &pos, NULL);
		if (got == TF_ABSENT || got == TF_NONE)
			continue;
		ri->kline[k] = pos.line;
		ri->kcol[k] = pos.col;
		if (got != TF_SCALAR) {
			errorat(NULL, pos.file, pos.line, pos.col, "%s.%s is %s; expected a single value", ri->section, ri->keys[k], kindname(got));
			return false;
		}
		/* the one rule of values that reach build.ninja; the message names the character, never the value (it may be the password) */
		if ((bad = escvalbad(val))) {
			errorat(NULL, pos.file, pos.line, pos.col, "%s.%s %s", ri->section, ri->keys[k], bad);
			memset(val, 0, strlen(val));
			free(val);
			return false;
		}
		*registryinfoslot(ri, k) = val;
	}
	return true;
}

bool
registryinfoload(const char *config, struct registryinfo *ri, bool *found)
{
	struct tenv *env = mktenv();
	const char *path[2];
	char *file = sectionfile(config);
	size_t f;
	bool ok = false;

	memset(ri, 0, sizeof(*ri));
	*found = false;
	if (!tenvloadconfig(env, file))
		goto out;
	ok = true;
	for (f = 0; f < LEN(forms); f++) {
		path[0] = forms[f].path[0];
		path[1] = forms[f].path[1];
		if (tenvlookup(env, path, forms[f].n, NULL, NULL, NULL) == TF_ABSENT)
			continue;
		*found = true;
		ri->file = file;
		file = NULL;
		ok = readform(env, f, ri);
		if (!ok)
			delregistryinfo(ri);
		break;
	}
out:
	free(file);
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
	free(ri->file);
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
