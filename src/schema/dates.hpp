#pragma once
// Parsing of dates and date-times from imports and API input into canonical text.
//
// Canonical forms: a date is "YYYY-MM-DD"; a date-time is UTC with milliseconds,
// "YYYY-MM-DDTHH:MM:SS.mmmZ". Years 0000-9999 of the proleptic Gregorian calendar; validity
// is checked with std::chrono::year_month_day (2024-02-29 exists, 2023-02-29 does not). Only
// fixed UTC offsets are understood: no time zone names, no tz database, no locale. Leap seconds
// (":60") and the ISO 8601 "24:00" are refused. Surrounding ASCII white space is ignored.
//
// Thread-safety: pure functions, safe from any number of threads. Every function returns
// kInvalidArgument with a message for the user when the text (or the format) is not accepted.
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::schema {

// Checks "YYYY-MM-DD" (nothing else: no time, no zone) against the calendar and returns it.
Result<std::string> ParseIsoDate(std::string_view text);

// Reads an ISO 8601 / RFC 3339 date-time, "YYYY-MM-DDTHH:MM[:SS[.fraction]]" ('T', 't' or a
// space between date and time; ',' also starts a fraction) followed by "Z", "+HH:MM", "-HH:MM",
// "+HHMM", "+HH" or nothing (= UTC), or a date "YYYY-MM-DD" alone (= midnight UTC). Returns the
// instant in canonical UTC form, fraction truncated to milliseconds; fails when the instant
// falls outside years 0000-9999 once converted to UTC.
Result<std::string> ParseIsoDateTime(std::string_view text);

// Custom input formats for imports, strftime-like:
//   %Y four-digit year, %y two-digit year (00-68 -> 20xx, 69-99 -> 19xx),
//   %m month, %d day, %H hour (00-23), %M minute, %S second (one or two digits each),
//   %b or %B English month name, full or three-letter, any case ("Dec", "december"),
//   %z "Z" or an offset "+HH:MM", "+HHMM", "+HH" (date-times only; ignored for dates),
//   %% a literal '%'; white space in the format matches any run of white space (or none);
//   any other character must appear as is.
// The format must give a year, a month and a day. Example: "%d/%m/%Y" reads "31/12/2024".
// A format error (unknown directive, no year, ...) also returns kInvalidArgument.
// Returns the canonical date; time fields in the format are read and checked, then dropped.
Result<std::string> ParseDateWithFormat(std::string_view text, std::string_view format);
// Returns the canonical UTC date-time; missing time fields are 0, a missing %z means UTC.
Result<std::string> ParseDateTimeWithFormat(std::string_view text, std::string_view format);

}  // namespace overture::schema
