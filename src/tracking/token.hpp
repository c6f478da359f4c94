#pragma once
// Signed tracking tokens (docs/tracking.md, "Tokens"): every tracked URL in a message carries
// who it is for and an HMAC, so that an edited URL is refused, a click goes only where we sent
// it, and nobody can unsubscribe or read another person's mirror page.
//
//   <key id>.<delivery>.<profile>.<extra>.<mac>          e.g. k1.12.3456.0.Zk3…(22 chars)
//
// `extra` is the link ordinal for a click, the render time (Unix seconds) for an open (the
// machine-open rule reads it without a database lookup), 0 otherwise. The MAC is a 16-byte
// keyed BLAKE2b, base64url, over the kind letter, the four fields and, for a click on a
// personalized link, the URL the recipient got (carried in the click URL's `u` parameter).
// The key id says which key signed it: keys rotate (tracking/keys.hpp) and old links keep
// working as long as their key exists.
//
// Thread-safety: a TrackingKeys is immutable; share it through std::shared_ptr<const ...>.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::tracking {

enum class TokenKind : char {
    kOpen = 'o',
    kClick = 'c',
    kUnsubscribe = 'u',
    kMirror = 'm',
};

struct TokenData {
    std::string key_id;
    std::int64_t delivery_id = 0;
    std::int64_t profile_id = 0;
    std::int64_t extra = 0;  // link ordinal (click), render time in Unix seconds (open), else 0
};

class TrackingKeys {
  public:
    static constexpr std::size_t kKeyBytes = 32;

    // `keys`: key id -> 32 raw bytes; `current` names the key that signs. kInvalidArgument when
    // a key has another size, an id is empty or holds anything but [A-Za-z0-9], or `current`
    // is not among the keys.
    static Result<TrackingKeys> Create(std::map<std::string, std::string> keys,
                                       std::string current);

    // A token for `kind`; `url` only for a click on a personalized link (else empty).
    std::string Sign(TokenKind kind, std::int64_t delivery_id, std::int64_t profile_id,
                     std::int64_t extra = 0, std::string_view url = {}) const;

    // The token's fields when it is well formed, its key is known and the MAC matches `kind`
    // and `url`; kInvalidArgument ("malformed tracking token") or kPermissionDenied ("tracking
    // token signature does not match", also for an unknown key id) otherwise. Constant time in
    // the MAC comparison. Never throws, whatever the input.
    Result<TokenData> Verify(TokenKind kind, std::string_view token,
                             std::string_view url = {}) const;

    const std::string& current() const { return current_; }

  private:
    TrackingKeys() = default;
    std::map<std::string, std::string, std::less<>> keys_;
    std::string current_;
};

}  // namespace overture::tracking
