#ifndef IMAGEGEN_CLI_H
#define IMAGEGEN_CLI_H

/*
 * every subcommand is a function taking the arguments after its name
 * (argv[0] is the subcommand's name) and returning the exit status:
 * 0 success, 1 failure, 2 usage error.
 */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* the table of subcommands, ended by a NULL name (main.c) */
extern const struct command commands[];

/* copy a stage manifest's files into a build context (stage.c) */
int cmd_stage(int argc, char **argv);
/* build one image with the container engine (build.c) */
int cmd_build(int argc, char **argv);

#endif
