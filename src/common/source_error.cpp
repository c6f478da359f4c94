#include "common/source_error.hpp"

#include <algorithm>

#include "common/strings.hpp"

namespace overture {
namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

SourcePosition PositionOf(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    SourcePosition p;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else if (!IsContinuation(text[i])) {
            ++p.column;
        }
    }
    return p;
}

std::string ToValidUtf8(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::string_view ch = s.substr(i, c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4);
        if (IsValidUtf8(ch)) {
            out += ch;
            i += ch.size();
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

Error SourceError(std::string_view text, std::size_t offset, SourcePosition at,
                  std::string_view message) {
    std::size_t off = std::min(offset, text.size());
    std::size_t start = off == 0 ? std::string_view::npos : text.rfind('\n', off - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::size_t end = text.find('\n', off);
    if (end == std::string_view::npos) end = text.size();
    if (end > start && text[end - 1] == '\r') --end;
    if (off > end) off = end;
    // Long lines: a window of about 60 bytes before and 60 after the position.
    constexpr std::size_t kBefore = 60;
    constexpr std::size_t kAfter = 60;
    std::size_t begin = off - start > kBefore ? off - kBefore : start;
    while (begin > start && begin < text.size() && IsContinuation(text[begin])) ++begin;
    std::size_t stop = end - off > kAfter ? off + kAfter : end;
    while (stop < end && IsContinuation(text[stop])) --stop;
    std::string line;
    std::string caret;
    if (begin > start) {
        line = "...";
        caret = "   ";
    }
    line += ToValidUtf8(text.substr(begin, stop - begin));
    if (stop < end) line += "...";
    for (std::size_t i = begin; i < off; ++i) {
        if (text[i] == '\t') {
            caret += '\t';
        } else if (!IsContinuation(text[i])) {
            caret += ' ';
        }
    }
    caret += '^';
    std::string where = "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
    // Messages may quote the source (a token, a name), which may not be UTF-8.
    return Error::InvalidArgument(where + ": " + ToValidUtf8(message))
        .With("line", std::to_string(at.line))
        .With("column", std::to_string(at.column))
        .With("offset", std::to_string(offset))
        .With("excerpt", line + "\n" + caret);
}

}  // namespace overture
