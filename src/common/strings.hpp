#pragma once
// Small string helpers shared by every module. All functions are pure and thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace overture {

std::string ToLower(std::string_view s);
std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
bool IsValidUtf8(std::string_view s);
// Appends the UTF-8 encoding of the code point `cp` (the caller checks it is one).
void AppendUtf8(std::string& out, std::uint32_t cp);
// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence (a lead byte and its continuation bytes stay together).
std::string_view CutUtf8Bytes(std::string_view s, std::size_t max_bytes);
// The prefix of `s` that holds its first `max_points` code points (each a lead byte and the
// continuation bytes after it).
std::string_view CutUtf8Points(std::string_view s, std::size_t max_points);

// Unpadded base64url (RFC 4648 section 5).
std::string Base64UrlEncode(std::string_view bytes);
// Accepts padded or unpadded base64url; nullopt-like empty result with ok=false on bad input.
bool Base64UrlDecode(std::string_view text, std::string& out);

std::string HexEncode(std::string_view bytes);

// A text cell made safe to open in a spreadsheet (CSV formula injection, OWASP): one starting
// with '=', '+', '-', '@', a tab or CR gets a leading apostrophe, which spreadsheets show as
// text. Except a signed number or phone number ('+' or '-', then only digits, spaces and
// ". ( ) - /", at least one digit: "+33 6 12 34 56 78", "-2.5"), which can call nothing and
// would not import back with the apostrophe. For text cells only: a number such as -5 in a
// numeric column is written as it is anyway.
std::string SpreadsheetSafe(std::string text);

// Percent-decodes `in` into `out` (and '+' to a space when `plus_is_space`, as in query strings
// and form bodies). False on a broken escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string& out);

// Decodes the entities HTML escaping produces (&amp; &lt; &gt; &quot; &#39; &#34; &apos;);
// any other `&` stays as it is.
std::string DecodeHtmlEntities(std::string_view s);

}  // namespace overture
