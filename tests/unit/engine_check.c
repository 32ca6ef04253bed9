#include "compat.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "escape.h"
#include "unit.h"
#include "util.h"

/* the vector joined with spaces */
static char *
joined(const struct strvec *a)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (i)
			bufaddc(&b, ' ');
		bufadds(&b, a->v[i]);
	}
	bufterm(&b);
	ck_assert_ptr_null(a->v[a->n]);
	return b.data;
}

static void
assertargs(struct strvec *a, const char *want)
{
	char *s = joined(a);

	ck_assert_str_eq(s, want);
	free(s);
	delstrvec(a);
}

static const char *tags[] = {"reg:5000/ns/x:v1", "x:abc"};
static const char *bargs[] = {"A=1", "B=two words"};
static const char *labels[] = {"l=v"};
static const char *cfrom[] = {"reg/cache/x"};
static const char *cto[] = {"type=registry,ref=reg/cache/x"};

static struct buildopts
fullopts(void)
{
	struct buildopts o = {0};

	o.ctxdir = "ctx/x";
	o.file = "ctx/x/dockerfile";
	o.name = "x";
	o.tags = tags;
	o.ntags = LEN(tags);
	o.buildargs = bargs;
	o.nbuildargs = LEN(bargs);
	o.labels = labels;
	o.nlabels = LEN(labels);
	o.target = "final";
	o.iidfile = "img/x.iid.engine";
	return o;
}

START_TEST(test_build_lines)
{
	struct engine e = {0};
	struct buildopts o = fullopts();
	struct strvec a = {0};

	ck_assert(engineparse(&e, "podman"));
	enginebuild(&e, &o, &a);
	assertargs(&a, "podman build -f ctx/x/dockerfile -t x -t reg:5000/ns/x:v1 -t x:abc "
	    "--build-arg A=1 --build-arg B=two words --label l=v --target final "
	    "--iidfile img/x.iid.engine ctx/x");
	ck_assert(engineparse(&e, "docker"));
	enginebuild(&e, &o, &a);
	assertargs(&a, "docker build -f ctx/x/dockerfile -t x -t reg:5000/ns/x:v1 -t x:abc "
	    "--build-arg A=1 --build-arg B=two words --label l=v --target final "
	    "--iidfile img/x.iid.engine ctx/x");
	ck_assert(engineparse(&e, "buildah"));
	enginebuild(&e, &o, &a);
	assertargs(&a, "buildah bud -f ctx/x/dockerfile -t x -t reg:5000/ns/x:v1 -t x:abc "
	    "--build-arg A=1 --build-arg B=two words --label l=v --target final "
	    "--iidfile img/x.iid.engine ctx/x");
	o.cachefrom = cfrom;
	o.ncachefrom = 1;
	o.cacheto = cto;
	o.ncacheto = 1;
	ck_assert(engineparse(&e, "buildx"));
	e.builder = "remote";
	enginebuild(&e, &o, &a);
	assertargs(&a, "docker buildx build --builder remote --load -f ctx/x/dockerfile -t x -t reg:5000/ns/x:v1 -t x:abc "
	    "--build-arg A=1 --build-arg B=two words --label l=v --target final "
	    "--cache-from=reg/cache/x --cache-to=type=registry,ref=reg/cache/x --iidfile img/x.iid.engine ctx/x");
	/* the classic docker builder has --cache-from only */
	ck_assert(engineparse(&e, "docker"));
	enginebuild(&e, &o, &a);
	assertargs(&a, "docker build -f ctx/x/dockerfile -t x -t reg:5000/ns/x:v1 -t x:abc "
	    "--build-arg A=1 --build-arg B=two words --label l=v --target final "
	    "--cache-from=reg/cache/x --iidfile img/x.iid.engine ctx/x");
	/* the minimum */
	memset(&o, 0, sizeof(o));
	o.ctxdir = "c";
	o.file = "c/Dockerfile";
	o.iidfile = "i";
	ck_assert(engineparse(&e, "podman"));
	enginebuild(&e, &o, &a);
	assertargs(&a, "podman build -f c/Dockerfile --iidfile i c");
	ck_assert(!engineparse(&e, "rkt"));
}
END_TEST

START_TEST(test_registry_lines)
{
	struct engine e = {0};
	struct strvec a = {0};

	ck_assert(engineparse(&e, "podman"));
	e.insecure = true;
	enginepush(&e, "x", "reg:5000/ns/x:v1", "push/x.d", &a);
	assertargs(&a, "podman push --tls-verify=false --digestfile push/x.d x reg:5000/ns/x:v1");
	enginepull(&e, "reg:5000/ns/x:v1", &a);
	assertargs(&a, "podman pull --tls-verify=false --quiet reg:5000/ns/x:v1");
	enginelogin(&e, "reg:5000", "bob", &a);
	assertargs(&a, "podman login --tls-verify=false --username bob --password-stdin reg:5000");
	engineimageid(&e, "x", &a);
	assertargs(&a, "podman image inspect --format {{.Id}} x");
	enginetag(&e, "sha256:1", "x:v", &a);
	assertargs(&a, "podman tag sha256:1 x:v");
	ck_assert(engineparse(&e, "buildah"));
	enginepush(&e, "x", "reg/x", NULL, &a);
	assertargs(&a, "buildah push --tls-verify=false x reg/x");
	engineimageid(&e, "x", &a);
	assertargs(&a, "buildah inspect --type image --format {{.FromImageID}} x");
	enginepull(&e, "reg/x", &a);
	assertargs(&a, "buildah pull --tls-verify=false --quiet reg/x");
	{
		const char *dst[] = {"a", "b:1", "c"};

		ck_assert_uint_eq(enginetagmany(&e, "sha256:1", dst, 3, &a), 3);
		assertargs(&a, "buildah tag sha256:1 a b:1 c");
		ck_assert(engineparse(&e, "docker"));
		ck_assert_uint_eq(enginetagmany(&e, "sha256:1", dst + 1, 2, &a), 1);
		assertargs(&a, "docker tag sha256:1 b:1");
		ck_assert(engineparse(&e, "buildah"));
	}
	/* docker has no --tls-verify (its daemon decides) and pushes by the name */
	ck_assert(engineparse(&e, "docker"));
	enginepush(&e, "x", "reg/x:1", "ignored", &a);
	assertargs(&a, "docker push reg/x:1");
	enginelogin(&e, "reg", "bob", &a);
	assertargs(&a, "docker login --username bob --password-stdin reg");
}
END_TEST

START_TEST(test_imageidnorm)
{
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *s, *in;

	s = imageidnorm(hex, strlen(hex));
	ck_assert_str_eq(s + 7, hex);
	ck_assert(strncmp(s, "sha256:", 7) == 0);
	free(s);
	in = xasprintf("  sha256:%s\n", hex);
	s = imageidnorm(in, strlen(in));
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s + 7, hex);
	free(s);
	free(in);
	ck_assert_ptr_null(imageidnorm(hex, 63));
	ck_assert_ptr_null(imageidnorm("sha256:", 7));
	ck_assert_ptr_null(imageidnorm("", 0));
	in = xstrdup(hex);
	in[10] = 'G';
	ck_assert_ptr_null(imageidnorm(in, strlen(in)));
	in[10] = '\0';
	ck_assert_ptr_null(imageidnorm(in, 64));
	free(in);
}
END_TEST

START_TEST(test_quote)
{
	struct strvec a = {0};
	struct buf b = {0};

	strvecadd(&a, "podman");
	strvecadd(&a, "--build-arg");
	strvecadd(&a, "K=it's here");
	strvecadd(&a, "");
	strvecaddf(&a, "-t=%s:%d", "x", 3);
	escshellwords(&b, &a);
	ck_assert_str_eq(b.data, "podman --build-arg 'K=it'\\''s here' '' -t=x:3");
	delbuf(&b);
	delstrvec(&a);
}
END_TEST

START_TEST(test_run)
{
	struct strvec a = {0};
	struct buf out = {0};
	int fd;
	char *s;

	/* stdin in, stdout captured */
	strvecadd(&a, "/bin/cat");
	ck_assert_int_eq(enginerun(&a, "secret\n", &out, -1, -1), 0);
	ck_assert_str_eq(out.data, "secret\n");
	delbuf(&out);
	delstrvec(&a);
	/* no input: stdin is /dev/null, so cat ends at once */
	strvecadd(&a, "/bin/cat");
	ck_assert_int_eq(enginerun(&a, NULL, &out, -1, -1), 0);
	ck_assert_uint_eq(out.len, 0);
	delbuf(&out);
	delstrvec(&a);
	/* stdout and stderr into one file; arguments reach the program unsplit and unexpanded */
	fd = open("log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	strvecadd(&a, "/bin/sh");
	strvecadd(&a, "-c");
	strvecadd(&a, "echo \"out $1\"; echo err >&2; exit 3");
	strvecadd(&a, "sh");
	strvecadd(&a, "a b; $HOME");
	ck_assert_int_eq(enginerun(&a, NULL, NULL, fd, fd), 3);
	close(fd);
	s = get("log");
	ck_assert_str_eq(s, "out a b; $HOME\nerr\n");
	free(s);
	delstrvec(&a);
	/* killed by a signal */
	strvecadd(&a, "/bin/sh");
	strvecadd(&a, "-c");
	strvecadd(&a, "kill -TERM $$");
	ck_assert_int_eq(enginerun(&a, NULL, NULL, -1, -1), 128 + 15);
	delstrvec(&a);
	/* cannot exec */
	fd = open("log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	strvecadd(&a, "/nonexistent/engine");
	ck_assert_int_eq(enginerun(&a, NULL, NULL, fd, fd), 127);
	close(fd);
	s = get("log");
	ck_assert_ptr_nonnull(strstr(s, "cannot run /nonexistent/engine"));
	free(s);
	delstrvec(&a);
}
END_TEST

START_TEST(test_find)
{
	struct engine e = {0};
	char *path;

	ck_assert(mkdirp("bin", 0755));
	put("bin/podman", "#!/bin/sh\n", 0755);
	put("bin/buildah", "not executable\n", 0644);
	path = xasprintf("/nonexistent:%s/bin", tmpdir);
	setenv("PATH", path, 1);
	free(path);
	ck_assert(engineparse(&e, "podman"));
	ck_assert(enginefind(&e));
	path = xasprintf("%s/bin/podman", tmpdir);
	ck_assert_str_eq(e.path, path);
	free(path);
	delengine(&e);
	ck_assert(engineparse(&e, "buildah"));
	ck_assert(!enginefind(&e));
	ck_assert_str_eq(enginepkg(&e), "buildah");
	ck_assert(engineparse(&e, "docker"));
	ck_assert(!enginefind(&e));
	ck_assert_str_eq(enginepkg(&e), "docker.io");
}
END_TEST

/* a fake engine: records its arguments one per line, writes $SHIMID to the --iidfile, exits $SHIMRC */
static const char shim[] =
    "#!/bin/sh\n"
    "printf '%s\\n' \"$@\" >> \"$SHIMLOG\"\n"
    "echo '--' >> \"$SHIMLOG\"\n"
    "if [ \"$1 $2\" = 'image inspect' ]; then [ \"${SHIMRC:-0}\" = 0 ] && echo \"sha256:${SHIMHAS:-$SHIMID}\"; exit \"${SHIMRC:-0}\"; fi\n"
    "echo \"engine output line\"\n"
    "echo \"engine error line\" >&2\n"
    "while [ $# -gt 0 ]; do\n"
    "\tcase $1 in --iidfile) shift; printf '%s' \"$SHIMID\" > \"$1\" ;; esac\n"
    "\tshift\n"
    "done\n"
    "exit \"${SHIMRC:-0}\"\n";

#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"

static void
shimsetup(const char *exe)
{
	char *path, *sh;

	ck_assert(mkdirp("bin", 0755));
	sh = xasprintf("bin/%s", exe);
	put(sh, shim, 0755);
	free(sh);
	path = xasprintf("%s/bin:/usr/bin:/bin", tmpdir);
	setenv("PATH", path, 1);
	free(path);
	setenv("SHIMLOG", "shim.log", 1);
	setenv("SHIMID", ID1, 1);
	setenv("SHIMRC", "0", 1);
	put("ctx/x/Dockerfile", "FROM scratch\n", 0644);
	put("ctx/x/dockerfile", "FROM scratch\n", 0644);
}

/* imagegen build argv: the exit status */
static int
runbuild(char **argv)
{
	return runcmd(cmd_build, argv);
}

START_TEST(test_build_shim)
{
	char *argv[] = {"build", "--engine=docker", "--name=x", "--tag=reg/ns/x:v1", "--file=dockerfile",
	    "--build-arg=A=1", "--label=k=v", "--target=t", "--iid=img/x.iid", "--log=log/x.log", "ctx/x", NULL};
	char *s, *want;
	struct stat st;
	struct timespec ts[2] = {{0, 0}, {0, 0}};

	shimsetup("docker");
	ck_assert_int_eq(runbuild(argv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "build\n-f\nctx/x/dockerfile\n-t\nx\n-t\nreg/ns/x:v1\n--build-arg\nA=1\n--label\nk=v\n"
	    "--target\nt\n--iidfile\nimg/x.iid.engine\nctx/x\n--\n");
	free(s);
	s = get("img/x.iid");
	ck_assert_str_eq(s, "sha256:" ID1 "\n");
	free(s);
	ck_assert_int_ne(access("img/x.iid.engine", F_OK), 0);
	/* the log holds the command line and both output streams */
	s = get("log/x.log");
	want = xasprintf("$ %s/bin/docker build -f ctx/x/dockerfile", tmpdir);
	ck_assert_ptr_nonnull(strstr(s, want));
	ck_assert_ptr_nonnull(strstr(s, "engine output line\n"));
	ck_assert_ptr_nonnull(strstr(s, "engine error line\n"));
	free(want);
	free(s);
	/* same ID again: the iid file is not rewritten */
	ck_assert_int_eq(utimensat(AT_FDCWD, "img/x.iid", ts, 0), 0);
	ck_assert_int_eq(runbuild(argv), 0);
	ck_assert_int_eq(stat("img/x.iid", &st), 0);
	ck_assert_int_eq(st.st_mtime, 0);
	/* the log is fresh each run */
	s = get("log/x.log");
	ck_assert_ptr_null(strstr(strstr(s, "engine output line") + 1, "engine output line"));
	free(s);
	/* a new ID is written */
	setenv("SHIMID", ID2, 1);
	ck_assert_int_eq(runbuild(argv), 0);
	s = get("img/x.iid");
	ck_assert_str_eq(s, "sha256:" ID2 "\n");
	free(s);
	/* a failure leaves the old iid alone */
	setenv("SHIMID", ID1, 1);
	setenv("SHIMRC", "1", 1);
	ck_assert_int_eq(runbuild(argv), 1);
	s = get("img/x.iid");
	ck_assert_str_eq(s, "sha256:" ID2 "\n");
	free(s);
	/* an engine that reports garbage fails too */
	setenv("SHIMRC", "0", 1);
	setenv("SHIMID", "not an id", 1);
	ck_assert_int_eq(runbuild(argv), 1);
	s = get("img/x.iid");
	ck_assert_str_eq(s, "sha256:" ID2 "\n");
	free(s);
}
END_TEST

START_TEST(test_build_shim_buildah)
{
	char *argv[] = {"build", "--engine=buildah", "--name=x", "--build-arg=A=1", "--iid=img/x.iid", "ctx/x", NULL};
	char *s;

	shimsetup("buildah");
	ck_assert_int_eq(runbuild(argv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "bud\n-f\nctx/x/Dockerfile\n-t\nx\n--build-arg\nA=1\n--iidfile\nimg/x.iid.engine\nctx/x\n--\n");
	free(s);
	s = get("img/x.iid");
	ck_assert_str_eq(s, "sha256:" ID1 "\n");
	free(s);
}
END_TEST

START_TEST(test_layer_cache)
{
	char *argv[] = {"build", "--engine=podman", "--name=x", "--layer-cache=reg/lc", "--insecure", "--iid=img/x.iid", "ctx/x", NULL};
	char *dargv[] = {"build", "--engine=docker", "--name=x", "--layer-cache=reg/lc", "--iid=img/x.iid", "ctx/x", NULL};
	char *bargv[] = {"build", "--engine=buildx", "--name=x", "--layer-cache=reg/lc", "--iid=img/x.iid", "ctx/x", NULL};
	char *s;

	shimsetup("podman");
	ck_assert_int_eq(runbuild(argv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "build\n--tls-verify=false\n-f\nctx/x/Dockerfile\n-t\nx\n--cache-from=reg/lc/x\n--cache-to=reg/lc/x\n"
	    "--iidfile\nimg/x.iid.engine\nctx/x\n--\n");
	free(s);
	unlink("shim.log");
	shimsetup("docker");
	ck_assert_int_eq(runbuild(dargv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "build\n-f\nctx/x/Dockerfile\n-t\nx\n--cache-from=reg/lc/x\n--iidfile\nimg/x.iid.engine\nctx/x\n--\n");
	free(s);
	unlink("shim.log");
	ck_assert_int_eq(runbuild(bargv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "buildx\nbuild\n--load\n-f\nctx/x/Dockerfile\n-t\nx\n"
	    "--cache-from=type=registry,ref=reg/lc/x:buildcache\n--cache-to=type=registry,ref=reg/lc/x:buildcache,mode=max\n"
	    "--iidfile\nimg/x.iid.engine\nctx/x\n--\n");
	free(s);
}
END_TEST

START_TEST(test_build_shim_buildx)
{
	char *argv[] = {"build", "--engine=buildx", "--builder=far", "--name=x", "--cache-from=r/c", "--cache-to=type=inline",
	    "--iid=img/x.iid", "ctx/x", NULL};
	char *s;

	shimsetup("docker");
	ck_assert_int_eq(runbuild(argv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "buildx\nbuild\n--builder\nfar\n--load\n-f\nctx/x/Dockerfile\n-t\nx\n"
	    "--cache-from=r/c\n--cache-to=type=inline\n--iidfile\nimg/x.iid.engine\nctx/x\n--\n");
	free(s);
}
END_TEST

/* runs argv (NULL-terminated) through cmd with stdout in out.txt */
static int
runout(int (*cmd)(int, char **), char **argv)
{
	int argc = 0, saved, fd, rc;

	while (argv[argc])
		argc++;
	fflush(stdout);
	saved = dup(1);
	fd = open("out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	close(fd);
	rc = cmd(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

/*
 * a build whose digest and prerequisites' IDs are those of the last build,
 * and whose image the engine still has, runs no engine build
 */
START_TEST(test_build_uptodate)
{
	char *argv[] = {"build", "--engine=docker", "--name=x", "--digest=img/x.digest", "--dep=img/b.iid",
	    "--iid=img/x.iid", "--log=log/x.log", "ctx/x", NULL};
	char *s;

	shimsetup("docker");
	put("img/x.digest", "sha256:" ID2 "\n", 0644);
	put("img/b.iid", "sha256:" ID2 "\n", 0644);
	ck_assert_int_eq(runout(cmd_build, argv), 0);
	s = get("out.txt");
	ck_assert_ptr_nonnull(strstr(s, "x: built in "));
	ck_assert_ptr_nonnull(strstr(s, " s (sha256:111111111111)\n"));
	free(s);
	s = get("img/x.built");
	ck_assert_str_eq(s, "digest sha256:" ID2 "\ndep sha256:" ID2 "\nid sha256:" ID1 "\n");
	free(s);
	unlink("shim.log");
	/* the same inputs: one image inspect, no build */
	ck_assert_int_eq(runout(cmd_build, argv), 0);
	s = get("out.txt");
	ck_assert_str_eq(s, "x: up to date (inputs unchanged)\n");
	free(s);
	s = get("shim.log");
	ck_assert_str_eq(s, "image\ninspect\n--format\n{{.Id}}\nx\n--\n");
	free(s);
	/* the engine's x is another image: build */
	setenv("SHIMHAS", ID2, 1);
	ck_assert_int_eq(runout(cmd_build, argv), 0);
	s = get("out.txt");
	ck_assert_ptr_nonnull(strstr(s, "x: built in "));
	free(s);
	unsetenv("SHIMHAS");
	/* a prerequisite was rebuilt: build */
	put("img/b.iid", "sha256:" ID1 "\n", 0644);
	ck_assert_int_eq(runout(cmd_build, argv), 0);
	s = get("out.txt");
	ck_assert_ptr_nonnull(strstr(s, "x: built in "));
	free(s);
	ck_assert_int_eq(runout(cmd_build, argv), 0);
	s = get("out.txt");
	ck_assert_str_eq(s, "x: up to date (inputs unchanged)\n");
	free(s);
	/* a new digest: build */
	put("img/x.digest", "sha256:" ID1 "\n", 0644);
	ck_assert_int_eq(runout(cmd_build, argv), 0);
	s = get("out.txt");
	ck_assert_ptr_nonnull(strstr(s, "x: built in "));
	free(s);
}
END_TEST

/* imagegen tag: names given once, recorded, only new ones given again; never a build */
START_TEST(test_tag)
{
	char *argv[] = {"tag", "--engine=podman", "--iid=img/x.iid", "--name=x", "--tag=r/ns/x:v1", "--tag=x:extra",
	    "-o", "img/x.tags", NULL};
	char *argv2[] = {"tag", "--engine=podman", "--iid=img/x.iid", "--name=x", "--tag=r/ns/x:v2", "--tag=x:extra",
	    "-o", "img/x.tags", NULL};
	char *argd[] = {"tag", "--engine=docker", "--iid=img/x.iid", "--name=x", "--tag=r/ns/x:v2", "--tag=x:extra",
	    "-o", "img/x.tags", NULL};
	char *s;

	shimsetup("podman");
	put("img/x.iid", "sha256:" ID1 "\n", 0644);
	ck_assert_int_eq(runout(cmd_tag, argv), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "tag\nsha256:" ID1 "\nr/ns/x:v1\nx:extra\n--\n");
	free(s);
	s = get("img/x.tags");
	ck_assert_str_eq(s, "sha256:" ID1 " r/ns/x:v1\nsha256:" ID1 " x:extra\n");
	free(s);
	s = get("out.txt");
	ck_assert_str_eq(s, "x: tagged r/ns/x:v1, x:extra\n");
	free(s);
	/* again: nothing runs, nothing is printed */
	unlink("shim.log");
	ck_assert_int_eq(runout(cmd_tag, argv), 0);
	ck_assert_int_ne(access("shim.log", F_OK), 0);
	s = get("out.txt");
	ck_assert_str_eq(s, "");
	free(s);
	/* a new tag: only that name is given */
	ck_assert_int_eq(runout(cmd_tag, argv2), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "tag\nsha256:" ID1 "\nr/ns/x:v2\n--\n");
	free(s);
	/* a new image: every name again, one command each with docker */
	unlink("shim.log");
	put("img/x.iid", "sha256:" ID2 "\n", 0644);
	shimsetup("docker");
	unlink("shim.log");
	ck_assert_int_eq(runout(cmd_tag, argd), 0);
	s = get("shim.log");
	ck_assert_str_eq(s, "tag\nsha256:" ID2 "\nr/ns/x:v2\n--\ntag\nsha256:" ID2 "\nx:extra\n--\n");
	free(s);
	/* a failing engine: exit 1, the stamp stays */
	setenv("SHIMRC", "1", 1);
	put("img/x.iid", "sha256:" ID1 "\n", 0644);
	ck_assert_int_eq(runout(cmd_tag, argd), 1);
	s = get("img/x.tags");
	ck_assert_ptr_nonnull(strstr(s, ID2));
	free(s);
}
END_TEST

/* podman's short-name error gets a note saying how to fix it */
START_TEST(test_shortname_hint)
{
	char *argv[] = {"build", "--engine=podman", "--name=x", "--iid=img/x.iid", "--log=log/x.log", "ctx/x", NULL};
	char *s;
	int saved, fd;
	FILE *f;

	shimsetup("podman");
	f = fopen("bin/podman", "w");
	ck_assert_ptr_nonnull(f);
	fputs("#!/bin/sh\necho 'Error: creating build container: short-name \"ubuntu\" did not resolve to an alias "
	    "and no unqualified-search registries are defined in \"/etc/containers/registries.conf\"' >&2\nexit 125\n", f);
	fclose(f);
	fflush(stderr);
	saved = dup(2);
	fd = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	ck_assert_int_eq(runbuild(argv), 1);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	s = get("err.txt");
	ck_assert_ptr_nonnull(strstr(s, "imagegen: note: podman resolves a short name"));
	ck_assert_ptr_nonnull(strstr(s, "unqualified-search-registries = [\"docker.io\"]"));
	ck_assert_ptr_nonnull(strstr(s, "x: FAILED after "));
	free(s);
}
END_TEST

/* the failure report: the tail of the log and a line naming the image and the log */
START_TEST(test_build_failure_report)
{
	char *argv[] = {"build", "--engine=podman", "--name=x", "--iid=img/x.iid", "--log=log/x.log", "ctx/x", NULL};
	const char *s, *p;
	char *f;
	int n;

	shimsetup("podman");
	put("bin/podman", "#!/bin/sh\ni=0\nwhile [ $i -lt 120 ]; do echo \"line $i\"; i=$((i+1)); done\nexit 7\n", 0755);
	ck_assert_int_eq(runcapture(cmd_build, argv), 1);
	s = captured;
	ck_assert_ptr_nonnull(strstr(s, "line 119\n"));
	ck_assert_ptr_nonnull(strstr(s, "line 70\n"));
	ck_assert_ptr_null(strstr(s, "line 69\n"));
	ck_assert_ptr_nonnull(strstr(s, "\nx: FAILED after "));
	ck_assert_ptr_nonnull(strstr(s, " s, see log/x.log\n"));
	for (n = 0, p = s; (p = strchr(p, '\n')); p++)
		n++;
	ck_assert_int_eq(n, 51);
	ck_assert_int_ne(access("img/x.iid", F_OK), 0);
	/* imagegen status reads that the last run failed */
	f = get("img/x.failed");
	ck_assert_str_eq(f, "build podman exit status 7\n");
	free(f);
}
END_TEST

START_TEST(test_build_errors)
{
	char *nopath[] = {"build", "--engine=podman", "--iid=i", "ctx/x", NULL};
	char *nofile[] = {"build", "--engine=docker", "--file=nope", "--iid=i", "ctx/x", NULL};
	char *noctx[] = {"build", "--engine=docker", "--iid=i", "ctx/none", NULL};
	char *noiid[] = {"build", "--engine=docker", "ctx/x", NULL};
	char *bad[] = {"build", "--engine=docker", "--iid=i", "--bogus", "ctx/x", NULL};
	char *badkv[] = {"build", "--engine=docker", "--iid=i", "--build-arg=novalue", "ctx/x", NULL};
	char *badengine[] = {"build", "--engine=rkt", "--iid=i", "ctx/x", NULL};

	shimsetup("docker");
	setenv("PATH", "/nonexistent", 1);
	ck_assert_int_eq(runbuild(nopath), 1);
	setenv("PATH", "bin", 1);
	ck_assert_int_eq(runbuild(nofile), 1);
	ck_assert_int_eq(runbuild(noctx), 1);
	ck_assert_int_eq(runbuild(noiid), 2);
	ck_assert_int_eq(runbuild(bad), 2);
	ck_assert_int_eq(runbuild(badkv), 2);
	ck_assert_int_eq(runbuild(badengine), 2);
	ck_assert_int_ne(access("shim.log", F_OK), 0);
}
END_TEST

/* real podman with a private storage root, FROM scratch images */
static void
podmansetup(void)
{
	tmpsetup();
	podmanstore("main");
}


START_TEST(test_podman)
{
	char *base[] = {"build", "--engine=podman", "--name=igbase", "--iid=img/base.iid", "--log=log/base.log", "ctx/base", NULL};
	char *leaf[] = {"build", "--engine=podman", "--name=igleaf", "--tag=localhost/ns/igleaf:v1", "--file=dockerfile",
	    "--build-arg=WHO=leaf", "--label=org.example=yes", "--iid=img/leaf.iid", "--log=log/leaf.log", "ctx/leaf", NULL};
	char *s, *id, *c;
	struct stat st;
	struct timespec ts[2] = {{0, 0}, {0, 0}};

	put("ctx/base/Dockerfile", "FROM scratch\nCOPY a /a\n", 0644);
	put("ctx/base/a", "base file\n", 0644);
	put("ctx/leaf/dockerfile", "FROM igbase\nARG WHO\nCOPY b /b\nLABEL who=$WHO\n", 0644);
	put("ctx/leaf/b", "leaf file\n", 0644);
	ck_assert_int_eq(runbuild(base), 0);
	id = get("img/base.iid");
	s = shout("podman image inspect --format '{{.Id}}' igbase 2>/dev/null");
	ck_assert_str_eq(id + 7, s);
	free(s);
	ck_assert_int_eq(runbuild(leaf), 0);
	s = shout("podman image inspect --format '{{index .Labels \"who\"}} {{index .Labels \"org.example\"}}' localhost/ns/igleaf:v1 2>/dev/null");
	ck_assert_str_eq(s, "leaf yes\n");
	free(s);
	/* the leaf holds its file and its base's */
	c = shout("podman create igleaf /none 2>/dev/null");
	c[strcspn(c, "\n")] = '\0';
	free(shout("podman cp %s:/a base.out 2>/dev/null", c));
	free(shout("podman cp %s:/b leaf.out 2>/dev/null", c));
	free(c);
	s = get("base.out");
	ck_assert_str_eq(s, "base file\n");
	free(s);
	s = get("leaf.out");
	ck_assert_str_eq(s, "leaf file\n");
	free(s);
	/* a rebuild of unchanged input keeps the ID, so the iid file keeps its mtime */
	ck_assert_int_eq(utimensat(AT_FDCWD, "img/base.iid", ts, 0), 0);
	ck_assert_int_eq(runbuild(base), 0);
	ck_assert_int_eq(stat("img/base.iid", &st), 0);
	ck_assert_int_eq(st.st_mtime, 0);
	/* a changed file changes the ID */
	put("ctx/base/a", "base file, changed\n", 0644);
	ck_assert_int_eq(runbuild(base), 0);
	s = get("img/base.iid");
	ck_assert_str_ne(s, id);
	free(s);
	free(id);
	/* a failing build keeps the old ID and the engine's message is in the log */
	id = get("img/base.iid");
	put("ctx/base/Dockerfile", "FROM scratch\nCOPY missing /missing\n", 0644);
	ck_assert_int_eq(runbuild(base), 1);
	s = get("img/base.iid");
	ck_assert_str_eq(s, id);
	free(s);
	free(id);
	s = get("log/base.log");
	ck_assert_ptr_nonnull(strstr(s, "missing"));
	free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	TCase *tp = tcase_create("podman");

	tcase_add_checked_fixture(tc, tmpsetup, tmpteardown);
	tcase_add_test(tc, test_build_lines);
	tcase_add_test(tc, test_registry_lines);
	tcase_add_test(tc, test_imageidnorm);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_run);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_build_shim);
	tcase_add_test(tc, test_build_shim_buildah);
	tcase_add_test(tc, test_build_shim_buildx);
	tcase_add_test(tc, test_layer_cache);
	tcase_add_test(tc, test_build_failure_report);
	tcase_add_test(tc, test_build_uptodate);
	tcase_add_test(tc, test_shortname_hint);
	tcase_add_test(tc, test_tag);
	tcase_add_test(tc, test_build_errors);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tp, podmansetup, tmpteardown);
	tcase_set_timeout(tp, 120);
	tcase_add_test(tp, test_podman);
	suite_add_tcase(s, tp);
	return runsuite(s);
}
