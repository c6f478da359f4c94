#include "common/random.hpp"

#include <sodium.h>

#include <vector>

#include "common/strings.hpp"

namespace overture {

void SecureRandom::Fill(void* out, std::size_t n) { randombytes_buf(out, n); }

std::string RandomToken(Random& random, std::size_t n) {
    std::vector<unsigned char> bytes(n);
    random.Fill(bytes.data(), n);
    return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), n));
}

}  // namespace overture
