#include "common/clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace overture {

std::string FormatRfc3339(TimePoint t) {
    auto secs = std::chrono::floor<std::chrono::seconds>(t);
    auto ms = (t - secs).count();
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", secs, ms);
}

}  // namespace overture
