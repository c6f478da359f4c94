#include "query/checked.hpp"

#include <array>
#include <utility>

namespace overture::query {
namespace {

constexpr std::array<std::pair<Function, std::string_view>, 24> kFunctions = {{
    {Function::kNow, "now"},
    {Function::kToday, "today"},
    {Function::kDaysAgo, "daysAgo"},
    {Function::kAddDays, "addDays"},
    {Function::kAddMonths, "addMonths"},
    {Function::kYear, "year"},
    {Function::kMonth, "month"},
    {Function::kDay, "day"},
    {Function::kWeekday, "weekday"},
    {Function::kAge, "age"},
    {Function::kDaysSince, "daysSince"},
    {Function::kLower, "lower"},
    {Function::kUpper, "upper"},
    {Function::kLength, "length"},
    {Function::kContains, "contains"},
    {Function::kStartsWith, "startsWith"},
    {Function::kEndsWith, "endsWith"},
    {Function::kTrim, "trim"},
    {Function::kEmailDomain, "emailDomain"},
    {Function::kAbs, "abs"},
    {Function::kRound, "round"},
    {Function::kFloor, "floor"},
    {Function::kCeil, "ceil"},
    {Function::kCoalesce, "coalesce"},
}};

}  // namespace

std::string_view ValueTypeName(ValueType t) {
    switch (t) {
        case ValueType::kNull:
            return "null";
        case ValueType::kBoolean:
            return "boolean";
        case ValueType::kInteger:
            return "integer";
        case ValueType::kFloat:
            return "float";
        case ValueType::kString:
            return "string";
        case ValueType::kDate:
            return "date";
        case ValueType::kDateTime:
            return "datetime";
        case ValueType::kEnum:
            return "enum";
    }
    return "null";
}

std::string DescribeType(const Type& t) {
    switch (t.kind) {
        case ValueType::kNull:
            return "null";
        case ValueType::kInteger:
        case ValueType::kEnum: {
            std::string out = "an " + std::string(ValueTypeName(t.kind));
            if (t.kind == ValueType::kEnum && t.enum_field != nullptr) {
                out += " (";
                for (std::size_t i = 0; i < t.enum_field->values.size(); ++i) {
                    if (i > 0) out += ", ";
                    out += t.enum_field->values[i].value;
                }
                out += ")";
            }
            return out;
        }
        default:
            return "a " + std::string(ValueTypeName(t.kind));
    }
}

std::string_view FunctionName(Function f) {
    for (const auto& [fn, name] : kFunctions) {
        if (fn == f) return name;
    }
    return "now";
}

std::optional<Function> FindFunction(std::string_view name) {
    for (const auto& [fn, n] : kFunctions) {
        if (n == name) return fn;
    }
    return std::nullopt;
}

const std::vector<std::string>& FunctionNames() {
    static const std::vector<std::string> kNames = [] {
        std::vector<std::string> out;
        for (const auto& [fn, name] : kFunctions) out.emplace_back(name);
        return out;
    }();
    return kNames;
}

}  // namespace overture::query
