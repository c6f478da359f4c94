// The MIME parser; see mime_parse.hpp for what it accepts and refuses.
//
// Approach: one recursive descent over the raw bytes. A part is a header block and a body; the
// body is transfer-decoded, then split on delimiter lines if the part is a multipart, or parsed as
// a whole message if it is message/rfc822. Depth, part count and sizes are checked before any
// work is done on a part, so hostile input costs at most linear time in its size per level.
#include "channels/email/mime_parse.hpp"

#include <array>
#include <cstdint>

#include "common/strings.hpp"

namespace overture::email {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (std::tolower(x) != std::tolower(y)) return false;
    }
    return true;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One line of `text` starting at `pos`: [pos, content_end) without the line end, and the start
// of the next line. A final line without a line end ends at text.size().
struct Line {
    std::string_view content;
    std::size_t next = 0;
};

Line ReadLine(std::string_view text, std::size_t pos) {
    const auto nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view content = text.substr(pos, end - pos);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    return {content, nl == std::string_view::npos ? text.size() : nl + 1};
}

bool IsFieldNameChar(char c) { return c >= 33 && c <= 126 && c != ':'; }

// "Name:" at the start of `line` (RFC 5322 field-name); returns the colon's index or npos.
std::size_t FieldColon(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && IsFieldNameChar(line[i])) ++i;
    if (i == 0 || i >= line.size()) return std::string_view::npos;
    // Tolerate "Name :" (obsolete syntax, RFC 5322 section 4.5).
    std::size_t j = i;
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
    return j < line.size() && line[j] == ':' ? j : std::string_view::npos;
}

// Windows-1252 code points for bytes 0x80-0x9F (0 where the code page leaves the byte unused).
constexpr std::array<std::uint16_t, 32> kCp1252 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// `bytes` in `charset` as UTF-8; nullopt for charsets we do not convert.
std::optional<std::string> ToUtf8(std::string_view charset, std::string_view bytes) {
    const std::string cs = ToLower(Trim(charset));
    if (cs == "utf-8" || cs == "utf8" || cs == "us-ascii" || cs == "ascii") {
        return std::string(bytes);
    }
    const bool latin1 = cs == "iso-8859-1" || cs == "latin1" || cs == "iso_8859-1";
    const bool cp1252 = cs == "windows-1252" || cs == "cp1252";
    if (!latin1 && !cp1252) return std::nullopt;
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        std::uint32_t cp = b;
        if (cp1252 && b >= 0x80 && b <= 0x9F && kCp1252[b - 0x80] != 0) cp = kCp1252[b - 0x80];
        AppendUtf8(out, cp);
    }
    return out;
}

std::string PercentDecode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// Removes RFC 5322 comments "(...)" outside quoted strings.
std::string StripComments(std::string_view s) {
    std::string out;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quoted) {
            out.push_back(c);
            if (c == '\\' && i + 1 < s.size()) {
                out.push_back(s[++i]);
            } else if (c == '"') {
                quoted = false;
            }
        } else if (depth > 0) {
            if (c == '\\') ++i;
            if (c == '(') ++depth;
            if (c == ')') --depth;
        } else if (c == '(') {
            depth = 1;
        } else {
            if (c == '"') quoted = true;
            out.push_back(c);
        }
    }
    return out;
}

struct ContentType {
    std::string media_type;
    std::vector<std::pair<std::string, std::string>> params;
};

// Content-Type: media type and parameters, with RFC 2231 continuations and charsets.
ContentType ParseContentType(std::string_view value) {
    const std::string text = StripComments(value);
    std::string_view s = text;
    ContentType ct;
    const auto semi = s.find(';');
    ct.media_type = ToLower(Trim(s.substr(0, semi)));
    if (ct.media_type.find('/') == std::string::npos) ct.media_type.clear();
    if (semi == std::string_view::npos) return ct;
    s.remove_prefix(semi + 1);

    struct Piece {
        std::string name;
        int section = -1;
        bool extended = false;
        std::string value;
    };
    std::vector<Piece> pieces;
    // Real messages have a handful; the cap keeps the assembly below quadratic in nothing big.
    constexpr std::size_t kMaxPieces = 64;
    while (!s.empty() && pieces.size() < kMaxPieces) {
        s = Trim(s);
        if (s.empty()) break;
        const auto eq = s.find('=');
        const auto next_semi = s.find(';');
        if (eq == std::string_view::npos ||
            (next_semi != std::string_view::npos && next_semi < eq)) {
            if (next_semi == std::string_view::npos) break;
            s.remove_prefix(next_semi + 1);
            continue;
        }
        std::string name = ToLower(Trim(s.substr(0, eq)));
        s.remove_prefix(eq + 1);
        s = Trim(s);
        std::string value;
        if (!s.empty() && s.front() == '"') {
            std::size_t i = 1;
            for (; i < s.size() && s[i] != '"'; ++i) {
                if (s[i] == '\\' && i + 1 < s.size()) ++i;
                value.push_back(s[i]);
            }
            s.remove_prefix(std::min(i + 1, s.size()));
            const auto after = s.find(';');
            s.remove_prefix(after == std::string_view::npos ? s.size() : after + 1);
        } else {
            const auto end = s.find(';');
            value = std::string(Trim(s.substr(0, end)));
            s.remove_prefix(end == std::string_view::npos ? s.size() : end + 1);
        }
        Piece piece;
        if (name.ends_with('*')) {
            piece.extended = true;
            name.pop_back();
        }
        const auto star = name.find('*');
        if (star != std::string::npos) {
            int section = 0;
            bool digits = star + 1 < name.size() && name.size() - star <= 4;
            for (std::size_t i = star + 1; digits && i < name.size(); ++i) {
                if (name[i] < '0' || name[i] > '9')
                    digits = false;
                else
                    section = section * 10 + (name[i] - '0');
            }
            if (digits) {
                piece.section = section;
                name.resize(star);
            }
        }
        piece.name = std::move(name);
        piece.value = std::move(value);
        pieces.push_back(std::move(piece));
    }

    // Assemble: a plain parameter as is; sections in order; the charset of section 0 (or of an
    // unsectioned extended value) applies to the percent-decoded whole.
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const Piece& p = pieces[i];
        bool seen = false;
        for (const auto& existing : ct.params) seen = seen || existing.first == p.name;
        if (seen) continue;
        if (p.section < 0 && !p.extended) {
            ct.params.emplace_back(p.name, p.value);
            continue;
        }
        std::string charset;
        std::string bytes;
        bool any_extended = false;
        for (int section = (p.section < 0 ? -1 : 0); section < 100; ++section) {
            const Piece* found = nullptr;
            for (const Piece& q : pieces) {
                if (q.name == p.name && q.section == section) found = &q;
            }
            if (found == nullptr) break;
            std::string_view v = found->value;
            if (found->extended) {
                any_extended = true;
                if (section <= 0) {
                    const auto q1 = v.find('\'');
                    const auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
                    if (q2 != std::string_view::npos) {
                        charset = std::string(v.substr(0, q1));
                        v.remove_prefix(q2 + 1);
                    }
                }
                bytes += PercentDecode(v);
            } else {
                bytes += v;
            }
            if (section < 0) break;
        }
        if (any_extended && !charset.empty()) {
            if (auto utf8 = ToUtf8(charset, bytes)) bytes = std::move(*utf8);
        }
        ct.params.emplace_back(p.name, std::move(bytes));
    }
    return ct;
}

std::string HeaderValue(std::string_view raw) {
    // Unfold: drop the line breaks, keep the whitespace that starts each continuation line.
    std::string out;
    out.reserve(raw.size());
    for (const char c : raw) {
        if (c != '\r' && c != '\n') out.push_back(c);
    }
    return std::string(Trim(out));
}

struct Parser {
    const MimeLimits& limits;
    std::size_t parts = 0;

    Error Fail(const std::string& path, std::string what) const {
        return Error::InvalidArgument((path.empty() ? std::string("message") : "part " + path) +
                                      ": " + std::move(what));
    }

    Status ParsePart(std::string_view raw, std::size_t depth, const std::string& path,
                     const std::string& default_type, MimePart& part) {
        if (depth > limits.max_depth) {
            return std::unexpected(
                Fail(path, "nested deeper than " + std::to_string(limits.max_depth) + " levels"));
        }
        if (++parts > limits.max_parts) {
            return std::unexpected(
                Fail(path, "more than " + std::to_string(limits.max_parts) + " parts"));
        }
        // The header block.
        std::size_t pos = 0;
        if (depth == 0 && raw.starts_with("From ")) pos = ReadLine(raw, 0).next;  // mbox
        std::size_t header_start = pos;
        std::size_t field_start = std::string_view::npos;
        auto flush = [&](std::size_t end) {
            if (field_start == std::string_view::npos) return;
            const std::string_view field = raw.substr(field_start, end - field_start);
            const auto colon = FieldColon(field);
            MimeHeader h;
            h.name = std::string(Trim(field.substr(0, colon)));
            h.value = HeaderValue(field.substr(colon + 1));
            part.headers.push_back(std::move(h));
            field_start = std::string_view::npos;
        };
        while (pos < raw.size()) {
            if (pos - header_start > limits.max_header_bytes) {
                return std::unexpected(Fail(
                    path,
                    "header block over " + std::to_string(limits.max_header_bytes) + " bytes"));
            }
            const Line line = ReadLine(raw, pos);
            if (line.content.empty()) {  // the blank line ends the header block
                flush(pos);
                pos = line.next;
                break;
            }
            if (line.content.front() == ' ' || line.content.front() == '\t') {
                pos = line.next;  // continuation (of nothing, if the block starts with one)
                continue;
            }
            flush(pos);
            if (FieldColon(line.content) == std::string_view::npos) {
                // Not a field: the body starts here (a part without a blank line after its
                // headers), unless we are still before any field of a top-level message.
                if (part.headers.empty() && depth == 0) {
                    pos = line.next;
                    continue;
                }
                break;
            }
            field_start = pos;
            pos = line.next;
        }
        flush(std::min(pos, raw.size()));
        if (pos - header_start > limits.max_header_bytes) {
            return std::unexpected(Fail(
                path, "header block over " + std::to_string(limits.max_header_bytes) + " bytes"));
        }
        const std::string_view body = raw.substr(std::min(pos, raw.size()));

        // The content type.
        if (const auto ct_header = part.Header("Content-Type")) {
            ContentType ct = ParseContentType(*ct_header);
            part.media_type = std::move(ct.media_type);
            part.params = std::move(ct.params);
        }
        if (part.media_type.empty()) part.media_type = default_type;

        // The transfer encoding.
        std::string decoded;
        const std::string cte = ToLower(part.Header("Content-Transfer-Encoding").value_or(""));
        if (cte == "base64") {
            auto bytes = DecodeBase64(body);
            if (!bytes) return std::unexpected(Fail(path, bytes.error().message));
            decoded = std::move(*bytes);
        } else if (cte == "quoted-printable") {
            decoded = DecodeQuotedPrintable(body);
        } else {
            decoded = std::string(body);
        }

        if (part.IsMultipart()) return ParseMultipart(decoded, depth, path, part);
        const bool message =
            part.media_type == "message/rfc822" || part.media_type == "message/global";
        if (message && limits.parse_embedded_messages) {
            MimePart child;
            const std::string child_path = (path.empty() ? std::string("1") : path) + "[message]";
            if (auto st = ParsePart(decoded, depth + 1, child_path, "text/plain", child); !st) {
                return st;
            }
            part.children.push_back(std::move(child));
            return {};
        }
        part.body = std::move(decoded);
        return {};
    }

    Status ParseMultipart(std::string_view body, std::size_t depth, const std::string& path,
                          MimePart& part) {
        const std::string boundary(part.Param("boundary"));
        if (boundary.empty() || boundary.size() > 200) {
            return std::unexpected(Fail(path, part.media_type + " without a valid boundary"));
        }
        const std::string default_type =
            part.media_type == "multipart/digest" ? "message/rfc822" : "text/plain";
        const std::string dash = "--" + boundary;
        std::size_t pos = 0;
        std::size_t content_start = std::string_view::npos;  // after the previous delimiter
        bool found_any = false;
        int index = 0;
        auto emit = [&](std::size_t end) -> Status {
            std::string_view content = body.substr(content_start, end - content_start);
            // The line break before a delimiter belongs to the delimiter.
            if (content.ends_with('\n')) content.remove_suffix(1);
            if (content.ends_with('\r')) content.remove_suffix(1);
            ++index;
            MimePart child;
            const std::string child_path =
                path.empty() ? std::to_string(index) : path + "." + std::to_string(index);
            if (auto st = ParsePart(content, depth + 1, child_path, default_type, child); !st) {
                return st;
            }
            part.children.push_back(std::move(child));
            return {};
        };
        while (pos < body.size()) {
            const Line line = ReadLine(body, pos);
            if (line.content.starts_with(dash)) {
                std::string_view tail = line.content.substr(dash.size());
                const bool close = tail.starts_with("--");
                if (close) tail.remove_prefix(2);
                if (Trim(tail).empty()) {
                    found_any = true;
                    if (content_start != std::string_view::npos) {
                        if (auto st = emit(pos); !st) return st;
                    }
                    if (close) return {};
                    content_start = line.next;
                }
            }
            pos = line.next;
        }
        if (!found_any) {
            return std::unexpected(Fail(
                path, "no delimiter line for boundary \"" + boundary + "\" in " + part.media_type));
        }
        // No closing delimiter: a truncated message; what we have is the last part.
        if (content_start != std::string_view::npos && content_start <= body.size()) {
            return emit(body.size());
        }
        return {};
    }
};

}  // namespace

std::optional<std::string_view> MimePart::Header(std::string_view name) const {
    for (const auto& h : headers) {
        if (IEquals(h.name, name)) return std::string_view(h.value);
    }
    return std::nullopt;
}

std::vector<std::string_view> MimePart::Headers(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& h : headers) {
        if (IEquals(h.name, name)) out.emplace_back(h.value);
    }
    return out;
}

std::string MimePart::DecodedHeader(std::string_view name) const {
    const auto value = Header(name);
    return value ? DecodeRfc2047(*value) : std::string();
}

std::string_view MimePart::Param(std::string_view name) const {
    for (const auto& [key, value] : params) {
        if (IEquals(key, name)) return value;
    }
    return {};
}

Result<MimePart> ParseMime(std::string_view raw, const MimeLimits& limits) {
    if (raw.size() > limits.max_bytes) {
        return Fail(Error::InvalidArgument("message of " + std::to_string(raw.size()) +
                                           " bytes is over the limit of " +
                                           std::to_string(limits.max_bytes)));
    }
    Parser parser{limits};
    MimePart top;
    if (auto st = parser.ParsePart(raw, 0, "", "text/plain", top); !st) {
        return std::unexpected(std::move(st.error()));
    }
    return top;
}

std::vector<MimeHeader> ParseHeaderBlock(std::string_view text, std::string_view* rest) {
    std::vector<MimeHeader> out;
    std::size_t pos = 0;
    // Leading blank lines (between DSN field groups there may be several) are skipped.
    while (pos < text.size()) {
        const Line line = ReadLine(text, pos);
        if (!Trim(line.content).empty()) break;
        pos = line.next;
    }
    while (pos < text.size()) {
        const Line line = ReadLine(text, pos);
        if (Trim(line.content).empty()) {
            pos = line.next;
            break;
        }
        if (line.content.front() == ' ' || line.content.front() == '\t') {
            if (!out.empty())
                out.back().value =
                    std::string(Trim(out.back().value + " " + std::string(Trim(line.content))));
            pos = line.next;
            continue;
        }
        const auto colon = FieldColon(line.content);
        if (colon != std::string_view::npos) {
            out.push_back({std::string(Trim(line.content.substr(0, colon))),
                           std::string(Trim(line.content.substr(colon + 1)))});
        }
        pos = line.next;
    }
    if (rest != nullptr) *rest = text.substr(std::min(pos, text.size()));
    return out;
}

Result<std::string> DecodeBase64(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int bits = 0;
    int count = 0;  // significant characters in the current quantum
    bool padding = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        int v = -1;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        if (v < 0) {
            return Fail(Error::InvalidArgument("bad base64: character " +
                                               std::to_string(static_cast<unsigned char>(c)) +
                                               " at offset " + std::to_string(i)));
        }
        if (padding) {
            // Data after padding: concatenated base64 chunks; start a new quantum.
            padding = false;
            acc = 0;
            bits = 0;
            count = 0;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        count = (count + 1) % 4;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (count == 1) return Fail(Error::InvalidArgument("bad base64: truncated final quantum"));
    return out;
}

std::string DecodeQuotedPrintable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        const bool has_break = nl != std::string_view::npos;
        std::string_view line = text.substr(pos, (has_break ? nl : text.size()) - pos);
        if (line.ends_with('\r')) line.remove_suffix(1);
        // Trailing whitespace is transport padding (RFC 2045 6.7 rule 3).
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        bool soft = false;
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] != '=') {
                out.push_back(line[i]);
            } else if (i + 1 == line.size()) {
                soft = true;
            } else if (i + 2 < line.size() && HexValue(line[i + 1]) >= 0 &&
                       HexValue(line[i + 2]) >= 0) {
                out.push_back(
                    static_cast<char>(HexValue(line[i + 1]) * 16 + HexValue(line[i + 2])));
                i += 2;
            } else {
                out.push_back('=');  // a bad escape is kept literally
            }
        }
        if (has_break && !soft) out += "\r\n";
        pos = has_break ? nl + 1 : text.size();
    }
    return out;
}

std::string DecodeRfc2047(std::string_view text) {
    std::string out;
    std::size_t pos = 0;
    bool last_was_word = false;
    while (pos < text.size()) {
        const auto start = text.find("=?", pos);
        if (start == std::string_view::npos) {
            out += text.substr(pos);
            break;
        }
        // =?charset?E?text?=
        const auto q1 = text.find('?', start + 2);
        const auto q2 = q1 == std::string_view::npos ? q1 : text.find('?', q1 + 1);
        const auto end = q2 == std::string_view::npos ? q2 : text.find("?=", q2 + 1);
        if (end == std::string_view::npos || q2 != q1 + 2) {
            out += text.substr(pos, start + 2 - pos);
            pos = start + 2;
            last_was_word = false;
            continue;
        }
        const std::string_view between = text.substr(pos, start - pos);
        const bool only_space = Trim(between).empty();
        if (!(last_was_word && only_space)) out += between;
        std::string_view charset = text.substr(start + 2, q1 - start - 2);
        if (const auto star = charset.find('*'); star != std::string_view::npos) {
            charset = charset.substr(0, star);  // RFC 2231 language suffix
        }
        const char enc = static_cast<char>(std::tolower(static_cast<unsigned char>(text[q1 + 1])));
        const std::string_view payload = text.substr(q2 + 1, end - q2 - 1);
        std::optional<std::string> bytes;
        if (payload.find(' ') != std::string_view::npos) {
            bytes.reset();
        } else if (enc == 'b') {
            if (auto b = DecodeBase64(payload)) bytes = std::move(*b);
        } else if (enc == 'q') {
            std::string q;
            for (std::size_t i = 0; i < payload.size(); ++i) {
                if (payload[i] == '_') {
                    q.push_back(' ');
                } else if (payload[i] == '=' && i + 2 < payload.size() &&
                           HexValue(payload[i + 1]) >= 0 && HexValue(payload[i + 2]) >= 0) {
                    q.push_back(static_cast<char>(HexValue(payload[i + 1]) * 16 +
                                                  HexValue(payload[i + 2])));
                    i += 2;
                } else {
                    q.push_back(payload[i]);
                }
            }
            bytes = std::move(q);
        }
        std::optional<std::string> utf8 = bytes ? ToUtf8(charset, *bytes) : std::nullopt;
        if (utf8) {
            out += *utf8;
            last_was_word = true;
        } else {
            out += text.substr(start, end + 2 - start);
            last_was_word = false;
        }
        pos = end + 2;
    }
    return out;
}

}  // namespace overture::email
