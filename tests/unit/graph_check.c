#include "compat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "unit.h"
#include "util.h"
#include "walk.h"

static char *names[] = {"a", "b", "c", "d", "e"};

/* the order as "x y z" */
static char *
orderstr(const struct graph *g, const size_t *order)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < g->n; i++)
		bufprintf(&b, "%s%s", i ? " " : "", g->name[order[i]]);
	bufterm(&b);
	return b.data;
}

START_TEST(test_order)
{
	struct graph *g = mkgraph(5, names);
	struct strvec cyc = {0};
	size_t order[5];
	char *s;

	/* a on d, b on a, c on nothing, d on e */
	graphadd(g, 0, 3);
	graphadd(g, 1, 0);
	graphadd(g, 3, 4);
	graphadd(g, 1, 0);
	ck_assert_uint_eq(g->ndep[1], 1);
	ck_assert(graphorder(g, order, &cyc));
	ck_assert_uint_eq(cyc.n, 0);
	s = orderstr(g, order);
	ck_assert_str_eq(s, "e d a b c");
	free(s);
	delgraph(g);
}
END_TEST

START_TEST(test_deps_sorted)
{
	struct graph *g = mkgraph(5, names);

	graphadd(g, 0, 4);
	graphadd(g, 0, 2);
	graphadd(g, 0, 3);
	ck_assert_uint_eq(g->ndep[0], 3);
	ck_assert_uint_eq(g->dep[0][0], 2);
	ck_assert_uint_eq(g->dep[0][1], 3);
	ck_assert_uint_eq(g->dep[0][2], 4);
	delgraph(g);
}
END_TEST

START_TEST(test_independent)
{
	struct graph *g = mkgraph(3, names);
	struct strvec cyc = {0};
	size_t order[3];
	char *s;

	ck_assert(graphorder(g, order, &cyc));
	s = orderstr(g, order);
	ck_assert_str_eq(s, "a b c");
	free(s);
	delgraph(g);
}
END_TEST

START_TEST(test_cycle)
{
	struct graph *g = mkgraph(4, names);
	struct strvec cyc = {0};
	size_t order[4];

	/* a -> b -> c -> a, and d on a */
	graphadd(g, 0, 1);
	graphadd(g, 1, 2);
	graphadd(g, 2, 0);
	graphadd(g, 3, 0);
	ck_assert(!graphorder(g, order, &cyc));
	ck_assert_uint_eq(cyc.n, 1);
	ck_assert_str_eq(cyc.v[0], "a -> b -> c -> a");
	delstrvec(&cyc);
	delgraph(g);
}
END_TEST

START_TEST(test_two_cycles)
{
	struct graph *g = mkgraph(5, names);
	struct strvec cyc = {0};
	size_t order[5];

	graphadd(g, 0, 1);
	graphadd(g, 1, 0);
	graphadd(g, 3, 4);
	graphadd(g, 4, 3);
	graphadd(g, 2, 2);
	ck_assert(!graphorder(g, order, &cyc));
	ck_assert_uint_eq(cyc.n, 3);
	ck_assert_str_eq(cyc.v[0], "a -> b -> a");
	ck_assert_str_eq(cyc.v[1], "c -> c");
	ck_assert_str_eq(cyc.v[2], "d -> e -> d");
	delstrvec(&cyc);
	delgraph(g);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("graph");

	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_deps_sorted);
	tcase_add_test(tc, test_independent);
	tcase_add_test(tc, test_cycle);
	tcase_add_test(tc, test_two_cycles);
	suite_add_tcase(s, tc);
	return runsuite(s);
}
