#include "compat.h"

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
	char ch = (char)c;

	bufadd(b, &ch, 1);
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

/* "argv0: [file[:line[:col]]: ][kind: ]message", and strerror when fmt ends in ':' */
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
		fprintf(stderr, " %s", strerror(err));
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

bool
readfile(const char *path, struct buf *b)
{
	char tmp[65536];
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	}
	close(fd);
	bufterm(b);
	return true;
}

/* the process's umask, read once (umask cannot be read without setting it) */
mode_t
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

/* true if name in dirfd is a regular file with this mode and content */
static bool
samecontent(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char tmp[65536];
	const char *p = data;
	struct stat st;
	size_t want;
	ssize_t n;
	int fd;
	bool same = false;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return false;
	if ((st.st_mode & 07777) != (mode & 07777) || (size_t)st.st_size != len)
		return false;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		want = len < sizeof(tmp) ? len : sizeof(tmp);
		n = read(fd, tmp, want ? want : 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			same = len == 0;
			break;
		}
		if ((size_t)n > len || memcmp(tmp, p, (size_t)n) != 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return same;
}

int
tmpcreate(int dirfd, const char *base, mode_t mode, char **name)
{
	static unsigned long seq;
	unsigned long x;
	int fd, i;

	for (i = 0; i < 1000; i++) {
		/* unique among the processes writing at once; O_EXCL makes sure */
		x = ((unsigned long)getpid() * 2654435761UL) ^ ((unsigned long)time(NULL) << 8) ^ (seq++ * 40503UL);
		*name = xasprintf(".%s.%06lx~", base, x & 0xffffff);
		fd = openat(dirfd, *name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
		if (fd >= 0)
			return fd;
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

static int
writeat(const char *path, const void *data, size_t len, mode_t mode, bool exact)
{
	char *dir = pathdir(path), *tmp = NULL;
	const char *base = pathbase(path), *p = data;
	mode_t want = exact ? mode & 07777 : mode & 0777 & ~curumask();
	ssize_t n;
	int dirfd, fd = -1, err;

	dirfd = diropen(dir, 0777);
	free(dir);
	if (dirfd < 0)
		return -1;
	if (samecontent(dirfd, base, data, len, want)) {
		close(dirfd);
		return 0;
	}
	fd = tmpcreate(dirfd, base, want, &tmp);
	if (fd < 0)
		goto fail;
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	/* only an exact mode may hold bits the umask cut */
	if (exact && fchmod(fd, want) != 0)
		goto fail;
	err = close(fd);
	fd = -1;
	if (err != 0 || renameat(dirfd, tmp, dirfd, base) != 0)
		goto fail;
	free(tmp);
	close(dirfd);
	return 1;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	close(dirfd);
	errno = err;
	return -1;
}

int
writefile(const char *path, const void *data, size_t len, mode_t mode)
{
	return writeat(path, data, len, mode, false);
}

int
writefilemode(const char *path, const void *data, size_t len, mode_t mode)
{
	return writeat(path, data, len, mode, true);
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
pathjoin(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (n == 0 || (n == 1 && a[0] == '.'))
		return xstrdup(b);
	if (a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
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
