// Tests of the resolve and type-check passes: table-driven valid expressions (result types and
// bindings) and invalid ones (message fragments and positions) over the built-in model plus a
// custom purchase resource and a custom profile enum.
#include "query/typecheck.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <memory>
#include <string>
#include <vector>

#include "query/json_codec.hpp"
#include "query/parser.hpp"
#include "schema/model_json.hpp"

namespace overture::query {
namespace {

const char* const kCustom = R"({"resources": [
  {"name": "profile", "fields": [
     {"name": "loyaltyTier", "type": "enum",
      "values": [{"value": "bronze"}, {"value": "silver"}, {"value": "gold"}]},
     {"name": "score", "type": "integer"}]},
  {"name": "purchase",
   "fields": [
     {"name": "sku", "type": "string", "length": 40},
     {"name": "amount", "type": "float"},
     {"name": "quantity", "type": "integer"},
     {"name": "purchasedAt", "type": "datetime"},
     {"name": "paid", "type": "boolean"},
     {"name": "category", "type": "enum",
      "values": [{"value": "books"}, {"value": "music"}, {"value": "games"}]}],
   "links": [{"name": "profile", "target": "profile", "cardinality": "one",
              "reverseName": "purchases"},
             {"name": "service", "target": "service", "cardinality": "zeroOrOne"}]}]})";

std::shared_ptr<const schema::Model> TestModel() {
    static const std::shared_ptr<const schema::Model> kModel = [] {
        auto custom = schema::CustomModelFromJson(boost::json::parse(kCustom));
        EXPECT_TRUE(custom.has_value()) << custom.error().message;
        auto merged = schema::Merge(*custom);
        EXPECT_TRUE(merged.has_value()) << merged.error().message;
        return std::make_shared<const schema::Model>(std::move(*merged));
    }();
    return kModel;
}

Result<Checked> CheckText(const std::string& text) {
    auto parsed = Parse(text);
    if (!parsed) return Fail(std::move(parsed.error()));
    return Check(*parsed, TestModel(), "profile", text);
}

struct ValidCase {
    std::string text;
    std::string first;  // ValueTypeName of the root's first child after checking; "" = no check
};

const std::vector<ValidCase>& ValidCases() {
    static const std::vector<ValidCase> kCases = {
        // fields and literals
        {R"(country = "FR")", "string"},
        {R"(profile.country = "FR")", "string"},
        {R"("FR" = country)", "string"},
        {R"(country != "FR")", "string"},
        {R"(firstName < "M")", "string"},
        {"not blockEmail", "boolean"},
        {"blockEmail", ""},
        {"blockEmail = true", "boolean"},
        {"true", ""},
        {"id > 100", "integer"},
        {"id >= 1.5", "integer"},
        {"score between 1 and 2.5", "integer"},
        {"score not between -1 and 10", "integer"},
        {"score in (1, 2, 3)", "integer"},
        {"score not in (1, 2.5)", "integer"},
        {"(score = 1) = true", "boolean"},
        {"1 = 1", "integer"},
        {"country = lastName", "string"},
        // enums
        {R"(gender = "female")", "enum"},
        {R"(gender in ("male", "other"))", "enum"},
        {R"(loyaltyTier = "gold")", "enum"},
        {R"(loyaltyTier != "bronze")", "enum"},
        {"loyaltyTier = country", "enum"},
        {R"(lower(loyaltyTier) = "gold")", "string"},
        // dates
        {R"(birthDate < "2000-01-01")", "date"},
        {R"(birthDate between "1980-01-01" and "1990-12-31")", "date"},
        {R"(createdAt >= "2024-01-31T10:00:00Z")", "datetime"},
        {R"(createdAt >= "2024-01-31")", "datetime"},
        {R"(createdAt in ("2024-01-31", "2024-02-01T00:00:00+02:00"))", "datetime"},
        {"createdAt > daysAgo(90)", "datetime"},
        {"createdAt > today()", "datetime"},
        {"birthDate < now()", "date"},
        {"modifiedAt < addDays(createdAt, 7)", "datetime"},
        {"birthDate = addMonths(today(), -3)", "date"},
        {R"(addDays("2024-01-01", 3) > birthDate)", "date"},
        {"createdAt in last 7 days", "datetime"},
        {"birthDate in next 1 month", "date"},
        {"year(birthDate) = 1990", "integer"},
        {"month(createdAt) = 12", "integer"},
        {"day(birthDate) <= 15", "integer"},
        {"weekday(createdAt) in (6, 7)", "integer"},
        {"age(birthDate) >= 18", "integer"},
        {"daysSince(modifiedAt) > 30", "integer"},
        {R"(year("2020-02-29") = 2020)", "integer"},
        // strings
        {R"(email like "%@example.com")", "string"},
        {R"(email not like "%x%")", "string"},
        {R"(lower(email) like "%@x.com")", "string"},
        {R"(upper(country) = "FR")", "string"},
        {"length(firstName) > 3", "integer"},
        {R"(contains(email, "@"))", ""},
        {R"(startsWith(phone, "+33"))", ""},
        {R"(endsWith(email, ".fr"))", ""},
        {R"(trim(firstName) = "Ann")", "string"},
        {R"(emailDomain(email) = "example.com")", "string"},
        {"phone is empty", "string"},
        {"phone is not empty", "string"},
        {"birthDate is empty", "date"},
        {"lower(email) is empty", "string"},
        {"sum(purchases.amount) is empty", "float"},
        // numbers
        {"abs(score) > 3", "integer"},
        {"round(avg(purchases.amount)) > 3", "float"},
        {"floor(sum(purchases.amount)) >= 1", "float"},
        {"ceil(score) = 2", "integer"},
        // coalesce
        {R"(coalesce(firstName, lastName, "x") = "Ann")", "string"},
        {"coalesce(score, 1.5) > 1", "float"},
        {R"(coalesce(birthDate, "2000-01-01") < today())", "date"},
        {"coalesce(birthDate, createdAt) < now()", "datetime"},
        {R"(coalesce(loyaltyTier, "bronze") = "gold")", "enum"},
        {"coalesce(null, score) = 1", "integer"},
        {R"(coalesce(loyaltyTier, country) = "FR")", "string"},
        // exists and aggregates
        {"exists purchases", ""},
        {"not exists purchases", "boolean"},
        {"exists purchases where (amount > 100)", ""},
        {R"(exists purchases where (amount > 100 and purchasedAt > daysAgo(90)))", ""},
        {R"(exists purchases where (category = "books" and sku like "B-%"))", ""},
        {R"(exists purchases where (profile.country = "FR"))", ""},
        {R"(exists purchases where (service.channel = "email"))", ""},
        {"exists subscriptions where (service.validityDays > 0)", ""},
        {R"(exists subscriptionHistory where (action = "unsubscribe"))", ""},
        {"count(purchases) >= 3", "integer"},
        {"count(purchases where paid) > 0", "integer"},
        {"count(purchases where quantity > 2 and not paid) = 0", "integer"},
        {"sum(purchases.amount) > 99.5", "float"},
        {"sum(purchases.quantity) > 10", "integer"},
        {R"(sum(purchases.amount where category = "music") > 10)", "float"},
        {"avg(purchases.quantity) > 1", "float"},
        {"min(purchases.purchasedAt) < daysAgo(365)", "datetime"},
        {R"(max(purchases.purchasedAt) > "2024-01-01")", "datetime"},
        {R"(max(purchases.sku) = "Z")", "string"},
        {"min(purchases.amount) between 1 and 2", "float"},
        {"count(profile.purchases) > 1", "integer"},
        // the example of the docs (without the age field, which the model has not)
        {R"(country in ("FR", "DE") and age(birthDate) between 25 and 40 and not blockEmail
and exists purchases where (amount > 100 and createdAt > daysAgo(90))
and count(purchases) >= 3 and email like "%@example.com")",
         "boolean"},
    };
    return kCases;
}

TEST(TypeCheckTest, ValidExpressions) {
    int checked = 0;
    for (const auto& c : ValidCases()) {
        SCOPED_TRACE(c.text);
        auto result = CheckText(c.text);
        ASSERT_TRUE(result.has_value()) << result.error().message;
        EXPECT_EQ(result->expr.type.kind, ValueType::kBoolean);
        EXPECT_EQ(result->root->name, "profile");
        if (!c.first.empty()) {
            ASSERT_FALSE(result->expr.children.empty());
            EXPECT_EQ(ValueTypeName(result->expr.children[0].type.kind), c.first);
        }
        ++checked;
    }
    EXPECT_GE(checked, 60);
}

struct InvalidCase {
    std::string text;
    std::string fragment;
    int line;
    int column;
};

const std::vector<InvalidCase>& InvalidCases() {
    static const std::vector<InvalidCase> kCases = {
        // names
        {R"(contry = "FR")", "unknown field 'contry' of profile; did you mean 'country'?", 1, 1},
        {R"(x and country = "FR")", "unknown field 'x' of profile", 1, 1},
        {"Country = 1", "did you mean 'country'?", 1, 1},
        {R"(foo.country = "FR")", "unknown link 'foo' of profile", 1, 1},
        {R"(country.code = "FR")", "country is a field of profile (string), not a link", 1, 1},
        {"exists purchases where (amount > 1 and amout < 3)",
         "unknown field 'amout' of purchase; did you mean 'amount'?", 1, 40},
        {R"(exists purchases where (country = "FR"))", "unknown field 'country' of purchase", 1,
         25},
        {R"(exists purchase)", "unknown 1-N link 'purchase' of profile; did you mean 'purchases'?",
         1, 1},
        {"exists country", "country is not a 1-N link of profile", 1, 1},
        {"count(email) > 1", "email is not a 1-N link of profile", 1, 1},
        {"sum(purchases.amont) > 1", "unknown field 'amont' of purchase", 1, 1},
        {"nope(email)", "unknown function 'nope'", 1, 1},
        {"lowr(email) = \"a\"", "unknown function 'lowr'; did you mean 'lower'?", 1, 1},
        {"daysago(3) < createdAt", "did you mean 'daysAgo'?", 1, 1},
        // 1-N misuse
        {"purchases = 3",
         "purchases is a 1-N link of profile and not a single value; use "
         "'exists purchases' or an aggregate such as count(purchases)",
         1, 1},
        {"purchases.amount > 3", "purchases is a 1-N link of profile", 1, 1},
        {"purchases", "use 'exists purchases'", 1, 1},
        {"exists purchases where (profile = 1)", "profile is a link of purchase, not a value", 1,
         25},
        // type mismatches
        {"country = 3", "country is a string and cannot be compared with 3 (an integer)", 1, 1},
        {"score = \"3\"", "score is an integer and cannot be compared with \"3\" (a string)", 1, 1},
        {"blockEmail = 1", "blockEmail is a boolean and cannot be compared with 1", 1, 1},
        {"createdAt > 3", "createdAt is a datetime and cannot be compared with 3", 1, 1},
        {"score in (1, \"a\")", "cannot be compared with \"a\" (a string)", 1, 14},
        {"score between 1 and \"x\"", "cannot be compared with \"x\"", 1, 21},
        {"country = null", "cannot compare with null; write 'country is empty' instead", 1, 1},
        {"blockEmail < true", "only apply to numbers, strings and dates", 1, 1},
        {"gender > \"male\"", "gender is an enum (unknown, female, male, other); <", 1, 1},
        {"score like \"1%\"", "like only applies to strings; score is an integer", 1, 1},
        {"gender like \"m%\"", "like only applies to strings", 1, 1},
        {"email like 3", "like only applies to strings; 3 is an integer", 1, 12},
        {"score in last 3 days", "in last 3 days only applies to dates and datetimes", 1, 1},
        {"\"a\" is empty", "is never empty", 1, 1},
        {"count(purchases) is empty", "count(purchases) is never empty", 1, 1},
        // not a condition
        {"country", "country is a string, not a condition", 1, 1},
        {"score and blockEmail", "score is an integer, not a condition", 1, 1},
        {"not lower(email)", "lower(email) is a string, not a condition", 1, 5},
        {"count(purchases)", "count(purchases) is an integer, not a condition", 1, 1},
        {"exists purchases where (amount)", "amount is a float, not a condition", 1, 25},
        // enums
        {"gender = \"f\"",
         "\"f\" is not a value of gender; allowed values: \"unknown\", \"female\", \"male\", "
         "\"other\"",
         1, 10},
        {"loyaltyTier in (\"gold\", \"platinum\")",
         "\"platinum\" is not a value of loyaltyTier; allowed values: \"bronze\", \"silver\", "
         "\"gold\"",
         1, 25},
        {"exists purchases where (category = \"film\")", "is not a value of category", 1, 36},
        {"coalesce(loyaltyTier, \"tin\") = \"gold\"", "\"tin\" is not a value of coalesce()", 1,
         23},
        // dates
        {"birthDate < \"2000-13-01\"", "\"2000-13-01\" is not a valid date for birthDate", 1, 13},
        {"birthDate < \"2000-01-01T10:00:00Z\"", "is not a valid date for birthDate", 1, 13},
        {"createdAt > \"yesterday\"", "\"yesterday\" is not a valid datetime for createdAt", 1, 13},
        {"birthDate between \"1990-01-01\" and \"1990-02-30\"", "is not a valid date", 1, 36},
        {"year(\"2020-02-30\") = 1", "is not a valid datetime for year()", 1, 6},
        // function arity and types
        {"now(1) > createdAt", "now() takes 0 arguments, not 1", 1, 1},
        {"today(1) > birthDate", "today() takes 0 arguments, not 1", 1, 1},
        {"createdAt > daysAgo()", "daysAgo() takes 1 argument, not 0", 1, 13},
        {"createdAt > daysAgo(1.5)", "argument 1 of daysAgo() must be an integer; 1.5 is a float",
         1, 21},
        {"createdAt > daysAgo(\"3\")", "argument 1 of daysAgo() must be an integer", 1, 21},
        {"addDays(createdAt) > now()", "addDays() takes 2 arguments, not 1", 1, 1},
        {"addDays(score, 1) > now()", "argument 1 of addDays() must be a date or datetime", 1, 9},
        {"addMonths(birthDate, 1.5) > now()", "argument 2 of addMonths() must be an integer", 1,
         22},
        {"year(country) = 1",
         "argument 1 of year() must be a date or datetime; country is a "
         "string",
         1, 6},
        {"month(1) = 1", "argument 1 of month() must be a date or datetime", 1, 7},
        {"day(birthDate, 1) = 1", "day() takes 1 argument, not 2", 1, 1},
        {"weekday(score) = 1", "argument 1 of weekday() must be a date", 1, 9},
        {"age(email) > 1", "argument 1 of age() must be a date", 1, 5},
        {"daysSince(true) > 1", "argument 1 of daysSince() must be a date", 1, 11},
        {"lower(1) = \"a\"", "argument 1 of lower() must be a string; 1 is an integer", 1, 7},
        {"upper() = \"a\"", "upper() takes 1 argument, not 0", 1, 1},
        {"length(score) = 1", "argument 1 of length() must be a string", 1, 8},
        {"contains(email)", "contains() takes 2 arguments, not 1", 1, 1},
        {"startsWith(email, 1)", "argument 2 of startsWith() must be a string", 1, 19},
        {"endsWith(1, email)", "argument 1 of endsWith() must be a string", 1, 10},
        {"trim(blockEmail) = \"\"", "argument 1 of trim() must be a string", 1, 6},
        {"emailDomain(email, email) = \"\"", "emailDomain() takes 1 argument, not 2", 1, 1},
        {"abs(country) > 1", "argument 1 of abs() must be a number; country is a string", 1, 5},
        {"round(birthDate) > 1", "argument 1 of round() must be a number", 1, 7},
        {"floor() > 1", "floor() takes 1 argument, not 0", 1, 1},
        {"ceil(\"1\") > 1", "argument 1 of ceil() must be a number", 1, 6},
        {"coalesce(score) = 1", "coalesce() takes at least 2 arguments, not 1", 1, 1},
        {"coalesce(score, country) = 1",
         "coalesce() needs arguments of one type; country is a "
         "string but the arguments before it are an integer",
         1, 17},
        {"coalesce(score, \"1\") = 1", "\"1\" is a string but the other arguments are an integer",
         1, 17},
        {"coalesce(null, null) = 1", "coalesce() needs an argument that is not null", 1, 1},
        // aggregates
        {"sum(purchases.sku) > 1", "sum() needs a number field; purchases.sku is a string", 1, 1},
        {"avg(purchases.purchasedAt) > 1", "avg() needs a number field", 1, 1},
        {"min(purchases.category) = \"books\"",
         "min() needs a number, date, datetime or string field; purchases.category is an enum", 1,
         1},
        {"max(purchases.paid) = true", "max() needs a number, date, datetime or string field", 1,
         1},
        {"count(purchases where amount) > 1", "amount is a float, not a condition", 1, 23},
        {"count(purchases) = \"3\"", "is an integer and cannot be compared with \"3\"", 1, 1},
        // injection-looking names never get through
        {"profile.x--y = 1", "comments are not allowed", 1, 10},
        {"country; drop = 1", "line 1, column 8", 1, 8},
        {"\"country; drop\" = 1", "\"country; drop\" is a string and cannot be compared with 1", 1,
         1},
        // positions on later lines
        {"country = \"FR\"\n  and contry = \"DE\"", "did you mean 'country'?", 2, 7},
    };
    return kCases;
}

TEST(TypeCheckTest, InvalidExpressions) {
    for (const auto& c : InvalidCases()) {
        SCOPED_TRACE(c.text);
        auto result = CheckText(c.text);
        ASSERT_FALSE(result.has_value());
        const Error& e = result.error();
        EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
        EXPECT_NE(e.message.find(c.fragment), std::string::npos) << e.message;
        EXPECT_EQ(e.details.at("line"), std::to_string(c.line)) << e.message;
        EXPECT_EQ(e.details.at("column"), std::to_string(c.column)) << e.message;
        EXPECT_TRUE(e.details.contains("excerpt"));
    }
    EXPECT_GE(InvalidCases().size(), 40u);
}

TEST(TypeCheckTest, FieldBindings) {
    auto result = CheckText(R"(country = "FR")");
    ASSERT_TRUE(result.has_value());
    const CheckedExpr& field = result->expr.children[0];
    ASSERT_EQ(field.kind, CheckedKind::kField);
    ASSERT_TRUE(field.field.has_value());
    EXPECT_TRUE(field.field->joins.empty());
    EXPECT_EQ(field.field->resource->table, "profiles");
    EXPECT_EQ(field.field->field->column, "country");
    const CheckedExpr& literal = result->expr.children[1];
    EXPECT_EQ(literal.kind, CheckedKind::kLiteral);
    EXPECT_EQ(std::get<std::string>(literal.value), "FR");
    EXPECT_EQ(literal.span.column, 11);

    auto custom = CheckText(R"(loyaltyTier = "gold")");
    ASSERT_TRUE(custom.has_value());
    EXPECT_EQ(custom->expr.children[0].field->field->column, "x_loyalty_tier");
    EXPECT_EQ(custom->expr.children[1].type.kind, ValueType::kEnum);
    EXPECT_EQ(custom->expr.children[1].type.enum_field, custom->expr.children[0].field->field);
}

TEST(TypeCheckTest, DateLiteralsBecomeTypedValues) {
    auto result = CheckText(R"(createdAt >= "2024-01-31T12:00:00+02:00")");
    ASSERT_TRUE(result.has_value());
    const CheckedExpr& literal = result->expr.children[1];
    EXPECT_EQ(literal.type.kind, ValueType::kDateTime);
    EXPECT_EQ(std::get<std::string>(literal.value), "2024-01-31T10:00:00.000Z");

    auto date = CheckText(R"("1990-05-01" > birthDate)");
    ASSERT_TRUE(date.has_value());
    EXPECT_EQ(date->expr.children[0].type.kind, ValueType::kDate);
    EXPECT_EQ(std::get<std::string>(date->expr.children[0].value), "1990-05-01");
}

TEST(TypeCheckTest, ExistsBindsReverseLinkAndScope) {
    auto result = CheckText(R"(exists purchases where (amount > 1 and profile.country = "FR"))");
    ASSERT_TRUE(result.has_value()) << result.error().message;
    const CheckedExpr& e = result->expr;
    ASSERT_EQ(e.kind, CheckedKind::kExists);
    ASSERT_TRUE(e.link.has_value());
    EXPECT_EQ(e.link->name, "purchases");
    EXPECT_EQ(e.link->source->table, "x_purchase");
    EXPECT_EQ(e.link->target->name, "profile");
    EXPECT_EQ(e.link->link->column, "x_profile_id");
    EXPECT_TRUE(e.link->joins.empty());
    ASSERT_NE(e.where(), nullptr);
    const CheckedExpr& amount = e.where()->children[0].children[0];
    EXPECT_EQ(amount.field->resource->name, "purchase");
    EXPECT_EQ(amount.field->field->column, "x_amount");
    // profile.country inside the filter joins through purchase.profile.
    const CheckedExpr& country = e.where()->children[1].children[0];
    ASSERT_EQ(country.field->joins.size(), 1u);
    EXPECT_EQ(country.field->joins[0].from->name, "purchase");
    EXPECT_EQ(country.field->joins[0].link->column, "x_profile_id");
    EXPECT_EQ(country.field->joins[0].to->name, "profile");
    EXPECT_EQ(country.field->field->column, "country");
}

TEST(TypeCheckTest, AggregateBindings) {
    auto result = CheckText(R"(sum(purchases.amount where category = "books") > 10)");
    ASSERT_TRUE(result.has_value()) << result.error().message;
    const CheckedExpr& agg = result->expr.children[0];
    ASSERT_EQ(agg.kind, CheckedKind::kAggregate);
    EXPECT_EQ(agg.aggregate, AggregateFn::kSum);
    EXPECT_EQ(agg.type.kind, ValueType::kFloat);
    EXPECT_EQ(agg.field->field->column, "x_amount");
    EXPECT_EQ(agg.link->source->name, "purchase");
    ASSERT_NE(agg.where(), nullptr);
    EXPECT_EQ(agg.where()->children[1].type.kind, ValueType::kEnum);

    auto count = CheckText("count(purchases) > 1");
    ASSERT_TRUE(count.has_value());
    EXPECT_FALSE(count->expr.children[0].field.has_value());
    EXPECT_EQ(count->expr.children[0].type.kind, ValueType::kInteger);
}

TEST(TypeCheckTest, FunctionCallsAreBound) {
    auto result = CheckText("addDays(birthDate, 3) < today()");
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->expr.children[0].function, Function::kAddDays);
    EXPECT_EQ(result->expr.children[0].type.kind, ValueType::kDate);
    EXPECT_EQ(result->expr.children[1].function, Function::kToday);
    EXPECT_EQ(FindFunction("addDays"), Function::kAddDays);
    EXPECT_FALSE(FindFunction("adddays").has_value());
}

TEST(TypeCheckTest, OtherRootResource) {
    auto e = Parse(R"(channel = "sms" and errorCount > 3)");
    ASSERT_TRUE(e.has_value());
    auto result = Check(*e, TestModel(), "quarantine");
    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(result->root->table, "quarantine");
    auto bad = Check(*e, TestModel(), "nothing");
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("unknown resource 'nothing'"), std::string::npos);
}

TEST(TypeCheckTest, JsonTreesHaveNoPositions) {
    auto json = boost::json::parse(R"({"field": "contry", "op": "=", "value": "FR"})");
    auto e = FromJson(json);
    ASSERT_TRUE(e.has_value());
    auto result = Check(*e, TestModel(), "profile");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message, "unknown field 'contry' of profile; did you mean 'country'?");
    EXPECT_FALSE(result.error().details.contains("line"));
    // A name that is not an identifier cannot even be decoded.
    EXPECT_FALSE(FromJson(boost::json::parse(R"({"field": "country; drop"})")).has_value());
}

TEST(TypeCheckTest, UnregisteredNamesNeverResolve) {
    // Built directly (bypassing the front ends): still only registry names are accepted.
    Expr e = Expr::Compare(CompareOp::kEq, Expr::Field({"country; drop"}), Expr::String("x"));
    auto result = Check(e, TestModel(), "profile");
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().message.find("unknown field 'country; drop'"), std::string::npos);
}

TEST(TypeCheckTest, CheckedKeepsModelAlive) {
    auto model = std::make_shared<const schema::Model>(schema::BuiltinModel());
    auto e = Parse(R"(country = "FR")");
    ASSERT_TRUE(e.has_value());
    auto result = Check(*e, model, "profile");
    model.reset();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->expr.children[0].field->field->name, "country");
}

}  // namespace
}  // namespace overture::query
