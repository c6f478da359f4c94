#pragma once
// The named SQL statements of one dialect.
//
// Files in sql/<dialect>/*.sql (embedded in the binary at build time) hold blocks that start
// with a line `-- name: some-name`; the block's text up to the next name line is the statement.
// Lines before the first name are a file comment. A name that appears twice (in one file or in
// two) is an error that names both places; so is a name with no SQL after it.
// Immutable after Load; thread-safe to read.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/database.hpp"

namespace overture::storage {

struct SqlFile {
    std::string path;  // e.g. "sql/sqlite/users.sql"
    std::string_view text;
};

class QueryCatalog {
  public:
    // Parses the given files. Fails with kInvalidArgument naming file and line on a
    // duplicate or empty statement.
    static Result<QueryCatalog> Parse(std::span<const SqlFile> files);
    // Parses the embedded files of a dialect.
    static Result<QueryCatalog> Load(Dialect dialect);

    // The SQL text of a name, or nullptr.
    const std::string* Find(std::string_view name) const;
    // Fails with kInternal listing every name in `names` that the catalog lacks.
    Status RequireAll(std::span<const std::string_view> names) const;
    std::vector<std::string> Names() const;

    struct Entry {
        std::string sql;
        std::string where;  // "file:line", for error messages
    };
    const std::map<std::string, Entry, std::less<>>& entries() const { return entries_; }

  private:
    std::map<std::string, Entry, std::less<>> entries_;
};

// Files embedded at build time: every sql/**/*.sql and migrations/**/*.sql of the source tree,
// with paths relative to the source root. Defined in a generated source file.
std::span<const SqlFile> EmbeddedSqlFiles();

}  // namespace overture::storage
