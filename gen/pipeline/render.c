#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "tmpl.h"
#include "util.h"

int cmd_render(int argc, char **argv);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: %s render [-c CONFIG [--config-model=MODEL]] [-D NAME=VALUE]... TEMPLATE [-o OUT]\n"
	    "       %s render --check TEMPLATE...\n"
	    "\n"
	    "Renders a Jinja2 template as Python's jinja2 does.\n"
	    "  -c CONFIG        YAML file, or directory of *.yaml/*.yml files merged at the\n"
	    "                   top level, or a file compiled by imagegen config; seen as\n"
	    "                   clusterconfig and, with the yaml model, as one variable per key\n"
	    "  --config-model=MODEL  how CONFIG becomes clusterconfig: yaml, openpai (OpenPAI's\n"
	    "                   object model as paictl computes it; openpai-v0.5, -v0.7 for\n"
	    "                   those versions) or auto (default: openpai for a directory\n"
	    "                   holding OpenPAI's four files, else yaml)\n"
	    "  -D NAME=VALUE    set the variable NAME; VALUE is read as YAML (true, 010, [a, b])\n"
	    "  -o OUT           write OUT, atomically and only when its content changes\n"
	    "                   (default: standard output)\n"
	    "  --check          parse each TEMPLATE and report syntax errors; render nothing\n",
	    argv0, argv0);
}

static int
check(int argc, char **argv)
{
	struct buf b = {0};
	int i, status = 0;

	if (argc == 0) {
		error("render --check needs at least one TEMPLATE");
		return 2;
	}
	for (i = 0; i < argc; i++) {
		b.len = 0;
		if (!readfile(argv[i], &b)) {
			error("cannot read the template %s:", argv[i]);
			status = 1;
			continue;
		}
		if (!tmplcheck(argv[i], b.data ? b.data : "", b.len))
			status = 1;
	}
	delbuf(&b);
	return status;
}

int
cmd_render(int argc, char **argv)
{
	const char *config = NULL, *out = NULL, *tmpl = NULL, *arg;
	const char **defs;
	size_t ndefs = 0, k;
	struct tenv *env;
	struct buf src = {0}, res = {0};
	struct stat st;
	char *name, *eq;
	int i, status = 1;
	mode_t mode = 0644;
	enum tmodel model = TMODEL_AUTO;
	bool ok = true;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--check"))
			return check(argc - i - 1, argv + i + 1);
	}
	env = mktenv();
	defs = xcalloc((size_t)argc, sizeof(*defs));
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (!strcmp(arg, "--")) {
			i++;
			if (i < argc && !tmpl)
				tmpl = argv[i++];
			if (i < argc)
				goto usage;
			break;
		}
		if (!strncmp(arg, "--config-model=", 15)) {
			if (!tmodelbyname(arg + 15, &model)) {
				error("render: --config-model=%s: the models are %s", arg + 15, tmodelnames);
				goto usage;
			}
			continue;
		}
		if (arg[0] == '-' && arg[1] && strchr("cDo", arg[1])) {
			const char *val = arg[2] ? arg + 2 : (i + 1 < argc ? argv[++i] : NULL);

			if (!val) {
				error("render: option -%c needs a value", arg[1]);
				goto usage;
			}
			if (arg[1] == 'c') {
				if (config) {
					error("render: -c given twice; give one file or one directory");
					goto usage;
				}
				config = val;
			} else if (arg[1] == 'o') {
				out = val;
			} else {
				eq = strchr(val, '=');
				if (!eq || eq == val) {
					error("render: -D needs NAME=VALUE, got '%s'", val);
					goto usage;
				}
				/* applied after the configuration, so -D overrides it */
				defs[ndefs++] = val;
			}
			continue;
		}
		if (arg[0] == '-' && arg[1]) {
			error("render: unknown option '%s'", arg);
			goto usage;
		}
		if (tmpl) {
			error("render: one TEMPLATE at a time (got '%s' and '%s'); --check takes several", tmpl, arg);
			goto usage;
		}
		tmpl = arg;
	}
	if (!tmpl) {
		error("render: no TEMPLATE given");
		goto usage;
	}
	if (model != TMODEL_AUTO && !config) {
		error("render: --config-model needs -c CONFIG");
		goto usage;
	}
	if (config && !tenvloadmodel(env, config, model))
		goto done;
	for (k = 0; k < ndefs; k++) {
		char *origin;

		eq = strchr(defs[k], '=');
		name = xstrndup(defs[k], (size_t)(eq - defs[k]));
		origin = xasprintf("-D %s", name);
		if (!tenvsetyaml(env, name, eq + 1, origin))
			ok = false;
		free(origin);
		free(name);
	}
	if (!ok)
		goto done;
	if (!readfile(tmpl, &src)) {
		error("cannot read the template %s:", tmpl);
		goto done;
	}
	if (stat(tmpl, &st) == 0) {
		mode = st.st_mode & 0777;
		if (out)
			mtimefuture(tmpl, &st);
	}
	if (!tmplrender(env, tmpl, src.data ? src.data : "", src.len, &res))
		goto done;
	if (out) {
		if (writefile(out, res.data ? res.data : "", res.len, mode) < 0) {
			error("cannot write %s:", out);
			goto done;
		}
	} else if (res.len && fwrite(res.data, 1, res.len, stdout) != res.len) {
		error("cannot write the standard output:");
		goto done;
	}
	if (fflush(stdout) != 0) {
		error("cannot write the standard output:");
		goto done;
	}
	status = 0;
done:
	delbuf(&src);
	delbuf(&res);
	free(defs);
	deltenv(env);
	return status;
usage:
	free(defs);
	deltenv(env);
	usage(stderr);
	return 2;
}
