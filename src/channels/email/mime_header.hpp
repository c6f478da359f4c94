#pragma once
// Header fields of the messages the MIME writer builds (RFC 5322, RFC 2047). Internal to the
// MIME writer (mime.hpp); declared here so that tests can reach the edge cases directly.
//
// HeaderLine writes one field and folds it: a line break goes before the space that precedes a
// token when the token would pass column 78, never inside a token, so a line is longer than 78
// only when one token is (callers keep tokens short enough for the 998-octet limit).
//
// Text that cannot go into a header as it is (non-ASCII, controls, "=?", a word too long to
// fold) becomes RFC 2047 encoded-words "=?UTF-8?Q?...?=" or "=?UTF-8?B?...?=": Q unless B is
// at least a third shorter for the whole text (so Q for mostly-Latin text, B for CJK or emoji),
// each word at most 75 characters, sized to fill the current line, and never splitting a UTF-8
// sequence. Q uses the restricted set of RFC 2047 section 5 (3), valid in
// a display name as well as in unstructured text.
//
// None of these functions checks for CR, LF or NUL: callers refuse those first (HasLineBreak),
// since silently encoding them would hide a header injection attempt.
//
// Thread-safety: HeaderLine writes to the string it was given; the free functions are pure.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace overture::email {

class HeaderLine {
  public:
    static constexpr std::size_t kFoldColumn = 78;

    // Appends "Name:" to `out`.
    HeaderLine(std::string& out, std::string_view name);

    // Appends " token", folding before the space when the line would pass 78 columns (but
    // never before the first token, which stays on the "Name:" line).
    void Token(std::string_view token);
    // The same for the token prefix + body + suffix (e.g. "<", a URI, ">,"), without building it.
    void Token(std::string_view prefix, std::string_view body, std::string_view suffix);
    // An unstructured value (Subject, extra headers): as is, split into tokens at its spaces,
    // when it is printable ASCII (tab allowed) without "=?" and without a word over 70 bytes;
    // encoded-words otherwise. `value` must be valid UTF-8.
    void Unstructured(std::string_view value);
    // A mailbox: "addr" without a name; `name <addr>` with the name as atoms, a quoted string
    // or encoded-words (see DisplayNameForm). `name` must be valid UTF-8.
    void Mailbox(std::string_view name, std::string_view address);
    // `text` as encoded-words (for phrase and unstructured contexts alike).
    void EncodedWords(std::string_view text);
    // Ends the field with CRLF.
    void End();

  private:
    std::string& out_;
    std::size_t column_;
    bool first_ = true;
};

enum class DisplayNameForm { kAtoms, kQuoted, kEncoded };
// Atoms when the name is ASCII atext words separated by single spaces; a quoted string when it
// is printable ASCII otherwise (specials such as ',' '.' '"' '@', extra spaces); encoded-words
// when it has non-ASCII bytes or controls, contains "=?", a word over 70 bytes, or would be a
// quoted string over 70 bytes (none of which could be folded under 78 columns).
DisplayNameForm ChooseDisplayNameForm(std::string_view name);

// True when `s` holds CR, LF or NUL.
bool HasLineBreak(std::string_view s);

// Appends "Sun, 29 Nov 2026 00:51:57 +0000" (RFC 5322 section 3.3, always UTC).
void AppendRfc5322Date(std::chrono::system_clock::time_point t, std::string& out);

}  // namespace overture::email
