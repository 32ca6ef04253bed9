#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"
#include "walk.h"

static void
setup(void)
{
	tmpsetup();
	put("root/b/image.yaml", "x", 0644);
	put("root/a/image.yaml", "x", 0644);
	put("root/a/Dockerfile", "x", 0644);
	put("root/a/sub/f", "x", 0644);
	put("root/a/sub-x", "x", 0644);
	put("root/a-b/image.yaml", "x", 0644);
	put("root/notimage/readme", "x", 0644);
	put("root/file", "x", 0644);
	ck_assert(mkdirp("root/a/empty", 0755));
	ck_assert_int_eq(symlink("Dockerfile", "root/a/link"), 0);
}

START_TEST(test_root)
{
	struct strvec images = {0}, dirs = {0};
	char *root = pathjoin(tmpdir, "root");

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

/* the layout check stops at the first image; a root of none holds none */
START_TEST(test_root_holds)
{
	char *root = pathjoin(tmpdir, "root"), *a = pathjoin(tmpdir, "root/a"), *no = pathjoin(tmpdir, "nothere");

	ck_assert(rootholdsimage(root));
	ck_assert(!rootholdsimage(a));
	ck_assert(!rootholdsimage(no));
	free(root);
	free(a);
	free(no);
}
END_TEST

START_TEST(test_root_missing)
{
	struct strvec images = {0}, dirs = {0};
	char *root = pathjoin(tmpdir, "nothere");

	ck_assert(!walkroot(root, &images, &dirs));
	free(root);
}
END_TEST

START_TEST(test_tree)
{
	struct walklist w = {0};
	char *a = pathjoin(tmpdir, "root/a"), *err;
	const char *want[] = {"Dockerfile", "empty", "image.yaml", "link", "sub", "sub-x", "sub/f"};
	size_t i;

	struct timespec ts[2] = {{1234567890, 0}, {1234567890, 5000}};

	/* a directory's time comes with it, read where the walk opened it */
	ck_assert_int_eq(utimensat(AT_FDCWD, "root/a/sub", ts, 0), 0);
	ck_assert(walktree(a, &w, &err));
	ck_assert_uint_eq(w.n, LEN(want));
	for (i = 0; i < w.n; i++)
		ck_assert_str_eq(w.ent[i].path, want[i]);
	ck_assert(S_ISDIR(w.ent[1].mode));
	ck_assert(S_ISLNK(w.ent[3].mode));
	ck_assert(S_ISREG(w.ent[6].mode));
	ck_assert(S_ISDIR(w.ent[4].mode));
	ck_assert_int_eq(w.ent[4].mtime.tv_sec, 1234567890);
	ck_assert_int_eq(w.ent[4].mtime.tv_nsec, 5000);
	ck_assert_int_eq(w.ent[6].mtime.tv_sec, 0);
	delwalklist(&w);
	free(a);
}
END_TEST

START_TEST(test_dir)
{
	struct walklist w = {0};
	char *a = pathjoin(tmpdir, "root/a");
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
	a = pathjoin(tmpdir, "nothere");
	ck_assert(!walkdir(a, &w));
	free(a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, tmpteardown);
	tcase_add_test(tc, test_root);
	tcase_add_test(tc, test_root_missing);
	tcase_add_test(tc, test_root_holds);
	tcase_add_test(tc, test_tree);
	tcase_add_test(tc, test_dir);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
