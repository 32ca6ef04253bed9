#include "compat.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "tmpl.h"
#include "util.h"

int cmd_config(int argc, char **argv);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: %s config -c CONFIG -o OUT\n"
	    "\n"
	    "Compiles the cluster configuration for imagegen render -c, which then reads\n"
	    "it without parsing YAML.\n"
	    "  -c CONFIG        YAML file, or directory of *.yaml/*.yml files merged at the\n"
	    "                   top level, as render -c takes it\n"
	    "  -o OUT           write OUT, atomically and only when its content changes\n",
	    argv0);
}

/* the configuration files (the edge's inputs) dated in the future are set to now (mtimefuture) */
static void
futureinputs(const char *config)
{
	struct dirent *de;
	struct stat st;
	DIR *dir;
	char *p;

	if (stat(config, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		mtimefuture(config, &st);
		return;
	}
	if (!(dir = opendir(config)))
		return;
	while ((de = readdir(dir))) {
		if (!tenvconfigname(de->d_name))
			continue;
		p = pathjoin(config, de->d_name);
		if (lstat(p, &st) == 0)
			mtimefuture(p, &st);
		free(p);
	}
	closedir(dir);
}

int
cmd_config(int argc, char **argv)
{
	const char *config = NULL, *out = NULL, *arg, *val;
	struct tenv *env;
	struct buf b = {0};
	int i, status = 1;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			return 0;
		}
		if (arg[0] != '-' || !arg[1] || !strchr("co", arg[1])) {
			error("config: unexpected argument '%s'", arg);
			usage(stderr);
			return 2;
		}
		val = arg[2] ? arg + 2 : (i + 1 < argc ? argv[++i] : NULL);
		if (!val) {
			error("config: option -%c needs a value", arg[1]);
			usage(stderr);
			return 2;
		}
		if (arg[1] == 'c')
			config = val;
		else
			out = val;
	}
	if (!config || !out) {
		error("config: both -c CONFIG and -o OUT are needed");
		usage(stderr);
		return 2;
	}
	env = mktenv();
	if (!tenvcompileconfig(env, config, &b))
		goto done;
	futureinputs(config);
	/*
	 * private build state, for its owner only: the configuration may hold
	 * a registry password (docker-registry-info.docker-password), and the
	 * templates must see the configuration as written
	 */
	if (writefile(out, b.data, b.len, 0600) < 0) {
		error("cannot write %s:", out);
		goto done;
	}
	status = 0;
done:
	delbuf(&b);
	deltenv(env);
	return status;
}
