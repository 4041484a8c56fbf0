"""The default check builds only the rule families that can fire on the claim (#21).

:func:`hcpcs_home.policy.check` with the default rules runs, for a claim that is not a
hospice claim or is checked without a history, :data:`~hcpcs_home.rules.DEFAULT_RULES`
without the families :data:`hcpcs_home.rules._NEEDED_FOR` says cannot fire on it, so a
fresh process never builds them.  These tests hold that table to what the families
define, and the shortcut to the full rule set's plans and findings.
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hcpcs_home
from hcpcs_home import Claim, ClaimLine, Service, check, payers, rules
from hcpcs_home.history import MemoryHistory
from hcpcs_home.policy import Context, Need, RuleSet
from hcpcs_home.rules import DEFAULT_RULES

#: Every bill class a type of bill can have ("0XYZ": XY), and a professional claim's None.
BILL_CLASSES: list[str | None] = [None, *(f"{a}{b}" for a in "0123456789" for b in "0123456789")]
ALL_NEEDS = frozenset(Need)


def _header(payer: payers.Payer, bill_class: str | None) -> Context:
    day = _dt.date(2024, 3, 1)  # header predicates read only the payer and type of bill
    bill = None if bill_class is None else f"0{bill_class}1"
    return Context(Claim(payer, day, day, type_of_bill=bill))


def _payers() -> list[payers.Payer]:
    return sorted(payers._profiles().values(), key=lambda p: p.id)


@pytest.mark.parametrize("family", sorted(rules._NEEDED_FOR))
def test_skipped_families_cannot_fire_where_skipped(family: str) -> None:
    """Every rule of a family the table lets a check skip is inactive for every shipped
    payer and every bill class outside the family's (given everything a check can give
    but, for a family that needs a history, the history): the engine settles none of
    them into a plan, so leaving the family out changes no plan and no finding."""
    classes, needs_history = rules._NEEDED_FOR[family]
    own = RuleSet(rules._acted(family), name="family")
    given = ALL_NEEDS - {Need.HISTORY} if needs_history else ALL_NEEDS
    outside = [c for c in BILL_CLASSES if classes is not None and c not in classes]
    for payer in _payers():
        for bill_class in outside if not needs_history else BILL_CLASSES:
            assert ([], [], []) == own._steps(_header(payer, bill_class), given), (
                payer.id,
                bill_class,
            )
    if needs_history:  # the table's promise, also as the rules say it
        assert all(Need.HISTORY in r.needs for r in own.rules)
    elif classes:  # and where the table says they can fire, some do settle into plans
        for bill_class in classes:
            steps, claim_steps, _ = own._steps(_header(payers.MEDICARE, bill_class), ALL_NEEDS)
            assert steps or claim_steps, bill_class
    else:  # a family said never to fire holds no rule
        assert () == own.rules


def test_the_table_names_families() -> None:
    assert set(rules._NEEDED_FOR) <= set(rules._FAMILY_NAMES)
    assert tuple(m.__name__.rsplit(".", 1)[1] for m in rules.FAMILIES) == rules._FAMILY_NAMES


@pytest.mark.parametrize("bill_class", [None, "32", "33", "34", "81", "82", "83"])
@pytest.mark.parametrize("with_history", [False, True])
def test_plans_are_the_full_sets(bill_class: str | None, with_history: bool) -> None:
    """For every shipped payer, the rule set a default check runs settles the same rules
    to the same residual predicates, in the same order, as DEFAULT_RULES."""
    given = ALL_NEEDS if with_history else ALL_NEEDS - {Need.HISTORY}
    for payer in _payers():
        header = _header(payer, bill_class)
        chosen = rules._for_claim(header.claim, with_history)
        mine, full = chosen._steps(header, given), DEFAULT_RULES._steps(header, given)
        assert [[(r.id, str(p)) for r, p in part] for part in mine[:2]] == [
            [(r.id, str(p)) for r, p in part] for part in full[:2]
        ]
        assert [f.rule_id for f in mine[2]] == [f.rule_id for f in full[2]]


def _claims() -> list[Claim]:
    visit = Service.from_times("T1000", "2025-03-03", "09:00", "10:00", credential="LPN")
    home = ClaimLine.from_service(visit, revenue_code="0552")
    hospice_line = ClaimLine("Q5001", "2025-03-03", 2, revenue_code="0651")
    return [
        Claim(payers.TEXAS_MEDICAID_CSHCN, "2025-03-01", "2025-03-28", lines=[home],
              services=[visit]),
        Claim(payers.TEXAS_MEDICAID_CSHCN, "2025-03-01", "2025-03-28", type_of_bill="0331",
              lines=[home], services=[visit]),
        Claim(payers.MEDICARE, "2025-03-01", "2025-03-31", type_of_bill="0811",
              lines=[hospice_line]),
        Claim(payers.MEDICARE, "2025-03-01", "2025-03-31", type_of_bill="0329",
              lines=[ClaimLine("G0299", "2025-03-03", 4, revenue_code="0551")]),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize("with_history", [False, True])
def test_findings_are_the_full_sets(index: int, with_history: bool) -> None:
    """A default check finds what DEFAULT_RULES finds, in the same order, with and
    without a history; a claim of no skipped family's kind runs fewer rules."""
    claim = _claims()[index]
    history = MemoryHistory() if with_history else None
    assert DEFAULT_RULES.check(claim, history=history) == check(claim, history=history)
    chosen = rules._for_claim(claim, with_history)
    if claim.bill_class not in ("81", "82") or not with_history:
        assert len(chosen) < len(DEFAULT_RULES)
        assert [r.id for r in chosen] == [r.id for r in DEFAULT_RULES if r.id in chosen]
    else:  # every family with rules: DEFAULT_RULES' very rules, so its plans too
        assert chosen.rules == DEFAULT_RULES.rules
        assert all(a is b for a, b in zip(chosen.rules, DEFAULT_RULES.rules, strict=True))


def test_errors_are_unchanged() -> None:
    """What is not a claim, or a bad history, is refused as before."""
    with pytest.raises(hcpcs_home.InvalidFieldError, match="claim"):
        check("not a claim")  # type: ignore[arg-type]
    with pytest.raises(hcpcs_home.InvalidFieldError, match="history"):
        check(_claims()[0], history="no")  # type: ignore[arg-type]


#: Two threads first-checking a home-care claim at once in a fresh process, then the names
#: the rules package was asked for.
THREADS_SCRIPT = """
import json, sys, threading
sys.path[:0] = json.loads(sys.argv[1])
from hcpcs_home import Claim, ClaimLine, Service, check, payers
visit = Service.from_times("T1000", "2025-03-03", "09:00", "10:00", credential="LPN")
claim = Claim(payers.TEXAS_MEDICAID_CSHCN, "2025-03-01", "2025-03-28", type_of_bill="0331",
              lines=[ClaimLine.from_service(visit, revenue_code="0552")], services=[visit])
start = threading.Barrier(2)
found = [None, None]
def first(i):
    start.wait()
    from hcpcs_home import rules
    found[i] = (check(claim), rules._for_claim(claim, False), rules.DEFAULT_RULES)
threads = [threading.Thread(target=first, args=(i,)) for i in range(2)]
for t in threads: t.start()
for t in threads: t.join()
(a, sa, da), (b, sb, db) = found
print(json.dumps({"same": a == b and sa is sb and da is db,
                  "full": a == da.check(claim), "found": len(a.findings) > 0}))
"""

#: A home-care claim's first check in a fresh process: the rule families it imported.
HOME_CARE_SCRIPT = """
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
from hcpcs_home import Claim, ClaimLine, Service, check, payers
visit = Service.from_times("T1000", "2025-03-03", "09:00", "10:00", credential="LPN")
claim = Claim(payers.TEXAS_MEDICAID_CSHCN, "2025-03-01", "2025-03-28", type_of_bill="0331",
              lines=[ClaimLine.from_service(visit, revenue_code="0552")], services=[visit])
check(claim)
print(json.dumps(sorted(m for m in sys.modules if m.startswith("hcpcs_home.rules."))))
"""


def _fresh(script: str) -> object:
    path = json.dumps([str(Path(hcpcs_home.__file__).resolve().parents[1]), *sys.path])
    done = subprocess.run(
        [sys.executable, "-S", "-c", script, path], capture_output=True, text=True, timeout=300
    )
    assert "" == done.stderr
    return json.loads(done.stdout)


def test_two_threads_first_checking_agree() -> None:
    """Two threads first-checking at once get equal reports from the same rule sets."""
    assert {"same": True, "full": True, "found": True} == _fresh(THREADS_SCRIPT)


def test_home_care_check_builds_no_hospice_or_history_rules() -> None:
    """A fresh process's first check of a home-care claim imports no hospice or history
    rule family (and so builds none of their rules)."""
    found = _fresh(HOME_CARE_SCRIPT)
    assert isinstance(found, list)
    assert "hcpcs_home.rules.home_care" in found
    skipped = [f"hcpcs_home.rules.{name}" for name in rules._NEEDED_FOR]
    assert [] == [m for m in skipped if m in found]
