"""YAML for documents users upload: plain data only, no anchors or aliases, no timestamps.

An alias makes a small document expand into a huge one (a few hundred kilobytes of nested
aliases become millions of values: the "billion laughs"). Uploaded documents (the catalogue
import, ODCS contracts) have no need of them, so the loader refuses the first anchor or alias
it meets, before anything is expanded. Dates stay strings. Pure: no Django.
"""

from __future__ import annotations

from typing import Any, NoReturn

import yaml

ANCHORS_REFUSED = "YAML anchors and aliases are not accepted."


class AnchorRefused(yaml.MarkedYAMLError):
    """The document uses an anchor (&name) or an alias (*name)."""


class StrictSafeLoader(yaml.SafeLoader):
    """Safe loader without anchors/aliases (no alias bombs) and without implicit timestamps.
    Subclasses may override `refuse` to raise their own error."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            self.refuse(event.start_mark)
        return super().compose_node(parent, index)

    def refuse(self, mark: Any) -> NoReturn:
        raise AnchorRefused(problem=ANCHORS_REFUSED, problem_mark=mark)


# A number longer than this is no estimate or id but an attempt to make int() work hard (Python
# refuses past 4,300 digits with a ValueError that would surface as a server error).
MAX_NUMBER_CHARACTERS = 100


def _bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    if len(str(node.value)) > MAX_NUMBER_CHARACTERS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"a number of {len(str(node.value))} characters is too long "
            f"(at most {MAX_NUMBER_CHARACTERS})",
            node.start_mark,
        )
    return int(loader.construct_yaml_int(node))


StrictSafeLoader.add_constructor("tag:yaml.org,2002:int", _bounded_int)

StrictSafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def where(mark: Any) -> str:
    """ "line L, column C" of a YAML mark (1-based), or "" without one."""
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def load(text: str, loader: type[StrictSafeLoader] = StrictSafeLoader) -> Any:
    """The single document in `text`, as plain data. Raises yaml.YAMLError (AnchorRefused for
    an anchor or alias) or RecursionError when it nests too deeply."""
    reader = loader(text)
    try:
        return reader.get_single_data()
    finally:
        reader.dispose()
