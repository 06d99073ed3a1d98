"""Canonical keys for skills and locations, so that spelling variants match.

Pure Python on purpose: the HTTP path imports this module and cold start matters.
"""

import re
from collections.abc import Iterable

# Symbols that carry meaning in skill names are spelled out before the remaining
# punctuation is dropped, so that "C", "C++" and "C#" stay three different keys.
_SKILL_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("++", "plusplus"),
    ("+", "plus"),
    ("#", "sharp"),
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Canonical key -> spellings that mean the same skill. Spellings are folded with the
# same rules as the input, so "Node.js", "nodejs" and "node js" need one entry.
_SKILL_ALIASES: dict[str, tuple[str, ...]] = {
    "javascript": ("js", "ecmascript", "es6"),
    "typescript": ("ts",),
    "kubernetes": ("k8s", "kube"),
    "postgresql": ("postgres", "psql", "pgsql"),
    "go": ("golang",),
    "machinelearning": ("ml",),
    "artificialintelligence": ("ai",),
    "deeplearning": ("dl",),
    "naturallanguageprocessing": ("nlp",),
    "react": ("react.js", "reactjs"),
    "reactnative": ("react-native",),
    "vue": ("vue.js", "vuejs"),
    "angular": ("angular.js", "angularjs"),
    "nodejs": ("node", "node.js"),
    "nextjs": ("next", "next.js"),
    "express": ("express.js", "expressjs"),
    "csharp": ("c#", "c sharp"),
    "cplusplus": ("c++", "cpp"),
    "fsharp": ("f#",),
    "dotnet": (".net", "dot net", ".net core", "dotnet core"),
    "aspnet": ("asp.net", "asp.net core"),
    "googlecloud": ("gcp", "google cloud platform"),
    "aws": ("amazon web services",),
    "azure": ("microsoft azure", "ms azure"),
    "python": ("python3", "py"),
    "mongodb": ("mongo",),
    "mysql": ("my sql",),
    "mssql": ("sql server", "microsoft sql server"),
    "elasticsearch": ("elastic search", "elastic"),
    "terraform": ("tf",),
    "cicd": ("ci/cd", "ci cd", "continuous integration"),
    "html": ("html5",),
    "css": ("css3",),
    "rubyonrails": ("rails", "ror", "ruby on rails"),
    "objectivec": ("objective-c", "objc"),
    "scikitlearn": ("sklearn", "scikit-learn"),
    "tensorflow": ("tf2",),
}

# US state names and postal codes, and country names, that trail a city name.
_US_STATES: dict[str, str] = {
    "al": "alabama", "ak": "alaska", "az": "arizona", "ar": "arkansas",
    "ca": "california", "co": "colorado", "ct": "connecticut", "de": "delaware",
    "dc": "district of columbia", "fl": "florida", "ga": "georgia", "hi": "hawaii",
    "id": "idaho", "il": "illinois", "in": "indiana", "ia": "iowa", "ks": "kansas",
    "ky": "kentucky", "la": "louisiana", "me": "maine", "md": "maryland",
    "ma": "massachusetts", "mi": "michigan", "mn": "minnesota", "ms": "mississippi",
    "mo": "missouri", "mt": "montana", "ne": "nebraska", "nv": "nevada",
    "nh": "new hampshire", "nj": "new jersey", "nm": "new mexico", "ny": "new york",
    "nc": "north carolina", "nd": "north dakota", "oh": "ohio", "ok": "oklahoma",
    "or": "oregon", "pa": "pennsylvania", "ri": "rhode island",
    "sc": "south carolina", "sd": "south dakota", "tn": "tennessee", "tx": "texas",
    "ut": "utah", "vt": "vermont", "va": "virginia", "wa": "washington",
    "wv": "west virginia", "wi": "wisconsin", "wy": "wyoming",
}  # fmt: skip
_COUNTRIES: frozenset[str] = frozenset(
    {
        "usa", "us", "united states", "united states of america", "america",
        "uk", "united kingdom", "great britain", "england", "canada", "germany",
        "france", "india", "netherlands", "spain", "ireland", "australia",
    }
)  # fmt: skip

# Canonical city key -> other names of the same city.
_CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "new york": ("nyc", "new york city", "ny", "manhattan", "brooklyn"),
    "san francisco": ("sf", "san fran", "sfo"),
    "los angeles": ("la", "l a"),
    "washington": ("washington dc", "dc", "d c"),
    "las vegas": ("vegas",),
    "philadelphia": ("philly",),
    "saint louis": ("st louis",),
    "saint paul": ("st paul",),
    "bengaluru": ("bangalore",),
    "mumbai": ("bombay",),
}

_REMOTE_PHRASES: frozenset[str] = frozenset(
    {"anywhere", "worldwide", "global", "work from home", "wfh", "distributed"}
)


def _fold_skill(raw: str) -> str:
    text = raw.strip().lower()
    # A leading dot is part of the name (".NET"), not punctuation to drop.
    if text.startswith("."):
        text = "dot" + text[1:]
    for symbol, word in _SKILL_SYMBOLS:
        text = text.replace(symbol, word)
    return _NOT_ALNUM.sub("", text)


def _fold_words(raw: str) -> str:
    return " ".join(_NOT_ALNUM.sub(" ", raw.lower()).split())


_SKILL_LOOKUP: dict[str, str] = {
    _fold_skill(spelling): canonical
    for canonical, spellings in _SKILL_ALIASES.items()
    for spelling in spellings
}
_CITY_LOOKUP: dict[str, str] = {
    _fold_words(name): canonical
    for canonical, names in _CITY_ALIASES.items()
    for name in names
}
_STATE_NAMES: frozenset[str] = frozenset(_US_STATES.values())


def normalize_skill(raw: str) -> str:
    """Fold case, spacing and punctuation, then map known aliases to one key."""
    folded = _fold_skill(raw)
    return _SKILL_LOOKUP.get(folded, folded)


def normalize_skills(raws: Iterable[str]) -> frozenset[str]:
    """Canonical keys of the given skills; blank entries are dropped."""
    keys = (normalize_skill(raw) for raw in raws)
    return frozenset(key for key in keys if key)


def is_remote_location(raw: str | None) -> bool:
    """True for remote markers such as "Remote", "remote (US)" or "Anywhere"."""
    if raw is None:
        return False
    folded = _fold_words(raw)
    words = folded.split()
    if "remote" in words:
        # "Hybrid (remote 2 days)" still needs the office.
        return "hybrid" not in words and "onsite" not in words
    return folded in _REMOTE_PHRASES


def _strip_trailing_region(words: list[str], *, upper_codes: set[str]) -> list[str]:
    """Drop a trailing state or country ("San Francisco CA") when a city remains."""
    for size in (4, 3, 2, 1):
        if len(words) <= size:
            continue
        tail = " ".join(words[-size:])
        # Two-letter codes are common English words ("in", "or", "me"), so a code
        # is only trusted when it was written in capitals.
        is_code = size == 1 and tail in _US_STATES and tail in upper_codes
        if tail in _STATE_NAMES or tail in _COUNTRIES or is_code:
            return words[:-size]
    return words


def normalize_location(raw: str | None) -> str | None:
    """City key: state and country suffixes stripped, city aliases applied.

    None, blank and remote markers give None: a remote marker names no place.
    """
    if raw is None or not raw.strip() or is_remote_location(raw):
        return None
    city = raw.split(",", 1)[0]
    upper_codes = {
        word.lower() for word in re.findall(r"\b[A-Z]{2}\b", city) if len(word) == 2
    }
    words = _strip_trailing_region(_fold_words(city).split(), upper_codes=upper_codes)
    key = " ".join(words)
    if not key:
        return None
    return _CITY_LOOKUP.get(key, key)
