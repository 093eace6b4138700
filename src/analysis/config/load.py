"""Loading a study config: YAML -> validated :class:`~analysis.config.models.Study`."""

from __future__ import annotations

import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from analysis.config.models import Study, _closest
from analysis.errors import ConfigError


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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise _yaml_error(error, path) from None
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of keys (study, agencies, survey, ...)", path=path)
    try:
        study = Study.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_validation(error), path=path) from None
    study.config_path = path
    return study


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
