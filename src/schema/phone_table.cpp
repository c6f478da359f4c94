// The country table behind NormalizePhone (see phone.hpp for what it does not cover).
//
// Sources: ITU-T E.164 assigned country codes and ITU operational bulletins, from general
// knowledge as of 2024; trunk and international prefixes as published by national regulators.
// Possible NSN lengths are given for about fifty large markets and cover fixed and mobile
// subscriber numbers; 0 means "unknown", and then only the 4..15 total-digit rule applies.
// Shared calling codes (NANP "1", "7" for RU/KZ, "44" for GB/GG/JE/IM, ...) have one primary
// row whose rules apply to international numbers; national numbers use their own row.
// Italy, San Marino and Vatican have no trunk prefix: their leading 0 is part of the number.
// Lithuania's trunk prefix is "0" since 2025 (it was "8").
#include <array>

#include "schema/phone.hpp"

namespace overture::schema {
namespace {

constexpr bool kPrimary = true;
constexpr bool kShared = false;

// iso, calling code, trunk prefix, international prefix besides "00", min NSN, max NSN, primary
constexpr PhoneCountry kCountries[] = {
    {"AC", "247", "", "", 0, 0, kPrimary},      {"AD", "376", "", "", 0, 0, kPrimary},
    {"AE", "971", "0", "", 8, 9, kPrimary},     {"AF", "93", "0", "", 0, 0, kPrimary},
    {"AG", "1", "1", "011", 10, 10, kShared},   {"AI", "1", "1", "011", 10, 10, kShared},
    {"AL", "355", "0", "", 0, 0, kPrimary},     {"AM", "374", "0", "", 0, 0, kPrimary},
    {"AO", "244", "", "", 0, 0, kPrimary},      {"AQ", "672", "", "", 0, 0, kShared},
    {"AR", "54", "0", "", 10, 11, kPrimary},    {"AS", "1", "1", "011", 10, 10, kShared},
    {"AT", "43", "0", "", 4, 13, kPrimary},     {"AU", "61", "0", "0011", 9, 10, kPrimary},
    {"AW", "297", "", "", 0, 0, kPrimary},      {"AX", "358", "", "", 5, 12, kShared},
    {"AZ", "994", "0", "", 0, 0, kPrimary},     {"BA", "387", "0", "", 0, 0, kPrimary},
    {"BB", "1", "1", "011", 10, 10, kShared},   {"BD", "880", "0", "", 6, 10, kPrimary},
    {"BE", "32", "0", "", 8, 9, kPrimary},      {"BF", "226", "", "", 0, 0, kPrimary},
    {"BG", "359", "0", "", 6, 9, kPrimary},     {"BH", "973", "", "", 0, 0, kPrimary},
    {"BI", "257", "", "", 0, 0, kPrimary},      {"BJ", "229", "", "", 0, 0, kPrimary},
    {"BL", "590", "0", "", 9, 9, kShared},      {"BM", "1", "1", "011", 10, 10, kShared},
    {"BN", "673", "", "", 0, 0, kPrimary},      {"BO", "591", "0", "", 0, 0, kPrimary},
    {"BQ", "599", "", "", 0, 0, kShared},       {"BR", "55", "0", "", 10, 11, kPrimary},
    {"BS", "1", "1", "011", 10, 10, kShared},   {"BT", "975", "", "", 0, 0, kPrimary},
    {"BV", "", "", "", 0, 0, kShared},          {"BW", "267", "", "", 0, 0, kPrimary},
    {"BY", "375", "8", "810", 9, 10, kPrimary}, {"BZ", "501", "", "", 0, 0, kPrimary},
    {"CA", "1", "1", "011", 10, 10, kShared},   {"CC", "61", "0", "0011", 9, 10, kShared},
    {"CD", "243", "", "", 0, 0, kPrimary},      {"CF", "236", "", "", 0, 0, kPrimary},
    {"CG", "242", "", "", 0, 0, kPrimary},      {"CH", "41", "0", "", 9, 12, kPrimary},
    {"CI", "225", "", "", 0, 0, kPrimary},      {"CK", "682", "", "", 0, 0, kPrimary},
    {"CL", "56", "", "", 9, 10, kPrimary},      {"CM", "237", "", "", 0, 0, kPrimary},
    {"CN", "86", "0", "", 9, 11, kPrimary},     {"CO", "57", "", "", 8, 10, kPrimary},
    {"CR", "506", "", "", 0, 0, kPrimary},      {"CU", "53", "0", "", 0, 0, kPrimary},
    {"CV", "238", "", "", 0, 0, kPrimary},      {"CW", "599", "", "", 0, 0, kPrimary},
    {"CX", "61", "0", "0011", 9, 10, kShared},  {"CY", "357", "", "", 8, 8, kPrimary},
    {"CZ", "420", "", "", 9, 12, kPrimary},     {"DE", "49", "0", "", 5, 13, kPrimary},
    {"DJ", "253", "", "", 0, 0, kPrimary},      {"DK", "45", "", "", 8, 8, kPrimary},
    {"DM", "1", "1", "011", 10, 10, kShared},   {"DO", "1", "1", "011", 10, 10, kShared},
    {"DZ", "213", "0", "", 8, 9, kPrimary},     {"EC", "593", "0", "", 8, 9, kPrimary},
    {"EE", "372", "", "", 7, 10, kPrimary},     {"EG", "20", "0", "", 8, 10, kPrimary},
    {"EH", "212", "", "", 9, 9, kShared},       {"ER", "291", "", "", 0, 0, kPrimary},
    {"ES", "34", "", "", 9, 9, kPrimary},       {"ET", "251", "0", "", 0, 0, kPrimary},
    {"FI", "358", "0", "", 5, 12, kPrimary},    {"FJ", "679", "", "", 0, 0, kPrimary},
    {"FK", "500", "", "", 0, 0, kPrimary},      {"FM", "691", "", "", 0, 0, kPrimary},
    {"FO", "298", "", "", 0, 0, kPrimary},      {"FR", "33", "0", "", 9, 9, kPrimary},
    {"GA", "241", "", "", 0, 0, kPrimary},      {"GB", "44", "0", "", 7, 10, kPrimary},
    {"GD", "1", "1", "011", 10, 10, kShared},   {"GE", "995", "0", "", 0, 0, kPrimary},
    {"GF", "594", "0", "", 9, 9, kPrimary},     {"GG", "44", "0", "", 7, 10, kShared},
    {"GH", "233", "0", "", 9, 9, kPrimary},     {"GI", "350", "", "", 0, 0, kPrimary},
    {"GL", "299", "", "", 0, 0, kPrimary},      {"GM", "220", "", "", 0, 0, kPrimary},
    {"GN", "224", "", "", 0, 0, kPrimary},      {"GP", "590", "0", "", 9, 9, kPrimary},
    {"GQ", "240", "", "", 0, 0, kPrimary},      {"GR", "30", "", "", 10, 12, kPrimary},
    {"GS", "500", "", "", 0, 0, kShared},       {"GT", "502", "", "", 0, 0, kPrimary},
    {"GU", "1", "1", "011", 10, 10, kShared},   {"GW", "245", "", "", 0, 0, kPrimary},
    {"GY", "592", "", "", 0, 0, kPrimary},      {"HK", "852", "", "001", 8, 8, kPrimary},
    {"HM", "", "", "", 0, 0, kShared},          {"HN", "504", "", "", 0, 0, kPrimary},
    {"HR", "385", "0", "", 6, 9, kPrimary},     {"HT", "509", "", "", 0, 0, kPrimary},
    {"HU", "36", "06", "", 8, 9, kPrimary},     {"ID", "62", "0", "001", 7, 12, kPrimary},
    {"IE", "353", "0", "", 7, 10, kPrimary},    {"IL", "972", "0", "", 8, 10, kPrimary},
    {"IM", "44", "0", "", 7, 10, kShared},      {"IN", "91", "0", "", 10, 10, kPrimary},
    {"IO", "246", "", "", 0, 0, kPrimary},      {"IQ", "964", "0", "", 0, 0, kPrimary},
    {"IR", "98", "0", "", 0, 0, kPrimary},      {"IS", "354", "", "", 7, 9, kPrimary},
    {"IT", "39", "", "", 6, 11, kPrimary},      {"JE", "44", "0", "", 7, 10, kShared},
    {"JM", "1", "1", "011", 10, 10, kShared},   {"JO", "962", "0", "", 0, 0, kPrimary},
    {"JP", "81", "0", "010", 9, 10, kPrimary},  {"KE", "254", "0", "", 7, 10, kPrimary},
    {"KG", "996", "0", "", 0, 0, kPrimary},     {"KH", "855", "0", "", 0, 0, kPrimary},
    {"KI", "686", "", "", 0, 0, kPrimary},      {"KM", "269", "", "", 0, 0, kPrimary},
    {"KN", "1", "1", "011", 10, 10, kShared},   {"KP", "850", "", "", 0, 0, kPrimary},
    {"KR", "82", "0", "001", 8, 10, kPrimary},  {"KW", "965", "", "", 0, 0, kPrimary},
    {"KY", "1", "1", "011", 10, 10, kShared},   {"KZ", "7", "8", "810", 10, 10, kShared},
    {"LA", "856", "0", "", 0, 0, kPrimary},     {"LB", "961", "0", "", 0, 0, kPrimary},
    {"LC", "1", "1", "011", 10, 10, kShared},   {"LI", "423", "", "", 7, 9, kPrimary},
    {"LK", "94", "0", "", 0, 0, kPrimary},      {"LR", "231", "0", "", 0, 0, kPrimary},
    {"LS", "266", "", "", 0, 0, kPrimary},      {"LT", "370", "0", "", 8, 8, kPrimary},
    {"LU", "352", "", "", 4, 11, kPrimary},     {"LV", "371", "", "", 8, 8, kPrimary},
    {"LY", "218", "0", "", 0, 0, kPrimary},     {"MA", "212", "0", "", 9, 9, kPrimary},
    {"MC", "377", "", "", 0, 0, kPrimary},      {"MD", "373", "0", "", 0, 0, kPrimary},
    {"ME", "382", "0", "", 0, 0, kPrimary},     {"MF", "590", "0", "", 9, 9, kShared},
    {"MG", "261", "", "", 0, 0, kPrimary},      {"MH", "692", "", "", 0, 0, kPrimary},
    {"MK", "389", "0", "", 0, 0, kPrimary},     {"ML", "223", "", "", 0, 0, kPrimary},
    {"MM", "95", "0", "", 0, 0, kPrimary},      {"MN", "976", "0", "", 0, 0, kPrimary},
    {"MO", "853", "", "", 0, 0, kPrimary},      {"MP", "1", "1", "011", 10, 10, kShared},
    {"MQ", "596", "0", "", 9, 9, kPrimary},     {"MR", "222", "", "", 0, 0, kPrimary},
    {"MS", "1", "1", "011", 10, 10, kShared},   {"MT", "356", "", "", 8, 8, kPrimary},
    {"MU", "230", "", "", 0, 0, kPrimary},      {"MV", "960", "", "", 0, 0, kPrimary},
    {"MW", "265", "0", "", 0, 0, kPrimary},     {"MX", "52", "", "", 10, 10, kPrimary},
    {"MY", "60", "0", "", 8, 10, kPrimary},     {"MZ", "258", "", "", 0, 0, kPrimary},
    {"NA", "264", "0", "", 0, 0, kPrimary},     {"NC", "687", "", "", 0, 0, kPrimary},
    {"NE", "227", "", "", 0, 0, kPrimary},      {"NF", "672", "", "", 0, 0, kPrimary},
    {"NG", "234", "0", "", 8, 10, kPrimary},    {"NI", "505", "", "", 0, 0, kPrimary},
    {"NL", "31", "0", "", 7, 11, kPrimary},     {"NO", "47", "", "", 5, 8, kPrimary},
    {"NP", "977", "0", "", 0, 0, kPrimary},     {"NR", "674", "", "", 0, 0, kPrimary},
    {"NU", "683", "", "", 0, 0, kPrimary},      {"NZ", "64", "0", "", 8, 10, kPrimary},
    {"OM", "968", "", "", 0, 0, kPrimary},      {"PA", "507", "", "", 0, 0, kPrimary},
    {"PE", "51", "0", "", 8, 9, kPrimary},      {"PF", "689", "", "", 0, 0, kPrimary},
    {"PG", "675", "", "", 0, 0, kPrimary},      {"PH", "63", "0", "", 8, 10, kPrimary},
    {"PK", "92", "0", "", 8, 10, kPrimary},     {"PL", "48", "", "", 9, 9, kPrimary},
    {"PM", "508", "0", "", 6, 6, kPrimary},     {"PN", "64", "", "", 0, 0, kShared},
    {"PR", "1", "1", "011", 10, 10, kShared},   {"PS", "970", "0", "", 0, 0, kPrimary},
    {"PT", "351", "", "", 9, 9, kPrimary},      {"PW", "680", "", "", 0, 0, kPrimary},
    {"PY", "595", "0", "", 0, 0, kPrimary},     {"QA", "974", "", "", 0, 0, kPrimary},
    {"RE", "262", "0", "", 9, 9, kPrimary},     {"RO", "40", "0", "", 6, 9, kPrimary},
    {"RS", "381", "0", "", 0, 0, kPrimary},     {"RU", "7", "8", "810", 10, 10, kPrimary},
    {"RW", "250", "0", "", 0, 0, kPrimary},     {"SA", "966", "0", "", 9, 10, kPrimary},
    {"SB", "677", "", "", 0, 0, kPrimary},      {"SC", "248", "", "", 0, 0, kPrimary},
    {"SD", "249", "0", "", 0, 0, kPrimary},     {"SE", "46", "0", "", 6, 12, kPrimary},
    {"SG", "65", "", "001", 8, 8, kPrimary},    {"SH", "290", "", "", 0, 0, kPrimary},
    {"SI", "386", "0", "", 5, 8, kPrimary},     {"SJ", "47", "", "", 5, 8, kShared},
    {"SK", "421", "0", "", 6, 9, kPrimary},     {"SL", "232", "0", "", 0, 0, kPrimary},
    {"SM", "378", "", "", 6, 10, kPrimary},     {"SN", "221", "", "", 0, 0, kPrimary},
    {"SO", "252", "", "", 0, 0, kPrimary},      {"SR", "597", "0", "", 0, 0, kPrimary},
    {"SS", "211", "", "", 0, 0, kPrimary},      {"ST", "239", "", "", 0, 0, kPrimary},
    {"SV", "503", "", "", 0, 0, kPrimary},      {"SX", "1", "1", "011", 10, 10, kShared},
    {"SY", "963", "0", "", 0, 0, kPrimary},     {"SZ", "268", "", "", 0, 0, kPrimary},
    {"TA", "290", "", "", 0, 0, kShared},       {"TC", "1", "1", "011", 10, 10, kShared},
    {"TD", "235", "", "", 0, 0, kPrimary},      {"TF", "262", "", "", 0, 0, kShared},
    {"TG", "228", "", "", 0, 0, kPrimary},      {"TH", "66", "0", "001", 8, 9, kPrimary},
    {"TJ", "992", "8", "", 0, 0, kPrimary},     {"TK", "690", "", "", 0, 0, kPrimary},
    {"TL", "670", "", "", 0, 0, kPrimary},      {"TM", "993", "8", "", 0, 0, kPrimary},
    {"TN", "216", "", "", 8, 8, kPrimary},      {"TO", "676", "", "", 0, 0, kPrimary},
    {"TR", "90", "0", "", 10, 10, kPrimary},    {"TT", "1", "1", "011", 10, 10, kShared},
    {"TV", "688", "", "", 0, 0, kPrimary},      {"TW", "886", "0", "002", 8, 10, kPrimary},
    {"TZ", "255", "0", "", 0, 0, kPrimary},     {"UA", "380", "0", "", 9, 9, kPrimary},
    {"UG", "256", "0", "", 0, 0, kPrimary},     {"UM", "1", "1", "011", 10, 10, kShared},
    {"US", "1", "1", "011", 10, 10, kPrimary},  {"UY", "598", "0", "", 0, 0, kPrimary},
    {"UZ", "998", "8", "", 0, 0, kPrimary},     {"VA", "39", "", "", 6, 11, kShared},
    {"VC", "1", "1", "011", 10, 10, kShared},   {"VE", "58", "0", "", 10, 10, kPrimary},
    {"VG", "1", "1", "011", 10, 10, kShared},   {"VI", "1", "1", "011", 10, 10, kShared},
    {"VN", "84", "0", "", 9, 10, kPrimary},     {"VU", "678", "", "", 0, 0, kPrimary},
    {"WF", "681", "", "", 0, 0, kPrimary},      {"WS", "685", "", "", 0, 0, kPrimary},
    {"XK", "383", "0", "", 0, 0, kPrimary},     {"YE", "967", "0", "", 0, 0, kPrimary},
    {"YT", "262", "0", "", 9, 9, kShared},      {"ZA", "27", "0", "", 9, 9, kPrimary},
    {"ZM", "260", "0", "", 0, 0, kPrimary},     {"ZW", "263", "0", "", 0, 0, kPrimary},
    {"", "800", "", "", 8, 8, kPrimary},        {"", "808", "", "", 8, 8, kPrimary},
    {"", "870", "", "", 9, 9, kPrimary},        {"", "881", "", "", 0, 0, kPrimary},
    {"", "882", "", "", 0, 0, kPrimary},        {"", "883", "", "", 0, 0, kPrimary},
    {"", "888", "", "", 11, 11, kPrimary},      {"", "979", "", "", 9, 9, kPrimary},
};

constexpr int IsoSlot(std::string_view iso) {
    auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
    if (iso.size() != 2) return -1;
    char a = upper(iso[0]);
    char b = upper(iso[1]);
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return -1;
    return (a - 'A') * 26 + (b - 'A');
}

// Calling codes have 1 to 3 digits; slots 0-9, 10-109 and 110-1109 keep "1", "01" and "001"
// apart (only the first form exists, but the index must not confuse them).
constexpr int CodeSlot(std::string_view digits) {
    if (digits.empty() || digits.size() > 3) return -1;
    int value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    constexpr int kOffsets[] = {0, 0, 10, 110};
    return kOffsets[digits.size()] + value;
}

constexpr int kCountryCount = static_cast<int>(std::size(kCountries));

constexpr std::array<std::int16_t, 26 * 26> kIsoIndex = [] {
    std::array<std::int16_t, 26 * 26> index{};
    index.fill(-1);
    for (int i = 0; i < kCountryCount; ++i) {
        int slot = IsoSlot(kCountries[i].iso);
        if (slot >= 0) index[slot] = static_cast<std::int16_t>(i);
    }
    return index;
}();

constexpr std::array<std::int16_t, 1110> kCodeIndex = [] {
    std::array<std::int16_t, 1110> index{};
    index.fill(-1);
    for (int i = 0; i < kCountryCount; ++i) {
        if (kCountries[i].primary) index[CodeSlot(kCountries[i].calling_code)] = std::int16_t(i);
    }
    return index;
}();

// The table is checked when it compiles: sorted ISO codes without duplicates, every calling
// code with exactly one primary row, no code a prefix of another, sane lengths.
constexpr bool TableIsConsistent() {
    for (int i = 0; i < kCountryCount; ++i) {
        const PhoneCountry& row = kCountries[i];
        if (!row.iso.empty() && IsoSlot(row.iso) < 0) return false;
        if (i > 0 && !row.iso.empty() && !(kCountries[i - 1].iso < row.iso)) return false;
        if (row.iso.empty() && !row.primary) return false;
        if (row.min_nsn > row.max_nsn || row.max_nsn + row.calling_code.size() > 15) return false;
        if (row.calling_code.empty()) {
            if (row.primary) return false;
            continue;
        }
        if (CodeSlot(row.calling_code) < 0 || row.calling_code[0] == '0') return false;
        int primaries = 0;
        for (int j = 0; j < kCountryCount; ++j) {
            const PhoneCountry& other = kCountries[j];
            if (other.calling_code == row.calling_code) {
                primaries += other.primary ? 1 : 0;
            } else if (!other.calling_code.empty() &&
                       (other.calling_code.starts_with(row.calling_code) ||
                        row.calling_code.starts_with(other.calling_code))) {
                return false;
            }
        }
        if (primaries != 1) return false;
    }
    return true;
}
static_assert(TableIsConsistent(), "the phone country table is inconsistent");

}  // namespace

std::span<const PhoneCountry> PhoneCountries() { return kCountries; }

const PhoneCountry* FindPhoneCountry(std::string_view iso_country) {
    int slot = IsoSlot(iso_country);
    if (slot < 0 || kIsoIndex[slot] < 0) return nullptr;
    return &kCountries[kIsoIndex[slot]];
}

const PhoneCountry* FindCallingCode(std::string_view digits) {
    for (std::size_t len = 3; len >= 1; --len) {
        if (digits.size() < len) continue;
        int slot = CodeSlot(digits.substr(0, len));
        if (slot >= 0 && kCodeIndex[slot] >= 0) return &kCountries[kCodeIndex[slot]];
    }
    return nullptr;
}

std::string_view CallingCode(std::string_view iso_country) {
    const PhoneCountry* country = FindPhoneCountry(iso_country);
    return country == nullptr ? std::string_view() : country->calling_code;
}

}  // namespace overture::schema
