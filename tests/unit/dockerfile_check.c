#include "compat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"
#include "unit.h"
#include "util.h"

/* the references as "ref@line:col" (with "+" for COPY --from), space-separated */
static char *
scan(const char *text)
{
	struct dfrefs r = {0};
	struct buf b = {0};
	size_t i;

	dfscan(text, strlen(text), &r);
	for (i = 0; i < r.n; i++)
		bufprintf(&b, "%s%s%s@%d:%d", i ? " " : "", r.v[i].copyfrom ? "+" : "", r.v[i].ref, r.v[i].line,
		    r.v[i].col);
	if (r.nunknown)
		bufprintf(&b, " ?%zu", r.nunknown);
	bufterm(&b);
	deldfrefs(&r);
	return b.data;
}

#define SCAN(text, want) do { char *got_ = scan(text); ck_assert_str_eq(got_, want); free(got_); } while (0)

START_TEST(test_from)
{
	SCAN("FROM base\nRUN true\n", "base@1:6");
	SCAN("from  base:1.0\n", "base:1.0@1:7");
	SCAN("FROM scratch\nCOPY x /\n", "");
	SCAN("FROM --platform=linux/amd64 base AS build\n", "base@1:29");
}
END_TEST

START_TEST(test_stages)
{
	/* "build" names the stage, not an image called build, once the stage exists */
	SCAN("FROM base AS build\nFROM build\nCOPY --from=build /x /x\n", "base@1:6");
	SCAN("FROM build AS build\nFROM build\n", "build@1:6");
	SCAN("FROM a AS Builder\nFROM b\nCOPY --from=builder /x /\nCOPY --from=0 /y /\n", "a@1:6 b@2:6");
	SCAN("FROM a\nCOPY --chown=1:1 --from=tools /bin/t /t\n", "a@1:6 +tools@2:25");
	SCAN("FROM a AS s\nRUN --mount=type=bind,from=tools,target=/t --mount=from=s true\n", "a@1:6 +tools@2:28");
}
END_TEST

START_TEST(test_continuation_comments)
{
	SCAN("FROM \\\n  base\n", "base@2:3");
	SCAN("FROM a\nCOPY \\\n# a comment inside\n  --from=tool \\\n\n  /x /x\n", "a@1:6 +tool@4:10");
	SCAN("# FROM commented\nFROM a\n  # FROM b\n", "a@2:6");
}
END_TEST

START_TEST(test_escape_directive)
{
	SCAN("# escape=`\nFROM `\n  base\n", "base@3:3");
	/* after the escape directive, a backslash does not continue the line */
	SCAN("# escape=`\nFROM a\\\nRUN x\n", "a\\@2:6");
	/* a directive after an instruction is a comment */
	SCAN("FROM a\n# escape=`\nFROM b \\\n c\n", "a@1:6 b@3:6");
}
END_TEST

START_TEST(test_args)
{
	SCAN("ARG BASE=base\nARG TAG=\"1\"\nFROM ${BASE}:$TAG\n", "base:1@3:6");
	SCAN("ARG BASE\nFROM $BASE\n", " ?1");
	SCAN("FROM {{ registry }}/base\nFROM b\n", "b@2:6 ?1");
}
END_TEST

START_TEST(test_heredoc)
{
	/* a here-document's body is not read as instructions */
	SCAN("FROM a\nRUN <<EOF\nFROM b\nEOF\nFROM c\n", "a@1:6 c@5:6");
	SCAN("FROM a\nCOPY <<-\"END\" /x\n\tFROM b\n\tEND\nFROM c\n", "a@1:6 c@5:6");
	SCAN("FROM a\nRUN <<ONE cat - && <<TWO cat\nFROM b\nONE\nFROM c\nTWO\nFROM d\n", "a@1:6 d@7:6");
	/* "<<" inside an ordinary RUN word is no here-document when nothing follows it */
	SCAN("FROM a\nRUN echo x <<\nFROM b\n", "a@1:6 b@3:6");
}
END_TEST

START_TEST(test_repo)
{
	char *r;

	r = dfrepo("base");
	ck_assert_str_eq(r, "base");
	free(r);
	r = dfrepo("base:1.0");
	ck_assert_str_eq(r, "base");
	free(r);
	r = dfrepo("reg:5000/ns/base:1@sha256:abc");
	ck_assert_str_eq(r, "reg:5000/ns/base");
	free(r);
	r = dfrepo("reg:5000/ns/base");
	ck_assert_str_eq(r, "reg:5000/ns/base");
	free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dockerfile");
	TCase *tc = tcase_create("dockerfile");

	tcase_add_test(tc, test_from);
	tcase_add_test(tc, test_stages);
	tcase_add_test(tc, test_continuation_comments);
	tcase_add_test(tc, test_escape_directive);
	tcase_add_test(tc, test_args);
	tcase_add_test(tc, test_heredoc);
	tcase_add_test(tc, test_repo);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
