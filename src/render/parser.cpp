#include "render/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <set>

#include "render/filters.hpp"
#include "render/lexer.hpp"
#include "render/links.hpp"
#include "render/source.hpp"

namespace overture::render {
namespace {

struct RootName {
    std::string_view name;
    Root root;
};
constexpr RootName kRoots[] = {
    {"profile", Root::kProfile},
    {"delivery", Root::kDelivery},
    {"event", Root::kEvent},
    {"target", Root::kTarget},
    {"unsubscribe_url", Root::kUnsubscribeUrl},
    {"mirror_url", Root::kMirrorUrl},
    {"subscription_url", Root::kSubscriptionUrl},
};

const RootName* FindRoot(std::string_view name) {
    for (const RootName& r : kRoots) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

constexpr int kMaxExprDepth = 32;               // brackets inside brackets
constexpr std::size_t kMaxConditionTerms = 64;  // operands joined by and/or

struct Src {
    std::string_view text;
    std::uint32_t index = 0;
};

// The tokens of one output or tag.
struct Toks {
    Src src;
    std::vector<Token> v;  // ends with a kEnd token
    std::size_t i = 0;
    std::string_view what;  // "tag" or "output", for messages

    const Token& peek(std::size_t ahead = 0) const { return v[std::min(i + ahead, v.size() - 1)]; }
    const Token& next() {
        const Token& t = v[std::min(i, v.size() - 1)];
        if (i < v.size() - 1) ++i;
        return t;
    }
    bool at_end() const { return peek().kind == Tok::kEnd; }
    bool IsWord(std::string_view w, std::size_t ahead = 0) const {
        return peek(ahead).kind == Tok::kIdent && peek(ahead).text == w;
    }
    Origin here() const { return {static_cast<std::uint32_t>(peek().offset), src.index}; }
};

std::string Describe(const Token& t, std::string_view what) {
    switch (t.kind) {
        case Tok::kEnd:
            return "the end of the " + std::string(what);
        case Tok::kString:
            return "a string";
        default:
            break;
    }
    std::string_view s = t.text.size() > 32 ? t.text.substr(0, 29) : t.text;
    return "'" + std::string(s) + (t.text.size() > 32 ? "...'" : "'");
}

struct FilterFlags {
    bool raw = false;           // `raw` somewhere in the chain
    bool ends_escaped = false;  // the last filter escapes already
};

class Parser {
  public:
    Parser(const CompileOptions& options, Template::Impl& impl) : opts_(options), impl_(impl) {}

    Status Run(std::string_view source);

  private:
    struct Cursor {
        Src src;
        std::vector<Segment> segs;
        std::size_t pos = 0;
    };
    struct EndTag {
        std::string_view name;  // empty: the end of the source
        const Segment* seg = nullptr;
    };

    Error ErrorAt(Origin at, std::string_view message) const;
    Origin OriginOf(const Cursor& c, std::size_t offset) const {
        return {static_cast<std::uint32_t>(offset), c.src.index};
    }
    Result<Toks> Lex(const Src& src, const Segment& seg, std::string_view what) const;
    Status ExpectEnd(const Toks& t) const;

    Result<EndTag> ParseBody(Cursor& c, Block& out, std::initializer_list<std::string_view> ends,
                             int depth);
    Status ParseTag(Cursor& c, const Segment& seg, Block& out, int depth);
    Result<EndTag> ExpectClosed(Result<EndTag> end, const Cursor& c, const Segment& opener,
                                std::string_view name, std::string_view closer) const;

    Status ParseIf(Cursor& c, const Segment& seg, Toks& t, bool unless, Block& out, int depth);
    Status ParseCase(Cursor& c, const Segment& seg, Toks& t, Block& out, int depth);
    Status ParseFor(Cursor& c, const Segment& seg, Toks& t, Block& out, int depth);
    Status ParseInclude(Cursor& c, const Segment& seg, Toks& t, Block& out, int depth);

    Result<ExprPtr> ParseFiltered(Toks& t, FilterFlags* flags);
    Result<ExprPtr> ParseCondition(Toks& t);
    Result<ExprPtr> ParseComparison(Toks& t);
    Result<ExprPtr> ParsePrimary(Toks& t, int depth);
    Result<ExprPtr> ParseLookup(Toks& t, int depth);
    Result<ExprPtr> Resolve(Origin at, std::string_view name, std::vector<Step> steps);
    Result<std::string> ParseVariableName(Toks& t);

    std::uint32_t NewSlot() { return impl_.slot_count++; }
    std::uint32_t GlobalSlot(std::string_view name);

    const CompileOptions& opts_;
    Template::Impl& impl_;
    // Variables in scope, innermost last: `for` variables and include parameters.
    std::vector<std::pair<std::string, std::uint32_t>> locals_;
    std::vector<std::uint32_t> loops_;  // ids of the enclosing `for` loops, innermost last
    std::map<std::string, std::uint32_t, std::less<>> globals_;
    std::set<std::string, std::less<>> assigned_;
    std::map<std::string, std::uint32_t, std::less<>> counters_;
    struct Pending {
        std::string name;
        LookupExpr* expr;
        Origin at;
    };
    std::vector<Pending> pending_;  // lookups of globals, checked at the end
    std::vector<Step*> profile_steps_;
    std::set<std::string> profile_fields_;
    int include_depth_ = 0;
    // Source bytes compiled so far, a fragment counted at each include: bounds the work of
    // templates that include the same fragments many times over.
    std::size_t compiled_bytes_ = 0;
    std::map<std::string, std::uint32_t, std::less<>> fragment_sources_;  // name -> sources index
    // What lenient parsing drops (filters skipped, the text before a case's first `when`) is
    // kept alive until Run() ends: pending_ and profile_steps_ may point into it.
    std::vector<ExprPtr> dropped_exprs_;
    std::vector<Block> dropped_blocks_;
};

Error Parser::ErrorAt(Origin at, std::string_view message) const {
    const std::string& text = *impl_.sources[at.source];
    Error e = render::ErrorAt(text, at.offset, message);
    if (at.source != 0) {
        const std::string& name = impl_.source_names[at.source];
        e.message = "fragment \"" + name + "\", " + e.message;
        e.details["fragment"] = name;
    }
    return e;
}

Result<Toks> Parser::Lex(const Src& src, const Segment& seg, std::string_view what) const {
    Toks t;
    t.src = src;
    t.what = what;
    MarkupLexer lex(src.text, seg.text, seg.offset);
    while (true) {
        auto tok = lex.Next();
        if (!tok) {
            Error e = tok.error();
            if (src.index != 0) {
                // Re-anchor the message on the fragment's name.
                std::size_t off = std::strtoull(e.details["offset"].c_str(), nullptr, 10);
                std::string msg = e.message.substr(e.message.find(": ") + 2);
                return Fail(ErrorAt({static_cast<std::uint32_t>(off), src.index}, msg));
            }
            return Fail(std::move(e));
        }
        t.v.push_back(*tok);
        if (tok->kind == Tok::kEnd) break;
    }
    return t;
}

Status Parser::ExpectEnd(const Toks& t) const {
    if (t.at_end()) return {};
    return Fail(ErrorAt(t.here(), "unexpected " + Describe(t.peek(), t.what)));
}

std::uint32_t Parser::GlobalSlot(std::string_view name) {
    auto it = globals_.find(name);
    if (it != globals_.end()) return it->second;
    std::uint32_t slot = NewSlot();
    globals_.emplace(std::string(name), slot);
    return slot;
}

Status Parser::Run(std::string_view source) {
    impl_.sources.push_back(std::make_unique<const std::string>(source));
    impl_.source_names.emplace_back();
    if (source.size() > opts_.limits.max_source_bytes) {
        return Fail(Error::InvalidArgument("the template is larger than " +
                                           std::to_string(opts_.limits.max_source_bytes) + " bytes")
                        .With("limit", "maxSourceBytes"));
    }
    compiled_bytes_ = source.size();
    Cursor c;
    c.src = {*impl_.sources[0], 0};
    auto segs = Split(c.src.text);
    if (!segs) return Fail(segs.error());
    c.segs = std::move(*segs);
    auto end = ParseBody(c, impl_.body, {}, 0);
    if (!end) return Fail(end.error());

    for (const Pending& p : pending_) {
        if (assigned_.contains(p.name)) continue;
        auto counter = counters_.find(p.name);
        if (counter != counters_.end()) {
            p.expr->slot = counter->second;
            continue;
        }
        if (opts_.strict) {
            return Fail(ErrorAt(p.at, "unknown variable '" + p.name + "'"));
        }
        p.expr->base = LookupExpr::Base::kNil;
    }
    impl_.info.profile_fields.assign(profile_fields_.begin(), profile_fields_.end());
    for (Step* s : profile_steps_) {
        auto it = std::lower_bound(impl_.info.profile_fields.begin(),
                                   impl_.info.profile_fields.end(), s->key);
        s->hint.set(static_cast<std::uint32_t>(it - impl_.info.profile_fields.begin()));
    }
    return {};
}

Result<Parser::EndTag> Parser::ParseBody(Cursor& c, Block& out,
                                         std::initializer_list<std::string_view> ends, int depth) {
    while (c.pos < c.segs.size()) {
        const Segment& seg = c.segs[c.pos++];
        Origin at = OriginOf(c, seg.open);
        switch (seg.kind) {
            case Segment::Kind::kText:
                out.push_back(std::make_unique<TextNode>(at, seg.text));
                break;
            case Segment::Kind::kOutput: {
                auto t = Lex(c.src, seg, "output");
                if (!t) return Fail(t.error());
                if (t->at_end()) break;  // `{{ }}` renders nothing
                FilterFlags flags;
                auto e = ParseFiltered(*t, &flags);
                if (!e) return Fail(e.error());
                if (auto st = ExpectEnd(*t); !st) return Fail(st.error());
                bool escape = opts_.mode == Mode::kHtml && !flags.raw && !flags.ends_escaped;
                out.push_back(std::make_unique<OutputNode>(at, std::move(*e), escape));
                break;
            }
            case Segment::Kind::kTag: {
                auto t = Lex(c.src, seg, "tag");
                if (!t) return Fail(t.error());
                if (t->peek().kind != Tok::kIdent) {
                    return Fail(ErrorAt(
                        t->here(), "expected a tag name, found " + Describe(t->peek(), "tag")));
                }
                std::string_view name = t->peek().text;
                for (std::string_view e : ends) {
                    if (name == e) return EndTag{name, &seg};
                }
                if (name.starts_with("end") || name == "else" || name == "elsif" ||
                    name == "when") {
                    return Fail(ErrorAt(t->here(), "unexpected '" + std::string(name) + "'"));
                }
                if (auto st = ParseTag(c, seg, out, depth); !st) return Fail(st.error());
                break;
            }
        }
    }
    return EndTag{};
}

Result<Parser::EndTag> Parser::ExpectClosed(Result<EndTag> end, const Cursor& c,
                                            const Segment& opener, std::string_view name,
                                            std::string_view closer) const {
    if (!end) return end;
    if (end->name.empty()) {
        return Fail(ErrorAt(
            OriginOf(c, opener.open),
            "'" + std::string(name) + "' is not closed by '{% " + std::string(closer) + " %}'"));
    }
    return end;
}

Status Parser::ParseTag(Cursor& c, const Segment& seg, Block& out, int depth) {
    auto toks = Lex(c.src, seg, "tag");
    if (!toks) return Fail(toks.error());
    Toks& t = *toks;
    Origin at = t.here();
    std::string_view name = t.next().text;
    auto block_tag = name == "if" || name == "unless" || name == "case" || name == "for" ||
                     name == "capture" || name == "include";
    if (block_tag && depth >= opts_.limits.max_nesting) {
        return Fail(ErrorAt(at, "blocks are nested more than " +
                                    std::to_string(opts_.limits.max_nesting) + " deep")
                        .With("limit", "maxNesting"));
    }
    if (name == "if" || name == "unless") return ParseIf(c, seg, t, name == "unless", out, depth);
    if (name == "case") return ParseCase(c, seg, t, out, depth);
    if (name == "for") return ParseFor(c, seg, t, out, depth);
    if (name == "include") return ParseInclude(c, seg, t, out, depth);
    if (name == "assign") {
        auto var = ParseVariableName(t);
        if (!var) return Fail(var.error());
        if (t.peek().kind != Tok::kAssign) {
            return Fail(ErrorAt(t.here(), "expected '=', found " + Describe(t.peek(), "tag")));
        }
        t.next();
        auto e = ParseFiltered(t, nullptr);
        if (!e) return Fail(e.error());
        if (auto st = ExpectEnd(t); !st) return st;
        std::uint32_t slot = GlobalSlot(*var);
        assigned_.insert(*var);
        out.push_back(std::make_unique<AssignNode>(at, slot, std::move(*e)));
        return {};
    }
    if (name == "capture") {
        std::string var;
        if (t.peek().kind == Tok::kString) {
            var = std::string(t.next().text);
        } else {
            auto v = ParseVariableName(t);
            if (!v) return Fail(v.error());
            var = *v;
        }
        if (auto st = ExpectEnd(t); !st) return st;
        auto node = std::make_unique<CaptureNode>(at, GlobalSlot(var));
        assigned_.insert(var);
        auto end = ExpectClosed(ParseBody(c, node->body, {"endcapture"}, depth + 1), c, seg,
                                "capture", "endcapture");
        if (!end) return Fail(end.error());
        out.push_back(std::move(node));
        return {};
    }
    if (name == "increment" || name == "decrement") {
        auto var = ParseVariableName(t);
        if (!var) return Fail(var.error());
        if (auto st = ExpectEnd(t); !st) return st;
        auto it = counters_.find(*var);
        std::uint32_t slot = it != counters_.end() ? it->second : NewSlot();
        counters_.emplace(*var, slot);
        out.push_back(std::make_unique<CounterNode>(at, slot, name == "increment"));
        return {};
    }
    if (name == "break" || name == "continue") {
        if (loops_.empty()) {
            return Fail(ErrorAt(at, "'" + std::string(name) + "' outside a for loop"));
        }
        if (auto st = ExpectEnd(t); !st) return st;
        out.push_back(
            std::make_unique<ControlNode>(at, name == "break" ? Flow::kBreak : Flow::kContinue));
        return {};
    }
    if (name == "echo") {
        FilterFlags flags;
        auto e = ParseFiltered(t, &flags);
        if (!e) return Fail(e.error());
        if (auto st = ExpectEnd(t); !st) return st;
        bool escape = opts_.mode == Mode::kHtml && !flags.raw && !flags.ends_escaped;
        out.push_back(std::make_unique<OutputNode>(at, std::move(*e), escape));
        return {};
    }
    return Fail(ErrorAt(at, "unknown tag '" + std::string(name) + "'"));
}

Result<std::string> Parser::ParseVariableName(Toks& t) {
    if (t.peek().kind != Tok::kIdent) {
        return Fail(
            ErrorAt(t.here(), "expected a variable name, found " + Describe(t.peek(), t.what)));
    }
    Origin at = t.here();
    std::string name(t.next().text);
    if (FindRoot(name) != nullptr || name == "forloop") {
        return Fail(ErrorAt(at, "'" + name + "' is a built-in object and cannot be assigned"));
    }
    return name;
}

Status Parser::ParseIf(Cursor& c, const Segment& seg, Toks& t, bool unless, Block& out, int depth) {
    auto node = std::make_unique<IfNode>(OriginOf(c, seg.open));
    std::string_view tag = unless ? "unless" : "if";
    std::string_view closer = unless ? "endunless" : "endif";
    auto cond = ParseCondition(t);
    if (!cond) return Fail(cond.error());
    if (auto st = ExpectEnd(t); !st) return st;
    Branch first;
    first.condition = std::move(*cond);
    first.negate = unless;
    node->branches.push_back(std::move(first));
    bool seen_else = false;
    while (true) {
        Branch& b = node->branches.back();
        auto end =
            ExpectClosed(seen_else ? ParseBody(c, b.body, {closer}, depth + 1)
                                   : ParseBody(c, b.body, {"elsif", "else", closer}, depth + 1),
                         c, seg, tag, closer);
        if (!end) return Fail(end.error());
        auto et = Lex(c.src, *end->seg, "tag");
        if (!et) return Fail(et.error());
        et->next();
        if (end->name == closer) {
            if (auto st = ExpectEnd(*et); !st) return st;
            break;
        }
        Branch next;
        if (end->name == "elsif") {
            auto c2 = ParseCondition(*et);
            if (!c2) return Fail(c2.error());
            next.condition = std::move(*c2);
        } else {
            seen_else = true;
        }
        if (auto st = ExpectEnd(*et); !st) return st;
        node->branches.push_back(std::move(next));
    }
    out.push_back(std::move(node));
    return {};
}

Status Parser::ParseCase(Cursor& c, const Segment& seg, Toks& t, Block& out, int depth) {
    auto node = std::make_unique<CaseNode>(OriginOf(c, seg.open));
    auto subject = ParsePrimary(t, 0);
    if (!subject) return Fail(subject.error());
    if (auto st = ExpectEnd(t); !st) return st;
    node->subject = std::move(*subject);
    // What stands between `case` and the first `when` is parsed and dropped, as in Liquid.
    Block ignored;
    auto end = ExpectClosed(ParseBody(c, ignored, {"when", "else", "endcase"}, depth + 1), c, seg,
                            "case", "endcase");
    dropped_blocks_.push_back(std::move(ignored));
    if (!end) return Fail(end.error());
    while (end->name != "endcase") {
        auto et = Lex(c.src, *end->seg, "tag");
        if (!et) return Fail(et.error());
        et->next();
        Block* body = nullptr;
        bool is_else = end->name == "else";
        if (!is_else) {
            CaseNode::When w;
            while (true) {
                auto v = ParsePrimary(*et, 0);
                if (!v) return Fail(v.error());
                w.values.push_back(std::move(*v));
                if (et->peek().kind == Tok::kComma || et->IsWord("or")) {
                    et->next();
                    continue;
                }
                break;
            }
            node->whens.push_back(std::move(w));
            body = &node->whens.back().body;
        } else {
            node->has_else = true;
            body = &node->else_body;
        }
        if (auto st = ExpectEnd(*et); !st) return st;
        end = ExpectClosed(is_else ? ParseBody(c, *body, {"endcase"}, depth + 1)
                                   : ParseBody(c, *body, {"when", "else", "endcase"}, depth + 1),
                           c, seg, "case", "endcase");
        if (!end) return Fail(end.error());
    }
    auto et = Lex(c.src, *end->seg, "tag");
    if (!et) return Fail(et.error());
    et->next();
    if (auto st = ExpectEnd(*et); !st) return st;
    out.push_back(std::move(node));
    return {};
}

Status Parser::ParseFor(Cursor& c, const Segment& seg, Toks& t, Block& out, int depth) {
    auto node = std::make_unique<ForNode>(OriginOf(c, seg.open));
    if (t.peek().kind != Tok::kIdent) {
        return Fail(
            ErrorAt(t.here(), "expected a loop variable, found " + Describe(t.peek(), "tag")));
    }
    std::string var(t.next().text);
    if (!t.IsWord("in")) {
        return Fail(ErrorAt(t.here(), "expected 'in', found " + Describe(t.peek(), "tag")));
    }
    t.next();
    auto coll = ParsePrimary(t, 0);
    if (!coll) return Fail(coll.error());
    node->collection = std::move(*coll);
    node->range = dynamic_cast<const RangeExpr*>(node->collection.get());
    if (const auto* l = dynamic_cast<const LookupExpr*>(node->collection.get())) {
        node->from_context = l->base == LookupExpr::Base::kRoot;
    }
    while (!t.at_end()) {
        if (t.peek().kind == Tok::kComma) {
            t.next();
            continue;
        }
        if (t.IsWord("reversed")) {
            t.next();
            node->reversed = true;
            continue;
        }
        if ((t.IsWord("limit") || t.IsWord("offset")) && t.peek(1).kind == Tok::kColon) {
            bool is_limit = t.next().text == "limit";
            t.next();
            if (t.IsWord("continue")) {
                return Fail(ErrorAt(t.here(), "'offset: continue' is not supported"));
            }
            auto v = ParsePrimary(t, 0);
            if (!v) return Fail(v.error());
            (is_limit ? node->limit : node->offset) = std::move(*v);
            continue;
        }
        return Fail(ErrorAt(t.here(), "unexpected " + Describe(t.peek(), "tag")));
    }
    node->var_slot = NewSlot();
    node->loop_id = impl_.loop_count++;
    locals_.emplace_back(var, node->var_slot);
    loops_.push_back(node->loop_id);
    auto end = ExpectClosed(ParseBody(c, node->body, {"else", "endfor"}, depth + 1), c, seg, "for",
                            "endfor");
    loops_.pop_back();
    locals_.pop_back();
    if (!end) return Fail(end.error());
    auto et = Lex(c.src, *end->seg, "tag");
    if (!et) return Fail(et.error());
    et->next();
    if (auto st = ExpectEnd(*et); !st) return st;
    if (end->name == "else") {
        auto end2 = ExpectClosed(ParseBody(c, node->else_body, {"endfor"}, depth + 1), c, seg,
                                 "for", "endfor");
        if (!end2) return Fail(end2.error());
        auto et2 = Lex(c.src, *end2->seg, "tag");
        if (!et2) return Fail(et2.error());
        et2->next();
        if (auto st = ExpectEnd(*et2); !st) return st;
    }
    out.push_back(std::move(node));
    return {};
}

Status Parser::ParseInclude(Cursor& c, const Segment& seg, Toks& t, Block& out, int depth) {
    Origin at = OriginOf(c, seg.open);
    if (t.peek().kind != Tok::kString) {
        return Fail(ErrorAt(
            t.here(), "expected a fragment name in quotes, found " + Describe(t.peek(), "tag")));
    }
    Origin name_at = t.here();
    std::string name(t.next().text);
    auto node = std::make_unique<IncludeNode>(at);
    std::vector<std::pair<std::string, ExprPtr>> params;
    if (t.IsWord("with")) {
        t.next();
        auto v = ParsePrimary(t, 0);
        if (!v) return Fail(v.error());
        std::string alias =
            name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
        params.emplace_back(alias, std::move(*v));
    }
    while (!t.at_end()) {
        if (t.peek().kind == Tok::kComma) {
            t.next();
            continue;
        }
        if (t.peek().kind != Tok::kIdent || t.peek(1).kind != Tok::kColon) {
            return Fail(
                ErrorAt(t.here(), "expected 'name: value', found " + Describe(t.peek(), "tag")));
        }
        std::string key(t.next().text);
        t.next();
        auto v = ParsePrimary(t, 0);
        if (!v) return Fail(v.error());
        params.emplace_back(key, std::move(*v));
    }
    if (include_depth_ >= opts_.limits.max_include_depth) {
        return Fail(ErrorAt(at, "fragments are included more than " +
                                    std::to_string(opts_.limits.max_include_depth) +
                                    " deep (does a fragment include itself?)")
                        .With("limit", "maxIncludeDepth"));
    }
    // Each fragment's text is asked for and stored once; a fragment included in several places
    // is compiled at each (its variables and loops may differ).
    std::uint32_t index = 0;
    if (auto known = fragment_sources_.find(name); known != fragment_sources_.end()) {
        index = known->second;
    } else {
        std::optional<std::string> text;
        if (opts_.fragments) text = opts_.fragments(name);
        if (!text) return Fail(ErrorAt(name_at, "unknown fragment \"" + name + "\""));
        if (text->size() > opts_.limits.max_source_bytes) {
            return Fail(ErrorAt(name_at, "fragment \"" + name + "\" is larger than " +
                                             std::to_string(opts_.limits.max_source_bytes) +
                                             " bytes"));
        }
        impl_.info.fragments.push_back(name);
        index = static_cast<std::uint32_t>(impl_.sources.size());
        impl_.sources.push_back(std::make_unique<const std::string>(std::move(*text)));
        impl_.source_names.push_back(name);
        fragment_sources_.emplace(name, index);
    }
    compiled_bytes_ += impl_.sources[index]->size();
    if (compiled_bytes_ > 4 * opts_.limits.max_source_bytes) {
        return Fail(ErrorAt(at, "the template with its fragments is larger than " +
                                    std::to_string(4 * opts_.limits.max_source_bytes) +
                                    " bytes (fragments are counted at each include)")
                        .With("limit", "maxSourceBytes"));
    }

    std::size_t scope = locals_.size();
    for (auto& [key, expr] : params) {
        std::uint32_t slot = NewSlot();
        node->params.emplace_back(slot, std::move(expr));
        locals_.emplace_back(key, slot);
    }
    Cursor fc;
    fc.src = {*impl_.sources[index], index};
    auto segs = Split(fc.src.text);
    if (!segs) {
        // Re-anchor the lexer's error on the fragment.
        Error e = segs.error();
        std::size_t off = std::strtoull(e.details["offset"].c_str(), nullptr, 10);
        locals_.resize(scope);
        return Fail(ErrorAt({static_cast<std::uint32_t>(off), index},
                            e.message.substr(e.message.find(": ") + 2)));
    }
    fc.segs = std::move(*segs);
    ++include_depth_;
    auto end = ParseBody(fc, node->body, {}, depth + 1);
    --include_depth_;
    locals_.resize(scope);
    if (!end) return Fail(end.error());
    out.push_back(std::move(node));
    return {};
}

Result<ExprPtr> Parser::ParseFiltered(Toks& t, FilterFlags* flags) {
    auto input = ParsePrimary(t, 0);
    if (!input) return input;
    if (t.peek().kind != Tok::kPipe) return input;
    auto chain = std::make_unique<FilterExpr>((*input)->at(), std::move(*input));
    while (t.peek().kind == Tok::kPipe) {
        t.next();
        if (t.peek().kind != Tok::kIdent) {
            return Fail(
                ErrorAt(t.here(), "expected a filter name, found " + Describe(t.peek(), t.what)));
        }
        Origin at = t.here();
        std::string_view name = t.next().text;
        std::vector<ExprPtr> positional;
        std::vector<std::pair<Token, ExprPtr>> keywords;
        if (t.peek().kind == Tok::kColon) {
            t.next();
            while (true) {
                if (t.peek().kind == Tok::kIdent && t.peek(1).kind == Tok::kColon) {
                    Token key = t.next();
                    t.next();
                    auto v = ParsePrimary(t, 0);
                    if (!v) return Fail(v.error());
                    keywords.emplace_back(key, std::move(*v));
                } else {
                    auto v = ParsePrimary(t, 0);
                    if (!v) return Fail(v.error());
                    positional.push_back(std::move(*v));
                }
                if (t.peek().kind != Tok::kComma) break;
                t.next();
            }
        }
        if (flags != nullptr) {
            if (name == "raw") flags->raw = true;
            flags->ends_escaped = false;  // set below once the filter is known to be kept
        }
        auto drop = [&] {
            for (ExprPtr& e : positional) dropped_exprs_.push_back(std::move(e));
            for (auto& kw : keywords) dropped_exprs_.push_back(std::move(kw.second));
        };
        const FilterSpec* spec = FindFilter(name);
        if (spec == nullptr) {
            if (opts_.strict) {
                return Fail(ErrorAt(at, "unknown filter '" + std::string(name) + "'"));
            }
            drop();
            continue;  // lenient: the input passes through
        }
        if (positional.size() < spec->min_args || positional.size() > spec->max_args) {
            if (opts_.strict) {
                std::string want =
                    spec->min_args == spec->max_args
                        ? std::to_string(spec->min_args)
                        : std::to_string(spec->min_args) + " to " + std::to_string(spec->max_args);
                return Fail(
                    ErrorAt(at, "filter '" + std::string(name) + "' takes " + want + " argument" +
                                    (spec->max_args == 1 && spec->min_args == 1 ? "" : "s") +
                                    ", got " + std::to_string(positional.size())));
            }
            drop();
            continue;
        }
        // Only a kept filter escapes: a lenient `escape: 1` is dropped and must not turn
        // auto-escaping off.
        if (flags != nullptr) {
            flags->ends_escaped = name == "escape" || name == "escape_once" || name == "h";
        }
        FilterCall call;
        call.fn = spec->fn;
        call.at = at;
        call.args = std::move(positional);
        for (auto& [key, value] : keywords) {
            auto it = std::find(spec->keywords.begin(), spec->keywords.end(), key.text);
            if (it == spec->keywords.end()) {
                if (opts_.strict) {
                    return Fail(ErrorAt({static_cast<std::uint32_t>(key.offset), t.src.index},
                                        "filter '" + std::string(name) + "' has no option '" +
                                            std::string(key.text) + "'"));
                }
                dropped_exprs_.push_back(std::move(value));
                continue;
            }
            std::size_t pos =
                spec->max_args + static_cast<std::size_t>(it - spec->keywords.begin());
            if (call.args.size() <= pos) call.args.resize(pos + 1);
            call.args[pos] = std::move(value);
        }
        chain->Add(std::move(call));
    }
    if (chain->empty()) {
        // Every filter was dropped (lenient): keep the chain anyway, it returns its input.
    }
    return ExprPtr(std::move(chain));
}

Result<ExprPtr> Parser::ParseCondition(Toks& t) {
    std::vector<ExprPtr> terms;
    std::vector<bool> is_and;
    while (true) {
        auto term = ParseComparison(t);
        if (!term) return term;
        terms.push_back(std::move(*term));
        if (t.IsWord("and") || t.IsWord("or")) {
            if (terms.size() >= kMaxConditionTerms) {
                return Fail(ErrorAt(t.here(), "more than " + std::to_string(kMaxConditionTerms) +
                                                  " terms joined by and/or"));
            }
            is_and.push_back(t.next().text == "and");
            continue;
        }
        break;
    }
    // Liquid groups from the right: `a or b and c` is `a or (b and c)`, `a and b or c` is
    // `a and (b or c)`.
    ExprPtr result = std::move(terms.back());
    for (std::size_t i = is_and.size(); i-- > 0;) {
        Origin at = terms[i]->at();
        result = std::make_unique<LogicExpr>(at, is_and[i], std::move(terms[i]), std::move(result));
    }
    return result;
}

Result<ExprPtr> Parser::ParseComparison(Toks& t) {
    auto left = ParsePrimary(t, 0);
    if (!left) return left;
    CompareOp op;
    const Token& tok = t.peek();
    if (tok.kind == Tok::kCompare) {
        std::string_view s = tok.text;
        op = s == "=="                  ? CompareOp::kEq
             : (s == "!=" || s == "<>") ? CompareOp::kNe
             : s == "<"                 ? CompareOp::kLt
             : s == ">"                 ? CompareOp::kGt
             : s == "<="                ? CompareOp::kLe
                                        : CompareOp::kGe;
    } else if (t.IsWord("contains")) {
        op = CompareOp::kContains;
    } else {
        return left;
    }
    Origin at = (*left)->at();
    t.next();
    auto right = ParsePrimary(t, 0);
    if (!right) return right;
    return ExprPtr(std::make_unique<CompareExpr>(at, std::move(*left), op, std::move(*right)));
}

Result<ExprPtr> Parser::ParsePrimary(Toks& t, int depth) {
    Origin at = t.here();
    if (depth > kMaxExprDepth) {
        return Fail(
            ErrorAt(at, "expression nested more than " + std::to_string(kMaxExprDepth) + " deep"));
    }
    const Token& tok = t.peek();
    switch (tok.kind) {
        case Tok::kString:
            return ExprPtr(std::make_unique<LiteralExpr>(at, Value(t.next().text)));
        case Tok::kInt: {
            std::int64_t v = 0;
            auto res = std::from_chars(tok.text.data(), tok.text.data() + tok.text.size(), v);
            if (res.ec != std::errc()) return Fail(ErrorAt(at, "integer out of range"));
            t.next();
            return ExprPtr(std::make_unique<LiteralExpr>(at, Value(v)));
        }
        case Tok::kFloat: {
            double d = std::strtod(std::string(tok.text).c_str(), nullptr);
            t.next();
            return ExprPtr(std::make_unique<LiteralExpr>(at, Value(d)));
        }
        case Tok::kLParen: {
            t.next();
            auto from = ParsePrimary(t, depth + 1);
            if (!from) return from;
            if (t.peek().kind != Tok::kDotDot) {
                return Fail(ErrorAt(
                    t.here(), "expected '..' in a range, found " + Describe(t.peek(), t.what)));
            }
            t.next();
            auto to = ParsePrimary(t, depth + 1);
            if (!to) return to;
            if (t.peek().kind != Tok::kRParen) {
                return Fail(ErrorAt(
                    t.here(), "expected ')' after a range, found " + Describe(t.peek(), t.what)));
            }
            t.next();
            return ExprPtr(std::make_unique<RangeExpr>(at, std::move(*from), std::move(*to)));
        }
        case Tok::kIdent: {
            std::string_view w = tok.text;
            if (t.peek(1).kind != Tok::kDot && t.peek(1).kind != Tok::kLBracket) {
                if (w == "true" || w == "false") {
                    t.next();
                    return ExprPtr(std::make_unique<LiteralExpr>(at, Value(w == "true")));
                }
                if (w == "nil" || w == "null") {
                    t.next();
                    return ExprPtr(std::make_unique<LiteralExpr>(at, Value()));
                }
                if (w == "empty" || w == "blank") {
                    t.next();
                    return ExprPtr(std::make_unique<SpecialExpr>(
                        at, w == "empty" ? SpecialExpr::Kind::kEmpty : SpecialExpr::Kind::kBlank));
                }
            }
            return ParseLookup(t, depth);
        }
        default:
            return Fail(ErrorAt(at, "expected a value, found " + Describe(tok, t.what)));
    }
}

Result<ExprPtr> Parser::ParseLookup(Toks& t, int depth) {
    Origin at = t.here();
    std::string_view name = t.next().text;
    std::vector<Step> steps;
    while (true) {
        if (t.peek().kind == Tok::kDot) {
            t.next();
            Step s;
            if (t.peek().kind == Tok::kIdent) {
                s.key = std::string(t.next().text);
            } else if (t.peek().kind == Tok::kInt) {
                s.kind = Step::Kind::kIndex;
                s.index = std::strtoll(std::string(t.next().text).c_str(), nullptr, 10);
            } else {
                return Fail(ErrorAt(
                    t.here(), "expected a name after '.', found " + Describe(t.peek(), t.what)));
            }
            steps.push_back(std::move(s));
        } else if (t.peek().kind == Tok::kLBracket) {
            t.next();
            auto key = ParsePrimary(t, depth + 1);
            if (!key) return key;
            if (t.peek().kind != Tok::kRBracket) {
                return Fail(ErrorAt(t.here(), "expected ']', found " + Describe(t.peek(), t.what)));
            }
            t.next();
            Step s;
            auto* lit = dynamic_cast<const LiteralExpr*>(key->get());
            if (lit != nullptr && lit->value().is_string()) {
                s.key = lit->value().as_string();
                s.command = false;
            } else if (lit != nullptr && lit->value().is_int()) {
                s.kind = Step::Kind::kIndex;
                s.index = lit->value().as_int();
            } else {
                s.kind = Step::Kind::kDynamic;
                s.dynamic = std::move(*key);
            }
            steps.push_back(std::move(s));
        } else {
            break;
        }
    }
    return Resolve(at, name, std::move(steps));
}

Result<ExprPtr> Parser::Resolve(Origin at, std::string_view name, std::vector<Step> steps) {
    // A `for` variable or an include parameter, innermost first.
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
        if (it->first == name) {
            auto e = std::make_unique<LookupExpr>(at);
            e->base = LookupExpr::Base::kSlot;
            e->slot = it->second;
            e->steps = std::move(steps);
            return ExprPtr(std::move(e));
        }
    }
    if (name == "forloop" && !loops_.empty()) {
        for (Step& s : steps) {
            if (s.dynamic) dropped_exprs_.push_back(std::move(s.dynamic));
        }
        std::size_t loop = loops_.size() - 1;
        std::size_t i = 0;
        while (i < steps.size() && steps[i].kind == Step::Kind::kKey &&
               steps[i].key == "parentloop" && loop > 0) {
            --loop;
            ++i;
        }
        using F = ForloopExpr::Field;
        F field = F::kObject;
        if (i < steps.size()) {
            static const std::pair<std::string_view, F> kFields[] = {
                {"index", F::kIndex},     {"index0", F::kIndex0}, {"rindex", F::kRindex},
                {"rindex0", F::kRindex0}, {"first", F::kFirst},   {"last", F::kLast},
                {"length", F::kLength},
            };
            const auto* f =
                std::find_if(std::begin(kFields), std::end(kFields), [&](const auto& p) {
                    return steps[i].kind == Step::Kind::kKey && p.first == steps[i].key;
                });
            if (f == std::end(kFields) || i + 1 != steps.size()) {
                if (opts_.strict) return Fail(ErrorAt(at, "unknown forloop property"));
                return ExprPtr(std::make_unique<LiteralExpr>(at, Value()));
            }
            field = f->second;
        }
        return ExprPtr(std::make_unique<ForloopExpr>(at, loops_[loop], field));
    }
    if (const RootName* root = FindRoot(name)) {
        auto e = std::make_unique<LookupExpr>(at);
        e->base = LookupExpr::Base::kRoot;
        e->root = root->root;
        e->steps = std::move(steps);
        if (root->root == Root::kProfile) {
            if (e->steps.empty() || e->steps[0].kind != Step::Kind::kKey) {
                impl_.info.whole_profile = true;
            } else {
                profile_fields_.insert(e->steps[0].key);
                profile_steps_.push_back(&e->steps[0]);
            }
        }
        return ExprPtr(std::move(e));
    }
    // A variable assigned somewhere (maybe later in the text); checked at the end.
    auto e = std::make_unique<LookupExpr>(at);
    e->base = LookupExpr::Base::kSlot;
    e->slot = GlobalSlot(name);
    e->steps = std::move(steps);
    pending_.push_back({std::string(name), e.get(), at});
    return ExprPtr(std::move(e));
}

}  // namespace

Result<std::unique_ptr<Template::Impl>> Parse(std::string_view source,
                                              const CompileOptions& options) {
    auto impl = std::make_unique<Template::Impl>();
    impl->mode = options.mode;
    impl->limits = options.limits;
    Parser parser(options, *impl);
    if (auto st = parser.Run(source); !st) return Fail(st.error());
    if (options.mode == Mode::kHtml) FindLinks(*impl);
    return impl;
}

}  // namespace overture::render
