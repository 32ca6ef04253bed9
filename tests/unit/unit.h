#ifndef IMAGEGEN_UNIT_H
#define IMAGEGEN_UNIT_H

/*
 * what every Check suite of tests/unit/ shares (unit.c, linked into each):
 * a temporary directory to work in, files written and read back, shell
 * commands, stderr captured, a subcommand run, the suite run. Each helper
 * fails the test (ck_assert) where it cannot do its part.
 */

#include <check.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* the temporary directory of the running test (tmpsetup), absolute */
extern char tmpdir[];
/* what the last uncapture() read, NUL-terminated (cut at 64 KiB) */
extern char captured[];

/*
 * a fresh temporary directory (under $TMPDIR, else /tmp), made the working
 * directory, umask 022, PATH as it was at the first call; a fixture's
 * setup, so that tests stay apart also when Check does not fork
 */
void tmpsetup(void);
/* back to the directory and PATH tmpsetup left; the temporary directory removed, read-only parts too */
void tmpteardown(void);

/*
 * podman and buildah told to keep their images in the store called name
 * under tmpdir (storage.conf, vfs: graph-NAME, run-NAME), RUN steps
 * isolated by chroot; another name is another, empty store (a new machine)
 */
void podmanstore(const char *name);

/* path (its directories made) holding text, with exactly mode (the umask aside) */
void put(const char *path, const char *text, mode_t mode);
/* the content of path, owned by the caller; "<missing>" when it cannot be read */
char *get(const char *path);
/* get of the path the format makes */
char *getf(const char *fmt, ...) PRINTF(1, 2);
/* true if path exists (a dangling symlink too) */
bool exists(const char *path);

/* runs a shell command (test plumbing only); its exit status, -1 if it did not exit */
int sh(const char *fmt, ...) PRINTF(1, 2);
/* the standard output of a shell command that must succeed, owned by the caller */
char *shout(const char *fmt, ...) PRINTF(1, 2);

/* from now on descriptor fd (1 or 2: stdout or stderr) goes to a temporary file, until uncapture */
void capture(int fd);
/* the captured descriptor back; what was written to it meanwhile, in captured (returned) */
const char *uncapture(void);

/* cmd (a cmd_* of cli.h) run on argv, a NULL-terminated vector; its exit status */
int runcmd(int (*cmd)(int, char **), char **argv);
/* runcmd with stderr in captured */
int runcapture(int (*cmd)(int, char **), char **argv);

/* runs every test of s, frees it; what main returns: 0 if all passed, else 1 */
int runsuite(Suite *s);

#endif
