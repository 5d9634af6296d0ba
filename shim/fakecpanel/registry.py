"""The UAPI and native API 2 function registries, and how a call runs through them.

A module file registers functions with the decorators below; the apps look them up by
(Module, function). See the package docstring for the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

if TYPE_CHECKING:
    from .state import CpanelAccount, FakeState
    from .wire import UploadedPart


class UapiError(Exception):
    """Raised inside a UAPI function: the call fails with this text (cPanel's `die`)."""


@dataclass(frozen=True, slots=True)
class UapiOutcome:
    data: Any = None
    errors: list[str] | None = None
    messages: list[str] | None = None
    warnings: list[str] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    status: int = 1

    @classmethod
    def ok(cls, data: Any = None, *, messages: list[str] | None = None, **metadata: Any) -> "UapiOutcome":
        return cls(data=data, messages=messages, metadata=dict(metadata))

    @classmethod
    def fail(cls, *errors: str, data: Any = None) -> "UapiOutcome":
        return cls(data=data, errors=list(errors), status=0)

    def result(self) -> dict[str, Any]:
        """The bare UAPI result object, keys in cPanel's (sorted) order."""
        return {
            "data": self.data,
            "errors": self.errors,
            "messages": self.messages,
            "metadata": self.metadata,
            "status": self.status,
            "warnings": self.warnings,
        }


class Args(Mapping[str, str]):
    """A call's arguments: name -> list of values; `[name]`/`get` give the first value."""

    def __init__(self, values: Mapping[str, list[str]] | None = None) -> None:
        self._values = {k: list(v) for k, v in (values or {}).items() if v}

    @classmethod
    def of(cls, **values: str) -> "Args":
        return cls({k: [v] for k, v in values.items()})

    def __getitem__(self, name: str) -> str:
        return self._values[name][0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def getlist(self, name: str) -> list[str]:
        return list(self._values.get(name, []))

    def without(self, *names: str) -> "Args":
        return Args({k: v for k, v in self._values.items() if k not in names})

    def as_lists(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._values.items()}


@dataclass(slots=True)
class UapiContext:
    """What a function may use: the shared state, the account it runs as, the registries."""

    state: "FakeState"
    account: "CpanelAccount"
    registry: "UapiRegistry"
    # The request's uploaded files, parsed when a function asks (Fileman::upload_files): only
    # what the cPanel port received reaches UAPI; WHM's uapi_cpanel hands none on.
    uploads: Callable[[], tuple["UploadedPart", ...]] = lambda: ()

    def call(self, module: str, func: str, args: Args) -> UapiOutcome:
        """Run another UAPI function as the same account (cPanel's Cpanel::API::execute)."""
        return self.registry.run(self, module, func, args)


UapiHandler = Callable[[UapiContext, Args], UapiOutcome]


@dataclass(frozen=True, slots=True)
class UapiFunction:
    module: str
    name: str
    handler: UapiHandler
    # Valid argument sets for the contract test: each must succeed (status 1) as the demo
    # account `user` on a fresh FakeState.demo(), and its data must match the OpenAPI schema.
    # A value (filename, bytes) is a file part of a multipart body (Fileman::upload_files).
    samples: tuple[Mapping[str, "str | tuple[str, bytes]"], ...]


def function_not_found(module: str, func: str) -> str:
    return f"The system could not find the function “{func}” in the module “{module}”."


class UapiRegistry:
    def __init__(self) -> None:
        self._functions: dict[tuple[str, str], UapiFunction] = {}

    def register(self, function: UapiFunction) -> None:
        key = (function.module, function.name)
        if key in self._functions:
            raise ValueError(f"UAPI function {function.module}::{function.name} is registered twice")
        self._functions[key] = function

    def get(self, module: str, func: str) -> UapiFunction | None:
        return self._functions.get((module, func))

    def __iter__(self) -> Iterator[UapiFunction]:
        return iter(sorted(self._functions.values(), key=lambda f: (f.module, f.name)))

    def run(self, ctx: UapiContext, module: str, func: str, args: Args) -> UapiOutcome:
        function = self.get(module, func)
        if function is None:
            return UapiOutcome.fail(function_not_found(module, func))
        try:
            return function.handler(ctx, args)
        except UapiError as error:
            return UapiOutcome.fail(str(error))


@dataclass(frozen=True, slots=True)
class Api2Outcome:
    """A native API 2 answer: the `data` list, plus the error buffer when it failed."""

    data: list[Any]
    error: str | None = None


Api2Handler = Callable[[UapiContext, Args], Api2Outcome]


class Api2Registry:
    def __init__(self) -> None:
        self._functions: dict[tuple[str, str], Api2Handler] = {}

    def register(self, module: str, func: str, handler: Api2Handler) -> None:
        if (module, func) in self._functions:
            raise ValueError(f"API 2 function {module}::{func} is registered twice")
        self._functions[(module, func)] = handler

    def get(self, module: str, func: str) -> Api2Handler | None:
        return self._functions.get((module, func))

    def names(self) -> list[tuple[str, str]]:
        return sorted(self._functions)


DEFAULT_UAPI = UapiRegistry()
DEFAULT_API2 = Api2Registry()


def uapi_function(
    module: str,
    name: str,
    *,
    samples: tuple[Mapping[str, Any], ...] | list[Mapping[str, Any]] = (),
    registry: UapiRegistry = DEFAULT_UAPI,
) -> Callable[[UapiHandler], UapiHandler]:
    def register(handler: UapiHandler) -> UapiHandler:
        registry.register(UapiFunction(module, name, handler, tuple(samples)))
        return handler

    return register


def api2_function(
    module: str, name: str, *, registry: Api2Registry = DEFAULT_API2
) -> Callable[[Api2Handler], Api2Handler]:
    def register(handler: Api2Handler) -> Api2Handler:
        registry.register(module, name, handler)
        return handler

    return register
