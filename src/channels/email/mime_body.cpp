// Content-Transfer-Encodings of body parts; see mime_body.hpp.
#include "channels/email/mime_body.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>

namespace overture::email {
namespace {

constexpr std::size_t kMax7bitLine = 998;  // RFC 5322 section 2.1.1, without the CRLF
constexpr std::size_t kQpLine = 76;        // RFC 2045 section 6.7 rule (5)
constexpr std::size_t kBase64Line = 76;    // RFC 2045 section 6.8
constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Byte classes of the scan: 0 = plain printable ASCII (also space and tab), 1 = needs a look.
constexpr std::array<unsigned char, 256> kScanClass = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = (c < 0x20 || c >= 0x7F || c == '=') ? 1 : 0;
    t['\t'] = 0;
    return t;
}();

// Bytes quoted-printable may write as themselves (before the line-end and line-start rules).
constexpr std::array<bool, 256> kQpLiteral = [] {
    std::array<bool, 256> t{};
    for (int c = 33; c <= 126; ++c) t[c] = c != '=';
    t[' '] = t['\t'] = true;
    return t;
}();

// Bytes quoted-printable always writes as =XX, wherever they are: '=', non-ASCII, and controls
// other than TAB, CR and LF (a CR may be half of a line end).
constexpr std::array<bool, 256> kQpEscaped = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = c == '=' || c >= 0x7F || c < 0x20;
    t['\t'] = t['\r'] = t['\n'] = false;
    return t;
}();

// Appends at most `bound` bytes that `write(char* dst)` produces and returns the count of,
// straight into `out`'s buffer. Capacity grows geometrically so that repeated appends to one
// string stay amortized.
template <typename Write>
void AppendInPlace(std::string& out, std::size_t bound, Write&& write) {
    const std::size_t old = out.size();
    if (out.capacity() < old + bound) out.reserve(std::max(old + bound, 2 * out.capacity()));
    out.resize_and_overwrite(old + bound, [&](char* p, std::size_t) {
        const std::size_t written = write(p + old);
        assert(written <= bound);  // the bounds are proven in EncodedTextBound; tests check them
        return old + written;
    });
}

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

std::uint64_t LoadWord(const char* p) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// Whether some byte of `w` is zero (the classic SWAR test; exact when combined as below).
constexpr std::uint64_t HasZeroByte(std::uint64_t w) { return (w - kOnes) & ~w & kHighBits; }

// True when all 8 bytes are printable ASCII (0x20-0x7E) and none is '='. Bytes with the high bit
// set are caught by the first test, so the "less than" test below only sees ASCII bytes, for
// which it is exact.
bool IsPlainWord(std::uint64_t w) {
    if ((w & kHighBits) != 0) return false;
    const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighBits;
    return (below_space | HasZeroByte(w ^ (kOnes * '=')) | HasZeroByte(w ^ (kOnes * 0x7F))) == 0;
}

// Length of the well-formed UTF-8 sequence at p[i] (a byte >= 0x80), or 0: no overlong forms,
// no surrogates, nothing above U+10FFFF (the rules of IsValidUtf8 in common/strings.hpp).
std::size_t Utf8SequenceLength(const char* p, std::size_t n, std::size_t i) {
    const auto c = static_cast<unsigned char>(p[i]);
    const std::size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                            : c >= 0xE0 && c <= 0xEF ? 3
                            : c >= 0xF0 && c <= 0xF4 ? 4
                                                     : 0;
    if (len == 0 || i + len > n) return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    const auto second = static_cast<unsigned char>(p[i + 1]);
    if (second < lo || second > hi) return 0;
    for (std::size_t k = 2; k < len; ++k) {
        if ((static_cast<unsigned char>(p[i + k]) & 0xC0) != 0x80) return 0;
    }
    return len;
}

bool StartsWithFrom(const char* p, std::size_t left) {
    return left >= 5 && std::memcmp(p, "From ", 5) == 0;
}

std::size_t Base64Size(std::size_t n) {
    const std::size_t chars = (n + 2) / 3 * 4;
    const std::size_t lines = (chars + kBase64Line - 1) / kBase64Line;
    return chars + (lines > 0 ? 2 * (lines - 1) : 0);
}

// Copies text with every bare LF turned into CRLF; returns the bytes written.
std::size_t CopyCrlf(std::string_view text, char* d) {
    char* const start = d;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
        const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        const char* stop = lf != nullptr ? static_cast<const char*>(lf) : end;
        std::memcpy(d, p, static_cast<std::size_t>(stop - p));
        d += stop - p;
        if (stop == end) break;
        if (stop == text.data() || stop[-1] != '\r') *d++ = '\r';
        *d++ = '\n';
        p = stop + 1;
    }
    return static_cast<std::size_t>(d - start);
}

}  // namespace

std::string_view TransferEncodingName(TransferEncoding e) {
    switch (e) {
        case TransferEncoding::k7bit:
            return "7bit";
        case TransferEncoding::kQuotedPrintable:
            return "quoted-printable";
        case TransferEncoding::kBase64:
            return "base64";
    }
    return "base64";
}

TextStats ScanText(std::string_view text) {
    TextStats s;
    s.size = text.size();
    const char* p = text.data();
    const std::size_t n = text.size();
    std::size_t line_start = 0;
    s.from_line = StartsWithFrom(p, n);
    std::size_t i = 0;
    while (i < n) {
        // Runs of printable ASCII other than '=' are what most text is made of: skip them a
        // word at a time.
        while (i + 8 <= n && IsPlainWord(LoadWord(p + i))) i += 8;
        if (i >= n) break;
        const auto c = static_cast<unsigned char>(p[i]);
        if (kScanClass[c] == 0) {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            const std::size_t len = Utf8SequenceLength(p, n, i);
            if (len == 0) {
                s.valid_utf8 = false;
                ++s.non_ascii;
                ++s.escaped;
                ++i;
                continue;
            }
            s.non_ascii += len;
            s.escaped += len;
            i += len;
            continue;
        }
        if (c == '=') {
            ++s.escaped;
            if (i + 1 < n && p[i + 1] == '_') s.boundary_chars = true;
        } else if (c == '\n') {
            const bool crlf = i > 0 && p[i - 1] == '\r';
            s.bare_lf += crlf ? 0 : 1;
            ++s.line_ends;
            s.max_line = std::max(s.max_line, i - line_start - (crlf ? 1 : 0));
            line_start = i + 1;
            if (line_start < n && p[line_start] == 'F') {
                s.from_line = s.from_line || StartsWithFrom(p + line_start, n - line_start);
            }
        } else if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
            // the line end of a CRLF; counted at the LF
        } else {
            s.controls = true;  // NUL, bare CR, other C0 controls, DEL
            ++s.escaped;
        }
        ++i;
    }
    s.max_line = std::max(s.max_line, n - line_start);
    return s;
}

TransferEncoding ChooseTextEncoding(const TextStats& s) {
    if (s.non_ascii == 0 && !s.controls && s.max_line <= kMax7bitLine && !s.boundary_chars &&
        !s.from_line) {
        return TransferEncoding::k7bit;
    }
    // Expected sizes: quoted-printable triples each escaped byte and adds a 3-byte soft break
    // every 73-75 characters; base64 is 4/3 of the bytes plus CRLF every 76 characters.
    const std::size_t qp_chars = s.size + 2 * s.escaped + s.bare_lf;
    const std::size_t qp = qp_chars + 3 * (qp_chars / 74);
    const std::size_t b64 = Base64Size(s.size + s.bare_lf);
    return qp <= b64 ? TransferEncoding::kQuotedPrintable : TransferEncoding::kBase64;
}

std::size_t EncodedTextBound(const TextStats& s, TransferEncoding e) {
    switch (e) {
        case TransferEncoding::k7bit:
            return s.size + s.bare_lf;
        case TransferEncoding::kQuotedPrintable: {
            // Content characters before soft breaks: escaped bytes take 3 and a bare LF 2; on
            // each hard line (line ends + 1) two more characters may be escaped, 2 more each:
            // the first ('.' or the F of "From ") and the last (a space or tab before the line
            // end or the end of the text). A soft break comes after at least 73 content
            // characters and may be followed by an escaped '.' or 'F' (2 more):
            // S <= (T + 2S) / 73 + 1, so S <= T / 71 + 2, each soft break 3 characters plus
            // those 2. AppendQuotedPrintable writes into a buffer of exactly this size, so this
            // must stay an upper bound (tests try the worst cases).
            const std::size_t t = s.size + 2 * s.escaped + s.bare_lf + 4 * (s.line_ends + 1);
            return t + 5 * (t / 71 + 2);
        }
        case TransferEncoding::kBase64:
            return Base64Size(s.size + s.bare_lf);
    }
    return 0;
}

void AppendText(std::string_view text, const TextStats& s, TransferEncoding e, std::string& out) {
    switch (e) {
        case TransferEncoding::k7bit:
            if (s.bare_lf == 0) {
                out.append(text);
            } else {
                AppendInPlace(out, s.size + s.bare_lf, [&](char* d) { return CopyCrlf(text, d); });
            }
            return;
        case TransferEncoding::kQuotedPrintable:
            AppendQuotedPrintable(text, EncodedTextBound(s, e), out);
            return;
        case TransferEncoding::kBase64:
            if (s.bare_lf == 0) {
                AppendBase64(text, out);
            } else {
                // Text is encoded in its canonical form, CRLF line ends (RFC 2046 4.1.1).
                thread_local std::string scratch;
                scratch.clear();
                AppendInPlace(scratch, s.size + s.bare_lf,
                              [&](char* d) { return CopyCrlf(text, d); });
                AppendBase64(scratch, out);
            }
            return;
    }
}

void AppendQuotedPrintable(std::string_view text, std::string& out) {
    AppendQuotedPrintable(
        text, EncodedTextBound(ScanText(text), TransferEncoding::kQuotedPrintable), out);
}

void AppendQuotedPrintable(std::string_view text, std::size_t bound, std::string& out) {
    const std::size_t n = text.size();
    AppendInPlace(out, bound, [&](char* d) {
        char* const start = d;
        const char* p = text.data();
        std::size_t col = 0;
        std::size_t i = 0;
        while (i < n) {
            // Fast paths, away from the start of a line and from the soft-break column, where
            // the general case below would write the same: eight plain bytes at once (a space
            // last in the word must not come before a line end), then single plain or always
            // escaped bytes.
            if (col != 0) {
                while (col + 8 <= kQpLine - 2 && i + 8 < n && IsPlainWord(LoadWord(p + i)) &&
                       !(p[i + 7] == ' ' && (p[i + 8] == '\r' || p[i + 8] == '\n'))) {
                    std::memcpy(d, p + i, 8);
                    d += 8;
                    col += 8;
                    i += 8;
                }
                if (i >= n) break;
            }
            const auto c = static_cast<unsigned char>(p[i]);
            if (col != 0 && col < kQpLine - 2 && kQpLiteral[c] && c != ' ' && c != '\t') {
                *d++ = static_cast<char>(c);
                ++col;
                ++i;
                continue;
            }
            if (kQpEscaped[c] && col + 3 <= kQpLine - 1) {
                *d++ = '=';
                *d++ = kHex[c >> 4];
                *d++ = kHex[c & 0xF];
                col += 3;
                ++i;
                continue;
            }
            if (c == '\n' || (c == '\r' && i + 1 < n && p[i + 1] == '\n')) {
                *d++ = '\r';
                *d++ = '\n';
                col = 0;
                i += c == '\r' ? 2 : 1;
                continue;
            }
            const bool next_eol =
                i + 1 < n &&
                (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n'));
            bool literal = kQpLiteral[c];
            // Whitespace before a line end (or before the boundary that follows the part) would
            // be stripped by transports (RFC 2045 6.7 rule 3).
            if ((c == ' ' || c == '\t') && (next_eol || i + 1 == n)) literal = false;
            const bool line_start_special = c == '.' || (c == 'F' && StartsWithFrom(p + i, n - i));
            if (col == 0 && line_start_special) literal = false;
            std::size_t k = literal ? 1 : 3;
            // The last character before a hard line break may use column 76; any other must
            // leave room for the '=' of a soft break.
            if (col + k > (next_eol ? kQpLine : kQpLine - 1)) {
                *d++ = '=';
                *d++ = '\r';
                *d++ = '\n';
                col = 0;
                if (line_start_special) {
                    literal = false;
                    k = 3;
                }
            }
            if (literal) {
                *d++ = static_cast<char>(c);
            } else {
                *d++ = '=';
                *d++ = kHex[c >> 4];
                *d++ = kHex[c & 0xF];
            }
            col += k;
            ++i;
        }
        return static_cast<std::size_t>(d - start);
    });
}

void AppendBase64(std::string_view bytes, std::string& out) {
    AppendInPlace(out, Base64Size(bytes.size()), [&](char* d) {
        char* const start = d;
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        std::size_t left = bytes.size();
        constexpr std::size_t kLineBytes = kBase64Line / 4 * 3;  // 57
        bool first = true;
        while (left > 0) {
            if (!first) {
                *d++ = '\r';
                *d++ = '\n';
            }
            first = false;
            std::size_t take = std::min(left, kLineBytes);
            left -= take;
            for (; take >= 3; take -= 3, p += 3) {
                const std::uint32_t v =
                    (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
                d[0] = kBase64[v >> 18];
                d[1] = kBase64[(v >> 12) & 63];
                d[2] = kBase64[(v >> 6) & 63];
                d[3] = kBase64[v & 63];
                d += 4;
            }
            if (take > 0) {
                const std::uint32_t v =
                    (std::uint32_t{p[0]} << 16) | (take == 2 ? std::uint32_t{p[1]} << 8 : 0);
                d[0] = kBase64[v >> 18];
                d[1] = kBase64[(v >> 12) & 63];
                d[2] = take == 2 ? kBase64[(v >> 6) & 63] : '=';
                d[3] = '=';
                d += 4;
                p += take;
            }
        }
        return static_cast<std::size_t>(d - start);
    });
}

}  // namespace overture::email
