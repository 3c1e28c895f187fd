"""The NWB Subject: DANDI's checks of its fields, and the fields a dataset carries.

The NWB schema takes any text for a Subject's age, sex and species; DANDI's
validation (nwbinspector) asks for more (:func:`subject_problems`), and the
writer warns about what it would flag (:func:`warn_subject_problems`). A
dataset read from NWB carries its file's Subject as ``subject_*`` attributes
(:func:`subject_defaults`).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import xarray as xr

from posebridge.errors import user_stacklevel

_SUBJECT_ATTRS = {
    "subject_id": "subject_id",
    "subject_species": "species",
    "subject_sex": "sex",
    "subject_age": "age",
    "subject_age__reference": "age__reference",
    "subject_description": "description",
    "subject_strain": "strain",
    "subject_genotype": "genotype",
    "subject_weight": "weight",
    "subject_date_of_birth": "date_of_birth",  # ISO 8601 text; the writers parse it
}

_NUMBER = r"\d+(?:\.\d+)?"
#: An ISO 8601 duration: P, then years, months, weeks, days, then T and hours, minutes,
#: seconds, each optional, in that order, at least one present (P90D, P2Y6M, PT36H).
_DURATION = re.compile(
    rf"P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?!$)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
#: A Latin binomial (Mus musculus) or an NCBI taxonomy term.
_SPECIES = re.compile(r"[A-Z][a-z]* [a-z]+|http://purl\.obolibrary\.org/obo/NCBITaxon_\d+")
_SEXES = ("M", "F", "U", "O")


def subject_problems(subject: dict[str, Any]) -> list[str]:
    """What DANDI's validation (nwbinspector) would flag in a Subject's age, sex, species.

    The NWB schema takes any text; DANDI asks for an ISO 8601 age (or a range
    ``P90D/P120D``, open-ended ``P90D/``), sex M, F, U or O, and a Latin
    binomial or NCBI taxonomy term for the species.

    Examples
    --------
    >>> subject_problems({"age": "P90D", "sex": "F", "species": "Mus musculus"})
    []
    >>> subject_problems({"age": "90 days", "sex": "female"})[0]
    "age '90 days' is not an ISO 8601 duration (P90D: 90 days; P12W, P2Y, P90D/P120D)"
    """
    problems = []
    age = subject.get("age")
    if isinstance(age, str) and not _is_age(age):
        problems.append(
            f"age {age!r} is not an ISO 8601 duration (P90D: 90 days; P12W, P2Y, P90D/P120D)"
        )
    sex = subject.get("sex")
    worm = subject.get("species") in ("Caenorhabditis elegans", "C. elegans")
    if isinstance(sex, str) and sex not in (("XX", "XO") if worm else _SEXES):
        problems.append(f"sex {sex!r} is not one of {', '.join(_SEXES)}")
    species = subject.get("species")
    if isinstance(species, str) and not _SPECIES.fullmatch(species):
        problems.append(
            f"species {species!r} is not a Latin binomial (Mus musculus) or an NCBI "
            "taxonomy term (http://purl.obolibrary.org/obo/NCBITaxon_10090)"
        )
    return problems


def _is_age(text: str) -> bool:
    if _DURATION.fullmatch(text):
        return True
    low, slash, high = text.partition("/")
    ends = [bool(part == "" or _DURATION.fullmatch(part)) for part in (low, high)]
    return bool(slash) and all(ends) and (low or high) != ""


def warn_subject_problems(problems: list[str], where: str) -> None:
    """Warn, once for the Subject of the file(s) ``where`` names, about its ``problems``
    (what :func:`subject_problems` finds), if any."""
    if problems:
        warnings.warn(
            f"{where}: NWB subject: "
            + "; ".join(problems)
            + ". The file is written as given, but "
            "DANDI's validation (nwbinspector) flags these.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def subject_defaults(ds: xr.Dataset) -> dict[str, Any]:
    """Subject fields a dataset read from NWB carries in its attrs."""
    return {field: ds.attrs[attr] for attr, field in _SUBJECT_ATTRS.items() if attr in ds.attrs}
