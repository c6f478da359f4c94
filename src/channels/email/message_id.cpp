// Message-ID and VERP encoding; see message_id.hpp for the formats.
#include "channels/email/message_id.hpp"

#include <sodium.h>

#include <charconv>

#include "common/strings.hpp"

namespace overture::email {
namespace {

std::string Check(MessageKey key) {
    const std::string text =
        std::to_string(key.delivery_id) + "." + std::to_string(key.recipient_id);
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), nullptr, 0);
    return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), 4));
}

std::string_view Unbracket(std::string_view s) {
    s = Trim(s);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return s;
}

// Reads a non-negative decimal id up to `stop` (consumed); nullopt on anything else.
std::optional<std::int64_t> ReadId(std::string_view& s, char stop) {
    const auto end = s.find(stop);
    if (end == std::string_view::npos || end == 0) return std::nullopt;
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, value);
    if (ec != std::errc() || ptr != s.data() + end || value < 0) return std::nullopt;
    s.remove_prefix(end + 1);
    return value;
}

std::optional<MessageKey> ReadKey(std::string_view s, char sep, char last) {
    const auto delivery = ReadId(s, sep);
    if (!delivery) return std::nullopt;
    const auto recipient = ReadId(s, sep);
    if (!recipient) return std::nullopt;
    const auto end = s.find(last);
    if (end != 8) return std::nullopt;
    const MessageKey key{*delivery, *recipient};
    if (ToLower(s.substr(0, end)) != Check(key)) return std::nullopt;
    return key;
}

}  // namespace

std::string MessageId(MessageKey key, std::string_view domain) {
    return "<ov." + std::to_string(key.delivery_id) + "." + std::to_string(key.recipient_id) + "." +
           Check(key) + "@" + std::string(domain) + ">";
}

std::optional<MessageKey> ParseMessageId(std::string_view message_id) {
    std::string_view s = Unbracket(message_id);
    if (!s.starts_with("ov.")) return std::nullopt;
    s.remove_prefix(3);
    return ReadKey(s, '.', '@');
}

std::string VerpAddress(std::string_view local, std::string_view domain, MessageKey key) {
    return std::string(local) + "+" + std::to_string(key.delivery_id) + "-" +
           std::to_string(key.recipient_id) + "-" + Check(key) + "@" + std::string(domain);
}

std::optional<MessageKey> ParseVerpAddress(std::string_view address) {
    std::string_view s = Unbracket(address);
    const auto at = s.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    const auto plus = s.substr(0, at).rfind('+');
    if (plus == std::string_view::npos) return std::nullopt;
    return ReadKey(s.substr(plus + 1), '-', '@');
}

}  // namespace overture::email
