// Each node has a precedence level (or 1, and 2, not 3, predicates 4, operands 5); a child is
// parenthesized when its level is below what its position needs, which is the grammar's own
// rule read backwards, so the output parses to the same tree.
#include "query/printer.hpp"

#include <charconv>

namespace overture::query {
namespace {

constexpr int kLevelOr = 1;
constexpr int kLevelAnd = 2;
constexpr int kLevelNot = 3;
constexpr int kLevelPredicate = 4;
constexpr int kLevelOperand = 5;

int Level(const Expr& e) {
    switch (e.kind()) {
        case ExprKind::kOr:
            return kLevelOr;
        case ExprKind::kAnd:
            return kLevelAnd;
        case ExprKind::kNot:
            return kLevelNot;
        case ExprKind::kCompare:
        case ExprKind::kIn:
        case ExprKind::kBetween:
        case ExprKind::kLike:
        case ExprKind::kIsEmpty:
        case ExprKind::kWindow:
            return kLevelPredicate;
        default:
            return kLevelOperand;
    }
}

std::string PrintDecimal(double value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    std::string text(buffer, ec == std::errc() ? end : buffer);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
}

void PrintTo(const Expr& e, int min_level, std::string& out);

void PrintList(const std::vector<Expr>& items, std::size_t from, std::string& out) {
    for (std::size_t i = from; i < items.size(); ++i) {
        if (i > from) out += ", ";
        PrintTo(items[i], 0, out);
    }
}

void PrintNode(const Expr& e, std::string& out) {
    const std::vector<Expr>& c = e.children();
    switch (e.kind()) {
        case ExprKind::kNull:
            out += "null";
            return;
        case ExprKind::kBool:
            out += e.bool_value() ? "true" : "false";
            return;
        case ExprKind::kInteger:
            out += std::to_string(e.int_value());
            return;
        case ExprKind::kDecimal:
            out += PrintDecimal(e.decimal_value());
            return;
        case ExprKind::kString:
            out += QuoteString(e.string_value());
            return;
        case ExprKind::kField:
            out += JoinPath(e.path());
            return;
        case ExprKind::kCall:
            out += e.name();
            out += '(';
            PrintList(c, 0, out);
            out += ')';
            return;
        case ExprKind::kAggregate:
            out += AggregateName(e.aggregate());
            out += '(';
            out += JoinPath(e.path());
            if (!e.name().empty()) out += "." + e.name();
            if (e.where()) {
                out += " where ";
                PrintTo(*e.where(), 0, out);
            }
            out += ')';
            return;
        case ExprKind::kExists:
            out += "exists ";
            out += JoinPath(e.path());
            if (e.where()) {
                out += " where (";
                PrintTo(*e.where(), 0, out);
                out += ')';
            }
            return;
        case ExprKind::kNot:
            out += "not ";
            PrintTo(c[0], kLevelNot, out);
            return;
        case ExprKind::kAnd:
        case ExprKind::kOr: {
            bool is_and = e.kind() == ExprKind::kAnd;
            for (std::size_t i = 0; i < c.size(); ++i) {
                if (i > 0) out += is_and ? " and " : " or ";
                PrintTo(c[i], is_and ? kLevelNot : kLevelAnd, out);
            }
            return;
        }
        case ExprKind::kCompare:
            PrintTo(c[0], kLevelOperand, out);
            out += ' ';
            out += CompareOpText(e.compare_op());
            out += ' ';
            PrintTo(c[1], kLevelOperand, out);
            return;
        case ExprKind::kIn:
            PrintTo(c[0], kLevelOperand, out);
            out += e.negated() ? " not in (" : " in (";
            PrintList(c, 1, out);
            out += ')';
            return;
        case ExprKind::kBetween:
            PrintTo(c[0], kLevelOperand, out);
            out += e.negated() ? " not between " : " between ";
            PrintTo(c[1], kLevelOperand, out);
            out += " and ";
            PrintTo(c[2], kLevelOperand, out);
            return;
        case ExprKind::kLike:
            PrintTo(c[0], kLevelOperand, out);
            out += e.negated() ? " not like " : " like ";
            PrintTo(c[1], kLevelOperand, out);
            return;
        case ExprKind::kIsEmpty:
            PrintTo(c[0], kLevelOperand, out);
            out += e.negated() ? " is not empty" : " is empty";
            return;
        case ExprKind::kWindow: {
            PrintTo(c[0], kLevelOperand, out);
            out += " in ";
            out += WindowDirectionName(e.direction());
            out += ' ';
            out += std::to_string(e.amount());
            out += ' ';
            std::string_view unit = WindowUnitName(e.unit());
            out += e.amount() == 1 ? unit.substr(0, unit.size() - 1) : unit;
            return;
        }
    }
}

void PrintTo(const Expr& e, int min_level, std::string& out) {
    if (Level(e) < min_level) {
        out += '(';
        PrintNode(e, out);
        out += ')';
    } else {
        PrintNode(e, out);
    }
}

}  // namespace

std::string QuoteString(std::string_view value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (u < 0x20 || u == 0x7F) {
                    out += "\\u00";
                    out += kHex[u >> 4];
                    out += kHex[u & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

std::string Print(const Expr& expr) {
    std::string out;
    PrintTo(expr, 0, out);
    return out;
}

}  // namespace overture::query
