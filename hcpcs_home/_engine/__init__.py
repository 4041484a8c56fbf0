"""The machinery of :mod:`hcpcs_home.policy`: predicates, rules, rule sets, reports.

This module knows nothing of particular rules: those live in
:mod:`hcpcs_home.rules`, one module per family, and name their predicates
and fixers in a :class:`Vocabulary`.  Everything a check reads is passed in:
the claim, the catalog and the rule set (which carries its vocabulary).
:mod:`hcpcs_home.policy` is the public face of this module and adds the
default rules; the classes here say they belong to it.

One concern per module, each importing only those before it:

``context``
    what a check reads: :class:`Context` (the claim, its payer, the catalog, the
    line, and the memos of facts), :class:`Batch`, :class:`Need` and the
    least-recently-used caches keyed by data.
``predicates``
    :class:`Predicate` and its tree (:class:`Leaf`, :class:`And`, :class:`Or`,
    :class:`Not`).
``explanation``
    :class:`Explanation`: which parts of a tree held (defined on first use, as
    :class:`TableRule` is: a check builds none until a finding is explained).
``vocabulary``
    :class:`Vocabulary`, :class:`Fix`, ``inline``, ``keyed``, ``code_level``,
    :class:`ClaimFact` and :class:`LineFact` (a family's typed homes for the facts
    its rules share, per claim and per line), and predicates read from JSON data.
``rules``
    :class:`Rule`, :class:`Finding` (built lazily), :class:`Report`,
    :class:`Severity`, :class:`Scope`.
``plans``
    the plan writer: a rule set's line rules for one payer and bill compiled into
    one function (runs of code-keyed rules as one table lookup), the rules left
    for each line code once its code-level parts are settled, and the caches of
    compiled plans.
``tables``
    :class:`TableRule`: one rule holding a table's code-keyed rows, checked by one
    lookup of the line's code.
``rule_sets``
    :class:`RuleSet`: checking a claim, and saving and loading rule sets as JSON.

Every name is importable from this package as it was from the single module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import first_use
from .context import (
    _CATALOGS_KEPT as _CATALOGS_KEPT,
)
from .context import (
    _CHART_GIVEN as _CHART_GIVEN,
)
from .context import (
    _CLAIM_GIVES as _CLAIM_GIVES,
)
from .context import (
    _CODE_CACHE_SIZE as _CODE_CACHE_SIZE,
)
from .context import (
    _CODE_CACHES as _CODE_CACHES,
)
from .context import (
    _CODE_CACHES_LOCK as _CODE_CACHES_LOCK,
)
from .context import (
    _HISTORY_METHODS as _HISTORY_METHODS,
)
from .context import (
    _MOVE as _MOVE,
)
from .context import (
    _UNSET as _UNSET,
)
from .context import (
    VISIT_GIVES as VISIT_GIVES,
)
from .context import (
    Batch as Batch,
)
from .context import (
    Context as Context,
)
from .context import (
    Need as Need,
)
from .context import (
    _code_cache as _code_cache,
)
from .context import (
    _is_history as _is_history,
)
from .context import (
    _lru_get as _lru_get,
)
from .context import (
    _lru_put as _lru_put,
)
from .context import (
    _moving_context as _moving_context,
)
from .context import (
    _services_by_id as _services_by_id,
)
from .context import (
    _Unset as _Unset,
)
from .context import (
    gives as gives,
)
from .plans import (
    _LINE_FACT as _LINE_FACT,
)
from .plans import (
    _comment as _comment,
)
from .plans import (
    _LineChecker as _LineChecker,
)
from .plans import (
    _Plan as _Plan,
)
from .plans import (
    _PlanCache as _PlanCache,
)
from .plans import (
    _PlanWriter as _PlanWriter,
)
from .plans import (
    _Step as _Step,
)
from .predicates import (
    And as And,
)
from .predicates import (
    Fixer as Fixer,
)
from .predicates import (
    Leaf as Leaf,
)
from .predicates import (
    Not as Not,
)
from .predicates import (
    Or as Or,
)
from .predicates import (
    Predicate as Predicate,
)
from .predicates import (
    PredicateFactory as PredicateFactory,
)
from .predicates import (
    _all_of as _all_of,
)
from .predicates import (
    _any_of as _any_of,
)
from .predicates import (
    _check_predicate as _check_predicate,
)
from .predicates import (
    _freeze as _freeze,
)
from .predicates import (
    _jsonable as _jsonable,
)
from .predicates import (
    _Junction as _Junction,
)
from .predicates import (
    _rebuild_leaf as _rebuild_leaf,
)
from .predicates import (
    _wrap as _wrap,
)
from .rule_sets import (
    _RULE_KEYS as _RULE_KEYS,
)
from .rule_sets import (
    RuleSet as RuleSet,
)
from .rule_sets import (
    _nesting as _nesting,
)
from .rule_sets import (
    _opt_date as _opt_date,
)
from .rule_sets import (
    _rule_from_data as _rule_from_data,
)
from .rule_sets import (
    _rule_set_name as _rule_set_name,
)
from .rule_sets import (
    _rules as _rules,
)
from .rule_sets import (
    _str as _str,
)
from .rules import (
    _ACTION_SEVERITY as _ACTION_SEVERITY,
)
from .rules import (
    _CLAIM_FACTS as _CLAIM_FACTS,
)
from .rules import (
    _LINE_FACTS as _LINE_FACTS,
)
from .rules import (
    _MAX_MESSAGE as _MAX_MESSAGE,
)
from .rules import (
    Finding as Finding,
)
from .rules import (
    PayerAction as PayerAction,
)
from .rules import (
    Report as Report,
)
from .rules import (
    Rule as Rule,
)
from .rules import (
    Scope as Scope,
)
from .rules import (
    Severity as Severity,
)
from .rules import (
    _action as _action,
)
from .rules import (
    _advice_suggestion as _advice_suggestion,
)
from .rules import (
    _Explainer as _Explainer,
)
from .rules import (
    _failed as _failed,
)
from .rules import (
    _failure as _failure,
)
from .rules import (
    _fix as _fix,
)
from .rules import (
    _message as _message,
)
from .rules import (
    _needs as _needs,
)
from .rules import (
    _payers as _payers,
)
from .rules import (
    _rule_id as _rule_id,
)
from .rules import (
    _severity as _severity,
)
from .vocabulary import (
    _MAX_DEPTH as _MAX_DEPTH,
)
from .vocabulary import (
    ClaimFact as ClaimFact,
)
from .vocabulary import (
    Fix as Fix,
)
from .vocabulary import (
    LineFact as LineFact,
)
from .vocabulary import (
    Vocabulary as Vocabulary,
)
from .vocabulary import (
    _clip as _clip,
)
from .vocabulary import (
    _fix_name as _fix_name,
)
from .vocabulary import (
    _frozen_mapping as _frozen_mapping,
)
from .vocabulary import (
    _line_codes as _line_codes,
)
from .vocabulary import (
    _name_set as _name_set,
)
from .vocabulary import (
    _predicate_from_data as _predicate_from_data,
)
from .vocabulary import (
    _predicate_name as _predicate_name,
)
from .vocabulary import (
    _short as _short,
)
from .vocabulary import (
    code_level as code_level,
)
from .vocabulary import (
    inline as inline,
)
from .vocabulary import (
    keyed as keyed,
)

__all__ = [
    "And",
    "Batch",
    "Context",
    "Explanation",
    "Finding",
    "Fix",
    "Leaf",
    "Need",
    "Not",
    "Or",
    "PayerAction",
    "Predicate",
    "Report",
    "Rule",
    "RuleSet",
    "Scope",
    "Severity",
    "TableRule",
    "Vocabulary",
]


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .explanation import Explanation as Explanation
    from .tables import TableRule as TableRule


#: Defined on first use: a check of rules without a table, the default rules', never
#: needs TableRule, and a check explains nothing until asked.
_FIRST_USE = {"TableRule": "._engine.tables", "Explanation": "._engine.explanation"}
__getattr__ = first_use(__name__, _FIRST_USE)


# The public classes belong to hcpcs_home.policy, which re-exports them: that is
# where people find them, and where pickles and the reference say they live.
for _name in __all__:
    if _name not in _FIRST_USE:
        globals()[_name].__module__ = "hcpcs_home.policy"
del _name
