"""The command line: the Typer app (app.py), the fast path for the commonest calls
(fastpath.py), where output goes (output.py), messages on stderr (reporting.py), exit codes."""
