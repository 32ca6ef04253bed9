/*
 * imagegen tag: gives a built image its names (registry, namespace, tag,
 * the tags of image.yaml) without building it, and records them, so that
 * changing a name re-tags and never rebuilds.
 */
#include "compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "util.h"

struct tagcmd {
	struct engine e;
	const char *enginename, *iid, *name, *log, *out;
	const char **tags;
	size_t ntags;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s tag --engine=ENGINE --iid=IIDFILE [--name=NAME] --tag=REF... [--log=LOG] -o STAMP\n"
	    "\n"
	    "gives the image whose ID IIDFILE holds every name REF, and records them in\n"
	    "STAMP ('<image id> <name>' a line, rewritten only when it changes); names the\n"
	    "stamp already records for this image are not given again.\n"
	    "\n"
	    "options:\n"
	    "  --engine=ENGINE   docker, podman, buildah or buildx\n"
	    "  --iid=IIDFILE     the image ID (img/NAME.iid)\n"
	    "  --name=NAME       the image's name, for messages\n"
	    "  --tag=REF         a name to give the image (repeatable)\n"
	    "  --log=LOG         the engine's output, shown when tagging fails\n"
	    "  -o STAMP          the record of the names given (img/NAME.tags)\n", argv0);
}

static int
parseargs(struct tagcmd *c, int argc, char **argv)
{
	const char *v, *a;
	int i;

	c->tags = xreallocarray(NULL, (size_t)argc, sizeof(c->tags[0]));
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return -1;
		} else if ((v = optval(a, "--engine"))) {
			c->enginename = v;
		} else if ((v = optval(a, "--iid"))) {
			c->iid = v;
		} else if ((v = optval(a, "--name"))) {
			c->name = v;
		} else if ((v = optval(a, "--tag"))) {
			if (!*v) {
				error("tag: --tag needs a name");
				return 2;
			}
			c->tags[c->ntags++] = v;
		} else if ((v = optval(a, "--log"))) {
			c->log = v;
		} else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
			c->out = argv[++i];
		} else {
			error("tag: unknown argument '%s'; '%s tag --help' lists the options", a, argv0);
			return 2;
		}
	}
	if (!c->enginename || !c->iid || !c->out) {
		error("tag: %s is required", !c->enginename ? "--engine" : !c->iid ? "--iid" : "-o STAMP");
		usage(stderr);
		return 2;
	}
	if (!engineparse(&c->e, c->enginename)) {
		error("tag: unknown engine '%s'; expected docker, podman, buildah or buildx", c->enginename);
		return 2;
	}
	return 0;
}

/* true when the stamp text old has the line "id ref" */
static bool
recorded(const struct buf *old, const char *id, const char *ref)
{
	char *line = xasprintf("%s %s\n", id, ref);
	const char *s = old->data, *p;
	size_t n = strlen(line);
	bool found = false;

	for (p = s; p && !found; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if ((size_t)(old->len - (size_t)(p - s)) >= n && strncmp(p, line, n) == 0)
			found = true;
	}
	free(line);
	return found;
}

static int
tag(struct tagcmd *c)
{
	struct buf idtext = {0}, old = {0}, stamp = {0}, done = {0};
	struct strvec a = {0};
	const char **todo;
	char *id = NULL;
	size_t i, n = 0, k;
	int rc = 1, st, logfd = -1;
	const char *name = c->name ? c->name : c->iid;

	if (!readfile(c->iid, &idtext)) {
		error("tag: cannot read the image ID %s:", c->iid);
		return 1;
	}
	id = imageidnorm(idtext.data ? idtext.data : "", idtext.len);
	delbuf(&idtext);
	if (!id) {
		error("%s:1: not an image ID; expected one line 'sha256:<64 hex digits>'", c->iid);
		return 1;
	}
	if (!readfile(c->out, &old))
		old.len = 0;
	bufterm(&old);
	todo = xreallocarray(NULL, c->ntags + 1, sizeof(todo[0]));
	for (i = 0; i < c->ntags; i++) {
		bufprintf(&stamp, "%s %s\n", id, c->tags[i]);
		if (!recorded(&old, id, c->tags[i]))
			todo[n++] = c->tags[i];
	}
	bufterm(&stamp);
	if (n > 0) {
		if (!enginefind(&c->e)) {
			error("tag: the container engine '%s' is not in PATH; install it (Debian package %s)",
			    c->e.kind == ENGINE_BUILDX ? "docker" : c->e.name, enginepkg(&c->e));
			goto out;
		}
		if (!openlog(c->log, &logfd))
			goto out;
		for (i = 0; i < n; i += k) {
			k = enginetagmany(&c->e, id, todo + i, n - i, &a);
			st = enginelogrun(&a, logfd, NULL, NULL);
			delstrvec(&a);
			if (st != 0) {
				if (st > 0 && c->log)
					showlogtail(c->log);
				error("%s: FAILED to tag %s (%s exit status %d)%s%s", name, todo[i], c->e.name, st,
				    c->log ? "; see " : "", c->log ? c->log : "");
				goto out;
			}
		}
		for (i = 0; i < n; i++)
			bufprintf(&done, "%s%s", i ? ", " : "", todo[i]);
		bufterm(&done);
	}
	if (writefile(c->out, stamp.data, stamp.len, 0666) < 0) {
		error("tag: cannot write %s:", c->out);
		goto out;
	}
	if (n > 0)
		printf("%s: tagged %s\n", name, done.data);
	rc = 0;
out:
	if (logfd >= 0)
		close(logfd);
	fflush(stdout);
	free(todo);
	free(id);
	delbuf(&old);
	delbuf(&stamp);
	delbuf(&done);
	return rc;
}

int
cmd_tag(int argc, char **argv)
{
	struct tagcmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = parseargs(&c, argc, argv);
	if (rc == 0)
		rc = tag(&c);
	else if (rc < 0)
		rc = 0;
	free(c.tags);
	delengine(&c.e);
	return rc;
}
