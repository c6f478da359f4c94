// The engine's task cycle: claim a due task under a lease (compare-and-set), execute it with an
// EngineContext, and record its outcome in one write transaction that holds the run's lock:
// done (counts, routing along transitions, joins, table references, re-arming), waiting,
// cancelled, or failed under the activity's error policy; then end the run when nothing keeps
// it alive.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "workflow/engine_impl.hpp"
#include "workflow/tables.hpp"

namespace overture::workflow {

namespace json = boost::json;
using internal::ClaimedTask;
using internal::EngineContext;
using internal::LockedRun;
using storage::AsBool;
using storage::AsInt;
using storage::AsString;
using storage::Transaction;
using storage::Value;

namespace {

constexpr std::int64_t kClaimBatch = 32;

// The task was cancelled or taken over while it ran: it is not ours to record. When it is
// still ours but cancelled (its run failed), drop whatever tables it made, even those the
// run's end marked dropped before the task created them.
Status NotOwned(Transaction& tx, const ClaimedTask& task, const std::string& owner,
                std::int64_t now) {
    auto state = tx.Query("workflow-engine-task-state", {task.id});
    if (!state) return Fail(std::move(state.error()));
    if (state->empty() || AsString(state->rows[0][1]) != owner) return {};
    const std::string status = AsString(state->rows[0][0]);
    if (status != "cancelled" && status != "failed") return {};
    auto tables = tx.Query("workflow-engine-tables-of-task", {task.id});
    if (!tables) return Fail(std::move(tables.error()));
    for (const auto& r : tables->rows) {
        if (auto st = internal::DropTable(tx, AsString(r[0]), now); !st) return st;
    }
    return {};
}

Status SaveVariables(Transaction& tx, const LockedRun& run, const ClaimedTask& task,
                     const EngineContext& ctx) {
    if (ctx.variables_after() == task.variables) return {};
    json::object merged =
        internal::MergeVariables(run.variables, task.variables, ctx.variables_after());
    auto saved = tx.Exec("workflow-engine-run-set-variables", {run.id, internal::ToText(merged)});
    if (!saved) return Fail(std::move(saved.error()));
    return {};
}

}  // namespace

void Engine::Impl::TakeOverOnce() {
    if (e.db_.dialect() != storage::Dialect::kSqlite) return;
    std::call_once(takeover, [&] {
        auto taken = storage::WithWrite(
            e.db_, [&](Transaction& tx) { return tx.Exec("workflow-engine-take-over", {}); });
        if (!taken) {
            spdlog::warn("workflow engine: could not take over interrupted tasks: {}",
                         taken.error().message);
        } else if (*taken > 0) {
            spdlog::info("workflow engine: {} interrupted task(s) will run again", *taken);
        }
    });
}

Result<std::optional<ClaimedTask>> Engine::Impl::ClaimOne() {
    TakeOverOnce();
    const std::int64_t now = Now();
    const std::int64_t lease_until = now + e.options_.lease.count();
    auto due = storage::WithRead(e.db_, [&](Transaction& tx) {
        return tx.Query("workflow-engine-due", {now, kClaimBatch});
    });
    if (!due) return Fail(std::move(due.error()));

    for (const auto& row : due->rows) {
        const std::int64_t id = AsInt(row[0]);
        const bool interrupted = AsString(row[2]) == "running";
        Result<std::int64_t> claimed = 0;
        if (interrupted) {
            claimed = storage::WithWrite(e.db_, [&](Transaction& tx) {
                return tx.Exec("workflow-engine-claim-expired",
                               {id, owner, lease_until, now, AsInt(row[3])});
            });
        } else {
            claimed = storage::WithWrite(e.db_, [&](Transaction& tx) {
                return tx.Exec("workflow-engine-claim", {id, owner, lease_until, now});
            });
        }
        if (!claimed) return Fail(std::move(claimed.error()));
        if (*claimed == 0) continue;  // another thread or node was first

        auto loaded = storage::WithRead(
            e.db_, [&](Transaction& tx) { return tx.Query("workflow-engine-task-load", {id}); });
        if (!loaded) return Fail(std::move(loaded.error()));
        if (loaded->empty()) continue;
        const auto& r = loaded->rows[0];
        ClaimedTask task;
        task.id = id;
        task.run_id = AsInt(r[0]);
        task.activity = AsString(r[1]);
        task.type = AsString(r[2]);
        task.state = internal::ParseObject(AsString(r[4]));
        task.attempts = static_cast<int>(AsInt(r[5]));
        task.workflow_id = AsInt(r[6]);
        task.variables = internal::ParseObject(AsString(r[8]));
        task.dry_run = AsBool(r[9]);
        task.run_as = AsString(r[10]);
        task.run_as_role = AsString(r[11]);
        task.interrupted = interrupted;
        if (auto inputs = internal::InputsFromText(AsString(r[3]))) {
            task.inputs = std::move(*inputs);
        } else {
            task.load_error = inputs.error();
        }
        boost::system::error_code ec;
        json::value graph_json = json::parse(AsString(r[7]), ec);
        auto graph = ec ? Result<Graph>(Fail(Error::Internal("the run's graph is not JSON")))
                        : ParseGraph(graph_json);
        if (graph) {
            task.graph = std::move(*graph);
        } else if (!task.load_error) {
            task.load_error = graph.error();
        }

        if (interrupted) {
            auto cleaned = storage::WithWrite(e.db_, [&](Transaction& tx) -> Status {
                if (auto st = internal::DropUncommitted(tx, id); !st) return st;
                return internal::AddLog(tx, task.run_id, id, task.activity, LogLevel::kWarning,
                                        "interrupted (its node stopped); running it again",
                                        std::nullopt, std::nullopt, now);
            });
            if (!cleaned) return Fail(std::move(cleaned.error()));
        }
        return std::optional<ClaimedTask>(std::move(task));
    }
    return std::optional<ClaimedTask>();
}

void Engine::Impl::SweepStale() {
    const std::int64_t now = Now();
    auto stale = storage::WithRead(
        e.db_, [&](Transaction& tx) { return tx.Query("workflow-engine-stale", {now}); });
    if (!stale) {
        spdlog::warn("workflow engine: {}", stale.error().message);
        return;
    }
    for (const auto& row : stale->rows) {
        const std::int64_t id = AsInt(row[0]);
        const std::int64_t run_id = AsInt(row[1]);
        auto st = storage::WithWrite(e.db_, [&](Transaction& tx) -> Status {
            auto run = internal::LockRun(tx, run_id);
            if (!run) return Fail(std::move(run.error()));
            if (!*run) return {};
            auto cancelled = tx.Exec("workflow-engine-task-cancel-stale", {id, now});
            if (!cancelled) return Fail(std::move(cancelled.error()));
            if (*cancelled == 0) return {};
            auto tables = tx.Query("workflow-engine-tables-of-task", {id});
            if (!tables) return Fail(std::move(tables.error()));
            for (const auto& t : tables->rows) {
                if (auto d = internal::DropTable(tx, AsString(t[0]), now); !d) return d;
            }
            auto ended = internal::EndRunIfIdle(tx, **run, now);
            if (!ended) return Fail(std::move(ended.error()));
            return {};
        });
        if (!st) spdlog::warn("workflow run {} task {}: {}", run_id, id, st.error().message);
    }
}

namespace {

// What Execute did, recorded in one write transaction.
class Recorder {
  public:
    Recorder(const std::string& owner, const Registry& registry, ClaimedTask& task,
             EngineContext& ctx, std::int64_t now, std::int64_t duration_ms)
        : owner_(owner),
          registry_(registry),
          task_(task),
          ctx_(ctx),
          now_(now),
          duration_ms_(duration_ms) {}

    Status Done(Transaction& tx, const LockedRun& run, const Outcome& outcome) {
        if (!internal::RunLive(run.status)) return Cancelled(tx, run);
        auto changed = Finish(tx, "done", "");
        if (!changed) return Fail(std::move(changed.error()));
        if (!*changed) return NotOwned(tx, task_, owner_, now_);
        if (auto st = SaveVariables(tx, run, task_, ctx_); !st) return st;

        std::optional<std::int64_t> rows_sent;
        for (const auto& out : outcome.outputs) {
            std::vector<const TransitionDef*> transitions;
            for (const auto* t : task_.graph.Outbound(task_.activity)) {
                if (t->from_port == out.port) transitions.push_back(t);
            }
            if (out.table) {
                auto sent = tx.Exec("workflow-engine-table-send",
                                    {out.table->name, static_cast<std::int64_t>(transitions.size()),
                                     out.table->count});
                if (!sent) return Fail(std::move(sent.error()));
                rows_sent = rows_sent.value_or(0) + out.table->count;
            }
            for (const auto* t : transitions) {
                Value rows = out.table ? Value(out.table->count) : Value();
                std::int64_t total = out.table ? out.table->count : 0;
                auto counted =
                    tx.Exec("workflow-engine-count-add", {run.id, t->id, rows, total, now_});
                if (!counted) return Fail(std::move(counted.error()));
                if (auto st = Route(tx, *t, out.table); !st) return st;
            }
        }
        if (auto st = internal::ReleaseAndDrop(tx, run.id, task_.id, task_.inputs, now_); !st) {
            return st;
        }
        if (outcome.again_at && !task_.dry_run) {
            auto again = internal::InsertTask(tx, run.id, task_.activity, task_.type, "waiting", {},
                                              json::object{{"rearmed", true}},
                                              ToUnixMillis(*outcome.again_at), now_);
            if (!again) return Fail(std::move(again.error()));
        }
        std::string message =
            rows_sent ? fmt::format("done: {} rows sent on", *rows_sent) : std::string("done");
        if (auto st = internal::AddLog(tx, run.id, task_.id, task_.activity, LogLevel::kInfo,
                                       message, rows_sent, duration_ms_, now_);
            !st) {
            return st;
        }
        auto ended = internal::EndRunIfIdle(tx, run, now_);
        if (!ended) return Fail(std::move(ended.error()));
        return {};
    }

    Status Waiting(Transaction& tx, const LockedRun& run, const Outcome& outcome) {
        if (!internal::RunLive(run.status)) return Cancelled(tx, run);
        std::int64_t wake = outcome.wake_at ? ToUnixMillis(*outcome.wake_at) : internal::kNever;
        auto changed = tx.Exec("workflow-engine-task-wait",
                               {task_.id, owner_, wake, internal::ToText(task_.state)});
        if (!changed) return Fail(std::move(changed.error()));
        if (*changed == 0) return NotOwned(tx, task_, owner_, now_);
        return SaveVariables(tx, run, task_, ctx_);
    }

    Status Cancelled(Transaction& tx, const LockedRun& run) {
        auto changed = Finish(tx, "cancelled", "the run was stopped");
        if (!changed) return Fail(std::move(changed.error()));
        if (!*changed) return NotOwned(tx, task_, owner_, now_);
        if (auto st = internal::ReleaseAndDrop(tx, run.id, task_.id, task_.inputs, now_); !st) {
            return st;
        }
        if (auto st = internal::AddLog(tx, run.id, task_.id, task_.activity, LogLevel::kInfo,
                                       "cancelled: the run was stopped", std::nullopt, duration_ms_,
                                       now_);
            !st) {
            return st;
        }
        auto ended = internal::EndRunIfIdle(tx, run, now_);
        if (!ended) return Fail(std::move(ended.error()));
        return {};
    }

    Status Failed(Transaction& tx, const LockedRun& run, const Error& error) {
        const ActivityDef* def = task_.graph.Find(task_.activity);
        OnError policy = def != nullptr ? def->on_error : OnError{};
        const std::string& message = error.message;
        if (!internal::RunLive(run.status)) {
            // The run is being stopped: the failure ends the task, not the run.
            auto changed = Finish(tx, "failed", message);
            if (!changed) return Fail(std::move(changed.error()));
            if (!*changed) return NotOwned(tx, task_, owner_, now_);
            if (auto st = internal::ReleaseAndDrop(tx, run.id, task_.id, task_.inputs, now_); !st) {
                return st;
            }
            auto ended = internal::EndRunIfIdle(tx, run, now_);
            if (!ended) return Fail(std::move(ended.error()));
            return {};
        }
        if (policy.policy == ErrorPolicy::kRetry && task_.attempts <= policy.retries) {
            std::int64_t wake = now_ + std::int64_t{policy.delay_seconds} * 1000;
            auto changed = tx.Exec("workflow-engine-task-retry", {task_.id, owner_, wake, message});
            if (!changed) return Fail(std::move(changed.error()));
            if (*changed == 0) return NotOwned(tx, task_, owner_, now_);
            if (auto st = internal::DropUncommitted(tx, task_.id); !st) return st;
            return internal::AddLog(
                tx, run.id, task_.id, task_.activity, LogLevel::kWarning,
                fmt::format("attempt {} of {} failed: {}; trying again in {} s", task_.attempts,
                            policy.retries + 1, message, policy.delay_seconds),
                std::nullopt, duration_ms_, now_);
        }
        if (policy.policy == ErrorPolicy::kSkip) {
            auto changed = Finish(tx, "skipped", message);
            if (!changed) return Fail(std::move(changed.error()));
            if (!*changed) return NotOwned(tx, task_, owner_, now_);
            if (auto st = internal::ReleaseAndDrop(tx, run.id, task_.id, task_.inputs, now_); !st) {
                return st;
            }
            if (auto st = internal::AddLog(
                    tx, run.id, task_.id, task_.activity, LogLevel::kWarning,
                    fmt::format("failed: {}; skipped (this branch ends here)", message),
                    std::nullopt, duration_ms_, now_);
                !st) {
                return st;
            }
            auto ended = internal::EndRunIfIdle(tx, run, now_);
            if (!ended) return Fail(std::move(ended.error()));
            return {};
        }
        auto changed = Finish(tx, "failed", message);
        if (!changed) return Fail(std::move(changed.error()));
        if (!*changed) return NotOwned(tx, task_, owner_, now_);
        if (auto st = internal::AddLog(tx, run.id, task_.id, task_.activity, LogLevel::kError,
                                       fmt::format("failed: {}", message), std::nullopt,
                                       duration_ms_, now_);
            !st) {
            return st;
        }
        auto others = tx.Exec("workflow-engine-tasks-cancel-others", {run.id, now_, task_.id});
        if (!others) return Fail(std::move(others.error()));
        return internal::EndRun(tx, run.id, "failed",
                                fmt::format("{}: {}", task_.activity, message), now_);
    }

  private:
    // The compare-and-set that ends the task; false when it is no longer this engine's.
    Result<bool> Finish(Transaction& tx, std::string_view status, const std::string& error) {
        auto changed = tx.Exec(
            "workflow-engine-task-finish",
            {task_.id, owner_, std::string(status), internal::ToText(task_.state), error, now_});
        if (!changed) return Fail(std::move(changed.error()));
        return *changed > 0;
    }

    // Sends `table` along `t`: a new task of its target, or an input of the target's
    // collecting task (which becomes pending once every inbound transition has arrived).
    Status Route(Transaction& tx, const TransitionDef& t, const std::optional<Table>& table) {
        const ActivityDef* target = task_.graph.Find(t.to);
        if (target == nullptr) return {};
        const ActivityType* type = registry_.Find(target->type);
        Input input{t.id, t.to_port, table};
        if (type == nullptr || type->input_mode() != InputMode::kAll) {
            auto id = internal::InsertTask(tx, task_.run_id, target->id, target->type, "pending",
                                           {input}, {}, now_, now_);
            if (!id) return Fail(std::move(id.error()));
            return {};
        }
        auto collecting = tx.Query("workflow-engine-collecting", {task_.run_id, target->id});
        if (!collecting) return Fail(std::move(collecting.error()));
        std::optional<std::int64_t> join;
        std::vector<Input> inputs;
        for (const auto& row : collecting->rows) {
            auto have = internal::InputsFromText(AsString(row[1]));
            if (!have) return Fail(std::move(have.error()));
            bool arrived = false;
            for (const auto& in : *have) arrived = arrived || in.transition == t.id;
            if (!arrived) {
                join = AsInt(row[0]);
                inputs = std::move(*have);
                break;
            }
        }
        inputs.push_back(std::move(input));
        bool complete = true;
        for (const auto* in : task_.graph.Inbound(target->id)) {
            bool arrived = false;
            for (const auto& have : inputs) arrived = arrived || have.transition == in->id;
            complete = complete && arrived;
        }
        std::string_view status = complete ? "pending" : "collecting";
        if (!join) {
            auto id = internal::InsertTask(tx, task_.run_id, target->id, target->type, status,
                                           inputs, {}, now_, now_);
            if (!id) return Fail(std::move(id.error()));
            return {};
        }
        auto set = tx.Exec("workflow-engine-task-set-inputs",
                           {*join, internal::InputsToText(inputs), std::string(status), now_});
        if (!set) return Fail(std::move(set.error()));
        return {};
    }

    const std::string& owner_;
    const Registry& registry_;
    ClaimedTask& task_;
    EngineContext& ctx_;
    std::int64_t now_;
    std::int64_t duration_ms_;
};

}  // namespace

void Engine::Impl::Execute(ClaimedTask& task) {
    {
        std::lock_guard lock(executing_mu);
        executing.insert(task.id);
    }
    const auto started = std::chrono::steady_clock::now();
    ActivityDef fallback{task.activity, task.type, "", 0, 0, {}, {}};
    const ActivityDef* def = task.graph.Find(task.activity);
    const ActivityType* type = e.registry_.Find(task.type);
    EngineContext ctx(internal::ContextDeps{e.db_, e.clock_, e.model_ ? e.model_() : nullptr, owner,
                                            e.options_.lease, e.options_.step_delay, stopping},
                      task, def != nullptr ? *def : fallback);
    Result<Outcome> outcome = Outcome::Done();
    if (task.load_error) {
        outcome = Fail(*task.load_error);
    } else if (def == nullptr) {
        outcome = Fail(Error::FailedPrecondition(
            fmt::format("the activity \"{}\" is not in the run's graph", task.activity)));
    } else if (type == nullptr) {
        outcome = Fail(
            Error::FailedPrecondition(fmt::format("\"{}\" is not an activity type", task.type)));
    } else {
        try {
            outcome = type->Execute(ctx);
        } catch (const std::exception& ex) {
            outcome = Fail(Error::Internal(fmt::format("exception: {}", ex.what())));
        } catch (...) {
            outcome = Fail(Error::Internal("unknown exception"));
        }
    }
    {
        std::lock_guard lock(executing_mu);
        executing.erase(task.id);
    }
    if (ctx.abandoned()) {
        spdlog::info("workflow run {} task {} ({}): left for another attempt", task.run_id, task.id,
                     task.activity);
        return;
    }
    if (!outcome && outcome.error().code == ErrorCode::kInternal) {
        spdlog::error("workflow run {} task {} ({}): {}", task.run_id, task.id, task.activity,
                      outcome.error().detail);
    }
    const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();
    const std::int64_t now = Now();
    Recorder recorder(owner, e.registry_, task, ctx, now, duration_ms);
    auto st = storage::WithWrite(e.db_, [&](Transaction& tx) -> Status {
        auto run = internal::LockRun(tx, task.run_id);
        if (!run) return Fail(std::move(run.error()));
        if (!*run) return {};
        if (ctx.cancelled()) return recorder.Cancelled(tx, **run);
        if (!outcome) return recorder.Failed(tx, **run, outcome.error());
        if (!outcome->done) return recorder.Waiting(tx, **run, *outcome);
        return recorder.Done(tx, **run, *outcome);
    });
    if (!st) {
        // The task stays running: its lease expires and it runs again.
        spdlog::error("workflow run {} task {} ({}): could not record the outcome: {} {}",
                      task.run_id, task.id, task.activity, st.error().message, st.error().detail);
    }
}

}  // namespace overture::workflow
