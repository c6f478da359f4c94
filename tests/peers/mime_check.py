#!/usr/bin/python3
"""Independent check of messages written by the MIME writer (src/channels/email/mime.hpp).

Usage: /usr/bin/python3 tests/peers/mime_check.py FILE...

Parses each file with Python's email package (policy=email.policy.default, and again with the
legacy compat32 parser) and prints one JSON array on stdout, an object per file:
  file, subject, from / to / reply_to (lists of [display name, address]), message_id, date
  (ISO 8601), list_unsubscribe, list_unsubscribe_post, feedback_id, header_names,
  parts (depth-first: content_type, multipart, and for leaf parts cte, charset, filename,
  content_id, disposition, text (decoded str) for text/* or size + sha256 of the bytes),
  defects (strings: parser defects of the message, of every part and of every parsed header,
  plus line-format problems: a line end other than CRLF, a line over 998 octets).
The caller decides which defects it tolerates; nothing here fails on its own. Python reads
header bytes as ASCII with surrogate escapes (it predates RFC 6532), so a message with a UTF-8
local part has NonASCIILocalPartDefect and UndecodableBytesDefect on that header; strings in the
output are turned back into UTF-8.
"""
import email
import hashlib
import json
import sys
from email import policy
from email.parser import BytesParser


def unescape(value):
    """Python parses header bytes as ASCII with surrogateescape; RFC 6532 headers are UTF-8."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, list):
        return [unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape(v) for k, v in value.items()}
    return value


def line_defects(raw):
    found = []
    lines = raw.split(b"\r\n")
    for number, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            found.append("line %d: bare CR or LF" % number)
        if len(line) > 998:
            found.append("line %d: %d octets" % (number, len(line)))
    if not raw.endswith(b"\r\n"):
        found.append("message does not end with CRLF")
    return found


def addresses(msg, name):
    header = msg[name]
    if header is None:
        return None
    return [[a.display_name, a.addr_spec] for a in header.addresses]


def check(path):
    with open(path, "rb") as f:
        raw = f.read()
    defects = line_defects(raw)
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    parts = []
    for part in msg.walk():
        defects.extend("%s: %s" % (type(d).__name__, d) for d in part.defects)
        for key, value in part.items():
            defects.extend("%s header: %s: %s" % (key, type(d).__name__, d)
                           for d in getattr(value, "defects", ()))
        entry = {"content_type": part.get_content_type(), "multipart": part.is_multipart()}
        if not part.is_multipart():
            entry.update({
                "cte": str(part.get("Content-Transfer-Encoding", "")),
                "charset": part.get_content_charset(),
                "filename": part.get_filename(),
                "content_id": str(part["Content-ID"]) if part["Content-ID"] else None,
                "disposition": part.get_content_disposition(),
            })
            if part.get_content_maintype() == "text":
                entry["text"] = part.get_content()
            else:
                data = part.get_payload(decode=True)
                entry["size"] = len(data)
                entry["sha256"] = hashlib.sha256(data).hexdigest()
        parts.append(entry)
    legacy = email.message_from_bytes(raw)
    for part in legacy.walk():
        defects.extend("compat32 %s: %s" % (type(d).__name__, d) for d in part.defects)
    date = msg["date"]
    return {
        "file": path,
        "subject": str(msg["subject"]) if msg["subject"] is not None else None,
        "from": addresses(msg, "from"),
        "to": addresses(msg, "to"),
        "reply_to": addresses(msg, "reply-to"),
        "message_id": str(msg["message-id"]) if msg["message-id"] else None,
        "date": date.datetime.isoformat() if date is not None and date.datetime else None,
        "list_unsubscribe": str(msg["list-unsubscribe"]) if msg["list-unsubscribe"] else None,
        "list_unsubscribe_post":
            str(msg["list-unsubscribe-post"]) if msg["list-unsubscribe-post"] else None,
        "feedback_id": str(msg["feedback-id"]) if msg["feedback-id"] else None,
        "header_names": list(msg.keys()),
        "parts": parts,
        "defects": defects,
    }


def main():
    results = [unescape(check(path)) for path in sys.argv[1:]]
    json.dump(results, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
