"""The small vault the browser tests share: links, an embed, two steps of distance, a
lonely note, notes hidden from lists, the graph or search, and two private notes whose
markers must never reach a browser (`PRIVATE_MARKERS`)."""

from __future__ import annotations

from helpers import published

# Words that appear only in private notes (and in nothing published).
PRIVATE_MARKERS = ("PRIVATEMARKER", "Secret Plans", "secret-plans", "draftmarker")

GARDEN: dict[str, str | bytes] = {
    "Home.md": published("Start at [[Alpha]].\n", dg_home="true"),
    "Alpha.md": published(
        """\
        Alpha talks about zephyrquill gardens.

        It links to [[Beta]] and to [[Secret Plans|a note I keep]], and embeds Gamma:

        ![[Gamma]]

        Also [[Beta#Second part|the second part of Beta]].
        """,
        tags="[letters]",
    ),
    "Beta.md": published(
        """\
        Beta begins with betaopening words about moss.

        ## Second part

        The second part mentions fernwhistle.
        """
    ),
    "Gamma.md": published("Gamma is embedded in Alpha and links [[Delta]].\n"),
    "Delta.md": published("Delta sits two steps from Alpha.\n"),
    "Lonely.md": published("A lonely note about solitarywren, linked by nobody.\n"),
    "Hidden.md": published("Hidden page, hushedheron, links [[Alpha]].\n", dg_hide="true"),
    "NoGraph.md": published(
        "Left out of the graph, graphlessgull, links [[Alpha]].\n", dg_hide_in_graph="true"
    ),
    "NoSearch.md": published("Not searchable: mutedmarten.\n", dg_enable_search="false"),
    "Secret Plans.md": (
        "---\ndg-publish: false\n---\n"
        "PRIVATEMARKER zephyrquill betaopening fernwhistle. Links [[Alpha]] and [[Beta]].\n"
    ),
    "Drafts/Idea.md": "draftmarker zephyrquill idea about [[Alpha]]\n",
}
