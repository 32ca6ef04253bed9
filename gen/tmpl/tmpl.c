#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgbin.h"
#include "cfgyaml.h"
#include "tmpl.h"
#include "tmpl_ast.h"

/*
 * the environment owns one arena: configuration values, and everything a
 * rendering creates (a template may append to a configuration list, so
 * what it makes must live as long as the values it can reach).
 */
struct tenv {
	struct arena arena;
	struct value vars;	/* dict: name -> value */
	const char *cfgpath;	/* the configuration loaded */
	struct tposkey *pos;	/* where each key of the configuration was written */
	size_t npos;
};

/* a key of a mapping of the configuration and where it was written */
struct tposkey {
	const struct vdict *in;
	struct value key;
	const char *file;
	int line, col;
};

static void
addpos(struct tenv *env, const struct vdict *in, struct value key, const char *file, int line, int col)
{
	if ((env->npos & (env->npos - 1)) == 0)
		env->pos = xreallocarray(env->pos, env->npos ? env->npos * 2 : 64, sizeof(*env->pos));
	env->pos[env->npos].in = in;
	env->pos[env->npos].key = key;
	env->pos[env->npos].file = file;
	env->pos[env->npos].line = line;
	env->pos[env->npos].col = col;
	env->npos++;
}

/* where key k of the dict in was written, or NULL */
static const struct tposkey *
findpos(const struct tenv *env, const struct vdict *in, struct value k)
{
	size_t i;

	for (i = env->npos; i-- > 0;) {
		if (env->pos[i].in == in && veq(env->pos[i].key, k))
			return &env->pos[i];
	}
	return NULL;
}

struct tenv *
mktenv(void)
{
	struct tenv *env = xcalloc(1, sizeof(*env));

	env->vars = vdict(&env->arena);
	return env;
}

void
deltenv(struct tenv *env)
{
	if (!env)
		return;
	delarena(&env->arena);
	free(env->pos);
	free(env);
}

void
tenvsetstr(struct tenv *env, const char *name, const char *val)
{
	vdictset(&env->arena, env->vars.u.d, vstrz(&env->arena, name), vstrz(&env->arena, val));
}

bool
tenvsetyaml(struct tenv *env, const char *name, const char *text, const char *origin)
{
	struct value v;

	if (!cfgyamlparse(&env->arena, text, strlen(text), origin, &v, NULL, NULL))
		return false;
	vdictset(&env->arena, env->vars.u.d, vstrz(&env->arena, name), v);
	return true;
}

bool
tenvconfigname(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int
yamlname(const struct dirent *d)
{
	return tenvconfigname(d->d_name);
}

/* where each merged top-level key came from, to name both files of a clash */
struct origin {
	const char *file;
	int line, col;
};

/* one YAML file merged into merged; b holds its text when already read, else it is read */
static bool
loadone(struct tenv *env, const char *path, struct buf b, struct value merged, struct origin **origins, size_t *norigins)
{
	struct value v;
	struct cfgkey *keys;
	size_t nkeys, i, k;
	bool ok = true;
	struct value *prev;
	char *file;

	if (!b.data && !readfile(path, &b)) {
		error("cannot read the configuration %s:", path);
		return false;
	}
	file = astrndup(&env->arena, path, strlen(path));
	if (!cfgyamlparse(&env->arena, b.data ? b.data : "", b.len, file, &v, &keys, &nkeys)) {
		delbuf(&b);
		return false;
	}
	delbuf(&b);
	if (v.type == VNONE)
		return true;
	if (v.type != VDICT) {
		errorat(NULL, path, 1, 1, "the configuration must be a mapping of names to values, not a %s", v.type == VLIST ? "list" : "scalar");
		return false;
	}
	for (k = 0; k < nkeys; k++) {
		if (keys[k].in != v.u.d)
			addpos(env, keys[k].in, keys[k].key, file, keys[k].line, keys[k].col);
	}
	for (i = 0; i < v.u.d->len; i++) {
		struct value key = v.u.d->keys[i];
		int line = 0, col = 0;

		for (k = 0; k < nkeys; k++) {
			if (keys[k].in == v.u.d && veq(keys[k].key, key)) {
				line = keys[k].line;
				col = keys[k].col;
			}
		}
		prev = vdictget(merged.u.d, key);
		if (prev) {
			struct buf kb = {0};
			size_t j = 0;

			for (j = 0; j < *norigins; j++) {
				if (veq(merged.u.d->keys[j], key))
					break;
			}
			vstrto(&kb, key);
			errorat(NULL, path, line, col, "the key '%s' is also defined at %s:%d:%d; each top-level key must come from one file",
			    kb.data ? kb.data : "", (*origins)[j].file, (*origins)[j].line, (*origins)[j].col);
			delbuf(&kb);
			ok = false;
			continue;
		}
		vdictset(&env->arena, merged.u.d, key, v.u.d->vals[i]);
		addpos(env, merged.u.d, key, file, line, col);
		*origins = xreallocarray(*origins, *norigins + 1, sizeof(**origins));
		(*origins)[*norigins].file = file;
		(*origins)[*norigins].line = line;
		(*origins)[*norigins].col = col;
		(*norigins)++;
	}
	return ok;
}

/* a single file: a compiled configuration (by its magic) or YAML */
static bool
loadfile(struct tenv *env, const char *path, struct value *merged, struct origin **origins, size_t *norigins)
{
	struct buf b = {0};
	bool ok;

	if (!readfile(path, &b)) {
		error("cannot read the configuration %s:", path);
		return false;
	}
	bufterm(&b);
	if (!cfgbinis(b.data, b.len))
		return loadone(env, path, b, *merged, origins, norigins);
	ok = cfgbinload(&env->arena, b.data, b.len, path, merged);
	delbuf(&b);
	return ok;
}

bool
tenvcompileconfig(struct tenv *env, const char *path, struct buf *out)
{
	struct value *cc;

	if (!tenvloadconfig(env, path))
		return false;
	cc = vdictget(env->vars.u.d, vstrz(&env->arena, "clusterconfig"));
	return cc && cfgbinwrite(out, *cc, path);
}

bool
tenvloadconfig(struct tenv *env, const char *path)
{
	struct value merged = vdict(&env->arena);
	struct origin *origins = NULL;
	size_t norigins = 0, i;
	struct dirent **list;
	struct stat st;
	bool ok = true;
	int n, k;
	char *p;

	if (stat(path, &st) != 0) {
		error("cannot read the configuration %s:", path);
		return false;
	}
	env->cfgpath = astrndup(&env->arena, path, strlen(path));
	if (S_ISDIR(st.st_mode)) {
		n = scandir(path, &list, yamlname, alphasort);
		if (n < 0) {
			error("cannot list the configuration directory %s:", path);
			return false;
		}
		for (k = 0; k < n; k++) {
			p = pathjoin(path, list[k]->d_name);
			if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
				errorat(NULL, p, 0, 0, "is a directory; the *.yaml and *.yml files of a configuration directory are merged, so rename it or move it out");
				ok = false;
			} else if (!loadone(env, p, (struct buf){0}, merged, &origins, &norigins))
				ok = false;
			free(p);
			free(list[k]);
		}
		free(list);
	} else {
		ok = loadfile(env, path, &merged, &origins, &norigins);
	}
	free(origins);
	if (!ok)
		return false;
	if (merged.type != VDICT) {
		errorat(NULL, path, 0, 0, "the compiled configuration does not hold a mapping; compile it again with imagegen config");
		return false;
	}
	vdictset(&env->arena, env->vars.u.d, vstrz(&env->arena, "clusterconfig"), merged);
	for (i = 0; i < merged.u.d->len; i++) {
		if (merged.u.d->keys[i].type == VSTR)
			vdictset(&env->arena, env->vars.u.d, merged.u.d->keys[i], merged.u.d->vals[i]);
	}
	return true;
}

enum tfound
tenvlookup(struct tenv *env, const char *const *path, size_t n, char **str, struct tpos *pos, size_t *depth)
{
	struct value *v = vdictget(env->vars.u.d, vstrz(&env->arena, "clusterconfig")), cur;
	const struct tposkey *p;
	struct buf b = {0};
	size_t i;

	if (str)
		*str = NULL;
	if (pos)
		*pos = (struct tpos){env->cfgpath, 0, 0};
	if (depth)
		*depth = 0;
	if (!v)
		return TF_ABSENT;
	cur = *v;
	for (i = 0; i < n; i++) {
		struct value k = vstrz(&env->arena, path[i]);

		if (cur.type != VDICT || !(v = vdictget(cur.u.d, k)))
			return TF_ABSENT;
		if (pos && (p = findpos(env, cur.u.d, k)))
			*pos = (struct tpos){p->file, p->line, p->col};
		if (depth)
			*depth = i + 1;
		cur = *v;
	}
	switch (cur.type) {
	case VNONE:
		return TF_NONE;
	case VDICT:
		return TF_MAPPING;
	case VLIST:
	case VTUPLE:
		return TF_LIST;
	default:
		if (str) {
			vstrto(&b, cur);
			bufterm(&b);
			*str = b.data;
		}
		return TF_SCALAR;
	}
}

bool
tmplrender(struct tenv *env, const char *name, const char *src, size_t len, struct buf *out)
{
	struct tmpl t;

	if (!tmplparse(&env->arena, name, src, len, &t))
		return false;
	return tmpleval(&env->arena, &t, env->vars, out);
}

bool
tmplcheck(const char *name, const char *src, size_t len)
{
	struct arena a = {0};
	struct tmpl t;
	bool ok;

	ok = tmplparse(&a, name, src, len, &t);
	delarena(&a);
	return ok;
}
