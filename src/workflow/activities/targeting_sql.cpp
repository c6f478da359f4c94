// Shared SQL building of the targeting activities (targeting_sql.hpp).
#include "workflow/activities/targeting_sql.hpp"

#include <fmt/format.h>

#include <boost/json/value.hpp>
#include <set>

#include "query/normalize.hpp"
#include "query/parser.hpp"
#include "query/sql_emit.hpp"
#include "query/typecheck.hpp"

namespace overture::workflow::activities {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

Problem ParamProblem(std::string field, std::string message) {
    return Problem{"", "", std::move(field), std::move(message)};
}

Status FirstProblem(const std::vector<Problem>& problems) {
    if (problems.empty()) return {};
    const Problem& p = problems.front();
    return Fail(Error::InvalidField(p.field, p.field + ": " + p.message));
}

std::optional<std::string> StringParam(const json::object& params, std::string_view key,
                                       std::string_view fallback) {
    const json::value* v = params.if_contains(key);
    if (!v || v->is_null()) return std::string(fallback);
    if (!v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

bool IsCode(std::string_view code) {
    if (code.empty() || code.size() > 64) return false;
    for (char c : code) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

Result<const schema::Resource*> FindResource(const schema::Model& model, std::string_view name) {
    const schema::Resource* r = model.Find(name);
    if (!r) {
        return Fail(Error::InvalidArgument(fmt::format("there is no resource '{}'", name)));
    }
    return r;
}

Result<query::Checked> CompileExpression(std::string_view text,
                                         std::shared_ptr<const schema::Model> model,
                                         std::string_view resource) {
    auto parsed = query::Parse(text);
    if (!parsed) return Fail(std::move(parsed.error()));
    return query::Check(*parsed, std::move(model), resource, text);
}

namespace {

bool Blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<std::string> ExpressionSql(std::string_view text, std::shared_ptr<const schema::Model> model,
                                  std::string_view resource, Params& params, const Clock& clock) {
    if (Blank(text)) return std::string("1 = 1");
    auto checked = CompileExpression(text, std::move(model), resource);
    if (!checked) return Fail(std::move(checked.error()));
    auto sql = query::EmitSql(query::Normalize(*checked, clock), params.dialect(), params, clock);
    if (!sql) return Fail(std::move(sql.error()));
    return "(" + sql->condition + ")";
}

void CheckExpression(const json::object& params, std::string_view key,
                     const std::shared_ptr<const schema::Model>& model, std::string_view resource,
                     std::vector<Problem>& problems, std::string_view field_prefix) {
    const std::string field = std::string(field_prefix) + std::string(key);
    auto text = StringParam(params, key);
    if (!text) {
        problems.push_back(ParamProblem(field, "must be a text"));
        return;
    }
    if (Blank(*text)) return;
    if (!model) {
        if (auto parsed = query::Parse(*text); !parsed) {
            problems.push_back(ParamProblem(field, parsed.error().message));
        }
        return;
    }
    if (auto checked = CompileExpression(*text, model, resource); !checked) {
        problems.push_back(ParamProblem(field, checked.error().message));
    }
}

// ---- Additional data.

namespace {

bool IsDataName(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
    for (char c : name) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

// An entry resolved against the model; `member` of an error names the bad member.
struct ResolvedEntry {
    std::string type;  // column type
    // A field: the many-to-one steps, then the field.
    std::vector<const schema::Link*> links;
    std::vector<const schema::Resource*> steps;  // the resource after each link
    const schema::Field* field = nullptr;
    // An aggregate: the 1-N link (source resource and its link back) and the aggregated field.
    const schema::Resource* source = nullptr;
    const schema::Link* back = nullptr;
};

struct EntryError {
    std::string member;
    std::string message;
};

bool IsNumber(schema::FieldType t) {
    return t == schema::FieldType::kInteger || t == schema::FieldType::kFloat;
}

bool IsText(schema::FieldType t) {
    return t == schema::FieldType::kString || t == schema::FieldType::kText ||
           t == schema::FieldType::kEnum;
}

std::expected<ResolvedEntry, EntryError> Resolve(const DataEntry& e, const schema::Model& model,
                                                 const schema::Resource& resource) {
    ResolvedEntry out;
    if (e.aggregate.empty()) {
        if (e.field.empty()) return std::unexpected(EntryError{"field", "a field is required"});
        const schema::Resource* cur = &resource;
        std::string_view path = e.field;
        while (true) {
            auto dot = path.find('.');
            if (dot == std::string_view::npos) break;
            auto step = path.substr(0, dot);
            const schema::Link* l = cur->FindLink(step);
            if (!l) {
                return std::unexpected(
                    EntryError{"field", fmt::format("{} has no link named '{}'", cur->name, step)});
            }
            const schema::Resource* next = model.Find(l->target);
            if (!next) {
                return std::unexpected(EntryError{
                    "field", fmt::format("the target of link '{}' does not exist", step)});
            }
            out.links.push_back(l);
            out.steps.push_back(next);
            cur = next;
            path.remove_prefix(dot + 1);
        }
        out.field = cur->FindField(path);
        if (!out.field) {
            return std::unexpected(
                EntryError{"field", fmt::format("{} has no field named '{}'", cur->name, path)});
        }
        out.type = ColumnTypeOf(*out.field);
        return out;
    }
    const std::string& fn = e.aggregate;
    if (fn != "count" && fn != "sum" && fn != "min" && fn != "max" && fn != "avg") {
        return std::unexpected(EntryError{"aggregate", "must be count, sum, min, max or avg"});
    }
    if (e.link.empty()) {
        return std::unexpected(EntryError{"link", "an aggregate needs a 1-N link"});
    }
    for (const auto& rl : model.ReverseLinks(resource.name)) {
        if (rl.name == e.link) {
            out.source = rl.source;
            out.back = rl.link;
        }
    }
    if (!out.source) {
        return std::unexpected(EntryError{
            "link", fmt::format("{} has no 1-N link named '{}'", resource.name, e.link)});
    }
    if (fn == "count") {
        out.type = "integer";
        return out;
    }
    if (e.field.empty()) {
        return std::unexpected(EntryError{"field", fmt::format("{} needs a field", fn)});
    }
    out.field = out.source->FindField(e.field);
    if (!out.field) {
        return std::unexpected(EntryError{
            "field", fmt::format("{} has no field named '{}'", out.source->name, e.field)});
    }
    const auto t = out.field->type;
    if (fn == "sum" || fn == "avg") {
        if (!IsNumber(t)) {
            return std::unexpected(
                EntryError{"field", fmt::format("{} needs a number field; '{}' is {}", fn, e.field,
                                                schema::FieldTypeName(t))});
        }
        out.type = fn == "avg" ? "float" : ColumnTypeOf(*out.field);
        return out;
    }
    if (t == schema::FieldType::kBoolean) {
        return std::unexpected(EntryError{
            "field", fmt::format("{} cannot be taken over the boolean field '{}'", fn, e.field)});
    }
    out.type = ColumnTypeOf(*out.field);
    return out;
}

}  // namespace

std::string ColumnTypeOf(const schema::Field& field) {
    switch (field.type) {
        case schema::FieldType::kInteger:
            return "integer";
        case schema::FieldType::kFloat:
            return "float";
        case schema::FieldType::kBoolean:
            return "boolean";
        case schema::FieldType::kDate:
            return "date";
        case schema::FieldType::kDateTime:
            return "datetime";
        default:
            return "string";
    }
}

std::vector<DataEntry> ReadDataEntries(const json::object& params, std::string_view key,
                                       std::vector<Problem>& problems) {
    std::vector<DataEntry> out;
    const json::value* v = params.if_contains(key);
    if (!v || v->is_null()) return out;
    const std::string base = "params." + std::string(key);
    if (!v->is_array()) {
        problems.push_back(ParamProblem(base, "must be a list"));
        return out;
    }
    const auto& list = v->get_array();
    if (list.size() > 100) {
        problems.push_back(ParamProblem(base, "at most 100 columns"));
        return out;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = fmt::format("{}[{}]", base, i);
        if (!list[i].is_object()) {
            problems.push_back(ParamProblem(at, "must be an object"));
            continue;
        }
        const auto& o = list[i].get_object();
        DataEntry e;
        bool ok = true;
        for (auto [member, target] : {std::pair{"name", &e.name}, std::pair{"field", &e.field},
                                      std::pair{"aggregate", &e.aggregate},
                                      std::pair{"link", &e.link}, std::pair{"filter", &e.filter}}) {
            auto s = StringParam(o, member);
            if (!s) {
                problems.push_back(ParamProblem(at + "." + member, "must be a text"));
                ok = false;
            } else {
                *target = std::move(*s);
            }
        }
        if (ok) out.push_back(std::move(e));
    }
    return out;
}

void CheckDataEntries(const std::vector<DataEntry>& entries, std::string_view key,
                      const std::shared_ptr<const schema::Model>& model,
                      const schema::Resource& resource, std::vector<Problem>& problems,
                      const std::vector<std::string>& taken) {
    std::set<std::string, std::less<>> names(taken.begin(), taken.end());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const DataEntry& e = entries[i];
        const std::string at = fmt::format("params.{}[{}]", key, i);
        if (!IsDataName(e.name)) {
            problems.push_back(ParamProblem(
                at + ".name",
                "a name of 1-64 letters, digits and '_', starting with a letter, is required"));
        } else if (e.name == "id" || e.name == "segmentCode" || !names.insert(e.name).second) {
            problems.push_back(
                ParamProblem(at + ".name", fmt::format("the name '{}' is already used", e.name)));
        }
        if (!model) continue;
        auto resolved = Resolve(e, *model, resource);
        if (!resolved) {
            problems.push_back(
                ParamProblem(at + "." + resolved.error().member, resolved.error().message));
            continue;
        }
        if (!e.aggregate.empty() && !Blank(e.filter)) {
            if (auto c = CompileExpression(e.filter, model, resolved->source->name); !c) {
                problems.push_back(ParamProblem(at + ".filter", c.error().message));
            }
        }
    }
}

Result<DataSql> BuildDataSql(const std::vector<DataEntry>& entries,
                             const std::shared_ptr<const schema::Model>& model,
                             const schema::Resource& resource, std::string_view alias,
                             Params& params, const Clock& clock) {
    DataSql out;
    std::set<std::string, std::less<>> names;
    int joins = 0;
    for (const DataEntry& e : entries) {
        if (!IsDataName(e.name) || e.name == "id" || e.name == "segmentCode" ||
            !names.insert(e.name).second) {
            return Fail(Error::InvalidArgument(
                fmt::format("additional data: '{}' is not a usable column name", e.name)));
        }
        auto resolved = Resolve(e, *model, resource);
        if (!resolved) {
            return Fail(Error::InvalidArgument(
                fmt::format("additional data '{}': {}", e.name, resolved.error().message)));
        }
        out.columns.push_back(Column{e.name, resolved->type, ""});
        if (e.aggregate.empty()) {
            std::string from(alias);
            for (std::size_t k = 0; k < resolved->links.size(); ++k) {
                const std::string d = fmt::format("d{}", ++joins);
                out.joins += fmt::format(" LEFT JOIN {} {} ON {}.id = {}.{}",
                                         QuoteIdent(resolved->steps[k]->table), d, d, from,
                                         QuoteIdent(resolved->links[k]->column));
                from = d;
            }
            out.values.push_back(from + "." + QuoteIdent(resolved->field->column));
            continue;
        }
        const std::string g = fmt::format("g{}", ++joins);
        const std::string fk = "t." + QuoteIdent(resolved->back->column);
        std::string where = fk + " IS NOT NULL";
        if (!Blank(e.filter)) {
            auto cond = ExpressionSql(e.filter, model, resolved->source->name, params, clock);
            if (!cond) {
                return Fail(Error::InvalidArgument(
                    fmt::format("additional data '{}': filter: {}", e.name, cond.error().message)));
            }
            where += " AND " + *cond;
        }
        std::string value;
        const bool pg = params.dialect() == storage::Dialect::kPostgres;
        if (e.aggregate == "count") {
            value = "COUNT(*)";
        } else {
            std::string col = "t." + QuoteIdent(resolved->field->column);
            if (e.aggregate == "sum") {
                value = fmt::format("SUM({})", col);
            } else if (e.aggregate == "avg") {
                value = fmt::format("AVG({})", col);
                if (pg) value = "CAST(" + value + " AS double precision)";
            } else {
                if (pg && IsText(resolved->field->type)) col += " COLLATE \"C\"";
                value = fmt::format("{}({})", e.aggregate == "min" ? "MIN" : "MAX", col);
            }
        }
        out.joins += fmt::format(
            " LEFT JOIN (SELECT {} AS k, {} AS v FROM {} t WHERE {} GROUP BY {}) {} ON {}.k = "
            "{}.id",
            fk, value, QuoteIdent(resolved->source->table), where, fk, g, g, alias);
        out.values.push_back(e.aggregate == "count" ? fmt::format("COALESCE({}.v, 0)", g)
                                                    : g + ".v");
    }
    return out;
}

// ---- SQL around working tables.

std::string TextValue(Params& params, std::string value) {
    return "CAST(" + params.Add(std::move(value)) + " AS TEXT)";
}

std::string IntValue(Params& params, std::int64_t value) {
    return "CAST(" + params.Add(value) + " AS BIGINT)";
}

std::string RandomOrder(std::string_view alias, Params& params, std::uint64_t seed) {
    const auto s = static_cast<std::int64_t>(seed % 1000003);
    return fmt::format("((({0}.id + {1}) * 2654435761) % 4294967311), {0}.id", alias,
                       IntValue(params, s));
}

std::string ColumnValues(const Table& table, std::string_view alias) {
    std::string out;
    for (const auto& c : table.columns) out += fmt::format(", {}.{}", alias, c.column);
    return out;
}

std::string ColumnNames(const Table& table) {
    std::string out;
    for (const auto& c : table.columns) out += ", " + c.column;
    return out;
}

Result<std::int64_t> ExecWrite(storage::Database& db, const std::string& sql,
                               const Params& params) {
    return storage::WithWrite(
        db, [&](storage::Transaction& tx) { return tx.ExecSql(sql, params.values()); });
}

Result<Table> Finish(Context& ctx, Table table, std::string_view what) {
    if (ctx.db().dialect() == storage::Dialect::kPostgres) {
        // A new table has no statistics until autovacuum comes by; the next activities join
        // it with large tables, so the planner gets them now (a sample: cheap on any size).
        auto tx = ctx.db().Begin(storage::TxMode::kWrite);
        if (!tx) return Fail(std::move(tx.error()));
        if (auto st = (*tx)->ExecScript("ANALYZE " + QuoteIdent(table.name)); !st) {
            return Fail(std::move(st.error()));
        }
        if (auto st = (*tx)->Commit(); !st) return Fail(std::move(st.error()));
    }
    if (auto st = ctx.Count(table); !st) return Fail(std::move(st.error()));
    ctx.Log(LogLevel::kInfo,
            fmt::format("{}: {} row{}", what, table.count, table.count == 1 ? "" : "s"),
            table.count);
    return table;
}

std::vector<const Table*> InputTables(const Context& ctx, std::string_view port) {
    std::vector<const Table*> out;
    for (const auto& in : ctx.inputs()) {
        if (!in.table) continue;
        if (!port.empty() && in.to_port != port) continue;
        out.push_back(&*in.table);
    }
    return out;
}

Result<const Table*> SingleInput(const Context& ctx, std::string_view activity_label) {
    auto tables = InputTables(ctx);
    if (tables.empty()) {
        return Fail(Error::FailedPrecondition(
            fmt::format("{} needs a population on its inbound transition", activity_label)));
    }
    return tables.front();
}

Result<std::string> CommonResource(const std::vector<const Table*>& tables,
                                   std::string_view activity_label) {
    if (tables.empty()) {
        return Fail(Error::FailedPrecondition(
            fmt::format("{} needs at least one inbound population", activity_label)));
    }
    for (const Table* t : tables) {
        if (t->resource != tables.front()->resource) {
            return Fail(Error::FailedPrecondition(
                fmt::format("{} needs populations of one resource, but it received {} and {}",
                            activity_label, tables.front()->resource, t->resource)));
        }
    }
    return tables.front()->resource;
}

}  // namespace overture::workflow::activities

namespace overture::workflow::activities {

namespace {

void AddEntryNames(const json::object& params, std::string_view key,
                   std::vector<std::string>& names) {
    const json::value* v = params.if_contains(key);
    if (!v || !v->is_array()) return;
    for (const auto& e : v->get_array()) {
        if (!e.is_object()) continue;
        if (auto n = StringParam(e.get_object(), "name"); n && !n->empty()) names.push_back(*n);
    }
}

}  // namespace

namespace {

const ActivityDef* CheckedActivity(const json::object& params, const CheckContext& ctx) {
    if (ctx.activity) return ctx.activity;
    for (const auto& a : ctx.graph->activities) {
        if (&a.params == &params) return &a;
    }
    return nullptr;
}

// The first inbound transition of `activity`, one into "in" if there is one.
const TransitionDef* MainInbound(const Graph& graph, const ActivityDef& activity) {
    const TransitionDef* from = nullptr;
    for (const TransitionDef* t : graph.Inbound(activity.id)) {
        if (!from || (t->to_port == "in" && from->to_port != "in")) from = t;
    }
    return from;
}

}  // namespace

std::optional<Upstream> UpstreamOf(const ActivityDef& sender, const Graph& graph) {
    Upstream up;
    const ActivityDef* source = &sender;
    for (std::size_t steps = 0; steps <= graph.activities.size(); ++steps) {
        const std::string& type = source->type;
        const json::object& p = source->params;
        if (type == "query" || type == "incrementalQuery") {
            auto r = StringParam(p, "resource", "profile");
            if (!r) return std::nullopt;
            up.resource = *r;
            AddEntryNames(p, "additionalData", up.columns);
            return up;
        }
        if (type == "readAudience") {
            up.resource = "profile";
            return up;
        }
        if (type == "loadFile") {
            up.resource = "file";
            const json::value* cols = p.if_contains("columns");
            if (cols && cols->is_array()) {
                AddEntryNames(p, "columns", up.columns);
            } else {
                up.columns_known = false;
            }
            return up;
        }
        if (type == "updateData") {
            auto r = StringParam(p, "resource", "profile");
            if (!r) return std::nullopt;
            up.resource = *r;
            return up;
        }
        if (type == "start" || type == "scheduler" || type == "externalSignal") {
            return std::nullopt;
        }
        if (type == "enrichment") AddEntryNames(p, "add", up.columns);
        if (type == "union" || type == "intersection" || type == "andJoin") {
            up.columns_known = false;
        }
        const TransitionDef* from = MainInbound(graph, *source);
        if (!from) return std::nullopt;
        source = graph.Find(from->from);
        if (!source) return std::nullopt;
    }
    return std::nullopt;  // a cycle
}

std::optional<Upstream> FindUpstream(const json::object& params, const CheckContext& ctx) {
    if (!ctx.graph) return std::nullopt;
    const ActivityDef* at = CheckedActivity(params, ctx);
    if (!at) return std::nullopt;
    const TransitionDef* from = MainInbound(*ctx.graph, *at);
    if (!from) return std::nullopt;
    const ActivityDef* source = ctx.graph->Find(from->from);
    if (!source) return std::nullopt;
    return UpstreamOf(*source, *ctx.graph);
}

std::vector<Problem> CheckOneResource(const json::object& params, const CheckContext& ctx,
                                      std::string_view label) {
    std::vector<Problem> problems;
    if (!ctx.graph) return problems;
    const ActivityDef* at = CheckedActivity(params, ctx);
    if (!at) return problems;
    std::optional<std::pair<std::string, std::string>> first;  // transition, resource
    for (const TransitionDef* t : ctx.graph->Inbound(at->id)) {
        const ActivityDef* source = ctx.graph->Find(t->from);
        if (!source) continue;
        auto up = UpstreamOf(*source, *ctx.graph);
        if (!up) continue;
        if (!first) {
            first.emplace(t->id, up->resource);
        } else if (up->resource != first->second) {
            problems.push_back(Problem{
                "", t->id, "",
                fmt::format("{} needs populations of one resource: {} brings {}, {} brings {}",
                            label, first->first, first->second, t->id, up->resource)});
        }
    }
    return problems;
}

}  // namespace overture::workflow::activities
