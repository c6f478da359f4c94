#include "render/source.hpp"

#include "common/source_error.hpp"

namespace overture::render {

Error ErrorAt(std::string_view text, std::size_t offset, std::string_view message) {
    return SourceError(text, offset, message);
}

}  // namespace overture::render
