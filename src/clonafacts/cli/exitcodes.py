"""The exit codes, documented in the README. Only the CLI layer uses them."""

OK = 0
NOT_FOUND = 1  # unknown medication, no search hits, a medication without that section
INVALID = 1  # `validate` found problems
USAGE = 2  # unknown command or option, bad value
DATA = 3  # a data file failed to load
INTERNAL = 4  # a bug: an unexpected exception
OUTPUT = 5  # the output could not be written whole: a full disk, a file-size limit, no stdout
INTERRUPTED = 130  # Ctrl-C
PIPE_CLOSED = 141  # stdout closed early (`| head`), as for SIGPIPE
