// Tests of the in-memory evaluator: a few contract details of Record, and a differential test
// that runs thousands of random well-typed expressions over a random data set on SQLite,
// PostgreSQL and the evaluator and expects the same profiles from each. The cases with the
// externalIds they must select run in memory too: tests/query/*.test (data_test.cpp).
#include "query/evaluate.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "query/printer.hpp"
#include "query/testing/dataset.hpp"
#include "query/testing/random_exprs.hpp"

namespace overture::query {
namespace {

using storage::Value;
using testing::ExprGen;
using testing::JoinIds;
using testing::MemoryDataset;
using testing::ProfileRow;
using testing::PurchaseRow;
using testing::RandomData;

// The shop data set's model (tests/query/shop.data).
std::shared_ptr<const schema::Model> CustomModel() {
    auto shop = testing::ShopDataset();
    return shop ? (*shop)->model : nullptr;
}

Result<Checked> Compile(const std::shared_ptr<const schema::Model>& model,
                        const std::string& text) {
    return testing::Compile(model, text);
}

const FakeClock kClock{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z

TEST(EvaluateTest, ReadsLenientStoredForms) {
    auto model = CustomModel();
    ASSERT_NE(model, nullptr);
    MemoryRecord r;
    r.fields["blockEmail"] = std::int64_t{1};                    // SQLite boolean
    r.fields["createdAt"] = std::int64_t{1773576000000 - 1000};  // milliseconds
    r.fields["score"] = std::string("12");                       // wrong form: null
    r.fields["birthDate"] = std::string("2024-02-30");           // not a date: null
    auto expect = [&](const std::string& text, bool want) {
        auto checked = Compile(model, text);
        ASSERT_TRUE(checked) << text << ": " << checked.error().message;
        auto got = Evaluate(*checked, r, kClock);
        ASSERT_TRUE(got) << text;
        EXPECT_EQ(*got, want) << text;
    };
    expect("blockEmail", true);
    expect("createdAt in last 1 day", true);
    expect(R"(createdAt = "2026-03-15T11:59:59Z")", true);
    expect("score is empty", true);
    expect("birthDate is empty", true);
    expect("not (score > 1)", true);
    expect("exists purchases", false);
    expect("count(purchases) = 0", true);
    expect("referrer.country is empty", true);

    Checked none;
    auto fails = Evaluate(none, r, kClock);
    ASSERT_FALSE(fails);
    EXPECT_EQ(fails.error().code, ErrorCode::kInvalidArgument);
}

// --- Differential test -----------------------------------------------------------------------

class EvaluatorDifferentialTest : public testing::DatasetTest {};

TEST_P(EvaluatorDifferentialTest, SqlAndEvaluatorSelectTheSameProfiles) {
    constexpr int kExpressions = 5000;
    // OVERTURE_DIFF_SEED=<n> explores other data sets and expressions; CI uses the default.
    const char* seed_env = std::getenv("OVERTURE_DIFF_SEED");
    std::uint64_t seed = seed_env ? std::strtoull(seed_env, nullptr, 10) : 0;
    RandomData data(20261128 + seed);
    data.Build(60);
    Load(data.profiles, data.purchases);
    if (HasFatalFailure()) return;
    MemoryDataset memory(*model_, testing::ToRows(data.profiles, data.purchases));

    ExprGen gen(42 + seed);
    std::string samples;
    int kept = 0, attempts = 0, mismatches = 0, nonempty = 0, partial = 0;
    while (kept < kExpressions && attempts < 100 * kExpressions) {
        ++attempts;
        std::string text = gen.Cond(ExprGen::Scope::kProfile, 1);
        auto checked = Compile(text);
        if (!checked) continue;
        ++kept;
        if (kept % 250 == 0) samples += text + "\n";
        auto expected = memory.Select(*checked, clock_);
        ASSERT_TRUE(expected) << text << ": " << expected.error().message;
        std::string sql;
        auto got = SelectSql(*checked, &sql);
        if (!got) {
            ADD_FAILURE() << GetParam() << " failed on " << text << ": " << got.error().message
                          << " " << got.error().detail << "\n"
                          << sql;
            if (++mismatches >= 20) break;
            continue;
        }
        if (!expected->empty()) ++nonempty;
        if (!expected->empty() && expected->size() < data.profiles.size()) ++partial;
        if (*got == *expected) continue;
        std::set<std::string> only_sql, only_memory;
        for (const auto& id : *got) {
            if (!expected->contains(id)) only_sql.insert(id);
        }
        for (const auto& id : *expected) {
            if (!got->contains(id)) only_memory.insert(id);
        }
        auto parsed = Parse(text);
        ADD_FAILURE() << GetParam() << " and the evaluator disagree on\n  "
                      << (parsed ? Print(*parsed) : text) << "\nonly " << GetParam() << ": "
                      << JoinIds(only_sql) << "\nonly evaluator: " << JoinIds(only_memory) << "\n"
                      << sql;
        if (++mismatches >= 20) break;
    }
    EXPECT_EQ(kept, kExpressions) << "after " << attempts << " candidates";
    EXPECT_EQ(mismatches, 0);
    // The generator must exercise something: most expressions select some but not all.
    EXPECT_GT(partial, kExpressions / 3) << nonempty;
    std::cout << GetParam() << ": " << kept << " expressions kept of " << attempts
              << " candidates; " << partial << " select some but not all profiles, " << nonempty
              << " select some\n";
    if (std::getenv("OVERTURE_DIFF_SAMPLES") != nullptr) std::cout << samples;
    RecordProperty("candidates", attempts);
    RecordProperty("selecting_some", partial);
}

OVERTURE_INSTANTIATE_BACKENDS(EvaluatorDifferentialTest);

}  // namespace
}  // namespace overture::query
