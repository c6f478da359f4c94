// Test (flow): branches on a condition. Parameters: {"condition": "<expression>"}, in the query
// language (docs/query-language.md) over a record whose fields are the run's variables and
// `count`, the rows of the inbound population (0 without one): `count > 1000 and country =
// "FR"`. Ports: "true" and "false"; the inbound population (if any) goes on along the one
// taken.
//
// The record is a synthetic resource "variables": each variable whose name is an identifier
// and whose value is a string, a number or a boolean becomes a field typed from its JSON value
// (string, integer, float, boolean; null reads as an empty string field); `count` is an integer
// and hides a variable of that name. The condition is parsed, type-checked against it and
// evaluated in memory (query/evaluate.hpp).
//
// Check (on save) parses the condition and, when every name in it is known then (the graph's
// variables, the parameters declared by External signal activities, count), type-checks it
// too; names that only a start or a signal will set cannot be checked before the run. At run
// time a condition naming a variable that is not set fails with a message naming it.
#include <fmt/format.h>

#include <map>
#include <set>

#include "common/strings.hpp"
#include "query/ast.hpp"
#include "query/evaluate.hpp"
#include "query/parser.hpp"
#include "query/typecheck.hpp"
#include "workflow/activities/activities.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using schema::FieldType;

constexpr std::string_view kResource = "variables";

std::optional<Table> InboundTable(const Context& ctx) {
    for (const auto& in : ctx.inputs()) {
        if (in.table) return in.table;
    }
    return std::nullopt;
}

// The first segment of every field the expression names, in order of appearance.
void FieldNames(const query::Expr& e, std::vector<std::string>& out) {
    if (e.kind() == query::ExprKind::kField && !e.path().empty()) out.push_back(e.path().front());
    for (const auto& child : e.children()) FieldNames(child, out);
}

// The type a JSON value gives a variable; nullopt for lists and objects.
std::optional<FieldType> TypeOf(const json::value& v) {
    if (v.is_string() || v.is_null()) return FieldType::kString;
    if (v.is_bool()) return FieldType::kBoolean;
    if (v.is_int64()) return FieldType::kInteger;
    if (v.is_uint64()) {
        return v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX) ? FieldType::kInteger
                                                                      : FieldType::kFloat;
    }
    if (v.is_double()) return FieldType::kFloat;
    return std::nullopt;
}

std::shared_ptr<const schema::Model> ModelOf(const std::map<std::string, FieldType>& fields) {
    schema::Resource r;
    r.name = std::string(kResource);
    r.table = std::string(kResource);
    r.label = "Variables";
    r.plural_label = "Variables";
    for (const auto& [name, type] : fields) {
        schema::Field f;
        f.name = name;
        f.column = name;
        f.type = type;
        if (type == FieldType::kString) f.length = 4000;
        r.fields.push_back(std::move(f));
    }
    return std::make_shared<const schema::Model>(std::vector<schema::Resource>{std::move(r)});
}

const json::value* Condition(const json::object& params) { return params.if_contains("condition"); }

class Test final : public ActivityType {
  public:
    std::string_view type() const override { return "test"; }
    std::string_view category() const override { return "flow"; }
    std::string_view label() const override { return "Test"; }
    std::vector<std::string> OutputPorts(const json::object&) const override {
        return {"true", "false"};
    }

    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        const auto* condition = Condition(params);
        if (condition == nullptr || !condition->is_string() ||
            Trim(condition->as_string()).empty()) {
            return {{"", "", "params.condition",
                     "write a condition, e.g. count > 0 or country = \"FR\""}};
        }
        const std::string_view text = condition->as_string();
        auto expr = query::Parse(text);
        if (!expr) return {{"", "", "params.condition", expr.error().message}};

        // What is known before the run: the graph's variables, the signals' parameters.
        std::map<std::string, FieldType> known;
        if (ctx.graph != nullptr) {
            for (const auto& [key, value] : ctx.graph->variables) {
                if (auto type = TypeOf(value)) known.emplace(std::string(key), *type);
            }
            for (const auto& a : ctx.graph->activities) {
                if (a.type != "externalSignal") continue;
                const auto* list = a.params.if_contains("parameters");
                if (list == nullptr || !list->is_array()) continue;
                for (const auto& p : list->as_array()) {
                    if (!p.is_object()) continue;
                    const auto* name = p.as_object().if_contains("name");
                    const auto* type = p.as_object().if_contains("type");
                    if (name == nullptr || !name->is_string()) continue;
                    FieldType t = FieldType::kString;
                    if (type != nullptr && type->is_string()) {
                        if (type->as_string() == "integer") t = FieldType::kInteger;
                        if (type->as_string() == "boolean") t = FieldType::kBoolean;
                    }
                    known.insert_or_assign(std::string(name->as_string()), t);
                }
            }
        }
        known.insert_or_assign("count", FieldType::kInteger);
        std::vector<std::string> names;
        FieldNames(*expr, names);
        for (const auto& n : names) {
            if (!known.contains(n)) return {};  // set by a start or a signal: checked at run time
        }
        auto checked = query::Check(*expr, ModelOf(known), kResource, text);
        if (!checked) return {{"", "", "params.condition", checked.error().message}};
        return {};
    }

    Result<Outcome> Execute(Context& ctx) const override {
        const auto* condition = Condition(ctx.activity().params);
        if (condition == nullptr || !condition->is_string()) {
            return Fail(Error::InvalidField("params.condition",
                                            "params.condition: the test has no condition"));
        }
        const std::string_view text = condition->as_string();
        auto expr = query::Parse(text);
        if (!expr) {
            return Fail(Error::InvalidField("params.condition",
                                            "params.condition: " + expr.error().message));
        }
        const std::optional<Table> table = InboundTable(ctx);
        const std::int64_t count = table ? table->count : 0;

        std::map<std::string, FieldType> fields;
        query::MemoryRecord record;
        std::set<std::string, std::less<>> unusable;  // lists and objects
        for (const auto& [key, value] : ctx.variables()) {
            const std::string name(key);
            if (name == "count" || !query::IsValidIdentifier(name)) continue;
            auto type = TypeOf(value);
            if (!type) {
                unusable.insert(name);
                continue;
            }
            fields.emplace(name, *type);
            if (value.is_string()) {
                record.fields[name] = std::string(value.as_string());
            } else if (value.is_bool()) {
                record.fields[name] = value.as_bool();
            } else if (value.is_int64()) {
                record.fields[name] = value.as_int64();
            } else if (value.is_uint64()) {
                if (*type == FieldType::kInteger) {
                    record.fields[name] = static_cast<std::int64_t>(value.as_uint64());
                } else {
                    record.fields[name] = static_cast<double>(value.as_uint64());
                }
            } else if (value.is_double()) {
                record.fields[name] = value.as_double();
            }
        }
        fields["count"] = FieldType::kInteger;
        record.fields["count"] = count;

        std::vector<std::string> names;
        FieldNames(*expr, names);
        for (const auto& n : names) {
            if (fields.contains(n)) continue;
            if (unusable.contains(n)) {
                return Fail(Error::InvalidField(
                    "params.condition",
                    fmt::format("params.condition: variable '{}' holds a list or an object; a "
                                "condition reads strings, numbers and booleans",
                                n)));
            }
            std::string set;
            for (const auto& [name, type] : fields) {
                if (name == "count") continue;
                if (!set.empty()) set += ", ";
                set += name;
            }
            return Fail(Error::InvalidField(
                "params.condition",
                fmt::format("params.condition: the condition names the variable '{}', which is "
                            "not set in this run ({})",
                            n, set.empty() ? "no variable is set" : "set: " + set)));
        }
        auto checked = query::Check(*expr, ModelOf(fields), kResource, text);
        if (!checked) {
            return Fail(Error::InvalidField("params.condition",
                                            "params.condition: " + checked.error().message));
        }
        auto result = query::Evaluate(*checked, record, ctx.clock());
        if (!result) return Fail(result.error());
        ctx.Log(LogLevel::kInfo, fmt::format("{} is {}", text, *result ? "true" : "false"),
                table ? std::optional<std::int64_t>(count) : std::nullopt);
        return Outcome::Done({Output{*result ? "true" : "false", table}});
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeTest() { return std::make_unique<Test>(); }

}  // namespace overture::workflow::activities
