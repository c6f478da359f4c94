// Signed tracking tokens: "<key id>.<delivery>.<profile>.<extra>.<mac>", the MAC a keyed
// BLAKE2b (16 bytes, base64url without padding) over the kind letter, the four fields and, for
// a click on a personalized link, the URL. Parsing is strict (canonical decimal numbers only)
// so that one token has exactly one spelling: any changed character is refused.
#include "tracking/token.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <limits>

#include "common/crypto.hpp"

namespace overture::tracking {
namespace {

constexpr std::size_t kMacBytes = 16;
constexpr std::size_t kMaxTokenChars = 200;
constexpr std::size_t kMaxKeyIdChars = 32;

bool IsKeyIdChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool ValidKeyId(std::string_view id) {
    if (id.empty() || id.size() > kMaxKeyIdChars) return false;
    for (char c : id) {
        if (!IsKeyIdChar(c)) return false;
    }
    return true;
}

// A canonical non-negative decimal: digits only, no sign, no leading zero (but "0"), fits in
// int64.
bool ParseNumber(std::string_view text, std::int64_t& out) {
    if (text.empty() || text.size() > 19) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    if (text.size() > 1 && text[0] == '0') return false;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) return false;
    out = value;
    return true;
}

// The signed text: kind letter, the fields joined by '.', and "\n<url>" when there is a url,
// written into `data` (cleared first). The numbers are given as their canonical decimal text.
void AppendSignedData(std::string& data, TokenKind kind, std::string_view key_id,
                      std::string_view delivery_id, std::string_view profile_id,
                      std::string_view extra, std::string_view url) {
    data.clear();
    data.push_back(static_cast<char>(kind));
    data.push_back('.');
    data.append(key_id);
    data.push_back('.');
    data.append(delivery_id);
    data.push_back('.');
    data.append(profile_id);
    data.push_back('.');
    data.append(extra);
    if (!url.empty()) {
        data.push_back('\n');
        data.append(url);
    }
}

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
// The MAC as base64url text, NUL-terminated.
using MacChars = std::array<char, sodium_base64_ENCODED_LEN(kMacBytes, kVariant)>;

MacChars MacText(const std::string& key, std::string_view data) {
    std::array<unsigned char, kMacBytes> tag{};
    crypto_generichash(tag.data(), tag.size(), reinterpret_cast<const unsigned char*>(data.data()),
                       data.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size());
    MacChars text{};
    sodium_bin2base64(text.data(), text.size(), tag.data(), tag.size(), kVariant);
    return text;
}

std::string_view MacView(const MacChars& text) { return {text.data(), text.size() - 1}; }

Error Malformed() { return Error::InvalidArgument("malformed tracking token"); }
Error BadSignature() { return Error::PermissionDenied("tracking token signature does not match"); }

}  // namespace

Result<TrackingKeys> TrackingKeys::Create(std::map<std::string, std::string> keys,
                                          std::string current) {
    TrackingKeys out;
    for (auto& [id, key] : keys) {
        if (!ValidKeyId(id)) {
            return Fail(
                Error::InvalidArgument("a tracking key id must be 1 to 32 letters or digits"));
        }
        if (key.size() != kKeyBytes) {
            return Fail(Error::InvalidArgument("a tracking key must be exactly 32 bytes"));
        }
        out.keys_.emplace(id, std::move(key));
    }
    if (!out.keys_.contains(current)) {
        return Fail(Error::InvalidArgument("the current tracking key is not among the keys"));
    }
    out.current_ = std::move(current);
    return out;
}

std::string TrackingKeys::Sign(TokenKind kind, std::int64_t delivery_id, std::int64_t profile_id,
                               std::int64_t extra, std::string_view url) const {
    const std::string& key = keys_.find(current_)->second;
    const std::string delivery = std::to_string(delivery_id);
    const std::string profile = std::to_string(profile_id);
    const std::string extra_text = std::to_string(extra);
    std::string data;
    AppendSignedData(data, kind, current_, delivery, profile, extra_text, url);
    // The token is the signed text minus the kind letter and the url, plus the MAC.
    std::string token(current_);
    token.push_back('.');
    token.append(delivery);
    token.push_back('.');
    token.append(profile);
    token.push_back('.');
    token.append(extra_text);
    token.push_back('.');
    token.append(MacView(MacText(key, data)));
    return token;
}

Result<TokenData> TrackingKeys::Verify(TokenKind kind, std::string_view token,
                                       std::string_view url) const {
    if (token.size() > kMaxTokenChars) return Fail(Malformed());
    std::array<std::string_view, 5> parts;
    std::size_t n = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = token.find('.', start);
        if (n == parts.size()) return Fail(Malformed());  // a sixth field
        if (dot == std::string_view::npos) {
            parts[n++] = token.substr(start);
            break;
        }
        parts[n++] = token.substr(start, dot - start);
        start = dot + 1;
    }
    if (n != parts.size()) return Fail(Malformed());

    TokenData data;
    if (!ValidKeyId(parts[0])) return Fail(Malformed());
    if (!ParseNumber(parts[1], data.delivery_id) || !ParseNumber(parts[2], data.profile_id) ||
        !ParseNumber(parts[3], data.extra)) {
        return Fail(Malformed());
    }
    const std::string_view mac = parts[4];
    if (mac.size() != std::tuple_size_v<MacChars> - 1) {
        return Fail(Malformed());
    }
    for (char c : mac) {
        if (!IsKeyIdChar(c) && c != '-' && c != '_') return Fail(Malformed());
    }
    auto key = keys_.find(parts[0]);
    if (key == keys_.end()) return Fail(BadSignature());
    // ParseNumber took canonical decimals only, so the parts are the numbers' own spelling. The
    // signed text is built in a per-thread buffer: verification runs on the HTTP I/O threads for
    // every open and click, and allocates nothing here.
    thread_local std::string signed_data;
    AppendSignedData(signed_data, kind, parts[0], parts[1], parts[2], parts[3], url);
    const MacChars expected = MacText(key->second, signed_data);
    if (!ConstantTimeEquals(MacView(expected), mac)) return Fail(BadSignature());
    data.key_id = std::string(parts[0]);
    return data;
}

}  // namespace overture::tracking
