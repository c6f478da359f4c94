// Tests of the normalize pass: the printed normalized form of each rewrite, and two properties:
// the evaluator selects the same profiles with the normalized and the original form (random
// expressions, several clocks around Feb 29 and month ends), and the SQL of the normalized form
// selects on SQLite and PostgreSQL what the evaluator selects with the original.
#include "query/normalize.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <set>
#include <string>
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
using testing::RandomData;

std::shared_ptr<const schema::Model> ShopModel() {
    auto shop = testing::ShopDataset();
    if (!shop) return nullptr;
    return (*shop)->model;
}

const FakeClock kClock{FromUnixMillis(1773576000000)};  // 2026-03-15T12:00:00.000Z

// The clocks of the property tests: the data set's, Feb 29, the days around it, month and
// year ends, the last millisecond of a day.
std::vector<TimePoint> Clocks() {
    return {FromUnixMillis(1773576000000),   // 2026-03-15T12:00:00.000Z
            FromUnixMillis(1709164800000),   // 2024-02-29T00:00:00.000Z
            FromUnixMillis(1740787199999),   // 2025-02-28T23:59:59.999Z
            FromUnixMillis(1709287200000),   // 2024-03-01T10:00:00.000Z
            FromUnixMillis(1769860800000),   // 2026-01-31T12:00:00.000Z
            FromUnixMillis(1767225599999)};  // 2025-12-31T23:59:59.999Z
}

class NormalizeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        model_ = ShopModel();
        ASSERT_NE(model_, nullptr);
    }

    // The canonical text of `text` after normalization at `clock`.
    std::string Norm(const std::string& text, const Clock& clock = kClock,
                     NormalizeOptions options = {}) {
        auto checked = testing::Compile(model_, text);
        if (!checked) return "error: " + checked.error().message;
        return Print(ToExpr(Normalize(*checked, clock, options).expr));
    }

    std::shared_ptr<const schema::Model> model_;
};

TEST_F(NormalizeTest, KeepsWhatNoRuleChanges) {
    EXPECT_EQ(Norm(R"(country = "FR" and score > 3)"), R"(country = "FR" and score > 3)");
    EXPECT_EQ(Norm(R"(country in ("FR", "DE"))"), R"(country in ("FR", "DE"))");
    EXPECT_EQ(Norm("age(birthDate) != 30"), "age(birthDate) != 30");
    EXPECT_EQ(Norm("count(purchases) >= 2"), "count(purchases) >= 2");
    EXPECT_EQ(Norm("month(birthDate) = 2"), "month(birthDate) = 2");
}

TEST_F(NormalizeTest, FlattensAndRemovesDoubleNegation) {
    EXPECT_EQ(Norm("not not blockEmail"), "blockEmail");
    EXPECT_EQ(Norm("not (not (not blockEmail))"), "not blockEmail");
    EXPECT_EQ(Norm("score > 1 and not not (score < 5 and blockEmail)"),
              "score > 1 and score < 5 and blockEmail");
    EXPECT_EQ(Norm("score > 1 or not not (score < -5 or blockEmail)"),
              "score > 1 or score < -5 or blockEmail");
}

TEST_F(NormalizeTest, FoldsClockAndDateConstants) {
    EXPECT_EQ(Norm("createdAt > daysAgo(90)"), R"(createdAt > "2025-12-15T12:00:00.000Z")");
    EXPECT_EQ(Norm("createdAt <= now()"), R"(createdAt <= "2026-03-15T12:00:00.000Z")");
    EXPECT_EQ(Norm("birthDate = today()"), R"(birthDate = "2026-03-15")");
    EXPECT_EQ(Norm("birthDate > addDays(today(), -30)"), R"(birthDate > "2026-02-13")");
    EXPECT_EQ(Norm(R"(birthDate < addMonths("2024-03-31", -1))"), R"(birthDate < "2024-02-29")");
    EXPECT_EQ(Norm("createdAt < addMonths(now(), -13)"),
              R"(createdAt < "2025-02-15T12:00:00.000Z")");
    EXPECT_EQ(Norm(R"(score = year("2020-02-29"))"), "score = 2020");
    EXPECT_EQ(Norm(R"(score = weekday("2026-03-15"))"), "score = 7");
    EXPECT_EQ(Norm(R"(score < daysSince("2026-03-14T12:00:00Z"))"), "score < 1");
    EXPECT_EQ(Norm(R"(score > age("2000-02-29"))"), "score > 26");
    EXPECT_EQ(Norm(R"(firstName = lower("ÉLODIE Ab"))"), R"(firstName = "Élodie ab")");
    // Beyond the year 9999 the fold would be null: kept.
    EXPECT_EQ(Norm(R"(birthDate < addDays("9999-12-31", 1))"),
              R"(birthDate < addDays("9999-12-31", 1))");
}

TEST_F(NormalizeTest, WindowsBecomeLiteralRanges) {
    EXPECT_EQ(Norm("createdAt in last 7 days"),
              R"(createdAt between "2026-03-08T12:00:00.000Z" and "2026-03-15T12:00:00.000Z")");
    EXPECT_EQ(Norm("birthDate in next 1 month"),
              R"(birthDate between "2026-03-15" and "2026-04-15")");
    FakeClock march31(FromUnixMillis(1774958400000));  // 2026-03-31T12:00:00.000Z
    EXPECT_EQ(Norm("birthDate in last 1 month", march31),
              R"(birthDate between "2026-02-28" and "2026-03-31")");
}

TEST_F(NormalizeTest, AgeBecomesABirthDateRange) {
    // Today 2026-03-15: 25 to 40 years old means born from 1985-03-16 to 2001-03-15.
    EXPECT_EQ(Norm("age(birthDate) between 25 and 40"),
              R"(birthDate between "1985-03-16" and "2001-03-15")");
    EXPECT_EQ(Norm("age(birthDate) not between 25 and 40"),
              R"(not birthDate between "1985-03-16" and "2001-03-15")");
    EXPECT_EQ(Norm("age(birthDate) >= 18"), R"(birthDate <= "2008-03-15")");
    EXPECT_EQ(Norm("age(birthDate) > 18"), R"(birthDate <= "2007-03-15")");
    EXPECT_EQ(Norm("age(birthDate) < 18"), R"(birthDate >= "2008-03-16")");
    EXPECT_EQ(Norm("age(birthDate) <= 18"), R"(birthDate >= "2007-03-16")");
    EXPECT_EQ(Norm("age(birthDate) = 18"), R"(birthDate between "2007-03-16" and "2008-03-15")");
    EXPECT_EQ(Norm("18 <= age(birthDate)"), R"(birthDate <= "2008-03-15")");
    // Today Feb 29: someone born on Feb 28 18 years ago is 18, one born on Mar 1 is not.
    FakeClock feb29(FromUnixMillis(1709164800000));  // 2024-02-29
    EXPECT_EQ(Norm("age(birthDate) >= 18", feb29), R"(birthDate <= "2006-02-28")");
    EXPECT_EQ(Norm("age(birthDate) = 4", feb29),
              R"(birthDate between "2019-03-01" and "2020-02-29")");
    // Today Mar 1 of a non-leap year: a Feb 29 birthday has passed.
    FakeClock mar1(FromUnixMillis(1740830400000));  // 2025-03-01T12:00:00.000Z
    EXPECT_EQ(Norm("age(birthDate) >= 25", mar1), R"(birthDate <= "2000-03-01")");
    // A datetime subject compares with midnights, the upper one exclusive.
    EXPECT_EQ(
        Norm("age(createdAt) = 0"),
        R"(createdAt >= "2025-03-16T00:00:00.000Z" and createdAt < "2026-03-16T00:00:00.000Z")");
    // Ages that put the range beyond the years 1-9999 are kept.
    EXPECT_EQ(Norm("age(birthDate) >= 19999"), "age(birthDate) >= 19999");
    EXPECT_EQ(Norm("age(birthDate) between 25.0 and 40"), "age(birthDate) between 25.0 and 40");
}

TEST_F(NormalizeTest, YearBecomesARange) {
    EXPECT_EQ(Norm("year(birthDate) = 2000"), R"(birthDate between "2000-01-01" and "2000-12-31")");
    EXPECT_EQ(Norm("year(birthDate) < 2000"), R"(birthDate <= "1999-12-31")");
    EXPECT_EQ(Norm("year(birthDate) > 2000"), R"(birthDate >= "2001-01-01")");
    EXPECT_EQ(Norm("year(createdAt) >= 2026"), R"(createdAt >= "2026-01-01T00:00:00.000Z")");
    EXPECT_EQ(Norm("year(createdAt) <= 2025"), R"(createdAt < "2026-01-01T00:00:00.000Z")");
    EXPECT_EQ(Norm("year(birthDate) between 1990 and 1999"),
              R"(birthDate between "1990-01-01" and "1999-12-31")");
    EXPECT_EQ(Norm("year(birthDate) = 0"), "year(birthDate) = 0");
}

TEST_F(NormalizeTest, SingleInBecomesEquality) {
    EXPECT_EQ(Norm(R"(country in ("FR"))"), R"(country = "FR")");
    EXPECT_EQ(Norm(R"(country not in ("FR"))"), R"(not country = "FR")");
}

TEST_F(NormalizeTest, CountAgainstZeroBecomesExists) {
    EXPECT_EQ(Norm("count(purchases) >= 1"), "exists purchases");
    EXPECT_EQ(Norm("count(purchases) > 0"), "exists purchases");
    EXPECT_EQ(Norm("0 < count(purchases where paid)"), "exists purchases where (paid)");
    EXPECT_EQ(Norm("count(purchases where paid) = 0"), "not exists purchases where (paid)");
    EXPECT_EQ(Norm("count(referrer.purchases) < 1"), "not exists referrer.purchases");
}

TEST_F(NormalizeTest, EmailDomainUsesTheDerivedField) {
    EXPECT_EQ(Norm(R"(emailDomain(email) = "example.com")"), R"(emailDomain = "example.com")");
    EXPECT_EQ(Norm(R"(emailDomain(email) = "example.com")", kClock, {.use_derived_fields = false}),
              R"(emailDomain(email) = "example.com")");
    EXPECT_EQ(Norm(R"(emailDomain(firstName) = "x")"), R"(emailDomain(firstName) = "x")");
}

// --- Properties ------------------------------------------------------------------------------

// Expressions aimed at the rewrites, over the generator's other expressions.
class TargetedGen : public RandomData {
  public:
    explicit TargetedGen(std::uint64_t seed) : RandomData(seed), any_(seed + 1) {}

    std::string Cond() {
        static const std::vector<std::string> ops = {"=", "!=", "<", "<=", ">", ">="};
        static const std::vector<std::string> dates = {"birthDate", "referrer.birthDate",
                                                       "createdAt", "addDays(birthDate, 1)",
                                                       "coalesce(birthDate, createdAt)"};
        switch (Pick(9)) {
            case 0:
                return "age(" + From(dates) + ") " + From(ops) + " " + std::to_string(Pick(60));
            case 1: {
                int a = Pick(60), b = a + Pick(20) - 3;
                return "age(" + From(dates) + (Chance(30) ? ") not between " : ") between ") +
                       std::to_string(a) + " and " + std::to_string(b);
            }
            case 2:
                return std::to_string(Pick(60)) + " " + From(ops) + " age(" + From(dates) + ")";
            case 3: {
                std::string y = std::to_string(1960 + Pick(70));
                if (Chance(30)) {
                    return "year(" + From(dates) + ") between " + y + " and " +
                           std::to_string(1960 + Pick(70));
                }
                return "year(" + From(dates) + ") " + From(ops) + " " + y;
            }
            case 4: {
                static const std::vector<std::string> units = {"days", "weeks", "months", "years"};
                return From(dates) + (Chance(50) ? " in last " : " in next ") +
                       std::to_string(1 + Pick(30)) + " " + From(units);
            }
            case 5:
                return std::string("count(purchases") + (Chance(50) ? " where paid" : "") + ") " +
                       From(ops) + " " + std::to_string(Pick(3));
            case 6:
                return std::string(Chance(50) ? "not " : "") + "not (" +
                       any_.Cond(ExprGen::Scope::kProfile, 2) + ")";
            case 7:
                return "createdAt " + From(ops) + " daysAgo(" + std::to_string(Pick(400)) + ")";
            default:
                return "(" + Cond() + ") " + (Chance(50) ? "and" : "or") + " (" +
                       any_.Cond(ExprGen::Scope::kProfile, 2) + ")";
        }
    }

    ExprGen& any() { return any_; }

  private:
    ExprGen any_;
};

// The random data set plus profiles born around every clock's day: n years before, one day
// either side, and on Feb 28, Feb 29 and Mar 1.
RandomData Data(std::uint64_t seed) {
    RandomData data(seed);
    data.Build(60);
    int n = 0;
    auto add = [&](const std::string& birth, const std::string& created) {
        ProfileRow p;
        p.id = "b" + std::to_string(100 + ++n);
        p.birth = Value(birth);
        p.created = created;
        p.block = false;
        data.profiles.push_back(std::move(p));
    };
    for (TimePoint t : Clocks()) {
        auto today = std::chrono::floor<std::chrono::days>(t);
        for (int years : {0, 4, 18, 25, 40, 41}) {
            for (int delta : {-1, 0, 1}) {
                std::chrono::year_month_day ymd{today + std::chrono::days(delta)};
                auto y = ymd.year() - std::chrono::years(years);
                std::chrono::year_month_day shifted{y / ymd.month() / ymd.day()};
                if (!shifted.ok()) shifted = y / ymd.month() / std::chrono::last;
                auto day = std::chrono::sys_days(shifted);
                std::string date = FormatRfc3339(day).substr(0, 10);
                add(date, FormatRfc3339(day + std::chrono::hours(23)));
            }
        }
    }
    for (const char* d : {"1998-02-28", "2000-02-29", "2000-03-01", "2008-02-29", "2001-03-01"}) {
        add(d, std::string(d) + "T00:00:00.000Z");
    }
    return data;
}

TEST_F(NormalizeTest, EvaluatorSelectsTheSameProfilesAfterNormalizing) {
    constexpr int kPerClock = 500;
    RandomData data = Data(20261128);
    MemoryDataset memory(*model_, testing::ToRows(data.profiles, data.purchases));
    TargetedGen gen(7);
    int kept = 0, changed = 0, failures = 0;
    for (TimePoint now : Clocks()) {
        FakeClock clock(now);
        for (int i = 0, attempts = 0; i < kPerClock && attempts < 100 * kPerClock; ++attempts) {
            std::string text =
                gen.Chance(60) ? gen.Cond() : gen.any().Cond(ExprGen::Scope::kProfile, 1);
            auto checked = testing::Compile(model_, text);
            if (!checked) continue;
            ++i;
            ++kept;
            Checked normalized = Normalize(*checked, clock, {.use_derived_fields = false});
            std::string before = Print(ToExpr(checked->expr));
            std::string after = Print(ToExpr(normalized.expr));
            if (before != after) ++changed;
            auto want = memory.Select(*checked, clock);
            auto got = memory.Select(normalized, clock);
            ASSERT_TRUE(want && got) << text;
            if (*want == *got) continue;
            ADD_FAILURE() << "at " << FormatRfc3339(now) << "\n  " << before << "\nnormalized\n  "
                          << after << "\noriginal selects " << JoinIds(*want)
                          << "\nnormalized selects " << JoinIds(*got);
            if (++failures >= 10) return;
        }
    }
    EXPECT_GE(kept, 6 * kPerClock);
    EXPECT_GT(changed, kept / 3) << "the rules must be exercised";
    std::cout << kept << " expressions, " << changed << " changed by normalize\n";
}

class NormalizeSqlTest : public testing::DatasetTest {};

TEST_P(NormalizeSqlTest, NormalizedSqlSelectsWhatTheEvaluatorSelects) {
    constexpr int kExpressions = 1500;
    RandomData data = Data(20261129);
    Load(data.profiles, data.purchases);
    if (HasFatalFailure()) return;
    MemoryDataset memory(*model_, testing::ToRows(data.profiles, data.purchases));
    TargetedGen gen(11);
    int kept = 0, failures = 0;
    for (int attempts = 0; kept < kExpressions && attempts < 100 * kExpressions; ++attempts) {
        std::string text =
            gen.Chance(60) ? gen.Cond() : gen.any().Cond(ExprGen::Scope::kProfile, 1);
        auto checked = Compile(text);
        if (!checked) continue;
        ++kept;
        Checked normalized = Normalize(*checked, clock_, {.use_derived_fields = false});
        auto want = memory.Select(*checked, clock_);
        ASSERT_TRUE(want) << text;
        std::string sql;
        auto got = SelectSql(normalized, &sql);
        if (got && *got == *want) continue;
        ADD_FAILURE() << GetParam() << " on\n  " << Print(ToExpr(normalized.expr)) << "\n(from "
                      << text << ")\n"
                      << (got ? "selects " + JoinIds(*got) + "\nevaluator " + JoinIds(*want)
                              : got.error().message)
                      << "\n"
                      << sql;
        if (++failures >= 10) return;
    }
    EXPECT_EQ(kept, kExpressions);
}

OVERTURE_INSTANTIATE_BACKENDS(NormalizeSqlTest);

}  // namespace
}  // namespace overture::query
