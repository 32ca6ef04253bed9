#ifndef IMAGEGEN_UTIL_H
#define IMAGEGEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
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
/*
 * append s[0..n) as a JSON string, quoted: '"', '\\' and the control
 * characters escaped (\n, \t, \b... and \u00XX), the rest as it is, as
 * Python's json.dumps(s, ensure_ascii=False) writes it; with JSONASCII,
 * DEL and every UTF-8 sequence as \uXXXX (a surrogate pair beyond
 * U+FFFF), as json.dumps(s) does; with JSONHTML, also <, >, & and '
 * (Jinja's tojson)
 */
enum { JSONASCII = 1, JSONHTML = 2 };
void bufjsonstr(struct buf *b, const char *s, size_t n, unsigned flags);
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
 * A format ending in ':' appends " errstr(errno)" (strerror, and
 * what a file readfile refused was). errorat and warningat
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

/*
 * errno of readfile for a file that is neither a regular file nor a
 * directory (a FIFO, a socket, a device): reading it could block forever
 * or never end, so it is not opened for reading at all. errstr says what
 * the file was.
 */
#define ENOTREGULAR 0x4e52
/* strerror(err), and for ENOTREGULAR what the file was: "it is a FIFO, not a regular file" */
const char *errstr(int err);
/* what kind of file st_mode is: "a FIFO", "a directory", "a socket", ... */
const char *filekind(mode_t mode);
/* write all of p[0..n) to fd, again after EINTR; false with errno set */
bool writeall(int fd, const char *p, size_t n);
/*
 * read a whole file into b (appending); false with errno set on failure.
 * Only a regular file is read: anything else fails with ENOTREGULAR (or
 * EISDIR) before a byte is read, so that a FIFO cannot hang the caller.
 */
bool readfile(const char *path, struct buf *b);
/* readfile, and the file's status in *st */
bool readfilestat(const char *path, struct buf *b, struct stat *st);
/*
 * open path for reading (O_RDONLY | O_CLOEXEC) if it is a regular file,
 * without blocking on a FIFO on the way: the descriptor, or -1 with errno
 * set (ENOTREGULAR or EISDIR for what is not a regular file). st gets its
 * status when not NULL.
 */
int openregular(const char *path, struct stat *st);
/*
 * write data to path atomically (a uniquely named temporary file beside it,
 * renamed into place) and only if the content or the mode differs; creates
 * parent directories. The file gets mode less the umask, as open(2) gives
 * it. A relative path is reached without following any symbolic link
 * (diropen). Stale temporary files of path (tmpstale) are removed first.
 * returns 1 if written, 0 if unchanged, -1 on error (errno set, nothing
 * changed).
 */
int writefile(const char *path, const void *data, size_t len, mode_t mode);
/*
 * writefile with the content read from srcfd (from its current offset to
 * its end) in bounded buffers, never whole in memory, and exactly this mode,
 * umask or not: for staged copies, which keep their source's mode. Leaves
 * other temporary files alone (stage prunes its context itself). -2 (errno
 * set) when reading srcfd failed, -1 when writing path did.
 */
int writefilefd(const char *path, int srcfd, mode_t mode);
/*
 * a directory that many files are written into, each as writefile writes
 * it: the directory is reached once, and read once for stale temporary
 * files, where writefile does both for every file
 */
struct wdir;
/* dir, created as writefile creates it; NULL with errno set */
struct wdir *mkwdir(const char *dir);
/* writefile of dir/name (name holds no slash), with its results */
int wdirwrite(struct wdir *w, const char *name, const void *data, size_t len, mode_t mode);
void delwdir(struct wdir *w);
/*
 * a file written as writefile writes it, its content given a piece at a
 * time (wstreamwrite), never whole in memory: each piece is compared with
 * the old file as it comes, and a temporary file beside it is started only
 * at the first difference (with the equal part copied from the old file).
 * wstreamclose ends it.
 */
struct wstream;
/* the stream of path, its parent directories made and its stale temporary files removed; NULL with errno set */
struct wstream *mkwstream(const char *path, mode_t mode);
/* the next n bytes of the content; an error is kept for wstreamclose */
void wstreamwrite(struct wstream *w, const void *p, size_t n);
/*
 * keep true: the content becomes path, as writefile returns (1 written,
 * its time now; 0 unchanged; -1 with errno set); false: path is left as
 * it was, and 0. w is freed either way.
 */
int wstreamclose(struct wstream *w, bool keep);
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
 * create a new file in dirfd named ".BASE.XXXXXX~" (unique, O_EXCL), open
 * for writing and write-locked (fcntl) for as long as the descriptor is
 * open: a temporary file in flight. Its name in *name (owned by the
 * caller). The fd, or -1 with errno set.
 */
int tmpcreate(int dirfd, const char *base, mode_t mode, char **name);
/*
 * a lock (F_RDLCK or F_WRLCK, fcntl's) on len bytes of fd from start (len
 * 0: to the end, whatever it becomes), without waiting: false with errno
 * set when another process holds one that conflicts
 */
bool lockrange(int fd, short type, off_t start, off_t len);
/* true if name has the form tmpcreate gives its files */
bool istmpname(const char *name);
/*
 * if name in dirfd is a temporary file that no process holds (its writer
 * was killed), remove it: true if it is gone, false if it is in flight or
 * cannot be removed (errno set)
 */
bool tmpstale(int dirfd, const char *name);
/*
 * a lock on the build directory (the working directory) for key (a context
 * directory, an output file): exclusive for a writer, shared for a reader.
 * Edges of one ninja run lock different keys and never wait for each
 * other; a second run in the same build directory does, after saying which
 * process holds the key. The locks are byte ranges of .imagegen/lock, held
 * until the process exits. false with errno set if it cannot be taken.
 */
bool bdlock(const char *key, bool exclusive);
/*
 * when st (of path) holds a modification time in the future, warn and set
 * it to now: ninja would record the future time for an edge whose output
 * did not change, and miss every later edit until the clock passes it.
 * true if it was in the future.
 */
bool mtimefuture(const char *path, const struct stat *st);
/*
 * rm -rf path: a file, a symlink (never followed) or a directory and all
 * below it, reached as diropen reaches a relative path; true if nothing is
 * left (a missing path too), false with errno set on the first failure
 */
bool rmtree(const char *path);
/* mkdir -p; false with errno set on failure */
bool mkdirp(const char *path, mode_t mode);
/* mkdir -p of the directory part of path */
bool mkdirparent(const char *path);

/*
 * the absolute path of directory dir with every symbolic link resolved
 * (what realpath(3) gives, within POSIX: the working directory is changed
 * to it and back); NULL with errno set. Owned by the caller.
 */
char *dirreal(const char *dir);
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

/* what the message about a corrupt file of the build directory ends with: the way to rebuild it */
#define STATEHINT "; it is build state: remove it and run ninja again"

/* how deep YAML may nest (image.yaml, the cluster configuration): deeper is an error, not a slow parse */
#define YAMLMAXDEPTH 500

/*
 * true if a YAML node of kind 's' (scalar), 'q' (sequence) or 'm'
 * (mapping) may carry tag (NULL: none): the non-specific '!', or a tag of
 * the core schema that a safe loader (PyYAML's safe_load) resolves for
 * that kind (str, int, float, bool, null; seq; map). Any other
 * (!!python/object/apply:..., !!binary, !custom, !!map on a list) is an
 * error at its place, never a value read as if the tag were not there.
 */
bool yamltagfits(const char *tag, char kind);

/*
 * the 1-based line and column of byte offset off of text (len bytes), the
 * column counted in UTF-8 characters as YAML counts it: where a reader
 * error, which has an offset but no line, is reported
 */
void textpos(const char *text, size_t len, size_t off, int *line, int *col);

/* qsort comparator for an array of char * */
int strptrcmp(const void *a, const void *b);

#endif
