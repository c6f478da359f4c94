#pragma once
// Password hashing, token digests and secrets sealed at rest (libsodium). Thread-safe; call
// InitCrypto() once first.
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture {

// Initialises libsodium; throws std::runtime_error if the library cannot start.
void InitCrypto();

struct PasswordHashCost {
    unsigned long long ops = 2;                   // Argon2id passes
    std::size_t mem_bytes = 19ull * 1024 * 1024;  // OWASP minimum: 19 MiB
};

// An Argon2id hash in the PHC string format ("$argon2id$v=19$m=...").
// Fails with kInternal only if the machine is out of memory.
Result<std::string> HashPassword(std::string_view password, PasswordHashCost cost = {});
// True when `password` matches `phc_hash`; false on mismatch or a malformed hash.
bool VerifyPassword(std::string_view phc_hash, std::string_view password);

// The hex BLAKE2b-256 digest of a secret token; what we store for sessions and API keys.
std::string DigestToken(std::string_view token);

// Constant-time comparison of two strings of any length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Secrets at rest (SMTP passwords, DKIM private keys): XChaCha20-Poly1305 with one 32-byte key
// of the installation. A sealed value is text, "v1.<key id>.<base64url(nonce || ciphertext)>";
// the key id (8 hex digits of the key's BLAKE2b digest) tells which key sealed it, so a wrong
// key file gives a clear error instead of garbage. `purpose` is bound into the seal as
// associated data: a value sealed as "route-password" does not open as "dkim-private-key".
class SecretBox {
  public:
    static constexpr std::size_t kKeyBytes = 32;

    // From the raw key bytes; kInvalidArgument unless there are exactly kKeyBytes.
    static Result<SecretBox> FromKey(std::string_view key);
    // Reads the key file (64 hex digits, surrounding white space allowed). When the file does
    // not exist, creates it (mode 0600, folders included) with a new random key. Errors name
    // the path and what to do.
    static Result<SecretBox> LoadOrCreate(const std::string& path);

    std::string Seal(std::string_view plaintext, std::string_view purpose) const;
    // kFailedPrecondition when the value was sealed with another key or tampered with.
    Result<std::string> Open(std::string_view sealed, std::string_view purpose) const;
    const std::string& key_id() const { return key_id_; }

  private:
    SecretBox() = default;
    std::string key_;
    std::string key_id_;
};

}  // namespace overture
