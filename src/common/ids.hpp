#pragma once
// Strong id types: a UserId cannot be passed where an ApiKeyId is expected.
// Ids are 64-bit database keys; 0 means "none". Plain values, thread-safe to copy.
#include <compare>
#include <cstdint>
#include <functional>

namespace overture {

template <typename Tag>
class StrongId {
  public:
    constexpr StrongId() = default;
    constexpr explicit StrongId(std::int64_t v) : value_(v) {}
    constexpr std::int64_t value() const { return value_; }
    constexpr explicit operator bool() const { return value_ != 0; }
    friend constexpr auto operator<=>(StrongId, StrongId) = default;

  private:
    std::int64_t value_ = 0;
};

using UserId = StrongId<struct UserIdTag>;
using ApiKeyId = StrongId<struct ApiKeyIdTag>;
using AuditId = StrongId<struct AuditIdTag>;

}  // namespace overture

template <typename Tag>
struct std::hash<overture::StrongId<Tag>> {
    std::size_t operator()(overture::StrongId<Tag> id) const noexcept {
        return std::hash<std::int64_t>{}(id.value());
    }
};
