// Evaluation of the compiled expressions (ast.hpp): lookups, forloop fields, ranges, filter
// chains and conditions.
#include <array>
#include <cstdlib>

#include "render/ast.hpp"
#include "render/filters.hpp"

namespace overture::render {
namespace {

const Value kTrue(true);
const Value kFalse(false);

const Value& RootValue(const Context& c, Root root) {
    switch (root) {
        case Root::kProfile:
            return c.profile;
        case Root::kDelivery:
            return c.delivery;
        case Root::kEvent:
            return c.event;
        case Root::kTarget:
            return c.target;
        case Root::kUnsubscribeUrl:
            return c.unsubscribe_url;
        case Root::kMirrorUrl:
            return c.mirror_url;
        case Root::kSubscriptionUrl:
            return c.subscription_url;
    }
    return NilValue();
}

const Value* Index(const Value& v, std::int64_t i) {
    if (!v.is_array()) return nullptr;
    const Array& a = v.as_array();
    auto n = static_cast<std::int64_t>(a.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return nullptr;
    return &a[static_cast<std::size_t>(i)];
}

// `.size`, `.first`, `.last` after a dot, when the value has no member of that name.
const Value* Command(const Value& v, std::string_view key, Value& scratch) {
    if (key == "size") {
        if (v.is_array()) {
            scratch = Value(static_cast<std::int64_t>(v.as_array().size()));
        } else if (v.is_object()) {
            scratch = Value(static_cast<std::int64_t>(v.object_size()));
        } else if (v.is_string()) {
            scratch = Value(static_cast<std::int64_t>(Utf8Length(v.as_string())));
        } else {
            return nullptr;
        }
        return &scratch;
    }
    if (!v.is_array() || v.as_array().empty()) return nullptr;
    if (key == "first") return &v.as_array().front();
    if (key == "last") return &v.as_array().back();
    return nullptr;
}

// Whether a value stays within `budget`, counting string bytes and one per array item or
// object member; `budget` is decreased by what was counted.
bool WithinSize(const Value& v, std::size_t& budget) {
    switch (v.kind()) {
        case Value::Kind::kString:
            if (v.as_string().size() > budget) return false;
            budget -= v.as_string().size();
            return true;
        case Value::Kind::kArray:
            for (const Value& item : v.as_array()) {
                if (budget == 0) return false;
                --budget;
                if (!WithinSize(item, budget)) return false;
            }
            return true;
        case Value::Kind::kObject:
            for (std::size_t i = 0, n = v.object_size(); i < n; ++i) {
                const std::size_t key = v.key_at(i).size();
                if (budget <= key) return false;
                budget -= key + 1;
                if (!WithinSize(v.value_at(i), budget)) return false;
            }
            return true;
        default:
            return true;
    }
}

}  // namespace

const Value& NilValue() {
    static const Value nil;
    return nil;
}

std::size_t Utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) {
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    }
    return n;
}

std::int64_t ToInteger(const Value& v) {
    if (v.is_int()) return v.as_int();
    if (v.is_float()) {
        double d = v.as_float();
        if (!(d > -9.2e18 && d < 9.2e18)) return 0;
        return static_cast<std::int64_t>(d);
    }
    if (v.is_string()) {
        const std::string& s = v.as_string();
        std::size_t i = 0;
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
        bool neg = false;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
        std::int64_t r = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
            if (r > (INT64_MAX - 9) / 10) break;
            r = r * 10 + (s[i] - '0');
        }
        return neg ? -r : r;
    }
    return 0;
}

const Value& LookupExpr::Eval(RenderState& st, Value& scratch) const {
    const Value* cur = nullptr;
    switch (base) {
        case Base::kRoot:
            cur = &RootValue(st.context, root);
            break;
        case Base::kSlot:
            cur = &st.slots[slot].get();
            break;
        case Base::kNil:
            return NilValue();
    }
    // The hot path (`profile.x`, `item.x`): members found where they were last time. Anything
    // else goes on out of line, from the first step that is not such a hit.
    std::size_t i = 0;
    for (; i < steps.size(); ++i) {
        const Step& s = steps[i];
        if (s.kind != Step::Kind::kKey) break;
        const Value* next = cur->FindAt(s.key, s.hint.get());
        if (next == nullptr) break;
        cur = next;
    }
    if (i == steps.size()) return *cur;
    return EvalSteps(st, scratch, *cur, i);
}

const Value& LookupExpr::EvalSteps(RenderState& st, Value& scratch, const Value& from,
                                   std::size_t first) const {
    const Value* cur = &from;
    for (std::size_t i = first; i < steps.size(); ++i) {
        const Step& s = steps[i];
        const Value* next = nullptr;
        switch (s.kind) {
            case Step::Kind::kKey: {
                const std::uint32_t hint = s.hint.get();
                std::size_t found = hint;
                next = cur->Find(s.key, hint, found);
                if (next != nullptr && found != hint) s.hint.set(static_cast<std::uint32_t>(found));
                if (next == nullptr && s.command) next = Command(*cur, s.key, scratch);
                break;
            }
            case Step::Kind::kIndex:
                next = Index(*cur, s.index);
                break;
            case Step::Kind::kDynamic: {
                Value tmp;
                const Value& k = s.dynamic->Eval(st, tmp);
                if (st.failed()) return NilValue();
                if (k.is_int()) {
                    next = Index(*cur, k.as_int());
                } else if (k.is_string()) {
                    next = cur->Find(k.as_string());
                }
                break;
            }
        }
        if (next == nullptr) return NilValue();
        cur = next;
    }
    return *cur;
}

const Value& ForloopExpr::Eval(RenderState& st, Value& scratch) const {
    const LoopState& l = st.loops[loop_];
    switch (field_) {
        case Field::kIndex:
            scratch = Value(l.index0 + 1);
            break;
        case Field::kIndex0:
            scratch = Value(l.index0);
            break;
        case Field::kRindex:
            scratch = Value(l.length - l.index0);
            break;
        case Field::kRindex0:
            scratch = Value(l.length - l.index0 - 1);
            break;
        case Field::kFirst:
            return l.index0 == 0 ? kTrue : kFalse;
        case Field::kLast:
            return l.index0 == l.length - 1 ? kTrue : kFalse;
        case Field::kLength:
            scratch = Value(l.length);
            break;
        case Field::kObject:
            scratch = Value(Object{
                {"first", Value(l.index0 == 0)},
                {"index", Value(l.index0 + 1)},
                {"index0", Value(l.index0)},
                {"last", Value(l.index0 == l.length - 1)},
                {"length", Value(l.length)},
                {"rindex", Value(l.length - l.index0)},
                {"rindex0", Value(l.length - l.index0 - 1)},
            });
            break;
    }
    return scratch;
}

bool RangeExpr::Bounds(RenderState& st, std::int64_t& from, std::int64_t& to) const {
    Value a;
    Value b;
    from = ToInteger(from_->Eval(st, a));
    if (st.failed()) return false;
    to = ToInteger(to_->Eval(st, b));
    return !st.failed();
}

const Value& RangeExpr::Eval(RenderState& st, Value& scratch) const {
    std::int64_t from = 0;
    std::int64_t to = 0;
    if (!Bounds(st, from, to)) return NilValue();
    Array items;
    if (to >= from) {
        auto n = static_cast<std::uint64_t>(to - from) + 1;
        if (n > st.limits.max_iterations) {
            st.error_limit = kLimitIterations;
            st.error_message =
                "range has more than " + std::to_string(st.limits.max_iterations) + " items";
            st.error_at = at();
            return NilValue();
        }
        items.reserve(n);
        for (std::int64_t i = from; i <= to; ++i) items.emplace_back(i);
    }
    scratch = Value(std::move(items));
    return scratch;
}

const Value& FilterExpr::Eval(RenderState& st, Value& scratch) const {
    const Value& in = input_->Eval(st, scratch);
    if (st.failed()) return NilValue();
    if (filters_.empty()) return in;
    Value cur = in;
    FilterEnv env{st, {}, nullptr};
    for (const FilterCall& f : filters_) {
        std::array<Value, kMaxFilterArgs> arg_scratch;
        std::array<const Value*, kMaxFilterArgs> args{};
        std::size_t n = f.args.size();
        for (std::size_t i = 0; i < n; ++i) {
            args[i] = f.args[i] ? &f.args[i]->Eval(st, arg_scratch[i]) : &NilValue();
            if (st.failed()) return NilValue();
        }
        if (!f.fn(cur, std::span<const Value* const>(args.data(), n), env)) {
            st.error_message = std::move(env.error);
            st.error_limit = env.limit;
            st.error_at = f.at;
            return NilValue();
        }
        // Every filter's result stays within the output limit, so no chain (`append` or
        // `concat` in a loop, `join` with a long separator) can grow without bound.
        std::size_t budget = st.limits.max_output_bytes;
        if (!WithinSize(cur, budget)) {
            st.error_limit = kLimitOutput;
            st.error_message = "a value is larger than the output limit of " +
                               std::to_string(st.limits.max_output_bytes) + " bytes";
            st.error_at = f.at;
            return NilValue();
        }
    }
    scratch = std::move(cur);
    return scratch;
}

CompareExpr::CompareExpr(Origin at, ExprPtr left, CompareOp op, ExprPtr right)
    : Expr(at), left_(std::move(left)), op_(op), right_(std::move(right)) {
    special_left_ = dynamic_cast<const SpecialExpr*>(left_.get());
    special_right_ = dynamic_cast<const SpecialExpr*>(right_.get());
}

const Value& CompareExpr::Eval(RenderState& st, Value& /*scratch*/) const {
    Value ls;
    Value rs;
    const Value& l = left_->Eval(st, ls);
    if (st.failed()) return NilValue();
    const Value& r = right_->Eval(st, rs);
    if (st.failed()) return NilValue();
    bool result = false;
    if (special_left_ != nullptr || special_right_ != nullptr) {
        // `x == empty`, `blank != x`: a property test of the other side.
        const SpecialExpr* sp = special_right_ != nullptr ? special_right_ : special_left_;
        const Value& other = special_right_ != nullptr ? l : r;
        bool is = sp->kind() == SpecialExpr::Kind::kEmpty ? other.empty() : other.blank();
        if (special_left_ != nullptr && special_right_ != nullptr) is = true;
        if (op_ == CompareOp::kEq) result = is;
        if (op_ == CompareOp::kNe) result = !is;
        return result ? kTrue : kFalse;
    }
    switch (op_) {
        case CompareOp::kEq:
            result = Equal(l, r);
            break;
        case CompareOp::kNe:
            result = !Equal(l, r);
            break;
        case CompareOp::kLt:
            result = Compare(l, r) == -1;
            break;
        case CompareOp::kGt:
            result = Compare(l, r) == 1;
            break;
        case CompareOp::kLe: {
            int c = Compare(l, r);
            result = c == -1 || c == 0;
            break;
        }
        case CompareOp::kGe: {
            int c = Compare(l, r);
            result = c == 1 || c == 0;
            break;
        }
        case CompareOp::kContains:
            if (l.is_string()) {
                if (r.is_nil()) break;
                std::string needle = r.ToString();
                result = l.as_string().find(needle) != std::string::npos;
            } else if (l.is_array()) {
                for (const Value& v : l.as_array()) {
                    if (Equal(v, r)) {
                        result = true;
                        break;
                    }
                }
            } else if (l.is_object()) {
                result = r.is_string() && l.Find(r.as_string()) != nullptr;
            }
            break;
    }
    return result ? kTrue : kFalse;
}

const Value& LogicExpr::Eval(RenderState& st, Value& /*scratch*/) const {
    Value ls;
    bool left = left_->Eval(st, ls).truthy();
    if (st.failed()) return NilValue();
    if (is_and_ && !left) return kFalse;
    if (!is_and_ && left) return kTrue;
    Value rs;
    bool right = right_->Eval(st, rs).truthy();
    if (st.failed()) return NilValue();
    return right ? kTrue : kFalse;
}

}  // namespace overture::render
