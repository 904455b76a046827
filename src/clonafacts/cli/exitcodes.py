"""The exit codes, documented in the README. Only the CLI layer uses them."""

OK = 0
NOT_FOUND = 1  # unknown medication, no search hits, a medication without that section
INVALID = 1  # `validate` found problems
USAGE = 2  # unknown command or option, bad value
DATA = 3  # a data file failed to load
INTERNAL = 4  # a bug: an unexpected exception
OUTPUT = 5  # the output could not be written whole: a full disk, a file-size limit, no stdout
STATE = 6  # the review state or the label store: damaged, newer, not writable, or busy
INTERRUPTED = 130  # Ctrl-C
PIPE_CLOSED = 141  # stdout closed early (`| head`), as for SIGPIPE

#: Each exit code and what it means, for the man page and `--help` (the README has the same).
MEANINGS: tuple[tuple[int, str], ...] = (
    (OK, "success"),
    (
        NOT_FOUND,
        "nothing found (an unknown medication, no search hits, a missing section), or"
        " validate found problems",
    ),
    (
        USAGE,
        "usage error: an unknown command or option, a missing or bad value, a path that"
        " does not exist, a search query clonafacts does not support",
    ),
    (DATA, "invalid data: a data file failed to load"),
    (INTERNAL, "internal error (a bug); CLONAFACTS_DEBUG=1 or --debug shows the traceback"),
    (
        OUTPUT,
        "the output could not be written whole: a full disk, a file-size limit, standard"
        " output closed",
    ),
    (
        STATE,
        "the quiz's review state cannot be used: a damaged file, one from a newer clonafacts,"
        " or one that cannot be written (it is never replaced)",
    ),
    (INTERRUPTED, "interrupted (Ctrl-C)"),
    (PIPE_CLOSED, "standard output closed early, as for SIGPIPE"),
)
