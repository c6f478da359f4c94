#pragma once
// The SQLite backend of the storage contract (see storage/database.hpp).
//
// One file in WAL mode, synchronous=NORMAL, foreign_keys=ON. The pool holds one writer
// connection (Begin(kWrite) takes it and runs BEGIN IMMEDIATE, so writers of this process
// queue in the pool rather than on SQLite's lock) and up to `max_connections` reader
// connections, opened on demand, that run deferred BEGIN and refuse writes (query_only).
// Other processes writing the same file are waited for up to `busy_timeout`.
//
// Errors: a unique or primary-key violation is kAlreadyExists with a generic message; a busy
// database after the busy timeout, or no free connection after `acquire_timeout`, is
// kUnavailable; everything else is kInternal with SQLite's message in the detail.
//
// Thread-safety: the Database is thread-safe; a Transaction belongs to one thread at a time.
// The Database must outlive every Transaction it began.
#include <memory>
#include <string>

#include "common/error.hpp"
#include "storage/database.hpp"
#include "storage/query_catalog.hpp"

namespace overture::storage::sqlite {

// Opens (creating if needed) the database file at `path`, a plain file path (":memory:" or an
// empty path is kInvalidArgument). The directory must exist: otherwise, or when the file
// cannot be opened, fails with kUnavailable naming the path. Statements of `catalog` are prepared
// on first use per connection, or all at once by PrepareCatalog().
Result<std::unique_ptr<Database>> Open(const std::string& path, const PoolOptions& options,
                                       QueryCatalog catalog);

}  // namespace overture::storage::sqlite
