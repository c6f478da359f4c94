#pragma once
// The one AST of the expression language (docs/query-language.md). Both front ends (text:
// parser.hpp, JSON: json_codec.hpp) build it, and every later pass (resolve, type-check,
// normalize, SQL emit, evaluator) reads it.
//
// An Expr is a plain value: built by the static factories below, immutable afterwards, deep
// copyable, safe to share between threads for reading. Children are held by value in a
// std::vector<Expr> (not unique_ptr, not an arena): trees are small (bounded by the parser's
// limits), copying a tree is a rare and cheap operation, and value semantics give a defaulted
// lifetime, copying and structural equality without any pointer bookkeeping.
//
// The tree's depth is bounded by both front ends (kMaxNesting for text, kMaxTreeDepth for
// JSON), so recursive passes over it cannot overflow the stack.
//
// Children layout per kind (children()):
//   kNull kBool kInteger kDecimal kString kField   none
//   kCall       the arguments; name() is the function name as written
//   kAggregate  none, or [where]; path() is the link, name() the aggregated field ("" for count)
//   kExists     none, or [where]; path() is the link
//   kNot        [operand]
//   kAnd kOr    [two or more operands], never directly nested in the same kind
//   kCompare    [left, right]; compare_op()
//   kIn         [subject, value...] (at least one value); negated() for `not in`
//   kBetween    [subject, low, high]; negated() for `not between`
//   kLike       [subject, pattern]; negated() for `not like`
//   kIsEmpty    [subject]; negated() for `is not empty`
//   kWindow     [subject]; direction(), amount(), unit(): `createdAt in last 7 days`
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace overture::query {

// Limits shared by the two front ends. Each violation is a kInvalidArgument, never a crash.
inline constexpr std::size_t kMaxInputBytes = 64 * 1024;  // text form
inline constexpr int kMaxNesting = 64;                 // text: parentheses, calls, `not`, `where`
inline constexpr int kMaxTreeDepth = 6 * kMaxNesting;  // JSON: node depth (covers all of text)
inline constexpr std::size_t kMaxListItems = 10'000;   // `in` lists, call arguments, and/or
inline constexpr std::size_t kMaxStringBytes = 4 * 1024;   // one string literal, decoded
inline constexpr std::int64_t kMaxWindowAmount = 100'000;  // `in last N days`, 1..N

// Where a node came from in the text form: 1-based line and column (column counts Unicode
// code points), 0-based byte offset and byte length. Nodes built from JSON have a zero span.
struct Span {
    int line = 0;
    int column = 0;
    std::size_t offset = 0;
    std::size_t length = 0;
};

enum class ExprKind {
    kNull,
    kBool,
    kInteger,
    kDecimal,
    kString,
    kField,
    kCall,
    kAggregate,
    kExists,
    kNot,
    kAnd,
    kOr,
    kCompare,
    kIn,
    kBetween,
    kLike,
    kIsEmpty,
    kWindow,
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };
enum class AggregateFn { kCount, kSum, kAvg, kMin, kMax };
enum class WindowDirection { kLast, kNext };
enum class WindowUnit { kDays, kWeeks, kMonths, kYears };

std::string_view CompareOpText(CompareOp op);  // "=", "!=", "<", "<=", ">", ">="
std::optional<CompareOp> ParseCompareOp(std::string_view text);
std::string_view AggregateName(AggregateFn fn);                        // "count", "sum", ...
std::optional<AggregateFn> ParseAggregateName(std::string_view name);  // case-insensitive
std::string_view WindowDirectionName(WindowDirection d);               // "last", "next"
std::string_view WindowUnitName(WindowUnit u);                     // plural: "days", "weeks", ...
std::optional<WindowUnit> ParseWindowUnit(std::string_view name);  // singular or plural, any case

// Reserved words cannot be identifiers (field path segments, function names):
// and or not in between like is empty exists where true false null (any case).
bool IsReservedWord(std::string_view word);
// [A-Za-z_][A-Za-z0-9_]*, not reserved. Aggregate names are identifiers (a field may be
// called `count`); they are only special in front of '('.
bool IsValidIdentifier(std::string_view word);

class Expr {
  public:
    static Expr Null(Span span = {});
    static Expr Bool(bool value, Span span = {});
    static Expr Integer(std::int64_t value, Span span = {});
    static Expr Decimal(double value, Span span = {});  // finite values only
    static Expr String(std::string value, Span span = {});
    static Expr Field(std::vector<std::string> path, Span span = {});
    static Expr Call(std::string name, std::vector<Expr> args, Span span = {});
    // `field` is empty for count and required for the others (not checked here).
    static Expr Aggregate(AggregateFn fn, std::vector<std::string> link, std::string field,
                          std::optional<Expr> where, Span span = {});
    static Expr Exists(std::vector<std::string> link, std::optional<Expr> where, Span span = {});
    static Expr Not(Expr operand, Span span = {});
    // Flattens operands of the same kind; one operand is returned as is. Needs >= 1 operand.
    static Expr And(std::vector<Expr> operands, Span span = {});
    static Expr Or(std::vector<Expr> operands, Span span = {});
    static Expr Compare(CompareOp op, Expr left, Expr right, Span span = {});
    static Expr In(Expr subject, std::vector<Expr> values, bool negated, Span span = {});
    static Expr Between(Expr subject, Expr low, Expr high, bool negated, Span span = {});
    static Expr Like(Expr subject, Expr pattern, bool negated, Span span = {});
    static Expr IsEmpty(Expr subject, bool negated, Span span = {});
    static Expr Window(Expr subject, WindowDirection direction, std::int64_t amount,
                       WindowUnit unit, Span span = {});

    ExprKind kind() const { return kind_; }
    const Span& span() const { return span_; }
    const std::vector<Expr>& children() const { return children_; }

    bool bool_value() const { return flag_; }                  // kBool
    bool negated() const { return flag_; }                     // kIn kBetween kLike kIsEmpty
    std::int64_t int_value() const { return integer_; }        // kInteger
    std::int64_t amount() const { return integer_; }           // kWindow
    double decimal_value() const { return decimal_; }          // kDecimal
    const std::string& string_value() const { return text_; }  // kString
    const std::string& name() const { return text_; }          // kCall function, kAggregate field
    const std::vector<std::string>& path() const { return path_; }  // kField kExists kAggregate
    CompareOp compare_op() const { return compare_op_; }
    AggregateFn aggregate() const { return aggregate_; }
    WindowDirection direction() const { return direction_; }
    WindowUnit unit() const { return unit_; }
    // kExists and kAggregate: the filter, or nullptr.
    const Expr* where() const { return children_.empty() ? nullptr : &children_.front(); }

    // Structural equality: kinds, values and children; spans are ignored.
    friend bool operator==(const Expr& a, const Expr& b);

  private:
    explicit Expr(ExprKind kind, Span span) : kind_(kind), span_(span) {}
    static Expr Logical(ExprKind kind, std::vector<Expr> operands, Span span);

    ExprKind kind_;
    Span span_;
    bool flag_ = false;
    std::int64_t integer_ = 0;
    double decimal_ = 0;
    std::string text_;
    std::vector<std::string> path_;
    CompareOp compare_op_ = CompareOp::kEq;
    AggregateFn aggregate_ = AggregateFn::kCount;
    WindowDirection direction_ = WindowDirection::kLast;
    WindowUnit unit_ = WindowUnit::kDays;
    std::vector<Expr> children_;
};

// "purchases.amount".
std::string JoinPath(const std::vector<std::string>& path);

}  // namespace overture::query
