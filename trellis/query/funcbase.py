"""How DQL functions are declared: a registry, vectorisation and Dataview's error message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from trellis.query.evaluate import QueryRuntimeError
from trellis.query.values import type_of

Function = Callable[..., Any]


def no_impl(name: str, args: tuple[Any, ...]) -> QueryRuntimeError:
    types = ", ".join(type_of(a) for a in args)
    return QueryRuntimeError(f"No implementation of '{name}' found for arguments: {types}")


def definer(registry: dict[str, Function]) -> Callable[..., Callable[[Function], Function]]:
    """`@define(name, {arity: positions})` registering into `registry`.

    Called with a list at a listed position (for that number of arguments), the function
    maps over the list instead, as Dataview's vectorised functions do; with several lists it
    stops at the shortest.
    """

    def define(
        name: str, vector: Mapping[int, tuple[int, ...]] | None = None
    ) -> Callable[[Function], Function]:
        def register(fn: Function) -> Function:
            def call(ctx: Any, *args: Any) -> Any:
                positions = (vector or {}).get(len(args), ())
                lists = [p for p in positions if isinstance(args[p], list)]
                if lists:
                    size = min(len(args[p]) for p in lists)
                    return [
                        call(ctx, *[a[k] if i in lists else a for i, a in enumerate(args)])
                        for k in range(size)
                    ]
                return fn(ctx, *args)

            registry[name] = call
            return call

        return register

    return define
