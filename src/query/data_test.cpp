// The data-driven query tests: every case of tests/query/*.test (format in
// tests/query/README.md, reader in query/testing/test_file.hpp) is checked on SQLite and
// PostgreSQL through the SQL back end, and in memory through the evaluator; all three must
// select exactly the expected externalIds, or the case must fail to check with the expected
// message. Files that include the same data set share one database per backend.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "query/testing/dataset.hpp"
#include "query/testing/test_file.hpp"
#include "storage/testing/databases.hpp"

namespace overture::query {
namespace {

using testing::DataCase;
using testing::JoinIds;
using testing::TestFile;

// Cases cannot silently vanish: a file dropped or a case lost fails here.
constexpr int kMinCases = 150;

// The files, read once; a file that does not read fails every test with its path:line.
struct Read {
    std::vector<TestFile> files;
    std::string error;
};

const Read& Files() {
    static const Read read = [] {
        auto files = testing::ReadTestFiles(testing::TestDir());
        if (!files) return Read{{}, files.error().message};
        return Read{std::move(*files), {}};
    }();
    return read;
}

std::string Describe(const DataCase& c) {
    return c.where + ": case " + c.expr + "\n  now: " + c.now;
}

// Checks `c` with `select`, which gives the ids or an error and the SQL it ran (if any).
template <typename Select>
void CheckCase(const std::string& engine, const std::shared_ptr<const schema::Model>& model,
               const DataCase& c, Select&& select) {
    auto checked = testing::Compile(model, c.expr);
    if (c.error) {
        if (checked) {
            ADD_FAILURE() << Describe(c) << "\n  expected the error: " << *c.error
                          << "\n  but it checks";
        } else if (checked.error().message.find(*c.error) == std::string::npos) {
            ADD_FAILURE() << Describe(c) << "\n  expected an error containing: " << *c.error
                          << "\n  got: " << checked.error().message;
        }
        return;
    }
    if (!checked) {
        ADD_FAILURE() << Describe(c) << "\n  does not check: " << checked.error().message;
        return;
    }
    FakeClock clock(FromUnixMillis(testing::UnixMillis(c.now)));
    std::string sql;
    auto got = select(*checked, clock, &sql);
    if (!got) {
        ADD_FAILURE() << Describe(c) << "\n  " << engine << " failed: " << got.error().message
                      << " " << got.error().detail << (sql.empty() ? "" : "\n  sql: " + sql);
        return;
    }
    // Values never reach the SQL text (the shop data set's strings and dates).
    for (const char* value : {"DROP", "DELETE", "O'", "example", "1988", "2026"}) {
        if (sql.find(value) != std::string::npos) {
            ADD_FAILURE() << Describe(c) << "\n  " << value << " in the sql: " << sql;
        }
    }
    if (*got != c.expected) {
        ADD_FAILURE() << Describe(c) << "\n  on: " << engine
                      << (sql.empty() ? "" : "\n  sql: " + sql)
                      << "\n  expected: " << JoinIds(c.expected)
                      << "\n  got:      " << JoinIds(*got);
    }
}

int CountCases() {
    int n = 0;
    for (const auto& f : Files().files) n += static_cast<int>(f.cases.size());
    return n;
}

TEST(DataFilesTest, ReadAndHoldEnoughCases) {
    ASSERT_EQ(Files().error, "");
    ASSERT_FALSE(Files().files.empty()) << "no .test files in " << testing::TestDir();
    EXPECT_GE(CountCases(), kMinCases);
    for (const auto& f : Files().files) EXPECT_FALSE(f.cases.empty()) << f.path << " has no cases";
}

TEST(DataFilesTest, EvaluatorSelectsTheExpectedProfiles) {
    std::map<const testing::Dataset*, std::unique_ptr<testing::MemoryDataset>> memories;
    ASSERT_EQ(Files().error, "");
    int run = 0;
    for (const auto& f : Files().files) {
        auto& memory = memories[f.data.get()];
        if (!memory)
            memory = std::make_unique<testing::MemoryDataset>(*f.data->model, f.data->rows);
        for (const auto& c : f.cases) {
            CheckCase("evaluator", f.data->model, c,
                      [&](const Checked& checked, const Clock& clock, std::string*) {
                          return memory->Select(checked, clock);
                      });
            ++run;
        }
    }
    EXPECT_GE(run, kMinCases);
}

class DataSqlTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DataSqlTest, SqlSelectsTheExpectedProfiles) {
    // One database per data set, with its model published and its rows loaded.
    std::map<const testing::Dataset*, storage::testing::TestDatabase> databases;
    ASSERT_EQ(Files().error, "");
    int run = 0;
    for (const auto& f : Files().files) {
        auto& fresh = databases[f.data.get()];
        if (!fresh.db) {
            auto made = storage::testing::MakeFresh(GetParam());
            ASSERT_TRUE(made) << made.error().message << " " << made.error().detail;
            fresh = std::move(*made);
            auto published = testing::Publish(*fresh.db, *f.data->model);
            ASSERT_TRUE(published) << f.data->path << ": " << published.error().message << " "
                                   << published.error().detail;
            auto loaded = testing::LoadRows(*fresh.db, *f.data->model, f.data->rows);
            ASSERT_TRUE(loaded) << loaded.error().message << " " << loaded.error().detail;
        }
        for (const auto& c : f.cases) {
            CheckCase(GetParam(), f.data->model, c,
                      [&](const Checked& checked, const Clock& clock, std::string* sql) {
                          return testing::SelectIds(*fresh.db, checked, clock, sql);
                      });
            ++run;
        }
    }
    EXPECT_GE(run, kMinCases);
}

OVERTURE_INSTANTIATE_BACKENDS(DataSqlTest);

}  // namespace
}  // namespace overture::query
