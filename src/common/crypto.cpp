#include "common/crypto.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/strings.hpp"

namespace overture {

void InitCrypto() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

Result<std::string> HashPassword(std::string_view password, PasswordHashCost cost) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops, cost.mem_bytes,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return Fail(Error::Internal("crypto_pwhash_str_alg failed (out of memory?)"));
    }
    return std::string(out);
}

bool VerifyPassword(std::string_view phc_hash, std::string_view password) {
    std::string hash(phc_hash);  // libsodium wants a NUL-terminated string
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string DigestToken(std::string_view token) {
    unsigned char out[32];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), nullptr, 0);
    return HexEncode(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace overture
