"""The CPU kernels: compiled Cython where built, NumPy reference otherwise.

Each compiled module ``pytensor_ext/cpu/_<family>.pyx`` exports kernels named
as in :mod:`pytensor_ext.reference`.  Names no compiled module provides are
taken from the reference and listed in ``FALLBACK``; ``HAVE_CPU_EXT`` is True
only when every compiled module imported.
"""
import importlib
import os
import pkgutil

from pytensor_ext import reference as _reference

HAVE_CPU_EXT = False
LOAD_ERRORS = {}        # module name -> the ImportError text
COMPILED = {}           # kernel name -> compiled module name
FALLBACK = []           # kernel names served by the reference

_here = os.path.dirname(__file__)
_sources = sorted(name[:-4] for name in os.listdir(_here)
                  if name.endswith(".pyx"))
_loaded = {}
for _name in _sources:
    try:
        _loaded[_name] = importlib.import_module(f"{__name__}.{_name}")
    except ImportError as e:            # not built (or built for another ABI)
        LOAD_ERRORS[_name] = str(e)
# Installed wheels carry no .pyx sources: find the built modules instead.
if not _sources:
    for _info in pkgutil.iter_modules([_here]):
        if _info.name.startswith("_"):
            try:
                _loaded[_info.name] = importlib.import_module(
                    f"{__name__}.{_info.name}")
            except ImportError as e:
                LOAD_ERRORS[_info.name] = str(e)

HAVE_CPU_EXT = bool(_loaded) and not LOAD_ERRORS

for _kname in _reference.KERNEL_NAMES:
    for _mname, _mod in _loaded.items():
        _fn = getattr(_mod, _kname, None)
        if _fn is not None:
            globals()[_kname] = _fn
            COMPILED[_kname] = _mname
            break
    else:
        globals()[_kname] = getattr(_reference, _kname)
        FALLBACK.append(_kname)
