"""Hard limits on data files. No real entry comes near them; they stop runaway or hostile input."""

# Those checked before parsing belong to reading files, in the store package.
from clonafacts.store.discovery import MAX_DATA_FILES as MAX_DATA_FILES
from clonafacts.store.discovery import MAX_FILE_BYTES as MAX_FILE_BYTES

MAX_DEPTH = 32  # nesting of mappings and lists in one file
MAX_NODES = 200_000  # scalars, mappings and lists in one file
MAX_NAME_CHARS = 100
MAX_LINE_CHARS = 400
MAX_FACT_CHARS = 1_000
MAX_QUOTE_CHARS = 300  # a quote is the exact words an entry rests on, not a page of them
MAX_ITEMS = 200  # entries in any one list
MAX_SOURCES = 100  # sources listed in one file
MAX_SOURCES_PER_FACT = 10
MAX_TAGS = 20
