"""``:step <call>``: run a model's forward module by module."""
import ast

from pytensor import debug
from pytensor.debug.names import is_module
from repl.commands import CommandError, command
from repl.evaluator import format_exception

_KEYS = {"n": "next", "next": "next", "s": "in", "step": "in",
         "o": "out", "out": "out", "r": "out", "c": "cont", "cont": "cont",
         "continue": "cont", "q": "quit", "quit": "quit"}


def _callee_modules(session, call):
    """The module being called in ``call`` (``model(x)`` -> model)."""
    try:
        tree = ast.parse(call, mode="eval")
    except SyntaxError as e:
        raise CommandError(f"not an expression: {e.msg}") from None
    node = tree.body
    if isinstance(node, ast.Call):
        try:
            f = session.eval(ast.unparse(node.func))
        except CommandError:
            return None
        if is_module(f):
            return [f]
    return None


def _show_value(session, v):
    from pytensor.tensor import Tensor
    if isinstance(v, Tensor):
        if v.numel() == 1:
            session.write(repr(v.item()) if not isinstance(
                v.item(), float) else f"{v.item():.4g}")
        else:
            session.write(debug.summary(v, prec=session.options.precision))
    else:
        session.write(repr(v))


@command("step", "<call>",
         "run a forward module by module: n s o c p <expr> w q",
         example=":step model(x)",
         details="At each stop the prompt is [step PATH]>:\n"
                 "  n     run this module, stop at the next one at this "
                 "depth\n  s     step into this module's children\n"
                 "  o     finish the parent, stop at its next sibling\n"
                 "  c     run to the end (the result goes to _)\n"
                 "  p E   print E; input, self and output are bound\n"
                 "  w     the modules running now\n  q     abort the call\n"
                 "Other lines run as Python or :commands.")
def step(session, args):
    call = args.raw.strip()
    if not call:
        raise CommandError("give a call, e.g. :step model(x)")
    mods = _callee_modules(session, call)
    code = compile(call, "<step>", "eval")
    from repl.evaluator import _register
    _register("<step>", call)
    ns = session.namespace
    try:
        stepper = debug.Stepper(lambda: eval(code, ns), modules=mods,
                                namespace=ns)
    except ValueError as e:
        raise CommandError(str(e)) from None
    try:
        return _loop(session, stepper, ns)
    finally:
        stepper.close()


def _loop(session, stepper, ns):
    ev = stepper.start()
    while True:
        if ev.kind == "error":
            session.write(ev.render(session.width))
            if ev.exc is not None:
                session.write(format_exception(
                    ev.exc, session.options.traceback == "full"))
            return None
        ev.times = session.options.times
        session.show(ev)
        if session.watches and ev.kind == "enter":
            for line in session.watch_report(changed_only=True):
                session.write(line)
        if stepper.done:
            if ev.kind == "done":
                ns["_"] = ev.result
            return None
        chosen = []

        def handler(line):
            word, _, rest = line.partition(" ")
            if word == "p" or word == "print":
                try:
                    from pytensor.debug.names import paused_tape
                    with paused_tape():
                        v = eval(compile(rest or "output", "<step-p>",
                                         "eval"), ns)
                    _show_value(session, v)
                except Exception as e:
                    session.write(f"{type(e).__name__}: {e}")
                return "stay"
            if word == "w" or word == "where":
                session.write(" > ".join(stepper.stack()) or "-")
                return "stay"
            act = _KEYS.get(line)
            if act is not None:
                chosen.append(act)
                return act
            return None
        while True:
            act = session.nested(ev.prompt_label(), stepper.bindings(),
                                 handler, suffix="> ")
            if act != "stay":
                break
        act = act or "quit"
        ev = {"next": stepper.next, "in": stepper.step_in,
              "out": stepper.step_out, "cont": stepper.cont,
              "quit": stepper.quit}[act]()
