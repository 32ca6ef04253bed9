#ifndef IMAGEGEN_REGISTRY_H
#define IMAGEGEN_REGISTRY_H

#include <stdbool.h>

/* where images are pushed: <domain>/<namespace>/<name>:<tag> */
struct registry {
	char *domain;    /* NULL for Docker Hub */
	char *namespace; /* may be NULL */
	char *tag;
};

/*
 * fills r from the values of OpenPAI's docker-registry-info section
 * (docker-registry-domain, docker-namespace, docker-tag); domain "public"
 * or empty means Docker Hub, tag NULL means "latest". false with *why set
 * to a static message if a value is not valid in an image reference.
 */
bool mkregistry(struct registry *r, const char *domain, const char *ns, const char *tag, const char **why);
/* frees what mkregistry allocated */
void delregistry(struct registry *r);
/* "<domain>/<namespace>/<name>", without the tag; owned by the caller */
char *registryrepo(const struct registry *r, const char *name);
/* "<domain>/<namespace>/<name>:<tag>"; owned by the caller */
char *registryref(const struct registry *r, const char *name);
/* the host a reference lives on ("docker.io" when it names none); owned by the caller */
char *refhost(const char *ref);
/* true if s is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
bool validtag(const char *s);
/* true if s is a valid repository path component list: lowercase [a-z0-9] runs joined by '.', '_', '__', '-' runs, and '/' */
bool validrepopath(const char *s);

#endif
