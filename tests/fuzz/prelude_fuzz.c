/*
 * libFuzzer target: arbitrary bytes as a rule prelude (ninja syntax, as
 * templates/rules.ninja renders), read back by ninjaprelude; when it is
 * accepted, every rule's command and description expanded for an edge,
 * and the whole written as a Makefile. Build with clang
 * -fsanitize=fuzzer,address,undefined (make fuzz-prelude; its
 * -close_fd_mask=2 hides the expected diagnostics).
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "make.h"
#include "ninja.h"
#include "plan.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p = {0};
	struct edge e = {0};
	struct diag d = {0};
	struct buf out = {0};
	char *s;
	size_t i;

	bufadd(&p.prelude, data, size);
	bufterm(&p.prelude);
	if (ninjaprelude(&p, "fuzz", &d)) {
		for (i = 0; i < p.nrule; i++) {
			memset(&e, 0, sizeof(e));
			e.rule = p.rule[i].name;
			strvecadd(&e.out, "out/a b");
			strvecadd(&e.in, "in/$x");
			edgevar(&e, "name", "'a'\\''b'");
			s = ninjaexpand(&p, &p.rule[i], &e, p.rule[i].command);
			free(s);
			if (p.rule[i].description) {
				s = ninjaexpand(&p, &p.rule[i], &e, p.rule[i].description);
				free(s);
			}
			planedge(&p, &e);
		}
		makewrite(&p, "imagegen", &out, &d);
	}
	delbuf(&out);
	delplan(&p);
	return 0;
}
