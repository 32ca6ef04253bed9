#include "compat.h"

#include <check.h>
#include <string.h>

#include "dockerignore.h"
#include "unit.h"
#include "util.h"

static bool
excluded(const char *ignore, const char *path)
{
	struct dockerignore di = {0};
	bool r;

	diparse(&di, ignore, strlen(ignore));
	r = diexcluded(&di, path);
	deldockerignore(&di);
	return r;
}

START_TEST(test_parse)
{
	struct dockerignore di = {0};
	const char *text = "# comment\n\n  *.log  \n!keep.log\n/abs/./x/../y\n#not a pattern\n ! spaced\nd/\n";

	diparse(&di, text, strlen(text));
	ck_assert_uint_eq(di.n, 5);
	ck_assert_str_eq(di.v[0].pat, "*.log");
	ck_assert(!di.v[0].negate);
	ck_assert_int_eq(di.v[0].line, 3);
	ck_assert_str_eq(di.v[1].pat, "keep.log");
	ck_assert(di.v[1].negate);
	ck_assert_str_eq(di.v[2].pat, "abs/y");
	ck_assert_str_eq(di.v[3].pat, "spaced");
	ck_assert(di.v[3].negate);
	ck_assert_str_eq(di.v[4].pat, "d");
	deldockerignore(&di);
}
END_TEST

START_TEST(test_match)
{
	ck_assert(dimatch("*.log", "a.log"));
	ck_assert(!dimatch("*.log", "d/a.log"));
	ck_assert(dimatch("*/*.log", "d/a.log"));
	ck_assert(dimatch("?.txt", "a.txt"));
	ck_assert(!dimatch("?.txt", "ab.txt"));
	ck_assert(!dimatch("a?b", "a/b"));
	ck_assert(dimatch("[abc].c", "b.c"));
	ck_assert(!dimatch("[abc].c", "d.c"));
	ck_assert(dimatch("[^abc].c", "d.c"));
	ck_assert(dimatch("[a-z]x", "qx"));
	ck_assert(dimatch("\\*x", "*x"));
	ck_assert(!dimatch("\\*x", "ax"));
	ck_assert(!dimatch("[]x", "x"));
}
END_TEST

START_TEST(test_doublestar)
{
	ck_assert(dimatch("**/*.go", "a.go"));
	ck_assert(dimatch("**/*.go", "x/y/a.go"));
	ck_assert(dimatch("**", "x/y/z"));
	ck_assert(dimatch("a/**", "a/b/c"));
	ck_assert(dimatch("a/**/b", "a/b"));
	ck_assert(dimatch("a/**/b", "a/x/y/b"));
	ck_assert(!dimatch("a/**/b", "a/xb"));
	ck_assert(dimatch("a**b", "ax/b"));
	ck_assert(dimatch("a**b", "ab"));
	ck_assert(!dimatch("a**b", "axb"));
}
END_TEST

START_TEST(test_dir_excludes_children)
{
	ck_assert(excluded("build\n", "build"));
	ck_assert(excluded("build\n", "build/x/y.o"));
	ck_assert(!excluded("build\n", "builder"));
	ck_assert(!excluded("build\n", "src/build"));
	ck_assert(excluded("*/tmp\n", "a/tmp/f"));
	ck_assert(excluded("/secret\n", "secret/key"));
}
END_TEST

START_TEST(test_exceptions)
{
	ck_assert(excluded("*.md\n!README.md\n", "CHANGES.md"));
	ck_assert(!excluded("*.md\n!README.md\n", "README.md"));
	/* last match wins */
	ck_assert(excluded("!README.md\n*.md\n", "README.md"));
	ck_assert(!excluded("docs\n!docs/keep\n", "docs/keep"));
	ck_assert(!excluded("docs\n!docs/keep\n", "docs/keep/inner"));
	ck_assert(excluded("docs\n!docs/keep\n", "docs/other"));
	ck_assert(!excluded("**\n!Dockerfile\n!src\n", "src/main.c"));
	ck_assert(excluded("**\n!Dockerfile\n!src\n", "notes.txt"));
}
END_TEST

/* b made s n times, then end */
static void
repeat(struct buf *b, const char *s, int n, const char *end)
{
	b->len = 0;
	while (n-- > 0)
		bufadds(b, s);
	bufadds(b, end);
	bufterm(b);
}

/* many stars against a path they almost match: no exponential backtracking (found by the fuzz target) */
START_TEST(test_many_stars)
{
	struct buf pat = {0}, path = {0};

	repeat(&pat, "*a", 40, "*c");
	repeat(&path, "a", 200, "b");
	ck_assert(!dimatch(pat.data, path.data));
	path.data[path.len - 1] = 'c';
	ck_assert(dimatch(pat.data, path.data));
	/* the same with "**" across directories */
	repeat(&pat, "**/a*", 30, "/c");
	repeat(&path, "a/", 100, "b");
	ck_assert(!dimatch(pat.data, path.data));
	delbuf(&pat);
	delbuf(&path);
}
END_TEST

/*
 * a thousand stars against a path of 4000 characters: remembering failed
 * positions still took time in the square of the path for each star,
 * minutes in all (found by the fuzz target); within Check's timeout now
 */
START_TEST(test_stars_long_path)
{
	struct buf pat = {0}, path = {0};

	repeat(&pat, "*a", 1000, "*b");
	repeat(&path, "a", 4000, "");
	ck_assert(!dimatch(pat.data, path.data));
	repeat(&path, "a", 4000, "b");
	ck_assert(dimatch(pat.data, path.data));
	path.data[500] = '/';
	ck_assert(!dimatch(pat.data, path.data));
	pat.data[0] = pat.data[1] = '*';
	pat.data[2] = '/';
	ck_assert(dimatch(pat.data, path.data)); /* "**" + "/a*a...*b" after the '/' */
	delbuf(&pat);
	delbuf(&path);
}
END_TEST

START_TEST(test_empty)
{
	ck_assert(!excluded("", "x"));
	ck_assert(!excluded("# only a comment\n\n", "x"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dockerignore");
	TCase *tc = tcase_create("dockerignore");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_doublestar);
	tcase_add_test(tc, test_dir_excludes_children);
	tcase_add_test(tc, test_exceptions);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_many_stars);
	tcase_add_test(tc, test_stars_long_path);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
