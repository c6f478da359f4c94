// Approach: two mutually recursive walks. Cond() gives a condition that is never NULL (the
// two-valued logic of the header); Val() gives a scalar expression with its type, which may be
// NULL. Many-to-one joins are scalar subqueries (a pure WHERE condition, no change to the FROM
// of the caller); 1-N links are correlated EXISTS / aggregate subqueries. Text built from
// sub-expressions may be repeated (addMonths, daysSince): placeholders are numbered, so a
// repeated placeholder refers to the same bound value.
#include "query/sql_emit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "query/calendar.hpp"

namespace overture::query {
namespace {

using calendar::AddMonthsClamped;
using storage::Dialect;
using storage::QuoteIdent;

struct Sql {
    std::string text;
    Type type;
};

bool IsText(ValueType t) { return t == ValueType::kString || t == ValueType::kEnum; }

std::string IdColumn(const schema::Resource& r) {
    const schema::Field* id = r.FindField("id");
    return QuoteIdent(id ? id->column : "id");
}

std::string FormatDate(std::chrono::sys_days d) {
    return calendar::FormatDay(d.time_since_epoch().count());
}

class Emitter {
  public:
    Emitter(Dialect dialect, storage::Params& params, const Clock& clock)
        : dialect_(dialect), params_(params), now_(clock.Now()) {}

    Result<std::string> Cond(const CheckedExpr& e, const std::string& scope,
                             const schema::Resource& res) {
        switch (e.kind) {
            case CheckedKind::kNot: {
                bool saved = std::exchange(positive_, false);  // `not` needs a non-NULL operand
                auto inner = Cond(e.children[0], scope, res);
                positive_ = saved;
                if (!inner) return inner;
                return "(NOT " + *inner + ")";
            }
            case CheckedKind::kAnd:
            case CheckedKind::kOr: {
                std::string out = "(";
                for (std::size_t i = 0; i < e.children.size(); ++i) {
                    auto c = Cond(e.children[i], scope, res);
                    if (!c) return c;
                    if (i) out += e.kind == CheckedKind::kAnd ? " AND " : " OR ";
                    out += *c;
                }
                return out + ")";
            }
            case CheckedKind::kCompare: {
                auto l = Val(e.children[0], scope, res);
                if (!l) return Fail(std::move(l.error()));
                auto r = Val(e.children[1], scope, res);
                if (!r) return Fail(std::move(r.error()));
                Unify(*l, *r);
                bool order = e.compare_op != CompareOp::kEq && e.compare_op != CompareOp::kNe;
                std::string op(CompareOpText(e.compare_op));
                if (op == "!=") op = "<>";
                return Truth(fmt::format("{} {} {}", Ordered(*l, order), op, r->text));
            }
            case CheckedKind::kIn: {
                auto s = Val(e.children[0], scope, res);
                if (!s) return Fail(std::move(s.error()));
                std::vector<Sql> values;
                for (std::size_t i = 1; i < e.children.size(); ++i) {
                    auto v = Val(e.children[i], scope, res);
                    if (!v) return Fail(std::move(v.error()));
                    values.push_back(std::move(*v));
                }
                // Unify against every item (date subjects promoted if any item is datetime).
                for (auto& v : values) Unify(*s, v);
                for (auto& v : values) Unify(*s, v);
                std::string list;
                for (const auto& v : values) list += (list.empty() ? "" : ", ") + v.text;
                return Pred(fmt::format("{} IN ({})", s->text, list), e.negated);
            }
            case CheckedKind::kBetween: {
                auto s = Val(e.children[0], scope, res);
                if (!s) return Fail(std::move(s.error()));
                auto lo = Val(e.children[1], scope, res);
                if (!lo) return Fail(std::move(lo.error()));
                auto hi = Val(e.children[2], scope, res);
                if (!hi) return Fail(std::move(hi.error()));
                Unify(*s, *lo);
                Unify(*s, *hi);
                Unify(*s, *lo);
                return Pred(
                    fmt::format("{} BETWEEN {} AND {}", Ordered(*s, true), lo->text, hi->text),
                    e.negated);
            }
            case CheckedKind::kLike: {
                auto s = Val(e.children[0], scope, res);
                if (!s) return Fail(std::move(s.error()));
                const CheckedExpr& pe = e.children[1];
                const auto* lit = pe.kind == CheckedKind::kLiteral
                                      ? std::get_if<std::string>(&pe.value)
                                      : nullptr;
                if (!pg()) {
                    // SQLite's LIKE has no escape character unless one is named, and ignores
                    // the case of ASCII letters only: the language's `like` as it is.
                    auto p = Val(pe, scope, res);
                    if (!p) return Fail(std::move(p.error()));
                    return Pred(fmt::format("{} LIKE {}", s->text, p->text), e.negated);
                }
                std::string pattern;
                if (lit) {
                    // A literal pattern is escaped and lower-cased here and bound once.
                    std::string text;
                    for (char c : *lit) {
                        if (c == '\\') text += '\\';
                        text += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
                    }
                    pattern = Param(std::move(text), ValueType::kString);
                } else {
                    auto p = Val(pe, scope, res);
                    if (!p) return Fail(std::move(p.error()));
                    pattern =
                        LowerAscii(fmt::format("replace({}, {}, {})", p->text,
                                               Param(std::string("\\"), ValueType::kString),
                                               Param(std::string("\\\\"), ValueType::kString)));
                }
                std::string subject =
                    StoredLowerCase(e.children[0]) ? s->text : LowerAscii(s->text);
                return Pred(fmt::format("{} LIKE {} ESCAPE '\\'", subject, pattern), e.negated);
            }
            case CheckedKind::kIsEmpty: {
                auto s = Val(e.children[0], scope, res);
                if (!s) return Fail(std::move(s.error()));
                std::string c = IsText(s->type.kind)
                                    ? fmt::format("({0} IS NULL OR {0} = '')", s->text)
                                    : fmt::format("({} IS NULL)", s->text);
                return Negate(c, e.negated);
            }
            case CheckedKind::kWindow:
                return Window(e, scope, res);
            case CheckedKind::kExists: {
                std::string alias;
                auto from = LinkFrom(*e.link, scope, alias);
                if (!from) return from;
                std::string where;
                if (e.where()) {
                    bool saved = std::exchange(positive_, true);  // inside WHERE
                    auto w = Cond(*e.where(), alias, *e.link->source);
                    positive_ = saved;
                    if (!w) return w;
                    where = " AND " + *w;
                }
                return fmt::format("EXISTS (SELECT 1 {}{})", *from, where);
            }
            default: {
                // A boolean value used as a condition: a field, a call, a literal.
                auto v = Val(e, scope, res);
                if (!v) return Fail(std::move(v.error()));
                return Truth(v->text);
            }
        }
    }

    Result<Sql> Val(const CheckedExpr& e, const std::string& scope, const schema::Resource& res) {
        switch (e.kind) {
            case CheckedKind::kLiteral:
                return Literal(e);
            case CheckedKind::kField:
                return Sql{ChainRead(scope, e.field->joins, QuoteIdent(e.field->field->column)),
                           e.type};
            case CheckedKind::kAggregate:
                return Aggregate(e, scope);
            case CheckedKind::kCall:
                return Call(e, scope, res);
            default: {
                bool saved = std::exchange(positive_, false);  // a value: never NULL
                auto c = Cond(e, scope, res);
                positive_ = saved;
                if (!c) return Fail(std::move(c.error()));
                return Sql{*c, e.type};
            }
        }
    }

    std::string Table(const schema::Resource& r) { return QuoteIdent(r.table); }

    // The whole expression as a WHERE condition over `t`.
    Result<std::string> Where(const CheckedExpr& e, const schema::Resource& res) {
        positive_ = true;
        return Cond(e, "t", res);
    }

  private:
    bool pg() const { return dialect_ == Dialect::kPostgres; }
    std::string False() const { return pg() ? "FALSE" : "0"; }
    // In a positive context (a WHERE, and the and/or/exists below it, where only TRUE
    // selects) NULL and FALSE act alike, so the COALESCE that makes NULL false is left out:
    // it hides the predicate from the planner (PostgreSQL then neither reorders the conditions
    // by cost nor estimates them). Under `not`, in values and in negated predicates it stays.
    std::string Truth(const std::string& c) const {
        if (positive_) return "(" + c + ")";
        return fmt::format("COALESCE(({}), {})", c, False());
    }
    std::string Pred(const std::string& c, bool negated) const {
        if (!negated) return Truth(c);
        return fmt::format("(NOT COALESCE(({}), {}))", c, False());
    }
    static std::string Negate(const std::string& c, bool negated) {
        return negated ? "(NOT " + c + ")" : c;
    }
    std::string NextAlias() { return fmt::format("a{}", ++aliases_); }

    std::string Param(storage::Value v, ValueType type) {
        std::string p = params_.Add(std::move(v));
        if (!pg()) return p;
        switch (type) {
            case ValueType::kBoolean:
                return p + "::boolean";
            case ValueType::kInteger:
                return p + "::bigint";
            case ValueType::kFloat:
                return p + "::double precision";
            case ValueType::kDate:
                return p + "::date";
            case ValueType::kDateTime:
                return p + "::timestamptz";
            default:
                return p + "::text";
        }
    }
    std::string IntParam(std::int64_t v) { return Param(v, ValueType::kInteger); }

    Sql Literal(const CheckedExpr& e) {
        const LiteralValue& v = e.value;
        if (std::holds_alternative<std::monostate>(v)) return {"NULL", e.type};
        if (auto b = std::get_if<bool>(&v)) return {Param(*b, e.type.kind), e.type};
        if (auto i = std::get_if<std::int64_t>(&v)) return {Param(*i, e.type.kind), e.type};
        if (auto d = std::get_if<double>(&v)) return {Param(*d, e.type.kind), e.type};
        return {Param(std::get<std::string>(v), e.type.kind), e.type};
    }

    // A date expression as midnight UTC of a datetime.
    std::string PromoteDate(const std::string& d) const {
        return pg() ? fmt::format("(CAST({} AS timestamp) AT TIME ZONE 'UTC')", d)
                    : fmt::format("({} || 'T00:00:00.000Z')", d);
    }
    void Promote(Sql& v, ValueType to) const {
        if (v.type.kind == ValueType::kDate && to == ValueType::kDateTime) {
            v.text = PromoteDate(v.text);
            v.type = Type{ValueType::kDateTime, nullptr};
        }
    }
    // Date meeting datetime: both become datetimes.
    void Unify(Sql& a, Sql& b) const {
        if (a.type.kind == ValueType::kDateTime) Promote(b, ValueType::kDateTime);
        if (b.type.kind == ValueType::kDateTime) Promote(a, ValueType::kDateTime);
    }
    // Strings order by code point in both dialects.
    std::string Ordered(const Sql& v, bool order) const {
        if (order && pg() && IsText(v.type.kind)) return "(" + v.text + ") COLLATE \"C\"";
        return v.text;
    }
    // PostgreSQL's lower()/upper() under the "C" collation map ASCII letters only (and cost a
    // seventh of translate()); SQLite's map ASCII only without ICU.
    std::string LowerAscii(const std::string& s) const {
        return pg() ? fmt::format("lower(({}) COLLATE \"C\")", s) : fmt::format("lower({})", s);
    }
    std::string UpperAscii(const std::string& s) const {
        return pg() ? fmt::format("upper(({}) COLLATE \"C\")", s) : fmt::format("upper({})", s);
    }
    // The derived emailDomain field is stored lower-case by every writer (RecordService, the
    // importer, the demo; see normalize.hpp), so `like` need not fold its case.
    static bool StoredLowerCase(const CheckedExpr& e) {
        return e.kind == CheckedKind::kField && e.field && e.field->field->name == "emailDomain" &&
               e.field->field->builtin && e.field->field->read_only;
    }

    // `column` of the resource reached from `scope` through `joins` (many-to-one), as a scalar
    // subquery when there are joins (NULL when a link is null).
    std::string ChainRead(const std::string& scope, std::span<const Join> joins,
                          const std::string& column) {
        if (joins.empty()) return scope + "." + column;
        std::vector<std::string> aliases;
        for (std::size_t i = 0; i < joins.size(); ++i) aliases.push_back(NextAlias());
        std::string from = Table(*joins[0].to) + " " + aliases[0];
        for (std::size_t i = 1; i < joins.size(); ++i) {
            from += fmt::format(" JOIN {} {} ON {}.{} = {}.{}", Table(*joins[i].to), aliases[i],
                                aliases[i], IdColumn(*joins[i].to), aliases[i - 1],
                                QuoteIdent(joins[i].link->column));
        }
        return fmt::format("(SELECT {}.{} FROM {} WHERE {}.{} = {}.{})", aliases.back(), column,
                           from, aliases[0], IdColumn(*joins[0].to), scope,
                           QuoteIdent(joins[0].link->column));
    }

    // "FROM source a WHERE a.fk = <target id>" for a 1-N link; `alias` receives the alias.
    Result<std::string> LinkFrom(const LinkRef& link, const std::string& scope,
                                 std::string& alias) {
        std::string target_id;
        if (link.joins.empty()) {
            target_id = scope + "." + IdColumn(*link.target);
        } else {
            std::span<const Join> joins(link.joins);
            target_id = ChainRead(scope, joins.first(joins.size() - 1),
                                  QuoteIdent(joins.back().link->column));
        }
        alias = NextAlias();
        return fmt::format("FROM {} {} WHERE {}.{} = {}", Table(*link.source), alias, alias,
                           QuoteIdent(link.link->column), target_id);
    }

    Result<Sql> Aggregate(const CheckedExpr& e, const std::string& scope) {
        std::string alias;
        auto from = LinkFrom(*e.link, scope, alias);
        if (!from) return Fail(std::move(from.error()));
        std::string where;
        if (e.where()) {
            bool saved = std::exchange(positive_, true);  // inside WHERE
            auto w = Cond(*e.where(), alias, *e.link->source);
            positive_ = saved;
            if (!w) return Fail(std::move(w.error()));
            where = " AND " + *w;
        }
        if (e.aggregate == AggregateFn::kCount) {
            // An aggregate without GROUP BY gives exactly one row: the count is never NULL.
            return Sql{fmt::format("(SELECT COUNT(*) {}{})", *from, where), e.type};
        }
        std::string col = ChainRead(alias, e.field->joins, QuoteIdent(e.field->field->column));
        std::string agg;
        switch (e.aggregate) {
            case AggregateFn::kSum:
                agg = fmt::format("SUM({})", col);
                if (pg() && e.type.kind == ValueType::kInteger) {
                    agg = "CAST(" + agg + " AS bigint)";
                }
                break;
            case AggregateFn::kAvg:
                agg = fmt::format("AVG({})", col);
                if (pg()) agg = "CAST(" + agg + " AS double precision)";
                break;
            default: {
                Sql v{col, e.type};
                agg = fmt::format("{}({})", e.aggregate == AggregateFn::kMin ? "MIN" : "MAX",
                                  Ordered(v, true));
                break;
            }
        }
        return Sql{fmt::format("(SELECT {} {}{})", agg, *from, where), e.type};
    }

    // --- Dates -----------------------------------------------------------------------------

    std::string NowParam() { return Param(FormatRfc3339(now_), ValueType::kDateTime); }
    std::chrono::sys_days Today() const { return std::chrono::floor<std::chrono::days>(now_); }
    std::string TodayParam() { return Param(FormatDate(Today()), ValueType::kDate); }

    // "YYYY-MM-DD" text of a date or datetime (UTC).
    std::string DateText(const Sql& v) const {
        if (pg()) {
            return v.type.kind == ValueType::kDateTime
                       ? fmt::format("to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD')", v.text)
                       : fmt::format("to_char({}, 'YYYY-MM-DD')", v.text);
        }
        return v.type.kind == ValueType::kDateTime ? fmt::format("substr({}, 1, 10)", v.text)
                                                   : v.text;
    }
    std::string IntCast(const std::string& s) const {
        return fmt::format("CAST({} AS {})", s, pg() ? "bigint" : "INTEGER");
    }
    std::string Part(const Sql& v, int start, int len) const {
        return IntCast(fmt::format("substr({}, {}, {})", DateText(v), start, len));
    }
    // Milliseconds since the epoch.
    std::string EpochMs(const Sql& v) const {
        if (pg()) {
            return v.type.kind == ValueType::kDateTime
                       ? fmt::format("CAST(round(EXTRACT(EPOCH FROM {}) * 1000) AS bigint)", v.text)
                       : fmt::format("(CAST(({} - DATE '1970-01-01') AS bigint) * 86400000)",
                                     v.text);
        }
        if (v.type.kind == ValueType::kDateTime) {
            return fmt::format(
                "(CAST(strftime('%s', {0}) AS INTEGER) * 1000 + CAST(substr({0}, 21, 3) AS "
                "INTEGER))",
                v.text);
        }
        return fmt::format("(CAST(strftime('%s', {}) AS INTEGER) * 1000)", v.text);
    }
    static std::string FloorDiv(const std::string& x, std::int64_t k) {
        return fmt::format(
            "(CASE WHEN ({0}) >= 0 THEN ({0}) / {1} ELSE -(({2} - ({0})) / {1}) END)", x, k, k - 1);
    }
    std::string AddDays(const Sql& d, const std::string& n) const {
        if (pg()) {
            if (d.type.kind == ValueType::kDate) {
                return fmt::format("({} + CAST({} AS integer))", d.text, n);
            }
            return fmt::format(
                "((({} AT TIME ZONE 'UTC') + ({}) * INTERVAL '1 day') AT TIME ZONE 'UTC')", d.text,
                n);
        }
        if (d.type.kind == ValueType::kDate)
            return fmt::format("date({}, ({}) || ' days')", d.text, n);
        return fmt::format("strftime('%Y-%m-%dT%H:%M:%fZ', {}, ({}) || ' days')", d.text, n);
    }
    std::string AddMonths(const Sql& d, const std::string& n) const {
        if (pg()) {
            if (d.type.kind == ValueType::kDate) {
                return fmt::format(
                    "CAST({} + make_interval(months => CAST({} AS integer)) AS date)", d.text, n);
            }
            return fmt::format(
                "((({} AT TIME ZONE 'UTC') + make_interval(months => CAST({} AS integer))) AT TIME "
                "ZONE 'UTC')",
                d.text, n);
        }
        // SQLite's '+N months' does not clamp (Jan 31 + 1 month is Mar 2 or 3): go to the first
        // of the target month, then add min(day, days in that month) - 1 days.
        std::string date = DateText(d);
        std::string first = fmt::format("date({}, 'start of month', ({}) || ' months')", date, n);
        std::string dim =
            fmt::format("CAST(strftime('%d', {}, '+1 month', '-1 day') AS INTEGER)", first);
        std::string day = fmt::format("CAST(substr({}, 9, 2) AS INTEGER)", date);
        std::string result = fmt::format("date({}, (min({}, {}) - 1) || ' days')", first, day, dim);
        if (d.type.kind == ValueType::kDateTime) {
            return fmt::format("({} || substr({}, 11))", result, d.text);
        }
        return result;
    }

    Result<std::string> Window(const CheckedExpr& e, const std::string& scope,
                               const schema::Resource& res) {
        auto s = Val(e.children[0], scope, res);
        if (!s) return Fail(std::move(s.error()));
        std::int64_t sign = e.direction == WindowDirection::kLast ? -1 : 1;
        std::int64_t n = e.amount * sign;
        auto shift_days = [&](std::chrono::sys_days d) {
            switch (e.unit) {
                case WindowUnit::kDays:
                    return d + std::chrono::days(n);
                case WindowUnit::kWeeks:
                    return d + std::chrono::days(7 * n);
                case WindowUnit::kMonths:
                    return AddMonthsClamped(d, n);
                case WindowUnit::kYears:
                    return AddMonthsClamped(d, 12 * n);
            }
            return d;
        };
        // A far bound outside the years the databases hold (0000-9999; PostgreSQL has no year 0)
        // is left out: every stored value is on its near side, and no database reads that bound.
        auto far = shift_days(Today());
        if (far < std::chrono::sys_days(std::chrono::year(pg() ? 1 : 0) / 1 / 1) ||
            far > std::chrono::sys_days(std::chrono::year(9999) / 12 / 31)) {
            std::string near = s->type.kind == ValueType::kDate ? TodayParam() : NowParam();
            return Truth(fmt::format("{} {} {}", s->text, sign < 0 ? "<=" : ">=", near));
        }
        std::string lo, hi;
        if (s->type.kind == ValueType::kDate) {
            std::string a = FormatDate(Today()), b = FormatDate(far);
            if (sign < 0) std::swap(a, b);
            lo = Param(a, ValueType::kDate);
            hi = Param(b, ValueType::kDate);
        } else {
            auto day = Today();
            auto time_of_day = now_ - day;
            TimePoint other = shift_days(day) + time_of_day;
            std::string a = FormatRfc3339(now_), b = FormatRfc3339(other);
            if (sign < 0) std::swap(a, b);
            lo = Param(a, ValueType::kDateTime);
            hi = Param(b, ValueType::kDateTime);
        }
        return Truth(fmt::format("{} BETWEEN {} AND {}", s->text, lo, hi));
    }

    // --- Calls -----------------------------------------------------------------------------

    Result<Sql> Call(const CheckedExpr& e, const std::string& scope, const schema::Resource& res) {
        std::vector<Sql> a;
        for (const auto& c : e.children) {
            auto v = Val(c, scope, res);
            if (!v) return Fail(std::move(v.error()));
            a.push_back(std::move(*v));
        }
        auto out = [&](std::string text) { return Sql{std::move(text), e.type}; };
        switch (e.function) {
            case Function::kNow:
                return out(NowParam());
            case Function::kToday:
                return out(TodayParam());
            case Function::kDaysAgo:
                return out(AddDays(Sql{NowParam(), Type{ValueType::kDateTime, nullptr}},
                                   "-(" + a[0].text + ")"));
            case Function::kAddDays:
                return out(AddDays(a[0], a[1].text));
            case Function::kAddMonths:
                return out(AddMonths(a[0], a[1].text));
            case Function::kYear:
                return out(Part(a[0], 1, 4));
            case Function::kMonth:
                return out(Part(a[0], 6, 2));
            case Function::kDay:
                return out(Part(a[0], 9, 2));
            case Function::kWeekday:
                if (pg()) {
                    return out(fmt::format("CAST(EXTRACT(ISODOW FROM CAST({} AS date)) AS bigint)",
                                           DateText(a[0])));
                }
                return out(fmt::format("((CAST(strftime('%w', {}) AS INTEGER) + 6) % 7 + 1)",
                                       DateText(a[0])));
            case Function::kAge: {
                std::chrono::year_month_day t(Today());
                std::int64_t year = static_cast<int>(t.year());
                std::int64_t mmdd =
                    static_cast<unsigned>(t.month()) * 100 + static_cast<unsigned>(t.day());
                return out(fmt::format(
                    "(({} - {}) - CASE WHEN {} < {} * 100 + {} THEN 1 ELSE 0 END)", IntParam(year),
                    Part(a[0], 1, 4), IntParam(mmdd), Part(a[0], 6, 2), Part(a[0], 9, 2)));
            }
            case Function::kDaysSince:
                return out(
                    FloorDiv(fmt::format("{} - {}", IntParam(ToUnixMillis(now_)), EpochMs(a[0])),
                             86'400'000));
            case Function::kLower:
                return out(LowerAscii(a[0].text));
            case Function::kUpper:
                return out(UpperAscii(a[0].text));
            case Function::kLength:
                return out(IntCast(fmt::format("length({})", a[0].text)));
            case Function::kContains:
                return out(fmt::format("({} > 0)",
                                       pg() ? fmt::format("strpos({}, {})", a[0].text, a[1].text)
                                            : fmt::format("instr({}, {})", a[0].text, a[1].text)));
            case Function::kStartsWith:
                return out(
                    fmt::format("(substr({0}, 1, length({1})) = {1})", a[0].text, a[1].text));
            case Function::kEndsWith:
                return out(fmt::format(
                    "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL ELSE (length({1}) = 0 OR "
                    "(length({0}) >= length({1}) AND substr({0}, length({0}) - length({1}) + 1) = "
                    "{1})) END)",
                    a[0].text, a[1].text));
            case Function::kTrim: {
                std::string chars = Param(std::string(" \t\n\r\f\v"), ValueType::kString);
                return out(fmt::format("{}({}, {})", pg() ? "btrim" : "trim", a[0].text, chars));
            }
            case Function::kEmailDomain: {
                std::string at = Param(std::string("@"), ValueType::kString);
                std::string after =
                    pg() ? fmt::format("reverse(split_part(reverse({}), {}, 1))", a[0].text, at)
                         : fmt::format("substr({0}, length(rtrim({0}, replace({0}, {1}, ''))) + 1)",
                                       a[0].text, at);
                std::string has_at = pg() ? fmt::format("strpos({}, {}) > 0", a[0].text, at)
                                          : fmt::format("instr({}, {}) > 0", a[0].text, at);
                return out(fmt::format("(CASE WHEN {} THEN {} END)", has_at, LowerAscii(after)));
            }
            case Function::kAbs:
                return out(fmt::format("abs({})", a[0].text));
            case Function::kRound:
                if (e.type.kind == ValueType::kInteger) return out(a[0].text);
                // PostgreSQL rounds doubles half to even; numeric rounds half away from zero.
                return out(pg()
                               ? fmt::format("CAST(round(CAST({} AS numeric)) AS double precision)",
                                             a[0].text)
                               : fmt::format("round({})", a[0].text));
            case Function::kFloor:
            case Function::kCeil: {
                if (e.type.kind == ValueType::kInteger) return out(a[0].text);
                bool floor = e.function == Function::kFloor;
                if (pg()) return out(fmt::format("{}({})", floor ? "floor" : "ceil", a[0].text));
                // SQLite's floor()/ceil() need the optional math functions: truncate instead.
                return out(fmt::format(
                    "CAST(CASE WHEN {0} {1} 0 OR {0} = CAST({0} AS INTEGER) THEN CAST({0} AS "
                    "INTEGER) ELSE CAST({0} AS INTEGER) {2} 1 END AS REAL)",
                    a[0].text, floor ? ">=" : "<=", floor ? "-" : "+"));
            }
            case Function::kCoalesce: {
                std::string list;
                for (auto& v : a) {
                    Promote(v, e.type.kind);
                    list += (list.empty() ? "" : ", ") + v.text;
                }
                return out("COALESCE(" + list + ")");
            }
        }
        return Fail(Error::InvalidArgument(
            fmt::format("{}() is not supported yet in SQL", FunctionName(e.function))));
    }

    Dialect dialect_;
    storage::Params& params_;
    TimePoint now_;
    int aliases_ = 0;
    bool positive_ = false;  // see Truth()
};

}  // namespace

Result<SqlFilter> EmitSql(const Checked& checked, storage::Dialect dialect, storage::Params& params,
                          const Clock& clock) {
    if (checked.root == nullptr) return Fail(Error::InvalidArgument("no root resource"));
    if (params.dialect() != dialect) {
        return Fail(Error::InvalidArgument("parameters are for another dialect"));
    }
    Emitter emitter(dialect, params, clock);
    auto cond = emitter.Where(checked.expr, *checked.root);
    if (!cond) return Fail(std::move(cond.error()));
    return SqlFilter{std::move(*cond), emitter.Table(*checked.root)};
}

}  // namespace overture::query
