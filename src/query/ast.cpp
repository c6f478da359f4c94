#include "query/ast.hpp"

#include <array>
#include <utility>

namespace overture::query {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

constexpr std::array<std::string_view, 6> kCompareOps = {"=", "!=", "<", "<=", ">", ">="};
constexpr std::array<std::string_view, 5> kAggregates = {"count", "sum", "avg", "min", "max"};
constexpr std::array<std::string_view, 4> kUnits = {"days", "weeks", "months", "years"};
constexpr std::array<std::string_view, 13> kReserved = {
    "and",   "or",     "not",   "in",   "between", "like", "is",
    "empty", "exists", "where", "true", "false",   "null"};

}  // namespace

std::string_view CompareOpText(CompareOp op) { return kCompareOps[static_cast<int>(op)]; }

std::optional<CompareOp> ParseCompareOp(std::string_view text) {
    for (std::size_t i = 0; i < kCompareOps.size(); ++i) {
        if (kCompareOps[i] == text) return static_cast<CompareOp>(i);
    }
    return std::nullopt;
}

std::string_view AggregateName(AggregateFn fn) { return kAggregates[static_cast<int>(fn)]; }

std::optional<AggregateFn> ParseAggregateName(std::string_view name) {
    for (std::size_t i = 0; i < kAggregates.size(); ++i) {
        if (EqualsIgnoreCase(kAggregates[i], name)) return static_cast<AggregateFn>(i);
    }
    return std::nullopt;
}

std::string_view WindowDirectionName(WindowDirection d) {
    return d == WindowDirection::kLast ? "last" : "next";
}

std::string_view WindowUnitName(WindowUnit u) { return kUnits[static_cast<int>(u)]; }

std::optional<WindowUnit> ParseWindowUnit(std::string_view name) {
    for (std::size_t i = 0; i < kUnits.size(); ++i) {
        std::string_view plural = kUnits[i];
        if (EqualsIgnoreCase(plural, name) ||
            EqualsIgnoreCase(plural.substr(0, plural.size() - 1), name)) {
            return static_cast<WindowUnit>(i);
        }
    }
    return std::nullopt;
}

bool IsReservedWord(std::string_view word) {
    for (std::string_view r : kReserved) {
        if (EqualsIgnoreCase(r, word)) return true;
    }
    return false;
}

bool IsValidIdentifier(std::string_view word) {
    if (word.empty()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = word[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) return false;
    }
    return !IsReservedWord(word);
}

std::string JoinPath(const std::vector<std::string>& path) {
    std::string out;
    for (const std::string& part : path) {
        if (!out.empty()) out += '.';
        out += part;
    }
    return out;
}

Expr Expr::Null(Span span) { return Expr(ExprKind::kNull, span); }

Expr Expr::Bool(bool value, Span span) {
    Expr e(ExprKind::kBool, span);
    e.flag_ = value;
    return e;
}

Expr Expr::Integer(std::int64_t value, Span span) {
    Expr e(ExprKind::kInteger, span);
    e.integer_ = value;
    return e;
}

Expr Expr::Decimal(double value, Span span) {
    Expr e(ExprKind::kDecimal, span);
    e.decimal_ = value;
    return e;
}

Expr Expr::String(std::string value, Span span) {
    Expr e(ExprKind::kString, span);
    e.text_ = std::move(value);
    return e;
}

Expr Expr::Field(std::vector<std::string> path, Span span) {
    Expr e(ExprKind::kField, span);
    e.path_ = std::move(path);
    return e;
}

Expr Expr::Call(std::string name, std::vector<Expr> args, Span span) {
    Expr e(ExprKind::kCall, span);
    e.text_ = std::move(name);
    e.children_ = std::move(args);
    return e;
}

Expr Expr::Aggregate(AggregateFn fn, std::vector<std::string> link, std::string field,
                     std::optional<Expr> where, Span span) {
    Expr e(ExprKind::kAggregate, span);
    e.aggregate_ = fn;
    e.path_ = std::move(link);
    e.text_ = std::move(field);
    if (where) e.children_.push_back(std::move(*where));
    return e;
}

Expr Expr::Exists(std::vector<std::string> link, std::optional<Expr> where, Span span) {
    Expr e(ExprKind::kExists, span);
    e.path_ = std::move(link);
    if (where) e.children_.push_back(std::move(*where));
    return e;
}

Expr Expr::Not(Expr operand, Span span) {
    Expr e(ExprKind::kNot, span);
    e.children_.push_back(std::move(operand));
    return e;
}

Expr Expr::Logical(ExprKind kind, std::vector<Expr> operands, Span span) {
    if (operands.size() == 1) return std::move(operands.front());
    Expr e(kind, span);
    for (Expr& operand : operands) {
        if (operand.kind_ == kind) {
            for (Expr& grandchild : operand.children_) e.children_.push_back(std::move(grandchild));
        } else {
            e.children_.push_back(std::move(operand));
        }
    }
    return e;
}

Expr Expr::And(std::vector<Expr> operands, Span span) {
    return Logical(ExprKind::kAnd, std::move(operands), span);
}

Expr Expr::Or(std::vector<Expr> operands, Span span) {
    return Logical(ExprKind::kOr, std::move(operands), span);
}

Expr Expr::Compare(CompareOp op, Expr left, Expr right, Span span) {
    Expr e(ExprKind::kCompare, span);
    e.compare_op_ = op;
    e.children_.push_back(std::move(left));
    e.children_.push_back(std::move(right));
    return e;
}

Expr Expr::In(Expr subject, std::vector<Expr> values, bool negated, Span span) {
    Expr e(ExprKind::kIn, span);
    e.flag_ = negated;
    e.children_.reserve(values.size() + 1);
    e.children_.push_back(std::move(subject));
    for (Expr& v : values) e.children_.push_back(std::move(v));
    return e;
}

Expr Expr::Between(Expr subject, Expr low, Expr high, bool negated, Span span) {
    Expr e(ExprKind::kBetween, span);
    e.flag_ = negated;
    e.children_.push_back(std::move(subject));
    e.children_.push_back(std::move(low));
    e.children_.push_back(std::move(high));
    return e;
}

Expr Expr::Like(Expr subject, Expr pattern, bool negated, Span span) {
    Expr e(ExprKind::kLike, span);
    e.flag_ = negated;
    e.children_.push_back(std::move(subject));
    e.children_.push_back(std::move(pattern));
    return e;
}

Expr Expr::IsEmpty(Expr subject, bool negated, Span span) {
    Expr e(ExprKind::kIsEmpty, span);
    e.flag_ = negated;
    e.children_.push_back(std::move(subject));
    return e;
}

Expr Expr::Window(Expr subject, WindowDirection direction, std::int64_t amount, WindowUnit unit,
                  Span span) {
    Expr e(ExprKind::kWindow, span);
    e.direction_ = direction;
    e.integer_ = amount;
    e.unit_ = unit;
    e.children_.push_back(std::move(subject));
    return e;
}

bool operator==(const Expr& a, const Expr& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
        case ExprKind::kNull:
            break;
        case ExprKind::kBool:
        case ExprKind::kIn:
        case ExprKind::kBetween:
        case ExprKind::kLike:
        case ExprKind::kIsEmpty:
            if (a.flag_ != b.flag_) return false;
            break;
        case ExprKind::kInteger:
            if (a.integer_ != b.integer_) return false;
            break;
        case ExprKind::kDecimal:
            if (a.decimal_ != b.decimal_) return false;
            break;
        case ExprKind::kString:
        case ExprKind::kCall:
            if (a.text_ != b.text_) return false;
            break;
        case ExprKind::kField:
        case ExprKind::kExists:
            if (a.path_ != b.path_) return false;
            break;
        case ExprKind::kAggregate:
            if (a.aggregate_ != b.aggregate_ || a.path_ != b.path_ || a.text_ != b.text_) {
                return false;
            }
            break;
        case ExprKind::kCompare:
            if (a.compare_op_ != b.compare_op_) return false;
            break;
        case ExprKind::kWindow:
            if (a.direction_ != b.direction_ || a.integer_ != b.integer_ || a.unit_ != b.unit_) {
                return false;
            }
            break;
        case ExprKind::kNot:
        case ExprKind::kAnd:
        case ExprKind::kOr:
            break;
    }
    return a.children_ == b.children_;
}

}  // namespace overture::query
