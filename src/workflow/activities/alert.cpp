// Alert (flow): writes a line in the run's log, at a chosen level, for the people who watch the
// workflow (the UI shows it under the activity and in the run's log), and passes the inbound
// population on to "out". Parameters:
//   {"message": "{{count}} profiles imported for {{variables.campaign}}",
//    "level": "info"|"warning"|"error" (default info),
//    "recipients": ["alice", "bob"] (optional: user names the line is addressed to)}
// The message is not a template: `{{count}}` (rows of the inbound population, 0 without one)
// and `{{variables.<name>}}` (a run variable; empty when unset) are replaced, with or without
// blanks inside the braces; anything else is written as it is. Not audited; it writes the same
// line in a dry run.
#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "common/strings.hpp"
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

class Alert final : public ActivityType {
  public:
    std::string_view type() const override { return "alert"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Alert"; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext&) const override {
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
        return Outcome::Done({Output{"out", std::move(table)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeAlert() { return std::make_unique<Alert>(); }

}  // namespace overture::workflow::activities
