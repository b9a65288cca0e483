"""The examples of docs/ops.md run and print what the page says."""
import doctest
import os

import pytensor

_PAGE = os.path.join(os.path.dirname(__file__), "..", "docs", "ops.md")


def test_ops_page_examples():
    pytensor.manual_seed(0)
    res = doctest.testfile(_PAGE, module_relative=False,
                           optionflags=doctest.ELLIPSIS |
                           doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0
    assert res.failed == 0
