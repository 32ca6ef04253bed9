#ifndef IMAGEGEN_VALUE_H
#define IMAGEGEN_VALUE_H

/*
 * the values templates compute with, modelled on Python's: undefined, None,
 * bool, int (64-bit), float, str, list, tuple and insertion-ordered dict.
 * Every value lives in an arena and is released with it; lists and dicts
 * are shared references.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* a bump allocator: everything allocated from it is freed at once */
struct arena {
	struct achunk *chunks;
	char *next;
	size_t left;
	size_t total; /* bytes taken from malloc so far */
};

/*
 * the longest text vstrto and vreprto write: past it they stop, so that
 * printing a value reached through many aliases (a billion laughs) costs
 * bounded memory and time; the caller finds the text too long and says so
 */
#define VSTRMAX (256u << 20)

/* n bytes from the arena, aligned for any value; never NULL */
void *aalloc(struct arena *a, size_t n);
/* n zeroed bytes from the arena */
void *azalloc(struct arena *a, size_t n);
/* a copy of s[0..n) with a NUL after it, from the arena */
char *astrndup(struct arena *a, const char *s, size_t n);
/* release every chunk of the arena (the common-sized ones kept for the next arena, up to 1 MiB); it can be used again afterwards */
void delarena(struct arena *a);

enum vtype {
	VUNDEF,
	VNONE,
	VBOOL,
	VINT,
	VFLOAT,
	VSTR,
	VLIST,
	VTUPLE,
	VRANGE,	/* range(): a tuple of ints that prints as range(start, stop[, step]) */
	VDICT,
	VNS,	/* namespace(): attributes in a dict, assignable with set ns.x = ... */
	VFUNC,	/* a global function such as range; u.i says which */
	VMETHOD,	/* a method bound to its object */
	VLOOP,	/* the loop variable of a for */
	VMACRO,	/* a macro defined by the template */
};

/* an immutable string; data is NUL-terminated */
struct vstr {
	size_t len;
	char data[];
};

struct value {
	enum vtype type;
	union {
		bool b;
		int64_t i;
		double f;
		struct vstr *s;	/* VSTR, and VUNDEF: the message an access would raise */
		struct vlist *l;	/* VLIST, VTUPLE, VRANGE */
		struct vdict *d;	/* VDICT, VNS */
		struct vmethod *m;
		struct vmacro *mac;
		void *p;	/* VLOOP */
	} u;
};

struct vlist {
	struct value *v;
	size_t len, cap;
	int64_t rstart, rstop, rstep;	/* VRANGE's arguments */
	int view;	/* a VLIST made by dict.items(), keys() or values(): VIEWITEMS... */
};

/* the dict views, lists that print and behave as Python's dict_items etc. */
enum { VIEWNONE, VIEWITEMS, VIEWKEYS, VIEWVALUES };

struct vdict {
	struct value *keys, *vals;
	size_t len, cap;
	uint32_t *index;	/* open addressing, slot holds position + 1; NULL while small */
	size_t icap;
};

struct vmethod {
	struct value self;
	const char *name;
};

struct vmacro {
	const char *name;
	const void *def;	/* its syntax tree node */
	void *closure;	/* the variables it sees besides the template's own */
};

/* constructors; strings are copied into the arena */
struct value vnone(void);
struct value vbool(bool b);
struct value vint(int64_t i);
struct value vfloat(double f);
struct value vstrn(struct arena *a, const char *s, size_t n);
struct value vstrz(struct arena *a, const char *s);
/* an undefined value whose use raises msg (copied) */
struct value vundef(struct arena *a, const char *msg);
/* a new empty list (or tuple) with room for n items */
struct value vlist(struct arena *a, size_t n, bool tuple);
/* append v to the list l */
void vlistpush(struct arena *a, struct vlist *l, struct value v);
/* a new empty dict */
struct value vdict(struct arena *a);
/* d[k] = v, keeping the position of an existing key */
void vdictset(struct arena *a, struct vdict *d, struct value k, struct value v);
/* the value under key k, or NULL */
struct value *vdictget(struct vdict *d, struct value k);

/* Python's truth value */
bool vtruth(struct value v);
/* Python's == (1 == 1.0 == True, containers element-wise) */
bool veq(struct value a, struct value b);
/* true if the value can be a dict key */
bool vhashable(struct value v);
/*
 * Python's ordering: *res is <0, 0 or >0. false if the types cannot be
 * ordered (e.g. int and str), as Python raises TypeError then.
 */
bool vcmp(struct value a, struct value b, int *res);
/* Python's type name of v: "int", "str", "dict", ... */
const char *vtypename(struct value v);

/* true for an int or a bool (a bool is an int, as in Python) */
static inline bool
visint(struct value v)
{
	return v.type == VINT || v.type == VBOOL;
}

/* true for an int, a bool or a float */
static inline bool
visnum(struct value v)
{
	return v.type == VINT || v.type == VBOOL || v.type == VFLOAT;
}

/* the integer of an int or a bool */
static inline int64_t
vintof(struct value v)
{
	return v.type == VINT ? v.u.i : v.u.b;
}

/* the number of an int, a bool or a float, as a float */
static inline double
vfloatof(struct value v)
{
	return v.type == VFLOAT ? v.u.f : (double)vintof(v);
}

/* Python's len(): code points of a str, items of a list, tuple, range or dict; 0 otherwise */
size_t vlength(struct value v);
/* the number of code points in s[0..n) */
size_t u8len(const char *s, size_t n);
/* the byte offset of code point ci of s[0..n); n when ci is past the end */
size_t u8off(const char *s, size_t n, size_t ci);

/* append Python's str(v) / repr(v) to b */
void vstrto(struct buf *b, struct value v);
void vreprto(struct buf *b, struct value v);
/* append Python's repr of the float f (shortest round-trip form) */
void vfloatto(struct buf *b, double f);
/* str(v) as a string value (v itself when it is one) */
struct value vtostr(struct arena *a, struct value v);

/* append code point c as UTF-8; a value with bit 31 set is the raw byte c & 0xff */
void putcp(struct buf *b, unsigned long c);

#endif
