#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "escape.h"
#include "image.h"
#include "util.h"

struct image *
mkimage(const char *name, const char *dir, const char *root)
{
	struct image *img = xcalloc(1, sizeof(*img));

	img->name = xstrdup(name);
	img->dir = xstrdup(dir);
	img->root = xstrdup(root);
	img->yaml = pathjoin(dir, "image.yaml");
	return img;
}

static void
delystr(struct ystr *s)
{
	free(s->s);
	s->s = NULL;
}

static void
delystrs(struct ystr *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		delystr(&s[i]);
	free(s);
}

static void
delykvs(struct ykv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		delystr(&kv[i].key);
		delystr(&kv[i].val);
	}
	free(kv);
}

void
delimage(struct image *img)
{
	size_t i;

	if (!img)
		return;
	free(img->name);
	free(img->dir);
	free(img->root);
	free(img->yaml);
	delystrs(img->prereq, img->nprereq);
	delystrs(img->tmpl, img->ntmpl);
	for (i = 0; i < img->ncopy; i++) {
		delystr(&img->copy[i].src);
		delystr(&img->copy[i].dst);
	}
	free(img->copy);
	delystr(&img->dockerfile);
	delykvs(img->buildarg, img->nbuildarg);
	delykvs(img->label, img->nlabel);
	delystrs(img->tag, img->ntag);
	delystr(&img->target);
	for (i = 0; i < img->nprebuild; i++) {
		delystr(&img->prebuild[i].command);
		delystrs(img->prebuild[i].input, img->prebuild[i].ninput);
		delystrs(img->prebuild[i].output, img->prebuild[i].noutput);
	}
	free(img->prebuild);
	free(img);
}

static bool
isalnumlower(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
imagenameok(const char *name)
{
	const char *s = name;

	if (!isalnumlower((unsigned char)*s))
		return false;
	while (*s) {
		while (isalnumlower((unsigned char)*s))
			s++;
		if (!*s)
			break;
		/* a separator: '.', '_', '__' or one or more '-', then an alphanumeric */
		if (*s == '.')
			s++;
		else if (s[0] == '_' && s[1] == '_')
			s += 2;
		else if (*s == '_')
			s++;
		else if (*s == '-')
			while (*s == '-')
				s++;
		else
			return false;
		if (!isalnumlower((unsigned char)*s))
			return false;
	}
	return strlen(name) <= 255;
}

bool
imagetagok(const char *tag)
{
	size_t n = strlen(tag), i;

	if (n == 0 || n > 128 || tag[0] == '.' || tag[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = tag[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* the state of loading one image.yaml */
struct load {
	struct image *img;
	const char *file;
	yaml_document_t *doc;
	struct diag *d;
	int nerr;
};

static void PRINTF(3, 4)
loaderr(struct load *l, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorat(l->d, l->file, n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0, fmt, ap);
	va_end(ap);
	l->nerr++;
}

static const char *
nodekind(yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a string";
	}
}

static bool
isnull(yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

static struct ystr
ystrof(yaml_node_t *n)
{
	struct ystr s;

	s.s = xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
	s.line = (int)n->start_mark.line + 1;
	s.col = (int)n->start_mark.column + 1;
	return s;
}

/*
 * a string value: a non-null scalar that build.ninja can hold (escvalbad:
 * no NUL, newline, carriage return or other control character); else an
 * error naming what
 */
static bool
getstr(struct load *l, yaml_node_t *n, const char *what, struct ystr *out)
{
	const char *bad;

	if (n->type != YAML_SCALAR_NODE || isnull(n)) {
		loaderr(l, n, "%s must be a string, not %s", what, isnull(n) ? "null" : nodekind(n));
		return false;
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		loaderr(l, n, "%s holds a NUL byte (U+0000), which build.ninja cannot hold; remove it", what);
		return false;
	}
	if ((bad = escvalbad((const char *)n->data.scalar.value))) {
		loaderr(l, n, "%s %s", what, bad);
		return false;
	}
	*out = ystrof(n);
	return true;
}

/* a relative path that stays inside its directory and that build.ninja can hold */
static bool
checkrelpath(struct load *l, yaml_node_t *n, const char *what, const char *path)
{
	const char *bad = escpathbad(path);
	char *c;
	bool ok;

	if (bad) {
		loaderr(l, n, "%s '%s': %s", what, path, bad);
		return false;
	}
	c = pathcanon(path);
	ok = path[0] != '/' && pathinside(c) && strcmp(c, ".") != 0;
	free(c);
	if (!ok)
		loaderr(l, n, "%s '%s' must be a relative path inside the image directory", what, path);
	return ok;
}

/* a string or a list of strings, appended to *v */
static void
getstrs(struct load *l, yaml_node_t *n, const char *what, struct ystr **v, size_t *nv)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	struct ystr s;

	if (n->type == YAML_SCALAR_NODE) {
		if (getstr(l, n, what, &s)) {
			*v = xreallocarray(*v, *nv + 1, sizeof(**v));
			(*v)[(*nv)++] = s;
		}
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		loaderr(l, n, "%s must be a string or a list of strings, not %s", what, nodekind(n));
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		e = yaml_document_get_node(l->doc, *it);
		if (getstr(l, e, what, &s)) {
			*v = xreallocarray(*v, *nv + 1, sizeof(**v));
			(*v)[(*nv)++] = s;
		}
	}
}

static void
loadprereq(struct load *l, yaml_node_t *n)
{
	size_t i, start = l->img->nprereq;

	getstrs(l, n, "a prerequisite", &l->img->prereq, &l->img->nprereq);
	for (i = start; i < l->img->nprereq; i++) {
		struct ystr *p = &l->img->prereq[i];

		if (!imagenameok(p->s)) {
			errorat(l->d, l->file, p->line, p->col,
			    "prerequisite '%s' is not a valid image name; image names are lowercase letters and digits joined by '.', '_', '__' or '-'",
			    p->s);
			l->nerr++;
		}
	}
}

static void
loadtemplates(struct load *l, yaml_node_t *n)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	struct ystr s;
	struct image *img = l->img;

	if (n->type != YAML_SEQUENCE_NODE) {
		loaderr(l, n, "template-list must be a list of file names, not %s", nodekind(n));
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		e = yaml_document_get_node(l->doc, *it);
		if (!getstr(l, e, "a template-list item", &s))
			continue;
		if (!checkrelpath(l, e, "template", s.s)) {
			delystr(&s);
			continue;
		}
		img->tmpl = xreallocarray(img->tmpl, img->ntmpl + 1, sizeof(img->tmpl[0]));
		img->tmpl[img->ntmpl++] = s;
	}
}

static void
loadcopyitem(struct load *l, yaml_node_t *n)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	struct ycopy c = {{0}, {0}, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
	const char *key;
	struct ystr *slot;
	bool ok = true;

	if (n->type != YAML_MAPPING_NODE) {
		loaderr(l, n, "a copy-list item must be a mapping with keys src and dst, not %s", nodekind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(l->doc, p->key);
		v = yaml_document_get_node(l->doc, p->value);
		if (k->type != YAML_SCALAR_NODE) {
			loaderr(l, k, "a copy-list key must be src or dst, not %s", nodekind(k));
			ok = false;
			continue;
		}
		key = (const char *)k->data.scalar.value;
		if (strcmp(key, "src") == 0)
			slot = &c.src;
		else if (strcmp(key, "dst") == 0)
			slot = &c.dst;
		else {
			loaderr(l, k, "unknown copy-list key '%s'; expected src or dst", key);
			ok = false;
			continue;
		}
		if (slot->s) {
			loaderr(l, k, "duplicate copy-list key '%s'", key);
			ok = false;
			continue;
		}
		if (!getstr(l, v, key, slot))
			ok = false;
		else if (escpathbad(slot->s)) {
			loaderr(l, v, "copy-list %s '%s': %s", key, slot->s, escpathbad(slot->s));
			ok = false;
		} else if (slot->s[0] == '/' && slot == &c.dst) {
			/* an absolute src names a file of the system (/bin/busybox); dst is always in the tree */
			loaderr(l, v, "copy-list %s '%s' must be relative to the project root (the parent of the images root)",
			    key, slot->s);
			ok = false;
		}
	}
	if (ok && (!c.src.s || !c.dst.s)) {
		loaderr(l, n, "a copy-list item needs both src and dst; %s is missing", c.src.s ? "dst" : "src");
		ok = false;
	}
	if (!ok) {
		delystr(&c.src);
		delystr(&c.dst);
		return;
	}
	l->img->copy = xreallocarray(l->img->copy, l->img->ncopy + 1, sizeof(l->img->copy[0]));
	l->img->copy[l->img->ncopy++] = c;
}

static void
loadcopies(struct load *l, yaml_node_t *n)
{
	yaml_node_item_t *it;

	if (n->type != YAML_SEQUENCE_NODE) {
		loaderr(l, n, "copy-list must be a list of {src, dst} mappings, not %s", nodekind(n));
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		loadcopyitem(l, yaml_document_get_node(l->doc, *it));
}

static bool
argnameok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++) {
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	}
	return true;
}

/* build-args or labels: a mapping of strings to strings */
static void
loadmap(struct load *l, yaml_node_t *n, const char *what, struct ykv **v, size_t *nv)
{
	yaml_node_pair_t *p;
	yaml_node_t *k, *val;
	struct ykv kv;
	size_t i;
	bool isarg = strcmp(what, "build-args") == 0;

	if (n->type != YAML_MAPPING_NODE) {
		loaderr(l, n, "%s must be a mapping of names to values, not %s", what, nodekind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(l->doc, p->key);
		val = yaml_document_get_node(l->doc, p->value);
		if (!getstr(l, k, isarg ? "a build-args name" : "a label name", &kv.key))
			continue;
		if (isarg && !argnameok(kv.key.s)) {
			loaderr(l, k, "build-args name '%s' is not a valid ARG name; use letters, digits and '_', not starting with a digit",
			    kv.key.s);
			delystr(&kv.key);
			continue;
		}
		if (!isarg && strchr(kv.key.s, '=')) {
			loaderr(l, k, "label name '%s' must not hold '='", kv.key.s);
			delystr(&kv.key);
			continue;
		}
		for (i = 0; i < *nv; i++) {
			if (strcmp((*v)[i].key.s, kv.key.s) == 0)
				break;
		}
		if (i < *nv) {
			loaderr(l, k, "duplicate %s name '%s'", what, kv.key.s);
			delystr(&kv.key);
			continue;
		}
		if (isnull(val)) {
			loaderr(l, val, "%s '%s' has no value; write '' for an empty one", what, kv.key.s);
			delystr(&kv.key);
			continue;
		}
		{
			char *w = xasprintf("the value of %s '%s'", what, kv.key.s);
			bool got = getstr(l, val, w, &kv.val);

			free(w);
			if (!got) {
				delystr(&kv.key);
				continue;
			}
		}
		*v = xreallocarray(*v, *nv + 1, sizeof(**v));
		(*v)[(*nv)++] = kv;
	}
}

static void
loadtags(struct load *l, yaml_node_t *n)
{
	size_t i, start = l->img->ntag;

	getstrs(l, n, "a tag", &l->img->tag, &l->img->ntag);
	for (i = start; i < l->img->ntag; i++) {
		struct ystr *t = &l->img->tag[i];

		if (!imagetagok(t->s)) {
			errorat(l->d, l->file, t->line, t->col,
			    "tag '%s' is not valid; a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
			    t->s);
			l->nerr++;
		}
	}
}

/* a path of a prebuild step, from the project root: relative, and an output inside the project root */
static bool
prebuildpath(struct load *l, const char *what, const struct ystr *p, bool inside)
{
	const char *bad = escpathbad(p->s);
	char *c;
	bool ok;

	if (bad) {
		errorat(l->d, l->file, p->line, p->col, "prebuild %s '%s': %s", what, p->s, bad);
		l->nerr++;
		return false;
	}
	c = pathcanon(p->s);
	ok = p->s[0] != '/' && (!inside || (pathinside(c) && strcmp(c, ".") != 0));
	free(c);
	if (!ok) {
		errorat(l->d, l->file, p->line, p->col,
		    "prebuild %s '%s' must be a relative path from the project root (the parent of the images root)%s",
		    what, p->s, inside ? " that stays inside it" : "");
		l->nerr++;
	}
	return ok;
}

/* one prebuild step: a mapping of command, inputs and outputs */
static void
loadprebuildstep(struct load *l, yaml_node_t *n)
{
	struct yprebuild b = {{0}, NULL, 0, NULL, 0, (int)n->start_mark.line + 1, (int)n->start_mark.column + 1};
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	const char *key;
	size_t i, start;
	bool ok = true, seen[3] = {false, false, false};

	if (n->type != YAML_MAPPING_NODE) {
		loaderr(l, n, "a prebuild step must be a mapping with keys command, inputs and outputs, not %s", nodekind(n));
		return;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(l->doc, p->key);
		v = yaml_document_get_node(l->doc, p->value);
		key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		i = strcmp(key, "command") == 0 ? 0 : strcmp(key, "inputs") == 0 ? 1 : strcmp(key, "outputs") == 0 ? 2 : 3;
		if (i == 3) {
			loaderr(l, k, "unknown prebuild key '%s'; a step has command, inputs and outputs", key);
			ok = false;
			continue;
		}
		if (seen[i]) {
			loaderr(l, k, "duplicate prebuild key '%s'", key);
			ok = false;
			continue;
		}
		seen[i] = true;
		if (i == 0) {
			ok = getstr(l, v, "the prebuild command", &b.command) && ok;
		} else if (!isnull(v)) {
			struct ystr **list = i == 1 ? &b.input : &b.output;
			size_t *nlist = i == 1 ? &b.ninput : &b.noutput;

			start = *nlist;
			getstrs(l, v, i == 1 ? "a prebuild input" : "a prebuild output", list, nlist);
			for (; start < *nlist; start++) {
				if (!prebuildpath(l, i == 1 ? "input" : "output", &(*list)[start], i == 2))
					ok = false;
			}
		}
	}
	if (ok && !b.command.s) {
		loaderr(l, n, "a prebuild step needs a command (run by sh from the project root)");
		ok = false;
	}
	if (ok && b.noutput == 0) {
		loaderr(l, n, "a prebuild step needs outputs: the files or directories it writes under $OUT, "
		    "named from the project root as copy-list src names them");
		ok = false;
	}
	if (!ok) {
		delystr(&b.command);
		delystrs(b.input, b.ninput);
		delystrs(b.output, b.noutput);
		return;
	}
	l->img->prebuild = xreallocarray(l->img->prebuild, l->img->nprebuild + 1, sizeof(l->img->prebuild[0]));
	l->img->prebuild[l->img->nprebuild++] = b;
}

/* prebuild: one step or a list of them */
static void
loadprebuild(struct load *l, yaml_node_t *n)
{
	yaml_node_item_t *it;

	if (n->type == YAML_MAPPING_NODE) {
		loadprebuildstep(l, n);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		loaderr(l, n, "prebuild must be a step (a mapping of command, inputs and outputs) or a list of steps, not %s",
		    nodekind(n));
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		loadprebuildstep(l, yaml_document_get_node(l->doc, *it));
}

static const char *const keys[] = {
	"prerequisite", "template-list", "copy-list", "dockerfile", "build-args", "labels", "tags", "target", "prebuild",
};

static void
loadkey(struct load *l, const char *key, yaml_node_t *v)
{
	struct image *img = l->img;

	if (isnull(v))
		return; /* a key with nothing under it, as PAI's commented-out lists leave */
	if (strcmp(key, "prerequisite") == 0) {
		img->hasprereq = true;
		loadprereq(l, v);
	}
	else if (strcmp(key, "template-list") == 0)
		loadtemplates(l, v);
	else if (strcmp(key, "copy-list") == 0)
		loadcopies(l, v);
	else if (strcmp(key, "dockerfile") == 0) {
		if (getstr(l, v, "dockerfile", &img->dockerfile) &&
		    !checkrelpath(l, v, "dockerfile", img->dockerfile.s))
			delystr(&img->dockerfile);
	} else if (strcmp(key, "build-args") == 0)
		loadmap(l, v, "build-args", &img->buildarg, &img->nbuildarg);
	else if (strcmp(key, "labels") == 0)
		loadmap(l, v, "labels", &img->label, &img->nlabel);
	else if (strcmp(key, "tags") == 0)
		loadtags(l, v);
	else if (strcmp(key, "target") == 0)
		getstr(l, v, "target", &img->target);
	else if (strcmp(key, "prebuild") == 0)
		loadprebuild(l, v);
}

static void
loadroot(struct load *l, yaml_node_t *root)
{
	yaml_node_pair_t *p, *q;
	yaml_node_t *k, *k2;
	const char *key;
	size_t i;

	if (isnull(root))
		return;
	if (root->type != YAML_MAPPING_NODE) {
		loaderr(l, root, "image.yaml must be a mapping of keys (prerequisite, template-list, copy-list, ...), not %s",
		    nodekind(root));
		return;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(l->doc, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			loaderr(l, k, "a key of image.yaml must be a string, not %s", nodekind(k));
			continue;
		}
		key = (const char *)k->data.scalar.value;
		for (i = 0; i < LEN(keys); i++) {
			if (strcmp(key, keys[i]) == 0)
				break;
		}
		if (i == LEN(keys)) {
			loaderr(l, k, "unknown key '%s'; image.yaml knows prerequisite, template-list, copy-list, dockerfile, build-args, labels, tags, target, prebuild",
			    key);
			continue;
		}
		for (q = root->data.mapping.pairs.start; q < p; q++) {
			k2 = yaml_document_get_node(l->doc, q->key);
			if (k2->type == YAML_SCALAR_NODE && strcmp((const char *)k2->data.scalar.value, key) == 0)
				break;
		}
		if (q < p) {
			loaderr(l, k, "duplicate key '%s' (first at line %d)", key, (int)k2->start_mark.line + 1);
			continue;
		}
		loadkey(l, key, yaml_document_get_node(l->doc, p->value));
	}
}

/* the parser's error, at its line:col (a reader error has only a byte offset) */
static void
parseerr(struct load *l, yaml_parser_t *p, const char *text, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	int line, col;

	if (p->error == YAML_MEMORY_ERROR)
		fatal("%s: out of memory reading YAML", l->file);
	if (p->error == YAML_READER_ERROR) {
		textpos(text, len, p->problem_offset, &line, &col);
		if (p->problem_value >= 0 && p->problem_value < 0x20)
			errorat(l->d, l->file, line, col, "malformed YAML: %s (U+%04X); image.yaml must be text",
			    p->problem ? p->problem : "cannot read", (unsigned)p->problem_value);
		else if (p->problem_value >= 0)
			errorat(l->d, l->file, line, col, "malformed YAML: %s (byte 0x%02x); image.yaml must be UTF-8 text",
			    p->problem ? p->problem : "cannot read", (unsigned)p->problem_value & 0xff);
		else
			errorat(l->d, l->file, line, col, "malformed YAML: %s; image.yaml must be UTF-8 text",
			    p->problem ? p->problem : "cannot read");
	} else if (p->context)
		errorat(l->d, l->file, (int)m.line + 1, (int)m.column + 1, "malformed YAML: %s %s (line %d)",
		    p->problem, p->context, (int)p->context_mark.line + 1);
	else
		errorat(l->d, l->file, (int)m.line + 1, (int)m.column + 1, "malformed YAML: %s",
		    p->problem ? p->problem : "cannot read");
	l->nerr++;
}

/* an error at ev, and the read stopped, when tag does not fit a node of kind (yamltagfits) */
static void
tagerr(struct load *l, yaml_event_t *ev, const char *tag, char kind, bool *ok, bool *done)
{
	if (yamltagfits(tag, kind))
		return;
	errorat(l->d, l->file, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
	    "the tag %s is not one a safe YAML loader accepts; image.yaml holds strings, lists and mappings", tag);
	l->nerr++;
	*ok = false;
	*done = true;
}

/*
 * false when the text can hold neither a tag (each starts with '!') nor
 * more than YAMLMAXDEPTH levels: every sequence or mapping starts at a
 * character of its own ('-', '[', ':', '?' or '{'), so that a text with
 * fewer of them nests no deeper. The image.yaml of every image is read:
 * most need no pass of their events.
 */
static bool
maybedeep(const char *text, size_t len)
{
	size_t i, starts = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '!')
			return true;
		starts += text[i] == '-' || text[i] == '[' || text[i] == ':' || text[i] == '?' || text[i] == '{';
	}
	return starts > YAMLMAXDEPTH;
}

/*
 * false after an error when a node has a tag a safe loader refuses
 * (yamltagfits), or when the text nests deeper than YAMLMAXDEPTH: the
 * events are read and dropped, and the read stops at the first level too
 * deep, so that no nesting makes loading slow (libyaml's composer is
 * quadratic in the depth). Malformed YAML passes: the load reports it.
 */
static bool
depthok(struct load *l, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0;
	bool ok = true, done = false;

	if (!maybedeep(text, len))
		return true;
	if (!yaml_parser_initialize(&parser))
		fatal("yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && yaml_parser_parse(&parser, &ev)) {
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			tagerr(l, &ev, (const char *)ev.data.scalar.tag, 's', &ok, &done);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ev.type == YAML_SEQUENCE_START_EVENT)
				tagerr(l, &ev, (const char *)ev.data.sequence_start.tag, 'q', &ok, &done);
			else
				tagerr(l, &ev, (const char *)ev.data.mapping_start.tag, 'm', &ok, &done);
			if (!done && ++depth > YAMLMAXDEPTH) {
				errorat(l->d, l->file, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
				    "YAML nested more than %d levels deep; image.yaml needs three", YAMLMAXDEPTH);
				l->nerr++;
				ok = false;
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return ok;
}

bool
imageparse(struct image *img, const char *file, const char *text, size_t len, struct diag *d)
{
	struct load l = {img, file, NULL, d, 0};
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	yaml_node_t *root;

	if (!depthok(&l, text, len))
		return false;
	if (!yaml_parser_initialize(&parser))
		fatal("yaml_parser_initialize: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		parseerr(&l, &parser, text, len);
		yaml_parser_delete(&parser);
		return false;
	}
	l.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root) {
		loadroot(&l, root);
		if (!yaml_parser_load(&parser, &doc2))
			parseerr(&l, &parser, text, len);
		else {
			root = yaml_document_get_root_node(&doc2);
			if (root)
				loaderr(&l, root, "image.yaml holds a second YAML document; it must hold one mapping");
			yaml_document_delete(&doc2);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return l.nerr == 0;
}

bool
imageload(struct image *img, struct diag *d)
{
	struct stat st;
	struct buf b = {0};
	bool ok;

	if (!readfilestat(img->yaml, &b, &st)) {
		errorat(d, img->yaml, 0, 0, "cannot read: %s", errstr(errno));
		delbuf(&b);
		return false;
	}
	img->yamltime = st.st_mtim;
	bufterm(&b);
	ok = imageparse(img, img->yaml, b.data, b.len, d);
	delbuf(&b);
	return ok;
}
