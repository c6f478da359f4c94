// Segmentation (targeting): splits the inbound population into segments, each with its own
// output port, and writes the segment's code into segment_code (deliveries copy it into the
// sending logs).
//
//   params: {"segments": [{"code": "control",
//                          "filter": "<expression over the population's resource>" (optional),
//                          "limit": {"kind": "percent" | "count", "value": 10,
//                                    "random": true} (optional)}, ...],
//            "complement": {"enabled": true, "code": "rest"} (optional; off by default)}
//   ports:  in: the population; out: one port per segment code, plus the complement's code.
//
// Segments are filled in order and never overlap: a segment may take only the rows no earlier
// segment took, that match its filter (joined to the resource's table on id). A limit keeps a
// percentage of those rows (rounded half up) or a count of them; `random` picks them in the
// deterministic random order of the workflow's seed (the same rows in a resumed run and in a
// new run of the same workflow), else the lowest ids. The complement takes every row left.
// One INSERT ... SELECT per segment (a count first for a percentage), with a checkpoint between
// segments.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "storage/sql_text.hpp"
#include "workflow/activities/activities.hpp"
#include "workflow/activities/targeting_sql.hpp"

namespace overture::workflow::activities {

namespace {

namespace json = boost::json;
using storage::Params;
using storage::QuoteIdent;

constexpr std::size_t kMaxSegments = 100;

struct Limit {
    bool percent = true;
    double value = 0;
    bool random = false;
};

struct Segment {
    std::string code;
    std::string filter;
    std::optional<Limit> limit;
};

struct Spec {
    std::vector<Segment> segments;
    bool complement = false;
    std::string complement_code = "rest";
};

std::optional<double> Number(const json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    if (v->is_double()) return v->get_double();
    return std::nullopt;
}

// Reads the parameters; every problem found goes to `problems`.
Spec Read(const json::object& params, std::vector<Problem>& problems) {
    Spec spec;
    std::set<std::string, std::less<>> codes;
    const json::value* list = params.if_contains("segments");
    if (!list || !list->is_array() || list->get_array().empty()) {
        problems.push_back(ParamProblem("params.segments", "add at least one segment"));
    } else if (list->get_array().size() > kMaxSegments) {
        problems.push_back(ParamProblem("params.segments", "at most 100 segments"));
    } else {
        const auto& arr = list->get_array();
        for (std::size_t i = 0; i < arr.size(); ++i) {
            const std::string at = fmt::format("params.segments[{}]", i);
            if (!arr[i].is_object()) {
                problems.push_back(ParamProblem(at, "must be an object"));
                continue;
            }
            const auto& o = arr[i].get_object();
            Segment s;
            auto code = StringParam(o, "code");
            if (!code || !IsCode(*code)) {
                problems.push_back(ParamProblem(
                    at + ".code", "a code of 1-64 letters, digits, '_' and '-' is required"));
            } else if (!codes.insert(*code).second) {
                problems.push_back(
                    ParamProblem(at + ".code", fmt::format("the code '{}' is used twice", *code)));
            } else {
                s.code = *code;
            }
            auto filter = StringParam(o, "filter");
            if (!filter) {
                problems.push_back(ParamProblem(at + ".filter", "must be a text"));
            } else {
                s.filter = *filter;
            }
            if (const json::value* lv = o.if_contains("limit"); lv && !lv->is_null()) {
                if (!lv->is_object()) {
                    problems.push_back(ParamProblem(at + ".limit", "must be an object"));
                } else {
                    const auto& lo = lv->get_object();
                    Limit l;
                    auto kind = StringParam(lo, "kind", "percent");
                    auto value = Number(lo.if_contains("value"));
                    if (!kind || (*kind != "percent" && *kind != "count")) {
                        problems.push_back(
                            ParamProblem(at + ".limit.kind", "must be percent or count"));
                    } else if (*kind == "percent") {
                        if (!value || !(*value > 0 && *value <= 100)) {
                            problems.push_back(ParamProblem(at + ".limit.value",
                                                            "a percentage above 0, at most 100"));
                        }
                    } else if (!value || *value < 0 || *value != std::floor(*value) ||
                               *value > 9e15) {
                        problems.push_back(
                            ParamProblem(at + ".limit.value", "a whole number, 0 or more"));
                    }
                    if (const json::value* r = lo.if_contains("random"); r && !r->is_null()) {
                        if (!r->is_bool()) {
                            problems.push_back(
                                ParamProblem(at + ".limit.random", "must be true or false"));
                        } else {
                            l.random = r->get_bool();
                        }
                    }
                    l.percent = kind.value_or("percent") == "percent";
                    l.value = value.value_or(0);
                    s.limit = l;
                }
            }
            spec.segments.push_back(std::move(s));
        }
    }
    if (const json::value* c = params.if_contains("complement"); c && !c->is_null()) {
        if (!c->is_object()) {
            problems.push_back(ParamProblem("params.complement", "must be an object"));
        } else {
            const auto& co = c->get_object();
            if (const json::value* e = co.if_contains("enabled"); e && !e->is_null()) {
                if (!e->is_bool()) {
                    problems.push_back(
                        ParamProblem("params.complement.enabled", "must be true or false"));
                } else {
                    spec.complement = e->get_bool();
                }
            }
            auto code = StringParam(co, "code", "rest");
            if (spec.complement) {
                if (!code || !IsCode(*code)) {
                    problems.push_back(
                        ParamProblem("params.complement.code",
                                     "a code of 1-64 letters, digits, '_' and '-' is required"));
                } else if (codes.contains(*code)) {
                    problems.push_back(
                        ParamProblem("params.complement.code",
                                     fmt::format("the code '{}' is already a segment's", *code)));
                } else {
                    spec.complement_code = *code;
                }
            }
        }
    }
    return spec;
}

// Rows a percentage of `count` keeps, rounded half up.
std::int64_t PercentOf(std::int64_t count, double percent) {
    if (percent == std::floor(percent)) {
        const auto p = static_cast<std::int64_t>(percent);
        return (count * p + 50) / 100;
    }
    return static_cast<std::int64_t>(
        std::floor(static_cast<long double>(count) * percent / 100.0L + 0.5L));
}

class Segmentation final : public ActivityType {
  public:
    std::string_view type() const override { return "segmentation"; }
    std::string_view category() const override { return "targeting"; }
    std::string_view label() const override { return "Segmentation"; }

    std::vector<std::string> OutputPorts(const json::object& params) const override {
        std::vector<Problem> ignored;
        Spec spec = Read(params, ignored);
        std::vector<std::string> ports;
        for (const auto& s : spec.segments) {
            if (!s.code.empty()) ports.push_back(s.code);
        }
        if (spec.complement && IsCode(spec.complement_code)) {
            ports.push_back(spec.complement_code);
        }
        return ports;
    }

    std::vector<Problem> Check(const json::object& params, const CheckContext& ctx) const override {
        std::vector<Problem> problems;
        Spec spec = Read(params, problems);
        // Filters are type-checked when the graph tells the population's resource (else
        // parsed here and type-checked when the task runs).
        auto up = FindUpstream(params, ctx);
        const bool known = up && ctx.model && ctx.model->Find(up->resource);
        for (std::size_t i = 0; i < spec.segments.size(); ++i) {
            json::object o;
            o["filter"] = spec.segments[i].filter;
            CheckExpression(o, "filter", known ? ctx.model : nullptr, known ? up->resource : "",
                            problems, fmt::format("params.segments[{}].", i));
        }
        return problems;
    }

    Result<Outcome> Execute(Context& ctx) const override {
        std::vector<Problem> problems;
        Spec spec = Read(ctx.activity().params, problems);
        if (auto st = FirstProblem(problems); !st) return Fail(std::move(st.error()));
        auto input = SingleInput(ctx, "Segmentation");
        if (!input) return Fail(std::move(input.error()));
        const Table& in = **input;
        auto model = ctx.model();
        const schema::Resource* resource = model->Find(in.resource);
        const auto dialect = ctx.db().dialect();

        // FROM and WHERE of the rows segment `i` may take (`filter` of the segment, if any).
        std::vector<const Table*> taken;
        auto candidates = [&](const Segment* s, Params& p) -> Result<std::string> {
            std::string sql = QuoteIdent(in.name) + " w";
            std::string where = " WHERE 1 = 1";
            if (s && !s->filter.empty() &&
                s->filter.find_first_not_of(" \t\r\n") != std::string::npos) {
                if (!resource) {
                    return Fail(Error::FailedPrecondition(fmt::format(
                        "segment '{}': a filter needs records of a resource, not {} rows", s->code,
                        in.resource)));
                }
                auto cond = ExpressionSql(s->filter, model, resource->name, p, ctx.clock());
                if (!cond) {
                    return Fail(Error::InvalidArgument(
                        fmt::format("segment '{}': filter: {}", s->code, cond.error().message)));
                }
                sql += fmt::format(" JOIN {} t ON t.id = w.id", QuoteIdent(resource->table));
                where += " AND " + *cond;
            }
            for (const Table* t : taken) {
                where += fmt::format(" AND NOT EXISTS (SELECT 1 FROM {} x WHERE x.id = w.id)",
                                     QuoteIdent(t->name));
            }
            return sql + where;
        };

        std::vector<Output> outputs;
        std::vector<Table> made;
        made.reserve(spec.segments.size() + 1);
        auto fill = [&](const Segment* s, const std::string& code) -> Status {
            if (auto st = ctx.Checkpoint(); !st) return st;
            std::optional<std::int64_t> limit;
            if (s && s->limit) {
                if (s->limit->percent) {
                    Params p(dialect);
                    auto from = candidates(s, p);
                    if (!from) return Fail(std::move(from.error()));
                    auto rows = storage::WithRead(ctx.db(), [&](storage::Transaction& tx) {
                        return tx.QuerySql("SELECT count(*) FROM " + *from, p.values());
                    });
                    if (!rows) return Fail(std::move(rows.error()));
                    limit = PercentOf(storage::AsInt(rows->rows.at(0).at(0)), s->limit->value);
                } else {
                    limit = static_cast<std::int64_t>(s->limit->value);
                }
            }
            auto table = ctx.CreateTable(in.resource, in.columns);
            if (!table) return Fail(std::move(table.error()));
            Params p(dialect);
            auto from = candidates(s, p);
            if (!from) return Fail(std::move(from.error()));
            std::string sql =
                fmt::format("INSERT INTO {} (id, segment_code{}) SELECT w.id, {}{} FROM {}",
                            QuoteIdent(table->name), ColumnNames(*table), TextValue(p, code),
                            ColumnValues(in, "w"), *from);
            if (limit) {
                sql += " ORDER BY " +
                       (s->limit->random ? RandomOrder("w", p, ctx.seed()) : std::string("w.id")) +
                       " LIMIT " + IntValue(p, *limit);
            }
            if (auto n = ExecWrite(ctx.db(), sql, p); !n) return Fail(std::move(n.error()));
            auto done = Finish(ctx, std::move(*table), fmt::format("segment '{}'", code));
            if (!done) return Fail(std::move(done.error()));
            made.push_back(std::move(*done));
            taken.push_back(&made.back());
            outputs.push_back(Output{code, made.back()});
            return {};
        };
        for (const auto& s : spec.segments) {
            if (auto st = fill(&s, s.code); !st) return Fail(std::move(st.error()));
        }
        if (spec.complement) {
            if (auto st = fill(nullptr, spec.complement_code); !st) {
                return Fail(std::move(st.error()));
            }
        }
        return Outcome::Done(std::move(outputs));
    }
};

}  // namespace

std::unique_ptr<ActivityType> MakeSegmentation() { return std::make_unique<Segmentation>(); }

}  // namespace overture::workflow::activities
