#include "storage/query_catalog.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace overture::storage {
namespace {

TEST(QueryCatalogTest, ParsesNamedBlocksAndSkipsTheFileComment) {
    std::vector<SqlFile> files{{"sql/x/a.sql",
                                "-- What this file holds.\n"
                                "-- name: first\n"
                                "SELECT 1\n"
                                "\n"
                                "-- name: second\n"
                                "SELECT 2\n"
                                "  FROM t\n"}};
    auto catalog = QueryCatalog::Parse(files);
    ASSERT_TRUE(catalog) << catalog.error().message;
    EXPECT_EQ(catalog->Names(), (std::vector<std::string>{"first", "second"}));
    ASSERT_NE(catalog->Find("first"), nullptr);
    EXPECT_EQ(*catalog->Find("first"), "SELECT 1");
    EXPECT_EQ(*catalog->Find("second"), "SELECT 2\n  FROM t");
    EXPECT_EQ(catalog->entries().at("second").where, "sql/x/a.sql:5");
    EXPECT_EQ(catalog->Find("third"), nullptr);
}

TEST(QueryCatalogTest, DuplicateNameNamesBothPlaces) {
    std::vector<SqlFile> files{{"sql/x/a.sql", "-- name: users-get\nSELECT 1\n"},
                               {"sql/x/b.sql", "-- c\n\n-- name: users-get\nSELECT 2\n"}};
    auto catalog = QueryCatalog::Parse(files);
    ASSERT_FALSE(catalog);
    EXPECT_EQ(catalog.error().code, ErrorCode::kInvalidArgument);
    const auto& message = catalog.error().message;
    EXPECT_NE(message.find("users-get"), std::string::npos) << message;
    EXPECT_NE(message.find("sql/x/a.sql:1"), std::string::npos) << message;
    EXPECT_NE(message.find("sql/x/b.sql:3"), std::string::npos) << message;
}

TEST(QueryCatalogTest, DuplicateNameInOneFile) {
    std::vector<SqlFile> files{{"f.sql", "-- name: a\nSELECT 1\n-- name: a\nSELECT 2\n"}};
    auto catalog = QueryCatalog::Parse(files);
    ASSERT_FALSE(catalog);
    EXPECT_NE(catalog.error().message.find("f.sql:1"), std::string::npos);
    EXPECT_NE(catalog.error().message.find("f.sql:3"), std::string::npos);
}

TEST(QueryCatalogTest, EmptyStatementIsAnError) {
    std::vector<SqlFile> files{{"f.sql", "-- name: empty\n   \n-- name: full\nSELECT 1\n"}};
    auto catalog = QueryCatalog::Parse(files);
    ASSERT_FALSE(catalog);
    EXPECT_EQ(catalog.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(catalog.error().message.find("empty"), std::string::npos);
    EXPECT_NE(catalog.error().message.find("f.sql:1"), std::string::npos);

    std::vector<SqlFile> at_end{{"g.sql", "-- name: last\n"}};
    auto last = QueryCatalog::Parse(at_end);
    ASSERT_FALSE(last);
    EXPECT_NE(last.error().message.find("g.sql:1"), std::string::npos);
}

TEST(QueryCatalogTest, EmptyNameIsAnError) {
    std::vector<SqlFile> files{{"f.sql", "-- name:\nSELECT 1\n"}};
    EXPECT_FALSE(QueryCatalog::Parse(files));
}

TEST(QueryCatalogTest, RequireAllListsTheMissingNames) {
    std::vector<SqlFile> files{{"f.sql", "-- name: a\nSELECT 1\n"}};
    auto catalog = QueryCatalog::Parse(files);
    ASSERT_TRUE(catalog);
    std::vector<std::string_view> wanted{"a", "b", "c"};
    auto st = catalog->RequireAll(wanted);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().detail.find("b, c"), std::string::npos) << st.error().detail;
}

// Code names statements without knowing the dialect, so both must declare the same names.
TEST(QueryCatalogTest, BothDialectsDeclareTheSameNames) {
    auto sqlite = QueryCatalog::Load(Dialect::kSqlite);
    auto postgres = QueryCatalog::Load(Dialect::kPostgres);
    ASSERT_TRUE(sqlite) << sqlite.error().message;
    ASSERT_TRUE(postgres) << postgres.error().message;
    EXPECT_EQ(sqlite->Names(), postgres->Names());
}

}  // namespace
}  // namespace overture::storage
