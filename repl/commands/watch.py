"""``:watch`` / ``:unwatch``: values printed whenever they change."""
from repl.commands import CommandError, command


@command("watch", "[expr]",
         "print EXPR after every input (and step) when its value changes",
         example=":watch loss")
def watch(session, args):
    expr = args.raw.strip()
    if not expr:
        if not session.watches:
            return "no watches (:watch EXPR)"
        return "\n".join(session.watch_report())
    try:
        compile(expr, "<watch>", "eval")
    except SyntaxError as e:
        raise CommandError(f"not an expression: {e.msg}") from None
    session.watches.append([expr, None])
    lines = session.watch_report()
    return lines[-1] if lines else None


@command("unwatch", "N|all", "remove watch N (or all)", example=":unwatch 1")
def unwatch(session, args):
    a = args.rest.strip()
    if a == "all":
        n = len(session.watches)
        session.watches.clear()
        return f"removed {n} watch{'es' if n != 1 else ''}"
    if not a.isdigit() or not 1 <= int(a) <= len(session.watches):
        raise CommandError(f"give a watch number 1..{len(session.watches)}"
                           " or all")
    expr, _ = session.watches.pop(int(a) - 1)
    return f"removed watch {a}: {expr}"
