#pragma once
// A small, defensive MIME parser (RFC 5322, 2045-2047, 2231, 6532) for mail we receive: bounces
// (DSN), complaint reports (ARF) and whatever else lands in a bounce mailbox. It reads a whole
// message held in memory into a tree of parts with decoded bodies. It does not convert charsets
// of bodies (bytes stay as sent) and does not validate addresses.
//
// Accepted leniency (real bounces are often sloppy or truncated):
//   - CRLF or bare LF line ends; header lines without a colon inside the header block are skipped;
//   - a multipart whose closing delimiter is missing (a truncated message) ends at the input's
//     end; preamble and epilogue are ignored;
//   - base64 with missing padding, line breaks or spaces; quoted-printable with bad escapes (kept
//     literally); unknown transfer encodings are kept as they are;
//   - message/rfc822 (and message/global) parts are parsed into one child, whatever their
//     transfer encoding says.
// Errors (kInvalidArgument, the message says what and where, e.g. "part 2.1: ..."): input over
// `max_bytes`, more than `max_parts` parts, nesting deeper than `max_depth`, a header block over
// `max_header_bytes`, a multipart without a boundary parameter or without any delimiter line,
// base64 with characters outside the alphabet or a dangling final character.
//
// Thread-safety: pure functions and plain values.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace overture::email {

struct MimeLimits {
    std::size_t max_depth = 16;   // multipart and message/rfc822 nesting below the top level
    std::size_t max_parts = 256;  // parts in the whole tree, the top level included
    std::size_t max_bytes = std::size_t{32} << 20;
    std::size_t max_header_bytes = std::size_t{256} << 10;  // one part's header block
    // false: message/rfc822 parts keep their decoded body and get no child. ParseBounce falls
    // back to this when an attached original message is too broken to parse.
    bool parse_embedded_messages = true;
};

struct MimeHeader {
    std::string name;   // as written
    std::string value;  // unfolded (line breaks removed), surrounding spaces trimmed; raw bytes
};

struct MimePart {
    std::vector<MimeHeader> headers;  // in order
    std::string media_type;           // lower case "type/subtype"; the RFC 2045 default if absent
    std::vector<std::pair<std::string, std::string>> params;  // names lower case, values decoded
    std::string body;                // after the transfer encoding; empty for multiparts
    std::vector<MimePart> children;  // multipart parts, or the one message of a message/rfc822

    // The first header of that name (case-insensitive), unfolded; nullopt if absent.
    std::optional<std::string_view> Header(std::string_view name) const;
    // Every header of that name, in order.
    std::vector<std::string_view> Headers(std::string_view name) const;
    // The first header of that name with RFC 2047 encoded words decoded to UTF-8; "" if absent.
    std::string DecodedHeader(std::string_view name) const;
    // A Content-Type parameter (name case-insensitive); "" if absent.
    std::string_view Param(std::string_view name) const;
    bool IsMultipart() const { return media_type.starts_with("multipart/"); }
};

Result<MimePart> ParseMime(std::string_view raw, const MimeLimits& limits = {});

// A block of "Name: value" fields (a header block, or one block of a message/delivery-status
// body), unfolded. Stops at the first empty line; `rest` (if given) receives what follows it.
std::vector<MimeHeader> ParseHeaderBlock(std::string_view text, std::string_view* rest = nullptr);

// RFC 2047 encoded words ("=?utf-8?q?...?=", B or Q) decoded to UTF-8. Charsets understood:
// UTF-8, US-ASCII, ISO-8859-1 and Windows-1252; words in other charsets stay as written.
// Whitespace between adjacent encoded words is dropped, as the RFC requires.
std::string DecodeRfc2047(std::string_view text);

// Transfer decodings, exposed for tests. Base64 fails on characters outside the alphabet.
Result<std::string> DecodeBase64(std::string_view text);
std::string DecodeQuotedPrintable(std::string_view text);

}  // namespace overture::email
