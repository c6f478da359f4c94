#include "common/clock.hpp"

#include <fmt/format.h>

namespace overture {

// Through year_month_day and hh_mm_ss rather than fmt's chrono formatting, which converts the
// time point to system_clock's nanoseconds and so overflows outside the years 1677-2262.
std::string FormatRfc3339(TimePoint t) {
    auto day = std::chrono::floor<std::chrono::days>(t);
    std::chrono::year_month_day ymd(day);
    std::chrono::hh_mm_ss hms(t - day);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                       hms.subseconds().count());
}

}  // namespace overture
