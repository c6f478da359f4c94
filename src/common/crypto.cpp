#include "common/crypto.hpp"

#include <sodium.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
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

Result<SecretBox> SecretBox::FromKey(std::string_view key) {
    if (key.size() != kKeyBytes) {
        return Fail(Error::InvalidArgument("a secret key must be exactly 32 bytes"));
    }
    SecretBox box;
    box.key_ = std::string(key);
    unsigned char digest[16];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(key.data()),
                       key.size(), nullptr, 0);
    box.key_id_ = HexEncode(std::string_view(reinterpret_cast<const char*>(digest), 4));
    return box;
}

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        const fs::path p(path);
        if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
        unsigned char key[kKeyBytes];
        randombytes_buf(key, sizeof key);
        const std::string hex =
            HexEncode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
        sodium_memzero(key, sizeof key);
        const auto old_mask = ::umask(077);
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << hex << "\n";
        out.close();
        ::umask(old_mask);
        if (!out) {
            return Fail(Error::Unavailable("cannot create the secret key file " + path +
                                           ": check that its folder is writable, or set "
                                           "security.secret_key_file"));
        }
        ::chmod(path.c_str(), 0600);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return Fail(Error::Unavailable("cannot read the secret key file " + path + ": " +
                                       std::strerror(errno)));
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text(Trim(buffer.str()));
    std::string key(kKeyBytes, '\0');
    std::size_t len = 0;
    if (text.size() != kKeyBytes * 2 ||
        sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), text.data(),
                       text.size(), nullptr, &len, nullptr) != 0 ||
        len != kKeyBytes) {
        return Fail(Error::InvalidArgument(
            "the secret key file " + path +
            " must hold 64 hex digits (32 bytes); restore the installation's key file (secrets "
            "in the database were sealed with it)"));
    }
    return FromKey(key);
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view purpose) const {
    constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    std::string raw(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    auto* bytes = reinterpret_cast<unsigned char*>(raw.data());
    randombytes_buf(bytes, kNonce);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        bytes + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()),
        plaintext.size(), reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(),
        nullptr, bytes, reinterpret_cast<const unsigned char*>(key_.data()));
    raw.resize(kNonce + written);
    return "v1." + key_id_ + "." + Base64UrlEncode(raw);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view purpose) const {
    constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    auto parts = Split(sealed, '.');
    if (parts.size() != 3 || parts[0] != "v1") {
        return Fail(Error::FailedPrecondition("a stored secret is not in the sealed format"));
    }
    if (parts[1] != key_id_) {
        return Fail(Error::FailedPrecondition(
            "a stored secret was sealed with another secret key (key id " + std::string(parts[1]) +
            ", this installation's key is " + key_id_ +
            "): use the installation's key file (security.secret_key_file), or enter the secret "
            "again"));
    }
    std::string raw;
    if (!Base64UrlDecode(parts[2], raw) ||
        raw.size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
        return Fail(Error::FailedPrecondition("a stored secret is damaged"));
    }
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
    std::string plain(raw.size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    unsigned long long len = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr, bytes + kNonce,
            raw.size() - kNonce, reinterpret_cast<const unsigned char*>(purpose.data()),
            purpose.size(), bytes, reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
        return Fail(Error::FailedPrecondition("a stored secret is damaged or was tampered with"));
    }
    plain.resize(len);
    return plain;
}

}  // namespace overture
