#include "importexport/importer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "common/log.hpp"
#include "common/strings.hpp"
#include "importexport/csv_writer.hpp"
#include "importexport/key_hashes.hpp"
#include "schema/dates.hpp"
#include "schema/ddl.hpp"
#include "storage/field_values.hpp"
#include "storage/sql_text.hpp"

namespace overture::importexport {

using schema::Field;
using schema::FieldType;
using schema::Link;
using schema::Resource;
using storage::Dialect;
using storage::Params;
using storage::QuoteIdent;
using storage::Transaction;
using storage::Value;

std::string_view ImportModeName(ImportMode m) {
    switch (m) {
        case ImportMode::kInsert:
            return "insert";
        case ImportMode::kUpdate:
            return "update";
        case ImportMode::kUpsert:
            return "upsert";
        case ImportMode::kDelete:
            return "delete";
    }
    return "upsert";
}

std::optional<ImportMode> ParseImportMode(std::string_view name) {
    for (auto m :
         {ImportMode::kInsert, ImportMode::kUpdate, ImportMode::kUpsert, ImportMode::kDelete}) {
        if (ImportModeName(m) == name) return m;
    }
    return std::nullopt;
}

namespace {

constexpr std::string_view kStage = "ov_import_stage";
constexpr std::size_t kBatchRows = 5000;
// ImportSpec::max_key_hashes: with the default of 3,000,000 lines, the set of key hashes
// (key_hashes.hpp) holds at most 2^22 slots of 8 bytes (32 MiB; 48 MiB while it doubles), at
// most 72% full (linear probes stay short), freed once the file is read. Measured: 187 MB peak
// for a fresh import of 3,000,000 profiles on SQLite (64 MiB of it the page cache).
// An import into an empty table drops the table's secondary indexes, inserts, then re-creates
// them, when at least this many lines were staged (below it, keeping them costs little).
constexpr std::uint64_t kDeferIndexesRows = 10'000;

// One column of the staging table: a mapped field or link, or a field derived from another
// (emailDomain from email).
struct StageColumn {
    std::string name;              // "v0", "v1", ...
    const Field* field = nullptr;  // null for a link
    const Link* link = nullptr;
    std::string target_column;  // the resource's column
    int mapping = -1;           // index in spec.columns; -1 for a derived column
    bool keep_when_empty = true;
};

struct Rejects {
    struct Entry {
        std::string column;
        std::string reason;
    };
    std::map<std::uint64_t, Entry> by_line;  // first reason per line
    void Add(std::uint64_t line, std::string column, std::string reason) {
        by_line.emplace(line, Entry{std::move(column), std::move(reason)});
    }
};

// Converted rows on their way from the reading thread to the thread that stages them (which
// holds the transaction), with the progress as it was when they left. At most kPipeBatches wait,
// so memory stays bounded: reading runs ahead of staging by that much at most.
struct StagingBatch {
    std::vector<std::vector<Value>> rows;
    ImportProgress progress;
};

class BatchPipe {
  public:
    using Rows = std::vector<std::vector<Value>>;
    static constexpr std::size_t kPipeBatches = 4;

    // Reader: waits while the pipe is full. False once the stager gave up (Abandon). Frees
    // the rows the stager is done with first.
    bool Push(StagingBatch batch) {
        std::vector<Rows> spent;
        {
            std::lock_guard lock(mutex_);
            spent.swap(spent_);
        }
        spent.clear();
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return batches_.size() < kPipeBatches || abandoned_; });
        if (abandoned_) return false;
        batches_.push_back(std::move(batch));
        ready_.notify_one();
        return true;
    }
    // Reader: no more batches.
    void Close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        ready_.notify_one();
    }
    // Stager: the next batch; nullopt once the pipe is closed and empty.
    std::optional<StagingBatch> Pop() {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !batches_.empty() || closed_; });
        if (batches_.empty()) return std::nullopt;
        StagingBatch batch = std::move(batches_.front());
        batches_.pop_front();
        space_.notify_one();
        return batch;
    }
    // Stager: rows it is done with, to be freed on the reading thread, which allocated them
    // (glibc frees faster in the allocating thread's arena, and the stager has the database's
    // work). At most a few wait: the reader takes them at each Push.
    void Recycle(Rows rows) {
        std::lock_guard lock(mutex_);
        spent_.push_back(std::move(rows));
    }
    // Stager: staging failed; the reader's next Push returns false.
    void Abandon() {
        std::lock_guard lock(mutex_);
        abandoned_ = true;
        batches_.clear();
        space_.notify_one();
    }

  private:
    std::mutex mutex_;
    std::condition_variable ready_, space_;
    std::deque<StagingBatch> batches_;
    std::vector<Rows> spent_;
    bool closed_ = false;
    bool abandoned_ = false;
};

std::string Normalized(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

std::string Eq(Dialect d, const std::string& a, const std::string& b) {
    return d == Dialect::kSqlite ? fmt::format("{} IS {}", a, b)
                                 : fmt::format("{} IS NOT DISTINCT FROM {}", a, b);
}

std::string StageCol(const std::string& c) {
    return fmt::format("{}.{}", QuoteIdent(kStage), QuoteIdent(c));
}

schema::SqlDialect ToSchema(Dialect d) {
    return d == Dialect::kSqlite ? schema::SqlDialect::kSqlite : schema::SqlDialect::kPostgres;
}

// Converts one cell; empty cells are null. Dates may come in a custom format.
Result<Value> Convert(const StageColumn& col, const ColumnMapping& m, std::string_view cell,
                      std::string_view country) {
    if (cell.empty()) return Value();
    if (col.link) {
        Field id;
        id.name = m.target;
        id.type = FieldType::kInteger;
        return storage::TextToStored(id, cell, country);
    }
    bool numeric = col.field->type == FieldType::kFloat || col.field->type == FieldType::kInteger;
    if (numeric && (m.format == "," || m.format == ".")) {
        // Drop the grouping characters, then make the decimal separator a point.
        const char decimal = m.format[0];
        const char group = decimal == ',' ? '.' : ',';
        std::string plain;
        for (std::size_t i = 0; i < cell.size(); ++i) {
            char c = cell[i];
            if (c == group || c == ' ' || c == '\'') continue;
            if (c == '\xC2' && i + 1 < cell.size() && cell[i + 1] == '\xA0') {  // no-break space
                ++i;
                continue;
            }
            plain.push_back(c == decimal ? '.' : c);
        }
        return storage::TextToStored(*col.field, plain, country);
    }
    if (!m.format.empty() && col.field->type == FieldType::kDate) {
        auto d = schema::ParseDateWithFormat(cell, m.format);
        if (!d) return Fail(Error::InvalidArgument(d.error().message));
        return Value(*d);
    }
    if (!m.format.empty() && col.field->type == FieldType::kDateTime) {
        auto d = schema::ParseDateTimeWithFormat(cell, m.format);
        if (!d) return Fail(Error::InvalidArgument(d.error().message));
        return Value(*d);
    }
    return storage::TextToStored(*col.field, cell, country);
}

// Collects the lines a query selects as rejects with `reason`, then removes them from the
// staging table. `select_lines` selects "line" plus optional extra columns passed to reason.
Status RejectAndRemove(Transaction& tx, const std::string& select_lines, std::string column,
                       const std::function<std::string(const std::vector<Value>&)>& reason,
                       Rejects& rejects, std::uint64_t& rejected) {
    auto rows = tx.QuerySql(select_lines, {});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return {};
    for (const auto& r : rows->rows) {
        rejects.Add(static_cast<std::uint64_t>(storage::AsInt(r[0])), column, reason(r));
    }
    rejected += rows->size();
    auto del = fmt::format("DELETE FROM {} WHERE line IN (SELECT line FROM ({}) ov_x)",
                           QuoteIdent(kStage), select_lines);
    if (auto r = tx.QuerySql(del, {}); !r) return Fail(r.error());
    return {};
}

// A secondary index of the target table that no constraint owns, as the database would
// re-create it.
struct SavedIndex {
    std::string name;
    std::string definition;  // CREATE [UNIQUE] INDEX ...
};

Result<std::vector<SavedIndex>> SecondaryIndexes(Transaction& tx, Dialect d,
                                                 const std::string& table) {
    // SQLite: indexes with no SQL text are those of PRIMARY KEY and UNIQUE constraints.
    // PostgreSQL: primary keys, unique and exclusion constraints own their index
    // (pg_constraint.conindid), and so do foreign keys of other tables that reference it.
    const std::string sql =
        d == Dialect::kSqlite
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?1 AND "
              "sql IS NOT NULL ORDER BY name"
            : "SELECT c.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN "
              "pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid WHERE "
              "t.relname = $1 AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = "
              "current_schema()) AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM "
              "pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname";
    std::vector<Value> params = {Value(table)};
    auto rows = tx.QuerySql(sql, params);
    if (!rows) return Fail(rows.error());
    std::vector<SavedIndex> out;
    for (const auto& r : rows->rows) {
        out.push_back({storage::AsString(r[0]), storage::AsString(r[1])});
    }
    return out;
}

// Drops the secondary indexes of `table` (SecondaryIndexes) and appends them to `dropped`, to be
// created again from their definitions.
Status DropSecondaryIndexes(Transaction& tx, Dialect d, const std::string& table,
                            std::vector<SavedIndex>& dropped) {
    auto indexes = SecondaryIndexes(tx, d, table);
    if (!indexes) return Fail(indexes.error());
    for (auto& index : *indexes) {
        if (auto st = tx.ExecScript(fmt::format("DROP INDEX {}", QuoteIdent(index.name))); !st) {
            return st;
        }
        dropped.push_back(std::move(index));
    }
    return {};
}

// Creates the indexes that DropSecondaryIndexes dropped, and forgets them.
Status CreateIndexes(Transaction& tx, std::vector<SavedIndex>& dropped) {
    for (const auto& index : dropped) {
        if (auto q = tx.ExecSql(index.definition, {}); !q) return Fail(q.error());
    }
    dropped.clear();
    return {};
}

// Sets SQLite's page cache of the import's connection back to what it was, also when the
// import fails (the setting outlives the transaction).
class CacheSizeRestore {
  public:
    CacheSizeRestore(Transaction& tx, std::int64_t pages) : tx_(tx), pages_(pages) {}
    CacheSizeRestore(const CacheSizeRestore&) = delete;
    CacheSizeRestore& operator=(const CacheSizeRestore&) = delete;
    ~CacheSizeRestore() {
        if (!done_) (void)Restore();
    }
    Status Restore() {
        done_ = true;
        return tx_.ExecScript(fmt::format("PRAGMA cache_size = {}", pages_));
    }

  private:
    Transaction& tx_;
    std::int64_t pages_;
    bool done_ = false;
};

// Writes the rejects file: a second pass over the input picks the rejected lines.
Status WriteRejects(const ImportSpec& spec, const Rejects& rejects,
                    const std::vector<std::string>& header) {
    if (spec.rejects_path.empty()) return {};
    CsvWriter writer;
    if (auto st = writer.Open(spec.rejects_path); !st) return st;
    std::vector<std::string> head = {"line", "column", "reason"};
    for (std::size_t i = 0; i < header.size(); ++i) head.push_back(header[i]);
    std::vector<std::string_view> views(head.begin(), head.end());
    if (auto st = writer.Row(views); !st) return st;
    if (!rejects.by_line.empty()) {
        auto reader = CsvReader::Open(spec.path, spec.csv);
        if (!reader) return Fail(reader.error());
        CsvRecord record;
        while (true) {
            auto more = (*reader)->Next(record);
            if (!more) return Fail(more.error());
            if (!*more) break;
            auto it = rejects.by_line.find(record.line);
            if (it == rejects.by_line.end()) continue;
            auto line = std::to_string(record.line);
            std::vector<std::string_view> row = {line, it->second.column, it->second.reason};
            for (auto f : record.fields) row.push_back(f);
            if (auto st = writer.Row(row); !st) return st;
        }
    }
    return writer.Close();
}

}  // namespace

std::vector<ColumnMapping> AutoMap(const Resource& r, const std::vector<std::string>& header) {
    std::vector<ColumnMapping> out;
    std::vector<std::string> used;
    for (std::size_t i = 0; i < header.size(); ++i) {
        auto want = Normalized(header[i]);
        if (want == "mail") want = "email";
        std::string target;
        for (const auto& f : r.fields) {
            if (!f.read_only && Normalized(f.name) == want) target = f.name;
        }
        for (const auto& l : r.links) {
            if (Normalized(l.name) == want || Normalized(l.name + "id") == want) target = l.name;
        }
        if (target.empty() || std::find(used.begin(), used.end(), target) != used.end()) continue;
        used.push_back(target);
        ColumnMapping m;
        m.source = static_cast<int>(i);
        m.target = target;
        out.push_back(std::move(m));
    }
    return out;
}

Status CheckSpec(const schema::Model& model, const ImportSpec& spec, std::size_t file_columns) {
    if (const Resource* r = model.Find(spec.resource)) {
        for (const auto& m : spec.columns) {
            const Field* f = r->FindField(m.target);
            bool numeric = f && (f->type == FieldType::kFloat || f->type == FieldType::kInteger);
            if (numeric && !m.format.empty() && m.format != "," && m.format != ".") {
                return Fail(Error::InvalidArgument(
                                fmt::format("the number format of {} must be \",\" (decimal "
                                            "comma) or \".\" (decimal point)",
                                            m.target))
                                .With("field", "columns"));
            }
        }
    }
    const Resource* r = model.Find(spec.resource);
    if (!r) {
        return Fail(
            Error::InvalidArgument(fmt::format("there is no resource named '{}'", spec.resource))
                .With("field", "resource"));
    }
    if (spec.columns.empty()) {
        return Fail(Error::InvalidArgument("map at least one column").With("field", "columns"));
    }
    std::vector<std::string> targets;
    std::vector<int> sources;
    for (const auto& m : spec.columns) {
        const Field* f = r->FindField(m.target);
        if (!f && !r->FindLink(m.target)) {
            return Fail(Error::InvalidArgument(
                            fmt::format("{} has no field or link named '{}'", r->name, m.target))
                            .With("field", "columns"));
        }
        if (f && f->read_only) {
            return Fail(Error::InvalidArgument(
                            fmt::format("{} is set by the system and cannot be imported", m.target))
                            .With("field", "columns"));
        }
        if (m.source < 0 || static_cast<std::size_t>(m.source) >= file_columns) {
            return Fail(Error::InvalidArgument(
                            fmt::format("column {} of the mapping is not in the file, which has {} "
                                        "columns",
                                        m.source + 1, file_columns))
                            .With("field", "columns"));
        }
        if (std::find(targets.begin(), targets.end(), m.target) != targets.end()) {
            return Fail(
                Error::InvalidArgument(fmt::format("{} is mapped from two columns", m.target))
                    .With("field", "columns"));
        }
        targets.push_back(m.target);
        sources.push_back(m.source);
    }
    for (const auto& k : spec.keys) {
        if (std::find(targets.begin(), targets.end(), k) == targets.end()) {
            return Fail(
                Error::InvalidArgument(fmt::format("the key {} is not mapped from a column", k))
                    .With("field", "keys"));
        }
    }
    if (spec.keys.empty() && spec.mode != ImportMode::kInsert) {
        return Fail(
            Error::InvalidArgument(fmt::format("{} needs key fields to find existing records",
                                               ImportModeName(spec.mode)))
                .With("field", "keys"));
    }
    return {};
}

Result<ImportResult> RunImport(storage::Database& db, const schema::Model& model,
                               const ImportSpec& spec, const Clock& clock,
                               const ProgressFn& on_progress, const std::atomic<bool>* cancel) {
    const Dialect d = db.dialect();
    auto reader = CsvReader::Open(spec.path, spec.csv);
    if (!reader) return Fail(reader.error());
    CsvRecord record;

    // The header (or the first record's width) fixes the column count.
    std::vector<std::string> header;
    std::size_t width = 0;
    bool first_is_data = false;
    {
        auto more = (*reader)->Next(record);
        if (!more) return Fail(more.error());
        if (!*more) return Fail(Error::InvalidArgument("the file is empty"));
        width = record.fields.size();
        if (spec.has_header) {
            for (auto f : record.fields) header.emplace_back(f);
        } else {
            for (std::size_t i = 0; i < width; ++i)
                header.push_back(fmt::format("column{}", i + 1));
            first_is_data = true;
        }
    }
    if (auto st = CheckSpec(model, spec, width); !st) return Fail(st.error());
    const Resource& r = *model.Find(spec.resource);

    // Staging columns, in mapping order, plus derived ones.
    std::vector<StageColumn> cols;
    int country_mapping = -1;
    int channel_mapping = -1;
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
        const auto& m = spec.columns[i];
        StageColumn c;
        c.name = fmt::format("v{}", i);
        c.mapping = static_cast<int>(i);
        c.keep_when_empty = m.keep_when_empty;
        if ((c.field = r.FindField(m.target))) {
            c.target_column = c.field->column;
            // Built-in flags are NOT NULL columns: an empty cell never clears them.
            if (c.field->builtin && c.field->type == FieldType::kBoolean) c.keep_when_empty = true;
        } else {
            c.link = r.FindLink(m.target);
            c.target_column = c.link->column;
        }
        if (m.target == "country") country_mapping = static_cast<int>(i);
        if (m.target == "channel") channel_mapping = static_cast<int>(i);
        cols.push_back(std::move(c));
    }
    int email_col = -1;
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (cols[i].field && cols[i].field->normalizer == schema::Normalizer::kEmail &&
            r.FindField("emailDomain")) {
            email_col = static_cast<int>(i);
            StageColumn derived;
            derived.name = "vdomain";
            derived.field = r.FindField("emailDomain");
            derived.target_column = derived.field->column;
            derived.keep_when_empty = cols[i].keep_when_empty;
            cols.push_back(std::move(derived));
            break;
        }
    }
    auto key_col = [&](const std::string& key) -> const StageColumn& {
        for (const auto& c : cols) {
            if (c.mapping >= 0 && spec.columns[c.mapping].target == key) return c;
        }
        return cols.front();  // CheckSpec guarantees keys are mapped
    };

    auto tx = db.Begin(storage::TxMode::kWrite);
    if (!tx) return Fail(tx.error());
    Transaction& t = **tx;

    // On SQLite the line is the rowid: lines are staged in increasing order, so the table is
    // already in file order and the removal of rejected lines finds them by rowid.
    std::string create =
        fmt::format("CREATE TEMP TABLE {} (line {}", QuoteIdent(kStage),
                    d == Dialect::kSqlite ? "INTEGER PRIMARY KEY" : "BIGINT NOT NULL");
    for (const auto& c : cols) {
        std::string type = c.field ? schema::ColumnType(*c.field, ToSchema(d))
                                   : (d == Dialect::kSqlite ? "INTEGER" : "bigint");
        create += fmt::format(", {} {}", QuoteIdent(c.name), type);
    }
    create += ", target_id BIGINT, id_max BIGINT, unchanged INTEGER NOT NULL DEFAULT 0)";
    if (d == Dialect::kPostgres) create += " ON COMMIT DROP";
    if (auto st = t.ExecScript(fmt::format("DROP TABLE IF EXISTS {}", QuoteIdent(kStage))); !st) {
        return Fail(st.error());
    }
    if (auto st = t.ExecScript(create); !st) return Fail(st.error());
    std::optional<CacheSizeRestore> restore_cache;
    if (d == Dialect::kSqlite) {
        // Inserting a million rows into indexed tables thrashes SQLite's default 2 MB page
        // cache; 64 MiB keeps the indexes' hot pages in memory. The connection's own setting
        // comes back at the end.
        auto pages = t.QuerySql("PRAGMA cache_size", {});
        if (!pages) return Fail(pages.error());
        if (pages->empty()) return Fail(Error::Internal("PRAGMA cache_size returned no row"));
        restore_cache.emplace(t, storage::AsInt(pages->rows[0][0]));
        if (auto st = t.ExecScript("PRAGMA cache_size = -65536"); !st) return Fail(st.error());
    }

    std::vector<std::string> stage_columns = {"line"};
    for (const auto& c : cols) stage_columns.push_back(c.name);
    const std::string stage = QuoteIdent(kStage);
    const std::string table = QuoteIdent(r.table);
    const std::string now_text = FormatRfc3339(clock.Now());
    const Field* created_by = r.FindField("createdBy");
    const Field* modified_by = r.FindField("modifiedBy");
    auto unique_violation = [&](const Error& e) {
        if (e.code != ErrorCode::kAlreadyExists) return e;
        return Error::AlreadyExists(
            fmt::format("the file holds values that another {} already has in a unique field; "
                        "nothing was imported (reconcile on that field to update those records)",
                        r.name));
    };
    auto table_is_empty = [&]() -> Result<bool> {
        auto any_row = t.QuerySql(fmt::format("SELECT 1 FROM {} LIMIT 1", table), {});
        if (!any_row) return Fail(any_row.error());
        return any_row->empty();
    };

    // Straight into an empty table (importer.hpp): nothing to match, so when no column is a
    // link (whose target must be looked up) accepted lines go to the table itself, and the
    // checks of the steps below run per line while the file is read. A repeated key hash
    // undoes it all (to the savepoint) and the file is read again, staged.
    bool direct = false;
    const bool direct_mode = spec.mode == ImportMode::kInsert || spec.mode == ImportMode::kUpsert;
    if (direct_mode && std::none_of(cols.begin(), cols.end(),
                                    [](const StageColumn& c) { return c.link != nullptr; })) {
        auto empty = table_is_empty();
        if (!empty) return Fail(empty.error());
        if (*empty && d == Dialect::kPostgres) {
            // No other writer may add a record until the commit; readers go on.
            if (auto st =
                    t.ExecScript(fmt::format("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", table));
                !st) {
                return Fail(st.error());
            }
            empty = table_is_empty();
            if (!empty) return Fail(empty.error());
        }
        direct = *empty;
    }
    // The target's columns when straight: the mapped ones, and the audit fields, the same in
    // every row.
    std::vector<std::string> direct_columns;
    for (const auto& c : cols) direct_columns.push_back(c.target_column);
    std::vector<storage::FixedColumn> direct_fixed = {{"created_at", Value(now_text)},
                                                      {"modified_at", Value(now_text)}};
    for (const Field* by : {created_by, modified_by}) {
        if (by) direct_fixed.push_back({by->column, Value(spec.actor)});
    }
    // The required fields and links of a new record, with the column that feeds each: checked
    // per line when straight, by step 4 when staged.
    struct Required {
        std::string name;
        int col = -1;  // index in cols; -1 when no column is mapped to it
        std::string reason;
    };
    std::vector<Required> required_checks;
    auto add_required = [&](const std::string& name) {
        Required q{name, -1, ""};
        for (std::size_t i = 0; i < cols.size(); ++i) {
            if (cols[i].mapping >= 0 && spec.columns[cols[i].mapping].target == name) {
                q.col = static_cast<int>(i);
            }
        }
        q.reason = fmt::format("{} is required for a new {}{}", name, r.name,
                               q.col >= 0 ? "" : " (map a column to it)");
        required_checks.push_back(std::move(q));
    };
    for (const auto& f : r.fields) {
        if (f.required) add_required(f.name);
    }
    for (const auto& l : r.links) {
        if (l.cardinality == schema::Cardinality::kOne) add_required(l.name);
    }

    ImportResult result;
    Rejects rejects;
    ImportProgress progress;
    std::vector<std::vector<Value>> batch;
    std::uint64_t staged = 0;
    std::uint64_t direct_inserted = 0;
    std::vector<SavedIndex> dropped;  // deferred while inserting straight
    // Where each key field sits in a row, and the set of the accepted keys' hashes.
    std::vector<std::size_t> key_index;
    std::vector<const Value*> key_values(spec.keys.size());
    std::optional<KeyHashes> key_hashes;
    bool restart = false;     // set by the reading thread: a key hash repeated while straight
    bool unverified = false;  // straight, with more keys than the set of hashes held
    bool deferred = false;    // the secondary indexes were dropped
    ImportProgress shown;     // the last reading progress reported

    for (int attempt = 0;; ++attempt) {
        if (attempt > 0) {
            // Back to before the first straight row, indexes included; then staged.
            if (auto st = t.ExecScript(
                    "ROLLBACK TO SAVEPOINT ov_import_direct; RELEASE SAVEPOINT ov_import_direct");
                !st) {
                return Fail(st.error());
            }
            direct = false;
            dropped.clear();
            reader = CsvReader::Open(spec.path, spec.csv);
            if (!reader) return Fail(reader.error());
            auto more = (*reader)->Next(record);  // the header, or the first record again
            if (!more) return Fail(more.error());
        } else if (direct) {
            if (auto st = t.ExecScript("SAVEPOINT ov_import_direct"); !st) {
                return Fail(st.error());
            }
        }
        // Staged rows start with the line.
        const std::size_t lead = direct ? 0 : 1;
        result = {};
        rejects = {};
        progress = {};
        progress.phase = "reading";
        progress.bytes_total = (*reader)->file_size();
        batch = {};
        batch.reserve(kBatchRows);
        staged = 0;
        direct_inserted = 0;
        restart = false;
        unverified = false;
        deferred = false;
        key_index.clear();
        for (const auto& k : spec.keys) {
            key_index.push_back(static_cast<std::size_t>(&key_col(k) - cols.data()) + lead);
        }
        key_hashes.reset();
        if (!spec.keys.empty()) key_hashes.emplace(spec.max_key_hashes);

        // Reading and converting run on a thread of their own while this one stages the
        // batches (BatchPipe): on SQLite the staging is this process's work too, so the two
        // halves use both cores. Everything below up to the join belongs to the reading
        // thread, except `t`.
        BatchPipe pipe;
        auto flush = [&]() -> Status {
            StagingBatch out;
            out.rows = std::move(batch);
            out.progress = progress;
            out.progress.lines = result.read;
            out.progress.rejected = result.rejected;
            out.progress.bytes_done = (*reader)->bytes_consumed();
            batch = {};
            batch.reserve(kBatchRows);
            if (!pipe.Push(std::move(out))) {
                return Fail(Error::Internal("staging stopped"));  // the stager's error is reported
            }
            return {};
        };

        auto handle = [&](const CsvRecord& rec) -> Status {
            ++result.read;
            if (!rec.error.empty()) {
                rejects.Add(rec.line, "", rec.error);
                ++result.rejected;
                return {};
            }
            if (rec.fields.size() != width) {
                rejects.Add(rec.line, "",
                            fmt::format("expected {} columns, found {}", width, rec.fields.size()));
                ++result.rejected;
                return {};
            }
            std::string_view country =
                country_mapping >= 0 ? rec.fields[spec.columns[country_mapping].source] : "";
            std::string_view channel =
                channel_mapping >= 0 ? rec.fields[spec.columns[channel_mapping].source] : "";
            std::vector<Value> row;
            row.reserve(cols.size() + lead);
            if (!direct) row.emplace_back(static_cast<std::int64_t>(rec.line));
            for (const auto& c : cols) {
                if (c.mapping < 0) {
                    // emailDomain, from the email column converted just before.
                    const Value& email = row[email_col + lead];
                    if (storage::IsNull(email)) {
                        row.emplace_back();
                    } else {
                        auto text = storage::AsString(email);
                        row.emplace_back(text.substr(text.rfind('@') + 1));
                    }
                    continue;
                }
                const auto& m = spec.columns[c.mapping];
                auto cell = rec.fields[m.source];
                // What the field's normalizer reads the value with (storage/field_values.hpp).
                bool by_channel = c.field && c.field->normalizer == schema::Normalizer::kAddress;
                std::string_view context = by_channel ? channel : country;
                auto v = Convert(c, m, cell, context);
                if (!v && m.on_bad == OnBadValue::kUseDefault) {
                    v = Convert(c, m, m.default_value, context);
                } else if (!v && m.on_bad == OnBadValue::kIgnoreValue) {
                    v = Value();
                }
                if (!v) {
                    rejects.Add(rec.line, header[m.source], v.error().message);
                    ++result.rejected;
                    return {};
                }
                row.push_back(std::move(*v));
            }
            for (const auto& k : spec.keys) {
                const auto& c = key_col(k);
                if (storage::IsNull(row[&c - cols.data() + lead])) {
                    rejects.Add(rec.line, header[spec.columns[c.mapping].source],
                                fmt::format("the key field {} is empty", k));
                    ++result.rejected;
                    return {};
                }
            }
            if (key_hashes && !key_hashes->Inconclusive()) {
                for (std::size_t i = 0; i < key_index.size(); ++i) {
                    key_values[i] = &row[key_index[i]];
                }
                key_hashes->Add(HashKey(key_values));
                if (direct && key_hashes->Inconclusive()) {
                    // More keys than the set holds: go on, and let SQL look for duplicates
                    // once the file is in. A repeated hash: read again, staged.
                    if (key_hashes->Overflowed()) {
                        unverified = true;
                    } else {
                        restart = true;
                        return Fail(Error::Internal("the file is read again, staged"));
                    }
                }
            }
            if (direct) {
                // Step 4 for this line, then the NOT NULL flags as the staged insert sets them.
                for (const auto& q : required_checks) {
                    if (q.col < 0 || storage::IsNull(row[q.col + lead])) {
                        rejects.Add(rec.line, q.name, q.reason);
                        ++result.rejected;
                        return {};
                    }
                }
                for (std::size_t i = 0; i < cols.size(); ++i) {
                    const Field* f = cols[i].field;
                    bool flag = f && f->builtin && f->type == FieldType::kBoolean;
                    if (flag && storage::IsNull(row[i + lead])) row[i + lead] = Value(false);
                }
            }
            ++staged;
            batch.push_back(std::move(row));
            if (batch.size() >= kBatchRows) return flush();
            return {};
        };

        auto read_all = [&]() -> Status {
            if (first_is_data) {
                if (auto st = handle(record); !st) return st;
            }
            while (true) {
                auto more = (*reader)->Next(record);
                if (!more) return Fail(more.error());
                if (!*more) break;
                if (auto st = handle(record); !st) return st;
                if (result.read % 10000 == 0) {
                    if (cancel && cancel->load()) {
                        return Fail(
                            Error::FailedPrecondition("the import was cancelled; nothing changed"));
                    }
                    // The progress so far, reported once what came before is staged.
                    if (auto st = flush(); !st) return st;
                }
            }
            return flush();
        };
        Status read_status;
        std::thread reading([&] {
            SetThreadName("ov-import-read");
            try {
                read_status = read_all();
            } catch (const std::exception& e) {
                read_status =
                    Fail(Error::Internal(fmt::format("reading the file failed: {}", e.what())));
            }
            pipe.Close();
        });
        // Should staging throw (an allocation failure), the reader is stopped and joined
        // before the stack unwinds past it.
        struct JoinReader {
            BatchPipe& pipe;
            std::thread& thread;
            ~JoinReader() {
                if (!thread.joinable()) return;
                pipe.Abandon();
                thread.join();
            }
        } join_reader{pipe, reading};
        Status stage_status;
        while (auto staged_batch = pipe.Pop()) {
            const auto& rows = staged_batch->rows;
            if (!rows.empty()) {
                auto n = direct ? t.BulkInsert(r.table, direct_columns, rows, direct_fixed)
                                : t.BulkInsert(kStage, stage_columns, rows);
                if (!n) {
                    stage_status = Fail(unique_violation(n.error()));
                    pipe.Abandon();
                    break;
                }
                if (direct) direct_inserted += static_cast<std::uint64_t>(*n);
            }
            pipe.Recycle(std::move(staged_batch->rows));
            if (direct && !deferred && direct_inserted >= kDeferIndexesRows) {
                // A large file: the secondary indexes are built again once it is in (below).
                deferred = true;
                stage_status = DropSecondaryIndexes(t, d, r.table, dropped);
                if (!stage_status) {
                    pipe.Abandon();
                    break;
                }
            }
            if (on_progress) {
                // A second reading (after a repeated key) does not move the bar back.
                ImportProgress p = staged_batch->progress;
                p.lines = std::max(p.lines, shown.lines);
                p.rejected = std::max(p.rejected, shown.rejected);
                p.bytes_done = std::max(p.bytes_done, shown.bytes_done);
                shown = p;
                on_progress(p);
            }
        }
        reading.join();
        if (!stage_status) return Fail(stage_status.error());
        if (restart) continue;
        if (!read_status) return Fail(read_status.error());
        if (unverified) {
            // The indexes first (the key's makes the search a scan of it), then any key twice.
            if (auto st = CreateIndexes(t, dropped); !st) return Fail(unique_violation(st.error()));
            std::string keys;
            for (const auto& k : spec.keys) {
                keys += (keys.empty() ? "" : ", ") + QuoteIdent(key_col(k).target_column);
            }
            auto twice = t.QuerySql(fmt::format("SELECT 1 FROM {} GROUP BY {} HAVING count(*) > 1 "
                                                "LIMIT 1",
                                                table, keys),
                                    {});
            if (!twice) return Fail(twice.error());
            if (!twice->empty()) continue;
        }
        break;
    }
    if (d == Dialect::kPostgres && !direct) {
        // The planner needs the staging table's size to choose hash joins below.
        if (auto st = t.ExecScript(fmt::format("ANALYZE {}", QuoteIdent(kStage))); !st) {
            return Fail(st.error());
        }
    }
    auto cancelled = [&] { return cancel && cancel->load(); };
    if (cancelled()) {
        return Fail(Error::FailedPrecondition("the import was cancelled; nothing changed"));
    }
    progress.phase = "reconciling";
    progress.lines = result.read;
    progress.bytes_done = progress.bytes_total;
    if (on_progress) on_progress(progress);

    // The end of every import that gets that far: the staging table goes, the rejects file is
    // written, and it all commits.
    auto finish = [&]() -> Result<ImportResult> {
        if (auto st = t.ExecScript(fmt::format("DROP TABLE IF EXISTS {}", stage)); !st) {
            return Fail(st.error());
        }
        if (restore_cache) {
            if (auto st = restore_cache->Restore(); !st) return Fail(st.error());
        }
        if (auto st = WriteRejects(spec, rejects, header); !st) return Fail(st.error());
        if (auto st = t.Commit(); !st) return Fail(st.error());
        progress.phase = "done";
        progress.rejected = result.rejected;
        if (on_progress) on_progress(progress);
        return result;
    };
    if (direct) {
        // Every accepted line is in; what is left is the indexes that were dropped (their
        // sorts need the key hashes' memory more).
        key_hashes.reset();
        progress.phase = "writing";
        if (on_progress) on_progress(progress);
        if (auto st = CreateIndexes(t, dropped); !st) return Fail(unique_violation(st.error()));
        if (auto st = t.ExecScript("RELEASE SAVEPOINT ov_import_direct"); !st) {
            return Fail(st.error());
        }
        result.inserted = direct_inserted;
        return finish();
    }

    auto fixed_reason = [](std::string text) {
        return [text](const std::vector<Value>&) { return text; };
    };
    // No repeated hash among the accepted keys: no duplicate, the SQL step can be skipped.
    const bool may_have_duplicates = key_hashes && key_hashes->Inconclusive();
    key_hashes.reset();
    // An empty table matches nothing: target_id stays NULL on every staged line, so the
    // match, the checks that need a match and the unchanged marking have nothing to do.
    auto any_row = table_is_empty();
    if (!any_row) return Fail(any_row.error());
    const bool empty_table = *any_row;

    // 1. Duplicate keys in the file: the first line wins.
    if (!spec.keys.empty()) {
        std::string partition;
        std::string key_names;
        for (const auto& k : spec.keys) {
            partition += (partition.empty() ? "" : ", ") + QuoteIdent(key_col(k).name);
            key_names += (key_names.empty() ? "" : ", ") + k;
        }
        auto dups = fmt::format(
            "SELECT line, first_line FROM (SELECT line, min(line) OVER (PARTITION BY {}) AS "
            "first_line FROM {}) ov_d WHERE line <> first_line",
            partition, stage);
        if (may_have_duplicates) {
            if (auto st = RejectAndRemove(
                    t, dups, key_names,
                    [&](const std::vector<Value>& row) {
                        return fmt::format("duplicate key in the file: same {} as line {}",
                                           key_names, storage::AsInt(row[1]));
                    },
                    rejects, result.rejected);
                !st) {
                return Fail(st.error());
            }
        }

        // 2. Match existing records.
        std::string cond;
        for (const auto& k : spec.keys) {
            const auto& c = key_col(k);
            cond += fmt::format("{}t.{} = {}", cond.empty() ? "" : " AND ",
                                QuoteIdent(c.target_column), StageCol(c.name));
        }
        std::string match;
        if (d == Dialect::kSqlite) {
            // One index lookup per staged row.
            match = fmt::format(
                "UPDATE {} SET (target_id, id_max) = (SELECT min(t.id), max(t.id) FROM {} t "
                "WHERE {})",
                stage, table, cond);
        } else {
            // One hash join over both tables instead of a lookup per row.
            std::string join;
            for (const auto& k : spec.keys) {
                const auto& c = key_col(k);
                join += fmt::format("{}t.{} = s2.{}", join.empty() ? "" : " AND ",
                                    QuoteIdent(c.target_column), QuoteIdent(c.name));
            }
            match = fmt::format(
                "UPDATE {0} SET target_id = m.min_id, id_max = m.max_id FROM (SELECT s2.line, "
                "min(t.id) AS min_id, max(t.id) AS max_id FROM {0} s2 JOIN {1} t ON {2} GROUP BY "
                "s2.line) m WHERE {0}.line = m.line",
                stage, table, join);
        }
        if (!empty_table) {
            if (auto q = t.QuerySql(match, {}); !q) return Fail(q.error());
            if (auto st = RejectAndRemove(
                    t,
                    fmt::format("SELECT line, target_id, id_max FROM {} WHERE id_max <> target_id",
                                stage),
                    key_names,
                    [&](const std::vector<Value>& row) {
                        return fmt::format(
                            "the key matches several {} records (ids {} and {}, at "
                            "least); use a unique key",
                            r.name, storage::AsInt(row[1]), storage::AsInt(row[2]));
                    },
                    rejects, result.rejected);
                !st) {
                return Fail(st.error());
            }
        }
        if (spec.mode == ImportMode::kInsert && !empty_table) {
            if (auto st = RejectAndRemove(
                    t,
                    fmt::format("SELECT line, target_id FROM {} WHERE target_id IS NOT NULL",
                                stage),
                    key_names,
                    [&](const std::vector<Value>& row) {
                        return fmt::format("a {} with this key already exists (id {})", r.name,
                                           storage::AsInt(row[1]));
                    },
                    rejects, result.rejected);
                !st) {
                return Fail(st.error());
            }
        }
        if (spec.mode == ImportMode::kUpdate || spec.mode == ImportMode::kDelete) {
            if (auto st = RejectAndRemove(
                    t, fmt::format("SELECT line FROM {} WHERE target_id IS NULL", stage), key_names,
                    fixed_reason(fmt::format("no {} has this key", r.name)), rejects,
                    result.rejected);
                !st) {
                return Fail(st.error());
            }
        }
    }

    // 3. Links must point at existing records.
    for (const auto& c : cols) {
        if (!c.link) continue;
        const Resource* target = model.Find(c.link->target);
        auto bad = fmt::format(
            "SELECT line, {} FROM {} WHERE {} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {} x "
            "WHERE x.id = {})",
            QuoteIdent(c.name), stage, QuoteIdent(c.name), QuoteIdent(target->table),
            StageCol(c.name));
        if (auto st = RejectAndRemove(
                t, bad, header[spec.columns[c.mapping].source],
                [&](const std::vector<Value>& row) {
                    return fmt::format("there is no {} with id {}", c.link->target,
                                       storage::AsInt(row[1]));
                },
                rejects, result.rejected);
            !st) {
            return Fail(st.error());
        }
    }

    // 4. New records need their required fields and links.
    if (spec.mode == ImportMode::kInsert || spec.mode == ImportMode::kUpsert) {
        for (const auto& q : required_checks) {
            auto cond = q.col >= 0 ? fmt::format("{} IS NULL", QuoteIdent(cols[q.col].name))
                                   : std::string("1 = 1");
            if (auto st = RejectAndRemove(
                    t,
                    fmt::format("SELECT line FROM {} WHERE target_id IS NULL AND {}", stage, cond),
                    q.name, fixed_reason(q.reason), rejects, result.rejected);
                !st) {
                return Fail(st.error());
            }
        }
    }

    // 5. Existing records keep their required fields and links: an empty cell may not clear
    // them (with keepWhenEmpty it leaves the value as it is).
    if ((spec.mode == ImportMode::kUpdate || spec.mode == ImportMode::kUpsert) && !empty_table) {
        for (const auto& c : cols) {
            if (c.mapping < 0 || c.keep_when_empty) continue;
            bool required =
                c.field ? c.field->required : c.link->cardinality == schema::Cardinality::kOne;
            if (!required) continue;
            const auto& name = spec.columns[c.mapping].target;
            if (auto st = RejectAndRemove(
                    t,
                    fmt::format("SELECT line FROM {} WHERE target_id IS NOT NULL AND {} IS NULL",
                                stage, QuoteIdent(c.name)),
                    header[spec.columns[c.mapping].source],
                    fixed_reason(fmt::format("{} is required and cannot be emptied", name)),
                    rejects, result.rejected);
                !st) {
                return Fail(st.error());
            }
        }
    }

    if (cancelled()) {
        return Fail(Error::FailedPrecondition("the import was cancelled; nothing changed"));
    }
    progress.phase = "writing";
    if (on_progress) on_progress(progress);
    // The time and the user of a statement's audit fields. Each statement binds only the
    // parameters it uses: both backends refuse extra ones, and resources such as testProfile
    // have no createdBy / modifiedBy.
    struct Stamp {
        Params params;
        std::string now, actor;
    };
    auto stamp = [&](bool with_actor) {
        Stamp st{Params(d), "", ""};
        st.now = storage::WriteExpr(*r.FindField("modifiedAt"), d, st.params.Add(now_text));
        if (with_actor) {
            st.actor = st.params.Add(spec.actor) + (d == Dialect::kPostgres ? "::text" : "");
        }
        return st;
    };

    if (spec.mode == ImportMode::kDelete) {
        auto del = fmt::format(
            "DELETE FROM {} WHERE id IN (SELECT target_id FROM {} WHERE target_id IS NOT NULL)",
            table, stage);
        auto rows = t.ExecSql(del, {});
        if (!rows) return Fail(rows.error());
        result.deleted = static_cast<std::uint64_t>(*rows);
    } else {
        // 6. Unchanged records are left alone (and counted).
        std::string same;
        for (const auto& c : cols) {
            auto target_expr = fmt::format("t.{}", QuoteIdent(c.target_column));
            auto cond = Eq(d, StageCol(c.name), target_expr);
            if (c.keep_when_empty) cond = fmt::format("({} IS NULL OR {})", StageCol(c.name), cond);
            same += (same.empty() ? "" : " AND ") + cond;
        }
        auto mark = fmt::format(
            "UPDATE {0} SET unchanged = 1 FROM {1} t WHERE t.id = {0}.target_id AND {2}", stage,
            table, same);
        if (!empty_table) {
            auto marked = t.ExecSql(mark, {});
            if (!marked) return Fail(marked.error());
            result.unchanged = static_cast<std::uint64_t>(*marked);
        }

        if (spec.mode != ImportMode::kInsert && !empty_table) {
            Stamp st = stamp(modified_by != nullptr);
            std::string set = fmt::format("modified_at = {}", st.now);
            if (modified_by) {
                set += fmt::format(", {} = {}", QuoteIdent(modified_by->column), st.actor);
            }
            for (const auto& c : cols) {
                auto col = QuoteIdent(c.target_column);
                auto value = c.keep_when_empty ? fmt::format("COALESCE(s.{}, {}.{})",
                                                             QuoteIdent(c.name), table, col)
                                               : fmt::format("s.{}", QuoteIdent(c.name));
                set += fmt::format(", {} = {}", col, value);
            }
            auto update = fmt::format(
                "UPDATE {} SET {} FROM {} s WHERE {}.id = s.target_id AND s.unchanged = 0", table,
                set, stage, table);
            auto changed = t.ExecSql(update, st.params.values());
            if (!changed) return Fail(changed.error());
            result.updated = static_cast<std::uint64_t>(*changed);
        }
        Stamp st = stamp(created_by || modified_by);
        std::string columns = "created_at, modified_at";
        std::string values = fmt::format("{}, {}", st.now, st.now);
        for (const Field* by : {created_by, modified_by}) {
            if (!by) continue;
            columns += ", " + QuoteIdent(by->column);
            values += ", " + st.actor;
        }
        for (const auto& c : cols) {
            columns += ", " + QuoteIdent(c.target_column);
            bool flag = c.field && c.field->builtin && c.field->type == FieldType::kBoolean;
            values += ", " + (flag ? fmt::format("COALESCE({}, {})", QuoteIdent(c.name),
                                                 d == Dialect::kSqlite ? "0" : "false")
                                   : QuoteIdent(c.name));
        }
        // A large file into an empty table: its secondary indexes are dropped and built again
        // after the insert, in one sort each instead of a million insertions. All of it is in
        // the import's transaction, so a failure brings them back; on PostgreSQL DROP INDEX
        // locks the table until the commit, hence empty tables only.
        const bool defer_indexes =
            empty_table && (spec.mode == ImportMode::kInsert || spec.mode == ImportMode::kUpsert) &&
            staged >= kDeferIndexesRows;
        if (defer_indexes) {
            if (auto st = DropSecondaryIndexes(t, d, r.table, dropped); !st) {
                return Fail(st.error());
            }
            if (d == Dialect::kPostgres) {
                // Sorting the staged rows by line spills whole rows to disk; an index on the
                // line alone is built in a third of the time and read in order (on SQLite the
                // line is the rowid).
                if (auto st = t.ExecScript(fmt::format("CREATE INDEX ON {} (line)", stage)); !st) {
                    return Fail(st.error());
                }
            }
        }
        // Into a table with records, in key order when there is a key: its index then grows
        // at its end instead of at random places, several times faster for large files. Into
        // an empty one, in file order, so that new ids follow the file (its indexes are
        // deferred when that matters).
        std::string order = "line";
        if (!spec.keys.empty() && !empty_table) {
            order.clear();
            for (const auto& k : spec.keys) {
                order += (order.empty() ? "" : ", ") + QuoteIdent(key_col(k).name);
            }
        }
        auto insert =
            fmt::format("INSERT INTO {} ({}) SELECT {} FROM {} WHERE target_id IS NULL ORDER BY {}",
                        table, columns, values, stage, order);
        auto rows = t.ExecSql(insert, st.params.values());
        if (!rows) return Fail(unique_violation(rows.error()));
        result.inserted = static_cast<std::uint64_t>(*rows);
        // A unique index that the rows break fails here as the insert would have.
        if (auto st = CreateIndexes(t, dropped); !st) return Fail(unique_violation(st.error()));
    }

    return finish();
}

}  // namespace overture::importexport
