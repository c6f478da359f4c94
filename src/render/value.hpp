#pragma once
// The value model of the personalization language (docs/personalization.md): nil, bool,
// integer, float, string, array and object (a hash that keeps its insertion order), with
// Liquid's rules for truthiness (only nil and false are falsy), equality, ordering and
// conversion to text.
//
// A Value is a plain value. Arrays and objects are immutable once built and held through a
// shared_ptr to const: copying a Value that holds `profile.purchases` (an `assign`, a `for`
// collection, a filter input) must not deep-copy the caller's data on the hot path, and the
// data is never written after it is built, so sharing it between copies and threads is safe.
//
// An object has two representations with the same behaviour: a list of members (Object, each
// member carries its name) and a record (Record: a shared Shape that maps field names to
// slots, plus one value per slot). A sender that loads the same columns for every recipient
// builds one Shape per delivery and a Record per recipient, which keeps the names out of the
// per-recipient data. Code that reads objects goes through object_size(), key_at(), value_at()
// and Find(), which work on both.
// Thread-safety: const methods are safe to call from many threads at once.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

namespace overture::render {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>;
class Record;
class Shape;
using ShapePtr = std::shared_ptr<const Shape>;

class Value {
  public:
    enum class Kind : std::uint8_t { kNil, kBool, kInt, kFloat, kString, kArray, kObject };

    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : v_(b) {}
    Value(int i) : v_(static_cast<std::int64_t>(i)) {}
    Value(std::int64_t i) : v_(i) {}
    Value(double d) : v_(d) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(Array a) : v_(std::make_shared<const Array>(std::move(a))) {}
    Value(Object o) : v_(std::make_shared<const Object>(std::move(o))) {}
    // An object in record form: one value per slot of `shape` (values.size() ==
    // shape->size(): missing values are nil, extra ones dropped), held in one allocation with
    // the record's header.
    Value(ShapePtr shape, std::vector<Value> values);

    // A record is an object (the last variant alternative maps to kObject).
    Kind kind() const {
        const std::size_t i = v_.index();
        return static_cast<Kind>(i - (i == kRecordIndex ? 1 : 0));
    }
    bool is_nil() const { return kind() == Kind::kNil; }
    bool is_bool() const { return kind() == Kind::kBool; }
    bool is_int() const { return kind() == Kind::kInt; }
    bool is_float() const { return kind() == Kind::kFloat; }
    bool is_number() const { return is_int() || is_float(); }
    bool is_string() const { return kind() == Kind::kString; }
    bool is_array() const { return kind() == Kind::kArray; }
    bool is_object() const { return kind() == Kind::kObject; }
    // An object held as a Record.
    bool is_record() const { return v_.index() == kRecordIndex; }

    // Accessors; each requires the matching kind.
    bool as_bool() const { return std::get<bool>(v_); }
    std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
    double as_float() const { return std::get<double>(v_); }
    const std::string& as_string() const { return std::get<std::string>(v_); }
    const Array& as_array() const { return *std::get<ArrayPtr>(v_); }
    // A member-list object (not a record: is_object() && !is_record()).
    const Object& as_object() const { return *std::get<ObjectPtr>(v_); }
    const Record& as_record() const { return *std::get<RecordPtr>(v_); }
    // Members of an object in either form, in order: count, name and value of the i-th.
    std::size_t object_size() const;
    std::string_view key_at(std::size_t i) const;
    const Value& value_at(std::size_t i) const;
    // A number as a double (int or float); 0 for anything else.
    double as_number() const;

    // Liquid truthiness: false only for nil and false.
    bool truthy() const { return !is_nil() && !(is_bool() && !as_bool()); }
    // Liquid's `empty`: "", [] or {}.
    bool empty() const;
    // Liquid's `blank`: nil, false, a string of only whitespace, [] or {}.
    bool blank() const;

    // An object's member by name, or nullptr (also when this is not an object). `hint` is
    // the index where the caller expects the key (see parser.cpp); checked first.
    const Value* Find(std::string_view key, std::size_t hint = 0) const;
    // The member at index `hint` when it is named `key`, else nullptr (no search). Inline: a
    // hit is the hot path of every `{{ profile.x }}`.
    const Value* FindAt(std::string_view key, std::size_t hint) const;
    // The same as Find(key, hint), giving the member's index in as_object() when found.
    const Value* Find(std::string_view key, std::size_t hint, std::size_t& index) const;

    // Text form as Liquid prints it: nil "", true/false, integers in decimal, floats in
    // Ruby's shortest form ("3.0", "0.1"), arrays as their elements' text concatenated,
    // objects as JSON.
    void AppendTo(std::string& out) const;
    std::string ToString() const;
    // The value as JSON text (the `json` filter).
    void AppendJson(std::string& out) const;

  private:
    using ArrayPtr = std::shared_ptr<const Array>;
    using ObjectPtr = std::shared_ptr<const Object>;
    using RecordPtr = std::shared_ptr<const Record>;
    static constexpr std::size_t kRecordIndex = 7;
    std::variant<std::monostate, bool, std::int64_t, double, std::string, ArrayPtr, ObjectPtr,
                 RecordPtr>
        v_;
};

// The layout of records: field names in slot order. Immutable; built once (per delivery,
// from the columns the sender loads) and shared by all the records built with it.
class Shape {
  public:
    explicit Shape(std::vector<std::string> names) : names_(std::move(names)) {}
    std::size_t size() const { return names_.size(); }
    const std::string& name(std::size_t slot) const { return names_[slot]; }
    const std::vector<std::string>& names() const { return names_; }
    // The slot of `name`, or size() when the shape has no such field.
    std::size_t SlotOf(std::string_view name) const;

  private:
    std::vector<std::string> names_;
};

// An object in record form: one value per slot of its shape, stored right after the record in
// the same allocation (reading a member is one pointer from the Value to the values). Built
// only by Value(ShapePtr, std::vector<Value>).
class Record {
  public:
    const Shape& shape() const { return *shape_; }
    const ShapePtr& shape_ptr() const { return shape_; }
    std::span<const Value> values() const {
        return {reinterpret_cast<const Value*>(this + 1), size_};
    }

  private:
    friend class Value;
    Record(ShapePtr shape, std::size_t size) : shape_(std::move(shape)), size_(size) {}
    ShapePtr shape_;
    std::size_t size_;
};

inline const Value* Value::FindAt(std::string_view key, std::size_t hint) const {
    if (const ObjectPtr* p = std::get_if<ObjectPtr>(&v_)) {
        if (hint >= (*p)->size()) return nullptr;
        const Member& m = (**p)[hint];
        return m.first == key ? &m.second : nullptr;
    }
    if (const RecordPtr* r = std::get_if<RecordPtr>(&v_)) {
        const Record& rec = **r;
        if (hint >= rec.values().size() || rec.shape().name(hint) != key) return nullptr;
        return &rec.values()[hint];
    }
    return nullptr;
}

// `v` with every object in it (deep) turned into a record; objects with the same member
// names in the same order share one Shape. Tests use it to check both forms render alike.
Value ToRecords(const Value& v);

// Liquid `==`: numbers compare by value (1 == 1.0), strings by bytes, arrays and objects
// element-wise, nil only equals nil; values of different kinds are not equal.
bool Equal(const Value& a, const Value& b);
// Liquid ordering for `<`, `>`, `sort`: numbers with numbers, strings with strings (bytes).
// Returns -1, 0 or 1, or nullopt-like 2 when the two cannot be compared.
int Compare(const Value& a, const Value& b);
inline constexpr int kIncomparable = 2;

// Ruby's Float#to_s: shortest round-trip digits, always with a fraction ("2.0"), exponent
// form at 1e16 and above or below 1e-4 ("1.0e+16").
void AppendFloat(std::string& out, double d);

// HTML escaping of & < > " ' (the `escape` filter and auto-escaping), appended to `out`.
void AppendEscaped(std::string& out, std::string_view s);

// A JSON document as a Value (objects keep their key order; integers that fit int64 stay
// integers). Used by tests, previews and the API.
Value FromJson(const boost::json::value& json);

}  // namespace overture::render
