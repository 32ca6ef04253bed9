#include "compat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ninja.h"
#include "util.h"

START_TEST(test_comment)
{
	struct buf b = {0};

	ninjacomment(&b, "one\ntwo");
	bufterm(&b);
	ck_assert_str_eq(b.data, "# one\n# two\n");
	buffree(&b);
}
END_TEST

START_TEST(test_edge)
{
	struct buf b = {0};
	struct ninjaedge e = {0};

	e.rule = "build";
	strlistadd(&e.out, "img/a.iid");
	strlistadd(&e.implicitout, "log/a.log");
	strlistadd(&e.in, "my dir/x:y");
	strlistadd(&e.implicit, "$v");
	strlistadd(&e.orderonly, "o");
	ninjaedgevar(&e, "name", "a$$b");
	ninjaedgevar(&e, "flags", "--x='a b'");
	ninjabuild(&b, &e);
	bufterm(&b);
	ck_assert_str_eq(b.data,
	    "build img/a.iid | log/a.log: build my$ dir/x$:y | $$v || o\n"
	    "  name = a$$b\n"
	    "  flags = --x='a b'\n");
	ninjaedgefree(&e);
	buffree(&b);
}
END_TEST

START_TEST(test_wrap)
{
	struct buf b = {0};
	struct ninjaedge e = {0};
	char *line, *save = NULL;
	int i;

	e.rule = "phony";
	strlistadd(&e.out, "all");
	for (i = 0; i < 20; i++)
		strlisttake(&e.in, xasprintf("image-number-%02d", i));
	ninjabuild(&b, &e);
	bufterm(&b);
	ck_assert(strncmp(b.data, "build all: phony image-number-00", 32) == 0);
	ck_assert_ptr_nonnull(strstr(b.data, " $\n    image-number-"));
	ck_assert_ptr_nonnull(strstr(b.data, "image-number-19\n"));
	for (line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_uint_le(strlen(line), 78);
		ck_assert(line == b.data || strncmp(line, "    ", 4) == 0);
	}
	ninjaedgefree(&e);
	buffree(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ninja");
	TCase *tc = tcase_create("ninja");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, test_comment);
	tcase_add_test(tc, test_edge);
	tcase_add_test(tc, test_wrap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? 1 : 0;
}
