#include "query/calendar.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace overture::query::calendar {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

std::int64_t FloorDiv(std::int64_t x, std::int64_t k) {
    std::int64_t q = x / k;
    return (x % k != 0 && x < 0) ? q - 1 : q;
}

std::optional<int> Digits(std::string_view s, std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        char c = s[i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

std::optional<std::int64_t> ParseDays(std::string_view s) {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto y = Digits(s, 0, 4), m = Digits(s, 5, 2), d = Digits(s, 8, 2);
    if (!y || !m || !d) return std::nullopt;
    year_month_day ymd{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*m)),
                       std::chrono::day(static_cast<unsigned>(*d))};
    if (!ymd.ok()) return std::nullopt;
    return sys_days(ymd).time_since_epoch().count();
}

std::string FormatDay(std::int64_t day) {
    year_month_day ymd{sys_days{days(day)}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

sys_days AddMonthsClamped(sys_days d, std::int64_t months) {
    months = std::clamp<std::int64_t>(months, -130'000, 130'000);
    year_month_day ymd(d);
    auto ym = std::chrono::year_month(ymd.year(), ymd.month()) +
              std::chrono::months(static_cast<int>(months));
    auto last =
        std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
    auto day = std::min(ymd.day(), last.day());
    return sys_days(year_month_day(ym.year(), ym.month(), day));
}

std::int64_t AddMonthsClamped(std::int64_t day, std::int64_t months) {
    return AddMonthsClamped(sys_days{days(day)}, months).time_since_epoch().count();
}

}  // namespace overture::query::calendar
