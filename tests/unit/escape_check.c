#include "compat.h"

#include <check.h>
#include <stdlib.h>

#include "escape.h"
#include "unit.h"
#include "util.h"

static char *
esc(void (*f)(struct buf *, const char *), const char *s)
{
	struct buf b = {0};

	f(&b, s);
	bufterm(&b);
	return b.data;
}

#define ESC(f, in, want) do { char *got_ = esc(f, in); ck_assert_str_eq(got_, want); free(got_); } while (0)

START_TEST(test_ninjapath)
{
	ESC(escninjapath, "ctx/a/b", "ctx/a/b");
	ESC(escninjapath, "a b", "a$ b");
	ESC(escninjapath, "c:d", "c$:d");
	ESC(escninjapath, "$x", "$$x");
	ESC(escninjapath, "a $:b", "a$ $$$:b");
}
END_TEST

START_TEST(test_ninjaval)
{
	ESC(escninjaval, "plain value", "plain value");
	ESC(escninjaval, "$HOME", "$$HOME");
	ESC(escninjaval, "  lead", "$ $ lead");
	ESC(escninjaval, "a:b", "a:b");
}
END_TEST

START_TEST(test_shell)
{
	ESC(escshell, "gen/imagegen", "gen/imagegen");
	ESC(escshell, "--tag=reg:5000/ns/x:1", "--tag=reg:5000/ns/x:1");
	ESC(escshell, "a b", "'a b'");
	ESC(escshell, "it's", "'it'\\''s'");
	ESC(escshell, "", "''");
	ESC(escshell, "$(rm -rf /)", "'$(rm -rf /)'");
	ESC(escshell, "a;b", "'a;b'");
}
END_TEST

START_TEST(test_shellninja)
{
	ESC(escshellninja, "a b$c", "'a b$$c'");
	ESC(escshellninja, "x", "x");
}
END_TEST

START_TEST(test_shellcmd)
{
	/* the command word: '=' would make it an assignment */
	ESC(escshellcmdninja, "gen/imagegen", "gen/imagegen");
	ESC(escshellcmdninja, "ig=1", "'ig=1'");
	ESC(escshellcmdninja, "/opt/a=b/imagegen", "'/opt/a=b/imagegen'");
	ESC(escshellninja, "ig=1", "ig=1");
}
END_TEST

START_TEST(test_valbad)
{
	ck_assert_ptr_null(escvalbad("a b:c$d|e 'f\"g\\ \xc3\xa9"));
	ck_assert_ptr_null(escvalbad(""));
	ck_assert_str_eq(escvalbad("a\rb"), "holds a carriage return (U+000D), which build.ninja cannot hold; remove it");
	ck_assert_str_eq(escvalbad("a\nb"), "holds a newline (U+000A), which build.ninja cannot hold; remove it");
	ck_assert_str_eq(escvalbad("\t"), "holds a TAB (U+0009), which build.ninja cannot hold; remove it");
	ck_assert_str_eq(escvalbad("\x1b[31m"), "holds an escape character (U+001B), which build.ninja cannot hold; remove it");
	ck_assert_str_eq(escvalbad("x\x7f"), "holds a control character (U+007F), which build.ninja cannot hold; remove it");
	/* C1 controls in UTF-8 */
	ck_assert_str_eq(escvalbad("x\xc2\x9b"), "holds a control character (U+009B), which build.ninja cannot hold; remove it");
	ck_assert_ptr_null(escvalbad("\xc2\xa0"));
}
END_TEST

START_TEST(test_pathbad)
{
	ck_assert_ptr_null(escpathbad("a/b c:d$e"));
	ck_assert_ptr_nonnull(escpathbad("a\nb"));
	ck_assert_ptr_nonnull(escpathbad("a|b"));
	ck_assert_ptr_nonnull(escpathbad("a\tb"));
	ck_assert_ptr_nonnull(escpathbad(""));
	ck_assert_str_eq(escpathbad("x|y"), "the path holds '|', which ninja reads as a dependency separator; rename it");
	ck_assert_str_eq(escpathbad("x\ry"), "the path holds a carriage return (U+000D), which build.ninja cannot hold; remove it");
}
END_TEST

START_TEST(test_make)
{
	ESC(escmaketarget, "ctx/a/b", "ctx/a/b");
	ESC(escmaketarget, "a b:c#d", "a\\ b\\:c\\#d");
	ESC(escmaketarget, "a%b", "a\\%b");
	ESC(escmakeprereq, "a%b", "a%b");
	ESC(escmaketarget, "$x", "$$x");
	ESC(escmakeprereq, "a=b", "a$(imagegen_eq)b");
	ESC(escmakerecipe, "echo '$HOME' 100%", "echo '$$HOME' 100%");
}
END_TEST

START_TEST(test_makebad)
{
	ck_assert_ptr_null(escmakebad("ctx/a b/c:d#e%f=g$h'i,j(k)l"));
	ck_assert_ptr_null(escmakebad("x/.PHONY"));
	ck_assert_ptr_null(escmakebad(".imagegen/config.bin"));
	ck_assert_ptr_null(escmakebad("dir/~x"));
	ck_assert_ptr_nonnull(escmakebad("a;b"));
	ck_assert_ptr_nonnull(escmakebad("a\\b"));
	ck_assert_ptr_nonnull(escmakebad("a*b"));
	ck_assert_ptr_nonnull(escmakebad("a?b"));
	ck_assert_ptr_nonnull(escmakebad("a[b]"));
	ck_assert_ptr_nonnull(escmakebad("lib(member)"));
	ck_assert_ptr_nonnull(escmakebad("~user/x"));
	ck_assert_ptr_nonnull(escmakebad(".PHONY"));
	ck_assert_ptr_nonnull(escmakebad(".c.o"));
	ck_assert_ptr_nonnull(escmakebad("a|b"));
	ck_assert_ptr_nonnull(escmakebad("a\nb"));
	ck_assert_ptr_nonnull(escmakebad(""));
	ck_assert_str_eq(escmakebad("x;y"),
	    "the path holds ';', where make ends a rule's prerequisites and starts its recipe; rename it, or use --backend=ninja");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("escape");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, test_ninjapath);
	tcase_add_test(tc, test_ninjaval);
	tcase_add_test(tc, test_shell);
	tcase_add_test(tc, test_shellcmd);
	tcase_add_test(tc, test_valbad);
	tcase_add_test(tc, test_shellninja);
	tcase_add_test(tc, test_pathbad);
	tcase_add_test(tc, test_make);
	tcase_add_test(tc, test_makebad);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
