#include "schema/dates.hpp"

#include <chrono>

#include "common/strings.hpp"

// Approach: a small cursor reads fixed-width fields into integers (no allocation, no locale),
// std::chrono checks the calendar and does the offset arithmetic, and a fixed buffer is
// written out as the single allocation of the result.
namespace overture::schema {
namespace {

namespace chr = std::chrono;

struct Fields {
    int year = -1;
    int month = -1;
    int day = -1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int millis = 0;
    int offset_minutes = 0;  // local time minus UTC
};

class Cursor {
  public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool AtEnd() const { return pos_ == text_.size(); }
    char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
    void Skip() { ++pos_; }
    bool Accept(char c) {
        if (Peek() != c || AtEnd()) return false;
        ++pos_;
        return true;
    }
    // Reads between min_digits and max_digits digits (greedy); false when fewer are there.
    bool Number(int min_digits, int max_digits, int& value) {
        int n = 0;
        value = 0;
        while (n < max_digits && !AtEnd() && IsDigit(text_[pos_])) {
            value = value * 10 + (text_[pos_++] - '0');
            ++n;
        }
        return n >= min_digits;
    }
    // Reads a fraction of a second (the digits after '.' or ','), truncated to milliseconds.
    bool Fraction(int& millis) {
        int n = 0;
        millis = 0;
        while (!AtEnd() && IsDigit(text_[pos_])) {
            if (n < 3) millis = millis * 10 + (text_[pos_] - '0');
            ++pos_;
            ++n;
        }
        for (int k = n; k < 3; ++k) millis *= 10;
        return n > 0;
    }
    // "Z", "z", "+HH:MM", "-HH:MM", "+HHMM" or "+HH".
    bool Offset(int& minutes) {
        if (Accept('Z') || Accept('z')) {
            minutes = 0;
            return true;
        }
        int sign = Accept('+') ? 1 : Accept('-') ? -1 : 0;
        int hours = 0;
        int mins = 0;
        if (sign == 0 || !Number(2, 2, hours)) return false;
        if (Accept(':')) {
            if (!Number(2, 2, mins)) return false;
        } else if (IsDigit(Peek())) {
            if (!Number(2, 2, mins)) return false;
        }
        if (hours > 23 || mins > 59) return false;
        minutes = sign * (hours * 60 + mins);
        return true;
    }
    bool SkipSpaces() {
        std::size_t start = pos_;
        while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
        return pos_ > start;
    }
    // Matches an English month name, full or three-letter, case-insensitively.
    bool MonthName(int& month) {
        static constexpr std::string_view kNames[] = {
            "january", "february", "march",     "april",   "may",      "june",
            "july",    "august",   "september", "october", "november", "december"};
        for (int m = 0; m < 12; ++m) {
            std::string_view name = kNames[m];
            std::size_t full = MatchLength(name);
            if (full == name.size() || full == 3) {
                pos_ += full;
                month = m + 1;
                return true;
            }
        }
        return false;
    }

    static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  private:
    // How many leading characters of `name` (lower case) the text matches here, ignoring case;
    // 3 when only the abbreviation matches.
    std::size_t MatchLength(std::string_view name) const {
        std::size_t n = 0;
        while (n < name.size() && pos_ + n < text_.size()) {
            char c = text_[pos_ + n];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (c != name[n]) break;
            ++n;
        }
        return n >= name.size() ? name.size() : n >= 3 ? 3 : 0;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

std::unexpected<Error> Invalid(std::string_view what, std::string_view text,
                               std::string_view problem) {
    std::string message;
    message.reserve(what.size() + text.size() + problem.size() + 8);
    message.append("the ").append(what).append(" '").append(text).append("' ").append(problem);
    return Fail(Error::InvalidArgument(std::move(message)));
}

// Checks the ranges of every field and the calendar date.
Status CheckFields(const Fields& f, std::string_view what, std::string_view text) {
    if (f.month < 1 || f.month > 12) return Invalid(what, text, "has a month out of 1-12");
    if (f.day < 1 || f.day > 31) return Invalid(what, text, "has a day out of 1-31");
    chr::year_month_day ymd{chr::year{f.year}, chr::month{static_cast<unsigned>(f.month)},
                            chr::day{static_cast<unsigned>(f.day)}};
    if (!ymd.ok()) return Invalid(what, text, "is not a day of the calendar");
    if (f.hour > 23) return Invalid(what, text, "has an hour out of 00-23");
    if (f.minute > 59) return Invalid(what, text, "has a minute out of 00-59");
    if (f.second == 60) return Invalid(what, text, "has a leap second, which is not supported");
    if (f.second > 59) return Invalid(what, text, "has a second out of 00-59");
    return {};
}

void PutDigits(char* out, int value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

std::string FormatDate(const Fields& f) {
    char buffer[10] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'};
    PutDigits(buffer, f.year, 4);
    PutDigits(buffer + 5, f.month, 2);
    PutDigits(buffer + 8, f.day, 2);
    return std::string(buffer, sizeof buffer);
}

// Converts checked local fields to UTC and formats them; fails outside years 0000-9999.
Result<std::string> FormatDateTimeUtc(const Fields& f, std::string_view text) {
    chr::year_month_day ymd{chr::year{f.year}, chr::month{static_cast<unsigned>(f.month)},
                            chr::day{static_cast<unsigned>(f.day)}};
    chr::sys_time<chr::milliseconds> local = chr::sys_days{ymd} + chr::hours{f.hour} +
                                             chr::minutes{f.minute} + chr::seconds{f.second} +
                                             chr::milliseconds{f.millis};
    auto utc = local - chr::minutes{f.offset_minutes};
    auto day = chr::floor<chr::days>(utc);
    chr::year_month_day utc_ymd{day};
    int year = static_cast<int>(utc_ymd.year());
    if (year < 0 || year > 9999) return Invalid("date-time", text, "is outside years 0000-9999");
    chr::hh_mm_ss<chr::milliseconds> time{utc - day};

    char buffer[24] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0', 'T', '0',
                       '0', ':', '0', '0', ':', '0', '0', '.', '0', '0', '0', 'Z'};
    PutDigits(buffer, year, 4);
    PutDigits(buffer + 5, static_cast<int>(static_cast<unsigned>(utc_ymd.month())), 2);
    PutDigits(buffer + 8, static_cast<int>(static_cast<unsigned>(utc_ymd.day())), 2);
    PutDigits(buffer + 11, static_cast<int>(time.hours().count()), 2);
    PutDigits(buffer + 14, static_cast<int>(time.minutes().count()), 2);
    PutDigits(buffer + 17, static_cast<int>(time.seconds().count()), 2);
    PutDigits(buffer + 20, static_cast<int>(time.subseconds().count()), 3);
    return std::string(buffer, sizeof buffer);
}

// "YYYY-MM-DD" at the cursor.
bool ReadIsoDate(Cursor& in, Fields& f) {
    return in.Number(4, 4, f.year) && in.Accept('-') && in.Number(2, 2, f.month) &&
           in.Accept('-') && in.Number(2, 2, f.day);
}

enum class Want { kDate, kDateTime };

// Reads `text` with a strftime-like `format` into `f`; see dates.hpp for the directives.
Status ReadWithFormat(std::string_view text, std::string_view format, Want want, Fields& f) {
    auto format_error = [&](std::string_view problem) {
        return Invalid("date format", format, problem);
    };
    auto mismatch = [&] {
        return Invalid("date", text, "does not match the format '" + std::string(format) + "'");
    };
    Cursor in(text);
    bool has_year = false;
    bool has_month = false;
    bool has_day = false;
    for (std::size_t i = 0; i < format.size(); ++i) {
        char c = format[i];
        if (c == ' ' || c == '\t') {
            in.SkipSpaces();
            continue;
        }
        if (c != '%') {
            if (!in.Accept(c)) return mismatch();
            continue;
        }
        if (++i == format.size()) return format_error("ends with a lone '%'");
        bool ok = true;
        switch (format[i]) {
            case 'Y':
                ok = in.Number(4, 4, f.year);
                has_year = true;
                break;
            case 'y':
                ok = in.Number(2, 2, f.year);
                f.year += f.year <= 68 ? 2000 : 1900;
                has_year = true;
                break;
            case 'm':
                ok = in.Number(1, 2, f.month);
                has_month = true;
                break;
            case 'b':
            case 'B':
                ok = in.MonthName(f.month);
                has_month = true;
                break;
            case 'd':
                ok = in.Number(1, 2, f.day);
                has_day = true;
                break;
            case 'H':
                ok = in.Number(1, 2, f.hour);
                break;
            case 'M':
                ok = in.Number(1, 2, f.minute);
                break;
            case 'S':
                ok = in.Number(1, 2, f.second);
                break;
            case 'z': {
                int minutes = 0;
                ok = in.Offset(minutes);
                if (want == Want::kDateTime) f.offset_minutes = minutes;
                break;
            }
            case '%':
                ok = in.Accept('%');
                break;
            default:
                return format_error(std::string("uses the unknown directive '%") + format[i] + "'");
        }
        if (!ok) return mismatch();
    }
    if (!has_year) return format_error("has no year (%Y or %y)");
    if (!has_month) return format_error("has no month (%m or %b)");
    if (!has_day) return format_error("has no day (%d)");
    if (!in.AtEnd()) return mismatch();
    return CheckFields(f, "date", text);
}

}  // namespace

Result<std::string> ParseIsoDate(std::string_view input) {
    std::string_view text = Trim(input);
    Fields f;
    Cursor in(text);
    if (!ReadIsoDate(in, f) || !in.AtEnd()) {
        return Invalid("date", text, "is not of the form YYYY-MM-DD");
    }
    if (auto ok = CheckFields(f, "date", text); !ok) return Fail(std::move(ok.error()));
    return std::string(text);
}

Result<std::string> ParseIsoDateTime(std::string_view input) {
    std::string_view text = Trim(input);
    Fields f;
    Cursor in(text);
    auto malformed = [&] {
        return Invalid("date-time", text,
                       "is not of the form YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or +HH:MM");
    };
    if (!ReadIsoDate(in, f)) return malformed();
    if (!in.AtEnd()) {
        if (!(in.Accept('T') || in.Accept('t') || in.Accept(' '))) return malformed();
        if (!in.Number(2, 2, f.hour) || !in.Accept(':') || !in.Number(2, 2, f.minute)) {
            return malformed();
        }
        if (in.Accept(':')) {
            if (!in.Number(2, 2, f.second)) return malformed();
            if ((in.Accept('.') || in.Accept(',')) && !in.Fraction(f.millis)) return malformed();
        }
        if (!in.AtEnd() && !in.Offset(f.offset_minutes)) return malformed();
        if (!in.AtEnd()) return malformed();
    }
    if (auto ok = CheckFields(f, "date-time", text); !ok) return Fail(std::move(ok.error()));
    return FormatDateTimeUtc(f, text);
}

Result<std::string> ParseDateWithFormat(std::string_view input, std::string_view format) {
    std::string_view text = Trim(input);
    Fields f;
    if (auto ok = ReadWithFormat(text, format, Want::kDate, f); !ok) {
        return Fail(std::move(ok.error()));
    }
    return FormatDate(f);
}

Result<std::string> ParseDateTimeWithFormat(std::string_view input, std::string_view format) {
    std::string_view text = Trim(input);
    Fields f;
    if (auto ok = ReadWithFormat(text, format, Want::kDateTime, f); !ok) {
        return Fail(std::move(ok.error()));
    }
    return FormatDateTimeUtc(f, text);
}

}  // namespace overture::schema
