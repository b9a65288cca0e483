"""Every docstring example in pytensor, pytensor_ext and repl runs."""
import doctest
import importlib
import pkgutil

import pytest

import pytensor


def _modules():
    names = []
    for pkg_name in ("pytensor", "pytensor_ext", "repl"):
        try:
            pkg = importlib.import_module(pkg_name)
        except ImportError:
            continue
        names.append(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            if ".gpu" in info.name or info.name.endswith("__main__"):
                continue
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS |
                                   doctest.NORMALIZE_WHITESPACE)
    pytensor.manual_seed(0)
    for test in finder.find(mod, name, globs={}):
        runner.run(test)
    res = runner.summarize(verbose=False)
    assert res.failed == 0, \
        f"{res.failed} docstring example(s) failed in {name}"
