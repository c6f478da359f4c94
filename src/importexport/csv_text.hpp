#pragma once
// Text-encoding helpers shared by the CSV reader and sniffer. Pure functions; thread-safe.
#include <cstddef>
#include <string_view>

namespace overture::importexport {

// True if `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF). With `allow_truncated_end`, a multi-byte sequence cut off by the end of `text` is
// accepted (for samples taken from the start of a file).
bool IsValidUtf8(std::string_view text, bool allow_truncated_end = false);

// Writes `in` (ISO-8859-1) as UTF-8 to `out`, which must hold 2 * in.size() bytes. Returns the
// number of bytes written.
std::size_t Latin1ToUtf8(std::string_view in, char* out);

}  // namespace overture::importexport
