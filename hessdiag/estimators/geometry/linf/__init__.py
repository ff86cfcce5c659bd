"""L∞ = ‖H‖_{∞,1} as an interval of proven bounds (thesis §6.4, SPEC §4).

`lower` (exact enumeration, sign ascent, Eq. 6.21), `upper` (‖H‖_{1,1}, Prop. 6.5, the separable
bound, d·L2), `bounds` (the typed bounds and the interval they make) and `interval` (everything
available from a dense matrix, or from products only).
"""

from .bounds import Bound, LinfInterval, assemble, rounding_allowance
from .interval import linf_from_dense, linf_from_operator
from .lower import ENUMERATION_MAX_D, linf_by_enumeration, ritz_lower_bound, sign_ascent
from .upper import certified_norm_bound

__all__ = ["Bound", "ENUMERATION_MAX_D", "LinfInterval", "assemble", "certified_norm_bound",
           "linf_by_enumeration", "linf_from_dense", "linf_from_operator", "ritz_lower_bound",
           "rounding_allowance", "sign_ascent"]
