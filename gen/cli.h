#ifndef IMAGEGEN_CLI_H
#define IMAGEGEN_CLI_H

/*
 * every subcommand is a function taking the arguments after its name
 * (argv[0] is the subcommand's name) and returning the exit status:
 * 0 success, 1 failure, 2 usage error.
 */

/*
 * the subcommands that load an image tree, argv[0] saying which
 * (generate.c): generate (write build.ninja), reconfigure (change the
 * recorded options of a build directory and regenerate), list (the images
 * in build order with what each depends on), graph (Graphviz dot), check
 * (check the tree, writing nothing), status (the state of every image of
 * a build directory, report.c)
 */
int cmd_tree(int argc, char **argv);
/* run ninja each time a file of the tree changes (watch.c) */
int cmd_watch(int argc, char **argv);
/* copy a stage manifest's files into a build context (stage.c) */
int cmd_stage(int argc, char **argv);
/* run one pre-build step of image.yaml (prebuild.c) */
int cmd_prebuild(int argc, char **argv);
/* build one image with the container engine (build.c) */
int cmd_build(int argc, char **argv);
/* compute an image's input digest (digest.c) */
int cmd_digest(int argc, char **argv);
/* run a pai-build service's build-pre.sh or build-post.sh in a private copy of the project (hook.c) */
int cmd_hook(int argc, char **argv);
/* make the next ninja run a pai-build service's hooks again (hook.c) */
int cmd_rehook(int argc, char **argv);
/* look an image up in the cache registry by its input digest (build.c) */
int cmd_pull(int argc, char **argv);
/* give a built image its names, without building (tag.c) */
int cmd_tag(int argc, char **argv);
/* render a template with the cluster configuration (render.c) */
int cmd_render(int argc, char **argv);
/* compile the cluster configuration for render -c (config.c) */
int cmd_config(int argc, char **argv);
/* push one image to its repository, by a staging tag (push.c) */
int cmd_push(int argc, char **argv);
/* move the human tag of every pushed image (push.c) */
int cmd_publish(int argc, char **argv);
/* run a command holding one of N slots of a lock file (pool.c) */
int cmd_pool(int argc, char **argv);

#endif
