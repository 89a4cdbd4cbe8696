"""The knowledge base (知识库). Filled by the knowledge-base work."""

__all__: list[str] = []
