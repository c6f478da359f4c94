#pragma once
// The compiled form of a template: a tree of nodes (text, output, tags) over expressions
// (literals, lookups, filters, conditions). Internal to render/: parser.cpp builds it,
// nodes.cpp and expressions.cpp evaluate it, template.cpp owns it.
//
// Everything that depends only on the template is done at compile time: variable names are
// resolved to slots of the per-render state (assign, capture, loop variables, counters) or
// to a root of the Context; filter names to function pointers with their arguments already
// parsed; `forloop.index` to a loop id and a field. Rendering allocates nothing per node
// except what a value itself needs (a filter's result string, the output buffer).
//
// The tree is immutable after compilation; all mutable state lives in RenderState, except the
// lookup hints (HintCache: relaxed atomics, a guess that is always checked).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "render/template.hpp"
#include "render/value.hpp"

namespace overture::render {

enum class Root : std::uint8_t {
    kProfile,
    kDelivery,
    kEvent,
    kTarget,
    kUnsubscribeUrl,
    kMirrorUrl,
    kSubscriptionUrl,
};

// Where a node or expression came from: byte offset in source `source` (0 = the template,
// 1.. = fragments in TemplateInfo::fragments order, see Template::Impl::sources).
struct Origin {
    std::uint32_t offset = 0;
    std::uint32_t source = 0;
};

struct LoopState {
    std::int64_t index0 = 0;
    std::int64_t length = 0;
};

// A variable: its own value, or (a `for` variable) a reference to the current element of
// the collection, which the loop keeps alive, so iterating does not copy elements.
struct Slot {
    Value owned;
    const Value* ref = nullptr;
    const Value& get() const { return ref != nullptr ? *ref : owned; }
    void Set(Value v) {
        owned = std::move(v);
        ref = nullptr;
    }
};

struct RenderState {
    const Context& context;
    const RenderOptions& options;
    const Limits& limits;
    // Storage owned by Template::Render (on its stack for the usual few variables and loops,
    // so a render allocates nothing for them).
    std::span<Slot> slots;
    std::span<LoopState> loops;
    std::uint64_t iterations = 0;
    std::size_t out_limit = 0;  // the size the current buffer may reach
    // A failure: the message (never empty once set) and where; the Flow::kError that
    // unwinds the render goes with it.
    std::string error_message;
    Origin error_at;
    bool zone_resolved = false;
    const void* zone = nullptr;  // date::time_zone*, resolved on first use by `date`
    // When a limit stopped the render: the Limits member (maxOutputBytes, maxIterations), the
    // error's `limit` detail.
    const char* error_limit = nullptr;

    bool failed() const { return !error_message.empty(); }
};

enum class Flow { kNormal, kBreak, kContinue, kError };

class Expr {
  public:
    explicit Expr(Origin at) : at_(at) {}
    virtual ~Expr() = default;
    Expr(const Expr&) = delete;
    Expr& operator=(const Expr&) = delete;
    // The value: a reference into the context, a slot, the expression itself, or `scratch`
    // (which the caller provides). On failure sets st.error_message / error_at and returns
    // nil; callers check st.error_message.
    virtual const Value& Eval(RenderState& st, Value& scratch) const = 0;
    Origin at() const { return at_; }

  private:
    Origin at_;
};
using ExprPtr = std::unique_ptr<Expr>;

class Node {
  public:
    explicit Node(Origin at) : at_(at) {}
    virtual ~Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    virtual Flow Render(RenderState& st, std::string& out) const = 0;
    Origin at() const { return at_; }

  private:
    Origin at_;
};
using NodePtr = std::unique_ptr<Node>;
using Block = std::vector<NodePtr>;

// Renders a block; stops at the first break, continue or error.
Flow RenderBlock(const Block& block, RenderState& st, std::string& out);
// Records a render-time failure at `at` and returns Flow::kError.
Flow Failure(RenderState& st, Origin at, std::string message);
// The same for a limit: `limit` names the Limits member (kLimitOutput, kLimitIterations).
Flow LimitFailure(RenderState& st, Origin at, const char* limit, std::string message);
// The output limit's failure (CheckSize's slow path).
Flow OutputLimitFailure(RenderState& st, Origin at);
// kError (the output limit) once `out` has grown past st.out_limit. Inline: it runs after
// every text and output.
inline Flow CheckSize(RenderState& st, Origin at, const std::string& out) {
    if (out.size() > st.out_limit) [[unlikely]] {
        return OutputLimitFailure(st, at);
    }
    return Flow::kNormal;
}

inline constexpr const char* kLimitOutput = "maxOutputBytes";
inline constexpr const char* kLimitIterations = "maxIterations";

// ---- expressions (expressions.cpp) ----

const Value& NilValue();

class LiteralExpr : public Expr {
  public:
    LiteralExpr(Origin at, Value v) : Expr(at), value_(std::move(v)) {}
    const Value& Eval(RenderState&, Value&) const override { return value_; }
    const Value& value() const { return value_; }

  private:
    Value value_;
};

// `empty` and `blank` as comparison operands; nil elsewhere.
class SpecialExpr : public Expr {
  public:
    enum class Kind { kEmpty, kBlank };
    SpecialExpr(Origin at, Kind kind) : Expr(at), kind_(kind) {}
    const Value& Eval(RenderState&, Value&) const override { return NilValue(); }
    Kind kind() const { return kind_; }

  private:
    Kind kind_;
};

// Where a member was found last time (Value::Find's hint: a member's index in an object, a
// slot in a record): objects built by one sender share their layout (a profile's fields come
// in the same order for every recipient, records share one Shape), so after the first render
// each lookup by name is one comparison. A relaxed atomic: renders on other
// threads may update it at the same time; any value is only a guess that Find checks.
class HintCache {
  public:
    HintCache() = default;
    explicit HintCache(std::uint32_t v) : v_(v) {}
    HintCache(const HintCache& o) : v_(o.get()) {}
    HintCache& operator=(const HintCache& o) {
        set(o.get());
        return *this;
    }
    std::uint32_t get() const { return v_.load(std::memory_order_relaxed); }
    void set(std::uint32_t v) const { v_.store(v, std::memory_order_relaxed); }

  private:
    mutable std::atomic<std::uint32_t> v_{0};
};

struct Step {
    enum class Kind { kKey, kIndex, kDynamic };
    Kind kind = Kind::kKey;
    std::string key;  // kKey
    // kKey: expected member index; at compile time the field's place in
    // TemplateInfo::profile_fields (profile fields), then where the last render found it.
    HintCache hint;
    bool command = true;     // kKey after a dot: `.size`, `.first`, `.last` apply
    std::int64_t index = 0;  // kIndex
    ExprPtr dynamic;         // kDynamic: `a[expr]`
};

class LookupExpr : public Expr {
  public:
    enum class Base { kRoot, kSlot, kNil };
    LookupExpr(Origin at) : Expr(at) {}
    const Value& Eval(RenderState& st, Value& scratch) const override;

    Base base = Base::kNil;
    Root root = Root::kProfile;
    std::uint32_t slot = 0;
    std::vector<Step> steps;

  private:
    // Eval() from steps[first] on, starting at `from` (what the earlier steps found).
    const Value& EvalSteps(RenderState& st, Value& scratch, const Value& from,
                           std::size_t first) const;
};

class ForloopExpr : public Expr {
  public:
    enum class Field { kIndex, kIndex0, kRindex, kRindex0, kFirst, kLast, kLength, kObject };
    ForloopExpr(Origin at, std::uint32_t loop, Field field)
        : Expr(at), loop_(loop), field_(field) {}
    const Value& Eval(RenderState& st, Value& scratch) const override;

  private:
    std::uint32_t loop_;
    Field field_;
};

class RangeExpr : public Expr {
  public:
    RangeExpr(Origin at, ExprPtr from, ExprPtr to)
        : Expr(at), from_(std::move(from)), to_(std::move(to)) {}
    const Value& Eval(RenderState& st, Value& scratch) const override;
    // The bounds as integers (Liquid converts with to_i); false with st.error_message set
    // when an operand is an error.
    bool Bounds(RenderState& st, std::int64_t& from, std::int64_t& to) const;

  private:
    ExprPtr from_;
    ExprPtr to_;
};

struct FilterEnv;
// A filter: transforms `io` in place. `args` are the positional arguments (keyword
// arguments are mapped to positions by the filter table). Returns false with env.error set.
using FilterFn = bool (*)(Value& io, std::span<const Value* const> args, FilterEnv& env);

struct FilterCall {
    FilterFn fn = nullptr;
    std::vector<ExprPtr> args;  // null entries for keyword arguments not given
    Origin at;
};

class FilterExpr : public Expr {
  public:
    FilterExpr(Origin at, ExprPtr input) : Expr(at), input_(std::move(input)) {}
    const Value& Eval(RenderState& st, Value& scratch) const override;
    void Add(FilterCall call) { filters_.push_back(std::move(call)); }
    bool empty() const { return filters_.empty(); }
    const Expr& input() const { return *input_; }

  private:
    ExprPtr input_;
    std::vector<FilterCall> filters_;
};

enum class CompareOp { kEq, kNe, kLt, kGt, kLe, kGe, kContains };

class CompareExpr : public Expr {
  public:
    CompareExpr(Origin at, ExprPtr left, CompareOp op, ExprPtr right);
    const Value& Eval(RenderState& st, Value& scratch) const override;

  private:
    ExprPtr left_;
    CompareOp op_;
    ExprPtr right_;
    const SpecialExpr* special_left_ = nullptr;
    const SpecialExpr* special_right_ = nullptr;
};

class LogicExpr : public Expr {
  public:
    LogicExpr(Origin at, bool is_and, ExprPtr left, ExprPtr right)
        : Expr(at), is_and_(is_and), left_(std::move(left)), right_(std::move(right)) {}
    const Value& Eval(RenderState& st, Value& scratch) const override;

  private:
    bool is_and_;
    ExprPtr left_;
    ExprPtr right_;
};

// ---- nodes (nodes.cpp) ----

class TextNode : public Node {
  public:
    TextNode(Origin at, std::string_view text) : Node(at), text_(text) {}
    Flow Render(RenderState& st, std::string& out) const override;
    std::string_view text() const { return text_; }

  private:
    std::string_view text_;  // into Template::Impl::sources
};

class OutputNode : public Node {
  public:
    OutputNode(Origin at, ExprPtr expr, bool escape)
        : Node(at), expr_(std::move(expr)), escape_(escape) {}
    Flow Render(RenderState& st, std::string& out) const override;
    const Expr& expr() const { return *expr_; }

  private:
    ExprPtr expr_;
    bool escape_;
};

struct Branch {
    ExprPtr condition;    // null for else
    bool negate = false;  // `unless`
    Block body;
};

class IfNode : public Node {
  public:
    explicit IfNode(Origin at) : Node(at) {}
    Flow Render(RenderState& st, std::string& out) const override;
    std::vector<Branch> branches;
};

class CaseNode : public Node {
  public:
    explicit CaseNode(Origin at) : Node(at) {}
    Flow Render(RenderState& st, std::string& out) const override;
    struct When {
        std::vector<ExprPtr> values;
        Block body;
    };
    ExprPtr subject;
    std::vector<When> whens;
    bool has_else = false;
    Block else_body;
};

class ForNode : public Node {
  public:
    explicit ForNode(Origin at) : Node(at) {}
    Flow Render(RenderState& st, std::string& out) const override;
    std::uint32_t var_slot = 0;
    std::uint32_t loop_id = 0;
    ExprPtr collection;                // or a RangeExpr
    const RangeExpr* range = nullptr;  // collection, when it is a range
    bool from_context = false;         // collection is a lookup from a Context root
    ExprPtr limit;
    ExprPtr offset;
    bool reversed = false;
    Block body;
    Block else_body;
};

class ControlNode : public Node {
  public:
    ControlNode(Origin at, Flow flow) : Node(at), flow_(flow) {}
    Flow Render(RenderState&, std::string&) const override { return flow_; }

  private:
    Flow flow_;
};

class AssignNode : public Node {
  public:
    AssignNode(Origin at, std::uint32_t slot, ExprPtr value)
        : Node(at), slot_(slot), value_(std::move(value)) {}
    Flow Render(RenderState& st, std::string& out) const override;

  private:
    std::uint32_t slot_;
    ExprPtr value_;
};

class CaptureNode : public Node {
  public:
    CaptureNode(Origin at, std::uint32_t slot) : Node(at), slot_(slot) {}
    Flow Render(RenderState& st, std::string& out) const override;
    Block body;

  private:
    std::uint32_t slot_;
};

class CounterNode : public Node {
  public:
    CounterNode(Origin at, std::uint32_t slot, bool increment)
        : Node(at), slot_(slot), increment_(increment) {}
    Flow Render(RenderState& st, std::string& out) const override;

  private:
    std::uint32_t slot_;
    bool increment_;
};

class IncludeNode : public Node {
  public:
    explicit IncludeNode(Origin at) : Node(at) {}
    Flow Render(RenderState& st, std::string& out) const override;
    std::vector<std::pair<std::uint32_t, ExprPtr>> params;
    Block body;
};

// Unicode code points in UTF-8 text (string length as Liquid counts it).
std::size_t Utf8Length(std::string_view s);
// Liquid's to_i: integers as they are, floats truncated, a string's leading integer, else 0.
std::int64_t ToInteger(const Value& v);

}  // namespace overture::render

namespace overture::render {

// What Compile() produces and Template owns.
struct Template::Impl {
    Mode mode = Mode::kHtml;
    Limits limits;
    // The texts that TextNodes point into: [0] the template, then each fragment included.
    // unique_ptr so that the views stay valid while the vector grows.
    std::vector<std::unique_ptr<const std::string>> sources;
    std::vector<std::string> source_names;  // "" for the template, else the fragment name
    Block body;
    std::uint32_t slot_count = 0;
    std::uint32_t loop_count = 0;
    TemplateInfo info;
    std::vector<LinkInfo> links;  // HTML mode: filled by FindLinks() (links.hpp)
};

}  // namespace overture::render
