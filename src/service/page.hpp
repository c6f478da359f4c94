#pragma once
// Keyset pagination shared by every list use case: a page size and an opaque cursor in, a page
// of items and the cursor of the next page (or none) out. Plain values.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace overture::service {

struct PageRequest {
    int limit = 50;      // 1..500
    std::string cursor;  // empty for the first page
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<std::string> next;  // pass back as PageRequest::cursor
};

inline constexpr int kMaxPageSize = 500;

// The cursor for "after this key".
std::string EncodeCursor(std::int64_t key);
// The key inside a cursor; `empty_value` for an empty cursor. kInvalidArgument for a cursor
// that we did not make.
Result<std::int64_t> DecodeCursor(std::string_view cursor, std::int64_t empty_value);
// kInvalidArgument unless 1 <= limit <= kMaxPageSize.
Status CheckLimit(int limit);

// Turns a user's search text into a lower-case LIKE pattern with % and _ escaped ('' stays '').
std::string LikePattern(std::string_view text);

}  // namespace overture::service
