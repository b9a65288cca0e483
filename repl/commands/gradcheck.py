"""``:gradcheck <fn> (<inputs>)``: analytic vs numeric gradients."""
from pytensor import debug
from repl.commands import CommandError, command


@command("gradcheck", "<fn> (<inputs>) [--eps E] [--atol A] [--rtol R]",
         "compare a function's gradients with finite differences, per input",
         flags={"--eps": float, "--atol": float, "--rtol": float},
         example=":gradcheck my_op (a, b)")
def gradcheck(session, args):
    pos = args.positional
    if len(pos) < 2:
        raise CommandError("give a function and its inputs: :gradcheck f "
                           "(a, b)")
    fn = session.eval(pos[0])
    if not callable(fn):
        raise CommandError(f"{pos[0]} is not callable")
    src = " ".join(pos[1:]).strip()
    inputs = session.eval(src)
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    names = None
    inner = src[1:-1] if src.startswith("(") and src.endswith(")") else src
    parts = [p.strip() for p in inner.split(",") if p.strip()]
    if len(parts) == len(inputs) and all(p.isidentifier() for p in parts):
        names = parts
    try:
        return debug.gradcheck_report(fn, inputs, names=names,
                                      eps=args.get("--eps", 1e-6),
                                      atol=args.get("--atol", 1e-5),
                                      rtol=args.get("--rtol", 1e-3))
    except ValueError as e:
        raise CommandError(str(e)) from None
