// The workflow graph's JSON form (model.hpp): ParseGraph refuses only JSON that is not a graph,
// naming the member; everything else is left for CheckGraph (activity.cpp) to report as
// problems on the canvas.
#include "workflow/model.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <set>

namespace overture::workflow {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxActivities = 500;
constexpr std::size_t kMaxTransitions = 2000;

Error Bad(const std::string& path, std::string_view what) {
    return Error::InvalidField(path, fmt::format("{}: {}", path, what));
}

bool ValidId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// The member `key` of `o` as a string; `fallback` when absent or null.
Result<std::string> StringAt(const json::object& o, std::string_view key, const std::string& path,
                             bool required, std::string fallback = {}) {
    const json::value* v = o.if_contains(key);
    std::string member = fmt::format("{}.{}", path, key);
    if (v == nullptr || v->is_null()) {
        if (required) return Fail(Bad(member, "is required"));
        return fallback;
    }
    if (!v->is_string()) return Fail(Bad(member, "must be a string"));
    return std::string(v->as_string());
}

Result<std::string> IdAt(const json::object& o, std::string_view key, const std::string& path) {
    auto id = StringAt(o, key, path, true);
    if (!id) return id;
    if (!ValidId(*id)) {
        return Fail(
            Bad(fmt::format("{}.{}", path, key), "must be 1 to 64 letters, digits, '_' or '-'"));
    }
    return id;
}

Result<double> NumberAt(const json::object& o, std::string_view key, const std::string& path) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) return 0.0;
    if (v->is_double()) return v->as_double();
    if (v->is_int64()) return static_cast<double>(v->as_int64());
    if (v->is_uint64()) return static_cast<double>(v->as_uint64());
    return Fail(Bad(fmt::format("{}.{}", path, key), "must be a number"));
}

Result<std::int64_t> IntAt(const json::object& o, std::string_view key, const std::string& path,
                           std::int64_t fallback, std::int64_t min, std::int64_t max) {
    const json::value* v = o.if_contains(key);
    std::string member = fmt::format("{}.{}", path, key);
    if (v == nullptr || v->is_null()) return fallback;
    std::int64_t n = 0;
    if (v->is_int64()) {
        n = v->as_int64();
    } else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(max)) {
        n = static_cast<std::int64_t>(v->as_uint64());
    } else {
        return Fail(Bad(member, "must be an integer"));
    }
    if (n < min || n > max) return Fail(Bad(member, fmt::format("must be {} to {}", min, max)));
    return n;
}

Result<OnError> ParseOnError(const json::value* v, const std::string& path) {
    OnError e;
    if (v == nullptr || v->is_null()) return e;
    if (!v->is_object()) return Fail(Bad(path, "must be an object"));
    const auto& o = v->as_object();
    auto policy = StringAt(o, "policy", path, false, "stop");
    if (!policy) return Fail(policy.error());
    if (*policy == "stop") {
        e.policy = ErrorPolicy::kStop;
    } else if (*policy == "skip") {
        e.policy = ErrorPolicy::kSkip;
    } else if (*policy == "retry") {
        e.policy = ErrorPolicy::kRetry;
    } else {
        return Fail(Bad(path + ".policy", "must be \"stop\", \"skip\" or \"retry\""));
    }
    auto retries = IntAt(o, "retries", path, e.retries, 1, 20);
    if (!retries) return Fail(retries.error());
    auto delay = IntAt(o, "delaySeconds", path, e.delay_seconds, 0, 86400);
    if (!delay) return Fail(delay.error());
    e.retries = static_cast<int>(*retries);
    e.delay_seconds = static_cast<int>(*delay);
    return e;
}

Result<ActivityDef> ParseActivity(const json::value& v, const std::string& path) {
    if (!v.is_object()) return Fail(Bad(path, "must be an object"));
    const auto& o = v.as_object();
    ActivityDef a;
    auto id = IdAt(o, "id", path);
    if (!id) return Fail(id.error());
    a.id = std::move(*id);
    auto type = StringAt(o, "type", path, true);
    if (!type) return Fail(type.error());
    a.type = std::move(*type);
    auto label = StringAt(o, "label", path, false);
    if (!label) return Fail(label.error());
    a.label = std::move(*label);
    auto x = NumberAt(o, "x", path);
    if (!x) return Fail(x.error());
    auto y = NumberAt(o, "y", path);
    if (!y) return Fail(y.error());
    a.x = *x;
    a.y = *y;
    if (const json::value* p = o.if_contains("params"); p != nullptr && !p->is_null()) {
        if (!p->is_object()) return Fail(Bad(path + ".params", "must be an object"));
        a.params = p->as_object();
    }
    auto on_error = ParseOnError(o.if_contains("onError"), path + ".onError");
    if (!on_error) return Fail(on_error.error());
    a.on_error = *on_error;
    return a;
}

Result<TransitionDef> ParseTransition(const json::value& v, const std::string& path) {
    if (!v.is_object()) return Fail(Bad(path, "must be an object"));
    const auto& o = v.as_object();
    TransitionDef t;
    auto id = IdAt(o, "id", path);
    if (!id) return Fail(id.error());
    t.id = std::move(*id);
    auto from = StringAt(o, "from", path, true);
    if (!from) return Fail(from.error());
    t.from = std::move(*from);
    auto to = StringAt(o, "to", path, true);
    if (!to) return Fail(to.error());
    t.to = std::move(*to);
    auto from_port = StringAt(o, "fromPort", path, false, "out");
    if (!from_port) return Fail(from_port.error());
    t.from_port = from_port->empty() ? "out" : std::move(*from_port);
    auto to_port = StringAt(o, "toPort", path, false, "in");
    if (!to_port) return Fail(to_port.error());
    t.to_port = to_port->empty() ? "in" : std::move(*to_port);
    return t;
}

}  // namespace

std::string_view ErrorPolicyName(ErrorPolicy p) {
    switch (p) {
        case ErrorPolicy::kStop:
            return "stop";
        case ErrorPolicy::kSkip:
            return "skip";
        case ErrorPolicy::kRetry:
            return "retry";
    }
    return "stop";
}

const ActivityDef* Graph::Find(std::string_view activity_id) const {
    for (const auto& a : activities) {
        if (a.id == activity_id) return &a;
    }
    return nullptr;
}

std::vector<const TransitionDef*> Graph::Inbound(std::string_view activity_id) const {
    std::vector<const TransitionDef*> out;
    for (const auto& t : transitions) {
        if (t.to == activity_id) out.push_back(&t);
    }
    return out;
}

std::vector<const TransitionDef*> Graph::Outbound(std::string_view activity_id) const {
    std::vector<const TransitionDef*> out;
    for (const auto& t : transitions) {
        if (t.from == activity_id) out.push_back(&t);
    }
    return out;
}

Result<Graph> ParseGraph(const json::value& v) {
    if (!v.is_object()) return Fail(Bad("graph", "must be an object"));
    const auto& o = v.as_object();
    Graph g;

    if (const json::value* acts = o.if_contains("activities"); acts && !acts->is_null()) {
        if (!acts->is_array()) return Fail(Bad("activities", "must be an array"));
        const auto& arr = acts->as_array();
        if (arr.size() > kMaxActivities) {
            return Fail(Bad("activities", fmt::format("at most {} activities", kMaxActivities)));
        }
        std::set<std::string, std::less<>> ids;
        for (std::size_t i = 0; i < arr.size(); ++i) {
            std::string path = fmt::format("activities[{}]", i);
            auto a = ParseActivity(arr[i], path);
            if (!a) return Fail(a.error());
            if (!ids.insert(a->id).second) {
                return Fail(Bad(path + ".id", fmt::format("\"{}\" is used twice", a->id)));
            }
            g.activities.push_back(std::move(*a));
        }
    }

    if (const json::value* trs = o.if_contains("transitions"); trs && !trs->is_null()) {
        if (!trs->is_array()) return Fail(Bad("transitions", "must be an array"));
        const auto& arr = trs->as_array();
        if (arr.size() > kMaxTransitions) {
            return Fail(Bad("transitions", fmt::format("at most {} transitions", kMaxTransitions)));
        }
        std::set<std::string, std::less<>> ids;
        for (std::size_t i = 0; i < arr.size(); ++i) {
            std::string path = fmt::format("transitions[{}]", i);
            auto t = ParseTransition(arr[i], path);
            if (!t) return Fail(t.error());
            if (!ids.insert(t->id).second) {
                return Fail(Bad(path + ".id", fmt::format("\"{}\" is used twice", t->id)));
            }
            g.transitions.push_back(std::move(*t));
        }
    }

    if (const json::value* vars = o.if_contains("variables"); vars && !vars->is_null()) {
        if (!vars->is_object()) return Fail(Bad("variables", "must be an object"));
        g.variables = vars->as_object();
    }
    return g;
}

json::object GraphToJson(const Graph& graph) {
    json::array activities;
    for (const auto& a : graph.activities) {
        json::object on_error{{"policy", ErrorPolicyName(a.on_error.policy)},
                              {"retries", a.on_error.retries},
                              {"delaySeconds", a.on_error.delay_seconds}};
        activities.push_back(json::object{{"id", a.id},
                                          {"type", a.type},
                                          {"label", a.label},
                                          {"x", a.x},
                                          {"y", a.y},
                                          {"params", a.params},
                                          {"onError", std::move(on_error)}});
    }
    json::array transitions;
    for (const auto& t : graph.transitions) {
        transitions.push_back(json::object{{"id", t.id},
                                           {"from", t.from},
                                           {"fromPort", t.from_port},
                                           {"to", t.to},
                                           {"toPort", t.to_port}});
    }
    return {{"activities", std::move(activities)},
            {"transitions", std::move(transitions)},
            {"variables", graph.variables}};
}

}  // namespace overture::workflow
