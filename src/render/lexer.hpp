#pragma once
// The two tokenizers of the personalization language. Internal to render/.
//
// Split() cuts a template into segments: literal text, outputs `{{ ... }}` and tags
// `{% ... %}`, applies whitespace control (`{{-` `{%-` strip the whitespace before, `-}}`
// `-%}` the whitespace after) and takes care of the two tags whose bodies are not Liquid:
// `raw` (its body becomes literal text) and `comment` (dropped, nested comments counted), plus
// the inline comment `{% # ... %}`. Delimiters inside quoted strings do not end a segment.
//
// MarkupLexer tokenizes the inside of one output or tag.
// Thread-safety: plain functions and a single-thread cursor over borrowed text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace overture::render {

struct Segment {
    enum class Kind { kText, kOutput, kTag };
    Kind kind = Kind::kText;
    std::string_view text;   // kText: the literal (after trimming); else the markup inside
    std::size_t offset = 0;  // byte offset of `text` (of the segment start for kText)
    std::size_t open = 0;    // byte offset of the `{{` or `{%` (of the text for kText)
};

// kInvalidArgument (with position) on an unterminated `{{`, `{%`, string, raw or comment.
Result<std::vector<Segment>> Split(std::string_view source);

enum class Tok {
    kEnd,
    kIdent,
    kInt,
    kFloat,
    kString,
    kDot,
    kDotDot,
    kLBracket,
    kRBracket,
    kLParen,
    kRParen,
    kPipe,
    kColon,
    kComma,
    kCompare,  // == != <> < > <= >=
    kAssign,   // =
};

struct Token {
    Tok kind = Tok::kEnd;
    std::string_view text;   // source text; for kString the contents without quotes
    std::size_t offset = 0;  // byte offset in the whole template
};

class MarkupLexer {
  public:
    // `markup` is a view into `source` starting at byte `offset`.
    MarkupLexer(std::string_view source, std::string_view markup, std::size_t offset)
        : source_(source), markup_(markup), base_(offset) {}

    // The next token (kEnd repeatedly at the end); kInvalidArgument on a character that
    // starts no token or an unterminated string.
    Result<Token> Next();
    // The rest of the markup after the current position, trimmed (for tags like `include`).
    std::size_t Offset() const { return base_ + pos_; }

  private:
    std::string_view source_;
    std::string_view markup_;
    std::size_t base_;
    std::size_t pos_ = 0;
};

}  // namespace overture::render
