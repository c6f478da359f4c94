// The workflow engine (engine.hpp): the commands on runs, each one write transaction holding
// the run's lock, and the threads. The task cycle (claim, execute, record) is in
// engine_tasks.cpp, the Context in engine_context.cpp, shared steps in engine_store.cpp.
#include "workflow/engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "common/log.hpp"
#include "workflow/engine_impl.hpp"

namespace overture::workflow {

namespace json = boost::json;
using internal::LockedRun;
using storage::AsInt;
using storage::AsString;
using storage::Transaction;

namespace {

std::atomic<int> g_engine_instances{0};

Error RunNotFound(std::int64_t run_id) {
    return Error::NotFound(fmt::format("workflow run {} not found", run_id));
}

Error WrongState(const LockedRun& run) {
    return Error::FailedPrecondition(fmt::format("the run is {}", run.status))
        .With("status", run.status);
}

std::string ProblemSummary(const std::vector<Problem>& problems) {
    const Problem& p = problems.front();
    std::string where = !p.activity.empty()     ? fmt::format("activity \"{}\": ", p.activity)
                        : !p.transition.empty() ? fmt::format("transition \"{}\": ", p.transition)
                                                : std::string();
    std::string more = problems.size() > 1
                           ? fmt::format(" (and {} more problem{})", problems.size() - 1,
                                         problems.size() > 2 ? "s" : "")
                           : std::string();
    return fmt::format("the workflow cannot start: {}{}{}", where, p.message, more);
}

}  // namespace

Engine::Impl::Impl(Engine& engine)
    : e(engine), owner(fmt::format("{}#{}", engine.options_.node, ++g_engine_instances)) {}

Engine::Engine(storage::Database& db, const Clock& clock, const Registry& registry,
               ModelSource model, EngineOptions options)
    : db_(db),
      clock_(clock),
      registry_(registry),
      model_(std::move(model)),
      options_(std::move(options)),
      impl_(std::make_unique<Impl>(*this)) {
    if (options_.threads < 1) options_.threads = 1;
}

Engine::~Engine() { Stop(); }

std::vector<Problem> Engine::Check(const Graph& graph) const {
    CheckContext ctx;
    ctx.model = model_ ? model_() : nullptr;
    ctx.db = &db_;
    ctx.graph = &graph;
    return CheckGraph(graph, registry_, ctx);
}

Result<std::int64_t> Engine::StartRun(std::int64_t workflow_id, const StartOptions& options) {
    const std::int64_t now = impl_->Now();
    auto run_id = storage::WithWrite(db_, [&](Transaction& tx) -> Result<std::int64_t> {
        auto wf = tx.Query("workflow-engine-workflow", {workflow_id});
        if (!wf) return Fail(std::move(wf.error()));
        if (wf->empty()) {
            return Fail(Error::NotFound(fmt::format("workflow {} not found", workflow_id)));
        }
        const std::string graph_text = AsString(wf->rows[0][0]);
        const std::int64_t version = AsInt(wf->rows[0][1]);
        boost::system::error_code ec;
        json::value graph_json = json::parse(graph_text, ec);
        if (ec)
            return Fail(
                Error::Internal(fmt::format("workflow {}: graph is not JSON", workflow_id)));
        auto graph = ParseGraph(graph_json);
        if (!graph) {
            return Fail(Error::FailedPrecondition(
                fmt::format("the workflow cannot start: {}", graph.error().message)));
        }
        if (auto problems = Check(*graph); !problems.empty()) {
            return Fail(Error::FailedPrecondition(ProblemSummary(problems))
                            .With("problems", std::to_string(problems.size())));
        }
        auto active = tx.Query("workflow-engine-run-active", {workflow_id});
        if (!active) return Fail(std::move(active.error()));
        if (!active->empty()) {
            std::int64_t id = AsInt(active->rows[0][0]);
            return Fail(Error::FailedPrecondition(fmt::format("run {} of this workflow is still {}",
                                                              id, AsString(active->rows[0][1])))
                            .With("runId", std::to_string(id)));
        }
        auto number = tx.Query("workflow-engine-run-next-number", {workflow_id});
        if (!number) return Fail(std::move(number.error()));
        json::object variables = graph->variables;
        for (const auto& kv : options.variables) variables[kv.key()] = kv.value();
        auto inserted =
            tx.Query("workflow-engine-run-insert",
                     {workflow_id, AsInt(number->rows.at(0).at(0)), options.dry_run,
                      json::serialize(GraphToJson(*graph)), version, internal::ToText(variables),
                      options.started_by, options.role, now});
        if (!inserted) {
            if (inserted.error().code == ErrorCode::kAlreadyExists) {
                return Fail(Error::FailedPrecondition("a run of this workflow is already active"));
            }
            return Fail(std::move(inserted.error()));
        }
        const std::int64_t id = AsInt(inserted->rows.at(0).at(0));
        for (const auto& a : graph->activities) {
            const ActivityType* type = registry_.Find(a.type);
            if (type == nullptr || !type->can_start() || !graph->Inbound(a.id).empty()) continue;
            auto task = internal::InsertTask(tx, id, a.id, a.type, "pending", {}, {}, now, now);
            if (!task) return Fail(std::move(task.error()));
        }
        std::string message = fmt::format(
            "Run started by {}{}.", options.started_by.empty() ? "the system" : options.started_by,
            options.dry_run ? " (dry run)" : "");
        if (auto st = internal::AddLog(tx, id, std::nullopt, "", LogLevel::kInfo, message,
                                       std::nullopt, std::nullopt, now);
            !st) {
            return Fail(std::move(st.error()));
        }
        return id;
    });
    if (run_id) Wake();
    return run_id;
}

Status Engine::Pause(std::int64_t run_id) {
    const std::int64_t now = impl_->Now();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto run = internal::LockRun(tx, run_id);
        if (!run) return Fail(std::move(run.error()));
        if (!*run) return Fail(RunNotFound(run_id));
        if ((*run)->status != "running") return Fail(WrongState(**run));
        auto set = tx.Exec("workflow-engine-run-set-status", {run_id, std::string("paused")});
        if (!set) return Fail(std::move(set.error()));
        return internal::AddLog(tx, run_id, std::nullopt, "", LogLevel::kInfo, "Paused.",
                                std::nullopt, std::nullopt, now);
    });
}

Status Engine::Resume(std::int64_t run_id) {
    const std::int64_t now = impl_->Now();
    auto st = storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto run = internal::LockRun(tx, run_id);
        if (!run) return Fail(std::move(run.error()));
        if (!*run) return Fail(RunNotFound(run_id));
        if ((*run)->status != "paused") return Fail(WrongState(**run));
        auto set = tx.Exec("workflow-engine-run-set-status", {run_id, std::string("running")});
        if (!set) return Fail(std::move(set.error()));
        return internal::AddLog(tx, run_id, std::nullopt, "", LogLevel::kInfo, "Resumed.",
                                std::nullopt, std::nullopt, now);
    });
    if (st) Wake();
    return st;
}

Status Engine::Stop(std::int64_t run_id) {
    const std::int64_t now = impl_->Now();
    return storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto run = internal::LockRun(tx, run_id);
        if (!run) return Fail(std::move(run.error()));
        if (!*run) return Fail(RunNotFound(run_id));
        if (!internal::RunLive((*run)->status)) return Fail(WrongState(**run));
        auto set = tx.Exec("workflow-engine-run-set-status", {run_id, std::string("stopping")});
        if (!set) return Fail(std::move(set.error()));
        auto cancelled = tx.Exec("workflow-engine-tasks-cancel-open", {run_id, now});
        if (!cancelled) return Fail(std::move(cancelled.error()));
        if (auto st = internal::AddLog(tx, run_id, std::nullopt, "", LogLevel::kInfo, "Stopping.",
                                       std::nullopt, std::nullopt, now);
            !st) {
            return st;
        }
        auto running = tx.Query("workflow-engine-run-running", {run_id});
        if (!running) return Fail(std::move(running.error()));
        if (AsInt(running->rows.at(0).at(0)) > 0) return {};  // the last one ends the run
        return internal::EndRun(tx, run_id, "stopped", "", now);
    });
}

Status Engine::Signal(std::int64_t workflow_id, std::string_view activity,
                      const json::object& parameters) {
    const std::int64_t now = impl_->Now();
    auto st = storage::WithWrite(db_, [&](Transaction& tx) -> Status {
        auto run = internal::LockActiveRun(tx, workflow_id);
        if (!run) return Fail(std::move(run.error()));
        if (!*run || !internal::RunLive((*run)->status)) {
            return Fail(Error::FailedPrecondition(
                "the workflow has no run waiting for a signal: start the workflow first"));
        }
        const LockedRun& r = **run;
        auto waiting = tx.Query("workflow-engine-task-waiting", {r.id, std::string(activity)});
        if (!waiting) return Fail(std::move(waiting.error()));
        if (waiting->empty()) {
            return Fail(Error::FailedPrecondition(
                fmt::format("activity \"{}\" is not waiting for a signal", activity)));
        }
        const std::int64_t task = AsInt(waiting->rows[0][0]);
        json::object state = internal::ParseObject(AsString(waiting->rows[0][1]));
        state["signal"] = parameters;
        json::object variables = r.variables;
        for (const auto& kv : parameters) variables[kv.key()] = kv.value();
        auto woken = tx.Exec("workflow-engine-task-signal", {task, now, internal::ToText(state)});
        if (!woken) return Fail(std::move(woken.error()));
        auto saved =
            tx.Exec("workflow-engine-run-set-variables", {r.id, internal::ToText(variables)});
        if (!saved) return Fail(std::move(saved.error()));
        return internal::AddLog(tx, r.id, task, activity, LogLevel::kInfo, "Signal received.",
                                std::nullopt, std::nullopt, now);
    });
    if (st) Wake();
    return st;
}

int Engine::RunDue() {
    int executed = 0;
    impl_->SweepStale();
    for (;;) {
        auto task = impl_->ClaimOne();
        if (!task) {
            spdlog::warn("workflow engine: {}", task.error().message);
            break;
        }
        if (!*task) break;
        impl_->Execute(**task);
        ++executed;
    }
    return executed;
}

void Engine::Start() {
    std::lock_guard lock(impl_->mu);
    if (!impl_->workers.empty()) return;
    impl_->stopping = false;
    impl_->TakeOverOnce();
    for (int i = 0; i < options_.threads; ++i) {
        impl_->workers.emplace_back([this, i] { impl_->WorkerLoop(i); });
    }
    impl_->heartbeat = std::thread([this] { impl_->HeartbeatLoop(); });
}

void Engine::Stop() {
    std::vector<std::thread> workers;
    std::thread heartbeat;
    {
        std::lock_guard lock(impl_->mu);
        impl_->stopping = true;
        workers = std::move(impl_->workers);
        impl_->workers.clear();
        heartbeat = std::move(impl_->heartbeat);
    }
    impl_->cv.notify_all();
    for (auto& t : workers) t.join();
    if (heartbeat.joinable()) heartbeat.join();
}

void Engine::Wake() {
    {
        std::lock_guard lock(impl_->mu);
        ++impl_->wake_generation;
    }
    impl_->cv.notify_all();
}

void Engine::Impl::WorkerLoop(int index) {
    SetThreadName(fmt::format("ov-wkf-{}", index));
    std::uint64_t seen = 0;
    while (!stopping.load()) {
        bool worked = false;
        try {
            if (index == 0) SweepStale();
            auto task = ClaimOne();
            if (!task) {
                spdlog::warn("workflow engine: {}", task.error().message);
            } else if (*task) {
                Execute(**task);
                worked = true;
            }
        } catch (const std::exception& ex) {
            spdlog::error("workflow engine thread {}: {}", index, ex.what());
        }
        if (worked) continue;
        std::unique_lock lock(mu);
        cv.wait_for(lock, e.options_.tick,
                    [&] { return stopping.load() || wake_generation != seen; });
        seen = wake_generation;
    }
}

void Engine::Impl::HeartbeatLoop() {
    SetThreadName("ov-wkf-lease");
    const auto period = std::max(e.options_.lease / 3, std::chrono::milliseconds(10));
    std::unique_lock lock(mu);
    while (!stopping.load()) {
        cv.wait_for(lock, period, [&] { return stopping.load(); });
        if (stopping.load()) break;
        lock.unlock();
        std::vector<std::int64_t> ids;
        {
            std::lock_guard exec_lock(executing_mu);
            ids.assign(executing.begin(), executing.end());
        }
        const std::int64_t until = Now() + e.options_.lease.count();
        for (std::int64_t id : ids) {
            auto renewed = storage::WithWrite(e.db_, [&](Transaction& tx) {
                return tx.Exec("workflow-engine-lease-renew", {id, owner, until});
            });
            if (!renewed) {
                spdlog::warn("workflow task {}: lease not renewed: {}", id,
                             renewed.error().message);
            }
        }
        lock.lock();
    }
}

}  // namespace overture::workflow
