"""Who may use the app: whoever holds its token, as Jupyter's URL token works.

The token comes once in the URL (`?token=`), is kept in an HttpOnly, SameSite=Strict cookie,
and the URL is cleaned of it. Every request without it, pages, files and actions alike, is
answered 401: the app shows students' grades and changes them.
"""

import hashlib
import hmac

from flask import abort, redirect, request

HOURS = 12 * 3600


def cookie_name(token):
    """The cookie of this app's token: two apps on one host (ports share cookies) keep their own."""
    return "review-" + hashlib.sha256(token.encode()).hexdigest()[:8]


def require_token(app, token):
    """Check every request of `app` for `token`, in the URL once or in its cookie after."""
    name = cookie_name(token)

    @app.before_request
    def _guard():
        offered = request.args.get("token")
        if offered is not None and _same(offered, token):
            response = redirect(request.path)
            response.set_cookie(name, token, max_age=HOURS, httponly=True, samesite="Strict")
            return response
        if not _same(request.cookies.get(name, ""), token):
            abort(401)
        return None


def _same(offered, token):
    """Compared in constant time, so response times tell nothing of the token."""
    return hmac.compare_digest(offered.encode(), token.encode())
