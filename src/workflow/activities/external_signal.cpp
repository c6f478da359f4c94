// External signal (flow): waits until someone sends POST /api/v1/workflows/{id}/signal/{activity}
// (Engine::Signal), then goes on. Parameters: {"parameters": [{"name": "country", "type":
// "string"|"integer"|"boolean", "required": true}]} (optional): what the signal may carry. The
// signal's parameters become run variables (the engine merges them; Execute merges them again,
// with integers that came as 3.0 made 3), so later Tests and Alerts can read them.
//
// It may start a run (no inbound transition: the run starts it waiting) or sit on a branch
// (each arriving population waits for its own signal and is passed on to "out"). Woken by a
// signal (state.signal), it checks the declared parameters: a required one missing or a value
// of the wrong type fails the task with a message naming it; parameters that are not declared
// are accepted as they are. A dry run does not wait.
#include <fmt/format.h>

#include <set>

#include "query/ast.hpp"
#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;

struct Declared {
    std::string name;
    std::string type = "string";
    bool required = false;
};

// The declared parameters of valid params (Check has refused the others; bad entries are
// skipped here).
std::vector<Declared> DeclaredParameters(const json::object& params) {
    std::vector<Declared> out;
    const auto* list = params.if_contains("parameters");
    if (list == nullptr || !list->is_array()) return out;
    for (const auto& v : list->as_array()) {
        if (!v.is_object()) continue;
        const auto& o = v.as_object();
        const auto* name = o.if_contains("name");
        if (name == nullptr || !name->is_string()) continue;
        Declared d;
        d.name = std::string(name->as_string());
        if (const auto* t = o.if_contains("type"); t != nullptr && t->is_string()) {
            d.type = std::string(t->as_string());
        }
        if (const auto* r = o.if_contains("required"); r != nullptr && r->is_bool()) {
            d.required = r->as_bool();
        }
        out.push_back(std::move(d));
    }
    return out;
}

std::optional<Table> InboundTable(const Context& ctx) {
    for (const auto& in : ctx.inputs()) {
        if (in.table) return in.table;
    }
    return std::nullopt;
}

std::string_view JsonTypeName(const json::value& v) {
    if (v.is_string()) return "a string";
    if (v.is_bool()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_array()) return "a list";
    if (v.is_object()) return "an object";
    return "null";
}

class ExternalSignal final : public ActivityType {
  public:
    std::string_view type() const override { return "externalSignal"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "External signal"; }
    InputMode input_mode() const override { return InputMode::kEach; }
    bool can_start() const override { return true; }
    std::vector<std::string> OutputPorts(const json::object&) const override { return {"out"}; }

    std::vector<Problem> Check(const json::object& params, const CheckContext&) const override {
        std::vector<Problem> problems;
        const auto* list = params.if_contains("parameters");
        if (list == nullptr || list->is_null()) return problems;
        if (!list->is_array()) {
            return {{"", "", "params.parameters", "must be a list of parameters"}};
        }
        std::set<std::string, std::less<>> names;
        std::size_t i = 0;
        for (const auto& v : list->as_array()) {
            const std::string field = fmt::format("params.parameters[{}]", i++);
            if (!v.is_object()) {
                problems.push_back({"", "", field, "must be an object with a name and a type"});
                continue;
            }
            const auto& o = v.as_object();
            const auto* name = o.if_contains("name");
            if (name == nullptr || !name->is_string() || name->as_string().empty()) {
                problems.push_back({"", "", field + ".name", "a parameter needs a name"});
            } else if (!query::IsValidIdentifier(name->as_string())) {
                problems.push_back(
                    {"", "", field + ".name",
                     fmt::format("\"{}\" is not a valid name: use letters, digits and _, not "
                                 "starting with a digit",
                                 std::string_view(name->as_string()))});
            } else if (!names.emplace(name->as_string()).second) {
                problems.push_back(
                    {"", "", field + ".name",
                     fmt::format("\"{}\" is declared twice", std::string_view(name->as_string()))});
            }
            if (const auto* t = o.if_contains("type"); t != nullptr && !t->is_null()) {
                if (!t->is_string() || (t->as_string() != "string" && t->as_string() != "integer" &&
                                        t->as_string() != "boolean")) {
                    problems.push_back(
                        {"", "", field + ".type", "must be string, integer or boolean"});
                }
            }
            if (const auto* r = o.if_contains("required");
                r != nullptr && !r->is_null() && !r->is_bool()) {
                problems.push_back({"", "", field + ".required", "must be true or false"});
            }
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        auto& state = ctx.state();
        if (ctx.dry_run()) {
            ctx.Log(LogLevel::kInfo, "Dry run: went on without waiting for a signal");
            return Outcome::Done({Output{"out", InboundTable(ctx)}});
        }
        const auto* signal = state.if_contains("signal");
        if (signal == nullptr || !signal->is_object()) {
            if (!state.contains("waiting")) {
                state["waiting"] = true;
                ctx.Log(LogLevel::kInfo,
                        fmt::format("Waiting for a signal (POST /api/v1/workflows/{}/signal/{})",
                                    ctx.workflow_id(), ctx.activity().id));
            }
            return Outcome::WaitUntil(std::nullopt);
        }
        json::object received = signal->as_object();
        for (const auto& d : DeclaredParameters(ctx.activity().params)) {
            auto it = received.find(d.name);
            if (it == received.end() || it->value().is_null()) {
                if (d.required) {
                    return Fail(Error::InvalidField(
                        "parameters." + d.name,
                        fmt::format("The signal lacks the required parameter '{}' ({})", d.name,
                                    d.type)));
                }
                continue;
            }
            json::value& v = it->value();
            bool ok = false;
            if (d.type == "string") {
                ok = v.is_string();
            } else if (d.type == "boolean") {
                ok = v.is_bool();
            } else if (d.type == "integer") {
                if (v.is_int64()) {
                    ok = true;
                } else if (v.is_uint64() &&
                           v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
                    v = static_cast<std::int64_t>(v.as_uint64());
                    ok = true;
                } else if (v.is_double() && v.as_double() >= -9e15 && v.as_double() <= 9e15 &&
                           v.as_double() ==
                               static_cast<double>(static_cast<std::int64_t>(v.as_double()))) {
                    v = static_cast<std::int64_t>(v.as_double());
                    ok = true;
                }
            }
            if (!ok) {
                return Fail(Error::InvalidField(
                    "parameters." + d.name,
                    fmt::format("The signal's parameter '{}' must be {} {}, not {}", d.name,
                                d.type == "integer" ? "an" : "a", d.type, JsonTypeName(v))));
            }
        }
        auto& variables = ctx.variables();
        for (const auto& [key, value] : received) variables[key] = value;
        std::string names;
        for (const auto& [key, value] : received) {
            if (!names.empty()) names += ", ";
            names += key;
        }
        ctx.Log(LogLevel::kInfo, names.empty() ? std::string("Signal received")
                                               : fmt::format("Signal received with {}", names));
        return Outcome::Done({Output{"out", InboundTable(ctx)}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeExternalSignal() { return std::make_unique<ExternalSignal>(); }

}  // namespace overture::workflow::activities
