#pragma once
// The error format of the project's languages (the query language, the personalization
// language): "line L, column C: message", kInvalidArgument, with the details line, column,
// offset and excerpt (the source line, cut to about 60 bytes each side of the position on long
// lines, and a caret under the position). Lines and columns are 1-based; columns count Unicode
// code points. The message and the excerpt are always valid UTF-8 (bad bytes become U+FFFD):
// they go back to clients inside JSON. Thread-safety: pure functions.
#include <cstddef>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture {

struct SourcePosition {
    int line = 1;
    int column = 1;
};

// The line and column of a byte offset in `text` (an offset past the end counts as the end).
SourcePosition PositionOf(std::string_view text, std::size_t offset);

// `s` with every byte that does not start a valid UTF-8 character replaced by U+FFFD.
std::string ToValidUtf8(std::string_view s);

// kInvalidArgument at `offset` of `text`, whose line and column the caller already knows.
Error SourceError(std::string_view text, std::size_t offset, SourcePosition at,
                  std::string_view message);

// The same, computing the line and column.
inline Error SourceError(std::string_view text, std::size_t offset, std::string_view message) {
    return SourceError(text, offset, PositionOf(text, offset), message);
}

}  // namespace overture
