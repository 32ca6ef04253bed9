#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "walk.h"

static char dir[64];

static void
put(const char *rel)
{
	char *p = pathjoin(dir, rel);

	ck_assert_int_ge(writefile(p, "x", 1, 0644), 0);
	free(p);
}

static void
setup(void)
{
	/* a fresh directory per test, also when Check does not fork */
	snprintf(dir, sizeof(dir), "/tmp/walk_check.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	put("root/b/image.yaml");
	put("root/a/image.yaml");
	put("root/a/Dockerfile");
	put("root/a/sub/f");
	put("root/a/sub-x");
	put("root/a-b/image.yaml");
	put("root/notimage/readme");
	put("root/file");
	{
		char *p = pathjoin(dir, "root/a/empty");

		ck_assert(mkdirp(p, 0755));
		free(p);
		p = pathjoin(dir, "root/a/link");
		ck_assert_int_eq(symlink("Dockerfile", p), 0);
		free(p);
	}
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

START_TEST(test_root)
{
	struct strvec images = {0}, dirs = {0};
	char *root = pathjoin(dir, "root");

	ck_assert(walkroot(root, &images, &dirs));
	ck_assert_uint_eq(images.n, 3);
	ck_assert_str_eq(images.v[0], "a");
	ck_assert_str_eq(images.v[1], "a-b");
	ck_assert_str_eq(images.v[2], "b");
	ck_assert_uint_eq(dirs.n, 4);
	ck_assert_str_eq(dirs.v[3], "notimage");
	delstrvec(&images);
	delstrvec(&dirs);
	free(root);
}
END_TEST

START_TEST(test_root_missing)
{
	struct strvec images = {0}, dirs = {0};
	char *root = pathjoin(dir, "nothere");

	ck_assert(!walkroot(root, &images, &dirs));
	free(root);
}
END_TEST

START_TEST(test_tree)
{
	struct walklist w = {0};
	char *a = pathjoin(dir, "root/a"), *err;
	const char *want[] = {"Dockerfile", "empty", "image.yaml", "link", "sub", "sub-x", "sub/f"};
	size_t i;

	ck_assert(walktree(a, &w, &err));
	ck_assert_uint_eq(w.n, LEN(want));
	for (i = 0; i < w.n; i++)
		ck_assert_str_eq(w.ent[i].path, want[i]);
	ck_assert(S_ISDIR(w.ent[1].mode));
	ck_assert(S_ISLNK(w.ent[3].mode));
	ck_assert(S_ISREG(w.ent[6].mode));
	delwalklist(&w);
	free(a);
}
END_TEST

START_TEST(test_dir)
{
	struct walklist w = {0};
	char *a = pathjoin(dir, "root/a");
	const char *want[] = {"Dockerfile", "empty", "image.yaml", "link", "sub", "sub-x"};
	size_t i;

	ck_assert(walkdir(a, &w));
	ck_assert_uint_eq(w.n, LEN(want));
	for (i = 0; i < w.n; i++)
		ck_assert_str_eq(w.ent[i].path, want[i]);
	/* the types, from the directory itself */
	ck_assert(S_ISREG(w.ent[0].mode));
	ck_assert(S_ISDIR(w.ent[1].mode));
	ck_assert(S_ISLNK(w.ent[3].mode));
	ck_assert(S_ISDIR(w.ent[4].mode));
	delwalklist(&w);
	free(a);
	a = pathjoin(dir, "nothere");
	ck_assert(!walkdir(a, &w));
	free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tcase_create("walk");
	SRunner *sr;
	int nfail;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_root_missing);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_dir);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? 1 : 0;
}
