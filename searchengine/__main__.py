"""``python -m searchengine`` is the same as the ``searchengine`` command."""

from searchengine.cli import main

main()
