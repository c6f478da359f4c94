#pragma once
// Calendar arithmetic shared by the passes that compute dates (normalize.cpp folds constants,
// sql_emit.cpp computes window bounds, evaluate.cpp evaluates): dates as days and datetimes as
// milliseconds since the Unix epoch, in UTC. One copy, so that the three agree to the day.
// Thread-safety: pure functions.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace overture::query::calendar {

inline constexpr std::int64_t kDayMs = 86'400'000;

// x / k rounded towards minus infinity (k > 0).
std::int64_t FloorDiv(std::int64_t x, std::int64_t k);

// The decimal number in s[at, at + n), nullopt unless all are digits.
std::optional<int> Digits(std::string_view s, std::size_t at, std::size_t n);

// "YYYY-MM-DD" (the first 10 characters of `s`) as days since the epoch; nullopt when it is
// not a real date.
std::optional<std::int64_t> ParseDays(std::string_view s);

// Days since the epoch as "YYYY-MM-DD".
std::string FormatDay(std::int64_t day);

// `d` plus `months`, clamped to the end of the month (Jan 31 + 1 month is Feb 28 or 29).
// Month counts are capped at +-130000 (past the years 0000-9999 from any date in them) so that
// chrono::year cannot wrap.
std::chrono::sys_days AddMonthsClamped(std::chrono::sys_days d, std::int64_t months);
std::int64_t AddMonthsClamped(std::int64_t day, std::int64_t months);

}  // namespace overture::query::calendar
