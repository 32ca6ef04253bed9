#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpl.h"
#include "unit.h"

static char outtext[8192];

/* render src in env; the output goes to outtext, stderr to captured */
static bool
render(struct tenv *env, const char *src)
{
	struct buf out = {0};
	bool ok;

	capture(2);
	ok = tmplrender(env, "r.j2", src, strlen(src), &out);
	uncapture();
	snprintf(outtext, sizeof(outtext), "%s", out.data ? out.data : "");
	delbuf(&out);
	return ok;
}

static struct tenv *
ctx(void)
{
	struct tenv *env = mktenv();

	ck_assert(tenvsetyaml(env, "d", "{b: 1, a: 2, C: 3}", "d"));
	ck_assert(tenvsetyaml(env, "items", "[x, y, z]", "items"));
	ck_assert(tenvsetyaml(env, "n", "010", "n"));
	ck_assert(tenvsetyaml(env, "e", "''", "e"));
	ck_assert(tenvsetyaml(env, "nul", "~", "nul"));
	tenvsetstr(env, "s", "hello");
	return env;
}

/* each expectation was produced by Python's jinja2 3.1 with the same context */
static const struct {
	const char *src, *out;
} cases[] = {
	{"a\n", "a"},
	{"a\n\n", "a\n"},
	{"a\r\nb", "a\nb"},
	{"{{ s }}|{{ d['a'] }}|{{ d.b }}|{{ n }}", "hello|2|1|8"},
	{"{{ x }}|{{ d['missing'] }}|{{ x|length }}|{% for i in x %}no{% endfor %}|{% if x %}no{% endif %}", "||0||"},
	{"{{ None }} {{ True }} {{ [1, 'a', none] }} {{ {'b': 1} }} {{ 15.0 }} {{ 1e20 }}", "None True [1, 'a', None] {'b': 1} 15.0 1e+20"},
	{"{{ x|default(30)*10 }} {{ nul|default(1) }} [{{ e|default(2) }}] {{ e|default(2, true) }}", "300 None [] 2"},
	{"{% for i in [1,2] %}{% set y = i %}{% endfor %}[{{ y }}]{% if true %}{% set z = 3 %}{% endif %}{{ z }}", "[]3"},
	{"{% set l = [] %}{% for i in items %}{% set _ = l.append(i) %}{% endfor %}{{ l }}", "['x', 'y', 'z']"},
	{"{% for i in [1,2,3,4] if i is odd %}{{ i }}{{ loop.last }}{{ loop.length }};{% endfor %}", "1False2;3True2;"},
	{"{{ 'ab' * 2 }} {{ True == 'true' }} {{ 1 == 1.0 }}", "abab False True"},
	{"{{ d|dictsort }}", "[('a', 2), ('b', 1), ('C', 3)]"},
	{"{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "b=1;a=2;C=3;"},
	{"{{ '{{' }}{% raw %}{{ x }}{% endraw %}", "{{{{ x }}"},
	{"  {%- if true -%}  x  {%- endif -%}  \ny", "xy"},
	{"{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 4 / 2 }} {{ 2 ** 10 }}", "3 -4 -2 3.5 2.0 1024"},
	{"{{ 1 and 'x' }} {{ 0 or 'y' }} {{ none or 0 }} {{ 'a' ~ 1 ~ none }}", "x y 0 a1None"},
	{"{{ '{}-{:06d}'.format('x', 42) }} {{ range(1, 10, 3)|list }}", "x-000042 [1, 4, 7]"},
	{"{{ 'a,b,c'.split(',', 1) }} {{ 'a b  c'.split() }}", "['a', 'b,c'] ['a', 'b', 'c']"},
	{"{{ d|tojson }}", "{\"C\": 3, \"a\": 2, \"b\": 1}"},
	{"{{ 'a\nb'|indent(2) }}|{{ 'x'|indent(2, true) }}", "a\n  b|  x"},
	{"{{ '12'|int + 1 }} {{ 'z'|int(7) }} {{ '0x1f'|int(0, 16) }}", "13 7 31"},
	{"{% for x in items %}{{ loop.index0 }}{{ loop.first }}{{ loop.revindex }}{% else %}none{% endfor %}", "0True31False22False1"},
	{"{% for x in [] %}{% else %}empty{% endfor %}", "empty"},
	{"{{ 'y' if false }}|{{ 1 if n > 3 else 2 }}", "|1"},
	{"{% set x %}in {{ 1 }}{% endset %}[{{ x }}]", "[in 1]"},
	{"{{ [1,2,3][1:] }} {{ 'abc'[::-1] }}", "[2, 3] cba"},
	{"{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('a') }} {{ greet('b', greeting='Hi') }} {{ greet() }}|", "Hello, a! Hi, b! Hello, !|"},
	{"{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", "321"},
	{"{% for i in [1,2] %}{% macro m() %}{{ i }}{% endmacro %}{{ m() }}{% endfor %}", "12"},
	{"{% set ns = namespace(found=false) %}{% for i in [1,2] %}{% set ns.found = true %}{% endfor %}{{ ns.found }} {{ ns }}", "True <Namespace {'found': True}>"},
	{"{% filter upper %}a{{ 'b' }}{% endfilter %}", "AB"},
	{"{{ range(3) }} {{ range(1, 9, 2)|list }}", "range(0, 3) [1, 3, 5, 7]"},
	{"{{ 'straße'|upper }} {{ 'ÉCOLE'|lower }} {{ [x, 1] }}", "STRASSE école [Undefined, 1]"},
};

START_TEST(test_render)
{
	struct tenv *env = ctx();
	size_t i;

	for (i = 0; i < LEN(cases); i++) {
		ck_assert_msg(render(env, cases[i].src), "%s failed: %s", cases[i].src, captured);
		ck_assert_msg(strcmp(outtext, cases[i].out) == 0, "%s: got '%s', want '%s'", cases[i].src, outtext, cases[i].out);
	}
	deltenv(env);
}
END_TEST

START_TEST(test_errors)
{
	static const struct {
		const char *src, *msg;
	} errs[] = {
		{"line\n{{ x.y }}", "r.j2:2:5: error: 'x' is undefined\n{{ x.y }}\n    ^\n"},
		{"{{ x['y'] }}", "'x' is undefined"},
		{"{{ x + 1 }}", "'x' is undefined"},
		{"{{ d.zz.y }}", "'dict object' has no attribute 'zz'"},
		{"{{ 'x' + 1 }}", "can only concatenate str (not \"int\") to str"},
		{"{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'"},
		{"{{ 1 // 0 }}", "integer division or modulo by zero"},
		{"{{ 9223372036854775807 + 1 }}", "integer overflow"},
		{"{% for a, b in [1] %}{% endfor %}", "cannot unpack non-iterable int object"},
		{"{% for x in 5 %}{% endfor %}", "'int' object is not iterable"},
		{"{% if true %}{{ x|nosuch }}{% endif %}", "no filter named 'nosuch'"},
		{"{{ $labels }}", "unexpected character '$'"},
		{"{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "macro calls nested more than 200 deep"},
		{"{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", "macro 'm' takes not more than 1 argument(s)"},
		{"{% set x = 1 %}{% set x.y = 2 %}", "cannot assign attribute on non-namespace object"},
	};
	struct tenv *env = ctx();
	size_t i;

	for (i = 0; i < LEN(errs); i++) {
		ck_assert_msg(!render(env, errs[i].src), "%s rendered '%s'", errs[i].src, outtext);
		ck_assert_msg(strstr(captured, errs[i].msg) != NULL, "%s: got %s", errs[i].src, captured);
	}
	deltenv(env);
}
END_TEST

START_TEST(test_mutation_persists)
{
	struct tenv *env = ctx();

	ck_assert(render(env, "{{ items.append('w') }}"));
	ck_assert_str_eq(outtext, "None");
	ck_assert(render(env, "{{ items }}"));
	ck_assert_str_eq(outtext, "['x', 'y', 'z', 'w']");
	deltenv(env);
}
END_TEST

START_TEST(test_config)
{
	struct tenv *env;
	struct buf out = {0};
	const char *src = "{{ clusterconfig['a']['b'] }} {{ a.b }} {{ z }} {{ clusterconfig|length }}";
	bool ok;

	put("conf/10-first.yaml", "a:\n  b: yes\n", 0644);
	put("conf/20-second.yml", "z: 1:20\n", 0644);
	put("conf/ignored.txt", "a: 1\n", 0644);
	env = mktenv();
	ck_assert(tenvloadconfig(env, "conf"));
	ck_assert(tmplrender(env, "c.j2", src, strlen(src), &out));
	ck_assert_str_eq(out.data, "True True 80 2");
	deltenv(env);
	delbuf(&out);
	/* the same top-level key in two files is an error naming both */
	put("conf/20-second.yml", "z: 1\n\na: 2\n", 0644);
	env = mktenv();
	capture(2);
	ok = tenvloadconfig(env, "conf");
	uncapture();
	ck_assert(!ok);
	ck_assert_msg(strstr(captured, "20-second.yml:3:1: error: the key 'a' is also defined at ") != NULL, "%s", captured);
	ck_assert_msg(strstr(captured, "10-first.yaml:1:1") != NULL, "%s", captured);
	deltenv(env);
}
END_TEST

START_TEST(test_check)
{
	ck_assert(tmplcheck("ok.j2", "{% if x %}{{ y|upper }}{% endif %}", 34));
	ck_assert(!tmplcheck("bad.j2", "{% if x %}", 10));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tmpl_eval");
	TCase *tc = tcase_create("tmpl_eval");
	TCase *tf = tcase_create("files");

	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_mutation_persists);
	tcase_add_test(tc, test_check);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tf, tmpsetup, tmpteardown);
	tcase_add_test(tf, test_config);
	suite_add_tcase(s, tf);
	return runsuite(s);
}
