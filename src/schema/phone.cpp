#include "schema/phone.hpp"

#include "common/strings.hpp"

// Approach: one pass collects the digits into a stack buffer (no allocation), then the prefix
// decides international or national form, the table gives the calling code and the rules, and
// the only allocation is the result.
namespace overture::schema {
namespace {

// E.164 allows 15 digits; a typed number may add an international prefix ("0011") and a
// trunk prefix. Anything longer is refused before any lookup.
constexpr std::size_t kMaxTypedDigits = 21;
constexpr std::size_t kMinTotalDigits = 4;
constexpr std::size_t kMaxTotalDigits = 15;

std::unexpected<Error> Invalid(std::string_view input, std::string_view problem) {
    std::string message;
    message.reserve(input.size() + problem.size() + 22);
    message.append("the phone number '").append(input).append("' ").append(problem);
    return Fail(Error::InvalidArgument(std::move(message)));
}

bool IsSeparator(char c) {
    return c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')';
}

bool FitsLength(const PhoneCountry& rules, std::size_t nsn_digits) {
    return rules.min_nsn == 0 || (nsn_digits >= rules.min_nsn && nsn_digits <= rules.max_nsn);
}

// Drops the trunk prefix from a national number when one is written and what remains can
// still be a number of the country ("8 800 ..." in RU, but not "800 ..." alone).
std::string_view DropTrunkPrefix(const PhoneCountry& rules, std::string_view nsn) {
    if (rules.trunk_prefix.empty() || !nsn.starts_with(rules.trunk_prefix)) return nsn;
    std::size_t rest = nsn.size() - rules.trunk_prefix.size();
    if (rest == 0 || (rules.min_nsn != 0 && rest < rules.min_nsn)) return nsn;
    return nsn.substr(rules.trunk_prefix.size());
}

// "+44 (0)20 ...": a trunk "0" written after the calling code. Where the trunk prefix is "0",
// a national significant number never starts with 0, so it is always dropped (Italy has no
// trunk prefix and keeps it).
std::string_view DropTrunkZeroAfterCode(const PhoneCountry& rules, std::string_view nsn) {
    if (rules.trunk_prefix != "0" || !nsn.starts_with('0')) return nsn;
    return nsn.substr(1);
}

std::string CountryLabel(const PhoneCountry& rules) {
    std::string label;
    if (!rules.iso.empty()) label.append(rules.iso).append(" ");
    label.append("(+").append(rules.calling_code).append(")");
    return label;
}

}  // namespace

Result<std::string> NormalizePhone(std::string_view input, std::string_view default_country) {
    std::string_view text = Trim(input);
    if (text.empty()) return Fail(Error::InvalidArgument("the phone number is empty"));

    char buffer[kMaxTypedDigits];
    std::size_t count = 0;
    bool plus = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            if (count == kMaxTypedDigits) return Invalid(text, "is too long");
            buffer[count++] = c;
        } else if (IsSeparator(c)) {
            continue;
        } else if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {
            ++i;  // U+00A0 NO-BREAK SPACE, common in copied French and German numbers
        } else if (c == '+') {
            if (plus || count > 0) return Invalid(text, "has a '+' that is not at the start");
            plus = true;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return Invalid(text, std::string("contains the letter '") + c +
                                     "'; vanity numbers and extensions are not supported");
        } else if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F) {
            return Invalid(text, std::string("contains '") + c +
                                     "'; only digits, spaces, '+', '(', ')', '-', '.' and '/' "
                                     "are allowed");
        } else {
            return Invalid(text, "contains a character that is not allowed");
        }
    }
    if (count == 0) return Invalid(text, "has no digits");
    std::string_view digits(buffer, count);

    const PhoneCountry* home =
        default_country.empty() ? nullptr : FindPhoneCountry(default_country);
    bool international = plus;
    if (!international && home != nullptr && !home->idd_prefix.empty() &&
        digits.starts_with(home->idd_prefix)) {
        digits.remove_prefix(home->idd_prefix.size());
        international = true;
    } else if (!international && digits.starts_with("00")) {
        digits.remove_prefix(2);
        international = true;
    }

    const PhoneCountry* rules = nullptr;
    std::string_view nsn;
    if (international) {
        if (digits.empty()) return Invalid(text, "has no digits after the international prefix");
        rules = FindCallingCode(digits);
        if (rules == nullptr) return Invalid(text, "does not start with a known country code");
        nsn = DropTrunkZeroAfterCode(*rules, digits.substr(rules->calling_code.size()));
    } else {
        if (default_country.empty()) {
            return Invalid(text, "is a national number, which needs the profile's country");
        }
        if (home == nullptr) {
            return Fail(Error::InvalidArgument("the phone number '" + std::string(text) +
                                               "' is a national number and the profile's "
                                               "country '" +
                                               std::string(default_country) + "' is unknown"));
        }
        if (home->calling_code.empty()) {
            return Invalid(text, "is a national number of a country without a calling code");
        }
        rules = home;
        nsn = DropTrunkPrefix(*rules, digits);
        // "33 6 12 34 56 78" typed for FR: the calling code without '+' or "00".
        if (rules->max_nsn != 0 && digits.size() > rules->max_nsn &&
            digits.starts_with(rules->calling_code)) {
            std::string_view rest =
                DropTrunkZeroAfterCode(*rules, digits.substr(rules->calling_code.size()));
            if (!FitsLength(*rules, nsn.size()) && FitsLength(*rules, rest.size())) nsn = rest;
        }
    }

    if (nsn.empty()) return Invalid(text, "has no digits after the country code");
    if (rules->min_nsn != 0 && nsn.size() < rules->min_nsn) {
        return Invalid(text, "is too short for " + CountryLabel(*rules) + ": " +
                                 std::to_string(nsn.size()) + " digits after the country code, " +
                                 std::to_string(rules->min_nsn) + " expected at least");
    }
    if (rules->max_nsn != 0 && nsn.size() > rules->max_nsn) {
        return Invalid(text, "is too long for " + CountryLabel(*rules) + ": " +
                                 std::to_string(nsn.size()) + " digits after the country code, " +
                                 std::to_string(rules->max_nsn) + " expected at most");
    }
    std::size_t total = rules->calling_code.size() + nsn.size();
    if (total < kMinTotalDigits) return Invalid(text, "is too short");
    if (total > kMaxTotalDigits) return Invalid(text, "is too long: E.164 allows 15 digits");

    std::string result;
    result.reserve(1 + total);
    result.append("+").append(rules->calling_code).append(nsn);
    return result;
}

}  // namespace overture::schema
