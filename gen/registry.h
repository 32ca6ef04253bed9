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
/*
 * OpenPAI's docker-registry-info section of the cluster configuration
 * (docker-registry-domain, docker-namespace, docker-tag, docker-username,
 * docker-password), with imagegen's docker-password-file and
 * docker-password-env; absent keys are NULL
 */
struct registryinfo {
	char *domain, *namespace, *tag, *user, *password, *passfile, *passenv;
};

/*
 * reads the section from the configuration at config (a YAML file or a
 * directory, as render -c takes it), values as Python's str() prints them.
 * *found is false when there is no such section. false after a message
 * when the configuration cannot be read or a value is not one line.
 */
bool registryinfoload(const char *config, struct registryinfo *ri, bool *found);
/* frees the strings of ri, clearing the password first */
void delregistryinfo(struct registryinfo *ri);
/* "<domain>/<namespace>/<name>", without the tag; owned by the caller */
char *regrepo(const struct registry *r, const char *name);
/* "<domain>/<namespace>/<name>:<tag>"; owned by the caller */
char *regref(const struct registry *r, const char *name);
/* the host a reference lives on ("docker.io" when it names none); owned by the caller */
char *refhost(const char *ref);
/* true if s is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
bool validtag(const char *s);
/* true if s is a valid repository path component list: lowercase [a-z0-9] runs joined by '.', '_', '__', '-' runs, and '/' */
bool validrepopath(const char *s);

#endif
