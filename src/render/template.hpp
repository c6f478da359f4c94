#pragma once
// The personalization engine's public contract (docs/personalization.md): compile a
// Liquid-compatible template once, render it per recipient.
//
//   auto tpl = render::Compile(source, {.mode = render::Mode::kHtml, .strict = true});
//   if (!tpl) return Fail(tpl.error());          // line, column and excerpt in details
//   render::Context ctx;  ctx.profile = ...;     // the recipient's data
//   std::string out;
//   if (auto st = tpl->Render(ctx, {}, out); !st) ...;
//
// Compile() parses the whole template (and every fragment it includes, through the
// caller's FragmentProvider) into an immutable tree in which variable names are already
// resolved to slots and filters to functions; Render() walks it and appends to the caller's
// buffer. The compiled Template also reports which profile fields the template reads, so
// the sender loads only those columns.
//
// Thread-safety: a Template is immutable after Compile(); Render() may run on many threads
// at once on the same Template (each call keeps its state on its own stack; the only shared
// writes are the relaxed-atomic hints that remember where a member was found last time).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "render/value.hpp"

namespace overture::render {

// HTML parts escape every output unless it is piped through `raw` (or ends in `escape` or
// `escape_once`, which escape already); text parts never escape.
enum class Mode { kHtml, kText };

struct Limits {
    std::size_t max_source_bytes = 1024 * 1024;      // a template or a fragment
    int max_nesting = 64;                            // blocks inside blocks, includes counted
    int max_include_depth = 8;                       // fragments including fragments
    std::size_t max_output_bytes = 4 * 1024 * 1024;  // the output and any one string value
    std::uint64_t max_iterations = 100'000;          // all `for` iterations of one render
};

// Named content fragments for `{% include "name" %}`: the source text, or nullopt when no
// fragment has that name. Called during Compile() only.
using FragmentProvider = std::function<std::optional<std::string>(std::string_view name)>;

struct CompileOptions {
    Mode mode = Mode::kHtml;
    // Strict (when a message is saved): an unknown variable, an unknown filter or a wrong
    // number of filter arguments is a compile error. Lenient (at send time): an unknown
    // variable is nil, an unknown or misused filter passes its input through.
    bool strict = false;
    FragmentProvider fragments;  // may be empty: then every include is an error
    Limits limits;
};

// The data of one render. Every root is optional (nil when not set).
struct Context {
    Value profile;   // the recipient's fields and links (profile.purchases, ...)
    Value delivery;  // the delivery's label, subject, ...
    Value event;     // a transactional event's payload
    Value target;    // workflow additional data
    Value unsubscribe_url;
    Value mirror_url;
    Value subscription_url;
};

// A link `<a href>` of an HTML template, found at compile time (docs/personalization.md,
// "Links and tracking"). One per link in the source text (a link inside a `for` is one
// LinkInfo, rendered once per iteration); links in fragments count, in include order.
struct LinkInfo {
    std::uint32_t id = 0;  // the link's ordinal in the template, from 0: stable per source
    std::string label;     // `data-label`, else the visible text (tags stripped, <= 100 chars)
    std::string category;  // `data-category`, else unsubscribe, mirror, subscription, mailto,
                           // tel, anchor or link
    bool tracked = false;  // false with `data-no-track`, for mailto:, tel:, #anchors, an empty
                           // href and the special URLs (already signed: never rewritten twice)
    std::string source;    // the href's template text (`{{ profile.site }}/x?id={{ profile.id }}`)
};

// Called for each tracked link being rendered: `rendered_url` is the href's rendered value
// with HTML entities decoded (`&amp;` -> `&`); the callback appends the URL to write instead
// to `out` (which arrives empty), and the engine HTML-escapes it into the attribute.
using RewriteLink =
    std::function<void(const LinkInfo& link, std::string_view rendered_url, std::string& out)>;

struct RenderOptions {
    // IANA time zone for the `date` filter (the profile's timeZone); empty means UTC. An
    // unknown zone falls back to UTC.
    std::string time_zone;
    // What "now" and "today" mean for `date`; the epoch means "use the system clock".
    std::chrono::sys_seconds now{};
    // Optional link rewriting (tracking). Empty: links render as written, at no cost. Not
    // called for untracked links, nor when the rendered URL is empty, starts with mailto:,
    // tel: or #, or equals one of the Context's special URLs.
    RewriteLink rewrite_link;
};

// What a template reads, found at compile time.
struct TemplateInfo {
    // First-level profile members used (`profile.firstName` -> "firstName",
    // `profile.purchases[0].amount` -> "purchases"), sorted, unique.
    std::vector<std::string> profile_fields;
    // True when the template uses `profile` as a whole (`{{ profile | json }}`,
    // `profile[key]` with a computed key, `for x in profile`): load every field.
    bool whole_profile = false;
    // The fragments included, in order of first use.
    std::vector<std::string> fragments;
};

class Template {
  public:
    struct Impl;
    explicit Template(std::unique_ptr<const Impl> impl);
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;
    ~Template();

    // Appends the rendered text to `out`. On failure (a limit reached, a division by zero)
    // returns kInvalidArgument "line L, column C: ..." (and "fragment" in details when it
    // happened in a fragment); `out` then holds a partial result that must not be sent.
    Status Render(const Context& context, const RenderOptions& options, std::string& out) const;
    // Convenience: a fresh string.
    Result<std::string> Render(const Context& context, const RenderOptions& options = {}) const;

    const TemplateInfo& info() const;
    Mode mode() const;
    // The links of an HTML template in source order (LinkInfo::id is the index); empty in
    // text mode.
    const std::vector<LinkInfo>& links() const;

  private:
    std::unique_ptr<const Impl> impl_;
};

// kInvalidArgument "line L, column C: message" with details line, column, offset, excerpt
// (and fragment) on a syntax error, an unknown tag, a tag not closed, a limit exceeded, a
// missing fragment, and in strict mode an unknown variable or filter or a wrong number of
// filter arguments.
Result<Template> Compile(std::string_view source, const CompileOptions& options = {});

}  // namespace overture::render
