/*
 * the OpenPAI object model through tmpl.h: what templates see, the
 * sharing of paictl's aliases, the compiled form, the JSON of config
 * --print and the errors for what paictl needs (tests/openpai/ compares
 * the whole model with a Python one on many configurations)
 */
#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpl.h"
#include "unit.h"

static char outtext[16384];

static const char cluster[] =
    "default-machine-properties: {username: u, password: p, sshport: 22}\n"
    "machine-sku:\n"
    "  S: {mem: 8}\n"
    "machine-list:\n"
    "  - hostname: m\n"
    "    hostip: 10.1.0.1\n"
    "    machine-type: S\n"
    "    k8s-role: master\n"
    "    pai-master: \"true\"\n"
    "    dashboard: \"true\"\n"
    "  - hostname: w\n"
    "    hostip: 10.1.0.2\n"
    "    machine-type: S\n"
    "    k8s-role: worker\n"
    "    pai-worker: \"true\"\n"
    "    sshport: 2222\n";
static const char roles[] = "component-list: {}\nk8s-role: {master: {}, worker: {}, proxy: {}}\n";
static const char kube[] =
    "kubernetes:\n"
    "  load-balance-ip: 10.1.0.1\n"
    "  docker-registry: r\n"
    "  hyperkube-version: v1\n"
    "  etcd-version: v2\n"
    "  apiserver-version: v1\n"
    "  kube-scheduler-version: v1\n"
    "  kube-controller-manager-version: v1\n"
    "  dashboard-version: v3\n";
static const char services[] =
    "cluster:\n"
    "  clusterid: c\n"
    "  nvidia-drivers-version: 384.111\n"
    "  docker-verison: 17.06.2\n"
    "  data-path: /d\n"
    "  docker-registry-info:\n"
    "    docker-namespace: ns\n"
    "    docker-registry-domain: public\n"
    "    docker-tag: v1\n"
    "    secret-name: s\n"
    "hadoop:\n"
    "  custom-hadoop-binary-path: None\n"
    "  hadoop-version: 2.7.2\n"
    "frameworklauncher: {frameworklauncher-port: 9086}\n"
    "restserver:\n"
    "  server-port: 9186\n"
    "  jwt-secret: j\n"
    "  default-pai-admin-username: a\n"
    "  default-pai-admin-password: b\n"
    "webportal: {server-port: 9286}\n"
    "grafana: {grafana-port: 3000}\n"
    "prometheus: {prometheus-port: 9091, node-exporter-port: 9100}\n"
    "pylon: {port: 80}\n";

/* name written into the configuration directory, conf */
static void
putconf(const char *name, const char *text)
{
	char *p = pathjoin("conf", name);

	put(p, text, 0644);
	free(p);
}

static void
setup(void)
{
	tmpsetup();
	putconf("cluster-configuration.yaml", cluster);
	putconf("k8s-role-definition.yaml", roles);
	putconf("kubernetes-configuration.yaml", kube);
	putconf("services-configuration.yaml", services);
}

/* loads conf with model; stderr goes to captured */
static struct tenv *
load(enum tmodel model, bool *ok)
{
	struct tenv *env = mktenv();

	capture(2);
	*ok = tenvloadmodel(env, "conf", model);
	uncapture();
	return env;
}

static const char *
render(struct tenv *env, const char *src)
{
	struct buf out = {0};

	ck_assert_msg(tmplrender(env, "t.j2", src, strlen(src), &out), "%s", src);
	snprintf(outtext, sizeof(outtext), "%s", out.data ? out.data : "");
	delbuf(&out);
	return outtext;
}

START_TEST(test_model)
{
	bool ok;
	struct tenv *env = load(TMODEL_AUTO, &ok);

	ck_assert_msg(ok, "%s", captured);
	/* a directory of the four files is OpenPAI's, by itself */
	ck_assert_int_eq(tenvmodel(env), TMODEL_OPENPAI6);
	ck_assert_str_eq(render(env, "{{ clusterconfig['clusterinfo']['hadoopinfo']['hadoopversion'] }}"), "2.7.2");
	/* paictl's chained assignment leaves the master IP in hadoop-version */
	ck_assert_str_eq(render(env, "{{ clusterconfig.clusterinfo.hadoopinfo['hadoop-version'] }}"), "10.1.0.1");
	/* sections are shared, not copied: the hyphenated keys stay beside the aliases */
	ck_assert_str_eq(render(env, "{{ clusterconfig.clusterinfo.dockerregistryinfo is sameas "
	    "clusterconfig.clusterinfo['docker-registry-info'] }} {{ clusterconfig.clusterinfo['data-path'] }}"
	    "{{ clusterconfig.clusterinfo.dataPath }}"), "True /d/d");
	ck_assert_str_eq(render(env, "{{ clusterconfig.clusterinfo.nvidia_drivers_version }} "
	    "{{ clusterconfig.clusterinfo.dockerregistryinfo.docker_username }}"), "384.111 None");
	ck_assert_str_eq(render(env, "{{ clusterconfig.clusterinfo.restserverinfo.webservice_uri }} "
	    "{{ clusterconfig.clusterinfo.restserverinfo.etcd_uri }} {{ clusterconfig.clusterinfo.webportalinfo.k8s_dashboard_uri }}"),
	    "http://10.1.0.1:9086 http://10.1.0.1:4001 http://10.1.0.1:9090");
	/* the machines by hostname, with the labels and the defaults k8sParse adds */
	ck_assert_str_eq(render(env, "{% for n, h in clusterconfig.machinelist.items() %}{{ n }}:{{ h.ip }},{{ h.sshport }},"
	    "{{ h.username }},{{ h.machinetype }},{{ h['hadoop-data-node'] }};{% endfor %}"),
	    "m:10.1.0.1,22,u,S,;w:10.1.0.2,2222,u,S,true;");
	/* paictl hands templates clusterconfig alone */
	ck_assert_str_eq(render(env, "{{ clusterinfo is defined }}"), "False");
	deltenv(env);
	/* the yaml model: the files merged, each top-level key a variable */
	env = load(TMODEL_YAML, &ok);
	ck_assert(ok);
	ck_assert_str_eq(render(env, "{{ cluster.clusterid }} {{ clusterconfig.hadoop['hadoop-version'] }} {{ clusterinfo is defined }}"),
	    "c 2.7.2 False");
	deltenv(env);
}
END_TEST

START_TEST(test_versions)
{
	bool ok;
	struct tenv *env = load(TMODEL_OPENPAI5, &ok);

	/* v0.5 needs docker-username and docker-password; v0.6.1 made them optional */
	ck_assert(!ok);
	ck_assert_msg(strstr(captured, "services-configuration.yaml:6:3: error: cluster.docker-registry-info has no "
	    "'docker-username'") != NULL, "%s", captured);
	ck_assert_msg(strstr(captured, "--config-model=openpai") != NULL, "%s", captured);
	deltenv(env);
	putconf("services-configuration.yaml", "cluster:\n  clusterid: c\n  data-path: /d\n  docker-registry-info:\n"
	    "    docker-namespace: ns\n    docker-registry-domain: public\n    docker-tag: v1\n    secret-name: s\n"
	    "    docker-username: u\n    docker-password: p\n"
	    "hadoop: {custom-hadoop-binary-path: x, hadoop-version: 2.9.0, virtualClusters: {}}\n"
	    "frameworklauncher: {frameworklauncher-port: 1}\nrestserver: {server-port: 2, jwt-secret: j,\n"
	    "  default-pai-admin-username: a, default-pai-admin-password: b}\nwebportal: {server-port: 3}\n"
	    "grafana: {grafana-port: 4}\nprometheus: {prometheus-port: 5, node-exporter-port: 6, alerting: {}}\npylon: {port: 7}\n");
	env = load(TMODEL_OPENPAI7, &ok);
	ck_assert_msg(ok, "%s", captured);
	ck_assert_str_eq(render(env, "{{ clusterconfig.machinelist.m.watchdog }} {{ clusterconfig.clusterinfo.prometheusinfo.alerting }}"),
	    "true {'alert-manager-hosts': []}");
	deltenv(env);
	/* v0.6.1's model needs the keys v0.7 dropped, and says so */
	env = load(TMODEL_OPENPAI6, &ok);
	ck_assert(!ok);
	ck_assert_msg(strstr(captured, "cluster has no 'nvidia-drivers-version'") != NULL, "%s", captured);
	ck_assert_msg(strstr(captured, "--config-model=openpai-v0.7") != NULL, "%s", captured);
	deltenv(env);
	env = load(TMODEL_OPENPAI5, &ok);
	ck_assert(!ok);
	ck_assert_msg(strstr(captured, "hdfsrole") == NULL, "%s", captured);
	deltenv(env);
}
END_TEST

START_TEST(test_errors)
{
	bool ok;
	struct tenv *env;

	putconf("cluster-configuration.yaml",
	    "machine-sku: {}\nmachine-list:\n  - hostname: m\n    hostip: 1.2.3.4\n    machinetype: S\n    k8s-role: master\n"
	    "    pai-master: true\n");
	putconf("k8s-role-definition.yaml", "component-list: {}\nk8s-role: {master: {}, worker: [], proxy: {}}\n");
	env = load(TMODEL_OPENPAI6, &ok);
	ck_assert(!ok);
	/* each with file:line:col, the key, and what would be right */
	ck_assert_msg(strstr(captured, "cluster-configuration.yaml:3:5: error: machine-list[0] (hostname m) has no 'machine-type', "
	    "which OpenPAI's object model needs (paictl stops with KeyError: 'machine-type'); it has 'machinetype': spell it machine-type")
	    != NULL, "%s", captured);
	ck_assert_msg(strstr(captured, "cluster-configuration.yaml:2:1: error: no machine of machine-list has pai-master: \"true\"") != NULL,
	    "%s", captured);
	ck_assert_msg(strstr(captured, "k8s-role-definition.yaml:2:24: error: k8s-role.worker is a list; OpenPAI's object model needs a mapping there")
	    != NULL, "%s", captured);
	/* the machine needs sshport, username and password from default-machine-properties */
	ck_assert_msg(strstr(captured, "no top-level 'default-machine-properties'") != NULL, "%s", captured);
	/* no dashboard machine */
	ck_assert_msg(strstr(captured, "no machine labeled with dashboard = true") != NULL, "%s", captured);
	deltenv(env);
	/* a missing file */
	putconf("k8s-role-definition.yaml", roles);
	ck_assert_int_eq(unlink("conf/kubernetes-configuration.yaml"), 0);
	env = load(TMODEL_OPENPAI6, &ok);
	ck_assert(!ok);
	ck_assert_msg(strstr(captured, "cannot read kubernetes-configuration.yaml, which the openpai configuration model reads") != NULL,
	    "%s", captured);
	deltenv(env);
	/* auto: without the four files the directory is plain YAML */
	env = load(TMODEL_AUTO, &ok);
	ck_assert_msg(ok, "%s", captured);
	ck_assert_int_eq(tenvmodel(env), TMODEL_YAML);
	deltenv(env);
}
END_TEST

START_TEST(test_compiled)
{
	struct tenv *env = mktenv();
	struct buf b = {0};
	const char *bin = "conf.bin";

	ck_assert(tenvcompileconfig(env, "conf", TMODEL_AUTO, &b));
	deltenv(env);
	ck_assert_int_ge(writefile(bin, b.data, b.len, 0644), 0);
	/* the compiled form keeps the model: the same values, shared as they were, and no top-level variables */
	env = mktenv();
	ck_assert(tenvloadconfig(env, bin));
	ck_assert_int_eq(tenvmodel(env), TMODEL_OPENPAI6);
	ck_assert_str_eq(render(env, "{{ clusterconfig.clusterinfo.dockerregistryinfo is sameas "
	    "clusterconfig.clusterinfo['docker-registry-info'] }} {{ clusterinfo is defined }} "
	    "{{ clusterconfig.clusterinfo.hadoopinfo['hadoop-version'] }}"), "True False 10.1.0.1");
	deltenv(env);
	/* a compiled model is not another one */
	env = mktenv();
	ck_assert(freopen("/dev/null", "w", stderr) != NULL);
	ck_assert(!tenvloadmodel(env, bin, TMODEL_YAML));
	deltenv(env);
	env = mktenv();
	ck_assert(tenvloadmodel(env, bin, TMODEL_OPENPAI6));
	deltenv(env);
	delbuf(&b);
}
END_TEST

START_TEST(test_json)
{
	struct tenv *env = mktenv();
	struct buf b = {0};
	const char *yaml = "a: [1, 2.5, \"x\\ty\\u00e9\", null, true, {}]\n7: {b: &r {c: .inf}, d: *r}\ne: []\n";

	put("j.yaml", yaml, 0644);
	ck_assert(tenvloadconfig(env, "j.yaml"));
	ck_assert(tenvjson(env, &b));
	bufterm(&b);
	/* json.dumps(v, indent=2, ensure_ascii=False) */
	ck_assert_str_eq(b.data, "{\n  \"a\": [\n    1,\n    2.5,\n    \"x\\ty\xc3\xa9\",\n    null,\n    true,\n    {}\n  ],\n"
	    "  \"7\": {\n    \"b\": {\n      \"c\": Infinity\n    },\n    \"d\": {\n      \"c\": Infinity\n    }\n  },\n  \"e\": []\n}\n");
	delbuf(&b);
	deltenv(env);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("openpai");
	TCase *tc = tcase_create("openpai");

	tcase_add_checked_fixture(tc, setup, tmpteardown);
	tcase_add_test(tc, test_model);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_compiled);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
