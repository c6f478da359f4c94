#pragma once
// When a Scheduler activity fires (docs/workflows.md, "Scheduler"): a Schedule read from the
// activity's params, in an IANA time zone, and the next tick after a given instant.
//
//   {"kind": "once",    "at": "2026-12-01T09:00"}                  local time in timeZone
//   {"kind": "daily",   "time": "02:00"}
//   {"kind": "weekly",  "time": "02:00", "days": ["mon", "fri"]}
//   {"kind": "monthly", "time": "02:00", "dayOfMonth": 1}          1..31, or -1: the last day
//   {"kind": "cron",    "cron": "0 2 * * 1-5"}                     minute hour dom month dow
//   plus "timeZone": "Europe/Paris" (default "UTC") for every kind.
//
// Cron: five fields separated by blanks; each a comma list of `*`, `n`, `a-b`, each optionally
// with `/step` (`a/step` runs from a to the field's end); months 1-12 or jan..dec, days of the
// week 0-7 (0 and 7 are Sunday) or sun..sat, names in any case. As in Vixie cron, when both
// day fields are restricted (neither starts with `*`) a day matches when EITHER matches;
// otherwise both must. A monthly dayOfMonth that a month does not have (31 in April) skips that
// month, as cron does; -1 is the last day of every month.
//
// Daylight saving time, in the schedule's zone: a local time that does not exist (spring
// forward, 02:30 in Paris on the last Sunday of March) fires at the first valid instant after
// it (03:00 local, the moment of the change); a local time that exists twice (fall back) fires
// once, at the earlier instant. Several local times of a cron that fall in one gap map to the
// same instant and fire once.
//
// The time zone database is the system's (howardhinnant date/tz, as render/date_format.cpp).
// Thread-safety: plain values and pure functions, safe from any thread.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"

namespace overture::workflow {

enum class ScheduleKind { kOnce, kDaily, kWeekly, kMonthly, kCron };
std::string_view ScheduleKindName(ScheduleKind k);  // "once", "daily", ...

// A wall-clock date and time, in the schedule's zone.
struct LocalDateTime {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

// The parsed cron expression as bit sets (bit n set: value n allowed).
struct CronSpec {
    std::uint64_t minutes = 0;        // 0-59
    std::uint32_t hours = 0;          // 0-23
    std::uint32_t days_of_month = 0;  // 1-31
    std::uint16_t months = 0;         // 1-12
    std::uint8_t days_of_week = 0;    // 0-6, Sunday = 0 (7 is folded into 0)
    bool dom_star = true;             // the day-of-month field starts with '*'
    bool dow_star = true;             // the day-of-week field starts with '*'
};

struct Schedule {
    ScheduleKind kind = ScheduleKind::kDaily;
    std::string time_zone = "UTC";  // IANA name, checked to exist
    // kOnce: `at` in time_zone, or the instant `at_instant` when the text carried an offset.
    LocalDateTime at;
    std::optional<TimePoint> at_instant;
    // kDaily, kWeekly, kMonthly.
    int hour = 0, minute = 0;
    std::uint8_t weekdays = 0;  // kWeekly: bit 0 Sunday .. bit 6 Saturday, at least one
    int day_of_month = 1;       // kMonthly: 1..31, or -1 for the last day
    // kCron.
    std::string cron_text;
    CronSpec cron;
};

// Reads a Scheduler's params. kInvalidArgument with details["field"] naming the member and a
// message that names it too, e.g. "params.cron: field 2 (hour) 25 is out of range 0-23",
// "params.timeZone: unknown time zone 'Europe/Pari' (use an IANA name such as Europe/Paris)".
// A cron whose day and month fields can never meet (30 February) is refused. Members of other
// kinds are ignored (the canvas keeps them while the user switches kinds).
Result<Schedule> ParseSchedule(const boost::json::object& params);

// The first tick strictly after `after`, or nullopt when there is none (a "once" in the past).
// `after` may carry milliseconds; ticks fall on whole minutes (whole seconds for "once").
std::optional<TimePoint> NextAfter(const Schedule& schedule, TimePoint after);

// For the canvas and the log: "Every day at 02:00 (Europe/Paris)", "Every Monday and Friday at
// 08:30 (UTC)", "On the last day of every month at 23:00 (UTC)", "Once, on 2026-12-01 at 09:00
// (Europe/Paris)", "Cron 0 2 * * 1-5 (America/New_York)".
std::string Describe(const Schedule& schedule);

// Reads a date-time for params such as Wait's "at": "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or
// an offset "+HH:MM" (an instant), or by nothing (a local time in `time_zone`, with the DST
// rules above). kInvalidArgument naming `field` when the text or the zone is not understood.
Result<TimePoint> ParseTimeIn(std::string_view text, std::string_view time_zone,
                              std::string_view field);

}  // namespace overture::workflow
