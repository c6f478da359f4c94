#pragma once
// Validation and normalization of e-mail addresses for profile import and editing.
//
// Accepts the common form of an address: a dot-atom local part (RFC 5322 section 3.2.3, with
// UTF-8 allowed as in RFC 6531) and a domain name, which is converted to its ASCII (A-label)
// form with libidn2 (UTS #46 non-transitional, NFC input) and lower-cased. Quoted local parts,
// comments, display names and address literals ("a@[1.2.3.4]") are refused: they are valid
// RFC 5322 but never what a marketing list should send to. The function does not check that the
// domain exists or accepts mail.
//
// Thread-safety: pure functions, safe to call from any number of threads.
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace overture::schema {

struct NormalizedEmail {
    std::string address;  // local part (case kept) + "@" + domain
    std::string domain;   // ASCII (A-label), lower case, e.g. "xn--bcher-kva.example"
};

// Trims surrounding ASCII white space, then checks and normalizes:
// - exactly one '@';
// - local part: 1-64 bytes of RFC 5322 atext or valid UTF-8 (no controls), dot-separated, no
//   leading, trailing or doubled dot; its case is kept (the local part is case-sensitive);
// - domain: converted with idn2_to_ascii_8z(IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL), at least two
//   labels, each 1-63 characters of [a-z0-9-] not starting or ending with '-', a top-level label
//   that is not all digits (so no bare IP addresses), at most 253 bytes;
// - the whole normalized address at most 254 bytes.
// On failure returns kInvalidArgument with a message that names the problem, e.g.
// "the domain 'b' has no dot". Allocates only the two result strings on the ASCII path.
Result<NormalizedEmail> NormalizeEmail(std::string_view input);

}  // namespace overture::schema
