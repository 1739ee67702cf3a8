"""Accounts a council can trust: invitations, password resets, two-factor sign-in, leavers.

Built on pyotp (RFC 6238 codes), segno (QR codes as SVG) and single-use links stored
hashed in the database, rather than Flask-Security: see docs/accounts.md for why.

- `tokens`: single-use links (invitation, reset), stored as SHA-256 digests, expiring.
- `two_factor`: authenticator secrets (encrypted), codes that never work twice,
  recovery codes stored hashed.
- `invitations`: invite staff or a mentor, re-send, cancel, accept.
- `passwords`: forgotten password, reset, change; every other session ends.
- `people`: change a person's name, role and districts; deactivate and reactivate.
- `sign_ins`: each successful sign-in's time and address.
- `sso`: which account a council identity (single sign-on) signs in to: existing staff only.
"""
