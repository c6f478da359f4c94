// Rendering of the compiled nodes (ast.hpp): text, outputs and tags.
#include <algorithm>

#include "render/ast.hpp"

namespace overture::render {
Flow Failure(RenderState& st, Origin at, std::string message) {
    st.error_message = std::move(message);
    st.error_at = at;
    return Flow::kError;
}

Flow LimitFailure(RenderState& st, Origin at, const char* limit, std::string message) {
    st.error_limit = limit;
    return Failure(st, at, std::move(message));
}

Flow OutputLimitFailure(RenderState& st, Origin at) {
    return LimitFailure(st, at, kLimitOutput,
                        "the output is larger than the limit of " +
                            std::to_string(st.limits.max_output_bytes) + " bytes");
}

Flow RenderBlock(const Block& block, RenderState& st, std::string& out) {
    for (const NodePtr& n : block) {
        Flow f = n->Render(st, out);
        if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
}

Flow TextNode::Render(RenderState& st, std::string& out) const {
    out.append(text_);
    return CheckSize(st, at(), out);
}

Flow OutputNode::Render(RenderState& st, std::string& out) const {
    Value scratch;
    const Value& v = expr_->Eval(st, scratch);
    if (st.failed()) return Flow::kError;
    if (!escape_ || v.is_nil() || v.is_number() || v.is_bool()) {
        v.AppendTo(out);
    } else if (v.is_string()) {
        AppendEscaped(out, v.as_string());
    } else {
        std::string text;
        v.AppendTo(text);
        AppendEscaped(out, text);
    }
    return CheckSize(st, at(), out);
}

Flow IfNode::Render(RenderState& st, std::string& out) const {
    for (const Branch& b : branches) {
        if (b.condition) {
            Value scratch;
            bool yes = b.condition->Eval(st, scratch).truthy();
            if (st.failed()) return Flow::kError;
            if (yes == b.negate) continue;
        }
        return RenderBlock(b.body, st, out);
    }
    return Flow::kNormal;
}

Flow CaseNode::Render(RenderState& st, std::string& out) const {
    Value subject_scratch;
    const Value& subject = this->subject->Eval(st, subject_scratch);
    if (st.failed()) return Flow::kError;
    bool matched = false;
    for (const When& w : whens) {
        for (const ExprPtr& e : w.values) {
            Value scratch;
            const Value& v = e->Eval(st, scratch);
            if (st.failed()) return Flow::kError;
            if (Equal(subject, v)) {
                matched = true;
                Flow f = RenderBlock(w.body, st, out);
                if (f != Flow::kNormal) return f;
                break;
            }
        }
    }
    if (!matched && has_else) return RenderBlock(else_body, st, out);
    return Flow::kNormal;
}

Flow ForNode::Render(RenderState& st, std::string& out) const {
    // The sequence: a range (no array built), an array, an object's [key, value] pairs, or a
    // non-empty string as one item. The collection is held in `keep` (for arrays a shared
    // reference, not a copy) so the loop variable can point into it even if the body
    // reassigns the variable the collection came from.
    // A collection read from the Context (`profile.purchases`) cannot change during the render:
    // it is used in place, without taking a reference.
    std::int64_t range_from = 0;
    std::int64_t range_to = -1;
    Value keep;
    const Value* coll = &keep;
    std::int64_t count = 0;
    if (range != nullptr) {
        if (!range->Bounds(st, range_from, range_to)) return Flow::kError;
        count = range_to >= range_from ? range_to - range_from + 1 : 0;
        if (range_to >= range_from && count <= 0) count = INT64_MAX;  // overflow
    } else {
        Value scratch;
        const Value& c = collection->Eval(st, scratch);
        if (st.failed()) return Flow::kError;
        if (&c == &scratch) {
            keep = std::move(scratch);
        } else if (from_context) {
            coll = &c;
        } else {
            keep = c;
        }
        if (coll->is_array()) {
            count = static_cast<std::int64_t>(coll->as_array().size());
        } else if (coll->is_object()) {
            count = static_cast<std::int64_t>(coll->object_size());
        } else if (coll->is_string() && !coll->as_string().empty()) {
            count = 1;
        }
    }
    std::int64_t start = 0;
    if (offset) {
        Value s;
        start = ToInteger(offset->Eval(st, s));
        if (st.failed()) return Flow::kError;
        start = std::clamp<std::int64_t>(start, 0, count);
    }
    std::int64_t end = count;
    if (limit) {
        Value s;
        const Value& l = limit->Eval(st, s);
        if (st.failed()) return Flow::kError;
        if (!l.is_nil()) {
            std::int64_t n = std::max<std::int64_t>(ToInteger(l), 0);
            end = n < count - start ? start + n : count;
        }
    }
    std::int64_t n = end - start;
    if (n <= 0) return RenderBlock(else_body, st, out);

    Slot& var = st.slots[var_slot];
    for (std::int64_t k = 0; k < n; ++k) {
        if (++st.iterations > st.limits.max_iterations) {
            return LimitFailure(
                st, at(), kLimitIterations,
                "more than " + std::to_string(st.limits.max_iterations) + " loop iterations");
        }
        std::int64_t i = reversed ? end - 1 - k : start + k;
        if (range != nullptr) {
            var.Set(Value(range_from + i));
        } else if (coll->is_array()) {
            if (!var.owned.is_nil()) var.owned = Value();
            var.ref = &coll->as_array()[static_cast<std::size_t>(i)];
        } else if (coll->is_object()) {
            const auto at = static_cast<std::size_t>(i);
            var.Set(Value(Array{Value(coll->key_at(at)), coll->value_at(at)}));
        } else {
            if (!var.owned.is_nil()) var.owned = Value();
            var.ref = coll;
        }
        // Set after the variable: a nested loop over the same node cannot exist, but the
        // body may read forloop through an include.
        st.loops[loop_id] = LoopState{k, n};
        Flow f = RenderBlock(body, st, out);
        if (f == Flow::kBreak) break;
        if (f == Flow::kError) return f;
    }
    var.Set(Value());
    return Flow::kNormal;
}

Flow AssignNode::Render(RenderState& st, std::string& /*out*/) const {
    Value scratch;
    const Value& v = value_->Eval(st, scratch);
    if (st.failed()) return Flow::kError;
    if (&v == &scratch) {
        st.slots[slot_].Set(std::move(scratch));
    } else {
        Value copy = v;  // v may be the slot itself
        st.slots[slot_].Set(std::move(copy));
    }
    return Flow::kNormal;
}

Flow CaptureNode::Render(RenderState& st, std::string& /*out*/) const {
    std::string buffer;
    std::size_t saved = st.out_limit;
    st.out_limit = st.limits.max_output_bytes;
    Flow f = RenderBlock(body, st, buffer);
    st.out_limit = saved;
    if (f == Flow::kError) return f;
    st.slots[slot_].Set(Value(std::move(buffer)));
    return f;
}

Flow CounterNode::Render(RenderState& st, std::string& out) const {
    Slot& s = st.slots[slot_];
    std::int64_t v = s.get().is_int() ? s.get().as_int() : 0;
    if (increment_) {
        Value(v).AppendTo(out);
        s.Set(Value(v + 1));
    } else {
        s.Set(Value(v - 1));
        Value(v - 1).AppendTo(out);
    }
    return CheckSize(st, at(), out);
}

Flow IncludeNode::Render(RenderState& st, std::string& out) const {
    for (const auto& [slot, expr] : params) {
        Value scratch;
        const Value& v = expr->Eval(st, scratch);
        if (st.failed()) return Flow::kError;
        Value copy = &v == &scratch ? std::move(scratch) : v;
        st.slots[slot].Set(std::move(copy));
    }
    return RenderBlock(body, st, out);
}

}  // namespace overture::render
