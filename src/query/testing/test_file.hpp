#pragma once
// Reader of the data-driven query tests, tests/query/*.test, and of the data sets they include
// (*.data). The format is described in tests/query/README.md; in short:
//
//     include shop.data                     # a data set: model, rows, named id sets
//     now 2026-03-15T12:00:00Z              # the clock of the cases that follow
//     case country = "FR"                   # an expression; indented lines continue it
//     expect p01 p03 p09                    # or: none | all | all except ... | a set name
//     case country = 3
//     error line 1, column 1: country is a string
//
// A data set holds `model <custom model JSON>`, rows `profile <externalId> field=value ...`
// and `<resource> field=value ... link=<externalId>`, and `set <Name> <externalIds...>`.
// Values use the expression language's literals (null, true, false, numbers, "strings" with
// \" \\ \n \t \uXXXX); dates and datetimes are strings in any ISO form and stored canonical.
// Every problem in a file is an error "path:line: message".
//
// Thread-safety: pure functions of the files they read.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "schema/model.hpp"
#include "storage/value.hpp"

namespace overture::query::testing {

// One record of a resource of the data set.
struct DataRow {
    std::string where;        // "path:line"
    std::string resource;     // "profile", "purchase"
    std::string external_id;  // profile rows only (also among `fields` as externalId)
    std::vector<std::pair<std::string, storage::Value>> fields;  // typed, stored forms
    std::vector<std::pair<std::string, std::string>> links;      // link name, profile externalId
};

struct Dataset {
    std::string path;                                   // the file that declared it
    std::shared_ptr<const schema::Model> model;         // built-ins merged with the custom model
    std::vector<DataRow> rows;                          // in file order
    std::vector<std::string> profile_ids;               // externalIds of the profile rows, in order
    std::map<std::string, std::set<std::string>> sets;  // named sets of externalIds
};

struct DataCase {
    std::string where;                 // "path:line" of the `case` line
    std::string expr;                  // the expression text (may span lines)
    std::string now;                   // canonical datetime of the clock
    std::set<std::string> expected;    // the externalIds it selects (when no error)
    std::optional<std::string> error;  // or: a substring of the expected error message
};

struct TestFile {
    std::string path;
    std::shared_ptr<const Dataset> data;
    std::vector<DataCase> cases;
};

// Reads one data set file (*.data).
Result<std::shared_ptr<const Dataset>> ReadDataset(const std::filesystem::path& path);

// Reads one .test file; an `include` reads the data set (through `cache`, keyed by the
// canonical path, so files including the same data set share it).
Result<TestFile> ReadTestFile(
    const std::filesystem::path& path,
    std::map<std::string, std::shared_ptr<const Dataset>>* cache = nullptr);

// Reads every *.test file of `dir` in name order; fails on the first file that does not read.
Result<std::vector<TestFile>> ReadTestFiles(const std::filesystem::path& dir);

// The directory of the .test files: OVERTURE_SOURCE_DIR/tests/query.
std::filesystem::path TestDir();

// Milliseconds since the epoch of a canonical datetime ("2026-03-15T12:00:00.000Z").
std::int64_t UnixMillis(const std::string& canonical);

}  // namespace overture::query::testing
