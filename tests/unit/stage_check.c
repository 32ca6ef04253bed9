#include "compat.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stage.h"
#include "unit.h"
#include "util.h"
#include "walk.h"

static void
assertfile(const char *path, const char *text, mode_t mode)
{
	struct stat st;
	char *s;

	ck_assert_msg(lstat(path, &st) == 0, "%s missing", path);
	ck_assert_msg(S_ISREG(st.st_mode), "%s is not a regular file", path);
	ck_assert_int_eq(st.st_mode & 07777, mode);
	s = get(path);
	ck_assert_str_eq(s, text);
	free(s);
}

/* sets the mtime of path one hour into the past */
static void
age(const char *path)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 3600;
	ts[1] = ts[0];
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static bool
isold(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mtime < time(NULL) - 1800;
}

/* the inode of path */
static ino_t
inode(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_ino;
}

/*
 * the stamp ctx.staged without what differs from run to run: its header
 * checked and dropped, each file line cut after its size and mode
 */
static char *
stampshape(void)
{
	char *s = get("ctx.staged"), *out, *o;
	const char *p, *nl, *tab;
	size_t hl = strlen(STAMP_HEADER "\tm.list\n");
	int sp;

	ck_assert_msg(strncmp(s, STAMP_HEADER "\tm.list\n", hl) == 0, "stamp header: %s", s);
	out = o = xmalloc(strlen(s) + 1);
	for (p = s + hl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		tab = strchr(p, '\t');
		ck_assert_msg(tab && tab < nl, "stamp line without a TAB: %s", p);
		for (sp = 0; p < nl && !(tab[1] == 'f' && p > tab && *p == ' ' && ++sp == 3); p++)
			*o++ = *p;
		*o++ = '\n';
	}
	*o = '\0';
	free(s);
	return out;
}

/* parses text as manifest m.list and stages it into ctx, stamp ctx.staged */
static bool
stage(const char *text, int *nerr)
{
	struct manifest m;
	struct diag d = {0};
	bool ok;

	put("m.list", text, 0644);
	ok = manifestparse(&m, "m.list", text, strlen(text), &d);
	if (ok)
		ok = manifestexpand(&m, &d);
	if (ok)
		ok = stagectx(&m, "ctx", &d);
	delmanifest(&m);
	if (nerr)
		*nerr = d.nerr;
	return ok;
}

/* the diagnostics that parsing text prints, as one string */
static char *
parseerrs(const char *text, int *nerr)
{
	struct manifest m;
	struct diag d = {0};

	capture(2);
	manifestparse(&m, "m.list", text, strlen(text), &d);
	uncapture();
	delmanifest(&m);
	*nerr = d.nerr;
	return xstrdup(captured);
}

static void
sources(void)
{
	ck_assert(mkdirp("src/sub", 0755));
	ck_assert(mkdirp("src/empty", 0755));
	ck_assert_int_eq(chmod("src/empty", 0750), 0);
	put("src/a", "alpha\n", 0644);
	put("src/run.sh", "#!/bin/sh\n", 0755);
	put("src/sub/b", "beta\n", 0600);
	ck_assert_int_eq(symlink("a", "src/link"), 0);
}

#define BASIC \
	STAGE_HEADER "\n" \
	"D\tempty\tsrc/empty\n" \
	"F\tlink\tsrc/link\n" \
	"R\tout/Dockerfile\n" \
	"F\trun.sh\tsrc/run.sh\n" \
	"F\ta\tsrc/a\n" \
	"F\tsub/b\tsrc/sub/b\n"

START_TEST(test_copy)
{
	char *s;

	sources();
	ck_assert(stage(BASIC, NULL));
	assertfile("ctx/a", "alpha\n", 0644);
	assertfile("ctx/run.sh", "#!/bin/sh\n", 0755);
	assertfile("ctx/sub/b", "beta\n", 0600);
	s = xmalloc(64);
	ck_assert_int_eq(readlink("ctx/link", s, 63), 1);
	ck_assert_int_eq(s[0], 'a');
	free(s);
	{
		struct stat st;

		ck_assert_int_eq(lstat("ctx/empty", &st), 0);
		ck_assert(S_ISDIR(st.st_mode));
		ck_assert_int_eq(st.st_mode & 07777, 0750);
	}
	ck_assert(!exists("ctx/out/Dockerfile"));
	/* what lstat finds of each entry: a link's target, a file's size and mode (then inode and times) */
	s = stampshape();
	ck_assert_str_eq(s, "a\tf 6 0644\nempty\td 0750\nlink\tl a\nout/Dockerfile\tr\nrun.sh\tf 10 0755\nsub/b\tf 5 0600\n");
	free(s);
}
END_TEST

START_TEST(test_unchanged)
{
	const char *paths[] = {"ctx/a", "ctx/run.sh", "ctx/sub/b", "ctx/link", "ctx.staged"};
	ino_t ino[LEN(paths)];
	char *before, *after;
	size_t i;

	sources();
	ck_assert(stage(BASIC, NULL));
	for (i = 0; i < LEN(paths); i++)
		ino[i] = inode(paths[i]);
	before = get("ctx.staged");
	/* touching a source without changing it rewrites nothing (a rewrite is a rename: a new inode) */
	put("src/a", "alpha\n", 0644);
	ck_assert(stage(BASIC, NULL));
	for (i = 0; i < LEN(paths); i++)
		ck_assert_msg(inode(paths[i]) == ino[i], "%s was rewritten", paths[i]);
	after = get("ctx.staged");
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_changed)
{
	ino_t run, a;
	char *before, *after, *s;

	sources();
	ck_assert(stage(BASIC, NULL));
	run = inode("ctx/run.sh");
	a = inode("ctx/a");
	before = get("ctx.staged");
	ck_assert_int_eq(chmod("src/a", 0755), 0);
	put("src/sub/b", "BETA\n", 0600);
	ck_assert(stage(BASIC, NULL));
	assertfile("ctx/a", "alpha\n", 0755);
	ck_assert(inode("ctx/a") != a);
	assertfile("ctx/sub/b", "BETA\n", 0600);
	ck_assert(inode("ctx/run.sh") == run);
	/* the stamp changed with the copies, and only in their lines */
	after = get("ctx.staged");
	ck_assert_str_ne(after, before);
	s = strstr(before, "\nrun.sh\t");
	ck_assert_ptr_nonnull(s);
	*strchr(s + 1, '\n') = '\0';
	ck_assert_ptr_nonnull(strstr(after, s));
	s = stampshape();
	ck_assert_str_eq(s, "a\tf 6 0755\nempty\td 0750\nlink\tl a\nout/Dockerfile\tr\nrun.sh\tf 10 0755\nsub/b\tf 5 0600\n");
	free(s);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_removed)
{
	char *s;

	sources();
	ck_assert(stage(BASIC, NULL));
	/* strays: a file, a nested tree, an empty directory, a leftover temporary */
	put("ctx/stray", "x", 0644);
	put("ctx/deep/er/file", "x", 0644);
	ck_assert(mkdirp("ctx/emptydir", 0755));
	put("ctx/a.tmp", "x", 0644);
	age("ctx/a");
	ck_assert(stage(STAGE_HEADER "\n"
	    "F\ta\tsrc/a\n"
	    "R\tout/Dockerfile\n", NULL));
	ck_assert(!exists("ctx/stray"));
	ck_assert(!exists("ctx/deep"));
	ck_assert(!exists("ctx/emptydir"));
	ck_assert(!exists("ctx/a.tmp"));
	ck_assert(!exists("ctx/run.sh"));
	ck_assert(!exists("ctx/sub"));
	ck_assert(!exists("ctx/link"));
	ck_assert(!exists("ctx/empty"));
	ck_assert(isold("ctx/a"));
	s = stampshape();
	ck_assert_str_eq(s, "a\tf 6 0644\nout/Dockerfile\tr\n");
	free(s);
}
END_TEST

START_TEST(test_rendered)
{
	sources();
	put("ctx/out/Dockerfile", "FROM scratch\n", 0644);
	put("ctx/out/.Dockerfile.a1b2c3~", "partial", 0644);
	put("ctx/out/Dockerfile.tmp", "not a temporary of render", 0644);
	age("ctx/out/Dockerfile");
	ck_assert(stage(BASIC, NULL));
	assertfile("ctx/out/Dockerfile", "FROM scratch\n", 0644);
	ck_assert(isold("ctx/out/Dockerfile"));
	/* a temporary file of a rendered file whose writer was killed is removed */
	ck_assert(!exists("ctx/out/.Dockerfile.a1b2c3~"));
	ck_assert(!exists("ctx/out/Dockerfile.tmp"));
	/* one that a render edge is writing at this moment is left alone */
	{
		int ready[2], done[2], dfd;
		char name[64], c;
		pid_t pid;
		ssize_t n;

		ck_assert_int_eq(pipe(ready), 0);
		ck_assert_int_eq(pipe(done), 0);
		pid = fork();
		if (pid == 0) {
			char *t = NULL;

			dfd = open("ctx/out", O_RDONLY | O_DIRECTORY);
			if (dfd < 0 || tmpcreate(dfd, "Dockerfile", 0644, &t) < 0)
				_exit(1);
			n = write(ready[1], t, strlen(t));
			(void)!read(done[0], &c, 1);
			_exit(n > 0 ? 0 : 1);
		}
		n = read(ready[0], name, sizeof(name) - 1);
		ck_assert_int_gt(n, 0);
		name[n] = '\0';
		ck_assert(stage(BASIC, NULL));
		{
			char *p = pathjoin("ctx/out", name);

			ck_assert(exists(p));
			ck_assert_int_eq(write(done[1], "x", 1), 1);
			ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
			/* and removed by the next stage once its writer is gone */
			ck_assert(stage(BASIC, NULL));
			ck_assert(!exists(p));
			free(p);
		}
		close(ready[0]);
		close(ready[1]);
		close(done[0]);
		close(done[1]);
	}
	/* but a temporary next to a staged file is not */
	put("ctx/sub/.b.a1b2c3~", "x", 0644);
	ck_assert(stage(BASIC, NULL));
	ck_assert(!exists("ctx/sub/.b.a1b2c3~"));
}
END_TEST

START_TEST(test_replace_kind)
{
	char buf[64];
	ssize_t n;

	sources();
	/* a directory where a file goes, a file where a directory goes */
	put("ctx/a/inner", "x", 0644);
	put("ctx/empty", "x", 0644);
	put("ctx/sub", "x", 0644);
	ck_assert(stage(BASIC, NULL));
	assertfile("ctx/a", "alpha\n", 0644);
	assertfile("ctx/sub/b", "beta\n", 0600);
	/* the link target changes; then the link becomes a file */
	ck_assert_int_eq(unlink("src/link"), 0);
	ck_assert_int_eq(symlink("run.sh", "src/link"), 0);
	ck_assert(stage(BASIC, NULL));
	n = readlink("ctx/link", buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 6);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "run.sh");
	ck_assert_int_eq(unlink("src/link"), 0);
	put("src/link", "now a file\n", 0644);
	ck_assert(stage(BASIC, NULL));
	assertfile("ctx/link", "now a file\n", 0644);
	/* and back */
	ck_assert_int_eq(unlink("src/link"), 0);
	ck_assert_int_eq(symlink("/nonexistent", "src/link"), 0);
	ck_assert(stage(BASIC, NULL));
	n = readlink("ctx/link", buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, 12);
}
END_TEST

START_TEST(test_missing_source)
{
	int nerr;

	sources();
	ck_assert(stage(BASIC, NULL));
	age("ctx.staged");
	ck_assert(!stage(STAGE_HEADER "\nF\ta\tsrc/a\nF\tgone\tsrc/gone\nF\tsub\tsrc/sub\nD\tdir\tsrc/a\n", &nerr));
	ck_assert_int_eq(nerr, 3);
	ck_assert(isold("ctx.staged"));
}
END_TEST

START_TEST(test_malformed)
{
	int nerr;
	char *s;

	s = parseerrs("# imagegen stage manifest 2\n", &nerr);
	ck_assert_int_eq(nerr, 1);
	ck_assert_ptr_nonnull(strstr(s, "m.list:1:1: error: not a stage manifest"));
	free(s);
	s = parseerrs(STAGE_HEADER "\n"
	    "X\ta\tb\n"
	    "F\t../a\tb\n"
	    "F\t/etc/passwd\tb\n"
	    "F\ta/./b\tc\n"
	    "R\ta\tb\n"
	    "F\ta\n"
	    "F\t\tb\n"
	    "F\tq\t\n"
	    "# a comment\n"
	    "\n"
	    "F\tok\tsrc\n"
	    "F\tok\tsrc2\n"
	    "F\tok/below\tsrc3\n", &nerr);
	ck_assert_ptr_nonnull(strstr(s, "m.list:2:1: error: unknown entry kind 'X'"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:3:3: error: destination '../a' is not inside the context"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:4:3: error: destination '/etc/passwd' is not inside"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:5:3: error: destination 'a/./b' is not canonical; expected 'a/b'"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:6:5: error: R entry has 3 TAB-separated fields; expected 2"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:7:1: error: F entry has 2 TAB-separated fields; expected 3"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:8:3: error: empty destination"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:9:5: error: empty source"));
	ck_assert_int_eq(nerr, 8);
	free(s);
	s = parseerrs(STAGE_HEADER "\n"
	    "F\tok\tsrc\n"
	    "F\tok\tsrc2\n", &nerr);
	ck_assert_ptr_nonnull(strstr(s, "m.list:3: error: destination 'ok' is already named on line 2"));
	ck_assert_int_eq(nerr, 1);
	free(s);
	s = parseerrs(STAGE_HEADER "\n"
	    "R\tr\n"
	    "F\tok\tsrc\n"
	    "F\tok/below\tsrc3\n"
	    "D\tr/x/y\tsrc3\n", &nerr);
	ck_assert_ptr_nonnull(strstr(s, "m.list:4: error: 'ok/below' lies below 'ok', which line 3 names as a file"));
	ck_assert_ptr_nonnull(strstr(s, "m.list:5: error: 'r/x/y' lies below 'r', which line 2 names as a rendered file"));
	ck_assert_int_eq(nerr, 2);
	free(s);
}
END_TEST

/* T: a tree made at build time, copied whole; E: an error of the image, staging nothing */
START_TEST(test_made)
{
	int nerr;
	char *st;

	sources();
	ck_assert(mkdirp("pre/x/out/deep", 0755));
	put("pre/x/out/deep/tar.gz", "made\n", 0640);
	put("pre/x/one", "one\n", 0600);
	ck_assert(stage(STAGE_HEADER "\nF\ta\tsrc/a\nT\thadoop\tpre/x/out\nT\tcopied/one\tpre/x/one\n", NULL));
	assertfile("ctx/hadoop/deep/tar.gz", "made\n", 0640);
	assertfile("ctx/copied/one", "one\n", 0600);
	assertfile("ctx/a", "alpha\n", 0644);
	st = stampshape();
	ck_assert_str_eq(st, "a\tf 6 0644\ncopied/one\tf 4 0600\nhadoop\td 0755\nhadoop/deep\td 0755\nhadoop/deep/tar.gz\tf 5 0640\n");
	free(st);
	/* what the step no longer makes leaves the context */
	ck_assert_int_eq(unlink("pre/x/out/deep/tar.gz"), 0);
	ck_assert(stage(STAGE_HEADER "\nF\ta\tsrc/a\nT\thadoop\tpre/x/out\n", NULL));
	ck_assert(!exists("ctx/hadoop/deep/tar.gz"));
	ck_assert(!exists("ctx/copied"));
	/* a step's output that is not there */
	ck_assert(!stage(STAGE_HEADER "\nT\tgone\tpre/x/gone\n", &nerr));
	ck_assert_int_eq(nerr, 1);
	/* an error of the image: reported with its place, nothing staged */
	age("ctx.staged");
	ck_assert(!stage(STAGE_HEADER "\nE\tsrc/image.yaml\t3\t10\tcopy-list src 'x' does not exist\nF\ta\tsrc/a\n", &nerr));
	ck_assert_int_eq(nerr, 1);
	ck_assert(isold("ctx.staged"));
	st = parseerrs(STAGE_HEADER "\nE\tf\t1\n", &nerr);
	ck_assert_ptr_nonnull(strstr(st, "E entry has 3 TAB-separated fields; expected 5"));
	free(st);
}
END_TEST

START_TEST(test_malformed_untouched)
{
	int nerr;

	sources();
	ck_assert(!stage(STAGE_HEADER "\nF\ta\tsrc/a\nZ\tb\n", &nerr));
	ck_assert_int_eq(nerr, 1);
	ck_assert(!exists("ctx"));
	ck_assert(!exists("ctx.staged"));
}
END_TEST

/* a directory no entry names, above a D entry, gets the default mode, as above an F entry */
START_TEST(test_ancestor_mode)
{
	mode_t mask = umask(022);
	struct stat st;

	sources();
	ck_assert(stage(STAGE_HEADER "\nD\tdependency/x\tsrc/empty\nF\tlib/a\tsrc/a\n", NULL));
	ck_assert_int_eq(lstat("ctx/dependency", &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(lstat("ctx/lib", &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	ck_assert_int_eq(lstat("ctx/dependency/x", &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0750);
	umask(mask);
}
END_TEST

START_TEST(test_readonly_dir)
{
	struct stat st;

	ck_assert(mkdirp("src/ro", 0755));
	put("src/ro/f", "f\n", 0644);
	ck_assert_int_eq(chmod("src/ro", 0555), 0);
	ck_assert(stage(STAGE_HEADER "\nD\tro\tsrc/ro\nF\tro/f\tsrc/ro/f\n", NULL));
	assertfile("ctx/ro/f", "f\n", 0644);
	ck_assert_int_eq(lstat("ctx/ro", &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0555);
	put("src/ro/f", "g\n", 0644);
	ck_assert_int_eq(chmod("src/ro", 0555), 0);
	ck_assert(stage(STAGE_HEADER "\nD\tro\tsrc/ro\nF\tro/f\tsrc/ro/f\n", NULL));
	assertfile("ctx/ro/f", "g\n", 0644);
}
END_TEST

/* the context changed by hand after staging: stagefresh stages it again, and says why */
START_TEST(test_fresh)
{
	struct walklist w = {0};
	struct diag d = {0};
	ino_t b, stamp;
	char *before, *after;

	sources();
	/* no stamp: a context imagegen did not stage is left as it is */
	put("ctx/x", "x\n", 0644);
	ck_assert(stagefresh("ctx", NULL, &d));
	ck_assert(exists("ctx/x"));
	ck_assert(stage(BASIC, NULL));
	before = get("ctx.staged");
	b = inode("ctx/sub/b");
	stamp = inode("ctx.staged");
	/* as staged: nothing is said, nothing is rewritten, and the walk that found it so is handed back */
	capture(2);
	ck_assert(stagefresh("ctx", &w, &d));
	ck_assert_str_eq(uncapture(), "");
	/* a, empty, link, run.sh, sub, sub/b (out/Dockerfile is a render edge's, not written here) */
	ck_assert_int_eq(w.n, 6);
	ck_assert_str_eq(w.ent[5].path, "sub/b");
	delwalklist(&w);
	ck_assert(inode("ctx/sub/b") == b);
	ck_assert(inode("ctx.staged") == stamp);
	/* a copy removed: staged again, and no walk handed back (it is of the context before) */
	ck_assert_int_eq(unlink("ctx/a"), 0);
	capture(2);
	ck_assert(stagefresh("ctx", &w, &d));
	ck_assert_int_eq(w.n, 0);
	ck_assert_ptr_nonnull(strstr(uncapture(), "ctx.staged: note: ctx/a was removed after the context was staged; "
	    "staging ctx again from m.list"));
	assertfile("ctx/a", "alpha\n", 0644);
	ck_assert(inode("ctx/sub/b") == b);
	/* a copy changed in place, with its size and times kept */
	{
		struct stat st;
		struct timespec ts[2];
		int fd;

		ck_assert_int_eq(lstat("ctx/sub/b", &st), 0);
		fd = open("ctx/sub/b", O_WRONLY);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, "BETA\n", 5), 5);
		close(fd);
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		ck_assert_int_eq(utimensat(AT_FDCWD, "ctx/sub/b", ts, 0), 0);
	}
	capture(2);
	ck_assert(stagefresh("ctx", NULL, &d));
	ck_assert_ptr_nonnull(strstr(uncapture(), "ctx/sub/b was changed"));
	assertfile("ctx/sub/b", "beta\n", 0600);
	/* a file added, a link retargeted */
	put("ctx/sub/new", "n\n", 0644);
	ck_assert_int_eq(unlink("ctx/link"), 0);
	ck_assert_int_eq(symlink("run.sh", "ctx/link"), 0);
	capture(2);
	ck_assert(stagefresh("ctx", NULL, &d));
	ck_assert_ptr_nonnull(strstr(uncapture(), "ctx/link was changed"));
	ck_assert(!exists("ctx/sub/new"));
	{
		char buf[8];

		ck_assert_int_eq(readlink("ctx/link", buf, sizeof(buf)), 1);
		ck_assert_int_eq(buf[0], 'a');
	}
	capture(2);
	ck_assert(stagefresh("ctx", NULL, &d));
	ck_assert_str_eq(uncapture(), "");
	/* the set of paths and every file's content and mode as before */
	after = stampshape();
	ck_assert_str_eq(after, "a\tf 6 0644\nempty\td 0750\nlink\tl a\nout/Dockerfile\tr\nrun.sh\tf 10 0755\nsub/b\tf 5 0600\n");
	free(after);
	free(before);
	ck_assert_int_eq(d.nerr, 0);
	/* a stamp of another format: an error naming it, the context untouched */
	put("ctx.staged", "a\nrun.sh\n", 0644);
	ck_assert_int_eq(unlink("ctx/a"), 0);
	capture(2);
	ck_assert(!stagefresh("ctx", NULL, &d));
	ck_assert_ptr_nonnull(strstr(uncapture(), "ctx.staged:1:1: error: not a stamp of this imagegen"));
	ck_assert(!exists("ctx/a"));
	/* a manifest that is gone: an error naming it */
	ck_assert(stage(BASIC, NULL));
	ck_assert_int_eq(unlink("ctx/a"), 0);
	ck_assert_int_eq(unlink("m.list"), 0);
	capture(2);
	ck_assert(!stagefresh("ctx", NULL, &d));
	ck_assert_ptr_nonnull(strstr(uncapture(), "m.list: error: cannot read the stage manifest"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("stage");
	TCase *tc = tcase_create("stage");

	tcase_add_checked_fixture(tc, tmpsetup, tmpteardown);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_unchanged);
	tcase_add_test(tc, test_changed);
	tcase_add_test(tc, test_removed);
	tcase_add_test(tc, test_rendered);
	tcase_add_test(tc, test_replace_kind);
	tcase_add_test(tc, test_missing_source);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_malformed_untouched);
	tcase_add_test(tc, test_made);
	tcase_add_test(tc, test_readonly_dir);
	tcase_add_test(tc, test_fresh);
	tcase_add_test(tc, test_ancestor_mode);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
