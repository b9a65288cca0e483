"""``:inplace`` and ``:saved``: in-place changes to saved tensors."""
from pytensor import debug
from repl.commands import CommandError, command


@command("inplace", "[tensor]",
         "saved tensors modified in place, with the op and line that did it",
         example=":inplace")
def inplace(session, args):
    t = session.tensor(args.rest) if args.rest.strip() else None
    return debug.inplace_report(t, session.namespace)


@command("saved", "<#N|tensor>",
         "what an op saved for backward: tensors, sizes, versions",
         example=":saved #3")
def saved(session, args):
    arg = args.rest.strip()
    if not arg:
        raise CommandError("give #N or a tensor")
    try:
        if arg.startswith("#") and arg[1:].isdigit():
            return debug.saved(int(arg[1:]), session.namespace)
        return debug.saved(session.tensor(arg), session.namespace)
    except ValueError as e:
        raise CommandError(str(e)) from None
