#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfgyaml.h"
#include "unit.h"

/* str() of the value text types to under PyYAML's SafeLoader */
static const char *
typed(struct arena *a, const char *text)
{
	static char out[512];
	struct value v;
	struct buf b = {0};

	if (!cfgyamlparse(a, text, strlen(text), "test.yaml", &v, NULL, NULL))
		return "ERROR";
	vreprto(&b, v);
	bufterm(&b);
	snprintf(out, sizeof(out), "%s", b.data);
	delbuf(&b);
	return out;
}

START_TEST(test_scalars)
{
	/* each expectation is repr(yaml.safe_load(text)) from PyYAML */
	static const struct {
		const char *text, *repr;
	} cases[] = {
		{"yes", "True"}, {"Yes", "True"}, {"YES", "True"}, {"on", "True"}, {"ON", "True"},
		{"no", "False"}, {"Off", "False"}, {"true", "True"}, {"FALSE", "False"},
		{"yEs", "'yEs'"}, {"y", "'y'"}, {"n", "'n'"},
		{"0755", "493"}, {"010", "8"}, {"09", "'09'"}, {"0", "0"}, {"-0", "0"},
		{"0x1F", "31"}, {"-0x1f", "-31"}, {"0b101", "5"}, {"1_000", "1000"}, {"+12", "12"},
		{"1:20", "80"}, {"190:20:30", "685230"}, {"-1:30", "-90"},
		{"1e3", "'1e3'"}, {"1.0e3", "'1.0e3'"}, {"1.0e+3", "1000.0"}, {"1.5", "1.5"},
		{"1.", "1.0"}, {".5", "0.5"}, {"-.5", "'-.5'"}, {"1_0.5", "10.5"}, {"190:20:30.15", "685230.15"},
		{".inf", "inf"}, {"-.Inf", "-inf"}, {".NaN", "nan"}, {"+.inf", "inf"},
		{"~", "None"}, {"null", "None"}, {"Null", "None"}, {"NULL", "None"}, {"nUll", "'nUll'"},
		{"", "None"}, {"'010'", "'010'"}, {"\"yes\"", "'yes'"}, {"!!str 12", "'12'"},
		{"!!int '12'", "12"}, {"!!float 1", "1.0"}, {"2.7.2", "'2.7.2'"},
		{"9223372036854775807", "9223372036854775807"}, {"-9223372036854775808", "-9223372036854775808"},
		{"12abc", "'12abc'"}, {"0o17", "'0o17'"}, {"=", "'='"}, {"<<", "'<<'"},
	};
	struct arena a = {0};
	size_t i;

	for (i = 0; i < LEN(cases); i++)
		ck_assert_msg(strcmp(typed(&a, cases[i].text), cases[i].repr) == 0,
		    "%s: got %s, want %s", cases[i].text, typed(&a, cases[i].text), cases[i].repr);
	delarena(&a);
}
END_TEST

START_TEST(test_collections)
{
	struct arena a = {0};

	ck_assert_str_eq(typed(&a, "a: 1\nb: [x, 2, {c: d}]\n"), "{'a': 1, 'b': ['x', 2, {'c': 'd'}]}");
	ck_assert_str_eq(typed(&a, "b: 1\na: 2\nb: 3\n"), "{'b': 3, 'a': 2}");
	ck_assert_str_eq(typed(&a, "1: one\ntrue: t\n~: n\n"), "{1: 't', None: 'n'}");
	ck_assert_str_eq(typed(&a, "- &x [1, 2]\n- *x\n"), "[[1, 2], [1, 2]]");
	/* merge keys: merged pairs come first, the mapping's own win */
	ck_assert_str_eq(typed(&a, "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n  z: 4\n"),
	    "{'base': {'x': 1, 'y': 2}, 'm': {'x': 1, 'y': 3, 'z': 4}}");
	/* a list of merges: earlier mappings win over later ones */
	ck_assert_str_eq(typed(&a, "a: &a {k: a, p: 1}\nb: &b {k: b, q: 2}\nm:\n  <<: [*a, *b]\n"),
	    "{'a': {'k': 'a', 'p': 1}, 'b': {'k': 'b', 'q': 2}, 'm': {'k': 'a', 'q': 2, 'p': 1}}");
	delarena(&a);
}
END_TEST

START_TEST(test_shared)
{
	struct arena a = {0};
	struct value v;

	ck_assert(cfgyamlparse(&a, "l: &l [1]\nr: *l\n", 16, "t", &v, NULL, NULL));
	/* an alias is the same list, as PyYAML makes it */
	ck_assert_ptr_eq(v.u.d->vals[0].u.l, v.u.d->vals[1].u.l);
	delarena(&a);
}
END_TEST

/* run parse with stderr in captured */
static bool
parsecapture(struct arena *a, const char *text, struct value *v)
{
	bool ok;

	capture(2);
	ok = cfgyamlparse(a, text, strlen(text), "conf.yaml", v, NULL, NULL);
	uncapture();
	return ok;
}

START_TEST(test_errors)
{
	struct arena a = {0};
	struct value v;

	ck_assert(!parsecapture(&a, "a: [1, 2\n", &v));
	ck_assert_ptr_nonnull(strstr(captured, "conf.yaml:"));
	ck_assert(!parsecapture(&a, "a: 1\n---\nb: 2\n", &v));
	ck_assert_ptr_nonnull(strstr(captured, "conf.yaml:2:1: error: expected a single document"));
	ck_assert(!parsecapture(&a, "? [1, 2]\n: x\n", &v));
	ck_assert_ptr_nonnull(strstr(captured, "unhashable key"));
	ck_assert(!parsecapture(&a, "a: *nope\n", &v));
	ck_assert_ptr_nonnull(strstr(captured, "conf.yaml:1:4:"));
	ck_assert(!parsecapture(&a, "a: 99999999999999999999\n", &v));
	ck_assert_ptr_nonnull(strstr(captured, "does not fit in 64 bits"));
	ck_assert(!parsecapture(&a, "a: !!python/object x\n", &v));
	ck_assert(parsecapture(&a, "", &v));
	ck_assert_int_eq(v.type, VNONE);
	delarena(&a);
}
END_TEST

START_TEST(test_keys)
{
	struct arena a = {0};
	struct value v;
	struct cfgkey *keys;
	size_t n;
	const char *text = "# head\nfirst: 1\nsecond:\n  inner: 2\n  third: 3\n";

	const char *merged = "base: &b\n  x: 1\nover:\n  <<: *b\n  y: 2\n";

	ck_assert(cfgyamlparse(&a, text, strlen(text), "t", &v, &keys, &n));
	/* every key of every mapping, in document order, with the dict holding it */
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(keys[0].key.u.s->data, "first");
	ck_assert_ptr_eq(keys[0].in, v.u.d);
	ck_assert_int_eq(keys[0].line, 2);
	ck_assert_int_eq(keys[0].col, 1);
	ck_assert_str_eq(keys[1].key.u.s->data, "second");
	ck_assert_ptr_eq(keys[1].in, v.u.d);
	ck_assert_int_eq(keys[1].line, 3);
	ck_assert_str_eq(keys[2].key.u.s->data, "inner");
	ck_assert_ptr_eq(keys[2].in, v.u.d->vals[1].u.d);
	ck_assert_int_eq(keys[2].line, 4);
	ck_assert_int_eq(keys[2].col, 3);
	ck_assert_str_eq(keys[3].key.u.s->data, "third");
	ck_assert_int_eq(keys[3].line, 5);
	/* a merged key keeps the position it has where it is written */
	ck_assert(cfgyamlparse(&a, merged, strlen(merged), "t", &v, &keys, &n));
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(keys[1].key.u.s->data, "x");
	ck_assert_ptr_eq(keys[1].in, v.u.d->vals[0].u.d);
	ck_assert_str_eq(keys[3].key.u.s->data, "y");
	ck_assert_ptr_eq(keys[3].in, v.u.d->vals[1].u.d);
	ck_assert_int_eq(keys[3].line, 5);
	delarena(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cfgyaml");
	TCase *tc = tcase_create("cfgyaml");

	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_collections);
	tcase_add_test(tc, test_shared);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_keys);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
