#ifndef IMAGEGEN_REGISTRY_H
#define IMAGEGEN_REGISTRY_H

#include <stdbool.h>

/* true if s is a registry host or host:port, or OpenPAI's "public" (Docker Hub) */
bool regdomainok(const char *s);
/* true if s is a namespace: image names (imagenameok) joined by '/' */
bool regpathok(const char *s);
/* true if ref is a repository prefix: host[:port], then optionally '/' and a namespace */
bool regrefok(const char *ref);
/* registry/namespace/name ("public" is docker.io), or NULL without a registry; owned by the caller */
char *regrepo(const char *registry, const char *namespace, const char *name);
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
/* the host a reference lives on ("docker.io" when it names none); owned by the caller */
char *refhost(const char *ref);
#endif
