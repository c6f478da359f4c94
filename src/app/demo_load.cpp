// Writing demo rows in bulk: the stored forms of demo_data.hpp's values, column by column.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <unordered_map>

#include "app/demo_load.hpp"
#include "schema/email.hpp"
#include "schema/phone.hpp"
#include "storage/sql_text.hpp"

namespace overture::app {

namespace {

using storage::Transaction;
using storage::Value;

constexpr std::string_view kActor = "demo";
constexpr std::string_view kOrigin = "demo";

Value TextOrNull(const std::string& s) { return s.empty() ? Value() : Value(s); }

std::vector<Value> ProfileRow(const DemoProfile& p) {
    return {p.created_at,
            p.created_at,
            TextOrNull(p.email),
            TextOrNull(p.email_domain),
            TextOrNull(p.mobile_phone),
            TextOrNull(p.salutation),
            p.first_name,
            p.last_name,
            p.gender,
            p.birth_date,
            p.language,
            p.time_zone,
            p.address1,
            p.postal_code,
            p.city,
            TextOrNull(p.state_code),
            p.country,
            p.block_email,
            p.block_sms,
            false,
            p.block_direct_mail,
            p.block_all,
            p.external_id,
            std::string(kActor),
            std::string(kActor)};
}

const std::vector<std::string>& ProfileColumns() {
    static const std::vector<std::string> kColumns{
        "created_at",        "modified_at", "email",       "email_domain", "mobile_phone",
        "salutation",        "first_name",  "last_name",   "gender",       "birth_date",
        "language",          "time_zone",   "address1",    "postal_code",  "city",
        "state_code",        "country",     "block_email", "block_sms",    "block_push",
        "block_direct_mail", "block_all",   "external_id", "created_by",   "modified_by"};
    return kColumns;
}

std::vector<std::string> PurchaseColumns(const schema::Resource& r) {
    std::vector<std::string> columns{"created_at", "modified_at"};
    for (const char* name : {"sku", "product", "category", "amount", "currency", "quantity",
                             "purchasedAt", "channel"}) {
        columns.push_back(r.FindField(name)->column);
    }
    columns.push_back(r.FindLink("profile")->column);
    return columns;
}

}  // namespace

Result<std::int64_t> CountDemoProfiles(Transaction& tx, storage::Dialect d) {
    storage::Params p(d);
    auto sql = fmt::format("SELECT count(*) FROM profiles WHERE external_id LIKE {}",
                           p.Add(std::string(kDemoExternalIds)));
    auto rows = tx.QuerySql(sql, p.values());
    if (!rows) return Fail(rows.error());
    return storage::AsInt(rows->rows.at(0).at(0));
}

// Creates the two services unless services of the same names exist, and reads their ids.
Status EnsureServices(Transaction& tx, storage::Dialect d, const std::string& now,
                      std::vector<DemoService>& services) {
    auto find = [&](DemoService& s) -> Result<bool> {
        storage::Params p(d);
        auto sql =
            fmt::format("SELECT id, validity_days FROM services WHERE name = {}", p.Add(s.name));
        auto rows = tx.QuerySql(sql, p.values());
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return false;
        s.id = storage::AsInt(rows->rows[0][0]);
        s.validity_days = storage::AsInt(rows->rows[0][1]);
        return true;
    };
    static const std::vector<std::string> kColumns{"created_at", "modified_at",  "name",
                                                   "label",      "public_label", "description",
                                                   "channel",    "validity_days"};
    for (auto& s : services) {
        auto found = find(s);
        if (!found) return Fail(found.error());
        if (*found) continue;
        std::vector<std::vector<Value>> row{
            {now, now, s.name, s.label, s.label, s.description, s.channel, std::int64_t{0}}};
        if (auto n = tx.BulkInsert("services", kColumns, row); !n) return Fail(n.error());
        found = find(s);
        if (!found) return Fail(found.error());
    }
    return {};
}

// A generator value the normalizers would change is a bug in the generator or its tables.
Status CheckNormalized(const DemoProfile& p) {
    if (!p.email.empty()) {
        auto e = schema::NormalizeEmail(p.email);
        if (!e || e->address != p.email || e->domain != p.email_domain) {
            return Fail(
                Error::Internal("demo: generated an email that does not normalize to "
                                "itself: " +
                                p.email));
        }
    }
    if (!p.mobile_phone.empty()) {
        auto n = schema::NormalizePhone(p.mobile_phone, p.country);
        if (!n || *n != p.mobile_phone) {
            return Fail(Error::Internal("demo: generated a phone number that is not E.164 for " +
                                        p.country + ": " + p.mobile_phone));
        }
    }
    return {};
}

// Writes one chunk of profiles, then reads their ids back to link purchases and subscriptions.
Status LoadChunk(Transaction& tx, storage::Dialect d, const schema::Resource& purchase,
                 const std::vector<DemoProfile>& chunk, const std::vector<DemoService>& services,
                 std::int64_t& last_id, DemoTotals& totals) {
    auto t0 = std::chrono::steady_clock::now();
    auto ms = [&] {
        auto t = std::chrono::steady_clock::now();
        auto out = std::chrono::duration_cast<std::chrono::milliseconds>(t - t0).count();
        t0 = t;
        return out;
    };
    std::vector<std::vector<Value>> rows;
    rows.reserve(chunk.size());
    for (const auto& p : chunk) rows.push_back(ProfileRow(p));
    if (auto n = tx.BulkInsert("profiles", ProfileColumns(), rows); !n) return Fail(n.error());

    storage::Params params(d);
    auto sql = fmt::format(
        "SELECT id, external_id FROM profiles WHERE external_id LIKE {} AND id > {} ORDER BY id",
        params.Add(std::string(kDemoExternalIds)), params.Add(last_id));
    spdlog::debug("demo: {} profiles written in {} ms", chunk.size(), ms());
    auto ids = tx.QuerySql(sql, params.values());
    if (!ids) return Fail(ids.error());
    spdlog::debug("demo: ids read back in {} ms", ms());
    std::unordered_map<std::string, std::int64_t> id_of;
    for (const auto& row : ids->rows) {
        id_of[storage::AsString(row[1])] = storage::AsInt(row[0]);
        last_id = std::max(last_id, storage::AsInt(row[0]));
    }

    std::vector<std::vector<Value>> purchases, subscriptions, history;
    for (const auto& p : chunk) {
        auto it = id_of.find(p.external_id);
        if (it == id_of.end()) {
            return Fail(Error::Internal("demo: could not read back the id of " + p.external_id));
        }
        std::int64_t id = it->second;
        if (totals.first_profile_id == 0) totals.first_profile_id = id;
        for (const auto& b : p.purchases) {
            purchases.push_back({b.purchased_at, b.purchased_at, b.sku, b.product, b.category,
                                 b.amount, b.currency, b.quantity, b.purchased_at, b.channel, id});
        }
        for (std::size_t s = 0; s < services.size(); ++s) {
            const auto& since = s == 0 ? p.newsletter_since : p.sms_since;
            if (!since) continue;
            auto at = FormatRfc3339(*since);
            Value expires;
            if (services[s].validity_days > 0) {
                expires = FormatRfc3339(*since + std::chrono::days(services[s].validity_days));
            }
            subscriptions.push_back({at, at, std::string(kOrigin), expires, services[s].id, id});
            history.push_back(
                {at, at, std::string("subscribe"), std::string(kOrigin), services[s].id, id});
        }
    }
    static const std::vector<std::string> kSubscriptionColumns{
        "created_at", "modified_at", "origin", "expires_at", "service_id", "profile_id"};
    static const std::vector<std::string> kHistoryColumns{
        "created_at", "modified_at", "action", "origin", "service_id", "profile_id"};
    if (auto n = tx.BulkInsert(purchase.table, PurchaseColumns(purchase), purchases); !n) {
        return Fail(n.error());
    }
    spdlog::debug("demo: {} purchases written in {} ms", purchases.size(), ms());
    if (auto n = tx.BulkInsert("subscriptions", kSubscriptionColumns, subscriptions); !n) {
        return Fail(n.error());
    }
    if (auto n = tx.BulkInsert("subscription_history", kHistoryColumns, history); !n) {
        return Fail(n.error());
    }
    spdlog::debug("demo: {} subscriptions written in {} ms", subscriptions.size(), ms());
    totals.profiles += static_cast<std::int64_t>(chunk.size());
    totals.purchases += static_cast<std::int64_t>(purchases.size());
    totals.subscriptions += static_cast<std::int64_t>(subscriptions.size());
    return {};
}

// A seed address for real sends, a QA inbox for proofs, and the marketing lead who proofs and
// previews with the data of the first demo profile.
Status LoadTestProfiles(Transaction& tx, const std::string& now, DemoTotals& totals) {
    static const std::vector<std::string> kColumns{
        "created_at",    "modified_at",  "label",           "email",
        "mobile_phone",  "first_name",   "last_name",       "country",
        "use_for_proof", "use_for_trap", "use_for_preview", "profile_id"};
    Value lead_profile = totals.first_profile_id ? Value(totals.first_profile_id) : Value();
    std::vector<std::vector<Value>> rows{
        {now, now, std::string("Seed inbox"), std::string("seed-inbox@example.com"), Value(),
         std::string("Seed"), std::string("Inbox"), std::string("FR"), false, true, false, Value()},
        {now, now, std::string("QA team"), std::string("qa@example.org"),
         std::string("+33639980000"), std::string("Quality"), std::string("Assurance"),
         std::string("FR"), true, false, false, Value()},
        {now, now, std::string("Marketing lead"), std::string("marketing.lead@example.net"),
         std::string("+447700900000"), std::string("Morgan"), std::string("Lee"), std::string("GB"),
         true, false, true, lead_profile},
    };
    auto n = tx.BulkInsert("test_profiles", kColumns, rows);
    if (!n) return Fail(n.error());
    totals.test_profiles = *n;
    return {};
}

namespace {

constexpr std::string_view kDemoHtml = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>The weekly letter</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="100%" style="max-width:600px;background:#ffffff">
<tr><td style="padding:24px 24px 0;font-size:12px;color:#71717a">Not displayed well? <a href="{{ mirror_url }}" style="color:#71717a">Open it in your browser</a></td></tr>
<tr><td style="padding:24px"><h1 style="margin:0;font-size:24px;color:#18181b">Hello {{ profile.firstName | default: "there" }},</h1>
<p style="font-size:15px;line-height:22px;color:#3f3f46">Here is what is new this week{% if profile.city %} in {{ profile.city }}{% endif %}: the autumn collection, two new shops and the results of our readers' survey.</p>
<p><a href="https://shop.example/autumn" style="display:inline-block;padding:12px 20px;background:#4c6ef5;color:#ffffff;text-decoration:none;border-radius:4px">See the collection</a></p></td></tr>
<tr><td style="padding:24px;font-size:12px;color:#71717a">You receive this letter at {{ profile.email }}. <a href="{{ unsubscribe_url }}" style="color:#71717a">Unsubscribe</a></td></tr>
</table></td></tr></table></body></html>
)";

constexpr std::string_view kDemoText = R"(Hello {{ profile.firstName | default: "there" }},

Here is what is new this week{% if profile.city %} in {{ profile.city }}{% endif %}: the autumn collection, two new shops and the results of our readers' survey.

See the collection: https://shop.example/autumn

You receive this letter at {{ profile.email }}. Unsubscribe: {{ unsubscribe_url }}
View it in your browser: {{ mirror_url }}
)";

}  // namespace

Status LoadDemoDeliveries(Transaction& tx, storage::Dialect d, std::int64_t now_ms) {
    boost::json::object content{
        {"from", boost::json::object{{"name", "The Shop"}, {"address", "news@shop.example"}}},
        {"replyTo", nullptr},
        {"subject", "{{ profile.firstName | default: \"Hello\" }}, your week at The Shop"},
        {"preheader", "The autumn collection and two new shops"},
        {"html", kDemoHtml},
        {"text", kDemoText},
        {"textMode", "manual"},
        {"editor", "html"}};
    const std::string content_text = boost::json::serialize(content);
    const std::string audience =
        R"({"kind":"query","expression":"email is not empty and not blockEmail"})";
    const std::string settings =
        R"({"testProfileIds":[],"schedule":{"kind":"now"},"validityHours":72,)"
        R"("throughputPerHour":0,"retryDelaySeconds":600})";
    for (const auto& [label, is_template] :
         {std::pair{std::string("Weekly newsletter"), true},
          std::pair{std::string("Weekly newsletter - this week"), false}}) {
        storage::Params p(d);
        const auto sql = fmt::format(
            "INSERT INTO deliveries (label, is_template, state, content, audience, settings, "
            "created_at, created_by, modified_at, modified_by) VALUES ({}, {}, 'draft', {}, {}, "
            "{}, {}, 'demo', {}, 'demo')",
            p.Add(label), p.Add(is_template), p.Add(content_text), p.Add(audience), p.Add(settings),
            p.Add(now_ms), p.Add(now_ms));
        if (auto n = tx.ExecSql(sql, p.values()); !n) return Fail(n.error());
    }
    return {};
}

}  // namespace overture::app
