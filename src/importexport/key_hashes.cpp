#include "importexport/key_hashes.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <variant>

namespace overture::importexport {

namespace {

// MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit over the output.
std::uint64_t Fmix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

std::uint64_t Step(std::uint64_t h, std::uint64_t chunk) {
    return Fmix(h ^ chunk) + 0x9e3779b97f4a7c15ULL;
}

// Type classes: values of one class may compare equal in SQL, values of two never do.
constexpr std::uint64_t kNull = 1;
constexpr std::uint64_t kNumber = 2;  // integers, booleans and doubles holding whole numbers
constexpr std::uint64_t kFraction = 3;
constexpr std::uint64_t kText = 4;

std::uint64_t HashValue(std::uint64_t h, const storage::Value& v) {
    return std::visit(
        [h](const auto& x) -> std::uint64_t {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                return Step(h, kNull);
            } else if constexpr (std::is_same_v<T, bool>) {
                return Step(Step(h, kNumber), x ? 1 : 0);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                return Step(Step(h, kNumber), static_cast<std::uint64_t>(x));
            } else if constexpr (std::is_same_v<T, double>) {
                // -0.0 and 0.0, and 3.0 and 3, are equal in SQL: hash them as the integer.
                if (std::isfinite(x) && std::trunc(x) == x && x >= -9.2233720368547758e18 &&
                    x < 9.2233720368547758e18) {
                    auto n = static_cast<std::int64_t>(x);
                    return Step(Step(h, kNumber), static_cast<std::uint64_t>(n));
                }
                return Step(Step(h, kFraction), std::bit_cast<std::uint64_t>(x));
            } else {
                static_assert(std::is_same_v<T, std::string>);
                std::uint64_t out = Step(Step(h, kText), x.size());
                std::size_t i = 0;
                for (; i + 8 <= x.size(); i += 8) {
                    std::uint64_t chunk;
                    std::memcpy(&chunk, x.data() + i, 8);
                    out = Step(out, chunk);
                }
                if (i < x.size()) {
                    std::uint64_t chunk = 0;
                    std::memcpy(&chunk, x.data() + i, x.size() - i);
                    out = Step(out, chunk);
                }
                return out;
            }
        },
        v);
}

}  // namespace

std::uint64_t HashKey(std::span<const storage::Value* const> values) {
    std::uint64_t h = 0x6a09e667f3bcc908ULL;
    for (const storage::Value* v : values) h = HashValue(h, *v);
    return Fmix(h);
}

bool KeyHashes::Add(std::uint64_t hash) {
    if (inconclusive_) return false;
    if (size_ >= max_entries_) {
        overflowed_ = true;
        Stop();
        return false;
    }
    // Up to 3/4 full, then doubled, but never past the smallest power of two above
    // max_entries: the last table fills further (its probes get longer, by then near the end
    // of the largest files) rather than doubling the memory. One slot always stays empty, so
    // every probe ends.
    if ((size_ + 1) * 4 > slots_.size() * 3 && slots_.size() <= max_entries_) Grow();
    if (hash == 0) hash = 1;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        if (slots_[i] == 0) {
            slots_[i] = hash;
            ++size_;
            return true;
        }
        if (slots_[i] == hash) {
            Stop();
            return false;
        }
    }
}

void KeyHashes::Grow() {
    std::vector<std::uint64_t> bigger(slots_.empty() ? 1024 : slots_.size() * 2, 0);
    const std::size_t mask = bigger.size() - 1;
    for (std::uint64_t h : slots_) {
        if (h == 0) continue;
        std::size_t i = h & mask;
        while (bigger[i] != 0) i = (i + 1) & mask;
        bigger[i] = h;
    }
    slots_.swap(bigger);
}

void KeyHashes::Stop() {
    inconclusive_ = true;
    std::vector<std::uint64_t>().swap(slots_);
}

}  // namespace overture::importexport
