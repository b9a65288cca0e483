"""``:ckpt``: snapshots of the session's state, restore and diff."""
from repl.commands import CommandError, command


@command("ckpt", "save|load|list|diff NAME",
         "snapshot parameters, buffers, optimizer state, RNG and tensors; "
         "restore; diff",
         example=":ckpt save before; opt.step(); :ckpt diff before")
def ckpt(session, args):
    pos = args.positional
    if not pos:
        raise CommandError("use :ckpt save|load|list|diff NAME")
    sub = pos[0]
    ck = session.checkpoints
    if sub == "list":
        return ck.list()
    if len(pos) != 2:
        raise CommandError(f":ckpt {sub} needs a NAME")
    name = pos[1]
    try:
        if sub == "save":
            return ck.save(name, session.namespace)
        if sub == "load":
            return ck.load(name, session.namespace)
        if sub == "diff":
            return ck.diff(name, session.namespace)
    except KeyError as e:
        raise CommandError(e.args[0]) from None  # "ckpt: ..." is stripped
    raise CommandError("use :ckpt save|load|list|diff NAME")
