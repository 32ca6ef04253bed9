#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "stage.h"
#include "util.h"
#include "walk.h"

/* a path set: sorted array of strings, searched by bsearch */
static int
entcmp(const void *a, const void *b)
{
	const struct stageent *x = a, *y = b;
	int c = strcmp(x->dst, y->dst);

	return c ? c : x->line - y->line;
}

static int
entkeycmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct stageent *)ent)->dst);
}

static const struct stageent *
findent(const struct manifest *m, const char *dst)
{
	if (m->nent == 0)
		return NULL;
	return bsearch(dst, m->ent, m->nent, sizeof(m->ent[0]), entkeycmp);
}

/* every proper ancestor directory of every entry, sorted, without duplicates */
static void
mkancestors(const struct manifest *m, struct strvec *s)
{
	const char *p;
	size_t i;

	for (i = 0; i < m->nent; i++) {
		for (p = m->ent[i].dst; (p = strchr(p, '/')); p++)
			strvectake(s, xstrndup(m->ent[i].dst, (size_t)(p - m->ent[i].dst)));
	}
	strvecuniq(s);
}

/* checks one dst field; col is where it starts on the line */
static bool
checkdst(const char *path, int line, int col, const char *dst, struct diag *d)
{
	char *canon;
	bool ok = true;

	if (*dst == '\0') {
		errorat(d, path, line, col, "empty destination; expected a path relative to the context");
		return false;
	}
	canon = pathcanon(dst);
	if (!pathinside(canon) || strcmp(canon, ".") == 0) {
		errorat(d, path, line, col, "destination '%s' is not inside the context; expected a relative path below it", dst);
		ok = false;
	} else if (strcmp(canon, dst) != 0) {
		errorat(d, path, line, col, "destination '%s' is not canonical; expected '%s'", dst, canon);
		ok = false;
	}
	free(canon);
	return ok;
}

static bool
parseline(struct manifest *m, const char *path, int line, char *s, struct diag *d)
{
	struct stageent e = {0};
	char *field[5];
	int col[5], n = 0, want;
	char *p = s, *end;
	long v;

	for (;;) {
		if (n == (int)LEN(field)) {
			errorat(d, path, line, col[n - 1], "too many TAB-separated fields");
			return false;
		}
		field[n] = p;
		col[n] = (int)(p - s) + 1;
		n++;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (strlen(field[0]) != 1 || !strchr("FDRTE", field[0][0])) {
		errorat(d, path, line, 1, "unknown entry kind '%s'; expected F, D, R, T or E followed by a TAB", field[0]);
		return false;
	}
	e.kind = field[0][0];
	want = e.kind == 'R' ? 2 : e.kind == 'E' ? 5 : 3;
	if (n != want) {
		errorat(d, path, line, n > want ? col[want] : 1,
		    "%c entry has %d TAB-separated fields; expected %d (%s)", e.kind, n, want,
		    want == 2 ? "R, dst" : e.kind == 'F' ? "F, dst, src" : e.kind == 'D' ? "D, dst, src" :
		    e.kind == 'T' ? "T, dst, src" : "E, file, line, column, message");
		return false;
	}
	if (e.kind == 'E') {
		e.dst = xstrdup(field[1]);
		e.src = xstrdup(field[4]);
		e.line = line;
		v = strtol(field[2], &end, 10);
		e.eline = *end || v < 0 || v > 100000000 ? 0 : (int)v;
		v = strtol(field[3], &end, 10);
		e.ecol = *end || v < 0 || v > 100000000 ? 0 : (int)v;
		m->err = xreallocarray(m->err, m->nerr + 1, sizeof(m->err[0]));
		m->err[m->nerr++] = e;
		return true;
	}
	if (!checkdst(path, line, col[1], field[1], d))
		return false;
	if (want == 3 && *field[2] == '\0') {
		errorat(d, path, line, col[2], "empty source; expected a path relative to the build directory");
		return false;
	}
	e.dst = xstrdup(field[1]);
	e.src = want == 3 ? xstrdup(field[2]) : NULL;
	e.line = line;
	m->ent = xreallocarray(m->ent, m->nent + 1, sizeof(m->ent[0]));
	m->ent[m->nent++] = e;
	return true;
}

/* duplicates, and entries below something that is not a directory */
static bool
checkset(const struct manifest *m, struct diag *d)
{
	const struct stageent *e, *up;
	size_t i;
	char *p, *s;
	bool ok = true;

	for (i = 1; i < m->nent; i++) {
		if (strcmp(m->ent[i].dst, m->ent[i - 1].dst) == 0) {
			errorat(d, m->path, m->ent[i].line, 0, "destination '%s' is already named on line %d; expected each destination once",
			    m->ent[i].dst, m->ent[i - 1].line);
			ok = false;
		}
	}
	for (i = 0; i < m->nent; i++) {
		e = &m->ent[i];
		p = xstrdup(e->dst);
		while ((s = strrchr(p, '/'))) {
			*s = '\0';
			up = findent(m, p);
			if (up && up->kind != 'D') {
				errorat(d, m->path, e->line, 0, "'%s' lies below '%s', which line %d names as a %s; expected a D entry there",
				    e->dst, p, up->line, up->kind == 'F' ? "file" : up->kind == 'T' ? "tree made at build time" : "rendered file");
				ok = false;
				break;
			}
		}
		free(p);
	}
	return ok;
}

bool
manifestparse(struct manifest *m, const char *path, const char *data, size_t len, struct diag *d)
{
	const char *s = data, *end = data + len, *nl;
	char *line;
	int lineno = 0, nerr = d->nerr;

	m->path = xstrdup(path);
	m->ent = NULL;
	m->nent = 0;
	m->err = NULL;
	m->nerr = 0;
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		lineno++;
		line = xstrndup(s, (size_t)(nl - s));
		if (strlen(line) != (size_t)(nl - s)) {
			errorat(d, path, lineno, 0, "NUL byte in the manifest; expected text");
		} else if (lineno == 1) {
			if (strcmp(line, STAGE_HEADER) != 0)
				errorat(d, path, 1, 1, "not a stage manifest; expected the first line to be '%s'%s", STAGE_HEADER, STATEHINT);
		} else if (line[0] != '\0' && line[0] != '#') {
			parseline(m, path, lineno, line, d);
		}
		free(line);
		s = nl + 1;
	}
	if (lineno == 0)
		errorat(d, path, 0, 0, "empty file; expected the line '%s' first", STAGE_HEADER);
	if (m->nent > 1)
		qsort(m->ent, m->nent, sizeof(m->ent[0]), entcmp);
	if (d->nerr == nerr)
		checkset(m, d);
	return d->nerr == nerr;
}

bool
manifestexpand(struct manifest *m, struct diag *d)
{
	struct walklist w = {0};
	struct stageent e;
	struct stat st;
	char *errpath = NULL;
	size_t i, j, n = m->nent;
	int nerr = d->nerr;

	for (i = 0; i < m->nerr; i++)
		errorat(d, m->err[i].dst, m->err[i].eline, m->err[i].ecol, "%s", m->err[i].src);
	if (d->nerr != nerr)
		return false;
	for (i = 0; i < n; i++) {
		if (m->ent[i].kind != 'T')
			continue;
		if (lstat(m->ent[i].src, &st) != 0) {
			errorat(d, m->path, m->ent[i].line, 0, "'%s', made at build time for '%s', is not there: %s; its pre-build step "
			    "should have written it", m->ent[i].src, m->ent[i].dst, errstr(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			m->ent[i].kind = 'F';
			continue;
		}
		m->ent[i].kind = 'D';
		if (!walktree(m->ent[i].src, &w, &errpath)) {
			errorat(d, errpath, 0, 0, "cannot read: %s", errstr(errno));
			free(errpath);
			errpath = NULL;
			delwalklist(&w);
			continue;
		}
		for (j = 0; j < w.n; j++) {
			if (!S_ISDIR(w.ent[j].mode) && !S_ISREG(w.ent[j].mode) && !S_ISLNK(w.ent[j].mode))
				continue;
			e.kind = S_ISDIR(w.ent[j].mode) ? 'D' : 'F';
			e.dst = pathjoin(m->ent[i].dst, w.ent[j].path);
			e.src = pathjoin(m->ent[i].src, w.ent[j].path);
			e.line = m->ent[i].line;
			e.eline = e.ecol = 0;
			m->ent = xreallocarray(m->ent, m->nent + 1, sizeof(m->ent[0]));
			m->ent[m->nent++] = e;
		}
		delwalklist(&w);
	}
	if (d->nerr != nerr)
		return false;
	if (m->nent > 1)
		qsort(m->ent, m->nent, sizeof(m->ent[0]), entcmp);
	return checkset(m, d);
}

void
delmanifest(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->nent; i++) {
		free(m->ent[i].dst);
		free(m->ent[i].src);
	}
	free(m->ent);
	for (i = 0; i < m->nerr; i++) {
		free(m->err[i].dst);
		free(m->err[i].src);
	}
	free(m->err);
	m->err = NULL;
	m->nerr = 0;
	free(m->path);
	m->ent = NULL;
	m->nent = 0;
	m->path = NULL;
}

/*
 * true if rel is a temporary file of an R entry X (".X.XXXXXX~" beside it)
 * that a render edge is writing at this moment; one whose writer was
 * killed (tmpstale) is removed and not in flight
 */
static bool
isrendertmp(const struct manifest *m, const char *ctxdir, const char *rel)
{
	const struct stageent *e;
	const char *base = pathbase(rel);
	char *x, *dir;
	int dirfd;
	bool inflight;

	if (!istmpname(base))
		return false;
	x = xasprintf("%.*s%.*s", (int)(base - rel), rel, (int)(strlen(base) - 9), base + 1);
	e = findent(m, x);
	free(x);
	if (!e || e->kind != 'R')
		return false;
	x = pathjoin(ctxdir, rel);
	dir = pathdir(x);
	dirfd = diropen(dir, 0);
	inflight = dirfd >= 0 && !tmpstale(dirfd, base);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	free(x);
	return inflight;
}

/* removes from ctxdir/rel (a directory) everything that the manifest does not name */
static bool
prune(const struct manifest *m, const struct strvec *anc, const char *ctxdir, const char *rel, struct diag *d)
{
	const struct stageent *e;
	struct walklist names = {0};
	char *dir, *sub, *full;
	size_t i;
	bool ok = true, isdir;

	dir = rel ? pathjoin(ctxdir, rel) : xstrdup(ctxdir);
	if (!walkdir(dir, &names)) {
		/* a directory that went away while it was pruned has nothing left to prune */
		ok = rel && errno == ENOENT;
		if (!ok)
			errorat(d, dir, 0, 0, "cannot read directory: %s", errstr(errno));
		delwalklist(&names);
		free(dir);
		return ok;
	}
	for (i = 0; i < names.n; i++) {
		sub = rel ? pathjoin(rel, names.ent[i].path) : xstrdup(names.ent[i].path);
		full = pathjoin(ctxdir, sub);
		e = findent(m, sub);
		/* first what another edge may be writing at this moment */
		if ((e && e->kind == 'R') || (!e && isrendertmp(m, ctxdir, sub)))
			goto next;
		isdir = S_ISDIR(names.ent[i].mode);
		if ((e && e->kind == 'D') || strvechas(anc, sub)) {
			if (isdir)
				ok = prune(m, anc, ctxdir, sub, d) && ok;
			else if (unlink(full) != 0 && errno != ENOENT)
				goto fail;
			goto next;
		}
		/* an F entry stays unless it is a directory where a file must be */
		if (e && !isdir)
			goto next;
		if (!rmtree(full))
			goto fail;
		goto next;
	fail:
		errorat(d, full, 0, 0, "cannot remove: %s", errstr(errno));
		ok = false;
	next:
		free(full);
		free(sub);
	}
	delwalklist(&names);
	free(dir);
	return ok;
}

/* the target of symlink path (relative to dirfd), owned by the caller; NULL (errno set) on failure */
static char *
readlinkstrat(int dirfd, const char *path)
{
	size_t cap = 256;
	char *s = NULL;
	ssize_t n;

	for (;;) {
		s = xreallocarray(s, cap, 1);
		n = readlinkat(dirfd, path, s, cap);
		if (n < 0) {
			free(s);
			return NULL;
		}
		if ((size_t)n < cap) {
			s[n] = '\0';
			return s;
		}
		cap *= 2;
	}
}

/* makes dst a symlink to target unless it already is one; never follows a link on the way to dst */
static bool
copylink(const char *target, const char *dst)
{
	struct stat st;
	char *dir = pathdir(dst), *tmp = NULL, *old;
	const char *base = pathbase(dst);
	bool same, ok = false;
	int dirfd, fd, err;

	dirfd = diropen(dir, 0777);
	free(dir);
	if (dirfd < 0)
		return false;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		old = readlinkstrat(dirfd, base);
		same = old && strcmp(old, target) == 0;
		free(old);
		if (same) {
			close(dirfd);
			return true;
		}
	}
	/* a unique name taken with O_EXCL, then replaced by the link */
	fd = tmpcreate(dirfd, base, 0600, &tmp);
	if (fd < 0)
		goto out;
	close(fd);
	if (unlinkat(dirfd, tmp, 0) != 0 || symlinkat(target, dirfd, tmp) != 0 || renameat(dirfd, tmp, dirfd, base) != 0) {
		err = errno;
		unlinkat(dirfd, tmp, 0);
		errno = err;
		goto out;
	}
	ok = true;
out:
	err = errno;
	free(tmp);
	close(dirfd);
	errno = err;
	return ok;
}

static bool
copyfile(const struct manifest *m, const struct stageent *e, const char *ctxdir, struct diag *d)
{
	struct stat st;
	char *dst, *target;
	bool ok = false;
	int fd, r;

	dst = pathjoin(ctxdir, e->dst);
	if (lstat(e->src, &st) != 0) {
		errorat(d, m->path, e->line, 0, "cannot stat source '%s': %s", e->src, errstr(errno));
		goto out;
	}
	mtimefuture(e->src, &st);
	if (S_ISLNK(st.st_mode)) {
		target = readlinkstrat(AT_FDCWD, e->src);
		if (!target) {
			errorat(d, m->path, e->line, 0, "cannot read symlink '%s': %s", e->src, errstr(errno));
			goto out;
		}
		ok = copylink(target, dst);
		free(target);
		if (!ok)
			errorat(d, m->path, e->line, 0, "cannot create symlink '%s': %s", dst, errstr(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errorat(d, m->path, e->line, 0, "source '%s' is %s; an F entry needs a regular file or a symlink",
		    e->src, S_ISDIR(st.st_mode) ? "a directory (use a D entry)" : filekind(st.st_mode));
		goto out;
	}
	/* streamed in bounded buffers: a file of any size costs the same memory */
	if ((fd = openregular(e->src, &st)) < 0) {
		errorat(d, m->path, e->line, 0, "cannot read source '%s': %s", e->src, errstr(errno));
		goto out;
	}
	r = writefilefd(dst, fd, st.st_mode & 07777);
	close(fd);
	if (r == -2)
		errorat(d, m->path, e->line, 0, "cannot read source '%s': %s", e->src, errstr(errno));
	else if (r < 0)
		errorat(d, m->path, e->line, 0, "cannot write '%s': %s", dst, errstr(errno));
	else
		ok = true;
out:
	free(dst);
	return ok;
}

/* creates directory D entry e; its final mode is set by fixdir once its contents are in */
static bool
makedir(const struct manifest *m, const struct stageent *e, const char *ctxdir, mode_t *mode, struct diag *d)
{
	struct stat st;
	char *dst;
	bool ok = false;

	dst = pathjoin(ctxdir, e->dst);
	if (stat(e->src, &st) != 0) {
		errorat(d, m->path, e->line, 0, "cannot stat source '%s': %s", e->src, errstr(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		errorat(d, m->path, e->line, 0, "source '%s' is not a directory; a D entry needs one (use F for files)", e->src);
		goto out;
	}
	*mode = st.st_mode & 07777;
	mtimefuture(e->src, &st);
	if (lstat(dst, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((st.st_mode & 0700) != 0700 && chmod(dst, (st.st_mode & 07777) | 0700) != 0)
			goto fail;
		ok = true;
		goto out;
	}
	/* its ancestors that no entry names get the default mode, as those of a file do */
	if (!mkdirparent(dst) || !mkdirp(dst, 0700))
		goto fail;
	ok = true;
	goto out;
fail:
	errorat(d, m->path, e->line, 0, "cannot create directory '%s': %s", dst, errstr(errno));
out:
	free(dst);
	return ok;
}

static bool
fixdir(const struct manifest *m, const struct stageent *e, const char *ctxdir, mode_t mode, struct diag *d)
{
	struct stat st;
	char *dst = pathjoin(ctxdir, e->dst);
	bool ok = true;

	if (lstat(dst, &st) != 0 || ((st.st_mode & 07777) != mode && chmod(dst, mode) != 0)) {
		errorat(d, m->path, e->line, 0, "cannot set the mode of '%s': %s", dst, errstr(errno));
		ok = false;
	}
	free(dst);
	return ok;
}

/*
 * one stamp line: dst, a TAB, and what lstat finds at ctxdir/dst: "f SIZE
 * MODE INODE MTIME CTIME" for a file (a copy is only ever replaced by a
 * rename, so any rewrite gives it a new inode), "l TARGET" for a symlink
 * (backslashes and control characters written \xHH), "d MODE" for a
 * directory, "-" for nothing; "r" for an R entry, a render edge's output
 * that build.ninja names itself
 */
static void
stampline(struct buf *b, const char *ctxdir, const char *dst, bool rendered)
{
	char *path, *target;
	const unsigned char *s;
	struct stat st;

	bufadds(b, dst);
	if (rendered) {
		bufadds(b, "\tr\n");
		return;
	}
	path = pathjoin(ctxdir, dst);
	if (lstat(path, &st) != 0) {
		bufadds(b, "\t-");
	} else if (S_ISREG(st.st_mode)) {
		bufprintf(b, "\tf %lld %04o %llu %lld.%09ld %lld.%09ld", (long long)st.st_size, (unsigned)(st.st_mode & 07777),
		    (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
		    (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec);
	} else if (S_ISDIR(st.st_mode)) {
		bufprintf(b, "\td %04o", (unsigned)(st.st_mode & 07777));
	} else if (S_ISLNK(st.st_mode) && (target = readlinkstrat(AT_FDCWD, path))) {
		bufadds(b, "\tl ");
		for (s = (const unsigned char *)target; *s; s++) {
			if (*s < 0x20 || *s == 0x7f || *s == '\\')
				bufprintf(b, "\\x%02x", *s);
			else
				bufaddc(b, *s);
		}
		free(target);
	} else {
		bufadds(b, "\t?");
	}
	bufaddc(b, '\n');
	free(path);
}

/* the stamp of ctxdir as staged from m: the header, then a line for each entry */
static void
stamptext(const struct manifest *m, const char *ctxdir, struct buf *b)
{
	size_t i;

	bufprintf(b, "%s\t%s\n", STAMP_HEADER, m->path);
	for (i = 0; i < m->nent; i++)
		stampline(b, ctxdir, m->ent[i].dst, m->ent[i].kind == 'R');
	bufterm(b);
}

bool
stagectx(const struct manifest *m, const char *ctxdir, struct diag *d)
{
	struct strvec anc = {0};
	struct buf list = {0};
	char *stamp;
	mode_t *modes;
	size_t i;
	int nerr = d->nerr;

	if (!mkdirp(ctxdir, 0777)) {
		errorat(d, ctxdir, 0, 0, "cannot create the context directory: %s", errstr(errno));
		return false;
	}
	mkancestors(m, &anc);
	prune(m, &anc, ctxdir, NULL, d);
	delstrvec(&anc);
	if (d->nerr != nerr)
		return false;
	modes = xcalloc(m->nent, sizeof(modes[0]));
	for (i = 0; i < m->nent; i++) {
		if (m->ent[i].kind == 'D')
			makedir(m, &m->ent[i], ctxdir, &modes[i], d);
	}
	for (i = 0; i < m->nent; i++) {
		if (m->ent[i].kind == 'F')
			copyfile(m, &m->ent[i], ctxdir, d);
	}
	/* deepest first, so a directory without write permission is finished last */
	for (i = m->nent; i-- > 0;) {
		if (m->ent[i].kind == 'D' && d->nerr == nerr)
			fixdir(m, &m->ent[i], ctxdir, modes[i], d);
	}
	free(modes);
	if (d->nerr != nerr)
		return false;
	stamptext(m, ctxdir, &list);
	stamp = xasprintf("%s.staged", ctxdir);
	if (writefile(stamp, list.data, list.len, 0666) < 0)
		errorat(d, stamp, 0, 0, "cannot write the stamp: %s", errstr(errno));
	free(stamp);
	delbuf(&list);
	return d->nerr == nerr;
}

/* reads, checks and expands the manifest at path */
static bool
manifestload(struct manifest *m, const char *path, struct diag *d)
{
	struct buf data = {0};
	bool ok;

	if (!readfile(path, &data)) {
		errorat(d, path, 0, 0, "cannot read the stage manifest: %s", errstr(errno));
		memset(m, 0, sizeof(*m));
		return false;
	}
	ok = manifestparse(m, path, data.data ? data.data : "", data.len, d);
	delbuf(&data);
	/* an image's error, and what pre-build steps made, are known now */
	return ok && manifestexpand(m, d);
}

const char *
stampbody(const char *text)
{
	size_t hl = strlen(STAMP_HEADER);
	const char *nl = strchr(text, '\n');

	if (!nl || strncmp(text, STAMP_HEADER, hl) != 0 || text[hl] != '\t')
		return NULL;
	return nl + 1;
}

char *
stampdiff(const char *ctxdir, const char *lines, struct walklist *w)
{
	struct strvec known = {0};
	struct buf now = {0};
	const char *p, *nl, *tab;
	char *why = NULL, *dst, *canon, *errpath = NULL, *q;
	size_t i, n;

	for (p = lines; *p && !why; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		tab = memchr(p, '\t', (size_t)(nl - p));
		if (!tab) {
			why = xasprintf("line '%.*s' has no TAB", (int)(nl - p), p);
			break;
		}
		dst = xstrndup(p, (size_t)(tab - p));
		canon = pathcanon(dst);
		if (!*dst || strcmp(canon, dst) != 0 || !pathinside(canon) || strcmp(canon, ".") == 0) {
			why = xasprintf("line '%.*s' names no path inside the context", (int)(nl - p), p);
			free(canon);
			free(dst);
			break;
		}
		free(canon);
		now.len = 0;
		stampline(&now, ctxdir, dst, nl - tab == 2 && tab[1] == 'r');
		n = (size_t)(nl - p) + 1;
		if (now.len != n || memcmp(now.data, p, n - 1) != 0)
			why = xasprintf("%s/%s was %s", ctxdir, dst, now.data[now.len - 2] == '-' ? "removed" : "changed");
		/* the entry and its ancestors belong to the context */
		for (q = strchr(dst, '/'); q; q = strchr(q + 1, '/'))
			strvectake(&known, xstrndup(dst, (size_t)(q - dst)));
		strvectake(&known, dst);
	}
	delbuf(&now);
	if (!why && !walktree(ctxdir, w, &errpath))
		why = xasprintf("%s cannot be read: %s", errpath, errstr(errno));
	strvecuniq(&known);
	for (i = 0; !why && i < w->n; i++) {
		if (!bsearch(&w->ent[i].path, known.v, known.n, sizeof(known.v[0]), strptrcmp))
			why = xasprintf("%s/%s was added", ctxdir, w->ent[i].path);
	}
	free(errpath);
	delstrvec(&known);
	return why;
}

bool
stagefresh(const char *ctxdir, struct walklist *walked, struct diag *d)
{
	struct manifest m;
	struct walklist w = {0};
	struct buf b = {0};
	char *stamp = xasprintf("%s.staged", ctxdir), *why, *manifest;
	const char *body;
	bool ok = true;

	if (!readfile(stamp, &b)) {
		if (errno != ENOENT) {
			errorat(d, stamp, 0, 0, "cannot read the stamp: %s", errstr(errno));
			ok = false;
		}
		goto out;
	}
	bufterm(&b);
	if (!(body = stampbody(b.data))) {
		errorat(d, stamp, 1, 1, "not a stamp of this imagegen; expected '%s' and the manifest first: "
		    "run ninja, which stages the context again", STAMP_HEADER);
		ok = false;
		goto out;
	}
	if (!(why = stampdiff(ctxdir, body, &w))) {
		/* the walk is of the context as staged: the caller may take it */
		if (walked) {
			*walked = w;
			memset(&w, 0, sizeof(w));
		}
		goto out;
	}
	manifest = xstrndup(b.data + strlen(STAMP_HEADER) + 1, (size_t)(body - b.data) - strlen(STAMP_HEADER) - 2);
	noteat(stamp, 0, 0, "%s after the context was staged; staging %s again from %s", why, ctxdir, manifest);
	free(why);
	ok = manifestload(&m, manifest, d) && stagectx(&m, ctxdir, d);
	delmanifest(&m);
	free(manifest);
out:
	delwalklist(&w);
	delbuf(&b);
	free(stamp);
	return ok;
}

int
cmd_stage(int argc, char **argv)
{
	struct manifest m;
	struct diag d = {0};
	bool ok;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: %s stage MANIFEST CTXDIR\n"
		    "copies the files a stage manifest names into CTXDIR, removes the rest,\n"
		    "and writes CTXDIR.staged, what lstat finds of each entry, when it changes\n", argv0);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s stage MANIFEST CTXDIR\n", argv0);
		return 2;
	}
	ok = manifestload(&m, argv[1], &d);
	/* one stage of a context at a time, and none while it is digested or built */
	if (ok && !bdlock(argv[2], true)) {
		errorat(&d, argv[2], 0, 0, "cannot lock the context in .imagegen/lock: %s", errstr(errno));
		ok = false;
	}
	if (ok)
		ok = stagectx(&m, argv[2], &d);
	delmanifest(&m);
	return ok ? 0 : 1;
}
