"""The login page, the logout address, and the gate that keeps the app's page behind them.

In shared mode (``CPOM_MODE=shared``) every address outside ``/api/`` (the app's page, its
files and its event calls) needs a valid session: a browser without one is sent to
``/connexion``, any other caller gets 401. The decision is the API's own ``authenticate``
(token, session cookie), so the page and the API admit the same people. Local mode is unchanged.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.auth import SESSION_COOKIE, authenticate
from assistant.api.context import ApiContext
from assistant.errors import AccessDeniedError, NotAuthenticatedError
from assistant.store import logout

LOGIN_PATH = "/connexion"
LOGOUT_PATH = "/deconnexion"
_OPEN = ("/api/", LOGIN_PATH, LOGOUT_PATH)

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connexion — Assistant CPOM</title>
<style>
  body {{ font-family: system-ui, sans-serif; color: #1e293b; margin: 0; background: #f8fafc; }}
  main {{ max-width: 26rem; margin: 4rem auto; padding: 2rem; background: #fff;
         border: 1px solid #cbd5e1; border-radius: 4px; }}
  h1 {{ color: #000091; font-size: 1.5rem; margin-top: 0; }}
  label {{ display: block; margin-top: 1rem; font-weight: 600; }}
  input {{ width: 100%; box-sizing: border-box; padding: .6rem; margin-top: .3rem;
          border: 1px solid #475569; border-radius: 4px; font-size: 1rem; }}
  button {{ margin-top: 1.5rem; width: 100%; padding: .7rem; background: #000091; color: #fff;
           border: 0; border-radius: 4px; font-size: 1rem; cursor: pointer; }}
  button:focus, input:focus {{ outline: 3px solid #0a76f6; outline-offset: 2px; }}
  #message {{ color: #ce0500; margin-top: 1rem; min-height: 1.5rem; }}
  p.note {{ color: #475569; font-size: .9rem; }}
</style>
</head>
<body>
<main>
<h1>Assistant CPOM</h1>
<p class="note">{campaign}</p>
<form id="connexion" novalidate>
  <label for="email">Adresse électronique</label>
  <input id="email" name="email" type="email" autocomplete="username" required>
  <label for="mot_de_passe">Mot de passe</label>
  <input id="mot_de_passe" name="mot_de_passe" type="password"
         autocomplete="current-password" required>
  <button type="submit">Se connecter</button>
  <p id="message" role="alert" aria-live="assertive"></p>
</form>
</main>
<script>
document.getElementById("connexion").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const message = document.getElementById("message");
  message.textContent = "";
  const body = JSON.stringify({{
    email: document.getElementById("email").value,
    mot_de_passe: document.getElementById("mot_de_passe").value,
  }});
  try {{
    const answer = await fetch("/api/session", {{
      method: "POST", headers: {{"Content-Type": "application/json"}}, body,
    }});
    if (answer.ok) {{ window.location.assign("/"); return; }}
    const error = await answer.json();
    message.textContent = error.message || "Connexion refusée.";
  }} catch (e) {{
    message.textContent = "Le serveur ne répond pas : réessayez dans un instant.";
  }}
}});
</script>
</body>
</html>
"""


@router.get(LOGIN_PATH)
def login_page() -> HTMLResponse:
    """The login page, in French (« Adresse électronique », « Mot de passe »)."""
    campaign = "Campagne CPOM sanitaires 2025-2029 — ARS Occitanie"
    return HTMLResponse(_PAGE.format(campaign=escape(campaign)))


@router.get(LOGOUT_PATH)
def logout_page(request: Request) -> RedirectResponse:
    """End the session (when there is one) and go back to the login page."""
    context = request.app.state.api_context
    assert isinstance(context, ApiContext)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        logout(context.store(), token)
    answer = RedirectResponse(LOGIN_PATH, status_code=303)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    return answer


def install_page_gate(app: FastAPI) -> None:
    """Keep every address outside ``/api/`` behind a session in shared mode."""
    app.add_middleware(PageGate)


class PageGate:
    """The gate, as a plain ASGI middleware.

    Not Starlette's ``BaseHTTPMiddleware``: with it, a client that leaves before the answer
    (a closed tab, a stopped stream) raised « No response returned. » in the server's log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the request through, or answer it with the login page (browser) or a 401."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        context = request.app.state.api_context
        path = request.url.path
        if context.mode != "shared" or path.startswith(_OPEN):
            await self.app(scope, receive, send)
            return
        try:
            authenticate(request, context)
        except (NotAuthenticatedError, AccessDeniedError) as refused:
            page = path == "/" or "text/html" in request.headers.get("accept", "")
            response: Response
            if request.method == "GET" and page:
                response = RedirectResponse(LOGIN_PATH, status_code=303)
            else:
                response = JSONResponse(
                    {"message": str(refused), "conseil": f"Connectez-vous sur {LOGIN_PATH}."},
                    status_code=401,
                )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


__all__ = ["LOGIN_PATH", "LOGOUT_PATH", "PageGate", "install_page_gate", "login_page", "router"]
