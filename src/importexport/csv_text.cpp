#include "importexport/csv_text.hpp"

#include <cstdint>
#include <cstring>

namespace overture::importexport {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Length of the leading run of ASCII bytes, checked eight at a time.
std::size_t AsciiPrefix(const unsigned char* p, std::size_t n) {
    std::size_t i = 0;
    while (i + 32 <= n) {  // the common case, all ASCII: 32 bytes per test
        std::uint64_t w[4];
        std::memcpy(w, p + i, 32);
        if (((w[0] | w[1] | w[2] | w[3]) & kHighBits) != 0) break;
        i += 32;
    }
    while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        if ((word & kHighBits) != 0) break;
        i += 8;
    }
    while (i < n && p[i] < 0x80) ++i;
    return i;
}

}  // namespace

bool IsValidUtf8(std::string_view text, bool allow_truncated_end) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        i += AsciiPrefix(p + i, n - i);
        if (i >= n) break;
        const unsigned char c = p[i];
        std::size_t len;
        unsigned char lo = 0x80;  // allowed range of the second byte
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;  // overlong
            if (c == 0xED) hi = 0x9F;  // surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;  // overlong
            if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
        } else {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            if (i + k >= n) return allow_truncated_end;
            const unsigned char b = p[i + k];
            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
        }
        i += len;
    }
    return true;
}

std::size_t Latin1ToUtf8(std::string_view in, char* out) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    std::size_t i = 0;
    std::size_t o = 0;
    while (i < n) {
        const std::size_t run = AsciiPrefix(p + i, n - i);
        std::memcpy(out + o, p + i, run);
        i += run;
        o += run;
        if (i >= n) break;
        const unsigned char c = p[i++];
        out[o++] = static_cast<char>(0xC0 | (c >> 6));
        out[o++] = static_cast<char>(0x80 | (c & 0x3F));
    }
    return o;
}

}  // namespace overture::importexport
