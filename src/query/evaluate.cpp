// Approach: the same two mutually recursive walks as sql_emit.cpp. Cond() gives a bool (SQL's
// COALESCE(..., FALSE)); Val() gives a small tagged value that may be null. Strings are
// string_views into the records, the literals or, for the few functions that build text, a
// per-call arena; dates are days and datetimes milliseconds since the epoch, so comparisons
// never allocate. Every rule below mirrors the SQL text that sql_emit.cpp writes.
#include "query/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <forward_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "query/calendar.hpp"

namespace overture::query {

const storage::Value* MemoryRecord::Field(const schema::Field& field) const {
    auto it = fields.find(field.name);
    return it == fields.end() ? nullptr : &it->second;
}

const Record* MemoryRecord::One(const schema::Link& link) const {
    auto it = links.find(link.name);
    return it == links.end() ? nullptr : it->second;
}

std::span<const Record* const> MemoryRecord::Many(const schema::Resource& /*source*/,
                                                  const schema::Link& link) const {
    auto it = many.find(link.reverse_name);
    if (it == many.end()) return {};
    return std::span<const Record* const>(it->second.data(), it->second.size());
}

namespace {

using calendar::AddMonthsClamped;
using calendar::Digits;
using calendar::FloorDiv;
using calendar::kDayMs;
using calendar::ParseDays;
using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// 0000-01-01 and 9999-12-31 in days since the epoch: the years dates may have.
constexpr std::int64_t kMinDay = -719'528;
constexpr std::int64_t kMaxDay = 2'932'896;

enum class K : std::uint8_t { kNull, kBool, kInt, kFloat, kStr, kDate, kDateTime };

// A value during evaluation: kDate in days and kDateTime in milliseconds since the epoch (both
// in `i`), strings as views.
struct V {
    K k = K::kNull;
    bool b = false;
    std::int64_t i = 0;
    double d = 0;
    std::string_view s;

    bool null() const { return k == K::kNull; }
    static V Bool(bool b) { return V{K::kBool, b, 0, 0, {}}; }
    static V Int(std::int64_t i) { return V{K::kInt, false, i, 0, {}}; }
    static V Float(double d) { return V{K::kFloat, false, 0, d, {}}; }
    static V Str(std::string_view s) { return V{K::kStr, false, 0, 0, s}; }
    static V Date(std::int64_t d) {
        return d < kMinDay || d > kMaxDay ? V{} : V{K::kDate, false, d, 0, {}};
    }
    static V DateTime(std::int64_t ms) {
        return ms < kMinDay * kDayMs || ms >= (kMaxDay + 1) * kDayMs
                   ? V{}
                   : V{K::kDateTime, false, ms, 0, {}};
    }
};

bool IsText(ValueType t) { return t == ValueType::kString || t == ValueType::kEnum; }

V ParseDate(std::string_view s) {
    if (s.size() != 10) return {};
    auto d = ParseDays(s);
    return d ? V::Date(*d) : V{};
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (or without ".mmm").
V ParseDateTime(std::string_view s) {
    if (s.size() != 24 && s.size() != 20) return {};
    auto d = ParseDays(s);
    if (!d || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z') return {};
    auto h = Digits(s, 11, 2), mi = Digits(s, 14, 2), se = Digits(s, 17, 2);
    std::optional<int> ms = 0;
    if (s.size() == 24) {
        if (s[19] != '.') return {};
        ms = Digits(s, 20, 3);
    }
    if (!h || !mi || !se || !ms || *h > 23 || *mi > 59 || *se > 59) return {};
    return V::DateTime(*d * kDayMs + ((*h * 60 + *mi) * 60 + *se) * 1000 + *ms);
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char UpperAscii(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Bytes of the UTF-8 character starting at s[i] (at least 1).
std::size_t CharLen(std::string_view s, std::size_t i) {
    std::size_t j = i + 1;
    while (j < s.size() && IsContinuation(s[j])) ++j;
    return j - i;
}

std::int64_t CodePoints(std::string_view s) {
    std::int64_t n = 0;
    for (char c : s) n += IsContinuation(c) ? 0 : 1;
    return n;
}

// SQL LIKE on ASCII-lower-cased subject and pattern: `%` any run, `_` one character, every
// other byte literal. Greedy with backtracking to the last `%`.
bool Like(std::string_view s, std::string_view p) {
    std::size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
    while (si < s.size()) {
        if (pi < p.size() && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
        } else if (pi < p.size() && p[pi] == '_') {
            si += CharLen(s, si);
            ++pi;
        } else if (pi < p.size() && LowerAscii(p[pi]) == LowerAscii(s[si])) {
            ++si;
            ++pi;
        } else if (star_p != std::string_view::npos) {
            pi = star_p;
            star_s += CharLen(s, star_s);
            si = star_s;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '%') ++pi;
    return pi == p.size();
}

template <typename T>
int Cmp3(T a, T b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

// Three-way comparison of two non-null values of compatible types; nullopt when either is
// null (or the values cannot be compared, which the type-check rules out).
std::optional<int> Compare(const V& a, const V& b) {
    if (a.null() || b.null()) return std::nullopt;
    switch (a.k) {
        case K::kBool:
            if (b.k != K::kBool) return std::nullopt;
            return Cmp3(a.b, b.b);
        case K::kInt:
        case K::kFloat:
            if (b.k == K::kInt && a.k == K::kInt) return Cmp3(a.i, b.i);
            if (b.k != K::kInt && b.k != K::kFloat) return std::nullopt;
            {
                double x = a.k == K::kInt ? static_cast<double>(a.i) : a.d;
                double y = b.k == K::kInt ? static_cast<double>(b.i) : b.d;
                if (std::isnan(x) || std::isnan(y)) return std::nullopt;
                return Cmp3(x, y);
            }
        case K::kStr: {
            if (b.k != K::kStr) return std::nullopt;
            int c = a.s.compare(b.s);  // char_traits<char> compares as unsigned char
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        case K::kDate:
        case K::kDateTime: {
            if (b.k != K::kDate && b.k != K::kDateTime) return std::nullopt;
            if (a.k == b.k) return Cmp3(a.i, b.i);
            std::int64_t x = a.k == K::kDate ? a.i * kDayMs : a.i;
            std::int64_t y = b.k == K::kDate ? b.i * kDayMs : b.i;
            return Cmp3(x, y);
        }
        case K::kNull:
            break;
    }
    return std::nullopt;
}

bool CompareHolds(CompareOp op, int c) {
    switch (op) {
        case CompareOp::kEq:
            return c == 0;
        case CompareOp::kNe:
            return c != 0;
        case CompareOp::kLt:
            return c < 0;
        case CompareOp::kLe:
            return c <= 0;
        case CompareOp::kGt:
            return c > 0;
        case CompareOp::kGe:
            return c >= 0;
    }
    return false;
}

class Evaluator {
  public:
    explicit Evaluator(TimePoint now)
        : now_ms_(ToUnixMillis(now)), today_(FloorDiv(now_ms_, kDayMs)) {}

    bool Cond(const CheckedExpr& e, const Record& rec) {
        switch (e.kind) {
            case CheckedKind::kNot:
                return !Cond(e.children[0], rec);
            case CheckedKind::kAnd:
                for (const auto& c : e.children) {
                    if (!Cond(c, rec)) return false;
                }
                return true;
            case CheckedKind::kOr:
                for (const auto& c : e.children) {
                    if (Cond(c, rec)) return true;
                }
                return false;
            case CheckedKind::kCompare: {
                V l = Val(e.children[0], rec);
                if (l.null()) return false;
                V r = Val(e.children[1], rec);
                auto c = Compare(l, r);
                return c && CompareHolds(e.compare_op, *c);
            }
            case CheckedKind::kIn: {
                V s = Val(e.children[0], rec);
                bool found = false;
                if (!s.null()) {
                    for (std::size_t i = 1; i < e.children.size() && !found; ++i) {
                        auto c = Compare(s, Val(e.children[i], rec));
                        found = c && *c == 0;
                    }
                }
                return found != e.negated;
            }
            case CheckedKind::kBetween: {
                V s = Val(e.children[0], rec);
                bool in = false;
                if (!s.null()) {
                    auto lo = Compare(s, Val(e.children[1], rec));
                    auto hi = Compare(s, Val(e.children[2], rec));
                    in = lo && hi && *lo >= 0 && *hi <= 0;
                }
                return in != e.negated;
            }
            case CheckedKind::kLike: {
                V s = Val(e.children[0], rec);
                V p = Val(e.children[1], rec);
                bool match = s.k == K::kStr && p.k == K::kStr && Like(s.s, p.s);
                return match != e.negated;
            }
            case CheckedKind::kIsEmpty: {
                V s = Val(e.children[0], rec);
                bool empty =
                    s.null() || (IsText(e.children[0].type.kind) && s.k == K::kStr && s.s.empty());
                return empty != e.negated;
            }
            case CheckedKind::kWindow:
                return Window(e, rec);
            case CheckedKind::kExists: {
                for (const Record* r : Linked(*e.link, rec)) {
                    if (!e.where() || Cond(*e.where(), *r)) return true;
                }
                return false;
            }
            default: {
                V v = Val(e, rec);
                if (v.k == K::kBool) return v.b;
                if (v.k == K::kInt) return v.i != 0;
                return false;
            }
        }
    }

    V Val(const CheckedExpr& e, const Record& rec) {
        switch (e.kind) {
            case CheckedKind::kLiteral:
                return Literal(e);
            case CheckedKind::kField:
                return ReadField(*e.field, rec);
            case CheckedKind::kAggregate:
                return Aggregate(e, rec);
            case CheckedKind::kCall:
                return Call(e, rec);
            default:
                return V::Bool(Cond(e, rec));
        }
    }

  private:
    static V Literal(const CheckedExpr& e) {
        const LiteralValue& v = e.value;
        if (auto b = std::get_if<bool>(&v)) return V::Bool(*b);
        if (auto i = std::get_if<std::int64_t>(&v)) return V::Int(*i);
        if (auto d = std::get_if<double>(&v)) return V::Float(*d);
        if (auto s = std::get_if<std::string>(&v)) {
            switch (e.type.kind) {
                case ValueType::kDate:
                    return ParseDate(*s);
                case ValueType::kDateTime:
                    return ParseDateTime(*s);
                default:
                    return V::Str(*s);
            }
        }
        return {};
    }

    static V FromStored(const schema::Field& f, const storage::Value* stored) {
        if (stored == nullptr) return {};
        const storage::Value& v = *stored;
        switch (f.type) {
            case schema::FieldType::kString:
            case schema::FieldType::kText:
            case schema::FieldType::kEnum:
                if (auto s = std::get_if<std::string>(&v)) return V::Str(*s);
                return {};
            case schema::FieldType::kInteger:
                if (auto i = std::get_if<std::int64_t>(&v)) return V::Int(*i);
                if (auto d = std::get_if<double>(&v)) return V::Float(*d);
                return {};
            case schema::FieldType::kFloat:
                if (auto d = std::get_if<double>(&v)) return V::Float(*d);
                if (auto i = std::get_if<std::int64_t>(&v)) {
                    return V::Float(static_cast<double>(*i));
                }
                return {};
            case schema::FieldType::kBoolean:
                if (auto b = std::get_if<bool>(&v)) return V::Bool(*b);
                if (auto i = std::get_if<std::int64_t>(&v)) return V::Bool(*i != 0);
                return {};
            case schema::FieldType::kDate:
                if (auto s = std::get_if<std::string>(&v)) return ParseDate(*s);
                return {};
            case schema::FieldType::kDateTime:
                if (auto s = std::get_if<std::string>(&v)) return ParseDateTime(*s);
                if (auto i = std::get_if<std::int64_t>(&v)) return V::DateTime(*i);
                return {};
        }
        return {};
    }

    static const Record* Follow(std::span<const Join> joins, const Record* rec) {
        for (const Join& j : joins) {
            if (rec == nullptr) return nullptr;
            rec = rec->One(*j.link);
        }
        return rec;
    }

    static V ReadField(const FieldRef& f, const Record& rec) {
        const Record* r = Follow(f.joins, &rec);
        if (r == nullptr) return {};
        return FromStored(*f.field, r->Field(*f.field));
    }

    static std::span<const Record* const> Linked(const LinkRef& link, const Record& rec) {
        const Record* target = Follow(link.joins, &rec);
        if (target == nullptr) return {};
        return target->Many(*link.source, *link.link);
    }

    V Aggregate(const CheckedExpr& e, const Record& rec) {
        std::int64_t count = 0;
        std::uint64_t isum = 0;  // wraps like two's complement instead of overflowing
        double fsum = 0;
        V best;
        bool any = false;
        for (const Record* r : Linked(*e.link, rec)) {
            if (e.where() && !Cond(*e.where(), *r)) continue;
            if (e.aggregate == AggregateFn::kCount) {
                ++count;
                continue;
            }
            V v = ReadField(*e.field, *r);
            if (v.null()) continue;
            ++count;
            switch (e.aggregate) {
                case AggregateFn::kSum:
                case AggregateFn::kAvg:
                    if (v.k == K::kInt) {
                        isum += static_cast<std::uint64_t>(v.i);
                        fsum += static_cast<double>(v.i);
                    } else {
                        fsum += v.d;
                    }
                    break;
                case AggregateFn::kMin:
                case AggregateFn::kMax: {
                    auto c = any ? Compare(v, best) : std::optional<int>(0);
                    if (!any || (c && (e.aggregate == AggregateFn::kMin ? *c < 0 : *c > 0))) {
                        best = v;
                    }
                    break;
                }
                case AggregateFn::kCount:
                    break;
            }
            any = true;
        }
        switch (e.aggregate) {
            case AggregateFn::kCount:
                return V::Int(count);
            case AggregateFn::kSum:
                if (!any) return {};
                if (e.type.kind == ValueType::kInteger) {
                    return V::Int(static_cast<std::int64_t>(isum));
                }
                return V::Float(fsum);
            case AggregateFn::kAvg:
                if (!any) return {};
                if (e.field->field->type == schema::FieldType::kInteger) {
                    return V::Float(static_cast<double>(static_cast<std::int64_t>(isum)) /
                                    static_cast<double>(count));
                }
                return V::Float(fsum / static_cast<double>(count));
            default:
                return any ? best : V{};
        }
    }

    bool Window(const CheckedExpr& e, const Record& rec) {
        V s = Val(e.children[0], rec);
        if (s.null()) return false;
        std::int64_t sign = e.direction == WindowDirection::kLast ? -1 : 1;
        std::int64_t n = e.amount * sign;
        auto shift_days = [&](sys_days d) {
            switch (e.unit) {
                case WindowUnit::kDays:
                    return d + days(n);
                case WindowUnit::kWeeks:
                    return d + days(7 * n);
                case WindowUnit::kMonths:
                    return AddMonthsClamped(d, n);
                case WindowUnit::kYears:
                    return AddMonthsClamped(d, 12 * n);
            }
            return d;
        };
        sys_days today{days(today_)};
        std::int64_t lo = 0, hi = 0, x = s.i;
        if (e.children[0].type.kind == ValueType::kDate) {
            lo = today_;
            hi = shift_days(today).time_since_epoch().count();
        } else {
            lo = now_ms_;
            hi =
                shift_days(today).time_since_epoch().count() * kDayMs + (now_ms_ - today_ * kDayMs);
            if (s.k == K::kDate) x = s.i * kDayMs;
        }
        if (sign < 0) std::swap(lo, hi);
        return x >= lo && x <= hi;
    }

    std::string_view Keep(std::string s) {
        arena_.push_front(std::move(s));
        return arena_.front();
    }

    static std::int64_t EpochMs(const V& v) { return v.k == K::kDate ? v.i * kDayMs : v.i; }
    static std::int64_t DayOf(const V& v) { return v.k == K::kDate ? v.i : FloorDiv(v.i, kDayMs); }

    static V AddDays(const V& d, std::int64_t n) {
        if (d.null()) return {};
        if (n < -4'000'000 || n > 4'000'000) return {};  // beyond the years 0000-9999
        if (d.k == K::kDate) return V::Date(d.i + n);
        return V::DateTime(d.i + n * kDayMs);
    }

    static V AddMonths(const V& d, std::int64_t n) {
        if (d.null()) return {};
        if (n < -130'000 || n > 130'000) return {};
        std::int64_t day = DayOf(d);
        std::int64_t shifted = AddMonthsClamped(sys_days{days(day)}, n).time_since_epoch().count();
        if (d.k == K::kDate) return V::Date(shifted);
        if (shifted < kMinDay || shifted > kMaxDay) return {};
        return V::DateTime(shifted * kDayMs + (d.i - day * kDayMs));
    }

    V Call(const CheckedExpr& e, const Record& rec) {
        const auto& args = e.children;
        auto arg = [&](std::size_t i) { return Val(args[i], rec); };
        switch (e.function) {
            case Function::kNow:
                return V::DateTime(now_ms_);
            case Function::kToday:
                return V::Date(today_);
            case Function::kDaysAgo: {
                V n = arg(0);
                if (n.null() || n.i == std::numeric_limits<std::int64_t>::min()) return {};
                return AddDays(V::DateTime(now_ms_), -n.i);
            }
            case Function::kAddDays: {
                V d = arg(0), n = arg(1);
                return n.null() ? V{} : AddDays(d, n.i);
            }
            case Function::kAddMonths: {
                V d = arg(0), n = arg(1);
                return n.null() ? V{} : AddMonths(d, n.i);
            }
            case Function::kYear:
            case Function::kMonth:
            case Function::kDay:
            case Function::kWeekday:
            case Function::kAge: {
                V d = arg(0);
                if (d.null()) return {};
                sys_days day{days(DayOf(d))};
                year_month_day ymd(day);
                std::int64_t y = static_cast<int>(ymd.year());
                std::int64_t m = static_cast<unsigned>(ymd.month());
                std::int64_t dd = static_cast<unsigned>(ymd.day());
                switch (e.function) {
                    case Function::kYear:
                        return V::Int(y);
                    case Function::kMonth:
                        return V::Int(m);
                    case Function::kDay:
                        return V::Int(dd);
                    case Function::kWeekday:
                        return V::Int(std::chrono::weekday(day).iso_encoding());
                    default: {
                        year_month_day t{sys_days{days(today_)}};
                        std::int64_t ty = static_cast<int>(t.year());
                        std::int64_t mmdd =
                            static_cast<unsigned>(t.month()) * 100 + static_cast<unsigned>(t.day());
                        return V::Int((ty - y) - (mmdd < m * 100 + dd ? 1 : 0));
                    }
                }
            }
            case Function::kDaysSince: {
                V d = arg(0);
                if (d.null()) return {};
                return V::Int(FloorDiv(now_ms_ - EpochMs(d), kDayMs));
            }
            case Function::kLower:
            case Function::kUpper: {
                V s = arg(0);
                if (s.k != K::kStr) return {};
                std::string out(s.s);
                for (char& c : out) {
                    c = e.function == Function::kLower ? LowerAscii(c) : UpperAscii(c);
                }
                return V::Str(Keep(std::move(out)));
            }
            case Function::kLength: {
                V s = arg(0);
                return s.k == K::kStr ? V::Int(CodePoints(s.s)) : V{};
            }
            case Function::kContains:
            case Function::kStartsWith:
            case Function::kEndsWith: {
                V s = arg(0), t = arg(1);
                if (s.k != K::kStr || t.k != K::kStr) return {};
                if (e.function == Function::kContains) {
                    return V::Bool(s.s.find(t.s) != std::string_view::npos);
                }
                if (e.function == Function::kStartsWith) return V::Bool(s.s.starts_with(t.s));
                return V::Bool(s.s.ends_with(t.s));
            }
            case Function::kTrim: {
                V s = arg(0);
                if (s.k != K::kStr) return {};
                constexpr std::string_view kSpace = " \t\n\r\f\v";
                std::size_t b = s.s.find_first_not_of(kSpace);
                if (b == std::string_view::npos) return V::Str({});
                std::size_t last = s.s.find_last_not_of(kSpace);
                return V::Str(s.s.substr(b, last - b + 1));
            }
            case Function::kEmailDomain: {
                V s = arg(0);
                if (s.k != K::kStr) return {};
                std::size_t at = s.s.rfind('@');
                if (at == std::string_view::npos) return {};
                std::string_view after = s.s.substr(at + 1);
                bool has_upper = false;
                for (char c : after) has_upper = has_upper || (c >= 'A' && c <= 'Z');
                if (!has_upper) return V::Str(after);
                std::string out(after);
                for (char& c : out) c = LowerAscii(c);
                return V::Str(Keep(std::move(out)));
            }
            case Function::kAbs: {
                V x = arg(0);
                if (x.k == K::kInt) {
                    if (x.i == std::numeric_limits<std::int64_t>::min()) return {};
                    return V::Int(x.i < 0 ? -x.i : x.i);
                }
                return x.k == K::kFloat ? V::Float(std::fabs(x.d)) : V{};
            }
            case Function::kRound:
            case Function::kFloor:
            case Function::kCeil: {
                V x = arg(0);
                if (x.k != K::kFloat) return x;  // integers (and null) pass through
                if (e.function == Function::kRound) return V::Float(std::round(x.d));
                return V::Float(e.function == Function::kFloor ? std::floor(x.d) : std::ceil(x.d));
            }
            case Function::kCoalesce: {
                for (std::size_t i = 0; i < args.size(); ++i) {
                    V v = arg(i);
                    if (v.null()) continue;
                    if (v.k == K::kDate && e.type.kind == ValueType::kDateTime) {
                        return V::DateTime(v.i * kDayMs);
                    }
                    return v;
                }
                return {};
            }
        }
        return {};
    }

    std::int64_t now_ms_;
    std::int64_t today_;  // days since the epoch
    // Text built by lower(), upper(), emailDomain(); a forward_list allocates nothing until
    // used and never moves its strings.
    std::forward_list<std::string> arena_;
};

}  // namespace

Result<bool> Evaluate(const Checked& checked, const Record& record, const Clock& clock) {
    if (checked.root == nullptr) return Fail(Error::InvalidArgument("no root resource"));
    Evaluator evaluator(clock.Now());
    return evaluator.Cond(checked.expr, record);
}

}  // namespace overture::query
