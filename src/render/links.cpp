// Finding `<a href>` links in the compiled tree and rendering them (links.hpp).
//
// Approach: each block is scanned as a sequence of text nodes with a small HTML state machine
// (content, inside a tag with its quotes, inside a comment) carried from one text node to the
// next; outputs and tags between them are skipped, nested blocks are scanned on their own. At
// `<a` followed by whitespace, the opening tag is read attribute by attribute across text
// nodes and outputs; a Liquid tag (`{% if %}`) inside the opening tag, or the end of the block
// before its `>`, means the link is left alone (not found). The label and the sources come
// from the template text itself: every node of one block points into the same source.
#include "render/links.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/strings.hpp"

namespace overture::render {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IStartsWith(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (Lower(s[i]) != prefix[i]) return false;
    }
    return true;
}
std::string_view Trim(std::string_view s) {
    while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
    return s;
}

const TextNode* AsText(const NodePtr& n) { return dynamic_cast<const TextNode*>(n.get()); }
const OutputNode* AsOutput(const NodePtr& n) { return dynamic_cast<const OutputNode*>(n.get()); }

// A position in a block: a node and, in a text node, a byte offset into its text.
struct Pos {
    std::size_t node = 0;
    std::size_t off = 0;
};

// Reads an opening tag character by character across the text nodes and outputs of a block.
class Reader {
  public:
    enum class At { kChar, kOutput, kStop };  // kStop: another node or the end of the block
    Reader(const Block& block, Pos p) : block_(block), p_(p) { Normalize(); }
    At what() const {
        if (p_.node >= block_.size()) return At::kStop;
        if (AsText(block_[p_.node]) != nullptr) return At::kChar;
        return AsOutput(block_[p_.node]) != nullptr ? At::kOutput : At::kStop;
    }
    bool IsChar() const { return what() == At::kChar; }
    char ch() const { return AsText(block_[p_.node])->text()[p_.off]; }
    void Advance() {
        if (what() == At::kChar) {
            ++p_.off;
        } else {
            ++p_.node;
            p_.off = 0;
        }
        Normalize();
    }
    void SkipSpaces() {
        while (IsChar() && IsSpace(ch())) Advance();
    }
    Pos pos() const { return p_; }

  private:
    // Moves off the end of a text node (and over empty ones).
    void Normalize() {
        while (p_.node < block_.size()) {
            const TextNode* t = AsText(block_[p_.node]);
            if (t == nullptr || p_.off < t->text().size()) return;
            ++p_.node;
            p_.off = 0;
        }
    }
    const Block& block_;
    Pos p_;
};

struct Attr {
    std::string name;  // lower case
    Pos start;         // the whitespace before the name
    Pos value_start;   // the value, without its quotes
    Pos value_end;
    Pos end;  // after the value and its closing quote
};

struct OpeningTag {
    std::vector<Attr> attrs;
    Pos gt;          // the `>`; where reading stopped when ReadTag() fails
    char quote = 0;  // when ReadTag() fails inside a quoted value: its quote
    const Attr* Find(std::string_view name) const {
        for (const Attr& a : attrs) {
            if (a.name == name) return &a;
        }
        return nullptr;
    }
};

// Reads the attributes from just after `<a` up to the `>`; false when the tag is not made of
// text and outputs (in attribute values) only, with tag.gt where reading stopped.
bool ReadTag(const Block& block, Pos after_name, OpeningTag& tag) {
    Reader r(block, after_name);
    auto stop = [&](char quote) {
        tag.gt = r.pos();
        tag.quote = quote;
        return false;
    };
    while (true) {
        Pos ws = r.pos();
        while (r.IsChar() && (IsSpace(r.ch()) || r.ch() == '/')) r.Advance();
        if (!r.IsChar()) return stop(0);
        if (r.ch() == '>') {
            tag.gt = r.pos();
            return true;
        }
        Attr a;
        a.start = ws;
        while (r.IsChar() && !IsSpace(r.ch()) && r.ch() != '=' && r.ch() != '>' && r.ch() != '/') {
            a.name += Lower(r.ch());
            r.Advance();
        }
        if (!r.IsChar()) return stop(0);
        Pos name_end = r.pos();
        r.SkipSpaces();
        if (r.IsChar() && r.ch() == '=') {
            r.Advance();
            r.SkipSpaces();
            if (r.IsChar() && (r.ch() == '"' || r.ch() == '\'')) {
                char quote = r.ch();
                r.Advance();
                a.value_start = r.pos();
                while (!(r.IsChar() && r.ch() == quote)) {
                    if (r.what() == Reader::At::kStop) return stop(quote);
                    r.Advance();
                }
                a.value_end = r.pos();
                r.Advance();
            } else {
                a.value_start = r.pos();
                while (r.what() == Reader::At::kOutput ||
                       (r.IsChar() && !IsSpace(r.ch()) && r.ch() != '>')) {
                    r.Advance();
                }
                if (r.what() == Reader::At::kStop) return stop(0);
                a.value_end = r.pos();
            }
            a.end = r.pos();
        } else {
            a.value_start = a.value_end = a.end = name_end;
        }
        tag.attrs.push_back(std::move(a));
    }
}

bool Before(Pos a, Pos b) { return a.node < b.node || (a.node == b.node && a.off < b.off); }

// Moves [from, to) of the block into pieces: views of the text, the outputs themselves.
void Collect(Block& block, Pos from, Pos to, std::vector<LinkPiece>& out) {
    for (std::size_t i = from.node; i <= to.node && i < block.size(); ++i) {
        if (const TextNode* t = AsText(block[i])) {
            std::size_t b = i == from.node ? from.off : 0;
            std::size_t e = i == to.node ? to.off : t->text().size();
            if (e > b) out.push_back({t->text().substr(b, e - b), nullptr});
        } else if (i < to.node && block[i]) {
            out.push_back({{}, std::move(block[i])});
        }
    }
}

// Collects [from, to) without the removed attributes.
void CollectKeeping(Block& block, Pos from, Pos to, const std::vector<const Attr*>& removed,
                    std::vector<LinkPiece>& out) {
    Pos at = from;
    for (const Attr* a : removed) {
        if (Before(a->start, from) || !Before(a->start, to)) continue;
        Collect(block, at, a->start, out);
        at = a->end;
    }
    Collect(block, at, to, out);
}

class Finder {
  public:
    explicit Finder(Template::Impl& impl) : impl_(impl) {}
    void Scan(Block& block);

  private:
    // Where a position is in the source text the block's nodes point into.
    const char* Ptr(const Block& block, Pos p) const {
        if (p.node >= block.size()) return nullptr;
        if (const TextNode* t = AsText(block[p.node])) return t->text().data() + p.off;
        Origin o = block[p.node]->at();
        return impl_.sources[o.source]->data() + o.offset;
    }
    std::string_view Source(const Block& block, Pos from, Pos to) const {
        const char* b = Ptr(block, from);
        const char* e = Ptr(block, to);
        if (b == nullptr || e == nullptr || e < b) return {};
        return {b, static_cast<std::size_t>(e - b)};
    }
    // Where scanning goes on after an `<a`, and in which state.
    struct Resume {
        Pos at;
        bool taken = false;  // a link: `out` holds everything before `at`
        bool in_tag = false;
        char quote = 0;
    };
    // When the opening tag starting at `lt` (the `<`) is a link: appends the text before it
    // and a LinkNode to `out` (the block being rebuilt), the nodes of the tag are dead.
    // Scanning resumes after what was read, so each byte is read once.
    Resume TakeLink(Block& block, Pos lt, Block& out);
    void ScanNested(Node& n);

    Template::Impl& impl_;
};

// The visible text of `<a>...</a>` from its template text: tags, comments and Liquid tags
// dropped, outputs kept as written, the common entities decoded, spaces collapsed, at most
// 100 characters.
std::string MakeLabel(std::string_view raw) {
    std::string s;
    for (std::size_t i = 0; i < raw.size();) {
        std::string_view rest = raw.substr(i);
        auto skip_to = [&](std::string_view end) {
            std::size_t e = rest.find(end);
            i = e == std::string_view::npos ? raw.size() : i + e + end.size();
        };
        if (rest.starts_with("<!--")) {
            skip_to("-->");
        } else if (rest[0] == '<') {
            skip_to(">");
        } else if (rest.starts_with("{%")) {
            skip_to("%}");
        } else if (rest[0] == '&') {
            static constexpr std::pair<std::string_view, char> kEntities[] = {
                {"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},  {"&quot;", '"'},
                {"&#39;", '\''}, {"&apos;", '\''}, {"&nbsp;", ' '}};
            char c = '&';
            std::size_t len = 1;
            for (const auto& [name, value] : kEntities) {
                if (IStartsWith(rest, name)) {
                    c = value;
                    len = name.size();
                    break;
                }
            }
            s += c;
            i += len;
        } else {
            s += IsSpace(rest[0]) ? ' ' : rest[0];
            ++i;
        }
    }
    std::string label;
    std::size_t chars = 0;
    for (char c : Trim(s)) {
        if (c == ' ' && !label.empty() && label.back() == ' ') continue;
        bool lead = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (lead && ++chars > 100) break;
        label += c;
    }
    while (!label.empty() && label.back() == ' ') label.pop_back();
    return label;
}

// The category and tracking a link gets from its href alone.
void Classify(const std::vector<LinkPiece>& url, LinkInfo& info) {
    info.category = "link";
    info.tracked = false;
    for (const LinkPiece& p : url) {
        if (!p.node) {
            std::string_view t = Trim(p.text);
            if (t.empty()) continue;
            if (IStartsWith(t, "mailto:")) {
                info.category = "mailto";
            } else if (IStartsWith(t, "tel:")) {
                info.category = "tel";
            } else if (t[0] == '#') {
                info.category = "anchor";
            } else {
                info.tracked = true;
            }
            return;
        }
        const Expr* e = &static_cast<const OutputNode&>(*p.node).expr();
        if (const auto* f = dynamic_cast<const FilterExpr*>(e)) e = &f->input();
        const auto* l = dynamic_cast<const LookupExpr*>(e);
        if (l != nullptr && l->base == LookupExpr::Base::kRoot && l->steps.empty()) {
            switch (l->root) {
                case Root::kUnsubscribeUrl:
                    info.category = "unsubscribe";
                    return;
                case Root::kMirrorUrl:
                    info.category = "mirror";
                    return;
                case Root::kSubscriptionUrl:
                    info.category = "subscription";
                    return;
                default:
                    break;
            }
        }
        info.tracked = true;
        return;
    }
}

Finder::Resume Finder::TakeLink(Block& block, Pos lt, Block& out) {
    OpeningTag tag;
    if (!ReadTag(block, {lt.node, lt.off + 2}, tag)) return {tag.gt, false, true, tag.quote};
    const Attr* href = tag.Find("href");
    if (href == nullptr) return {{tag.gt.node, tag.gt.off + 1}};
    const Attr* no_track = tag.Find("data-no-track");
    const Attr* label = tag.Find("data-label");
    const Attr* category = tag.Find("data-category");
    std::vector<const Attr*> removed;
    for (const Attr& a : tag.attrs) {
        if (&a == no_track || &a == label || &a == category) removed.push_back(&a);
    }

    // The visible text: up to the `</a` in a later text node of this block, if it comes
    // before the next `<a` (so that the searches of all links read each byte once).
    Pos after_gt{tag.gt.node, tag.gt.off + 1};
    std::string_view visible;
    bool ended = false;
    for (std::size_t i = tag.gt.node; i < block.size() && !ended; ++i) {
        const TextNode* t = AsText(block[i]);
        if (t == nullptr) continue;
        std::size_t from = i == tag.gt.node ? after_gt.off : 0;
        for (std::size_t k = t->text().find('<', from); k != std::string_view::npos;
             k = t->text().find('<', k + 1)) {
            std::string_view rest = t->text().substr(k);
            if (IStartsWith(rest, "</a") && (rest.size() == 3 || !IsAlpha(rest[3]))) {
                visible = Source(block, after_gt, {i, k});
                ended = true;
                break;
            }
            if (IStartsWith(rest, "<a") && rest.size() > 2 && IsSpace(rest[2])) {
                ended = true;
                break;
            }
        }
    }

    // Everything read from the source before Collect() moves the outputs out of the block.
    LinkInfo info;
    info.id = static_cast<std::uint32_t>(impl_.links.size());
    info.source = std::string(Source(block, href->value_start, href->value_end));
    std::string label_text = label != nullptr
                                 ? MakeLabel(Source(block, label->value_start, label->value_end))
                                 : MakeLabel(visible);
    std::string category_text =
        category != nullptr
            ? std::string(Trim(Source(block, category->value_start, category->value_end)))
            : std::string();
    Origin at = block[lt.node]->at();
    std::vector<LinkPiece> before;
    std::vector<LinkPiece> url;
    std::vector<LinkPiece> after;
    CollectKeeping(block, lt, href->value_start, removed, before);
    Collect(block, href->value_start, href->value_end, url);
    CollectKeeping(block, href->value_end, after_gt, removed, after);
    Classify(url, info);
    if (no_track != nullptr) info.tracked = false;
    if (category != nullptr) info.category = std::move(category_text);
    info.label = std::move(label_text);
    impl_.links.push_back(info);
    auto node = std::make_unique<LinkNode>(at, std::move(info));
    node->before = std::move(before);
    node->url = std::move(url);
    node->after = std::move(after);

    // The text before the `<` and after the `>` stay text nodes around the link.
    std::string_view first = AsText(block[lt.node])->text();
    std::string_view last = AsText(block[tag.gt.node])->text();
    if (lt.off > 0) out.push_back(std::make_unique<TextNode>(at, first.substr(0, lt.off)));
    out.push_back(std::move(node));
    if (after_gt.off == last.size()) return {{tag.gt.node + 1, 0}, true};
    // The rest of the last text node takes its place, and scanning goes on there.
    block[tag.gt.node] =
        std::make_unique<TextNode>(block[tag.gt.node]->at(), last.substr(after_gt.off));
    return {{tag.gt.node, 0}, true};
}

void Finder::ScanNested(Node& n) {
    if (auto* i = dynamic_cast<IfNode*>(&n)) {
        for (Branch& b : i->branches) Scan(b.body);
    } else if (auto* c = dynamic_cast<CaseNode*>(&n)) {
        for (CaseNode::When& w : c->whens) Scan(w.body);
        Scan(c->else_body);
    } else if (auto* f = dynamic_cast<ForNode*>(&n)) {
        Scan(f->body);
        Scan(f->else_body);
    } else if (auto* cap = dynamic_cast<CaptureNode*>(&n)) {
        Scan(cap->body);
    } else if (auto* inc = dynamic_cast<IncludeNode*>(&n)) {
        Scan(inc->body);
    }
}

// The block is rebuilt into `out` as it is scanned (a link replaces its nodes in place
// without shifting the rest), then swapped in.
void Finder::Scan(Block& block) {
    enum class State { kContent, kTag, kComment };
    State state = State::kContent;
    char quote = 0;
    Block out;
    out.reserve(block.size());
    std::size_t i = 0;
    std::size_t k = 0;  // offset in block[i] to resume at
    while (i < block.size()) {
        const TextNode* t = AsText(block[i]);
        if (t == nullptr) {
            ScanNested(*block[i]);
            out.push_back(std::move(block[i]));
            ++i;
            k = 0;
            continue;
        }
        std::string_view s = t->text();
        bool jumped = false;
        for (; k < s.size(); ++k) {
            char c = s[k];
            if (state == State::kComment) {
                if (s.substr(k).starts_with("-->")) {
                    state = State::kContent;
                    k += 2;
                }
            } else if (state == State::kTag) {
                if (quote != 0) {
                    if (c == quote) quote = 0;
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '>') {
                    state = State::kContent;
                }
            } else if (c == '<') {
                std::string_view rest = s.substr(k);
                if (rest.starts_with("<!--")) {
                    state = State::kComment;
                    k += 3;
                } else if (rest.size() >= 3 && Lower(rest[1]) == 'a' && IsSpace(rest[2])) {
                    Resume r = TakeLink(block, {i, k}, out);
                    if (!r.taken) {
                        // Only text and outputs were read: they stay as they are.
                        for (; i < r.at.node; ++i) out.push_back(std::move(block[i]));
                    }
                    i = r.at.node;
                    k = r.at.off;
                    state = r.in_tag ? State::kTag : State::kContent;
                    quote = r.quote;
                    jumped = true;
                    break;
                } else if (rest.size() >= 2 && (IsAlpha(rest[1]) || rest[1] == '/' ||
                                                rest[1] == '!' || rest[1] == '?')) {
                    state = State::kTag;
                }
            }
        }
        if (jumped) continue;
        out.push_back(std::move(block[i]));
        ++i;
        k = 0;
    }
    block = std::move(out);
}

Flow RenderPieces(const std::vector<LinkPiece>& pieces, Origin at, RenderState& st,
                  std::string& out) {
    for (const LinkPiece& p : pieces) {
        if (p.node) {
            Flow f = p.node->Render(st, out);
            if (f != Flow::kNormal) return f;
        } else {
            out.append(p.text);
            if (CheckSize(st, at, out) != Flow::kNormal) return Flow::kError;
        }
    }
    return Flow::kNormal;
}

bool IsSpecial(const Value& v, std::string_view url) {
    // Trimming cannot make a shorter string equal.
    return v.is_string() && v.as_string().size() >= url.size() && Trim(v.as_string()) == url;
}

// Whether HTML escaping would change `s` (it holds & < > " or '), eight bytes at a time: what
// rewrite_link returns is a URL that almost never needs escaping, so it is checked first and
// then appended in one piece. A byte b of the word is one of them when b | 1 is '\'' (& or '),
// b | 2 is '>' (< or >) or b is '"'; "has a zero byte" is the classic (x - 0x01..) & ~x & 0x80..
bool NeedsEscaping(std::string_view s) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    auto zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, 8);
        if ((zero_byte((w | kOnes) ^ (kOnes * '\'')) |
             zero_byte((w | (kOnes * 2)) ^ (kOnes * '>')) | zero_byte(w ^ (kOnes * '"'))) != 0) {
            return true;
        }
    }
    for (; i < s.size(); ++i) {
        char c = s[i];
        if (c == '&' || c == '<' || c == '>' || c == '"' || c == '\'') return true;
    }
    return false;
}

// What rewrite_link writes, kept from render to render on each thread so that its capacity is
// reused; taken out while in use, so a callback that renders on the same thread gets its own.
thread_local std::string t_rewritten;

}  // namespace

Flow LinkNode::Render(RenderState& st, std::string& out) const {
    Flow f = RenderPieces(before, at(), st, out);
    if (f != Flow::kNormal) return f;
    if (!info_.tracked || !st.options.rewrite_link) {
        f = RenderPieces(url, at(), st, out);
        if (f != Flow::kNormal) return f;
    } else {
        // The href is rendered in place, at the end of `out` (it may reach the output limit on
        // its own, as a value can); when it is rewritten, the callback reads it there and it is
        // replaced by the escaped result. Decoding only when escaping put an entity in it.
        const std::size_t start = out.size();
        const std::size_t saved = st.out_limit;
        st.out_limit = start + st.limits.max_output_bytes;
        f = RenderPieces(url, at(), st, out);
        st.out_limit = saved;
        if (f != Flow::kNormal) return f;
        const std::string_view rendered(out.data() + start, out.size() - start);
        std::string decoded;
        if (rendered.find('&') != std::string_view::npos) decoded = DecodeHtmlEntities(rendered);
        std::string_view plain = Trim(decoded.empty() ? rendered : std::string_view(decoded));
        const Context& c = st.context;
        if (!(plain.empty() || IStartsWith(plain, "mailto:") || IStartsWith(plain, "tel:") ||
              plain[0] == '#' || IsSpecial(c.unsubscribe_url, plain) ||
              IsSpecial(c.mirror_url, plain) || IsSpecial(c.subscription_url, plain))) {
            std::string rewritten = std::move(t_rewritten);
            rewritten.clear();
            st.options.rewrite_link(info_, plain, rewritten);
            out.resize(start);
            if (NeedsEscaping(rewritten)) {
                AppendEscaped(out, rewritten);
            } else {
                out.append(rewritten);
            }
            t_rewritten = std::move(rewritten);
        }
        if (CheckSize(st, at(), out) != Flow::kNormal) return Flow::kError;
    }
    return RenderPieces(after, at(), st, out);
}

void FindLinks(Template::Impl& impl) {
    Finder finder(impl);
    finder.Scan(impl.body);
}

}  // namespace overture::render
