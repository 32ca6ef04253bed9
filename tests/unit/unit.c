/* the helpers every Check suite shares: see unit.h */
#include "compat.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

char tmpdir[4096];
char captured[65536];
static char olddir[4096];
static char *oldpath;
static FILE *captf;
static int captfd, captsaved = -1;

void
tmpsetup(void)
{
	const char *t = getenv("TMPDIR");

	if (!oldpath)
		oldpath = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", oldpath, 1);
	if (!t || *t != '/' || strlen(t) > sizeof(tmpdir) - 32)
		t = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/imagegen-unit.XXXXXX", t);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_ptr_nonnull(getcwd(olddir, sizeof(olddir)));
	ck_assert_int_eq(chdir(tmpdir), 0);
	umask(022);
}

void
tmpteardown(void)
{
	ck_assert_int_eq(chdir(olddir), 0);
	setenv("PATH", oldpath, 1);
	ck_assert_int_eq(sh("chmod -R u+rwx '%s' && rm -rf '%s'", tmpdir, tmpdir), 0);
}

void
podmanstore(const char *name)
{
	char *s;

	s = xasprintf("[storage]\ndriver = \"vfs\"\ngraphroot = \"%s/graph-%s\"\nrunroot = \"%s/run-%s\"\n",
	    tmpdir, name, tmpdir, name);
	put("storage.conf", s, 0644);
	free(s);
	s = xasprintf("%s/storage.conf", tmpdir);
	setenv("CONTAINERS_STORAGE_CONF", s, 1);
	free(s);
	setenv("BUILDAH_ISOLATION", "chroot", 1);
}

void
put(const char *path, const char *text, mode_t mode)
{
	ck_assert_msg(mkdirparent(path), "cannot make the directory of %s", path);
	ck_assert_int_ge(writefile(path, text, strlen(text), mode), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

char *
get(const char *path)
{
	struct buf b = {0};

	if (!readfile(path, &b)) {
		delbuf(&b);
		return xstrdup("<missing>");
	}
	bufterm(&b);
	return b.data;
}

char *
getf(const char *fmt, ...)
{
	va_list ap;
	char *path, *s;

	va_start(ap, fmt);
	path = xvasprintf(fmt, ap);
	va_end(ap);
	s = get(path);
	free(path);
	return s;
}

bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	fflush(NULL);
	st = system(cmd);
	free(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *
shout(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	FILE *f;
	char chunk[4096];
	size_t n;
	int st;

	va_start(ap, fmt);
	bufvprintf(&b, fmt, ap);
	va_end(ap);
	bufterm(&b);
	fflush(NULL);
	f = popen(b.data, "r");
	ck_assert_msg(f != NULL, "cannot run: %s", b.data);
	b.len = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bufadd(&b, chunk, n);
	st = pclose(f);
	bufterm(&b);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "a shell command failed; its output: %s", b.data);
	return b.data;
}

void
capture(int fd)
{
	ck_assert_msg(!captf, "descriptor %d is captured already", captfd);
	ck_assert(fd == 1 || fd == 2);
	captf = tmpfile();
	ck_assert_ptr_nonnull(captf);
	fflush(NULL);
	captfd = fd;
	captsaved = dup(fd);
	ck_assert_int_ge(captsaved, 0);
	ck_assert_int_eq(dup2(fileno(captf), fd), fd);
}

const char *
uncapture(void)
{
	size_t n;

	ck_assert_msg(captf != NULL, "nothing is captured");
	fflush(NULL);
	ck_assert_int_eq(dup2(captsaved, captfd), captfd);
	close(captsaved);
	captsaved = -1;
	rewind(captf);
	n = fread(captured, 1, sizeof(captured) - 1, captf);
	captured[n] = '\0';
	fclose(captf);
	captf = NULL;
	return captured;
}

int
runcmd(int (*cmd)(int, char **), char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cmd(argc, argv);
}

int
runcapture(int (*cmd)(int, char **), char **argv)
{
	int rc;

	capture(2);
	rc = runcmd(cmd, argv);
	uncapture();
	return rc;
}

int
runsuite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
