"""Loading a study config: YAML -> validated :class:`~analysis.config.models.Study`."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from analysis.config.base import _closest
from analysis.config.models import Study
from analysis.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000
"""A study config is a few kilobytes; anything larger is refused before parsing."""
MAX_YAML_NODES = 100_000
"""Nodes a config may hold once its YAML aliases are expanded (the demo has about 2,000)."""
AGENCY_TOKEN = "{agency}"
"""The one placeholder an engagement path may hold (see ``Study.engagement_files``)."""
_BRACE = re.compile(r"[{}]")


def load_study(path: str | Path) -> Study:
    """Read and validate a study config.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    Study
        The validated config, with ``config_path`` set.

    Raises
    ------
    ConfigError
        Naming the file and the key path (e.g. ``constructs[1].items[0].column``) of every
        problem found.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise ConfigError("config file not found", path=path)
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"is {path.stat().st_size:,} bytes; a study config may be at most "
            f"{MAX_CONFIG_BYTES:,} bytes",
            path=path,
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be decoded)",
            path=path,
            row=line,
            hint="save the config as UTF-8, e.g. with your editor's Save As > Encoding",
        ) from None
    data = _parse_yaml(text, path)
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of keys (study, agencies, survey, ...)", path=path)
    try:
        study = Study.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_validation(error), path=path) from None
    _check_engagement_paths(study, path)
    study.config_path = path
    return study


def _check_engagement_paths(study: Study, path: Path) -> None:
    """ConfigError for an engagement path with a brace that is not part of ``{agency}``."""
    for index, source in enumerate(study.engagement):
        stray = _BRACE.search(source.path.replace(AGENCY_TOKEN, ""))
        if stray:
            raise ConfigError(
                f"invalid config:\n  engagement[{index}].path: {source.path!r} has a "
                f"{stray.group()!r} that is not part of the placeholder {AGENCY_TOKEN}",
                path=path,
                hint="the only placeholder allowed is {agency}, written exactly so",
            )


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python objects) that also refuses alias bombs.

    Anchors and aliases (``&scale`` / ``*scale``) stay allowed, but the document is composed
    first and its size with every alias expanded is counted before any Python object is built.
    """

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        _count_nodes(node, {}, self.name)
        return self.construct_document(node)


def _count_nodes(node: yaml.Node, seen: dict[int, int], name: str) -> int:
    """Nodes under ``node`` with aliases expanded; ConfigError beyond :data:`MAX_YAML_NODES`.

    A node reached twice (an alias) is counted again from a memo, so the cost is linear in the
    composed document, not in its expansion.
    """
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = MAX_YAML_NODES + 1  # a node inside itself (recursive alias) is too big
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = []
    total = 1 + sum(_count_nodes(child, seen, name) for child in children)
    if total > MAX_YAML_NODES:
        raise ConfigError(
            f"expands to more than {MAX_YAML_NODES:,} values through YAML aliases (*name)",
            path=name,
            row=node.start_mark.line + 1,
            hint="write the values out, or use far fewer nested anchors and aliases",
        )
    seen[id(node)] = total
    return total


def _parse_yaml(text: str, path: Path):
    """The YAML document as Python data (safe types only, alias bombs refused)."""
    loader = _SafeLoader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as error:
        raise _yaml_error(error, path) from None
    except RecursionError:
        raise ConfigError("is nested too deeply to be a study config", path=path) from None
    finally:
        loader.dispose()


def _yaml_error(error: yaml.YAMLError, path: Path) -> ConfigError:
    """A ConfigError naming the line where the YAML parser stopped, and what it was parsing."""
    mark = getattr(error, "problem_mark", None)
    message = f"not valid YAML: {getattr(error, 'problem', None) or error}"
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
        message += f" ({context} that starts on line {context_mark.line + 1})"
    return ConfigError(
        message,
        path=path,
        row=mark.line + 1 if mark else None,
        hint="the mistake is on this line or above it: check the indentation, a missing "
        '":" and unclosed quotes or brackets',
    )


def _format_validation(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        loc = problem["loc"]
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden" and loc:
            known = _keys_at(loc[:-1])
            message = f"unknown key{_closest(loc[-1], known)}"
            if known:
                message += f"; keys allowed here: {', '.join(known)}"
        if location:
            lines.append(f"{location}: {message}")
        else:  # a cross-reference check: the message starts with its own key path
            lines.append(message)
    return "invalid config:\n  " + "\n  ".join(lines)


def _keys_at(loc: tuple) -> list[str]:
    """The keys a config mapping at key path ``loc`` may hold (empty when unknown)."""
    model: type[BaseModel] | None = Study
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return []
        model = _model_in(field.annotation)
    if model is None:
        return []
    return [name for name, field in model.model_fields.items() if not field.exclude]


def _model_in(annotation) -> type[BaseModel] | None:
    """The config model inside a field annotation (``list[Item]``, ``Rule | None`` ...)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
