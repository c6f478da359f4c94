#pragma once
// The demo data generator behind `overture demo`: realistic but fictitious profiles, each with
// its purchases and its subscriptions, drawn from a seed.
//
// Deterministic: the same seed and the same anchor day give the same people, addresses,
// purchases and subscriptions, on any platform (the draws use std::mt19937_64 and our own
// uniform mapping, not the library's distributions, whose output is implementation-defined).
// Dates of events (createdAt, purchasedAt, subscriptions) are spread over the years before
// `anchor`; birth dates are absolute (1940-2008).
//
// Nothing here can reach a real person: emails are on the RFC 2606 example domains, and
// mobile numbers use the ranges regulators reserve for fiction where there is one (FR, GB, US);
// elsewhere they are random numbers of the right shape for the country's mobile plan.
//
// Values come out already in their stored form (E.164 phones, lower-case email domains,
// "YYYY-MM-DD" dates, RFC 3339 UTC datetimes). Not thread-safe: one generator per thread.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/clock.hpp"

namespace overture::app {

struct DemoPurchase {
    std::string sku;
    std::string product;
    std::string category;  // books, electronics, home, fashion, sports
    double amount = 0;     // unit price times quantity, in `currency`
    std::string currency;  // ISO 4217
    std::int64_t quantity = 1;
    std::string purchased_at;  // RFC 3339 UTC
    std::string channel;       // web, store, app
};

struct DemoProfile {
    std::string external_id;  // "CRM-000123"
    std::string created_at;   // RFC 3339 UTC
    std::string email;        // empty: none
    std::string email_domain;
    std::string mobile_phone;  // E.164; empty: none
    std::string salutation;
    std::string first_name;
    std::string last_name;
    std::string gender;      // female, male, other, unknown
    std::string birth_date;  // YYYY-MM-DD
    std::string language;    // BCP 47: "fr-FR"
    std::string time_zone;   // IANA: "Europe/Paris"
    std::string address1;
    std::string postal_code;
    std::string city;
    std::string state_code;  // US states; empty elsewhere
    std::string country;     // ISO 3166-1 alpha-2
    bool block_email = false;
    bool block_sms = false;
    bool block_direct_mail = false;
    bool block_all = false;
    std::vector<DemoPurchase> purchases;
    std::optional<TimePoint> newsletter_since;  // when subscribed to the newsletter, if ever
    std::optional<TimePoint> sms_since;         // same for the SMS service
};

class DemoGenerator {
  public:
    DemoGenerator(std::uint64_t seed, TimePoint anchor);

    // The next profile, numbered from 1 ("CRM-000001").
    DemoProfile Next();

  private:
    std::uint64_t Below(std::uint64_t n);  // uniform in [0, n)
    double Unit();                         // uniform in [0, 1)
    bool Chance(double p) { return Unit() < p; }
    std::string Digits(std::string_view pattern, std::string_view area);
    std::string UniqueEmail(const std::string& first, const std::string& last);
    TimePoint Between(TimePoint from, TimePoint to);

    std::mt19937_64 rng_;
    TimePoint anchor_;
    std::int64_t next_number_ = 1;
    std::unordered_set<std::string> emails_;  // local parts handed out, to keep emails unique
};

// Lower-case ASCII form of a name for an email local part: accents dropped ("Zoë" -> "zoe",
// "Müller" -> "muller", "ß" -> "ss"), anything but letters and digits removed.
std::string EmailSafe(std::string_view name);

}  // namespace overture::app
