"""``:graph`` and ``:export``: a tensor's autograd history."""
from pytensor import debug
from repl.commands import CommandError, command


@command("graph", "<tensor> [--depth N] [--stats] [--expand PATH] "
         "[--no-source]",
         "autograd history as a text tree, collapsed by module",
         flags={"--depth": int, "--stats": bool, "--expand": list,
                "--no-source": bool, "--lines": int},
         example=":graph loss --expand model",
         details="Ops run inside a module call are one line (the module, "
                 "its input and output\nshapes and tape ids); "
                 "--expand model opens it, --expand all shows every op.\n"
                 "Repeated runs of ops fold into one line (×N); a subgraph "
                 "used twice is\nshown once (↑ #N).  --stats adds value "
                 "statistics and the grad norms of leaves.")
def graph(session, args):
    t = session.tensor(args.rest)
    return debug.graph(t, session.namespace, depth=args["--depth"],
                       expand=args["--expand"], stats=args["--stats"],
                       no_source=args["--no-source"],
                       max_lines=args["--lines"] or 400,
                       name=args.rest.strip())


@command("export", "<tensor> --dot|--svg|--json FILE",
         "write the graph as Graphviz DOT, SVG (needs `dot`) or JSON",
         flags={"--dot": str, "--svg": str, "--json-file": str},
         example=":export loss --svg loss.svg",
         details="--json FILE writes the graph's nodes and edges as JSON "
                 "(without FILE,\n--json prints this command's own result "
                 "as JSON, as for every command).")
def export(session, args):
    pos = list(args.positional)
    fmt = path = None
    for f in ("--dot", "--svg", "--json-file"):
        if args[f]:
            fmt, path = f[2:].replace("-file", ""), args[f]
    if fmt is None and args["--json"] and len(pos) == 2:
        # ":export loss --json FILE": the FILE was left positional.
        fmt, path = "json", pos.pop()
        args.flags["--json"] = False
    if fmt is None:
        raise CommandError("give --dot FILE, --svg FILE or --json FILE")
    if len(pos) != 1:
        raise CommandError("give one tensor")
    t = session.tensor(pos[0])
    return debug.export_graph(t, path, fmt, session.namespace)
