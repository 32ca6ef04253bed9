/*
 * libFuzzer target: parse and render arbitrary bytes as a template with a
 * small fixed context. Build with clang -fsanitize=fuzzer,address,undefined
 * (make fuzz, which also runs it with -close_fd_mask=2: the diagnostics of
 * rejected templates are expected by the thousand).
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tenv *env = mktenv();
	struct buf out = {0};

	tenvsetstr(env, "s", "hello");
	tenvsetyaml(env, "d", "{b: 1, a: [x, 2, 3.5], c: {k: v}, n: ~, t: yes}", "ctx");
	tenvsetyaml(env, "l", "[3, 1, 2]", "ctx");
	tenvsetyaml(env, "n", "010", "ctx");
	tmplcheck("fuzz", (const char *)data, size);
	tmplrender(env, "fuzz", (const char *)data, size, &out);
	delbuf(&out);
	deltenv(env);
	return 0;
}
