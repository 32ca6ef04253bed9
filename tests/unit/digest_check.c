#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "digest.h"
#include "unit.h"
#include "util.h"

/* the digest of ctx with the given inputs */
static void
dig(const struct digestin *in, char out[DIGESTLEN])
{
	struct diag d = {0};

	ck_assert(inputdigest(in, out, &d));
	ck_assert_int_eq(d.nerr, 0);
	ck_assert_int_eq(strlen(out), DIGESTLEN - 1);
}

static void
field(struct buf *b, const char *s)
{
	bufadd(b, s, strlen(s) + 1);
}

START_TEST(test_sha256)
{
	char out[DIGESTLEN];

	sha256hex("abc", 3, out);
	ck_assert_str_eq(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256hex("", 0, out);
	ck_assert_str_eq(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

/* the digest is SHA-256 of the documented record stream */
START_TEST(test_stream)
{
	const char *args[] = {"B=2", "A=1"};
	const char *deps[] = {"sha256:ffff", "sha256:0000"};
	struct digestin in = {0};
	struct buf b = {0};
	char got[DIGESTLEN], want[DIGESTLEN];

	put("ctx/Dockerfile", "FROM scratch\n", 0644);
	ck_assert(mkdirp("ctx/d", 0755));
	ck_assert_int_eq(chmod("ctx/d", 0750), 0);
	put("ctx/d/run", "#!/bin/sh\n", 0755);
	ck_assert_int_eq(symlink("d/run", "ctx/link"), 0);
	in.ctxdir = "ctx";
	in.file = "Dockerfile";
	in.target = "final";
	in.args = args;
	in.nargs = 2;
	in.deps = deps;
	in.ndeps = 2;
	dig(&in, got);
	field(&b, "imagegen input digest 1");
	field(&b, "file");
	field(&b, "Dockerfile");
	field(&b, "target");
	field(&b, "final");
	field(&b, "arg");
	field(&b, "A=1");
	field(&b, "arg");
	field(&b, "B=2");
	field(&b, "dep");
	field(&b, "sha256:0000");
	field(&b, "dep");
	field(&b, "sha256:ffff");
	field(&b, "f");
	field(&b, "0644");
	field(&b, "13");
	field(&b, "Dockerfile");
	bufadds(&b, "FROM scratch\n");
	field(&b, "d");
	field(&b, "0750");
	field(&b, "d");
	field(&b, "f");
	field(&b, "0755");
	field(&b, "10");
	field(&b, "d/run");
	bufadds(&b, "#!/bin/sh\n");
	field(&b, "l");
	field(&b, "link");
	field(&b, "d/run");
	sha256hex(b.data, b.len, want);
	ck_assert_str_eq(got, want);
	delbuf(&b);
}
END_TEST

START_TEST(test_sensitivity)
{
	const char *args1[] = {"A=1", "B=2"};
	const char *args2[] = {"B=2", "A=1"};
	const char *args3[] = {"A=1", "B=3"};
	const char *dep1[] = {"sha256:aaaa"};
	const char *dep2[] = {"sha256:aaab"};
	struct digestin in = {0};
	char base[DIGESTLEN], other[DIGESTLEN];

	put("ctx/Dockerfile", "FROM scratch\nCOPY f /f\n", 0644);
	put("ctx/f", "content\n", 0644);
	in.ctxdir = "ctx";
	in.file = "Dockerfile";
	in.args = args1;
	in.nargs = 2;
	in.deps = dep1;
	in.ndeps = 1;
	dig(&in, base);
	/* same inputs, same digest; argument order does not matter */
	dig(&in, other);
	ck_assert_str_eq(base, other);
	in.args = args2;
	dig(&in, other);
	ck_assert_str_eq(base, other);
	/* a different build arg value */
	in.args = args3;
	dig(&in, other);
	ck_assert_str_ne(base, other);
	in.args = args1;
	/* a different prerequisite digest */
	in.deps = dep2;
	dig(&in, other);
	ck_assert_str_ne(base, other);
	in.deps = dep1;
	/* a target */
	in.target = "t";
	dig(&in, other);
	ck_assert_str_ne(base, other);
	in.target = NULL;
	/* another Dockerfile name */
	in.file = "dockerfile";
	dig(&in, other);
	ck_assert_str_ne(base, other);
	in.file = "Dockerfile";
	/* content, mode, name, an empty directory, a symlink */
	put("ctx/f", "content!\n", 0644);
	dig(&in, other);
	ck_assert_str_ne(base, other);
	put("ctx/f", "content\n", 0644);
	dig(&in, other);
	ck_assert_str_eq(base, other);
	ck_assert_int_eq(chmod("ctx/f", 0755), 0);
	dig(&in, other);
	ck_assert_str_ne(base, other);
	ck_assert_int_eq(chmod("ctx/f", 0644), 0);
	ck_assert_int_eq(rename("ctx/f", "ctx/g"), 0);
	dig(&in, other);
	ck_assert_str_ne(base, other);
	ck_assert_int_eq(rename("ctx/g", "ctx/f"), 0);
	ck_assert(mkdirp("ctx/empty", 0755));
	dig(&in, other);
	ck_assert_str_ne(base, other);
	ck_assert_int_eq(rmdir("ctx/empty"), 0);
	ck_assert_int_eq(symlink("f", "ctx/l"), 0);
	dig(&in, other);
	ck_assert_str_ne(base, other);
	ck_assert_int_eq(unlink("ctx/l"), 0);
	dig(&in, other);
	ck_assert_str_eq(base, other);
}
END_TEST

/* file boundaries are part of the digest: "ab"+"" differs from "a"+"b" */
START_TEST(test_framing)
{
	struct digestin in = {0};
	char one[DIGESTLEN], two[DIGESTLEN];

	in.ctxdir = "ctx";
	in.file = "Dockerfile";
	put("ctx/x", "ab", 0644);
	put("ctx/y", "", 0644);
	dig(&in, one);
	put("ctx/x", "a", 0644);
	put("ctx/y", "b", 0644);
	dig(&in, two);
	ck_assert_str_ne(one, two);
}
END_TEST

START_TEST(test_errors)
{
	struct digestin in = {0};
	struct diag d = {0};
	char out[DIGESTLEN];

	in.ctxdir = "nonexistent";
	in.file = "Dockerfile";
	ck_assert(!inputdigest(&in, out, &d));
	ck_assert_int_eq(d.nerr, 1);
	ck_assert(mkdirp("ctx", 0755));
	ck_assert_int_eq(mkfifo("ctx/fifo", 0644), 0);
	in.ctxdir = "ctx";
	d.nerr = 0;
	ck_assert(!inputdigest(&in, out, &d));
	ck_assert_int_eq(d.nerr, 1);
}
END_TEST

/* imagegen digest argv: the exit status */
static int
run(char **argv)
{
	return runcmd(cmd_digest, argv);
}

START_TEST(test_command)
{
	char *base[] = {"digest", "--ctx=ctx/base", "-o", "img/base.digest", NULL};
	char *leaf[] = {"digest", "--ctx=ctx/leaf", "--build-arg=X=1", "--dep=img/base.digest", "-o", "img/leaf.digest", NULL};
	char *leaf2[] = {"digest", "--ctx=ctx/leaf", "--build-arg=X=2", "--dep=img/base.digest", "-o", "img/leaf2.digest", NULL};
	char *show[] = {"digest", "leaf", NULL};
	char *baddep[] = {"digest", "--ctx=ctx/leaf", "--dep=ctx/leaf/Dockerfile", NULL};
	char *noctx[] = {"digest", "-o", "x", NULL};
	char *missing[] = {"digest", "nosuch", NULL};
	char *s, *t, *u, want[DIGESTLEN];
	struct timespec ts[2] = {{0, 0}, {0, 0}};
	struct stat st;
	struct digestin in = {0};
	const char *args[] = {"X=1"};
	const char *deps[1];

	put("ctx/base/Dockerfile", "FROM scratch\n", 0644);
	put("ctx/leaf/Dockerfile", "FROM base\n", 0644);
	ck_assert_int_eq(run(base), 0);
	ck_assert_int_eq(run(leaf), 0);
	ck_assert_int_eq(run(leaf2), 0);
	s = get("img/base.digest");
	t = get("img/leaf.digest");
	u = get("img/leaf2.digest");
	/* identical contexts, different build args: different digests */
	ck_assert_str_ne(t, u);
	ck_assert_int_eq(strlen(s), DIGESTLEN);
	ck_assert_int_eq(s[DIGESTLEN - 1], '\n');
	/* the file holds what inputdigest computes with the dependency's digest */
	s[DIGESTLEN - 1] = '\0';
	deps[0] = s;
	in.ctxdir = "ctx/leaf";
	in.file = "Dockerfile";
	in.args = args;
	in.nargs = 1;
	in.deps = deps;
	in.ndeps = 1;
	dig(&in, want);
	t[DIGESTLEN - 1] = '\0';
	ck_assert_str_eq(t, want);
	free(u);
	/* unchanged: not rewritten */
	ck_assert_int_eq(utimensat(AT_FDCWD, "img/leaf.digest", ts, 0), 0);
	ck_assert_int_eq(run(leaf), 0);
	ck_assert_int_eq(stat("img/leaf.digest", &st), 0);
	ck_assert_int_eq(st.st_mtime, 0);
	/* a base change cascades */
	put("ctx/base/Dockerfile", "FROM scratch\nLABEL x=y\n", 0644);
	ck_assert_int_eq(run(base), 0);
	ck_assert_int_eq(run(leaf), 0);
	u = get("img/leaf.digest");
	u[DIGESTLEN - 1] = '\0';
	ck_assert_str_ne(u, t);
	free(t);
	/* digest IMAGE prints it */
	capture(1);
	ck_assert_int_eq(run(show), 0);
	t = xstrdup(uncapture());
	t[DIGESTLEN - 1] = '\0';
	ck_assert_str_eq(t, u);
	free(t);
	free(u);
	free(s);
	ck_assert_int_eq(run(noctx), 2);
	/* errors name the file (and line) and say what would be right */
	ck_assert_int_eq(runcapture(cmd_digest, baddep), 1);
	ck_assert_msg(strstr(captured, "ctx/leaf/Dockerfile:1: not a digest; expected one line 'sha256:<64 hex digits>'"), "stderr: %s", captured);
	ck_assert_int_eq(runcapture(cmd_digest, missing), 1);
	ck_assert_msg(strstr(captured, "img/nosuch.digest does not exist; run imagegen digest in the build directory"), "stderr: %s", captured);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("digest");

	tcase_add_checked_fixture(tc, tmpsetup, tmpteardown);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_stream);
	tcase_add_test(tc, test_sensitivity);
	tcase_add_test(tc, test_framing);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_command);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
