// The activity registry, the JSON form of working tables, and CheckGraph: the structure of a
// graph (types, transitions, ports, reachability, joins) and then each activity's own Check.
#include "workflow/activity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <deque>
#include <set>

namespace overture::workflow {

namespace json = boost::json;

namespace {

bool ValidTableName(std::string_view name) {
    if (!name.starts_with("wkf_") || name.size() > 64) return false;
    std::string_view rest = name.substr(4);
    if (rest.empty()) return false;
    for (char c : rest) {
        if (!((c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

bool ValidColumnName(std::string_view column) {
    if (column.size() < 2 || column.size() > 8 || column[0] != 'c') return false;
    return std::all_of(column.begin() + 1, column.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

int CategoryRank(std::string_view category) {
    static constexpr std::string_view kOrder[] = {"flow", "targeting", "channel", "data"};
    for (int i = 0; i < 4; ++i) {
        if (kOrder[i] == category) return i;
    }
    return 4;
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        if (!out.empty()) out += ", ";
        out += '"' + s + '"';
    }
    return out.empty() ? "none" : out;
}

}  // namespace

const Column* Table::Find(std::string_view column_name) const {
    for (const auto& c : columns) {
        if (c.name == column_name) return &c;
    }
    return nullptr;
}

json::object TableToJson(const Table& t) {
    json::array columns;
    for (const auto& c : t.columns) {
        columns.push_back(json::object{{"name", c.name}, {"type", c.type}, {"column", c.column}});
    }
    return {{"name", t.name},
            {"resource", t.resource},
            {"columns", std::move(columns)},
            {"count", t.count}};
}

Result<Table> TableFromJson(const json::value& v) {
    auto bad = [](std::string what) {
        return Fail(Error::Internal(fmt::format("working table JSON: {}", what)));
    };
    if (!v.is_object()) return bad("not an object");
    const auto& o = v.as_object();
    Table t;
    const json::value* name = o.if_contains("name");
    if (name == nullptr || !name->is_string() || !ValidTableName(name->as_string())) {
        return bad("bad name");
    }
    t.name = std::string(name->as_string());
    const json::value* resource = o.if_contains("resource");
    if (resource == nullptr || !resource->is_string()) return bad("bad resource");
    t.resource = std::string(resource->as_string());
    if (const json::value* count = o.if_contains("count"); count != nullptr) {
        if (count->is_int64()) {
            t.count = count->as_int64();
        } else if (count->is_uint64()) {
            t.count = static_cast<std::int64_t>(count->as_uint64());
        } else if (!count->is_null()) {
            return bad("bad count");
        }
    }
    if (const json::value* columns = o.if_contains("columns");
        columns != nullptr && !columns->is_null()) {
        if (!columns->is_array()) return bad("columns is not an array");
        for (const auto& c : columns->as_array()) {
            if (!c.is_object()) return bad("a column is not an object");
            const auto& co = c.as_object();
            const json::value* cname = co.if_contains("name");
            const json::value* ctype = co.if_contains("type");
            const json::value* ccol = co.if_contains("column");
            if (cname == nullptr || !cname->is_string() || ctype == nullptr ||
                !ctype->is_string() || ccol == nullptr || !ccol->is_string() ||
                !ValidColumnName(ccol->as_string())) {
                return bad("bad column");
            }
            t.columns.push_back(Column{std::string(cname->as_string()),
                                       std::string(ctype->as_string()),
                                       std::string(ccol->as_string())});
        }
    }
    return t;
}

void Registry::Add(std::unique_ptr<ActivityType> type) {
    if (type == nullptr) return;
    std::string name(type->type());
    types_[std::move(name)] = std::move(type);
}

const ActivityType* Registry::Find(std::string_view type) const {
    auto it = types_.find(type);
    return it == types_.end() ? nullptr : it->second.get();
}

std::vector<const ActivityType*> Registry::All() const {
    std::vector<const ActivityType*> out;
    out.reserve(types_.size());
    for (const auto& [name, type] : types_) out.push_back(type.get());
    std::stable_sort(out.begin(), out.end(), [](const ActivityType* a, const ActivityType* b) {
        int ra = CategoryRank(a->category());
        int rb = CategoryRank(b->category());
        if (ra != rb) return ra < rb;
        if (a->category() != b->category()) return a->category() < b->category();
        return a->type() < b->type();
    });
    return out;
}

std::vector<Problem> CheckGraph(const Graph& graph, const Registry& registry,
                                const CheckContext& ctx) {
    std::vector<Problem> problems;
    auto type_of = [&](const ActivityDef& a) { return registry.Find(a.type); };

    for (const auto& a : graph.activities) {
        if (type_of(a) == nullptr) {
            problems.push_back({a.id, "", "type",
                                a.type.empty()
                                    ? std::string("the activity has no type")
                                    : fmt::format("\"{}\" is not an activity type", a.type)});
        }
    }

    // Transitions: both ends exist and have the ports named. Only valid ones count below.
    std::vector<const TransitionDef*> valid;
    for (const auto& t : graph.transitions) {
        const ActivityDef* from = graph.Find(t.from);
        const ActivityDef* to = graph.Find(t.to);
        bool ok = true;
        if (from == nullptr) {
            problems.push_back({"", t.id, "from",
                                fmt::format("the transition starts at \"{}\", which is not an "
                                            "activity of this workflow",
                                            t.from)});
            ok = false;
        }
        if (to == nullptr) {
            problems.push_back({"", t.id, "to",
                                fmt::format("the transition leads to \"{}\", which is not an "
                                            "activity of this workflow",
                                            t.to)});
            ok = false;
        }
        if (from != nullptr) {
            if (const ActivityType* type = type_of(*from)) {
                auto ports = type->OutputPorts(from->params);
                if (!Contains(ports, t.from_port)) {
                    problems.push_back({"", t.id, "fromPort",
                                        fmt::format("\"{}\" has no output \"{}\" (its outputs: {})",
                                                    from->id, t.from_port, Join(ports))});
                    ok = false;
                }
            } else {
                ok = false;
            }
        }
        if (to != nullptr) {
            if (const ActivityType* type = type_of(*to)) {
                if (type->input_mode() == InputMode::kNone) {
                    problems.push_back(
                        {to->id, t.id, "",
                         fmt::format("{} starts the workflow: no transition may lead to it",
                                     type->label())});
                    ok = false;
                } else {
                    auto ports = type->InputPorts(to->params);
                    if (!Contains(ports, t.to_port)) {
                        problems.push_back(
                            {"", t.id, "toPort",
                             fmt::format("\"{}\" has no input \"{}\" (its inputs: {})", to->id,
                                         t.to_port, Join(ports))});
                        ok = false;
                    }
                }
            } else {
                ok = false;
            }
        }
        if (ok) valid.push_back(&t);
    }

    // Roots: activities without a (valid) inbound transition that can start the run.
    std::set<std::string, std::less<>> no_start;
    std::deque<std::string> queue;
    std::set<std::string, std::less<>> reached;
    for (const auto& a : graph.activities) {
        const ActivityType* type = type_of(a);
        if (type == nullptr) continue;
        if (graph.Inbound(a.id).empty()) {
            if (type->can_start()) {
                queue.push_back(a.id);
                reached.insert(a.id);
            } else {
                problems.push_back(
                    {a.id, "", "",
                     "nothing leads to this activity: connect it, or begin the workflow with "
                     "Start, Scheduler or External signal"});
                no_start.insert(a.id);
            }
        }
    }
    if (!graph.activities.empty() && queue.empty()) {
        problems.push_back({"", "", "",
                            "no activity starts the workflow: add Start, Scheduler or External "
                            "signal"});
    }
    while (!queue.empty()) {
        std::string id = std::move(queue.front());
        queue.pop_front();
        for (const auto* t : valid) {
            if (t->from == id && reached.insert(t->to).second) queue.push_back(t->to);
        }
    }
    for (const auto& a : graph.activities) {
        const ActivityType* type = type_of(a);
        if (type == nullptr || reached.contains(a.id) || no_start.contains(a.id)) continue;
        if (type->input_mode() == InputMode::kNone) continue;  // its inbound is the problem
        if (graph.Inbound(a.id).empty()) continue;
        problems.push_back(
            {a.id, "", "", "this activity cannot be reached from the start of the workflow"});
    }

    // Joins: an activity that waits for all its inputs needs at least two.
    for (const auto& a : graph.activities) {
        const ActivityType* type = type_of(a);
        if (type == nullptr || type->input_mode() != InputMode::kAll) continue;
        auto inbound = graph.Inbound(a.id);
        if (a.type == "exclusion") {
            bool in = false, exclude = false;
            for (const auto* t : inbound) {
                in = in || t->to_port == "in";
                exclude = exclude || t->to_port == "exclude";
            }
            if (!in || !exclude) {
                problems.push_back({a.id, "", "",
                                    "an exclusion needs a population to keep (input \"in\") and "
                                    "one to remove (input \"exclude\")"});
            }
        } else if (inbound.size() < 2) {
            problems.push_back({a.id, "", "",
                                fmt::format("{} combines populations: connect at least two "
                                            "transitions to it",
                                            type->label())});
        }
    }

    // Each activity's parameters.
    for (const auto& a : graph.activities) {
        const ActivityType* type = type_of(a);
        if (type == nullptr) continue;
        CheckContext own = ctx;
        if (own.graph == nullptr) own.graph = &graph;
        own.activity = &a;
        for (auto& p : type->Check(a.params, own)) {
            if (p.activity.empty()) p.activity = a.id;
            problems.push_back(std::move(p));
        }
    }
    return problems;
}

}  // namespace overture::workflow
