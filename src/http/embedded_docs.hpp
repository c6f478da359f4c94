#pragma once
// Documents compiled into the binary (docs/openapi.yaml), served by the API.
#include <span>
#include <string_view>

namespace overture::http {

struct EmbeddedDoc {
    std::string_view path;  // relative to the source root, e.g. "docs/openapi.yaml"
    std::string_view text;
};

std::span<const EmbeddedDoc> EmbeddedDocs();  // defined in a generated file

// The text of one embedded document, or empty.
inline std::string_view FindEmbeddedDoc(std::string_view path) {
    for (const auto& d : EmbeddedDocs()) {
        if (d.path == path) return d.text;
    }
    return {};
}

}  // namespace overture::http
