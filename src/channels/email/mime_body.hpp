#pragma once
// Content-Transfer-Encodings of MIME body parts (RFC 2045 sections 6.2, 6.7 and 6.8): the choice
// between 7bit, quoted-printable and base64 for one part, and the encoders. Internal to the MIME
// writer (mime.hpp); declared here so that tests can reach the edge cases directly.
//
// Every encoder appends to `out` in one step: it reserves the exact or worst-case size once and
// writes straight into the string, so encoding a part never allocates per line. Output lines end
// in CRLF and are at most 76 characters (quoted-printable, base64) or 998 octets (7bit). No
// encoder emits a CRLF after its last line: in a multipart body the CRLF before the next
// boundary belongs to the boundary (RFC 2046 section 5.1.1).
//
// None of the outputs can contain the two characters "=_" (see kBoundaryPrefix in mime.cpp):
// quoted-printable writes '=' only before two hex digits or CRLF, base64 writes '=' only as final
// padding and has no '_', and ChooseTextEncoding never picks 7bit for text holding "=_".
//
// Thread-safety: pure functions; the base64 path of text with bare LF line ends uses a
// thread-local scratch buffer.
#include <cstddef>
#include <string>
#include <string_view>

namespace overture::email {

enum class TransferEncoding { k7bit, kQuotedPrintable, kBase64 };

// "7bit", "quoted-printable" or "base64".
std::string_view TransferEncodingName(TransferEncoding e);

// What one pass over a text part learns; input of the choice and of the size bounds.
struct TextStats {
    std::size_t size = 0;
    std::size_t escaped = 0;      // bytes quoted-printable writes as =XX (non-ASCII, '=', controls)
    std::size_t non_ascii = 0;    // bytes >= 0x80
    std::size_t bare_lf = 0;      // LF not preceded by CR (becomes CRLF)
    std::size_t line_ends = 0;    // LF or CRLF
    std::size_t max_line = 0;     // longest line in octets, line end excluded
    bool controls = false;        // NUL, bare CR or a C0 control other than TAB, or DEL
    bool valid_utf8 = true;       // the non-ASCII bytes form well-formed UTF-8
    bool boundary_chars = false;  // contains "=_"
    bool from_line = false;       // a line starts with "From " (mbox would mangle it)
};

TextStats ScanText(std::string_view text);

// The encoding of a UTF-8 text part (text/plain, text/html). Its line ends may be LF or CRLF;
// all become CRLF. 7bit when the text is ASCII without controls, no line is over 998 octets,
// no line starts with "From " and "=_" does not occur; otherwise quoted-printable or base64,
// whichever is shorter (quoted-printable for mostly-ASCII text, base64 for, say, CJK text).
TransferEncoding ChooseTextEncoding(const TextStats& stats);

// An upper bound of what AppendText adds for this text and encoding; used to reserve once.
std::size_t EncodedTextBound(const TextStats& stats, TransferEncoding e);

// Appends `text` as a text part body in encoding `e` (which must be 7bit only if
// ChooseTextEncoding allowed it). Line ends become CRLF; the result has no final CRLF unless
// the text ends with a line end.
void AppendText(std::string_view text, const TextStats& stats, TransferEncoding e,
                std::string& out);

// Quoted-printable (RFC 2045 section 6.7) of text: LF and CRLF are hard line breaks (CRLF), a
// bare CR is =0D; '=', controls and non-ASCII bytes are =XX; a space or tab before a line end
// or at the end of the input is =20 or =09; a '.' at the start of a line is =2E and the 'F'
// of a line starting with "From " is =46, so that neither dot-stuffing nor mbox "From "
// quoting can alter the part. Soft line breaks ("=" CRLF) keep every line at most 76
// characters, and never split an =XX triplet.
void AppendQuotedPrintable(std::string_view text, std::string& out);
// The same with `bound` = EncodedTextBound(ScanText(text), kQuotedPrintable) already known.
void AppendQuotedPrintable(std::string_view text, std::size_t bound, std::string& out);

// Base64 (RFC 2045 section 6.8) of `bytes` in lines of 76 characters separated by CRLF.
void AppendBase64(std::string_view bytes, std::string& out);

}  // namespace overture::email
