"""12345 政务服务便民热线. The models live in one module per part and are gathered here for Django:
the classification and the dispatch directory (``models_taxonomy``), the knowledge base
(``models_knowledge``), the tickets and their handling (``models_tickets``)."""

from yichuang.hotline.models_classifier import *  # noqa: F403
from yichuang.hotline.models_knowledge import *  # noqa: F403
from yichuang.hotline.models_open311 import *  # noqa: F403
from yichuang.hotline.models_taxonomy import *  # noqa: F403
from yichuang.hotline.models_tickets import *  # noqa: F403
