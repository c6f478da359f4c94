// Header fields: folding, RFC 2047 encoded-words, display names, dates; see mime_header.hpp.
#include "channels/email/mime_header.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace overture::email {
namespace {

// A longer word (or quoted display name) could not be folded under 78 columns; encoded-words
// can be split anywhere between characters.
constexpr std::size_t kMaxRawWord = 70;
constexpr std::size_t kMaxEncodedWord = 75;  // RFC 2047 section 2
constexpr std::size_t kWordOverhead = 12;    // "=?UTF-8?Q?" and "?="
// The shortest encoded-word worth starting on the current line: room for one 4-byte character
// in Q form (=XX four times).
constexpr std::size_t kMinEncodedWord = kWordOverhead + 12;
constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 2047 section 5 (3): the characters a Q encoded-word in a phrase may hold as themselves.
constexpr std::array<bool, 256> kQLiteral = [] {
    std::array<bool, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (char c : std::string_view("!*+-/")) t[static_cast<unsigned char>(c)] = true;
    return t;
}();

// RFC 5322 atext.
constexpr std::array<bool, 256> kAtext = [] {
    std::array<bool, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (char c : std::string_view("!#$%&'*+-/=?^_`{|}~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}();

// Characters of the Q form of one byte (a space is '_').
std::size_t QCost(unsigned char c) { return kQLiteral[c] || c == ' ' ? 1 : 3; }

// Length of the UTF-8 sequence a lead byte starts (1 for anything else, which valid UTF-8 input
// does not have), clamped to what is left.
std::size_t SequenceLength(unsigned char c, std::size_t left) {
    const std::size_t len = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return std::min(len, left);
}

void AppendBase64Short(std::string_view bytes, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t left = bytes.size();
    for (; left >= 3; left -= 3, p += 3) {
        const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        const char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63],
                              kBase64[v & 63]};
        out.append(quad, 4);
    }
    if (left > 0) {
        const std::uint32_t v =
            (std::uint32_t{p[0]} << 16) | (left == 2 ? std::uint32_t{p[1]} << 8 : 0);
        const char quad[4] = {kBase64[v >> 18], kBase64[(v >> 12) & 63],
                              left == 2 ? kBase64[(v >> 6) & 63] : '=', '='};
        out.append(quad, 4);
    }
}

bool NeedsEncoding(unsigned char c) { return c >= 0x7F || (c < 0x20 && c != '\t'); }

}  // namespace

HeaderLine::HeaderLine(std::string& out, std::string_view name) : out_(out) {
    out_.append(name).push_back(':');
    column_ = name.size() + 1;
}

void HeaderLine::Token(std::string_view token) { Token({}, token, {}); }

void HeaderLine::Token(std::string_view prefix, std::string_view body, std::string_view suffix) {
    const std::size_t size = prefix.size() + body.size() + suffix.size();
    if (!first_ && column_ + 1 + size > kFoldColumn) {
        out_.append("\r\n");
        column_ = 0;
    }
    out_.push_back(' ');
    out_.append(prefix).append(body).append(suffix);
    column_ += 1 + size;
    first_ = false;
}

void HeaderLine::Unstructured(std::string_view value) {
    bool raw = value.find("=?") == std::string_view::npos;
    std::size_t word = 0;
    for (std::size_t i = 0; raw && i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        word = c == ' ' ? 0 : word + 1;
        raw = !NeedsEncoding(c) && word <= kMaxRawWord;
    }
    if (!raw) {
        EncodedWords(value);
        return;
    }
    // Tokens at each single space, so that runs of spaces survive unfolding unchanged.
    std::size_t start = 0;
    while (start <= value.size() && !value.empty()) {
        const std::size_t space = value.find(' ', start);
        const std::size_t end = space == std::string_view::npos ? value.size() : space;
        Token(value.substr(start, end - start));
        if (space == std::string_view::npos) break;
        start = space + 1;
    }
}

void HeaderLine::EncodedWords(std::string_view text) {
    const std::size_t n = text.size();
    std::size_t q_size = 0;
    for (char c : text) q_size += QCost(static_cast<unsigned char>(c));
    // Q unless B is much shorter: Q keeps mostly-Latin text readable, B suits CJK and emoji.
    const bool use_q = 2 * q_size <= 3 * ((n + 2) / 3 * 4);
    std::size_t i = 0;
    while (i < n) {
        std::size_t room = column_ + 1 < kFoldColumn ? kFoldColumn - column_ - 1 : 0;
        if (room < kMinEncodedWord && !first_) {
            out_.append("\r\n");
            column_ = 0;
            room = kFoldColumn - 1;
        }
        const std::size_t payload =
            std::max(std::min(room, kMaxEncodedWord), kMinEncodedWord) - kWordOverhead;
        // Whole characters only: as many as fit in `payload` encoded characters.
        std::size_t end = i;
        std::size_t cost = 0;
        while (end < n) {
            const std::size_t len = SequenceLength(static_cast<unsigned char>(text[end]), n - end);
            std::size_t next = 0;
            if (use_q) {
                for (std::size_t k = 0; k < len; ++k) {
                    next += QCost(static_cast<unsigned char>(text[end + k]));
                }
                next += cost;
            } else {
                next = (end + len - i + 2) / 3 * 4;
            }
            if (next > payload) break;
            cost = next;
            end += len;
        }
        if (end == i) end = i + SequenceLength(static_cast<unsigned char>(text[i]), n - i);

        const std::size_t before = out_.size();
        out_.append(use_q ? " =?UTF-8?Q?" : " =?UTF-8?B?");
        if (use_q) {
            for (std::size_t k = i; k < end; ++k) {
                const auto c = static_cast<unsigned char>(text[k]);
                if (c == ' ') {
                    out_.push_back('_');
                } else if (kQLiteral[c]) {
                    out_.push_back(static_cast<char>(c));
                } else {
                    const char triple[3] = {'=', kHex[c >> 4], kHex[c & 0xF]};
                    out_.append(triple, 3);
                }
            }
        } else {
            AppendBase64Short(text.substr(i, end - i), out_);
        }
        out_.append("?=");
        column_ += out_.size() - before;
        first_ = false;
        i = end;
    }
}

void HeaderLine::Mailbox(std::string_view name, std::string_view address) {
    if (!name.empty()) {
        switch (ChooseDisplayNameForm(name)) {
            case DisplayNameForm::kAtoms: {
                std::size_t start = 0;
                while (true) {
                    const std::size_t space = name.find(' ', start);
                    Token(name.substr(start,
                                      space == std::string_view::npos ? space : space - start));
                    if (space == std::string_view::npos) break;
                    start = space + 1;
                }
                break;
            }
            case DisplayNameForm::kQuoted: {
                std::size_t escapes = 0;
                for (char c : name) escapes += (c == '"' || c == '\\') ? 1 : 0;
                const std::size_t size = name.size() + escapes + 2;
                if (!first_ && column_ + 1 + size > kFoldColumn) {
                    out_.append("\r\n");
                    column_ = 0;
                }
                out_.append(" \"");
                for (char c : name) {
                    if (c == '"' || c == '\\') out_.push_back('\\');
                    out_.push_back(c);
                }
                out_.push_back('"');
                column_ += 1 + size;
                first_ = false;
                break;
            }
            case DisplayNameForm::kEncoded:
                EncodedWords(name);
                break;
        }
    }
    if (name.empty()) {
        Token(address);
    } else {
        Token("<", address, ">");
    }
}

void HeaderLine::End() { out_.append("\r\n"); }

DisplayNameForm ChooseDisplayNameForm(std::string_view name) {
    if (name.find("=?") != std::string_view::npos) return DisplayNameForm::kEncoded;
    bool atoms = !name.empty() && name.front() != ' ' && name.back() != ' ' &&
                 name.find("  ") == std::string_view::npos;
    std::size_t word = 0;
    for (char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (NeedsEncoding(c) || c == '\t') return DisplayNameForm::kEncoded;
        atoms = atoms && (kAtext[c] || c == ' ');
        word = c == ' ' ? 0 : word + 1;
        if (word > kMaxRawWord) return DisplayNameForm::kEncoded;
    }
    if (atoms) return DisplayNameForm::kAtoms;
    // A quoted string is written as one token (Python and others collapse white space folded
    // inside it), so it must fit on a line.
    return name.size() + 2 <= kMaxRawWord ? DisplayNameForm::kQuoted : DisplayNameForm::kEncoded;
}

bool HasLineBreak(std::string_view s) {
    for (char c : s) {
        if (c == '\r' || c == '\n' || c == '\0') return true;
    }
    return false;
}

void AppendRfc5322Date(std::chrono::system_clock::time_point t, std::string& out) {
    using namespace std::chrono;
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto secs = floor<seconds>(t);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss hms{secs - day};
    char buffer[48];
    const int size = std::snprintf(
        buffer, sizeof buffer, "%s, %u %s %04d %02d:%02d:%02d +0000",
        kDays[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
        kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
        static_cast<int>(hms.seconds().count()));
    out.append(buffer, static_cast<std::size_t>(size));
}

}  // namespace overture::email
