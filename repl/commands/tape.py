"""``:tape``: the recorded ops in order, with the user's lines."""
from pytensor import debug
from repl.commands import CommandError, command


@command("tape", "[range] [--op NAME] [--module PATH] [--grep TEXT]",
         "the op log: id, op, output, inputs, module, source line, kernel, "
         "time", flags={"--op": str, "--module": str, "--grep": str,
                        "--limit": int},
         example=":tape last 10 --op mul*",
         details="range: N, A..B, A.., ..B, last N, or all (default: the "
                 "last 30).\nInputs show names, #N for the op that made "
                 "them, or constants.\n:set timing on records each op's "
                 "time (ms column); :set times off hides it.")
def tape_(session, args):
    try:
        return debug.tape_log(args.rest or None, op=args["--op"],
                              module=args["--module"], grep=args["--grep"],
                              namespace=session.namespace,
                              limit=args["--limit"] or 30,
                              times=session.options.times)
    except ValueError as e:
        raise CommandError(str(e)) from None     # "tape: ..." is stripped
