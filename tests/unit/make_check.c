#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "make.h"
#include "ninja.h"
#include "plan.h"
#include "unit.h"
#include "util.h"

static const char prelude[] =
    "imagegen = /bin/imagegen\n"
    "pool engine\n"
    "  depth = 2\n"
    "rule stage\n"
    "  command = $imagegen stage $in $ctx\n"
    "  description = STAGE $ctx\n"
    "  restat = 1\n"
    "rule build\n"
    "  command = $imagegen build --name=$name --iid=$out\n"
    "  description = BUILD $name\n"
    "  pool = engine\n"
    "  restat = 1\n"
    "rule regen\n"
    "  command = $imagegen generate --args-file=a\n"
    "  generator = 1\n"
    "  pool = console\n";

/* a plan of one image: stage (two outputs), build, the phony name, all, the regeneration */
static void
sample(struct plan *p, const char *name)
{
	struct edge e = {0};
	struct diag d = {0};

	bufadds(&p->prelude, prelude);
	ck_assert(ninjaprelude(p, "rules.ninja", &d));
	plancomment(p, "image a");
	e.rule = "stage";
	strvecadd(&e.out, "ctx/a/x y");
	strvecadd(&e.out, "ctx/a.staged");
	strvecadd(&e.in, ".imagegen/stage/a.list");
	strvecadd(&e.implicit, "../src/a/x y");
	edgevar(&e, "ctx", "ctx/a");
	planedge(p, &e);
	e.rule = "build";
	strvecadd(&e.out, "img/a.iid");
	strvecadd(&e.implicit, "ctx/a.staged");
	strvecadd(&e.implicit, "ctx/a/x y");
	strvecadd(&e.orderonly, "alias");
	edgevar(&e, "name", name);
	planedge(p, &e);
	e.rule = "phony";
	strvecadd(&e.out, "alias");
	strvecadd(&e.in, "ctx/a.staged");
	planedge(p, &e);
	e.rule = "phony";
	strvecadd(&e.out, "a");
	strvecadd(&e.in, "img/a.iid");
	planedge(p, &e);
	e.rule = "phony";
	strvecadd(&e.out, "all");
	strvecadd(&e.in, "a");
	planedge(p, &e);
	plandefault(p, "all");
	e.rule = "regen";
	strvecadd(&e.out, "images.mk");
	strvecadd(&e.implicitout, ".imagegen/stage/a.list");
	strvecadd(&e.implicit, "../src/a/image.yaml");
	planedge(p, &e);
	e.rule = "phony";
	strvecadd(&e.out, "../src/a/image.yaml");
	planedge(p, &e);
}

static char *
makefile(const char *name)
{
	struct plan p = {0};
	struct buf b = {0};
	struct diag d = {0};

	sample(&p, name);
	ck_assert(makewrite(&p, "/bin/image gen", &b, &d));
	ck_assert_int_eq(d.nerr, 0);
	delplan(&p);
	return b.data;
}

/* the text of the first stamp of the rule line starting with prefix, up to ':' */
static char *
stampof(const char *mk, const char *prefix)
{
	const char *s = strstr(mk, prefix), *e;

	ck_assert_ptr_nonnull(s);
	e = strchr(s, ':');
	return xstrndup(s, (size_t)(e - s));
}

START_TEST(test_rules)
{
	char *mk = makefile("a");

	/* the default goal, unless the including Makefile has one */
	ck_assert_ptr_nonnull(strstr(mk, "ifeq ($(.DEFAULT_GOAL),)\n.DEFAULT_GOAL := all\nendif\n"));
	ck_assert_ptr_nonnull(strstr(mk, "imagegen_eq := =\n"));
	ck_assert_ptr_nonnull(strstr(mk, "# image a\n"));
	/* a stamp per step, named after the last output and the command */
	ck_assert_ptr_nonnull(strstr(mk, "\n.imagegen/ran/ctx/a.staged."));
	ck_assert_ptr_nonnull(strstr(mk, " .imagegen/stage/a.list \\\n  ../src/a/x\\ y\n"));
	/* the outputs hang on the stamp with an empty recipe */
	ck_assert_ptr_nonnull(strstr(mk, "\nctx/a/x\\ y ctx/a.staged: .imagegen/ran/ctx/a.staged."));
	/* the recipe: the description, then the command as ninja would run it */
	ck_assert_ptr_nonnull(strstr(mk, "\t$(imagegen_Q)printf '%s\\n' 'STAGE ctx/a' && $(imagegen_begin) && \\\n"));
	/* the stamp's bookkeeping, from the target's own name */
	ck_assert_ptr_nonnull(strstr(mk, "imagegen_begin = s='$(subst ','\\'',$@)' && "));
	ck_assert_ptr_nonnull(strstr(mk, " && \\\n\t$(imagegen_end)\n"));
	ck_assert_ptr_nonnull(strstr(mk, "\t/bin/imagegen stage .imagegen/stage/a.list ctx/a && \\\n"));
	/* a pool's command runs under imagegen pool */
	ck_assert_ptr_nonnull(strstr(mk,
	    "\t'/bin/image gen' pool --lock=.imagegen/pool/engine.lock --depth=2 '/bin/imagegen build --name=a --iid=img/a.iid' && \\\n"));
	/* a phony name among a file step's inputs stands for its inputs */
	ck_assert_ptr_nonnull(strstr(mk, "ctx/a/x\\ y | \\\n  ctx/a.staged\n"));
	ck_assert_ptr_nonnull(strstr(mk, ".PHONY: a\na: img/a.iid\n"));
	ck_assert_ptr_nonnull(strstr(mk, ".PHONY: all\nall: a\n"));
	/* the regeneration: no hash, its other outputs on its stamp */
	ck_assert_ptr_nonnull(strstr(mk, "\n.imagegen/ran/images.mk: ../src/a/image.yaml\n"));
	ck_assert_ptr_nonnull(strstr(mk, "/bin/imagegen generate --args-file=a && \\\n\t$(imagegen_endgen)\n"));
	ck_assert_ptr_nonnull(strstr(mk, "\nimages.mk .imagegen/stage/a.list: .imagegen/ran/images.mk ;\n"));
	ck_assert_ptr_nonnull(strstr(mk, "\n../src/a/image.yaml: ;\n"));
	/* a source no phony edge names gets an empty rule too */
	ck_assert_ptr_nonnull(strstr(mk, "\n../src/a/x\\ y: ;\n"));
	ck_assert_ptr_null(strstr(mk, "\nctx/a.staged: ;"));
	free(mk);
}
END_TEST

/* a changed command is a stamp of another name; the same command the same name */
START_TEST(test_command_hash)
{
	char *a = makefile("a"), *b = makefile("b"), *a2 = makefile("a");
	char *sa = stampof(a, ".imagegen/ran/img/a.iid."), *sb = stampof(b, ".imagegen/ran/img/a.iid.");
	char *sa2 = stampof(a2, ".imagegen/ran/img/a.iid."), *ta = stampof(a, ".imagegen/ran/ctx/a.staged.");
	char *tb = stampof(b, ".imagegen/ran/ctx/a.staged.");

	ck_assert_uint_eq(strlen(sa), strlen(".imagegen/ran/img/a.iid.") + 16);
	ck_assert_str_ne(sa, sb);
	ck_assert_str_eq(sa, sa2);
	/* the stage command did not change */
	ck_assert_str_eq(ta, tb);
	ck_assert_str_eq(a, a2);
	free(a);
	free(b);
	free(a2);
	free(sa);
	free(sb);
	free(sa2);
	free(ta);
	free(tb);
}
END_TEST

/* what make cannot express is refused, each source once (not the targets named after them) */
START_TEST(test_refuse)
{
	struct plan p = {0};
	struct edge e = {0};
	struct buf b = {0};
	struct diag d = {0};

	sample(&p, "a");
	e.rule = "stage";
	strvecadd(&e.out, "ctx/b/semi;colon");
	strvecadd(&e.out, "ctx/b.staged");
	strvecadd(&e.in, "../src/b/star*");
	strvecadd(&e.implicit, "../src/b/semi;colon");
	planedge(&p, &e);
	ck_assert(!makecheck(&p, &d));
	ck_assert_int_eq(d.nerr, 2);
	ck_assert(!makewrite(&p, "imagegen", &b, &d));
	ck_assert_int_eq(d.nerr, 4);
	delbuf(&b);
	delplan(&p);

	/* only the targets are wrong: they are reported */
	memset(&d, 0, sizeof(d));
	sample(&p, "a");
	e.rule = "stage";
	strvecadd(&e.out, "ctx/b/x?");
	strvecadd(&e.in, ".imagegen/stage/a.list");
	planedge(&p, &e);
	ck_assert(!makecheck(&p, &d));
	ck_assert_int_eq(d.nerr, 1);
	delplan(&p);

	/* an edge whose rule the prelude lacks */
	memset(&d, 0, sizeof(d));
	sample(&p, "a");
	e.rule = "nosuchrule";
	strvecadd(&e.out, "x");
	planedge(&p, &e);
	ck_assert(makecheck(&p, &d));
	ck_assert(!makewrite(&p, "imagegen", &b, &d));
	ck_assert_int_eq(d.nerr, 1);
	delbuf(&b);
	delplan(&p);
}
END_TEST

/* the imagegen that runs a pool is the command word: quoted when it holds '=' too */
START_TEST(test_poolword)
{
	struct plan p = {0};
	struct buf b = {0};
	struct diag d = {0};

	sample(&p, "a");
	ck_assert(makewrite(&p, "x=y/imagegen", &b, &d));
	ck_assert_ptr_nonnull(strstr(b.data, "\t'x=y/imagegen' pool --lock="));
	delbuf(&b);
	delplan(&p);
}
END_TEST

START_TEST(test_regenstamp)
{
	char *s = makeregenstamp("images.mk");

	ck_assert_str_eq(s, ".imagegen/ran/images.mk");
	free(s);
	s = makeregenstamp("/abs/../x.mk");
	ck_assert_str_eq(s, ".imagegen/ran/_root/abs/_up/x.mk");
	free(s);
}
END_TEST

/*
 * n commands through imagegen pool of depth, each writing "s" to a log
 * as it starts and "e" as it ends, 300 ms later; the most that ran at once
 */
static int
pooled(const char *dir, int n, const char *depth)
{
	char *lock = xasprintf("%s/pool.lock", dir), *log = xasprintf("%s/log", dir);
	char *dopt = xasprintf("--depth=%s", depth), *lopt = xasprintf("--lock=%s", lock);
	char *cmd = xasprintf("echo s >>%s; sleep 0.3; echo e >>%s", log, log);
	char *argv[] = {"pool", lopt, dopt, cmd, NULL};
	struct buf b = {0};
	pid_t pid[8];
	int i, st, now = 0, most = 0;

	unlink(log);
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0)
			_exit(cmd_pool(4, argv));
	}
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(waitpid(pid[i], &st, 0), pid[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert(readfile(log, &b));
	for (i = 0; (size_t)i < b.len; i++) {
		if (b.data[i] == 's' && ++now > most)
			most = now;
		else if (b.data[i] == 'e')
			now--;
	}
	ck_assert_uint_eq(b.len, (size_t)n * 4);
	unlink(log);
	unlink(lock);
	delbuf(&b);
	free(lock);
	free(log);
	free(dopt);
	free(lopt);
	free(cmd);
	return most;
}

START_TEST(test_pool)
{
	/* depth 1: one after the other */
	ck_assert_int_eq(pooled(tmpdir, 3, "1"), 1);
	/* depth 2: two at once, never three */
	ck_assert_int_eq(pooled(tmpdir, 4, "2"), 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("make");
	TCase *tc = tcase_create("make");

	tcase_add_checked_fixture(tc, tmpsetup, tmpteardown);
	tcase_add_test(tc, test_rules);
	tcase_add_test(tc, test_command_hash);
	tcase_add_test(tc, test_refuse);
	tcase_add_test(tc, test_poolword);
	tcase_add_test(tc, test_regenstamp);
	tcase_add_test(tc, test_pool);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
