#include "compat.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgbin.h"
#include "cfgyaml.h"
#include "unit.h"
#include "value.h"

/* v compiled and loaded back into a */
static struct value
roundtrip(struct arena *a, struct value v)
{
	struct buf b = {0};
	struct value out;
	const char *model;

	ck_assert(cfgbinwrite(&b, v, "yaml", "test"));
	ck_assert(cfgbinis(b.data, b.len));
	ck_assert(cfgbinload(a, b.data, b.len, "test", &out, &model));
	ck_assert_str_eq(model, "yaml");
	delbuf(&b);
	return out;
}

static char *
reprdup(struct value v)
{
	struct buf b = {0};

	vreprto(&b, v);
	bufterm(&b);
	return b.data;
}

static struct value
yaml(struct arena *a, const char *text)
{
	struct value v;

	ck_assert(cfgyamlparse(a, text, strlen(text), "test.yaml", &v, NULL, NULL));
	return v;
}

/* YAML documents keep their repr (types, order, values) through a round trip */
START_TEST(test_yaml_roundtrip)
{
	static const char *docs[] = {
		"a: 1\nb: [x, 2, 3.5, null, true, false]\nc: {d: {e: [[], {}]}}\n",
		"{}\n",
		"[]\n",
		"~\n",
		"plain\n",
		"k: \"h\\u00e9llo w\\u00f6rld \\u2603 \\U0001F600\"\n",
		"{1: a, 2.5: b, ~: c, true: d, -7: e}\n",
		"n: [0x1F, 0o17, 017, 1_000, 1:20, .5, 1e3, -.inf, .nan]\n",
		"deep: [[[[[[[[1]]]]]]]]\n",
		"base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n",
	};
	struct arena a = {0};
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct value v = yaml(&a, docs[i]), w = roundtrip(&a, v);
		char *r1 = reprdup(v), *r2 = reprdup(w);

		ck_assert_str_eq(r1, r2);
		ck_assert_int_eq(v.type, w.type);
		free(r1);
		free(r2);
	}
	delarena(&a);
}
END_TEST

/* every float keeps its exact bits: 0.1, -0.0, extremes, inf, nan */
START_TEST(test_floats)
{
	double f[] = {0.1, 1e+20, -0.0, 0.0, DBL_MAX, DBL_MIN, 4.9e-324, -1.5, NAN, INFINITY, -INFINITY, 1.0 / 3};
	struct arena a = {0};
	struct value l = vlist(&a, 0, false), w;
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		vlistpush(&a, l.u.l, vfloat(f[i]));
	w = roundtrip(&a, l);
	ck_assert_int_eq(w.type, VLIST);
	ck_assert_uint_eq(w.u.l->len, sizeof(f) / sizeof(f[0]));
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		ck_assert_int_eq(w.u.l->v[i].type, VFLOAT);
		ck_assert(memcmp(&w.u.l->v[i].u.f, &f[i], sizeof(double)) == 0);
	}
	ck_assert(signbit(w.u.l->v[2].u.f));
	ck_assert(isnan(w.u.l->v[8].u.f));
	delarena(&a);
}
END_TEST

START_TEST(test_ints_strings)
{
	int64_t n[] = {0, 1, -1, INT64_MAX, INT64_MIN, 4294967296LL, -4294967297LL};
	static const char bin[] = "nul\0inside \xe2\x98\x83";
	struct arena a = {0};
	struct value l = vlist(&a, 0, true), w;
	size_t i, nn = sizeof(n) / sizeof(n[0]);

	for (i = 0; i < nn; i++)
		vlistpush(&a, l.u.l, vint(n[i]));
	vlistpush(&a, l.u.l, vstrn(&a, bin, sizeof(bin) - 1));
	vlistpush(&a, l.u.l, vstrz(&a, ""));
	vlistpush(&a, l.u.l, vbool(true));
	vlistpush(&a, l.u.l, vbool(false));
	vlistpush(&a, l.u.l, vnone());
	w = roundtrip(&a, l);
	ck_assert_int_eq(w.type, VTUPLE);
	ck_assert_uint_eq(w.u.l->len, nn + 5);
	for (i = 0; i < nn; i++) {
		ck_assert_int_eq(w.u.l->v[i].type, VINT);
		ck_assert(w.u.l->v[i].u.i == n[i]);
	}
	ck_assert_int_eq(w.u.l->v[nn].type, VSTR);
	ck_assert_uint_eq(w.u.l->v[nn].u.s->len, sizeof(bin) - 1);
	ck_assert(memcmp(w.u.l->v[nn].u.s->data, bin, sizeof(bin)) == 0);
	ck_assert_uint_eq(w.u.l->v[nn + 1].u.s->len, 0);
	ck_assert_str_eq(w.u.l->v[nn + 1].u.s->data, "");
	ck_assert(w.u.l->v[nn + 2].type == VBOOL && w.u.l->v[nn + 2].u.b);
	ck_assert(w.u.l->v[nn + 3].type == VBOOL && !w.u.l->v[nn + 3].u.b);
	ck_assert_int_eq(w.u.l->v[nn + 4].type, VNONE);
	delarena(&a);
}
END_TEST

/* non-string keys keep their types and order, and lookups still work */
START_TEST(test_keys)
{
	struct arena a = {0};
	struct value v = yaml(&a, "{2: two, 1.5: f, ~: n, false: no, s: str, -1: m}\n"), w = roundtrip(&a, v), *p;
	enum vtype types[] = {VINT, VFLOAT, VNONE, VBOOL, VSTR, VINT};
	size_t i;

	ck_assert_int_eq(w.type, VDICT);
	ck_assert_uint_eq(w.u.d->len, 6);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(w.u.d->keys[i].type, types[i]);
	p = vdictget(w.u.d, vint(2));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->u.s->data, "two");
	p = vdictget(w.u.d, vfloat(1.5));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->u.s->data, "f");
	p = vdictget(w.u.d, vnone());
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->u.s->data, "n");
	p = vdictget(w.u.d, vstrz(&a, "s"));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->u.s->data, "str");
	ck_assert_ptr_null(vdictget(w.u.d, vint(3)));
	delarena(&a);
}
END_TEST

/* a big dict (past the small, unindexed size) is looked up through its index */
START_TEST(test_big_dict)
{
	struct arena a = {0};
	struct value d = vdict(&a), w, *p;
	char k[32];
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		vdictset(&a, d.u.d, vstrz(&a, k), vint(i * 3));
	}
	w = roundtrip(&a, d);
	ck_assert_uint_eq(w.u.d->len, 500);
	for (i = 0; i < 500; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		ck_assert_str_eq(w.u.d->keys[i].u.s->data, k);
		p = vdictget(w.u.d, vstrz(&a, k));
		ck_assert_ptr_nonnull(p);
		ck_assert(p->u.i == i * 3);
	}
	delarena(&a);
}
END_TEST

/* aliases stay one shared list or dict: appending through one shows in the other */
START_TEST(test_alias_identity)
{
	struct arena a = {0};
	struct value v = yaml(&a, "a: &x [1, 2]\nb: *x\nc: &y {k: v}\nd: [*y, *y, *x]\ne: [1, 2]\n"), w;
	struct value *pa, *pb, *pc, *pd, *pe;

	w = roundtrip(&a, v);
	pa = vdictget(w.u.d, vstrz(&a, "a"));
	pb = vdictget(w.u.d, vstrz(&a, "b"));
	pc = vdictget(w.u.d, vstrz(&a, "c"));
	pd = vdictget(w.u.d, vstrz(&a, "d"));
	pe = vdictget(w.u.d, vstrz(&a, "e"));
	ck_assert(pa && pb && pc && pd && pe);
	ck_assert_ptr_eq(pa->u.l, pb->u.l);
	ck_assert_ptr_eq(pd->u.l->v[0].u.d, pc->u.d);
	ck_assert_ptr_eq(pd->u.l->v[1].u.d, pc->u.d);
	ck_assert_ptr_eq(pd->u.l->v[2].u.l, pa->u.l);
	/* equal but not aliased: stays separate */
	ck_assert_ptr_ne(pe->u.l, pa->u.l);
	vlistpush(&a, pa->u.l, vint(3));
	ck_assert_uint_eq(pb->u.l->len, 3);
	ck_assert_uint_eq(pe->u.l->len, 2);
	vdictset(&a, pd->u.l->v[0].u.d, vstrz(&a, "new"), vint(1));
	ck_assert_uint_eq(pc->u.d->len, 2);
	delarena(&a);
}
END_TEST

/* a list holding itself is written once and loads as a cycle */
START_TEST(test_cycle)
{
	struct arena a = {0};
	struct value l = vlist(&a, 0, false), w;

	vlistpush(&a, l.u.l, vint(7));
	vlistpush(&a, l.u.l, l);
	w = roundtrip(&a, l);
	ck_assert_uint_eq(w.u.l->len, 2);
	ck_assert_ptr_eq(w.u.l->v[1].u.l, w.u.l);
	delarena(&a);
}
END_TEST

/* values a configuration cannot hold are refused, not written */
START_TEST(test_write_refuses)
{
	struct arena a = {0};
	struct value l = vlist(&a, 0, false);
	struct buf b = {0};

	ck_assert(freopen("/dev/null", "w", stderr) != NULL);
	vlistpush(&a, l.u.l, vundef(&a, "x is undefined"));
	ck_assert(!cfgbinwrite(&b, l, "yaml", "test"));
	ck_assert_uint_eq(b.len, 0);
	delbuf(&b);
	delarena(&a);
}
END_TEST

static void
bytes(struct arena *a, struct buf *b)
{
	struct value v = yaml(a, "a: &x [1, -2.5, str, null, true]\nb: *x\n3: {k: [], e: {}}\n");

	ck_assert(cfgbinwrite(b, v, "yaml", "test"));
}

/* specific corruptions are named, not crashed on */
START_TEST(test_reject)
{
	struct arena a = {0};
	struct buf b = {0};
	struct value out;
	const char *model;
	char *c;
	size_t hdr = sizeof(CFGBINMAGIC);

	ck_assert(freopen("/dev/null", "w", stderr) != NULL);
	bytes(&a, &b);
	c = xmalloc(b.len);
	ck_assert(cfgbinload(&a, b.data, b.len, "t", &out, &model));
	/* magic */
	memcpy(c, b.data, b.len);
	c[0] = 'I';
	ck_assert(!cfgbinis(c, b.len));
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	/* version: 1 had no model */
	memcpy(c, b.data, b.len);
	c[hdr] = 1;
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	/* the model's name: "yaml" */
	ck_assert_str_eq(model, "yaml");
	memcpy(c, b.data, b.len);
	c[hdr + 7] = 0x7f;
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	memcpy(c, b.data, b.len);
	c[hdr + 9] = 0;
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	hdr += 8 + 4;
	/* container count past the file */
	memcpy(c, b.data, b.len);
	c[hdr + 3] = 0x7f;
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	/* first container's kind */
	memcpy(c, b.data, b.len);
	c[hdr + 4] = 9;
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	/* first container's length huge */
	memcpy(c, b.data, b.len);
	c[hdr + 8] = (char)0xff;
	ck_assert(!cfgbinload(&a, c, b.len, "t", &out, &model));
	/* a trailing byte */
	ck_assert(!cfgbinload(&a, b.data, b.len - 1, "t", &out, &model));
	bufaddc(&b, 0);
	ck_assert(!cfgbinload(&a, b.data, b.len, "t", &out, &model));
	free(c);
	delbuf(&b);
	delarena(&a);
}
END_TEST

/* every truncation fails; every byte changed fails or loads, never crashes */
START_TEST(test_every_offset)
{
	static const unsigned char flips[] = {0x01, 0x80, 0xff, 0x7f, 0x10};
	struct arena a = {0}, scratch = {0};
	struct buf b = {0};
	struct value out;
	const char *model;
	size_t i, k, loaded = 0;
	char *c;

	ck_assert(freopen("/dev/null", "w", stderr) != NULL);
	bytes(&a, &b);
	for (i = 0; i < b.len; i++) {
		c = xmalloc(i ? i : 1);
		memcpy(c, b.data, i);
		ck_assert_msg(!cfgbinload(&scratch, c, i, "t", &out, &model), "truncated to %zu of %zu bytes loaded", i, b.len);
		free(c);
		delarena(&scratch);
	}
	c = xmalloc(b.len);
	for (i = 0; i < b.len; i++) {
		for (k = 0; k < sizeof(flips); k++) {
			memcpy(c, b.data, b.len);
			c[i] = (char)(c[i] ^ flips[k]);
			if (cfgbinload(&scratch, c, b.len, "t", &out, &model)) {
				loaded++;
				/* what loads must be usable */
				free(reprdup(out));
			}
			delarena(&scratch);
		}
	}
	/* changed payload bytes (an int, a string's letters) still load */
	ck_assert_uint_gt(loaded, 0);
	ck_assert_uint_lt(loaded, b.len * sizeof(flips));
	free(c);
	delbuf(&b);
	delarena(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cfgbin");
	TCase *tc = tcase_create("cfgbin");

	tcase_add_test(tc, test_yaml_roundtrip);
	tcase_add_test(tc, test_floats);
	tcase_add_test(tc, test_ints_strings);
	tcase_add_test(tc, test_keys);
	tcase_add_test(tc, test_big_dict);
	tcase_add_test(tc, test_alias_identity);
	tcase_add_test(tc, test_cycle);
	tcase_add_test(tc, test_write_refuses);
	tcase_add_test(tc, test_reject);
	tcase_add_test(tc, test_every_offset);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
