#ifndef IMAGEGEN_TMPL_AST_H
#define IMAGEGEN_TMPL_AST_H

/*
 * the template engine's inside: tokens (tmpl_lex.c), the syntax tree
 * (tmpl_parse.c) and its evaluation (tmpl_eval.c, over the modules
 * tmpl_ev.h lists). Every token, node and
 * value lives in the arena of the template being worked on.
 */

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

enum tok {
	TEOF,
	TDATA,		/* text between tags, already stripped by - */
	TVARBEGIN,
	TVAREND,
	TBLOCKBEGIN,
	TBLOCKEND,
	TNAME,
	TSTRING,
	TINT,
	TFLOAT,
	/* operators */
	TADD, TSUB, TDIV, TFLOORDIV, TMUL, TMOD, TPOW, TTILDE,
	TLBRACKET, TRBRACKET, TLPAREN, TRPAREN, TLBRACE, TRBRACE,
	TEQ, TNE, TGT, TGTEQ, TLT, TLTEQ, TASSIGN, TDOT, TCOLON, TPIPE,
	TCOMMA, TSEMICOLON,
};

struct token {
	enum tok type;
	int line, col;
	const char *text;	/* TDATA, TNAME: the bytes (NUL-terminated for TNAME) */
	size_t len;
	struct value val;	/* TSTRING, TINT, TFLOAT, TDATA */
};

/* where diagnostics go: the template's name and its normalised source */
struct tsrc {
	const char *name;
	const char *src;
	size_t len;
};

/* print "name:line:col: error: msg", the source line and a caret */
void vtmplerr(const struct tsrc *ts, int line, int col, const char *fmt, va_list ap) PRINTF(4, 0);
/* a warning at line:col of ts, with the line and a caret, as vtmplerr prints an error */
void tmplwarn(const struct tsrc *ts, int line, int col, const char *fmt, ...) PRINTF(4, 5);

/*
 * the template source with newlines normalised as jinja2 does (CRLF and
 * CR become LF, one final newline dropped), NUL-terminated, in the arena
 */
char *tmplnormalize(struct arena *a, const char *src, size_t len, size_t *outlen);

/*
 * split the normalised source into tokens; *toks and *ntoks get an array
 * ending with TEOF, which the caller frees (the values and names the tokens
 * point to are in the arena). false after printing an error.
 */
bool tmpllex(struct arena *a, const struct tsrc *ts, struct token **toks, size_t *ntoks);

/* the printable name of a token type, for messages */
const char *tokname(enum tok t);

enum nkind {
	/* statements */
	NBODY,		/* v: the statements */
	NDATA,		/* val: text to output */
	NPRINT,		/* a: the expression */
	NIF,		/* a: condition, v: body, b: elif (NIF) or else (NBODY) */
	NFOR,		/* a: target, b: iterable, c: filter condition, v: body, d: else */
	NSET,		/* a: target, b: value */
	NSETBLOCK,	/* a: target, v: body, c: filters applied (innermost a NULL) */
	NWITH,		/* v: body, b: NBODY of NSET for its assignments */
	NFILTERBLOCK,	/* v: body, c: filters applied to its output (innermost a NULL) */
	NMACRO,		/* name, v: body, b: NBODY of parameters (NNAME, a: default or NULL), op: MACVARARGS|MACKWARGS */
	/* expressions */
	NCONST,		/* val */
	NNAME,		/* name */
	NATTR,		/* a.name */
	NITEM,		/* a[b] */
	NSLICE,		/* a[b:c:d], missing parts NULL */
	NCALL,		/* a(v) */
	NFILTER,	/* a|name(v); fn indexes the filter table */
	NTEST,		/* a is name(v); fn indexes the test table */
	NLIST,		/* [v] */
	NTUPLE,		/* (v) */
	NDICT,		/* {v[0]: v[1], ...} */
	NKW,		/* name=a, a keyword argument */
	NNOT,
	NNEG,
	NPOS,
	NAND,
	NOR,
	NBIN,		/* a op b, op a token type */
	NCMP,		/* a then v: NCMPOP nodes */
	NCMPOP,		/* op (a token type, or TNAME for in, TNOT... see tmpl_parse.c) a */
	NCONCAT,	/* v joined by ~ */
	NCOND,		/* b if a else c (c may be NULL) */
};

/* what a macro's body uses, so that extra arguments are accepted */
enum { MACVARARGS = 1, MACKWARGS = 2 };

/* comparison operators beyond the token types */
enum { CMPIN = 1000, CMPNOTIN };

struct node {
	enum nkind kind;
	int op;
	int fn;
	int line, col;
	struct node *a, *b, *c, *d;
	struct node **v;
	size_t n;
	struct value val;
	const char *name;
};

/* a parsed template */
struct tmpl {
	struct tsrc src;
	struct node *body;
};

/* parse name/src into *t; false after printing an error */
bool tmplparse(struct arena *a, const char *name, const char *src, size_t len, struct tmpl *t);

/* render t with the variables vars (a dict) into out; false after printing an error */
bool tmpleval(struct arena *a, const struct tmpl *t, struct value vars, struct buf *out);
/*
 * tmpleval that also warns, counting in *nwarn, where {{ }} prints an
 * undefined value (which renders as nothing)
 */
bool tmplevalwarn(struct arena *a, const struct tmpl *t, struct value vars, struct buf *out, int *nwarn);

#endif
