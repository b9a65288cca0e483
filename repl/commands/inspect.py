"""``:vars`` and ``:info``: what is in the namespace, and one tensor's
card."""
from pytensor import debug
from repl.commands import command


@command("vars", "[glob] [--all]",
         "variables: tensors with shape, dtype, device, grad state, bytes",
         flags={"--all": bool}, aliases=("whos",), example=":vars w*")
def vars_(session, args):
    pattern = args.rest.strip() or None
    return debug.variables(session.namespace, pattern,
                           exclude=session.startup_names, all=args["--all"])


@command("info", "<expr|#N> [--values]",
         "a tensor card: stats, nan/inf, leaf, grad, version, producing op "
         "and line", flags={"--values": bool}, example=":info loss")
def info(session, args):
    t = session.tensor(args.rest)
    return debug.info(t, session.namespace, values=args["--values"])
