#include "render/template.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <vector>

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
    // The variables and loop states: on this stack frame for the usual few (a render then
    // allocates nothing for them), else on the heap. Only the slots in use are constructed.
    constexpr std::size_t kInline = 8;
    const std::size_t slot_count = impl_->slot_count;
    const std::size_t loop_count = impl_->loop_count;
    alignas(Slot) std::byte slot_buffer[kInline * sizeof(Slot)];
    std::array<LoopState, kInline> loop_buffer;
    std::vector<Slot> slot_heap;
    std::vector<LoopState> loop_heap;
    std::span<Slot> slots;
    if (slot_count <= kInline) {
        std::uninitialized_value_construct_n(reinterpret_cast<Slot*>(slot_buffer), slot_count);
        slots = {std::launder(reinterpret_cast<Slot*>(slot_buffer)), slot_count};
    } else {
        slot_heap.resize(slot_count);
        slots = slot_heap;
    }
    struct DestroySlots {
        std::span<Slot> s;
        bool inline_storage;
        ~DestroySlots() {
            if (inline_storage) std::destroy(s.begin(), s.end());
        }
    } destroy_slots{slots, slot_count <= kInline};
    std::span<LoopState> loops(loop_buffer.data(), std::min(loop_count, kInline));
    if (loop_count > kInline) {
        loop_heap.resize(loop_count);
        loops = loop_heap;
    }
    RenderState st{.context = context,
                   .options = options,
                   .limits = impl_->limits,
                   .slots = slots,
                   .loops = loops};
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
