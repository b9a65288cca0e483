"""``:summary <model> [input-shape|tensor]``: a read-only module table."""
from pytensor import debug
from pytensor.debug.names import is_module
from repl.commands import CommandError, command


@command("summary", "<model> [input-shape|tensor] [--depth N]",
         "modules with shapes, params, trainable, mode and grads "
         "(runs without side effects)",
         flags={"--depth": int}, example=":summary model (16, 64)")
def summary(session, args):
    pos = args.positional
    if not pos:
        raise CommandError("give a model")
    model = session.eval(pos[0])
    if not is_module(model):
        raise CommandError(f"{pos[0]} is a {type(model).__name__}, not a "
                           "module")
    inp = None
    if len(pos) > 1:
        inp = session.eval(" ".join(pos[1:]))
        if isinstance(inp, int):
            inp = (inp,)
    return debug.model_summary(model, inp, session.namespace,
                               depth=args["--depth"])
