// The `date` filter: a time (Unix seconds, "now"/"today", or ISO 8601 text) formatted with
// strftime in the render's time zone.
//
// Time zones come from howardhinnant date/tz over the OS tz database (g++ 12 has no
// std::chrono::tzdb, see research/stack.md). The local broken-down time, its UTC offset and
// its abbreviation go into a std::tm (tm_gmtoff, tm_zone) which glibc's strftime reads for
// %z and %Z, so the process-wide TZ variable is never read or changed: rendering in many
// zones from many threads at once is safe.
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>

#include <date/date.h>
#include <date/tz.h>

#include "render/filters.hpp"

namespace overture::render {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

const date::time_zone* FindZone(std::string_view name) {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;
    }
}

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

// A parsed time: either an instant (`has_offset`) or a wall-clock time in the render zone.
struct Parsed {
    date::local_seconds local{};
    bool has_offset = false;
    seconds offset{0};
};

// "YYYY-MM-DD", then optionally [T or space]"HH:MM[:SS[.frac]]", then optionally "Z",
// "+HH:MM", "+HHMM", "+HH" or " UTC".
bool ParseIso(std::string_view s, Parsed& p) {
    int y = 0;
    int mo = 0;
    int d = 0;
    if (!Digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, mo) ||
        s[7] != '-' || !Digits(s, 8, 2, d)) {
        return false;
    }
    auto ymd = date::year{y} / date::month{static_cast<unsigned>(mo)} /
               date::day{static_cast<unsigned>(d)};
    if (!ymd.ok()) return false;
    int h = 0;
    int mi = 0;
    int sec = 0;
    std::size_t i = 10;
    if (i < s.size() && (s[i] == 'T' || s[i] == ' ') && i + 1 < s.size() && s[i + 1] >= '0' &&
        s[i + 1] <= '9') {
        if (!Digits(s, i + 1, 2, h) || i + 3 >= s.size() || s[i + 3] != ':' ||
            !Digits(s, i + 4, 2, mi)) {
            return false;
        }
        i += 6;
        if (i < s.size() && s[i] == ':') {
            if (!Digits(s, i + 1, 2, sec)) return false;
            i += 3;
            if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
                ++i;
                while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
            }
        }
        if (h > 23 || mi > 59 || sec > 60) return false;
    }
    p.local =
        date::local_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} + seconds{sec};
    std::string_view rest = s.substr(i);
    if (rest.empty()) return true;
    if (rest == "Z" || rest == " UTC" || rest == "UTC" || rest == " Z") {
        p.has_offset = true;
        return true;
    }
    if (rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty() || (rest[0] != '+' && rest[0] != '-')) return false;
    int oh = 0;
    int om = 0;
    if (!Digits(rest, 1, 2, oh)) return false;
    if (rest.size() == 6 && rest[3] == ':') {
        if (!Digits(rest, 4, 2, om)) return false;
    } else if (rest.size() == 5) {
        if (!Digits(rest, 3, 2, om)) return false;
    } else if (rest.size() != 3) {
        return false;
    }
    p.has_offset = true;
    p.offset = seconds{(oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1)};
    return true;
}

bool AllDigits(std::string_view s) {
    if (!s.empty() && s[0] == '-') s.remove_prefix(1);
    if (s.empty() || s.size() > 15) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

sys_seconds Now(const RenderState& st) {
    if (st.options.now.time_since_epoch().count() != 0) return st.options.now;
    return std::chrono::floor<seconds>(std::chrono::system_clock::now());
}

}  // namespace

bool DateFilter(Value& io, std::span<const Value* const> args, FilterEnv& env) {
    RenderState& st = env.st;
    std::string format = args[0]->ToString();
    if (io.is_nil() || format.empty()) return true;
    if (io.is_string() && io.as_string().empty()) return true;

    const date::time_zone* zone = nullptr;
    if (args.size() > 1 && !args[1]->is_nil()) {
        zone = FindZone(args[1]->ToString());
    } else {
        if (!st.zone_resolved) {
            st.zone = FindZone(st.options.time_zone);
            st.zone_resolved = true;
        }
        zone = static_cast<const date::time_zone*>(st.zone);
    }

    // The instant (for inputs that name one) or the wall-clock time.
    Parsed p;
    if (io.is_int() || (io.is_string() && AllDigits(io.as_string()))) {
        p.has_offset = true;
        p.local = date::local_seconds{seconds{ToInteger(io)}};
    } else if (io.is_float()) {
        p.has_offset = true;
        p.local = date::local_seconds{seconds{ToInteger(io)}};
    } else if (io.is_string() && (io.as_string() == "now" || io.as_string() == "today")) {
        p.has_offset = true;
        p.local = date::local_seconds{Now(st).time_since_epoch()};
    } else if (!io.is_string() || !ParseIso(io.as_string(), p)) {
        return true;  // Liquid leaves what it cannot read as a date unchanged
    }

    // Years 0..9999 only: beyond them the calendar types overflow.
    constexpr std::int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
    auto raw = p.local.time_since_epoch().count();
    if (raw < -62167219200 || raw > kMaxSeconds) return true;

    date::local_seconds local;
    seconds gmtoff{0};
    std::string abbrev = "UTC";
    if (p.has_offset) {
        sys_seconds instant{p.local.time_since_epoch() - p.offset};
        if (zone != nullptr) {
            date::sys_info info = zone->get_info(instant);
            gmtoff = info.offset;
            abbrev = info.abbrev;
        }
        local = date::local_seconds{instant.time_since_epoch() + gmtoff};
    } else {
        local = p.local;
        if (zone != nullptr) {
            date::local_info li = zone->get_info(p.local);
            gmtoff = li.first.offset;
            abbrev = li.first.abbrev;
        }
    }

    date::local_days day = date::floor<date::days>(local);
    date::year_month_day ymd{day};
    date::hh_mm_ss<seconds> tod{local - day};
    std::tm tm{};
    tm.tm_year = static_cast<int>(ymd.year()) - 1900;
    tm.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
    tm.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
    tm.tm_hour = static_cast<int>(tod.hours().count());
    tm.tm_min = static_cast<int>(tod.minutes().count());
    tm.tm_sec = static_cast<int>(tod.seconds().count());
    tm.tm_wday = static_cast<int>(date::weekday{day}.c_encoding());
    tm.tm_yday = static_cast<int>((day - date::local_days{ymd.year() / date::January / 1}).count());
    tm.tm_isdst = 0;
    tm.tm_gmtoff = gmtoff.count();
    tm.tm_zone = abbrev.c_str();

    // %s (seconds since the epoch) would make glibc call mktime, which reads the process's
    // TZ: write it here instead.
    const std::int64_t epoch = (local.time_since_epoch() - gmtoff).count();
    std::string fmt;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] == '%' && i + 1 < format.size()) {
            if (format[i + 1] == 's') {
                fmt += std::to_string(epoch);
            } else {
                fmt += format[i];
                fmt += format[i + 1];
            }
            ++i;
            continue;
        }
        fmt += format[i];
    }
    format = std::move(fmt);
    if (format.empty()) {
        io = Value("");
        return true;
    }

    std::string out(format.size() * 4 + 64, '\0');
    while (true) {
        std::size_t n = std::strftime(out.data(), out.size(), format.c_str(), &tm);
        if (n > 0) {
            out.resize(n);
            break;
        }
        // 0 is an overflow, or an empty result (a format such as "%p" in some locales).
        if (out.size() > format.size() * 64 + 4096) {
            out.clear();
            break;
        }
        if (out.size() > st.limits.max_output_bytes) {
            env.limit = kLimitOutput;
            env.error = "date: the result is larger than the output limit of " +
                        std::to_string(st.limits.max_output_bytes) + " bytes";
            return false;
        }
        out.resize(out.size() * 2);
    }
    io = Value(std::move(out));
    return true;
}

}  // namespace overture::render
