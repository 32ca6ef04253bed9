#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree.h"
#include "unit.h"
#include "util.h"
#include "walk.h"

static void
setup(void)
{
	tmpsetup();
	put("images/base/image.yaml", "", 0644);
	put("images/base/Dockerfile", "FROM scratch\n", 0644);
	put("images/app/image.yaml", "prerequisite: base\n"
	    "template-list: [Dockerfile, gen.txt]\n"
	    "copy-list:\n  - {src: shared/lib, dst: images/app/vendor}\n", 0644);
	put("images/app/Dockerfile.template", "FROM base\nCOPY --from=tool /t /t\n", 0644);
	put("images/app/gen.txt.template", "{{ x }}\n", 0644);
	put("images/app/gen.txt", "stale output in the source tree\n", 0644);
	put("images/app/keep.txt", "k\n", 0644);
	put("images/app/drop.log", "d\n", 0644);
	put("images/app/.dockerignore", "*.log\n", 0644);
	put("images/tool/image.yaml", "", 0644);
	put("images/tool/Dockerfile", "FROM scratch\n", 0644);
	put("shared/lib/a.so", "a\n", 0644);
}

/* load the tree of tmpdir/images with stderr captured; *errs gets what was printed */
static bool
load(struct tree *t, char **errs)
{
	struct strvec roots = {0};
	bool ok;

	strvectake(&roots, pathjoin(tmpdir, "images"));
	capture(2);
	ok = treeload(t, &roots);
	*errs = xstrdup(uncapture());
	delstrvec(&roots);
	return ok;
}

static const struct centry *
entry(const struct node *nd, const char *dst)
{
	return centryfind(nd, dst);
}

START_TEST(test_context)
{
	struct tree t = {0};
	struct node *app;
	char *errs, *want;

	ck_assert(load(&t, &errs));
	ck_assert_uint_eq(t.n, 3);
	app = treefind(&t, "app");
	ck_assert_ptr_nonnull(app);
	ck_assert_str_eq(app->dockerfile, "Dockerfile");
	ck_assert_int_eq(entry(app, "Dockerfile")->kind, 'R');
	ck_assert_int_eq(entry(app, "gen.txt")->kind, 'R');
	ck_assert_ptr_null(entry(app, "gen.txt.template"));
	ck_assert_ptr_null(entry(app, "image.yaml"));
	ck_assert_ptr_null(entry(app, "drop.log"));
	ck_assert_int_eq(entry(app, "keep.txt")->kind, 'F');
	ck_assert_int_eq(entry(app, "vendor/lib")->kind, 'D');
	ck_assert_int_eq(entry(app, "vendor/lib/a.so")->kind, 'F');
	want = xasprintf("%s/shared/lib/a.so", tmpdir);
	ck_assert_str_eq(entry(app, "vendor/lib/a.so")->src, want);
	free(want);
	free(errs);
	deltree(&t);
}
END_TEST

START_TEST(test_deps_and_order)
{
	struct tree t = {0};
	struct node *app;
	char *errs;
	size_t i;

	ck_assert(load(&t, &errs));
	app = treefind(&t, "app");
	/* prerequisite base, and COPY --from=tool found in the template */
	ck_assert_uint_eq(app->deps.n, 2);
	ck_assert_str_eq(app->deps.v[0], "base");
	ck_assert_str_eq(app->deps.v[1], "tool");
	ck_assert_ptr_nonnull(strstr(errs, "Dockerfile.template:2:13: warning: --from names 'tool', an image of the tree that prerequisite does not list"));
	/* app comes after both */
	for (i = 0; i < t.n; i++)
		if (strcmp(t.node[t.order[i]].img->name, "app") == 0)
			break;
	ck_assert_uint_eq(i, 2);
	free(errs);
	deltree(&t);
}
END_TEST

START_TEST(test_errors_all_reported)
{
	struct tree t = {0};
	char *errs;

	put("images/base/image.yaml", "prerequisite: app\n", 0644);
	put("images/tool/image.yaml", "copy-list:\n  - {src: nothere, dst: images/tool}\n", 0644);
	ck_assert(!load(&t, &errs));
	ck_assert_ptr_nonnull(strstr(errs, "error: copy-list src 'nothere' does not exist"));
	ck_assert_ptr_nonnull(strstr(errs, "app/image.yaml:1:15: error: dependency cycle: app -> base -> app"));
	/* the missing source is tool's own error: the tree's is the cycle */
	ck_assert_int_eq(t.d.nerr, 1);
	ck_assert_uint_eq(t.nbroken, 1);
	ck_assert_uint_eq(treefind(&t, "tool")->imgerr.n, 1);
	free(errs);
	deltree(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tree");
	TCase *tc = tcase_create("tree");

	tcase_add_checked_fixture(tc, setup, tmpteardown);
	tcase_add_test(tc, test_context);
	tcase_add_test(tc, test_deps_and_order);
	tcase_add_test(tc, test_errors_all_reported);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
