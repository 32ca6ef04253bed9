#include "compat.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "unit.h"
#include "util.h"

/* parse yaml as x/image.yaml; *errs gets what was printed on stderr (caller frees) */
static bool
parse(const char *yaml, struct image **imgp, char **errs)
{
	struct image *img = mkimage("x", "src/x", "src");
	struct diag d = {0};
	bool ok;

	capture(2);
	ok = imageparse(img, "src/x/image.yaml", yaml, strlen(yaml), &d);
	*errs = xstrdup(uncapture());
	ck_assert_int_eq(ok, d.nerr == 0);
	if (imgp)
		*imgp = img;
	else
		delimage(img);
	return ok;
}

/* the yaml fails with exactly this stderr */
#define FAILS(yaml, want) do { char *e_; ck_assert(!parse(yaml, NULL, &e_)); ck_assert_str_eq(e_, want); free(e_); } while (0)

START_TEST(test_empty)
{
	struct image *img;
	char *e;

	ck_assert(parse("", &img, &e));
	ck_assert_str_eq(e, "");
	ck_assert_uint_eq(img->nprereq + img->ntmpl + img->ncopy, 0);
	free(e);
	delimage(img);
	ck_assert(parse("# only comments\n", &img, &e));
	free(e);
	delimage(img);
	ck_assert(parse("prerequisite:\ntemplate-list:\n", &img, &e));
	ck_assert_uint_eq(img->nprereq + img->ntmpl, 0);
	free(e);
	delimage(img);
}
END_TEST

/* the prerequisite key, even empty, says the Dockerfile's FROM lines should agree with it; null is no key */
START_TEST(test_hasprereq)
{
	struct image *img;
	char *e;

	ck_assert(parse("template-list: [dockerfile]\n", &img, &e));
	ck_assert(!img->hasprereq);
	free(e);
	delimage(img);
	ck_assert(parse("prerequisite:\n", &img, &e));
	ck_assert(!img->hasprereq);
	free(e);
	delimage(img);
	ck_assert(parse("prerequisite: []\n", &img, &e));
	ck_assert(img->hasprereq);
	free(e);
	delimage(img);
}
END_TEST

/* imagegen's prebuild key: one step or a list */
START_TEST(test_prebuild)
{
	struct image *img;
	char *e;

	ck_assert(parse("prebuild:\n  command: make dist\n  inputs: dist.mk\n  outputs: [src/x/out, build/y]\n", &img, &e));
	ck_assert_str_eq(e, "");
	ck_assert_uint_eq(img->nprebuild, 1);
	ck_assert_str_eq(img->prebuild[0].command.s, "make dist");
	ck_assert_uint_eq(img->prebuild[0].ninput, 1);
	ck_assert_str_eq(img->prebuild[0].input[0].s, "dist.mk");
	ck_assert_uint_eq(img->prebuild[0].noutput, 2);
	ck_assert_str_eq(img->prebuild[0].output[1].s, "build/y");
	ck_assert_int_eq(img->prebuild[0].output[1].line, 4);
	free(e);
	delimage(img);
	ck_assert(parse("prebuild:\n  - {command: a, outputs: o1}\n  - {command: b, inputs: [../up], outputs: o2}\n", &img, &e));
	ck_assert_uint_eq(img->nprebuild, 2);
	ck_assert_str_eq(img->prebuild[1].input[0].s, "../up");
	ck_assert_int_eq(img->prebuild[1].line, 3);
	free(e);
	delimage(img);
	FAILS("prebuild:\n  command: a\n",
	    "imagegen: src/x/image.yaml:2:3: error: a prebuild step needs outputs: the files or directories it writes under $OUT, "
	    "named from the project root as copy-list src names them\n");
	FAILS("prebuild: {command: a, outputs: [../o]}\n",
	    "imagegen: src/x/image.yaml:1:34: error: prebuild output '../o' must be a relative path from the project root "
	    "(the parent of the images root) that stays inside it\n");
	FAILS("prebuild: {command: [a], outputs: o}\n",
	    "imagegen: src/x/image.yaml:1:21: error: the prebuild command must be a string, not a list\n");
	FAILS("prebuild: run\n",
	    "imagegen: src/x/image.yaml:1:11: error: prebuild must be a step (a mapping of command, inputs and outputs) or a list of steps, not a string\n");
}
END_TEST

START_TEST(test_full)
{
	struct image *img;
	char *e;
	const char *y =
	    "prerequisite: hadoop-run\n"
	    "template-list:\n"
	    "  - dockerfile\n"
	    "  - conf/site.xml\n"
	    "copy-list:\n"
	    "  - src: ../tools/x\n"
	    "    dst: src/x/copied\n"
	    "dockerfile: dockerfile\n"
	    "build-args:\n"
	    "  VERSION: \"2.7\"\n"
	    "labels: {org.example.team: infra}\n"
	    "tags: [v1, stable]\n"
	    "target: final\n";

	ck_assert(parse(y, &img, &e));
	ck_assert_str_eq(e, "");
	ck_assert_uint_eq(img->nprereq, 1);
	ck_assert_str_eq(img->prereq[0].s, "hadoop-run");
	ck_assert_int_eq(img->prereq[0].line, 1);
	ck_assert_int_eq(img->prereq[0].col, 15);
	ck_assert_uint_eq(img->ntmpl, 2);
	ck_assert_str_eq(img->tmpl[1].s, "conf/site.xml");
	ck_assert_int_eq(img->tmpl[1].line, 4);
	ck_assert_int_eq(img->tmpl[1].col, 5);
	ck_assert_uint_eq(img->ncopy, 1);
	ck_assert_str_eq(img->copy[0].src.s, "../tools/x");
	ck_assert_str_eq(img->copy[0].dst.s, "src/x/copied");
	ck_assert_int_eq(img->copy[0].dst.line, 7);
	ck_assert_str_eq(img->dockerfile.s, "dockerfile");
	ck_assert_uint_eq(img->nbuildarg, 1);
	ck_assert_str_eq(img->buildarg[0].key.s, "VERSION");
	ck_assert_str_eq(img->buildarg[0].val.s, "2.7");
	ck_assert_str_eq(img->label[0].key.s, "org.example.team");
	ck_assert_str_eq(img->label[0].val.s, "infra");
	ck_assert_uint_eq(img->ntag, 2);
	ck_assert_str_eq(img->tag[1].s, "stable");
	ck_assert_str_eq(img->target.s, "final");
	free(e);
	delimage(img);
}
END_TEST

START_TEST(test_prereq_list)
{
	struct image *img;
	char *e;

	ck_assert(parse("prerequisite: [a, b]\n", &img, &e));
	ck_assert_uint_eq(img->nprereq, 2);
	ck_assert_str_eq(img->prereq[1].s, "b");
	free(e);
	delimage(img);
}
END_TEST

START_TEST(test_malformed)
{
	FAILS("prerequisite: [a, b\n",
	    "imagegen: src/x/image.yaml:2:1: error: malformed YAML: did not find expected ',' or ']' while parsing a flow sequence (line 1)\n");
	FAILS("a: b\n c: d\n",
	    "imagegen: src/x/image.yaml:2:3: error: malformed YAML: mapping values are not allowed in this context\n");
}
END_TEST

START_TEST(test_unknown_key)
{
	FAILS("prerequisite: a\nprerequisites: b\n",
	    "imagegen: src/x/image.yaml:2:1: error: unknown key 'prerequisites'; image.yaml knows prerequisite, template-list, copy-list, dockerfile, build-args, labels, tags, target, prebuild\n");
	FAILS("copy-list:\n  - {src: a, dst: src/x, mode: 1}\n",
	    "imagegen: src/x/image.yaml:2:26: error: unknown copy-list key 'mode'; expected src or dst\n");
}
END_TEST

START_TEST(test_wrong_type)
{
	FAILS("template-list: dockerfile\n",
	    "imagegen: src/x/image.yaml:1:16: error: template-list must be a list of file names, not a string\n");
	FAILS("prerequisite: {a: b}\n",
	    "imagegen: src/x/image.yaml:1:15: error: a prerequisite must be a string or a list of strings, not a mapping\n");
	FAILS("copy-list:\n  - src/a\n",
	    "imagegen: src/x/image.yaml:2:5: error: a copy-list item must be a mapping with keys src and dst, not a string\n");
	FAILS("copy-list:\n  - src: a\n",
	    "imagegen: src/x/image.yaml:2:5: error: a copy-list item needs both src and dst; dst is missing\n");
	FAILS("build-args: [A]\n",
	    "imagegen: src/x/image.yaml:1:13: error: build-args must be a mapping of names to values, not a list\n");
	FAILS("target: [a]\n", "imagegen: src/x/image.yaml:1:9: error: target must be a string, not a list\n");
	FAILS("- a\n",
	    "imagegen: src/x/image.yaml:1:1: error: image.yaml must be a mapping of keys (prerequisite, template-list, copy-list, ...), not a list\n");
}
END_TEST

START_TEST(test_bad_values)
{
	FAILS("prerequisite: Hadoop\n",
	    "imagegen: src/x/image.yaml:1:15: error: prerequisite 'Hadoop' is not a valid image name; image names are lowercase letters and digits joined by '.', '_', '__' or '-'\n");
	FAILS("template-list: [../escape]\n",
	    "imagegen: src/x/image.yaml:1:17: error: template '../escape' must be a relative path inside the image directory\n");
	FAILS("template-list: [\"a|b\"]\n",
	    "imagegen: src/x/image.yaml:1:17: error: template 'a|b': the path holds '|', which ninja reads as a dependency separator; rename it\n");
	FAILS("build-args:\n  1X: a\n",
	    "imagegen: src/x/image.yaml:2:3: error: build-args name '1X' is not a valid ARG name; use letters, digits and '_', not starting with a digit\n");
	FAILS("build-args:\n  X:\n",
	    "imagegen: src/x/image.yaml:2:5: error: build-args 'X' has no value; write '' for an empty one\n");
	FAILS("tags: [-bad]\n",
	    "imagegen: src/x/image.yaml:1:8: error: tag '-bad' is not valid; a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'\n");
	FAILS("prerequisite: a\nprerequisite: b\n",
	    "imagegen: src/x/image.yaml:2:1: error: duplicate key 'prerequisite' (first at line 1)\n");
	FAILS("a: 1\n---\nb: 2\n",
	    "imagegen: src/x/image.yaml:1:1: error: unknown key 'a'; image.yaml knows prerequisite, template-list, copy-list, dockerfile, build-args, labels, tags, target, prebuild\n"
	    "imagegen: src/x/image.yaml:3:1: error: image.yaml holds a second YAML document; it must hold one mapping\n");
}
END_TEST

START_TEST(test_all_errors_reported)
{
	char *e;
	size_t n = 0;
	const char *p;

	ck_assert(!parse("foo: 1\ntemplate-list: x\nbar: 2\n", NULL, &e));
	for (p = e; (p = strchr(p, '\n')); p++)
		n++;
	ck_assert_uint_eq(n, 3);
	free(e);
}
END_TEST

START_TEST(test_names)
{
	ck_assert(imagenameok("hadoop-run"));
	ck_assert(imagenameok("a"));
	ck_assert(imagenameok("a.b_c__d---e9"));
	ck_assert(!imagenameok("Hadoop"));
	ck_assert(!imagenameok("-a"));
	ck_assert(!imagenameok("a-"));
	ck_assert(!imagenameok("a..b"));
	ck_assert(!imagenameok("a___b"));
	ck_assert(!imagenameok("a._b"));
	ck_assert(!imagenameok(""));
	ck_assert(!imagenameok("a b"));
	ck_assert(imagetagok("v1.0-rc_1"));
	ck_assert(!imagetagok(".x"));
	ck_assert(!imagetagok("a:b"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("image");
	TCase *tc = tcase_create("image");

	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_hasprereq);
	tcase_add_test(tc, test_prebuild);
	tcase_add_test(tc, test_prereq_list);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_all_errors_reported);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
