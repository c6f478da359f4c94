// Approach: one bottom-up walk. Children are normalized first, so a rule sees folded
// constants below it (addDays(today(), -30) is a literal by the time the comparison around it
// is looked at). Every fold computes exactly what evaluate.cpp computes for the same node, with
// the same clock reading; where that would be null (dates beyond the years 0001-9999) the node
// is kept, so literals never need a typed NULL in SQL.
#include "query/normalize.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "query/calendar.hpp"

namespace overture::query {
namespace {

using calendar::AddMonthsClamped;
using calendar::Digits;
using calendar::FloorDiv;
using calendar::FormatDay;
using calendar::kDayMs;
using calendar::ParseDays;
using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// 0001-01-01 and 9999-12-31 in days since the epoch: the dates a fold may produce (PostgreSQL
// has no year 0).
constexpr std::int64_t kMinDay = -719'162;
constexpr std::int64_t kMaxDay = 2'932'896;

bool InRange(std::int64_t day) { return day >= kMinDay && day <= kMaxDay; }

// Canonical "YYYY-MM-DDTHH:MM:SS.mmmZ" as milliseconds since the epoch.
std::optional<std::int64_t> ParseMs(std::string_view s) {
    if (s.size() != 24 || s[10] != 'T' || s[19] != '.' || s[23] != 'Z') return std::nullopt;
    auto d = ParseDays(s);
    auto h = Digits(s, 11, 2), mi = Digits(s, 14, 2), se = Digits(s, 17, 2), ms = Digits(s, 20, 3);
    if (!d || !h || !mi || !se || !ms) return std::nullopt;
    return *d * kDayMs + ((*h * 60 + *mi) * 60 + *se) * 1000 + *ms;
}

std::string FormatMs(std::int64_t ms) { return FormatRfc3339(FromUnixMillis(ms)); }

// --- Building nodes ----------------------------------------------------------------------

CheckedExpr Node(CheckedKind kind, ValueType type, Span span) {
    CheckedExpr e;
    e.kind = kind;
    e.type = Type{type, nullptr};
    e.span = span;
    return e;
}

CheckedExpr Lit(Type type, LiteralValue v, Span span) {
    CheckedExpr e = Node(CheckedKind::kLiteral, type.kind, span);
    e.type = type;
    e.value = std::move(v);
    return e;
}
CheckedExpr IntLit(std::int64_t v, Span span) {
    return Lit(Type{ValueType::kInteger, nullptr}, v, span);
}
CheckedExpr DateLit(std::int64_t day, Span span) {
    return Lit(Type{ValueType::kDate, nullptr}, FormatDay(day), span);
}
CheckedExpr DateTimeLit(std::int64_t ms, Span span) {
    return Lit(Type{ValueType::kDateTime, nullptr}, FormatMs(ms), span);
}

CheckedExpr Compare(CompareOp op, CheckedExpr l, CheckedExpr r, Span span) {
    CheckedExpr e = Node(CheckedKind::kCompare, ValueType::kBoolean, span);
    e.compare_op = op;
    e.children.push_back(std::move(l));
    e.children.push_back(std::move(r));
    return e;
}

CheckedExpr Not(CheckedExpr c, Span span) {
    if (c.kind == CheckedKind::kNot) return std::move(c.children[0]);
    CheckedExpr e = Node(CheckedKind::kNot, ValueType::kBoolean, span);
    e.children.push_back(std::move(c));
    return e;
}

// and/or of `items`, flattening items of the same kind; one item is returned as is.
CheckedExpr Logical(CheckedKind kind, std::vector<CheckedExpr> items, Span span) {
    CheckedExpr e = Node(kind, ValueType::kBoolean, span);
    for (auto& c : items) {
        if (c.kind == kind) {
            for (auto& g : c.children) e.children.push_back(std::move(g));
        } else {
            e.children.push_back(std::move(c));
        }
    }
    if (e.children.size() == 1) return std::move(e.children[0]);
    return e;
}

bool IsLiteral(const CheckedExpr& e) { return e.kind == CheckedKind::kLiteral; }
const std::int64_t* IntLiteral(const CheckedExpr& e) {
    return IsLiteral(e) ? std::get_if<std::int64_t>(&e.value) : nullptr;
}

// A date or datetime literal as days (date) or milliseconds (datetime).
struct Instant {
    bool date = true;
    std::int64_t v = 0;  // days or ms
    std::int64_t Day() const { return date ? v : FloorDiv(v, kDayMs); }
    std::int64_t Ms() const { return date ? v * kDayMs : v; }
};
std::optional<Instant> InstantLiteral(const CheckedExpr& e) {
    if (!IsLiteral(e)) return std::nullopt;
    const auto* s = std::get_if<std::string>(&e.value);
    if (!s) return std::nullopt;
    if (e.type.kind == ValueType::kDate) {
        if (s->size() != 10) return std::nullopt;
        auto d = ParseDays(*s);
        if (!d || !InRange(*d)) return std::nullopt;
        return Instant{true, *d};
    }
    if (e.type.kind == ValueType::kDateTime) {
        auto ms = ParseMs(*s);
        if (!ms || !InRange(FloorDiv(*ms, kDayMs))) return std::nullopt;
        return Instant{false, *ms};
    }
    return std::nullopt;
}

// The result of a date fold as a literal of `type`, or nullopt beyond the years 0001-9999.
std::optional<CheckedExpr> InstantResult(ValueType type, bool date, std::int64_t v, Span span) {
    std::int64_t day = date ? v : FloorDiv(v, kDayMs);
    if (!InRange(day)) return std::nullopt;
    if (type == ValueType::kDate && date) return DateLit(v, span);
    if (type == ValueType::kDateTime) return DateTimeLit(date ? v * kDayMs : v, span);
    return std::nullopt;
}

CompareOp Flip(CompareOp op) {
    switch (op) {
        case CompareOp::kLt:
            return CompareOp::kGt;
        case CompareOp::kLe:
            return CompareOp::kGe;
        case CompareOp::kGt:
            return CompareOp::kLt;
        case CompareOp::kGe:
            return CompareOp::kLe;
        default:
            return op;
    }
}

class Normalizer {
  public:
    Normalizer(TimePoint now, const NormalizeOptions& options)
        : now_ms_(ToUnixMillis(now)), today_(FloorDiv(now_ms_, kDayMs)), options_(options) {}

    CheckedExpr Walk(const CheckedExpr& in) {
        CheckedExpr e = in;
        for (auto& c : e.children) c = Walk(c);
        switch (e.kind) {
            case CheckedKind::kNot:
                return Not(std::move(e.children[0]), e.span);
            case CheckedKind::kAnd:
            case CheckedKind::kOr:
                return Logical(e.kind, std::move(e.children), e.span);
            case CheckedKind::kCall:
                return Call(std::move(e));
            case CheckedKind::kWindow:
                return Window(std::move(e));
            case CheckedKind::kIn:
                if (e.children.size() == 2) {
                    CheckedExpr eq = Compare(CompareOp::kEq, std::move(e.children[0]),
                                             std::move(e.children[1]), e.span);
                    return e.negated ? Not(std::move(eq), e.span) : std::move(eq);
                }
                return e;
            case CheckedKind::kCompare:
                return CompareRule(std::move(e));
            case CheckedKind::kBetween:
                return BetweenRule(std::move(e));
            default:
                return e;
        }
    }

  private:
    // --- Calls ---------------------------------------------------------------------------

    CheckedExpr Call(CheckedExpr e) {
        if (auto folded = Fold(e)) return std::move(*folded);
        if (options_.use_derived_fields && e.function == Function::kEmailDomain) {
            if (auto derived = DerivedEmailDomain(e)) return std::move(*derived);
        }
        return e;
    }

    std::optional<CheckedExpr> Fold(const CheckedExpr& e) {
        const auto& a = e.children;
        const Span span = e.span;
        switch (e.function) {
            case Function::kNow:
                return DateTimeLit(now_ms_, span);
            case Function::kToday:
                return DateLit(today_, span);
            case Function::kDaysAgo: {
                const std::int64_t* n = IntLiteral(a[0]);
                if (!n || *n < -4'000'000 || *n > 4'000'000) return std::nullopt;
                return InstantResult(e.type.kind, false, now_ms_ - *n * kDayMs, span);
            }
            case Function::kAddDays: {
                auto d = InstantLiteral(a[0]);
                const std::int64_t* n = IntLiteral(a[1]);
                if (!d || !n || *n < -4'000'000 || *n > 4'000'000) return std::nullopt;
                return InstantResult(e.type.kind, d->date, d->date ? d->v + *n : d->v + *n * kDayMs,
                                     span);
            }
            case Function::kAddMonths: {
                auto d = InstantLiteral(a[0]);
                const std::int64_t* n = IntLiteral(a[1]);
                if (!d || !n || *n < -130'000 || *n > 130'000) return std::nullopt;
                std::int64_t day = d->Day();
                std::int64_t shifted = AddMonthsClamped(day, *n);
                if (d->date) return InstantResult(e.type.kind, true, shifted, span);
                if (!InRange(shifted)) return std::nullopt;
                return InstantResult(e.type.kind, false, shifted * kDayMs + (d->v - day * kDayMs),
                                     span);
            }
            case Function::kYear:
            case Function::kMonth:
            case Function::kDay:
            case Function::kWeekday:
            case Function::kAge: {
                auto d = InstantLiteral(a[0]);
                if (!d) return std::nullopt;
                sys_days day{days(d->Day())};
                year_month_day ymd(day);
                std::int64_t y = static_cast<int>(ymd.year());
                std::int64_t m = static_cast<unsigned>(ymd.month());
                std::int64_t dd = static_cast<unsigned>(ymd.day());
                switch (e.function) {
                    case Function::kYear:
                        return IntLit(y, span);
                    case Function::kMonth:
                        return IntLit(m, span);
                    case Function::kDay:
                        return IntLit(dd, span);
                    case Function::kWeekday:
                        return IntLit(std::chrono::weekday(day).iso_encoding(), span);
                    default: {
                        year_month_day t{sys_days{days(today_)}};
                        std::int64_t ty = static_cast<int>(t.year());
                        std::int64_t mmdd =
                            static_cast<unsigned>(t.month()) * 100 + static_cast<unsigned>(t.day());
                        return IntLit((ty - y) - (mmdd < m * 100 + dd ? 1 : 0), span);
                    }
                }
            }
            case Function::kDaysSince: {
                auto d = InstantLiteral(a[0]);
                if (!d) return std::nullopt;
                return IntLit(FloorDiv(now_ms_ - d->Ms(), kDayMs), span);
            }
            case Function::kLower:
            case Function::kUpper: {
                if (!IsLiteral(a[0]) || e.type.kind != ValueType::kString) return std::nullopt;
                const auto* s = std::get_if<std::string>(&a[0].value);
                if (!s) return std::nullopt;
                std::string out = *s;
                for (char& c : out) {
                    if (e.function == Function::kLower && c >= 'A' && c <= 'Z') c += 'a' - 'A';
                    if (e.function == Function::kUpper && c >= 'a' && c <= 'z') c -= 'a' - 'A';
                }
                return Lit(e.type, std::move(out), span);
            }
            default:
                return std::nullopt;
        }
    }

    // emailDomain(<...>.email) -> <...>.emailDomain when the resource stores it.
    static std::optional<CheckedExpr> DerivedEmailDomain(const CheckedExpr& e) {
        const CheckedExpr& arg = e.children[0];
        if (arg.kind != CheckedKind::kField || !arg.field) return std::nullopt;
        const FieldRef& ref = *arg.field;
        if (ref.field->normalizer != schema::Normalizer::kEmail || ref.field->name != "email") {
            return std::nullopt;
        }
        const schema::Field* domain = ref.resource->FindField("emailDomain");
        if (!domain || !domain->builtin || !domain->read_only ||
            domain->type != schema::FieldType::kString) {
            return std::nullopt;
        }
        CheckedExpr out = Node(CheckedKind::kField, ValueType::kString, e.span);
        out.field = FieldRef{ref.joins, ref.resource, domain};
        return out;
    }

    // --- Windows -------------------------------------------------------------------------

    CheckedExpr Window(CheckedExpr e) {
        std::int64_t n = e.amount * (e.direction == WindowDirection::kLast ? -1 : 1);
        // Beyond 130,000 months (past the years 1-9999 anyway) chrono::year would wrap.
        if ((e.unit == WindowUnit::kMonths && (n < -130'000 || n > 130'000)) ||
            (e.unit == WindowUnit::kYears && (n < -10'000 || n > 10'000))) {
            return e;
        }
        std::int64_t shifted = 0;
        switch (e.unit) {
            case WindowUnit::kDays:
                shifted = today_ + n;
                break;
            case WindowUnit::kWeeks:
                shifted = today_ + 7 * n;
                break;
            case WindowUnit::kMonths:
                shifted = AddMonthsClamped(today_, n);
                break;
            case WindowUnit::kYears:
                shifted = AddMonthsClamped(today_, 12 * n);
                break;
        }
        if (!InRange(shifted)) return e;
        CheckedExpr lo, hi;
        if (e.children[0].type.kind == ValueType::kDate) {
            lo = DateLit(today_, e.span);
            hi = DateLit(shifted, e.span);
        } else {
            lo = DateTimeLit(now_ms_, e.span);
            hi = DateTimeLit(shifted * kDayMs + (now_ms_ - today_ * kDayMs), e.span);
        }
        if (n < 0) std::swap(lo, hi);
        CheckedExpr b = Node(CheckedKind::kBetween, ValueType::kBoolean, e.span);
        b.children.push_back(std::move(e.children[0]));
        b.children.push_back(std::move(lo));
        b.children.push_back(std::move(hi));
        return b;
    }

    // --- Comparisons ---------------------------------------------------------------------

    CheckedExpr CompareRule(CheckedExpr e) {
        // `<literal> op <call>` is read as `<call> flipped-op <literal>`; the node is only
        // replaced when a rule applies.
        bool flip = IsLiteral(e.children[0]) && !IsLiteral(e.children[1]);
        const CheckedExpr& l = e.children[flip ? 1 : 0];
        const std::int64_t* k = IntLiteral(e.children[flip ? 0 : 1]);
        CompareOp op = flip ? Flip(e.compare_op) : e.compare_op;
        if (k == nullptr) return e;
        if (l.kind == CheckedKind::kCall &&
            (l.function == Function::kAge || l.function == Function::kYear)) {
            if (auto r = DatePartCompare(l, op, *k, e.span)) return std::move(*r);
        }
        if (l.kind == CheckedKind::kAggregate && l.aggregate == AggregateFn::kCount) {
            if (auto r = CountCompare(l, op, *k, e.span)) return std::move(*r);
        }
        return e;
    }

    CheckedExpr BetweenRule(CheckedExpr e) {
        const CheckedExpr& s = e.children[0];
        const std::int64_t* lo = IntLiteral(e.children[1]);
        const std::int64_t* hi = IntLiteral(e.children[2]);
        if (!lo || !hi || s.kind != CheckedKind::kCall ||
            (s.function != Function::kAge && s.function != Function::kYear)) {
            return e;
        }
        if (!Small(*lo) || !Small(*hi)) return e;
        std::optional<DayRange> range;
        if (s.function == Function::kAge) {
            range = AgeRange(*lo, *hi);
        } else {
            range = YearRange(*lo, *hi);
        }
        if (!range || !range->Valid()) return e;
        CheckedExpr r = RangeOf(s.children[0], *range, e.span);
        return e.negated ? Not(std::move(r), e.span) : std::move(r);
    }

    // --- Date ranges ---------------------------------------------------------------------

    // Inclusive bounds in days; an absent bound is open.
    struct DayRange {
        std::optional<std::int64_t> lo, hi;
        bool Valid() const {
            return (!lo || InRange(*lo)) && (!hi || InRange(*hi + 1)) && (lo || hi);
        }
    };

    static bool Small(std::int64_t k) { return k > -20'000 && k < 20'000; }

    // The last day (clamped to the month's end) of year `y` with today's month and day: the
    // latest birth date of someone whose age is at least ty - y.
    std::optional<std::int64_t> AnniversaryIn(std::int64_t y) const {
        if (y < 1 || y > 9999) return std::nullopt;
        year_month_day t{sys_days{days(today_)}};
        auto ym = std::chrono::year_month(std::chrono::year(static_cast<int>(y)), t.month());
        auto last =
            std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
        auto d = std::min(t.day(), last.day());
        return sys_days(year_month_day(ym.year(), ym.month(), d)).time_since_epoch().count();
    }
    std::int64_t TodayYear() const {
        return static_cast<int>(year_month_day{sys_days{days(today_)}}.year());
    }

    // age(d) >= a  <=>  day(d) <= U(a) with U(a) the anniversary in year ty - a, and
    // age(d) <= b  <=>  day(d) > U(b + 1).
    std::optional<DayRange> AgeRange(std::optional<std::int64_t> at_least,
                                     std::optional<std::int64_t> at_most) const {
        DayRange r;
        if (at_least) {
            auto u = AnniversaryIn(TodayYear() - *at_least);
            if (!u) return std::nullopt;
            r.hi = *u;
        }
        if (at_most) {
            auto u = AnniversaryIn(TodayYear() - *at_most - 1);
            if (!u) return std::nullopt;
            r.lo = *u + 1;
        }
        return r;
    }
    static std::optional<std::int64_t> JanFirst(std::int64_t y) {
        if (y < 1 || y > 9999) return std::nullopt;
        return sys_days(year_month_day(std::chrono::year(static_cast<int>(y)), std::chrono::January,
                                       std::chrono::day(1)))
            .time_since_epoch()
            .count();
    }
    static std::optional<DayRange> YearRange(std::optional<std::int64_t> from,
                                             std::optional<std::int64_t> to) {
        DayRange r;
        if (from) {
            auto d = JanFirst(*from);
            if (!d) return std::nullopt;
            r.lo = *d;
        }
        if (to) {
            auto d = JanFirst(*to + 1);
            if (!d) return std::nullopt;
            r.hi = *d - 1;
        }
        return r;
    }

    std::optional<CheckedExpr> DatePartCompare(const CheckedExpr& call, CompareOp op,
                                               std::int64_t k, Span span) const {
        if (!Small(k)) return std::nullopt;
        bool age = call.function == Function::kAge;
        auto range = [&](std::optional<std::int64_t> lo, std::optional<std::int64_t> hi) {
            return age ? AgeRange(lo, hi) : YearRange(lo, hi);
        };
        std::optional<DayRange> r;
        switch (op) {
            case CompareOp::kEq:
                r = range(k, k);
                break;
            case CompareOp::kGe:
                r = range(k, std::nullopt);
                break;
            case CompareOp::kGt:
                r = range(k + 1, std::nullopt);
                break;
            case CompareOp::kLe:
                r = range(std::nullopt, k);
                break;
            case CompareOp::kLt:
                r = range(std::nullopt, k - 1);
                break;
            case CompareOp::kNe:
                return std::nullopt;
        }
        if (!r || !r->Valid()) return std::nullopt;
        return RangeOf(call.children[0], *r, span);
    }

    // `subject`'s day within `r`: date subjects compare with dates, datetime subjects with
    // midnights (UTC), the upper one exclusive.
    static CheckedExpr RangeOf(const CheckedExpr& subject, const DayRange& r, Span span) {
        if (subject.type.kind == ValueType::kDate) {
            if (r.lo && r.hi) {
                CheckedExpr b = Node(CheckedKind::kBetween, ValueType::kBoolean, span);
                b.children = {subject, DateLit(*r.lo, span), DateLit(*r.hi, span)};
                return b;
            }
            if (r.lo) return Compare(CompareOp::kGe, subject, DateLit(*r.lo, span), span);
            return Compare(CompareOp::kLe, subject, DateLit(*r.hi, span), span);
        }
        std::vector<CheckedExpr> parts;
        if (r.lo) {
            parts.push_back(
                Compare(CompareOp::kGe, subject, DateTimeLit(*r.lo * kDayMs, span), span));
        }
        if (r.hi) {
            parts.push_back(
                Compare(CompareOp::kLt, subject, DateTimeLit((*r.hi + 1) * kDayMs, span), span));
        }
        return Logical(CheckedKind::kAnd, std::move(parts), span);
    }

    // count(L) >= 1 -> exists L; count(L) = 0 -> not exists L. count is never null.
    static std::optional<CheckedExpr> CountCompare(const CheckedExpr& count, CompareOp op,
                                                   std::int64_t k, Span span) {
        bool some = (op == CompareOp::kGe && k == 1) || (op == CompareOp::kGt && k == 0) ||
                    (op == CompareOp::kNe && k == 0);
        bool none = (op == CompareOp::kEq && k == 0) || (op == CompareOp::kLt && k == 1) ||
                    (op == CompareOp::kLe && k == 0);
        if (!some && !none) return std::nullopt;
        CheckedExpr ex = Node(CheckedKind::kExists, ValueType::kBoolean, span);
        ex.link = count.link;
        ex.children = count.children;
        return some ? std::move(ex) : Not(std::move(ex), span);
    }

    std::int64_t now_ms_;
    std::int64_t today_;
    NormalizeOptions options_;
};

// --- ToExpr --------------------------------------------------------------------------------

std::vector<std::string> JoinNames(const std::vector<Join>& joins) {
    std::vector<std::string> out;
    for (const Join& j : joins) out.push_back(j.link->name);
    return out;
}

}  // namespace

Checked Normalize(const Checked& checked, const Clock& clock, const NormalizeOptions& options) {
    Normalizer n(clock.Now(), options);
    Checked out;
    out.model = checked.model;
    out.root = checked.root;
    out.expr = n.Walk(checked.expr);
    return out;
}

Expr ToExpr(const CheckedExpr& e) {
    std::vector<Expr> kids;
    for (const auto& c : e.children) kids.push_back(ToExpr(c));
    switch (e.kind) {
        case CheckedKind::kLiteral:
            if (const auto* b = std::get_if<bool>(&e.value)) return Expr::Bool(*b);
            if (const auto* i = std::get_if<std::int64_t>(&e.value)) return Expr::Integer(*i);
            if (const auto* d = std::get_if<double>(&e.value)) return Expr::Decimal(*d);
            if (const auto* s = std::get_if<std::string>(&e.value)) return Expr::String(*s);
            return Expr::Null();
        case CheckedKind::kField: {
            auto path = JoinNames(e.field->joins);
            path.push_back(e.field->field->name);
            return Expr::Field(std::move(path));
        }
        case CheckedKind::kCall:
            return Expr::Call(std::string(FunctionName(e.function)), std::move(kids));
        case CheckedKind::kAggregate:
        case CheckedKind::kExists: {
            auto path = JoinNames(e.link->joins);
            path.push_back(e.link->name);
            std::optional<Expr> where;
            if (!kids.empty()) where = std::move(kids[0]);
            if (e.kind == CheckedKind::kExists) return Expr::Exists(std::move(path), where);
            return Expr::Aggregate(e.aggregate, std::move(path),
                                   e.field ? e.field->field->name : std::string(), where);
        }
        case CheckedKind::kNot:
            return Expr::Not(std::move(kids[0]));
        case CheckedKind::kAnd:
            return Expr::And(std::move(kids));
        case CheckedKind::kOr:
            return Expr::Or(std::move(kids));
        case CheckedKind::kCompare:
            return Expr::Compare(e.compare_op, std::move(kids[0]), std::move(kids[1]));
        case CheckedKind::kIn: {
            Expr subject = std::move(kids[0]);
            kids.erase(kids.begin());
            return Expr::In(std::move(subject), std::move(kids), e.negated);
        }
        case CheckedKind::kBetween:
            return Expr::Between(std::move(kids[0]), std::move(kids[1]), std::move(kids[2]),
                                 e.negated);
        case CheckedKind::kLike:
            return Expr::Like(std::move(kids[0]), std::move(kids[1]), e.negated);
        case CheckedKind::kIsEmpty:
            return Expr::IsEmpty(std::move(kids[0]), e.negated);
        case CheckedKind::kWindow:
            return Expr::Window(std::move(kids[0]), e.direction, e.amount, e.unit);
    }
    return Expr::Null();
}

}  // namespace overture::query
