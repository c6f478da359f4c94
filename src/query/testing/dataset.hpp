#pragma once
// The data set shared by the SQL back end and evaluator tests: a custom model (a purchase
// resource, an enum and a self link on profile), profiles with nulls, odd strings and dates
// around month ends, purchases, a table of expressions with the externalIds they select, a
// fixture that publishes the model into a fresh database of each backend and loads rows, and
// the same rows as in-memory records for the evaluator.
//
// The custom model is created with schema::PlanPublish and the DDL run directly (what
// SchemaService::Publish does): query/ may not include service/ (cmake/check_includes.cmake).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "query/checked.hpp"
#include "query/evaluate.hpp"
#include "query/parser.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "schema/model_json.hpp"
#include "schema/plan.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::query::testing {

using storage::Value;

inline constexpr const char* kCustom = R"({"resources": [
  {"name": "profile", "fields": [
     {"name": "loyaltyTier", "type": "enum",
      "values": [{"value": "bronze"}, {"value": "silver"}, {"value": "gold"}]},
     {"name": "score", "type": "integer"}],
   "links": [{"name": "referrer", "target": "profile", "cardinality": "zeroOrOne",
              "reverseName": "referrals"}]},
  {"name": "purchase",
   "fields": [
     {"name": "sku", "type": "string", "length": 60},
     {"name": "amount", "type": "float"},
     {"name": "quantity", "type": "integer"},
     {"name": "purchasedAt", "type": "datetime"},
     {"name": "paid", "type": "boolean"},
     {"name": "category", "type": "enum",
      "values": [{"value": "books"}, {"value": "music"}, {"value": "games"}]}],
   "links": [{"name": "profile", "target": "profile", "cardinality": "one",
              "reverseName": "purchases"}]}]})";

inline const Value N{};  // NULL

struct ProfileRow {
    std::string id;
    Value first, last, email, country, birth;
    Value block;
    Value tier, score;
    std::string created;
    std::string referrer;  // externalId or ""
};

inline std::vector<ProfileRow> Profiles() {
    std::vector<ProfileRow> p = {
        {"p01", "Alice", "Martin", "alice@Example.com", "FR", "1990-01-31", false, "gold",
         std::int64_t{10}, "2026-03-14T08:00:00.000Z", ""},
        {"p02", "Bob", "O'Brien; DROP TABLE profiles --", "bob@test.org", "DE", "1988-02-29", true,
         "silver", std::int64_t{5}, "2026-03-01T00:00:00.000Z", "p01"},
        {"p03", "Chlo\u00e9", "Dubois", "chloe@mail.fr", "FR", "2008-03-15", false, N, N,
         "2026-02-15T12:00:00.000Z", "p01"},
        {"p04", N, "Smith", N, N, N, false, "bronze", std::int64_t{0}, "2025-03-15T12:00:00.000Z",
         ""},
        {"p05", "Dan", "", "dan@EXAMPLE.COM", "US", "2008-03-16", true, "gold", std::int64_t{-3},
         "2026-03-15T11:59:59.999Z", "p02"},
        {"p06", "Eve", "100%_sure", "eve@sub.example.com", "US", "2000-12-31", false, "silver",
         std::int64_t{7}, "2026-03-08T12:00:00.000Z", "p02"},
        {"p07", "Frank", "a\\b", "frank@x.io", "GB", "1970-01-01", false, N, std::int64_t{100},
         "2024-02-29T23:59:59.000Z", "p06"},
        {"p08", "  Gina  ", "Lee", "gina@@weird@Host.COM", "JP", "1999-02-28", false, "bronze",
         std::int64_t{2}, "2026-01-31T10:00:00.000Z", ""},
        {"p09", "Hugo", "/* x */ SELECT 1", "no-at-sign", "FR", "2000-02-29", false, N, N,
         "2026-03-15T12:00:00.000Z", ""},
        {"p10", "Ivy", "Robert'); DELETE FROM profiles;--", "ivy@example.com", "de", "1985-06-15",
         true, "gold", std::int64_t{50}, "2026-03-16T00:00:00.000Z", ""},
        {"p11", "", "Zed", "", "", "2026-03-15", false, N, std::int64_t{1},
         "2026-03-10T00:00:00.000Z", ""},
        {"p12", "JOS\u00c9", "\u00c9CLAIR", "jose@Example.com", "ES", "1960-11-30", false, "silver",
         std::int64_t{3}, "2025-12-15T12:00:00.000Z", "p06"},
    };
    for (int i = 13; i <= 22; ++i) {  // fillers: alike in every tested attribute
        p.push_back({"p" + std::to_string(i), "Fil", "Filler",
                     "f" + std::to_string(i) + "@filler.net", "IT", "1980-05-20", false, N, N,
                     "2020-01-01T00:00:00.000Z", ""});
    }
    return p;
}

struct PurchaseRow {
    std::string profile;
    Value sku, amount, quantity, at, paid, category;
};

inline std::vector<PurchaseRow> Purchases() {
    return {
        {"p01", "B-1", 120.5, std::int64_t{1}, "2026-03-10T10:00:00.000Z", true, "books"},
        {"p01", "M-1", 20.0, std::int64_t{2}, "2025-01-01T00:00:00.000Z", false, "music"},
        {"p01", "G-1", 60.0, std::int64_t{3}, "2026-02-01T00:00:00.000Z", true, "games"},
        {"p02", "B-2", 99.5, std::int64_t{1}, "2026-03-14T00:00:00.000Z", true, "books"},
        {"p02", "B-3", 200.0, std::int64_t{5}, "2024-06-01T00:00:00.000Z", true, "books"},
        {"p03", "M-2", 5.25, std::int64_t{1}, "2026-03-15T11:00:00.000Z", false, "music"},
        {"p05", "G-2", 300.0, std::int64_t{1}, "2026-01-15T00:00:00.000Z", N, "games"},
        {"p05", "X-1", N, std::int64_t{2}, "2026-03-01T00:00:00.000Z", true, N},
        {"p06", "B-4", 15.0, std::int64_t{4}, "2025-12-31T23:59:59.999Z", true, "books"},
        {"p06", "B-5", 15.0, std::int64_t{1}, "2026-03-12T00:00:00.000Z", true, "books"},
        {"p06", "M-3", 10.0, std::int64_t{1}, "2026-03-13T00:00:00.000Z", false, "music"},
        {"p10", "O'Reilly; DROP TABLE x_purchase --", 1.0, std::int64_t{1},
         "2026-03-16T00:00:00.000Z", true, "books"},
    };
}

struct Case {
    std::string expr;
    // externalIds separated by spaces; "F" stands for the fillers p13..p22; a leading "!"
    // means every profile except those listed.
    std::string expected;
};

inline const std::vector<Case>& Cases() {
    static const std::vector<Case> kCases = {
        // comparisons and null handling
        {R"(country = "FR")", "p01 p03 p09"},
        {R"(country != "FR")", "p02 p05 p06 p07 p08 p10 p11 p12 F"},
        {R"(not (country = "FR"))", "!p01 p03 p09"},
        {R"(country < "F")", "p02 p11 p12"},
        {R"(country >= "a")", "p10"},
        {"score > 5", "p01 p06 p07 p10"},
        {"not (score > 5)", "p02 p03 p04 p05 p08 p09 p11 p12 F"},
        {"score >= 9.5", "p01 p07 p10"},
        {"score <= 0", "p04 p05"},
        {"score < 1.5", "p04 p05 p11"},
        {"blockEmail", "p02 p05 p10"},
        {"not blockEmail", "!p02 p05 p10"},
        {"blockEmail = false", "!p02 p05 p10"},
        {"blockEmail != true", "!p02 p05 p10"},
        {R"(loyaltyTier = "gold")", "p01 p05 p10"},
        {R"(loyaltyTier != "gold")", "p02 p04 p06 p08 p12"},
        {R"((country = "FR" or country = "DE") and not blockEmail)", "p01 p03 p09"},
        {R"((country = "FR") = false)", "!p01 p03 p09"},
        {"true", "!"},
        {"not true", ""},
        // in / not in / between
        {R"(country in ("FR", "DE"))", "p01 p02 p03 p09"},
        {R"(country not in ("FR", "DE", "IT"))", "p04 p05 p06 p07 p08 p10 p11 p12"},
        {"score in (-3, 100)", "p05 p07"},
        {R"(loyaltyTier in ("silver", "bronze"))", "p02 p04 p06 p08 p12"},
        {"score between 0 and 5", "p02 p04 p08 p11 p12"},
        {"score not between 0 and 5", "p01 p03 p05 p06 p07 p09 p10 F"},
        {R"(lastName between "A" and "M")", "p03 p08 F"},
        // like
        {R"(email like "%@example.com")", "p01 p05 p10 p12"},
        {R"(email not like "%@example.com")", "p02 p03 p04 p06 p07 p08 p09 p11 F"},
        {R"(lastName like "100%")", "p06"},
        {R"(lastName like "%\\%")", "p07"},
        {R"(lastName like "_ED")", "p11"},
        {R"(firstName like "chlo%")", "p03"},
        {R"(firstName like "jos%")", "p12"},
        {R"(lastName like "%DROP TABLE%")", "p02"},
        // is empty
        {"firstName is empty", "p04 p11"},
        {"firstName is not empty", "!p04 p11"},
        {"lastName is empty", "p05"},
        {"birthDate is empty", "p04"},
        {"score is empty", "p03 p09 F"},
        {"loyaltyTier is empty", "p03 p07 p09 p11 F"},
        {"referrer.country is empty", "p01 p04 p08 p09 p10 p11 F"},
        // injection attempts match literally
        {R"(lastName = "O'Brien; DROP TABLE profiles --")", "p02"},
        {R"(lastName = "Robert'); DELETE FROM profiles;--")", "p10"},
        {R"(lastName = "/* x */ SELECT 1")", "p09"},
        {R"(lastName = "a\\b")", "p07"},
        {R"(lastName in ("/* x */ SELECT 1", "a\\b"))", "p07 p09"},
        {R"(country = "FR' OR '1'='1")", ""},
        {R"(firstName = "x\"; DROP TABLE profiles; --")", ""},
        {R"(exists purchases where (sku = "O'Reilly; DROP TABLE x_purchase --"))", "p10"},
        // many-to-one joins
        {R"(referrer.country = "FR")", "p02 p03"},
        {R"(referrer.referrer.country = "FR")", "p05 p06"},
        {R"(referrer.lastName = "O'Brien; DROP TABLE profiles --")", "p05 p06"},
        {R"(not (referrer.country = "FR"))", "!p02 p03"},
        {R"(exists purchases where (profile.country = "DE"))", "p02"},
        {"exists purchases where (purchasedAt > profile.createdAt)", "p02 p03 p06"},
        // exists and aggregates
        {"exists purchases", "p01 p02 p03 p05 p06 p10"},
        {"not exists purchases", "p04 p07 p08 p09 p11 p12 F"},
        {"exists purchases where (amount > 100 and paid)", "p01 p02"},
        {"exists purchases where (not paid)", "p01 p03 p05 p06"},
        {"exists purchases where (paid = false)", "p01 p03 p06"},
        {"exists purchases where (category is empty)", "p05"},
        {"exists referrals where (blockEmail)", "p01 p02"},
        {"exists referrer.purchases where (amount > 100)", "p02 p03 p05 p06"},
        {"count(referrer.purchases) = 3", "p02 p03 p07 p12"},
        {"count(referrals) >= 2", "p01 p02 p06"},
        {"count(purchases) = 0", "p04 p07 p08 p09 p11 p12 F"},
        {R"(count(purchases where category = "books") >= 2)", "p02 p06"},
        {"count(purchases where amount is empty) = 1", "p05"},
        {"sum(purchases.amount) > 250", "p02 p05"},
        {"sum(purchases.quantity) = 6", "p01 p02 p06"},
        {"sum(purchases.amount) is empty", "p04 p07 p08 p09 p11 p12 F"},
        {"avg(purchases.amount) > 100", "p02 p05"},
        {"floor(avg(purchases.amount)) = 13", "p06"},
        {"min(purchases.amount) between 1 and 10", "p03 p06 p10"},
        {R"(min(purchases.purchasedAt) < "2025-01-01")", "p02"},
        {"max(purchases.purchasedAt) in last 7 days", "p01 p02 p03 p06"},
        {R"(max(purchases.sku) = "M-1")", "p01"},
        // dates and windows (now: 2026-03-15T12:00:00.000Z, a Sunday)
        {R"(birthDate = "1988-02-29")", "p02"},
        {R"(birthDate < "1970-01-02")", "p07 p12"},
        {R"(birthDate between "2000-01-01" and "2000-12-31")", "p06 p09"},
        {R"(createdAt > "2026-03-15")", "p05 p09 p10"},
        {"createdAt >= today()", "p05 p09 p10"},
        {"birthDate = today()", "p11"},
        {"createdAt < birthDate", "p11"},
        {"createdAt <= now()", "!p10"},
        {"createdAt > daysAgo(7)", "p01 p05 p09 p10 p11"},
        {"createdAt in last 7 days", "p01 p05 p06 p09 p11"},
        {"createdAt in next 1 day", "p09 p10"},
        {"createdAt in last 1 month", "p01 p02 p03 p05 p06 p09 p11"},
        {"createdAt in last 1 year", "p01 p02 p03 p04 p05 p06 p08 p09 p11 p12"},
        {"createdAt in last 2 weeks", "p01 p05 p06 p09 p11"},
        {"birthDate in last 2 weeks", "p11"},
        {"birthDate in next 1 day", "p11"},
        {"coalesce(birthDate, createdAt) < \"2000-01-01\"", "p01 p02 p07 p08 p10 p12 F"},
        // date functions
        {"year(birthDate) = 2000", "p06 p09"},
        {"month(birthDate) = 2 and day(birthDate) = 29", "p02 p09"},
        {"year(createdAt) = 2024 and month(createdAt) = 2 and day(createdAt) = 29", "p07"},
        {R"(weekday(birthDate) = 7 and birthDate > "2020-01-01")", "p11"},
        {"weekday(birthDate) = 4 and year(birthDate) = 1970", "p07"},
        {R"(weekday(today()) = 7 and country = "GB")", "p07"},
        {"age(birthDate) >= 18", "p01 p02 p03 p06 p07 p08 p09 p10 p12 F"},
        {"age(birthDate) = 17", "p05"},
        {"daysSince(createdAt) = 0", "p05 p09"},
        {"daysSince(createdAt) < 0", "p10"},
        {"daysSince(createdAt) = 7", "p06"},
        {"daysSince(birthDate) = 0", "p11"},
        {R"(addDays(birthDate, 1) = "2008-03-16")", "p03"},
        {R"(addDays(createdAt, 1) = "2024-03-01T23:59:59Z")", "p07"},
        {R"(addMonths(birthDate, 1) = "1990-02-28")", "p01"},
        {R"(addMonths(birthDate, 12) = "1989-02-28")", "p02"},
        {R"(addMonths(birthDate, -1) = "2000-11-30")", "p06"},
        {R"(addMonths(createdAt, 1) = "2026-02-28T10:00:00Z")", "p08"},
        {R"(daysAgo(0) = now() and country = "GB")", "p07"},
        // string functions
        {R"(lower(firstName) = "jos\u00c9")", "p12"},
        {R"(upper(lastName) = "MARTIN")", "p01"},
        {"length(firstName) = 5", "p01 p03 p07"},
        {"length(firstName) = 0", "p11"},
        {R"(trim(firstName) = "Gina")", "p08"},
        {R"(contains(email, "example"))", "p06 p10"},
        {R"(contains(email, "example") = false)", "p01 p02 p03 p05 p07 p08 p09 p11 p12 F"},
        {R"(not contains(email, "@"))", "p04 p09 p11"},
        {R"(startsWith(lastName, "O'"))", "p02"},
        {R"(endsWith(email, ".fr"))", "p03"},
        {R"(endsWith(email, ""))", "!p04"},
        {R"(emailDomain(email) = "example.com")", "p01 p05 p10 p12"},
        {R"(emailDomain(email) = "host.com")", "p08"},
        {"emailDomain(email) is empty", "p04 p09 p11"},
        // numeric functions
        {"abs(score) = 3", "p05 p12"},
        {"coalesce(score, 0) = 0", "p03 p04 p09 F"},
        {R"(coalesce(firstName, "?") = "?")", "p04"},
        {"round(sum(purchases.amount)) = 201", "p01"},
        {"floor(sum(purchases.amount)) = 5", "p03"},
        {"ceil(sum(purchases.amount)) = 6", "p03"},
        {R"(round(-2.5) = -3 and country = "GB")", "p07"},
        {R"(floor(-0.5) = -1 and ceil(-1.5) = -1 and country = "GB")", "p07"},
        {R"(round(score) = 7)", "p06"},
        // more combinations
        {"coalesce(null, score) = 5", "p02"},
        {"length(lastName) = 6", "p01 p03 p12 F"},
        {R"(upper(firstName) = "CHLO\u00e9")", "p03"},
        {"exists referrals where (exists purchases where (amount > 100))", "p01 p02"},
        {"count(purchases where paid) = 2", "p01 p02 p06"},
        {R"(addMonths(birthDate, 12) = "2001-02-28")", "p09"},
        {R"(addMonths(birthDate, 48) = "2004-02-29")", "p09"},
        {"age(birthDate) = 26 and month(birthDate) = 2", "p09"},
        {"weekday(createdAt) = 7", "p02 p03 p05 p06 p09"},
        {R"(addDays(today(), -1) = "2026-03-14" and country = "GB")", "p07"},
        {R"(sum(purchases.amount where category = "books") > 100)", "p01 p02"},
    };
    return kCases;
}

inline std::set<std::string> Expand(const std::string& spec, const std::vector<ProfileRow>& all) {
    std::set<std::string> listed;
    std::string text = spec;
    bool except = !text.empty() && text.front() == '!';
    if (except) text.erase(0, 1);
    std::istringstream in(text);
    for (std::string w; in >> w;) {
        if (w == "F") {
            for (int i = 13; i <= 22; ++i) listed.insert("p" + std::to_string(i));
        } else {
            listed.insert(w);
        }
    }
    if (!except) return listed;
    std::set<std::string> out;
    for (const auto& p : all) {
        if (!listed.contains(p.id)) out.insert(p.id);
    }
    return out;
}

class DatasetTest : public storage::testing::BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        auto custom = schema::CustomModelFromJson(boost::json::parse(kCustom));
        ASSERT_TRUE(custom) << custom.error().message;
        auto merged = schema::Merge(*custom);
        ASSERT_TRUE(merged) << merged.error().message;
        model_ = std::make_shared<const schema::Model>(std::move(*merged));
        auto builtin = schema::Merge(schema::Model());
        ASSERT_TRUE(builtin);
        auto dialect = db().dialect() == storage::Dialect::kSqlite ? schema::SqlDialect::kSqlite
                                                                   : schema::SqlDialect::kPostgres;
        auto plan = schema::PlanPublish(*builtin, *model_, dialect);
        ASSERT_TRUE(plan) << plan.error().message;
        auto tx = db().Begin(storage::TxMode::kSchemaChange);
        ASSERT_TRUE(tx);
        for (const auto& statement : plan->statements) {
            auto st = (*tx)->ExecScript(statement);
            ASSERT_TRUE(st) << statement << ": " << st.error().message << st.error().detail;
        }
        ASSERT_TRUE((*tx)->Commit());
    }

    // Inserts one row of `resource`: field or link names with values (links take an
    // externalId of a profile).
    void Insert(storage::Transaction& tx, const schema::Resource& r,
                const std::vector<std::pair<std::string, Value>>& values) {
        storage::Params params(db().dialect());
        std::string columns, placeholders;
        for (const auto& [name, value] : values) {
            std::string ph;
            std::string column;
            if (const schema::Field* f = r.FindField(name)) {
                column = f->column;
                ph = storage::WriteExpr(*f, db().dialect(), params.Add(value));
            } else {
                const schema::Link* l = r.FindLink(name);
                ASSERT_NE(l, nullptr) << name;
                column = l->column;
                ph = "(SELECT id FROM profiles WHERE external_id = " + params.Add(value) +
                     (db().dialect() == storage::Dialect::kPostgres ? "::text)" : ")");
            }
            columns += (columns.empty() ? "" : ", ") + storage::QuoteIdent(column);
            placeholders += (placeholders.empty() ? "" : ", ") + ph;
        }
        std::string sql = "INSERT INTO " + storage::QuoteIdent(r.table) + " (" + columns +
                          ") VALUES (" + placeholders + ")";
        auto done = tx.ExecSql(sql, params.values());
        ASSERT_TRUE(done) << sql << ": " << done.error().message << " " << done.error().detail;
    }

    void Load(const std::vector<ProfileRow>& profiles, const std::vector<PurchaseRow>& purchases) {
        const schema::Resource& profile = *model_->Find("profile");
        const schema::Resource& purchase = *model_->Find("purchase");
        auto tx = db().Begin(storage::TxMode::kWrite);
        ASSERT_TRUE(tx);
        for (const auto& p : profiles) {
            Insert(**tx, profile,
                   {{"externalId", p.id},
                    {"createdAt", p.created},
                    {"modifiedAt", p.created},
                    {"firstName", p.first},
                    {"lastName", p.last},
                    {"email", p.email},
                    {"country", p.country},
                    {"birthDate", p.birth},
                    {"blockEmail", p.block},
                    {"loyaltyTier", p.tier},
                    {"score", p.score}});
        }
        for (const auto& p : profiles) {
            if (p.referrer.empty()) continue;
            storage::Params params(db().dialect());
            std::string cast = db().dialect() == storage::Dialect::kPostgres ? "::text" : "";
            std::string sql =
                "UPDATE profiles SET " + storage::QuoteIdent(profile.FindLink("referrer")->column) +
                " = (SELECT id FROM profiles r WHERE r.external_id = " + params.Add(p.referrer) +
                cast + ") WHERE external_id = " + params.Add(p.id) + cast;
            auto done = (*tx)->ExecSql(sql, params.values());
            ASSERT_TRUE(done) << done.error().message << " " << done.error().detail;
        }
        for (const auto& b : purchases) {
            Insert(**tx, purchase,
                   {{"createdAt", "2026-01-01T00:00:00.000Z"},
                    {"modifiedAt", "2026-01-01T00:00:00.000Z"},
                    {"profile", b.profile},
                    {"sku", b.sku},
                    {"amount", b.amount},
                    {"quantity", b.quantity},
                    {"purchasedAt", b.at},
                    {"paid", b.paid},
                    {"category", b.category}});
        }
        ASSERT_TRUE((*tx)->Commit());
    }

    Result<Checked> Compile(const std::string& text) const {
        auto parsed = Parse(text);
        if (!parsed) return Fail(std::move(parsed.error()));
        return Check(*parsed, model_, "profile", text);
    }

    // The externalIds `checked` selects in the database, or an error; `sql_out` receives the
    // query.
    Result<std::set<std::string>> SelectSql(const Checked& checked, std::string* sql_out) {
        storage::Params params(db().dialect());
        auto filter = EmitSql(checked, db().dialect(), params, clock_);
        if (!filter) return Fail(std::move(filter.error()));
        std::string sql = "SELECT t.external_id FROM " + filter->table + " t WHERE " +
                          filter->condition + " ORDER BY 1";
        if (sql_out) *sql_out = sql;
        auto rows = storage::WithRead(
            db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, params.values()); });
        if (!rows) return Fail(std::move(rows.error()));
        std::set<std::string> out;
        for (const auto& row : rows->rows) out.insert(storage::AsString(row[0]));
        return out;
    }

    // The externalIds `text` selects in the database, or an error message.
    Result<std::set<std::string>> Select(const std::string& text, std::string* sql_out) {
        auto checked = Compile(text);
        if (!checked) return Fail(std::move(checked.error()));
        return SelectSql(*checked, sql_out);
    }

    FakeClock clock_{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z
    std::shared_ptr<const schema::Model> model_;
};

// The same rows as in-memory records for the evaluator (evaluate.hpp).
class MemoryDataset {
  public:
    MemoryDataset(const std::vector<ProfileRow>& profiles,
                  const std::vector<PurchaseRow>& purchases) {
        std::map<std::string, MemoryRecord*> by_id;
        for (const auto& p : profiles) {
            auto r = std::make_unique<MemoryRecord>();
            r->fields = {
                {"externalId", p.id},    {"createdAt", p.created}, {"modifiedAt", p.created},
                {"firstName", p.first},  {"lastName", p.last},     {"email", p.email},
                {"country", p.country},  {"birthDate", p.birth},   {"blockEmail", p.block},
                {"loyaltyTier", p.tier}, {"score", p.score}};
            by_id[p.id] = r.get();
            ids_.push_back(p.id);
            profiles_.push_back(std::move(r));
        }
        for (const auto& p : profiles) {
            if (p.referrer.empty()) continue;
            MemoryRecord* referrer = by_id.at(p.referrer);
            by_id.at(p.id)->links["referrer"] = referrer;
            referrer->many["referrals"].push_back(by_id.at(p.id));
        }
        for (const auto& b : purchases) {
            auto r = std::make_unique<MemoryRecord>();
            r->fields = {{"createdAt", std::string("2026-01-01T00:00:00.000Z")},
                         {"modifiedAt", std::string("2026-01-01T00:00:00.000Z")},
                         {"sku", b.sku},
                         {"amount", b.amount},
                         {"quantity", b.quantity},
                         {"purchasedAt", b.at},
                         {"paid", b.paid},
                         {"category", b.category}};
            MemoryRecord* owner = by_id.at(b.profile);
            r->links["profile"] = owner;
            owner->many["purchases"].push_back(r.get());
            purchases_.push_back(std::move(r));
        }
    }

    // The externalIds of the profiles `checked` selects, or the first evaluation error.
    Result<std::set<std::string>> Select(const Checked& checked, const Clock& clock) const {
        std::set<std::string> out;
        for (std::size_t i = 0; i < profiles_.size(); ++i) {
            auto match = Evaluate(checked, *profiles_[i], clock);
            if (!match) return Fail(std::move(match.error()));
            if (*match) out.insert(ids_[i]);
        }
        return out;
    }

  private:
    std::vector<std::string> ids_;
    std::vector<std::unique_ptr<MemoryRecord>> profiles_;
    std::vector<std::unique_ptr<MemoryRecord>> purchases_;
};

inline std::string JoinIds(const std::set<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
    return out;
}

}  // namespace overture::query::testing
