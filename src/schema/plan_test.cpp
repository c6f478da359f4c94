#include "schema/plan.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "schema/model_json.hpp"

namespace overture::schema {
namespace {

using Statements = std::vector<std::string>;

Model M(std::string_view custom_json) {
    auto custom = CustomModelFromJson(boost::json::parse(custom_json));
    EXPECT_TRUE(custom.has_value()) << custom.error().message;
    auto merged = Merge(*custom);
    EXPECT_TRUE(merged.has_value()) << merged.error().message;
    return *merged;
}

const char* const kNone = R"({"resources": []})";

// A purchase per order: string, float, datetime and enum fields, a `one` link to profile, a
// unique key.
const char* const kPurchase = R"({"resources": [{
    "name": "purchase",
    "fields": [
        {"name": "orderNumber", "type": "string", "length": 40},
        {"name": "amount", "type": "float"},
        {"name": "purchasedAt", "type": "datetime"},
        {"name": "channel", "type": "enum", "values": [{"value": "web"}, {"value": "store"}]}],
    "links": [{"name": "profile", "target": "profile", "cardinality": "one",
               "reverseName": "purchases"}],
    "indexes": [{"fields": ["orderNumber"], "unique": true}]}]})";

PublishPlan Plan(std::string_view from, std::string_view to, SqlDialect dialect) {
    auto plan = PlanPublish(M(from), M(to), dialect);
    EXPECT_TRUE(plan.has_value()) << plan.error().message;
    for (const auto& s : plan->statements) {
        EXPECT_FALSE(s.empty());
        EXPECT_EQ(s.find(';'), std::string::npos) << s;
    }
    return plan.value_or(PublishPlan{});
}

Error Refused(std::string_view from, std::string_view to, SqlDialect dialect) {
    auto plan = PlanPublish(M(from), M(to), dialect);
    EXPECT_FALSE(plan.has_value());
    if (plan) return Error{};
    EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
    return plan.error();
}

std::vector<std::string> Descriptions(const PublishPlan& plan) {
    std::vector<std::string> out;
    for (const auto& c : plan.changes) out.push_back(c.description);
    return out;
}

TEST(DdlTest, QuoteIdentDoublesQuotes) {
    EXPECT_EQ(QuoteIdent("profiles"), "\"profiles\"");
    EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(QuoteString("it's"), "'it''s'");
}

TEST(DdlTest, ColumnTypes) {
    Field f;
    f.type = FieldType::kString;
    f.length = 100;
    EXPECT_EQ(ColumnType(f, SqlDialect::kPostgres), "varchar(100)");
    EXPECT_EQ(ColumnType(f, SqlDialect::kSqlite), "TEXT");
    const std::vector<std::tuple<FieldType, std::string, std::string>> cases = {
        {FieldType::kText, "TEXT", "text"},
        {FieldType::kInteger, "INTEGER", "bigint"},
        {FieldType::kFloat, "REAL", "double precision"},
        {FieldType::kBoolean, "INTEGER", "boolean"},
        {FieldType::kDate, "TEXT", "date"},
        {FieldType::kDateTime, "TEXT", "timestamptz"},
        {FieldType::kEnum, "TEXT", "varchar(100)"},
    };
    for (const auto& [type, sqlite, postgres] : cases) {
        f.type = type;
        EXPECT_EQ(ColumnType(f, SqlDialect::kSqlite), sqlite) << FieldTypeName(type);
        EXPECT_EQ(ColumnType(f, SqlDialect::kPostgres), postgres) << FieldTypeName(type);
    }
}

TEST(DdlTest, LongGeneratedNamesAreShortenedStably) {
    std::string name(80, 'a');
    std::string shortened = ShortIdent(name);
    EXPECT_EQ(shortened.size(), 63u);
    EXPECT_EQ(shortened, ShortIdent(name));
    EXPECT_NE(shortened, ShortIdent(std::string(79, 'a') + "b"));
    EXPECT_EQ(ShortIdent("short"), "short");
}

TEST(DdlTest, CreateResourceSqlGivesTableIndexesThenForeignKeys) {
    Model model = M(kPurchase);
    const Resource& purchase = *model.Find("purchase");
    EXPECT_EQ(CreateResourceSql(purchase, SqlDialect::kPostgres).size(), 4u);
    EXPECT_EQ(CreateResourceSql(purchase, SqlDialect::kSqlite).size(), 3u);
}

TEST(PlanTest, SameModelIsEmpty) {
    for (auto dialect : {SqlDialect::kSqlite, SqlDialect::kPostgres}) {
        EXPECT_TRUE(Plan(kNone, kNone, dialect).empty());
        PublishPlan same = Plan(kPurchase, kPurchase, dialect);
        EXPECT_TRUE(same.empty());
        EXPECT_FALSE(same.loses_data());
    }
}

TEST(PlanTest, NewResourceOnSqlite) {
    PublishPlan plan = Plan(kNone, kPurchase, SqlDialect::kSqlite);
    EXPECT_EQ(
        plan.statements,
        (Statements{
            R"(CREATE TABLE "x_purchase" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "created_at" TEXT NOT NULL,
    "modified_at" TEXT NOT NULL,
    "x_order_number" TEXT,
    "x_amount" REAL,
    "x_purchased_at" TEXT,
    "x_channel" TEXT,
    "x_profile_id" INTEGER NOT NULL REFERENCES "profiles" ("id") ON DELETE CASCADE
))",
            R"(CREATE INDEX "x_purchase_x_profile_id_idx" ON "x_purchase" ("x_profile_id"))",
            R"(CREATE UNIQUE INDEX "x_x_purchase_order_number_key" ON "x_purchase" ("x_order_number"))",
        }));
    EXPECT_EQ(Descriptions(plan), (Statements{"add resource purchase with 4 fields and 1 link"}));
    EXPECT_FALSE(plan.loses_data());
}

TEST(PlanTest, NewResourceOnPostgres) {
    PublishPlan plan = Plan(kNone, kPurchase, SqlDialect::kPostgres);
    EXPECT_EQ(
        plan.statements,
        (Statements{
            R"(CREATE TABLE "x_purchase" (
    "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    "created_at" timestamptz NOT NULL,
    "modified_at" timestamptz NOT NULL,
    "x_order_number" varchar(40),
    "x_amount" double precision,
    "x_purchased_at" timestamptz,
    "x_channel" varchar(100),
    "x_profile_id" bigint NOT NULL
))",
            R"(CREATE INDEX "x_purchase_x_profile_id_idx" ON "x_purchase" ("x_profile_id"))",
            R"(CREATE UNIQUE INDEX "x_x_purchase_order_number_key" ON "x_purchase" ("x_order_number"))",
            R"(ALTER TABLE "x_purchase" ADD CONSTRAINT "x_purchase_x_profile_id_fkey" FOREIGN KEY ("x_profile_id") REFERENCES "profiles" ("id") ON DELETE CASCADE)",
        }));
    EXPECT_EQ(CreateResourceSql(*M(kPurchase).Find("purchase"), SqlDialect::kPostgres),
              plan.statements);
}

const char* const kLoyalty = R"({"resources": [{"name": "profile", "fields": [
    {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "silver"}]},
    {"name": "nickname", "type": "string", "length": 30}],
    "indexes": [{"fields": ["loyaltyTier"]}]}]})";

TEST(PlanTest, NewFieldsOnBuiltinResource) {
    PublishPlan sqlite = Plan(kNone, kLoyalty, SqlDialect::kSqlite);
    EXPECT_EQ(sqlite.statements,
              (Statements{
                  R"(ALTER TABLE "profiles" ADD COLUMN "x_loyalty_tier" TEXT)",
                  R"(ALTER TABLE "profiles" ADD COLUMN "x_nickname" TEXT)",
                  R"(CREATE INDEX "x_profiles_loyalty_tier_idx" ON "profiles" ("x_loyalty_tier"))",
              }));
    EXPECT_EQ(Descriptions(sqlite), (Statements{
                                        "add field loyaltyTier (enum) to profile",
                                        "add field nickname (string(30)) to profile",
                                        "add index x_profiles_loyalty_tier_idx on profile "
                                        "(loyaltyTier)",
                                    }));
    PublishPlan pg = Plan(kNone, kLoyalty, SqlDialect::kPostgres);
    EXPECT_EQ(pg.statements[0],
              R"(ALTER TABLE "profiles" ADD COLUMN "x_loyalty_tier" varchar(100))");
    EXPECT_EQ(pg.statements[1], R"(ALTER TABLE "profiles" ADD COLUMN "x_nickname" varchar(30))");
    EXPECT_FALSE(pg.loses_data());
}

TEST(PlanTest, DroppedFieldLosesData) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "nickname", "type": "string", "length": 30}]}]})";
    PublishPlan sqlite = Plan(kLoyalty, to, SqlDialect::kSqlite);
    EXPECT_TRUE(sqlite.loses_data());
    EXPECT_EQ(sqlite.statements, (Statements{
                                     R"(DROP INDEX "x_profiles_loyalty_tier_idx")",
                                     R"(ALTER TABLE "profiles" DROP COLUMN "x_loyalty_tier")",
                                 }));
    ASSERT_EQ(sqlite.changes.size(), 2u);
    EXPECT_FALSE(sqlite.changes[0].loses_data);  // the index
    EXPECT_EQ(sqlite.changes[1].description, "drop field profile.loyaltyTier and its values");
    EXPECT_TRUE(sqlite.changes[1].loses_data);
    EXPECT_EQ(Plan(kLoyalty, to, SqlDialect::kPostgres).statements, sqlite.statements);
}

TEST(PlanTest, DroppedResourceLosesData) {
    for (auto dialect : {SqlDialect::kSqlite, SqlDialect::kPostgres}) {
        PublishPlan plan = Plan(kPurchase, kNone, dialect);
        EXPECT_TRUE(plan.loses_data());
        EXPECT_EQ(plan.statements, (Statements{R"(DROP TABLE "x_purchase")"}));
        EXPECT_EQ(Descriptions(plan), (Statements{"drop resource purchase and all its records"}));
    }
}

// store and shop link to each other; both are new, then both are dropped.
const char* const kCycle = R"({"resources": [
    {"name": "store", "fields": [{"name": "city", "type": "text"}],
     "links": [{"name": "mainShop", "target": "shop"}]},
    {"name": "shop", "links": [{"name": "store", "target": "store", "cardinality": "one",
                                "reverseName": "shops"}]}]})";

TEST(PlanTest, NewResourcesLinkingEachOtherOnPostgres) {
    PublishPlan plan = Plan(kNone, kCycle, SqlDialect::kPostgres);
    EXPECT_EQ(
        plan.statements,
        (Statements{
            R"(CREATE TABLE "x_store" (
    "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    "created_at" timestamptz NOT NULL,
    "modified_at" timestamptz NOT NULL,
    "x_city" text,
    "x_main_shop_id" bigint
))",
            R"(CREATE TABLE "x_shop" (
    "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    "created_at" timestamptz NOT NULL,
    "modified_at" timestamptz NOT NULL,
    "x_store_id" bigint NOT NULL
))",
            R"(CREATE INDEX "x_store_x_main_shop_id_idx" ON "x_store" ("x_main_shop_id"))",
            R"(CREATE INDEX "x_shop_x_store_id_idx" ON "x_shop" ("x_store_id"))",
            R"(ALTER TABLE "x_store" ADD CONSTRAINT "x_store_x_main_shop_id_fkey" FOREIGN KEY ("x_main_shop_id") REFERENCES "x_shop" ("id") ON DELETE SET NULL)",
            R"(ALTER TABLE "x_shop" ADD CONSTRAINT "x_shop_x_store_id_fkey" FOREIGN KEY ("x_store_id") REFERENCES "x_store" ("id") ON DELETE CASCADE)",
        }));
}

TEST(PlanTest, NewResourcesLinkingEachOtherOnSqlite) {
    PublishPlan plan = Plan(kNone, kCycle, SqlDialect::kSqlite);
    ASSERT_EQ(plan.statements.size(), 4u);
    EXPECT_NE(plan.statements[0].find(
                  R"("x_main_shop_id" INTEGER REFERENCES "x_shop" ("id") ON DELETE SET NULL)"),
              std::string::npos);
}

TEST(PlanTest, DroppedCycleOnPostgresDropsTheForeignKeyThatBlocks) {
    PublishPlan plan = Plan(kCycle, kNone, SqlDialect::kPostgres);
    EXPECT_EQ(plan.statements,
              (Statements{
                  R"(ALTER TABLE "x_shop" DROP CONSTRAINT "x_shop_x_store_id_fkey")",
                  R"(DROP TABLE "x_store")",
                  R"(DROP TABLE "x_shop")",
              }));
    EXPECT_EQ(Plan(kCycle, kNone, SqlDialect::kSqlite).statements,
              (Statements{R"(DROP TABLE "x_store")", R"(DROP TABLE "x_shop")"}));
}

TEST(PlanTest, DroppedResourcesGoDependentsFirst) {
    const char* from = R"({"resources": [
        {"name": "store", "fields": [{"name": "city", "type": "text"}]},
        {"name": "shop", "links": [{"name": "store", "target": "store"}]}]})";
    EXPECT_EQ(Plan(from, kNone, SqlDialect::kPostgres).statements,
              (Statements{R"(DROP TABLE "x_shop")", R"(DROP TABLE "x_store")"}));
}

TEST(PlanTest, RaisedStringLength) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "silver"}]},
        {"name": "nickname", "type": "string", "length": 60}],
        "indexes": [{"fields": ["loyaltyTier"]}]}]})";
    PublishPlan pg = Plan(kLoyalty, to, SqlDialect::kPostgres);
    EXPECT_EQ(pg.statements,
              (Statements{R"(ALTER TABLE "profiles" ALTER COLUMN "x_nickname" TYPE varchar(60))"}));
    EXPECT_EQ(Descriptions(pg), (Statements{"raise the length of profile.nickname from 30 to 60"}));
    PublishPlan sqlite = Plan(kLoyalty, to, SqlDialect::kSqlite);
    EXPECT_TRUE(sqlite.statements.empty());
    EXPECT_EQ(sqlite.changes.size(), 1u);
}

TEST(PlanTest, EnumValuesChangeWithoutDdl) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "bronze"}]},
        {"name": "nickname", "type": "string", "length": 30}],
        "indexes": [{"fields": ["loyaltyTier"]}]}]})";
    PublishPlan plan = Plan(kLoyalty, to, SqlDialect::kPostgres);
    EXPECT_TRUE(plan.statements.empty());
    EXPECT_EQ(Descriptions(plan),
              (Statements{"change the values of enum profile.loyaltyTier: add bronze; remove "
                          "silver (records that have it keep it)"}));
    EXPECT_FALSE(plan.loses_data());
}

TEST(PlanTest, RefusesTypeChange) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "silver"}]},
        {"name": "nickname", "type": "integer"}],
        "indexes": [{"fields": ["loyaltyTier"]}]}]})";
    Error e = Refused(kLoyalty, to, SqlDialect::kSqlite);
    EXPECT_EQ(e.message,
              "cannot change the type of profile.nickname from string to integer: add a new "
              "field with the new type instead (and drop this one once its data is copied)");
    EXPECT_EQ(e.details["path"], "profile.nickname");
}

TEST(PlanTest, RefusesLowerStringLength) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "silver"}]},
        {"name": "nickname", "type": "string", "length": 10}],
        "indexes": [{"fields": ["loyaltyTier"]}]}]})";
    Error e = Refused(kLoyalty, to, SqlDialect::kPostgres);
    EXPECT_NE(e.message.find("cannot lower the length of profile.nickname from 30 to 10"),
              std::string::npos)
        << e.message;
    EXPECT_EQ(e.details["path"], "profile.nickname");
}

TEST(PlanTest, RefusesLinkCardinalityAndTargetChange) {
    const char* zero_or_one = R"({"resources": [{
        "name": "purchase",
        "fields": [
            {"name": "orderNumber", "type": "string", "length": 40},
            {"name": "amount", "type": "float"},
            {"name": "purchasedAt", "type": "datetime"},
            {"name": "channel", "type": "enum", "values": [{"value": "web"}, {"value": "store"}]}],
        "links": [{"name": "profile", "target": "profile", "cardinality": "zeroOrOne",
                   "reverseName": "purchases"}],
        "indexes": [{"fields": ["orderNumber"], "unique": true}]}]})";
    Error e = Refused(kPurchase, zero_or_one, SqlDialect::kPostgres);
    EXPECT_EQ(e.message,
              "cannot change the cardinality of link purchase.profile from one to zeroOrOne: add "
              "a new link instead (and drop this one when it is no longer needed)");
    EXPECT_EQ(e.details["path"], "purchase.profile");

    const char* retargeted = R"({"resources": [{
        "name": "purchase",
        "fields": [
            {"name": "orderNumber", "type": "string", "length": 40},
            {"name": "amount", "type": "float"},
            {"name": "purchasedAt", "type": "datetime"},
            {"name": "channel", "type": "enum", "values": [{"value": "web"}, {"value": "store"}]}],
        "links": [{"name": "profile", "target": "testProfile", "cardinality": "one"}],
        "indexes": [{"fields": ["orderNumber"], "unique": true}]}]})";
    e = Refused(kPurchase, retargeted, SqlDialect::kSqlite);
    EXPECT_NE(e.message.find("cannot change the target of link purchase.profile from profile to "
                             "testProfile"),
              std::string::npos)
        << e.message;
}

TEST(PlanTest, RefusesOneLinkOnExistingResource) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "silver"}]},
        {"name": "nickname", "type": "string", "length": 30}],
        "links": [{"name": "referrer", "target": "profile", "cardinality": "one"}],
        "indexes": [{"fields": ["loyaltyTier"]}]}]})";
    Error e = Refused(kLoyalty, to, SqlDialect::kPostgres);
    EXPECT_EQ(e.message,
              "cannot add link profile.referrer with cardinality one: the existing records of "
              "profile have no profile to link to; add it as zeroOrOne");
    EXPECT_EQ(e.details["path"], "profile.referrer");
}

const char* const kStore = R"({"resources": [{"name": "store", "fields": [
    {"name": "city", "type": "text"}]}]})";
const char* const kFavoriteStore = R"({"resources": [
    {"name": "store", "fields": [{"name": "city", "type": "text"}]},
    {"name": "profile", "links": [{"name": "favoriteStore", "target": "store"}]}]})";

TEST(PlanTest, ZeroOrOneLinkOnExistingResource) {
    PublishPlan sqlite = Plan(kStore, kFavoriteStore, SqlDialect::kSqlite);
    EXPECT_EQ(
        sqlite.statements,
        (Statements{
            R"(ALTER TABLE "profiles" ADD COLUMN "x_favorite_store_id" INTEGER REFERENCES "x_store" ("id") ON DELETE SET NULL)",
            R"(CREATE INDEX "profiles_x_favorite_store_id_idx" ON "profiles" ("x_favorite_store_id"))",
        }));
    EXPECT_EQ(Descriptions(sqlite),
              (Statements{"add link favoriteStore (zeroOrOne to store) to profile"}));
    PublishPlan pg = Plan(kStore, kFavoriteStore, SqlDialect::kPostgres);
    EXPECT_EQ(
        pg.statements,
        (Statements{
            R"(ALTER TABLE "profiles" ADD COLUMN "x_favorite_store_id" bigint)",
            R"(CREATE INDEX "profiles_x_favorite_store_id_idx" ON "profiles" ("x_favorite_store_id"))",
            R"(ALTER TABLE "profiles" ADD CONSTRAINT "profiles_x_favorite_store_id_fkey" FOREIGN KEY ("x_favorite_store_id") REFERENCES "x_store" ("id") ON DELETE SET NULL)",
        }));
}

TEST(PlanTest, DroppedLinkOnBuiltinTableOnSqliteIsRefused) {
    Error e = Refused(kFavoriteStore, kStore, SqlDialect::kSqlite);
    EXPECT_EQ(e.message,
              "cannot drop link profile.favoriteStore on SQLite: dropping a link column means "
              "rebuilding the table, and the built-in table profiles cannot be rebuilt safely; "
              "keep the link (it may stay unused)");
    EXPECT_EQ(e.details["path"], "profile.favoriteStore");

    PublishPlan pg = Plan(kFavoriteStore, kStore, SqlDialect::kPostgres);
    EXPECT_EQ(pg.statements,
              (Statements{R"(ALTER TABLE "profiles" DROP COLUMN "x_favorite_store_id")"}));
    EXPECT_TRUE(pg.loses_data());
}

TEST(PlanTest, DroppedLinkOnCustomTableOnSqliteRebuildsIt) {
    const char* from = R"({"resources": [
        {"name": "store", "fields": [{"name": "city", "type": "text"}]},
        {"name": "purchase",
         "fields": [{"name": "amount", "type": "float"}, {"name": "note", "type": "text"}],
         "links": [{"name": "profile", "target": "profile", "cardinality": "one"},
                   {"name": "store", "target": "store"}],
         "indexes": [{"fields": ["amount"]}, {"fields": ["note"]}]}]})";
    const char* to = R"({"resources": [
        {"name": "store", "fields": [{"name": "city", "type": "text"}]},
        {"name": "purchase",
         "fields": [{"name": "amount", "type": "float"}, {"name": "currency", "type": "text"}],
         "links": [{"name": "profile", "target": "profile", "cardinality": "one"}],
         "indexes": [{"fields": ["amount"]}]}]})";
    PublishPlan plan = Plan(from, to, SqlDialect::kSqlite);
    EXPECT_EQ(
        plan.statements,
        (Statements{
            R"(DROP INDEX "x_x_purchase_note_idx")",
            R"(CREATE TABLE "x__new_x_purchase" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT,
    "created_at" TEXT NOT NULL,
    "modified_at" TEXT NOT NULL,
    "x_amount" REAL,
    "x_profile_id" INTEGER NOT NULL REFERENCES "profiles" ("id") ON DELETE CASCADE
))",
            R"(INSERT INTO "x__new_x_purchase" ("id", "created_at", "modified_at", "x_amount", "x_profile_id") SELECT "id", "created_at", "modified_at", "x_amount", "x_profile_id" FROM "x_purchase")",
            R"(DELETE FROM "sqlite_sequence" WHERE "name" = 'x__new_x_purchase')",
            R"(INSERT INTO "sqlite_sequence" ("name", "seq") SELECT 'x__new_x_purchase', "seq" FROM "sqlite_sequence" WHERE "name" = 'x_purchase')",
            R"(DROP TABLE "x_purchase")",
            R"(ALTER TABLE "x__new_x_purchase" RENAME TO "x_purchase")",
            R"(CREATE INDEX "x_purchase_x_profile_id_idx" ON "x_purchase" ("x_profile_id"))",
            R"(CREATE INDEX "x_x_purchase_amount_idx" ON "x_purchase" ("x_amount"))",
            R"(ALTER TABLE "x_purchase" ADD COLUMN "x_currency" TEXT)",
        }));
    EXPECT_EQ(Descriptions(plan), (Statements{
                                      "drop index x_x_purchase_note_idx on purchase (note)",
                                      "drop field purchase.note and its values",
                                      "drop link purchase.store and its values",
                                      "rebuild table x_purchase without the dropped links "
                                      "(SQLite cannot drop a link column in place)",
                                      "add field currency (text) to purchase",
                                  }));
    EXPECT_TRUE(plan.loses_data());

    PublishPlan pg = Plan(from, to, SqlDialect::kPostgres);
    EXPECT_EQ(pg.statements, (Statements{
                                 R"(DROP INDEX "x_x_purchase_note_idx")",
                                 R"(ALTER TABLE "x_purchase" DROP COLUMN "x_note")",
                                 R"(ALTER TABLE "x_purchase" DROP COLUMN "x_store_id")",
                                 R"(ALTER TABLE "x_purchase" ADD COLUMN "x_currency" text)",
                             }));
}

TEST(PlanTest, RenameIsDropAndAdd) {
    const char* to = R"({"resources": [{"name": "profile", "fields": [
        {"name": "loyaltyTier", "type": "enum", "values": [{"value": "gold"}, {"value": "silver"}]},
        {"name": "alias", "type": "string", "length": 30}],
        "indexes": [{"fields": ["loyaltyTier"]}]}]})";
    PublishPlan plan = Plan(kLoyalty, to, SqlDialect::kSqlite);
    EXPECT_EQ(plan.statements, (Statements{
                                   R"(ALTER TABLE "profiles" DROP COLUMN "x_nickname")",
                                   R"(ALTER TABLE "profiles" ADD COLUMN "x_alias" TEXT)",
                               }));
    EXPECT_TRUE(plan.loses_data());
}

}  // namespace
}  // namespace overture::schema
