/*
 * the options of imagegen generate, list, graph and check: parsing,
 * --args-file, the registry settings of the configuration, recording
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "image.h"
#include "opts.h"
#include "registry.h"
#include "tmpl.h"
#include "util.h"
#include "walk.h"
#include "warn.h"

#ifndef IMAGEGEN_TEMPLATEDIR
#define IMAGEGEN_TEMPLATEDIR "/usr/local/share/imagegen/templates"
#endif

void
delopts(struct opts *o)
{
	delstrvec(&o->images);
	free(o->layout);
	free(o->paitype);
	free(o->config);
	free(o->configmodel);
	free(o->engine);
	free(o->registry);
	free(o->namespace);
	free(o->tag);
	free(o->cache);
	free(o->layercache);
	free(o->builder);
	free(o->network);
	free(o->reguser);
	free(o->regpassfile);
	free(o->regpassenv);
	free(o->regpassconfig);
	free(o->imagegen);
	free(o->templates);
	free(o->output);
}

/* the commands that read the tree options, as bits of optdoc.cmds */
enum {
	C_GENERATE = 1,
	C_LIST = 2,
	C_GRAPH = 4,
	C_CHECK = 8,
	C_STATUS = 16,
	C_RECONFIGURE = 32,
	C_WATCH = 64,
};

static const struct {
	const char *name;
	unsigned bit;
	const char *synopsis;
	const char *what;
} cmds[] = {
	{"generate", C_GENERATE, "--images=DIR [--images=DIR...] [OPTIONS]",
	    "writes build.ninja (with --backend=make, the GNU Makefile images.mk), the\n"
	    "stage manifests under .imagegen/stage/ and .imagegen/generate.args into the\n"
	    "current directory (the build directory).\n"
	    "In a build directory, with no --images, it reads .imagegen/generate.args\n"
	    "first: the options given replace the recorded ones."},
	{"list", C_LIST, "[--images=DIR...] [OPTIONS]",
	    "prints the images in build order, each followed by the images it depends on;\n"
	    "with --json, every image with its directory, Dockerfile, context files,\n"
	    "prerequisites, build args, labels, target, full names and input digest;\n"
	    "with --all, then each Dockerfile the pai-build layout leaves out, and why."},
	{"graph", C_GRAPH, "[--images=DIR...] [OPTIONS]",
	    "prints the image graph in Graphviz dot (an arrow goes from an image to one\n"
	    "built on it), or with --json as nodes and edges."},
	{"check", C_CHECK, "[--images=DIR...] [OPTIONS]", "checks the image tree and reports every problem; writes nothing."},
	{"status", C_STATUS, "[OPTIONS]",
	    "in a build directory: one line per image in build order, saying whether it\n"
	    "is up to date, stale (and the first input that changed), never built, or\n"
	    "failed in the last run, with its names and input digest; then the totals.\n"
	    "Exit status 0 when every image is up to date, 1 otherwise."},
	{"reconfigure", C_RECONFIGURE, "[OPTIONS]",
	    "in a build directory: changes the recorded options of generate (the\n"
	    "options given replace the recorded ones; --registry= with no value drops\n"
	    "the registry) and writes build.ninja again. Names are not inputs of\n"
	    "builds: a new --tag, --namespace or --registry re-tags and re-pushes with\n"
	    "no engine build."},
	{"watch", C_WATCH, "[OPTIONS] [TARGET...]",
	    "in a build directory: runs ninja for TARGETs (default: all), then again\n"
	    "each time a file of the image tree or the configuration changes, until\n"
	    "interrupted; new and deleted files and edited image.yaml are picked up."},
};

#define TREE (C_GENERATE | C_LIST | C_GRAPH | C_CHECK | C_STATUS | C_RECONFIGURE | C_WATCH)
#define NAMES (C_GENERATE | C_LIST | C_RECONFIGURE | C_STATUS)
#define BUILD (C_GENERATE | C_RECONFIGURE)

/* every option, the commands that take it, and its help line */
static const struct {
	const char *flag; /* as matched: "--images" (with a value) or "--insecure-registry" */
	unsigned cmds;
	const char *help;
} optdocs[] = {
	{"--images", TREE, "  --images=DIR          an images root: each subdirectory holding image.yaml is an image\n"},
	{"--layout", TREE, "  --layout=LAYOUT       image-yaml, or pai-build (SERVICE/build/NAME.dockerfile, as\n"
	    "                        OpenPAI's build/pai_build.py); default: what the roots hold\n"},
	{"--pai-type", TREE, "  --pai-type=TYPE       pai-build: keep *.common.dockerfile and *.TYPE.dockerfile and drop\n"
	    "                        the type from the name (pai_build 1.x: k8s); 'all' keeps every one,\n"
	    "                        'none' names them as before 1.0; default: k8s when the tree holds\n"
	    "                        *.common.dockerfile, else none\n"},
	{"--config", TREE, "  --config=FILE|DIR     the cluster configuration the templates see\n"},
	{"--config-model", TREE, "  --config-model=MODEL  how it becomes clusterconfig: yaml, openpai (OpenPAI's object\n"
	    "                        model, as paictl computes it; openpai-v0.5, openpai-v0.7) or auto\n"
	    "                        (default: openpai for a directory holding OpenPAI's four files)\n"},
	{"--engine", BUILD, "  --engine=ENGINE       docker, podman, buildah or buildx (default docker)\n"},
	{"--builder", BUILD, "  --builder=NAME        the buildx builder that runs the builds (--engine=buildx)\n"},
	{"--network", BUILD, "  --network=MODE        the network of RUN steps: none, host, ... (build --network)\n"},
	{"--registry", TREE, "  --registry=HOST       also tag images HOST/NAMESPACE/NAME:TAG ('public': Docker Hub)\n"},
	{"--namespace", TREE, "  --namespace=NS        the namespace under the registry\n"},
	{"--tag", NAMES, "  --tag=TAG             the tag under the registry (default latest)\n"},
	{"--cache-registry", BUILD, "  --cache-registry=REF  pull REF/NAME:<input digest> instead of building; push it after a build\n"},
	{"--layer-cache", BUILD, "  --layer-cache=REF     the engine's layer cache in REF/NAME (--cache-from/--cache-to)\n"},
	{"--insecure-registry", BUILD, "  --insecure-registry   the registries speak plain http\n"},
	{"--registry-user", BUILD, "  --registry-user=U     log in as U before pushing; the password is read at run time from\n"},
	{"--registry-password-file", BUILD, "  --registry-password-file=FILE  a file, or\n"},
	{"--registry-password-env", BUILD, "  --registry-password-env=VAR    an environment variable\n"},
	{"--jobs", BUILD, "  --jobs=N              how many engine builds run at once (default: the number of CPUs)\n"},
	{"--imagegen", BUILD, "  --imagegen=PATH       the imagegen that build.ninja runs (default: this one)\n"},
	{"--templates", BUILD | C_CHECK, "  --templates=DIR       where rules.ninja is (default " IMAGEGEN_TEMPLATEDIR ")\n"},
	{"--backend", BUILD, "  --backend=ninja|make  write build.ninja for ninja (default) or a GNU Makefile for make\n"},
	{"-o", C_GENERATE, "  -o FILE               the file to write (default build.ninja; images.mk with --backend=make)\n"},
	{"--json", C_LIST | C_GRAPH, "  --json                machine-readable output (JSON)\n"},
	{"-W", TREE, "  -Wno-NAME             do not print the warning NAME (-WNAME prints it again):\n"
	    "                        from-unlisted, prerequisite-unused, undefined, special-file,\n"
	    "                        registry-not-host, from-name-only, from-same-service\n"},
	{"--all", C_LIST, "  --all                 also list the Dockerfiles left out, each with the reason\n"},
	{"--summary", C_GENERATE | C_LIST | C_GRAPH | C_CHECK,
	    "  --summary             then print one line saying what was found (layout, images, services)\n"},
	{"--args-file", TREE & ~C_RECONFIGURE, "  --args-file=FILE      read these options from FILE, one a line (default in a build\n"
	    "                        directory: .imagegen/generate.args, when no --images is given)\n"},
};

static unsigned
cmdbit(const char *cmd)
{
	size_t i;

	for (i = 0; i < LEN(cmds); i++) {
		if (strcmp(cmds[i].name, cmd) == 0)
			return cmds[i].bit;
	}
	return 0;
}

static void
usage(FILE *f, const char *cmd)
{
	unsigned bit = cmdbit(cmd);
	size_t i;

	for (i = 0; i < LEN(cmds); i++) {
		if (cmds[i].bit == bit)
			fprintf(f, "usage: %s %s %s\n\n%s\n", argv0, cmd, cmds[i].synopsis, cmds[i].what);
	}
	fputs("\noptions:\n", f);
	for (i = 0; i < LEN(optdocs); i++) {
		if (optdocs[i].cmds & bit)
			fputs(optdocs[i].help, f);
	}
	fputs("  -h, --help            print this help and exit\n", f);
	if (bit != C_GENERATE && bit != C_RECONFIGURE)
		fprintf(f, "\nThe other options of generate are accepted and change nothing here, so that\n"
		    "one set of options serves every command.\n");
}

/* the optdocs entry of the option arg ("--tag=x", "--json", "-o"), or -1 */
static int
optdoc(const char *arg)
{
	size_t i, n = strcspn(arg, "=");

	for (i = 0; i < LEN(optdocs); i++) {
		if (strlen(optdocs[i].flag) == n && strncmp(optdocs[i].flag, arg, n) == 0)
			return (int)i;
	}
	return -1;
}

/* path as the user gave it, canonical; absolute stays absolute */
static char *
userpath(const char *p)
{
	return pathcanon(p);
}

static bool
setstr(char **slot, const char *val)
{
	free(*slot);
	*slot = xstrdup(val);
	return true;
}

#define ENVCHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
#define WORDCHARS ENVCHARS ".-"

/*
 * false after a message when the value of option opt breaks the rule of
 * every value that reaches build.ninja (escvalbad: no control character)
 */
static bool
linevalue(const char *cmd, const char *opt, const char *v)
{
	const char *bad = escvalbad(v);

	if (bad)
		error("%s: %.*s: the value %s", cmd, (int)strcspn(opt, "="), opt, bad);
	return !bad;
}

/* one option; false (after a message) on a usage error */
static bool
option(struct opts *o, const char *cmd, const char *arg, const char *next, int *used)
{
	const char *v;
	char *end;

	*used = 1;
	if ((v = strchr(arg, '=')) && strncmp(arg, "--", 2) == 0) {
		if (!linevalue(cmd, arg, v + 1))
			return false;
		if ((v = optval(arg, "--images"))) {
			if (!*v)
				goto empty;
			strvectake(&o->images, userpath(v));
			return true;
		}
		if ((v = optval(arg, "--layout"))) {
			if (strcmp(v, "image-yaml") != 0 && strcmp(v, "pai-build") != 0) {
				error("%s: --layout=%s: the layout must be image-yaml or pai-build", cmd, v);
				return false;
			}
			return setstr(&o->layout, v);
		}
		if ((v = optval(arg, "--pai-type"))) {
			if (!*v || strspn(v, ENVCHARS "-") != strlen(v)) {
				error("%s: --pai-type=%s: expected a type of pai_build 1.x (k8s, yarn), 'all' or 'none'", cmd, v);
				return false;
			}
			return setstr(&o->paitype, v);
		}
		if ((v = optval(arg, "--config"))) {
			if (!*v)
				goto empty;
			free(o->config);
			o->config = userpath(v);
			return true;
		}
		if ((v = optval(arg, "--config-model"))) {
			enum tmodel m;

			if (!tmodelbyname(v, &m)) {
				error("%s: --config-model=%s: the models are %s", cmd, v, tmodelnames);
				return false;
			}
			return setstr(&o->configmodel, v);
		}
		if ((v = optval(arg, "--engine"))) {
			if (strcmp(v, "docker") && strcmp(v, "podman") && strcmp(v, "buildah") && strcmp(v, "buildx")) {
				error("%s: --engine=%s: the engine must be docker, podman, buildah or buildx", cmd, v);
				return false;
			}
			return setstr(&o->engine, v);
		}
		if ((v = optval(arg, "--registry"))) {
			if (*v && !regdomainok(v)) {
				error("%s: --registry=%s: expected a registry host or host:port (registry.example.com:5000), or 'public' for Docker Hub", cmd, v);
				return false;
			}
			return setstr(&o->registry, v);
		}
		if ((v = optval(arg, "--namespace"))) {
			if (*v && !regpathok(v)) {
				error("%s: --namespace=%s: expected lowercase letters and digits joined by '.', '_', '__' or '-', parts separated by '/'", cmd, v);
				return false;
			}
			return setstr(&o->namespace, v);
		}
		if ((v = optval(arg, "--cache-registry"))) {
			if (!*v)
				goto empty;
			if (!regrefok(v))
				goto badref;
			return setstr(&o->cache, v);
		}
		if ((v = optval(arg, "--layer-cache"))) {
			if (!*v)
				goto empty;
			if (!regrefok(v))
				goto badref;
			return setstr(&o->layercache, v);
		}
		if ((v = optval(arg, "--builder"))) {
			if (!*v)
				goto empty;
			if (strspn(v, WORDCHARS) != strlen(v)) {
				error("%s: --builder=%s: a builder name is letters, digits, '_', '.' and '-'", cmd, v);
				return false;
			}
			return setstr(&o->builder, v);
		}
		if ((v = optval(arg, "--network"))) {
			if (!*v)
				goto empty;
			if (strspn(v, WORDCHARS ":/") != strlen(v)) {
				error("%s: --network=%s: expected a network mode such as none, host or default", cmd, v);
				return false;
			}
			return setstr(&o->network, v);
		}
		if ((v = optval(arg, "--registry-user"))) {
			if (!*v)
				goto empty;
			if (strpbrk(v, " $'\"\\")) {
				error("%s: --registry-user=%s: a user name holds no space, quote, backslash or '$'", cmd, v);
				return false;
			}
			return setstr(&o->reguser, v);
		}
		if ((v = optval(arg, "--registry-password-file"))) {
			if (!*v)
				goto empty;
			free(o->regpassfile);
			o->regpassfile = userpath(v);
			return true;
		}
		if ((v = optval(arg, "--registry-password-env"))) {
			if (!*v)
				goto empty;
			if (strspn(v, ENVCHARS) != strlen(v) || (*v >= '0' && *v <= '9')) {
				error("%s: --registry-password-env=%s: expected the name of an environment variable (letters, digits and '_', not starting with a digit)", cmd, v);
				return false;
			}
			return setstr(&o->regpassenv, v);
		}
		if ((v = optval(arg, "--tag"))) {
			if (!imagetagok(v)) {
				error("%s: --tag=%s: a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'", cmd, v);
				return false;
			}
			return setstr(&o->tag, v);
		}
		if ((v = optval(arg, "--jobs"))) {
			errno = 0;
			o->jobs = strtol(v, &end, 10);
			if (!*v || *end || errno || o->jobs < 1 || o->jobs > 1024) {
				error("%s: --jobs=%s: expected a number from 1 to 1024", cmd, v);
				return false;
			}
			return true;
		}
		if ((v = optval(arg, "--imagegen"))) {
			if (!*v)
				goto empty;
			free(o->imagegen);
			o->imagegen = strchr(v, '/') ? userpath(v) : xstrdup(v);
			return true;
		}
		if ((v = optval(arg, "--backend"))) {
			if (strcmp(v, "ninja") != 0 && strcmp(v, "make") != 0) {
				error("%s: --backend=%s: the backend must be ninja or make", cmd, v);
				return false;
			}
			o->make = strcmp(v, "make") == 0;
			return true;
		}
		if ((v = optval(arg, "--templates"))) {
			if (!*v)
				goto empty;
			free(o->templates);
			o->templates = userpath(v);
			return true;
		}
	}
	if (strncmp(arg, "-W", 2) == 0) {
		bool off = strncmp(arg, "-Wno-", 5) == 0;
		unsigned w = warnbyname(arg + (off ? 5 : 2));

		if (!w) {
			error("%s: %s: no such warning; the warnings are %s", cmd, arg, warnnames);
			return false;
		}
		if (off)
			o->nowarn |= w;
		else
			o->nowarn &= ~w;
		return true;
	}
	if (strcmp(arg, "--insecure-registry") == 0) {
		o->insecure = true;
		return true;
	}
	if (strcmp(arg, "--all") == 0 && strcmp(cmd, "list") == 0) {
		o->all = true;
		return true;
	}
	if (strcmp(arg, "--summary") == 0) {
		o->summary = true;
		return true;
	}
	if (strcmp(arg, "--json") == 0) {
		o->json = true;
		return true;
	}
	if (strcmp(arg, "-o") == 0) {
		if (!next) {
			error("%s: -o needs a file name", cmd);
			return false;
		}
		*used = 2;
		if (!linevalue(cmd, "-o", next))
			return false;
		free(o->output);
		o->output = userpath(next);
		return true;
	}
	error("%s: unknown option '%s'; '%s %s --help' lists the options", cmd, arg, argv0, cmd);
	return false;
empty:
	error("%s: %s needs a value", cmd, arg);
	return false;
badref:
	error("%s: %s: expected host[:port], optionally followed by /namespace (localhost:5000/cache)", cmd, arg);
	return false;
}

/* read FILE's lines as options */
static bool
argsfile(struct opts *o, const char *cmd, const char *file)
{
	struct buf b = {0};
	struct strvec lines = {0};
	char *s, *e;
	size_t i;
	int used, n, *lineno = NULL;
	bool ok = true;

	if (!readfile(file, &b)) {
		error("%s: --args-file=%s: cannot read:", cmd, file);
		return false;
	}
	bufterm(&b);
	for (s = b.data, n = 1; *s; s = *e ? e + 1 : e, n++) {
		e = strchr(s, '\n');
		if (!e)
			e = s + strlen(s);
		if (e > s) {
			strvectake(&lines, xstrndup(s, (size_t)(e - s)));
			lineno = xreallocarray(lineno, lines.n, sizeof(lineno[0]));
			lineno[lines.n - 1] = n;
		}
	}
	for (i = 0; ok && i < lines.n; i += (size_t)used) {
		if (strncmp(lines.v[i], "--args-file=", 12) == 0) {
			error("%s: %s: --args-file cannot be nested", cmd, file);
			ok = false;
			break;
		}
		ok = option(o, cmd, lines.v[i], i + 1 < lines.n ? lines.v[i + 1] : NULL, &used);
		if (!ok)
			noteat(file, lineno[i], 0,
			    "the option is read from here; configure (or imagegen generate) records these options: run it again to record them anew");
	}
	free(lineno);
	delstrvec(&lines);
	delbuf(&b);
	return ok;
}

/* the path of the running imagegen, absolute, or "imagegen" when unknown */
static char *
selfpath(void)
{
	char p[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", p, sizeof(p) - 1);

	if (n <= 0)
		return xstrdup(strchr(argv0, '/') ? argv0 : "imagegen");
	p[n] = '\0';
	return xstrdup(p);
}


/* reports setting k of ri as not valid */
static void
badsetting(const struct registryinfo *ri, int k, const char *val, const char *want)
{
	errorat(NULL, ri->file, ri->kline[k], ri->kcol[k], "%s.%s '%s' is not valid; expected %s", ri->section, ri->keys[k], val, want);
}

/* reports setting k of ri as missing */
static void
nosetting(const struct registryinfo *ri, int k, const char *opt, const char *example)
{
	errorat(NULL, ri->file, ri->line, ri->col, "%s has no %s; OpenPAI needs %s, %s and %s there to name the images (%s: %s), or give %s",
	    ri->section, ri->keys[k], ri->keys[REG_DOMAIN], ri->keys[REG_NAMESPACE], ri->keys[REG_TAG], ri->keys[k], example, opt);
}

/*
 * the registry settings the options leave unset, from the configuration's
 * registry section (registryinfoload); false after a message
 */
static bool
registryfromconfig(struct opts *o)
{
	struct registryinfo ri;
	const char *bad;
	bool found, ok = false;

	if (!o->config || (o->registry && o->namespace && o->tag && o->reguser))
		return true;
	if (!registryinfoload(o->config, &ri, &found))
		return false;
	if (!found)
		return true;
	if (!o->registry && ri.domain && !regdomainok(ri.domain)) {
		/*
		 * paictl names the images DOMAIN/NS/NAME whatever DOMAIN is; with no
		 * '.' or ':' docker reads DOMAIN as the first part of a Docker Hub
		 * path (OpenPAI's example configuration of 2018: your_registry_domain)
		 */
		if (strpbrk(ri.domain, ".:") || !imagenameok(ri.domain)) {
			badsetting(&ri, REG_DOMAIN, ri.domain, "host or host:port, or 'public' for Docker Hub");
			goto out;
		}
		warnat(NULL, o->nowarn, W_REGISTRY_NOT_HOST, ri.file, ri.kline[REG_DOMAIN], ri.kcol[REG_DOMAIN],
		    "%s.%s '%s' is no registry host (host or host:port, or 'public'): the images are named "
		    "%s/NAMESPACE/NAME as paictl names them, which docker reads as docker.io/%s/NAMESPACE/NAME",
		    ri.section, ri.keys[REG_DOMAIN], ri.domain, ri.domain, ri.domain);
	}
	if (!o->namespace && ri.namespace && !regpathok(ri.namespace)) {
		badsetting(&ri, REG_NAMESPACE, ri.namespace,
		    "lowercase letters and digits joined by '.', '_', '__' or '-', parts separated by '/'");
		goto out;
	}
	if (!o->tag && ri.tag && !imagetagok(ri.tag)) {
		badsetting(&ri, REG_TAG, ri.tag, "up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'");
		goto out;
	}
	if (!o->reguser && ri.user && ri.passenv && (strspn(ri.passenv, ENVCHARS) != strlen(ri.passenv) || !*ri.passenv)) {
		badsetting(&ri, REG_PASSENV, ri.passenv, "the name of an environment variable: letters, digits and '_'");
		goto out;
	}
	if (!o->reguser && ri.user && ri.passfile && (bad = escpathbad(ri.passfile))) {
		errorat(NULL, ri.file, ri.kline[REG_PASSFILE], ri.kcol[REG_PASSFILE], "%s.%s: %s", ri.section,
		    ri.keys[REG_PASSFILE], bad);
		goto out;
	}
	/* OpenPAI's build stops without these (a KeyError); imagegen says where */
	if (ri.openpai) {
		if (!o->registry && !ri.domain) {
			nosetting(&ri, REG_DOMAIN, "--registry", "docker.io, or public for Docker Hub");
			goto out;
		}
		if (!o->namespace && !ri.namespace) {
			nosetting(&ri, REG_NAMESPACE, "--namespace", "openpai");
			goto out;
		}
		if (!o->tag && !ri.tag) {
			nosetting(&ri, REG_TAG, "--tag", "v0.6.1");
			goto out;
		}
	}
	if (!o->registry && ri.domain) {
		o->registry = xstrdup(ri.domain);
		o->fromcfg |= FROMCFG_REGISTRY;
	}
	if (!o->namespace && ri.namespace) {
		o->namespace = xstrdup(ri.namespace);
		o->fromcfg |= FROMCFG_NAMESPACE;
	}
	if (!o->tag && ri.tag) {
		o->tag = xstrdup(ri.tag);
		o->fromcfg |= FROMCFG_TAG;
	}
	if (!o->reguser && ri.user) {
		o->reguser = xstrdup(ri.user);
		o->fromcfg |= FROMCFG_USER;
		/* the password stays in the configuration; push reads it at run time */
		if (ri.passfile)
			o->regpassfile = xstrdup(ri.passfile);
		else if (ri.passenv)
			o->regpassenv = xstrdup(ri.passenv);
		else if (ri.password)
			o->regpassconfig = xstrdup(o->config);
	}
	ok = true;
out:
	delregistryinfo(&ri);
	return ok;
}

int
optsparse(struct opts *o, int argc, char **argv)
{
	const char *cmd = argv[0], *v;
	unsigned bit = cmdbit(cmd);
	int i, used, k;
	long n;
	bool base = bit == C_RECONFIGURE, given = false;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, cmd);
			return -1;
		}
		if (optval(argv[i], "--images") || optval(argv[i], "--args-file"))
			given = true;
	}
	/* in a build directory: the recorded options first, those given on top */
	if (!given && access(ARGSFILE, F_OK) == 0)
		base = true;
	if (base) {
		if (!argsfile(o, cmd, ARGSFILE)) {
			if (bit == C_RECONFIGURE)
				error("%s: run it in a build directory (where configure or imagegen generate ran)", cmd);
			return bit == C_RECONFIGURE ? 1 : 2;
		}
		o->frombase = true;
	}
	for (i = 1; i < argc; i += used) {
		used = 1;
		/*
		 * the options of generate describe the tree and its build, and
		 * every command takes them (one set of options serves all);
		 * -o and --json belong to their commands only
		 */
		k = optdoc(argv[i]);
		if (k >= 0 && bit && !(optdocs[k].cmds & bit) && (strcmp(optdocs[k].flag, "-o") == 0 || strcmp(optdocs[k].flag, "--json") == 0)) {
			error("%s: %.*s is not an option of %s; '%s %s --help' lists its options", cmd,
			    (int)strcspn(argv[i], "="), argv[i], cmd, argv0, cmd);
			return 2;
		}
		if ((v = optval(argv[i], "--args-file"))) {
			if (!argsfile(o, cmd, v))
				return 2;
			continue;
		}
		/* the images given replace the recorded ones */
		if (o->frombase && optval(argv[i], "--images")) {
			delstrvec(&o->images);
			o->frombase = false;
		}
		if (!option(o, cmd, argv[i], i + 1 < argc ? argv[i + 1] : NULL, &used))
			return 2;
	}
	if (o->images.n == 0) {
		error("%s: no images root; give one with --images=DIR", cmd);
		return 2;
	}
	if (o->configmodel && !o->config) {
		error("%s: --config-model needs --config", cmd);
		return 2;
	}
	if (!registryfromconfig(o))
		return 1;
	if ((o->regpassfile || o->regpassenv) && !o->reguser) {
		error("%s: a registry password needs --registry-user", cmd);
		return 2;
	}
	if (o->reguser && (o->regpassfile != NULL) + (o->regpassenv != NULL) + (o->regpassconfig != NULL) != 1) {
		error("%s: --registry-user needs one of --registry-password-file or --registry-password-env%s", cmd,
		    o->fromcfg & FROMCFG_USER ?  " (the registry section of the configuration has a user name but no password)" : "");
		return 2;
	}
	if (!o->engine)
		o->engine = xstrdup("docker");
	if (!o->tag)
		o->tag = xstrdup("latest");
	if (!o->imagegen)
		o->imagegen = selfpath();
	if (!o->templates)
		o->templates = xstrdup(IMAGEGEN_TEMPLATEDIR);
	if (!o->output)
		o->output = xstrdup(o->make ? "images.mk" : "build.ninja");
	if (o->jobs == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		o->jobs = n > 0 ? n : 1;
	}
	return 0;
}

void
optsrecord(const struct opts *o, struct buf *b)
{
	size_t i;
	unsigned w;

	for (i = 0; i < o->images.n; i++)
		bufprintf(b, "--images=%s\n", o->images.v[i]);
	if (o->layout)
		bufprintf(b, "--layout=%s\n", o->layout);
	if (o->paitype)
		bufprintf(b, "--pai-type=%s\n", o->paitype);
	if (o->config)
		bufprintf(b, "--config=%s\n", o->config);
	if (o->configmodel)
		bufprintf(b, "--config-model=%s\n", o->configmodel);
	bufprintf(b, "--engine=%s\n", o->engine);
	/* what came from the configuration's registry section is read again from the config on regeneration */
	if (o->registry && !(o->fromcfg & FROMCFG_REGISTRY))
		bufprintf(b, "--registry=%s\n", o->registry);
	if (o->namespace && !(o->fromcfg & FROMCFG_NAMESPACE))
		bufprintf(b, "--namespace=%s\n", o->namespace);
	if (!(o->fromcfg & FROMCFG_TAG))
		bufprintf(b, "--tag=%s\n", o->tag);
	if (o->cache)
		bufprintf(b, "--cache-registry=%s\n", o->cache);
	if (o->layercache)
		bufprintf(b, "--layer-cache=%s\n", o->layercache);
	if (o->builder)
		bufprintf(b, "--builder=%s\n", o->builder);
	if (o->network)
		bufprintf(b, "--network=%s\n", o->network);
	if (o->insecure)
		bufadds(b, "--insecure-registry\n");
	if (o->reguser && !(o->fromcfg & FROMCFG_USER)) {
		bufprintf(b, "--registry-user=%s\n", o->reguser);
		if (o->regpassfile)
			bufprintf(b, "--registry-password-file=%s\n", o->regpassfile);
		if (o->regpassenv)
			bufprintf(b, "--registry-password-env=%s\n", o->regpassenv);
	}
	for (w = 1; w && w <= o->nowarn; w <<= 1) {
		if (o->nowarn & w)
			bufprintf(b, "-Wno-%s\n", warnname(w));
	}
	bufprintf(b, "--jobs=%ld\n", o->jobs);
	bufprintf(b, "--imagegen=%s\n", o->imagegen);
	bufprintf(b, "--templates=%s\n", o->templates);
	if (o->make)
		bufadds(b, "--backend=make\n");
	bufprintf(b, "-o\n%s\n", o->output);
}


/* takes name into names unless it is there already (a tag of image.yaml may be --tag too) */
static void
addname(struct strvec *names, char *name)
{
	size_t i;

	for (i = 0; i < names->n; i++) {
		if (strcmp(names->v[i], name) == 0) {
			free(name);
			return;
		}
	}
	strvectake(names, name);
}

void
optsnames(const struct opts *o, const struct image *img, struct strvec *names)
{
	char *repo = regrepo(o->registry, o->namespace, img->name);
	size_t i;

	for (i = 0; i < img->ntag; i++)
		addname(names, xasprintf("%s:%s", img->name, img->tag[i].s));
	if (repo) {
		addname(names, xasprintf("%s:%s", repo, o->tag));
		for (i = 0; i < img->ntag; i++)
			addname(names, xasprintf("%s:%s", repo, img->tag[i].s));
	}
	free(repo);
}
