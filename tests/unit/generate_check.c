#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static char dir[64];

static void
setup(void)
{
	char *p;

	snprintf(dir, sizeof(dir), "/tmp/generate_check.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chdir(dir), 0);
	p = xasprintf("%s/images/a/image.yaml", dir);
	ck_assert_int_ge(writefile(p, "", 0, 0644), 0);
	free(p);
	p = xasprintf("%s/images/a/Dockerfile", dir);
	ck_assert_int_ge(writefile(p, "FROM scratch\n", 13, 0644), 0);
	free(p);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* runs imagegen check --images=images OPT with stderr in err.txt; the exit status, *err what it printed */
static int
check(const char *opt, char **err)
{
	char *argv[] = {"check", "--images=images", (char *)opt, NULL};
	struct buf b = {0};
	int fd, saved, rc;

	fflush(stderr);
	saved = dup(2);
	fd = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	rc = cmd_check(3, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert(readfile("err.txt", &b));
	bufterm(&b);
	*err = b.data;
	return rc;
}

START_TEST(test_values)
{
	static const struct {
		const char *opt;
		int rc;
		const char *msg;
	} cases[] = {
		{"--registry=reg.example.com:5000", 0, ""},
		{"--registry=public", 0, ""},
		{"--registry=reg\nx", 2, "imagegen: check: --registry: the value holds a newline (U+000A)"},
		{"--tag=v1\n", 2, "imagegen: check: --tag: the value holds a newline (U+000A)"},
		{"--registry=reg x", 2, "--registry=reg x: expected a registry host or host:port"},
		{"--namespace=a b$c", 2, "--namespace=a b$c: expected lowercase letters and digits"},
		{"--namespace=openpai/ci", 0, ""},
		{"--cache-registry=localhost:5000/cache", 0, ""},
		{"--cache-registry=localhost:5000/Cache", 2, "expected host[:port], optionally followed by /namespace"},
		{"--layer-cache=a b", 2, "expected host[:port], optionally followed by /namespace"},
		{"--builder=far-1", 0, ""},
		{"--builder=a;b", 2, "a builder name is letters, digits"},
		{"--registry-user=a b", 2, "a user name holds no space"},
		{"--registry-password-env=1X", 2, "expected the name of an environment variable"},
	};
	size_t i;
	char *err;

	for (i = 0; i < LEN(cases); i++) {
		ck_assert_int_eq(check(cases[i].opt, &err), cases[i].rc);
		if (*cases[i].msg)
			ck_assert_msg(strstr(err, cases[i].msg), "%s: stderr: %s", cases[i].opt, err);
		else
			ck_assert_msg(!*err, "%s: stderr: %s", cases[i].opt, err);
		free(err);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("generate");
	TCase *tc = tcase_create("generate");
	SRunner *sr;
	int nfail;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_values);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? 1 : 0;
}
