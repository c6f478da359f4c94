// Decoding walks the JSON once, carrying the JSON path of the node for messages. An object
// with "op" is a predicate: the right-hand keys of that op are taken out, and what remains is
// the left operand (either {"left": node} or the inline keys of a field, call or aggregate).
#include "query/json_codec.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "common/strings.hpp"

namespace overture::query {
namespace json = boost::json;
namespace {

#define QUERY_TRY(var, expr)                                         \
    auto var##_result = (expr);                                      \
    if (!var##_result) return Fail(std::move(var##_result.error())); \
    auto var = std::move(*var##_result)

#define QUERY_CHECK_KEYS(o, path, ...)                           \
    do {                                                         \
        auto keys_ok_ = CheckKeys(o, path, __VA_ARGS__);         \
        if (!keys_ok_) return Fail(std::move(keys_ok_.error())); \
    } while (false)

// ---- encoding ----

json::value Encode(const Expr& e);

json::array EncodeList(const std::vector<Expr>& items, std::size_t from) {
    json::array out;
    for (std::size_t i = from; i < items.size(); ++i) out.push_back(Encode(items[i]));
    return out;
}

json::object EncodeLeft(const Expr& left) {
    if (left.kind() == ExprKind::kField || left.kind() == ExprKind::kCall ||
        left.kind() == ExprKind::kAggregate) {
        return Encode(left).as_object();
    }
    json::object out;
    out["left"] = Encode(left);
    return out;
}

json::value Encode(const Expr& e) {
    const std::vector<Expr>& c = e.children();
    json::object out;
    switch (e.kind()) {
        case ExprKind::kNull:
            return nullptr;
        case ExprKind::kBool:
            return e.bool_value();
        case ExprKind::kInteger:
            return e.int_value();
        case ExprKind::kDecimal:
            return e.decimal_value();
        case ExprKind::kString:
            return json::string(e.string_value());
        case ExprKind::kField:
            out["field"] = JoinPath(e.path());
            return out;
        case ExprKind::kCall:
            out["call"] = e.name();
            out["args"] = EncodeList(c, 0);
            return out;
        case ExprKind::kAggregate:
            out["aggregate"] = AggregateName(e.aggregate());
            out["link"] = JoinPath(e.path());
            if (!e.name().empty()) out["field"] = e.name();
            if (e.where()) out["where"] = Encode(*e.where());
            return out;
        case ExprKind::kExists:
            out["exists"] = JoinPath(e.path());
            if (e.where()) out["where"] = Encode(*e.where());
            return out;
        case ExprKind::kNot:
            out["not"] = Encode(c[0]);
            return out;
        case ExprKind::kAnd:
            out["and"] = EncodeList(c, 0);
            return out;
        case ExprKind::kOr:
            out["or"] = EncodeList(c, 0);
            return out;
        default:
            break;
    }
    out = EncodeLeft(c[0]);
    switch (e.kind()) {
        case ExprKind::kCompare:
            out["op"] = CompareOpText(e.compare_op());
            out["value"] = Encode(c[1]);
            break;
        case ExprKind::kIn:
            out["op"] = e.negated() ? "not in" : "in";
            out["values"] = EncodeList(c, 1);
            break;
        case ExprKind::kBetween:
            out["op"] = e.negated() ? "not between" : "between";
            out["values"] = EncodeList(c, 1);
            break;
        case ExprKind::kLike:
            out["op"] = e.negated() ? "not like" : "like";
            out["value"] = Encode(c[1]);
            break;
        case ExprKind::kIsEmpty:
            out["op"] = e.negated() ? "is not empty" : "is empty";
            break;
        case ExprKind::kWindow:
            out["op"] = e.direction() == WindowDirection::kLast ? "in last" : "in next";
            out["amount"] = e.amount();
            out["unit"] = WindowUnitName(e.unit());
            break;
        default:
            break;
    }
    return out;
}

// ---- decoding ----

std::string Kind(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "a boolean";
        case json::kind::int64:
        case json::kind::uint64:
            return "an integer";
        case json::kind::double_:
            return "a number";
        case json::kind::string:
            return "a string";
        case json::kind::array:
            return "an array";
        case json::kind::object:
            return "an object";
    }
    return "a value";
}

Error JsonError(const std::string& path, const std::string& message) {
    return Error::InvalidArgument(path + ": " + message).With("path", path);
}

std::string Key(const std::string& path, std::string_view key) {
    return path + "." + std::string(key);
}

std::string Index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

// The right-hand keys of each predicate op.
struct OpSpec {
    std::string_view op;
    ExprKind kind;
    std::vector<std::string_view> keys;
};

const std::vector<OpSpec>& OpSpecs() {
    static const std::vector<OpSpec> kSpecs = {
        {"=", ExprKind::kCompare, {"value"}},
        {"!=", ExprKind::kCompare, {"value"}},
        {"<", ExprKind::kCompare, {"value"}},
        {"<=", ExprKind::kCompare, {"value"}},
        {">", ExprKind::kCompare, {"value"}},
        {">=", ExprKind::kCompare, {"value"}},
        {"in", ExprKind::kIn, {"values"}},
        {"not in", ExprKind::kIn, {"values"}},
        {"between", ExprKind::kBetween, {"values"}},
        {"not between", ExprKind::kBetween, {"values"}},
        {"like", ExprKind::kLike, {"value"}},
        {"not like", ExprKind::kLike, {"value"}},
        {"is empty", ExprKind::kIsEmpty, {}},
        {"is not empty", ExprKind::kIsEmpty, {}},
        {"in last", ExprKind::kWindow, {"amount", "unit"}},
        {"in next", ExprKind::kWindow, {"amount", "unit"}},
    };
    return kSpecs;
}

class Decoder {
  public:
    Result<Expr> Node(const json::value& v, const std::string& path) {
        if (++depth_ > kMaxTreeDepth) {
            return Fail(JsonError(path, "nested too deeply (more than " +
                                            std::to_string(kMaxTreeDepth) + " levels)")
                            .With("limit", std::to_string(kMaxTreeDepth)));
        }
        auto result = NodeInner(v, path);
        --depth_;
        return result;
    }

  private:
    Result<Expr> NodeInner(const json::value& v, const std::string& path) {
        switch (v.kind()) {
            case json::kind::null:
                return Expr::Null();
            case json::kind::bool_:
                return Expr::Bool(v.get_bool());
            case json::kind::int64:
                return Expr::Integer(v.get_int64());
            case json::kind::uint64:
                if (v.get_uint64() >
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                    return Fail(JsonError(path, "integer is out of range (64-bit)"));
                }
                return Expr::Integer(static_cast<std::int64_t>(v.get_uint64()));
            case json::kind::double_:
                if (!std::isfinite(v.get_double())) {
                    return Fail(JsonError(path, "number is not finite"));
                }
                return Expr::Decimal(v.get_double());
            case json::kind::string: {
                QUERY_TRY(s, String(v, path));
                return Expr::String(std::move(s));
            }
            case json::kind::array:
                return Fail(JsonError(path, "expected a value or an object, found an array"));
            case json::kind::object:
                break;
        }
        const json::object& o = v.get_object();
        if (o.contains("op")) return Predicate(o, path);
        return Operand(o, path);
    }

    Result<Expr> Operand(const json::object& o, const std::string& path) {
        if (o.contains("and")) return Group(o, path, "and");
        if (o.contains("or")) return Group(o, path, "or");
        if (o.contains("not")) {
            QUERY_CHECK_KEYS(o, path, {"not"});
            QUERY_TRY(operand, Node(o.at("not"), Key(path, "not")));
            return Expr::Not(std::move(operand));
        }
        if (o.contains("exists")) {
            QUERY_CHECK_KEYS(o, path, {"exists", "where"});
            QUERY_TRY(link, Path(o.at("exists"), Key(path, "exists")));
            QUERY_TRY(where, Where(o, path));
            return Expr::Exists(std::move(link), std::move(where));
        }
        if (o.contains("aggregate")) return Aggregate(o, path);
        if (o.contains("call")) return Call(o, path);
        if (o.contains("field")) {
            QUERY_CHECK_KEYS(o, path, {"field"});
            QUERY_TRY(field, Path(o.at("field"), Key(path, "field")));
            return Expr::Field(std::move(field));
        }
        if (o.empty()) {
            return Fail(JsonError(path,
                                  "expected a node (\"field\", \"op\", \"and\", ...), "
                                  "found an empty object"));
        }
        QUERY_CHECK_KEYS(o, path, {});  // names the first unknown key
        return Fail(JsonError(path, "expected \"field\", \"call\" or \"aggregate\""));
    }

    // Every key of `o` must be in `allowed` or in ignored_ (the predicate's own keys when the
    // left operand is inline). ignored_ is cleared here: every branch of Operand checks its
    // keys before it decodes any child.
    Status CheckKeys(const json::object& o, const std::string& path,
                     std::initializer_list<std::string_view> allowed) {
        std::vector<std::string_view> ignored = std::move(ignored_);
        ignored_.clear();
        for (const auto& kv : o) {
            bool ok = false;
            for (std::string_view a : allowed) ok = ok || kv.key() == a;
            for (std::string_view a : ignored) ok = ok || kv.key() == a;
            if (!ok) return Fail(JsonError(Key(path, kv.key()), "unknown key"));
        }
        return {};
    }

    Result<Expr> Group(const json::object& o, const std::string& path, std::string_view key) {
        QUERY_CHECK_KEYS(o, path, {key});
        std::string at = Key(path, key);
        QUERY_TRY(items, List(o.at(key), at, 1));
        return key == "and" ? Expr::And(std::move(items)) : Expr::Or(std::move(items));
    }

    Result<Expr> Call(const json::object& o, const std::string& path) {
        QUERY_CHECK_KEYS(o, path, {"call", "args"});
        std::string at = Key(path, "call");
        const json::value& name = o.at("call");
        if (!name.is_string()) return Fail(JsonError(at, "expected a string, found " + Kind(name)));
        std::string_view text = name.get_string();
        if (!IsValidIdentifier(text) || ParseAggregateName(text)) {
            return Fail(JsonError(
                at, "'" + std::string(text.substr(0, 64)) + "' is not a valid function name"));
        }
        std::vector<Expr> args;
        if (const json::value* a = o.if_contains("args")) {
            QUERY_TRY(list, List(*a, Key(path, "args"), 0));
            args = std::move(list);
        }
        return Expr::Call(std::string(text), std::move(args));
    }

    Result<Expr> Aggregate(const json::object& o, const std::string& path) {
        QUERY_CHECK_KEYS(o, path, {"aggregate", "link", "field", "where"});
        std::string at = Key(path, "aggregate");
        const json::value& name = o.at("aggregate");
        std::optional<AggregateFn> fn;
        if (name.is_string()) fn = ParseAggregateName(name.get_string());
        if (!fn || name.get_string() != AggregateName(*fn)) {
            return Fail(JsonError(at, "expected \"count\", \"sum\", \"avg\", \"min\" or \"max\""));
        }
        const json::value* link_json = o.if_contains("link");
        if (!link_json) return Fail(JsonError(Key(path, "link"), "missing"));
        QUERY_TRY(link, Path(*link_json, Key(path, "link")));
        std::string field;
        const json::value* field_json = o.if_contains("field");
        if (*fn == AggregateFn::kCount) {
            if (field_json) {
                return Fail(JsonError(Key(path, "field"), "count takes no field; use \"link\""));
            }
        } else {
            std::string fat = Key(path, "field");
            if (!field_json) return Fail(JsonError(fat, "missing"));
            if (!field_json->is_string() || !IsValidIdentifier(field_json->get_string())) {
                return Fail(JsonError(fat, "expected a field name"));
            }
            field = field_json->get_string();
        }
        QUERY_TRY(where, Where(o, path));
        return Expr::Aggregate(*fn, std::move(link), std::move(field), std::move(where));
    }

    Result<std::optional<Expr>> Where(const json::object& o, const std::string& path) {
        std::optional<Expr> where;
        if (const json::value* w = o.if_contains("where")) {
            QUERY_TRY(cond, Node(*w, Key(path, "where")));
            where = std::move(cond);
        }
        return where;
    }

    Result<Expr> Predicate(const json::object& o, const std::string& path) {
        std::string op_at = Key(path, "op");
        const json::value& op_json = o.at("op");
        const OpSpec* spec = nullptr;
        if (op_json.is_string()) {
            for (const OpSpec& s : OpSpecs()) {
                if (op_json.get_string() == s.op) spec = &s;
            }
        }
        if (!spec) {
            return Fail(JsonError(op_at,
                                  "expected one of \"=\", \"!=\", \"<\", \"<=\", \">\", "
                                  "\">=\", \"in\", \"not in\", \"between\", \"not "
                                  "between\", \"like\", \"not like\", \"is empty\", \"is "
                                  "not empty\", \"in last\", \"in next\""));
        }
        std::vector<std::string_view> own = {"op"};
        for (std::string_view key : spec->keys) {
            if (!o.contains(key)) return Fail(JsonError(Key(path, key), "missing"));
            own.push_back(key);
        }
        std::optional<Expr> left;
        if (const json::value* l = o.if_contains("left")) {
            own.push_back("left");
            for (const auto& kv : o) {
                if (std::find(own.begin(), own.end(), kv.key()) == own.end()) {
                    return Fail(JsonError(Key(path, kv.key()), "unknown key"));
                }
            }
            QUERY_TRY(node, Node(*l, Key(path, "left")));
            left = std::move(node);
        } else {
            if (o.size() == own.size()) {
                return Fail(JsonError(path,
                                      "expected the left operand (\"field\", \"call\", "
                                      "\"aggregate\" or \"left\") next to \"op\""));
            }
            ignored_ = std::move(own);
            QUERY_TRY(node, Operand(o, path));
            left = std::move(node);
        }
        bool negated = spec->op.starts_with("not ") || spec->op == "is not empty";
        switch (spec->kind) {
            case ExprKind::kCompare: {
                QUERY_TRY(right, Node(o.at("value"), Key(path, "value")));
                return Expr::Compare(*ParseCompareOp(spec->op), std::move(*left), std::move(right));
            }
            case ExprKind::kLike: {
                QUERY_TRY(right, Node(o.at("value"), Key(path, "value")));
                return Expr::Like(std::move(*left), std::move(right), negated);
            }
            case ExprKind::kIn: {
                QUERY_TRY(values, List(o.at("values"), Key(path, "values"), 1));
                return Expr::In(std::move(*left), std::move(values), negated);
            }
            case ExprKind::kBetween: {
                std::string at = Key(path, "values");
                QUERY_TRY(values, List(o.at("values"), at, 2));
                if (values.size() != 2) {
                    return Fail(JsonError(at, "expected exactly two values [low, high]"));
                }
                return Expr::Between(std::move(*left), std::move(values[0]), std::move(values[1]),
                                     negated);
            }
            case ExprKind::kIsEmpty:
                return Expr::IsEmpty(std::move(*left), negated);
            default:
                break;
        }
        std::string amount_at = Key(path, "amount");
        const json::value& amount = o.at("amount");
        if (!amount.is_int64() || amount.get_int64() < 1 || amount.get_int64() > kMaxWindowAmount) {
            return Fail(JsonError(amount_at, "expected a whole number from 1 to " +
                                                 std::to_string(kMaxWindowAmount)));
        }
        const json::value& unit_json = o.at("unit");
        std::optional<WindowUnit> unit;
        if (unit_json.is_string()) unit = ParseWindowUnit(unit_json.get_string());
        if (!unit || unit_json.get_string() != WindowUnitName(*unit)) {
            return Fail(JsonError(Key(path, "unit"),
                                  "expected \"days\", \"weeks\", \"months\" or \"years\""));
        }
        WindowDirection direction =
            spec->op == "in last" ? WindowDirection::kLast : WindowDirection::kNext;
        return Expr::Window(std::move(*left), direction, amount.get_int64(), *unit);
    }

    Result<std::vector<Expr>> List(const json::value& v, const std::string& path,
                                   std::size_t min_items) {
        if (!v.is_array()) return Fail(JsonError(path, "expected an array, found " + Kind(v)));
        const json::array& a = v.get_array();
        if (a.size() < min_items) {
            return Fail(JsonError(path, "expected at least " + std::to_string(min_items) +
                                            (min_items == 1 ? " item" : " items")));
        }
        if (a.size() > kMaxListItems) {
            return Fail(JsonError(path, "has more than " + std::to_string(kMaxListItems) + " items")
                            .With("limit", std::to_string(kMaxListItems)));
        }
        std::vector<Expr> items;
        items.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QUERY_TRY(item, Node(a[i], Index(path, i)));
            items.push_back(std::move(item));
        }
        return items;
    }

    static Result<std::string> String(const json::value& v, const std::string& path) {
        const json::string& s = v.get_string();
        if (s.size() > kMaxStringBytes) {
            return Fail(JsonError(path, "string is longer than " + std::to_string(kMaxStringBytes) +
                                            " bytes")
                            .With("limit", std::to_string(kMaxStringBytes)));
        }
        if (!IsValidUtf8(s)) return Fail(JsonError(path, "string is not valid UTF-8"));
        return std::string(s);
    }

    // "purchases.amount" -> {"purchases", "amount"}; each part a valid identifier.
    static Result<std::vector<std::string>> Path(const json::value& v, const std::string& path) {
        if (!v.is_string()) return Fail(JsonError(path, "expected a string, found " + Kind(v)));
        std::string_view text = v.get_string();
        std::vector<std::string> parts;
        if (text.empty()) return Fail(JsonError(path, "expected a name, found an empty string"));
        for (std::string_view part : Split(text, '.')) {
            if (!IsValidIdentifier(part)) {
                return Fail(JsonError(path, "'" + std::string(text.substr(0, 64)) +
                                                "' is not a valid name or dotted path"));
            }
            parts.emplace_back(part);
        }
        return parts;
    }

    int depth_ = 0;
    std::vector<std::string_view> ignored_;
};

}  // namespace

json::value ToJson(const Expr& expr) { return Encode(expr); }

Result<Expr> FromJson(const json::value& json) { return Decoder().Node(json, "$"); }

}  // namespace overture::query
