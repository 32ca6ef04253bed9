#ifndef IMAGEGEN_TMPL_OPS_H
#define IMAGEGEN_TMPL_OPS_H

/* Python's operators, iteration and argument binding on values (tmpl_ops.c) */

#include "tmpl_ev.h"

/* a op b for the arithmetic token types (TADD...TPOW; TMOD of a str formats it) */
bool binop(struct ev *ev, const struct node *n, int op, struct value a, struct value b, struct value *out);
/* a op b for comparisons (TEQ...TLTEQ, CMPIN, CMPNOTIN) */
bool compare(struct ev *ev, const struct node *n, int op, struct value a, struct value b, bool *res);
/* the items a for loop over v visits (undefined: none) */
bool iterv(struct ev *ev, const struct node *n, struct value v, struct vlist **out);
/*
 * bind arguments to the NULL-terminated parameter names params; slots not
 * given are VUNDEF with u.s NULL. what names the callee in messages.
 */
bool bindargs(struct ev *ev, const struct node *n, const char *what, const char *const *params,
    struct value *args, size_t nargs, struct kwarg *kw, size_t nkw, struct value *slots);
/* true if a bound slot was not given */
#define NOTGIVEN(v) ((v).type == VUNDEF && (v).u.s == NULL)

#endif
