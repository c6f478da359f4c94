#include "render/lexer.hpp"

#include "render/source.hpp"

namespace overture::render {
namespace {

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c) || c == '-'; }

// The end of a `{{` or `{%` segment that starts at `from` (just after the opener): the offset
// of the closer, skipping quoted strings, or npos.
std::size_t FindCloser(std::string_view s, std::size_t from, char close) {
    for (std::size_t i = from; i + 1 < s.size(); ++i) {
        char c = s[i];
        if (c == '"' || c == '\'') {
            std::size_t end = s.find(c, i + 1);
            if (end == std::string_view::npos) return std::string_view::npos;
            i = end;
            continue;
        }
        if (c == close && s[i + 1] == '}') return i;
    }
    return std::string_view::npos;
}

std::string_view TagName(std::string_view markup) {
    std::size_t i = 0;
    while (i < markup.size() && IsSpace(markup[i])) ++i;
    std::size_t start = i;
    if (i < markup.size() && markup[i] == '#') return markup.substr(i, 1);
    while (i < markup.size() && IsIdentPart(markup[i])) ++i;
    return markup.substr(start, i - start);
}

struct Raw {
    std::size_t open;         // offset of `{%` of the opening tag
    std::size_t open_end;     // offset after `%}`
    std::size_t close;        // offset of `{%` of the closing tag
    std::size_t close_end;    // offset after its `%}`
    bool trim_after = false;  // the closing tag ends with `-%}`
};

// Finds the `{% <end_name> %}` that closes a raw or comment body starting at `from`;
// for comments, nested `{% comment %}` are counted.
bool FindEnd(std::string_view s, std::size_t from, std::string_view name, std::string_view end_name,
             Raw& raw) {
    int depth = 1;
    std::size_t i = from;
    while (true) {
        std::size_t open = s.find("{%", i);
        if (open == std::string_view::npos) return false;
        std::size_t close = s.find("%}", open + 2);
        if (close == std::string_view::npos) return false;
        std::string_view inner = s.substr(open + 2, close - open - 2);
        bool trim_after = !inner.empty() && inner.back() == '-';
        if (!inner.empty() && inner.front() == '-') inner.remove_prefix(1);
        std::string_view tag = TagName(inner);
        if (tag == end_name) {
            if (--depth == 0) {
                raw.close = open;
                raw.close_end = close + 2;
                raw.trim_after = trim_after;
                return true;
            }
        } else if (tag == name && name == "comment") {
            ++depth;
        }
        i = close + 2;
    }
}

}  // namespace

Result<std::vector<Segment>> Split(std::string_view s) {
    std::vector<Segment> out;
    bool trim_next = false;  // the previous segment ended with `-}}` or `-%}`
    std::size_t pos = 0;
    auto add_text = [&](std::size_t from, std::size_t to, bool trim_before) {
        std::string_view t = s.substr(from, to - from);
        std::size_t offset = from;
        if (trim_next) {
            std::size_t k = 0;
            while (k < t.size() && IsSpace(t[k])) ++k;
            t.remove_prefix(k);
            offset += k;
        }
        if (trim_before) {
            while (!t.empty() && IsSpace(t.back())) t.remove_suffix(1);
        }
        trim_next = false;
        if (!t.empty()) out.push_back({Segment::Kind::kText, t, offset, offset});
    };
    while (pos < s.size()) {
        std::size_t open = pos;
        while (true) {
            open = s.find('{', open);
            if (open == std::string_view::npos || open + 1 >= s.size()) {
                open = std::string_view::npos;
                break;
            }
            if (s[open + 1] == '{' || s[open + 1] == '%') break;
            ++open;
        }
        if (open == std::string_view::npos) {
            add_text(pos, s.size(), false);
            break;
        }
        bool is_tag = s[open + 1] == '%';
        std::size_t inner = open + 2;
        bool trim_before = inner < s.size() && s[inner] == '-';
        if (trim_before) ++inner;
        std::size_t close = FindCloser(s, inner, is_tag ? '%' : '}');
        if (close == std::string_view::npos) {
            return Fail(ErrorAt(
                s, open, is_tag ? "'{%' is not closed by '%}'" : "'{{' is not closed by '}}'"));
        }
        bool trim_after = close > inner && s[close - 1] == '-';
        std::size_t inner_end = trim_after ? close - 1 : close;
        add_text(pos, open, trim_before);
        std::string_view markup = s.substr(inner, inner_end - inner);
        pos = close + 2;
        if (is_tag) {
            std::string_view name = TagName(markup);
            if (name == "raw" || name == "comment") {
                Raw raw{open, pos, 0, 0};
                std::string_view end_name = name == "raw" ? "endraw" : "endcomment";
                if (!FindEnd(s, pos, name, end_name, raw)) {
                    return Fail(ErrorAt(s, open,
                                        "'" + std::string(name) + "' is not closed by '{% " +
                                            std::string(end_name) + " %}'"));
                }
                if (name == "raw" && raw.close > pos) {
                    out.push_back({Segment::Kind::kText, s.substr(pos, raw.close - pos), pos, pos});
                }
                pos = raw.close_end;
                trim_next = raw.trim_after;
                continue;
            }
            if (name == "#") {  // inline comment
                trim_next = trim_after;
                continue;
            }
        }
        out.push_back({is_tag ? Segment::Kind::kTag : Segment::Kind::kOutput, markup, inner, open});
        trim_next = trim_after;
    }
    return out;
}

Result<Token> MarkupLexer::Next() {
    while (pos_ < markup_.size() && IsSpace(markup_[pos_])) ++pos_;
    Token t;
    t.offset = base_ + pos_;
    if (pos_ >= markup_.size()) return t;
    std::size_t start = pos_;
    char c = markup_[pos_];
    auto single = [&](Tok kind, std::size_t len) {
        t.kind = kind;
        t.text = markup_.substr(start, len);
        pos_ += len;
        return t;
    };
    char next = pos_ + 1 < markup_.size() ? markup_[pos_ + 1] : '\0';
    if (IsDigit(c) || (c == '-' && IsDigit(next))) {
        ++pos_;
        while (pos_ < markup_.size() && IsDigit(markup_[pos_])) ++pos_;
        t.kind = Tok::kInt;
        if (pos_ + 1 < markup_.size() && markup_[pos_] == '.' && IsDigit(markup_[pos_ + 1])) {
            ++pos_;
            while (pos_ < markup_.size() && IsDigit(markup_[pos_])) ++pos_;
            t.kind = Tok::kFloat;
        }
        t.text = markup_.substr(start, pos_ - start);
        return t;
    }
    if (IsIdentStart(c)) {
        while (pos_ < markup_.size() && IsIdentPart(markup_[pos_])) ++pos_;
        if (pos_ < markup_.size() && markup_[pos_] == '?') ++pos_;
        t.kind = Tok::kIdent;
        t.text = markup_.substr(start, pos_ - start);
        return t;
    }
    if (c == '"' || c == '\'') {
        std::size_t end = markup_.find(c, pos_ + 1);
        if (end == std::string_view::npos) {
            return Fail(ErrorAt(source_, t.offset, "unterminated string"));
        }
        t.kind = Tok::kString;
        t.text = markup_.substr(pos_ + 1, end - pos_ - 1);
        pos_ = end + 1;
        return t;
    }
    switch (c) {
        case '.':
            return next == '.' ? single(Tok::kDotDot, 2) : single(Tok::kDot, 1);
        case '[':
            return single(Tok::kLBracket, 1);
        case ']':
            return single(Tok::kRBracket, 1);
        case '(':
            return single(Tok::kLParen, 1);
        case ')':
            return single(Tok::kRParen, 1);
        case '|':
            return single(Tok::kPipe, 1);
        case ':':
            return single(Tok::kColon, 1);
        case ',':
            return single(Tok::kComma, 1);
        case '=':
            return next == '=' ? single(Tok::kCompare, 2) : single(Tok::kAssign, 1);
        case '!':
            if (next == '=') return single(Tok::kCompare, 2);
            break;
        case '<':
            if (next == '=' || next == '>') return single(Tok::kCompare, 2);
            return single(Tok::kCompare, 1);
        case '>':
            if (next == '=') return single(Tok::kCompare, 2);
            return single(Tok::kCompare, 1);
        default:
            break;
    }
    std::size_t len = 1;
    while (start + len < markup_.size() &&
           (static_cast<unsigned char>(markup_[start + len]) & 0xC0) == 0x80) {
        ++len;
    }
    return Fail(ErrorAt(source_, t.offset,
                        "unexpected character '" + std::string(markup_.substr(start, len)) + "'"));
}

}  // namespace overture::render
