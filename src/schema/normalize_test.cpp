// Table-driven tests for the value normalizers: e-mail, phone, dates.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "schema/dates.hpp"
#include "schema/email.hpp"
#include "schema/phone.hpp"

namespace overture::schema {
namespace {

// ---------------------------------------------------------------------------------------------
// E-mail

struct EmailCase {
    std::string_view input;
    std::string_view address;
    std::string_view domain;
};

TEST(NormalizeEmail, AcceptsAndNormalizes) {
    const EmailCase cases[] = {
        {" Ana@Example.COM ", "Ana@example.com", "example.com"},
        {"\tjo@example.org\n", "jo@example.org", "example.org"},
        {"jo@bücher.example", "jo@xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"jo@BÜCHER.Example", "jo@xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"jo@xn--bcher-kva.example", "jo@xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"jo@XN--BCHER-KVA.example", "jo@xn--bcher-kva.example", "xn--bcher-kva.example"},
        {"x@faß.de", "x@xn--fa-hia.de", "xn--fa-hia.de"},          // non-transitional: ß kept
        {"x@ＥＸＡＭＰＬＥ.com", "x@example.com", "example.com"},  // full-width mapped
        {"x@a。b.com", "x@a.b.com", "a.b.com"},                    // ideographic full stop
        {"first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk",
         "sub.example.co.uk"},
        {"o'brien@example.ie", "o'brien@example.ie", "example.ie"},
        {"!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com", "example.com"},
        {"用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v", "xn--fsqu00a.xn--4rr70v"},
        {"josé@example.com", "josé@example.com", "example.com"},
        {"a@1.example", "a@1.example", "1.example"},
        {"a@x-y.example", "a@x-y.example", "x-y.example"},
        {"a@x.c0m", "a@x.c0m", "x.c0m"},
    };
    for (const auto& c : cases) {
        auto result = NormalizeEmail(c.input);
        ASSERT_TRUE(result.has_value()) << c.input << ": " << result.error().message;
        EXPECT_EQ(result->address, c.address) << c.input;
        EXPECT_EQ(result->domain, c.domain) << c.input;
    }
}

struct RefusalCase {
    std::string input;
    std::string_view message_part;  // a piece of the message that says what is wrong
};

TEST(NormalizeEmail, RefusesWithAReason) {
    const std::string long_local(65, 'a');
    const std::string long_label(64, 'a');
    const std::string long_address = std::string(64, 'a') + "@" + std::string(60, 'b') + "." +
                                     std::string(60, 'c') + "." + std::string(60, 'd') + "." +
                                     std::string(10, 'e') + ".com";  // 64 + 1 + 196 > 254
    const RefusalCase cases[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"a@b", "the domain 'b' has no dot"},
        {"a@@b.com", "more than one '@'"},
        {"a@b@c.com", "more than one '@'"},
        {"ab.com", "no '@'"},
        {"a..b@x.com", "two dots in a row"},
        {".a@x.com", "starts with a dot"},
        {"a.@x.com", "ends with a dot"},
        {"@x.com", "before '@' is empty"},
        {"a@", "after '@' is empty"},
        {"a@-x.com", "starts or ends with '-'"},
        {"a@x-.com", "starts or ends with '-'"},
        {"a@x.123", "numeric"},
        {"a@1.2.3.4", "numeric"},
        {"a b@x.com", "a space"},
        {"a@ex ample.com", "space"},
        {"\"a b\"@x.com", "quoting"},
        {"a(comment)@x.com", "quoting"},
        {"a@[1.2.3.4]", "address literal"},
        {"a@[IPv6:::1]", "address literal"},
        {"a@x..com", "empty label"},
        {"a@.x.com", "empty label"},
        {"a@x.com.", "empty label"},
        {"a@a_b.com", "contains '_'"},
        {"a@ab--c.com", "not a valid domain name"},
        {"a@xn--zz.com", "not a valid domain name"},
        {"a@☃.net", "not a valid domain name"},
        {"a@\xe2\x80\x8b.com", "empty label"},  // zero-width space maps to nothing
        {"a\xff@x.com", "not valid UTF-8"},
        {"a\xc0\xae@x.com", "not valid UTF-8"},      // overlong '.'
        {"a\xed\xa0\x80@x.com", "not valid UTF-8"},  // surrogate
        {"a\x01@x.com", "control character"},
        {long_local + "@x.com", "longer than 64 bytes"},
        {"a@" + long_label + ".com", "longer than 63"},
        {long_address, "longer than 254 bytes"},
    };
    for (const auto& c : cases) {
        auto result = NormalizeEmail(c.input);
        ASSERT_FALSE(result.has_value()) << c.input << " -> " << result->address;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << c.input;
        EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
            << c.input << ": " << result.error().message;
    }
}

TEST(NormalizeEmail, AcceptsTheLongestAllowedParts) {
    const std::string local(64, 'a');
    const std::string label(63, 'b');
    auto result = NormalizeEmail(local + "@" + label + ".com");
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(result->domain, label + ".com");
}

// ---------------------------------------------------------------------------------------------
// Phone

struct PhoneCase {
    std::string_view input;
    std::string_view country;
    std::string_view e164;
};

TEST(NormalizePhone, AcceptsAndNormalizes) {
    const PhoneCase cases[] = {
        // France: trunk 0 dropped, +, 00, "(0)", separators, no-break space.
        {"06 12 34 56 78", "FR", "+33612345678"},
        {"06.12.34.56.78", "fr", "+33612345678"},
        {"6 12 34 56 78", "FR", "+33612345678"},
        {"+33 6 12 34 56 78", "", "+33612345678"},
        {"+33 (0)6 12 34 56 78", "", "+33612345678"},
        {"0033 6 12 34 56 78", "", "+33612345678"},
        {"0033612345678", "DE", "+33612345678"},
        {"33 6 12 34 56 78", "FR", "+33612345678"},  // calling code typed without '+'
        {"06\xc2\xa0"
         "12\xc2\xa0"
         "34\xc2\xa0"
         "56\xc2\xa0"
         "78",
         "FR", "+33612345678"},
        {"  01-23-45-67-89 ", "FR", "+33123456789"},
        // Germany: variable length, trunk 0.
        {"030 1234567", "DE", "+49301234567"},
        {"(030) 123 456 78", "DE", "+493012345678"},
        {"0151/12345678", "DE", "+4915112345678"},
        {"+49 (0)151 12345678", "", "+4915112345678"},
        // United Kingdom.
        {"020 7946 0000", "GB", "+442079460000"},
        {"07700 900123", "gb", "+447700900123"},
        {"+44 (0)20 7946 0000", "FR", "+442079460000"},
        {"0044 20 7946 0000", "", "+442079460000"},
        // NANP: trunk 1, international prefix 011, shared code.
        {"(212) 555-0100", "US", "+12125550100"},
        {"1-212-555-0100", "US", "+12125550100"},
        {"212.555.0100", "CA", "+12125550100"},
        {"+1 416 555 0100", "", "+14165550100"},
        {"011 33 6 12 34 56 78", "US", "+33612345678"},
        {"011 44 20 7946 0000", "CA", "+442079460000"},
        {"00 1 212 555 0100", "FR", "+12125550100"},
        // Italy keeps its leading 0, also after +39.
        {"06 1234 5678", "IT", "+390612345678"},
        {"+39 06 1234 5678", "", "+390612345678"},
        {"0039 06 1234 5678", "", "+390612345678"},
        {"347 123 4567", "IT", "+393471234567"},
        // Russia and Kazakhstan: trunk 8, international prefix 810, shared code 7.
        {"8 (495) 123-45-67", "RU", "+74951234567"},
        {"8 800 123 45 67", "RU", "+78001234567"},
        {"800 123 45 67", "RU", "+78001234567"},  // 8 here is not a trunk prefix
        {"+7 701 123 45 67", "", "+77011234567"},
        {"8 701 123 45 67", "KZ", "+77011234567"},
        {"810 33 6 12 34 56 78", "RU", "+33612345678"},
        // Others.
        {"0011 33 6 12 34 56 78", "AU", "+33612345678"},
        {"0412 345 678", "AU", "+61412345678"},
        {"090-1234-5678", "JP", "+819012345678"},
        {"010 1 212 555 0100", "JP", "+12125550100"},
        {"010-1234-5678", "KR", "+821012345678"},
        {"06 20 123 4567", "HU", "+36201234567"},  // trunk "06"
        {"612 345 678", "ES", "+34612345678"},
        {"(11) 91234-5678", "BR", "+5511912345678"},
        {"55 1234 5678", "MX", "+525512345678"},
        {"098765 43210", "IN", "+919876543210"},
        {"91 98765 43210", "IN", "+919876543210"},
        {"138 0013 8000", "CN", "+8613800138000"},
        {"082 123 4567", "ZA", "+27821234567"},
        {"+800 1234 5678", "", "+80012345678"},  // international freephone
        {"+358 40 1234567", "", "+358401234567"},
        {"+1 (868) 555-0100", "", "+18685550100"},  // Trinidad and Tobago, NANP
    };
    for (const auto& c : cases) {
        auto result = NormalizePhone(c.input, c.country);
        ASSERT_TRUE(result.has_value())
            << c.input << " [" << c.country << "]: " << result.error().message;
        EXPECT_EQ(*result, c.e164) << c.input << " [" << c.country << "]";
    }
}

struct PhoneRefusal {
    std::string_view input;
    std::string_view country;
    std::string_view message_part;
};

TEST(NormalizePhone, RefusesWithAReason) {
    const PhoneRefusal cases[] = {
        {"", "FR", "empty"},
        {"  ", "FR", "empty"},
        {"06 12 34 56 78", "", "needs the profile's country"},
        {"06 12 34 56 78", "QQ", "'QQ' is unknown"},
        {"06 12 34 56 78", "France", "'France' is unknown"},
        {"1-800-FLOWERS", "US", "letter 'F'"},
        {"+33 6 12 34 56 78 ext 12", "", "letter 'e'"},
        {"06 12 34 56 78 #2", "FR", "contains '#'"},
        {"6+12", "FR", "not at the start"},
        {"++33612345678", "", "not at the start"},
        {"+", "", "has no digits"},
        {"()", "FR", "has no digits"},
        {"06 12 34 56", "FR", "too short for FR (+33)"},
        {"06 12 34 56 78 9", "FR", "too long for FR (+33)"},
        {"+33 6 12 34 56", "", "too short"},
        {"+33 (0)1 23 45 67", "", "too short for FR (+33)"},
        {"+33 6 12 34 56 78 90", "", "too long"},
        {"555 0100", "US", "too short for US (+1)"},
        {"+1 212 555 01000", "", "too long"},
        {"+7 495 123 45 6", "", "too short for RU (+7)"},
        {"+0 123 456", "", "known country code"},
        {"+999 123 456", "", "known country code"},  // 999 is a spare code
        {"+28 123 456", "", "known country code"},
        {"00", "FR", "no digits after the international prefix"},
        {"+33", "", "no digits after the country code"},
        {"+12", "", "too short"},
        {"+123456789012345678", "", "too long"},
        {"+1234567890123456789012345", "", "too long"},
        {"0612345678", "BV", "without a calling code"},
        {"06\xe2\x80\x8b"
         "12345678",
         "FR", "not allowed"},
    };
    for (const auto& c : cases) {
        auto result = NormalizePhone(c.input, c.country);
        ASSERT_FALSE(result.has_value()) << c.input << " [" << c.country << "] -> " << *result;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
            << c.input << " [" << c.country << "]: " << result.error().message;
    }
}

TEST(NormalizePhone, CallingCodes) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"FR", "33"}, {"fr", "33"},  {"US", "1"},   {"CA", "1"},   {"PR", "1"},   {"RU", "7"},
        {"KZ", "7"},  {"GB", "44"},  {"JE", "44"},  {"IT", "39"},  {"VA", "39"},  {"DE", "49"},
        {"BR", "55"}, {"IN", "91"},  {"CN", "86"},  {"JP", "81"},  {"AU", "61"},  {"ZA", "27"},
        {"MX", "52"}, {"FI", "358"}, {"AX", "358"}, {"XK", "383"}, {"ZW", "263"}, {"BV", ""},
        {"QQ", ""},   {"", ""},      {"FRA", ""},   {"F", ""},     {"1A", ""},
    };
    for (const auto& [iso, code] : cases) EXPECT_EQ(CallingCode(iso), code) << iso;
}

TEST(NormalizePhone, TableCoversEveryIsoCountry) {
    // All 249 ISO 3166-1 alpha-2 codes, in order.
    constexpr std::string_view kIso =
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO "
        "BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ "
        "DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP "
        "GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG "
        "KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML "
        "MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE "
        "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL "
        "SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM "
        "US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";
    int count = 0;
    for (std::size_t i = 0; i < kIso.size(); i += 3) {
        std::string_view iso = kIso.substr(i, 2);
        ++count;
        const PhoneCountry* row = FindPhoneCountry(iso);
        ASSERT_NE(row, nullptr) << iso;
        EXPECT_EQ(row->iso, iso);
        bool uninhabited = iso == "BV" || iso == "HM";
        EXPECT_EQ(row->calling_code.empty(), uninhabited) << iso;
    }
    EXPECT_EQ(count, 249);
    // Large markets have length data.
    for (std::string_view iso : {"FR", "DE", "GB", "IT", "ES", "NL", "BE", "PL", "SE", "US", "CA",
                                 "BR", "MX", "IN", "CN", "JP", "AU", "ZA", "RU", "TR", "KR"}) {
        EXPECT_NE(FindPhoneCountry(iso)->min_nsn, 0) << iso;
    }
    // Shared codes resolve to their primary country.
    EXPECT_EQ(FindCallingCode("12125550100")->iso, "US");
    EXPECT_EQ(FindCallingCode("74951234567")->iso, "RU");
    EXPECT_EQ(FindCallingCode("441234")->iso, "GB");
    EXPECT_EQ(FindCallingCode("3581234")->iso, "FI");
    EXPECT_EQ(FindCallingCode("999123"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Dates

// Checks `result` against `expected` (empty: refused with kInvalidArgument).
void ExpectOutcome(const Result<std::string>& result, std::string_view expected,
                   const std::string& label) {
    if (expected.empty()) {
        ASSERT_FALSE(result.has_value()) << label << " -> " << *result;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument) << label;
        EXPECT_FALSE(result.error().message.empty()) << label;
    } else {
        ASSERT_TRUE(result.has_value()) << label << ": " << result.error().message;
        EXPECT_EQ(*result, expected) << label;
    }
}

struct DateCase {
    std::string_view input;
    std::string_view expected;  // empty: refused
};

TEST(ParseIsoDate, CalendarChecked) {
    const DateCase cases[] = {
        {"2024-02-29", "2024-02-29"},
        {"2000-02-29", "2000-02-29"},
        {" 2024-12-31 ", "2024-12-31"},
        {"0001-01-01", "0001-01-01"},
        {"9999-12-31", "9999-12-31"},
        {"2023-02-29", ""},
        {"1900-02-29", ""},
        {"2024-04-31", ""},
        {"2024-13-01", ""},
        {"2024-00-10", ""},
        {"2024-01-00", ""},
        {"2024-1-01", ""},
        {"24-01-01", ""},
        {"2024/01/01", ""},
        {"2024-01-01T00:00:00Z", ""},
        {"2024-01-01 ", "2024-01-01"},
        {"", ""},
        {"2024-01-0a", ""},
        {"+2024-01-01", ""},
        {"20240101", ""},
    };
    for (const auto& c : cases) {
        ExpectOutcome(ParseIsoDate(c.input), c.expected, std::string(c.input));
    }
}

TEST(ParseIsoDateTime, ConvertsToUtcMilliseconds) {
    const DateCase cases[] = {
        {"2024-03-10T12:34:56Z", "2024-03-10T12:34:56.000Z"},
        {"2024-03-10t12:34:56z", "2024-03-10T12:34:56.000Z"},
        {"2024-03-10 12:34:56", "2024-03-10T12:34:56.000Z"},
        {"2024-03-10T12:34", "2024-03-10T12:34:00.000Z"},
        {"2024-03-10", "2024-03-10T00:00:00.000Z"},
        {"2024-03-10T12:34:56.7Z", "2024-03-10T12:34:56.700Z"},
        {"2024-03-10T12:34:56.789Z", "2024-03-10T12:34:56.789Z"},
        {"2024-03-10T12:34:56.789999999Z", "2024-03-10T12:34:56.789Z"},  // truncated
        {"2024-03-10T12:34:56,5Z", "2024-03-10T12:34:56.500Z"},
        {"2024-03-10T12:34:56+02:00", "2024-03-10T10:34:56.000Z"},
        {"2024-03-10T12:34:56-05:30", "2024-03-10T18:04:56.000Z"},
        {"2024-03-10T12:34:56+0200", "2024-03-10T10:34:56.000Z"},
        {"2024-03-10T12:34:56+02", "2024-03-10T10:34:56.000Z"},
        {"2024-03-10T12:34:56-00:00", "2024-03-10T12:34:56.000Z"},
        {"2024-03-10T12:34+01:00", "2024-03-10T11:34:00.000Z"},
        // Offsets crossing midnight, month, year and Feb 29.
        {"2024-01-01T00:30:00+01:00", "2023-12-31T23:30:00.000Z"},
        {"2023-12-31T23:30:00-01:00", "2024-01-01T00:30:00.000Z"},
        {"2024-03-01T01:00:00+02:00", "2024-02-29T23:00:00.000Z"},
        {"2023-03-01T01:00:00+02:00", "2023-02-28T23:00:00.000Z"},
        {"2024-02-28T22:00:00.250-03:00", "2024-02-29T01:00:00.250Z"},
        {"2024-06-15T23:59:59.999+14:00", "2024-06-15T09:59:59.999Z"},
        {" 2024-03-10T12:34:56Z ", "2024-03-10T12:34:56.000Z"},
        {"9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"},
        {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"},
        // Refused.
        {"2023-02-29T10:00:00Z", ""},
        {"2024-03-10T24:00:00Z", ""},
        {"2024-03-10T12:60:00Z", ""},
        {"2024-03-10T23:59:60Z", ""},
        {"2024-03-10T12:34:56+24:00", ""},
        {"2024-03-10T12:34:56+02:60", ""},
        {"2024-03-10T12:34:56.Z", ""},
        {"2024-03-10T12Z", ""},
        {"2024-03-10T1:34:56Z", ""},
        {"2024-03-10T12:34:56 Z", ""},
        {"2024-03-10T12:34:56Europe/Paris", ""},
        {"2024-03-10X12:34:56Z", ""},
        {"2024-03-10T", ""},
        {"0000-01-01T00:30:00+01:00", ""},  // before year 0000 in UTC
        {"9999-12-31T23:30:00-01:00", ""},  // after year 9999 in UTC
        {"", ""},
    };
    for (const auto& c : cases) {
        ExpectOutcome(ParseIsoDateTime(c.input), c.expected, std::string(c.input));
    }
}

TEST(ParseIsoDateTime, MessagesSayWhatIsWrong) {
    EXPECT_NE(ParseIsoDateTime("2023-02-29").error().message.find("not a day of the calendar"),
              std::string::npos);
    EXPECT_NE(ParseIsoDateTime("2024-01-01T23:59:60Z").error().message.find("leap second"),
              std::string::npos);
    EXPECT_NE(ParseIsoDateTime("yesterday").error().message.find("YYYY-MM-DD"), std::string::npos);
}

struct FormatCase {
    std::string_view input;
    std::string_view format;
    std::string_view expected;  // empty: refused
};

TEST(ParseDateWithFormat, ReadsCustomFormats) {
    const FormatCase cases[] = {
        {"31/12/2024", "%d/%m/%Y", "2024-12-31"},
        {"1/2/2024", "%d/%m/%Y", "2024-02-01"},
        {"12/31/2024", "%m/%d/%Y", "2024-12-31"},
        {"29.02.2024", "%d.%m.%Y", "2024-02-29"},
        {"20241231", "%Y%m%d", "2024-12-31"},
        {"31-Dec-2024", "%d-%b-%Y", "2024-12-31"},
        {"31 DEC 2024", "%d %b %Y", "2024-12-31"},
        {"December 31, 2024", "%B %d, %Y", "2024-12-31"},
        {"may 5 99", "%b %d %y", "1999-05-05"},
        {"05/05/68", "%d/%m/%y", "2068-05-05"},
        {"05/05/69", "%d/%m/%y", "1969-05-05"},
        {"05/05/00", "%d/%m/%y", "2000-05-05"},
        {"31/12/2024 23:59", "%d/%m/%Y %H:%M", "2024-12-31"},  // time read, then dropped
        {"31/12/2024   23:59", "%d/%m/%Y %H:%M", "2024-12-31"},
        {"2024-12-31T23:00:00+05:00", "%Y-%m-%dT%H:%M:%S%z", "2024-12-31"},  // no shift
        {"100% 2024-01-02", "100%% %Y-%m-%d", "2024-01-02"},
        {"  31/12/2024 ", "%d/%m/%Y", "2024-12-31"},
        // Refused.
        {"29.02.2023", "%d.%m.%Y", ""},
        {"31/13/2024", "%d/%m/%Y", ""},
        {"32/12/2024", "%d/%m/%Y", ""},
        {"31-12-2024", "%d/%m/%Y", ""},
        {"31/12/24", "%d/%m/%Y", ""},
        {"31/12/2024x", "%d/%m/%Y", ""},
        {"31-Dez-2024", "%d-%b-%Y", ""},
        {"31/12/2024 24:00", "%d/%m/%Y %H:%M", ""},
        {"31/12/2024", "%d/%m", ""},     // no year
        {"12/2024", "%m/%Y", ""},        // no day
        {"31/2024", "%d/%Y", ""},        // no month
        {"31/12/2024", "%d/%m/%Q", ""},  // unknown directive
        {"31/12/2024", "%d/%m/%Y%", ""},
        {"", "%d/%m/%Y", ""},
    };
    for (const auto& c : cases) {
        ExpectOutcome(ParseDateWithFormat(c.input, c.format), c.expected,
                      std::string(c.input) + " ~ " + std::string(c.format));
    }
}

TEST(ParseDateWithFormat, MessagesSayWhatIsWrong) {
    EXPECT_NE(ParseDateWithFormat("31/12/2024", "%d/%m/%Q").error().message.find("'%Q'"),
              std::string::npos);
    EXPECT_NE(ParseDateWithFormat("31/12", "%d/%m").error().message.find("has no year"),
              std::string::npos);
    EXPECT_NE(ParseDateWithFormat("31-12-2024", "%d/%m/%Y")
                  .error()
                  .message.find("does not match the format '%d/%m/%Y'"),
              std::string::npos);
}

TEST(ParseDateTimeWithFormat, ReadsCustomFormats) {
    const FormatCase cases[] = {
        {"31/12/2024 23:59", "%d/%m/%Y %H:%M", "2024-12-31T23:59:00.000Z"},
        {"31/12/2024 23:59:58", "%d/%m/%Y %H:%M:%S", "2024-12-31T23:59:58.000Z"},
        {"31/12/2024", "%d/%m/%Y", "2024-12-31T00:00:00.000Z"},
        {"12/31/24 7:05", "%m/%d/%y %H:%M", "2024-12-31T07:05:00.000Z"},
        {"2024-12-31 23:30 +01:00", "%Y-%m-%d %H:%M %z", "2024-12-31T22:30:00.000Z"},
        {"2024-12-31 23:30 -0100", "%Y-%m-%d %H:%M %z", "2025-01-01T00:30:00.000Z"},
        {"2024-01-01 00:15 Z", "%Y-%m-%d %H:%M %z", "2024-01-01T00:15:00.000Z"},
        {"01 Mar 2024 00:30 +01:00", "%d %b %Y %H:%M %z", "2024-02-29T23:30:00.000Z"},
        // Refused.
        {"31/12/2024 23:60", "%d/%m/%Y %H:%M", ""},
        {"31/12/2024 23:59:60", "%d/%m/%Y %H:%M:%S", ""},
        {"31/12/2024 23:59 CET", "%d/%m/%Y %H:%M %z", ""},
        {"31/12/2024 23:59 +25:00", "%d/%m/%Y %H:%M %z", ""},
        {"29/02/2023 10:00", "%d/%m/%Y %H:%M", ""},
        {"31/12/2024 23:59", "%H:%M", ""},
    };
    for (const auto& c : cases) {
        ExpectOutcome(ParseDateTimeWithFormat(c.input, c.format), c.expected,
                      std::string(c.input) + " ~ " + std::string(c.format));
    }
}

}  // namespace
}  // namespace overture::schema
