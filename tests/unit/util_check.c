#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/util_check.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

START_TEST(test_bufprintf)
{
	struct buf b = {0};
	char big[300];
	size_t i;

	/* short, then one that outgrows the buffer, then one that fills it to the byte */
	bufprintf(&b, "%s-%d", "ab", 7);
	ck_assert_str_eq(b.data, "ab-7");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bufprintf(&b, "[%s]", big);
	ck_assert_uint_eq(b.len, 4 + 2 + sizeof(big) - 1);
	ck_assert_int_eq(b.data[4], '[');
	ck_assert_int_eq(b.data[b.len - 1], ']');
	ck_assert_int_eq(b.data[b.len], '\0');
	for (i = 5; i < b.len - 1; i++)
		ck_assert_int_eq(b.data[i], 'x');
	/* every length around the buffer's capacity, after a prefix */
	for (i = 1; i < sizeof(big); i++) {
		b.len = 0;
		bufprintf(&b, "%zu:", i);
		big[i] = '\0';
		bufprintf(&b, "%s", big);
		big[i] = 'x';
		ck_assert_uint_eq(b.len, strlen(b.data));
		ck_assert_uint_eq(b.len, (size_t)snprintf(NULL, 0, "%zu:", i) + i);
		ck_assert_int_eq(b.data[b.len - 1], 'x');
	}
	buffree(&b);
}
END_TEST

START_TEST(test_xasprintf)
{
	char *s = xasprintf("%s:%d:%d: %s", "f", 3, 14, "message");

	ck_assert_str_eq(s, "f:3:14: message");
	free(s);
	s = xasprintf("%s", "");
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_optval)
{
	ck_assert_str_eq(optval("--tag=v1", "--tag"), "v1");
	ck_assert_str_eq(optval("--tag=", "--tag"), "");
	ck_assert_ptr_null(optval("--tags=v1", "--tag"));
	ck_assert_ptr_null(optval("--tag", "--tag"));
	ck_assert_ptr_null(optval("--ta=v1", "--tag"));
}
END_TEST

START_TEST(test_writefile)
{
	char *p = pathjoin(dir, "sub/f"), *tmp = xasprintf("%s.tmp", p);
	struct stat a, b;
	struct buf got = {0};

	ck_assert_int_eq(writefile(p, "one\n", 4, 0640), 1);
	ck_assert_int_eq(stat(p, &a), 0);
	ck_assert_uint_eq(a.st_mode & 07777, 0640);
	/* same content and mode: not written, the file keeps its inode */
	ck_assert_int_eq(writefile(p, "one\n", 4, 0640), 0);
	ck_assert_int_eq(stat(p, &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	/* only the mode differs: written */
	ck_assert_int_eq(writefile(p, "one\n", 4, 0755), 1);
	ck_assert_int_eq(stat(p, &b), 0);
	ck_assert_uint_eq(b.st_mode & 07777, 0755);
	ck_assert_int_eq(writefile(p, "two\n", 4, 0755), 1);
	ck_assert(readfile(p, &got));
	bufterm(&got);
	ck_assert_str_eq(got.data, "two\n");
	ck_assert_int_ne(access(tmp, F_OK), 0);
	buffree(&got);
	free(tmp);
	free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	SRunner *sr;
	int nfail;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bufprintf);
	tcase_add_test(tc, test_xasprintf);
	tcase_add_test(tc, test_optval);
	tcase_add_test(tc, test_writefile);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? 1 : 0;
}
