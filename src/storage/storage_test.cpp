// The storage contract (storage/database.hpp), run on every backend.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "storage/migrations.hpp"
#include "storage/postgres/postgres_database.hpp"
#include "storage/query_catalog.hpp"
#include "storage/sqlite/sqlite_database.hpp"
#include "storage/testing/backend_param.hpp"

namespace overture::storage {
namespace {

using testing::BackendTest;

constexpr std::string_view kCreateKv =
    "CREATE TABLE kv (k TEXT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT, b BOOLEAN)";

constexpr std::string_view kSqliteSql =
    "-- name: kv-put\nINSERT INTO kv (k, i, d, t, b) VALUES (?1, ?2, ?3, ?4, ?5)\n"
    "-- name: kv-get\nSELECT k, i, d, t, b AS B FROM kv WHERE k = ?1\n"
    "-- name: kv-count\nSELECT COUNT(*) AS n FROM kv\n";
constexpr std::string_view kPostgresSql =
    "-- name: kv-put\nINSERT INTO kv (k, i, d, t, b) VALUES ($1, $2, $3, $4, $5)\n"
    "-- name: kv-get\nSELECT k, i, d, t, b AS \"B\" FROM kv WHERE k = $1\n"
    "-- name: kv-count\nSELECT COUNT(*) AS n FROM kv\n";

QueryCatalog Catalog(std::string_view text) {
    std::vector<SqlFile> files{{"test.sql", text}};
    auto catalog = QueryCatalog::Parse(files);
    EXPECT_TRUE(catalog) << catalog.error().message;
    return catalog ? std::move(*catalog) : QueryCatalog();
}

std::vector<Value> Kv(std::string key, std::int64_t i = 0) {
    return {std::move(key), i, std::monostate{}, std::monostate{}, std::monostate{}};
}

std::string Describe(const Error& e) {
    return std::string(ErrorCodeName(e.code)) + ": " + e.message + " (" + e.detail + ")";
}

// A fresh database with a kv table and a pool that knows the kv-* statements.
class StorageTest : public BackendTest {
  protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (HasFatalFailure()) return;
        auto st = WithWrite(db(), [](Transaction& tx) { return tx.ExecScript(kCreateKv); });
        ASSERT_TRUE(st) << Describe(st.error());
        kv_ = OpenKv({});
        ASSERT_NE(kv_, nullptr);
    }

    std::unique_ptr<Database> OpenKv(const PoolOptions& options) {
        bool pg = fresh().name == "postgres";
        auto catalog = Catalog(pg ? kPostgresSql : kSqliteSql);
        auto opened = testing::Reopen(fresh(), options, std::move(catalog));
        EXPECT_TRUE(opened) << Describe(opened.error());
        if (!opened) return nullptr;
        auto st = (*opened)->PrepareCatalog();
        EXPECT_TRUE(st) << Describe(st.error());
        return std::move(*opened);
    }

    std::int64_t Count(Database& db) {
        auto rows = WithRead(db, [](Transaction& tx) { return tx.Query("kv-count", {}); });
        EXPECT_TRUE(rows) << Describe(rows.error());
        return rows ? AsInt(rows->rows.at(0).at(0)) : -1;
    }

    std::unique_ptr<Database> kv_;
};

TEST_P(StorageTest, CommitMakesRowsVisible) {
    auto tx = kv_->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx) << Describe(tx.error());
    auto changed = (*tx)->Exec("kv-put", Kv("a"));
    ASSERT_TRUE(changed) << Describe(changed.error());
    EXPECT_EQ(*changed, 1);
    ASSERT_TRUE((*tx)->Commit());
    EXPECT_FALSE((*tx)->Commit());  // already finished
    EXPECT_EQ(Count(*kv_), 1);
}

TEST_P(StorageTest, DroppedTransactionRollsBack) {
    {
        auto tx = kv_->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        ASSERT_TRUE((*tx)->Exec("kv-put", Kv("a")));
    }
    EXPECT_EQ(Count(*kv_), 0);
    EXPECT_EQ(kv_->Stats().in_use, 0);
}

TEST_P(StorageTest, ReadTransactionCannotWrite) {
    auto tx = kv_->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    EXPECT_FALSE((*tx)->Exec("kv-put", Kv("a")));
    tx->reset();
    EXPECT_EQ(Count(*kv_), 0);
}

TEST_P(StorageTest, UniqueViolationIsAlreadyExists) {
    auto tx = kv_->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    ASSERT_TRUE((*tx)->Exec("kv-put", Kv("a")));
    auto again = (*tx)->Exec("kv-put", Kv("a"));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists) << Describe(again.error());
    EXPECT_EQ(again.error().message.find("kv"), std::string::npos);  // nothing internal
    EXPECT_FALSE(again.error().detail.empty());
}

TEST_P(StorageTest, UnknownStatementIsInternal) {
    auto tx = kv_->Begin(TxMode::kRead);
    ASSERT_TRUE(tx);
    auto r = (*tx)->Query("no-such-statement", {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    EXPECT_NE(r.error().detail.find("no-such-statement"), std::string::npos);
}

TEST_P(StorageTest, ValuesRoundTrip) {
    struct Case {
        std::string key;
        Value i, d, t, b;
    };
    const std::vector<Case> cases{
        {"nulls", {}, {}, {}, {}},
        {"max", std::int64_t{9223372036854775807}, 0.1, std::string("héllo ✓ 日本 🎉"), true},
        {"min", std::int64_t{-9223372036854775807 - 1}, -2.5e300, std::string(""), false},
        {"zero", std::int64_t{0}, 1.0 / 3.0, std::string("it's \"quoted\"\n"), true},
    };
    auto put = WithWrite(*kv_, [&](Transaction& tx) -> Status {
        for (const auto& c : cases) {
            if (auto r = tx.Exec("kv-put", {c.key, c.i, c.d, c.t, c.b}); !r) {
                return Fail(r.error());
            }
        }
        return {};
    });
    ASSERT_TRUE(put) << Describe(put.error());
    for (const auto& c : cases) {
        auto rows = WithRead(*kv_, [&](Transaction& tx) { return tx.Query("kv-get", {c.key}); });
        ASSERT_TRUE(rows) << Describe(rows.error());
        ASSERT_EQ(rows->size(), 1u);
        EXPECT_EQ(rows->columns, (std::vector<std::string>{"k", "i", "d", "t", "b"}));
        const auto& row = rows->rows[0];
        EXPECT_EQ(row[0], Value(c.key));
        EXPECT_EQ(row[1], c.i) << c.key;
        EXPECT_EQ(row[2], c.d) << c.key;
        EXPECT_EQ(row[3], c.t) << c.key;
        if (IsNull(c.b)) {
            EXPECT_TRUE(IsNull(row[4]));
        } else {
            // A bool comes back as bool from PostgreSQL and as 0/1 from SQLite.
            EXPECT_EQ(AsBool(row[4], !std::get<bool>(c.b)), std::get<bool>(c.b)) << c.key;
            EXPECT_TRUE(std::holds_alternative<bool>(row[4]) == (fresh().name == "postgres"));
        }
    }
}

TEST_P(StorageTest, QuerySqlBindsParameters) {
    bool pg = fresh().name == "postgres";
    auto rows = WithRead(*kv_, [&](Transaction& tx) {
        std::vector<Value> params{std::int64_t{40}, std::int64_t{2}};
        return tx.QuerySql(pg ? "SELECT $1::bigint + $2::bigint AS Sum" : "SELECT ?1 + ?2 AS Sum",
                           params);
    });
    ASSERT_TRUE(rows) << Describe(rows.error());
    EXPECT_EQ(rows->columns, std::vector<std::string>{"sum"});
    EXPECT_EQ(rows->rows.at(0).at(0), Value(std::int64_t{42}));
}

TEST_P(StorageTest, ExecBatchInsertsEveryRow) {
    constexpr int kRows = 1234;  // more than one PostgreSQL pipeline chunk
    std::vector<std::vector<Value>> rows;
    for (int n = 0; n < kRows; ++n) rows.push_back(Kv("key" + std::to_string(n), n));
    auto tx = kv_->Begin(TxMode::kWrite);
    ASSERT_TRUE(tx);
    auto changed = (*tx)->ExecBatch("kv-put", rows);
    ASSERT_TRUE(changed) << Describe(changed.error());
    EXPECT_EQ(*changed, kRows);
    ASSERT_TRUE((*tx)->Commit());
    EXPECT_EQ(Count(*kv_), kRows);

    auto empty = WithWrite(*kv_, [](Transaction& tx) {
        return tx.ExecBatch("kv-put", std::span<const std::vector<Value>>());
    });
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, 0);
}

TEST_P(StorageTest, ExecBatchFailureReportsTheFirstError) {
    std::vector<std::vector<Value>> rows{Kv("a"), Kv("b"), Kv("a"), Kv("c")};
    {
        auto tx = kv_->Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        auto changed = (*tx)->ExecBatch("kv-put", rows);
        ASSERT_FALSE(changed);
        EXPECT_EQ(changed.error().code, ErrorCode::kAlreadyExists) << Describe(changed.error());
    }
    EXPECT_EQ(Count(*kv_), 0);
    // The connection is usable again.
    auto after = WithWrite(*kv_, [](Transaction& tx) { return tx.Exec("kv-put", Kv("z")); });
    EXPECT_TRUE(after) << Describe(after.error());
}

TEST_P(StorageTest, PoolTimesOutWithUnavailable) {
    PoolOptions options;
    options.max_connections = 1;
    options.acquire_timeout = std::chrono::milliseconds(50);
    auto small = OpenKv(options);
    ASSERT_NE(small, nullptr);
    for (auto mode : {TxMode::kWrite, TxMode::kRead}) {
        auto held = small->Begin(mode);
        ASSERT_TRUE(held) << Describe(held.error());
        auto second = small->Begin(mode);
        ASSERT_FALSE(second);
        EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
    }
    auto stats = small->Stats();
    EXPECT_EQ(stats.timeouts, 2u);
    EXPECT_EQ(stats.in_use, 0);
}

TEST_P(StorageTest, WaitingBeginGetsTheReleasedConnection) {
    PoolOptions options;
    options.max_connections = 1;
    auto small = OpenKv(options);
    ASSERT_NE(small, nullptr);
    auto held = small->Begin(TxMode::kWrite);
    ASSERT_TRUE(held);
    std::thread waiter([&] {
        auto tx = small->Begin(TxMode::kWrite);
        EXPECT_TRUE(tx) << Describe(tx.error());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    held->reset();
    waiter.join();
    auto stats = small->Stats();
    EXPECT_EQ(stats.waited, 1u);
    EXPECT_EQ(stats.timeouts, 0u);
    EXPECT_GE(stats.acquired, 2u);
}

TEST_P(StorageTest, ConcurrentWritersAllSucceed) {
    constexpr int kThreads = 4;
    constexpr int kEach = 25;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int n = 0; n < kEach; ++n) {
                auto key = std::to_string(t) + "-" + std::to_string(n);
                auto r =
                    WithWrite(*kv_, [&](Transaction& tx) { return tx.Exec("kv-put", Kv(key)); });
                EXPECT_TRUE(r) << Describe(r.error());
                auto count =
                    WithRead(*kv_, [](Transaction& tx) { return tx.Query("kv-count", {}); });
                EXPECT_TRUE(count) << Describe(count.error());
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(Count(*kv_), kThreads * kEach);
}

TEST_P(StorageTest, MigrateIsIdempotentAndReportsVersions) {
    auto all = LoadMigrations(db().dialect());
    ASSERT_TRUE(all);
    ASSERT_FALSE(all->empty());
    auto report = Migrate(db());
    ASSERT_TRUE(report) << Describe(report.error());
    EXPECT_EQ(report->from_version, all->back().version);
    EXPECT_EQ(report->to_version, all->back().version);
    EXPECT_TRUE(report->applied.empty());
}

TEST_P(StorageTest, PrepareCatalogNamesTheBadStatement) {
    bool pg = fresh().name == "postgres";
    auto catalog = Catalog(pg ? "-- name: fine\nSELECT $1::int\n"
                                "-- name: typo\nSELEC nope FROM kv\n"
                              : "-- name: fine\nSELECT ?1\n"
                                "-- name: typo\nSELEC nope FROM kv\n");
    auto opened = testing::Reopen(fresh(), {}, std::move(catalog));
    ASSERT_TRUE(opened);
    auto st = (*opened)->PrepareCatalog();
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find("'typo'"), std::string::npos) << Describe(st.error());
    EXPECT_NE(st.error().message.find("test.sql:3"), std::string::npos) << Describe(st.error());
    EXPECT_NE(st.error().message.find("syntax"), std::string::npos) << Describe(st.error());
}

TEST_P(StorageTest, PingAndStats) {
    ASSERT_TRUE(kv_->Ping());
    auto stats = kv_->Stats();
    EXPECT_GE(stats.size, 1);
    EXPECT_EQ(stats.in_use, 0);
    EXPECT_GE(stats.acquired, 1u);
}

OVERTURE_INSTANTIATE_BACKENDS(StorageTest);

TEST(SqliteTest, MissingDirectoryIsUnavailableAndNamesThePath) {
    auto db = sqlite::Open("/no/such/overture-dir/x.db", {}, QueryCatalog());
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(db.error().message.find("/no/such/overture-dir"), std::string::npos);
}

TEST(PostgresTest, UnreachableServerIsUnavailableWithoutThePassword) {
    auto db = postgres::Open("postgresql://someone:s3cret@127.0.0.1:1/nodb", {}, QueryCatalog());
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(db.error().message.find("127.0.0.1:1/nodb"), std::string::npos) << db.error().message;
    EXPECT_EQ(db.error().message.find("s3cret"), std::string::npos);
    EXPECT_FALSE(db.error().detail.empty());
    EXPECT_EQ(db.error().detail.find("s3cret"), std::string::npos);
}

TEST(PostgresTest, LostConnectionIsUnavailableAndLeavesThePool) {
    auto fresh = testing::MakeFresh("postgres");
    ASSERT_TRUE(fresh) << Describe(fresh.error());
    auto& db = *fresh->db;
    {
        auto tx = db.Begin(TxMode::kWrite);
        ASSERT_TRUE(tx);
        auto r = (*tx)->QuerySql("SELECT pg_terminate_backend(pg_backend_pid())", {});
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << Describe(r.error());
    }
    EXPECT_EQ(db.Stats().size, 0);
    EXPECT_TRUE(db.Ping());  // a new connection replaces it
    EXPECT_EQ(db.Stats().size, 1);
}

}  // namespace
}  // namespace overture::storage
