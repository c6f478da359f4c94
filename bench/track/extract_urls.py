#!/usr/bin/python3
"""bench/track/extract_urls.py - the tracked URLs of the messages in a Maildir folder.

    extract_urls.py MAILDIR OUT_DIR

Reads every message in MAILDIR/new and MAILDIR/cur, decodes its text/html part (quoted-
printable or base64, as the MIME headers say) and writes, one path (and query) a line, with
the origin left out (the messages carry delivery.public_url; wrk is pointed at the server):

    OUT_DIR/open.paths    the open pixel of each message (/t/o/<token>)
    OUT_DIR/click.paths   every click URL of each message (/t/c/<token>[?u=...]), in order

Prints one line: "messages M opens O clicks C personalized P". Exits 1 on a folder with no
message.
"""
import email
import email.policy
import html
import os
import re
import sys
import urllib.parse

ATTR = re.compile(r"""(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def html_parts(message):
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            yield payload.decode(part.get_content_charset() or "utf-8", "replace")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    maildir, out_dir = sys.argv[1], sys.argv[2]
    files = []
    for sub in ("new", "cur"):
        folder = os.path.join(maildir, sub)
        if os.path.isdir(folder):
            files += [os.path.join(folder, name) for name in sorted(os.listdir(folder))]
    if not files:
        sys.exit(f"extract_urls: no message in {maildir}")
    opens, clicks, personalized = [], [], 0
    for path in files:
        with open(path, "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.compat32)
        for text in html_parts(message):
            for match in ATTR.finditer(text):
                url = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
                parts = urllib.parse.urlsplit(url)
                target = parts.path + ("?" + parts.query if parts.query else "")
                if parts.path.startswith("/t/o/"):
                    opens.append(target)
                elif parts.path.startswith("/t/c/"):
                    clicks.append(target)
                    personalized += bool(parts.query)
    with open(os.path.join(out_dir, "open.paths"), "w") as f:
        f.writelines(p + "\n" for p in opens)
    with open(os.path.join(out_dir, "click.paths"), "w") as f:
        f.writelines(p + "\n" for p in clicks)
    print(f"messages {len(files)} opens {len(opens)} clicks {len(clicks)} personalized {personalized}")


if __name__ == "__main__":
    main()
