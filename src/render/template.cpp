#include "render/template.hpp"

#include "render/ast.hpp"
#include "render/parser.hpp"
#include "render/source.hpp"

namespace overture::render {

Template::Template(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

const TemplateInfo& Template::info() const { return impl_->info; }
Mode Template::mode() const { return impl_->mode; }
const std::vector<LinkInfo>& Template::links() const { return impl_->links; }

Status Template::Render(const Context& context, const RenderOptions& options,
                        std::string& out) const {
    RenderState st{context, options, impl_->limits, {},      {},      0,  0,
                   {},      {},      false,         nullptr, nullptr, {}, {}};
    st.slots.resize(impl_->slot_count);
    st.loops.resize(impl_->loop_count);
    st.out_limit = out.size() + impl_->limits.max_output_bytes;
    Flow f = RenderBlock(impl_->body, st, out);
    if (f != Flow::kError) return {};
    const Origin at = st.error_at;
    Error e = ErrorAt(*impl_->sources[at.source], at.offset, st.error_message);
    if (st.error_limit) e.details["limit"] = st.error_limit;
    if (at.source != 0) {
        const std::string& name = impl_->source_names[at.source];
        e.message = "fragment \"" + name + "\", " + e.message;
        e.details["fragment"] = name;
    }
    return Fail(std::move(e));
}

Result<std::string> Template::Render(const Context& context, const RenderOptions& options) const {
    std::string out;
    if (auto st = Render(context, options, out); !st) return Fail(st.error());
    return out;
}

Result<Template> Compile(std::string_view source, const CompileOptions& options) {
    auto impl = Parse(source, options);
    if (!impl) return Fail(impl.error());
    return Template(std::unique_ptr<const Template::Impl>(std::move(*impl)));
}

}  // namespace overture::render
