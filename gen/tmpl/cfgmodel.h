#ifndef IMAGEGEN_CFGMODEL_H
#define IMAGEGEN_CFGMODEL_H

/*
 * models of the cluster configuration: how the YAML of a configuration
 * becomes the value templates see as clusterconfig (tmpl.h, enum tmodel).
 * Internal to the template engine.
 */

#include <stdbool.h>

#include "cfgyaml.h"
#include "value.h"

/* the four files of an OpenPAI configuration directory, in the order openpaimodel takes them */
enum { OPAI_CLUSTER, OPAI_ROLES, OPAI_K8S, OPAI_SERVICES, OPAI_NFILES };
extern const char *const openpaifiles[OPAI_NFILES];

/*
 * builds the object model paictl of OpenPAI version (5: v0.5.0 and the
 * 2018 commits before v0.6.1; 6: v0.6.1; 7: v0.7.x) hands image templates
 * as clusterconfig: the service half of its paiObjectModel, computed
 * from the four files' values root[] (read from files[]), which are
 * changed in place as paictl changes them, so that the model shares them.
 * A key paictl needs that is missing, a value of the wrong kind, or a
 * machine list without the machines paictl looks for is reported with
 * the file, line and column (positions from pos), and counted in *nerr;
 * false then.
 */
bool openpaimodel(struct arena *a, const struct cfgpostab *pos, int version, const char *const files[OPAI_NFILES],
    struct value root[OPAI_NFILES], struct value *out, int *nerr);

/*
 * append v to b as Python's json.dumps(v, indent=2, ensure_ascii=False)
 * writes it, and a newline. false, with a message naming origin, if v
 * holds itself (a YAML alias inside its own anchor) or a value JSON
 * cannot hold.
 */
bool cfgjson(struct buf *b, struct value v, const char *origin);

#endif
