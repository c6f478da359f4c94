// WorkflowService: workflows as rows of `workflows` (the graph as JSON text), checked with the
// engine's registry; the run commands handed to workflow::Engine; the run's detail and log read
// from the tables the engine writes.
#include "service/workflows.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <limits>
#include <thread>

#include "common/strings.hpp"
#include "service/queries.hpp"
#include "service/roles.hpp"

namespace overture::service {

namespace json = boost::json;
using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::IsNull;
using storage::Transaction;
using storage::Value;

namespace {

constexpr auto kRestartWait = std::chrono::seconds(10);

// Characters, not bytes: continuation bytes are not counted.
std::size_t Utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

Result<std::string> CheckText(std::string_view field, std::string_view text, std::size_t max) {
    auto trimmed = std::string(Trim(text));
    if (!IsValidUtf8(trimmed) || Utf8Length(trimmed) > max) {
        return Fail(Error::InvalidField(
            std::string(field),
            fmt::format("{} must be UTF-8 text of at most {} characters", field, max)));
    }
    return trimmed;
}

Result<std::string> CheckLabel(std::string_view label) {
    auto checked = CheckText("label", label, kMaxWorkflowLabel);
    if (!checked) return checked;
    if (checked->empty()) return Fail(Error::InvalidField("label", "label is required"));
    return checked;
}

// A graph from the API: workflow::ParseGraph, with the member it names put under "graph.".
Result<workflow::Graph> ParseApiGraph(const json::value& value) {
    if (json::serialize(value).size() > kMaxWorkflowGraphBytes) {
        return Fail(Error::InvalidField(
            "graph",
            fmt::format("graph must be at most {} bytes of JSON", kMaxWorkflowGraphBytes)));
    }
    auto graph = workflow::ParseGraph(value);
    if (!graph) {
        Error e = std::move(graph.error());
        auto it = e.details.find("field");
        if (it == e.details.end()) {
            e.details["field"] = "graph";
        } else if (!it->second.starts_with("graph")) {
            it->second = "graph." + it->second;
        }
        return Fail(std::move(e));
    }
    return graph;
}

json::value ParseStored(std::string_view text, json::value fallback) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return fallback;
    return v;
}

std::optional<TimePoint> OptionalTime(const Value& v) {
    if (IsNull(v)) return std::nullopt;
    return FromUnixMillis(AsInt(v));
}

std::optional<std::int64_t> OptionalInt(const Value& v) {
    if (IsNull(v)) return std::nullopt;
    return AsInt(v);
}

Workflow WorkflowFromRow(const std::vector<Value>& r) {
    Workflow w;
    w.id = WorkflowId(AsInt(r[0]));
    w.label = AsString(r[1]);
    w.description = AsString(r[2]);
    w.graph = ParseStored(AsString(r[3]), json::object());
    w.version = AsInt(r[4]);
    w.created_at = FromUnixMillis(AsInt(r[5]));
    w.created_by = AsString(r[6]);
    w.modified_at = FromUnixMillis(AsInt(r[7]));
    w.modified_by = AsString(r[8]);
    return w;
}

WorkflowRunSummary RunFromRow(const std::vector<Value>& r) {
    WorkflowRunSummary s;
    s.id = WorkflowRunId(AsInt(r[0]));
    s.workflow_id = WorkflowId(AsInt(r[1]));
    s.number = AsInt(r[2]);
    s.status = AsString(r[3]);
    s.dry_run = AsBool(r[4]);
    s.version = AsInt(r[5]);
    s.started_at = FromUnixMillis(AsInt(r[6]));
    s.started_by = AsString(r[7]);
    s.finished_at = OptionalTime(r[8]);
    s.error = AsString(r[9]);
    return s;
}

Error NoSuchWorkflow(WorkflowId id) {
    return Error::NotFound(fmt::format("there is no workflow with id {}", id.value()));
}

Error NoActiveRun(WorkflowId id) {
    return Error::FailedPrecondition(
        fmt::format("workflow {} has no active run: start it first", id.value()));
}

Result<Workflow> LoadRow(Transaction& tx, WorkflowId id) {
    auto rows = tx.Query(q::kWorkflowGet, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return Fail(NoSuchWorkflow(id));
    return WorkflowFromRow(rows->rows[0]);
}

Result<std::optional<WorkflowRunSummary>> OneRun(Transaction& tx, std::string_view statement,
                                                 WorkflowId id) {
    auto rows = tx.Query(statement, {id.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<WorkflowRunSummary>();
    return std::optional<WorkflowRunSummary>(RunFromRow(rows->rows[0]));
}

// The active and the last run of `w`.
Status AddRuns(Transaction& tx, Workflow& w) {
    auto active = OneRun(tx, q::kWorkflowRunActive, w.id);
    if (!active) return Fail(active.error());
    w.active_run = std::move(*active);
    auto last = OneRun(tx, q::kWorkflowRunLast, w.id);
    if (!last) return Fail(last.error());
    w.last_run = std::move(*last);
    return {};
}

Result<WorkflowRunDetail> LoadRun(Transaction& tx, WorkflowId id, WorkflowRunId run) {
    auto rows = tx.Query(q::kWorkflowRunGet, {id.value(), run.value()});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) {
        return Fail(Error::NotFound(
            fmt::format("workflow {} has no run with id {}", id.value(), run.value())));
    }
    const auto& r = rows->rows[0];
    WorkflowRunDetail d;
    d.run = RunFromRow(r);
    auto variables = ParseStored(AsString(r[10]), json::object());
    if (variables.is_object()) d.variables = std::move(variables.as_object());
    d.graph = ParseStored(AsString(r[11]), json::object());

    auto tasks = tx.Query(q::kWorkflowRunTasks, {run.value()});
    if (!tasks) return Fail(tasks.error());
    for (const auto& t : tasks->rows) {
        WorkflowTaskInfo info;
        info.id = AsInt(t[0]);
        info.activity = AsString(t[1]);
        info.type = AsString(t[2]);
        info.status = AsString(t[3]);
        info.attempts = AsInt(t[4]);
        if (AsInt(t[5]) > 0) info.wake_at = FromUnixMillis(AsInt(t[5]));
        info.started_at = OptionalTime(t[6]);
        info.finished_at = OptionalTime(t[7]);
        info.error = AsString(t[8]);
        auto& activity = d.activities[info.activity];
        activity.status = info.status;  // tasks come in id order: the last one wins
        ++activity.tasks;
        d.tasks.push_back(std::move(info));
    }

    auto transitions = tx.Query(q::kWorkflowRunTransitions, {run.value()});
    if (!transitions) return Fail(transitions.error());
    for (const auto& t : transitions->rows) {
        d.transitions.push_back({AsString(t[0]), OptionalInt(t[1]), AsInt(t[2]), AsInt(t[3]),
                                 FromUnixMillis(AsInt(t[4]))});
    }
    return d;
}

bool IsActive(std::string_view status) {
    return status == "running" || status == "paused" || status == "stopping";
}

}  // namespace

WorkflowCheck WorkflowService::CheckParsed(const workflow::Graph& graph) const {
    WorkflowCheck out;
    out.problems = engine_.Check(graph);
    const auto& registry = engine_.registry();
    for (const auto& a : graph.activities) {
        const auto* type = registry.Find(a.type);
        if (!type) continue;
        WorkflowPorts ports;
        // The ports of parameters being edited: an activity type is meant never to throw on
        // any JSON, but a canvas that cannot load a saved workflow is worse than missing ports.
        try {
            if (type->input_mode() != workflow::InputMode::kNone) {
                ports.in = type->InputPorts(a.params);
            }
            ports.out = type->OutputPorts(a.params);
        } catch (const std::exception&) {
            ports = {};
        }
        out.ports.emplace(a.id, std::move(ports));
    }
    return out;
}

Result<Workflow> WorkflowService::Create(const Actor& actor, const NewWorkflow& in) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto label = CheckLabel(in.label);
    if (!label) return Fail(label.error());
    auto description = CheckText("description", in.description, kMaxWorkflowDescription);
    if (!description) return Fail(description.error());
    workflow::Graph graph;
    if (in.graph) {
        auto parsed = ParseApiGraph(*in.graph);
        if (!parsed) return Fail(parsed.error());
        graph = std::move(*parsed);
    }
    const auto text = json::serialize(workflow::GraphToJson(graph));
    const auto now = ToUnixMillis(clock_.Now());
    auto created = storage::WithWrite(db_, [&](Transaction& tx) -> Result<Workflow> {
        auto rows = tx.Query(q::kWorkflowInsert, {*label, *description, text, now, actor.username});
        if (!rows) return Fail(rows.error());
        WorkflowId id(AsInt(rows->rows.at(0).at(0)));
        if (auto st = audit_.Record(tx, actor, "workflow.create", "workflow",
                                    std::to_string(id.value()), {{"label", *label}});
            !st) {
            return Fail(st.error());
        }
        return LoadRow(tx, id);
    });
    if (!created) return created;
    created->check = CheckParsed(graph);
    return created;
}

Result<Page<Workflow>> WorkflowService::List(const Actor& actor,
                                             const WorkflowListQuery& query) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(query.page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(query.page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<Workflow>> {
        auto rows = tx.Query(q::kWorkflowList, {*before, LikePattern(query.search),
                                                std::int64_t{query.page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<Workflow> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(query.page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            auto w = WorkflowFromRow(row);
            if (auto st = AddRuns(tx, w); !st) return Fail(st.error());
            out.items.push_back(std::move(w));
        }
        return out;
    });
}

Result<std::int64_t> WorkflowService::Count(const Actor& actor, const std::string& search) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto rows = tx.Query(q::kWorkflowCount, {LikePattern(search)});
        if (!rows) return Fail(rows.error());
        return AsInt(rows->rows.at(0).at(0));
    });
}

Result<Workflow> WorkflowService::Get(const Actor& actor, WorkflowId id) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto w = storage::WithRead(db_, [&](Transaction& tx) -> Result<Workflow> {
        auto w = LoadRow(tx, id);
        if (!w) return w;
        if (auto st = AddRuns(tx, *w); !st) return Fail(st.error());
        return w;
    });
    if (!w) return w;
    if (auto graph = workflow::ParseGraph(w->graph)) w->check = CheckParsed(*graph);
    return w;
}

Result<Workflow> WorkflowService::Update(const Actor& actor, WorkflowId id,
                                         const WorkflowPatch& patch) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    std::optional<std::string> label, description, graph_text;
    if (patch.label) {
        auto checked = CheckLabel(*patch.label);
        if (!checked) return Fail(checked.error());
        label = std::move(*checked);
    }
    if (patch.description) {
        auto checked = CheckText("description", *patch.description, kMaxWorkflowDescription);
        if (!checked) return Fail(checked.error());
        description = std::move(*checked);
    }
    if (patch.graph) {
        auto parsed = ParseApiGraph(*patch.graph);
        if (!parsed) return Fail(parsed.error());
        graph_text = json::serialize(workflow::GraphToJson(*parsed));
    }
    const auto now = ToUnixMillis(clock_.Now());
    auto stale = [&](std::int64_t current) {
        return Error::FailedPrecondition(
                   fmt::format("workflow {} was changed by someone else (version {} is current): "
                               "reload it and apply your change again",
                               id.value(), current))
            .With("field", "version")
            .With("current", std::to_string(current));
    };
    auto updated = storage::WithWrite(db_, [&](Transaction& tx) -> Result<Workflow> {
        auto current = LoadRow(tx, id);
        if (!current) return current;
        if (patch.version && *patch.version != current->version) {
            return Fail(stale(current->version));
        }
        const auto old_graph = json::serialize(current->graph);
        const bool label_changed = label && *label != current->label;
        const bool graph_changed = graph_text && *graph_text != old_graph;
        const std::int64_t version = current->version + (label_changed || graph_changed ? 1 : 0);
        auto n = tx.Exec(
            q::kWorkflowUpdate,
            {id.value(), label.value_or(current->label), description.value_or(current->description),
             graph_text.value_or(old_graph), version, current->version, now, actor.username});
        if (!n) return Fail(n.error());
        if (*n == 0) return Fail(stale(current->version + 1));
        AuditDetails details{{"label", label.value_or(current->label)},
                             {"version", std::to_string(version)}};
        if (description) details.emplace_back("description", "changed");
        if (graph_changed) details.emplace_back("graph", "changed");
        if (auto st = audit_.Record(tx, actor, "workflow.update", "workflow",
                                    std::to_string(id.value()), details);
            !st) {
            return Fail(st.error());
        }
        auto w = LoadRow(tx, id);
        if (!w) return w;
        if (auto st = AddRuns(tx, *w); !st) return Fail(st.error());
        return w;
    });
    if (!updated) return updated;
    if (auto graph = workflow::ParseGraph(updated->graph)) updated->check = CheckParsed(*graph);
    return updated;
}

Status WorkflowService::Delete(const Actor& actor, WorkflowId id) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto current = LoadRow(tx, id);
        if (!current) return Fail(current.error());
        auto active = OneRun(tx, q::kWorkflowRunActive, id);
        if (!active) return Fail(active.error());
        if (*active) {
            return Fail(Error::FailedPrecondition(
                            fmt::format("workflow \"{}\" has an active run (#{}, {}): stop it "
                                        "before deleting the workflow",
                                        current->label, (*active)->number, (*active)->status))
                            .With("runId", std::to_string((*active)->id.value())));
        }
        if (auto n = tx.Exec(q::kWorkflowDelete, {id.value()}); !n) return Fail(n.error());
        return audit_.Record(tx, actor, "workflow.delete", "workflow", std::to_string(id.value()),
                             {{"label", current->label}});
    });
}

Result<WorkflowCheck> WorkflowService::Check(const Actor& actor, const json::value& graph) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    auto parsed = ParseApiGraph(graph);
    if (!parsed) return Fail(parsed.error());
    return CheckParsed(*parsed);
}

Result<std::vector<WorkflowActivityTypeInfo>> WorkflowService::ActivityTypes(
    const Actor& actor) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    std::vector<WorkflowActivityTypeInfo> out;
    for (const auto* t : engine_.registry().All()) {
        WorkflowActivityTypeInfo info;
        info.type = std::string(t->type());
        info.category = std::string(t->category());
        info.label = std::string(t->label());
        switch (t->input_mode()) {
            case workflow::InputMode::kNone:
                info.input_mode = "none";
                break;
            case workflow::InputMode::kEach:
                info.input_mode = "each";
                break;
            case workflow::InputMode::kAll:
                info.input_mode = "all";
                break;
        }
        info.can_start = t->can_start();
        out.push_back(std::move(info));
    }
    return out;
}

Status WorkflowService::AuditCommand(const Actor& actor, WorkflowId id, std::string_view action,
                                     const AuditDetails& details) const {
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        return audit_.Record(tx, actor, action, "workflow", std::to_string(id.value()), details);
    });
}

Result<WorkflowRunDetail> WorkflowService::Start(const Actor& actor, WorkflowId id,
                                                 const WorkflowStart& options) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto exists = storage::WithRead(db_, [&](Transaction& tx) { return LoadRow(tx, id); });
    if (!exists) return Fail(exists.error());
    workflow::StartOptions start;
    start.dry_run = options.dry_run;
    start.started_by = actor.username;
    start.role = std::string(RoleName(actor.role));
    start.variables = options.variables;
    auto run = engine_.StartRun(id.value(), start);
    if (!run) return Fail(run.error());
    if (auto st = AuditCommand(
            actor, id, "workflow.start",
            {{"runId", std::to_string(*run)}, {"dryRun", options.dry_run ? "true" : "false"}});
        !st) {
        return Fail(st.error());
    }
    engine_.Wake();
    return storage::WithRead(db_,
                             [&](Transaction& tx) { return LoadRun(tx, id, WorkflowRunId(*run)); });
}

Result<WorkflowRunDetail> WorkflowService::Command(
    const Actor& actor, WorkflowId id, std::string_view action,
    Status (workflow::Engine::*command)(std::int64_t)) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto active =
        storage::WithRead(db_, [&](Transaction& tx) -> Result<std::optional<WorkflowRunSummary>> {
            if (auto w = LoadRow(tx, id); !w) return Fail(w.error());
            return OneRun(tx, q::kWorkflowRunActive, id);
        });
    if (!active) return Fail(active.error());
    if (!*active) return Fail(NoActiveRun(id));
    const auto run = (*active)->id;
    if (auto st = (engine_.*command)(run.value()); !st) return Fail(st.error());
    if (auto st = AuditCommand(actor, id, action, {{"runId", std::to_string(run.value())}}); !st) {
        return Fail(st.error());
    }
    engine_.Wake();
    return storage::WithRead(db_, [&](Transaction& tx) { return LoadRun(tx, id, run); });
}

Result<WorkflowRunDetail> WorkflowService::Pause(const Actor& actor, WorkflowId id) const {
    return Command(actor, id, "workflow.pause", &workflow::Engine::Pause);
}

Result<WorkflowRunDetail> WorkflowService::Resume(const Actor& actor, WorkflowId id) const {
    return Command(actor, id, "workflow.resume", &workflow::Engine::Resume);
}

Result<WorkflowRunDetail> WorkflowService::Stop(const Actor& actor, WorkflowId id) const {
    return Command(actor, id, "workflow.stop", &workflow::Engine::Stop);
}

Result<WorkflowRunDetail> WorkflowService::Restart(const Actor& actor, WorkflowId id) const {
    auto stopping = Command(actor, id, "workflow.stop", &workflow::Engine::Stop);
    if (!stopping) return stopping;
    const auto run = stopping->run.id;
    const bool dry_run = stopping->run.dry_run;
    // Running tasks are cancelled at their next checkpoint, on whichever node runs them.
    const auto deadline = std::chrono::steady_clock::now() + kRestartWait;
    for (;;) {
        auto now = storage::WithRead(db_, [&](Transaction& tx) { return LoadRun(tx, id, run); });
        if (!now) return now;
        if (!IsActive(now->run.status)) break;
        if (std::chrono::steady_clock::now() > deadline) {
            return Fail(Error::Unavailable(fmt::format(
                "run #{} of workflow {} did not stop within {} seconds: it is still {}; start "
                "the workflow again once it has stopped",
                now->run.number, id.value(), kRestartWait.count(), now->run.status)));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Start(actor, id, WorkflowStart{.dry_run = dry_run, .variables = {}});
}

Result<WorkflowRunDetail> WorkflowService::Signal(const Actor& actor, WorkflowId id,
                                                  std::string_view activity,
                                                  const json::object& parameters) const {
    if (auto st = Require(actor, Permission::kWriteData); !st) return Fail(st.error());
    auto active =
        storage::WithRead(db_, [&](Transaction& tx) -> Result<std::optional<WorkflowRunSummary>> {
            if (auto w = LoadRow(tx, id); !w) return Fail(w.error());
            return OneRun(tx, q::kWorkflowRunActive, id);
        });
    if (!active) return Fail(active.error());
    if (!*active) return Fail(NoActiveRun(id));
    const auto run = (*active)->id;
    if (auto st = engine_.Signal(id.value(), activity, parameters); !st) return Fail(st.error());
    if (auto st = AuditCommand(
            actor, id, "workflow.signal",
            {{"runId", std::to_string(run.value())}, {"activity", std::string(activity)}});
        !st) {
        return Fail(st.error());
    }
    engine_.Wake();
    return storage::WithRead(db_, [&](Transaction& tx) { return LoadRun(tx, id, run); });
}

Result<Page<WorkflowRunSummary>> WorkflowService::Runs(const Actor& actor, WorkflowId id,
                                                       const PageRequest& page) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(page.limit); !st) return Fail(st.error());
    auto before = DecodeCursor(page.cursor, std::numeric_limits<std::int64_t>::max());
    if (!before) return Fail(before.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<Page<WorkflowRunSummary>> {
        if (auto w = LoadRow(tx, id); !w) return Fail(w.error());
        auto rows =
            tx.Query(q::kWorkflowRunList, {id.value(), *before, std::int64_t{page.limit} + 1});
        if (!rows) return Fail(rows.error());
        Page<WorkflowRunSummary> out;
        for (const auto& row : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(page.limit)) {
                out.next = EncodeCursor(out.items.back().id.value());
                break;
            }
            out.items.push_back(RunFromRow(row));
        }
        return out;
    });
}

Result<WorkflowRunDetail> WorkflowService::Run(const Actor& actor, WorkflowId id,
                                               WorkflowRunId run) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<WorkflowRunDetail> {
        if (auto w = LoadRow(tx, id); !w) return Fail(w.error());
        return LoadRun(tx, id, run);
    });
}

Result<WorkflowLogPage> WorkflowService::Logs(const Actor& actor, WorkflowId id, WorkflowRunId run,
                                              std::int64_t after, int limit) const {
    if (auto st = Require(actor, Permission::kReadData); !st) return Fail(st.error());
    if (auto st = CheckLimit(limit); !st) return Fail(st.error());
    if (after < 0) return Fail(Error::InvalidField("after", "after must be a log id (0 or more)"));
    return storage::WithRead(db_, [&](Transaction& tx) -> Result<WorkflowLogPage> {
        auto exists = tx.Query(q::kWorkflowRunGet, {id.value(), run.value()});
        if (!exists) return Fail(exists.error());
        if (exists->empty()) {
            if (auto w = LoadRow(tx, id); !w) return Fail(w.error());
            return Fail(Error::NotFound(
                fmt::format("workflow {} has no run with id {}", id.value(), run.value())));
        }
        auto rows = tx.Query(q::kWorkflowRunLogs, {run.value(), after, std::int64_t{limit} + 1});
        if (!rows) return Fail(rows.error());
        WorkflowLogPage out;
        for (const auto& r : rows->rows) {
            if (out.items.size() == static_cast<std::size_t>(limit)) {
                out.next = out.items.back().id;
                break;
            }
            WorkflowLogEntry e;
            e.id = AsInt(r[0]);
            e.task_id = OptionalInt(r[1]);
            e.activity = AsString(r[2]);
            e.level = AsString(r[3]);
            e.message = AsString(r[4]);
            e.rows = OptionalInt(r[5]);
            e.duration_ms = OptionalInt(r[6]);
            e.at = FromUnixMillis(AsInt(r[7]));
            out.items.push_back(std::move(e));
        }
        return out;
    });
}

}  // namespace overture::service
