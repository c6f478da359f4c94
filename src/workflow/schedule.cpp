// Schedules of the Scheduler activity: parsing the params, the next tick, the description.
//
// NextAfter walks local calendar days in the schedule's zone, starting the day before `after`
// (local), and for each day that matches, the times of day in order; each candidate local time
// becomes an instant by the DST rules of schedule.hpp. That mapping never decreases as local
// time grows, so the first candidate whose instant is after `after` is the next tick. The walk
// stops after nine years of days: every accepted schedule fires within that (a cron on 29
// February waits at most eight years, 2096 -> 2104).
#include "workflow/schedule.hpp"

#include <fmt/format.h>

#include <date/date.h>
#include <date/tz.h>
#include <array>
#include <boost/json/value.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <exception>
#include <vector>

#include "common/strings.hpp"

namespace overture::workflow {

namespace json = boost::json;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kFullDayNames = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
constexpr std::array<std::string_view, 7> kDayLabels = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};

// Nine years of days: see the file comment.
constexpr int kMaxDays = 9 * 366;

Error Bad(std::string field, std::string message) {
    std::string text = field + ": " + message;
    return Error::InvalidField(std::move(field), std::move(text));
}

const date::time_zone* FindZone(std::string_view name) {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

// The instant of a local time in `zone`: a time in a gap is the end of the gap, a time that
// exists twice is the earlier of the two.
date::sys_seconds ToInstant(const date::time_zone& zone, date::local_seconds local) {
    const date::local_info info = zone.get_info(local);
    switch (info.result) {
        case date::local_info::nonexistent:
            return info.second.begin;
        case date::local_info::ambiguous:
        case date::local_info::unique:
        default:
            return date::sys_seconds{local.time_since_epoch()} - info.first.offset;
    }
}

date::local_seconds ToLocal(const date::time_zone& zone, date::sys_seconds instant) {
    const date::sys_info info = zone.get_info(instant);
    return date::local_seconds{instant.time_since_epoch() + info.offset};
}

date::local_seconds LocalOf(const LocalDateTime& t) {
    const date::year_month_day ymd{date::year{t.year}, date::month{static_cast<unsigned>(t.month)},
                                   date::day{static_cast<unsigned>(t.day)}};
    return date::local_days{ymd} + std::chrono::hours{t.hour} + minutes{t.minute} +
           seconds{t.second};
}

TimePoint ToTimePoint(date::sys_seconds s) {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(s);
}

bool ReadInt(std::string_view s, int& out) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// "HH:MM" (or "H:MM"), 00:00-23:59.
bool ParseTimeOfDay(std::string_view s, int& hour, int& minute) {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2) return false;
    if (s.size() - colon - 1 != 2) return false;
    if (!ReadInt(s.substr(0, colon), hour) || !ReadInt(s.substr(colon + 1), minute)) return false;
    return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
}

// "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by nothing, "Z", "+HH:MM", "+HHMM" or "+HH" (and '-').
// `offset` is set when the text carries one.
bool ParseDateTimeText(std::string_view s, LocalDateTime& out, std::optional<minutes>& offset) {
    offset.reset();
    s = Trim(s);
    if (s.size() < 16 || s[4] != '-' || s[7] != '-' ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':') {
        return false;
    }
    if (!ReadInt(s.substr(0, 4), out.year) || !ReadInt(s.substr(5, 2), out.month) ||
        !ReadInt(s.substr(8, 2), out.day) || !ReadInt(s.substr(11, 2), out.hour) ||
        !ReadInt(s.substr(14, 2), out.minute)) {
        return false;
    }
    out.second = 0;
    std::size_t pos = 16;
    if (pos < s.size() && s[pos] == ':') {
        if (pos + 3 > s.size() || !ReadInt(s.substr(pos + 1, 2), out.second)) return false;
        pos += 3;
        if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
            ++pos;
            const std::size_t start = pos;
            while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
            if (pos == start) return false;  // fraction ignored: ticks are whole seconds
        }
    }
    if (pos < s.size()) {
        std::string_view zone = s.substr(pos);
        if (zone == "Z" || zone == "z") {
            offset = minutes{0};
        } else if (zone[0] == '+' || zone[0] == '-') {
            int oh = 0, om = 0;
            std::string_view rest = zone.substr(1);
            bool ok = false;
            if (rest.size() == 2) {
                ok = ReadInt(rest, oh);
            } else if (rest.size() == 4) {
                ok = ReadInt(rest.substr(0, 2), oh) && ReadInt(rest.substr(2, 2), om);
            } else if (rest.size() == 5 && rest[2] == ':') {
                ok = ReadInt(rest.substr(0, 2), oh) && ReadInt(rest.substr(3, 2), om);
            }
            if (!ok || oh > 23 || om > 59) return false;
            offset = minutes{(zone[0] == '-' ? -1 : 1) * (oh * 60 + om)};
        } else {
            return false;
        }
    }
    if (out.month < 1 || out.month > 12 || out.hour > 23 || out.minute > 59 || out.second > 59) {
        return false;
    }
    const date::year_month_day ymd{date::year{out.year},
                                   date::month{static_cast<unsigned>(out.month)},
                                   date::day{static_cast<unsigned>(out.day)}};
    return ymd.ok();
}

Result<std::string> StringMember(const json::object& params, std::string_view key,
                                 const std::string& field) {
    const json::value* v = params.if_contains(key);
    if (v == nullptr || v->is_null()) return Fail(Bad(field, "is required"));
    if (!v->is_string()) return Fail(Bad(field, "must be a string"));
    return std::string(v->as_string());
}

// An integer member (1, 1.0; not "1").
std::optional<std::int64_t> IntegerOf(const json::value& v) {
    if (v.is_int64()) return v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.as_uint64());
    }
    if (v.is_double()) {
        const double d = v.as_double();
        if (d >= -1e15 && d <= 1e15 && d == static_cast<double>(static_cast<std::int64_t>(d))) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

Result<std::string> TimeZoneOf(const json::object& params) {
    const json::value* v = params.if_contains("timeZone");
    if (v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty())) {
        return std::string("UTC");
    }
    if (!v->is_string()) return Fail(Bad("params.timeZone", "must be a string"));
    std::string name(v->as_string());
    if (FindZone(name) == nullptr) {
        return Fail(
            Bad("params.timeZone", fmt::format("unknown time zone '{}' (use an IANA name such as "
                                               "Europe/Paris)",
                                               name)));
    }
    return name;
}

// ---- cron ----

struct CronField {
    std::string_view name;  // "minute"
    int min, max;
};
constexpr std::array<CronField, 5> kCronFields = {{{"minute", 0, 59},
                                                   {"hour", 0, 23},
                                                   {"day of month", 1, 31},
                                                   {"month", 1, 12},
                                                   {"day of week", 0, 7}}};

// A value of field `index` (0-based): a number, or a month or day name.
Result<int> CronValue(std::string_view text, std::size_t index, const std::string& where) {
    int value = 0;
    if (ReadInt(text, value)) {
        const CronField& f = kCronFields[index];
        if (value < f.min || value > f.max) {
            return Fail(Bad("params.cron", fmt::format("{} {} is out of range {}-{}", where, value,
                                                       f.min, f.max)));
        }
        return value;
    }
    const std::string lower = ToLower(text);
    if (index == 3) {
        for (std::size_t i = 0; i < kMonthNames.size(); ++i) {
            if (lower == kMonthNames[i]) return static_cast<int>(i) + 1;
        }
        return Fail(Bad("params.cron", fmt::format("{} '{}' is not a number (1-12) or a month "
                                                   "name (jan..dec)",
                                                   where, text)));
    }
    if (index == 4) {
        for (std::size_t i = 0; i < kDayNames.size(); ++i) {
            if (lower == kDayNames[i]) return static_cast<int>(i);
        }
        return Fail(Bad("params.cron", fmt::format("{} '{}' is not a number (0-7) or a day name "
                                                   "(sun..sat)",
                                                   where, text)));
    }
    return Fail(Bad("params.cron", fmt::format("{} '{}' is not a number", where, text)));
}

// The values of one field as a bit set over min..max.
Result<std::uint64_t> CronFieldBits(std::string_view text, std::size_t index) {
    const CronField& f = kCronFields[index];
    const std::string where = fmt::format("field {} ({})", index + 1, f.name);
    std::uint64_t bits = 0;
    for (std::string_view item : Split(text, ',')) {
        if (item.empty()) {
            return Fail(
                Bad("params.cron", fmt::format("{} has an empty item in '{}'", where, text)));
        }
        int step = 1;
        std::string_view range = item;
        if (auto slash = item.find('/'); slash != std::string_view::npos) {
            range = item.substr(0, slash);
            std::string_view step_text = item.substr(slash + 1);
            if (!ReadInt(step_text, step)) {
                return Fail(Bad("params.cron",
                                fmt::format("{} step '{}' is not a number", where, step_text)));
            }
            if (step < 1 || step > f.max) {
                return Fail(Bad("params.cron", fmt::format("{} step {} is out of range 1-{}", where,
                                                           step, f.max)));
            }
        }
        int low = f.min, high = f.max;
        if (range == "*") {
            // all values (a step applies over the whole field)
        } else if (auto dash = range.find('-'); dash != std::string_view::npos) {
            auto a = CronValue(range.substr(0, dash), index, where);
            if (!a) return Fail(a.error());
            auto b = CronValue(range.substr(dash + 1), index, where);
            if (!b) return Fail(b.error());
            low = *a;
            high = *b;
            if (low > high) {
                return Fail(Bad("params.cron", fmt::format("{} range {} runs backwards ({} > {})",
                                                           where, range, low, high)));
            }
        } else {
            auto a = CronValue(range, index, where);
            if (!a) return Fail(a.error());
            low = *a;
            // "5/15" runs from 5 to the field's end; "5" alone is just 5.
            high = item.find('/') != std::string_view::npos ? f.max : *a;
        }
        for (int v = low; v <= high; v += step) bits |= std::uint64_t{1} << v;
    }
    return bits;
}

int DaysIn(int year, int month) {
    const date::year_month_day_last last{date::year{year} /
                                         date::month{static_cast<unsigned>(month)} / date::last};
    return static_cast<int>(static_cast<unsigned>(last.day()));
}

Result<CronSpec> ParseCron(std::string_view text) {
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        const std::size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) fields.push_back(text.substr(start, i - start));
    }
    if (fields.size() != 5) {
        return Fail(
            Bad("params.cron", fmt::format("expected 5 fields (minute hour day-of-month month "
                                           "day-of-week), found {}",
                                           fields.size())));
    }
    std::array<std::uint64_t, 5> bits{};
    for (std::size_t f = 0; f < 5; ++f) {
        auto b = CronFieldBits(fields[f], f);
        if (!b) return Fail(b.error());
        bits[f] = *b;
    }
    CronSpec spec;
    spec.minutes = bits[0];
    spec.hours = static_cast<std::uint32_t>(bits[1]);
    spec.days_of_month = static_cast<std::uint32_t>(bits[2]);
    spec.months = static_cast<std::uint16_t>(bits[3]);
    std::uint64_t dow = bits[4];
    if (dow & (std::uint64_t{1} << 7)) dow = (dow | 1) & 0x7f;  // 7 is Sunday too
    spec.days_of_week = static_cast<std::uint8_t>(dow);
    spec.dom_star = fields[2].front() == '*';
    spec.dow_star = fields[4].front() == '*';
    // The days of the month alone decide (the day of week is '*' or the fields AND together
    // and the week has every day): some chosen month must have some chosen day.
    if (!spec.dom_star && spec.dow_star) {
        bool meets = false;
        for (int m = 1; m <= 12 && !meets; ++m) {
            if (!(spec.months & (1u << m))) continue;
            const int days = m == 2 ? 29 : DaysIn(2001, m);
            for (int d = 1; d <= days; ++d) {
                if (spec.days_of_month & (1u << d)) {
                    meets = true;
                    break;
                }
            }
        }
        if (!meets) {
            return Fail(Bad("params.cron",
                            "the day-of-month and month fields never meet (no chosen month has "
                            "any of the chosen days): the schedule would never fire"));
        }
    }
    return spec;
}

// ---- matching ----

bool DayMatches(const Schedule& s, const date::year_month_day& ymd, unsigned weekday) {
    const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    const int day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    switch (s.kind) {
        case ScheduleKind::kDaily:
            return true;
        case ScheduleKind::kWeekly:
            return (s.weekdays & (1u << weekday)) != 0;
        case ScheduleKind::kMonthly:
            if (s.day_of_month == -1) {
                return day == DaysIn(static_cast<int>(ymd.year()), month);
            }
            return day == s.day_of_month;
        case ScheduleKind::kCron: {
            if (!(s.cron.months & (1u << month))) return false;
            const bool dom = (s.cron.days_of_month & (1u << day)) != 0;
            const bool dow = (s.cron.days_of_week & (1u << weekday)) != 0;
            if (s.cron.dom_star || s.cron.dow_star) return dom && dow;
            return dom || dow;
        }
        case ScheduleKind::kOnce:
            return false;
    }
    return false;
}

std::string TwoDigits(int v) { return fmt::format("{:02}", v); }

std::string Ordinal(int n) {
    const int tens = n % 100;
    std::string_view suffix = "th";
    if (tens < 11 || tens > 13) {
        if (n % 10 == 1) suffix = "st";
        if (n % 10 == 2) suffix = "nd";
        if (n % 10 == 3) suffix = "rd";
    }
    return fmt::format("{}{}", n, suffix);
}

std::string JoinWords(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += i + 1 == words.size() ? " and " : ", ";
        out += words[i];
    }
    return out;
}

}  // namespace

std::string_view ScheduleKindName(ScheduleKind k) {
    switch (k) {
        case ScheduleKind::kOnce:
            return "once";
        case ScheduleKind::kDaily:
            return "daily";
        case ScheduleKind::kWeekly:
            return "weekly";
        case ScheduleKind::kMonthly:
            return "monthly";
        case ScheduleKind::kCron:
            return "cron";
    }
    return "daily";
}

Result<Schedule> ParseSchedule(const json::object& params) {
    Schedule s;
    auto kind = StringMember(params, "kind", "params.kind");
    if (!kind) {
        return Fail(Bad("params.kind", "choose once, daily, weekly, monthly or cron"));
    }
    if (*kind == "once") {
        s.kind = ScheduleKind::kOnce;
    } else if (*kind == "daily") {
        s.kind = ScheduleKind::kDaily;
    } else if (*kind == "weekly") {
        s.kind = ScheduleKind::kWeekly;
    } else if (*kind == "monthly") {
        s.kind = ScheduleKind::kMonthly;
    } else if (*kind == "cron") {
        s.kind = ScheduleKind::kCron;
    } else {
        return Fail(Bad("params.kind", fmt::format("unknown kind '{}': choose once, daily, "
                                                   "weekly, monthly or cron",
                                                   *kind)));
    }
    auto zone = TimeZoneOf(params);
    if (!zone) return Fail(zone.error());
    s.time_zone = std::move(*zone);

    if (s.kind == ScheduleKind::kOnce) {
        auto at = StringMember(params, "at", "params.at");
        if (!at) return Fail(at.error());
        std::optional<minutes> offset;
        if (!ParseDateTimeText(*at, s.at, offset)) {
            return Fail(Bad("params.at", fmt::format("'{}' is not a date and time "
                                                     "(YYYY-MM-DDTHH:MM, local to the time zone)",
                                                     *at)));
        }
        if (offset) {
            s.at_instant =
                ToTimePoint(date::sys_seconds{LocalOf(s.at).time_since_epoch()} - *offset);
        }
        return s;
    }
    if (s.kind == ScheduleKind::kCron) {
        auto text = StringMember(params, "cron", "params.cron");
        if (!text) return Fail(text.error());
        auto spec = ParseCron(*text);
        if (!spec) return Fail(spec.error());
        s.cron = *spec;
        // Kept with single spaces, for Describe.
        std::string normal;
        bool blank = false;
        for (char c : std::string_view(Trim(*text))) {
            if (std::isspace(static_cast<unsigned char>(c))) {
                blank = true;
                continue;
            }
            if (blank) normal += ' ';
            blank = false;
            normal += c;
        }
        s.cron_text = std::move(normal);
        return s;
    }

    auto time = StringMember(params, "time", "params.time");
    if (!time) return Fail(time.error());
    if (!ParseTimeOfDay(*time, s.hour, s.minute)) {
        return Fail(Bad("params.time",
                        fmt::format("'{}' is not a time of day (HH:MM, 00:00-23:59)", *time)));
    }
    if (s.kind == ScheduleKind::kWeekly) {
        const json::value* days = params.if_contains("days");
        if (days == nullptr || !days->is_array() || days->as_array().empty()) {
            return Fail(Bad("params.days", "choose at least one day of the week (mon..sun)"));
        }
        std::size_t i = 0;
        for (const json::value& d : days->as_array()) {
            const std::string field = fmt::format("params.days[{}]", i++);
            if (!d.is_string()) return Fail(Bad(field, "must be a day name such as \"mon\""));
            const std::string lower = ToLower(d.as_string());
            bool found = false;
            for (std::size_t w = 0; w < 7; ++w) {
                if (lower == kDayNames[w] || lower == kFullDayNames[w]) {
                    s.weekdays |= static_cast<std::uint8_t>(1u << w);
                    found = true;
                }
            }
            if (!found) {
                return Fail(Bad(field, fmt::format("'{}' is not a day of the week (mon, tue, wed, "
                                                   "thu, fri, sat, sun)",
                                                   std::string_view(d.as_string()))));
            }
        }
    }
    if (s.kind == ScheduleKind::kMonthly) {
        const json::value* dom = params.if_contains("dayOfMonth");
        std::optional<std::int64_t> n;
        if (dom != nullptr) n = IntegerOf(*dom);
        if (!n || !((*n >= 1 && *n <= 31) || *n == -1)) {
            return Fail(Bad("params.dayOfMonth",
                            "must be a day of the month 1-31, or -1 for the last day"));
        }
        s.day_of_month = static_cast<int>(*n);
    }
    return s;
}

std::optional<TimePoint> NextAfter(const Schedule& s, TimePoint after) {
    const date::time_zone* zone = FindZone(s.time_zone);
    if (zone == nullptr) return std::nullopt;  // ParseSchedule refuses it; never here
    if (s.kind == ScheduleKind::kOnce) {
        const TimePoint at =
            s.at_instant ? *s.at_instant : ToTimePoint(ToInstant(*zone, LocalOf(s.at)));
        if (at > after) return at;
        return std::nullopt;
    }
    const date::local_seconds local_after = ToLocal(*zone, std::chrono::floor<seconds>(after));
    // Local candidates more than a day before `after` (local) cannot be after it: offsets
    // change by a few hours at most.
    const date::local_seconds earliest = local_after - std::chrono::hours{26};
    date::local_days day = date::floor<date::days>(local_after) - date::days{1};

    std::vector<std::pair<int, int>> times;  // (hour, minute) of a matching day, in order
    if (s.kind == ScheduleKind::kCron) {
        for (int h = 0; h < 24; ++h) {
            if (!(s.cron.hours & (1u << h))) continue;
            for (int m = 0; m < 60; ++m) {
                if (s.cron.minutes & (std::uint64_t{1} << m)) times.emplace_back(h, m);
            }
        }
    } else {
        times.emplace_back(s.hour, s.minute);
    }
    for (int n = 0; n < kMaxDays; ++n, day += date::days{1}) {
        const date::year_month_day ymd{day};
        const unsigned weekday = date::weekday{day}.c_encoding();
        if (!DayMatches(s, ymd, weekday)) continue;
        for (const auto& [h, m] : times) {
            const date::local_seconds local = day + std::chrono::hours{h} + minutes{m};
            if (local < earliest) continue;
            const TimePoint tick = ToTimePoint(ToInstant(*zone, local));
            if (tick > after) return tick;
        }
    }
    return std::nullopt;
}

std::string Describe(const Schedule& s) {
    const std::string zone = fmt::format("({})", s.time_zone);
    const std::string at = TwoDigits(s.hour) + ":" + TwoDigits(s.minute);
    switch (s.kind) {
        case ScheduleKind::kOnce:
            if (s.at_instant) return fmt::format("Once, at {}", FormatRfc3339(*s.at_instant));
            return fmt::format("Once, on {:04}-{:02}-{:02} at {:02}:{:02} {}", s.at.year,
                               s.at.month, s.at.day, s.at.hour, s.at.minute, zone);
        case ScheduleKind::kDaily:
            return fmt::format("Every day at {} {}", at, zone);
        case ScheduleKind::kWeekly: {
            std::vector<std::string> days;
            for (unsigned w : {1u, 2u, 3u, 4u, 5u, 6u, 0u}) {
                if (s.weekdays & (1u << w)) days.emplace_back(kDayLabels[w]);
            }
            return fmt::format("Every {} at {} {}", JoinWords(days), at, zone);
        }
        case ScheduleKind::kMonthly:
            if (s.day_of_month == -1) {
                return fmt::format("On the last day of every month at {} {}", at, zone);
            }
            if (s.day_of_month > 28) {
                return fmt::format("On the {} of every month that has one, at {} {}",
                                   Ordinal(s.day_of_month), at, zone);
            }
            return fmt::format("On the {} of every month at {} {}", Ordinal(s.day_of_month), at,
                               zone);
        case ScheduleKind::kCron:
            return fmt::format("Cron {} {}", s.cron_text, zone);
    }
    return {};
}

Result<TimePoint> ParseTimeIn(std::string_view text, std::string_view time_zone,
                              std::string_view field) {
    LocalDateTime local;
    std::optional<minutes> offset;
    if (!ParseDateTimeText(text, local, offset)) {
        return Fail(Bad(std::string(field),
                        fmt::format("'{}' is not a date and time (YYYY-MM-DDTHH:MM[:SS], "
                                    "optionally followed by Z or an offset such as +02:00)",
                                    text)));
    }
    if (offset) {
        return ToTimePoint(date::sys_seconds{LocalOf(local).time_since_epoch()} - *offset);
    }
    const date::time_zone* zone = FindZone(time_zone);
    if (zone == nullptr) {
        return Fail(Bad(std::string(field), fmt::format("unknown time zone '{}'", time_zone)));
    }
    return ToTimePoint(ToInstant(*zone, LocalOf(local)));
}

}  // namespace overture::workflow
