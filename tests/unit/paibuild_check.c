#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paibuild.h"
#include "tree.h"
#include "util.h"
#include "walk.h"

/* the pai-build layout loaded through treeload, as generate loads it */

static char dir[64];

static void
put(const char *rel, const char *text)
{
	char *p = pathjoin(dir, rel);

	ck_assert_int_ge(writefile(p, text, strlen(text), 0644), 0);
	free(p);
}

static void
setup(void)
{
	char *link;

	snprintf(dir, sizeof(dir), "/tmp/paibuild_check.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	put("docs/index.md", "# docs\n");
	put("src/base-image/build/base-image.common.dockerfile", "FROM scratch\n");
	put("src/base-image/rootfs/etc/os-release", "base\n");
	put("src/tools/build/tools-cli.common.dockerfile", "FROM base-image\n");
	put("src/tools/build/tools-agent.k8s.dockerfile", "  FROM\tbase-image AS b\nFROM scratch\nCOPY --from=b / /\n");
	put("src/tools/build/tools-agent.yarn.dockerfile", "FROM base-image\n");
	put("src/tools/build/old.dockerfile", "FROM base-image\n");
	put("src/tools/build/x.dockerfile.skip", "FROM base-image\n");
	put("src/tools/dependency/base-image/stale", "left by a stopped pai_build run\n");
	put("src/portal/build/portal.common.dockerfile", "FROM base-image:latest\nCOPY --from=tools-cli / /\n");
	put("src/portal/build/component.dep", "\n  hooked \n");
	put("src/portal/.dockerignore", "*.tmp\n");
	put("src/portal/a.tmp", "x\n");
	put("src/portal/app.js", "app\n");
	put("src/hooked/build/build-pre.sh", "#!/bin/sh\n");
	put("src/hooked/build/build-pre.inputs", "# what it reads\ndocs\n");
	put("src/hooked/lib/real.txt", "real\n");
	link = pathjoin(dir, "src/hooked/lib/link.txt");
	ck_assert_int_eq(symlink("real.txt", link), 0);
	free(link);
}

static void
teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

/* load the tree with stderr sent to a file; *errs gets what was printed */
static bool
load(struct tree *t, const char *type, char **errs)
{
	struct strvec roots = {0};
	struct buf b = {0};
	char *log = pathjoin(dir, "stderr"), *root = pathjoin(dir, "src");
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644), saved = dup(2);
	bool ok;

	t->paitype = type;
	strvectake(&roots, root);
	fflush(stderr);
	dup2(fd, 2);
	ok = treeload(t, &roots);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	ck_assert(readfile(log, &b));
	bufterm(&b);
	*errs = b.data;
	free(log);
	delstrvec(&roots);
	return ok;
}

static bool
hasentry(const struct node *nd, const char *dst)
{
	return centryfind(nd, dst) != NULL;
}

START_TEST(test_layout_chosen)
{
	char *root = pathjoin(dir, "src");

	ck_assert_int_eq(rootlayout(root), LAYOUT_PAIBUILD);
	put("src/x/image.yaml", "");
	ck_assert_int_eq(rootlayout(root), LAYOUT_IMAGEYAML);
	free(root);
}
END_TEST

START_TEST(test_types_and_names)
{
	struct tree t = {0};
	char *errs;

	ck_assert(load(&t, NULL, &errs));
	ck_assert_int_eq(t.layout, LAYOUT_PAIBUILD);
	ck_assert_str_eq(t.painame, "k8s");
	ck_assert_uint_eq(t.n, 4);
	ck_assert_ptr_nonnull(treefind(&t, "tools-agent"));
	ck_assert_ptr_null(treefind(&t, "old"));
	ck_assert_str_eq(treefind(&t, "tools-agent")->dockerfile, "build/tools-agent.k8s.dockerfile");
	ck_assert_str_eq(treefind(&t, "tools-agent")->service, "tools");
	/* old.dockerfile, tools-agent.yarn.dockerfile and x.dockerfile.skip, with reasons */
	ck_assert_uint_eq(t.skipped.n, 3);
	ck_assert_ptr_nonnull(strstr(t.skipped.v[0], "old.dockerfile: neither *.common.dockerfile nor *.k8s.dockerfile"));
	ck_assert_ptr_nonnull(strstr(t.skipped.v[2], "x.dockerfile.skip: the name does not end in .dockerfile"));
	free(errs);
	deltree(&t);

	memset(&t, 0, sizeof(t));
	/* before 1.0: every .dockerfile, named by splitext */
	ck_assert(load(&t, "none", &errs));
	ck_assert_uint_eq(t.n, 6);
	ck_assert_ptr_nonnull(treefind(&t, "tools-agent.yarn"));
	ck_assert_ptr_nonnull(treefind(&t, "base-image.common"));
	free(errs);
	deltree(&t);

	memset(&t, 0, sizeof(t));
	/* all: the type dropped, so the two tools-agent are one name twice */
	ck_assert(!load(&t, "all", &errs));
	ck_assert_ptr_nonnull(strstr(errs, "image 'tools-agent' is also built from"));
	free(errs);
	deltree(&t);
}
END_TEST

START_TEST(test_dependencies)
{
	struct tree t = {0};
	struct node *nd;
	struct service *s;
	char *errs;

	ck_assert(load(&t, NULL, &errs));
	/* FROM after blanks and a tab, then AS: the second word, whole */
	nd = treefind(&t, "tools-agent");
	ck_assert_uint_eq(nd->deps.n, 1);
	ck_assert_str_eq(nd->deps.v[0], "base-image");
	/* FROM base-image:latest orders nothing; component.dep's blank lines are skipped */
	s = treefindsvc(&t, "portal");
	ck_assert_uint_eq(s->deps.n, 1);
	ck_assert_str_eq(s->deps.v[0], "hooked");
	ck_assert_ptr_nonnull(strstr(errs, "portal.common.dockerfile:1:6: warning: FROM base-image:latest names the tree's image 'base-image' only by its name"));
	ck_assert_ptr_nonnull(strstr(errs, "portal.common.dockerfile:2:13: warning: --from=tools-cli names the tree's image 'tools-cli', but pai_build orders only on FROM lines"));
	free(errs);
	deltree(&t);
}
END_TEST

START_TEST(test_contexts)
{
	struct tree t = {0};
	struct node *nd;
	struct centry *e;
	char *errs;

	ck_assert(load(&t, NULL, &errs));
	nd = treefind(&t, "tools-cli");
	/* the whole service directory, siblings' Dockerfiles too */
	ck_assert(hasentry(nd, "build/tools-agent.yarn.dockerfile"));
	/* dependency/base-image from the sources replaces what a stopped run left */
	ck_assert(hasentry(nd, "dependency/base-image/rootfs/etc/os-release"));
	ck_assert(!hasentry(nd, "dependency/base-image/stale"));
	nd = treefind(&t, "portal");
	ck_assert(hasentry(nd, "app.js"));
	ck_assert(!hasentry(nd, "a.tmp"));
	/* a dependency copy follows links, as shutil.copytree does */
	e = centryfind(nd, "dependency/hooked/lib/link.txt");
	ck_assert_ptr_nonnull(e);
	ck_assert(!e->link);
	ck_assert_ptr_nonnull(strstr(e->src, "hooked/lib/real.txt"));
	free(errs);
	deltree(&t);
}
END_TEST

START_TEST(test_hooks)
{
	struct tree t = {0};
	struct service *s;
	char *errs, *docs;
	size_t i;
	bool found = false;

	ck_assert(load(&t, NULL, &errs));
	s = treefindsvc(&t, "hooked");
	ck_assert_ptr_nonnull(s->pre);
	ck_assert_ptr_null(s->post);
	ck_assert_ptr_nonnull(s->decl);
	ck_assert_str_eq(s->rel, "src/hooked");
	docs = pathjoin(dir, "docs/index.md");
	for (i = 0; i < s->hookin.n; i++)
		found |= strcmp(s->hookin.v[i], docs) == 0;
	ck_assert(found);
	free(docs);
	free(errs);
	deltree(&t);
}
END_TEST

START_TEST(test_cycle_and_misplaced)
{
	struct tree t = {0};
	char *errs;

	put("src/tools/lib/stray.dockerfile", "FROM scratch\n");
	put("src/hooked/build/component.dep", "portal\nnosuch\n");
	ck_assert(!load(&t, NULL, &errs));
	ck_assert_ptr_nonnull(strstr(errs, "dependency cycle between services: "));
	ck_assert_ptr_nonnull(strstr(errs, "stray.dockerfile: error: pai_build builds a Dockerfile only from"));
	ck_assert_ptr_nonnull(strstr(errs, "component.dep:2:1: error: component.dep names 'nosuch', which is not a service"));
	ck_assert_ptr_nonnull(strstr(errs, "hooked -> portal -> hooked"));
	free(errs);
	deltree(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("paibuild");
	TCase *tc = tcase_create("paibuild");
	SRunner *sr;
	int nfail;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_layout_chosen);
	tcase_add_test(tc, test_types_and_names);
	tcase_add_test(tc, test_dependencies);
	tcase_add_test(tc, test_contexts);
	tcase_add_test(tc, test_hooks);
	tcase_add_test(tc, test_cycle_and_misplaced);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail ? 1 : 0;
}
