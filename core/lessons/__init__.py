"""One module per lesson: its config dataclass, its experiments and its charts."""
