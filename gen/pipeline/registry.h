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
/* the settings of a registry section, in the order of struct registryinfo's strings */
enum { REG_DOMAIN, REG_NAMESPACE, REG_TAG, REG_USER, REG_PASSWORD, REG_PASSFILE, REG_PASSENV, REG_NKEYS };

/*
 * the registry section of a cluster configuration, in one of OpenPAI's
 * forms, first found first:
 *   cluster.docker-registry-info  (services-configuration.yaml, 2018 on:
 *       docker-registry-domain, docker-namespace, docker-tag,
 *       docker-username, docker-password)
 *   cluster.docker-registry       (services-configuration.yaml, later:
 *       domain, namespace, tag, username, password)
 *   docker-registry-info          (at the top of a single file, the keys
 *       of the first form)
 * plus imagegen's own password-file and password-env keys
 * (docker-password-file, docker-password-env in the docker- forms), which
 * name where push reads the password instead. Absent settings are NULL.
 */
struct registryinfo {
	char *domain, *namespace, *tag, *user, *password, *passfile, *passenv;
	const char *section;         /* "cluster.docker-registry-info", ... */
	const char *const *keys;     /* the key of each REG_* setting in that section */
	bool openpai;                /* a cluster section: OpenPAI needs domain, namespace and tag there */
	char *file;                  /* the YAML file holding it */
	int line, col;               /* where the section's key is written */
	int kline[REG_NKEYS], kcol[REG_NKEYS]; /* where each setting's key is; 0 when absent */
};

/*
 * reads the registry section of the configuration at config: a YAML file,
 * or a directory, of which services-configuration.yaml alone is read when
 * it holds one (as OpenPAI reads it), else every *.yaml merged as render
 * -c takes it. Values are Python's str() of what PyYAML reads; null is
 * absent. *found is false when there is no section. false after a
 * message naming file:line:col when the configuration cannot be read or
 * the section or a value is not what it should be.
 */
bool registryinfoload(const char *config, struct registryinfo *ri, bool *found);
/* frees the strings of ri, clearing the password first */
void delregistryinfo(struct registryinfo *ri);
/* the host a reference lives on ("docker.io" when it names none); owned by the caller */
char *refhost(const char *ref);
#endif
