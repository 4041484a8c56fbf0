"""The rule reference, written from the rules themselves (``docs/rules.rst`` shows it).

>>> from hcpcs_home.rules import DEFAULT_RULES
>>> print(reference_rst(DEFAULT_RULES).splitlines()[3])
``unknown-code``
"""

from __future__ import annotations

from .._engine import Need, Rule, RuleSet, Scope

__all__ = ["reference_rst"]


def __dir__() -> list[str]:
    return __all__


def reference_rst(rules: RuleSet, families: dict[str, tuple[str, str]] | None = None) -> str:
    """reStructuredText for every rule of ``rules`` in order, grouped by family where
    ``families`` maps rule ids to ``(family name, family title)``."""
    out: list[str] = []
    current: str | None = None
    for rule in rules:
        family, title = (families or {}).get(rule.id, ("custom", "Other rules"))
        if family != current:
            current = family
            heading = f"{title} (``{family}``)"
            out += [heading, "^" * len(heading), ""]
        out += _entry(rule)
    return "\n".join(out) + "\n"


#: How the reference names what a rule needs (:class:`~hcpcs_home.policy.Need`).
_NEEDS = {
    Need.CHART: "the chart (documented services)",
    Need.HEADER: "the claim header and its other lines",
    Need.EVV: (
        "the claim's EVV visits (``Claim.has_evv``: a claim read from an 837, UB-04, RIF "
        "or CSV file does not give them)"
    ),
    Need.HISTORY: "a claim history (``check(..., history=...)``: the claims on file)",
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _entry(rule: Rule) -> list[str]:
    where = "the claim" if rule.scope is Scope.CLAIM else "each line"
    head = f"   **{rule.severity.value}** · checks {where}"
    if rule.field:
        head += f" · field ``{rule.field}``"
    lines = [f"``{rule.id}``", head, ""]
    if rule.description:
        lines.append(f"   :Checks: {_one_line(rule.description)}")
    if rule.advice:
        lines.append(f"   :Fix: {_one_line(rule.advice)}")
    lines.append(f"   :Message: ``{_one_line(rule.message)}``")
    lines.append(f"   :Source: {_one_line(rule.source)}")
    if rule.action is not None:
        action = rule.action.value
        if rule.action_from is not None:
            action += (
                f" from {rule.action_from.isoformat()} (a warning on earlier dates of service, "
                "when the payer took no action)"
            )
        lines.append(
            f"   :Payer action: {action} ({rule.severity.value}): {_one_line(rule.action_source)}"
        )
    lines.append(f"   :Predicate: ``{rule.when}``")
    if rule.needs:
        needs = ", ".join(_NEEDS[n] for n in sorted(rule.needs))
        lines.append(f"   :Needs: {needs} (not run without it)")
    if rule.payers:
        lines.append(f"   :Payers: {', '.join(f'``{p}``' for p in sorted(rule.payers))}")
    if rule.effective_from or rule.effective_through:
        start = rule.effective_from.isoformat() if rule.effective_from else "any date"
        end = rule.effective_through.isoformat() if rule.effective_through else "no end"
        lines.append(f"   :In effect: dates of service {start} to {end}")
    if rule.example:
        lines.append(f"   :Example: {_one_line(rule.example)}")
    return [*lines, ""]
