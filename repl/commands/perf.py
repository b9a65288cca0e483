"""``:time``, ``:profile``, ``:mem``: time and memory."""
from pytensor import debug
from pytensor.debug.state import run_readonly
from repl.commands import CommandError, command


@command("time", "[-n N] [-r R] <expr>",
         "time a statement (synchronises the GPU; device time from events;"
         " leaves the state as it was)",
         flags={"-n": int, "-r": int}, example=":time -n 100 model(x)")
def time_(session, args):
    stmt = args.rest.strip()
    if not stmt:
        raise CommandError("give a statement")
    try:
        code = compile(stmt, "<time>", "eval")
    except SyntaxError:
        code = compile(stmt, "<time>", "exec")
    ns = session.namespace
    from pytensor.debug.names import paused_tape

    def fn():
        eval(code, ns)
    # Like %timeit the statement really runs, many times; the state it
    # may change on the way (parameters, buffers, grads, optimizer, RNG)
    # is put back, and graphs are kept so a timed backward can repeat.
    with paused_tape():
        t, _ = run_readonly(
            lambda: debug.time_call(fn, number=args["-n"],
                                    repeat=args["-r"] or 5, label=stmt),
            session.namespace)
    if not session.options.times:
        t.hidden = True
    return t


@command("profile", "<stmt> [--by op|module]",
         "per op type (or module): calls, forward/backward ms, kernel, bytes "
         "(leaves the state as it was)",
         flags={"--by": str}, example=":profile loss.backward() --by op")
def profile(session, args):
    stmt = args.rest.strip()
    if not stmt:
        raise CommandError("give a statement")
    by = args["--by"] or "op"
    if by not in ("op", "module"):
        raise CommandError("--by is op or module")
    try:
        code = compile(stmt, "<profile>", "exec")
    except SyntaxError as e:
        raise CommandError(f"not a statement: {e.msg}") from None
    ns = dict(session.namespace)        # new names stay out of the session

    def fn():
        exec(code, ns)
    # Recording stays on (module paths come from the tape); the records
    # of the profiled run are dropped afterwards.
    from pytensor.autograd.tape import tape
    last = tape.last_id()
    try:
        result, ok = run_readonly(
            lambda: debug.profile(fn, by=by, namespace=session.namespace),
            session.namespace)
    finally:
        tape.truncate(last)
    if not session.options.times:
        # Hidden times: a stable order (by name), zeros shown.
        for r in result.rows:
            r.fwd = r.bwd = 0.0
        result.wall = 0.0
        result.rows.sort(key=lambda r: r.key)
    return result


@command("mem", "[--top N]",
         "memory held by parameters, grads, saved tensors and the rest",
         flags={"--top": int}, example=":mem")
def mem(session, args):
    return debug.memory(session.namespace, top=args["--top"] or 5)
