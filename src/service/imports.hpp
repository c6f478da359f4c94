#pragma once
// Import runs through the API: upload a file, look at its detected format and a preview, choose
// the mapping, keys and mode, start, follow the progress, download the rejects. One run at a
// time per process, on a worker thread (SQLite has one writer anyway); each run is all or
// nothing (importexport/importer.hpp).
//
// Live progress is kept in memory by the process that runs the import (the import's
// transaction holds the writer on SQLite, so progress cannot be written meanwhile); the final
// counters and the outcome are stored. Runs interrupted by a stop are marked failed at the
// next start (Recover).
//
// Thread-safety: all methods are thread-safe. The destructor cancels a running import and
// joins the worker.
#include <boost/json/object.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/random.hpp"
#include "importexport/importer.hpp"
#include "service/actor.hpp"
#include "service/page.hpp"
#include "service/schema_service.hpp"
#include "storage/database.hpp"

namespace overture::service {

class ImportService {
  public:
    ImportService(storage::Database& db, const Clock& clock, Random& random,
                  const SchemaService& schema, std::filesystem::path directory);
    ~ImportService();
    ImportService(const ImportService&) = delete;
    ImportService& operator=(const ImportService&) = delete;

    // Marks runs left queued or running by a previous process as failed.
    Status Recover();

    // Stores an uploaded file and detects its format. Needs kWriteData. kInvalidArgument for an
    // empty body or a file that is not readable text; the answer has the preview and a
    // suggested mapping for `resource` (profile when empty).
    Result<boost::json::object> Upload(const Actor& actor, std::string_view file_name,
                                       std::string_view body, std::string_view resource);

    // Starts an uploaded import. `request`: {"resource", "mode", "keys": [...], "columns":
    // [{"source", "target", "format", "onBadValue": "reject|ignore|default", "default",
    // "keepWhenEmpty"}], "delimiter", "encoding", "hasHeader"} (format settings default to the
    // detected ones). kInvalidArgument naming the problem; kFailedPrecondition when the import
    // was already started.
    Result<boost::json::object> Start(const Actor& actor, std::int64_t id,
                                      const boost::json::object& request);

    // One import with its live progress while it runs. kNotFound.
    Result<boost::json::object> Get(const Actor& actor, std::int64_t id) const;
    // Newest first.
    Result<Page<boost::json::object>> List(const Actor& actor, const PageRequest& page) const;
    // The rejects file's path. kNotFound when the import has none (not run, or no rejects).
    Result<std::filesystem::path> RejectsFile(const Actor& actor, std::int64_t id) const;
    // Asks a queued or running import to stop; it then fails with nothing changed.
    Status Cancel(const Actor& actor, std::int64_t id);

  private:
    struct Job {
        std::int64_t id = 0;
        importexport::ImportSpec spec;
    };
    struct Live {
        importexport::ImportProgress progress;
        std::shared_ptr<std::atomic<bool>> cancel;
    };

    void WorkerLoop();
    void RunJob(const Job& job);
    boost::json::object RowJson(const std::vector<storage::Value>& row) const;

    storage::Database& db_;
    const Clock& clock_;
    Random& random_;
    const SchemaService& schema_;
    std::filesystem::path directory_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> queue_;              // guarded by mu_
    std::map<std::int64_t, Live> live_;  // guarded by mu_: queued and running imports
    bool stopping_ = false;              // guarded by mu_
    std::thread worker_;
};

}  // namespace overture::service
