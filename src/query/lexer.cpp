#include "query/lexer.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

#include "common/source_error.hpp"
#include "common/strings.hpp"

namespace overture::query {
namespace {

bool IsIdentStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The bytes of the (possibly multi-byte) character at `pos`, for messages.
std::string_view CharAt(std::string_view text, std::size_t pos) {
    std::size_t end = pos + 1;
    while (end < text.size() && end - pos < 4 && IsContinuation(text[end])) ++end;
    return text.substr(pos, end - pos);
}

}  // namespace

bool Token::Is(std::string_view word) const {
    return kind == TokenKind::kIdentifier && text.size() == word.size() && ToLower(text) == word;
}

std::string Token::Describe() const {
    switch (kind) {
        case TokenKind::kEnd:
            return "end of input";
        case TokenKind::kString:
            return "a string";
        default:
            break;
    }
    if (text.size() > 32) return "'" + std::string(text.substr(0, 29)) + "...'";
    return "'" + std::string(text) + "'";
}

char Lexer::Peek(std::size_t ahead) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
}

void Lexer::Bump() {
    char c = text_[pos_++];
    if (c == '\n') {
        ++line_;
        column_ = 1;
    } else if (!IsContinuation(c)) {
        ++column_;
    }
}

void Lexer::SkipWhitespace() {
    while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
        Bump();
    }
}

Error Lexer::ErrorAt(const Span& at, std::string_view message) const {
    return SyntaxError(text_, at, message);
}

Result<Token> Lexer::Next() {
    SkipWhitespace();
    Token token;
    token.span = Here();
    if (pos_ >= text_.size()) return token;
    char c = text_[pos_];
    std::size_t start = pos_;
    auto finish = [&](TokenKind kind) {
        token.kind = kind;
        token.text = text_.substr(start, pos_ - start);
        token.span.length = pos_ - start;
        return token;
    };
    if (IsIdentStart(c)) {
        while (pos_ < text_.size() && IsIdentPart(text_[pos_])) Bump();
        return finish(TokenKind::kIdentifier);
    }
    if (IsDigit(c) || (c == '-' && IsDigit(Peek(1)))) return LexNumber(std::move(token));
    if (c == '"') return LexString(std::move(token));
    if ((c == '-' && Peek(1) == '-') || (c == '/' && (Peek(1) == '*' || Peek(1) == '/'))) {
        return Fail(ErrorAt(token.span, "comments are not allowed, found '" +
                                            std::string(text_.substr(pos_, 2)) + "'"));
    }
    switch (c) {
        case '(':
            Bump();
            return finish(TokenKind::kLParen);
        case ')':
            Bump();
            return finish(TokenKind::kRParen);
        case ',':
            Bump();
            return finish(TokenKind::kComma);
        case '.':
            Bump();
            return finish(TokenKind::kDot);
        case '=':
        case '<':
        case '>':
        case '!': {
            Bump();
            if (c != '=' && Peek() == '=') {
                Bump();
            } else if (c == '!') {
                return Fail(ErrorAt(token.span, "unexpected character '!' (did you mean '!='?)"));
            }
            finish(TokenKind::kCompareOp);
            token.op = *ParseCompareOp(token.text);
            return token;
        }
        default:
            break;
    }
    if (static_cast<unsigned char>(c) >= 0x80) {
        std::string_view ch = CharAt(text_, pos_);
        if (!IsValidUtf8(ch)) return Fail(ErrorAt(token.span, "invalid UTF-8 in the input"));
        return Fail(ErrorAt(token.span, "unexpected character '" + std::string(ch) + "'"));
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        return Fail(ErrorAt(token.span, "unexpected control character"));
    }
    return Fail(ErrorAt(token.span, "unexpected character '" + std::string(1, c) + "'"));
}

Result<Token> Lexer::LexNumber(Token token) {
    std::size_t start = pos_;
    bool decimal = false;
    if (Peek() == '-') Bump();
    while (IsDigit(Peek())) Bump();
    if (Peek() == '.') {
        decimal = true;
        Bump();
        if (!IsDigit(Peek())) return Fail(ErrorAt(Here(), "expected a digit after '.'"));
        while (IsDigit(Peek())) Bump();
    }
    if (Peek() == 'e' || Peek() == 'E') {
        decimal = true;
        Bump();
        if (Peek() == '+' || Peek() == '-') Bump();
        if (!IsDigit(Peek())) return Fail(ErrorAt(Here(), "expected a digit in the exponent"));
        while (IsDigit(Peek())) Bump();
    }
    token.text = text_.substr(start, pos_ - start);
    token.span.length = pos_ - start;
    if (IsIdentPart(Peek()) || Peek() == '.') {
        return Fail(ErrorAt(Here(), "unexpected character '" + std::string(1, Peek()) +
                                        "' after the number '" + std::string(token.text) + "'"));
    }
    const char* first = token.text.data();
    const char* last = first + token.text.size();
    if (decimal) {
        token.kind = TokenKind::kDecimal;
        auto [ptr, ec] = std::from_chars(first, last, token.decimal_value);
        if (ec != std::errc() || ptr != last || !std::isfinite(token.decimal_value)) {
            return Fail(
                ErrorAt(token.span, "number " + std::string(token.text) + " is out of range"));
        }
    } else {
        token.kind = TokenKind::kInteger;
        auto [ptr, ec] = std::from_chars(first, last, token.int_value);
        if (ec != std::errc() || ptr != last) {
            return Fail(ErrorAt(
                token.span, "integer " + std::string(token.text) + " is out of range (64-bit)"));
        }
    }
    return token;
}

Result<std::uint32_t> Lexer::LexHex4() {
    std::uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
        char h = Peek();
        std::uint32_t v;
        if (h >= '0' && h <= '9') {
            v = static_cast<std::uint32_t>(h - '0');
        } else if (h >= 'a' && h <= 'f') {
            v = static_cast<std::uint32_t>(h - 'a' + 10);
        } else if (h >= 'A' && h <= 'F') {
            v = static_cast<std::uint32_t>(h - 'A' + 10);
        } else {
            return Fail(ErrorAt(Here(), "expected four hex digits after '\\u'"));
        }
        cp = cp * 16 + v;
        Bump();
    }
    return cp;
}

Result<Token> Lexer::LexString(Token token) {
    std::size_t start = pos_;
    Bump();  // the opening quote
    std::string& out = token.string_value;
    while (true) {
        if (pos_ >= text_.size()) {
            return Fail(ErrorAt(token.span, "unterminated string: expected a closing '\"'"));
        }
        Span at = Here();
        char c = text_[pos_];
        if (c == '"') {
            Bump();
            break;
        }
        if (c == '\\') {
            Bump();
            char e = Peek();
            if (e == 'u') {
                Bump();
                auto cp = LexHex4();
                if (!cp) return Fail(std::move(cp.error()));
                if (*cp >= 0xDC00 && *cp <= 0xDFFF) {
                    return Fail(ErrorAt(at, "unpaired surrogate in '\\u' escape"));
                }
                if (*cp >= 0xD800 && *cp <= 0xDBFF) {
                    if (Peek() != '\\' || Peek(1) != 'u') {
                        return Fail(ErrorAt(at, "unpaired surrogate in '\\u' escape"));
                    }
                    Bump();
                    Bump();
                    auto low = LexHex4();
                    if (!low) return Fail(std::move(low.error()));
                    if (*low < 0xDC00 || *low > 0xDFFF) {
                        return Fail(ErrorAt(at, "unpaired surrogate in '\\u' escape"));
                    }
                    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
                }
                AppendUtf8(out, *cp);
            } else {
                switch (e) {
                    case '"':
                        out += '"';
                        break;
                    case '\\':
                        out += '\\';
                        break;
                    case 'n':
                        out += '\n';
                        break;
                    case 't':
                        out += '\t';
                        break;
                    default:
                        return Fail(ErrorAt(at,
                                            "unknown escape in string; use \\\" \\\\ \\n "
                                            "\\t or \\uXXXX"));
                }
                Bump();
            }
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
            return Fail(ErrorAt(at, "control character in string; use \\n or \\t"));
        } else if (static_cast<unsigned char>(c) >= 0x80) {
            std::string_view ch = CharAt(text_, pos_);
            if (!IsValidUtf8(ch)) return Fail(ErrorAt(at, "invalid UTF-8 in string"));
            out += ch;
            for (std::size_t i = 0; i < ch.size(); ++i) Bump();
        } else {
            out += c;
            Bump();
        }
        if (out.size() > kMaxStringBytes) {
            return Fail(ErrorAt(token.span, "string is longer than " +
                                                std::to_string(kMaxStringBytes) + " bytes")
                            .With("limit", std::to_string(kMaxStringBytes)));
        }
    }
    token.kind = TokenKind::kString;
    token.text = text_.substr(start, pos_ - start);
    token.span.length = pos_ - start;
    return token;
}

Error SyntaxError(std::string_view text, const Span& at, std::string_view message) {
    return SourceError(text, at.offset, SourcePosition{at.line, at.column}, message);
}

}  // namespace overture::query
