#pragma once
// The tables behind the demo data generator (demo_data.hpp): for each country its share of
// the profiles, common first and last names, cities with a postal code, state, time zone and
// language, streets, mobile number patterns and currency; salutations per language; and a
// product catalog.
// Constant data; thread-safe.
#include <span>
#include <string_view>

namespace overture::app::demo {

struct City {
    std::string_view name;
    std::string_view postal_code;
    std::string_view time_zone;  // IANA
    std::string_view state;      // US state code; empty elsewhere
    std::string_view area_code;  // NANP area code for phone numbers; empty elsewhere
    std::string_view language;   // overrides the country's language when not empty
};

struct Country {
    std::string_view iso;
    int weight;                 // relative share of profiles
    std::string_view language;  // BCP 47
    std::string_view currency;
    double price_factor;  // catalog prices (EUR) to `currency`
    bool number_first;    // "12 rue Pasteur" rather than "Hauptstraße 12"
    // Mobile number patterns: digits as written, X a random digit, A the city's area code.
    std::span<const std::string_view> mobile_patterns;
    std::span<const std::string_view> female_names;
    std::span<const std::string_view> male_names;
    std::span<const std::string_view> last_names;
    std::span<const std::string_view> streets;
    std::span<const City> cities;
};

struct Product {
    std::string_view sku;
    std::string_view name;
    std::string_view category;  // books, electronics, home, fashion, sports
    double price_eur;
};

std::span<const Country> Countries();
// "Mme" / "M." for "fr-FR", "Frau" / "Herr" for "de-DE", ...; empty for an unknown language.
std::string_view Salutation(std::string_view language, bool female);
std::span<const Product> Catalog();

}  // namespace overture::app::demo
