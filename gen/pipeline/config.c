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
	    "usage: %s config -c CONFIG [--config-model=MODEL] (-o OUT | --print)...\n"
	    "\n"
	    "Loads the cluster configuration as the templates see it (clusterconfig).\n"
	    "  -c CONFIG        YAML file, or directory of *.yaml/*.yml files merged at the\n"
	    "                   top level, or OpenPAI's configuration directory, as render -c\n"
	    "                   takes it\n"
	    "  --config-model=MODEL  how CONFIG becomes clusterconfig: %s\n"
	    "                   (default auto: openpai for a directory holding OpenPAI's four\n"
	    "                   files, else yaml)\n"
	    "  -o OUT           compile it for imagegen render -c, which then reads it without\n"
	    "                   parsing YAML: write OUT, atomically and only when its content\n"
	    "                   changes\n"
	    "  --print          write clusterconfig as JSON on standard output\n",
	    argv0, tmodelnames);
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
	enum tmodel model = TMODEL_AUTO;
	struct tenv *env;
	struct buf b = {0};
	bool print = false;
	int i, status = 1;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(arg, "--print")) {
			print = true;
			continue;
		}
		if ((val = optval(arg, "--config-model"))) {
			if (!tmodelbyname(val, &model)) {
				error("config: --config-model=%s: the models are %s", val, tmodelnames);
				usage(stderr);
				return 2;
			}
			continue;
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
	if (!config || (!out && !print)) {
		error("config: -c CONFIG and one of -o OUT or --print are needed");
		usage(stderr);
		return 2;
	}
	env = mktenv();
	if (out) {
		if (!tenvcompileconfig(env, config, model, &b))
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
	} else if (!tenvloadmodel(env, config, model)) {
		goto done;
	}
	if (print) {
		b.len = 0;
		if (!tenvjson(env, &b))
			goto done;
		if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
			error("cannot write the standard output:");
			goto done;
		}
	}
	status = 0;
done:
	delbuf(&b);
	deltenv(env);
	return status;
}
