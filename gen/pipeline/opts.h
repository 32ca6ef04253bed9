#ifndef IMAGEGEN_OPTS_H
#define IMAGEGEN_OPTS_H

#include <stdbool.h>

#include "util.h"
#include "walk.h"

/* where generate records its arguments, in the build directory */
#define ARGSFILE ".imagegen/generate.args"

/* the options shared by generate, list, graph, check, status, reconfigure and watch */
struct opts {
	struct strvec images; /* images roots, canonical, in the order given */
	char *layout;      /* "image-yaml" or "pai-build"; NULL: chosen by the roots */
	char *paitype;     /* pai-build type filter: a type, "all" or "none"; NULL: chosen by the tree */
	bool all;          /* list: the Dockerfiles left out too */
	bool summary;      /* then print one line saying what was found, on stdout */
	char *config;
	char *configmodel; /* --config-model as given; NULL: auto */
	char *engine;
	char *registry;
	char *namespace;
	char *tag;
	char *cache;       /* cache registry: REF/<name>:<input digest> */
	char *layercache;  /* the engine's layer cache: REF/<name> */
	char *builder;     /* buildx builder */
	char *network;     /* the network of RUN steps (build --network) */
	char *reguser;     /* registry login: user, and where the password is read at run time */
	char *regpassfile;
	char *regpassenv;
	char *regpassconfig; /* the config whose registry section holds the password */
	unsigned fromcfg;  /* FROMCFG_* bits: settings taken from the configuration's registry section, not recorded */
	bool insecure;     /* registries over plain http */
	bool json;         /* list, graph: JSON output */
	bool frombase;     /* the images came from .imagegen/generate.args */
	unsigned nowarn;   /* warnings silenced by -Wno-NAME (warn.h) */
	char *imagegen;
	char *templates;
	char *output;
	long jobs;
	bool make;         /* --backend=make: a GNU Makefile instead of build.ninja */
};

/* bits of opts.fromcfg */
enum {
	FROMCFG_REGISTRY = 1,
	FROMCFG_NAMESPACE = 2,
	FROMCFG_TAG = 4,
	FROMCFG_USER = 8,
};

/*
 * parses the options of argv[0] (generate, list, graph, check, status,
 * reconfigure, watch) into o, filling defaults and what
 * the configuration's registry section gives; in a build directory, when no --images or
 * --args-file is given (always for reconfigure), the options recorded in
 * .imagegen/generate.args come first and those given replace them. 0 to
 * go on, else the exit status (-1 after --help)
 */
int optsparse(struct opts *o, int argc, char **argv);
/* the effective options, one a line, as --args-file reads them */
void optsrecord(const struct opts *o, struct buf *b);
struct image;
/*
 * the names the tag edge gives img beyond its bare name: NAME:T for each
 * tag of image.yaml, then REGISTRY[/NAMESPACE]/NAME:TAG and the registry
 * form of each image.yaml tag
 */
void optsnames(const struct opts *o, const struct image *img, struct strvec *names);
/* frees what optsparse allocated */
void delopts(struct opts *o);

#endif
