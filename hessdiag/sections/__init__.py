"""The report's sections, registered in order: spectrum, geometry, noise, fisher, then the recommendation.

Each section is a package (or, for a new one, a module) declaring one `Section`: its `--only` name,
its computation from the shared work, its JSON keys with titles and schema fragments, its terminal
block, key numbers, figures. Registering it here makes it appear in `--only`, the JSON document, the
schema, the terminal output and the HTML page.
"""

from .blocks import SECTION as BLOCKS
from .fisher import SECTION as FISHER
from .geometry import SECTION as GEOMETRY
from .imbalance import SECTION as IMBALANCE
from .noise import SECTION as NOISE
from .preconditioning import SECTION as PRECONDITIONING
from .recommendation import SECTION as RECOMMENDATION
from .registry import register, registered, resolve_only, schema, sections, selectable, unfilled, unregister
from .spectrum import SECTION as SPECTRUM

for _section in (SPECTRUM, GEOMETRY, NOISE, FISHER, RECOMMENDATION):
    register(_section)
register(PRECONDITIONING)
register(IMBALANCE)
register(BLOCKS)

__all__ = ["register", "registered", "resolve_only", "schema", "sections", "selectable", "unfilled", "unregister"]
