#pragma once
// The checked expression: what the resolve and type-check passes (typecheck.hpp) produce and
// what the later passes (normalize, SQL emit, in-memory evaluator) consume. It is the
// contract between the front of the compiler and its back ends:
//
// - Every name is bound to the data model. A field reference holds the schema::Field and the
//   schema::Resource that owns it (so the table is resource->table and the column is
//   field->column), reached from the scope's resource through zero or more many-to-one links
//   (`joins`, each a schema::Link whose foreign key column is link->column). Every 1-N
//   reference (exists, aggregates) holds the reverse link: the N-side resource (`source`) and
//   its many-to-one link back to the scope (`link`, column link->column). No identifier that
//   is not in the registry can appear in a checked expression, so an emitter writes only
//   registry names (quoted) and bound parameters.
// - Every node has its result type (ValueType; enums carry the field that lists their values).
//   The whole expression is kBoolean.
// - Literals are typed values: a string literal compared with (or passed where the signature
//   wants) a date or datetime is already parsed to its canonical text ("2024-01-31",
//   "2024-01-31T10:00:00.000Z") and typed kDate/kDateTime; a string compared with an enum is
//   typed with that enum and is known to be one of its values.
// - Numeric operands may mix kInteger and kFloat (compare as numbers). A kDate operand may meet
//   a kDateTime operand (compare, in, between, coalesce): the date means midnight UTC.
//   Strings may meet enums (compare as text, = != in only). Nothing else mixes.
//
// Children layout per kind (same as ast.hpp, with literals merged into kLiteral):
//   kLiteral kField   none
//   kCall       the arguments; `function`
//   kAggregate  none or [where]; `link` (the 1-N link), `field` (the aggregated field on
//               link.source; absent for count), `aggregate`. `where` is checked in the scope
//               of link.source.
//   kExists     none or [where]; `link`; `where` in the scope of link.source
//   kNot        [operand];  kAnd kOr [two or more operands]
//   kCompare    [left, right]; compare_op
//   kIn         [subject, value...]; negated
//   kBetween    [subject, low, high]; negated
//   kLike       [subject, pattern]; negated
//   kIsEmpty    [subject]; negated
//   kWindow     [subject]; direction, amount, unit
// Field references inside a `where` are relative to link.source (their joins start there).
//
// Lifetime: all schema pointers point into `Checked::model`, which the Checked keeps alive
// (a shared_ptr because the model registry hands out one immutable model to many compiled
// expressions at once). Copies of a CheckedExpr are valid while some Checked holding that
// model lives. Thread-safety: plain immutable values once built; safe to read from any thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "query/ast.hpp"
#include "schema/model.hpp"

namespace overture::query {

enum class ValueType { kNull, kBoolean, kInteger, kFloat, kString, kDate, kDateTime, kEnum };

// "null", "boolean", "integer", "float", "string", "date", "datetime", "enum".
std::string_view ValueTypeName(ValueType t);

struct Type {
    ValueType kind = ValueType::kNull;
    // kEnum: the field whose `values` are the allowed values; nullptr otherwise.
    const schema::Field* enum_field = nullptr;

    friend bool operator==(const Type&, const Type&) = default;
};

// "an integer", "a string", "an enum (bronze, silver, gold)", "null".
std::string DescribeType(const Type& t);

// The fixed function library (docs/query-language.md, "Functions").
enum class Function {
    kNow,
    kToday,
    kDaysAgo,
    kAddDays,
    kAddMonths,
    kYear,
    kMonth,
    kDay,
    kWeekday,
    kAge,
    kDaysSince,
    kLower,
    kUpper,
    kLength,
    kContains,
    kStartsWith,
    kEndsWith,
    kTrim,
    kEmailDomain,
    kAbs,
    kRound,
    kFloor,
    kCeil,
    kCoalesce,
};

std::string_view FunctionName(Function f);  // as written in the language: "daysAgo"
// Exact (case-sensitive) lookup; nullopt for anything else.
std::optional<Function> FindFunction(std::string_view name);
// Every function name, in the order of the enum (for suggestions and docs).
const std::vector<std::string>& FunctionNames();

// One many-to-one step: from `from`, through `link` (a foreign key on `from`), to `to`.
struct Join {
    const schema::Resource* from = nullptr;
    const schema::Link* link = nullptr;
    const schema::Resource* to = nullptr;
};

// A field reached from the scope's resource: scope -joins...-> resource.field.
struct FieldRef {
    std::vector<Join> joins;                     // empty: a field of the scope's resource
    const schema::Resource* resource = nullptr;  // owns `field`; the scope's when joins is empty
    const schema::Field* field = nullptr;
};

// A 1-N link reached from the scope's resource: scope -joins...-> target, then the records of
// `source` whose `link` points at target (profile.purchases: source = purchase, link =
// purchase.profile, column x_profile_id).
struct LinkRef {
    std::vector<Join> joins;                   // many-to-one steps before the 1-N link
    std::string name;                          // the reverse name: "purchases"
    const schema::Resource* target = nullptr;  // the "1" side (the scope's unless joins)
    const schema::Resource* source = nullptr;  // the "N" side
    const schema::Link* link = nullptr;        // source's link to target
};

enum class CheckedKind {
    kLiteral,
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

// kNull: monostate; kBoolean: bool; kInteger: int64; kFloat: double; kString, kEnum, kDate,
// kDateTime: std::string (dates in canonical form).
using LiteralValue = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

struct CheckedExpr {
    CheckedKind kind = CheckedKind::kLiteral;
    Type type;
    Span span;                           // of the source node, for later passes' errors
    LiteralValue value;                  // kLiteral
    std::optional<FieldRef> field;       // kField; kAggregate except count
    std::optional<LinkRef> link;         // kExists, kAggregate
    Function function = Function::kNow;  // kCall
    AggregateFn aggregate = AggregateFn::kCount;
    CompareOp compare_op = CompareOp::kEq;
    bool negated = false;  // kIn kBetween kLike kIsEmpty
    WindowDirection direction = WindowDirection::kLast;
    std::int64_t amount = 0;
    WindowUnit unit = WindowUnit::kDays;
    std::vector<CheckedExpr> children;

    // kExists and kAggregate: the filter, or nullptr.
    const CheckedExpr* where() const { return children.empty() ? nullptr : &children.front(); }
};

struct Checked {
    // Keeps every schema pointer of `expr` valid; shared with the model registry.
    std::shared_ptr<const schema::Model> model;
    const schema::Resource* root = nullptr;  // the resource the expression selects (profile)
    CheckedExpr expr;                        // type kBoolean
};

}  // namespace overture::query
