/*
 * push, publish and the cache registry against a real docker-registry on
 * loopback and podman with a private storage root
 */
#include "compat.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "unit.h"
#include "util.h"

static int port;
static pid_t regpid;

static int
freeport(void)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static bool
listening(int p)
{
	struct sockaddr_in sa = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)p);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* stops the registry; also run at exit, since a failed test does not reach its teardown */
static void
stopregistry(void)
{
	int i;

	if (regpid <= 0)
		return;
	kill(regpid, SIGTERM);
	for (i = 0; i < 100 && kill(regpid, 0) == 0; i++)
		nanosleep(&(struct timespec){0, 20000000}, NULL);
	regpid = 0;
}

/* starts docker-registry on a free loopback port, with basic auth when htpasswd is set */
static void
startregistry(bool auth)
{
	char *conf, *pid;
	int i;

	port = freeport();
	conf = xasprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\n"
	    "http:\n  addr: 127.0.0.1:%d\n%s%s%s", tmpdir, port,
	    auth ? "auth:\n  htpasswd:\n    realm: test\n    path: " : "", auth ? tmpdir : "", auth ? "/htpasswd\n" : "");
	put("registry.yml", conf, 0644);
	free(conf);
	if (auth)
		ck_assert_int_eq(sh("/usr/bin/python3 -W ignore -c \"import crypt; "
		    "print('bob:' + crypt.crypt('s3cret', crypt.mksalt(crypt.METHOD_BLOWFISH)))\" > htpasswd"), 0);
	ck_assert_int_eq(sh("env -u REGISTRY_AUTH_FILE docker-registry serve registry.yml > registry.log 2>&1 & echo $! > registry.pid"), 0);
	pid = get("registry.pid");
	regpid = (pid_t)atoi(pid);
	free(pid);
	ck_assert_int_gt(regpid, 0);
	atexit(stopregistry);
	for (i = 0; i < 100 && !listening(port); i++)
		nanosleep(&(struct timespec){0, 50000000}, NULL);
	ck_assert_msg(listening(port), "docker-registry did not start");
}

static void
setup(void)
{
	char *s;

	tmpsetup();
	podmanstore("main");
	s = xasprintf("%s/auth.json", tmpdir);
	put(s, "{}\n", 0600);
	setenv("REGISTRY_AUTH_FILE", s, 1);
	free(s);
	/* podman behind a wrapper that counts its invocations by subcommand */
	put("bin/podman", "#!/bin/sh\necho \"$1\" >> \"$CALLS\"\nexec /usr/bin/podman \"$@\"\n", 0755);
	s = xasprintf("%s/bin:%s", tmpdir, getenv("PATH"));
	setenv("PATH", s, 1);
	free(s);
	s = xasprintf("%s/calls", tmpdir);
	setenv("CALLS", s, 1);
	free(s);
	regpid = 0;
}

static void
teardown(void)
{
	stopregistry();
	tmpteardown();
}

static int
runv(int (*cmd)(int, char **), ...)
{
	char *argv[32];
	int argc = 0, rc;
	va_list ap;
	const char *s;

	va_start(ap, cmd);
	while ((s = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = xstrdup(s);
	va_end(ap);
	argv[argc] = NULL;
	rc = cmd(argc, argv);
	while (argc > 0)
		free(argv[--argc]);
	return rc;
}

/* counts the engine invocations of one subcommand ("build", "push", ...) since the last reset */
static int
calls(const char *sub)
{
	char *s = get("calls"), *p;
	size_t n = strlen(sub);
	int count = 0;

	if (strcmp(s, "<missing>") == 0) {
		free(s);
		return 0;
	}
	for (p = s; *p;) {
		if (strncmp(p, sub, n) == 0 && p[n] == '\n')
			count++;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	free(s);
	return count;
}

static void
resetcalls(void)
{
	unlink("calls");
}

/* the example: base FROM scratch, two leaves on it, the leaves' contexts identical but for build args */
static void
example(const char *dir)
{
	static const char *const files[][2] = {
		{"base/Dockerfile", "FROM scratch\nCOPY a /a\n"},
		{"base/a", "base\n"},
		{"left/Dockerfile", "FROM base\nARG SIDE\nCOPY l /l\nLABEL side=$SIDE\n"},
		{"left/l", "leaf\n"},
		{"right/Dockerfile", "FROM base\nARG SIDE\nCOPY l /l\nLABEL side=$SIDE\n"},
		{"right/l", "leaf\n"},
	};
	size_t i;
	char *p;

	for (i = 0; i < LEN(files); i++) {
		p = xasprintf("%s/ctx/%s", dir, files[i][0]);
		put(p, files[i][1], 0644);
		free(p);
	}
}

/* digest and build one image the way the generated edges do, in build directory dir */
static int
buildimage(const char *dir, const char *name, const char *cache)
{
	char *ctx, *digest, *iid, *log, *arg, *dep, *dopt, *copt, *nopt;
	bool leaf = strcmp(name, "base") != 0;
	int rc;

	ctx = xasprintf("--ctx=%s/ctx/%s", dir, name);
	digest = xasprintf("%s/img/%s.digest", dir, name);
	arg = xasprintf("--build-arg=SIDE=%s", name);
	dep = xasprintf("--dep=%s/img/base.digest", dir);
	if (leaf)
		rc = runv(cmd_digest, "digest", ctx, arg, dep, "-o", digest, NULL);
	else
		rc = runv(cmd_digest, "digest", ctx, "-o", digest, NULL);
	ck_assert_int_eq(rc, 0);
	free(ctx);
	ctx = xasprintf("%s/ctx/%s", dir, name);
	iid = xasprintf("--iid=%s/img/%s.iid", dir, name);
	log = xasprintf("--log=%s/log/%s.log", dir, name);
	dopt = xasprintf("--digest=%s", digest);
	copt = cache ? xasprintf("--cache=%s", cache) : xstrdup("--insecure");
	rc = runv(cmd_build, "build", "--engine=podman", "--insecure", copt, leaf ? arg : "--insecure",
	    (nopt = xasprintf("--name=%s", name)), dopt, iid, log, ctx, NULL);
	free(nopt);
	free(ctx);
	free(digest);
	free(iid);
	free(log);
	free(arg);
	free(dep);
	free(dopt);
	free(copt);
	return rc;
}

static char *
reg(const char *path)
{
	return xasprintf("127.0.0.1:%d/%s", port, path);
}

/* GET on the registry's API, stdout of curl */
static char *
api(const char *path)
{
	return shout("curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "
	    "-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' http://127.0.0.1:%d/v2/%s", port, path);
}

static int
push(const char *name, const char *extra)
{
	char *iid = xasprintf("--iid=img/%s.iid", name);
	char *digest = xasprintf("--digest=img/%s.digest", name);
	char *repo = xasprintf("--repo=127.0.0.1:%d/ns/%s", port, name);
	char *log = xasprintf("--log=log/%s.push.log", name);
	char *out = xasprintf("push/%s.pushed", name);
	int rc;

	if (extra)
		rc = runv(cmd_push, "push", "--engine=podman", "--insecure", iid, digest, repo, log, extra, "-o", out, NULL);
	else
		rc = runv(cmd_push, "push", "--engine=podman", "--insecure", iid, digest, repo, log, "-o", out, NULL);
	free(iid);
	free(digest);
	free(repo);
	free(log);
	free(out);
	return rc;
}

static const char *names[] = {"base", "left", "right"};

START_TEST(test_push_publish)
{
	char *s, *id, *path, *want;
	size_t i;
	struct timespec ts[2] = {{0, 0}, {0, 0}};
	struct stat st;

	startregistry(false);
	example(".");
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(buildimage(".", names[i], NULL), 0);
	/* identical contexts, different build args: different digests */
	s = get("img/left.digest");
	id = get("img/right.digest");
	ck_assert_str_ne(s, id);
	free(s);
	free(id);
	resetcalls();
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(push(names[i], NULL), 0);
	ck_assert_int_eq(calls("push"), 3);
	s = api("_catalog");
	ck_assert_str_eq(s, "{\"repositories\":[\"ns/base\",\"ns/left\",\"ns/right\"]}\n");
	free(s);
	for (i = 0; i < LEN(names); i++) {
		/* the stamp's manifest is in the registry, and its config is the local image ID */
		path = xasprintf("push/%s.pushed", names[i]);
		s = get(path);
		free(path);
		id = getf("img/%s.iid", names[i]);
		id[strcspn(id, "\n")] = '\0';
		ck_assert(strncmp(s, id, strlen(id)) == 0);
		path = xasprintf("ns/%s/manifests/%s", names[i], strchr(s, '@') + 1);
		path[strcspn(path, "\n")] = '\0';
		free(s);
		s = api(path);
		free(path);
		want = xasprintf("\"digest\":\"%s\"", id);
		ck_assert_msg(strstr(s, want), "manifest %s lacks %s", s, want);
		free(want);
		free(s);
		free(id);
		/* no human tag yet: only the staging tag */
		path = xasprintf("ns/%s/tags/list", names[i]);
		s = api(path);
		free(path);
		ck_assert_ptr_null(strstr(s, "\"v1\""));
		free(s);
	}
	/* pushing again with nothing changed runs no engine command */
	resetcalls();
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(push(names[i], NULL), 0);
	ck_assert_int_eq(calls("push") + calls("login") + calls("tag"), 0);
	/* publish moves v1 on every repository */
	ck_assert_int_eq(runv(cmd_publish, "publish", "--engine=podman", "--insecure", "--tag=v1", "--log=log/publish.log",
	    "-o", "push/published", "push/base.pushed", "push/left.pushed", "push/right.pushed", NULL), 0);
	ck_assert_int_eq(calls("push"), 3);
	for (i = 0; i < LEN(names); i++) {
		path = xasprintf("ns/%s/manifests/v1", names[i]);
		s = api(path);
		free(path);
		id = getf("img/%s.iid", names[i]);
		id[strcspn(id, "\n")] = '\0';
		ck_assert_ptr_nonnull(strstr(s, id));
		free(s);
		free(id);
	}
	/* publishing again pushes nothing and keeps the stamp */
	ck_assert_int_eq(utimensat(AT_FDCWD, "push/published", ts, 0), 0);
	resetcalls();
	ck_assert_int_eq(runv(cmd_publish, "publish", "--engine=podman", "--insecure", "--tag=v1", "-o", "push/published",
	    "push/base.pushed", "push/left.pushed", "push/right.pushed", NULL), 0);
	ck_assert_int_eq(calls("push"), 0);
	ck_assert_int_eq(stat("push/published", &st), 0);
	ck_assert_int_eq(st.st_mtime, 0);
	/* a publish set with a missing stamp moves nothing */
	ck_assert_int_eq(runv(cmd_publish, "publish", "--engine=podman", "--insecure", "--tag=v2", "-o", "push/published2",
	    "push/base.pushed", "push/none.pushed", NULL), 1);
	ck_assert_int_eq(calls("push"), 0);
	ck_assert_int_ne(access("push/published2", F_OK), 0);
}
END_TEST

START_TEST(test_push_errors)
{
	char *s, *opt;

	startregistry(true);
	example(".");
	ck_assert_int_eq(buildimage(".", "base", NULL), 0);
	put("wrong", "not-it\n", 0600);
	put("right", "s3cret\n", 0600);
	/* no credentials */
	ck_assert_int_eq(push("base", NULL), 1);
	ck_assert_int_ne(access("push/base.pushed", F_OK), 0);
	/* a wrong password: the error names the registry, no stamp */
	capture(2);
	setenv("PUSHPW", "wrong", 1);
	ck_assert_int_eq(runv(cmd_push, "push", "--engine=podman", "--insecure", "--iid=img/base.iid",
	    (opt = xasprintf("--repo=127.0.0.1:%d/ns/base", port)), "--user=bob", "--password-env=PUSHPW",
	    "--log=log/push.log", "-o", "push/base.pushed", NULL), 1);
	uncapture();
	free(opt);
	opt = xasprintf("login to the registry 127.0.0.1:%d as bob failed", port);
	ck_assert_msg(strstr(captured, opt), "stderr: %s", captured);
	free(opt);
	ck_assert_int_ne(access("push/base.pushed", F_OK), 0);
	/* the password never reaches a command line: the log holds the commands */
	s = get("log/push.log");
	ck_assert_ptr_null(strstr(s, "wrong"));
	ck_assert_ptr_nonnull(strstr(s, "--password-stdin"));
	free(s);
	ck_assert_int_eq(push("base", "--user=bob"), 2);
	/* the right password from a file */
	ck_assert_int_eq(runv(cmd_push, "push", "--engine=podman", "--insecure", "--iid=img/base.iid",
	    (opt = xasprintf("--repo=127.0.0.1:%d/ns/base", port)), "--user=bob", "--password-file=right",
	    "-o", "push/base.pushed", NULL), 0);
	free(opt);
	s = get("push/base.pushed");
	ck_assert_ptr_nonnull(strstr(s, "@sha256:"));
	free(s);
	/* the password as OpenPAI keeps it, in the cluster configuration, read at run time */
	put("cluster.yaml", "docker-registry-info:\n  docker-username: bob\n  docker-password: s3cret\n", 0600);
	ck_assert_int_eq(unlink("auth.json"), 0);
	put("auth.json", "{}\n", 0600);
	ck_assert_int_eq(runv(cmd_push, "push", "--engine=podman", "--insecure", "--iid=img/base.iid",
	    (opt = xasprintf("--repo=127.0.0.1:%d/ns/fromconfig", port)), "--user=bob", "--password-config=cluster.yaml",
	    "--log=log/push.log", "-o", "push/fromconfig.pushed", NULL), 0);
	free(opt);
	s = get("log/push.log");
	ck_assert_ptr_nonnull(strstr(s, "login"));
	ck_assert_ptr_null(strstr(s, "s3cret"));
	free(s);
	ck_assert_int_eq(access("push/fromconfig.pushed", F_OK), 0);
	/* OpenPAI's configuration directory: cluster.docker-registry-info of services-configuration.yaml */
	ck_assert_int_eq(mkdir("paiconf", 0700), 0);
	put("paiconf/services-configuration.yaml", "cluster:\n  docker-registry-info:\n    docker-namespace: ns\n"
	    "    docker-registry-domain: x\n    docker-tag: t\n    docker-username: bob\n    docker-password: s3cret\n", 0600);
	ck_assert_int_eq(unlink("auth.json"), 0);
	put("auth.json", "{}\n", 0600);
	ck_assert_int_eq(runv(cmd_push, "push", "--engine=podman", "--insecure", "--iid=img/base.iid",
	    (opt = xasprintf("--repo=127.0.0.1:%d/ns/frompai", port)), "--user=bob", "--password-config=paiconf",
	    "--log=log/push.log", "-o", "push/frompai.pushed", NULL), 0);
	free(opt);
	s = get("log/push.log");
	ck_assert_ptr_null(strstr(s, "s3cret"));
	free(s);
	ck_assert_int_eq(access("push/frompai.pushed", F_OK), 0);
	/* an unreachable registry: the error names it, no stamp */
	capture(2);
	ck_assert_int_eq(runv(cmd_push, "push", "--engine=podman", "--insecure", "--iid=img/base.iid",
	    "--repo=127.0.0.1:1/ns/base", "--log=log/push.log", "-o", "push/gone.pushed", NULL), 1);
	uncapture();
	ck_assert_msg(strstr(captured, "push of base to 127.0.0.1:1/ns/base:id-"), "stderr: %s", captured);
	ck_assert_ptr_nonnull(strstr(captured, "the full log is log/push.log"));
	ck_assert_int_ne(access("push/gone.pushed", F_OK), 0);
}
END_TEST

/* a fresh build directory and an empty image store: every image comes from the cache */
START_TEST(test_cache)
{
	char *cache, *s, *t;
	size_t i;

	startregistry(false);
	cache = reg("cache");
	example("one");
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(buildimage("one", names[i], cache), 0);
	s = api("cache/base/tags/list");
	ck_assert_ptr_nonnull(strstr(s, "\"tags\":[\""));
	free(s);
	/* the CI machine: another store, another build directory */
	podmanstore("two");
	s = shout("podman images -q | wc -l");
	ck_assert_str_eq(s, "0\n");
	free(s);
	example("two");
	resetcalls();
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(buildimage("two", names[i], cache), 0);
	ck_assert_int_eq(calls("build"), 0);
	ck_assert_int_eq(calls("pull"), 3);
	for (i = 0; i < LEN(names); i++) {
		s = getf("one/img/%s.iid", names[i]);
		t = getf("two/img/%s.iid", names[i]);
		ck_assert_str_eq(s, t);
		free(s);
		free(t);
	}
	/* the pulled leaf answers to its bare name, so FROM finds it, and carries its label */
	s = shout("podman image inspect --format '{{index .Labels \"side\"}}' left");
	ck_assert_str_eq(s, "left\n");
	free(s);
	/* one leaf changes: that leaf is built, the rest pulled */
	podmanstore("three");
	example("three");
	put("three/ctx/left/l", "leaf, changed\n", 0644);
	resetcalls();
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(buildimage("three", names[i], cache), 0);
	ck_assert_int_eq(calls("build"), 1);
	s = get("three/log/left.log");
	ck_assert_ptr_nonnull(strstr(s, " build "));
	free(s);
	s = get("three/log/right.log");
	ck_assert_ptr_null(strstr(s, " build "));
	free(s);
	/* the base changes: everything is built */
	podmanstore("four");
	example("four");
	put("four/ctx/base/a", "base, changed\n", 0644);
	resetcalls();
	for (i = 0; i < LEN(names); i++)
		ck_assert_int_eq(buildimage("four", names[i], cache), 0);
	ck_assert_int_eq(calls("build"), 3);
	free(cache);
}
END_TEST

/* the generated build.ninja, run by ninja: push, publish, the CI scenario */
static char *bin;
static char *templates;

/* the source tree of the ninja test: base, and two leaves identical but for a build arg */
static void
srctree(void)
{
	put("src/images/base/image.yaml", "", 0644);
	put("src/images/base/Dockerfile", "FROM scratch\nCOPY a /a\n", 0644);
	put("src/images/base/a", "base\n", 0644);
	put("src/images/left/image.yaml", "prerequisite: base\nbuild-args:\n  SIDE: left\n", 0644);
	put("src/images/left/Dockerfile", "FROM base\nARG SIDE\nCOPY l /l\nLABEL side=$SIDE\n", 0644);
	put("src/images/left/l", "leaf\n", 0644);
	put("src/images/right/image.yaml", "prerequisite: base\nbuild-args:\n  SIDE: right\n", 0644);
	put("src/images/right/Dockerfile", "FROM base\nARG SIDE\nCOPY l /l\nLABEL side=$SIDE\n", 0644);
	put("src/images/right/l", "leaf\n", 0644);
}

/* generate into build directory dir, with the cache registry when cache is set */
static void
gen(const char *dir, bool cache)
{
	char *opt = cache ? xasprintf("--cache-registry=127.0.0.1:%d/cache", port) : xstrdup("");

	ck_assert_int_eq(sh("mkdir -p %s && cd %s && %s generate --images=../src/images --engine=podman "
	    "--registry=127.0.0.1:%d --namespace=ns --tag=v1 --insecure-registry %s "
	    "--imagegen=%s --templates=%s > gen.out 2>&1", dir, dir, bin, port, opt, bin, templates), 0);
	free(opt);
}

/* runs ninja in dir; returns the wall time in seconds; its output is in dir/ninja.out */
static double
ninja(const char *dir, const char *target)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_msg(sh("ninja -C %s %s > %s/ninja.out 2>&1", dir, target, dir) == 0, "ninja %s failed in %s", target, dir);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* how many lines of dir/ninja.out contain word */
static int
count(const char *dir, const char *word)
{
	char *s = getf("%s/ninja.out", dir), *p;
	int n = 0;

	for (p = s; (p = strstr(p, word)); p++)
		n++;
	free(s);
	return n;
}

START_TEST(test_ninja)
{
	double cold, cached, warm;
	char *s, *id, *path, *want;
	size_t i;

	startregistry(false);
	srctree();
	/* a cold build with no cache registry, for the figures */
	podmanstore("nocache");
	gen("b0", false);
	cold = ninja("b0", "");
	ck_assert_int_eq(count("b0", "] BUILD "), 3);
	/* the first build with the cache: everything built, and pushed to the cache */
	podmanstore("one");
	gen("b1", true);
	ninja("b1", "");
	ck_assert_int_eq(count("b1", ": built"), 3);
	ck_assert_int_eq(count("b1", ": pulled"), 0);
	resetcalls();
	ninja("b1", "push");
	ck_assert_int_eq(count("b1", "] PUSH "), 3);
	ck_assert_int_eq(count("b1", "] PUBLISH v1"), 1);
	s = api("_catalog");
	ck_assert_str_eq(s, "{\"repositories\":[\"cache/base\",\"cache/left\",\"cache/right\",\"ns/base\",\"ns/left\",\"ns/right\"]}\n");
	free(s);
	for (i = 0; i < LEN(names); i++) {
		path = xasprintf("ns/%s/manifests/v1", names[i]);
		s = api(path);
		free(path);
		id = getf("b1/img/%s.iid", names[i]);
		id[strcspn(id, "\n")] = '\0';
		want = xasprintf("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\"", id);
		ck_assert_msg(strstr(s, want), "manifest %s lacks %s", s, want);
		free(want);
		free(id);
		free(s);
	}
	/* identical contexts, different build args: different digests */
	s = get("b1/img/left.digest");
	id = get("b1/img/right.digest");
	ck_assert_str_ne(s, id);
	free(s);
	free(id);
	/* a second ninja push: nothing to do, no engine command */
	resetcalls();
	ninja("b1", "push");
	ck_assert_int_eq(count("b1", "no work to do"), 1);
	ck_assert_int_eq(calls("push") + calls("pull") + calls("login") + calls("build"), 0);
	/* the CI scenario: fresh build directory, empty store, warm cache: all pulled */
	podmanstore("two");
	gen("b2", true);
	resetcalls();
	cached = ninja("b2", "");
	ck_assert_int_eq(count("b2", ": pulled"), 3);
	ck_assert_int_eq(calls("build"), 0);
	for (i = 0; i < LEN(names); i++) {
		s = getf("b1/img/%s.iid", names[i]);
		id = getf("b2/img/%s.iid", names[i]);
		ck_assert_str_eq(s, id);
		free(s);
		free(id);
	}
	/* then a second ninja in the same place does nothing */
	warm = ninja("b2", "");
	ck_assert_int_eq(count("b2", "no work to do"), 1);
	/* one leaf changes: that leaf built, the others pulled */
	put("src/images/left/l", "leaf, changed\n", 0644);
	podmanstore("three");
	gen("b3", true);
	resetcalls();
	ninja("b3", "");
	ck_assert_int_eq(count("b3", ": built"), 1);
	ck_assert_int_eq(count("b3", "left: built"), 1);
	ck_assert_int_eq(count("b3", ": pulled"), 2);
	ck_assert_int_eq(calls("build"), 1);
	/* the base changes: base and both leaves built */
	put("src/images/base/a", "base, changed\n", 0644);
	podmanstore("four");
	gen("b4", true);
	resetcalls();
	ninja("b4", "");
	ck_assert_int_eq(count("b4", ": built"), 3);
	ck_assert_int_eq(count("b4", ": pulled"), 0);
	ck_assert_int_eq(calls("build"), 3);
	/* two-phase publish: one push fails, so v1 moves nowhere, not even for the images that were pushed */
	put("b4/img/left.iid", "garbage\n", 0644);
	ck_assert_int_ne(sh("ninja -C b4 -k 0 push > b4/ninja.out 2>&1"), 0);
	ck_assert_int_eq(count("b4", "] PUSH "), 3);
	ck_assert_int_eq(count("b4", "] PUBLISH"), 0);
	ck_assert_int_ne(access("b4/push/left.pushed", F_OK), 0);
	ck_assert_int_eq(access("b4/push/base.pushed", F_OK), 0);
	ck_assert_int_ne(access("b4/push/published", F_OK), 0);
	for (i = 0; i < LEN(names); i++) {
		path = xasprintf("ns/%s/manifests/v1", names[i]);
		s = api(path);
		free(path);
		id = getf("b1/img/%s.iid", names[i]);
		id[strcspn(id, "\n")] = '\0';
		ck_assert_msg(strstr(s, id), "v1 of %s moved", names[i]);
		free(id);
		free(s);
	}
	printf("push_check: cold ninja of 3 images: %.2fs without the cache registry, %.2fs with it warm (all pulled); "
	    "no-op ninja %.2fs\n", cold, cached, warm);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("push");
	TCase *tc = tcase_create("registry");
	char cwd[4096];
	int rc;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_push_publish);
	tcase_add_test(tc, test_push_errors);
	tcase_add_test(tc, test_cache);
	tcase_add_test(tc, test_ninja);
	suite_add_tcase(s, tc);
	bin = xasprintf("%s/gen/imagegen", getcwd(cwd, sizeof(cwd)) ? cwd : ".");
	/* the source tree: this file is SRCDIR/tests/unit/push_check.c */
	{
		char *d1 = pathdir(__FILE__), *d2 = pathdir(d1), *d3 = pathdir(d2);

		templates = pathjoin(d3, "templates");
		free(d1);
		free(d2);
		free(d3);
	}
	rc = runsuite(s);
	free(bin);
	free(templates);
	return rc;
}
