"""Mapping profiles: how one vendor's export becomes canonical records.

A profile is a YAML file (see docs/sources.md). Built-in profiles live in
`cx_pipeline/profiles/`; users add their own in the folder `CX_PROFILES_DIR` names or
pass a path. A landing file is mapped by the profile of its source whose `match` globs fit
the file name, else by `canonical` (docs/sources.md, "Which profile maps a file"): a user
profile wins over built-in ones (with a note), and two matching profiles of the same
folder are an error naming both, never a silent pick by file order.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cx_pipeline.settings import current

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "profiles"
# Longer reply chains are quarantined: each level of a thread is one pass of the
# recursive walk over the file, so the depth bounds the work, not the file size.
DEFAULT_THREAD_DEPTH = 10000


class ProfileError(ValueError):
    pass


@dataclass(frozen=True)
class Profile:
    name: str
    sources: tuple[str, ...]
    path: Path | None = None
    match: tuple[str, ...] = ()
    encoding: str = "utf-8"
    delimiter: str | None = None
    quote: str | None = None
    skip_rows: int = 0
    # canonical column -> export column (or SQL expression when wrapped in `sql:`)
    columns: dict[str, str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    timestamp_format: str | None = None
    # further strptime formats tried in order after timestamp_format (or ISO 8601); one
    # without a day ("%b %Y") dates a record to its month and marks it month-precise
    date_formats: tuple[str, ...] = ()
    # "Today", "Yesterday", "N days ago", "N months ago" resolved against the landing
    # folder's date (the delivery date)
    relative_dates: bool = False
    timezone: str = "UTC"
    null_values: tuple[str, ...] = ("",)
    constants: dict[str, str] = field(default_factory=dict)
    # canonical column -> SQL over the mapped (text) canonical columns, `src.<export
    # column>`, `_rec` (line/record number) and `_partition_date`; window functions allowed
    derive: dict[str, str] = field(default_factory=dict)
    # canonical column glob -> [low, high]: the export's scale, rescaled to the canonical one
    scales: dict[str, tuple[float, float]] = field(default_factory=dict)
    # a lookup file delivered in the same folder, joined on a key; its columns are
    # available as `ctx_<column>` (and kept in _extras when not mapped)
    context: dict[str, str] = field(default_factory=dict)
    # conversation threads: export columns `message_id` and `parent_id` (the message it
    # replies to), optional `max_depth`; every row gets its thread's root id
    thread: dict[str, str] = field(default_factory=dict)
    # Excel: the sheet to read, by name or by position (1 = first); default the first
    sheet: str | int | None = None
    # SPSS: replace codes by the file's value labels (never for variables mapped onto a
    # numeric canonical column, whose codes are the values)
    spss_value_labels: bool = True

    def source_column(self, canonical: str) -> str:
        if canonical in self.columns:
            return self.columns[canonical]
        if self.thread:
            # A thread export's messages are the events and its threads the tickets.
            if canonical == "ticket_id":
                return "sql: _thread_root"
            if canonical == "event_id":
                return self.thread["message_id"]
        return canonical

    @property
    def thread_max_depth(self) -> int:
        return int(self.thread.get("max_depth", DEFAULT_THREAD_DEPTH))


def _from_yaml(path: Path) -> Profile:
    # Profiles are looked up for every file of every partition: parse each version once.
    return _parse_yaml(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _parse_yaml(path: Path, _mtime_ns: int) -> Profile:
    try:
        return _build_profile(path)
    except ProfileError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path}: cannot be read: {exc}") from exc
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        # e.g. `skip_rows: two`, `columns:` given as a list, a scale with one bound
        raise ProfileError(f"profile {path}: a key has a value of the wrong shape: {exc}") from exc


def _build_profile(path: Path) -> Profile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"profile {path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"profile {path}: expected a mapping at the top level")
    sources = raw.get("sources") or [raw.get("source")]
    if not sources or sources == [None]:
        raise ProfileError(f"profile {path}: `source` (surveys, tickets or reviews) is required")
    known = {
        "name",
        "source",
        "sources",
        "description",
        "match",
        "encoding",
        "delimiter",
        "quote",
        "skip_rows",
        "columns",
        "value_maps",
        "timestamp_format",
        "date_formats",
        "relative_dates",
        "timezone",
        "null_values",
        "constants",
        "derive",
        "scales",
        "context",
        "thread",
        "sheet",
        "spss_value_labels",
    }
    unknown = set(raw) - known
    if unknown:
        raise ProfileError(f"profile {path}: unknown keys {sorted(unknown)}")
    profile = Profile(
        name=raw.get("name", path.stem),
        sources=tuple(sources),
        path=path,
        match=tuple(raw.get("match", ())),
        encoding=raw.get("encoding", "utf-8"),
        delimiter=raw.get("delimiter"),
        quote=raw.get("quote"),
        skip_rows=int(raw.get("skip_rows", 0)),
        columns={str(k): str(v) for k, v in (raw.get("columns") or {}).items()},
        value_maps={
            str(k): {str(a): str(b) for a, b in v.items()}
            for k, v in (raw.get("value_maps") or {}).items()
        },
        timestamp_format=raw.get("timestamp_format"),
        date_formats=tuple(str(f) for f in _as_list(raw.get("date_formats"))),
        relative_dates=bool(raw.get("relative_dates", False)),
        timezone=raw.get("timezone", "UTC"),
        null_values=tuple(str(v) for v in raw.get("null_values", [""])),
        constants={str(k): str(v) for k, v in (raw.get("constants") or {}).items()},
        derive={str(k): str(v) for k, v in (raw.get("derive") or {}).items()},
        scales={str(k): (float(v[0]), float(v[1])) for k, v in (raw.get("scales") or {}).items()},
        context={str(k): str(v) for k, v in (raw.get("context") or {}).items()},
        thread={str(k): str(v) for k, v in (raw.get("thread") or {}).items()},
        sheet=raw.get("sheet"),
        spss_value_labels=bool(raw.get("spss_value_labels", True)),
    )
    for fmt in profile.date_formats:
        if not any(d in fmt for d in ("%m", "%b", "%B")) or not any(d in fmt for d in ("%Y", "%y")):
            # A record known to less than its month would drop out of every KPI period.
            raise ProfileError(f"profile {path}: date format {fmt!r} needs a year and a month")
    if profile.sheet is not None and not (
        isinstance(profile.sheet, str) or (type(profile.sheet) is int and profile.sheet >= 1)
    ):
        raise ProfileError(f"profile {path}: sheet is a name or a position from 1")
    if profile.context and not {"file", "key"} <= set(profile.context):
        raise ProfileError(f"profile {path}: context needs `file` (a glob) and `key`")
    if profile.thread:
        keys, needed = set(profile.thread), {"message_id", "parent_id"}
        if not needed <= keys or keys - needed - {"max_depth"}:
            raise ProfileError(
                f"profile {path}: thread takes `message_id` and `parent_id` (export columns) "
                "and an optional `max_depth`"
            )
        if not profile.thread.get("max_depth", "1").isdigit() or profile.thread_max_depth < 1:
            raise ProfileError(f"profile {path}: thread max_depth must be a positive integer")
    return profile


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _profile_dirs() -> list[Path]:
    dirs = []
    user = current().profiles_dir
    if user:
        dirs.append(user)
    dirs.append(BUILTIN_DIR)
    return dirs


def all_profiles(source: str) -> list[Profile]:
    found = []
    for folder in _profile_dirs():
        for path in sorted(folder.glob("*.y*ml")):
            profile = _from_yaml(path)
            if source in profile.sources:
                found.append(profile)
    return found


def load_profile(name_or_path: str, source: str) -> Profile:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.exists():
        profile = _from_yaml(candidate)
    else:
        matches = [p for p in all_profiles(source) if p.name == name_or_path]
        if not matches:
            names = sorted({p.name for p in all_profiles(source)})
            raise ProfileError(
                f"no profile named {name_or_path!r} for source {source!r}; known: {names}"
            )
        profile = matches[0]
    if source not in profile.sources:
        raise ProfileError(f"profile {profile.name!r} maps {profile.sources}, not {source!r}")
    return profile


def is_context_file(path: Path, source: str) -> bool:
    """A lookup file a profile joins (e.g. Olist's orders), not records to load."""
    try:
        profiles = all_profiles(source)
    except ProfileError:
        return False  # the file is then refused, with the profile's error, when it is mapped
    return any(fnmatch.fnmatch(path.name, p.context["file"]) for p in profiles if p.context)


@dataclass(frozen=True)
class ProfileChoice:
    profile: Profile
    # why this one, when others matched too (a user profile shadowing a built-in one)
    note: str | None = None


def _matches(profile: Profile, path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name, pattern) for pattern in profile.match)


def choose_profile(path: Path, source: str) -> ProfileChoice:
    """The profile that maps `path`; ProfileError when the choice is ambiguous."""
    tiers, broken = [], []
    for folder in _profile_dirs():
        found = []
        for candidate in sorted(folder.glob("*.y*ml")):
            try:
                profile = _from_yaml(candidate)
            except ProfileError as exc:
                broken.append(str(exc))
                continue
            if source in profile.sources and _matches(profile, path):
                found.append(profile)
        tiers.append((folder, found))
    for i, (folder, found) in enumerate(tiers):
        if len(found) > 1:
            names = sorted(p.name for p in found)
            raise ProfileError(
                f"file {path.name} matches several {source} profiles in {folder}: {names}; "
                "narrow their `match` globs so that one fits, or load it with --profile"
            )
        if found:
            shadowed = sorted(p.name for _, later in tiers[i + 1 :] for p in later)
            note = (
                f"profile {found[0].name!r} from {folder} chosen over built-in {shadowed}"
                if shadowed
                else None
            )
            return ProfileChoice(found[0], note)
    if broken:
        # The file may be the one a broken profile was written for: mapping it as canonical
        # would load it wrongly or quarantine it for the wrong reason.
        raise ProfileError(f"no valid profile matches {path.name}; " + "; ".join(broken))
    return ProfileChoice(builtin_canonical())


def builtin_canonical() -> Profile:
    return _from_yaml(BUILTIN_DIR / "canonical.yaml")


def profile_for_file(path: Path, source: str) -> Profile:
    return choose_profile(path, source).profile
