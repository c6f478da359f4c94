#pragma once
// What an activity is to the engine (docs/workflows.md, "Activities"): a type with ports,
// a parameter check run when the workflow is saved, and Execute, run by the engine for each
// task of that activity.
//
// Populations travel as working tables: `wkf_<task>_<n>`, made by Context::CreateTable with the
// columns
//     id BIGINT PRIMARY KEY          -- the row of `resource` ("profile", a custom resource, or
//                                       "file": the line number of a loaded file)
//     segment_code TEXT NOT NULL DEFAULT ''
//     c1, c2, ...                    -- additional data, described by Table::columns
// Names come from the engine (digits only after the prefix) and columns are c<n>: never from
// input, so they are safe to write into SQL text; values are always bound.
//
// Execute may run several transactions; it is run again from the start when the node dies in
// the middle (the engine drops the tables the interrupted attempt created first), so an
// activity must give the same result when run again on the same data: random choices are
// seeded (Context::seed()), never from the clock.
//
// Thread-safety: an ActivityType is shared by every engine thread: Check and Execute must be
// safe to call concurrently (keep no mutable state). A Context belongs to one task and thread.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "schema/model.hpp"
#include "storage/database.hpp"
#include "workflow/model.hpp"

namespace overture::workflow {

// One additional data column of a working table.
struct Column {
    std::string name;    // the API name, shown in the UI and used by later activities
    std::string type;    // "string", "integer", "float", "boolean", "date", "datetime"
    std::string column;  // SQL column: "c1", "c2", ...
};

struct Table {
    std::string name;      // wkf_<task>_<n>
    std::string resource;  // "profile", a custom resource, or "file"
    std::vector<Column> columns;
    std::int64_t count = 0;  // rows

    const Column* Find(std::string_view column_name) const;  // by API name
};
boost::json::object TableToJson(const Table& t);
Result<Table> TableFromJson(const boost::json::value& v);

// What reached the task along one inbound transition.
struct Input {
    std::string transition;      // id in the graph ("" for a task the run started itself)
    std::string to_port;         // "in", or e.g. "exclude" for an Exclusion
    std::optional<Table> table;  // none for a transition that carries no population
};

// What the task sends on: one entry per output port that fires. A port with no entry (a Test's
// false branch when the test was true) does not fire. The engine sends `table` along every
// transition that leaves `port`, records the counts, and drops the table when no transition
// leaves the port.
struct Output {
    std::string port = "out";
    std::optional<Table> table;
};

struct Outcome {
    // true: the activity has finished, `outputs` fire. false: the task waits until `wake_at`
    // (or, without one, until a signal reaches it) and Execute runs again then, with the
    // state() it left.
    bool done = true;
    std::vector<Output> outputs;
    std::optional<TimePoint> wake_at;
    // With done: a new task of the same activity waits until then (a Scheduler's next tick).
    std::optional<TimePoint> again_at;

    static Outcome Done(std::vector<Output> outputs = {}) {
        return {true, std::move(outputs), {}, {}};
    }
    static Outcome WaitUntil(std::optional<TimePoint> t) { return {false, {}, t, {}}; }
};

enum class LogLevel { kInfo, kWarning, kError };

// The engine's side of one task, handed to Execute.
class Context {
  public:
    virtual ~Context() = default;

    virtual storage::Database& db() = 0;
    virtual const Clock& clock() const = 0;
    virtual std::shared_ptr<const schema::Model> model() const = 0;  // the data model in force

    virtual std::int64_t workflow_id() const = 0;
    virtual std::int64_t run_id() const = 0;
    virtual std::int64_t task_id() const = 0;
    virtual const ActivityDef& activity() const = 0;
    virtual const Graph& graph() const = 0;  // the run's graph
    // A dry run targets on the real data but sends nothing and writes nothing outside its
    // working tables: channel and data activities pass their input on instead; Scheduler,
    // Wait and External signal fire at once.
    virtual bool dry_run() const = 0;
    // The user whose rights the run uses (who started it) and that user's role name
    // ("administrator", "marketer", ...; service/roles.hpp).
    virtual const std::string& run_as() const = 0;
    virtual const std::string& run_as_role() const = 0;
    // A number fixed for this workflow and activity, the same in every run and attempt: the
    // seed of random choices, so that a resumed run and a new run choose alike.
    virtual std::uint64_t seed() const = 0;

    virtual std::span<const Input> inputs() const = 0;
    // The run's variables (signals add theirs): read and change them; saved when the task
    // finishes or waits.
    virtual boost::json::object& variables() = 0;
    // Kept for this task between Execute calls (saved with a wait).
    virtual boost::json::object& state() = 0;

    // Creates an empty working table owned by this task (registered before it exists, so an
    // interrupted attempt's tables are found and dropped). `columns` get their `column` filled
    // ("c1", ...). Fails with kInvalidArgument for an unknown column type.
    virtual Result<Table> CreateTable(std::string_view resource, std::vector<Column> columns) = 0;
    // Counts the rows of `table` and stores the count in it.
    virtual Status Count(Table& table) = 0;

    // Call between long steps (each segment, each batch): renews this node's lease on the task
    // and fails when the run is being stopped (kFailedPrecondition with
    // details["reason"] = "cancelled": there is no kCancelled code; Execute then returns that
    // error; the engine cancels the task without applying the error policy) or when the engine
    // shuts down (kUnavailable; the task is left for the next start). Also where the
    // engine's test delay (workflow.step_delay_milliseconds) sleeps.
    virtual Status Checkpoint() = 0;

    // A line of the run's log, shown under the activity; `rows` when it reports a count.
    virtual void Log(LogLevel level, std::string message,
                     std::optional<std::int64_t> rows = std::nullopt) = 0;
};

// What parameter checks may look at.
struct CheckContext {
    std::shared_ptr<const schema::Model> model;
    storage::Database* db = nullptr;  // for lookups (an audience, a delivery template exists)
    const Graph* graph = nullptr;
    const ActivityDef* activity = nullptr;  // the activity checked (CheckGraph sets it)
};

// How inbound transitions become tasks.
enum class InputMode {
    kNone,  // no inbound transition: the run starts it (Start, Scheduler, External signal)
    kEach,  // one task per arriving population (most activities)
    kAll,   // one task once every inbound transition has arrived (And-join, Union,
            // Intersection, Exclusion)
};

class ActivityType {
  public:
    virtual ~ActivityType() = default;
    virtual std::string_view type() const = 0;      // "query"
    virtual std::string_view category() const = 0;  // "flow", "targeting", "channel", "data"
    virtual std::string_view label() const = 0;     // "Query", for the palette
    virtual InputMode input_mode() const { return InputMode::kEach; }
    // An activity of kEach may also start a run when it has no inbound transition (External
    // signal: both).
    virtual bool can_start() const { return input_mode() == InputMode::kNone; }
    virtual std::vector<std::string> InputPorts(const boost::json::object& params) const {
        (void)params;
        return {"in"};
    }
    virtual std::vector<std::string> OutputPorts(const boost::json::object& params) const = 0;
    // Problems of the parameters, each naming its field ("params.expression"); empty when the
    // activity may run. Must not throw on any JSON.
    virtual std::vector<Problem> Check(const boost::json::object& params,
                                       const CheckContext& ctx) const = 0;
    // Runs the task. An error is the task's failure, handled by the activity's error policy
    // (except a stop or shutdown reported by Checkpoint).
    virtual Result<Outcome> Execute(Context& ctx) const = 0;
};

// Every activity type by name. Filled once at start-up (RegisterCoreActivities, then the
// service's activities), then read-only and shared.
class Registry {
  public:
    void Add(std::unique_ptr<ActivityType> type);
    const ActivityType* Find(std::string_view type) const;
    std::vector<const ActivityType*> All() const;  // by category, then type

  private:
    std::map<std::string, std::unique_ptr<ActivityType>, std::less<>> types_;
};

// The activities of workflow/activities/: flow (start, end, fork, andJoin, scheduler,
// externalSignal, wait, test, alert) and targeting (query, incrementalQuery, readAudience,
// saveAudience, union, intersection, exclusion, segmentation, deduplication, enrichment).
void RegisterCoreActivities(Registry& registry);

// Checks a whole graph against the registry: structure (types exist, transitions name real
// activities and ports, every activity is reachable from one that can start, no activity of
// kNone has an inbound transition) and each activity's parameters. Empty when it may run.
std::vector<Problem> CheckGraph(const Graph& graph, const Registry& registry,
                                const CheckContext& ctx);

}  // namespace overture::workflow
