// Alert (flow): writes a line in the run's log, at a chosen level (the UI shows it under the
// activity and in the run's log), notifies users in the application (the bell in the header;
// table notifications, GET /api/v1/notifications), and passes the inbound population on to
// "out". Parameters:
//   {"message": "{{count}} profiles imported for {{variables.campaign}}",
//    "level": "info"|"warning"|"error" (default info),
//    "recipients": ["alice", "bob"] (optional: user names to notify; default the run's user)}
// The message is not a template: `{{count}}` (rows of the inbound population, 0 without one)
// and `{{variables.<name>}}` (a run variable; empty when unset) are replaced, with or without
// blanks inside the braces; anything else is written as it is. Each recipient (each name once)
// gets one notification: title "Workflow alert: <workflow label>", the message, the level and
// the link "/workflows/<id>". Check refuses a recipient that is not a user; a recipient deleted
// since is skipped with a warning in the log. Not audited; a dry run writes the log line but
// notifies nobody.
#include <algorithm>

#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "common/clock.hpp"
#include "common/strings.hpp"
#include "storage/database.hpp"
#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;

constexpr std::size_t kMaxMessage = 2000;

std::optional<Table> InboundTable(const Context& ctx) {
    for (const auto& in : ctx.inputs()) {
        if (in.table) return in.table;
    }
    return std::nullopt;
}

std::optional<LogLevel> LevelOf(const json::object& params) {
    const auto* level = params.if_contains("level");
    if (level == nullptr || level->is_null()) return LogLevel::kInfo;
    if (!level->is_string()) return std::nullopt;
    if (level->as_string() == "info") return LogLevel::kInfo;
    if (level->as_string() == "warning") return LogLevel::kWarning;
    if (level->as_string() == "error") return LogLevel::kError;
    return std::nullopt;
}

std::string VariableText(const json::value* v) {
    if (v == nullptr || v->is_null()) return {};
    if (v->is_string()) return std::string(v->as_string());
    return json::serialize(*v);
}

// Replaces {{count}} and {{variables.x}} in `message`.
std::string SubstituteAlert(std::string_view message, std::int64_t count,
                            const json::object& variables) {
    std::string out;
    std::size_t pos = 0;
    while (pos < message.size()) {
        const std::size_t open = message.find("{{", pos);
        if (open == std::string_view::npos) break;
        const std::size_t close = message.find("}}", open + 2);
        if (close == std::string_view::npos) break;
        out.append(message.substr(pos, open - pos));
        const std::string_view inner = Trim(message.substr(open + 2, close - open - 2));
        if (inner == "count") {
            out += std::to_string(count);
        } else if (inner.starts_with("variables.") && inner.size() > 10) {
            out += VariableText(variables.if_contains(inner.substr(10)));
        } else {
            out.append(message.substr(open, close + 2 - open));
        }
        pos = close + 2;
    }
    out.append(message.substr(pos));
    return out;
}

std::string_view LevelName(LogLevel level) {
    switch (level) {
        case LogLevel::kWarning:
            return "warning";
        case LogLevel::kError:
            return "error";
        case LogLevel::kInfo:
            break;
    }
    return "info";
}

// The recipients named in params (trimmed, each once, in order); the run's user when none.
std::vector<std::string> Recipients(const json::object& params, const std::string& run_as) {
    std::vector<std::string> out;
    if (const auto* r = params.if_contains("recipients"); r != nullptr && r->is_array()) {
        for (const auto& v : r->as_array()) {
            if (!v.is_string()) continue;
            std::string name(Trim(v.as_string()));
            if (name.empty() || std::find(out.begin(), out.end(), name) != out.end()) continue;
            out.push_back(std::move(name));
        }
    }
    if (out.empty() && !run_as.empty()) out.push_back(run_as);
    return out;
}

Result<bool> UserExists(storage::Database& db, std::string_view username) {
    auto rows = storage::WithRead(db, [&](storage::Transaction& tx) {
        return tx.Query("notification-user-exists", {std::string(username)});
    });
    if (!rows) return Fail(std::move(rows.error()));
    return !rows->empty();
}

// Writes one notification per recipient; gives the names that are no user (not notified).
Result<std::vector<std::string>> Notify(Context& ctx, LogLevel level, const std::string& message) {
    const std::vector<std::string> recipients = Recipients(ctx.activity().params, ctx.run_as());
    std::vector<std::string> unknown;
    if (recipients.empty()) return unknown;
    const std::int64_t workflow_id = ctx.workflow_id();
    const std::int64_t now = ToUnixMillis(ctx.clock().Now());
    auto written = storage::WithWrite(ctx.db(), [&](storage::Transaction& tx) -> Status {
        unknown.clear();
        auto label = tx.Query("notification-workflow-label", {workflow_id});
        if (!label) return Fail(std::move(label.error()));
        const std::string name = label->empty() ? fmt::format("workflow {}", workflow_id)
                                                : storage::AsString(label->rows[0][0]);
        const std::string title = fmt::format("Workflow alert: {}", name);
        const std::string link = fmt::format("/workflows/{}", workflow_id);
        for (const auto& user : recipients) {
            auto n = tx.Exec("notification-insert", {user, std::string(LevelName(level)), title,
                                                     message, link, now, ctx.task_id()});
            if (!n) return Fail(std::move(n.error()));
            if (*n > 0) continue;
            // Nothing written: no such user, or this task notified them before it was
            // interrupted and run again.
            auto exists = tx.Query("notification-user-exists", {user});
            if (!exists) return Fail(std::move(exists.error()));
            if (exists->empty()) unknown.push_back(user);
        }
        return {};
    });
    if (!written) return Fail(std::move(written.error()));
    return unknown;
}

class Alert final : public ActivityType {
  public:
    std::string_view type() const override { return "alert"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Alert"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        std::vector<Problem> problems;
        const auto* message = params.if_contains("message");
        if (message == nullptr || !message->is_string() || Trim(message->as_string()).empty()) {
            problems.push_back({"", "", "params.message", "write the message of the alert"});
        } else if (message->as_string().size() > kMaxMessage) {
            problems.push_back({"", "", "params.message",
                                fmt::format("is longer than {} characters", kMaxMessage)});
        }
        if (!LevelOf(params)) {
            problems.push_back({"", "", "params.level", "choose info, warning or error"});
        }
        if (const auto* r = params.if_contains("recipients"); r != nullptr && !r->is_null()) {
            if (!r->is_array()) {
                problems.push_back({"", "", "params.recipients", "must be a list of user names"});
            } else {
                std::size_t i = 0;
                for (const auto& v : r->as_array()) {
                    if (!v.is_string() || Trim(v.as_string()).empty()) {
                        problems.push_back({"", "", fmt::format("params.recipients[{}]", i),
                                            "must be a user name"});
                    } else if (ctx.db != nullptr) {
                        const std::string_view name = Trim(v.as_string());
                        auto exists = UserExists(*ctx.db, name);
                        if (exists && !*exists) {
                            problems.push_back({"", "", fmt::format("params.recipients[{}]", i),
                                                fmt::format("no user is named \"{}\"", name)});
                        }
                    }
                    ++i;
                }
            }
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const auto& params = ctx.activity().params;
        const auto* message = params.if_contains("message");
        const auto level = LevelOf(params);
        if (message == nullptr || !message->is_string() || !level) {
            return Fail(Error::InvalidArgument("the alert has no message or an unknown level"));
        }
        std::optional<Table> table = InboundTable(ctx);
        std::string text =
            SubstituteAlert(message->as_string(), table ? table->count : 0, ctx.variables());
        const std::string notification = text;
        if (const auto* r = params.if_contains("recipients"); r != nullptr && r->is_array()) {
            std::string to;
            for (const auto& v : r->as_array()) {
                if (!v.is_string()) continue;
                if (!to.empty()) to += ", ";
                to += std::string_view(v.as_string());
            }
            if (!to.empty()) text += fmt::format(" (to {})", to);
        }
        ctx.Log(*level, std::move(text),
                table ? std::optional<std::int64_t>(table->count) : std::nullopt);
        if (!ctx.dry_run()) {
            auto unknown = Notify(ctx, *level, notification);
            if (!unknown) return Fail(std::move(unknown.error()));
            for (const auto& user : *unknown) {
                ctx.Log(LogLevel::kWarning,
                        fmt::format("no user is named \"{}\": not notified", user));
            }
        }
        return Outcome::Done({Output{"out", std::move(table)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeAlert() { return std::make_unique<Alert>(); }

}  // namespace overture::workflow::activities
