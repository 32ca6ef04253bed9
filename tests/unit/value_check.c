#include "compat.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "value.h"

static char *
repr(struct value v)
{
	static char out[256];
	struct buf b = {0};

	vreprto(&b, v);
	bufterm(&b);
	snprintf(out, sizeof(out), "%s", b.data);
	delbuf(&b);
	return out;
}

static char *
strof(struct value v)
{
	static char out[256];
	struct buf b = {0};

	vstrto(&b, v);
	bufterm(&b);
	snprintf(out, sizeof(out), "%s", b.data);
	delbuf(&b);
	return out;
}

START_TEST(test_float_repr)
{
	static const struct {
		double f;
		const char *s;
	} cases[] = {
		{15.0, "15.0"}, {1e20, "1e+20"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
		{1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
		{-2.5, "-2.5"}, {0.0, "0.0"}, {-0.0, "-0.0"}, {123456789.125, "123456789.125"},
		{1.5e-7, "1.5e-07"}, {2.0 / 3 * 1e300, "6.666666666666667e+299"}, {5e-324, "5e-324"},
		{0.1 + 0.2, "0.30000000000000004"}, {1e22, "1e+22"}, {9007199254740993.0, "9007199254740992.0"},
	};
	size_t i;

	for (i = 0; i < LEN(cases); i++)
		ck_assert_str_eq(repr(vfloat(cases[i].f)), cases[i].s);
	ck_assert_str_eq(repr(vfloat(INFINITY)), "inf");
	ck_assert_str_eq(repr(vfloat(-INFINITY)), "-inf");
	ck_assert_str_eq(repr(vfloat(NAN)), "nan");
}
END_TEST

START_TEST(test_scalars)
{
	struct arena a = {0};

	ck_assert_str_eq(strof(vbool(true)), "True");
	ck_assert_str_eq(strof(vbool(false)), "False");
	ck_assert_str_eq(strof(vnone()), "None");
	ck_assert_str_eq(strof(vint(-42)), "-42");
	ck_assert_str_eq(strof(vint(INT64_MIN)), "-9223372036854775808");
	ck_assert_str_eq(strof(vstrz(&a, "it's")), "it's");
	ck_assert_str_eq(strof(vundef(&a, "'x' is undefined")), "");
	delarena(&a);
}
END_TEST

START_TEST(test_str_repr)
{
	struct arena a = {0};

	ck_assert_str_eq(repr(vstrz(&a, "ab")), "'ab'");
	ck_assert_str_eq(repr(vstrz(&a, "it's")), "\"it's\"");
	ck_assert_str_eq(repr(vstrz(&a, "q\"")), "'q\"'");
	ck_assert_str_eq(repr(vstrz(&a, "both'\"")), "'both\\'\"'");
	ck_assert_str_eq(repr(vstrz(&a, "t\tn\nr\r\\")), "'t\\tn\\nr\\r\\\\'");
	ck_assert_str_eq(repr(vstrz(&a, "\x01\x7f")), "'\\x01\\x7f'");
	ck_assert_str_eq(repr(vstrz(&a, "caf\xc3\xa9")), "'caf\xc3\xa9'");
	ck_assert_str_eq(repr(vstrz(&a, "\xc2\xa0")), "'\\xa0'");
	delarena(&a);
}
END_TEST

START_TEST(test_containers)
{
	struct arena a = {0};
	struct value l = vlist(&a, 0, false), t = vlist(&a, 0, true), d = vdict(&a);

	vlistpush(&a, l.u.l, vint(1));
	vlistpush(&a, l.u.l, vstrz(&a, "x"));
	vlistpush(&a, l.u.l, vnone());
	ck_assert_str_eq(strof(l), "[1, 'x', None]");
	vlistpush(&a, t.u.l, vint(1));
	ck_assert_str_eq(strof(t), "(1,)");
	vlistpush(&a, t.u.l, vfloat(2));
	ck_assert_str_eq(strof(t), "(1, 2.0)");
	vdictset(&a, d.u.d, vstrz(&a, "b"), vint(1));
	vdictset(&a, d.u.d, vstrz(&a, "a"), l);
	vdictset(&a, d.u.d, vstrz(&a, "b"), vint(3));
	ck_assert_str_eq(strof(d), "{'b': 3, 'a': [1, 'x', None]}");
	ck_assert_str_eq(strof(vlist(&a, 0, true)), "()");
	delarena(&a);
}
END_TEST

START_TEST(test_dict_many)
{
	struct arena a = {0};
	struct value d = vdict(&a), *p;
	char key[32];
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		vdictset(&a, d.u.d, vstrz(&a, key), vint(i));
	}
	/* 1, 1.0 and True are one key, as in Python */
	vdictset(&a, d.u.d, vint(1), vstrz(&a, "int"));
	vdictset(&a, d.u.d, vfloat(1.0), vstrz(&a, "float"));
	vdictset(&a, d.u.d, vbool(true), vstrz(&a, "bool"));
	ck_assert_uint_eq(d.u.d->len, 5001);
	for (i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof(key), "k%d", i);
		p = vdictget(d.u.d, vstrz(&a, key));
		ck_assert_ptr_nonnull(p);
		ck_assert_int_eq(p->u.i, i);
	}
	ck_assert_ptr_null(vdictget(d.u.d, vstrz(&a, "k5000")));
	p = vdictget(d.u.d, vint(1));
	ck_assert_str_eq(p->u.s->data, "bool");
	/* insertion order kept */
	ck_assert_str_eq(d.u.d->keys[0].u.s->data, "k0");
	ck_assert_str_eq(d.u.d->keys[4999].u.s->data, "k4999");
	delarena(&a);
}
END_TEST

START_TEST(test_eq_cmp)
{
	struct arena a = {0};
	int c;

	ck_assert(veq(vint(1), vfloat(1.0)));
	ck_assert(veq(vbool(true), vint(1)));
	ck_assert(!veq(vbool(true), vstrz(&a, "true")));
	ck_assert(!veq(vint(1), vstrz(&a, "1")));
	ck_assert(veq(vnone(), vnone()));
	ck_assert(!veq(vfloat(NAN), vfloat(NAN)));
	ck_assert(!veq(vint(9007199254740993LL), vfloat(9007199254740992.0)));
	ck_assert(vcmp(vint(1), vfloat(1.5), &c) && c == -1);
	ck_assert(vcmp(vstrz(&a, "b"), vstrz(&a, "ab"), &c) && c == 1);
	ck_assert(vcmp(vstrz(&a, "a"), vstrz(&a, "ab"), &c) && c == -1);
	ck_assert(!vcmp(vint(1), vstrz(&a, "a"), &c));
	ck_assert(!vcmp(vnone(), vnone(), &c));
	ck_assert(vtruth(vstrz(&a, "x")) && !vtruth(vstrz(&a, "")) && !vtruth(vfloat(0.0)));
	ck_assert(!vtruth(vlist(&a, 0, false)) && !vtruth(vundef(&a, "u")));
	delarena(&a);
}
END_TEST

START_TEST(test_arena_big)
{
	struct arena a = {0};
	char *p = aalloc(&a, 1 << 20), *q = aalloc(&a, 16);

	memset(p, 1, 1 << 20);
	memset(q, 2, 16);
	ck_assert_int_eq(p[(1 << 20) - 1], 1);
	ck_assert_int_eq(q[0], 2);
	ck_assert_str_eq(astrndup(&a, "hello", 3), "hel");
	delarena(&a);
	ck_assert_ptr_null(a.chunks);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("value");
	TCase *tc = tcase_create("value");

	tcase_add_test(tc, test_float_repr);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_str_repr);
	tcase_add_test(tc, test_containers);
	tcase_add_test(tc, test_dict_many);
	tcase_add_test(tc, test_eq_cmp);
	tcase_add_test(tc, test_arena_big);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
