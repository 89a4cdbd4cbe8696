"""电子监察 models, kept in one module per part and gathered here for Django."""

from yichuang.supervision.models_cards import *  # noqa: F403
from yichuang.supervision.models_figures import *  # noqa: F403
from yichuang.supervision.models_ranking import *  # noqa: F403
from yichuang.supervision.models_sampling import *  # noqa: F403
