#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "cli.h"
#include "digest.h"
#include "engine.h"
#include "stage.h"
#include "util.h"
#include "walk.h"

/* first record of the hashed stream; bump it when the stream's layout changes */
#define DIGESTVERSION "imagegen input digest 1"

static void
tohex(const unsigned char *md, char out[DIGESTLEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[DIGESTLEN - 1] = '\0';
}

void
sha256hex(const void *data, size_t len, char out[DIGESTLEN])
{
	unsigned char md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(md), md);
	tohex(md, out);
}

/* a record field: the bytes, then a NUL */
static void
field(struct sha256_ctx *md, const char *s)
{
	sha256_update(md, strlen(s) + 1, (const uint8_t *)s);
}

/* the strings v sorted, each as a record "kind\0value\0" */
static void
sortedfields(struct sha256_ctx *md, const char *kind, const char **v, size_t n)
{
	const char **s;
	size_t i;

	if (n == 0)
		return;
	s = xreallocarray(NULL, n, sizeof(s[0]));
	memcpy(s, v, n * sizeof(s[0]));
	qsort(s, n, sizeof(s[0]), strptrcmp);
	for (i = 0; i < n; i++) {
		field(md, kind);
		field(md, s[i]);
	}
	free(s);
}

/* hashes one context entry: "d\0mode\0path\0", "l\0path\0target\0" or "f\0mode\0size\0path\0" and the bytes */
static bool
hashentry(struct sha256_ctx *md, const char *root, const char *rel, struct diag *d)
{
	struct stat st;
	char *full, num[32], tmp[65536];
	struct buf link = {0};
	ssize_t n;
	off_t total = 0;
	int fd;
	bool ok = false;

	full = pathjoin(root, rel);
	if (lstat(full, &st) != 0) {
		errorat(d, full, 0, 0, "cannot stat: %s", errstr(errno));
		goto out;
	}
	snprintf(num, sizeof(num), "%04o", (unsigned)(st.st_mode & 07777));
	if (S_ISDIR(st.st_mode)) {
		field(md, "d");
		field(md, num);
		field(md, rel);
		ok = true;
	} else if (S_ISLNK(st.st_mode)) {
		for (size_t cap = 256;; cap *= 2) {
			link.data = xreallocarray(link.data, cap, 1);
			n = readlink(full, link.data, cap);
			if (n < 0) {
				errorat(d, full, 0, 0, "cannot read the symlink: %s", errstr(errno));
				goto out;
			}
			if ((size_t)n < cap) {
				link.data[n] = '\0';
				break;
			}
		}
		field(md, "l");
		field(md, rel);
		field(md, link.data);
		ok = true;
	} else if (S_ISREG(st.st_mode)) {
		fd = openregular(full, NULL);
		if (fd < 0) {
			errorat(d, full, 0, 0, "cannot open: %s", errstr(errno));
			goto out;
		}
		field(md, "f");
		field(md, num);
		snprintf(num, sizeof(num), "%lld", (long long)st.st_size);
		field(md, num);
		field(md, rel);
		for (;;) {
			n = read(fd, tmp, sizeof(tmp));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			sha256_update(md, (size_t)n, (const uint8_t *)tmp);
			total += n;
		}
		if (n < 0)
			errorat(d, full, 0, 0, "cannot read: %s", errstr(errno));
		else if (total != st.st_size)
			errorat(d, full, 0, 0, "changed while it was hashed; run the build again");
		else
			ok = true;
		close(fd);
	} else {
		errorat(d, full, 0, 0, "is neither a file, a directory nor a symlink; a build context holds only those");
	}
out:
	free(link.data);
	free(full);
	return ok;
}

bool
inputdigest(const struct digestin *in, char out[DIGESTLEN], struct diag *d)
{
	unsigned char res[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx, *md = &ctx;
	struct walklist own = {0};
	const struct walklist *p = in->walked ? in->walked : &own;
	char *errpath;
	size_t i;
	bool ok;

	if (!in->walked && !walktree(in->ctxdir, &own, &errpath)) {
		errorat(d, errpath, 0, 0, "cannot read the context directory: %s", errstr(errno));
		free(errpath);
		delwalklist(&own);
		return false;
	}
	sha256_init(md);
	field(md, DIGESTVERSION);
	field(md, "file");
	field(md, in->file);
	if (in->target) {
		field(md, "target");
		field(md, in->target);
	}
	sortedfields(md, "arg", in->args, in->nargs);
	sortedfields(md, "label", in->labels, in->nlabels);
	sortedfields(md, "dep", in->deps, in->ndeps);
	ok = true;
	for (i = 0; i < p->n; i++)
		ok = hashentry(md, in->ctxdir, p->ent[i].path, d) && ok;
	sha256_digest(md, sizeof(res), res);
	delwalklist(&own);
	if (ok)
		tohex(res, out);
	return ok;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s digest --ctx=CTXDIR [--file=PATH] [--target=T] [--build-arg=K=V]...\n"
	    "              [--label=K=V]... [--dep=DIGESTFILE]... [-o OUT]\n"
	    "       %s digest IMAGE     print img/IMAGE.digest of the build directory\n", argv0, argv0);
}

/* reads a digest file (as written by -o) into a normalised string, owned by the caller */
static char *
readdigestfile(const char *path)
{
	struct buf b = {0};
	char *s;

	if (!readfile(path, &b)) {
		error("cannot read the digest %s:", path);
		return NULL;
	}
	s = imageidnorm(b.data ? b.data : "", b.len);
	delbuf(&b);
	if (!s)
		error("%s:1: not a digest; expected one line 'sha256:<64 hex digits>'%s", path, STATEHINT);
	return s;
}

int
cmd_digest(int argc, char **argv)
{
	struct walklist walked = {0};
	struct digestin in = {0};
	struct diag d = {0};
	const char *v, *outpath = NULL, *image = NULL;
	char digest[DIGESTLEN], *line, *path;
	char **deps;
	size_t i, ndeps = 0;
	int rc = 1;

	in.file = "Dockerfile";
	in.args = xreallocarray(NULL, (size_t)argc, sizeof(in.args[0]));
	in.labels = xreallocarray(NULL, (size_t)argc, sizeof(in.labels[0]));
	deps = xreallocarray(NULL, (size_t)argc, sizeof(deps[0]));
	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if ((v = optval(argv[i], "--ctx"))) {
			in.ctxdir = v;
		} else if ((v = optval(argv[i], "--file"))) {
			in.file = v;
		} else if ((v = optval(argv[i], "--target"))) {
			in.target = v;
		} else if ((v = optval(argv[i], "--build-arg"))) {
			in.args[in.nargs++] = v;
		} else if ((v = optval(argv[i], "--label"))) {
			in.labels[in.nlabels++] = v;
		} else if ((v = optval(argv[i], "--dep"))) {
			deps[ndeps] = readdigestfile(v);
			if (!deps[ndeps])
				goto out;
			ndeps++;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < (size_t)argc) {
			outpath = argv[++i];
		} else if (argv[i][0] == '-') {
			error("digest: unknown option '%s'", argv[i]);
			usage(stderr);
			rc = 2;
			goto out;
		} else if (!image) {
			image = argv[i];
		} else {
			usage(stderr);
			rc = 2;
			goto out;
		}
	}
	if (image && !in.ctxdir && !outpath && ndeps == 0) {
		path = xasprintf("img/%s.digest", image);
		if (access(path, F_OK) != 0 && errno == ENOENT) {
			error("digest: %s does not exist; run imagegen digest in the build directory, "
			    "name an image of its build.ninja, and build the digest first (ninja %s)", path, path);
			free(path);
			goto out;
		}
		line = readdigestfile(path);
		free(path);
		if (line) {
			printf("%s\n", line);
			free(line);
			rc = 0;
		}
		goto out;
	}
	if (!in.ctxdir || image) {
		error("digest: %s", image ? "IMAGE takes no options" : "--ctx is required");
		usage(stderr);
		rc = 2;
		goto out;
	}
	in.deps = (const char **)deps;
	in.ndeps = ndeps;
	/*
	 * no stage or build of the context while it is read; and the digest
	 * edge hashes the context as staged: whatever was changed in it by
	 * hand since is staged again first
	 */
	if (outpath && !bdlock(in.ctxdir, true)) {
		error("cannot lock %s in .imagegen/lock:", in.ctxdir);
		goto out;
	}
	/* the walk that found the context as staged is the one hashed */
	if (outpath && !stagefresh(in.ctxdir, &walked, &d))
		goto out;
	in.walked = walked.n ? &walked : NULL;
	if (!inputdigest(&in, digest, &d))
		goto out;
	if (outpath) {
		line = xasprintf("%s\n", digest);
		if (writefile(outpath, line, strlen(line), 0666) < 0)
			error("cannot write %s:", outpath);
		else
			rc = 0;
		free(line);
	} else {
		printf("%s\n", digest);
		rc = 0;
	}
out:
	delwalklist(&walked);
	for (i = 0; i < ndeps; i++)
		free(deps[i]);
	free(deps);
	free(in.args);
	free(in.labels);
	return rc;
}
