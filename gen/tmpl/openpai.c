/*
 * OpenPAI's cluster object model, the value paictl hands image templates
 * as clusterconfig (docs/templates.md, "The OpenPAI model"). It is the
 * service half of the model paictl computes from its four configuration
 * files; computing it also runs paictl's kubernetes half, whose checks
 * stop paictl and whose defaults land in the machine entries both halves
 * share. Sections are not copied: clusterinfo is the cluster mapping of
 * services-configuration.yaml itself, with the derived keys added beside
 * the hyphenated ones, as paictl aliases and extends the dicts PyYAML
 * gave it.
 */
#include "compat.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

#include "cfgmodel.h"

const char *const openpaifiles[OPAI_NFILES] = {
	"cluster-configuration.yaml", "k8s-role-definition.yaml", "kubernetes-configuration.yaml",
	"services-configuration.yaml",
};

/* a value of the configuration, where it was written and what to call it */
struct node {
	struct value v;
	const char *file;
	int line, col;
	const char *name;	/* "cluster.docker-registry-info", "machine-list[2]"; "" for a file's top */
};

struct om {
	struct arena *a;
	const struct cfgpostab *pos;
	int version;
	struct diag d;
	struct node top[OPAI_NFILES];
	struct node hosts;	/* machine-list, when it is a list of mappings */
	struct value master;	/* hostip of the first pai-master host; VUNDEF when none */
	struct buf said;	/* every message given, NUL-separated: each is given once */
};

static const char *
kindof(struct value v)
{
	switch (v.type) {
	case VNONE:
		return "empty (null)";
	case VBOOL:
		return "a boolean";
	case VINT:
		return "an integer";
	case VFLOAT:
		return "a float";
	case VSTR:
		return "a string";
	case VLIST:
	case VTUPLE:
		return "a list";
	case VDICT:
		return "a mapping";
	default:
		return "a value";
	}
}

/* reports an error at n, once: paictl's checks are reached on several paths */
static void PRINTF(3, 4)
omerr(struct om *m, const struct node *n, const char *fmt, ...)
{
	struct buf msg = {0};
	size_t i, text;
	va_list ap;

	bufprintf(&msg, "%s:%d:%d:", n->file, n->line, n->col);
	text = msg.len;
	va_start(ap, fmt);
	bufvprintf(&msg, fmt, ap);
	va_end(ap);
	bufterm(&msg);
	for (i = 0; i < m->said.len; i += strlen(m->said.data + i) + 1) {
		if (strcmp(m->said.data + i, msg.data) == 0) {
			delbuf(&msg);
			return;
		}
	}
	bufadd(&m->said, msg.data, msg.len + 1);
	errorat(&m->d, n->file, n->line, n->col, "%s", msg.data + text);
	delbuf(&msg);
}

static struct value
str(struct om *m, const char *s)
{
	return vstrz(m->a, s);
}

/* Python's "{0}{1}{2}".format(a, v, b) for strings a, b */
static struct value
around(struct om *m, const char *a, struct value v, const char *b)
{
	struct buf t = {0};
	struct value r;

	bufadds(&t, a);
	vstrto(&t, v);
	bufadds(&t, b);
	bufterm(&t);
	r = vstrn(m->a, t.data, t.len);
	delbuf(&t);
	return r;
}

/* d[k] = v */
static void
put(struct om *m, struct value d, const char *k, struct value v)
{
	vdictset(m->a, d.u.d, str(m, k), v);
}

static bool
has(struct om *m, struct value d, const char *k)
{
	return d.type == VDICT && vdictget(d.u.d, str(m, k)) != NULL;
}

/* true if n is a mapping; otherwise says that paictl needs one there */
static bool
needmap(struct om *m, const struct node *n)
{
	if (n->v.type == VDICT)
		return true;
	if (!*n->name)
		omerr(m, n, "the file holds %s; OpenPAI's object model needs a mapping of sections there", kindof(n->v));
	else
		omerr(m, n, "%s is %s; OpenPAI's object model needs a mapping there", n->name, kindof(n->v));
	return false;
}

/* letters and digits of s, lowercased: how far two spellings of a key are apart */
static void
squash(const char *s, char *out, size_t n)
{
	size_t i = 0;

	for (; *s && i + 1 < n; s++) {
		if (isalnum((unsigned char)*s))
			out[i++] = (char)tolower((unsigned char)*s);
	}
	out[i] = '\0';
}

/* says that parent has no key k, which paictl needs; names a near spelling it has */
static void
missing(struct om *m, const struct node *parent, const char *k)
{
	char want[128], got[128];
	const char *near = NULL, *hint = "";
	size_t i;

	squash(k, want, sizeof(want));
	for (i = 0; parent->v.type == VDICT && i < parent->v.u.d->len; i++) {
		struct value key = parent->v.u.d->keys[i];

		if (key.type != VSTR || strcmp(key.u.s->data, k) == 0)
			continue;
		squash(key.u.s->data, got, sizeof(got));
		if (strcmp(got, want) == 0)
			near = key.u.s->data;
	}
	/* the keys one version of paictl needs and another does not */
	if (m->version == 6 && (!strcmp(k, "nvidia-drivers-version") || !strcmp(k, "docker-verison")))
		hint = "; OpenPAI v0.7 no longer reads it: for a v0.7 configuration give --config-model=openpai-v0.7";
	else if (m->version == 5 && (!strcmp(k, "docker-username") || !strcmp(k, "docker-password") || !strcmp(k, "virtualClusters")))
		hint = "; OpenPAI v0.6.1 made it optional: for a v0.6 configuration give --config-model=openpai";
	if (!*parent->name && near)
		omerr(m, parent, "no top-level '%s', which OpenPAI's object model needs (paictl stops with KeyError: '%s'); "
		    "the file has '%s': spell it %s%s", k, k, near, k, hint);
	else if (!*parent->name)
		omerr(m, parent, "no top-level '%s', which OpenPAI's object model needs (paictl stops with KeyError: '%s'); "
		    "add %s: to the file%s", k, k, k, hint);
	else if (near)
		omerr(m, parent, "%s has no '%s', which OpenPAI's object model needs (paictl stops with KeyError: '%s'); "
		    "it has '%s': spell it %s%s", parent->name, k, k, near, k, hint);
	else
		omerr(m, parent, "%s has no '%s', which OpenPAI's object model needs (paictl stops with KeyError: '%s'); "
		    "add %s: under it%s", parent->name, k, k, k, hint);
}

/*
 * *out = parent[k] when parent (a mapping) has k; otherwise false, after
 * saying so when paictl needs it
 */
static bool
child(struct om *m, const struct node *parent, const char *k, bool need, struct node *out)
{
	struct value key = str(m, k), *v = parent->v.type == VDICT ? vdictget(parent->v.u.d, key) : NULL;
	const struct cfgpos *p;

	if (!v) {
		if (need)
			missing(m, parent, k);
		return false;
	}
	out->v = *v;
	out->file = parent->file;
	out->line = parent->line;
	out->col = parent->col;
	if ((p = cfgposfind(m->pos, parent->v.u.d, key))) {
		out->file = p->file;
		out->line = p->line;
		out->col = p->col;
	}
	out->name = k;
	if (*parent->name) {
		size_t n = strlen(parent->name), kn = strlen(k);
		char *s = aalloc(m->a, n + kn + 2);

		memcpy(s, parent->name, n);
		s[n] = '.';
		memcpy(s + n + 1, k, kn + 1);
		out->name = s;
	}
	return true;
}

/* parent[k], a value paictl needs; VUNDEF after a message when it is missing */
static struct value
need(struct om *m, const struct node *parent, const char *k)
{
	struct node n;

	return child(m, parent, k, true, &n) ? n.v : (struct value){VUNDEF, {0}};
}

/* a section paictl needs: parent[k], which must be a mapping */
static bool
section(struct om *m, const struct node *parent, const char *k, struct node *out)
{
	return child(m, parent, k, true, out) && needmap(m, out);
}

/* dst[to] = dst[from], as paictl's aliases of the hyphenated keys */
static void
alias(struct om *m, const struct node *n, const char *to, const char *from)
{
	struct value v = need(m, n, from);

	if (v.type != VUNDEF)
		put(m, n->v, to, v);
}

/* machine i of machine-list, named with its hostname when it has one */
static void
hostnode(struct om *m, size_t i, struct node *out)
{
	struct value h = m->hosts.v.u.l->v[i], *hn;
	const struct cfgpos *p;
	struct buf b = {0};

	out->v = h;
	out->file = m->hosts.file;
	out->line = m->hosts.line;
	out->col = m->hosts.col;
	/* a machine is where its first key is written */
	if (h.type == VDICT && h.u.d->len > 0 && (p = cfgposfind(m->pos, h.u.d, h.u.d->keys[0]))) {
		out->file = p->file;
		out->line = p->line;
		out->col = p->col;
	}
	bufprintf(&b, "machine-list[%zu]", i);
	if (h.type == VDICT && (hn = vdictget(h.u.d, str(m, "hostname"))) && hn->type == VSTR)
		bufprintf(&b, " (hostname %s)", hn->u.s->data);
	bufterm(&b);
	out->name = astrndup(m->a, b.data, b.len);
	delbuf(&b);
}

/* true if d[k] == "true", paictl's test of a label (a YAML boolean is not the string) */
static bool
label(struct om *m, struct value d, const char *k, const char *want)
{
	struct value *v = d.type == VDICT ? vdictget(d.u.d, str(m, k)) : NULL;

	return v && veq(*v, str(m, want));
}

/* the machine list: cluster-configuration.yaml's machine-list, a list of mappings */
static bool
machines(struct om *m)
{
	struct node h;
	size_t i;
	bool ok = true;

	if (!needmap(m, &m->top[OPAI_CLUSTER]) || !child(m, &m->top[OPAI_CLUSTER], "machine-list", true, &m->hosts))
		return false;
	if (m->hosts.v.type != VLIST) {
		omerr(m, &m->hosts, "machine-list is %s; OpenPAI's object model needs a list of machines (- hostname: ..., hostip: ...)",
		    kindof(m->hosts.v));
		return false;
	}
	for (i = 0; i < m->hosts.v.u.l->len; i++) {
		hostnode(m, i, &h);
		if (!needmap(m, &h))
			ok = false;
	}
	return ok;
}

/* the first machine with pai-master: "true", as paictl's getMasterIP finds it */
static void
findmaster(struct om *m)
{
	struct node h;
	size_t i;

	m->master = (struct value){VUNDEF, {0}};
	for (i = 0; i < m->hosts.v.u.l->len; i++) {
		hostnode(m, i, &h);
		if (label(m, h.v, "pai-master", "true")) {
			m->master = need(m, &h, "hostip");
			return;
		}
	}
	omerr(m, &m->hosts,
	    "no machine of machine-list has pai-master: \"true\"; OpenPAI's object model takes the first one as the master "
	    "(paictl exits: \"At least one and only one machine should be labeled with pai-master = true\"); "
	    "the value must be the string \"true\", quoted: an unquoted true is a boolean, which paictl does not count");
}

/* paictl's k8sParse: what it checks, and the defaults it writes into the machines */
static void
k8sparse(struct om *m)
{
	static const char *const k8skeys[] = {
		"load-balance-ip", "docker-registry", "hyperkube-version", "etcd-version", "apiserver-version",
		"kube-scheduler-version", "kube-controller-manager-version", "dashboard-version",
	};
	static const char *const roles[] = {"master", "worker", "proxy"};
	static const char *const defaults[] = {"sshport", "password", "username"};
	struct node n, kube, role, h, defs = {0};
	bool havedefs = false, defsdone = false;
	size_t i, r, k;

	if (needmap(m, &m->top[OPAI_SERVICES]) && section(m, &m->top[OPAI_SERVICES], "cluster", &n))
		need(m, &n, "clusterid");
	if (needmap(m, &m->top[OPAI_K8S]) && section(m, &m->top[OPAI_K8S], "kubernetes", &kube)) {
		for (i = 0; i < LEN(k8skeys); i++)
			need(m, &kube, k8skeys[i]);
	}
	if (needmap(m, &m->top[OPAI_ROLES])) {
		need(m, &m->top[OPAI_ROLES], "component-list");
		if (section(m, &m->top[OPAI_ROLES], "k8s-role", &n)) {
			for (r = 0; r < LEN(roles); r++)
				section(m, &n, roles[r], &role);
		}
	}
	if (m->hosts.v.type != VLIST)
		return;
	for (i = 0; i < m->hosts.v.u.l->len; i++) {
		struct value *kr;

		hostnode(m, i, &h);
		if (h.v.type != VDICT)
			continue;
		if (has(m, h.v, "dashboard"))
			need(m, &h, "hostip");
		if (need(m, &h, "k8s-role").type == VUNDEF)
			continue;
		kr = vdictget(h.v.u.d, str(m, "k8s-role"));
		for (r = 0; r < LEN(roles); r++) {
			if (!veq(*kr, str(m, roles[r])))
				continue;
			need(m, &h, "hostname");
			if (m->version < 6 || !has(m, h.v, "nodename"))
				alias(m, &h, "nodename", "hostip");
			for (k = 0; k < LEN(defaults); k++) {
				struct value dv;

				if (has(m, h.v, defaults[k]))
					continue;
				if (!defsdone) {
					defsdone = true;
					havedefs = section(m, &m->top[OPAI_CLUSTER], "default-machine-properties", &defs);
				}
				if (havedefs && (dv = need(m, &defs, defaults[k])).type != VUNDEF)
					put(m, h.v, defaults[k], dv);
			}
		}
	}
}

/* the labels paictl's labelExpend derives from pai-master and pai-worker */
static void
labels(struct om *m, struct value h)
{
	static const char *const master5[] = {"zookeeper", "jobhistory", "launcher", "restserver", "webportal", "prometheus",
	    "grafana", "pylon", "node-exporter"};
	static const char *const master6[] = {"hadoop-name-node", "hadoop-resource-manager", "zookeeper", "jobhistory",
	    "launcher", "restserver", "webportal", "prometheus", "grafana", "pylon", "node-exporter"};
	static const char *const master7[] = {"hadoop-name-node", "hadoop-resource-manager", "zookeeper", "jobhistory",
	    "launcher", "restserver", "webportal", "prometheus", "grafana", "pylon", "watchdog", "node-exporter"};
	static const char *const worker6[] = {"hadoop-data-node", "hadoop-node-manager", "node-exporter"};
	const char *const *l;
	size_t i, n;

	if (label(m, h, "pai-master", "true")) {
		if (m->version < 6) {
			put(m, h, "hdfsrole", str(m, "master"));
			put(m, h, "yarnrole", str(m, "master"));
			l = master5;
			n = LEN(master5);
		} else if (m->version < 7) {
			l = master6;
			n = LEN(master6);
		} else {
			l = master7;
			n = LEN(master7);
		}
		for (i = 0; i < n; i++)
			put(m, h, l[i], str(m, "true"));
	}
	if (label(m, h, "pai-worker", "true")) {
		if (m->version < 6) {
			put(m, h, "hdfsrole", str(m, "worker"));
			put(m, h, "yarnrole", str(m, "worker"));
			put(m, h, "node-exporter", str(m, "true"));
		} else {
			for (i = 0; i < LEN(worker6); i++)
				put(m, h, worker6[i], str(m, "true"));
		}
	}
}

/* "http://<master>:<port>", as paictl's get*Uri build them; port is str() of a value */
static struct value
masteruri(struct om *m, const char *scheme, struct value port)
{
	struct buf t = {0};
	struct value r;

	if (m->master.type == VUNDEF || port.type == VUNDEF)
		return (struct value){VUNDEF, {0}};
	bufadds(&t, scheme);
	vstrto(&t, m->master);
	bufaddc(&t, ':');
	vstrto(&t, port);
	bufterm(&t);
	r = vstrn(m->a, t.data, t.len);
	delbuf(&t);
	return r;
}

/* services-configuration.yaml's section[k], a port paictl reads for a URI */
static struct value
port(struct om *m, const char *sect, const char *k)
{
	struct node s;

	if (!section(m, &m->top[OPAI_SERVICES], sect, &s))
		return (struct value){VUNDEF, {0}};
	return need(m, &s, k);
}

/* d[k] = v unless v could not be computed (an error was reported) */
static void
putv(struct om *m, struct value d, const char *k, struct value v)
{
	if (v.type != VUNDEF)
		put(m, d, k, v);
}

/* a service's key and the URI it takes */
struct uri {
	const char *key;
	const struct value *v;
};

/* putv of each URI of a service, in order */
static void
puturis(struct om *m, struct value d, const struct uri *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		putv(m, d, u[i].key, *u[i].v);
}

/* "http://<master>", undefined when the master is */
static struct value
masterhttp(struct om *m)
{
	return m->master.type == VUNDEF ? m->master : around(m, "http://", m->master, "");
}

/* paictl's getEtcdUri: every k8s-role master, "http://<hostip>:4001", joined by ',' */
static struct value
etcduri(struct om *m)
{
	struct buf t = {0};
	struct value r = {VUNDEF, {0}};
	struct node h;
	size_t i;

	for (i = 0; i < m->hosts.v.u.l->len; i++) {
		hostnode(m, i, &h);
		if (!label(m, h.v, "k8s-role", "master"))
			continue;
		r = need(m, &h, "hostip");
		if (r.type == VUNDEF)
			continue;
		bufadds(&t, t.len ? ",http://" : "http://");
		vstrto(&t, r);
		bufadds(&t, ":4001");
	}
	if (t.len == 0) {
		omerr(m, &m->hosts, "no machine of machine-list has k8s-role: master; OpenPAI's object model builds the etcd URI from them "
		    "(paictl exits: \"No machine labeled with k8s-role = master!\")");
		return (struct value){VUNDEF, {0}};
	}
	bufterm(&t);
	r = vstrn(m->a, t.data, t.len);
	delbuf(&t);
	return r;
}

/* paictl's getK8sDashboardUri: the first machine with dashboard: "true", port 9090 */
static struct value
dashboarduri(struct om *m)
{
	struct node h;
	size_t i;

	for (i = 0; i < m->hosts.v.u.l->len; i++) {
		hostnode(m, i, &h);
		if (label(m, h.v, "dashboard", "true")) {
			struct value ip = need(m, &h, "hostip");

			return ip.type == VUNDEF ? ip : around(m, "http://", ip, ":9090");
		}
	}
	omerr(m, &m->hosts, "no machine of machine-list has dashboard: \"true\"; OpenPAI's object model needs one for the dashboard URI "
	    "(paictl exits: \"no machine labeled with dashboard = true\")");
	return (struct value){VUNDEF, {0}};
}

/* paictl v0.7's alert-manager hosts: hostip of every machine with alert-manager "true" in any case */
static struct value
alerthosts(struct om *m)
{
	struct value l = vlist(m->a, 0, false), *am, ip;
	struct node h;
	struct buf t = {0};
	size_t i;

	for (i = 0; i < m->hosts.v.u.l->len; i++) {
		hostnode(m, i, &h);
		if (h.v.type != VDICT || !(am = vdictget(h.v.u.d, str(m, "alert-manager"))) || am->type == VNONE)
			continue;
		if (am->type != VSTR) {
			child(m, &h, "alert-manager", true, &h);
			omerr(m, &h, "%s is %s; OpenPAI's object model needs a string (\"true\") there (paictl calls .lower() on it)",
			    h.name, kindof(*am));
			continue;
		}
		delbuf(&t);
		bufadds(&t, am->u.s->data);
		bufterm(&t);
		for (char *c = t.data; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strcmp(t.data, "true") == 0 && (ip = need(m, &h, "hostip")).type != VUNDEF)
			vlistpush(m->a, l.u.l, ip);
	}
	delbuf(&t);
	return l;
}

/* paictl's serviceParse: the model */
static struct value
serviceparse(struct om *m)
{
	struct value model = vdict(m->a), v, ml;
	struct node svc = m->top[OPAI_SERVICES], ci, dri, hadoop, fl, rs, wp, gr, pr, py, al, h, kube;
	struct value restsrv, prom, graf, k8sapi = {VUNDEF, {0}}, dash, yarn, webhdfs, portal;
	size_t i;

	if (svc.v.type != VDICT || !child(m, &svc, "cluster", false, &ci) || ci.v.type != VDICT)
		return model;	/* reported by k8sparse */
	putv(m, model, "clusterID", need(m, &ci, "clusterid"));
	put(m, model, "clusterinfo", ci.v);
	alias(m, &ci, "dataPath", "data-path");
	if (m->version < 7) {
		alias(m, &ci, "nvidia_drivers_version", "nvidia-drivers-version");
		alias(m, &ci, "dockerverison", "docker-verison");
	}
	if (section(m, &ci, "docker-registry-info", &dri)) {
		put(m, ci.v, "dockerregistryinfo", dri.v);
		alias(m, &dri, "docker_namespace", "docker-namespace");
		alias(m, &dri, "docker_registry_domain", "docker-registry-domain");
		if (m->version < 6) {
			alias(m, &dri, "docker_username", "docker-username");
			alias(m, &dri, "docker_password", "docker-password");
		} else {
			put(m, dri.v, "docker_username", has(m, dri.v, "docker-username") ? need(m, &dri, "docker-username") : vnone());
			put(m, dri.v, "docker_password", has(m, dri.v, "docker-password") ? need(m, &dri, "docker-password") : vnone());
		}
		alias(m, &dri, "docker_tag", "docker-tag");
		alias(m, &dri, "secretname", "secret-name");
	}

	/* the chained assignment hadoop_vip = hadoop-version = master IP overwrites hadoop-version */
	if (section(m, &svc, "hadoop", &hadoop)) {
		put(m, ci.v, "hadoopinfo", hadoop.v);
		alias(m, &hadoop, "custom_hadoop_binary_path", "custom-hadoop-binary-path");
		alias(m, &hadoop, "hadoopversion", "hadoop-version");
		put(m, hadoop.v, "configmapname", str(m, "hadoop-configuration"));
		if (m->master.type != VUNDEF) {
			put(m, hadoop.v, "hadoop_vip", m->master);
			put(m, hadoop.v, "hadoop-version", m->master);
		}
		if (m->version < 6)
			putv(m, ci.v, "virtualClusters", need(m, &hadoop, "virtualClusters"));
		else
			put(m, ci.v, "virtualClusters", has(m, hadoop.v, "virtualClusters") ? need(m, &hadoop, "virtualClusters") : vdict(m->a));
	}

	if (section(m, &svc, "frameworklauncher", &fl)) {
		put(m, ci.v, "frameworklauncher", fl.v);
		alias(m, &fl, "frameworklauncher_port", "frameworklauncher-port");
		putv(m, fl.v, "frameworklauncher_vip", m->master);
	}

	yarn = masteruri(m, "http://", str(m, "8088"));
	webhdfs = masteruri(m, "http://", str(m, "50070"));
	restsrv = masteruri(m, "http://", port(m, "restserver", "server-port"));
	prom = masteruri(m, "http://", port(m, "prometheus", "prometheus-port"));
	graf = masteruri(m, "http://", port(m, "grafana", "grafana-port"));
	portal = masteruri(m, "http://", port(m, "webportal", "server-port"));
	if (m->top[OPAI_K8S].v.type == VDICT && child(m, &m->top[OPAI_K8S], "kubernetes", false, &kube) &&
	    kube.v.type == VDICT && (v = need(m, &kube, "load-balance-ip")).type != VUNDEF)
		k8sapi = around(m, "http://", v, ":8080");
	dash = m->hosts.v.type == VLIST ? dashboarduri(m) : (struct value){VUNDEF, {0}};

	if (section(m, &svc, "restserver", &rs)) {
		put(m, ci.v, "restserverinfo", rs.v);
		put(m, rs.v, "src_path", str(m, "../rest-server/"));
		if (fl.v.type == VDICT && has(m, fl.v, "frameworklauncher_port"))
			putv(m, rs.v, "webservice_uri", masteruri(m, "http://", need(m, &fl, "frameworklauncher_port")));
		putv(m, rs.v, "hdfs_uri", masteruri(m, "hdfs://", str(m, "9000")));
		putv(m, rs.v, "webhdfs_uri", webhdfs);
		alias(m, &rs, "server_port", "server-port");
		alias(m, &rs, "jwt_secret", "jwt-secret");
		alias(m, &rs, "default_pai_admin_password", "default-pai-admin-password");
		alias(m, &rs, "default_pai_admin_username", "default-pai-admin-username");
		if (m->hosts.v.type == VLIST)
			putv(m, rs.v, "etcd_uri", etcduri(m));
		putv(m, rs.v, "yarn_uri", yarn);
	}

	if (section(m, &svc, "webportal", &wp)) {
		const struct uri u[] = {{"rest_server_uri", &restsrv}, {"prometheus_uri", &prom}, {"grafana_uri", &graf},
		    {"k8s_dashboard_uri", &dash}, {"k8s_api_server_uri", &k8sapi}};

		put(m, ci.v, "webportalinfo", wp.v);
		puturis(m, wp.v, u, LEN(u));
		alias(m, &wp, "server_port", "server-port");
		putv(m, wp.v, "yarn_web_portal_uri", yarn);
	}

	if (section(m, &svc, "grafana", &gr)) {
		put(m, ci.v, "grafanainfo", gr.v);
		putv(m, gr.v, "grafana_url", masterhttp(m));
		alias(m, &gr, "grafana_port", "grafana-port");
	}

	if (section(m, &svc, "prometheus", &pr)) {
		put(m, ci.v, "prometheusinfo", pr.v);
		putv(m, pr.v, "prometheus_url", masterhttp(m));
		alias(m, &pr, "prometheus_port", "prometheus-port");
		alias(m, &pr, "node_exporter_port", "node-exporter-port");
		if (m->version >= 7 && m->hosts.v.type == VLIST) {
			v = alerthosts(m);
			if (child(m, &pr, "alerting", false, &al) && al.v.type != VNONE && needmap(m, &al))
				put(m, al.v, "alert-manager-hosts", v);
		}
	}

	if (section(m, &svc, "pylon", &py)) {
		const struct uri u[] = {{"rest_server_uri", &restsrv}, {"k8s_api_server_uri", &k8sapi},
		    {"webhdfs_uri", &webhdfs}, {"prometheus_uri", &prom}, {"k8s_dashboard_uri", &dash},
		    {"yarn_web_portal_uri", &yarn}, {"grafana_uri", &graf}, {"pai_web_portal_uri", &portal}};

		put(m, ci.v, "pyloninfo", py.v);
		puturis(m, py.v, u, LEN(u));
	}

	if (m->top[OPAI_CLUSTER].v.type == VDICT)
		putv(m, model, "machineinfo", need(m, &m->top[OPAI_CLUSTER], "machine-sku"));
	ml = vdict(m->a);
	put(m, model, "machinelist", ml);
	for (i = 0; m->hosts.v.type == VLIST && i < m->hosts.v.u.l->len; i++) {
		struct value hostname;

		hostnode(m, i, &h);
		if (h.v.type != VDICT)
			continue;
		hostname = need(m, &h, "hostname");
		if (hostname.type == VUNDEF)
			continue;
		if (!vhashable(hostname)) {
			omerr(m, &h, "%s: hostname is %s; OpenPAI's object model keys the machines by hostname, which must be a single value",
			    h.name, kindof(hostname));
			continue;
		}
		labels(m, h.v);
		alias(m, &h, "nodename", "hostip");
		alias(m, &h, "machinetype", "machine-type");
		alias(m, &h, "ip", "hostip");
		vdictset(m->a, ml.u.d, hostname, h.v);
	}
	return model;
}

bool
openpaimodel(struct arena *a, const struct cfgpostab *pos, int version, const char *const files[OPAI_NFILES],
    struct value root[OPAI_NFILES], struct value *out, int *nerr)
{
	struct om m = {.a = a, .pos = pos, .version = version};
	size_t i;

	for (i = 0; i < OPAI_NFILES; i++) {
		m.top[i].v = root[i];
		m.top[i].file = files[i];
		m.top[i].name = "";
	}
	m.master = (struct value){VUNDEF, {0}};
	if (machines(&m))
		findmaster(&m);
	else
		m.hosts.v = vnone();
	k8sparse(&m);
	*out = serviceparse(&m);
	delbuf(&m.said);
	*nerr += m.d.nerr;
	return m.d.nerr == 0;
}
