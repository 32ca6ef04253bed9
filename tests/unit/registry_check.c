#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "util.h"

static void
assertref(const struct registry *r, const char *name, const char *repo, const char *ref)
{
	char *s = regrepo(r, name);

	ck_assert_str_eq(s, repo);
	free(s);
	s = regref(r, name);
	ck_assert_str_eq(s, ref);
	free(s);
}

START_TEST(test_names)
{
	struct registry r;
	const char *why = NULL;

	ck_assert(mkregistry(&r, "reg.example.com:5000", "openpai", "v0.14.0", &why));
	assertref(&r, "hadoop-run", "reg.example.com:5000/openpai/hadoop-run", "reg.example.com:5000/openpai/hadoop-run:v0.14.0");
	delregistry(&r);
	/* OpenPAI's "public" is Docker Hub: no domain in the reference */
	ck_assert(mkregistry(&r, "public", "openpai", "latest", &why));
	assertref(&r, "hbase", "openpai/hbase", "openpai/hbase:latest");
	delregistry(&r);
	ck_assert(mkregistry(&r, "", NULL, NULL, &why));
	assertref(&r, "hbase", "hbase", "hbase:latest");
	delregistry(&r);
	ck_assert(mkregistry(&r, "localhost:5000", "a/b", "x", &why));
	assertref(&r, "c", "localhost:5000/a/b/c", "localhost:5000/a/b/c:x");
	delregistry(&r);
}
END_TEST

START_TEST(test_invalid)
{
	struct registry r;
	const char *why = NULL;

	ck_assert(!mkregistry(&r, "reg example", "ns", "t", &why));
	ck_assert_ptr_nonnull(strstr(why, "host"));
	ck_assert(!mkregistry(&r, "reg:port", "ns", "t", &why));
	ck_assert(!mkregistry(&r, "reg", "Upper", "t", &why));
	ck_assert_ptr_nonnull(strstr(why, "namespace"));
	ck_assert(!mkregistry(&r, "reg", "ns", "-bad", &why));
	ck_assert_ptr_nonnull(strstr(why, "tag"));
	ck_assert(!mkregistry(&r, "reg", "ns", "a:b", &why));
}
END_TEST

START_TEST(test_valid)
{
	char longtag[130];

	ck_assert(validtag("v1.0_rc-2"));
	ck_assert(validtag("_x"));
	ck_assert(!validtag(""));
	ck_assert(!validtag(".x"));
	ck_assert(!validtag("a/b"));
	memset(longtag, 'a', 128);
	longtag[128] = '\0';
	ck_assert(validtag(longtag));
	longtag[128] = 'a';
	longtag[129] = '\0';
	ck_assert(!validtag(longtag));
	ck_assert(validrepopath("a"));
	ck_assert(validrepopath("hadoop-run"));
	ck_assert(validrepopath("a__b.c/d--e"));
	ck_assert(validrepopath("ns/sub/name"));
	ck_assert(!validrepopath(""));
	ck_assert(!validrepopath("a//b"));
	ck_assert(!validrepopath("a/"));
	ck_assert(!validrepopath("-a"));
	ck_assert(!validrepopath("a-"));
	ck_assert(!validrepopath("a___b"));
	ck_assert(!validrepopath("a..b"));
	ck_assert(!validrepopath("A"));
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

static char tmpdir[64];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/registry_check.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("/bin/rm -rf %s", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* writes text as tmpdir/name and returns the path */
static char *
cfg(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);

	ck_assert_int_ge(writefile(path, text, strlen(text), 0644), 0);
	return path;
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

int
main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_host);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_info_dir);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
