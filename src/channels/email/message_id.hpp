#pragma once
// Deterministic identities of one message: the Message-ID header and the VERP return path, both
// derived from (delivery, recipient) so that a resend is recognisable downstream and a bounce
// or complaint finds its sending-log row again. Pure functions, thread-safe.
//
//   Message-ID:  <ov.{delivery}.{recipient}.{check}@{domain}>
//   VERP:        {local}+{delivery}-{recipient}-{check}@{domain}
//
// {check} is 8 hex digits of BLAKE2b over "delivery.recipient": it keeps a mistyped or foreign
// identifier from matching someone else's row. It is not a secret (anyone holding a message can
// read its Message-ID); nothing is granted on the strength of it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace overture::email {

struct MessageKey {
    std::int64_t delivery_id = 0;
    std::int64_t recipient_id = 0;
    friend bool operator==(const MessageKey&, const MessageKey&) = default;
};

// "<ov.12.345.1a2b3c4d@example.com>", angle brackets included. `domain` must be ASCII.
std::string MessageId(MessageKey key, std::string_view domain);
// The key of a Message-ID we wrote (with or without angle brackets, surrounding spaces allowed);
// nullopt for anything else, including a wrong check.
std::optional<MessageKey> ParseMessageId(std::string_view message_id);

// "bounces+12-345-1a2b3c4d@example.com" for local part "bounces".
std::string VerpAddress(std::string_view local, std::string_view domain, MessageKey key);
// The key of a VERP address we wrote (case-insensitive; angle brackets allowed); nullopt else.
std::optional<MessageKey> ParseVerpAddress(std::string_view address);

}  // namespace overture::email
