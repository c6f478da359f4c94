// Tests of the SQL back end on both databases over the shared data set
// (query/testing/dataset.hpp): the table of expressions with the externalIds they must select,
// and that values never reach the SQL text.
#include "query/sql_emit.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "query/testing/dataset.hpp"
#include "storage/sql_text.hpp"

namespace overture::query {
namespace {

using testing::Cases;
using testing::Expand;
using testing::JoinIds;
using testing::Profiles;
using testing::Purchases;

class SqlEmitTest : public testing::DatasetTest {
  protected:
    void SetUp() override {
        DatasetTest::SetUp();
        if (HasFatalFailure()) return;
        Load(Profiles(), Purchases());
    }
};

TEST_P(SqlEmitTest, CasesSelectTheExpectedProfiles) {
    ASSERT_EQ(FormatRfc3339(clock_.Now()), "2026-03-15T12:00:00.000Z");
    const auto all = Profiles();
    int run = 0;
    for (const auto& c : Cases()) {
        std::string sql;
        auto got = Select(c.expr, &sql);
        ASSERT_TRUE(got) << c.expr << ": " << got.error().message << " " << got.error().detail
                         << "\n"
                         << sql;
        EXPECT_EQ(JoinIds(*got), JoinIds(Expand(c.expected, all))) << c.expr << "\n" << sql;
        // Values never reach the text.
        for (const char* value : {"DROP", "DELETE", "O'", "example", "1988", "2026"}) {
            EXPECT_EQ(sql.find(value), std::string::npos) << c.expr << ": " << value << "\n" << sql;
        }
        ++run;
    }
    EXPECT_GE(run, 80);
    // The injection attempts changed nothing.
    for (const char* table : {"profiles", "x_purchase"}) {
        auto rows = storage::WithRead(db(), [&](storage::Transaction& tx) {
            return tx.QuerySql(std::string("SELECT COUNT(*) FROM ") + table, {});
        });
        ASSERT_TRUE(rows) << table;
        EXPECT_EQ(storage::AsInt(rows->rows[0][0]),
                  std::string(table) == "profiles" ? 22 : static_cast<int>(Purchases().size()));
    }
}

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
