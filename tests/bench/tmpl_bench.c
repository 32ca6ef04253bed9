/*
 * tmpl_bench: the template engine in one process, for make bench.
 *
 *     tmpl_bench N CONFIG TEMPLATE...
 *
 * reads the templates once, then N times: loads CONFIG into a new
 * environment, renders every template with it (parse and render, as
 * imagegen render does) and frees the environment. Prints one line:
 * "passes N templates T seconds S bytes B" where B is the output of one
 * pass, and exits 1 if a render fails or a pass gives other bytes than
 * the first.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tmpl.h"
#include "util.h"

/* one template read into memory */
struct src {
	const char *path;
	struct buf text;
};

/* seconds on the monotonic clock */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* one pass over every template; the concatenated output is left in out */
static bool
pass(const char *config, struct src *srcs, int n, struct buf *out)
{
	struct tenv *env = mktenv();
	bool ok = tenvloadconfig(env, config);
	int i;

	out->len = 0;
	for (i = 0; ok && i < n; i++)
		ok = tmplrender(env, srcs[i].path, srcs[i].text.data ? srcs[i].text.data : "", srcs[i].text.len, out);
	deltenv(env);
	return ok;
}

int
main(int argc, char **argv)
{
	struct buf first = {0}, out = {0};
	struct src *srcs;
	double t0, t1;
	long passes, p;
	int n, i;
	char *end;

	argv0 = "tmpl_bench";
	if (argc < 4) {
		fprintf(stderr, "usage: %s N CONFIG TEMPLATE...\n", argv0);
		return 2;
	}
	passes = strtol(argv[1], &end, 10);
	if (*end || passes < 1) {
		error("N must be a positive integer, not '%s'", argv[1]);
		return 2;
	}
	n = argc - 3;
	srcs = xcalloc(n, sizeof(*srcs));
	for (i = 0; i < n; i++) {
		srcs[i].path = argv[i + 3];
		if (!readfile(srcs[i].path, &srcs[i].text))
			fatal("cannot read %s:", srcs[i].path);
	}
	if (!pass(argv[2], srcs, n, &first))
		return 1;
	t0 = now();
	for (p = 0; p < passes; p++) {
		if (!pass(argv[2], srcs, n, &out))
			return 1;
		if (out.len != first.len || memcmp(out.data, first.data, out.len) != 0) {
			error("pass %ld gave other output than the first", p + 1);
			return 1;
		}
	}
	t1 = now();
	printf("passes %ld templates %d seconds %.6f bytes %zu\n", passes, n, t1 - t0, first.len);
	for (i = 0; i < n; i++)
		delbuf(&srcs[i].text);
	free(srcs);
	delbuf(&first);
	delbuf(&out);
	return 0;
}
