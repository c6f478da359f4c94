#pragma once
// The compile-error format of the personalization language: "line L, column C: message" with
// details line, column, offset and excerpt (the source line and a caret under the position),
// the format of every language of the project (common/source_error.hpp). Columns count Unicode
// code points. Thread-safety: plain values.
#include <cstddef>
#include <string_view>

#include "common/error.hpp"

namespace overture::render {

// kInvalidArgument at `offset` of `text`, formatted as above.
Error ErrorAt(std::string_view text, std::size_t offset, std::string_view message);

}  // namespace overture::render
