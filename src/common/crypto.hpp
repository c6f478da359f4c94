#pragma once
// Password hashing and token digests (libsodium). Thread-safe; call InitCrypto() once first.
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

}  // namespace overture
