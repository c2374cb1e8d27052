"""Run the rasa-sdk actions inside the Rasa server instead of calling the action server over HTTP.

Rasa 3.6 has no ``actions_module`` endpoint setting (it came in later versions), so this is the adapter:
an :class:`InProcessActionEndpoint` is an ``EndpointConfig`` whose ``request`` hands the action call to
``rasa_sdk.executor.ActionExecutor`` in this process. Rasa's own ``RemoteAction`` still builds the call,
validates the answer and turns it into events, so the events are the same as from the action server.

endpoints.yml::

    action_endpoint:
      url: "inprocess:actions"     # the package with the actions

Rasa itself keeps that as a plain ``EndpointConfig``. :func:`route_remote_actions` (called when the
tracker store is created, so in ``rasa run``, ``rasa shell`` and tests alike) makes every ``RemoteAction``
built with such an endpoint use the in-process one; :func:`install` also swaps it on a running agent
(:func:`bot.channels.delivery.deliver` calls it before each message).

The separate action server (``url: http://...``) stays the option for scaling the actions on their own;
with it, "action server down" still ends in the technical-problem answer. In-process, an action that
raises is reported to Rasa as the action server's HTTP 500 would be.

Either way, :func:`install` also applies :mod:`bot.rasa_speedups` (action answers validated without
re-checking their schema each time, event classes looked up once).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import rasa_speedups

logger = logging.getLogger(__name__)

SCHEME = "inprocess:"


def wanted(endpoint: Any) -> bool:
    """True when ``endpoint`` is an action endpoint configured as ``inprocess:<package>`` and not yet swapped."""
    return (
        isinstance(endpoint, EndpointConfig)
        and not isinstance(endpoint, InProcessActionEndpoint)
        and isinstance(endpoint.url, str)
        and endpoint.url.startswith(SCHEME)
    )


class InProcessActionEndpoint(EndpointConfig):
    """An action endpoint served by an ``ActionExecutor`` in this process."""

    def __init__(self, package: str = "actions", **kwargs: Any) -> None:
        from rasa_sdk.executor import ActionExecutor

        super().__init__(url=f"{SCHEME}{package}", **kwargs)
        self.package = package
        self.executor = ActionExecutor()
        self.executor.register_package(package)
        _serve_content()

    async def request(
        self,
        method: str = "post",
        subpath: str | None = None,
        content_type: str | None = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Run the action call in ``kwargs["json"]``; errors look like the action server's HTTP answers."""
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        action_call = kwargs.get("json")
        if not isinstance(action_call, dict):
            raise ClientResponseError(400, "Bad Request", json.dumps({"error": "Invalid body request"}))
        try:
            result = await self.executor.run(action_call)
        except ActionExecutionRejection as rejection:  # Rasa turns a 400 into ActionExecutionRejected
            body = {"error": rejection.message, "action_name": rejection.action_name}
            raise ClientResponseError(400, "Bad Request", json.dumps(body)) from rejection
        except ActionNotFoundException as missing:
            logger.error(missing)
            body = {"error": missing.message, "action_name": missing.action_name}
            raise ClientResponseError(404, "Not Found", json.dumps(body)) from missing
        except Exception as error:  # the action server answers 500: Rasa logs it and the turn goes on
            logger.exception("Action %r failed", action_call.get("next_action"))
            raise ClientResponseError(500, "Internal Server Error", str(error)) from error
        # Through JSON, as over HTTP: the events Rasa sees are exactly the action server's (tuples become lists).
        return json.loads(json.dumps(result)) if result is not None else None

    def copy(self) -> InProcessActionEndpoint:
        return self


def _serve_content() -> None:
    """As the action server does: keep the last good content version and notice edits in the background."""
    from bot import paths
    from bot.content import store as content_store

    store = content_store.default_store()
    if store.keep_copy is None:
        store.keep_copy = paths.state_dir() / "content-last-good"
    try:
        store.refresh()
    except content_store.ContentError:
        logger.error("No usable content: fix the problems above (python -m bot.content check)")
    store.watch()


def install(agent: Any) -> bool:
    """Swap an ``inprocess:`` action endpoint of ``agent`` (and its processor) for the in-process one.

    Also applies :func:`bot.rasa_speedups.apply`. Cheap when there is nothing to do; returns True when
    it swapped the endpoint.
    """
    rasa_speedups.apply()
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is None or not wanted(endpoint):
        return False
    swapped = endpoint_for(endpoint)
    agent.action_endpoint = swapped
    processor = getattr(agent, "processor", None)
    if processor is not None:
        processor.action_endpoint = swapped
    return True


_by_package: dict[str, InProcessActionEndpoint] = {}


def endpoint_for(endpoint: Any) -> Any:
    """The in-process endpoint for an ``inprocess:<package>`` endpoint (one per package); others unchanged."""
    if endpoint is None or not wanted(endpoint):
        return endpoint
    package = endpoint.url[len(SCHEME) :] or "actions"
    if package not in _by_package:
        _by_package[package] = InProcessActionEndpoint(package, **endpoint.kwargs)
        logger.info("Actions from package %r run inside the Rasa server", package)
    return _by_package[package]


def route_remote_actions() -> None:
    """Make Rasa's ``RemoteAction`` (and form validation actions) use :func:`endpoint_for` (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction.__init__, "_brujula_routed", False):
        return
    original = RemoteAction.__init__

    def routed_init(self: Any, name: str, action_endpoint: Any) -> None:
        original(self, name, endpoint_for(action_endpoint))

    routed_init._brujula_routed = True  # type: ignore[attr-defined]
    RemoteAction.__init__ = routed_init
