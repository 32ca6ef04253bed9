#include "compat.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

#ifndef IMAGEGEN_VERSION
#define IMAGEGEN_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* subcommands, in the order --help lists them */
static const struct command commands[] = {
	{"generate", cmd_tree, "write build.ninja for an image tree"},
	{"reconfigure", cmd_tree, "change the recorded options of a build directory and regenerate"},
	{"status", cmd_tree, "say which images are up to date, stale, never built or failed"},
	{"watch", cmd_watch, "run ninja each time a file of the tree changes"},
	{"list", cmd_tree, "print the images in build order with their prerequisites"},
	{"graph", cmd_tree, "print the image graph in Graphviz dot"},
	{"check", cmd_tree, "check an image tree, writing nothing"},
	{"prebuild", cmd_prebuild, "run one pre-build step of image.yaml, writing under the build directory"},
	{"stage", cmd_stage, "copy an image's files into its build context"},
	{"build", cmd_build, "build one image with docker, podman or buildah"},
	{"digest", cmd_digest, "compute or print an image's input digest"},
	{"hook", cmd_hook, "run a pai-build service's build-pre.sh or build-post.sh out of tree"},
	{"rehook", cmd_rehook, "make the next ninja run the pai-build hooks again"},
	{"render", cmd_render, "render a Jinja2 template with the cluster configuration"},
	{"config", cmd_config, "compile the cluster configuration for render -c"},
	{"pull", cmd_pull, "look an image up in the cache registry by its input digest"},
	{"tag", cmd_tag, "give a built image its names and record them, without building"},
	{"push", cmd_push, "push one image to its registry and record the digest"},
	{"publish", cmd_publish, "move the release tag once every image is pushed"},
	{"pool", cmd_pool, "run a command holding one of N slots of a lock (make's engine pool)"},
	{NULL, NULL, NULL},
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: %s COMMAND [ARGS...]\n"
	    "       %s --help | --version\n\ncommands:\n", argv0, argv0);
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'%s COMMAND --help' describes one command.\n", argv0);
}

int
main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("imagegen %s\n", IMAGEGEN_VERSION);
		return 0;
	}
	for (c = commands; c->name; c++) {
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	}
	error("unknown command '%s'; '%s --help' lists the commands", argv[1], argv0);
	return 2;
}
