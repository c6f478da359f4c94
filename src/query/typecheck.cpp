// One recursive walk over the AST (depth bounded by the front ends' limits). Each node is
// checked after its children; a string literal that meets a date or an enum is rewritten in
// place (parsed or validated) by Coerce, so later passes see typed values only.
#include "query/typecheck.hpp"

#include <fmt/format.h>

#include "query/printer.hpp"
#include "query/resolve.hpp"
#include "schema/dates.hpp"

namespace overture::query {
namespace {

bool IsNumeric(ValueType t) { return t == ValueType::kInteger || t == ValueType::kFloat; }
bool IsDateLike(ValueType t) { return t == ValueType::kDate || t == ValueType::kDateTime; }
bool IsText(ValueType t) { return t == ValueType::kString || t == ValueType::kEnum; }

Type FieldValueType(const schema::Field& f) {
    switch (f.type) {
        case schema::FieldType::kString:
        case schema::FieldType::kText:
            return {ValueType::kString, nullptr};
        case schema::FieldType::kInteger:
            return {ValueType::kInteger, nullptr};
        case schema::FieldType::kFloat:
            return {ValueType::kFloat, nullptr};
        case schema::FieldType::kBoolean:
            return {ValueType::kBoolean, nullptr};
        case schema::FieldType::kDate:
            return {ValueType::kDate, nullptr};
        case schema::FieldType::kDateTime:
            return {ValueType::kDateTime, nullptr};
        case schema::FieldType::kEnum:
            return {ValueType::kEnum, &f};
    }
    return {};
}

bool IsStringLiteral(const CheckedExpr& e) {
    return e.kind == CheckedKind::kLiteral && e.type.kind == ValueType::kString;
}

// The source of a node for messages, cut to a readable length.
std::string Show(const Expr& e) {
    std::string text = Print(e);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

CheckedExpr Node(CheckedKind kind, ValueType type, const Expr& e) {
    CheckedExpr out;
    out.kind = kind;
    out.type = Type{type, nullptr};
    out.span = e.span();
    return out;
}

CheckedExpr Literal(const Expr& e, ValueType type, LiteralValue value) {
    CheckedExpr out = Node(CheckedKind::kLiteral, type, e);
    out.value = std::move(value);
    return out;
}

enum class Param { kDate, kInteger, kNumber, kText };

std::string_view ParamText(Param p) {
    switch (p) {
        case Param::kDate:
            return "a date or datetime";
        case Param::kInteger:
            return "an integer";
        case Param::kNumber:
            return "a number";
        case Param::kText:
            return "a string";
    }
    return "";
}

bool Accepts(Param p, ValueType t) {
    switch (p) {
        case Param::kDate:
            return IsDateLike(t);
        case Param::kInteger:
            return t == ValueType::kInteger;
        case Param::kNumber:
            return IsNumeric(t);
        case Param::kText:
            return IsText(t);
    }
    return false;
}

class Checker {
  public:
    Checker(const schema::Model& model, std::string_view source) : resolver_(model, source) {}

    Result<CheckedExpr> Visit(const Expr& e, const schema::Resource& scope, bool root);
    // Visit, then require a boolean (operands of and/or/not, filters, the whole expression).
    Result<CheckedExpr> Condition(const Expr& e, const schema::Resource& scope, bool root);

  private:
    Status Coerce(CheckedExpr& literal, const Type& to, std::string_view subject) const;
    Status Compatible(const Expr& ea, CheckedExpr& a, const Expr& eb, CheckedExpr& b, bool ordering,
                      const Span& at) const;
    Result<CheckedExpr> Call(const Expr& e, const schema::Resource& scope, bool root);
    Result<CheckedExpr> Coalesce(const Expr& e, CheckedExpr out);
    Result<CheckedExpr> Aggregate(const Expr& e, const schema::Resource& scope, bool root);
    Result<CheckedExpr> Exists(const Expr& e, const schema::Resource& scope, bool root);

    Resolver resolver_;
};

Status Checker::Coerce(CheckedExpr& literal, const Type& to, std::string_view subject) const {
    auto& text = std::get<std::string>(literal.value);
    std::string quoted = QuoteString(text);
    if (to.kind == ValueType::kDate || to.kind == ValueType::kDateTime) {
        bool date = to.kind == ValueType::kDate;
        auto parsed = date ? schema::ParseIsoDate(text) : schema::ParseIsoDateTime(text);
        if (!parsed) {
            return Fail(resolver_.ErrorAt(
                literal.span,
                fmt::format("{} is not a valid {} for {} ({}): {}", quoted,
                            date ? "date" : "datetime", subject,
                            date ? "YYYY-MM-DD" : "YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD",
                            parsed.error().message)));
        }
        text = *parsed;
    } else if (to.kind == ValueType::kEnum) {
        if (to.enum_field->FindValue(text) == nullptr) {
            std::string allowed;
            for (const auto& v : to.enum_field->values) {
                if (!allowed.empty()) allowed += ", ";
                allowed += QuoteString(v.value);
            }
            return Fail(resolver_.ErrorAt(
                literal.span, fmt::format("{} is not a value of {}; allowed values: {}", quoted,
                                          subject, allowed)));
        }
    }
    literal.type = to;
    return {};
}

Status Checker::Compatible(const Expr& ea, CheckedExpr& a, const Expr& eb, CheckedExpr& b,
                           bool ordering, const Span& at) const {
    if (a.type.kind == ValueType::kNull || b.type.kind == ValueType::kNull) {
        const Expr& other = a.type.kind == ValueType::kNull ? eb : ea;
        return Fail(resolver_.ErrorAt(
            at, fmt::format("cannot compare with null; write '{} is empty' instead", Show(other))));
    }
    auto special = [](ValueType t) { return IsDateLike(t) || t == ValueType::kEnum; };
    if (IsStringLiteral(b) && special(a.type.kind)) {
        if (auto st = Coerce(b, a.type, Show(ea)); !st) return st;
    } else if (IsStringLiteral(a) && special(b.type.kind)) {
        if (auto st = Coerce(a, b.type, Show(eb)); !st) return st;
    }
    ValueType x = a.type.kind;
    ValueType y = b.type.kind;
    bool ok = (IsNumeric(x) && IsNumeric(y)) || (IsDateLike(x) && IsDateLike(y)) ||
              (IsText(x) && IsText(y)) || (x == ValueType::kBoolean && y == ValueType::kBoolean);
    if (!ok) {
        return Fail(resolver_.ErrorAt(
            at, fmt::format("{} is {} and cannot be compared with {} ({})", Show(ea),
                            DescribeType(a.type), Show(eb), DescribeType(b.type))));
    }
    if (ordering) {
        for (const auto* side : {&a, &b}) {
            ValueType t = side->type.kind;
            if (t == ValueType::kBoolean || t == ValueType::kEnum) {
                const Expr& which = side == &a ? ea : eb;
                return Fail(resolver_.ErrorAt(
                    at, fmt::format("{} is {}; <, <=, >, >= and between only apply to numbers, "
                                    "strings and dates (use = or in)",
                                    Show(which), DescribeType(side->type))));
            }
        }
    }
    return {};
}

Result<CheckedExpr> Checker::Condition(const Expr& e, const schema::Resource& scope, bool root) {
    auto out = Visit(e, scope, root);
    if (!out) return out;
    if (out->type.kind != ValueType::kBoolean) {
        return Fail(resolver_.ErrorAt(
            e.span(), fmt::format("{} is {}, not a condition; compare it with a value", Show(e),
                                  DescribeType(out->type))));
    }
    return out;
}

Result<CheckedExpr> Checker::Visit(const Expr& e, const schema::Resource& scope, bool root) {
    const auto& kids = e.children();
    switch (e.kind()) {
        case ExprKind::kNull:
            return Literal(e, ValueType::kNull, std::monostate{});
        case ExprKind::kBool:
            return Literal(e, ValueType::kBoolean, e.bool_value());
        case ExprKind::kInteger:
            return Literal(e, ValueType::kInteger, e.int_value());
        case ExprKind::kDecimal:
            return Literal(e, ValueType::kFloat, e.decimal_value());
        case ExprKind::kString:
            return Literal(e, ValueType::kString, e.string_value());
        case ExprKind::kField: {
            auto ref = resolver_.ResolveField(scope, root, e.path(), e.span());
            if (!ref) return Fail(std::move(ref.error()));
            CheckedExpr out = Node(CheckedKind::kField, ValueType::kNull, e);
            out.type = FieldValueType(*ref->field);
            out.field = std::move(*ref);
            return out;
        }
        case ExprKind::kCall:
            return Call(e, scope, root);
        case ExprKind::kAggregate:
            return Aggregate(e, scope, root);
        case ExprKind::kExists:
            return Exists(e, scope, root);
        case ExprKind::kNot:
        case ExprKind::kAnd:
        case ExprKind::kOr: {
            CheckedKind kind = e.kind() == ExprKind::kNot   ? CheckedKind::kNot
                               : e.kind() == ExprKind::kAnd ? CheckedKind::kAnd
                                                            : CheckedKind::kOr;
            CheckedExpr out = Node(kind, ValueType::kBoolean, e);
            for (const auto& kid : kids) {
                auto c = Condition(kid, scope, root);
                if (!c) return c;
                out.children.push_back(std::move(*c));
            }
            return out;
        }
        default:
            break;
    }
    // Predicates: the subject first, then the right-hand side.
    std::vector<CheckedExpr> operands;
    for (const auto& kid : kids) {
        auto c = Visit(kid, scope, root);
        if (!c) return c;
        operands.push_back(std::move(*c));
    }
    CheckedExpr out = Node(CheckedKind::kCompare, ValueType::kBoolean, e);
    out.negated = e.negated();
    switch (e.kind()) {
        case ExprKind::kCompare: {
            out.compare_op = e.compare_op();
            bool ordering = e.compare_op() != CompareOp::kEq && e.compare_op() != CompareOp::kNe;
            if (auto st =
                    Compatible(kids[0], operands[0], kids[1], operands[1], ordering, e.span());
                !st) {
                return Fail(std::move(st.error()));
            }
            out.negated = false;
            break;
        }
        case ExprKind::kIn:
            out.kind = CheckedKind::kIn;
            for (std::size_t i = 1; i < operands.size(); ++i) {
                if (auto st = Compatible(kids[0], operands[0], kids[i], operands[i], false,
                                         kids[i].span());
                    !st) {
                    return Fail(std::move(st.error()));
                }
            }
            break;
        case ExprKind::kBetween:
            out.kind = CheckedKind::kBetween;
            for (std::size_t i = 1; i < 3; ++i) {
                if (auto st = Compatible(kids[0], operands[0], kids[i], operands[i], true,
                                         kids[i].span());
                    !st) {
                    return Fail(std::move(st.error()));
                }
            }
            break;
        case ExprKind::kLike:
            out.kind = CheckedKind::kLike;
            for (std::size_t i = 0; i < 2; ++i) {
                if (operands[i].type.kind != ValueType::kString) {
                    return Fail(resolver_.ErrorAt(
                        kids[i].span(),
                        fmt::format("like only applies to strings; {} is {}", Show(kids[i]),
                                    DescribeType(operands[i].type))));
                }
            }
            break;
        case ExprKind::kIsEmpty:
            out.kind = CheckedKind::kIsEmpty;
            if (operands[0].kind == CheckedKind::kLiteral ||
                (operands[0].kind == CheckedKind::kAggregate &&
                 operands[0].aggregate == AggregateFn::kCount)) {
                return Fail(resolver_.ErrorAt(
                    kids[0].span(), fmt::format("{} is never empty; 'is empty' applies to fields, "
                                                "function calls and sum/avg/min/max",
                                                Show(kids[0]))));
            }
            break;
        case ExprKind::kWindow:
            out.kind = CheckedKind::kWindow;
            out.direction = e.direction();
            out.amount = e.amount();
            out.unit = e.unit();
            if (!IsDateLike(operands[0].type.kind)) {
                return Fail(resolver_.ErrorAt(
                    e.span(), fmt::format("in {} {} {} only applies to dates and datetimes; {} "
                                          "is {}",
                                          WindowDirectionName(e.direction()), e.amount(),
                                          WindowUnitName(e.unit()), Show(kids[0]),
                                          DescribeType(operands[0].type))));
            }
            break;
        default:
            return Fail(resolver_.ErrorAt(e.span(), "unsupported expression"));
    }
    out.children = std::move(operands);
    return out;
}

Result<CheckedExpr> Checker::Call(const Expr& e, const schema::Resource& scope, bool root) {
    auto fn = resolver_.ResolveFunction(e.name(), e.span());
    if (!fn) return Fail(std::move(fn.error()));
    CheckedExpr out = Node(CheckedKind::kCall, ValueType::kNull, e);
    out.function = *fn;
    for (const auto& kid : e.children()) {
        auto c = Visit(kid, scope, root);
        if (!c) return c;
        out.children.push_back(std::move(*c));
    }
    if (*fn == Function::kCoalesce) return Coalesce(e, std::move(out));

    std::vector<Param> params;
    ValueType result = ValueType::kNull;
    switch (*fn) {
        case Function::kNow:
            result = ValueType::kDateTime;
            break;
        case Function::kToday:
            result = ValueType::kDate;
            break;
        case Function::kDaysAgo:
            params = {Param::kInteger};
            result = ValueType::kDateTime;
            break;
        case Function::kAddDays:
        case Function::kAddMonths:
            params = {Param::kDate, Param::kInteger};
            break;
        case Function::kYear:
        case Function::kMonth:
        case Function::kDay:
        case Function::kWeekday:
        case Function::kAge:
        case Function::kDaysSince:
            params = {Param::kDate};
            result = ValueType::kInteger;
            break;
        case Function::kLower:
        case Function::kUpper:
        case Function::kTrim:
        case Function::kEmailDomain:
            params = {Param::kText};
            result = ValueType::kString;
            break;
        case Function::kLength:
            params = {Param::kText};
            result = ValueType::kInteger;
            break;
        case Function::kContains:
        case Function::kStartsWith:
        case Function::kEndsWith:
            params = {Param::kText, Param::kText};
            result = ValueType::kBoolean;
            break;
        case Function::kAbs:
        case Function::kRound:
        case Function::kFloor:
        case Function::kCeil:
            params = {Param::kNumber};
            break;
        case Function::kCoalesce:
            break;
    }
    std::string_view name = FunctionName(*fn);
    if (out.children.size() != params.size()) {
        return Fail(resolver_.ErrorAt(
            e.span(), fmt::format("{}() takes {} argument{}, not {}", name, params.size(),
                                  params.size() == 1 ? "" : "s", out.children.size())));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        CheckedExpr& arg = out.children[i];
        if (params[i] == Param::kDate && IsStringLiteral(arg)) {
            const auto& text = std::get<std::string>(arg.value);
            Type to{schema::ParseIsoDate(text) ? ValueType::kDate : ValueType::kDateTime, nullptr};
            if (auto st = Coerce(arg, to, fmt::format("{}()", name)); !st) {
                return Fail(std::move(st.error()));
            }
        }
        if (!Accepts(params[i], arg.type.kind)) {
            return Fail(resolver_.ErrorAt(
                arg.span,
                fmt::format("argument {} of {}() must be {}; {} is {}", i + 1, name,
                            ParamText(params[i]), Show(e.children()[i]), DescribeType(arg.type))));
        }
    }
    if (result == ValueType::kNull) {
        out.type = Type{out.children[0].type.kind, nullptr};  // addDays/addMonths, abs..ceil
    } else {
        out.type = Type{result, nullptr};
    }
    return out;
}

Result<CheckedExpr> Checker::Coalesce(const Expr& e, CheckedExpr out) {
    if (out.children.size() < 2) {
        return Fail(resolver_.ErrorAt(
            e.span(),
            fmt::format("coalesce() takes at least 2 arguments, not {}", out.children.size())));
    }
    // First the typed arguments (fields, calls, numbers...), then string literals, which take
    // the common type when it is a date or an enum.
    Type common;
    bool have = false;
    for (std::size_t i = 0; i < out.children.size(); ++i) {
        const CheckedExpr& arg = out.children[i];
        if (arg.type.kind == ValueType::kNull || IsStringLiteral(arg)) continue;
        Type t = arg.type;
        if (!have) {
            common = t;
            have = true;
            continue;
        }
        if (t == common) continue;
        if (IsNumeric(t.kind) && IsNumeric(common.kind)) {
            common = Type{ValueType::kFloat, nullptr};
        } else if (IsDateLike(t.kind) && IsDateLike(common.kind)) {
            common = Type{ValueType::kDateTime, nullptr};
        } else if (IsText(t.kind) && IsText(common.kind)) {
            common = Type{ValueType::kString, nullptr};
        } else {
            return Fail(resolver_.ErrorAt(
                arg.span,
                fmt::format("coalesce() needs arguments of one type; {} is {} but the "
                            "arguments before it are {}",
                            Show(e.children()[i]), DescribeType(t), DescribeType(common))));
        }
    }
    for (std::size_t i = 0; i < out.children.size(); ++i) {
        CheckedExpr& arg = out.children[i];
        if (!IsStringLiteral(arg)) continue;
        if (!have) {
            common = Type{ValueType::kString, nullptr};
            have = true;
        }
        if (IsDateLike(common.kind) || common.kind == ValueType::kEnum) {
            if (auto st = Coerce(arg, common, "coalesce()"); !st)
                return Fail(std::move(st.error()));
        } else if (common.kind != ValueType::kString) {
            return Fail(resolver_.ErrorAt(
                arg.span, fmt::format("coalesce() needs arguments of one type; {} is a string "
                                      "but the other arguments are {}",
                                      Show(e.children()[i]), DescribeType(common))));
        }
    }
    if (!have) {
        return Fail(resolver_.ErrorAt(e.span(), "coalesce() needs an argument that is not null"));
    }
    out.type = common;
    return out;
}

Result<CheckedExpr> Checker::Aggregate(const Expr& e, const schema::Resource& scope, bool root) {
    std::string_view name = AggregateName(e.aggregate());
    auto link = resolver_.ResolveLink(scope, root, e.path(), e.span());
    if (!link) return Fail(std::move(link.error()));
    CheckedExpr out = Node(CheckedKind::kAggregate, ValueType::kInteger, e);
    out.aggregate = e.aggregate();
    if (e.aggregate() == AggregateFn::kCount) {
        if (!e.name().empty()) {
            return Fail(resolver_.ErrorAt(
                e.span(), fmt::format("count() takes a 1-N link, not a field: count({})",
                                      JoinPath(e.path()))));
        }
    } else {
        if (e.name().empty()) {
            return Fail(resolver_.ErrorAt(
                e.span(), fmt::format("{}() needs a field of the linked records: {}({}.<field>)",
                                      name, name, JoinPath(e.path()))));
        }
        auto field = resolver_.ResolveAggregateField(*link, e.name(), e.span());
        if (!field) return Fail(std::move(field.error()));
        Type t = FieldValueType(*field->field);
        bool ok = IsNumeric(t.kind);
        if (e.aggregate() == AggregateFn::kMin || e.aggregate() == AggregateFn::kMax) {
            ok = ok || IsDateLike(t.kind) || t.kind == ValueType::kString;
        }
        if (!ok) {
            return Fail(resolver_.ErrorAt(
                e.span(),
                fmt::format("{}() needs {}; {}.{} is {}", name,
                            e.aggregate() == AggregateFn::kMin || e.aggregate() == AggregateFn::kMax
                                ? "a number, date, datetime or string field"
                                : "a number field",
                            JoinPath(e.path()), e.name(), DescribeType(t))));
        }
        out.type = e.aggregate() == AggregateFn::kAvg ? Type{ValueType::kFloat, nullptr} : t;
        out.field = std::move(*field);
    }
    if (const Expr* where = e.where()) {
        auto c = Condition(*where, *link->source, false);
        if (!c) return c;
        out.children.push_back(std::move(*c));
    }
    out.link = std::move(*link);
    return out;
}

Result<CheckedExpr> Checker::Exists(const Expr& e, const schema::Resource& scope, bool root) {
    auto link = resolver_.ResolveLink(scope, root, e.path(), e.span());
    if (!link) return Fail(std::move(link.error()));
    CheckedExpr out = Node(CheckedKind::kExists, ValueType::kBoolean, e);
    if (const Expr* where = e.where()) {
        auto c = Condition(*where, *link->source, false);
        if (!c) return c;
        out.children.push_back(std::move(*c));
    }
    out.link = std::move(*link);
    return out;
}

}  // namespace

Result<Checked> Check(const Expr& expr, std::shared_ptr<const schema::Model> model,
                      std::string_view root_resource, std::string_view source) {
    if (!model) return Fail(Error::InvalidArgument("no data model"));
    const schema::Resource* root = model->Find(root_resource);
    if (root == nullptr) {
        return Fail(Error::InvalidArgument(
            fmt::format("unknown resource '{}' for an expression", root_resource)));
    }
    Checker checker(*model, source);
    auto checked = checker.Condition(expr, *root, true);
    if (!checked) return Fail(std::move(checked.error()));
    return Checked{std::move(model), root, std::move(*checked)};
}

}  // namespace overture::query
