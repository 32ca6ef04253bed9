#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpl_ast.h"
#include "unit.h"

static struct arena a;
static struct token *toks;
static size_t ntoks;
static struct tsrc ts;
/* lex src (normalised first) with stderr in captured */
static bool
lex(const char *src)
{
	bool ok;

	delarena(&a);
	free(toks);
	toks = NULL;
	ts.name = "t.j2";
	ts.src = tmplnormalize(&a, src, strlen(src), &ts.len);
	capture(2);
	ok = tmpllex(&a, &ts, &toks, &ntoks);
	uncapture();
	return ok;
}

static char *
data(size_t i)
{
	static char buf[256];

	ck_assert_int_eq(toks[i].type, TDATA);
	snprintf(buf, sizeof(buf), "%.*s", (int)toks[i].len, toks[i].text);
	return buf;
}

START_TEST(test_normalize)
{
	size_t n;

	ck_assert_str_eq(tmplnormalize(&a, "a\n", 2, &n), "a");
	ck_assert_str_eq(tmplnormalize(&a, "a\n\n", 3, &n), "a\n");
	ck_assert_str_eq(tmplnormalize(&a, "a\r\nb\rc\r\n", 8, &n), "a\nb\nc");
	ck_assert_uint_eq(n, 5);
	delarena(&a);
}
END_TEST

START_TEST(test_tokens)
{
	static const enum tok want[] = {
		TDATA, TVARBEGIN, TNAME, TDOT, TNAME, TPIPE, TNAME, TLPAREN, TINT, TCOMMA,
		TFLOAT, TCOMMA, TSTRING, TRPAREN, TFLOORDIV, TINT, TPOW, TINT, TNE, TINT, TVAREND,
		TDATA, TEOF,
	};
	size_t i;

	ck_assert(lex("x {{ a.b|f(0x1F, 1_0.5e1, 'q\\n') // 2 ** 3 != 4 }}\ny\n"));
	ck_assert_uint_eq(ntoks, LEN(want));
	for (i = 0; i < ntoks; i++)
		ck_assert_msg(toks[i].type == want[i], "token %zu is %s", i, tokname(toks[i].type));
	ck_assert_int_eq(toks[8].val.u.i, 31);
	ck_assert(toks[10].val.u.f == 105.0);
	ck_assert_str_eq(toks[12].val.u.s->data, "q\n");
	ck_assert_str_eq(data(21), "\ny");
	/* positions are 1-based line and byte column */
	ck_assert_int_eq(toks[2].line, 1);
	ck_assert_int_eq(toks[2].col, 6);
	delarena(&a);
}
END_TEST

START_TEST(test_whitespace_control)
{
	ck_assert(lex("a  \n {{- x -}} \n b"));
	ck_assert_str_eq(data(0), "a");
	ck_assert_str_eq(data(4), "b");
	ck_assert(lex("a {#- c -#} b {# c #} d"));
	ck_assert_str_eq(data(0), "a");
	ck_assert_str_eq(data(1), "b ");
	ck_assert_str_eq(data(2), " d");
	ck_assert(lex("a {%+ if x +%} b"));
	ck_assert_str_eq(data(0), "a ");
	ck_assert_int_eq(toks[1].type, TBLOCKBEGIN);
	/* "-}}" right after an operand strips; "- }}" is a minus */
	ck_assert(lex("{{ 5-}} x"));
	ck_assert_int_eq(toks[3].type, TDATA);
	ck_assert_str_eq(data(3), "x");
	delarena(&a);
}
END_TEST

START_TEST(test_raw_comment)
{
	ck_assert(lex("a{% raw %}{{ x }}{% if %}{% endraw %}b"));
	ck_assert_uint_eq(ntoks, 4);
	ck_assert_str_eq(data(1), "{{ x }}{% if %}");
	ck_assert(lex("a {%- raw -%} x {%- endraw -%} b"));
	ck_assert_str_eq(data(0), "a");
	ck_assert_str_eq(data(1), "x");
	ck_assert_str_eq(data(2), "b");
	ck_assert(lex("{# {{ not a tag }} #}z"));
	ck_assert_str_eq(data(0), "z");
	delarena(&a);
}
END_TEST

START_TEST(test_balance)
{
	/* }} inside braces does not end the print statement */
	ck_assert(lex("{{ {'a': {'b': 1}} }}"));
	ck_assert_int_eq(toks[ntoks - 2].type, TVAREND);
	ck_assert_int_eq(toks[ntoks - 3].type, TRBRACE);
	delarena(&a);
}
END_TEST

START_TEST(test_errors)
{
	ck_assert(!lex("line\n{{ $labels }}"));
	ck_assert_ptr_nonnull(strstr(captured, "t.j2:2:4: error: unexpected character '$'"));
	ck_assert_ptr_nonnull(strstr(captured, "{{ $labels }}\n   ^\n"));
	ck_assert(!lex("{{ 'abc }}"));
	ck_assert_ptr_nonnull(strstr(captured, "unterminated string"));
	ck_assert(!lex("{{ (1]) }}"));
	ck_assert_ptr_nonnull(strstr(captured, "unexpected ']', expected ')'"));
	ck_assert(!lex("{# open"));
	ck_assert_ptr_nonnull(strstr(captured, "t.j2:1:1: error: missing '#}'"));
	ck_assert(!lex("{% raw %} x"));
	ck_assert_ptr_nonnull(strstr(captured, "endraw"));
	ck_assert(!lex("{{ 99999999999999999999 }}"));
	ck_assert_ptr_nonnull(strstr(captured, "does not fit in 64 bits"));
	delarena(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tmpl_lex");
	TCase *tc = tcase_create("tmpl_lex");
	int rc;

	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_tokens);
	tcase_add_test(tc, test_whitespace_control);
	tcase_add_test(tc, test_raw_comment);
	tcase_add_test(tc, test_balance);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	rc = runsuite(s);
	free(toks);
	return rc;
}
