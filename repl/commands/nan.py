"""``:nan``: stop at the first op that makes NaN/inf, forward or backward."""
from pytensor import debug
from pytensor.debug.state import run_readonly
from repl.commands import CommandError, command


def _on_hit(session, hit):
    """The sentinel's callback: report, then a nested prompt with the
    tensors bound; returns "continue" or "abort"."""
    session.show(hit)
    ins = [t for t in (hit.input_tensors or ()) if t is not None]
    outs = list(hit.output_tensors or ())
    out = outs[hit.output_index] if hit.output_index < len(outs) else None
    bindings = {"inp": ins[0] if len(ins) == 1 else tuple(ins),
                "out": out, "inputs": tuple(ins), "outputs": tuple(outs),
                "node": hit.node}
    ctx = ""
    if hit.record:
        ctx = f" · :tape {max(1, hit.record - 4)}..{hit.record} for context"
    session.write(f"   bound: inp, out, inputs, outputs, node{ctx} · "
                  ":c continue, :q abort")

    def handler(line):
        if line in (":c", ":continue", ":cont"):
            return "continue"
        if line in (":q", ":abort"):
            return "abort"
        return None
    action = session.nested(hit.prompt_label(), bindings, handler)
    return action or "abort"


def make_sentinel(session, forward, backward):
    return debug.NanSentinel(forward, backward,
                             lambda hit: _on_hit(session, hit),
                             session.namespace)


def _mode(args):
    f, b = args["--forward"], args["--backward"]
    if args["--both"] or f == b:
        return True, True
    return f, b


@command("nan", "on|off [--forward|--backward|--both] | find [stmt]",
         "stop at the first op that produces NaN/inf (values, line, first "
         "bad element)",
         flags={"--forward": bool, "--backward": bool, "--both": bool},
         example=":nan on --both",
         details=":nan on       check every op from now on (forward and "
                 "backward by default)\n:nan off      stop checking\n"
                 ":nan find     re-run the last Python input that ran ops, "
                 "with checks on and\n              the RNG as it was before "
                 "it, and put every parameter, buffer, optimizer state and\n"
                 "              RNG back afterwards\n:nan find "
                 "STMT  the same for STMT\nAt a hit a nested prompt "
                 "[nan #N op]>>> has inp, out, inputs, outputs and\nnode "
                 "bound; :c continues, :q aborts the statement.")
def nan(session, args):
    pos = args.positional
    sub = pos[0] if pos else ""
    if sub in ("", "status"):
        if session.nan is None:
            return "NaN/inf checks are off (:nan on)"
        hits = len(session.nan.hits)
        return (f"NaN/inf checks on ({session.nan_mode}); {hits} hit"
                f"{'s' if hits != 1 else ''} so far")
    if sub == "on":
        f, b = _mode(args)
        if session.nan is not None:
            session.nan.disable()
        session.nan = make_sentinel(session, f, b).enable()
        session.nan_mode = ("forward and backward" if f and b else
                            "forward" if f else "backward")
        return (f"NaN/inf checks on ({session.nan_mode}): stops at the first "
                "op that produces a non-finite value")
    if sub == "off":
        if session.nan is not None:
            session.nan.disable()
        session.nan = None
        session.nan_mode = None
        return "NaN/inf checks off"
    if sub == "find":
        stmt = args.raw.strip()[len("find"):].strip()
        for f in ("--forward", "--backward", "--both"):
            stmt = stmt.replace(f, "").strip()
        rng = None
        if not stmt:
            if not session.python_history:
                raise CommandError("no input that ran ops to re-run; give a "
                                   "statement: :nan find loss.backward()")
            stmt, rng = session.python_history[-1]
        f, b = _mode(args)
        sentinel = make_sentinel(session, f, b)
        session.write(f"re-running with NaN/inf checks: {stmt.splitlines()[0]}"
                      + (" …" if "\n" in stmt else ""))
        was_on = session.nan
        if was_on is not None:
            was_on.disable()

        def go():
            if rng is not None:
                from pytensor.debug.state import _set_rng_states
                _set_rng_states(rng)
            with sentinel:
                session.run_hidden(stmt)
        from pytensor.autograd.tape import tape
        last = tape.last_id()
        try:
            _, ok = run_readonly(go, session.namespace)
        finally:
            tape.truncate(last)
            if was_on is not None:
                was_on.enable()
        if not sentinel.hits:
            return "no op produced a non-finite value"
        return "state restored" + ("" if ok else " (checksum differs)")
    raise CommandError("use :nan on, :nan off, :nan find [stmt]")
