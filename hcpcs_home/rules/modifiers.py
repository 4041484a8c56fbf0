"""Rules about a line's modifiers and the catalog layer of its code.

Sources: the CMS HCPCS Level II alpha-numeric file (every Level II modifier with
its added and termination dates; the catalog's validity layer,
:attr:`hcpcs_home.catalog.Catalog.release`) and the curated home-care layer
(``hcpcs_home/data/codes.tsv``).

A modifier of two digits (25, 59, 95 ...) is a CPT (Level I) modifier, which the
Level II file does not list: it is not checked here.  A code CMS knows but the
curated layer does not is valid (no ``unknown-code`` error); an informational
note says that its units and credentials are not checked.
"""

from __future__ import annotations

from .._engine import Context, LineFact, Rule, Severity, Vocabulary, code_level, inline
from ..errors import ModifierNotEffectiveError, UnknownModifierError
from . import _common as common
from ._common import FixResult, Pred

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


#: (modifier, what is wrong, the modifiers probably meant)
_Problem = tuple[str, str, tuple[str, ...]]


def _problems(ctx: Context) -> list[_Problem]:
    """The line's Level II modifiers that the catalog's release does not know or that
    are not in effect on the line's date, computed once per line."""
    return _PROBLEMS.of(ctx)


def _modifier_problems(ctx: Context) -> list[_Problem]:
    found: list[_Problem] = []
    release = ctx.catalog.release
    if ctx.line is not None and release is not None:
        for modifier in ctx.line.modifiers:
            if modifier.isdigit():
                continue  # CPT (Level I) modifiers are not in CMS's Level II file
            try:
                ctx.catalog.lookup_modifier(modifier, on=ctx.date)
            except UnknownModifierError as exc:
                found.append(
                    (modifier, f"is not a HCPCS modifier of CMS {release.name}", exc.suggestions)
                )
            except ModifierNotEffectiveError as exc:
                why = (
                    f"takes effect on {exc.effective.isoformat()}"
                    if ctx.date < exc.effective
                    else f"ended {exc.terminated.isoformat() if exc.terminated else ''}"
                )
                found.append((modifier, f"is not in effect on {ctx.date.isoformat()} ({why})", ()))
    return found


#: The line's modifiers the release does not know or that are not in effect (the
#: family's line fact).
_PROBLEMS: LineFact[list[_Problem]] = LineFact(_modifier_problems)


def modifiers_valid() -> Pred:
    """Every Level II modifier on the line is in the catalog's CMS release and in effect
    on the line's date (CMS HCPCS file modifier records); two-digit CPT modifiers are
    not checked."""

    def test(ctx: Context) -> bool:
        line = ctx.line
        if line is None or not line.modifiers:  # most lines carry none
            return True
        release = ctx.catalog.release
        if release is None:
            return True
        for modifier in line.modifiers:  # the usual case: known and in effect, no memo
            if modifier.isdigit():
                continue
            entry = release.modifier(modifier)
            if entry is None or not entry.is_effective(line.date):
                return not _problems(ctx)
        return True

    # Most lines carry no modifier: answered in place, without a call.
    return inline(test, "ctx.line is None or not ctx.line.modifiers or {test}(ctx)", test=test)


def code_curated() -> Pred:
    """The line's code is in the curated home-care layer (unit, discipline, credentials
    reviewed), not only in the CMS release's validity layer."""
    return inline(
        code_level(lambda ctx: ctx.code is not None and ctx.code.curated),
        "ctx.code is not None and ctx.code.curated",
    )


def _fix_modifier(ctx: Context) -> FixResult:
    problems = _problems(ctx)
    detail = "; ".join(f"modifier {m} {why}" for m, why, _ in problems)
    hints = [
        f"replace {m} with {' or '.join(s)}" if s else f"remove {m} or use a current modifier"
        for m, _, s in problems
    ]
    fix = {"modifier": problems[0][2][0]} if problems and len(problems[0][2]) == 1 else {}
    return "; ".join(hints) or None, fix, {"detail": detail}


def _fix_not_curated(ctx: Context) -> FixResult:
    release = ctx.catalog.release
    return None, {}, {"release": release.name if release is not None else "release"}


VOCABULARY = Vocabulary(
    predicates={"code_curated": code_curated, "modifiers_valid": modifiers_valid},
    fixers={"invalid-modifier": _fix_modifier, "not-curated": _fix_not_curated},
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix

RULES: tuple[Rule, ...] = (
    Rule(
        "invalid-modifier",
        Severity.ERROR,
        "{detail}",
        "CMS HCPCS Level II alpha-numeric file, modifier records with their added and "
        "termination dates (cms.gov/medicare/coding-billing/healthcare-common-procedure-system)",
        ~p("modifiers_valid"),
        fix=fix("invalid-modifier"),
        field="modifiers",
        description=(
            "A Level II modifier on the line is not in the CMS release (a credential such as "
            '"RN" typed where TD belongs), or is not in effect on the date of service (CQ '
            "before 2019-01-01). Two-digit CPT modifiers are not checked."
        ),
        advice=(
            "The modifiers probably meant (``RN``: TD or TE; ``PTA``: CQ), or remove the "
            "modifier (``fix``: ``modifier`` when there is one candidate)."
        ),
    ),
    Rule(
        "code-not-curated",
        Severity.INFO,
        "{code} is a valid HCPCS code of CMS {release} outside the curated home-care "
        "catalog: its units and credentials are not checked",
        "CMS HCPCS Level II alpha-numeric file (the validity layer); hcpcs_home curated "
        "catalog (data/codes.tsv)",
        common.known & ~p("code_curated"),
        fix=fix("not-curated"),
        field="code",
        description=(
            "The code exists in the CMS release but is not one the library curates for home "
            "health, home care, hospice or home infusion, so no rule checks its units against "
            "the documented time or who may render it."
        ),
        advice="Check the units and the rendering credential against the payer's manual.",
    ),
)
"""The rules of this family, in the order their findings are reported."""
