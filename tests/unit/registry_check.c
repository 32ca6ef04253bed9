#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "unit.h"
#include "util.h"

START_TEST(test_repo)
{
	char *s;

	s = regrepo("reg.example.com:5000", "openpai", "hadoop-run");
	ck_assert_str_eq(s, "reg.example.com:5000/openpai/hadoop-run");
	free(s);
	/* OpenPAI's "public" is Docker Hub */
	s = regrepo("public", "openpai", "hbase");
	ck_assert_str_eq(s, "docker.io/openpai/hbase");
	free(s);
	s = regrepo("localhost:5000", "a/b", "c");
	ck_assert_str_eq(s, "localhost:5000/a/b/c");
	free(s);
	s = regrepo("reg:5000", NULL, "x");
	ck_assert_str_eq(s, "reg:5000/x");
	free(s);
	s = regrepo("reg:5000", "", "x");
	ck_assert_str_eq(s, "reg:5000/x");
	free(s);
	ck_assert_ptr_null(regrepo(NULL, "ns", "x"));
	ck_assert_ptr_null(regrepo("", "ns", "x"));
}
END_TEST

START_TEST(test_valid)
{
	ck_assert(regdomainok("reg.example.com"));
	ck_assert(regdomainok("127.0.0.1:5000"));
	ck_assert(regdomainok("Reg-1.example"));
	ck_assert(regdomainok("public"));
	ck_assert(!regdomainok(""));
	ck_assert(!regdomainok("reg example"));
	ck_assert(!regdomainok("reg:port"));
	ck_assert(!regdomainok("reg:"));
	ck_assert(!regdomainok(":5000"));
	ck_assert(!regdomainok("reg/ns"));
	ck_assert(!regdomainok("reg\nx"));
	ck_assert(regpathok("a"));
	ck_assert(regpathok("hadoop-run"));
	ck_assert(regpathok("a__b.c/d--e"));
	ck_assert(regpathok("ns/sub/name"));
	ck_assert(!regpathok(""));
	ck_assert(!regpathok("a//b"));
	ck_assert(!regpathok("a/"));
	ck_assert(!regpathok("/a"));
	ck_assert(!regpathok("-a"));
	ck_assert(!regpathok("a-"));
	ck_assert(!regpathok("a___b"));
	ck_assert(!regpathok("a..b"));
	ck_assert(!regpathok("A"));
	ck_assert(!regpathok("a b"));
	ck_assert(!regpathok("a$b"));
	ck_assert(regrefok("localhost:5000"));
	ck_assert(regrefok("localhost:5000/cache"));
	ck_assert(regrefok("reg.example.com/ci/cache"));
	ck_assert(!regrefok("localhost:5000/Cache"));
	ck_assert(!regrefok("localhost:5000/"));
	ck_assert(!regrefok("x y/cache"));
	ck_assert(!regrefok(""));
}
END_TEST

START_TEST(test_host)
{
	const char *cases[][2] = {
		{"reg.example.com/ns/x:1", "reg.example.com"},
		{"127.0.0.1:5000/ns/x", "127.0.0.1:5000"},
		{"localhost/x", "localhost"},
		{"openpai/hbase", "docker.io"},
		{"hbase", "docker.io"},
	};
	size_t i;
	char *s;

	for (i = 0; i < LEN(cases); i++) {
		s = refhost(cases[i][0]);
		ck_assert_str_eq(s, cases[i][1]);
		free(s);
	}
}
END_TEST

/* writes text as tmpdir/name and returns the path */
static char *
cfg(const char *name, const char *text)
{
	put(name, text, 0644);
	return pathjoin(tmpdir, name);
}

START_TEST(test_info)
{
	struct registryinfo ri;
	bool found;
	char *path;

	path = cfg("c.yaml", "cluster:\n  x: 1\n"
	    "docker-registry-info:\n"
	    "  docker-registry-domain: reg.example.com:5000\n"
	    "  docker-namespace: openpai\n"
	    "  docker-tag: v0.14.0\n"
	    "  docker-username: bob\n"
	    "  docker-password: 's3 cret'\n"
	    "  secret-name: ignored\n");
	ck_assert(registryinfoload(path, &ri, &found));
	ck_assert(found);
	ck_assert_str_eq(ri.domain, "reg.example.com:5000");
	ck_assert_str_eq(ri.namespace, "openpai");
	ck_assert_str_eq(ri.tag, "v0.14.0");
	ck_assert_str_eq(ri.user, "bob");
	ck_assert_str_eq(ri.password, "s3 cret");
	ck_assert_ptr_null(ri.passfile);
	ck_assert_ptr_null(ri.passenv);
	delregistryinfo(&ri);
	ck_assert_ptr_null(ri.domain);
	free(path);
	/* YAML typing as PyYAML: a numeric tag prints as Python prints it; null is absent */
	path = cfg("n.yaml", "docker-registry-info:\n  docker-tag: 1.10\n  docker-namespace: ~\n  docker-password-env: REGPW\n");
	ck_assert(registryinfoload(path, &ri, &found));
	ck_assert(found);
	ck_assert_str_eq(ri.tag, "1.1");
	ck_assert_ptr_null(ri.namespace);
	ck_assert_ptr_null(ri.domain);
	ck_assert_str_eq(ri.passenv, "REGPW");
	delregistryinfo(&ri);
	free(path);
	/* no section */
	path = cfg("none.yaml", "cluster: {}\n");
	ck_assert(registryinfoload(path, &ri, &found));
	ck_assert(!found);
	free(path);
	/* a value over two lines */
	path = cfg("ml.yaml", "docker-registry-info:\n  docker-username: \"a\\nb\"\n");
	ck_assert(!registryinfoload(path, &ri, &found));
	free(path);
	/* unreadable configuration */
	path = xasprintf("%s/missing.yaml", tmpdir);
	ck_assert(!registryinfoload(path, &ri, &found));
	free(path);
}
END_TEST

START_TEST(test_info_dir)
{
	struct registryinfo ri;
	bool found;
	char *p;

	p = cfg("dir/a.yaml", "other: 1\n");
	free(p);
	p = cfg("dir/b.yml", "docker-registry-info:\n  docker-registry-domain: public\n  docker-namespace: team\n");
	free(p);
	p = xasprintf("%s/dir", tmpdir);
	ck_assert(registryinfoload(p, &ri, &found));
	ck_assert(found);
	ck_assert_str_eq(ri.domain, "public");
	ck_assert_str_eq(ri.namespace, "team");
	ck_assert_ptr_null(ri.tag);
	delregistryinfo(&ri);
	free(p);
}
END_TEST

START_TEST(test_info_openpai)
{
	struct registryinfo ri;
	bool found;
	char *p;

	/* paictl era: cluster.docker-registry-info of services-configuration.yaml, read alone */
	p = cfg("pai/services-configuration.yaml", "cluster:\n  clusterid: x\n"
	    "  docker-registry-info:\n"
	    "    docker-namespace: openpai\n"
	    "    docker-registry-domain: docker.io\n"
	    "    docker-tag: v0.6.1\n"
	    "    secret-name: regsecret\n"
	    "  docker-registry:\n"
	    "    domain: not.this.one\n");
	free(p);
	p = cfg("pai/cluster-configuration.yaml", "machine-list: [unclosed\n");
	free(p);
	p = xasprintf("%s/pai", tmpdir);
	ck_assert(registryinfoload(p, &ri, &found));
	free(p);
	ck_assert(found);
	ck_assert(ri.openpai);
	ck_assert_str_eq(ri.section, "cluster.docker-registry-info");
	ck_assert_str_eq(ri.domain, "docker.io");
	ck_assert_str_eq(ri.namespace, "openpai");
	ck_assert_str_eq(ri.tag, "v0.6.1");
	ck_assert_ptr_null(ri.user);
	ck_assert_ptr_null(ri.password);
	p = xasprintf("%s/pai/services-configuration.yaml", tmpdir);
	ck_assert_str_eq(ri.file, p);
	free(p);
	ck_assert_int_eq(ri.line, 3);
	ck_assert_int_eq(ri.col, 3);
	ck_assert_int_eq(ri.kline[REG_TAG], 6);
	ck_assert_int_eq(ri.kcol[REG_TAG], 5);
	ck_assert_int_eq(ri.kline[REG_USER], 0);
	ck_assert_str_eq(ri.keys[REG_TAG], "docker-tag");
	delregistryinfo(&ri);
	/* the later form, cluster.docker-registry */
	p = cfg("later.yaml", "cluster:\n"
	    "  docker-registry:\n"
	    "    namespace: team\n"
	    "    domain: public\n"
	    "    tag: 1.0\n"
	    "    username: u\n"
	    "    password: pw\n"
	    "    secret-name: regsecret\n");
	ck_assert(registryinfoload(p, &ri, &found));
	free(p);
	ck_assert(found);
	ck_assert(ri.openpai);
	ck_assert_str_eq(ri.section, "cluster.docker-registry");
	ck_assert_str_eq(ri.domain, "public");
	ck_assert_str_eq(ri.namespace, "team");
	ck_assert_str_eq(ri.tag, "1.0");
	ck_assert_str_eq(ri.user, "u");
	ck_assert_str_eq(ri.password, "pw");
	ck_assert_str_eq(ri.keys[REG_PASSWORD], "password");
	ck_assert_int_eq(ri.kline[REG_PASSWORD], 7);
	delregistryinfo(&ri);
	/* a section whose keys are all commented out is null: an error with its position */
	p = cfg("null.yaml", "cluster:\n  docker-registry:\n    #domain: x\n");
	ck_assert(!registryinfoload(p, &ri, &found));
	ck_assert(found);
	free(p);
	/* a mapping where one value is expected */
	p = cfg("map.yaml", "cluster:\n  docker-registry-info:\n    docker-tag: {a: 1}\n");
	ck_assert(!registryinfoload(p, &ri, &found));
	free(p);
	/* a cluster section without a registry: none */
	p = cfg("noreg.yaml", "cluster:\n  clusterid: x\n");
	ck_assert(registryinfoload(p, &ri, &found));
	ck_assert(!found);
	free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, test_repo);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_host);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, tmpsetup, tmpteardown);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_info_dir);
	tcase_add_test(tc, test_info_openpai);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
