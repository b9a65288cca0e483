"""``Stepper``: run a model's forward module by module (``:step``).

The call runs in a worker thread; forward pre-hooks and hooks on every
module under the stepped models pause it and hand an event (which module,
its input and output summaries, the time it took) to the caller, who
decides how far to run next:

- ``next()``      finish this module, stop at the next one at this depth;
- ``step_in()``   stop at this module's first child (or as ``next``);
- ``step_out()``  finish the parent, stop at the next one at its depth;
- ``cont()``      run to the end;  ``quit()`` abort the call.

Grad mode and the tape are process-wide, so the forward records exactly as
it would have in the caller's thread.  The hooks are removed when the run
ends.
"""
import dataclasses
import queue
import threading
import time

from pytensor.debug._render import fmt_time
from pytensor.debug._result import Result, live
from pytensor.debug.names import Namer
from pytensor.debug.summarize import summary

__all__ = ["Stepper", "StepEvent", "StepAbort"]


class StepAbort(BaseException):
    """Raised in the worker to abort the stepped call (``quit()``)."""


@dataclasses.dataclass
class StepEvent(Result):
    """Where the stepped forward stopped.

    Attributes:
        kind (str): ``enter`` (about to run ``path``), ``done`` (the call
            returned) or ``error`` (it raised).
        path (str): module path (``model.1``); type (str): its class and
            shape hint (``Linear(4→8)``).
        depth (int): 0 for a stepped root, 1 for its children, ...
        index, count (int): position among its siblings (1-based).
        inputs (list of str): summaries of the tensor arguments.
        finished (list): ``(path, output summary, seconds)`` of the modules
            at the stepped depth that completed since the last stop.
        output (str): the call's result (``done``).
        modules (int): modules run so far; elapsed (float): seconds.
        error (str): the exception (``error``).
    """
    kind: str
    path: str = ""
    type: str = ""
    depth: int = 0
    index: int = 0
    count: int = 0
    inputs: list = dataclasses.field(default_factory=list)
    finished: list = dataclasses.field(default_factory=list)
    output: str = ""
    modules: int = 0
    elapsed: float = 0.0
    error: str = ""
    times: bool = True
    module: object = live()
    args: object = live()
    result: object = live()
    exc: object = live()

    def prompt_label(self):
        return f"step {self.path}"

    def render(self, width=None, color=False):
        lines = []
        for path, out, secs in self.finished:
            t = f"  {fmt_time(secs)}" if self.times else ""
            lines.append(f"          {path} out {out}{t}")
        if self.kind == "enter":
            pos = f"{self.index}/{self.count}" if self.count else "-"
            ins = ", ".join(self.inputs) or "no tensor input"
            lines.append(f"step {pos}  {self.path} {self.type}  in {ins}")
        elif self.kind == "done":
            t = f" · {fmt_time(self.elapsed)}" if self.times else ""
            lines.append(f"done · out {self.output} · {self.modules} "
                         f"modules{t} · result in _")
        elif self.kind == "error":
            lines.append(f"error in {self.path or 'the call'}: {self.error}")
        elif self.kind == "quit":
            lines.append("stopped: the call was aborted")
        return "\n".join(lines)


def _type_label(m):
    name = type(m).__name__
    ins = getattr(m, "in_features", None)
    outs = getattr(m, "out_features", None)
    if ins is not None and outs is not None:
        return f"{name}({ins}→{outs})"
    return name


def _tensor_summaries(args, namer):
    from pytensor.tensor import Tensor
    out = []
    for a in args:
        if isinstance(a, Tensor):
            out.append(summary(a, device=False))
        elif isinstance(a, (tuple, list)):
            out.extend(_tensor_summaries(a, namer))
    return out


def _first_tensor(x):
    from pytensor.tensor import Tensor
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (tuple, list)):
        for e in x:
            t = _first_tensor(e)
            if t is not None:
                return t
    if isinstance(x, dict):
        for e in x.values():
            t = _first_tensor(e)
            if t is not None:
                return t
    return None


def _out_summary(x):
    from pytensor.tensor import Tensor
    if isinstance(x, Tensor):
        return summary(x, device=False)
    t = _first_tensor(x)
    if t is not None:
        return summary(t, device=False) + (" (+ more)" if not isinstance(
            x, Tensor) else "")
    return type(x).__name__


class Stepper:
    """Step through ``fn()`` module by module.

    Args:
        fn: a callable running the forward (``lambda: model(x)``).
        modules: the modules to step, ``[(name, module)]`` or modules
            (default: every module in ``namespace``).
        namespace (dict): names for the modules.

    Example::

        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
        s = Stepper(lambda: model(x), namespace={"model": model})
        s.start().path          # 'model.0'
        s.next().path           # 'model.1'
        s.cont().kind           # 'done'
    """

    def __init__(self, fn, modules=None, namespace=None):
        self.fn = fn
        self.namespace = namespace or {}
        namer = Namer(self.namespace)
        if modules is None:
            roots = list(namer.roots.items())
        else:
            roots = []
            for m in modules:
                if isinstance(m, tuple):
                    roots.append(m)
                else:
                    roots.append((namer.module_name(m) or type(m).__name__,
                                  m))
        if not roots:
            raise ValueError("step: no modules to step through (give a "
                             "model, e.g. :step model(x))")
        self.paths = {}             # id(module) -> path
        self.children = {}          # id(module) -> [child ids]
        for name, root in roots:
            for path, m in root.named_modules():
                full = f"{name}.{path}" if path else name
                self.paths.setdefault(id(m), full)
            for path, m in root.named_modules():
                kids = [id(c) for c in m.children()] \
                    if hasattr(m, "children") else []
                self.children.setdefault(id(m), kids)
        self.modules = {}
        for name, root in roots:
            for _, m in root.named_modules():
                self.modules[id(m)] = m
        self._to_main = queue.Queue()
        self._to_worker = queue.Queue()
        self._handles = []
        self._stack = []            # (module, t0) of the running modules
        self._mode = ("in", None)   # how far to run before the next stop
        self._finished = []
        self._count = 0
        self._t0 = None
        self._thread = None
        self.event = None
        self.done = False
        self.result = None

    # -- worker side ------------------------------------------------------
    def _install(self):
        for m in self.modules.values():
            self._handles.append(m.register_forward_pre_hook(self._pre))
            self._handles.append(m.register_forward_hook(self._post))

    def _remove(self):
        for h in self._handles:
            h.remove()
        self._handles = []

    def _should_stop(self, depth):
        kind, d = self._mode
        if kind == "in":
            return True
        if kind == "next":
            return depth <= d
        if kind == "out":
            return depth <= d - 1
        return False                # "cont"

    def _pre(self, module, args):
        if self._aborted:
            raise StepAbort()
        depth = len(self._stack)
        self._stack.append((module, time.perf_counter()))
        parent = self._stack[-2][0] if depth else None
        auto_enter = depth == 0 and self.children.get(id(module))
        if auto_enter or not self._should_stop(depth):
            return None
        kids = self.children.get(id(parent), []) if parent is not None \
            else [id(module)]
        idx = kids.index(id(module)) + 1 if id(module) in kids else 0
        ev = StepEvent("enter", self.paths.get(id(module), "?"),
                       _type_label(module), depth, idx, len(kids),
                       _tensor_summaries(args, None), self._take_finished(),
                       modules=self._count,
                       elapsed=time.perf_counter() - self._t0,
                       module=module, args=args)
        self._pause(ev)
        return None

    def _post(self, module, args, output):
        if not self._stack:
            return None
        m, t0 = self._stack.pop()
        self._count += 1
        kind, d = self._mode
        depth = len(self._stack)
        if kind == "in" or (kind == "next" and depth == d) or (
                kind == "out" and depth == d - 1):
            self._finished.append((self.paths.get(id(module), "?"),
                                   _out_summary(output),
                                   time.perf_counter() - t0))
        self._last_output = (module, output)
        return None

    def _take_finished(self):
        f, self._finished = self._finished, []
        return f

    def _pause(self, ev):
        self._to_main.put(ev)
        cmd = self._to_worker.get()
        if cmd == "quit":
            self._aborted = True
            raise StepAbort()
        self._mode = cmd

    def _run(self):
        try:
            self._t0 = time.perf_counter()
            r = self.fn()
            self.result = r
            ev = StepEvent("done", output=_out_summary(r),
                           finished=self._take_finished(),
                           modules=self._count,
                           elapsed=time.perf_counter() - self._t0, result=r)
        except StepAbort:
            ev = StepEvent("quit", modules=self._count)
        except BaseException as e:       # delivered to the caller
            top = self._stack[-1][0] if self._stack else None
            ev = StepEvent("error", path=self.paths.get(id(top), "")
                           if top is not None else "",
                           error=f"{type(e).__name__}: {e}", exc=e,
                           modules=self._count)
        finally:
            self._remove()
        self._to_main.put(ev)

    # -- caller side ------------------------------------------------------
    def _wait(self):
        while True:
            try:
                ev = self._to_main.get(timeout=0.1)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._to_main.empty():
                    ev = StepEvent("error", error="the stepped call ended "
                                   "without a result")
                    break
        self.event = ev
        if ev.kind in ("done", "error", "quit"):
            self.done = True
            self._thread.join(timeout=5)
        return ev

    def start(self):
        """Start the call; returns the first :class:`StepEvent`."""
        if self._thread is not None:
            raise RuntimeError("step: already started")
        self._aborted = False
        self._install()
        self._thread = threading.Thread(target=self._run, name="pytensor-step",
                                        daemon=True)
        self._thread.start()
        return self._wait()

    def _resume(self, mode):
        if self.done:
            return self.event
        self._to_worker.put(mode)
        return self._wait()

    def next(self):
        """Run the current module to its end; stop at the next module at
        the same depth (or at the end)."""
        return self._resume(("next", self.event.depth))

    def step_in(self):
        """Stop at the current module's first child (if it has none, like
        :meth:`next`)."""
        return self._resume(("in", None))

    def step_out(self):
        """Finish the current module's parent; stop at the next module at
        the parent's depth."""
        return self._resume(("out", self.event.depth))

    def cont(self):
        """Run to the end."""
        return self._resume(("cont", None))

    def quit(self):
        """Abort the call (the worker raises at its next module)."""
        if self.done:
            return self.event
        self._to_worker.put("quit")
        return self._wait()

    def close(self):
        """Abort the call if it is still paused (the REPL calls this when
        the step prompt is left by an error or Ctrl-C)."""
        if self._thread is not None and not self.done:
            self.quit()

    def stack(self):
        """The paths of the modules running now, outermost first."""
        return [self.paths.get(id(m), "?") for m, _ in self._stack]

    def bindings(self):
        """Names for ``p <expr>``: ``input`` (the args tuple), ``self``
        (the module), ``output`` (the last finished module's output)."""
        ev = self.event
        b = {}
        if ev is not None and ev.kind == "enter":
            b["input"] = ev.args
            b["self"] = ev.module
        last = getattr(self, "_last_output", None)
        if last is not None:
            b["output"] = last[1]
        if ev is not None and ev.kind == "done":
            b["output"] = ev.result
        return b
