// Tests of the SQL back end on both databases: parameters in the dialect's form. The cases
// with the externalIds they must select are the data-driven tests tests/query/*.test
// (data_test.cpp), which also check that values never reach the SQL text.
#include "query/sql_emit.hpp"

#include <gtest/gtest.h>

#include <string>

#include "query/testing/dataset.hpp"

namespace overture::query {
namespace {

class SqlEmitTest : public testing::DatasetTest {};

TEST_P(SqlEmitTest, ParametersMatchTheDialect) {
    auto parsed = Parse(R"(country = "FR" and createdAt in last 7 days)");
    ASSERT_TRUE(parsed);
    auto checked = Check(*parsed, model_, "profile");
    ASSERT_TRUE(checked);
    storage::Params params(db().dialect());
    auto filter = EmitSql(*checked, db().dialect(), params, clock_);
    ASSERT_TRUE(filter);
    EXPECT_EQ(params.values().size(), 3u);
    bool pg = db().dialect() == storage::Dialect::kPostgres;
    EXPECT_NE(filter->condition.find(pg ? "$1::text" : "?1"), std::string::npos)
        << filter->condition;
    EXPECT_EQ(filter->table, "\"profiles\"");

    storage::Params other(pg ? storage::Dialect::kSqlite : storage::Dialect::kPostgres);
    auto mismatch = EmitSql(*checked, db().dialect(), other, clock_);
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalidArgument);
}

OVERTURE_INSTANTIATE_BACKENDS(SqlEmitTest);

}  // namespace
}  // namespace overture::query
