"""``:help [cmd]``: the command list, or one command's usage."""
from repl.commands import COMMANDS, CommandError, command, lookup
from pytensor.debug._render import truncate

# The order of :help (the rest follow alphabetically).
_ORDER = ["help", "vars", "info", "graph", "export", "tape", "grad", "why",
          "path", "inplace", "saved", "nan", "step", "watch", "unwatch",
          "summary", "gradcheck", "time", "profile", "mem", "ckpt", "device",
          "seed", "pm", "hist", "run", "record", "set", "reset", "quit"]


@command("help", "[cmd]", "list the commands, or show how to use one",
         aliases=("h", "?"), example=":help graph")
def help_(session, args):
    name = args.rest.strip().lstrip(":")
    if name:
        c = lookup(name)
        if c is None:
            raise CommandError(f"no command :{name}")
        lines = [f":{c.name} {c.usage}".rstrip(), f"  {c.summary}"]
        if c.aliases:
            lines.append("  aliases: " + ", ".join(":" + a for a in
                                                   c.aliases))
        if c.details:
            lines.append("")
            lines.extend("  " + ln if ln else "" for ln in
                         c.details.strip("\n").split("\n"))
        if c.example:
            lines.append("")
            lines.append("  example: " + c.example)
        lines.append("  every command accepts --json")
        return "\n".join(lines)
    names = [n for n in _ORDER if n in COMMANDS] + sorted(
        n for n in COMMANDS if n not in _ORDER)
    width = session.width
    w = max(len(n) for n in names) + 1
    lines = ["Python lines run as Python; lines starting with ':' are "
             "commands.", "In commands, #N names tape entry N and module "
             "paths (model.0.weight) work."]
    for n in names:
        c = COMMANDS[n]
        lines.append(truncate(f":{n.ljust(w)} {c.summary}", width))
    lines.append(":help CMD for its arguments and an example · Ctrl-D or "
                 ":quit to leave")
    return "\n".join(lines)
