"""Store key derivation per identity: the slow key (scrypt of the password) vs an HMAC key.

    python -m benchmarks.store_keys [--identities 2000]

Reports microseconds per identity for each, measured in one run on the same identities, and
what 100,000 users would cost a worker process before its first request. A report, no target
but the issue's (an HMAC key in 0.1 ms or less).
"""

from __future__ import annotations

import argparse
import time

from meetingbooster_async._store import password_verifier, token_key

BASE = "https://mb.example.com/"
SECRET = b"the deployment secret"
TARGET_US = 100.0


def _per_identity(derive: object, identities: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for username, password in identities:
        derive(username, password)  # type: ignore[operator]
    return (time.perf_counter() - started) / len(identities) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--identities", type=int, default=2000)
    args = parser.parse_args()
    identities = [(f"user{i}@example.com", f"password {i}") for i in range(args.identities)]
    slow = _per_identity(lambda u, p: token_key(BASE, u, p), identities)
    fast = _per_identity(lambda u, p: token_key(BASE, u, None, secret=SECRET), identities)
    verifier = _per_identity(
        lambda u, p: password_verifier(token_key(BASE, u, None, secret=SECRET), p), identities
    )
    print(f"store keys, {args.identities:,} identities")
    print(f"  scrypt key (no secret)     {slow:10.1f} µs per identity")
    print(f"  HMAC key (key_secret)      {fast:10.1f} µs per identity  ({slow / fast:,.0f}x less)")
    print(f"  password verifier          {verifier:10.1f} µs (only when a password is at hand)")
    print(
        f"  100,000 users per worker:  {slow * 1e5 / 1e6:,.0f} CPU-s with scrypt keys, "
        f"{fast * 1e5 / 1e6:,.2f} with HMAC keys"
    )
    ok = fast <= TARGET_US
    print(f"  {'PASS' if ok else 'FAIL'} HMAC key <= {TARGET_US:g} µs per identity")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
