/* libFuzzer target: imghdr_parse() on arbitrary bytes.  It must never read
 * past the buffer, and a success must describe a plausible image. */
#include <stdint.h>
#include <stdlib.h>

#include "common/imghdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct imghdr h;
    char err[256];

    err[0] = '\0';
    if (imghdr_parse(data, size, &h, err, sizeof err) == 0) {
        if (h.width <= 0 || h.height <= 0 || h.orientation < 1 || h.orientation > 8)
            abort();
        if (h.format != IMGHDR_PNG && h.format != IMGHDR_JPEG && h.format != IMGHDR_WEBP)
            abort();
    } else if (!err[0]) {
        abort();
    }
    return 0;
}
