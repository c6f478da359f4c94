// RunImport on SQLite and PostgreSQL: the fast path of a large import into an empty table
// (no duplicate step without a repeated key hash, no match, secondary indexes dropped and
// re-created around the insert) gives the same records, rejects, counts and errors as the
// general path. Also the key hash set on its own.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <zlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/testing/temp_dir.hpp"
#include "importexport/csv_reader.hpp"
#include "importexport/importer.hpp"
#include "importexport/key_hashes.hpp"
#include "schema/model.hpp"
#include "storage/testing/backend_param.hpp"
#include "storage/testing/databases.hpp"
#include "storage/testing/statement_log.hpp"

namespace overture::importexport {
namespace {

using storage::Value;
using test_util::TempDir;
using test_util::WriteFile;

constexpr int kRows = 10'000;  // at the threshold of the deferred indexes

const std::string kUniqueMessage =
    "the file holds values that another profile already has in a unique field; nothing was "
    "imported (reconcile on that field to update those records)";

// Row i of a generated file: emails in an order unlike the file's, so that an insert in key
// order would give other ids than an insert in file order.
std::string Email(int i) { return fmt::format("p{:05}@example.com", (i * 7919) % kRows); }

std::string ProfilesCsv(int rows, const std::string& city = "Paris") {
    std::string csv = "email,firstName,city,externalId\n";
    for (int i = 0; i < rows; ++i) {
        csv += fmt::format("{},Name{},{},x{}\n", Email(i), i, city, i);
    }
    return csv;
}

struct Reject {
    std::uint64_t line;
    std::string column;
    std::string reason;
    bool operator==(const Reject&) const = default;
};

void PrintTo(const Reject& r, std::ostream* os) {
    *os << r.line << " [" << r.column << "] " << r.reason;
}

// Runs statements of our own in a write transaction.
Status Exec(storage::Database& db, const std::vector<std::string>& statements) {
    return storage::WithWrite(db, [&](storage::Transaction& tx) -> Status {
        for (const auto& sql : statements) {
            if (auto n = tx.ExecSql(sql, {}); !n) return Fail(n.error());
        }
        return {};
    });
}

class ImporterTest : public storage::testing::BackendTest {
  protected:
    Result<ImportResult> Import(const std::string& csv, ImportMode mode = ImportMode::kUpsert,
                                std::vector<std::string> keys = {"email"}) {
        auto path = dir_.File(fmt::format("in{}.csv", ++files_));
        WriteFile(path, csv);
        return ImportFile(path, mode, std::move(keys));
    }

    Result<ImportResult> ImportFile(const std::string& path, ImportMode mode = ImportMode::kUpsert,
                                    std::vector<std::string> keys = {"email"},
                                    const ProgressFn& on_progress = {},
                                    const std::atomic<bool>* cancel = nullptr) {
        auto spec = Spec("profile", path, {"email", "firstName", "city", "externalId"}, mode,
                         std::move(keys));
        EXPECT_EQ(spec.columns.size(), 4u);
        return RunImport(db(), schema::BuiltinModel(), spec, clock_, on_progress, cancel);
    }

    // `csv` into `resource`, its columns mapped by name from `header`.
    Result<ImportResult> ImportInto(const std::string& resource, const std::string& csv,
                                    const std::vector<std::string>& header, ImportMode mode,
                                    std::vector<std::string> keys) {
        auto path = dir_.File(fmt::format("in{}.csv", ++files_));
        WriteFile(path, csv);
        return RunImport(db(), schema::BuiltinModel(),
                         Spec(resource, path, header, mode, std::move(keys)), clock_);
    }

    ImportSpec Spec(const std::string& resource, const std::string& path,
                    const std::vector<std::string>& header, ImportMode mode,
                    std::vector<std::string> keys) {
        ImportSpec spec;
        spec.resource = resource;
        spec.path = path;
        spec.mode = mode;
        spec.keys = std::move(keys);
        spec.actor = "test";
        spec.rejects_path = dir_.File("rejects.csv");
        spec.columns = AutoMap(*schema::BuiltinModel().Find(resource), header);
        spec.max_key_hashes = max_key_hashes_;
        return spec;
    }

    // The rejects file of the last import, without the original fields.
    std::vector<Reject> Rejects() {
        std::vector<Reject> out;
        auto reader = CsvReader::Open(dir_.File("rejects.csv"), CsvOptions{});
        EXPECT_TRUE(reader.has_value());
        if (!reader) return out;
        CsvRecord record;
        bool header = true;
        while (true) {
            auto more = (*reader)->Next(record);
            EXPECT_TRUE(more.has_value());
            if (!more || !*more) break;
            if (std::exchange(header, false)) continue;
            out.push_back({std::stoull(std::string(record.fields[0])),
                           std::string(record.fields[1]), std::string(record.fields[2])});
        }
        return out;
    }

    storage::Rows Query(const std::string& sql) {
        auto rows =
            storage::WithRead(db(), [&](storage::Transaction& tx) { return tx.QuerySql(sql, {}); });
        EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().detail);
        return rows ? *rows : storage::Rows{};
    }

    // Every index of profiles (constraint ones too), by name, with its definition.
    std::vector<std::pair<std::string, std::string>> Indexes() {
        auto rows =
            Query(storage::testing::DialectOf(GetParam()) == storage::Dialect::kSqlite
                      ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                        "tbl_name = 'profiles' ORDER BY name"
                      : "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = "
                        "'profiles' AND schemaname = current_schema() ORDER BY indexname");
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& r : rows.rows) {
            out.emplace_back(storage::AsString(r[0]), storage::AsString(r[1]));
        }
        return out;
    }

    std::int64_t Count() {
        auto rows = Query("SELECT count(*) FROM profiles");
        return rows.empty() ? -1 : storage::AsInt(rows.rows[0][0]);
    }

    FakeClock clock_{FromUnixMillis(1'780'000'000'000)};
    TempDir dir_{"overture-importer"};
    int files_ = 0;
    std::size_t max_key_hashes_ = ImportSpec{}.max_key_hashes;
};

TEST_P(ImporterTest, FreshImportInsertsInFileOrderAndKeepsTheIndexes) {
    auto before = Indexes();
    ASSERT_GE(before.size(), 3u);  // email, externalId, mobilePhone (and PostgreSQL's pkey)

    auto result = Import(ProfilesCsv(kRows));
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->read, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(result->inserted, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(result->updated, 0u);
    EXPECT_EQ(result->unchanged, 0u);
    EXPECT_EQ(result->rejected, 0u);
    EXPECT_TRUE(Rejects().empty());

    // New ids follow the file.
    auto rows = Query("SELECT id, email, external_id FROM profiles ORDER BY id");
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(kRows));
    for (int i = 0; i < kRows; ++i) {
        const auto& row = rows.rows[i];
        ASSERT_EQ(storage::AsString(row[1]), Email(i)) << "id " << storage::AsInt(row[0]);
        ASSERT_EQ(storage::AsString(row[2]), fmt::format("x{}", i));
        if (i > 0) {
            ASSERT_EQ(storage::AsInt(row[0]), storage::AsInt(rows.rows[i - 1][0]) + 1);
        }
    }
    EXPECT_EQ(Indexes(), before);

    // The unique index works again.
    auto again = Import("email,firstName,city,externalId\nnew@example.com,New,Rome,x7\n");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(again.error().message, kUniqueMessage);
}

TEST_P(ImporterTest, DuplicateKeysInTheFileAreRejectedAsBefore) {
    auto csv = ProfilesCsv(kRows);
    // Line 10,002 repeats line 2's e-mail (with another case of its domain), line 10,003 has
    // a bad e-mail, line 10,004 an empty key, line 10,005 repeats line 10,002.
    csv += fmt::format("{},Dup,Rome,y1\n", "p00000@EXAMPLE.com");
    csv += "not-an-email,Bad,Rome,y2\n";
    csv += ",Empty,Rome,y3\n";
    csv += fmt::format("{},Dup2,Rome,y4\n", Email(0));
    auto result = Import(csv);
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->read, static_cast<std::uint64_t>(kRows + 4));
    EXPECT_EQ(result->inserted, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(result->rejected, 4u);
    auto rejects = Rejects();
    ASSERT_EQ(rejects.size(), 4u);
    EXPECT_EQ(rejects[0],
              (Reject{10'002, "email", "duplicate key in the file: same email as line 2"}));
    EXPECT_EQ(rejects[1].line, 10'003u);
    EXPECT_EQ(rejects[1].column, "email");
    EXPECT_EQ(rejects[2], (Reject{10'004, "email", "the key field email is empty"}));
    EXPECT_EQ(rejects[3],
              (Reject{10'005, "email", "duplicate key in the file: same email as line 2"}));
    auto first = Query("SELECT first_name FROM profiles WHERE email = 'p00000@example.com'");
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(storage::AsString(first.rows[0][0]), "Name0");
}

TEST_P(ImporterTest, ComposedKeysAreComparedWhole) {
    // ("ab", "c") and ("a", "bc") must not look alike; nor may the same first name with
    // different e-mails.
    std::string csv = "email,firstName,city,externalId\n";
    csv += "a@example.com,ab,c,1\n";
    csv += "a@example.com,a,bc,2\n";
    csv += "b@example.com,ab,c,3\n";
    csv += "a@example.com,ab,c,4\n";
    auto path_keys = std::vector<std::string>{"email", "firstName", "city"};
    auto result = Import(csv, ImportMode::kInsert, path_keys);
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->inserted, 3u);
    EXPECT_EQ(Rejects(),
              (std::vector<Reject>{
                  {5, "email, firstName, city",
                   "duplicate key in the file: same email, firstName, city as line 2"}}));
}

TEST_P(ImporterTest, UniqueValueTwiceInTheFileFailsAndChangesNothing) {
    auto before = Indexes();
    // Reconciled on email; two lines share an externalId, which is unique. Both the deferred
    // path (>= 10,000 lines) and the plain one give the insert's error.
    for (int rows : {kRows, 100}) {
        auto csv = ProfilesCsv(rows);
        csv += "other@example.com,Other,Rome,x5\n";
        auto result = Import(csv);
        ASSERT_FALSE(result) << rows;
        EXPECT_EQ(result.error().code, ErrorCode::kAlreadyExists) << rows;
        EXPECT_EQ(result.error().message, kUniqueMessage) << rows;
        EXPECT_EQ(Count(), 0) << rows;
        EXPECT_EQ(Indexes(), before) << rows;
    }
    // The table is still usable.
    auto result = Import(ProfilesCsv(kRows));
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(Count(), kRows);
}

TEST_P(ImporterTest, ImportIntoATableWithRecordsStillReconciles) {
    ASSERT_TRUE(Import(ProfilesCsv(kRows)));
    // The same file: nothing changes.
    auto same = Import(ProfilesCsv(kRows));
    ASSERT_TRUE(same) << same.error().message << " " << same.error().detail;
    EXPECT_EQ(same->unchanged, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(same->inserted + same->updated, 0u);

    // 100 changed lines, 50 new ones, and one duplicate.
    std::string csv = "email,firstName,city,externalId\n";
    for (int i = 0; i < kRows; ++i) {
        csv += fmt::format("{},Name{},{},x{}\n", Email(i), i, i < 100 ? "Lyon" : "Paris", i);
    }
    for (int i = 0; i < 50; ++i) csv += fmt::format("new{}@example.com,New,Rome,n{}\n", i, i);
    csv += fmt::format("{},Dup,Rome,d\n", Email(3));
    auto result = Import(csv);
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->updated, 100u);
    EXPECT_EQ(result->unchanged, static_cast<std::uint64_t>(kRows - 100));
    EXPECT_EQ(result->inserted, 50u);
    EXPECT_EQ(Rejects(),
              (std::vector<Reject>{{static_cast<std::uint64_t>(kRows + 52), "email",
                                    "duplicate key in the file: same email as line 5"}}));
    EXPECT_EQ(Count(), kRows + 50);

    // insert mode rejects the existing keys, naming the record.
    auto insert =
        Import("email,firstName,city,externalId\np00000@example.com,A,B,C\n", ImportMode::kInsert);
    ASSERT_TRUE(insert);
    auto rejects = Rejects();
    ASSERT_EQ(rejects.size(), 1u);
    EXPECT_TRUE(rejects[0].reason.starts_with("a profile with this key already exists (id "))
        << rejects[0].reason;
}

TEST_P(ImporterTest, UpdateAndDeleteIntoAnEmptyTableRejectEveryLine) {
    for (auto mode : {ImportMode::kUpdate, ImportMode::kDelete}) {
        auto result = Import(ProfilesCsv(3), mode);
        ASSERT_TRUE(result) << result.error().message;
        EXPECT_EQ(result->rejected, 3u);
        EXPECT_EQ(result->updated + result->deleted + result->inserted, 0u);
        EXPECT_EQ(Rejects(), (std::vector<Reject>{{2, "email", "no profile has this key"},
                                                  {3, "email", "no profile has this key"},
                                                  {4, "email", "no profile has this key"}}));
    }
}

// Straight into an empty table and staged into one with records, the same file gives the same
// records and the same rejects: required fields, bad values, a wrong width and an empty key
// are checked per line on the straight path as the SQL steps check them on the staged one,
// and an empty built-in flag becomes false on both. (testProfile has no createdBy/modifiedBy:
// the staged insert used to bind the user anyway, and both backends refused the statement.)
TEST_P(ImporterTest, StraightAndStagedImportsRejectTheSameLines) {
    const std::string csv =
        "label,email,useForProof,country\n"
        "Alice,alice@example.com,true,FR\n"
        ",bob@example.com,false,FR\n"
        "Carol,carol@example.com,,FR\n"
        "Dan,not-an-email,true,FR\n"
        "Eve,eve@example.com,true\n"
        "Fay,,true,FR\n"
        "Gus,gus@example.com,false,FR\n";
    auto run = [&](const std::vector<std::string>& header) {
        return ImportInto("testProfile", csv, header, ImportMode::kUpsert, {"email"});
    };
    const std::vector<std::string> all = {"label", "email", "useForProof", "country"};
    const std::vector<Reject> expected = {
        {3, "label", "label is required for a new testProfile"},
        {5, "email", "not a valid email address"},
        {6, "", "expected 4 columns, found 3"},
        {7, "email", "the key field email is empty"},
    };
    const std::string rows_sql =
        "SELECT label, email, use_for_proof, country FROM test_profiles WHERE email <> "
        "'seed@example.com' ORDER BY id";
    auto straight = run(all);
    ASSERT_TRUE(straight) << straight.error().message << " " << straight.error().detail;
    EXPECT_EQ(straight->inserted, 3u);
    EXPECT_EQ(straight->rejected, 4u);
    auto straight_rejects = Rejects();
    auto straight_rows = Query(rows_sql);

    auto cleared = Exec(db(), {"DELETE FROM test_profiles",
                               "INSERT INTO test_profiles (created_at, modified_at, label, email) "
                               "VALUES ('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', "
                               "'Seed', 'seed@example.com')"});
    ASSERT_TRUE(cleared) << cleared.error().message;
    auto staged = run(all);
    ASSERT_TRUE(staged) << staged.error().message << " " << staged.error().detail;
    EXPECT_EQ(staged->inserted, 3u);
    EXPECT_EQ(staged->rejected, 4u);
    auto staged_rejects = Rejects();
    auto staged_rows = Query(rows_sql);

    for (const auto* rejects : {&straight_rejects, &staged_rejects}) {
        ASSERT_EQ(rejects->size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            EXPECT_EQ((*rejects)[i].line, expected[i].line);
            EXPECT_EQ((*rejects)[i].column, expected[i].column);
            // Conversion messages are the normalizer's; the others are exact.
            if (expected[i].line != 5) {
                EXPECT_EQ((*rejects)[i].reason, expected[i].reason);
            }
        }
    }
    EXPECT_EQ(straight_rejects, staged_rejects);
    ASSERT_EQ(straight_rows.size(), 3u);
    ASSERT_EQ(staged_rows.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t c = 0; c < 4; ++c) {
            EXPECT_EQ(storage::AsString(straight_rows.rows[i][c]),
                      storage::AsString(staged_rows.rows[i][c]))
                << i << "," << c;
        }
    }
    EXPECT_EQ(storage::AsString(straight_rows.rows[1][0]), "Carol");
    EXPECT_FALSE(storage::AsBool(straight_rows.rows[1][2]));  // empty flag: false
    EXPECT_EQ(storage::AsString(straight_rows.rows[0][3]), "FR");

    // A required field that no column feeds rejects every line that would be new.
    ASSERT_TRUE(Exec(db(), {"DELETE FROM test_profiles"}));
    auto unmapped = run({"", "email", "", ""});
    ASSERT_TRUE(unmapped) << unmapped.error().message;
    EXPECT_EQ(unmapped->inserted, 0u);
    auto rejects = Rejects();
    ASSERT_EQ(rejects.size(), 7u);
    EXPECT_EQ(rejects[0],
              (Reject{2, "label", "label is required for a new testProfile (map a column to it)"}));
}

// A link must point at an existing record (step 3), and a required link needs a column
// (step 4): subscriptions link a service and a profile, both required. (Subscriptions have no
// createdBy/modifiedBy either: before the fix, no subscription could be imported.)
TEST_P(ImporterTest, LinksAreCheckedAndRequiredLinksNeedAColumn) {
    ASSERT_TRUE(Import(ProfilesCsv(3)));
    ASSERT_TRUE(Exec(db(), {"INSERT INTO services (created_at, modified_at, name, label, channel) "
                            "VALUES ('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', "
                            "'news', 'News', 'email')"}));
    auto ids = Query("SELECT id FROM profiles ORDER BY id");
    ASSERT_EQ(ids.size(), 3u);
    const auto service = storage::AsInt(Query("SELECT id FROM services").rows.at(0).at(0));
    const auto p1 = storage::AsInt(ids.rows[0][0]), p2 = storage::AsInt(ids.rows[1][0]);
    auto run = [&](const std::string& csv, const std::vector<std::string>& header) {
        return ImportInto("subscription", csv, header, ImportMode::kInsert, {});
    };
    auto result =
        run(fmt::format("service,profile\n{0},{1}\n{0},999999\n{0},{2}\n", service, p1, p2),
            {"service", "profile"});
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->inserted, 2u);
    EXPECT_EQ(Rejects(),
              (std::vector<Reject>{{3, "profile", "there is no profile with id 999999"}}));
    EXPECT_EQ(storage::AsInt(Query("SELECT count(*) FROM subscriptions").rows.at(0).at(0)), 2);

    result = run(fmt::format("profile\n{}\n", storage::AsInt(ids.rows[2][0])), {"profile"});
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->inserted, 0u);
    EXPECT_EQ(Rejects(), (std::vector<Reject>{{2, "service",
                                               "service is required for a new subscription "
                                               "(map a column to it)"}}));
}

// A key that repeats far into a large file: the rows inserted straight are undone and the file
// is read again, staged; the result is as if it had been staged from the start.
TEST_P(ImporterTest, ARepeatedKeyLateInTheFileGivesTheStagedResult) {
    auto before = Indexes();
    auto csv = ProfilesCsv(2 * kRows);  // every e-mail twice
    auto result = Import(csv);
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->inserted, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(result->rejected, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(Count(), kRows);
    auto rejects = Rejects();
    ASSERT_EQ(rejects.size(), static_cast<std::size_t>(kRows));
    EXPECT_EQ(rejects[0], (Reject{static_cast<std::uint64_t>(kRows + 2), "email",
                                  "duplicate key in the file: same email as line 2"}));
    auto first = Query("SELECT first_name FROM profiles WHERE email = 'p00000@example.com'");
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(storage::AsString(first.rows[0][0]), "Name0");
    EXPECT_EQ(Indexes(), before);
}

// More lines than the set of key hashes holds: the rows still go in straight, and SQL looks
// for a key twice once they are in; if it finds one, the file is read again, staged.
TEST_P(ImporterTest, MoreKeysThanTheHashSetHoldsAreCheckedInSql) {
    max_key_hashes_ = 100;
    auto before = Indexes();
    auto result = Import(ProfilesCsv(kRows));
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->inserted, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(result->rejected, 0u);
    EXPECT_EQ(Count(), kRows);
    EXPECT_EQ(Indexes(), before);

    ASSERT_TRUE(Exec(db(), {"DELETE FROM profiles"}));
    // Line 10,002 repeats line 5,002, both past the set's 100 lines.
    auto csv = ProfilesCsv(kRows) + fmt::format("{},Dup,Rome,dup\n", Email(5000));
    result = Import(csv);
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_EQ(result->inserted, static_cast<std::uint64_t>(kRows));
    EXPECT_EQ(Rejects(), (std::vector<Reject>{{static_cast<std::uint64_t>(kRows + 2), "email",
                                               "duplicate key in the file: same email as "
                                               "line 5002"}}));
    EXPECT_EQ(Count(), kRows);
    EXPECT_EQ(Indexes(), before);
}

// The file is read on a thread of its own while the caller's thread stages the rows: progress
// still reaches the caller on its own thread, in order, and the last reading report counts
// every line.
TEST_P(ImporterTest, ProgressComesOnTheCallersThreadInOrder) {
    auto path = dir_.File("progress.csv");
    WriteFile(path, ProfilesCsv(3 * kRows));
    const auto caller = std::this_thread::get_id();
    std::vector<ImportProgress> seen;
    bool other_thread = false;
    auto result = ImportFile(path, ImportMode::kUpsert, {"email"}, [&](const ImportProgress& p) {
        if (std::this_thread::get_id() != caller) other_thread = true;
        seen.push_back(p);
    });
    ASSERT_TRUE(result) << result.error().message << " " << result.error().detail;
    EXPECT_FALSE(other_thread);
    ASSERT_GE(seen.size(), 4u);
    std::uint64_t lines = 0, last_reading = 0;
    for (const auto& p : seen) {
        EXPECT_GE(p.lines, lines) << p.phase;
        lines = p.lines;
        if (p.phase == "reading") last_reading = p.lines;
    }
    EXPECT_EQ(last_reading, static_cast<std::uint64_t>(3 * kRows));
    EXPECT_EQ(seen.back().phase, "done");
}

TEST_P(ImporterTest, ACancelledImportChangesNothing) {
    auto path = dir_.File("cancel.csv");
    WriteFile(path, ProfilesCsv(3 * kRows));
    const auto before = Indexes();
    std::atomic<bool> cancel{false};
    auto result = ImportFile(
        path, ImportMode::kUpsert, {"email"},
        [&](const ImportProgress& p) {
            if (p.lines >= 10'000) cancel = true;  // while the file is being read
        },
        &cancel);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_EQ(result.error().message, "the import was cancelled; nothing changed");
    EXPECT_EQ(Count(), 0);
    EXPECT_EQ(Indexes(), before);
}

// A gzip file cut in the middle fails while it is read, after rows were staged: the import
// fails with the reader's error and writes nothing.
TEST_P(ImporterTest, AFileThatBreaksOffFailsAndChangesNothing) {
    const std::string csv = ProfilesCsv(3 * kRows);
    auto path = dir_.File("cut.csv.gz");
    gzFile out = gzopen(path.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    ASSERT_EQ(gzwrite(out, csv.data(), static_cast<unsigned>(csv.size())),
              static_cast<int>(csv.size()));
    ASSERT_EQ(gzclose(out), Z_OK);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) * 2 / 3);

    std::uint64_t read_before_failing = 0;
    auto result = ImportFile(path, ImportMode::kUpsert, {"email"},
                             [&](const ImportProgress& p) { read_before_failing = p.lines; });
    ASSERT_FALSE(result);
    EXPECT_GT(read_before_failing, 0u) << "rows were staged before the error";
    EXPECT_EQ(Count(), 0);
}

OVERTURE_INSTANTIATE_BACKENDS(ImporterTest);

// The import raises SQLite's page cache for its run, then must give the writer connection
// back with its own setting (src/storage/sqlite/connection.cpp), also after a failed import.
TEST(ImporterSqliteTest, ImportRestoresTheWritersPageCache) {
    auto fresh = storage::testing::MakeFresh("sqlite");
    ASSERT_TRUE(fresh) << fresh.error().message;
    storage::Database& db = *fresh->db;
    auto cache_size = [&] {
        auto rows = storage::WithWrite(
            db, [](storage::Transaction& tx) { return tx.QuerySql("PRAGMA cache_size", {}); });
        EXPECT_TRUE(rows && !rows->empty());
        return rows && !rows->empty() ? storage::AsInt(rows->rows[0][0]) : 0;
    };
    const auto own = cache_size();
    TempDir dir("overture-importer");
    FakeClock clock(FromUnixMillis(1'780'000'000'000));
    ImportSpec spec;
    spec.resource = "profile";
    spec.path = dir.File("in.csv");
    spec.keys = {"email"};
    spec.columns = AutoMap(*schema::BuiltinModel().Find("profile"), {"email", "externalId"});
    WriteFile(spec.path, "email,externalId\na@example.com,1\nb@example.com,2\n");
    ASSERT_TRUE(RunImport(db, schema::BuiltinModel(), spec, clock));
    EXPECT_EQ(cache_size(), own);
    WriteFile(spec.path, "email,externalId\nc@example.com,1\n");
    ASSERT_FALSE(RunImport(db, schema::BuiltinModel(), spec, clock));
    EXPECT_EQ(cache_size(), own);
}

// Which statements the fast path runs, read from SQLite's own trace: a large file into an
// empty table skips the duplicate window and the match and defers the indexes; a repeated key
// brings the duplicate step back; a table with records gets the match again.
TEST(ImporterSqliteTest, FastPathSkipsTheStepsWithNothingToDo) {
    storage::testing::StartSqliteStatementLog();
    auto fresh = storage::testing::MakeFresh("sqlite");
    ASSERT_TRUE(fresh) << fresh.error().message;
    storage::Database& db = *fresh->db;
    TempDir dir("overture-importer");
    FakeClock clock(FromUnixMillis(1'780'000'000'000));
    ImportSpec spec;
    spec.resource = "profile";
    spec.path = dir.File("in.csv");
    spec.keys = {"email"};
    spec.columns = AutoMap(*schema::BuiltinModel().Find("profile"),
                           {"email", "firstName", "city", "externalId"});
    auto run = [&](const std::string& csv) {
        WriteFile(spec.path, csv);
        storage::testing::StartSqliteStatementLog();
        auto result = RunImport(db, schema::BuiltinModel(), spec, clock);
        EXPECT_TRUE(result) << result.error().message;
        std::string all;
        for (const auto& s : storage::testing::StopSqliteStatementLog()) all += s + "\n";
        return all;
    };
    auto ran = [](const std::string& log, std::string_view what) {
        return log.find(what) != std::string::npos;
    };

    auto log = run(ProfilesCsv(kRows));
    // Straight into the table: no staged row.
    EXPECT_TRUE(ran(log, "SAVEPOINT ov_import_direct")) << log;
    EXPECT_FALSE(ran(log, "INSERT INTO \"ov_import_stage\"")) << log;
    EXPECT_FALSE(ran(log, "OVER (PARTITION BY")) << log;
    EXPECT_FALSE(ran(log, "SET (target_id, id_max)")) << log;
    EXPECT_FALSE(ran(log, "SET unchanged = 1")) << log;
    EXPECT_TRUE(ran(log, "DROP INDEX \"profiles_email_idx\"")) << log;
    EXPECT_TRUE(ran(log, "CREATE UNIQUE INDEX profiles_external_id_key")) << log;

    // With records: the match and the unchanged check run, the indexes stay.
    log = run(ProfilesCsv(kRows, "Lyon"));
    EXPECT_FALSE(ran(log, "OVER (PARTITION BY")) << log;
    EXPECT_TRUE(ran(log, "SET (target_id, id_max)")) << log;
    EXPECT_TRUE(ran(log, "SET unchanged = 1")) << log;
    EXPECT_FALSE(ran(log, "DROP INDEX")) << log;

    EXPECT_TRUE(ran(log, "INSERT INTO \"ov_import_stage\"")) << log;

    // Into an empty table with a repeated key: straight, undone at the repeat, staged.
    ASSERT_TRUE(Exec(db, {"DELETE FROM profiles"}));
    log = run(ProfilesCsv(kRows, "Rome") + "p00000@example.com,Dup,Rome,d\n");
    EXPECT_TRUE(ran(log, "ROLLBACK TO SAVEPOINT ov_import_direct")) << log;
    EXPECT_TRUE(ran(log, "INSERT INTO \"ov_import_stage\"")) << log;
    EXPECT_TRUE(ran(log, "OVER (PARTITION BY")) << log;

    // More lines than the set of key hashes holds: straight, then one SQL search for a key
    // twice, which finds none.
    ASSERT_TRUE(Exec(db, {"DELETE FROM profiles"}));
    spec.max_key_hashes = 100;
    log = run(ProfilesCsv(kRows));
    EXPECT_TRUE(ran(log, "HAVING count(*) > 1")) << log;
    EXPECT_FALSE(ran(log, "ROLLBACK TO SAVEPOINT")) << log;
    EXPECT_FALSE(ran(log, "INSERT INTO \"ov_import_stage\"")) << log;
}

TEST(KeyHashesTest, TellsDistinctKeysAndStopsAtARepeat) {
    KeyHashes set(100);
    for (std::uint64_t h = 0; h < 50; ++h) EXPECT_TRUE(set.Add(h * 0x9e3779b97f4a7c15ULL)) << h;
    EXPECT_FALSE(set.Inconclusive());
    EXPECT_EQ(set.size(), 50u);
    EXPECT_FALSE(set.Add(7 * 0x9e3779b97f4a7c15ULL));
    EXPECT_TRUE(set.Inconclusive());
    EXPECT_FALSE(set.Overflowed());  // a repeat, not too many
    EXPECT_EQ(set.memory_bytes(), 0u);
    EXPECT_FALSE(set.Add(12345));
}

TEST(KeyHashesTest, StopsPastItsBound) {
    // The table stops doubling at the smallest power of two above the bound (4096 slots for
    // 3500) and fills past 3/4 instead.
    KeyHashes set(3500);
    for (std::uint64_t h = 1; h <= 3500; ++h) ASSERT_TRUE(set.Add(h << 20));
    EXPECT_FALSE(set.Inconclusive());
    EXPECT_EQ(set.memory_bytes(), 4096u * 8);
    EXPECT_FALSE(set.Overflowed());
    EXPECT_FALSE(set.Add(std::uint64_t{3501} << 20));
    EXPECT_TRUE(set.Inconclusive());
    EXPECT_TRUE(set.Overflowed());
    EXPECT_EQ(set.memory_bytes(), 0u);
}

TEST(KeyHashesTest, ManyDistinctHashesGrowTheTable) {
    KeyHashes set(1'000'000);
    for (int i = 0; i < 150'000; ++i) {
        Value v(fmt::format("person{}@example.com", i));
        const Value* p = &v;
        ASSERT_TRUE(set.Add(HashKey({&p, 1}))) << i;
    }
    EXPECT_FALSE(set.Inconclusive());
    // At most 3/4 full: 2^18 slots of 8 bytes.
    EXPECT_EQ(set.memory_bytes(), (std::size_t{1} << 18) * 8);
}

TEST(KeyHashesTest, ValuesEqualInSqlHashAlike) {
    auto hash = [](std::initializer_list<Value> values) {
        std::vector<const Value*> ptrs;
        for (const auto& v : values) ptrs.push_back(&v);
        return HashKey(ptrs);
    };
    EXPECT_EQ(hash({Value(0.0)}), hash({Value(-0.0)}));
    EXPECT_EQ(hash({Value(3.0)}), hash({Value(std::int64_t{3})}));
    EXPECT_EQ(hash({Value(true)}), hash({Value(std::int64_t{1})}));
    EXPECT_EQ(hash({Value(std::string("a@b.c"))}), hash({Value(std::string("a@b.c"))}));
    EXPECT_NE(hash({Value(0.5)}), hash({Value(-0.5)}));
    EXPECT_NE(hash({Value(std::string("a"))}), hash({Value(std::string("a\0", 2))}));
    EXPECT_NE(hash({Value(std::string("ab")), Value(std::string("c"))}),
              hash({Value(std::string("a")), Value(std::string("bc"))}));
    EXPECT_NE(hash({Value(std::string("1"))}), hash({Value(std::int64_t{1})}));
    EXPECT_NE(hash({Value(std::string("12345678"))}), hash({Value(std::string("12345679"))}));
}

}  // namespace
}  // namespace overture::importexport
