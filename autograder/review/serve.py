"""Serve the review app with waitress, printing the one URL that opens it (its token inside)."""

import secrets

from waitress import create_server

from autograder.errors import ServeError
from autograder.review.app import create_app


def serve(out, config, host, port, grade):
    """Serve the class in `out` until interrupted; `grade`: how a regrade is done (see create_app)."""
    token = secrets.token_urlsafe(32)
    try:
        server = create_server(create_app(out, config, token, grade), host=host, port=port, threads=4)
    except OSError as e:
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e} (--port chooses another)") from None
    where = f"[{host}]" if ":" in host else host
    print(f"reviewing {out} ({config.assignment}); open in a browser:", flush=True)
    print(f"  http://{where}:{server.effective_port}/?token={token}", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}: anyone who can reach it and has the URL sees and changes grades")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
