// The storage contract (storage/database.hpp), run on every backend.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <limits>
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

// Transaction::BulkInsert into a temporary table created in the same transaction (dropped with
// it): bigint, double, boolean and text columns, and a date and a timestamptz on PostgreSQL
// (text on SQLite) that receive text values.
class BulkInsertTest : public BackendTest {
  protected:
    bool pg() { return fresh().name == "postgres"; }

    // A write transaction with the empty temporary table `bulk`.
    std::unique_ptr<Transaction> BeginWithTable() {
        auto tx = db().Begin(TxMode::kWrite);
        EXPECT_TRUE(tx) << Describe(tx.error());
        if (!tx) return nullptr;
        auto st = (*tx)->ExecScript(
            pg() ? "CREATE TEMP TABLE bulk (id BIGINT PRIMARY KEY, d DOUBLE PRECISION, "
                   "b BOOLEAN, t TEXT, day DATE, at TIMESTAMPTZ)"
                 : "CREATE TEMP TABLE bulk (id BIGINT PRIMARY KEY, d DOUBLE PRECISION, "
                   "b BOOLEAN, t TEXT, day TEXT, at TEXT)");
        EXPECT_TRUE(st) << Describe(st.error());
        return st ? std::move(*tx) : nullptr;
    }

    // The rows of `bulk` by id, dates and times as the text that was written.
    Result<Rows> ReadBack(Transaction& tx) {
        return tx.QuerySql(pg() ? "SELECT id, d, b, t, to_char(day, 'YYYY-MM-DD') AS day, "
                                  "to_char(at AT TIME ZONE 'UTC', "
                                  "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at "
                                  "FROM bulk ORDER BY id"
                                : "SELECT id, d, b, t, day, at FROM bulk ORDER BY id",
                           {});
    }

    std::int64_t CountRows(Transaction& tx) {
        auto rows = tx.QuerySql("SELECT COUNT(*) FROM bulk", {});
        EXPECT_TRUE(rows) << Describe(rows.error());
        return rows ? AsInt(rows->rows.at(0).at(0)) : -1;
    }

    const std::vector<std::string> columns_{"id", "d", "b", "t", "day", "at"};
};

// Row n of the test data, ordered by id; every column is NULL in some rows.
std::vector<Value> BulkRow(int n) {
    static const std::vector<std::string> kTexts{
        "plain",
        "tab\there",
        "line\nbreak",
        "carriage\rreturn\r\n",
        "back\\slash \\N \\. \\t",
        "\\",
        "it's \"quoted\"",
        "héllo ✓ 日本 🎉",
        "",
        "\\N",
        "\t\n\\\r",
        "comma, semicolon; pipe | end",
    };
    static const std::vector<double> kDoubles{
        0.1, 1.0 / 3.0, -2.5e300, 1e-300, 123456789.123456789, -0.5, 3.0, 2.2250738585072014e-308,
    };
    Value id = std::int64_t{n} * 1000;
    if (n == 0) id = std::numeric_limits<std::int64_t>::min();
    if (n == 9999) id = std::numeric_limits<std::int64_t>::max();
    Value d = n % 7 == 0 ? Value() : Value(kDoubles[n % kDoubles.size()] * (n + 1));
    Value b = n % 3 == 0 ? Value() : Value(n % 2 == 0);
    Value t = n % 11 == 0 ? Value() : Value(kTexts[n % kTexts.size()] + std::to_string(n));
    if (n % 11 == 1) t = kTexts[n % kTexts.size()];  // includes "" and the bare "\N"
    Value day =
        n % 13 == 0
            ? Value()
            : Value(fmt::format("{:04}-{:02}-{:02}", 1900 + n % 200, 1 + n % 12, 1 + n % 28));
    Value at =
        n % 17 == 0
            ? Value()
            : Value(fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", 1970 + n % 100,
                                1 + n % 12, 1 + n % 28, n % 24, n % 60, (n * 7) % 60, n % 1000));
    return {id, d, b, t, day, at};
}

TEST_P(BulkInsertTest, LoadsEveryRowAndReadsBackTheSameValues) {
    constexpr int kRows = 10000;  // several PostgreSQL COPY chunks
    std::vector<std::vector<Value>> rows;
    for (int n = 0; n < kRows; ++n) rows.push_back(BulkRow(n));
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    auto written = tx->BulkInsert("bulk", columns_, rows);
    ASSERT_TRUE(written) << Describe(written.error());
    EXPECT_EQ(*written, kRows);
    auto back = ReadBack(*tx);
    ASSERT_TRUE(back) << Describe(back.error());
    ASSERT_EQ(back->size(), rows.size());
    for (int n = 0; n < kRows; ++n) {
        const auto& want = rows[static_cast<std::size_t>(n)];
        const auto& got = back->rows[static_cast<std::size_t>(n)];
        EXPECT_EQ(got[0], want[0]) << "row " << n;
        EXPECT_EQ(got[1], want[1]) << "row " << n;
        if (IsNull(want[2])) {
            EXPECT_TRUE(IsNull(got[2])) << "row " << n;
        } else {  // a bool from PostgreSQL, 0/1 from SQLite
            EXPECT_EQ(AsBool(got[2], !std::get<bool>(want[2])), std::get<bool>(want[2]))
                << "row " << n;
        }
        EXPECT_EQ(got[3], want[3]) << "row " << n;
        EXPECT_EQ(got[4], want[4]) << "row " << n;
        EXPECT_EQ(got[5], want[5]) << "row " << n;
        if (HasFailure()) break;  // one row's worth of messages is enough
    }
    ASSERT_TRUE(tx->Commit());
}

// Fixed columns: the same value in every row, whatever the number of statements the rows take
// (SQLite inserts 64 rows per statement; 150 rows make full ones and a last, shorter one).
TEST_P(BulkInsertTest, FixedColumnsGetTheirValueInEveryRow) {
    constexpr int kRows = 150;
    std::vector<std::vector<Value>> rows;
    for (int n = 0; n < kRows; ++n)
        rows.push_back({std::int64_t{n}, Value("row " + std::to_string(n))});
    const std::vector<std::string> columns{"id", "t"};
    const std::vector<FixedColumn> fixed{{"d", Value(2.5)},
                                         {"at", Value("2026-11-29T10:00:00.000Z")}};
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    auto written = tx->BulkInsert("bulk", columns, rows, fixed);
    ASSERT_TRUE(written) << Describe(written.error());
    EXPECT_EQ(*written, kRows);
    auto back = ReadBack(*tx);
    ASSERT_TRUE(back) << Describe(back.error());
    ASSERT_EQ(back->size(), static_cast<std::size_t>(kRows));
    for (int n = 0; n < kRows; ++n) {
        const auto& got = back->rows[static_cast<std::size_t>(n)];
        EXPECT_EQ(AsInt(got[0]), n);
        EXPECT_EQ(got[1], Value(2.5)) << "row " << n;
        EXPECT_TRUE(IsNull(got[2])) << "row " << n;
        EXPECT_EQ(AsString(got[3]), "row " + std::to_string(n));
        EXPECT_EQ(AsString(got[5]), "2026-11-29T10:00:00.000Z") << "row " << n;
        if (HasFailure()) break;
    }
    ASSERT_TRUE(tx->Commit());
}

TEST_P(BulkInsertTest, NoRowsWritesNothing) {
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    auto written = tx->BulkInsert("bulk", columns_, std::span<const std::vector<Value>>());
    ASSERT_TRUE(written) << Describe(written.error());
    EXPECT_EQ(*written, 0);
    EXPECT_EQ(CountRows(*tx), 0);
    EXPECT_TRUE(tx->Commit());
}

TEST_P(BulkInsertTest, UniqueViolationIsAlreadyExistsAndSpoilsTheTransaction) {
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    std::vector<std::vector<Value>> first{BulkRow(1), BulkRow(2)};
    ASSERT_TRUE(tx->BulkInsert("bulk", columns_, first));
    std::vector<std::vector<Value>> again{BulkRow(3), BulkRow(2), BulkRow(4)};
    auto written = tx->BulkInsert("bulk", columns_, again);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kAlreadyExists) << Describe(written.error());
    EXPECT_EQ(written.error().message.find("bulk"), std::string::npos);  // nothing internal
    EXPECT_FALSE(tx->Commit());
    tx.reset();
    // The connection went back to the pool in a usable state.
    auto after = WithWrite(db(), [](Transaction& t) { return t.QuerySql("SELECT 1", {}); });
    EXPECT_TRUE(after) << Describe(after.error());
    if (pg()) {
        EXPECT_EQ(db().Stats().size, 1);  // reused, not dropped as broken
    }
}

TEST_P(BulkInsertTest, WrongRowWidthIsInvalidArgumentBeforeAnythingIsSent) {
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    auto short_row = BulkRow(2);
    short_row.pop_back();
    std::vector<std::vector<Value>> rows{BulkRow(1), short_row, BulkRow(3)};
    auto written = tx->BulkInsert("bulk", columns_, rows);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument) << Describe(written.error());
    // Nothing reached the database: the first row is not there and the transaction still works.
    EXPECT_EQ(CountRows(*tx), 0);

    auto no_columns = tx->BulkInsert("bulk", {}, std::vector<std::vector<Value>>{{}});
    ASSERT_FALSE(no_columns);
    EXPECT_EQ(no_columns.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(BulkInsertTest, BadValueFailsAndTheConnectionRecovers) {
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    // A NULL in a NOT NULL column, after enough good rows that PostgreSQL is mid-stream.
    ASSERT_TRUE(tx->ExecScript("CREATE TEMP TABLE strict_bulk (id BIGINT NOT NULL)"));
    std::vector<std::string> id_only{"id"};
    std::vector<std::vector<Value>> rows(5000, std::vector<Value>{std::int64_t{1}});
    rows.push_back({Value()});
    auto written = tx->BulkInsert("strict_bulk", id_only, rows);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::kInternal) << Describe(written.error());
    EXPECT_FALSE(tx->Commit());
    tx.reset();
    auto after = WithWrite(db(), [](Transaction& t) { return t.QuerySql("SELECT 1", {}); });
    EXPECT_TRUE(after) << Describe(after.error());
}

// Not an assertion: prints the load rate of each backend for the record.
TEST_P(BulkInsertTest, ThroughputOf200000Rows) {
    constexpr int kRows = 200000;
    std::vector<std::vector<Value>> rows;
    rows.reserve(kRows);
    for (int n = 0; n < kRows; ++n) {
        auto row = BulkRow(n % 9998 + 1);
        row[0] = std::int64_t{n};
        rows.push_back(std::move(row));
    }
    auto tx = BeginWithTable();
    ASSERT_NE(tx, nullptr);
    auto start = std::chrono::steady_clock::now();
    auto written = tx->BulkInsert("bulk", columns_, rows);
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(written) << Describe(written.error());
    EXPECT_EQ(*written, kRows);
    std::printf("[ bulk     ] %s: %d rows in %.3f s = %.0f rows/s\n", fresh().name.c_str(), kRows,
                seconds, kRows / seconds);
}

OVERTURE_INSTANTIATE_BACKENDS(BulkInsertTest);

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
