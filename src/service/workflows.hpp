#pragma once
// Workflows (docs/workflows.md): the workflow resource (a label, a description and a graph of
// activities, versioned) and the commands on its runs, which the workflow::Engine carries out.
//
// - Saving never refuses a graph for its problems (the canvas saves work in progress): the
//   problems and the ports of every activity come back with the workflow, and Start refuses a
//   graph that has problems. Saving refuses JSON that is not a graph at all (kInvalidArgument
//   naming the member, workflow::ParseGraph), and graphs over kMaxWorkflowGraphBytes.
// - The version goes up with every change of the label or the graph; an Update that names the
//   version it read fails with kFailedPrecondition (details field "version") when another
//   change came between.
// - Runs: Start, Pause, Resume, Stop, Restart and Signal go through the engine; Runs, Run and
//   Logs read what the engine wrote (workflow_runs, workflow_tasks,
//   workflow_transition_counts, workflow_logs).
//
// Reading needs kReadData; everything else kWriteData. A run acts with the rights of the user
// who started it (run_as and its role). Every change and command goes to the audit trail
// ("workflow.create", "workflow.update", "workflow.delete", "workflow.start", "workflow.pause",
// "workflow.resume", "workflow.stop", "workflow.signal"); changes in the same transaction,
// commands right after the engine accepted them.
//
// Thread-safe (holds only references).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "service/actor.hpp"
#include "service/audit.hpp"
#include "service/page.hpp"
#include "storage/database.hpp"
#include "workflow/activity.hpp"
#include "workflow/engine.hpp"
#include "workflow/model.hpp"

namespace overture::service {

using WorkflowId = StrongId<struct WorkflowIdTag>;
using WorkflowRunId = StrongId<struct WorkflowRunIdTag>;

inline constexpr std::size_t kMaxWorkflowLabel = 200;
inline constexpr std::size_t kMaxWorkflowDescription = 2000;
inline constexpr std::size_t kMaxWorkflowGraphBytes = 1024 * 1024;

// One run, as lists show it.
struct WorkflowRunSummary {
    WorkflowRunId id;
    WorkflowId workflow_id;
    std::int64_t number = 0;  // 1, 2, ... per workflow
    std::string status;       // running, paused, stopping, stopped, finished, failed
    bool dry_run = false;
    std::int64_t version = 0;  // the workflow's version the run started from
    TimePoint started_at;
    std::string started_by;
    std::optional<TimePoint> finished_at;
    std::string error;
};

struct WorkflowTaskInfo {
    std::int64_t id = 0;
    std::string activity;
    std::string type;
    std::string status;  // collecting, pending, running, waiting, done, failed, skipped, cancelled
    std::int64_t attempts = 0;
    std::optional<TimePoint> wake_at;  // none when 0
    std::optional<TimePoint> started_at;
    std::optional<TimePoint> finished_at;
    std::string error;
};

struct WorkflowTransitionCount {
    std::string transition;
    std::optional<std::int64_t> count;  // none when the transition carries no population
    std::int64_t total = 0;
    std::int64_t times = 0;
    TimePoint updated_at;
};

struct WorkflowActivityStatus {
    std::string status;  // the latest task's
    std::int64_t tasks = 0;
};

struct WorkflowRunDetail {
    WorkflowRunSummary run;
    boost::json::object variables;
    boost::json::value graph;
    std::vector<WorkflowTaskInfo> tasks;
    std::vector<WorkflowTransitionCount> transitions;
    std::map<std::string, WorkflowActivityStatus> activities;
};

struct WorkflowLogEntry {
    std::int64_t id = 0;
    std::optional<std::int64_t> task_id;
    std::string activity;
    std::string level;  // info, warning, error
    std::string message;
    std::optional<std::int64_t> rows;
    std::optional<std::int64_t> duration_ms;
    TimePoint at;
};

struct WorkflowLogPage {
    std::vector<WorkflowLogEntry> items;
    std::optional<std::int64_t> next;  // pass as `after` for the rest; none when all were read
};

// The ports of one activity, for the canvas.
struct WorkflowPorts {
    std::vector<std::string> in;
    std::vector<std::string> out;
};

// What checking a graph found.
struct WorkflowCheck {
    std::vector<workflow::Problem> problems;
    std::map<std::string, WorkflowPorts> ports;  // by activity id; unknown types are left out
};

struct Workflow {
    WorkflowId id;
    std::string label;
    std::string description;
    std::int64_t version = 1;
    TimePoint created_at;
    std::string created_by;
    TimePoint modified_at;
    std::string modified_by;
    std::optional<WorkflowRunSummary> active_run;
    std::optional<WorkflowRunSummary> last_run;
    boost::json::value graph;  // the stored graph (workflow::GraphToJson form)
    WorkflowCheck check;       // filled by Create, Get and Update only
};

struct NewWorkflow {
    std::string label;  // 1-200 characters once trimmed
    std::string description;
    std::optional<boost::json::value> graph;  // none: an empty graph
};

struct WorkflowPatch {
    std::optional<std::string> label;
    std::optional<std::string> description;
    std::optional<boost::json::value> graph;
    std::optional<std::int64_t> version;  // the version the change is based on
};

struct WorkflowListQuery {
    PageRequest page;
    std::string search;  // in the label or description, case-insensitive
};

struct WorkflowStart {
    bool dry_run = false;
    boost::json::object variables;
};

struct WorkflowActivityTypeInfo {
    std::string type;
    std::string category;
    std::string label;
    std::string input_mode;  // "none", "each", "all"
    bool can_start = false;
};

class WorkflowService {
  public:
    WorkflowService(storage::Database& db, const Clock& clock, const AuditLog& audit,
                    workflow::Engine& engine)
        : db_(db), clock_(clock), audit_(audit), engine_(engine) {}

    // kWriteData. kInvalidArgument naming the field ("label", "description", "graph" or the
    // graph's member, e.g. "graph.activities[2].id").
    Result<Workflow> Create(const Actor& actor, const NewWorkflow& in) const;
    // kReadData. Newest first; summaries without the check.
    Result<Page<Workflow>> List(const Actor& actor, const WorkflowListQuery& query) const;
    Result<std::int64_t> Count(const Actor& actor, const std::string& search) const;
    // kReadData. kNotFound.
    Result<Workflow> Get(const Actor& actor, WorkflowId id) const;
    // kWriteData. kNotFound; kInvalidArgument as Create; kFailedPrecondition (details field
    // "version", "current" the version now) when patch.version is not the current version.
    Result<Workflow> Update(const Actor& actor, WorkflowId id, const WorkflowPatch& patch) const;
    // kWriteData. kNotFound; kFailedPrecondition while a run is active (stop it first).
    Status Delete(const Actor& actor, WorkflowId id) const;

    // kReadData. The problems and ports of a graph that is not saved (the canvas's live
    // check). kInvalidArgument as Create for JSON that is not a graph.
    Result<WorkflowCheck> Check(const Actor& actor, const boost::json::value& graph) const;
    // kReadData. Every activity type of the engine's registry.
    Result<std::vector<WorkflowActivityTypeInfo>> ActivityTypes(const Actor& actor) const;

    // kWriteData. A new run of the current graph, acting as `actor`. kNotFound;
    // kFailedPrecondition when a run is active or the graph has problems (details "problems":
    // their count; the message names the first).
    Result<WorkflowRunDetail> Start(const Actor& actor, WorkflowId id,
                                    const WorkflowStart& options) const;
    // kWriteData. The command on the active run, whose detail comes back. kNotFound;
    // kFailedPrecondition when no run is active or the run is not in a state the command
    // applies to.
    Result<WorkflowRunDetail> Pause(const Actor& actor, WorkflowId id) const;
    Result<WorkflowRunDetail> Resume(const Actor& actor, WorkflowId id) const;
    Result<WorkflowRunDetail> Stop(const Actor& actor, WorkflowId id) const;
    // Stop, wait up to 10 s for the run to reach "stopped", then Start (with the stopped run's
    // dry-run flag). kUnavailable when the run did not stop in time.
    Result<WorkflowRunDetail> Restart(const Actor& actor, WorkflowId id) const;
    // kWriteData. Wakes the External signal activity `activity` of the active run with
    // `parameters` (they become run variables). kNotFound; kFailedPrecondition when no run is
    // active or no task of that activity waits.
    Result<WorkflowRunDetail> Signal(const Actor& actor, WorkflowId id, std::string_view activity,
                                     const boost::json::object& parameters) const;

    // kReadData. Newest first. kNotFound for an unknown workflow.
    Result<Page<WorkflowRunSummary>> Runs(const Actor& actor, WorkflowId id,
                                          const PageRequest& page) const;
    // kReadData. kNotFound for an unknown workflow or a run of another workflow.
    Result<WorkflowRunDetail> Run(const Actor& actor, WorkflowId id, WorkflowRunId run) const;
    // kReadData. The log lines after `after` (a log id; 0 for the first), oldest first, at most
    // `limit` (1-500). kNotFound as Run.
    Result<WorkflowLogPage> Logs(const Actor& actor, WorkflowId id, WorkflowRunId run,
                                 std::int64_t after, int limit) const;

  private:
    WorkflowCheck CheckParsed(const workflow::Graph& graph) const;
    Result<WorkflowRunDetail> Command(const Actor& actor, WorkflowId id, std::string_view action,
                                      Status (workflow::Engine::*command)(std::int64_t)) const;
    Status AuditCommand(const Actor& actor, WorkflowId id, std::string_view action,
                        const AuditDetails& details) const;

    storage::Database& db_;
    const Clock& clock_;
    const AuditLog& audit_;
    workflow::Engine& engine_;
};

}  // namespace overture::service
