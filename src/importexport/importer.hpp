#pragma once
// Importing a CSV or TSV file (optionally gzip) into a resource of the data model, with column
// mapping, type conversion, per-column handling of bad and empty values, reconciliation on key
// fields (insert, update, upsert or delete), duplicates inside the file, and a rejects file.
//
// How it works: the file is streamed; each line is converted and validated in C++ and
// appended in batches to a temporary staging table (storage BulkInsert: COPY on PostgreSQL).
// Duplicate keys, matching against existing records, unchanged rows, inserts, updates and
// deletes are then done set-wise in SQL inside the same transaction, so memory stays flat
// however large the file, and an import is all or nothing. Into an empty table (insert or
// upsert, no link mapped) the lines go straight to the table instead, checked per line; a
// repeated key rolls that back to a savepoint and the file is read again, staged
// (docs/importing.md, "Imports into an empty table"). Rejected lines go to the rejects
// file with their line number, column and reason, followed by the original fields.
//
// Thread-safety: RunImport may run on several threads for different imports; on SQLite they
// queue on the single writer.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "importexport/csv_reader.hpp"
#include "schema/model.hpp"
#include "storage/database.hpp"

namespace overture::importexport {

enum class ImportMode { kInsert, kUpdate, kUpsert, kDelete };
std::string_view ImportModeName(ImportMode m);  // "insert", "update", "upsert", "delete"
std::optional<ImportMode> ParseImportMode(std::string_view name);

enum class OnBadValue {
    kRejectLine,   // the whole line goes to the rejects file (default)
    kIgnoreValue,  // the value is treated as empty
    kUseDefault,   // the column's default_value is used instead
};

struct ColumnMapping {
    int source = -1;     // 0-based column of the file
    std::string target;  // a field or link of the resource
    // Dates and datetimes: an input format such as "%d/%m/%Y" (empty: ISO 8601).
    // Numbers: "," when the decimal separator is a comma ("1.234,5" or "1 234,5"), "." when it
    // is a point and commas group thousands ("1,234.5"); empty: plain "1234.5".
    std::string format;
    OnBadValue on_bad = OnBadValue::kRejectLine;
    std::string default_value;  // text, converted like a cell, for kUseDefault
    // An empty cell: false sets the field to empty (null); true leaves an existing record's
    // value as it is (new records get null).
    bool keep_when_empty = true;
};

struct ImportSpec {
    std::string resource;
    std::string path;
    CsvOptions csv;
    bool has_header = true;
    std::vector<ColumnMapping> columns;
    std::vector<std::string> keys;  // reconciliation fields, each mapped; empty: insert only
    ImportMode mode = ImportMode::kUpsert;
    std::string rejects_path;  // where to write rejected lines; empty: do not write
    std::string actor;         // username recorded in createdBy / modifiedBy
    // Duplicate keys are first looked for with a set of key hashes while reading (memory:
    // 16 bytes a line at most); past this many lines the set stops and SQL finds them. The
    // default keeps a 3,000,000-line import under 200 MB; tests lower it.
    std::size_t max_key_hashes = 3'000'000;
};

struct ImportProgress {
    std::string phase;  // "reading", "reconciling", "writing", "done"
    std::uint64_t lines = 0;
    std::uint64_t rejected = 0;
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
};

struct ImportResult {
    std::uint64_t read = 0;  // records in the file (the header excluded)
    std::uint64_t inserted = 0;
    std::uint64_t updated = 0;
    std::uint64_t unchanged = 0;
    std::uint64_t deleted = 0;
    std::uint64_t rejected = 0;
};

using ProgressFn = std::function<void(const ImportProgress&)>;

// Checks a spec against the model and the file's column count: the resource exists, every
// target is a writable field or a link, targets and sources are unique and in range, keys are
// mapped, update/upsert/delete have keys. kInvalidArgument naming the problem.
Status CheckSpec(const schema::Model& model, const ImportSpec& spec, std::size_t file_columns);

// Runs the import. Fails (and changes nothing) on I/O errors, a cancelled run (`cancel` set:
// kFailedPrecondition) or a database error; bad lines are not failures but rejects.
Result<ImportResult> RunImport(storage::Database& db, const schema::Model& model,
                               const ImportSpec& spec, const Clock& clock,
                               const ProgressFn& on_progress = {},
                               const std::atomic<bool>* cancel = nullptr);

// Maps header names to fields and links by name, ignoring case, spaces, '_' and '-'
// ("First Name" -> firstName, "e-mail" -> email). Unmatched columns are left out.
std::vector<ColumnMapping> AutoMap(const schema::Resource& resource,
                                   const std::vector<std::string>& header);

}  // namespace overture::importexport
