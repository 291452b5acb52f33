"""The question library: browse, search, and a learner's own marks on each question."""
