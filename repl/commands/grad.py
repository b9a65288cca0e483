"""``:grad``, ``:why``, ``:path``: gradients and why they are missing."""
from pytensor import debug
from repl.commands import CommandError, command


@command("grad", "[model|tensor|glob] [--sort norm|ratio|max|name]",
         "per-parameter gradient table with the reason a gradient is missing",
         flags={"--sort": str}, example=":grad model --sort norm")
def grad(session, args):
    target = args.rest.strip() or None
    if target is not None and not any(c in target for c in "*?["):
        try:
            target = session.eval(target)
        except CommandError:
            pass                    # a name prefix: used as a glob
    try:
        return debug.grad_table(target, session.namespace,
                                sort=args["--sort"])
    except (TypeError, ValueError) as e:
        raise CommandError(str(e)) from None


@command("why", "<tensor>",
         "why .grad is None: non-leaf, requires_grad, detached, no_grad, "
         "unused, backward not run, zeroed", example=":why model.0.weight")
def why(session, args):
    t = session.tensor(args.rest, "a tensor (a parameter, a leaf or an "
                                  "intermediate)")
    return debug.why(t, session.namespace)


@command("path", "<from> <to>",
         "how gradient flows from <to> back to <from>, or where it is cut",
         example=":path model.0.weight loss")
def path(session, args):
    if len(args.positional) != 2:
        raise CommandError("give two tensors: :path <from> <to>")
    a = session.tensor(args.positional[0])
    b = session.tensor(args.positional[1])
    return debug.path(a, b, session.namespace)
