#pragma once
// Randomness comes in through Random so that tests may fix it. SecureRandom draws from
// libsodium's CSPRNG and is thread-safe.
#include <cstddef>
#include <string>

namespace overture {

class Random {
  public:
    virtual ~Random() = default;
    virtual void Fill(void* out, std::size_t n) = 0;
};

class SecureRandom final : public Random {
  public:
    void Fill(void* out, std::size_t n) override;
};

// `n` random bytes as unpadded base64url (for tokens and generated passwords).
std::string RandomToken(Random& random, std::size_t n);

}  // namespace overture
