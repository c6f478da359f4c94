#include "schema/email.hpp"

#include <idn2.h>

#include <cstring>
#include <memory>

#include "common/strings.hpp"

namespace overture::schema {
namespace {

constexpr std::size_t kMaxLocalPart = 64;  // RFC 5321 section 4.5.3.1.1
constexpr std::size_t kMaxDomain = 253;    // 255 octets on the wire, minus length and root bytes
constexpr std::size_t kMaxAddress = 254;   // RFC 5321 path limit (256) minus the angle brackets
constexpr std::size_t kMaxLabel = 63;
// Longer Unicode domains cannot shrink to 253 ASCII bytes; refusing them early bounds the buffer.
constexpr std::size_t kMaxDomainInput = 1024;

std::unexpected<Error> Invalid(std::string_view before, std::string_view quoted,
                               std::string_view after) {
    std::string message;
    message.reserve(before.size() + quoted.size() + after.size() + 2);
    message.append(before).append("'").append(quoted).append("'").append(after);
    return Fail(Error::InvalidArgument(std::move(message)));
}

// Locale-independent, unlike std::isalnum.
bool IsAsciiAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext outside letters and digits.
bool IsAtextSymbol(char c) { return std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr && c != '\0'; }

// Length of the well-formed UTF-8 sequence that starts at s[i] (no overlong forms, no
// surrogates, nothing above U+10FFFF, no C1 controls), or 0.
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](std::size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
    unsigned char c = byte(i);
    if (c >= 0xC2 && c <= 0xDF) {
        if (!cont(i + 1)) return 0;
        if (c == 0xC2 && byte(i + 1) < 0xA0) return 0;  // U+0080..U+009F: C1 controls
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(i + 1) || !cont(i + 2)) return 0;
        if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;   // overlong
        if (c == 0xED && byte(i + 1) >= 0xA0) return 0;  // surrogates
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        if (c == 0xF0 && byte(i + 1) < 0x90) return 0;   // overlong
        if (c == 0xF4 && byte(i + 1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

Status CheckLocalPart(std::string_view local) {
    if (local.empty()) return Fail(Error::InvalidArgument("the part before '@' is empty"));
    if (local.size() > kMaxLocalPart) {
        return Invalid("the part before '@', ", local, ", is longer than 64 bytes");
    }
    if (local.front() == '.') return Invalid("the part before '@', ", local, ", starts with a dot");
    if (local.back() == '.') return Invalid("the part before '@', ", local, ", ends with a dot");
    for (std::size_t i = 0; i < local.size();) {
        char c = local[i];
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            std::size_t len = Utf8SequenceLength(local, i);
            if (len == 0) {
                return Invalid("the part before '@', ", local, ", is not valid UTF-8 text");
            }
            i += len;
            continue;
        }
        if (c == '.') {
            if (local[i + 1] == '.') {  // safe: the last character is not a dot
                return Invalid("the part before '@', ", local, ", has two dots in a row");
            }
        } else if (!(IsAsciiAlnum(c) || IsAtextSymbol(c))) {
            std::string_view what = c == ' ' ? "a space" : std::string_view(&local[i], 1);
            if (u < 0x20 || u == 0x7F) what = "a control character";
            return Invalid("the part before '@', ", local,
                           std::string(", contains ") + std::string(what) +
                               ", which needs quoting; quoted addresses are not accepted");
        }
        ++i;
    }
    return {};
}

// Checks the ASCII form of the domain; `shown` is what the user typed, for messages.
Status CheckAsciiDomain(std::string_view domain, std::string_view shown) {
    if (domain.size() > kMaxDomain) return Invalid("the domain ", shown, " is too long");
    if (domain.find('.') == std::string_view::npos) {
        return Invalid("the domain ", shown, " has no dot");
    }
    std::size_t start = 0;
    while (true) {
        std::size_t end = domain.find('.', start);
        bool last = end == std::string_view::npos;
        std::string_view label = domain.substr(start, last ? std::string_view::npos : end - start);
        if (label.empty()) return Invalid("the domain ", shown, " has an empty label");
        if (label.size() > kMaxLabel) {
            return Invalid("the domain ", shown, " has a label longer than 63 characters");
        }
        if (label.front() == '-' || label.back() == '-') {
            return Invalid("the domain ", shown, " has a label that starts or ends with '-'");
        }
        bool all_digits = true;
        for (char c : label) {
            bool digit = c >= '0' && c <= '9';
            all_digits = all_digits && digit;
            if (!digit && !(c >= 'a' && c <= 'z') && c != '-') {
                return Invalid("the domain ", shown,
                               c == ' ' ? std::string(" contains a space")
                                        : " contains '" + std::string(1, c) + "'");
            }
        }
        if (last) {
            if (all_digits) {
                return Invalid("the domain ", shown, " ends in a numeric label (IP address?)");
            }
            return {};
        }
        start = end + 1;
    }
}

struct Idn2Free {
    void operator()(char* p) const { idn2_free(p); }
};

// Lower-cases a plain ASCII domain without libidn2 when that gives the same result: no byte
// above 0x7F and no label with "--" in positions 3-4 ("xn--" labels need libidn2's Punycode
// check, and libidn2 refuses the others, RFC 5891 section 4.2.3.1). Returns false otherwise.
bool AsciiFastPath(std::string_view domain, std::string& out) {
    for (char c : domain) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    out.resize(domain.size());
    for (std::size_t i = 0; i < domain.size(); ++i) {
        char c = domain[i];
        out[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    for (std::size_t start = 0; start < out.size();) {
        std::size_t end = out.find('.', start);
        if (end == std::string::npos) end = out.size();
        std::string_view label(out.data() + start, end - start);
        if (label.size() >= 4 && label[2] == '-' && label[3] == '-') return false;
        start = end + 1;
    }
    return true;
}

Status ToAsciiDomain(std::string_view domain, std::string& out) {
    if (AsciiFastPath(domain, out)) return {};
    if (domain.size() > kMaxDomainInput) return Invalid("the domain ", domain, " is too long");
    char buffer[kMaxDomainInput + 1];
    std::memcpy(buffer, domain.data(), domain.size());
    buffer[domain.size()] = '\0';
    if (std::memchr(buffer, '\0', domain.size()) != nullptr) {
        return Invalid("the domain ", domain, " contains a NUL character");
    }
    char* raw = nullptr;
    int rc = idn2_to_ascii_8z(buffer, &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, Idn2Free> ascii(raw);
    if (rc != IDN2_OK) {
        return Invalid("the domain ", domain,
                       std::string(" is not a valid domain name (") + idn2_strerror(rc) + ")");
    }
    out.assign(ascii.get());
    for (char& c : out) {  // libidn2 already maps case; this keeps the contract if it did not
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return {};
}

}  // namespace

Result<NormalizedEmail> NormalizeEmail(std::string_view input) {
    std::string_view text = Trim(input);
    if (text.empty()) return Fail(Error::InvalidArgument("the e-mail address is empty"));
    std::size_t at = text.find('@');
    if (at == std::string_view::npos) return Invalid("the e-mail address ", text, " has no '@'");
    if (text.find('@', at + 1) != std::string_view::npos) {
        return Invalid("the e-mail address ", text, " has more than one '@'");
    }
    std::string_view local = text.substr(0, at);
    std::string_view domain = text.substr(at + 1);
    if (auto ok = CheckLocalPart(local); !ok) return Fail(std::move(ok.error()));
    if (domain.empty()) return Fail(Error::InvalidArgument("the part after '@' is empty"));
    if (domain.front() == '[') {
        return Invalid("the domain ", domain, " is an address literal; a domain name is needed");
    }

    NormalizedEmail result;
    if (auto ok = ToAsciiDomain(domain, result.domain); !ok) return Fail(std::move(ok.error()));
    if (auto ok = CheckAsciiDomain(result.domain, domain); !ok) return Fail(std::move(ok.error()));
    if (local.size() + 1 + result.domain.size() > kMaxAddress) {
        return Invalid("the e-mail address ", text, " is longer than 254 bytes");
    }
    result.address.reserve(local.size() + 1 + result.domain.size());
    result.address.append(local).append("@").append(result.domain);
    return result;
}

}  // namespace overture::schema
