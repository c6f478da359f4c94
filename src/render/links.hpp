#pragma once
// Link tracking in HTML parts (docs/personalization.md, "Links and tracking"). Internal to
// render/.
//
// FindLinks() is a pass over the compiled tree, run by Parse() in HTML mode: it scans the text
// of each block for `<a ...>` opening tags whose attributes are literal text and outputs
// (`<a href="{{ profile.site }}/x?id={{ profile.id }}">`), records a LinkInfo for each in
// Template::Impl::links, and replaces the nodes that make up the opening tag by a LinkNode,
// which renders the tag as written (minus `data-no-track`, `data-label` and `data-category`)
// or, when RenderOptions::rewrite_link is set and the link is tracked, renders the href and
// writes what the callback returns in its place.
//
// Thread-safety: FindLinks() runs once at compile time; LinkNode is immutable like every node.
#include <string_view>
#include <vector>

#include "render/ast.hpp"

namespace overture::render {

// A part of an opening tag: literal text (a view into the template's sources) or an output.
struct LinkPiece {
    std::string_view text;
    NodePtr node;  // set for an output, then `text` is empty
};

class LinkNode : public Node {
  public:
    LinkNode(Origin at, LinkInfo info) : Node(at), info_(std::move(info)) {}
    Flow Render(RenderState& st, std::string& out) const override;

    std::vector<LinkPiece> before;  // `<a class="x" href="`
    std::vector<LinkPiece> url;     // the href's value, without its quotes
    std::vector<LinkPiece> after;   // `" title="y">`

  private:
    LinkInfo info_;
};

// Finds the links of impl.body (and of every nested block and fragment) in source order.
void FindLinks(Template::Impl& impl);

}  // namespace overture::render
