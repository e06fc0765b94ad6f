"""How much of torch's public API chainrule covers (issue 11).

Every public name of the installed torch and of torch.Tensor that chainrule
lacks must be listed in tests/_api_coverage.py: as deliberately out of scope
(with the reason) or as not yet done.  A missing name in neither list fails
(a regression, or a name torch added), and so does a listed "not yet" name
that has arrived (delete it from the list).  ``python tests/test_api_coverage.py``
prints the coverage figures the README quotes, and the names still to do.
"""
import sys

import pytest

import chainrule
from _api_coverage import (TENSOR_NOT_YET, TENSOR_OUT_OF_SCOPE, TORCH_NOT_YET,
                           TORCH_OUT_OF_SCOPE)

torch = pytest.importorskip("torch")
_PINNED = "2.13"


def _public(obj):
    return {n for n in dir(obj) if not n.startswith("_")}


def _report(theirs, ours, out_of_scope, not_yet):
    names = _public(theirs)
    lacking = {n for n in names if not hasattr(ours, n)}
    return dict(
        total=len(names), in_scope=len(names - out_of_scope), covered=len(names - lacking),
        unlisted=sorted(lacking - out_of_scope - not_yet),
        arrived=sorted(not_yet - lacking),
        scoped_but_present=sorted((out_of_scope & names) - lacking),
        still_to_do=sorted(lacking & not_yet))


CASES = {"torch": (lambda: (torch, chainrule), TORCH_OUT_OF_SCOPE, TORCH_NOT_YET),
         "torch.Tensor": (lambda: (torch.Tensor, chainrule.Tensor), TENSOR_OUT_OF_SCOPE,
                          TENSOR_NOT_YET)}


@pytest.mark.skipif(not torch.__version__.startswith(_PINNED),
                    reason=f"the lists are of torch {_PINNED}'s names")
@pytest.mark.parametrize("where", sorted(CASES))
def test_every_missing_name_is_listed(where):
    get, out_of_scope, not_yet = CASES[where]
    r = _report(*get(), out_of_scope, not_yet)
    print(f"{where}: {r['covered']} of {r['total']} public names "
          f"({r['in_scope'] - len(r['still_to_do'])} of {r['in_scope']} in scope); "
          f"not yet: {' '.join(r['still_to_do'])}")
    assert not r["unlisted"], f"{where} lacks names that no list accounts for: {r['unlisted']}"
    assert not r["arrived"], f"{where} now has these 'not yet' names; delete them: {r['arrived']}"


if __name__ == "__main__":
    for where, (get, out_of_scope, not_yet) in sorted(CASES.items()):
        r = _report(*get(), out_of_scope, not_yet)
        done = r["in_scope"] - len(r["still_to_do"])
        print(f"{where}: {done} of {r['in_scope']} in-scope public names "
              f"({100 * done / r['in_scope']:.0f}%), {r['covered']} of all {r['total']}")
        if r["unlisted"] or r["arrived"]:
            print("  unlisted:", r["unlisted"], "arrived:", r["arrived"], file=sys.stderr)
