#include "compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *argv0 = "imagegen";

/* the kind of the last file openregular refused */
static const char *refusedkind = "a special file";

const char *
filekind(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "a special file";
}

const char *
errstr(int err)
{
	static char msg[64];

	if (err != ENOTREGULAR)
		return strerror(err);
	snprintf(msg, sizeof(msg), "it is %s, not a regular file", refusedkind);
	return msg;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("malloc:");
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		fatal("calloc:");
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz) {
		errno = ENOMEM;
		fatal("realloc:");
	}
	p = realloc(p, n && sz ? n * sz : 1);
	if (!p)
		fatal("realloc:");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	struct buf b = {0};

	bufvprintf(&b, fmt, ap);
	bufterm(&b);
	return b.data;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void
bufgrow(struct buf *b, size_t n)
{
	size_t cap;

	if (n > SIZE_MAX - b->len - 1)
		fatal("buffer too large");
	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + n + 1)
		cap = cap > SIZE_MAX / 2 ? b->len + n + 1 : cap * 2;
	b->data = xreallocarray(b->data, cap, 1);
	b->cap = cap;
}

void
bufadd(struct buf *b, const void *p, size_t n)
{
	bufgrow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
bufaddc(struct buf *b, int c)
{
	if (b->len + 2 > b->cap)
		bufgrow(b, 1);
	b->data[b->len++] = (char)c;
	b->data[b->len] = '\0';
}

void
bufadds(struct buf *b, const char *s)
{
	bufadd(b, s, strlen(s));
}

void
bufvprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	bufgrow(b, 64);
	va_copy(aq, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0)
		fatal("vsnprintf:");
	if ((size_t)n >= b->cap - b->len) {
		bufgrow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void
bufprintf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bufvprintf(b, fmt, ap);
	va_end(ap);
}

void
bufterm(struct buf *b)
{
	bufgrow(b, 0);
	b->data[b->len] = '\0';
}

void
bufjsonstr(struct buf *b, const char *s, size_t n, unsigned flags)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	unsigned long c;
	int extra;

	bufaddc(b, '"');
	for (i = 0; i < n; i += k) {
		c = u[i];
		k = 1;
		if (c >= 0x80 && (flags & JSONASCII)) {
			extra = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
			if (extra == 0 || i + (size_t)extra >= n) {
				bufprintf(b, "\\u%04lx", c);
				continue;
			}
			c &= extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07;
			for (k = 1; k <= (size_t)extra; k++)
				c = c << 6 | (u[i + k] & 0x3f);
			if (c >= 0x10000) {
				c -= 0x10000;
				bufprintf(b, "\\u%04lx\\u%04lx", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
			} else {
				bufprintf(b, "\\u%04lx", c);
			}
			continue;
		}
		switch (c) {
		case '"': bufadds(b, "\\\""); continue;
		case '\\': bufadds(b, "\\\\"); continue;
		case '\n': bufadds(b, "\\n"); continue;
		case '\r': bufadds(b, "\\r"); continue;
		case '\t': bufadds(b, "\\t"); continue;
		case '\b': bufadds(b, "\\b"); continue;
		case '\f': bufadds(b, "\\f"); continue;
		}
		if ((flags & JSONHTML) && (c == '<' || c == '>' || c == '&' || c == '\''))
			bufprintf(b, "\\u%04lx", c);
		else if (c < 0x20 || (c == 0x7f && (flags & JSONASCII)))
			bufprintf(b, "\\u%04lx", c);
		else
			bufaddc(b, (int)c);
	}
	bufaddc(b, '"');
}

void
strvectake(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xreallocarray(sv->v, sv->cap, sizeof(sv->v[0]));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strvecadd(struct strvec *sv, const char *s)
{
	strvectake(sv, xstrdup(s));
}

void
strvecaddf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvectake(sv, xvasprintf(fmt, ap));
	va_end(ap);
}

void
strvecuniq(struct strvec *sv)
{
	size_t i, j;

	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(sv->v[0]), strptrcmp);
	for (i = 1, j = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[j - 1]) == 0)
			free(sv->v[i]);
		else
			sv->v[j++] = sv->v[i];
	}
	sv->n = j;
	sv->v[j] = NULL;
}

bool
strvechas(const struct strvec *sv, const char *s)
{
	return sv->n > 0 && bsearch(&s, sv->v, sv->n, sizeof(sv->v[0]), strptrcmp) != NULL;
}

void
delstrvec(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void
delbuf(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* "argv0: [file[:line[:col]]: ][kind: ]message", and errstr when fmt ends in ':' */
static void PRINTF(5, 0)
vdiag(const char *kind, const char *file, int line, int col, const char *fmt, va_list ap)
{
	size_t n = strlen(fmt);
	int err = errno;

	fprintf(stderr, "%s: ", argv0);
	if (file) {
		fputs(file, stderr);
		if (line > 0) {
			fprintf(stderr, ":%d", line);
			if (col > 0)
				fprintf(stderr, ":%d", col);
		}
		fputs(": ", stderr);
	}
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", errstr(err));
	fputc('\n', stderr);
}

void
error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(NULL, NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void
warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("warning", NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("note", NULL, 0, 0, fmt, ap);
	va_end(ap);
}

_Noreturn void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(NULL, NULL, 0, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
verrorat(struct diag *d, const char *file, int line, int col, const char *fmt, va_list ap)
{
	vdiag("error", file, line, col, fmt, ap);
	if (d)
		d->nerr++;
}

void
errorat(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorat(d, file, line, col, fmt, ap);
	va_end(ap);
}

void
warningat(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("warning", file, line, col, fmt, ap);
	va_end(ap);
	if (d)
		d->nwarn++;
}

void
noteat(const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("note", file, line, col, fmt, ap);
	va_end(ap);
}

_Noreturn void
fatalat(const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("error", file, line, col, fmt, ap);
	va_end(ap);
	exit(1);
}

/* openregular, the descriptor left O_NONBLOCK: reading a regular file is the same with it or without */
static int
openregularnb(const char *path, struct stat *st)
{
	int fd, err;

	/* O_NONBLOCK: opening a FIFO with no writer must not wait for one */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		refusedkind = filekind(st->st_mode);
		errno = S_ISDIR(st->st_mode) ? EISDIR : ENOTREGULAR;
		goto fail;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int
openregular(const char *path, struct stat *st)
{
	struct stat sb;
	int fd, err, fl;

	fd = openregularnb(path, st ? st : &sb);
	if (fd < 0)
		return -1;
	/* the caller may hand it on (to an engine, a child): a plain descriptor */
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

bool
readfile(const char *path, struct buf *b)
{
	struct stat st;

	return readfilestat(path, b, &st);
}

bool
readfilestat(const char *path, struct buf *b, struct stat *st)
{
	char tmp[65536];
	size_t start = b->len;
	ssize_t n;
	int fd, err;

	/* read whole at once: two system calls fewer than openregular's descriptor, for every image.yaml */
	fd = openregularnb(path, st);
	if (fd < 0)
		return false;
	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			close(fd);
			errno = err;
			return false;
		}
		if (n == 0)
			break;
		bufadd(b, tmp, (size_t)n);
		/* short of the buffer, at the size fstat gave: the end, without a read more to say so */
		if ((size_t)n < sizeof(tmp) && st->st_size > 0 && b->len - start == (size_t)st->st_size)
			break;
	}
	close(fd);
	bufterm(b);
	return true;
}

/* the process's umask, read once (umask cannot be read without setting it) */
static mode_t
curumask(void)
{
	static mode_t mask = (mode_t)-1;

	if (mask == (mode_t)-1) {
		mask = umask(022);
		umask(mask);
	}
	return mask;
}

int
diropen(const char *dir, mode_t mkmode)
{
	char *p, *s, *next;
	int fd, sub, err;
	struct stat st;

	if (dir[0] == '/' || strcmp(dir, ".") == 0 || dir[0] == '\0') {
		fd = open(dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || !mkmode || dir[0] != '/')
			return fd;
		/* an absolute path: only what is missing is created, following links as the user wrote them */
		if (!mkdirp(dir, mkmode))
			return -1;
		return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	p = xstrdup(dir);
	for (s = p; s && *s; s = next) {
		next = strchr(s, '/');
		if (next)
			*next++ = '\0';
		if (*s == '\0' || strcmp(s, ".") == 0)
			continue;
		sub = openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 && errno == ENOENT && mkmode) {
			if (mkdirat(fd, s, mkmode) != 0 && errno != EEXIST)
				goto fail;
			sub = openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (sub < 0) {
			/* O_NOFOLLOW says ELOOP or ENOTDIR for a symlink: say ELOOP */
			if ((errno == ENOTDIR || errno == ELOOP) && fstatat(fd, s, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				errno = ELOOP;
			goto fail;
		}
		close(fd);
		fd = sub;
	}
	free(p);
	return fd;
fail:
	err = errno;
	close(fd);
	free(p);
	errno = err;
	return -1;
}

/* where the content of a write comes from: memory, or a descriptor read to its end */
struct wsrc {
	const char *data;
	size_t len;
	int fd;
};

/* read up to n bytes of src at *off; -1 with errno set */
static ssize_t
srcread(const struct wsrc *src, size_t *off, char *buf, size_t n)
{
	ssize_t r;

	if (src->fd < 0) {
		if (n > src->len - *off)
			n = src->len - *off;
		memcpy(buf, src->data + *off, n);
		*off += n;
		return (ssize_t)n;
	}
	do
		r = read(src->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		*off += (size_t)r;
	return r;
}

/* read exactly n bytes (fewer only at the end of the file); -1 with errno set */
static ssize_t
readfull(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

bool
writeall(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * true if name in dirfd is a regular file with this mode and the content
 * of src, compared in bounded buffers; a descriptor source is read from
 * where it is and put back there. *srcerr is set when reading it failed.
 */
static bool
samecontent(int dirfd, const char *name, const struct wsrc *src, mode_t mode, int *srcerr)
{
	static char a[65536], b[65536];
	struct stat st, sst;
	size_t off = 0;
	ssize_t n, m;
	off_t start = 0;
	int fd;
	bool same = false;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return false;
	if ((st.st_mode & 07777) != (mode & 07777))
		return false;
	if (src->fd < 0 && (size_t)st.st_size != src->len)
		return false;
	if (src->fd >= 0) {
		if (fstat(src->fd, &sst) != 0 || (start = lseek(src->fd, 0, SEEK_CUR)) < 0) {
			*srcerr = errno;
			return false;
		}
		if (S_ISREG(sst.st_mode) && sst.st_size - start != st.st_size)
			return false;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		n = srcread(src, &off, a, sizeof(a));
		if (n < 0) {
			*srcerr = errno;
			break;
		}
		m = readfull(fd, b, n ? (size_t)n : 1);
		if (m < 0 || (n == 0 && m == 0 && (same = true)) || m != n || memcmp(a, b, (size_t)n) != 0)
			break;
		/* all of data, and the file has its size (above): no read more to find its end */
		if (src->fd < 0 && off == src->len) {
			same = true;
			break;
		}
	}
	close(fd);
	if (src->fd >= 0 && lseek(src->fd, start, SEEK_SET) < 0 && !*srcerr)
		*srcerr = errno;
	return same;
}

bool
lockrange(int fd, short type, off_t start, off_t len)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return fcntl(fd, F_SETLK, &fl) == 0;
}

int
tmpcreate(int dirfd, const char *base, mode_t mode, char **name)
{
	static unsigned long seq;
	unsigned long x;
	struct stat st;
	int fd, i;

	for (i = 0; i < 1000; i++) {
		/* unique among the processes writing at once; O_EXCL makes sure */
		x = ((unsigned long)getpid() * 2654435761UL) ^ ((unsigned long)time(NULL) << 8) ^ (seq++ * 40503UL);
		*name = xasprintf(".%s.%06lx~", base, x & 0xffffff);
		fd = openat(dirfd, *name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
		if (fd >= 0) {
			/*
			 * in flight while locked; a cleaner that locked it first
			 * (tmpstale) is removing it: take another name
			 */
			if (lockrange(fd, F_WRLCK, 0, 0) && fstat(fd, &st) == 0 && st.st_nlink > 0)
				return fd;
			close(fd);
			free(*name);
			*name = NULL;
			continue;
		}
		free(*name);
		*name = NULL;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

bool
istmpname(const char *name)
{
	size_t n = strlen(name);

	/* ".BASE.XXXXXX~", as tmpcreate names them */
	return n >= 10 && name[0] == '.' && name[n - 1] == '~' && name[n - 8] == '.' &&
	    strspn(name + n - 7, "0123456789abcdef") == 6;
}

bool
tmpstale(int dirfd, const char *name)
{
	struct stat st;
	int fd, err;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT;
	/* a symbolic link in flight is stage's, which holds its context's lock */
	if (!S_ISREG(st.st_mode))
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT;
	/* a read lock conflicts with the writer's lock, and keeps a new writer from locking it */
	if (!lockrange(fd, F_RDLCK, 0, 0)) {
		err = errno;
		close(fd);
		errno = err == EACCES ? EAGAIN : err;
		return false;
	}
	err = unlinkat(dirfd, name, 0) == 0 ? 0 : errno;
	close(fd);
	errno = err;
	return err == 0 || err == ENOENT;
}

/* true if name is a temporary file of base, as tmpcreate names them */
static bool
istmpof(const char *name, const char *base, size_t n)
{
	return strlen(name) == n + 9 && strncmp(name + 1, base, n) == 0 && istmpname(name);
}

/* the temporary files in dirfd (sorted), or those of base alone when base is not NULL */
static void
listtemps(int dirfd, const char *base, struct strvec *tmps)
{
	struct dirent *de;
	size_t n = base ? strlen(base) : 0;
	DIR *dir;
	int fd;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(dir))) {
		if (base ? istmpof(de->d_name, base, n) : istmpname(de->d_name))
			strvecadd(tmps, de->d_name);
	}
	closedir(dir);
	strvecuniq(tmps);
}

/* remove the stale temporary files of base among tmps */
static void
cleantemps(int dirfd, const char *base, const struct strvec *tmps)
{
	size_t i, n = strlen(base);

	for (i = 0; i < tmps->n; i++) {
		if (istmpof(tmps->v[i], base, n))
			tmpstale(dirfd, tmps->v[i]);
	}
}

/* write src to base in dirfd as writefile does, the stale temporary files aside: want is the mode */
static int
writein(int dirfd, const char *base, const struct wsrc *src, mode_t want)
{
	static char chunk[65536];
	size_t off = 0;
	ssize_t n;
	char *tmp = NULL;
	int fd = -1, err, srcerr = 0;

	if (samecontent(dirfd, base, src, want, &srcerr))
		return 0;
	if (srcerr) {
		errno = srcerr;
		return -2;
	}
	/* created readable and writable by its owner (tmpstale reads it); the mode comes before the rename */
	fd = tmpcreate(dirfd, base, 0600, &tmp);
	if (fd < 0)
		goto fail;
	for (;;) {
		n = srcread(src, &off, chunk, sizeof(chunk));
		if (n < 0) {
			srcerr = errno;
			goto fail;
		}
		if (n == 0)
			break;
		if (!writeall(fd, chunk, (size_t)n))
			goto fail;
	}
	if (fchmod(fd, want) != 0)
		goto fail;
	/* renamed while the descriptor still holds the lock, so no cleaner takes it for stale */
	if (renameat(dirfd, tmp, dirfd, base) != 0)
		goto fail;
	free(tmp);
	tmp = NULL;
	err = close(fd);
	fd = -1;
	if (err != 0)
		goto fail;
	return 1;
fail:
	err = srcerr ? srcerr : errno;
	if (tmp)
		unlinkat(dirfd, tmp, 0);
	if (fd >= 0)
		close(fd);
	free(tmp);
	errno = err;
	return srcerr ? -2 : -1;
}

/* write src to path: see writefile (exact false) and writefilefd (exact true) */
static int
writeat(const char *path, const struct wsrc *src, mode_t mode, bool exact)
{
	struct strvec tmps = {0};
	char *dir = pathdir(path);
	const char *base = pathbase(path);
	int dirfd, r, err;

	dirfd = diropen(dir, 0777);
	free(dir);
	if (dirfd < 0)
		return -1;
	if (!exact) {
		listtemps(dirfd, base, &tmps);
		cleantemps(dirfd, base, &tmps);
		delstrvec(&tmps);
	}
	r = writein(dirfd, base, src, exact ? mode & 07777 : mode & 0777 & ~curumask());
	err = errno;
	close(dirfd);
	errno = err;
	return r;
}

int
writefile(const char *path, const void *data, size_t len, mode_t mode)
{
	struct wsrc src = {data, len, -1};

	return writeat(path, &src, mode, false);
}

int
writefilefd(const char *path, int srcfd, mode_t mode)
{
	struct wsrc src = {NULL, 0, srcfd};

	return writeat(path, &src, mode, true);
}

struct wdir {
	int fd;
	struct strvec tmps;	/* the temporary files it held when opened */
};

struct wdir *
mkwdir(const char *dir)
{
	struct wdir *w;
	int fd = diropen(dir, 0777);

	if (fd < 0)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	listtemps(fd, NULL, &w->tmps);
	return w;
}

int
wdirwrite(struct wdir *w, const char *name, const void *data, size_t len, mode_t mode)
{
	struct wsrc src = {data, len, -1};

	cleantemps(w->fd, name, &w->tmps);
	return writein(w->fd, name, &src, mode & 0777 & ~curumask());
}

void
delwdir(struct wdir *w)
{
	if (!w)
		return;
	close(w->fd);
	delstrvec(&w->tmps);
	free(w);
}

enum { WCHUNK = 65536 };

struct wstream {
	int dirfd;
	char *base; /* the target's name in dirfd */
	mode_t want;
	int old; /* the old file, while the content still equals its beginning; else -1 */
	int fd; /* the temporary file, once the content differs; else -1 */
	char *tmp; /* its name */
	size_t len; /* the bytes given so far */
	int err; /* the first error, for wstreamclose */
	char *chunk; /* WCHUNK bytes, for reading the old file */
};

struct wstream *
mkwstream(const char *path, mode_t mode)
{
	struct strvec tmps = {0};
	struct wstream *w;
	struct stat st;
	char *dir = pathdir(path);
	int dirfd = diropen(dir, 0777);

	free(dir);
	if (dirfd < 0)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->dirfd = dirfd;
	w->base = xstrdup(pathbase(path));
	w->want = mode & 0777 & ~curumask();
	w->fd = -1;
	listtemps(dirfd, w->base, &tmps);
	cleantemps(dirfd, w->base, &tmps);
	delstrvec(&tmps);
	/* a symlink is replaced, never read through; a FIFO is opened at once and found not to be a file */
	w->old = openat(dirfd, w->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (w->old >= 0 && (fstat(w->old, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != w->want)) {
		close(w->old);
		w->old = -1;
	}
	w->chunk = xmalloc(WCHUNK);
	return w;
}

/* the content differs from the old file's from w->len on: the temporary file, with the first w->len bytes */
static bool
wstreamdiverge(struct wstream *w)
{
	size_t off = 0, n;
	ssize_t r;

	w->fd = tmpcreate(w->dirfd, w->base, 0600, &w->tmp);
	if (w->fd < 0) {
		w->err = errno;
		return false;
	}
	/* only bytes that compared equal are copied: the old file holds them */
	while (off < w->len) {
		n = w->len - off < WCHUNK ? w->len - off : WCHUNK;
		do
			r = pread(w->old, w->chunk, n, (off_t)off);
		while (r < 0 && errno == EINTR);
		if (r <= 0 || !writeall(w->fd, w->chunk, (size_t)r)) {
			w->err = r == 0 ? EIO : errno;
			return false;
		}
		off += (size_t)r;
	}
	if (w->old >= 0)
		close(w->old);
	w->old = -1;
	return true;
}

void
wstreamwrite(struct wstream *w, const void *p, size_t n)
{
	const char *s = p;
	size_t k;

	while (n > 0 && !w->err && w->fd < 0) {
		k = n < WCHUNK ? n : WCHUNK;
		if (w->old < 0 || readfull(w->old, w->chunk, k) != (ssize_t)k || memcmp(w->chunk, s, k) != 0) {
			wstreamdiverge(w);
			break;
		}
		w->len += k;
		s += k;
		n -= k;
	}
	if (n == 0 || w->err)
		return;
	if (!writeall(w->fd, s, n))
		w->err = errno;
	w->len += n;
}

int
wstreamclose(struct wstream *w, bool keep)
{
	int rc = 0, err = 0;
	char c;

	/* equal so far: unchanged when the old file ends here too */
	if (keep && !w->err && w->fd < 0 && !(w->old >= 0 && readfull(w->old, &c, 1) == 0))
		wstreamdiverge(w);
	if (keep && !w->err && w->fd >= 0) {
		/* its time is now, after whatever was written while it was made */
		if (fchmod(w->fd, w->want) != 0 || futimens(w->fd, NULL) != 0 ||
		    renameat(w->dirfd, w->tmp, w->dirfd, w->base) != 0)
			w->err = errno;
		else {
			free(w->tmp);
			w->tmp = NULL;
			rc = 1;
		}
		/* renamed while the descriptor holds the lock, so that no cleaner takes it for stale */
		if (close(w->fd) != 0 && !w->err)
			w->err = errno;
		w->fd = -1;
	}
	if (keep && w->err) {
		rc = -1;
		err = w->err;
	}
	if (w->tmp)
		unlinkat(w->dirfd, w->tmp, 0);
	if (w->fd >= 0)
		close(w->fd);
	if (w->old >= 0)
		close(w->old);
	close(w->dirfd);
	free(w->tmp);
	free(w->base);
	free(w->chunk);
	free(w);
	errno = err;
	return rc;
}

bool
bdlock(const char *key, bool exclusive)
{
	static int lockfd = -1;
	struct flock fl, held;
	unsigned long long h = 14695981039346656037ULL;
	char *canon = pathcanon(key);
	const char *s;
	int dirfd;

	if (lockfd < 0) {
		dirfd = diropen(".imagegen", 0777);
		if (dirfd < 0) {
			free(canon);
			return false;
		}
		lockfd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
		close(dirfd);
		if (lockfd < 0) {
			free(canon);
			return false;
		}
	}
	/* one byte per key, at an offset its FNV-1a hash gives */
	for (s = canon; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = exclusive ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)(1 + h % 0xffffffffffULL);
	fl.l_len = 1;
	if (fcntl(lockfd, F_SETLK, &fl) == 0) {
		free(canon);
		return true;
	}
	if (errno != EAGAIN && errno != EACCES) {
		free(canon);
		return false;
	}
	held = fl;
	if (fcntl(lockfd, F_GETLK, &held) == 0 && held.l_type != F_UNLCK)
		warning("%s is in use by another imagegen (pid %ld) in this build directory; waiting for it", canon, (long)held.l_pid);
	else
		warning("%s is in use by another imagegen in this build directory; waiting for it", canon);
	free(canon);
	while (fcntl(lockfd, F_SETLKW, &fl) != 0) {
		if (errno != EINTR)
			return false;
	}
	return true;
}

bool
mtimefuture(const char *path, const struct stat *st)
{
	struct timespec now, ts[2];
	double ahead;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return false;
	if (st->st_mtim.tv_sec < now.tv_sec || (st->st_mtim.tv_sec == now.tv_sec && st->st_mtim.tv_nsec <= now.tv_nsec))
		return false;
	ahead = (double)(st->st_mtim.tv_sec - now.tv_sec) + (double)(st->st_mtim.tv_nsec - now.tv_nsec) / 1e9;
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = now;
	if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == 0)
		warningat(NULL, path, 0, 0, "modification time %.3g s in the future (is the clock right?); set to the current time so that its next change is built",
		    ahead);
	else
		warningat(NULL, path, 0, 0, "modification time %.3g s in the future (is the clock right?), and it cannot be set to the current time (%s): its changes are not seen until the clock passes it",
		    ahead, errstr(errno));
	return true;
}

int
openwrite(const char *path, int flags, mode_t mode)
{
	char *dir = pathdir(path);
	int dirfd, fd, err;

	dirfd = diropen(dir, 0777);
	free(dir);
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, pathbase(path), flags | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
	err = errno;
	close(dirfd);
	errno = err;
	return fd;
}

/* remove name in dirfd and, for a directory, everything below it, following no symlink */
static bool
removeat(int dirfd, const char *name)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int fd, err = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT;
	/* a directory without read, write or search permission for its owner (mkdir -m 555) is emptied all the same */
	if ((st.st_mode & 0700) != 0700)
		fchmodat(dirfd, name, (st.st_mode | 0700) & 07777, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (!(dir = fdopendir(fd))) {
		err = errno;
		close(fd);
		errno = err;
		return false;
	}
	while ((errno = 0, de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!removeat(fd, de->d_name)) {
			err = errno;
			break;
		}
	}
	if (!err && errno != 0)
		err = errno;
	closedir(dir);
	if (err) {
		errno = err;
		return false;
	}
	return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

bool
rmtree(const char *path)
{
	char *dir = pathdir(path);
	int dirfd, err;
	bool ok;

	dirfd = diropen(dir, 0);
	free(dir);
	if (dirfd < 0)
		return errno == ENOENT;
	ok = removeat(dirfd, pathbase(path));
	err = errno;
	close(dirfd);
	errno = err;
	return ok;
}

bool
mkdirp(const char *path, mode_t mode)
{
	char *p, *s;
	struct stat st;
	int fd;

	if (path[0] != '/') {
		/* a relative path is created without following a symlink */
		fd = diropen(path, mode);
		if (fd < 0)
			return false;
		close(fd);
		return true;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return true;
		errno = ENOTDIR;
		return false;
	}
	p = xstrdup(path);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			free(p);
			return false;
		}
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST) {
		free(p);
		return false;
	}
	free(p);
	return true;
}

bool
mkdirparent(const char *path)
{
	char *dir = pathdir(path);
	bool ok = true;

	if (strcmp(dir, ".") != 0 && strcmp(dir, "/") != 0)
		ok = mkdirp(dir, 0777);
	free(dir);
	return ok;
}

char *
dirreal(const char *dir)
{
	char *buf = NULL;
	size_t cap = 256;
	int here, err = 0;

	here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (here < 0)
		return NULL;
	if (chdir(dir) != 0) {
		err = errno;
		goto out;
	}
	for (;;) {
		buf = xreallocarray(buf, cap, 1);
		if (getcwd(buf, cap))
			break;
		if (errno != ERANGE) {
			err = errno;
			free(buf);
			buf = NULL;
			break;
		}
		cap *= 2;
	}
	if (fchdir(here) != 0)
		fatal("cannot return to the working directory:");
out:
	close(here);
	errno = err;
	return buf;
}

char *
pathjoin(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b), slash;
	char *p;

	if (n == 0 || (n == 1 && a[0] == '.'))
		return xstrdup(b);
	slash = a[n - 1] != '/';
	if (m > SIZE_MAX - n - 2)
		fatal("path too long");
	p = xmalloc(n + slash + m + 1);
	memcpy(p, a, n);
	p[n] = '/';
	memcpy(p + n + slash, b, m + 1);
	return p;
}

char *
pathcanon(const char *p)
{
	char *out = xmalloc(strlen(p) + 2);
	size_t len = 0, keep = 0;
	bool abs = p[0] == '/';
	const char *s = p, *e;

	/* keep is the length of the leading part that ".." cannot fold: "/", or "../../" */
	if (abs) {
		out[len++] = '/';
		keep = 1;
	}
	while (*s) {
		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = s;
		while (*e && *e != '/')
			e++;
		if (e - s == 1 && s[0] == '.') {
			s = e;
			continue;
		}
		if (e - s == 2 && s[0] == '.' && s[1] == '.') {
			if (len > keep) {
				/* drop the last component, and the slash before it */
				while (len > keep && out[len - 1] != '/')
					len--;
				if (len > keep)
					len--;
				s = e;
				continue;
			}
			if (abs) {
				s = e;
				continue;
			}
			if (len > 0 && out[len - 1] != '/')
				out[len++] = '/';
			memcpy(out + len, "..", 2);
			len += 2;
			keep = len;
			s = e;
			continue;
		}
		if (len > 0 && out[len - 1] != '/')
			out[len++] = '/';
		memcpy(out + len, s, (size_t)(e - s));
		len += (size_t)(e - s);
		s = e;
	}
	if (len == 0)
		out[len++] = '.';
	out[len] = '\0';
	return out;
}

const char *
pathbase(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

char *
pathdir(const char *p)
{
	const char *s = strrchr(p, '/');

	if (!s)
		return xstrdup(".");
	if (s == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(s - p));
}

bool
pathinside(const char *p)
{
	if (p[0] == '/')
		return false;
	if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
		return false;
	return true;
}

void
textpos(const char *text, size_t len, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			++*col;
	}
}

bool
yamltagfits(const char *tag, char kind)
{
	static const char *const scalar[] = {"str", "int", "float", "bool", "null"};
	static const char pfx[] = "tag:yaml.org,2002:";
	const char *t;
	size_t i;

	if (!tag || strcmp(tag, "!") == 0)
		return true;
	if (strncmp(tag, pfx, sizeof(pfx) - 1) != 0)
		return false;
	t = tag + sizeof(pfx) - 1;
	if (kind == 'q')
		return strcmp(t, "seq") == 0;
	if (kind == 'm')
		return strcmp(t, "map") == 0;
	for (i = 0; i < sizeof(scalar) / sizeof(scalar[0]); i++)
		if (strcmp(t, scalar[i]) == 0)
			return true;
	return false;
}

int
strptrcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *
optval(const char *arg, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(arg, opt, n) == 0 && arg[n] == '=')
		return arg + n + 1;
	return NULL;
}
