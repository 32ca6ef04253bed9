#ifndef IMAGEGEN_UTIL_H
#define IMAGEGEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
/* printf-style checking of a function's format (argument fmt) and its arguments (from first) */
#define PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))

/* the prefix of every diagnostic: "imagegen" */
extern const char *argv0;

/* growable byte buffer; data is always NUL-terminated when len > 0 or after bufterm */
struct buf {
	char *data;
	size_t len, cap;
};

/* allocation that dies on failure; callers never check for NULL */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xreallocarray(void *p, size_t n, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* returns a newly allocated formatted string, owned by the caller */
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
/* xasprintf with a va_list */
char *xvasprintf(const char *fmt, va_list ap) PRINTF(1, 0);

/*
 * the one vector of strings: it owns them, and v is NULL-terminated once
 * anything was added, so that it serves as an argument vector too
 */
struct strvec {
	char **v;
	size_t n, cap;
};

/* append a copy of s */
void strvecadd(struct strvec *sv, const char *s);
/* append s itself; the vector owns it from now on */
void strvectake(struct strvec *sv, char *s);
/* append a formatted string */
void strvecaddf(struct strvec *sv, const char *fmt, ...) PRINTF(2, 3);
/* sort bytewise and drop duplicates */
void strvecuniq(struct strvec *sv);
/* true if the sorted (strvecuniq) vector holds s */
bool strvechas(const struct strvec *sv, const char *s);
/* free every string and the array; sv is empty after */
void delstrvec(struct strvec *sv);

/* append to a buffer; the buffer stays NUL-terminated */
void bufadd(struct buf *b, const void *p, size_t n);
void bufaddc(struct buf *b, int c);
void bufadds(struct buf *b, const char *s);
void bufprintf(struct buf *b, const char *fmt, ...) PRINTF(2, 3);
void bufvprintf(struct buf *b, const char *fmt, va_list ap) PRINTF(2, 0);
/* make data non-NULL and NUL-terminated */
void bufterm(struct buf *b);
void delbuf(struct buf *b);

/*
 * diagnostics: the one family every module reports through, on stderr.
 * Without a place, the message names its subject first:
 *     error("build: unknown option '%s'", a)      imagegen: build: unknown option '-x'
 *     warning(...)                                 imagegen: warning: MESSAGE
 *     note(...)                                    imagegen: note: MESSAGE
 *     fatal(...)                                   as error, then exit(1)
 * With a place (the *at forms), where line and col 0 are left out and a
 * NULL file leaves the place out:
 *     errorat(d, file, line, col, ...)             imagegen: FILE:LINE:COL: error: MESSAGE
 *     warningat(d, file, line, col, ...)           imagegen: FILE:LINE:COL: warning: MESSAGE
 *     noteat(file, line, col, ...)                 imagegen: FILE:LINE:COL: note: MESSAGE
 *     fatalat(file, line, col, ...)                as errorat, then exit(1)
 * A format ending in ':' appends " strerror(errno)". errorat and warningat
 * count the message in d (d->nerr, d->nwarn) when d is not NULL.
 */
void error(const char *fmt, ...) PRINTF(1, 2);
void warning(const char *fmt, ...) PRINTF(1, 2);
void note(const char *fmt, ...) PRINTF(1, 2);
_Noreturn void fatal(const char *fmt, ...) PRINTF(1, 2);

/* the errors and warnings of a run, each printed as it is found and counted */
struct diag {
	int nerr;
	int nwarn;
};

void errorat(struct diag *d, const char *file, int line, int col, const char *fmt, ...) PRINTF(5, 6);
/* errorat with a va_list, for functions that wrap it */
void verrorat(struct diag *d, const char *file, int line, int col, const char *fmt, va_list ap) PRINTF(5, 0);
void warningat(struct diag *d, const char *file, int line, int col, const char *fmt, ...) PRINTF(5, 6);
void noteat(const char *file, int line, int col, const char *fmt, ...) PRINTF(4, 5);
_Noreturn void fatalat(const char *file, int line, int col, const char *fmt, ...) PRINTF(4, 5);

/* read a whole file into b (appending); false with errno set on failure */
bool readfile(const char *path, struct buf *b);
/*
 * write data to path atomically (a uniquely named temporary file beside it,
 * renamed into place) and only if the content or the mode differs; creates
 * parent directories. The file gets mode less the umask, as open(2) gives
 * it. A relative path is reached without following any symbolic link
 * (diropen). returns 1 if written, 0 if unchanged, -1 on error (errno set,
 * nothing changed).
 */
int writefile(const char *path, const void *data, size_t len, mode_t mode);
/* writefile with exactly this mode, umask or not: for copies that keep their source's mode */
int writefilemode(const char *path, const void *data, size_t len, mode_t mode);
/*
 * open path for writing (flags: O_CREAT, O_TRUNC, O_APPEND...), reaching
 * a relative path as diropen does and never following a symlink at the end
 * either; creates parent directories. -1 with errno set on failure.
 */
int openwrite(const char *path, int flags, mode_t mode);
/*
 * a descriptor of directory dir. A relative dir is walked from the working
 * directory one component at a time, following no symbolic link (ELOOP if
 * one is met), so that nothing a tree or a staged context holds can send a
 * write elsewhere; an absolute one is opened as the user wrote it. Missing
 * directories are created with mkmode (less the umask) unless mkmode is 0.
 * -1 with errno set on failure.
 */
int diropen(const char *dir, mode_t mkmode);
/*
 * create a new file in dirfd named ".BASE.XXXXXX~" (unique, O_EXCL) with
 * mode less the umask; its name in *name (owned by the caller). The fd, or
 * -1 with errno set.
 */
int tmpcreate(int dirfd, const char *base, mode_t mode, char **name);
/* true if name has the form tmpcreate gives its files */
bool istmpname(const char *name);
/* the process's umask */
mode_t curumask(void);
/* mkdir -p; false with errno set on failure */
bool mkdirp(const char *path, mode_t mode);
/* mkdir -p of the directory part of path */
bool mkdirparent(const char *path);

/* a/b, with no doubled slash; owned by the caller */
char *pathjoin(const char *a, const char *b);
/*
 * lexically canonical form of a path: no "." components, no doubled
 * slashes, "x/.." folded where x is not "..". Relative paths stay relative;
 * "" becomes ".". owned by the caller.
 */
char *pathcanon(const char *p);
/* the last component of p (after the last slash), pointing into p */
const char *pathbase(const char *p);
/* the directory part of p, "." if none; owned by the caller */
char *pathdir(const char *p);
/* true if p (canonical) is "." or does not start with "../" or "/" */
bool pathinside(const char *p);

/* the value of a command-line argument "--opt=value" when arg is that option, else NULL */
const char *optval(const char *arg, const char *opt);

/* qsort comparator for an array of char * */
int strptrcmp(const void *a, const void *b);

#endif
