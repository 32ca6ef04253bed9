#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "unit.h"
#include "util.h"

static void
setup(void)
{
	tmpsetup();
	put("images/a/image.yaml", "", 0644);
	put("images/a/Dockerfile", "FROM scratch\n", 0644);
}

/* runs imagegen check --images=images OPT; the exit status, *err what it printed on stderr */
static int
check(const char *opt, char **err)
{
	char *argv[] = {"check", "--images=images", (char *)opt, NULL};
	int rc;

	rc = runcapture(cmd_tree, argv);
	*err = xstrdup(captured);
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

	tcase_add_checked_fixture(tc, setup, tmpteardown);
	tcase_add_test(tc, test_values);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
