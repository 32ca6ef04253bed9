#ifndef IMAGEGEN_TMPL_H
#define IMAGEGEN_TMPL_H

/*
 * the Jinja2 template engine: renders templates byte for byte as Python's
 * jinja2.Template(src).render(ctx) does with default options
 * (docs/templates.md). Public interface; the lexer, parser, evaluator and
 * value model live behind it.
 */

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* the variables a template sees; owns every value it holds */
struct tenv;

/* a new, empty environment; free it with deltenv */
struct tenv *mktenv(void);
void deltenv(struct tenv *env);

/* set the top-level variable name to the string val (copied) */
void tenvsetstr(struct tenv *env, const char *name, const char *val);

/*
 * set the top-level variable name to text read as one YAML value, typed as
 * PyYAML types it ("true" is True, "010" is 8, "[a, b]" a list);
 * origin names where text came from in diagnostics. false on a YAML error.
 */
bool tenvsetyaml(struct tenv *env, const char *name, const char *text, const char *origin);

/*
 * how a cluster configuration becomes the value templates see as
 * clusterconfig (docs/templates.md, "Configuration models")
 */
enum tmodel {
	TMODEL_AUTO,	/* openpai for a directory holding OpenPAI's four files, else yaml */
	TMODEL_YAML,	/* the YAML as written, a directory's files merged at the top level;
			   each top-level key is also a variable of its own */
	TMODEL_OPENPAI5,	/* paictl's object model, as v0.5.0 and the 2018 commits before v0.6.1 compute it */
	TMODEL_OPENPAI6,	/* as v0.6.1 computes it ("openpai") */
	TMODEL_OPENPAI7,	/* as v0.7.x computes it */
};

/* the model called name (yaml, openpai, openpai-v0.5, -v0.6, -v0.7, auto); false if none is */
bool tmodelbyname(const char *name, enum tmodel *m);
/* the name of m */
const char *tmodelname(enum tmodel m);
/* the names --config-model takes, for messages */
extern const char tmodelnames[];
/* the model TMODEL_AUTO stands for with the configuration at path */
enum tmodel tmodelfor(const char *path);
/*
 * true if name, an entry of a configuration directory, is one that
 * tenvloadconfig merges: *.yaml or *.yml, not starting with '.'. What is
 * not a regular file under such a name is an error, not skipped.
 */
bool tenvconfigname(const char *name);

/*
 * load the cluster configuration at path with a model: a YAML file, a
 * compiled configuration (imagegen config; recognised by its magic, it
 * holds the model it was compiled with), or a directory: OpenPAI's four
 * files for the openpai models, else every *.yaml and *.yml file, read
 * in name order and merged at the top level. Templates then see the
 * result as clusterconfig (and, with the yaml model, each top-level key
 * as a variable of its own). Errors are printed with file:line:col;
 * false then.
 */
bool tenvloadmodel(struct tenv *env, const char *path, enum tmodel model);
/* tenvloadmodel counting the errors it prints in d */
bool tenvload(struct tenv *env, const char *path, enum tmodel model, struct diag *d);
/* tenvloadmodel with TMODEL_AUTO */
bool tenvloadconfig(struct tenv *env, const char *path);
/* the model the configuration env loaded was built with (never TMODEL_AUTO once loaded) */
enum tmodel tenvmodel(const struct tenv *env);

/*
 * load the configuration at path as tenvloadmodel does and append it,
 * compiled (gen/cfgbin.h) with the name of its model, to out:
 * tenvloadconfig reads that back without parsing YAML. false, with the
 * errors printed, if it cannot be loaded.
 */
bool tenvcompileconfig(struct tenv *env, const char *path, enum tmodel model, struct buf *out);

/*
 * append clusterconfig of the configuration env loaded to out as JSON,
 * as Python's json.dumps(clusterconfig, indent=2, ensure_ascii=False)
 * writes it, and a newline; false after a message if it cannot be written
 */
bool tenvjson(struct tenv *env, struct buf *out);

/* where something of the configuration was written; line and col are 0 when unknown */
struct tpos {
	const char *file;
	int line, col;
};

/* what tenvlookup found at a path */
enum tfound {
	TF_ABSENT,	/* a key of the path is missing, or a value on the way is not a mapping */
	TF_NONE,	/* None: null, ~, or nothing after the colon */
	TF_SCALAR,	/* a string, number or boolean */
	TF_MAPPING,
	TF_LIST,
};

/*
 * looks up clusterconfig[path[0]]...[path[n-1]] (string keys) in the
 * configuration env loaded. For a scalar, *str (when str is not NULL) gets
 * Python's str() of it, to be freed by the caller. *pos (when not NULL)
 * is where the deepest key of the path that was found is written (the
 * configuration with line 0 when none was, or when the configuration was
 * compiled); *depth (when not NULL) how many keys of the path were found.
 * Positions stay valid as long as env.
 */
enum tfound tenvlookup(struct tenv *env, const char *const *path, size_t n, char **str, struct tpos *pos, size_t *depth);

/*
 * render the template src (len bytes, named name in diagnostics), appending
 * the output to out. On a syntax or evaluation error, prints
 * "name:line:col: error: ...", the offending line and a caret, and returns
 * false; what was appended to out is then unspecified.
 */
bool tmplrender(struct tenv *env, const char *name, const char *src, size_t len, struct buf *out);

/*
 * render src as tmplrender does and drop the output, to check it: errors
 * as tmplrender reports them (false then); when nwarn is not NULL, also a
 * warning, counted in *nwarn, wherever {{ }} prints an undefined value,
 * which jinja2 renders as nothing
 */
bool tmplrendercheck(struct tenv *env, const char *name, const char *src, size_t len, int *nwarn);

/* parse src without rendering; reports errors as tmplrender does */
bool tmplcheck(const char *name, const char *src, size_t len);

#endif
