#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgbin.h"
#include "cfgmodel.h"
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
	enum tmodel model;	/* the model it was loaded with */
	int nerr;	/* the errors loading it reported */
	struct cfgpostab pos;	/* where each key of the configuration was written */
};

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
	delcfgpostab(&env->pos);
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
			cfgposadd(&env->pos, keys[k].in, keys[k].key, file, keys[k].line, keys[k].col);
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
		cfgposadd(&env->pos, merged.u.d, key, file, line, col);
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
loadfile(struct tenv *env, const char *path, struct value *merged, struct origin **origins, size_t *norigins,
    enum tmodel *compiled)
{
	struct buf b = {0};
	const char *name;
	bool ok;

	*compiled = TMODEL_AUTO;
	if (!readfile(path, &b)) {
		error("cannot read the configuration %s:", path);
		return false;
	}
	bufterm(&b);
	if (!cfgbinis(b.data, b.len))
		return loadone(env, path, b, *merged, origins, norigins);
	ok = cfgbinload(&env->arena, b.data, b.len, path, merged, &name);
	delbuf(&b);
	if (ok && !tmodelbyname(name, compiled)) {
		errorat(NULL, path, 0, 0, "compiled with the configuration model '%s', which this imagegen does not know; compile it again with imagegen config", name);
		return false;
	}
	return ok;
}

static const struct {
	const char *name;
	enum tmodel model;
} models[] = {
	{"yaml", TMODEL_YAML},
	{"openpai", TMODEL_OPENPAI6},
	{"openpai-v0.5", TMODEL_OPENPAI5},
	{"openpai-v0.6", TMODEL_OPENPAI6},
	{"openpai-v0.7", TMODEL_OPENPAI7},
	{"auto", TMODEL_AUTO},
};

const char tmodelnames[] = "auto, yaml, openpai (openpai-v0.6), openpai-v0.5, openpai-v0.7";

bool
tmodelbyname(const char *name, enum tmodel *m)
{
	size_t i;

	for (i = 0; i < LEN(models); i++) {
		if (strcmp(models[i].name, name) == 0) {
			*m = models[i].model;
			return true;
		}
	}
	return false;
}

const char *
tmodelname(enum tmodel m)
{
	switch (m) {
	case TMODEL_YAML:
		return "yaml";
	case TMODEL_OPENPAI5:
		return "openpai-v0.5";
	case TMODEL_OPENPAI6:
		return "openpai";
	case TMODEL_OPENPAI7:
		return "openpai-v0.7";
	default:
		return "auto";
	}
}

/* true if dir holds the four files of an OpenPAI configuration directory */
static bool
isopenpaidir(const char *dir)
{
	struct stat st;
	size_t i;
	char *p;
	bool ok = true;

	for (i = 0; ok && i < OPAI_NFILES; i++) {
		p = pathjoin(dir, openpaifiles[i]);
		ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
		free(p);
	}
	return ok;
}

enum tmodel
tmodelfor(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && isopenpaidir(path))
		return TMODEL_OPENPAI6;
	return TMODEL_YAML;
}

/* the four files of the OpenPAI configuration directory dir, through paictl's object model */
static bool
loadopenpai(struct tenv *env, const char *dir, enum tmodel model, struct value *out)
{
	const char *files[OPAI_NFILES];
	struct value root[OPAI_NFILES];
	struct cfgkey *keys;
	size_t i, k, nkeys;
	struct buf b = {0};
	bool ok = true;
	char *p;

	for (i = 0; i < OPAI_NFILES; i++) {
		p = pathjoin(dir, openpaifiles[i]);
		files[i] = astrndup(&env->arena, p, strlen(p));
		free(p);
		root[i] = vnone();
		delbuf(&b);
		if (!readfile(files[i], &b)) {
			error("%s: cannot read %s, which the %s configuration model reads (an OpenPAI configuration directory holds "
			    "cluster-configuration.yaml, k8s-role-definition.yaml, kubernetes-configuration.yaml and services-configuration.yaml):",
			    dir, openpaifiles[i], tmodelname(model));
			ok = false;
			continue;
		}
		if (!cfgyamlparse(&env->arena, b.data ? b.data : "", b.len, files[i], &root[i], &keys, &nkeys)) {
			ok = false;
			continue;
		}
		for (k = 0; k < nkeys; k++)
			cfgposadd(&env->pos, keys[k].in, keys[k].key, files[i], keys[k].line, keys[k].col);
	}
	delbuf(&b);
	if (!ok)
		return false;
	return openpaimodel(&env->arena, &env->pos, model == TMODEL_OPENPAI5 ? 5 : model == TMODEL_OPENPAI7 ? 7 : 6, files, root, out,
	    &env->nerr);
}

/* clusterconfig = cc; with the yaml model each top-level key is a variable too, as paictl's templates never see */
static void
setclusterconfig(struct tenv *env, struct value cc)
{
	size_t i;

	vdictset(&env->arena, env->vars.u.d, vstrz(&env->arena, "clusterconfig"), cc);
	if (env->model != TMODEL_YAML)
		return;
	for (i = 0; i < cc.u.d->len; i++) {
		if (cc.u.d->keys[i].type == VSTR)
			vdictset(&env->arena, env->vars.u.d, cc.u.d->keys[i], cc.u.d->vals[i]);
	}
}

static bool
loadmodel(struct tenv *env, const char *path, enum tmodel model)
{
	struct value merged = vdict(&env->arena);
	struct origin *origins = NULL;
	size_t norigins = 0;
	struct dirent **list;
	struct stat st;
	enum tmodel compiled = TMODEL_AUTO;
	bool ok = true;
	int n, k;
	char *p;

	if (stat(path, &st) != 0) {
		error("cannot read the configuration %s:", path);
		return false;
	}
	env->cfgpath = astrndup(&env->arena, path, strlen(path));
	if (model == TMODEL_AUTO && S_ISDIR(st.st_mode))
		model = tmodelfor(path);
	if (model != TMODEL_YAML && model != TMODEL_AUTO && !S_ISDIR(st.st_mode)) {
		/* a compiled configuration says which model made it */
		ok = loadfile(env, path, &merged, &origins, &norigins, &compiled);
		free(origins);
		if (!ok)
			return false;
		if (compiled == TMODEL_AUTO) {
			errorat(NULL, path, 0, 0, "the %s configuration model reads a directory holding cluster-configuration.yaml, "
			    "k8s-role-definition.yaml, kubernetes-configuration.yaml and services-configuration.yaml, not a file",
			    tmodelname(model));
			return false;
		}
		if (compiled != model) {
			errorat(NULL, path, 0, 0, "compiled with the %s configuration model, not %s; compile it again with imagegen config --config-model=%s",
			    tmodelname(compiled), tmodelname(model), tmodelname(model));
			return false;
		}
		env->model = compiled;
		setclusterconfig(env, merged);
		return true;
	}
	if (model != TMODEL_YAML && model != TMODEL_AUTO) {
		env->model = model;
		if (!loadopenpai(env, path, model, &merged))
			return false;
		setclusterconfig(env, merged);
		return true;
	}
	env->model = TMODEL_YAML;
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
		ok = loadfile(env, path, &merged, &origins, &norigins, &compiled);
		if (ok && compiled != TMODEL_AUTO) {
			if (model == TMODEL_YAML && compiled != TMODEL_YAML) {
				errorat(NULL, path, 0, 0, "compiled with the %s configuration model, not yaml; compile it again with imagegen config --config-model=yaml",
				    tmodelname(compiled));
				ok = false;
			}
			env->model = compiled;
		}
	}
	free(origins);
	if (!ok)
		return false;
	if (merged.type != VDICT) {
		errorat(NULL, path, 0, 0, "the compiled configuration does not hold a mapping; compile it again with imagegen config");
		return false;
	}
	setclusterconfig(env, merged);
	return true;
}

bool
tenvloadmodel(struct tenv *env, const char *path, enum tmodel model)
{
	return tenvload(env, path, model, NULL);
}

bool
tenvloadconfig(struct tenv *env, const char *path)
{
	return tenvloadmodel(env, path, TMODEL_AUTO);
}

bool
tenvload(struct tenv *env, const char *path, enum tmodel model, struct diag *d)
{
	bool ok;

	env->nerr = 0;
	ok = loadmodel(env, path, model);
	if (d)
		d->nerr += ok ? 0 : env->nerr > 0 ? env->nerr : 1;
	return ok;
}

enum tmodel
tenvmodel(const struct tenv *env)
{
	return env->model;
}

bool
tenvcompileconfig(struct tenv *env, const char *path, enum tmodel model, struct buf *out)
{
	struct value *cc;

	if (!tenvloadmodel(env, path, model))
		return false;
	cc = vdictget(env->vars.u.d, vstrz(&env->arena, "clusterconfig"));
	return cc && cfgbinwrite(out, *cc, tmodelname(env->model), path);
}

bool
tenvjson(struct tenv *env, struct buf *out)
{
	struct value *cc = vdictget(env->vars.u.d, vstrz(&env->arena, "clusterconfig"));

	return cc && cfgjson(out, *cc, env->cfgpath ? env->cfgpath : "the configuration");
}

enum tfound
tenvlookup(struct tenv *env, const char *const *path, size_t n, char **str, struct tpos *pos, size_t *depth)
{
	struct value *v = vdictget(env->vars.u.d, vstrz(&env->arena, "clusterconfig")), cur;
	const struct cfgpos *p;
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
		if (pos && (p = cfgposfind(&env->pos, cur.u.d, k)))
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
tmplrendercheck(struct tenv *env, const char *name, const char *src, size_t len, int *nwarn)
{
	struct tmpl t;
	struct buf out = {0};
	bool ok;

	if (!tmplparse(&env->arena, name, src, len, &t))
		return false;
	ok = tmplevalwarn(&env->arena, &t, env->vars, &out, nwarn);
	delbuf(&out);
	return ok;
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
