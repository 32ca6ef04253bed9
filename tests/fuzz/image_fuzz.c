/*
 * libFuzzer target: load arbitrary bytes as an image.yaml (make fuzz).
 * Every key, type and path check runs; rejected input is reported on
 * stderr, which make fuzz closes.
 */
#include "compat.h"

#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image *img = mkimage("a", "images/a", "images");
	struct diag d = {0};

	imageparse(img, "images/a/image.yaml", (const char *)data, size, &d);
	delimage(img);
	return 0;
}
