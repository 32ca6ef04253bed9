#include "compat.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

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
	delbuf(&b);
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
	char *p = pathjoin(tmpdir, "sub/f"), *tmp = xasprintf("%s.tmp", p);
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
	delbuf(&got);
	free(tmp);
	free(p);
}
END_TEST


/* a descriptor reading text from its start (the file is already unlinked) */
static int
srcfd(const char *text)
{
	char *p = pathjoin(tmpdir, "src");
	int fd;

	ck_assert_int_eq(writefile(p, text, strlen(text), 0600), 1);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	unlink(p);
	free(p);
	return fd;
}

START_TEST(test_writefilefd)
{
	char *p = pathjoin(tmpdir, "copy");
	struct buf got = {0};
	struct stat st;
	int fd;

	fd = srcfd("hello\n");
	ck_assert_int_eq(writefilefd(p, fd, 0640), 1);
	close(fd);
	ck_assert(readfile(p, &got));
	bufterm(&got);
	ck_assert_str_eq(got.data, "hello\n");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	/* same content and mode: not written; the source is read from where it is */
	fd = srcfd("hello\n");
	ck_assert_int_eq(writefilefd(p, fd, 0640), 0);
	close(fd);
	fd = srcfd("xhello\n");
	ck_assert_int_eq(lseek(fd, 1, SEEK_SET), 1);
	ck_assert_int_eq(writefilefd(p, fd, 0640), 0);
	close(fd);
	/* a longer file and one that differs only past the first buffer */
	{
		char *big = xmalloc(200000);

		memset(big, 'a', 200000);
		big[199999] = '\0';
		fd = srcfd(big);
		ck_assert_int_eq(writefilefd(p, fd, 0640), 1);
		ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
		ck_assert_int_eq(writefilefd(p, fd, 0640), 0);
		close(fd);
		big[150000] = 'b';
		fd = srcfd(big);
		ck_assert_int_eq(writefilefd(p, fd, 0640), 1);
		close(fd);
		got.len = 0;
		ck_assert(readfile(p, &got));
		ck_assert_uint_eq(got.len, 199999);
		ck_assert_int_eq(got.data[150000], 'b');
		free(big);
	}
	/* a source that cannot be read says so (-2), the target stays */
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(writefilefd(p, fd, 0640), -2);
	close(fd);
	got.len = 0;
	ck_assert(readfile(p, &got));
	ck_assert_uint_eq(got.len, 199999);
	delbuf(&got);
	free(p);
}
END_TEST

START_TEST(test_tmpstale)
{
	int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY), fd, ready[2], done[2];
	char *name = NULL, c, buf[64];
	pid_t pid;
	ssize_t n;

	ck_assert_int_ge(dfd, 0);
	/* a temporary file whose writer is gone is stale: removed */
	pid = fork();
	if (pid == 0) {
		fd = tmpcreate(dfd, "gone", 0644, &name);
		_exit(fd >= 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	{
		char *s = shout("ls -A '%s'", tmpdir);

		ck_assert_int_eq(strncmp(s, ".gone.", 6), 0);
		name = xstrndup(s, strcspn(s, "\n"));
		free(s);
	}
	ck_assert(tmpstale(dfd, name));
	ck_assert_int_ne(faccessat(dfd, name, F_OK, 0), 0);
	free(name);
	/* one that another process is writing is in flight: left alone */
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(done), 0);
	pid = fork();
	if (pid == 0) {
		fd = tmpcreate(dfd, "busy", 0644, &name);
		n = write(ready[1], name ? name : "", name ? strlen(name) : 0);
		(void)!read(done[0], &c, 1);
		_exit(fd >= 0 && n > 0 ? 0 : 1);
	}
	n = read(ready[0], buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert(!tmpstale(dfd, buf));
	ck_assert_int_eq(faccessat(dfd, buf, F_OK, 0), 0);
	/* writefile of its target leaves it too, and leaves no temporary file of its own */
	ck_assert_int_eq(chdir(tmpdir), 0);
	ck_assert_int_eq(writefile("busy", "x", 1, 0666), 1);
	ck_assert_int_eq(faccessat(dfd, buf, F_OK, 0), 0);
	ck_assert_int_eq(write(done[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	/* once its writer is gone, the next writefile of the target removes it */
	ck_assert_int_eq(writefile("busy", "y", 1, 0666), 1);
	ck_assert_int_ne(faccessat(dfd, buf, F_OK, 0), 0);
	{
		char *s = shout("ls -A '%s'", tmpdir);

		ck_assert_str_eq(s, "busy\n");
		free(s);
	}
	ck_assert_int_eq(chdir("/"), 0);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	close(dfd);
}
END_TEST

START_TEST(test_writefile_umask)
{
	char *p = pathjoin(tmpdir, "m");
	struct stat st;
	mode_t old = umask(027);

	/* the umask of this process, not the one the first call saw: read it anew */
	ck_assert_int_eq(writefile(p, "x", 1, 0666), 1);
	ck_assert_int_eq(stat(p, &st), 0);
	/* the umask cuts what others may do, as open(2) would */
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	/* an exact mode keeps every bit asked for */
	ck_assert_int_eq(writefilefd(p, srcfd("x"), 0666), 1);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0666);
	/* and a secret is for its owner only */
	ck_assert_int_eq(writefile(p, "x", 1, 0600), 1);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	umask(old);
	free(p);
}
END_TEST

START_TEST(test_writefile_nofollow)
{
	char *out = pathjoin(tmpdir, "outside"), *in = pathjoin(tmpdir, "in"), *s, *p;
	struct buf got = {0};
	struct stat st;
	int fd;

	ck_assert_int_eq(mkdir(out, 0777), 0);
	ck_assert_int_eq(mkdir(in, 0777), 0);
	p = pathjoin(in, "link");
	ck_assert_int_eq(symlink(out, p), 0);
	free(p);
	ck_assert_int_eq(chdir(in), 0);
	/* a relative path through a symlinked directory: refused, nothing written there */
	errno = 0;
	ck_assert_int_eq(writefile("link/f", "x", 1, 0666), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_ne(access("../outside/f", F_OK), 0);
	ck_assert(!mkdirp("link/sub", 0777));
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_lt(openwrite("link/log", O_CREAT | O_TRUNC, 0666), 0);
	ck_assert_int_ne(access("../outside/log", F_OK), 0);
	/* a symlink as the file itself is replaced, its target untouched */
	ck_assert_int_eq(symlink("../outside/victim", "v"), 0);
	ck_assert_int_eq(writefile("v", "new", 3, 0666), 1);
	ck_assert_int_eq(lstat("v", &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_ne(access("../outside/victim", F_OK), 0);
	/* openwrite does not follow one either */
	ck_assert_int_eq(symlink("../outside/victim2", "w"), 0);
	fd = openwrite("w", O_CREAT | O_TRUNC, 0666);
	ck_assert_int_lt(fd, 0);
	ck_assert_int_ne(access("../outside/victim2", F_OK), 0);
	/* a neighbour named like an old temporary file is never touched */
	ck_assert_int_eq(writefile("conf.tmp", "mine", 4, 0666), 1);
	ck_assert_int_eq(writefile("conf", "rendered", 8, 0666), 1);
	ck_assert(readfile("conf.tmp", &got));
	bufterm(&got);
	ck_assert_str_eq(got.data, "mine");
	/* and no temporary file is left */
	s = shout("ls -A");
	ck_assert_str_eq(s, "conf\nconf.tmp\nlink\nv\nw\n");
	free(s);
	delbuf(&got);
	ck_assert_int_eq(chdir("/"), 0);
	free(out);
	free(in);
}
END_TEST

START_TEST(test_tmpname)
{
	char *name = NULL;
	int fd = open(tmpdir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(tmpcreate(fd, "conf", 0666, &name), 0);
	ck_assert(istmpname(name));
	ck_assert_int_eq(strncmp(name, ".conf.", 6), 0);
	ck_assert(!istmpname("conf.tmp"));
	ck_assert(!istmpname(".conf.12345~"));
	ck_assert(!istmpname(".conf.12345g~"));
	ck_assert(istmpname(".c.a1b2c3~"));
	free(name);
	close(fd);
}
END_TEST

/* one JSON string writer: as json.dumps, with and without ensure_ascii, and as Jinja's tojson */
START_TEST(test_jsonstr)
{
	static const char s[] = "a\"\\\n\t\b\x01\x7f<&>' caf\xc3\xa9 \xf0\x9f\x98\x80";
	struct buf b = {0};

	bufjsonstr(&b, s, strlen(s), 0);
	bufaddc(&b, ' ');
	bufjsonstr(&b, s, strlen(s), JSONASCII);
	bufaddc(&b, ' ');
	bufjsonstr(&b, s, strlen(s), JSONASCII | JSONHTML);
	bufaddc(&b, ' ');
	/* a UTF-8 sequence cut short at the end: its first byte, escaped */
	bufjsonstr(&b, "x\xc3", 2, JSONASCII);
	bufterm(&b);
	ck_assert_str_eq(b.data,
	    "\"a\\\"\\\\\\n\\t\\b\\u0001\x7f<&>' caf\xc3\xa9 \xf0\x9f\x98\x80\" "
	    "\"a\\\"\\\\\\n\\t\\b\\u0001\\u007f<&>' caf\\u00e9 \\ud83d\\ude00\" "
	    "\"a\\\"\\\\\\n\\t\\b\\u0001\\u007f\\u003c\\u0026\\u003e\\u0027 caf\\u00e9 \\ud83d\\ude00\" "
	    "\"x\\u00c3\"");
	delbuf(&b);
}
END_TEST

START_TEST(test_strvec)
{
	struct strvec l = {0};

	strvecadd(&l, "b");
	strvecadd(&l, "a");
	strvectake(&l, xstrdup("b"));
	strvecaddf(&l, "%s%d", "c", 1);
	ck_assert_ptr_null(l.v[l.n]);
	strvecuniq(&l);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0], "a");
	ck_assert_str_eq(l.v[2], "c1");
	ck_assert_ptr_null(l.v[l.n]);
	ck_assert(strvechas(&l, "b"));
	ck_assert(!strvechas(&l, "c"));
	delstrvec(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* the YAML tags a safe loader accepts, by the node's kind */
START_TEST(test_yamltagfits)
{
	ck_assert(yamltagfits(NULL, 's'));
	ck_assert(yamltagfits("!", 'm'));
	ck_assert(yamltagfits("tag:yaml.org,2002:str", 's'));
	ck_assert(yamltagfits("tag:yaml.org,2002:null", 's'));
	ck_assert(yamltagfits("tag:yaml.org,2002:seq", 'q'));
	ck_assert(yamltagfits("tag:yaml.org,2002:map", 'm'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:map", 'q'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:seq", 's'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:str", 'm'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:python/object/apply:os.system", 'q'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:binary", 's'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:", 's'));
	ck_assert(!yamltagfits("!custom", 's'));
	ck_assert(!yamltagfits("tag:yaml.org,2002:strx", 's'));
}
END_TEST

/* many files into one directory: writefile's results, stale temporary files of each name removed */
START_TEST(test_wdir)
{
	int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY), fd;
	struct wdir *w;
	char *sub = pathjoin(tmpdir, "w"), *name = NULL, *s;
	struct buf got = {0};
	pid_t pid;

	ck_assert_int_ge(dfd, 0);
	ck_assert(mkdirp(sub, 0755));
	close(dfd);
	dfd = open(sub, O_RDONLY | O_DIRECTORY);
	/* a writer of a.list that died, and one of b.list */
	pid = fork();
	if (pid == 0) {
		fd = tmpcreate(dfd, "a.list", 0644, &name);
		if (fd >= 0)
			fd = tmpcreate(dfd, "b.list", 0644, &name);
		_exit(fd >= 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	w = mkwdir(sub);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(wdirwrite(w, "a.list", "one\n", 4, 0666), 1);
	ck_assert_int_eq(wdirwrite(w, "a.list", "one\n", 4, 0666), 0);
	ck_assert_int_eq(wdirwrite(w, "c.list", "c\n", 2, 0666), 1);
	s = shout("ls -A '%s'", sub);
	/* a.list's temporary file is gone, b.list's stays until b.list is written */
	ck_assert_int_eq(strncmp(s, ".b.list.", 8), 0);
	ck_assert_str_eq(strchr(s, '\n') + 1, "a.list\nc.list\n");
	free(s);
	ck_assert_int_eq(wdirwrite(w, "b.list", "b\n", 2, 0666), 1);
	s = shout("ls -A '%s'", sub);
	ck_assert_str_eq(s, "a.list\nb.list\nc.list\n");
	free(s);
	delwdir(w);
	name = pathjoin(sub, "a.list");
	ck_assert(readfile(name, &got));
	bufterm(&got);
	ck_assert_str_eq(got.data, "one\n");
	/* what writefile makes of the same content: nothing to do */
	ck_assert_int_eq(writefile(name, "one\n", 4, 0666), 0);
	ck_assert_ptr_null(mkwdir(name));
	delbuf(&got);
	free(name);
	free(sub);
	close(dfd);
}
END_TEST

/* a stream of pieces: compared with the old file as they come, written only when they differ */
static int
streamed(const char *path, const char *const *pieces, mode_t mode)
{
	struct wstream *w = mkwstream(path, mode);
	size_t i;

	ck_assert_ptr_nonnull(w);
	for (i = 0; pieces[i]; i++)
		wstreamwrite(w, pieces[i], strlen(pieces[i]));
	return wstreamclose(w, true);
}

START_TEST(test_wstream)
{
	static const char *const ab[] = {"alpha ", "beta\n", NULL}, *const whole[] = {"alpha beta\n", NULL},
	    *const longer[] = {"alpha beta\n", "gamma\n", NULL}, *const other[] = {"alpha ", "bets\n", NULL},
	    *const none[] = {NULL};
	char *p = pathjoin(tmpdir, "sub/build.ninja"), *big, *s;
	const char *pieces[4];
	struct stat a, b;
	struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	struct wstream *w;
	size_t i;

	ck_assert_int_eq(streamed(p, ab, 0666), 1);
	ck_assert_str_eq(s = get(p), "alpha beta\n");
	free(s);
	ck_assert_int_eq(stat(p, &a), 0);
	/* the same bytes in other pieces: unchanged, the same inode and time */
	ck_assert_int_eq(utimensat(AT_FDCWD, p, old, 0), 0);
	ck_assert_int_eq(streamed(p, whole, 0666), 0);
	ck_assert_int_eq(stat(p, &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_int_eq(b.st_mtim.tv_sec, 1000000000);
	/* longer, shorter, a byte changed, empty: each written, and dated now */
	ck_assert_int_eq(streamed(p, longer, 0666), 1);
	ck_assert_str_eq(s = get(p), "alpha beta\ngamma\n");
	free(s);
	ck_assert_int_eq(stat(p, &b), 0);
	ck_assert_int_gt(b.st_mtim.tv_sec, 1000000000);
	ck_assert_int_eq(streamed(p, ab, 0666), 1);
	ck_assert_str_eq(s = get(p), "alpha beta\n");
	free(s);
	ck_assert_int_eq(streamed(p, other, 0666), 1);
	ck_assert_str_eq(s = get(p), "alpha bets\n");
	free(s);
	ck_assert_int_eq(streamed(p, none, 0666), 1);
	ck_assert_str_eq(s = get(p), "");
	free(s);
	ck_assert_int_eq(streamed(p, none, 0666), 0);
	/* only the mode differs: written */
	ck_assert_int_eq(streamed(p, ab, 0666), 1);
	ck_assert_int_eq(streamed(p, ab, 0600), 1);
	ck_assert_int_eq(stat(p, &b), 0);
	ck_assert_uint_eq(b.st_mode & 07777, 0600);
	/* a difference past the first 64 KiB: what compared equal is copied from the old file */
	big = xmalloc(200001);
	for (i = 0; i < 200000; i++)
		big[i] = (char)('a' + i % 26);
	big[200000] = '\0';
	pieces[0] = big;
	pieces[1] = NULL;
	ck_assert_int_eq(streamed(p, pieces, 0600), 1);
	ck_assert_int_eq(streamed(p, pieces, 0600), 0);
	big[150000] = '#';
	ck_assert_int_eq(streamed(p, pieces, 0600), 1);
	ck_assert_str_eq(s = get(p), big);
	free(s);
	/* not kept: the old file stays, and no temporary file */
	w = mkwstream(p, 0600);
	wstreamwrite(w, "x", 1);
	ck_assert_int_eq(wstreamclose(w, false), 0);
	ck_assert_str_eq(s = get(p), big);
	free(s);
	s = shout("ls -A '%s/sub'", tmpdir);
	ck_assert_str_eq(s, "build.ninja\n");
	free(s);
	/* a symlink there is replaced, never written through */
	put("target", "t\n", 0644);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(symlink("../target", p), 0);
	ck_assert_int_eq(streamed(p, ab, 0666), 1);
	ck_assert_int_eq(lstat(p, &b), 0);
	ck_assert(S_ISREG(b.st_mode));
	ck_assert_str_eq(s = get("target"), "t\n");
	free(s);
	free(big);
	free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_checked_fixture(tc, tmpsetup, tmpteardown);
	tcase_add_test(tc, test_bufprintf);
	tcase_add_test(tc, test_xasprintf);
	tcase_add_test(tc, test_optval);
	tcase_add_test(tc, test_writefile);
	tcase_add_test(tc, test_writefile_umask);
	tcase_add_test(tc, test_writefile_nofollow);
	tcase_add_test(tc, test_tmpname);
	tcase_add_test(tc, test_writefilefd);
	tcase_add_test(tc, test_tmpstale);
	tcase_add_test(tc, test_jsonstr);
	tcase_add_test(tc, test_strvec);
	tcase_add_test(tc, test_wdir);
	tcase_add_test(tc, test_wstream);
	tcase_add_test(tc, test_yamltagfits);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
