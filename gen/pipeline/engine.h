#ifndef IMAGEGEN_ENGINE_H
#define IMAGEGEN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum enginekind {
	ENGINE_DOCKER,
	ENGINE_PODMAN,
	ENGINE_BUILDAH,
	ENGINE_BUILDX, /* docker buildx build --builder NAME --load */
};

/* a container engine: which one, and the executable that runs it */
struct engine {
	enum enginekind kind;
	const char *name;    /* as the user spelled it: docker, podman, buildah, buildx */
	char *path;          /* the executable found in PATH; set by enginefind */
	const char *builder; /* buildx builder, or NULL */
	bool insecure;       /* registries over plain http (podman/buildah --tls-verify=false) */
};

/* sets e->kind from name; false if name is not an engine imagegen knows */
bool engineparse(struct engine *e, const char *name);
/* the Debian package that provides the engine's executable */
const char *enginepkg(const struct engine *e);
/* looks the executable up in PATH and sets e->path; false if absent */
bool enginefind(struct engine *e);
/* frees what enginefind allocated */
void delengine(struct engine *e);

/* what one image build needs; arrays hold K=V strings or refs */
struct buildopts {
	const char *ctxdir;
	const char *file;      /* path of the Dockerfile (already joined with ctxdir) */
	const char *name;      /* bare name, or NULL */
	const char **tags;
	size_t ntags;
	const char **buildargs;
	size_t nbuildargs;
	const char **labels;
	size_t nlabels;
	const char *target;    /* or NULL */
	const char *network;   /* --network of RUN steps, or NULL */
	const char *iidfile;   /* where the engine writes the image ID */
	const char **cachefrom; /* --cache-from refs, where the engine supports them */
	size_t ncachefrom;
	const char **cacheto;
	size_t ncacheto;
};

/*
 * the engine's layer cache in repository repo, as --cache-from/--cache-to
 * values added to the arrays of o (owned by the caller: free each string):
 * podman and buildah take the repository, buildx a registry cache ref,
 * docker's classic builder --cache-from only
 */
void enginelayercache(const struct engine *e, const char *repo, char **from, char **to);
/* the build command line */
void enginebuild(const struct engine *e, const struct buildopts *o, struct strvec *a);
/* prints the image ID of ref on stdout (exit 0) or fails when absent */
void engineimageid(const struct engine *e, const char *ref, struct strvec *a);
/* tags image src as dst */
void enginetag(const struct engine *e, const char *src, const char *dst, struct strvec *a);
/* tags image src with the first of the n names in dst, or all of them where one command can (podman, buildah); returns how many it took */
size_t enginetagmany(const struct engine *e, const char *src, const char **dst, size_t n, struct strvec *a);
/* pushes local image src to dst; digestfile (NULL for docker) receives the manifest digest */
void enginepush(const struct engine *e, const char *src, const char *dst, const char *digestfile, struct strvec *a);
/* pulls ref; podman and buildah print the image ID on stdout */
void enginepull(const struct engine *e, const char *ref, struct strvec *a);
/* logs in to registry as user, the password read from stdin */
void enginelogin(const struct engine *e, const char *registry, const char *user, struct strvec *a);

/*
 * runs a (v[0] is the executable) with fork and exec, no shell. stdin
 * reads input (NULL: /dev/null); stdout goes to out if non-NULL, else to
 * fd outfd; stderr goes to errfd. -1 for either fd means inherit.
 * returns the exit status, 128+signal if killed, or -1 (errno set) if it
 * could not start.
 */
int enginerun(const struct strvec *a, const char *input, struct buf *out, int outfd, int errfd);

/* runs a with stdout captured in out and stderr discarded; the status as enginerun returns it */
int enginequiet(const struct strvec *a, struct buf *out);

/* opens log fresh for writing (creating its directory); *fd is -1 when log is NULL. false after a message */
bool openlog(const char *log, int *fd);
/*
 * runs a like enginerun, first writing "$ command line" to logfd (stderr
 * when logfd is -1); stdout and stderr go to logfd, and when out is
 * non-NULL stdout is captured there and copied to logfd too. the status
 * as enginerun returns it, after a message if the program did not start.
 */
int enginelogrun(const struct strvec *a, int logfd, const char *input, struct buf *out);
/* prints the last lines (at most LOGTAIL) of log to stderr */
void showlogtail(const char *log);

/* lines of a log shown when an engine command fails */
#define LOGTAIL 50

/* "sha256:<64 hex>" from an engine's image ID text (bare hex or prefixed, whitespace around); NULL if malformed. owned by the caller */
char *imageidnorm(const char *s, size_t len);

#endif
