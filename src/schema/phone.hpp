#pragma once
// E.164 normalization of phone numbers typed by people, without libphonenumber.
//
// The rules come from a built-in table (phone_table.cpp) of every ISO 3166-1 country with its
// country calling code, trunk (national) prefix, international prefix and, for about fifty large
// markets, the possible lengths of the national significant number (NSN).
//
// What this does NOT check, and what libphonenumber would: number ranges and allocations (a
// number of the right length may still not exist), mobile versus fixed line, NANP area codes
// and exchange codes (N11, 555, ...), leading-digit rules beyond the trunk-prefix table (except
// that Italy, San Marino and Vatican keep their leading 0), carrier-selection codes (Brazil's
// "0 xx", Argentina's "15", Mexico's old "1" after +52), more than one international prefix per
// country (e.g. South Korea's "002"), vanity numbers with letters ("1-800-FLOWERS" is refused),
// extensions ("x123" is refused), and short or service numbers outside the length range of the
// country (e.g. Australian "13 xx xx").
//
// Thread-safety: pure functions over constant tables, safe from any number of threads.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::schema {

// Normalizes `input` to E.164 "+<digits>".
//
// `default_country` is an ISO 3166-1 alpha-2 code ("FR", upper or lower case) or empty; it is
// only used for numbers that are not written in international form.
// - Spaces, tabs, no-break spaces, dots, dashes, slashes and parentheses are dropped.
// - "+", "00", or the default country's own international prefix ("011" in NANP, "0011" in AU,
//   "010" in JP, "810" in RU) starts an international number; its country calling code is
//   found by longest prefix. A trunk prefix "0" written after the calling code, as in
//   "+44 (0)20 7946 0000", is dropped for countries whose numbers never start with 0.
// - Otherwise the number is national: the default country is required, its trunk prefix is
//   dropped when present (when that leaves a possible length: "0 6 12 34 56 78" in FR, "1 212
//   555 0100" in US; Italy keeps its 0), and its calling code is prepended. A national number
//   that is too long but starts with the country's calling code ("33 6 12 34 56 78" in FR) is
//   read as international.
// - The NSN length must be within the country's range when the table has one, and the whole
//   number must have 4 to 15 digits.
// On failure returns kInvalidArgument with a message for the user (a letter, too short, too
// long, unknown calling code, no country for a national number, ...).
Result<std::string> NormalizePhone(std::string_view input, std::string_view default_country);

// The country calling code for an ISO 3166-1 alpha-2 code, upper or lower case ("FR" -> "33",
// "ca" -> "1"), or an empty view for an unknown code or a country without one (BV, HM).
std::string_view CallingCode(std::string_view iso_country);

// One row of the built-in table. Exposed for tests and for lists shown in the UI.
struct PhoneCountry {
    std::string_view iso;           // ISO 3166-1 alpha-2, upper case; empty for non-geographic
    std::string_view calling_code;  // "33"; empty for uninhabited territories
    std::string_view trunk_prefix;  // dropped from national numbers: "0", "1" (NANP), "8", ...
    std::string_view idd_prefix;    // the international prefix besides "00", or empty
    std::uint8_t min_nsn = 0;       // possible NSN lengths; 0 when the table does not know
    std::uint8_t max_nsn = 0;
    bool primary = false;  // the country whose rules apply to "+<calling_code>..." numbers
};

// All rows, sorted by ISO code (non-geographic codes such as +800 last).
std::span<const PhoneCountry> PhoneCountries();
// The row for an ISO code (upper or lower case), or nullptr.
const PhoneCountry* FindPhoneCountry(std::string_view iso_country);
// The primary row whose calling code is a prefix of `digits` (at most one: calling codes form
// a prefix code), or nullptr.
const PhoneCountry* FindCallingCode(std::string_view digits);

}  // namespace overture::schema
