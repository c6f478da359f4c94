// The demo generator: one pass per profile, drawing country, city, name, contact data,
// opt-outs, purchases and subscriptions in a fixed order from one mt19937_64, so that the
// sequence depends only on the seed.
#include "app/demo_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>

#include "app/demo_countries.hpp"

namespace overture::app {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

// ASCII for U+00C0..U+00FF; empty: dropped (the multiplication and division signs).
constexpr std::array<std::string_view, 64> kLatin1Fold{
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

constexpr std::array<std::string_view, 3> kDomains{"example.com", "example.org", "example.net"};

double Round2(double v) { return std::round(v * 100) / 100; }

template <typename T>
const T& Pick(std::span<const T> items, std::uint64_t index) {
    return items[index % items.size()];
}

}  // namespace

std::string EmailSafe(std::string_view name) {
    std::string out;
    for (std::size_t i = 0; i < name.size();) {
        auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x80) {
            if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
            ++i;
            continue;
        }
        // Decode one UTF-8 sequence; only two-byte ones can map to ASCII here.
        std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (len == 2 && i + 1 < name.size()) {
            unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(name[i + 1]) & 0x3Fu);
            if (cp >= 0xC0 && cp <= 0xFF) out += kLatin1Fold[cp - 0xC0];
            if (cp == 0x152 || cp == 0x153) out += "oe";
        }
        i += len;
    }
    return out;
}

DemoGenerator::DemoGenerator(std::uint64_t seed, TimePoint anchor) : rng_(seed), anchor_(anchor) {}

std::uint64_t DemoGenerator::Below(std::uint64_t n) { return rng_() % n; }

double DemoGenerator::Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

TimePoint DemoGenerator::Between(TimePoint from, TimePoint to) {
    if (to <= from) return from;
    // Whole seconds: the demo has no use for milliseconds.
    auto span = std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
    return from + std::chrono::seconds(static_cast<std::int64_t>(Below(span + 1)));
}

std::string DemoGenerator::Digits(std::string_view pattern, std::string_view area) {
    std::string out;
    std::size_t a = 0;
    for (char c : pattern) {
        if (c == 'X') {
            out.push_back(static_cast<char>('0' + Below(10)));
        } else if (c == 'A') {
            out.push_back(a < area.size() ? area[a++] : '2');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string DemoGenerator::UniqueEmail(const std::string& first, const std::string& last) {
    std::string base = first + "." + last;
    double style = Unit();
    if (style < 0.12) {
        base = first + last;
    } else if (style < 0.22) {
        base = first.substr(0, 1) + "." + last;
    }
    if (base.size() > 48) base.resize(48);
    std::string_view domain = kDomains[Unit() < 0.6 ? 0 : Unit() < 0.6 ? 1 : 2];
    std::string address;
    if (Chance(0.35)) address = fmt::format("{}@{}", base, domain);
    while (address.empty() || emails_.contains(address)) {
        address = fmt::format("{}{}@{}", base, 1 + Below(Chance(0.5) ? 99 : 9999), domain);
    }
    emails_.insert(address);
    return address;
}

DemoProfile DemoGenerator::Next() {
    DemoProfile p;
    p.external_id = fmt::format("CRM-{:06d}", next_number_++);

    auto countries = demo::Countries();
    int total = 0;
    for (const auto& c : countries) total += c.weight;
    auto roll = static_cast<int>(Below(static_cast<std::uint64_t>(total)));
    const demo::Country* country = &countries.back();
    for (const auto& c : countries) {
        if (roll < c.weight) {
            country = &c;
            break;
        }
        roll -= c.weight;
    }
    const demo::City& city = Pick(country->cities, Below(country->cities.size()));

    double g = Unit();
    p.gender = g < 0.49 ? "female" : g < 0.98 ? "male" : g < 0.99 ? "other" : "unknown";
    bool female = p.gender == "female" || (p.gender != "male" && Chance(0.5));
    p.first_name =
        std::string(Pick(female ? country->female_names : country->male_names, Below(1u << 20)));
    p.last_name = std::string(Pick(country->last_names, Below(1u << 20)));
    p.language = std::string(city.language.empty() ? country->language : city.language);
    if (p.gender == "female" || p.gender == "male") {
        p.salutation = std::string(demo::Salutation(p.language, female));
    }

    // Birth dates 1940-2008, the sum of two draws so that middle years are more common.
    const sys_days born_from = std::chrono::year{1940} / 1 / 1;
    const sys_days born_to = std::chrono::year{2008} / 12 / 31;
    auto range = static_cast<std::uint64_t>((born_to - born_from).count());
    auto offset = (Below(range + 1) + Below(range + 1)) / 2;
    std::chrono::year_month_day born{born_from + days(offset)};
    p.birth_date =
        fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(born.year()),
                    static_cast<unsigned>(born.month()), static_cast<unsigned>(born.day()));

    p.time_zone = std::string(city.time_zone);
    auto street = Pick(country->streets, Below(1u << 20));
    auto number = 1 + Below(country->iso == "US" ? 9999 : 180);
    p.address1 = country->number_first ? fmt::format("{} {}", number, street)
                                       : fmt::format("{} {}", street, number);
    p.postal_code = std::string(city.postal_code);
    p.city = std::string(city.name);
    p.state_code = std::string(city.state);
    p.country = std::string(country->iso);

    auto created = Between(anchor_ - days(3 * 365), anchor_);
    p.created_at = FormatRfc3339(created);
    if (Chance(0.98)) {
        p.email = UniqueEmail(EmailSafe(p.first_name), EmailSafe(p.last_name));
        p.email_domain = p.email.substr(p.email.find('@') + 1);
    }
    if (Chance(0.75)) {
        auto pattern = Pick(country->mobile_patterns, Below(1u << 20));
        p.mobile_phone = Digits(pattern, city.area_code);
    }
    p.block_all = Chance(0.01);
    p.block_email = Chance(0.03);
    p.block_sms = !p.mobile_phone.empty() && Chance(0.02);
    p.block_direct_mail = Chance(0.02);

    // 0-6 purchases over the last two years, after the profile was created.
    auto first_purchase = std::max(created, anchor_ - days(730));
    auto purchases = Below(7);
    for (std::uint64_t i = 0; i < purchases; ++i) {
        const demo::Product& product = Pick(demo::Catalog(), Below(1u << 20));
        DemoPurchase b;
        b.sku = std::string(product.sku);
        b.product = std::string(product.name);
        b.category = std::string(product.category);
        double q = Unit();
        b.quantity = q < 0.7 ? 1 : q < 0.9 ? 2 : q < 0.97 ? 3 : 4 + static_cast<int>(Below(2));
        double unit_price = Round2(product.price_eur * country->price_factor);
        b.amount = Round2(unit_price * static_cast<double>(b.quantity));
        b.currency = std::string(country->currency);
        b.purchased_at = FormatRfc3339(Between(first_purchase, anchor_));
        double ch = Unit();
        b.channel = ch < 0.55 ? "web" : ch < 0.85 ? "store" : "app";
        p.purchases.push_back(std::move(b));
    }
    std::sort(p.purchases.begin(), p.purchases.end(),
              [](const auto& a, const auto& b) { return a.purchased_at < b.purchased_at; });

    // About 40% of all profiles read the newsletter and 15% take the SMS offers.
    if (!p.email.empty() && Chance(0.40 / 0.98)) {
        p.newsletter_since = Between(created, anchor_);
    }
    if (!p.mobile_phone.empty() && Chance(0.15 / 0.75)) {
        p.sms_since = Between(created, anchor_);
    }
    return p;
}

}  // namespace overture::app
