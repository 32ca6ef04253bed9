/*
 * imagegen pool: a ninja pool for make. The command runs once it holds
 * one of depth slots of a lock file: a write lock (fcntl) on one byte of
 * it. Every make job and every make run in the build directory takes its
 * slots from the same file, and the kernel gives a slot back when the
 * process ends, however it ends.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s pool --lock=FILE --depth=N COMMAND\n\n"
	    "runs COMMAND (a shell command line, with /bin/sh -c) once it holds one of\n"
	    "N slots of the lock FILE, so that at most N commands given the same FILE\n"
	    "run at once; the slot is held until COMMAND ends.\n", argv0);
}

int
cmd_pool(int argc, char **argv)
{
	const char *lock = NULL, *v, *cmd = NULL;
	struct timespec wait = {0, 20 * 1000 * 1000};
	char *end;
	long depth = 0, k, start;
	int i, fd;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if ((v = optval(argv[i], "--lock"))) {
			lock = v;
		} else if ((v = optval(argv[i], "--depth"))) {
			errno = 0;
			depth = strtol(v, &end, 10);
			if (!*v || *end || errno || depth < 1 || depth > 1024) {
				error("pool: --depth=%s: expected a number from 1 to 1024", v);
				return 2;
			}
		} else if (argv[i][0] == '-' || cmd) {
			error("pool: unexpected argument '%s'; '%s pool --help' describes the command", argv[i], argv0);
			return 2;
		} else {
			cmd = argv[i];
		}
	}
	if (!lock || !*lock || !depth || !cmd) {
		usage(stderr);
		return 2;
	}
	if (!mkdirparent(lock) || (fd = openwrite(lock, O_CREAT, 0666)) < 0) {
		error("pool: cannot open the lock %s:", lock);
		return 1;
	}
	/* slots are tried from one that depends on the process, so that waiters spread */
	start = (long)getpid() % depth;
	for (;;) {
		for (k = 0; k < depth; k++) {
			/* slot k is byte k of the lock file */
			if (lockrange(fd, F_WRLCK, (off_t)((start + k) % depth), 1))
				goto locked;
			if (errno != EACCES && errno != EAGAIN) {
				error("pool: cannot lock %s:", lock);
				return 1;
			}
		}
		nanosleep(&wait, NULL);
		/* wait longer while the pool stays full, up to a quarter of a second */
		if (wait.tv_nsec < 250 * 1000 * 1000)
			wait.tv_nsec += 20 * 1000 * 1000;
	}
locked:
	/* the lock belongs to the process: it stays held across exec while fd stays open */
	if (fcntl(fd, F_SETFD, 0) != 0) {
		error("pool: %s:", lock);
		return 1;
	}
	fflush(NULL);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	error("pool: cannot run /bin/sh:");
	return 127;
}
