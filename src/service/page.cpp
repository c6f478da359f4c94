#include "service/page.hpp"

#include <fmt/format.h>

#include <charconv>

#include "common/strings.hpp"

namespace overture::service {

std::string EncodeCursor(std::int64_t key) { return Base64UrlEncode(fmt::format("k:{}", key)); }

Result<std::int64_t> DecodeCursor(std::string_view cursor, std::int64_t empty_value) {
    if (cursor.empty()) return empty_value;
    std::string raw;
    std::int64_t key = 0;
    if (Base64UrlDecode(cursor, raw) && raw.starts_with("k:")) {
        auto [p, ec] = std::from_chars(raw.data() + 2, raw.data() + raw.size(), key);
        if (ec == std::errc() && p == raw.data() + raw.size()) return key;
    }
    return Fail(Error::InvalidArgument("the cursor is not one this server returned")
                    .With("field", "cursor"));
}

Status CheckLimit(int limit) {
    if (limit < 1 || limit > kMaxPageSize) {
        return Fail(
            Error::InvalidArgument(fmt::format("limit must be between 1 and {}", kMaxPageSize))
                .With("field", "limit"));
    }
    return {};
}

std::string LikePattern(std::string_view text) {
    auto trimmed = Trim(text);
    if (trimmed.empty()) return {};
    std::string out = "%";
    for (char c : ToLower(trimmed)) {
        if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('%');
    return out;
}

}  // namespace overture::service
