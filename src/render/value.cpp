#include "render/value.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <boost/json.hpp>

namespace overture::render {
namespace {

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void AppendJsonString(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
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
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += "\\u00";
                    out += kHex[(c >> 4) & 0xF];
                    out += kHex[c & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

}  // namespace

double Value::as_number() const {
    if (is_int()) return static_cast<double>(as_int());
    if (is_float()) return as_float();
    return 0;
}

bool Value::empty() const {
    switch (kind()) {
        case Kind::kString:
            return as_string().empty();
        case Kind::kArray:
            return as_array().empty();
        case Kind::kObject:
            return object_size() == 0;
        default:
            return false;
    }
}

bool Value::blank() const {
    if (!truthy()) return true;
    if (is_string()) {
        for (char c : as_string()) {
            if (!IsSpace(c)) return false;
        }
        return true;
    }
    return empty();
}

namespace {

static_assert(sizeof(Record) % alignof(Value) == 0);

// Destroys a record and the values that follow it, and frees their allocation.
struct RecordDeleter {
    void operator()(const Record* r) const {
        std::span<const Value> values = r->values();
        for (const Value& v : values) v.~Value();
        r->~Record();
        ::operator delete(const_cast<Record*>(r));
    }
};

}  // namespace

Value::Value(ShapePtr shape, std::vector<Value> values) {
    // One value per slot: missing ones are nil, extra ones dropped.
    values.resize(shape->size());
    const std::size_t n = values.size();
    void* mem = ::operator new(sizeof(Record) + n * sizeof(Value));
    auto* r = new (mem) Record(std::move(shape), n);
    auto* slots = reinterpret_cast<Value*>(r + 1);
    for (std::size_t i = 0; i < n; ++i) new (slots + i) Value(std::move(values[i]));
    // On failure shared_ptr calls the deleter.
    v_ = RecordPtr(r, RecordDeleter{});
}

std::size_t Shape::SlotOf(std::string_view name) const {
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == name) return i;
    }
    return names_.size();
}

std::size_t Value::object_size() const {
    if (is_record()) return as_record().values().size();
    return is_object() ? as_object().size() : 0;
}

std::string_view Value::key_at(std::size_t i) const {
    if (is_record()) return as_record().shape().name(i);
    return as_object()[i].first;
}

const Value& Value::value_at(std::size_t i) const {
    if (is_record()) return as_record().values()[i];
    return as_object()[i].second;
}

const Value* Value::Find(std::string_view key, std::size_t hint) const {
    std::size_t index = 0;
    return Find(key, hint, index);
}

const Value* Value::Find(std::string_view key, std::size_t hint, std::size_t& index) const {
    if (const Value* v = FindAt(key, hint)) {
        index = hint;
        return v;
    }
    if (is_record()) {
        const Record& r = as_record();
        std::size_t slot = r.shape().SlotOf(key);
        if (slot >= r.values().size()) return nullptr;
        index = slot;
        return &r.values()[slot];
    }
    if (!is_object()) return nullptr;
    const Object& o = as_object();
    for (std::size_t i = 0; i < o.size(); ++i) {
        if (o[i].first == key) {
            index = i;
            return &o[i].second;
        }
    }
    return nullptr;
}

void AppendFloat(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
        return;
    }
    if (d == 0) {
        out += std::signbit(d) ? "-0.0" : "0.0";
        return;
    }
    // Shortest digits in scientific form, then laid out the way Ruby does.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    std::size_t e_pos = sci.find('e');
    std::string_view mant = sci.substr(0, e_pos);
    int exp = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
    bool neg = mant.front() == '-';
    if (neg) mant.remove_prefix(1);
    std::string digits;
    for (char c : mant) {
        if (c != '.') digits += c;
    }
    if (neg) out += '-';
    if (exp >= 16 || exp < -4) {
        out += digits[0];
        out += '.';
        out += digits.size() > 1 ? digits.substr(1) : "0";
        out += 'e';
        out += exp < 0 ? '-' : '+';
        int a = exp < 0 ? -exp : exp;
        if (a < 10) out += '0';
        out += std::to_string(a);
        return;
    }
    if (exp < 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-exp - 1), '0');
        out += digits;
        return;
    }
    auto int_len = static_cast<std::size_t>(exp) + 1;
    if (digits.size() <= int_len) {
        out += digits;
        out.append(int_len - digits.size(), '0');
        out += ".0";
    } else {
        out += digits.substr(0, int_len);
        out += '.';
        out += digits.substr(int_len);
    }
}

void Value::AppendTo(std::string& out) const {
    switch (kind()) {
        case Kind::kNil:
            return;
        case Kind::kBool:
            out += as_bool() ? "true" : "false";
            return;
        case Kind::kInt: {
            char buf[24];
            auto res = std::to_chars(buf, buf + sizeof buf, as_int());
            out.append(buf, res.ptr);
            return;
        }
        case Kind::kFloat:
            AppendFloat(out, as_float());
            return;
        case Kind::kString:
            out += as_string();
            return;
        case Kind::kArray:
            for (const Value& v : as_array()) v.AppendTo(out);
            return;
        case Kind::kObject:
            AppendJson(out);
            return;
    }
}

std::string Value::ToString() const {
    if (is_string()) return as_string();
    std::string out;
    AppendTo(out);
    return out;
}

void Value::AppendJson(std::string& out) const {
    switch (kind()) {
        case Kind::kNil:
            out += "null";
            return;
        case Kind::kFloat:
            if (!std::isfinite(as_float())) {
                out += "null";
                return;
            }
            [[fallthrough]];
        case Kind::kBool:
        case Kind::kInt:
            AppendTo(out);
            return;
        case Kind::kString:
            AppendJsonString(out, as_string());
            return;
        case Kind::kArray: {
            out += '[';
            bool first = true;
            for (const Value& v : as_array()) {
                if (!first) out += ',';
                first = false;
                v.AppendJson(out);
            }
            out += ']';
            return;
        }
        case Kind::kObject: {
            out += '{';
            bool first = true;
            for (std::size_t i = 0, n = object_size(); i < n; ++i) {
                if (!first) out += ',';
                first = false;
                AppendJsonString(out, key_at(i));
                out += ':';
                value_at(i).AppendJson(out);
            }
            out += '}';
            return;
        }
    }
}

bool Equal(const Value& a, const Value& b) {
    using K = Value::Kind;
    if (a.is_number() && b.is_number()) {
        if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
        return a.as_number() == b.as_number();
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case K::kNil:
            return true;
        case K::kBool:
            return a.as_bool() == b.as_bool();
        case K::kString:
            return a.as_string() == b.as_string();
        case K::kArray: {
            const Array& x = a.as_array();
            const Array& y = b.as_array();
            if (x.size() != y.size()) return false;
            for (std::size_t i = 0; i < x.size(); ++i) {
                if (!Equal(x[i], y[i])) return false;
            }
            return true;
        }
        case K::kObject: {
            const std::size_t n = a.object_size();
            if (n != b.object_size()) return false;
            for (std::size_t i = 0; i < n; ++i) {
                const Value* other = b.Find(a.key_at(i), i);
                if (other == nullptr || !Equal(a.value_at(i), *other)) return false;
            }
            return true;
        }
        default:
            return false;
    }
}

int Compare(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_int() && b.is_int()) {
            return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
        }
        double x = a.as_number();
        double y = b.as_number();
        if (std::isnan(x) || std::isnan(y)) return kIncomparable;
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.is_string() && b.is_string()) {
        int c = a.as_string().compare(b.as_string());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return kIncomparable;
}

Value FromJson(const boost::json::value& json) {
    switch (json.kind()) {
        case boost::json::kind::null:
            return {};
        case boost::json::kind::bool_:
            return Value(json.get_bool());
        case boost::json::kind::int64:
            return Value(json.get_int64());
        case boost::json::kind::uint64: {
            std::uint64_t u = json.get_uint64();
            if (u <= static_cast<std::uint64_t>(INT64_MAX)) {
                return Value(static_cast<std::int64_t>(u));
            }
            return Value(static_cast<double>(u));
        }
        case boost::json::kind::double_:
            return Value(json.get_double());
        case boost::json::kind::string:
            return Value(std::string_view(json.get_string()));
        case boost::json::kind::array: {
            Array out;
            out.reserve(json.get_array().size());
            for (const auto& v : json.get_array()) out.push_back(FromJson(v));
            return Value(std::move(out));
        }
        case boost::json::kind::object: {
            Object out;
            out.reserve(json.get_object().size());
            for (const auto& kv : json.get_object()) {
                out.emplace_back(std::string(kv.key()), FromJson(kv.value()));
            }
            return Value(std::move(out));
        }
    }
    return {};
}

namespace {

Value ToRecordsIn(const Value& v, std::vector<ShapePtr>& shapes) {
    if (v.is_array()) {
        Array out;
        out.reserve(v.as_array().size());
        for (const Value& e : v.as_array()) out.push_back(ToRecordsIn(e, shapes));
        return Value(std::move(out));
    }
    if (!v.is_object()) return v;
    std::vector<std::string> names;
    std::vector<Value> values;
    for (std::size_t i = 0, n = v.object_size(); i < n; ++i) {
        names.emplace_back(v.key_at(i));
        values.push_back(ToRecordsIn(v.value_at(i), shapes));
    }
    ShapePtr shape;
    for (const ShapePtr& s : shapes) {
        if (s->names() == names) shape = s;
    }
    if (shape == nullptr) {
        shape = std::make_shared<const Shape>(std::move(names));
        shapes.push_back(shape);
    }
    return Value(std::move(shape), std::move(values));
}

}  // namespace

Value ToRecords(const Value& v) {
    std::vector<ShapePtr> shapes;
    return ToRecordsIn(v, shapes);
}

}  // namespace overture::render
