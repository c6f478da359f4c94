#!/usr/bin/python3
"""Independent DKIM verification for email_dkim_test, with Debian's python3-dkim (dkimpy).

Usage: /usr/bin/python3 tests/peers/dkim_verify.py DIR

Verifies the first DKIM-Signature of every DIR/*.eml and prints one line per file, sorted by
name: "ok NAME" or "fail NAME REASON". DNS is not used: the TXT record for a query name such as
"sel._domainkey.example.com." is read from the file DIR/dns/sel._domainkey.example.com (no
trailing dot). Ed25519 needs python3-nacl. Exits 0 when it could check every file (whatever
the results), 2 on a usage error.
"""
import logging
import os
import sys

import dkim


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode("ascii")
        path = os.path.join(folder, "dns", name.rstrip("."))
        try:
            with open(path, "rb") as f:
                return f.read().strip()
        except OSError:
            return None

    for entry in sorted(os.listdir(folder)):
        if not entry.endswith(".eml"):
            continue
        with open(os.path.join(folder, entry), "rb") as f:
            message = f.read()
        logger = logging.getLogger("dkim." + entry)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
        try:
            good = dkim.verify(message, logger=logger, dnsfunc=dnsfunc)
            reason = "" if good else "signature or body hash mismatch"
        except Exception as e:  # a malformed signature is a failure, not a crash
            good = False
            reason = "%s: %s" % (type(e).__name__, e)
        print(("ok %s" % entry) if good else ("fail %s %s" % (entry, reason)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
