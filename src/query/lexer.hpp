#pragma once
// The tokenizer of the text form, and the syntax-error format shared by the text front end.
// Internal to query/: the parser pulls tokens one at a time, so the first error in reading
// order is the one reported. Thread-safety: a Lexer is used by one thread; it borrows `text`,
// which must outlive it.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "query/ast.hpp"

namespace overture::query {

enum class TokenKind {
    kEnd,
    kIdentifier,  // also keywords; the parser compares case-insensitively
    kInteger,
    kDecimal,
    kString,
    kCompareOp,
    kLParen,
    kRParen,
    kComma,
    kDot,
};

struct Token {
    TokenKind kind = TokenKind::kEnd;
    std::string_view text;  // the source text of the token; empty at the end
    Span span;
    std::string string_value;  // kString, decoded
    std::int64_t int_value = 0;
    double decimal_value = 0;
    CompareOp op = CompareOp::kEq;

    // Case-insensitive keyword test: true for an identifier spelled `word` in any case.
    bool Is(std::string_view word) const;
    // How the token is named in messages: "'and'", "a string", "end of input".
    std::string Describe() const;
};

class Lexer {
  public:
    explicit Lexer(std::string_view text) : text_(text) {}

    // The next token, kEnd at the end (repeatedly). kInvalidArgument (SyntaxError) on an
    // unexpected character, a comment, a malformed or out-of-range number, or a bad string
    // (unterminated, unknown escape, raw control character, invalid UTF-8, over 4 KiB).
    Result<Token> Next();

  private:
    void SkipWhitespace();
    char Peek(std::size_t ahead = 0) const;
    void Bump();  // advances one byte, keeping line and column
    Span Here() const { return Span{line_, column_, pos_, 0}; }
    Error ErrorAt(const Span& at, std::string_view message) const;
    Result<Token> LexNumber(Token token);
    Result<Token> LexString(Token token);
    Result<std::uint32_t> LexHex4();

    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
};

// kInvalidArgument "line L, column C: <message>" with details "line", "column", "offset" and
// "excerpt" (the source line, a newline, and a '^' under the position; long lines are cut
// around the position with "...").
Error SyntaxError(std::string_view text, const Span& at, std::string_view message);

}  // namespace overture::query
