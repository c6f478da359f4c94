// The injection proof of the query language, on SQLite and PostgreSQL: expressions carrying
// quotes, comments, semicolons, SQL keywords, backslashes, control characters and unicode, in
// values (string literals, in-lists, like patterns) and in field names, either match literally
// or fail to check with an error naming the position; and no statement other than the
// intended SELECT ever runs.
//
// How "no other statement runs" is proved: by the engines themselves, not by our own code
// (storage/testing/statement_log.hpp). SQLite's trace hook (sqlite3_trace_v2,
// SQLITE_TRACE_STMT, installed on every new connection by an auto-extension) reports every
// statement the engine starts, scripts and triggers included; PostgreSQL's log_statement = 'all'
// (set on the test database only) makes the server log every statement it receives, simple or
// extended protocol, and the test reads the server log of scripts/with-postgres.sh for its one
// connection. A recording decorator of storage::Transaction would only show what our code
// meant to send; the engines' views also cover what a crafted value could make them run.
// The whole sequence must be exactly "BEGIN, the SELECT, ROLLBACK" per expression that
// checks, and nothing for the ones that do not; the table list and every table's row count
// are the same before and after.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "query/testing/dataset.hpp"
#include "storage/query_catalog.hpp"
#include "storage/sql_text.hpp"
#include "storage/testing/statement_log.hpp"

namespace overture::query {
namespace {

using testing::JoinIds;

struct Attempt {
    std::string expr;
    std::string ids;    // the externalIds it selects ("" for none), unless it must fail:
    std::string error;  // a substring of the error, which must also name the position
};

// Every row of the shop data set's profiles (tests/query/shop.data).
const char* const kAll =
    "p01 p02 p03 p04 p05 p06 p07 p08 p09 p10 p11 p12 p13 p14 p15 p16 "
    "p17 p18 p19 p20 p21 p22";

const std::vector<Attempt>& Attempts() {
    static const std::vector<Attempt> k = {
        // Values: string literals that look like SQL match literally or not at all.
        {R"(lastName = "O'Brien; DROP TABLE profiles --")", "p02", ""},
        {R"(lastName = "Robert'); DELETE FROM profiles;--")", "p10", ""},
        {R"(lastName = "/* x */ SELECT 1")", "p09", ""},
        {R"(lastName = "a\\b")", "p07", ""},
        {R"(country = "FR' OR '1'='1")", "", ""},
        {R"(country = "FR\" OR \"1\"=\"1")", "", ""},
        {R"(country = "FR'; DROP TABLE profiles; --")", "", ""},
        {R"(firstName = "x\"; DROP TABLE profiles; --")", "", ""},
        {R"(country = "' UNION SELECT external_id FROM profiles --")", "", ""},
        {R"(country != "FR' --")",
         "p02 p05 p06 p07 p08 p10 p11 p12 p13 p14 p15 p16 p17 p18 "
         "p19 p20 p21 p22 p01 p03 p09",
         ""},
        {R"(country = "\\'; SELECT 1; --")", "", ""},
        {R"(email = "\t\n\u0001\u001f")", "", ""},
        {R"(lastName = "\u00c9CLAIR")", "p12", ""},
        {"firstName = \"Chlo\xc3\xa9\"", "p03", ""},
        {R"(country = "FR\u2019 OR 1=1")", "", ""},
        {R"(lastName = "\ud83d\ude00'; DROP TABLE profiles")", "", ""},
        // In-lists.
        {R"(lastName in ("' UNION SELECT external_id FROM profiles --", "Zed"))", "p11", ""},
        {R"(lastName in ("/* x */ SELECT 1", "a\\b", "'); DROP TABLE x_purchase; --"))", "p07 p09",
         ""},
        {R"(lastName not in ("O'Brien; DROP TABLE profiles --", "Filler", ""))",
         "p01 p03 p04 p06 p07 p08 p09 p10 p11 p12", ""},
        // Like patterns: only % and _ are special; quotes, backslashes and comments are text.
        {R"(lastName like "%DROP TABLE%")", "p02", ""},
        {R"(lastName like "%'; DROP TABLE x_purchase; --%")", "", ""},
        {R"(lastName like "%*/%")", "p09", ""},
        {R"(lastName like "%\\%")", "p07", ""},
        {R"(lastName like "%;--")", "p10", ""},
        {R"(lastName like "%' OR '1'='1")", "", ""},
        // Through links, aggregates and functions.
        {R"(exists purchases where (sku = "O'Reilly; DROP TABLE x_purchase --"))", "p10", ""},
        {R"(count(purchases where sku like "%' OR '1'='1%") = 0)", kAll, ""},
        {R"(referrer.lastName = "O'Brien; DROP TABLE profiles --")", "p05 p06", ""},
        {R"(contains(lastName, "'); DELETE"))", "p10", ""},
        {R"(coalesce(firstName, "'; DROP TABLE profiles; --") = "'; DROP TABLE profiles; --")",
         "p04", ""},
        // SQL around values: comments, semicolons, keywords and other quotes are syntax errors.
        {R"(country = "x"; DROP TABLE profiles)", "",
         "line 1, column 14: unexpected character ';'"},
        {R"(country = "FR" -- comment)", "", "line 1, column 16: comments are not allowed"},
        {R"(country = "FR" /* comment */)", "", "line 1, column 16: comments are not allowed"},
        {R"(country = "FR" UNION SELECT external_id FROM profiles)", "",
         "line 1, column 16: expected 'and', 'or' or end of input"},
        {R"(country = 'FR')", "", "line 1, column 11: unexpected character"},
        {R"(country = "FR" or 1=1 --)", "", "line 1, column 23: comments are not allowed"},
        {"country = \"FR\"\n; DELETE FROM profiles", "",
         "line 2, column 1: unexpected character ';'"},
        // Field names are names of the data model, never SQL: everything else is an error.
        {R"(country; DROP TABLE profiles = "FR")", "",
         "line 1, column 8: unexpected character ';'"},
        {R"(`country` = "FR")", "", "line 1, column 1: unexpected character '`'"},
        {R"([country] = "FR")", "", "line 1, column 1: unexpected character '['"},
        {R"(country--x = "FR")", "", "line 1, column 8: comments are not allowed"},
        {R"(country/**/ = "FR")", "", "line 1, column 8: comments are not allowed"},
        {R"(profiles.country = "FR")", "", "line 1, column 1: unknown link 'profiles'"},
        {R"(x_purchase.sku = "B-1")", "", "line 1, column 1: unknown link 'x_purchase'"},
        {R"(external_id = "p01")", "", "line 1, column 1: unknown field 'external_id'"},
        {R"(drop = 1)", "", "line 1, column 1: unknown field 'drop'"},
        {R"(DROP TABLE profiles)", "",
         "line 1, column 6: expected 'and', 'or' or end of input, found 'TABLE'"},
        {R"(select = "x")", "", "line 1, column 1: unknown field 'select'"},
        {"pa\xc3\xafs = \"FR\"", "", "line 1, column 3: unexpected character"},
        {R"(exists purchases; DROP TABLE x_purchase)", "",
         "line 1, column 17: unexpected character ';'"},
        {R"(count(purchases where 1=1); DROP TABLE x_purchase = 0)", "",
         "line 1, column 27: unexpected character ';'"},
    };
    return k;
}

// The table names of the database and the row count of each.
std::map<std::string, std::int64_t> Snapshot(storage::Database& db) {
    std::map<std::string, std::int64_t> out;
    const char* list = db.dialect() == storage::Dialect::kSqlite
                           ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                           : "SELECT table_name FROM information_schema.tables "
                             "WHERE table_schema = 'public'";
    auto tables =
        storage::WithRead(db, [&](storage::Transaction& tx) { return tx.QuerySql(list, {}); });
    EXPECT_TRUE(tables) << tables.error().message;
    if (!tables) return out;
    for (const auto& row : tables->rows) {
        std::string name = storage::AsString(row[0]);
        auto count = storage::WithRead(db, [&](storage::Transaction& tx) {
            return tx.QuerySql("SELECT COUNT(*) FROM " + storage::QuoteIdent(name), {});
        });
        EXPECT_TRUE(count) << name;
        out[name] = count ? storage::AsInt(count->rows[0][0]) : -1;
    }
    return out;
}

std::string Lines(const std::vector<std::string>& statements) {
    std::string out;
    for (const auto& s : statements) out += "\n  " + s;
    return out;
}

class InjectionTest : public testing::DatasetTest {};

TEST_P(InjectionTest, ValuesMatchLiterallyAndOnlyTheSelectRuns) {
    auto shop = testing::ShopDataset();
    ASSERT_TRUE(shop) << shop.error().message;
    auto loaded = testing::LoadRows(db(), *model_, (*shop)->rows);
    ASSERT_TRUE(loaded) << loaded.error().message << " " << loaded.error().detail;
    const auto before = Snapshot(db());
    ASSERT_TRUE(before.contains("profiles") && before.contains("x_purchase"));
    ASSERT_EQ(before.at("profiles"), 22);

    const bool pg = db().dialect() == storage::Dialect::kPostgres;
    std::string log_path;
    if (pg) {
        auto path = storage::testing::PostgresLogPath();
        ASSERT_TRUE(path) << path.error().message;
        log_path = *path;
        auto st = storage::testing::EnablePostgresStatementLog(db());
        ASSERT_TRUE(st) << st.error().message << " " << st.error().detail;
    } else {
        storage::testing::StartSqliteStatementLog();
    }
    // A pool of one connection opened now, so that the log covers it (PostgreSQL:
    // log_statement applies to sessions opened after the ALTER DATABASE; SQLite: the trace is
    // installed on connections opened after the auto-extension), warmed up before the log's
    // start so that only the expressions' work is in it.
    auto catalog = storage::QueryCatalog::Load(db().dialect());
    ASSERT_TRUE(catalog);
    auto pool = storage::testing::Reopen(fresh(), storage::PoolOptions{.max_connections = 1},
                                         std::move(*catalog));
    ASSERT_TRUE(pool) << pool.error().message;
    storage::Database& one = **pool;
    auto pid = storage::WithRead(one, [&](storage::Transaction& tx) {
        return tx.QuerySql(pg ? "SELECT pg_backend_pid()" : "SELECT 0", {});
    });
    ASSERT_TRUE(pid) << pid.error().message;
    std::uintmax_t offset = 0;
    if (pg) {
        auto size = storage::testing::PostgresLogSize(log_path);
        ASSERT_TRUE(size) << size.error().message;
        offset = *size;
    } else {
        storage::testing::StartSqliteStatementLog();  // clears the warm-up
    }

    std::vector<std::string> expected;  // the statements the engine must have run, in order
    for (const auto& a : Attempts()) {
        auto checked = testing::Compile(model_, a.expr);
        if (!a.error.empty()) {
            if (checked) {
                ADD_FAILURE() << a.expr << ": checks, expected the error " << a.error;
            } else {
                EXPECT_NE(checked.error().message.find(a.error), std::string::npos)
                    << a.expr << ": " << checked.error().message;
                EXPECT_EQ(checked.error().code, ErrorCode::kInvalidArgument) << a.expr;
            }
            continue;
        }
        if (!checked) {
            ADD_FAILURE() << a.expr << ": " << checked.error().message;
            continue;
        }
        std::string sql;
        auto got = testing::SelectIds(one, *checked, clock_, &sql);
        ASSERT_TRUE(got) << a.expr << ": " << got.error().message << " " << got.error().detail;
        std::set<std::string> want;
        std::istringstream in(a.ids);
        for (std::string id; in >> id;) want.insert(id);
        EXPECT_EQ(JoinIds(*got), JoinIds(want)) << a.expr << "\n" << sql;
        expected.push_back(pg ? "BEGIN READ ONLY" : "BEGIN");
        expected.push_back(sql);
        expected.push_back("ROLLBACK");
    }

    std::vector<std::string> ran;
    if (pg) {
        auto logged =
            storage::testing::PostgresStatements(log_path, offset, storage::AsInt(pid->rows[0][0]));
        ASSERT_TRUE(logged) << logged.error().message;
        ran = std::move(*logged);
    } else {
        ran = storage::testing::StopSqliteStatementLog();
    }
    EXPECT_GE(expected.size(), 3u * 25);
    EXPECT_EQ(ran, expected) << "the engine ran:" << Lines(ran) << "\nexpected:" << Lines(expected);
    EXPECT_EQ(Snapshot(db()), before);
}

OVERTURE_INSTANTIATE_BACKENDS(InjectionTest);

}  // namespace
}  // namespace overture::query
