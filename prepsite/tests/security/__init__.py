"""Project-wide security checks over every route of the URLconf (found by walking it).

What they send each route is in routes.py; the world they send it to in conftest.py.

- Every POST without a CSRF token is refused with 403, and changes nothing; with a token the
  same POST gets past the check (so the 403 is the token's doing). (test_csrf.py)
- Read-only pages answer GET and HEAD only. (test_methods.py)
- Every route that takes a learner's session or position answers 404 to another learner.
  (test_access.py)
- Every page sends a Content-Security-Policy that forbids inline scripts. (test_csp.py)
- Session and CSRF cookies are HttpOnly and SameSite=Lax, and Secure in production.
  (test_cookies.py)

`manage.py check --deploy` is run by test_project.py; the log-in lockout is tested with the
accounts (accounts/tests/test_lockout.py).
"""
