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
 * load the cluster configuration: a YAML file, a compiled configuration
 * (imagegen config; recognised by its magic), or a directory whose *.yaml
 * and *.yml files are read in name order and merged at the top level.
 * Templates then see the whole as clusterconfig and each top-level key as
 * a variable of its own. Errors are printed with file:line:col; false then.
 */
bool tenvloadconfig(struct tenv *env, const char *path);
/*
 * true if name, an entry of a configuration directory, is one that
 * tenvloadconfig merges: *.yaml or *.yml, not starting with '.'. What is
 * not a regular file under such a name is an error, not skipped.
 */
bool tenvconfigname(const char *name);

/*
 * load the configuration at path as tenvloadconfig does and append it,
 * compiled (gen/cfgbin.h), to out: tenvloadconfig reads that back without
 * parsing YAML. false, with the errors printed, if it cannot be loaded.
 */
bool tenvcompileconfig(struct tenv *env, const char *path, struct buf *out);

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

/* parse src without rendering; reports errors as tmplrender does */
bool tmplcheck(const char *name, const char *src, size_t len);

#endif
