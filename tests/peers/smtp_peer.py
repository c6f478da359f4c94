#!/usr/bin/python3
"""SMTP test peer for the SMTP client tests (src/channels/email/smtp_test.cpp), on aiosmtpd.

Writes every accepted message, byte for byte as received after dot-unstuffing, to
OUT/NNNNNN.eml and appends one line per event to OUT/events.log:
  connect / ehlo / mail / rcpt / pipelined / rset / data / quit / close
("pipelined" is logged when the DATA command was already waiting in the peer's buffer while
RCPT was handled, i.e. the client sent MAIL, RCPT and DATA in one batch).

Fault modes, chosen by the recipient's local part:
  4xx@...       RCPT answers 450 4.2.0 (greylisting)
  4xx-once...@  RCPT answers 450 4.2.0 the first time an address is seen, 250 afterwards
  5xx...@       (any local part starting with 5xx) RCPT answers 550 5.1.1 user unknown
  5xx@...       RCPT answers 550 5.1.1 user unknown
  mail5xx@...   (as the sender) MAIL answers 553 5.7.1 sender rejected
  data-5xx@...  the end of DATA answers 554 5.6.0 transaction failed
  slow@...      the end of DATA is answered after 50 ms (a busy server)
  close@...     the connection is closed after the body arrived, before any reply
  stall@...     RCPT is never answered
  421@...       RCPT answers 421 4.3.2 and the connection is closed

Usage: smtp_peer.py --port N --out DIR [--tls-cert F --tls-key F] [--auth user:pass]
                    [--auth-exclude MECH] [--implicit-tls] [--no-pipelining] [--size N] [--smtputf8]
Prints "ready" on stdout once it listens.
"""

import argparse
import asyncio
import os
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.out = args.out
        # Continue the numbering of an earlier run into the same folder (a restarted peer).
        self.count = len([n for n in os.listdir(self.out) if n.endswith(".eml")])
        self.lock = threading.Lock()
        self.greylisted = set()
        self.log_file = open(os.path.join(self.out, "events.log"), "a", buffering=1)

    def log(self, text):
        self.log_file.write(text + "\n")

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.log("ehlo " + hostname)
        session.host_name = hostname
        if not self.args.no_pipelining:
            responses.insert(1, "250-PIPELINING")
        responses.insert(1, "250-ENHANCEDSTATUSCODES")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.log("mail " + address + " " + " ".join(mail_options))
        if address.startswith("mail5xx@"):
            return "553 5.7.1 sender rejected"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        buffered = bytes(getattr(server._reader, "_buffer", b""))
        if b"DATA" in buffered.upper():
            self.log("pipelined")
        self.log("rcpt " + address)
        local = address.split("@", 1)[0]
        if local == "4xx":
            return "450 4.2.0 <%s>: Recipient address rejected: Greylisted, try again later" % address
        if local.startswith("4xx-once"):
            with self.lock:
                first = address not in self.greylisted
                self.greylisted.add(address)
            if first:
                return "450 4.2.0 <%s>: Recipient address rejected: Greylisted, try again later" % address
        if local.startswith("5xx"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if local == "stall":
            await asyncio.sleep(3600)
        if local == "421":
            await server.push("421 4.3.2 Service shutting down, closing transmission channel")
            server.transport.close()
            return "421 4.3.2 closing"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_RSET(self, server, session, envelope):
        self.log("rset")
        return "250 2.0.0 OK"

    async def handle_DATA(self, server, session, envelope):
        local = envelope.rcpt_tos[0].split("@", 1)[0] if envelope.rcpt_tos else ""
        self.log("data %d" % len(envelope.original_content))
        if local == "data-5xx":
            return "554 5.6.0 Transaction failed"
        if local == "slow":
            await asyncio.sleep(0.05)  # a busy server: lets a backlog outlast the pool's growth
        if local == "close":
            self.log("close")
            server.transport.close()
            return "250 never sent"
        with self.lock:
            self.count += 1
            n = self.count
        path = os.path.join(self.out, "%06d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Ok: queued as %06d" % n

    async def handle_QUIT(self, server, session, envelope):
        self.log("quit")
        return "221 2.0.0 Bye"


class Peer(SMTP):
    def connection_made(self, transport):
        self.event_handler.log("connect")
        super().connection_made(transport)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth")
    p.add_argument("--auth-exclude", action="append", default=[])
    p.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (SMTPS)")
    p.add_argument("--no-pipelining", action="store_true")
    p.add_argument("--size", type=int, default=33554432)
    p.add_argument("--smtputf8", action="store_true")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    handler = Handler(args)

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            handler.log("auth %s %s" % (mechanism, "ok" if ok else "failed"))
            return AuthResult(success=ok, handled=False)

    def factory():
        server = Peer(
            handler,
            data_size_limit=args.size,
            enable_SMTPUTF8=args.smtputf8,
            tls_context=None if args.implicit_tls else tls_context,
            require_starttls=False,
            auth_required=bool(args.auth),
            auth_require_tls=False,
            authenticator=authenticator,
            auth_exclude_mechanism=args.auth_exclude or None,
            hostname="peer.test",
            timeout=30,
        )
        server.event_handler = handler
        return server

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=args.port, reuse_address=True,
                           ssl=tls_context if args.implicit_tls else None))
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        srv.close()


if __name__ == "__main__":
    sys.exit(main())
