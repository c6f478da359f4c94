// Schedules of the Scheduler activity: every kind, daylight saving time in Europe/Paris and
// America/New_York, month ends and leap years, cron edge cases, and the messages of bad input.
#include "workflow/schedule.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

namespace overture::workflow {
namespace {

namespace json = boost::json;

Schedule Parse(std::string_view params) {
    auto s = ParseSchedule(json::parse(params).as_object());
    EXPECT_TRUE(s.has_value()) << params << ": " << (s ? "" : s.error().message);
    return s ? *s : Schedule{};
}

TimePoint Utc(std::string_view text) {
    auto t = ParseTimeIn(text, "UTC", "t");
    EXPECT_TRUE(t.has_value()) << text;
    return t ? *t : TimePoint{};
}

// The next tick after `after` (UTC text) as RFC 3339, or "none".
std::string Next(const Schedule& s, std::string_view after) {
    auto t = NextAfter(s, Utc(after));
    return t ? FormatRfc3339(*t) : "none";
}

// The first `n` ticks after `after`.
std::vector<std::string> Ticks(const Schedule& s, std::string_view after, int n) {
    std::vector<std::string> out;
    TimePoint t = Utc(after);
    for (int i = 0; i < n; ++i) {
        auto next = NextAfter(s, t);
        if (!next) break;
        out.push_back(FormatRfc3339(*next));
        t = *next;
    }
    return out;
}

// The error message of params that ParseSchedule refuses, and its field.
std::pair<std::string, std::string> Refused(std::string_view params) {
    auto s = ParseSchedule(json::parse(params).as_object());
    EXPECT_FALSE(s.has_value()) << params;
    if (s) return {};
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    auto field = s.error().details.find("field");
    return {s.error().message, field == s.error().details.end() ? "" : field->second};
}

TEST(Schedule, DailyInUtcByDefault) {
    auto s = Parse(R"({"kind": "daily", "time": "02:00"})");
    EXPECT_EQ(s.time_zone, "UTC");
    EXPECT_EQ(Next(s, "2026-12-01T01:59:59Z"), "2026-12-01T02:00:00.000Z");
    // Strictly after: at the tick itself, the next day's.
    EXPECT_EQ(Next(s, "2026-12-01T02:00:00Z"), "2026-12-02T02:00:00.000Z");
    EXPECT_EQ(NextAfter(s, Utc("2026-12-01T02:00:00Z") - std::chrono::milliseconds(1)),
              Utc("2026-12-01T02:00:00Z"));
    // Across the end of a year.
    EXPECT_EQ(Next(s, "2026-12-31T03:00:00Z"), "2027-01-01T02:00:00.000Z");
    EXPECT_EQ(Describe(s), "Every day at 02:00 (UTC)");
}

TEST(Schedule, DailyInAZone) {
    auto s = Parse(R"({"kind": "daily", "time": "9:05", "timeZone": "Europe/Paris"})");
    // Winter: UTC+1; summer: UTC+2.
    EXPECT_EQ(Next(s, "2026-01-10T00:00:00Z"), "2026-01-10T08:05:00.000Z");
    EXPECT_EQ(Next(s, "2026-07-10T00:00:00Z"), "2026-07-10T07:05:00.000Z");
    EXPECT_EQ(Describe(s), "Every day at 09:05 (Europe/Paris)");
}

TEST(Schedule, SpringForwardInParisFiresAtTheEndOfTheGap) {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC). 02:30 does not exist that day.
    auto s = Parse(R"({"kind": "daily", "time": "02:30", "timeZone": "Europe/Paris"})");
    EXPECT_EQ(Ticks(s, "2026-03-27T12:00:00Z", 4),
              (std::vector<std::string>{"2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z",
                                        "2026-03-30T00:30:00.000Z", "2026-03-31T00:30:00.000Z"}));
}

TEST(Schedule, FallBackInParisFiresOnceAtTheEarlierInstant) {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC): 02:30 happens twice.
    auto s = Parse(R"({"kind": "daily", "time": "02:30", "timeZone": "Europe/Paris"})");
    EXPECT_EQ(Ticks(s, "2026-10-24T12:00:00Z", 2),
              (std::vector<std::string>{"2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"}));
    // Asked from between the two 02:30s, the second one is not a tick.
    EXPECT_EQ(Next(s, "2026-10-25T01:00:00Z"), "2026-10-26T01:30:00.000Z");
}

TEST(Schedule, DstInNewYork) {
    // 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC); 2026-11-01: 02:00 EDT becomes
    // 01:00 EST (06:00 UTC), so 01:30 happens twice.
    auto spring = Parse(R"({"kind": "daily", "time": "02:30", "timeZone": "America/New_York"})");
    EXPECT_EQ(Ticks(spring, "2026-03-07T00:00:00Z", 3),
              (std::vector<std::string>{"2026-03-07T07:30:00.000Z", "2026-03-08T07:00:00.000Z",
                                        "2026-03-09T06:30:00.000Z"}));
    auto fall = Parse(R"({"kind": "daily", "time": "01:30", "timeZone": "America/New_York"})");
    EXPECT_EQ(Ticks(fall, "2026-10-31T00:00:00Z", 3),
              (std::vector<std::string>{"2026-10-31T05:30:00.000Z", "2026-11-01T05:30:00.000Z",
                                        "2026-11-02T06:30:00.000Z"}));
}

TEST(Schedule, OneTickPerDayAcrossTwoYearsOfDst) {
    for (const char* zone : {"Europe/Paris", "America/New_York"}) {
        for (const char* time : {"00:00", "01:30", "02:00", "02:30", "03:00", "23:59"}) {
            auto s = Parse(std::string(R"({"kind": "daily", "time": ")") + time +
                           R"(", "timeZone": ")" + zone + "\"}");
            // One tick per local day: consecutive ticks are 23 to 25 hours apart (24 but on
            // the days of a change, and on a day whose time falls in the gap).
            TimePoint t = Utc("2025-12-31T12:00:00Z");
            for (int day = 0; day < 731; ++day) {
                auto next = NextAfter(s, t);
                ASSERT_TRUE(next.has_value());
                if (day > 0) {
                    EXPECT_GE(*next - t, std::chrono::hours(23)) << zone << " " << time;
                    EXPECT_LE(*next - t, std::chrono::hours(25)) << zone << " " << time;
                }
                t = *next;
            }
        }
    }
}

TEST(Schedule, CronEveryQuarterHourThroughDst) {
    auto s = Parse(R"({"kind": "cron", "cron": "*/15 * * * *", "timeZone": "Europe/Paris"})");
    // Spring: 02:00, 02:15, 02:30, 02:45 and 03:00 are one instant (01:00 UTC), fired once.
    EXPECT_EQ(Ticks(s, "2026-03-29T00:30:00Z", 4),
              (std::vector<std::string>{"2026-03-29T00:45:00.000Z", "2026-03-29T01:00:00.000Z",
                                        "2026-03-29T01:15:00.000Z", "2026-03-29T01:30:00.000Z"}));
    // Fall: the repeated hour fires in its first pass only.
    EXPECT_EQ(Ticks(s, "2026-10-25T00:30:00Z", 4),
              (std::vector<std::string>{"2026-10-25T00:45:00.000Z", "2026-10-25T02:00:00.000Z",
                                        "2026-10-25T02:15:00.000Z", "2026-10-25T02:30:00.000Z"}));
    // Over the whole weeks: 96 local quarter hours a day; in spring four of them fold into
    // 03:00; in autumn none is lost and none doubled.
    auto spring = Ticks(s, "2026-03-22T22:59:00Z", 7 * 96 - 4);
    EXPECT_EQ(spring.back(), "2026-03-29T21:45:00.000Z");  // Sunday 23:45 CEST
    auto autumn = Ticks(s, "2026-10-18T21:59:00Z", 7 * 96);
    EXPECT_EQ(autumn.back(), "2026-10-25T22:45:00.000Z");  // Sunday 23:45 CET
}

TEST(Schedule, CronHourlyAcrossFallBackInNewYork) {
    auto s = Parse(R"({"kind": "cron", "cron": "0 * * * *", "timeZone": "America/New_York"})");
    // 00:00 EDT, 01:00 EDT, (01:00 EST skipped), 02:00 EST.
    EXPECT_EQ(Ticks(s, "2026-11-01T03:30:00Z", 3),
              (std::vector<std::string>{"2026-11-01T04:00:00.000Z", "2026-11-01T05:00:00.000Z",
                                        "2026-11-01T07:00:00.000Z"}));
}

TEST(Schedule, Weekly) {
    auto s = Parse(R"({"kind": "weekly", "time": "08:30", "days": ["fri", "Mon", "monday"]})");
    // 2026-12-02 is a Wednesday.
    EXPECT_EQ(Ticks(s, "2026-12-02T00:00:00Z", 3),
              (std::vector<std::string>{"2026-12-04T08:30:00.000Z", "2026-12-07T08:30:00.000Z",
                                        "2026-12-11T08:30:00.000Z"}));
    EXPECT_EQ(Describe(s), "Every Monday and Friday at 08:30 (UTC)");
    auto weekend = Parse(R"({"kind": "weekly", "time": "10:00", "days": ["sun", "sat", "wed"]})");
    EXPECT_EQ(Describe(weekend), "Every Wednesday, Saturday and Sunday at 10:00 (UTC)");
}

TEST(Schedule, MonthlySkipsMonthsWithoutTheDay) {
    auto s = Parse(R"({"kind": "monthly", "time": "12:00", "dayOfMonth": 31})");
    EXPECT_EQ(Ticks(s, "2026-01-31T13:00:00Z", 3),
              (std::vector<std::string>{"2026-03-31T12:00:00.000Z", "2026-05-31T12:00:00.000Z",
                                        "2026-07-31T12:00:00.000Z"}));
    EXPECT_EQ(Describe(s), "On the 31st of every month that has one, at 12:00 (UTC)");
    auto first = Parse(R"({"kind": "monthly", "time": "02:00", "dayOfMonth": 1.0})");
    EXPECT_EQ(Next(first, "2026-12-15T00:00:00Z"), "2027-01-01T02:00:00.000Z");
    EXPECT_EQ(Describe(first), "On the 1st of every month at 02:00 (UTC)");
}

TEST(Schedule, MonthlyLastDayAndLeapYears) {
    auto last = Parse(R"({"kind": "monthly", "time": "23:00", "dayOfMonth": -1})");
    EXPECT_EQ(Ticks(last, "2026-01-31T23:00:00Z", 3),
              (std::vector<std::string>{"2026-02-28T23:00:00.000Z", "2026-03-31T23:00:00.000Z",
                                        "2026-04-30T23:00:00.000Z"}));
    EXPECT_EQ(Next(last, "2028-02-01T00:00:00Z"), "2028-02-29T23:00:00.000Z");
    EXPECT_EQ(Next(last, "2100-02-01T00:00:00Z"), "2100-02-28T23:00:00.000Z");  // not leap
    EXPECT_EQ(Describe(last), "On the last day of every month at 23:00 (UTC)");
    auto leap = Parse(R"({"kind": "monthly", "time": "06:00", "dayOfMonth": 29})");
    EXPECT_EQ(Next(leap, "2027-01-30T00:00:00Z"), "2027-03-29T06:00:00.000Z");
    EXPECT_EQ(Next(leap, "2028-01-30T00:00:00Z"), "2028-02-29T06:00:00.000Z");
}

TEST(Schedule, Once) {
    auto s = Parse(R"({"kind": "once", "at": "2026-12-01T09:00", "timeZone": "Europe/Paris"})");
    EXPECT_EQ(Next(s, "2026-11-29T10:00:00Z"), "2026-12-01T08:00:00.000Z");
    EXPECT_EQ(Next(s, "2026-12-01T08:00:00Z"), "none");
    EXPECT_EQ(Next(s, "2027-01-01T00:00:00Z"), "none");
    EXPECT_EQ(Describe(s), "Once, on 2026-12-01 at 09:00 (Europe/Paris)");
    // With an offset the text is an instant, whatever the zone.
    auto instant =
        Parse(R"({"kind": "once", "at": "2026-12-01T09:00:30+01:00", "timeZone": "Asia/Tokyo"})");
    EXPECT_EQ(Next(instant, "2026-11-29T10:00:00Z"), "2026-12-01T08:00:30.000Z");
    EXPECT_EQ(Describe(instant), "Once, at 2026-12-01T08:00:30.000Z");
    // In a DST gap: the end of the gap.
    auto gap = Parse(R"({"kind": "once", "at": "2026-03-29 02:15", "timeZone": "Europe/Paris"})");
    EXPECT_EQ(Next(gap, "2026-01-01T00:00:00Z"), "2026-03-29T01:00:00.000Z");
}

TEST(Schedule, CronFieldsListsRangesSteps) {
    auto s = Parse(R"({"kind": "cron", "cron": "5/20 9-10 * * *"})");
    EXPECT_EQ(Ticks(s, "2026-12-01T00:00:00Z", 7),
              (std::vector<std::string>{"2026-12-01T09:05:00.000Z", "2026-12-01T09:25:00.000Z",
                                        "2026-12-01T09:45:00.000Z", "2026-12-01T10:05:00.000Z",
                                        "2026-12-01T10:25:00.000Z", "2026-12-01T10:45:00.000Z",
                                        "2026-12-02T09:05:00.000Z"}));
    auto list = Parse(R"({"kind": "cron", "cron": "  0,30   9,17 * *  * "})");
    EXPECT_EQ(Ticks(list, "2026-12-01T09:10:00Z", 3),
              (std::vector<std::string>{"2026-12-01T09:30:00.000Z", "2026-12-01T17:00:00.000Z",
                                        "2026-12-01T17:30:00.000Z"}));
    EXPECT_EQ(Describe(list), "Cron 0,30 9,17 * * * (UTC)");
    auto range_step = Parse(R"({"kind": "cron", "cron": "10-20/5 0 * * *"})");
    EXPECT_EQ(Ticks(range_step, "2026-12-01T00:00:00Z", 4),
              (std::vector<std::string>{"2026-12-01T00:10:00.000Z", "2026-12-01T00:15:00.000Z",
                                        "2026-12-01T00:20:00.000Z", "2026-12-02T00:10:00.000Z"}));
}

TEST(Schedule, CronNames) {
    // Weekdays of the first quarter, names in any case. 2027-01-01 is a Friday.
    auto s = Parse(R"({"kind": "cron", "cron": "30 6 * JAN-mar Mon-FRI"})");
    EXPECT_EQ(Ticks(s, "2026-12-31T00:00:00Z", 2),
              (std::vector<std::string>{"2027-01-01T06:30:00.000Z", "2027-01-04T06:30:00.000Z"}));
    EXPECT_EQ(Next(s, "2027-03-31T07:00:00Z"), "2028-01-03T06:30:00.000Z");
    // 7 and 0 are both Sunday.
    auto seven = Parse(R"({"kind": "cron", "cron": "0 0 * * 7"})");
    auto zero = Parse(R"({"kind": "cron", "cron": "0 0 * * sun"})");
    EXPECT_EQ(Next(seven, "2026-12-01T00:00:00Z"), "2026-12-06T00:00:00.000Z");
    EXPECT_EQ(Next(zero, "2026-12-01T00:00:00Z"), "2026-12-06T00:00:00.000Z");
    auto range_to_seven = Parse(R"({"kind": "cron", "cron": "0 0 * * 5-7"})");
    EXPECT_EQ(Ticks(range_to_seven, "2026-12-01T00:00:00Z", 4),
              (std::vector<std::string>{"2026-12-04T00:00:00.000Z", "2026-12-05T00:00:00.000Z",
                                        "2026-12-06T00:00:00.000Z", "2026-12-11T00:00:00.000Z"}));
}

TEST(Schedule, CronDayFieldsOrWhenBothRestricted) {
    // Both restricted: the 13th OR any Friday (2026-11-13 is a Friday).
    auto both = Parse(R"({"kind": "cron", "cron": "0 12 13 * fri"})");
    EXPECT_EQ(Ticks(both, "2026-12-01T00:00:00Z", 4),
              (std::vector<std::string>{"2026-12-04T12:00:00.000Z", "2026-12-11T12:00:00.000Z",
                                        "2026-12-13T12:00:00.000Z", "2026-12-18T12:00:00.000Z"}));
    // The day of month is '*' (even with a step): Fridays only, AND.
    auto star = Parse(R"({"kind": "cron", "cron": "0 12 */1 * fri"})");
    EXPECT_EQ(Ticks(star, "2026-12-01T00:00:00Z", 2),
              (std::vector<std::string>{"2026-12-04T12:00:00.000Z", "2026-12-11T12:00:00.000Z"}));
    // The day of week is '*': the 13th only.
    auto dom = Parse(R"({"kind": "cron", "cron": "0 12 13 * *"})");
    EXPECT_EQ(Next(dom, "2026-12-01T00:00:00Z"), "2026-12-13T12:00:00.000Z");
    // 31 February never happens, but with a day of week it is "or Mondays in February".
    auto feb = Parse(R"({"kind": "cron", "cron": "0 0 31 2 mon"})");
    EXPECT_EQ(Next(feb, "2026-12-01T00:00:00Z"), "2027-02-01T00:00:00.000Z");
}

TEST(Schedule, CronLeapDay) {
    auto s = Parse(R"({"kind": "cron", "cron": "0 0 29 2 *"})");
    EXPECT_EQ(Next(s, "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
    // 2100 is not a leap year: eight years from 2096 to 2104.
    EXPECT_EQ(Next(s, "2096-03-01T00:00:00Z"), "2104-02-29T00:00:00.000Z");
    auto month_end = Parse(R"({"kind": "cron", "cron": "0 0 31 * *"})");
    EXPECT_EQ(Ticks(month_end, "2026-01-31T00:00:00Z", 2),
              (std::vector<std::string>{"2026-03-31T00:00:00.000Z", "2026-05-31T00:00:00.000Z"}));
}

TEST(Schedule, CronMessages) {
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 25 * * *"})"),
              std::make_pair(std::string("params.cron: field 2 (hour) 25 is out of range 0-23"),
                             std::string("params.cron")));
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 2 * *"})").first,
              "params.cron: expected 5 fields (minute hour day-of-month month day-of-week), "
              "found 4");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 2 * * * *"})").first,
              "params.cron: expected 5 fields (minute hour day-of-month month day-of-week), "
              "found 6");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "60 * * * *"})").first,
              "params.cron: field 1 (minute) 60 is out of range 0-59");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 0 * *"})").first,
              "params.cron: field 3 (day of month) 0 is out of range 1-31");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 * 13 *"})").first,
              "params.cron: field 4 (month) 13 is out of range 1-12");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 * * 8"})").first,
              "params.cron: field 5 (day of week) 8 is out of range 0-7");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "*/0 * * * *"})").first,
              "params.cron: field 1 (minute) step 0 is out of range 1-59");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "*/x * * * *"})").first,
              "params.cron: field 1 (minute) step 'x' is not a number");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 5-1 * *"})").first,
              "params.cron: field 3 (day of month) range 5-1 runs backwards (5 > 1)");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 * foo *"})").first,
              "params.cron: field 4 (month) 'foo' is not a number (1-12) or a month name "
              "(jan..dec)");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 * * fri-mon"})").first,
              "params.cron: field 5 (day of week) range fri-mon runs backwards (5 > 1)");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 * * funday"})").first,
              "params.cron: field 5 (day of week) 'funday' is not a number (0-7) or a day name "
              "(sun..sat)");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "1,,2 * * * *"})").first,
              "params.cron: field 1 (minute) has an empty item in '1,,2'");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "a * * * *"})").first,
              "params.cron: field 1 (minute) 'a' is not a number");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "-1 * * * *"})").first,
              "params.cron: field 1 (minute) '' is not a number");
    const std::string never =
        "params.cron: the day-of-month and month fields never meet (no chosen month has any "
        "of the chosen days): the schedule would never fire";
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 30 2 *"})").first, never);
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": "0 0 31 apr,jun,sep,nov *"})").first, never);
    EXPECT_EQ(Refused(R"({"kind": "cron"})").first, "params.cron: is required");
    EXPECT_EQ(Refused(R"({"kind": "cron", "cron": 5})").first, "params.cron: must be a string");
}

TEST(Schedule, OtherMessages) {
    EXPECT_EQ(Refused(R"({})"),
              std::make_pair(std::string("params.kind: choose once, daily, weekly, monthly or "
                                         "cron"),
                             std::string("params.kind")));
    EXPECT_EQ(Refused(R"({"kind": "hourly"})").first,
              "params.kind: unknown kind 'hourly': choose once, daily, weekly, monthly or cron");
    EXPECT_EQ(Refused(R"({"kind": "daily", "time": "02:00", "timeZone": "Europe/Pari"})"),
              std::make_pair(std::string("params.timeZone: unknown time zone 'Europe/Pari' (use "
                                         "an IANA name such as Europe/Paris)"),
                             std::string("params.timeZone")));
    EXPECT_EQ(Refused(R"({"kind": "daily", "time": "02:00", "timeZone": 1})").first,
              "params.timeZone: must be a string");
    for (const char* bad : {"24:00", "12:60", "1200", "12:5", "", "ab:cd", "-1:00"}) {
        EXPECT_EQ(
            Refused(std::string(R"({"kind": "daily", "time": ")") + bad + "\"}").first,
            std::string("params.time: '") + bad + "' is not a time of day (HH:MM, 00:00-23:59)");
    }
    EXPECT_EQ(Refused(R"({"kind": "daily"})").second, "params.time");
    EXPECT_EQ(Refused(R"({"kind": "weekly", "time": "02:00"})"),
              std::make_pair(std::string("params.days: choose at least one day of the week "
                                         "(mon..sun)"),
                             std::string("params.days")));
    EXPECT_EQ(Refused(R"({"kind": "weekly", "time": "02:00", "days": []})").second, "params.days");
    EXPECT_EQ(Refused(R"({"kind": "weekly", "time": "02:00", "days": ["mon", "funday"]})"),
              std::make_pair(std::string("params.days[1]: 'funday' is not a day of the week "
                                         "(mon, tue, wed, thu, fri, sat, sun)"),
                             std::string("params.days[1]")));
    for (const char* bad : {"0", "32", "-2", "\"1\"", "1.5", "null"}) {
        EXPECT_EQ(Refused(std::string(R"({"kind": "monthly", "time": "02:00", "dayOfMonth": )") +
                          bad + "}"),
                  std::make_pair(std::string("params.dayOfMonth: must be a day of the month "
                                             "1-31, or -1 for the last day"),
                                 std::string("params.dayOfMonth")));
    }
    for (const char* bad : {"tomorrow", "2026-02-30T10:00", "2026-12-01", "2026-12-01T25:00",
                            "2026-12-01T10:00+25:00", "2026-12-01T10:00 CET"}) {
        EXPECT_EQ(Refused(std::string(R"({"kind": "once", "at": ")") + bad + "\"}").first,
                  std::string("params.at: '") + bad +
                      "' is not a date and time (YYYY-MM-DDTHH:MM, local to the time zone)");
    }
    EXPECT_EQ(Refused(R"({"kind": "once"})").first, "params.at: is required");
}

TEST(Schedule, IgnoresMembersOfOtherKinds) {
    auto s = Parse(R"({"kind": "daily", "time": "02:00", "cron": "bad", "days": 5,
                       "dayOfMonth": "x", "at": 1})");
    EXPECT_EQ(s.kind, ScheduleKind::kDaily);
}

TEST(Schedule, ParseTimeIn) {
    EXPECT_EQ(FormatRfc3339(*ParseTimeIn("2026-12-01T09:00:00Z", "Europe/Paris", "params.at")),
              "2026-12-01T09:00:00.000Z");
    EXPECT_EQ(FormatRfc3339(*ParseTimeIn("2026-12-01T09:00", "Europe/Paris", "params.at")),
              "2026-12-01T08:00:00.000Z");
    EXPECT_EQ(FormatRfc3339(*ParseTimeIn("2026-07-01T09:00:00.250-0400", "UTC", "params.at")),
              "2026-07-01T13:00:00.000Z");
    auto bad = ParseTimeIn("soon", "UTC", "params.at");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().details.at("field"), "params.at");
    EXPECT_EQ(bad.error().message,
              "params.at: 'soon' is not a date and time (YYYY-MM-DDTHH:MM[:SS], optionally "
              "followed by Z or an offset such as +02:00)");
}

}  // namespace
}  // namespace overture::workflow
