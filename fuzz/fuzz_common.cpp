// The invariants the query fuzz targets check on every tree a front end accepts
// (fuzz_common.hpp), and the fixed model, clock and records they check it with.
#include "fuzz_common.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "query/checked.hpp"
#include "query/evaluate.hpp"
#include "query/json_codec.hpp"
#include "query/normalize.hpp"
#include "query/parser.hpp"
#include "query/printer.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"
#include "schema/model.hpp"
#include "schema/model_json.hpp"
#include "storage/sql_text.hpp"

namespace overture::fuzz {
namespace {

using query::Expr;
using storage::Value;

// The custom part of query/testing/dataset.hpp: a 1-N link with fields of every type, an enum
// on profile and a self link, so that aggregates, exists, joins and enums are all reachable.
constexpr const char* kCustom = R"({"resources": [
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

std::shared_ptr<const schema::Model> BuildModel() {
    auto custom = schema::CustomModelFromJson(boost::json::parse(kCustom));
    Require(custom.has_value(), "the fuzz model does not load");
    auto merged = schema::Merge(*custom);
    Require(merged.has_value(), "the fuzz model does not merge");
    return std::make_shared<const schema::Model>(std::move(*merged));
}

// A stored value of `field`'s type; `extreme` picks values at the edges (huge integers, dates
// at the ends of the calendar) so that sums, date arithmetic and comparisons meet them.
Value SampleValue(const schema::Field& field, bool extreme) {
    switch (field.type) {
        case schema::FieldType::kString:
        case schema::FieldType::kText:
            return std::string(extreme ? "100%_\xC3\xA9@" : "Alice@Example.COM");
        case schema::FieldType::kInteger:
            return extreme ? std::numeric_limits<std::int64_t>::max() : std::int64_t{42};
        case schema::FieldType::kFloat:
            return extreme ? 1.7976931348623157e308 : 2.5;
        case schema::FieldType::kBoolean:
            return extreme;
        case schema::FieldType::kDate:
            return std::string(extreme ? "9999-12-31" : "2024-02-29");
        case schema::FieldType::kDateTime:
            return std::string(extreme ? "0000-01-01T00:00:00.000Z" : "2026-03-15T11:59:59.999Z");
        case schema::FieldType::kEnum:
            return field.values.empty() ? Value{} : Value{field.values.back().value};
    }
    return Value{};
}

void Fill(query::MemoryRecord& record, const schema::Resource& resource, bool extreme) {
    for (const auto& field : resource.fields)
        record.fields[field.name] = SampleValue(field, extreme);
}

// Three profiles (all fields set, extreme values, all null) linked to each other, each with two
// purchases (one ordinary, one extreme) except the empty one.
struct Records {
    explicit Records(const schema::Model& model) {
        const schema::Resource* profile = model.Find("profile");
        const schema::Resource* purchase = model.Find("purchase");
        Require(profile && purchase, "the fuzz model lacks profile or purchase");
        Fill(profiles[0], *profile, false);
        Fill(profiles[1], *profile, true);
        profiles[0].links["referrer"] = &profiles[1];
        profiles[1].links["referrer"] = &profiles[0];
        profiles[1].many["referrals"] = {&profiles[0]};
        profiles[0].many["referrals"] = {&profiles[1], &profiles[2]};
        for (int i = 0; i < 4; ++i) {
            Fill(purchases[i], *purchase, i % 2 == 1);
            purchases[i].links["profile"] = &profiles[i / 2];
            profiles[i / 2].many["purchases"].push_back(&purchases[i]);
        }
    }
    query::MemoryRecord profiles[3];
    query::MemoryRecord purchases[4];
};

struct Fixture {
    std::shared_ptr<const schema::Model> model = BuildModel();
    Records records{*model};
    FakeClock clock{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z
};

const Fixture& GetFixture() {
    static const Fixture* const kFixture = new Fixture();  // never destroyed: no exit-time order
    return *kFixture;
}

std::string Describe(const Error& e) { return e.message + " " + e.detail; }

// Structural equality like Expr's operator==, except that decimals may differ by a few units in
// the last place: Boost.JSON 1.81 does not parse every double exactly (its parse is not
// correctly rounded, boostorg/json#599; seen 2 ulps off), so JSON text read back can differ.
bool SameUpToUlp(const Expr& a, const Expr& b) {
    if (a.kind() != b.kind() || a.bool_value() != b.bool_value() ||
        a.int_value() != b.int_value() || a.string_value() != b.string_value() ||
        a.path() != b.path() || a.compare_op() != b.compare_op() ||
        a.aggregate() != b.aggregate() || a.direction() != b.direction() || a.unit() != b.unit() ||
        a.children().size() != b.children().size()) {
        return false;
    }
    double x = a.decimal_value();
    const double y = b.decimal_value();
    for (int ulp = 0; ulp < 4 && x != y; ++ulp) x = std::nextafter(x, y);
    if (x != y) return false;
    for (std::size_t i = 0; i < a.children().size(); ++i) {
        if (!SameUpToUlp(a.children()[i], b.children()[i])) return false;
    }
    return true;
}

void CheckBackEnds(const Expr& expr, std::string_view source) {
    const Fixture& f = GetFixture();
    auto checked = query::Check(expr, f.model, "profile", source);
    if (!checked) {
        Require(checked.error().code == ErrorCode::kInvalidArgument,
                "Check failed with a code other than invalid_argument", Describe(checked.error()));
        return;
    }
    // The normalize pass must never change a result: the fuzz records do not maintain the
    // derived emailDomain field, so that one rewrite is off (normalize.hpp).
    query::NormalizeOptions options;
    options.use_derived_fields = false;
    const query::Checked normalized = query::Normalize(*checked, f.clock, options);
    const query::Checked& original = *checked;
    for (const query::Checked* c : {&original, &normalized}) {
        for (auto dialect : {storage::Dialect::kSqlite, storage::Dialect::kPostgres}) {
            storage::Params params(dialect);
            auto sql = query::EmitSql(*c, dialect, params, f.clock);
            Require(sql.has_value(), "EmitSql failed on a checked expression",
                    sql ? std::string_view{} : std::string_view(sql.error().message));
            Require(!sql->condition.empty() && !sql->table.empty(),
                    "EmitSql gave an empty condition");
        }
    }
    for (const auto& record : f.records.profiles) {
        auto match = query::Evaluate(*checked, record, f.clock);
        Require(match.has_value(), "Evaluate failed on a checked expression",
                match ? std::string_view{} : std::string_view(match.error().message));
        auto after = query::Evaluate(normalized, record, f.clock);
        Require(after.has_value(), "Evaluate failed on a normalized expression",
                after ? std::string_view{} : std::string_view(after.error().message));
        Require(*match == *after, "Normalize changed the result of an expression",
                query::Print(query::ToExpr(normalized.expr)));
    }
}

}  // namespace

void Require(bool ok, std::string_view what, std::string_view context) {
    if (ok) return;
    std::fprintf(stderr, "query fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()),
                 what.data(), static_cast<int>(context.size()), context.data());
    std::abort();
}

void CheckAcceptedTree(const Expr& expr, std::string_view source) {
    // Text round trip: the canonical text parses back to the same tree and prints the same.
    const std::string printed = query::Print(expr);
    auto reparsed = query::Parse(printed);
    Require(reparsed.has_value(), "Print gave text that does not parse",
            printed + "\n" + (reparsed ? std::string() : Describe(reparsed.error())));
    Require(*reparsed == expr, "Parse(Print(e)) != e", printed);
    Require(query::Print(*reparsed) == printed, "Print(Parse(Print(e))) != Print(e)", printed);

    // JSON round trip, as a value and through its serialized text (what the API receives).
    const boost::json::value json = query::ToJson(expr);
    auto from_json = query::FromJson(json);
    Require(from_json.has_value(), "FromJson(ToJson(e)) failed",
            printed + "\n" + (from_json ? std::string() : Describe(from_json.error())));
    Require(*from_json == expr, "FromJson(ToJson(e)) != e", printed);
    const std::string json_text = boost::json::serialize(json);
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 1024;  // what the HTTP layer allows a request body (http/json.cpp)
    const boost::json::value json_again = boost::json::parse(json_text, ec, {}, options);
    Require(!ec, "ToJson gave JSON whose serialization does not parse", json_text);
    auto from_json_text = query::FromJson(json_again);
    Require(from_json_text.has_value() && SameUpToUlp(*from_json_text, expr),
            "FromJson(parse(serialize(ToJson(e)))) != e", json_text);

    CheckBackEnds(expr, source);
}

}  // namespace overture::fuzz
